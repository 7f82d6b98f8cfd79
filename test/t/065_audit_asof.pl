# 065_audit_asof.pl: who loaded, who registered, and as-of in the settings in
# force.  Loads run through load_export by a bedrock_cost_admin login over
# TCP record its session user, the role it acted as (SET ROLE), the client
# address and application_name; add_export, pause_export, resume_export and
# remove_export each write one audit row with the exact row before and
# after; as-of answers report in the cost basis in force at that load, and
# a WARNING names the deliveries bedrock_cost.history_retention dropped.
use strict;
use warnings;
use IPC::Run;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir('exports');
my $node = cluster('audit', root => $root,
	settings => { listen_addresses => '127.0.0.1', 'bedrock_cost.history_retention' => 1 });

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

# the export acme, two periods, with @args
sub gen_acme
{
	return gen('--out', $root, '--export', 'acme',
		'--rows', '800', '--periods', '2', '--seed', '7', '--restate', '--chunk-rows', '400', @_);
}

sql('CREATE EXTENSION bedrock_cost');
sql('CREATE ROLE loader LOGIN IN ROLE bedrock_cost_admin');
sql('CREATE ROLE alice LOGIN IN ROLE loader');

# ---------------------------------------------------------------------
# who loaded
my $acme = gen_acme('--initial-only');
my ($r) = tcp('loader', 'nightly-load',
	"SELECT string_agg(status, ',' ORDER BY billing_period) FROM bedrock_cost.load_export('$acme')");
is($r, 'done,done', 'loader loads over TCP');
is(sql(q{SELECT string_agg(concat_ws(' ', load_id, session_user_name, current_user_name, client_addr,
			application_name, loaded_via, cost_basis), E'\n' ORDER BY load_id) FROM bedrock_cost.loads}),
	"1 loader loader 127.0.0.1 nightly-load sql unblended\n2 loader loader 127.0.0.1 nightly-load sql unblended",
	'the ledger records session user, acting role, client address, application, path and cost basis');

# the restatement, by alice acting as loader, in the net unblended basis
sql("SELECT bedrock_cost.set_cost_basis('net_unblended')");
gen_acme();
($r) = tcp('alice', 'by-hand',
	"SET ROLE loader; SELECT string_agg(status, ',' ORDER BY billing_period) FROM bedrock_cost.load_export('$acme')");
is($r, 'done,noop', 'alice, acting as loader, loads the restatement');
is(sql(q{SELECT string_agg(concat_ws(' ', load_id, status, session_user_name, current_user_name, application_name,
			cost_basis), E'\n' ORDER BY load_id) FROM bedrock_cost.loads WHERE load_id > 2}),
	"3 done alice loader by-hand net_unblended\n4 noop alice loader by-hand net_unblended",
	'session user alice, acting role loader, net unblended basis');
sql("SELECT bedrock_cost.set_cost_basis('unblended'); SELECT bedrock_cost.refresh_chargeback()");

# ---------------------------------------------------------------------
# as of a load, in the cost basis in force at that load
is(sql(q{SELECT string_agg(DISTINCT cost_basis, ',') FROM bedrock_cost.chargeback_by_principal}), 'unblended',
	'the current views are unblended');
is(sql(q{SELECT string_agg(DISTINCT cost_basis, ',') FROM bedrock_cost.chargeback_by_principal_as_of(2)}), 'unblended',
	'as of load 2: unblended, as then');
is(sql(q{SELECT string_agg(DISTINCT cost_basis, ',') FROM bedrock_cost.chargeback_by_principal_as_of(3)}), 'net_unblended',
	'as of load 3: net unblended, as then');
is(sql(q{SELECT sum(cost) = sum(net_unblended_cost) AND sum(cost) <> sum(unblended_cost)
		   FROM bedrock_cost.chargeback_by_principal_as_of(3)}), 't',
	'as of load 3 the cost column sums the net unblended cost');
my $net3 = sql(q{SELECT sum(coalesce(net_unblended_cost, unblended_cost)) FROM bedrock_cost.line_items_as_of(3)});
is(sql(q{SELECT sum(cost) FROM bedrock_cost.chargeback_by_principal_as_of(3)}), $net3,
	'and equals the net unblended total of the line items as of load 3');

# ---------------------------------------------------------------------
# history pruned: a third April delivery drops the first (retention 1)
my ($file) = glob("$acme/data/BILLING_PERIOD=2026-04/acme-00001.csv.gz");
is(sql("SELECT status FROM bedrock_cost.load_file('$file', complete => true)"), 'done', 'a third April delivery');
isnt(sql('SELECT data_dropped_at FROM bedrock_cost.loads WHERE load_id = 1'), '', 'retention dropped load 1');
my ($rc, $out, $err) = $node->psql('postgres',
	q{SELECT billing_period, count(*) FROM bedrock_cost.chargeback_by_principal_as_of(2) GROUP BY 1});
like($out, qr/^2026-05-01\|\d+$/, 'as of load 2 only May is left');
is($err, "psql:<stdin>:1: WARNING:  line items as of load 2 are incomplete: bedrock_cost.history_retention "
	  . "dropped the rows of load 1 (export 1, billing period 2026-04-01)\n"
	  . "HINT:  bedrock_cost.as_of_deliveries() lists the deliveries an as-of answer reads.",
	'and a WARNING names the dropped delivery');
($rc, $out, $err) = $node->psql('postgres', 'SELECT count(*) > 0 FROM bedrock_cost.line_items_as_of(3)');
is($out . '|' . $err, 't|', 'as of load 3 nothing is missing, no warning');
is(sql(q{SELECT string_agg(load_id || ' ' || billing_period || ' ' || status || ' ' || (data_dropped_at IS NOT NULL),
			', ' ORDER BY billing_period) FROM bedrock_cost.as_of_deliveries(2)}),
	'1 2026-04-01 superseded true, 2 2026-05-01 done false', 'as_of_deliveries(2) shows what as-of reads');

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
