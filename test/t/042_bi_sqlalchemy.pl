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
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use BiColumns qw(bi_declared_types bi_check_views bi_check_dashboards bi_check_team);

my $python = $ENV{BC_PYTHON} // '/usr/bin/python3';
if (!(system($python, '-c', 'import sqlalchemy, psycopg2') == 0))
{
	# scripts/test.sh installs every dependency: there a missing one is a failure
	BAIL_OUT("$python cannot import sqlalchemy and psycopg2 (install python3-sqlalchemy python3-psycopg2)") if $ENV{BC_REQUIRE_ALL_TESTS};
	plan skip_all => "$python cannot import sqlalchemy and psycopg2 (install python3-sqlalchemy python3-psycopg2)";
}

my $root = "$FindBin::RealBin/../..";
my $node = cluster('bi_sqlalchemy', settings => { listen_addresses => '127.0.0.1' });
$node->safe_psql('postgres', slurp_file("$root/test/fixtures/chargeback_bi.sql"));

# run the script as a database role; returns (views, columns, rows)
sub bi_client
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

my ($views, $cols, $rows, $declared) = bi_client('regress_bi_reader');

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
bi_check_views($views, \%type, 'get_view_names lists every BI view');

# the reflected types of the cost and token columns
my %want = bi_declared_types('NUMERIC 38 16', 'NUMERIC 38 6', 'BIGINT - -');
my %got;
$got{$_} = $declared->{$_} for keys %want;
is(scalar(keys %want), 125, 'cost and token columns checked: ' . scalar(keys %want));
is_deeply(\%got, \%want,
	'reflected types: costs NUMERIC(38, 16), cost per million tokens NUMERIC(38, 6), tokens and counts BIGINT');
my @loose = sort grep { $declared->{$_} =~ /^NUMERIC / && !$want{$_} } keys %$declared;
is_deeply(\@loose, [], 'no other NUMERIC column in the BI views');

bi_check_dashboards($rows);

my (undef, undef, $team) = bi_client('regress_bi_ds');
bi_check_team($team);

$node->stop;
done_testing();
