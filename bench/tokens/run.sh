#!/usr/bin/env bash
# Token minting per core, same run: npm livekit-server-sdk (node, one core)
# vs karyakram's conferencing.Minter and the Go SDK's auth.AccessToken.ToJWT
# (go test -bench with GOMAXPROCS=1). Figures go to docs/benchmarks-livekit.md.
#
#   bench/tokens/run.sh [seconds]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
secs="${1:-5}"
source "$root/bench/machine.sh"
bench_machine

if [[ ! -d "$here/node_modules/livekit-server-sdk" ]]; then
	(cd "$here" && npm install --no-audit --no-fund >&2)
fi
echo "== node $(node --version), livekit-server-sdk $(node -p "require('$here/node_modules/livekit-server-sdk/package.json').version")"
(cd "$here" && node mint.mjs "$secs")
bench_load "after node"
echo "== go $(go version | cut -d' ' -f3), GOMAXPROCS=1"
(cd "$root" && go test ./conferencing/ -run '^$' -bench 'Mint|ToJWT' -benchtime "${secs}s" -cpu 1 -benchmem)
bench_load "after go"
