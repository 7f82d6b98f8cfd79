# 022_loader_swap.pl: readers during a restatement see the old period or the
# new one, never a mix.  One session loads a restated delivery while another
# sums the period over and over, each sum in its own transaction, and
# watches bedrock_cost.load_progress (phase, files and bytes against their
# totals).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $node = cluster('loader_swap', extension => 1);

my @g = ('--out', "$tmp/x", '--export', 'acme', '--rows', '60000',
	'--periods', '1', '--seed', '8', '--restate');
gen(@g, '--initial-only');
is($node->safe_psql('postgres',
		"SELECT status FROM bedrock_cost.load_export('$tmp/x/acme')"), 'done', 'first delivery loaded');

my $sum_q = "SELECT count(*) || '/' || sum(unblended_cost) FROM bedrock_cost.line_items "
  . "WHERE billing_period = '2026-04-01'";
my $old = $node->safe_psql('postgres', $sum_q);

# the restatement, loaded from a background session
gen(@g);
my $reader = $node->background_psql('postgres');
my $loader = $node->background_psql('postgres');
$loader->query_until(qr/started/,
	"\\echo started\nSELECT status FROM bedrock_cost.load_export('$tmp/x/acme');\n\\echo finished\n");

my %seen;
my %phases;
my $reads = 0;
my $progress = 0;
while ($loader->{stdout} !~ /finished/)
{
	$seen{ $reader->query_safe($sum_q) }++;
	$progress++ if $reader->query_safe("SELECT count(*) FROM bedrock_cost.load_progress WHERE rows_loaded > 0") > 0;
	foreach my $p (split /\n/, $reader->query_safe(
			"SELECT phase || ' ' || load_id || ' ' || files_total || ' ' || bytes_total || ' ' "
			  . "|| (file_no BETWEEN 1 AND files_total) || ' ' || (bytes_read BETWEEN 0 AND bytes_total) "
			  . "|| ' ' || (percent BETWEEN 0 AND 100) FROM bedrock_cost.load_progress"))
	{
		$phases{$p}++;
	}
	$reads++;
	$loader->{run}->pump_nb();
	last if $reads > 100000;
}
# a few reads after the commit
$seen{ $reader->query_safe($sum_q) }++ for 1 .. 3;
$loader->quit;
$reader->quit;

my $new = $node->safe_psql('postgres', $sum_q);
like($loader->{stdout}, qr/done/, 'the restatement was loaded while the reader ran');
isnt($new, $old, 'the restatement changed the period');
ok($reads > 1, "the reader summed the period $reads times during the load");
is_deeply([ sort grep { $_ ne $old && $_ ne $new } keys %seen ], [],
	'every sum a reader saw is the old total or the new one');
ok($seen{$old}, "the old total was seen ($seen{$old} times)");
ok($seen{$new}, "the new total was seen ($seen{$new} times)");
ok($progress > 0, "bedrock_cost.load_progress showed the running load ($progress times)");

# what load_progress showed while copying: the delivery's files and bytes,
# as the ledger has them after the commit, and positions within them
my $files = $node->safe_psql('postgres',
	"SELECT l.load_id || ' ' || count(*) || ' ' || sum(f.size) FROM bedrock_cost.loads l "
	  . "JOIN bedrock_cost.load_files f USING (load_id) "
	  . "WHERE l.status = 'done' GROUP BY l.load_id");
my @copying = grep { /^copying / } keys %phases;
ok(scalar(@copying) > 0, 'the copying phase was seen');
is_deeply([ sort grep { $_ ne "copying $files true true true" } @copying ], [],
	"copying: load id, files and bytes totals as recorded ($files), file and bytes within them");
note(join(', ', map { "$_ ($phases{$_})" } sort keys %phases));
note("old $old, new $new");

# a load must not wait for a session that has updated the export's row
# (pause_export and resume_export do): the worker, which holds export_state
# by then, deadlocked with resume_export that way
{
	my $holder = $node->background_psql('postgres');
	$holder->query_safe("BEGIN; UPDATE bedrock_cost.exports SET paused = paused");
	my ($rc, $out, $err) = $node->psql('postgres',
		"SET statement_timeout = '10s'; "
		  . "SELECT string_agg(status, ',') FROM bedrock_cost.load_export('$tmp/x/acme')");
	is($out, 'noop', 'a load does not wait for an open update of its export row') or diag($err);
	$holder->query_safe("COMMIT");
	$holder->quit;
}

$node->stop;
done_testing();
