# 063_search_path.pl: the search_path the README recommends keeps a
# reader's objects in a writable public schema from running in an admin's
# queries.
#
# public is made writable by everyone (as in databases created before
# PostgreSQL 15).  A member of bedrock_cost_reader plants, in public,
# operators = <> < for (iam_arn, iam_arn), = for (iam_arn, text) and
# (text, iam_arn), functions and an aggregate with the names and argument
# types of the type's accessors and of the built-ins the README's queries
# call, and tries a cast from text to iam_arn.  Every planted function would
# record that it ran and map the reader to '*' in team_access.  An admin
# whose database has the README's search_path then filters and joins on
# principal and runs the README's chargeback queries: each gives the right
# answer, nothing planted runs, and team_access is unchanged.  The same
# filter under the README's former path ("$user", public, bedrock_cost) is
# shown to run the plant, so the check can fail.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# the search_path the documentation recommends (README.md and doc/*.md),
# every time it recommends one
my @paths;
for my $doc ("$ENV{TESTDIR}/README.md", sort glob("$ENV{TESTDIR}/doc/*.md"))
{
	push @paths, slurp_file($doc) =~ /SET search_path = ([^;`\n]+)/g;
}
is(scalar(@paths), 4, 'the README and doc/ recommend a search_path four times');
my %distinct = map { $_ => 1 } @paths;
is(join(' | ', sort keys %distinct), $paths[0], 'always the same one');
my $path = $paths[0];
note("recommended: $path");

my $node = cluster('search_path');
$node->safe_psql('postgres', qq{
	GRANT CREATE ON SCHEMA public TO PUBLIC;
	CREATE EXTENSION bedrock_cost;
	ALTER DATABASE postgres SET search_path = $path;
	CREATE ROLE mallory LOGIN IN ROLE bedrock_cost_reader;
	CREATE ROLE finops LOGIN IN ROLE bedrock_cost_admin;
	INSERT INTO bedrock_cost.team_access VALUES ('mallory', 'iamPrincipal/team', 'web');
});

# one delivery: alice and bob, plus unattributed usage
$node->safe_psql('postgres', q{
	INSERT INTO bedrock_cost.exports (export_id, path) VALUES (1, '/test/search_path');
	INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, status, started_at, data_table)
	VALUES (1, 1, '2026-05-01', 'file', 'running', now(), 'line_items_l1');
	SELECT bedrock_cost._create_load_table(1, '2026-05-01', 1);
	INSERT INTO bedrock_cost.line_items_l1
		(billing_period, export_id, load_id, file_no, line_number, usage_start, usage_end, line_item_type,
		 payer_account_id, usage_account_id, product_code, usage_type, usage_amount, tokens,
		 unblended_cost, principal, tags)
	SELECT '2026-05-01', 1, 1, 1, n + 1, '2026-05-02 10:00Z', '2026-05-02 11:00Z', 'Usage',
		   '111111111111', '222222222222', 'AmazonBedrock', ut, tok / 1000.0, tok, cost,
		   p::bedrock_cost.iam_arn, tg::jsonb
	  FROM (VALUES
		(1, 'USE1-Claude4.6Sonnet-input-tokens', 1000000, 3.00,
		 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org', '{"iamPrincipal/team":"ds"}'),
		(2, 'USE1-Claude4.6Sonnet-output-tokens', 20000, 0.30,
		 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org', '{"iamPrincipal/team":"ds"}'),
		(3, 'USE1-Claude4.6Sonnet-input-tokens', 200000, 0.60,
		 'arn:aws:iam::222222222222:user/bob', '{"iamPrincipal/team":"web"}'),
		(4, 'USE1-Claude4.6Sonnet-input-tokens', 10000, 0.03, NULL, '{}')
	  ) AS v(n, ut, tok, cost, p, tg);
	SELECT bedrock_cost._summarize_load_table(1);
	SELECT bedrock_cost._index_summaries(1);
	SELECT bedrock_cost._swap_in(1);
	SELECT bedrock_cost.refresh_chargeback();
});
my $access_q = "SELECT string_agg(role_name || ' ' || tag_key || ' ' || tag_value, ', ' ORDER BY 1) "
  . "FROM bedrock_cost.team_access";
my $access = $node->safe_psql('postgres', $access_q);
is($access, 'mallory iamPrincipal/team web', 'team_access before');

# the plant: everything mallory's functions do, with the rights of whoever
# runs them; ran(what) records it and grants mallory every row
my @plant = (
	q{CREATE TABLE public.ran (what text)},
	q{GRANT INSERT, SELECT ON public.ran TO PUBLIC},
	q{CREATE FUNCTION public.ran(what text) RETURNS boolean LANGUAGE plpgsql AS $$
	  BEGIN
		INSERT INTO public.ran VALUES (what);
		INSERT INTO bedrock_cost.team_access VALUES ('mallory', '*', '*') ON CONFLICT DO NOTHING;
		RETURN true;
	  END $$},
	q{CREATE FUNCTION public.arn_arn(bedrock_cost.iam_arn, bedrock_cost.iam_arn) RETURNS boolean
	  LANGUAGE sql AS $$ SELECT public.ran('iam_arn op iam_arn') $$},
	q{CREATE FUNCTION public.arn_text(bedrock_cost.iam_arn, text) RETURNS boolean
	  LANGUAGE sql AS $$ SELECT public.ran('iam_arn op text') $$},
	q{CREATE FUNCTION public.text_arn(text, bedrock_cost.iam_arn) RETURNS boolean
	  LANGUAGE sql AS $$ SELECT public.ran('text op iam_arn') $$},
	q{CREATE OPERATOR public.= (LEFTARG = bedrock_cost.iam_arn, RIGHTARG = bedrock_cost.iam_arn,
	  FUNCTION = public.arn_arn)},
	q{CREATE OPERATOR public.<> (LEFTARG = bedrock_cost.iam_arn, RIGHTARG = bedrock_cost.iam_arn,
	  FUNCTION = public.arn_arn)},
	q{CREATE OPERATOR public.< (LEFTARG = bedrock_cost.iam_arn, RIGHTARG = bedrock_cost.iam_arn,
	  FUNCTION = public.arn_arn)},
	q{CREATE OPERATOR public.= (LEFTARG = bedrock_cost.iam_arn, RIGHTARG = text,
	  FUNCTION = public.arn_text)},
	q{CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = bedrock_cost.iam_arn,
	  FUNCTION = public.text_arn)},
	# the type's accessors, by name and argument type
	q{CREATE FUNCTION public.account_id(bedrock_cost.iam_arn) RETURNS text
	  LANGUAGE sql AS $$ SELECT public.ran('account_id')::text $$},
	q{CREATE FUNCTION public.person(bedrock_cost.iam_arn) RETURNS text
	  LANGUAGE sql AS $$ SELECT public.ran('person')::text $$},
	q{CREATE FUNCTION public.iam_arn(text) RETURNS bedrock_cost.iam_arn
	  LANGUAGE sql AS $$ SELECT CASE WHEN public.ran('iam_arn(text)') THEN NULL::bedrock_cost.iam_arn END $$},
	q{CREATE FUNCTION public.arn_smaller(bedrock_cost.iam_arn, bedrock_cost.iam_arn) RETURNS bedrock_cost.iam_arn
	  LANGUAGE sql AS $$ SELECT CASE WHEN public.ran('min(iam_arn)') THEN $1 END $$},
	q{CREATE AGGREGATE public.min(bedrock_cost.iam_arn) (SFUNC = public.arn_smaller, STYPE = bedrock_cost.iam_arn)},
	# built-ins the README's queries call
	q{CREATE FUNCTION public.sum(numeric, numeric) RETURNS numeric
	  LANGUAGE sql AS $$ SELECT CASE WHEN public.ran('sum') THEN $1 END $$},
	q{CREATE AGGREGATE public.sum(numeric) (SFUNC = public.sum, STYPE = numeric)},
	q{CREATE FUNCTION public.date_trunc(text, timestamptz) RETURNS timestamptz
	  LANGUAGE sql AS $$ SELECT CASE WHEN public.ran('date_trunc') THEN $2 END $$},
	q{CREATE FUNCTION public.now() RETURNS timestamptz
	  LANGUAGE sql AS $$ SELECT CASE WHEN public.ran('now') THEN pg_catalog.now() END $$},
);
foreach my $sql (@plant)
{
	my ($out, $err) = ('', '');
	my $rc = $node->psql('postgres', $sql, stdout => \$out, stderr => \$err,
		extra_params => [ '-U', 'mallory' ]);
	(my $what = $sql) =~ s/\s+/ /g;
	$what = substr($what, 0, 80);
	is($rc, 0, "mallory plants: $what") or diag($err);
}

# a cast from text to iam_arn cannot be planted: it needs the type's ownership
{
	my ($out, $err) = ('', '');
	$node->psql('postgres',
		'CREATE CAST (text AS bedrock_cost.iam_arn) WITH FUNCTION public.iam_arn(text)',
		stdout => \$out, stderr => \$err, extra_params => [ '-U', 'mallory' ]);
	like($err, qr/ERROR:  must be owner of type text or type iam_arn/,
		'a cast cannot be planted');
}

# the admin's queries, with the database's (the recommended) search_path
my $this_month = $node->safe_psql('postgres',
	"SELECT pg_catalog.date_trunc('month', pg_catalog.now())::date OPERATOR(pg_catalog.=) '2026-05-01'::date");
my $per_person = "alice\@acme.org|arn:aws:iam::222222222222:role/DataSci|3.30|1000000|20000\nbob||0.60|200000|0";
my $alice = 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org';
my $bob = 'arn:aws:iam::222222222222:user/bob';
my @queries = (
	[ "SHOW search_path", $path ],
	[ "SELECT count(*) FROM bedrock_cost.line_items WHERE principal = '$alice'", '2' ],
	[ "SELECT count(*) FROM bedrock_cost.line_items WHERE '$bob' = principal", '1' ],
	[ "SELECT count(*) FROM bedrock_cost.line_items WHERE principal <> '$alice'", '1' ],
	[ "SELECT count(*) FROM bedrock_cost.line_items WHERE principal < '$alice'", '1' ],
	[ "SELECT count(*) FROM bedrock_cost.line_items WHERE principal IN ('$alice', '$bob')", '3' ],
	[ "SELECT sum(cost) FROM bedrock_cost.chargeback_by_principal WHERE principal = '$alice'", '3.30' ],
	[ "SELECT count(*) FROM bedrock_cost.line_items a JOIN bedrock_cost.chargeback_by_principal b USING (principal)", '3' ],
	[ "SELECT count(*) FROM bedrock_cost.line_items a JOIN bedrock_cost.chargeback_by_principal b ON a.principal = b.principal", '3' ],
	[ "SELECT account_id(principal) || ' ' || person(principal) FROM bedrock_cost.line_items WHERE principal = iam_arn('$bob')",
		'222222222222 bob' ],
	[ "SELECT min(principal) FROM bedrock_cost.line_items", $bob ],
	[ "SELECT string_agg(DISTINCT principal::text, ', ' ORDER BY principal::text) FROM bedrock_cost.line_items",
		"$bob, $alice" ],
	# the README's chargeback queries
	[ "SELECT person, role_arn, sum(cost) AS cost, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens
		 FROM bedrock_cost.chargeback_by_principal
		WHERE billing_period = '2026-05-01' AND attribution = 'attributed'
		GROUP BY 1, 2 ORDER BY 3 DESC",
		$per_person ],
	[ "SELECT person, role_arn, sum(cost) AS cost, sum(input_tokens) AS input, sum(output_tokens) AS output
		 FROM bedrock_cost.chargeback_by_principal
		WHERE billing_period = date_trunc('month', now())::date AND attribution = 'attributed'
		GROUP BY 1, 2 ORDER BY 3 DESC", $this_month eq 't' ? $per_person : '' ],
	[ "SELECT tag_value, sum(cost) FROM bedrock_cost.chargeback_by_tag
		WHERE billing_period = '2026-05-01' AND tag_name = 'team' GROUP BY 1 ORDER BY 2 DESC",
		"ds|3.30\nweb|0.60\n(untagged)|0.03" ],
	# the rows of this test were stored by hand, without a delivery: the
	# reconciliation shows them as stored with no file total
	[ "SELECT billing_period, line_item_type, file_total, loaded_total, difference
		 FROM bedrock_cost.reconciliation ORDER BY 1, 2", '2026-05-01|Usage|0|3.93|-3.93' ],
	[ "SELECT count(*) FROM bedrock_cost.bi_chargeback_by_principal WHERE principal_arn = '$alice'", '1' ],
);
foreach my $q (@queries)
{
	my ($sql, $expected) = @$q;
	my ($out, $err) = ('', '');
	my $rc = $node->psql('postgres', $sql, stdout => \$out, stderr => \$err,
		extra_params => [ '-U', 'finops' ]);
	(my $short = $sql) =~ s/\s+/ /g;
	is($out, $expected, "finops: $short") or diag($err);
}
is($node->safe_psql('postgres', 'SELECT count(*) FROM public.ran'), '0',
	'nothing mallory planted ran');
is($node->safe_psql('postgres', $access_q), $access, 'team_access is unchanged');

# the README's former path runs the plant on the same filter (rolled back):
# every row matches, the NULL principal too (the planted = is not STRICT)
my ($out, $err) = ('', '');
$node->psql('postgres', qq{
	BEGIN;
	SET LOCAL search_path = "\$user", public, bedrock_cost;
	SELECT count(*) FROM bedrock_cost.line_items WHERE principal = '$alice';
	SELECT string_agg(DISTINCT what, ', ') FROM public.ran;
	SELECT count(*) FROM bedrock_cost.team_access WHERE role_name = 'mallory' AND tag_key = '*';
	ROLLBACK;},
	stdout => \$out, stderr => \$err, extra_params => [ '-U', 'finops' ]);
is($out, "4\niam_arn op iam_arn\n1",
	'with "$user", public, bedrock_cost the planted = runs as the admin (the check can fail)')
  or diag($err);
is($node->safe_psql('postgres', $access_q), $access, 'rolled back: team_access is unchanged');

$node->stop;
done_testing();
