#!/usr/bin/env bash
# Worker search at state scale (issue 13; docs/benchmarks.md): seeds a
# state with 3,000,000 workers into a fresh PostgreSQL database, then runs
# bench/search (store.FindWorkers with a mix of queries, as the state office
# and as a district president) and prints latency percentiles.
#
#   bench/search/run.sh [WORKERS] [ROUNDS]     (defaults 3000000, 20)
#
# KARYAKRAM_BENCH_PG (default postgres://postgres@127.0.0.1:5432) names the
# server; the database kk_bench_search is dropped and recreated. KEEP=1
# keeps it for another run (then pass DSN=… to skip the seeding).
set -euo pipefail
cd "$(dirname "$0")/../.."
workers=${1:-3000000}
rounds=${2:-20}
pg=${KARYAKRAM_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
db=kk_bench_search
source bench/machine.sh
bench_machine
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [[ -z "${KEEP:-}" && -z "${DSN:-}" ]] && psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db" || true' EXIT
go build -o "$tmp/karyakram" ./cmd/karyakram
go build -o "$tmp/search-bench" ./bench/search
dsn=${DSN:-}
if [[ -z "$dsn" ]]; then
	psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	dsn="$pg/$db?sslmode=disable"
	start=$(date +%s)
	"$tmp/karyakram" seed -scale state -workers "$workers" -dsn "$dsn"
	echo "seeded $workers workers in $(($(date +%s) - start)) s"
	bench_load "after seeding"
fi
psql "$dsn" -qc "VACUUM ANALYZE workers"
bench_load "before searching"
"$tmp/search-bench" -dsn "$dsn" -rounds "$rounds"
bench_load "after searching"
