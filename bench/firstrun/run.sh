#!/usr/bin/env bash
# A new user's first command (issue 13; README, docs/benchmarks.md): from a
# fresh clone of this repository to the URL `go run ./cmd/karyakram demo`
# prints, twice, each in a clone of its own (the demo seeds its database on
# a first run, so both include the seeding):
#   cold  - the module cache as this machine has it (warm: no downloads),
#           an empty build cache (GOCACHE=new directory): everything,
#           standard library included, is compiled, as on a fresh machine
#           with the modules already downloaded;
#   warm  - the same build cache again (nothing to compile).
# The cold build runs with -debug-actiongraph; the script sums the
# compiler's CPU time per module from it, to say what dominates.
#
#   bench/firstrun/run.sh [REV]      (default HEAD)
#
# PORT (default 18765) is where the demos listen; each is stopped once its
# URL is printed. KEEP_DIR=DIR keeps each run's action graph and output.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh
repo=$(pwd)
rev=$(git rev-parse "${1:-HEAD}")
port=${PORT:-18765}
work=$(mktemp -d)
pid=
cleanup() {
	[[ -n "$pid" ]] && kill -- "-$pid" 2>/dev/null || true
	chmod -R u+w "$work" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
bench_machine
echo "revision $rev; module cache $(go env GOMODCACHE) (warm, $(du -sh "$(go env GOMODCACHE)" 2>/dev/null | cut -f1))"

# to_url LABEL GOCACHE [go run flags]: clone, run the demo, print the
# seconds until its URL; the build's own span comes from the action graph.
to_url() {
	local label=$1 cache=$2
	shift 2
	local dir="$work/$label"
	git clone -q "$repo" "$dir"
	git -C "$dir" checkout -q "$rev"
	bench_load "before $label"
	local start end
	start=$(date +%s.%N)
	(cd "$dir" && exec setsid env GOCACHE="$cache" KARYAKRAM_ADDR="127.0.0.1:$port" \
		go run -debug-actiongraph="$work/$label.json" "$@" ./cmd/karyakram demo >"$work/$label.out" 2>"$work/$label.err") &
	pid=$!
	until grep -q "karyakram is running at" "$work/$label.out" 2>/dev/null; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$label: the demo exited before printing its URL:" >&2
			tail -20 "$work/$label.err" >&2
			exit 1
		fi
		sleep 0.1
	done
	end=$(date +%s.%N)
	bench_load "after $label"
	kill -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
	printf '%s: %.1f s to the URL\n' "$label" "$(echo "$end - $start" | bc)"
	python3 - "$work/$label.json" <<'PY'
import json, re, sys, datetime
def t(s):  # RFC 3339, fraction optional
    m = re.match(r"(.*?)(\.\d+)?(Z|[+-]\d\d:\d\d)$", s)
    base = datetime.datetime.fromisoformat(m.group(1) + m.group(3).replace("Z", "+00:00"))
    return base.timestamp() + float(m.group(2) or 0)
a = [x for x in json.load(open(sys.argv[1])) if x.get("TimeStart") and x.get("TimeDone")]
print("  of which the build: %.1f s; the rest is the binary starting, migrating and seeding the demo" %
      (max(t(x["TimeDone"]) for x in a) - min(t(x["TimeStart"]) for x in a)))
PY
	if [[ -n "${KEEP_DIR:-}" ]]; then
		cp "$work/$label.json" "$work/$label.out" "$work/$label.err" "$KEEP_DIR/"
	fi
}

cache="$work/gocache"
mkdir -p "$cache"
to_url cold "$cache"
# What the cold build compiled, by module: the compiler's and linker's CPU
# time (user + system), summed over packages; wall time overlaps on 2 cores.
(cd "$work/cold" && go list -deps -f '{{.ImportPath}}{{"\t"}}{{with .Module}}{{.Path}}{{else}}std{{end}}' ./cmd/karyakram) >"$work/modules.tsv"
python3 - "$work/cold.json" "$work/modules.tsv" <<'PY'
import json, sys, collections
acts = json.load(open(sys.argv[1]))
mod = dict(line.rstrip("\n").split("\t") for line in open(sys.argv[2]))
cpu, pkgs = collections.Counter(), collections.Counter()
total = 0
for a in acts:
    if not a.get("Cmd"):
        continue
    c = (a.get("CmdUser") or 0) + (a.get("CmdSys") or 0)
    total += c
    if a["Mode"] == "link":
        key = "(link)"
    else:
        key = mod.get(a.get("Package", ""), "(other: " + a["Mode"] + ")")
    cpu[key] += c
    pkgs[key] += 1
print("cold build, CPU by module (compile + asm + cgo + link, user+sys): total %.0f s of CPU over %d commands" % (total / 1e9, sum(pkgs.values())))
for k, c in cpu.most_common(15):
    print("  %-48s %7.1f s  %5.1f %%  %4d commands" % (k, c / 1e9, 100 * c / total, pkgs[k]))
PY
to_url warm "$cache"
