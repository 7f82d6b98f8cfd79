# SqlQualified.pm: what in an SQL text could resolve through the
# search_path.  The scanner of the SQL texts the extension runs, shared by
# 066_sql_qualified.pl (the texts of the C code) and 070_gateway.pl (the
# texts built in SQL that C runs as a gateway's registrant).
package SqlQualified;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = qw(sql_problems);

my $opchars = qr{[-+*/<>=~!@#%^&|`?]};
# words a parenthesis may follow without being a function call: keywords,
# an operator already qualified, and the constructs that look nothing up by
# name (GREATEST and LEAST compare with the type's default btree opclass)
my %paren_ok = map { $_ => 1 } qw(SELECT WHERE AND OR NOT ON THEN ELSE WHEN FROM JOIN
  LATERAL EXISTS VALUES CONFLICT RETURNING COALESCE GREATEST LEAST QUALIFIED_OPERATOR);
my %keyword = map { $_ => 1 } qw(SELECT FROM WHERE AND OR NOT IS NULL TRUE FALSE AS ON
  JOIN LEFT RIGHT INNER FULL OUTER CROSS LATERAL INSERT INTO VALUES UPDATE SET DELETE
  RETURNING CONFLICT DO NOTHING CASE WHEN THEN ELSE END EXISTS ORDER BY GROUP HAVING
  LIMIT OFFSET DESC ASC NULLS FIRST LAST WITH DISTINCT UNION ALL FOR QUALIFIED_OPERATOR);
my %lookup = map { $_ => 1 } qw(USING IN NULLIF BETWEEN LIKE ILIKE SIMILAR);
my $qualified = qr/^(?:pg_catalog|bedrock_cost)\.[A-Za-z_]\w*$/;

# what in an SQL text could resolve through the search_path
sub sql_problems
{
	my ($sql) = @_;
	my @p;
	my $s = $sql;
	$s =~ s/'(?:[^']|'')*'/ 'L' /g;
	$s =~ s/"(?:[^"]|"")*"/ QUOTED_IDENT /g;
	$s =~ s/OPERATOR\s*\(\s*pg_catalog\s*\.\s*$opchars+\s*\)/ QUALIFIED_OPERATOR /g;
	my @tok = $s =~ /('L'|\$\d+|::|[A-Za-z_][\w\$]*(?:\.[A-Za-z_][\w\$]*)*\.?|\d+(?:\.\d+)?|$opchars+|\S)/g;
	my @set_depth;
	my $depth = 0;
	for my $i (0 .. $#tok)
	{
		my $t = $tok[$i];
		my $u = uc $t;
		my $prev = $i > 0 ? $tok[ $i - 1 ] : '';
		my $prev2 = $i > 1 ? $tok[ $i - 2 ] : '';
		my $next = $tok[ $i + 1 ] // '';
		my $ident = qr/^[A-Za-z_]\w*$/;
		if ($t eq '(')
		{
			$depth++;
		}
		elsif ($t eq ')')
		{
			$depth--;
			pop @set_depth while @set_depth && $set_depth[-1] > $depth;
		}
		elsif ($u eq 'SET')
		{
			push @set_depth, $depth;
		}
		elsif ($u =~ /^(?:WHERE|RETURNING|FROM)$/ && @set_depth && $set_depth[-1] == $depth)
		{
			pop @set_depth;
		}
		elsif ($t =~ /^$opchars+$/)
		{
			next if $t eq '=>' && $prev =~ $ident;
			next if $t eq '*' && (($prev eq '(' && $next eq ')') || uc($prev) eq 'SELECT' || $prev =~ /\.$/);
			next if $t eq '=' && @set_depth && $set_depth[-1] == $depth && $prev =~ $ident
			  && ($prev2 eq ',' || uc($prev2) eq 'SET');
			push @p, "operator $t not written OPERATOR(pg_catalog.$t)";
		}
		elsif ($t eq '::')
		{
			push @p, "cast to $next: type not schema-qualified" unless $next =~ $qualified;
		}
		elsif ($lookup{$u})
		{
			push @p, "$u looks its operator up through the search_path";
		}
		elsif ($u eq 'DISTINCT' && uc($next) eq 'FROM')
		{
			push @p, 'IS DISTINCT FROM looks its operator up through the search_path';
		}
		elsif ($u eq 'CASE' && uc($next) ne 'WHEN')
		{
			push @p, 'CASE x WHEN looks its operator up through the search_path';
		}
		elsif ($next eq '(' && $t =~ /^[A-Za-z_]/)
		{
			next if $t =~ $qualified || $paren_ok{$u};
			next if uc($prev) eq 'AS' && $t =~ $ident;    # an alias's column list
			push @p, "call of $t: function not schema-qualified";
		}
		elsif ($next eq "'L'" && $t =~ $ident && !$keyword{$u})
		{
			push @p, "literal typed $t: type not schema-qualified";
		}
	}
	return @p;
}

1;
