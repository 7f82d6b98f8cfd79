# 033_worker_poll_now.pl: bedrock_cost.poll_now() runs the worker's poll in
# the calling session (the launcher is disabled here).  The chargeback
# refresh hook bedrock_cost.refresh_chargeback(), when it exists, runs in
# the load's own transaction and sees the new delivery's summaries, before
# its line items are swapped in (last, so that readers of line_items do not
# wait for the refresh); when it fails, the load is rolled back with it.
# Two deliveries of one period found by one poll are both swapped in, in
# order; when the line items' step cannot lock line_items, the whole load
# is rolled back and recorded as failed.  A data file that is a symbolic link leaving export_root is
# refused.
use strict;
use warnings;
use File::Copy qw(copy);
use File::Path qw(make_path);
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir('exports');
my $outside = PostgreSQL::Test::Utils::tempdir('outside');

my $node = cluster('pollnow', worker => 1, root => $root, settings => { 'bedrock_cost.enabled' => 'off' });
$node->safe_psql('postgres', q{
CREATE EXTENSION bedrock_cost;
CREATE TABLE public.refresh_log (xid bigint, summarised bigint, line_items bigint);
CREATE OR REPLACE FUNCTION bedrock_cost.refresh_chargeback() RETURNS void LANGUAGE sql
  AS $$ INSERT INTO public.refresh_log
        SELECT pg_catalog.txid_current(),
               (SELECT sum(p.line_items) FROM bedrock_cost.usage_period AS p),
               (SELECT count(*) FROM bedrock_cost.line_items) $$;
});
make_path("$root/acme/cur");
$node->safe_psql('postgres', "SELECT bedrock_cost.add_export('acme', 'acme/cur')");

my $v1 = gen_staged('v1', qw(--rows 200 --periods 1 --seed 41));
my $v2 = gen_staged('v2', qw(--rows 250 --periods 1 --seed 42));
deliver($v1, "$root/acme/cur", replace => 1);

is($node->safe_psql('postgres', 'SELECT bedrock_cost.poll_now()'), '0',
	'first poll: the delivery is new, it settles');
is($node->safe_psql('postgres', 'SELECT status FROM bedrock_cost.export_deliveries'),
	'settling', 'status settling');
is($node->safe_psql('postgres', 'SELECT bedrock_cost.poll_now()'), '1',
	'second poll: unchanged, loaded');
is($node->safe_psql('postgres', 'SELECT bedrock_cost.poll_now()'), '0',
	'third poll: nothing new');

my $n = $node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.line_items');
ok($n > 0, "$n rows loaded");
is($node->safe_psql('postgres', q{SELECT count(*) || ' ' || max(summarised) || ' ' || max(line_items) FROM public.refresh_log}),
	"1 $n 0", 'refresh_chargeback ran once and saw the new rows summarised, before the line items were swapped in');
is($node->safe_psql('postgres',
		'SELECT r.xid = d.xmin::text::bigint FROM public.refresh_log r, bedrock_cost.export_deliveries d'),
	't', 'refresh ran in the transaction that recorded the load');

# a failing refresh rolls the load back: the period keeps its data
$node->safe_psql('postgres', q{
CREATE OR REPLACE FUNCTION bedrock_cost.refresh_chargeback() RETURNS void LANGUAGE plpgsql
  AS $$ BEGIN RAISE EXCEPTION 'refresh broke'; END $$;
});
my $loads = $node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.loads');
deliver($v2, "$root/acme/cur", replace => 1);
$node->safe_psql('postgres', 'SELECT bedrock_cost.poll_now()');
is($node->safe_psql('postgres', 'SELECT bedrock_cost.poll_now()'), '0', 'restatement not loaded');
is($node->safe_psql('postgres',
		"SELECT status || ' ' || failures || ' ' || last_error FROM bedrock_cost.export_deliveries"),
	'failed 1 refresh broke', 'failure recorded with the refresh error');
is($node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.line_items'), $n,
	'the period keeps its previous rows');
is($node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.loads'), $loads,
	'the rolled back load left no ledger row');

# refresh fixed, backoff cleared by resume_export: the restatement loads
$node->safe_psql('postgres', 'ALTER EXTENSION bedrock_cost DROP FUNCTION bedrock_cost.refresh_chargeback(); DROP FUNCTION bedrock_cost.refresh_chargeback()');
$node->safe_psql('postgres', "SELECT bedrock_cost.resume_export('acme')");
is($node->safe_psql('postgres', 'SELECT bedrock_cost.poll_now()'), '1',
	'loaded once the refresh works (no hook: loads without one)');

# a data file replaced by a symbolic link leaving the root is refused
my $v3 = gen_staged('v3', qw(--rows 150 --periods 1 --seed 43));
deliver($v3, "$root/acme/cur", replace => 1);
my ($chunk) = glob("$root/acme/cur/data/BILLING_PERIOD=2026-04/cur-00001.csv.gz");
copy($chunk, "$outside/x.csv.gz") or die;
unlink($chunk);
symlink("$outside/x.csv.gz", $chunk) or die "symlink: $!";
$node->safe_psql('postgres', 'SELECT bedrock_cost.poll_now()');
like($node->safe_psql('postgres', 'SELECT last_error FROM bedrock_cost.export_deliveries'),
	qr/lists "[^"]+cur-00001\.csv\.gz", which is or passes through a symbolic link \(not followed\)$/, 'symlink leaving the root refused');

# two deliveries of one period found by the same poll (create-new mode: the
# worker missed the first): both are swapped in, the summaries of each
# before the refresh (none here: the hook was dropped above) and the line
# items after it; the first one's rows go straight to history, the
# second's are current
{
	my $two = gen_staged('two', qw(--rows 300 --periods 2 --mode create-new --restate --chunk-rows 100 --seed 44));
	make_path("$root/two/cur");
	$node->safe_psql('postgres', "SELECT bedrock_cost.add_export('two', 'two/cur')");
	deliver($two, "$root/two/cur");
	$node->safe_psql('postgres', 'SELECT bedrock_cost.poll_now()');
	$node->safe_psql('postgres', 'SELECT bedrock_cost.poll_now()');
	my $id = "(SELECT export_id FROM bedrock_cost.exports WHERE export_name = 'two')";
	is($node->safe_psql('postgres',
			"SELECT string_agg(billing_period || ' ' || status || ' ' || (superseded_by IS NOT NULL)"
			  . " || ' ' || pg_catalog.pg_partition_root(('bedrock_cost.' || quote_ident(data_table))::regclass)::text, ', ' ORDER BY load_id)"
			  . " FROM bedrock_cost.loads WHERE export_id = $id"),
		'2026-04-01 superseded true bedrock_cost.line_items_history, '
		  . '2026-04-01 done false bedrock_cost.line_items, '
		  . '2026-05-01 done false bedrock_cost.line_items',
		'two deliveries of a period in one poll: the first in history, the second current');
	is($node->safe_psql('postgres',
			"SELECT billing_period || '|' || count(*) || '|' || sum(unblended_cost) FROM bedrock_cost.line_items"
			  . " WHERE export_id = $id GROUP BY billing_period ORDER BY billing_period"),
		truth_by_period($two), 'line_items: the latest delivery of each period, as the ground truth');
	is($node->safe_psql('postgres',
			"SELECT count(*) || '|' || sum(unblended_cost) FROM bedrock_cost.line_items_history"
			  . " WHERE export_id = $id"),
		join('|', truth($two, '2026-04-01', 'bedrock', [ 'line_items', 'cost' ], 1)),
		'line_items_history: the first delivery of April, as the ground truth');
}

# the line items' step cannot lock line_items (a reader holds it through
# every attempt): the whole load is rolled back and recorded as failed,
# the period keeps its rows and its ledger; once the reader is gone, the
# restatement loads
{
	my $id = "(SELECT export_id FROM bedrock_cost.exports WHERE export_name = 'two')";
	my $april = "SELECT count(*) || '|' || sum(unblended_cost) FROM bedrock_cost.line_items"
	  . " WHERE export_id = $id AND billing_period = '2026-04-01'";
	my $before = $node->safe_psql('postgres', $april);
	my $ledger = $node->safe_psql('postgres', "SELECT count(*) FROM bedrock_cost.loads WHERE export_id = $id");
	my $again = gen_staged('two-again', qw(--rows 200 --periods 1 --mode create-new --chunk-rows 100 --seed 45));
	deliver($again, "$root/two/cur");
	my $reader = $node->background_psql('postgres');
	$reader->query_safe("BEGIN; $april");
	my $poll = "SET bedrock_cost.swap_lock_timeout = 100; SET bedrock_cost.swap_retries = 1; "
	  . "SELECT bedrock_cost.poll_now()";
	$node->safe_psql('postgres', $poll);
	is($node->safe_psql('postgres', $poll), '0', 'line_items held by a reader: nothing loaded');
	like($node->safe_psql('postgres',
			"SELECT status || ' ' || last_error FROM bedrock_cost.export_deliveries"
			  . " WHERE export_id = $id AND billing_period = '2026-04-01' AND status <> 'loaded'"),
		qr/^failed load \d+: could not swap the delivery in: bedrock_cost\.line_items stayed locked by other sessions through 2 attempts of 100 ms/,
		'the failure names the lock that was not given');
	$reader->query_safe('COMMIT');
	$reader->quit;
	is($node->safe_psql('postgres', $april), $before, 'the period keeps its rows');
	is($node->safe_psql('postgres', "SELECT count(*) FROM bedrock_cost.loads WHERE export_id = $id"),
		$ledger, 'and its ledger: the rolled back load left no row');
	$node->safe_psql('postgres', "SELECT bedrock_cost.resume_export('two')");
	is($node->safe_psql('postgres', 'SELECT bedrock_cost.poll_now()'), '1',
		'the reader gone, the restatement loads');
	is($node->safe_psql('postgres', $april),
		join('|', truth($again, '2026-04-01', 'bedrock', [ 'line_items', 'cost' ])),
		'line_items: the restatement, as the ground truth');
	# every delivery the ledger keeps is attached where its status says,
	# with the rows it loaded (the catalog and the tables, against the ledger)
	like($node->safe_psql('postgres', 'SELECT bedrock_cost.after_restore()::text'),
		qr/"deliveries_checked": 6\b/, 'ledger, partitions and row counts agree after these polls');
}

# pause/resume/remove_export wait for a poll of the export in progress
# (its advisory lock, held by the polling transaction) instead of taking
# row locks in the other order and deadlocking with it
{
	my $id = $node->safe_psql('postgres',
		"SELECT export_id FROM bedrock_cost.exports WHERE export_name = 'acme'");
	my $poller = $node->background_psql('postgres');
	$poller->query_safe("BEGIN; SELECT pg_advisory_xact_lock(hashtext('bedrock_cost export'), $id); "
		  . "UPDATE bedrock_cost.export_state SET last_poll = now() WHERE export_id = $id");
	my $resumer = $node->background_psql('postgres');
	$resumer->query_until(qr/sent/, "\\echo sent\nSELECT 'resumed ' || bedrock_cost.resume_export('acme');\n");
	ok($node->poll_query_until('postgres',
			"SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"),
		'resume_export waits for the poll in progress');
	# the poll goes on: its load must not wait for resume_export
	$poller->query_safe("UPDATE bedrock_cost.export_state SET last_error = NULL "
		  . "WHERE export_id = $id");
	$poller->query_safe("COMMIT");
	ok($node->poll_query_until('postgres',
			"SELECT count(*) = 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"),
		'the poll commits: resume_export waits no longer');
	like($resumer->query_until(qr/resumed [tf]/, ''), qr/resumed t/, 'then resume_export runs');
	$poller->quit;
	$resumer->quit;
}

$node->stop;
done_testing();
