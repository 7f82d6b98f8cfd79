# 023_loader_read_ahead.pl: loads with the read-ahead thread
# (bedrock_cost.read_ahead = on, the default; binary COPY rows), without it
# (text COPY lines) and with it under a LATIN1 client encoding (text COPY
# lines) store exactly the same rows, ledger, totals and errors; a
# cancelled load leaves nothing behind (no rows, no ledger, no thread) and
# the session loads again.
use strict;
use warnings;
use IO::Compress::Gzip qw(gzip $GzipError);
use List::Util qw(min max);
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $node = cluster('read_ahead');
foreach my $db ('ra_on', 'ra_off', 'ra_latin1')
{
	$node->safe_psql('postgres', "CREATE DATABASE $db ENCODING 'UTF8' TEMPLATE template0");
	$node->safe_psql($db, 'CREATE EXTENSION bedrock_cost');
}
# a client encoding other than UTF-8: the thread, with text COPY rows
$node->safe_psql('postgres', "ALTER DATABASE ra_latin1 SET client_encoding = 'LATIN1'");
$node->safe_psql('postgres', 'ALTER DATABASE ra_off SET bedrock_cost.read_ahead = off');
is($node->safe_psql('ra_off', "LOAD 'bedrock_cost'; SHOW bedrock_cost.read_ahead"), 'off', 'ra_off loads without the thread');
is($node->safe_psql('ra_on', "LOAD 'bedrock_cost'; SHOW bedrock_cost.read_ahead"), 'on', 'read-ahead is on by default');

# everything a load leaves, as text: rows, history, ledger, files, totals, errors
sub state_of
{
	my ($db) = @_;
	return $node->safe_psql($db, q{
SELECT 'line_items ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.load_id, t.file_no, t.line_number), ''))
  FROM bedrock_cost.line_items t;
SELECT 'history ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.load_id, t.file_no, t.line_number), ''))
  FROM bedrock_cost.line_items_history t;
SELECT 'load ' || load_id || ' ' || coalesce(billing_period::text, '-') || ' ' || status || ' ' || rows_read || ' '
       || rows_loaded || ' ' || rows_rejected || ' ' || rows_other || ' ' || bytes_read || ' ' || coalesce(error, '-')
  FROM bedrock_cost.loads ORDER BY load_id;
SELECT 'file ' || load_id || ' ' || file_no || ' ' || path || ' ' || size || ' ' || coalesce(sha256, '-') || ' '
       || rows_read || ' ' || rows_loaded
  FROM bedrock_cost.load_files ORDER BY load_id, file_no;
SELECT 'total ' || t::text FROM bedrock_cost.load_totals t ORDER BY 1;
SELECT 'error ' || load_id || ' ' || coalesce(file, '-') || ' ' || coalesce(line::text, '-') || ' '
       || coalesce(column_name, '-') || ' ' || coalesce(value, '-') || ' ' || coalesce(reason, '-')
  FROM bedrock_cost.load_errors ORDER BY load_id, error_no;
});
}

# the same call in every database; returns the results (equal or not)
# and the way each one loaded (from the loader's DEBUG1 message)
my %how;
sub both
{
	my ($call) = @_;
	my %r;
	foreach my $db ('ra_on', 'ra_off', 'ra_latin1')
	{
		my ($ret, $out, $err) = $node->psql($db,
			"SET client_min_messages = debug1; "
			  . "SELECT string_agg(status || '|' || coalesce(error, ''), E'\\n' ORDER BY load_id) FROM $call");
		$r{$db} = $out;
		$how{$db} = join(',', sort keys %{ { map { $_ => 1 } ($err =~ /read-ahead (\w+, \w+) COPY rows/g) } });
	}
	is($r{ra_latin1}, $r{ra_on}, 'LATIN1 client: the same outcome');
	return ($r{ra_on}, $r{ra_off});
}

# ---------------------------------------------------------------------
# many files per delivery (every file end is a hand-over), two periods and a
# restatement in the create-new layout (both deliveries loaded, one to history)
my $ex = "$tmp/ex";
gen('--out', $ex, '--export', 'acme', '--rows', '12000', '--periods', '2', '--seed', '23',
	'--chunk-rows', '1500', '--restate', '--mode', 'create-new');
my ($on, $off) = both("bedrock_cost.load_export('$ex/acme')");
is($on, "done|\ndone|\ndone|", 'read-ahead: three deliveries loaded');
is($off, $on, 'without read-ahead: the same outcome');
my $state = state_of('ra_on');
like($state, qr/^line_items (\d+) /, 'line_items summarised');
my ($nrows) = $state =~ /^line_items (\d+) /;
cmp_ok($nrows, '>', 10000, "line_items holds the Bedrock rows ($nrows)");
like($state, qr/^history [1-9]\d* /m, 'the restated delivery is in history');
is(state_of('ra_off'), $state, 'rows, history, ledger, files and totals are identical');
is(state_of('ra_latin1'), $state, 'LATIN1 client: identical too');
is($how{ra_on}, 'on, binary', 'read-ahead sends binary COPY rows');
is($how{ra_off}, 'off, text', 'without read-ahead: text COPY lines');
is($how{ra_latin1}, 'on, text', 'LATIN1 client: read-ahead with text COPY lines');
is($node->safe_psql('ra_on', "SELECT count(*) FROM bedrock_cost.reconciliation WHERE difference <> 0"),
	'0', 'read-ahead: reconciliation differences are all zero');

# ---------------------------------------------------------------------
# faults: the same failure, error text and ledger either way
foreach my $fault ('bad-number', 'ragged-row', 'truncated-gzip', 'bad-arn')
{
	my $fx = "$tmp/f_$fault";
	gen('--out', $fx, '--export', 'acme', '--rows', '6000', '--periods', '1', '--seed', '24',
		'--start', '2026-07', '--chunk-rows', '2000', '--fault', $fault);
	my ($fon, $foff) = both("bedrock_cost.load_export('$fx/acme')");
	like($fon, qr/^failed\|.+line \d+/s, "$fault: the delivery fails naming the line");
	is($foff, $fon, "$fault: the same error without read-ahead");
	is(state_of('ra_off'), state_of('ra_on'), "$fault: the same ledger and data");
	is(state_of('ra_latin1'), state_of('ra_on'), "$fault: LATIN1 client: the same ledger and data");
}

# tolerated rejects: kept aside identically
{
	my $fx = "$tmp/rej";
	gen('--out', $fx, '--export', 'acme', '--rows', '6000', '--periods', '1', '--seed', '25',
		'--start', '2026-09', '--chunk-rows', '2000', '--fault', 'bad-number');
	my %r;
	foreach my $db ('ra_on', 'ra_off', 'ra_latin1')
	{
		$r{$db} = $node->safe_psql($db,
			"SET bedrock_cost.max_rejected_rows = 3; "
			  . "SELECT status || ' ' || rows_rejected FROM bedrock_cost.load_export('$fx/acme')");
	}
	is($r{ra_on}, 'done 1', 'read-ahead: one row rejected, delivery done');
	is($r{ra_off}, $r{ra_on}, 'without read-ahead: the same');
	is($r{ra_latin1}, $r{ra_on}, 'LATIN1 client: the same');
	is(state_of('ra_off'), state_of('ra_on'), 'rejected rows: the same load_errors and totals');
	is(state_of('ra_latin1'), state_of('ra_on'), 'rejected rows, LATIN1 client: the same');
}

# ---------------------------------------------------------------------
# values of every shape the checks accept: the binary rows must give what
# numeric_in, timestamptz_in, jsonb_in and the text input of iam_arn give
{
	my @cols = qw(bill_billing_entity bill_payer_account_id bill_billing_period_start_date
	  line_item_line_item_type line_item_usage_start_date line_item_usage_end_date
	  line_item_usage_account_id line_item_product_code line_item_usage_type
	  line_item_usage_amount line_item_unblended_cost line_item_net_unblended_cost
	  line_item_iam_principal pricing_unit tags identity_line_item_id line_item_operation);
	# magnitudes below the bound of the row checks (10^15)
	my @amounts = ('12.5', '0', '-0.00', '1e3', '1.5E-7', '.5', '+3', '0012.3400', '-7e+2',
		'123456789012345.123456789012345678901234567890123456789012345', '1e-30', '9.99e14',
		'0.000000000000000000000000000001', '42', '1.0000', '-99999.9999', '5E0');
	# in time order, so that a row's end is never before its start
	my @stamps = ('2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00Z', '2026-11-02T10:11:12.1Z',
		'2026-11-02T10:11:12.123456Z', '2026-11-30T23:59:59.999999Z');
	my @units = ('1K tokens', '1M tokens', 'Units', 'Hrs', '');
	my @principals = ('arn:aws:iam::111122223333:user/alice',
		'arn:aws:sts::111122223333:assumed-role/Dev-Role/s.e@x', '',
		'arn:aws:iam::111122223333:role/service-role/x');
	my @tags = ('{"iamPrincipal/team":"caf\u00e9"}', '', '{}', '{"a":"tab\there","b":"quote\"q"}',
		"{\"user:cost-center\":\"  spaced  \",\"k\":\"\x{65e5}\x{672c}\"}");
	my $text = join(',', @cols) . "\n";
	my $n = 0;
	foreach my $a (@amounts)
	{
		foreach my $c (@amounts[0 .. 5])
		{
			$n++;
			my %v = (bill_billing_entity => ($n % 4 ? 'AWS' : ''), bill_payer_account_id => '999988887777',
				bill_billing_period_start_date => '2026-11-01T00:00:00Z', line_item_line_item_type => 'Usage',
				line_item_usage_start_date => $stamps[min($n % @stamps, ($n + 1) % @stamps)],
				line_item_usage_end_date => $stamps[max($n % @stamps, ($n + 1) % @stamps)],
				line_item_usage_account_id => '111122223333', line_item_product_code => 'AmazonBedrock',
				line_item_usage_type => 'USE1-Claude4.6Sonnet-input-tokens',
				line_item_usage_amount => ($n % 9 ? $a : ''), line_item_unblended_cost => $c,
				line_item_net_unblended_cost => ($n % 3 ? $a : ''),
				line_item_iam_principal => $principals[$n % @principals],
				pricing_unit => $units[$n % @units], tags => $tags[$n % @tags],
				identity_line_item_id => ($n % 5 ? "id\t$n" : ''), line_item_operation => "op,$n");
			$text .= join(',', map { csvq($v{$_}) } @cols) . "\n";
		}
	}
	utf8::encode($text);
	my $file = "$tmp/shapes.csv.gz";
	gzip(\$text => $file) or die $GzipError;
	my %r;
	foreach my $db ('ra_on', 'ra_off', 'ra_latin1')
	{
		$r{$db} = $node->safe_psql($db,
			"SELECT status || ' ' || rows_loaded || ' ' || coalesce(error, '') FROM bedrock_cost.load_file('$file')");
	}
	is($r{ra_on}, "done $n ", "values of every shape: $n rows loaded");
	is($r{ra_off}, $r{ra_on}, 'values of every shape: the same without read-ahead');
	is($r{ra_latin1}, $r{ra_on}, 'values of every shape: the same with a LATIN1 client');
	is(state_of('ra_off'), state_of('ra_on'), 'values of every shape: identical rows (numeric scales, timestamps, tags, ARNs)');
	is(state_of('ra_latin1'), state_of('ra_on'), 'values of every shape: identical rows with a LATIN1 client');
	is($node->safe_psql('ra_on', "SELECT string_agg(DISTINCT unblended_cost::text, ' ' ORDER BY unblended_cost::text) "
		  . "FROM bedrock_cost.line_items WHERE billing_period = '2026-11-01'"),
		'0 0.00 0.00000015 0.5 1000 12.5', 'numeric display scales are those of numeric_in');
	is($node->safe_psql('ra_on', "SELECT count(*) FILTER (WHERE pricing_unit = '1K tokens' AND tokens <> usage_amount * 1000) "
		  . "+ count(*) FILTER (WHERE pricing_unit = '1M tokens' AND tokens <> usage_amount * 1000000) "
		  . "+ count(*) FILTER (WHERE (pricing_unit IS NULL OR pricing_unit = 'Hrs') AND tokens IS NOT NULL) "
		  . "|| ' ' || count(*) FILTER (WHERE pricing_unit IN ('1K tokens', '1M tokens') AND tokens IS NOT NULL) "
		  . "FROM bedrock_cost.line_items WHERE billing_period = '2026-11-01'"),
		'0 37', 'tokens: amounts scaled exactly by their pricing unit, none for hours or no unit');
}

# ---------------------------------------------------------------------
# a cancel in the middle of a load (held after 1500 rows by the test
# setting bedrock_cost.debug_pause_after_rows, the read-ahead thread
# running): the statement ends, nothing is recorded, the thread is gone,
# and the same session loads afterwards
{
	my $bx = gen('--out', "$tmp/big", '--export', 'big', '--rows', '3000', '--periods', '1', '--seed', '26',
		'--start', '2027-01', '--chunk-rows', '1000');
	my $before = state_of('ra_on');
	my ($loader, $pid) = start_paused_load('ra_on', 1500, "SELECT status FROM bedrock_cost.load_export('$bx')");
	is(wait_paused_load('ra_on'), $pid, 'the load is paused mid-COPY');
	is($node->safe_psql('ra_on', "SELECT pg_cancel_backend($pid)"), 't', 'cancelled mid-COPY');
	my $out = $loader->query("RESET bedrock_cost.debug_pause_after_rows;\n"
		  . "SELECT 'threads ' || count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/task');\n"
		  . "SELECT 'again ' || status || ' ' || rows_loaded FROM bedrock_cost.load_export('$bx');\n");
	my $err = $loader->{stderr};
	$loader->quit;
	like($err, qr/canceling statement due to user request/, 'the cancel ends the load');
	unlike($err, qr/load \d+ failed/, 'a cancel is not recorded as a failed delivery');
	like($out, qr/^threads 1$/m, 'no thread is left in the backend');
	like($out, qr/^again done \d+$/m, 'the same session then loads the export');
	my $after = state_of('ra_on');
	my @new = grep { /^load / } split /\n/, $after;
	my @old = grep { /^load / } split /\n/, $before;
	is(scalar(@new), scalar(@old) + 1, 'the cancelled attempt left no ledger row, the retry one');
}

# ---------------------------------------------------------------------
# pg_terminate_backend in the middle of a load (held as above): the backend
# exits cleanly (no crash, no restart of the server), nothing is recorded
{
	my $bx = gen('--out', "$tmp/big2", '--export', 'big', '--rows', '3000', '--periods', '1', '--seed', '27',
		'--start', '2027-02', '--chunk-rows', '1000');
	my $before = state_of('ra_on');
	my $n = $node->safe_psql('ra_on', 'SELECT count(*) FROM bedrock_cost.loads');
	my ($loader, $pid) = start_paused_load('ra_on', 1500, "SELECT status FROM bedrock_cost.load_export('$bx')");
	is(wait_paused_load('ra_on'), $pid, 'the load is paused mid-COPY');
	ok($node->safe_psql('ra_on',
			"SELECT count(*) > 0 FROM bedrock_cost.load_progress WHERE rows_loaded > 0") eq 't',
		'the load is running (rows copied)');
	is($node->safe_psql('ra_on', "SELECT pg_terminate_backend($pid)"), 't', 'terminated mid-COPY');
	ok($node->poll_query_until('ra_on', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid"),
		'the backend is gone');
	# psql lost its connection and may have exited already: writing \q to it
	# can then fail with EPIPE, which says nothing about the server
	eval { $loader->quit; };
	my $log = slurp_file($node->logfile);
	unlike($log, qr/terminated by signal|server process .* was terminated|all server processes terminated/,
		'no crash: the server did not restart');
	is($node->safe_psql('ra_on', 'SELECT count(*) FROM bedrock_cost.loads'), $n, 'no ledger row left');
	is(state_of('ra_on'), $before, 'the data is as before');
}

$node->stop;
done_testing();
