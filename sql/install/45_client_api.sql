/*
 * 45_client_api.sql: the server side of bedrock-cost-load, the libpq client
 * that loads CUR exports the server cannot read.
 *
 * The client reads, checks and transforms the files with the same core code
 * as the loader and runs one transaction per delivery:
 *   BEGIN;
 *   SELECT * FROM bedrock_cost.client_begin_delivery(delivery);
 *   COPY bedrock_cost.<staging> (...) FROM STDIN;
 *   SELECT bedrock_cost.client_finish_delivery(load_id, delivery);
 *   COMMIT;
 * so the ledger, the swap, history and reconciliation are the loader's own.
 * The delivery jsonb is described in src/ext/loader_client.c.
 */

CREATE FUNCTION bedrock_cost.client_begin_delivery(delivery jsonb,
	OUT load_id bigint, OUT export_id integer, OUT status text, OUT staging text,
	OUT same_as bigint, OUT max_rejected_rows integer)
RETURNS record
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'bedrock_cost_client_begin';
COMMENT ON FUNCTION bedrock_cost.client_begin_delivery(jsonb) IS
  'bedrock-cost-load: starts loading a delivery inside the caller''s transaction block; takes the period lock, returns status noop (recorded, same delivery as same_as) or loading with the staging table (bedrock_cost.<staging>) to COPY the transformed rows into';

CREATE FUNCTION bedrock_cost.client_finish_delivery(load_id bigint, delivery jsonb)
RETURNS text
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'bedrock_cost_client_finish';
COMMENT ON FUNCTION bedrock_cost.client_finish_delivery(bigint, jsonb) IS
  'bedrock-cost-load: checks the staging table against the delivery''s totals, records the ledger (loads, load_files, load_totals, load_errors) and swaps the delivery in as the current data of its period; returns done. Visible at the caller''s COMMIT';

CREATE FUNCTION bedrock_cost.client_fail_delivery(delivery jsonb, error text, error_at jsonb DEFAULT NULL)
RETURNS bigint
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'bedrock_cost_client_fail';
COMMENT ON FUNCTION bedrock_cost.client_fail_delivery(jsonb, text, jsonb) IS
  'bedrock-cost-load: records a delivery the client could not load (status failed, its error with file, line and column in load_errors); nothing else changes. Returns its load_id';

-- loaders who are not superusers stream into bedrock_cost.<staging> (INSERT is
-- granted per delivery table by client_begin_delivery)
GRANT USAGE ON SCHEMA bedrock_cost TO bedrock_cost_admin;

REVOKE ALL ON FUNCTION bedrock_cost.client_begin_delivery(jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost.client_finish_delivery(bigint, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost.client_fail_delivery(jsonb, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bedrock_cost.client_begin_delivery(jsonb) TO bedrock_cost_admin;
GRANT EXECUTE ON FUNCTION bedrock_cost.client_finish_delivery(bigint, jsonb) TO bedrock_cost_admin;
GRANT EXECUTE ON FUNCTION bedrock_cost.client_fail_delivery(jsonb, text, jsonb) TO bedrock_cost_admin;
