# 031_worker_load.pl: the launcher loads generated CUR 2.0 deliveries as they
# are synced into a registered export folder.  Data files without their
# manifest, and a manifest listing a file not there yet, are not loaded;
# complete deliveries are, with totals equal to the generator's ground truth;
# a restatement replaces its period and the old delivery stays as history;
# every completed load is announced with NOTIFY bedrock_cost_load.
use strict;
use warnings;
use File::Path qw(make_path);
use JSON::PP;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir('exports');

my $loaded_q = "SELECT billing_period || '|' || count(*) || '|' || sum(unblended_cost)"
  . " FROM bedrock_cost.line_items GROUP BY billing_period ORDER BY billing_period";

my $node = cluster('load', worker => 1, root => $root, settings => { 'bedrock_cost.poll_interval' => 1 },
	extension => 1);
make_path("$root/acme/cur");
$node->safe_psql('postgres', "SELECT bedrock_cost.add_export('acme', 'acme/cur')");

my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN bedrock_cost_load');

# two periods, the first to be restated later
my $init = gen_staged('init', qw(--rows 400 --periods 3 --restate --initial-only
	  --chunk-rows 150 --seed 11));
my $full = gen_staged('full', qw(--rows 400 --periods 3 --restate --chunk-rows 150 --seed 11));
my $acme = "$root/acme/cur";

# data first, manifests last (as a sync may order them): nothing before the manifest
deliver($init, $acme, only => qr{^data/BILLING_PERIOD=2026-0[45]/});
wait_cycles(3);
is($node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.loads'), '0',
	'no load while the manifests are missing');
is($node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.export_deliveries'), '0',
	'data files without a manifest are no delivery');

# period 2026-06: its manifest arrives but not its data: incomplete, not loaded
deliver($init, $acme, only => qr{^metadata/BILLING_PERIOD=2026-06/});
deliver($init, $acme, only => qr{^metadata/BILLING_PERIOD=2026-0[45]/});
$node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM bedrock_cost.export_deliveries WHERE status = 'loaded'")
  or die 'complete deliveries not loaded';
(my $want = truth_by_period($init)) =~ s/\n?2026-06-01\|[^\n]*//;
is($node->safe_psql('postgres', $loaded_q), $want,
	'2026-04 and 2026-05 loaded: rows and cost equal the ground truth');
is($node->safe_psql('postgres',
		"SELECT status || ': ' || detail FROM bedrock_cost.export_deliveries"
		  . " WHERE billing_period = '2026-06-01'"),
	'incomplete: metadata/BILLING_PERIOD=2026-06/cur-Manifest.json lists'
	  . ' data/BILLING_PERIOD=2026-06/cur-00001.csv.gz, which is not there yet',
	'partial upload recorded as incomplete');
# (the loader may try it with the others and record it as failed: a missing file)
is($node->safe_psql('postgres',
		"SELECT count(*) FROM bedrock_cost.loads WHERE billing_period = '2026-06-01'"
		  . " AND status <> 'failed'"),
	'0', 'partial upload not loaded');
is($node->safe_psql('postgres',
		"SELECT sum(difference) = 0 AND count(*) > 0 FROM bedrock_cost.reconciliation"),
	't', 'reconciliation: no difference');

# the notifications of the two loads
# (psql prints notifications after a query; they may need another round trip)
my @payloads;
for (my $i = 0; $i < 300 && @payloads < 2; $i++)
{
	my $notes = $listener->query_safe('SELECT pg_sleep(0.1)');
	push @payloads, ($notes =~ /Asynchronous notification "bedrock_cost_load" with payload "(.*?)" received/g);
}
is(scalar(@payloads), 2, 'two NOTIFY bedrock_cost_load');
my $p = decode_json($payloads[0]);
is($p->{export}, 'acme', 'payload: export');
like($p->{billing_period}, qr/^2026-0[45]-01$/, 'payload: billing period');
ok($p->{load_id} > 0 && $p->{rows_loaded} > 0 && defined $p->{execution_id}
	  && defined $p->{duration_ms}, 'payload: load id, rows, execution id, duration');

# status view
is($node->safe_psql('postgres',
		"SELECT pending_deliveries || ' ' || failures || ' ' || (last_success IS NOT NULL)"
		  . " || ' ' || last_loaded_period FROM bedrock_cost.export_status"),
	"1 0 true 2026-05-01", 'export_status after the first loads');
ok($node->log_contains(
		qr/bedrock_cost: export "acme" billing period 2026-04 execution id \S+ loaded: load \d+, \d+ rows, 0 rejected, in \d+ ms/),
	'load logged');

# the missing data of 2026-06 arrives: loaded
deliver($init, $acme, only => qr{^data/BILLING_PERIOD=2026-06/});
$node->poll_query_until('postgres',
	"SELECT status = 'loaded' FROM bedrock_cost.export_deliveries WHERE billing_period = '2026-06-01'")
  or die '2026-06 not loaded once complete';
is($node->safe_psql('postgres', $loaded_q), truth_by_period($init), 'all three periods equal the ground truth');

# the restatement of 2026-04 (new manifest, fewer chunks, a stale chunk left)
my $old_exec = $node->safe_psql('postgres',
	"SELECT execution_id FROM bedrock_cost.loads WHERE billing_period = '2026-04-01' AND status = 'done'");
deliver($full, $acme, only => qr{^data/BILLING_PERIOD=2026-04/});
deliver($full, $acme, only => qr{^metadata/BILLING_PERIOD=2026-04/});
$node->poll_query_until('postgres',
	"SELECT execution_id <> '$old_exec' AND status = 'loaded' FROM bedrock_cost.export_deliveries"
	  . " WHERE billing_period = '2026-04-01'")
  or die 'restatement not loaded';
is($node->safe_psql('postgres', $loaded_q), truth_by_period($full), 'restated period equals the new ground truth');
is($node->safe_psql('postgres',
		"SELECT string_agg(status, ',' ORDER BY load_id) FROM bedrock_cost.loads"
		  . " WHERE billing_period = '2026-04-01' AND status IN ('done', 'superseded')"),
	'superseded,done', 'the old delivery is kept as superseded');
is($node->safe_psql('postgres',
		"SELECT count(*) > 0 FROM bedrock_cost.line_items_history h JOIN bedrock_cost.loads l"
		  . " USING (load_id) WHERE l.execution_id = '$old_exec'"),
	't', 'history keeps the rows of the old delivery');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM bedrock_cost.loads WHERE status NOT IN ('done', 'superseded', 'noop')"
		  . " AND billing_period <> '2026-06-01'"),
	'0', 'ledger: no failed or running load (but the partial upload)');

# nothing new: polls go on without loading anything again
my $nloads = $node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.loads');
wait_cycles(3);
is($node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.loads'), $nloads,
	'no reload when nothing changed');

$listener->quit;
$node->stop;
done_testing();
