#!/usr/bin/env bash
# Shared by every bench/*/run.sh (issue 18): a figure is only as good as the
# machine it was measured on, so each script prints, beside each figure,
# the load average and every process that used more than 20 % of a core
# while the figure was taken.
#
#   source "$(dirname "$0")/../machine.sh"
#   bench_machine            # once: cores, CPU model, Go version
#   bench_load "after join"  # load average + other busy processes (samples 1 s)
#
# Run directly (bench/machine.sh) it prints both lines.

# bench_machine prints the machine's cores and CPU model, once per run.
bench_machine() {
	echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(go version 2>/dev/null | cut -d' ' -f3)"
}

# bench_load [LABEL] prints the 1/5/15-minute load average and the
# processes above BENCH_BUSY_PCT (default 20) % of one core over a 1-second
# top sample, with their command names, e.g.
#   load [after join]: 3.12 2.80 2.11; busy: postgres(812) 43%, tourbench(19317) 38%
bench_load() {
	local label=${1:-} busy
	busy=$(top -b -n 2 -d 1 -w 512 2>/dev/null | awk -v min="${BENCH_BUSY_PCT:-20}" '
		/^top -/ { frame++ ; next }
		frame == 2 && $1 == "PID" { for (i = 1; i <= NF; i++) { if ($i == "%CPU") c = i; if ($i == "COMMAND") n = i }; table = 1; next }
		frame == 2 && table && $c + 0 > min { out = out sep $n "(" $1 ") " int($c + 0.5) "%"; sep = ", " }
		END { print (out == "" ? "none" : out) }')
	echo "load${label:+ [$label]}: $(cut -d' ' -f1-3 /proc/loadavg); busy (>${BENCH_BUSY_PCT:-20}% of a core): $busy"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	bench_machine
	bench_load "${1:-now}"
fi
