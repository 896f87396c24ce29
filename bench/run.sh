#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every benchmark, collect their result rows, print a summary table.
#
# usage: bench/run.sh [--quick]      (BIN=dir of the built programs)
#
# Each benchmark prints its configuration, the machine and its rows, and
# is skipped with a message when a program it needs is not built. Logs and
# the summary go to bench/results/<time>/ (git-ignored); bench/results/
# latest points at the newest run. Whole run: ~40 min, --quick: ~2 min
# (on a busy 2-core machine; less when it is idle).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$HERE/../bin}
BIN=$(cd "$BIN" 2>/dev/null && pwd) || { echo "run.sh: no $BIN (build first)" >&2; exit 1; }
export BIN

quick=""
case ${1:-} in
--quick) quick=--quick ;;
"") ;;
*) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

stamp=$(date -u +%Y%m%d-%H%M%S)
out="$HERE/results/$stamp${quick:+-quick}"
mkdir -p "$out" || exit 1
export BENCH_SUMMARY="$out/summary.tsv"
: >"$BENCH_SUMMARY"
ln -sfn "$(basename "$out")" "$HERE/results/latest"

echo "bench: $(date -u '+%F %T') UTC, mode=${quick:-full}, BIN=$BIN, results in $out"
echo "git: $(git -C "$HERE/.." describe --always --dirty 2>/dev/null || echo unknown)"
echo "multicast forwarder: $("$HERE/../tests/system/mfwd_pick.sh")"

# bench NAME LIMIT CMD...: run one benchmark under a time limit, log it,
# note a skip or a failure in the summary.
bench() {
	local name=$1 limit=$2 rc
	shift 2
	echo "=== $name: $*"
	timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$out/$name.log"
	rc=${PIPESTATUS[0]}
	case $rc in
	0) ;;
	77) printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$(grep -m1 -i 'skip' "$out/$name.log" |
		cut -c1-60)" "-" "-" "SKIP" >>"$BENCH_SUMMARY" ;;
	124|137) printf '%s\t%s\t%s\t%s\t%s\n' "$name" "timed out after $limit s" "-" "-" \
		"FAIL" >>"$BENCH_SUMMARY" ;;
	*) printf '%s\t%s\t%s\t%s\t%s\n' "$name" "exit status $rc" "-" "-" "FAIL" \
		>>"$BENCH_SUMMARY" ;;
	esac
}

if [ -x "$BIN/bench_engine" ]; then
	bench engine 300 "$BIN/bench_engine" $quick
	# Same run with the packets in (TSI, SQN) order: the gap to the
	# shuffled run is what cache misses on the state table cost.
	[ -z "$quick" ] && bench engine_sorted 300 "$BIN/bench_engine" --sorted --rounds 1
	# And a table that fits in cache: 64 sessions x 1024 SQNs.
	[ -z "$quick" ] && bench engine_64k 300 "$BIN/bench_engine" --states 65536 --sessions 64
	# As pgmned drives it: each receive batch (up to 32) prefetched first
	# (ne_prefetch), then handled.
	[ -z "$quick" ] && bench engine_batch 300 "$BIN/bench_engine" --batch 32
	bench profile 300 env OUT="$out/profile" "$HERE/profile_engine.sh" $quick
else
	echo "=== engine: SKIP ($BIN/bench_engine not built: the engine library is missing)"
	printf 'engine\tSKIP: bench_engine not built\t-\t-\tSKIP\n' >>"$BENCH_SUMMARY"
fi
# Full mode also splits pgmned's ODATA cost (rules vs daemon): 24 short
# rounds of each of B F R, each next to an A round, with perf's netfilter
# share of every round (~7 min).
if [ -n "$quick" ]; then
	bench odata_fwd 300 "$HERE/odata_fwd.sh" --quick
else
	bench odata_fwd 900 "$HERE/odata_fwd.sh" --explain --perf --rounds 24
fi
# 12 rounds (4 per mode): with 6, one pair of rounds moves a ratio by a
# tenth here (the implosion's limit-off ratio read 0.64 in a 6-round run
# and 0.78 in a 12-round one the same hour). ~9 min for the three scenarios.
if [ -n "$quick" ]; then
	bench nak_flood 700 "$HERE/nak_flood.sh" --quick
else
	bench nak_flood 1200 "$HERE/nak_flood.sh" --rounds 12
fi

# NAK implosion through routers with OpenPGM peers: no NE, pgmned
# without and with its repair cache (scripts/implosion.sh; ~6 min full,
# ~30 s quick).
if [ -n "$quick" ]; then
	bench implosion 600 env PGMNE_BIN="$BIN" "$HERE/../scripts/implosion.sh" 8
else
	bench implosion 1800 env PGMNE_BIN="$BIN" IMPLOSION_SIZE=1048576 \
		"$HERE/../scripts/implosion.sh" 8 32 100
fi

{
	echo "summary ($stamp, ${quick:-full}; machine: nproc=$(nproc)" \
		"cpu=\"$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)\"" \
		"kernel=$(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg);" \
		"multicast forwarder $("$HERE/../tests/system/mfwd_pick.sh"))"
	{
		printf 'bench\tmetric\tvalue\ttarget\tverdict\n'
		cat "$BENCH_SUMMARY"
	} | column -t -s "$(printf '\t')"
} | tee "$out/summary.txt"
