#!/usr/bin/env bash
# chargeback.sh: benchmark of the chargeback views at scale.
#
#   test/bench/chargeback.sh [ROWS] [PERIODS]     (default 10000000 12)
#
# Starts a throwaway cluster (scripts/cluster.sh), installs the extension,
# fills line_items directly in SQL (generate_series into one delivery table
# per billing period, swapped in the way the loader does it) with realistic
# cardinalities: 2000 principals (three in four assumed-role sessions of 60
# roles), 5 usage accounts, 40 usage types, iamPrincipal team / cost-center /
# project tags (one principal in ten untagged), 5% unattributed usage, Tax
# and Credit rows.  Then measures:
#   - the first refresh_chargeback(false) (every period computed)
#   - dashboard queries on the bi_* views for one month (chargeback, team
#     model mix, usage profile, budget status, spikes, what-if): EXPLAIN
#     ANALYZE execution time, best of 5, as the BI role (team_access *) and
#     as a team role (one cost center)
#   - reloading one period (a new delivery swapped in) and the refresh after
#     it (the default, incremental: that period only), then again with a
#     full rebuild (refresh_chargeback(false)), and a refresh with nothing
#     changed
# Figures are printed as they come.  PG_BINDIR picks the server binaries
# (scripts/cluster.sh); BC_BENCH_EXPLAIN=MS keeps the plans of the statements
# slower than MS ms (auto_explain) in test/bench/out/chargeback_explain.log.
# Prints the figures; nothing is asserted (a benchmark, not a test).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-10000000}"
PERIODS="${2:-12}"
DIR="$(mktemp -d /tmp/bedrock_cost_bench.XXXXXX)"
chmod 755 "$DIR"
# BC_BENCH_EXPLAIN=MS: the plan of every statement (refresh steps included)
# slower than MS milliseconds, from auto_explain, kept in
# test/bench/out/chargeback_explain.log (timing each step slows them a little)
explain=()
if [ -n "${BC_BENCH_EXPLAIN:-}" ]; then
	case "$BC_BENCH_EXPLAIN" in *[!0-9]*) echo "chargeback.sh: BC_BENCH_EXPLAIN takes milliseconds" >&2; exit 2 ;; esac
	explain=(--conf "shared_preload_libraries = 'auto_explain'" --conf "auto_explain.log_min_duration = $BC_BENCH_EXPLAIN"
		--conf 'auto_explain.log_nested_statements = on' --conf 'auto_explain.log_analyze = on')
fi
cleanup() {
	if [ ${#explain[@]} -gt 0 ] && [ -f "$DIR/pg/server.log" ]; then
		mkdir -p test/bench/out && cp "$DIR/pg/server.log" test/bench/out/chargeback_explain.log
	fi
	scripts/cluster.sh destroy "$DIR/pg" >/dev/null 2>&1 || true
	rm -rf "$DIR"
}
trap cleanup EXIT
scripts/cluster.sh start "$DIR/pg" --conf 'shared_buffers = 2GB' --conf 'work_mem = 64MB' \
	--conf 'maintenance_work_mem = 1GB' --conf 'max_wal_size = 16GB' --conf 'checkpoint_timeout = 30min' \
	--conf 'synchronous_commit = off' --conf 'jit = off' "${explain[@]+"${explain[@]}"}" >/dev/null
# shellcheck disable=SC1091
source "$DIR/pg/env"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

# seconds of one SQL statement, measured by the server
timed() {
	local out
	out=$("${PSQL[@]}" -At -c "DO \$\$ DECLARE t timestamptz := clock_timestamp(); BEGIN $1; RAISE NOTICE 'secs=%', round(extract(epoch FROM clock_timestamp() - t)::numeric, 2); END \$\$" 2>&1) \
		|| { echo "failed: $1: $out" >&2; return 1; }
	echo "$out" | sed -n 's/.*secs=//p'
}

"${PSQL[@]}" <<'SQL'
CREATE EXTENSION bedrock_cost;
CREATE TABLE bench_principal AS
SELECT id,
	   CASE WHEN id % 4 = 0 THEN format('arn:aws:iam::%s:user/svc%s', acct, id)
			ELSE format('arn:aws:sts::%s:assumed-role/Role%s/user%s@acme.org', acct, id % 60, id) END AS arn,
	   acct,
	   CASE WHEN id % 10 = 9 THEN '{}'::jsonb
			ELSE jsonb_build_object('iamPrincipal/team', 'team' || (id % 25),
									'iamPrincipal/cost-center', lpad((id % 40)::text, 5, '0'))
				 || CASE WHEN id % 3 = 0 THEN jsonb_build_object('iamPrincipal/project', 'proj' || (id % 17))
						 ELSE '{}'::jsonb END END AS tags
  FROM (SELECT id, (ARRAY['111122223333', '444455556666', '777788889999', '012345678901', '210987654321'])[id % 5 + 1] AS acct
		  FROM generate_series(0, 1999) id) s;
CREATE TABLE bench_ut AS
SELECT row_number() OVER () - 1 AS id, r || '-' || m || '-' || k AS usage_type,
	   CASE k WHEN 'output-tokens' THEN 0.015 WHEN 'input-tokens' THEN 0.003
			  WHEN 'cache-read-input-token-count' THEN 0.0003 ELSE 0.00375 END AS rate
  FROM unnest(ARRAY['Claude4.6Sonnet', 'Claude4.5Haiku', 'Nova2.0Pro', 'Llama4-Maverick-17B', 'DeepSeekR1']) m,
	   unnest(ARRAY['input-tokens', 'output-tokens', 'cache-read-input-token-count', 'cache-write-input-token-count']) k,
	   unnest(ARRAY['USE1', 'USW2']) r;
INSERT INTO bedrock_cost.exports (export_id, path) VALUES (1, '/bench');

-- one delivery of one period: n rows, seed s
CREATE FUNCTION bench_load(p_load_id bigint, p_period date, n bigint, s integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
	INSERT INTO bedrock_cost.loads (load_id, export_id, billing_period, source, status, started_at, data_table)
	VALUES (p_load_id, 1, p_period, 'export', 'running', now(), 'line_items_l' || p_load_id);
	t := bedrock_cost._create_load_table(p_load_id, p_period, 1);
	EXECUTE format($f$
	INSERT INTO bedrock_cost.%I
		(billing_period, export_id, load_id, file_no, line_number, usage_start, usage_end, line_item_type,
		 payer_account_id, usage_account_id, billing_entity, product_code, product_name, usage_type, operation,
		 pricing_unit, usage_amount, tokens, unblended_cost, net_unblended_cost, principal, tags)
	SELECT %L::date, 1, %s, 1, g + 1, ts, ts + interval '1 hour', lit,
		   '999999999999', p.acct, 'AWS', 'AmazonBedrock', 'Amazon Bedrock',
		   CASE lit WHEN 'Usage' THEN u.usage_type ELSE lit END, 'InvokeModelInference', '1K tokens',
		   CASE lit WHEN 'Usage' THEN tok / 1000.0 ELSE 1 END,
		   CASE lit WHEN 'Usage' THEN tok END,
		   CASE lit WHEN 'Usage' THEN round(tok * u.rate / 1000, 10) WHEN 'Tax' THEN 1.25 ELSE -0.50 END,
		   CASE lit WHEN 'Usage' THEN round(tok * u.rate * 0.97 / 1000, 10) WHEN 'Tax' THEN 1.25 ELSE -0.50 END,
		   CASE WHEN lit = 'Usage' AND g %% 20 <> 0 THEN p.arn::bedrock_cost.iam_arn END,
		   CASE WHEN lit = 'Usage' AND g %% 20 <> 0 THEN p.tags ELSE '{}'::jsonb END
	  FROM (SELECT g, (g * 7919 + %s) %% 2000 AS pid, (g * 104729 + %s) %% 40 AS uid,
				   1000 + (g * 31 + %s) %% 50000 AS tok,
				   %L::timestamptz + ((g %% 28) * interval '1 day') + ((g %% 24) * interval '1 hour') AS ts,
				   CASE g %% 5000 WHEN 1 THEN 'Tax' WHEN 2 THEN 'Credit' ELSE 'Usage' END AS lit
			  FROM generate_series(1::bigint, %s) g) x
	  JOIN bench_principal p ON p.id = x.pid
	  JOIN bench_ut u ON u.id = x.uid$f$, t, p_period, p_load_id, s, s, s, p_period, n);
	INSERT INTO bedrock_cost.load_totals (load_id, line_item_type, is_bedrock, rows, unblended_cost, net_unblended_cost)
	SELECT p_load_id, 'Usage', true, 0, 0, 0;
	PERFORM bedrock_cost._summarize_load_table(p_load_id);
	PERFORM bedrock_cost._index_summaries(p_load_id);
	PERFORM bedrock_cost._swap_in(p_load_id);
END
$$;
CREATE ROLE bench_bi LOGIN IN ROLE bedrock_cost_reader;
CREATE ROLE bench_team LOGIN IN ROLE bedrock_cost_reader;
INSERT INTO bedrock_cost.team_access VALUES ('bench_bi', '*', '*'), ('bench_team', 'iamPrincipal/cost-center', '00007');
INSERT INTO bedrock_cost.budgets (name, scope, tag_key, tag_value, principal_arn, role_arn, monthly_amount) VALUES
	('bill', 'bill', NULL, NULL, NULL, NULL, 1000000),
	('team7', 'tag', 'iamPrincipal/team', 'team7', NULL, NULL, 5000),
	('cc7', 'tag', 'iamPrincipal/cost-center', '00007', NULL, NULL, 5000),
	('role7', 'role', NULL, NULL, NULL, 'arn:aws:iam::777788889999:role/Role7', 2000),
	('svc0', 'principal', NULL, NULL, 'arn:aws:iam::111122223333:user/svc0', NULL, 100);
SQL

per=$((ROWS / PERIODS))
echo "chargeback benchmark: $ROWS line items over $PERIODS periods ($per per period), $(nproc) cores"
load_secs=$(timed "FOR i IN 1..$PERIODS LOOP PERFORM bench_load(i, ('2025-07-01'::date + (i - 1) * interval '1 month')::date, $per, i); END LOOP")
"${PSQL[@]}" -c "VACUUM ANALYZE"
echo "fill line_items (INSERT ... SELECT generate_series): ${load_secs}s"
echo "line_items: $("${PSQL[@]}" -At -c "SELECT (SELECT count(*) FROM bedrock_cost.line_items) || ' rows, ' || pg_size_pretty(sum(pg_total_relation_size(relid))) FROM pg_partition_tree('bedrock_cost.line_items') WHERE isleaf")"
echo "first refresh_chargeback(false) (every period): $(timed "PERFORM bedrock_cost.refresh_chargeback(false)")s"
"${PSQL[@]}" -At -c "SELECT 'rows: ' || string_agg(relname || ' ' || n_live_tup, ', ' ORDER BY relname) FROM pg_stat_user_tables WHERE schemaname = 'bedrock_cost' AND relname IN ('chargeback_base', 'chargeback_by_principal', 'chargeback_by_tag', 'usage_by_model', 'team_model_mix', 'usage_profile', 'chargeback_daily', 'spikes', 'chargeback_allocated')"
mid="$(psql -X -At -c "SELECT ('2025-07-01'::date + ($PERIODS / 2) * interval '1 month')::date")"
# execution time of a query as a role, best of 5
qtime() {
	local role="$1" sql="$2" best="" t i
	for i in 1 2 3 4 5; do
		t=$(psql -X -At -U "$role" -c "EXPLAIN (ANALYZE) $sql" | awk '/^Execution Time:/ { print $3 }')
		[ -n "$t" ] || { echo "chargeback.sh: no execution time for: $sql" >&2; exit 1; }
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
	done
	printf '%8.2f ms  %s\n' "$best" "$3"
}
echo "dashboard queries on $mid (EXPLAIN ANALYZE execution time, best of 5):"
qtime bench_bi "SELECT principal_arn, person, role_arn, sum(cost), sum(total_tokens) FROM bedrock_cost.bi_chargeback_by_principal WHERE billing_period = '$mid' GROUP BY 1, 2, 3 ORDER BY 4 DESC" "per principal, BI role (all rows)"
qtime bench_team "SELECT principal_arn, person, role_arn, sum(cost), sum(total_tokens) FROM bedrock_cost.bi_chargeback_by_principal WHERE billing_period = '$mid' GROUP BY 1, 2, 3 ORDER BY 4 DESC" "per principal, team role (one cost center)"
qtime bench_bi "SELECT tag_value, sum(cost), sum(total_tokens) FROM bedrock_cost.bi_chargeback_by_tag WHERE billing_period = '$mid' AND tag_key = 'iamPrincipal/team' GROUP BY 1 ORDER BY 2 DESC" "per team, BI role"
qtime bench_team "SELECT tag_value, sum(cost) FROM bedrock_cost.bi_chargeback_by_tag WHERE billing_period = '$mid' AND tag_key = 'iamPrincipal/cost-center' GROUP BY 1" "per cost center, team role"
qtime bench_bi "SELECT principal_arn, tag_value, sum(cost) FROM bedrock_cost.bi_principal_tags WHERE billing_period = '$mid' AND tag_key = 'iamPrincipal/team' AND tag_value = 'team7' GROUP BY 1, 2" "principals of one team, BI role"
qtime bench_bi "SELECT model, token_kind, sum(tokens), sum(cost) FROM bedrock_cost.bi_usage_by_model WHERE billing_period = '$mid' GROUP BY 1, 2" "per model and token kind, BI role"
qtime bench_bi "SELECT usage_date, sum(cost) FROM bedrock_cost.bi_daily WHERE billing_period = '$mid' GROUP BY 1 ORDER BY 1" "per day, BI role"
qtime bench_bi "SELECT usage_date, sum(cost) FROM bedrock_cost.bi_daily WHERE billing_period = '$mid' AND model = 'Claude4.6Sonnet' GROUP BY 1 ORDER BY 1" "per day for one model, BI role"
qtime bench_team "SELECT usage_date, principal_arn, sum(cost) FROM bedrock_cost.bi_daily WHERE billing_period = '$mid' GROUP BY 1, 2" "per day and principal, team role"
qtime bench_bi "SELECT usage_account_id, attribution, sum(cost) FROM bedrock_cost.bi_chargeback_allocated WHERE billing_period = '$mid' GROUP BY 1, 2" "allocated per account, BI role"
qtime bench_bi "SELECT tag_value, vendor, model_key, cost, share_of_team FROM bedrock_cost.bi_team_model_mix WHERE billing_period = '$mid' AND tag_key = 'iamPrincipal/team' ORDER BY 1, 4 DESC" "team model mix, BI role"
qtime bench_team "SELECT vendor, model_key, cost, share_of_team FROM bedrock_cost.bi_team_model_mix WHERE billing_period = '$mid' AND tag_key = 'iamPrincipal/cost-center'" "team model mix, team role"
qtime bench_bi "SELECT person, workload, output_input_ratio, cache_hit_ratio, dominant_model, cost FROM bedrock_cost.bi_usage_profile WHERE billing_period = '$mid' AND scope = 'principal' ORDER BY cost DESC LIMIT 50" "usage profile, top 50 principals, BI role"
qtime bench_bi "SELECT tag_value, workload, cost FROM bedrock_cost.bi_usage_profile WHERE billing_period = '$mid' AND scope = 'tag' AND tag_key = 'iamPrincipal/team'" "usage profile per team, BI role"
qtime bench_bi "SELECT name, spent, forecast, percent_used, state FROM bedrock_cost.bi_budget_status WHERE billing_period = '$mid'" "budget status, BI role"
qtime bench_team "SELECT name, spent, forecast, state FROM bedrock_cost.bi_budget_status WHERE billing_period = '$mid'" "budget status, team role"
qtime bench_bi "SELECT usage_date, tag_value, sum(cost) FROM bedrock_cost.bi_daily_by_tag WHERE billing_period = '$mid' AND tag_key = 'iamPrincipal/team' GROUP BY 1, 2" "daily spend per team, BI role"
qtime bench_team "SELECT usage_date, sum(cost) FROM bedrock_cost.bi_daily_by_tag WHERE billing_period = '$mid' AND tag_key = 'iamPrincipal/cost-center' GROUP BY 1" "daily spend of its cost center, team role"
qtime bench_bi "SELECT usage_date, person, tags_text, model, token_kind, cost, cost_ratio FROM bedrock_cost.bi_spikes WHERE billing_period = '$mid' ORDER BY cost DESC LIMIT 50" "spikes of the month, BI role"
qtime bench_bi "SELECT sum(cost), sum(what_if_cost) FROM bedrock_cost.bi_what_if('claude-sonnet-4.6', 'nova-2-pro', '$mid')" "what-if Sonnet 4.6 as Nova 2 Pro for the month, BI role"
qtime bench_team "SELECT sum(cost), sum(what_if_cost) FROM bedrock_cost.bi_what_if('claude-sonnet-4.6', 'nova-2-pro', '$mid', 'iamPrincipal/cost-center', '00007')" "what-if for its cost center, team role"
qtime bench_bi "SELECT usage_account_id, resource_name, model_key, sum(cost) FROM bedrock_cost.bi_chargeback_by_resource WHERE billing_period = '$mid' GROUP BY 1, 2, 3" "per inference profile and model, BI role"
qtime bench_bi "SELECT \"SubAccountId\", \"ChargeCategory\", sum(\"BilledCost\"), sum(\"EffectiveCost\") FROM bedrock_cost.bi_focus_bedrock WHERE \"x_BillingPeriod\" = '$mid' GROUP BY 1, 2" "FOCUS line items of the month, per account (reads every line item), BI role"

# reload one period (a restatement), then the refresh the loader/worker runs in its transaction
echo "reload of period $mid ($per rows): $(timed "PERFORM bench_load(1001, '$mid', $per, 77)")s"
echo "refresh_chargeback() after the reload (incremental, the default: that period only): $(timed "PERFORM bedrock_cost.refresh_chargeback()")s"
echo "check: line items in chargeback_by_principal = line_items: $("${PSQL[@]}" -At -c "SELECT (SELECT sum(line_items) FROM bedrock_cost.chargeback_by_principal) = (SELECT count(*) FROM bedrock_cost.line_items)")"
echo "refresh_chargeback() with nothing changed: $(timed "PERFORM bedrock_cost.refresh_chargeback()")s"
echo "reload of period $mid again: $(timed "PERFORM bench_load(1002, '$mid', $per, 78)")s"
echo "refresh_chargeback(false) after the reload (every period, the full rebuild): $(timed "PERFORM bedrock_cost.refresh_chargeback(false)")s"
