#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks drive, as listed in
# scripts/apt-packages-*.txt (one package a line, # comments). Idempotent:
# installs only what dpkg does not already have. Needs root (or sudo).
#
# Tests whose program is missing skip with a line naming this script.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=()
for f in scripts/apt-packages-*.txt; do
	while read -r p _; do
		[[ -z "$p" || "$p" == \#* ]] && continue
		pkgs+=("$p")
	done <"$f"
done
missing=()
for p in "${pkgs[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	echo "apt-packages: all ${#pkgs[@]} packages present" >&2
	exit 0
fi
sudo=()
if ((EUID != 0)); then
	sudo=(sudo)
fi
echo "apt-packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
