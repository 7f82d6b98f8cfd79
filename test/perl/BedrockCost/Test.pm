# BedrockCost::Test: the set-up the TAP suites of test/t share.
#
# A suite finds this folder (test/perl) from its own place, which works
# under make prove_installcheck and from the copy of the tree that
# scripts/test.sh runs as user postgres:
#
#   use FindBin;
#   use lib "$FindBin::RealBin/../perl";
#   use BedrockCost::Test;
#
# Everything below is exported by default.  The functions that run SQL act
# on the last cluster made by cluster() (one per suite).
#
# Tools
#   tool($name)
#       Path of a program of the tree (bedrock-cost-gen, bedrock-cost-load):
#       $BC_GEN for the generator when set, else ./NAME as make builds it,
#       else NAME in pg_config --bindir (make install-tools).  Dies when it
#       is nowhere: a missing tool fails the suite, it never skips it.
#   gen(@args)
#       Runs bedrock-cost-gen --quiet @args; dies with its stderr on
#       failure.  Returns "OUT/EXPORT" when @args has --out OUT and
#       --export EXPORT (the export's folder), else undef.
#   gen_staged($name, @args)
#       gen into a staging folder of the suite, OUT = STAGE/$name, export
#       "cur"; returns the export's folder STAGE/$name/cur.  What the worker
#       suites deliver from.
#   deliver($from, $to, %opt)
#       Copies a generated export $from into the export folder $to the way
#       a sync from S3 may: every data file first, then every manifest
#       (each sorted by path), creating folders.  only => qr{...} copies
#       only the files whose path relative to $from matches; replace => 1
#       unlinks each target first (a new file, not an overwritten one).
#   client(@args) / client(\%opt, @args)
#       Runs bedrock-cost-load @args with no standard input; returns (exit
#       code, stdout, stderr).  %opt: env => { NAME => value } set for the
#       run, timeout => seconds (default 180).
#   client_api_load($db, $export, $month, $exec, $cost, @rows)
#       Drives the client API by hand in database $db, as bedrock-cost-load
#       would: client_begin_delivery of a delivery of export folder $export
#       for billing month $month ("2026-10"), execution $exec, declaring
#       one Usage total $cost over @rows; one INSERT per row, each
#       [unblended_cost, usage_amount, tokens] as SQL literals (usage
#       start 23:30 at UTC-2 on the 1st, so the UTC usage day is the 2nd,
#       usage type USE1-x, tags {"a": "1", "b": "2"}); then
#       client_finish_delivery and COMMIT.  Returns (psql exit code,
#       stdout, stderr).
#
# Ground truth (the generator's ground_truth/summary.csv)
#   truth($export, $period, $measure, $col, $delivery)
#       The value of column $col in the row of $measure (bedrock, ...) for
#       billing period $period ("2026-04-01"; undef: the first period of the
#       file) and delivery $delivery (undef: the latest one); with $col a
#       list ([qw(line_items execution_id)]), the list of those values.
#       Dies when there is no such row.
#   truth_by_period($export)
#       The latest Bedrock rows per period as the suites compare them with
#       line_items: "period|line_items|cost" lines, sorted.
#   truth_tables($dir, %tables)
#       Loads ground-truth CSVs into SQL: for each NAME => 'column
#       definitions', table truth.NAME (schema and table made if missing)
#       is emptied and COPYed from $dir/NAME.csv.
#   $truth_key, $truth_sums
#       The column definitions of the ground-truth tables: the delivery
#       key (billing_period, delivery, execution_id, latest) and the sums
#       (line_items, cost, net_cost, tokens of each kind).
#
# Clusters and SQL
#   cluster($name, %opt)
#       A new PostgreSQL::Test::Cluster, initialised, configured and
#       started; becomes the cluster of sql() and friends.  %opt:
#         worker => 1        shared_preload_libraries = 'bedrock_cost' and
#                            bedrock_cost.database (the launcher runs)
#         database => NAME   the worker's database (default postgres)
#         root => DIR        bedrock_cost.export_root
#         settings => {...}  more postgresql.conf settings (name => value)
#         extension => 1     CREATE EXTENSION bedrock_cost in postgres
#         databases => [...] CREATE DATABASE each, with the extension
#   node()
#       The cluster of sql().
#   sql($query) / sql_db($db, $query)
#       safe_psql in postgres / in $db: the output, or die.
#   load_export($path, $extra)
#       bedrock_cost.load_export($path$extra) summed up as "status:count"
#       pairs in status order ("done:3", "done:1 noop:2").
#
# What users keep (dump and restore, upgrade)
#   table_snapshot($relation)
#       SQL giving "rows md5" of a relation (or a parenthesised query) with
#       its rows as text in a fixed order: equal snapshots, equal rows.
#   kept_state($db)
#       Everything a database of the extension keeps and shows, as
#       (\%queries, \@load_ids): a name => snapshot query for the ledger,
#       the line items and history, the summaries, the settings, team
#       access, budgets, every chargeback table and view (bi_* too), the
#       user's model aliases, export status, sums, partitions, sequences,
#       and the as-of answers of every delivery that has rows in $db (its
#       load ids, the second result).  A suite compares two databases
#       query by query, adding or removing what its case changes.

# The worker (clusters made with worker => 1)
#   wait_cycles($n)
#       Waits until the launcher has been through $n more loop iterations
#       (its query in pg_stat_activity counts them); dies when it is stuck.
#   log_appears($re, $offset)
#       Waits until the server log (from byte $offset) matches $re; true
#       when it did, false after the framework's timeout: an assertion
#       (ok(log_appears(...), ...)), where wait_for_log would die.
#
# Interrupting a load (bedrock_cost.debug_pause_after_rows)
#   start_paused_load($db, $rows, $query)
#       Starts a background psql session in $db (on_error_stop => 0) that
#       sets the pause to $rows rows and runs $query, a load; returns the
#       session and the pid of its backend, without waiting for the pause.
#   wait_paused_load($db, $where)
#       Polls $db (default postgres) until a load (a backend in
#       pg_stat_progress_copy) waits in the pause (wait_event_type
#       'Extension'), with the extra condition $where on pg_stat_activity
#       a, when given; returns the pid of the paused backend; dies if it
#       never pauses.
#
# Files
#   put($path, $content)
#       Writes a file, creating its folder.
#   csvq($value)
#       A CSV field: quoted (quotes doubled) when it holds a quote, a comma
#       or a line break.
#   hand_row()
#       The columns of one valid Amazon Bedrock CUR row (January 2025,
#       user alice, 12.5K input tokens for 0.0375), as a list of name =>
#       value pairs, the base of hand-made files.
#   hand_cols()
#       The header of a hand-made file: hand_row's columns, in file order.
#   write_csv_gz($path, \@cols, \%base, @rows)
#       Writes a gzip CUR file: the header @cols, then one line per row
#       (a hash whose values override %base); returns $path.
package BedrockCost::Test;
use strict;
use warnings;
use Exporter 'import';
use File::Copy qw(copy);
use File::Find;
use File::Path qw(make_path);
use IO::Compress::Gzip qw(gzip $GzipError);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(tool gen gen_staged deliver client client_api_load truth truth_by_period
  cluster node sql sql_db load_export wait_cycles log_appears
  start_paused_load wait_paused_load put csvq hand_row hand_cols write_csv_gz truth_tables $truth_key $truth_sums
  table_snapshot kept_state);

our $truth_key = 'billing_period date, delivery int, execution_id text, latest boolean';
our $truth_sums = 'line_items bigint, cost numeric, net_cost numeric, input_tokens numeric, output_tokens numeric, '
  . 'cache_read_tokens numeric, cache_write_tokens numeric';

my $node;
my $stage;

# ---------------------------------------------------------------------------
# tools

sub tool
{
	my ($name) = @_;
	return $ENV{BC_GEN} if $name eq 'bedrock-cost-gen' && $ENV{BC_GEN};
	return "./$name" if -x "./$name";
	my $bindir = `pg_config --bindir`;
	chomp $bindir;
	return "$bindir/$name" if -x "$bindir/$name";
	die "$name is neither built in the tree nor installed in $bindir (run make first)\n";
}

sub gen
{
	my @args = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ tool('bedrock-cost-gen'), '--quiet', @args ], '<', \undef, '>', \$out, '2>', \$err)
	  or die "bedrock-cost-gen @args failed: $err";
	my %a;
	for my $i (0 .. $#args - 1)
	{
		$a{ $args[$i] } = $args[ $i + 1 ] if $args[$i] =~ /^--(?:out|export)$/;
	}
	return defined $a{'--out'} && defined $a{'--export'} ? "$a{'--out'}/$a{'--export'}" : undef;
}

sub gen_staged
{
	my ($name, @args) = @_;
	$stage //= PostgreSQL::Test::Utils::tempdir('stage');
	return gen('--out', "$stage/$name", '--export', 'cur', @args);
}

sub deliver
{
	my ($from, $to, %opt) = @_;
	for my $part ('data', 'metadata')
	{
		my @files;
		find({ wanted => sub { push @files, $File::Find::name if -f $_ }, no_chdir => 1 },
			"$from/$part");
		for my $f (sort @files)
		{
			my $rel = substr($f, length($from) + 1);
			next if $opt{only} && $rel !~ $opt{only};
			(my $dir = "$to/$rel") =~ s{/[^/]*$}{};
			make_path($dir);
			unlink("$to/$rel") if $opt{replace};
			copy($f, "$to/$rel") or die "copy $rel: $!";
		}
	}
	return;
}

sub client
{
	my %opt = ref $_[0] eq 'HASH' ? %{ shift @_ } : ();
	my @args = @_;
	my ($out, $err) = ('', '');
	local %ENV = (%ENV, %{ $opt{env} // {} });
	IPC::Run::run([ tool('bedrock-cost-load'), @args ], '<', \undef, '>', \$out, '2>', \$err,
		IPC::Run::timeout($opt{timeout} // 180));
	return ($? >> 8, $out, $err);
}

# ---------------------------------------------------------------------------
# ground truth

# the rows of ground_truth/summary.csv, as hashes by column name
sub truth_rows
{
	my ($export) = @_;
	my @lines = split /\n/, slurp_file("$export/ground_truth/summary.csv");
	my @head = split /,/, shift @lines;
	my @rows;
	for my $l (@lines)
	{
		my %r;
		@r{@head} = split /,/, $l;
		push @rows, \%r;
	}
	return @rows;
}

sub truth
{
	my ($export, $period, $measure, $col, $delivery) = @_;
	for my $r (truth_rows($export))
	{
		next if defined $period && $r->{billing_period} ne $period;
		next if $r->{measure} ne $measure;
		next if defined $delivery ? $r->{delivery} ne $delivery : $r->{latest} ne 't';
		return ref $col ? @{$r}{@$col} : $r->{$col};
	}
	die "no truth for " . ($period // 'any period') . " $measure in $export";
}

sub truth_by_period
{
	my ($export) = @_;
	my @want = map { "$_->{billing_period}|$_->{line_items}|$_->{cost}" }
	  grep { $_->{measure} eq 'bedrock' && $_->{latest} eq 't' } truth_rows($export);
	return join("\n", sort @want);
}

sub truth_tables
{
	my ($dir, %tables) = @_;
	sql('CREATE SCHEMA IF NOT EXISTS truth');
	for my $t (sort keys %tables)
	{
		sql("CREATE TABLE IF NOT EXISTS truth.$t ($tables{$t}); TRUNCATE truth.$t; "
			  . "COPY truth.$t FROM '$dir/$t.csv' (FORMAT csv, HEADER)");
	}
	return;
}

# ---------------------------------------------------------------------------
# clusters and SQL

sub cluster
{
	my ($name, %opt) = @_;
	$node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	my %set = %{ $opt{settings} // {} };
	if ($opt{worker})
	{
		$set{shared_preload_libraries} = 'bedrock_cost';
		$set{'bedrock_cost.database'} = $opt{database} // 'postgres';
	}
	$set{'bedrock_cost.export_root'} = $opt{root} if defined $opt{root};
	my $conf = '';
	for my $k (sort keys %set)
	{
		(my $v = $set{$k}) =~ s/'/''/g;
		$conf .= "$k = '$v'\n";
	}
	$node->append_conf('postgresql.conf', $conf) if $conf ne '';
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION bedrock_cost') if $opt{extension};
	for my $db (@{ $opt{databases} // [] })
	{
		$node->safe_psql('postgres', "CREATE DATABASE $db");
		$node->safe_psql($db, 'CREATE EXTENSION bedrock_cost');
	}
	return $node;
}

sub node { return $node; }

sub client_api_load
{
	my ($db, $export, $month, $exec, $cost, @rows) = @_;
	my $name = $export =~ s{.*/}{}r;
	my $nrows = scalar @rows;
	my $d = qq({"export": "$export", "billing_period": "$month-01", "source": "export",
	"manifest_path": "$export/metadata/BILLING_PERIOD=$month/$name-Manifest.json", "execution_id": "$exec",
	"files": [{"path": "$export/data/BILLING_PERIOD=$month/f.csv.gz", "size": 10,
	"sha256": "0000000000000000000000000000000000000000000000000000000000000000"}],
	"rows_read": $nrows, "rows_loaded": $nrows, "rows_rejected": 0, "rows_other": 0, "bytes_read": 10,
	"totals": [{"line_item_type": "Usage", "is_bedrock": true, "rows": $nrows, "rejected_rows": 0,
		"unblended_cost": "$cost", "net_unblended_cost": null}], "usage_types": [], "usage_products": [], "rejects": []});
	my $q = "BEGIN; SELECT load_id, export_id FROM bedrock_cost.client_begin_delivery('$d') \\gset\n";
	my $line = 2;
	for my $r (@rows)
	{
		$q .= "INSERT INTO bedrock_cost.line_items_l:load_id (billing_period, export_id, load_id, file_no, "
		  . "line_number, usage_start, usage_end, line_item_type, payer_account_id, usage_account_id, "
		  . "product_code, usage_type, unblended_cost, usage_amount, tokens, tags) VALUES ('$month-01', "
		  . ":export_id, :load_id, 1, " . $line++ . ", '$month-01 23:30:00-02', '$month-02', 'Usage', '1', '1', "
		  . "'AmazonBedrock', 'USE1-x', $r->[0], $r->[1], $r->[2], '{\"b\": \"2\", \"a\": \"1\"}');\n";
	}
	$q .= "SELECT bedrock_cost.client_finish_delivery(:load_id, '$d'); COMMIT;";
	return $node->psql($db, $q);
}


sub sql { return $node->safe_psql('postgres', $_[0]); }

sub sql_db { return $node->safe_psql($_[0], $_[1]); }

sub load_export
{
	my ($path, $extra) = @_;
	$extra //= '';
	return sql("SELECT string_agg(status || ':' || n, ' ' ORDER BY status) FROM "
		  . "(SELECT status, count(*) AS n FROM bedrock_cost.load_export('$path'$extra) GROUP BY 1) s");
}

# ---------------------------------------------------------------------------
# what users keep

sub table_snapshot
{
	my ($rel) = @_;
	return "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '-') FROM $rel x";
}

# the relations compared whole
my @kept_relations = qw(
  bedrock_cost.exports bedrock_cost.loads bedrock_cost.load_files bedrock_cost.load_totals
  bedrock_cost.load_errors bedrock_cost.usage_types bedrock_cost.export_state
  bedrock_cost.export_deliveries bedrock_cost.chargeback_settings bedrock_cost.team_access
  bedrock_cost.line_items bedrock_cost.line_items_history
  bedrock_cost.usage_summary bedrock_cost.usage_summary_history bedrock_cost.usage_period
  bedrock_cost.usage_daily
  bedrock_cost.current_loads bedrock_cost.reconciliation bedrock_cost.reconciliation_files
  bedrock_cost.chargeback_base bedrock_cost.chargeback_usage_types bedrock_cost.chargeback_by_principal
  bedrock_cost.chargeback_by_tag bedrock_cost.usage_by_model bedrock_cost.chargeback_daily
  bedrock_cost.chargeback_allocated bedrock_cost.focus_bedrock
  bedrock_cost.team_model_mix bedrock_cost.usage_profile bedrock_cost.spikes
  bedrock_cost.budgets bedrock_cost.budget_state bedrock_cost.budget_status
  bedrock_cost.bi_chargeback_by_principal bedrock_cost.bi_principal_tags bedrock_cost.bi_chargeback_by_tag
  bedrock_cost.bi_usage_by_model bedrock_cost.bi_daily bedrock_cost.bi_chargeback_allocated
  bedrock_cost.bi_team_model_mix bedrock_cost.bi_usage_profile bedrock_cost.bi_budget_status
  bedrock_cost.bi_spikes bedrock_cost.bi_daily_by_tag bedrock_cost.chargeback_by_resource
  bedrock_cost.bi_chargeback_by_resource bedrock_cost.bi_focus_bedrock);

sub kept_state
{
	my ($db) = @_;
	my %q = map { ($_ => table_snapshot($_)) } @kept_relations;
	$q{'model_aliases (user rows)'} = table_snapshot('(SELECT * FROM bedrock_cost.model_aliases WHERE NOT seeded)');
	$q{'export_status'} = table_snapshot('(SELECT export_name, export_id, path, paused, last_poll, last_success, '
		  . 'last_loaded_period, last_loaded_execution_id, pending_deliveries, failures FROM bedrock_cost.export_status)');
	$q{'line item sums'} = 'SELECT count(*), sum(unblended_cost), sum(net_unblended_cost), sum(tokens), '
	  . 'count(DISTINCT load_id) FROM bedrock_cost.line_items';
	$q{'history sums'} = 'SELECT count(*), sum(unblended_cost), count(DISTINCT load_id) FROM bedrock_cost.line_items_history';
	$q{'partitions'} = q{SELECT string_agg(i.inhrelid::regclass || ' of ' || i.inhparent::regclass || ' '
		  || pg_get_expr(c.relpartbound, c.oid), E'\n' ORDER BY i.inhrelid::regclass::text)
		  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		 WHERE i.inhparent IN ('bedrock_cost.line_items'::regclass, 'bedrock_cost.line_items_history'::regclass)};
	$q{'sequences'} = 'SELECT (SELECT last_value FROM bedrock_cost.loads_load_id_seq), '
	  . '(SELECT last_value FROM bedrock_cost.exports_export_id_seq)';
	my @ids = split /\n/,
	  sql_db($db, "SELECT load_id FROM bedrock_cost.loads WHERE status IN ('done', 'superseded') ORDER BY 1");
	for my $id (@ids)
	{
		$q{"chargeback_by_principal_as_of($id)"} = table_snapshot("bedrock_cost.chargeback_by_principal_as_of($id)");
		$q{"chargeback_base_as_of($id)"} = table_snapshot("bedrock_cost.chargeback_base_as_of($id)");
		$q{"line_items_as_of($id)"} = table_snapshot("bedrock_cost.line_items_as_of($id)");
	}
	return (\%q, \@ids);
}

# ---------------------------------------------------------------------------
# the worker

sub wait_cycles
{
	my ($n) = @_;
	my $cycle_q = "(SELECT substring(query FROM 'cycle ([0-9]+)')::int FROM pg_stat_activity"
	  . " WHERE backend_type = 'bedrock_cost launcher')";
	$node->poll_query_until('postgres', "SELECT $cycle_q IS NOT NULL") or die 'no launcher';
	my $c0 = $node->safe_psql('postgres', "SELECT $cycle_q");
	$node->poll_query_until('postgres', "SELECT $cycle_q >= $c0 + $n") or die 'launcher stuck';
	return;
}

sub log_appears
{
	my ($re, $offset) = @_;
	return eval { $node->wait_for_log($re, $offset); 1 } ? 1 : 0;
}

# ---------------------------------------------------------------------------
# interrupting a load

sub start_paused_load
{
	my ($db, $rows, $query) = @_;
	my $session = $node->background_psql($db, on_error_stop => 0);
	my $started = $session->query_until(qr/started \d+/,
		"SET bedrock_cost.debug_pause_after_rows = $rows;\n"
		  . "SELECT pg_backend_pid() AS pid \\gset\n\\echo started :pid\n$query;\n");
	my ($pid) = $started =~ /started (\d+)/ or die "no pid from the loading session: $started";
	return ($session, $pid);
}

# the backends in a COPY that wait on an extension's wait event
sub paused_loads
{
	my ($where) = @_;
	return "FROM pg_stat_activity a JOIN pg_stat_progress_copy p USING (pid)"
	  . " WHERE a.wait_event_type = 'Extension'" . (defined $where ? " AND ($where)" : '');
}

sub paused_load_query
{
	my ($where) = @_;
	return 'SELECT count(*) = 1 ' . paused_loads($where);
}

sub wait_paused_load
{
	my ($db, $where) = @_;
	$db //= 'postgres';
	$node->poll_query_until($db, paused_load_query($where)) or die 'the load never paused';
	return $node->safe_psql($db, 'SELECT a.pid ' . paused_loads($where));
}

# ---------------------------------------------------------------------------
# files

sub put
{
	my ($path, $content) = @_;
	(my $dir = $path) =~ s{/[^/]*$}{};
	make_path($dir);
	open my $fh, '>', $path or die "$path: $!";
	print $fh $content;
	close $fh;
	return;
}

sub csvq { my $v = shift; return $v =~ /[",\r\n]/ ? '"' . ($v =~ s/"/""/gr) . '"' : $v; }

sub hand_row
{
	return (
		bill_billing_entity => 'AWS', bill_payer_account_id => '999988887777',
		bill_billing_period_start_date => '2025-01-01T00:00:00Z', line_item_line_item_type => 'Usage',
		line_item_usage_start_date => '2025-01-02T00:00:00Z', line_item_usage_end_date => '2025-01-03T00:00:00Z',
		line_item_usage_account_id => '111122223333', line_item_product_code => 'AmazonBedrock',
		line_item_usage_type => 'USE1-Claude4.6Sonnet-input-tokens', line_item_usage_amount => '12.5',
		line_item_unblended_cost => '0.0375', line_item_net_unblended_cost => '',
		line_item_iam_principal => 'arn:aws:iam::111122223333:user/alice',
		pricing_unit => '1K tokens', tags => '{"iamPrincipal/team":"a"}', product => '{"product_name":"Amazon Bedrock"}');
}

sub hand_cols
{
	return qw(bill_billing_entity bill_payer_account_id bill_billing_period_start_date
	  line_item_line_item_type line_item_usage_start_date line_item_usage_end_date
	  line_item_usage_account_id line_item_product_code line_item_usage_type
	  line_item_usage_amount line_item_unblended_cost line_item_net_unblended_cost
	  line_item_iam_principal pricing_unit tags product);
}

sub write_csv_gz
{
	my ($path, $cols, $base, @rows) = @_;
	my $text = join(',', @$cols) . "\n";
	foreach my $r (@rows)
	{
		my %v = (%$base, %$r);
		$text .= join(',', map { csvq($v{$_}) } @$cols) . "\n";
	}
	gzip(\$text => $path) or die $GzipError;
	return $path;
}

1;
