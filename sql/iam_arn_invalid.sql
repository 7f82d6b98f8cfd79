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

-- iam_arn_error gives the detail without raising
SELECT bedrock_cost.iam_arn_error(s)
FROM (VALUES ('arn:aws:iam::12:root'), ('arn:aws:iam::123456789012:user/'),
             ('arn:aws-cn:sts::123456789012:federated-user/x'),
             ('arn:aws:iam::123456789012:user/ok')) v(s);
