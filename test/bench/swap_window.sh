#!/usr/bin/env bash
# swap_window.sh: how long a restatement keeps readers of line_items waiting.
#
#   test/bench/swap_window.sh [ROWS] [ROUNDS]     (default 1000000 3)
#
# Starts a throwaway cluster (scripts/cluster.sh), generates a one-period
# export of ROWS rows, loads it, then restates it again and again while
# another session reads one line item of that month in a loop (\timing).  A
# restatement's DETACH holds line_items in ACCESS EXCLUSIVE mode until the
# commit, so whatever the restating transaction does after it keeps the
# reader waiting.  Four kinds of rounds, in turn:
#   - swap only:        BEGIN; load_export(force => true); COMMIT
#   - swap and refresh: BEGIN; load_export(force => true);
#                       refresh_chargeback(); COMMIT
#   - load_export refresh: load_export(force => true, refresh => true), the
#                       worker's order in one SQL call
#   - worker:           a new delivery of the month written over the export
#                       (another seed), then bedrock_cost.poll_now() twice
#                       (the delivery settles, then loads), which loads it
#                       as the background worker does: the
#                       summaries swapped in, the chargeback refreshed, the
#                       line items swapped in last
# For each round it prints the longest read, the time from the end of the
# swap to the commit (not for the worker), and the number of reads.
# PG_BINDIR picks the server binaries (scripts/cluster.sh).  Prints the
# figures; nothing is asserted (a benchmark, not a test).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-1000000}"
ROUNDS="${2:-3}"
case "$ROWS$ROUNDS" in *[!0-9]*) echo "swap_window.sh: ROWS and ROUNDS are whole numbers" >&2; exit 2 ;; esac
DIR="$(mktemp -d /tmp/bedrock_cost_swap.XXXXXX)"
chmod 755 "$DIR"
trap 'scripts/cluster.sh destroy "$DIR/cluster" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
trap 'exit 130' INT TERM

gen=./bedrock-cost-gen
[ -x "$gen" ] || make -s bedrock-cost-gen >/dev/null
# the export, delivered again with another seed: a restatement of the month
deliver() {
	"$gen" --out "$DIR/data" --export swap --rows "$ROWS" --periods 1 --start 2026-04 --seed "$1" \
		--chunk-rows 250000 --quiet
	chmod -R a+rX "$DIR/data"
}
deliver 7
scripts/cluster.sh start "$DIR/cluster" --conf 'max_wal_size = 8GB' --conf 'checkpoint_timeout = 1h' \
	--conf 'work_mem = 64MB' --conf "bedrock_cost.export_root = '$DIR/data'"
# shellcheck disable=SC1091
source "$DIR/cluster/env"
PSQL=(psql -X -q -A -t -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c 'CREATE EXTENSION bedrock_cost' \
	-c "SELECT bedrock_cost.add_export('swap', 'swap')" \
	-c 'SELECT bedrock_cost.poll_now()' -c 'SELECT bedrock_cost.poll_now()' >/dev/null
period=$("${PSQL[@]}" -c 'SELECT min(billing_period) FROM bedrock_cost.line_items')
echo "swap window: $ROWS rows generated, $("${PSQL[@]}" -c 'SELECT count(*) FROM bedrock_cost.line_items') Bedrock rows in $period, $ROUNDS rounds of each kind"

reads="$DIR/reads.sql"
{
	printf '%s\n' '\timing on'
	for _ in $(seq 400000); do
		echo "SELECT 1 FROM bedrock_cost.line_items WHERE billing_period = '$period' LIMIT 1;"
	done
} >"$reads"

# one restatement with the reader running: "<longest read> <swap to commit> <reads>"
round() {
	local tail=$1 log="$DIR/reads.log" rp out sql
	if [ "$tail" = worker ]; then
		sql="SELECT 'loaded ' || bedrock_cost.poll_now();"
	elif [ "$tail" = refresh_arg ]; then
		sql="SELECT count(*) FROM bedrock_cost.load_export('$DIR/data/swap', force => true, refresh => true);"
	else
		sql="BEGIN;
SELECT count(*) FROM bedrock_cost.load_export('$DIR/data/swap', force => true);
SELECT 'swapped ' || extract(epoch FROM clock_timestamp());
$tail
COMMIT;
SELECT 'committed ' || extract(epoch FROM clock_timestamp());"
	fi
	"${PSQL[@]}" -f "$reads" >"$log" 2>&1 &
	rp=$!
	sleep 1
	out=$("${PSQL[@]}" <<<"$sql")
	sleep 0.5
	kill "$rp" 2>/dev/null || true
	wait "$rp" 2>/dev/null || true
	echo "$out" | awk -v logf="$log" '$1 == "swapped" { t0 = $2 } $1 == "committed" { t1 = $2 }
		END {
			while ((getline line < logf) > 0)
				if (line ~ /^Time: /) { split(line, f, " "); n++; if (f[2] + 0 > m) m = f[2] + 0 }
			printf "%.1f %.1f %d", m, (t1 - t0) * 1000, n
		}'
}

for r in $(seq "$ROUNDS"); do
	for kind in "swap only" "swap and refresh" "refresh => true" "worker"; do
		case "$kind" in
			"swap only") tail="" ;;
			"swap and refresh") tail="SELECT bedrock_cost.refresh_chargeback();" ;;
			"refresh => true") tail=refresh_arg ;;
			worker)
				# the first poll finds the new delivery (it settles), the second loads it
				tail=worker
				deliver $((100 + r))
				"${PSQL[@]}" -c 'SELECT bedrock_cost.poll_now()' >/dev/null
				;;
		esac
		read -r longest held n <<<"$(round "$tail")"
		if [ "$tail" = worker ] || [ "$tail" = refresh_arg ]; then
			printf '  round %d, %-16s: longest read %8.1f ms%28s(%d reads)\n' "$r" "$kind" "$longest" "" "$n"
		else
			printf '  round %d, %-16s: longest read %8.1f ms; swap to commit %8.1f ms (%d reads)\n' \
				"$r" "$kind" "$longest" "$held" "$n"
		fi
	done
done
# every worker round loaded its delivery: the month's current load is the last one written
"${PSQL[@]}" -c "SELECT 'worker rounds loaded: ' || count(*) FROM bedrock_cost.loads
	WHERE loaded_via = 'worker' AND status IN ('done', 'superseded')"
