/*
 * bedrock_cost--0.1.0--0.2.0.sql: ALTER EXTENSION bedrock_cost UPDATE from
 * 0.1.0 to 0.2.0.  Changes only functions and views; every table, its rows, the
 * ledger, the registered exports, the settings and the chargeback tables
 * are kept as they are.  The chargeback is recomputed at the next
 * bedrock_cost.refresh_chargeback(), because the extension's version is one
 * of its inputs (bedrock_cost._chargeback_inputs).
 *
 * What changed in 0.2.0:
 *  - a LiteLLM request log is read one billing period at a time by a range
 *    on its own "startTime" column, so LiteLLM's index on it (or its
 *    partitioning by it) serves the read, instead of reading the whole log
 *    for every period;
 *  - bedrock_cost.current_loads shows the cost basis each delivery was
 *    recorded in (loads.cost_basis), as its last column;
 *  - the aggregate of chargeback_daily's sums declares the size of its
 *    state, so the planner sizes its hash table for the groups work_mem
 *    really holds, instead of spilling to disk;
 *  - bedrock_cost.version() says 0.2.0.
 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION bedrock_cost UPDATE" to load this file. \quit

CREATE OR REPLACE FUNCTION bedrock_cost.version()
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '0.2.0'::text $$;

CREATE OR REPLACE FUNCTION bedrock_cost._gateway_log_sql(log_format text, log_relation regclass)
RETURNS text
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE $1
		WHEN 'plain' THEN pg_catalog.format(
			'SELECT l.request_time::pg_catalog.timestamptz, l.user_key::pg_catalog.text, '
			'l.team_key::pg_catalog.text, l.model::pg_catalog.text, '
			'COALESCE(l.input_tokens, 0)::pg_catalog.int8, COALESCE(l.output_tokens, 0)::pg_catalog.int8, '
			'COALESCE(l.cache_read_tokens, 0)::pg_catalog.int8, COALESCE(l.cache_write_tokens, 0)::pg_catalog.int8, '
			'(l.status IS NULL OR l.status::pg_catalog.text OPERATOR(pg_catalog.=) ''success''), '
			'l.estimated_spend::pg_catalog.numeric FROM %s AS l', $2)
		-- LiteLLM: "startTime" is UTC without a zone; the user is the
		-- internal user, else the end user, else the (hashed) key; prompt
		-- tokens include the cache reads and writes its metadata counts
		WHEN 'litellm' THEN pg_catalog.format(
			'SELECT pg_catalog.timezone(''UTC'', l."startTime"::pg_catalog.timestamp), '
			'COALESCE(CASE WHEN l."user"::pg_catalog.text OPERATOR(pg_catalog.<>) '''' THEN l."user"::pg_catalog.text END, '
			'CASE WHEN l.end_user::pg_catalog.text OPERATOR(pg_catalog.<>) '''' THEN l.end_user::pg_catalog.text END, '
			'''key:'' OPERATOR(pg_catalog.||) l.api_key::pg_catalog.text), '
			'CASE WHEN l.team_id::pg_catalog.text OPERATOR(pg_catalog.<>) '''' THEN l.team_id::pg_catalog.text END, '
			'l.model::pg_catalog.text, '
			'GREATEST(COALESCE(l.prompt_tokens, 0) OPERATOR(pg_catalog.-) c.r OPERATOR(pg_catalog.-) c.w, 0)::pg_catalog.int8, '
			'COALESCE(l.completion_tokens, 0)::pg_catalog.int8, c.r, c.w, '
			'(l.status IS NULL OR l.status::pg_catalog.text OPERATOR(pg_catalog.=) ''success''), l.spend::pg_catalog.numeric '
			'FROM %s AS l CROSS JOIN LATERAL (SELECT '
			'COALESCE((l.metadata::pg_catalog.jsonb OPERATOR(pg_catalog.#>>) ''{usage_object,cache_read_input_tokens}'')::pg_catalog.int8, 0) AS r, '
			'COALESCE((l.metadata::pg_catalog.jsonb OPERATOR(pg_catalog.#>>) ''{usage_object,cache_creation_input_tokens}'')::pg_catalog.int8, 0) AS w) AS c '
			-- the billing period's range on the column itself, so that an
			-- index on "startTime" (LiteLLM creates one) serves it
			'WHERE ($1 IS NULL OR (l."startTime"::pg_catalog.timestamp OPERATOR(pg_catalog.>=) $1::pg_catalog.timestamp '
			'AND l."startTime"::pg_catalog.timestamp OPERATOR(pg_catalog.<) ($1 OPERATOR(pg_catalog.+) ''1 month''::pg_catalog.interval)))', $2)
	END
$$;
COMMENT ON FUNCTION bedrock_cost._gateway_log_sql(text, regclass) IS
  'internal: the SELECT reading a request log relation of the given format as the columns of bedrock_cost.gateway_log (litellm: only the billing period $1, NULL: all, by a range on "startTime")';

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

CREATE OR REPLACE AGGREGATE bedrock_cost._daily_sums(token_kind text, tokens numeric, unblended numeric,
													 net numeric, cost numeric, line_items bigint) (
	SFUNC = bedrock_cost._daily_sums_add,
	STYPE = internal,
	SSPACE = 512,
	FINALFUNC = bedrock_cost._daily_sums_final
);
