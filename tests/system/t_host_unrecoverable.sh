#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Unrecoverable loss is reported, never skipped silently (RFC 3208 §6.3
# cancellation): every RDATA towards the receiver is dropped, so the
# first three ODATA it misses can never be repaired. pgmrecv must give up after its
# NAK retries, say which SQNs it lost, and exit non-zero; its statistics
# must count the losses.
. "$(dirname "$0")/lib.sh"
require_mfwd
require_bin pgmsend pgmrecv

host_add src; router_add r1; host_add rx
link_add src r1 10.0.1
link_add r1 rx 10.0.2
route_default src r1; route_default rx r1
mroute_add -s "$(addr src r1)" r1 src "$GROUP" rx
mfwd_start r1
drop_first r1 rx odata 3
loss_add r1 rx 1 rdata

head -c 100000 /dev/urandom >"$T/in.bin"
bg_start rx recv "$(bin pgmrecv)" -n "$(addr rx r1);$GROUP" -p "$PORT" -o "$T/out.bin" \
	-t 60 --stats
bg_wait_log recv listening 10 || fail "pgmrecv did not start"
bg_start src send "$(bin pgmsend)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 20000 \
	--linger 30 --stats "$T/in.bin"

rc=0
bg_wait recv 60 || rc=$?
[ "$rc" -ne 124 ] || fail "pgmrecv still running after 60 s"
[ "$(drops r1)" -gt 0 ] || fail "nothing was dropped: the loss rules did not work"
[ "$rc" -ne 0 ] || fail "pgmrecv exited 0 although RDATA could never arrive"
grep -q 'unrecoverable loss of SQN' "$T/recv.log" || fail "no unrecoverable-loss message"
losses=$(awk '$1 == "losses:" { print $2 }' "$T/recv.log")
[ "${losses:-0}" -gt 0 ] || fail "statistics count no losses"
grep -q 'lost unrecoverably' "$T/recv.log" || fail "no final loss verdict"
bg_stop send >/dev/null || true
pass "pgmrecv reported $losses unrecoverable losses and exited $rc"
