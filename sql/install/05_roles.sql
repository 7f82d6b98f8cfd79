/*
 * 05_roles.sql: the three roles the extension grants to, created here and
 * nowhere else (their privileges: 80_security.sql).
 *
 *   bedrock_cost_admin   loads, configures, refreshes
 *   bedrock_cost_reader  reads the bi_* views
 *   bedrock_cost_worker  what the background worker needs when it runs as
 *                        bedrock_cost.worker_role: a member of
 *                        bedrock_cost_admin (the loader requires it), plus
 *                        the worker's state tables and the stale-load fix
 *
 * Roles are cluster-wide, so a role of that name may exist already: made
 * by this script in another database of the cluster, or by someone else.
 * An existing role is adopted only when it is a plain group role: no
 * LOGIN, no password, none of SUPERUSER, CREATEDB, CREATEROLE, REPLICATION
 * and BYPASSRLS (NOINHERIT does not matter).  Otherwise whoever may create
 * roles could create bedrock_cost_admin with a password before the
 * extension is installed and log in with every right the script grants it.
 * DROP EXTENSION leaves the roles, which other databases may use; drop them
 * by hand once no database uses the extension.
 *
 * IDENTIFICATION
 *		sql/install/05_roles.sql
 */

DO $$
DECLARE
	rn text;
	r record;
	has text[];
	fix text[];
BEGIN
	FOREACH rn IN ARRAY ARRAY['bedrock_cost_admin', 'bedrock_cost_reader', 'bedrock_cost_worker']
	LOOP
		SELECT a.rolcanlogin, a.rolpassword IS NOT NULL AS haspassword, a.rolsuper,
			   a.rolcreatedb, a.rolcreaterole, a.rolreplication, a.rolbypassrls
		  INTO r FROM pg_catalog.pg_authid AS a WHERE a.rolname = rn;
		IF NOT FOUND THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', rn);
			CONTINUE;
		END IF;
		has := '{}';
		fix := '{}';
		IF r.rolcanlogin THEN
			has := has || 'LOGIN'::text;
			fix := fix || 'NOLOGIN'::text;
		END IF;
		IF r.haspassword THEN
			has := has || 'a password'::text;
			fix := fix || 'PASSWORD NULL'::text;
		END IF;
		IF r.rolsuper THEN
			has := has || 'SUPERUSER'::text;
			fix := fix || 'NOSUPERUSER'::text;
		END IF;
		IF r.rolcreatedb THEN
			has := has || 'CREATEDB'::text;
			fix := fix || 'NOCREATEDB'::text;
		END IF;
		IF r.rolcreaterole THEN
			has := has || 'CREATEROLE'::text;
			fix := fix || 'NOCREATEROLE'::text;
		END IF;
		IF r.rolreplication THEN
			has := has || 'REPLICATION'::text;
			fix := fix || 'NOREPLICATION'::text;
		END IF;
		IF r.rolbypassrls THEN
			has := has || 'BYPASSRLS'::text;
			fix := fix || 'NOBYPASSRLS'::text;
		END IF;
		IF pg_catalog.cardinality(has) > 0 THEN
			RAISE EXCEPTION 'role "%" already exists with %', rn, pg_catalog.array_to_string(has, ', ')
				USING ERRCODE = 'duplicate_object',
					  DETAIL = 'bedrock_cost grants its privileges to this role, so it adopts an existing role only when it is a plain NOLOGIN role without a password or special attributes.',
					  HINT = pg_catalog.format('Make it a plain role (ALTER ROLE %I %s) or drop it, then run CREATE EXTENSION again.',
											   rn, pg_catalog.array_to_string(fix, ' '));
		END IF;
	END LOOP;
	-- the worker loads and refreshes with the admin's rights (granted once per cluster)
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m
					WHERE m.roleid OPERATOR(pg_catalog.=) 'bedrock_cost_admin'::pg_catalog.regrole
					  AND m.member OPERATOR(pg_catalog.=) 'bedrock_cost_worker'::pg_catalog.regrole) THEN
		GRANT bedrock_cost_admin TO bedrock_cost_worker;
	END IF;
END
$$;
