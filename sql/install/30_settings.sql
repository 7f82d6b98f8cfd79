/*
 * 30_settings.sql: the chargeback settings (cost basis, spike thresholds),
 * the views that give the values in force, and the functions that set them.
 * They come before the loader (40_loader.sql) because every delivery records
 * the cost basis in force when it was loaded (loads.cost_basis).
 *
 * IDENTIFICATION
 *		sql/install/30_settings.sql
 */

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
