# 042_bi_sqlalchemy.pl: the BI views as Superset's stack (SQLAlchemy +
# psycopg2) sees them: inspect().get_view_names / get_columns list every
# bi_* view with its columns in standard SQLAlchemy types and with comments,
# and typical dashboard queries with a billing period parameter return the
# expected numbers, for the unrestricted BI role and for a team role.
# Runs test/bi/bi_sqlalchemy.py with /usr/bin/python3 (Debian:
# python3-sqlalchemy, python3-psycopg2).
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Spec;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

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
	my (%views, @cols, %rows);
	for my $line (split /\n/, $o)
	{
		my ($kind, $rest) = split / /, $line, 2;
		if ($kind eq 'VIEW') { my @f = split / /, $rest; $views{ $f[0] } = $f[1]; }
		elsif ($kind eq 'COLUMN') { push @cols, [ split / /, $rest ]; }
		elsif ($kind eq 'ROW')
		{
			my ($q, $r) = split / /, $rest, 2;
			push @{ $rows{$q} }, $r;
		}
	}
	$rows{$_} = [ sort @{ $rows{$_} } ] for keys %rows;
	return (\%views, \@cols, \%rows);
}

my ($views, $cols, $rows) = client('regress_bi_reader');

is_deeply([ sort keys %$views ],
	[qw(bi_chargeback_allocated bi_chargeback_by_principal bi_chargeback_by_tag bi_daily bi_principal_tags bi_usage_by_model)],
	'get_view_names lists every BI view');
is(scalar(grep { $views->{$_} ne '1' } keys %$views), 0, 'every BI view has a comment');
cmp_ok(scalar(@$cols), '>', 60, 'get_columns lists the columns (' . scalar(@$cols) . ')');
my %standard = map { $_ => 1 } qw(String Text Date Numeric BigInteger Integer Boolean);
my @odd = map { "$_->[0].$_->[1] $_->[2]" } grep { !$standard{ $_->[3] } } @$cols;
is_deeply(\@odd, [], 'every column has a standard SQLAlchemy type');
my @bare = map { "$_->[0].$_->[1]" } grep { $_->[4] ne '1' } @$cols;
is_deeply(\@bare, [], 'every column has a comment');
my %type = map { ("$_->[0].$_->[1]" => $_->[3]) } @$cols;
is($type{'bi_chargeback_by_principal.cost'}, 'Numeric', 'cost is Numeric');
is($type{'bi_chargeback_by_principal.billing_period'}, 'Date', 'billing_period is a Date');
# every view names the export its rows came from (the same bill synced twice shows twice)
my @no_export = grep { !exists $type{$_} }
  map { my $v = $_; map { "$v.$_" } qw(export_id export_name export) } sort keys %$views;
is_deeply(\@no_export, [], 'every BI view has export_id, export_name and export');


is_deeply($rows->{principal}, [
		'account_level|0.50',
		'arn:aws:iam::222222222222:user/bob|0.75',
		'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org|4.50',
		'arn:aws:sts::333333333333:assumed-role/App/session1|0.15',
		'unattributed|0.25' ],
	'per-principal dashboard query for May 2026');
is_deeply($rows->{team}, [ '(untagged)|0.90', 'ds|4.50', 'web|0.75' ],
	'per-team dashboard query for May 2026');
is_deeply($rows->{model}, [
		'Claude4.6Sonnet|cache_read|500000|0.15',
		'Claude4.6Sonnet|input|1300000|3.85',
		'Claude4.6Sonnet|output|110000|1.65' ],
	'per-model dashboard query for May 2026');
is_deeply($rows->{daily}, [ '2026-05-01|0.50', '2026-05-03|4.50', '2026-05-04|0.75', '2026-05-05|0.40' ],
	'daily dashboard query for May 2026');

my (undef, undef, $team) = client('regress_bi_ds');
is_deeply($team->{principal},
	[ 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org|4.50' ],
	'team role: its own principal only');
is($team->{team}, undef, 'team role: no rows of another tag key');
is($team->{model}, undef, 'team role: no per-model rows');

$node->stop;
done_testing();
