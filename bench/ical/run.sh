#!/usr/bin/env bash
# Encodes the same 10,000-event district feed with karyakram's Go encoder
# (app/ical, BenchmarkRender10k) and with npm ical-generator
# (generate.mjs), in one run, and reports both times and the ratio. Also
# counts content lines longer than 75 octets in each output (RFC 5545 §3.1).
#
#   bench/ical/run.sh            # 10,000 events
#   RUNS=5 bench/ical/run.sh     # more repetitions on each side
#
# Needs node and the npm module: scripts/npm-install.sh bench/ical
# Figures are recorded in docs/benchmarks-ical.md.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${RUNS:-3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
source "$root/bench/machine.sh"
bench_machine

if ! command -v node >/dev/null 2>&1; then
	echo "run.sh: node is not installed" >&2
	exit 1
fi
if [[ ! -d "$here/node_modules/ical-generator" ]]; then
	echo "run.sh: ical-generator missing; run scripts/npm-install.sh bench/ical" >&2
	exit 1
fi

echo "== Go: app/ical Render, 10,000 events (go test -bench, ${runs} x 10 iterations)"
(cd "$root" && go test -run '^$' -bench 'BenchmarkRender10k$|BenchmarkGoICalFolded10k$|BenchmarkETag10k$' \
	-benchtime 10x -count "$runs" ./app/ical) | tee "$tmp/go.txt" | grep -E '^Benchmark'
bench_load "after Go"
(cd "$root" && KARYAKRAM_BENCH_ICAL_OUT="$tmp/go.ics" go test -run '^TestWriteBenchFeed$' -count 1 ./app/ical >/dev/null)

echo "== node: ical-generator $(node -p "require('$here/node_modules/ical-generator/package.json').version"), same events (${runs} runs after warm-up)"
node "$here/generate.mjs" 10000 "$runs" "$tmp/node.ics" | tee "$tmp/node.json"
bench_load "after node"

# Median ns/op of a benchmark over the -count runs.
median_ns() {
	grep -E "^$1-" "$tmp/go.txt" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
go_ns="$(median_ns BenchmarkRender10k)"
goical_ns="$(median_ns BenchmarkGoICalFolded10k)"
etag_ns="$(median_ns BenchmarkETag10k)"
node_ms="$(sed -E 's/.*"median_ms":([0-9.]+).*/\1/' "$tmp/node.json")"

long_lines() { LC_ALL=C awk '{ sub(/\r$/, ""); if (length($0) > 75) n++ } END { print n+0 }' "$1"; }
max_line() { LC_ALL=C awk '{ sub(/\r$/, ""); if (length($0) > m) m = length($0) } END { print m+0 }' "$1"; }

echo "== summary (medians)"
awk -v g="$go_ns" -v gi="$goical_ns" -v e="$etag_ns" -v n="$node_ms" \
	-v gl="$(long_lines "$tmp/go.ics")" -v gm="$(max_line "$tmp/go.ics")" -v gb="$(wc -c <"$tmp/go.ics")" \
	-v nl="$(long_lines "$tmp/node.ics")" -v nm="$(max_line "$tmp/node.ics")" -v nb="$(wc -c <"$tmp/node.ics")" 'BEGIN {
	printf "karyakram app/ical Render:       %8.1f ms  (%d bytes, lines > 75 octets: %d, longest %d)\n", g/1e6, gb, gl, gm
	printf "go-ical + FoldWriter (ref):      %8.1f ms\n", gi/1e6
	printf "ical-generator:                  %8.1f ms  (%d bytes, lines > 75 octets: %d, longest %d)\n", n, nb, nl, nm
	printf "ratio ical-generator / karyakram: %7.0fx  (target >= 20x)\n", n/(g/1e6)
	printf "ETag for a 304 (10,000 versions): %7.2f ms\n", e/1e6
}'
