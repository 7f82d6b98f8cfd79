# 066_sql_qualified.pl: the SQL texts of the extension's C code name every
# operator, type and function with its schema, so that nothing on a
# search_path (a database default, a caller's SET) can run in their place.
#
# Every C file of src/ext that runs SQL (SPI_execute*, SPI_exec*,
# SPI_prepare*, SPI_cursor_open*) or changes the current user
# (SetUserIdAndSecContext) must be listed below: checked, or pending with
# the reason.  A file that starts running SQL fails this test until it is
# listed.  In a checked file:
#   - the SQL of every call (the first argument of a call to an SPI
#     function or to a wrapper listed in @sql_functions) must be string
#     literals, the file's and the headers' macros expanded; only a
#     wrapper may pass its own parameter on, and a file listed in
#     %runs_built_sql may run, that many times, a text built in SQL (which
#     the test named there scans with the same SqlQualified.pm);
#   - in that SQL, an operator must be written OPERATOR(pg_catalog.op)
#     (except the "=" of an UPDATE's SET list and the "=>" of a named
#     argument), a cast (::) must name pg_catalog.type or bedrock_cost.type,
#     a function call must name pg_catalog.f or bedrock_cost.f, and the
#     constructs that look an operator up through the search_path are
#     refused: JOIN ... USING, IN, NULLIF, BETWEEN, LIKE, ILIKE, SIMILAR TO,
#     IS DISTINCT FROM, CASE x WHEN, and a type-named literal (date '...');
#   - a SetUserIdAndSecContext that adds SECURITY_LOCAL_USERID_CHANGE must
#     also add SECURITY_RESTRICTED_OPERATION.
# The scanner first shows that it finds each of these on known-bad texts
# (among them the worker's SQL before it was qualified).
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use SqlQualified qw(sql_problems);

# the files under the rules (src/ext/worker_*.c are always checked)
my @checked_extra = qw(usage_type_fns.c loader_client.c loader_fns.c loader_ledger.c loader_swap.c loader_verify.c privilege.c
  gateway_read.c loader_citus.c);

# checked files with calls that run a text built in SQL, not a literal:
# how many such calls, and where those texts are checked instead
my %runs_built_sql = ('gateway_read.c' => [ 1,
	'runs the text bedrock_cost._gateway_query_sql builds; 070_gateway.pl scans every text it builds' ]);

# files that run SQL or change user but are not checked yet, and why
my %pending = ();

# functions whose first argument is an SQL text: SPI's, and the files' wrappers
my %sql_functions = map { $_ => 1 } qw(
  SPI_execute SPI_execute_with_args SPI_execute_extended SPI_exec
  SPI_prepare SPI_prepare_params SPI_prepare_extended SPI_prepare_cursor
  SPI_cursor_open_with_args spi_run run summarize);

my $ext = "$ENV{TESTDIR}/src/ext";
my $runs_sql_re = qr/\b(?:SPI_execute\w*|SPI_exec|SPI_prepare\w*|SPI_cursor_open\w*|SetUserIdAndSecContext)\s*\(/;

# ---------------------------------------------------------------------
# a C tokenizer, enough for this code base: strings, identifiers,
# punctuation, comments dropped, #define recorded
# ---------------------------------------------------------------------

sub c_unescape
{
	my ($s) = @_;
	my %esc = (n => "\n", t => "\t", r => "\r", '\\' => '\\', '"' => '"', "'" => "'");
	$s =~ s/\\(.)/exists $esc{$1} ? $esc{$1} : $1/ge;
	return $s;
}

sub c_tokens
{
	my ($src, $macros) = @_;
	my @t;
	my $bol = 1;
	pos($src) = 0;
	while (pos($src) < length($src))
	{
		if ($src =~ /\G\n/gc) { $bol = 1; next; }
		next if $src =~ /\G[ \t\r\f]+/gc;
		if ($bol && $src =~ /\G#((?:[^\n\\]|\\.|\\\n)*)/gcs)
		{
			(my $d = $1) =~ s/\\\n/ /g;
			if ($macros && $d =~ /^\s*define\s+(\w+)(\(([^)]*)\))?(.*)$/s)
			{
				my ($name, $params, $body) = ($1, $3, $4);
				$macros->{$name} = {
					params => defined $params ? [ map { s/^\s+|\s+$//gr } split /,/, $params ] : undef,
					body => c_tokens($body, undef) };
			}
			next;
		}
		$bol = 0;
		next if $src =~ m{\G/\*.*?\*/}gcs;
		next if $src =~ m{\G//[^\n]*}gc;
		if ($src =~ /\G"((?:[^"\\\n]|\\.)*)"/gc)
		{
			push @t, { type => 'str', text => c_unescape($1) };
		}
		elsif ($src =~ /\G'((?:[^'\\\n]|\\.)*)'/gc)
		{
			push @t, { type => 'char', text => $1 };
		}
		elsif ($src =~ /\G([A-Za-z_]\w*)/gc)
		{
			push @t, { type => 'ident', text => $1 };
		}
		elsif ($src =~ /\G(\d[\w.]*)/gc)
		{
			push @t, { type => 'num', text => $1 };
		}
		elsif ($src =~ /\G(->|\+\+|--|&&|\|\||<<|>>|[<>=!]=|.)/gcs)
		{
			push @t, { type => 'punct', text => $1 };
		}
	}
	return \@t;
}

# the arguments (token lists) of the call whose "(" is at $open, and the
# index of its ")"
sub call_args
{
	my ($t, $open) = @_;
	my @args = ([]);
	my $depth = 0;
	for (my $i = $open; $i < @$t; $i++)
	{
		my $x = $t->[$i]{text};
		if ($t->[$i]{type} eq 'punct' && ($x eq '(' || $x eq '[' || $x eq '{'))
		{
			$depth++;
			next if $depth == 1;
		}
		elsif ($t->[$i]{type} eq 'punct' && ($x eq ')' || $x eq ']' || $x eq '}'))
		{
			$depth--;
			return (\@args, $i) if $depth == 0;
		}
		elsif ($t->[$i]{type} eq 'punct' && $x eq ',' && $depth == 1)
		{
			push @args, [];
			next;
		}
		push @{ $args[-1] }, $t->[$i];
	}
	die 'unbalanced call';
}

# a token list with its macros expanded
sub expand
{
	my ($toks, $macros, $level) = @_;
	my @out;
	$level //= 0;
	die 'macro recursion' if $level > 20;
	for (my $i = 0; $i < @$toks; $i++)
	{
		my $x = $toks->[$i];
		my $m = $x->{type} eq 'ident' ? $macros->{ $x->{text} } : undef;
		if ($m && !defined $m->{params})
		{
			push @out, @{ expand($m->{body}, $macros, $level + 1) };
		}
		elsif ($m && $i + 1 < @$toks && $toks->[ $i + 1 ]{text} eq '(')
		{
			my ($args, $end) = call_args($toks, $i + 1);
			my %arg;
			@arg{ @{ $m->{params} } } = @$args;
			my @body = map {
				$_->{type} eq 'ident' && exists $arg{ $_->{text} } ? @{ $arg{ $_->{text} } } : $_
			} @{ $m->{body} };
			push @out, @{ expand(\@body, $macros, $level + 1) };
			$i = $end;
		}
		else
		{
			push @out, $x;
		}
	}
	return \@out;
}

# the SQL calls and user switches of a C source: a list of
# { line => function, sql => text or undef, passes => bool, problem => text }
sub c_sql_calls
{
	my ($src, $macros) = @_;
	my %m = %$macros;
	my $t = c_tokens($src, \%m);
	my ($depth, $fn, $last) = (0, undef, undef);
	my @calls;
	for (my $i = 0; $i < @$t; $i++)
	{
		my $x = $t->[$i];
		if ($x->{type} eq 'punct' && $x->{text} eq '{')
		{
			$fn = $last if $depth == 0;
			$depth++;
			next;
		}
		if ($x->{type} eq 'punct' && $x->{text} eq '}')
		{
			$depth--;
			$fn = undef if $depth == 0;
			next;
		}
		next unless $x->{type} eq 'ident' && $i + 1 < @$t && $t->[ $i + 1 ]{text} eq '(';
		if ($depth == 0)
		{
			$last = $x->{text};
			next;
		}
		my $where = ($fn // '?') . '(): ' . $x->{text};
		if ($sql_functions{ $x->{text} })
		{
			my ($args) = call_args($t, $i + 1);
			my $arg = expand($args->[0], \%m);
			if (@$arg == 1 && $arg->[0]{type} eq 'ident' && $fn && $sql_functions{$fn})
			{
				push @calls, { where => $where, passes => 1 };
			}
			elsif (!@$arg || grep { $_->{type} ne 'str' } @$arg)
			{
				push @calls, { where => $where,
					problem => 'the SQL is not a string literal: '
					  . join(' ', map { $_->{text} } @$arg) };
			}
			else
			{
				push @calls, { where => $where, sql => join('', map { $_->{text} } @$arg) };
			}
		}
		elsif ($x->{text} eq 'SetUserIdAndSecContext')
		{
			my ($args) = call_args($t, $i + 1);
			my %flags = map { $_->{text} => 1 } @{ $args->[1] // [] };
			push @calls, { where => $where, user_switch => 1,
				problem => $flags{SECURITY_LOCAL_USERID_CHANGE} && !$flags{SECURITY_RESTRICTED_OPERATION}
				? 'switches user without SECURITY_RESTRICTED_OPERATION' : undef };
		}
	}
	return \@calls;
}

# ---------------------------------------------------------------------
# the SQL scanner: SqlQualified.pm
# ---------------------------------------------------------------------

# ---------------------------------------------------------------------
# the scanner finds what it must
# ---------------------------------------------------------------------

my @bad = (
	# the worker's SQL before it was qualified
	[ q{SELECT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('bedrock_cost export'), $1::integer)},
		'cast to integer: type not schema-qualified' ],
	[ q{SELECT s.scan_next_attempt IS NULL OR s.scan_next_attempt <= pg_catalog.clock_timestamp() FROM bedrock_cost.exports e LEFT JOIN bedrock_cost.export_state s USING (export_id) WHERE e.export_id = $1::integer AND e.export_name IS NOT NULL AND NOT e.paused},
		'operator <= not written OPERATOR(pg_catalog.<=); USING looks its operator up through the search_path; operator = not written OPERATOR(pg_catalog.=); cast to integer: type not schema-qualified' ],
	[ q{UPDATE bedrock_cost.export_state SET scan_failures = scan_failures + 1, scan_next_attempt = pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => least($4::float8, $3::float8 * pg_catalog.power(2, least(scan_failures, 30)))) WHERE export_id = $1::integer},
		'operator + not written OPERATOR(pg_catalog.+); operator + not written OPERATOR(pg_catalog.+); cast to float8: type not schema-qualified; cast to float8: type not schema-qualified; operator * not written OPERATOR(pg_catalog.*); operator = not written OPERATOR(pg_catalog.=); cast to integer: type not schema-qualified' ],
	[ q{SELECT fingerprint = $3, status, first_seen < $4::timestamptz FROM bedrock_cost.export_deliveries WHERE manifest = $2},
		'operator = not written OPERATOR(pg_catalog.=); operator < not written OPERATOR(pg_catalog.<); cast to timestamptz: type not schema-qualified; operator = not written OPERATOR(pg_catalog.=)' ],
	[ q{INSERT INTO bedrock_cost.export_deliveries AS d (export_id, billing_period) VALUES ($1::integer, $3::date) ON CONFLICT (export_id) DO UPDATE SET failures = CASE WHEN d.status = 'failed' THEN d.failures + 1 ELSE 1 END},
		'cast to integer: type not schema-qualified; cast to date: type not schema-qualified; operator = not written OPERATOR(pg_catalog.=); operator + not written OPERATOR(pg_catalog.+)' ],
	[ q{SELECT pg_catalog.pg_notify('c', pg_catalog.json_build_object('load_id', $5::bigint)::text)},
		'cast to bigint: type not schema-qualified; cast to text: type not schema-qualified' ],
	[ q{UPDATE bedrock_cost.loads SET status = 'failed' WHERE status = 'running'},
		'operator = not written OPERATOR(pg_catalog.=)' ],
	# other ways to reach the search_path
	[ q{SELECT count(*), now(), public.f(1) FROM x}, 'call of count: function not schema-qualified; call of now: function not schema-qualified; call of public.f: function not schema-qualified' ],
	[ q{SELECT 1 WHERE a IN ('x', 'y') AND b BETWEEN 1 AND 2 AND NULLIF(c, d) IS NULL},
		'IN looks its operator up through the search_path; BETWEEN looks its operator up through the search_path; NULLIF looks its operator up through the search_path' ],
	[ q{SELECT 1 WHERE a LIKE 'x%' OR a IS DISTINCT FROM b}, 'LIKE looks its operator up through the search_path; IS DISTINCT FROM looks its operator up through the search_path' ],
	[ q{SELECT CASE status WHEN 'a' THEN 1 END, date '2026-01-01', x OPERATOR(public.=) y},
		"CASE x WHEN looks its operator up through the search_path; literal typed date: type not schema-qualified; call of OPERATOR: function not schema-qualified; operator = not written OPERATOR(pg_catalog.=)" ],
);
foreach my $b (@bad)
{
	my ($sql, $want) = @$b;
	is(join('; ', sql_problems($sql)), $want, 'the scanner finds: ' . substr($want, 0, 60));
}
my @good = (
	q{UPDATE bedrock_cost.export_state SET scan_failures = scan_failures OPERATOR(pg_catalog.+) 1, last_error = $2 WHERE export_id OPERATOR(pg_catalog.=) $1::pg_catalog.int4},
	q{INSERT INTO bedrock_cost.export_state AS s (export_id, last_poll) VALUES ($1::pg_catalog.int4, pg_catalog.clock_timestamp()) ON CONFLICT (export_id) DO UPDATE SET last_poll = excluded.last_poll},
	q{SELECT pg_catalog.make_interval(secs => pg_catalog.float8smaller(1, 2)), pg_catalog.count(*), bedrock_cost.f('it''s = x')},
	q{SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid OPERATOR(pg_catalog.=) 1) AND NOT (b OR c) ORDER BY d DESC},
	q{SELECT GREATEST(a OPERATOR(pg_catalog.-) (b OPERATOR(pg_catalog.+) 1), 0), LEAST(c, d)},
);
foreach my $sql (@good)
{
	is(join('; ', sql_problems($sql)), '', 'the scanner accepts: ' . substr($sql, 0, 60));
}

# the C side: macros expanded, a wrapper's pass-through, user switches
{
	my $calls = c_sql_calls(q{
#define CHANNEL "chan"
#define BACKOFF(n, cap) \
	"pg_catalog.power(2, " n ") + " cap
static void
spi_run(const char *sql)
{
	SPI_execute_with_args(sql, 0, NULL, NULL, NULL, false, 0);	/* "not SQL" */
}
static void
f(void)
{
	spi_run("SELECT " BACKOFF("$1", "$2::int8") ", '" CHANNEL "'");
	SPI_execute(query, true, 0);
	SetUserIdAndSecContext(owner, sec | SECURITY_LOCAL_USERID_CHANGE);
	SetUserIdAndSecContext(owner, sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	SetUserIdAndSecContext(save_userid, save_sec);
}
}, {});
	is( join("\n",
			map { "$_->{where}: " . ($_->{passes} ? 'passes its parameter' : $_->{sql} // $_->{problem} // 'ok') }
			  @$calls),
		"spi_run(): SPI_execute_with_args: passes its parameter\n"
		  . "f(): spi_run: SELECT pg_catalog.power(2, \$1) + \$2::int8, 'chan'\n"
		  . "f(): SPI_execute: the SQL is not a string literal: query\n"
		  . "f(): SetUserIdAndSecContext: switches user without SECURITY_RESTRICTED_OPERATION\n"
		  . "f(): SetUserIdAndSecContext: ok\n"
		  . "f(): SetUserIdAndSecContext: ok",
		'the C scanner extracts SQL through macros and finds user switches');
}

# ---------------------------------------------------------------------
# the files
# ---------------------------------------------------------------------

opendir(my $dh, $ext) or die "$ext: $!";
my @sources = sort grep { /\.c$/ } readdir($dh);
closedir($dh);
my %checked = map { $_ => 1 } (grep({ /^worker_.*\.c$/ } @sources), @checked_extra);
my %macros;
foreach my $h (glob("$ext/*.h"))
{
	c_tokens(slurp_file($h), \%macros);
}

foreach my $f (sort keys %checked, sort keys %pending)
{
	ok(-f "$ext/$f", "$f exists");
}
my @unlisted = grep { slurp_file("$ext/$_") =~ $runs_sql_re && !$checked{$_} && !$pending{$_} } @sources;
is(join(', ', @unlisted), '', 'every file that runs SQL or changes user is checked or pending');
foreach my $f (sort keys %pending)
{
	ok(slurp_file("$ext/$f") =~ $runs_sql_re, "pending $f does run SQL or change user");
	note("not checked yet: $f: $pending{$f}");
}

my $texts = 0;
foreach my $f (sort keys %checked)
{
	my $src = slurp_file("$ext/$f");
	my $calls = c_sql_calls($src, \%macros);
	my @problems;
	my @sql;
	my $built = 0;
	foreach my $c (@$calls)
	{
		if ($runs_built_sql{$f} && ($c->{problem} // '') =~ /^the SQL is not a string literal: \w+$/)
		{
			$built++;
			next;
		}
		push @problems, "$c->{where}: $c->{problem}" if $c->{problem};
		next unless defined $c->{sql};
		push @sql, $c->{sql};
		push @problems, map { "$c->{where}: $_ in: $c->{sql}" } sql_problems($c->{sql});
	}
	# a statement kept in a variable or passed to an unknown function
	foreach my $lit (grep { $_->{type} eq 'str' } @{ c_tokens($src, undef) })
	{
		next unless $lit->{text} =~ /^\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;
		push @problems, "SQL text outside the calls checked: $lit->{text}"
		  unless grep { index($_, $lit->{text}) >= 0 } @sql;
	}
	if ($runs_built_sql{$f})
	{
		is($built, $runs_built_sql{$f}[0], "$f: $built call(s) of a text built in SQL: $runs_built_sql{$f}[1]");
	}
	is(join("\n", @problems), '',
		"$f: every operator, type and function is schema-qualified (" . scalar(@sql) . ' SQL texts)');
	$texts += @sql;
}
ok($texts > 0, "$texts SQL texts checked");

done_testing();
