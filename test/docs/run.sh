#!/usr/bin/env bash
# test/docs/run.sh: the documentation's examples, run as written.
#
# 1. The client's manual page, doc/bedrock-cost-load.1, must render without a
#    single warning (groff -man -ww).
# 2. Every ```sql fenced block of README.md and doc/*.md is run with psql
#    against the quickstart cluster: scripts/quickstart.sh into a temporary
#    folder (it loads the bundled sample export, test/fixtures/sample_export/,
#    as export "sample" under bedrock_cost.export_root, and refreshes the
#    chargeback), removed at the end.  BC_DOCS_ENV=<quickstart dir>/env runs
#    against a quickstart cluster that is already running instead.
#
# How the blocks run:
# - One psql session per file, as the superuser postgres in database postgres,
#   the file's blocks in the order they appear, inside one transaction that is
#   rolled back at the end.  So a block sees what the blocks above it in the
#   same file did (a SET search_path, a CREATE ROLE, a registered export), and
#   an example that changes state (CREATE ROLE, add_export, a budget, a
#   gateway) leaves the cluster as the quickstart left it for the next file.
#   The examples are also written to be pasted into a user's quickstart
#   cluster: those that change what later queries answer put it back (the
#   cost basis, a model alias, a period replaced by load_file and restored,
#   an export registered and removed).
# - psql runs with ON_ERROR_STOP=1; the first error fails the test, naming the
#   file and the line of the block's opening fence.
# - Fence markers, after the word sql on the opening fence:
#     ```sql             run; must succeed
#     ```sql error       run in a session of its own (its own rolled-back
#                        transaction); must fail with an SQL error
#     ```sql no-run      not run
#   Blocks that are not sql (sh, output, postgresql.conf lines) are not run.
# - The no-run blocks, and why each cannot run against the quickstart:
#     doc/citus.md: distribute() and the Citus settings need a Citus
#       coordinator with workers; the quickstart has no Citus (test/citus/run.sh
#       runs them against a real Citus cluster).
set -euo pipefail

cd "$(dirname "$0")/../.."
FILES=(README.md doc/*.md)

fail() { echo "docs: $*" >&2; exit 1; }

# --- 1. the manual page -----------------------------------------------------
command -v groff >/dev/null || fail "groff is missing (scripts/deps.sh installs groff-base)"
warnings="$(groff -man -Tutf8 -ww -z doc/bedrock-cost-load.1 2>&1)" || fail "groff failed on doc/bedrock-cost-load.1"
[ -z "$warnings" ] || fail "doc/bedrock-cost-load.1 renders with warnings:
$warnings"
echo "docs: doc/bedrock-cost-load.1 renders without warnings"

# --- 2. the SQL examples ----------------------------------------------------
work="$(mktemp -d /tmp/bedrock_cost_docs.XXXXXX)"
chmod 755 "$work"
qs=""
cleanup() {
	if [ -n "$qs" ]; then scripts/cluster.sh destroy "$qs" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${BC_DOCS_ENV:-}" ]; then
	env_file="$BC_DOCS_ENV"
else
	qs="$work/qs"
	BC_QUICKSTART_DIR="$qs" bash scripts/quickstart.sh >"$work/quickstart.log" 2>&1 \
		|| { cat "$work/quickstart.log"; fail "scripts/quickstart.sh failed"; }
	env_file="$qs/env"
fi
# shellcheck disable=SC1090
source "$env_file"

# extract_blocks FILE OUTDIR: writes OUTDIR/run.sql (the file's runnable
# blocks, each after a marker naming its line) and OUTDIR/error-LINE.sql (one
# per "sql error" block); prints "run N", "error N", "skip N" per sql block.
# An indented fence (a block inside a list item) loses its indentation.
extract_blocks() {
	awk -v out="$2" -v file="$1" '
		function flush() { close(target) }
		BEGIN { run = out "/run.sql"; printf "" > run; inblock = 0 }
		{
			line = $0
			if (!inblock && match(line, /^[ \t]*```/)) {
				indent = RLENGTH - 3
				info = substr(line, RLENGTH + 1)
				gsub(/^[ \t]+|[ \t]+$/, "", info)
				inblock = 1; mode = "other"
				if (info ~ /^sql([ \t]|$)/) {
					marker = info; sub(/^sql[ \t]*/, "", marker)
					if (marker == "") { mode = "run"; target = run
						printf "\\warn @@docs-block %s:%d\n", file, NR >> run }
					else if (marker == "error") { mode = "error"; target = out "/error-" NR ".sql"
						printf "" > target }
					else if (marker == "no-run") { mode = "skip" }
					else { print "bad fence marker \"" marker "\" at " file ":" NR > "/dev/stderr"; exit 2 }
					print mode, NR
				}
				next
			}
			if (inblock && line ~ /^[ \t]*```[ \t]*$/) {
				if (mode == "error") flush()
				inblock = 0; next
			}
			if (inblock && (mode == "run" || mode == "error")) {
				if (indent > 0 && substr(line, 1, indent) ~ /^[ \t]*$/) line = substr(line, indent + 1)
				print line >> target
			}
		}
		END { if (inblock) { print "unclosed fence in " file > "/dev/stderr"; exit 2 } }
	' "$1"
}

total_run=0
total_error=0
total_skip=0
for f in "${FILES[@]}"; do
	d="$work/$(echo "$f" | tr '/.' '__')"
	mkdir -p "$d"
	list="$(extract_blocks "$f" "$d")" || fail "$f: cannot extract its sql blocks"
	n_run="$(grep -c '^run ' <<<"$list" || true)"
	n_error="$(grep -c '^error ' <<<"$list" || true)"
	n_skip="$(grep -c '^skip ' <<<"$list" || true)"
	total_run=$((total_run + n_run)); total_error=$((total_error + n_error)); total_skip=$((total_skip + n_skip))

	if [ "$n_run" -gt 0 ]; then
		{ echo "BEGIN;"; cat "$d/run.sql"; echo "ROLLBACK;"; } >"$d/session.sql"
		if ! psql -X -q -v ON_ERROR_STOP=1 -f "$d/session.sql" >"$d/stdout" 2>"$d/stderr"; then
			where="$(grep -o '@@docs-block .*' "$d/stderr" | tail -n 1 | cut -d' ' -f2)"
			echo "--- psql said:" >&2
			sed -n '/@@docs-block '"${where//\//\\/}"'$/,$p' "$d/stderr" | grep -v '^@@docs-block' >&2
			fail "the sql block at ${where:-$f (before the first block)} failed"
		fi
	fi
	for e in "$d"/error-*.sql; do
		[ -e "$e" ] || continue
		line="${e##*/error-}"; line="${line%.sql}"
		rc=0
		psql -X -q -v ON_ERROR_STOP=1 -c 'BEGIN' -f "$e" >"$d/stdout" 2>"$d/stderr" || rc=$?
		[ "$rc" = 3 ] || fail "the sql error block at $f:$line did not fail with an SQL error (psql exit $rc)"
	done
	echo "docs: $f: $n_run blocks run, $n_error failed as expected, $n_skip not run"
done
[ "$total_run" -gt 0 ] || fail "no sql block found"
echo "docs: every example ran as written ($total_run run, $total_error expected errors, $total_skip not run)"
