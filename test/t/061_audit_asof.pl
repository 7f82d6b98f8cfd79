# 061_audit_asof.pl: who loaded and who registered.  Loads run through
# load_export by a bedrock_cost_admin login over TCP record its session user,
# the role it acted as (SET ROLE), the client address and application_name;
# add_export, pause_export, resume_export and remove_export each write one
# audit row with the exact row before and after.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir('exports');
my $node = PostgreSQL::Test::Cluster->new('audit');
$node->init;
$node->append_conf('postgresql.conf', qq{
listen_addresses = '127.0.0.1'
bedrock_cost.export_root = '$root'
});
$node->start;

sub sql { return $node->safe_psql('postgres', $_[0]); }

# run SQL over TCP as a login role; returns (stdout, stderr)
sub tcp
{
	my ($user, $app, $q) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d',
			'host=127.0.0.1 port=' . $node->port . " dbname=postgres user=$user application_name=$app",
			'-c', $q ], '>', \$out, '2>', \$err)
	  or die "psql as $user failed: $err";
	chomp $out;
	return ($out, $err);
}

sub gen
{
	my (@args) = @_;
	system_or_bail('bedrock-cost-gen', '--out', $root, '--export', 'acme', '--quiet',
		'--rows', '800', '--periods', '2', '--seed', '7', '--restate', '--chunk-rows', '400', @args);
	return "$root/acme";
}

sql('CREATE EXTENSION bedrock_cost');
sql('CREATE ROLE loader LOGIN IN ROLE bedrock_cost_admin');
sql('CREATE ROLE alice LOGIN IN ROLE loader');

# ---------------------------------------------------------------------
# who loaded
my $acme = gen('--initial-only');
my ($r) = tcp('loader', 'nightly-load',
	"SELECT string_agg(status, ',' ORDER BY billing_period) FROM bedrock_cost.load_export('$acme')");
is($r, 'done,done', 'loader loads over TCP');
is(sql(q{SELECT string_agg(concat_ws(' ', load_id, session_user_name, current_user_name, client_addr,
			application_name, loaded_via), E'\n' ORDER BY load_id) FROM bedrock_cost.loads}),
	"1 loader loader 127.0.0.1 nightly-load sql\n2 loader loader 127.0.0.1 nightly-load sql",
	'the ledger records session user, acting role, client address, application and path');

# the restatement, by alice acting as loader
gen();
($r) = tcp('alice', 'by-hand',
	"SET ROLE loader; SELECT string_agg(status, ',' ORDER BY billing_period) FROM bedrock_cost.load_export('$acme')");
is($r, 'done,noop', 'alice, acting as loader, loads the restatement');
is(sql(q{SELECT string_agg(concat_ws(' ', load_id, status, session_user_name, current_user_name, application_name),
			E'\n' ORDER BY load_id) FROM bedrock_cost.loads WHERE load_id > 2}),
	"3 done alice loader by-hand\n4 noop alice loader by-hand",
	'session user alice, acting role loader');

# ---------------------------------------------------------------------
# export registrations, by a superuser over TCP
my $su = sql('SELECT current_user');
my $mark = sql('SELECT coalesce(max(audit_id), 0) FROM bedrock_cost.audit_log');
tcp($su, 'ops', "SELECT bedrock_cost.add_export('acme', 'acme')");
my $after_add = sql(q{SELECT to_jsonb(e) - 'created_at' FROM bedrock_cost.exports e WHERE export_name = 'acme'});
tcp($su, 'ops', "SELECT bedrock_cost.pause_export('acme')");
tcp($su, 'ops', "SELECT bedrock_cost.resume_export('acme')");
tcp($su, 'ops', "SELECT bedrock_cost.remove_export('acme')");
is(sql(qq{SELECT string_agg(concat_ws(' ', action, object, session_user_name, current_user_name, client_addr,
			application_name), E'\\n' ORDER BY audit_id) FROM bedrock_cost.audit_log WHERE audit_id > $mark}),
	join("\n", map { "$_ exports $su $su 127.0.0.1 ops" } qw(add_export pause_export resume_export remove_export)),
	'one audit row per registration change, with who made it');
my $before = qq{{"path": "$root/acme", "paused": false, "export_id": 1, "export_name": null, "registered_at": null}};
is(sql(qq{SELECT old_value FROM bedrock_cost.audit_log WHERE audit_id = $mark + 1}), $before,
	'add_export: the row before (a folder loaded by hand)');
is(sql(qq{SELECT new_value FROM bedrock_cost.audit_log WHERE audit_id = $mark + 1}), $after_add,
	'add_export: the registered row');
is(sql(qq{SELECT string_agg((old_value ->> 'paused') || '>' || (new_value ->> 'paused'), ' ' ORDER BY audit_id)
			FROM bedrock_cost.audit_log WHERE audit_id IN ($mark + 2, $mark + 3)}),
	'false>true true>false', 'pause and resume: paused before and after');
is(sql(qq{SELECT old_value = '$after_add'::jsonb AND new_value = '$before'::jsonb
			FROM bedrock_cost.audit_log WHERE audit_id = $mark + 4}), 't',
	'remove_export: the registered row before, the unregistered row after');

$node->stop;
done_testing();
