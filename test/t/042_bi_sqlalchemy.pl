# 042_bi_sqlalchemy.pl: the BI views as Superset's stack (SQLAlchemy +
# psycopg2) sees them: inspect().get_view_names / get_columns list every
# bi_* view with its columns in standard SQLAlchemy types and with comments,
# and typical dashboard queries with a billing period parameter return the
# expected numbers, for the unrestricted BI role and for a team role.
# The reflected types of every cost and token column of every view are the
# declared ones: NUMERIC(38, 16) (NUMERIC(38, 6) for the cost per million
# tokens), tokens and counts BIGINT.
# Runs test/bi/bi_sqlalchemy.py with /usr/bin/python3 (Debian:
# python3-sqlalchemy, python3-psycopg2).
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Spec;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use lib dirname(__FILE__);
use BiColumns qw(bi_declared_types);

my $python = $ENV{BC_PYTHON} // '/usr/bin/python3';
if (!(system($python, '-c', 'import sqlalchemy, psycopg2') == 0))
{
	# scripts/test.sh installs every dependency: there a missing one is a failure
	BAIL_OUT("$python cannot import sqlalchemy and psycopg2 (install python3-sqlalchemy python3-psycopg2)") if $ENV{BC_REQUIRE_ALL_TESTS};
	plan skip_all => "$python cannot import sqlalchemy and psycopg2 (install python3-sqlalchemy python3-psycopg2)";
}

my $root = File::Spec->rel2abs(dirname(__FILE__) . '/../..');
my $node = PostgreSQL::Test::Cluster->new('bi_sqlalchemy');
$node->init;
$node->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
$node->start;
$node->safe_psql('postgres', slurp_file("$root/test/fixtures/chargeback_bi.sql"));

# run the script as a database role; returns (views, columns, rows)
sub client
{
	my ($role) = @_;
	my ($o, $e);
	IPC::Run::run([ $python, "$root/test/bi/bi_sqlalchemy.py", '127.0.0.1', $node->port,
			'postgres', $role, '2026-05-01' ],
		'>', \$o, '2>', \$e)
	  or die "bi_sqlalchemy.py failed: $e";
	my (%views, @cols, %rows, %declared);
	for my $line (split /\n/, $o)
	{
		my ($kind, $rest) = split / /, $line, 2;
		if ($kind eq 'VIEW') { my @f = split / /, $rest; $views{ $f[0] } = $f[1]; }
		elsif ($kind eq 'COLUMN') { push @cols, [ split / /, $rest ]; }
		elsif ($kind eq 'DECLARED')
		{
			my ($v, $c, $t) = split / /, $rest, 3;
			$declared{"$v.$c"} = $t;
		}
		elsif ($kind eq 'ROW')
		{
			my ($q, $r) = split / /, $rest, 2;
			push @{ $rows{$q} }, $r;
		}
	}
	$rows{$_} = [ sort @{ $rows{$_} } ] for keys %rows;
	return (\%views, \@cols, \%rows, \%declared);
}

my ($views, $cols, $rows, $declared) = client('regress_bi_reader');

is_deeply([ sort keys %$views ],
	[qw(bi_budget_status bi_chargeback_allocated bi_chargeback_by_principal bi_chargeback_by_resource bi_chargeback_by_tag bi_daily bi_daily_by_tag bi_focus_bedrock bi_gateway_chargeback bi_gateway_reconciliation bi_principal_tags bi_spikes
		  bi_team_model_mix bi_usage_by_model bi_usage_profile)],
	'get_view_names lists every BI view');
is(scalar(grep { $views->{$_} ne '1' } keys %$views), 0, 'every BI view has a comment');
cmp_ok(scalar(@$cols), '>', 60, 'get_columns lists the columns (' . scalar(@$cols) . ')');
my %standard = map { $_ => 1 } qw(String Text Date DateTime TIMESTAMP Numeric BigInteger Integer Boolean);
my @odd = map { "$_->[0].$_->[1] $_->[2]" } grep { !$standard{ $_->[3] } } @$cols;
is_deeply(\@odd, [], 'every column has a standard SQLAlchemy type');
my @bare = map { "$_->[0].$_->[1]" } grep { $_->[4] ne '1' } @$cols;
is_deeply(\@bare, [], 'every column has a comment');
my %type = map { ("$_->[0].$_->[1]" => $_->[3]) } @$cols;
is($type{'bi_chargeback_by_principal.cost'}, 'Numeric', 'cost is Numeric');
is($type{'bi_chargeback_by_principal.billing_period'}, 'Date', 'billing_period is a Date');
# every view names the export its rows came from (the same bill synced twice shows twice)
my @no_export = grep { !exists $type{$_} }
  map { my $v = $_; map { "$v.$_" } ($v eq 'bi_focus_bedrock' ? qw(x_ExportId x_ExportName x_Export) : qw(export_id export_name export)) }
  sort keys %$views;
is_deeply(\@no_export, [], 'every BI view has export_id, export_name and export');

# the reflected types of the cost and token columns
my %want = bi_declared_types('NUMERIC 38 16', 'NUMERIC 38 6', 'BIGINT - -');
my %got;
$got{$_} = $declared->{$_} for keys %want;
is(scalar(keys %want), 125, 'cost and token columns checked: ' . scalar(keys %want));
is_deeply(\%got, \%want,
	'reflected types: costs NUMERIC(38, 16), cost per million tokens NUMERIC(38, 6), tokens and counts BIGINT');
my @loose = sort grep { $declared->{$_} =~ /^NUMERIC / && !$want{$_} } keys %$declared;
is_deeply(\@loose, [], 'no other NUMERIC column in the BI views');

is_deeply($rows->{principal}, [
		'account_level|0.5000000000000000',
		'arn:aws:iam::222222222222:user/bob|0.7500000000000000',
		'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org|4.5000000000000000',
		'arn:aws:sts::333333333333:assumed-role/App/session1|0.1500000000000000',
		'unattributed|0.2500000000000000' ],
	'per-principal dashboard query for May 2026');
is_deeply($rows->{team},
	[ '(untagged)|0.9000000000000000', 'ds|4.5000000000000000', 'web|0.7500000000000000' ],
	'per-team dashboard query for May 2026');
is_deeply($rows->{model}, [
		'Claude4.6Sonnet|cache_read|500000|0.1500000000000000',
		'Claude4.6Sonnet|input|1300000|3.8500000000000000',
		'Claude4.6Sonnet|output|110000|1.6500000000000000' ],
	'per-model dashboard query for May 2026');
is_deeply($rows->{daily}, [
		'2026-05-01|0.5000000000000000', '2026-05-03|4.5000000000000000',
		'2026-05-04|0.7500000000000000', '2026-05-05|0.4000000000000000' ],
	'daily dashboard query for May 2026');

my (undef, undef, $team) = client('regress_bi_ds');
is_deeply($team->{principal},
	[ 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org|4.5000000000000000' ],
	'team role: its own principal only');
is($team->{team}, undef, 'team role: no rows of another tag key');
is($team->{model}, undef, 'team role: no per-model rows');

$node->stop;
done_testing();
