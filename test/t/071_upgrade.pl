# 071_upgrade.pl: ALTER EXTENSION bedrock_cost UPDATE from the released 0.1.0
# keeps everything users keep and gives the schema of a fresh install.
# A database created at 0.1.0 gets two exports (a restatement in history, one
# export registered with the worker and loaded by poll_now), settings, team
# access, a model alias and budgets, and is refreshed.  After the update:
# the version is the control file's; every table, view, materialized view and
# as-of answer is identical to before the update, and again after the
# chargeback is recomputed; the schema (test/t/schema_fingerprint.sql) equals
# a fresh install's, and differed before in exactly the objects the upgrade
# script changes; a new delivery loads and equals the generator's ground
# truth; pg_dump / pg_restore of the updated database keeps it all.
use strict;
use warnings;
use IPC::Run;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir('exports');
my $node = cluster('upgrade', worker => 1, database => 'old', root => $root,
	settings => { 'bedrock_cost.enabled' => 'off' });

sub load
{
	my ($db, $path) = @_;
	return sql_db($db, "SELECT string_agg(status, ',' ORDER BY billing_period, load_id) "
		  . "FROM bedrock_cost.load_export('$path')");
}

# the version the build installs: default_version of the control file
my $control = sql("SELECT default_version FROM pg_available_extensions WHERE name = 'bedrock_cost'");
my $fingerprint_sql = slurp_file("$FindBin::RealBin/schema_fingerprint.sql");

# ---------------------------------------------------------------------
# a database at 0.1.0, with data
sql('CREATE DATABASE old');
sql_db('old', "CREATE EXTENSION bedrock_cost VERSION '0.1.0'");
is(sql_db('old', "SELECT extversion || ' ' || bedrock_cost.version() FROM pg_extension WHERE extname = 'bedrock_cost'"),
	'0.1.0 0.1.0', 'the released 0.1.0 installs');
isnt($control, '0.1.0', "the build's version ($control) is not 0.1.0");
sql_db('old', q{
	INSERT INTO bedrock_cost.team_access VALUES ('lead_ds', 'iamPrincipal/team', 'ds'), ('bi', '*', '*');
	INSERT INTO bedrock_cost.model_aliases (alias, model_key, note) VALUES ('MyFineTune-7B', 'my-finetune', 'ours');
	INSERT INTO bedrock_cost.budgets (name, scope, monthly_amount, warning_percent)
	VALUES ('whole bill', 'bill', 1, 50), ('roomy', 'bill', 1000000000, 80);
});
my @acme = ('--rows', '1500', '--periods', '2', '--seed', '41', '--restate', '--chunk-rows', '600');
my $acme = gen('--out', $root, '--export', 'acme', @acme, '--initial-only');
is(load('old', $acme), 'done,done', 'acme: two periods loaded at 0.1.0');
sql_db('old', "SELECT bedrock_cost.set_cost_basis('net_unblended')");
sql_db('old', 'SELECT bedrock_cost.set_spike_thresholds(2, 5, 1000)');
gen('--out', $root, '--export', 'acme', @acme);
is(load('old', $acme), 'done,noop', 'acme: April restated at 0.1.0');
gen('--out', $root, '--export', 'gamma', '--rows', '400', '--periods', '1', '--seed', '51');
sql_db('old', "SELECT bedrock_cost.add_export('gamma', 'gamma')");
sql_db('old', 'SELECT bedrock_cost.poll_now()');
is(sql_db('old', 'SELECT bedrock_cost.poll_now()'), '1', 'gamma: loaded by poll_now at 0.1.0');
# the client API at 0.1.0 with this library: summarised by SQL, which 0.1.0's
# loads.summary_via admits (it has no 'stored')
my ($api_rc, $api_out, $api_err) = client_api_load('old', $acme, '2026-06', 'api-old', '0.03',
	[ '0.01', '1', '1000' ], [ '0.02', '2', '2000' ]);
is($api_rc, 0, 'a client API delivery at 0.1.0') or diag($api_err);
is(sql_db('old', q{SELECT status || ' ' || summary_via || ' ' || summary_rows FROM bedrock_cost.loads
				   WHERE billing_period = '2026-06-01'}), 'done sql 1', 'summarised by SQL at 0.1.0');
# restore_load at 0.1.0 with this library: 0.1.0's _prepare_restore
# summarises by SQL, and the library does not again
my $apr_first = sql_db('old', q{SELECT min(load_id) FROM bedrock_cost.loads
								 WHERE billing_period = '2026-04-01' AND status = 'superseded'});
my $restored = sql_db('old', "SELECT bedrock_cost.restore_load($apr_first)");
is(sql_db('old', "SELECT status || ' ' || summary_via || ' ' || (summary_rows = (SELECT summary_rows "
		  . "FROM bedrock_cost.loads WHERE load_id = $apr_first)) FROM bedrock_cost.loads WHERE load_id = $restored"),
	'done sql true', 'restore_load at 0.1.0: summarised by SQL, as many summary rows as the original');
sql_db('old', 'SELECT bedrock_cost.refresh_chargeback()');
is(sql_db('old', q{SELECT string_agg(status || ':' || n, ' ' ORDER BY status)
				  FROM (SELECT status, count(*) AS n FROM bedrock_cost.loads GROUP BY 1) s}),
	'done:4 noop:1 superseded:2', 'the 0.1.0 ledger');

# ---------------------------------------------------------------------
# what users keep, as text; current_loads gains a last column, cost_basis,
# in 0.2.0: the rest of it is kept
my ($kept) = kept_state('old');
my %queries = %$kept;
delete $queries{'bedrock_cost.current_loads'};
$queries{'current_loads (but cost_basis)'} =
  table_snapshot("(SELECT to_jsonb(c) - 'cost_basis' FROM bedrock_cost.current_loads c)");
$queries{'bedrock_cost.audit_log'} = table_snapshot('bedrock_cost.audit_log');
my %before = map { ($_ => sql_db('old', $queries{$_})) } keys %queries;
# usage_daily is kept at chargeback_daily's grain in 0.2.0: after the update
# it holds 0.1.0's rows grouped so, in plain SQL here
delete $queries{'bedrock_cost.usage_daily'};
delete $before{'bedrock_cost.usage_daily'};
my @kinds = ('input', 'output', 'cache_read', 'cache_write');
my $daily_0_1_0 = 'SELECT load_id, usage_date, payer_account_id, usage_account_id, '
  . "CASE WHEN principal IS NOT NULL THEN 'attributed' "
  . "WHEN line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') THEN 'unattributed' "
  . "ELSE 'account_level' END, principal::text, tags, model, sum(line_items)::bigint, sum(unblended_cost), "
  . 'sum(net_unblended_cost), '
  . join(', ',
	(map { "sum(tokens) FILTER (WHERE token_kind = '$_')" } @kinds),
	(map { "sum(unblended_cost) FILTER (WHERE token_kind = '$_')" } @kinds),
	(map { "sum(net_unblended_cost) FILTER (WHERE token_kind = '$_')" } @kinds))
  . ' FROM bedrock_cost.usage_daily GROUP BY 1, 2, 3, 4, 5, 6, 7, 8';
my $daily_0_2_0 = 'SELECT load_id, usage_date, payer_account_id, usage_account_id, attribution, '
  . 'principal::text, tags, model, line_items, unblended_cost, net_unblended_cost, '
  . join(', ', (map { "${_}_tokens" } @kinds), (map { "${_}_unblended_cost" } @kinds),
	(map { "${_}_net_unblended_cost" } @kinds))
  . ' FROM bedrock_cost.usage_daily';
$before{'usage_daily at the grain of chargeback_daily'} = sql_db('old', table_snapshot("($daily_0_1_0)"));
$queries{'usage_daily at the grain of chargeback_daily'} = table_snapshot("($daily_0_2_0)");
for my $check ('bedrock_cost.line_items_history', 'bedrock_cost.chargeback_allocated', 'bedrock_cost.spikes',
	'bedrock_cost.budget_state', 'bedrock_cost.export_state')
{
	cmp_ok(sql_db('old', "SELECT count(*) FROM $check"), '>', 0, "0.1.0: $check has rows to compare");
}
# spikes: 0.2.0 counts the days of a month without a current delivery of
# the export as unknown, not as days without usage, and judges no day with
# fewer than 7 known days before it.  A day whose 14 days before are all
# in loaded months (from the 15th, or with the month before loaded) is
# judged as 0.1.0 judged it
my $prev_loaded = "EXISTS (SELECT 1 FROM bedrock_cost.loads AS l WHERE l.export_id = s.export_id "
  . "AND l.status = 'done' AND l.billing_period = (s.billing_period - interval '1 month')::date)";
my $full_window = "(SELECT s.* FROM bedrock_cost.spikes AS s WHERE s.usage_date >= s.billing_period + 14 OR $prev_loaded)";
my $unjudged = "SELECT count(*) FROM bedrock_cost.spikes AS s WHERE NOT $prev_loaded AND s.usage_date < s.billing_period + 7";
my $spikes_full_before = sql_db('old', table_snapshot($full_window));
cmp_ok((split / /, $spikes_full_before)[0], '>', 0, '0.1.0: spikes on days with 14 known days before');
cmp_ok(sql_db('old', $unjudged), '>', 0, '0.1.0: spikes in the first week of a month whose month before is not loaded');
my $fp_old = sql_db('old', $fingerprint_sql);

# ---------------------------------------------------------------------
# the update
sql_db('old', 'ALTER EXTENSION bedrock_cost UPDATE');
is(sql_db('old', "SELECT extversion || ' ' || bedrock_cost.version() FROM pg_extension WHERE extname = 'bedrock_cost'"),
	"$control $control", "updated to the control file's version");
for my $name (sort keys %queries)
{
	is(sql_db('old', $queries{$name}), $before{$name}, "after the update: $name is identical");
}
is(sql_db('old', 'SELECT count(*), count(*) FILTER (WHERE c.cost_basis = l.cost_basis) '
	  . 'FROM bedrock_cost.current_loads c JOIN bedrock_cost.loads l USING (load_id)'),
	'4|4', 'current_loads shows each delivery\'s cost basis');

# the version is an input of every period: the refresh recomputes them all,
# to the same numbers
sql_db('old', 'SELECT bedrock_cost.refresh_chargeback()');
for my $name (sort keys %queries)
{
	next if $name eq 'bedrock_cost.audit_log';
	next if $name eq 'bedrock_cost.spikes' || $name eq 'bedrock_cost.bi_spikes';
	is(sql_db('old', $queries{$name}), $before{$name}, "recomputed: $name is identical");
}
is(sql_db('old', table_snapshot($full_window)), $spikes_full_before,
	'recomputed: the spikes of days with 14 known days before are identical');
is(sql_db('old', $unjudged), '0', 'recomputed: none in the first week of a month whose month before is not loaded');

# ---------------------------------------------------------------------
# the schema: a fresh install's, and it was not before
sql('CREATE DATABASE fresh');
sql_db('fresh', 'CREATE EXTENSION bedrock_cost');
my $fp_fresh = sql_db('fresh', $fingerprint_sql);
my $fp_new = sql_db('old', $fingerprint_sql);
cmp_ok(scalar(split /\n/, $fp_fresh), '>', 1500, 'the fingerprint describes the whole schema');
my %in_fresh = map { ($_ => 1) } split /\n/, $fp_fresh;
my %in_new = map { ($_ => 1) } split /\n/, $fp_new;
is(join("\n", grep { !$in_fresh{$_} } sort keys %in_new), '', 'updated: nothing a fresh install lacks');
is(join("\n", grep { !$in_new{$_} } sort keys %in_fresh), '', 'updated: nothing missing that a fresh install has');
is($fp_new, $fp_fresh, 'the updated schema is a fresh install\'s, line for line');
# what the upgrade script changed (so this comparison can fail)
my %in_old = map { ($_ => 1) } split /\n/, $fp_old;
my %changed;
for my $line (grep { !$in_old{$_} } keys %in_fresh)
{
	my ($kind, $name) = $line =~ /^member (\w+) (\S+)/ ? ($1, $2) : $line =~ /^(\w+) (\S+)/;
	$name =~ s/\(.*//;
	$changed{"$kind $name"} = 1;
}
is(join(', ', sort keys %changed),
	'column bedrock_cost.current_loads, column bedrock_cost.loads, column bedrock_cost.usage_daily, '
	  . 'column bedrock_cost.usage_daily_template, constraint bedrock_cost.loads, '
	  . 'function bedrock_cost._bi_focus_view, function bedrock_cost._chargeback_allocated_insert, '
	  . 'function bedrock_cost._chargeback_base_insert, function bedrock_cost._chargeback_by_principal_insert, '
	  . 'function bedrock_cost._chargeback_by_resource_insert, function bedrock_cost._chargeback_by_tag_insert, '
	  . 'function bedrock_cost._chargeback_daily_insert, '
	  . 'function bedrock_cost._chargeback_inputs, function bedrock_cost._chargeback_usage_types_insert, '
	  . 'function bedrock_cost._clear_daily, '
	  . 'function bedrock_cost._create_load_table, function bedrock_cost._focus_period, '
	  . 'function bedrock_cost._gateway_log_sql, function bedrock_cost._index_summaries, '
	  . 'function bedrock_cost._keep_loaded_data, '
	  . 'function bedrock_cost._prepare_restore, function bedrock_cost._rebuild_daily, '
	  . 'function bedrock_cost._spike_days, function bedrock_cost._spikes_insert, function bedrock_cost._spikes_rows, '
	  . 'function bedrock_cost._summarize_daily, function bedrock_cost._swap_in, function bedrock_cost._swap_in_line_items, '
	  . 'function bedrock_cost._swap_in_summaries, function bedrock_cost._team_model_mix_insert, '
	  . 'function bedrock_cost._usage_by_model_insert, function bedrock_cost._usage_profile_insert, '
	  . 'function bedrock_cost.distribute, function bedrock_cost.load_export, function bedrock_cost.refresh_chargeback, '
	  . 'function bedrock_cost.version, '
	  . 'index bedrock_cost.chargeback_base, index bedrock_cost.chargeback_daily, '
	  . 'rel bedrock_cost.current_loads, rel bedrock_cost.usage_daily, table bedrock_cost.usage_daily',
	'0.1.0 differed from a fresh install in the objects the upgrade script changes');

# ---------------------------------------------------------------------
# loading goes on: a new export, equal to the generator's ground truth
my $beta = gen('--out', $root, '--export', 'beta', '--rows', '900', '--periods', '2', '--seed', '61', '--chunk-rows', '400');
is(load('old', $beta), 'done,done', 'a new delivery loads after the update');
is(sql_db('old', "SELECT string_agg(l.billing_period || '|' || count || '|' || sum, E'\\n' ORDER BY l.billing_period) "
	  . "FROM (SELECT billing_period, count(*), sum(unblended_cost) FROM bedrock_cost.line_items "
	  . "WHERE export_id = (SELECT export_id FROM bedrock_cost.exports WHERE path = '$beta') GROUP BY 1) l"),
	truth_by_period($beta), 'its rows and cost equal the ground truth');
is(sql_db('old', 'SELECT count(*) FROM bedrock_cost.reconciliation WHERE difference <> 0 OR net_difference <> 0'),
	'0', 'every delivery reconciles after the update');

# ---------------------------------------------------------------------
# pg_dump / pg_restore of the updated database
sql_db('old', 'SELECT bedrock_cost.refresh_chargeback()');
my $dump = $node->basedir . '/old.dump';
my ($out, $err) = ('', '');
ok(IPC::Run::run([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('old') ], '>', \$out, '2>', \$err),
	'pg_dump of the updated database exits 0');
is($err, '', 'pg_dump prints nothing on stderr');
sql('CREATE DATABASE restored');
ok(IPC::Run::run([ 'pg_restore', '-d', $node->connstr('restored'), $dump ], '>', \$out, '2>', \$err),
	'pg_restore exits 0');
is($err, '', 'pg_restore prints nothing on stderr');
sql_db('restored', 'SELECT bedrock_cost.after_restore()');
is(sql_db('restored', $fingerprint_sql), $fp_fresh, 'the restored schema is a fresh install\'s');
for my $name (sort keys %queries)
{
	next if $name eq 'bedrock_cost.audit_log';
	is(sql_db('restored', $queries{$name}), sql_db('old', $queries{$name}), "restored: $name is identical");
}

$node->stop;
done_testing();
