#!/usr/bin/env bash
# Login-code flood (issue 14; docs/benchmarks-security.md).
#
#   bench/login/run.sh [seconds]
#
# Builds karyakram, creates a fresh PostgreSQL database (KARYAKRAM_BENCH_PG,
# default postgres://postgres@127.0.0.1:5432; SQLITE=1 for a SQLite file),
# and runs bench/login: officials log in every 0.5 s from their own
# loopback addresses through four phases of `seconds` (default 60): quiet,
# a flood of POST /login/code from one address, quiet again, a flood from
# 250 addresses (FLOOD_RATE=n: n requests/s; default as fast as 32
# connections go, like wrk). Prints each phase's login latency (p50/p99) and the
# login SMS the flood caused against the budgets. The client and the
# server share the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh
secs=${1:-60}
pg=${KARYAKRAM_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [[ -n "${db:-}" ]] && psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db" || true' EXIT
go build -o "$tmp/karyakram" ./cmd/karyakram
go build -o "$tmp/login-flood" ./bench/login
if [[ -n "${SQLITE:-}" ]]; then
	dsn="$tmp/bench.db"
else
	db="kk_login_flood_$$"
	psql "$pg/postgres" -qc "CREATE DATABASE $db"
	dsn="$pg/$db?sslmode=disable"
fi
bench_machine
bench_load "before"
"$tmp/login-flood" -bin "$tmp/karyakram" -dsn "$dsn" -seconds "$secs" -flood-rate "${FLOOD_RATE:-0}"
bench_load "after the floods"
