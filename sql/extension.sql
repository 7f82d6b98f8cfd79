-- extension.sql: the extension installs, reports its version, and drops cleanly
CREATE EXTENSION bedrock_cost;
-- the version is written once, in bedrock_cost.control (default_version)
SELECT bedrock_cost.version() = a.default_version AS version_is_the_control_files,
	   x.extversion = a.default_version AS installed_is_the_default
  FROM pg_extension AS x JOIN pg_available_extensions AS a ON a.name = x.extname
 WHERE x.extname = 'bedrock_cost';
-- the released versions and the update paths to this one
SELECT version FROM pg_available_extension_versions WHERE name = 'bedrock_cost' ORDER BY version;
SELECT source, target, path FROM pg_extension_update_paths('bedrock_cost')
 WHERE path IS NOT NULL ORDER BY source, target;
LOAD 'bedrock_cost';
SHOW bedrock_cost.poll_interval;
SET bedrock_cost.max_rejected_rows = 10;
SHOW bedrock_cost.max_rejected_rows;
RESET bedrock_cost.max_rejected_rows;
DROP EXTENSION bedrock_cost;
SELECT count(*) AS leftover_schemas FROM pg_namespace WHERE nspname = 'bedrock_cost';
CREATE EXTENSION bedrock_cost;
-- once the ledger has a row, DROP EXTENSION refuses without CASCADE: the
-- view loaded_data (not a member) reads the ledger
SELECT pg_catalog.to_regclass('bedrock_cost.loaded_data') IS NULL AS no_guard_without_data;
INSERT INTO bedrock_cost.exports (export_id, path) VALUES (991, '/test/keep-data');
INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, status, started_at)
VALUES (9911, 991, '2026-06-01', 'file', 'failed', now());
SELECT * FROM bedrock_cost.loaded_data;
SELECT count(*) AS members FROM pg_depend
 WHERE classid = 'pg_class'::regclass AND objid = 'bedrock_cost.loaded_data'::regclass
   AND refclassid = 'pg_extension'::regclass;
DROP EXTENSION bedrock_cost;
SELECT count(*) AS ledger_rows_kept FROM bedrock_cost.loads;
-- a second first row finds the view there
INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, status, started_at)
VALUES (9912, 991, '2026-07-01', 'file', 'failed', now());
SELECT * FROM bedrock_cost.loaded_data;
-- CASCADE says so: everything goes, the view too
DROP EXTENSION bedrock_cost CASCADE;
SELECT count(*) AS leftover_schemas FROM pg_namespace WHERE nspname = 'bedrock_cost';
CREATE EXTENSION bedrock_cost;
