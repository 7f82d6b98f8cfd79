# 067_chargeback_equality.pl: every chargeback table, every
# as-of function and the reconciliation are identical, row for row and as
# text, to their definitions of 0.1.0 evaluated straight over line_items.
#
# The reference below is a copy of the SQL of sql/install/60_chargeback.sql
# (and of the loader's reconciliation, sql/install/40_loader.sql) as they
# were when the views aggregated bedrock_cost.line_items themselves: plain
# views in the schema eqref over line_items, and the as-of queries over
# line_items_as_of(load_id).  Relations added since (the vendor columns,
# team_model_mix) are defined the same way, over eqref.chargeback_base;
# usage_profile is compared with its own query computed afresh.  Whatever the views are computed from, they must
# give the same multiset of rows, compared as row::text (so a different
# numeric display scale, a jsonb or a NULL differs too), with explicit column
# lists on both sides, the same row count, and a non-empty result.
#
# The data: bedrock-cost-gen exports (required: the test fails without it)
# with several periods, restatements in the overwrite and the create-new
# layout, unattributed usage and account-level rows (Tax, Credit, Refund,
# discounts); one export loaded by load_export, one by bedrock-cost-load
# (the client API; summed by the server from the rows it stored, in C), a
# third by bedrock-cost-load summarised by SQL; both cost bases (set_cost_basis, then back); a
# superseded delivery made current again by restore_load.  After each step
# the views are refreshed and everything is compared, the as-of functions
# for every load_id in bedrock_cost.loads (and for an id before and after
# them all).  reconciliation.difference and chargeback_difference are 0 on
# every row.
#
# Each refresh is incremental, and the test checks what it recomputed (the
# periods with rows it inserted, age(xmin) = 0, in the chargeback tables and
# in chargeback_state): the restated period only, the client's two periods,
# every period when the cost basis, a model alias or an export's name
# changes, none when nothing changed; and a full rebuild gives the same rows,
# its model-day summaries rolled up again in C or, without summary memory,
# by SQL.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::RealBin/../perl";
use BedrockCost::Test;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir();

my $node = cluster('equality', extension => 1);

# ---------------------------------------------------------------------------
# the reference: today's definitions, over line_items

# chargeback_base's query over a row source with the columns of line_items
sub base_q
{
	my ($source) = @_;
	return qq{
	WITH per_line AS (
		SELECT li.billing_period, li.export_id, li.payer_account_id, li.usage_account_id,
			   li.line_item_type, li.principal, li.tags, li.usage_type,
			   li.product_name, li.resource_id, li.payer_account_name, li.usage_account_name,
			   count(*) AS line_items,
			   sum(li.unblended_cost) AS unblended_cost,
			   sum(coalesce(li.net_unblended_cost, li.unblended_cost)) AS net_unblended_cost,
			   count(li.net_unblended_cost) AS net_rows,
			   sum(li.tokens) AS tokens,
			   sum(li.usage_amount) AS usage_amount
		  FROM $source AS li
		 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
	), tag_map AS MATERIALIZED (
		SELECT t.tags, bedrock_cost.principal_tags(t.tags) AS principal_tags
		  FROM (SELECT DISTINCT tags FROM per_line) AS t
	)
	SELECT p.billing_period, p.export_id, p.payer_account_id, p.usage_account_id,
		   p.line_item_type, p.principal::text AS principal_arn,
		   m.principal_tags, p.tags, p.usage_type, p.product_name,
		   p.resource_id, p.payer_account_name, p.usage_account_name,
		   sum(p.line_items)::bigint AS line_items,
		   sum(p.unblended_cost) AS unblended_cost,
		   sum(p.net_unblended_cost) AS net_unblended_cost,
		   sum(p.net_rows)::bigint AS net_rows,
		   sum(p.tokens) AS tokens,
		   sum(p.usage_amount) AS usage_amount
	  FROM per_line p
	  JOIN tag_map m ON m.tags = p.tags
	 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
}

# chargeback_by_principal's query: rows of chargeback_base, the join giving u
# (the parts of b.usage_type), the relation giving the cost basis
sub principal_q
{
	my ($base, $usage_join, $basis) = @_;
	return qq{
	WITH g AS (
		SELECT b.billing_period, b.export_id, b.payer_account_id, b.usage_account_id, b.line_item_type,
			   b.principal_arn, b.principal_tags,
			   max(b.payer_account_name) AS payer_account_name, max(b.usage_account_name) AS usage_account_name,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind IN ('input', 'output', 'cache_read', 'cache_write')) AS total_tokens,
			   sum(b.line_items)::bigint AS line_items
		  FROM $base AS b
		  $usage_join
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	)
	SELECT g.billing_period, g.export_id, e.export_name, e.path AS export,
		   g.payer_account_id, g.usage_account_id, g.payer_account_name, g.usage_account_name,
		   bedrock_cost.attribution(g.principal_arn, g.line_item_type) AS attribution,
		   g.line_item_type,
		   g.principal_arn::bedrock_cost.iam_arn AS principal,
		   g.principal_arn,
		   bedrock_cost.principal_type(g.principal_arn::bedrock_cost.iam_arn) AS principal_type,
		   bedrock_cost.account_id(g.principal_arn::bedrock_cost.iam_arn) AS principal_account_id,
		   bedrock_cost.role_arn(g.principal_arn::bedrock_cost.iam_arn)::text AS role_arn,
		   bedrock_cost.role_name(g.principal_arn::bedrock_cost.iam_arn) AS role_name,
		   bedrock_cost.person(g.principal_arn::bedrock_cost.iam_arn) AS person,
		   g.principal_tags,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
				ELSE g.unblended_cost END AS cost,
		   s.cost_basis,
		   g.unblended_cost, g.net_unblended_cost,
		   coalesce(g.input_tokens, 0) AS input_tokens,
		   coalesce(g.output_tokens, 0) AS output_tokens,
		   coalesce(g.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(g.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(g.total_tokens, 0) AS total_tokens,
		   g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN $basis AS s};
}

sql('CREATE SCHEMA eqref');
sql('CREATE VIEW eqref.chargeback_base AS ' . base_q('bedrock_cost.line_items'));
sql(q{
CREATE VIEW eqref.chargeback_usage_types AS
	SELECT t.usage_type, t.product_name, coalesce(t.product_name, '') AS product_name_key,
		   u.model, u.model_key, u.token_kind, u.tier, u.routing, u.region, u.recognized,
		   CASE WHEN u.model IS NOT NULL THEN coalesce(bedrock_cost.model_vendor(u.model), 'unknown')
				WHEN u.recognized THEN 'aws' ELSE 'unknown' END AS vendor
	  FROM (SELECT DISTINCT usage_type, product_name FROM eqref.chargeback_base) AS t,
		   LATERAL bedrock_cost.parse_usage_type(t.usage_type, t.product_name) AS u});
sql('CREATE VIEW eqref.chargeback_by_principal AS '
	  . principal_q('eqref.chargeback_base',
		'LEFT JOIN eqref.chargeback_usage_types AS u ON u.usage_type = b.usage_type '
		  . q{AND u.product_name_key = coalesce(b.product_name, '')},
		'bedrock_cost.chargeback_basis'));
sql(q{
CREATE VIEW eqref.chargeback_by_tag AS
	WITH b AS (
		-- every key of the rows' tags map
		SELECT b.*, b.tags AS all_tags FROM eqref.chargeback_base AS b
	), keys AS (
		SELECT DISTINCT b.billing_period, k.key AS tag_key
		  FROM b, LATERAL pg_catalog.jsonb_object_keys(b.all_tags) AS k(key)
	), g AS (
		SELECT b.billing_period, b.export_id, k.tag_key,
			   coalesce(b.all_tags ->> k.tag_key, '(untagged)') AS tag_value,
			   NOT (b.all_tags ? k.tag_key) AS untagged,
			   bedrock_cost.attribution(b.principal_arn, b.line_item_type) AS attribution,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind IN ('input', 'output', 'cache_read', 'cache_write')) AS total_tokens,
			   count(DISTINCT b.principal_arn) AS principals,
			   sum(b.line_items)::bigint AS line_items
		  FROM b
		  JOIN keys AS k USING (billing_period)
		  LEFT JOIN eqref.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 GROUP BY 1, 2, 3, 4, 5, 6
	)
	SELECT g.billing_period, g.export_id, e.export_name, e.path AS export, g.tag_key,
		   substr(g.tag_key, strpos(g.tag_key, '/') + 1) AS tag_name, CASE WHEN strpos(g.tag_key, '/') > 0 THEN split_part(g.tag_key, '/', 1) ELSE '' END AS tag_source,
		   g.tag_value, g.untagged, g.attribution,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
				ELSE g.unblended_cost END AS cost,
		   s.cost_basis, g.unblended_cost, g.net_unblended_cost,
		   coalesce(g.input_tokens, 0) AS input_tokens,
		   coalesce(g.output_tokens, 0) AS output_tokens,
		   coalesce(g.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(g.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(g.total_tokens, 0) AS total_tokens,
		   g.principals, g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s});
sql(q{
CREATE VIEW eqref.usage_by_model AS
	WITH g AS (
		SELECT b.billing_period, b.export_id, u.model, u.token_kind, u.tier, u.routing, u.region,
			   min(u.model_key) AS model_key, min(u.vendor) AS vendor,
			   bool_and(coalesce(u.recognized, false)) AS recognized,
			   sum(b.tokens) AS tokens,
			   sum(b.usage_amount) AS usage_amount,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   count(DISTINCT b.principal_arn) AS principals,
			   sum(b.line_items)::bigint AS line_items
		  FROM eqref.chargeback_base AS b
		  LEFT JOIN eqref.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	)
	SELECT g.billing_period, g.export_id, e.export_name, e.path AS export, g.model, g.model_key, g.vendor,
		   g.token_kind, g.tier, g.routing, g.region, g.recognized,
		   coalesce(g.tokens, 0) AS tokens, g.usage_amount,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
				ELSE g.unblended_cost END AS cost,
		   s.cost_basis, g.unblended_cost, g.net_unblended_cost,
		   CASE WHEN g.tokens > 0 THEN
				round(CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
						   ELSE g.unblended_cost END * 1000000 / g.tokens, 6)
		   END AS cost_per_million_tokens,
		   g.principals, g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s});
# per resource, straight from the line items, with its own ARN split
sql(q{
CREATE VIEW eqref.chargeback_by_resource AS
	WITH g AS (
		SELECT li.billing_period, li.export_id, li.usage_account_id, li.resource_id, u.vendor, u.model_key,
			   max(li.usage_account_name) AS usage_account_name,
			   sum(li.unblended_cost) AS unblended_cost,
			   sum(coalesce(li.net_unblended_cost, li.unblended_cost)) AS net_unblended_cost,
			   sum(li.tokens) FILTER (WHERE u.token_kind = 'input') AS i,
			   sum(li.tokens) FILTER (WHERE u.token_kind = 'output') AS o,
			   sum(li.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cr,
			   sum(li.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cw,
			   count(DISTINCT li.principal::text) AS principals, count(*) AS line_items
		  FROM bedrock_cost.line_items AS li
		  JOIN eqref.chargeback_usage_types AS u
			ON u.usage_type = li.usage_type AND u.product_name_key = coalesce(li.product_name, '')
		 WHERE li.line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
		 GROUP BY 1, 2, 3, 4, 5, 6
	)
	SELECT g.billing_period, g.export_id, e.export_name, e.path AS export, g.usage_account_id,
		   g.usage_account_name, g.resource_id,
		   substring(g.resource_id FROM '^arn:[^:]+:[^:]*:[^:]*:[^:]*:([^/:]+)[/:]') AS resource_type,
		   substring(g.resource_id FROM '^arn:[^:]+:[^:]*:[^:]*:[^:]*:[^/:]+[/:](.*)$') AS resource_name,
		   g.vendor, g.model_key,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost ELSE g.unblended_cost END AS cost,
		   s.cost_basis, g.unblended_cost, g.net_unblended_cost,
		   coalesce(g.i, 0) AS input_tokens, coalesce(g.o, 0) AS output_tokens,
		   coalesce(g.cr, 0) AS cache_read_tokens, coalesce(g.cw, 0) AS cache_write_tokens,
		   coalesce(g.i, 0) + coalesce(g.o, 0) + coalesce(g.cr, 0) + coalesce(g.cw, 0) AS total_tokens,
		   g.principals, g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s});
sql(q{
CREATE VIEW eqref.team_model_mix AS
	WITH b AS (
		SELECT b.*, b.tags AS all_tags FROM eqref.chargeback_base AS b
	), keys AS (
		SELECT DISTINCT b.billing_period, k.key AS tag_key
		  FROM b, jsonb_object_keys(b.all_tags) AS k(key)
	), g AS (
		SELECT b.billing_period, b.export_id, k.tag_key,
			   coalesce(b.all_tags ->> k.tag_key, '(untagged)') AS tag_value,
			   NOT (b.all_tags ? k.tag_key) AS untagged, u.vendor, u.model_key,
			   sum(b.unblended_cost) AS unblended_cost, sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   count(DISTINCT b.principal_arn) AS principals, sum(b.line_items)::bigint AS line_items
		  FROM b
		  JOIN keys AS k USING (billing_period)
		  JOIN eqref.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	), c AS (
		SELECT g.*, s.cost_basis,
			   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost ELSE g.unblended_cost END AS cost
		  FROM g CROSS JOIN bedrock_cost.chargeback_basis AS s
	)
	SELECT c.billing_period, c.export_id, e.export_name, e.path AS export, c.tag_key,
		   substr(c.tag_key, strpos(c.tag_key, '/') + 1) AS tag_name, CASE WHEN strpos(c.tag_key, '/') > 0 THEN split_part(c.tag_key, '/', 1) ELSE '' END AS tag_source,
		   c.tag_value, c.untagged,
		   c.vendor, c.model_key, c.cost, c.cost_basis, c.unblended_cost, c.net_unblended_cost,
		   round(c.cost / nullif(sum(c.cost) OVER (PARTITION BY c.billing_period, c.export_id,
												   c.tag_key, c.tag_value), 0), 6) AS share_of_team,
		   coalesce(c.input_tokens, 0) AS input_tokens, coalesce(c.output_tokens, 0) AS output_tokens,
		   coalesce(c.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(c.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(c.input_tokens, 0) + coalesce(c.output_tokens, 0)
			+ coalesce(c.cache_read_tokens, 0) + coalesce(c.cache_write_tokens, 0) AS total_tokens,
		   c.principals, c.line_items
	  FROM c JOIN bedrock_cost.exports AS e ON e.export_id = c.export_id});
sql(q{
CREATE VIEW eqref.chargeback_daily AS
	WITH g AS (
		SELECT li.billing_period, (li.usage_start AT TIME ZONE 'UTC')::date AS usage_date,
			   li.export_id, li.payer_account_id, li.usage_account_id,
			   bedrock_cost.attribution(li.principal::text, li.line_item_type) AS attribution,
			   li.principal, li.tags, u.model,
			   sum(li.unblended_cost) AS unblended_cost,
			   sum(coalesce(li.net_unblended_cost, li.unblended_cost)) AS net_unblended_cost,
			   sum(li.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(li.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(li.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(li.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   count(*) AS line_items
		  FROM bedrock_cost.line_items AS li
		  LEFT JOIN eqref.chargeback_usage_types AS u
			ON u.usage_type = li.usage_type AND u.product_name_key = coalesce(li.product_name, '')
		 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
	)
	SELECT g.billing_period, g.usage_date, g.export_id, e.export_name, e.path AS export,
		   g.payer_account_id, g.usage_account_id,
		   g.attribution, g.principal::text AS principal_arn,
		   bedrock_cost.role_arn(g.principal)::text AS role_arn,
		   bedrock_cost.person(g.principal) AS person,
		   g.tags, g.model,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
				ELSE g.unblended_cost END AS cost,
		   s.cost_basis, g.unblended_cost, g.net_unblended_cost,
		   coalesce(g.input_tokens, 0) AS input_tokens,
		   coalesce(g.output_tokens, 0) AS output_tokens,
		   coalesce(g.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(g.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(g.input_tokens, 0) + coalesce(g.output_tokens, 0)
			+ coalesce(g.cache_read_tokens, 0) + coalesce(g.cache_write_tokens, 0) AS total_tokens,
		   g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s});
sql(q{
CREATE VIEW eqref.chargeback_allocated AS
	WITH lines AS (
		SELECT c.billing_period, c.export_id, c.payer_account_id, c.usage_account_id,
			   CASE c.attribution WHEN 'account_level' THEN 'account_level_unallocated'
					ELSE c.attribution END AS attribution,
			   c.principal_arn, c.principal_tags,
			   sum(c.cost) AS usage_cost, min(c.cost_basis) AS cost_basis,
			   sum(c.line_items)::bigint AS line_items
		  FROM eqref.chargeback_by_principal AS c
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	), pooled AS (
		SELECT l.*, l.attribution IN ('attributed', 'unattributed') AS is_usage,
			   sum(l.usage_cost) FILTER (WHERE l.attribution = 'account_level_unallocated') OVER acct AS pool,
			   sum(greatest(l.usage_cost, 0)) FILTER (WHERE l.attribution IN ('attributed', 'unattributed')) OVER acct AS weight_sum
		  FROM lines AS l
		WINDOW acct AS (PARTITION BY l.billing_period, l.export_id, l.payer_account_id, l.usage_account_id)
	), shares AS (
		SELECT p.*, round(p.pool, 2) * 100 AS pool_cents,
			   CASE WHEN p.is_usage AND p.pool IS NOT NULL AND p.weight_sum > 0
					THEN abs(round(p.pool, 2) * 100) * greatest(p.usage_cost, 0) / p.weight_sum END AS exact_cents
		  FROM pooled AS p
	), ranked AS (
		SELECT s.*, floor(s.exact_cents) AS floor_cents,
			   abs(s.pool_cents) - sum(floor(s.exact_cents)) OVER acct AS leftover,
			   row_number() OVER (PARTITION BY s.billing_period, s.export_id, s.payer_account_id,
										   s.usage_account_id, s.exact_cents IS NULL
								  ORDER BY s.exact_cents - floor(s.exact_cents) DESC,
										   s.principal_arn, s.principal_tags::text) AS remainder_rank
		  FROM shares AS s
		WINDOW acct AS (PARTITION BY s.billing_period, s.export_id, s.payer_account_id, s.usage_account_id)
	), allocated AS (
		SELECT r.*,
			   CASE WHEN r.exact_cents IS NOT NULL
					THEN round(sign(r.pool_cents) * (r.floor_cents
							+ CASE WHEN r.remainder_rank <= r.leftover THEN 1 ELSE 0 END) / 100, 2)
					WHEN r.attribution = 'account_level_unallocated' AND r.weight_sum > 0
					THEN r.usage_cost - round(r.usage_cost, 2)
					ELSE 0 END AS allocated_cost,
			   r.attribution = 'account_level_unallocated' AND r.weight_sum > 0 AS is_residue
		  FROM ranked AS r
	)
	SELECT a.billing_period, a.export_id, e.export_name, e.path AS export,
		   a.payer_account_id, a.usage_account_id,
		   CASE WHEN a.is_residue THEN 'account_level_rounding' ELSE a.attribution END AS attribution,
		   a.principal_arn::bedrock_cost.iam_arn AS principal, a.principal_arn,
		   bedrock_cost.role_arn(a.principal_arn::bedrock_cost.iam_arn)::text AS role_arn,
		   bedrock_cost.person(a.principal_arn::bedrock_cost.iam_arn) AS person,
		   a.principal_tags,
		   CASE WHEN a.is_residue THEN 0 ELSE a.usage_cost END AS usage_cost,
		   a.allocated_cost,
		   CASE WHEN a.is_residue THEN a.allocated_cost ELSE a.usage_cost + a.allocated_cost END AS cost,
		   a.cost_basis,
		   'account-level rows (Tax, Credit, Refund, discounts, fees) of each export, payer account, usage account and billing period, rounded to the cent, spread over all the usage of that account (attributed principals and unattributed usage) pro rata to its '
			|| a.cost_basis || ' usage cost, largest remainder; the sub-cent residue stays on an account_level_rounding line; with no usage the pool stays account_level_unallocated'
			AS allocation_basis,
		   a.line_items
	  FROM allocated AS a
	  JOIN bedrock_cost.exports AS e ON e.export_id = a.export_id
	 WHERE NOT (a.is_residue AND a.allocated_cost = 0)});
# the loader's reconciliation (file totals against line_items), extended with
# the chargeback split
sql(q{
CREATE VIEW eqref.reconciliation AS
	WITH current_load AS (
		SELECT c.billing_period, c.export_id, c.export, c.load_id,
			   c.loaded_via = 'client' AS totals_declared
		  FROM bedrock_cost.current_loads c
	), file AS (
		SELECT c.billing_period, c.export_id, t.line_item_type,
			   sum(t.rows) FILTER (WHERE t.is_bedrock) AS file_rows,
			   sum(t.unblended_cost) FILTER (WHERE t.is_bedrock) AS file_total,
			   sum(t.net_unblended_cost) FILTER (WHERE t.is_bedrock) AS file_net_total,
			   sum(t.rejected_rows) AS rejected_rows,
			   sum(t.rejected_unblended_cost) AS rejected_total,
			   sum(t.rows) FILTER (WHERE NOT t.is_bedrock) AS other_rows,
			   sum(t.unblended_cost) FILTER (WHERE NOT t.is_bedrock) AS other_total
		  FROM current_load c
		  JOIN bedrock_cost.load_totals t USING (load_id)
		 GROUP BY 1, 2, 3
	), loaded AS (
		SELECT li.billing_period, li.export_id, li.line_item_type,
			   count(*) AS loaded_rows, sum(li.unblended_cost) AS loaded_total,
			   sum(li.net_unblended_cost) AS loaded_net_total
		  FROM bedrock_cost.line_items li
		 GROUP BY 1, 2, 3
	), r AS (
		SELECT billing_period, export_id, c.export, c.load_id, line_item_type,
			   coalesce(f.file_rows, 0) AS file_rows,
			   coalesce(f.file_total, 0) AS file_total,
			   coalesce(ld.loaded_rows, 0) AS loaded_rows,
			   coalesce(ld.loaded_total, 0) AS loaded_total,
			   coalesce(f.file_total, 0) - coalesce(ld.loaded_total, 0) AS difference,
			   coalesce(f.file_net_total, 0) AS file_net_total,
			   coalesce(ld.loaded_net_total, 0) AS loaded_net_total,
			   coalesce(f.file_net_total, 0) - coalesce(ld.loaded_net_total, 0) AS net_difference,
			   coalesce(f.rejected_rows, 0) AS rejected_rows,
			   coalesce(f.rejected_total, 0) AS rejected_total,
			   coalesce(f.other_rows, 0) AS other_rows,
			   coalesce(f.other_total, 0) AS other_total,
			   coalesce(c.totals_declared, false) AS totals_declared
		  FROM file f
		  FULL JOIN loaded ld USING (billing_period, export_id, line_item_type)
		  LEFT JOIN current_load c USING (billing_period, export_id)
	)
	SELECT r.*,
		   coalesce(c.attributed_total, 0) AS attributed_total,
		   coalesce(c.unattributed_total, 0) AS unattributed_total,
		   coalesce(c.account_level_total, 0) AS account_level_total,
		   coalesce(c.attributed_total, 0) + coalesce(c.unattributed_total, 0)
			+ coalesce(c.account_level_total, 0) AS chargeback_total,
		   r.loaded_total - (coalesce(c.attributed_total, 0) + coalesce(c.unattributed_total, 0)
							 + coalesce(c.account_level_total, 0)) AS chargeback_difference
	  FROM r
	  LEFT JOIN (
		SELECT b.billing_period, b.export_id, b.line_item_type,
			   sum(b.unblended_cost) FILTER (WHERE b.principal_arn IS NOT NULL) AS attributed_total,
			   sum(b.unblended_cost) FILTER (WHERE b.principal_arn IS NULL
										 AND bedrock_cost.is_usage_line_item_type(b.line_item_type)) AS unattributed_total,
			   sum(b.unblended_cost) FILTER (WHERE b.principal_arn IS NULL
										 AND NOT bedrock_cost.is_usage_line_item_type(b.line_item_type)) AS account_level_total
		  FROM eqref.chargeback_base AS b
		 GROUP BY 1, 2, 3
	  ) AS c USING (billing_period, export_id, line_item_type)});

# ---------------------------------------------------------------------------
# the comparison

# the columns compared, in this order on both sides
my %columns = (
	chargeback_base => 'billing_period, export_id, payer_account_id, usage_account_id, line_item_type, '
	  . 'principal_arn, principal_tags, tags, usage_type, product_name, resource_id, payer_account_name, '
	  . 'usage_account_name, line_items, unblended_cost, '
	  . 'net_unblended_cost, net_rows, tokens, usage_amount',
	chargeback_usage_types => 'usage_type, product_name, product_name_key, model, model_key, token_kind, '
	  . 'tier, routing, region, recognized, vendor',
	chargeback_by_principal => 'billing_period, export_id, export_name, export, payer_account_id, '
	  . 'usage_account_id, payer_account_name, usage_account_name, attribution, line_item_type, principal, principal_arn, principal_type, '
	  . 'principal_account_id, role_arn, role_name, person, principal_tags, cost, cost_basis, '
	  . 'unblended_cost, net_unblended_cost, input_tokens, output_tokens, cache_read_tokens, '
	  . 'cache_write_tokens, total_tokens, line_items',
	chargeback_by_tag => 'billing_period, export_id, export_name, export, tag_key, tag_name, tag_source, tag_value, '
	  . 'untagged, attribution, cost, cost_basis, unblended_cost, net_unblended_cost, input_tokens, '
	  . 'output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, principals, line_items',
	chargeback_by_resource => 'billing_period, export_id, export_name, export, usage_account_id, '
	  . 'usage_account_name, resource_id, resource_type, resource_name, vendor, model_key, cost, cost_basis, '
	  . 'unblended_cost, net_unblended_cost, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, '
	  . 'total_tokens, principals, line_items',
	usage_by_model => 'billing_period, export_id, export_name, export, model, model_key, vendor, token_kind, tier, '
	  . 'routing, region, recognized, tokens, usage_amount, cost, cost_basis, unblended_cost, '
	  . 'net_unblended_cost, cost_per_million_tokens, principals, line_items',
	team_model_mix => 'billing_period, export_id, export_name, export, tag_key, tag_name, tag_source, tag_value, untagged, '
	  . 'vendor, model_key, cost, cost_basis, unblended_cost, net_unblended_cost, share_of_team, input_tokens, '
	  . 'output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, principals, line_items',
	chargeback_daily => 'billing_period, usage_date, export_id, export_name, export, payer_account_id, '
	  . 'usage_account_id, attribution, principal_arn, role_arn, person, tags, model, cost, cost_basis, '
	  . 'unblended_cost, net_unblended_cost, input_tokens, output_tokens, cache_read_tokens, '
	  . 'cache_write_tokens, total_tokens, line_items',
	chargeback_allocated => 'billing_period, export_id, export_name, export, payer_account_id, '
	  . 'usage_account_id, attribution, principal, principal_arn, role_arn, person, principal_tags, '
	  . 'usage_cost, allocated_cost, cost, cost_basis, allocation_basis, line_items',
	reconciliation => 'billing_period, export_id, export, load_id, line_item_type, file_rows, file_total, '
	  . 'loaded_rows, loaded_total, difference, file_net_total, loaded_net_total, net_difference, '
	  . 'rejected_rows, rejected_total, other_rows, other_total, totals_declared, attributed_total, '
	  . 'unattributed_total, account_level_total, chargeback_total, chargeback_difference');
my @views = qw(chargeback_base chargeback_usage_types chargeback_by_principal chargeback_by_tag
  usage_by_model chargeback_by_resource team_model_mix chargeback_daily chargeback_allocated reconciliation);

# the same multiset of rows as text, the same number of rows; returns that number
sub same_rows
{
	my ($name, $ref, $got) = @_;
	my ($nref, $ngot, $missing, $extra) = split /\|/, sql(qq{
		WITH r AS (SELECT t::text AS x FROM ($ref) AS t),
			 v AS (SELECT t::text AS x FROM ($got) AS t)
		SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM v),
			   (SELECT count(*) FROM (SELECT x FROM r EXCEPT ALL SELECT x FROM v) AS a),
			   (SELECT count(*) FROM (SELECT x FROM v EXCEPT ALL SELECT x FROM r) AS b)});
	is("$missing|$extra", '0|0', "$name: identical rows as text (missing|extra)")
	  or diag(sql(qq{
		WITH r AS (SELECT t::text AS x FROM ($ref) AS t),
			 v AS (SELECT t::text AS x FROM ($got) AS t)
		(SELECT 'reference ' || x FROM (SELECT x FROM r EXCEPT ALL SELECT x FROM v) AS a LIMIT 5)
		UNION ALL
		(SELECT 'view      ' || x FROM (SELECT x FROM v EXCEPT ALL SELECT x FROM r) AS b LIMIT 5)}));
	is($ngot, $nref, "$name: $nref rows, as the reference");
	return $nref;
}

# every delivery's summary (current and history) against its stored rows,
# per summary group, as text
my $summary_keys = 'load_id, usage_date, payer_account_id, usage_account_id, line_item_type, '
  . 'product_name, usage_type, principal::text, tags, resource_id, payer_account_name, usage_account_name';
my $summary_ref = "SELECT $summary_keys, count(*) AS line_items, sum(unblended_cost), "
  . 'sum(coalesce(net_unblended_cost, unblended_cost)), count(net_unblended_cost), sum(tokens), sum(usage_amount) '
  . 'FROM (SELECT *, (usage_start AT TIME ZONE \'UTC\')::date AS usage_date FROM bedrock_cost.line_items '
  . 'UNION ALL SELECT *, (usage_start AT TIME ZONE \'UTC\')::date FROM bedrock_cost.line_items_history) AS li '
  . 'GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12';
my $summary_got = "SELECT $summary_keys, sum(line_items)::bigint, sum(unblended_cost), "
  . 'sum(net_unblended_cost), sum(net_rows)::bigint, sum(tokens), sum(usage_amount) '
  . 'FROM (SELECT * FROM bedrock_cost.usage_summary UNION ALL SELECT * FROM bedrock_cost.usage_summary_history) AS s '
  . 'GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12';

# the current deliveries' period summaries against their stored rows, per
# group (no usage day), as text
my $period_keys = 'load_id, payer_account_id, usage_account_id, line_item_type, '
  . 'product_name, usage_type, principal::text, tags, resource_id, payer_account_name, usage_account_name';
my $period_ref = "SELECT $period_keys, count(*) AS line_items, sum(unblended_cost), "
  . 'sum(coalesce(net_unblended_cost, unblended_cost)), count(net_unblended_cost), sum(tokens), sum(usage_amount) '
  . 'FROM bedrock_cost.line_items GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11';
my $period_got = "SELECT $period_keys, sum(line_items)::bigint, sum(unblended_cost), "
  . 'sum(net_unblended_cost), sum(net_rows)::bigint, sum(tokens), sum(usage_amount) '
  . 'FROM bedrock_cost.usage_period GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11';

# the current deliveries' model-day summaries against their stored rows,
# each parsed on its own, per row of chargeback_daily's grain, as text: one
# summary row per group (no GROUP BY on the summary's side), the token kinds
# side by side
my $daily_keys = 'load_id, usage_date, payer_account_id, usage_account_id, attribution, '
  . 'principal::text, tags, model';
my @kinds = ('input', 'output', 'cache_read', 'cache_write');
my $daily_kind_sums = join(', ',
	(map { "sum(tokens) FILTER (WHERE token_kind = '$_')" } @kinds),
	(map { "sum(unblended_cost) FILTER (WHERE token_kind = '$_')" } @kinds),
	(map { "sum(coalesce(net_unblended_cost, unblended_cost)) FILTER (WHERE token_kind = '$_')" } @kinds));
my $daily_ref = "SELECT $daily_keys, count(*) AS line_items, sum(unblended_cost), "
  . 'sum(coalesce(net_unblended_cost, unblended_cost)), '
  . "$daily_kind_sums "
  . 'FROM (SELECT li.*, (li.usage_start AT TIME ZONE \'UTC\')::date AS usage_date, u.model, u.token_kind, '
  . 'bedrock_cost.attribution(li.principal::text, li.line_item_type) AS attribution '
  . 'FROM bedrock_cost.line_items AS li, bedrock_cost.parse_usage_type(li.usage_type, li.product_name) AS u) AS x '
  . 'GROUP BY 1, 2, 3, 4, 5, 6, 7, 8';
my $daily_got = "SELECT $daily_keys, line_items, unblended_cost, net_unblended_cost, "
  . 'input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, '
  . 'input_unblended_cost, output_unblended_cost, cache_read_unblended_cost, cache_write_unblended_cost, '
  . 'input_net_unblended_cost, output_net_unblended_cost, cache_read_net_unblended_cost, '
  . 'cache_write_net_unblended_cost FROM bedrock_cost.usage_daily';

# everything compared after one step; every relation has rows
sub check
{
	my ($step) = @_;
	cmp_ok(same_rows("$step: usage_summary", $summary_ref, $summary_got), '>', 0,
		"$step: usage_summary is not empty");
	cmp_ok(same_rows("$step: usage_period", $period_ref, $period_got), '>', 0,
		"$step: usage_period is not empty");
	cmp_ok(same_rows("$step: usage_daily", $daily_ref, $daily_got), '>', 0,
		"$step: usage_daily is not empty");
	# period and model-day summary tables for each current delivery, none for the others
	for my $t ('usage_period', 'usage_daily')
	{
		is(sql(qq{SELECT string_agg(l.load_id || ':' || l.status, ',' ORDER BY l.load_id)
				   FROM bedrock_cost.loads AS l
				  WHERE (l.status = 'done') <> (to_regclass('bedrock_cost.${t}_l' || l.load_id) IS NOT NULL)}),
			'', "$step: $t tables exist for the current deliveries only");
	}
	for my $v (@views)
	{
		my $n = same_rows("$step: $v", "SELECT $columns{$v} FROM eqref.$v",
			"SELECT $columns{$v} FROM bedrock_cost.$v");
		cmp_ok($n, '>', 0, "$step: $v is not empty");
	}
	# usage_profile (added since) is checked against its own query computed
	# afresh over every period of chargeback_base, which is checked above:
	# what the incremental refreshes left (kept aside) equals a full
	# computation, which the table then holds
	sql('DROP TABLE IF EXISTS eqref.usage_profile_kept; '
		  . 'CREATE TABLE eqref.usage_profile_kept AS SELECT * FROM bedrock_cost.usage_profile; '
		  . 'DELETE FROM bedrock_cost.usage_profile; '
		  . 'SELECT bedrock_cost._usage_profile_insert('
		  . '(SELECT array_agg(DISTINCT billing_period) FROM bedrock_cost.chargeback_base))');
	my $n = same_rows("$step: usage_profile", 'SELECT * FROM bedrock_cost.usage_profile',
		'SELECT * FROM eqref.usage_profile_kept');
	cmp_ok($n, '>', 0, "$step: usage_profile is not empty");
	is(sql('SELECT count(*) FROM bedrock_cost.reconciliation WHERE difference <> 0 OR chargeback_difference <> 0'),
		'0', "$step: reconciliation difference and chargeback_difference are 0 everywhere");

	# as of every load, and before and after them all
	my @ids = split /\n/, sql('SELECT load_id FROM bedrock_cost.loads ORDER BY 1');
	my $after = $ids[-1] + 1000;
	for my $id (0, @ids, $after)
	{
		my $base = same_rows("$step: chargeback_base_as_of($id)",
			"SELECT $columns{chargeback_base} FROM (" . base_q("bedrock_cost.line_items_as_of($id)") . ') AS x',
			"SELECT $columns{chargeback_base} FROM bedrock_cost.chargeback_base_as_of($id)");
		my $principal = same_rows("$step: chargeback_by_principal_as_of($id)",
			"SELECT $columns{chargeback_by_principal} FROM ("
			  . principal_q('(' . base_q("bedrock_cost.line_items_as_of($id)") . ')',
				'LEFT JOIN LATERAL bedrock_cost.parse_usage_type(b.usage_type, b.product_name) AS u ON true',
				"(SELECT coalesce((SELECT l.cost_basis FROM bedrock_cost.loads AS l WHERE l.load_id = $id), "
				  . 'c.cost_basis) AS cost_basis FROM bedrock_cost.chargeback_basis AS c)')
			  . ') AS x',
			"SELECT $columns{chargeback_by_principal} FROM bedrock_cost.chargeback_by_principal_as_of($id)");
		if ($id == 0)
		{
			is("$base|$principal", '0|0', "$step: nothing as of load 0");
		}
		else
		{
			cmp_ok($base, '>', 0, "$step: chargeback_base_as_of($id) is not empty");
			cmp_ok($principal, '>', 0, "$step: chargeback_by_principal_as_of($id) is not empty");
		}
	}
	return;
}

# refresh_chargeback() in one transaction with a look at what it wrote: the
# billing periods that have rows inserted by this transaction (age(xmin) = 0)
# in any per-period chargeback table, and in chargeback_state; '-' for none
my @period_tables = qw(chargeback_base chargeback_by_principal chargeback_by_tag usage_by_model team_model_mix
  usage_profile chargeback_daily chargeback_allocated);
my $written_q = 'SELECT coalesce(string_agg(billing_period::text, \',\' ORDER BY billing_period), \'-\') FROM ('
  . join(' UNION ', map { "SELECT billing_period FROM bedrock_cost.$_ WHERE age(xmin) = 0" } @period_tables)
  . ') AS p';
my $state_q = 'SELECT coalesce(string_agg(billing_period::text, \',\' ORDER BY billing_period), \'-\') '
  . 'FROM bedrock_cost.chargeback_state WHERE age(xmin) = 0';

# and the model-day summaries' rows it rewrote ('kept' when none)
my $daily_q = 'SELECT CASE WHEN count(*) FILTER (WHERE age(xmin) = 0) = 0 THEN \'kept\' '
  . 'WHEN bool_and(age(xmin) = 0) THEN \'recomputed\' ELSE \'partly\' END FROM bedrock_cost.usage_daily';

sub refresh
{
	my ($step, $expect, $daily) = @_;
	my (undef, $written, $state, $d) =
	  split /\n/, sql("BEGIN; SELECT bedrock_cost.refresh_chargeback(); $written_q; $state_q; $daily_q; COMMIT;");
	is("$written $state", "$expect $expect", "$step: refresh_chargeback() recomputed the periods $expect");
	is($d, $daily, "$step: the model-day summaries $daily") if defined $daily;
	return;
}
my $all = '2026-04-01,2026-05-01,2026-06-01';

# ---------------------------------------------------------------------------
# the steps

# export a (overwrite layout): the first delivery of three months
my @a = ('--out', "$tmp/a", '--export', 'a', '--seed', '67', '--rows', '1500', '--periods', '3',
	'--start', '2026-04', '--principals', '30', '--restate');
gen(@a, '--initial-only');
is(sql("SELECT string_agg(status, ',' ORDER BY billing_period) FROM bedrock_cost.load_export('$tmp/a/a')"),
	'done,done,done', 'export a: three deliveries loaded');
is(sql("SELECT string_agg(summary_via, ',' ORDER BY load_id) FROM bedrock_cost.loads"),
	'stream,stream,stream', 'export a: each summary computed while streaming');
refresh('first deliveries', $all);
# what the data covers: all three kinds of spend, the account-level line item types
is(sql("SELECT string_agg(DISTINCT attribution, ',' ORDER BY attribution) FROM eqref.chargeback_by_principal"),
	'account_level,attributed,unattributed', 'the data has attributed, unattributed and account-level spend');
like(sql("SELECT string_agg(DISTINCT line_item_type, ',' ORDER BY line_item_type) FROM eqref.chargeback_by_principal
		   WHERE attribution = 'account_level'"),
	qr/^(?=.*\bCredit\b)(?=.*\bRefund\b)(?=.*\bTax\b)/, 'account-level rows include Tax, Credit and Refund');
check('first deliveries');

# the restatement of April, with too little summary memory: the loader falls
# back to summarising by SQL
gen(@a);
is(sql("SET bedrock_cost.summary_memory = '64kB'; SELECT string_agg(status, ',' ORDER BY billing_period) "
		  . "FROM bedrock_cost.load_export('$tmp/a/a')"),
	'done,noop,noop', 'export a: the restatement of April loaded (May and June unchanged)');
is(sql("SELECT summary_via FROM bedrock_cost.loads WHERE status = 'done' AND billing_period = '2026-04-01'"),
	'sql', 'beyond bedrock_cost.summary_memory the summary was computed by SQL');
refresh('restated', '2026-04-01');
check('restated');
refresh('nothing changed', '-', 'kept');

# export b (create-new layout, restated), through bedrock-cost-load and the client API
gen('--out', "$tmp/b", '--export', 'b', '--seed', '68', '--rows', '1500', '--periods', '2',
	'--start', '2026-05', '--principals', '20', '--restate', '--mode', 'create-new');
my ($rc, $out, $err) = client('-q', '-d', $node->connstr('postgres'), "$tmp/b/b");
is($rc, 0, 'export b: bedrock-cost-load exits 0') or diag($err);
is(sql(q{SELECT string_agg(l.status, ',' ORDER BY l.load_id) FROM bedrock_cost.loads l
		  JOIN bedrock_cost.exports e USING (export_id) WHERE e.path LIKE '%/b' AND l.loaded_via = 'client'}),
	'superseded,done,done', 'export b: both periods loaded by the client, the first restated');
is(sql(q{SELECT string_agg(DISTINCT summary_via, ',') FROM bedrock_cost.loads WHERE loaded_via = 'client'}),
	'stored', 'export b: the server summed the client deliveries itself, from the rows it stored');
refresh('client', '2026-05-01,2026-06-01');
check('client');

# export c through bedrock-cost-load without summary memory: the server
# summarises the stored rows by SQL instead, to the same rows
gen('--out', "$tmp/c", '--export', 'c', '--seed', '69', '--rows', '900', '--periods', '1',
	'--start', '2026-06', '--principals', '15');
{
	local $ENV{PGOPTIONS} = '-c bedrock_cost.summary_memory=0';
	($rc, $out, $err) = client('-q', '-d', $node->connstr('postgres'), "$tmp/c/c");
}
is($rc, 0, 'export c: bedrock-cost-load exits 0') or diag($err);
is(sql(q{SELECT string_agg(l.status || ' ' || l.summary_via, ',') FROM bedrock_cost.loads l
		  JOIN bedrock_cost.exports e USING (export_id) WHERE e.path LIKE '%/c'}),
	'done sql', 'export c: without summary memory the client delivery was summarised by SQL');
refresh('client by SQL', '2026-06-01');
check('client by SQL');

# the net unblended basis
sql(q{SELECT bedrock_cost.set_cost_basis('net_unblended')});
# every period, but not the model-day summaries: they hold both bases
refresh('net basis', $all, 'kept');
is(sql('SELECT DISTINCT cost_basis FROM bedrock_cost.chargeback_by_principal'), 'net_unblended',
	'the views are in the net unblended basis');
check('net basis');

# the first delivery of April made current again (recorded in the net basis)
my $old = sql(q{SELECT min(load_id) FROM bedrock_cost.loads l JOIN bedrock_cost.exports e USING (export_id)
				 WHERE e.path LIKE '%/a' AND l.billing_period = '2026-04-01'});
my $restored = sql("SELECT bedrock_cost.restore_load($old)");
is(sql("SELECT status || ' ' || loaded_via || ' ' || same_as || ' ' || cost_basis FROM bedrock_cost.loads
		 WHERE load_id = $restored"),
	"done restore $old net_unblended", 'restore_load: the first delivery of April is current again');
is(sql("SELECT summary_via || ' ' || (summary_rows = (SELECT summary_rows FROM bedrock_cost.loads WHERE load_id = $old))
		 FROM bedrock_cost.loads WHERE load_id = $restored"),
	'stored true', 'restore_load: the copy summed in C, as many summary rows as the original');
refresh('restore_load', '2026-04-01');
check('restore_load');

# back to the unblended basis: the as-of answers of the later loads stay net
sql(q{SELECT bedrock_cost.set_cost_basis('unblended')});
refresh('unblended again', $all);
is(sql('SELECT DISTINCT cost_basis FROM bedrock_cost.chargeback_by_principal'), 'unblended',
	'the views are in the unblended basis again');
is(sql("SELECT string_agg(DISTINCT cost_basis, ',' ORDER BY cost_basis) || ' '
			|| string_agg(DISTINCT loaded_via, ',' ORDER BY loaded_via) FROM bedrock_cost.loads"),
	'net_unblended,unblended client,restore,sql', 'loads in both bases, by SQL, the client and restore_load');
check('unblended again');

# a model alias changes the model key of every period's rows
my $model = sql(q{SELECT min(model) FROM bedrock_cost.chargeback_usage_types WHERE recognized AND model IS NOT NULL});
sql("INSERT INTO bedrock_cost.model_aliases (alias, model_key) VALUES ('$model', 'eq-test-model')");
# the summaries hold the model as billed, before any alias
refresh('model alias', $all, 'kept');
is(sql(q{SELECT count(*) > 0 FROM bedrock_cost.usage_by_model WHERE model_key = 'eq-test-model'}), 't',
	'the new alias shows in usage_by_model');
check('model alias');

# an export renamed: every period shows the new name
sql(q{UPDATE bedrock_cost.exports SET export_name = 'renamed-a' WHERE path LIKE '%/a'});
refresh('export renamed', $all);
is(sql(q{SELECT string_agg(DISTINCT export_name, ',') FROM bedrock_cost.chargeback_daily WHERE export LIKE '%/a'}),
	'renamed-a', 'chargeback_daily names the export by its new name');
check('export renamed');

# the full rebuild gives the same rows; it recomputes the model-day
# summaries (what a new parser would change): one made wrong comes out right
my $wrong = sql(q{WITH x AS (SELECT tableoid::regclass AS t, min(ctid) AS c FROM bedrock_cost.usage_daily
							  WHERE model IS NOT NULL GROUP BY 1 ORDER BY 1 LIMIT 1)
				  SELECT t FROM x});
sql(qq{UPDATE $wrong SET model = 'not-the-parser' WHERE ctid = (SELECT min(ctid) FROM $wrong WHERE model IS NOT NULL)});
is(sql(q{SELECT count(*) FROM bedrock_cost.usage_daily WHERE model = 'not-the-parser'}), '1',
	'a model-day summary row made wrong');
sql('SELECT bedrock_cost.refresh_chargeback(false)');
is(sql(q{SELECT count(*) FROM bedrock_cost.usage_daily WHERE model = 'not-the-parser'}), '0',
	'the full rebuild recomputed it');
check('full rebuild');

# another extension version recorded for the periods (as after ALTER
# EXTENSION ... UPDATE): the next refresh recomputes every period and the
# model-day summaries, with the parser installed now
sql(qq{UPDATE $wrong SET model = 'not-the-parser' WHERE ctid = (SELECT min(ctid) FROM $wrong WHERE model IS NOT NULL)});
sql(q{UPDATE bedrock_cost.chargeback_state SET inputs = split_part(inputs, ' ', 1) || ' 0.0.1'});
refresh('another version', $all, 'recomputed');
is(sql(q{SELECT count(*) FROM bedrock_cost.usage_daily WHERE model = 'not-the-parser'}), '0',
	'another version recomputed the model-day summaries');
# inputs recorded before the version was kept apart (a digest alone): the same
sql(q{UPDATE bedrock_cost.chargeback_state SET inputs = md5(inputs)});
refresh('inputs of the old form', $all, 'recomputed');
check('another version');

# the same rebuild when the summaries cannot be read back in C (no summary
# memory): by SQL, to the same rows
sql(q{UPDATE bedrock_cost.chargeback_state SET inputs = split_part(inputs, ' ', 1) || ' 0.0.1'});
like(sql("SET bedrock_cost.summary_memory = 0; BEGIN; SELECT bedrock_cost.refresh_chargeback(); $daily_q; COMMIT;"),
	qr/\brecomputed\z/, 'another version, no summary memory: the model-day summaries recomputed by SQL');
check('rebuilt by SQL');

$node->stop;
done_testing();
