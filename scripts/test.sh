#!/usr/bin/env bash
# test.sh: the README's test command.  Installs what is missing, builds with
# warnings as errors, installs the extension, then runs every suite:
#   unit   core unit tests (ASan + UBSan)          make unit
#   fuzz   libFuzzer smoke run of every harness    make fuzz-smoke
#   regress pg_regress on a throwaway cluster      make installcheck
#   tap    PostgreSQL::Test::Cluster suites        make prove_installcheck
#   quickstart  the README's main command on a throwaway cluster, its
#          sample loads and reconciliation checked (quickstart_check below)
#   docs   the client's manual page lints clean, and every sql example of
#          README.md and doc/*.md runs as written against a quickstart
#          cluster (test/docs/run.sh)
#   citus  one node against a three-node Citus cluster (test/citus/run.sh);
#          not in the default list: Debian has no Citus package (doc/citus.md)
# Select suites with SUITES="unit regress"; FUZZ_SECONDS sets the fuzz time.
# As root, the server-side suites run as the unprivileged user postgres on a
# private copy of the tree (PostgreSQL refuses to run as root).
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
SUITES="${SUITES:-unit fuzz regress tap quickstart docs}"
# every dependency is installed below, so no test may skip for want of one
export BC_REQUIRE_ALL_TESTS=1
FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
passed=0
failed=0
failed_names=()

run_suite() {
	local name="$1"; shift
	echo "=== suite $name"
	if "$@"; then
		passed=$((passed + 1))
		echo "=== suite $name: ok"
	else
		failed=$((failed + 1))
		failed_names+=("$name")
		echo "=== suite $name: FAILED"
	fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# the server-side suites, run from a tree the server's user can read and write
server_suites() {
	local tree="$1" user="$2" s
	local runas=()
	[ -n "$user" ] && runas=(runuser -u "$user" --)
	for s in $SUITES; do
		case "$s" in
			regress)
				run_suite regress "${runas[@]}" bash -c "cd '$tree' && scripts/cluster.sh run -- make -s installcheck \
					|| { cat regression.diffs 2>/dev/null; exit 1; }" ;;
			tap)
				run_suite tap "${runas[@]}" bash -c "cd '$tree' && make -s prove_installcheck PROVE_FLAGS='--timer' \
					|| { for f in tmp_check/log/*; do echo \"--- \$f\"; tail -n 60 \"\$f\"; done; exit 1; }" ;;
		esac
	done
}

# the README's main command: the sample export loads and reconciles exactly
quickstart_check() {
	local dir out rc=0
	dir="$(mktemp -d /tmp/bedrock_cost_qs.XXXXXX)"
	chmod 755 "$dir"
	out="$(BC_QUICKSTART_DIR="$dir/qs" bash scripts/quickstart.sh 2>&1)" || rc=$?
	scripts/cluster.sh destroy "$dir/qs" >/dev/null 2>&1 || true
	rm -rf "$dir"
	if [ $rc -ne 0 ]; then echo "$out"; echo "quickstart exited $rc"; return 1; fi
	local want
	for want in \
		' 2026-04-01     | done   | 296e94cb-411e-4109-a153-964d84ec1de1 |         529' \
		' 2026-05-01     | done   | 2e93746c-cdbb-44c7-b313-cf30b79cda0a |         512' \
		' 2026-04-01     | Usage               |   4578.31698437 | 4578.3169843700 | 0.0000000000' \
		' 2026-05-01     | Usage               |   5677.22057052 | 5677.2205705200 | 0.0000000000' \
		'==> chargeback by person and role, May 2026 (unblended cost, USD; top 15)'; do
		if ! grep -qxF -- "$want" <<<"$out"; then
			echo "$out"; echo "quickstart: missing line: $want"; return 1
		fi
	done
	echo "quickstart: sample loaded (529 + 512 rows), Usage reconciles to 0"
}

scripts/deps.sh || exit 1
make -s -j"$JOBS" WERROR=1 || { echo "build failed"; exit 1; }
as_root make -s install >/dev/null || { echo "install failed"; exit 1; }

for s in $SUITES; do
	case "$s" in
		unit) run_suite unit make -s unit WERROR=1 ;;
		fuzz) run_suite fuzz make -s fuzz-smoke FUZZ_SECONDS="$FUZZ_SECONDS" ;;
		quickstart) run_suite quickstart quickstart_check ;;
		docs) run_suite docs bash test/docs/run.sh ;;
		citus) run_suite citus bash test/citus/run.sh ;;
	esac
done

if [ "$(id -u)" = 0 ]; then
	copy="$(mktemp -d /tmp/bedrock_cost_test.XXXXXX)"
	trap 'rm -rf "$copy"' EXIT
	cp -a "$ROOT/." "$copy/"
	chown -R postgres "$copy"
	chmod 755 "$copy"
	server_suites "$copy" postgres
else
	server_suites "$ROOT" ""
fi

echo
[ $failed -gt 0 ] && echo "failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
[ $failed -eq 0 ]
