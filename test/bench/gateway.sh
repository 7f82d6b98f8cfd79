#!/usr/bin/env bash
# gateway.sh: benchmark of the gateway split (bedrock_cost.refresh_gateways)
# on a request log of LOG_ROWS rows for one month.
#
#   test/bench/gateway.sh [LOG_ROWS] [EXPORT_ROWS]     (default 10000000 200000)
#
# Starts a throwaway cluster (scripts/cluster.sh), loads a generated export
# of EXPORT_ROWS rows (bedrock-cost-gen, one month), refreshes the
# chargeback, then fills a plain-format request log (gw.requests) in SQL
# with LOG_ROWS requests spread over the days and models the generator's
# gateway role (LLMGatewayShared) is billed for: 200 users on each day and
# model, out of 5,000 in 50 teams; one request in 50 failed; tokens of all
# four kinds.  Registers it and
# times refresh_gateways(): reading the log, the split and the
# reconciliation.  Prints the figures; asserts nothing.  PG_BINDIR picks
# the server binaries (scripts/cluster.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
LOG_ROWS="${1:-10000000}"
EXPORT_ROWS="${2:-200000}"
DIR="$(mktemp -d /tmp/bedrock_cost_gwbench.XXXXXX)"
chmod 755 "$DIR"
trap 'scripts/cluster.sh destroy "$DIR/pg" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
gen="./bedrock-cost-gen"
[ -x "$gen" ] || make -s bedrock-cost-gen >/dev/null
"$gen" --out "$DIR/x" --export x --rows "$EXPORT_ROWS" --periods 1 --seed 18 --quiet
chmod -R a+rX "$DIR/x"
scripts/cluster.sh start "$DIR/pg" --preload --conf 'shared_buffers = 2GB' --conf 'work_mem = 256MB' \
	--conf 'maintenance_work_mem = 1GB' --conf 'max_wal_size = 16GB' --conf 'checkpoint_timeout = 30min' \
	--conf 'synchronous_commit = off' --conf 'jit = off' >/dev/null
# shellcheck disable=SC1091
source "$DIR/pg/env"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

# seconds of one SQL statement, measured by the server
timed() {
	"${PSQL[@]}" -At -c "DO \$\$ DECLARE t timestamptz := clock_timestamp(); BEGIN $1; RAISE NOTICE 'secs=%', round(extract(epoch FROM clock_timestamp() - t)::numeric, 2); END \$\$" 2>&1 \
		| sed -n 's/.*secs=//p'
}

"${PSQL[@]}" -c 'CREATE EXTENSION bedrock_cost'
echo "gateway benchmark: $LOG_ROWS log rows, an export of $EXPORT_ROWS rows, 2 cores"
echo "load_export + refresh_chargeback(): $(timed "PERFORM bedrock_cost.load_export('$DIR/x/x'); PERFORM bedrock_cost.refresh_chargeback()")s"
"${PSQL[@]}" <<'SQL'
CREATE SCHEMA gw;
CREATE UNLOGGED TABLE gw.requests (request_time timestamptz, user_key text, team_key text, model text,
	input_tokens bigint, output_tokens bigint, cache_read_tokens bigint, cache_write_tokens bigint,
	status text, estimated_spend numeric);
CREATE TABLE gw.billed AS
	SELECT row_number() OVER (ORDER BY usage_date, model) - 1 AS n, usage_date, model
	  FROM (SELECT DISTINCT usage_date, model FROM bedrock_cost.chargeback_daily
			 WHERE bedrock_cost.role_name(principal_arn::bedrock_cost.iam_arn) = 'LLMGatewayShared'
			   AND model IS NOT NULL) AS d;
SQL
pairs=$("${PSQL[@]}" -At -c 'SELECT count(*) FROM gw.billed')
echo "the gateway role is billed on $pairs (day, model) pairs"
echo "fill the log in SQL: $(timed "INSERT INTO gw.requests SELECT b.usage_date + (g % 86400) * interval '1 second', 'user' || (((g % $pairs) * 37 + (g / $pairs) % 200) % 5000), 'team' || ((((g % $pairs) * 37 + (g / $pairs) % 200) % 5000) % 50), 'bedrock/' || b.model, 1000 + g % 3000, 200 + g % 700, CASE WHEN g % 3 = 0 THEN 5000 ELSE 0 END, CASE WHEN g % 11 = 0 THEN 2000 ELSE 0 END, CASE WHEN g % 50 = 0 THEN 'failure' ELSE 'success' END, 0.01 FROM generate_series(1, $LOG_ROWS) AS g JOIN gw.billed AS b ON b.n = g % $pairs")s"
"${PSQL[@]}" -c "SELECT bedrock_cost.register_gateway('shared', 'LLMGatewayShared', 'gw.requests', 'plain')" >/dev/null
echo "refresh_gateways(): $(timed 'PERFORM bedrock_cost.refresh_gateways()')s"
"${PSQL[@]}" -At -c "SELECT 'rows: gateway_chargeback ' || (SELECT count(*) FROM bedrock_cost.gateway_chargeback) || ', gateway_reconciliation ' || (SELECT count(*) FROM bedrock_cost.gateway_reconciliation)"
"${PSQL[@]}" -At -c "SELECT 'check: the lines add up to the gateway role''s billed cost: ' || ((SELECT sum(billed_share) FROM bedrock_cost.gateway_chargeback) = (SELECT sum(cost) FROM bedrock_cost.chargeback_daily WHERE bedrock_cost.role_name(principal_arn::bedrock_cost.iam_arn) = 'LLMGatewayShared' AND attribution = 'attributed'))"
