#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The test environment end to end, without any network element:
# OpenPGM source — multicast router — three OpenPGM receivers, 10 % of
# ODATA dropped on the source link. Every receiver must end with a
# byte-identical copy of the file (repairs come from the source), which
# proves lib.sh, the multicast forwarder and the OpenPGM peers.
. "$(dirname "$0")/lib.sh"
require_mfwd
require_bin opgm_send opgm_recv

SIZE=$((300 * 1024))
N=3

star_add "$N"

loss_add src r1 0.10 odata

head -c "$SIZE" /dev/urandom >"$T/in.bin"
recv_start r1 "$N" 60 --stats

bg_start src send "$(bin opgm_send)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 8000 -l 30 "$T/in.bin"

recv_verify "$N" 60
for i in $(seq 1 $N); do log "receiver $i: $(grep stats "$T/recv$i.log")"; done
lost=$(drops src)
[ "$lost" -gt 0 ] || fail "no ODATA was dropped: the loss rule did not work"
bg_stop send || fail "sender exited with an error"
pass "$N receivers got $SIZE identical bytes despite $lost dropped ODATA"
