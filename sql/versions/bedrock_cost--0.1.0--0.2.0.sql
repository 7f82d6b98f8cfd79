/*
 * bedrock_cost--0.1.0--0.2.0.sql: ALTER EXTENSION bedrock_cost UPDATE from
 * 0.1.0 to 0.2.0.  Changes only functions and views; every table, its rows, the
 * ledger, the registered exports, the settings and the chargeback tables
 * are kept as they are.  The chargeback is recomputed at the next
 * bedrock_cost.refresh_chargeback(), because the extension's version is one
 * of its inputs (bedrock_cost._chargeback_inputs).
 *
 * What changed in 0.2.0:
 *  - bedrock_cost.current_loads shows the cost basis each delivery was
 *    recorded in (loads.cost_basis), as its last column;
 *  - bedrock_cost.version() says 0.2.0.
 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION bedrock_cost UPDATE" to load this file. \quit

CREATE OR REPLACE FUNCTION bedrock_cost.version()
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '0.2.0'::text $$;

-- a column at the end: CREATE OR REPLACE VIEW keeps the view, its grants and
-- the views built on it (reconciliation)
CREATE OR REPLACE VIEW bedrock_cost.current_loads AS
	SELECT l.load_id, l.export_id, l.billing_period, l.source, l.manifest_path, l.execution_id,
		   l.delivery_key, l.status, l.delivered_at, l.forced, l.started_at, l.finished_at,
		   l.rows_read, l.rows_loaded, l.rows_rejected, l.rows_other, l.bytes_read, l.data_table,
		   l.superseded_by, l.same_as, l.data_dropped_at, l.error, l.session_user_name,
		   l.current_user_name, l.client_addr, l.application_name, l.loaded_via, l.summary_rows,
		   l.summary_via, e.path AS export, l.cost_basis
	  FROM bedrock_cost.loads l JOIN bedrock_cost.exports e USING (export_id)
	 WHERE l.status = 'done';
