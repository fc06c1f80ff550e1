#!/usr/bin/env bash
# Builds the browser scripts into templates/static/dist: the join page
# script (templates/static/_src/join.js) and the speakers' stage console
# script (_src/stage.js) as ES modules that share ONE livekit-client chunk
# (esbuild code splitting), minified, every file named by its content hash
# (so it can be cached for a year), each with a gzip (-9) and a brotli
# (quality 11) copy made once here instead of on every request, and
# manifest.json naming each entry's file and the chunks it imports (the
# pages preload them). The output is committed and embedded with go:embed
# (package templates/static), so neither the server nor CI needs npm; run
# this after changing _src/*.js or the pinned versions in
# templates/static/_src/package.json.
set -euo pipefail
cd "$(dirname "$0")/../templates/static/_src"
if [[ -f package-lock.json ]]; then
	npm ci --no-audit --no-fund --loglevel=error
else
	npm install --no-audit --no-fund --loglevel=error
fi
rm -rf ../dist
npx esbuild join.js stage.js --bundle --splitting --format=esm --minify \
	--target=es2019,chrome80,safari13 --legal-comments=eof \
	--outdir=../dist --entry-names='[name]-[hash]' --chunk-names='chunk-[hash]' \
	--metafile=../dist/meta.json --log-level=warning
node --input-type=module - <<'JS'
import { readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
const dist = '../dist';
const meta = JSON.parse(readFileSync(`${dist}/meta.json`, 'utf8'));
rmSync(`${dist}/meta.json`);
const base = (p) => p.split('/').pop();
const manifest = {};
for (const [out, info] of Object.entries(meta.outputs)) {
  if (!info.entryPoint) continue;
  const name = base(info.entryPoint).replace(/\.js$/, '');
  manifest[name] = { file: base(out), imports: info.imports.filter((i) => i.kind === 'import-statement').map((i) => base(i.path)) };
}
writeFileSync(`${dist}/manifest.json`, JSON.stringify(manifest, null, 1) + '\n');
for (const f of readdirSync(dist).filter((f) => f.endsWith('.js'))) {
  const body = readFileSync(`${dist}/${f}`);
  writeFileSync(`${dist}/${f}.gz`, gzipSync(body, { level: 9 }));
  writeFileSync(`${dist}/${f}.br`, brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  }));
}
JS
ls -l ../dist >&2
