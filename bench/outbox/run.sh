#!/usr/bin/env bash
# Outbox duplicates after kill -9 (docs/benchmarks-security.md).
#
#   bench/outbox/run.sh [REF]
#
# Builds karyakram from this tree and, when REF (a git revision) is given,
# from REF too, then for each binary: creates a fresh PostgreSQL database
# (KARYAKRAM_BENCH_PG, default postgres://postgres@127.0.0.1:5432), seeds
# the demo organisation, queues SMS invitations to five districts, runs
# `karyakram serve` with its SMS gateway pointed at a counting fake, kills
# it with SIGKILL five times mid-drain, restarts it, and prints what was
# delivered twice or lost (the RESULT line). SQLITE=1 runs on SQLite files
# instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh
ref=${1:-}
pg=${KARYAKRAM_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/karyakram-head" ./cmd/karyakram
bins=("$tmp/karyakram-head")
if [[ -n "$ref" ]]; then
	mkdir "$tmp/ref"
	git archive "$ref" | tar -x -C "$tmp/ref"
	(cd "$tmp/ref" && go build -o "$tmp/karyakram-ref" ./cmd/karyakram)
	bins=("$tmp/karyakram-ref" "$tmp/karyakram-head")
fi
go build -o "$tmp/outbox-crash" ./bench/outbox
bench_machine
bench_load "before"
for bin in "${bins[@]}"; do
	name=$(basename "$bin")
	if [[ -n "${SQLITE:-}" ]]; then
		dsn="$tmp/$name.db"
	else
		db="kk_outbox_${name//-/_}_$$"
		psql "$pg/postgres" -qc "CREATE DATABASE $db"
		dsn="$pg/$db?sslmode=disable"
	fi
	echo "== $name"
	"$tmp/outbox-crash" -bin "$bin" -dsn "$dsn" -kills "${KILLS:-5}"
	bench_load "after $name"
	[[ -n "${SQLITE:-}" ]] || psql "$pg/postgres" -qc "DROP DATABASE $db"
done
