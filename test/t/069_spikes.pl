# 069_spikes.pl: spikes against the generator's planted ones.
#
# bedrock-cost-gen --spikes 2 adds two pipeline jobs (their own principals)
# that bill the same Claude Sonnet 4.6 output tokens every day of every
# month, five times as many on one day of the last month; spikes.csv lists
# those days, spike_settings.csv thresholds (factor 3, least cost and
# tokens just above any random day and above the steady day) for which
# they are exactly the spikes of the data.  --through-day 5 puts both
# spikes on May 5, so their 14 days before reach back into April.
#   - with those thresholds, spikes holds exactly the planted days: cost,
#     tokens, baseline (the median of the 14 days before), spike_on, and
#     the principal's tags as text;
#   - April restated: the refresh recomputes May's spikes too (their
#     baselines reach into April), and they stay the same;
#   - a threshold change recomputes every period and is audited;
#   - with the defaults, the random usage has spikes of its own (days far
#     above a median of mostly empty days); April is the first month
#     loaded, so its first seven days have too few known days before them
#     (March is not loaded: unknown, not empty) and none is a spike, and
#     no steady day of the planted series is one either;
#   - a month loaded before the month it follows (a backfill): May of
#     another export alone has no spike in its first week; once April is
#     loaded, the incremental refresh judges May's first days with April's
#     known, exactly as a full rebuild does.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = PostgreSQL::Test::Utils::tempdir();
my @gen = ('--out', $root, '--export', 'cur', '--seed', '91', '--rows', '4000',
	'--periods', '2', '--start', '2026-04', '--principals', '40', '--restate', '--through-day', '5',
	'--spikes', '2');
my $export = "$root/cur";
my $truth = "$export/ground_truth";

my $node = cluster('spikes', extension => 1);

gen(@gen, '--initial-only');
is(sql("SELECT string_agg(status, ',' ORDER BY billing_period) FROM bedrock_cost.load_export('$export')"),
	'done,done', 'two months loaded');
sql('SELECT bedrock_cost.refresh_chargeback()');

# with the defaults: the random usage's own spikes, none in the first
# seven days of April (they used to be every series' first days: a median
# of days before April counted as empty is 0), none on a pipeline's steady
# day (from April 8 the median of its known days is its steady value)
my $defaults = sql(q{SELECT count(*) FILTER (WHERE principal_arn NOT LIKE '%NightlyPipeline%' OR principal_arn IS NULL) > 0,
						   count(*) FILTER (WHERE usage_date < '2026-04-08'),
						   count(*) FILTER (WHERE principal_arn LIKE '%NightlyPipeline%' AND usage_date <> '2026-05-05'),
						   min(usage_date)
					  FROM bedrock_cost.spikes});
is($defaults, 't|0|0|2026-04-08',
	'default thresholds: random spikes, none before April has seven known days, none on a pipeline\'s steady day');

# the generator's thresholds
sql(q{CREATE TABLE planted (billing_period date, principal text, model text, token_kind text, usage_date date,
							cost numeric, tokens numeric, baseline_cost numeric, baseline_tokens numeric);
	  CREATE TABLE settings (factor numeric, min_cost numeric, min_tokens numeric)});
sql("COPY planted FROM '$truth/spikes.csv' (FORMAT csv, HEADER); COPY settings FROM '$truth/spike_settings.csv' (FORMAT csv, HEADER)");
is(sql('SELECT count(*) FROM planted'), '2', 'two planted spikes');
sql('SELECT bedrock_cost.set_spike_thresholds(factor, min_cost, min_tokens) FROM settings');
is(sql(q{SELECT action FROM bedrock_cost.audit_log WHERE object = 'chargeback_settings' ORDER BY audit_id DESC LIMIT 1}),
	'insert', 'the threshold setting is audited');
my ($written) = split /\n/, sql(q{BEGIN; SELECT bedrock_cost.refresh_chargeback();
	SELECT string_agg(DISTINCT billing_period::text, ',') FROM bedrock_cost.chargeback_by_principal WHERE age(xmin) = 0;
	COMMIT;});
is(sql(q{SELECT string_agg(DISTINCT billing_period::text, ',' ORDER BY billing_period::text)
		   FROM bedrock_cost.chargeback_state WHERE refreshed_at > now() - interval '1 hour'}), '2026-04-01,2026-05-01',
	'a threshold change recomputes every period');

my $found = q{SELECT billing_period, principal_arn, model, token_kind, usage_date, cost, tokens, baseline_cost,
					 baseline_tokens FROM bedrock_cost.spikes};
my $same = sub {
	my ($name) = @_;
	is(sql("SELECT count(*) FROM (($found) EXCEPT ALL (SELECT * FROM planted)) d"), '0', "$name: no spike but the planted");
	is(sql("SELECT count(*) FROM ((SELECT * FROM planted) EXCEPT ALL ($found)) d"), '0', "$name: every planted spike found");
};
$same->('generator thresholds');
is(sql(q{SELECT string_agg(DISTINCT spike_on || ' ' || tags_text || ' ' || person || ' ' || cost_ratio || ' ' || tokens_ratio, ';')
		   FROM bedrock_cost.spikes}), 'cost,tokens team=pipelines job-0 5.0000 5.0000;cost,tokens team=pipelines job-1 5.0000 5.0000',
	'each spike: on cost and tokens, five times its baseline, with the principal\'s tags and person');

# April restated: May's spikes are recomputed with it (their window reaches into April)
gen(@gen);
is(sql("SELECT string_agg(status, ',' ORDER BY billing_period) FROM bedrock_cost.load_export('$export')"),
	'done,noop', 'April restated');
my $out = sql(q{BEGIN; SELECT bedrock_cost.refresh_chargeback();
	SELECT string_agg(DISTINCT billing_period::text, ',') FROM bedrock_cost.chargeback_by_principal WHERE age(xmin) = 0;
	SELECT count(*) FROM bedrock_cost.spikes WHERE age(xmin) = 0 AND billing_period = '2026-05-01';
	COMMIT;});
my (undef, $periods, $may) = split /\n/, $out;
is($periods, '2026-04-01', 'the restatement recomputes April only');
is($may, '2', "and May's spikes, which look back into April");
$same->('after the restatement');

# a backfill: May of another export alone, then its April
gen('--out', "$root/bf5", '--export', 'bf', '--seed', '92', '--rows', '3000', '--periods', '1',
	'--start', '2026-05', '--principals', '20');
gen('--out', "$root/bf4", '--export', 'bf', '--seed', '93', '--rows', '3000', '--periods', '1',
	'--start', '2026-04', '--principals', '20');
sql('SELECT bedrock_cost.set_spike_thresholds(3, 0.01, 1000)');
is(load_export("$root/bf5/bf"), 'done:1', 'May of another export, alone');
sql('SELECT bedrock_cost.refresh_chargeback()');
my $bf = "(SELECT export_id FROM bedrock_cost.exports WHERE path LIKE '%/bf5/bf')";
my $bf_counts = "SELECT count(*) FILTER (WHERE usage_date < '2026-05-08') || ' ' "
  . "|| (count(*) FILTER (WHERE usage_date >= '2026-05-08') > 0) FROM bedrock_cost.spikes WHERE export_id = $bf";
is(sql($bf_counts), '0 true', 'April not loaded: no spike in the first week of May, spikes after it');
system("cp -a '$root/bf4/bf/data/.' '$root/bf5/bf/data/' && cp -a '$root/bf4/bf/metadata/.' '$root/bf5/bf/metadata/'") == 0
  or die 'cannot add April to the export';
is(load_export("$root/bf5/bf"), 'done:1 noop:1', 'then its April');
my $bf_spikes = table_snapshot("(SELECT s.* FROM bedrock_cost.spikes AS s WHERE s.export_id = $bf)");
$out = sql(q{BEGIN; SELECT bedrock_cost.refresh_chargeback();
	SELECT count(*) FROM bedrock_cost.spikes WHERE age(xmin) = 0 AND usage_date >= '2026-05-15';
	COMMIT;});
my (undef, $late) = split /\n/, $out;
is($late, '0', 'the incremental refresh recomputes April and the first 14 days of May only');
cmp_ok((split / /, sql($bf_counts))[0], '>', 0, 'May\'s first week, with April\'s days known, has spikes');
my $incremental = sql($bf_spikes);
sql('SELECT bedrock_cost.refresh_chargeback(false)');
is(sql($bf_spikes), $incremental, 'the same spikes as a full rebuild');

# every spike of both exports against the same rule computed in SQL over
# chargeback_daily, independently of the C that reads it principal by
# principal: per series (export, principal, model) and token kind, a day
# present when a row has a cost or tokens of it; the days of its 14 before
# that are known (from the first day of its month, or of the month before
# when the export has a current delivery of it); at least 7 known, the
# median of the known days' values (days not present: 0)
my $reference = q{
	WITH t AS (SELECT s.factor, s.min_cost, s.min_tokens FROM bedrock_cost.spike_settings AS s),
	kinds AS (
		SELECT d.export_id, d.billing_period, d.usage_date, d.principal_arn, d.model, k.kind,
			   sum(k.cost) AS cost, sum(k.tokens) AS tokens, bool_or(k.cost <> 0 OR k.tokens <> 0) AS present
		  FROM bedrock_cost.chargeback_daily AS d
		 CROSS JOIN LATERAL (VALUES ('input', d.input_cost, d.input_tokens),
									('output', d.output_cost, d.output_tokens),
									('cache_read', d.cache_read_cost, d.cache_read_tokens),
									('cache_write', d.cache_write_cost, d.cache_write_tokens)) AS k(kind, cost, tokens)
		 WHERE d.attribution <> 'account_level'
		 GROUP BY 1, 2, 3, 4, 5, 6),
	days AS (SELECT * FROM kinds WHERE present),
	judged AS (
		SELECT x.*, least(14, x.usage_date - CASE WHEN EXISTS (
						SELECT 1 FROM bedrock_cost.loads AS l
						 WHERE l.status = 'done' AND l.export_id = x.export_id
						   AND l.billing_period = (x.billing_period - interval '1 month')::date)
					THEN (x.billing_period - interval '1 month')::date ELSE x.billing_period END) AS known
		  FROM days AS x),
	windows AS (
		-- the present days of the 14 before, sorted with the zeros of the
		-- known days without the kind
		SELECT j.*,
			   (SELECT array_agg(u ORDER BY u) FROM unnest(array_cat(coalesce(x.costs, '{}'),
					array_fill(0::numeric, ARRAY[j.known - x.n]))) AS u) AS costs,
			   (SELECT array_agg(u ORDER BY u) FROM unnest(array_cat(coalesce(x.tokens, '{}'),
					array_fill(0::numeric, ARRAY[j.known - x.n]))) AS u) AS tokens_window
		  FROM judged AS j
		 CROSS JOIN LATERAL (
				SELECT count(*)::int AS n, array_agg(w.cost) AS costs, array_agg(w.tokens) AS tokens
				  FROM days AS w
				 WHERE w.export_id = j.export_id AND w.principal_arn IS NOT DISTINCT FROM j.principal_arn
				   AND w.model IS NOT DISTINCT FROM j.model AND w.kind = j.kind
				   AND w.usage_date >= j.usage_date - 14 AND w.usage_date < j.usage_date) AS x
		 WHERE j.known >= 7),
	based AS (
		SELECT w.*,
			   (w.costs[(w.known + 1) / 2] + w.costs[w.known / 2 + 1]) / 2 AS baseline_cost,
			   (w.tokens_window[(w.known + 1) / 2] + w.tokens_window[w.known / 2 + 1]) / 2 AS baseline_tokens
		  FROM windows AS w)
	SELECT b.export_id, b.billing_period, b.usage_date, b.principal_arn, b.model, b.kind, b.cost, b.tokens,
		   b.baseline_cost, b.baseline_tokens,
		   concat_ws(',', CASE WHEN b.cost >= t.min_cost AND b.cost > t.factor * b.baseline_cost THEN 'cost' END,
					 CASE WHEN b.tokens >= t.min_tokens AND b.tokens > t.factor * b.baseline_tokens THEN 'tokens' END)
	  FROM based AS b CROSS JOIN t
	 WHERE (b.cost >= t.min_cost AND b.cost > t.factor * b.baseline_cost)
		OR (b.tokens >= t.min_tokens AND b.tokens > t.factor * b.baseline_tokens)};
my $stored = q{SELECT export_id, billing_period, usage_date, principal_arn, model, token_kind, cost, tokens,
					  baseline_cost, baseline_tokens, spike_on FROM bedrock_cost.spikes};
is(sql("SELECT count(*) FROM (($reference) EXCEPT ALL ($stored)) AS d") . ' '
	  . sql("SELECT count(*) FROM (($stored) EXCEPT ALL ($reference)) AS d"),
	'0 0', 'every spike of both exports as the rule computed in SQL gives it (missing, extra)');
is(sql(q{SELECT count(*) > 100 AND count(DISTINCT export_id) = 2 FROM bedrock_cost.spikes})
	  . ' ' . sql(q{SELECT count(*) > 0 FROM (SELECT principal_arn FROM bedrock_cost.spikes
										 GROUP BY principal_arn HAVING count(DISTINCT model) > 1) AS p}),
	't t', 'which are many, of both exports, with principals spiking on several models');

$node->stop;
done_testing();
