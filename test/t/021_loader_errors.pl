# 021_loader_errors.pl: bad input fails the delivery with an exact error
# naming file, line and column, is recorded in the ledger (loads.error and
# load_errors), and leaves the data as it was; bedrock_cost.max_rejected_rows
# keeps up to N bad rows aside instead.
use strict;
use warnings;
use File::Path qw(make_path);
use IO::Compress::Gzip qw(gzip $GzipError);
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $node = cluster('loader_errors', extension => 1);

# what must not change when a load fails
sub fingerprint
{
	return sql("SELECT count(*) || ' ' || coalesce(sum(unblended_cost), 0) || ' ' || "
		  . "coalesce(sum(tokens), 0) || ' ' || "
		  . "(SELECT coalesce(string_agg(load_id || ':' || data_table, ',' ORDER BY load_id), '') "
		  . "FROM bedrock_cost.loads WHERE status = 'done') FROM bedrock_cost.line_items");
}

# run a load expected to fail; check status, error and unchanged data
sub fails
{
	my ($what, $call, $error_re, %opt) = @_;
	my $before = fingerprint();
	my $res = sql("SELECT string_agg(status || '|' || coalesce(error, ''), E'\\n' ORDER BY load_id) FROM $call");
	my @failed = grep { /^failed\|/ } split /\n/, $res;
	is(scalar(@failed), 1, "$what: one delivery failed") or diag($res);
	like($failed[0] // '', $error_re, "$what: the error names what is wrong");
	is(fingerprint(), $before, "$what: the data is as before");
	my $le = sql("SELECT coalesce(file, '-') || '|' || coalesce(line::text, '-') || '|' || coalesce(column_name, '-') "
		  . "FROM bedrock_cost.load_errors WHERE load_id = (SELECT max(load_id) FROM bedrock_cost.loads WHERE status = 'failed') "
		  . "ORDER BY error_no DESC LIMIT 1");
	like($le, $opt{where}, "$what: load_errors has the file, line and column") if $opt{where};
	return $res;
}

# ---------------------------------------------------------------------
# generator faults in the last period of an export already loaded
my $ex = "$tmp/ex";
my @g = ('--export', 'acme', '--rows', '1500', '--periods', '2', '--seed', '21', '--chunk-rows', '600');
gen('--out', $ex, @g);
is(sql("SELECT string_agg(status, ',') FROM bedrock_cost.load_export('$ex/acme')"), 'done,done', 'the good export loads');
my $good = fingerprint();

my $chunk = qr{"[^"]*/data/BILLING_PERIOD=2026-05/acme-00001\.csv\.gz"};
my %faults = (
	'truncated-gzip' => [qr/^failed\|invalid CUR file $chunk: gzip stream is truncated at line \d+$/],
	# a corrupt deflate stream may decode to garbage before its CRC fails
	'corrupt-bytes' => [qr/^failed\|invalid CUR file $chunk: (gzip .*|malformed CSV: .*) at line \d+/],
	'missing-file' => [qr{^failed\|manifest "[^"]*acme-Manifest\.json" lists "[^"]*acme-00003\.csv\.gz", which could not be accessed: No such file or directory}],
	'ragged-row' => [qr/^failed\|invalid CUR file $chunk: row has a different number of fields than the header at line \d+: "expected 131 fields, found 128"$/, where => qr/acme-00001\.csv\.gz\|\d+\|/],
	'bad-number' => [qr/^failed\|invalid number in $chunk, line \d+, column line_item_unblended_cost: "12\.3\.4e"$/, where => qr/acme-00001\.csv\.gz\|\d+\|line_item_unblended_cost$/],
	'bad-arn' => [qr/^failed\|invalid IAM principal ARN \(.*\) in $chunk, line \d+, column line_item_iam_principal: "arn:aws:iam:123456789012:user"$/, where => qr/\|\d+\|line_item_iam_principal$/],
	'huge-field' => [qr/^failed\|invalid CUR file $chunk: .*(long|BC_CUR_MAX_FIELD).*line \d+/i],
	'non-utf8' => [qr/^failed\|invalid CUR file $chunk: .*UTF-8.*line \d+.*line_item_line_item_description/i, where => qr/\|\d+\|line_item_line_item_description$/],
	'missing-column' => [qr/^failed\|invalid CUR file $chunk: .*line_item_unblended_cost/],
	'bad-timestamp' => [qr/^failed\|invalid timestamp in $chunk, line \d+, column line_item_usage_start_date: "2025-13-45T99:61:00Z"$/, where => qr/\|\d+\|line_item_usage_start_date$/],
	'nul-byte' => [qr/^failed\|invalid CUR file $chunk: .*NUL.*line \d+/i],
);
foreach my $f (sort keys %faults)
{
	gen('--out', $ex, @g, '--fault', $f);
	my ($re, %opt) = @{ $faults{$f} };
	fails("fault $f", "bedrock_cost.load_export('$ex/acme')", $re, %opt);
}
is(fingerprint(), $good, 'after every fault the data is still the good export');

# a byte order mark is not a fault: the delivery loads
gen('--out', $ex, @g, '--fault', 'bom');
is(sql("SELECT string_agg(status, ',' ORDER BY load_id) FROM bedrock_cost.load_export('$ex/acme')"),
	'noop,done', 'a UTF-8 BOM before the header is accepted');

# ---------------------------------------------------------------------
# hand-made files through load_file
my $hd = "$tmp/hand";
make_path($hd);
my @cols = qw(bill_billing_entity bill_payer_account_id bill_billing_period_start_date
  line_item_line_item_type line_item_usage_start_date line_item_usage_end_date
  line_item_usage_account_id line_item_product_code line_item_usage_type
  line_item_usage_amount line_item_unblended_cost line_item_iam_principal pricing_unit tags product);
my %row = hand_row();

# write NAME.csv.gz: header of @$cols, then rows (hashes overriding %row)
sub mk
{
	my ($name, $cols, @rows) = @_;
	return write_csv_gz("$hd/$name.csv.gz", $cols, \%row, @rows);
}

sub lf { return "bedrock_cost.load_file('$_[0]')"; }

# a good file first, so there is data for its period
my $ok = mk('good', \@cols, {}, { line_item_unblended_cost => '1.5' });
is(sql("SELECT status FROM " . lf($ok)), 'done', 'a hand-made good file loads');
is(sql("SELECT tokens FROM bedrock_cost.line_items WHERE unblended_cost = 1.5"), '12500',
	'tokens are usage_amount times the pricing unit scale, exactly');

my @cases = (
	['bad timestamp (no Z)', { line_item_usage_end_date => '2025-01-03T00:00:00' },
		qr/^failed\|invalid timestamp in "[^"]+", line 2, column line_item_usage_end_date: "2025-01-03T00:00:00"$/],
	['impossible date', { line_item_usage_start_date => '2025-02-30T00:00:00Z' },
		qr/^failed\|invalid timestamp in "[^"]+", line 2, column line_item_usage_start_date: "2025-02-30T00:00:00Z"$/],
	['bad ARN partition', { line_item_iam_principal => 'arn:aws-moon:iam::111122223333:user/x' },
		qr/^failed\|invalid IAM principal ARN \(.*\) in "[^"]+", line 2, column line_item_iam_principal: "arn:aws-moon:iam::111122223333:user\/x"$/],
	['tags not an object', { tags => '["a"]' },
		qr/^failed\|invalid tags map \(The value is not a JSON object\.\) in "[^"]+", line 2, column tags: "\[\\"a\\"\]"$/],
	['tags not JSON', { tags => '{"a":}' },
		qr/^failed\|invalid tags map \(.*\) in "[^"]+", line 2, column tags: "\{\\"a\\":\}"$/],
	['tags with \u0000', { tags => '{"a":"\u0000"}' },
		qr/^failed\|invalid tags map \(.*0000.*\) in "[^"]+", line 2, column tags:/],
	['row of another billing period', [ {}, { bill_billing_period_start_date => '2025-02-01T00:00:00Z' } ],
		qr/^failed\|row of another billing period \(the delivery is for 2025-01-01\) in "[^"]+", line 3, column bill_billing_period_start_date: "2025-02-01T00:00:00Z"$/],
	['NaN cost', { line_item_unblended_cost => 'NaN' },
		qr/^failed\|invalid number in "[^"]+", line 2, column line_item_unblended_cost: "NaN"$/],
	['missing cost', { line_item_unblended_cost => '' },
		qr/^failed\|missing number in "[^"]+", line 2, column line_item_unblended_cost: ""$/],
	['bad usage amount', { line_item_usage_amount => '1e' },
		qr/^failed\|invalid number in "[^"]+", line 2, column line_item_usage_amount: "1e"$/],
	['bad product map', { product => '{"product_name":' },
		qr/^failed\|invalid product map \(.*\) in "[^"]+", line 2, column product:/],
	['billing period start not a month start', { bill_billing_period_start_date => '2025-01-02T00:00:00Z' },
		qr/^failed\|invalid billing period start in "[^"]+", line 2, column bill_billing_period_start_date: "2025-01-02T00:00:00Z"$/],
);
my $n = 0;
foreach my $c (@cases)
{
	my ($what, $override, $re) = @$c;
	my @rows = ref($override) eq 'ARRAY' ? @$override : ($override);
	my $f = mk('case' . ++$n, \@cols, @rows);
	fails($what, lf($f), $re, where => qr/case$n\.csv\.gz\|\d+\|/);
}

# files that are not CUR CSV at all
my $notgz = "$hd/plain.csv.gz";
append_to_file($notgz, join(',', @cols) . "\n");
fails('not gzip', lf($notgz), qr/^failed\|invalid CUR file "[^"]+plain\.csv\.gz": .*gzip/i);
my $empty = "$hd/empty.csv.gz";
append_to_file($empty, '');
fails('empty file', lf($empty), qr/^failed\|invalid CUR file "[^"]+empty\.csv\.gz": .*(empty|header)/i);
my $hdr = mk('header_only', \@cols);
fails('header only', lf($hdr), qr/^failed\|"[^"]+header_only\.csv\.gz" has no data rows, so its billing period is unknown$/);
my $nocol = mk('nocol', [ grep { $_ ne 'line_item_usage_type' } @cols ], {});
fails('header missing a required column', lf($nocol), qr/^failed\|invalid CUR file "[^"]+nocol\.csv\.gz": .*line_item_usage_type/);
my $ragged = "$hd/ragged.csv.gz";
my $rt = join(',', @cols) . "\nAWS,1,2\n";
gzip(\$rt => $ragged);
fails('ragged row', lf($ragged), qr/^failed\|invalid CUR file "[^"]+ragged\.csv\.gz": .*line 2/);
my $quote = "$hd/quote.csv.gz";
my $qt = join(',', @cols) . "\n\"AWS,1\n";
gzip(\$qt => $quote);
fails('unterminated quote', lf($quote), qr/^failed\|invalid CUR file "[^"]+quote\.csv\.gz": .*quot/i);
my $locked = mk('locked', \@cols, {});
chmod 0000, $locked;
(my $lrc, my $lout, my $lerr) = $node->psql('postgres', "SELECT * FROM " . lf($locked));
like($lerr, qr/ERROR:  could not access "[^"]+locked\.csv\.gz": Permission denied/, 'an unreadable file is refused when it is opened');

# a bad value is shown bounded and escaped: it cannot flood or forge the log
my $forge = mk('forge', \@cols, { line_item_unblended_cost => "1\nLOG:  forged line" });
fails('a value with a newline', lf($forge),
	qr/^failed\|invalid number in "[^"]+forge\.csv\.gz", line 2, column line_item_unblended_cost: "1\\nLOG:  forged line"$/);
my $huge = mk('huge', \@cols, { line_item_iam_principal => 'arn:aws:iam::111122223333:user/' . ('x' x 200000) . '!' });
my $hres = sql("SELECT error FROM " . lf($huge));
like($hres, qr/column line_item_iam_principal: "arn:aws:iam::111122223333:user\/x+"\.\.\. \(200032 bytes\)$/,
	'a 200 kB value is shown cut, with its length');
cmp_ok(length($hres), '<', 600, 'and the message stays short');

# path checks are refused before anything is recorded
my ($rc, $out, $err) = $node->psql('postgres', "SELECT * FROM " . lf("$hd/../hand/good.csv.gz"));
like($err, qr/path "[^"]+" contains a "\.\." component/, 'path traversal is refused');
($rc, $out, $err) = $node->psql('postgres', "SELECT * FROM bedrock_cost.load_file('hand/good.csv.gz')");
like($err, qr/path "hand\/good\.csv\.gz" is not absolute/, 'a relative path is refused');
($rc, $out, $err) = $node->psql('postgres', "SELECT * FROM " . lf("$hd/nothere.csv.gz"));
like($err, qr/could not access "[^"]+nothere\.csv\.gz": No such file or directory/, 'a missing file is refused');

# an export whose manifest lists a symlink leaving the export folder
my $sy = "$tmp/sym";
gen('--out', $sy, '--export', 'sym', '--rows', '300', '--periods', '1', '--seed', '4');
make_path("$tmp/outside");
rename("$sy/sym/data/BILLING_PERIOD=2026-04/sym-00001.csv.gz", "$tmp/outside/x.csv.gz");
symlink("$tmp/outside/x.csv.gz", "$sy/sym/data/BILLING_PERIOD=2026-04/sym-00001.csv.gz");
fails('symlink leaving the export', "bedrock_cost.load_export('$sy/sym')",
	qr{^failed\|manifest "[^"]+sym-Manifest\.json" lists "[^"]+/sym/sym/data/BILLING_PERIOD=2026-04/sym-00001\.csv\.gz", which is or passes through a symbolic link \(not followed\)$});

# a manifest that is not JSON, and one listing a ".." path
my $mj = "$tmp/mj";
gen('--out', $mj, '--export', 'mj', '--rows', '300', '--periods', '1', '--seed', '4');
my $mf = "$mj/mj/metadata/BILLING_PERIOD=2026-04/mj-Manifest.json";
my $mtext = slurp_file($mf);
open(my $fh, '>', $mf) or die;
print $fh substr($mtext, 0, 40);
close $fh;
fails('manifest not JSON', "bedrock_cost.load_export('$mj/mj')", qr/^failed\|invalid manifest "[^"]+mj-Manifest\.json": manifest is not valid JSON at byte \d+/);
open($fh, '>', $mf) or die;
print $fh ($mtext =~ s{BILLING_PERIOD=2026-04/mj-00001}{BILLING_PERIOD=2026-04/../../../../etc/passwd}r);
close $fh;
fails('manifest listing ".."', "bedrock_cost.load_export('$mj/mj')",
	qr/^failed\|invalid manifest "[^"]+": manifest data file has no usable data\/BILLING_PERIOD=YYYY-MM\/ path in this billing period: "s3:\/\//);

# bedrock_cost.export_root confines loading
$node->append_conf('postgresql.conf', "bedrock_cost.export_root = '$tmp/ex'");
$node->reload;
($rc, $out, $err) = $node->psql('postgres', "SELECT * FROM " . lf($ok));
like($err, qr/path "[^"]+good\.csv\.gz" is outside bedrock_cost\.export_root$/m, 'export_root confines load_file');

# a member of bedrock_cost_admin may load inside export_root (and only there)
sql("CREATE ROLE adm LOGIN IN ROLE bedrock_cost_admin");
my $adm_file = mk('admin', \@cols, { line_item_unblended_cost => '7.25' });
($rc, $out, $err) = $node->psql('postgres', "SET ROLE adm; SELECT status FROM " . lf($adm_file));
like($err, qr/path "[^"]+admin\.csv\.gz" is outside bedrock_cost\.export_root/, 'bedrock_cost_admin is confined to export_root');
$node->append_conf('postgresql.conf', "bedrock_cost.export_root = '$tmp'");
$node->reload;
is(sql("SET ROLE adm; SELECT status FROM " . lf($adm_file)), 'done', 'bedrock_cost_admin loads inside export_root');
is(sql("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'line_items_l' || "
	  . "(SELECT max(load_id) FROM bedrock_cost.loads)"), sql("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'line_items'"),
	'its delivery table belongs to the owner of line_items');
$node->append_conf('postgresql.conf', "bedrock_cost.export_root = ''");
$node->reload;
($rc, $out, $err) = $node->psql('postgres', "SET ROLE adm; SELECT status FROM " . lf($adm_file));
like($err, qr/only superusers and members of pg_read_server_files may load server files/,
	'without export_root, bedrock_cost_admin may not read server files');

# only superusers and bedrock_cost_admin may load
sql("CREATE ROLE plain LOGIN");
($rc, $out, $err) = $node->psql('postgres', "SET ROLE plain; SELECT * FROM " . lf($ok));
like($err, qr/permission denied for (schema bedrock_cost|function load_file)/, 'an ordinary role may not load');

# ---------------------------------------------------------------------
# max_rejected_rows: up to N bad rows are kept aside, N+1 fail the delivery
my $rej = mk('rejects', \@cols, {}, { line_item_unblended_cost => 'x1' }, {},
	{ line_item_iam_principal => 'arn:nope' }, { line_item_unblended_cost => '2.25' });
my $r = sql("SET bedrock_cost.max_rejected_rows = 2; SELECT status || ' ' || rows_loaded || ' ' || rows_rejected FROM " . lf($rej));
is($r, 'done 3 2', 'two bad rows rejected, the rest loaded');
like(sql("SELECT string_agg(line || ':' || column_name || ':' || value || ':' || reason, ' | ' ORDER BY error_no) "
	  . "FROM bedrock_cost.load_errors WHERE load_id = (SELECT max(load_id) FROM bedrock_cost.loads)"),
	qr/^3:line_item_unblended_cost:x1:invalid number \| 5:line_item_iam_principal:arn:nope:invalid IAM principal ARN \(.+ at byte \d+\)$/,
	'rejected rows are kept with line, column, value and reason');
is(sql("SELECT count(*) FROM bedrock_cost.load_errors WHERE raw LIKE '%\"line_item_unblended_cost\": \"x1\"%'"),
	'1', 'a rejected row keeps its raw fields');
is(sql("SELECT rejected_rows FROM bedrock_cost.reconciliation WHERE billing_period = '2025-01-01' AND line_item_type = 'Usage'"),
	'2', 'rejected rows are counted in reconciliation');
is(sql("SELECT difference = 0 FROM bedrock_cost.reconciliation WHERE billing_period = '2025-01-01' AND line_item_type = 'Usage'"),
	't', 'and the accepted rows still reconcile exactly');
my $before = fingerprint();
my $rej2 = mk('rejects2', \@cols, {}, { line_item_unblended_cost => 'x1' }, {},
	{ line_item_iam_principal => 'arn:nope' }, { line_item_unblended_cost => '2.5' });
$r = sql("SET bedrock_cost.max_rejected_rows = 1; SELECT status || '|' || error FROM " . lf($rej2));
like($r, qr/^failed\|more than 1 rejected rows \(bedrock_cost\.max_rejected_rows\)\nDETAIL: The last one: invalid IAM principal ARN .* line 5, column line_item_iam_principal: "arn:nope"\.$/,
	'one more bad row than allowed fails the delivery');
is(fingerprint(), $before, 'and leaves the data as it was');

$node->stop;
done_testing();
