#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where the engine's time goes: callgrind (perf has no hardware counters
# in this VM: `perf stat -e instructions true` says <not supported>) on a
# small bench_engine run, collecting inside ne_handle() only, so packet
# building and the parse-only baseline are left out.
#
# Prints instructions per ne_handle() call and the functions with the
# most instructions of their own (exclusive) and with callees (inclusive).
# Instruction counts, not time: cache misses (what the shuffled 1M-state
# run adds) do not show here. --cache counts them instead, deterministically:
# callgrind's cache simulation with a fixed geometry, so runs compare
# across machines, on the real case scaled down by 4 to take minutes, not
# most of an hour: 256k states and 256 sessions, shuffled, against a
# 32 KiB 8-way D1 and an 8 MiB 16-way LL (1M states against 32 MiB has the
# same table-to-cache ratio), 64-byte lines.
#
# usage: profile_engine.sh [--quick | --cache]   (BIN= where bench_engine is; OUT=dir;
#        NCF_IVL=ms, default the daemon's)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$HERE/../bin}
OUT=${OUT:-$(mktemp -d /tmp/pgmb-prof.XXXXXX)}
states=65536 sessions=64 cache=
# One configuration per run (the counts are per call): the daemon's
# default NCF interval, or NCF_IVL=0 for the engine without the limiter.
ncf_ivl=${NCF_IVL:-default}
case "${1:-}" in
--quick) states=16384 ;;
--cache) states=262144 sessions=256
	cache="--cache-sim=yes --D1=32768,8,64 --LL=8388608,16,64" ;;
esac
command -v valgrind >/dev/null || { echo "profile_engine: SKIP (valgrind not installed)"; exit 77; }
[ -x "$BIN/bench_engine" ] || { echo "profile_engine: SKIP ($BIN/bench_engine not built)"; exit 77; }
mkdir -p "$OUT"
# The repair-state prefetch is easy to lose to the compiler (docs/engine.md, Speed).
if command -v objdump >/dev/null && ! objdump -d "$BIN/bench_engine" | grep -q prefetch; then
	echo "profile_engine: warning: no prefetch instruction in $BIN/bench_engine"
fi
out="$OUT/callgrind.out"

echo "profile_engine: callgrind ${cache:+(cache simulation) }bench_engine --states $states" \
	"--sessions $sessions --rounds 1, collecting in ne_handle only"
# timeout: valgrind runs ~50x slower; the run takes ~10 s here (--cache: ~4 min).
# shellcheck disable=SC2086 # $cache is a list of options
timeout 2400 env -u BENCH_SUMMARY valgrind --tool=callgrind $cache --callgrind-out-file="$out" \
	--toggle-collect=ne_handle "$BIN/bench_engine" --states "$states" --sessions "$sessions" \
	--rounds 1 --ncf-ivl "$ncf_ivl" >"$OUT/bench.log" 2>"$OUT/vg.log" ||
	{ echo "profile_engine: valgrind failed"; tail -5 "$OUT/vg.log"; exit 99; }
calls=$((6 * states + sessions)) # six phases of `states` packets, plus the SPMs
# PROGRAM TOTALS: Ir [Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw]
read -r -a tot < <(callgrind_annotate "$out" 2>/dev/null |
	awk '/PROGRAM TOTALS/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9,]+$/) { gsub(",", "", $i); printf "%s ", $i } }')
echo "instructions per ne_handle call: $((tot[0] / calls)) (${tot[0]} over $calls calls)"
if [ -n "$cache" ]; then
	awk -v c="$calls" -v d1="$((tot[4] + tot[5]))" -v ll="$((tot[7] + tot[8]))" 'BEGIN {
		printf "D1 misses per call: %.2f, LL misses per call: %.2f (D1 32K, LL 8M)\n", d1 / c, ll / c }'
	echo "callgrind output: $out (callgrind_annotate $out)"
	exit 0
fi
echo "--- exclusive (own instructions), top 15"
callgrind_annotate "$out" 2>/dev/null | sed -n '/file:function/,$p' | sed -n '3,17p' |
	sed 's/ \[[^]]*\]$//; s#/work/main/##'
echo "--- inclusive (with callees), top 15"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | sed -n '/file:function/,$p' | sed -n '3,60p' |
	sed 's/ \[[^]]*\]$//; s#/work/main/##' | grep -v 'main\|???\|csu/' | awk '{ f = $NF; sub(/.*:/, "", f) } !seen[f]++' |
	head -n 15
echo "callgrind output: $out (callgrind_annotate $out)"
