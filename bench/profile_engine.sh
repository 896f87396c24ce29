#!/bin/bash
# Where the engine's time goes: callgrind (perf has no hardware counters
# in this VM: `perf stat -e instructions true` says <not supported>) on a
# small bench_engine run, collecting inside ne_handle() only, so packet
# building and the parse-only baseline are left out.
#
# Prints instructions per ne_handle() call and the functions with the
# most instructions of their own (exclusive) and with callees (inclusive).
# Instruction counts, not time: cache misses (what the shuffled 1M-state
# run adds) do not show here; --cache-sim (slow) would count them.
#
# usage: profile_engine.sh [--quick]   (BIN= where bench_engine is; OUT=dir)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$HERE/../bin}
OUT=${OUT:-$(mktemp -d /tmp/pgmb-prof.XXXXXX)}
states=65536
[ "${1:-}" = --quick ] && states=16384
command -v valgrind >/dev/null || { echo "profile_engine: SKIP (valgrind not installed)"; exit 77; }
[ -x "$BIN/bench_engine" ] || { echo "profile_engine: SKIP ($BIN/bench_engine not built)"; exit 77; }
mkdir -p "$OUT"
out="$OUT/callgrind.out"

echo "profile_engine: callgrind, bench_engine --states $states --sessions 64 --rounds 1," \
	"collecting in ne_handle only"
# timeout: valgrind runs ~50x slower; the run takes ~10 s here.
timeout 300 env -u BENCH_SUMMARY valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=ne_handle \
	"$BIN/bench_engine" --states "$states" --sessions 64 --rounds 1 >"$OUT/bench.log" 2>"$OUT/vg.log" ||
	{ echo "profile_engine: valgrind failed"; tail -5 "$OUT/vg.log"; exit 99; }
total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
calls=$((6 * states + 64)) # six phases of `states` packets, plus the SPMs
echo "instructions per ne_handle call: $((total / calls)) ($total over $calls calls)"
echo "--- exclusive (own instructions), top 15"
callgrind_annotate "$out" 2>/dev/null | sed -n '/file:function/,$p' | sed -n '3,17p' |
	sed 's/ \[[^]]*\]$//; s#/work/main/##'
echo "--- inclusive (with callees), top 15"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | sed -n '/file:function/,$p' | sed -n '3,60p' |
	sed 's/ \[[^]]*\]$//; s#/work/main/##' | grep -v 'main\|???\|csu/' | awk '{ f = $NF; sub(/.*:/, "", f) } !seen[f]++' |
	head -n 15
echo "callgrind output: $out (callgrind_annotate $out)"
