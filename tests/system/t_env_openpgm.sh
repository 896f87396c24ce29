#!/bin/bash
# The test environment end to end, without any network element:
# OpenPGM source — smcroute router — three OpenPGM receivers, 10 % of
# ODATA dropped on the source link. Every receiver must end with a
# byte-identical copy of the file (repairs come from the source), which
# proves lib.sh, smcroute forwarding and the OpenPGM peers.
. "$(dirname "$0")/lib.sh"
require_cmd smcrouted smcroutectl
require_bin opgm_send opgm_recv

SIZE=$((300 * 1024))
N=3

star_add "$N"

loss_add src r1 0.10 odata

head -c "$SIZE" /dev/urandom >"$T/in.bin"
for i in $(seq 1 $N); do
	bg_start "rcv$i" "recv$i" "$(bin opgm_recv)" -n "$(addr "rcv$i" r1);$GROUP" -p "$PORT" \
		-o "$T/out$i.bin" -c "$SIZE" -t 60 --stats
done
for i in $(seq 1 $N); do
	bg_wait_log "recv$i" listening 10 || fail "receiver $i did not start"
done

bg_start src send "$(bin opgm_send)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 8000 -l 30 "$T/in.bin"

for i in $(seq 1 $N); do
	rc=0
	bg_wait "recv$i" 60 || rc=$?
	[ "$rc" -eq 0 ] || fail "receiver $i exited with $rc"
	same_file "$T/in.bin" "$T/out$i.bin" || fail "receiver $i: file differs"
	log "receiver $i: $(grep stats "$T/recv$i.log")"
done
lost=$(drops src)
[ "$lost" -gt 0 ] || fail "no ODATA was dropped: the loss rule did not work"
bg_stop send || fail "sender exited with an error"
pass "$N receivers got $SIZE identical bytes despite $lost dropped ODATA"
