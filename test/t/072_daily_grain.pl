# 072_daily_grain.pl: the model-day summary (usage_daily) is at the grain
# of chargeback_daily, one row per usage day, accounts, attribution,
# principal, tags map as jsonb and model, and the period summary
# (usage_period) at the grain of chargeback_base, tags map as jsonb too,
# whoever computes them.
#
#  - tags maps written several ways that are one jsonb value (key order,
#    whitespace, a duplicate key whose last value wins, a key spelt with an
#    escape) are one row, rolled up by the loader in memory (no DEBUG
#    message says it fell back to SQL);
#  - a map with a number (jsonb holds 1 and 1.0 equal, their texts are
#    not) makes the loader leave the rollup to SQL, which groups them as
#    one;
#  - in both cases usage_daily and usage_period equal, row for row, the
#    same grouping of the delivery's stored line items in plain SQL, the
#    grain is unique, and chargeback_daily and chargeback_base refresh from
#    them.
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
my $node = cluster('daily_grain', extension => 1);

my $hd = "$tmp/hand";
make_path($hd);
my @cols = hand_cols();
my %row = hand_row();

# load one file with DEBUG messages on; its load_id and what the server said
sub load_debug
{
	my ($file) = @_;
	my ($rc, $out, $err) = (0, '', '');
	$node->psql('postgres',
		"SET client_min_messages = debug1; SELECT load_id || ' ' || status FROM bedrock_cost.load_file('$file')",
		stdout => \$out, stderr => \$err);
	return ($out, $err);
}

my @kinds = ('input', 'output', 'cache_read', 'cache_write');
my $keys = 'load_id, usage_date, payer_account_id, usage_account_id, attribution, principal::text, tags, model';
# the reference: the delivery's line items, parsed and grouped in SQL
my $ref = "SELECT $keys, count(*), sum(unblended_cost), sum(coalesce(net_unblended_cost, unblended_cost)), "
  . join(', ',
	(map { "sum(tokens) FILTER (WHERE token_kind = '$_')" } @kinds),
	(map { "sum(unblended_cost) FILTER (WHERE token_kind = '$_')" } @kinds),
	(map { "sum(coalesce(net_unblended_cost, unblended_cost)) FILTER (WHERE token_kind = '$_')" } @kinds))
  . ' FROM (SELECT li.*, (li.usage_start AT TIME ZONE \'UTC\')::date AS usage_date, u.model, u.token_kind, '
  . 'bedrock_cost.attribution(li.principal::text, li.line_item_type) AS attribution '
  . 'FROM bedrock_cost.line_items AS li, bedrock_cost.parse_usage_type(li.usage_type, li.product_name) AS u '
  . 'WHERE li.load_id = %d) AS x GROUP BY 1, 2, 3, 4, 5, 6, 7, 8';
my $got = "SELECT $keys, line_items, unblended_cost, net_unblended_cost, "
  . join(', ', (map { "${_}_tokens" } @kinds), (map { "${_}_unblended_cost" } @kinds),
	(map { "${_}_net_unblended_cost" } @kinds))
  . ' FROM bedrock_cost.usage_daily WHERE load_id = %d';

# the period summary (usage_period, the grain of chargeback_base) likewise
my $pkeys = 'load_id, payer_account_id, usage_account_id, line_item_type, product_name, usage_type, '
  . 'principal::text, tags, resource_id, payer_account_name, usage_account_name';
my $pref = "SELECT $pkeys, count(*), sum(unblended_cost), sum(coalesce(net_unblended_cost, unblended_cost)), "
  . 'count(net_unblended_cost), sum(tokens), sum(usage_amount) FROM bedrock_cost.line_items '
  . 'WHERE load_id = %d GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11';
my $pgot = "SELECT $pkeys, line_items, unblended_cost, net_unblended_cost, net_rows, tokens, usage_amount "
  . 'FROM bedrock_cost.usage_period WHERE load_id = %d';

# a summary of a delivery against its reference: missing|extra|rows|distinct keys
sub compare_summary
{
	my ($load_id, $reference, $summary, $table, $grain) = @_;
	my $r = sprintf($reference, $load_id);
	my $g = sprintf($summary, $load_id);
	return sql("WITH r AS (SELECT t::text AS x FROM ($r) AS t), g AS (SELECT t::text AS x FROM ($g) AS t) "
		  . 'SELECT (SELECT count(*) FROM (SELECT x FROM r EXCEPT ALL SELECT x FROM g) a) || \'|\' || '
		  . '(SELECT count(*) FROM (SELECT x FROM g EXCEPT ALL SELECT x FROM r) b) || \'|\' || '
		  . "(SELECT count(*) FROM g) || '|' || (SELECT count(DISTINCT ($grain)) FROM bedrock_cost.$table "
		  . "WHERE load_id = $load_id)");
}
sub compare { return compare_summary($_[0], $ref, $got, 'usage_daily', $keys); }
sub compare_period { return compare_summary($_[0], $pref, $pgot, 'usage_period', $pkeys); }

# ---------------------------------------------------------------------
# one jsonb map written four ways, another map, an output row, an
# unattributed and an account-level row
my $same = '{"iamPrincipal/team":"a","user:cc":"x"}';
my $a = write_csv_gz("$hd/jsonb-texts.csv.gz", \@cols, \%row,
	{ tags => $same, line_item_unblended_cost => '1.5' },
	{ tags => ' { "user:cc" : "x" , "iamPrincipal/team":"a" } ', line_item_unblended_cost => '0.25' },
	{ tags => '{"iamPrincipal/team":"b","user:cc":"x","iamPrincipal/team":"a"}', line_item_usage_amount => '7' },
	{ tags => '{"iamPrincipal/t\u0065am":"a","user:cc":"x"}', line_item_net_unblended_cost => '0.03' },
	{ tags => '{"iamPrincipal/team":"b"}' },
	{ tags => ' {"user:cc":"x","iamPrincipal/team":"a"}', line_item_usage_type => 'USE1-Claude4.6Sonnet-output-tokens',
	  line_item_usage_amount => '3', line_item_unblended_cost => '0.045' },
	{ line_item_iam_principal => '', tags => '{}' },
	{ line_item_iam_principal => '', tags => '{}', line_item_line_item_type => 'Tax',
	  line_item_usage_type => 'Tax', line_item_usage_amount => '', pricing_unit => '',
	  line_item_unblended_cost => '0.5' });
my ($out, $err) = load_debug($a);
like($out, qr/^\d+ done$/, 'the delivery of tags maps written four ways loads');
my ($la) = $out =~ /^(\d+)/;
unlike($err, qr/usage_daily_l$la not rolled up in memory/, 'the loader rolled its model-day summary up itself');
is(compare($la), '0|0|4|4',
	'usage_daily equals the grouping of its line items in SQL: 4 rows, one per key');
unlike($err, qr/usage_period_l$la not rolled up in memory/, 'the loader rolled its period summary up itself');
is(compare_period($la), '0|0|5|5',
	'usage_period equals the grouping of its line items in SQL: 5 rows, one per key');
is(sql("SELECT input_tokens || ' ' || output_tokens || ' ' || unblended_cost || ' ' || net_unblended_cost "
	  . "FROM bedrock_cost.usage_daily WHERE load_id = $la AND tags = '$same'::jsonb"),
	'44500 3000 1.8700 1.8625', 'the four texts of one map are one row: their tokens and costs summed');
is(sql("SELECT string_agg(attribution || ':' || tags::text, ' ' ORDER BY attribution, tags::text) "
	  . "FROM bedrock_cost.usage_daily WHERE load_id = $la"),
	'account_level:{} attributed:{"iamPrincipal/team": "b"} '
	  . 'attributed:{"user:cc": "x", "iamPrincipal/team": "a"} unattributed:{}',
	'attribution and the tags as jsonb');

# ---------------------------------------------------------------------
# numbers: 1 and 1.0 are one jsonb value; the rollup is left to SQL
my $b = write_csv_gz("$hd/jsonb-numbers.csv.gz", \@cols,
	{ %row, bill_billing_period_start_date => '2025-02-01T00:00:00Z',
	  line_item_usage_start_date => '2025-02-02T00:00:00Z', line_item_usage_end_date => '2025-02-03T00:00:00Z' },
	{ tags => '{"iamPrincipal/team":"a","n":1}' },
	{ tags => '{"n":1.0,"iamPrincipal/team":"a"}' });
($out, $err) = load_debug($b);
like($out, qr/^\d+ done$/, 'the delivery of maps with numbers loads');
my ($lb) = $out =~ /^(\d+)/;
like($err, qr/usage_daily_l$lb not rolled up in memory/, 'the loader left its model-day summary to SQL');
is(compare($lb), '0|0|1|1', 'usage_daily equals the grouping of its line items in SQL: one row');
like($err, qr/usage_period_l$lb not rolled up in memory/, 'the loader left its period summary to SQL');
is(compare_period($lb), '0|0|1|1', 'usage_period equals the grouping of its line items in SQL: one row');

# ---------------------------------------------------------------------
# chargeback_daily refreshes from both, its rows those of usage_daily
sql('SELECT bedrock_cost.refresh_chargeback()');
is(sql('SELECT count(*) || \' \' || sum(line_items) || \' \' || sum(unblended_cost) FROM bedrock_cost.chargeback_daily'),
	'5 10 2.5200', 'chargeback_daily: a row per usage_daily row, every line item and cent');
is(sql('SELECT count(*) || \' \' || sum(line_items) || \' \' || sum(unblended_cost) FROM bedrock_cost.chargeback_base'),
	'6 10 2.5200', 'chargeback_base: a row per usage_period row, every line item and cent');

done_testing();
