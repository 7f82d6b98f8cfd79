#!/usr/bin/env bash
# test/citus/run.sh: bedrock_cost on a Citus cluster against one node.
#
# Starts a three-node loopback Citus cluster (a coordinator and two
# workers) and a plain single node (test/citus/cluster.sh), loads the same
# export into both (the bundled sample with bedrock-cost-load, then, after
# distribute() has moved those rows to the shards, every period again with
# load_export(force => true), so the client, the server loader, history
# and restatements are exercised), refreshes, and compares every relation
# of the bedrock_cost schema that holds numbers (chargeback tables and
# views, BI views, reconciliation, FOCUS, as-of answers) row for row.  It
# also checks that the delivery tables on the coordinator keep no local
# heap (the rows live on the shards only), that two sessions restating two
# exports at once both finish, that the silent loss of a plain COPY into a
# distributed table is refused by the check before the swap
# (bedrock_cost.debug_plain_copy), and that the background worker on the
# coordinator loads a registered export onto the shards to the generator's
# ground truth, and a restatement of it (summaries, refresh, then line
# items), and that a client delivery onto the shards is summarised
# by SQL (the summing of stored rows in C reads local heap only).  Exits
# non-zero on any
# difference, and fails (does not skip) when Citus is not installed:
# doc/citus.md says how to build it.  Not part of CI (Debian has no Citus
# package); run it with SUITES=citus scripts/test.sh, or directly.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=test/citus/cluster.sh
source test/citus/cluster.sh
citus_require
W="$(mktemp -d "${TMPDIR:-/tmp}/bedrock_cost_citus.XXXXXX")"
chmod 755 "$W"
trap 'citus_stop "$W"' EXIT
citus_start "$W"

cp -r test/fixtures/sample_export "$W/sample"
chmod -R a+rX "$W/sample"
# the client first, before distribute(): the coordinator then holds the
# sample in local tables, which distribute() moves to the shards
for n in single c; do ( source "$W/$n/env"; "$PG_BINDIR/bedrock-cost-load" -q "$W/sample" ); done
held="$(on c -A -t -c "SELECT count(*) || ' ' || sum(unblended_cost) FROM bedrock_cost.line_items")"
echo "citus: distribute() with $held (rows, cost) loaded"
citus_distribute
# then the server loader again on both (a restatement of every period)
for n in single c; do
	on "$n" -A -t -c "SELECT count(*) FROM bedrock_cost.load_export('$W/sample', force => true)" >/dev/null
	on "$n" -c 'SELECT bedrock_cost.refresh_chargeback()' >/dev/null
done

fail=0
# bytes of local heap in the delivery tables: 0 when the rows live on the shards
local_heap="SELECT coalesce(sum(pg_catalog.pg_relation_size(c.oid)), 0) FROM pg_catalog.pg_class AS c
	  WHERE c.relnamespace = 'bedrock_cost'::regnamespace AND c.relname ~ '^line_items_l[0-9]+\$'"
check() {	# name, SQL giving one value; the same on both
	local a b
	a="$(on single -A -t -c "$2" 2>&1)" || true
	b="$(on c -A -t -c "$2" 2>&1)" || true
	if [ "$a" = "$b" ] && [ -n "$a" ]; then
		echo "ok    $1"
	else
		echo "FAIL  $1"; echo "  one node: $a" | head -5; echo "  citus:    $b" | head -5
		fail=1
	fi
}
expect() {	# name, SQL, the value the coordinator must give
	local b
	b="$(on c -A -t -c "$2" 2>&1)" || true
	if [ "$b" = "$3" ]; then echo "ok    $1"; else echo "FAIL  $1: got '$b', want '$3'"; fail=1; fi
}

expect "distribute() kept the rows loaded before it (now on the shards, history included)" \
	"SELECT count(*) || ' ' || sum(unblended_cost) FROM bedrock_cost.line_items_history" "$held"
# the ledger's own times and ids of sessions differ between two servers
skip='^(loads|load_files|load_errors|audit_log|export_state|export_deliveries|current_loads|load_progress|chargeback_state|exports|line_items_template|usage_summary_template|usage_period_template|usage_daily_template)$'
rels="$(on single -A -t -c "SELECT c.relname FROM pg_catalog.pg_class AS c
	WHERE c.relnamespace = 'bedrock_cost'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
	  AND NOT c.relispartition ORDER BY 1")"
n=0
for r in $rels; do
	[[ "$r" =~ $skip ]] && continue
	check "$r" "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '-') FROM bedrock_cost.$r AS t"
	n=$((n + 1))
done
for id in 1 2 3 4; do
	check "line_items_as_of($id)" "SELECT count(*) || ' ' || md5(string_agg(t::text, E'\n' ORDER BY t::text)) FROM bedrock_cost.line_items_as_of($id) AS t"
	check "usage_summary_as_of($id)" "SELECT count(*) || ' ' || md5(string_agg(t::text, E'\n' ORDER BY t::text)) FROM bedrock_cost.usage_summary_as_of($id) AS t"
done
# a team role sees its cost center's rows of the BI views, on the shards too
for node in single c; do
	on "$node" -c "CREATE ROLE bc_citus_team LOGIN; GRANT bedrock_cost_reader TO bc_citus_team;
		INSERT INTO bedrock_cost.team_access VALUES ('bc_citus_team', 'iamPrincipal/team', 'risk')"
done
for v in bi_focus_bedrock bi_chargeback_by_principal bi_daily; do
	check "$v as a team role" "SET ROLE bc_citus_team; SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '-') FROM bedrock_cost.$v AS t"
done
expect "bi_focus_bedrock rows of team risk" "SET ROLE bc_citus_team; SELECT count(*) FROM bedrock_cost.bi_focus_bedrock" 253
expect "line items on the shards" "SELECT count(*) FROM bedrock_cost.line_items" 1041
expect "history on the shards" "SELECT count(*) FROM bedrock_cost.line_items_history" 1041
expect "no local heap in the delivery tables" "$local_heap" 0
expect "every delivery table distributed" \
	"SELECT count(*) FILTER (WHERE bedrock_cost._citus_distribution(c.oid) IS NULL) || '/' || count(*)
	   FROM pg_catalog.pg_class AS c
	  WHERE c.relnamespace = 'bedrock_cost'::regnamespace AND c.relname ~ '^line_items_l[0-9]+\$'" 0/4
# two exports restated at once in two sessions: both done (their swaps,
# each detaching the period's current delivery, once deadlocked on
# line_items; loads on Citus now take turns)
gen=./bedrock-cost-gen
[ -x "$gen" ] || make -s bedrock-cost-gen >/dev/null
for m in 08 09; do
	"$gen" --out "$W/par" --export "p$m" --rows 20000 --periods 1 --start "2026-$m" --seed "$m" --quiet
done
chmod -R a+rX "$W/par"
for m in 08 09; do on c -A -t -c "SELECT count(*) FROM bedrock_cost.load_export('$W/par/p$m')" >/dev/null; done
for m in 08 09; do
	on c -A -t -c "SELECT string_agg(status, ',') FROM bedrock_cost.load_export('$W/par/p$m', force => true)" \
		>"$W/par/p$m.out" 2>&1 &
done
wait
expect "two exports restated at once: first" "SELECT '$(cat "$W/par/p08.out")'" done
expect "two exports restated at once: second" "SELECT '$(cat "$W/par/p09.out")'" done
# a client delivery after distribute(): its rows go to the shards, where the
# server's summing of stored rows in C cannot read them; it summarises them
# by SQL, to the sums of the rows
"$gen" --out "$W/par" --export p10 --rows 5000 --periods 1 --start 2026-10 --seed 10 --quiet
chmod -R a+rX "$W/par"
( source "$W/c/env"; "$PG_BINDIR/bedrock-cost-load" -q "$W/par/p10" )
expect "a client delivery on the shards, summarised by SQL" \
	"SELECT string_agg(l.status || ' ' || l.summary_via, ',') FROM bedrock_cost.loads AS l
	   JOIN bedrock_cost.exports AS e USING (export_id) WHERE e.path LIKE '%/p10'" "done sql"
expect "its summary sums its rows" \
	"SELECT (SELECT count(*) || ' ' || sum(unblended_cost) FROM bedrock_cost.line_items WHERE billing_period = '2026-10-01')
	      = (SELECT sum(line_items) || ' ' || sum(unblended_cost) FROM bedrock_cost.usage_summary WHERE billing_period = '2026-10-01')" t
# restore_load onto the shards: its copy is summarised by SQL too, to as many
# summary rows as the delivery it restores
sup="$(on c -A -t -c "SELECT min(load_id) FROM bedrock_cost.loads WHERE status = 'superseded' AND data_dropped_at IS NULL")"
restored="$(on c -A -t -c "SELECT bedrock_cost.restore_load($sup)")"
expect "restore_load onto the shards, summarised by SQL" \
	"SELECT status || ' ' || summary_via || ' ' || (summary_rows = (SELECT summary_rows FROM bedrock_cost.loads
	   WHERE load_id = $sup)) FROM bedrock_cost.loads WHERE load_id = $restored" "done sql true"
# the silent loss, forced (bedrock_cost.debug_plain_copy, test only): a plain
# COPY into a distributed delivery table writes the coordinator's empty
# shell; the check before the swap fails the delivery, the period keeps its rows
before="$(on c -A -t -c "SELECT count(*) || ' ' || sum(unblended_cost) FROM bedrock_cost.line_items")"
res="$(on c -A -t -c "SET bedrock_cost.debug_plain_copy = on;
	SELECT string_agg(status, ',') FROM bedrock_cost.load_export('$W/par/p08', force => true)" 2>/dev/null)"
expect "a plain COPY into the shell table: the delivery fails" "SELECT '$res'" failed
expect "a plain COPY into the shell table: the line items are unchanged" \
	"SELECT count(*) || ' ' || sum(unblended_cost) FROM bedrock_cost.line_items" "$before"
expect "a plain COPY into the shell table: the ledger says why" \
	"SELECT error ~ '^delivery [0-9]+: the rows stored do not match the rows read' FROM bedrock_cost.loads ORDER BY load_id DESC LIMIT 1" t
# the background worker on the coordinator: an export registered with
# add_export is loaded by it, onto the shards, to the generator's truth
"$gen" --out "$W/wroot" --export w10 --rows 5000 --periods 1 --start 2026-10 --seed 10 --quiet
chmod -R a+rX "$W/wroot"
truth="$(awk -F, '$4 == "t" && $5 == "bedrock" { print $6 " " $7 }' "$W/wroot/w10/ground_truth/summary.csv")"
on c -c "ALTER SYSTEM SET bedrock_cost.export_root = '$W/wroot'" -c "ALTER SYSTEM SET bedrock_cost.poll_interval = 1" \
	-c "SELECT pg_catalog.pg_reload_conf()" >/dev/null
on c -A -t -c "SELECT bedrock_cost.add_export('w10', 'w10')" >/dev/null
w10="SELECT coalesce(string_agg(l.status, ','), 'none') FROM bedrock_cost.loads AS l
	JOIN bedrock_cost.exports AS e USING (export_id) WHERE e.export_name = 'w10'"
for _ in $(seq 1 120); do
	[ "$(on c -A -t -c "$w10")" = done ] && break
	sleep 1
done
expect "the worker on the coordinator loads a registered export" "$w10" done
expect "the worker's rows on the shards: the generator's truth (rows, cost)" \
	"SELECT count(*) || ' ' || sum(li.unblended_cost) FROM bedrock_cost.line_items AS li
	   JOIN bedrock_cost.exports AS e USING (export_id) WHERE e.export_name = 'w10'" "$truth"
# a restatement of that month, delivered over it: the worker swaps its
# summaries in, refreshes, then its line items (the DETACH of the
# distributed line_items last), to the new truth
"$gen" --out "$W/wroot" --export w10 --rows 4000 --periods 1 --start 2026-10 --seed 11 --quiet
chmod -R a+rX "$W/wroot"
truth="$(awk -F, '$4 == "t" && $5 == "bedrock" { print $6 " " $7 }' "$W/wroot/w10/ground_truth/summary.csv")"
for _ in $(seq 1 120); do
	[ "$(on c -A -t -c "$w10")" = superseded,done ] && break
	sleep 1
done
expect "the worker on the coordinator restates that month" "$w10" superseded,done
expect "the worker's restatement on the shards: the generator's truth (rows, cost)" \
	"SELECT count(*) || ' ' || sum(li.unblended_cost) FROM bedrock_cost.line_items AS li
	   JOIN bedrock_cost.exports AS e USING (export_id) WHERE e.export_name = 'w10'" "$truth"
expect "the restatement's chargeback: the same truth (line items, unblended cost)" \
	"SELECT sum(c.line_items) || ' ' || sum(c.unblended_cost) FROM bedrock_cost.chargeback_base AS c
	   JOIN bedrock_cost.exports AS e USING (export_id) WHERE e.export_name = 'w10'" "$truth"
expect "after every load above: no local heap in any delivery table" "$local_heap" 0
echo "citus: $n relations compared"
exit $fail
