/*
 * 75_audit.sql: the append-only audit log of configuration changes, and the
 * procedure that completes a pg_restore.
 *
 * bedrock_cost.audit_log gets one row per change, with who made it (session
 * user, the role the session acted as, client address, application) and the
 * row before and after as jsonb:
 *   chargeback_settings, team_access, model_aliases (user rows), budgets
 *                      insert / update / delete, by row triggers
 *   exports            add_export, remove_export, pause_export,
 *                      resume_export, update_export, delete_export, by a row
 *                      trigger (a folder the loader merely records is not a
 *                      registration)
 *   restore            bedrock_cost.after_restore()
 *   anything else      bedrock_cost._audit(), for the loader's own events
 * The triggers are SECURITY DEFINER (a trigger function cannot be called
 * directly) and write through _audit, which nobody but the owner may call,
 * so no other role can write, change or remove an audit row.
 *
 * A restore loads the dumped rows of these tables again; those are not new
 * changes (and audit_log itself is restored with them), so changes made by
 * a session acting as a superuser with row_security = off, which is how
 * pg_restore and pg_dump's scripts load data, are not audited.  Superusers
 * can bypass any trigger anyway; every other role is audited.
 *
 * IDENTIFICATION
 *		sql/install/75_audit.sql
 */

CREATE TABLE bedrock_cost.audit_log (
	audit_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	logged_at		timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	session_user_name name NOT NULL DEFAULT session_user,
	current_user_name name NOT NULL DEFAULT bedrock_cost._session_role(),
	client_addr		inet DEFAULT pg_catalog.inet_client_addr(),
	application_name text DEFAULT pg_catalog.current_setting('application_name'),
	action			text NOT NULL,
	object			text NOT NULL,
	old_value		jsonb,
	new_value		jsonb
);
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.audit_log_audit_id_seq', '');
COMMENT ON TABLE bedrock_cost.audit_log IS
  'append-only log of configuration changes (cost basis, team_access, model_aliases user rows, budgets, export registrations), restores and the loader''s own events, with who made them; kept by pg_dump; UPDATE, DELETE and TRUNCATE are refused';
COMMENT ON COLUMN bedrock_cost.audit_log.audit_id IS 'order of the changes';
COMMENT ON COLUMN bedrock_cost.audit_log.logged_at IS 'when the change was made (clock time)';
COMMENT ON COLUMN bedrock_cost.audit_log.session_user_name IS 'the session user (login role) that made the change';
COMMENT ON COLUMN bedrock_cost.audit_log.current_user_name IS 'the role the session acted as (SET ROLE, else the session user)';
COMMENT ON COLUMN bedrock_cost.audit_log.client_addr IS 'client address of the session (NULL over a Unix socket and in the background worker)';
COMMENT ON COLUMN bedrock_cost.audit_log.application_name IS 'application_name of the session';
COMMENT ON COLUMN bedrock_cost.audit_log.action IS
  'insert, update, delete (table rows); add_export, remove_export, pause_export, resume_export, update_export, delete_export (exports); restore (after_restore); or an event the loader records';
COMMENT ON COLUMN bedrock_cost.audit_log.object IS
  'what changed: the table (chargeback_settings, team_access, model_aliases, budgets, exports) or the object of the event';
COMMENT ON COLUMN bedrock_cost.audit_log.old_value IS 'the row (or value) before the change; NULL for an insert';
COMMENT ON COLUMN bedrock_cost.audit_log.new_value IS 'the row (or value) after the change; NULL for a delete';

REVOKE ALL ON bedrock_cost.audit_log FROM PUBLIC;

-- append-only, also for the owner (who would have to disable this trigger first)
CREATE FUNCTION bedrock_cost._audit_log_append_only()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'bedrock_cost.audit_log is append-only: % is not allowed', TG_OP
		USING ERRCODE = 'insufficient_privilege';
END
$$;
COMMENT ON FUNCTION bedrock_cost._audit_log_append_only() IS
  'internal: trigger function refusing UPDATE, DELETE and TRUNCATE of bedrock_cost.audit_log';
CREATE TRIGGER audit_log_append_only
	BEFORE UPDATE OR DELETE ON bedrock_cost.audit_log
	FOR EACH ROW EXECUTE FUNCTION bedrock_cost._audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate
	BEFORE TRUNCATE ON bedrock_cost.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION bedrock_cost._audit_log_append_only();

-- the one writer of the log
CREATE FUNCTION bedrock_cost._audit(action text, object text, old jsonb, new jsonb)
RETURNS bigint
LANGUAGE sql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO bedrock_cost.audit_log (action, object, old_value, new_value)
	VALUES ($1, $2, $3, $4)
	RETURNING audit_id
$$;
COMMENT ON FUNCTION bedrock_cost._audit(text, text, jsonb, jsonb) IS
  'internal: appends one row to bedrock_cost.audit_log (who: the session user, the role the session acts as, client address, application) and returns its audit_id; executable by the owner only (the audit triggers, after_restore and the loader)';
REVOKE ALL ON FUNCTION bedrock_cost._audit(text, text, jsonb, jsonb) FROM PUBLIC;

-- true while pg_restore (or a pg_dump script) loads data: see the header
CREATE FUNCTION bedrock_cost._audit_restoring()
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.current_setting('row_security') = 'off'
	   AND (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r
			 WHERE r.rolname = bedrock_cost._session_role())
$$;
COMMENT ON FUNCTION bedrock_cost._audit_restoring() IS
  'internal: true when the session acts as a superuser with row_security = off (how pg_restore and pg_dump scripts load data): the audit triggers do not record such changes again';
REVOKE ALL ON FUNCTION bedrock_cost._audit_restoring() FROM PUBLIC;

-- row changes of a configuration table
CREATE FUNCTION bedrock_cost._audit_row()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	o jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN pg_catalog.to_jsonb(OLD) END;
	n jsonb := CASE WHEN TG_OP IN ('UPDATE', 'INSERT') THEN pg_catalog.to_jsonb(NEW) END;
BEGIN
	IF o IS NOT DISTINCT FROM n OR bedrock_cost._audit_restoring() THEN
		RETURN NULL;
	END IF;
	-- the seeded model aliases come with the extension; only user rows are settings
	IF TG_TABLE_NAME = 'model_aliases'
	   AND (coalesce((o ->> 'seeded')::boolean, false)
			OR coalesce((n ->> 'seeded')::boolean, false)) THEN
		RETURN NULL;
	END IF;
	PERFORM bedrock_cost._audit(pg_catalog.lower(TG_OP), TG_TABLE_NAME::text, o, n);
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION bedrock_cost._audit_row() IS
  'internal: AFTER row trigger writing each insert, update (that changes the row) and delete of a configuration table to bedrock_cost.audit_log';
REVOKE ALL ON FUNCTION bedrock_cost._audit_row() FROM PUBLIC;

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bedrock_cost.chargeback_settings
	FOR EACH ROW EXECUTE FUNCTION bedrock_cost._audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bedrock_cost.team_access
	FOR EACH ROW EXECUTE FUNCTION bedrock_cost._audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bedrock_cost.model_aliases
	FOR EACH ROW EXECUTE FUNCTION bedrock_cost._audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bedrock_cost.budgets
	FOR EACH ROW EXECUTE FUNCTION bedrock_cost._audit_row();

-- export registrations
CREATE FUNCTION bedrock_cost._audit_export()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- created_at never changes: the rest of the row
	o jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN pg_catalog.to_jsonb(OLD) - 'created_at' END;
	n jsonb := CASE WHEN TG_OP IN ('UPDATE', 'INSERT') THEN pg_catalog.to_jsonb(NEW) - 'created_at' END;
	action text;
BEGIN
	IF o IS NOT DISTINCT FROM n OR bedrock_cost._audit_restoring() THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'INSERT' THEN
		-- a folder recorded by load_export / load_file is not a registration
		IF NEW.export_name IS NULL THEN
			RETURN NULL;
		END IF;
		action := 'add_export';
	ELSIF TG_OP = 'DELETE' THEN
		action := 'delete_export';
	ELSIF OLD.export_name IS NULL AND NEW.export_name IS NOT NULL THEN
		action := 'add_export';
	ELSIF OLD.export_name IS NOT NULL AND NEW.export_name IS NULL THEN
		action := 'remove_export';
	ELSIF NOT OLD.paused AND NEW.paused THEN
		action := 'pause_export';
	ELSIF OLD.paused AND NOT NEW.paused THEN
		action := 'resume_export';
	ELSE
		action := 'update_export';
	END IF;
	PERFORM bedrock_cost._audit(action, 'exports', o, n);
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION bedrock_cost._audit_export() IS
  'internal: AFTER row trigger writing export registrations (add_export, remove_export, pause_export, resume_export, other updates and deletes of bedrock_cost.exports) to bedrock_cost.audit_log';
REVOKE ALL ON FUNCTION bedrock_cost._audit_export() FROM PUBLIC;

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bedrock_cost.exports
	FOR EACH ROW EXECUTE FUNCTION bedrock_cost._audit_export();

-- ------------------------------------------------------------------------
-- after pg_restore

-- what is wrong with a current delivery's summary table <parent>_l<load_id>
CREATE FUNCTION bedrock_cost._check_current_summary(p_load_id bigint, p_parent text, p_what text,
	p_rows bigint)
RETURNS text[]
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t text := p_parent || '_l' || p_load_id;
	parent regclass;
	n bigint;
BEGIN
	SELECT i.inhparent::regclass INTO parent
	  FROM pg_catalog.pg_inherits AS i
	 WHERE i.inhrelid = pg_catalog.to_regclass(pg_catalog.quote_ident('bedrock_cost') || '.'
											   || pg_catalog.quote_ident(t));
	IF parent IS DISTINCT FROM pg_catalog.to_regclass('bedrock_cost.' || p_parent) THEN
		RETURN ARRAY[format('load %s (done): %s table %s is %s', p_load_id, p_what, t,
							coalesce('a partition of ' || parent::text, 'missing or not attached'))];
	END IF;
	EXECUTE format('SELECT coalesce(sum(line_items), 0) FROM bedrock_cost.%I', t) INTO n;
	IF n <> p_rows THEN
		RETURN ARRAY[format('load %s: %s table %s sums %s rows, the ledger says %s', p_load_id, p_what, t, n, p_rows)];
	END IF;
	RETURN '{}';
END
$$;
COMMENT ON FUNCTION bedrock_cost._check_current_summary(bigint, text, text, bigint) IS
  'internal: for after_restore(), what is wrong (nothing: an empty array) with the summary table p_parent_l<load_id> of a current delivery: not attached to bedrock_cost.<p_parent>, or not summing the p_rows rows the ledger says it loaded';
REVOKE ALL ON FUNCTION bedrock_cost._check_current_summary(bigint, text, text, bigint) FROM PUBLIC;

CREATE FUNCTION bedrock_cost.after_restore()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	l record;
	parent regclass;
	n bigint;
	checked bigint := 0;
	bad text[] := '{}';
	summary jsonb;
BEGIN
	IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = current_user) THEN
		RAISE EXCEPTION 'only superusers may run bedrock_cost.after_restore()'
			USING ERRCODE = 'insufficient_privilege';
	END IF;

	-- every delivery whose rows the ledger says are kept is there, attached
	-- where its status says, with the number of rows it loaded
	FOR l IN
		SELECT x.load_id, x.status, x.data_table, x.rows_loaded
		  FROM bedrock_cost.loads AS x
		 WHERE x.status IN ('done', 'superseded') AND x.data_dropped_at IS NULL
		 ORDER BY x.load_id
	LOOP
		SELECT i.inhparent::regclass INTO parent
		  FROM pg_catalog.pg_inherits AS i
		 WHERE i.inhrelid = pg_catalog.to_regclass(pg_catalog.quote_ident('bedrock_cost') || '.'
												   || pg_catalog.quote_ident(l.data_table));
		IF parent IS DISTINCT FROM (CASE l.status WHEN 'done' THEN 'bedrock_cost.line_items'
									ELSE 'bedrock_cost.line_items_history' END)::regclass THEN
			bad := bad || format('load %s (%s): table %s is %s', l.load_id, l.status, l.data_table,
								 coalesce('a partition of ' || parent::text, 'missing or not attached'));
			CONTINUE;
		END IF;
		EXECUTE format('SELECT count(*) FROM bedrock_cost.%I', l.data_table) INTO n;
		IF n <> l.rows_loaded THEN
			bad := bad || format('load %s: table %s holds %s rows, the ledger says %s',
								 l.load_id, l.data_table, n, l.rows_loaded);
		END IF;
		-- its chargeback summary, attached alongside, summing the same rows
		SELECT i.inhparent::regclass INTO parent
		  FROM pg_catalog.pg_inherits AS i
		 WHERE i.inhrelid = pg_catalog.to_regclass(pg_catalog.quote_ident('bedrock_cost') || '.'
												   || pg_catalog.quote_ident('usage_summary_l' || l.load_id));
		IF parent IS DISTINCT FROM (CASE l.status WHEN 'done' THEN 'bedrock_cost.usage_summary'
									ELSE 'bedrock_cost.usage_summary_history' END)::regclass THEN
			bad := bad || format('load %s (%s): summary table %s is %s', l.load_id, l.status,
								 'usage_summary_l' || l.load_id,
								 coalesce('a partition of ' || parent::text, 'missing or not attached'));
			CONTINUE;
		END IF;
		EXECUTE format('SELECT coalesce(sum(line_items), 0) FROM bedrock_cost.%I',
					   'usage_summary_l' || l.load_id) INTO n;
		IF n <> l.rows_loaded THEN
			bad := bad || format('load %s: summary table %s sums %s rows, the ledger says %s',
								 l.load_id, 'usage_summary_l' || l.load_id, n, l.rows_loaded);
		END IF;
		-- and the period and model-day summaries of a current delivery
		IF l.status = 'done' THEN
			bad := bad || bedrock_cost._check_current_summary(l.load_id, 'usage_period', 'period summary', l.rows_loaded)
					   || bedrock_cost._check_current_summary(l.load_id, 'usage_daily', 'model-day summary', l.rows_loaded);
		END IF;
		checked := checked + 1;
	END LOOP;
	IF cardinality(bad) > 0 THEN
		RAISE EXCEPTION 'the restored ledger does not match the restored delivery tables'
			USING ERRCODE = 'data_corrupted',
				  DETAIL = array_to_string(bad, E'\n'),
				  HINT = 'Restore the whole database (schema and data) from one dump.';
	END IF;

	-- identities continue above the restored ones (pg_dump keeps the
	-- sequences; this covers a dump that lacked them)
	PERFORM pg_catalog.setval('bedrock_cost.loads_load_id_seq', m)
	   FROM (SELECT max(load_id) AS m FROM bedrock_cost.loads) AS x
	  WHERE m > (SELECT CASE WHEN s.is_called THEN s.last_value ELSE s.last_value - 1 END
				   FROM bedrock_cost.loads_load_id_seq AS s);
	PERFORM pg_catalog.setval('bedrock_cost.exports_export_id_seq', m)
	   FROM (SELECT max(export_id) AS m FROM bedrock_cost.exports) AS x
	  WHERE m > (SELECT CASE WHEN s.is_called THEN s.last_value ELSE s.last_value - 1 END
				   FROM bedrock_cost.exports_export_id_seq AS s);

	-- the chargeback tables are not dumped with their data (nor their
	-- state): recompute every period
	PERFORM bedrock_cost.refresh_chargeback(false);

	summary := jsonb_build_object(
		'database', current_database(),
		'loads', (SELECT count(*) FROM bedrock_cost.loads),
		'deliveries_checked', checked,
		'line_items', (SELECT count(*) FROM bedrock_cost.line_items),
		'line_items_history', (SELECT count(*) FROM bedrock_cost.line_items_history),
		'max_load_id', (SELECT max(load_id) FROM bedrock_cost.loads));
	PERFORM bedrock_cost._audit('restore', current_database(), NULL, summary);
	RETURN summary;
END
$$;
COMMENT ON FUNCTION bedrock_cost.after_restore() IS
  'completes a pg_restore of a database using bedrock_cost (superusers only): checks that every delivery the ledger keeps is attached as a partition of line_items (done) or line_items_history (superseded) with the rows it loaded, and its chargeback summary as a partition of usage_summary or usage_summary_history (and, when current, its period and model-day summaries as partitions of usage_period and usage_daily) summing those rows, keeps the identities above the restored ones, recomputes the chargeback tables (not dumped with data) and records the restore in audit_log; returns what it checked';
