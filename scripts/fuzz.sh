#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/fuzz.sh SECONDS — time-bounded libFuzzer run of every fuzz/*.c
# harness. Builds each with clang -fsanitize=fuzzer,address,undefined into
# its own directory ($FUZZ_DIR, default a fresh /tmp/pgmne-fuzz.XXXXXX
# removed after a clean run, so concurrent runs never collide), replays the
# regression inputs in fuzz/regress/ (inputs that once crashed or found
# something), then fuzzes for SECONDS in total, starting from fuzz/seed/.
# Exits non-zero on any build failure or crash; the crashing input is left
# in $FUZZ_DIR/artifacts/ — fix the bug and keep the input in fuzz/regress/.
set -u
cd "$(dirname "$0")/.." || exit 1

secs=${1:-60}
case $secs in '' | *[!0-9]*) echo "usage: $0 SECONDS" >&2; exit 2 ;; esac
CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "fuzz: $CLANG not found (apt-get install clang)" >&2
	exit 1
fi
harnesses=(fuzz/*.c)
[ -e "${harnesses[0]}" ] || { echo "fuzz: no harness in fuzz/"; exit 0; }
per=$((secs / ${#harnesses[@]}))
[ "$per" -ge 1 ] || per=1
if [ -n "${FUZZ_DIR:-}" ]; then
	D=$FUZZ_DIR
	mkdir -p "$D" || exit 1
	own_dir=0
else
	D=$(mktemp -d /tmp/pgmne-fuzz.XXXXXX) || exit 1
	own_dir=1
fi

mkdir -p "$D/artifacts"
work=$(mktemp -d "$D/corpus.XXXXXX") || exit 1
ok=0
# Keep the directory (binaries, logs, crash inputs) only when something failed.
cleanup() {
	rm -rf "$work"
	if [ "$own_dir" -eq 1 ]; then
		if [ "$ok" -eq 1 ]; then rm -rf "$D"; else echo "fuzz: kept $D"; fi
	fi
}
trap cleanup EXIT

# The codec and what it needs; not the control protocol or logging.
common_src=(common/wire_*.c common/cksum.c common/tsi.c)
sanitizers=fuzzer,address,undefined
cflags=(-std=c11 -D_GNU_SOURCE -I. -g -O1 -fno-omit-frame-pointer
	"-fsanitize=$sanitizers" -fno-sanitize-recover=all)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

regress=()
for f in fuzz/regress/*; do [ -f "$f" ] && regress+=("$f"); done

for h in "${harnesses[@]}"; do
	name=$(basename "$h" .c)
	bin=$D/$name
	echo "== $name: build"
	"$CLANG" "${cflags[@]}" -o "$bin" "$h" "${common_src[@]}" || exit 1
	if [ ${#regress[@]} -gt 0 ]; then
		echo "== $name: replay ${#regress[@]} regression inputs"
		timeout -k 5 300 "$bin" -runs=1 "${regress[@]}" >"$D/$name.replay.log" 2>&1 ||
			{ tail -40 "$D/$name.replay.log"; echo "fuzz: $name fails a regression input"; exit 1; }
	fi
	echo "== $name: fuzz ${per}s"
	mkdir -p "$work/$name"
	# Time-bounded by -max_total_time; timeout(1) is the backstop.
	if ! timeout -k 10 $((per + 120)) "$bin" -max_total_time="$per" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$D/artifacts/$name-" \
		"$work/$name" fuzz/seed fuzz/regress >"$D/$name.log" 2>&1; then
		tail -60 "$D/$name.log"
		echo "fuzz: $name crashed; input in $D/artifacts/ (keep it in fuzz/regress/)"
		exit 1
	fi
	grep -E '^stat::number_of_executed_runs|^#[0-9]+.*DONE' "$D/$name.log" | tail -2
done
ok=1
echo "fuzz: ok (${#harnesses[@]} harness(es), ${secs}s)"
