# 025_load_trust.pl: loads that cannot produce wrong numbers, tried as a
# finance team and an auditor would.  Two sessions loading the same new
# delivery at once: one done, one noop, one copy in history; the same race
# in the create-new layout: the newer restatement stays current, the older
# delivery is stale; the same export synced into a second folder is a
# duplicate, never counted twice; a superseded delivery restored and a
# forced reload, both audited; a delivery without Bedrock rows does not
# empty a period; a failed delivery reports 0 rows loaded; loads refuse
# REPEATABLE READ; a swap gives way to a long reader instead of queuing
# every other reader behind it; the reconciliation, checked against
# the generator's ground truth, never reads 0 when the stored rows differ;
# a refresh on its own waits for a load's transaction without a
# deadlock; rows changed or dropped on their way into the delivery
# table fail the delivery before it is swapped in, and so does a trigger
# on a summary table; and the first loads of two exports at once, into an
# empty ledger, are both loaded.
use strict;
use warnings;
use File::Copy qw(copy);
use File::Path qw(make_path remove_tree);
use IO::Compress::Gzip qw(gzip $GzipError);
use IPC::Run;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $node = cluster('load_trust', settings => { log_min_messages => 'log' }, extension => 1);

# a restatement of export NAME in folder DIR: a new delivery generated into
# NEW (rows, seed) replaces the folder's data and metadata
sub restate
{
	my ($dir, $name, $new, $rows, $seed) = @_;
	gen('--out', $new, '--export', $name, '--rows', $rows, '--periods', '1', '--seed', $seed);
	remove_tree("$dir/$name/data", "$dir/$name/metadata");
	system("cp -a '$new/$name/data' '$new/$name/metadata' '$dir/$name/'") == 0 or die;
	return;
}

# start "BEGIN; load_export(...)" in one session, then a second load_export of
# the same folder that waits for the first, then commit the first
sub race
{
	my ($path) = @_;
	my $first = $node->background_psql('postgres');
	$first->query_safe("BEGIN");
	my $r1 = $first->query_safe("SELECT string_agg(status, ',' ORDER BY load_id) FROM bedrock_cost.load_export('$path')");
	my ($out, $err) = ('', '');
	my $second = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
		  "SELECT string_agg(status, ',' ORDER BY load_id) FROM bedrock_cost.load_export('$path')" ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(180));
	# it waits for the first: on the new export's row, or on the period's lock
	$node->poll_query_until('postgres', "SELECT count(*) > 0 FROM pg_locks WHERE NOT granted")
	  or die 'the second load never waited for the first';
	$first->query_safe('COMMIT');
	$first->quit;
	$second->finish;
	chomp $out;
	return ($r1, $out, $err);
}

# ---------------------------------------------------------------------
# 1. two sessions load the same new delivery at once
my $ow = "$tmp/ow";
gen('--out', $ow, '--export', 'acme', '--rows', '1200', '--periods', '1', '--seed', '31', '--chunk-rows', '500');
my ($r1, $r2, $e2) = race("$ow/acme");
is($r1, 'done', 'the first session loads the delivery');
is($r2, 'noop', 'the second, having waited for the lock, finds it current: noop');
is(sql("SELECT string_agg(status, ',' ORDER BY load_id) FROM bedrock_cost.loads"), 'done,noop',
	'one copy in the ledger, no fake restatement in history');
is(sql("SELECT count(*) FROM bedrock_cost.line_items"), truth("$ow/acme", '2026-04-01', 'bedrock', 'line_items'),
	'line_items holds the delivery once');
is(sql("SELECT count(*) FROM bedrock_cost.line_items_history"), '0', 'and history nothing');

# ---------------------------------------------------------------------
# 2. the same race in the create-new layout, with a restatement
my $cn = "$tmp/cn";
gen('--out', $cn, '--export', 'newco', '--rows', '900', '--periods', '1', '--seed', '32',
	'--restate', '--mode', 'create-new', '--chunk-rows', '300');
($r1, $r2, $e2) = race("$cn/newco");
is($r1, 'done,done', 'the first session loads both deliveries, oldest first');
is($r2, 'stale,noop', 'the second finds the older delivery stale and the newer current');
my $cn_id = sql("SELECT export_id FROM bedrock_cost.exports WHERE path LIKE '%/newco'");
is(sql("SELECT count(*) FROM bedrock_cost.line_items WHERE export_id = $cn_id"),
	truth("$cn/newco", '2026-04-01', 'bedrock', 'line_items'),
	'the newer restatement stays current');
is(load_export("$cn/newco"), 'noop:1 stale:1', 'and a later load_export changes nothing');
is(sql("SELECT string_agg(status, ',' ORDER BY load_id) FROM bedrock_cost.loads WHERE export_id = $cn_id"),
	'superseded,done,stale,noop,stale,noop', 'the ledger tells it all');

# ---------------------------------------------------------------------
# 3. the same export synced into a second folder
system("cp -a '$ow/acme' '$tmp/acme-copy'") == 0 or die;
is(load_export("$tmp/acme-copy"), 'duplicate:1', 'the second copy of the export is a duplicate');
is(sql("SELECT same_as = (SELECT load_id FROM bedrock_cost.loads WHERE status = 'done' AND export_id = 1) "
	  . "FROM bedrock_cost.loads WHERE status = 'duplicate'"), 't', 'pointing at the load already current');
sql('SELECT bedrock_cost.refresh_chargeback()');
is(sql("SELECT sum(cost) FROM bedrock_cost.chargeback_by_principal WHERE billing_period = '2026-04-01' AND export_id = 1"),
	sql("SELECT sum(cost) FROM bedrock_cost.chargeback_by_principal WHERE billing_period = '2026-04-01' AND export_id IN (SELECT export_id FROM bedrock_cost.exports WHERE path LIKE '%acme%')"),
	'the chargeback counts the bill once');

# ---------------------------------------------------------------------
# 4. a restatement, then the superseded delivery restored, then a forced reload
my $v2 = "$tmp/v2";
gen('--out', $v2, '--export', 'acme', '--rows', '700', '--periods', '1', '--seed', '33', '--chunk-rows', '500');
remove_tree("$ow/acme/data", "$ow/acme/metadata");
system("cp -a '$v2/acme/data' '$v2/acme/metadata' '$ow/acme/'") == 0 or die;
is(load_export("$ow/acme"), 'done:1', 'a restatement replaces the period');
my $first_load = sql("SELECT min(load_id) FROM bedrock_cost.loads WHERE export_id = 1");
is(sql("SELECT status FROM bedrock_cost.loads WHERE load_id = $first_load"), 'superseded', 'the first delivery is history');
my $restored = sql("SELECT bedrock_cost.restore_load($first_load)");
is(sql("SELECT status || ' ' || loaded_via || ' ' || same_as FROM bedrock_cost.loads WHERE load_id = $restored"),
	"done restore $first_load", 'restore_load makes it current again as a new load');
is(sql("SELECT count(*) FROM bedrock_cost.line_items WHERE export_id = 1"),
	truth("$tmp/acme-copy", '2026-04-01', 'bedrock', 'line_items'), 'with the rows it had');
is(sql("SELECT action || ' ' || (new_value->>'restores') FROM bedrock_cost.audit_log WHERE action = 'restore_load'"),
	"restore_load $first_load", 'the restore is audited');
is(load_export("$ow/acme"), 'stale:1',
	'the delivery on disk came before the restore: stale, the restore stands');
is(load_export("$ow/acme", ', force => true'), 'done:1', 'force => true loads it again');
is(sql("SELECT forced FROM bedrock_cost.loads ORDER BY load_id DESC LIMIT 1"), 't', 'the ledger says it was forced');
is(sql("SELECT count(*) FROM bedrock_cost.audit_log WHERE action = 'force_load'"), '1', 'and the audit log too');
is(sql("SELECT count(*) FROM bedrock_cost.line_items WHERE export_id = 1"),
	truth("$v2/acme", '2026-04-01', 'bedrock', 'line_items'), 'the restatement is current again');

# ---------------------------------------------------------------------
# 5. a delivery without Bedrock rows does not empty a period
my @cols = qw(bill_billing_entity bill_payer_account_id bill_billing_period_start_date
  line_item_line_item_type line_item_usage_start_date line_item_usage_end_date
  line_item_usage_account_id line_item_product_code line_item_usage_type
  line_item_usage_amount line_item_unblended_cost pricing_unit tags product);
my %row = (
	bill_billing_entity => 'AWS', bill_payer_account_id => '999988887777',
	bill_billing_period_start_date => '2026-04-01T00:00:00Z', line_item_line_item_type => 'Usage',
	line_item_usage_start_date => '2026-04-02T00:00:00Z', line_item_usage_end_date => '2026-04-03T00:00:00Z',
	line_item_usage_account_id => '111122223333', line_item_product_code => 'AmazonEC2',
	line_item_usage_type => 'USE1-BoxUsage', line_item_usage_amount => '1',
	line_item_unblended_cost => '2.5', pricing_unit => 'Hrs', tags => '{}', product => '{}');
my $ec2 = "$tmp/ec2";
make_path("$ec2/data/BILLING_PERIOD=2026-04", "$ec2/metadata/BILLING_PERIOD=2026-04");
my $text = join(',', @cols) . "\n" . join(',', map { $row{$_} } @cols) . "\n";
gzip(\$text => "$ec2/data/BILLING_PERIOD=2026-04/ec2-00001.csv.gz") or die $GzipError;
my $n_before = sql("SELECT count(*) FROM bedrock_cost.line_items WHERE export_id = 1");
# the export of the first folder, now holding only non-Bedrock rows
remove_tree("$ow/acme/data", "$ow/acme/metadata");
make_path("$ow/acme/data/BILLING_PERIOD=2026-04", "$ow/acme/metadata/BILLING_PERIOD=2026-04");
copy("$ec2/data/BILLING_PERIOD=2026-04/ec2-00001.csv.gz", "$ow/acme/data/BILLING_PERIOD=2026-04/acme-00001.csv.gz") or die;
open(my $fh, '>', "$ow/acme/metadata/BILLING_PERIOD=2026-04/acme-Manifest.json") or die;
print $fh '{"executionId": "ec2-only", "billingPeriod": {"start": "2026-04-01T00:00:00.000Z"}, '
  . '"dataFiles": ["data/BILLING_PERIOD=2026-04/acme-00001.csv.gz"]}';
close $fh;
like(sql("SELECT status || '|' || error FROM bedrock_cost.load_export('$ow/acme')"),
	qr/^failed\|the delivery has no Amazon Bedrock rows: it would empty billing period 2026-04-01 of export "[^"]+\/ow\/acme", which holds \d+ rows/,
	'a delivery without Bedrock rows is refused');
is(sql("SELECT count(*) FROM bedrock_cost.line_items WHERE export_id = 1"), $n_before, 'the period keeps its rows');
is(sql("SET bedrock_cost.allow_empty_period = on; SELECT status FROM bedrock_cost.load_export('$ow/acme')"),
	'done', 'bedrock_cost.allow_empty_period lets it through');
is(sql("SELECT count(*) FROM bedrock_cost.line_items WHERE export_id = 1"), '0', 'and the period is empty');

# ---------------------------------------------------------------------
# 6. a failed delivery stored nothing: 0 rows loaded
my $bad = "$tmp/bad";
gen('--out', $bad, '--export', 'bad', '--rows', '800', '--periods', '1', '--seed', '34', '--fault', 'bad-number');
is(sql("SELECT status || ' ' || rows_loaded FROM bedrock_cost.load_export('$bad/bad')"), 'failed 0',
	'the call reports 0 rows loaded');
is(sql("SELECT rows_loaded FROM bedrock_cost.loads WHERE status = 'failed' ORDER BY load_id DESC LIMIT 1"), '0',
	'and so does the ledger, whatever was read before the bad row');

# ---------------------------------------------------------------------
# 7. REPEATABLE READ would decide from a snapshot taken before the lock
my ($rc, $out, $err) = $node->psql('postgres',
	"BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT * FROM bedrock_cost.load_export('$cn/newco'); COMMIT");
like($err, qr/ERROR:  bedrock_cost\.load_export\(\) must run at the READ COMMITTED isolation level/,
	'loads refuse REPEATABLE READ');

# ---------------------------------------------------------------------
# 8. a swap gives way to a long reader instead of queuing the others
my $rs = "$tmp/rs";
gen('--out', $rs, '--export', 'rs', '--rows', '300', '--periods', '1', '--seed', '35');
is(load_export("$rs/rs"), 'done:1', 'an export to restate');
restate($rs, 'rs', "$tmp/rs2", 350, 36);
my $reader = $node->background_psql('postgres');
$reader->query_safe('BEGIN; SELECT count(*) FROM bedrock_cost.line_items');
my ($lout, $lerr) = ('', '');
my $loader = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
	  "SET bedrock_cost.swap_lock_timeout = 200; SET bedrock_cost.swap_retries = 1000; "
	  . "SELECT status FROM bedrock_cost.load_export('$rs/rs')" ],
	'>', \$lout, '2>', \$lerr, IPC::Run::timeout(300));
$node->wait_for_log(qr/load \d+ gave way to readers of bedrock_cost\.line_items \(attempt 2 of 1001\)/);
# a new reader is not queued behind the swap for good: it answers while the long reader still holds
is($node->safe_psql('postgres', 'SET statement_timeout = 60000; SELECT count(*) > 0 FROM bedrock_cost.line_items'),
	't', 'a new reader gets through while the swap waits its turn');
$reader->query_safe('COMMIT');
$reader->quit;
$loader->finish;
chomp $lout;
is($lout, 'done', 'once the long reader is gone, the swap goes through');
is(sql("SELECT count(*) FROM bedrock_cost.line_items l JOIN bedrock_cost.exports e USING (export_id) WHERE e.path LIKE '%/rs'"),
	truth("$tmp/rs2/rs", '2026-04-01', 'bedrock', 'line_items'), 'with the restatement');
# and with no retries left, the delivery fails and the period keeps its data
restate($rs, 'rs', "$tmp/rs3", 320, 37);
$reader = $node->background_psql('postgres');
$reader->query_safe('BEGIN; SELECT count(*) FROM bedrock_cost.line_items');
like(sql("SET bedrock_cost.swap_lock_timeout = 100; SET bedrock_cost.swap_retries = 2; "
	  . "SELECT status || '|' || error FROM bedrock_cost.load_export('$rs/rs')"),
	qr/^failed\|could not swap the delivery in: bedrock_cost\.line_items stayed locked by other sessions through 3 attempts of 100 ms/,
	'out of retries, the delivery fails');
$reader->query_safe('COMMIT');
$reader->quit;
is(sql("SELECT count(*) FROM bedrock_cost.line_items l JOIN bedrock_cost.exports e USING (export_id) WHERE e.path LIKE '%/rs'"),
	truth("$tmp/rs2/rs", '2026-04-01', 'bedrock', 'line_items'), 'and the period keeps its data');
is(sql("SELECT rows_loaded FROM bedrock_cost.loads ORDER BY load_id DESC LIMIT 1"), '0', 'recorded with 0 rows loaded');

# ---------------------------------------------------------------------
# 9. the reconciliation against the generator's truth, and against tampering
sql('SELECT bedrock_cost.refresh_chargeback()');
my $cn_total = truth("$cn/newco", '2026-04-01', 'bedrock', 'cost');
is(sql("SELECT sum(file_total) = $cn_total AND sum(loaded_total) = $cn_total AND bool_and(difference = 0) "
	  . "FROM bedrock_cost.reconciliation WHERE export_id = $cn_id"), 't',
	'the create-new export reconciles with the generator\'s truth after the races');
is(sql("SELECT count(*) FROM bedrock_cost.reconciliation WHERE difference <> 0 OR net_difference <> 0"), '0',
	'every current delivery reconciles');
# rows that vanish from storage, and rows the files never had, show
my $part = sql("SELECT data_table FROM bedrock_cost.loads WHERE export_id = $cn_id AND status = 'done'");
sql("DELETE FROM bedrock_cost.$part WHERE ctid IN (SELECT ctid FROM bedrock_cost.$part LIMIT 1)");
is(sql("SELECT count(*) FROM bedrock_cost.reconciliation WHERE export_id = $cn_id AND difference <> 0"), '1',
	'a row gone from storage shows as a difference');
sql("UPDATE bedrock_cost.$part SET line_item_type = 'Forged' WHERE ctid IN (SELECT ctid FROM bedrock_cost.$part LIMIT 1)");
is(sql("SELECT file_total || ' ' || (loaded_total <> 0) FROM bedrock_cost.reconciliation "
	  . "WHERE export_id = $cn_id AND line_item_type = 'Forged'"), '0 true',
	'a line item type the files never had shows too');

# ---------------------------------------------------------------------
# 10. a refresh on its own waits for a load's transaction, no deadlock: the
# load swapped a restatement in (its DETACH holds usage_summary) and then
# refreshes; the lone refresh has work to do (a delivery committed without
# a refresh), takes usage_summary first and so waits there, not on the
# chargeback state the load's refresh needs
my $dl = "$tmp/dl";
gen('--out', $dl, '--export', 'dl', '--rows', '300', '--periods', '1', '--seed', '41');
is(load_export("$dl/dl"), 'done:1', 'an export to restate under a concurrent refresh');
sql('SELECT bedrock_cost.refresh_chargeback()');
gen('--out', "$tmp/other", '--export', 'other', '--rows', '200', '--periods', '1', '--seed', '43', '--start', '2026-05');
is(load_export("$tmp/other/other"), 'done:1', 'another delivery, committed, not yet in the chargeback');
restate($dl, 'dl', "$tmp/dl2", 340, 42);
my $load_tx = $node->background_psql('postgres');
$load_tx->query_safe('BEGIN');
is($load_tx->query_safe("SELECT status FROM bedrock_cost.load_export('$dl/dl')"), 'done',
	'the restatement is swapped in, not yet committed');
my ($rout, $rerr) = ('', '');
my $lone = IPC::Run::start(
	[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'), '-c',
	  'SELECT bedrock_cost.refresh_chargeback()' ],
	'>', \$rout, '2>', \$rerr, IPC::Run::timeout(180));
$node->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM pg_locks WHERE NOT granted AND relation = 'bedrock_cost.usage_summary'::regclass")
  or die 'the lone refresh never waited for usage_summary';
$load_tx->query_safe('SELECT bedrock_cost.refresh_chargeback()');
$load_tx->query_safe('COMMIT');
$load_tx->quit;
$lone->finish;
is($? >> 8, 0, 'the lone refresh ends once the load commits');
is($rerr, '', 'neither session was chosen as a deadlock victim');
my $dl_id = sql("SELECT export_id FROM bedrock_cost.exports WHERE path LIKE '%/dl'");
is(sql("SELECT sum(line_items) FROM bedrock_cost.chargeback_by_principal WHERE export_id = $dl_id"),
	truth("$tmp/dl2/dl", '2026-04-01', 'bedrock', 'line_items'),
	'the chargeback holds the restatement');
is(sql("SELECT sum(line_items) FROM bedrock_cost.chargeback_by_principal WHERE billing_period = '2026-05-01'"),
	truth("$tmp/other/other", '2026-05-01', 'bedrock', 'line_items'),
	'and the other delivery');

# ---------------------------------------------------------------------
# 11. the stored rows are counted before the swap: a BEFORE trigger (set by
# an event trigger on every new delivery table) that drops the Tax rows, or
# that changes a cost, fails the delivery, and the period keeps its rows;
# so does a trigger on the delivery's summary table, which would not run
my $vt = "$tmp/vt";
gen('--out', $vt, '--export', 'vt', '--rows', '400', '--periods', '1', '--seed', '51', '--start', '2026-07');
sql(q{CREATE FUNCTION public.tamper_rows() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		IF current_setting('test.tamper') = 'drop' AND NEW.line_item_type = 'Tax' THEN
			RETURN NULL;
		END IF;
		IF current_setting('test.tamper') = 'cost' AND NEW.line_item_type = 'Usage' THEN
			NEW.unblended_cost := NEW.unblended_cost + 0.000001;
		END IF;
		RETURN NEW;
	END $$});
sql(q{CREATE FUNCTION public.tamper_tables() RETURNS event_trigger LANGUAGE plpgsql AS $$
	DECLARE r record;
	BEGIN
		FOR r IN SELECT * FROM pg_event_trigger_ddl_commands()
				  WHERE command_tag = 'CREATE TABLE'
					AND object_identity LIKE coalesce(nullif(current_setting('test.tamper_tables', true), ''),
													  'bedrock_cost.line_items\_l%')
		LOOP
			EXECUTE format('CREATE TRIGGER tamper BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION public.tamper_rows()',
						   r.object_identity);
		END LOOP;
	END $$});
sql('CREATE EVENT TRIGGER tamper_tables ON ddl_command_end EXECUTE FUNCTION public.tamper_tables()');
my $vt_rows = truth("$vt/vt", '2026-07-01', 'bedrock', 'line_items');
my $failed = sql("SET test.tamper = 'drop'; SELECT status || ' ' || rows_loaded || E'\n' || error "
	  . "FROM bedrock_cost.load_export('$vt/vt')");
like($failed, qr/^failed 0\ndelivery \d+: the rows stored do not match the rows read\nDETAIL: (\d+) rows stored in (\d+) line item types; read $vt_rows rows in (\d+)\.$/,
	'rows dropped on their way into the delivery table fail the delivery, saying what was stored and read');
my ($stored, $types_stored, $types_read) =
  $failed =~ /DETAIL: (\d+) rows stored in (\d+) line item types; read \d+ rows in (\d+)/;
is(sql("SELECT count(*) FROM bedrock_cost.line_items WHERE billing_period = '2026-07-01'"), '0',
	'nothing of it was swapped in');
$failed = sql("SET test.tamper = 'cost'; SELECT status || E'\n' || error FROM bedrock_cost.load_export('$vt/vt')");
like($failed, qr/^failed\ndelivery \d+: the rows stored do not match the rows read\nDETAIL: Line item type "?Usage"?: \d+ rows, unblended cost [0-9.]+ stored; read \d+ rows, [0-9.]+\.$/,
	'a cost changed on its way in fails the delivery');
my ($usage_n, $usage_stored, $usage_read) =
  $failed =~ /: (\d+) rows, unblended cost ([0-9.]+) stored; read \d+ rows, ([0-9.]+)\./;
is(sql("SET test.tamper = 'none'; SELECT status || ' ' || rows_loaded FROM bedrock_cost.load_export('$vt/vt')"),
	"done $vt_rows", 'the same delivery untouched loads');
# what the errors said, against the rows stored by the load that passed
is(sql(q{SELECT count(*) FILTER (WHERE line_item_type <> 'Tax') || ' ' || count(DISTINCT line_item_type) FILTER (WHERE line_item_type <> 'Tax')
			|| ' ' || count(DISTINCT line_item_type) FROM bedrock_cost.line_items WHERE billing_period = '2026-07-01'}),
	"$stored $types_stored $types_read", 'stored: every row but the Tax rows; read: every row');
is(sql("SELECT count(*) = $usage_n, sum(unblended_cost) = '$usage_read'::numeric, "
	  . "sum(unblended_cost) + count(*) * 0.000001 = '$usage_stored'::numeric "
	  . "FROM bedrock_cost.line_items WHERE billing_period = '2026-07-01' AND line_item_type = 'Usage'"),
	't|t|t', 'stored: each Usage cost one millionth more; read: the Usage rows and cost of the file');
# the summaries are formed as tuples, without COPY: a trigger on a summary
# table (put there by the same event trigger, told to as the loader creates
# it) would not run, so the summary is not written into such a table, and
# the delivery fails
like(sql("SET test.tamper = 'none'; SET test.tamper_tables = 'bedrock_cost.usage\\_summary\\_l%'; "
	  . "SELECT status || E'\n' || error FROM bedrock_cost.load_export('$vt/vt', true)"),
	qr/^failed\ntable "usage_summary_l\d+" has triggers or indexes, or is not a plain table: the chargeback summary is not written into it$/,
	'a summary table with a trigger is not written into: the delivery fails');
is(sql("SELECT count(*) FROM bedrock_cost.line_items WHERE billing_period = '2026-07-01'"), $vt_rows,
	'the period keeps the delivery loaded before: the rows of the file');
sql('DROP EVENT TRIGGER tamper_tables');

# ---------------------------------------------------------------------
# 12. the first loads of two exports at once, into an empty ledger: the
# first creates bedrock_cost.loaded_data; the second waits for it to
# commit, then finds the view there (it used to fail, 'relation
# "loaded_data" already exists': it could not see the view yet)
sql('DROP EXTENSION bedrock_cost CASCADE');
sql('CREATE EXTENSION bedrock_cost');
gen('--out', "$tmp/f1", '--export', 'f1', '--rows', '200', '--periods', '1', '--seed', '51');
gen('--out', "$tmp/f2", '--export', 'f2', '--rows', '250', '--periods', '1', '--seed', '52');
my $f1 = $node->background_psql('postgres');
$f1->query_safe('BEGIN');
is($f1->query_safe("SELECT status FROM bedrock_cost.load_export('$tmp/f1/f1')"), 'done',
	'the first load of an empty ledger, not yet committed');
my ($fout, $ferr) = ('', '');
my $f2 = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
	  "SELECT status || ' ' || rows_loaded || ' ' || coalesce(error, '') FROM bedrock_cost.load_export('$tmp/f2/f2')" ],
	'>', \$fout, '2>', \$ferr, IPC::Run::timeout(180));
$node->poll_query_until('postgres', "SELECT count(*) > 0 FROM pg_locks WHERE NOT granted AND locktype = 'advisory'")
  or die 'the second first load never waited for the first';
$f1->query_safe('COMMIT');
$f1->quit;
$f2->finish;
chomp $fout;
is($fout, 'done ' . truth("$tmp/f2/f2", '2026-04-01', 'bedrock', 'line_items') . ' ',
	'the second first load, which waited for the first, is loaded too');
is($ferr, '', 'without a warning');
is(sql('SELECT current_deliveries || \' \' || ledger_rows FROM bedrock_cost.loaded_data'), '2 2',
	'one loaded_data, counting both');

$node->stop;
done_testing();
