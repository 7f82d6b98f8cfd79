/*
 * 78_citus.sql: running on a Citus cluster (doc/citus.md is the runbook).
 * The extension has no Citus dependency: everything here looks Citus up at
 * run time and does nothing on a single node.
 *
 *   distribute()            line_items and line_items_history become hash-
 *                           distributed tables on line_number, colocated;
 *                           idempotent; rows already loaded move to the
 *                           shards and leave no local copy
 *   _citus_distribution()   the distribution column of a table, NULL when
 *                           it is not a Citus distributed table (or Citus
 *                           is not installed)
 *   _distribute_load_table() a delivery's fresh table distributed and
 *                           colocated like line_items before any row is
 *                           written (called by _create_load_table)
 *   _focus_period()         one billing period of focus_bedrock, filtered
 *                           for the caller by team_access, read as the
 *                           owner: distribute() makes bi_focus_bedrock over
 *                           it, since Citus runs a view's shard queries as
 *                           the caller, who has no right on line_items
 *
 * Why line_number: the key must be NOT NULL and spread evenly.  principal
 * is NULL on account-level and unattributed rows, payer_account_id has one
 * value per organisation, usage_account_id skews with the biggest team,
 * line_item_id is optional in the files.  line_number (the row's line in
 * its file) is always there and its hash spreads every file over every
 * shard.  Nothing joins line items on it, so no query loses a colocated
 * join by it: the chargeback reads the summaries, which stay on the
 * coordinator with the ledger and the settings (thousands of rows per
 * period; a refresh reads no shard).
 *
 * IDENTIFICATION
 *		sql/install/78_citus.sql
 */

CREATE FUNCTION bedrock_cost._citus_distribution(rel regclass)
RETURNS text
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	col text;
BEGIN
	IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RETURN NULL;
	END IF;
	-- dynamic: this function must install and run without Citus
	EXECUTE 'SELECT pg_catalog.column_to_column_name(p.logicalrelid, p.partkey::pg_catalog.text) '
			'FROM pg_catalog.pg_dist_partition AS p '
			'WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1 AND p.partmethod OPERATOR(pg_catalog.=) ''h'''
	   INTO col USING rel;
	RETURN col;
END
$$;
COMMENT ON FUNCTION bedrock_cost._citus_distribution(regclass) IS
  'internal: the distribution column of rel when it is a hash-distributed Citus table, NULL otherwise (also when Citus is not installed)';

CREATE FUNCTION bedrock_cost._distribute_load_table(p_table text)
RETURNS void
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	col text := bedrock_cost._citus_distribution('bedrock_cost.line_items'::regclass);
BEGIN
	IF col IS NULL THEN
		RETURN;
	END IF;
	-- one load at a time on Citus, to the commit: creating a table colocated
	-- with line_items leaves a shared lock on line_items, and the swap then
	-- needs an exclusive one, so two loads of different periods deadlocked
	-- in their swaps (test/bench/citus.sh, two sessions: one delivery
	-- failed).  On one node loads still run side by side up to the swap.
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('bedrock_cost citus load', 0));
	-- empty, so nothing is copied; colocated, so ATTACH PARTITION accepts it
	EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2, colocate_with => $3)'
	  USING format('bedrock_cost.%I', p_table)::regclass, col, 'bedrock_cost.line_items';
END
$$;
COMMENT ON FUNCTION bedrock_cost._distribute_load_table(text) IS
  'internal: when line_items is a Citus distributed table, makes the (empty) delivery table bedrock_cost.<p_table> distributed on the same column and colocated with it, so the loader writes its rows to the shards once and the swap''s ATTACH moves no data; loads on Citus then run one at a time (a transaction-level advisory lock), since two swaps deadlock on line_items';

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

CREATE FUNCTION bedrock_cost.distribute(shard_count integer DEFAULT NULL)
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
COMMENT ON FUNCTION bedrock_cost.distribute(integer) IS
  'on a Citus coordinator: makes line_items and line_items_history hash-distributed on line_number, colocated (shard_count: Citus''s citus.shard_count when NULL); rows already loaded move to the shards, no local copy is left; idempotent. Ledger, summaries, chargeback and settings stay on the coordinator. Superuser only; see doc/citus.md';

CREATE FUNCTION bedrock_cost._copy_rows(rel regclass, row_type anyelement)
RETURNS SETOF anyelement
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'bedrock_cost_copy_rows';
COMMENT ON FUNCTION bedrock_cost._copy_rows(regclass, anyelement) IS
  'internal: the rows of the COPY the loader is running into rel, one per call, as rel''s row type (row_type: NULL::rel), for the INSERT ... SELECT that writes a delivery into a Citus distributed table (loader_citus.c); refused outside the loader';

CREATE FUNCTION bedrock_cost._insert_copy_rows(rel regclass)
RETURNS bigint
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	-- in the select list, so the rows stream (a function in FROM is read
	-- into a tuplestore first); OFFSET 0 keeps the expansion of (r.x).*
	-- from calling it once per column
	EXECUTE format('INSERT INTO %s SELECT (r.x).* FROM (SELECT bedrock_cost._copy_rows(%s::pg_catalog.regclass, NULL::%s) AS x OFFSET 0) AS r',
				   rel, rel::oid, rel);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION bedrock_cost._insert_copy_rows(regclass) IS
  'internal: the loader''s write into a Citus distributed delivery table: INSERT INTO rel SELECT the rows of bedrock_cost._copy_rows(rel, NULL::rel), which Citus sends to the shards; returns the rows inserted';

REVOKE ALL ON FUNCTION bedrock_cost._citus_distribution(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._insert_copy_rows(regclass) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._copy_rows(regclass, anyelement) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._distribute_load_table(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost.distribute(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._focus_period(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bedrock_cost._focus_period(date) TO bedrock_cost_reader, bedrock_cost_admin;
