-- iam_arn_invalid.sql: rejected inputs, each with its exact message and detail
CREATE EXTENSION IF NOT EXISTS bedrock_cost;
\set VERBOSITY default

-- prefix, partition, service, region
SELECT ''::bedrock_cost.iam_arn;
SELECT 'arn'::bedrock_cost.iam_arn;
SELECT 'ARN:aws:iam::123456789012:root'::bedrock_cost.iam_arn;
SELECT ' arn:aws:iam::123456789012:root'::bedrock_cost.iam_arn;
SELECT 'urn:aws:iam::123456789012:root'::bedrock_cost.iam_arn;
SELECT 'arn:'::bedrock_cost.iam_arn;
SELECT 'arn:aws'::bedrock_cost.iam_arn;
SELECT 'arn:AWS:iam::123456789012:root'::bedrock_cost.iam_arn;
SELECT 'arn:aws-xx:iam::123456789012:root'::bedrock_cost.iam_arn;
SELECT 'arn:aws-iso-c:iam::123456789012:root'::bedrock_cost.iam_arn;
SELECT 'arn::iam::123456789012:root'::bedrock_cost.iam_arn;
SELECT 'arn:aws:s3:::my-bucket'::bedrock_cost.iam_arn;
SELECT 'arn:aws:IAM::123456789012:root'::bedrock_cost.iam_arn;
SELECT 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/x'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam:us-east-1:123456789012:root'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts:us-east-1:123456789012:assumed-role/R/s1'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam:'::bedrock_cost.iam_arn;
-- account
SELECT 'arn:aws:iam::12345678901:root'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::1234567890123:root'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::12345678901a:root'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam:::root'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::*:root'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012'::bedrock_cost.iam_arn;
-- resource type
SELECT 'arn:aws:iam::123456789012:'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:root '::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:root/x'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:Root'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:group/admins'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:policy/p'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:user'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:assumed-role/R/s1'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:user/alice'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:root'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:assumed-role'::bedrock_cost.iam_arn;
-- user and role names and paths
SELECT 'arn:aws:iam::123456789012:user/'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:user/bob smith'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:user/bob*'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:user/bøb'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:user/division/'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:user/' || repeat('n', 65);
SELECT ('arn:aws:iam::123456789012:user/' || repeat('n', 65))::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:user//bob'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:user/a b/bob'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:user/é/bob'::bedrock_cost.iam_arn;
SELECT ('arn:aws:iam::123456789012:user/' || repeat('p', 511) || '/bob')::bedrock_cost.iam_arn IS NOT NULL;
SELECT ('arn:aws:iam::123456789012:user/' || repeat('p', 510) || '/bob')::bedrock_cost.iam_arn IS NOT NULL AS path_512_ok;
SELECT 'arn:aws:iam::123456789012:role/'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:role/my role'::bedrock_cost.iam_arn;
SELECT 'arn:aws:iam::123456789012:role/x/'::bedrock_cost.iam_arn;
SELECT ('arn:aws:iam::123456789012:role/' || repeat('r', 65))::bedrock_cost.iam_arn IS NOT NULL;
SELECT ('arn:aws:iam::123456789012:role/' || repeat('r', 64))::bedrock_cost.iam_arn IS NOT NULL AS role_64_ok;
-- assumed-role
SELECT 'arn:aws:sts::123456789012:assumed-role/'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:assumed-role/R'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:assumed-role//session'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:assumed-role/R!/session'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:assumed-role/R/'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:assumed-role/R/s'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:assumed-role/R/a b'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:assumed-role/path/R/session'::bedrock_cost.iam_arn;
SELECT ('arn:aws:sts::123456789012:assumed-role/R/' || repeat('s', 65))::bedrock_cost.iam_arn IS NOT NULL;
SELECT ('arn:aws:sts::123456789012:assumed-role/R/' || repeat('s', 64))::bedrock_cost.iam_arn IS NOT NULL AS session_64_ok;
SELECT ('arn:aws:sts::123456789012:assumed-role/' || repeat('r', 65) || '/ss')::bedrock_cost.iam_arn IS NOT NULL;
-- federated-user
SELECT 'arn:aws:sts::123456789012:federated-user/'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:federated-user/B'::bedrock_cost.iam_arn;
SELECT 'arn:aws:sts::123456789012:federated-user/Bob/x'::bedrock_cost.iam_arn;
SELECT ('arn:aws:sts::123456789012:federated-user/' || repeat('f', 33))::bedrock_cost.iam_arn IS NOT NULL;
SELECT ('arn:aws:sts::123456789012:federated-user/' || repeat('f', 32))::bedrock_cost.iam_arn IS NOT NULL AS federated_32_ok;
-- whole value
SELECT repeat('a', 700)::bedrock_cost.iam_arn IS NOT NULL;
SELECT 'arn:aws:iam::123456789012:user/alice
'::bedrock_cost.iam_arn;

-- the text cast, INSERT and COPY report the same error
SELECT 'arn:aws:iam::12:root'::text::bedrock_cost.iam_arn;
CREATE TEMP TABLE bad (a bedrock_cost.iam_arn);
INSERT INTO bad VALUES ('arn:aws:iam::123456789012:user/');
COPY bad FROM stdin;
arn:aws:iam::123456789012:user/ok
arn:aws:sts::123456789012:assumed-role/R/s
\.
SELECT count(*) AS nothing_loaded FROM bad;

-- binary input: a bytea column has the same COPY wire layout, so it can
-- hand iam_arn_recv a crafted payload (unknown version, then invalid text)
CREATE TEMP TABLE wire (b bytea);
INSERT INTO wire VALUES ('\x02'::bytea || convert_to('arn:aws:iam::123456789012:root', 'UTF8'));
\copy wire TO 'results/iam_arn_bad_version.bin' WITH (FORMAT binary)
\copy bad FROM 'results/iam_arn_bad_version.bin' WITH (FORMAT binary)
TRUNCATE wire;
INSERT INTO wire VALUES ('\x01'::bytea || convert_to('arn:aws:iam::123456789012:rot', 'UTF8'));
\copy wire TO 'results/iam_arn_bad_text.bin' WITH (FORMAT binary)
\copy bad FROM 'results/iam_arn_bad_text.bin' WITH (FORMAT binary)
TRUNCATE wire;
INSERT INTO wire VALUES ('\x01'::bytea || convert_to('arn:aws:iam::123456789012:root', 'UTF8'));
\copy wire TO 'results/iam_arn_good.bin' WITH (FORMAT binary)
\copy bad FROM 'results/iam_arn_good.bin' WITH (FORMAT binary)
SELECT a AS received FROM bad;

-- messages show at most 100 bytes of the value, escaped, then its length:
-- a 1 MB value does not go into the message and the log whole, and control
-- characters cannot forge log lines
SELECT ('arn:aws:iam::123456789012:user/' || repeat('x', 1024 * 1024 - 31))::bedrock_cost.iam_arn;
SELECT E'arn:aws:iam::123456789012:user/a\nLOG:  forged line\r\t\x01\x7f\u0085 "q" \\'::bedrock_cost.iam_arn;
SELECT E'arn:aws:iam::123456789012:user/a\nb'::text::bedrock_cost.iam_arn;
-- the cut does not split a character: 99 bytes, then a 2-byte one
SELECT (repeat('a', 99) || 'é')::bedrock_cost.iam_arn;
DO $$
BEGIN
  PERFORM ('arn:aws:iam::123456789012:user/' || repeat(E'\n', 100000))::bedrock_cost.iam_arn;
EXCEPTION WHEN invalid_text_representation THEN
  RAISE NOTICE 'message of % bytes', octet_length(SQLERRM);
END
$$;

-- iam_arn_error gives the detail without raising
SELECT bedrock_cost.iam_arn_error(s)
FROM (VALUES ('arn:aws:iam::12:root'), ('arn:aws:iam::123456789012:user/'),
             ('arn:aws-cn:sts::123456789012:federated-user/x'),
             ('arn:aws:iam::123456789012:user/ok')) v(s);

-- mutation sweep: every single-character replacement, deletion and
-- truncation of a few valid ARNs.  Input, the cast, iam_arn_is_valid and
-- iam_arn_error must agree; every rejection is 22P02 naming the type, and
-- every accepted mutant round-trips exactly.
CREATE TEMP TABLE mutants AS
WITH base(s) AS (VALUES
  ('arn:aws:iam::123456789012:user/division_abc/Bob'),
  ('arn:aws-us-gov:iam::123456789012:role/R'),
  ('arn:aws:iam::123456789012:root'),
  ('arn:aws-eusc:sts::123456789012:assumed-role/AWSReservedSSO_Dev_8219a806ceb01083/a.b@c.io'),
  ('arn:aws-iso-f:sts::123456789012:federated-user/Bob')),
pos AS (SELECT s, i FROM base, generate_series(1, length(s)) i),
ch(c) AS (VALUES (' '), (':'), ('/'), ('A'), ('0'), ('-'), ('*'), ('é'), (''))
SELECT DISTINCT m FROM (
  SELECT overlay(s placing c from i for 1) AS m FROM pos, ch
  UNION ALL SELECT left(s, i - 1) FROM pos) x;
DO $$
DECLARE
  r record;
  ok bool;
  n_valid int := 0;
  n_invalid int := 0;
  n_bad int := 0;
BEGIN
  FOR r IN SELECT m FROM mutants LOOP
    BEGIN
      ok := r.m::bedrock_cost.iam_arn::text = r.m;
      IF NOT ok OR NOT bedrock_cost.iam_arn_is_valid(r.m) OR bedrock_cost.iam_arn_error(r.m) IS NOT NULL THEN
        n_bad := n_bad + 1;
        RAISE NOTICE 'inconsistent for accepted %', r.m;
      END IF;
      n_valid := n_valid + 1;
    EXCEPTION WHEN invalid_text_representation THEN
      IF SQLERRM NOT LIKE 'invalid input syntax for type iam_arn: %'
         OR bedrock_cost.iam_arn_is_valid(r.m) OR bedrock_cost.iam_arn_error(r.m) IS NULL THEN
        n_bad := n_bad + 1;
        RAISE NOTICE 'inconsistent for rejected %: %', r.m, SQLERRM;
      END IF;
      n_invalid := n_invalid + 1;
    END;
  END LOOP;
  RAISE NOTICE 'mutants: % accepted, % rejected, % inconsistent', n_valid, n_invalid, n_bad;
END $$;
