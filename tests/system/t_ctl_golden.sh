#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden-file tests of pgmnectl's output. For each tests/golden/NAME.in a
# fresh ctl_fixture (engine state made from crafted packets, frozen
# clock) serves a control socket; every line of NAME.in is run as
# pgmnectl's arguments and the transcript (stdout and stderr, with the
# exit status when it is not 0) must equal NAME.ok (diff -u).
# A line "#fixture ARGS" passes ARGS to ctl_fixture; other # lines are
# comments. UPDATE=1 rewrites the .ok files instead of comparing.
# JSON output (-j) must also parse.
set -u
cd "$(dirname "$0")/../.."
BIN=${PGMNE_BIN:-build/san/bin}
for p in pgmnectl ctl_fixture; do
	[ -x "$BIN/$p" ] || { echo "$BIN/$p not built"; exit 77; }
done
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }

T=$(mktemp -d /tmp/t_ctl_golden.XXXXXX)
FX_PID=
stop_fixture() {
	if [ -n "$FX_PID" ]; then
		kill -TERM "$FX_PID" 2>/dev/null
		wait "$FX_PID" 2>/dev/null
		FX_PID=
	fi
}
cleanup() { stop_fixture; rm -rf "$T"; }
trap cleanup EXIT

# Start ctl_fixture and wait (bounded) for its "ready" line.
start_fixture() {
	rm -f "$T/ready"
	mkfifo "$T/ready"
	# shellcheck disable=SC2086
	"$BIN/ctl_fixture" $1 "$T/ctl.sock" >"$T/ready" 2>>"$T/fixture.log" &
	FX_PID=$!
	local line=
	read -r -t 30 line <"$T/ready" || true
	[ "$line" = ready ] || { echo "ctl_fixture did not start"; cat "$T/fixture.log"; exit 99; }
}

# Run the commands of one .in file; transcript on stdout.
run_in() {
	local line args rc out
	while IFS= read -r line; do
		case $line in ''|'#'*) continue ;; esac
		read -ra args <<<"$line"
		echo "\$ pgmnectl $line"
		out=$("$BIN/pgmnectl" -s "$T/ctl.sock" "${args[@]}" 2>&1)
		rc=$?
		[ -n "$out" ] && printf '%s\n' "$out"
		[ "$rc" -ne 0 ] && echo "[exit $rc]"
		if [ "$rc" -eq 0 ] && [ "${args[0]}" = -j ] &&
		   ! printf '%s\n' "$out" | python3 -m json.tool >/dev/null 2>&1; then
			echo "[invalid JSON]"
		fi
	done <"$1"
}

fail=0 n=0
for in in tests/golden/*.in; do
	name=${in%.in}
	fx_args=$(sed -n 's/^#fixture //p' "$in")
	start_fixture "$fx_args"
	run_in "$in" >"$T/out"
	stop_fixture
	n=$((n + 1))
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$T/out" "$name.ok"
		echo "updated $name.ok"
	elif ! diff -u "$name.ok" "$T/out"; then
		echo "FAIL: $in"
		fail=1
	else
		echo "ok: $in"
	fi
done
[ "$n" -gt 0 ] || { echo "no golden files"; exit 99; }
# ASan/UBSan reports of the fixture end up in its log.
if grep -q -E 'ERROR: AddressSanitizer|runtime error' "$T/fixture.log"; then
	cat "$T/fixture.log"
	fail=1
fi
exit $fail
