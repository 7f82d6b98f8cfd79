# 026_owner_safety.pl: no path from bedrock_cost_admin to the rights of the
# owner of line_items (the superuser who ran CREATE EXTENSION).  Every C
# function that acts as that owner goes through privilege.c, which pins
# search_path and raises SECURITY_RESTRICTED_OPERATION: checked in the
# source, then by attack.  An admin with CREATE on a schema plants an `=` for
# text and puts the schema first; an admin with only TEMP plants a
# `pg_temp.text` domain whose check runs a function: neither runs while
# load_export, load_file, restore_load or the client API act as the owner.
# The client API cannot be used to forge a month: a delivery the server
# loaded from its files cannot be replaced, the INSERT grant on a delivery
# table does not outlive it, a delivery begun and not finished cannot be
# committed, and client totals are marked declared.
use strict;
use warnings;
use File::Path qw(make_path);
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# ---------------------------------------------------------------------
# the source: who switches user, and how
my $src = '.';
$src = $ENV{top_srcdir} if $ENV{top_srcdir};
my @switchers;
foreach my $f (glob("$src/src/ext/*.c"))
{
	my $text = slurp_file($f);
	push @switchers, ($f =~ s{.*/}{}r) if $text =~ /SetUserIdAndSecContext\s*\(/;
}
my @loader_switchers = grep { !/^worker_/ } @switchers;
is(join(',', @loader_switchers), 'privilege.c',
	'outside the worker, only privilege.c switches user (SetUserIdAndSecContext)');
my $priv = slurp_file("$src/src/ext/privilege.c");
like($priv, qr/NewGUCNestLevel\(\);\s*\(void\) set_config_option\("search_path", BC_SAFE_SEARCH_PATH,/s,
	'privilege.c pins search_path in a new GUC nest level before switching');
like(slurp_file("$src/src/ext/privilege.h"), qr/#define BC_SAFE_SEARCH_PATH "pg_catalog, pg_temp"/,
	'to pg_catalog, pg_temp (privilege.h, the one definition)');
is(scalar(() = join('', map { slurp_file($_) } glob("$src/src/ext/*.[ch]")) =~ /#define BC_SAFE_SEARCH_PATH/g),
	1, 'defined once');
like($priv, qr/SetUserIdAndSecContext\(role, scope->save_sec \| SECURITY_LOCAL_USERID_CHANGE \|\s*SECURITY_RESTRICTED_OPERATION\)/,
	'and switches with SECURITY_RESTRICTED_OPERATION');
like($priv, qr/bc_owner_enter\(BcOwnerScope \*scope\)\n\{\n\tbc_role_enter\(scope, bc_line_items_owner\(\)\);\n\}/,
	'acting as the owner is that switch to the owner of line_items');
# the gateway log reader switches to the registrant the same way, nowhere else
is(join(',', map { s{.*/}{}r } grep { slurp_file($_) =~ /\bbc_role_enter\(/ } glob("$src/src/ext/*.c")),
	'gateway_read.c,privilege.c', 'only the gateway log reader calls bc_role_enter directly');
# every SQL-callable C function that acts as the owner goes through bc_owner_enter
my %enter;
foreach my $f (glob("$src/src/ext/loader_*.c"))
{
	my $text = slurp_file($f);
	while ($text =~ /^(bedrock_cost_\w+)\(PG_FUNCTION_ARGS\)\n\{(.*?)\n\}/msg)
	{
		my ($fn, $body) = ($1, $2);
		$enter{$fn} = 1 if $body =~ /bc_owner_enter|load_deliveries\(/;
	}
}
is(join(',', sort keys %enter),
	'bedrock_cost_client_begin,bedrock_cost_client_fail,bedrock_cost_client_finish,'
	  . 'bedrock_cost_load_export,bedrock_cost_load_file,bedrock_cost_restore_load',
	'the functions that act as the owner, each through bc_owner_enter (attacked one by one below)');

# ---------------------------------------------------------------------
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $root = "$tmp/root";
make_path($root);
my $node = cluster('owner_safety', root => $root);
gen('--out', $root, '--export', 'acme', '--rows', '600',
	'--periods', '2', '--seed', '41', '--restate', '--mode', 'create-new');

sql(q{
	CREATE EXTENSION bedrock_cost;
	CREATE ROLE adm LOGIN IN ROLE bedrock_cost_admin;
	CREATE ROLE tmpadm LOGIN IN ROLE bedrock_cost_admin;
	CREATE SCHEMA evil AUTHORIZATION adm;
	CREATE TABLE public.ran (who text, what text);
	GRANT INSERT ON public.ran TO PUBLIC;
	REVOKE CREATE ON SCHEMA public FROM PUBLIC;
});

# adm's traps: a function that records it ran and tries to make adm superuser
sql(q{
	SET ROLE adm;
	CREATE FUNCTION evil.trap(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
	BEGIN
		INSERT INTO public.ran VALUES (current_user, 'trap');
		BEGIN
			EXECUTE 'ALTER ROLE adm SUPERUSER';
		EXCEPTION WHEN OTHERS THEN NULL;
		END;
		RETURN $1 OPERATOR(pg_catalog.=) $2;
	END $$;
	CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.trap);
	CREATE FUNCTION evil.trap8(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS $$
	BEGIN
		INSERT INTO public.ran VALUES (current_user, 'trap8');
		RETURN $1 OPERATOR(pg_catalog.=) $2;
	END $$;
	CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.trap8);
	CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql AS
	  $$ INSERT INTO public.ran VALUES (current_user, 'now') RETURNING pg_catalog.now() $$;
	CREATE FUNCTION evil.count(anyelement) RETURNS bigint LANGUAGE sql AS
	  $$ INSERT INTO public.ran VALUES (current_user, 'count') RETURNING 1::bigint $$;
	RESET ROLE;
});

my $adm_path = 'SET search_path = evil, pg_catalog, bedrock_cost;';
sub as_adm
{
	my ($q) = @_;
	my ($rc, $out, $err) = $node->psql('postgres', "SET ROLE adm; $adm_path $q");
	return ($out, $err);
}
sub ran { return sql("SELECT count(*) || ':' || coalesce(string_agg(DISTINCT who, ','), '') FROM public.ran"); }
sub superuser { return sql("SELECT rolsuper FROM pg_roles WHERE rolname = 'adm'"); }

# 1. load_export (loads) and again (noop, stale: every ledger path)
my ($out, $err) = as_adm("SELECT string_agg(status, ',' ORDER BY load_id) FROM bedrock_cost.load_export('$root/acme')");
is($out, 'done,done,done', 'load_export as adm with a hijacking path loads');
($out, $err) = as_adm("SELECT string_agg(status, ',' ORDER BY load_id) FROM bedrock_cost.load_export('$root/acme')");
is($out, 'stale,noop,noop', 'and again: stale and noop');
is(ran(), '0:', 'no planted operator or function ran during load_export');
is(superuser(), 'f', 'adm is not superuser');

# 2. load_file, restore_load, and a forced load
my ($one) = glob("$root/acme/data/BILLING_PERIOD=2026-05/*/acme-00001.csv.gz");
($out, $err) = as_adm("SELECT status FROM bedrock_cost.load_file('$one', complete => true)");
is($out, 'done', 'load_file as adm loads');
my $old = sql("SELECT min(load_id) FROM bedrock_cost.loads WHERE status = 'superseded'");
($out, $err) = as_adm("SELECT bedrock_cost.restore_load($old) > 0");
is($out, 't', 'restore_load as adm restores');
($out, $err) = as_adm("SELECT string_agg(status, ',') FROM bedrock_cost.load_export('$root/acme', force => true)");
like($out, qr/^done(,done)*$/, 'a forced load_export as adm loads');
is(ran(), '0:', 'nothing planted ran during load_file, restore_load or the forced load');
is(superuser(), 'f', 'adm is still not superuser');

# 3. the client API with the hijacking path: begin, insert, finish, fail
my $period = '2026-06-01';
my $delivery = qq({"export": "$root/acme", "billing_period": "$period", "source": "export",
	"manifest_path": "$root/acme/metadata/BILLING_PERIOD=2026-06/acme-Manifest.json",
	"execution_id": "client-1", "files": [{"path": "$root/acme/data/BILLING_PERIOD=2026-06/f.csv.gz",
	"size": 10, "sha256": "0000000000000000000000000000000000000000000000000000000000000000"}],
	"rows_read": 1, "rows_loaded": 1, "rows_rejected": 0, "rows_other": 0, "bytes_read": 10,
	"totals": [{"line_item_type": "Usage", "is_bedrock": true, "rows": 1, "rejected_rows": 0,
		"unblended_cost": "0.01", "net_unblended_cost": null}], "usage_types": [], "usage_products": [], "rejects": []});
(my $dq = $delivery) =~ s/'/''/g;
# one row into a delivery table, with psql variables :load_id and :export_id
sub row_sql
{
	my ($table, $per, $cost) = @_;
	return "INSERT INTO bedrock_cost.$table (billing_period, export_id, load_id, file_no, line_number, "
	  . "usage_start, usage_end, line_item_type, payer_account_id, usage_account_id, product_code, "
	  . "usage_type, unblended_cost, tags) VALUES ('$per', :export_id, :load_id, 1, 2, '$per', '$per', "
	  . "'Usage', '1', '1', 'AmazonBedrock', 'USE1-x', $cost, '{}');\n";
}
# a client delivery of another period and execution id
sub delivery_of
{
	my ($per7, $exec) = @_;
	return $dq =~ s/client-1/$exec/r =~ s/2026-06/$per7/gr;
}
($out, $err) = as_adm("BEGIN; SELECT load_id || ' ' || export_id || ' ' || status || ' ' || staging "
	  . "FROM bedrock_cost.client_begin_delivery('$dq'); ROLLBACK");
my ($lid, $eid, $status, $staging) = split / /, $out;
is($status, 'loading', 'client_begin_delivery as adm with a hijacking path');
($out, $err) = as_adm("BEGIN; SELECT load_id, export_id FROM bedrock_cost.client_begin_delivery('$dq') \\gset\n"
	  . row_sql('line_items_l:load_id', $period, '0.01')
	  . "SELECT bedrock_cost.client_finish_delivery(:load_id, '$dq'); COMMIT;");
like($out, qr/^done$/m, 'a client delivery of a new period, finished as adm');
is(sql("SELECT l.loaded_via || ' ' || bool_and(t.declared) FROM bedrock_cost.loads l JOIN bedrock_cost.load_totals t USING (load_id) "
	  . "WHERE l.billing_period = '$period' AND l.status = 'done' GROUP BY l.loaded_via"), 'client true',
	'recorded as a client load with declared totals');
is(sql("SELECT totals_declared FROM bedrock_cost.reconciliation WHERE billing_period = '$period'"), 't',
	'and the reconciliation says the file totals were declared');
# the grant did not outlive the delivery
my $part = sql("SELECT data_table FROM bedrock_cost.loads WHERE billing_period = '$period' AND status = 'done'");
my $live_eid = sql("SELECT export_id FROM bedrock_cost.loads WHERE billing_period = '$period' AND status = 'done'");
my $live_lid = sql("SELECT load_id FROM bedrock_cost.loads WHERE billing_period = '$period' AND status = 'done'");
($out, $err) = as_adm("\\set load_id $live_lid\n\\set export_id $live_eid\n" . row_sql($part, $period, '99999'));
like($err, qr/permission denied for table $part/, 'the INSERT grant on the delivery table is gone after finish');
# client_fail_delivery records a failure
($out, $err) = as_adm("SELECT bedrock_cost.client_fail_delivery('$dq', 'bad input') > 0");
is($out, 't', 'client_fail_delivery as adm records a failure');
is(ran(), '0:', 'nothing planted ran in the client API');

# 4. a delivery begun and not finished cannot be committed
($out, $err) = as_adm("BEGIN; SELECT load_id, export_id FROM bedrock_cost.client_begin_delivery('"
	  . delivery_of('2026-07', 'client-2') . "') \\gset\nCOMMIT;");
like($err, qr/ERROR:  delivery \d+ was begun with bedrock_cost\.client_begin_delivery\(\) but not finished/,
	'COMMIT of a delivery begun and not finished is refused');
is(sql("SELECT count(*) FROM pg_class WHERE relname ~ '^line_items_l' AND NOT relispartition"), '0',
	'no delivery table is left behind');

# 5. the client API cannot replace what the server loaded from its own files
(my $forge = $dq) =~ s/2026-06/2026-04/g;
$forge =~ s/client-1/forged/;
($out, $err) = as_adm("BEGIN; SELECT status FROM bedrock_cost.client_begin_delivery('$forge'); ROLLBACK");
like($err, qr/ERROR:  billing period 2026-04-01 of export "[^"]+\/acme" was loaded by the server from its own files \(load \d+\); a delivery sent by bedrock-cost-load cannot replace it/,
	'a client delivery may not replace a server load');
(undef, $out, $err) = $node->psql('postgres', "SET ROLE adm; SELECT 'arn:aws:iam::123456789012:user/x'::bedrock_cost.iam_arn; "
	  . "SET bedrock_cost.client_replaces_server_loads = on");
like($err, qr/permission denied to set parameter "bedrock_cost\.client_replaces_server_loads"/,
	'and only a superuser may allow it');
# set before the library is loaded, as a placeholder: not honoured either
(undef, $out, $err) = $node->psql('postgres', "SET ROLE adm; SET bedrock_cost.client_replaces_server_loads = on; "
	  . "BEGIN; SELECT status FROM bedrock_cost.client_begin_delivery('$forge'); ROLLBACK");
like($err, qr/cannot replace it/, 'a placeholder set by the admin does not allow it');

# 6. the TEMP-only attacker: a pg_temp.text domain whose check runs a function
sql('GRANT TEMP ON DATABASE postgres TO tmpadm');
my $d8 = delivery_of('2026-08', 'client-3');
(undef, $out, $err) = $node->psql('postgres',
	"SET ROLE tmpadm;\n"
	  . "CREATE FUNCTION pg_temp.f(text) RETURNS boolean LANGUAGE sql AS "
	  . "\$\$ INSERT INTO public.ran VALUES (current_user, 'domain') RETURNING true \$\$;\n"
	  . "CREATE DOMAIN pg_temp.text AS pg_catalog.text CHECK (pg_temp.f(VALUE));\n"
	  . "BEGIN;\nSET LOCAL search_path = pg_temp, pg_catalog;\n"
	  . "SELECT load_id, export_id FROM bedrock_cost.client_begin_delivery('$d8') \\gset\n"
	  . row_sql('line_items_l:load_id', '2026-08-01', '0.01')
	  . "SELECT bedrock_cost.client_finish_delivery(:load_id, '$d8');\nCOMMIT;\n"
	  . "SELECT string_agg(status, ',') FROM bedrock_cost.load_export('$root/acme');\n");
is(sql("SELECT status FROM bedrock_cost.loads WHERE billing_period = '2026-08-01' AND loaded_via = 'client'"), 'done',
	'tmpadm, with only TEMP and pg_temp first, loaded a client delivery');
is(sql("SELECT count(*) FROM public.ran WHERE what = 'domain' AND who <> 'tmpadm'"), '0',
	'the pg_temp.text domain never ran as another role');
is(sql("SELECT rolsuper FROM pg_roles WHERE rolname = 'tmpadm'"), 'f', 'tmpadm is not superuser');
is(superuser(), 'f', 'nor adm');

$node->stop;
done_testing();
