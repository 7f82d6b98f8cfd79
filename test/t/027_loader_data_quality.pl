# 027_loader_data_quality.pl: values that parse but cannot be real are row
# errors (#14): a usage end before its start, usage dates more than 31 days
# outside the billing period (Bedrock rows), costs and usage amounts of
# 10^15 or more in absolute value (costs on every row).
#
#  - with bedrock_cost.max_rejected_rows = 0 each fails its delivery with
#    the exact message naming file, line and column, in loads.error and
#    load_errors;
#  - with max_rejected_rows = N the rows are rejected and kept in
#    load_errors, and the reconciliation shows rejected_rows and
#    rejected_total exactly: file_total + rejected_total + other_total is
#    the sum of the file's cost column, computed here from the file's text
#    (less the costs that are not numbers below 10^15);
#  - bedrock-cost-load gives the same errors and the same ledger;
#  - the generator's faults for these checks (usage-end-before-start,
#    usage-outside-period, huge-cost) fail as documented in faults.csv,
#    and with one tolerated reject the period reconciles with the ground
#    truth.
use strict;
use warnings;
use File::Path qw(make_path);
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use Math::BigFloat;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $node = cluster('data_quality', databases => [qw(srv cli)]);
my $cli_conn = $node->connstr('cli');

sub srv { return sql_db('srv', $_[0]); }
sub cli { return sql_db('cli', $_[0]); }

# run the client with bedrock_cost.max_rejected_rows = $max; returns its exit code
sub client_max
{
	my ($max, @args) = @_;
	my ($rc) = client({ env => { PGOPTIONS => "-c bedrock_cost.max_rejected_rows=$max" } },
		'-q', '-d', $cli_conn, @args);
	return $rc;
}

# the last delivery of a database: status|error, and where load_errors puts its last error
sub last_load
{
	my ($db) = @_;
	return $node->safe_psql($db,
		"SELECT l.status || '|' || coalesce(l.error, '') || '|' || "
		  . "coalesce((SELECT e.file || '|' || e.line || '|' || e.column_name FROM bedrock_cost.load_errors e "
		  . "WHERE e.load_id = l.load_id ORDER BY e.error_no DESC LIMIT 1), '-') "
		  . "FROM bedrock_cost.loads l ORDER BY l.load_id DESC LIMIT 1");
}

# ---------------------------------------------------------------------
# hand-made files
my $hd = "$tmp/hand";
make_path($hd);
my @cols = hand_cols();
my %row = hand_row();
# a non-Bedrock row
my %ec2 = (line_item_product_code => 'AmazonEC2', line_item_usage_type => 'BoxUsage:m5.large',
	pricing_unit => 'Hrs', line_item_iam_principal => '', tags => '{}',
	product => '{"product_name":"Amazon Elastic Compute Cloud"}');

# write NAME.csv.gz: the header, then rows (hashes overriding %row)
sub mk
{
	my ($name, @rows) = @_;
	return write_csv_gz("$hd/$name.csv.gz", \@cols, \%row, @rows);
}

my $out_of_range = 'number out of range \(absolute value must be below 10\^15\)';
my $outside = 'usage date outside the billing period \(2025-01-01 to 2025-02-01, 31 days of slack\)';
my @cases = (
	[ 'usage end before usage start',
		{ line_item_usage_start_date => '2025-01-02T00:00:00.000001Z', line_item_usage_end_date => '2025-01-02T00:00:00Z' },
		'usage end before usage start', 'line_item_usage_end_date', '2025-01-02T00:00:00Z' ],
	[ 'usage start years before the period',
		{ line_item_usage_start_date => '2019-01-02T00:00:00Z', line_item_usage_end_date => '2019-01-03T00:00:00Z' },
		$outside, 'line_item_usage_start_date', '2019-01-02T00:00:00Z' ],
	[ 'usage start a second beyond the slack',
		{ line_item_usage_start_date => '2024-11-30T23:59:59Z' },
		$outside, 'line_item_usage_start_date', '2024-11-30T23:59:59Z' ],
	[ 'usage end years after the period',
		{ line_item_usage_start_date => '2031-01-02T00:00:00Z', line_item_usage_end_date => '2031-01-03T00:00:00Z' },
		$outside, 'line_item_usage_end_date', '2031-01-03T00:00:00Z' ],
	[ '39-digit cost', { line_item_unblended_cost => '123456789012345678901234567890123456789' },
		$out_of_range, 'line_item_unblended_cost', '123456789012345678901234567890123456789' ],
	[ '9e990 cost on a non-Bedrock row', { %ec2, line_item_unblended_cost => '9e990' },
		$out_of_range, 'line_item_unblended_cost', '9e990' ],
	[ '-1e15 cost on a Tax row', { line_item_line_item_type => 'Tax', line_item_unblended_cost => '-1e15' },
		$out_of_range, 'line_item_unblended_cost', '-1e15' ],
	[ 'net cost of 10^15 on a non-Bedrock row', { %ec2, line_item_net_unblended_cost => '1000000000000000' },
		$out_of_range, 'line_item_net_unblended_cost', '1000000000000000' ],
	[ 'usage amount of 10^15', { line_item_usage_amount => '1e15' },
		$out_of_range, 'line_item_usage_amount', '1e15' ],
);

# strict: each case fails its delivery, on the server and through the client
my $n = 0;
foreach my $c (@cases)
{
	my ($what, $bad, $reason, $col, $value) = @$c;
	my $f = mk('strict' . ++$n, {}, $bad, {});
	my $re = qr/^failed\|$reason in "\Q$f\E", line 3, column $col: "\Q$value\E"\|\Q$f\E\|3\|$col$/;
	srv("SELECT * FROM bedrock_cost.load_file('$f')");
	like(last_load('srv'), $re, "$what: the delivery fails naming file, line and column");
	is(client_max(0, $f), 3, "$what: the client exits 3");
	like(last_load('cli'), $re, "$what: the client records the same error");
}
is(srv("SELECT count(*) FROM bedrock_cost.line_items") . '/' . cli("SELECT count(*) FROM bedrock_cost.line_items"),
	'0/0', 'nothing of a failed delivery is stored');

# values at the limits are accepted
my $edge = mk('edges',
	{ line_item_usage_start_date => '2024-12-01T00:00:00Z', line_item_usage_end_date => '2025-03-04T00:00:00Z',
	  line_item_unblended_cost => '999999999999999.999999', line_item_usage_amount => '-999999999999999' },
	{ line_item_usage_start_date => '2025-01-02T00:00:00Z', line_item_usage_end_date => '2025-01-02T00:00:00.000Z' },
	{ %ec2, line_item_usage_start_date => '2031-01-02T00:00:00Z', line_item_usage_end_date => '2019-01-03T00:00:00Z',
	  line_item_usage_amount => '9e990', line_item_unblended_cost => '-0.00001e19' });
is(srv("SELECT status || ' ' || rows_loaded || ' ' || rows_rejected FROM bedrock_cost.load_file('$edge')"),
	'done 2 0', 'values at the limits load; a non-Bedrock row\'s dates and amount are not checked');
# the summary's sums at the limits (past 64 bits at their scale): the file's
# values as written, and the tokens the line item stored
is(srv("SELECT s.unblended_cost || ' ' || s.net_unblended_cost || ' ' || s.usage_amount || ' ' "
	  . "|| (s.tokens = (SELECT li.tokens FROM bedrock_cost.line_items li WHERE li.load_id = s.load_id "
	  . "AND li.usage_start = '2024-12-01T00:00:00Z')) "
	  . "FROM bedrock_cost.usage_summary s WHERE s.usage_date = '2024-12-01' "
	  . "AND s.load_id = (SELECT max(load_id) FROM bedrock_cost.loads WHERE status = 'done')"),
	'999999999999999.999999 999999999999999.999999 -999999999999999 true',
	'the summary holds the sums at the limits exactly');

# tolerated: the rows are rejected and the file reconciles
my @mixed = (
	{ line_item_unblended_cost => '1.5' },                                            # 2 loaded
	{ line_item_usage_start_date => '2025-01-04T00:00:00Z', line_item_unblended_cost => '0.25' },    # 3 end < start
	{ line_item_usage_start_date => '2019-01-02T00:00:00Z', line_item_unblended_cost => '0.125' },   # 4 outside
	{ line_item_unblended_cost => '123456789012345678901234567890123456789' },        # 5 39 digits
	{ %ec2, line_item_unblended_cost => '9e990' },                                    # 6 9e990, not Bedrock
	{ %ec2, line_item_unblended_cost => '3.75' },                                     # 7 other
	{ line_item_usage_amount => '1e15', line_item_unblended_cost => '0.0000000001' }, # 8 amount
	{ line_item_line_item_type => 'Tax', line_item_usage_amount => '0', line_item_unblended_cost => '4.5',
	  line_item_iam_principal => '' },                                               # 9 loaded
	{ %ec2, line_item_line_item_type => 'Tax', line_item_unblended_cost => '2.5',
	  line_item_net_unblended_cost => '1e15' },                                       # 10 net
	{ line_item_line_item_type => 'Credit', line_item_usage_start_date => '2025-01-01T00:00:00Z',
	  line_item_usage_end_date => '2025-03-04T00:00:00Z', line_item_unblended_cost => '-1.75',
	  line_item_iam_principal => '' },                                               # 11 loaded
	{ line_item_usage_end_date => '2025-03-04T00:00:00.000001Z', line_item_unblended_cost => '0.5' },  # 12 outside
);
my $mixed = mk('mixed', @mixed);

# the sum of the cost column, from the file's text: every cost that is a
# number below 10^15 in absolute value
my $text;
gunzip($mixed => \$text) or die $GunzipError;
my @lines = split /\n/, $text;
my @hdr = split /,/, shift @lines;
my ($ci) = grep { $hdr[$_] eq 'line_item_unblended_cost' } 0 .. $#hdr;
my $file_sum = Math::BigFloat->new(0);
my $costs = 0;
foreach my $l (@lines)
{
	my @f;
	push @f, defined($1) ? $1 =~ s/""/"/gr : $2 while $l =~ /\G(?:"((?:[^"]|"")*)"|([^,]*))(?:,|$)/g;
	my $v = $f[$ci];
	next unless $v =~ /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
	my $b = Math::BigFloat->new($v);
	next if $b->copy->babs >= Math::BigFloat->new('1e15');
	$file_sum->badd($b);
	$costs++;
}
is("$costs $file_sum", '9 11.3750000001', 'the cost column of the file, summed from its text');

my $fails = srv("SET bedrock_cost.max_rejected_rows = 6; "
	  . "SELECT status || '|' || error FROM bedrock_cost.load_file('$mixed')");
like($fails, qr/^failed\|more than 6 rejected rows \(bedrock_cost\.max_rejected_rows\)\nDETAIL: The last one: $outside in "\Q$mixed\E", line 12, column line_item_usage_end_date: "2025-03-04T00:00:00\.000001Z"\.$/,
	'one rejected row more than allowed fails the delivery');
is(srv("SET bedrock_cost.max_rejected_rows = 7; "
	  . "SELECT status || ' ' || rows_loaded || ' ' || rows_rejected FROM bedrock_cost.load_file('$mixed')"),
	'done 3 7', 'seven rows rejected, three Bedrock rows loaded');
is(client_max(7, $mixed), 0, 'the client loads the same file');

my $errors_q = "SELECT string_agg(line || ':' || column_name || ':' || value || ':' || reason, E'\\n' ORDER BY error_no) "
  . "FROM bedrock_cost.load_errors WHERE load_id = (SELECT max(load_id) FROM bedrock_cost.loads)";
my $errors = join("\n",
	"3:line_item_usage_end_date:2025-01-03T00:00:00Z:usage end before usage start",
	"4:line_item_usage_start_date:2019-01-02T00:00:00Z:usage date outside the billing period (2025-01-01 to 2025-02-01, 31 days of slack)",
	"5:line_item_unblended_cost:123456789012345678901234567890123456789:number out of range (absolute value must be below 10^15)",
	"6:line_item_unblended_cost:9e990:number out of range (absolute value must be below 10^15)",
	"8:line_item_usage_amount:1e15:number out of range (absolute value must be below 10^15)",
	"10:line_item_net_unblended_cost:1e15:number out of range (absolute value must be below 10^15)",
	"12:line_item_usage_end_date:2025-03-04T00:00:00.000001Z:usage date outside the billing period (2025-01-01 to 2025-02-01, 31 days of slack)");
is(srv($errors_q), $errors, 'load_errors keeps every rejected row with line, column, value and reason');
is(cli($errors_q), $errors, 'the client: the same load_errors');

my $recon_q = "SELECT string_agg(concat_ws(' ', line_item_type, file_rows, file_total, loaded_total, difference, "
  . "rejected_rows, rejected_total, other_rows, other_total), E'\\n' ORDER BY line_item_type) "
  . "FROM bedrock_cost.reconciliation WHERE load_id = (SELECT max(load_id) FROM bedrock_cost.loads)";
my $recon = join("\n",
	'Credit 1 -1.75 -1.75 0.00 0 0 0 0',
	'Tax 1 4.5 4.5 0.0 1 2.5 0 0',
	'Usage 1 1.5 1.5 0.0 6 0.8750000001 1 3.75');
is(srv($recon_q), $recon, 'reconciliation: rejected_rows and rejected_total exactly');
is(cli($recon_q), $recon, 'the client: the same reconciliation');
my $whole_q = "SELECT sum(file_total + rejected_total + other_total) FROM bedrock_cost.reconciliation "
  . "WHERE load_id = (SELECT max(load_id) FROM bedrock_cost.loads)";
is(srv("SELECT ($whole_q) = '$file_sum'::numeric"), 't',
	'file_total + rejected_total + other_total is the sum of the file\'s cost column');
is(cli("SELECT ($whole_q) = '$file_sum'::numeric"), 't', 'the client: the same');
my $totals_q = "SELECT string_agg(concat_ws(' ', line_item_type, is_bedrock, rows, rejected_rows, unblended_cost, "
  . "coalesce(net_unblended_cost::text, '-'), rejected_unblended_cost), E'\\n' ORDER BY line_item_type, is_bedrock) "
  . "FROM bedrock_cost.load_totals WHERE load_id = (SELECT max(load_id) FROM bedrock_cost.loads)";
my $totals = join("\n",
	'Credit t 1 0 -1.75 0 0',
	'Tax f 0 1 0 - 2.5',
	'Tax t 1 0 4.5 0 0',
	'Usage f 1 1 3.75 0 0',
	'Usage t 1 5 1.5 0 0.8750000001');
is(srv($totals_q), $totals, 'load_totals: rejected_unblended_cost per line item type and Bedrock or not');
is(cli($totals_q), $totals, 'the client: the same load_totals');

# ---------------------------------------------------------------------
# generated exports with the faults of these checks
foreach my $fault ('usage-end-before-start', 'usage-outside-period', 'huge-cost')
{
	my $dir = "$tmp/g_$fault";
	gen('--out', $dir, '--export', 'acme', '--rows', '3000',
		'--chunk-rows', '1000', '--seed', '26', '--start', '2026-06', '--fault', $fault);
	my @fl = split /\n/, slurp_file("$dir/acme/ground_truth/faults.csv");
	my (undef, undef, undef, undef, $file, $line, $col, $rest) = split /,/, $fl[1], 8;
	my ($row_cost) = $rest =~ /,([^,]*)$/;
	my $path = "$dir/acme/$file";
	my $csv;
	gunzip($path => \$csv) or die $GunzipError;
	my $bad = (split /\n/, $csv)[ $line - 1 ];
	my $value = $fault eq 'huge-cost' ? '123456789012345678901234567890123456789'
	  : ($bad =~ /.*,(\d{4}-\d\d-\d\dT[\d:.]+Z),(\d{4}-\d\d-\d\dT[\d:.]+Z),/)[ $fault eq 'usage-outside-period' ? 1 : 0 ];
	my $reason = $fault eq 'huge-cost' ? $out_of_range
	  : $fault eq 'usage-outside-period' ? 'usage date outside the billing period \(2026-06-01 to 2026-07-01, 31 days of slack\)'
	  : 'usage end before usage start';

	srv("SELECT * FROM bedrock_cost.load_export('$dir/acme')");
	like(last_load('srv'), qr/^failed\|$reason in "[^"]*\/\Q$file\E", line $line, column $col: "\Q$value\E"\|[^|]*\/\Q$file\E\|$line\|$col$/,
		"$fault: fails as faults.csv documents it");

	# one tolerated reject: the period reconciles with the ground truth
	is(srv("SET bedrock_cost.max_rejected_rows = 1; "
		  . "SELECT status || ' ' || rows_rejected FROM bedrock_cost.load_export('$dir/acme')"),
		'done 1', "$fault: with one tolerated reject the delivery loads");
	is(client_max(1, "$dir/acme"), 0, "$fault: the client loads it too");
	my $q = "SELECT sum(rejected_rows) AS rr, sum(rejected_total) AS rt, "
	  . "sum(file_total + rejected_total + other_total) AS whole "
	  . "FROM bedrock_cost.reconciliation WHERE billing_period = '2026-06-01' AND export = '$dir/acme'";
	my $gt = srv("CREATE TEMP TABLE gt (billing_period date, delivery int, execution_id text, latest bool, "
		  . "line_item_type text, is_bedrock bool, line_items bigint, cost numeric, net_cost numeric); "
		  . "COPY gt FROM '$dir/acme/ground_truth/by_line_item_type.csv' CSV HEADER; "
		  . "SELECT sum(cost) FROM gt WHERE latest");
	my ($want_rejected, $want_whole) = $fault eq 'huge-cost'
	  ? ('0', srv("SELECT $gt - $row_cost"))
	  : (srv("SELECT ${row_cost}::numeric"), $gt);
	is(srv("SELECT rr = 1 AND rt = $want_rejected AND whole = $want_whole FROM ($q) q"), 't',
		"$fault: rejected_total is the row's cost" . ($fault eq 'huge-cost' ? ' (0: not a number in range)' : '')
		  . ', and the file reconciles with the ground truth');
	my $show = "SELECT rr || ' ' || rt || ' ' || whole FROM ($q) q";
	is(cli($show), srv($show), "$fault: the client: the same reconciliation");
}

$node->stop;
done_testing();
