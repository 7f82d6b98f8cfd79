# 032_worker_crash.pl: the launcher is killed (kill -9) and the server is
# restarted (immediate mode) in the middle of a load; afterwards the data
# equals the ground truth, nothing is duplicated, no ledger row is left
# 'running', and the interrupted load was redone.  A corrupt delivery is
# recorded with its error and retried with backoff, the period keeps its
# previous data, and another export keeps loading meanwhile.
use strict;
use warnings;
use File::Copy qw(copy);
use IPC::Run;
use File::Find;
use File::Path qw(make_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $gen = $ENV{BC_GEN};
if (!$gen)
{
	$gen = -x './bedrock-cost-gen' ? './bedrock-cost-gen' : undef;
	if (!$gen)
	{
		my $bindir = `pg_config --bindir`;
		chomp $bindir;
		$gen = "$bindir/bedrock-cost-gen";
	}
}
# a missing generator is a failure, not a skip: make builds it
die "bedrock-cost-gen not found at $gen (run make first)\n" unless -x $gen;

my $stage = PostgreSQL::Test::Utils::tempdir('stage');
my $root = PostgreSQL::Test::Utils::tempdir('exports');

# run the generator into $stage/$name
sub gen
{
	my ($name, @args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $gen, '--quiet', '--out', "$stage/$name", '--export', 'cur', @args ],
		'>', \$out, '2>', \$err)
	  or die "bedrock-cost-gen @args failed: $err";
	return "$stage/$name/cur";
}

# copy every data file, then every manifest, of a generated export
sub deliver
{
	my ($from, $to) = @_;
	for my $part ('data', 'metadata')
	{
		my @files;
		find({ wanted => sub { push @files, $File::Find::name if -f $_ }, no_chdir => 1 },
			"$from/$part");
		for my $f (sort @files)
		{
			my $rel = substr($f, length($from) + 1);
			(my $dir = "$to/$rel") =~ s{/[^/]*$}{};
			make_path($dir);
			copy($f, "$to/$rel") or die "copy $rel: $!";
		}
	}
	return;
}

# ground truth of the latest delivery of each period: "period|rows|cost"
sub truth
{
	my ($export) = @_;
	my @lines = split /\n/, slurp_file("$export/ground_truth/summary.csv");
	my @head = split /,/, shift @lines;
	my @want;
	for my $l (@lines)
	{
		my %r;
		@r{@head} = split /,/, $l;
		push @want, "$r{billing_period}|$r{line_items}|$r{cost}"
		  if $r{measure} eq 'bedrock' && $r{latest} eq 't';
	}
	return join("\n", sort @want);
}

# what line_items holds for one export, in the same form
sub loaded
{
	my ($node, $name) = @_;
	return $node->safe_psql('postgres',
		"SELECT billing_period || '|' || count(*) || '|' || sum(unblended_cost)"
		  . " FROM bedrock_cost.line_items li JOIN bedrock_cost.exports e USING (export_id)"
		  . " WHERE e.export_name = '$name' GROUP BY billing_period ORDER BY billing_period");
}

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'bedrock_cost'
bedrock_cost.database = 'postgres'
bedrock_cost.export_root = '$root'
bedrock_cost.poll_interval = 1
restart_after_crash = on
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bedrock_cost');
make_path("$root/acme/cur", "$root/beta/cur");
$node->safe_psql('postgres', "SELECT bedrock_cost.add_export('acme', 'acme/cur')");

my $launcher_pid_q =
  "SELECT pid FROM pg_stat_activity WHERE backend_type = 'bedrock_cost launcher'";
my $in_load_q = "SELECT count(*) = 1 FROM pg_stat_activity"
  . " WHERE backend_type = 'bedrock_cost launcher'"
  . " AND query LIKE 'bedrock_cost: loading export \"acme\"%' AND wait_event_type = 'Extension'";

my $cycle_q = "(SELECT substring(query FROM 'cycle ([0-9]+)')::int FROM pg_stat_activity"
  . " WHERE backend_type = 'bedrock_cost launcher')";
# wait until the launcher has been through $n more loop iterations
sub wait_cycles
{
	my ($n) = @_;
	$node->poll_query_until('postgres', "SELECT $cycle_q IS NOT NULL") or die 'no launcher';
	my $c0 = $node->safe_psql('postgres', "SELECT $cycle_q");
	$node->poll_query_until('postgres', "SELECT $cycle_q >= $c0 + $n") or die 'launcher stuck';
	return;
}

my $init = gen('init', qw(--rows 300 --periods 2 --restate --initial-only --chunk-rows 100 --seed 21));
my $full = gen('full', qw(--rows 300 --periods 2 --restate --chunk-rows 100 --seed 21));

# ---------------------------------------------------------------------------
# kill -9 of the launcher while its load transaction is open
$node->append_conf('postgresql.conf', "bedrock_cost.debug_load_pause_ms = 600000\n");
$node->reload;
wait_cycles(2);
deliver($init, "$root/acme/cur");
$node->poll_query_until('postgres', $in_load_q) or die 'load never paused';
is($node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.line_items'), '0',
	'mid-load: nothing visible yet');
ok($node->safe_psql('postgres',
		"SELECT loading_since IS NOT NULL FROM bedrock_cost.export_status WHERE export_name = 'acme'")
	  eq 't', 'mid-load: export_status shows the load running');
my $pid = $node->safe_psql('postgres', $launcher_pid_q);
$node->append_conf('postgresql.conf', "bedrock_cost.debug_load_pause_ms = 0\n");
kill 'KILL', $pid or die "kill $pid: $!";
$node->reload;
$node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM bedrock_cost.export_deliveries WHERE status = 'loaded'")
  or die 'not loaded after the crash';
is(loaded($node, 'acme'), truth($init), 'after kill -9: data equals the ground truth');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM bedrock_cost.loads WHERE status = 'running'"),
	'0', 'after kill -9: no ledger row left running');
is($node->safe_psql('postgres',
		"SELECT string_agg(billing_period || ':' || n, ',') FROM (SELECT billing_period, count(*) n"
		  . " FROM bedrock_cost.loads WHERE status = 'done' GROUP BY 1 ORDER BY 1) s"),
	'2026-04-01:1,2026-05-01:1', 'after kill -9: one current load per period');
like($node->safe_psql('postgres',
		"SELECT last_error FROM bedrock_cost.export_status WHERE export_name = 'acme'"),
	qr/^interrupted: /, 'the interrupted load was noticed, then redone');
isnt($node->safe_psql('postgres', $launcher_pid_q), $pid, 'a new launcher runs');

# ---------------------------------------------------------------------------
# immediate shutdown while the restatement is being loaded
$node->append_conf('postgresql.conf', "bedrock_cost.debug_load_pause_ms = 600000\n");
$node->reload;
wait_cycles(2);
deliver($full, "$root/acme/cur");
$node->poll_query_until('postgres', $in_load_q) or die 'restatement never paused';
$node->append_conf('postgresql.conf', "bedrock_cost.debug_load_pause_ms = 0\n");
$node->stop('immediate');
$node->start;
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM bedrock_cost.loads WHERE status = 'superseded'")
  or die 'restatement not loaded after the restart';
$node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM bedrock_cost.export_deliveries WHERE status = 'loaded'")
  or die 'deliveries not all loaded after the restart';
is(loaded($node, 'acme'), truth($full), 'after immediate restart: data equals the new ground truth');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM bedrock_cost.loads WHERE status IN ('running', 'failed')"),
	'0', 'after immediate restart: no running or failed ledger row');

# ---------------------------------------------------------------------------
# a corrupt delivery of one export; another export keeps loading
my $good = gen('good', qw(--rows 200 --periods 1 --start 2026-07 --seed 31));
my $bad = gen('bad', qw(--rows 200 --periods 1 --start 2026-07 --seed 32 --fault bad-number));
$node->safe_psql('postgres', "SELECT bedrock_cost.add_export('beta', 'beta/cur')");
deliver($good, "$root/beta/cur");
$node->poll_query_until('postgres',
	"SELECT last_loaded_period = '2026-07-01' FROM bedrock_cost.export_status WHERE export_name = 'beta'")
  or die 'beta not loaded';
is(loaded($node, 'beta'), truth($good), 'beta loaded');

deliver($bad, "$root/beta/cur");
$node->poll_query_until('postgres',
	"SELECT failures >= 2 AND failed_deliveries = 1 AND next_attempt > last_error_at"
	  . " FROM bedrock_cost.export_status WHERE export_name = 'beta'")
  or die 'corrupt delivery not failed twice';
like($node->safe_psql('postgres',
		"SELECT last_error FROM bedrock_cost.export_status WHERE export_name = 'beta'"),
	qr/12\.3\.4e/, 'status shows the error naming the bad value');
is(loaded($node, 'beta'), truth($good), 'the period keeps its previous data');

# acme gets a new period meanwhile and loads it
my $more = gen('more', qw(--rows 200 --periods 1 --start 2026-08 --seed 33));
deliver($more, "$root/acme/cur");
ok($node->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM bedrock_cost.line_items li JOIN bedrock_cost.exports e USING (export_id)"
		  . " WHERE e.export_name = 'acme' AND billing_period = '2026-08-01'"),
	'another export keeps loading while beta fails');

# resume_export clears the backoff; a fixed delivery then loads
deliver($good, "$root/beta/cur");
$node->safe_psql('postgres', "SELECT bedrock_cost.resume_export('beta')");
$node->poll_query_until('postgres',
	"SELECT failed_deliveries = 0 AND pending_deliveries = 0 FROM bedrock_cost.export_status"
	  . " WHERE export_name = 'beta'")
  or die 'fixed delivery not loaded';
is(loaded($node, 'beta'), truth($good), 'fixed delivery loaded');

$node->stop;
done_testing();
