# 035_worker_role.pl: the worker running as bedrock_cost.worker_role, a
# LOGIN role that is neither a superuser nor anything but a member of
# bedrock_cost_worker.
#
# The launcher does not start while the role does not exist or cannot
# log in.
# Until the role has the privileges of bedrock_cost_worker the launcher
# logs it once and waits: it neither polls nor touches the ledger.  Once
# granted, it marks the stale 'running' ledger row failed, then loads a
# delivery (line_items equal to the generator's ground truth), refreshes
# the chargeback views in the same transaction, records its state and
# sends the NOTIFY, all as that role.  The role has exactly the documented
# privileges: those of bedrock_cost_admin, plus INSERT and UPDATE on the
# worker's two state tables and EXECUTE on _fix_stale_loads(); it cannot
# write the ledger, register exports, call poll_now() or read a table
# outside the extension.
use strict;
use warnings;
use File::Path qw(make_path);
use JSON::PP;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir('exports');

my $node = cluster('worker_role', worker => 1, root => $root,
	settings => { 'bedrock_cost.worker_role' => 'ingest', 'bedrock_cost.poll_interval' => 1 });
ok(log_appears(qr/FATAL:  role "ingest" does not exist/),
	'the launcher cannot start before its role exists');
my $offset = -s $node->logfile;
$node->safe_psql('postgres', 'CREATE ROLE ingest NOLOGIN');
ok(log_appears(qr/FATAL:  role "ingest" is not permitted to log in/, $offset),
	'nor as a role without LOGIN');

$node->safe_psql('postgres', q{
	ALTER ROLE ingest LOGIN;
	CREATE EXTENSION bedrock_cost;
	CREATE TABLE public.secret (s text);
	INSERT INTO public.secret VALUES ('not for the worker');
});
make_path("$root/acme/cur");
$node->safe_psql('postgres', "SELECT bedrock_cost.add_export('acme', 'acme/cur')");
my $stale = $node->safe_psql('postgres', q{
	INSERT INTO bedrock_cost.loads (export_id, billing_period, source, status, started_at)
	SELECT export_id, '2026-01-01', 'file', 'running', now()
	  FROM bedrock_cost.exports WHERE export_name = 'acme'
	RETURNING load_id});
my $stale_q = "SELECT status FROM bedrock_cost.loads WHERE load_id = $stale";

# a clean start as ingest, which has no privileges yet
$offset = -s $node->logfile;
$node->restart;
$node->wait_for_log(qr/bedrock_cost launcher started in database "postgres" as role "ingest"/, $offset);
my $no_privileges =
  qr/role "ingest" does not have the privileges of bedrock_cost_worker and bedrock_cost_admin, waiting\n.*HINT:  Run: GRANT bedrock_cost_worker TO ingest;\n/;
ok(log_appears($no_privileges, $offset), 'without the privileges, the launcher says so');
$node->poll_query_until('postgres',
	"SELECT usename || ': ' || regexp_replace(query, ' \\(cycle .*', '') FROM pg_stat_activity"
	  . " WHERE backend_type = 'bedrock_cost launcher'",
	'ingest: bedrock_cost launcher: waiting for the privileges of bedrock_cost_worker')
  or die 'the launcher does not wait for its privileges';
is($node->safe_psql('postgres',
		"SELECT last_poll IS NULL FROM bedrock_cost.export_state"), 't', 'and it does not poll');
is($node->safe_psql('postgres', $stale_q), 'running', 'nor touch the ledger');

my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN bedrock_cost_load');

# granted: the stale row is fixed, then the delivery is loaded
my $v1 = gen_staged('v1', qw(--rows 220 --periods 1 --seed 61));
deliver($v1, "$root/acme/cur");
my ($rows, $exec) = truth($v1, undef, 'bedrock', [qw(line_items execution_id)]);
$offset = -s $node->logfile;
$node->safe_psql('postgres', 'GRANT bedrock_cost_worker TO ingest');
$node->wait_for_log(qr/role "ingest" has the privileges of bedrock_cost_worker/, $offset);
$node->poll_query_until('postgres', $stale_q, 'failed')
  or die 'the stale ledger row was not marked failed';
is($node->safe_psql('postgres', "SELECT error FROM bedrock_cost.loads WHERE load_id = $stale"),
	'interrupted: the loading process ended before its transaction committed',
	'the stale ledger row is marked failed at start');
ok($node->log_contains('bedrock_cost: marked 1 interrupted loads as failed', $offset),
	'and that is logged');

$node->poll_query_until('postgres',
	"SELECT status || ' ' || execution_id FROM bedrock_cost.export_deliveries", "loaded $exec")
  or die 'the delivery was not loaded';
is($node->safe_psql('postgres', 'SELECT count(*) FROM bedrock_cost.line_items'), $rows,
	"line_items holds the $rows Bedrock rows of the ground truth");
is($node->safe_psql('postgres', 'SELECT sum(line_items) FROM bedrock_cost.chargeback_base'), $rows,
	'the chargeback views were refreshed with them');
is($node->safe_psql('postgres',
		'SELECT status || \' \' || session_user_name FROM bedrock_cost.loads'
		  . " WHERE load_id <> $stale ORDER BY load_id"),
	'done ingest', 'the ledger row of the load: done, by ingest');
is($node->safe_psql('postgres',
		'SELECT (last_poll IS NOT NULL) || \' \' || (last_success IS NOT NULL) || \' \''
		  . ' || coalesce(last_error, \'no error\') FROM bedrock_cost.export_state'),
	'true true no error', 'the export\'s state is recorded');

my @payloads;
for (my $i = 0; $i < 300 && !@payloads; $i++)
{
	my $notes = $listener->query_safe('SELECT pg_sleep(0.1)');
	push @payloads, ($notes =~ /Asynchronous notification "bedrock_cost_load" with payload "(.*?)" received/g);
}
is(scalar(@payloads), 1, 'one NOTIFY bedrock_cost_load');
my $p = decode_json($payloads[0]);
is("$p->{export} $p->{execution_id} $p->{rows_loaded}", "acme $exec $rows",
	'payload: export, execution id, rows');
$listener->quit;

# the role's privileges, exactly
is($node->safe_psql('postgres', q{
	SELECT string_agg(format('%s %s', m.member::regrole, m.roleid::regrole), ', '
					  ORDER BY m.member::regrole::text, m.roleid::regrole::text)
	  FROM pg_auth_members m
	 WHERE m.member IN ('ingest'::regrole, 'bedrock_cost_worker'::regrole, 'bedrock_cost_admin'::regrole)}),
	'bedrock_cost_worker bedrock_cost_admin, ingest bedrock_cost_worker',
	'ingest is a member of bedrock_cost_worker only, which is a member of bedrock_cost_admin only');
is($node->safe_psql('postgres', q{
	SELECT string_agg(c.relname || ' ' || p.priv, ', ' ORDER BY c.relname, p.priv)
	  FROM pg_class c
	 CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES',
							 'TRIGGER']) AS p(priv)
	 WHERE c.relnamespace = 'bedrock_cost'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
	   AND has_table_privilege('ingest', c.oid, p.priv)
	   AND NOT has_table_privilege('bedrock_cost_admin', c.oid, p.priv)}),
	'export_deliveries INSERT, export_deliveries UPDATE, export_state INSERT, export_state UPDATE',
	'table privileges beyond the admin\'s: INSERT and UPDATE on the worker\'s state');
is($node->safe_psql('postgres', q{
	SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1)
	  FROM pg_proc p
	 WHERE p.pronamespace = 'bedrock_cost'::regnamespace
	   AND has_function_privilege('ingest', p.oid, 'EXECUTE')
	   AND NOT has_function_privilege('bedrock_cost_admin', p.oid, 'EXECUTE')}),
	'bedrock_cost._fix_stale_loads()', 'functions beyond the admin\'s: the stale-load fix');

# what the role cannot do, tried as the role
my @denied = (
	[ "UPDATE bedrock_cost.loads SET status = 'failed'", 'permission denied for table loads' ],
	[ 'DELETE FROM bedrock_cost.loads', 'permission denied for table loads' ],
	[ 'DELETE FROM bedrock_cost.export_deliveries', 'permission denied for table export_deliveries' ],
	[ "UPDATE bedrock_cost.exports SET paused = true", 'permission denied for table exports' ],
	[ 'SELECT * FROM public.secret', 'permission denied for table secret' ],
	[ "SELECT bedrock_cost.add_export('x', 'acme/cur')", 'permission denied for function add_export' ],
	[ 'SELECT bedrock_cost.poll_now()', 'permission denied for function poll_now' ],
	[ "SELECT bedrock_cost._swap_in(1)", 'permission denied for function _swap_in' ],
);
foreach my $d (@denied)
{
	my ($sql, $msg) = @$d;
	my ($out, $err) = ('', '');
	$node->psql('postgres', $sql, stdout => \$out, stderr => \$err,
		extra_params => [ '-U', 'ingest' ]);
	like($err, qr/ERROR:  \Q$msg\E/, "ingest: $sql: $msg");
}
is($node->safe_psql('postgres', 'SELECT bedrock_cost._fix_stale_loads()',
		extra_params => [ '-U', 'ingest' ]),
	'0', 'ingest may run the stale-load fix (nothing left to fix)');
is($node->safe_psql('postgres',
		"SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolreplication"
		  . " FROM pg_roles WHERE rolname = 'ingest'"),
	'f', 'ingest has no special attribute');

$node->stop;
done_testing();
