#!/usr/bin/env bash
# Calendar benchmarks (issue 5), one run:
#  1. the statewide programme: 6,400 cluster events created in one action
#     (app/store BenchmarkProgrammeRunStatewide; target < 2 s on PostgreSQL);
#  2. a district feed with 10,000 events through the HTTP handler
#     (app/web BenchmarkDistrictFeed10k: full 200 render and the 304 path);
#  3. npm ical-generator encoding 10,000 comparable events in the same run
#     (bench/ical/generate.mjs), for the ratio.
#
#   KARYAKRAM_TEST_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable bench/calendar/run.sh
#
# Without KARYAKRAM_TEST_DSN both Go benchmarks run on SQLite.
# Figures are recorded in docs/benchmarks-calendar.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
source "$root/bench/machine.sh"
bench_machine
echo "== database: ${KARYAKRAM_TEST_DSN:-sqlite (set KARYAKRAM_TEST_DSN for PostgreSQL)}"
echo "== programme for 6,400 clusters"
(cd "$root" && go test -run '^$' -bench 'ProgrammeRunStatewide$' -benchtime 3x ./app/store) | grep -E '^Benchmark|database'
bench_load "after the programme"
echo "== district feed, 10,000 events, through the router"
(cd "$root" && go test -run '^$' -bench 'DistrictFeed10k' -benchtime 10x ./app/web) | tee "$tmp/go.txt" | grep -E '^Benchmark'
bench_load "after the feed"
if command -v node >/dev/null 2>&1 && [[ -d "$root/bench/ical/node_modules/ical-generator" ]]; then
	echo "== npm ical-generator, 10,000 events (encode only, 3 runs after warm-up)"
	node "$root/bench/ical/generate.mjs" 10000 3 "$tmp/node.ics" | tee "$tmp/node.json"
	bench_load "after ical-generator"
	node_ms="$(sed -E 's/.*"median_ms":([0-9.]+).*/\1/' "$tmp/node.json")"
	go_ns="$(grep -E '^BenchmarkDistrictFeed10k/200' "$tmp/go.txt" | awk '{print $3}')"
	nm_ns="$(grep -E '^BenchmarkDistrictFeed10k/304' "$tmp/go.txt" | awk '{print $3}')"
	awk -v g="$go_ns" -v m="$nm_ns" -v n="$node_ms" 'BEGIN {
		printf "feed handler 200 (DB load + render): %8.1f ms\n", g/1e6
		printf "feed handler 304 (versions only):    %8.1f ms\n", m/1e6
		printf "ical-generator (encode only):        %8.1f ms\n", n
		printf "ratio ical-generator / handler 200:  %8.1fx\n", n/(g/1e6)
	}'
else
	echo "(node or bench/ical/node_modules missing: scripts/npm-install.sh bench/ical for the ratio)"
fi
