#!/usr/bin/env bash
# Builds templates/static/join.js and stage.js: the join page script
# (templates/static/_src/join.js) and the speakers' stage console script
# (_src/stage.js), each with livekit-client from npm, bundled and minified
# by esbuild into one file. The output is committed and embedded
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
for entry in join stage; do
	npx esbuild "$entry.js" --bundle --minify --format=iife --target=es2019,chrome80,safari13 \
		--legal-comments=eof --outfile="../$entry.js"
done
ls -l ../join.js ../stage.js >&2
