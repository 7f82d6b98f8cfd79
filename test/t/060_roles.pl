# 060_roles.pl: CREATE EXTENSION refuses to adopt a squatted role.
#
# bedrock_cost_admin, bedrock_cost_reader and bedrock_cost_worker are
# cluster-wide and receive the extension's grants (the worker group also
# membership in bedrock_cost_admin).  A role of that name that exists before the
# install is adopted only when it is a plain NOLOGIN role without a
# password or special attributes; otherwise CREATE EXTENSION fails with
# duplicate_object, names what the role has and hints how to fix it.  The
# role the extension created in one database is adopted by a second
# database's install.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = cluster('roles');

# CREATE EXTENSION in db; returns (exit code, stderr) with the SQLSTATE shown
sub install
{
	my ($db) = @_;
	my ($out, $err) = ('', '');
	my $rc = $node->psql($db, "\\set VERBOSITY verbose\nCREATE EXTENSION bedrock_cost;",
		stdout => \$out, stderr => \$err);
	return ($rc, $err);
}

sub installed
{
	my ($db) = @_;
	return $node->safe_psql($db,
		"SELECT count(*) FROM pg_extension WHERE extname = 'bedrock_cost'");
}

# role, the attributes it is squatted with, what the message lists, the fix
my @squats = (
	[ 'bedrock_cost_admin', "LOGIN PASSWORD 'squat'", 'LOGIN, a password', 'NOLOGIN PASSWORD NULL' ],
	[ 'bedrock_cost_admin', 'LOGIN', 'LOGIN', 'NOLOGIN' ],
	[ 'bedrock_cost_admin', "NOLOGIN PASSWORD 'squat'", 'a password', 'PASSWORD NULL' ],
	[ 'bedrock_cost_admin', 'SUPERUSER', 'SUPERUSER', 'NOSUPERUSER' ],
	[ 'bedrock_cost_admin', 'CREATEDB', 'CREATEDB', 'NOCREATEDB' ],
	[ 'bedrock_cost_admin', 'CREATEROLE', 'CREATEROLE', 'NOCREATEROLE' ],
	[ 'bedrock_cost_admin', 'REPLICATION', 'REPLICATION', 'NOREPLICATION' ],
	[ 'bedrock_cost_admin', 'BYPASSRLS', 'BYPASSRLS', 'NOBYPASSRLS' ],
	[ 'bedrock_cost_reader', "LOGIN PASSWORD 'squat'", 'LOGIN, a password', 'NOLOGIN PASSWORD NULL' ],
	[ 'bedrock_cost_reader', 'BYPASSRLS', 'BYPASSRLS', 'NOBYPASSRLS' ],
	[ 'bedrock_cost_worker', "LOGIN PASSWORD 'squat'", 'LOGIN, a password', 'NOLOGIN PASSWORD NULL' ],
	[ 'bedrock_cost_worker', 'SUPERUSER', 'SUPERUSER', 'NOSUPERUSER' ],
);

foreach my $s (@squats)
{
	my ($role, $attrs, $listed, $fix) = @$s;
	$node->safe_psql('postgres', "CREATE ROLE $role $attrs");
	my ($rc, $err) = install('postgres');
	isnt($rc, 0, "$role squatted with $attrs: CREATE EXTENSION fails");
	like($err, qr/ERROR:  42710: role "$role" already exists with \Q$listed\E\n/,
		"$role with $attrs: duplicate_object naming what the role has");
	like($err, qr/HINT:  Make it a plain role \(ALTER ROLE $role \Q$fix\E\) or drop it, then run CREATE EXTENSION again\./,
		"$role with $attrs: the hint says how to fix it");
	is(installed('postgres'), '0', "$role with $attrs: nothing installed");
	$node->safe_psql('postgres', "DROP ROLE $role");
}

# the whole message once, exactly
$node->safe_psql('postgres', "CREATE ROLE bedrock_cost_admin LOGIN PASSWORD 'squat' CREATEDB");
my ($rc, $err) = install('postgres');
my ($msg) = $err =~ /(ERROR:.*?)\nCONTEXT/s;
is($msg, 'ERROR:  42710: role "bedrock_cost_admin" already exists with LOGIN, a password, CREATEDB
DETAIL:  bedrock_cost grants its privileges to this role, so it adopts an existing role only when it is a plain NOLOGIN role without a password or special attributes.
HINT:  Make it a plain role (ALTER ROLE bedrock_cost_admin NOLOGIN PASSWORD NULL NOCREATEDB) or drop it, then run CREATE EXTENSION again.',
	'the error in full');

# following the hint makes the role plain: it is adopted
$node->safe_psql('postgres', 'ALTER ROLE bedrock_cost_admin NOLOGIN PASSWORD NULL NOCREATEDB');
($rc, $err) = install('postgres');
is($rc, 0, 'after the hint\'s ALTER ROLE the extension installs') or diag($err);
$node->safe_psql('postgres', 'DROP EXTENSION bedrock_cost');
$node->safe_psql('postgres', 'DROP ROLE bedrock_cost_admin');
$node->safe_psql('postgres', 'DROP ROLE bedrock_cost_reader');
$node->safe_psql('postgres', 'DROP ROLE bedrock_cost_worker');

# a fresh cluster: the extension creates the three roles, plain
($rc, $err) = install('postgres');
is($rc, 0, 'CREATE EXTENSION creates the roles') or diag($err);
is($node->safe_psql('postgres', q{
	SELECT string_agg(format('%s %s %s %s %s %s %s %s', rolname, rolcanlogin, rolpassword IS NULL,
							 rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls), E'\n' ORDER BY rolname)
	  FROM pg_authid WHERE rolname LIKE 'bedrock\_cost\_%'}),
	"bedrock_cost_admin f t f f f f f\nbedrock_cost_reader f t f f f f f\nbedrock_cost_worker f t f f f f f",
	'the three roles: NOLOGIN, no password, no special attribute');
is($node->safe_psql('postgres', q{
	SELECT string_agg(m.member::regrole || ' ' || m.roleid::regrole, ', ' ORDER BY 1)
	  FROM pg_auth_members m
	 WHERE m.member::regrole::text LIKE 'bedrock\_cost\_%'}),
	'bedrock_cost_worker bedrock_cost_admin', 'the worker group is a member of the admin role');

# a second database of the cluster adopts the roles the first one created
$node->safe_psql('postgres', 'CREATE DATABASE second');
($rc, $err) = install('second');
is($rc, 0, 'the second database adopts the existing plain roles') or diag($err);
is(installed('second'), '1', 'installed in the second database');
is($node->safe_psql('second',
		"SELECT has_function_privilege('bedrock_cost_admin', 'bedrock_cost.load_export(text, boolean, boolean)', 'EXECUTE')"),
	't', 'the adopted admin role received the second database\'s grants');
is($node->safe_psql('second',
		"SELECT has_function_privilege('bedrock_cost_worker', 'bedrock_cost._fix_stale_loads()', 'EXECUTE')"),
	't', 'so did the adopted worker role');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_auth_members WHERE member = 'bedrock_cost_worker'::regrole"),
	'1', 'its membership in the admin role is granted once');

# a NOINHERIT group role made by hand is plain too
$node->safe_psql('postgres', 'CREATE DATABASE third');
$node->safe_psql('postgres', 'ALTER ROLE bedrock_cost_reader NOINHERIT');
($rc, $err) = install('third');
is($rc, 0, 'a NOINHERIT role without other attributes is adopted') or diag($err);

$node->stop;
done_testing();
