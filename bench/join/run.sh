#!/usr/bin/env bash
# Join-surge benchmark (issue 7, docs/benchmarks-join.md).
#
#   bench/join/run.sh [seconds] [connections]
#
# Starts bench/join/joinserver (the karyakram router with GET /j/<token> over
# a directory of 1,000,000 invites in 60 districts, real LiveKit token
# minting, and a bare gin engine answering a constant on the same route),
# then runs wrk (apt: wrk) on loopback against both, alternating
# bare → join → bare → join, and prints requests/s and p99 of each run plus
# the join/bare ratio. wrk and the server share the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh
secs=${1:-10}
conns=${2:-64}
command -v wrk >/dev/null || { echo "run.sh: wrk not found (apt-get install wrk)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/joinserver" ./bench/join/joinserver
"$tmp/joinserver" -tokens "$tmp/tokens.txt" >"$tmp/addrs" 2>"$tmp/server.log" &
pid=$!
for _ in $(seq 1 300); do [[ -s "$tmp/addrs" ]] && break; sleep 0.1; done
[[ -s "$tmp/addrs" ]] || { cat "$tmp/server.log" >&2; exit 1; }
read -r joinkv barekv <"$tmp/addrs"
join=${joinkv#join=}
bare=${barekv#bare=}
cat "$tmp/server.log" >&2
tok=$(head -1 "$tmp/tokens.txt")
# Sanity: the join page answers 200 with a LiveKit token in it.
page=$(curl -fsS "http://$join/j/$tok")
[[ "$page" == *'data-token="eyJ'* ]] || { echo "run.sh: join page has no LiveKit token" >&2; exit 1; }
echo "join page: ${#page} bytes"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); wrk -t2 -c$conns -d${secs}s"
run() { # name url [script]
	local out
	if [[ -n "${3:-}" ]]; then
		out=$(JOIN_TOKENS="$tmp/tokens.txt" wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$3" "$2")
	else
		out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$2")
	fi
	local rps p99 p50
	rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
	p50=$(awk '$1=="50%" {print $2}' <<<"$out")
	p99=$(awk '$1=="99%" {print $2}' <<<"$out")
	printf '%-5s %12s req/s  p50 %8s  p99 %8s\n' "$1" "$rps" "$p50" "$p99"
	echo "$1 $rps" >>"$tmp/results"
	bench_load "after $1"
}
# Warm-up (discarded): page cache, pools, heap size.
JOIN_TOKENS="$tmp/tokens.txt" wrk -t2 -c"$conns" -d3s -s bench/join/tokens.lua "http://$join/" >/dev/null
wrk -t2 -c"$conns" -d2s "http://$bare/j/$tok" >/dev/null
run bare "http://$bare/j/$tok"
run join "http://$join/" bench/join/tokens.lua
run bare "http://$bare/j/$tok"
run join "http://$join/" bench/join/tokens.lua
awk '{s[$1]+=$2; n[$1]++} END {b=s["bare"]/n["bare"]; j=s["join"]/n["join"]; printf "mean: bare %.0f req/s, join %.0f req/s, join/bare %.1f%%\n", b, j, 100*j/b}' "$tmp/results"
