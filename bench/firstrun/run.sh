#!/usr/bin/env bash
# A new user's first command (issue 13; README, docs/benchmarks-firsthour.md):
# the seconds from `go run ./cmd/karyakram demo` in a fresh clone of this
# repository to the URL it prints. The module cache is this machine's
# (warm: nothing is downloaded); the build cache is what each step says.
# Every run seeds a new demo database, so all include the seeding. Steps,
# in order (STEPS, default "cold warm clone breakdown"):
#   cold      a fresh clone, an empty build cache (GOCACHE=new directory):
#             everything, the standard library included, is compiled, as
#             on a fresh machine with the modules already downloaded;
#   warm      the same clone and cache again (nothing to compile);
#   clone     another fresh clone with that cache: the dependencies come
#             from the cache, the project's own packages are compiled
#             again (their directory is part of the cache key) and linked;
#   breakdown a fresh clone and an empty cache again, `go build
#             -debug-actiongraph`: the compiler's and linker's CPU time
#             summed per module, to say what dominates a cold build.
# "warm" and "clone" use the cache and clone of the step before them.
#
#   bench/firstrun/run.sh [REV]      (default HEAD)
#
# PORT (default 18765) is where the demos listen; each is stopped once its
# URL is printed. KEEP_DIR=DIR keeps each step's output and action graph.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/machine.sh
repo=$(pwd)
rev=$(git rev-parse "${1:-HEAD}")
port=${PORT:-18765}
steps=${STEPS:-cold warm clone breakdown}
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

n=0
fresh() { # fresh: a new clone in $dir and an empty cache in $cache
	n=$((n + 1))
	dir="$work/clone$n"
	git clone -q "$repo" "$dir"
	git -C "$dir" checkout -q "$rev"
	cache="$work/cache$n"
	mkdir -p "$cache"
}

# to_url LABEL: run the demo in $dir with $cache, print the seconds until
# its URL, and how long the program itself took (its first log line to
# the URL: opening the database, migrating, seeding).
to_url() {
	local label=$1
	rm -f "$dir/karyakram-demo.db"*
	bench_load "before $label"
	local start end
	start=$(date +%s.%N)
	(cd "$dir" && exec setsid env GOCACHE="$cache" KARYAKRAM_ADDR="127.0.0.1:$port" \
		go run ./cmd/karyakram demo >"$work/$label.out" 2>"$work/$label.err") &
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
	local first
	first=$(date -d "$(sed -n '1s/^time=\([^ ]*\).*/\1/p' "$work/$label.err")" +%s.%N)
	printf '%s: %.1f s to the URL; the program ran %.1f s of it (first log line to the URL: open, migrate, seed), go run the rest\n' \
		"$label" "$(echo "$end - $start" | bc)" "$(echo "$end - $first" | bc)"
	[[ -z "${KEEP_DIR:-}" ]] || cp "$work/$label.out" "$work/$label.err" "$KEEP_DIR/"
}

breakdown() {
	bench_load "before breakdown"
	local start end
	start=$(date +%s.%N)
	(cd "$dir" && GOCACHE="$cache" go build -debug-actiongraph="$work/graph.json" -o "$work/karyakram" ./cmd/karyakram)
	end=$(date +%s.%N)
	bench_load "after breakdown"
	printf 'cold go build: %.1f s\n' "$(echo "$end - $start" | bc)"
	(cd "$dir" && go list -deps -f '{{.ImportPath}}{{"\t"}}{{with .Module}}{{.Path}}{{else}}std{{end}}' ./cmd/karyakram) >"$work/modules.tsv"
	[[ -z "${KEEP_DIR:-}" ]] || cp "$work/graph.json" "$work/modules.tsv" "$KEEP_DIR/"
	# The compiler's and linker's CPU time (user + system) summed over
	# packages, by module; on 2 cores the wall time is about half of it.
	python3 - "$work/graph.json" "$work/modules.tsv" <<'PY'
import json, sys, collections
acts = json.load(open(sys.argv[1]))
mod = dict(line.rstrip("\n").split("\t") for line in open(sys.argv[2]))
cpu, cmds = collections.Counter(), collections.Counter()
for a in acts:
    if not a.get("Cmd"):
        continue
    key = "(link)" if a["Mode"] == "link" else mod.get(a.get("Package", ""), "(other)")
    cpu[key] += (a.get("CmdUser") or 0) + (a.get("CmdSys") or 0)
    cmds[key] += len(a["Cmd"])
total = sum(cpu.values())
print("cold build, CPU by module (compile, asm, cgo, link; user + system): %.0f s of CPU, %d commands" % (total / 1e9, sum(cmds.values())))
for k, c in cpu.most_common(15):
    print("  %-48s %7.1f s  %5.1f %%  %4d commands" % (k, c / 1e9, 100 * c / total, cmds[k]))
rest = total - sum(c for _, c in cpu.most_common(15))
print("  %-48s %7.1f s  %5.1f %%" % ("(%d other modules)" % max(0, len(cpu) - 15), rest / 1e9, 100 * rest / total))
PY
}

for step in $steps; do
	case $step in
	cold) fresh; to_url cold ;;
	warm) to_url warm ;;
	clone) c=$cache; fresh; rm -rf "$cache"; cache=$c; to_url clone ;;
	breakdown) fresh; breakdown ;;
	*) echo "unknown step $step" >&2; exit 2 ;;
	esac
done
