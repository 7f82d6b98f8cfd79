# test/citus/cluster.sh: the loopback Citus cluster of the Citus suite and
# benchmark, sourced (not run) by test/citus/run.sh and test/bench/citus.sh.
#
# citus_start DIR starts, under DIR, a plain single node (single) and a
# three-node Citus cluster: a coordinator (c, which preloads bedrock_cost
# too, for the worker) and two workers (w1, w2), 8 shards per table;
# creates the extension on single and c and distributes c's schema
# (bedrock_cost.distribute(), twice: it is idempotent).  Extra
# postgresql.conf lines for every node go in CITUS_CONF (an array).
# citus_stop DIR stops and removes them.  on NODE psql-args runs psql on a
# node; port NODE prints its port.  Fails (does not skip) when Citus is not
# installed for PG_BINDIR: doc/citus.md says how to build it.

PG_BINDIR="${PG_BINDIR:-$( (pg_config --bindir) 2>/dev/null || echo /usr/lib/postgresql/15/bin)}"
export PG_BINDIR
PSQL="$PG_BINDIR/psql"
CITUS_CONF=("${CITUS_CONF[@]+"${CITUS_CONF[@]}"}")

citus_require() {
	local pkglib
	pkglib="$("$PG_BINDIR/pg_config" --pkglibdir)"
	if [ ! -e "$pkglib/citus.so" ]; then
		echo "citus: Citus is not installed for $PG_BINDIR ($pkglib/citus.so is missing); doc/citus.md shows how to build it" >&2
		exit 1
	fi
}

on() { local n="$1"; shift; ( source "$CITUS_DIR/$n/env"; "$PSQL" -X -q -v ON_ERROR_STOP=1 "$@" ); }
port() { ( source "$CITUS_DIR/$1/env"; echo "$PGPORT" ); }

citus_start() {
	local n pl conf=()
	CITUS_DIR="$1"
	for c in "${CITUS_CONF[@]+"${CITUS_CONF[@]}"}"; do conf+=(--conf "$c"); done
	scripts/cluster.sh start "$CITUS_DIR/single" --conf "shared_preload_libraries = 'bedrock_cost'" \
		"${conf[@]+"${conf[@]}"}" >/dev/null
	for n in c w1 w2; do
		pl=citus
		[ "$n" = c ] && pl="citus,bedrock_cost"
		scripts/cluster.sh start "$CITUS_DIR/$n" --conf "shared_preload_libraries = '$pl'" \
			--conf 'max_connections = 200' --conf 'citus.shard_count = 8' "${conf[@]+"${conf[@]}"}" >/dev/null
		on "$n" -c 'CREATE EXTENSION citus'
	done
	on c -c "SELECT pg_catalog.citus_set_coordinator_host('127.0.0.1', $(port c))" >/dev/null
	for n in w1 w2; do on c -c "SELECT pg_catalog.citus_add_node('127.0.0.1', $(port "$n"))" >/dev/null; done
	on single -c 'CREATE EXTENSION bedrock_cost'
	on c -c 'CREATE EXTENSION bedrock_cost'
}

citus_distribute() {
	on c -A -t -c 'SELECT table_name, distribution_column, shards FROM bedrock_cost.distribute()'
	# idempotent: a second call changes nothing
	on c -A -t -c 'SELECT count(*) FROM bedrock_cost.distribute()' >/dev/null
}

citus_stop() {
	local n
	for n in single c w1 w2; do scripts/cluster.sh destroy "$1/$n" >/dev/null 2>&1 || true; done
	rm -rf "$1"
}
