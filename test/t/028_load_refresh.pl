# 028_load_refresh.pl: load_export(path, refresh => true) brings the
# chargeback up to date in the same call, as the background worker does.
#   - the refresh runs once, after the deliveries' summaries are in and
#     before their line items are: line_items still holds what it held
#     before the call, and the call holds no ACCESS EXCLUSIVE lock on it
#     during the refresh, also for a restatement (whose DETACH takes that
#     lock: a load without refresh followed by a refresh in the same
#     transaction holds it through the refresh, which the same check sees);
#   - line_items and the chargeback equal the generator's ground truth;
#   - a refresh that fails fails the call, and nothing it loaded stays;
#   - without refresh, load_export does not refresh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir();
my @gen = ('--out', $root, '--export', 'cur', '--seed', '28', '--rows', '1500', '--periods', '2',
	'--restate', '--chunk-rows', '600');
my $export = "$root/cur";

my $node = cluster('loadrefresh', extension => 1);

# the worker's refresh entry point, wrapped: what the refresh saw, then the
# refresh itself
sql(q{
CREATE TABLE public.refresh_log (n serial, summarised bigint, line_items bigint, exclusive bigint);
CREATE OR REPLACE FUNCTION bedrock_cost.refresh_chargeback() RETURNS void LANGUAGE sql
  AS $$ INSERT INTO public.refresh_log (summarised, line_items, exclusive)
        SELECT (SELECT sum(p.line_items) FROM bedrock_cost.usage_period AS p),
               (SELECT count(*) FROM bedrock_cost.line_items),
               (SELECT count(*) FROM pg_catalog.pg_locks AS l
                 WHERE l.pid = pg_catalog.pg_backend_pid()
                   AND l.relation = 'bedrock_cost.line_items'::pg_catalog.regclass
                   AND l.mode = 'AccessExclusiveLock');
        SELECT bedrock_cost.refresh_chargeback(true) $$;
});
my $last_log = 'SELECT summarised || \' \' || line_items || \' \' || exclusive FROM public.refresh_log ORDER BY n DESC LIMIT 1';
my $loaded = "SELECT billing_period || '|' || count(*) || '|' || sum(unblended_cost)"
  . ' FROM bedrock_cost.line_items GROUP BY billing_period ORDER BY billing_period';
# the chargeback's per-period line items and cost, in the same form
my $charged = "SELECT billing_period || '|' || sum(line_items) || '|' || sum(unblended_cost)"
  . ' FROM bedrock_cost.chargeback_base GROUP BY billing_period ORDER BY billing_period';

# first deliveries of both months
gen(@gen, '--initial-only');
my $truth = truth_by_period($export);
is(load_export($export, ', refresh => true'), 'done:2', 'both months loaded, with refresh');
my ($april, $may) = map { (split /\|/)[1] } split /\n/, $truth;
is(sql($last_log), ($april + $may) . ' 0 0',
	'the refresh saw every row summarised, none yet in line_items, and no exclusive lock on it');
is(sql('SELECT count(*) FROM public.refresh_log'), '1', 'one refresh');
is(sql($loaded), $truth, 'line_items equals the ground truth');
is(sql($charged), $truth, 'chargeback_base equals the ground truth');
is(sql('SELECT string_agg(billing_period::text, \',\' ORDER BY 1) FROM bedrock_cost.chargeback_state'),
	'2026-04-01,2026-05-01', 'both periods recorded as refreshed');

# April restated: the refresh runs while line_items still holds the old
# April, unlocked by the call
gen(@gen);
my $restated = truth_by_period($export);
isnt($restated, $truth, 'the restatement changes the truth');
is(load_export($export, ', refresh => true'), 'done:1 noop:1', 'April restated, with refresh');
my ($april2) = map { (split /\|/)[1] } grep { /^2026-04/ } split /\n/, $restated;
is(sql($last_log), ($april2 + $may) . ' ' . ($april + $may) . ' 0',
	'the refresh saw the restatement summarised, the old April still in line_items, unlocked');
is(sql($loaded), $restated, 'line_items equals the restated ground truth');
is(sql($charged), $restated, 'chargeback_base equals the restated ground truth');

# the same restatement loaded again without refresh, then refreshed in the
# same transaction: the DETACH holds line_items through the refresh
sql("BEGIN; SELECT count(*) FROM bedrock_cost.load_export('$export', force => true); "
	  . 'SELECT bedrock_cost.refresh_chargeback(); COMMIT;');
is((split / /, sql($last_log))[2], '1',
	'without refresh, a refresh after the load in its transaction runs with line_items locked');
is(sql($loaded), $restated, 'and the data is the same');

# a refresh that fails fails the call; nothing it loaded stays
my $before = sql(table_snapshot('bedrock_cost.line_items')) . ' ' . sql('SELECT count(*) FROM bedrock_cost.loads');
sql(q{CREATE OR REPLACE FUNCTION bedrock_cost.refresh_chargeback() RETURNS void LANGUAGE plpgsql
  AS $$ BEGIN RAISE EXCEPTION 'refresh broken'; END $$});
my ($rc, $out, $err) = $node->psql('postgres',
	"SELECT count(*) FROM bedrock_cost.load_export('$export', force => true, refresh => true)");
isnt($rc, 0, 'a failing refresh fails load_export(refresh => true)');
like($err, qr/refresh broken/, 'with the refresh\'s error');
is(sql(table_snapshot('bedrock_cost.line_items')) . ' ' . sql('SELECT count(*) FROM bedrock_cost.loads'),
	$before, 'line_items and the ledger are as before');

# without refresh: no refresh
my $refreshes = sql('SELECT count(*) FROM public.refresh_log');
is(load_export($export, ', force => true'), 'done:2', 'loaded again without refresh');
is(sql('SELECT count(*) FROM public.refresh_log'), $refreshes, 'load_export alone does not refresh');

$node->stop;
done_testing();
