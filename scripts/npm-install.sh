#!/usr/bin/env bash
# Installs the npm packages of the project's node helper directories, for CI
# and fresh machines. Each directory has a package.json and a committed
# package-lock.json; node_modules stays out of git. Idempotent; uses
# `npm ci` (exact lock) and falls back to `npm install` when a lock is
# missing. Tests that need these modules skip with a message when they are
# absent, so this step is optional for `go test` but required for the
# cross-checks and benchmarks to run.
#
#   scripts/npm-install.sh            install every directory below
#   scripts/npm-install.sh DIR...     install only the given directories
set -euo pipefail

cd "$(dirname "$0")/.."

# npm directories, relative to the repository root.
dirs=(
	app/ical/testdata/node # ical.js: independent parser for app/ical feed tests
	bench/ical             # ical-generator: bench/ical/run.sh comparison
)
# Other teams' npm directories, installed when present.
for d in bench/tokens; do
	[[ -f "$d/package.json" ]] && dirs+=("$d")
done
if (($# > 0)); then
	dirs=("$@")
fi

if ! command -v npm >/dev/null 2>&1; then
	echo "npm-install: npm not found; skipping ${dirs[*]}" >&2
	exit 0
fi

for d in "${dirs[@]}"; do
	if [[ ! -f "$d/package.json" ]]; then
		echo "npm-install: $d/package.json missing" >&2
		exit 1
	fi
	echo "npm-install: $d" >&2
	if [[ -f "$d/package-lock.json" ]]; then
		(cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
	else
		(cd "$d" && npm install --no-audit --no-fund --loglevel=error)
	fi
done
