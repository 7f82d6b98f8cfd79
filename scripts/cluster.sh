#!/usr/bin/env bash
# cluster.sh: throwaway PostgreSQL clusters for the quickstart, tests and benchmarks.
#
#   scripts/cluster.sh start DIR [--preload] [--conf 'name = value']...
#       initdb into DIR/data (DIR is created if missing), pick a free port on
#       127.0.0.1, start the server with its socket in DIR, and write DIR/env
#       (PGHOST, PGPORT, PGUSER, PGDATABASE) for `source`.
#   scripts/cluster.sh stop DIR       stop the server (DIR is kept)
#   scripts/cluster.sh destroy DIR    stop the server and remove DIR
#   scripts/cluster.sh run [--preload] [--conf ...] -- CMD [ARG]...
#       a cluster in a fresh temp folder, CMD run with PG* set to it, then the
#       cluster stopped and removed, also when CMD fails or is interrupted.
#
# PostgreSQL refuses to run as root: as root, the server runs as the
# unprivileged user $BC_PGUSER_OS (default: postgres, created by Debian's
# server package).  Never touches any other cluster, never assumes a port.
set -euo pipefail

PG_BINDIR="${PG_BINDIR:-$( (pg_config --bindir) 2>/dev/null || echo /usr/lib/postgresql/15/bin)}"
BC_PGUSER_OS="${BC_PGUSER_OS:-postgres}"

die() { echo "cluster.sh: $*" >&2; exit 1; }

# run a command as the server's OS user (ourselves unless we are root)
as_server_user() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$BC_PGUSER_OS" -- "$@"
	else
		"$@"
	fi
}

# a port nobody listens on, from a range away from the usual 5432-5440
free_port() {
	local port tries=0
	while [ $tries -lt 200 ]; do
		port=$(( 20000 + (RANDOM % 30000) ))
		tries=$((tries + 1))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	die "no free port found"
}

cmd_start() {
	local dir="$1"; shift
	local preload=0 confs=()
	while [ $# -gt 0 ]; do
		case "$1" in
			--preload) preload=1 ;;
			--conf) confs+=("$2"); shift ;;
			*) die "unknown option $1" ;;
		esac
		shift
	done
	mkdir -p "$dir"
	dir="$(cd "$dir" && pwd)"
	[ -e "$dir/data/PG_VERSION" ] && die "$dir/data already holds a cluster"
	if [ "$(id -u)" = 0 ]; then
		id "$BC_PGUSER_OS" >/dev/null 2>&1 || die "user $BC_PGUSER_OS does not exist (install postgresql-15)"
		chown "$BC_PGUSER_OS" "$dir"
	fi
	as_server_user "$PG_BINDIR/initdb" -D "$dir/data" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
		|| { cat "$dir/initdb.log" >&2; die "initdb failed"; }
	{
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$dir'"
		echo "fsync = off"
		echo "max_worker_processes = 16"
		echo "log_line_prefix = '%m [%p] %q%a '"
		if [ $preload = 1 ]; then
			echo "shared_preload_libraries = 'bedrock_cost'"
		fi
		for c in "${confs[@]+"${confs[@]}"}"; do echo "$c"; done
	} | as_server_user tee -a "$dir/data/postgresql.conf" >/dev/null
	local port attempt
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		if as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
			-o "-p $port" -w -t 60 start >/dev/null 2>&1; then
			cat >"$dir/env" <<ENV
export PGHOST='$dir'
export PGPORT='$port'
export PGUSER=postgres
export PGDATABASE=postgres
ENV
			return 0
		fi
		grep -q 'could not bind\|already in use' "$dir/server.log" 2>/dev/null || break
	done
	tail -20 "$dir/server.log" >&2 || true
	die "server did not start"
}

cmd_stop() {
	local dir="$1"
	[ -e "$dir/data/postmaster.pid" ] || return 0
	as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 \
		|| as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
}

cmd_destroy() {
	local dir="$1"
	cmd_stop "$dir"
	rm -rf "$dir"
}

cmd_run() {
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
	[ "${1:-}" = "--" ] || die "run needs -- CMD"
	shift
	local dir
	dir="$(mktemp -d "${TMPDIR:-/tmp}/bedrock_cost_cluster.XXXXXX")"
	chmod 755 "$dir"
	trap "'$0' destroy '$dir'" EXIT
	trap 'exit 130' INT TERM
	cmd_start "$dir" "${opts[@]+"${opts[@]}"}"
	# shellcheck disable=SC1091
	source "$dir/env"
	export BC_CLUSTER_DIR="$dir"
	"$@"
}

case "${1:-}" in
	start) shift; [ $# -ge 1 ] || die "start needs DIR"; cmd_start "$@" ;;
	stop) shift; cmd_stop "${1:?stop needs DIR}" ;;
	destroy) shift; cmd_destroy "${1:?destroy needs DIR}" ;;
	run) shift; cmd_run "$@" ;;
	*) sed -n '2,19p' "$0"; exit 2 ;;
esac
