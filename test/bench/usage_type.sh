#!/usr/bin/env bash
# usage_type.sh: benchmark of bedrock_cost.parse_usage_type against the pure-SQL parser a
# data team would write (regexp_match / substring / CASE, model key through the alias table).
#
#   test/bench/usage_type.sh [--install] [ROWS]     (default ROWS 1000000)
#
# --install: take /tmp/bc-install.lock, run `make install`, and release the lock as soon as
# the benchmark's backend has loaded the library (so the long timing runs do not block other
# installs).  Without it, the extension must already be installed.
#
# Runs in a throwaway cluster (scripts/cluster.sh run).  Two scenarios of ROWS rows each,
# generated in SQL from the corpus test/fixtures/usage_types.txt: "repeated" (the corpus
# repeated, as in a real CUR file) and "distinct" (first-party model names made unique per
# row, so no per-string memoisation helps either side).  Both parsers materialise the same
# columns into an unlogged table, single process (no parallel workers, no JIT), best of 3
# (repeated) / 2 (distinct) runs.  Then both answers are compared on every distinct string
# and the differences counted and listed.  Prints the figures and the ratios; appends one
# line per scenario to test/bench/out/usage_type.csv.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
install=0
if [ "${1:-}" = --install ]; then install=1; shift; fi
rows="${1:-1000000}"

if [ "${BC_BENCH_INSIDE:-}" != 1 ]; then
	export BC_BENCH_INSIDE=1
	args=("$rows"); [ $install = 1 ] && args=(--install "$rows")
	exec "$root/scripts/cluster.sh" run -- bash "$0" "${args[@]}"
fi

corpus="$root/test/fixtures/usage_types.txt"
outdir="$root/test/bench/out"
mkdir -p "$outdir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$corpus" > "$tmp/corpus.txt"

# 1. setup: corpus, rows, the pure-SQL baseline (as a view over the rows)
cat > "$tmp/bench.sql" <<'SQL'
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
CREATE EXTENSION bedrock_cost;
SELECT (bedrock_cost.parse_usage_type('USE1-Claude4.6Sonnet-input-tokens')).recognized AS loaded \gset
\! touch @LOADED@

CREATE TABLE corpus (id serial PRIMARY KEY, usage_type text NOT NULL);
\copy corpus (usage_type) FROM '@CORPUS@' WITH (FORMAT text)
CREATE TABLE bench AS
SELECT c.usage_type
FROM generate_series(0, :rows - 1) AS g
JOIN corpus c ON c.id = 1 + g % (SELECT count(*) FROM corpus);
ANALYZE bench;

-- ---------------------------------------------------------------------------
-- the pure-SQL baseline: the same grammar written with regular expressions
-- ---------------------------------------------------------------------------
-- the region lookup table a data team would keep (same data as the extension's)
CREATE TABLE regions AS SELECT code, region FROM bedrock_cost.billing_regions();
CREATE UNIQUE INDEX ON regions (code);

-- model aliases, keyed by the normalised alias (user rows before seeds)
CREATE FUNCTION sql_norm(m text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT nullif(btrim(lower(regexp_replace(regexp_replace(regexp_replace(btrim(m),
         '\s*\(amazon bedrock edition\)$', '', 'i'),
         '^(?:[a-z]{2,}\.(?=[A-Za-z])){1,3}', ''),
         '[ _\t-]+', '-', 'g')), '-'), '')
$$;
CREATE TABLE alias_norm AS
SELECT DISTINCT ON (sql_norm(alias)) sql_norm(alias) AS norm, model_key
FROM bedrock_cost.model_aliases ORDER BY sql_norm(alias), seeded, alias DESC;
CREATE UNIQUE INDEX ON alias_norm (norm);

CREATE VIEW sql_parsed AS
WITH l1 AS MATERIALIZED (
  -- region prefix and body
  SELECT b.usage_type,
         substring(b.usage_type FROM '^([A-Z]{3}[0-9]|EU)-') AS region_code
  FROM bench b
), l2 AS MATERIALIZED (
  SELECT usage_type, region_code, body, body ILIKE 'MP:%' AS is_mp
  FROM (SELECT usage_type, region_code,
               CASE WHEN region_code IS NULL THEN usage_type
                    ELSE substr(usage_type, length(region_code) + 2) END AS body
        FROM l1) s
), l3 AS MATERIALIZED (
  -- first-party and mantle tokens: strip the right-anchored token suffix; the rest is the
  -- model (so model names keep their dashes and dots)
  SELECT *,
         regexp_replace(CASE WHEN NOT is_mp THEN body END,
           '(?:-mantle)?(?:-(?:text|image|speech|audio|video))?'
           '-(?:cache[-_]read(?:-input)?|cache[-_]write(?:-input)?|input|output)'
           '(?:-(?:image|audio|video))?-(?:tokens|token|token-count)'
           '(?:-(?:cross-region-global|cross-region-geo|latency-optimized|long-context|long-ctx|custom-model'
           '|global|geo|standard|batch|flex|priority|[0-9]{1,4}[mh]))*$', '', 'i') AS stripped,
         (regexp_match(CASE WHEN is_mp THEN body END, '^MP:[^_]{1,6}_(.*?)(?:-units)?$', 'i'))[1] AS dim
  FROM l2
), l4 AS MATERIALIZED (
  SELECT *,
         CASE WHEN stripped <> body AND stripped <> '' THEN lower(substr(body, length(stripped) + 1)) END AS suffix,
         -- Marketplace: CamelCase, snake_case, reserved
         regexp_match(dim,
           '^(?:million)?(batch)?(?:cache(read|write)([0-9]{1,4}[mh])?)?(input|output)?token(?:count|s)'
           '((?:_(?:global|geo|batch|latencyoptimized|longcontext|standard|flex|priority))*)$', 'i') AS camel,
         regexp_match(dim,
           '^(input|output|cache_read|cache_write)_tokens'
           '((?:_(?:[0-9]{1,4}[mh]|long_ctx|long_context|latency_optimized|global|geo|standard|batch|flex|priority))*)$', 'i') AS snake,
         regexp_match(dim, '^reserved_[0-9]+month_(?:input|output)tpm(?:_(geo|global))?$', 'i') AS reserved
  FROM l3
), l5 AS MATERIALIZED (
  SELECT *,
         -- first-party features without tokens (rows that are neither tokens nor Marketplace)
         regexp_match(CASE WHEN suffix IS NULL AND NOT is_mp THEN body END,
           '^(?:(guardrail)-(.+unitsconsumed)|(dataautomation)-.+'
           '|(.+?)-(?:(image)-)?(search-units|input-image|customization-training|rft-training'
           '|customization-storage|custommodelimport-storage)'
           '|(.+?)-provisionedthroughput(?:-(.+))?'
           '|(.+?)-((t2i|i2i|t2v|i2v)(?:-.*)?))$', 'i') AS feat,
         translate(lower(coalesce(suffix, camel[5], snake[2], '')), '_', '-') AS q
  FROM l4
), l6 AS MATERIALIZED (
  SELECT *,
         CASE
           WHEN suffix LIKE '%cache_read%' THEN 'cache_read'
           WHEN suffix LIKE '%cache_write%' THEN 'cache_write'
           WHEN suffix LIKE '%-input-%' THEN 'input'
           WHEN suffix IS NOT NULL THEN 'output'
           WHEN camel[2] IS NOT NULL THEN 'cache_' || lower(camel[2])
           WHEN camel[4] IS NOT NULL THEN lower(camel[4])
           WHEN snake IS NOT NULL THEN lower(snake[1])
           WHEN reserved IS NOT NULL THEN 'model_unit_hour'
           WHEN lower(dim) = 'provisionedthroughput' OR lower(dim) LIKE 'provisionedthroughput\_%' THEN 'model_unit_hour'
           WHEN lower(dim) IN ('created_image', 'inputimagecount') THEN 'image'
           WHEN lower(dim) = 'search_units' THEN 'search_unit'
           WHEN feat[1] IS NOT NULL THEN 'guardrail_unit'
           WHEN feat[3] IS NOT NULL THEN 'other'
           WHEN feat[6] IS NOT NULL THEN
             CASE lower(feat[6]) WHEN 'search-units' THEN 'search_unit' WHEN 'input-image' THEN 'image'
                  WHEN 'customization-training' THEN 'training' WHEN 'rft-training' THEN 'training'
                  ELSE 'storage' END
           WHEN feat[7] IS NOT NULL THEN 'model_unit_hour'
           WHEN feat[11] IS NOT NULL THEN CASE WHEN lower(feat[11]) LIKE '%v' THEN 'video_second' ELSE 'image' END
         END AS token_kind,
         CASE WHEN suffix IS NOT NULL THEN stripped WHEN feat[4] IS NOT NULL THEN feat[4]
              WHEN feat[7] IS NOT NULL THEN feat[7] WHEN feat[9] IS NOT NULL THEN feat[9] END AS model
  FROM l5
)
SELECT usage_type,
       region_code,
       r.region,
       model,
       CASE WHEN model IS NOT NULL
            THEN coalesce(a.model_key, lower(regexp_replace(model, '^(?:[a-z]{2,}\.(?=[A-Za-z])){1,3}', ''))) END
           AS model_key,
       token_kind,
       CASE WHEN token_kind IS NOT NULL THEN
         coalesce(camel[3], substring(q FROM '-([0-9]{1,4}[mh])(?:-|$)')) END AS cache_ttl,
       CASE WHEN token_kind IS NULL THEN NULL
            WHEN reserved IS NOT NULL THEN 'reserved'
            WHEN feat[7] IS NOT NULL OR lower(dim) LIKE 'provisionedthroughput%' THEN 'provisioned'
            WHEN q LIKE '%-priority%' THEN 'priority'
            WHEN q LIKE '%-flex%' THEN 'flex'
            WHEN q LIKE '%-batch%' OR camel[1] IS NOT NULL THEN 'batch'
            WHEN q LIKE '%-latency%' THEN 'latency_optimized'
            ELSE 'standard' END AS tier,
       CASE WHEN token_kind IS NULL THEN NULL
            WHEN q LIKE '%-global%' OR lower(reserved[1]) = 'global' THEN 'cross_region_global'
            WHEN q LIKE '%-geo%' OR q LIKE '%-cross-region-geo%' OR lower(reserved[1]) = 'geo' THEN 'cross_region_geo'
            ELSE 'in_region' END AS routing,
       CASE WHEN token_kind IN ('input', 'output', 'cache_read', 'cache_write') THEN
              CASE WHEN q LIKE '%-long%' THEN 'long' ELSE 'standard' END END AS context,
       CASE WHEN token_kind IS NULL OR token_kind IN ('training', 'storage') THEN NULL
            WHEN suffix LIKE '-mantle-%' THEN 'mantle' ELSE 'runtime' END AS endpoint,
       CASE WHEN token_kind IS NULL THEN NULL
            WHEN suffix IS NOT NULL THEN
              substring(suffix FROM '^(?:-mantle)?-(?:(?:input|output)-)?(text|image|speech|audio|video)-')
            WHEN lower(feat[6]) = 'input-image' THEN lower(coalesce(feat[5], 'image'))
            WHEN token_kind = 'image' THEN 'image'
            WHEN token_kind = 'video_second' THEN 'video' END AS modality,
       is_mp AS marketplace,
       token_kind IS NOT NULL AS recognized
FROM l6
LEFT JOIN regions r ON r.code = l6.region_code
LEFT JOIN alias_norm a
       ON a.norm = lower(regexp_replace(l6.model, '^(?:[a-z]{2,}\.(?=[A-Za-z])){1,3}', ''));

CREATE TABLE timings (scenario text, impl text, run int, ms numeric);
SQL

sed -i -e "s|@CORPUS@|$tmp/corpus.txt|" -e "s|@LOADED@|$tmp/loaded|" "$tmp/bench.sql"

# 2. two scenarios over the same number of rows:
#    repeated  the corpus repeated (179 distinct strings, as in a real CUR file, where a
#              million rows hold a few hundred usage types)
#    distinct  each first-party row gets a unique model name ("USE1-V123xClaude4.6Sonnet-..."),
#              which defeats any per-string memoisation on both sides
#    For each: timed runs materialising the same columns, then both answers compared on
#    every distinct string (EXCEPT, NULLs compare equal).
cols="region_code, region, model, model_key, token_kind, cache_ttl, tier, routing, context, endpoint, modality, marketplace, recognized"
scenario() {
	local name="$1" runs="$2" fill="$3"
	cat >> "$tmp/bench.sql" <<SQL
TRUNCATE bench;
$fill
ANALYZE bench;
SQL
	for run in $(seq 1 "$runs"); do
		cat >> "$tmp/bench.sql" <<SQL
DROP TABLE IF EXISTS out_c;
SELECT clock_timestamp() AS t0 \\gset
CREATE UNLOGGED TABLE out_c AS
SELECT b.usage_type, $cols
FROM bench b, LATERAL bedrock_cost.parse_usage_type(b.usage_type) p;
INSERT INTO timings SELECT '$name', 'c', $run, round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000, 1);
DROP TABLE IF EXISTS out_sql;
SELECT clock_timestamp() AS t0 \\gset
CREATE UNLOGGED TABLE out_sql AS SELECT usage_type, $cols FROM sql_parsed;
INSERT INTO timings SELECT '$name', 'sql', $run, round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000, 1);
SQL
	done
	cat >> "$tmp/bench.sql" <<SQL
INSERT INTO results
SELECT '$name', (SELECT count(*) FROM bench),
       (SELECT count(DISTINCT usage_type) FROM bench),
       (SELECT count(*) FROM (SELECT DISTINCT usage_type FROM out_c WHERE recognized) r),
       (SELECT count(DISTINCT usage_type) FROM
          (SELECT usage_type, $cols FROM out_c EXCEPT SELECT usage_type, $cols FROM out_sql) d);
INSERT INTO mismatches
SELECT '$name', c.usage_type, row(c.*)::text,
       (SELECT row(s.*)::text FROM out_sql s WHERE s.usage_type = c.usage_type LIMIT 1)
FROM (SELECT usage_type, $cols FROM out_c EXCEPT SELECT usage_type, $cols FROM out_sql) c
ORDER BY 2 LIMIT 20;
SQL
}

cat >> "$tmp/bench.sql" <<'SQL'
CREATE TABLE results (scenario text, nrows bigint, ndistinct bigint, nrecognized bigint, mismatches bigint);
CREATE TABLE mismatches (scenario text, usage_type text, c_answer text, sql_answer text);
CREATE TABLE bench_src AS SELECT * FROM bench;
SQL
scenario repeated 3 "INSERT INTO bench SELECT usage_type FROM bench_src;"
scenario distinct 2 "INSERT INTO bench SELECT regexp_replace(usage_type, '^((?:[A-Z]{3}[0-9]|EU)-)(?!MP:)', '\\1V' || n || 'x') FROM (SELECT usage_type, row_number() OVER () AS n FROM bench_src) s;"

# 3. figures as key=value lines
cat >> "$tmp/bench.sql" <<'SQL'
\pset tuples_only on
\pset format unaligned
SELECT r.scenario || '.' || k || '=' || v
FROM results r,
     LATERAL (VALUES ('rows', r.nrows::text), ('distinct', r.ndistinct::text),
                     ('recognized', r.nrecognized::text), ('mismatches', r.mismatches::text),
                     ('c_ms', (SELECT min(ms)::text FROM timings t WHERE t.scenario = r.scenario AND impl = 'c')),
                     ('sql_ms', (SELECT min(ms)::text FROM timings t WHERE t.scenario = r.scenario AND impl = 'sql')),
                     ('c_runs', (SELECT string_agg(ms::text, ' ' ORDER BY run) FROM timings t WHERE t.scenario = r.scenario AND impl = 'c')),
                     ('sql_runs', (SELECT string_agg(ms::text, ' ' ORDER BY run) FROM timings t WHERE t.scenario = r.scenario AND impl = 'sql'))) AS x(k, v);
SELECT 'mismatch: [' || scenario || '] ' || usage_type || E'\n    c:   ' || c_answer || E'\n    sql: ' || coalesce(sql_answer, '(none)')
FROM mismatches ORDER BY scenario, usage_type;
SELECT 'version=' || setting FROM pg_settings WHERE name = 'server_version';
SQL

# the library is loaded once per backend: hold the install lock only until then
if [ $install = 1 ]; then
	exec 9>/tmp/bc-install.lock
	flock 9
	make -C "$root" install >/dev/null
fi
psql -X -q -v ON_ERROR_STOP=1 -v rows="$rows" -f "$tmp/bench.sql" > "$tmp/out.txt" 9>&- &
psql_pid=$!
while [ ! -e "$tmp/loaded" ] && kill -0 $psql_pid 2>/dev/null; do sleep 0.2; done
[ $install = 1 ] && { flock -u 9; exec 9>&-; }
wait $psql_pid

get() { sed -n "s/^$1=//p" "$tmp/out.txt" | head -1; }
csv="$outdir/usage_type.csv"
[ -s "$csv" ] || echo "run_at,scenario,rows,distinct_strings,c_ms,sql_ms,ratio,mismatches" > "$csv"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "usage-type parse benchmark (PostgreSQL $(get version); single process, no parallel workers, no JIT;"
echo "best of the runs; both sides materialise the same 13 columns into an unlogged table)"
for sc in repeated distinct; do
	c_ms=$(get $sc.c_ms); sql_ms=$(get $sc.sql_ms); n=$(get $sc.rows); d=$(get $sc.distinct); mm=$(get $sc.mismatches)
	ratio=$(awk -v a="$sql_ms" -v b="$c_ms" 'BEGIN { printf "%.1f", a / b }')
	echo "scenario $sc: $n rows, $d distinct strings ($(get $sc.recognized) recognized)"
	echo "  parse_usage_type (C):     ${c_ms} ms   runs: $(get $sc.c_runs)"
	echo "  pure-SQL regexp baseline: ${sql_ms} ms   runs: $(get $sc.sql_runs)"
	echo "  ratio (SQL / C):          ${ratio}x"
	echo "  distinct strings whose answers differ: $mm of $d"
	echo "$now,$sc,$n,$d,$c_ms,$sql_ms,$ratio,$mm" >> "$csv"
done
grep -A2 '^mismatch: ' "$tmp/out.txt" | sed 's/^/  /' || true
echo "csv: $csv"
