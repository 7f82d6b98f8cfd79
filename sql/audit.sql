-- audit.sql: bedrock_cost.audit_log has one row per change of the cost basis,
-- team_access, model_aliases (user rows) and export registrations, with who
-- made it and the exact row before and after; nobody may write, change or
-- remove audit rows; a restore's reloading of rows is not audited again; the
-- ledger (loads) records who loaded
CREATE EXTENSION IF NOT EXISTS bedrock_cost;
SET client_min_messages = warning;
CREATE ROLE regress_audit_admin IN ROLE bedrock_cost_admin;
CREATE ROLE regress_audit_super SUPERUSER;
SELECT coalesce(max(audit_id), 0) AS start FROM bedrock_cost.audit_log \gset

-- the cost basis: the first setting, the same value again (no change, no row),
-- a change, and going back to the default
SELECT bedrock_cost.set_cost_basis('net_unblended');
SELECT bedrock_cost.set_cost_basis('net_unblended');
SELECT bedrock_cost.set_cost_basis('unblended');
DELETE FROM bedrock_cost.chargeback_settings;

-- team_access, by an admin role under another application name
SET ROLE regress_audit_admin;
SET application_name = 'regress-audit';
INSERT INTO bedrock_cost.team_access VALUES ('regress_audit_lead', 'iamPrincipal/team', 'ds');
UPDATE bedrock_cost.team_access SET tag_value = 'web' WHERE role_name = 'regress_audit_lead';
DELETE FROM bedrock_cost.team_access WHERE role_name = 'regress_audit_lead';
RESET application_name;
RESET ROLE;

-- model_aliases: user rows; the seeded rows are the extension's, not settings
INSERT INTO bedrock_cost.model_aliases (alias, model_key, note) VALUES ('RegressModel', 'regress-model', 'ours');
UPDATE bedrock_cost.model_aliases SET model_key = 'regress-model-2' WHERE alias = 'RegressModel';
DELETE FROM bedrock_cost.model_aliases WHERE alias = 'RegressModel';

-- exports: a folder a load records is not a registration; registering (what
-- add_export does under bedrock_cost.export_root), pausing, resuming, pausing
-- a paused export (no change, no row) and removing are
INSERT INTO bedrock_cost.exports (export_id, path) VALUES (931, '/test/audit');
UPDATE bedrock_cost.exports SET export_name = 'regress', registered_at = '2026-06-01 12:00+00'
 WHERE export_id = 931;
SELECT bedrock_cost.pause_export('regress');
SELECT bedrock_cost.pause_export('regress');
SELECT bedrock_cost.resume_export('regress');
SELECT bedrock_cost.remove_export('regress');
DELETE FROM bedrock_cost.exports WHERE export_id = 931;

-- one row per change, with the exact old and new rows
SELECT audit_id - :start AS n, action, object,
	   CASE WHEN current_user_name = session_user THEN '(session user)' ELSE current_user_name::text END AS acting_role,
	   session_user_name = session_user AS by_session_user,
	   client_addr IS NOT DISTINCT FROM inet_client_addr() AS from_client,
	   application_name, old_value, new_value
  FROM bedrock_cost.audit_log WHERE audit_id > :start ORDER BY audit_id;

-- nobody changes or removes an audit row, the owner included
UPDATE bedrock_cost.audit_log SET action = 'forged' WHERE audit_id = :start + 1;
DELETE FROM bedrock_cost.audit_log WHERE audit_id = :start + 1;
TRUNCATE bedrock_cost.audit_log;
-- an admin reads it, and can neither write it nor call the writer
SET ROLE regress_audit_admin;
SELECT count(*) > 0 AS admin_reads FROM bedrock_cost.audit_log;
INSERT INTO bedrock_cost.audit_log (action, object) VALUES ('forged', 'x');
UPDATE bedrock_cost.audit_log SET action = 'forged';
DELETE FROM bedrock_cost.audit_log;
TRUNCATE bedrock_cost.audit_log;
SELECT bedrock_cost._audit('forged', 'x', NULL, NULL);
RESET ROLE;
SELECT has_function_privilege('public', 'bedrock_cost._audit(text, text, jsonb, jsonb)', 'EXECUTE') AS public_may_audit,
	   has_function_privilege('bedrock_cost_admin', 'bedrock_cost._audit(text, text, jsonb, jsonb)', 'EXECUTE') AS admin_may_audit,
	   p.prosecdef, p.proconfig
  FROM pg_proc p WHERE p.oid = 'bedrock_cost._audit(text, text, jsonb, jsonb)'::regprocedure;
SELECT grantee, string_agg(privilege_type, ', ' ORDER BY privilege_type) AS privileges
  FROM information_schema.role_table_grants
 WHERE table_schema = 'bedrock_cost' AND table_name = 'audit_log'
   AND grantee <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'bedrock_cost.audit_log'::regclass)
 GROUP BY 1 ORDER BY 1;
SELECT count(*) AS rows_after_refusals FROM bedrock_cost.audit_log WHERE audit_id > :start;

-- what pg_restore does (a superuser, row_security = off) is not audited again;
-- a role that is not superuser is audited also with row_security = off
SELECT max(audit_id) AS mark FROM bedrock_cost.audit_log \gset
SET row_security = off;
INSERT INTO bedrock_cost.team_access VALUES ('regress_audit_restored', '*', '*');
SET ROLE regress_audit_admin;
DELETE FROM bedrock_cost.team_access WHERE role_name = 'regress_audit_restored';
RESET ROLE;
RESET row_security;
SELECT action, object, current_user_name, old_value, new_value
  FROM bedrock_cost.audit_log WHERE audit_id > :mark ORDER BY audit_id;

-- the loader calls _audit for its own events (forced reloads, restores)
SELECT bedrock_cost._audit('force_reload', 'load 42', '{"load_id": 42}', NULL) - :mark AS n;
SELECT action, object, old_value, new_value FROM bedrock_cost.audit_log WHERE audit_id > :mark + 1;

-- the ledger records who loaded: defaults right for a load run in SQL (the
-- loader fills current_user_name and loaded_via where they differ)
SELECT column_name, data_type, column_default
  FROM information_schema.columns
 WHERE table_schema = 'bedrock_cost' AND table_name = 'loads'
   AND column_name IN ('session_user_name', 'current_user_name', 'client_addr', 'application_name',
					   'loaded_via', 'cost_basis')
 ORDER BY ordinal_position;
INSERT INTO bedrock_cost.exports (export_id, path) VALUES (932, '/test/audit-ledger');
SET ROLE regress_audit_super;
SET application_name = 'regress-loader';
INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, status, started_at)
VALUES (9321, 932, '2026-06-01', 'file', 'failed', now());
RESET application_name;
RESET ROLE;
SELECT load_id, session_user_name = session_user AS by_session_user, current_user_name,
	   client_addr IS NOT DISTINCT FROM inet_client_addr() AS from_client,
	   application_name, loaded_via, cost_basis
  FROM bedrock_cost.loads WHERE load_id = 9321;
\set VERBOSITY terse
INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, status, started_at, loaded_via)
VALUES (9322, 932, '2026-06-01', 'file', 'failed', now(), 'ftp');
\set VERBOSITY default
DELETE FROM bedrock_cost.loads WHERE export_id = 932;
DELETE FROM bedrock_cost.exports WHERE export_id = 932;

DROP ROLE regress_audit_admin, regress_audit_super;
