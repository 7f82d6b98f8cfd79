# 062_null_arguments.pl: every function of schema bedrock_cost, called with
# NULL arguments, either returns or raises a clear error; none crashes the
# server or raises an internal error (SQLSTATE class XX).
#
# The functions are enumerated from pg_proc, so a new function is covered
# without touching this file.  Each function with arguments is called once
# with every argument NULL and once per argument with that one NULL and the
# others given a plausible value of their type (a type without one stays
# NULL); a function without arguments is called once.  Each call runs in a
# session of its own, so a crash shows as that call's failure, and the
# server is given time to restart before the next call.  The calls run as a
# member of bedrock_cost_admin (most functions it may not execute: that is
# a clear error) and then as a superuser.  On a throwaway database: loads,
# polls and refreshes with NULLs are fine.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# a crash must not end the test: the server restarts and the next call runs
my $node = cluster('null_arguments', settings => { restart_after_crash => 'on' }, extension => 1);
$node->safe_psql('postgres', 'CREATE ROLE null_admin LOGIN IN ROLE bedrock_cost_admin');

# a plausible non-NULL value per argument type (format_type spelling)
my %plausible = (
	'text' => "'x'::text",
	'character varying' => "'x'::varchar",
	'cstring' => "'x'::cstring",
	'jsonb' => "'{}'::jsonb",
	'bigint' => '1::bigint',
	'integer' => '1::integer',
	'boolean' => 'false',
	'date' => "'2026-01-01'::date",
	'numeric' => '1::numeric',
	'bedrock_cost.iam_arn' => "'arn:aws:iam::123456789012:user/x'::bedrock_cost.iam_arn",
);

# every function: name, kind, argument types
my @functions;
foreach my $line (split /\n/, $node->safe_psql('postgres', q{
	SELECT p.oid, p.proname, p.prokind,
		   coalesce(pg_catalog.array_to_string(ARRAY(
			   SELECT pg_catalog.format_type(t, NULL)
				 FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY AS a(t, n)
				ORDER BY a.n), '|'), '')
	  FROM pg_catalog.pg_proc p
	 WHERE p.pronamespace = 'bedrock_cost'::pg_catalog.regnamespace
	 ORDER BY p.proname, p.oid}))
{
	my ($oid, $name, $kind, $args) = split /\|/, $line, 4;
	push @functions, { name => $name, kind => $kind, args => [ split /\|/, $args ] };
}
ok(scalar(@functions) >= 70, scalar(@functions) . ' functions found in schema bedrock_cost');

# the SQL calls of one function
sub calls_of
{
	my ($f) = @_;
	my @t = @{ $f->{args} };
	my $null = sub { "NULL::$_[0]" };
	my $value = sub { $plausible{ $_[0] } // "NULL::$_[0]" };
	my @arglists;
	if (!@t)
	{
		push @arglists, '';
	}
	else
	{
		push @arglists, join(', ', map { $null->($_) } @t);
		if (@t > 1)
		{
			for my $i (0 .. $#t)
			{
				push @arglists, join(', ',
					map { $_ == $i ? $null->($t[$_]) : $value->($t[$_]) } 0 .. $#t);
			}
		}
	}
	my $verb = $f->{kind} eq 'p' ? 'CALL' : 'SELECT';
	return map { "$verb bedrock_cost.$f->{name}($_)" } @arglists;
}

# run every call as $user; returns the offenders ("call: why")
sub run_calls
{
	my ($user) = @_;
	my @offenders;
	my $ncalls = 0;
	foreach my $f (@functions)
	{
		foreach my $call (calls_of($f))
		{
			my ($out, $err) = ('', '');
			my $rc = $node->psql('postgres', "\\set VERBOSITY verbose\n$call;\n",
				stdout => \$out, stderr => \$err,
				extra_params => [ '-U', $user ]);
			$ncalls++;
			if ($err =~ /server closed the connection|connection to server was lost|terminating connection because of crash/
				|| ($rc != 0 && $rc != 3))
			{
				push @offenders, "$call: server crashed (psql exit code $rc)";
				# wait for the restart after the crash
				$node->poll_query_until('postgres', 'SELECT true')
				  or die "the server did not come back after $call";
			}
			elsif ($err =~ /ERROR:\s+(XX\w{3}):\s*([^\n]*)/)
			{
				push @offenders, "$call: internal error $1: $2";
			}
			elsif ($rc == 3 && $err !~ /ERROR:\s+[0-9A-Z]{5}:/)
			{
				push @offenders, "$call: error without SQLSTATE: $err";
			}
			else
			{
				my ($what) = $rc == 3 ? ($err =~ /(ERROR:[^\n]*)/) : ('returns');
				note("as $user: $call: $what");
			}
		}
	}
	return ($ncalls, @offenders);
}

foreach my $user ('null_admin', 'postgres')
{
	my ($ncalls, @offenders) = run_calls($user);
	ok($ncalls > 100, "as $user: $ncalls calls made");
	is(join("\n", @offenders), '',
		"as $user: every call with NULL arguments returns or raises a clear error");
	diag("offender as $user: $_") foreach @offenders;
}

my @crashes = grep { /terminated by signal|all server processes terminated/ }
  split /\n/, slurp_file($node->logfile);
is(scalar(@crashes), 0, 'no crash: the server never restarted');

$node->stop;
done_testing();
