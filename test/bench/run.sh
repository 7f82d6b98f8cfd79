#!/usr/bin/env bash
# run.sh: ingest benchmark of bedrock_cost against its baselines, all measured
# in one run, on the same freshly generated data, on a throwaway cluster.
#
#   test/bench/run.sh [--sizes 100k,1M,5M] [--gzip-level N] [--keep] [--ingest-only]
#
# For every size a CUR 2.0 export (one billing period, full 131 columns) is
# generated with bedrock-cost-gen, then ingested by:
#   floor: gunzip          gzip -dc of the chunks to /dev/null (decompression alone)
#   naive: copy raw        COPY ... FROM PROGRAM 'gzip -dc' into a text staging
#                          table with one text column per CSV column
#   naive: insert-select   INSERT ... SELECT parsing ARN (split_part/regexp) and
#                          usage type in SQL into a line_items-shaped table
#   naive: total           the two steps above
#   floor: copy            COPY of the already-transformed rows into the same table
#   floor: total           the two floors above: what ingest costs if reading,
#                          decompressing and transforming were free beyond
#                          gzip -dc, and COPY were given finished rows
#   loader                 bedrock_cost.load_export(path), when the function exists
#   loader + refresh       the same, then refresh_chargeback() ("file to
#                          chargeback"): three rounds, each on a freshly created
#                          extension; each round's ratio to its load alone and
#                          their median are printed at the end
# and for each prints seconds, rows/s, MB/s of gzip input, the peak RSS of
# the loading backend (VmHWM of /proc/<pg_backend_pid()>/status), the
# speed relative to the naive total (x naive), the time relative to the
# floor total (/ floor) and, stricter, to the COPY floor alone (/ copy).
# The table is also written as CSV to test/bench/out/.  Nothing here
# asserts anything.
set -euo pipefail

top="$(cd "$(dirname "$0")/../.." && pwd)"
sizes="100k,1M,5M"
level=6
keep=0
micro=1
while [ $# -gt 0 ]; do
	case "$1" in
		--sizes) sizes="$2"; shift ;;
		--gzip-level) level="$2"; shift ;;
		--keep) keep=1 ;;
		--ingest-only) micro=0 ;;
		-h|--help) sed -n '2,29p' "$0"; exit 0 ;;
		*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

gen="${BC_GEN:-$top/bedrock-cost-gen}"
if [ ! -x "$gen" ]; then
	(cd "$top" && make -s bedrock-cost-gen >/dev/null) || { echo "run.sh: cannot build bedrock-cost-gen" >&2; exit 1; }
fi

# rows of a size label: 100k, 1M, 2.5M are not accepted; integers with k/M
rows_of() {
	case "$1" in
		*k) echo $(( ${1%k} * 1000 )) ;;
		*M) echo $(( ${1%M} * 1000000 )) ;;
		*[!0-9]*|'') echo "run.sh: bad size $1" >&2; exit 2 ;;
		*) echo "$1" ;;
	esac
}

work="$(mktemp -d "${TMPDIR:-/tmp}/bc_bench.XXXXXX")"
chmod 777 "$work"				# the server (user postgres) reads and writes here
cleanup() {
	"$top/scripts/cluster.sh" destroy "$work/cluster" >/dev/null 2>&1 || true
	if [ $keep = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

preload=()
[ -f "$(pg_config --pkglibdir)/bedrock_cost.so" ] && preload=(--preload)
"$top/scripts/cluster.sh" start "$work/cluster" "${preload[@]+"${preload[@]}"}" \
	--conf 'max_wal_size = 32GB' --conf 'checkpoint_timeout = 1h' \
	--conf 'work_mem = 64MB' --conf 'maintenance_work_mem = 256MB'
# shellcheck disable=SC1091
source "$work/cluster/env"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

loader=0
"${PSQL[@]}" -c 'CREATE EXTENSION IF NOT EXISTS bedrock_cost' >/dev/null 2>&1 || true
if [ "$("${PSQL[@]}" -Atc "SELECT to_regproc('bedrock_cost.load_export') IS NOT NULL")" = t ]; then
	loader=1
fi

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
hwm_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "$1" 2>/dev/null || echo ""; }

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$top/test/bench/out"
csv="$top/test/bench/out/bench_$stamp.csv"
echo "size,rows,gz_mb,approach,seconds,rows_per_s,gz_mb_per_s,peak_rss_mb,speed_vs_naive,time_vs_floor,time_vs_floor_copy" >"$csv"
results=()
to_cb=()

# record one measurement: size rows gzmb approach seconds rss naive_seconds floor_seconds copy_seconds
record() {
	local size=$1 rows=$2 gzmb=$3 name=$4 s=$5 rss=$6 naive=$7 floor=$8 copy=$9 rps mbps ratio fratio cratio
	rps=$(awk -v r="$rows" -v s="$s" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }')
	mbps=$(awk -v m="$gzmb" -v s="$s" 'BEGIN { printf "%.1f", (s > 0 ? m / s : 0) }')
	ratio=$(awk -v n="$naive" -v s="$s" 'BEGIN { if (n == "" || s <= 0) print ""; else printf "%.2f", n / s }')
	fratio=$(awk -v f="$floor" -v s="$s" 'BEGIN { if (f == "" || f <= 0) print ""; else printf "%.2f", s / f }')
	cratio=$(awk -v f="$copy" -v s="$s" 'BEGIN { if (f == "" || f <= 0) print ""; else printf "%.2f", s / f }')
	echo "$size,$rows,$gzmb,$name,$s,$rps,$mbps,$rss,$ratio,$fratio,$cratio" >>"$csv"
	results+=("$size|$rows|$gzmb|$name|$s|$rps|$mbps|$rss|$ratio|$fratio|$cratio")
}

# a psql session that times a statement block and reads its backend's VmHWM
# usage: timed_session NAME SETUP_SQL TIMED_SQL
timed_session() {
	local name=$1 setup=$2 body=$3
	"${PSQL[@]}" <<SQL
$setup
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\! date +%s.%N > '$work/$name.t0'
$body
\! date +%s.%N > '$work/$name.t1'
\! grep VmHWM /proc/\$BPID/status > '$work/$name.hwm'
SQL
}

TARGET_DDL="(
	billing_period date, usage_account_id text, line_item_type text, product_code text,
	usage_type text, operation text, principal text, principal_type text, account_id text,
	partition text, role text, session text, region_code text, model text, token_kind text,
	tokens numeric, usage_amount numeric, pricing_unit text, unblended_cost numeric,
	net_unblended_cost numeric, usage_start timestamptz, usage_end timestamptz, tags jsonb)"

# the naive transformation a data team writes in SQL
NAIVE_SELECT="
SELECT x.bill_billing_period_start_date::timestamptz::date,
       x.line_item_usage_account_id, x.line_item_line_item_type, x.line_item_product_code,
       x.line_item_usage_type, x.line_item_operation,
       nullif(x.line_item_iam_principal, ''),
       CASE WHEN x.line_item_iam_principal <> ''
            THEN split_part(split_part(x.line_item_iam_principal, ':', 6), '/', 1) END,
       nullif(split_part(x.line_item_iam_principal, ':', 5), ''),
       nullif(split_part(x.line_item_iam_principal, ':', 2), ''),
       CASE WHEN x.line_item_iam_principal LIKE '%:assumed-role/%'
            THEN 'arn:' || split_part(x.line_item_iam_principal, ':', 2) || ':iam::'
                 || split_part(x.line_item_iam_principal, ':', 5) || ':role/'
                 || split_part(split_part(x.line_item_iam_principal, ':', 6), '/', 2)
            WHEN x.line_item_iam_principal LIKE '%:role/%' THEN x.line_item_iam_principal END,
       CASE WHEN x.line_item_iam_principal LIKE '%:assumed-role/%'
            THEN regexp_replace(x.line_item_iam_principal, '^.*/', '')
            WHEN x.line_item_iam_principal LIKE '%:user/%'
            THEN regexp_replace(x.line_item_iam_principal, '^.*/', '') END,
       split_part(x.line_item_usage_type, '-', 1),
       CASE WHEN x.line_item_usage_type LIKE '%-MP:%'
            THEN replace(x.product::jsonb ->> 'product_name', ' (Amazon Bedrock Edition)', '')
            ELSE substring(x.line_item_usage_type
                           FROM '^[A-Z0-9]+-(.+?)-(?:mantle-)?(?:text-|speech-)?(?:input|output|cache)') END,
       CASE WHEN lower(x.line_item_usage_type) ~ 'cache.?read' THEN 'cache_read'
            WHEN lower(x.line_item_usage_type) ~ 'cache.?write' THEN 'cache_write'
            WHEN lower(x.line_item_usage_type) ~ 'input.?token' THEN 'input'
            WHEN lower(x.line_item_usage_type) ~ 'output.?token' THEN 'output'
            ELSE 'other' END,
       CASE WHEN lower(x.line_item_usage_type) ~ 'token'
            THEN x.line_item_usage_amount::numeric *
                 CASE x.pricing_unit WHEN '1K tokens' THEN 1000 WHEN '1M tokens' THEN 1000000
                                     WHEN 'Units' THEN 1000000 ELSE 1 END END,
       x.line_item_usage_amount::numeric, x.pricing_unit,
       x.line_item_unblended_cost::numeric, nullif(x.line_item_net_unblended_cost, '')::numeric,
       x.line_item_usage_start_date::timestamptz, x.line_item_usage_end_date::timestamptz,
       x.tags::jsonb
FROM naive_raw x"

IFS=',' read -r -a size_list <<<"$sizes"
for size in "${size_list[@]}"; do
	rows=$(rows_of "$size")
	name="bench_$size"
	echo "== $size rows: generating" >&2
	t0=$(now)
	"$gen" --out "$work/data" --export "$name" --rows "$rows" --periods 1 --seed 7 \
		--chunk-rows 250000 --gzip-level "$level" --quiet
	t1=$(now)
	chmod -R a+rX "$work/data"
	exp="$work/data/$name"
	mapfile -t files < <(ls "$exp"/data/BILLING_PERIOD=*/"$name"-*.csv.gz)
	gzbytes=$(cat "${files[@]}" | wc -c)
	gzmb=$(awk -v b="$gzbytes" 'BEGIN { printf "%.1f", b / 1000000 }')
	echo "   generated $rows rows, $gzmb MB gzip, ${#files[@]} chunks in $(secs "$t0" "$t1") s" >&2

	# floor: decompression alone
	t0=$(now)
	gzip -dc "${files[@]}" >/dev/null
	t1=$(now)
	s_gunzip=$(secs "$t0" "$t1")

	# naive: raw text staging, then INSERT ... SELECT with SQL parsing
	header=$( (gzip -dc "${files[0]}" 2>/dev/null || true) | head -1 | tr -d '\r')
	cols=$(echo "$header" | tr ',' '\n' | awk '{ printf "%s%s text", (NR > 1 ? ", " : ""), $0 }')
	copies=""
	for f in "${files[@]}"; do
		copies+="COPY naive_raw FROM PROGRAM 'gzip -dc ''$f''' WITH (FORMAT csv, HEADER true);"$'\n'
	done
	echo "   naive" >&2
	timed_session naive_copy \
		"DROP TABLE IF EXISTS naive_raw, naive_li, floor_li; CREATE TABLE naive_raw ($cols); CREATE TABLE naive_li $TARGET_DDL;" \
		"$copies
\! date +%s.%N > '$work/naive_ins.t0'
INSERT INTO naive_li $NAIVE_SELECT;"
	s_copy=$(secs "$(cat "$work/naive_copy.t0")" "$(cat "$work/naive_ins.t0")")
	s_ins=$(secs "$(cat "$work/naive_ins.t0")" "$(cat "$work/naive_copy.t1")")
	s_naive=$(secs "$(cat "$work/naive_copy.t0")" "$(cat "$work/naive_copy.t1")")
	rss_naive=$(hwm_mb "$work/naive_copy.hwm")
	loaded=$("${PSQL[@]}" -Atc 'SELECT count(*) FROM naive_li')
	[ "$loaded" = "$rows" ] || echo "   warning: naive loaded $loaded rows of $rows" >&2

	# floor: COPY of the already-transformed rows into the same target shape
	"${PSQL[@]}" -c "COPY naive_li TO '$work/transformed.csv' WITH (FORMAT csv)"
	echo "   floor copy" >&2
	timed_session floor_copy \
		"DROP TABLE naive_raw; CREATE TABLE floor_li (LIKE naive_li); CHECKPOINT;" \
		"COPY floor_li FROM '$work/transformed.csv' WITH (FORMAT csv);"
	s_floor=$(secs "$(cat "$work/floor_copy.t0")" "$(cat "$work/floor_copy.t1")")
	rss_floor=$(hwm_mb "$work/floor_copy.hwm")
	"${PSQL[@]}" -c 'DROP TABLE naive_li, floor_li' -c 'CHECKPOINT'
	rm -f "$work/transformed.csv"

	s_floor_total=$(awk -v a="$s_gunzip" -v b="$s_floor" 'BEGIN { printf "%.3f", a + b }')
	base=("$s_naive" "$s_floor_total" "$s_floor")
	record "$size" "$rows" "$gzmb" "floor: gunzip" "$s_gunzip" "" "${base[@]}"
	record "$size" "$rows" "$gzmb" "floor: copy transformed" "$s_floor" "$rss_floor" "${base[@]}"
	record "$size" "$rows" "$gzmb" "floor: total" "$s_floor_total" "" "${base[@]}"
	record "$size" "$rows" "$gzmb" "naive: copy raw" "$s_copy" "" "${base[@]}"
	record "$size" "$rows" "$gzmb" "naive: insert-select" "$s_ins" "" "${base[@]}"
	record "$size" "$rows" "$gzmb" "naive: total" "$s_naive" "$rss_naive" "${base[@]}"

	if [ $loader = 1 ]; then
		# the load, then the chargeback refresh the worker runs after it
		# (the loader's peak RSS is read before the refresh, which has its own
		# work_mem); three rounds, each on a freshly created extension (the
		# first delivery of the month every time), the order of the loads
		# unchanged: the loader row is the first round, "file to chargeback"
		# gives every round's ratio and their median (this box's speed
		# changes within minutes, and a ratio of the same round compares
		# like with like)
		ratios=()
		for round in 1 2 3; do
			echo "   loader, round $round" >&2
			setup="CHECKPOINT;"
			[ "$round" = 1 ] || setup="DROP EXTENSION bedrock_cost CASCADE; CREATE EXTENSION bedrock_cost; CHECKPOINT;"
			if timed_session loader "$setup" "SELECT bedrock_cost.load_export('$exp');
\\! date +%s.%N > '$work/loader.tmid'
\\! grep VmHWM /proc/\$BPID/status > '$work/loader_only.hwm'
SELECT bedrock_cost.refresh_chargeback();" >"$work/loader.out" 2>&1; then
				s_loader=$(secs "$(cat "$work/loader.t0")" "$(cat "$work/loader.tmid")")
				s_refresh=$(secs "$(cat "$work/loader.tmid")" "$(cat "$work/loader.t1")")
				s_to_cb=$(secs "$(cat "$work/loader.t0")" "$(cat "$work/loader.t1")")
				ratio=$(awk -v a="$s_to_cb" -v b="$s_loader" 'BEGIN { printf "%.3f", a / b }')
				ratios+=("$ratio")
				if [ "$round" = 1 ]; then
					record "$size" "$rows" "$gzmb" "loader" "$s_loader" "$(hwm_mb "$work/loader_only.hwm")" "${base[@]}"
					record "$size" "$rows" "$gzmb" "loader + refresh" "$s_to_cb" "$(hwm_mb "$work/loader.hwm")" "${base[@]}"
				fi
				to_cb+=("$size, round $round: load ${s_loader} s + refresh_chargeback() ${s_refresh} s = ${s_to_cb} s: ${ratio}x the load alone")
			else
				echo "   loader failed: $(tail -3 "$work/loader.out")" >&2
				echo "$size,$rows,$gzmb,loader (failed),,,,,,," >>"$csv"
				results+=("$size|$rows|$gzmb|loader: FAILED|||||||")
				break
			fi
		done
		[ ${#ratios[@]} -eq 3 ] &&
			to_cb+=("$size: median of the three rounds $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n 2p)x the load alone")
	fi
	rm -rf "$work/data"
done

# the table
printf '\n%-6s %-24s %9s %11s %9s %10s %8s %8s %8s\n' size approach seconds rows/s gzMB/s peakRSS_MB "x naive" "/ floor" "/ copy"
for r in "${results[@]}"; do
	IFS='|' read -r size rows gzmb name s rps mbps rss ratio fratio cratio <<<"$r"
	printf '%-6s %-24s %9s %11s %9s %10s %8s %8s %8s\n' "$size" "$name" "$s" "$rps" "$mbps" "${rss:--}" "${ratio:--}" "${fratio:--}" "${cratio:--}"
done
echo "x naive: naive total seconds / seconds (speed-up over the naive SQL approach);"
echo "/ floor: seconds / floor total seconds (gzip -dc + COPY of already-transformed rows);"
echo "/ copy:  seconds / floor-copy seconds (COPY of already-transformed rows alone)"
for l in "${to_cb[@]}"; do echo "file to chargeback, $l"; done
[ $loader = 1 ] || echo "loader: not built yet (bedrock_cost.load_export does not exist)"
cp "$csv" "$top/test/bench/out/latest.csv"
echo "written: $csv"

# the type and parser micro-benchmarks, when present (not with --ingest-only)
[ $micro = 1 ] || exit 0
for b in iam_arn.sh usage_type.sh; do
	if [ -x "$top/test/bench/$b" ]; then
		echo; echo "== test/bench/$b"
		"$top/test/bench/$b" || echo "test/bench/$b failed"
	elif [ -f "$top/test/bench/$b" ]; then
		echo; echo "== test/bench/$b"
		bash "$top/test/bench/$b" || echo "test/bench/$b failed"
	fi
done
