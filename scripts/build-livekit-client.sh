#!/usr/bin/env bash
# Builds templates/static/join.js: the join page script
# (templates/static/_src/join.js) with livekit-client from npm, bundled and
# minified by esbuild into one file. The output is committed and embedded
# with go:embed (package templates/static), so neither the server nor CI
# needs npm; run this after changing join.js or the pinned versions in
# templates/static/_src/package.json.
set -euo pipefail
cd "$(dirname "$0")/../templates/static/_src"
if [[ -f package-lock.json ]]; then
	npm ci --no-audit --no-fund --loglevel=error
else
	npm install --no-audit --no-fund --loglevel=error
fi
npx esbuild join.js --bundle --minify --format=iife --target=es2019,chrome80,safari13 \
	--legal-comments=eof --outfile=../join.js
ls -l ../join.js >&2
