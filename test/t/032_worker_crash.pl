# 032_worker_crash.pl: the launcher is killed (kill -9) in the middle of a
# load (held mid-COPY by the test setting bedrock_cost.debug_pause_after_rows),
# and the server is restarted (immediate mode) after a restatement's
# summaries were swapped in but before it commits (held there, before the
# refresh, by the test setting bedrock_cost.debug_load_pause_ms, while a
# reader of line_items is not kept waiting); afterwards the data equals the ground
# truth, nothing is duplicated, no ledger row is left 'running', and the
# interrupted load was redone.  A corrupt delivery is
# recorded with its error and retried with backoff, the period keeps its
# previous data, and another export keeps loading meanwhile.
use strict;
use warnings;
use File::Path qw(make_path);
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir('exports');

# what line_items holds for one export, in the form of truth_by_period
sub loaded_sql
{
	my ($name) = @_;
	return "SELECT billing_period || '|' || count(*) || '|' || sum(unblended_cost)"
	  . " FROM bedrock_cost.line_items li JOIN bedrock_cost.exports e USING (export_id)"
	  . " WHERE e.export_name = '$name' GROUP BY billing_period ORDER BY billing_period";
}

sub loaded
{
	my ($name) = @_;
	return sql(loaded_sql($name));
}

my $node = cluster('crash', worker => 1, root => $root,
	settings => { 'bedrock_cost.poll_interval' => 1, restart_after_crash => 'on' }, extension => 1);
make_path("$root/acme/cur", "$root/beta/cur");
sql("SELECT bedrock_cost.add_export('acme', 'acme/cur')");

my $launcher_pid_q =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'bedrock_cost launcher'";
# the launcher, loading acme, held mid-COPY by bedrock_cost.debug_pause_after_rows
my $in_load = "a.backend_type = 'bedrock_cost launcher' AND a.query LIKE 'bedrock_cost: loading export \"acme\"%'";

# the test setting, given to the launcher through the server's configuration
sub pause_after_rows
{
	my ($rows) = @_;
	sql("ALTER SYSTEM SET bedrock_cost.debug_pause_after_rows = $rows");
	$node->reload;
	return;
}

my $init = gen_staged('init', qw(--rows 300 --periods 2 --restate --initial-only --chunk-rows 100 --seed 21));
my $full = gen_staged('full', qw(--rows 300 --periods 2 --restate --chunk-rows 100 --seed 21));

# ---------------------------------------------------------------------------
# kill -9 of the launcher while its load is in the middle of COPY
pause_after_rows(50);
wait_cycles(2);
is(sql('SHOW bedrock_cost.debug_pause_after_rows'), '50',
	'the pause is set in the server configuration');
deliver($init, "$root/acme/cur");
my $pid = wait_paused_load('postgres', $in_load);
is($pid, sql($launcher_pid_q), 'mid-load: the launcher is paused in COPY');
is(sql('SELECT count(*) FROM bedrock_cost.line_items'), '0',
	'mid-load: nothing visible yet');
ok(sql("SELECT loading_since IS NOT NULL FROM bedrock_cost.export_status WHERE export_name = 'acme'")
	  eq 't', 'mid-load: export_status shows the load running');
sql('ALTER SYSTEM RESET bedrock_cost.debug_pause_after_rows');
kill 'KILL', $pid or die "kill $pid: $!";
$node->reload;
$node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM bedrock_cost.export_deliveries WHERE status = 'loaded'")
  or die 'not loaded after the crash';
is(loaded('acme'), truth_by_period($init), 'after kill -9: data equals the ground truth');
is(sql("SELECT count(*) FROM bedrock_cost.loads WHERE status = 'running'"),
	'0', 'after kill -9: no ledger row left running');
is(sql("SELECT string_agg(billing_period || ':' || n, ',') FROM (SELECT billing_period, count(*) n"
		  . " FROM bedrock_cost.loads WHERE status = 'done' GROUP BY 1 ORDER BY 1) s"),
	'2026-04-01:1,2026-05-01:1', 'after kill -9: one current load per period');
like(sql("SELECT last_error FROM bedrock_cost.export_status WHERE export_name = 'acme'"),
	qr/^interrupted: /, 'the interrupted load was noticed, then redone');
isnt(sql($launcher_pid_q), $pid, 'a new launcher runs');

# ---------------------------------------------------------------------------
# immediate shutdown after the restatement was swapped in, before it
# commits: the launcher waits with its COPY done
sql('ALTER SYSTEM SET bedrock_cost.debug_load_pause_ms = 600000');
$node->reload;
wait_cycles(2);
deliver($full, "$root/acme/cur");
$node->poll_query_until('postgres', "SELECT count(*) = 1 FROM pg_stat_activity a WHERE $in_load"
	  . " AND a.wait_event_type = 'Extension'"
	  . " AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_copy p WHERE p.pid = a.pid)")
  or die 'restatement never paused before its commit';
is(sql("SELECT count(*) FROM bedrock_cost.loads WHERE status = 'superseded'"), '0',
	'before its commit: the restatement is invisible');
# the worker swaps the line items in after the refresh, last: paused before
# the refresh, it holds no lock on line_items yet, and a reader is not kept
# waiting (it would be for the whole refresh if the DETACH came first)
is($node->safe_psql('postgres', "SET lock_timeout = '2s'; " . loaded_sql('acme')),
	truth_by_period($init),
	'paused before the refresh: a reader of line_items is not kept waiting, and sees the current delivery');
sql('ALTER SYSTEM RESET bedrock_cost.debug_load_pause_ms');
$node->stop('immediate');
$node->start;
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM bedrock_cost.loads WHERE status = 'superseded'")
  or die 'restatement not loaded after the restart';
$node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM bedrock_cost.export_deliveries WHERE status = 'loaded'")
  or die 'deliveries not all loaded after the restart';
is(loaded('acme'), truth_by_period($full), 'after immediate restart: data equals the new ground truth');
is(sql("SELECT count(*) FROM bedrock_cost.loads WHERE status IN ('running', 'failed')"),
	'0', 'after immediate restart: no running or failed ledger row');

# ---------------------------------------------------------------------------
# a corrupt delivery of one export; another export keeps loading
my $good = gen_staged('good', qw(--rows 200 --periods 1 --start 2026-07 --seed 31));
my $bad = gen_staged('bad', qw(--rows 200 --periods 1 --start 2026-07 --seed 32 --fault bad-number));
$node->safe_psql('postgres', "SELECT bedrock_cost.add_export('beta', 'beta/cur')");
deliver($good, "$root/beta/cur");
$node->poll_query_until('postgres',
	"SELECT last_loaded_period = '2026-07-01' FROM bedrock_cost.export_status WHERE export_name = 'beta'")
  or die 'beta not loaded';
is(loaded('beta'), truth_by_period($good), 'beta loaded');

deliver($bad, "$root/beta/cur");
$node->poll_query_until('postgres',
	"SELECT failures >= 2 AND failed_deliveries = 1 AND next_attempt > last_error_at"
	  . " FROM bedrock_cost.export_status WHERE export_name = 'beta'")
  or die 'corrupt delivery not failed twice';
like($node->safe_psql('postgres',
		"SELECT last_error FROM bedrock_cost.export_status WHERE export_name = 'beta'"),
	qr/12\.3\.4e/, 'status shows the error naming the bad value');
is(loaded('beta'), truth_by_period($good), 'the period keeps its previous data');

# acme gets a new period meanwhile and loads it
my $more = gen_staged('more', qw(--rows 200 --periods 1 --start 2026-08 --seed 33));
deliver($more, "$root/acme/cur");
ok($node->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM bedrock_cost.line_items li JOIN bedrock_cost.exports e USING (export_id)"
		  . " WHERE e.export_name = 'acme' AND billing_period = '2026-08-01'"),
	'another export keeps loading while beta fails');

# resume_export clears the backoff; a fixed delivery then loads
deliver($good, "$root/beta/cur");
$node->safe_psql('postgres', "SELECT bedrock_cost.resume_export('beta')");
$node->poll_query_until('postgres',
	"SELECT failed_deliveries = 0 AND pending_deliveries = 0 FROM bedrock_cost.export_status"
	  . " WHERE export_name = 'beta'")
  or die 'fixed delivery not loaded';
is(loaded('beta'), truth_by_period($good), 'fixed delivery loaded');

$node->stop;
done_testing();
