#!/usr/bin/env bash
# deps.sh: installs the Debian packages bedrock_cost needs to build, run and
# test, when any is missing.  Needs root (or sudo).  Idempotent: with every
# package present it changes nothing and needs no network.
#
#   scripts/deps.sh            build + runtime + test packages
set -euo pipefail

PACKAGES=(
	# build
	build-essential pkg-config postgresql-server-dev-15 libcsv-dev zlib1g-dev libpq-dev
	# server and client
	postgresql-15 postgresql-client-15
	# tests: TAP (IPC::Run), fuzzing (clang + libFuzzer runtime), tools used by scripts
	libipc-run-perl clang libclang-rt-14-dev gzip util-linux procps time
	# docs suite: the manual page lint (groff -man -ww)
	groff-base
	# BI client stacks: JDBC (Metabase) and SQLAlchemy + psycopg2 (Superset)
	default-jdk-headless libpostgresql-jdbc-java python3-sqlalchemy python3-psycopg2
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}"
SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps.sh: run as root or install sudo: apt-get install ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
