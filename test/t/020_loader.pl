# 020_loader.pl: bedrock_cost.load_export / load_file against exports written
# by bedrock-cost-gen, checked against the generator's exact ground truth:
# totals per line item type, principal, tag, model, token kind and usage type
# over several periods; restatement replaces exactly and history keeps the
# old delivery (line_items_as_of); re-running is a no-op; the create-new
# layout; stale chunks ignored; no manifest means nothing loaded.
use strict;
use warnings;
use File::Basename;
use File::Path qw(rmtree);
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $srcdir = dirname(__FILE__);
my $truth_sql = slurp_file("$srcdir/loader_truth.sql");
my $tmp = PostgreSQL::Test::Utils::tempdir;

my $node = cluster('loader', extension => 1);

# compare with the ground truth: dlv 'latest' or a delivery number shown
# through line_items_as_of(asof)
sub check_truth
{
	my ($gt, $dlv, $asof, $what) = @_;
	my $out = $node->safe_psql('postgres',
		"\\set gt '$gt'\n\\set dlv '$dlv'\n\\set asof $asof\n" . $truth_sql);
	my $n = 0;
	foreach my $line (split /\n/, $out)
	{
		next unless $line =~ /^(.+) (\d+) (\d+)$/;
		my ($check, $rows, $bad) = ($1, $2, $3);
		ok($rows > 0 || $check =~ /rows/, "$what: $check has truth rows ($rows)");
		is($bad, 0, "$what: $check matches the ground truth exactly");
		$n++;
	}
	is($n, 7, "$what: all seven comparisons ran");
}

# ---------------------------------------------------------------------
# overwrite layout, 3 periods: initial deliveries, then a restatement
my $ow = "$tmp/ow";
gen('--out', $ow, '--export', 'acme', '--rows', '3000', '--periods', '3',
	'--seed', '11', '--restate', '--initial-only', '--chunk-rows', '1000');
is(load_export("$ow/acme"), 'done:3', 'three periods loaded');
check_truth("$ow/acme/ground_truth", 'latest', 0, 'initial');
is(sql("SELECT count(*) FROM bedrock_cost.reconciliation WHERE difference <> 0 OR net_difference <> 0"),
	'0', 'reconciliation: every difference is exactly zero');
is(sql("SELECT count(*) > 0 FROM bedrock_cost.reconciliation"), 't', 'reconciliation has rows');

my $before = sql("SELECT count(*), sum(unblended_cost) FROM bedrock_cost.line_items");
is(load_export("$ow/acme"), 'noop:3', 're-running recognises the same deliveries');
is(sql("SELECT count(*), sum(unblended_cost) FROM bedrock_cost.line_items"), $before,
	'a no-op leaves line_items as it was');
is(sql("SELECT count(*) FROM bedrock_cost.loads WHERE status = 'noop' AND same_as IS NOT NULL"),
	'3', 'noop rows point at the load they repeat');

my $first = sql("SELECT load_id FROM bedrock_cost.loads WHERE status = 'done' ORDER BY billing_period LIMIT 1");
my $initial_last = sql("SELECT max(load_id) FROM bedrock_cost.loads WHERE status = 'done'");
my $first_total = sql("SELECT sum(unblended_cost) FROM bedrock_cost.line_items WHERE load_id = $first");

# the restatement: same seed, the first period gets its second delivery
gen('--out', $ow, '--export', 'acme', '--rows', '3000', '--periods', '3',
	'--seed', '11', '--restate', '--chunk-rows', '1000');
is(load_export("$ow/acme"), 'done:1 noop:2', 'only the restated period is loaded again');
check_truth("$ow/acme/ground_truth", 'latest', 0, 'after restatement');
is(sql("SELECT status FROM bedrock_cost.loads WHERE load_id = $first"), 'superseded',
	'the old delivery is superseded');
is(sql("SELECT sum(unblended_cost) FROM bedrock_cost.line_items_history WHERE load_id = $first"),
	$first_total, 'history keeps the old delivery exactly');
is(sql("SELECT count(*) FROM bedrock_cost.line_items WHERE load_id = $first"), '0',
	'the old delivery is gone from line_items');
check_truth("$ow/acme/ground_truth", '1', $initial_last, 'as of the initial deliveries');
check_truth("$ow/acme/ground_truth", '1', $first, 'as of the first load (one period)');

# stale chunks: the restated delivery lists fewer files than are on disk
my $new = sql("SELECT superseded_by FROM bedrock_cost.loads WHERE load_id = $first");
my ($listed, $stale) = split /\|/, sql(
	"SELECT count(*), (SELECT count(*) FROM pg_ls_dir('$ow/acme/data/BILLING_PERIOD=2026-04') f "
	  . "WHERE f LIKE '%.csv.gz') FROM bedrock_cost.load_files WHERE load_id = $new");
cmp_ok($listed, '<', $stale, "stale chunks on disk ($stale files) are not loaded ($listed listed)");

# load_file: one file as the whole delivery of its period
my $one = "$ow/acme/data/BILLING_PERIOD=2026-05/acme-00001.csv.gz";
like(sql("SELECT status || ' ' || billing_period || ' ' || error FROM bedrock_cost.load_file('$one')"),
	qr/^failed 2026-05-01 "[^"]+acme-00001\.csv\.gz" is one file of a delivery: loading it alone would replace the whole billing period with it\nDETAIL: manifest "[^"]+BILLING_PERIOD=2026-05\/acme-Manifest\.json" lists \d+ other files? of this delivery \("[^"]+acme-00002\.csv\.gz"/,
	'load_file refuses one file of a delivery the manifest lists with others');
is(sql("SELECT status || ' ' || billing_period FROM bedrock_cost.load_file('$one', complete => true)"),
	'done 2026-05-01', 'load_file loads one file as the period\'s delivery when told it is complete');
is(sql("SELECT action || ' ' || (new_value->>'complete') FROM bedrock_cost.audit_log ORDER BY audit_id DESC LIMIT 1"),
	'load_single_file true', 'and the audit log says so');
is(sql("SELECT count(*) FROM bedrock_cost.line_items li JOIN bedrock_cost.loads l USING (load_id) "
	  . "WHERE l.source = 'file' AND li.billing_period = '2026-05-01'"),
	sql("SELECT rows_loaded FROM bedrock_cost.loads WHERE source = 'file' AND status = 'done'"),
	'the period now holds exactly that file\'s rows');
is(sql("SELECT status FROM bedrock_cost.load_file('$one', complete => true)"), 'noop', 'the same file again is a no-op');

# history_retention: keep only the newest superseded delivery of a period
$node->append_conf('postgresql.conf', 'bedrock_cost.history_retention = 1');
$node->reload;
my $export_05 = sql("SELECT load_id FROM bedrock_cost.loads WHERE source = 'export' AND billing_period = '2026-05-01' AND status = 'superseded'");
my $two = "$ow/acme/data/BILLING_PERIOD=2026-05/acme-00002.csv.gz";
is(sql("SELECT status FROM bedrock_cost.load_file('$two', complete => true)"), 'done', 'another file restates the period again');
isnt(sql("SELECT data_dropped_at FROM bedrock_cost.loads WHERE load_id = $export_05"), '',
	'history_retention dropped the oldest superseded delivery');
is(sql("SELECT count(*) FROM pg_class WHERE relname = 'line_items_l$export_05'"), '0', 'its table is gone');
is(sql("SELECT count(*) FROM bedrock_cost.line_items_history h JOIN bedrock_cost.loads l USING (load_id) "
	  . "WHERE l.billing_period = '2026-05-01'") > 0 ? 'kept' : 'none', 'kept', 'the newest superseded delivery is kept');
$node->append_conf('postgresql.conf', 'bedrock_cost.history_retention = 0');
$node->reload;

# ---------------------------------------------------------------------
# create-new layout: every delivery in its own folder, oldest first
my $cn = "$tmp/cn";
gen('--out', $cn, '--export', 'newco', '--rows', '2000', '--periods', '2',
	'--seed', '5', '--restate', '--mode', 'create-new');
is(load_export("$cn/newco"), 'done:3', 'create-new: both deliveries of the first period and the second period loaded');
my $cn_first = sql("SELECT min(l.load_id) FROM bedrock_cost.loads l JOIN bedrock_cost.exports e USING (export_id) "
	  . "WHERE e.path = '$cn/newco'");
is(sql("SELECT status FROM bedrock_cost.loads WHERE load_id = $cn_first"), 'superseded',
	'create-new: the older delivery is history');
is(load_export("$cn/newco"), 'noop:2 stale:1',
	'create-new: re-running loads nothing: the current deliveries are noops, the older one of the restated period is stale');

# ---------------------------------------------------------------------
# no manifest yet: the period is not loaded
my $nm = "$tmp/nm";
gen('--out', $nm, '--export', 'nom', '--rows', '500', '--periods', '2', '--seed', '3');
rmtree("$nm/nom/metadata/BILLING_PERIOD=2026-05");
is(load_export("$nm/nom"), 'done:1', 'only the period with a manifest is loaded');
is(sql("SELECT count(*) FROM bedrock_cost.loads l JOIN bedrock_cost.exports e USING (export_id) "
	  . "WHERE e.path = '$nm/nom' AND billing_period = '2026-05-01'"),
	'0', 'no ledger row for the period without a manifest');

# the create-new export against its own truth, next to the other exports
check_truth("$cn/newco/ground_truth", 'latest', 0, 'create-new latest');
check_truth("$cn/newco/ground_truth", '1', $cn_first, 'create-new as of its first delivery');

$node->stop;
done_testing();
