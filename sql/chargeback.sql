-- chargeback.sql: the chargeback views on a small hand-made delivery whose
-- every number is checked by hand: per principal, per tag (untagged bucket),
-- per model, allocation over all usage (largest remainder; a credit pool
-- larger than the attributed usage), reconciliation, as-of after a
-- restatement in the cost basis of that load, cost basis, concurrent refresh
-- inside a transaction, the export columns (one bill synced twice)
CREATE EXTENSION IF NOT EXISTS bedrock_cost;
SET client_min_messages = warning;

-- a delivery loaded the way the loader does it: table, rows, totals, swap
CREATE FUNCTION pg_temp.fixture_load(p_load_id bigint, p_rows text, p_export integer DEFAULT 901)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO bedrock_cost.exports (export_id, path)
	VALUES (p_export, CASE p_export WHEN 901 THEN '/test/chargeback' ELSE '/test/chargeback-' || p_export END)
	ON CONFLICT DO NOTHING;
	INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, status, started_at, data_table)
	VALUES (p_load_id, p_export, '2026-05-01', 'file', 'running', now(), 'line_items_l' || p_load_id);
	PERFORM bedrock_cost._create_load_table(p_load_id, '2026-05-01', p_export);
	EXECUTE format($f$
	INSERT INTO bedrock_cost.line_items_l%s
		(billing_period, export_id, load_id, file_no, line_number, usage_start, usage_end, line_item_type,
		 payer_account_id, usage_account_id, billing_entity, product_code, usage_type, usage_amount, tokens,
		 unblended_cost, net_unblended_cost, principal, tags)
	SELECT '2026-05-01', %s, %s, 1, n + 1, ts::timestamptz, ts::timestamptz + interval '1 hour', lit,
		   '111111111111', acct, 'AWS', 'AmazonBedrock', ut,
		   CASE WHEN lit = 'Usage' THEN tok / 1000.0 ELSE 1 END,
		   CASE WHEN lit = 'Usage' THEN tok END,
		   cost, net::numeric, p::bedrock_cost.iam_arn, tg::jsonb
	  FROM (VALUES %s) AS v(n, ts, lit, acct, ut, tok, cost, net, p, tg)$f$, p_load_id, p_export, p_load_id, p_rows);
	EXECUTE format($f$
	INSERT INTO bedrock_cost.load_totals (load_id, line_item_type, is_bedrock, rows, unblended_cost, net_unblended_cost)
	SELECT %s, line_item_type, true, count(*), sum(unblended_cost), sum(net_unblended_cost)
	  FROM bedrock_cost.line_items_l%s GROUP BY line_item_type$f$, p_load_id, p_load_id);
	-- the usage types seen, with their parts, as the loader records them
	EXECUTE format($f$
	INSERT INTO bedrock_cost.usage_types
	SELECT t.usage_type, t.product_name, p.*
	  FROM (SELECT DISTINCT usage_type, coalesce(product_name, '') AS product_name
			  FROM bedrock_cost.line_items_l%s) AS t,
		   LATERAL bedrock_cost.parse_usage_type(t.usage_type, nullif(t.product_name, '')) AS p
	ON CONFLICT (usage_type, product_name) DO NOTHING$f$, p_load_id);
	PERFORM bedrock_cost._summarize_load_table(p_load_id);
	PERFORM bedrock_cost._index_summaries(p_load_id);
	PERFORM bedrock_cost._swap_in(p_load_id);
END
$$;

-- delivery 1: alice (DataSci session, team ds, cost-center 12345), bob (IAM user,
-- team web, cost-center 67890), carol (untagged, other account), unattributed
-- batch usage, Tax and a Credit
SELECT pg_temp.fixture_load(9001, $rows$
	(1, '2026-05-03 10:00Z', 'Usage', '222222222222', 'USE1-Claude4.6Sonnet-input-tokens', 1000000, 3.00, 2.70,
	 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org', '{"iamPrincipal/team":"ds","iamPrincipal/cost-center":"12345","resourceTags/app":"x"}'),
	(2, '2026-05-03 11:00Z', 'Usage', '222222222222', 'USE1-Claude4.6Sonnet-output-tokens', 100000, 1.50, 1.35,
	 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org', '{"iamPrincipal/team":"ds","iamPrincipal/cost-center":"12345"}'),
	(3, '2026-05-04 10:00Z', 'Usage', '222222222222', 'USE1-Claude4.6Sonnet-input-tokens', 200000, 0.60, 0.54,
	 'arn:aws:iam::222222222222:user/bob', '{"iamPrincipal/team":"web","iamPrincipal/cost-center":"67890"}'),
	(4, '2026-05-04 10:00Z', 'Usage', '222222222222', 'USE1-Claude4.6Sonnet-cache-read-input-token-count', 500000, 0.15, 0.135,
	 'arn:aws:iam::222222222222:user/bob', '{"iamPrincipal/team":"web","iamPrincipal/cost-center":"67890"}'),
	(5, '2026-05-05 10:00Z', 'Usage', '333333333333', 'USE1-Claude4.6Sonnet-output-tokens', 10000, 0.15, 0.15,
	 'arn:aws:sts::333333333333:assumed-role/App/session1', '{}'),
	(6, '2026-05-05 10:00Z', 'Usage', '222222222222', 'USE1-Claude4.6Sonnet-input-tokens-batch', 100000, 0.25, 0.25,
	 NULL, '{}'),
	(7, '2026-05-01 00:00Z', 'Tax', '222222222222', 'Tax', 0, 0.47, 0.47, NULL, '{}'),
	(8, '2026-05-01 00:00Z', 'Credit', '222222222222', 'Credit', 0, -1.00, -1.00, NULL, '{}'),
	(9, '2026-05-01 00:00Z', 'Tax', '333333333333', 'Tax', 0, 0.03, 0.03, NULL, '{}')
$rows$);

-- refresh inside a transaction block, concurrently (the default), as the loader does
BEGIN;
SELECT bedrock_cost.refresh_chargeback();
COMMIT;

-- exports, too small for autovacuum ever to analyse it, was analysed by the
-- refresh: the planner knows its rows (and joins a period's rows to their
-- export by hashing the export, not the rows)
SELECT c.relpages, c.reltuples, (SELECT count(*) FROM bedrock_cost.exports) AS exports
  FROM pg_catalog.pg_class AS c WHERE c.oid = 'bedrock_cost.exports'::regclass;

SELECT attribution, line_item_type, usage_account_id, principal_arn, principal_type, principal_account_id,
	   role_arn, role_name, person, principal_tags, cost, cost_basis,
	   input_tokens AS inp, output_tokens AS outp, cache_read_tokens AS cr, cache_write_tokens AS cw,
	   total_tokens AS tot, line_items AS n
  FROM bedrock_cost.chargeback_by_principal ORDER BY 1, 2, 3, 4;
SELECT pg_typeof(principal) AS principal_type, count(*) FROM bedrock_cost.chargeback_by_principal GROUP BY 1;

-- per tag: every key seen, the (untagged) bucket, values of a key add up to the month
SELECT tag_key, tag_name, tag_value, untagged, attribution, cost, total_tokens, principals, line_items
  FROM bedrock_cost.chargeback_by_tag ORDER BY 1, 3, 5;
SELECT tag_key, sum(cost) AS key_total,
	   (SELECT sum(cost) FROM bedrock_cost.chargeback_by_principal) AS month_total
  FROM bedrock_cost.chargeback_by_tag GROUP BY 1 ORDER BY 1;
-- any key of the tags map is a dimension, with its source; principal tags of
-- the same row stay what they were (alice's ds spend is also resource app x)
SELECT DISTINCT tag_key, tag_source, tag_name FROM bedrock_cost.chargeback_by_tag ORDER BY 1;
SELECT bedrock_cost.tag_source(k) AS source, bedrock_cost.tag_name(k) AS name
  FROM unnest(ARRAY['iamPrincipal/cost-center', 'resourceTags/user:project', 'resourceTags/aws:createdBy',
					'accountTag/department', 'userAttribute/Department', 'costCategory/a/b', 'bare']) AS k;
-- a budget on a resource tag: row 1 (3.00) is the only one tagged app = x
INSERT INTO bedrock_cost.budgets (name, scope, tag_key, tag_value, monthly_amount)
VALUES ('app x', 'tag', 'resourceTags/app', 'x', 10), ('app y', 'tag', 'resourceTags/app', 'y', 10);
SELECT name, billing_period, spent, state FROM bedrock_cost.budget_status ORDER BY 1, 2;
DELETE FROM bedrock_cost.budgets;
INSERT INTO bedrock_cost.budgets (name, scope, tag_key, tag_value, monthly_amount)
VALUES ('no prefix', 'tag', 'team', 'ds', 10);
-- the type and name of a resource ARN
SELECT x AS resource_id, (bedrock_cost.resource_parts(x)).*
  FROM unnest(ARRAY['arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3d4e5f6',
					'arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-3-5-sonnet-20240620-v1:0',
					'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2',
					'i-0abc', 'arn:aws:bedrock:us-east-1:1:nothing']) AS x;
-- per resource: the fixture names none, so all usage is resource_id NULL and adds up
SELECT usage_account_id, resource_id, vendor, model_key, cost, input_tokens, output_tokens, principals, line_items
  FROM bedrock_cost.chargeback_by_resource ORDER BY 1, 4;
-- FOCUS: one row per line item, the costs as loaded, the period bounds as timestamps
SELECT "ChargeCategory", "ChargeClass", count(*), sum("BilledCost") AS billed, sum("EffectiveCost") AS effective,
	   sum("ContractedCost") AS contracted, min("BillingPeriodStart") AS period_start,
	   min("BillingPeriodEnd") AS period_end, min("BillingCurrency") AS currency,
	   min("ServiceSubcategory") AS subcategory, count("PricingCategory") AS priced
  FROM bedrock_cost.focus_bedrock GROUP BY 1, 2 ORDER BY 1, 2;
-- the usage-type parts FOCUS shows are the parser's, from the chargeback's
-- parsed usage types or, for a period not refreshed yet, from those the
-- loader recorded (usage_types): a join, no parse per row
SELECT count(*) AS rows, count(*) FILTER (WHERE (f."x_Model", f."x_Tier", f."RegionId")
		IS DISTINCT FROM (u.model, u.tier, u.region)) AS differ
  FROM bedrock_cost.focus_bedrock AS f, bedrock_cost.parse_usage_type(f."x_UsageType") AS u;
BEGIN;
DELETE FROM bedrock_cost.chargeback_usage_types;
SELECT count(*) AS rows, count(*) FILTER (WHERE (f."x_Model", f."x_Tier", f."RegionId")
		IS DISTINCT FROM (u.model, u.tier, u.region)) AS differ, count(f."x_Model") AS with_model
  FROM bedrock_cost.focus_bedrock AS f, bedrock_cost.parse_usage_type(f."x_UsageType") AS u;
ROLLBACK;
-- one value when several sources name a tag: the principal tag wins, then
-- the resource tag, the account tag, the user attribute, the cost category
SELECT bedrock_cost.tag_value(t, 'team') AS team
  FROM unnest(ARRAY[
	'{"iamPrincipal/team":"p","resourceTags/user:team":"r","accountTag/team":"a"}',
	'{"resourceTags/user:team":"r","accountTag/team":"a","userAttribute/team":"u"}',
	'{"resourceTags/team":"r2","accountTag/team":"a"}',
	'{"accountTag/team":"a","userAttribute/team":"u","costCategory/team":"c"}',
	'{"userAttribute/team":"u","costCategory/team":"c"}',
	'{"costCategory/team":"c"}',
	'{"iamPrincipal/cost-center":"1"}']::jsonb[]) WITH ORDINALITY AS x(t, i) ORDER BY i;

-- per model, cost per million tokens
SELECT model, model_key, token_kind, tier, routing, region, recognized, tokens, cost,
	   cost_per_million_tokens, principals, line_items
  FROM bedrock_cost.usage_by_model ORDER BY 1, 3, 4;

-- daily
SELECT usage_date, attribution, principal_arn, person, model, cost, total_tokens
  FROM bedrock_cost.chargeback_daily ORDER BY 1, 2, 3, 6;

-- allocation over all usage: account 222222222222 has a pool of 0.47 - 1.00 =
-- -0.53 for alice (4.50), bob (0.75) and the unattributed usage (0.25), 5.50 in
-- all: exact shares of 53 cents 43.3636, 7.2273 and 2.4091, floors 43 + 7 + 2 =
-- 52, the spare cent to the largest remainder (unattributed, .4091); account
-- 333333333333: 0.03 all to carol
SELECT usage_account_id, attribution, principal_arn, usage_cost, allocated_cost, cost
  FROM bedrock_cost.chargeback_allocated ORDER BY 1, 2, 3;
SELECT DISTINCT allocation_basis FROM bedrock_cost.chargeback_allocated;
SELECT sum(cost) AS allocated_total,
	   (SELECT sum(cost) FROM bedrock_cost.chargeback_by_principal) AS chargeback_total
  FROM bedrock_cost.chargeback_allocated;

-- reconciliation: loader columns first, then the chargeback split
SELECT billing_period, line_item_type, file_total, loaded_total, difference,
	   attributed_total, unattributed_total, account_level_total, chargeback_total, chargeback_difference
  FROM bedrock_cost.reconciliation ORDER BY 2;

-- delivery 2 restates May: alice's output drops, a new Tax line, carol unchanged
SELECT pg_temp.fixture_load(9002, $rows$
	(1, '2026-05-03 10:00Z', 'Usage', '222222222222', 'USE1-Claude4.6Sonnet-input-tokens', 1000000, 3.00, 2.70,
	 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org', '{"iamPrincipal/team":"ds","iamPrincipal/cost-center":"12345"}'),
	(2, '2026-05-03 11:00Z', 'Usage', '222222222222', 'USE1-Claude4.6Sonnet-output-tokens', 50000, 0.75, 0.675,
	 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org', '{"iamPrincipal/team":"ds","iamPrincipal/cost-center":"12345"}'),
	(5, '2026-05-05 10:00Z', 'Usage', '333333333333', 'USE1-Claude4.6Sonnet-output-tokens', 10000, 0.15, 0.15,
	 'arn:aws:sts::333333333333:assumed-role/App/session1', '{}'),
	(7, '2026-05-01 00:00Z', 'Tax', '222222222222', 'Tax', 0, 0.38, 0.38, NULL, '{}')
$rows$);
-- before the refresh the reconciliation shows the chargeback is stale
SELECT line_item_type, difference, chargeback_difference FROM bedrock_cost.reconciliation ORDER BY 1;
SELECT bedrock_cost.refresh_chargeback();
SELECT line_item_type, difference, chargeback_difference FROM bedrock_cost.reconciliation ORDER BY 1;
SELECT attribution, line_item_type, principal_arn, cost FROM bedrock_cost.chargeback_by_principal ORDER BY 1, 2, 3;

-- as of the first delivery: the earlier numbers; as of the second: the current view
SELECT attribution, line_item_type, principal_arn, cost
  FROM bedrock_cost.chargeback_by_principal_as_of(9001) ORDER BY 1, 2, 3, 4;
SELECT count(*) AS differing_rows FROM (
	(SELECT * FROM bedrock_cost.chargeback_by_principal_as_of(9002)
	 EXCEPT ALL SELECT * FROM bedrock_cost.chargeback_by_principal)
	UNION ALL
	(SELECT * FROM bedrock_cost.chargeback_by_principal
	 EXCEPT ALL SELECT * FROM bedrock_cost.chargeback_by_principal_as_of(9002))) AS d;

-- cost basis: net unblended
SELECT bedrock_cost.set_cost_basis('net_unblended');
SELECT bedrock_cost.refresh_chargeback(false);
SELECT principal_arn, cost, cost_basis, unblended_cost, net_unblended_cost
  FROM bedrock_cost.chargeback_by_principal WHERE attribution = 'attributed' ORDER BY 1;
SELECT DISTINCT cost_basis FROM bedrock_cost.chargeback_by_tag;

-- delivery 3 restates May again, loaded while the basis is net unblended, as a
-- largest remainder tie: a 0.1000000004 pool over three equal principals (u1
-- wins the tie by ARN order; the sub-cent residue stays on its own line)
SELECT pg_temp.fixture_load(9003, $rows$
	(1, '2026-05-03 10:00Z', 'Usage', '444444444444', 'USE1-Claude4.6Sonnet-input-tokens', 1000, 1.00, 0.90,
	 'arn:aws:iam::444444444444:user/u1', '{"iamPrincipal/team":"a"}'),
	(2, '2026-05-03 10:00Z', 'Usage', '444444444444', 'USE1-Claude4.6Sonnet-input-tokens', 1000, 1.00, 0.90,
	 'arn:aws:iam::444444444444:user/u2', '{}'),
	(3, '2026-05-03 10:00Z', 'Usage', '444444444444', 'USE1-Claude4.6Sonnet-input-tokens', 1000, 1.00, 0.90,
	 'arn:aws:iam::444444444444:user/u3', '{}'),
	(4, '2026-05-01 00:00Z', 'Tax', '444444444444', 'Tax', 0, 0.1000000004, 0.1000000004, NULL, '{}')
$rows$);
SELECT bedrock_cost.set_cost_basis('unblended');
SELECT bedrock_cost.refresh_chargeback();
SELECT attribution, principal_arn, usage_cost, allocated_cost, cost
  FROM bedrock_cost.chargeback_allocated ORDER BY 1, 2;
SELECT sum(allocated_cost) AS allocated, sum(cost) AS total FROM bedrock_cost.chargeback_allocated;

-- as of a delivery, in the cost basis in force when it was loaded: 9001 and
-- 9002 unblended, 9003 net unblended (the setting is unblended again now)
SELECT load_id, cost_basis FROM bedrock_cost.loads WHERE export_id = 901 ORDER BY 1;
SELECT DISTINCT cost_basis AS current_basis FROM bedrock_cost.chargeback_by_principal;
SELECT 9002 AS as_of, principal_arn, cost, cost_basis, unblended_cost, net_unblended_cost
  FROM bedrock_cost.chargeback_by_principal_as_of(9002) WHERE attribution = 'attributed'
UNION ALL
SELECT 9003, principal_arn, cost, cost_basis, unblended_cost, net_unblended_cost
  FROM bedrock_cost.chargeback_by_principal_as_of(9003) WHERE attribution = 'attributed'
 ORDER BY 1, 2;
-- an unknown load id reads nothing, in the current basis
SELECT count(*) FROM bedrock_cost.chargeback_by_principal_as_of(1);

-- the same bill synced into a second folder: every view tells the two exports
-- apart (export_id, export_name, export), so the double count is visible
SELECT pg_temp.fixture_load(9011, $rows$
	(1, '2026-05-03 10:00Z', 'Usage', '444444444444', 'USE1-Claude4.6Sonnet-input-tokens', 1000, 1.00, 0.90,
	 'arn:aws:iam::444444444444:user/u1', '{"iamPrincipal/team":"a"}'),
	(2, '2026-05-03 10:00Z', 'Usage', '444444444444', 'USE1-Claude4.6Sonnet-input-tokens', 1000, 1.00, 0.90,
	 'arn:aws:iam::444444444444:user/u2', '{}'),
	(3, '2026-05-03 10:00Z', 'Usage', '444444444444', 'USE1-Claude4.6Sonnet-input-tokens', 1000, 1.00, 0.90,
	 'arn:aws:iam::444444444444:user/u3', '{}'),
	(4, '2026-05-01 00:00Z', 'Tax', '444444444444', 'Tax', 0, 0.1000000004, 0.1000000004, NULL, '{}')
$rows$, 911);
UPDATE bedrock_cost.exports SET export_name = 'copy' WHERE export_id = 911;
SELECT bedrock_cost.refresh_chargeback();
SELECT 'chargeback_by_principal' AS view, export_id, export_name, export, sum(cost) AS cost, count(*) AS rows
  FROM bedrock_cost.chargeback_by_principal GROUP BY 2, 3, 4
UNION ALL
SELECT 'chargeback_by_tag (team)', export_id, export_name, export, sum(cost), count(*)
  FROM bedrock_cost.chargeback_by_tag WHERE tag_name = 'team' GROUP BY 2, 3, 4
UNION ALL
SELECT 'usage_by_model', export_id, export_name, export, sum(cost), count(*)
  FROM bedrock_cost.usage_by_model GROUP BY 2, 3, 4
UNION ALL
SELECT 'chargeback_daily', export_id, export_name, export, sum(cost), count(*)
  FROM bedrock_cost.chargeback_daily GROUP BY 2, 3, 4
UNION ALL
SELECT 'chargeback_allocated', export_id, export_name, export, sum(cost), count(*)
  FROM bedrock_cost.chargeback_allocated GROUP BY 2, 3, 4
UNION ALL
SELECT 'bi_chargeback_by_principal', export_id, export_name, export, sum(cost), count(*)
  FROM bedrock_cost.bi_chargeback_by_principal GROUP BY 2, 3, 4
UNION ALL
SELECT 'bi_principal_tags', export_id, export_name, export, sum(cost), count(*)
  FROM bedrock_cost.bi_principal_tags GROUP BY 2, 3, 4
UNION ALL
SELECT 'bi_chargeback_by_tag (team)', export_id, export_name, export, sum(cost), count(*)
  FROM bedrock_cost.bi_chargeback_by_tag WHERE tag_name = 'team' GROUP BY 2, 3, 4
UNION ALL
SELECT 'bi_usage_by_model', export_id, export_name, export, sum(cost), count(*)
  FROM bedrock_cost.bi_usage_by_model GROUP BY 2, 3, 4
UNION ALL
SELECT 'bi_daily', export_id, export_name, export, sum(cost), count(*)
  FROM bedrock_cost.bi_daily GROUP BY 2, 3, 4
UNION ALL
SELECT 'bi_chargeback_allocated', export_id, export_name, export, sum(cost), count(*)
  FROM bedrock_cost.bi_chargeback_allocated GROUP BY 2, 3, 4
 ORDER BY 1, 2;
-- each export's pool is spread over that export's usage only
SELECT export_id, attribution, principal_arn, usage_cost, allocated_cost, cost
  FROM bedrock_cost.chargeback_allocated ORDER BY 1, 2, 3;

-- a credit pool larger than the attributed usage (export 912): account
-- 555555555555 has p1 30.00, p2 10.86 and 959.14 of unattributed usage (1000.00)
-- and a -404.68 credit. Spread over all usage, exact shares of 40468 cents are
-- 1214.04, 439.48248 and 38814.47752: floors 1214 + 439 + 38814 = 40467, the
-- spare cent to p2 (.48248): p1 -12.14 (17.86), p2 -4.40 (6.46), unattributed
-- -388.14 (571.00), no line negative. Over the attributed usage alone p1 would
-- have taken -297.12 (-267.12). Account 666666666666: a -15.00 credit on 10.00
-- of usage, the pool exceeds the usage: p3 -5.00.
SELECT pg_temp.fixture_load(9012, $rows$
	(1, '2026-05-03 10:00Z', 'Usage', '555555555555', 'USE1-Claude4.6Sonnet-input-tokens', 10000, 30.00, 30.00,
	 'arn:aws:iam::555555555555:user/p1', '{}'),
	(2, '2026-05-03 10:00Z', 'Usage', '555555555555', 'USE1-Claude4.6Sonnet-input-tokens', 3620, 10.86, 10.86,
	 'arn:aws:iam::555555555555:user/p2', '{}'),
	(3, '2026-05-03 10:00Z', 'Usage', '555555555555', 'USE1-Claude4.6Sonnet-input-tokens', 319713, 959.14, 959.14,
	 NULL, '{}'),
	(4, '2026-05-01 00:00Z', 'Credit', '555555555555', 'Credit', 0, -404.68, -404.68, NULL, '{}'),
	(5, '2026-05-03 10:00Z', 'Usage', '666666666666', 'USE1-Claude4.6Sonnet-input-tokens', 3333, 10.00, 10.00,
	 'arn:aws:iam::666666666666:user/p3', '{}'),
	(6, '2026-05-01 00:00Z', 'Credit', '666666666666', 'Credit', 0, -15.00, -15.00, NULL, '{}')
$rows$, 912);
SELECT bedrock_cost.refresh_chargeback();
SELECT usage_account_id, attribution, principal_arn, usage_cost, allocated_cost, cost
  FROM bedrock_cost.chargeback_allocated WHERE export_id = 912 ORDER BY 1, 2, 3;
SELECT usage_account_id, sum(allocated_cost) AS shares, sum(cost) AS total,
	   count(*) FILTER (WHERE cost < 0) AS negative_lines
  FROM bedrock_cost.chargeback_allocated WHERE export_id = 912 GROUP BY 1 ORDER BY 1;
SELECT usage_account_id, attribution, principal_arn, usage_cost, allocated_cost, cost
  FROM bedrock_cost.bi_chargeback_allocated WHERE export_id = 912 ORDER BY 1, 2, 3;

-- reconciliation of a file without net costs (export 913): zeros, not NULLs
SELECT pg_temp.fixture_load(9013, $rows$
	(1, '2026-05-03 10:00Z', 'Usage', '777777777777', 'USE1-Claude4.6Sonnet-input-tokens', 1000, 0.25, NULL,
	 'arn:aws:iam::777777777777:user/q', '{}'),
	(2, '2026-05-01 00:00Z', 'Tax', '777777777777', 'Tax', 0, 0.02, NULL, NULL, '{}')
$rows$, 913);
SELECT bedrock_cost.refresh_chargeback();
SELECT line_item_type, file_total, loaded_total, difference, file_net_total, loaded_net_total, net_difference,
	   rejected_rows, other_rows, other_total, chargeback_difference
  FROM bedrock_cost.reconciliation WHERE export_id = 913 ORDER BY 1;
-- the file had net costs that did not land: the difference shows, never NULL
UPDATE bedrock_cost.load_totals SET net_unblended_cost = 0.2 WHERE load_id = 9013 AND line_item_type = 'Usage';
SELECT line_item_type, file_net_total, loaded_net_total, net_difference
  FROM bedrock_cost.reconciliation WHERE export_id = 913 ORDER BY 1;
SELECT count(*) AS unreconciled FROM bedrock_cost.reconciliation
 WHERE difference <> 0 OR net_difference <> 0 OR chargeback_difference <> 0;

-- every chargeback table has a unique index on its grain, but the two that
-- project the summaries row for row (chargeback_base, chargeback_daily) ...
SELECT c.relname,
	   EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique
				AND i.indexprs IS NULL AND i.indpred IS NULL) AS has_unique_index
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'bedrock_cost' AND c.relname = ANY (bedrock_cost._chargeback_tables()) ORDER BY 1;
-- ... whose grain is unique in every current delivery's summaries, NULLs not
-- distinct (partitions of usage_period and usage_daily)
SELECT p.relname, count(*) AS deliveries,
	   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique
										AND i.indnullsnotdistinct AND i.indnatts = p.grain_columns)) AS unique_on_grain
  FROM (VALUES ('usage_period', 12), ('usage_daily', 9)) AS p(relname, grain_columns)
  JOIN pg_inherits h ON h.inhparent = ('bedrock_cost.' || p.relname)::regclass
  JOIN pg_class c ON c.oid = h.inhrelid
 GROUP BY p.relname ORDER BY 1;
-- a grain twice in a delivery's summary is refused, a NULL principal too
CREATE TEMP TABLE grain_probe (summary text, rows_where text, twice text);
DO $$
DECLARE
	summary text;
	probe text;
BEGIN
	FOREACH summary IN ARRAY ARRAY['usage_daily', 'usage_period'] LOOP
		FOREACH probe IN ARRAY ARRAY['principal IS NOT NULL', 'principal IS NULL'] LOOP
			BEGIN
				EXECUTE format('INSERT INTO bedrock_cost.%I SELECT * FROM bedrock_cost.%I WHERE %s LIMIT 1',
							   summary, summary, probe);
				INSERT INTO grain_probe VALUES (summary, probe, 'accepted');
			EXCEPTION WHEN unique_violation THEN
				INSERT INTO grain_probe VALUES (summary, probe, 'refused');
			END;
		END LOOP;
	END LOOP;
END
$$;
SELECT * FROM grain_probe ORDER BY 1, 2;
DROP TABLE grain_probe;

-- every view, chargeback table and their columns are documented
SELECT c.relname, a.attname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname = 'bedrock_cost' AND c.relkind IN ('v', 'r')
   AND (c.relname LIKE 'bi\_%' OR c.relname LIKE 'chargeback%' OR c.relname = 'usage_by_model')
   AND col_description(c.oid, a.attnum) IS NULL
 ORDER BY 1, 2;
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'bedrock_cost' AND c.relkind IN ('v', 'r', 'p') AND obj_description(c.oid, 'pg_class') IS NULL
   AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e');

-- the bi_* views declare exact types (drivers report precision and scale):
-- no unconstrained numeric, costs numeric(38,16), tokens and counts bigint
SELECT format_type(a.atttypid, a.atttypmod) AS type,
	   string_agg(DISTINCT a.attname, ' ' ORDER BY a.attname) AS columns
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname = 'bedrock_cost' AND c.relkind = 'v' AND c.relname LIKE 'bi\_%'
   AND a.atttypid IN ('numeric'::regtype, 'bigint'::regtype)
 GROUP BY 1 ORDER BY 1;

-- clean up: the fixture's deliveries leave no rows behind
SELECT bedrock_cost._prune_history(901, '2026-05-01');
DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT data_table FROM bedrock_cost.loads WHERE export_id IN (901, 911, 912, 913) LOOP
		EXECUTE format('DROP TABLE IF EXISTS bedrock_cost.%I', r.data_table);
	END LOOP;
END
$$;
DELETE FROM bedrock_cost.loads WHERE export_id IN (901, 911, 912, 913);
DELETE FROM bedrock_cost.exports WHERE export_id IN (901, 911, 912, 913);
DELETE FROM bedrock_cost.usage_types;
SELECT bedrock_cost.refresh_chargeback();
SELECT count(*) AS leftover FROM bedrock_cost.chargeback_by_principal;
