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
