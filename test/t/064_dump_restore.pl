# 064_dump_restore.pl: pg_dump -Fc / pg_restore keeps everything users keep.
# A database with two exports loaded by hand and one registered with the
# worker (poll_now), a restatement (history), a delivery with rejected rows,
# a failed delivery, cost basis, team_access, model_aliases, budgets (and the
# states they announced) and audit rows is
# dumped and restored into a new database as the same superuser; both tools
# exit 0 and print nothing; after bedrock_cost.after_restore() every table,
# view, materialized view and as-of answer is identical row for row; then
# loading goes on in the restored database (a new delivery restates a restored
# period with a load id above every restored one) and as-of answers for the
# old load ids.
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
my $node = cluster('dump', worker => 1, database => 'src', root => $root,
	settings => { 'bedrock_cost.enabled' => 'off' });
$node->safe_psql('postgres', 'CREATE DATABASE src');

sub load
{
	my ($db, $path, $set) = @_;
	return sql_db($db, ($set // '') . "SELECT string_agg(status, ',' ORDER BY billing_period, load_id) "
		  . "FROM bedrock_cost.load_export('$path')");
}

# ---------------------------------------------------------------------
# the source database
sql_db('src', 'CREATE EXTENSION bedrock_cost');
sql_db('src', q{
	INSERT INTO bedrock_cost.team_access VALUES ('lead_ds', 'iamPrincipal/team', 'ds'), ('bi', '*', '*');
	INSERT INTO bedrock_cost.model_aliases (alias, model_key, note) VALUES ('MyFineTune-7B', 'my-finetune', 'ours');
	INSERT INTO bedrock_cost.budgets (name, scope, monthly_amount, warning_percent)
	VALUES ('whole bill', 'bill', 1, 50), ('roomy', 'bill', 1000000000, 80);
});

# acme: first deliveries, then April restated (history)
my @acme = ('--rows', '1500', '--periods', '2', '--seed', '11', '--restate', '--chunk-rows', '600');
my $acme = gen('--out', $root, '--export', 'acme', @acme, '--initial-only');
is(load('src', $acme), 'done,done', 'acme: two periods loaded');
sql_db('src', "SELECT bedrock_cost.set_cost_basis('net_unblended')");
gen('--out', $root, '--export', 'acme', @acme);
is(load('src', $acme), 'done,noop', 'acme: April restated');

# beta: loaded, then May again with a rejected row, then a failed delivery
my @beta = ('--rows', '1200', '--periods', '2', '--seed', '21', '--chunk-rows', '500');
my $beta = gen('--out', $root, '--export', 'beta', @beta);
is(load('src', $beta), 'done,done', 'beta: two periods loaded');
gen('--out', $root, '--export', 'beta', @beta, '--fault', 'bad-number');
is(load('src', $beta, 'SET bedrock_cost.max_rejected_rows = 5; '), 'noop,done',
	'beta: May again with a rejected row');
gen('--out', $root, '--export', 'beta', @beta, '--fault', 'truncated-gzip');
is(load('src', $beta), 'noop,failed', 'beta: a failed delivery');

# gamma: registered with the worker, loaded by poll_now, paused and resumed
gen('--out', $root, '--export', 'gamma', '--rows', '400', '--periods', '1', '--seed', '31');
sql_db('src', "SELECT bedrock_cost.add_export('gamma', 'gamma')");
sql_db('src', 'SELECT bedrock_cost.poll_now()');
is(sql_db('src', 'SELECT bedrock_cost.poll_now()'), '1', 'gamma: loaded by poll_now');
sql_db('src', "SELECT bedrock_cost.pause_export('gamma'); SELECT bedrock_cost.resume_export('gamma')");
sql_db('src', 'SELECT bedrock_cost.refresh_chargeback()');

is(sql_db('src', q{SELECT string_agg(status || ':' || n, ' ' ORDER BY status)
				  FROM (SELECT status, count(*) AS n FROM bedrock_cost.loads GROUP BY 1) s}),
	'done:5 failed:1 noop:3 superseded:2', 'the source ledger');
is(sql_db('src', 'SELECT sum(rows_rejected) FROM bedrock_cost.loads'), '1', 'one rejected row');
is(sql_db('src', q{SELECT string_agg(action, ',' ORDER BY audit_id) FROM bedrock_cost.audit_log}),
	'insert,insert,insert,insert,insert,insert,add_export,pause_export,resume_export', 'the source audit log');
is(sql_db('src', q{SELECT string_agg(name || ':' || state, ',' ORDER BY name, billing_period) FROM bedrock_cost.budget_state}),
	'whole bill:over,whole bill:over,whole bill:over,whole bill:over,whole bill:over',
	'the source announced its budget states, per period and export (budget_state)');

# ---------------------------------------------------------------------
# dump, restore into a new database as the same superuser
my $dump = $node->basedir . '/src.dump';
my ($out, $err) = ('', '');
my $ok = IPC::Run::run([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('src') ], '>', \$out, '2>', \$err);
ok($ok, 'pg_dump exits 0');
is($err, '', 'pg_dump prints nothing on stderr');
sql_db('postgres', 'CREATE DATABASE dst');
($out, $err) = ('', '');
$ok = IPC::Run::run([ 'pg_restore', '-d', $node->connstr('dst'), $dump ], '>', \$out, '2>', \$err);
ok($ok, 'pg_restore exits 0');
is($err, '', 'pg_restore prints nothing on stderr (no error)');

# materialized views are not dumped with data: empty until after_restore()
is(sql_db('dst', 'SELECT count(*) FROM bedrock_cost.chargeback_by_principal'), '0',
	'the chargeback views are empty before after_restore()');
# after_restore() recomputes every period in a session that listens: the
# budget states were kept, so nothing is announced again
my $summary = sql_db('dst', 'LISTEN bedrock_cost_budget; SELECT bedrock_cost.after_restore()');
unlike($summary, qr/Asynchronous notification/, 'after_restore() announces no budget state again');
($summary) = $summary =~ /^(\{.*\})$/m;
is(sql_db('dst', qq{SELECT j ->> 'database', j ->> 'loads', j ->> 'deliveries_checked',
					   (j ->> 'max_load_id')::bigint = (SELECT max(load_id) FROM bedrock_cost.loads),
					   (j ->> 'line_items')::bigint = (SELECT count(*) FROM bedrock_cost.line_items),
					   (j ->> 'line_items_history')::bigint = (SELECT count(*) FROM bedrock_cost.line_items_history)
				  FROM (SELECT '$summary'::jsonb AS j) s}),
	'dst|11|7|t|t|t', 'after_restore() checked the seven kept deliveries and reports what it found');

# ---------------------------------------------------------------------
# everything identical
my ($kept, $asof) = kept_state('src');
my %queries = %$kept;
$queries{'audit_log (before the restore)'} = table_snapshot("(SELECT * FROM bedrock_cost.audit_log WHERE action <> 'restore')");
# (the audit log's sequence moved on by the restore's own row, checked below)
my @asof = @$asof;
for my $name (sort keys %queries)
{
	my $src = sql_db('src', $queries{$name});
	is(sql_db('dst', $queries{$name}), $src, "restored $name is identical");
}
cmp_ok(scalar(@asof), '==', 7, 'as-of compared for seven loads');
for my $check ('bedrock_cost.line_items', 'bedrock_cost.line_items_history', 'bedrock_cost.load_errors',
	'bedrock_cost.export_deliveries', 'bedrock_cost.chargeback_allocated', 'bedrock_cost.audit_log')
{
	cmp_ok(sql_db('src', "SELECT count(*) FROM $check"), '>', 0, "$check has rows to compare");
}
is(sql_db('dst', 'SELECT count(*) FROM bedrock_cost.reconciliation WHERE difference <> 0 OR net_difference <> 0 '
	  . 'OR chargeback_difference <> 0'), '0', 'the restored reconciliation has no difference');
is(sql_db('dst', q{SELECT action || ' ' || object || ' ' || (new_value ->> 'loads') FROM bedrock_cost.audit_log
				 WHERE audit_id > (SELECT max(audit_id) FROM bedrock_cost.audit_log WHERE action <> 'restore')}),
	'restore dst 11', 'the restore is the one new audit row');
is(sql_db('dst', 'SELECT last_value FROM bedrock_cost.audit_log_audit_id_seq'),
	sql_db('src', 'SELECT last_value + 1 FROM bedrock_cost.audit_log_audit_id_seq'),
	'the audit log goes on after the restored rows');

# ---------------------------------------------------------------------
# loading goes on: beta's two periods restated by new deliveries
my $max = sql_db('dst', 'SELECT max(load_id) FROM bedrock_cost.loads');
gen('--out', $root, '--export', 'beta', @beta[0 .. 3], '--seed', '22', '--chunk-rows', '500');
is(load('dst', $beta), 'done,done', 'a new delivery loads into the restored database');
is(sql_db('dst', "SELECT count(*) FROM bedrock_cost.loads WHERE load_id > $max AND status = 'done'"), '2',
	'with new load ids above every restored one');
is(sql_db('dst', "SELECT count(*) FROM bedrock_cost.loads WHERE load_id <= $max AND superseded_by > $max"), '2',
	'the restored deliveries of beta are superseded by them');
is(sql_db('dst', 'SELECT count(*) FROM bedrock_cost.reconciliation WHERE difference <> 0 OR net_difference <> 0'),
	'0', 'the new deliveries reconcile');
my $first = $asof[0];
is(sql_db('dst', table_snapshot("bedrock_cost.chargeback_by_principal_as_of($first)")),
	sql_db('src', table_snapshot("bedrock_cost.chargeback_by_principal_as_of($first)")),
	"as of the first load ($first) the restored database answers as the source did");
cmp_ok(sql_db('dst', "SELECT count(*) FROM bedrock_cost.chargeback_by_principal_as_of($first)"), '>', 0,
	'and the answer has rows');

# after_restore() refuses a ledger that does not match the tables
sql_db('dst', "ALTER TABLE bedrock_cost.line_items_history DETACH PARTITION bedrock_cost.line_items_l$first");
my ($rc, $o, $e) = $node->psql('dst', 'SELECT bedrock_cost.after_restore()');
like($e, qr/ERROR:  the restored ledger does not match the restored delivery tables\nDETAIL:  load $first \(superseded\): table line_items_l$first is missing or not attached/,
	'after_restore() names a delivery table that is not attached');
sql_db('dst', "ALTER TABLE bedrock_cost.line_items_history ATTACH PARTITION bedrock_cost.line_items_l$first FOR VALUES IN ($first)");
# the period summary of a current delivery too
my $current = sql_db('dst', "SELECT min(load_id) FROM bedrock_cost.loads WHERE status = 'done'");
sql_db('dst', "ALTER TABLE bedrock_cost.usage_period DETACH PARTITION bedrock_cost.usage_period_l$current");
($rc, $o, $e) = $node->psql('dst', 'SELECT bedrock_cost.after_restore()');
like($e, qr/ERROR:  the restored ledger does not match the restored delivery tables\nDETAIL:  load $current \(done\): period summary table usage_period_l$current is missing or not attached$/m,
	'after_restore() names a period summary table that is not attached');
sql_db('dst', qq{DO \$\$ DECLARE l bedrock_cost.loads; BEGIN
	SELECT * INTO l FROM bedrock_cost.loads WHERE load_id = $current;
	EXECUTE format('ALTER TABLE bedrock_cost.usage_period ATTACH PARTITION bedrock_cost.usage_period_l$current '
				   'FOR VALUES FROM (%L, %s) TO (%L, %s)', l.billing_period, l.export_id, l.billing_period, l.export_id + 1);
	END \$\$});
# a model-day summary that lost rows
sql_db('dst', "DELETE FROM bedrock_cost.usage_daily_l$current WHERE ctid = (SELECT min(ctid) FROM bedrock_cost.usage_daily_l$current)");
my $left = sql_db('dst', "SELECT sum(line_items) FROM bedrock_cost.usage_daily_l$current");
my $loaded = sql_db('dst', "SELECT rows_loaded FROM bedrock_cost.loads WHERE load_id = $current");
($rc, $o, $e) = $node->psql('dst', 'SELECT bedrock_cost.after_restore()');
like($e, qr/DETAIL:  load $current: model-day summary table usage_daily_l$current sums $left rows, the ledger says $loaded$/m,
	'after_restore() names a model-day summary table that does not sum the rows loaded');
cmp_ok($left, '<', $loaded, 'the row deleted held line items');
# and only superusers run it: EXECUTE is not granted (80_security.sql), and
# the function checks it again should it be granted
sql_db('dst', 'CREATE ROLE adm IN ROLE bedrock_cost_admin');
($rc, $o, $e) = $node->psql('dst', 'SET ROLE adm; SELECT bedrock_cost.after_restore()');
like($e, qr/ERROR:  permission denied for function after_restore/,
	'only superusers may execute after_restore()');
sql_db('dst', 'GRANT EXECUTE ON FUNCTION bedrock_cost.after_restore() TO adm');
($rc, $o, $e) = $node->psql('dst', 'SET ROLE adm; SELECT bedrock_cost.after_restore()');
like($e, qr/only superusers may run bedrock_cost\.after_restore\(\)/,
	'granted EXECUTE, a non-superuser is still refused');

# the restored database keeps its guard: a plain DROP EXTENSION refuses
is(sql_db('dst', q{SELECT count(*) FROM pg_depend WHERE objid = 'bedrock_cost.loaded_data'::regclass
				 AND refclassid = 'pg_extension'::regclass}), '0',
	'loaded_data is restored, and not as a member of the extension');
($rc, $o, $e) = $node->psql('dst', 'DROP EXTENSION bedrock_cost');
like($e, qr/ERROR:  cannot drop extension bedrock_cost because other objects depend on it\nDETAIL:  view bedrock_cost\.loaded_data depends on table bedrock_cost\.loads/,
	'DROP EXTENSION without CASCADE refuses in the restored database');
is(sql_db('dst', 'SELECT count(*) > 0 FROM bedrock_cost.line_items'), 't', 'and the line items are still there');

$node->stop;
done_testing();
