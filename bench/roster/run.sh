#!/usr/bin/env bash
# Roster planner benchmarks (issues 4 and 17):
#   1. go test -bench in schedule/roster: 2022 hosts fixed, 2022 host choice
#      open, synthetic 1,000 districts (loose and 1,020 places), 2,000.
#   2. The same instances written as CPLEX-LP and solved by glpsol (GLPK)
#      in the same run: costs, bounds, gaps, work, wall and CPU time, load
#      average, and whether two planner runs gave the same roster.
# Needs glpsol for step 2: apt-get update && apt-get install -y glpk-utils
# Environment: BENCHTIME (default 3x), TMLIM (glpsol seconds, default 300),
# CASES (default fixed2022,open2022,synthetic1000,tight1000,seats1000,
# synthetic2000; also synthetic1000-weakLP, seats1000-tight), LONG (also run
# the planner with LONG × the default work as a best-known reference), CBC
# (a cbc binary: also the strong LP bound and the LP-rounding roster),
# WORKDIR (LP files/logs). The run takes up to ~(cases × TMLIM) when glpsol
# hits its limit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh

bench_machine
bench_load "before"
echo "== go test -bench ./schedule/roster/"
go test ./schedule/roster/ -run '^$' -bench . -benchtime "${BENCHTIME:-3x}"
bench_load "after go test -bench"

echo "== planner vs glpsol"
glpsol_bin=glpsol
if ! command -v glpsol >/dev/null 2>&1; then
  echo "glpsol not found (apt-get install -y glpk-utils): planner only" >&2
  glpsol_bin=""
fi
go run ./bench/roster \
  -glpsol "$glpsol_bin" \
  -tmlim "${TMLIM:-300}" \
  -long "${LONG:-0}" \
  -cbc "${CBC:-}" \
  -cases "${CASES:-fixed2022,open2022,synthetic1000,tight1000,seats1000,synthetic2000}" \
  -workdir "${WORKDIR:-artifacts/roster-bench}"
bench_load "after planner vs glpsol"
