/*
 * bedrock_cost--0.1.0--0.2.0.sql: ALTER EXTENSION bedrock_cost UPDATE from
 * 0.1.0 to 0.2.0.  Changes functions, views and the model-day summary
 * (recomputed from the summaries it is made of); every other table, its
 * rows, the ledger, the registered exports, the settings and the
 * chargeback tables are kept as they are.  The chargeback is recomputed at the next
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
 *  - the model-day summary (usage_daily) is kept at the grain of
 *    chargeback_daily, with the token kinds side by side, so refreshing
 *    chargeback_daily projects its rows instead of grouping them: the
 *    columns line_item_type, token_kind and tokens give way to attribution
 *    and the tokens, unblended and net cost of each token kind, and the
 *    current deliveries' model-day summaries are recomputed here from
 *    their summaries (usage_summary); the aggregate _daily_sums, which
 *    did that grouping, is gone;
 *  - on Citus, bi_focus_bedrock reads the line items through a SECURITY
 *    DEFINER function (_focus_period), one billing period at a time, so a
 *    reader (team) role can read it: Citus runs a view's shard queries as
 *    the caller, who has no right on line_items.  distribute() makes it so
 *    (run it again after the update); on one node the view is unchanged;
 *  - the grain of chargeback_base and chargeback_daily is unique in the
 *    period and model-day summaries they project row for row: each
 *    delivery's summaries get a unique index on it (NULLs not distinct),
 *    built before the swap, here for the current deliveries; the two
 *    tables keep a plain index on their billing period instead of their
 *    unique index, whose upkeep was more than half of a period's refresh;
 *  - a new cost basis, spike threshold or model alias no longer recomputes
 *    the model-day summaries of every current delivery (only a new
 *    extension version, or refresh_chargeback(false), does): the chargeback
 *    inputs keep the extension version apart (_chargeback_inputs), and
 *    those recomputes read the summaries back and roll them up in C
 *    (_rebuild_daily);
 *  - the server sums the rows bedrock-cost-load stored, and those a
 *    restore_load copies, in C, in one scan
 *    of them, into the summary the loader keeps while streaming, instead
 *    of grouping them by SQL: loads.summary_via says stored;
 *  - a day of a month without a current delivery of its export counts as
 *    unknown in a spike's baseline, not as a day without usage: a day
 *    with fewer than 7 known days in its 14 days before is not judged, so
 *    the first week of the first month loaded (or of a month after a gap)
 *    no longer shows every series as a spike (_spikes_rows gives
 *    _spike_days whether the month before is loaded);
 *  - two first loads at once no longer fail the second one with
 *    'relation "loaded_data" already exists' (_keep_loaded_data);
 *  - load_export(path, force, refresh): refresh => true refreshes the
 *    chargeback in the same call and swaps the line items in after that
 *    refresh, as the background worker does, so that readers of line_items
 *    wait for the swap only;
 *  - each chargeback table's _rows(periods) function becomes
 *    _insert(periods), which inserts the rows itself (INSERT ... SELECT
 *    FROM a function with settings went through a tuplestore first), and
 *    each table is analysed as soon as it is filled after a new month;
 *  - bedrock_cost.version() says 0.2.0.
 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION bedrock_cost UPDATE" to load this file. \quit

CREATE OR REPLACE FUNCTION bedrock_cost.version()
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '0.2.0'::text $$;

-- the ledger's first row creates loaded_data: a second first load, which
-- waited for the first to commit, recognises the view by the error
-- creating it again gives (it failed with it)
CREATE OR REPLACE FUNCTION bedrock_cost._keep_loaded_data()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF pg_catalog.to_regclass('bedrock_cost.loaded_data') IS NOT NULL THEN
		RETURN NULL;
	END IF;
	-- two first loads at once: the second waits here for the first to
	-- commit.  It may still not see the view the first created (an advisory
	-- lock does not refresh the catalog this session has read, and a
	-- REPEATABLE READ snapshot would not show it either), so an existing
	-- view is recognised by the error creating it again gives
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('bedrock_cost loaded_data', 0));
	BEGIN
		CREATE VIEW bedrock_cost.loaded_data AS
			SELECT pg_catalog.count(*) FILTER (WHERE l.status = 'done') AS current_deliveries,
				   pg_catalog.count(*) AS ledger_rows
			  FROM bedrock_cost.loads AS l;
	EXCEPTION WHEN duplicate_table THEN
		RETURN NULL;
	END;
	COMMENT ON VIEW bedrock_cost.loaded_data IS
	  'the deliveries the ledger holds; created with the first of them and not part of the extension: because it reads the ledger, DROP EXTENSION bedrock_cost refuses while it exists, and DROP EXTENSION bedrock_cost CASCADE drops every loaded row, the ledger and the history on purpose';
	GRANT SELECT ON bedrock_cost.loaded_data TO bedrock_cost_admin;
	RETURN NULL;
END
$$;

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

-- ------------------------------------------------------------------------
-- usage_daily at the grain of chargeback_daily: the columns change on the
-- template and on the partitioned table (and so on every current
-- delivery's partition), then each current delivery's model-day summary is
-- recomputed from its summary, the way a full rebuild of the chargeback
-- does

-- empty the model-day summary of a delivery for its rows to be written again
CREATE FUNCTION bedrock_cost._clear_daily(p_load_id bigint)
RETURNS boolean
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	grain text := 'usage_daily_l' || p_load_id || '_grain';
	indexed boolean := pg_catalog.to_regclass(pg_catalog.format('bedrock_cost.%I', grain)) IS NOT NULL;
BEGIN
	-- the unique index on the grain (a full rebuild's recompute of a
	-- current delivery) is dropped while the rows are replaced, then built
	-- again from them: kept up row by row, each new row checked against the
	-- deleted one of its key, it made the recompute half as slow again
	IF indexed THEN
		EXECUTE format('DROP INDEX bedrock_cost.%I', grain);
	END IF;
	-- DELETE, not TRUNCATE: a full rebuild of the chargeback recomputes the
	-- attached tables of the current deliveries, under readers
	EXECUTE format('DELETE FROM bedrock_cost.%I', 'usage_daily_l' || p_load_id);
	RETURN indexed;
END
$$;
COMMENT ON FUNCTION bedrock_cost._clear_daily(bigint) IS
  'internal: empties the model-day summary of delivery p_load_id (usage_daily_l<load_id>) for its rows to be written again (_summarize_daily, _rebuild_daily): DELETE, under readers, its unique index on the grain dropped first; returns whether it had that index, to build it again once the rows are in (_index_summaries)';
REVOKE ALL ON FUNCTION bedrock_cost._clear_daily(bigint) FROM PUBLIC;

-- the model-day summary of a delivery computed from its summary
CREATE OR REPLACE FUNCTION bedrock_cost._summarize_daily(p_load_id bigint)
RETURNS bigint
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
	-- emptied, its unique index on the grain (if any) dropped meanwhile
	indexed boolean := bedrock_cost._clear_daily(p_load_id);
BEGIN
	-- the grain of chargeback_daily, grouped as SQL groups iam_arn and jsonb
	-- (the loader's rollup in C makes the same groups, src/core/cur_summary.h)
	EXECUTE format('INSERT INTO bedrock_cost.%I (billing_period, export_id, load_id, usage_date, '
				   'payer_account_id, usage_account_id, attribution, principal, tags, model, '
				   'line_items, unblended_cost, net_unblended_cost, '
				   'input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, '
				   'input_unblended_cost, output_unblended_cost, cache_read_unblended_cost, '
				   'cache_write_unblended_cost, input_net_unblended_cost, output_net_unblended_cost, '
				   'cache_read_net_unblended_cost, cache_write_net_unblended_cost) '
				   'SELECT s.billing_period, s.export_id, s.load_id, s.usage_date, s.payer_account_id, '
				   's.usage_account_id, bedrock_cost.attribution(s.principal::pg_catalog.text, s.line_item_type), '
				   's.principal, s.tags, u.model, '
				   'sum(s.line_items), sum(s.unblended_cost), sum(s.net_unblended_cost), '
				   'sum(s.tokens) FILTER (WHERE u.kind = ''input''), '
				   'sum(s.tokens) FILTER (WHERE u.kind = ''output''), '
				   'sum(s.tokens) FILTER (WHERE u.kind = ''cache_read''), '
				   'sum(s.tokens) FILTER (WHERE u.kind = ''cache_write''), '
				   'sum(s.unblended_cost) FILTER (WHERE u.kind = ''input''), '
				   'sum(s.unblended_cost) FILTER (WHERE u.kind = ''output''), '
				   'sum(s.unblended_cost) FILTER (WHERE u.kind = ''cache_read''), '
				   'sum(s.unblended_cost) FILTER (WHERE u.kind = ''cache_write''), '
				   'sum(s.net_unblended_cost) FILTER (WHERE u.kind = ''input''), '
				   'sum(s.net_unblended_cost) FILTER (WHERE u.kind = ''output''), '
				   'sum(s.net_unblended_cost) FILTER (WHERE u.kind = ''cache_read''), '
				   'sum(s.net_unblended_cost) FILTER (WHERE u.kind = ''cache_write'') '
				   'FROM bedrock_cost.%I AS s '
				   'CROSS JOIN LATERAL (SELECT p.model, p.token_kind AS kind '
				   'FROM bedrock_cost.parse_usage_type(s.usage_type, s.product_name) AS p) AS u '
				   'GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10',
				   'usage_daily_l' || p_load_id, 'usage_summary_l' || p_load_id);
	GET DIAGNOSTICS n = ROW_COUNT;
	IF indexed THEN
		PERFORM bedrock_cost._index_summaries(p_load_id);
	END IF;
	RETURN n;
END
$$;
COMMENT ON FUNCTION bedrock_cost._summarize_daily(bigint) IS
  'internal: (re)computes the model-day summary of delivery p_load_id (usage_daily_l<load_id>) from its summary (usage_summary_l<load_id>) and parse_usage_type, for the deliveries whose summary the loader did not roll up itself and when the chargeback rebuilds the model-day summaries (refresh_chargeback(false), a new extension version; its unique index on the grain, when it has one, dropped meanwhile and built again); returns its rows';

ALTER TABLE bedrock_cost.usage_daily_template
	DROP COLUMN line_item_type,
	DROP COLUMN token_kind,
	DROP COLUMN tokens,
	ADD COLUMN attribution text,
	ADD COLUMN input_tokens numeric,
	ADD COLUMN output_tokens numeric,
	ADD COLUMN cache_read_tokens numeric,
	ADD COLUMN cache_write_tokens numeric,
	ADD COLUMN input_unblended_cost numeric,
	ADD COLUMN output_unblended_cost numeric,
	ADD COLUMN cache_read_unblended_cost numeric,
	ADD COLUMN cache_write_unblended_cost numeric,
	ADD COLUMN input_net_unblended_cost numeric,
	ADD COLUMN output_net_unblended_cost numeric,
	ADD COLUMN cache_read_net_unblended_cost numeric,
	ADD COLUMN cache_write_net_unblended_cost numeric;
ALTER TABLE bedrock_cost.usage_daily
	DROP COLUMN line_item_type,
	DROP COLUMN token_kind,
	DROP COLUMN tokens,
	ADD COLUMN attribution text,
	ADD COLUMN input_tokens numeric,
	ADD COLUMN output_tokens numeric,
	ADD COLUMN cache_read_tokens numeric,
	ADD COLUMN cache_write_tokens numeric,
	ADD COLUMN input_unblended_cost numeric,
	ADD COLUMN output_unblended_cost numeric,
	ADD COLUMN cache_read_unblended_cost numeric,
	ADD COLUMN cache_write_unblended_cost numeric,
	ADD COLUMN input_net_unblended_cost numeric,
	ADD COLUMN output_net_unblended_cost numeric,
	ADD COLUMN cache_read_net_unblended_cost numeric,
	ADD COLUMN cache_write_net_unblended_cost numeric;

-- a new delivery's model-day table says what it holds now
CREATE OR REPLACE FUNCTION bedrock_cost._create_load_table(p_load_id bigint, p_period date, p_export_id integer)
RETURNS text
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t text := 'line_items_l' || p_load_id;
	s text := 'usage_summary_l' || p_load_id;
	p text := 'usage_period_l' || p_load_id;
	d text := 'usage_daily_l' || p_load_id;
BEGIN
	EXECUTE format('CREATE TABLE bedrock_cost.%I (LIKE bedrock_cost.line_items_template INCLUDING ALL, '
				   'CONSTRAINT %I CHECK (billing_period = %L::date AND export_id = %s AND load_id = %s))',
				   t, t || '_delivery', p_period, p_export_id, p_load_id);
	EXECUTE format('COMMENT ON TABLE bedrock_cost.%I IS %L', t,
				   format('rows of delivery %s (bedrock_cost.loads), billing period %s', p_load_id, p_period));
	EXECUTE format('CREATE TABLE bedrock_cost.%I (LIKE bedrock_cost.usage_summary_template INCLUDING ALL, '
				   'CONSTRAINT %I CHECK (billing_period = %L::date AND export_id = %s AND load_id = %s))',
				   s, s || '_delivery', p_period, p_export_id, p_load_id);
	EXECUTE format('COMMENT ON TABLE bedrock_cost.%I IS %L', s,
				   format('chargeback summary of delivery %s (bedrock_cost.loads), billing period %s', p_load_id, p_period));
	EXECUTE format('CREATE TABLE bedrock_cost.%I (LIKE bedrock_cost.usage_period_template INCLUDING ALL, '
				   'CONSTRAINT %I CHECK (billing_period = %L::date AND export_id = %s AND load_id = %s))',
				   p, p || '_delivery', p_period, p_export_id, p_load_id);
	EXECUTE format('COMMENT ON TABLE bedrock_cost.%I IS %L', p,
				   format('chargeback summary of delivery %s (bedrock_cost.loads) over billing period %s', p_load_id, p_period));
	EXECUTE format('CREATE TABLE bedrock_cost.%I (LIKE bedrock_cost.usage_daily_template INCLUDING ALL, '
				   'CONSTRAINT %I CHECK (billing_period = %L::date AND export_id = %s AND load_id = %s))',
				   d, d || '_delivery', p_period, p_export_id, p_load_id);
	EXECUTE format('COMMENT ON TABLE bedrock_cost.%I IS %L', d,
				   format('chargeback summary of delivery %s (bedrock_cost.loads) at the grain of chargeback_daily, billing period %s', p_load_id, p_period));
	-- on Citus, distributed like line_items before a row is written (78_citus.sql)
	PERFORM bedrock_cost._distribute_load_table(t);
	RETURN t;
END
$$;

SELECT bedrock_cost._summarize_daily(l.load_id)
  FROM bedrock_cost.loads AS l
 WHERE l.status = 'done'
   AND pg_catalog.to_regclass(pg_catalog.format('bedrock_cost.%I', 'usage_daily_l' || l.load_id)) IS NOT NULL
 ORDER BY l.load_id;

ALTER TABLE bedrock_cost.usage_daily_template ALTER COLUMN attribution SET NOT NULL;
ALTER TABLE bedrock_cost.usage_daily ALTER COLUMN attribution SET NOT NULL;

-- ------------------------------------------------------------------------
-- the grain of chargeback_base and chargeback_daily is unique in the
-- summaries they project row for row (an index on each delivery's period
-- and model-day summaries, built before its swap), no longer by an index on
-- each of the two tables, which cost more than half of a period's refresh

-- the grain of a delivery's period and model-day summaries, unique
CREATE FUNCTION bedrock_cost._index_summaries(p_load_id bigint)
RETURNS void
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- NULL is a value of the grain (no principal, no model): two rows that
	-- differ only by being NULL are one group, and would be a duplicate
	nulls text := CASE WHEN pg_catalog.current_setting('server_version_num')::integer >= 150000
					   THEN ' NULLS NOT DISTINCT' ELSE '' END;
	s record;
BEGIN
	-- each one that is missing (_summarize_daily drops and builds again its own)
	FOR s IN
		SELECT v.tab || p_load_id AS tab, v.tab || p_load_id || '_grain' AS idx, v.grain
		  FROM (VALUES ('usage_period_l', 'billing_period, export_id, principal, usage_type, resource_id, '
										  'usage_account_id, payer_account_id, line_item_type, product_name, '
										  'payer_account_name, usage_account_name, tags'),
					   ('usage_daily_l', 'billing_period, usage_date, principal, model, usage_account_id, '
										 'export_id, payer_account_id, attribution, tags')) AS v(tab, grain)
	LOOP
		IF pg_catalog.to_regclass(pg_catalog.format('bedrock_cost.%I', s.idx)) IS NULL THEN
			EXECUTE format('CREATE UNIQUE INDEX %I ON bedrock_cost.%I (%s)%s', s.idx, s.tab, s.grain, nulls);
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION bedrock_cost._index_summaries(bigint) IS
  'internal: the unique indexes on the grain of delivery p_load_id''s period summary (usage_period_l<load_id>: the grain of chargeback_base) and model-day summary (usage_daily_l<load_id>: the grain of chargeback_daily), NULLs not distinct, each one that is missing: built from its rows once they are all in (a sort, not an insert per row), before the swap waits for any lock (the loader, the client API and restore_load call it right before _swap_in, which refuses a delivery without them), so a delivery whose summaries hold a grain twice fails instead of showing it twice in the chargeback, which projects these tables row for row';
REVOKE ALL ON FUNCTION bedrock_cost._index_summaries(bigint) FROM PUBLIC;

-- the current deliveries' summaries (the model-day ones were recomputed
-- above); a 0.1.0 period summary that holds a grain twice is summed again
-- from its summary first
DO $do$
DECLARE
	l record;
BEGIN
	FOR l IN
		SELECT d.load_id FROM bedrock_cost.loads AS d
		 WHERE d.status = 'done'
		   AND pg_catalog.to_regclass(pg_catalog.format('bedrock_cost.%I', 'usage_daily_l' || d.load_id)) IS NOT NULL
		   AND pg_catalog.to_regclass(pg_catalog.format('bedrock_cost.%I', 'usage_period_l' || d.load_id)) IS NOT NULL
		 ORDER BY d.load_id
	LOOP
		BEGIN
			PERFORM bedrock_cost._index_summaries(l.load_id);
		EXCEPTION WHEN unique_violation THEN
			PERFORM bedrock_cost._summarize_period(l.load_id);
			PERFORM bedrock_cost._index_summaries(l.load_id);
		END;
	END LOOP;
END
$do$;

-- a delivery is swapped in with those indexes only, and in two steps,
-- always in this order (the summaries, then the line items), so that two
-- swaps lock the parents in the same order: the background worker runs the
-- first, refreshes the chargeback, and runs the second last, so a
-- restatement's DETACH of line_items (ACCESS EXCLUSIVE until the commit)
-- does not keep readers of the line items waiting through the refresh
CREATE FUNCTION bedrock_cost._swap_in_summaries(p_load_id bigint)
RETURNS bigint
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	l bedrock_cost.loads;
	old bedrock_cost.loads;
	summary text;
BEGIN
	SELECT * INTO STRICT l FROM bedrock_cost.loads WHERE load_id = p_load_id FOR UPDATE;
	IF l.summary_via IS NULL THEN
		RAISE EXCEPTION 'delivery % has no chargeback summary', p_load_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'bedrock_cost._summarize_load_table computes it from the stored rows.';
	END IF;
	-- the chargeback projects the summaries row for row: their grain unique
	IF pg_catalog.to_regclass(pg_catalog.format('bedrock_cost.%I', 'usage_period_l' || p_load_id || '_grain')) IS NULL
	   OR pg_catalog.to_regclass(pg_catalog.format('bedrock_cost.%I', 'usage_daily_l' || p_load_id || '_grain')) IS NULL THEN
		RAISE EXCEPTION 'delivery % has no unique index on its summaries'' grain', p_load_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'bedrock_cost._index_summaries builds them from the summaries'' rows.';
	END IF;
	SELECT * INTO old FROM bedrock_cost.loads
	 WHERE export_id = l.export_id AND billing_period = l.billing_period
	   AND status = 'done' AND load_id <> p_load_id
	 FOR UPDATE;
	IF FOUND THEN
		EXECUTE format('ALTER TABLE bedrock_cost.usage_summary DETACH PARTITION bedrock_cost.%I',
					   'usage_summary_l' || old.load_id);
		EXECUTE format('ALTER TABLE bedrock_cost.usage_summary_history ATTACH PARTITION bedrock_cost.%I FOR VALUES IN (%s)',
					   'usage_summary_l' || old.load_id, old.load_id);
		-- the period and model-day summaries are for current deliveries only
		EXECUTE format('DROP TABLE bedrock_cost.%I', 'usage_period_l' || old.load_id);
		EXECUTE format('DROP TABLE bedrock_cost.%I', 'usage_daily_l' || old.load_id);
		UPDATE bedrock_cost.loads SET status = 'superseded', superseded_by = p_load_id
		 WHERE load_id = old.load_id;
	END IF;
	FOREACH summary IN ARRAY ARRAY['usage_summary', 'usage_period', 'usage_daily']
	LOOP
		EXECUTE format('ALTER TABLE bedrock_cost.%I ATTACH PARTITION bedrock_cost.%I '
					   'FOR VALUES FROM (%L, %s) TO (%L, %s)',
					   summary, summary || '_l' || p_load_id, l.billing_period, l.export_id,
					   l.billing_period, l.export_id + 1);
	END LOOP;
	UPDATE bedrock_cost.loads SET status = 'done', finished_at = clock_timestamp()
	 WHERE load_id = p_load_id;
	RETURN old.load_id;
END
$$;
COMMENT ON FUNCTION bedrock_cost._swap_in_summaries(bigint) IS
  'internal: the first step of _swap_in: DETACHes the period''s current summary (to usage_summary_history; its period and model-day summaries are dropped), ATTACHes the new delivery''s three summaries and records the swap in the ledger (the new delivery done, the previous one superseded by it), in the caller''s transaction; returns the superseded load_id. The chargeback reads the delivery from here on; _swap_in_line_items must follow in the same transaction';

CREATE FUNCTION bedrock_cost._swap_in_line_items(p_load_id bigint)
RETURNS void
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	l bedrock_cost.loads;
	old bedrock_cost.loads;
BEGIN
	SELECT * INTO STRICT l FROM bedrock_cost.loads WHERE load_id = p_load_id FOR UPDATE;
	-- the ledger has the swap (_swap_in_summaries), the table is not attached yet
	IF l.status NOT IN ('done', 'superseded')
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_inherits AS i
				   WHERE i.inhrelid = pg_catalog.format('bedrock_cost.%I', l.data_table)::pg_catalog.regclass) THEN
		RAISE EXCEPTION 'the line items of delivery % cannot be swapped in: its summaries were not, or its rows are in place already', p_load_id
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	-- the delivery it replaced, unless that one's line items never came in
	-- (superseded in this transaction too: see below)
	SELECT * INTO old FROM bedrock_cost.loads
	 WHERE superseded_by = p_load_id AND status = 'superseded'
	 FOR UPDATE;
	IF FOUND AND EXISTS (SELECT 1 FROM pg_catalog.pg_inherits AS i
						  WHERE i.inhrelid = pg_catalog.format('bedrock_cost.%I', old.data_table)::pg_catalog.regclass
							AND i.inhparent = 'bedrock_cost.line_items'::pg_catalog.regclass) THEN
		EXECUTE format('ALTER TABLE bedrock_cost.line_items DETACH PARTITION bedrock_cost.%I', old.data_table);
		EXECUTE format('ALTER TABLE bedrock_cost.line_items_history ATTACH PARTITION bedrock_cost.%I FOR VALUES IN (%s)',
					   old.data_table, old.load_id);
	END IF;
	IF l.status = 'done' THEN
		EXECUTE format('ALTER TABLE bedrock_cost.line_items ATTACH PARTITION bedrock_cost.%I '
					   'FOR VALUES FROM (%L, %s) TO (%L, %s)',
					   l.data_table, l.billing_period, l.export_id, l.billing_period, l.export_id + 1);
	ELSE
		-- a later delivery of the period had its summaries swapped in before
		-- these line items (two deliveries of a period in one call of the
		-- worker): straight to history
		EXECUTE format('ALTER TABLE bedrock_cost.line_items_history ATTACH PARTITION bedrock_cost.%I FOR VALUES IN (%s)',
					   l.data_table, l.load_id);
	END IF;
	PERFORM bedrock_cost._prune_history(l.export_id, l.billing_period);
END
$$;
COMMENT ON FUNCTION bedrock_cost._swap_in_line_items(bigint) IS
  'internal: the second step of _swap_in, after _swap_in_summaries in the same transaction: DETACHes the line items of the delivery it superseded (to line_items_history), ATTACHes the new delivery''s (to line_items_history instead, when a later delivery of the period superseded it in the meantime) and drops the history beyond bedrock_cost.history_retention';

CREATE OR REPLACE FUNCTION bedrock_cost._swap_in(p_load_id bigint)
RETURNS bigint
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	old_id bigint;
BEGIN
	old_id := bedrock_cost._swap_in_summaries(p_load_id);
	PERFORM bedrock_cost._swap_in_line_items(p_load_id);
	RETURN old_id;
END
$$;
COMMENT ON FUNCTION bedrock_cost._swap_in(bigint) IS
  'internal: makes a loaded delivery the current data of its period, in the caller''s transaction: _swap_in_summaries, then _swap_in_line_items (the current partitions of the period to line_items_history and usage_summary_history, its period and model-day summaries dropped, the new delivery''s ATTACHed); returns the superseded load_id';
REVOKE ALL ON FUNCTION bedrock_cost._swap_in_summaries(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._swap_in_line_items(bigint) FROM PUBLIC;

DROP INDEX bedrock_cost.chargeback_base_key;
DROP INDEX bedrock_cost.chargeback_daily_key;
-- chargeback_base projects the period summaries row for row, and each
-- delivery's period summary has a unique index on this grain, built by a
-- sort before its swap (_index_summaries): the same index here cost more
-- than a third of a period's refresh (an insert per row into 600-byte keys)
CREATE INDEX chargeback_base_period ON bedrock_cost.chargeback_base (billing_period, export_id);
COMMENT ON INDEX bedrock_cost.chargeback_base_period IS
  'serves the refresh''s delete of a period and the reads of one; the grain is unique in the period summaries chargeback_base projects (usage_period_l<load_id>_grain)';
-- as chargeback_base: the grain is unique in the model-day summaries this
-- table projects row for row (_index_summaries)
CREATE INDEX chargeback_daily_period ON bedrock_cost.chargeback_daily (billing_period, usage_date);
COMMENT ON INDEX bedrock_cost.chargeback_daily_period IS
  'serves filters on billing_period and day, the refresh''s delete of a period and the spikes'' read of one; the grain is unique in the model-day summaries chargeback_daily projects (usage_daily_l<load_id>_grain)';

COMMENT ON TABLE bedrock_cost.usage_daily IS
  'usage_summary of the current deliveries at the grain of chargeback_daily: one row per UTC usage day, accounts, attribution, principal, tags map (as jsonb) and model, with the tokens and costs of the four token kinds side by side, so chargeback_daily reads it without grouping (a month of usage has about a fifth of the rows of its usage_summary). Rolled up by the loader from the summary it keeps, else by SQL from usage_summary (bedrock_cost._summarize_daily); swapped in with the delivery, dropped when a newer delivery replaces it, and recomputed from usage_summary by every full rebuild of the chargeback (refresh_chargeback(false), or a change of the extension version), so the models follow the installed parser. One partition per (billing_period, export_id); always sum';
COMMENT ON COLUMN bedrock_cost.usage_daily.attribution IS 'bedrock_cost.attribution(principal, line_item_type) of the rows: attributed, unattributed or account_level';
COMMENT ON COLUMN bedrock_cost.usage_daily.model IS 'model of the usage type, as billed (parse_usage_type(usage_type, product_name).model; NULL when none)';
COMMENT ON COLUMN bedrock_cost.usage_daily.input_tokens IS 'sum of tokens of the rows whose token kind (parse_usage_type(...).token_kind) is input; NULL when no such row has tokens. output_tokens, cache_read_tokens and cache_write_tokens likewise';
COMMENT ON COLUMN bedrock_cost.usage_daily.output_tokens IS 'as input_tokens, for the token kind output';
COMMENT ON COLUMN bedrock_cost.usage_daily.cache_read_tokens IS 'as input_tokens, for the token kind cache_read';
COMMENT ON COLUMN bedrock_cost.usage_daily.cache_write_tokens IS 'as input_tokens, for the token kind cache_write';
COMMENT ON COLUMN bedrock_cost.usage_daily.input_unblended_cost IS 'sum of unblended_cost of the rows of token kind input; NULL when there is none';
COMMENT ON COLUMN bedrock_cost.usage_daily.output_unblended_cost IS 'as input_unblended_cost, for the token kind output';
COMMENT ON COLUMN bedrock_cost.usage_daily.cache_read_unblended_cost IS 'as input_unblended_cost, for the token kind cache_read';
COMMENT ON COLUMN bedrock_cost.usage_daily.cache_write_unblended_cost IS 'as input_unblended_cost, for the token kind cache_write';
COMMENT ON COLUMN bedrock_cost.usage_daily.input_net_unblended_cost IS 'sum of net_unblended_cost of the rows of token kind input; NULL when there is none';
COMMENT ON COLUMN bedrock_cost.usage_daily.output_net_unblended_cost IS 'as input_net_unblended_cost, for the token kind output';
COMMENT ON COLUMN bedrock_cost.usage_daily.cache_read_net_unblended_cost IS 'as input_net_unblended_cost, for the token kind cache_read';
COMMENT ON COLUMN bedrock_cost.usage_daily.cache_write_net_unblended_cost IS 'as input_net_unblended_cost, for the token kind cache_write';

-- chargeback_daily projects usage_daily: its rows function as
-- _chargeback_table makes it (60_chargeback.sql), without the sort setting
-- its grouping needed
DO $do$
DECLARE
	q text := $q$
	-- the model-day summary is at this table's grain already (usage_daily:
	-- the loader's rollup or _summarize_daily group its rows as this
	-- table's key does), so a period is a projection of its rows, with the
	-- cost basis applied and the principal's role and person
	SELECT li.billing_period, li.usage_date, li.export_id, e.export_name, e.path AS export,
		   li.payer_account_id, li.usage_account_id,
		   li.attribution, li.principal::text AS principal_arn,
		   bedrock_cost.role_arn(li.principal)::text AS role_arn,
		   bedrock_cost.person(li.principal) AS person,
		   li.tags, li.model,
		   CASE s.cost_basis WHEN 'net_unblended' THEN li.net_unblended_cost
				ELSE li.unblended_cost END AS cost,
		   s.cost_basis, li.unblended_cost, li.net_unblended_cost,
		   coalesce(li.input_tokens, 0) AS input_tokens,
		   coalesce(li.output_tokens, 0) AS output_tokens,
		   coalesce(li.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(li.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(li.input_tokens, 0) + coalesce(li.output_tokens, 0)
			+ coalesce(li.cache_read_tokens, 0) + coalesce(li.cache_write_tokens, 0) AS total_tokens,
		   coalesce(CASE s.cost_basis WHEN 'net_unblended' THEN li.input_net_unblended_cost
						 ELSE li.input_unblended_cost END, 0) AS input_cost,
		   coalesce(CASE s.cost_basis WHEN 'net_unblended' THEN li.output_net_unblended_cost
						 ELSE li.output_unblended_cost END, 0) AS output_cost,
		   coalesce(CASE s.cost_basis WHEN 'net_unblended' THEN li.cache_read_net_unblended_cost
						 ELSE li.cache_read_unblended_cost END, 0) AS cache_read_cost,
		   coalesce(CASE s.cost_basis WHEN 'net_unblended' THEN li.cache_write_net_unblended_cost
						 ELSE li.cache_write_unblended_cost END, 0) AS cache_write_cost,
		   li.line_items
	  FROM %1$s AS li
	  JOIN bedrock_cost.exports AS e ON e.export_id = li.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s
$q$;
BEGIN
	EXECUTE format('CREATE OR REPLACE FUNCTION bedrock_cost._chargeback_daily_rows(periods date[]) '
				   'RETURNS SETOF bedrock_cost.chargeback_daily '
				   'LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp '
				   'SET enable_indexscan = off SET enable_bitmapscan = off AS %L',
				   format(q, '(SELECT * FROM bedrock_cost.usage_daily AS src WHERE src.billing_period = ANY ($1)'
						  || ' AND src.billing_period >= (SELECT pg_catalog.min(x.p) FROM pg_catalog.unnest($1) AS x(p))'
						  || ' AND src.billing_period <= (SELECT pg_catalog.max(x.p) FROM pg_catalog.unnest($1) AS x(p)))'));
END
$do$;

-- chargeback_base reads every row of its period's partitions: by a
-- sequential scan, whatever the fresh partitions' missing statistics
-- make of the period's filter
ALTER FUNCTION bedrock_cost._chargeback_base_rows(date[]) SET enable_indexscan = off;
ALTER FUNCTION bedrock_cost._chargeback_base_rows(date[]) SET enable_bitmapscan = off;

-- each chargeback table's _rows(periods) becomes _insert(periods), which
-- inserts the same query's rows into the table itself (60_chargeback.sql,
-- _chargeback_table): the query, its settings and its comment as they are
DO $do$
DECLARE
	rel text;
	f record;
	conflict text;
BEGIN
	FOREACH rel IN ARRAY ARRAY['chargeback_base', 'chargeback_usage_types', 'chargeback_by_principal',
							   'chargeback_by_tag', 'usage_by_model', 'chargeback_by_resource', 'team_model_mix',
							   'usage_profile', 'chargeback_daily', 'chargeback_allocated']
	LOOP
		SELECT p.prosrc,
			   (SELECT pg_catalog.string_agg(' SET ' || pg_catalog.split_part(c.s, '=', 1) || ' = '
											 || pg_catalog.substr(c.s, pg_catalog.strpos(c.s, '=') + 1), '' ORDER BY c.n)
				  FROM pg_catalog.unnest(p.proconfig) WITH ORDINALITY AS c(s, n)) AS settings,
			   pg_catalog.obj_description(p.oid, 'pg_proc') AS descr
		  INTO f
		  FROM pg_catalog.pg_proc AS p
		 WHERE p.oid = pg_catalog.to_regprocedure('bedrock_cost.' || pg_catalog.quote_ident('_' || rel || '_rows') || '(date[])');
		conflict := CASE rel WHEN 'chargeback_usage_types'
							 THEN ' ON CONFLICT (usage_type, product_name_key) DO NOTHING' ELSE '' END;
		EXECUTE format('CREATE FUNCTION bedrock_cost.%I(periods date[]) RETURNS void LANGUAGE sql%s AS %L',
					   '_' || rel || '_insert', f.settings,
					   format('INSERT INTO bedrock_cost.%I %s%s', rel, f.prosrc, conflict));
		EXECUTE format('COMMENT ON FUNCTION bedrock_cost.%I(date[]) IS %L', '_' || rel || '_insert',
					   pg_catalog.replace(f.descr, 'internal: the rows of ', 'internal: inserts the rows of '));
		EXECUTE format('REVOKE ALL ON FUNCTION bedrock_cost.%I(date[]) FROM PUBLIC', '_' || rel || '_insert');
		EXECUTE format('DROP FUNCTION bedrock_cost.%I(date[])', '_' || rel || '_rows');
	END LOOP;
END
$do$;

DROP AGGREGATE bedrock_cost._daily_sums(text, numeric, numeric, numeric, numeric, bigint);
DROP FUNCTION bedrock_cost._daily_sums_add(internal, text, numeric, numeric, numeric, numeric, bigint);
DROP FUNCTION bedrock_cost._daily_sums_final(internal);

-- ------------------------------------------------------------------------
-- bi_focus_bedrock on Citus: the view is made by _bi_focus_view (on one
-- node as before), and distribute() remakes it over _focus_period

CREATE FUNCTION bedrock_cost._bi_focus_view(source text, period text)
RETURNS void
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	EXECUTE format($q$CREATE OR REPLACE VIEW bedrock_cost.bi_focus_bedrock WITH (security_barrier) AS
	SELECT f."BilledCost"::numeric(38,16) AS "BilledCost",
		   f."EffectiveCost"::numeric(38,16) AS "EffectiveCost",
		   f."ListCost"::numeric(38,16) AS "ListCost",
		   f."ContractedCost"::numeric(38,16) AS "ContractedCost",
		   f."BillingCurrency", f."PricingCurrency", f."BillingAccountId", f."BillingAccountName",
		   f."BillingPeriodStart", f."BillingPeriodEnd", f."InvoiceId", f."ChargeCategory",
		   f."ChargeClass", f."ChargeFrequency", f."ChargePeriodStart", f."ChargePeriodEnd",
		   f."ChargeDescription", f."ConsumedQuantity"::numeric(38,16) AS "ConsumedQuantity",
		   f."ConsumedUnit", f."PricingCategory",
		   f."PricingQuantity"::numeric(38,16) AS "PricingQuantity", f."PricingUnit",
		   f."InvoiceIssuerName", f."ProviderName", f."PublisherName", f."RegionId",
		   f."ResourceId", f."ResourceName", f."ResourceType", f."ServiceName", f."ServiceCategory",
		   f."ServiceSubcategory", f."SkuId", f."SkuMeter", f."SubAccountId", f."SubAccountName",
		   f."Tags"::text AS "Tags", f."x_IamPrincipal", f."x_LineItemType", f."x_UsageType",
		   f."x_Operation", f."x_ServiceCode", f."x_Model", f."x_Tier", f."x_Routing",
		   %2$s AS "x_BillingPeriod", f."x_ExportId", f."x_ExportName", f."x_Export", f."x_LoadId", f."x_FileNo",
		   f."x_LineNumber"
	  FROM %1$s$q$, source, period);
END
$fn$;
COMMENT ON FUNCTION bedrock_cost._bi_focus_view(text, text) IS
  'internal: (re)creates bedrock_cost.bi_focus_bedrock, focus_bedrock''s columns with declared types, over the row source source (its rows as f) and with period as x_BillingPeriod (the install: focus_bedrock filtered by team_access; distribute() on Citus: _focus_period per billing period)';
REVOKE ALL ON FUNCTION bedrock_cost._bi_focus_view(text, text) FROM PUBLIC;

CREATE FUNCTION bedrock_cost._focus_period(period date)
RETURNS SETOF bedrock_cost.focus_bedrock
LANGUAGE plpgsql STABLE STRICT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- the caller (current_user here is the owner), matched as the bi_* views match it
	everything boolean := pg_catalog.pg_has_role(bedrock_cost._session_role(), 'bedrock_cost_admin', 'MEMBER')
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = bedrock_cost._session_role() AND ta.tag_key = '*');
	pairs jsonb[] := ARRAY(SELECT pg_catalog.jsonb_build_object(ta.tag_key, ta.tag_value)
							 FROM bedrock_cost.team_access AS ta
							WHERE ta.role_name = bedrock_cost._session_role() AND ta.tag_key <> '*');
BEGIN
	RETURN QUERY
	SELECT f.* FROM bedrock_cost.focus_bedrock AS f
	 WHERE f."x_BillingPeriod" = $1 AND (everything OR f."Tags" @> ANY (pairs));
END
$$;
COMMENT ON FUNCTION bedrock_cost._focus_period(date) IS
  'internal: the rows of bedrock_cost.focus_bedrock of one billing period that the calling role may see (all for an admin or a role mapped to * in team_access, else those whose tags hold a (tag_key, tag_value) it is mapped to), read as the owner; on Citus, bi_focus_bedrock reads the line items through it (distribute())';

CREATE OR REPLACE FUNCTION bedrock_cost.distribute(shard_count integer DEFAULT NULL)
RETURNS TABLE (table_name regclass, distribution_column text, shards bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t text;
	part regclass;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'Citus is not installed in this database'
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'CREATE EXTENSION citus first, on the coordinator; doc/citus.md is the runbook.';
	END IF;
	FOREACH t IN ARRAY ARRAY['line_items', 'line_items_history'] LOOP
		IF bedrock_cost._citus_distribution(format('bedrock_cost.%I', t)::regclass) IS NULL THEN
			IF t = 'line_items' THEN
				EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2, shard_count => $3)'
				  USING 'bedrock_cost.line_items'::regclass, 'line_number', shard_count;
			ELSE
				EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2, colocate_with => $3)'
				  USING format('bedrock_cost.%I', t)::regclass, 'line_number', 'bedrock_cost.line_items';
			END IF;
			-- the partitions' rows were copied to the shards: drop the local copies
			FOR part IN SELECT i.inhrelid::regclass FROM pg_inherits AS i
						 WHERE i.inhparent = format('bedrock_cost.%I', t)::regclass LOOP
				EXECUTE 'SELECT pg_catalog.truncate_local_data_after_distributing_table($1)' USING part;
			END LOOP;
		END IF;
	END LOOP;
	-- Citus runs a view's shard queries as the caller, and a reader has no
	-- right on line_items: bi_focus_bedrock reads them through
	-- _focus_period, as the owner, one billing period at a time (a filter
	-- on x_BillingPeriod picks the periods read)
	PERFORM bedrock_cost._bi_focus_view(
		'(SELECT DISTINCT l.billing_period FROM bedrock_cost.loads AS l '
		'WHERE l.status OPERATOR(pg_catalog.=) ''done'') AS p '
		'CROSS JOIN LATERAL bedrock_cost._focus_period(p.billing_period) AS f',
		'p.billing_period');
	RETURN QUERY EXECUTE
		'SELECT r.rel, bedrock_cost._citus_distribution(r.rel), '
		'(SELECT pg_catalog.count(*) FROM pg_catalog.pg_dist_shard AS s WHERE s.logicalrelid OPERATOR(pg_catalog.=) r.rel) '
		'FROM pg_catalog.unnest($1) AS r(rel)'
	  USING ARRAY['bedrock_cost.line_items'::regclass, 'bedrock_cost.line_items_history'::regclass];
END
$$;
REVOKE ALL ON FUNCTION bedrock_cost._focus_period(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bedrock_cost._focus_period(date) TO bedrock_cost_reader, bedrock_cost_admin;

-- bedrock-cost-load's deliveries are summed in C from their stored rows
ALTER TABLE bedrock_cost.loads DROP CONSTRAINT loads_summary_via_check,
	ADD CONSTRAINT loads_summary_via_check CHECK (summary_via IN ('stream', 'stored', 'sql'));
COMMENT ON COLUMN bedrock_cost.loads.summary_via IS
  'how the summary was computed: stream (by the loader while the rows streamed through it), stored (by the server from the rows bedrock-cost-load stored or restore_load copied, in one scan of them) or sql (bedrock_cost._summarize_load_table over the stored rows: a database encoding other than UTF-8, a summary larger than bedrock_cost.summary_memory, or stored rows the summary in C does not take)';

-- the model-day summary of a current delivery again, in C where it can be
CREATE FUNCTION bedrock_cost._rebuild_daily(p_load_id bigint)
RETURNS bigint
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp	-- it runs SQL (the ledger, _clear_daily)
AS 'MODULE_PATHNAME', 'bedrock_cost_rebuild_daily';
COMMENT ON FUNCTION bedrock_cost._rebuild_daily(bigint) IS
  'internal: recomputes the model-day summary of current delivery p_load_id (usage_daily_l<load_id>) from its summary (usage_summary_l<load_id>) with the usage-type parser installed now, as _summarize_daily does: its groups read back and rolled up in C (src/ext/loader_summary.c), else _summarize_daily by SQL; for refresh_chargeback''s rebuild of the model-day summaries; returns its rows';
REVOKE ALL ON FUNCTION bedrock_cost._rebuild_daily(bigint) FROM PUBLIC;

-- the chargeback inputs keep the version apart: only a new version (or an
-- explicit full rebuild) recomputes the model-day summaries, in C where it can
CREATE OR REPLACE FUNCTION bedrock_cost._chargeback_inputs()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	-- the version apart, after a space: a new version may bring a new
	-- usage-type parser, which the model-day summaries depend on too
	SELECT pg_catalog.md5(pg_catalog.concat_ws(E'\n',
		(SELECT b.cost_basis FROM bedrock_cost.chargeback_basis AS b),
		(SELECT t::text FROM bedrock_cost.spike_settings AS t),
		(SELECT pg_catalog.string_agg(a::text, E'\n' ORDER BY a.alias, a.seeded)
		   FROM bedrock_cost.model_aliases AS a)))
		|| ' ' || coalesce((SELECT x.extversion FROM pg_catalog.pg_extension AS x
							 WHERE x.extname = 'bedrock_cost'), '')
$$;
COMMENT ON FUNCTION bedrock_cost._chargeback_inputs() IS
  'internal: what every period of the chargeback tables depends on besides its deliveries: a digest of the cost basis, spike thresholds and model aliases, then a space and the extension version; when it changes, refresh_chargeback() recomputes every period, and when the version changes (the usage-type parser with it), the model-day summaries first';

CREATE OR REPLACE FUNCTION bedrock_cost.refresh_chargeback(incremental boolean)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET work_mem = '256MB'
SET jit = off	-- compiling the per-period queries costs more than it saves
AS $$
DECLARE
	v_inputs text;
	stale record;
	full_rebuild boolean;
	rel text;
	cols text;
	spike_heads date[];
	period date;
BEGIN
	-- one refresh at a time; readers of the tables are never blocked.  The
	-- summary first: a load that is swapping a delivery in holds it (and
	-- then waits for this lock), so waiting for it here first cannot deadlock
	LOCK TABLE bedrock_cost.usage_summary IN ACCESS SHARE MODE;
	LOCK TABLE bedrock_cost.chargeback_state IN EXCLUSIVE MODE;
	v_inputs := bedrock_cost._chargeback_inputs();
	full_rebuild := NOT incremental
		OR EXISTS (SELECT 1 FROM bedrock_cost.chargeback_state AS s WHERE s.inputs <> v_inputs);
	IF full_rebuild THEN
		-- the model-day summaries hold the models and token kinds the parser
		-- gave when they were computed: again, with the parser installed now,
		-- when it may differ (asked for, or another extension version; a
		-- period recorded without its version apart counts as another), not
		-- for a new cost basis, spike threshold or model alias, which they
		-- do not depend on (a year of them took longer than the rest)
		IF NOT incremental
		   OR EXISTS (SELECT 1 FROM bedrock_cost.chargeback_state AS s
					   WHERE pg_catalog.split_part(s.inputs, ' ', 2)
							 <> pg_catalog.split_part(v_inputs, ' ', 2)) THEN
			PERFORM bedrock_cost._rebuild_daily(l.load_id)
			   FROM bedrock_cost.loads AS l
			  WHERE l.status = 'done';
		END IF;
		DELETE FROM bedrock_cost.chargeback_state;
	END IF;
	stale := bedrock_cost._chargeback_stale();
	IF stale.periods IS NULL AND NOT full_rebuild THEN
		RETURN;
	END IF;
	-- exports never reaches autovacuum's threshold for an ANALYZE (50 rows
	-- changed), and unanalysed the planner takes it for ten pages: it then
	-- hashed a period's model-day rows to join them to their one export
	-- (chargeback_daily: 48,836 rows of a 1M-row month), instead of the export
	IF (SELECT c.relpages FROM pg_catalog.pg_class AS c
		 WHERE c.oid = 'bedrock_cost.exports'::pg_catalog.regclass) = 0 THEN
		ANALYZE bedrock_cost.exports;
	END IF;
	FOREACH rel IN ARRAY bedrock_cost._chargeback_tables()
	LOOP
		IF rel = 'chargeback_usage_types' THEN
			-- not per period: the usage types of chargeback_base, kept exact
			IF full_rebuild THEN
				DELETE FROM bedrock_cost.chargeback_usage_types;
			ELSE
				DELETE FROM bedrock_cost.chargeback_usage_types AS u
				 WHERE NOT EXISTS (SELECT 1 FROM bedrock_cost.chargeback_base AS b
									WHERE b.usage_type = u.usage_type
									  AND coalesce(b.product_name, '') = u.product_name_key);
			END IF;
			PERFORM bedrock_cost._chargeback_usage_types_insert(stale.periods);
		ELSIF rel = 'spikes' AND NOT full_rebuild THEN
			-- a month's spikes look 14 days back: the first 14 days of the
			-- month after a recomputed one change with it
			spike_heads := ARRAY(
				SELECT DISTINCT (x.p + interval '1 month')::date
				  FROM pg_catalog.unnest(stale.periods) AS x(p)
				 WHERE NOT (x.p + interval '1 month')::date = ANY (stale.periods)
				   AND EXISTS (SELECT 1 FROM bedrock_cost.chargeback_state AS st
								WHERE st.billing_period = (x.p + interval '1 month')::date));
			DELETE FROM bedrock_cost.spikes AS t
			 WHERE t.billing_period = ANY (stale.periods)
				OR (t.billing_period = ANY (spike_heads) AND t.usage_date < t.billing_period + 14);
			PERFORM bedrock_cost._spikes_insert(stale.periods, spike_heads);
		ELSE
			IF full_rebuild THEN
				EXECUTE format('DELETE FROM bedrock_cost.%I', rel);
			ELSE
				EXECUTE format('DELETE FROM bedrock_cost.%I AS t WHERE t.billing_period OPERATOR(pg_catalog.=) ANY ($1)', rel)
					USING stale.periods;
			END IF;
			-- one period at a time: each month's rows stored together, without a
			-- sort of the rows (an ORDER BY made the planner aggregate
			-- chargeback_daily's source by sorting it, four times slower)
			FOREACH period IN ARRAY coalesce(stale.periods, '{}')
			LOOP
				EXECUTE format('SELECT bedrock_cost.%I($1)', '_' || rel || '_insert') USING ARRAY[period];
			END LOOP;
		END IF;
		-- fresh statistics when everything was recomputed, and when the set
		-- of periods changed (a new month), taken as soon as the table is
		-- filled: the tables after it read it, and were planned as if it
		-- held no row of the new month.  Then what the plans lack is the new
		-- month in the period and day columns and the new row counts, so
		-- only those columns are analysed (a fifth of the time: the text
		-- columns' statistics were most of it); the other columns'
		-- distributions change little with one month, and autovacuum's
		-- ANALYZE follows.  A restated period changes them little too: no
		-- ANALYZE
		IF full_rebuild OR stale.periods_changed THEN
			SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
			  INTO cols
			  FROM pg_catalog.pg_attribute AS a
			 WHERE a.attrelid = pg_catalog.to_regclass('bedrock_cost.' || pg_catalog.quote_ident(rel))
			   AND a.attname IN ('billing_period', 'usage_date') AND NOT a.attisdropped;
			EXECUTE format('ANALYZE bedrock_cost.%I%s', rel,
						   CASE WHEN full_rebuild OR cols IS NULL THEN '' ELSE ' (' || cols || ')' END);
		END IF;
	END LOOP;
	DELETE FROM bedrock_cost.chargeback_state AS s WHERE s.billing_period = ANY (stale.periods);
	INSERT INTO bedrock_cost.chargeback_state (billing_period, loads, exports, inputs, refreshed_at, data_through)
	SELECT c.billing_period, c.loads, c.exports, v_inputs, clock_timestamp(),
		   (SELECT max(d.usage_date) FROM bedrock_cost.chargeback_daily AS d
			 WHERE d.billing_period = c.billing_period)
	  FROM bedrock_cost._chargeback_current() AS c
	 WHERE c.billing_period = ANY (stale.periods);
	-- budgets whose state changed in these periods: one NOTIFY each, at commit
	PERFORM bedrock_cost._budget_notify(stale.periods);
END
$$;
COMMENT ON FUNCTION bedrock_cost.refresh_chargeback(boolean) IS
  'brings the chargeback tables up to date, in the caller''s transaction (the loader and the background worker call it in the transaction that swaps a delivery in, so chargeback and line_items change together at commit), then announces the budgets whose state changed in the recomputed periods (NOTIFY bedrock_cost_budget, sent at commit). incremental (the default) recomputes only the billing periods whose current deliveries (or their export''s name or path) changed since the last refresh (bedrock_cost.chargeback_state), or every period when the cost basis, the spike thresholds, the model aliases or the extension version changed (with a new version, the model-day summaries first); false recomputes every period and the model-day summaries. Either way readers keep the old rows until commit and are never blocked; concurrent refreshes wait for each other';

-- restore_load sums the rows copied itself (in C, else by SQL)
CREATE OR REPLACE FUNCTION bedrock_cost._prepare_restore(p_load_id bigint)
RETURNS bigint
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	old bedrock_cost.loads;
	export_path text;
	new_id bigint;
	t text;
	cols text;
BEGIN
	SELECT * INTO old FROM bedrock_cost.loads WHERE load_id = p_load_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'there is no load %', p_load_id USING ERRCODE = 'no_data_found';
	END IF;
	SELECT e.path INTO STRICT export_path FROM bedrock_cost.exports AS e WHERE e.export_id = old.export_id;
	-- the period's lock, as every load of it takes, then the ledger as it is now
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(
		'bedrock_cost load ' || export_path || ' ' || pg_catalog.to_char(old.billing_period, 'YYYY-MM-DD'), 0));
	SELECT * INTO STRICT old FROM bedrock_cost.loads WHERE load_id = p_load_id;
	IF old.status <> 'superseded' THEN
		RAISE EXCEPTION 'load % is %: only a superseded delivery can be restored', p_load_id, old.status
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF old.data_dropped_at IS NOT NULL THEN
		RAISE EXCEPTION 'the rows of load % were dropped by bedrock_cost.history_retention at %',
			p_load_id, old.data_dropped_at
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Load its files again with bedrock_cost.load_export(path, force => true), if they are still there.';
	END IF;
	new_id := nextval(pg_get_serial_sequence('bedrock_cost.loads', 'load_id'));
	t := bedrock_cost._create_load_table(new_id, old.billing_period, old.export_id);
	SELECT string_agg(CASE a.attname WHEN 'load_id' THEN new_id::text ELSE quote_ident(a.attname) END,
					  ', ' ORDER BY a.attnum)
	  INTO cols
	  FROM pg_attribute AS a
	 WHERE a.attrelid = 'bedrock_cost.line_items_template'::regclass AND a.attnum > 0
	   AND NOT a.attisdropped;
	EXECUTE format('INSERT INTO bedrock_cost.%I SELECT %s FROM bedrock_cost.%I', t, cols, old.data_table);
	INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, manifest_path,
			execution_id, delivery_key, status, started_at, rows_read, rows_loaded, rows_rejected,
			rows_other, bytes_read, data_table, same_as, loaded_via, delivered_at)
	SELECT new_id, old.export_id, old.billing_period, old.source, old.manifest_path,
		   old.execution_id, old.delivery_key, 'running', statement_timestamp(), old.rows_read,
		   old.rows_loaded, old.rows_rejected, old.rows_other, old.bytes_read, t, p_load_id,
		   'restore', pg_catalog.clock_timestamp();
	INSERT INTO bedrock_cost.load_files (load_id, file_no, path, size, sha256, rows_read, rows_loaded)
	SELECT new_id, f.file_no, f.path, f.size, f.sha256, f.rows_read, f.rows_loaded
	  FROM bedrock_cost.load_files AS f WHERE f.load_id = p_load_id;
	INSERT INTO bedrock_cost.load_totals (load_id, line_item_type, is_bedrock, rows, rejected_rows,
			unblended_cost, net_unblended_cost, rejected_unblended_cost, declared)
	SELECT new_id, x.line_item_type, x.is_bedrock, x.rows, x.rejected_rows, x.unblended_cost,
		   x.net_unblended_cost, x.rejected_unblended_cost, x.declared
	  FROM bedrock_cost.load_totals AS x WHERE x.load_id = p_load_id;
	-- restore_load then sums the rows copied into the summaries (in C, else
	-- by _summarize_load_table)
	PERFORM bedrock_cost._audit('restore_load', 'load ' || new_id,
		pg_catalog.jsonb_build_object('load_id', p_load_id, 'status', old.status),
		pg_catalog.jsonb_build_object('load_id', new_id, 'restores', p_load_id,
			'billing_period', old.billing_period, 'export', export_path));
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION bedrock_cost._prepare_restore(bigint) IS
  'internal: for bedrock_cost.restore_load, copies the rows and the ledger of a superseded delivery into a new delivery (loaded_via restore, same_as the load restored), under the period''s lock, ready to be summarised (by restore_load, from the rows copied) and swapped in';

-- ------------------------------------------------------------------------
-- spikes: the days of a month not loaded are unknown, not days without usage
COMMENT ON FUNCTION bedrock_cost._spike_days(refcursor, date[], date[], numeric, numeric, numeric) IS
  'internal: reads the cursor days (chargeback_daily''s billing_period, export_id, usage_date, principal_arn, model, person, role_arn, then cost and tokens of input, output, cache_read and cache_write, then optionally whether the export''s month before the row''s is loaded; ordered by principal_arn, so that the rows of each principal are together) and returns the spikes of every day of the periods and of the first 14 days of the heads: per series (export, principal, model) and token kind, the day''s cost and tokens summed over its rows, the baseline the median of the kind''s 14 days before (days without it counting as 0, days of a month not loaded unknown: a day with fewer than 7 known days before is not judged), spike_on cost and/or tokens by the thresholds given (src/ext/spikes.c)';

CREATE OR REPLACE FUNCTION bedrock_cost._spikes_rows(periods date[], heads date[] DEFAULT '{}')
RETURNS SETOF bedrock_cost.spikes
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	days refcursor;
	-- what the days read: the periods, the first 14 days of the heads (their
	-- later days do not look back into a recomputed month), and the 14 days
	-- before each of those months
	scan_periods date[] := ARRAY(
		SELECT DISTINCT p FROM pg_catalog.unnest(periods || heads) AS x(m),
			   LATERAL (VALUES (x.m), ((x.m - interval '1 month')::date)) AS v(p));
BEGIN
	-- the scan's periods as a value: the plan reads their rows through the
	-- index on chargeback_daily's grain (billing_period first), not every
	-- month held.  Last, whether the export's month before the row's is
	-- loaded: the days of a month without a current delivery are unknown,
	-- not days without usage (_spike_days)
	OPEN days FOR
		SELECT d.billing_period, d.export_id, d.usage_date, d.principal_arn, d.model, d.person, d.role_arn,
			   d.input_cost, d.input_tokens, d.output_cost, d.output_tokens,
			   d.cache_read_cost, d.cache_read_tokens, d.cache_write_cost, d.cache_write_tokens,
			   prev.export_id IS NOT NULL AS prev_loaded
		  FROM bedrock_cost.chargeback_daily AS d
		  LEFT JOIN (SELECT DISTINCT l.export_id, l.billing_period FROM bedrock_cost.loads AS l
					  WHERE l.status = 'done') AS prev
			ON prev.export_id = d.export_id
		   AND prev.billing_period = (d.billing_period - interval '1 month')::date
		 WHERE d.billing_period = ANY (scan_periods)
		   AND d.attribution <> 'account_level'
		   AND (d.billing_period = ANY (periods)
				OR (d.billing_period = ANY (heads) AND d.usage_date < d.billing_period + 14)
				OR (d.usage_date >= (d.billing_period + interval '1 month')::date - 14
					AND (d.billing_period + interval '1 month')::date = ANY (periods || heads)))
		 ORDER BY d.principal_arn COLLATE "C";
	RETURN QUERY
	WITH tags AS MATERIALIZED (
		-- each principal's tags in the period (the tag set it spent most
		-- under), and their text, once per principal
		SELECT DISTINCT ON (c.billing_period, c.export_id, c.principal_arn)
			   c.billing_period, c.export_id, c.principal_arn, c.principal_tags,
			   (SELECT pg_catalog.string_agg(bedrock_cost.tag_name(j.key) || '=' || j.value, ', ' ORDER BY j.key)
				  FROM pg_catalog.jsonb_each_text(c.principal_tags) AS j) AS tags_text
		  FROM bedrock_cost.chargeback_by_principal AS c
		 WHERE c.billing_period = ANY (periods || heads) AND c.principal_arn IS NOT NULL
		 ORDER BY c.billing_period, c.export_id, c.principal_arn, c.cost DESC, c.principal_tags
	)
	SELECT s.billing_period, s.export_id, e.export_name, e.path, s.usage_date,
		   s.principal_arn, s.person, s.role_arn, pt.principal_tags, pt.tags_text,
		   s.model, s.token_kind, s.cost, s.baseline_cost, round(s.cost / nullif(s.baseline_cost, 0), 4),
		   s.tokens, s.baseline_tokens, round(s.tokens / nullif(s.baseline_tokens, 0), 4),
		   s.spike_on, t.factor, t.min_cost, t.min_tokens, b.cost_basis
	  FROM bedrock_cost.spike_settings AS t
	 CROSS JOIN LATERAL bedrock_cost._spike_days(days, periods, heads, t.factor, t.min_cost, t.min_tokens) AS s
	  JOIN bedrock_cost.exports AS e ON e.export_id = s.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS b
	  LEFT JOIN tags AS pt
		ON pt.billing_period = s.billing_period AND pt.export_id = s.export_id
	   AND pt.principal_arn = s.principal_arn;
	CLOSE days;
END
$$;
COMMENT ON FUNCTION bedrock_cost._spikes_rows(date[], date[]) IS
  'internal: the rows of bedrock_cost.spikes for every day of the billing periods and the first 14 days of the heads (months after a recomputed one, whose later days do not look back into it): _spike_days over chargeback_daily of those days and the 14 days before each month (with whether the export''s month before is loaded), with the export, the principal''s tags and the thresholds in force (refresh_chargeback)';

CREATE FUNCTION bedrock_cost._spikes_insert(periods date[], heads date[] DEFAULT '{}')
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ INSERT INTO bedrock_cost.spikes SELECT * FROM bedrock_cost._spikes_rows(periods, heads) $$;
COMMENT ON FUNCTION bedrock_cost._spikes_insert(date[], date[]) IS
  'internal: inserts the rows of _spikes_rows(periods, heads) into bedrock_cost.spikes, as every chargeback table''s _insert function (refresh_chargeback)';
REVOKE ALL ON FUNCTION bedrock_cost._spikes_insert(date[], date[]) FROM PUBLIC;

-- load_export gains refresh => true (see the header)
DROP FUNCTION bedrock_cost.load_export(text, boolean);
CREATE FUNCTION bedrock_cost.load_export(path text, force boolean DEFAULT false,
	refresh boolean DEFAULT false,
	OUT load_id bigint, OUT billing_period date, OUT execution_id text, OUT status text,
	OUT rows_loaded bigint, OUT rows_rejected bigint, OUT error text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'bedrock_cost_load_export';
COMMENT ON FUNCTION bedrock_cost.load_export(text, boolean, boolean) IS
  'loads every new delivery (manifest) under a CUR 2.0 export folder, one transaction-safe swap per billing period; returns one row per delivery considered (done, noop: already current, stale: older than the current delivery, duplicate: current under another export, failed: recorded, not raised); force => true loads even a current or older delivery (audited); refresh => true runs refresh_chargeback() in the same call, as the background worker does, and swaps the line items in after it, so that readers of line_items wait for the swap only, not for the refresh (a refresh that fails, or line items that stay locked, fail the whole call)';
REVOKE ALL ON FUNCTION bedrock_cost.load_export(text, boolean, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bedrock_cost.load_export(text, boolean, boolean) TO bedrock_cost_admin;
