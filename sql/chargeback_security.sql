-- chargeback_security.sql: the reader and admin roles, per-team row-level
-- security on the bi_* views (team_access), and what a reader cannot do
CREATE EXTENSION IF NOT EXISTS bedrock_cost;
SET client_min_messages = warning;

-- a small delivery: alice (team ds, cost-center 12345), bob (team web,
-- cost-center 67890), carol (untagged), unattributed usage and Tax
INSERT INTO bedrock_cost.exports (export_id, path) VALUES (902, '/test/chargeback_security');
INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, status, started_at, data_table)
VALUES (9101, 902, '2026-06-01', 'file', 'running', now(), 'line_items_l9101');
SELECT bedrock_cost._create_load_table(9101, '2026-06-01', 902);
INSERT INTO bedrock_cost.line_items_l9101
	(billing_period, export_id, load_id, file_no, line_number, usage_start, usage_end, line_item_type,
	 payer_account_id, usage_account_id, billing_entity, product_code, usage_type, usage_amount, tokens,
	 unblended_cost, principal, tags)
SELECT '2026-06-01', 902, 9101, 1, n + 1, '2026-06-10 10:00Z', '2026-06-10 11:00Z', lit,
	   '111111111111', '222222222222', 'AWS', 'AmazonBedrock', ut, tok / 1000.0, tok, cost,
	   p::bedrock_cost.iam_arn, tg::jsonb
  FROM (VALUES
	(1, 'Usage', 'USE1-Claude4.6Sonnet-input-tokens', 1000000, 3.00,
	 'arn:aws:sts::222222222222:assumed-role/DataSci/alice@acme.org', '{"iamPrincipal/team":"ds","iamPrincipal/cost-center":"12345"}'),
	(2, 'Usage', 'USE1-Claude4.6Sonnet-input-tokens', 200000, 0.60,
	 'arn:aws:iam::222222222222:user/bob', '{"iamPrincipal/team":"web","iamPrincipal/cost-center":"67890"}'),
	(3, 'Usage', 'USE1-Claude4.6Sonnet-output-tokens', 10000, 0.15,
	 'arn:aws:sts::222222222222:assumed-role/App/carol', '{}'),
	(4, 'Usage', 'USE1-Claude4.6Sonnet-output-tokens', 10000, 0.15, NULL, '{}'),
	(5, 'Tax', 'Tax', NULL, 0.37, NULL, '{}')
  ) AS v(n, lit, ut, tok, cost, p, tg);
SELECT bedrock_cost._summarize_load_table(9101);
SELECT bedrock_cost._index_summaries(9101);
SELECT bedrock_cost._swap_in(9101);
SELECT bedrock_cost.refresh_chargeback();

-- the roles exist; the reader may read exactly the bi_* views
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'bedrock\_cost\_%' ORDER BY 1;
SELECT table_name, privilege_type FROM information_schema.role_table_grants
 WHERE grantee = 'bedrock_cost_reader' ORDER BY 1, 2;
-- every SECURITY DEFINER function pins search_path; none is executable by PUBLIC
SELECT p.oid::regprocedure AS secdef_function, p.proconfig,
	   has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'bedrock_cost' AND p.prosecdef ORDER BY 1;
-- who may execute what (README "Security" lists the same): the admin's
-- functions beyond PUBLIC's, the superusers' only, the non-IMMUTABLE
-- functions PUBLIC keeps; the reader has PUBLIC's and bi_what_if
SELECT p.oid::regprocedure AS admin_function
  FROM pg_proc p
 WHERE p.pronamespace = 'bedrock_cost'::regnamespace
   AND has_function_privilege('bedrock_cost_admin', p.oid, 'EXECUTE')
   AND NOT has_function_privilege('public', p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT p.oid::regprocedure AS worker_function
  FROM pg_proc p
 WHERE p.pronamespace = 'bedrock_cost'::regnamespace
   AND has_function_privilege('bedrock_cost_worker', p.oid, 'EXECUTE')
   AND NOT has_function_privilege('bedrock_cost_admin', p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT p.oid::regprocedure AS superuser_only_function
  FROM pg_proc p
 WHERE p.pronamespace = 'bedrock_cost'::regnamespace
   AND NOT has_function_privilege('bedrock_cost_admin', p.oid, 'EXECUTE')
   AND NOT has_function_privilege('bedrock_cost_worker', p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT p.oid::regprocedure AS public_function, p.provolatile
  FROM pg_proc p
 WHERE p.pronamespace = 'bedrock_cost'::regnamespace
   AND has_function_privilege('public', p.oid, 'EXECUTE') AND p.provolatile <> 'i'
 ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT count(*) FILTER (WHERE has_function_privilege('public', p.oid, 'EXECUTE')) AS public_functions,
	   count(*) FILTER (WHERE has_function_privilege('bedrock_cost_reader', p.oid, 'EXECUTE')
						   <> has_function_privilege('public', p.oid, 'EXECUTE')) AS reader_differs
  FROM pg_proc p WHERE p.pronamespace = 'bedrock_cost'::regnamespace;
-- the admin's table privileges beyond SELECT
SELECT table_name, privilege_type FROM information_schema.role_table_grants
 WHERE grantee = 'bedrock_cost_admin' AND privilege_type <> 'SELECT' ORDER BY 1, 2;
SELECT column_name, privilege_type FROM information_schema.column_privileges
 WHERE grantee = 'bedrock_cost_admin' AND table_name = 'model_aliases'
   AND privilege_type <> 'SELECT' ORDER BY 1, 2;
-- the worker group: a member of the admin, plus its own state
SELECT m.member::regrole AS member, m.roleid::regrole AS member_of
  FROM pg_auth_members m
 WHERE m.member IN ('bedrock_cost_admin'::regrole, 'bedrock_cost_reader'::regrole,
					'bedrock_cost_worker'::regrole) ORDER BY 1, 2;
SELECT table_name, privilege_type FROM information_schema.role_table_grants
 WHERE grantee = 'bedrock_cost_worker' ORDER BY 1, 2;

CREATE ROLE regress_cb_ds;
CREATE ROLE regress_cb_web;
CREATE ROLE regress_cb_bi;
CREATE ROLE regress_cb_nobody;
CREATE ROLE regress_cb_admin;
GRANT bedrock_cost_reader TO regress_cb_ds, regress_cb_web, regress_cb_bi, regress_cb_nobody;
GRANT bedrock_cost_admin TO regress_cb_admin;
INSERT INTO bedrock_cost.team_access VALUES
	('regress_cb_ds', 'iamPrincipal/cost-center', '12345'),
	('regress_cb_web', 'iamPrincipal/team', 'web'),
	('regress_cb_bi', '*', '*');

-- a function that leaks every argument it sees, cheap enough to be run first
CREATE FUNCTION public.regress_cb_leak(text) RETURNS boolean
LANGUAGE plpgsql COST 0.0000001 AS $$ BEGIN RAISE NOTICE 'leak: %', $1; RETURN true; END $$;

-- team ds (cost-center 12345): alice only
SET ROLE regress_cb_ds;
SELECT principal_arn, person, cost FROM bedrock_cost.bi_chargeback_by_principal ORDER BY 1;
SELECT tag_key, tag_value, cost FROM bedrock_cost.bi_chargeback_by_tag ORDER BY 1, 2;
SELECT principal_arn, tag_name, tag_value, cost FROM bedrock_cost.bi_principal_tags ORDER BY 1, 2;
SELECT principal_arn, model, cost FROM bedrock_cost.bi_daily ORDER BY 1;
SELECT principal_arn, usage_cost, allocated_cost, cost FROM bedrock_cost.bi_chargeback_allocated ORDER BY 1;
SELECT count(*) AS model_rows FROM bedrock_cost.bi_usage_by_model;
SELECT tag_key, tag_value, vendor, model_key, cost, share_of_team FROM bedrock_cost.bi_team_model_mix ORDER BY 1, 2;
SELECT scope, principal_arn, tag_key, tag_value, cost, workload FROM bedrock_cost.bi_usage_profile ORDER BY 1, 2, 3;
-- what-if of its own usage (repriced as itself: the same cost), without the
-- whole bill's volumes behind the price; another team's usage is refused
SELECT token_kind, tokens, cost, what_if_cost, difference, price_per_million_tokens,
	   price_line_items, price_tokens, price_cost
  FROM bedrock_cost.bi_what_if('claude-sonnet-4.6', 'claude-sonnet-4.6', NULL, 'iamPrincipal/cost-center', '12345');
SELECT count(*) FROM bedrock_cost.bi_what_if('claude-sonnet-4.6', 'claude-sonnet-4.6', NULL, 'iamPrincipal/team', 'web');
SELECT count(*) FROM bedrock_cost.bi_what_if('claude-sonnet-4.6', 'claude-sonnet-4.6');
SELECT count(*) FROM bedrock_cost.what_if('claude-sonnet-4.6', 'claude-sonnet-4.6');
-- spikes (low thresholds: this one-day fixture has nothing above 10 USD): its principal's only
RESET ROLE;
SELECT bedrock_cost.set_spike_thresholds(3, 0.5, 1000000000);
SELECT bedrock_cost.refresh_chargeback();
SET ROLE regress_cb_ds;
SELECT principal_arn, tags_text, model, token_kind, cost, spike_on FROM bedrock_cost.bi_spikes ORDER BY 1, 4;
SELECT usage_date, tag_key, tag_value, cost FROM bedrock_cost.bi_daily_by_tag ORDER BY 1, 2, 3;
-- a leaky function sees only the rows the role may see (security_barrier)
SET client_min_messages = notice;
SELECT count(*) FROM bedrock_cost.bi_chargeback_by_principal WHERE public.regress_cb_leak(principal_arn);
SELECT count(*) FROM bedrock_cost.bi_chargeback_by_tag WHERE public.regress_cb_leak(tag_value);
SELECT count(*) FROM bedrock_cost.bi_team_model_mix WHERE public.regress_cb_leak(tag_value);
SELECT count(*) FROM bedrock_cost.bi_usage_profile WHERE public.regress_cb_leak(principal_arn);
SET client_min_messages = warning;
-- no way around the views
SELECT count(*) FROM bedrock_cost.line_items;
SELECT count(*) FROM bedrock_cost.chargeback_by_principal;
SELECT count(*) FROM bedrock_cost.team_model_mix;
SELECT count(*) FROM bedrock_cost.team_access;
SELECT count(*) FROM bedrock_cost.focus_bedrock;
SELECT count(*) FROM bedrock_cost.chargeback_by_principal_as_of(9101);
SELECT count(*) FROM bedrock_cost.line_items_as_of(9101);
SELECT bedrock_cost.refresh_chargeback();
SELECT * FROM bedrock_cost.load_export('/tmp');
INSERT INTO bedrock_cost.team_access VALUES ('regress_cb_ds', '*', '*');
UPDATE bedrock_cost.chargeback_settings SET cost_basis = 'net_unblended';
RESET ROLE;

-- team web (team = web): bob only
SET ROLE regress_cb_web;
SELECT principal_arn, cost FROM bedrock_cost.bi_chargeback_by_principal ORDER BY 1;
SELECT scope, principal_arn, tag_key, tag_value, cost FROM bedrock_cost.bi_usage_profile ORDER BY 1, 2, 3;
SELECT tag_key, tag_value, cost FROM bedrock_cost.bi_chargeback_by_tag ORDER BY 1, 2;
-- the FOCUS line items of its principals only; no resource view for a team
SELECT "x_IamPrincipal", count(*), sum("BilledCost") FROM bedrock_cost.bi_focus_bedrock GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM bedrock_cost.bi_chargeback_by_resource;
SELECT count(*) FROM bedrock_cost.bi_focus_bedrock WHERE public.regress_cb_leak("x_IamPrincipal");
-- what bi_focus_bedrock reads on Citus (distribute()): the same rows
SELECT "x_IamPrincipal", count(*), sum("BilledCost") FROM bedrock_cost._focus_period('2026-06-01') GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM bedrock_cost._focus_period('2026-07-01');
RESET ROLE;

-- a reader without a team_access row sees nothing
SET ROLE regress_cb_nobody;
SELECT count(*) FROM bedrock_cost.bi_chargeback_by_principal;
SELECT count(*) FROM bedrock_cost.bi_chargeback_by_tag;
SELECT count(*) FROM bedrock_cost.bi_team_model_mix;
SELECT count(*) FROM bedrock_cost.bi_usage_profile;
SELECT count(*) FROM bedrock_cost.bi_focus_bedrock;
SELECT count(*) FROM bedrock_cost._focus_period('2026-06-01');
RESET ROLE;

-- the BI role mapped to * sees every row, including unattributed and account-level
SET ROLE regress_cb_bi;
SELECT attribution, principal_arn, cost FROM bedrock_cost.bi_chargeback_by_principal ORDER BY 1, 2;
SELECT tag_key, tag_value, attribution, cost FROM bedrock_cost.bi_chargeback_by_tag ORDER BY 1, 2, 3;
SELECT model, vendor, token_kind, tokens, cost FROM bedrock_cost.bi_usage_by_model ORDER BY 1, 3;
SELECT principal_arn, model, token_kind, cost, spike_on FROM bedrock_cost.bi_spikes ORDER BY 1, 3;
SELECT usage_date, tag_key, tag_value, untagged, cost, principals FROM bedrock_cost.bi_daily_by_tag ORDER BY 2, 3;
SELECT token_kind, tokens, cost, what_if_cost, price_line_items, price_tokens, price_cost
  FROM bedrock_cost.bi_what_if('claude-sonnet-4.6', 'claude-sonnet-4.6', '2026-06-01') ORDER BY 1;
SELECT tag_key, tag_value, vendor, model_key, cost, share_of_team, input_tokens, output_tokens, principals
  FROM bedrock_cost.bi_team_model_mix ORDER BY 1, 2;
SELECT usage_account_id, resource_id, model_key, cost, principals, line_items
  FROM bedrock_cost.bi_chargeback_by_resource ORDER BY 1, 3;
SELECT count(*), sum("BilledCost") FROM bedrock_cost.bi_focus_bedrock;
SELECT count(*), sum("BilledCost") FROM bedrock_cost._focus_period('2026-06-01');
RESET ROLE;

-- the admin loads, configures, refreshes and sees everything without a mapping
SET ROLE regress_cb_admin;
SELECT count(*) AS line_items FROM bedrock_cost.line_items;
SELECT count(*) AS bi_rows FROM bedrock_cost.bi_chargeback_by_principal;
SELECT bedrock_cost.refresh_chargeback();
SELECT count(*) AS as_of_rows FROM bedrock_cost.chargeback_by_principal_as_of(9101);
SELECT count(*) AS loads_running FROM bedrock_cost.load_progress;
-- it manages its own model aliases, and the seeded ones stay read-only
INSERT INTO bedrock_cost.model_aliases (alias, model_key, vendor, note)
VALUES ('RegressModel1.0', 'regress-model-1', 'regress', 'added by the admin');
SELECT bedrock_cost.model_key('RegressModel1.0'), bedrock_cost.model_key('regressmodel1.0');
UPDATE bedrock_cost.model_aliases SET model_key = 'regress-model-one', note = NULL
 WHERE alias = 'RegressModel1.0';
SELECT alias, model_key, vendor, seeded, note FROM bedrock_cost.model_aliases WHERE alias LIKE 'Regress%';
-- overriding a seed with a row of its own
INSERT INTO bedrock_cost.model_aliases (alias, model_key) VALUES ('Claude2.0', 'regress-claude');
SELECT bedrock_cost.model_key('Claude2.0');
DELETE FROM bedrock_cost.model_aliases WHERE NOT seeded AND (alias LIKE 'Regress%' OR alias = 'Claude2.0');
SELECT bedrock_cost.model_key('Claude2.0');
UPDATE bedrock_cost.model_aliases SET model_key = 'x' WHERE alias = 'Claude2.0';
DELETE FROM bedrock_cost.model_aliases WHERE alias = 'Claude2.0';
INSERT INTO bedrock_cost.model_aliases (alias, model_key, seeded) VALUES ('RegressSeed', 'x', true);
UPDATE bedrock_cost.model_aliases SET seeded = true WHERE alias = 'RegressModel1.0';
TRUNCATE bedrock_cost.model_aliases;
SELECT count(*) AS seeded_aliases FROM bedrock_cost.model_aliases WHERE seeded;
-- registering exports for the worker, which loads as the bootstrap
-- superuser, is for superusers
SELECT bedrock_cost.add_export('regress', 'regress');
SELECT bedrock_cost.remove_export('regress');
SELECT bedrock_cost.pause_export('regress');
SELECT bedrock_cost.resume_export('regress');
SELECT bedrock_cost.poll_now();
SELECT bedrock_cost.export_abspath('regress');
RESET ROLE;

-- clean up
SELECT bedrock_cost.set_spike_thresholds(3, 10, 10000000);
DROP FUNCTION public.regress_cb_leak(text);
DELETE FROM bedrock_cost.team_access WHERE role_name LIKE 'regress\_cb\_%';
DROP ROLE regress_cb_ds, regress_cb_web, regress_cb_bi, regress_cb_nobody, regress_cb_admin;
DROP TABLE bedrock_cost.line_items_l9101;
DELETE FROM bedrock_cost.loads WHERE export_id = 902;
DELETE FROM bedrock_cost.exports WHERE export_id = 902;
SELECT bedrock_cost.refresh_chargeback();
SELECT count(*) AS leftover FROM bedrock_cost.chargeback_by_principal;
