# 030_worker_launcher.pl: the bedrock_cost launcher without loading data:
# it starts with the preloaded library, waits for CREATE EXTENSION, follows
# the registration functions, refuses paths outside export_root, records
# incomplete and failing deliveries with backoff, reacts to SIGHUP
# (poll_interval, enabled) and comes back after being terminated.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Path qw(make_path);
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir('exports');
my $outside = PostgreSQL::Test::Utils::tempdir('outside');
my $realroot = abs_path($root);

my $node = cluster('launcher', worker => 1, root => $root, settings => { 'bedrock_cost.poll_interval' => 1 });

# a manifest listing the given data files of a period
sub manifest
{
	my ($dir, $export, $period, $exec, @files) = @_;
	my $list = join(',',
		map { qq{"s3://bucket/cur/$export/data/BILLING_PERIOD=$period/$_"} } @files);
	put("$dir/metadata/BILLING_PERIOD=$period/$export-Manifest.json",
		qq({"executionId":"$exec","billingPeriod":{"start":"$period-01T00:00:00.000Z"},"dataFiles":[$list]}));
}

my $launcher_q =
  "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'bedrock_cost launcher'";
is($node->safe_psql('postgres', $launcher_q), '1', 'launcher running');
$node->poll_query_until('postgres',
	"SELECT query LIKE '%waiting for CREATE EXTENSION%' FROM pg_stat_activity"
	  . " WHERE backend_type = 'bedrock_cost launcher'")
  or die 'launcher does not wait for the extension';
ok($node->log_contains('extension bedrock_cost is not installed in database "postgres", waiting'),
	'waiting is logged');
is($node->safe_psql('postgres',
		"SELECT application_name FROM pg_stat_activity WHERE backend_type = 'bedrock_cost launcher'"),
	'bedrock_cost launcher', 'application_name');

$node->safe_psql('postgres', 'CREATE EXTENSION bedrock_cost');
$node->wait_for_log(qr/extension bedrock_cost found in database "postgres"/);

# registration: relative, absolute under the root, refused outside
make_path("$root/acme/cur");
my ($rc, $out, $err);
is($node->safe_psql('postgres',
		"SELECT path FROM bedrock_cost.add_export('acme', 'acme/cur/')"),
	"$realroot/acme/cur", 'relative path registered, stored resolved');
is($node->safe_psql('postgres',
		"SELECT path FROM bedrock_cost.add_export('beta', '$root/beta//cur')"),
	"$realroot/beta/cur", 'absolute path under the root (not there yet) registered');
($rc, $out, $err) = $node->psql('postgres',
	"SELECT bedrock_cost.add_export('acme2', '$root/acme/cur')");
like($err, qr/is already registered as "acme"/, 'a folder is registered once');
($rc, $out, $err) = $node->psql('postgres',
	"SELECT bedrock_cost.add_export('acme', 'other')");
like($err, qr/export "acme" already exists/, 'a name is used once');
($rc, $out, $err) = $node->psql('postgres',
	"SELECT bedrock_cost.add_export('evil', '$outside')");
like($err, qr/export path ".*" is outside bedrock_cost.export_root/, 'absolute path outside refused');
($rc, $out, $err) = $node->psql('postgres',
	"SELECT bedrock_cost.add_export('evil', 'acme/../../x')");
like($err, qr/must not be empty nor contain "\.\."/, 'parent reference refused');
symlink($outside, "$root/link") or die "symlink: $!";
($rc, $out, $err) = $node->psql('postgres',
	"SELECT bedrock_cost.add_export('evil', 'link')");
like($err, qr/export path "link" is or passes through a symbolic link below bedrock_cost.export_root\n/, 'symlink leaving the root refused');
unlike($err, qr/\Q$outside\E/, 'without naming where it points');
is($node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.export_status'), '2',
	'only the two valid exports registered');

# the launcher scans: a missing folder is a scan failure with backoff
$node->poll_query_until('postgres',
	"SELECT last_poll IS NOT NULL FROM bedrock_cost.export_status WHERE export_name = 'acme'")
  or die 'acme never polled';
$node->poll_query_until('postgres',
	"SELECT failures >= 1 AND last_error LIKE '%does not exist%' AND next_attempt > last_error_at"
	  . " FROM bedrock_cost.export_status WHERE export_name = 'beta'")
  or die 'missing folder not reported';
is($node->safe_psql('postgres', "SELECT bedrock_cost.remove_export('beta')"), 't', 'export removed');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM bedrock_cost.export_state s JOIN bedrock_cost.exports e USING (export_id)"
		  . " WHERE e.path LIKE '%/beta/cur'"),
	'0', 'its worker state is gone');

# data without a manifest: nothing recorded; a manifest listing a missing file: incomplete
my $acme = "$root/acme/cur";
put("$acme/data/BILLING_PERIOD=2026-05/acme-00001.csv.gz", 'x');
put("$acme/data/BILLING_PERIOD=2026-06/acme-00001.csv.gz", 'x');
manifest($acme, 'acme', '2026-06', 'exec-0601', 'acme-00001.csv.gz', 'acme-00002.csv.gz');
$node->poll_query_until('postgres',
	"SELECT status = 'incomplete' AND detail LIKE '%acme-00002.csv.gz, which is not there yet'"
	  . " FROM bedrock_cost.export_deliveries WHERE billing_period = '2026-06-01'")
  or die 'partial delivery not seen as incomplete';
is($node->safe_psql('postgres',
		"SELECT count(*) FROM bedrock_cost.export_deliveries WHERE billing_period = '2026-05-01'"),
	'0', 'data files without a manifest are not a delivery');
is($node->safe_psql('postgres',
		"SELECT pending_deliveries FROM bedrock_cost.export_status WHERE export_name = 'acme'"),
	'1', 'the incomplete delivery is pending');

# the missing file arrives: the delivery settles, then a load is attempted
put("$acme/data/BILLING_PERIOD=2026-06/acme-00002.csv.gz", 'x');
$node->poll_query_until('postgres',
	"SELECT status IN ('settling', 'failed', 'loaded') FROM bedrock_cost.export_deliveries"
	  . " WHERE billing_period = '2026-06-01'")
  or die 'completed delivery not seen';

# pause: the export is no longer polled
$node->safe_psql('postgres', "SELECT bedrock_cost.pause_export('acme')");
my $before = $node->safe_psql('postgres',
	"SELECT last_poll FROM bedrock_cost.export_status WHERE export_name = 'acme'");
wait_cycles(2);
# the poll in progress when pausing may have finished after $before was read
$before = $node->safe_psql('postgres',
	"SELECT last_poll FROM bedrock_cost.export_status WHERE export_name = 'acme'");
wait_cycles(2);
is($node->safe_psql('postgres',
		"SELECT last_poll = '$before' FROM bedrock_cost.export_status WHERE export_name = 'acme'"),
	't', 'paused export not polled');
$node->safe_psql('postgres', "SELECT bedrock_cost.resume_export('acme')");
$node->poll_query_until('postgres',
	"SELECT last_poll > '$before' FROM bedrock_cost.export_status WHERE export_name = 'acme'")
  or die 'resumed export not polled';

# SIGHUP: poll_interval and enabled are reloaded
$node->append_conf('postgresql.conf', "bedrock_cost.poll_interval = 3600\n");
$node->reload;
$node->poll_query_until('postgres',
	"SELECT query LIKE '%poll_interval 3600s%' FROM pg_stat_activity"
	  . " WHERE backend_type = 'bedrock_cost launcher'")
  or die 'poll_interval not reloaded';
$node->append_conf('postgresql.conf', "bedrock_cost.poll_interval = 1\nbedrock_cost.enabled = off\n");
$node->reload;
$node->poll_query_until('postgres',
	"SELECT query LIKE 'bedrock_cost launcher: disabled%poll_interval 1s%' FROM pg_stat_activity"
	  . " WHERE backend_type = 'bedrock_cost launcher'")
  or die 'enabled = off not reloaded';
$before = $node->safe_psql('postgres',
	"SELECT last_poll FROM bedrock_cost.export_status WHERE export_name = 'acme'");
wait_cycles(2);
is($node->safe_psql('postgres',
		"SELECT last_poll = '$before' FROM bedrock_cost.export_status WHERE export_name = 'acme'"),
	't', 'no poll while disabled');
$node->append_conf('postgresql.conf', "bedrock_cost.enabled = on\n");
$node->reload;
$node->poll_query_until('postgres',
	"SELECT last_poll > '$before' FROM bedrock_cost.export_status WHERE export_name = 'acme'")
  or die 'polling did not resume';

# terminated, the launcher exits and the postmaster starts it again
my $pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'bedrock_cost launcher'");
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok($node->poll_query_until('postgres',
		"SELECT count(*) = 1 AND min(pid) <> $pid FROM pg_stat_activity"
		  . " WHERE backend_type = 'bedrock_cost launcher'"),
	'launcher restarted after termination');

$node->stop;
done_testing();
