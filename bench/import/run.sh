#!/usr/bin/env bash
# Issue 3 benchmark: import 3,000,000 workers from CSV into PostgreSQL with
# `karyakram import` (validated, de-duplicated, merged into the indexed
# tables) versus psql \copy of the same file into (a) a plain table with the
# same columns and (b) a table with a primary key and a unique voter-ID
# index; then the subtree worker count for a district at state scale.
# Everything runs in one go so the ratios compare like with like.
#
#   bench/import/run.sh [WORKERS]     (default 3000000)
#
# Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust). Uses database
# kk_bench, dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/../.."
workers=${1:-3000000}
pg="postgres://postgres@127.0.0.1:5432"
db=kk_bench
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
source bench/machine.sh
bench_machine

go build -o "$dir/karyakram" ./cmd/karyakram
"$dir/karyakram" seed -scale state -workers "$workers" -out "$dir" >/dev/null
file="$dir/workers.csv"
rows=$(($(wc -l <"$file") - 1))
echo "file: $rows workers, $(du -h "$file" | cut -f1)"

psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
dsn="$pg/$db?sslmode=disable"
"$dir/karyakram" import -quiet -dsn "$dsn" -kind units "$dir/units.csv" 2>/dev/null

cols="name,mobile,voter_id,gender,social,unit_code,roles,work"
psql -q "$dsn" -c "CREATE TABLE plain (name text, mobile text, voter_id text, gender text, social text, unit_code text, roles text, work text)"
psql -q "$dsn" -c "CREATE TABLE indexed (id bigserial PRIMARY KEY, name text, mobile text, voter_id text UNIQUE, gender text, social text, unit_code text, roles text, work text)"
psql -q "$dsn" -c "CHECKPOINT"

secs() { local s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }
a=$(secs psql -q "$dsn" -c "\\copy plain ($cols) FROM '$file' CSV HEADER")
psql -q "$dsn" -c "CHECKPOINT"
b=$(secs psql -q "$dsn" -c "\\copy indexed ($cols) FROM '$file' CSV HEADER")
load_copy=$(bench_load "after the \\copy runs")
psql -q "$dsn" -c "CHECKPOINT"
/usr/bin/time -f "%e %M" -o "$dir/time" "$dir/karyakram" import -quiet -log-level debug -dsn "$dsn" -kind workers "$file" >"$dir/report" 2>"$dir/steps"
read -r k rss <"$dir/time"
load_first=$(bench_load "after the first load")
cat "$dir/report"
echo "first load, step by step:"
grep 'import step' "$dir/steps" || true
psql -q "$dsn" -c "CHECKPOINT"
/usr/bin/time -f "%e %M" -o "$dir/time2" "$dir/karyakram" import -quiet -dsn "$dsn" -kind workers "$file" >"$dir/report2"
read -r k2 rss2 <"$dir/time2"
load_again=$(bench_load "after the re-import")
cat "$dir/report2"

printf '\n| step | seconds | ratio to (b) |\n|---|---|---|\n'
printf '| (a) psql \\copy into a plain table | %.1f | %.2f |\n' "$a" "$(echo "$a / $b" | bc -l)"
printf '| (b) psql \\copy into a table with PK + unique voter ID | %.1f | 1.00 |\n' "$b"
printf '| karyakram import, first load (peak RSS %d MB) | %.1f | %.2f |\n' "$((rss / 1024))" "$k" "$(echo "$k / $b" | bc -l)"
printf '| karyakram import, re-import of the same file (all matched, nothing changed; peak RSS %d MB) | %.1f | %.2f |\n' "$((rss2 / 1024))" "$k2" "$(echo "$k2 / $b" | bc -l)"
printf 'karyakram first load vs (a): %.2fx\n' "$(echo "$k / $a" | bc -l)"
printf '%s\n' "$load_copy" "$load_first" "$load_again"

psql -q "$dsn" -c "VACUUM ANALYZE workers" 
echo
echo "subtree worker count at state scale (go test -bench, real store code):"
KARYAKRAM_BENCH_DSN="$dsn" go test -run '^$' -bench BenchmarkSubtreeCount -benchtime 200x ./bench/import/
bench_load "after the subtree count"
