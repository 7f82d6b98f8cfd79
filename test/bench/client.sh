#!/usr/bin/env bash
# client.sh: throughput and memory of bedrock-cost-load against the
# server-side loader (bedrock_cost.load_export) on the same generated data,
# in one run, on a throwaway cluster.
#
#   test/bench/client.sh [--sizes 100k,1M] [--gzip-level N] [--keep]
#
# For every size a CUR 2.0 export (one billing period, 131 columns) is
# generated with bedrock-cost-gen, then loaded:
#   server     SELECT bedrock_cost.load_export(path) in database srv
#              (peak RSS: VmHWM of the loading backend)
#   client     bedrock-cost-load -q -d cli path, over the Unix socket
#              (peak RSS of the client process from /usr/bin/time -v)
#   dry-run    bedrock-cost-load --dry-run path (reading, checks and
#              transformation alone, no database)
# and prints seconds, rows/s and the client/server time ratio.  Run twice
# each, the better time kept.  Nothing here asserts anything.
set -euo pipefail

top="$(cd "$(dirname "$0")/../.." && pwd)"
sizes="100k,1M"
level=6
keep=0
while [ $# -gt 0 ]; do
	case "$1" in
		--sizes) sizes="$2"; shift ;;
		--gzip-level) level="$2"; shift ;;
		--keep) keep=1 ;;
		-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
		*) echo "client.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

[ -x /usr/bin/time ] || { echo "client.sh: /usr/bin/time is missing (Debian package time)" >&2; exit 1; }
(cd "$top" && make -s bedrock-cost-gen bedrock-cost-load >/dev/null)
gen="$top/bedrock-cost-gen"
cli="$top/bedrock-cost-load"

rows_of() {
	case "$1" in
		*k) echo $(( ${1%k} * 1000 )) ;;
		*M) echo $(( ${1%M} * 1000000 )) ;;
		*[!0-9]*|'') echo "client.sh: bad size $1" >&2; exit 2 ;;
		*) echo "$1" ;;
	esac
}

work="$(mktemp -d "${TMPDIR:-/tmp}/bc_bench_client.XXXXXX")"
chmod 777 "$work"
cleanup() {
	"$top/scripts/cluster.sh" destroy "$work/cluster" >/dev/null 2>&1 || true
	if [ $keep = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$top/scripts/cluster.sh" start "$work/cluster" --conf 'max_wal_size = 4GB' >/dev/null
# shellcheck disable=SC1091
. "$work/cluster/env"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# true when $1 < $2
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }

# fresh database with the extension
fresh_db() {
	PGOPTIONS="-c client_min_messages=warning" psql -qX -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
	psql -qX -d "$1" -c 'CREATE EXTENSION bedrock_cost' >/dev/null
}

printf '%-6s %-8s %9s %12s %12s %10s\n' size mode seconds rows/s peak_rss ratio
for size in ${sizes//,/ }; do
	rows=$(rows_of "$size")
	export_dir="$work/$size"
	"$gen" --quiet --out "$export_dir" --export ex --rows "$rows" --gzip-level "$level" --chunk-rows 250000
	chmod -R a+rX "$export_dir"
	path="$export_dir/ex"
	best_srv=""; best_cli=""; best_dry=""; rss_srv=""; rss_cli=""; rss_dry=""
	for run in 1 2; do
		fresh_db srv
		t0=$(now)
		out=$(psql -qXAt -d srv -c "SELECT status FROM bedrock_cost.load_export('$path')" \
			-c "SELECT regexp_replace(pg_read_file('/proc/' || pg_backend_pid() || '/status'), '.*VmHWM:\s*([0-9]+ kB).*', '\1')")
		t1=$(now)
		s=$(elapsed "$t0" "$t1")
		[ "$(echo "$out" | head -1)" = done ] || { echo "server load failed: $out" >&2; exit 1; }
		if [ -z "$best_srv" ] || lt "$s" "$best_srv"; then best_srv=$s; rss_srv=$(echo "$out" | tail -1); fi

		fresh_db cli
		t0=$(now)
		/usr/bin/time -v -o "$work/time.txt" "$cli" -q -d cli "$path"
		t1=$(now)
		s=$(elapsed "$t0" "$t1")
		if [ -z "$best_cli" ] || lt "$s" "$best_cli"; then
			best_cli=$s; rss_cli="$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.txt") kB"
		fi

		t0=$(now)
		/usr/bin/time -v -o "$work/time.txt" "$cli" -q --dry-run "$path" >/dev/null
		t1=$(now)
		s=$(elapsed "$t0" "$t1")
		if [ -z "$best_dry" ] || lt "$s" "$best_dry"; then
			best_dry=$s; rss_dry="$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.txt") kB"
		fi
	done
	for m in server client dry-run; do
		case $m in
			server) s=$best_srv; r=$rss_srv ;;
			client) s=$best_cli; r=$rss_cli ;;
			dry-run) s=$best_dry; r=$rss_dry ;;
		esac
		printf '%-6s %-8s %9.2f %12.0f %12s %10.2f\n' "$size" "$m" "$s" \
			"$(div "$rows" "$s")" "$r" "$(div "$s" "$best_srv")"
	done
done
