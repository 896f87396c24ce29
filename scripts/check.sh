#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every test against the build in $1 (default build/san): CUnit
# programs, system test scenarios, a short fuzz run. Ends with one line
# "check: N passed, N failed, N skipped"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
B=${1:-build/san}
case $B in /*) ;; *) B=$PWD/$B ;; esac
export PGMNE_BIN=${PGMNE_BIN:-$B/bin}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0 fail=0 skip=0
failed=()
log=$(mktemp -d /tmp/pgmne-check.XXXXXX)

note() { printf '%-44s %s\n' "$1" "$2"; }

echo "== unit tests ($B)"
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if timeout 300 "$t" >"$log/$name.out" 2>&1; then rc=0; else rc=$?; fi
	# CUnit summary row: "tests  total ran passed failed inactive"
	read -r tp tf < <(awk '$1=="tests"{print $4, $5}' "$log/$name.out")
	tp=${tp:-0} tf=${tf:-0}
	if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then tf=1; fi
	pass=$((pass + tp)) fail=$((fail + tf))
	if [ "$tf" -ne 0 ]; then
		failed+=("$name"); note "$name" "FAIL ($tp passed, $tf failed)"
		sed -n '1,200p' "$log/$name.out" | grep -v -E '^\s*$' | tail -60
	else
		note "$name" "ok ($tp tests)"
	fi
done

# One forwarder for every scenario of the run (tests/system/lib.sh).
if mfwd=$(tests/system/mfwd_pick.sh); then
	export PGMNE_MFWD=${mfwd%% *}
fi
echo "== system tests (multicast forwarder: $mfwd)"
for t in tests/system/t_*.sh; do
	[ -x "$t" ] || continue
	name=$(basename "$t" .sh)
	start=$SECONDS
	if timeout -k 10 600 "$t" >"$log/$name.out" 2>&1; then rc=0; else rc=$?; fi
	took=$((SECONDS - start))
	case $rc in
	0) pass=$((pass + 1)); note "$name" "ok (${took}s)" ;;
	77) skip=$((skip + 1)); note "$name" "skipped: $(tail -1 "$log/$name.out")" ;;
	*) fail=$((fail + 1)); failed+=("$name"); note "$name" "FAIL rc=$rc (${took}s)"
	   tail -80 "$log/$name.out" ;;
	esac
done

if [ -x scripts/fuzz.sh ] && [ -n "$(ls fuzz/*.c 2>/dev/null)" ]; then
	echo "== fuzz (short run)"
	if scripts/fuzz.sh 20 >"$log/fuzz.out" 2>&1; then
		pass=$((pass + 1)); note fuzz "ok"
	else
		fail=$((fail + 1)); failed+=(fuzz); note fuzz FAIL; tail -40 "$log/fuzz.out"
	fi
fi

rm -rf "$log"
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "check: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
