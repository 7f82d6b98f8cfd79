# 061_admin_load_progress.pl: a member of bedrock_cost_admin who is not a
# superuser sees the loads of other sessions in bedrock_cost.load_progress.
#
# Progress entries are visible only to superusers, pg_read_all_stats and the
# backend's own role, so the view reads them through a SECURITY DEFINER
# function that returns the loader's entries of the current database only.
# A superuser's load is held in its swapping phase (another session holds a
# lock on line_items), and the admin, a role without rights, and an admin in
# another database look at it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $node = cluster('admin_progress', extension => 1, databases => ['other']);
$node->safe_psql('postgres', 'CREATE ROLE watcher LOGIN IN ROLE bedrock_cost_admin');
$node->safe_psql('postgres', 'CREATE ROLE nobody LOGIN');

gen('--out', "$tmp/x", '--export', 'acme',
	'--rows', '2000', '--periods', '1', '--seed', '5');

# (exit code, stdout, stderr) of a query run as a role
sub query_as
{
	my ($user, $db, $sql) = @_;
	my ($out, $err) = ('', '');
	my $rc = $node->psql($db, $sql, stdout => \$out, stderr => \$err,
		extra_params => [ '-U', $user ]);
	return ($rc, $out, $err);
}

my $progress_q = "SELECT phase || ' ' || (load_id > 0) || ' ' || file_no || '/' || files_total || ' ' "
  . "|| (bytes_read = bytes_total) || ' ' || percent || ' ' || (pid > 0) || ' ' || (query_start IS NOT NULL) "
  . "FROM bedrock_cost.load_progress";

# hold the superuser's load before its swap
my $holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN; LOCK TABLE bedrock_cost.line_items IN ACCESS EXCLUSIVE MODE');
my $loader = $node->background_psql('postgres');
$loader->query_until(qr/started/,
	"\\echo started\nSELECT status FROM bedrock_cost.load_export('$tmp/x/acme');\n\\echo finished\n");
ok($node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM bedrock_cost.load_progress WHERE phase = 'swapping'"),
	'the superuser sees the load waiting in its swapping phase');

my ($rc, $out, $err) = query_as('watcher', 'postgres', $progress_q);
is($out, 'swapping true 1/1 true 100.0 true true',
	'a bedrock_cost_admin member sees the superuser\'s load') or diag($err);
($rc, $out, $err) = query_as('watcher', 'postgres',
	'SELECT count(*) FROM pg_stat_progress_copy WHERE relid IS NOT NULL');
is($out, '0', 'without the view it would see none of it (the progress entry hides its figures)');
($rc, $out, $err) = query_as('watcher', 'other', $progress_q);
is($out, '', 'an admin in another database does not see the load');
($rc, $out, $err) = query_as('nobody', 'postgres', $progress_q);
like($err, qr/permission denied for (view|schema) /, 'a role without rights reads nothing');
($rc, $out, $err) = query_as('nobody', 'postgres', 'SELECT * FROM bedrock_cost.load_progress_rows()');
like($err, qr/permission denied for (function load_progress_rows|schema bedrock_cost)/,
	'nor through the function');

$holder->query_safe('COMMIT');
$holder->quit;
like($loader->query_until(qr/finished/, ''), qr/^done$/m,
	'the load completes once the lock is released');
$loader->quit;
is($node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.load_progress'), '0',
	'nothing running afterwards');

$node->stop;
done_testing();
