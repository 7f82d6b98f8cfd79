/*
 * 66_what_if.sql: what-if repricing.  What would the tokens one model
 * used have cost on another model, at that model's prices as the bill
 * itself shows them?
 *
 * what_if(from_model, to_model, ...) takes the token volumes of from_model
 * (canonical model_key) per billing period, export, token kind, region and
 * tier, in the scope the filters give (period, iamPrincipal tag, principal,
 * role, usage account), and prices each at to_model's unit price observed in
 * the same period and export for the same token kind, region and tier:
 * to_model's cost over its tokens there (chargeback_base, in the cost basis
 * in force).  what_if_cost = tokens * price_cost / price_tokens, rounded to
 * 10 decimals (CUR's precision), NULL where the bill has no price for that
 * kind, region and tier; each row says where its price comes from (the
 * period, line items, tokens and cost behind it).  bi_what_if is the same
 * for the reader role, limited to what team_access lets the caller see.
 *
 * IDENTIFICATION
 *		sql/install/66_what_if.sql
 */

CREATE FUNCTION bedrock_cost.what_if(
	from_model text, to_model text,
	period date DEFAULT NULL, tag_key text DEFAULT NULL, tag_value text DEFAULT NULL,
	principal text DEFAULT NULL, role text DEFAULT NULL, account text DEFAULT NULL,
	OUT billing_period date, OUT export_id integer, OUT token_kind text, OUT region text, OUT tier text,
	OUT from_model_key text, OUT tokens numeric, OUT cost numeric,
	OUT to_model_key text, OUT what_if_cost numeric, OUT difference numeric,
	OUT price_per_million_tokens numeric, OUT price_line_items bigint, OUT price_tokens numeric,
	OUT price_cost numeric, OUT cost_basis text)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH args AS (
		SELECT $1 AS from_model, $2 AS to_model, $3 AS period, $4 AS tag_key, $5 AS tag_value,
			   $6 AS principal_arn, $7 AS role_arn, $8 AS account
	), rows AS (
		-- usage rows of either model, with their parts, in the cost basis
		SELECT b.billing_period, b.export_id, b.principal_arn, b.tags, b.usage_account_id,
			   u.model_key, u.token_kind, u.region, u.tier, b.tokens, b.line_items,
			   CASE c.cost_basis WHEN 'net_unblended' THEN b.net_unblended_cost
					ELSE b.unblended_cost END AS cost
		  FROM bedrock_cost.chargeback_base AS b
		  JOIN bedrock_cost.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 CROSS JOIN bedrock_cost.chargeback_basis AS c
		 CROSS JOIN args AS a
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		   AND u.token_kind IN ('input', 'output', 'cache_read', 'cache_write')
		   AND u.model_key IN (a.from_model, a.to_model)
		   AND (a.period IS NULL OR b.billing_period = a.period)
	), volumes AS (
		-- the from model's tokens in the scope
		SELECT r.billing_period, r.export_id, r.token_kind, r.region, r.tier,
			   sum(r.tokens) AS tokens, sum(r.cost) AS cost
		  FROM rows AS r CROSS JOIN args AS a
		 WHERE r.model_key = a.from_model
		   AND (a.tag_key IS NULL OR (r.tags ->> a.tag_key) = a.tag_value)
		   AND (a.principal_arn IS NULL OR r.principal_arn = a.principal_arn)
		   AND (a.role_arn IS NULL
				OR bedrock_cost.role_arn(r.principal_arn::bedrock_cost.iam_arn)::text = a.role_arn)
		   AND (a.account IS NULL OR r.usage_account_id = a.account)
		 GROUP BY 1, 2, 3, 4, 5
	), prices AS (
		-- the to model's observed prices, over the whole bill of the period
		SELECT r.billing_period, r.export_id, r.token_kind, r.region, r.tier,
			   sum(r.line_items)::bigint AS line_items, sum(r.tokens) AS tokens, sum(r.cost) AS cost
		  FROM rows AS r CROSS JOIN args AS a
		 WHERE r.model_key = a.to_model
		 GROUP BY 1, 2, 3, 4, 5
		HAVING sum(r.tokens) > 0
	)
	SELECT v.billing_period, v.export_id, v.token_kind, v.region, v.tier,
		   a.from_model, v.tokens, v.cost, a.to_model,
		   round(v.tokens * p.cost / p.tokens, 10) AS what_if_cost,
		   round(v.tokens * p.cost / p.tokens, 10) - v.cost AS difference,
		   round(p.cost * 1000000 / p.tokens, 6) AS price_per_million_tokens,
		   p.line_items, p.tokens, p.cost, c.cost_basis
	  FROM volumes AS v
	 CROSS JOIN args AS a
	 CROSS JOIN bedrock_cost.chargeback_basis AS c
	  LEFT JOIN prices AS p
		ON p.billing_period = v.billing_period AND p.export_id = v.export_id
	   AND p.token_kind = v.token_kind AND p.region IS NOT DISTINCT FROM v.region
	   AND p.tier IS NOT DISTINCT FROM v.tier
	 ORDER BY 1, 2, 3, 4, 5
$$;
COMMENT ON FUNCTION bedrock_cost.what_if(text, text, date, text, text, text, text, text) IS
  'what-if repricing: the tokens from_model (a canonical model_key) used, per billing period, export, token kind (input, output, cache_read, cache_write), region and tier, in the scope of the filters (period, tag_key = tag_value on the principal''s tags, principal ARN, role ARN, usage account; NULL: all), priced at to_model''s unit price observed in the bill in the same period, export, kind, region and tier (its cost over its tokens, in the cost basis in force): what_if_cost = round(tokens * price_cost / price_tokens, 10), difference = what_if_cost - cost; NULL where the bill has no such price. price_line_items, price_tokens and price_cost say where each price comes from';

-- the reader role's variant: a team sees the repricing of its own usage only
CREATE FUNCTION bedrock_cost.bi_what_if(
	from_model text, to_model text,
	period date DEFAULT NULL, tag_key text DEFAULT NULL, tag_value text DEFAULT NULL,
	OUT billing_period date, OUT export_id integer, OUT token_kind text, OUT region text, OUT tier text,
	OUT from_model_key text, OUT tokens bigint, OUT cost numeric(38,16),
	OUT to_model_key text, OUT what_if_cost numeric(38,16), OUT difference numeric(38,16),
	OUT price_per_million_tokens numeric(38,6), OUT price_line_items bigint, OUT price_tokens bigint,
	OUT price_cost numeric(38,16), OUT cost_basis text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- the caller (current_user here is the owner), matched as the bi_* views match it
	everything boolean := pg_catalog.pg_has_role(bedrock_cost._session_role(), 'bedrock_cost_admin', 'MEMBER')
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = bedrock_cost._session_role() AND ta.tag_key = '*');
BEGIN
	IF NOT (everything
			OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						WHERE ta.role_name = bedrock_cost._session_role()
						  AND ta.tag_key = $4 AND ta.tag_value = $5)) THEN
		RAISE EXCEPTION 'no access to the usage of % = %', coalesce($4, '(all tags)'), coalesce($5, '(all values)')
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Give tag_key and tag_value of a team your role is mapped to in bedrock_cost.team_access.';
	END IF;
	RETURN QUERY
	SELECT w.billing_period, w.export_id, w.token_kind, w.region, w.tier, w.from_model_key,
		   w.tokens::bigint, w.cost::numeric(38,16), w.to_model_key, w.what_if_cost::numeric(38,16),
		   w.difference::numeric(38,16), w.price_per_million_tokens::numeric(38,6),
		   -- the whole bill's volumes behind a price: for roles that see everything
		   CASE WHEN everything THEN w.price_line_items END,
		   CASE WHEN everything THEN w.price_tokens::bigint END,
		   CASE WHEN everything THEN w.price_cost::numeric(38,16) END, w.cost_basis
	  FROM bedrock_cost.what_if($1, $2, $3, $4, $5) AS w;
END
$$;
COMMENT ON FUNCTION bedrock_cost.bi_what_if(text, text, date, text, text) IS
  'bedrock_cost.what_if for the reader role, with plain declared types (costs numeric(38,16), tokens bigint): a role mapped to * in team_access (or an admin) may reprice any usage; a team role only the usage of a tag_key = tag_value it is mapped to (insufficient_privilege otherwise). Prices are always the whole bill''s; the volumes behind them (price_line_items, price_tokens, price_cost) are NULL for a team role';
REVOKE ALL ON FUNCTION bedrock_cost.what_if(text, text, date, text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost.bi_what_if(text, text, date, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bedrock_cost.bi_what_if(text, text, date, text, text) TO bedrock_cost_reader;
