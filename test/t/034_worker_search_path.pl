# 034_worker_search_path.pl: nothing that the owner of the worker's database
# puts on the search_path runs in the worker's SQL.
#
# The owner of database finops (not a superuser) creates schema dbo with
# operators named and typed like the ones the worker's SQL compares, adds
# and multiplies with (= on text, integer and name, <> on text, < and <= on
# timestamptz, > and + on integer, + on timestamptz and interval, * on
# float8), domains named like the types it casts to (date, timestamptz,
# float8, text, int4, int8) and functions named like the built-ins it calls
# (clock_timestamp, now, pg_backend_pid, hashtext, power, count).  Each
# records that it ran, and as whom, and tries to make the owner a
# superuser.  The owner then sets the database's search_path to
# dbo, pg_catalog; a session of the owner shows the plant runs whenever a
# query resolves a name through that path.
#
#  1. poll_now(), called by a superuser whose session puts dbo first on
#     its search_path, settles then loads a delivery; the session's
#     search_path is the same afterwards.
#  2. After a restart, the launcher, whose connection gets the database's
#     default search_path, marks a stale 'running' ledger row failed and
#     loads a restatement.
#
# Each time nothing planted ran, the owner is not a superuser, and
# line_items holds exactly the generator's Bedrock rows (ground truth).
# The test's own sessions pin their search_path with PGOPTIONS.
use strict;
use warnings;
use File::Path qw(make_path);
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir('exports');

# every session of this test resolves names in pg_catalog only; the
# database's default reaches the launcher and the owner's session below
$ENV{PGOPTIONS} = '-c search_path=pg_catalog,pg_temp';

my $node = cluster('worker_search_path', worker => 1, database => 'finops', root => $root,
	settings => { 'bedrock_cost.poll_interval' => 1, 'bedrock_cost.enabled' => 'off' });
$node->safe_psql('postgres', q{
	CREATE ROLE dbowner LOGIN;
	CREATE DATABASE finops OWNER dbowner;
});
$node->safe_psql('finops', 'CREATE EXTENSION bedrock_cost');
make_path("$root/acme/cur");
$node->safe_psql('finops', "SELECT bedrock_cost.add_export('acme', 'acme/cur')");

# the plant, as the database owner
my @plant = (
	q{CREATE SCHEMA dbo},
	q{GRANT USAGE ON SCHEMA dbo TO PUBLIC},
	q{CREATE TABLE dbo.ran (what pg_catalog.text, who pg_catalog.name)},
	q{GRANT INSERT ON dbo.ran TO PUBLIC},
	q{CREATE FUNCTION dbo.ran(what pg_catalog.text) RETURNS boolean LANGUAGE plpgsql AS $$
	  BEGIN
		INSERT INTO dbo.ran VALUES (what, current_user);
		BEGIN
			ALTER ROLE dbowner SUPERUSER;
		EXCEPTION WHEN OTHERS THEN NULL;
		END;
		RETURN true;
	  END $$},
);
# operators: name, left and right type, result type; each computes the
# built-in operator's result once it has recorded itself
my @operators = (
	[ '=', 'text', 'text', 'bool' ],
	[ '=', 'int4', 'int4', 'bool' ],
	[ '=', 'name', 'name', 'bool' ],
	[ '<>', 'text', 'text', 'bool' ],
	[ '<', 'timestamptz', 'timestamptz', 'bool' ],
	[ '<=', 'timestamptz', 'timestamptz', 'bool' ],
	[ '>', 'int4', 'int4', 'bool' ],
	[ '+', 'int4', 'int4', 'int4' ],
	[ '+', 'timestamptz', 'interval', 'timestamptz' ],
	[ '*', 'float8', 'float8', 'float8' ],
);
my $n = 0;
foreach my $o (@operators)
{
	my ($op, $l, $r, $res) = @$o;
	$n++;
	push @plant,
	  qq{CREATE FUNCTION dbo.op$n(a pg_catalog.$l, b pg_catalog.$r) RETURNS pg_catalog.$res
		 LANGUAGE sql AS \$\$ SELECT CASE WHEN dbo.ran('$l $op $r') THEN a OPERATOR(pg_catalog.$op) b END \$\$},
	  qq{CREATE OPERATOR dbo.$op (LEFTARG = pg_catalog.$l, RIGHTARG = pg_catalog.$r, FUNCTION = dbo.op$n)};
}
# domains named like the types of casts
foreach my $t (qw(date timestamptz float8 text int4 int8))
{
	push @plant, qq{CREATE DOMAIN dbo.$t AS pg_catalog.$t CHECK (dbo.ran('$t domain'))};
}
# functions and an aggregate named like built-ins, same signatures
push @plant,
  q{CREATE FUNCTION dbo.clock_timestamp() RETURNS pg_catalog.timestamptz LANGUAGE sql
	AS $$ SELECT CASE WHEN dbo.ran('clock_timestamp') THEN pg_catalog.clock_timestamp() END $$},
  q{CREATE FUNCTION dbo.now() RETURNS pg_catalog.timestamptz LANGUAGE sql
	AS $$ SELECT CASE WHEN dbo.ran('now') THEN pg_catalog.now() END $$},
  q{CREATE FUNCTION dbo.pg_backend_pid() RETURNS pg_catalog.int4 LANGUAGE sql
	AS $$ SELECT CASE WHEN dbo.ran('pg_backend_pid') THEN pg_catalog.pg_backend_pid() END $$},
  q{CREATE FUNCTION dbo.hashtext(pg_catalog.text) RETURNS pg_catalog.int4 LANGUAGE sql
	AS $$ SELECT CASE WHEN dbo.ran('hashtext') THEN pg_catalog.hashtext($1) END $$},
  q{CREATE FUNCTION dbo.power(pg_catalog.float8, pg_catalog.float8) RETURNS pg_catalog.float8 LANGUAGE sql
	AS $$ SELECT CASE WHEN dbo.ran('power') THEN pg_catalog.power($1, $2) END $$},
  q{CREATE FUNCTION dbo.count_step(pg_catalog.int8) RETURNS pg_catalog.int8 LANGUAGE sql
	AS $$ SELECT CASE WHEN dbo.ran('count') THEN $1 OPERATOR(pg_catalog.+) 1 END $$},
  q{CREATE AGGREGATE dbo.count(*) (SFUNC = dbo.count_step, STYPE = pg_catalog.int8, INITCOND = '0')},
  q{ALTER DATABASE finops SET search_path = dbo, pg_catalog};
foreach my $sql (@plant)
{
	my ($out, $err) = ('', '');
	my $rc = $node->psql('finops', $sql, stdout => \$out, stderr => \$err,
		extra_params => [ '-U', 'dbowner' ]);
	(my $what = $sql) =~ s/\s+/ /g;
	is($rc, 0, 'the owner plants: ' . substr($what, 0, 70)) or diag($err);
}

my $ran_q = q{SELECT coalesce(pg_catalog.string_agg(DISTINCT what || ' as ' || who, ', '), '')
	FROM dbo.ran};
my $super_q = q{SELECT rolsuper FROM pg_catalog.pg_roles
	WHERE rolname OPERATOR(pg_catalog.=) 'dbowner'};

# the plant works: a session that takes the database's search_path runs it
{
	local $ENV{PGOPTIONS} = '';
	is($node->safe_psql('finops', "SHOW search_path; SELECT 1 = 1, '2026-04-01'::date;",
			extra_params => [ '-U', 'dbowner' ]),
		"dbo, pg_catalog\nt|2026-04-01", 'the owner\'s session takes the database\'s search_path');
}
is($node->safe_psql('finops', $ran_q), 'date domain as dbowner, int4 = int4 as dbowner',
	'in it, the planted = and date ran');
is($node->safe_psql('finops', $super_q), 'f', 'the owner cannot make itself a superuser');
$node->safe_psql('finops', 'TRUNCATE dbo.ran');

my $v1 = gen_staged('v1', qw(--rows 200 --periods 1 --seed 51));
my $v2 = gen_staged('v2', qw(--rows 260 --periods 1 --seed 52));
my ($rows1, $exec1) = truth($v1, undef, 'bedrock', [qw(line_items execution_id)]);
my ($rows2, $exec2) = truth($v2, undef, 'bedrock', [qw(line_items execution_id)]);
isnt($exec1, $exec2, 'the restatement is another execution');

# 1. poll_now() by a superuser whose search_path puts dbo first
deliver($v1, "$root/acme/cur", replace => 1);
is($node->safe_psql('finops', q{
	SET search_path = dbo, pg_catalog;
	SELECT bedrock_cost.poll_now();
	SELECT bedrock_cost.poll_now();
	SHOW search_path;
}), "0\n1\ndbo, pg_catalog", 'poll_now settles, then loads; the caller\'s search_path is kept');
is($node->safe_psql('finops', $ran_q), '', 'poll_now: nothing planted ran');
is($node->safe_psql('finops', $super_q), 'f', 'poll_now: the owner is not a superuser');
is($node->safe_psql('finops', 'SELECT pg_catalog.count(*) FROM bedrock_cost.line_items'),
	$rows1, "poll_now: line_items holds the $rows1 Bedrock rows of the ground truth");
is($node->safe_psql('finops',
		'SELECT status || \' \' || execution_id FROM bedrock_cost.export_deliveries'),
	"loaded $exec1", 'poll_now: the delivery is recorded as loaded');

# so that the second part stands on its own if the first one failed
$node->safe_psql('finops', 'TRUNCATE dbo.ran; ALTER ROLE dbowner NOSUPERUSER');

# 2. the launcher: a stale ledger row, a restatement, then a restart
my $stale = $node->safe_psql('finops', q{
	INSERT INTO bedrock_cost.loads (export_id, billing_period, source, status, started_at)
	SELECT e.export_id, '2026-01-01', 'file', 'running', pg_catalog.now()
	  FROM bedrock_cost.exports e WHERE e.export_name OPERATOR(pg_catalog.=) 'acme'
	RETURNING load_id});
deliver($v2, "$root/acme/cur", replace => 1);
$node->append_conf('postgresql.conf', "bedrock_cost.enabled = on\n");
$node->restart;
$node->poll_query_until('finops',
	q{SELECT pg_catalog.string_agg(status || ' ' || execution_id, ', ')
		FROM bedrock_cost.export_deliveries},
	"loaded $exec2")
  or die 'the launcher did not load the restatement';
is($node->safe_psql('finops', $ran_q), '', 'launcher: nothing planted ran');
is($node->safe_psql('finops', $super_q), 'f', 'launcher: the owner is not a superuser');
is($node->safe_psql('finops', 'SELECT pg_catalog.count(*) FROM bedrock_cost.line_items'),
	$rows2, "launcher: line_items holds the $rows2 Bedrock rows of the restatement");
is($node->safe_psql('finops',
		"SELECT status || ': ' || error FROM bedrock_cost.loads WHERE load_id OPERATOR(pg_catalog.=) $stale"),
	'failed: interrupted: the loading process ended before its transaction committed',
	'launcher: the stale ledger row was marked failed at start');
ok($node->log_contains('bedrock_cost: marked 1 interrupted loads as failed'),
	'launcher: and that is logged');
ok($node->log_contains('bedrock_cost launcher started in database "finops" as the bootstrap superuser'),
	'launcher: it runs as the bootstrap superuser (worker_role is empty)');

$node->stop;
done_testing();
