-- citus.sql: without Citus (this cluster), the Citus functions do nothing
-- or refuse clearly; test/citus/run.sh runs them on a Citus cluster
CREATE EXTENSION IF NOT EXISTS bedrock_cost;
-- no Citus: no table is distributed, loads take the plain COPY path
SELECT bedrock_cost._citus_distribution('bedrock_cost.line_items') IS NULL AS not_distributed;
-- distribute() needs the citus extension
SELECT * FROM bedrock_cost.distribute();
-- the loader's row source is refused outside a load
SELECT bedrock_cost._copy_rows('bedrock_cost.line_items', NULL::bedrock_cost.line_items);
-- superuser only
SELECT p.oid::regprocedure, pg_catalog.has_function_privilege('bedrock_cost_admin', p.oid, 'EXECUTE') AS admin
  FROM pg_catalog.pg_proc AS p
 WHERE p.pronamespace = 'bedrock_cost'::regnamespace
   AND p.proname IN ('distribute', '_citus_distribution', '_copy_rows', '_distribute_load_table', '_insert_copy_rows')
 ORDER BY 1::text;
