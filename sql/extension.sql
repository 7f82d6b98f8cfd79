-- extension.sql: the extension installs, reports its version, and drops cleanly
CREATE EXTENSION bedrock_cost;
SELECT bedrock_cost.version();
SELECT extversion FROM pg_extension WHERE extname = 'bedrock_cost';
LOAD 'bedrock_cost';
SHOW bedrock_cost.poll_interval;
SET bedrock_cost.max_rejected_rows = 10;
SHOW bedrock_cost.max_rejected_rows;
RESET bedrock_cost.max_rejected_rows;
DROP EXTENSION bedrock_cost;
SELECT count(*) AS leftover_schemas FROM pg_namespace WHERE nspname = 'bedrock_cost';
CREATE EXTENSION bedrock_cost;
