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
			'COALESCE((l.metadata::pg_catalog.jsonb OPERATOR(pg_catalog.#>>) ''{usage_object,cache_creation_input_tokens}'')::pg_catalog.int8, 0) AS w) AS c '
			-- the billing period's range on the column itself, so that an
			-- index on "startTime" (LiteLLM creates one) serves it
			'WHERE ($1 IS NULL OR (l."startTime"::pg_catalog.timestamp OPERATOR(pg_catalog.>=) $1::pg_catalog.timestamp '
			'AND l."startTime"::pg_catalog.timestamp OPERATOR(pg_catalog.<) ($1 OPERATOR(pg_catalog.+) ''1 month''::pg_catalog.interval)))', $2)
	END
$$;
COMMENT ON FUNCTION bedrock_cost._gateway_log_sql(text, regclass) IS
  'internal: the SELECT reading a request log relation of the given format as the columns of bedrock_cost.gateway_log (litellm: only the billing period $1, NULL: all, by a range on "startTime")';
REVOKE ALL ON FUNCTION bedrock_cost._gateway_log_sql(text, regclass) FROM PUBLIC;

-- the query _gateway_read runs as a gateway's registrant: its log in one
-- mode, of the billing period $1 (NULL: all), by a range on the request time
-- (an index on a plain log's request_time serves it, and one on a LiteLLM
-- log's "startTime" the range _gateway_log_sql puts on it)
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
