#!/usr/bin/env bash
# Builds livekit-sip v1.8.0 from the Go module proxy, caches it, and prints
# the path of the cached binary on stdout. Idempotent.
#
# livekit-sip uses cgo with libopus, libopusfile and libsoxr; on Debian:
#   apt-get install libopus-dev libopusfile-dev libsoxr-dev pkg-config
# sipp (apt: sip-tester) is what the SIP call test dials with.
#
#   KARYAKRAM_CACHE   cache root (default: $HOME/.cache/karyakram)
set -euo pipefail

version=v1.8.0
cache="${KARYAKRAM_CACHE:-$HOME/.cache/karyakram}"
bin="$cache/bin/livekit-sip-$version"

if [[ -x "$bin" ]]; then
	echo "$bin"
	exit 0
fi

for lib in opus opusfile soxr; do
	if ! pkg-config --exists "$lib"; then
		echo "livekit-sip needs lib$lib development files (apt-get install libopus-dev libopusfile-dev libsoxr-dev)" >&2
		exit 1
	fi
done

mkdir -p "$cache/bin"
tmp="$(mktemp -d "$cache/bin/.build-sip-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

echo "building livekit-sip $version (takes a few minutes cold)..." >&2
# `go install module@version` asks the proxy for the module's version list
# (deprecation check), which some proxies refuse; download the exact version
# and build it from the module cache instead.
dir="$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "github.com/livekit/sip@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [[ -z "$dir" || ! -d "$dir" ]]; then
	echo "could not download github.com/livekit/sip@$version" >&2
	exit 1
fi
(cd "$dir" && CGO_ENABLED=1 go build -trimpath -o "$tmp/livekit-sip" ./cmd/livekit-sip) >&2
mv -f "$tmp/livekit-sip" "$bin"
echo "$bin"
