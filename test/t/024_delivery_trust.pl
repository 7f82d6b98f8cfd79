# 024_delivery_trust.pl: one delivery model, tried as an auditor would.  A
# manifest listing a file twice (the same key, a key and its s3:// URL,
# dataFiles twice, 100,000 times), a nested array or a string in place of
# the file list is refused and nothing is loaded, by load_export, the worker
# and bedrock-cost-load alike; manifests, period folders and create-new
# folders that are symbolic links to files outside export_root are refused
# without echoing a byte of them (ledger, WARNING, server log, client
# output); a FIFO manifest gives an error at once; a period folder swapped
# for a link while a load waits reads nothing outside (files are opened
# once, before); paths outside export_root get one message whatever their
# state; an oversized executionId is refused.
use strict;
use warnings;
use File::Copy qw(copy);
use File::Path qw(make_path remove_tree);
use IPC::Run;
use POSIX qw(mkfifo);
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# a secret outside the root that must never show up anywhere
my $secret = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $root = "$tmp/root";
my $outside = "$tmp/outside";
make_path($root, $outside);

my $node = cluster('delivery_trust', worker => 1, root => $root,
	settings => { 'bedrock_cost.enabled' => 'off' }, extension => 1);
$node->safe_psql('postgres', 'CREATE ROLE adm LOGIN IN ROLE bedrock_cost_admin');

# run the client as adm; returns (exit code, stdout + stderr)
sub client_as_adm
{
	my ($rc, $out, $err) = client({ timeout => 120 }, '-d', $node->connstr('postgres'), '-U', 'adm', @_);
	return ($rc, $out . $err);
}

sub slurp { my ($f) = @_; return -e $f ? slurp_file($f) : ''; }

# what loading left: rows and current loads
sub state
{
	return sql("SELECT count(*) || '/' || (SELECT count(*) FROM bedrock_cost.loads WHERE status = 'done') "
		  . "FROM bedrock_cost.line_items");
}

# the latest ledger row
sub last_load
{
	return sql("SELECT status || '|' || rows_loaded || '|' || coalesce(error, '') FROM bedrock_cost.loads "
		  . "ORDER BY load_id DESC LIMIT 1");
}

# a load_export as adm; returns status|error lines
sub load_export_as_adm
{
	my ($path) = @_;
	my ($rc, $out, $err) = $node->psql('postgres',
		"SET ROLE adm; SELECT string_agg(status || '|' || coalesce(error, ''), E'\\n' ORDER BY load_id) "
		  . "FROM bedrock_cost.load_export('$path')",
		timeout => 120);
	return ($out, $err);
}

# ---------------------------------------------------------------------
# a good export, loaded; its manifest is rewritten below
my $ex = "$root/ex";
gen('--out', $root, '--export', 'ex', '--rows', '400', '--periods', '1', '--seed', '24', '--chunk-rows', '200');
my $mf = "$ex/metadata/BILLING_PERIOD=2026-04/ex-Manifest.json";
my $good_manifest = slurp($mf);
my ($f1) = $good_manifest =~ m{"(s3://[^"]+-00001\.csv\.gz)"} or die 'no first file in the manifest';
my ($f2) = $good_manifest =~ m{"(s3://[^"]+-00002\.csv\.gz)"} or die 'no second file in the manifest';
(my $f1_rel = $f1) =~ s{^.*?/(data/BILLING_PERIOD=)}{$1};
my ($exec) = $good_manifest =~ m{"executionId":\s*"([^"]+)"};

# a manifest with another execution id and the given dataFiles text
sub manifest_with
{
	my ($files, $extra) = @_;
	return qq({"executionId": "$exec-x$_[2]", "billingPeriod": {"start": "20260401T000000.000Z", "end": "20260501T000000.000Z"}, "dataFiles": $files$extra});
}

my $before = state();
is($before, '0/0', 'nothing loaded yet');

# ---------------------------------------------------------------------
# 1. a file listed twice, in every form, and malformed file lists
my %bad = (
	'the same key twice'         => [ manifest_with(qq(["$f1", "$f1", "$f2"]), '', 1),
		qr/manifest lists a data file twice: "data\/BILLING_PERIOD=2026-04\/ex-00001\.csv\.gz"$/ ],
	'a key and its relative path' => [ manifest_with(qq(["$f1", "$f1_rel", "$f2"]), '', 2),
		qr/manifest lists a data file twice: "data\/BILLING_PERIOD=2026-04\/ex-00001\.csv\.gz"$/ ],
	'dataFiles twice'            => [ manifest_with(qq(["$f1", "$f2"]), qq(, "dataFiles": ["$f1"]), 3),
		qr/manifest has a key twice: "dataFiles"$/ ],
	'reportKeys next to dataFiles' => [ manifest_with(qq(["$f1", "$f2"]), qq(, "reportKeys": ["$f2"]), 4),
		qr/manifest has a key twice: "dataFiles"$/ ],
	'a nested array'             => [ manifest_with(qq(["$f1", ["$f2"]]), '', 5),
		qr/manifest key has the wrong type: "dataFiles"$/ ],
	'a string for dataFiles'     => [ manifest_with(qq("$f1"), qq(, "note": "$f2"), 6),
		qr/manifest key has the wrong type: "dataFiles"$/ ],
	'one file 100,000 times'     => [ manifest_with('[' . join(', ', ("\"$f1\"") x 100000) . ']', '', 7),
		qr/manifest lists a data file twice: "data\/BILLING_PERIOD=2026-04\/ex-00001\.csv\.gz"$/ ],
);
foreach my $case (sort keys %bad)
{
	my ($text, $re) = @{ $bad{$case} };
	put($mf, $text);
	my ($out, $err) = load_export_as_adm($ex);
	like($out, qr/^failed\|invalid manifest "\Q$mf\E": /, "$case: load_export refuses the delivery");
	like($out, $re, "$case: the error says why");
	is(state(), $before, "$case: nothing loaded");
	like(last_load(), qr/^failed\|0\|/, "$case: the ledger records a failure with 0 rows loaded");
	my ($rc, $cout) = client_as_adm($ex);
	is($rc, 3, "$case: bedrock-cost-load refuses it too (exit 3)");
	like($cout, $re, "$case: with the same reason");
	is(state(), $before, "$case: still nothing loaded");
}

# the worker reads the manifest with the same parser
put($mf, manifest_with(qq(["$f1", "$f1_rel", "$f2"]), '', 8));
sql("SELECT bedrock_cost.add_export('ex', 'ex')");
sql('SELECT bedrock_cost.poll_now()');
like(sql("SELECT status || '|' || last_error FROM bedrock_cost.export_deliveries"),
	qr/^failed\|invalid manifest "\Q$mf\E": manifest lists a data file twice/,
	'the worker refuses the duplicate with the same error');
is(state(), $before, 'and loads nothing');
sql("SELECT bedrock_cost.remove_export('ex')");

# an oversized executionId is refused, not stored
put($mf, manifest_with(qq(["$f1", "$f2"]), '', 'y' x 70000));
my ($out, $err) = load_export_as_adm($ex);
like($out, qr/^failed\|invalid manifest "\Q$mf\E": manifest executionId is empty, longer than 256 bytes or holds control characters$/,
	'an executionId of 70,000 bytes is refused');
is(sql('SELECT coalesce(max(length(execution_id)), 0) FROM bedrock_cost.loads'), '0',
	'no oversized execution id in the ledger');

# the good manifest loads
put($mf, $good_manifest);
($out, $err) = load_export_as_adm($ex);
is($out, 'done|', 'the good manifest loads');
my $good = state();
is($good, truth($ex, undef, 'bedrock', 'line_items') . '/1', 'its Bedrock rows are stored');

# ---------------------------------------------------------------------
# 2. links to files outside the root are refused without echoing them
put("$outside/secret.json", qq({"executionId": "$secret", "billingPeriod": {"start": "20260501T000000.000Z"}, "dataFiles": []}));
my $log_start = -s $node->logfile;

# a manifest that is a link
make_path("$ex/metadata/BILLING_PERIOD=2026-05");
symlink("$outside/secret.json", "$ex/metadata/BILLING_PERIOD=2026-05/ex-Manifest.json") or die;
($out, $err) = load_export_as_adm($ex);
like($out, qr/^noop\|\nfailed\|manifest "[^"]+BILLING_PERIOD=2026-05\/ex-Manifest\.json" is a symbolic link, which is not followed$/,
	'a manifest that is a link is refused');
unlink("$ex/metadata/BILLING_PERIOD=2026-05/ex-Manifest.json");
rmdir("$ex/metadata/BILLING_PERIOD=2026-05");

# a period folder that is a link
make_path("$outside/period");
copy("$outside/secret.json", "$outside/period/ex-Manifest.json") or die;
symlink("$outside/period", "$ex/metadata/BILLING_PERIOD=2026-05") or die;
($out, $err) = load_export_as_adm($ex);
like($out, qr/\nfailed\|"[^"]+metadata\/BILLING_PERIOD=2026-05" is a symbolic link, which is not followed$/,
	'a period folder that is a link is refused');
# the worker sees the same
sql("SELECT bedrock_cost.add_export('ex', 'ex')");
sql('SELECT bedrock_cost.poll_now()');
like(sql("SELECT string_agg(status || '|' || coalesce(last_error, ''), ',') FROM bedrock_cost.export_deliveries "
	  . "WHERE billing_period = '2026-05-01'"),
	qr/^failed\|"[^"]+BILLING_PERIOD=2026-05" is a symbolic link, which is not followed$/,
	'the worker refuses the linked period folder');
sql("SELECT bedrock_cost.remove_export('ex')");
unlink("$ex/metadata/BILLING_PERIOD=2026-05");

# a create-new subfolder that is a link
make_path("$ex/metadata/BILLING_PERIOD=2026-05");
symlink("$outside/period", "$ex/metadata/BILLING_PERIOD=2026-05/20260502T0000Z-x") or die;
($out, $err) = load_export_as_adm($ex);
like($out, qr/\nfailed\|"[^"]+BILLING_PERIOD=2026-05\/20260502T0000Z-x" is a symbolic link, which is not followed$/,
	'a create-new folder that is a link is refused');
# and the client refuses it the same way
my ($rc, $cout) = client_as_adm($ex);
is($rc, 3, 'bedrock-cost-load refuses the linked folder (exit 3)');
like($cout, qr/"[^"]+BILLING_PERIOD=2026-05\/20260502T0000Z-x" is a symbolic link, which is not followed/,
	'with the same message');
unlike($cout, qr/\Q$secret\E/, 'the client echoes nothing of the file');
unlink("$ex/metadata/BILLING_PERIOD=2026-05/20260502T0000Z-x");
rmdir("$ex/metadata/BILLING_PERIOD=2026-05");

# load_file through a linked folder
make_path("$ex/data/BILLING_PERIOD=2026-06");
symlink($outside, "$ex/data/BILLING_PERIOD=2026-06/in") or die;
my ($lrc, $lout, $lerr) = $node->psql('postgres',
	"SET ROLE adm; SELECT status FROM bedrock_cost.load_file('$ex/data/BILLING_PERIOD=2026-06/in/secret.json')");
like($lerr, qr/could not access "[^"]+\/in\/secret\.json": is or passes through a symbolic link \(not followed\)/,
	'load_file through a linked folder is refused');
remove_tree("$ex/data/BILLING_PERIOD=2026-06");

# nowhere a byte of the secret
unlike(sql("SELECT string_agg(concat(execution_id, error, manifest_path), ' ') FROM bedrock_cost.loads"),
	qr/\Q$secret\E/, 'the ledger holds nothing of the file outside');
unlike(sql("SELECT string_agg(concat(value, reason, raw), ' ') FROM bedrock_cost.load_errors"),
	qr/\Q$secret\E/, 'load_errors neither');
unlike(substr(slurp($node->logfile), $log_start), qr/\Q$secret\E/, 'nor the server log (WARNINGs included)');
is(state(), $good, 'the loaded data is unchanged');

# ---------------------------------------------------------------------
# 3. a FIFO manifest or data file: an error at once, never a hang
make_path("$ex/metadata/BILLING_PERIOD=2026-05");
mkfifo("$ex/metadata/BILLING_PERIOD=2026-05/ex-Manifest.json", 0600) or die "mkfifo: $!";
($out, $err) = load_export_as_adm($ex);
like($out, qr/\nfailed\|manifest "[^"]+BILLING_PERIOD=2026-05\/ex-Manifest\.json" is not a regular file$/,
	'a FIFO manifest fails at once');
unlink("$ex/metadata/BILLING_PERIOD=2026-05/ex-Manifest.json");
put("$ex/metadata/BILLING_PERIOD=2026-05/ex-Manifest.json",
	qq({"executionId": "fifo", "billingPeriod": {"start": "20260501T000000.000Z"}, "dataFiles": ["data/BILLING_PERIOD=2026-05/f.csv.gz"]}));
make_path("$ex/data/BILLING_PERIOD=2026-05");
mkfifo("$ex/data/BILLING_PERIOD=2026-05/f.csv.gz", 0600) or die "mkfifo: $!";
($out, $err) = load_export_as_adm($ex);
like($out, qr/\nfailed\|manifest "[^"]+" lists "[^"]+\/f\.csv\.gz", which is not a regular file$/,
	'a FIFO data file fails at once');
($lrc, $lout, $lerr) = $node->psql('postgres',
	"SET ROLE adm; SELECT status FROM bedrock_cost.load_file('$ex/data/BILLING_PERIOD=2026-05/f.csv.gz')",
	timeout => 120);
like($lerr, qr/"[^"]+\/f\.csv\.gz" is not a regular file/, 'load_file of a FIFO fails at once');
remove_tree("$ex/data/BILLING_PERIOD=2026-05", "$ex/metadata/BILLING_PERIOD=2026-05");

# ---------------------------------------------------------------------
# 4. the period folder swapped for a link while the load waits for its lock:
# the files were opened before, so the load reads them and nothing outside
gen('--out', "$tmp/v2", '--export', 'ex', '--rows', '400', '--periods', '1', '--seed', '25', '--chunk-rows', '200');
# a restatement of April in place (overwrite layout)
remove_tree("$ex/data/BILLING_PERIOD=2026-04");
system("cp -r '$tmp/v2/ex/data/BILLING_PERIOD=2026-04' '$ex/data/'") == 0 or die;
copy("$tmp/v2/ex/metadata/BILLING_PERIOD=2026-04/ex-Manifest.json", $mf) or die;
my $v2_rows = truth("$tmp/v2/ex", undef, 'bedrock', 'line_items');
make_path("$outside/swap");
foreach my $f (glob("$ex/data/BILLING_PERIOD=2026-04/*.csv.gz"))
{
	(my $name = $f) =~ s{.*/}{};
	put("$outside/swap/$name", "root:\$6\$$secret:19000:0:99999:7:::\n");
}
my $lock_key = 'bedrock_cost load ' . sql('SELECT path FROM bedrock_cost.exports') . ' 2026-04-01';
my $holder = $node->background_psql('postgres');
$holder->query_safe("BEGIN; SELECT pg_advisory_xact_lock(hashtextextended('$lock_key', 0))");
my ($lout2, $lerr2) = ('', '');
my $loader = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
	  "SET ROLE adm; SELECT status || '|' || rows_loaded || '|' || coalesce(error, '') FROM bedrock_cost.load_export('$ex')" ],
	'>', \$lout2, '2>', \$lerr2, IPC::Run::timeout(180));
$node->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
  or die 'the load never waited for the period lock';
rename("$ex/data/BILLING_PERIOD=2026-04", "$tmp/april-moved") or die;
symlink("$outside/swap", "$ex/data/BILLING_PERIOD=2026-04") or die;
$holder->query_safe('COMMIT');
$holder->quit;
$loader->finish;
chomp $lout2;
is($lout2, "done|$v2_rows|", 'the load read the files it had opened: the restatement, whole');
unlike($lout2 . $lerr2, qr/\Q$secret\E|root:/, 'nothing of the files behind the link was read or echoed');
is(sql("SELECT count(*) FROM bedrock_cost.line_items"), $v2_rows, 'line_items holds the restatement');
unlink("$ex/data/BILLING_PERIOD=2026-04");
rename("$tmp/april-moved", "$ex/data/BILLING_PERIOD=2026-04") or die;

# ---------------------------------------------------------------------
# 5. outside the root: one message, whatever exists there
foreach my $p ('/etc/nonexistent', '/etc/shadow', '/root/.bashrc', '/etc', $outside, "$outside/secret.json")
{
	foreach my $fn ('load_file', 'load_export')
	{
		my ($r1, $o1, $e1) = $node->psql('postgres', "SET ROLE adm; SELECT * FROM bedrock_cost.$fn('$p')");
		like($e1, qr/^psql:<stdin>:1: ERROR:  path "\Q$p\E" is outside bedrock_cost\.export_root$/,
			"$fn('$p'): the one message for outside paths");
	}
}
unlike(substr(slurp($node->logfile), $log_start), qr/\Q$secret\E/, 'the server log still holds nothing of it');

$node->stop;
done_testing();
