#!/usr/bin/env bash
# Builds livekit-server v1.13.5 from the Go module proxy, caches it, and
# prints the path of the cached binary on stdout. Idempotent: when the binary
# is already cached it only prints the path.
#
#   KARYAKRAM_CACHE   cache root (default: $HOME/.cache/karyakram)
#
# Tests find the binary through $KARYAKRAM_LIVEKIT_SERVER or at the path this
# script prints.
set -euo pipefail

version=v1.13.5
cache="${KARYAKRAM_CACHE:-$HOME/.cache/karyakram}"
bin="$cache/bin/livekit-server-$version"

if [[ -x "$bin" ]]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$cache/bin"
tmp="$(mktemp -d "$cache/bin/.build-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

echo "building livekit-server $version (takes a few minutes cold)..." >&2
# Build outside any module so the project's go.mod does not interfere.
(cd "$tmp" && GOFLAGS=-mod=mod GOBIN="$tmp" go install "github.com/livekit/livekit-server/cmd/server@$version") >&2
mv -f "$tmp/server" "$bin"
echo "$bin"
