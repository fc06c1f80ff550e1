#!/usr/bin/env bash
# Invitation benchmarks on PostgreSQL at state scale (docs/benchmarks-invites.md).
#
#   bench/invites/run.sh [postgres://user@host:5432/db?sslmode=disable]
#
# Creates the scratch schema bench_invites (once), seeds the state-scale
# organisation with 3,000,000 workers into it (minutes; skipped when the
# schema already has workers), then runs in app/store:
#   BenchmarkFanOutState  invite every worker of the state to one event
#                         (resolve audience, invites, outbox) and, in the
#                         same run, a plain INSERT … SELECT of the same rows
#   BenchmarkOutboxDrain  fan out to one district and drain it to the
#                         development sink with 4 workers
# Each benchmark deletes what it added.
set -eu
cd "$(dirname "$0")/../.."
. bench/machine.sh
bench_machine
DSN=${1:-${KARYAKRAM_TEST_DSN:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}}
SCHEMA=bench_invites
case "$DSN" in *\?*) BENCH_DSN="$DSN&search_path=$SCHEMA" ;; *) BENCH_DSN="$DSN?search_path=$SCHEMA" ;; esac
psql "$DSN" -qc "CREATE SCHEMA IF NOT EXISTS $SCHEMA"
N=$(psql "$DSN" -Atc "SELECT COUNT(*) FROM $SCHEMA.workers" 2>/dev/null || echo 0)
if [ "$N" -lt 3000000 ]; then
  go run ./cmd/karyakram seed -scale state -workers 3000000 -dsn "$BENCH_DSN"
fi
KARYAKRAM_BENCH_DSN="$BENCH_DSN" go test ./app/store -run '^$' -bench 'FanOutState|OutboxDrain' -benchtime 1x -timeout 30m
bench_load "after fan-out and drain"
