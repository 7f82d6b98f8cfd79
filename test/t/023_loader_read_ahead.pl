# 023_loader_read_ahead.pl: loads with the read-ahead thread
# (bedrock_cost.read_ahead = on, the default) and without it store exactly
# the same rows, ledger, totals and errors; a cancelled load leaves nothing
# behind (no rows, no ledger, no thread) and the session loads again.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $node = PostgreSQL::Test::Cluster->new('read_ahead');
$node->init;
$node->start;
foreach my $db ('ra_on', 'ra_off')
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION bedrock_cost');
}
$node->safe_psql('postgres', 'ALTER DATABASE ra_off SET bedrock_cost.read_ahead = off');
is($node->safe_psql('ra_off', "LOAD 'bedrock_cost'; SHOW bedrock_cost.read_ahead"), 'off', 'ra_off loads without the thread');
is($node->safe_psql('ra_on', "LOAD 'bedrock_cost'; SHOW bedrock_cost.read_ahead"), 'on', 'read-ahead is on by default');

sub gen
{
	my ($out, @args) = @_;
	system_or_bail('bedrock-cost-gen', '--out', $out, '--quiet', @args);
}

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

# the same call in both databases; returns the results (equal or not)
sub both
{
	my ($call) = @_;
	my %r;
	foreach my $db ('ra_on', 'ra_off')
	{
		my ($ret, $out, $err) = $node->psql($db,
			"SELECT string_agg(status || '|' || coalesce(error, ''), E'\\n' ORDER BY load_id) FROM $call");
		$r{$db} = $out;
	}
	return ($r{ra_on}, $r{ra_off});
}

# ---------------------------------------------------------------------
# many files per delivery (every file end is a hand-over), two periods and a
# restatement in the create-new layout (both deliveries loaded, one to history)
my $ex = "$tmp/ex";
gen($ex, '--export', 'acme', '--rows', '12000', '--periods', '2', '--seed', '23',
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
is($node->safe_psql('ra_on', "SELECT count(*) FROM bedrock_cost.reconciliation WHERE difference <> 0"),
	'0', 'read-ahead: reconciliation differences are all zero');

# ---------------------------------------------------------------------
# faults: the same failure, error text and ledger either way
foreach my $fault ('bad-number', 'ragged-row', 'truncated-gzip', 'bad-arn')
{
	my $fx = "$tmp/f_$fault";
	gen($fx, '--export', 'acme', '--rows', '6000', '--periods', '1', '--seed', '24',
		'--start', '2026-07', '--chunk-rows', '2000', '--fault', $fault);
	my ($fon, $foff) = both("bedrock_cost.load_export('$fx/acme')");
	like($fon, qr/^failed\|.+line \d+/s, "$fault: the delivery fails naming the line");
	is($foff, $fon, "$fault: the same error without read-ahead");
	is(state_of('ra_off'), state_of('ra_on'), "$fault: the same ledger and data");
}

# tolerated rejects: kept aside identically
{
	my $fx = "$tmp/rej";
	gen($fx, '--export', 'acme', '--rows', '6000', '--periods', '1', '--seed', '25',
		'--start', '2026-09', '--chunk-rows', '2000', '--fault', 'bad-number');
	my %r;
	foreach my $db ('ra_on', 'ra_off')
	{
		$r{$db} = $node->safe_psql($db,
			"SET bedrock_cost.max_rejected_rows = 3; "
			  . "SELECT status || ' ' || rows_rejected FROM bedrock_cost.load_export('$fx/acme')");
	}
	is($r{ra_on}, 'done 1', 'read-ahead: one row rejected, delivery done');
	is($r{ra_off}, $r{ra_on}, 'without read-ahead: the same');
	is(state_of('ra_off'), state_of('ra_on'), 'rejected rows: the same load_errors and totals');
}

# ---------------------------------------------------------------------
# a cancel in the middle of a load: the statement ends, nothing is recorded,
# the thread is gone, and the same session loads afterwards
{
	my $bx = "$tmp/big";
	gen($bx, '--export', 'big', '--rows', '200000', '--periods', '1', '--seed', '26',
		'--start', '2027-01', '--chunk-rows', '50000');
	my $before = state_of('ra_on');
	my ($ret, $out, $err) = $node->psql('ra_on', qq{
SET statement_timeout = '300ms';
SELECT status FROM bedrock_cost.load_export('$bx/big');
RESET statement_timeout;
SELECT 'threads ' || count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/task');
SELECT 'again ' || status || ' ' || rows_loaded FROM bedrock_cost.load_export('$bx/big');
}, on_error_stop => 0);
	like($err, qr/canceling statement due to statement timeout/, 'the timeout cancels the load');
	unlike($err, qr/load \d+ failed/, 'a cancel is not recorded as a failed delivery');
	like($out, qr/^threads 1$/m, 'no thread is left in the backend');
	like($out, qr/^again done \d+$/m, 'the same session then loads the export');
	my $after = state_of('ra_on');
	my @new = grep { /^load / } split /\n/, $after;
	my @old = grep { /^load / } split /\n/, $before;
	is(scalar(@new), scalar(@old) + 1, 'the cancelled attempt left no ledger row, the retry one');
}

$node->stop;
done_testing();
