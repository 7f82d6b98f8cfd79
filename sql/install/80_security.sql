/*
 * 80_security.sql: privileges.  The last fragment, so it sees every object
 * of the extension.  README.md, "Security", lists the same.
 *
 *   bedrock_cost_reader  BI tools and team leads: USAGE on the schema,
 *                        SELECT on the bi_* views (rows filtered by
 *                        bedrock_cost.team_access) and EXECUTE on
 *                        bi_what_if (SECURITY DEFINER: it checks the same
 *                        access itself, 66_what_if.sql); no line items, no
 *                        tables, no load or refresh.
 *   bedrock_cost_admin   load, configure, refresh: SELECT on every table and
 *                        view, writes to chargeback_settings, team_access,
 *                        budgets and the user rows of model_aliases, and EXECUTE on
 *                        the functions listed below, nothing else.
 *   bedrock_cost_worker  the background worker's role when
 *                        bedrock_cost.worker_role is set: a member of
 *                        bedrock_cost_admin (05_roles.sql; the loader
 *                        requires it), plus SELECT, INSERT, UPDATE on the
 *                        worker's state (export_state, export_deliveries)
 *                        and EXECUTE on _fix_stale_loads(), nothing else.
 *   superusers           everything else: registering exports for the
 *                        background worker (add_export and friends,
 *                        poll_now, export_abspath) and the other internal
 *                        _name functions.  The worker reads and loads on
 *                        its own (as the bootstrap superuser, or as
 *                        bedrock_cost.worker_role), so only a superuser
 *                        decides what it follows.
 * The roles are created (or an existing plain role adopted) by
 * 05_roles.sql, before any fragment grants to them.
 *
 * Functions: PUBLIC keeps EXECUTE only on the IMMUTABLE functions that are
 * not SECURITY DEFINER (parsers, ARN accessors, type support: harmless and
 * needed to query the type) and the STABLE parsers that read model_aliases;
 * every other function is revoked from PUBLIC, and bedrock_cost_admin gets
 * EXECUTE on its list only (a function added later is for superusers until
 * it is listed).  Every SECURITY DEFINER function pins its search_path
 * (checked below: the install fails otherwise).
 *
 * IDENTIFICATION
 *		sql/install/80_security.sql
 */

GRANT USAGE ON SCHEMA bedrock_cost TO bedrock_cost_reader, bedrock_cost_admin, bedrock_cost_worker;

-- admin: reads everything, configures the chargeback (loads go through the
-- loader's functions, refresh through refresh_chargeback: REFRESH needs ownership)
GRANT SELECT ON ALL TABLES IN SCHEMA bedrock_cost TO bedrock_cost_admin;
GRANT INSERT, UPDATE ON bedrock_cost.chargeback_settings TO bedrock_cost_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON bedrock_cost.team_access TO bedrock_cost_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON bedrock_cost.budgets TO bedrock_cost_admin;
-- model aliases: the admin adds, edits and deletes its own rows; it cannot
-- write the seeded column (its rows are seeded = false), and the trigger of
-- 20_usage_type.sql keeps the seeded rows read-only
GRANT INSERT (alias, model_key, vendor, note), UPDATE (alias, model_key, vendor, note), DELETE
	ON bedrock_cost.model_aliases TO bedrock_cost_admin;

-- worker: its own state and the stale-load fix (it loads as a member of the admin)
GRANT SELECT, INSERT, UPDATE ON bedrock_cost.export_state, bedrock_cost.export_deliveries
	TO bedrock_cost_worker;
GRANT EXECUTE ON FUNCTION bedrock_cost._fix_stale_loads() TO bedrock_cost_worker;

-- reader: the BI views only
DO $$
DECLARE
	v text;
BEGIN
	FOR v IN SELECT c.relname FROM pg_catalog.pg_class c
			  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
			 WHERE n.nspname = 'bedrock_cost' AND c.relkind = 'v' AND c.relname LIKE 'bi\_%'
	LOOP
		EXECUTE format('GRANT SELECT ON bedrock_cost.%I TO bedrock_cost_reader', v);
	END LOOP;
END
$$;

-- functions: only harmless ones stay public; the admin gets its list
DO $$
DECLARE
	admin_functions pg_catalog.regprocedure[] := ARRAY[
		-- loading, by the server or by bedrock-cost-load
		'bedrock_cost.load_export(text, boolean, boolean)',
		'bedrock_cost.load_file(text, boolean, boolean)',
		'bedrock_cost.restore_load(bigint)',
		'bedrock_cost.client_begin_delivery(jsonb)',
		'bedrock_cost.client_finish_delivery(bigint, jsonb)',
		'bedrock_cost.client_fail_delivery(jsonb, text, jsonb)',
		'bedrock_cost.load_progress_rows()',
		-- the chargeback: settings, refresh, as-of
		'bedrock_cost.set_cost_basis(text)',
		'bedrock_cost.set_spike_thresholds(numeric, numeric, numeric)',
		'bedrock_cost.refresh_chargeback()',
		'bedrock_cost.refresh_chargeback(boolean)',
		'bedrock_cost.line_items_as_of(bigint)',
		'bedrock_cost.usage_summary_as_of(bigint)',
		'bedrock_cost._as_of_warn_dropped(bigint)',
		'bedrock_cost.chargeback_base_as_of(bigint)',
		'bedrock_cost.chargeback_by_principal_as_of(bigint)',
		'bedrock_cost.as_of_deliveries(bigint)',
		-- what-if repricing
		'bedrock_cost.what_if(text, text, date, text, text, text, text, text)',
		'bedrock_cost.bi_what_if(text, text, date, text, text)',
		-- gateway attribution
		'bedrock_cost.register_gateway(text, text, regclass, text)',
		'bedrock_cost.unregister_gateway(text)',
		'bedrock_cost.gateway_log(text)',
		'bedrock_cost.refresh_gateways(date)'
	]::pg_catalog.regprocedure[];
	f record;
BEGIN
	FOR f IN SELECT p.oid, p.oid::pg_catalog.regprocedure AS sig, p.proname, p.provolatile,
					p.prosecdef, p.proconfig
			   FROM pg_catalog.pg_proc p
			   JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
			  WHERE n.nspname = 'bedrock_cost' AND p.prokind IN ('f', 'p')
	LOOP
		IF f.prosecdef AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(f.proconfig) AS c
										WHERE c LIKE 'search\_path=%') THEN
			RAISE EXCEPTION 'SECURITY DEFINER function % does not pin search_path', f.sig;
		END IF;
		IF f.oid = ANY (admin_functions) THEN
			EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO bedrock_cost_admin', f.sig);
		END IF;
		-- the parsing functions of 20_usage_type.sql only read the public
		-- model_aliases table: every role may call them
		IF (f.prosecdef OR f.provolatile <> 'i')
		   AND f.proname NOT IN ('parse_usage_type', 'model_key', 'token_count',
								 'pricing_unit_scale', 'region_name', 'billing_regions',
								 'is_bedrock_line', 'model_normalize', 'model_vendor',
								 'gateway_model_key') THEN
			EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f.sig);
		END IF;
	END LOOP;
END
$$;
