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
