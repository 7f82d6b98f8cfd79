# 050_client.pl: bedrock-cost-load, the libpq client, against the ground
# truth of bedrock-cost-gen and against the server-side loader.
#
#  - an export (create-new layout, two periods, a restatement) loaded by the
#    client matches the ground truth exactly (totals by line item type and
#    Bedrock or not, cost by principal), and a second run is all noop;
#  - the same export loaded by load_export in another database gives the
#    same line_items and history (EXCEPT both ways, ids aside) and the same
#    ledger (loads, load_files, load_totals, usage_types), and the same
#    chargeback summaries (summed from the stored rows in C, against
#    summed while streaming);
#  - damaged exports (bedrock-cost-gen --fault) fail with exactly the
#    server's error and load_errors rows, exit code 3;
#  - --dry-run totals equal the ground truth, with no database;
#  - a client killed (SIGKILL) in the middle of COPY leaves nothing behind;
#  - rows stored through the client API by hand are summed as stored (the
#    UTC usage day, tokens without an amount, display scales), and a NaN
#    sends the summary to SQL;
#  - exit codes for usage (2), connection (4), missing or incompatible
#    extension (5).
use strict;
use warnings;
use IPC::Run;
use JSON::PP;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# missing tools are a failure, not a skip: make builds both
my $cli = tool('bedrock-cost-load');
tool('bedrock-cost-gen');

my $tmp = PostgreSQL::Test::Utils::tempdir();

my $node = cluster('client', databases => [qw(cli srv)]);
$node->safe_psql('cli', 'CREATE EXTENSION dblink');
my $cli_conn = $node->connstr('cli');
my $srv_conn = $node->connstr('srv');

# number of rows of a query's result in database cli
sub rows_of
{
	my ($sql) = @_;
	return $node->safe_psql('cli', "SELECT count(*) FROM ($sql) x");
}

# EXCEPT both ways between a query in cli and the same query in srv (as text rows)
sub same_in_both
{
	my ($sql, $name) = @_;
	my $remote = "SELECT r FROM dblink(\$c\$$srv_conn\$c\$, \$q\$SELECT t::text FROM ($sql) t\$q\$) AS d(r text)";
	my $local = "SELECT t::text AS r FROM ($sql) t";
	my $n = $node->safe_psql('cli', "SELECT count(*) FROM ($local) x");
	my $m = $node->safe_psql('cli', "SELECT count(*) FROM ($remote) x");
	is(rows_of("($local) EXCEPT ALL ($remote)") . '/' . rows_of("($remote) EXCEPT ALL ($local)"),
		'0/0', "$name: identical ($n rows)");
	cmp_ok($n, '>', 0, "$name: not empty") if $n == $m;
	return;
}

# ---------------------------------------------------------------------------
# a clean export through the client and through the server

gen('--out', "$tmp/ok", '--export', 'ex', '--rows', '20000', '--periods', '2',
	'--mode', 'create-new', '--restate', '--chunk-rows', '7000', '--seed', '5');
my $export = "$tmp/ok/ex";
my $truth = "$export/ground_truth";

my ($rc, $out, $err) = client('-q', '-d', $cli_conn, $export);
is($rc, 0, 'client load exits 0') or diag($err);
$node->safe_psql('srv', "SELECT * FROM bedrock_cost.load_export('$export')");

is($node->safe_psql('cli', "SELECT string_agg(status, ',' ORDER BY load_id) FROM bedrock_cost.loads"),
	'superseded,done,done',
	'client: restated period superseded, the other done');

# ground truth
$node->safe_psql('cli', qq{
CREATE TABLE gt_type (billing_period date, delivery int, execution_id text, latest bool,
	line_item_type text, is_bedrock bool, line_items bigint, cost numeric, net_cost numeric);
COPY gt_type FROM '$truth/by_line_item_type.csv' CSV HEADER;
CREATE TABLE gt_principal (billing_period date, delivery int, execution_id text, latest bool,
	principal text, principal_type text, account_id text, partition text, role text, person text,
	line_items bigint, cost numeric, net_cost numeric, input_tokens numeric, output_tokens numeric,
	cache_read_tokens numeric, cache_write_tokens numeric);
COPY gt_principal FROM '$truth/by_principal.csv' CSV HEADER;
});
my $totals = q{SELECT l.billing_period, l.execution_id, t.line_item_type, t.is_bedrock, t.rows,
	t.unblended_cost, t.net_unblended_cost
	FROM bedrock_cost.load_totals t JOIN bedrock_cost.loads l USING (load_id)};
my $gt_totals = q{SELECT billing_period, execution_id, line_item_type, is_bedrock, line_items, cost, net_cost
	FROM gt_type};
is(rows_of("($totals WHERE l.status = 'done') EXCEPT ($gt_totals WHERE latest)") . '/'
	  . rows_of("($gt_totals WHERE latest) EXCEPT ($totals WHERE l.status = 'done')"),
	'0/0', 'client: totals by line item type and Bedrock-or-not equal the ground truth');
is(rows_of("($totals) EXCEPT ($gt_totals)") . '/' . rows_of("($gt_totals) EXCEPT ($totals)"),
	'0/0', 'client: the superseded delivery\'s totals equal its ground truth too');
my $by_principal = q{SELECT billing_period, principal::text, count(*), sum(unblended_cost), sum(net_unblended_cost)
	FROM bedrock_cost.line_items WHERE principal IS NOT NULL GROUP BY 1, 2};
my $gt_by_principal = q{SELECT billing_period, principal, line_items, cost, net_cost FROM gt_principal WHERE latest};
is(rows_of("($by_principal) EXCEPT ($gt_by_principal)") . '/'
	  . rows_of("($gt_by_principal) EXCEPT ($by_principal)"),
	'0/0', 'client: cost by principal equals the ground truth');
is($node->safe_psql('cli', 'SELECT count(*) FROM bedrock_cost.reconciliation WHERE difference <> 0'),
	'0', 'client: reconciliation has no difference');

# client and server give the same tables
my $cols = q{billing_period, file_no, line_number, usage_start, usage_end, line_item_type,
	payer_account_id, usage_account_id, billing_entity, product_code, product_name, usage_type,
	operation, pricing_unit, usage_amount, tokens, unblended_cost, net_unblended_cost, principal,
	tags, line_item_id};
same_in_both("SELECT $cols FROM bedrock_cost.line_items", 'line_items');
same_in_both("SELECT $cols FROM bedrock_cost.line_items_history", 'line_items_history');
same_in_both(q{SELECT e.path, l.billing_period, l.source, l.manifest_path, l.execution_id, l.delivery_key,
	l.status, l.rows_read, l.rows_loaded, l.rows_rejected, l.rows_other, l.bytes_read, l.error
	FROM bedrock_cost.loads l JOIN bedrock_cost.exports e USING (export_id)}, 'ledger loads');
same_in_both(q{SELECT l.execution_id, f.file_no, f.path, f.size, f.sha256, f.rows_read, f.rows_loaded
	FROM bedrock_cost.load_files f JOIN bedrock_cost.loads l USING (load_id)}, 'ledger load_files');
same_in_both(q{SELECT l.execution_id, t.line_item_type, t.is_bedrock, t.rows, t.rejected_rows,
	t.unblended_cost, t.net_unblended_cost
	FROM bedrock_cost.load_totals t JOIN bedrock_cost.loads l USING (load_id)}, 'ledger load_totals');
same_in_both('SELECT * FROM bedrock_cost.usage_types', 'usage_types');
# the chargeback summaries: the server summed the client's stored rows (in
# C), the same rows the server loader summed while they streamed
is($node->safe_psql('cli', "SELECT string_agg(DISTINCT summary_via, ',') FROM bedrock_cost.loads"), 'stored',
	'client: the server summed the stored rows of every delivery in C');
is($node->safe_psql('srv', "SELECT string_agg(DISTINCT summary_via, ',') FROM bedrock_cost.loads"), 'stream',
	'server: every delivery summed while streaming');
for my $rel (qw(usage_summary usage_summary_history usage_period usage_daily))
{
	my $rcols = $node->safe_psql('cli',
		"SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
		  . "WHERE attrelid = 'bedrock_cost.$rel'::regclass AND attnum > 0 AND NOT attisdropped "
		  . "AND attname NOT IN ('export_id', 'load_id')");
	same_in_both("SELECT $rcols FROM bedrock_cost.$rel", "summary $rel");
}

# a second run: every delivery already loaded
($rc, $out, $err) = client('--json', '-d', $cli_conn, $export);
is($rc, 0, 'second run exits 0');
my $summary = decode_json($out);
is(join(',', map { $_->{status} } @{ $summary->{deliveries} }), 'stale,noop,noop',
	'second run: the current deliveries are noops, the restated one is older than the current one (stale)');
is($node->safe_psql('cli', "SELECT count(*) FROM bedrock_cost.loads WHERE status = 'done'"), '2',
	'second run: current deliveries unchanged');

# ---------------------------------------------------------------------------
# dry run: no database, totals equal the ground truth

($rc, $out, $err) = client('--dry-run', '--json', $export);
is($rc, 0, 'dry run exits 0');
$summary = decode_json($out);
my @dry;
for my $d (@{ $summary->{deliveries} })
{
	for my $t (@{ $d->{totals} })
	{
		push @dry, sprintf("('%s'::date, '%s', '%s', %s, %d, %s::numeric, %s::numeric)",
			$d->{billing_period}, $d->{execution_id}, $t->{line_item_type},
			$t->{is_bedrock} ? 'true' : 'false', $t->{rows}, $t->{unblended_cost},
			$t->{net_unblended_cost} // 'NULL');
	}
}
my $dry_values = 'VALUES ' . join(', ', @dry);
is(rows_of("($dry_values) EXCEPT ($gt_totals)") . '/' . rows_of("($gt_totals) EXCEPT ($dry_values)"),
	'0/0', 'dry run: totals of every delivery equal the ground truth');
is(scalar(@{ $summary->{deliveries} }), 3, 'dry run: three deliveries (top-level copies skipped)');

# ---------------------------------------------------------------------------
# one file of a delivery alone: refused as load_file refuses it, unless --complete

gen('--out', "$tmp/single", '--export', 'ex', '--rows', '3000', '--chunk-rows', '1000', '--seed', '7');
my $chunk = "$tmp/single/ex/data/BILLING_PERIOD=2026-04/ex-00001.csv.gz";
($rc, $out, $err) = client('-q', '-d', $cli_conn, $chunk);
is($rc, 3, 'one file of a three-file delivery: exit 3');
like($err, qr/error: "\Q$chunk\E" is one file of a delivery: loading it alone would replace the whole billing period with it\nDETAIL: manifest "[^"]+ex-Manifest\.json" lists 2 other files of this delivery \("[^"]+ex-00002\.csv\.gz", "[^"]+ex-00003\.csv\.gz"\)\./,
	'with the server\'s reason, naming the other files');
my ($src, $sout, $serr) = $node->psql('srv', "SELECT error FROM bedrock_cost.load_file('$chunk')");
is((split /\n/, $sout)[0], ($err =~ /error: (.*)/)[0], 'the same words as load_file');
($rc, $out, $err) = client('-q', '--complete', '-d', $cli_conn, $chunk);
is($rc, 0, 'with --complete the file loads') or diag($err);
is($node->safe_psql('cli', "SELECT l.status || ' ' || l.loaded_via || ' ' || l.source FROM bedrock_cost.loads l "
	  . "JOIN bedrock_cost.exports e USING (export_id) WHERE e.path = '$tmp/single/ex' AND l.status = 'done'"),
	'done client file', 'as a client load of one file');
is($node->safe_psql('cli', "SELECT count(*) FROM bedrock_cost.audit_log WHERE action = 'load_single_file' "
	  . "AND new_value->>'via' = 'client'"), '1', 'and audited');

# ---------------------------------------------------------------------------
# damaged files: the server's errors, exactly

for my $fault (qw(bad-number bad-arn bad-timestamp ragged-row truncated-gzip missing-file non-utf8))
{
	my $dir = "$tmp/fault_$fault";
	gen('--out', $dir, '--export', 'ex', '--rows', '4000', '--chunk-rows', '2000',
		'--seed', '9', '--fault', $fault);
	($rc, $out, $err) = client('-q', '-d', $cli_conn, "$dir/ex");
	is($rc, 3, "$fault: client exits 3 (bad input)");
	$node->safe_psql('srv', "SELECT * FROM bedrock_cost.load_export('$dir/ex')");
	my $q = "SELECT l.status, l.error FROM bedrock_cost.loads l JOIN bedrock_cost.exports e USING (export_id) WHERE e.path = '$dir/ex'";
	my $c = $node->safe_psql('cli', $q);
	my $s = $node->safe_psql('srv', $q);
	like($c, qr/^failed\|/, "$fault: recorded as failed by the client");
	is($c, $s, "$fault: same error as the server");
	my $msg = (split /\|/, $c, 2)[1] // '';
	$msg =~ s/\n.*//s;
	ok(length($msg) > 0 && index($err, $msg) >= 0, "$fault: the error is printed");
	same_in_both("SELECT e.line, e.column_name, e.value, e.reason, e.raw FROM bedrock_cost.load_errors e "
		  . "JOIN bedrock_cost.loads l USING (load_id) JOIN bedrock_cost.exports x USING (export_id) "
		  . "WHERE x.path = '$dir/ex'", "$fault: load_errors");
}
is($node->safe_psql('cli', "SELECT count(*) FROM pg_class WHERE relname ~ '^line_items_l[0-9]+\$' "
	  . "AND NOT relispartition"), '0', 'failed deliveries leave no table behind');

# ---------------------------------------------------------------------------
# killed mid-COPY: nothing changes

my $kdir = "$tmp/kill";
gen('--out', $kdir, '--export', 'ex', '--rows', '30000', '--seed', '11', '--restate', '--initial-only');
($rc, $out, $err) = client('-q', '-d', $cli_conn, "$kdir/ex");
is($rc, 0, 'kill: initial delivery loaded') or diag($err);
gen('--out', $kdir, '--export', 'ex', '--rows', '30000', '--seed', '11', '--restate');
my $state = q{SELECT (SELECT string_agg(load_id || status, ',' ORDER BY load_id) FROM bedrock_cost.loads),
	(SELECT count(*) FROM pg_class WHERE relname ~ '^line_items_l[0-9]+$'),
	(SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM bedrock_cost.line_items t)};
my $before = $node->safe_psql('cli', $state);
my ($kout, $kerr) = ('', '');
# PGAPPNAME is set by the test framework: name the client's session explicitly
my $app_conn = "$cli_conn application_name=bc_client_under_test";
my $app_is = q{application_name = 'bc_client_under_test'};
my $h = IPC::Run::start([ $cli, '-q', '--debug-pause-after', '5000', '-d', $app_conn, "$kdir/ex" ],
	'<', \undef, '>', \$kout, '2>', \$kerr);
my $deadline = time() + 120;
$h->pump while $kerr !~ /debug pause/ && time() < $deadline && $h->pumpable;
like($kerr, qr/debug pause after 5000 rows/, 'kill: client paused in the middle of COPY');
ok($node->poll_query_until('cli', q{SELECT count(*) > 0 FROM pg_stat_progress_copy}),
	'kill: COPY in progress on the server');
is($node->safe_psql('cli', q{SELECT count(*) FROM pg_class WHERE relname ~ '^line_items_l[0-9]+$'}),
	(split /\|/, $before)[1], 'kill: the staging table is invisible to others');
is($node->safe_psql('cli', "SELECT count(*) FROM pg_stat_activity WHERE $app_is"), '1',
	'kill: the client\'s session is there');
$h->signal('KILL');
$h->finish;
ok($node->poll_query_until('cli', "SELECT count(*) = 0 FROM pg_stat_activity WHERE $app_is"),
	'kill: the server ended the client\'s session');
is($node->safe_psql('cli', $state), $before, 'kill: ledger, tables and data unchanged');

# connection lost mid-COPY: exit 4, nothing changes
$before = $node->safe_psql('cli', $state);
($kout, $kerr) = ('', '');
{
	local $ENV{BC_DEBUG_PAUSE_SECONDS} = '4';
	$h = IPC::Run::start([ $cli, '-q', '--debug-pause-after', '3000', '-d', $app_conn, "$kdir/ex" ],
		'<', \undef, '>', \$kout, '2>', \$kerr);
}
$deadline = time() + 120;
$h->pump while $kerr !~ /debug pause/ && time() < $deadline && $h->pumpable;
like($kerr, qr/debug pause after 3000 rows/, 'connection lost: client paused in the middle of COPY');
is($node->safe_psql('cli', "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE $app_is"),
	'1', 'connection lost: the client\'s session terminated');
$h->finish;
is($h->result(0), 4, 'connection lost: exit 4');
like($kerr, qr/error: .*(terminat|connection|closed)/i, 'connection lost: says so');
is($node->safe_psql('cli', $state), $before, 'connection lost: ledger, tables and data unchanged');

($rc, $out, $err) = client('-q', '-d', $cli_conn, "$kdir/ex");
is($rc, 0, 'kill: the next run loads the restatement') or diag($err);
is($node->safe_psql('cli', q{SELECT string_agg(status, ',' ORDER BY load_id) FROM bedrock_cost.loads l
	JOIN bedrock_cost.exports e USING (export_id) WHERE e.path = '} . "$kdir/ex'"),
	'superseded,done', 'kill: initial delivery superseded by the restatement');

# ---------------------------------------------------------------------------
# a loader that is not superuser, only a member of bedrock_cost_admin

$node->safe_psql('cli', 'CREATE ROLE loader LOGIN IN ROLE bedrock_cost_admin');
gen('--out', "$tmp/role", '--export', 'ex', '--rows', '3000', '--seed', '13', '--start', '2025-11');
($rc, $out, $err) = client('-q', '-U', 'loader', '-d', $cli_conn, "$tmp/role/ex");
is($rc, 0, 'bedrock_cost_admin member: client load exits 0') or diag($err);
is($node->safe_psql('cli', q{SELECT status FROM bedrock_cost.loads WHERE billing_period = '2025-11-01'}),
	'done', 'bedrock_cost_admin member: delivery done');
$node->safe_psql('cli', 'CREATE ROLE outsider LOGIN');
($rc, $out, $err) = client('-q', '-U', 'outsider', '-d', $cli_conn, "$tmp/role/ex");
is($rc, 5, 'not a loader: exit 5');
like($err, qr/permission denied/, 'not a loader: permission denied');

# ---------------------------------------------------------------------------
# the server sums stored rows as they are, and leaves to SQL what its summing
# in C does not take: the client API driven by hand, two rows a delivery

# begin, store the rows ([cost, usage amount, tokens] as SQL literals), finish
sub api_load
{
	my ($month, $exec, $cost, @rows) = @_;
	my ($ret, $o, $e) = client_api_load('cli', $export, $month, $exec, $cost, @rows);
	is($ret, 0, "client API delivery of $month finished") or diag($e);
	return;
}
my $api_summary = q{SELECT l.summary_via || ' ' || s.usage_date || ' ' || s.line_items || ' ' || s.unblended_cost
	|| ' ' || coalesce(s.tokens::text, 'NULL') || ' ' || coalesce(s.usage_amount::text, 'NULL') || ' ' || s.tags::text
	FROM bedrock_cost.usage_summary s JOIN bedrock_cost.loads l USING (load_id) WHERE s.billing_period = };
# tokens without a usage amount, scales 4 and 1, a usage day that is the next UTC day
api_load('2026-10', 'api-1', '0.03', [ '0.0100', 'NULL', '5' ], [ '0.02', '1.5', '1500.0' ]);
is($node->safe_psql('cli', "$api_summary '2026-10-01'"), 'stored 2026-10-02 2 0.0300 1505.0 1.5 {"a": "1", "b": "2"}',
	'stored rows summed in C as stored: the UTC day, the tokens given, sum()\'s display scale');
# a NaN (which the stored rows may hold) is not a number the summing in C takes: SQL sums it
api_load('2026-11', 'api-2', '0.03', [ '0.01', '1', "'NaN'" ], [ '0.02', '1', '2' ]);
is($node->safe_psql('cli', "$api_summary '2026-11-01'"), 'sql 2026-11-02 2 0.03 NaN 2 {"a": "1", "b": "2"}',
	'a NaN among the stored rows: summarised by SQL');

# ---------------------------------------------------------------------------
# exit codes and refusals

($rc, $out, $err) = client();
is($rc, 2, 'no argument: exit 2');
($rc, $out, $err) = client('--no-such-option', $export);
is($rc, 2, 'unknown option: exit 2');
($rc, $out, $err) = client('--help');
is($rc, 0, '--help exits 0');
unlike($out, qr/debug-pause/, '--help does not show the test hook');
($rc, $out, $err) = client('-q', '-d', 'host=/nonexistent port=1 dbname=x connect_timeout=2', $export);
is($rc, 4, 'connection failure: exit 4');
$node->safe_psql('postgres', 'CREATE DATABASE noext');
($rc, $out, $err) = client('-q', '-d', $node->connstr('noext'), $export);
is($rc, 5, 'extension missing: exit 5');
like($err, qr/not installed in database "noext".*CREATE EXTENSION bedrock_cost/s,
	'extension missing: says what to do');
$node->safe_psql('postgres', 'CREATE DATABASE oldext');
# the released 0.1.0, not updated yet
my $version = $node->safe_psql('postgres', "SELECT default_version FROM pg_available_extensions WHERE name = 'bedrock_cost'");
$node->safe_psql('oldext', "CREATE EXTENSION bedrock_cost VERSION '0.1.0'");
($rc, $out, $err) = client('-q', '-d', $node->connstr('oldext'), $export);
is($rc, 5, 'other extension version: exit 5');
like($err, qr/is version 0\.1\.0; this bedrock-cost-load needs version \Q$version\E.*ALTER EXTENSION bedrock_cost UPDATE TO '\Q$version\E'/s,
	'other extension version: says what to do');
$node->safe_psql('oldext', 'ALTER EXTENSION bedrock_cost UPDATE');
$node->safe_psql('oldext', 'ALTER EXTENSION bedrock_cost DROP FUNCTION bedrock_cost.client_fail_delivery(jsonb, text, jsonb); DROP FUNCTION bedrock_cost.client_fail_delivery(jsonb, text, jsonb)');
($rc, $out, $err) = client('-q', '-d', $node->connstr('oldext'), $export);
is($rc, 5, 'client API missing: exit 5');
like($err, qr/lacks the client API/, 'client API missing: says so');

$node->stop;
done_testing();
