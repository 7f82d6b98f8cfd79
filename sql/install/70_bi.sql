/*
 * 70_bi.sql: the views BI tools (Metabase, Superset) and team leads read.
 *
 * Every bi_* view has plain SQL column types only (text, date, numeric,
 * bigint, boolean; the ARN as text next to its parts, tags as JSON text),
 * declared so that drivers report them exactly: costs and usage_amount
 * numeric(38,16) (exact for every value with at most 16 decimals, which
 * covers CUR's; a value with more is rounded to 16, half away from zero),
 * cost_per_million_tokens numeric(38,6), token counts and counts bigint (the
 * exact sum cast, so a fractional token sum is rounded to a whole token),
 * a comment on the view and on every column, and row-level security: the
 * views are security_barrier views that show a row only when
 * bedrock_cost.team_access maps the current database role to it (the reader
 * role has no privilege on the chargeback tables themselves).
 *
 * Access rule, with r = current_user (the "sees everything" part is an
 * uncorrelated subquery, evaluated once per query):
 *   - superusers and members of bedrock_cost_admin see every row;
 *   - a team_access row (r, '*', '*') shows every row;
 *   - a team_access row (r, 'iamPrincipal/<key>', <value>) shows the rows
 *     whose principal carries that tag value (per-principal and daily views)
 *     and the rows of that key and value (per-tag view);
 *   - no team_access row: nothing.
 * The per-model view has no principal, so only unrestricted roles see it.
 *
 * IDENTIFICATION
 *		sql/install/70_bi.sql
 */

CREATE TABLE bedrock_cost.team_access (
	role_name	name NOT NULL,
	tag_key		text NOT NULL,
	tag_value	text NOT NULL,
	PRIMARY KEY (role_name, tag_key, tag_value),
	CHECK (tag_key = '*' AND tag_value = '*' OR tag_key LIKE 'iamPrincipal/_%' OR tag_key = 'gateway/team')
);
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.team_access', '');
COMMENT ON TABLE bedrock_cost.team_access IS
  'which rows of the bi_* views each database role sees: a role with a row (tag_key, tag_value) sees the spend of principals tagged so; (''*'', ''*'') sees everything; a role without rows sees nothing (superusers and bedrock_cost_admin members see everything). Matched against current_user exactly (not role membership)';
COMMENT ON COLUMN bedrock_cost.team_access.role_name IS 'database role (as current_user reports it) the row grants to';
COMMENT ON COLUMN bedrock_cost.team_access.tag_key IS 'full tag key as in the CUR tags map, e.g. iamPrincipal/cost-center; gateway/team for a team of a gateway''s request log (bi_gateway_chargeback); * for all rows';
COMMENT ON COLUMN bedrock_cost.team_access.tag_value IS 'the tag value the role may see, e.g. 12345; * with tag_key *';

-- ------------------------------------------------------------------------
-- the views

CREATE VIEW bedrock_cost.bi_chargeback_by_principal WITH (security_barrier) AS
	SELECT c.billing_period, c.export_id, c.export_name, c.export,
		   c.payer_account_id, c.usage_account_id, c.payer_account_name, c.usage_account_name,
		   c.attribution, c.line_item_type,
		   c.principal_arn, c.principal_type, c.principal_account_id, c.role_arn,
		   c.role_name, c.person, c.is_api_key,
		   c.principal_tags::text AS principal_tags_json,
		   c.cost::numeric(38,16) AS cost, c.cost_basis,
		   c.unblended_cost::numeric(38,16) AS unblended_cost,
		   c.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   c.input_tokens::bigint AS input_tokens, c.output_tokens::bigint AS output_tokens,
		   c.cache_read_tokens::bigint AS cache_read_tokens,
		   c.cache_write_tokens::bigint AS cache_write_tokens, c.total_tokens::bigint AS total_tokens,
		   c.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_by_principal AS c
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = current_user AND ta.tag_key <> '*'
					  AND (c.principal_tags ->> ta.tag_key) = ta.tag_value);
COMMENT ON VIEW bedrock_cost.bi_chargeback_by_principal IS
  'Bedrock chargeback per month, account and IAM principal, for BI tools: one row per billing period, payer and usage account, line item type, principal and principal tag set; unattributed usage and account-level rows (Tax, Credit, Refund, discounts) are their own rows. Row-level security by bedrock_cost.team_access';

CREATE VIEW bedrock_cost.bi_principal_tags WITH (security_barrier) AS
	SELECT c.billing_period, c.export_id, c.export_name, c.export,
		   c.payer_account_id, c.usage_account_id, c.attribution, c.line_item_type,
		   c.principal_arn, c.principal_type, c.role_arn, c.person,
		   t.key AS tag_key, bedrock_cost.tag_name(t.key) AS tag_name, t.value AS tag_value,
		   c.cost::numeric(38,16) AS cost, c.cost_basis,
		   c.unblended_cost::numeric(38,16) AS unblended_cost,
		   c.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   c.input_tokens::bigint AS input_tokens, c.output_tokens::bigint AS output_tokens,
		   c.cache_read_tokens::bigint AS cache_read_tokens,
		   c.cache_write_tokens::bigint AS cache_write_tokens, c.total_tokens::bigint AS total_tokens,
		   c.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_by_principal AS c,
		   LATERAL pg_catalog.jsonb_each_text(c.principal_tags) AS t
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = current_user AND ta.tag_key <> '*'
					  AND (c.principal_tags ->> ta.tag_key) = ta.tag_value);
COMMENT ON VIEW bedrock_cost.bi_principal_tags IS
  'per-principal chargeback repeated once per iamPrincipal tag of the principal, for drilling from a team (filter tag_key and tag_value) down to its principals; sum over one tag_key only, never over all rows (a principal appears once per tag). Row-level security by bedrock_cost.team_access';

CREATE VIEW bedrock_cost.bi_chargeback_by_tag WITH (security_barrier) AS
	SELECT t.billing_period, t.export_id, t.export_name, t.export,
		   t.tag_key, t.tag_name, t.tag_source, t.tag_value, t.untagged, t.attribution,
		   t.cost::numeric(38,16) AS cost, t.cost_basis,
		   t.unblended_cost::numeric(38,16) AS unblended_cost,
		   t.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   t.input_tokens::bigint AS input_tokens, t.output_tokens::bigint AS output_tokens,
		   t.cache_read_tokens::bigint AS cache_read_tokens,
		   t.cache_write_tokens::bigint AS cache_write_tokens, t.total_tokens::bigint AS total_tokens,
		   t.principals::bigint AS principals, t.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_by_tag AS t
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR (NOT t.untagged
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user
						   AND ta.tag_key = t.tag_key AND ta.tag_value = t.tag_value));
COMMENT ON VIEW bedrock_cost.bi_chargeback_by_tag IS
  'Bedrock chargeback per month and cost-allocation tag (iamPrincipal/team, iamPrincipal/cost-center, resourceTags/user:project, accountTag/department...: every key of the tags map seen is a dimension, tag_source names where it comes from), with the explicit bucket tag_value = (untagged) per key; for one key the values add up to the whole month. Row-level security by bedrock_cost.team_access';

CREATE VIEW bedrock_cost.bi_usage_by_model WITH (security_barrier) AS
	SELECT m.billing_period, m.export_id, m.export_name, m.export, m.model, m.model_key, m.vendor, m.token_kind, m.tier, m.routing, m.region, m.recognized,
		   m.tokens::bigint AS tokens, m.usage_amount::numeric(38,16) AS usage_amount,
		   m.cost::numeric(38,16) AS cost, m.cost_basis,
		   m.unblended_cost::numeric(38,16) AS unblended_cost,
		   m.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   m.cost_per_million_tokens::numeric(38,6) AS cost_per_million_tokens,
		   m.principals::bigint AS principals, m.line_items::bigint AS line_items
	  FROM bedrock_cost.usage_by_model AS m
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'));
COMMENT ON VIEW bedrock_cost.bi_usage_by_model IS
  'Bedrock usage per month, model, token kind, tier, routing and region with tokens, cost and cost per million tokens. Only roles that see all rows (team_access *) see it: it has no principal to filter on (teams use bi_daily, which has the model)';

CREATE VIEW bedrock_cost.bi_chargeback_by_resource WITH (security_barrier) AS
	SELECT r.billing_period, r.export_id, r.export_name, r.export,
		   r.usage_account_id, r.usage_account_name, r.resource_id, r.resource_type, r.resource_name,
		   r.vendor, r.model_key,
		   r.cost::numeric(38,16) AS cost, r.cost_basis,
		   r.unblended_cost::numeric(38,16) AS unblended_cost,
		   r.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   r.input_tokens::bigint AS input_tokens, r.output_tokens::bigint AS output_tokens,
		   r.cache_read_tokens::bigint AS cache_read_tokens,
		   r.cache_write_tokens::bigint AS cache_write_tokens, r.total_tokens::bigint AS total_tokens,
		   r.principals::bigint AS principals, r.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_by_resource AS r
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'));
COMMENT ON VIEW bedrock_cost.bi_chargeback_by_resource IS
  'Bedrock usage per month, usage account, inference profile (line_item_resource_id: application inference profiles and system profiles; NULL for calls without one) and model: cost by application inference profile. Only roles that see all rows (team_access *) see it: a resource is not a team (teams use the resource tags in bi_chargeback_by_tag)';

CREATE VIEW bedrock_cost.bi_team_model_mix WITH (security_barrier) AS
	SELECT t.billing_period, t.export_id, t.export_name, t.export,
		   t.tag_key, t.tag_name, t.tag_source, t.tag_value, t.untagged, t.vendor, t.model_key,
		   t.cost::numeric(38,16) AS cost, t.cost_basis,
		   t.unblended_cost::numeric(38,16) AS unblended_cost,
		   t.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   t.share_of_team::numeric(38,6) AS share_of_team,
		   t.input_tokens::bigint AS input_tokens, t.output_tokens::bigint AS output_tokens,
		   t.cache_read_tokens::bigint AS cache_read_tokens,
		   t.cache_write_tokens::bigint AS cache_write_tokens, t.total_tokens::bigint AS total_tokens,
		   t.principals::bigint AS principals, t.line_items::bigint AS line_items
	  FROM bedrock_cost.team_model_mix AS t
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR (NOT t.untagged
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user
						   AND ta.tag_key = t.tag_key AND ta.tag_value = t.tag_value));
COMMENT ON VIEW bedrock_cost.bi_team_model_mix IS
  'Bedrock usage per month, tag value (any key of the tags map: iamPrincipal/team, resourceTags/user:project, ...), vendor and canonical model, with the model''s share of the team''s cost and tokens by kind: which department drives Opus and which Sonnet. The bucket tag_value = (untagged) holds usage without the key. Row-level security by bedrock_cost.team_access (a team sees its own tag value)';

CREATE VIEW bedrock_cost.bi_usage_profile WITH (security_barrier) AS
	SELECT p.billing_period, p.export_id, p.export_name, p.export, p.scope,
		   p.principal_arn, p.person, p.role_arn, p.principal_tags::text AS principal_tags_json,
		   p.tag_key, p.tag_name, p.tag_source, p.tag_value, p.untagged,
		   p.cost::numeric(38,16) AS cost, p.cost_basis,
		   p.unblended_cost::numeric(38,16) AS unblended_cost,
		   p.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   p.input_tokens::bigint AS input_tokens, p.output_tokens::bigint AS output_tokens,
		   p.cache_read_tokens::bigint AS cache_read_tokens,
		   p.cache_write_tokens::bigint AS cache_write_tokens, p.total_tokens::bigint AS total_tokens,
		   p.output_input_ratio::numeric(38,6) AS output_input_ratio,
		   p.cache_hit_ratio::numeric(38,6) AS cache_hit_ratio,
		   p.cost_per_million_tokens::numeric(38,6) AS cost_per_million_tokens,
		   p.dominant_model, p.dominant_model_share::numeric(38,6) AS dominant_model_share,
		   p.workload, p.line_items::bigint AS line_items
	  FROM bedrock_cost.usage_profile AS p
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR (p.scope = 'principal'
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user AND ta.tag_key <> '*'
						   AND (p.principal_tags ->> ta.tag_key) = ta.tag_value))
		OR (p.scope = 'tag' AND NOT p.untagged
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user
						   AND ta.tag_key = p.tag_key AND ta.tag_value = p.tag_value));
COMMENT ON VIEW bedrock_cost.bi_usage_profile IS
  'usage profile per month of each principal (scope principal) and each tag value of any tags-map key (scope tag): tokens by kind, output per prompt token, cache hit ratio, cost per million tokens, dominant model and a workload label (document-heavy, balanced, generation-heavy). Row-level security by bedrock_cost.team_access: a team sees its principals and its own tag value';

CREATE VIEW bedrock_cost.bi_budget_status WITH (security_barrier) AS
	SELECT s.name, s.scope, s.tag_key, s.tag_value, s.principal_arn, s.role_arn, s.account_id,
		   s.billing_period, s.export_id, s.export_name, s.export,
		   s.monthly_amount::numeric(38,16) AS monthly_amount,
		   s.warning_percent::numeric(38,6) AS warning_percent,
		   s.spent::numeric(38,16) AS spent, s.data_through,
		   s.days_elapsed, s.days_in_month,
		   s.daily_run_rate::numeric(38,16) AS daily_run_rate,
		   s.forecast::numeric(38,16) AS forecast,
		   s.percent_used::numeric(38,6) AS percent_used, s.state
	  FROM bedrock_cost.budget_status AS s
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR (s.scope = 'tag'
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user
						   AND ta.tag_key = s.tag_key AND ta.tag_value = s.tag_value));
COMMENT ON VIEW bedrock_cost.bi_budget_status IS
  'budgets per month: spent to date, daily run rate, month-end forecast, percent used and state (ok, warning, forecast_over, over); see bedrock_cost.budget_status for the formula. Row-level security by bedrock_cost.team_access: a team sees the budgets of its own tag value';
-- its columns say what budget_status's say, and the type declared here
DO $do$
DECLARE
	a record;
BEGIN
	FOR a IN SELECT v.attname, pg_catalog.format_type(v.atttypid, v.atttypmod) AS typ,
					pg_catalog.col_description(s.attrelid, s.attnum) AS doc
			   FROM pg_catalog.pg_attribute AS v
			   JOIN pg_catalog.pg_attribute AS s
				 ON s.attrelid = 'bedrock_cost.budget_status'::pg_catalog.regclass AND s.attname = v.attname
			  WHERE v.attrelid = 'bedrock_cost.bi_budget_status'::pg_catalog.regclass AND v.attnum > 0
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON COLUMN bedrock_cost.bi_budget_status.%I IS %L', a.attname,
								  a.doc || CASE WHEN a.typ LIKE 'numeric(%' THEN '; ' || a.typ ELSE '' END);
	END LOOP;
END
$do$;

CREATE VIEW bedrock_cost.bi_spikes WITH (security_barrier) AS
	SELECT p.usage_date, p.billing_period, p.export_id, p.export_name, p.export,
		   p.principal_arn, p.person, p.role_arn, p.principal_tags::text AS principal_tags_json, p.tags_text,
		   p.model, p.token_kind,
		   p.cost::numeric(38,16) AS cost, p.baseline_cost::numeric(38,16) AS baseline_cost,
		   p.cost_ratio::numeric(38,6) AS cost_ratio,
		   p.tokens::bigint AS tokens, p.baseline_tokens::numeric(38,6) AS baseline_tokens,
		   p.tokens_ratio::numeric(38,6) AS tokens_ratio, p.spike_on,
		   p.factor::numeric(38,6) AS factor, p.min_cost::numeric(38,16) AS min_cost,
		   p.min_tokens::bigint AS min_tokens, p.cost_basis
	  FROM bedrock_cost.spikes AS p
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = current_user AND ta.tag_key <> '*'
					  AND (p.principal_tags ->> ta.tag_key) = ta.tag_value);
COMMENT ON VIEW bedrock_cost.bi_spikes IS
  'days on which a principal spent on a model and token kind far more than the median of its 14 days before (see bedrock_cost.spikes), with the principal''s tags as text (tags_text: team=search, cost-center=12345). Row-level security by bedrock_cost.team_access';

CREATE VIEW bedrock_cost.bi_daily_by_tag WITH (security_barrier) AS
	SELECT t.usage_date, t.billing_period, t.export_id, t.export_name, t.export,
		   t.tag_key, t.tag_name, t.tag_source, t.tag_value, t.untagged,
		   t.cost::numeric(38,16) AS cost, t.cost_basis,
		   t.input_tokens::bigint AS input_tokens, t.output_tokens::bigint AS output_tokens,
		   t.cache_read_tokens::bigint AS cache_read_tokens,
		   t.cache_write_tokens::bigint AS cache_write_tokens, t.total_tokens::bigint AS total_tokens,
		   t.principals::bigint AS principals, t.line_items::bigint AS line_items
	  FROM bedrock_cost.daily_by_tag AS t
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR (NOT t.untagged
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user
						   AND ta.tag_key = t.tag_key AND ta.tag_value = t.tag_value));
COMMENT ON VIEW bedrock_cost.bi_daily_by_tag IS
  'Bedrock usage per UTC day and tag value (any key of the tags map: iamPrincipal/team, resourceTags/user:project, ...), with the (untagged) bucket per key: daily spend per team as plain columns. Row-level security by bedrock_cost.team_access (a team sees its own tag value)';

CREATE VIEW bedrock_cost.bi_daily WITH (security_barrier) AS
	SELECT d.usage_date, d.billing_period, d.export_id, d.export_name, d.export,
		   d.payer_account_id, d.usage_account_id, d.attribution,
		   d.principal_arn, d.role_arn, d.person, d.tags::text AS tags_json,
		   d.model, d.cost::numeric(38,16) AS cost, d.cost_basis,
		   d.unblended_cost::numeric(38,16) AS unblended_cost,
		   d.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   d.input_tokens::bigint AS input_tokens, d.output_tokens::bigint AS output_tokens,
		   d.cache_read_tokens::bigint AS cache_read_tokens,
		   d.cache_write_tokens::bigint AS cache_write_tokens, d.total_tokens::bigint AS total_tokens,
		   d.input_cost::numeric(38,16) AS input_cost, d.output_cost::numeric(38,16) AS output_cost,
		   d.cache_read_cost::numeric(38,16) AS cache_read_cost,
		   d.cache_write_cost::numeric(38,16) AS cache_write_cost,
		   d.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_daily AS d
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = current_user AND ta.tag_key <> '*'
					  AND (d.tags ->> ta.tag_key) = ta.tag_value);
COMMENT ON VIEW bedrock_cost.bi_daily IS
  'Bedrock chargeback per UTC usage day, account, principal and model, for spotting spikes. Row-level security by bedrock_cost.team_access';

CREATE VIEW bedrock_cost.bi_chargeback_allocated WITH (security_barrier) AS
	SELECT a.billing_period, a.export_id, a.export_name, a.export,
		   a.payer_account_id, a.usage_account_id, a.attribution,
		   a.principal_arn, a.role_arn, a.person, a.principal_tags::text AS principal_tags_json,
		   a.usage_cost::numeric(38,16) AS usage_cost, a.allocated_cost::numeric(38,16) AS allocated_cost,
		   a.cost::numeric(38,16) AS cost, a.cost_basis, a.allocation_basis,
		   a.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_allocated AS a
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = current_user AND ta.tag_key <> '*'
					  AND (a.principal_tags ->> ta.tag_key) = ta.tag_value);
COMMENT ON VIEW bedrock_cost.bi_chargeback_allocated IS
  'fully allocated chargeback per month, export, account and principal: usage cost, its largest-remainder share (to the cent) of the account''s Tax, Credit, Refund, discounts and fees, pro rata to all the account''s usage (unattributed usage takes its share too), and their sum; see allocation_basis. Row-level security by bedrock_cost.team_access';

-- the FOCUS-shaped line items for the reader, with declared types: made
-- by _bi_focus_view from a row source f with focus_bedrock's columns and
-- the expression of x_BillingPeriod, here focus_bedrock filtered for the
-- caller; on Citus, distribute() makes it again over _focus_period, one
-- billing period at a time (78_citus.sql)
CREATE FUNCTION bedrock_cost._bi_focus_view(source text, period text)
RETURNS void
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	EXECUTE format($q$CREATE OR REPLACE VIEW bedrock_cost.bi_focus_bedrock WITH (security_barrier) AS
	SELECT f."BilledCost"::numeric(38,16) AS "BilledCost",
		   f."EffectiveCost"::numeric(38,16) AS "EffectiveCost",
		   f."ListCost"::numeric(38,16) AS "ListCost",
		   f."ContractedCost"::numeric(38,16) AS "ContractedCost",
		   f."BillingCurrency", f."PricingCurrency", f."BillingAccountId", f."BillingAccountName",
		   f."BillingPeriodStart", f."BillingPeriodEnd", f."InvoiceId", f."ChargeCategory",
		   f."ChargeClass", f."ChargeFrequency", f."ChargePeriodStart", f."ChargePeriodEnd",
		   f."ChargeDescription", f."ConsumedQuantity"::numeric(38,16) AS "ConsumedQuantity",
		   f."ConsumedUnit", f."PricingCategory",
		   f."PricingQuantity"::numeric(38,16) AS "PricingQuantity", f."PricingUnit",
		   f."InvoiceIssuerName", f."ProviderName", f."PublisherName", f."RegionId",
		   f."ResourceId", f."ResourceName", f."ResourceType", f."ServiceName", f."ServiceCategory",
		   f."ServiceSubcategory", f."SkuId", f."SkuMeter", f."SubAccountId", f."SubAccountName",
		   f."Tags"::text AS "Tags", f."x_IamPrincipal", f."x_LineItemType", f."x_UsageType",
		   f."x_Operation", f."x_ServiceCode", f."x_Model", f."x_Tier", f."x_Routing",
		   %2$s AS "x_BillingPeriod", f."x_ExportId", f."x_ExportName", f."x_Export", f."x_LoadId", f."x_FileNo",
		   f."x_LineNumber"
	  FROM %1$s$q$, source, period);
END
$fn$;
COMMENT ON FUNCTION bedrock_cost._bi_focus_view(text, text) IS
  'internal: (re)creates bedrock_cost.bi_focus_bedrock, focus_bedrock''s columns with declared types, over the row source source (its rows as f) and with period as x_BillingPeriod (the install: focus_bedrock filtered by team_access; distribute() on Citus: _focus_period per billing period)';
REVOKE ALL ON FUNCTION bedrock_cost._bi_focus_view(text, text) FROM PUBLIC;
SELECT bedrock_cost._bi_focus_view($src$bedrock_cost.focus_bedrock AS f
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		-- the role's (key, value) pairs as an uncorrelated array, computed once
		OR f."Tags" @> ANY (ARRAY(SELECT pg_catalog.jsonb_build_object(ta.tag_key, ta.tag_value)
									FROM bedrock_cost.team_access AS ta
								   WHERE ta.role_name = current_user AND ta.tag_key <> '*'))$src$, 'f."x_BillingPeriod"');
COMMENT ON VIEW bedrock_cost.bi_focus_bedrock IS
  'bedrock_cost.focus_bedrock for BI tools and FOCUS consumers: one row per Bedrock line item in FOCUS 1.2 column names, costs and quantities numeric(38,16), Tags as JSON text. Row-level security by bedrock_cost.team_access (a team sees the line items of its principals); filter on x_BillingPeriod';

-- ------------------------------------------------------------------------
-- one description per column name, applied to every chargeback relation that has it

DO $do$
DECLARE
	d record;
	rel text;
	-- what the bi_* views declare, appended to the description of the column there
	bi_cost text := '; numeric(38,16): exact to 16 decimals, rounded beyond';
	bi_count text := '; bigint';
	bi_tokens text := '; bigint: the exact sum, rounded to a whole token';
	bi_type jsonb := pg_catalog.jsonb_build_object(
		'cost', bi_cost, 'unblended_cost', bi_cost, 'net_unblended_cost', bi_cost,
		'usage_cost', bi_cost, 'allocated_cost', bi_cost, 'usage_amount', bi_cost,
		'cost_per_million_tokens', '; numeric(38,6)', 'share_of_team', '; numeric(38,6)',
		'output_input_ratio', '; numeric(38,6)', 'cache_hit_ratio', '; numeric(38,6)',
		'dominant_model_share', '; numeric(38,6)',
		'input_cost', bi_cost, 'output_cost', bi_cost, 'cache_read_cost', bi_cost, 'cache_write_cost', bi_cost,
		'baseline_cost', bi_cost, 'min_cost', bi_cost, 'cost_ratio', '; numeric(38,6)',
		'tokens_ratio', '; numeric(38,6)', 'baseline_tokens', '; numeric(38,6)', 'factor', '; numeric(38,6)',
		'min_tokens', bi_count,
		'input_tokens', bi_tokens, 'output_tokens', bi_tokens, 'cache_read_tokens', bi_tokens,
		'cache_write_tokens', bi_tokens, 'total_tokens', bi_tokens, 'tokens', bi_tokens,
		'line_items', bi_count, 'principals', bi_count);
BEGIN
	FOR d IN SELECT * FROM (VALUES
		('billing_period', 'first day of the billing month (CUR BILLING_PERIOD)'),
		('usage_date', 'UTC day of line_item_usage_start_date'),
		('export_id', 'the export (bedrock_cost.exports) the rows came from; the same bill loaded from two export folders appears under both'),
		('export_name', 'name the export folder is registered under (add_export); NULL when it is loaded by hand'),
		('export', 'absolute path of the export folder the rows came from'),
		('payer_account_id', 'AWS payer (management) account id, bill_payer_account_id'),
		('usage_account_id', 'AWS account that used Bedrock, line_item_usage_account_id'),
		('attribution', 'attributed (an IAM principal is billed), unattributed (usage without a principal), account_level (Tax, Credit, Refund, discounts, fees); in allocated views also account_level_unallocated and account_level_rounding'),
		('line_item_type', 'line_item_line_item_type as CUR spells it: Usage, Tax, Credit, Refund, ...'),
		('principal', 'the IAM principal ARN as billed (line_item_iam_principal), NULL when the rows have none'),
		('principal_arn', 'the IAM principal ARN as billed, as text; NULL for unattributed and account-level rows'),
		('principal_type', 'user, role, root, assumed-role or federated-user'),
		('principal_account_id', 'the 12-digit account id in the principal ARN'),
		('role_arn', 'the IAM role the principal rolls up to (assumed-role session -> role); NULL for users'),
		('role_name', 'the role name of role_arn'),
		('person', 'person or session label: assumed-role session name (SSO user, e-mail, gateway user), IAM or federated user name; NULL for roles'),
		('principal_tags', 'the iamPrincipal/<key> tags (principal and session tags) of the rows, jsonb; {} when none'),
		('principal_tags_json', 'the iamPrincipal/<key> tags (principal and session tags) of the rows as JSON text; {} when none'),
		('tags', 'the CUR tags map of the rows (iamPrincipal/..., resourceTags/..., ...), jsonb'),
		('tags_json', 'the CUR tags map of the rows (iamPrincipal/..., resourceTags/..., ...) as JSON text'),
		('usage_type', 'line_item_usage_type'),
		('product_name_key', 'product_name, empty string when NULL (join key)'),
		('product_name', 'product_name from the product map (names the model of Marketplace rows)'),
		('payer_account_name', 'bill_payer_account_name: the payer account''s name as billed (the greatest if it changed within the period); NULL when the export has none'),
		('usage_account_name', 'line_item_usage_account_name: the usage account''s name as billed (the greatest if it changed within the period); NULL when the export has none'),
		('resource_id', 'line_item_resource_id: the inference profile ARN the calls named (application inference profile or system profile; exports with INCLUDE_RESOURCES); NULL for calls without one'),
		('resource_type', 'the resource type of resource_id (bedrock_cost.resource_parts): application-inference-profile, inference-profile, ...'),
		('resource_name', 'the resource name of resource_id after its type: the application inference profile id, or the system profile name'),
		('tag_key', 'full tag key as in the CUR tags map, e.g. iamPrincipal/team, resourceTags/user:project, accountTag/department'),
		('tag_name', 'tag key without its source prefix (bedrock_cost.tag_name), e.g. team, user:project'),
		('tag_source', 'source of the tag key (bedrock_cost.tag_source): iamPrincipal (principal and session tags), resourceTags (resource tags user:* and aws:*), accountTag, userAttribute (IAM Identity Center), costCategory'),
		('tag_value', 'tag value; (untagged) for spend whose rows lack this key (IAM tag values cannot contain parentheses)'),
		('untagged', 'true for the (untagged) bucket of the key'),
		('model', 'model as billed, from the usage type (bedrock_cost.parse_usage_type); NULL when not recognised or not a model charge'),
		('model_key', 'canonical model key (bedrock_cost.model_key, through the editable bedrock_cost.model_aliases table): the same model billed under different names groups together'),
		('token_kind', 'input, output, cache_read, cache_write (token kinds), or image, search_unit, ... for other meters'),
		('tier', 'price tier: standard, batch, flex, priority, latency_optimized, provisioned, reserved'),
		('routing', 'in_region, cross_region_geo or cross_region_global'),
		('region', 'AWS region of the usage type prefix'),
		('recognized', 'false when the usage type grammar is unknown (kept and counted, with NULL model)'),
		('vendor', 'vendor of the model (bedrock_cost.model_vendor: anthropic, amazon, meta, mistral, openai, qwen, deepseek, ...; model_aliases.vendor overrides); aws for Bedrock features billed without a model (Guardrails, Data Automation, AgentCore); unknown when no rule knows the model'),
		('is_api_key', 'true when the principal is a long-term Bedrock API key (an IAM user named BedrockAPIKey-...; bedrock_cost.is_bedrock_api_key); person is then the key''s user name'),
		('scope', 'principal: one row per principal (and tag set; NULL principal for unattributed usage); tag: one row per value of a tags-map key (iamPrincipal/, resourceTags/, accountTag/, ...), with the (untagged) bucket'),
		('output_input_ratio', 'output tokens per prompt token (input + cache read + cache write), rounded to 4 decimals; NULL without prompt tokens'),
		('cache_hit_ratio', 'cache read tokens over input + cache read tokens, rounded to 4 decimals; NULL when both are 0'),
		('dominant_model', 'the canonical model (model_key) with the largest cost; NULL when the usage has no model'),
		('dominant_model_share', 'the dominant model''s share of cost, rounded to 4 decimals'),
		('workload', 'generation-heavy when output tokens >= prompt tokens (input + cache read + cache write), document-heavy when output tokens * 5 <= prompt tokens, balanced in between; NULL without tokens'),
		('input_cost', 'cost of input tokens (cost basis)'),
		('output_cost', 'cost of output tokens (cost basis)'),
		('cache_read_cost', 'cost of prompt-cache read tokens (cost basis)'),
		('cache_write_cost', 'cost of prompt-cache write tokens (cost basis)'),
		('baseline_cost', 'the median cost of the 14 days before (days without usage count as 0)'),
		('cost_ratio', 'cost / baseline_cost, 4 decimals; NULL when the baseline is 0'),
		('baseline_tokens', 'the median tokens of the 14 days before (days without usage count as 0)'),
		('tokens_ratio', 'tokens / baseline_tokens, 4 decimals; NULL when the baseline is 0'),
		('spike_on', 'what spiked: cost, tokens, or cost,tokens'),
		('factor', 'the spike factor k in force when the row was computed (spike_settings)'),
		('min_cost', 'the least cost of a spike in cost, USD, in force when the row was computed'),
		('min_tokens', 'the least tokens of a spike in tokens, in force when the row was computed'),
		('tags_text', 'the principal''s iamPrincipal tags as text, key=value, sorted by key, without the prefix (cost-center=12345, team=search)'),
		('share_of_team', 'this model''s share of the tag value''s cost (cost over the sum of cost of the same period, export, tag key and value), rounded to 6 decimals; NULL when that sum is 0'),
		('cost', 'chargeback cost in USD, exact, in the basis named by cost_basis'),
		('cost_basis', 'what cost sums: unblended (line_item_unblended_cost) or net_unblended (line_item_net_unblended_cost where present, else unblended); set in bedrock_cost.chargeback_settings'),
		('unblended_cost', 'sum of line_item_unblended_cost, USD, exact'),
		('net_unblended_cost', 'sum of line_item_net_unblended_cost where the row has it, else of the unblended cost, USD, exact'),
		('net_rows', 'rows that carried a net unblended cost'),
		('input_tokens', 'input tokens'),
		('output_tokens', 'output tokens'),
		('cache_read_tokens', 'prompt-cache read input tokens'),
		('cache_write_tokens', 'prompt-cache write input tokens'),
		('total_tokens', 'input + output + cache read + cache write tokens (tokens of other meters, e.g. customization training, are not counted here; see usage_by_model)'),
		('tokens', 'token count of this token kind (usage amount scaled by the pricing unit, also for non-inference meters priced in tokens such as customization training; 0 for meters not priced in tokens)'),
		('usage_amount', 'sum of line_item_usage_amount in the pricing unit'),
		('cost_per_million_tokens', 'cost per 1,000,000 tokens, rounded to 6 decimals; NULL without tokens'),
		('principals', 'distinct IAM principals'),
		('line_items', 'CUR line items summed'),
		('usage_cost', 'the line''s own usage cost (cost basis): a principal''s or the unattributed usage; for account_level_unallocated the pool'),
		('allocated_cost', 'its share of the account-level pool, to the cent (largest remainder, pro rata to usage_cost over all the account''s usage); for account_level_rounding the sub-cent residue'),
		('allocation_basis', 'how the account-level rows were allocated')
	) AS v(col, doc)
	LOOP
		FOREACH rel IN ARRAY ARRAY['chargeback_base', 'chargeback_usage_types', 'chargeback_by_principal', 'chargeback_by_tag',
								   'usage_by_model', 'chargeback_by_resource', 'bi_chargeback_by_resource',
								   'team_model_mix', 'usage_profile', 'chargeback_daily',
								   'spikes', 'chargeback_allocated', 'daily_by_tag', 'bi_chargeback_by_principal',
								   'bi_principal_tags', 'bi_daily_by_tag',
								   'bi_chargeback_by_tag', 'bi_usage_by_model', 'bi_team_model_mix',
								   'bi_usage_profile', 'bi_spikes', 'bi_daily',
								   'bi_chargeback_allocated']
		LOOP
			IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
						WHERE attrelid = ('bedrock_cost.' || rel)::pg_catalog.regclass
						  AND attname = d.col AND NOT attisdropped) THEN
				EXECUTE format('COMMENT ON COLUMN bedrock_cost.%I.%I IS %L', rel, d.col,
							   d.doc || CASE WHEN rel LIKE 'bi\_%' THEN coalesce(bi_type ->> d.col, '') ELSE '' END);
			END IF;
		END LOOP;
	END LOOP;
END
$do$;

-- ------------------------------------------------------------------------
-- the FOCUS columns: one description each, on focus_bedrock and bi_focus_bedrock

DO $do$
DECLARE
	d record;
	rel text;
BEGIN
	FOR d IN SELECT * FROM (VALUES
		('BilledCost', 'line_item_unblended_cost: the cost invoiced, USD (FOCUS BilledCost)'),
		('EffectiveCost', 'line_item_net_unblended_cost where the row has it (discounts applied), else the unblended cost'),
		('ListCost', 'pricing_public_on_demand_cost: the cost at public on-demand prices; NULL when the export lacks it'),
		('ContractedCost', 'the cost at the negotiated price: net unblended cost where present (private pricing and EDP discounts applied), else unblended; Bedrock has no commitment discounts to exclude'),
		('BillingCurrency', 'line_item_currency_code (USD when the file lacks the column)'),
		('PricingCurrency', 'the currency prices are given in: line_item_currency_code (USD when the file lacks it)'),
		('BillingAccountId', 'bill_payer_account_id'),
		('BillingAccountName', 'bill_payer_account_name; NULL when the export has none'),
		('BillingPeriodStart', 'first instant of the billing month, UTC (timestamptz)'),
		('BillingPeriodEnd', 'first instant of the next month, UTC: the exclusive end (timestamptz)'),
		('InvoiceId', 'bill_invoice_id; NULL until the month is invoiced'),
		('ChargeCategory', 'Usage, Tax, Credit, Purchase or Adjustment, from line_item_line_item_type'),
		('ChargeClass', 'Correction for Refund rows (corrections of a billed charge), else NULL'),
		('ChargeFrequency', 'One-Time, Recurring or Usage-Based, from the line item type'),
		('ChargePeriodStart', 'line_item_usage_start_date'),
		('ChargePeriodEnd', 'line_item_usage_end_date (exclusive)'),
		('ChargeDescription', 'line_item_usage_type'),
		('ConsumedQuantity', 'tokens for token usage (usage amount scaled by the pricing unit), else the usage amount'),
		('ConsumedUnit', 'Tokens for token usage, else the pricing unit'),
		('PricingCategory', 'Standard (on-demand) for usage rows, NULL for the others'),
		('PricingQuantity', 'line_item_usage_amount in the pricing unit'),
		('PricingUnit', 'pricing_unit'),
		('InvoiceIssuerName', 'Amazon Web Services, or AWS Marketplace for Marketplace rows'),
		('ProviderName', 'Amazon Web Services'),
		('PublisherName', 'Amazon Web Services, or the Marketplace product for Marketplace rows'),
		('RegionId', 'the region of the usage type (bedrock_cost.parse_usage_type)'),
		('ResourceId', 'line_item_resource_id: the inference profile ARN; NULL without one'),
		('ResourceName', 'the name part of ResourceId (bedrock_cost.resource_parts)'),
		('ResourceType', 'the type part of ResourceId: application-inference-profile, inference-profile, ...'),
		('ServiceName', 'product_name (Amazon Bedrock, or the Marketplace model''s product)'),
		('ServiceCategory', 'AI and Machine Learning'),
		('ServiceSubcategory', 'Generative AI'),
		('SkuId', 'line_item_usage_type'),
		('SkuMeter', 'the token kind of the usage type (input, output, cache_read, cache_write, ...), else the usage type'),
		('SubAccountId', 'line_item_usage_account_id'),
		('SubAccountName', 'line_item_usage_account_name; NULL when the export has none'),
		('Tags', 'the CUR tags map (iamPrincipal/, resourceTags/, accountTag/, ...)'),
		('x_IamPrincipal', 'line_item_iam_principal: the IAM principal that made the call; NULL when none'),
		('x_LineItemType', 'line_item_line_item_type'),
		('x_UsageType', 'line_item_usage_type'),
		('x_Operation', 'line_item_operation'),
		('x_ServiceCode', 'line_item_product_code'),
		('x_Model', 'the model of the usage type (bedrock_cost.parse_usage_type)'),
		('x_Tier', 'the price tier of the usage type'),
		('x_Routing', 'in_region, cross_region_geo or cross_region_global'),
		('x_BillingPeriod', 'first day of the billing month (date): filter on it to read one month'),
		('x_ExportId', 'the export (bedrock_cost.exports) the row came from'),
		('x_ExportName', 'name the export folder is registered under (add_export); NULL when it is loaded by hand'),
		('x_Export', 'absolute path of the export folder the row came from'),
		('x_LoadId', 'the delivery (bedrock_cost.loads) that loaded the row'),
		('x_FileNo', 'the file of the delivery (bedrock_cost.load_files.file_no)'),
		('x_LineNumber', 'physical line of the row in the decompressed file')
	) AS v(col, doc)
	LOOP
		FOREACH rel IN ARRAY ARRAY['focus_bedrock', 'bi_focus_bedrock']
		LOOP
			EXECUTE format('COMMENT ON COLUMN bedrock_cost.%I.%I IS %L', rel, d.col,
						   d.doc || CASE WHEN rel = 'bi_focus_bedrock'
											  AND d.col IN ('BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost',
															'ConsumedQuantity', 'PricingQuantity')
										 THEN '; numeric(38,16)' ELSE '' END);
		END LOOP;
	END LOOP;
END
$do$;
