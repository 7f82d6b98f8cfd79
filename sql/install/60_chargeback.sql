/*
 * 60_chargeback.sql: chargeback tables maintained per billing period,
 * allocation of account-level rows, reconciliation, as-of chargeback and the
 * refresh entry point called by the loader and the background worker.
 *
 * The chargeback reads bedrock_cost.usage_summary and usage_period
 * (40_loader.sql), the per-delivery sums the loader stores and swaps in with
 * each delivery's line items (per usage day, and the same over the period),
 * never line_items itself.  Every chargeback relation is per billing
 * period (billing_period is part of its grain), so it is a plain table
 * maintained per period rather than a materialized view: a materialized view
 * can only be recomputed whole, and a refresh would then cost in proportion
 * to the whole history.  refresh_chargeback() recomputes only the periods
 * whose current deliveries changed since the last refresh (chargeback_state):
 * it deletes their rows and inserts them again (_<table>_insert(periods)),
 * in the caller's transaction, so readers keep the old rows until commit and
 * are never blocked (what REFRESH ... CONCURRENTLY gave, without the whole
 * recomputation).  A change of an export's name or path recomputes its
 * periods; a change of the cost basis, of the model aliases or of the
 * extension version recomputes every period.
 *
 * Layers (each table unique on its grain: a unique index, or for
 * chargeback_base and chargeback_daily, which project the period and
 * model-day summaries row for row, the unique index of each delivery's
 * summary), computed in this order by refresh_chargeback():
 *   chargeback_base          the period summary per period, export, accounts,
 *                            line item type, principal, principal tags and
 *                            usage type (small: no per-line detail)
 *   chargeback_usage_types   the usage types of chargeback_base, parsed once
 *                            (not per period: kept exact at every refresh)
 *   chargeback_by_principal  per principal (plus unattributed and
 *                            account-level lines), from chargeback_base
 *   chargeback_by_tag        per tags-map key (iamPrincipal/, resourceTags/,
 *                            accountTag/, ...) and value, with an
 *                            explicit (untagged) bucket per key
 *   usage_by_model           per model, token kind, tier, routing, region
 *   chargeback_by_resource   per usage account, resource (inference profile)
 *                            and model
 *   team_model_mix           per tags-map key and value, vendor and model,
 *                            with the model's share of the team's cost
 *   usage_profile            per principal and per tag value: token mix,
 *                            ratios, dominant model, workload label
 *   chargeback_daily         per usage day, principal and model, cost and
 *                            tokens per token kind (a projection of
 *                            usage_daily, the summary at its grain)
 *   spikes                   principal x model x token kind x day far above
 *                            the median of its 14 days before
 *   chargeback_allocated     account-level rows spread pro rata over all
 *                            the usage of the account (attributed and
 *                            unattributed), largest remainder to the cent
 * Plain views: reconciliation (the loader's, extended) and the FOCUS
 * 1.2-shaped focus_bedrock.
 *
 * Every view but chargeback_base's internal companion carries export_id,
 * export_name and export (the path), so the same bill loaded from two
 * export folders shows as two exports instead of silently adding up.
 *
 * Every query is written once, as a template over a row source
 * (_chargeback_table): the table and its _insert(periods) function come from
 * it, and the queries of chargeback_base and chargeback_by_principal also
 * give the as-of functions, over usage_summary_as_of(load_id), which report
 * in the cost basis recorded on that load.
 *
 * IDENTIFICATION
 *		sql/install/60_chargeback.sql
 */

-- which line item types are usage (charged to the caller); the rest is
-- account-level.  Not STRICT (NULL gives NULL all the same): a STRICT SQL
-- function whose body has an IN list is not inlined, and the refresh called
-- it once per chargeback_base row in four tables
CREATE FUNCTION bedrock_cost.is_usage_line_item_type(line_item_type text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT $1 IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') $$;
COMMENT ON FUNCTION bedrock_cost.is_usage_line_item_type(text) IS
  'true for the line item types that are usage and chargeable to the caller (Usage, DiscountedUsage, SavingsPlanCoveredUsage); Tax, Credit, Refund, discounts, fees are account-level';

-- attributed / unattributed / account_level of a row
CREATE FUNCTION bedrock_cost.attribution(principal_arn text, line_item_type text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN $1 IS NOT NULL THEN 'attributed'
				WHEN bedrock_cost.is_usage_line_item_type($2) THEN 'unattributed'
				ELSE 'account_level' END
$$;
COMMENT ON FUNCTION bedrock_cost.attribution(text, text) IS
  'attributed (the row names an IAM principal), unattributed (usage without a principal) or account_level (Tax, Credit, Refund, discounts, fees without a principal)';

-- the iamPrincipal/<key> entries of a tags map
CREATE FUNCTION bedrock_cost.principal_tags(tags jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT coalesce(pg_catalog.jsonb_object_agg(t.key, t.value), '{}'::jsonb)
	  FROM pg_catalog.jsonb_each($1) AS t
	 WHERE t.key LIKE 'iamPrincipal/%'
$$;
COMMENT ON FUNCTION bedrock_cost.principal_tags(jsonb) IS
  'the iamPrincipal/<key> entries (IAM principal and session tags) of a CUR 2.0 tags map, as a jsonb object ({} when none)';

-- the source and the name of a tags-map key: iamPrincipal/team -> iamPrincipal, team
CREATE FUNCTION bedrock_cost.tag_source(tag_key text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT CASE WHEN pg_catalog.strpos($1, '/') > 0 THEN pg_catalog.split_part($1, '/', 1) ELSE '' END
$$;
COMMENT ON FUNCTION bedrock_cost.tag_source(text) IS
  'the source prefix of a CUR 2.0 tags-map key, before its first /: iamPrincipal, resourceTags, accountTag, userAttribute or costCategory (empty for a key without a prefix)';

CREATE FUNCTION bedrock_cost.tag_name(tag_key text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT pg_catalog.substr($1, pg_catalog.strpos($1, '/') + 1)
$$;
COMMENT ON FUNCTION bedrock_cost.tag_name(text) IS
  'a CUR 2.0 tags-map key without its source prefix: iamPrincipal/team -> team, resourceTags/user:project -> user:project, accountTag/department -> department';

-- one team per line item when several sources name it: the documented precedence
CREATE FUNCTION bedrock_cost.tag_value(tags jsonb, name text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT coalesce($1 ->> ('iamPrincipal/' || $2),
					$1 ->> ('resourceTags/user:' || $2),
					$1 ->> ('resourceTags/' || $2),
					$1 ->> ('accountTag/' || $2),
					$1 ->> ('userAttribute/' || $2),
					$1 ->> ('costCategory/' || $2))
$$;
COMMENT ON FUNCTION bedrock_cost.tag_value(jsonb, text) IS
  'the value a tags map gives the tag name, when several sources name it: the principal (or session) tag iamPrincipal/<name> wins, then the resource tag resourceTags/user:<name> (or resourceTags/<name>), then the account tag accountTag/<name>, the Identity Center attribute userAttribute/<name>, the cost category costCategory/<name>; NULL when none. The chargeback views never merge sources: each full key is its own dimension';

-- ------------------------------------------------------------------------
-- the chargeback tables: each is defined once, by a query over a row source
-- (%1$s), and gets two things from it: the table (its columns and types from
-- the query over the whole source) and _<table>_insert(periods), which
-- inserts into the table the same query over the rows of those billing
-- periods only (refresh_chargeback() calls it after deleting the periods' old
-- rows).  The insert is in the function, not around it: a function with
-- settings is not inlined, and INSERT ... SELECT FROM it stored its rows in
-- a tuplestore before inserting them (a tenth of chargeback_daily's refresh).
-- conflict: what follows the query (an ON CONFLICT clause).  Install-time
-- only.

CREATE FUNCTION bedrock_cost._chargeback_table(rel text, source text, q text, settings text DEFAULT '',
											   conflict text DEFAULT '')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fn text := '_' || rel || '_insert';
	only_periods text := 'src.billing_period = ANY ($1)';
BEGIN
	IF (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = source::regclass) = 'p' THEN
		-- a partitioned source is read in its periods' partitions only:
		-- PostgreSQL prunes no partition for = ANY of an array parameter,
		-- but does for bounds computed once (at 12 months held, reading the
		-- 11 others was a tenth of a period's refresh)
		only_periods := only_periods
			|| ' AND src.billing_period >= (SELECT pg_catalog.min(x.p) FROM pg_catalog.unnest($1) AS x(p))'
			|| ' AND src.billing_period <= (SELECT pg_catalog.max(x.p) FROM pg_catalog.unnest($1) AS x(p))';
	END IF;
	EXECUTE format('CREATE TABLE bedrock_cost.%I AS %s WITH NO DATA', rel, format(q, source));
	EXECUTE format('CREATE FUNCTION bedrock_cost.%I(periods date[]) RETURNS void '
				   'LANGUAGE sql SET search_path = pg_catalog, pg_temp %s AS %L',
				   fn, settings,
				   format('INSERT INTO bedrock_cost.%I %s%s', rel,
						  format(q, format('(SELECT * FROM %s AS src WHERE %s)', source, only_periods)),
						  conflict));
	EXECUTE format('COMMENT ON FUNCTION bedrock_cost.%I(date[]) IS %L', fn,
				   'internal: inserts the rows of bedrock_cost.' || rel || ' for the given billing periods, computed from '
				   || source || ' (bedrock_cost.refresh_chargeback)');
	EXECUTE format('REVOKE ALL ON FUNCTION bedrock_cost.%I(date[]) FROM PUBLIC', fn);
END
$$;

-- ------------------------------------------------------------------------
-- base and per-principal: one template each, for the tables and the as-of functions

DO $do$
DECLARE
	-- the grain of chargeback_base, as columns of li
	base_keys text := 'li.billing_period, li.export_id, li.payer_account_id, li.usage_account_id, '
		'li.line_item_type, li.principal, li.tags, li.usage_type, li.product_name, li.resource_id, '
		'li.payer_account_name, li.usage_account_name';
	-- per_line of base_q: the rows of %1$s (a row source with the columns of
	-- usage_period) summed per key, for usage_summary's rows (one per day);
	-- usage_period has one row per key already (one delivery per period and
	-- export, and the unique index on chargeback_base would refuse a second),
	-- so the table reads it as it is: summing it again cost a quarter of the
	-- table's refresh
	per_line_summed text := 'SELECT ' || base_keys || ', sum(li.line_items)::bigint AS line_items, '
		'sum(li.unblended_cost) AS unblended_cost, sum(li.net_unblended_cost) AS net_unblended_cost, '
		'sum(li.net_rows)::bigint AS net_rows, sum(li.tokens) AS tokens, sum(li.usage_amount) AS usage_amount '
		'FROM %1$s AS li GROUP BY ' || base_keys;
	per_line_as_is text := 'SELECT ' || base_keys || ', li.line_items, li.unblended_cost, '
		'li.net_unblended_cost, li.net_rows, li.tokens, li.usage_amount FROM %1$s AS li';
	-- %s: per_line
	base_q text := $q$
	WITH per_line AS (
		%s
	), tag_map AS MATERIALIZED (
		-- the principal tags of each distinct tags map, computed once; they
		-- are a function of the map, so joining them adds no group
		SELECT t.tags, bedrock_cost.principal_tags(t.tags) AS principal_tags
		  FROM (SELECT DISTINCT tags FROM per_line) AS t
	)
	SELECT p.billing_period, p.export_id, p.payer_account_id, p.usage_account_id,
		   p.line_item_type, p.principal::text AS principal_arn,
		   m.principal_tags, p.tags, p.usage_type, p.product_name,
		   p.resource_id, p.payer_account_name, p.usage_account_name,
		   p.line_items, p.unblended_cost, p.net_unblended_cost, p.net_rows, p.tokens, p.usage_amount
	  FROM per_line p
	  JOIN tag_map m ON m.tags = p.tags
	$q$;
	-- %1$s: row source with the columns of chargeback_base; %2$s: join giving u,
	-- the parts of b.usage_type; %3$s: relation giving the cost_basis to report in;
	-- %4$s: the ORDER BY of the as-of function (the table's rows need none: an
	-- ORDER BY made the planner aggregate by sorting)
	principal_q text := $q$
	WITH g AS (
		SELECT b.billing_period, b.export_id, b.payer_account_id, b.usage_account_id, b.line_item_type,
			   b.principal_arn, b.principal_tags,
			   -- an account's name as billed (the greatest, if it was renamed within the period)
			   max(b.payer_account_name) AS payer_account_name,
			   max(b.usage_account_name) AS usage_account_name,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind IN ('input', 'output', 'cache_read', 'cache_write')) AS total_tokens,
			   sum(b.line_items)::bigint AS line_items
		  FROM %1$s AS b
		  %2$s
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
		   coalesce(bedrock_cost.is_bedrock_api_key(g.principal_arn::bedrock_cost.iam_arn), false) AS is_api_key,
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
	 CROSS JOIN %3$s AS s
	 %4$s
	$q$;
BEGIN
	-- the summary rows of a delivery swapped in by the same transaction have
	-- no statistics yet, and the planner then sorts them on twelve keys in
	-- parallel workers, twice as slow as hashing (the as-of functions' sums,
	-- the distinct tags maps), and reads them through the grain index,
	-- taking the period's filter for a few rows of the partition: it reads
	-- every row of its partitions, which a sequential scan does faster
	PERFORM bedrock_cost._chargeback_table('chargeback_base', 'bedrock_cost.usage_period',
										   format(base_q, per_line_as_is),
										   'SET enable_sort = off SET enable_indexscan = off SET enable_bitmapscan = off');
	EXECUTE 'CREATE FUNCTION bedrock_cost.chargeback_base_as_of(load_id bigint) '
		|| 'RETURNS SETOF bedrock_cost.chargeback_base LANGUAGE sql STABLE AS $f$'
		|| format(format(base_q, per_line_summed), 'bedrock_cost.usage_summary_as_of($1)') || '$f$';
	-- the usage types of chargeback_base, each parsed once
	PERFORM bedrock_cost._chargeback_table('chargeback_usage_types', 'bedrock_cost.chargeback_base', $v$
		SELECT t.usage_type, t.product_name, coalesce(t.product_name, '') AS product_name_key,
			   u.model, u.model_key, u.token_kind, u.tier, u.routing, u.region, u.recognized,
			   -- a model's vendor; Bedrock's own features bill no model (aws)
			   CASE WHEN u.model IS NOT NULL THEN coalesce(bedrock_cost.model_vendor(u.model), 'unknown')
					WHEN u.recognized THEN 'aws' ELSE 'unknown' END AS vendor
		  FROM (SELECT DISTINCT b.usage_type, b.product_name FROM %1$s AS b) AS t,
			   LATERAL bedrock_cost.parse_usage_type(t.usage_type, t.product_name) AS u
	$v$, conflict => ' ON CONFLICT (usage_type, product_name_key) DO NOTHING');
	-- %1$s stays a placeholder for _chargeback_table
	PERFORM bedrock_cost._chargeback_table('chargeback_by_principal', 'bedrock_cost.chargeback_base',
		format(principal_q, '%1$s',
			   'LEFT JOIN bedrock_cost.chargeback_usage_types AS u ON u.usage_type = b.usage_type '
			   'AND u.product_name_key = coalesce(b.product_name, '''')',
			   'bedrock_cost.chargeback_basis', ''),
		'SET enable_sort = off');
	EXECUTE 'CREATE FUNCTION bedrock_cost.chargeback_by_principal_as_of(load_id bigint) '
		|| 'RETURNS SETOF bedrock_cost.chargeback_by_principal LANGUAGE sql STABLE AS $f$'
		|| format(principal_q, 'bedrock_cost.chargeback_base_as_of($1)',
				  'LEFT JOIN LATERAL bedrock_cost.parse_usage_type(b.usage_type, b.product_name) AS u ON true',
				  -- the basis recorded on that load (the current one for an unknown load id)
				  '(SELECT coalesce((SELECT l.cost_basis FROM bedrock_cost.loads AS l WHERE l.load_id = $1), '
				  'c.cost_basis) AS cost_basis FROM bedrock_cost.chargeback_basis AS c)',
				  'ORDER BY g.billing_period')
		|| '$f$';
END
$do$;

-- chargeback_base projects the period summaries row for row, and each
-- delivery's period summary has a unique index on this grain, built by a
-- sort before its swap (_index_summaries): the same index here cost more
-- than a third of a period's refresh (an insert per row into 600-byte keys)
CREATE INDEX chargeback_base_period ON bedrock_cost.chargeback_base (billing_period, export_id);
COMMENT ON INDEX bedrock_cost.chargeback_base_period IS
  'serves the refresh''s delete of a period and the reads of one; the grain is unique in the period summaries chargeback_base projects (usage_period_l<load_id>_grain)';
CREATE INDEX chargeback_base_usage_type ON bedrock_cost.chargeback_base
	(usage_type, (coalesce(product_name, '')));
COMMENT ON INDEX bedrock_cost.chargeback_base_usage_type IS
  'finds the usage types no period uses any more (refresh_chargeback keeps chargeback_usage_types exact)';

CREATE UNIQUE INDEX chargeback_usage_types_key ON bedrock_cost.chargeback_usage_types
	(usage_type, product_name_key);
COMMENT ON INDEX bedrock_cost.chargeback_usage_types_key IS
  'one row per usage type and product name';
COMMENT ON TABLE bedrock_cost.chargeback_usage_types IS
  'every usage type (and product name, which names the model of Marketplace rows) of chargeback_base with its parts from bedrock_cost.parse_usage_type and the vendor of its model, parsed once per refresh';

CREATE UNIQUE INDEX chargeback_by_principal_key ON bedrock_cost.chargeback_by_principal
	(billing_period, export_id, payer_account_id, usage_account_id, line_item_type, principal_arn, principal_tags);
COMMENT ON INDEX bedrock_cost.chargeback_by_principal_key IS
  'the grain of chargeback_by_principal; serves filters on billing_period';
CREATE INDEX chargeback_by_principal_role ON bedrock_cost.chargeback_by_principal
	(billing_period, role_arn);
COMMENT ON INDEX bedrock_cost.chargeback_by_principal_role IS
  'per-role rollups of one billing period';

COMMENT ON TABLE bedrock_cost.chargeback_base IS
  'line items (their period summary, bedrock_cost.usage_period) summed per billing period, export, payer and usage account, line item type, principal, tags map (and its principal tags), usage type, resource id (inference profile) and account names: the small source of the other chargeback views; refreshed by bedrock_cost.refresh_chargeback()';
COMMENT ON TABLE bedrock_cost.chargeback_by_principal IS
  'chargeback per billing period, export, payer and usage account, line item type and IAM principal (as billed, with its type, role rollup and person/session label and principal tags). Usage without a principal is its own line (attribution unattributed, principal NULL); Tax, Credit, Refund, discounts and fees are their own lines (attribution account_level). cost is in the basis named by cost_basis. The same bill loaded from two exports appears once per export';
COMMENT ON FUNCTION bedrock_cost.chargeback_base_as_of(bigint) IS
  'chargeback_base computed over usage_summary_as_of(load_id): the data as it stood right after that load';
COMMENT ON FUNCTION bedrock_cost.chargeback_by_principal_as_of(bigint) IS
  'chargeback_by_principal as it stood right after load load_id (bedrock_cost.loads): for each export and period the newest successful delivery with a load_id <= load_id, superseded deliveries read from usage_summary_history; cost in the basis in force at that load (loads.cost_basis). A WARNING names the deliveries bedrock_cost.history_retention dropped (their periods are missing)';

-- ------------------------------------------------------------------------
-- per tag: every key of the tags map seen in a period is a dimension

SELECT bedrock_cost._chargeback_table('chargeback_by_tag', 'bedrock_cost.chargeback_base', $q$
	WITH pre AS (
		-- summed per tags map first: the key expansion below multiplies rows
		SELECT b.billing_period, b.export_id, b.tags, b.principal_arn,
			   bedrock_cost.attribution(b.principal_arn, b.line_item_type) AS attribution,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(b.line_items) AS line_items
		  FROM %1$s AS b
		  LEFT JOIN bedrock_cost.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 GROUP BY 1, 2, 3, 4, 5
	), keys AS (
		SELECT DISTINCT p.billing_period, k.key AS tag_key
		  FROM pre AS p, LATERAL pg_catalog.jsonb_object_keys(p.tags) AS k(key)
	), g AS (
		SELECT p.billing_period, p.export_id, k.tag_key,
			   coalesce(p.tags ->> k.tag_key, '(untagged)') AS tag_value,
			   NOT (p.tags ? k.tag_key) AS untagged,
			   p.attribution,
			   sum(p.unblended_cost) AS unblended_cost,
			   sum(p.net_unblended_cost) AS net_unblended_cost,
			   sum(p.input_tokens) AS input_tokens,
			   sum(p.output_tokens) AS output_tokens,
			   sum(p.cache_read_tokens) AS cache_read_tokens,
			   sum(p.cache_write_tokens) AS cache_write_tokens,
			   count(DISTINCT p.principal_arn) AS principals,
			   sum(p.line_items)::bigint AS line_items
		  FROM pre AS p
		  JOIN keys AS k USING (billing_period)
		 GROUP BY 1, 2, 3, 4, 5, 6
	)
	SELECT g.billing_period, g.export_id, e.export_name, e.path AS export, g.tag_key,
		   bedrock_cost.tag_name(g.tag_key) AS tag_name, bedrock_cost.tag_source(g.tag_key) AS tag_source,
		   g.tag_value, g.untagged, g.attribution,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
				ELSE g.unblended_cost END AS cost,
		   s.cost_basis, g.unblended_cost, g.net_unblended_cost,
		   coalesce(g.input_tokens, 0) AS input_tokens,
		   coalesce(g.output_tokens, 0) AS output_tokens,
		   coalesce(g.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(g.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(g.input_tokens, 0) + coalesce(g.output_tokens, 0)
			+ coalesce(g.cache_read_tokens, 0) + coalesce(g.cache_write_tokens, 0) AS total_tokens,
		   g.principals, g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s
$q$);
CREATE UNIQUE INDEX chargeback_by_tag_key ON bedrock_cost.chargeback_by_tag
	(billing_period, tag_key, tag_value, export_id, attribution);
COMMENT ON INDEX bedrock_cost.chargeback_by_tag_key IS
  'the grain of chargeback_by_tag; serves filters on billing_period and tag_key';
COMMENT ON TABLE bedrock_cost.chargeback_by_tag IS
  'chargeback per billing period, cost-allocation tag and value and export, with no configuration: every key of the CUR tags map seen in the period (in any export) is a dimension, with its source prefix (tag_source: iamPrincipal for principal and session tags, resourceTags for resource tags user:* and aws:*, accountTag, userAttribute, costCategory); no source overrides another (bedrock_cost.tag_value gives the precedence when one value is wanted). Spend of rows without that key (untagged principals, unattributed usage, account-level rows) is the explicit bucket tag_value (untagged), split by attribution, so for every key the values add up to the whole period';

-- ------------------------------------------------------------------------
-- per model

SELECT bedrock_cost._chargeback_table('usage_by_model', 'bedrock_cost.chargeback_base', $q$
	WITH per_principal AS (
		-- per principal first, then counted: a count(DISTINCT) sorts every row
		SELECT b.billing_period, b.export_id, u.model, u.token_kind, u.tier, u.routing, u.region,
			   b.principal_arn,
			   min(u.model_key) AS model_key, min(u.vendor) AS vendor,
			   bool_and(coalesce(u.recognized, false)) AS recognized,
			   sum(b.tokens) AS tokens,
			   sum(b.usage_amount) AS usage_amount,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.line_items) AS line_items
		  FROM %1$s AS b
		  LEFT JOIN bedrock_cost.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
	), g AS (
		SELECT p.billing_period, p.export_id, p.model, p.token_kind, p.tier, p.routing, p.region,
			   min(p.model_key) AS model_key, min(p.vendor) AS vendor,
			   bool_and(p.recognized) AS recognized,
			   sum(p.tokens) AS tokens,
			   sum(p.usage_amount) AS usage_amount,
			   sum(p.unblended_cost) AS unblended_cost,
			   sum(p.net_unblended_cost) AS net_unblended_cost,
			   count(p.principal_arn) AS principals,
			   sum(p.line_items)::bigint AS line_items
		  FROM per_principal AS p
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
	 CROSS JOIN bedrock_cost.chargeback_basis AS s
$q$, 'SET enable_sort = off');
CREATE UNIQUE INDEX usage_by_model_key ON bedrock_cost.usage_by_model
	(billing_period, model, token_kind, tier, routing, region, export_id);
COMMENT ON INDEX bedrock_cost.usage_by_model_key IS
  'the grain of usage_by_model; serves filters on billing_period and model';
COMMENT ON TABLE bedrock_cost.usage_by_model IS
  'Bedrock usage (line item types Usage, DiscountedUsage, SavingsPlanCoveredUsage, attributed or not) per billing period, export, model, token kind, tier, routing and region, from bedrock_cost.parse_usage_type; model, token_kind... are NULL for usage types the parser does not recognise (recognized = false), never dropped';

-- ------------------------------------------------------------------------
-- per resource: application inference profiles (line_item_resource_id)

-- the resource type and name of an ARN: arn:P:bedrock:R:A:application-inference-profile/x
CREATE FUNCTION bedrock_cost.resource_parts(resource_id text, OUT resource_type text, OUT resource_name text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT m[1], m[2]
	  FROM (SELECT pg_catalog.regexp_match($1, '^arn:[^:]+:[^:]*:[^:]*:[^:]*:([^/:]+)[/:](.*)$') AS m) AS x
$$;
COMMENT ON FUNCTION bedrock_cost.resource_parts(text) IS
  'the resource type and name of a resource ARN (the part after the account, split at its first / or :): application-inference-profile and its id, inference-profile and the profile name, provisioned-model and its id, ...; both NULL when the id is not an ARN of that form';

SELECT bedrock_cost._chargeback_table('chargeback_by_resource', 'bedrock_cost.chargeback_base', $q$
	WITH per_principal AS (
		-- per principal first, then counted: a count(DISTINCT) sorts every row
		SELECT b.billing_period, b.export_id, b.usage_account_id, b.resource_id, u.vendor, u.model_key,
			   b.principal_arn,
			   max(b.usage_account_name) AS usage_account_name,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(b.line_items) AS line_items
		  FROM %1$s AS b
		  JOIN bedrock_cost.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	), g AS (
		SELECT p.billing_period, p.export_id, p.usage_account_id, p.resource_id, p.vendor, p.model_key,
			   max(p.usage_account_name) AS usage_account_name,
			   sum(p.unblended_cost) AS unblended_cost,
			   sum(p.net_unblended_cost) AS net_unblended_cost,
			   sum(p.input_tokens) AS input_tokens,
			   sum(p.output_tokens) AS output_tokens,
			   sum(p.cache_read_tokens) AS cache_read_tokens,
			   sum(p.cache_write_tokens) AS cache_write_tokens,
			   count(p.principal_arn) AS principals,
			   sum(p.line_items)::bigint AS line_items
		  FROM per_principal AS p
		 GROUP BY 1, 2, 3, 4, 5, 6
	)
	SELECT g.billing_period, g.export_id, e.export_name, e.path AS export,
		   g.usage_account_id, g.usage_account_name, g.resource_id, r.resource_type, r.resource_name,
		   g.vendor, g.model_key,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
				ELSE g.unblended_cost END AS cost,
		   s.cost_basis, g.unblended_cost, g.net_unblended_cost,
		   coalesce(g.input_tokens, 0) AS input_tokens,
		   coalesce(g.output_tokens, 0) AS output_tokens,
		   coalesce(g.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(g.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(g.input_tokens, 0) + coalesce(g.output_tokens, 0)
			+ coalesce(g.cache_read_tokens, 0) + coalesce(g.cache_write_tokens, 0) AS total_tokens,
		   g.principals, g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s
	  LEFT JOIN LATERAL bedrock_cost.resource_parts(g.resource_id) AS r ON true
$q$, 'SET enable_sort = off');
CREATE UNIQUE INDEX chargeback_by_resource_key ON bedrock_cost.chargeback_by_resource
	(billing_period, export_id, usage_account_id, resource_id, vendor, model_key);
COMMENT ON INDEX bedrock_cost.chargeback_by_resource_key IS
  'the grain of chargeback_by_resource; serves filters on billing_period';
COMMENT ON TABLE bedrock_cost.chargeback_by_resource IS
  'Bedrock usage (line item types Usage, DiscountedUsage, SavingsPlanCoveredUsage) per billing period, export, usage account, resource (line_item_resource_id: the application or system inference profile the calls named, from exports with INCLUDE_RESOURCES), vendor and canonical model: cost by application inference profile. resource_id NULL holds the usage without one (direct model calls, or an export without the column), so per period the rows add up to the Bedrock usage';

-- ------------------------------------------------------------------------
-- per team and model: which team drives which model

SELECT bedrock_cost._chargeback_table('team_model_mix', 'bedrock_cost.chargeback_base', $q$
	WITH pre AS (
		-- summed per tags map first: the key expansion below multiplies rows
		SELECT b.billing_period, b.export_id, b.tags, b.principal_arn, u.vendor, u.model_key,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(b.line_items) AS line_items
		  FROM %1$s AS b
		  JOIN bedrock_cost.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		 GROUP BY 1, 2, 3, 4, 5, 6
	), keys AS (
		-- every key of the period's tags maps, as chargeback_by_tag has them
		SELECT DISTINCT t.billing_period, t.tag_key
		  FROM bedrock_cost.chargeback_by_tag AS t
		 WHERE t.billing_period IN (SELECT p.billing_period FROM pre AS p)
	), g AS (
		SELECT p.billing_period, p.export_id, k.tag_key,
			   coalesce(p.tags ->> k.tag_key, '(untagged)') AS tag_value,
			   NOT (p.tags ? k.tag_key) AS untagged,
			   p.vendor, p.model_key,
			   sum(p.unblended_cost) AS unblended_cost,
			   sum(p.net_unblended_cost) AS net_unblended_cost,
			   sum(p.input_tokens) AS input_tokens,
			   sum(p.output_tokens) AS output_tokens,
			   sum(p.cache_read_tokens) AS cache_read_tokens,
			   sum(p.cache_write_tokens) AS cache_write_tokens,
			   count(DISTINCT p.principal_arn) AS principals,
			   sum(p.line_items)::bigint AS line_items
		  FROM pre AS p
		  JOIN keys AS k USING (billing_period)
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	), c AS (
		SELECT g.*, s.cost_basis,
			   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
					ELSE g.unblended_cost END AS cost
		  FROM g CROSS JOIN bedrock_cost.chargeback_basis AS s
	)
	SELECT c.billing_period, c.export_id, e.export_name, e.path AS export, c.tag_key,
		   bedrock_cost.tag_name(c.tag_key) AS tag_name, bedrock_cost.tag_source(c.tag_key) AS tag_source,
		   c.tag_value, c.untagged, c.vendor, c.model_key,
		   c.cost, c.cost_basis, c.unblended_cost, c.net_unblended_cost,
		   round(c.cost / nullif(sum(c.cost) OVER team, 0), 6) AS share_of_team,
		   coalesce(c.input_tokens, 0) AS input_tokens,
		   coalesce(c.output_tokens, 0) AS output_tokens,
		   coalesce(c.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(c.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(c.input_tokens, 0) + coalesce(c.output_tokens, 0)
			+ coalesce(c.cache_read_tokens, 0) + coalesce(c.cache_write_tokens, 0) AS total_tokens,
		   c.principals, c.line_items
	  FROM c JOIN bedrock_cost.exports AS e ON e.export_id = c.export_id
	WINDOW team AS (PARTITION BY c.billing_period, c.export_id, c.tag_key, c.tag_value)
$q$, 'SET enable_sort = off');	-- hashed: the statistics of chargeback_base know no row of a new period, and the planner sorted its rows on the tags maps (half the time)
CREATE UNIQUE INDEX team_model_mix_key ON bedrock_cost.team_model_mix
	(billing_period, tag_key, tag_value, export_id, vendor, model_key);
COMMENT ON INDEX bedrock_cost.team_model_mix_key IS
  'the grain of team_model_mix; serves filters on billing_period, tag_key and tag_value';
COMMENT ON TABLE bedrock_cost.team_model_mix IS
  'Bedrock usage (line item types Usage, DiscountedUsage, SavingsPlanCoveredUsage) per billing period, export, tag key (any key of the tags map: iamPrincipal/, resourceTags/, accountTag/, ...) and value, vendor and canonical model, with each model''s share of the team''s cost: which team drives Opus and which Sonnet. Every key seen in the period is a dimension; usage of rows without the key (untagged principals, unattributed usage) is the bucket tag_value (untagged), so for one key the values add up to the period''s Bedrock usage. Usage without a model (Guardrails, Data Automation, AgentCore) is vendor aws, model_key NULL';

-- ------------------------------------------------------------------------
-- usage profile: what kind of work a principal or a team does

SELECT bedrock_cost._chargeback_table('usage_profile', 'bedrock_cost.chargeback_base', $q$
	WITH u AS (
		-- summed per principal, tags map, model and token kind first: the
		-- key expansion below multiplies rows
		SELECT b.billing_period, b.export_id, b.principal_arn, b.principal_tags, b.tags,
			   t.model_key, t.token_kind,
			   sum(b.tokens) AS tokens, sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost, sum(b.line_items) AS line_items
		  FROM %1$s AS b
		  JOIN bedrock_cost.chargeback_usage_types AS t
			ON t.usage_type = b.usage_type AND t.product_name_key = coalesce(b.product_name, '')
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	), keys AS (
		SELECT DISTINCT u.billing_period, k.key AS tag_key
		  FROM u, LATERAL pg_catalog.jsonb_object_keys(u.tags) AS k(key)
	), subject AS (
		-- every usage row once per principal (NULL: unattributed) and once per tag key of its period
		SELECT u.billing_period, u.export_id, 'principal' AS scope, u.principal_arn, u.principal_tags,
			   NULL::text AS tag_key, NULL::text AS tag_value, NULL::boolean AS untagged,
			   u.model_key, u.token_kind, u.tokens, u.unblended_cost, u.net_unblended_cost, u.line_items
		  FROM u
		UNION ALL
		SELECT u.billing_period, u.export_id, 'tag', NULL, NULL, k.tag_key,
			   coalesce(u.tags ->> k.tag_key, '(untagged)'), NOT (u.tags ? k.tag_key),
			   u.model_key, u.token_kind, u.tokens, u.unblended_cost, u.net_unblended_cost, u.line_items
		  FROM u JOIN keys AS k USING (billing_period)
	), per_model AS (
		SELECT s.billing_period, s.export_id, s.scope, s.principal_arn, s.principal_tags,
			   s.tag_key, s.tag_value, s.untagged, s.model_key,
			   sum(s.tokens) FILTER (WHERE s.token_kind = 'input') AS input_tokens,
			   sum(s.tokens) FILTER (WHERE s.token_kind = 'output') AS output_tokens,
			   sum(s.tokens) FILTER (WHERE s.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(s.tokens) FILTER (WHERE s.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(s.unblended_cost) AS unblended_cost, sum(s.net_unblended_cost) AS net_unblended_cost,
			   sum(s.line_items) AS line_items
		  FROM subject AS s
		 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
	), ranked AS (
		SELECT m.*, c.cost_basis,
			   CASE c.cost_basis WHEN 'net_unblended' THEN m.net_unblended_cost ELSE m.unblended_cost END AS cost,
			   pg_catalog.row_number() OVER (
				   PARTITION BY m.billing_period, m.export_id, m.scope, m.principal_arn, m.principal_tags,
								m.tag_key, m.tag_value
				   ORDER BY m.model_key IS NULL,
							CASE c.cost_basis WHEN 'net_unblended' THEN m.net_unblended_cost ELSE m.unblended_cost END DESC,
							m.model_key) AS model_rank
		  FROM per_model AS m CROSS JOIN bedrock_cost.chargeback_basis AS c
	), g AS (
		SELECT r.billing_period, r.export_id, r.scope, r.principal_arn, r.principal_tags,
			   r.tag_key, r.tag_value, r.untagged, min(r.cost_basis) AS cost_basis,
			   sum(r.cost) AS cost, sum(r.unblended_cost) AS unblended_cost,
			   sum(r.net_unblended_cost) AS net_unblended_cost,
			   coalesce(sum(r.input_tokens), 0) AS input_tokens,
			   coalesce(sum(r.output_tokens), 0) AS output_tokens,
			   coalesce(sum(r.cache_read_tokens), 0) AS cache_read_tokens,
			   coalesce(sum(r.cache_write_tokens), 0) AS cache_write_tokens,
			   min(r.model_key) FILTER (WHERE r.model_rank = 1) AS dominant_model,
			   sum(r.cost) FILTER (WHERE r.model_rank = 1 AND r.model_key IS NOT NULL) AS dominant_cost,
			   sum(r.line_items)::bigint AS line_items
		  FROM ranked AS r
		 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
	), p AS (
		SELECT g.*,
			   g.input_tokens + g.output_tokens + g.cache_read_tokens + g.cache_write_tokens AS total_tokens,
			   g.input_tokens + g.cache_read_tokens + g.cache_write_tokens AS prompt_tokens
		  FROM g
	)
	SELECT p.billing_period, p.export_id, e.export_name, e.path AS export, p.scope,
		   p.principal_arn, bedrock_cost.person(p.principal_arn::bedrock_cost.iam_arn) AS person,
		   bedrock_cost.role_arn(p.principal_arn::bedrock_cost.iam_arn)::text AS role_arn, p.principal_tags,
		   p.tag_key, bedrock_cost.tag_name(p.tag_key) AS tag_name, bedrock_cost.tag_source(p.tag_key) AS tag_source, p.tag_value, p.untagged,
		   p.cost, p.cost_basis, p.unblended_cost, p.net_unblended_cost,
		   p.input_tokens, p.output_tokens, p.cache_read_tokens, p.cache_write_tokens, p.total_tokens,
		   round(p.output_tokens / nullif(p.prompt_tokens, 0), 4) AS output_input_ratio,
		   round(p.cache_read_tokens / nullif(p.input_tokens + p.cache_read_tokens, 0), 4) AS cache_hit_ratio,
		   round(p.cost * 1000000 / nullif(p.total_tokens, 0), 6) AS cost_per_million_tokens,
		   p.dominant_model,
		   round(p.dominant_cost / nullif(p.cost, 0), 4) AS dominant_model_share,
		   CASE WHEN p.prompt_tokens + p.output_tokens = 0 THEN NULL
				WHEN p.output_tokens >= p.prompt_tokens THEN 'generation-heavy'
				WHEN p.output_tokens * 5 <= p.prompt_tokens THEN 'document-heavy'
				ELSE 'balanced' END AS workload,
		   p.line_items
	  FROM p JOIN bedrock_cost.exports AS e ON e.export_id = p.export_id
$q$, 'SET enable_sort = off');	-- hashed: the statistics of chargeback_base know no row of a new period, and the planner sorted its rows on the tags maps (half the time)
CREATE UNIQUE INDEX usage_profile_key ON bedrock_cost.usage_profile
	(billing_period, scope, tag_key, tag_value, principal_arn, principal_tags, export_id);
COMMENT ON INDEX bedrock_cost.usage_profile_key IS
  'the grain of usage_profile; serves filters on billing_period, scope and tag_key';
COMMENT ON TABLE bedrock_cost.usage_profile IS
  'what kind of work each principal (scope principal, one row per principal and tag set; principal_arn NULL for unattributed usage) and each tag value of any key of the tags map (scope tag: iamPrincipal/, resourceTags/, accountTag/, ..., with the (untagged) bucket) does per billing period and export: tokens by kind, output per prompt token, cache hit ratio, cost per million tokens, the model it spends most on, and a workload label: generation-heavy when output tokens >= prompt tokens (input + cache read + cache write), document-heavy when output * 5 <= prompt tokens, balanced in between. Usage line item types only';

-- ------------------------------------------------------------------------
-- per day (spikes)

SELECT bedrock_cost._chargeback_table('chargeback_daily', 'bedrock_cost.usage_daily', $q$
	-- the model-day summary is at this table's grain already (usage_daily:
	-- the loader's rollup or _summarize_daily group its rows as this
	-- table's key does), so a period is a projection of its rows, with the
	-- cost basis applied and the principal's role and person
	SELECT li.billing_period, li.usage_date, li.export_id, e.export_name, e.path AS export,
		   li.payer_account_id, li.usage_account_id,
		   li.attribution, li.principal::text AS principal_arn,
		   bedrock_cost.role_arn(li.principal)::text AS role_arn,
		   bedrock_cost.person(li.principal) AS person,
		   li.tags, li.model,
		   CASE s.cost_basis WHEN 'net_unblended' THEN li.net_unblended_cost
				ELSE li.unblended_cost END AS cost,
		   s.cost_basis, li.unblended_cost, li.net_unblended_cost,
		   coalesce(li.input_tokens, 0) AS input_tokens,
		   coalesce(li.output_tokens, 0) AS output_tokens,
		   coalesce(li.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(li.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(li.input_tokens, 0) + coalesce(li.output_tokens, 0)
			+ coalesce(li.cache_read_tokens, 0) + coalesce(li.cache_write_tokens, 0) AS total_tokens,
		   coalesce(CASE s.cost_basis WHEN 'net_unblended' THEN li.input_net_unblended_cost
						 ELSE li.input_unblended_cost END, 0) AS input_cost,
		   coalesce(CASE s.cost_basis WHEN 'net_unblended' THEN li.output_net_unblended_cost
						 ELSE li.output_unblended_cost END, 0) AS output_cost,
		   coalesce(CASE s.cost_basis WHEN 'net_unblended' THEN li.cache_read_net_unblended_cost
						 ELSE li.cache_read_unblended_cost END, 0) AS cache_read_cost,
		   coalesce(CASE s.cost_basis WHEN 'net_unblended' THEN li.cache_write_net_unblended_cost
						 ELSE li.cache_write_unblended_cost END, 0) AS cache_write_cost,
		   li.line_items
	  FROM %1$s AS li
	  JOIN bedrock_cost.exports AS e ON e.export_id = li.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s
$q$, 'SET enable_indexscan = off SET enable_bitmapscan = off');	-- every row of the period's partitions, as chargeback_base
-- as chargeback_base: the grain is unique in the model-day summaries this
-- table projects row for row (_index_summaries)
CREATE INDEX chargeback_daily_period ON bedrock_cost.chargeback_daily (billing_period, usage_date);
COMMENT ON INDEX bedrock_cost.chargeback_daily_period IS
  'serves filters on billing_period and day, the refresh''s delete of a period and the spikes'' read of one; the grain is unique in the model-day summaries chargeback_daily projects (usage_daily_l<load_id>_grain)';
COMMENT ON TABLE bedrock_cost.chargeback_daily IS
  'daily chargeback per UTC usage day (of line_item_usage_start_date), export, accounts, principal (with the tags map of its rows) and model, for spotting spikes. Account-level rows and unattributed usage are their own lines';

-- ------------------------------------------------------------------------
-- spikes: a principal x model x token kind x day far above its recent days

-- the median of a day's 14 days before, days without usage counting as zero
CREATE FUNCTION bedrock_cost._median_of_days(vals numeric[], days integer)
RETURNS numeric
AS 'MODULE_PATHNAME', 'bc_sql_median_of_days'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost._median_of_days(numeric[], integer) IS
  'internal: the median of the values of the days of a window of days (days), the days missing from vals counting as 0 (a NULL value too); the mean of the two middle values for an even count; exact, trailing zeros trimmed; NULL for no day (src/ext/median_fns.c)';

CREATE TABLE bedrock_cost.spikes (
	billing_period	date NOT NULL,
	export_id		integer NOT NULL,
	export_name		text,
	export			text NOT NULL,
	usage_date		date NOT NULL,
	principal_arn	text,
	person			text,
	role_arn		text,
	principal_tags	jsonb,
	tags_text		text,
	model			text,
	token_kind		text NOT NULL,
	cost			numeric NOT NULL,
	baseline_cost	numeric NOT NULL,
	cost_ratio		numeric,
	tokens			numeric NOT NULL,
	baseline_tokens	numeric NOT NULL,
	tokens_ratio	numeric,
	spike_on		text NOT NULL,
	factor			numeric NOT NULL,
	min_cost		numeric NOT NULL,
	min_tokens		numeric NOT NULL,
	cost_basis		text NOT NULL
);
CREATE UNIQUE INDEX spikes_key ON bedrock_cost.spikes
	(billing_period, usage_date, export_id, principal_arn, model, token_kind);
COMMENT ON INDEX bedrock_cost.spikes_key IS 'the grain of spikes; serves filters on billing_period and day';
COMMENT ON TABLE bedrock_cost.spikes IS
  'days on which a principal (NULL: unattributed usage) spent on a model and token kind far more than usual: cost > factor x baseline_cost and cost >= min_cost (spike_on cost), or tokens > factor x baseline_tokens and tokens >= min_tokens (spike_on tokens); the baseline is the median of the 14 days before, days without usage counting as 0 (so a first day of use above the minimum is a spike). Thresholds from spike_settings; refreshed with the chargeback (a restated month also recomputes the next month''s spikes, whose baselines reach back into it)';

CREATE FUNCTION bedrock_cost._spike_days(days refcursor, periods date[], heads date[],
										 factor numeric, min_cost numeric, min_tokens numeric)
RETURNS TABLE (billing_period date, export_id integer, usage_date date, principal_arn text,
			   person text, role_arn text, model text, token_kind text, cost numeric,
			   baseline_cost numeric, tokens numeric, baseline_tokens numeric, spike_on text)
AS 'MODULE_PATHNAME', 'bc_sql_spike_days'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION bedrock_cost._spike_days(refcursor, date[], date[], numeric, numeric, numeric) IS
  'internal: reads the cursor days (chargeback_daily''s billing_period, export_id, usage_date, principal_arn, model, person, role_arn, then cost and tokens of input, output, cache_read and cache_write, then optionally whether the export''s month before the row''s is loaded; ordered by principal_arn, so that the rows of each principal are together) and returns the spikes of every day of the periods and of the first 14 days of the heads: per series (export, principal, model) and token kind, the day''s cost and tokens summed over its rows, the baseline the median of the kind''s 14 days before (days without it counting as 0, days of a month not loaded unknown: a day with fewer than 7 known days before is not judged), spike_on cost and/or tokens by the thresholds given (src/ext/spikes.c)';
REVOKE ALL ON FUNCTION bedrock_cost._spike_days(refcursor, date[], date[], numeric, numeric, numeric) FROM PUBLIC;

CREATE FUNCTION bedrock_cost._spikes_rows(periods date[], heads date[] DEFAULT '{}')
RETURNS SETOF bedrock_cost.spikes
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	days refcursor;
	-- what the days read: the periods, the first 14 days of the heads (their
	-- later days do not look back into a recomputed month), and the 14 days
	-- before each of those months
	scan_periods date[] := ARRAY(
		SELECT DISTINCT p FROM pg_catalog.unnest(periods || heads) AS x(m),
			   LATERAL (VALUES (x.m), ((x.m - interval '1 month')::date)) AS v(p));
BEGIN
	-- the scan's periods as a value: the plan reads their rows through the
	-- index on chargeback_daily's grain (billing_period first), not every
	-- month held.  Last, whether the export's month before the row's is
	-- loaded: the days of a month without a current delivery are unknown,
	-- not days without usage (_spike_days)
	OPEN days FOR
		SELECT d.billing_period, d.export_id, d.usage_date, d.principal_arn, d.model, d.person, d.role_arn,
			   d.input_cost, d.input_tokens, d.output_cost, d.output_tokens,
			   d.cache_read_cost, d.cache_read_tokens, d.cache_write_cost, d.cache_write_tokens,
			   prev.export_id IS NOT NULL AS prev_loaded
		  FROM bedrock_cost.chargeback_daily AS d
		  LEFT JOIN (SELECT DISTINCT l.export_id, l.billing_period FROM bedrock_cost.loads AS l
					  WHERE l.status = 'done') AS prev
			ON prev.export_id = d.export_id
		   AND prev.billing_period = (d.billing_period - interval '1 month')::date
		 WHERE d.billing_period = ANY (scan_periods)
		   AND d.attribution <> 'account_level'
		   AND (d.billing_period = ANY (periods)
				OR (d.billing_period = ANY (heads) AND d.usage_date < d.billing_period + 14)
				OR (d.usage_date >= (d.billing_period + interval '1 month')::date - 14
					AND (d.billing_period + interval '1 month')::date = ANY (periods || heads)))
		 ORDER BY d.principal_arn COLLATE "C";
	RETURN QUERY
	WITH tags AS MATERIALIZED (
		-- each principal's tags in the period (the tag set it spent most
		-- under), and their text, once per principal
		SELECT DISTINCT ON (c.billing_period, c.export_id, c.principal_arn)
			   c.billing_period, c.export_id, c.principal_arn, c.principal_tags,
			   (SELECT pg_catalog.string_agg(bedrock_cost.tag_name(j.key) || '=' || j.value, ', ' ORDER BY j.key)
				  FROM pg_catalog.jsonb_each_text(c.principal_tags) AS j) AS tags_text
		  FROM bedrock_cost.chargeback_by_principal AS c
		 WHERE c.billing_period = ANY (periods || heads) AND c.principal_arn IS NOT NULL
		 ORDER BY c.billing_period, c.export_id, c.principal_arn, c.cost DESC, c.principal_tags
	)
	SELECT s.billing_period, s.export_id, e.export_name, e.path, s.usage_date,
		   s.principal_arn, s.person, s.role_arn, pt.principal_tags, pt.tags_text,
		   s.model, s.token_kind, s.cost, s.baseline_cost, round(s.cost / nullif(s.baseline_cost, 0), 4),
		   s.tokens, s.baseline_tokens, round(s.tokens / nullif(s.baseline_tokens, 0), 4),
		   s.spike_on, t.factor, t.min_cost, t.min_tokens, b.cost_basis
	  FROM bedrock_cost.spike_settings AS t
	 CROSS JOIN LATERAL bedrock_cost._spike_days(days, periods, heads, t.factor, t.min_cost, t.min_tokens) AS s
	  JOIN bedrock_cost.exports AS e ON e.export_id = s.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS b
	  LEFT JOIN tags AS pt
		ON pt.billing_period = s.billing_period AND pt.export_id = s.export_id
	   AND pt.principal_arn = s.principal_arn;
	CLOSE days;
END
$$;
COMMENT ON FUNCTION bedrock_cost._spikes_rows(date[], date[]) IS
  'internal: the rows of bedrock_cost.spikes for every day of the billing periods and the first 14 days of the heads (months after a recomputed one, whose later days do not look back into it): _spike_days over chargeback_daily of those days and the 14 days before each month (with whether the export''s month before is loaded), with the export, the principal''s tags and the thresholds in force (refresh_chargeback)';
REVOKE ALL ON FUNCTION bedrock_cost._spikes_rows(date[], date[]) FROM PUBLIC;

CREATE FUNCTION bedrock_cost._spikes_insert(periods date[], heads date[] DEFAULT '{}')
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ INSERT INTO bedrock_cost.spikes SELECT * FROM bedrock_cost._spikes_rows(periods, heads) $$;
COMMENT ON FUNCTION bedrock_cost._spikes_insert(date[], date[]) IS
  'internal: inserts the rows of _spikes_rows(periods, heads) into bedrock_cost.spikes, as every chargeback table''s _insert function (refresh_chargeback)';
REVOKE ALL ON FUNCTION bedrock_cost._spikes_insert(date[], date[]) FROM PUBLIC;

-- ------------------------------------------------------------------------
-- allocation of account-level rows

SELECT bedrock_cost._chargeback_table('chargeback_allocated', 'bedrock_cost.chargeback_by_principal', $q$
	WITH lines AS (
		-- one line per principal (and tag set), one per unattributed, one per account-level pool
		SELECT c.billing_period, c.export_id, c.payer_account_id, c.usage_account_id,
			   CASE c.attribution WHEN 'account_level' THEN 'account_level_unallocated'
					ELSE c.attribution END AS attribution,
			   c.principal_arn, c.principal_tags,
			   sum(c.cost) AS usage_cost, min(c.cost_basis) AS cost_basis,
			   sum(c.line_items)::bigint AS line_items
		  FROM %1$s AS c
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	), pooled AS (
		-- the account's pool and its usage (the sum of the weights), on every line of the account
		SELECT l.*, l.attribution IN ('attributed', 'unattributed') AS is_usage,
			   sum(l.usage_cost) FILTER (WHERE l.attribution = 'account_level_unallocated') OVER acct AS pool,
			   sum(greatest(l.usage_cost, 0)) FILTER (WHERE l.attribution IN ('attributed', 'unattributed')) OVER acct AS weight_sum
		  FROM lines AS l
		WINDOW acct AS (PARTITION BY l.billing_period, l.export_id, l.payer_account_id, l.usage_account_id)
	), shares AS (
		-- exact share in cents of each usage line (NULL for the others)
		SELECT p.*, round(p.pool, 2) * 100 AS pool_cents,
			   CASE WHEN p.is_usage AND p.pool IS NOT NULL AND p.weight_sum > 0
					THEN abs(round(p.pool, 2) * 100) * greatest(p.usage_cost, 0) / p.weight_sum END AS exact_cents
		  FROM pooled AS p
	), ranked AS (
		-- floors, the cents left over, and the rank of each remainder (ties: by ARN, unattributed last)
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
	 WHERE NOT (a.is_residue AND a.allocated_cost = 0)
$q$);
CREATE UNIQUE INDEX chargeback_allocated_key ON bedrock_cost.chargeback_allocated
	(billing_period, export_id, payer_account_id, usage_account_id, attribution, principal_arn, principal_tags);
COMMENT ON INDEX bedrock_cost.chargeback_allocated_key IS
  'the grain of chargeback_allocated; serves filters on billing_period';
COMMENT ON TABLE bedrock_cost.chargeback_allocated IS
  'fully allocated chargeback: per billing period, export, payer and usage account, the account-level pool (Tax, Credit, Refund, discounts, fees; rounded to the cent) is spread over all the usage of the account, the attributed principals and the unattributed usage line alike, pro rata to their usage cost with the largest remainder method, so the shares add up to the pool exactly to the cent and a line goes below zero only when the pool exceeds the account''s usage (or, by sub-cent rounding, by less than a cent). usage_cost, allocated_cost and cost = usage_cost + allocated_cost side by side; a pool with no usage stays one account_level_unallocated line; a sub-cent residue stays on an account_level_rounding line. Sum of cost = sum of chargeback_by_principal.cost, exactly';

-- ------------------------------------------------------------------------
-- reconciliation: the loader's view (reconciliation_files: file vs loaded),
-- extended with the chargeback split (attributed + unattributed +
-- account-level)

CREATE VIEW bedrock_cost.reconciliation AS
	SELECT r.*,
		   coalesce(c.attributed_total, 0) AS attributed_total,
		   coalesce(c.unattributed_total, 0) AS unattributed_total,
		   coalesce(c.account_level_total, 0) AS account_level_total,
		   coalesce(c.attributed_total, 0) + coalesce(c.unattributed_total, 0)
			+ coalesce(c.account_level_total, 0) AS chargeback_total,
		   r.loaded_total - (coalesce(c.attributed_total, 0) + coalesce(c.unattributed_total, 0)
							 + coalesce(c.account_level_total, 0)) AS chargeback_difference
	  FROM bedrock_cost.reconciliation_files AS r
	  LEFT JOIN (
		SELECT b.billing_period, b.export_id, b.line_item_type,
			   sum(b.unblended_cost) FILTER (WHERE b.principal_arn IS NOT NULL) AS attributed_total,
			   sum(b.unblended_cost) FILTER (WHERE b.principal_arn IS NULL
										 AND bedrock_cost.is_usage_line_item_type(b.line_item_type)) AS unattributed_total,
			   sum(b.unblended_cost) FILTER (WHERE b.principal_arn IS NULL
										 AND NOT bedrock_cost.is_usage_line_item_type(b.line_item_type)) AS account_level_total
		  FROM bedrock_cost.chargeback_base AS b
		 GROUP BY 1, 2, 3
	  ) AS c USING (billing_period, export_id, line_item_type);
COMMENT ON VIEW bedrock_cost.reconciliation IS
  'per billing period, export and line item type of the current deliveries: Bedrock totals summed from the files (file_total) against line_items (loaded_total), difference exactly 0 after a successful load; then the same unblended total split the chargeback way (attributed_total + unattributed_total + account_level_total = chargeback_total, from the chargeback views), chargeback_difference exactly 0 once refresh_chargeback() has run after the load: the chargeback views read the loader''s summary (usage_summary), so this checks the summary against the stored line items';
COMMENT ON COLUMN bedrock_cost.reconciliation.difference IS 'file_total - loaded_total (unblended): 0 when every accepted Bedrock row landed exactly';
COMMENT ON COLUMN bedrock_cost.reconciliation.rejected_total IS 'unblended cost of the rejected rows whose cost is a number (file = file_total + rejected_total + other_total)';
COMMENT ON COLUMN bedrock_cost.reconciliation.totals_declared IS 'true when the file totals were declared by bedrock-cost-load: the server verified the stored rows against them, but cannot see the files';
COMMENT ON COLUMN bedrock_cost.reconciliation.net_difference IS 'file_net_total - loaded_net_total (net unblended; a total is 0 when no row has a net cost): 0 when every accepted Bedrock row landed exactly';
COMMENT ON COLUMN bedrock_cost.reconciliation.attributed_total IS 'unblended cost of the rows with an IAM principal, from chargeback_base';
COMMENT ON COLUMN bedrock_cost.reconciliation.unattributed_total IS 'unblended cost of usage rows without a principal, from chargeback_base';
COMMENT ON COLUMN bedrock_cost.reconciliation.account_level_total IS 'unblended cost of account-level rows (Tax, Credit, Refund, discounts, fees) without a principal, from chargeback_base';
COMMENT ON COLUMN bedrock_cost.reconciliation.chargeback_total IS 'attributed_total + unattributed_total + account_level_total';
COMMENT ON COLUMN bedrock_cost.reconciliation.chargeback_difference IS 'loaded_total - chargeback_total: 0 when the chargeback views are current and account for every loaded row';
GRANT SELECT ON bedrock_cost.reconciliation TO bedrock_cost_admin;

-- ------------------------------------------------------------------------
-- refresh

-- what every period's chargeback rows depend on besides its deliveries and
-- their exports: the cost basis, the model aliases (through
-- parse_usage_type) and the extension's version (the parser's code)
CREATE FUNCTION bedrock_cost._chargeback_inputs()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	-- the version apart, after a space: a new version may bring a new
	-- usage-type parser, which the model-day summaries depend on too
	SELECT pg_catalog.md5(pg_catalog.concat_ws(E'\n',
		(SELECT b.cost_basis FROM bedrock_cost.chargeback_basis AS b),
		(SELECT t::text FROM bedrock_cost.spike_settings AS t),
		(SELECT pg_catalog.string_agg(a::text, E'\n' ORDER BY a.alias, a.seeded)
		   FROM bedrock_cost.model_aliases AS a)))
		|| ' ' || coalesce((SELECT x.extversion FROM pg_catalog.pg_extension AS x
							 WHERE x.extname = 'bedrock_cost'), '')
$$;
COMMENT ON FUNCTION bedrock_cost._chargeback_inputs() IS
  'internal: what every period of the chargeback tables depends on besides its deliveries: a digest of the cost basis, spike thresholds and model aliases, then a space and the extension version; when it changes, refresh_chargeback() recomputes every period, and when the version changes (the usage-type parser with it), the model-day summaries first';
REVOKE ALL ON FUNCTION bedrock_cost._chargeback_inputs() FROM PUBLIC;

-- per billing period: its current deliveries and a digest of their exports'
-- ids, names and paths (the views show them)
CREATE FUNCTION bedrock_cost._chargeback_current(OUT billing_period date, OUT loads bigint[], OUT exports text)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT l.billing_period, pg_catalog.array_agg(l.load_id ORDER BY l.load_id),
		   pg_catalog.md5(pg_catalog.string_agg(pg_catalog.concat_ws(' ', e.export_id, e.export_name, e.path),
												E'\n' ORDER BY l.load_id))
	  FROM bedrock_cost.loads AS l
	  JOIN bedrock_cost.exports AS e ON e.export_id = l.export_id
	 WHERE l.status = 'done'
	 GROUP BY l.billing_period
$$;
COMMENT ON FUNCTION bedrock_cost._chargeback_current() IS
  'internal: per billing period, the load_id of every current (done) delivery, all exports, and a digest of their exports'' ids, names and paths';
REVOKE ALL ON FUNCTION bedrock_cost._chargeback_current() FROM PUBLIC;

CREATE TABLE bedrock_cost.chargeback_state (
	billing_period	date PRIMARY KEY,
	loads			bigint[] NOT NULL,
	exports			text NOT NULL,
	inputs			text NOT NULL,
	refreshed_at	timestamptz NOT NULL,
	data_through	date
);
COMMENT ON TABLE bedrock_cost.chargeback_state IS
  'what the chargeback tables hold for each billing period: the current deliveries, their exports and the inputs they were computed from. refresh_chargeback() recomputes the periods whose deliveries or exports differ from it, and every period when the inputs differ. Not dumped: after a restore it is empty, so the first refresh recomputes every period';
COMMENT ON COLUMN bedrock_cost.chargeback_state.billing_period IS 'first day of the billing month';
COMMENT ON COLUMN bedrock_cost.chargeback_state.loads IS 'load_id of every current (done) delivery of the period, all exports, ascending';
COMMENT ON COLUMN bedrock_cost.chargeback_state.exports IS 'digest of the ids, names and paths of those deliveries'' exports';
COMMENT ON COLUMN bedrock_cost.chargeback_state.inputs IS 'bedrock_cost._chargeback_inputs() when the period was computed';
COMMENT ON COLUMN bedrock_cost.chargeback_state.refreshed_at IS 'when the period was last computed';
COMMENT ON COLUMN bedrock_cost.chargeback_state.data_through IS 'the last usage day (UTC) in the period''s rows, from chargeback_daily; NULL when the period has none (budget_status counts the days elapsed to it)';

-- the chargeback tables in dependency order
CREATE FUNCTION bedrock_cost._chargeback_tables()
RETURNS text[]
LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['chargeback_base', 'chargeback_usage_types', 'chargeback_by_principal',
				   'chargeback_by_tag', 'usage_by_model', 'chargeback_by_resource', 'team_model_mix', 'usage_profile',
				   'chargeback_daily', 'spikes', 'chargeback_allocated'] $$;
COMMENT ON FUNCTION bedrock_cost._chargeback_tables() IS
  'internal: the chargeback tables, in the order refresh_chargeback() computes them (each reads the ones before it)';

-- no statistics on the measures (numeric sums) and the tags maps of the
-- chargeback tables: the planner's choices on these tables turn on their keys
-- (period, day, principal, model, tag key), and sampling the numeric and jsonb
-- columns was most of the ANALYZE that follows a new month (0.7 of 1.0 s on a
-- 1M-row month).  A filter on a cost or a tags map gets a default estimate.
DO $do$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT a.attrelid::regclass AS rel, a.attname
		  FROM pg_catalog.pg_attribute AS a
		 WHERE a.attrelid = ANY (ARRAY(SELECT ('bedrock_cost.' || pg_catalog.quote_ident(t))::regclass
										 FROM pg_catalog.unnest(bedrock_cost._chargeback_tables()) AS t))
		   AND a.attnum > 0 AND NOT a.attisdropped
		   AND a.atttypid IN ('pg_catalog.numeric'::regtype, 'pg_catalog.jsonb'::regtype)
	LOOP
		EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS 0', c.rel, c.attname);
	END LOOP;
END
$do$;

-- the periods to recompute: current deliveries or exports differ from the state
CREATE FUNCTION bedrock_cost._chargeback_stale(OUT periods date[], OUT periods_changed boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.array_agg(coalesce(c.billing_period, s.billing_period)
								ORDER BY coalesce(c.billing_period, s.billing_period)),
		   coalesce(pg_catalog.bool_or(c.billing_period IS NULL OR s.billing_period IS NULL), false)
	  FROM bedrock_cost._chargeback_current() AS c
	  FULL JOIN bedrock_cost.chargeback_state AS s ON s.billing_period = c.billing_period
	 WHERE c.loads IS DISTINCT FROM s.loads OR c.exports IS DISTINCT FROM s.exports
$$;
COMMENT ON FUNCTION bedrock_cost._chargeback_stale() IS
  'internal: the billing periods whose chargeback rows are stale (their current deliveries, or those deliveries'' exports, differ from chargeback_state), and whether a period appeared or disappeared';
REVOKE ALL ON FUNCTION bedrock_cost._chargeback_stale() FROM PUBLIC;

-- recompute the chargeback rows of the stale periods (every period when
-- incremental is false, or when the inputs changed)
CREATE FUNCTION bedrock_cost.refresh_chargeback(incremental boolean)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET work_mem = '256MB'
SET jit = off	-- compiling the per-period queries costs more than it saves
AS $$
DECLARE
	v_inputs text;
	stale record;
	full_rebuild boolean;
	rel text;
	cols text;
	spike_heads date[];
	period date;
BEGIN
	-- one refresh at a time; readers of the tables are never blocked.  The
	-- summary first: a load that is swapping a delivery in holds it (and
	-- then waits for this lock), so waiting for it here first cannot deadlock
	LOCK TABLE bedrock_cost.usage_summary IN ACCESS SHARE MODE;
	LOCK TABLE bedrock_cost.chargeback_state IN EXCLUSIVE MODE;
	v_inputs := bedrock_cost._chargeback_inputs();
	full_rebuild := NOT incremental
		OR EXISTS (SELECT 1 FROM bedrock_cost.chargeback_state AS s WHERE s.inputs <> v_inputs);
	IF full_rebuild THEN
		-- the model-day summaries hold the models and token kinds the parser
		-- gave when they were computed: again, with the parser installed now,
		-- when it may differ (asked for, or another extension version; a
		-- period recorded without its version apart counts as another), not
		-- for a new cost basis, spike threshold or model alias, which they
		-- do not depend on (a year of them took longer than the rest)
		IF NOT incremental
		   OR EXISTS (SELECT 1 FROM bedrock_cost.chargeback_state AS s
					   WHERE pg_catalog.split_part(s.inputs, ' ', 2)
							 <> pg_catalog.split_part(v_inputs, ' ', 2)) THEN
			PERFORM bedrock_cost._rebuild_daily(l.load_id)
			   FROM bedrock_cost.loads AS l
			  WHERE l.status = 'done';
		END IF;
		DELETE FROM bedrock_cost.chargeback_state;
	END IF;
	stale := bedrock_cost._chargeback_stale();
	IF stale.periods IS NULL AND NOT full_rebuild THEN
		RETURN;
	END IF;
	-- exports never reaches autovacuum's threshold for an ANALYZE (50 rows
	-- changed), and unanalysed the planner takes it for ten pages: it then
	-- hashed a period's model-day rows to join them to their one export
	-- (chargeback_daily: 48,836 rows of a 1M-row month), instead of the export
	IF (SELECT c.relpages FROM pg_catalog.pg_class AS c
		 WHERE c.oid = 'bedrock_cost.exports'::pg_catalog.regclass) = 0 THEN
		ANALYZE bedrock_cost.exports;
	END IF;
	FOREACH rel IN ARRAY bedrock_cost._chargeback_tables()
	LOOP
		IF rel = 'chargeback_usage_types' THEN
			-- not per period: the usage types of chargeback_base, kept exact
			IF full_rebuild THEN
				DELETE FROM bedrock_cost.chargeback_usage_types;
			ELSE
				DELETE FROM bedrock_cost.chargeback_usage_types AS u
				 WHERE NOT EXISTS (SELECT 1 FROM bedrock_cost.chargeback_base AS b
									WHERE b.usage_type = u.usage_type
									  AND coalesce(b.product_name, '') = u.product_name_key);
			END IF;
			PERFORM bedrock_cost._chargeback_usage_types_insert(stale.periods);
		ELSIF rel = 'spikes' AND NOT full_rebuild THEN
			-- a month's spikes look 14 days back: the first 14 days of the
			-- month after a recomputed one change with it
			spike_heads := ARRAY(
				SELECT DISTINCT (x.p + interval '1 month')::date
				  FROM pg_catalog.unnest(stale.periods) AS x(p)
				 WHERE NOT (x.p + interval '1 month')::date = ANY (stale.periods)
				   AND EXISTS (SELECT 1 FROM bedrock_cost.chargeback_state AS st
								WHERE st.billing_period = (x.p + interval '1 month')::date));
			DELETE FROM bedrock_cost.spikes AS t
			 WHERE t.billing_period = ANY (stale.periods)
				OR (t.billing_period = ANY (spike_heads) AND t.usage_date < t.billing_period + 14);
			PERFORM bedrock_cost._spikes_insert(stale.periods, spike_heads);
		ELSE
			IF full_rebuild THEN
				EXECUTE format('DELETE FROM bedrock_cost.%I', rel);
			ELSE
				EXECUTE format('DELETE FROM bedrock_cost.%I AS t WHERE t.billing_period OPERATOR(pg_catalog.=) ANY ($1)', rel)
					USING stale.periods;
			END IF;
			-- one period at a time: each month's rows stored together, without a
			-- sort of the rows (an ORDER BY made the planner aggregate
			-- chargeback_daily's source by sorting it, four times slower)
			FOREACH period IN ARRAY coalesce(stale.periods, '{}')
			LOOP
				EXECUTE format('SELECT bedrock_cost.%I($1)', '_' || rel || '_insert') USING ARRAY[period];
			END LOOP;
		END IF;
		-- fresh statistics when everything was recomputed, and when the set
		-- of periods changed (a new month), taken as soon as the table is
		-- filled: the tables after it read it, and were planned as if it
		-- held no row of the new month.  Then what the plans lack is the new
		-- month in the period and day columns and the new row counts, so
		-- only those columns are analysed (a fifth of the time: the text
		-- columns' statistics were most of it); the other columns'
		-- distributions change little with one month, and autovacuum's
		-- ANALYZE follows.  A restated period changes them little too: no
		-- ANALYZE
		IF full_rebuild OR stale.periods_changed THEN
			SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
			  INTO cols
			  FROM pg_catalog.pg_attribute AS a
			 WHERE a.attrelid = pg_catalog.to_regclass('bedrock_cost.' || pg_catalog.quote_ident(rel))
			   AND a.attname IN ('billing_period', 'usage_date') AND NOT a.attisdropped;
			EXECUTE format('ANALYZE bedrock_cost.%I%s', rel,
						   CASE WHEN full_rebuild OR cols IS NULL THEN '' ELSE ' (' || cols || ')' END);
		END IF;
	END LOOP;
	DELETE FROM bedrock_cost.chargeback_state AS s WHERE s.billing_period = ANY (stale.periods);
	INSERT INTO bedrock_cost.chargeback_state (billing_period, loads, exports, inputs, refreshed_at, data_through)
	SELECT c.billing_period, c.loads, c.exports, v_inputs, clock_timestamp(),
		   (SELECT max(d.usage_date) FROM bedrock_cost.chargeback_daily AS d
			 WHERE d.billing_period = c.billing_period)
	  FROM bedrock_cost._chargeback_current() AS c
	 WHERE c.billing_period = ANY (stale.periods);
	-- budgets whose state changed in these periods: one NOTIFY each, at commit
	PERFORM bedrock_cost._budget_notify(stale.periods);
END
$$;
COMMENT ON FUNCTION bedrock_cost.refresh_chargeback(boolean) IS
  'brings the chargeback tables up to date, in the caller''s transaction (the loader and the background worker call it in the transaction that swaps a delivery in, so chargeback and line_items change together at commit), then announces the budgets whose state changed in the recomputed periods (NOTIFY bedrock_cost_budget, sent at commit). incremental (the default) recomputes only the billing periods whose current deliveries (or their export''s name or path) changed since the last refresh (bedrock_cost.chargeback_state), or every period when the cost basis, the spike thresholds, the model aliases or the extension version changed (with a new version, the model-day summaries first); false recomputes every period and the model-day summaries. Either way readers keep the old rows until commit and are never blocked; concurrent refreshes wait for each other';
REVOKE ALL ON FUNCTION bedrock_cost.refresh_chargeback(boolean) FROM PUBLIC;

-- the entry point the loader and the background worker look up (to_regprocedure('...refresh_chargeback()'))
CREATE FUNCTION bedrock_cost.refresh_chargeback()
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT bedrock_cost.refresh_chargeback(true) $$;
COMMENT ON FUNCTION bedrock_cost.refresh_chargeback() IS
  'refresh_chargeback(true): recomputes the billing periods whose deliveries changed (readers keep the old rows until commit), in the caller''s transaction; called by the background worker after each delivery it swaps in';
REVOKE ALL ON FUNCTION bedrock_cost.refresh_chargeback() FROM PUBLIC;

DROP FUNCTION bedrock_cost._chargeback_table(text, text, text, text, text);

-- ------------------------------------------------------------------------
-- daily spend per tag value, without JSON: a view over chargeback_daily

CREATE VIEW bedrock_cost.daily_by_tag AS
	WITH keys AS (
		-- the tag keys of each period, as chargeback_by_tag has them
		SELECT DISTINCT t.billing_period, t.tag_key FROM bedrock_cost.chargeback_by_tag AS t
	)
	SELECT d.billing_period, d.usage_date, d.export_id, d.export_name, d.export, k.tag_key,
		   bedrock_cost.tag_name(k.tag_key) AS tag_name, bedrock_cost.tag_source(k.tag_key) AS tag_source,
		   coalesce(d.tags ->> k.tag_key, '(untagged)') AS tag_value,
		   NOT (d.tags ? k.tag_key) AS untagged,
		   sum(d.cost) AS cost, min(d.cost_basis) AS cost_basis,
		   sum(d.input_tokens) AS input_tokens, sum(d.output_tokens) AS output_tokens,
		   sum(d.cache_read_tokens) AS cache_read_tokens, sum(d.cache_write_tokens) AS cache_write_tokens,
		   sum(d.total_tokens) AS total_tokens, count(DISTINCT d.principal_arn) AS principals,
		   sum(d.line_items)::bigint AS line_items
	  FROM bedrock_cost.chargeback_daily AS d
	  JOIN keys AS k ON k.billing_period = d.billing_period
	 WHERE d.attribution <> 'account_level'
	 GROUP BY d.billing_period, d.usage_date, d.export_id, d.export_name, d.export, k.tag_key,
			  coalesce(d.tags ->> k.tag_key, '(untagged)'), NOT (d.tags ? k.tag_key);
COMMENT ON VIEW bedrock_cost.daily_by_tag IS
  'Bedrock usage (attributed and unattributed; account-level rows have no day to speak of) per UTC usage day, export and tag key and value (every key of the tags map, as chargeback_by_tag), with the (untagged) bucket per key: daily spend per team without reading JSON. Computed from chargeback_daily when read (filter on billing_period or usage_date)';

-- ------------------------------------------------------------------------
-- FOCUS 1.2-shaped view

CREATE VIEW bedrock_cost.focus_bedrock AS
	SELECT li.unblended_cost AS "BilledCost",
		   coalesce(li.net_unblended_cost, li.unblended_cost) AS "EffectiveCost",
		   li.list_cost AS "ListCost",
		   coalesce(li.net_unblended_cost, li.unblended_cost) AS "ContractedCost",
		   coalesce(li.currency, 'USD') AS "BillingCurrency",
		   coalesce(li.currency, 'USD') AS "PricingCurrency",
		   li.payer_account_id AS "BillingAccountId",
		   li.payer_account_name AS "BillingAccountName",
		   (li.billing_period::timestamp AT TIME ZONE 'UTC') AS "BillingPeriodStart",
		   ((li.billing_period + interval '1 month')::timestamp AT TIME ZONE 'UTC') AS "BillingPeriodEnd",
		   li.invoice_id AS "InvoiceId",
		   CASE WHEN bedrock_cost.is_usage_line_item_type(li.line_item_type) THEN 'Usage'
				WHEN li.line_item_type = 'Tax' THEN 'Tax'
				WHEN li.line_item_type IN ('Credit', 'Refund', 'Discount', 'EdpDiscount',
										   'PrivateRateDiscount', 'BundledDiscount',
										   'SavingsPlanNegation') THEN 'Credit'
				WHEN li.line_item_type IN ('Fee', 'RIFee', 'SavingsPlanUpfrontFee',
										   'SavingsPlanRecurringFee') THEN 'Purchase'
				ELSE 'Adjustment' END AS "ChargeCategory",
		   CASE WHEN li.line_item_type = 'Refund' THEN 'Correction' END AS "ChargeClass",
		   CASE WHEN li.line_item_type IN ('Fee', 'RIFee', 'SavingsPlanUpfrontFee')
				THEN 'One-Time' WHEN li.line_item_type = 'SavingsPlanRecurringFee' THEN 'Recurring'
				ELSE 'Usage-Based' END AS "ChargeFrequency",
		   li.usage_start AS "ChargePeriodStart",
		   li.usage_end AS "ChargePeriodEnd",
		   li.usage_type AS "ChargeDescription",
		   coalesce(li.tokens, li.usage_amount) AS "ConsumedQuantity",
		   CASE WHEN li.tokens IS NOT NULL THEN 'Tokens' ELSE li.pricing_unit END AS "ConsumedUnit",
		   CASE WHEN bedrock_cost.is_usage_line_item_type(li.line_item_type) THEN 'Standard' END AS "PricingCategory",
		   li.usage_amount AS "PricingQuantity",
		   li.pricing_unit AS "PricingUnit",
		   CASE WHEN li.billing_entity = 'AWS Marketplace' THEN 'AWS Marketplace'
				ELSE 'Amazon Web Services' END AS "InvoiceIssuerName",
		   'Amazon Web Services'::text AS "ProviderName",
		   CASE WHEN li.billing_entity = 'AWS Marketplace' THEN coalesce(li.product_name, li.product_code)
				ELSE 'Amazon Web Services' END AS "PublisherName",
		   CASE WHEN u.usage_type IS NOT NULL THEN u.region
				ELSE t.region END AS "RegionId",
		   li.resource_id AS "ResourceId",
		   (bedrock_cost.resource_parts(li.resource_id)).resource_name AS "ResourceName",
		   (bedrock_cost.resource_parts(li.resource_id)).resource_type AS "ResourceType",
		   coalesce(li.product_name, 'Amazon Bedrock') AS "ServiceName",
		   'AI and Machine Learning'::text AS "ServiceCategory",
		   'Generative AI'::text AS "ServiceSubcategory",
		   li.usage_type AS "SkuId",
		   coalesce(CASE WHEN u.usage_type IS NOT NULL THEN u.token_kind
						 ELSE t.token_kind END,
					li.usage_type) AS "SkuMeter",
		   li.usage_account_id AS "SubAccountId",
		   li.usage_account_name AS "SubAccountName",
		   li.tags AS "Tags",
		   li.principal::text AS "x_IamPrincipal",
		   li.line_item_type AS "x_LineItemType",
		   li.usage_type AS "x_UsageType",
		   li.operation AS "x_Operation",
		   li.product_code AS "x_ServiceCode",
		   CASE WHEN u.usage_type IS NOT NULL THEN u.model
				ELSE t.model END AS "x_Model",
		   CASE WHEN u.usage_type IS NOT NULL THEN u.tier
				ELSE t.tier END AS "x_Tier",
		   CASE WHEN u.usage_type IS NOT NULL THEN u.routing
				ELSE t.routing END AS "x_Routing",
		   li.billing_period AS "x_BillingPeriod",
		   li.export_id AS "x_ExportId",
		   e.export_name AS "x_ExportName",
		   e.path AS "x_Export",
		   li.load_id AS "x_LoadId",
		   li.file_no AS "x_FileNo",
		   li.line_number AS "x_LineNumber"
	  FROM bedrock_cost.line_items AS li
	  JOIN bedrock_cost.exports AS e ON e.export_id = li.export_id
	  -- the usage types' parts as the chargeback parsed them; a period not yet
	  -- refreshed has usage types it lacks, whose parts the loader recorded
	  -- (usage_types): a join, not a parse per row, so on Citus no shard
	  -- query calls a function that reads model_aliases
	  LEFT JOIN bedrock_cost.chargeback_usage_types AS u
		ON u.usage_type = li.usage_type AND u.product_name_key = coalesce(li.product_name, '')
	  LEFT JOIN bedrock_cost.usage_types AS t
		ON t.usage_type = li.usage_type AND t.product_name = coalesce(li.product_name, '');
COMMENT ON VIEW bedrock_cost.focus_bedrock IS
  'Bedrock spend shaped like a FOCUS 1.2 cost and usage dataset (column names as FOCUS spells them, custom columns x_-prefixed), one row per line item, with the caller as x_IamPrincipal. Mapping: BilledCost = unblended; EffectiveCost and ContractedCost = net unblended where present (negotiated discounts applied) else unblended; ListCost = pricing_public_on_demand_cost; ChargeCategory from the line item type, ChargeClass Correction for Refund rows; BillingPeriodStart/End as timestamps (UTC midnight); ConsumedQuantity = tokens for token usage; BillingCurrency = line_item_currency_code (USD when a file lacks the column). Not a conformance claim: columns FOCUS requires that CUR 2.0 Bedrock rows do not carry (commitment discounts, capacity reservations, SkuPriceId, list and contracted unit prices) are left out. Filter on x_BillingPeriod to read one month';
