-- insights.sql: the answers finance asks for, on a small hand-made delivery
-- whose every number is checked by hand: the vendor of every model
-- (model_vendor, its alias override), team model mix with each model's share
-- of the team's cost, usage profiles (ratios, dominant model, workload),
-- spikes (the median of the days before)
CREATE EXTENSION IF NOT EXISTS bedrock_cost;
SET client_min_messages = warning;

-- vendors: the id prefix, then the model family; NULL when unknown
SELECT m, bedrock_cost.model_vendor(m) AS vendor
  FROM (VALUES ('Claude4.6Opus'), ('us.anthropic.claude-opus-4-8'), ('openai.gpt-5.5'), ('gpt-oss-120b'),
			   ('NovaPro'), ('Llama4-Maverick-17B'), ('qwen.qwen3-32b'), ('DeepSeek-R1'),
			   ('Mistral-Large-2407'), ('xai.grok-4.7'), ('acme.widget-1'), ('Widget9000'), (NULL)) AS v(m);
-- a Marketplace product name names the model when the model is NULL
SELECT bedrock_cost.model_vendor(NULL, 'Claude Opus 4.7 (Amazon Bedrock Edition)') AS marketplace_vendor;
-- a model_aliases row with a vendor wins over the rules
INSERT INTO bedrock_cost.model_aliases (alias, model_key, vendor) VALUES ('Widget9000', 'widget-9000', 'acme');
SELECT bedrock_cost.model_vendor('Widget9000') AS aliased, bedrock_cost.model_vendor('widget9000') AS normalised;
DELETE FROM bedrock_cost.model_aliases WHERE alias = 'Widget9000';

-- a July delivery: alice (team ds) on Opus and Sonnet, bob (team web) on
-- Sonnet and Nova, carol (untagged) on gpt-oss, unattributed Guardrails, Tax
INSERT INTO bedrock_cost.exports (export_id, path) VALUES (903, '/test/insights');
INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, status, started_at, data_table)
VALUES (9201, 903, '2026-07-01', 'file', 'running', now(), 'line_items_l9201');
SELECT bedrock_cost._create_load_table(9201, '2026-07-01', 903);
INSERT INTO bedrock_cost.line_items_l9201
	(billing_period, export_id, load_id, file_no, line_number, usage_start, usage_end, line_item_type,
	 payer_account_id, usage_account_id, billing_entity, product_code, usage_type, usage_amount, tokens,
	 unblended_cost, principal, tags)
SELECT '2026-07-01', 903, 9201, 1, n, '2026-07-10 10:00Z', '2026-07-10 11:00Z', lit,
	   '111111111111', '222222222222', 'AWS', 'AmazonBedrock', ut, tok / 1000.0, tok, cost,
	   p::bedrock_cost.iam_arn, tg::jsonb
  FROM (VALUES
	(1, 'Usage', 'USE1-Claude4.6Opus-input-tokens', 400000, 6.00,
	 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org', '{"iamPrincipal/team":"ds"}'),
	(2, 'Usage', 'USE1-Claude4.6Sonnet-output-tokens', 50000, 2.00,
	 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org', '{"iamPrincipal/team":"ds"}'),
	(3, 'Usage', 'USE1-Claude4.6Sonnet-input-tokens', 300000, 1.00,
	 'arn:aws:iam::222222222222:user/bob', '{"iamPrincipal/team":"web"}'),
	(4, 'Usage', 'USE1-NovaPro-output-tokens', 100000, 0.50,
	 'arn:aws:iam::222222222222:user/bob', '{"iamPrincipal/team":"web"}'),
	(8, 'Usage', 'USE1-Claude4.6Sonnet-cache-read-input-token-count', 100000, 0.03,
	 'arn:aws:iam::222222222222:user/bob', '{"iamPrincipal/team":"web"}'),
	(5, 'Usage', 'USE1-gpt-oss-120b-output-tokens', 20000, 0.25,
	 'arn:aws:sts::222222222222:assumed-role/App/carol', '{}'),
	(6, 'Usage', 'USE1-Guardrail-ContentPolicyUnitsConsumed', NULL, 0.10, NULL, '{}'),
	(7, 'Tax', 'Tax', NULL, 0.30, NULL, '{}')
  ) AS v(n, lit, ut, tok, cost, p, tg);
SELECT bedrock_cost._summarize_load_table(9201);
SELECT bedrock_cost._index_summaries(9201);
SELECT bedrock_cost._swap_in(9201);
SELECT bedrock_cost.refresh_chargeback();

-- per vendor, nothing lost: 9.88 of usage (the Tax is account-level)
SELECT vendor, sum(cost) AS cost FROM bedrock_cost.usage_by_model
 WHERE billing_period = '2026-07-01' GROUP BY 1 ORDER BY 1;

-- team model mix: ds 6.00 Opus (0.75) and 2.00 Sonnet (0.25); web 1.03
-- Sonnet (1.03 / 1.53 = 0.673203) and 0.50 Nova (0.326797); the (untagged)
-- bucket holds carol's 0.25 of gpt-oss (0.25 / 0.35) and the unattributed
-- 0.10 of Guardrails
SELECT tag_value, untagged, vendor, model_key, cost, share_of_team, input_tokens, output_tokens,
	   total_tokens, principals, line_items
  FROM bedrock_cost.team_model_mix
 WHERE billing_period = '2026-07-01' AND tag_key = 'iamPrincipal/team'
 ORDER BY 1, 5 DESC;
-- which team drives Opus and which Sonnet (the README's query)
SELECT tag_value AS team,
	   sum(cost) FILTER (WHERE model_key LIKE 'claude-opus%') AS opus,
	   sum(cost) FILTER (WHERE model_key LIKE 'claude-sonnet%') AS sonnet
  FROM bedrock_cost.bi_team_model_mix
 WHERE tag_name = 'team' AND billing_period = '2026-07-01'
 GROUP BY 1 ORDER BY 1;

-- usage profiles (prompt = input + cache read + cache write):
--   alice: prompt 400000, output 50000: 0.125, document-heavy (50000 * 5 <=
--     400000); 8.00 for 450000 tokens: 17.777778 per million; Opus 6.00 / 8.00
--   bob: prompt 400000, output 100000: 0.25, balanced; cache hit 100000 /
--     (300000 + 100000) = 0.25; 1.53 for 500000: 3.06; Sonnet 1.03 / 1.53
--   carol: output only: generation-heavy, no ratio; 0.25 for 20000: 12.5
--   unattributed: Guardrails only, no tokens: no ratio, no model, no label
SELECT coalesce(person, '(unattributed)') AS who, cost, input_tokens, output_tokens, cache_read_tokens,
	   output_input_ratio, cache_hit_ratio, cost_per_million_tokens, dominant_model, dominant_model_share, workload
  FROM bedrock_cost.usage_profile
 WHERE billing_period = '2026-07-01' AND scope = 'principal' ORDER BY 1;
-- per team: ds as alice; web as bob; (untagged) = carol + unattributed
SELECT tag_value, cost, output_input_ratio, cost_per_million_tokens, dominant_model, workload
  FROM bedrock_cost.bi_usage_profile
 WHERE billing_period = '2026-07-01' AND scope = 'tag' AND tag_name = 'team' ORDER BY 1;

-- spikes: the median of the 14 days before, days without usage counting as 0
SELECT bedrock_cost._median_of_days('{5,1}', 14) AS two_days,
	   bedrock_cost._median_of_days('{8,7,6,5,4,3,2,1}', 14) AS eight_days,
	   bedrock_cost._median_of_days('{1,2,3,4,5,6,7,8,9,10,11,12,13,14}', 14) AS fourteen_days,
	   bedrock_cost._median_of_days('{}', 14) AS no_day,
	   bedrock_cost._median_of_days('{3,1,2}', 3) AS odd,
	   bedrock_cost._median_of_days('{1234567.1234567891,1234567.1234567892}', 2) AS exact;
-- credits make negative values: the days without a value sort between them
-- and the others; more values than days; a long array
SELECT bedrock_cost._median_of_days('{-3,5,-1}', 4) AS neg_even,
	   bedrock_cost._median_of_days('{-2,-1}', 2) AS all_neg,
	   bedrock_cost._median_of_days('{-5,2,-7}', 5) AS neg_odd,
	   bedrock_cost._median_of_days('{-5,-6,-7}', 4) AS neg_padded,
	   bedrock_cost._median_of_days('{0,0,7}', 5) AS zeros,
	   bedrock_cost._median_of_days('{9,-1,4,4,2}', 3) AS more_values,
	   bedrock_cost._median_of_days(ARRAY(SELECT g::numeric FROM generate_series(40, 1, -1) AS g), 14) AS forty;
-- a first day of use above the minimum is a spike (its baseline is 0): the
-- usage is on July 10, with 9 known days before it (June is not loaded: its
-- days are unknown, and a day with fewer than 7 known days is not judged)
SELECT bedrock_cost.set_spike_thresholds(3, 1, 100000);
SELECT bedrock_cost.refresh_chargeback();
SELECT usage_date, coalesce(person, '(unattributed)') AS who, tags_text, model, token_kind, cost, baseline_cost,
	   cost_ratio, tokens, spike_on
  FROM bedrock_cost.spikes WHERE billing_period = '2026-07-01' ORDER BY 2, 4, 5;
SELECT bedrock_cost.set_spike_thresholds(3, 10, 10000000);
-- the series reader itself (_spike_days, what refresh computes spikes with)
-- on a cursor of chargeback_daily's columns: one principal's input cost of
-- 10 a day for July 1 to 14, 31 on the 15th (two rows of 15.5, one day),
-- 30 on the 16th.  Without the last column (0.1.0's cursor) every day
-- before counts, June's as days without usage: days 1 to 7 are spikes (7 or
-- fewer of the 14 days before had usage: median 0), day 8 is not (median
-- 5, and 10 is not above 15), day 15 is (31 > 3 x 10), day 16 is not (30 is
-- not above 3 x 10)
BEGIN;
DECLARE days CURSOR FOR
	SELECT '2026-07-01'::date AS billing_period, 1 AS export_id, d::date AS usage_date,
		   'arn:aws:iam::111122223333:user/dana'::text AS principal_arn, 'claude'::text AS model,
		   'dana'::text AS person, NULL::text AS role_arn,
		   (CASE d::date WHEN '2026-07-15' THEN 15.5 WHEN '2026-07-16' THEN 30 ELSE 10 END)::numeric AS input_cost,
		   0::numeric AS input_tokens, 0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric
	  FROM generate_series('2026-07-01'::date, '2026-07-16', '1 day') AS d,
		   generate_series(1, CASE WHEN d::date = '2026-07-15' THEN 2 ELSE 1 END)
	 ORDER BY 3;
SELECT usage_date, principal_arn, person, model, token_kind, cost, baseline_cost, tokens, baseline_tokens, spike_on
  FROM bedrock_cost._spike_days('days', '{2026-07-01}', '{}', 3, 10, 10000000) ORDER BY 1;
CLOSE days;
-- with the last column, whether the month before is loaded: June loaded,
-- the same spikes; June not loaded, its days are unknown: days 1 to 7 have
-- fewer than 7 known days and are not judged, day 8 has 7 (median 10: not
-- a spike), day 15 has 14 (31 > 3 x 10)
DECLARE days CURSOR FOR
	SELECT '2026-07-01'::date AS billing_period, 1 AS export_id, d::date AS usage_date,
		   'arn:aws:iam::111122223333:user/dana'::text AS principal_arn, 'claude'::text AS model,
		   'dana'::text AS person, NULL::text AS role_arn,
		   (CASE d::date WHEN '2026-07-15' THEN 15.5 WHEN '2026-07-16' THEN 30 ELSE 10 END)::numeric AS input_cost,
		   0::numeric AS input_tokens, 0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric,
		   true AS prev_loaded
	  FROM generate_series('2026-07-01'::date, '2026-07-16', '1 day') AS d,
		   generate_series(1, CASE WHEN d::date = '2026-07-15' THEN 2 ELSE 1 END)
	 ORDER BY 3;
SELECT string_agg(to_char(usage_date, 'DD') || ' ' || baseline_cost, ', ' ORDER BY usage_date) AS june_loaded
  FROM bedrock_cost._spike_days('days', '{2026-07-01}', '{}', 3, 10, 10000000);
CLOSE days;
DECLARE days CURSOR FOR
	SELECT '2026-07-01'::date, 1, d::date, 'arn:aws:iam::111122223333:user/dana'::text, 'claude'::text,
		   'dana'::text, NULL::text,
		   (CASE d::date WHEN '2026-07-15' THEN 15.5 WHEN '2026-07-16' THEN 30 ELSE 10 END)::numeric,
		   0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric,
		   false AS prev_loaded
	  FROM generate_series('2026-07-01'::date, '2026-07-16', '1 day') AS d,
		   generate_series(1, CASE WHEN d::date = '2026-07-15' THEN 2 ELSE 1 END)
	 ORDER BY 3;
SELECT usage_date, principal_arn, person, model, token_kind, cost, baseline_cost, tokens, baseline_tokens, spike_on
  FROM bedrock_cost._spike_days('days', '{2026-07-01}', '{}', 3, 10, 10000000) ORDER BY 1;
CLOSE days;
-- the same month as a head (the month after a recomputed one): its first 14 days only
DECLARE days CURSOR FOR
	SELECT '2026-07-01'::date, 1, d::date, NULL::text, NULL::text, NULL::text, NULL::text,
		   0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric, 0::numeric,
		   (CASE d::date WHEN '2026-07-15' THEN 31 ELSE 10 END)::numeric, 20000000::numeric
	  FROM generate_series('2026-07-01'::date, '2026-07-15', '1 day') AS d ORDER BY 3;
SELECT usage_date, principal_arn, model, token_kind, cost, baseline_cost, tokens, baseline_tokens, spike_on
  FROM bedrock_cost._spike_days('days', '{}', '{2026-07-01}', 3, 10, 10000000) ORDER BY 1;
CLOSE days;
-- a cursor of other columns, or none, is an error
DECLARE days CURSOR FOR SELECT 1 AS x;
SELECT * FROM bedrock_cost._spike_days('days', '{2026-07-01}', '{}', 3, 10, 10000000);
ROLLBACK;
SELECT * FROM bedrock_cost._spike_days('no_such_cursor', '{2026-07-01}', '{}', 3, 10, 10000000);

-- clean up: the fixture leaves no rows behind
DROP TABLE bedrock_cost.line_items_l9201;
DELETE FROM bedrock_cost.loads WHERE export_id = 903;
DELETE FROM bedrock_cost.exports WHERE export_id = 903;
SELECT bedrock_cost.refresh_chargeback();
SELECT (SELECT count(*) FROM bedrock_cost.team_model_mix) + (SELECT count(*) FROM bedrock_cost.usage_profile) AS leftover;
