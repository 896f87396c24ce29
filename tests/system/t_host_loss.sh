#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pgmsend -> multicast router -> two pgmrecv, with ODATA dropped at random
# on both the source link and the receiver links (iptables -m statistic).
# Every receiver must NAK its way to a byte-identical copy (RFC 3208 §6.3),
# and the sender's statistics must show the repairs (§5.3).
. "$(dirname "$0")/lib.sh"
require_mfwd
require_bin pgmsend pgmrecv

host_add src; router_add r1; host_add rx1; host_add rx2
link_add src r1 10.0.1
link_add r1 rx1 10.0.2
link_add r1 rx2 10.0.3
route_default src r1; route_default rx1 r1; route_default rx2 r1
mroute_add -s "$(addr src r1)" r1 src "$GROUP" rx1 rx2
mfwd_start r1

# ODATA only: SPMs, NCFs and RDATA get through, so every loss is repairable
loss_add src r1 0.03 odata
loss_add r1 rx1 0.08 odata
loss_add r1 rx2 0.08 odata

head -c 400000 /dev/urandom >"$T/in.bin"

for r in rx1 rx2; do
	bg_start "$r" "recv-$r" "$(bin pgmrecv)" -n "$(addr "$r" r1);$GROUP" -p "$PORT" \
		-o "$T/out-$r.bin" -t 60 --stats
done
for r in rx1 rx2; do
	bg_wait_log "recv-$r" listening 10 || fail "pgmrecv in $r did not start"
done
bg_start src send "$(bin pgmsend)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 20000 \
	--ttl 8 --linger 3 --stats "$T/in.bin"

for r in rx1 rx2; do
	bg_wait "recv-$r" 60 || fail "pgmrecv in $r exited $?"
	same_file "$T/in.bin" "$T/out-$r.bin" || fail "$r: output differs from input"
	grep -q '^losses: 0$' "$T/recv-$r.log" || fail "$r reports losses"
	naks=$(awk '$1 == "naks_sent:" { print $2 }' "$T/recv-$r.log")
	[ "${naks:-0}" -gt 0 ] || fail "$r sent no NAKs although ODATA was dropped"
	log "$r: identical, $naks NAKs"
done
bg_wait send 30 || fail "pgmsend exited $?"
rep=$(awk '$1 == "repair_packets_sent:" { print $2 }' "$T/send.log")
[ "${rep:-0}" -gt 0 ] || fail "sender sent no RDATA"
log "dropped $(( $(drops src) + $(drops r1) )) ODATA, sender sent $rep repairs"
pass "400 KB through 3% + 8% ODATA loss to two receivers, byte-identical"
