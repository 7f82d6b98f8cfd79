#!/usr/bin/env bash
# iam_arn.sh: benchmark of the iam_arn type against a plain text column, on
# the same data, in one run on a throwaway cluster.
#
#   make install && test/bench/iam_arn.sh
#       ROWS=1000000 rows; REPS=5 runs of each COPY, QUERY_REPS=15 of each
#       query, alternating text and iam_arn; the best run of each counts
#
# Generates ROWS realistic line_item_iam_principal values in SQL: a few
# hundred distinct principals in 4 accounts (IAM users with paths, Bedrock
# API-key users, gateway and application role sessions, IAM Identity Center
# sessions with e-mails), repeated with a skewed distribution like a CUR
# export.  Then measures, for a text column and an iam_arn column:
#   copy_ms        COPY of the values from a server-side file (best of REPS),
#                  wall clock; copy_cpu_ms the same COPYs in backend CPU time
#                  (/proc/self/stat, 1/CLK_TCK resolution), which other load
#                  on the machine disturbs less
#   table_bytes / index_bytes / total_bytes   after CREATE INDEX and VACUUM
#   index_build_ms CREATE INDEX (btree), and index_build_cpu_ms
#   lookup_ms      one statement per distinct principal (PL/pgSQL loop), each
#                  counting its rows with an index-only scan
#   lookup_rescan_ms  the same lookups as one nested-loop query (index rescans)
#   eq_scan_ms     sequential scan with an = filter (operator cost)
#   hash_join_ms   hash join of all rows with a table of the distinct principals
#   group_by_ms    GROUP BY principal (hash aggregate)
#   rollup_ms      GROUP BY account and person: account_id() and person() on
#                  iam_arn against split_part/LIKE/regexp_replace on text
# Prints the figures with ratios iam_arn/text and writes them as CSV to
# test/bench/out/iam_arn.csv.  Goals: copy ratio <= 1.3, total size <= text,
# lookups and hash join no slower than text.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
ROWS="${ROWS:-1000000}"
REPS="${REPS:-5}"
QUERY_REPS="${QUERY_REPS:-15}"
OUT="$ROOT/test/bench/out"

if [ -z "${BC_IAM_ARN_BENCH_INNER:-}" ]; then
	export BC_IAM_ARN_BENCH_INNER=1
	exec scripts/cluster.sh run \
		--conf "shared_buffers = 512MB" --conf "jit = off" \
		--conf "max_parallel_workers_per_gather = 0" --conf "work_mem = 64MB" \
		--conf "max_wal_size = 4GB" --conf "checkpoint_timeout = 30min" \
		-- "$0" "$@"
fi

DATA="$BC_CLUSTER_DIR/principals.txt"
CLK_TCK="$(getconf CLK_TCK)"
mkdir -p "$OUT"
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
# the operators live in schema bedrock_cost, like every object of the extension
export PGOPTIONS="-c search_path=public,bedrock_cost"

psql_ -c "CREATE EXTENSION bedrock_cost"
[ "$(psql_ -Atc "SELECT to_regtype('bedrock_cost.iam_arn') IS NOT NULL")" = t ] \
	|| { echo "the installed bedrock_cost has no iam_arn type: run make install from this tree first" >&2; exit 1; }

echo "iam_arn benchmark: $ROWS rows, best of $REPS COPY runs and $QUERY_REPS query runs, PostgreSQL $(psql_ -Atc 'SHOW server_version')"

psql_ <<SQL
SELECT setseed(0.42) \gset

-- the distinct principals, as text
CREATE TABLE principals (id serial PRIMARY KEY, txt text NOT NULL UNIQUE);
INSERT INTO principals (txt)
SELECT format('arn:aws:iam::%s:user/%s/%s/%s', acct, dept, team, 'dev.' || n)
FROM (VALUES ('123456789012'), ('210987654321')) a(acct),
     (VALUES ('engineering'), ('research')) d(dept),
     (VALUES ('platform'), ('search'), ('ml-infra')) t(team),
     generate_series(1, 10) n;
INSERT INTO principals (txt)
SELECT format('arn:aws:iam::%s:user/BedrockAPIKey-%s', acct, substr(md5(acct || n), 1, 4))
FROM (VALUES ('123456789012'), ('345678901234')) a(acct), generate_series(1, 20) n;
INSERT INTO principals (txt)
SELECT format('arn:aws:sts::%s:assumed-role/%s/%s', acct, role, sess)
FROM (VALUES ('210987654321'), ('456789012345')) a(acct),
     (VALUES ('BedrockGatewayRole'), ('AppRole')) r(role),
     LATERAL (SELECT CASE WHEN role = 'AppRole' THEN 'i-0' || substr(md5(acct || n), 1, 16)
                          ELSE 'gw-user-' || n END AS sess
              FROM generate_series(1, 40) n) s;
INSERT INTO principals (txt)
SELECT format('arn:aws:sts::%s:assumed-role/AWSReservedSSO_%s_%s/%s.%s@example.com',
              acct, ps, substr(md5(acct || ps), 1, 16), fn, ln)
FROM (VALUES ('123456789012'), ('456789012345')) a(acct),
     (VALUES ('DataScientist'), ('PowerUserAccess')) p(ps),
     (VALUES ('alice'), ('bob'), ('carol'), ('dave'), ('erin'), ('frank'), ('grace'),
             ('heidi'), ('ivan'), ('judy')) f(fn),
     (VALUES ('smith'), ('jones'), ('garcia'), ('chen')) l(ln);
ALTER TABLE principals ADD COLUMN arn bedrock_cost.iam_arn;
UPDATE principals SET arn = txt::bedrock_cost.iam_arn;

-- ROWS values, skewed like real usage: a few heavy callers, a long tail
COPY (SELECT p.txt
      FROM generate_series(1, $ROWS) g,
           LATERAL (SELECT 1 + floor(power(random(), 2) * (SELECT count(*) FROM principals))::int AS id
                    OFFSET 0) pick
      JOIN principals p ON p.id = pick.id)
  TO '$DATA';

CREATE TABLE t_text (principal text);
CREATE TABLE t_arn (principal bedrock_cost.iam_arn);
CREATE TABLE dim_text AS SELECT txt AS principal, id FROM principals;
CREATE TABLE dim_arn AS SELECT arn AS principal, id FROM principals;

CREATE TABLE results (metric text, kind text, value double precision);

-- CPU time of this backend so far, in clock ticks (utime + stime)
CREATE FUNCTION cpu_ticks() RETURNS bigint LANGUAGE sql VOLATILE AS \$\$
  SELECT f[12]::bigint + f[13]::bigint
  FROM (SELECT string_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ') AS f) s
\$\$;

-- run one statement, recording its wall-clock and CPU milliseconds
CREATE FUNCTION measure(metric text, kind text, q text) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz; c0 bigint;
BEGIN
  c0 := cpu_ticks();
  t0 := clock_timestamp();
  EXECUTE q;
  INSERT INTO results VALUES
    (metric || '_ms', kind, extract(epoch FROM clock_timestamp() - t0) * 1000),
    (metric || '_cpu_ms', kind, (cpu_ticks() - c0) * 1000.0 / $CLK_TCK);
END \$\$;

-- milliseconds one statement takes
CREATE FUNCTION time_ms(q text) RETURNS double precision LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz;
BEGIN
  t0 := clock_timestamp();
  EXECUTE q;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END \$\$;

-- milliseconds for one index lookup of every distinct principal
CREATE FUNCTION lookups_ms(kind text) RETURNS double precision LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz; n bigint; p record;
BEGIN
  t0 := clock_timestamp();
  FOR p IN SELECT txt, arn FROM principals LOOP
    IF kind = 'text' THEN
      SELECT count(*) INTO n FROM t_text WHERE principal = p.txt;
    ELSE
      SELECT count(*) INTO n FROM t_arn WHERE principal = p.arn;
    END IF;
  END LOOP;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END \$\$;
SQL

echo "data: $(psql_ -Atc 'SELECT count(*) FROM principals') distinct principals, $(wc -l <"$DATA") rows, $(du -h "$DATA" | cut -f1) of text"

# COPY: best of REPS, each into an emptied table, alternating the two kinds
for i in $(seq "$REPS"); do
	for kind in text arn; do
		psql_ -c "TRUNCATE t_$kind" \
			-c "CHECKPOINT" \
			-c "SELECT measure('copy', '$kind', \$q\$COPY t_$kind FROM '$DATA'\$q\$)" >/dev/null
	done
done

for kind in text arn; do
	psql_ -c "SELECT measure('index_build', '$kind', 'CREATE INDEX t_${kind}_idx ON t_$kind (principal)')" >/dev/null
	psql_ -c "VACUUM (ANALYZE) t_$kind" -c "VACUUM (ANALYZE) dim_$kind"
	psql_ -c "INSERT INTO results VALUES
		('table_bytes', '$kind', pg_table_size('t_$kind')),
		('index_bytes', '$kind', pg_indexes_size('t_$kind')),
		('total_bytes', '$kind', pg_total_relation_size('t_$kind'))"
done

# warm the cache, then the query timings (best of REPS)
psql_ -c "SELECT count(*) FROM t_text" -c "SELECT count(*) FROM t_arn" >/dev/null
PROBE_TXT="$(psql_ -Atc "SELECT txt FROM principals WHERE txt LIKE '%AWSReservedSSO%' ORDER BY id LIMIT 1")"
for i in $(seq "$QUERY_REPS"); do
	for kind in text arn; do
		if [ $kind = text ]; then cast="text"; else cast="bedrock_cost.iam_arn"; fi
		psql_ <<SQL
SET enable_seqscan = off; SET enable_bitmapscan = off;
INSERT INTO results SELECT 'lookup_ms', '$kind', lookups_ms('$kind');
INSERT INTO results SELECT 'lookup_rescan_ms', '$kind',
  time_ms(\$q\$SELECT sum(c) FROM dim_$kind d, LATERAL (SELECT count(*) c FROM t_$kind t WHERE t.principal = d.principal) s\$q\$);
RESET enable_seqscan; RESET enable_bitmapscan;
SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off;
INSERT INTO results SELECT 'eq_scan_ms', '$kind',
  time_ms(\$q\$SELECT count(*) FROM t_$kind WHERE principal = '$PROBE_TXT'::$cast\$q\$);
SET enable_mergejoin = off; SET enable_nestloop = off;
INSERT INTO results SELECT 'hash_join_ms', '$kind',
  time_ms(\$q\$SELECT count(*), sum(d.id) FROM t_$kind t JOIN dim_$kind d ON d.principal = t.principal\$q\$);
SET enable_sort = off;
INSERT INTO results SELECT 'group_by_ms', '$kind',
  time_ms(\$q\$SELECT count(*) FROM (SELECT principal, count(*) FROM t_$kind GROUP BY principal) s\$q\$);
INSERT INTO results SELECT 'rollup_ms', '$kind', time_ms(CASE '$kind'
  WHEN 'arn' THEN \$q\$SELECT count(*) FROM (SELECT account_id(principal), person(principal), count(*)
                  FROM t_arn GROUP BY 1, 2) s\$q\$
  ELSE \$q\$SELECT count(*) FROM (SELECT split_part(principal, ':', 5),
                  CASE WHEN principal LIKE '%:assumed-role/%' THEN split_part(principal, '/', 3)
                       WHEN principal LIKE '%:user/%' OR principal LIKE '%:federated-user/%'
                       THEN regexp_replace(principal, '^.*/', '') END, count(*)
                  FROM t_text GROUP BY 1, 2) s\$q\$ END);
SQL
	done
done

# the plans the timings above used
psql_ -Atc "SET enable_mergejoin = off; SET enable_nestloop = off;
	EXPLAIN (COSTS OFF) SELECT count(*), sum(d.id) FROM t_arn t JOIN dim_arn d ON d.principal = t.principal" | grep -q 'Hash Join' \
	|| { echo "hash join plan not used" >&2; exit 1; }
for kind in text arn; do
	psql_ -Atc "SET enable_seqscan = off; SET enable_bitmapscan = off;
		EXPLAIN (COSTS OFF) SELECT sum(c) FROM dim_$kind d, LATERAL (SELECT count(*) c FROM t_$kind t WHERE t.principal = d.principal) s" \
		| grep -q 'Index Only Scan' || { echo "index-only scan not used for $kind" >&2; exit 1; }
done

psql_ -P footer=off <<SQL
CREATE VIEW summary AS
SELECT metric,
       round(min(value) FILTER (WHERE kind = 'text')::numeric, 1) AS text,
       round(min(value) FILTER (WHERE kind = 'arn')::numeric, 1) AS iam_arn,
       round((min(value) FILTER (WHERE kind = 'arn') / nullif(min(value) FILTER (WHERE kind = 'text'), 0))::numeric, 3) AS ratio,
       CASE metric WHEN 'copy_ms' THEN '<= 1.3' WHEN 'copy_cpu_ms' THEN '<= 1.3' WHEN 'total_bytes' THEN '<= 1.0'
                   WHEN 'lookup_ms' THEN '<= 1.0' WHEN 'lookup_rescan_ms' THEN '<= 1.0'
                   WHEN 'hash_join_ms' THEN '<= 1.0' ELSE '' END AS goal
FROM results GROUP BY metric;
SELECT metric, text, iam_arn, ratio, goal,
       CASE WHEN goal = '' THEN ''
            WHEN ratio <= substr(goal, 4)::numeric THEN 'met' ELSE 'NOT met' END AS status
FROM summary
ORDER BY array_position(ARRAY['copy_ms','copy_cpu_ms','table_bytes','index_bytes','total_bytes',
                              'index_build_ms','index_build_cpu_ms',
                              'lookup_ms','lookup_rescan_ms','eq_scan_ms','hash_join_ms','group_by_ms',
                              'rollup_ms'], metric);
\copy (SELECT metric, text, iam_arn, ratio, goal, $ROWS AS rows, $REPS AS copy_reps, $QUERY_REPS AS query_reps FROM summary ORDER BY metric) TO '$OUT/iam_arn.csv' WITH (FORMAT csv, HEADER)
SQL
echo "written: $OUT/iam_arn.csv"
