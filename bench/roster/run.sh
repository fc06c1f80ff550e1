#!/usr/bin/env bash
# Roster planner benchmarks (issue 4):
#   1. go test -bench in schedule/roster: 2022 hosts fixed, 2022 host choice
#      open, synthetic 1,000 districts / 400 hosts / 5 dates / 40 teams.
#   2. The same instances written as CPLEX-LP and solved by glpsol (GLPK),
#      objective gap and time ratio printed as a Markdown table.
# Needs glpsol for step 2: apt-get update && apt-get install -y glpk-utils
# Environment: BENCHTIME (default 5x), TMLIM (glpsol seconds, default 300),
# CASES (default fixed2022,open2022,synthetic1000), WORKDIR (LP files/logs).
# The whole run takes up to ~2 × TMLIM when glpsol hits its limit.
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3)"
echo "== go test -bench ./schedule/roster/"
go test ./schedule/roster/ -run '^$' -bench . -benchtime "${BENCHTIME:-5x}"

echo "== planner vs glpsol"
glpsol_bin=glpsol
if ! command -v glpsol >/dev/null 2>&1; then
  echo "glpsol not found (apt-get install -y glpk-utils): planner only" >&2
  glpsol_bin=""
fi
go run ./bench/roster \
  -glpsol "$glpsol_bin" \
  -tmlim "${TMLIM:-300}" \
  -cases "${CASES:-fixed2022,open2022,synthetic1000}" \
  -workdir "${WORKDIR:-artifacts/roster-bench}"
