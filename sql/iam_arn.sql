-- iam_arn.sql: the iam_arn type: every accepted form in every partition,
-- accessors, classifiers, rollups, casts, NULLs, ordering, indexes, joins
CREATE EXTENSION IF NOT EXISTS bedrock_cost;
SET search_path = bedrock_cost, public;
\set VERBOSITY default

-- every form in every partition: round trip and accessors
CREATE TEMP TABLE forms AS
SELECT p.ord * 10 + f.ord AS id,
       format('arn:%s:%s', p.part, f.rest) AS txt
FROM (VALUES (1, 'aws'), (2, 'aws-cn'), (3, 'aws-us-gov'), (4, 'aws-iso'),
             (5, 'aws-iso-b'), (6, 'aws-iso-e'), (7, 'aws-iso-f'), (8, 'aws-eusc'))
       AS p(ord, part),
     (VALUES (1, 'iam::123456789012:user/alice'),
             (2, 'iam::123456789012:user/division_abc/subdivision_xyz/Bob'),
             (3, 'iam::123456789012:role/S3Access'),
             (4, 'iam::123456789012:role/service-role/App.Role'),
             (5, 'iam::000000000042:root'),
             (6, 'sts::123456789012:assumed-role/Accounting-Role/Mary'),
             (7, 'sts::123456789012:federated-user/Bob'))
       AS f(ord, rest);
SELECT count(*) AS forms,
       count(*) FILTER (WHERE txt::iam_arn::text = txt) AS round_trips,
       count(*) FILTER (WHERE iam_arn_is_valid(txt)) AS valid
FROM forms;

SELECT id, arn_partition(a) AS part, arn_service(a) AS svc, account_id(a) AS acct,
       principal_type(a) AS type, principal_name(a) AS name, path(a),
       role_name(a), session_name(a)
FROM (SELECT id, txt::iam_arn AS a FROM forms) s
WHERE id % 10 <> 0
ORDER BY id;

-- the text form is exact; output equals input
SELECT 'arn:aws:sts::040506089782:assumed-role/AWSReservedSSO_AdministratorAccess_8219a806ceb01083/Rob.Kenis@axxes.com'::iam_arn;
SELECT 'arn:aws:iam::123456789012:user/p:*?!~/x'::iam_arn AS path_punctuation,
       path('arn:aws:iam::123456789012:user/p:*?!~/x'::iam_arn);
SELECT path('arn:aws:iam::123456789012:user///x'::iam_arn) AS slash_path;

-- classifiers
CREATE TEMP TABLE kinds (id int, a iam_arn);
INSERT INTO kinds VALUES
  (1, 'arn:aws:sts::040506089782:assumed-role/AWSReservedSSO_AdministratorAccess_8219a806ceb01083/Rob.Kenis@axxes.com'),
  (2, 'arn:aws:sts::511825856493:assumed-role/AWSReservedSSO_TF4-AuditReadOnlyAndAnalyze_2b03e7d876722882/ty.dinh'),
  (3, 'arn:aws:sts::511825856493:assumed-role/AWSReservedSSO_AD_EKS_Dev_E62CAC11786225D8/x@y.z'),
  (4, 'arn:aws:iam::511825856493:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_admin_11213697b25fc954'),
  (5, 'arn:aws:sts::511825856493:assumed-role/AWSReservedSSO_Admin_8219a806ceb010/x@y.z'),
  (6, 'arn:aws:sts::123456789012:assumed-role/BedrockRole/gw-user-1'),
  (7, 'arn:aws:iam::123456789012:user/BedrockAPIKey-234s'),
  (8, 'arn:aws:iam::123456789012:user/alice'),
  (9, 'arn:aws:sts::123456789012:federated-user/Bob'),
  (10, 'arn:aws:iam::123456789012:role/application-role'),
  (11, 'arn:aws:iam::123456789012:root'),
  (12, 'arn:aws-cn:sts::123456789012:assumed-role/Role-1/user-2@acme.org'),
  (13, NULL);
SELECT id, identity_kind(a), is_sso_session(a) AS sso, sso_permission_set(a) AS permission_set,
       is_bedrock_api_key(a) AS api_key, person(a)
FROM kinds ORDER BY id;

-- rollups
SELECT id, role_arn(a), role_arn(a) IS NOT DISTINCT FROM a AS same
FROM kinds ORDER BY id;
SELECT role_arn('arn:aws-us-gov:sts::123456789012:assumed-role/R/s1'::iam_arn)
     = 'arn:aws-us-gov:iam::123456789012:role/R'::iam_arn AS rolls_up;
SELECT role_arn(a), count(*) AS sessions, string_agg(person(a), ', ' ORDER BY person(a)) AS people
FROM (VALUES ('arn:aws:sts::123456789012:assumed-role/BedrockRole/user-1@acme.org'::iam_arn),
             ('arn:aws:sts::123456789012:assumed-role/BedrockRole/user-2@acme.org'),
             ('arn:aws:sts::123456789012:assumed-role/BedrockRole/user-1@acme.org'),
             ('arn:aws:sts::123456789012:assumed-role/AppRole/session-123')) v(a)
GROUP BY 1 ORDER BY 1;

-- NULLs: every function is strict
SELECT arn_partition(NULL::iam_arn) IS NULL AS p, account_id(NULL) IS NULL AS a,
       principal_type(NULL) IS NULL AS t, role_arn(NULL) IS NULL AS r,
       person(NULL) IS NULL AS pe, iam_arn_is_valid(NULL) IS NULL AS v,
       NULL::text::iam_arn IS NULL AS c;

-- casts
SELECT 'arn:aws:iam::123456789012:root'::text::iam_arn::text AS text_round_trip;
SELECT iam_arn('arn:aws:iam::123456789012:user/alice') AS function_cast;
SELECT CAST('arn:aws:iam::123456789012:user/alice'::varchar AS iam_arn)::varchar AS varchar_round_trip;
SELECT 'arn:aws:iam::123456789012:user/alice'::iam_arn::text LIKE 'arn:aws:iam::%' AS like_via_text;
CREATE TEMP TABLE assign (a iam_arn, t text);
INSERT INTO assign SELECT 'arn:aws:iam::123456789012:user/bob'::text, 'arn:aws:iam::123456789012:user/bob'::iam_arn;
SELECT a, t, pg_typeof(a), pg_typeof(t) FROM assign;

-- validation without errors
SELECT s, iam_arn_is_valid(s) AS valid, iam_arn_error(s) AS error
FROM (VALUES ('arn:aws:iam::123456789012:root'), ('arn:aws:iam::12345:root'),
             (''), ('arn:aws:sts::123456789012:assumed-role/R/x')) v(s);

-- ordering: partition code, account, principal type, name, path or session
CREATE TEMP TABLE ord (a iam_arn);
INSERT INTO ord VALUES
  ('arn:aws-eusc:iam::000000000000:root'),
  ('arn:aws:sts::123456789012:federated-user/aa'),
  ('arn:aws:iam::123456789012:user/a/bob3'),
  ('arn:aws:iam::123456789012:user/bob2'),
  ('arn:aws:iam::000000000002:user/zed'),
  ('arn:aws:sts::123456789012:assumed-role/R/ac'),
  ('arn:aws:iam::123456789012:root'),
  ('arn:aws-cn:iam::000000000000:root'),
  ('arn:aws:sts::123456789012:assumed-role/R2/aa'),
  ('arn:aws:iam::123456789012:role/a'),
  ('arn:aws:iam::123456789012:user/bob'),
  ('arn:aws:sts::123456789012:assumed-role/R/ab'),
  ('arn:aws:iam::999999999999:root'),
  (NULL);
SELECT a FROM ord ORDER BY a;
SELECT a FROM ord ORDER BY a DESC NULLS LAST LIMIT 3;
SELECT min(a), max(a) FROM ord;
SELECT 'arn:aws:iam::123456789012:user/bob'::iam_arn < 'arn:aws:iam::123456789012:user/bob2' AS lt,
       'arn:aws:iam::123456789012:user/bob'::iam_arn <= 'arn:aws:iam::123456789012:user/bob' AS le,
       'arn:aws:iam::123456789012:root'::iam_arn > 'arn:aws:iam::123456789012:role/a' AS gt,
       'arn:aws:iam::123456789012:root'::iam_arn >= 'arn:aws:iam::123456789012:root' AS ge,
       'arn:aws:iam::123456789012:root'::iam_arn = 'arn:aws:iam::123456789012:root' AS eq,
       'arn:aws:iam::123456789012:root'::iam_arn <> 'arn:aws-cn:iam::123456789012:root' AS ne,
       'arn:aws:iam::123456789012:user/Bob'::iam_arn = 'arn:aws:iam::123456789012:user/bob' AS case_sensitive,
       iam_arn_cmp('arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789013:root') AS cmp;

-- hashing agrees with equality; extended hash depends on the seed
SELECT iam_arn_hash('arn:aws:iam::123456789012:root') = iam_arn_hash('arn:aws:iam::123456789012:root') AS hash_eq,
       iam_arn_hash_extended('arn:aws:iam::123456789012:root', 0) =
         iam_arn_hash_extended('arn:aws:iam::123456789012:root', 0) AS xhash_eq,
       iam_arn_hash_extended('arn:aws:iam::123456789012:root', 0) <>
         iam_arn_hash_extended('arn:aws:iam::123456789012:root', 1) AS seed_matters;

-- a realistic column: DISTINCT, GROUP BY, index scan, hash join
CREATE TEMP TABLE usage (id int, principal iam_arn, cost numeric);
INSERT INTO usage
SELECT g, (CASE g % 5
  WHEN 0 THEN format('arn:aws:iam::1234567890%s:user/team%s/dev%s', lpad((g % 7)::text, 2, '0'), g % 3, g % 11)
  WHEN 1 THEN format('arn:aws:iam::123456789012:user/BedrockAPIKey-%s', g % 4)
  WHEN 2 THEN format('arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_8219a806ceb01083/u%s@acme.org', g % 13)
  WHEN 3 THEN format('arn:aws:sts::210987654321:assumed-role/BedrockRole/gw-user-%s', g % 9)
  ELSE 'arn:aws:iam::210987654321:role/application-role' END)::iam_arn,
  (g % 100) / 100.0
FROM generate_series(1, 5000) g;
ANALYZE usage;
SELECT count(DISTINCT principal) AS principals, count(DISTINCT role_arn(principal)) AS roles,
       count(DISTINCT person(principal)) AS people FROM usage;
SELECT identity_kind(principal), count(*), count(DISTINCT principal) AS principals, sum(cost)
FROM usage GROUP BY 1 ORDER BY 1;
SELECT account_id(principal), principal_type(principal), count(*) FROM usage GROUP BY 1, 2 ORDER BY 1, 2;
SELECT DISTINCT principal FROM usage WHERE account_id(principal) = '210987654321' ORDER BY 1;
SET enable_hashagg = on;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT principal, count(*) FROM usage GROUP BY principal;
RESET enable_sort;
RESET enable_hashagg;

CREATE INDEX usage_principal_idx ON usage (principal);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM usage WHERE principal = 'arn:aws:iam::123456789012:user/BedrockAPIKey-1';
SELECT count(*) FROM usage WHERE principal = 'arn:aws:iam::123456789012:user/BedrockAPIKey-1';
EXPLAIN (COSTS OFF)
SELECT principal FROM usage WHERE principal > 'arn:aws:sts::210987654321:assumed-role/BedrockRole/gw-user-7' ORDER BY principal LIMIT 3;
SELECT principal FROM usage WHERE principal > 'arn:aws:sts::210987654321:assumed-role/BedrockRole/gw-user-7' ORDER BY principal LIMIT 3;
RESET enable_seqscan;
RESET enable_bitmapscan;
-- deduplicated btree: few distinct keys keep the index small
SELECT pg_relation_size('usage_principal_idx') < 8192 * 10 AS index_is_deduplicated;

CREATE TEMP TABLE owners (principal iam_arn PRIMARY KEY, team text);
INSERT INTO owners VALUES
  ('arn:aws:iam::123456789012:user/BedrockAPIKey-1', 'search'),
  ('arn:aws:iam::210987654321:role/application-role', 'platform'),
  ('arn:aws:sts::210987654321:assumed-role/BedrockRole/gw-user-2', 'gateway');
ANALYZE owners;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF)
SELECT o.team, count(*) FROM usage u JOIN owners o ON o.principal = u.principal GROUP BY o.team;
SELECT o.team, count(*) FROM usage u JOIN owners o ON o.principal = u.principal GROUP BY o.team ORDER BY 1;
RESET enable_mergejoin;
SET enable_hashjoin = off;
EXPLAIN (COSTS OFF)
SELECT o.team, count(*) FROM usage u JOIN owners o ON o.principal = u.principal GROUP BY o.team;
SELECT o.team, count(*) FROM usage u JOIN owners o ON o.principal = u.principal GROUP BY o.team ORDER BY 1;
RESET enable_hashjoin;
RESET enable_nestloop;

-- hash index and hash partitioning use the hash opclass
CREATE INDEX usage_principal_hash ON usage USING hash (principal);
CREATE TEMP TABLE parted (principal iam_arn) PARTITION BY HASH (principal);
CREATE TEMP TABLE parted_0 PARTITION OF parted FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TEMP TABLE parted_1 PARTITION OF parted FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO parted SELECT principal FROM usage;
SELECT count(*) AS rows, count(DISTINCT principal) AS principals FROM parted;

-- binary COPY round trip through a file written by psql
CREATE TEMP TABLE bin_src (id int, a iam_arn);
INSERT INTO bin_src SELECT id, txt::iam_arn FROM forms;
INSERT INTO bin_src VALUES (0, NULL);
\copy bin_src TO 'results/iam_arn.bin' WITH (FORMAT binary)
CREATE TEMP TABLE bin_dst (LIKE bin_src);
\copy bin_dst FROM 'results/iam_arn.bin' WITH (FORMAT binary)
SELECT count(*) AS rows,
       count(*) FILTER (WHERE d.a = s.a) AS equal,
       count(*) FILTER (WHERE d.a IS NULL AND s.a IS NULL) AS nulls
FROM bin_src s JOIN bin_dst d USING (id);
SELECT iam_arn_send('arn:aws:iam::123456789012:root') AS wire;

-- catalog: every function IMMUTABLE STRICT PARALLEL SAFE and commented, but the
-- aggregates (max, min, and _daily_sums' transition function: a first call has no state)
SELECT p.proname, p.provolatile, p.proisstrict, p.proparallel
FROM pg_proc p
WHERE p.pronamespace = 'bedrock_cost'::regnamespace
  AND pg_get_function_arguments(p.oid) ~ 'iam_arn|cstring|internal'
  AND (p.provolatile <> 'i' OR NOT p.proisstrict OR p.proparallel <> 's');
SELECT p.oid::regprocedure AS uncommented
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'bedrock_cost'
WHERE obj_description(p.oid, 'pg_proc') IS NULL;
SELECT proname FROM pg_proc
WHERE pronamespace = 'bedrock_cost'::regnamespace AND proleakproof ORDER BY 1;
SELECT opcname, amname, opcdefault FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
WHERE opcintype = 'bedrock_cost.iam_arn'::regtype ORDER BY amname;
SELECT oprname, oprcanhash, oprcanmerge, oprcom::regoperator, oprnegate::regoperator, oprrest, oprjoin
FROM pg_operator WHERE oprleft = 'bedrock_cost.iam_arn'::regtype ORDER BY oprname;
RESET search_path;
