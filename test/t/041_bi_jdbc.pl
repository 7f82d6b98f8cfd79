# 041_bi_jdbc.pl: the BI views as a JDBC client (Metabase, Superset's JDBC
# cousins) sees them: DatabaseMetaData lists every bi_* view with its
# columns in standard JDBC types and with remarks, and typical dashboard
# queries with a billing period parameter return the expected numbers, for
# the unrestricted BI role and for a team role restricted by team_access.
# ResultSetMetaData reports the declared type of every cost and token column
# of every view: numeric(38,16) as precision 38 scale 16 (not the 0, 0 of an
# unconstrained numeric, which leaves Metabase guessing), tokens and counts
# as int8.
# Compiles test/bi/BiClient.java with javac at test time; needs a JDK and
# the PostgreSQL JDBC driver (Debian: default-jdk-headless,
# libpostgresql-jdbc-java).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use BiColumns qw(bi_declared_types bi_check_views bi_check_dashboards bi_check_team);

my $jar = $ENV{BC_JDBC_JAR} // '/usr/share/java/postgresql.jar';
my $javac = `command -v javac 2>/dev/null`;
chomp $javac;
if (!($javac && -r $jar))
{
	# scripts/test.sh installs every dependency: there a missing one is a failure
	BAIL_OUT("no javac or no JDBC driver at $jar (install default-jdk-headless libpostgresql-jdbc-java)") if $ENV{BC_REQUIRE_ALL_TESTS};
	plan skip_all => "no javac or no JDBC driver at $jar (install default-jdk-headless libpostgresql-jdbc-java)";
}

my $root = "$FindBin::RealBin/../..";
my $node = cluster('bi_jdbc', settings => { listen_addresses => '127.0.0.1' });
$node->safe_psql('postgres', slurp_file("$root/test/fixtures/chargeback_bi.sql"));

my $classes = PostgreSQL::Test::Utils::tempdir();
my ($out, $err);
IPC::Run::run([ 'javac', '-d', $classes, '-cp', $jar, "$root/test/bi/BiClient.java" ],
	'>', \$out, '2>', \$err)
  or BAIL_OUT("javac failed: $err");

# run the client as a database role; returns (views, columns, rows)
sub bi_client
{
	my ($role) = @_;
	my $url = 'jdbc:postgresql://127.0.0.1:' . $node->port . '/postgres';
	my ($o, $e);
	IPC::Run::run([ 'java', '-cp', "$jar:$classes", 'BiClient', $url, $role, '2026-05-01' ],
		'>', \$o, '2>', \$e)
	  or die "BiClient failed: $e";
	my (%views, @cols, %rows, %result);
	for my $line (split /\n/, $o)
	{
		my ($kind, @f) = split / /, $line, 6;
		if ($kind eq 'VIEW') { $views{ $f[0] } = $f[1]; }
		elsif ($kind eq 'COLUMN') { push @cols, [@f]; }
		elsif ($kind eq 'RESULT') { $result{"$f[0].$f[1]"} = "$f[2] $f[3] $f[4]"; }
		elsif ($kind eq 'ROW')
		{
			my ($q, $rest) = split / /, join(' ', @f), 2;
			push @{ $rows{$q} }, $rest;
		}
	}
	$rows{$_} = [ sort @{ $rows{$_} } ] for keys %rows;
	return (\%views, \@cols, \%rows, \%result);
}

my ($views, $cols, $rows, $result) = bi_client('regress_bi_reader');

is(scalar(grep { $views->{$_} ne '1' } keys %$views), 0, 'every BI view has remarks');
cmp_ok(scalar(@$cols), '>', 60, 'getColumns lists the columns (' . scalar(@$cols) . ')');
# java.sql.Types: VARCHAR 12, DATE 91, TIMESTAMP 93, NUMERIC 2, BIGINT -5, BIT -7, BOOLEAN 16, INTEGER 4
my %standard = map { $_ => 1 } (12, 91, 93, 2, -5, -7, 16, 4);
my @odd = map { "$_->[0].$_->[1] $_->[2] $_->[3]" } grep { !$standard{ $_->[2] } } @$cols;
is_deeply(\@odd, [], 'every column has a standard JDBC type');
my @bare = map { "$_->[0].$_->[1]" } grep { $_->[4] ne '1' } @$cols;
is_deeply(\@bare, [], 'every column has remarks');
my %type = map { ("$_->[0].$_->[1]" => $_->[3]) } @$cols;
is($type{'bi_chargeback_by_principal.cost'}, 'numeric', 'cost is numeric');
is($type{'bi_chargeback_by_principal.total_tokens'}, 'int8', 'total_tokens is int8');
is($type{'bi_chargeback_by_principal.billing_period'}, 'date', 'billing_period is a date');
is($type{'bi_chargeback_by_principal.principal_arn'}, 'text', 'the ARN is text');
bi_check_views($views, \%type, 'getTables lists every BI view');

# the declared types of the cost and token columns, as a result set reports them
my %want = bi_declared_types('numeric 38 16', 'numeric 38 6', 'int8 19 0');
my %got;
$got{$_} = $result->{$_} for keys %want;
is(scalar(keys %want), 125, 'cost and token columns checked: ' . scalar(keys %want));
is_deeply(\%got, \%want,
	'ResultSetMetaData: costs numeric precision 38 scale 16, cost per million tokens scale 6, tokens and counts int8');
is(scalar(keys %$result), scalar(@$cols), 'every column of every BI view is in a result set');
my @loose = sort grep { $result->{$_} =~ /^numeric / && !$want{$_} } keys %$result;
is_deeply(\@loose, [], 'no other numeric column in the BI views');

bi_check_dashboards($rows);

# the team role (cost-center 12345) sees alice only, and no per-model view
my (undef, undef, $team) = bi_client('regress_bi_ds');
bi_check_team($team, daily => 1);

$node->stop;
done_testing();
