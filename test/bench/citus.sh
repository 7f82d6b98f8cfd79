#!/usr/bin/env bash
# citus.sh: ingest through a Citus coordinator against one node, on the
# loopback cluster of the Citus suite (test/citus/cluster.sh: a single
# node, and a coordinator with two workers, all on this machine).
#
#   test/bench/citus.sh [ROWS]        (default 1000000 rows a period)
#
# Generates two one-period exports (April and May, ROWS rows each), then
# measures, wall clock around psql:
#   - load_export of April on one node and on Citus, three rounds, the
#     order alternating (force => true after the first), and the
#     refresh_chargeback() after each: medians, and the ratio one node /
#     Citus (1.00: as fast; the goal is 0.9 or more), with the CPU seconds
#     the machine spent on each load and the best ratio its cores allow
#     (a Citus load's CPU seconds over the number of cores is the least
#     time it can take);
#   - reads of April's line items (one row of the period, read again and
#     again by another session) while April is restated, on one node and
#     on Citus: the read across the swap (how long the swap's ACCESS
#     EXCLUSIVE lock on line_items kept it waiting) and the longest read;
#   - on Citus: April then May in one session, then both at once in two
#     sessions (force): the speed-up of the second session.
# Prints the figures; asserts nothing (a benchmark, not a test).  Needs
# Citus for PG_BINDIR (fails, does not skip, without it: doc/citus.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-1000000}"
# shellcheck source=test/citus/cluster.sh
source test/citus/cluster.sh
citus_require
W="$(mktemp -d "${TMPDIR:-/tmp}/bedrock_cost_citus_bench.XXXXXX")"
chmod 755 "$W"
trap 'citus_stop "$W"' EXIT
CITUS_CONF=('max_wal_size = 8GB' 'checkpoint_timeout = 30min' 'synchronous_commit = off' 'jit = off')
citus_start "$W"
citus_distribute >/dev/null
gen=./bedrock-cost-gen
[ -x "$gen" ] || make -s bedrock-cost-gen >/dev/null
for m in 04 05; do
	"$gen" --out "$W/data" --export "m$m" --rows "$ROWS" --periods 1 --start "2026-$m" --seed "$m" \
		--chunk-rows 250000 --quiet
done
chmod -R a+rX "$W/data"
echo "citus benchmark: $ROWS rows a period, coordinator + 2 workers on $(nproc) cores (loopback), 8 shards"

now() { date +%s.%N; }
# CPU time the whole machine has spent so far (user, nice, system, irq,
# softirq of every core; not idle, iowait or steal), in clock ticks
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
HZ=$(getconf CLK_TCK)
CORES=$(nproc)
# seconds of one statement on a node, and the CPU seconds the machine spent
# meanwhile (every server of the cluster, the single node's and the Citus
# nodes' alike; nothing else runs during a benchmark)
timed() {
	local t0 t1 c0 c1
	c0=$(busy)
	t0=$(now)
	on "$1" -A -t -c "$2" >/dev/null
	t1=$(now)
	c1=$(busy)
	awk -v a="$t0" -v b="$t1" -v c="$c0" -v d="$c1" -v hz="$HZ" 'BEGIN { printf "%.2f %.2f", b - a, (d - c) / hz }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

load="SELECT count(*) FROM bedrock_cost.load_export('$W/data/m04', force => true)"
refresh="SELECT bedrock_cost.refresh_chargeback()"
one_load=() one_refresh=() c_load=() c_refresh=() one_cpu=() c_cpu=()
for round in 1 2 3; do
	order="single c"
	[ $((round % 2)) -eq 0 ] && order="c single"
	for n in $order; do
		read -r l lcpu <<<"$(timed "$n" "$load")"
		read -r r _ <<<"$(timed "$n" "$refresh")"
		if [ "$n" = single ]; then
			one_load+=("$l"); one_refresh+=("$r"); one_cpu+=("$lcpu")
		else
			c_load+=("$l"); c_refresh+=("$r"); c_cpu+=("$lcpu")
		fi
		echo "  round $round, $n: load_export ${l} s (${lcpu} CPU s), refresh_chargeback() ${r} s"
	done
done
ol=$(median "${one_load[@]}"); cl=$(median "${c_load[@]}")
orf=$(median "${one_refresh[@]}"); crf=$(median "${c_refresh[@]}")
ocpu=$(median "${one_cpu[@]}"); ccpu=$(median "${c_cpu[@]}")
echo "one node:  load_export ${ol} s (${ocpu} CPU s), refresh ${orf} s (medians of 3)"
echo "Citus:     load_export ${cl} s (${ccpu} CPU s), refresh ${crf} s (medians of 3)"
awk -v a="$ol" -v b="$cl" -v c="$orf" -v d="$crf" \
	'BEGIN { printf "ingest through the coordinator: %.2fx one node; refresh %.2fx one node\n", a / b, c / d }'
# what the cores allow: a Citus load needs ccpu CPU seconds of this
# machine, so on CORES cores it cannot take less than ccpu / CORES seconds
awk -v a="$ol" -v o="$ocpu" -v c="$ccpu" -v n="$CORES" \
	'BEGIN { printf "CPU of a load: Citus %.2fx one node; on %d cores a Citus load takes at least %.2f s: at best %.2fx one node (its %.2f s)\n", c / o, n, c / n, a / (c / n), a }'
on c -A -t -c "SELECT 'rows on the shards: ' || count(*) FROM bedrock_cost.line_items"
on c -A -t -c "SELECT 'local heap of the delivery tables: ' || coalesce(sum(pg_catalog.pg_relation_size(c.oid)), 0) || ' bytes'
	FROM pg_catalog.pg_class AS c
	WHERE c.relnamespace = 'bedrock_cost'::regnamespace AND c.relname ~ '^line_items_l[0-9]+\$'"

# reads of April's line items while April is restated.  A read prints its
# clock_timestamp(), taken once it holds its locks: the read that waited for
# the swap (DETACH PARTITION's ACCESS EXCLUSIVE lock on line_items, held to
# the commit) prints a time right after the load's commit, and its duration
# is that wait; the longest read of the whole load shows the CPU contention
reads="$W/reads.sql"
{
	echo '\timing on'
	for _ in $(seq 400000); do
		echo "SELECT extract(epoch FROM clock_timestamp()) FROM bedrock_cost.line_items WHERE billing_period = '2026-04-01' LIMIT 1;"
	done
} > "$reads"
swap_reads() {	# node: "<the read across the swap> ms, <the longest read> ms (<reads>)"
	local log="$W/reads.$1.log" rp t_end
	( source "$CITUS_DIR/$1/env"; exec "$PSQL" -X -q -A -t -f "$reads" ) > "$log" 2>&1 &
	rp=$!
	sleep 1
	t_end=$(on "$1" -A -t -c "$load" -c 'SELECT extract(epoch FROM clock_timestamp())' | tail -1)
	sleep 0.5
	kill "$rp" 2>/dev/null || true
	wait "$rp" 2>/dev/null || true
	awk -v t="$t_end" '/^Time: / { if (e != "") { n++; if ($2 > m) m = $2; if (e >= t - 0.2 && e <= t + 0.2 && $2 > x) x = $2 } e = ""; next }
		/^[0-9.]+$/ { e = $1 }
		END { printf "%.1f ms across the swap, %.1f ms at the longest (%d reads)", x, m, n }' "$log"
}
echo "reads of April's line items while it is restated: one node $(swap_reads single); Citus $(swap_reads c)"

# two periods: one session, then two at once
t0=$(now)
on c -A -t -c "SELECT count(*) FROM bedrock_cost.load_export('$W/data/m04', force => true)" >/dev/null
on c -A -t -c "SELECT count(*) FROM bedrock_cost.load_export('$W/data/m05', force => true)" >/dev/null
t1=$(now)
on c -A -t -c "SELECT count(*) FROM bedrock_cost.load_export('$W/data/m04', force => true)" >/dev/null &
p1=$!
on c -A -t -c "SELECT count(*) FROM bedrock_cost.load_export('$W/data/m05', force => true)" >/dev/null &
p2=$!
wait "$p1" "$p2"
t2=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" \
	'BEGIN { printf "two periods on Citus: one session %.2f s, two sessions %.2f s (%.2fx)\n", b - a, c - b, (b - a) / (c - b) }'
