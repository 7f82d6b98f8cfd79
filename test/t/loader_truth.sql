-- loader_truth.sql: compares what the loader stored with the generator's
-- ground truth.  Used by test/t/020_loader.pl; psql variables: gt (the
-- ground_truth folder), dlv ('latest' to compare the current deliveries, or
-- a delivery number N to compare line_items_as_of(:asof) with delivery N).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP TABLE IF EXISTS gt_lit, gt_principal, gt_tag, gt_model, gt_usage, gt_summary CASCADE;
CREATE TEMP TABLE gt_lit (billing_period date, delivery int, execution_id text, latest bool,
	line_item_type text, is_bedrock bool, line_items bigint, cost numeric, net_cost numeric);
CREATE TEMP TABLE gt_principal (billing_period date, delivery int, execution_id text, latest bool,
	principal text, principal_type text, account_id text, partition text, role text, person text,
	line_items bigint, cost numeric, net_cost numeric, input_tokens numeric, output_tokens numeric,
	cache_read_tokens numeric, cache_write_tokens numeric);
CREATE TEMP TABLE gt_tag (billing_period date, delivery int, execution_id text, latest bool,
	tag_key text, tag_value text, untagged bool, line_items bigint, cost numeric, net_cost numeric,
	input_tokens numeric, output_tokens numeric, cache_read_tokens numeric, cache_write_tokens numeric);
CREATE TEMP TABLE gt_model (billing_period date, delivery int, execution_id text, latest bool,
	model text, token_kind text, line_items bigint, tokens numeric, cost numeric, net_cost numeric);
CREATE TEMP TABLE gt_usage (billing_period date, delivery int, execution_id text, latest bool,
	product_code text, usage_type text, model text, token_kind text, pricing_unit text,
	line_items bigint, tokens numeric, cost numeric, net_cost numeric);
CREATE TEMP TABLE gt_summary (billing_period date, delivery int, execution_id text, latest bool,
	measure text, line_items bigint, cost numeric, net_cost numeric, input_tokens numeric,
	output_tokens numeric, cache_read_tokens numeric, cache_write_tokens numeric);
SELECT format('COPY gt_lit FROM %L CSV HEADER', :'gt' || '/by_line_item_type.csv') \gexec
SELECT format('COPY gt_principal FROM %L CSV HEADER', :'gt' || '/by_principal.csv') \gexec
SELECT format('COPY gt_tag FROM %L CSV HEADER', :'gt' || '/by_tag.csv') \gexec
SELECT format('COPY gt_model FROM %L CSV HEADER', :'gt' || '/by_model_token.csv') \gexec
SELECT format('COPY gt_usage FROM %L CSV HEADER', :'gt' || '/by_usage_type.csv') \gexec
SELECT format('COPY gt_summary FROM %L CSV HEADER', :'gt' || '/summary.csv') \gexec
-- known disagreement between the generator and parse_usage_type (not the
-- loader's): the generator names the model of *-TitanEmbeddingV2-Text-* usage
-- types "TitanEmbeddingV2-Text", the parser "TitanEmbeddingV2" (-Text read as
-- the modality)
UPDATE gt_model SET model = 'TitanEmbeddingV2' WHERE model = 'TitanEmbeddingV2-Text';
UPDATE gt_usage SET model = 'TitanEmbeddingV2' WHERE model = 'TitanEmbeddingV2-Text';

-- the rows under test, and the ground truth of the same deliveries
CREATE OR REPLACE TEMP VIEW li AS
	SELECT l.*, u.model,
		   CASE WHEN u.token_kind IN ('input', 'output', 'cache_read', 'cache_write')
				THEN u.token_kind ELSE 'other' END AS token_kind	-- the generator's classes
	  FROM (SELECT * FROM bedrock_cost.line_items WHERE :'dlv' = 'latest'
			UNION ALL
			SELECT * FROM bedrock_cost.line_items_as_of(:asof)
			 WHERE :'dlv' <> 'latest') l
	  JOIN bedrock_cost.exports e
		ON e.export_id = l.export_id AND e.path = regexp_replace(:'gt', '/ground_truth$', '')
	  JOIN bedrock_cost.usage_types u
		ON u.usage_type = l.usage_type AND u.product_name = coalesce(l.product_name, '');
CREATE OR REPLACE TEMP VIEW usage_li AS SELECT * FROM li WHERE line_item_type = 'Usage';
SELECT set_config('bc_test.dlv', :'dlv', false), set_config('bc_test.asof', :'asof', false),
	   set_config('bc_test.export', regexp_replace(:'gt', '/ground_truth$', ''), false) \gset
CREATE OR REPLACE FUNCTION pg_temp.loads_picked() RETURNS SETOF bigint LANGUAGE sql AS $$
	SELECT DISTINCT ON (billing_period) load_id FROM bedrock_cost.loads
	 WHERE export_id = (SELECT export_id FROM bedrock_cost.exports WHERE path = current_setting('bc_test.export'))
	   AND CASE WHEN current_setting('bc_test.dlv') = 'latest' THEN status = 'done'
				ELSE status IN ('done', 'superseded') AND load_id <= current_setting('bc_test.asof')::bigint END
	 ORDER BY billing_period, load_id DESC $$;

-- the truth rows under test: the latest deliveries, or delivery N of the
-- periods that had a load by :asof
CREATE OR REPLACE FUNCTION pg_temp.pick(latest bool, delivery int, period date) RETURNS bool
	LANGUAGE sql AS $$
	SELECT CASE WHEN current_setting('bc_test.dlv') = 'latest' THEN latest
				ELSE delivery = current_setting('bc_test.dlv')::int
				 AND period IN (SELECT billing_period FROM bedrock_cost.loads
								 WHERE load_id IN (SELECT pg_temp.loads_picked())) END $$;

CREATE OR REPLACE TEMP VIEW checks AS
WITH
mine_lit AS (
	SELECT l.billing_period, t.line_item_type, t.is_bedrock, t.rows AS line_items,
		   t.unblended_cost AS cost, t.net_unblended_cost AS net_cost
	  FROM bedrock_cost.load_totals t JOIN bedrock_cost.loads l USING (load_id)
	 WHERE load_id IN (SELECT pg_temp.loads_picked())),
mine_lit_rows AS (
	SELECT billing_period, line_item_type, true AS is_bedrock, count(*) AS line_items,
		   sum(unblended_cost) AS cost, sum(net_unblended_cost) AS net_cost
	  FROM li GROUP BY 1, 2),
gt_lit_p AS (SELECT billing_period, line_item_type, is_bedrock, line_items, cost, net_cost
			   FROM gt_lit WHERE pg_temp.pick(latest, delivery, billing_period)),
mine_principal AS (
	SELECT billing_period, principal::text AS principal, count(*) AS line_items,
		   sum(unblended_cost) AS cost, sum(net_unblended_cost) AS net_cost,
		   coalesce(sum(tokens) FILTER (WHERE token_kind = 'input'), 0) AS i,
		   coalesce(sum(tokens) FILTER (WHERE token_kind = 'output'), 0) AS o,
		   coalesce(sum(tokens) FILTER (WHERE token_kind = 'cache_read'), 0) AS cr,
		   coalesce(sum(tokens) FILTER (WHERE token_kind = 'cache_write'), 0) AS cw
	  FROM usage_li WHERE principal IS NOT NULL GROUP BY 1, 2),
gt_principal_p AS (
	SELECT billing_period, principal, line_items, cost, net_cost, input_tokens,
		   output_tokens, cache_read_tokens, cache_write_tokens
	  FROM gt_principal WHERE pg_temp.pick(latest, delivery, billing_period)),
keys AS (
	SELECT DISTINCT billing_period, substr(k, 14) AS tag_key
	  FROM usage_li, jsonb_object_keys(tags) AS k WHERE k LIKE 'iamPrincipal/%'),
mine_tag AS (
	SELECT k.billing_period, k.tag_key, li.tags ->> ('iamPrincipal/' || k.tag_key) AS tag_value,
		   (li.tags ->> ('iamPrincipal/' || k.tag_key)) IS NULL AS untagged,
		   count(*) AS line_items, sum(unblended_cost) AS cost, sum(net_unblended_cost) AS net_cost,
		   coalesce(sum(tokens) FILTER (WHERE token_kind = 'input'), 0) AS i,
		   coalesce(sum(tokens) FILTER (WHERE token_kind = 'output'), 0) AS o,
		   coalesce(sum(tokens) FILTER (WHERE token_kind = 'cache_read'), 0) AS cr,
		   coalesce(sum(tokens) FILTER (WHERE token_kind = 'cache_write'), 0) AS cw
	  FROM keys k JOIN usage_li li USING (billing_period) GROUP BY 1, 2, 3, 4),
gt_tag_p AS (
	SELECT billing_period, tag_key, tag_value, untagged, line_items, cost, net_cost, input_tokens,
		   output_tokens, cache_read_tokens, cache_write_tokens
	  FROM gt_tag WHERE pg_temp.pick(latest, delivery, billing_period)),
mine_model AS (
	SELECT billing_period, model, token_kind, count(*) AS line_items,
		   coalesce(sum(tokens) FILTER (WHERE token_kind IN ('input', 'output', 'cache_read', 'cache_write')), 0) AS tokens,
		   sum(unblended_cost) AS cost, sum(net_unblended_cost) AS net_cost
	  FROM usage_li GROUP BY 1, 2, 3),
gt_model_p AS (SELECT billing_period, model, token_kind, line_items, tokens, cost, net_cost
				 FROM gt_model WHERE pg_temp.pick(latest, delivery, billing_period)),
mine_usage AS (
	SELECT billing_period, product_code, usage_type, model, token_kind, pricing_unit, count(*) AS line_items,
		   coalesce(sum(tokens) FILTER (WHERE token_kind IN ('input', 'output', 'cache_read', 'cache_write')), 0) AS tokens,
		   sum(unblended_cost) AS cost, sum(net_unblended_cost) AS net_cost
	  FROM usage_li GROUP BY 1, 2, 3, 4, 5, 6),
gt_usage_p AS (SELECT billing_period, product_code, usage_type, model, token_kind, pricing_unit,
					  line_items, tokens, cost, net_cost
				 FROM gt_usage WHERE pg_temp.pick(latest, delivery, billing_period)),
mine_summary AS (
	SELECT billing_period, 'total' AS measure, sum(line_items) AS line_items, sum(cost) AS cost FROM mine_lit GROUP BY 1
	UNION ALL SELECT billing_period, 'bedrock', count(*), sum(unblended_cost) FROM li GROUP BY 1
	UNION ALL SELECT billing_period, 'bedrock_usage', count(*), sum(unblended_cost) FROM usage_li GROUP BY 1
	UNION ALL SELECT billing_period, 'attributed', count(*), sum(unblended_cost) FROM usage_li WHERE principal IS NOT NULL GROUP BY 1
	UNION ALL SELECT billing_period, 'unattributed', count(*), sum(unblended_cost) FROM usage_li WHERE principal IS NULL GROUP BY 1),
gt_summary_p AS (SELECT billing_period, measure, line_items, cost FROM gt_summary
				  WHERE pg_temp.pick(latest, delivery, billing_period)
					AND measure IN ('total', 'bedrock', 'bedrock_usage', 'attributed', 'unattributed')
					AND line_items > 0)
SELECT 'by_line_item_type (ledger)' AS check_name, (SELECT count(*) FROM gt_lit_p) AS truth_rows,
	   (SELECT count(*) FROM ((SELECT * FROM gt_lit_p EXCEPT SELECT * FROM mine_lit)
							 UNION ALL (SELECT * FROM mine_lit EXCEPT SELECT * FROM gt_lit_p)) x) AS mismatches
UNION ALL
SELECT 'by_line_item_type (rows)', (SELECT count(*) FROM gt_lit_p WHERE is_bedrock),
	   (SELECT count(*) FROM ((SELECT * FROM gt_lit_p WHERE is_bedrock EXCEPT SELECT * FROM mine_lit_rows)
							 UNION ALL (SELECT * FROM mine_lit_rows EXCEPT SELECT * FROM gt_lit_p WHERE is_bedrock)) x)
UNION ALL
SELECT 'by_principal', (SELECT count(*) FROM gt_principal_p),
	   (SELECT count(*) FROM ((SELECT * FROM gt_principal_p EXCEPT SELECT * FROM mine_principal)
							 UNION ALL (SELECT * FROM mine_principal EXCEPT SELECT * FROM gt_principal_p)) x)
UNION ALL
SELECT 'by_tag', (SELECT count(*) FROM gt_tag_p),
	   (SELECT count(*) FROM ((SELECT * FROM gt_tag_p EXCEPT SELECT * FROM mine_tag)
							 UNION ALL (SELECT * FROM mine_tag EXCEPT SELECT * FROM gt_tag_p)) x)
UNION ALL
SELECT 'by_model_token', (SELECT count(*) FROM gt_model_p),
	   (SELECT count(*) FROM ((SELECT * FROM gt_model_p EXCEPT SELECT * FROM mine_model)
							 UNION ALL (SELECT * FROM mine_model EXCEPT SELECT * FROM gt_model_p)) x)
UNION ALL
SELECT 'by_usage_type', (SELECT count(*) FROM gt_usage_p),
	   (SELECT count(*) FROM ((SELECT * FROM gt_usage_p EXCEPT SELECT * FROM mine_usage)
							 UNION ALL (SELECT * FROM mine_usage EXCEPT SELECT * FROM gt_usage_p)) x)
UNION ALL
SELECT 'summary', (SELECT count(*) FROM gt_summary_p),
	   (SELECT count(*) FROM ((SELECT * FROM gt_summary_p EXCEPT SELECT * FROM mine_summary)
							 UNION ALL (SELECT * FROM mine_summary EXCEPT SELECT * FROM gt_summary_p)) x);
\pset format unaligned
\pset tuples_only on
\pset fieldsep ' '
SELECT check_name, truth_rows, mismatches FROM checks;
