# 070_gateway.pl: gateway attribution.  A gateway role's billed cost (the
# generator's LLMGatewayShared sessions) split over a request log built from
# the bill: three users at 5:3:2 of each day's, model's and kind's billed
# tokens, a failed request, a day the bill has not caught up with, a day and
# kind with no log, an estimate 10% above the bill.  Checked against a split
# computed here, in integers, by the largest remainder method; the shares
# add up to the billed cost; the unmatched lines carry exactly the noise;
# the drift is the 10% put in; the reader role sees its team only; the
# LiteLLM mapping reads "LiteLLM_SpendLogs"; registering is for admins; the
# log (a table, a view, a foreign table) is read with its registrant's
# rights, never the owner's, and only while the registrant may read it.
use strict;
use warnings;
use Math::BigInt;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use SqlQualified qw(sql_problems);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $node = cluster('gateway', extension => 1);
gen('--out', "$tmp/x", '--export', 'x', '--rows', '4000',
	'--periods', '1', '--seed', '70', '--principals', '60', '--gateway-log');
is(sql("SELECT status FROM bedrock_cost.load_export('$tmp/x/x')"), 'done', 'an export loaded');
sql('SELECT bedrock_cost.refresh_chargeback()');

# the bill of the gateway role per day, model and token kind
my $bill_q = q{
	SELECT d.usage_date, d.model, k.kind, sum(k.cost) AS cost, sum(k.tokens)::bigint AS tokens
	  FROM bedrock_cost.chargeback_daily AS d
	 CROSS JOIN LATERAL (VALUES ('input', d.input_cost, d.input_tokens), ('output', d.output_cost, d.output_tokens),
								('cache_read', d.cache_read_cost, d.cache_read_tokens),
								('cache_write', d.cache_write_cost, d.cache_write_tokens)) AS k(kind, cost, tokens)
	 WHERE bedrock_cost.role_name(d.principal_arn::bedrock_cost.iam_arn) = 'LLMGatewayShared'
	   AND d.attribution = 'attributed' AND (k.cost <> 0 OR k.tokens <> 0)
	 GROUP BY 1, 2, 3};
my @bill = map { [ split /\|/ ] } split /\n/, sql("$bill_q ORDER BY 1, 2, 3");
cmp_ok(scalar(@bill), '>', 20, 'the gateway role has billed usage on many days, models and kinds');
cmp_ok(scalar(grep { $_->[4] > 0 } @bill), '==', scalar(@bill), 'every billed line has tokens');

# the log: users u1, u2 (team a) and u3 (team b) at 5:3:2 of the billed
# tokens; one billed day and kind left out of it (unmatched bill)
my ($skip_day, $skip_model, $skip_kind) = @{ $bill[ int(@bill / 2) ] }[ 0, 1, 2 ];
sql(q{CREATE SCHEMA gw; CREATE TABLE gw.requests (request_time timestamptz, user_key text, team_key text,
	model text, input_tokens bigint, output_tokens bigint, cache_read_tokens bigint, cache_write_tokens bigint,
	status text, estimated_spend numeric)});
sql(qq{WITH b AS ($bill_q), u AS (
		SELECT b.*, x.user_key, x.team_key,
			   CASE x.n WHEN 1 THEN b.tokens * 5 / 10 WHEN 2 THEN b.tokens * 3 / 10
						ELSE b.tokens - b.tokens * 5 / 10 - b.tokens * 3 / 10 END AS t
		  FROM b CROSS JOIN (VALUES (1, 'u1', 'a'), (2, 'u2', 'a'), (3, 'u3', 'b')) AS x(n, user_key, team_key)
		 WHERE NOT (b.usage_date = '$skip_day' AND b.model = '$skip_model' AND b.kind = '$skip_kind'))
	INSERT INTO gw.requests
	SELECT u.usage_date + time '12:00' AT TIME ZONE 'UTC', u.user_key, u.team_key, 'bedrock/' || u.model,
		   CASE u.kind WHEN 'input' THEN u.t ELSE 0 END, CASE u.kind WHEN 'output' THEN u.t ELSE 0 END,
		   CASE u.kind WHEN 'cache_read' THEN u.t ELSE 0 END, CASE u.kind WHEN 'cache_write' THEN u.t ELSE 0 END,
		   'success', round(u.cost * 1.1 * u.t / u.tokens, 12)
	  FROM u WHERE u.t > 0});
# noise: a failed request, and a user on a day the bill has not reached
my ($last_day, $a_model) = split /\|/, sql(q{SELECT max(usage_date) + 1, min(model) FROM bedrock_cost.chargeback_daily
	WHERE bedrock_cost.role_name(principal_arn::bedrock_cost.iam_arn) = 'LLMGatewayShared'});
sql(qq{INSERT INTO gw.requests VALUES
	('$bill[0][0] 08:00+00', 'u1', 'a', 'bedrock/$bill[0][1]', 1000000000, 1000000000, 0, 0, 'failure', 5),
	('$last_day 09:30+00', 'ghost', 'c', 'bedrock/$a_model', 777, 0, 0, 0, 'success', 0.01)});

sql("SELECT bedrock_cost.register_gateway('shared', 'LLMGatewayShared', 'gw.requests', 'plain')");
is(sql('SELECT bedrock_cost.refresh_gateways()'), '1', 'one gateway split');

# the split computed here: per (day, model, kind) the pool in cents, each
# user's floor of pool * t / T, the cents left over to the largest
# remainders (ties by user)
my @want;
my %shares = ('u1' => [ 5, 'a' ], 'u2' => [ 3, 'a' ], 'u3' => [ 2, 'b' ]);
my %cents = map { my @f = split /\|/; ("$f[0]|$f[1]|$f[2]" => $f[3]) }
  split /\n/, sql("SELECT usage_date, model, kind, (round(cost, 2) * 100)::bigint FROM ($bill_q) AS b");
my %key = map { my @f = split /\|/; ($f[0] => $f[1]) }
  split /\n/, sql("SELECT DISTINCT model, bedrock_cost.model_key(model) FROM ($bill_q) AS b");
foreach my $line (@bill)
{
	my ($day, $model, $kind, $cost, $tokens) = @$line;
	next if $day eq $skip_day && $model eq $skip_model && $kind eq $skip_kind;
	my $T = Math::BigInt->new($tokens);
	my %t;
	$t{u1} = Math::BigInt->new($tokens)->bmul(5)->bdiv(10);
	$t{u2} = Math::BigInt->new($tokens)->bmul(3)->bdiv(10);
	$t{u3} = $T->copy->bsub($t{u1})->bsub($t{u2});
	my @users = grep { $t{$_} > 0 } sort keys %t;
	my $pool = Math::BigInt->new($cents{"$day|$model|$kind"});
	my (%floor, %rem);
	my $given = Math::BigInt->new(0);
	foreach my $u (@users)
	{
		my ($q, $r) = $pool->copy->babs->bmul($t{$u})->bdiv($T);
		($floor{$u}, $rem{$u}) = ($q, $r);
		$given->badd($q);
	}
	my $left = $pool->copy->babs->bsub($given);
	my @order = sort { $rem{$b} <=> $rem{$a} || $a cmp $b } @users;
	for my $i (0 .. $#order)
	{
		my $u = $order[$i];
		my $c = $floor{$u}->copy->badd($i < $left ? 1 : 0);
		$c->bneg if $pool < 0;
		push @want, join('|', $day, $key{$model}, $kind, $u, $shares{$u}[1], $t{$u}, sprintf('%.2f', $c->numify / 100));
	}
}
my @got = split /\n/, sql(q{SELECT usage_date, model_key, token_kind, user_key, team_key, tokens, billed_share
	FROM bedrock_cost.gateway_chargeback WHERE line = 'split'});
is(join("\n", sort @got), join("\n", sort @want),
	'the split per day, model, kind and user equals the largest-remainder split computed here (' . scalar(@want) . ' lines)');

# it adds up to the bill, per day, model and kind, and in all
is(sql(qq{SELECT count(*) FROM ($bill_q) AS b
	FULL JOIN (SELECT usage_date, model_key, token_kind, sum(billed_share) AS s
				 FROM bedrock_cost.gateway_chargeback WHERE line <> 'unmatched_log' GROUP BY 1, 2, 3) AS c
	  ON (c.usage_date, c.model_key, c.token_kind) = (b.usage_date, bedrock_cost.model_key(b.model), b.kind)
	WHERE c.s IS DISTINCT FROM b.cost AND c.token_kind IS DISTINCT FROM 'other'}),
	'0', 'per day, model and kind the lines add up to the billed cost exactly');
my ($other, $all) = split /\|/, sql(q{SELECT sum(cost - input_cost - output_cost - cache_read_cost - cache_write_cost), sum(cost)
	FROM bedrock_cost.chargeback_daily WHERE bedrock_cost.role_name(principal_arn::bedrock_cost.iam_arn) = 'LLMGatewayShared'});
cmp_ok($other, '>', 0, 'the gateway role also has usage of no token kind');
is(sql(qq{SELECT sum(billed_share) FILTER (WHERE token_kind = 'other') = $other, sum(billed_share) = $all
		   FROM bedrock_cost.gateway_chargeback}),
	't|t', "its usage of no token kind is unmatched, and all lines add up to the gateway role's billed cost ($all)");

# the unmatched lines are the noise, exactly
my ($skip_cost, $skip_tokens) = map { @$_[ 3, 4 ] } grep {
	$_->[0] eq $skip_day && $_->[1] eq $skip_model && $_->[2] eq $skip_kind
} @bill;
is(sql(q{SELECT string_agg(usage_date || ' ' || model_key || ' ' || token_kind || ' ' || tokens::bigint || ' ' || billed_share, ',')
		  FROM bedrock_cost.gateway_chargeback WHERE line = 'unmatched_bill' AND token_kind <> 'other'}),
	"$skip_day $key{$skip_model} $skip_kind $skip_tokens $skip_cost", 'the day and kind left out of the log is one unmatched bill line');
is(sql(q{SELECT string_agg(usage_date || ' ' || model_key || ' ' || token_kind || ' ' || user_key || ' ' || team_key || ' ' || tokens || ' ' || billed_share, ',')
		  FROM bedrock_cost.gateway_chargeback WHERE line = 'unmatched_log'}),
	"$last_day $key{$a_model} input ghost c 777 0", 'the day the bill has not reached is one unmatched log line');
is(sql(q{SELECT count(*) FROM bedrock_cost.gateway_chargeback WHERE line = 'split' AND tokens >= 1000000000}),
	'0', 'the failed request is not split');
cmp_ok(sql(q{SELECT count(*) FROM bedrock_cost.gateway_chargeback WHERE line = 'rounding' AND billed_share <> 0}),
	'>', 0, 'billed costs with sub-cent digits leave rounding lines');
is(sql(q{SELECT sum(billed_share) FROM bedrock_cost.gateway_chargeback WHERE line = 'rounding'}),
	sql(qq{SELECT sum(cost - round(cost, 2)) FROM ($bill_q) AS b
		   WHERE NOT (usage_date = '$skip_day' AND model = '$skip_model' AND kind = '$skip_kind')}),
	'the sub-cent residues are the rounding lines');

# the reconciliation: every fully logged day and model drifts by the 10% put in
is(sql(qq{SELECT string_agg(DISTINCT drift_percent::text, ',') FROM bedrock_cost.gateway_reconciliation AS r
		   WHERE billed_cost > 0 AND NOT (usage_date = '$skip_day' AND model_key = '$key{$skip_model}')}),
	'10.00', "the gateway's estimate drifts 10.00% from the bill");
is(sql(qq{SELECT logged_tokens || ' ' || billed_tokens FROM bedrock_cost.gateway_reconciliation
		   WHERE usage_date = '$last_day'}),
	'777 0', 'the day the bill has not reached: logged tokens, none billed');

# the reader role sees its team's lines only
sql(q{CREATE ROLE team_a LOGIN IN ROLE bedrock_cost_reader; CREATE ROLE nobody LOGIN IN ROLE bedrock_cost_reader;
	  INSERT INTO bedrock_cost.team_access VALUES ('team_a', 'gateway/team', 'a')});
is($node->safe_psql('postgres', 'SELECT string_agg(DISTINCT team_key, \',\') FROM bedrock_cost.bi_gateway_chargeback',
	extra_params => [ '-U', 'team_a' ]), 'a', "a team role sees its team's lines only");
is($node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.bi_gateway_chargeback',
	extra_params => [ '-U', 'nobody' ]), '0', 'a role without team_access sees nothing');

# registering: admins only, a readable relation with the format's columns
sql('GRANT USAGE ON SCHEMA gw TO team_a');
my ($rc, $out, $err) = $node->psql('postgres',
	"SELECT bedrock_cost.register_gateway('x', 'R', 'gw.requests', 'plain')", extra_params => [ '-U', 'team_a' ]);
like($err, qr/permission denied for function register_gateway/, 'a reader cannot register a gateway');
sql('CREATE TABLE gw.other (a int)');
($rc, $out, $err) = $node->psql('postgres', "SELECT bedrock_cost.register_gateway('x', 'R', 'gw.other', 'plain')");
like($err, qr/ERROR:  relation gw\.other is not a plain gateway log: column l\.request_time does not exist/,
	'a relation without the columns of its format is refused');
# a log is read with the rights of the role that registered it, as a
# security-restricted operation: a view's functions run as that role, a
# foreign table connects with that role's user mapping, and its code cannot
# take more (the extension's owner, a superuser, is never lent)
my $split_of = sub {
	my ($gw) = @_;
	return sql(qq{SELECT string_agg(concat_ws(' ', line, usage_date, model_key, token_kind, user_key, team_key,
		tokens, billed_share), ',' ORDER BY line, usage_date, model_key, token_kind, user_key)
		FROM bedrock_cost.gateway_chargeback WHERE gateway = '$gw'});
};
my $split_shared = $split_of->('shared');
sql(q{CREATE ROLE gwadmin LOGIN IN ROLE bedrock_cost_admin; GRANT USAGE ON SCHEMA gw TO gwadmin;
	  CREATE TABLE gw.seen (who name, superuser text); GRANT INSERT ON gw.seen TO gwadmin;
	  CREATE FUNCTION gw.seen_by() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
		BEGIN INSERT INTO gw.seen SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user;
			  RETURN true; END $$;
	  CREATE VIEW gw.requests_view AS SELECT r.* FROM gw.requests AS r WHERE gw.seen_by();
	  GRANT SELECT ON gw.requests, gw.requests_view TO gwadmin});
$node->safe_psql('postgres', "SELECT bedrock_cost.register_gateway('viewed', 'LLMGatewayShared', 'gw.requests_view', 'plain')",
	extra_params => [ '-U', 'gwadmin' ]);
sql('SELECT bedrock_cost.refresh_gateways()');
is($split_of->('viewed'), $split_shared, 'a view over the log splits the bill as the table does');
is(sql('SELECT string_agg(DISTINCT who || \' \' || superuser, \',\') FROM gw.seen'), 'gwadmin false',
	"the view's function ran as its registrant, not as the extension's owner");

# its code cannot take more: no superuser's rights, no state left behind
sql(q{CREATE FUNCTION gw.escalate() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
		BEGIN EXECUTE 'ALTER ROLE gwadmin SUPERUSER'; RETURN true; END $$;
	  CREATE FUNCTION gw.temp_table() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
		BEGIN EXECUTE 'CREATE TEMP TABLE kept (a int)'; RETURN true; END $$;
	  CREATE VIEW gw.requests_escalate AS SELECT r.* FROM gw.requests AS r WHERE gw.escalate();
	  CREATE VIEW gw.requests_restricted AS SELECT r.* FROM gw.requests AS r WHERE gw.temp_table();
	  GRANT SELECT ON gw.requests_escalate, gw.requests_restricted TO gwadmin});
$node->safe_psql('postgres', "SELECT bedrock_cost.register_gateway('escalate', 'LLMGatewayShared', 'gw.requests_escalate', 'plain')",
	extra_params => [ '-U', 'gwadmin' ]);
($rc, $out, $err) = $node->psql('postgres', 'SELECT bedrock_cost.refresh_gateways()');
like($err, qr/ERROR:  must be superuser to alter superuser roles/, "a view's function cannot use the owner's rights");
is(sql(q{SELECT rolsuper FROM pg_roles WHERE rolname = 'gwadmin'}), 'f', 'the registrant is no superuser after it');
$node->safe_psql('postgres', "SELECT bedrock_cost.register_gateway('escalate', 'LLMGatewayShared', 'gw.requests_restricted', 'plain')",
	extra_params => [ '-U', 'gwadmin' ]);
($rc, $out, $err) = $node->psql('postgres', 'SELECT bedrock_cost.refresh_gateways()');
like($err, qr/ERROR:  cannot create temporary table within security-restricted operation/,
	"a view's function runs as a security-restricted operation (it can leave no temporary object behind)");
sql(q{SELECT bedrock_cost.unregister_gateway('escalate')});

# a foreign table (postgres_fdw back into this database): the user mapping
# is the registrant's; the extension's owner has none
my ($host, $port) = ($node->host, $node->port);
sql(qq{CREATE EXTENSION postgres_fdw;
	  CREATE SERVER loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$host', port '$port', dbname 'postgres');
	  GRANT USAGE ON FOREIGN SERVER loopback TO gwadmin;
	  CREATE USER MAPPING FOR gwadmin SERVER loopback OPTIONS (user 'gwadmin', password_required 'false');
	  CREATE FOREIGN TABLE gw.requests_remote (request_time timestamptz, user_key text, team_key text,
		model text, input_tokens bigint, output_tokens bigint, cache_read_tokens bigint, cache_write_tokens bigint,
		status text, estimated_spend numeric) SERVER loopback OPTIONS (schema_name 'gw', table_name 'requests');
	  GRANT SELECT ON gw.requests_remote TO gwadmin});
($rc, $out, $err) = $node->psql('postgres', 'SELECT count(*) FROM gw.requests_remote');
like($err, qr/user mapping not found for "postgres"/, 'the extension\'s owner has no user mapping for the foreign log');
$node->safe_psql('postgres', "SELECT bedrock_cost.register_gateway('remote', 'LLMGatewayShared', 'gw.requests_remote', 'plain')",
	extra_params => [ '-U', 'gwadmin' ]);
is(sql('SELECT bedrock_cost.refresh_gateways()'), '3', 'the foreign log is read');
is($split_of->('remote'), $split_shared, "a foreign table read through the registrant's user mapping splits the bill as the table does");
is(sql(q{SELECT count(*) FROM bedrock_cost.gateway_log('remote')}), sql('SELECT count(*) FROM gw.requests'),
	'gateway_log reads the foreign log too');
sql(q{SELECT bedrock_cost.unregister_gateway('viewed'); SELECT bedrock_cost.unregister_gateway('remote');
	  REVOKE SELECT ON gw.requests FROM gwadmin});
($rc, $out, $err) = $node->psql('postgres', "SELECT bedrock_cost.register_gateway('x', 'R', 'gw.requests', 'plain')",
	extra_params => [ '-U', 'gwadmin' ]);
like($err, qr/permission denied to read gw\.requests/, 'an admin who cannot read the log cannot register it');
sql('GRANT SELECT ON gw.requests TO gwadmin');
$node->safe_psql('postgres', "SELECT bedrock_cost.register_gateway('x', 'R', 'gw.requests', 'plain')",
	extra_params => [ '-U', 'gwadmin' ]);
sql('REVOKE SELECT ON gw.requests FROM gwadmin');
($rc, $out, $err) = $node->psql('postgres', 'SELECT bedrock_cost.refresh_gateways()');
like($err, qr/role gwadmin that registered gateway x may no longer read gw\.requests/,
	'the log is read only while its registrant may read it');
sql("SELECT bedrock_cost.unregister_gateway('x')");
is(sql(q{SELECT string_agg(action || ' ' || object, ',' ORDER BY audit_id) FROM bedrock_cost.audit_log
		  WHERE action LIKE '%gateway'}),
	'register_gateway shared,register_gateway viewed,register_gateway escalate,register_gateway escalate,'
	  . 'unregister_gateway escalate,register_gateway remote,unregister_gateway viewed,unregister_gateway remote,'
	  . 'register_gateway x,unregister_gateway x',
	'registrations are audited');

# model names as gateways write them
is(sql(q{SELECT bedrock_cost.gateway_model_key('bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0') || ' '
			|| bedrock_cost.gateway_model_key('anthropic.claude-3-5-haiku-20241022-v1:0') || ' '
			|| bedrock_cost.gateway_model_key('bedrock/converse/Claude3.5Sonnet') || ' '
			|| bedrock_cost.gateway_model_key('anthropic.claude-3-5-sonnet-20241022-v2:0')}),
	'claude-3.5-sonnet claude-3.5-haiku claude-3.5-sonnet claude-3-5-sonnet-v2',
	"gateway model names map to the bill's model keys; a version 2 is not taken for version 1");

# LiteLLM's table, as the proxy creates it (the columns read)
sql(q{CREATE TABLE public."LiteLLM_SpendLogs" (request_id text PRIMARY KEY, "startTime" timestamp(3),
	"endTime" timestamp(3), model text, model_group text, custom_llm_provider text, prompt_tokens integer,
	completion_tokens integer, total_tokens integer, spend double precision, "user" text, end_user text,
	team_id text, api_key text, request_tags jsonb, metadata jsonb, status text, session_id text);
	INSERT INTO public."LiteLLM_SpendLogs" (request_id, "startTime", model, prompt_tokens, completion_tokens,
		spend, "user", end_user, team_id, api_key, metadata, status) VALUES
	('r1', '2026-04-03 23:59:59.5', 'bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0', 1500, 200, 0.0125,
	 'alice', '', 'team-1', 'h1', '{"usage_object": {"cache_read_input_tokens": 1000, "cache_creation_input_tokens": 100}}', 'success'),
	('r2', '2026-04-04 00:00:00', 'claude-3-5', 10, 5, 0.001, '', 'bob@example.com', NULL, 'h2', '{}', 'failure'),
	('r3', '2026-04-04 01:00:00', 'bedrock/x', 7, 3, 0.5, NULL, NULL, 't', 'h3', NULL, NULL)});
sql(q{SELECT bedrock_cost.register_gateway('litellm', 'LLMGatewayShared', '"LiteLLM_SpendLogs"', 'litellm')});
is(sql(q{SET TIME ZONE 'UTC'; SELECT request_time || '|' || user_key || '|' || coalesce(team_key, '-') || '|' || model || '|'
			|| input_tokens || '|' || output_tokens || '|' || cache_read_tokens || '|' || cache_write_tokens || '|'
			|| succeeded || '|' || estimated_spend
		   FROM bedrock_cost.gateway_log('litellm') ORDER BY request_time}),
	"2026-04-03 23:59:59.5+00|alice|team-1|bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0|400|200|1000|100|true|0.0125\n"
	  . "2026-04-04 00:00:00+00|bob\@example.com|-|claude-3-5|10|5|0|0|false|0.001\n"
	  . "2026-04-04 01:00:00+00|key:h3|t|bedrock/x|7|3|0|0|true|0.5",
	'the LiteLLM log: UTC start, user else end user else key, prompt tokens less the cache, failures marked');

# the texts _gateway_read runs as a registrant (built in SQL, so the C
# scanner of 066 cannot see them) qualify everything, as the C code's do
foreach my $f ([ 'plain', 'gw.requests' ], [ 'litellm', 'public."LiteLLM_SpendLogs"' ])
{
	foreach my $mode (qw(rows per_day probe))
	{
		my $text = sql(qq{SELECT bedrock_cost._gateway_query_sql('$f->[0]', '$f->[1]', '$mode')});
		like($text, qr/FROM \Q$f->[1]\E AS l/, "the $f->[0] $mode query reads $f->[1]");
		is(join('; ', sql_problems($text)), '', "the $f->[0] $mode query names every operator, type and function with its schema");
	}
}

# ---------------------------------------------------------------------
# the generator's own gateway log, shaped like "LiteLLM_SpendLogs" (model
# names three ways, a failed request a day, eve with no bill, an estimate 5%
# high), against the generator's ground truth of the split and the drift
sql(q{CREATE SCHEMA gwlite; CREATE TABLE gwlite."LiteLLM_SpendLogs" (request_id text PRIMARY KEY,
	"startTime" timestamp(3), model text, model_group text, prompt_tokens integer, completion_tokens integer,
	total_tokens integer, spend double precision, "user" text, end_user text, team_id text, api_key text,
	metadata jsonb, status text);
	CREATE TABLE gwlite.split_truth (line text, usage_date date, model text, token_kind text, user_key text,
	team_key text, tokens bigint, billed_share numeric);
	CREATE TABLE gwlite.drift_truth (usage_date date, model text, billed_cost numeric, estimated_spend numeric,
	drift_percent numeric)});
sql(qq{COPY gwlite."LiteLLM_SpendLogs" (request_id, "startTime", model, model_group, prompt_tokens,
	completion_tokens, total_tokens, spend, "user", end_user, team_id, api_key, metadata, status)
	FROM '$tmp/x/x/gateway/litellm_spend_logs-2026-04.csv' WITH (FORMAT csv, HEADER true)});
sql(qq{COPY gwlite.split_truth FROM '$tmp/x/x/ground_truth/gateway_split-2026-04.csv' WITH (FORMAT csv, HEADER true)});
sql(qq{COPY gwlite.drift_truth FROM '$tmp/x/x/ground_truth/gateway_drift-2026-04.csv' WITH (FORMAT csv, HEADER true)});
cmp_ok(sql(q{SELECT count(*) FROM gwlite."LiteLLM_SpendLogs" WHERE status = 'failure'}), '>', 0,
	'the generated log has failed requests');
is(sql(q{SELECT count(DISTINCT substring(model FROM '^(bedrock/converse/|bedrock/|)')) FROM gwlite."LiteLLM_SpendLogs"}),
	'3', 'it names the models three ways');
sql(q{SELECT bedrock_cost.register_gateway('generated', 'LLMGatewayShared', 'gwlite."LiteLLM_SpendLogs"', 'litellm')});
sql('SELECT bedrock_cost.refresh_gateways()');
my $truth_split = q{SELECT line, usage_date, bedrock_cost.model_key(model), token_kind, user_key, NULLIF(team_key, ''),
	tokens, billed_share FROM gwlite.split_truth};
my $got_split = q{SELECT line, usage_date, model_key, token_kind, user_key, team_key, tokens::bigint, billed_share
	FROM bedrock_cost.gateway_chargeback WHERE gateway = 'generated' AND line IN ('split', 'unmatched_log')};
is(sql("SELECT count(*) FROM (($truth_split) EXCEPT ALL ($got_split)) AS a") . ' '
	  . sql("SELECT count(*) FROM (($got_split) EXCEPT ALL ($truth_split)) AS b"),
	'0 0', 'the split of the generated log per user and team, and its unmatched lines, equal the generator\'s truth');
cmp_ok(sql('SELECT count(*) FROM gwlite.split_truth'), '>', 100, 'the truth has the lines (' . sql('SELECT count(*) FROM gwlite.split_truth') . ')');
is(sql(q{SELECT string_agg(user_key || ' ' || usage_date || ' ' || tokens::bigint, ',' ORDER BY tokens)
		  FROM bedrock_cost.gateway_chargeback WHERE gateway = 'generated' AND line = 'unmatched_log'}),
	sql(q{SELECT string_agg(user_key || ' ' || usage_date || ' ' || tokens, ',' ORDER BY tokens)
		  FROM gwlite.split_truth WHERE line = 'unmatched_log'}),
	'the unmatched log lines are exactly eve\'s requests on a day no bill covers');
is(sql(q{SELECT count(*) FROM gwlite.drift_truth AS t
		  FULL JOIN (SELECT * FROM bedrock_cost.gateway_reconciliation
					  WHERE gateway = 'generated' AND billed_cost <> 0) AS r
			ON (r.usage_date, r.model_key) = (t.usage_date, bedrock_cost.model_key(t.model))
		 WHERE r.drift_percent IS DISTINCT FROM t.drift_percent
			OR r.billed_cost IS DISTINCT FROM t.billed_cost OR r.estimated_spend IS DISTINCT FROM t.estimated_spend}),
	'0', 'the reconciliation\'s billed cost, estimate and drift equal the generator\'s, day by day and model by model');
is(sql(q{SELECT sum(billed_share) FROM bedrock_cost.gateway_chargeback WHERE gateway = 'generated'}),
	sql(q{SELECT sum(billed_share) FROM bedrock_cost.gateway_chargeback WHERE gateway = 'shared'}),
	'both logs split the same bill, all of it');

# one period at a time: refreshing May leaves April as it was (a line
# changed by hand stays changed) and gives May's lines again; refreshing
# April repairs it
my $may = q{SELECT string_agg(gateway || ' ' || line || ' ' || user_key || ' ' || tokens, ',' ORDER BY gateway, tokens)
	FROM bedrock_cost.gateway_chargeback WHERE billing_period = '2026-05-01'};
my $may_before = sql($may);
like($may_before, qr/eve/, 'May holds the unmatched requests of eve');
sql(q{UPDATE bedrock_cost.gateway_chargeback SET billed_share = billed_share + 1
	   WHERE gateway = 'generated' AND line = 'split' AND usage_date = (SELECT min(usage_date) FROM gwlite.split_truth)
		 AND user_key = 'alice'});
is(sql(q{SELECT bedrock_cost.refresh_gateways('2026-05-01')}), '3', 'a refresh of May alone');
is(sql($may), $may_before, 'gives May its lines again');
my $apr = q{SELECT count(*) FROM ((SELECT line, usage_date, bedrock_cost.model_key(model), token_kind, user_key,
	NULLIF(team_key, ''), tokens, billed_share FROM gwlite.split_truth WHERE usage_date < '2026-05-01')
	EXCEPT ALL (SELECT line, usage_date, model_key, token_kind, user_key, team_key, tokens::bigint, billed_share
	FROM bedrock_cost.gateway_chargeback WHERE gateway = 'generated' AND billing_period = '2026-04-01'
	AND line IN ('split', 'unmatched_log'))) AS x};
cmp_ok(sql($apr), '>', 0, 'and leaves the April lines changed by hand as they were');
sql(q{SELECT bedrock_cost.refresh_gateways('2026-04-15')});
is(sql($apr), '0', 'a refresh of April (any day of it) repairs them');

$node->stop;
done_testing();
