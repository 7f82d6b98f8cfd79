#!/usr/bin/env bash
# quickstart.sh: the README's main command.  Installs what is missing, builds
# and installs the extension, starts a throwaway local cluster with the
# worker preloaded, loads the bundled sample CUR 2.0 export and prints the
# per-principal chargeback.  The cluster keeps running so you can explore it;
# running this again replaces it.  Stop it with:
#   scripts/cluster.sh destroy "$BC_QUICKSTART_DIR"
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
QS="${BC_QUICKSTART_DIR:-/tmp/bedrock_cost_quickstart}"
SAMPLE="$ROOT/test/fixtures/sample_export"

step() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step "installing missing packages"
scripts/deps.sh

step "building and installing bedrock_cost"
make -s -j"$(nproc 2>/dev/null || echo 2)"
as_root make -s install >/dev/null

step "starting a throwaway cluster in $QS"
if [ -e "$QS/.bedrock_cost_quickstart" ]; then
	scripts/cluster.sh destroy "$QS"
elif [ -e "$QS" ]; then
	echo "quickstart: $QS exists and is not a quickstart folder; set BC_QUICKSTART_DIR" >&2
	exit 1
fi
mkdir -p "$QS/exports"
touch "$QS/.bedrock_cost_quickstart"
chmod 755 "$QS" "$QS/exports"
scripts/cluster.sh start "$QS" --preload \
	--conf "bedrock_cost.database = 'postgres'" \
	--conf "bedrock_cost.export_root = '$QS/exports'"
# shellcheck disable=SC1091
source "$QS/env"
psql -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION bedrock_cost" \
	-c "ALTER DATABASE postgres SET search_path = bedrock_cost, \"\$user\", public"

[ -d "$SAMPLE" ] || { echo "quickstart: the bundled sample export $SAMPLE is missing" >&2; exit 1; }
step "loading the bundled sample export (2 billing periods, April restated once)"
cp -r "$SAMPLE" "$QS/exports/sample"
[ "$(id -u)" = 0 ] && chown -R postgres "$QS/exports"
psql -X -v ON_ERROR_STOP=1 -c "SELECT billing_period, status, execution_id, rows_loaded
	FROM bedrock_cost.load_export('$QS/exports/sample') ORDER BY billing_period"
psql -X -q -v ON_ERROR_STOP=1 -c "SELECT bedrock_cost.refresh_chargeback()" >/dev/null
step "chargeback by person and role, May 2026 (unblended cost, USD; top 15)"
psql -X -v ON_ERROR_STOP=1 -c "SELECT coalesce(person, principal_arn, '(' || attribution || ')') AS person,
		coalesce(role_name, principal_type) AS role_or_type, round(sum(cost), 2) AS cost,
		trim_scale(sum(input_tokens)) AS input_tokens, trim_scale(sum(output_tokens)) AS output_tokens
	FROM bedrock_cost.chargeback_by_principal WHERE billing_period = '2026-05-01'
	GROUP BY 1, 2 ORDER BY sum(cost) DESC LIMIT 15"
step "chargeback by principal tag iamPrincipal/cost-center, May 2026"
psql -X -v ON_ERROR_STOP=1 -c "SELECT tag_value, round(sum(cost), 2) AS cost
	FROM bedrock_cost.chargeback_by_tag
	WHERE billing_period = '2026-05-01' AND tag_key = 'iamPrincipal/cost-center'
	GROUP BY 1 ORDER BY 2 DESC"
step "usage by model, May 2026 (top 10)"
psql -X -v ON_ERROR_STOP=1 -c "SELECT coalesce(model_key, '(unrecognized)') AS model, token_kind,
		trim_scale(sum(tokens)) AS tokens, round(sum(cost), 2) AS cost
	FROM bedrock_cost.usage_by_model WHERE billing_period = '2026-05-01'
	GROUP BY 1, 2 ORDER BY sum(cost) DESC LIMIT 10"
step "reconciliation: file totals against loaded totals"
psql -X -v ON_ERROR_STOP=1 -c "SELECT billing_period, line_item_type, file_total, loaded_total, difference
	FROM bedrock_cost.reconciliation ORDER BY 1, 2"

step "cluster left running"
echo "connect:  psql -h '$PGHOST' -p $PGPORT -U postgres"
echo "stop:     scripts/cluster.sh destroy '$QS'"
