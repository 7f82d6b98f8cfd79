# 073_tags_memo.pl: the loader's COPY keeps the jsonb values of the tags
# maps it has received (src/ext/jsonb_memo.c), at most 1,024 of them, and
# hands a repeated map the value it made before.  A delivery with more
# distinct maps than that (1,100), the first hundred of them again, and one
# map written two ways stores every row's map as written: the same text,
# row for row, as jsonb prints each map, in the line items and in the
# period summary.
use strict;
use warnings;
use File::Path qw(make_path);
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $node = cluster('tags_memo', extension => 1);
my $hd = "$tmp/hand";
make_path($hd);
my @cols = hand_cols();
my %row = hand_row();

# the rows' maps as written, and as jsonb prints them (shorter keys first)
my (@rows, @printed);
for my $i (1 .. 1100, 1 .. 100)
{
	push @rows, { tags => qq({"iamPrincipal/team":"t$i","n":"$i"}) };
	push @printed, qq({"n": "$i", "iamPrincipal/team": "t$i"});
}
push @rows, { tags => '{"iamPrincipal/team":"w"}' }, { tags => ' { "iamPrincipal/team" : "w" } ' };
push @printed, '{"iamPrincipal/team": "w"}', '{"iamPrincipal/team": "w"}';
my $file = write_csv_gz("$hd/many-maps.csv.gz", \@cols, \%row, @rows);

my $out = sql("SELECT load_id || ' ' || status FROM bedrock_cost.load_file('$file')");
like($out, qr/^\d+ done$/, 'a delivery of 1,101 distinct maps in 1,202 rows loads');
my ($id) = $out =~ /^(\d+)/;
is(sql("SELECT count(*) || ' ' || count(DISTINCT tags) FROM bedrock_cost.line_items WHERE load_id = $id"),
	'1202 1101', 'every row stored, 1,101 distinct maps');
is(sql("SELECT string_agg(tags::text, '|' ORDER BY line_number) FROM bedrock_cost.line_items WHERE load_id = $id"),
	join('|', @printed), 'each row holds its own map, the repeated ones too');
is(sql("SELECT count(*) || ' ' || sum(line_items) FROM bedrock_cost.usage_period WHERE load_id = $id"),
	'1101 1202', 'the period summary: a row per distinct map, every line item');
is(sql("SELECT string_agg(tags::text || '=' || line_items, '|' ORDER BY tags::text) FROM bedrock_cost.usage_period "
	  . "WHERE load_id = $id AND tags IN ('{\"n\": \"1\", \"iamPrincipal/team\": \"t1\"}', "
	  . "'{\"n\": \"1100\", \"iamPrincipal/team\": \"t1100\"}', '{\"iamPrincipal/team\": \"w\"}')"),
	'{"iamPrincipal/team": "w"}=2|{"n": "1", "iamPrincipal/team": "t1"}=2|'
	  . '{"n": "1100", "iamPrincipal/team": "t1100"}=1',
	'a repeated map counts its rows, a map past the kept ones too');

$node->stop;
done_testing();
