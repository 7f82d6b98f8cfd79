# 040_chargeback_truth.pl: the chargeback views against the generator's
# exact ground truth.  bedrock-cost-gen writes a three-month export whose
# first month is later restated; load_export loads it, refresh_chargeback()
# refreshes the views, the ground-truth CSVs are COPYed in, and every view
# is compared to the cent (exactly, in fact: 1e-10 USD) with zero mismatches
# and a non-zero number of compared rows: per principal, role, person, tag
# (with the untagged bucket), tag value x vendor x model (team_model_mix),
# usage profiles (ratios and workload by the documented formulas, dominant
# model from the truth per principal and model),
# vendor, usage type, model and token kind, line item
# type, unattributed, allocation over all usage (shares add up to each pool,
# pro rata within a cent, unattributed usage takes its share, nothing negative
# unless the pool exceeds the usage), daily, reconciliation, and as-of the
# first delivery after the restatement.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = PostgreSQL::Test::Utils::tempdir();
my @gen = ('--out', $dir, '--export', 'cur', '--seed', '42', '--rows', '6000',
	'--periods', '3', '--start', '2026-04', '--principals', '60', '--restate');

my $node = cluster('truth', extension => 1);

# the first delivery of every month (the restatement of April not yet made)
my $export = gen(@gen, '--initial-only');
my $loaded = $node->safe_psql('postgres',
	"SELECT string_agg(status, ',' ORDER BY billing_period) FROM bedrock_cost.load_export('$export')");
is($loaded, 'done,done,done', 'three deliveries loaded');
$node->safe_psql('postgres', 'SELECT bedrock_cost.refresh_chargeback()');
my $first = $node->safe_psql('postgres',
	"SELECT load_id FROM bedrock_cost.loads WHERE billing_period = '2026-04-01' AND status = 'done'");
my $first_april = $node->safe_psql('postgres',
	"SELECT sum(cost) FROM bedrock_cost.chargeback_by_principal WHERE billing_period = '2026-04-01'");

# the restatement of April (same seed: the same first delivery, then a second one)
gen(@gen);
$loaded = $node->safe_psql('postgres',
	"SELECT string_agg(billing_period || ':' || status, ',' ORDER BY billing_period) FROM bedrock_cost.load_export('$export')");
like($loaded, qr/^2026-04-01:done/, "the restatement loaded ($loaded)");
$node->safe_psql('postgres', 'BEGIN; SELECT bedrock_cost.refresh_chargeback(); COMMIT;');

# the ground truth
my $truth = "$export/ground_truth";
my $sums = $truth_sums;
my %tables = (
	summary => "measure text, $sums",
	by_principal => "principal text, principal_type text, account_id text, partition text, role text, person text, $sums",
	by_role => "role text, $sums",
	by_person => "person text, $sums",
	by_tag => "tag_key text, tag_value text, untagged boolean, $sums",
	by_cost_tag => "tag_key text, tag_value text, untagged boolean, $sums",
	by_account => "usage_account_id text, usage_account_name text, $sums",
	by_resource => "resource_id text, $sums",
	by_tag_model => "tag_key text, tag_value text, untagged boolean, model_key text, vendor text, $sums",
	by_principal_model => "principal text, model_key text, vendor text, $sums",
	by_model_token => 'model text, token_kind text, line_items bigint, tokens numeric, cost numeric, net_cost numeric',
	by_usage_type => 'product_code text, usage_type text, model text, token_kind text, pricing_unit text, '
	  . 'line_items bigint, tokens numeric, cost numeric, net_cost numeric',
	by_line_item_type => 'line_item_type text, is_bedrock boolean, line_items bigint, cost numeric, net_cost numeric');
truth_tables($truth, map { $_ => "$truth_key, $tables{$_}" } keys %tables);

# run a comparison returning "mismatches|compared"; both are checked
sub check
{
	my ($name, $sql) = @_;
	my $r = $node->safe_psql('postgres', $sql);
	my ($bad, $n) = split /\|/, $r;
	is($bad, 0, "$name: no mismatch");
	cmp_ok($n, '>', 0, "$name: $n rows compared");
}

my $cmp = sub {
	my ($mine, $theirs, $on, $vals) = @_;
	return "WITH m AS ($mine), t AS ($theirs)
		SELECT count(*) FILTER (WHERE m IS NULL OR t IS NULL OR ($vals)), count(*)
		  FROM m FULL JOIN t ON $on";
};
my $tok = 'sum(line_items) AS n, sum(unblended_cost) AS cost, sum(net_unblended_cost) AS net, '
  . 'sum(input_tokens) AS i, sum(output_tokens) AS o, sum(cache_read_tokens) AS cr, sum(cache_write_tokens) AS cw';
my $tokdiff = '(m.n, m.cost, m.net, m.i, m.o, m.cr, m.cw) IS DISTINCT FROM '
  . '(t.line_items, t.cost, t.net_cost, t.input_tokens, t.output_tokens, t.cache_read_tokens, t.cache_write_tokens)';

# every key of the tags map: the principal tags (by_tag names them without
# their prefix) and the tags of other sources (by_cost_tag, full keys)
my $all_tags = "(SELECT billing_period, delivery, execution_id, latest, 'iamPrincipal/' || tag_key AS tag_key,
						tag_value, untagged, line_items, cost, net_cost, input_tokens, output_tokens,
						cache_read_tokens, cache_write_tokens FROM truth.by_tag
				 UNION ALL SELECT * FROM truth.by_cost_tag)";
check('per principal',
	$cmp->("SELECT billing_period, principal_arn AS principal, min(principal_type) AS pt,
				   min(principal_account_id) AS acct, min(role_arn) AS role, min(person) AS person, $tok
			  FROM bedrock_cost.chargeback_by_principal WHERE attribution = 'attributed' GROUP BY 1, 2",
		"SELECT * FROM truth.by_principal WHERE latest",
		'm.billing_period = t.billing_period AND m.principal = t.principal',
		"$tokdiff OR (m.pt, m.acct, m.role, m.person) IS DISTINCT FROM (t.principal_type, t.account_id, t.role, t.person)"));
check('per role',
	$cmp->("SELECT billing_period, role_arn, $tok FROM bedrock_cost.chargeback_by_principal
			 WHERE attribution = 'attributed' AND role_arn IS NOT NULL GROUP BY 1, 2",
		"SELECT * FROM truth.by_role WHERE latest",
		'm.billing_period = t.billing_period AND m.role_arn = t.role', $tokdiff));
check('per person',
	$cmp->("SELECT billing_period, person, $tok FROM bedrock_cost.chargeback_by_principal
			 WHERE attribution = 'attributed' AND person IS NOT NULL GROUP BY 1, 2",
		"SELECT * FROM truth.by_person WHERE latest",
		'm.billing_period = t.billing_period AND m.person = t.person', $tokdiff));
check('per tag (principal, resource, account, user-attribute and cost-category keys), with the untagged bucket',
	$cmp->("SELECT billing_period, tag_key, CASE WHEN untagged THEN NULL ELSE tag_value END AS tag_value, untagged, $tok
			  FROM bedrock_cost.chargeback_by_tag WHERE attribution IN ('attributed', 'unattributed') GROUP BY 1, 2, 3, 4",
		"SELECT * FROM $all_tags t0 WHERE latest",
		'm.billing_period = t.billing_period AND m.tag_key = t.tag_key
		 AND m.tag_value IS NOT DISTINCT FROM t.tag_value AND m.untagged = t.untagged', $tokdiff));
check('untagged buckets present',
	"SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM bedrock_cost.chargeback_by_tag c
			WHERE c.billing_period = t.billing_period AND c.tag_key = t.tag_key AND c.untagged)), count(*)
	   FROM $all_tags t WHERE latest AND untagged");
is($node->safe_psql('postgres', "SELECT string_agg(DISTINCT tag_source || ':' || tag_name, ' ' ORDER BY tag_source || ':' || tag_name)
		FROM bedrock_cost.chargeback_by_tag WHERE tag_source <> 'iamPrincipal'"),
	'accountTag:department costCategory:business-unit resourceTags:user:project userAttribute:Department',
	'the keys of other sources, with their source and name');
check('team model mix: per tag value (and untagged bucket), vendor and canonical model',
	$cmp->("SELECT billing_period, tag_name, CASE WHEN untagged THEN NULL ELSE tag_value END AS tag_value, untagged,
				   model_key, vendor, $tok
			  FROM bedrock_cost.team_model_mix WHERE tag_source = 'iamPrincipal' GROUP BY 1, 2, 3, 4, 5, 6",
		"SELECT * FROM truth.by_tag_model WHERE latest",
		'm.billing_period = t.billing_period AND m.tag_name = t.tag_key
		 AND m.tag_value IS NOT DISTINCT FROM t.tag_value AND m.untagged = t.untagged
		 AND m.model_key IS NOT DISTINCT FROM t.model_key AND m.vendor = t.vendor', $tokdiff));
check('team model mix: the shares of each team add up to 1 (6 decimals each)',
	"SELECT count(*) FILTER (WHERE abs(s - 1) > 0.000001 * n), count(*)
	   FROM (SELECT sum(share_of_team) AS s, count(*) AS n FROM bedrock_cost.team_model_mix
			  GROUP BY billing_period, export_id, tag_key, tag_value) x");
check('per vendor: every usage row has a vendor, totals equal the generator\'s',
	$cmp->("SELECT billing_period, vendor, sum(unblended_cost) AS cost, sum(line_items) AS n
			  FROM bedrock_cost.usage_by_model GROUP BY 1, 2",
		"SELECT billing_period, vendor, sum(cost) AS cost, sum(line_items) AS line_items
		   FROM truth.by_tag_model WHERE latest AND tag_key = 'team' GROUP BY 1, 2",
		'm.billing_period = t.billing_period AND m.vendor IS NOT DISTINCT FROM t.vendor',
		'(m.cost, m.n) IS DISTINCT FROM (t.cost, t.line_items)'));
# usage_profile: the sums, then the documented formulas applied to the
# truth's own numbers (prompt = input + cache read + cache write)
my $profile = sub {
	my ($t) = @_;
	return "round($t.output_tokens / nullif($t.input_tokens + $t.cache_read_tokens + $t.cache_write_tokens, 0), 4) AS oir,
			round($t.cache_read_tokens / nullif($t.input_tokens + $t.cache_read_tokens, 0), 4) AS chr,
			round($t.cost * 1000000 / nullif($t.input_tokens + $t.output_tokens + $t.cache_read_tokens
											 + $t.cache_write_tokens, 0), 6) AS cpm,
			CASE WHEN $t.input_tokens + $t.output_tokens + $t.cache_read_tokens + $t.cache_write_tokens = 0 THEN NULL
				 WHEN $t.output_tokens >= $t.input_tokens + $t.cache_read_tokens + $t.cache_write_tokens
				 THEN 'generation-heavy'
				 WHEN $t.output_tokens * 5 <= $t.input_tokens + $t.cache_read_tokens + $t.cache_write_tokens
				 THEN 'document-heavy'
				 ELSE 'balanced' END AS workload";
};
my $mine_profile = 'sum(line_items) AS n, sum(unblended_cost) AS cost, sum(net_unblended_cost) AS net, '
  . 'sum(input_tokens) AS i, sum(output_tokens) AS o, sum(cache_read_tokens) AS cr, sum(cache_write_tokens) AS cw, '
  . 'min(output_input_ratio) AS oir, min(cache_hit_ratio) AS chr, min(cost_per_million_tokens) AS cpm, '
  . 'min(workload) AS workload, min(dominant_model) AS dominant_model, min(dominant_model_share) AS dshare';
my $profdiff = "$tokdiff OR (m.oir, m.chr, m.cpm, m.workload) IS DISTINCT FROM (t.oir, t.chr, t.cpm, t.workload)";
check('usage profile per principal: sums, ratios, workload and dominant model',
	$cmp->("SELECT billing_period, principal_arn AS principal, $mine_profile
			  FROM bedrock_cost.usage_profile WHERE scope = 'principal' AND principal_arn IS NOT NULL GROUP BY 1, 2",
		"SELECT t.*, " . $profile->('t') . ",
				(SELECT pm.model_key FROM truth.by_principal_model pm
				  WHERE pm.latest AND pm.billing_period = t.billing_period AND pm.principal = t.principal
					AND pm.model_key IS NOT NULL ORDER BY pm.cost DESC, pm.model_key LIMIT 1) AS dominant_model,
				round((SELECT max(pm.cost) FROM truth.by_principal_model pm
						WHERE pm.latest AND pm.billing_period = t.billing_period AND pm.principal = t.principal
						  AND pm.model_key IS NOT NULL) / nullif(t.cost, 0), 4) AS dshare
		   FROM truth.by_principal t WHERE latest",
		'm.billing_period = t.billing_period AND m.principal = t.principal',
		"$profdiff OR (m.dominant_model, m.dshare) IS DISTINCT FROM (t.dominant_model, t.dshare)"));
check('usage profile per tag value: sums, ratios and workload',
	$cmp->("SELECT billing_period, tag_key, CASE WHEN untagged THEN NULL ELSE tag_value END AS tag_value, untagged,
				   $mine_profile
			  FROM bedrock_cost.usage_profile WHERE scope = 'tag' GROUP BY 1, 2, 3, 4",
		"SELECT t.*, " . $profile->('t') . " FROM $all_tags t WHERE latest",
		'm.billing_period = t.billing_period AND m.tag_key = t.tag_key
		 AND m.tag_value IS NOT DISTINCT FROM t.tag_value AND m.untagged = t.untagged', $profdiff));
check('usage profile: every workload label occurs in the data',
	"SELECT 3 - count(DISTINCT workload), 3 FROM bedrock_cost.usage_profile WHERE workload IS NOT NULL");
check('Bedrock API keys: exactly the truth\'s BedrockAPIKey- users, with their cost',
	$cmp->("SELECT billing_period, principal_arn AS principal, sum(unblended_cost) AS cost
			  FROM bedrock_cost.chargeback_by_principal WHERE is_api_key GROUP BY 1, 2",
		"SELECT billing_period, principal, cost FROM truth.by_principal
		  WHERE latest AND principal ~ '^arn:aws[a-z-]*:iam::[0-9]{12}:user/(.*/)?BedrockAPIKey-[^/]+\$'",
		'm.billing_period = t.billing_period AND m.principal = t.principal', 'm.cost <> t.cost'));
# what-if: Claude Sonnet 4.6's tokens priced as Nova Lite, by hand from the
# generator's own rates (Nova Lite input 0.00006 and output 0.00024 USD per
# 1K tokens): tokens x rate / 1000 where the bill has Nova Lite in that
# period, region and kind; NULL elsewhere, and for the cache kinds Nova Lite
# does not have
my $by_region = "SELECT billing_period, bedrock_cost.region_name(split_part(usage_type, '-', 1)) AS region, model,
						token_kind, sum(tokens) AS tokens, sum(cost) AS cost
				   FROM truth.by_usage_type WHERE latest AND model IN ('Claude4.6Sonnet', 'NovaLite') GROUP BY 1, 2, 3, 4";
check('what-if: Sonnet 4.6 repriced as Nova Lite equals the hand computation from the generator\'s rates',
	$cmp->("SELECT billing_period, token_kind, region, tokens, cost, what_if_cost, difference
			  FROM bedrock_cost.what_if('claude-sonnet-4.6', 'nova-lite')",
		"WITH t AS ($by_region)
		 SELECT s.billing_period, s.token_kind, s.region, s.tokens, s.cost,
				CASE WHEN n.tokens > 0 THEN s.tokens * CASE s.token_kind WHEN 'input' THEN 0.00006
																	   WHEN 'output' THEN 0.00024 END / 1000 END AS wi
		   FROM t s LEFT JOIN t n ON n.model = 'NovaLite' AND n.billing_period = s.billing_period
								 AND n.region = s.region AND n.token_kind = s.token_kind
		  WHERE s.model = 'Claude4.6Sonnet'",
		'm.billing_period = t.billing_period AND m.token_kind = t.token_kind AND m.region = t.region',
		'(m.tokens, m.cost, m.what_if_cost, m.difference) IS DISTINCT FROM (t.tokens, t.cost, t.wi, t.wi - t.cost)'));
is($node->safe_psql('postgres', q{SELECT count(*) FILTER (WHERE what_if_cost IS NULL) > 0, count(*) FILTER (WHERE what_if_cost > 0) > 0,
		count(*) FILTER (WHERE what_if_cost IS NULL AND token_kind LIKE 'cache%') = count(*) FILTER (WHERE token_kind LIKE 'cache%')
	  FROM bedrock_cost.what_if('claude-sonnet-4.6', 'nova-lite')}), 't|t|t',
	'what-if: priced rows and NULL rows, every cache kind NULL');
check('what-if scoped to a team: its tokens are the team\'s Sonnet 4.6 tokens per kind',
	$cmp->("SELECT t0.tag_value, w.billing_period, w.token_kind, sum(w.tokens) AS tokens
			  FROM truth.by_tag_model t0, LATERAL bedrock_cost.what_if('claude-sonnet-4.6', 'nova-lite',
					tag_key => 'iamPrincipal/team', tag_value => t0.tag_value, period => t0.billing_period) w
			 WHERE t0.latest AND t0.tag_key = 'team' AND NOT t0.untagged AND t0.model_key = 'claude-sonnet-4.6'
			 GROUP BY 1, 2, 3",
		"SELECT tag_value, billing_period, k.kind AS token_kind, sum(k.tokens) AS tokens
		   FROM truth.by_tag_model,
				LATERAL (VALUES ('input', input_tokens), ('output', output_tokens), ('cache_read', cache_read_tokens),
							   ('cache_write', cache_write_tokens)) AS k(kind, tokens)
		  WHERE latest AND tag_key = 'team' AND NOT untagged AND model_key = 'claude-sonnet-4.6' AND k.tokens > 0
		  GROUP BY 1, 2, 3",
		'm.tag_value = t.tag_value AND m.billing_period = t.billing_period AND m.token_kind = t.token_kind',
		'm.tokens <> t.tokens'));
check('daily per tag value: the days add up to the truth\'s per-tag sums',
	$cmp->("SELECT billing_period, tag_key, CASE WHEN untagged THEN NULL ELSE tag_value END AS tag_value, untagged,
				   sum(line_items) AS n, sum(cost) AS cost, sum(input_tokens) AS i, sum(output_tokens) AS o,
				   sum(cache_read_tokens) AS cr, sum(cache_write_tokens) AS cw
			  FROM bedrock_cost.bi_daily_by_tag GROUP BY 1, 2, 3, 4",
		"SELECT * FROM $all_tags t0 WHERE latest",
		'm.billing_period = t.billing_period AND m.tag_key = t.tag_key
		 AND m.tag_value IS NOT DISTINCT FROM t.tag_value AND m.untagged = t.untagged',
		'(m.n, m.cost, m.i, m.o, m.cr, m.cw) IS DISTINCT FROM (t.line_items, t.cost, t.input_tokens, '
		  . 't.output_tokens, t.cache_read_tokens, t.cache_write_tokens)'));
check('per usage type',
	$cmp->("SELECT b.billing_period, b.usage_type, sum(b.line_items) AS n,
				   coalesce(sum(b.tokens) FILTER (WHERE u.token_kind IN ('input', 'output', 'cache_read', 'cache_write')), 0) AS tokens,
				   sum(b.unblended_cost) AS cost, sum(b.net_unblended_cost) AS net
			  FROM bedrock_cost.chargeback_base b, bedrock_cost.parse_usage_type(b.usage_type, b.product_name) u
			 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type) GROUP BY 1, 2",
		"SELECT billing_period, usage_type, sum(line_items) AS line_items, sum(tokens) AS tokens,
				sum(cost) AS cost, sum(net_cost) AS net_cost
		   FROM truth.by_usage_type WHERE latest GROUP BY 1, 2",
		'm.billing_period = t.billing_period AND m.usage_type = t.usage_type',
		'(m.n, m.tokens, m.cost, m.net) IS DISTINCT FROM (t.line_items, t.tokens, t.cost, t.net_cost)'));
# the generator bills APN1-TitanEmbeddingV2-Text-input-tokens as model
# TitanEmbeddingV2-Text, parse_usage_type reads -Text as the modality (model
# TitanEmbeddingV2): compared apart, by totals under either name
my $titan = "('TitanEmbeddingV2', 'TitanEmbeddingV2-Text')";
check('per model and token kind',
	$cmp->("SELECT billing_period, model,
				   CASE WHEN token_kind IN ('input', 'output', 'cache_read', 'cache_write') THEN token_kind ELSE 'other' END AS kind,
				   sum(line_items) AS n,
				   sum(tokens) FILTER (WHERE token_kind IN ('input', 'output', 'cache_read', 'cache_write')) AS tokens,
				   sum(unblended_cost) AS cost, sum(net_unblended_cost) AS net
			  FROM bedrock_cost.usage_by_model WHERE coalesce(model, '') NOT IN $titan GROUP BY 1, 2, 3",
		"SELECT * FROM truth.by_model_token WHERE latest AND coalesce(model, '') NOT IN $titan",
		'm.billing_period = t.billing_period AND m.model IS NOT DISTINCT FROM t.model AND m.kind = t.token_kind',
		'(m.n, coalesce(m.tokens, 0), m.cost, m.net) IS DISTINCT FROM (t.line_items, t.tokens, t.cost, t.net_cost)'));
check('per model: TitanEmbeddingV2 under either name',
	$cmp->("SELECT billing_period, token_kind, sum(line_items) AS n, sum(tokens) AS tokens, sum(unblended_cost) AS cost
			  FROM bedrock_cost.usage_by_model WHERE model IN $titan GROUP BY 1, 2",
		"SELECT billing_period, token_kind, sum(line_items) AS line_items, sum(tokens) AS tokens, sum(cost) AS cost
		   FROM truth.by_model_token WHERE latest AND model IN $titan GROUP BY 1, 2",
		'm.billing_period = t.billing_period AND m.token_kind = t.token_kind',
		'(m.n, m.tokens, m.cost) IS DISTINCT FROM (t.line_items, t.tokens, t.cost)'));
check('per token kind, all models',
	$cmp->("SELECT billing_period,
				   CASE WHEN token_kind IN ('input', 'output', 'cache_read', 'cache_write') THEN token_kind ELSE 'other' END AS kind,
				   sum(line_items) AS n, sum(unblended_cost) AS cost, sum(net_unblended_cost) AS net
			  FROM bedrock_cost.usage_by_model GROUP BY 1, 2",
		"SELECT billing_period, token_kind, sum(line_items) AS line_items, sum(cost) AS cost, sum(net_cost) AS net_cost
		   FROM truth.by_model_token WHERE latest GROUP BY 1, 2",
		'm.billing_period = t.billing_period AND m.kind = t.token_kind',
		'(m.n, m.cost, m.net) IS DISTINCT FROM (t.line_items, t.cost, t.net_cost)'));
check('per line item type (Bedrock rows)',
	$cmp->("SELECT billing_period, line_item_type, sum(line_items) AS n, sum(unblended_cost) AS cost,
				   sum(net_unblended_cost) AS net
			  FROM bedrock_cost.chargeback_by_principal GROUP BY 1, 2",
		"SELECT * FROM truth.by_line_item_type WHERE latest AND is_bedrock",
		'm.billing_period = t.billing_period AND m.line_item_type = t.line_item_type',
		'(m.n, m.cost, m.net) IS DISTINCT FROM (t.line_items, t.cost, t.net_cost)'));
check('per usage account, with its name as billed (Bedrock usage)',
	$cmp->("SELECT billing_period, usage_account_id, min(usage_account_name) AS name,
				   count(DISTINCT usage_account_name) AS names, $tok
			  FROM bedrock_cost.chargeback_by_principal WHERE attribution IN ('attributed', 'unattributed')
			 GROUP BY 1, 2",
		"SELECT * FROM truth.by_account WHERE latest",
		'm.billing_period = t.billing_period AND m.usage_account_id = t.usage_account_id',
		"$tokdiff OR m.name IS DISTINCT FROM t.usage_account_name OR m.names <> 1"));
is($node->safe_psql('postgres', "SELECT string_agg(DISTINCT payer_account_name, ',') FROM bedrock_cost.chargeback_by_principal"),
	'Acme Corp', 'the payer account name as billed');
check('per inference profile (line_item_resource_id), and the usage without one',
	$cmp->("SELECT billing_period, resource_id, $tok FROM bedrock_cost.chargeback_by_resource GROUP BY 1, 2",
		"SELECT * FROM truth.by_resource WHERE latest",
		'm.billing_period = t.billing_period AND m.resource_id IS NOT DISTINCT FROM t.resource_id', $tokdiff));
is($node->safe_psql('postgres', "SELECT string_agg(DISTINCT resource_type, ',') || ' ' || count(*) FILTER (WHERE resource_id IS NOT NULL
				AND resource_name <> substring(resource_id FROM '/(.*)\$'))
		FROM bedrock_cost.chargeback_by_resource"),
	'inference-profile 0', 'resource type and name split from the ARN');
check('FOCUS: one row per Bedrock line item, BilledCost and EffectiveCost per line item type',
	$cmp->("SELECT \"x_BillingPeriod\" AS billing_period, \"x_LineItemType\" AS line_item_type, count(*) AS n,
				   sum(\"BilledCost\") AS cost, sum(\"EffectiveCost\") AS net
			  FROM bedrock_cost.focus_bedrock GROUP BY 1, 2",
		"SELECT * FROM truth.by_line_item_type WHERE latest AND is_bedrock",
		'm.billing_period = t.billing_period AND m.line_item_type = t.line_item_type',
		'(m.n, m.cost, m.net) IS DISTINCT FROM (t.line_items, t.cost, t.net_cost)'));
check('FOCUS: SubAccountName, ResourceId and BillingAccountName as the truth has them',
	$cmp->("SELECT \"x_BillingPeriod\" AS billing_period, \"SubAccountId\" AS acct,
				   min(\"SubAccountName\") AS name, count(DISTINCT \"SubAccountName\") AS names,
				   count(*) AS n, min(\"BillingAccountName\") AS payer, min(\"BillingCurrency\") AS cur
			  FROM bedrock_cost.focus_bedrock WHERE \"ChargeCategory\" = 'Usage' GROUP BY 1, 2",
		"SELECT * FROM truth.by_account WHERE latest",
		'm.billing_period = t.billing_period AND m.acct = t.usage_account_id',
		"(m.name, m.names, m.n, m.payer, m.cur) IS DISTINCT FROM (t.usage_account_name, 1::bigint, t.line_items, 'Acme Corp', 'USD')"));
check('FOCUS: the usage of each resource id',
	$cmp->("SELECT \"x_BillingPeriod\" AS billing_period, \"ResourceId\" AS resource_id, count(*) AS n,
				   sum(\"BilledCost\") AS cost
			  FROM bedrock_cost.focus_bedrock WHERE \"ChargeCategory\" = 'Usage' GROUP BY 1, 2",
		"SELECT * FROM truth.by_resource WHERE latest",
		'm.billing_period = t.billing_period AND m.resource_id IS NOT DISTINCT FROM t.resource_id',
		'(m.n, m.cost) IS DISTINCT FROM (t.line_items, t.cost)'));
check('attributed, unattributed and all Bedrock totals',
	$cmp->("SELECT billing_period, attribution AS measure, $tok FROM bedrock_cost.chargeback_by_principal
			 WHERE attribution <> 'account_level' GROUP BY 1, 2
			UNION ALL
			SELECT billing_period, 'bedrock', $tok FROM bedrock_cost.chargeback_by_principal GROUP BY 1",
		"SELECT * FROM truth.summary WHERE latest AND measure IN ('attributed', 'unattributed', 'bedrock')",
		'm.billing_period = t.billing_period AND m.measure = t.measure', $tokdiff));
check('unattributed spend is a line of its own',
	"SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM bedrock_cost.chargeback_by_principal c
			WHERE c.billing_period = t.billing_period AND c.attribution = 'unattributed' AND c.principal IS NULL
			  AND c.cost <> 0)), count(*)
	   FROM truth.summary t WHERE latest AND measure = 'unattributed' AND cost <> 0");
check('reconciliation: file = loaded = attributed + unattributed + account-level',
	"SELECT count(*) FILTER (WHERE difference <> 0 OR chargeback_difference <> 0), count(*)
	   FROM bedrock_cost.reconciliation");
# allocation over all usage (attributed and unattributed), per export and account
my $acct = 'billing_period, export_id, payer_account_id, usage_account_id';
my $pools = "pool AS (SELECT $acct, sum(cost) AS amount FROM bedrock_cost.chargeback_by_principal
					   WHERE attribution = 'account_level' GROUP BY 1, 2, 3, 4),
			 usage AS (SELECT $acct, attribution, principal_arn, principal_tags, sum(cost) AS cost
						 FROM bedrock_cost.chargeback_by_principal
						WHERE attribution IN ('attributed', 'unattributed') GROUP BY 1, 2, 3, 4, 5, 6, 7),
			 weight AS (SELECT $acct, sum(greatest(cost, 0)) AS total FROM usage GROUP BY 1, 2, 3, 4)";
check('allocation: shares add up to each account-level pool to the cent',
	"WITH $pools,
		  alloc AS (SELECT $acct,
						   sum(allocated_cost) FILTER (WHERE attribution IN ('attributed', 'unattributed')) AS shares,
						   sum(allocated_cost) AS allocated
					  FROM bedrock_cost.chargeback_allocated GROUP BY 1, 2, 3, 4)
	 SELECT count(*) FILTER (WHERE w.total > 0 AND (a.shares <> round(p.amount, 2) OR a.allocated <> p.amount)
								OR coalesce(w.total, 0) = 0 AND a.shares IS NOT NULL), count(*)
	   FROM pool p JOIN alloc a USING (billing_period, export_id, payer_account_id, usage_account_id)
	   LEFT JOIN weight w USING (billing_period, export_id, payer_account_id, usage_account_id)");
check('allocation: unattributed usage takes its share of the pool',
	"WITH $pools
	 SELECT count(*) FILTER (WHERE a.allocated_cost IS NULL OR a.allocated_cost = 0), count(*)
	   FROM usage u JOIN pool p USING (billing_period, export_id, payer_account_id, usage_account_id)
	   JOIN weight w USING (billing_period, export_id, payer_account_id, usage_account_id)
	   LEFT JOIN bedrock_cost.chargeback_allocated a
			  ON (a.billing_period, a.export_id, a.payer_account_id, a.usage_account_id, a.attribution, a.principal_tags)
				 = (u.billing_period, u.export_id, u.payer_account_id, u.usage_account_id, u.attribution, u.principal_tags)
			 AND a.principal_arn IS NULL
	  WHERE u.attribution = 'unattributed' AND abs(round(p.amount, 2)) * u.cost / w.total >= 0.01");
check('allocation: every share is pro rata to usage within a cent',
	"WITH $pools
	 SELECT count(*) FILTER (WHERE a.allocated_cost IS NULL
								OR abs(a.allocated_cost - round(p.amount, 2) * greatest(u.cost, 0) / w.total) >= 0.01
								OR a.usage_cost <> u.cost OR a.cost <> u.cost + a.allocated_cost), count(*)
	   FROM usage u JOIN pool p USING (billing_period, export_id, payer_account_id, usage_account_id)
	   JOIN weight w USING (billing_period, export_id, payer_account_id, usage_account_id)
	   LEFT JOIN bedrock_cost.chargeback_allocated a
			  ON (a.billing_period, a.export_id, a.payer_account_id, a.usage_account_id, a.attribution, a.principal_tags)
				 = (u.billing_period, u.export_id, u.payer_account_id, u.usage_account_id, u.attribution, u.principal_tags)
			 AND a.principal_arn IS NOT DISTINCT FROM u.principal_arn
	  WHERE w.total > 0");
check('allocation: no line below zero unless the pool exceeds the account\'s usage',
	"WITH $pools
	 SELECT count(*) FILTER (WHERE a.cost <= -0.01 AND -round(p.amount, 2) <= w.total), count(*)
	   FROM bedrock_cost.chargeback_allocated a
	   JOIN pool p USING (billing_period, export_id, payer_account_id, usage_account_id)
	   JOIN weight w USING (billing_period, export_id, payer_account_id, usage_account_id)
	  WHERE a.attribution IN ('attributed', 'unattributed')");
check('allocation: each month total unchanged',
	$cmp->("SELECT billing_period, sum(cost) AS cost FROM bedrock_cost.chargeback_allocated GROUP BY 1",
		"SELECT billing_period, sum(cost) AS cost FROM bedrock_cost.chargeback_by_principal GROUP BY 1",
		'm.billing_period = t.billing_period', 'm.cost <> t.cost'));
check('daily adds up to the month per principal',
	$cmp->("SELECT billing_period, coalesce(principal_arn, attribution) AS who, sum(cost) AS cost, sum(total_tokens) AS tok
			  FROM bedrock_cost.chargeback_daily GROUP BY 1, 2",
		"SELECT billing_period, coalesce(principal_arn, attribution) AS who, sum(cost) AS cost, sum(total_tokens) AS tok
		   FROM bedrock_cost.chargeback_by_principal GROUP BY 1, 2",
		'm.billing_period = t.billing_period AND m.who = t.who', '(m.cost, m.tok) IS DISTINCT FROM (t.cost, t.tok)'));
check('as of the first April delivery, after the restatement',
	$cmp->("SELECT billing_period, principal_arn AS principal, $tok
			  FROM bedrock_cost.chargeback_by_principal_as_of($first)
			 WHERE attribution = 'attributed' AND billing_period = '2026-04-01' GROUP BY 1, 2",
		"SELECT * FROM truth.by_principal WHERE billing_period = '2026-04-01' AND delivery = 1",
		'm.billing_period = t.billing_period AND m.principal = t.principal', $tokdiff));
is($node->safe_psql('postgres',
		"SELECT sum(cost) FROM bedrock_cost.chargeback_by_principal_as_of($first) WHERE billing_period = '2026-04-01'"),
	$first_april, 'as-of reproduces the April total seen before the restatement');
isnt($node->safe_psql('postgres',
		"SELECT sum(cost) FROM bedrock_cost.chargeback_by_principal WHERE billing_period = '2026-04-01'"),
	$first_april, 'the restatement changed the current April total');

$node->stop;
done_testing();
