-- gateway_log.sql: the query that reads a gateway's request log one billing
-- period at a time (bedrock_cost._gateway_query_sql), on a hand-made log of
-- LiteLLM's "LiteLLM_SpendLogs" shape: a period's requests are exactly those
-- whose "startTime" (UTC without a zone) falls in the month, the boundaries
-- included on the first instant and excluded on the next month's, and the
-- range is on the column itself, so LiteLLM's index on "startTime" serves it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS bedrock_cost;

-- the columns the litellm format reads, as LiteLLM declares them
CREATE TABLE litellm_spend_logs (
	request_id text PRIMARY KEY,
	api_key text NOT NULL DEFAULT '',
	spend double precision NOT NULL DEFAULT 0.0,
	prompt_tokens integer NOT NULL DEFAULT 0,
	completion_tokens integer NOT NULL DEFAULT 0,
	"startTime" timestamp(3) without time zone NOT NULL,
	model text NOT NULL DEFAULT '',
	"user" text DEFAULT '',
	team_id text,
	end_user text,
	metadata jsonb DEFAULT '{}',
	status text
);
CREATE INDEX "LiteLLM_SpendLogs_startTime_idx" ON litellm_spend_logs ("startTime");

-- April's last instant, May's first and last, June's first; a failed request
-- and a request with cache reads in May
INSERT INTO litellm_spend_logs (request_id, api_key, spend, prompt_tokens, completion_tokens, "startTime",
								model, "user", team_id, metadata, status) VALUES
	('r1', 'k1', 0.5, 100, 10, '2026-04-30 23:59:59.999', 'claude', 'alice', 'ds', '{}', 'success'),
	('r2', 'k1', 1.25, 200, 20, '2026-05-01 00:00:00', 'claude', 'alice', 'ds', '{}', 'success'),
	('r3', 'k2', 2.0, 300, 30, '2026-05-31 23:59:59.999', 'claude', '', 'web', '{}', 'success'),
	('r4', 'k2', 9.0, 900, 90, '2026-05-15 12:00:00', 'claude', 'bob', 'web', '{}', 'failure'),
	('r5', 'k1', 0.75, 500, 50, '2026-05-20 08:00:00', 'nova', 'alice', 'ds',
	 '{"usage_object": {"cache_read_input_tokens": 120, "cache_creation_input_tokens": 30}}', 'success'),
	('r6', 'k3', 4.0, 400, 40, '2026-06-01 00:00:00', 'claude', 'carol', NULL, '{}', 'success');

-- the log as _gateway_read reads it: mode rows or per_day, of one period
CREATE FUNCTION log_lines(mode text, period date) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format('SELECT l::text FROM (%s) AS l ORDER BY 1',
		bedrock_cost._gateway_query_sql('litellm', 'litellm_spend_logs'::regclass, mode)) USING period;
END
$$;

-- May: r2, r3, r4 (failed) and r5; the user of r3 is its key; per day, the
-- successful ones
SELECT log_lines('rows', '2026-05-01');
SELECT log_lines('per_day', '2026-05-01');
-- April and June: one request each; NULL: the whole log
SELECT log_lines('rows', '2026-04-01');
SELECT log_lines('rows', '2026-06-01');
SELECT count(*) AS whole_log FROM log_lines('rows', NULL);

-- the period's range is an index condition on "startTime"
SELECT bedrock_cost._gateway_query_sql('litellm', 'litellm_spend_logs'::regclass, 'rows') AS rows_sql \gset
PREPARE log_rows(date) AS :rows_sql;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) EXECUTE log_rows('2026-05-01');
RESET enable_seqscan;

DEALLOCATE log_rows;
DROP FUNCTION log_lines(text, date);
DROP TABLE litellm_spend_logs;
