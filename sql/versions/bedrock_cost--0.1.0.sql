-- from sql/install/00_schema.sql
/*
 * 00_schema.sql: the install script's guard and the extension's basics.
 * The install script sql/bedrock_cost--<version>.sql is assembled from the
 * fragments in sql/install/ in name order.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION bedrock_cost" to load this file. \quit

CREATE SCHEMA bedrock_cost;
COMMENT ON SCHEMA bedrock_cost IS
  'bedrock_cost: per-IAM-principal chargeback of Amazon Bedrock spend from AWS CUR 2.0 exports';

CREATE FUNCTION bedrock_cost.version()
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '0.1.0'::text $$;
COMMENT ON FUNCTION bedrock_cost.version() IS
  'version of the installed bedrock_cost SQL objects';

-- from sql/install/05_roles.sql
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

-- from sql/install/10_iam_arn.sql
/*
 * 10_iam_arn.sql: the iam_arn type, a validated and compact IAM principal
 * ARN (line_item_iam_principal), with its operators, operator classes,
 * casts, accessors, classifiers and rollups.  C code: src/ext/iam_arn*.c
 * over the parser in src/core/arn*.c.
 */

CREATE TYPE bedrock_cost.iam_arn;

CREATE FUNCTION bedrock_cost.iam_arn_in(cstring) RETURNS bedrock_cost.iam_arn
  AS 'MODULE_PATHNAME', 'iam_arn_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_in(cstring) IS
  'iam_arn text input: validates the ARN and stores it compactly';

CREATE FUNCTION bedrock_cost.iam_arn_out(bedrock_cost.iam_arn) RETURNS cstring
  AS 'MODULE_PATHNAME', 'iam_arn_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_out(bedrock_cost.iam_arn) IS
  'iam_arn text output: the ARN exactly as it was input';

CREATE FUNCTION bedrock_cost.iam_arn_recv(internal) RETURNS bedrock_cost.iam_arn
  AS 'MODULE_PATHNAME', 'iam_arn_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_recv(internal) IS
  'iam_arn binary input: version byte 1, then the ARN text, validated like text input';

CREATE FUNCTION bedrock_cost.iam_arn_send(bedrock_cost.iam_arn) RETURNS bytea
  AS 'MODULE_PATHNAME', 'iam_arn_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_send(bedrock_cost.iam_arn) IS
  'iam_arn binary output: version byte 1, then the ARN text';

CREATE TYPE bedrock_cost.iam_arn (
  INPUT = bedrock_cost.iam_arn_in,
  OUTPUT = bedrock_cost.iam_arn_out,
  RECEIVE = bedrock_cost.iam_arn_recv,
  SEND = bedrock_cost.iam_arn_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = int4,
  STORAGE = main,
  CATEGORY = 'U'
);
COMMENT ON TYPE bedrock_cost.iam_arn IS
  'IAM principal ARN (arn:P:iam::ACCT:user/[PATH/]NAME, role/[PATH/]NAME, root; arn:P:sts::ACCT:assumed-role/ROLE/SESSION, federated-user/NAME), validated and stored compactly; orders by partition, account, principal type, name, then path or session';

-- casts ------------------------------------------------------------------

CREATE FUNCTION bedrock_cost.iam_arn(text) RETURNS bedrock_cost.iam_arn
  AS 'MODULE_PATHNAME', 'iam_arn_from_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn(text) IS
  'cast text to iam_arn (raises invalid_text_representation for an invalid ARN)';

CREATE FUNCTION bedrock_cost.text(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_to_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.text(bedrock_cost.iam_arn) IS
  'cast iam_arn to text: the ARN exactly as it was input';

CREATE CAST (text AS bedrock_cost.iam_arn)
  WITH FUNCTION bedrock_cost.iam_arn(text) AS ASSIGNMENT;
COMMENT ON CAST (text AS bedrock_cost.iam_arn) IS
  'validating cast; assignment, so INSERT ... SELECT of a text column into an iam_arn column works';

CREATE CAST (bedrock_cost.iam_arn AS text)
  WITH FUNCTION bedrock_cost.text(bedrock_cost.iam_arn) AS ASSIGNMENT;
COMMENT ON CAST (bedrock_cost.iam_arn AS text) IS
  'the ARN text; assignment, write principal::text for text operators such as LIKE';

CREATE CAST (varchar AS bedrock_cost.iam_arn)
  WITH FUNCTION bedrock_cost.iam_arn(text) AS ASSIGNMENT;
COMMENT ON CAST (varchar AS bedrock_cost.iam_arn) IS
  'validating cast from varchar';

CREATE CAST (bedrock_cost.iam_arn AS varchar)
  WITH FUNCTION bedrock_cost.text(bedrock_cost.iam_arn) AS ASSIGNMENT;
COMMENT ON CAST (bedrock_cost.iam_arn AS varchar) IS
  'the ARN text as varchar';

-- validity without an error -----------------------------------------------

CREATE FUNCTION bedrock_cost.iam_arn_is_valid(text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'iam_arn_is_valid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_is_valid(text) IS
  'true when the text is a valid iam_arn; never raises an error (PostgreSQL 16+ also has pg_input_is_valid(text, ''bedrock_cost.iam_arn''))';

CREATE FUNCTION bedrock_cost.iam_arn_error(text) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_error' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_error(text) IS
  'why the text is not a valid iam_arn (the errdetail of the input error, naming the part, the rule and the byte), or NULL when it is valid';

-- comparison and hashing --------------------------------------------------
-- The comparison functions are LEAKPROOF (they never raise an error for a
-- valid value and reveal nothing but the comparison), so that quals on an
-- iam_arn column can use indexes under row-level security.

CREATE FUNCTION bedrock_cost.iam_arn_cmp(bedrock_cost.iam_arn, bedrock_cost.iam_arn) RETURNS integer
  AS 'MODULE_PATHNAME', 'iam_arn_cmp' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_cmp(bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'btree support: -1, 0 or 1 (partition, account, principal type, name, path or session)';

CREATE FUNCTION bedrock_cost.iam_arn_eq(bedrock_cost.iam_arn, bedrock_cost.iam_arn) RETURNS boolean
  AS 'MODULE_PATHNAME', 'iam_arn_eq' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_eq(bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'implementation of = operator';

CREATE FUNCTION bedrock_cost.iam_arn_ne(bedrock_cost.iam_arn, bedrock_cost.iam_arn) RETURNS boolean
  AS 'MODULE_PATHNAME', 'iam_arn_ne' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_ne(bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'implementation of <> operator';

CREATE FUNCTION bedrock_cost.iam_arn_lt(bedrock_cost.iam_arn, bedrock_cost.iam_arn) RETURNS boolean
  AS 'MODULE_PATHNAME', 'iam_arn_lt' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_lt(bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'implementation of < operator';

CREATE FUNCTION bedrock_cost.iam_arn_le(bedrock_cost.iam_arn, bedrock_cost.iam_arn) RETURNS boolean
  AS 'MODULE_PATHNAME', 'iam_arn_le' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_le(bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'implementation of <= operator';

CREATE FUNCTION bedrock_cost.iam_arn_gt(bedrock_cost.iam_arn, bedrock_cost.iam_arn) RETURNS boolean
  AS 'MODULE_PATHNAME', 'iam_arn_gt' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_gt(bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'implementation of > operator';

CREATE FUNCTION bedrock_cost.iam_arn_ge(bedrock_cost.iam_arn, bedrock_cost.iam_arn) RETURNS boolean
  AS 'MODULE_PATHNAME', 'iam_arn_ge' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_ge(bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'implementation of >= operator';

CREATE FUNCTION bedrock_cost.iam_arn_hash(bedrock_cost.iam_arn) RETURNS integer
  AS 'MODULE_PATHNAME', 'iam_arn_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_hash(bedrock_cost.iam_arn) IS
  'hash support: 32-bit hash, consistent with =';

CREATE FUNCTION bedrock_cost.iam_arn_hash_extended(bedrock_cost.iam_arn, bigint) RETURNS bigint
  AS 'MODULE_PATHNAME', 'iam_arn_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_hash_extended(bedrock_cost.iam_arn, bigint) IS
  'hash support: seeded 64-bit hash, consistent with = (PARTITION BY HASH)';

CREATE FUNCTION bedrock_cost.iam_arn_sortsupport(internal) RETURNS void
  AS 'MODULE_PATHNAME', 'iam_arn_sortsupport' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_sortsupport(internal) IS
  'btree support: sort comparator without function-call overhead';

CREATE OPERATOR bedrock_cost.= (
  LEFTARG = bedrock_cost.iam_arn, RIGHTARG = bedrock_cost.iam_arn,
  FUNCTION = bedrock_cost.iam_arn_eq,
  COMMUTATOR = OPERATOR(bedrock_cost.=), NEGATOR = OPERATOR(bedrock_cost.<>),
  RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
COMMENT ON OPERATOR bedrock_cost.= (bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'equal (the same ARN text)';

CREATE OPERATOR bedrock_cost.<> (
  LEFTARG = bedrock_cost.iam_arn, RIGHTARG = bedrock_cost.iam_arn,
  FUNCTION = bedrock_cost.iam_arn_ne,
  COMMUTATOR = OPERATOR(bedrock_cost.<>), NEGATOR = OPERATOR(bedrock_cost.=),
  RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR bedrock_cost.<> (bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'not equal';

CREATE OPERATOR bedrock_cost.< (
  LEFTARG = bedrock_cost.iam_arn, RIGHTARG = bedrock_cost.iam_arn,
  FUNCTION = bedrock_cost.iam_arn_lt,
  COMMUTATOR = OPERATOR(bedrock_cost.>), NEGATOR = OPERATOR(bedrock_cost.>=),
  RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
COMMENT ON OPERATOR bedrock_cost.< (bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'less than (partition, account, principal type, name, path or session)';

CREATE OPERATOR bedrock_cost.<= (
  LEFTARG = bedrock_cost.iam_arn, RIGHTARG = bedrock_cost.iam_arn,
  FUNCTION = bedrock_cost.iam_arn_le,
  COMMUTATOR = OPERATOR(bedrock_cost.>=), NEGATOR = OPERATOR(bedrock_cost.>),
  RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
COMMENT ON OPERATOR bedrock_cost.<= (bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'less than or equal';

CREATE OPERATOR bedrock_cost.> (
  LEFTARG = bedrock_cost.iam_arn, RIGHTARG = bedrock_cost.iam_arn,
  FUNCTION = bedrock_cost.iam_arn_gt,
  COMMUTATOR = OPERATOR(bedrock_cost.<), NEGATOR = OPERATOR(bedrock_cost.<=),
  RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
COMMENT ON OPERATOR bedrock_cost.> (bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'greater than';

CREATE OPERATOR bedrock_cost.>= (
  LEFTARG = bedrock_cost.iam_arn, RIGHTARG = bedrock_cost.iam_arn,
  FUNCTION = bedrock_cost.iam_arn_ge,
  COMMUTATOR = OPERATOR(bedrock_cost.<=), NEGATOR = OPERATOR(bedrock_cost.<),
  RESTRICT = scalargesel, JOIN = scalargejoinsel
);
COMMENT ON OPERATOR bedrock_cost.>= (bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'greater than or equal';

CREATE OPERATOR CLASS bedrock_cost.iam_arn_ops
  DEFAULT FOR TYPE bedrock_cost.iam_arn USING btree AS
    OPERATOR 1 bedrock_cost.<,
    OPERATOR 2 bedrock_cost.<=,
    OPERATOR 3 bedrock_cost.=,
    OPERATOR 4 bedrock_cost.>=,
    OPERATOR 5 bedrock_cost.>,
    FUNCTION 1 bedrock_cost.iam_arn_cmp(bedrock_cost.iam_arn, bedrock_cost.iam_arn),
    FUNCTION 2 bedrock_cost.iam_arn_sortsupport(internal),
    FUNCTION 4 btequalimage(oid);
COMMENT ON OPERATOR CLASS bedrock_cost.iam_arn_ops USING btree IS
  'default btree operator class for iam_arn; equality is bytewise, so index deduplication is enabled';
COMMENT ON OPERATOR FAMILY bedrock_cost.iam_arn_ops USING btree IS
  'btree operator family of iam_arn (only iam_arn_ops)';

CREATE OPERATOR CLASS bedrock_cost.iam_arn_ops
  DEFAULT FOR TYPE bedrock_cost.iam_arn USING hash AS
    OPERATOR 1 bedrock_cost.=,
    FUNCTION 1 bedrock_cost.iam_arn_hash(bedrock_cost.iam_arn),
    FUNCTION 2 bedrock_cost.iam_arn_hash_extended(bedrock_cost.iam_arn, bigint);
COMMENT ON OPERATOR CLASS bedrock_cost.iam_arn_ops USING hash IS
  'default hash operator class for iam_arn (hash joins, hash aggregation, hash partitioning)';
COMMENT ON OPERATOR FAMILY bedrock_cost.iam_arn_ops USING hash IS
  'hash operator family of iam_arn (only iam_arn_ops)';

CREATE FUNCTION bedrock_cost.iam_arn_smaller(bedrock_cost.iam_arn, bedrock_cost.iam_arn) RETURNS bedrock_cost.iam_arn
  AS 'MODULE_PATHNAME', 'iam_arn_smaller' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_smaller(bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'the smaller of two iam_arn values (min aggregate support)';

CREATE FUNCTION bedrock_cost.iam_arn_larger(bedrock_cost.iam_arn, bedrock_cost.iam_arn) RETURNS bedrock_cost.iam_arn
  AS 'MODULE_PATHNAME', 'iam_arn_larger' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.iam_arn_larger(bedrock_cost.iam_arn, bedrock_cost.iam_arn) IS
  'the larger of two iam_arn values (max aggregate support)';

CREATE AGGREGATE bedrock_cost.min(bedrock_cost.iam_arn) (
  SFUNC = bedrock_cost.iam_arn_smaller, STYPE = bedrock_cost.iam_arn,
  COMBINEFUNC = bedrock_cost.iam_arn_smaller, SORTOP = OPERATOR(bedrock_cost.<),
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE bedrock_cost.min(bedrock_cost.iam_arn) IS
  'smallest iam_arn in iam_arn order';

CREATE AGGREGATE bedrock_cost.max(bedrock_cost.iam_arn) (
  SFUNC = bedrock_cost.iam_arn_larger, STYPE = bedrock_cost.iam_arn,
  COMBINEFUNC = bedrock_cost.iam_arn_larger, SORTOP = OPERATOR(bedrock_cost.>),
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE bedrock_cost.max(bedrock_cost.iam_arn) IS
  'largest iam_arn in iam_arn order';

-- accessors ------------------------------------------------------------------

CREATE FUNCTION bedrock_cost.arn_partition(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_partition' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.arn_partition(bedrock_cost.iam_arn) IS
  'AWS partition: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f or aws-eusc';

CREATE FUNCTION bedrock_cost.arn_service(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_service' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.arn_service(bedrock_cost.iam_arn) IS
  'service of the ARN: iam (user, role, root) or sts (assumed-role, federated-user)';

CREATE FUNCTION bedrock_cost.account_id(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_account_id' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.account_id(bedrock_cost.iam_arn) IS
  'the 12-digit account id, leading zeros kept (as CUR spells line_item_usage_account_id)';

CREATE FUNCTION bedrock_cost.principal_type(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_principal_type' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.principal_type(bedrock_cost.iam_arn) IS
  'user, role, root, assumed-role or federated-user';

CREATE FUNCTION bedrock_cost.principal_name(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_principal_name' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.principal_name(bedrock_cost.iam_arn) IS
  'last part of the ARN: the user, role or federated user name, or the session name of an assumed role; NULL for root';

CREATE FUNCTION bedrock_cost.path(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_path' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.path(bedrock_cost.iam_arn) IS
  'IAM path of a user or role, beginning and ending with / (just / when the ARN has none); NULL for other types (STS ARNs carry no path)';

CREATE FUNCTION bedrock_cost.role_name(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_role_name' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.role_name(bedrock_cost.iam_arn) IS
  'role name of a role or of an assumed-role session; NULL otherwise';

CREATE FUNCTION bedrock_cost.session_name(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_session_name' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.session_name(bedrock_cost.iam_arn) IS
  'role session name of an assumed-role session (for SSO the Identity Center user name, often an e-mail); NULL otherwise';

-- rollups and classifiers ------------------------------------------------------

CREATE FUNCTION bedrock_cost.role_arn(bedrock_cost.iam_arn) RETURNS bedrock_cost.iam_arn
  AS 'MODULE_PATHNAME', 'iam_arn_role_arn' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.role_arn(bedrock_cost.iam_arn) IS
  'the role a principal rolls up to: arn:P:iam::ACCT:role/ROLE for an assumed-role session (without the role path, which STS drops), the role itself for a role ARN; NULL for users, root and federated users';

CREATE FUNCTION bedrock_cost.person(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_person' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.person(bedrock_cost.iam_arn) IS
  'identity label of the caller: the session name of an assumed role (SSO user name or e-mail, federated or gateway session), the federated user name, the IAM user name; NULL for roles and root';

CREATE FUNCTION bedrock_cost.identity_kind(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_identity_kind' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.identity_kind(bedrock_cost.iam_arn) IS
  'sso_session (IAM Identity Center: assumed AWSReservedSSO_<PermissionSet>_<16 hex> role), bedrock_api_key (IAM user BedrockAPIKey-...), iam_user, role_session, federated_user, iam_role or root';

CREATE FUNCTION bedrock_cost.is_sso_session(bedrock_cost.iam_arn) RETURNS boolean
  AS 'MODULE_PATHNAME', 'iam_arn_is_sso_session' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.is_sso_session(bedrock_cost.iam_arn) IS
  'true for an IAM Identity Center session: assumed-role/AWSReservedSSO_<PermissionSet>_<16 hex digits>/<user>';

CREATE FUNCTION bedrock_cost.sso_permission_set(bedrock_cost.iam_arn) RETURNS text
  AS 'MODULE_PATHNAME', 'iam_arn_sso_permission_set' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.sso_permission_set(bedrock_cost.iam_arn) IS
  'IAM Identity Center permission set of an SSO session or SSO role (AWSReservedSSO_<PermissionSet>_<16 hex>); NULL otherwise';

CREATE FUNCTION bedrock_cost.is_bedrock_api_key(bedrock_cost.iam_arn) RETURNS boolean
  AS 'MODULE_PATHNAME', 'iam_arn_is_bedrock_api_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.is_bedrock_api_key(bedrock_cost.iam_arn) IS
  'true for the IAM user behind a long-term Amazon Bedrock API key (user name BedrockAPIKey-...)';

-- from sql/install/20_usage_type.sql
/*
 * 20_usage_type.sql: usage-type grammar, Bedrock line classification,
 * pricing-unit scaling, billing region codes and the model alias table.
 * C code: src/core/usage_type*.c, regions.c, bedrock_line.c,
 * pricing_unit.c, model_name.c; glue: src/ext/usage_type_fns.c.
 */

-- ---------------------------------------------------------------------------
-- model aliases: one canonical key for a model billed through several channels
-- ---------------------------------------------------------------------------
CREATE TABLE bedrock_cost.model_aliases (
    alias      text    NOT NULL CHECK (alias <> ''),
    model_key  text    NOT NULL CHECK (model_key <> ''),
    vendor     text,
    seeded     boolean NOT NULL DEFAULT false,
    note       text,
    PRIMARY KEY (alias, seeded)
);
COMMENT ON TABLE bedrock_cost.model_aliases IS
  'model names as billed (usage-type model, Marketplace product name, model id) mapped to one canonical model_key; '
  'matched on the normalised form (bedrock_cost.model_normalize), user rows (seeded = false) take precedence over seeded rows';
COMMENT ON COLUMN bedrock_cost.model_aliases.alias IS
  'a model name as billed, e.g. Claude4.6Sonnet, Claude Sonnet 4.6 (Amazon Bedrock Edition), anthropic.claude-sonnet-4-6';
COMMENT ON COLUMN bedrock_cost.model_aliases.model_key IS
  'canonical model key reported by parse_usage_type and model_key, e.g. claude-sonnet-4.6';
COMMENT ON COLUMN bedrock_cost.model_aliases.vendor IS
  'vendor of the model, a lowercase key (anthropic, amazon, meta, ...); when set it is what bedrock_cost.model_vendor reports for the alias, ahead of the built-in rules';
COMMENT ON COLUMN bedrock_cost.model_aliases.seeded IS
  'true for rows shipped with the extension (not dumped by pg_dump, read-only); false for your own rows (dumped)';
COMMENT ON COLUMN bedrock_cost.model_aliases.note IS
  'free text';

-- parse_usage_type and model_key read the table as the calling user
GRANT SELECT ON bedrock_cost.model_aliases TO PUBLIC;

-- user rows survive pg_dump; seeded rows come back with CREATE EXTENSION
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.model_aliases', 'WHERE NOT seeded');

CREATE FUNCTION bedrock_cost.model_aliases_protect_seeds()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF OLD.seeded THEN
        RAISE EXCEPTION 'seeded model alias "%" cannot be changed or deleted', OLD.alias
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Insert your own row with the same alias; rows with seeded = false take precedence.';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.seeded THEN
        RAISE EXCEPTION 'a model alias row cannot be marked as seeded'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION bedrock_cost.model_aliases_protect_seeds() IS
  'trigger function keeping the seeded rows of bedrock_cost.model_aliases read-only (they are not dumped, so edits would be lost)';

CREATE TRIGGER model_aliases_protect_seeds
    BEFORE UPDATE OR DELETE ON bedrock_cost.model_aliases
    FOR EACH ROW EXECUTE FUNCTION bedrock_cost.model_aliases_protect_seeds();

INSERT INTO bedrock_cost.model_aliases (alias, model_key, vendor, seeded) VALUES
    -- Anthropic Claude: usage-type form, Marketplace product name, model id
    ('Claude2.0',                                   'claude-2.0',        'anthropic', true),
    ('Claude3Sonnet',                               'claude-3-sonnet',   'anthropic', true),
    ('Claude 3 Sonnet (Amazon Bedrock Edition)',    'claude-3-sonnet',   'anthropic', true),
    ('Claude3Haiku',                                'claude-3-haiku',    'anthropic', true),
    ('Claude 3 Haiku (Amazon Bedrock Edition)',     'claude-3-haiku',    'anthropic', true),
    ('anthropic.claude-3-haiku',                    'claude-3-haiku',    'anthropic', true),
    ('Claude3.5Sonnet',                             'claude-3.5-sonnet', 'anthropic', true),
    ('Claude 3.5 Sonnet (Amazon Bedrock Edition)',  'claude-3.5-sonnet', 'anthropic', true),
    ('anthropic.claude-3-5-sonnet',                 'claude-3.5-sonnet', 'anthropic', true),
    ('Claude3.5SonnetV2',                           'claude-3.5-sonnet-v2', 'anthropic', true),
    ('Claude 3.5 Sonnet v2 (Amazon Bedrock Edition)', 'claude-3.5-sonnet-v2', 'anthropic', true),
    ('Claude3.5Haiku',                              'claude-3.5-haiku',  'anthropic', true),
    ('Claude 3.5 Haiku (Amazon Bedrock Edition)',   'claude-3.5-haiku',  'anthropic', true),
    ('anthropic.claude-3-5-haiku',                  'claude-3.5-haiku',  'anthropic', true),
    ('Claude3.7Sonnet',                             'claude-3.7-sonnet', 'anthropic', true),
    ('Claude 3.7 Sonnet (Amazon Bedrock Edition)',  'claude-3.7-sonnet', 'anthropic', true),
    ('anthropic.claude-3-7-sonnet',                 'claude-3.7-sonnet', 'anthropic', true),
    ('Claude4Sonnet',                               'claude-sonnet-4',   'anthropic', true),
    ('Claude Sonnet 4 (Amazon Bedrock Edition)',    'claude-sonnet-4',   'anthropic', true),
    ('anthropic.claude-sonnet-4',                   'claude-sonnet-4',   'anthropic', true),
    ('Claude4.5Sonnet',                             'claude-sonnet-4.5', 'anthropic', true),
    ('Claude Sonnet 4.5 (Amazon Bedrock Edition)',  'claude-sonnet-4.5', 'anthropic', true),
    ('anthropic.claude-sonnet-4-5',                 'claude-sonnet-4.5', 'anthropic', true),
    ('Claude4.5Haiku',                              'claude-haiku-4.5',  'anthropic', true),
    ('Claude Haiku 4.5 (Amazon Bedrock Edition)',   'claude-haiku-4.5',  'anthropic', true),
    ('anthropic.claude-haiku-4-5',                  'claude-haiku-4.5',  'anthropic', true),
    ('Claude4.5Opus',                               'claude-opus-4.5',   'anthropic', true),
    ('Claude Opus 4.5 (Amazon Bedrock Edition)',    'claude-opus-4.5',   'anthropic', true),
    ('anthropic.claude-opus-4-5',                   'claude-opus-4.5',   'anthropic', true),
    ('Claude4.6Sonnet',                             'claude-sonnet-4.6', 'anthropic', true),
    ('Claude Sonnet 4.6 (Amazon Bedrock Edition)',  'claude-sonnet-4.6', 'anthropic', true),
    ('anthropic.claude-sonnet-4-6',                 'claude-sonnet-4.6', 'anthropic', true),
    ('Claude4.6Opus',                               'claude-opus-4.6',   'anthropic', true),
    ('Claude Opus 4.6 (Amazon Bedrock Edition)',    'claude-opus-4.6',   'anthropic', true),
    ('anthropic.claude-opus-4-6',                   'claude-opus-4.6',   'anthropic', true),
    ('Claude4.7Opus',                               'claude-opus-4.7',   'anthropic', true),
    ('Claude Opus 4.7 (Amazon Bedrock Edition)',    'claude-opus-4.7',   'anthropic', true),
    ('anthropic.claude-opus-4-7',                   'claude-opus-4.7',   'anthropic', true),
    ('Claude4.8Opus',                               'claude-opus-4.8',   'anthropic', true),
    ('Claude Opus 4.8 (Amazon Bedrock Edition)',    'claude-opus-4.8',   'anthropic', true),
    ('anthropic.claude-opus-4-8',                   'claude-opus-4.8',   'anthropic', true),
    -- Amazon Nova and Titan
    ('NovaMicro',                                   'nova-micro',        'amazon', true),
    ('NovaLite',                                    'nova-lite',         'amazon', true),
    ('NovaPro',                                     'nova-pro',          'amazon', true),
    ('Nova2.0Lite',                                 'nova-2-lite',       'amazon', true),
    ('amazon.nova-2-lite',                          'nova-2-lite',       'amazon', true),
    ('Nova2.0Pro',                                  'nova-2-pro',        'amazon', true),
    ('amazon.nova-2-pro',                           'nova-2-pro',        'amazon', true),
    ('NovaCanvas',                                  'nova-canvas',       'amazon', true),
    ('NovaSonic',                                   'nova-sonic',        'amazon', true),
    ('NovaMultiModalEmbeddings',                    'nova-multimodal-embeddings', 'amazon', true),
    ('TitanTextG1-Lite',                            'titan-text-lite',   'amazon', true),
    ('TitanEmbeddingV2',                            'titan-embed-text-v2', 'amazon', true),
    ('TitanEmbeddingsG1',                           'titan-embed-image-v1', 'amazon', true),
    -- Meta Llama
    ('Llama3-1-405B',                               'llama3.1-405b',     'meta', true),
    ('Llama3-1-70B',                                'llama3.1-70b',      'meta', true),
    ('Llama3-2-1B',                                 'llama3.2-1b',       'meta', true),
    ('Llama3-3-70B',                                'llama3.3-70b',      'meta', true),
    ('Meta Llama 2 Chat 70B (Amazon Bedrock Edition)', 'llama2-chat-70b', 'meta', true),
    -- other Marketplace products named in CUR / the Price List
    ('Stable Diffusion 3.5 Large v1.0 (Amazon Bedrock Edition)', 'stable-diffusion-3.5-large', 'stability', true),
    ('Cohere Rerank v3.5 (Amazon Bedrock Edition)', 'cohere-rerank-v3.5', 'cohere', true),
    ('Cohere Embed 4 Model (Amazon Bedrock Edition)', 'cohere-embed-4',  'cohere', true),
    ('cohere.rerank-english-v3',                    'cohere-rerank-english-v3', 'cohere', true),
    ('Jamba 1.5 Large (Amazon Bedrock Edition)',    'jamba-1.5-large',   'ai21', true),
    ('Palmyra X5 (Amazon Bedrock Edition)',         'palmyra-x5',        'writer', true),
    ('TwelveLabs Marengo Embed 3.0 (Amazon Bedrock Edition)', 'twelvelabs-marengo-embed-3.0', 'twelvelabs', true);

-- ---------------------------------------------------------------------------
-- the parse result
-- ---------------------------------------------------------------------------
CREATE TYPE bedrock_cost.usage_type_parts AS (
    region_code      text,
    region           text,
    model            text,
    model_key        text,
    token_kind       text,
    cache_ttl        text,
    tier             text,
    routing          text,
    context          text,
    endpoint         text,
    modality         text,
    marketplace      boolean,
    custom_model     boolean,
    recognized       boolean,
    grammar          text,
    usage_type_short text,
    dimension        text,
    detail           text
);
COMMENT ON TYPE bedrock_cost.usage_type_parts IS
  'a parsed Bedrock usage type (see bedrock_cost.parse_usage_type); values are lowercase snake_case, NULL when not given or not recognized';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.region_code IS 'billing region code before the first dash (USE1, EU, APS3), kept even when the rest is not recognized';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.region IS 'AWS region of region_code (us-east-1); NULL for an unknown code';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.model IS 'model as billed: from the usage type, or for Marketplace rows from the product name without "(Amazon Bedrock Edition)"';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.model_key IS 'canonical model key: bedrock_cost.model_aliases on the normalised model, else the normalised model';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.token_kind IS 'input, output, cache_read, cache_write, image, video_second, search_unit, guardrail_unit, model_unit_hour, training, storage, other; NULL when not recognized';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.cache_ttl IS 'prompt-cache TTL when the usage type gives one (5m, 30m, 1h)';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.tier IS 'standard, batch, flex, priority, latency_optimized, provisioned, reserved';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.routing IS 'in_region, cross_region_geo, cross_region_global (unqualified usage types are in_region)';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.context IS 'standard or long (long-context pricing); only for the four token kinds';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.endpoint IS 'runtime (bedrock-runtime, Marketplace) or mantle (bedrock-mantle); NULL for training and storage';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.modality IS 'text, image, speech, audio, video when the usage type names one or the kind implies it';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.marketplace IS 'an AWS Marketplace (MP:) usage type';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.custom_model IS 'the -custom-model suffix (inference on a customized model)';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.recognized IS 'false for a grammar the parser does not know (the row is data, not an error)';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.grammar IS 'grammar that matched: tokens, mantle, feature, mp_camel, mp_snake';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.usage_type_short IS 'usage type without the region prefix';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.dimension IS 'Marketplace dimension (InputTokenCount_Global, input_tokens_global_standard)';
COMMENT ON COLUMN bedrock_cost.usage_type_parts.detail IS 'feature detail of non-token usage (ContentPolicyUnitsConsumed, T2I-1024-Premium, NoCommit-ModelUnits)';

-- ---------------------------------------------------------------------------
-- functions
-- ---------------------------------------------------------------------------
CREATE FUNCTION bedrock_cost.parse_usage_type(usage_type text, product_name text DEFAULT NULL)
RETURNS bedrock_cost.usage_type_parts
AS 'MODULE_PATHNAME', 'bc_sql_parse_usage_type'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.parse_usage_type(text, text) IS
  'parse a CUR line_item_usage_type (never raises; recognized = false for an unknown grammar); '
  'product_name supplies the model of Marketplace rows; STABLE because model_key reads bedrock_cost.model_aliases';

CREATE FUNCTION bedrock_cost.model_normalize(model text)
RETURNS text
AS 'MODULE_PATHNAME', 'bc_sql_model_normalize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.model_normalize(text) IS
  'deterministic model-name normalisation (the model_key fallback): trim, drop "(Amazon Bedrock Edition)" and vendor prefixes like "anthropic.", lowercase, spaces/underscores to dashes';

CREATE FUNCTION bedrock_cost.model_key(model text, product_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'bc_sql_model_key'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.model_key(text, text) IS
  'canonical model key of a model as billed (or, when model is NULL or empty, of a "... (Amazon Bedrock Edition)" product name; NULL when neither): '
  'bedrock_cost.model_aliases matched on the normalised name, else bedrock_cost.model_normalize';

CREATE FUNCTION bedrock_cost.model_vendor(model text, product_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'bc_sql_model_vendor'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.model_vendor(text, text) IS
  'vendor of a model as billed (or of a "... (Amazon Bedrock Edition)" product name), a lowercase key such as anthropic, amazon, meta, mistral, openai, qwen, deepseek, xai: '
  'the vendor of its bedrock_cost.model_aliases row when that row names one, else the vendor prefix of a model id (openai.gpt-5.5, us.anthropic.claude-...), else the model family (Claude -> anthropic, Nova and Titan -> amazon, Llama -> meta); NULL when none of them knows the model';

CREATE FUNCTION bedrock_cost.is_bedrock_line(product_code text, billing_entity text, product_name text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'bc_sql_is_bedrock_line'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.is_bedrock_line(text, text, text) IS
  'true for Amazon Bedrock spend: product code AmazonBedrock, AmazonBedrockService, AmazonBedrockFoundationModels or AmazonBedrockAgentCore, '
  'or billing entity "AWS Marketplace" with a product name ending in "(Amazon Bedrock Edition)"; NULL arguments count as empty';

CREATE FUNCTION bedrock_cost.pricing_unit_scale(unit text, description text DEFAULT NULL,
                                                OUT scale bigint, OUT is_tokens boolean, OUT certainty text)
AS 'MODULE_PATHNAME', 'bc_sql_pricing_unit_scale'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.pricing_unit_scale(text, text) IS
  'token scale of a CUR pricing_unit (1K tokens -> 1000, 1M tokens -> 1000000; Marketplace Units from the line item description); '
  'non-token units give scale 1 and is_tokens false; certainty is exact, assumed (Units without million/thousand: 1M assumed) or unknown';

CREATE FUNCTION bedrock_cost.token_count(usage_amount numeric, pricing_unit text, description text DEFAULT NULL)
RETURNS numeric
AS 'MODULE_PATHNAME', 'bc_sql_token_count'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.token_count(numeric, text, text) IS
  'tokens of a line item, exact: usage_amount x pricing_unit_scale(pricing_unit, description).scale; NULL for non-token units';

CREATE FUNCTION bedrock_cost.region_name(code text)
RETURNS text
AS 'MODULE_PATHNAME', 'bc_sql_region_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost.region_name(text) IS
  'AWS region of a billing region code (USE1 -> us-east-1, EU -> eu-west-1, APS3 -> ap-south-1); NULL when unknown';

CREATE FUNCTION bedrock_cost.billing_regions(OUT code text, OUT region text, OUT location text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'bc_sql_billing_regions'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 40;
COMMENT ON FUNCTION bedrock_cost.billing_regions() IS
  'the billing region-code table used by region_name and parse_usage_type';

-- from sql/install/40_loader.sql
/*
 * 40_loader.sql: the CUR 2.0 loader's tables, ledger, history and views.
 *
 * Data lives in bedrock_cost.line_items, range-partitioned on
 * (billing_period, export_id): one partition per billing period and export,
 * each partition being the table one delivery was loaded into
 * (bedrock_cost.line_items_l<load_id>).  A newer delivery of the same period
 * is loaded into a fresh table and swapped in (DETACH old, ATTACH new) in one
 * transaction; the superseded table is attached to
 * bedrock_cost.line_items_history (list-partitioned on load_id), so every
 * earlier delivery stays queryable (bedrock_cost.line_items_as_of).
 *
 * The loader functions (load_export, load_file) are C; the DDL of a swap is
 * the PL/pgSQL below, called by the loader with parameters.
 */

-- ------------------------------------------------------------------------
-- who acts: the identity recorded in the ledger and the audit log

-- current_user is the owner inside the loader (it runs the ledger's SQL as the
-- owner of line_items) and inside SECURITY DEFINER functions; the session's
-- own role is the one it SET ROLE to, else its session user
CREATE FUNCTION bedrock_cost._session_role()
RETURNS name
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text)::name
$$;
COMMENT ON FUNCTION bedrock_cost._session_role() IS
  'internal: the role the session acts as (set with SET ROLE, else the session user), also inside SECURITY DEFINER functions and the loader, where current_user is the owner';
REVOKE ALL ON FUNCTION bedrock_cost._session_role() FROM PUBLIC;

-- ------------------------------------------------------------------------
-- exports and the ledger

CREATE TABLE bedrock_cost.exports (
	export_id	integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	path		text NOT NULL UNIQUE,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE bedrock_cost.exports IS
  'one row per CUR 2.0 export folder (or folder of ad hoc files) the loader has seen';
COMMENT ON COLUMN bedrock_cost.exports.path IS
  'absolute, symlink-free path of the export folder (the folder holding data/ and metadata/)';

CREATE TABLE bedrock_cost.loads (
	load_id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	export_id		integer NOT NULL REFERENCES bedrock_cost.exports,
	billing_period	date,
	source			text NOT NULL CHECK (source IN ('export', 'file')),
	manifest_path	text,
	execution_id	text,
	delivery_key	text,
	status			text NOT NULL
		CHECK (status IN ('running', 'done', 'failed', 'superseded', 'noop', 'stale', 'duplicate')),
	delivered_at	timestamptz,
	forced			boolean NOT NULL DEFAULT false,
	started_at		timestamptz NOT NULL,
	finished_at		timestamptz,
	rows_read		bigint NOT NULL DEFAULT 0,
	rows_loaded		bigint NOT NULL DEFAULT 0,
	rows_rejected	bigint NOT NULL DEFAULT 0,
	rows_other		bigint NOT NULL DEFAULT 0,
	bytes_read		bigint NOT NULL DEFAULT 0,
	data_table		text,
	superseded_by	bigint,
	same_as			bigint,
	data_dropped_at	timestamptz,
	error			text,
	session_user_name name NOT NULL DEFAULT session_user,
	current_user_name name DEFAULT bedrock_cost._session_role(),
	client_addr		inet DEFAULT pg_catalog.inet_client_addr(),
	application_name text DEFAULT pg_catalog.current_setting('application_name'),
	loaded_via		text NOT NULL DEFAULT 'sql'
		CHECK (loaded_via IN ('sql', 'worker', 'client', 'restore')),
	summary_rows	bigint,
	summary_via		text CHECK (summary_via IN ('stream', 'sql'))
);
CREATE INDEX loads_export_period_idx
	ON bedrock_cost.loads (export_id, billing_period, load_id);
COMMENT ON TABLE bedrock_cost.loads IS
  'the load ledger: one row per delivery the loader considered (loaded, failed, or recognised as already loaded)';
COMMENT ON COLUMN bedrock_cost.loads.billing_period IS 'first day of the billing month the delivery restates';
COMMENT ON COLUMN bedrock_cost.loads.source IS 'export: found by load_export from a manifest; file: load_file of one file';
COMMENT ON COLUMN bedrock_cost.loads.manifest_path IS 'the Manifest.json that listed the files (NULL for load_file)';
COMMENT ON COLUMN bedrock_cost.loads.execution_id IS 'executionId of the manifest (NULL for load_file)';
COMMENT ON COLUMN bedrock_cost.loads.delivery_key IS
  'sha256 over the execution id and the sha256 of every file: two loads with the same key are the same delivery';
COMMENT ON COLUMN bedrock_cost.loads.status IS
  'running (inside the loading transaction), done (the current data of its period), superseded (replaced by a newer delivery, kept as history), failed (nothing changed), noop (the same delivery is the current one, load same_as), stale (older than the current delivery same_as: not loaded), duplicate (the same delivery is current under another export, load same_as: not loaded, so nothing is counted twice)';
COMMENT ON COLUMN bedrock_cost.loads.delivered_at IS
  'when AWS delivered it, as the file system tells: the modification time of the manifest (of the file, for load_file); for a restore_load, when it was restored, so that deliveries already on disk do not undo it. Deliveries of a period are ordered by it: one older than the current delivery is stale';
COMMENT ON COLUMN bedrock_cost.loads.forced IS
  'loaded with force => true: even though the same delivery was current, or it was older than the current one (audited)';
COMMENT ON COLUMN bedrock_cost.loads.rows_read IS 'data rows read from the files (header excluded)';
COMMENT ON COLUMN bedrock_cost.loads.rows_loaded IS 'Bedrock rows stored in line_items';
COMMENT ON COLUMN bedrock_cost.loads.rows_rejected IS 'rows rejected (see load_errors); more than bedrock_cost.max_rejected_rows fails the delivery';
COMMENT ON COLUMN bedrock_cost.loads.rows_other IS 'non-Bedrock rows read and counted in load_totals, not stored';
COMMENT ON COLUMN bedrock_cost.loads.bytes_read IS 'compressed bytes read from the files';
COMMENT ON COLUMN bedrock_cost.loads.data_table IS 'the partition holding the rows of this delivery (in line_items while done, in line_items_history once superseded)';
COMMENT ON COLUMN bedrock_cost.loads.superseded_by IS 'the load that replaced this one';
COMMENT ON COLUMN bedrock_cost.loads.same_as IS 'for noop and duplicate: the load that already holds this delivery; for stale: the current, newer load; for a restore: the load restored';
COMMENT ON COLUMN bedrock_cost.loads.data_dropped_at IS 'when bedrock_cost.history_retention dropped the rows of this superseded delivery';
COMMENT ON COLUMN bedrock_cost.loads.error IS 'why the delivery failed (file, line and column when the input was at fault)';
COMMENT ON COLUMN bedrock_cost.loads.session_user_name IS 'who loaded: the session user (login role) of the loading session';
COMMENT ON COLUMN bedrock_cost.loads.current_user_name IS 'who loaded: the role the loading session acted as (SET ROLE, else the session user)';
COMMENT ON COLUMN bedrock_cost.loads.client_addr IS 'who loaded: the client address of the loading session (NULL over a Unix socket and in the background worker)';
COMMENT ON COLUMN bedrock_cost.loads.application_name IS 'who loaded: application_name of the loading session';
COMMENT ON COLUMN bedrock_cost.loads.summary_rows IS
  'rows of the delivery''s chargeback summary (bedrock_cost.usage_summary), NULL when it stored no rows';
COMMENT ON COLUMN bedrock_cost.loads.summary_via IS
  'how the summary was computed: stream (by the loader while the rows streamed through it) or sql (bedrock_cost._summarize_load_table over the stored rows: client deliveries, restores, a database encoding other than UTF-8, or a summary larger than bedrock_cost.summary_memory)';
COMMENT ON COLUMN bedrock_cost.loads.loaded_via IS
  'what loaded: sql (load_export / load_file called in SQL), worker (the background worker or poll_now), client (bedrock-cost-load: its file totals are declared, not read by the server), restore (bedrock_cost.restore_load made a superseded delivery, same_as, current again)';

CREATE TABLE bedrock_cost.load_files (
	load_id		bigint NOT NULL REFERENCES bedrock_cost.loads ON DELETE CASCADE,
	file_no		integer NOT NULL,
	path		text NOT NULL,
	size		bigint,
	sha256		text,
	rows_read	bigint NOT NULL DEFAULT 0,
	rows_loaded	bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (load_id, file_no)
);
COMMENT ON TABLE bedrock_cost.load_files IS 'the files of each delivery, in load order';
COMMENT ON COLUMN bedrock_cost.load_files.file_no IS 'ordinal of the file in its delivery; line_items.file_no refers to it';
COMMENT ON COLUMN bedrock_cost.load_files.size IS 'size of the (compressed) file in bytes';
COMMENT ON COLUMN bedrock_cost.load_files.sha256 IS 'hex sha256 of the file as stored';

CREATE TABLE bedrock_cost.load_totals (
	load_id				bigint NOT NULL REFERENCES bedrock_cost.loads ON DELETE CASCADE,
	line_item_type		text NOT NULL,
	is_bedrock			boolean NOT NULL,
	rows				bigint NOT NULL,
	rejected_rows		bigint NOT NULL DEFAULT 0,
	unblended_cost		numeric NOT NULL,
	net_unblended_cost	numeric,
	rejected_unblended_cost numeric NOT NULL DEFAULT 0,
	declared			boolean NOT NULL DEFAULT false,
	PRIMARY KEY (load_id, line_item_type, is_bedrock)
);
COMMENT ON TABLE bedrock_cost.load_totals IS
  'exact file totals of each delivery by line item type, for Bedrock and non-Bedrock rows, summed by the reader independently of what was stored';
COMMENT ON COLUMN bedrock_cost.load_totals.rows IS 'rows read and accepted';
COMMENT ON COLUMN bedrock_cost.load_totals.rejected_rows IS 'rows rejected (their costs are not in the totals)';
COMMENT ON COLUMN bedrock_cost.load_totals.unblended_cost IS 'sum of line_item_unblended_cost of the accepted rows';
COMMENT ON COLUMN bedrock_cost.load_totals.net_unblended_cost IS 'sum of line_item_net_unblended_cost (NULL when the files lack the column)';
COMMENT ON COLUMN bedrock_cost.load_totals.rejected_unblended_cost IS
  'sum of line_item_unblended_cost of the rejected rows whose cost is a number, so rows + rejected rows reconcile with the whole file';
COMMENT ON COLUMN bedrock_cost.load_totals.declared IS
  'true when the totals were declared by bedrock-cost-load, which read files the server cannot see: the server verified that the stored rows match them, but not that they match the files';

CREATE TABLE bedrock_cost.load_errors (
	load_id		bigint NOT NULL REFERENCES bedrock_cost.loads ON DELETE CASCADE,
	error_no	integer NOT NULL,
	file		text,
	line		bigint,
	column_name	text,
	value		text,
	reason		text NOT NULL,
	raw			text,
	PRIMARY KEY (load_id, error_no)
);
COMMENT ON TABLE bedrock_cost.load_errors IS
  'rejected rows and the error that failed a delivery, with the file, line and column at fault';
COMMENT ON COLUMN bedrock_cost.load_errors.line IS 'physical line number in the decompressed file (1 = the header)';
COMMENT ON COLUMN bedrock_cost.load_errors.column_name IS 'the CUR column (header name) at fault, when one is';
COMMENT ON COLUMN bedrock_cost.load_errors.value IS 'the offending field value (truncated to 1000 bytes)';
COMMENT ON COLUMN bedrock_cost.load_errors.raw IS 'the raw row text as read (truncated to 10000 bytes), for rejected rows';

-- The ledger is what users keep: pg_dump dumps these tables and the
-- sequences of their identity columns although they belong to the extension
-- (the delivery tables line_items_l<load_id> are not extension members and
-- are dumped anyway, as partitions of line_items and line_items_history).
-- After pg_restore, bedrock_cost.after_restore() checks the ledger against
-- the restored tables and refreshes the chargeback.
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.exports', '');
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.exports_export_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.loads', '');
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.loads_load_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.load_files', '');
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.load_totals', '');
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.load_errors', '');

-- ------------------------------------------------------------------------
-- the facts

-- column source of every delivery table; never holds rows
CREATE TABLE bedrock_cost.line_items_template (
	billing_period		date NOT NULL,
	export_id			integer NOT NULL,
	load_id				bigint NOT NULL,
	file_no				integer NOT NULL,
	line_number			bigint NOT NULL,
	usage_start			timestamptz NOT NULL,
	usage_end			timestamptz NOT NULL,
	line_item_type		text NOT NULL,
	payer_account_id	text NOT NULL,
	usage_account_id	text NOT NULL,
	billing_entity		text,
	product_code		text NOT NULL,
	product_name		text,
	usage_type			text NOT NULL,
	operation			text,
	pricing_unit		text,
	usage_amount		numeric,
	tokens				numeric,
	unblended_cost		numeric NOT NULL,
	net_unblended_cost	numeric,
	principal			bedrock_cost.iam_arn,
	tags				jsonb NOT NULL,
	line_item_id		text,
	resource_id			text,
	payer_account_name	text,
	usage_account_name	text,
	list_cost			numeric,
	invoice_id			text,
	currency			text
);
COMMENT ON TABLE bedrock_cost.line_items_template IS
  'column template of line_items: every delivery table is created LIKE it (so creating one takes no lock on line_items); always empty';

CREATE TABLE bedrock_cost.line_items (LIKE bedrock_cost.line_items_template INCLUDING ALL)
	PARTITION BY RANGE (billing_period, export_id);
COMMENT ON TABLE bedrock_cost.line_items IS
  'every Amazon Bedrock CUR 2.0 row (usage and account-level Tax/Credit/Refund/discount rows) of the current delivery of each billing period; one partition per (billing_period, export_id)';
COMMENT ON COLUMN bedrock_cost.line_items.billing_period IS 'first day of the billing month';
COMMENT ON COLUMN bedrock_cost.line_items.export_id IS 'the export (bedrock_cost.exports) the row came from';
COMMENT ON COLUMN bedrock_cost.line_items.load_id IS 'the delivery (bedrock_cost.loads) that loaded the row';
COMMENT ON COLUMN bedrock_cost.line_items.file_no IS 'the file of the delivery (bedrock_cost.load_files.file_no)';
COMMENT ON COLUMN bedrock_cost.line_items.line_number IS 'physical line of the row in the decompressed file (1 = the header)';
COMMENT ON COLUMN bedrock_cost.line_items.usage_start IS 'line_item_usage_start_date (inclusive)';
COMMENT ON COLUMN bedrock_cost.line_items.usage_end IS 'line_item_usage_end_date (exclusive)';
COMMENT ON COLUMN bedrock_cost.line_items.line_item_type IS 'line_item_line_item_type as CUR spells it (Usage, Tax, Credit, Refund, ...)';
COMMENT ON COLUMN bedrock_cost.line_items.payer_account_id IS 'bill_payer_account_id';
COMMENT ON COLUMN bedrock_cost.line_items.usage_account_id IS 'line_item_usage_account_id';
COMMENT ON COLUMN bedrock_cost.line_items.billing_entity IS 'bill_billing_entity (AWS or AWS Marketplace)';
COMMENT ON COLUMN bedrock_cost.line_items.product_code IS 'line_item_product_code';
COMMENT ON COLUMN bedrock_cost.line_items.product_name IS 'product_name from the product map';
COMMENT ON COLUMN bedrock_cost.line_items.usage_type IS 'line_item_usage_type; parsed parts in bedrock_cost.usage_types';
COMMENT ON COLUMN bedrock_cost.line_items.operation IS 'line_item_operation';
COMMENT ON COLUMN bedrock_cost.line_items.pricing_unit IS 'pricing_unit';
COMMENT ON COLUMN bedrock_cost.line_items.usage_amount IS 'line_item_usage_amount, exact';
COMMENT ON COLUMN bedrock_cost.line_items.tokens IS 'normalised token count: usage_amount times the pricing unit scale (1K tokens = 1000); NULL when the unit is not tokens';
COMMENT ON COLUMN bedrock_cost.line_items.unblended_cost IS 'line_item_unblended_cost, exact';
COMMENT ON COLUMN bedrock_cost.line_items.net_unblended_cost IS 'line_item_net_unblended_cost, exact; NULL when the file lacks the column or the field is empty';
COMMENT ON COLUMN bedrock_cost.line_items.principal IS 'line_item_iam_principal; NULL when the row has none';
COMMENT ON COLUMN bedrock_cost.line_items.tags IS 'the tags map (iamPrincipal/..., resourceTags/..., ...) as jsonb';
COMMENT ON COLUMN bedrock_cost.line_items.line_item_id IS 'identity_line_item_id (unique within a delivery only)';
COMMENT ON COLUMN bedrock_cost.line_items.resource_id IS 'line_item_resource_id (exports with INCLUDE_RESOURCES): for Bedrock the inference profile ARN the call used (application or system profile); NULL when absent or empty';
COMMENT ON COLUMN bedrock_cost.line_items.payer_account_name IS 'bill_payer_account_name; NULL when absent or empty';
COMMENT ON COLUMN bedrock_cost.line_items.usage_account_name IS 'line_item_usage_account_name; NULL when absent or empty';
COMMENT ON COLUMN bedrock_cost.line_items.list_cost IS 'pricing_public_on_demand_cost (the cost at public on-demand prices), exact; NULL when absent or empty';
COMMENT ON COLUMN bedrock_cost.line_items.invoice_id IS 'bill_invoice_id; NULL until the month is invoiced';
COMMENT ON COLUMN bedrock_cost.line_items.currency IS 'line_item_currency_code; NULL when absent or empty';

CREATE TABLE bedrock_cost.line_items_history (LIKE bedrock_cost.line_items_template INCLUDING ALL)
	PARTITION BY LIST (load_id);
COMMENT ON TABLE bedrock_cost.line_items_history IS
  'rows of superseded deliveries, one partition per load_id; pruned by bedrock_cost.history_retention';

-- ------------------------------------------------------------------------
-- the chargeback summary: every delivery's rows summed at the grain of the
-- chargeback views, stored, swapped and historised with its line items

CREATE TABLE bedrock_cost.usage_summary_template (
	billing_period		date NOT NULL,
	export_id			integer NOT NULL,
	load_id				bigint NOT NULL,
	usage_date			date NOT NULL,
	payer_account_id	text NOT NULL,
	usage_account_id	text NOT NULL,
	line_item_type		text NOT NULL,
	product_name		text,
	usage_type			text NOT NULL,
	principal			bedrock_cost.iam_arn,
	tags				jsonb NOT NULL,
	line_items			bigint NOT NULL,
	unblended_cost		numeric NOT NULL,
	net_unblended_cost	numeric NOT NULL,
	net_rows			bigint NOT NULL,
	tokens				numeric,
	usage_amount		numeric,
	resource_id			text,
	payer_account_name	text,
	usage_account_name	text
);
COMMENT ON TABLE bedrock_cost.usage_summary_template IS
  'column template of usage_summary: every delivery''s summary table is created LIKE it; always empty';

CREATE TABLE bedrock_cost.usage_summary (LIKE bedrock_cost.usage_summary_template INCLUDING ALL)
	PARTITION BY RANGE (billing_period, export_id);
COMMENT ON TABLE bedrock_cost.usage_summary IS
  'the line items of the current delivery of each billing period summed per UTC usage day, payer and usage account (and their names), line item type, product name, usage type, principal, tags map and resource id: what the chargeback views read instead of line_items. Computed per delivery (by the loader while the rows stream through it, else by SQL over the stored rows) and swapped in with the delivery''s line items, in the same transaction; one partition per (billing_period, export_id). A group may be split over several rows (the same tags map spelt two ways); always sum';
COMMENT ON COLUMN bedrock_cost.usage_summary.billing_period IS 'first day of the billing month';
COMMENT ON COLUMN bedrock_cost.usage_summary.export_id IS 'the export (bedrock_cost.exports)';
COMMENT ON COLUMN bedrock_cost.usage_summary.load_id IS 'the delivery (bedrock_cost.loads) summed';
COMMENT ON COLUMN bedrock_cost.usage_summary.usage_date IS 'UTC day of usage_start';
COMMENT ON COLUMN bedrock_cost.usage_summary.payer_account_id IS 'bill_payer_account_id';
COMMENT ON COLUMN bedrock_cost.usage_summary.usage_account_id IS 'line_item_usage_account_id';
COMMENT ON COLUMN bedrock_cost.usage_summary.line_item_type IS 'line_item_line_item_type';
COMMENT ON COLUMN bedrock_cost.usage_summary.product_name IS 'product_name from the product map (NULL when none)';
COMMENT ON COLUMN bedrock_cost.usage_summary.usage_type IS 'line_item_usage_type';
COMMENT ON COLUMN bedrock_cost.usage_summary.principal IS 'line_item_iam_principal (NULL when none)';
COMMENT ON COLUMN bedrock_cost.usage_summary.tags IS 'the tags map of the rows';
COMMENT ON COLUMN bedrock_cost.usage_summary.line_items IS 'rows summed';
COMMENT ON COLUMN bedrock_cost.usage_summary.unblended_cost IS 'sum of unblended_cost, exact';
COMMENT ON COLUMN bedrock_cost.usage_summary.net_unblended_cost IS 'sum of net_unblended_cost where the row has one, else of unblended_cost, exact';
COMMENT ON COLUMN bedrock_cost.usage_summary.net_rows IS 'rows with a net_unblended_cost';
COMMENT ON COLUMN bedrock_cost.usage_summary.tokens IS 'sum of tokens (NULL when no row has tokens)';
COMMENT ON COLUMN bedrock_cost.usage_summary.usage_amount IS 'sum of usage_amount (NULL when no row has one)';
COMMENT ON COLUMN bedrock_cost.usage_summary.resource_id IS 'line_item_resource_id (the inference profile ARN; NULL when none)';
COMMENT ON COLUMN bedrock_cost.usage_summary.payer_account_name IS 'bill_payer_account_name (NULL when none)';
COMMENT ON COLUMN bedrock_cost.usage_summary.usage_account_name IS 'line_item_usage_account_name (NULL when none)';

CREATE TABLE bedrock_cost.usage_summary_history (LIKE bedrock_cost.usage_summary_template INCLUDING ALL)
	PARTITION BY LIST (load_id);
COMMENT ON TABLE bedrock_cost.usage_summary_history IS
  'the summaries of superseded deliveries, one partition per load_id, kept and pruned with line_items_history (the as-of chargeback reads them)';

-- usage_summary's columns but the usage day
CREATE TABLE bedrock_cost.usage_period_template (LIKE bedrock_cost.usage_summary_template);
ALTER TABLE bedrock_cost.usage_period_template DROP COLUMN usage_date;
COMMENT ON TABLE bedrock_cost.usage_period_template IS
  'column template of usage_period (those of usage_summary but the usage day): every current delivery''s period summary table is created LIKE it; always empty';

CREATE TABLE bedrock_cost.usage_period (LIKE bedrock_cost.usage_period_template INCLUDING ALL)
	PARTITION BY RANGE (billing_period, export_id);
COMMENT ON TABLE bedrock_cost.usage_period IS
  'usage_summary of the current deliveries summed over the usage days: the grain of chargeback_base, which reads it (a month of usage has about a tenth of the rows of its usage_summary). Rolled up by the loader from the summary it keeps while streaming, else by SQL from usage_summary (bedrock_cost._summarize_period); swapped in with the delivery, in the same transaction, and dropped when a newer delivery of the period replaces it (the as-of answers read usage_summary_history instead). One partition per (billing_period, export_id). Columns as in usage_summary; always sum';

CREATE TABLE bedrock_cost.usage_daily_template (
	billing_period		date NOT NULL,
	export_id			integer NOT NULL,
	load_id				bigint NOT NULL,
	usage_date			date NOT NULL,
	payer_account_id	text NOT NULL,
	usage_account_id	text NOT NULL,
	line_item_type		text NOT NULL,
	principal			bedrock_cost.iam_arn,
	tags				jsonb NOT NULL,
	model				text,
	token_kind			text,
	line_items			bigint NOT NULL,
	unblended_cost		numeric NOT NULL,
	net_unblended_cost	numeric NOT NULL,
	tokens				numeric
);
COMMENT ON TABLE bedrock_cost.usage_daily_template IS
  'column template of usage_daily: every current delivery''s model-day summary table is created LIKE it; always empty';

CREATE TABLE bedrock_cost.usage_daily (LIKE bedrock_cost.usage_daily_template INCLUDING ALL)
	PARTITION BY RANGE (billing_period, export_id);
COMMENT ON TABLE bedrock_cost.usage_daily IS
  'usage_summary of the current deliveries summed per UTC usage day, accounts, line item type, principal, tags map, model and token kind (the usage types of a model and kind merged): what chargeback_daily reads (a month of usage has about a third of the rows of its usage_summary). Rolled up by the loader from the summary it keeps, else by SQL from usage_summary (bedrock_cost._summarize_daily); swapped in with the delivery, dropped when a newer delivery replaces it, and recomputed from usage_summary by every full rebuild of the chargeback (refresh_chargeback(false), or a change of the extension version), so the models and token kinds follow the installed parser. One partition per (billing_period, export_id); always sum';
COMMENT ON COLUMN bedrock_cost.usage_daily.model IS 'model of the usage type, as billed (parse_usage_type(usage_type, product_name).model; NULL when none)';
COMMENT ON COLUMN bedrock_cost.usage_daily.token_kind IS 'input, output, cache_read or cache_write (parse_usage_type(...).token_kind); NULL for every other usage';
COMMENT ON COLUMN bedrock_cost.usage_daily.tokens IS 'sum of tokens of the token kind (NULL when no row has tokens, and when token_kind is NULL)';

-- the columns usage_period and usage_daily share with usage_summary mean
-- the same: their comments, once
DO $do$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT t.rel, a.attname, pg_catalog.col_description(a.attrelid, a.attnum) AS description
		  FROM (VALUES ('bedrock_cost.usage_period'::regclass), ('bedrock_cost.usage_daily'::regclass)) AS t(rel)
		  JOIN pg_catalog.pg_attribute AS a
			ON a.attrelid = 'bedrock_cost.usage_summary'::regclass AND a.attnum > 0 AND NOT a.attisdropped
		 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS b
						WHERE b.attrelid = t.rel AND b.attname = a.attname AND NOT b.attisdropped)
		   AND pg_catalog.col_description(t.rel, (SELECT b.attnum FROM pg_catalog.pg_attribute AS b
												  WHERE b.attrelid = t.rel AND b.attname = a.attname)) IS NULL
	LOOP
		EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', c.rel, c.attname, c.description);
	END LOOP;
END
$do$;

-- ------------------------------------------------------------------------
-- usage type dimension, filled with the distinct usage types of each load

CREATE TABLE bedrock_cost.usage_types AS
	SELECT ''::text AS usage_type, ''::text AS product_name, p.*
	FROM bedrock_cost.parse_usage_type(''::text) AS p
	WITH NO DATA;
ALTER TABLE bedrock_cost.usage_types ALTER COLUMN usage_type SET NOT NULL;
ALTER TABLE bedrock_cost.usage_types ALTER COLUMN product_name SET NOT NULL;
ALTER TABLE bedrock_cost.usage_types ADD PRIMARY KEY (usage_type, product_name);
COMMENT ON TABLE bedrock_cost.usage_types IS
  'every (usage type, product name) pair seen by a load, with its parts from bedrock_cost.parse_usage_type(usage_type, product_name); the product name gives the model of Marketplace rows, whose usage types are shared by all models. Join: ON u.usage_type = li.usage_type AND u.product_name = coalesce(li.product_name, '''')';
COMMENT ON COLUMN bedrock_cost.usage_types.usage_type IS 'line_item_usage_type';
COMMENT ON COLUMN bedrock_cost.usage_types.product_name IS 'product_name of the rows ('''' when they have none)';
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.usage_types', '');

-- ------------------------------------------------------------------------
-- swap and history (called by the loader)

-- create the empty table a delivery is loaded into
CREATE FUNCTION bedrock_cost._create_load_table(p_load_id bigint, p_period date, p_export_id integer)
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
				   format('chargeback summary of delivery %s (bedrock_cost.loads) per day, model and token kind, billing period %s', p_load_id, p_period));
	-- on Citus, distributed like line_items before a row is written (78_citus.sql)
	PERFORM bedrock_cost._distribute_load_table(t);
	RETURN t;
END
$$;
COMMENT ON FUNCTION bedrock_cost._create_load_table(bigint, date, integer) IS
  'internal: creates the standalone tables a delivery is loaded into (line_items_l<load_id>) and summarised into (usage_summary_l<load_id>, usage_period_l<load_id>, usage_daily_l<load_id>), with the CHECK constraints that make ATTACH skip its validation scan';

-- the period summary of a delivery computed from its summary
CREATE FUNCTION bedrock_cost._summarize_period(p_load_id bigint)
RETURNS bigint
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE format('TRUNCATE bedrock_cost.%I', 'usage_period_l' || p_load_id);
	EXECUTE format('INSERT INTO bedrock_cost.%I (billing_period, export_id, load_id, '
				   'payer_account_id, usage_account_id, line_item_type, product_name, usage_type, '
				   'principal, tags, resource_id, payer_account_name, usage_account_name, '
				   'line_items, unblended_cost, net_unblended_cost, net_rows, tokens, usage_amount) '
				   'SELECT s.billing_period, s.export_id, s.load_id, s.payer_account_id, '
				   's.usage_account_id, s.line_item_type, s.product_name, s.usage_type, s.principal, s.tags, '
				   's.resource_id, s.payer_account_name, s.usage_account_name, '
				   'sum(s.line_items), sum(s.unblended_cost), sum(s.net_unblended_cost), '
				   'sum(s.net_rows), sum(s.tokens), sum(s.usage_amount) '
				   'FROM bedrock_cost.%I AS s GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13',
				   'usage_period_l' || p_load_id, 'usage_summary_l' || p_load_id);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION bedrock_cost._summarize_period(bigint) IS
  'internal: (re)computes the period summary of delivery p_load_id (usage_period_l<load_id>) from its summary (usage_summary_l<load_id>), for the deliveries whose summary the loader did not roll up itself; returns its rows';
REVOKE ALL ON FUNCTION bedrock_cost._summarize_period(bigint) FROM PUBLIC;

-- the model-day summary of a delivery computed from its summary
CREATE FUNCTION bedrock_cost._summarize_daily(p_load_id bigint)
RETURNS bigint
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	-- DELETE, not TRUNCATE: a full rebuild of the chargeback recomputes the
	-- attached tables of the current deliveries, under readers
	EXECUTE format('DELETE FROM bedrock_cost.%I', 'usage_daily_l' || p_load_id);
	EXECUTE format('INSERT INTO bedrock_cost.%I (billing_period, export_id, load_id, usage_date, '
				   'payer_account_id, usage_account_id, line_item_type, principal, tags, model, token_kind, '
				   'line_items, unblended_cost, net_unblended_cost, tokens) '
				   'SELECT s.billing_period, s.export_id, s.load_id, s.usage_date, s.payer_account_id, '
				   's.usage_account_id, s.line_item_type, s.principal, s.tags, u.model, u.kind, '
				   'sum(s.line_items), sum(s.unblended_cost), sum(s.net_unblended_cost), '
				   'sum(s.tokens) FILTER (WHERE u.kind IS NOT NULL) '
				   'FROM bedrock_cost.%I AS s '
				   'CROSS JOIN LATERAL (SELECT p.model, CASE WHEN p.token_kind IN '
				   '(''input'', ''output'', ''cache_read'', ''cache_write'') THEN p.token_kind END AS kind '
				   'FROM bedrock_cost.parse_usage_type(s.usage_type, s.product_name) AS p) AS u '
				   'GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11',
				   'usage_daily_l' || p_load_id, 'usage_summary_l' || p_load_id);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION bedrock_cost._summarize_daily(bigint) IS
  'internal: (re)computes the model-day summary of delivery p_load_id (usage_daily_l<load_id>) from its summary (usage_summary_l<load_id>) and parse_usage_type, for the deliveries whose summary the loader did not roll up itself and at every full rebuild of the chargeback; returns its rows';
REVOKE ALL ON FUNCTION bedrock_cost._summarize_daily(bigint) FROM PUBLIC;

-- the summary of a delivery computed from its stored rows
CREATE FUNCTION bedrock_cost._summarize_load_table(p_load_id bigint)
RETURNS bigint
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE format('TRUNCATE bedrock_cost.%I', 'usage_summary_l' || p_load_id);
	EXECUTE format('INSERT INTO bedrock_cost.%I (billing_period, export_id, load_id, usage_date, '
				   'payer_account_id, usage_account_id, line_item_type, product_name, usage_type, '
				   'principal, tags, resource_id, payer_account_name, usage_account_name, '
				   'line_items, unblended_cost, net_unblended_cost, net_rows, tokens, usage_amount) '
				   'SELECT li.billing_period, li.export_id, li.load_id, '
				   '(li.usage_start AT TIME ZONE ''UTC'')::pg_catalog.date, li.payer_account_id, '
				   'li.usage_account_id, li.line_item_type, li.product_name, li.usage_type, li.principal, li.tags, '
				   'li.resource_id, li.payer_account_name, li.usage_account_name, '
				   'count(*), sum(li.unblended_cost), sum(coalesce(li.net_unblended_cost, li.unblended_cost)), '
				   'count(li.net_unblended_cost), sum(li.tokens), sum(li.usage_amount) '
				   'FROM bedrock_cost.%I AS li GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14',
				   'usage_summary_l' || p_load_id, 'line_items_l' || p_load_id);
	GET DIAGNOSTICS n = ROW_COUNT;
	UPDATE bedrock_cost.loads SET summary_rows = n, summary_via = 'sql' WHERE load_id = p_load_id;
	PERFORM bedrock_cost._summarize_period(p_load_id);
	PERFORM bedrock_cost._summarize_daily(p_load_id);
	RETURN n;
END
$$;
COMMENT ON FUNCTION bedrock_cost._summarize_load_table(bigint) IS
  'internal: (re)computes the chargeback summaries of delivery p_load_id (usage_summary_l<load_id>, then usage_period_l<load_id> and usage_daily_l<load_id>) from its stored rows, for the deliveries the loader could not summarise while streaming (client deliveries, restores, non-UTF-8 databases, summaries beyond bedrock_cost.summary_memory); records it in loads; returns the summary rows';

-- what a delivery table holds per line item type (the client API checks it)
CREATE FUNCTION bedrock_cost._count_load_table(p_load_id bigint,
	OUT line_item_type text, OUT line_items bigint, OUT unblended_cost numeric)
RETURNS SETOF record
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY EXECUTE format('SELECT t.line_item_type, count(*), sum(t.unblended_cost) '
								'FROM bedrock_cost.%I AS t GROUP BY 1', 'line_items_l' || p_load_id);
END
$$;
COMMENT ON FUNCTION bedrock_cost._count_load_table(bigint) IS
  'internal: rows and unblended cost per line item type of the table of delivery p_load_id, counted by the server (the client API checks a client''s declared totals against it)';

-- let the caller of the client API insert into its delivery table, or no longer
CREATE FUNCTION bedrock_cost._grant_load_table(p_load_id bigint, p_role oid, p_grant boolean)
RETURNS void
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	EXECUTE format(CASE WHEN p_grant THEN 'GRANT INSERT ON bedrock_cost.%I TO %I'
						ELSE 'REVOKE INSERT ON bedrock_cost.%I FROM %I' END,
				   'line_items_l' || p_load_id, pg_get_userbyid(p_role));
END
$$;
COMMENT ON FUNCTION bedrock_cost._grant_load_table(bigint, oid, boolean) IS
  'internal: GRANTs (or REVOKEs) INSERT on the table of delivery p_load_id to the role streaming it through the client API, and nothing more';

-- drop the table of a delivery that could not be swapped in
CREATE FUNCTION bedrock_cost._drop_load_table(p_load_id bigint)
RETURNS void
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	EXECUTE format('DROP TABLE IF EXISTS bedrock_cost.%I', 'line_items_l' || p_load_id);
	EXECUTE format('DROP TABLE IF EXISTS bedrock_cost.%I', 'usage_summary_l' || p_load_id);
	EXECUTE format('DROP TABLE IF EXISTS bedrock_cost.%I', 'usage_period_l' || p_load_id);
	EXECUTE format('DROP TABLE IF EXISTS bedrock_cost.%I', 'usage_daily_l' || p_load_id);
END
$$;
COMMENT ON FUNCTION bedrock_cost._drop_load_table(bigint) IS
  'internal: drops the tables (rows and summaries) of a delivery that failed after it was loaded';

-- make a loaded delivery the current data of its period; the previous one moves to history
CREATE FUNCTION bedrock_cost._swap_in(p_load_id bigint)
RETURNS bigint
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	l bedrock_cost.loads;
	old bedrock_cost.loads;
BEGIN
	SELECT * INTO STRICT l FROM bedrock_cost.loads WHERE load_id = p_load_id FOR UPDATE;
	IF l.summary_via IS NULL THEN
		RAISE EXCEPTION 'delivery % has no chargeback summary', p_load_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'bedrock_cost._summarize_load_table computes it from the stored rows.';
	END IF;
	SELECT * INTO old FROM bedrock_cost.loads
	 WHERE export_id = l.export_id AND billing_period = l.billing_period
	   AND status = 'done' AND load_id <> p_load_id
	 FOR UPDATE;
	IF FOUND THEN
		EXECUTE format('ALTER TABLE bedrock_cost.line_items DETACH PARTITION bedrock_cost.%I', old.data_table);
		EXECUTE format('ALTER TABLE bedrock_cost.line_items_history ATTACH PARTITION bedrock_cost.%I FOR VALUES IN (%s)',
					   old.data_table, old.load_id);
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
	EXECUTE format('ALTER TABLE bedrock_cost.line_items ATTACH PARTITION bedrock_cost.%I '
				   'FOR VALUES FROM (%L, %s) TO (%L, %s)',
				   l.data_table, l.billing_period, l.export_id, l.billing_period, l.export_id + 1);
	EXECUTE format('ALTER TABLE bedrock_cost.usage_summary ATTACH PARTITION bedrock_cost.%I '
				   'FOR VALUES FROM (%L, %s) TO (%L, %s)',
				   'usage_summary_l' || p_load_id, l.billing_period, l.export_id, l.billing_period,
				   l.export_id + 1);
	EXECUTE format('ALTER TABLE bedrock_cost.usage_period ATTACH PARTITION bedrock_cost.%I '
				   'FOR VALUES FROM (%L, %s) TO (%L, %s)',
				   'usage_period_l' || p_load_id, l.billing_period, l.export_id, l.billing_period,
				   l.export_id + 1);
	EXECUTE format('ALTER TABLE bedrock_cost.usage_daily ATTACH PARTITION bedrock_cost.%I '
				   'FOR VALUES FROM (%L, %s) TO (%L, %s)',
				   'usage_daily_l' || p_load_id, l.billing_period, l.export_id, l.billing_period,
				   l.export_id + 1);
	UPDATE bedrock_cost.loads SET status = 'done', finished_at = clock_timestamp()
	 WHERE load_id = p_load_id;
	PERFORM bedrock_cost._prune_history(l.export_id, l.billing_period);
	RETURN old.load_id;
END
$$;
COMMENT ON FUNCTION bedrock_cost._swap_in(bigint) IS
  'internal: DETACHes the current partitions of the period (line items and summary, to line_items_history and usage_summary_history; its period and model-day summaries are dropped) and ATTACHes the new delivery''s, in the caller''s transaction';

-- copy a superseded delivery's rows into a new delivery table (bedrock_cost.restore_load)
CREATE FUNCTION bedrock_cost._prepare_restore(p_load_id bigint)
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
	PERFORM bedrock_cost._summarize_load_table(new_id);
	PERFORM bedrock_cost._audit('restore_load', 'load ' || new_id,
		pg_catalog.jsonb_build_object('load_id', p_load_id, 'status', old.status),
		pg_catalog.jsonb_build_object('load_id', new_id, 'restores', p_load_id,
			'billing_period', old.billing_period, 'export', export_path));
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION bedrock_cost._prepare_restore(bigint) IS
  'internal: for bedrock_cost.restore_load, copies the rows and the ledger of a superseded delivery into a new delivery (loaded_via restore, same_as the load restored), under the period''s lock, ready to be swapped in';
REVOKE ALL ON FUNCTION bedrock_cost._prepare_restore(bigint) FROM PUBLIC;

CREATE FUNCTION bedrock_cost.restore_load(load_id bigint)
RETURNS bigint
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'bedrock_cost_restore_load';
COMMENT ON FUNCTION bedrock_cost.restore_load(bigint) IS
  'makes a superseded delivery (still in line_items_history) the current data of its period again, as a new load (loaded_via restore, same_as the load restored), swapped in like any load and audited; returns the new load_id';
REVOKE ALL ON FUNCTION bedrock_cost.restore_load(bigint) FROM PUBLIC;

-- drop the rows of superseded deliveries beyond bedrock_cost.history_retention
CREATE FUNCTION bedrock_cost._prune_history(p_export_id integer, p_period date)
RETURNS integer
LANGUAGE plpgsql STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	keep integer := coalesce(nullif(current_setting('bedrock_cost.history_retention', true), ''), '0')::integer;
	r record;
	n integer := 0;
BEGIN
	IF keep <= 0 THEN
		RETURN 0;
	END IF;
	FOR r IN
		SELECT load_id, data_table FROM bedrock_cost.loads
		 WHERE export_id = p_export_id AND billing_period = p_period
		   AND status = 'superseded' AND data_dropped_at IS NULL
		 ORDER BY load_id DESC OFFSET keep
	LOOP
		EXECUTE format('DROP TABLE IF EXISTS bedrock_cost.%I', r.data_table);
		EXECUTE format('DROP TABLE IF EXISTS bedrock_cost.%I', 'usage_summary_l' || r.load_id);
		UPDATE bedrock_cost.loads SET data_dropped_at = clock_timestamp() WHERE load_id = r.load_id;
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION bedrock_cost._prune_history(integer, date) IS
  'internal: drops the history partitions (line items and summary) of a period beyond the newest bedrock_cost.history_retention superseded deliveries';

REVOKE ALL ON FUNCTION bedrock_cost._create_load_table(bigint, date, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._swap_in(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._drop_load_table(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._prune_history(integer, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._count_load_table(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._summarize_load_table(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._grant_load_table(bigint, oid, boolean) FROM PUBLIC;

-- ------------------------------------------------------------------------
-- the loader entry points

CREATE FUNCTION bedrock_cost.load_export(path text, force boolean DEFAULT false,
	OUT load_id bigint, OUT billing_period date, OUT execution_id text, OUT status text,
	OUT rows_loaded bigint, OUT rows_rejected bigint, OUT error text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'bedrock_cost_load_export';
COMMENT ON FUNCTION bedrock_cost.load_export(text, boolean) IS
  'loads every new delivery (manifest) under a CUR 2.0 export folder, one transaction-safe swap per billing period; returns one row per delivery considered (done, noop: already current, stale: older than the current delivery, duplicate: current under another export, failed: recorded, not raised); force => true loads even a current or older delivery (audited)';

CREATE FUNCTION bedrock_cost.load_file(path text, complete boolean DEFAULT false,
	force boolean DEFAULT false,
	OUT load_id bigint, OUT billing_period date, OUT execution_id text, OUT status text,
	OUT rows_loaded bigint, OUT rows_rejected bigint, OUT error text)
RETURNS record
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'bedrock_cost_load_file';
COMMENT ON FUNCTION bedrock_cost.load_file(text, boolean, boolean) IS
  'loads one CUR 2.0 .csv.gz (or .csv) file as the complete delivery of the billing period found in it; refused (recorded as failed) when the period''s manifest lists other files, unless complete => true (audited); force => true loads it even when it is the current delivery already (audited); a failure is returned (status failed) and recorded, not raised';

REVOKE ALL ON FUNCTION bedrock_cost.load_export(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost.load_file(text, boolean, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bedrock_cost.load_export(text, boolean) TO bedrock_cost_admin;
GRANT EXECUTE ON FUNCTION bedrock_cost.load_file(text, boolean, boolean) TO bedrock_cost_admin;
GRANT USAGE ON SCHEMA bedrock_cost TO bedrock_cost_admin;
GRANT SELECT ON bedrock_cost.exports, bedrock_cost.loads, bedrock_cost.load_files,
	bedrock_cost.load_totals, bedrock_cost.load_errors, bedrock_cost.line_items,
	bedrock_cost.line_items_history, bedrock_cost.usage_types, bedrock_cost.usage_summary,
	bedrock_cost.usage_summary_history, bedrock_cost.usage_period, bedrock_cost.usage_daily
	TO bedrock_cost_admin;

-- ------------------------------------------------------------------------
-- history, reconciliation, progress

-- the delivery of each export and period that an as-of answer reads
CREATE FUNCTION bedrock_cost.as_of_deliveries(p_load_id bigint)
RETURNS TABLE (export_id integer, billing_period date, load_id bigint, status text,
			   data_dropped_at timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT DISTINCT ON (l.export_id, l.billing_period)
		   l.export_id, l.billing_period, l.load_id, l.status, l.data_dropped_at
	  FROM bedrock_cost.loads l
	 WHERE l.load_id <= p_load_id AND l.status IN ('done', 'superseded')
	 ORDER BY l.export_id, l.billing_period, l.load_id DESC
$$;
COMMENT ON FUNCTION bedrock_cost.as_of_deliveries(bigint) IS
  'the deliveries line_items_as_of(p_load_id) reads: for each export and billing period the newest successful load with load_id <= p_load_id; data_dropped_at is set when bedrock_cost.history_retention dropped its rows, so the as-of answer lacks that period';

-- the WARNING of an as-of answer that lacks periods dropped by history_retention
CREATE FUNCTION bedrock_cost._as_of_warn_dropped(p_load_id bigint)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	dropped text;
BEGIN
	SELECT string_agg(format('load %s (export %s, billing period %s)', d.load_id, d.export_id,
							 d.billing_period), ', ' ORDER BY d.load_id)
	  INTO dropped
	  FROM bedrock_cost.as_of_deliveries(p_load_id) AS d
	 WHERE d.data_dropped_at IS NOT NULL;
	IF dropped IS NOT NULL THEN
		RAISE WARNING 'line items as of load % are incomplete: bedrock_cost.history_retention dropped the rows of %',
			p_load_id, dropped
			USING ERRCODE = '01000',
				  HINT = 'bedrock_cost.as_of_deliveries() lists the deliveries an as-of answer reads.';
	END IF;
END
$$;
COMMENT ON FUNCTION bedrock_cost._as_of_warn_dropped(bigint) IS
  'internal: the WARNING of the as-of functions when bedrock_cost.history_retention dropped a delivery they would read';

CREATE FUNCTION bedrock_cost.line_items_as_of(p_load_id bigint)
RETURNS SETOF bedrock_cost.line_items
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM bedrock_cost._as_of_warn_dropped(p_load_id);
	RETURN QUERY
		WITH visible AS (
			SELECT d.load_id FROM bedrock_cost.as_of_deliveries(p_load_id) AS d
			 WHERE d.data_dropped_at IS NULL
		)
		SELECT li.* FROM bedrock_cost.line_items li
		 WHERE li.load_id IN (SELECT v.load_id FROM visible v)
		UNION ALL
		SELECT h.* FROM bedrock_cost.line_items_history h
		 WHERE h.load_id IN (SELECT v.load_id FROM visible v);
END
$$;
COMMENT ON FUNCTION bedrock_cost.line_items_as_of(bigint) IS
  'line_items as they were right after load p_load_id: for each export and period, the rows of the newest successful delivery with load_id <= p_load_id (bedrock_cost.as_of_deliveries). When bedrock_cost.history_retention dropped one of those deliveries its period is missing and a WARNING names the dropped load ids';

CREATE FUNCTION bedrock_cost.usage_summary_as_of(p_load_id bigint)
RETURNS SETOF bedrock_cost.usage_summary
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM bedrock_cost._as_of_warn_dropped(p_load_id);
	RETURN QUERY
		WITH visible AS (
			SELECT d.load_id FROM bedrock_cost.as_of_deliveries(p_load_id) AS d
			 WHERE d.data_dropped_at IS NULL
		)
		SELECT s.* FROM bedrock_cost.usage_summary s
		 WHERE s.load_id IN (SELECT v.load_id FROM visible v)
		UNION ALL
		SELECT h.* FROM bedrock_cost.usage_summary_history h
		 WHERE h.load_id IN (SELECT v.load_id FROM visible v);
END
$$;
COMMENT ON FUNCTION bedrock_cost.usage_summary_as_of(bigint) IS
  'usage_summary as it was right after load p_load_id (the summaries of the deliveries line_items_as_of reads, from usage_summary and usage_summary_history): what the as-of chargeback functions read. A WARNING names the deliveries bedrock_cost.history_retention dropped';

CREATE VIEW bedrock_cost.current_loads AS
	SELECT l.*, e.path AS export
	  FROM bedrock_cost.loads l JOIN bedrock_cost.exports e USING (export_id)
	 WHERE l.status = 'done';
COMMENT ON VIEW bedrock_cost.current_loads IS
  'the delivery currently visible in line_items for each export and billing period';

CREATE VIEW bedrock_cost.reconciliation AS
	WITH current_load AS (
		SELECT c.billing_period, c.export_id, c.export, c.load_id,
			   c.loaded_via = 'client' AS totals_declared
		  FROM bedrock_cost.current_loads c
	), file AS (
		SELECT c.billing_period, c.export_id, t.line_item_type,
			   sum(t.rows) FILTER (WHERE t.is_bedrock) AS file_rows,
			   sum(t.unblended_cost) FILTER (WHERE t.is_bedrock) AS file_total,
			   sum(t.net_unblended_cost) FILTER (WHERE t.is_bedrock) AS file_net_total,
			   sum(t.rejected_rows) AS rejected_rows,
			   sum(t.rejected_unblended_cost) AS rejected_total,
			   sum(t.rows) FILTER (WHERE NOT t.is_bedrock) AS other_rows,
			   sum(t.unblended_cost) FILTER (WHERE NOT t.is_bedrock) AS other_total
		  FROM current_load c
		  JOIN bedrock_cost.load_totals t USING (load_id)
		 GROUP BY 1, 2, 3
	), loaded AS (
		SELECT li.billing_period, li.export_id, li.line_item_type,
			   count(*) AS loaded_rows, sum(li.unblended_cost) AS loaded_total,
			   sum(li.net_unblended_cost) AS loaded_net_total
		  FROM bedrock_cost.line_items li
		 GROUP BY 1, 2, 3
	)
	-- a full join: a line item type stored without a file total (or the
	-- reverse) shows as a difference, never as a missing row
	SELECT billing_period, export_id, c.export, c.load_id, line_item_type,
		   coalesce(f.file_rows, 0) AS file_rows,
		   coalesce(f.file_total, 0) AS file_total,
		   coalesce(ld.loaded_rows, 0) AS loaded_rows,
		   coalesce(ld.loaded_total, 0) AS loaded_total,
		   coalesce(f.file_total, 0) - coalesce(ld.loaded_total, 0) AS difference,
		   coalesce(f.file_net_total, 0) AS file_net_total,
		   coalesce(ld.loaded_net_total, 0) AS loaded_net_total,
		   coalesce(f.file_net_total, 0) - coalesce(ld.loaded_net_total, 0) AS net_difference,
		   coalesce(f.rejected_rows, 0) AS rejected_rows,
		   coalesce(f.rejected_total, 0) AS rejected_total,
		   coalesce(f.other_rows, 0) AS other_rows,
		   coalesce(f.other_total, 0) AS other_total,
		   coalesce(c.totals_declared, false) AS totals_declared
	  FROM file f
	  FULL JOIN loaded ld USING (billing_period, export_id, line_item_type)
	  LEFT JOIN current_load c USING (billing_period, export_id);
COMMENT ON VIEW bedrock_cost.reconciliation IS
  'per billing period, export and line item type of the current deliveries: Bedrock totals the reader summed from the files (file_total) against what line_items holds, counted by the database (loaded_total); difference is exactly 0 for a successful load. rejected_rows and rejected_total (the rejected rows whose cost is a number) and the non-Bedrock rows (other_rows, other_total) complete the file. totals_declared: the file totals were declared by bedrock-cost-load (files the server cannot see)';
COMMENT ON COLUMN bedrock_cost.reconciliation.difference IS 'file_total - loaded_total (unblended): 0 when every accepted Bedrock row landed exactly';
COMMENT ON COLUMN bedrock_cost.reconciliation.rejected_total IS 'unblended cost of the rejected rows whose cost is a number (file = file_total + rejected_total + other_total)';
COMMENT ON COLUMN bedrock_cost.reconciliation.totals_declared IS 'true when the file totals were declared by bedrock-cost-load: the server verified the stored rows against them, but cannot see the files';
COMMENT ON COLUMN bedrock_cost.reconciliation.net_difference IS 'file_net_total - loaded_net_total (net unblended; a total is 0 when no row has a net cost): 0 when every accepted Bedrock row landed exactly';

-- every backend's progress is visible only to superusers, pg_read_all_stats
-- and the backend's own role: this reads it as the owner, for the loader's
-- entries of this database only (load_id set) and only the figures below
CREATE FUNCTION bedrock_cost.load_progress_rows(
	OUT pid integer, OUT load_id bigint, OUT phase text, OUT file_no bigint,
	OUT files_total bigint, OUT bytes_read bigint, OUT bytes_total bigint,
	OUT percent numeric, OUT rows_read bigint, OUT rows_loaded bigint,
	OUT copy_bytes bigint, OUT query_start timestamptz)
RETURNS SETOF record
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT p.pid,
		   p.param20 AS load_id,
		   CASE p.param16 WHEN 1 THEN 'hashing files' WHEN 2 THEN 'copying'
				WHEN 3 THEN 'swapping' WHEN 4 THEN 'summarising' END AS phase,
		   p.param14 AS file_no,
		   p.param15 AS files_total,
		   p.param18 AS bytes_read,
		   p.param17 AS bytes_total,
		   CASE WHEN p.param17 > 0
				THEN pg_catalog.round(100.0 * p.param18 / p.param17, 1) END AS percent,
		   p.param19 AS rows_read,
		   p.param3 AS rows_loaded,
		   p.param1 AS copy_bytes,
		   a.query_start
	  FROM pg_catalog.pg_stat_get_progress_info('COPY') p
	  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = p.pid
	 WHERE p.param20 > 0
	   AND p.datid = (SELECT d.oid FROM pg_catalog.pg_database d
					   WHERE d.datname = pg_catalog.current_database())
$$;
COMMENT ON FUNCTION bedrock_cost.load_progress_rows() IS
  'the rows of bedrock_cost.load_progress: the loads running in this database, read with the owner''s right to see every backend''s progress (EXECUTE: bedrock_cost_admin)';

CREATE VIEW bedrock_cost.load_progress AS
	SELECT * FROM bedrock_cost.load_progress_rows();
COMMENT ON VIEW bedrock_cost.load_progress IS
  'loads running now (the delivery table is not visible to other sessions before commit, so this reads the COPY progress slots the loader fills): phase (hashing files of an execution seen before, copying, summarising: storing the chargeback summary, swapping), file_no of files_total, bytes_read of bytes_total compressed input and their percent, rows_read from the files, rows_loaded into the delivery table, copy_bytes of transformed rows fed to COPY';
GRANT SELECT ON bedrock_cost.current_loads, bedrock_cost.reconciliation,
	bedrock_cost.load_progress TO bedrock_cost_admin;
GRANT EXECUTE ON FUNCTION bedrock_cost.line_items_as_of(bigint),
	bedrock_cost.as_of_deliveries(bigint) TO bedrock_cost_admin;

-- from sql/install/42_keep_data.sql
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
	-- two first loads at once: one creates it, the other then sees it
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('bedrock_cost loaded_data', 0));
	IF pg_catalog.to_regclass('bedrock_cost.loaded_data') IS NOT NULL THEN
		RETURN NULL;
	END IF;
	CREATE VIEW bedrock_cost.loaded_data AS
		SELECT pg_catalog.count(*) FILTER (WHERE l.status = 'done') AS current_deliveries,
			   pg_catalog.count(*) AS ledger_rows
		  FROM bedrock_cost.loads AS l;
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

-- from sql/install/45_client_api.sql
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

-- from sql/install/50_worker.sql
/*
 * 50_worker.sql: registered exports, the worker's per-export and
 * per-delivery state, the status view and the SQL entry points of the
 * ingest background worker (src/ext/worker_launcher.c, worker_poll.c).
 */

-- the loader's exports table (40_loader.sql) gains the worker's registration
ALTER TABLE bedrock_cost.exports
  ADD COLUMN export_name text UNIQUE
    CONSTRAINT exports_name_check CHECK (export_name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$'),
  ADD COLUMN paused boolean NOT NULL DEFAULT false,
  ADD COLUMN registered_at timestamptz;
COMMENT ON COLUMN bedrock_cost.exports.export_name IS
  'name under which the folder is registered for the background worker (add_export); NULL: not followed by the worker';
COMMENT ON COLUMN bedrock_cost.exports.paused IS
  'true: the worker skips this export (pause_export / resume_export)';
COMMENT ON COLUMN bedrock_cost.exports.registered_at IS
  'when the export was registered with add_export';

CREATE TABLE bedrock_cost.export_state (
  export_id integer PRIMARY KEY
    REFERENCES bedrock_cost.exports (export_id) ON DELETE CASCADE,
  last_poll timestamptz,
  last_success timestamptz,
  scan_failures integer NOT NULL DEFAULT 0,
  scan_next_attempt timestamptz,
  last_error text,
  last_error_at timestamptz
);
COMMENT ON TABLE bedrock_cost.export_state IS
  'per-export state of the background worker: polls, successes and folder-level failures';
COMMENT ON COLUMN bedrock_cost.export_state.export_id IS 'the export (bedrock_cost.exports)';
COMMENT ON COLUMN bedrock_cost.export_state.last_poll IS 'when the export folder was last scanned';
COMMENT ON COLUMN bedrock_cost.export_state.last_success IS 'when a delivery of this export was last loaded';
COMMENT ON COLUMN bedrock_cost.export_state.scan_failures IS
  'consecutive failures to scan the export folder itself (missing, unreadable, outside the root)';
COMMENT ON COLUMN bedrock_cost.export_state.scan_next_attempt IS
  'after a scan failure, the folder is not scanned again before this time (exponential backoff)';
COMMENT ON COLUMN bedrock_cost.export_state.last_error IS 'last error of this export (scan or load)';
COMMENT ON COLUMN bedrock_cost.export_state.last_error_at IS 'when last_error happened';

CREATE TABLE bedrock_cost.export_deliveries (
  export_id integer NOT NULL
    REFERENCES bedrock_cost.exports (export_id) ON DELETE CASCADE,
  manifest text NOT NULL,
  billing_period date NOT NULL,
  execution_id text,
  fingerprint text NOT NULL,
  first_seen timestamptz NOT NULL,
  status text NOT NULL
    CONSTRAINT export_deliveries_status_check
    CHECK (status IN ('incomplete', 'settling', 'loaded', 'failed')),
  detail text,
  failures integer NOT NULL DEFAULT 0,
  next_attempt timestamptz,
  last_error text,
  last_attempt timestamptz,
  loaded_at timestamptz,
  load_id bigint,
  rows_loaded bigint,
  loading_since timestamptz,
  loading_pid integer,
  PRIMARY KEY (export_id, manifest)
);
COMMENT ON TABLE bedrock_cost.export_deliveries IS
  'deliveries (one manifest each, per billing period) the worker has seen in each export folder';
COMMENT ON COLUMN bedrock_cost.export_deliveries.export_id IS 'the export (bedrock_cost.exports)';
COMMENT ON COLUMN bedrock_cost.export_deliveries.manifest IS
  'manifest file, relative to the export folder (metadata/BILLING_PERIOD=YYYY-MM/...-Manifest.json)';
COMMENT ON COLUMN bedrock_cost.export_deliveries.billing_period IS
  'billing period (first day of the month) from the BILLING_PERIOD=YYYY-MM folder';
COMMENT ON COLUMN bedrock_cost.export_deliveries.execution_id IS 'executionId of the manifest';
COMMENT ON COLUMN bedrock_cost.export_deliveries.fingerprint IS
  'hash of the size and modification time of the manifest and every file it lists';
COMMENT ON COLUMN bedrock_cost.export_deliveries.first_seen IS
  'when the worker first saw this fingerprint; a delivery is loaded once its fingerprint is unchanged on a later poll';
COMMENT ON COLUMN bedrock_cost.export_deliveries.status IS
  'incomplete (a listed file is missing), settling (complete, waiting one poll for files to stop changing), loaded, failed';
COMMENT ON COLUMN bedrock_cost.export_deliveries.detail IS 'why the delivery is incomplete';
COMMENT ON COLUMN bedrock_cost.export_deliveries.failures IS 'consecutive failed load attempts of this fingerprint';
COMMENT ON COLUMN bedrock_cost.export_deliveries.next_attempt IS 'a failed delivery is retried at or after this time';
COMMENT ON COLUMN bedrock_cost.export_deliveries.last_error IS 'error of the last failed attempt';
COMMENT ON COLUMN bedrock_cost.export_deliveries.last_attempt IS 'when a load of this delivery was last attempted';
COMMENT ON COLUMN bedrock_cost.export_deliveries.loaded_at IS 'when this fingerprint was loaded';
COMMENT ON COLUMN bedrock_cost.export_deliveries.load_id IS 'the ledger row (bedrock_cost.loads) of the load, or of the earlier load when the loader found it already loaded';
COMMENT ON COLUMN bedrock_cost.export_deliveries.rows_loaded IS 'rows the load stored in line_items';
COMMENT ON COLUMN bedrock_cost.export_deliveries.loading_since IS
  'set (committed) just before a load starts, cleared when its outcome is recorded; a marker whose process is gone means the load was interrupted (crash, kill, shutdown): that counts as a failed attempt';
COMMENT ON COLUMN bedrock_cost.export_deliveries.loading_pid IS 'process that set loading_since';

-- the state tables are the worker's; users read them through export_status
REVOKE ALL ON bedrock_cost.export_state, bedrock_cost.export_deliveries FROM PUBLIC;

-- dumped by pg_dump with the ledger (see 40_loader.sql)
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.export_state', '');
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.export_deliveries', '');

CREATE FUNCTION bedrock_cost.export_abspath(path text)
RETURNS text
LANGUAGE C STRICT VOLATILE
AS 'MODULE_PATHNAME', 'bedrock_cost_export_abspath';
COMMENT ON FUNCTION bedrock_cost.export_abspath(text) IS
  'the absolute, symlink-free path of an export folder given relative to bedrock_cost.export_root or absolute under it; refuses paths (and symbolic links) leading outside the root';

CREATE FUNCTION bedrock_cost.add_export(name text, path text)
RETURNS bedrock_cost.exports
LANGUAGE plpgsql STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  p text := bedrock_cost.export_abspath(path);
  r bedrock_cost.exports;
BEGIN
  IF EXISTS (SELECT 1 FROM bedrock_cost.exports e WHERE e.export_name = name) THEN
    RAISE EXCEPTION 'export "%" already exists', name
      USING ERRCODE = 'duplicate_object';
  END IF;
  SELECT * INTO r FROM bedrock_cost.exports e WHERE e.path = p FOR UPDATE;
  IF FOUND AND r.export_name IS NOT NULL THEN
    RAISE EXCEPTION 'export folder "%" is already registered as "%"', p, r.export_name
      USING ERRCODE = 'duplicate_object';
  ELSIF FOUND THEN
    -- a folder loaded by hand before: keep its export_id and ledger
    UPDATE bedrock_cost.exports e SET export_name = name, paused = false,
           registered_at = pg_catalog.now()
     WHERE e.export_id = r.export_id RETURNING * INTO r;
  ELSE
    INSERT INTO bedrock_cost.exports (path, export_name, registered_at)
    VALUES (p, name, pg_catalog.now()) RETURNING * INTO r;
  END IF;
  INSERT INTO bedrock_cost.export_state (export_id) VALUES (r.export_id)
  ON CONFLICT (export_id) DO NOTHING;
  RETURN r;
END
$$;
COMMENT ON FUNCTION bedrock_cost.add_export(text, text) IS
  'registers an export folder (relative to bedrock_cost.export_root, or absolute under it) for the background worker';

CREATE FUNCTION bedrock_cost.remove_export(name text)
RETURNS boolean
LANGUAGE plpgsql STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  id integer;
BEGIN
  -- wait for a poll of this export in progress (see resume_export)
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('bedrock_cost export'), e.export_id)
     FROM bedrock_cost.exports e WHERE e.export_name = name;
  UPDATE bedrock_cost.exports e SET export_name = NULL, paused = false, registered_at = NULL
   WHERE e.export_name = name RETURNING e.export_id INTO id;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  DELETE FROM bedrock_cost.export_state s WHERE s.export_id = id;
  DELETE FROM bedrock_cost.export_deliveries d WHERE d.export_id = id;
  RETURN true;
END
$$;
COMMENT ON FUNCTION bedrock_cost.remove_export(text) IS
  'stops the worker following an export and forgets its worker state; loaded data and the load ledger stay; false when no such export';

CREATE FUNCTION bedrock_cost.pause_export(name text)
RETURNS boolean
LANGUAGE sql STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
  -- wait for a poll of this export in progress (see resume_export)
  SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('bedrock_cost export'), e.export_id)
    FROM bedrock_cost.exports e WHERE e.export_name = name;
  WITH u AS (UPDATE bedrock_cost.exports e SET paused = true
             WHERE e.export_name = name RETURNING 1)
  SELECT count(*) > 0 FROM u
$$;
COMMENT ON FUNCTION bedrock_cost.pause_export(text) IS
  'stops the worker from scanning and loading an export (waiting for a poll of it in progress); false when no such export';

CREATE FUNCTION bedrock_cost.resume_export(name text)
RETURNS boolean
LANGUAGE sql STRICT VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
  -- take the export's poll lock first, as the worker does, so this waits
  -- for a poll (and its load) in progress instead of locking rows in the
  -- other order than the worker and deadlocking with it
  SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('bedrock_cost export'), e.export_id)
    FROM bedrock_cost.exports e WHERE e.export_name = name;
  WITH u AS (UPDATE bedrock_cost.exports e SET paused = false
             WHERE e.export_name = name RETURNING e.export_id),
       s AS (UPDATE bedrock_cost.export_state st SET scan_next_attempt = NULL
             WHERE st.export_id IN (SELECT export_id FROM u)),
       d AS (UPDATE bedrock_cost.export_deliveries dl SET next_attempt = NULL
             WHERE dl.export_id IN (SELECT export_id FROM u) AND dl.status = 'failed')
  SELECT count(*) > 0 FROM u
$$;
COMMENT ON FUNCTION bedrock_cost.resume_export(text) IS
  'resumes a paused export and clears its retry backoff, so the next poll retries failed deliveries (waiting for a poll of it in progress); false when no such export';

CREATE FUNCTION bedrock_cost.poll_now()
RETURNS integer
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'bedrock_cost_poll_now';
COMMENT ON FUNCTION bedrock_cost.poll_now() IS
  'runs one poll of every registered export in the calling session, as the background worker does; returns the number of deliveries loaded';

REVOKE ALL ON FUNCTION bedrock_cost.export_abspath(text), bedrock_cost.add_export(text, text),
  bedrock_cost.remove_export(text), bedrock_cost.pause_export(text),
  bedrock_cost.resume_export(text), bedrock_cost.poll_now() FROM PUBLIC;

-- the stale-load fix the launcher runs at start: the ledger is written by the
-- loader only, so the worker role gets this function, not UPDATE on loads
CREATE FUNCTION bedrock_cost._fix_stale_loads()
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH f AS (
    UPDATE bedrock_cost.loads l SET status = 'failed', finished_at = pg_catalog.clock_timestamp(),
           error = 'interrupted: the loading process ended before its transaction committed'
     WHERE l.status OPERATOR(pg_catalog.=) 'running'
    RETURNING 1)
  SELECT pg_catalog.count(*) FROM f
$$;
COMMENT ON FUNCTION bedrock_cost._fix_stale_loads() IS
  'internal: marks failed the ledger rows a crashed or killed loader left ''running'' (the loader writes ''running'' only inside its transaction, so no live load is touched); run by the background worker when it starts; returns how many (EXECUTE: bedrock_cost_worker)';
REVOKE ALL ON FUNCTION bedrock_cost._fix_stale_loads() FROM PUBLIC;

CREATE VIEW bedrock_cost.export_status AS
SELECT e.export_name,
       e.export_id,
       e.path,
       e.paused,
       s.last_poll,
       s.last_success,
       ld.billing_period AS last_loaded_period,
       ld.execution_id AS last_loaded_execution_id,
       ld.loaded_at AS last_loaded_at,
       COALESCE(pd.waiting, 0)::integer AS pending_deliveries,
       pd.loading_since,
       CASE WHEN pd.oldest IS NULL THEN interval '0' ELSE now() - pd.oldest END AS lag,
       (s.scan_failures + COALESCE(fd.failures, 0))::integer AS failures,
       COALESCE(fd.failed, 0)::integer AS failed_deliveries,
       CASE WHEN s.scan_next_attempt IS NULL THEN fd.next_attempt
            WHEN fd.next_attempt IS NULL THEN s.scan_next_attempt
            ELSE least(s.scan_next_attempt, fd.next_attempt) END AS next_attempt,
       s.last_error,
       s.last_error_at
FROM bedrock_cost.exports e
LEFT JOIN bedrock_cost.export_state s USING (export_id)
LEFT JOIN LATERAL (
  SELECT d.billing_period, d.execution_id, d.loaded_at
  FROM bedrock_cost.export_deliveries d
  WHERE d.export_id = e.export_id AND d.loaded_at IS NOT NULL
  ORDER BY d.loaded_at DESC, d.billing_period DESC
  LIMIT 1) ld ON true
LEFT JOIN LATERAL (
  SELECT count(*) AS waiting, min(d.first_seen) AS oldest, min(d.loading_since) AS loading_since
  FROM bedrock_cost.export_deliveries d
  WHERE d.export_id = e.export_id AND d.status <> 'loaded') pd ON true
LEFT JOIN LATERAL (
  SELECT count(*) AS failed, sum(d.failures) AS failures, min(d.next_attempt) AS next_attempt
  FROM bedrock_cost.export_deliveries d
  WHERE d.export_id = e.export_id AND d.status = 'failed') fd ON true
WHERE e.export_name IS NOT NULL;
COMMENT ON VIEW bedrock_cost.export_status IS
  'one row per export registered with add_export: last poll, last delivery loaded, lag, failures, next retry, last error';
COMMENT ON COLUMN bedrock_cost.export_status.export_name IS 'the export';
COMMENT ON COLUMN bedrock_cost.export_status.export_id IS 'the export in bedrock_cost.exports and the load ledger';
COMMENT ON COLUMN bedrock_cost.export_status.path IS 'absolute path of the export folder';
COMMENT ON COLUMN bedrock_cost.export_status.paused IS 'true when paused with pause_export()';
COMMENT ON COLUMN bedrock_cost.export_status.last_poll IS 'when the folder was last scanned';
COMMENT ON COLUMN bedrock_cost.export_status.last_success IS 'when a delivery was last loaded';
COMMENT ON COLUMN bedrock_cost.export_status.last_loaded_period IS 'billing period of the delivery loaded last';
COMMENT ON COLUMN bedrock_cost.export_status.last_loaded_execution_id IS 'manifest executionId of the delivery loaded last';
COMMENT ON COLUMN bedrock_cost.export_status.last_loaded_at IS 'when that delivery was loaded';
COMMENT ON COLUMN bedrock_cost.export_status.pending_deliveries IS
  'deliveries seen on disk but not loaded yet (incomplete, settling or failed)';
COMMENT ON COLUMN bedrock_cost.export_status.loading_since IS
  'when the load running now started (NULL when none is running)';
COMMENT ON COLUMN bedrock_cost.export_status.lag IS
  'how long the oldest pending delivery has been waiting; 0 when every delivery on disk is loaded';
COMMENT ON COLUMN bedrock_cost.export_status.failures IS
  'consecutive failed attempts (folder scans plus loads of currently failing deliveries)';
COMMENT ON COLUMN bedrock_cost.export_status.failed_deliveries IS 'deliveries whose last load attempt failed';
COMMENT ON COLUMN bedrock_cost.export_status.next_attempt IS 'earliest retry of a failure (exponential backoff)';
COMMENT ON COLUMN bedrock_cost.export_status.last_error IS 'last error (scan or load) of this export';
COMMENT ON COLUMN bedrock_cost.export_status.last_error_at IS 'when last_error happened';

-- from sql/install/60_chargeback.sql
/*
 * 60_chargeback.sql: chargeback tables maintained per billing period,
 * allocation of account-level rows, reconciliation, as-of chargeback and the
 * refresh entry point called by the loader and the background worker.
 *
 * The chargeback reads bedrock_cost.usage_summary and usage_period
 * (40_loader.sql), the per-delivery sums the loader stores and swaps in with
 * each delivery's line items (per usage day, and the same over the period),
 * never line_items itself.  Every chargeback relation is per billing
 * period (billing_period is part of its grain), so it is a plain table
 * maintained per period rather than a materialized view: a materialized view
 * can only be recomputed whole, and a refresh would then cost in proportion
 * to the whole history.  refresh_chargeback() recomputes only the periods
 * whose current deliveries changed since the last refresh (chargeback_state):
 * it deletes their rows and inserts them again from _<table>_rows(periods),
 * in the caller's transaction, so readers keep the old rows until commit and
 * are never blocked (what REFRESH ... CONCURRENTLY gave, without the whole
 * recomputation).  A change of an export's name or path recomputes its
 * periods; a change of the cost basis, of the model aliases or of the
 * extension version recomputes every period.
 *
 * Layers (each table has a unique index on its grain), computed in this
 * order by refresh_chargeback():
 *   chargeback_base          the period summary per period, export, accounts,
 *                            line item type, principal, principal tags and
 *                            usage type (small: no per-line detail)
 *   chargeback_usage_types   the usage types of chargeback_base, parsed once
 *                            (not per period: kept exact at every refresh)
 *   chargeback_by_principal  per principal (plus unattributed and
 *                            account-level lines), from chargeback_base
 *   chargeback_by_tag        per tags-map key (iamPrincipal/, resourceTags/,
 *                            accountTag/, ...) and value, with an
 *                            explicit (untagged) bucket per key
 *   usage_by_model           per model, token kind, tier, routing, region
 *   chargeback_by_resource   per usage account, resource (inference profile)
 *                            and model
 *   team_model_mix           per tags-map key and value, vendor and model,
 *                            with the model's share of the team's cost
 *   usage_profile            per principal and per tag value: token mix,
 *                            ratios, dominant model, workload label
 *   chargeback_daily         per usage day, principal and model, cost and
 *                            tokens per token kind (from usage_daily, the
 *                            model-day summary, not from chargeback_base)
 *   spikes                   principal x model x token kind x day far above
 *                            the median of its 14 days before
 *   chargeback_allocated     account-level rows spread pro rata over all
 *                            the usage of the account (attributed and
 *                            unattributed), largest remainder to the cent
 * Plain views: reconciliation (the loader's, extended) and the FOCUS
 * 1.2-shaped focus_bedrock.
 *
 * Every view but chargeback_base's internal companion carries export_id,
 * export_name and export (the path), so the same bill loaded from two
 * export folders shows as two exports instead of silently adding up.
 *
 * Every query is written once, as a template over a row source
 * (_chargeback_table): the table and its _rows(periods) function come from
 * it, and the queries of chargeback_base and chargeback_by_principal also
 * give the as-of functions, over usage_summary_as_of(load_id), which report
 * in the cost basis recorded on that load.
 *
 * IDENTIFICATION
 *		sql/install/60_chargeback.sql
 */

-- ------------------------------------------------------------------------
-- settings

CREATE TABLE bedrock_cost.chargeback_settings (
	singleton	boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	cost_basis	text NOT NULL DEFAULT 'unblended'
		CHECK (cost_basis IN ('unblended', 'net_unblended')),
	spike_factor	numeric NOT NULL DEFAULT 3 CHECK (spike_factor >= 1),
	spike_min_cost	numeric NOT NULL DEFAULT 10 CHECK (spike_min_cost >= 0),
	spike_min_tokens numeric NOT NULL DEFAULT 10000000 CHECK (spike_min_tokens >= 0)
);
-- No seed row: a row is a user's choice, so pg_dump keeps it and a restore
-- (which reruns this script) cannot collide with a seeded copy of it.
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.chargeback_settings', '');
COMMENT ON TABLE bedrock_cost.chargeback_settings IS
  'chargeback configuration (at most one row; none means the defaults); set with bedrock_cost.set_cost_basis(); takes effect at the next bedrock_cost.refresh_chargeback()';
COMMENT ON COLUMN bedrock_cost.chargeback_settings.singleton IS 'always true: the table has at most one row';
COMMENT ON COLUMN bedrock_cost.chargeback_settings.cost_basis IS
  'what the column cost of the chargeback views sums: unblended (line_item_unblended_cost, the default, what AWS''s own Bedrock chargeback examples use) or net_unblended (line_item_net_unblended_cost where the row has it, else the unblended cost: discounts passed on)';

COMMENT ON COLUMN bedrock_cost.chargeback_settings.spike_factor IS
  'a day is a spike when its cost (or tokens) exceeds spike_factor times the median of the 14 days before it (default 3); set with bedrock_cost.set_spike_thresholds()';
COMMENT ON COLUMN bedrock_cost.chargeback_settings.spike_min_cost IS
  'and the day''s cost is at least this many USD (default 10): small amounts are never spikes';
COMMENT ON COLUMN bedrock_cost.chargeback_settings.spike_min_tokens IS
  'for a spike in tokens: the day''s tokens are at least this many (default 10,000,000)';

CREATE VIEW bedrock_cost.spike_settings AS
SELECT coalesce((SELECT s.spike_factor FROM bedrock_cost.chargeback_settings AS s), 3) AS factor,
	   coalesce((SELECT s.spike_min_cost FROM bedrock_cost.chargeback_settings AS s), 10) AS min_cost,
	   coalesce((SELECT s.spike_min_tokens FROM bedrock_cost.chargeback_settings AS s), 10000000) AS min_tokens;
COMMENT ON VIEW bedrock_cost.spike_settings IS
  'the spike thresholds in force (chargeback_settings, or the defaults 3, 10 USD and 10,000,000 tokens when no setting was made)';
COMMENT ON COLUMN bedrock_cost.spike_settings.factor IS 'k: a spike exceeds k times its trailing 14-day median';
COMMENT ON COLUMN bedrock_cost.spike_settings.min_cost IS 'the least cost of a day that is a spike in cost, USD';
COMMENT ON COLUMN bedrock_cost.spike_settings.min_tokens IS 'the least tokens of a day that is a spike in tokens';

CREATE FUNCTION bedrock_cost.set_spike_thresholds(factor numeric, min_cost numeric, min_tokens numeric)
RETURNS void
LANGUAGE sql VOLATILE STRICT
AS $$
	INSERT INTO bedrock_cost.chargeback_settings AS s (singleton, spike_factor, spike_min_cost, spike_min_tokens)
	VALUES (true, $1, $2, $3)
	ON CONFLICT (singleton) DO UPDATE
	   SET spike_factor = excluded.spike_factor, spike_min_cost = excluded.spike_min_cost,
		   spike_min_tokens = excluded.spike_min_tokens
$$;
COMMENT ON FUNCTION bedrock_cost.set_spike_thresholds(numeric, numeric, numeric) IS
  'sets the spike thresholds (factor k, least cost in USD, least tokens); takes effect at the next refresh_chargeback(), which then recomputes every period';

CREATE VIEW bedrock_cost.chargeback_basis AS
SELECT coalesce((SELECT cost_basis FROM bedrock_cost.chargeback_settings), 'unblended') AS cost_basis;
COMMENT ON VIEW bedrock_cost.chargeback_basis IS
  'the cost basis in force: chargeback_settings.cost_basis, or unblended when no setting was made';
COMMENT ON COLUMN bedrock_cost.chargeback_basis.cost_basis IS 'unblended or net_unblended';

-- every delivery records the basis in force when it was loaded, for the as-of
-- functions (the loader refreshes the chargeback in the loading transaction)
CREATE FUNCTION bedrock_cost._cost_basis_now()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT b.cost_basis FROM bedrock_cost.chargeback_basis AS b $$;
COMMENT ON FUNCTION bedrock_cost._cost_basis_now() IS
  'internal: the cost basis in force (bedrock_cost.chargeback_basis), the default of loads.cost_basis';
REVOKE ALL ON FUNCTION bedrock_cost._cost_basis_now() FROM PUBLIC;

ALTER TABLE bedrock_cost.loads
  ADD COLUMN cost_basis text DEFAULT bedrock_cost._cost_basis_now()
	CONSTRAINT loads_cost_basis_check CHECK (cost_basis IN ('unblended', 'net_unblended'));
COMMENT ON COLUMN bedrock_cost.loads.cost_basis IS
  'the chargeback cost basis in force when the delivery was recorded; the as-of functions report in it';

CREATE FUNCTION bedrock_cost.set_cost_basis(basis text)
RETURNS text
LANGUAGE sql VOLATILE STRICT
AS $$
	INSERT INTO bedrock_cost.chargeback_settings AS s (singleton, cost_basis) VALUES (true, basis)
	ON CONFLICT (singleton) DO UPDATE SET cost_basis = excluded.cost_basis
	RETURNING s.cost_basis
$$;
COMMENT ON FUNCTION bedrock_cost.set_cost_basis(text) IS
  'sets what the cost column of the chargeback views sums (unblended or net_unblended); takes effect at the next refresh_chargeback()';

-- which line item types are usage (charged to the caller); the rest is
-- account-level.  Not STRICT (NULL gives NULL all the same): a STRICT SQL
-- function whose body has an IN list is not inlined, and the refresh called
-- it once per chargeback_base row in four tables
CREATE FUNCTION bedrock_cost.is_usage_line_item_type(line_item_type text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT $1 IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') $$;
COMMENT ON FUNCTION bedrock_cost.is_usage_line_item_type(text) IS
  'true for the line item types that are usage and chargeable to the caller (Usage, DiscountedUsage, SavingsPlanCoveredUsage); Tax, Credit, Refund, discounts, fees are account-level';

-- attributed / unattributed / account_level of a row
CREATE FUNCTION bedrock_cost.attribution(principal_arn text, line_item_type text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN $1 IS NOT NULL THEN 'attributed'
				WHEN bedrock_cost.is_usage_line_item_type($2) THEN 'unattributed'
				ELSE 'account_level' END
$$;
COMMENT ON FUNCTION bedrock_cost.attribution(text, text) IS
  'attributed (the row names an IAM principal), unattributed (usage without a principal) or account_level (Tax, Credit, Refund, discounts, fees without a principal)';

-- the iamPrincipal/<key> entries of a tags map
CREATE FUNCTION bedrock_cost.principal_tags(tags jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT coalesce(pg_catalog.jsonb_object_agg(t.key, t.value), '{}'::jsonb)
	  FROM pg_catalog.jsonb_each($1) AS t
	 WHERE t.key LIKE 'iamPrincipal/%'
$$;
COMMENT ON FUNCTION bedrock_cost.principal_tags(jsonb) IS
  'the iamPrincipal/<key> entries (IAM principal and session tags) of a CUR 2.0 tags map, as a jsonb object ({} when none)';

-- the source and the name of a tags-map key: iamPrincipal/team -> iamPrincipal, team
CREATE FUNCTION bedrock_cost.tag_source(tag_key text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT CASE WHEN pg_catalog.strpos($1, '/') > 0 THEN pg_catalog.split_part($1, '/', 1) ELSE '' END
$$;
COMMENT ON FUNCTION bedrock_cost.tag_source(text) IS
  'the source prefix of a CUR 2.0 tags-map key, before its first /: iamPrincipal, resourceTags, accountTag, userAttribute or costCategory (empty for a key without a prefix)';

CREATE FUNCTION bedrock_cost.tag_name(tag_key text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT pg_catalog.substr($1, pg_catalog.strpos($1, '/') + 1)
$$;
COMMENT ON FUNCTION bedrock_cost.tag_name(text) IS
  'a CUR 2.0 tags-map key without its source prefix: iamPrincipal/team -> team, resourceTags/user:project -> user:project, accountTag/department -> department';

-- one team per line item when several sources name it: the documented precedence
CREATE FUNCTION bedrock_cost.tag_value(tags jsonb, name text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT coalesce($1 ->> ('iamPrincipal/' || $2),
					$1 ->> ('resourceTags/user:' || $2),
					$1 ->> ('resourceTags/' || $2),
					$1 ->> ('accountTag/' || $2),
					$1 ->> ('userAttribute/' || $2),
					$1 ->> ('costCategory/' || $2))
$$;
COMMENT ON FUNCTION bedrock_cost.tag_value(jsonb, text) IS
  'the value a tags map gives the tag name, when several sources name it: the principal (or session) tag iamPrincipal/<name> wins, then the resource tag resourceTags/user:<name> (or resourceTags/<name>), then the account tag accountTag/<name>, the Identity Center attribute userAttribute/<name>, the cost category costCategory/<name>; NULL when none. The chargeback views never merge sources: each full key is its own dimension';

-- ------------------------------------------------------------------------
-- the chargeback tables: each is defined once, by a query over a row source
-- (%1$s), and gets two things from it: the table (its columns and types from
-- the query over the whole source) and _<table>_rows(periods), the same query
-- over the rows of those billing periods only, which refresh_chargeback()
-- inserts after deleting the periods' old rows.  Install-time only.

CREATE FUNCTION bedrock_cost._chargeback_table(rel text, source text, q text, settings text DEFAULT '')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fn text := '_' || rel || '_rows';
	only_periods text := 'src.billing_period = ANY ($1)';
BEGIN
	IF (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = source::regclass) = 'p' THEN
		-- a partitioned source is read in its periods' partitions only:
		-- PostgreSQL prunes no partition for = ANY of an array parameter,
		-- but does for bounds computed once (at 12 months held, reading the
		-- 11 others was a tenth of a period's refresh)
		only_periods := only_periods
			|| ' AND src.billing_period >= (SELECT pg_catalog.min(x.p) FROM pg_catalog.unnest($1) AS x(p))'
			|| ' AND src.billing_period <= (SELECT pg_catalog.max(x.p) FROM pg_catalog.unnest($1) AS x(p))';
	END IF;
	EXECUTE format('CREATE TABLE bedrock_cost.%I AS %s WITH NO DATA', rel, format(q, source));
	EXECUTE format('CREATE FUNCTION bedrock_cost.%I(periods date[]) RETURNS SETOF bedrock_cost.%I '
				   'LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp %s AS %L',
				   fn, rel, settings,
				   format(q, format('(SELECT * FROM %s AS src WHERE %s)', source, only_periods)));
	EXECUTE format('COMMENT ON FUNCTION bedrock_cost.%I(date[]) IS %L', fn,
				   'internal: the rows of bedrock_cost.' || rel || ' for the given billing periods, computed from '
				   || source || ' (bedrock_cost.refresh_chargeback)');
	EXECUTE format('REVOKE ALL ON FUNCTION bedrock_cost.%I(date[]) FROM PUBLIC', fn);
END
$$;

-- ------------------------------------------------------------------------
-- base and per-principal: one template each, for the tables and the as-of functions

DO $do$
DECLARE
	-- the grain of chargeback_base, as columns of li
	base_keys text := 'li.billing_period, li.export_id, li.payer_account_id, li.usage_account_id, '
		'li.line_item_type, li.principal, li.tags, li.usage_type, li.product_name, li.resource_id, '
		'li.payer_account_name, li.usage_account_name';
	-- per_line of base_q: the rows of %1$s (a row source with the columns of
	-- usage_period) summed per key, for usage_summary's rows (one per day);
	-- usage_period has one row per key already (one delivery per period and
	-- export, and the unique index on chargeback_base would refuse a second),
	-- so the table reads it as it is: summing it again cost a quarter of the
	-- table's refresh
	per_line_summed text := 'SELECT ' || base_keys || ', sum(li.line_items)::bigint AS line_items, '
		'sum(li.unblended_cost) AS unblended_cost, sum(li.net_unblended_cost) AS net_unblended_cost, '
		'sum(li.net_rows)::bigint AS net_rows, sum(li.tokens) AS tokens, sum(li.usage_amount) AS usage_amount '
		'FROM %1$s AS li GROUP BY ' || base_keys;
	per_line_as_is text := 'SELECT ' || base_keys || ', li.line_items, li.unblended_cost, '
		'li.net_unblended_cost, li.net_rows, li.tokens, li.usage_amount FROM %1$s AS li';
	-- %s: per_line
	base_q text := $q$
	WITH per_line AS (
		%s
	), tag_map AS MATERIALIZED (
		-- the principal tags of each distinct tags map, computed once; they
		-- are a function of the map, so joining them adds no group
		SELECT t.tags, bedrock_cost.principal_tags(t.tags) AS principal_tags
		  FROM (SELECT DISTINCT tags FROM per_line) AS t
	)
	SELECT p.billing_period, p.export_id, p.payer_account_id, p.usage_account_id,
		   p.line_item_type, p.principal::text AS principal_arn,
		   m.principal_tags, p.tags, p.usage_type, p.product_name,
		   p.resource_id, p.payer_account_name, p.usage_account_name,
		   p.line_items, p.unblended_cost, p.net_unblended_cost, p.net_rows, p.tokens, p.usage_amount
	  FROM per_line p
	  JOIN tag_map m ON m.tags = p.tags
	$q$;
	-- %1$s: row source with the columns of chargeback_base; %2$s: join giving u,
	-- the parts of b.usage_type; %3$s: relation giving the cost_basis to report in;
	-- %4$s: the ORDER BY of the as-of function (the table's rows need none: an
	-- ORDER BY made the planner aggregate by sorting)
	principal_q text := $q$
	WITH g AS (
		SELECT b.billing_period, b.export_id, b.payer_account_id, b.usage_account_id, b.line_item_type,
			   b.principal_arn, b.principal_tags,
			   -- an account's name as billed (the greatest, if it was renamed within the period)
			   max(b.payer_account_name) AS payer_account_name,
			   max(b.usage_account_name) AS usage_account_name,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind IN ('input', 'output', 'cache_read', 'cache_write')) AS total_tokens,
			   sum(b.line_items)::bigint AS line_items
		  FROM %1$s AS b
		  %2$s
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	)
	SELECT g.billing_period, g.export_id, e.export_name, e.path AS export,
		   g.payer_account_id, g.usage_account_id, g.payer_account_name, g.usage_account_name,
		   bedrock_cost.attribution(g.principal_arn, g.line_item_type) AS attribution,
		   g.line_item_type,
		   g.principal_arn::bedrock_cost.iam_arn AS principal,
		   g.principal_arn,
		   bedrock_cost.principal_type(g.principal_arn::bedrock_cost.iam_arn) AS principal_type,
		   bedrock_cost.account_id(g.principal_arn::bedrock_cost.iam_arn) AS principal_account_id,
		   bedrock_cost.role_arn(g.principal_arn::bedrock_cost.iam_arn)::text AS role_arn,
		   bedrock_cost.role_name(g.principal_arn::bedrock_cost.iam_arn) AS role_name,
		   bedrock_cost.person(g.principal_arn::bedrock_cost.iam_arn) AS person,
		   coalesce(bedrock_cost.is_bedrock_api_key(g.principal_arn::bedrock_cost.iam_arn), false) AS is_api_key,
		   g.principal_tags,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
				ELSE g.unblended_cost END AS cost,
		   s.cost_basis,
		   g.unblended_cost, g.net_unblended_cost,
		   coalesce(g.input_tokens, 0) AS input_tokens,
		   coalesce(g.output_tokens, 0) AS output_tokens,
		   coalesce(g.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(g.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(g.total_tokens, 0) AS total_tokens,
		   g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN %3$s AS s
	 %4$s
	$q$;
BEGIN
	-- the summary rows of a delivery swapped in by the same transaction have
	-- no statistics yet, and the planner then sorts them on twelve keys in
	-- parallel workers, twice as slow as hashing (the as-of functions' sums,
	-- the distinct tags maps)
	PERFORM bedrock_cost._chargeback_table('chargeback_base', 'bedrock_cost.usage_period',
										   format(base_q, per_line_as_is), 'SET enable_sort = off');
	EXECUTE 'CREATE FUNCTION bedrock_cost.chargeback_base_as_of(load_id bigint) '
		|| 'RETURNS SETOF bedrock_cost.chargeback_base LANGUAGE sql STABLE AS $f$'
		|| format(format(base_q, per_line_summed), 'bedrock_cost.usage_summary_as_of($1)') || '$f$';
	-- the usage types of chargeback_base, each parsed once
	PERFORM bedrock_cost._chargeback_table('chargeback_usage_types', 'bedrock_cost.chargeback_base', $v$
		SELECT t.usage_type, t.product_name, coalesce(t.product_name, '') AS product_name_key,
			   u.model, u.model_key, u.token_kind, u.tier, u.routing, u.region, u.recognized,
			   -- a model's vendor; Bedrock's own features bill no model (aws)
			   CASE WHEN u.model IS NOT NULL THEN coalesce(bedrock_cost.model_vendor(u.model), 'unknown')
					WHEN u.recognized THEN 'aws' ELSE 'unknown' END AS vendor
		  FROM (SELECT DISTINCT b.usage_type, b.product_name FROM %1$s AS b) AS t,
			   LATERAL bedrock_cost.parse_usage_type(t.usage_type, t.product_name) AS u
	$v$);
	-- %1$s stays a placeholder for _chargeback_table
	PERFORM bedrock_cost._chargeback_table('chargeback_by_principal', 'bedrock_cost.chargeback_base',
		format(principal_q, '%1$s',
			   'LEFT JOIN bedrock_cost.chargeback_usage_types AS u ON u.usage_type = b.usage_type '
			   'AND u.product_name_key = coalesce(b.product_name, '''')',
			   'bedrock_cost.chargeback_basis', ''),
		'SET enable_sort = off');
	EXECUTE 'CREATE FUNCTION bedrock_cost.chargeback_by_principal_as_of(load_id bigint) '
		|| 'RETURNS SETOF bedrock_cost.chargeback_by_principal LANGUAGE sql STABLE AS $f$'
		|| format(principal_q, 'bedrock_cost.chargeback_base_as_of($1)',
				  'LEFT JOIN LATERAL bedrock_cost.parse_usage_type(b.usage_type, b.product_name) AS u ON true',
				  -- the basis recorded on that load (the current one for an unknown load id)
				  '(SELECT coalesce((SELECT l.cost_basis FROM bedrock_cost.loads AS l WHERE l.load_id = $1), '
				  'c.cost_basis) AS cost_basis FROM bedrock_cost.chargeback_basis AS c)',
				  'ORDER BY g.billing_period')
		|| '$f$';
END
$do$;

CREATE UNIQUE INDEX chargeback_base_key ON bedrock_cost.chargeback_base
	(billing_period, export_id, principal_arn, usage_type, resource_id, usage_account_id,
	 payer_account_id, line_item_type, product_name, payer_account_name, usage_account_name,
	 tags, principal_tags);
COMMENT ON INDEX bedrock_cost.chargeback_base_key IS
  'the grain of chargeback_base; the columns that tell rows apart first and the tags maps, slow to compare, last';
CREATE INDEX chargeback_base_usage_type ON bedrock_cost.chargeback_base
	(usage_type, (coalesce(product_name, '')));
COMMENT ON INDEX bedrock_cost.chargeback_base_usage_type IS
  'finds the usage types no period uses any more (refresh_chargeback keeps chargeback_usage_types exact)';

CREATE UNIQUE INDEX chargeback_usage_types_key ON bedrock_cost.chargeback_usage_types
	(usage_type, product_name_key);
COMMENT ON INDEX bedrock_cost.chargeback_usage_types_key IS
  'one row per usage type and product name';
COMMENT ON TABLE bedrock_cost.chargeback_usage_types IS
  'every usage type (and product name, which names the model of Marketplace rows) of chargeback_base with its parts from bedrock_cost.parse_usage_type and the vendor of its model, parsed once per refresh';

CREATE UNIQUE INDEX chargeback_by_principal_key ON bedrock_cost.chargeback_by_principal
	(billing_period, export_id, payer_account_id, usage_account_id, line_item_type, principal_arn, principal_tags);
COMMENT ON INDEX bedrock_cost.chargeback_by_principal_key IS
  'the grain of chargeback_by_principal; serves filters on billing_period';
CREATE INDEX chargeback_by_principal_role ON bedrock_cost.chargeback_by_principal
	(billing_period, role_arn);
COMMENT ON INDEX bedrock_cost.chargeback_by_principal_role IS
  'per-role rollups of one billing period';

COMMENT ON TABLE bedrock_cost.chargeback_base IS
  'line items (their period summary, bedrock_cost.usage_period) summed per billing period, export, payer and usage account, line item type, principal, tags map (and its principal tags), usage type, resource id (inference profile) and account names: the small source of the other chargeback views; refreshed by bedrock_cost.refresh_chargeback()';
COMMENT ON TABLE bedrock_cost.chargeback_by_principal IS
  'chargeback per billing period, export, payer and usage account, line item type and IAM principal (as billed, with its type, role rollup and person/session label and principal tags). Usage without a principal is its own line (attribution unattributed, principal NULL); Tax, Credit, Refund, discounts and fees are their own lines (attribution account_level). cost is in the basis named by cost_basis. The same bill loaded from two exports appears once per export';
COMMENT ON FUNCTION bedrock_cost.chargeback_base_as_of(bigint) IS
  'chargeback_base computed over usage_summary_as_of(load_id): the data as it stood right after that load';
COMMENT ON FUNCTION bedrock_cost.chargeback_by_principal_as_of(bigint) IS
  'chargeback_by_principal as it stood right after load load_id (bedrock_cost.loads): for each export and period the newest successful delivery with a load_id <= load_id, superseded deliveries read from usage_summary_history; cost in the basis in force at that load (loads.cost_basis). A WARNING names the deliveries bedrock_cost.history_retention dropped (their periods are missing)';

-- ------------------------------------------------------------------------
-- per tag: every key of the tags map seen in a period is a dimension

SELECT bedrock_cost._chargeback_table('chargeback_by_tag', 'bedrock_cost.chargeback_base', $q$
	WITH pre AS (
		-- summed per tags map first: the key expansion below multiplies rows
		SELECT b.billing_period, b.export_id, b.tags, b.principal_arn,
			   bedrock_cost.attribution(b.principal_arn, b.line_item_type) AS attribution,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(b.line_items) AS line_items
		  FROM %1$s AS b
		  LEFT JOIN bedrock_cost.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 GROUP BY 1, 2, 3, 4, 5
	), keys AS (
		SELECT DISTINCT p.billing_period, k.key AS tag_key
		  FROM pre AS p, LATERAL pg_catalog.jsonb_object_keys(p.tags) AS k(key)
	), g AS (
		SELECT p.billing_period, p.export_id, k.tag_key,
			   coalesce(p.tags ->> k.tag_key, '(untagged)') AS tag_value,
			   NOT (p.tags ? k.tag_key) AS untagged,
			   p.attribution,
			   sum(p.unblended_cost) AS unblended_cost,
			   sum(p.net_unblended_cost) AS net_unblended_cost,
			   sum(p.input_tokens) AS input_tokens,
			   sum(p.output_tokens) AS output_tokens,
			   sum(p.cache_read_tokens) AS cache_read_tokens,
			   sum(p.cache_write_tokens) AS cache_write_tokens,
			   count(DISTINCT p.principal_arn) AS principals,
			   sum(p.line_items)::bigint AS line_items
		  FROM pre AS p
		  JOIN keys AS k USING (billing_period)
		 GROUP BY 1, 2, 3, 4, 5, 6
	)
	SELECT g.billing_period, g.export_id, e.export_name, e.path AS export, g.tag_key,
		   bedrock_cost.tag_name(g.tag_key) AS tag_name, bedrock_cost.tag_source(g.tag_key) AS tag_source,
		   g.tag_value, g.untagged, g.attribution,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
				ELSE g.unblended_cost END AS cost,
		   s.cost_basis, g.unblended_cost, g.net_unblended_cost,
		   coalesce(g.input_tokens, 0) AS input_tokens,
		   coalesce(g.output_tokens, 0) AS output_tokens,
		   coalesce(g.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(g.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(g.input_tokens, 0) + coalesce(g.output_tokens, 0)
			+ coalesce(g.cache_read_tokens, 0) + coalesce(g.cache_write_tokens, 0) AS total_tokens,
		   g.principals, g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s
$q$);
CREATE UNIQUE INDEX chargeback_by_tag_key ON bedrock_cost.chargeback_by_tag
	(billing_period, tag_key, tag_value, export_id, attribution);
COMMENT ON INDEX bedrock_cost.chargeback_by_tag_key IS
  'the grain of chargeback_by_tag; serves filters on billing_period and tag_key';
COMMENT ON TABLE bedrock_cost.chargeback_by_tag IS
  'chargeback per billing period, cost-allocation tag and value and export, with no configuration: every key of the CUR tags map seen in the period (in any export) is a dimension, with its source prefix (tag_source: iamPrincipal for principal and session tags, resourceTags for resource tags user:* and aws:*, accountTag, userAttribute, costCategory); no source overrides another (bedrock_cost.tag_value gives the precedence when one value is wanted). Spend of rows without that key (untagged principals, unattributed usage, account-level rows) is the explicit bucket tag_value (untagged), split by attribution, so for every key the values add up to the whole period';

-- ------------------------------------------------------------------------
-- per model

SELECT bedrock_cost._chargeback_table('usage_by_model', 'bedrock_cost.chargeback_base', $q$
	WITH per_principal AS (
		-- per principal first, then counted: a count(DISTINCT) sorts every row
		SELECT b.billing_period, b.export_id, u.model, u.token_kind, u.tier, u.routing, u.region,
			   b.principal_arn,
			   min(u.model_key) AS model_key, min(u.vendor) AS vendor,
			   bool_and(coalesce(u.recognized, false)) AS recognized,
			   sum(b.tokens) AS tokens,
			   sum(b.usage_amount) AS usage_amount,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.line_items) AS line_items
		  FROM %1$s AS b
		  LEFT JOIN bedrock_cost.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
	), g AS (
		SELECT p.billing_period, p.export_id, p.model, p.token_kind, p.tier, p.routing, p.region,
			   min(p.model_key) AS model_key, min(p.vendor) AS vendor,
			   bool_and(p.recognized) AS recognized,
			   sum(p.tokens) AS tokens,
			   sum(p.usage_amount) AS usage_amount,
			   sum(p.unblended_cost) AS unblended_cost,
			   sum(p.net_unblended_cost) AS net_unblended_cost,
			   count(p.principal_arn) AS principals,
			   sum(p.line_items)::bigint AS line_items
		  FROM per_principal AS p
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	)
	SELECT g.billing_period, g.export_id, e.export_name, e.path AS export, g.model, g.model_key, g.vendor,
		   g.token_kind, g.tier, g.routing, g.region, g.recognized,
		   coalesce(g.tokens, 0) AS tokens, g.usage_amount,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
				ELSE g.unblended_cost END AS cost,
		   s.cost_basis, g.unblended_cost, g.net_unblended_cost,
		   CASE WHEN g.tokens > 0 THEN
				round(CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
						   ELSE g.unblended_cost END * 1000000 / g.tokens, 6)
		   END AS cost_per_million_tokens,
		   g.principals, g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s
$q$, 'SET enable_sort = off');
CREATE UNIQUE INDEX usage_by_model_key ON bedrock_cost.usage_by_model
	(billing_period, model, token_kind, tier, routing, region, export_id);
COMMENT ON INDEX bedrock_cost.usage_by_model_key IS
  'the grain of usage_by_model; serves filters on billing_period and model';
COMMENT ON TABLE bedrock_cost.usage_by_model IS
  'Bedrock usage (line item types Usage, DiscountedUsage, SavingsPlanCoveredUsage, attributed or not) per billing period, export, model, token kind, tier, routing and region, from bedrock_cost.parse_usage_type; model, token_kind... are NULL for usage types the parser does not recognise (recognized = false), never dropped';

-- ------------------------------------------------------------------------
-- per resource: application inference profiles (line_item_resource_id)

-- the resource type and name of an ARN: arn:P:bedrock:R:A:application-inference-profile/x
CREATE FUNCTION bedrock_cost.resource_parts(resource_id text, OUT resource_type text, OUT resource_name text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT m[1], m[2]
	  FROM (SELECT pg_catalog.regexp_match($1, '^arn:[^:]+:[^:]*:[^:]*:[^:]*:([^/:]+)[/:](.*)$') AS m) AS x
$$;
COMMENT ON FUNCTION bedrock_cost.resource_parts(text) IS
  'the resource type and name of a resource ARN (the part after the account, split at its first / or :): application-inference-profile and its id, inference-profile and the profile name, provisioned-model and its id, ...; both NULL when the id is not an ARN of that form';

SELECT bedrock_cost._chargeback_table('chargeback_by_resource', 'bedrock_cost.chargeback_base', $q$
	WITH per_principal AS (
		-- per principal first, then counted: a count(DISTINCT) sorts every row
		SELECT b.billing_period, b.export_id, b.usage_account_id, b.resource_id, u.vendor, u.model_key,
			   b.principal_arn,
			   max(b.usage_account_name) AS usage_account_name,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(b.line_items) AS line_items
		  FROM %1$s AS b
		  JOIN bedrock_cost.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	), g AS (
		SELECT p.billing_period, p.export_id, p.usage_account_id, p.resource_id, p.vendor, p.model_key,
			   max(p.usage_account_name) AS usage_account_name,
			   sum(p.unblended_cost) AS unblended_cost,
			   sum(p.net_unblended_cost) AS net_unblended_cost,
			   sum(p.input_tokens) AS input_tokens,
			   sum(p.output_tokens) AS output_tokens,
			   sum(p.cache_read_tokens) AS cache_read_tokens,
			   sum(p.cache_write_tokens) AS cache_write_tokens,
			   count(p.principal_arn) AS principals,
			   sum(p.line_items)::bigint AS line_items
		  FROM per_principal AS p
		 GROUP BY 1, 2, 3, 4, 5, 6
	)
	SELECT g.billing_period, g.export_id, e.export_name, e.path AS export,
		   g.usage_account_id, g.usage_account_name, g.resource_id, r.resource_type, r.resource_name,
		   g.vendor, g.model_key,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
				ELSE g.unblended_cost END AS cost,
		   s.cost_basis, g.unblended_cost, g.net_unblended_cost,
		   coalesce(g.input_tokens, 0) AS input_tokens,
		   coalesce(g.output_tokens, 0) AS output_tokens,
		   coalesce(g.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(g.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(g.input_tokens, 0) + coalesce(g.output_tokens, 0)
			+ coalesce(g.cache_read_tokens, 0) + coalesce(g.cache_write_tokens, 0) AS total_tokens,
		   g.principals, g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s
	  LEFT JOIN LATERAL bedrock_cost.resource_parts(g.resource_id) AS r ON true
$q$, 'SET enable_sort = off');
CREATE UNIQUE INDEX chargeback_by_resource_key ON bedrock_cost.chargeback_by_resource
	(billing_period, export_id, usage_account_id, resource_id, vendor, model_key);
COMMENT ON INDEX bedrock_cost.chargeback_by_resource_key IS
  'the grain of chargeback_by_resource; serves filters on billing_period';
COMMENT ON TABLE bedrock_cost.chargeback_by_resource IS
  'Bedrock usage (line item types Usage, DiscountedUsage, SavingsPlanCoveredUsage) per billing period, export, usage account, resource (line_item_resource_id: the application or system inference profile the calls named, from exports with INCLUDE_RESOURCES), vendor and canonical model: cost by application inference profile. resource_id NULL holds the usage without one (direct model calls, or an export without the column), so per period the rows add up to the Bedrock usage';

-- ------------------------------------------------------------------------
-- per team and model: which team drives which model

SELECT bedrock_cost._chargeback_table('team_model_mix', 'bedrock_cost.chargeback_base', $q$
	WITH pre AS (
		-- summed per tags map first: the key expansion below multiplies rows
		SELECT b.billing_period, b.export_id, b.tags, b.principal_arn, u.vendor, u.model_key,
			   sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'input') AS input_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'output') AS output_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(b.tokens) FILTER (WHERE u.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(b.line_items) AS line_items
		  FROM %1$s AS b
		  JOIN bedrock_cost.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		 GROUP BY 1, 2, 3, 4, 5, 6
	), keys AS (
		-- every key of the period's tags maps, as chargeback_by_tag has them
		SELECT DISTINCT t.billing_period, t.tag_key
		  FROM bedrock_cost.chargeback_by_tag AS t
		 WHERE t.billing_period IN (SELECT p.billing_period FROM pre AS p)
	), g AS (
		SELECT p.billing_period, p.export_id, k.tag_key,
			   coalesce(p.tags ->> k.tag_key, '(untagged)') AS tag_value,
			   NOT (p.tags ? k.tag_key) AS untagged,
			   p.vendor, p.model_key,
			   sum(p.unblended_cost) AS unblended_cost,
			   sum(p.net_unblended_cost) AS net_unblended_cost,
			   sum(p.input_tokens) AS input_tokens,
			   sum(p.output_tokens) AS output_tokens,
			   sum(p.cache_read_tokens) AS cache_read_tokens,
			   sum(p.cache_write_tokens) AS cache_write_tokens,
			   count(DISTINCT p.principal_arn) AS principals,
			   sum(p.line_items)::bigint AS line_items
		  FROM pre AS p
		  JOIN keys AS k USING (billing_period)
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	), c AS (
		SELECT g.*, s.cost_basis,
			   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
					ELSE g.unblended_cost END AS cost
		  FROM g CROSS JOIN bedrock_cost.chargeback_basis AS s
	)
	SELECT c.billing_period, c.export_id, e.export_name, e.path AS export, c.tag_key,
		   bedrock_cost.tag_name(c.tag_key) AS tag_name, bedrock_cost.tag_source(c.tag_key) AS tag_source,
		   c.tag_value, c.untagged, c.vendor, c.model_key,
		   c.cost, c.cost_basis, c.unblended_cost, c.net_unblended_cost,
		   round(c.cost / nullif(sum(c.cost) OVER team, 0), 6) AS share_of_team,
		   coalesce(c.input_tokens, 0) AS input_tokens,
		   coalesce(c.output_tokens, 0) AS output_tokens,
		   coalesce(c.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(c.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(c.input_tokens, 0) + coalesce(c.output_tokens, 0)
			+ coalesce(c.cache_read_tokens, 0) + coalesce(c.cache_write_tokens, 0) AS total_tokens,
		   c.principals, c.line_items
	  FROM c JOIN bedrock_cost.exports AS e ON e.export_id = c.export_id
	WINDOW team AS (PARTITION BY c.billing_period, c.export_id, c.tag_key, c.tag_value)
$q$, 'SET enable_sort = off');	-- hashed: the statistics of chargeback_base know no row of a new period, and the planner sorted its rows on the tags maps (half the time)
CREATE UNIQUE INDEX team_model_mix_key ON bedrock_cost.team_model_mix
	(billing_period, tag_key, tag_value, export_id, vendor, model_key);
COMMENT ON INDEX bedrock_cost.team_model_mix_key IS
  'the grain of team_model_mix; serves filters on billing_period, tag_key and tag_value';
COMMENT ON TABLE bedrock_cost.team_model_mix IS
  'Bedrock usage (line item types Usage, DiscountedUsage, SavingsPlanCoveredUsage) per billing period, export, tag key (any key of the tags map: iamPrincipal/, resourceTags/, accountTag/, ...) and value, vendor and canonical model, with each model''s share of the team''s cost: which team drives Opus and which Sonnet. Every key seen in the period is a dimension; usage of rows without the key (untagged principals, unattributed usage) is the bucket tag_value (untagged), so for one key the values add up to the period''s Bedrock usage. Usage without a model (Guardrails, Data Automation, AgentCore) is vendor aws, model_key NULL';

-- ------------------------------------------------------------------------
-- usage profile: what kind of work a principal or a team does

SELECT bedrock_cost._chargeback_table('usage_profile', 'bedrock_cost.chargeback_base', $q$
	WITH u AS (
		-- summed per principal, tags map, model and token kind first: the
		-- key expansion below multiplies rows
		SELECT b.billing_period, b.export_id, b.principal_arn, b.principal_tags, b.tags,
			   t.model_key, t.token_kind,
			   sum(b.tokens) AS tokens, sum(b.unblended_cost) AS unblended_cost,
			   sum(b.net_unblended_cost) AS net_unblended_cost, sum(b.line_items) AS line_items
		  FROM %1$s AS b
		  JOIN bedrock_cost.chargeback_usage_types AS t
			ON t.usage_type = b.usage_type AND t.product_name_key = coalesce(b.product_name, '')
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	), keys AS (
		SELECT DISTINCT u.billing_period, k.key AS tag_key
		  FROM u, LATERAL pg_catalog.jsonb_object_keys(u.tags) AS k(key)
	), subject AS (
		-- every usage row once per principal (NULL: unattributed) and once per tag key of its period
		SELECT u.billing_period, u.export_id, 'principal' AS scope, u.principal_arn, u.principal_tags,
			   NULL::text AS tag_key, NULL::text AS tag_value, NULL::boolean AS untagged,
			   u.model_key, u.token_kind, u.tokens, u.unblended_cost, u.net_unblended_cost, u.line_items
		  FROM u
		UNION ALL
		SELECT u.billing_period, u.export_id, 'tag', NULL, NULL, k.tag_key,
			   coalesce(u.tags ->> k.tag_key, '(untagged)'), NOT (u.tags ? k.tag_key),
			   u.model_key, u.token_kind, u.tokens, u.unblended_cost, u.net_unblended_cost, u.line_items
		  FROM u JOIN keys AS k USING (billing_period)
	), per_model AS (
		SELECT s.billing_period, s.export_id, s.scope, s.principal_arn, s.principal_tags,
			   s.tag_key, s.tag_value, s.untagged, s.model_key,
			   sum(s.tokens) FILTER (WHERE s.token_kind = 'input') AS input_tokens,
			   sum(s.tokens) FILTER (WHERE s.token_kind = 'output') AS output_tokens,
			   sum(s.tokens) FILTER (WHERE s.token_kind = 'cache_read') AS cache_read_tokens,
			   sum(s.tokens) FILTER (WHERE s.token_kind = 'cache_write') AS cache_write_tokens,
			   sum(s.unblended_cost) AS unblended_cost, sum(s.net_unblended_cost) AS net_unblended_cost,
			   sum(s.line_items) AS line_items
		  FROM subject AS s
		 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
	), ranked AS (
		SELECT m.*, c.cost_basis,
			   CASE c.cost_basis WHEN 'net_unblended' THEN m.net_unblended_cost ELSE m.unblended_cost END AS cost,
			   pg_catalog.row_number() OVER (
				   PARTITION BY m.billing_period, m.export_id, m.scope, m.principal_arn, m.principal_tags,
								m.tag_key, m.tag_value
				   ORDER BY m.model_key IS NULL,
							CASE c.cost_basis WHEN 'net_unblended' THEN m.net_unblended_cost ELSE m.unblended_cost END DESC,
							m.model_key) AS model_rank
		  FROM per_model AS m CROSS JOIN bedrock_cost.chargeback_basis AS c
	), g AS (
		SELECT r.billing_period, r.export_id, r.scope, r.principal_arn, r.principal_tags,
			   r.tag_key, r.tag_value, r.untagged, min(r.cost_basis) AS cost_basis,
			   sum(r.cost) AS cost, sum(r.unblended_cost) AS unblended_cost,
			   sum(r.net_unblended_cost) AS net_unblended_cost,
			   coalesce(sum(r.input_tokens), 0) AS input_tokens,
			   coalesce(sum(r.output_tokens), 0) AS output_tokens,
			   coalesce(sum(r.cache_read_tokens), 0) AS cache_read_tokens,
			   coalesce(sum(r.cache_write_tokens), 0) AS cache_write_tokens,
			   min(r.model_key) FILTER (WHERE r.model_rank = 1) AS dominant_model,
			   sum(r.cost) FILTER (WHERE r.model_rank = 1 AND r.model_key IS NOT NULL) AS dominant_cost,
			   sum(r.line_items)::bigint AS line_items
		  FROM ranked AS r
		 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
	), p AS (
		SELECT g.*,
			   g.input_tokens + g.output_tokens + g.cache_read_tokens + g.cache_write_tokens AS total_tokens,
			   g.input_tokens + g.cache_read_tokens + g.cache_write_tokens AS prompt_tokens
		  FROM g
	)
	SELECT p.billing_period, p.export_id, e.export_name, e.path AS export, p.scope,
		   p.principal_arn, bedrock_cost.person(p.principal_arn::bedrock_cost.iam_arn) AS person,
		   bedrock_cost.role_arn(p.principal_arn::bedrock_cost.iam_arn)::text AS role_arn, p.principal_tags,
		   p.tag_key, bedrock_cost.tag_name(p.tag_key) AS tag_name, bedrock_cost.tag_source(p.tag_key) AS tag_source, p.tag_value, p.untagged,
		   p.cost, p.cost_basis, p.unblended_cost, p.net_unblended_cost,
		   p.input_tokens, p.output_tokens, p.cache_read_tokens, p.cache_write_tokens, p.total_tokens,
		   round(p.output_tokens / nullif(p.prompt_tokens, 0), 4) AS output_input_ratio,
		   round(p.cache_read_tokens / nullif(p.input_tokens + p.cache_read_tokens, 0), 4) AS cache_hit_ratio,
		   round(p.cost * 1000000 / nullif(p.total_tokens, 0), 6) AS cost_per_million_tokens,
		   p.dominant_model,
		   round(p.dominant_cost / nullif(p.cost, 0), 4) AS dominant_model_share,
		   CASE WHEN p.prompt_tokens + p.output_tokens = 0 THEN NULL
				WHEN p.output_tokens >= p.prompt_tokens THEN 'generation-heavy'
				WHEN p.output_tokens * 5 <= p.prompt_tokens THEN 'document-heavy'
				ELSE 'balanced' END AS workload,
		   p.line_items
	  FROM p JOIN bedrock_cost.exports AS e ON e.export_id = p.export_id
$q$, 'SET enable_sort = off');	-- hashed: the statistics of chargeback_base know no row of a new period, and the planner sorted its rows on the tags maps (half the time)
CREATE UNIQUE INDEX usage_profile_key ON bedrock_cost.usage_profile
	(billing_period, scope, tag_key, tag_value, principal_arn, principal_tags, export_id);
COMMENT ON INDEX bedrock_cost.usage_profile_key IS
  'the grain of usage_profile; serves filters on billing_period, scope and tag_key';
COMMENT ON TABLE bedrock_cost.usage_profile IS
  'what kind of work each principal (scope principal, one row per principal and tag set; principal_arn NULL for unattributed usage) and each tag value of any key of the tags map (scope tag: iamPrincipal/, resourceTags/, accountTag/, ..., with the (untagged) bucket) does per billing period and export: tokens by kind, output per prompt token, cache hit ratio, cost per million tokens, the model it spends most on, and a workload label: generation-heavy when output tokens >= prompt tokens (input + cache read + cache write), document-heavy when output * 5 <= prompt tokens, balanced in between. Usage line item types only';

-- ------------------------------------------------------------------------
-- per day (spikes)

-- the sums of a chargeback_daily row in one aggregate state (eleven sum()
-- states per group were most of the table's refresh: src/ext/daily_sums.c)
CREATE FUNCTION bedrock_cost._daily_sums_add(internal, text, numeric, numeric, numeric, numeric, bigint)
RETURNS internal
AS 'MODULE_PATHNAME', 'bc_sql_daily_sums_add'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost._daily_sums_add(internal, text, numeric, numeric, numeric, numeric, bigint) IS
  'internal: the transition function of bedrock_cost._daily_sums';
CREATE FUNCTION bedrock_cost._daily_sums_final(internal)
RETURNS numeric[]
AS 'MODULE_PATHNAME', 'bc_sql_daily_sums_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost._daily_sums_final(internal) IS
  'internal: the final function of bedrock_cost._daily_sums';
CREATE AGGREGATE bedrock_cost._daily_sums(token_kind text, tokens numeric, unblended numeric,
										  net numeric, cost numeric, line_items bigint) (
	SFUNC = bedrock_cost._daily_sums_add,
	STYPE = internal,
	FINALFUNC = bedrock_cost._daily_sums_final
);
COMMENT ON AGGREGATE bedrock_cost._daily_sums(text, numeric, numeric, numeric, numeric, bigint) IS
  'internal: the sums of model-day summary rows that a chargeback_daily row holds, exact, as numeric[]: [1] unblended and [2] net cost of every row, [3..6] tokens and [7..10] cost (the basis given) of input, output, cache_read and cache_write, [11] line items; an element is NULL when no row gave it a value (as sum() FILTER (WHERE token_kind = ...))';
REVOKE ALL ON FUNCTION bedrock_cost._daily_sums_add(internal, text, numeric, numeric, numeric, numeric, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._daily_sums_final(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost._daily_sums(text, numeric, numeric, numeric, numeric, bigint) FROM PUBLIC;

SELECT bedrock_cost._chargeback_table('chargeback_daily', 'bedrock_cost.usage_daily', $q$
	-- one aggregation over the model-day summary (usage_daily: the summary's
	-- usage types already merged per model and token kind); the raw tags map
	-- is kept (its keys filter rows in bi_daily and daily_by_tag)
	WITH r AS (
		SELECT li.*,
			   CASE s.cost_basis WHEN 'net_unblended' THEN li.net_unblended_cost
					ELSE li.unblended_cost END AS cost
		  FROM %1$s AS li
		 CROSS JOIN bedrock_cost.chargeback_basis AS s
	), a AS (
		SELECT r.billing_period, r.usage_date,
			   r.export_id, r.payer_account_id, r.usage_account_id,
			   bedrock_cost.attribution(r.principal::text, r.line_item_type) AS attribution,
			   r.principal, r.tags, r.model,
			   bedrock_cost._daily_sums(r.token_kind, r.tokens, r.unblended_cost,
										r.net_unblended_cost, r.cost, r.line_items) AS s
		  FROM r
		 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
	), g AS (
		SELECT a.billing_period, a.usage_date, a.export_id, a.payer_account_id, a.usage_account_id,
			   a.attribution, a.principal, a.tags, a.model,
			   a.s[1] AS unblended_cost, a.s[2] AS net_unblended_cost,
			   a.s[3] AS input_tokens, a.s[4] AS output_tokens,
			   a.s[5] AS cache_read_tokens, a.s[6] AS cache_write_tokens,
			   a.s[7] AS input_cost, a.s[8] AS output_cost,
			   a.s[9] AS cache_read_cost, a.s[10] AS cache_write_cost,
			   a.s[11]::bigint AS line_items
		  FROM a
	)
	SELECT g.billing_period, g.usage_date, g.export_id, e.export_name, e.path AS export,
		   g.payer_account_id, g.usage_account_id,
		   g.attribution, g.principal::text AS principal_arn,
		   bedrock_cost.role_arn(g.principal)::text AS role_arn,
		   bedrock_cost.person(g.principal) AS person,
		   g.tags, g.model,
		   CASE s.cost_basis WHEN 'net_unblended' THEN g.net_unblended_cost
				ELSE g.unblended_cost END AS cost,
		   s.cost_basis, g.unblended_cost, g.net_unblended_cost,
		   coalesce(g.input_tokens, 0) AS input_tokens,
		   coalesce(g.output_tokens, 0) AS output_tokens,
		   coalesce(g.cache_read_tokens, 0) AS cache_read_tokens,
		   coalesce(g.cache_write_tokens, 0) AS cache_write_tokens,
		   coalesce(g.input_tokens, 0) + coalesce(g.output_tokens, 0)
			+ coalesce(g.cache_read_tokens, 0) + coalesce(g.cache_write_tokens, 0) AS total_tokens,
		   coalesce(g.input_cost, 0) AS input_cost,
		   coalesce(g.output_cost, 0) AS output_cost,
		   coalesce(g.cache_read_cost, 0) AS cache_read_cost,
		   coalesce(g.cache_write_cost, 0) AS cache_write_cost,
		   g.line_items
	  FROM g JOIN bedrock_cost.exports AS e ON e.export_id = g.export_id
	 CROSS JOIN bedrock_cost.chargeback_basis AS s
$q$, 'SET enable_sort = off');	-- hashed, as chargeback_base (a sort of the summary's rows by the grain cost four times the hash)
CREATE UNIQUE INDEX chargeback_daily_key ON bedrock_cost.chargeback_daily
	(billing_period, usage_date, principal_arn, model, usage_account_id, export_id,
	 payer_account_id, attribution, tags);
COMMENT ON INDEX bedrock_cost.chargeback_daily_key IS
  'the grain of chargeback_daily; serves filters on billing_period and day, the refresh''s delete of a period and the spikes'' read of one';
COMMENT ON TABLE bedrock_cost.chargeback_daily IS
  'daily chargeback per UTC usage day (of line_item_usage_start_date), export, accounts, principal (with the tags map of its rows) and model, for spotting spikes. Account-level rows and unattributed usage are their own lines';

-- ------------------------------------------------------------------------
-- spikes: a principal x model x token kind x day far above its recent days

-- the median of a day's 14 days before, days without usage counting as zero
CREATE FUNCTION bedrock_cost._median_of_days(vals numeric[], days integer)
RETURNS numeric
AS 'MODULE_PATHNAME', 'bc_sql_median_of_days'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bedrock_cost._median_of_days(numeric[], integer) IS
  'internal: the median of the values of the days of a window of days (days), the days missing from vals counting as 0 (a NULL value too); the mean of the two middle values for an even count; exact, trailing zeros trimmed; NULL for no day (src/ext/median_fns.c)';

CREATE TABLE bedrock_cost.spikes (
	billing_period	date NOT NULL,
	export_id		integer NOT NULL,
	export_name		text,
	export			text NOT NULL,
	usage_date		date NOT NULL,
	principal_arn	text,
	person			text,
	role_arn		text,
	principal_tags	jsonb,
	tags_text		text,
	model			text,
	token_kind		text NOT NULL,
	cost			numeric NOT NULL,
	baseline_cost	numeric NOT NULL,
	cost_ratio		numeric,
	tokens			numeric NOT NULL,
	baseline_tokens	numeric NOT NULL,
	tokens_ratio	numeric,
	spike_on		text NOT NULL,
	factor			numeric NOT NULL,
	min_cost		numeric NOT NULL,
	min_tokens		numeric NOT NULL,
	cost_basis		text NOT NULL
);
CREATE UNIQUE INDEX spikes_key ON bedrock_cost.spikes
	(billing_period, usage_date, export_id, principal_arn, model, token_kind);
COMMENT ON INDEX bedrock_cost.spikes_key IS 'the grain of spikes; serves filters on billing_period and day';
COMMENT ON TABLE bedrock_cost.spikes IS
  'days on which a principal (NULL: unattributed usage) spent on a model and token kind far more than usual: cost > factor x baseline_cost and cost >= min_cost (spike_on cost), or tokens > factor x baseline_tokens and tokens >= min_tokens (spike_on tokens); the baseline is the median of the 14 days before, days without usage counting as 0 (so a first day of use above the minimum is a spike). Thresholds from spike_settings; refreshed with the chargeback (a restated month also recomputes the next month''s spikes, whose baselines reach back into it)';

CREATE FUNCTION bedrock_cost._spike_days(days refcursor, periods date[], heads date[],
										 factor numeric, min_cost numeric, min_tokens numeric)
RETURNS TABLE (billing_period date, export_id integer, usage_date date, principal_arn text,
			   person text, role_arn text, model text, token_kind text, cost numeric,
			   baseline_cost numeric, tokens numeric, baseline_tokens numeric, spike_on text)
AS 'MODULE_PATHNAME', 'bc_sql_spike_days'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION bedrock_cost._spike_days(refcursor, date[], date[], numeric, numeric, numeric) IS
  'internal: reads the cursor days (chargeback_daily''s billing_period, export_id, usage_date, principal_arn, model, person, role_arn, then cost and tokens of input, output, cache_read and cache_write, ordered by principal_arn and model, so that the rows of each principal and model are together) and returns the spikes of every day of the periods and of the first 14 days of the heads: per series (export, principal, model) and token kind, the day''s cost and tokens summed over its rows, the baseline the median of the kind''s 14 days before (days without it counting as 0), spike_on cost and/or tokens by the thresholds given (src/ext/spikes.c)';
REVOKE ALL ON FUNCTION bedrock_cost._spike_days(refcursor, date[], date[], numeric, numeric, numeric) FROM PUBLIC;

CREATE FUNCTION bedrock_cost._spikes_rows(periods date[], heads date[] DEFAULT '{}')
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
	-- index on chargeback_daily's grain (billing_period first), not every month held
	OPEN days FOR
		SELECT d.billing_period, d.export_id, d.usage_date, d.principal_arn, d.model, d.person, d.role_arn,
			   d.input_cost, d.input_tokens, d.output_cost, d.output_tokens,
			   d.cache_read_cost, d.cache_read_tokens, d.cache_write_cost, d.cache_write_tokens
		  FROM bedrock_cost.chargeback_daily AS d
		 WHERE d.billing_period = ANY (scan_periods)
		   AND d.attribution <> 'account_level'
		   AND (d.billing_period = ANY (periods)
				OR (d.billing_period = ANY (heads) AND d.usage_date < d.billing_period + 14)
				OR (d.usage_date >= (d.billing_period + interval '1 month')::date - 14
					AND (d.billing_period + interval '1 month')::date = ANY (periods || heads)))
		 ORDER BY d.principal_arn COLLATE "C", d.model COLLATE "C";
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
  'internal: the rows of bedrock_cost.spikes for every day of the billing periods and the first 14 days of the heads (months after a recomputed one, whose later days do not look back into it): _spike_days over chargeback_daily of those days and the 14 days before each month, with the export, the principal''s tags and the thresholds in force (refresh_chargeback)';
REVOKE ALL ON FUNCTION bedrock_cost._spikes_rows(date[], date[]) FROM PUBLIC;

-- ------------------------------------------------------------------------
-- allocation of account-level rows

SELECT bedrock_cost._chargeback_table('chargeback_allocated', 'bedrock_cost.chargeback_by_principal', $q$
	WITH lines AS (
		-- one line per principal (and tag set), one per unattributed, one per account-level pool
		SELECT c.billing_period, c.export_id, c.payer_account_id, c.usage_account_id,
			   CASE c.attribution WHEN 'account_level' THEN 'account_level_unallocated'
					ELSE c.attribution END AS attribution,
			   c.principal_arn, c.principal_tags,
			   sum(c.cost) AS usage_cost, min(c.cost_basis) AS cost_basis,
			   sum(c.line_items)::bigint AS line_items
		  FROM %1$s AS c
		 GROUP BY 1, 2, 3, 4, 5, 6, 7
	), pooled AS (
		-- the account's pool and its usage (the sum of the weights), on every line of the account
		SELECT l.*, l.attribution IN ('attributed', 'unattributed') AS is_usage,
			   sum(l.usage_cost) FILTER (WHERE l.attribution = 'account_level_unallocated') OVER acct AS pool,
			   sum(greatest(l.usage_cost, 0)) FILTER (WHERE l.attribution IN ('attributed', 'unattributed')) OVER acct AS weight_sum
		  FROM lines AS l
		WINDOW acct AS (PARTITION BY l.billing_period, l.export_id, l.payer_account_id, l.usage_account_id)
	), shares AS (
		-- exact share in cents of each usage line (NULL for the others)
		SELECT p.*, round(p.pool, 2) * 100 AS pool_cents,
			   CASE WHEN p.is_usage AND p.pool IS NOT NULL AND p.weight_sum > 0
					THEN abs(round(p.pool, 2) * 100) * greatest(p.usage_cost, 0) / p.weight_sum END AS exact_cents
		  FROM pooled AS p
	), ranked AS (
		-- floors, the cents left over, and the rank of each remainder (ties: by ARN, unattributed last)
		SELECT s.*, floor(s.exact_cents) AS floor_cents,
			   abs(s.pool_cents) - sum(floor(s.exact_cents)) OVER acct AS leftover,
			   row_number() OVER (PARTITION BY s.billing_period, s.export_id, s.payer_account_id,
										   s.usage_account_id, s.exact_cents IS NULL
								  ORDER BY s.exact_cents - floor(s.exact_cents) DESC,
										   s.principal_arn, s.principal_tags::text) AS remainder_rank
		  FROM shares AS s
		WINDOW acct AS (PARTITION BY s.billing_period, s.export_id, s.payer_account_id, s.usage_account_id)
	), allocated AS (
		SELECT r.*,
			   CASE WHEN r.exact_cents IS NOT NULL
					THEN round(sign(r.pool_cents) * (r.floor_cents
							+ CASE WHEN r.remainder_rank <= r.leftover THEN 1 ELSE 0 END) / 100, 2)
					WHEN r.attribution = 'account_level_unallocated' AND r.weight_sum > 0
					THEN r.usage_cost - round(r.usage_cost, 2)
					ELSE 0 END AS allocated_cost,
			   r.attribution = 'account_level_unallocated' AND r.weight_sum > 0 AS is_residue
		  FROM ranked AS r
	)
	SELECT a.billing_period, a.export_id, e.export_name, e.path AS export,
		   a.payer_account_id, a.usage_account_id,
		   CASE WHEN a.is_residue THEN 'account_level_rounding' ELSE a.attribution END AS attribution,
		   a.principal_arn::bedrock_cost.iam_arn AS principal, a.principal_arn,
		   bedrock_cost.role_arn(a.principal_arn::bedrock_cost.iam_arn)::text AS role_arn,
		   bedrock_cost.person(a.principal_arn::bedrock_cost.iam_arn) AS person,
		   a.principal_tags,
		   CASE WHEN a.is_residue THEN 0 ELSE a.usage_cost END AS usage_cost,
		   a.allocated_cost,
		   CASE WHEN a.is_residue THEN a.allocated_cost ELSE a.usage_cost + a.allocated_cost END AS cost,
		   a.cost_basis,
		   'account-level rows (Tax, Credit, Refund, discounts, fees) of each export, payer account, usage account and billing period, rounded to the cent, spread over all the usage of that account (attributed principals and unattributed usage) pro rata to its '
			|| a.cost_basis || ' usage cost, largest remainder; the sub-cent residue stays on an account_level_rounding line; with no usage the pool stays account_level_unallocated'
			AS allocation_basis,
		   a.line_items
	  FROM allocated AS a
	  JOIN bedrock_cost.exports AS e ON e.export_id = a.export_id
	 WHERE NOT (a.is_residue AND a.allocated_cost = 0)
$q$);
CREATE UNIQUE INDEX chargeback_allocated_key ON bedrock_cost.chargeback_allocated
	(billing_period, export_id, payer_account_id, usage_account_id, attribution, principal_arn, principal_tags);
COMMENT ON INDEX bedrock_cost.chargeback_allocated_key IS
  'the grain of chargeback_allocated; serves filters on billing_period';
COMMENT ON TABLE bedrock_cost.chargeback_allocated IS
  'fully allocated chargeback: per billing period, export, payer and usage account, the account-level pool (Tax, Credit, Refund, discounts, fees; rounded to the cent) is spread over all the usage of the account, the attributed principals and the unattributed usage line alike, pro rata to their usage cost with the largest remainder method, so the shares add up to the pool exactly to the cent and a line goes below zero only when the pool exceeds the account''s usage (or, by sub-cent rounding, by less than a cent). usage_cost, allocated_cost and cost = usage_cost + allocated_cost side by side; a pool with no usage stays one account_level_unallocated line; a sub-cent residue stays on an account_level_rounding line. Sum of cost = sum of chargeback_by_principal.cost, exactly';

-- ------------------------------------------------------------------------
-- reconciliation: the loader's view (file vs loaded), extended with the
-- chargeback split (attributed + unattributed + account-level)

DO $do$
BEGIN
	-- keep the loader's definition, whatever its columns, as the first columns
	EXECUTE 'CREATE VIEW bedrock_cost.reconciliation_files AS '
		|| pg_catalog.pg_get_viewdef('bedrock_cost.reconciliation'::pg_catalog.regclass);
END
$do$;
COMMENT ON VIEW bedrock_cost.reconciliation_files IS
  'the loader''s reconciliation (file totals against line_items), the first columns of bedrock_cost.reconciliation';

CREATE OR REPLACE VIEW bedrock_cost.reconciliation AS
	SELECT r.*,
		   coalesce(c.attributed_total, 0) AS attributed_total,
		   coalesce(c.unattributed_total, 0) AS unattributed_total,
		   coalesce(c.account_level_total, 0) AS account_level_total,
		   coalesce(c.attributed_total, 0) + coalesce(c.unattributed_total, 0)
			+ coalesce(c.account_level_total, 0) AS chargeback_total,
		   r.loaded_total - (coalesce(c.attributed_total, 0) + coalesce(c.unattributed_total, 0)
							 + coalesce(c.account_level_total, 0)) AS chargeback_difference
	  FROM bedrock_cost.reconciliation_files AS r
	  LEFT JOIN (
		SELECT b.billing_period, b.export_id, b.line_item_type,
			   sum(b.unblended_cost) FILTER (WHERE b.principal_arn IS NOT NULL) AS attributed_total,
			   sum(b.unblended_cost) FILTER (WHERE b.principal_arn IS NULL
										 AND bedrock_cost.is_usage_line_item_type(b.line_item_type)) AS unattributed_total,
			   sum(b.unblended_cost) FILTER (WHERE b.principal_arn IS NULL
										 AND NOT bedrock_cost.is_usage_line_item_type(b.line_item_type)) AS account_level_total
		  FROM bedrock_cost.chargeback_base AS b
		 GROUP BY 1, 2, 3
	  ) AS c USING (billing_period, export_id, line_item_type);
COMMENT ON VIEW bedrock_cost.reconciliation IS
  'per billing period, export and line item type of the current deliveries: Bedrock totals summed from the files (file_total) against line_items (loaded_total), difference exactly 0 after a successful load; then the same unblended total split the chargeback way (attributed_total + unattributed_total + account_level_total = chargeback_total, from the chargeback views), chargeback_difference exactly 0 once refresh_chargeback() has run after the load: the chargeback views read the loader''s summary (usage_summary), so this checks the summary against the stored line items';
COMMENT ON COLUMN bedrock_cost.reconciliation.attributed_total IS 'unblended cost of the rows with an IAM principal, from chargeback_base';
COMMENT ON COLUMN bedrock_cost.reconciliation.unattributed_total IS 'unblended cost of usage rows without a principal, from chargeback_base';
COMMENT ON COLUMN bedrock_cost.reconciliation.account_level_total IS 'unblended cost of account-level rows (Tax, Credit, Refund, discounts, fees) without a principal, from chargeback_base';
COMMENT ON COLUMN bedrock_cost.reconciliation.chargeback_total IS 'attributed_total + unattributed_total + account_level_total';
COMMENT ON COLUMN bedrock_cost.reconciliation.chargeback_difference IS 'loaded_total - chargeback_total: 0 when the chargeback views are current and account for every loaded row';

-- ------------------------------------------------------------------------
-- refresh

-- what every period's chargeback rows depend on besides its deliveries and
-- their exports: the cost basis, the model aliases (through
-- parse_usage_type) and the extension's version (the parser's code)
CREATE FUNCTION bedrock_cost._chargeback_inputs()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.md5(pg_catalog.concat_ws(E'\n',
		(SELECT b.cost_basis FROM bedrock_cost.chargeback_basis AS b),
		(SELECT t::text FROM bedrock_cost.spike_settings AS t),
		(SELECT pg_catalog.string_agg(a::text, E'\n' ORDER BY a.alias, a.seeded)
		   FROM bedrock_cost.model_aliases AS a),
		(SELECT x.extversion FROM pg_catalog.pg_extension AS x WHERE x.extname = 'bedrock_cost')))
$$;
COMMENT ON FUNCTION bedrock_cost._chargeback_inputs() IS
  'internal: a digest of what every period of the chargeback tables depends on besides its deliveries (cost basis, spike thresholds, model aliases, extension version); when it changes, refresh_chargeback() recomputes every period';
REVOKE ALL ON FUNCTION bedrock_cost._chargeback_inputs() FROM PUBLIC;

-- per billing period: its current deliveries and a digest of their exports'
-- ids, names and paths (the views show them)
CREATE FUNCTION bedrock_cost._chargeback_current(OUT billing_period date, OUT loads bigint[], OUT exports text)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT l.billing_period, pg_catalog.array_agg(l.load_id ORDER BY l.load_id),
		   pg_catalog.md5(pg_catalog.string_agg(pg_catalog.concat_ws(' ', e.export_id, e.export_name, e.path),
												E'\n' ORDER BY l.load_id))
	  FROM bedrock_cost.loads AS l
	  JOIN bedrock_cost.exports AS e ON e.export_id = l.export_id
	 WHERE l.status = 'done'
	 GROUP BY l.billing_period
$$;
COMMENT ON FUNCTION bedrock_cost._chargeback_current() IS
  'internal: per billing period, the load_id of every current (done) delivery, all exports, and a digest of their exports'' ids, names and paths';
REVOKE ALL ON FUNCTION bedrock_cost._chargeback_current() FROM PUBLIC;

CREATE TABLE bedrock_cost.chargeback_state (
	billing_period	date PRIMARY KEY,
	loads			bigint[] NOT NULL,
	exports			text NOT NULL,
	inputs			text NOT NULL,
	refreshed_at	timestamptz NOT NULL,
	data_through	date
);
COMMENT ON TABLE bedrock_cost.chargeback_state IS
  'what the chargeback tables hold for each billing period: the current deliveries, their exports and the inputs they were computed from. refresh_chargeback() recomputes the periods whose deliveries or exports differ from it, and every period when the inputs differ. Not dumped: after a restore it is empty, so the first refresh recomputes every period';
COMMENT ON COLUMN bedrock_cost.chargeback_state.billing_period IS 'first day of the billing month';
COMMENT ON COLUMN bedrock_cost.chargeback_state.loads IS 'load_id of every current (done) delivery of the period, all exports, ascending';
COMMENT ON COLUMN bedrock_cost.chargeback_state.exports IS 'digest of the ids, names and paths of those deliveries'' exports';
COMMENT ON COLUMN bedrock_cost.chargeback_state.inputs IS 'bedrock_cost._chargeback_inputs() when the period was computed';
COMMENT ON COLUMN bedrock_cost.chargeback_state.refreshed_at IS 'when the period was last computed';
COMMENT ON COLUMN bedrock_cost.chargeback_state.data_through IS 'the last usage day (UTC) in the period''s rows, from chargeback_daily; NULL when the period has none (budget_status counts the days elapsed to it)';

-- the chargeback tables in dependency order
CREATE FUNCTION bedrock_cost._chargeback_tables()
RETURNS text[]
LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['chargeback_base', 'chargeback_usage_types', 'chargeback_by_principal',
				   'chargeback_by_tag', 'usage_by_model', 'chargeback_by_resource', 'team_model_mix', 'usage_profile',
				   'chargeback_daily', 'spikes', 'chargeback_allocated'] $$;
COMMENT ON FUNCTION bedrock_cost._chargeback_tables() IS
  'internal: the chargeback tables, in the order refresh_chargeback() computes them (each reads the ones before it)';

-- no statistics on the measures (numeric sums) and the tags maps of the
-- chargeback tables: the planner's choices on these tables turn on their keys
-- (period, day, principal, model, tag key), and sampling the numeric and jsonb
-- columns was most of the ANALYZE that follows a new month (0.7 of 1.0 s on a
-- 1M-row month).  A filter on a cost or a tags map gets a default estimate.
DO $do$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT a.attrelid::regclass AS rel, a.attname
		  FROM pg_catalog.pg_attribute AS a
		 WHERE a.attrelid = ANY (ARRAY(SELECT ('bedrock_cost.' || pg_catalog.quote_ident(t))::regclass
										 FROM pg_catalog.unnest(bedrock_cost._chargeback_tables()) AS t))
		   AND a.attnum > 0 AND NOT a.attisdropped
		   AND a.atttypid IN ('pg_catalog.numeric'::regtype, 'pg_catalog.jsonb'::regtype)
	LOOP
		EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS 0', c.rel, c.attname);
	END LOOP;
END
$do$;

-- the periods to recompute: current deliveries or exports differ from the state
CREATE FUNCTION bedrock_cost._chargeback_stale(OUT periods date[], OUT periods_changed boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.array_agg(coalesce(c.billing_period, s.billing_period)
								ORDER BY coalesce(c.billing_period, s.billing_period)),
		   coalesce(pg_catalog.bool_or(c.billing_period IS NULL OR s.billing_period IS NULL), false)
	  FROM bedrock_cost._chargeback_current() AS c
	  FULL JOIN bedrock_cost.chargeback_state AS s ON s.billing_period = c.billing_period
	 WHERE c.loads IS DISTINCT FROM s.loads OR c.exports IS DISTINCT FROM s.exports
$$;
COMMENT ON FUNCTION bedrock_cost._chargeback_stale() IS
  'internal: the billing periods whose chargeback rows are stale (their current deliveries, or those deliveries'' exports, differ from chargeback_state), and whether a period appeared or disappeared';
REVOKE ALL ON FUNCTION bedrock_cost._chargeback_stale() FROM PUBLIC;

-- recompute the chargeback rows of the stale periods (every period when
-- incremental is false, or when the inputs changed)
CREATE FUNCTION bedrock_cost.refresh_chargeback(incremental boolean)
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
		DELETE FROM bedrock_cost.chargeback_state;
		-- the model-day summaries hold the models and token kinds the parser
		-- gave when they were computed: again, with the parser installed now
		PERFORM bedrock_cost._summarize_daily(l.load_id)
		   FROM bedrock_cost.loads AS l
		  WHERE l.status = 'done';
	END IF;
	stale := bedrock_cost._chargeback_stale();
	IF stale.periods IS NULL AND NOT full_rebuild THEN
		RETURN;
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
			INSERT INTO bedrock_cost.chargeback_usage_types
			SELECT * FROM bedrock_cost._chargeback_usage_types_rows(stale.periods)
			ON CONFLICT (usage_type, product_name_key) DO NOTHING;
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
			INSERT INTO bedrock_cost.spikes SELECT * FROM bedrock_cost._spikes_rows(stale.periods, spike_heads);
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
				EXECUTE format('INSERT INTO bedrock_cost.%I SELECT * FROM bedrock_cost.%I($1)', rel, '_' || rel || '_rows')
					USING ARRAY[period];
			END LOOP;
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
	-- fresh statistics for the dashboards' plans when everything was
	-- recomputed, and when the set of periods changed (a new month): then
	-- what the plans lack is the new month in the period and day columns and
	-- the new row counts, so only those columns are analysed (a fifth of the
	-- time: the text columns' statistics were most of it); the other columns'
	-- distributions change little with one month, and autovacuum's ANALYZE
	-- follows.  A restated period changes them little too: no ANALYZE
	IF full_rebuild OR stale.periods_changed THEN
		FOREACH rel IN ARRAY bedrock_cost._chargeback_tables()
		LOOP
			SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
			  INTO cols
			  FROM pg_catalog.pg_attribute AS a
			 WHERE a.attrelid = pg_catalog.to_regclass('bedrock_cost.' || pg_catalog.quote_ident(rel))
			   AND a.attname IN ('billing_period', 'usage_date') AND NOT a.attisdropped;
			EXECUTE format('ANALYZE bedrock_cost.%I%s', rel,
						   CASE WHEN full_rebuild OR cols IS NULL THEN '' ELSE ' (' || cols || ')' END);
		END LOOP;
	END IF;
END
$$;
COMMENT ON FUNCTION bedrock_cost.refresh_chargeback(boolean) IS
  'brings the chargeback tables up to date, in the caller''s transaction (the loader and the background worker call it in the transaction that swaps a delivery in, so chargeback and line_items change together at commit), then announces the budgets whose state changed in the recomputed periods (NOTIFY bedrock_cost_budget, sent at commit). incremental (the default) recomputes only the billing periods whose current deliveries (or their export''s name or path) changed since the last refresh (bedrock_cost.chargeback_state), or every period when the cost basis, the model aliases or the extension version changed; false recomputes every period. Either way readers keep the old rows until commit and are never blocked; concurrent refreshes wait for each other';
REVOKE ALL ON FUNCTION bedrock_cost.refresh_chargeback(boolean) FROM PUBLIC;

-- the entry point the loader and the background worker look up (to_regprocedure('...refresh_chargeback()'))
CREATE FUNCTION bedrock_cost.refresh_chargeback()
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT bedrock_cost.refresh_chargeback(true) $$;
COMMENT ON FUNCTION bedrock_cost.refresh_chargeback() IS
  'refresh_chargeback(true): recomputes the billing periods whose deliveries changed (readers keep the old rows until commit), in the caller''s transaction; called by the background worker after each delivery it swaps in';
REVOKE ALL ON FUNCTION bedrock_cost.refresh_chargeback() FROM PUBLIC;

DROP FUNCTION bedrock_cost._chargeback_table(text, text, text, text);

-- ------------------------------------------------------------------------
-- daily spend per tag value, without JSON: a view over chargeback_daily

CREATE VIEW bedrock_cost.daily_by_tag AS
	WITH keys AS (
		-- the tag keys of each period, as chargeback_by_tag has them
		SELECT DISTINCT t.billing_period, t.tag_key FROM bedrock_cost.chargeback_by_tag AS t
	)
	SELECT d.billing_period, d.usage_date, d.export_id, d.export_name, d.export, k.tag_key,
		   bedrock_cost.tag_name(k.tag_key) AS tag_name, bedrock_cost.tag_source(k.tag_key) AS tag_source,
		   coalesce(d.tags ->> k.tag_key, '(untagged)') AS tag_value,
		   NOT (d.tags ? k.tag_key) AS untagged,
		   sum(d.cost) AS cost, min(d.cost_basis) AS cost_basis,
		   sum(d.input_tokens) AS input_tokens, sum(d.output_tokens) AS output_tokens,
		   sum(d.cache_read_tokens) AS cache_read_tokens, sum(d.cache_write_tokens) AS cache_write_tokens,
		   sum(d.total_tokens) AS total_tokens, count(DISTINCT d.principal_arn) AS principals,
		   sum(d.line_items)::bigint AS line_items
	  FROM bedrock_cost.chargeback_daily AS d
	  JOIN keys AS k ON k.billing_period = d.billing_period
	 WHERE d.attribution <> 'account_level'
	 GROUP BY d.billing_period, d.usage_date, d.export_id, d.export_name, d.export, k.tag_key,
			  coalesce(d.tags ->> k.tag_key, '(untagged)'), NOT (d.tags ? k.tag_key);
COMMENT ON VIEW bedrock_cost.daily_by_tag IS
  'Bedrock usage (attributed and unattributed; account-level rows have no day to speak of) per UTC usage day, export and tag key and value (every key of the tags map, as chargeback_by_tag), with the (untagged) bucket per key: daily spend per team without reading JSON. Computed from chargeback_daily when read (filter on billing_period or usage_date)';

-- ------------------------------------------------------------------------
-- FOCUS 1.2-shaped view

CREATE VIEW bedrock_cost.focus_bedrock AS
	SELECT li.unblended_cost AS "BilledCost",
		   coalesce(li.net_unblended_cost, li.unblended_cost) AS "EffectiveCost",
		   li.list_cost AS "ListCost",
		   coalesce(li.net_unblended_cost, li.unblended_cost) AS "ContractedCost",
		   coalesce(li.currency, 'USD') AS "BillingCurrency",
		   coalesce(li.currency, 'USD') AS "PricingCurrency",
		   li.payer_account_id AS "BillingAccountId",
		   li.payer_account_name AS "BillingAccountName",
		   (li.billing_period::timestamp AT TIME ZONE 'UTC') AS "BillingPeriodStart",
		   ((li.billing_period + interval '1 month')::timestamp AT TIME ZONE 'UTC') AS "BillingPeriodEnd",
		   li.invoice_id AS "InvoiceId",
		   CASE WHEN bedrock_cost.is_usage_line_item_type(li.line_item_type) THEN 'Usage'
				WHEN li.line_item_type = 'Tax' THEN 'Tax'
				WHEN li.line_item_type IN ('Credit', 'Refund', 'Discount', 'EdpDiscount',
										   'PrivateRateDiscount', 'BundledDiscount',
										   'SavingsPlanNegation') THEN 'Credit'
				WHEN li.line_item_type IN ('Fee', 'RIFee', 'SavingsPlanUpfrontFee',
										   'SavingsPlanRecurringFee') THEN 'Purchase'
				ELSE 'Adjustment' END AS "ChargeCategory",
		   CASE WHEN li.line_item_type = 'Refund' THEN 'Correction' END AS "ChargeClass",
		   CASE WHEN li.line_item_type IN ('Fee', 'RIFee', 'SavingsPlanUpfrontFee')
				THEN 'One-Time' WHEN li.line_item_type = 'SavingsPlanRecurringFee' THEN 'Recurring'
				ELSE 'Usage-Based' END AS "ChargeFrequency",
		   li.usage_start AS "ChargePeriodStart",
		   li.usage_end AS "ChargePeriodEnd",
		   li.usage_type AS "ChargeDescription",
		   coalesce(li.tokens, li.usage_amount) AS "ConsumedQuantity",
		   CASE WHEN li.tokens IS NOT NULL THEN 'Tokens' ELSE li.pricing_unit END AS "ConsumedUnit",
		   CASE WHEN bedrock_cost.is_usage_line_item_type(li.line_item_type) THEN 'Standard' END AS "PricingCategory",
		   li.usage_amount AS "PricingQuantity",
		   li.pricing_unit AS "PricingUnit",
		   CASE WHEN li.billing_entity = 'AWS Marketplace' THEN 'AWS Marketplace'
				ELSE 'Amazon Web Services' END AS "InvoiceIssuerName",
		   'Amazon Web Services'::text AS "ProviderName",
		   CASE WHEN li.billing_entity = 'AWS Marketplace' THEN coalesce(li.product_name, li.product_code)
				ELSE 'Amazon Web Services' END AS "PublisherName",
		   CASE WHEN u.usage_type IS NOT NULL THEN u.region
				ELSE t.region END AS "RegionId",
		   li.resource_id AS "ResourceId",
		   (bedrock_cost.resource_parts(li.resource_id)).resource_name AS "ResourceName",
		   (bedrock_cost.resource_parts(li.resource_id)).resource_type AS "ResourceType",
		   coalesce(li.product_name, 'Amazon Bedrock') AS "ServiceName",
		   'AI and Machine Learning'::text AS "ServiceCategory",
		   'Generative AI'::text AS "ServiceSubcategory",
		   li.usage_type AS "SkuId",
		   coalesce(CASE WHEN u.usage_type IS NOT NULL THEN u.token_kind
						 ELSE t.token_kind END,
					li.usage_type) AS "SkuMeter",
		   li.usage_account_id AS "SubAccountId",
		   li.usage_account_name AS "SubAccountName",
		   li.tags AS "Tags",
		   li.principal::text AS "x_IamPrincipal",
		   li.line_item_type AS "x_LineItemType",
		   li.usage_type AS "x_UsageType",
		   li.operation AS "x_Operation",
		   li.product_code AS "x_ServiceCode",
		   CASE WHEN u.usage_type IS NOT NULL THEN u.model
				ELSE t.model END AS "x_Model",
		   CASE WHEN u.usage_type IS NOT NULL THEN u.tier
				ELSE t.tier END AS "x_Tier",
		   CASE WHEN u.usage_type IS NOT NULL THEN u.routing
				ELSE t.routing END AS "x_Routing",
		   li.billing_period AS "x_BillingPeriod",
		   li.export_id AS "x_ExportId",
		   e.export_name AS "x_ExportName",
		   e.path AS "x_Export",
		   li.load_id AS "x_LoadId",
		   li.file_no AS "x_FileNo",
		   li.line_number AS "x_LineNumber"
	  FROM bedrock_cost.line_items AS li
	  JOIN bedrock_cost.exports AS e ON e.export_id = li.export_id
	  -- the usage types' parts as the chargeback parsed them; a period not yet
	  -- refreshed has usage types it lacks, whose parts the loader recorded
	  -- (usage_types): a join, not a parse per row, so on Citus no shard
	  -- query calls a function that reads model_aliases
	  LEFT JOIN bedrock_cost.chargeback_usage_types AS u
		ON u.usage_type = li.usage_type AND u.product_name_key = coalesce(li.product_name, '')
	  LEFT JOIN bedrock_cost.usage_types AS t
		ON t.usage_type = li.usage_type AND t.product_name = coalesce(li.product_name, '');
COMMENT ON VIEW bedrock_cost.focus_bedrock IS
  'Bedrock spend shaped like a FOCUS 1.2 cost and usage dataset (column names as FOCUS spells them, custom columns x_-prefixed), one row per line item, with the caller as x_IamPrincipal. Mapping: BilledCost = unblended; EffectiveCost and ContractedCost = net unblended where present (negotiated discounts applied) else unblended; ListCost = pricing_public_on_demand_cost; ChargeCategory from the line item type, ChargeClass Correction for Refund rows; BillingPeriodStart/End as timestamps (UTC midnight); ConsumedQuantity = tokens for token usage; BillingCurrency = line_item_currency_code (USD when a file lacks the column). Not a conformance claim: columns FOCUS requires that CUR 2.0 Bedrock rows do not carry (commitment discounts, capacity reservations, SkuPriceId, list and contracted unit prices) are left out. Filter on x_BillingPeriod to read one month';

-- from sql/install/65_budgets.sql
/*
 * 65_budgets.sql: monthly budgets on the chargeback, their status (spent to
 * date, run rate, month-end forecast, state) and one NOTIFY per change of
 * state after a load.
 *
 * A budget has a scope (the whole bill, an iamPrincipal/<key> value, a
 * principal, a role or a usage account), a monthly amount and a warning
 * threshold in percent.  budget_status evaluates every budget in every
 * billing period and export the chargeback holds (per export, like every
 * chargeback view, so the same bill synced twice is never counted twice), from chargeback_by_principal (cost
 * in the cost basis in force) and the period's last usage day
 * (chargeback_state.data_through): see the formula in budget_status's
 * comment and in README.md, Budgets.  refresh_chargeback() calls
 * _budget_notify(periods) for the periods it recomputed: a (budget, period,
 * export) whose state differs from the one recorded in budget_state (ok when none)
 * gets one pg_notify('bedrock_cost_budget', json), sent at commit, and the
 * new state is recorded; a refresh that recomputes nothing sends nothing.
 * Changes to budgets are audited (75_audit.sql); budgets and budget_state
 * are kept by pg_dump.
 *
 * IDENTIFICATION
 *		sql/install/65_budgets.sql
 */

CREATE TABLE bedrock_cost.budgets (
	name			text PRIMARY KEY CHECK (name <> ''),
	scope			text NOT NULL CHECK (scope IN ('bill', 'tag', 'principal', 'role', 'account')),
	tag_key			text CHECK (tag_key ~ '^[A-Za-z]+/.'),
	tag_value		text,
	principal_arn	text,
	role_arn		text,
	account_id		text CHECK (account_id ~ '^[0-9]{12}$'),
	monthly_amount	numeric NOT NULL CHECK (monthly_amount > 0),
	warning_percent	numeric NOT NULL DEFAULT 80 CHECK (warning_percent > 0 AND warning_percent <= 100),
	note			text,
	CONSTRAINT budgets_scope_columns CHECK (
		CASE scope
			WHEN 'bill' THEN pg_catalog.num_nonnulls(tag_key, tag_value, principal_arn, role_arn, account_id) = 0
			WHEN 'tag' THEN tag_key IS NOT NULL AND tag_value IS NOT NULL
				AND pg_catalog.num_nonnulls(principal_arn, role_arn, account_id) = 0
			WHEN 'principal' THEN principal_arn IS NOT NULL
				AND pg_catalog.num_nonnulls(tag_key, tag_value, role_arn, account_id) = 0
			WHEN 'role' THEN role_arn IS NOT NULL
				AND pg_catalog.num_nonnulls(tag_key, tag_value, principal_arn, account_id) = 0
			ELSE account_id IS NOT NULL
				AND pg_catalog.num_nonnulls(tag_key, tag_value, principal_arn, role_arn) = 0
		END)
);
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.budgets', '');
COMMENT ON TABLE bedrock_cost.budgets IS
  'monthly budgets on the chargeback cost: one row per budget, with its scope (the columns the scope names are set, the others NULL); evaluated per billing period by bedrock_cost.budget_status; changes are audited; kept by pg_dump';
COMMENT ON COLUMN bedrock_cost.budgets.name IS 'the budget''s name, unique';
COMMENT ON COLUMN bedrock_cost.budgets.scope IS
  'what the budget covers: bill (every chargeback row: attributed, unattributed and account-level), tag (rows whose tags map carries tag_key = tag_value: any key, iamPrincipal/, resourceTags/, accountTag/, ...), principal (principal_arn), role (role_arn: the role and its sessions), account (every row of usage account account_id)';
COMMENT ON COLUMN bedrock_cost.budgets.tag_key IS 'scope tag: the full key with its source prefix, e.g. iamPrincipal/team, resourceTags/user:project, accountTag/department';
COMMENT ON COLUMN bedrock_cost.budgets.tag_value IS 'scope tag: the value, e.g. search';
COMMENT ON COLUMN bedrock_cost.budgets.principal_arn IS 'scope principal: the principal ARN as billed';
COMMENT ON COLUMN bedrock_cost.budgets.role_arn IS 'scope role: the role ARN (arn:aws:iam::<account>:role/<name>) its sessions roll up to';
COMMENT ON COLUMN bedrock_cost.budgets.account_id IS 'scope account: the 12-digit usage account id';
COMMENT ON COLUMN bedrock_cost.budgets.monthly_amount IS 'the budget per billing month, USD, in the chargeback cost basis';
COMMENT ON COLUMN bedrock_cost.budgets.warning_percent IS 'state warning once spent reaches this percent of monthly_amount (default 80)';
COMMENT ON COLUMN bedrock_cost.budgets.note IS 'free text';

CREATE TABLE bedrock_cost.budget_state (
	name			text NOT NULL,
	billing_period	date NOT NULL,
	export_id		integer NOT NULL,
	state			text NOT NULL,
	changed_at		timestamptz NOT NULL,
	PRIMARY KEY (name, billing_period, export_id)
);
-- kept, so a restore does not announce every state again
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.budget_state', '');
COMMENT ON TABLE bedrock_cost.budget_state IS
  'the state of each budget in each billing period and export as last announced (NOTIFY bedrock_cost_budget); written by refresh_chargeback(), kept by pg_dump so a restore announces nothing again';
COMMENT ON COLUMN bedrock_cost.budget_state.name IS 'the budget (budgets.name)';
COMMENT ON COLUMN bedrock_cost.budget_state.billing_period IS 'first day of the billing month';
COMMENT ON COLUMN bedrock_cost.budget_state.export_id IS 'the export (bedrock_cost.exports)';
COMMENT ON COLUMN bedrock_cost.budget_state.state IS 'ok, warning, forecast_over or over';
COMMENT ON COLUMN bedrock_cost.budget_state.changed_at IS 'when the state was last recorded as changed';

-- the spend of every budget in every period and export: one scan of that
-- period's chargeback_by_principal rows (its index) per budget and period
CREATE VIEW bedrock_cost.budget_status AS
	WITH months AS (
		-- every period and export the chargeback holds, with the period's last usage day
		SELECT m.billing_period, m.export_id, st.data_through
		  FROM (SELECT DISTINCT c.billing_period, c.export_id
				  FROM bedrock_cost.chargeback_by_principal AS c) AS m
		  JOIN bedrock_cost.chargeback_state AS st ON st.billing_period = m.billing_period
		 WHERE st.data_through IS NOT NULL
	), s AS (
		SELECT b.name, b.scope, b.tag_key, b.tag_value, b.principal_arn, b.role_arn, b.account_id,
			   m.billing_period, m.export_id, e.export_name, e.path AS export,
			   b.monthly_amount, b.warning_percent,
			   coalesce(sp.spent, 0) AS spent, m.data_through,
			   m.data_through - m.billing_period + 1 AS days_elapsed,
			   (m.billing_period + interval '1 month')::date - m.billing_period AS days_in_month
		  FROM bedrock_cost.budgets AS b
		 CROSS JOIN months AS m
		  JOIN bedrock_cost.exports AS e ON e.export_id = m.export_id
		 CROSS JOIN LATERAL (
			-- a tag budget reads chargeback_by_tag (any key of the tags map), the others
			-- chargeback_by_principal; each through its billing_period index
			SELECT CASE WHEN b.scope = 'tag' THEN
						(SELECT pg_catalog.sum(t.cost)
						   FROM bedrock_cost.chargeback_by_tag AS t
						  WHERE t.billing_period = m.billing_period AND t.export_id = m.export_id
							AND t.tag_key = b.tag_key AND t.tag_value = b.tag_value AND NOT t.untagged)
				   ELSE
						(SELECT pg_catalog.sum(c.cost)
						   FROM bedrock_cost.chargeback_by_principal AS c
						  WHERE c.billing_period = m.billing_period AND c.export_id = m.export_id
							AND CASE b.scope
									WHEN 'bill' THEN true
									WHEN 'principal' THEN c.principal_arn = b.principal_arn
									WHEN 'role' THEN c.role_arn = b.role_arn
									ELSE c.usage_account_id = b.account_id
								END)
				   END AS spent) AS sp
	)
	SELECT s.name, s.scope, s.tag_key, s.tag_value, s.principal_arn, s.role_arn, s.account_id,
		   s.billing_period, s.export_id, s.export_name, s.export,
		   s.monthly_amount, s.warning_percent, s.spent, s.data_through,
		   s.days_elapsed, s.days_in_month,
		   round(s.spent / s.days_elapsed, 10) AS daily_run_rate,
		   round(s.spent * s.days_in_month / s.days_elapsed, 10) AS forecast,
		   round(s.spent * 100 / s.monthly_amount, 2) AS percent_used,
		   CASE WHEN s.spent > s.monthly_amount THEN 'over'
				WHEN s.spent * s.days_in_month > s.monthly_amount * s.days_elapsed THEN 'forecast_over'
				WHEN s.spent * 100 >= s.monthly_amount * s.warning_percent THEN 'warning'
				ELSE 'ok' END AS state
	  FROM s;
COMMENT ON VIEW bedrock_cost.budget_status IS
  'every budget in every billing period and export the chargeback holds (per export, like every chargeback view: the same bill synced into two folders is never counted twice): spent = the sum of chargeback_by_principal.cost in the budget''s scope (of chargeback_by_tag.cost for a tag budget, whose key may be any key of the tags map); N = days_elapsed, from the first of the month through data_through (the last usage day in the period''s data, not today: CUR arrives late); D = days_in_month; daily_run_rate = spent / N; forecast = spent / N * D (both rounded to 10 decimals); percent_used = spent * 100 / monthly_amount (2 decimals); state = over when spent > monthly_amount, else forecast_over when spent * D > monthly_amount * N, else warning when spent * 100 >= monthly_amount * warning_percent, else ok (compared exactly, before rounding)';

DO $do$
DECLARE
	d record;
BEGIN
	FOR d IN SELECT * FROM (VALUES
		('name', 'the budget (budgets.name)'),
		('scope', 'bill, tag, principal, role or account (see budgets.scope)'),
		('tag_key', 'scope tag: the full key'),
		('tag_value', 'scope tag: the value'),
		('principal_arn', 'scope principal: the principal ARN'),
		('role_arn', 'scope role: the role ARN'),
		('account_id', 'scope account: the usage account id'),
		('billing_period', 'first day of the billing month'),
		('export_id', 'the export (bedrock_cost.exports) the spend came from; a budget has a status per export'),
		('export_name', 'name the export folder is registered under (add_export); NULL when it is loaded by hand'),
		('export', 'absolute path of the export folder'),
		('monthly_amount', 'the budget per month, USD'),
		('warning_percent', 'the warning threshold, percent of monthly_amount'),
		('spent', 'chargeback cost in the scope in this period so far, USD, exact (cost basis in force)'),
		('data_through', 'the last usage day in the period''s data (chargeback_state.data_through)'),
		('days_elapsed', 'N: days from the first of the month through data_through'),
		('days_in_month', 'D: days of the billing month'),
		('daily_run_rate', 'spent / N, rounded to 10 decimals'),
		('forecast', 'month-end forecast spent / N * D, rounded to 10 decimals'),
		('percent_used', 'spent * 100 / monthly_amount, rounded to 2 decimals'),
		('state', 'over (spent > amount), forecast_over (spent * D > amount * N), warning (spent * 100 >= amount * warning_percent) or ok, in that order')
	) AS v(col, doc)
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON COLUMN bedrock_cost.budget_status.%I IS %L', d.col, d.doc);
	END LOOP;
END
$do$;

-- after a refresh: announce the states that changed in the recomputed periods
CREATE FUNCTION bedrock_cost._budget_notify(periods date[])
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
	n integer := 0;
BEGIN
	-- states of budgets and exports that no longer exist are forgotten
	DELETE FROM bedrock_cost.budget_state AS bs
	 WHERE NOT EXISTS (SELECT 1 FROM bedrock_cost.budgets AS b WHERE b.name = bs.name)
		OR NOT EXISTS (SELECT 1 FROM bedrock_cost.exports AS e WHERE e.export_id = bs.export_id);
	FOR r IN
		SELECT s.*, coalesce(bs.state, 'ok') AS previous_state
		  FROM bedrock_cost.budget_status AS s
		  LEFT JOIN bedrock_cost.budget_state AS bs
			ON bs.name = s.name AND bs.billing_period = s.billing_period AND bs.export_id = s.export_id
		 WHERE s.billing_period = ANY (periods)
		   AND s.state <> coalesce(bs.state, 'ok')
		 ORDER BY s.billing_period, s.export_id, s.name
	LOOP
		PERFORM pg_catalog.pg_notify('bedrock_cost_budget', pg_catalog.json_build_object(
			'budget', r.name, 'scope', r.scope, 'billing_period', r.billing_period,
			'export_id', r.export_id, 'export_name', r.export_name, 'export', r.export,
			'previous_state', r.previous_state, 'state', r.state,
			'spent', r.spent, 'monthly_amount', r.monthly_amount, 'forecast', r.forecast,
			'percent_used', r.percent_used, 'data_through', r.data_through)::text);
		INSERT INTO bedrock_cost.budget_state AS bs (name, billing_period, export_id, state, changed_at)
		VALUES (r.name, r.billing_period, r.export_id, r.state, pg_catalog.clock_timestamp())
		ON CONFLICT (name, billing_period, export_id)
		DO UPDATE SET state = excluded.state, changed_at = excluded.changed_at;
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION bedrock_cost._budget_notify(date[]) IS
  'internal: for the given billing periods, sends NOTIFY bedrock_cost_budget (a JSON payload: budget, scope, billing_period, export_id, export_name, export, previous_state, state, spent, monthly_amount, forecast, percent_used, data_through) once for every budget whose state differs from the one recorded in budget_state (ok when none), records the new state, and returns how many it sent; called by refresh_chargeback()';
REVOKE ALL ON FUNCTION bedrock_cost._budget_notify(date[]) FROM PUBLIC;

-- from sql/install/66_what_if.sql
/*
 * 66_what_if.sql: what-if repricing.  What would the tokens one model
 * used have cost on another model, at that model's prices as the bill
 * itself shows them?
 *
 * what_if(from_model, to_model, ...) takes the token volumes of from_model
 * (canonical model_key) per billing period, export, token kind, region and
 * tier, in the scope the filters give (period, iamPrincipal tag, principal,
 * role, usage account), and prices each at to_model's unit price observed in
 * the same period and export for the same token kind, region and tier:
 * to_model's cost over its tokens there (chargeback_base, in the cost basis
 * in force).  what_if_cost = tokens * price_cost / price_tokens, rounded to
 * 10 decimals (CUR's precision), NULL where the bill has no price for that
 * kind, region and tier; each row says where its price comes from (the
 * period, line items, tokens and cost behind it).  bi_what_if is the same
 * for the reader role, limited to what team_access lets the caller see.
 *
 * IDENTIFICATION
 *		sql/install/66_what_if.sql
 */

CREATE FUNCTION bedrock_cost.what_if(
	from_model text, to_model text,
	period date DEFAULT NULL, tag_key text DEFAULT NULL, tag_value text DEFAULT NULL,
	principal text DEFAULT NULL, role text DEFAULT NULL, account text DEFAULT NULL,
	OUT billing_period date, OUT export_id integer, OUT token_kind text, OUT region text, OUT tier text,
	OUT from_model_key text, OUT tokens numeric, OUT cost numeric,
	OUT to_model_key text, OUT what_if_cost numeric, OUT difference numeric,
	OUT price_per_million_tokens numeric, OUT price_line_items bigint, OUT price_tokens numeric,
	OUT price_cost numeric, OUT cost_basis text)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH args AS (
		SELECT $1 AS from_model, $2 AS to_model, $3 AS period, $4 AS tag_key, $5 AS tag_value,
			   $6 AS principal_arn, $7 AS role_arn, $8 AS account
	), rows AS (
		-- usage rows of either model, with their parts, in the cost basis
		SELECT b.billing_period, b.export_id, b.principal_arn, b.tags, b.usage_account_id,
			   u.model_key, u.token_kind, u.region, u.tier, b.tokens, b.line_items,
			   CASE c.cost_basis WHEN 'net_unblended' THEN b.net_unblended_cost
					ELSE b.unblended_cost END AS cost
		  FROM bedrock_cost.chargeback_base AS b
		  JOIN bedrock_cost.chargeback_usage_types AS u
			ON u.usage_type = b.usage_type AND u.product_name_key = coalesce(b.product_name, '')
		 CROSS JOIN bedrock_cost.chargeback_basis AS c
		 CROSS JOIN args AS a
		 WHERE bedrock_cost.is_usage_line_item_type(b.line_item_type)
		   AND u.token_kind IN ('input', 'output', 'cache_read', 'cache_write')
		   AND u.model_key IN (a.from_model, a.to_model)
		   AND (a.period IS NULL OR b.billing_period = a.period)
	), volumes AS (
		-- the from model's tokens in the scope
		SELECT r.billing_period, r.export_id, r.token_kind, r.region, r.tier,
			   sum(r.tokens) AS tokens, sum(r.cost) AS cost
		  FROM rows AS r CROSS JOIN args AS a
		 WHERE r.model_key = a.from_model
		   AND (a.tag_key IS NULL OR (r.tags ->> a.tag_key) = a.tag_value)
		   AND (a.principal_arn IS NULL OR r.principal_arn = a.principal_arn)
		   AND (a.role_arn IS NULL
				OR bedrock_cost.role_arn(r.principal_arn::bedrock_cost.iam_arn)::text = a.role_arn)
		   AND (a.account IS NULL OR r.usage_account_id = a.account)
		 GROUP BY 1, 2, 3, 4, 5
	), prices AS (
		-- the to model's observed prices, over the whole bill of the period
		SELECT r.billing_period, r.export_id, r.token_kind, r.region, r.tier,
			   sum(r.line_items)::bigint AS line_items, sum(r.tokens) AS tokens, sum(r.cost) AS cost
		  FROM rows AS r CROSS JOIN args AS a
		 WHERE r.model_key = a.to_model
		 GROUP BY 1, 2, 3, 4, 5
		HAVING sum(r.tokens) > 0
	)
	SELECT v.billing_period, v.export_id, v.token_kind, v.region, v.tier,
		   a.from_model, v.tokens, v.cost, a.to_model,
		   round(v.tokens * p.cost / p.tokens, 10) AS what_if_cost,
		   round(v.tokens * p.cost / p.tokens, 10) - v.cost AS difference,
		   round(p.cost * 1000000 / p.tokens, 6) AS price_per_million_tokens,
		   p.line_items, p.tokens, p.cost, c.cost_basis
	  FROM volumes AS v
	 CROSS JOIN args AS a
	 CROSS JOIN bedrock_cost.chargeback_basis AS c
	  LEFT JOIN prices AS p
		ON p.billing_period = v.billing_period AND p.export_id = v.export_id
	   AND p.token_kind = v.token_kind AND p.region IS NOT DISTINCT FROM v.region
	   AND p.tier IS NOT DISTINCT FROM v.tier
	 ORDER BY 1, 2, 3, 4, 5
$$;
COMMENT ON FUNCTION bedrock_cost.what_if(text, text, date, text, text, text, text, text) IS
  'what-if repricing: the tokens from_model (a canonical model_key) used, per billing period, export, token kind (input, output, cache_read, cache_write), region and tier, in the scope of the filters (period, tag_key = tag_value on the principal''s tags, principal ARN, role ARN, usage account; NULL: all), priced at to_model''s unit price observed in the bill in the same period, export, kind, region and tier (its cost over its tokens, in the cost basis in force): what_if_cost = round(tokens * price_cost / price_tokens, 10), difference = what_if_cost - cost; NULL where the bill has no such price. price_line_items, price_tokens and price_cost say where each price comes from';

-- the reader role's variant: a team sees the repricing of its own usage only
CREATE FUNCTION bedrock_cost.bi_what_if(
	from_model text, to_model text,
	period date DEFAULT NULL, tag_key text DEFAULT NULL, tag_value text DEFAULT NULL,
	OUT billing_period date, OUT export_id integer, OUT token_kind text, OUT region text, OUT tier text,
	OUT from_model_key text, OUT tokens bigint, OUT cost numeric(38,16),
	OUT to_model_key text, OUT what_if_cost numeric(38,16), OUT difference numeric(38,16),
	OUT price_per_million_tokens numeric(38,6), OUT price_line_items bigint, OUT price_tokens bigint,
	OUT price_cost numeric(38,16), OUT cost_basis text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- the caller (current_user here is the owner), matched as the bi_* views match it
	everything boolean := pg_catalog.pg_has_role(bedrock_cost._session_role(), 'bedrock_cost_admin', 'MEMBER')
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = bedrock_cost._session_role() AND ta.tag_key = '*');
BEGIN
	IF NOT (everything
			OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						WHERE ta.role_name = bedrock_cost._session_role()
						  AND ta.tag_key = $4 AND ta.tag_value = $5)) THEN
		RAISE EXCEPTION 'no access to the usage of % = %', coalesce($4, '(all tags)'), coalesce($5, '(all values)')
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Give tag_key and tag_value of a team your role is mapped to in bedrock_cost.team_access.';
	END IF;
	RETURN QUERY
	SELECT w.billing_period, w.export_id, w.token_kind, w.region, w.tier, w.from_model_key,
		   w.tokens::bigint, w.cost::numeric(38,16), w.to_model_key, w.what_if_cost::numeric(38,16),
		   w.difference::numeric(38,16), w.price_per_million_tokens::numeric(38,6),
		   -- the whole bill's volumes behind a price: for roles that see everything
		   CASE WHEN everything THEN w.price_line_items END,
		   CASE WHEN everything THEN w.price_tokens::bigint END,
		   CASE WHEN everything THEN w.price_cost::numeric(38,16) END, w.cost_basis
	  FROM bedrock_cost.what_if($1, $2, $3, $4, $5) AS w;
END
$$;
COMMENT ON FUNCTION bedrock_cost.bi_what_if(text, text, date, text, text) IS
  'bedrock_cost.what_if for the reader role, with plain declared types (costs numeric(38,16), tokens bigint): a role mapped to * in team_access (or an admin) may reprice any usage; a team role only the usage of a tag_key = tag_value it is mapped to (insufficient_privilege otherwise). Prices are always the whole bill''s; the volumes behind them (price_line_items, price_tokens, price_cost) are NULL for a team role';
REVOKE ALL ON FUNCTION bedrock_cost.what_if(text, text, date, text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION bedrock_cost.bi_what_if(text, text, date, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bedrock_cost.bi_what_if(text, text, date, text, text) TO bedrock_cost_reader;

-- from sql/install/70_bi.sql
/*
 * 70_bi.sql: the views BI tools (Metabase, Superset) and team leads read.
 *
 * Every bi_* view has plain SQL column types only (text, date, numeric,
 * bigint, boolean; the ARN as text next to its parts, tags as JSON text),
 * declared so that drivers report them exactly: costs and usage_amount
 * numeric(38,16) (exact for every value with at most 16 decimals, which
 * covers CUR's; a value with more is rounded to 16, half away from zero),
 * cost_per_million_tokens numeric(38,6), token counts and counts bigint (the
 * exact sum cast, so a fractional token sum is rounded to a whole token),
 * a comment on the view and on every column, and row-level security: the
 * views are security_barrier views that show a row only when
 * bedrock_cost.team_access maps the current database role to it (the reader
 * role has no privilege on the chargeback tables themselves).
 *
 * Access rule, with r = current_user (the "sees everything" part is an
 * uncorrelated subquery, evaluated once per query):
 *   - superusers and members of bedrock_cost_admin see every row;
 *   - a team_access row (r, '*', '*') shows every row;
 *   - a team_access row (r, 'iamPrincipal/<key>', <value>) shows the rows
 *     whose principal carries that tag value (per-principal and daily views)
 *     and the rows of that key and value (per-tag view);
 *   - no team_access row: nothing.
 * The per-model view has no principal, so only unrestricted roles see it.
 *
 * IDENTIFICATION
 *		sql/install/70_bi.sql
 */

CREATE TABLE bedrock_cost.team_access (
	role_name	name NOT NULL,
	tag_key		text NOT NULL,
	tag_value	text NOT NULL,
	PRIMARY KEY (role_name, tag_key, tag_value),
	CHECK (tag_key = '*' AND tag_value = '*' OR tag_key LIKE 'iamPrincipal/_%' OR tag_key = 'gateway/team')
);
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.team_access', '');
COMMENT ON TABLE bedrock_cost.team_access IS
  'which rows of the bi_* views each database role sees: a role with a row (tag_key, tag_value) sees the spend of principals tagged so; (''*'', ''*'') sees everything; a role without rows sees nothing (superusers and bedrock_cost_admin members see everything). Matched against current_user exactly (not role membership)';
COMMENT ON COLUMN bedrock_cost.team_access.role_name IS 'database role (as current_user reports it) the row grants to';
COMMENT ON COLUMN bedrock_cost.team_access.tag_key IS 'full tag key as in the CUR tags map, e.g. iamPrincipal/cost-center; gateway/team for a team of a gateway''s request log (bi_gateway_chargeback); * for all rows';
COMMENT ON COLUMN bedrock_cost.team_access.tag_value IS 'the tag value the role may see, e.g. 12345; * with tag_key *';

-- ------------------------------------------------------------------------
-- the views

CREATE VIEW bedrock_cost.bi_chargeback_by_principal WITH (security_barrier) AS
	SELECT c.billing_period, c.export_id, c.export_name, c.export,
		   c.payer_account_id, c.usage_account_id, c.payer_account_name, c.usage_account_name,
		   c.attribution, c.line_item_type,
		   c.principal_arn, c.principal_type, c.principal_account_id, c.role_arn,
		   c.role_name, c.person, c.is_api_key,
		   c.principal_tags::text AS principal_tags_json,
		   c.cost::numeric(38,16) AS cost, c.cost_basis,
		   c.unblended_cost::numeric(38,16) AS unblended_cost,
		   c.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   c.input_tokens::bigint AS input_tokens, c.output_tokens::bigint AS output_tokens,
		   c.cache_read_tokens::bigint AS cache_read_tokens,
		   c.cache_write_tokens::bigint AS cache_write_tokens, c.total_tokens::bigint AS total_tokens,
		   c.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_by_principal AS c
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = current_user AND ta.tag_key <> '*'
					  AND (c.principal_tags ->> ta.tag_key) = ta.tag_value);
COMMENT ON VIEW bedrock_cost.bi_chargeback_by_principal IS
  'Bedrock chargeback per month, account and IAM principal, for BI tools: one row per billing period, payer and usage account, line item type, principal and principal tag set; unattributed usage and account-level rows (Tax, Credit, Refund, discounts) are their own rows. Row-level security by bedrock_cost.team_access';

CREATE VIEW bedrock_cost.bi_principal_tags WITH (security_barrier) AS
	SELECT c.billing_period, c.export_id, c.export_name, c.export,
		   c.payer_account_id, c.usage_account_id, c.attribution, c.line_item_type,
		   c.principal_arn, c.principal_type, c.role_arn, c.person,
		   t.key AS tag_key, bedrock_cost.tag_name(t.key) AS tag_name, t.value AS tag_value,
		   c.cost::numeric(38,16) AS cost, c.cost_basis,
		   c.unblended_cost::numeric(38,16) AS unblended_cost,
		   c.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   c.input_tokens::bigint AS input_tokens, c.output_tokens::bigint AS output_tokens,
		   c.cache_read_tokens::bigint AS cache_read_tokens,
		   c.cache_write_tokens::bigint AS cache_write_tokens, c.total_tokens::bigint AS total_tokens,
		   c.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_by_principal AS c,
		   LATERAL pg_catalog.jsonb_each_text(c.principal_tags) AS t
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = current_user AND ta.tag_key <> '*'
					  AND (c.principal_tags ->> ta.tag_key) = ta.tag_value);
COMMENT ON VIEW bedrock_cost.bi_principal_tags IS
  'per-principal chargeback repeated once per iamPrincipal tag of the principal, for drilling from a team (filter tag_key and tag_value) down to its principals; sum over one tag_key only, never over all rows (a principal appears once per tag). Row-level security by bedrock_cost.team_access';

CREATE VIEW bedrock_cost.bi_chargeback_by_tag WITH (security_barrier) AS
	SELECT t.billing_period, t.export_id, t.export_name, t.export,
		   t.tag_key, t.tag_name, t.tag_source, t.tag_value, t.untagged, t.attribution,
		   t.cost::numeric(38,16) AS cost, t.cost_basis,
		   t.unblended_cost::numeric(38,16) AS unblended_cost,
		   t.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   t.input_tokens::bigint AS input_tokens, t.output_tokens::bigint AS output_tokens,
		   t.cache_read_tokens::bigint AS cache_read_tokens,
		   t.cache_write_tokens::bigint AS cache_write_tokens, t.total_tokens::bigint AS total_tokens,
		   t.principals::bigint AS principals, t.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_by_tag AS t
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR (NOT t.untagged
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user
						   AND ta.tag_key = t.tag_key AND ta.tag_value = t.tag_value));
COMMENT ON VIEW bedrock_cost.bi_chargeback_by_tag IS
  'Bedrock chargeback per month and cost-allocation tag (iamPrincipal/team, iamPrincipal/cost-center, resourceTags/user:project, accountTag/department...: every key of the tags map seen is a dimension, tag_source names where it comes from), with the explicit bucket tag_value = (untagged) per key; for one key the values add up to the whole month. Row-level security by bedrock_cost.team_access';

CREATE VIEW bedrock_cost.bi_usage_by_model WITH (security_barrier) AS
	SELECT m.billing_period, m.export_id, m.export_name, m.export, m.model, m.model_key, m.vendor, m.token_kind, m.tier, m.routing, m.region, m.recognized,
		   m.tokens::bigint AS tokens, m.usage_amount::numeric(38,16) AS usage_amount,
		   m.cost::numeric(38,16) AS cost, m.cost_basis,
		   m.unblended_cost::numeric(38,16) AS unblended_cost,
		   m.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   m.cost_per_million_tokens::numeric(38,6) AS cost_per_million_tokens,
		   m.principals::bigint AS principals, m.line_items::bigint AS line_items
	  FROM bedrock_cost.usage_by_model AS m
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'));
COMMENT ON VIEW bedrock_cost.bi_usage_by_model IS
  'Bedrock usage per month, model, token kind, tier, routing and region with tokens, cost and cost per million tokens. Only roles that see all rows (team_access *) see it: it has no principal to filter on (teams use bi_daily, which has the model)';

CREATE VIEW bedrock_cost.bi_chargeback_by_resource WITH (security_barrier) AS
	SELECT r.billing_period, r.export_id, r.export_name, r.export,
		   r.usage_account_id, r.usage_account_name, r.resource_id, r.resource_type, r.resource_name,
		   r.vendor, r.model_key,
		   r.cost::numeric(38,16) AS cost, r.cost_basis,
		   r.unblended_cost::numeric(38,16) AS unblended_cost,
		   r.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   r.input_tokens::bigint AS input_tokens, r.output_tokens::bigint AS output_tokens,
		   r.cache_read_tokens::bigint AS cache_read_tokens,
		   r.cache_write_tokens::bigint AS cache_write_tokens, r.total_tokens::bigint AS total_tokens,
		   r.principals::bigint AS principals, r.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_by_resource AS r
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'));
COMMENT ON VIEW bedrock_cost.bi_chargeback_by_resource IS
  'Bedrock usage per month, usage account, inference profile (line_item_resource_id: application inference profiles and system profiles; NULL for calls without one) and model: cost by application inference profile. Only roles that see all rows (team_access *) see it: a resource is not a team (teams use the resource tags in bi_chargeback_by_tag)';

CREATE VIEW bedrock_cost.bi_team_model_mix WITH (security_barrier) AS
	SELECT t.billing_period, t.export_id, t.export_name, t.export,
		   t.tag_key, t.tag_name, t.tag_source, t.tag_value, t.untagged, t.vendor, t.model_key,
		   t.cost::numeric(38,16) AS cost, t.cost_basis,
		   t.unblended_cost::numeric(38,16) AS unblended_cost,
		   t.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   t.share_of_team::numeric(38,6) AS share_of_team,
		   t.input_tokens::bigint AS input_tokens, t.output_tokens::bigint AS output_tokens,
		   t.cache_read_tokens::bigint AS cache_read_tokens,
		   t.cache_write_tokens::bigint AS cache_write_tokens, t.total_tokens::bigint AS total_tokens,
		   t.principals::bigint AS principals, t.line_items::bigint AS line_items
	  FROM bedrock_cost.team_model_mix AS t
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR (NOT t.untagged
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user
						   AND ta.tag_key = t.tag_key AND ta.tag_value = t.tag_value));
COMMENT ON VIEW bedrock_cost.bi_team_model_mix IS
  'Bedrock usage per month, tag value (any key of the tags map: iamPrincipal/team, resourceTags/user:project, ...), vendor and canonical model, with the model''s share of the team''s cost and tokens by kind: which department drives Opus and which Sonnet. The bucket tag_value = (untagged) holds usage without the key. Row-level security by bedrock_cost.team_access (a team sees its own tag value)';

CREATE VIEW bedrock_cost.bi_usage_profile WITH (security_barrier) AS
	SELECT p.billing_period, p.export_id, p.export_name, p.export, p.scope,
		   p.principal_arn, p.person, p.role_arn, p.principal_tags::text AS principal_tags_json,
		   p.tag_key, p.tag_name, p.tag_source, p.tag_value, p.untagged,
		   p.cost::numeric(38,16) AS cost, p.cost_basis,
		   p.unblended_cost::numeric(38,16) AS unblended_cost,
		   p.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   p.input_tokens::bigint AS input_tokens, p.output_tokens::bigint AS output_tokens,
		   p.cache_read_tokens::bigint AS cache_read_tokens,
		   p.cache_write_tokens::bigint AS cache_write_tokens, p.total_tokens::bigint AS total_tokens,
		   p.output_input_ratio::numeric(38,6) AS output_input_ratio,
		   p.cache_hit_ratio::numeric(38,6) AS cache_hit_ratio,
		   p.cost_per_million_tokens::numeric(38,6) AS cost_per_million_tokens,
		   p.dominant_model, p.dominant_model_share::numeric(38,6) AS dominant_model_share,
		   p.workload, p.line_items::bigint AS line_items
	  FROM bedrock_cost.usage_profile AS p
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR (p.scope = 'principal'
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user AND ta.tag_key <> '*'
						   AND (p.principal_tags ->> ta.tag_key) = ta.tag_value))
		OR (p.scope = 'tag' AND NOT p.untagged
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user
						   AND ta.tag_key = p.tag_key AND ta.tag_value = p.tag_value));
COMMENT ON VIEW bedrock_cost.bi_usage_profile IS
  'usage profile per month of each principal (scope principal) and each tag value of any tags-map key (scope tag): tokens by kind, output per prompt token, cache hit ratio, cost per million tokens, dominant model and a workload label (document-heavy, balanced, generation-heavy). Row-level security by bedrock_cost.team_access: a team sees its principals and its own tag value';

CREATE VIEW bedrock_cost.bi_budget_status WITH (security_barrier) AS
	SELECT s.name, s.scope, s.tag_key, s.tag_value, s.principal_arn, s.role_arn, s.account_id,
		   s.billing_period, s.export_id, s.export_name, s.export,
		   s.monthly_amount::numeric(38,16) AS monthly_amount,
		   s.warning_percent::numeric(38,6) AS warning_percent,
		   s.spent::numeric(38,16) AS spent, s.data_through,
		   s.days_elapsed, s.days_in_month,
		   s.daily_run_rate::numeric(38,16) AS daily_run_rate,
		   s.forecast::numeric(38,16) AS forecast,
		   s.percent_used::numeric(38,6) AS percent_used, s.state
	  FROM bedrock_cost.budget_status AS s
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR (s.scope = 'tag'
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user
						   AND ta.tag_key = s.tag_key AND ta.tag_value = s.tag_value));
COMMENT ON VIEW bedrock_cost.bi_budget_status IS
  'budgets per month: spent to date, daily run rate, month-end forecast, percent used and state (ok, warning, forecast_over, over); see bedrock_cost.budget_status for the formula. Row-level security by bedrock_cost.team_access: a team sees the budgets of its own tag value';
-- its columns say what budget_status's say, and the type declared here
DO $do$
DECLARE
	a record;
BEGIN
	FOR a IN SELECT v.attname, pg_catalog.format_type(v.atttypid, v.atttypmod) AS typ,
					pg_catalog.col_description(s.attrelid, s.attnum) AS doc
			   FROM pg_catalog.pg_attribute AS v
			   JOIN pg_catalog.pg_attribute AS s
				 ON s.attrelid = 'bedrock_cost.budget_status'::pg_catalog.regclass AND s.attname = v.attname
			  WHERE v.attrelid = 'bedrock_cost.bi_budget_status'::pg_catalog.regclass AND v.attnum > 0
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON COLUMN bedrock_cost.bi_budget_status.%I IS %L', a.attname,
								  a.doc || CASE WHEN a.typ LIKE 'numeric(%' THEN '; ' || a.typ ELSE '' END);
	END LOOP;
END
$do$;

CREATE VIEW bedrock_cost.bi_spikes WITH (security_barrier) AS
	SELECT p.usage_date, p.billing_period, p.export_id, p.export_name, p.export,
		   p.principal_arn, p.person, p.role_arn, p.principal_tags::text AS principal_tags_json, p.tags_text,
		   p.model, p.token_kind,
		   p.cost::numeric(38,16) AS cost, p.baseline_cost::numeric(38,16) AS baseline_cost,
		   p.cost_ratio::numeric(38,6) AS cost_ratio,
		   p.tokens::bigint AS tokens, p.baseline_tokens::numeric(38,6) AS baseline_tokens,
		   p.tokens_ratio::numeric(38,6) AS tokens_ratio, p.spike_on,
		   p.factor::numeric(38,6) AS factor, p.min_cost::numeric(38,16) AS min_cost,
		   p.min_tokens::bigint AS min_tokens, p.cost_basis
	  FROM bedrock_cost.spikes AS p
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = current_user AND ta.tag_key <> '*'
					  AND (p.principal_tags ->> ta.tag_key) = ta.tag_value);
COMMENT ON VIEW bedrock_cost.bi_spikes IS
  'days on which a principal spent on a model and token kind far more than the median of its 14 days before (see bedrock_cost.spikes), with the principal''s tags as text (tags_text: team=search, cost-center=12345). Row-level security by bedrock_cost.team_access';

CREATE VIEW bedrock_cost.bi_daily_by_tag WITH (security_barrier) AS
	SELECT t.usage_date, t.billing_period, t.export_id, t.export_name, t.export,
		   t.tag_key, t.tag_name, t.tag_source, t.tag_value, t.untagged,
		   t.cost::numeric(38,16) AS cost, t.cost_basis,
		   t.input_tokens::bigint AS input_tokens, t.output_tokens::bigint AS output_tokens,
		   t.cache_read_tokens::bigint AS cache_read_tokens,
		   t.cache_write_tokens::bigint AS cache_write_tokens, t.total_tokens::bigint AS total_tokens,
		   t.principals::bigint AS principals, t.line_items::bigint AS line_items
	  FROM bedrock_cost.daily_by_tag AS t
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR (NOT t.untagged
			AND EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						 WHERE ta.role_name = current_user
						   AND ta.tag_key = t.tag_key AND ta.tag_value = t.tag_value));
COMMENT ON VIEW bedrock_cost.bi_daily_by_tag IS
  'Bedrock usage per UTC day and tag value (any key of the tags map: iamPrincipal/team, resourceTags/user:project, ...), with the (untagged) bucket per key: daily spend per team as plain columns. Row-level security by bedrock_cost.team_access (a team sees its own tag value)';

CREATE VIEW bedrock_cost.bi_daily WITH (security_barrier) AS
	SELECT d.usage_date, d.billing_period, d.export_id, d.export_name, d.export,
		   d.payer_account_id, d.usage_account_id, d.attribution,
		   d.principal_arn, d.role_arn, d.person, d.tags::text AS tags_json,
		   d.model, d.cost::numeric(38,16) AS cost, d.cost_basis,
		   d.unblended_cost::numeric(38,16) AS unblended_cost,
		   d.net_unblended_cost::numeric(38,16) AS net_unblended_cost,
		   d.input_tokens::bigint AS input_tokens, d.output_tokens::bigint AS output_tokens,
		   d.cache_read_tokens::bigint AS cache_read_tokens,
		   d.cache_write_tokens::bigint AS cache_write_tokens, d.total_tokens::bigint AS total_tokens,
		   d.input_cost::numeric(38,16) AS input_cost, d.output_cost::numeric(38,16) AS output_cost,
		   d.cache_read_cost::numeric(38,16) AS cache_read_cost,
		   d.cache_write_cost::numeric(38,16) AS cache_write_cost,
		   d.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_daily AS d
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = current_user AND ta.tag_key <> '*'
					  AND (d.tags ->> ta.tag_key) = ta.tag_value);
COMMENT ON VIEW bedrock_cost.bi_daily IS
  'Bedrock chargeback per UTC usage day, account, principal and model, for spotting spikes. Row-level security by bedrock_cost.team_access';

CREATE VIEW bedrock_cost.bi_chargeback_allocated WITH (security_barrier) AS
	SELECT a.billing_period, a.export_id, a.export_name, a.export,
		   a.payer_account_id, a.usage_account_id, a.attribution,
		   a.principal_arn, a.role_arn, a.person, a.principal_tags::text AS principal_tags_json,
		   a.usage_cost::numeric(38,16) AS usage_cost, a.allocated_cost::numeric(38,16) AS allocated_cost,
		   a.cost::numeric(38,16) AS cost, a.cost_basis, a.allocation_basis,
		   a.line_items::bigint AS line_items
	  FROM bedrock_cost.chargeback_allocated AS a
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = current_user AND ta.tag_key <> '*'
					  AND (a.principal_tags ->> ta.tag_key) = ta.tag_value);
COMMENT ON VIEW bedrock_cost.bi_chargeback_allocated IS
  'fully allocated chargeback per month, export, account and principal: usage cost, its largest-remainder share (to the cent) of the account''s Tax, Credit, Refund, discounts and fees, pro rata to all the account''s usage (unattributed usage takes its share too), and their sum; see allocation_basis. Row-level security by bedrock_cost.team_access';

-- the FOCUS-shaped line items for the reader, with declared types
CREATE VIEW bedrock_cost.bi_focus_bedrock WITH (security_barrier) AS
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
		   f."x_BillingPeriod", f."x_ExportId", f."x_ExportName", f."x_Export", f."x_LoadId", f."x_FileNo",
		   f."x_LineNumber"
	  FROM bedrock_cost.focus_bedrock AS f
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		-- the role's (key, value) pairs as an uncorrelated array: on Citus,
		-- focus_bedrock reads the shards, and a subquery correlated with it
		-- on the coordinator's team_access cannot be planned (doc/citus.md)
		OR f."Tags" @> ANY (ARRAY(SELECT pg_catalog.jsonb_build_object(ta.tag_key, ta.tag_value)
									FROM bedrock_cost.team_access AS ta
								   WHERE ta.role_name = current_user AND ta.tag_key <> '*'));
COMMENT ON VIEW bedrock_cost.bi_focus_bedrock IS
  'bedrock_cost.focus_bedrock for BI tools and FOCUS consumers: one row per Bedrock line item in FOCUS 1.2 column names, costs and quantities numeric(38,16), Tags as JSON text. Row-level security by bedrock_cost.team_access (a team sees the line items of its principals); filter on x_BillingPeriod';

-- ------------------------------------------------------------------------
-- one description per column name, applied to every chargeback relation that has it

DO $do$
DECLARE
	d record;
	rel text;
	-- what the bi_* views declare, appended to the description of the column there
	bi_cost text := '; numeric(38,16): exact to 16 decimals, rounded beyond';
	bi_count text := '; bigint';
	bi_tokens text := '; bigint: the exact sum, rounded to a whole token';
	bi_type jsonb := pg_catalog.jsonb_build_object(
		'cost', bi_cost, 'unblended_cost', bi_cost, 'net_unblended_cost', bi_cost,
		'usage_cost', bi_cost, 'allocated_cost', bi_cost, 'usage_amount', bi_cost,
		'cost_per_million_tokens', '; numeric(38,6)', 'share_of_team', '; numeric(38,6)',
		'output_input_ratio', '; numeric(38,6)', 'cache_hit_ratio', '; numeric(38,6)',
		'dominant_model_share', '; numeric(38,6)',
		'input_cost', bi_cost, 'output_cost', bi_cost, 'cache_read_cost', bi_cost, 'cache_write_cost', bi_cost,
		'baseline_cost', bi_cost, 'min_cost', bi_cost, 'cost_ratio', '; numeric(38,6)',
		'tokens_ratio', '; numeric(38,6)', 'baseline_tokens', '; numeric(38,6)', 'factor', '; numeric(38,6)',
		'min_tokens', bi_count,
		'input_tokens', bi_tokens, 'output_tokens', bi_tokens, 'cache_read_tokens', bi_tokens,
		'cache_write_tokens', bi_tokens, 'total_tokens', bi_tokens, 'tokens', bi_tokens,
		'line_items', bi_count, 'principals', bi_count);
BEGIN
	FOR d IN SELECT * FROM (VALUES
		('billing_period', 'first day of the billing month (CUR BILLING_PERIOD)'),
		('usage_date', 'UTC day of line_item_usage_start_date'),
		('export_id', 'the export (bedrock_cost.exports) the rows came from; the same bill loaded from two export folders appears under both'),
		('export_name', 'name the export folder is registered under (add_export); NULL when it is loaded by hand'),
		('export', 'absolute path of the export folder the rows came from'),
		('payer_account_id', 'AWS payer (management) account id, bill_payer_account_id'),
		('usage_account_id', 'AWS account that used Bedrock, line_item_usage_account_id'),
		('attribution', 'attributed (an IAM principal is billed), unattributed (usage without a principal), account_level (Tax, Credit, Refund, discounts, fees); in allocated views also account_level_unallocated and account_level_rounding'),
		('line_item_type', 'line_item_line_item_type as CUR spells it: Usage, Tax, Credit, Refund, ...'),
		('principal', 'the IAM principal ARN as billed (line_item_iam_principal), NULL when the rows have none'),
		('principal_arn', 'the IAM principal ARN as billed, as text; NULL for unattributed and account-level rows'),
		('principal_type', 'user, role, root, assumed-role or federated-user'),
		('principal_account_id', 'the 12-digit account id in the principal ARN'),
		('role_arn', 'the IAM role the principal rolls up to (assumed-role session -> role); NULL for users'),
		('role_name', 'the role name of role_arn'),
		('person', 'person or session label: assumed-role session name (SSO user, e-mail, gateway user), IAM or federated user name; NULL for roles'),
		('principal_tags', 'the iamPrincipal/<key> tags (principal and session tags) of the rows, jsonb; {} when none'),
		('principal_tags_json', 'the iamPrincipal/<key> tags (principal and session tags) of the rows as JSON text; {} when none'),
		('tags', 'the CUR tags map of the rows (iamPrincipal/..., resourceTags/..., ...), jsonb'),
		('tags_json', 'the CUR tags map of the rows (iamPrincipal/..., resourceTags/..., ...) as JSON text'),
		('usage_type', 'line_item_usage_type'),
		('product_name_key', 'product_name, empty string when NULL (join key)'),
		('product_name', 'product_name from the product map (names the model of Marketplace rows)'),
		('payer_account_name', 'bill_payer_account_name: the payer account''s name as billed (the greatest if it changed within the period); NULL when the export has none'),
		('usage_account_name', 'line_item_usage_account_name: the usage account''s name as billed (the greatest if it changed within the period); NULL when the export has none'),
		('resource_id', 'line_item_resource_id: the inference profile ARN the calls named (application inference profile or system profile; exports with INCLUDE_RESOURCES); NULL for calls without one'),
		('resource_type', 'the resource type of resource_id (bedrock_cost.resource_parts): application-inference-profile, inference-profile, ...'),
		('resource_name', 'the resource name of resource_id after its type: the application inference profile id, or the system profile name'),
		('tag_key', 'full tag key as in the CUR tags map, e.g. iamPrincipal/team, resourceTags/user:project, accountTag/department'),
		('tag_name', 'tag key without its source prefix (bedrock_cost.tag_name), e.g. team, user:project'),
		('tag_source', 'source of the tag key (bedrock_cost.tag_source): iamPrincipal (principal and session tags), resourceTags (resource tags user:* and aws:*), accountTag, userAttribute (IAM Identity Center), costCategory'),
		('tag_value', 'tag value; (untagged) for spend whose rows lack this key (IAM tag values cannot contain parentheses)'),
		('untagged', 'true for the (untagged) bucket of the key'),
		('model', 'model as billed, from the usage type (bedrock_cost.parse_usage_type); NULL when not recognised or not a model charge'),
		('model_key', 'canonical model key (bedrock_cost.model_key, through the editable bedrock_cost.model_aliases table): the same model billed under different names groups together'),
		('token_kind', 'input, output, cache_read, cache_write (token kinds), or image, search_unit, ... for other meters'),
		('tier', 'price tier: standard, batch, flex, priority, latency_optimized, provisioned, reserved'),
		('routing', 'in_region, cross_region_geo or cross_region_global'),
		('region', 'AWS region of the usage type prefix'),
		('recognized', 'false when the usage type grammar is unknown (kept and counted, with NULL model)'),
		('vendor', 'vendor of the model (bedrock_cost.model_vendor: anthropic, amazon, meta, mistral, openai, qwen, deepseek, ...; model_aliases.vendor overrides); aws for Bedrock features billed without a model (Guardrails, Data Automation, AgentCore); unknown when no rule knows the model'),
		('is_api_key', 'true when the principal is a long-term Bedrock API key (an IAM user named BedrockAPIKey-...; bedrock_cost.is_bedrock_api_key); person is then the key''s user name'),
		('scope', 'principal: one row per principal (and tag set; NULL principal for unattributed usage); tag: one row per value of a tags-map key (iamPrincipal/, resourceTags/, accountTag/, ...), with the (untagged) bucket'),
		('output_input_ratio', 'output tokens per prompt token (input + cache read + cache write), rounded to 4 decimals; NULL without prompt tokens'),
		('cache_hit_ratio', 'cache read tokens over input + cache read tokens, rounded to 4 decimals; NULL when both are 0'),
		('dominant_model', 'the canonical model (model_key) with the largest cost; NULL when the usage has no model'),
		('dominant_model_share', 'the dominant model''s share of cost, rounded to 4 decimals'),
		('workload', 'generation-heavy when output tokens >= prompt tokens (input + cache read + cache write), document-heavy when output tokens * 5 <= prompt tokens, balanced in between; NULL without tokens'),
		('input_cost', 'cost of input tokens (cost basis)'),
		('output_cost', 'cost of output tokens (cost basis)'),
		('cache_read_cost', 'cost of prompt-cache read tokens (cost basis)'),
		('cache_write_cost', 'cost of prompt-cache write tokens (cost basis)'),
		('baseline_cost', 'the median cost of the 14 days before (days without usage count as 0)'),
		('cost_ratio', 'cost / baseline_cost, 4 decimals; NULL when the baseline is 0'),
		('baseline_tokens', 'the median tokens of the 14 days before (days without usage count as 0)'),
		('tokens_ratio', 'tokens / baseline_tokens, 4 decimals; NULL when the baseline is 0'),
		('spike_on', 'what spiked: cost, tokens, or cost,tokens'),
		('factor', 'the spike factor k in force when the row was computed (spike_settings)'),
		('min_cost', 'the least cost of a spike in cost, USD, in force when the row was computed'),
		('min_tokens', 'the least tokens of a spike in tokens, in force when the row was computed'),
		('tags_text', 'the principal''s iamPrincipal tags as text, key=value, sorted by key, without the prefix (cost-center=12345, team=search)'),
		('share_of_team', 'this model''s share of the tag value''s cost (cost over the sum of cost of the same period, export, tag key and value), rounded to 6 decimals; NULL when that sum is 0'),
		('cost', 'chargeback cost in USD, exact, in the basis named by cost_basis'),
		('cost_basis', 'what cost sums: unblended (line_item_unblended_cost) or net_unblended (line_item_net_unblended_cost where present, else unblended); set in bedrock_cost.chargeback_settings'),
		('unblended_cost', 'sum of line_item_unblended_cost, USD, exact'),
		('net_unblended_cost', 'sum of line_item_net_unblended_cost where the row has it, else of the unblended cost, USD, exact'),
		('net_rows', 'rows that carried a net unblended cost'),
		('input_tokens', 'input tokens'),
		('output_tokens', 'output tokens'),
		('cache_read_tokens', 'prompt-cache read input tokens'),
		('cache_write_tokens', 'prompt-cache write input tokens'),
		('total_tokens', 'input + output + cache read + cache write tokens (tokens of other meters, e.g. customization training, are not counted here; see usage_by_model)'),
		('tokens', 'token count of this token kind (usage amount scaled by the pricing unit, also for non-inference meters priced in tokens such as customization training; 0 for meters not priced in tokens)'),
		('usage_amount', 'sum of line_item_usage_amount in the pricing unit'),
		('cost_per_million_tokens', 'cost per 1,000,000 tokens, rounded to 6 decimals; NULL without tokens'),
		('principals', 'distinct IAM principals'),
		('line_items', 'CUR line items summed'),
		('usage_cost', 'the line''s own usage cost (cost basis): a principal''s or the unattributed usage; for account_level_unallocated the pool'),
		('allocated_cost', 'its share of the account-level pool, to the cent (largest remainder, pro rata to usage_cost over all the account''s usage); for account_level_rounding the sub-cent residue'),
		('allocation_basis', 'how the account-level rows were allocated')
	) AS v(col, doc)
	LOOP
		FOREACH rel IN ARRAY ARRAY['chargeback_base', 'chargeback_usage_types', 'chargeback_by_principal', 'chargeback_by_tag',
								   'usage_by_model', 'chargeback_by_resource', 'bi_chargeback_by_resource',
								   'team_model_mix', 'usage_profile', 'chargeback_daily',
								   'spikes', 'chargeback_allocated', 'daily_by_tag', 'bi_chargeback_by_principal',
								   'bi_principal_tags', 'bi_daily_by_tag',
								   'bi_chargeback_by_tag', 'bi_usage_by_model', 'bi_team_model_mix',
								   'bi_usage_profile', 'bi_spikes', 'bi_daily',
								   'bi_chargeback_allocated']
		LOOP
			IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
						WHERE attrelid = ('bedrock_cost.' || rel)::pg_catalog.regclass
						  AND attname = d.col AND NOT attisdropped) THEN
				EXECUTE format('COMMENT ON COLUMN bedrock_cost.%I.%I IS %L', rel, d.col,
							   d.doc || CASE WHEN rel LIKE 'bi\_%' THEN coalesce(bi_type ->> d.col, '') ELSE '' END);
			END IF;
		END LOOP;
	END LOOP;
END
$do$;

-- ------------------------------------------------------------------------
-- the FOCUS columns: one description each, on focus_bedrock and bi_focus_bedrock

DO $do$
DECLARE
	d record;
	rel text;
BEGIN
	FOR d IN SELECT * FROM (VALUES
		('BilledCost', 'line_item_unblended_cost: the cost invoiced, USD (FOCUS BilledCost)'),
		('EffectiveCost', 'line_item_net_unblended_cost where the row has it (discounts applied), else the unblended cost'),
		('ListCost', 'pricing_public_on_demand_cost: the cost at public on-demand prices; NULL when the export lacks it'),
		('ContractedCost', 'the cost at the negotiated price: net unblended cost where present (private pricing and EDP discounts applied), else unblended; Bedrock has no commitment discounts to exclude'),
		('BillingCurrency', 'line_item_currency_code (USD when the file lacks the column)'),
		('PricingCurrency', 'the currency prices are given in: line_item_currency_code (USD when the file lacks it)'),
		('BillingAccountId', 'bill_payer_account_id'),
		('BillingAccountName', 'bill_payer_account_name; NULL when the export has none'),
		('BillingPeriodStart', 'first instant of the billing month, UTC (timestamptz)'),
		('BillingPeriodEnd', 'first instant of the next month, UTC: the exclusive end (timestamptz)'),
		('InvoiceId', 'bill_invoice_id; NULL until the month is invoiced'),
		('ChargeCategory', 'Usage, Tax, Credit, Purchase or Adjustment, from line_item_line_item_type'),
		('ChargeClass', 'Correction for Refund rows (corrections of a billed charge), else NULL'),
		('ChargeFrequency', 'One-Time, Recurring or Usage-Based, from the line item type'),
		('ChargePeriodStart', 'line_item_usage_start_date'),
		('ChargePeriodEnd', 'line_item_usage_end_date (exclusive)'),
		('ChargeDescription', 'line_item_usage_type'),
		('ConsumedQuantity', 'tokens for token usage (usage amount scaled by the pricing unit), else the usage amount'),
		('ConsumedUnit', 'Tokens for token usage, else the pricing unit'),
		('PricingCategory', 'Standard (on-demand) for usage rows, NULL for the others'),
		('PricingQuantity', 'line_item_usage_amount in the pricing unit'),
		('PricingUnit', 'pricing_unit'),
		('InvoiceIssuerName', 'Amazon Web Services, or AWS Marketplace for Marketplace rows'),
		('ProviderName', 'Amazon Web Services'),
		('PublisherName', 'Amazon Web Services, or the Marketplace product for Marketplace rows'),
		('RegionId', 'the region of the usage type (bedrock_cost.parse_usage_type)'),
		('ResourceId', 'line_item_resource_id: the inference profile ARN; NULL without one'),
		('ResourceName', 'the name part of ResourceId (bedrock_cost.resource_parts)'),
		('ResourceType', 'the type part of ResourceId: application-inference-profile, inference-profile, ...'),
		('ServiceName', 'product_name (Amazon Bedrock, or the Marketplace model''s product)'),
		('ServiceCategory', 'AI and Machine Learning'),
		('ServiceSubcategory', 'Generative AI'),
		('SkuId', 'line_item_usage_type'),
		('SkuMeter', 'the token kind of the usage type (input, output, cache_read, cache_write, ...), else the usage type'),
		('SubAccountId', 'line_item_usage_account_id'),
		('SubAccountName', 'line_item_usage_account_name; NULL when the export has none'),
		('Tags', 'the CUR tags map (iamPrincipal/, resourceTags/, accountTag/, ...)'),
		('x_IamPrincipal', 'line_item_iam_principal: the IAM principal that made the call; NULL when none'),
		('x_LineItemType', 'line_item_line_item_type'),
		('x_UsageType', 'line_item_usage_type'),
		('x_Operation', 'line_item_operation'),
		('x_ServiceCode', 'line_item_product_code'),
		('x_Model', 'the model of the usage type (bedrock_cost.parse_usage_type)'),
		('x_Tier', 'the price tier of the usage type'),
		('x_Routing', 'in_region, cross_region_geo or cross_region_global'),
		('x_BillingPeriod', 'first day of the billing month (date): filter on it to read one month'),
		('x_ExportId', 'the export (bedrock_cost.exports) the row came from'),
		('x_ExportName', 'name the export folder is registered under (add_export); NULL when it is loaded by hand'),
		('x_Export', 'absolute path of the export folder the row came from'),
		('x_LoadId', 'the delivery (bedrock_cost.loads) that loaded the row'),
		('x_FileNo', 'the file of the delivery (bedrock_cost.load_files.file_no)'),
		('x_LineNumber', 'physical line of the row in the decompressed file')
	) AS v(col, doc)
	LOOP
		FOREACH rel IN ARRAY ARRAY['focus_bedrock', 'bi_focus_bedrock']
		LOOP
			EXECUTE format('COMMENT ON COLUMN bedrock_cost.%I.%I IS %L', rel, d.col,
						   d.doc || CASE WHEN rel = 'bi_focus_bedrock'
											  AND d.col IN ('BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost',
															'ConsumedQuantity', 'PricingQuantity')
										 THEN '; numeric(38,16)' ELSE '' END);
		END LOOP;
	END LOOP;
END
$do$;

-- from sql/install/72_gateway.sql
/*
 * 72_gateway.sql: gateway attribution.  When requests reach Amazon Bedrock
 * through a central AI gateway, the bill names one principal, the gateway's
 * role; the gateway's own request log names the users.  The billed cost of
 * the gateway's principals is split over the log's users, exactly, and the
 * gateway's own estimate is set against the bill.
 *
 *   gateways               which role is a gateway, and which relation holds
 *                          its request log (register_gateway)
 *   gateway_log(gateway)   the log read through its format's column mapping
 *   gateway_model_key      a gateway's model name -> the bill's model key
 *   gateway_chargeback     per billing period, UTC day, model key and token
 *                          kind: the gateway's billed cost split over the
 *                          log's users in proportion to their tokens of that
 *                          kind, largest remainder to the cent; unmatched
 *                          bill and log lines and the sub-cent residue are
 *                          explicit lines, so every (day, model, kind) adds
 *                          up to its billed cost exactly
 *   gateway_reconciliation per day and model: logged tokens against billed
 *                          tokens, the gateway's estimated spend against the
 *                          billed cost, drift in percent
 *   refresh_gateways()     recomputes the two tables (the log is not the
 *                          bill: it is read when asked, not by the worker)
 *   bi_gateway_chargeback, bi_gateway_reconciliation  the reader role's
 *                          variants, under team_access
 *
 * IDENTIFICATION
 *		sql/install/72_gateway.sql
 */

CREATE TABLE bedrock_cost.gateways (
	gateway			text PRIMARY KEY CHECK (gateway ~ '^[A-Za-z0-9_.-]+$'),
	role_name		text NOT NULL CHECK (role_name <> ''),
	log_relation	text NOT NULL,
	log_format		text NOT NULL CHECK (log_format IN ('litellm', 'plain')),
	registered_by	name NOT NULL,
	registered_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
SELECT pg_catalog.pg_extension_config_dump('bedrock_cost.gateways', '');
COMMENT ON TABLE bedrock_cost.gateways IS
  'the AI gateways whose billed cost is split by their own request log (bedrock_cost.register_gateway)';
COMMENT ON COLUMN bedrock_cost.gateways.gateway IS 'a name for the gateway (letters, digits, _ . -)';
COMMENT ON COLUMN bedrock_cost.gateways.role_name IS 'the IAM role the gateway calls Bedrock as: every principal whose bedrock_cost.role_name is this (every session of the role) is the gateway';
COMMENT ON COLUMN bedrock_cost.gateways.log_relation IS 'the relation holding its request log (a table, view, foreign table or partitioned table, read with the rights of registered_by), schema-qualified';
COMMENT ON COLUMN bedrock_cost.gateways.log_format IS 'litellm (LiteLLM''s "LiteLLM_SpendLogs") or plain (the column contract of bedrock_cost.gateway_log)';
COMMENT ON COLUMN bedrock_cost.gateways.registered_by IS 'the role that registered it: the log is read as that role (its rights, its user mappings), while it may SELECT it';
COMMENT ON COLUMN bedrock_cost.gateways.registered_at IS 'when it was registered (or registered again)';

-- the SELECT that reads a log relation in its format as the plain contract
CREATE FUNCTION bedrock_cost._gateway_log_sql(log_format text, log_relation regclass)
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
			'COALESCE((l.metadata::pg_catalog.jsonb OPERATOR(pg_catalog.#>>) ''{usage_object,cache_creation_input_tokens}'')::pg_catalog.int8, 0) AS w) AS c', $2)
	END
$$;
COMMENT ON FUNCTION bedrock_cost._gateway_log_sql(text, regclass) IS
  'internal: the SELECT reading a request log relation of the given format as the columns of bedrock_cost.gateway_log';
REVOKE ALL ON FUNCTION bedrock_cost._gateway_log_sql(text, regclass) FROM PUBLIC;

-- the query _gateway_read runs as a gateway's registrant: its log in one
-- mode, of the billing period $1 (NULL: all), by a range on the request time
-- (an index on a plain log's request_time serves it)
CREATE FUNCTION bedrock_cost._gateway_query_sql(log_format text, log_relation regclass, mode text)
RETURNS text
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE $3
		WHEN 'probe' THEN l.q || ' LIMIT 0'
		WHEN 'rows' THEN 'SELECT l.* FROM (' || l.q || ') AS l' || w.cols || w.c
		WHEN 'per_day' THEN
			'SELECT pg_catalog.date_trunc(''month'', pg_catalog.timezone(''UTC'', l.request_time))::pg_catalog.date, '
			'pg_catalog.timezone(''UTC'', l.request_time)::pg_catalog.date, l.model, l.user_key, l.team_key, '
			'pg_catalog.sum(l.input_tokens), pg_catalog.sum(l.output_tokens), pg_catalog.sum(l.cache_read_tokens), '
			'pg_catalog.sum(l.cache_write_tokens), pg_catalog.sum(l.estimated_spend) '
			'FROM (' || l.q || ') AS l' || w.cols || w.c || ' AND l.succeeded GROUP BY 1, 2, 3, 4, 5'
	END
	  FROM (SELECT bedrock_cost._gateway_log_sql($1, $2) AS q) AS l
	 CROSS JOIN (SELECT '(request_time, user_key, team_key, model, input_tokens, output_tokens, '
						'cache_read_tokens, cache_write_tokens, succeeded, estimated_spend) ' AS cols,
						'WHERE ($1 IS NULL OR (l.request_time OPERATOR(pg_catalog.>=) '
						'pg_catalog.timezone(''UTC'', $1::pg_catalog.timestamp) AND l.request_time OPERATOR(pg_catalog.<) '
						'pg_catalog.timezone(''UTC'', $1 OPERATOR(pg_catalog.+) ''1 month''::pg_catalog.interval)))' AS c) AS w
$$;
COMMENT ON FUNCTION bedrock_cost._gateway_query_sql(text, regclass, text) IS
  'internal: the query bedrock_cost._gateway_read runs as a gateway''s registrant: mode rows (the columns of gateway_log), per_day (the successful requests summed per billing period, UTC day, model, user and team) or probe (no row), of the billing period $1 (NULL: all)';
REVOKE ALL ON FUNCTION bedrock_cost._gateway_query_sql(text, regclass, text) FROM PUBLIC;

CREATE FUNCTION bedrock_cost._gateway_read(gateway text, period date, mode text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'bc_gateway_read'
LANGUAGE C STABLE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION bedrock_cost._gateway_read(text, date, text) IS
  'internal: the request log of a gateway (_gateway_query_sql in mode rows, per_day or probe, of one billing period, NULL: all) read with the rights of the role that registered it, under search_path pg_catalog, pg_temp and as a security-restricted operation, so a view''s functions, a foreign table''s user mapping and a column type''s casts are the registrant''s';
REVOKE ALL ON FUNCTION bedrock_cost._gateway_read(text, date, text) FROM PUBLIC;

CREATE FUNCTION bedrock_cost.register_gateway(gateway text, role_name text, log_relation regclass,
	log_format text DEFAULT 'plain')
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller name := bedrock_cost._session_role();
	old jsonb;
BEGIN
	IF NOT pg_catalog.pg_has_role(caller, 'bedrock_cost_admin', 'MEMBER') THEN
		RAISE EXCEPTION 'only members of bedrock_cost_admin may register a gateway'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL THEN
		RAISE EXCEPTION 'register_gateway takes no null argument' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT pg_catalog.has_table_privilege(caller, $3, 'SELECT') THEN
		RAISE EXCEPTION 'permission denied to read %: the role registering a gateway must be able to SELECT its log', $3
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF $4 NOT IN ('litellm', 'plain') THEN
		RAISE EXCEPTION 'log_format must be litellm or plain, not %', $4 USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT pg_catalog.to_jsonb(g) INTO old FROM bedrock_cost.gateways AS g WHERE g.gateway = $1;
	INSERT INTO bedrock_cost.gateways AS g (gateway, role_name, log_relation, log_format, registered_by)
	VALUES ($1, $2, $3::text, $4, caller)
	ON CONFLICT ON CONSTRAINT gateways_pkey DO UPDATE
	   SET role_name = EXCLUDED.role_name, log_relation = EXCLUDED.log_relation,
		   log_format = EXCLUDED.log_format, registered_by = EXCLUDED.registered_by,
		   registered_at = pg_catalog.now();
	-- the columns its format reads must be there, read as the caller (a
	-- view's or a foreign table's code runs as the registrant, never more)
	BEGIN
		PERFORM FROM bedrock_cost._gateway_read($1, NULL, 'probe') AS l(request_time timestamptz, user_key text,
			team_key text, model text, input_tokens bigint, output_tokens bigint, cache_read_tokens bigint,
			cache_write_tokens bigint, succeeded boolean, estimated_spend numeric);
	EXCEPTION WHEN undefined_column OR datatype_mismatch OR cannot_coerce OR undefined_function THEN
		RAISE EXCEPTION 'relation % is not a % gateway log: %', $3, $4, SQLERRM
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'See the column contract of bedrock_cost.gateway_log in the README.';
	END;
	PERFORM bedrock_cost._audit('register_gateway', $1, old,
		(SELECT pg_catalog.to_jsonb(g) FROM bedrock_cost.gateways AS g WHERE g.gateway = $1));
END
$$;
COMMENT ON FUNCTION bedrock_cost.register_gateway(text, text, regclass, text) IS
  'registers (or registers again) an AI gateway: the IAM role it calls Bedrock as (every session of it) and the relation holding its request log (a table, view or foreign table, in any schema, read with the rights of the registering role), in format litellm ("LiteLLM_SpendLogs") or plain; bedrock_cost_admin members only, who must be able to SELECT the log; audited';
REVOKE ALL ON FUNCTION bedrock_cost.register_gateway(text, text, regclass, text) FROM PUBLIC;

CREATE FUNCTION bedrock_cost.unregister_gateway(gateway text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	old jsonb;
BEGIN
	IF NOT pg_catalog.pg_has_role(bedrock_cost._session_role(), 'bedrock_cost_admin', 'MEMBER') THEN
		RAISE EXCEPTION 'only members of bedrock_cost_admin may unregister a gateway'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	DELETE FROM bedrock_cost.gateways AS g WHERE g.gateway = $1 RETURNING pg_catalog.to_jsonb(g) INTO old;
	IF old IS NULL THEN
		RAISE EXCEPTION 'there is no gateway %', $1 USING ERRCODE = 'no_data_found';
	END IF;
	DELETE FROM bedrock_cost.gateway_chargeback AS c WHERE c.gateway = $1;
	DELETE FROM bedrock_cost.gateway_reconciliation AS r WHERE r.gateway = $1;
	PERFORM bedrock_cost._audit('unregister_gateway', $1, old, NULL);
END
$$;
COMMENT ON FUNCTION bedrock_cost.unregister_gateway(text) IS
  'forgets a gateway and its split; bedrock_cost_admin members only; audited';
REVOKE ALL ON FUNCTION bedrock_cost.unregister_gateway(text) FROM PUBLIC;

-- the log relation of a gateway, once its registrant may still read it
CREATE FUNCTION bedrock_cost._gateway_relation(p_gateway text, OUT rel regclass, OUT log_format text,
	OUT registered_by name)
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g bedrock_cost.gateways;
BEGIN
	SELECT * INTO g FROM bedrock_cost.gateways AS x WHERE x.gateway = p_gateway;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'there is no gateway %', p_gateway USING ERRCODE = 'no_data_found';
	END IF;
	rel := pg_catalog.to_regclass(g.log_relation);
	IF rel IS NULL THEN
		RAISE EXCEPTION 'the request log % of gateway % does not exist', g.log_relation, p_gateway
			USING ERRCODE = 'undefined_table';
	END IF;
	-- _gateway_read runs as the registrant: say so plainly when it would fail
	IF NOT pg_catalog.has_table_privilege(g.registered_by, rel, 'SELECT') THEN
		RAISE EXCEPTION 'role % that registered gateway % may no longer read %', g.registered_by, p_gateway, rel
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	log_format := g.log_format;
	registered_by := g.registered_by;
END
$$;
COMMENT ON FUNCTION bedrock_cost._gateway_relation(text) IS
  'internal: the request log relation of a gateway, its format and the role that registered it; refused when it is gone or that role may no longer SELECT it';
REVOKE ALL ON FUNCTION bedrock_cost._gateway_relation(text) FROM PUBLIC;

CREATE FUNCTION bedrock_cost.gateway_log(gateway text,
	OUT request_time timestamptz, OUT user_key text, OUT team_key text, OUT model text,
	OUT input_tokens bigint, OUT output_tokens bigint, OUT cache_read_tokens bigint,
	OUT cache_write_tokens bigint, OUT succeeded boolean, OUT estimated_spend numeric)
RETURNS SETOF record
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM bedrock_cost._gateway_read($1, NULL, 'rows') AS l(request_time timestamptz, user_key text,
		team_key text, model text, input_tokens bigint, output_tokens bigint, cache_read_tokens bigint,
		cache_write_tokens bigint, succeeded boolean, estimated_spend numeric)
$$;
COMMENT ON FUNCTION bedrock_cost.gateway_log(text) IS
  'the request log of a gateway as the plain column contract: request_time (UTC), user_key, team_key, model (the gateway''s name for it), input, output, cache-read and cache-write tokens (0 when absent), succeeded (status NULL or success), estimated_spend (the gateway''s own estimate); read with the rights of the role that registered the gateway, while it may SELECT the log. A plain log has these columns with status instead of succeeded; a litellm log is "LiteLLM_SpendLogs"';
REVOKE ALL ON FUNCTION bedrock_cost.gateway_log(text) FROM PUBLIC;

-- a gateway's name for a model -> the bill's model key
CREATE FUNCTION bedrock_cost.gateway_model_key(model text)
RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	-- off: the provider route (bedrock/, bedrock/converse/), the revision
	-- (:0), a version 1 (-v1) and the release date of a model id
	-- (anthropic.claude-3-5-sonnet-20240620-v1:0); a later version stays
	-- (...-20241022-v2:0 -> ...-v2); the rest as model_key
	SELECT bedrock_cost.model_key(
		pg_catalog.regexp_replace(
			pg_catalog.regexp_replace(
				pg_catalog.regexp_replace(pg_catalog.regexp_replace($1, '^.*/', ''), ':[0-9]+$', ''),
				'-v1$', ''),
			'-[0-9]{8}(-v[0-9]+)?$', '\1'))
$$;
COMMENT ON FUNCTION bedrock_cost.gateway_model_key(text) IS
  'the bill''s canonical model key of a model as a gateway names it: bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0 -> claude-3.5-sonnet (route, revision, release date and a version 1 dropped, a later version kept, then bedrock_cost.model_key: aliases, geography and vendor prefixes); a name that matches no billed model (a model group alias the gateway invented, a version the aliases lack) shows as unmatched_log lines until a row in bedrock_cost.model_aliases names it';

-- ------------------------------------------------------------------------
-- the split

CREATE TABLE bedrock_cost.gateway_chargeback (
	gateway			text NOT NULL,
	billing_period	date NOT NULL,
	export_id		integer,
	usage_date		date NOT NULL,
	model_key		text,
	token_kind		text NOT NULL,
	line			text NOT NULL CHECK (line IN ('split', 'unmatched_bill', 'unmatched_log', 'rounding')),
	user_key		text,
	team_key		text,
	tokens			numeric NOT NULL,
	billed_share	numeric NOT NULL,
	cost_basis		text NOT NULL
);
CREATE UNIQUE INDEX gateway_chargeback_key ON bedrock_cost.gateway_chargeback
	(gateway, billing_period, (coalesce(export_id, 0)), usage_date, (coalesce(model_key, '')), token_kind, line,
	 (coalesce(user_key, '')), (coalesce(team_key, '')));
COMMENT ON INDEX bedrock_cost.gateway_chargeback_key IS 'the grain of gateway_chargeback';
COMMENT ON TABLE bedrock_cost.gateway_chargeback IS
  'the billed cost of each gateway''s principals split over its request log''s users, per billing period, UTC day, model key and token kind, in proportion to their tokens of that kind (successful requests only), largest remainder to the cent. line split: a user''s share; unmatched_bill: billed with no logged tokens that day, model and kind (user NULL, the whole cost); unmatched_log: logged tokens with nothing billed (share 0); rounding: the sub-cent residue of the billed cost. Per (gateway, day, model key, kind) the shares add up to the billed cost exactly, and over all lines to the whole billed cost of the gateway''s principals. Recomputed by bedrock_cost.refresh_gateways()';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.gateway IS 'the gateway (bedrock_cost.gateways)';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.billing_period IS 'first day of the billing month of the usage day';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.export_id IS 'the export whose bill is split (each export''s bill is split by the same log); NULL on unmatched_log lines';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.usage_date IS 'UTC day: of line_item_usage_start_date on the bill, of the request time in the log';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.cost_basis IS 'unblended or net_unblended: the cost basis of billed_share (bedrock_cost.chargeback_basis)';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.model_key IS 'canonical model key (bill: of the billed model; log: bedrock_cost.gateway_model_key); NULL when the log''s name matches none';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.token_kind IS 'input, output, cache_read or cache_write; other for the gateway''s usage of no token kind (an unmatched_bill line: the log counts tokens only)';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.line IS 'split, unmatched_bill, unmatched_log or rounding';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.user_key IS 'the log''s user (NULL on unmatched_bill and rounding lines)';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.team_key IS 'the log''s team of the user''s requests (NULL when none)';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.tokens IS 'logged tokens of the kind (split, unmatched_log), billed tokens (unmatched_bill), 0 (rounding)';
COMMENT ON COLUMN bedrock_cost.gateway_chargeback.billed_share IS 'the part of the billed cost, in the cost basis';

CREATE TABLE bedrock_cost.gateway_reconciliation (
	gateway			text NOT NULL,
	billing_period	date NOT NULL,
	export_id		integer,
	usage_date		date NOT NULL,
	model_key		text,
	logged_tokens	numeric NOT NULL,
	billed_tokens	numeric NOT NULL,
	estimated_spend	numeric,
	billed_cost		numeric NOT NULL,
	drift_percent	numeric,
	cost_basis		text NOT NULL
);
CREATE UNIQUE INDEX gateway_reconciliation_key ON bedrock_cost.gateway_reconciliation
	(gateway, billing_period, (coalesce(export_id, 0)), usage_date, (coalesce(model_key, '')));
COMMENT ON INDEX bedrock_cost.gateway_reconciliation_key IS 'the grain of gateway_reconciliation';
COMMENT ON TABLE bedrock_cost.gateway_reconciliation IS
  'per gateway, UTC day and model key: the tokens its log counts (successful requests, the four token kinds) against the tokens billed to its principals, and its own estimated spend against the billed cost; drift_percent = (estimated - billed) / billed * 100, rounded to 2 decimals (NULL when nothing is billed or nothing estimated). Recomputed by bedrock_cost.refresh_gateways()';
COMMENT ON COLUMN bedrock_cost.gateway_reconciliation.gateway IS 'the gateway (bedrock_cost.gateways)';
COMMENT ON COLUMN bedrock_cost.gateway_reconciliation.billing_period IS 'first day of the billing month of the usage day';
COMMENT ON COLUMN bedrock_cost.gateway_reconciliation.export_id IS 'the export whose bill the log is set against; NULL for log days and models no export bills';
COMMENT ON COLUMN bedrock_cost.gateway_reconciliation.usage_date IS 'UTC day';
COMMENT ON COLUMN bedrock_cost.gateway_reconciliation.model_key IS 'canonical model key; NULL for the log''s names that match none';
COMMENT ON COLUMN bedrock_cost.gateway_reconciliation.logged_tokens IS 'tokens of the four kinds in the log''s successful requests';
COMMENT ON COLUMN bedrock_cost.gateway_reconciliation.billed_tokens IS 'tokens of the four kinds billed to the gateway''s principals';
COMMENT ON COLUMN bedrock_cost.gateway_reconciliation.billed_cost IS 'the token kinds'' cost billed to the gateway''s principals, in the cost basis';
COMMENT ON COLUMN bedrock_cost.gateway_reconciliation.drift_percent IS '(estimated_spend - billed_cost) / billed_cost * 100, rounded to 2 decimals; NULL when nothing is billed or estimated';
COMMENT ON COLUMN bedrock_cost.gateway_reconciliation.cost_basis IS 'unblended or net_unblended: the cost basis of billed_cost';
COMMENT ON COLUMN bedrock_cost.gateway_reconciliation.estimated_spend IS 'sum of the log''s estimated spend of the successful requests (NULL when the log has none)';

-- the chargeback_daily rows of a gateway's principals, with their model key
CREATE FUNCTION bedrock_cost._gateway_daily(p_gateway text, p_period date)
RETURNS TABLE (billing_period date, export_id integer, usage_date date, model_key text,
	cost numeric, input_cost numeric, output_cost numeric, cache_read_cost numeric, cache_write_cost numeric,
	input_tokens numeric, output_tokens numeric, cache_read_tokens numeric, cache_write_tokens numeric,
	total_tokens numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT d.billing_period, d.export_id, d.usage_date, bedrock_cost.model_key(d.model),
		   d.cost, d.input_cost, d.output_cost, d.cache_read_cost, d.cache_write_cost,
		   d.input_tokens, d.output_tokens, d.cache_read_tokens, d.cache_write_tokens, d.total_tokens
	  FROM bedrock_cost.chargeback_daily AS d
	  JOIN bedrock_cost.gateways AS g
		ON g.gateway = $1 AND bedrock_cost.role_name(d.principal_arn::bedrock_cost.iam_arn) = g.role_name
	 WHERE d.attribution = 'attributed' AND ($2 IS NULL OR d.billing_period = $2)
$$;
COMMENT ON FUNCTION bedrock_cost._gateway_daily(text, date) IS
  'internal: the chargeback_daily rows of a gateway''s principals (every session of its role), with their model key, of one billing period (NULL: all) (refresh_gateways)';
REVOKE ALL ON FUNCTION bedrock_cost._gateway_daily(text, date) FROM PUBLIC;

-- a gateway log's successful requests summed per UTC day, model, user and
-- team, in the log's own query (a month of requests is millions of rows)
CREATE FUNCTION bedrock_cost._gateway_usage(p_gateway text, p_period date)
RETURNS TABLE (billing_period date, usage_date date, model text, user_key text, team_key text,
	input_tokens numeric, output_tokens numeric, cache_read_tokens numeric, cache_write_tokens numeric,
	estimated_spend numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM bedrock_cost._gateway_read($1, $2, 'per_day') AS l(billing_period date, usage_date date,
		model text, user_key text, team_key text, input_tokens numeric, output_tokens numeric,
		cache_read_tokens numeric, cache_write_tokens numeric, estimated_spend numeric)
$$;
COMMENT ON FUNCTION bedrock_cost._gateway_usage(text, date) IS
  'internal: the successful requests of a gateway''s log summed per billing period, UTC day, model name, user and team, of one billing period (NULL: all) (refresh_gateways)';
REVOKE ALL ON FUNCTION bedrock_cost._gateway_usage(text, date) FROM PUBLIC;

-- _gateway_usage with the model key of each model name, computed once a name
CREATE FUNCTION bedrock_cost._gateway_requests(p_gateway text, p_period date)
RETURNS TABLE (billing_period date, usage_date date, model_key text, user_key text, team_key text,
	input_tokens numeric, output_tokens numeric, cache_read_tokens numeric, cache_write_tokens numeric,
	estimated_spend numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH u AS MATERIALIZED (
		SELECT * FROM bedrock_cost._gateway_usage($1, $2)
	), k AS MATERIALIZED (
		SELECT n.model, bedrock_cost.gateway_model_key(n.model) AS model_key
		  FROM (SELECT DISTINCT u.model FROM u) AS n
	)
	SELECT u.billing_period, u.usage_date, k.model_key, u.user_key, u.team_key, u.input_tokens,
		   u.output_tokens, u.cache_read_tokens, u.cache_write_tokens, u.estimated_spend
	  FROM u LEFT JOIN k ON k.model = u.model
$$;
COMMENT ON FUNCTION bedrock_cost._gateway_requests(text, date) IS
  'internal: the successful requests of a gateway''s log summed per billing period, UTC day, model name, user and team, with the model key of the name (refresh_gateways)';
REVOKE ALL ON FUNCTION bedrock_cost._gateway_requests(text, date) FROM PUBLIC;

-- the rows of gateway_chargeback for one gateway, from the chargeback and its log
CREATE FUNCTION bedrock_cost._gateway_split(p_gateway text, p_period date)
RETURNS SETOF bedrock_cost.gateway_chargeback
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH daily AS (
		SELECT * FROM bedrock_cost._gateway_daily($1, $2)
	), bill AS (
		-- their cost and tokens per export, day, model key and token kind
		SELECT d.billing_period, d.export_id, d.usage_date, d.model_key, k.kind,
			   sum(k.cost) AS cost, sum(k.tokens) AS tokens
		  FROM daily AS d
		 CROSS JOIN LATERAL (VALUES ('input', d.input_cost, d.input_tokens),
									('output', d.output_cost, d.output_tokens),
									('cache_read', d.cache_read_cost, d.cache_read_tokens),
									('cache_write', d.cache_write_cost, d.cache_write_tokens)) AS k(kind, cost, tokens)
		 WHERE k.cost <> 0 OR k.tokens <> 0
		 GROUP BY 1, 2, 3, 4, 5
	), logged AS (
		-- the log's successful requests per day, model key, kind and user
		SELECT l.billing_period, l.usage_date, l.model_key, k.kind, l.user_key, l.team_key,
			   sum(k.tokens) AS tokens
		  FROM bedrock_cost._gateway_requests($1, $2) AS l
		 CROSS JOIN LATERAL (VALUES ('input', l.input_tokens), ('output', l.output_tokens),
									('cache_read', l.cache_read_tokens),
									('cache_write', l.cache_write_tokens)) AS k(kind, tokens)
		 WHERE k.tokens > 0
		 GROUP BY 1, 2, 3, 4, 5, 6
	), shares AS (
		-- each user's exact share of an export's cost, in cents
		SELECT b.billing_period, b.export_id, b.usage_date, b.model_key, b.kind, l.user_key, l.team_key,
			   l.tokens, pg_catalog.round(b.cost, 2) * 100 AS pool_cents,
			   pg_catalog.abs(pg_catalog.round(b.cost, 2) * 100) * l.tokens
				/ sum(l.tokens) OVER grp AS exact_cents
		  FROM bill AS b
		  JOIN logged AS l
			ON (l.billing_period, l.usage_date, l.model_key, l.kind)
			 = (b.billing_period, b.usage_date, b.model_key, b.kind)
		WINDOW grp AS (PARTITION BY b.billing_period, b.export_id, b.usage_date, b.model_key, b.kind)
	), ranked AS (
		-- the floors, the cents left over and who gets them: the largest
		-- remainders (ties by user, then team)
		SELECT s.*, pg_catalog.floor(s.exact_cents) AS floor_cents,
			   pg_catalog.abs(s.pool_cents) - sum(pg_catalog.floor(s.exact_cents)) OVER grp AS leftover,
			   pg_catalog.row_number() OVER (PARTITION BY s.billing_period, s.export_id, s.usage_date,
														  s.model_key, s.kind
											 ORDER BY s.exact_cents - pg_catalog.floor(s.exact_cents) DESC,
													  s.user_key, s.team_key NULLS FIRST) AS remainder_rank
		  FROM shares AS s
		WINDOW grp AS (PARTITION BY s.billing_period, s.export_id, s.usage_date, s.model_key, s.kind)
	)
	SELECT $1, r.billing_period, r.export_id, r.usage_date, r.model_key, r.kind, 'split', r.user_key,
		   r.team_key, r.tokens,
		   pg_catalog.round(pg_catalog.sign(r.pool_cents)
				* (r.floor_cents + CASE WHEN r.remainder_rank <= r.leftover THEN 1 ELSE 0 END) / 100, 2),
		   c.cost_basis
	  FROM ranked AS r CROSS JOIN bedrock_cost.chargeback_basis AS c
	UNION ALL
	-- the sub-cent residue of a split cost
	SELECT $1, b.billing_period, b.export_id, b.usage_date, b.model_key, b.kind, 'rounding', NULL, NULL, 0,
		   b.cost - pg_catalog.round(b.cost, 2), c.cost_basis
	  FROM bill AS b CROSS JOIN bedrock_cost.chargeback_basis AS c
	 WHERE b.cost <> pg_catalog.round(b.cost, 2)
	   AND EXISTS (SELECT 1 FROM logged AS l
					WHERE (l.billing_period, l.usage_date, l.model_key, l.kind)
						  = (b.billing_period, b.usage_date, b.model_key, b.kind))
	UNION ALL
	-- billed with nothing logged
	SELECT $1, b.billing_period, b.export_id, b.usage_date, b.model_key, b.kind, 'unmatched_bill', NULL, NULL,
		   b.tokens, b.cost, c.cost_basis
	  FROM bill AS b CROSS JOIN bedrock_cost.chargeback_basis AS c
	 WHERE NOT EXISTS (SELECT 1 FROM logged AS l
						WHERE (l.billing_period, l.usage_date, l.model_key, l.kind)
							  = (b.billing_period, b.usage_date, b.model_key, b.kind))
	UNION ALL
	-- the gateway's usage of no token kind (guardrails, images, ...): the
	-- log counts tokens only, so it stays unsplit
	SELECT $1, d.billing_period, d.export_id, d.usage_date, d.model_key, 'other', 'unmatched_bill', NULL, NULL, 0,
		   sum(d.cost - d.input_cost - d.output_cost - d.cache_read_cost - d.cache_write_cost), c.cost_basis
	  FROM daily AS d CROSS JOIN bedrock_cost.chargeback_basis AS c
	 GROUP BY d.billing_period, d.export_id, d.usage_date, d.model_key, c.cost_basis
	HAVING sum(d.cost - d.input_cost - d.output_cost - d.cache_read_cost - d.cache_write_cost) <> 0
	UNION ALL
	-- logged with nothing billed (a day the bill has not caught up with, a
	-- model name matching no billed model)
	SELECT $1, l.billing_period, NULL, l.usage_date, l.model_key, l.kind, 'unmatched_log', l.user_key, l.team_key,
		   l.tokens, 0, c.cost_basis
	  FROM logged AS l CROSS JOIN bedrock_cost.chargeback_basis AS c
	 WHERE NOT EXISTS (SELECT 1 FROM bill AS b
						WHERE (l.billing_period, l.usage_date, l.model_key, l.kind)
							  = (b.billing_period, b.usage_date, b.model_key, b.kind))
$$;
COMMENT ON FUNCTION bedrock_cost._gateway_split(text, date) IS
  'internal: the rows of bedrock_cost.gateway_chargeback for one gateway and billing period (NULL: all), from chargeback_daily and its log (refresh_gateways)';
REVOKE ALL ON FUNCTION bedrock_cost._gateway_split(text, date) FROM PUBLIC;

-- the rows of gateway_reconciliation for one gateway
CREATE FUNCTION bedrock_cost._gateway_reconcile(p_gateway text, p_period date)
RETURNS SETOF bedrock_cost.gateway_reconciliation
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH bill AS (
		SELECT d.billing_period, d.export_id, d.usage_date, d.model_key, sum(d.total_tokens) AS tokens,
			   sum(d.input_cost + d.output_cost + d.cache_read_cost + d.cache_write_cost) AS cost
		  FROM bedrock_cost._gateway_daily($1, $2) AS d
		 GROUP BY 1, 2, 3, 4
	), logged AS (
		SELECT l.billing_period, l.usage_date, l.model_key,
			   sum(l.input_tokens + l.output_tokens + l.cache_read_tokens + l.cache_write_tokens) AS tokens,
			   sum(l.estimated_spend) AS estimated
		  FROM bedrock_cost._gateway_requests($1, $2) AS l
		 GROUP BY 1, 2, 3
	)
	SELECT $1, coalesce(b.billing_period, l.billing_period), b.export_id, coalesce(b.usage_date, l.usage_date),
		   coalesce(b.model_key, l.model_key), coalesce(l.tokens, 0), coalesce(b.tokens, 0), l.estimated,
		   coalesce(b.cost, 0),
		   pg_catalog.round((l.estimated - b.cost) * 100 / NULLIF(b.cost, 0), 2), c.cost_basis
	  FROM bill AS b
	  FULL JOIN logged AS l
		ON (l.billing_period, l.usage_date) = (b.billing_period, b.usage_date)
	   AND l.model_key IS NOT DISTINCT FROM b.model_key
	 CROSS JOIN bedrock_cost.chargeback_basis AS c
$$;
COMMENT ON FUNCTION bedrock_cost._gateway_reconcile(text, date) IS
  'internal: the rows of bedrock_cost.gateway_reconciliation for one gateway and billing period (NULL: all) (refresh_gateways)';
REVOKE ALL ON FUNCTION bedrock_cost._gateway_reconcile(text, date) FROM PUBLIC;

CREATE FUNCTION bedrock_cost.refresh_gateways(period date DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g text;
	n integer := 0;
	p date := pg_catalog.date_trunc('month', $1)::date;
BEGIN
	IF NOT pg_catalog.pg_has_role(bedrock_cost._session_role(), 'bedrock_cost_admin', 'MEMBER') THEN
		RAISE EXCEPTION 'only members of bedrock_cost_admin may refresh the gateway split'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	LOCK TABLE bedrock_cost.gateway_chargeback IN EXCLUSIVE MODE;
	DELETE FROM bedrock_cost.gateway_chargeback AS c WHERE p IS NULL OR c.billing_period = p;
	DELETE FROM bedrock_cost.gateway_reconciliation AS r WHERE p IS NULL OR r.billing_period = p;
	FOR g IN SELECT x.gateway FROM bedrock_cost.gateways AS x ORDER BY 1
	LOOP
		INSERT INTO bedrock_cost.gateway_chargeback SELECT * FROM bedrock_cost._gateway_split(g, p);
		INSERT INTO bedrock_cost.gateway_reconciliation SELECT * FROM bedrock_cost._gateway_reconcile(g, p);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION bedrock_cost.refresh_gateways(date) IS
  'recomputes gateway_chargeback and gateway_reconciliation for every registered gateway from chargeback_daily and the gateways'' logs: every billing period, or only the one of period (reading only that month''s requests, by a range on the request time; an index on a plain log''s request_time serves it); readers keep the old rows until commit; returns the gateways computed; bedrock_cost_admin members only. Run it after refresh_chargeback(), e.g. from pg_cron: the worker does not read the logs';
REVOKE ALL ON FUNCTION bedrock_cost.refresh_gateways(date) FROM PUBLIC;
-- EXECUTE on register_gateway, unregister_gateway, gateway_log and
-- refresh_gateways: bedrock_cost_admin (80_security.sql)
GRANT SELECT ON bedrock_cost.gateways, bedrock_cost.gateway_chargeback, bedrock_cost.gateway_reconciliation
	TO bedrock_cost_admin;

-- ------------------------------------------------------------------------
-- the reader role's variants: a team_access row (role, 'gateway/team',
-- team) shows that team's lines; (role, '*', '*') and admins see all

CREATE VIEW bedrock_cost.bi_gateway_chargeback AS
	SELECT c.gateway, c.billing_period, c.export_id, e.export_name, e.path AS export, c.usage_date,
		   c.model_key, c.token_kind, c.line, c.user_key, c.team_key, c.tokens::bigint AS tokens,
		   c.billed_share::numeric(38,16) AS billed_share, c.cost_basis
	  FROM bedrock_cost.gateway_chargeback AS c
	  LEFT JOIN bedrock_cost.exports AS e ON e.export_id = c.export_id
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'))
		OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
					WHERE ta.role_name = current_user AND ta.tag_key = 'gateway/team'
					  AND ta.tag_value = c.team_key);
COMMENT ON VIEW bedrock_cost.bi_gateway_chargeback IS
  'gateway_chargeback for BI tools: a gateway''s billed cost per export, day, model, token kind and user of its log. Row-level security by bedrock_cost.team_access: a row (role, gateway/team, <team>) shows that team''s lines';

CREATE VIEW bedrock_cost.bi_gateway_reconciliation AS
	SELECT r.gateway, r.billing_period, r.export_id, e.export_name, e.path AS export, r.usage_date, r.model_key,
		   r.logged_tokens::bigint AS logged_tokens, r.billed_tokens::bigint AS billed_tokens,
		   r.estimated_spend::numeric(38,16) AS estimated_spend,
		   r.billed_cost::numeric(38,16) AS billed_cost, r.drift_percent::numeric(38,6) AS drift_percent,
		   r.cost_basis
	  FROM bedrock_cost.gateway_reconciliation AS r
	  LEFT JOIN bedrock_cost.exports AS e ON e.export_id = r.export_id
	 WHERE (SELECT pg_catalog.pg_has_role('bedrock_cost_admin', 'MEMBER')
			   OR EXISTS (SELECT 1 FROM bedrock_cost.team_access AS ta
						   WHERE ta.role_name = current_user AND ta.tag_key = '*'));
COMMENT ON VIEW bedrock_cost.bi_gateway_reconciliation IS
  'gateway_reconciliation for BI tools: the gateway''s logged tokens and estimate against the bill per export, day and model; it has no team, so only unrestricted roles (team_access *) see it';

-- the reader views' columns mean what the tables' do
DO $do$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT v.rel, a.attname, pg_catalog.col_description(t.rel, b.attnum) AS description
		  FROM (VALUES ('bedrock_cost.bi_gateway_chargeback'::regclass, 'bedrock_cost.gateway_chargeback'::regclass),
					   ('bedrock_cost.bi_gateway_reconciliation'::regclass, 'bedrock_cost.gateway_reconciliation'::regclass))
			   AS v(rel, src)
		 CROSS JOIN LATERAL (SELECT v.src AS rel) AS t
		  JOIN pg_catalog.pg_attribute AS a ON a.attrelid = v.rel AND a.attnum > 0
		  JOIN pg_catalog.pg_attribute AS b ON b.attrelid = t.rel AND b.attname = a.attname
	LOOP
		EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', c.rel, c.attname, c.description);
	END LOOP;
END
$do$;
COMMENT ON COLUMN bedrock_cost.bi_gateway_chargeback.export_name IS 'the export''s name (bedrock_cost.exports)';
COMMENT ON COLUMN bedrock_cost.bi_gateway_chargeback.export IS 'the export''s path (bedrock_cost.exports)';
COMMENT ON COLUMN bedrock_cost.bi_gateway_reconciliation.export_name IS 'the export''s name (bedrock_cost.exports)';
COMMENT ON COLUMN bedrock_cost.bi_gateway_reconciliation.export IS 'the export''s path (bedrock_cost.exports)';

-- from sql/install/75_audit.sql
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

-- from sql/install/78_citus.sql
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

-- from sql/install/80_security.sql
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
		'bedrock_cost.load_export(text, boolean)',
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

