/*
 * 42_keep_data.sql: DROP EXTENSION bedrock_cost refuses once there is data.
 *
 * The ledger and the chargeback tables are members of the extension, and
 * every delivery table hangs off a member (a partition of line_items or
 * line_items_history), so a plain DROP EXTENSION would drop every loaded
 * row, the ledger and the history without a word.  The first row written
 * to the ledger (any load, done or failed) creates the view
 * bedrock_cost.loaded_data.  It is not a member of the extension: objects
 * created by the extension's functions after CREATE EXTENSION never are,
 * so pg_dump keeps it as a plain view and a restore brings it back.  It
 * reads the ledger, so PostgreSQL refuses DROP EXTENSION bedrock_cost
 * ("cannot drop extension bedrock_cost because other objects depend on
 * it ... view bedrock_cost.loaded_data depends on table
 * bedrock_cost.loads"), and DROP EXTENSION bedrock_cost CASCADE drops the
 * data on purpose.  Chosen over an event trigger: at ddl_command_start a
 * trigger cannot tell which extension a DROP EXTENSION names, and at
 * sql_drop the trigger has been dropped with it.
 */

CREATE FUNCTION bedrock_cost._keep_loaded_data()
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
COMMENT ON FUNCTION bedrock_cost._keep_loaded_data() IS
  'internal: creates the view bedrock_cost.loaded_data with the ledger''s first row (trigger loads_keep_data), so that DROP EXTENSION bedrock_cost without CASCADE refuses while there is data';
REVOKE ALL ON FUNCTION bedrock_cost._keep_loaded_data() FROM PUBLIC;

CREATE TRIGGER loads_keep_data AFTER INSERT ON bedrock_cost.loads
	FOR EACH STATEMENT EXECUTE FUNCTION bedrock_cost._keep_loaded_data();
COMMENT ON TRIGGER loads_keep_data ON bedrock_cost.loads IS
  'the ledger''s first row creates bedrock_cost.loaded_data, which makes DROP EXTENSION bedrock_cost refuse without CASCADE';
