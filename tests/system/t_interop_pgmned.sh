#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Our host stacks through pgmned (the network element) mixed with OpenPGM,
# ODATA dropped upstream of the NE so every repair goes through it:
#   1. pgmsend   -> pgmned -> pgmrecv (rx1) + opgm_recv (rx2)
#   2. opgm_send -> pgmned -> pgmrecv (rx1) + pgmrecv (rx2)
# Files arrive byte-identical; our receivers send their NAKs to the router
# (the SPM path NLA pgmned rewrote, RFC 3208 §6.2, §7.1), not to the
# source; captures hold no malformed packet and only good checksums.
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd tshark dumpcap
require_bin pgmsend pgmrecv opgm_send opgm_recv pgmned

SIZE=$((300 * 1024))
Q=$((300 + RANDOM % 100))
# src -- r0 (plain multicast router, where ODATA is lost) -- r1 (pgmned) -- rx1, rx2.
# The loss sits in r0, not in the source: OpenPGM resends a packet its own
# host's netfilter refused, so loss there would not be loss.
host_add src; router_add r0; router_add r1; host_add rx1; host_add rx2
link_add src r0 10.0.1
link_add r0 r1 10.0.4
link_add r1 rx1 10.0.2
link_add r1 rx2 10.0.3
route_default src r0; route_default rx1 r1; route_default rx2 r1
route_default r1 r0
route_add r0 10.0.2.0/24 r1; route_add r0 10.0.3.0/24 r1
mroute_add -s "$(addr src r0)" r0 src "$GROUP" r1
mroute_add -s "$(addr src r0)" r1 r0 "$GROUP" rx1 rx2
mfwd_start r0
mfwd_start r1
bg_start r1 pgmned "$(bin pgmned)" -d -q "$Q" -s "$T/r1.ctl"
bg_wait_log pgmned "ready: queue $Q" 15 || fail "pgmned did not start"
loss_add r0 r1 0.05 odata
head -c "$SIZE" /dev/urandom >"$T/in.bin"

# Same check as t_interop_openpgm.sh: the verdict is the last value of
# pgm.hdr.cksum.status (this tshark lists a checksum byte first).
check_capture() {
	local name=$1 bad total notgood
	bad=$(cap_count "$name" '_ws.malformed || pgm.bad_checksum || _ws.expert.severity >= "warning"')
	[ "$bad" -eq 0 ] || fail "$name: $bad malformed/bad-checksum packets"
	total=$(cap_count "$name" pgm)
	notgood=$(cap_fields "$name" pgm pgm.hdr.cksum.status | awk -F, '$NF != 1' | wc -l)
	[ "$total" -gt 0 ] || fail "$name: empty capture"
	[ "$notgood" -eq 0 ] || fail "$name: $notgood of $total PGM checksums not verified Good"
}

# run_case NAME SENDER RX1_PROG RX2_PROG [SENDER ARGS...]
run_case() {
	local name=$1 snd=$2 p1=$3 p2=$4 r rc prog; shift 4
	cap_start r1 r0 "$name-up"
	cap_start r1 rx1 "$name-down1"
	cap_start r1 rx2 "$name-down2"
	for r in rx1 rx2; do
		prog=$p1; [ "$r" = rx2 ] && prog=$p2
		bg_start "$r" "$name-$r" "$(bin "$prog")" -n "$(addr "$r" r1);$GROUP" -p "$PORT" \
			-o "$T/$name-$r.bin" -c "$SIZE" -t 90 --stats
	done
	for r in rx1 rx2; do
		bg_wait_log "$name-$r" listening 10 || fail "$name: receiver in $r did not start"
	done
	local drops0
	drops0=$(drops r0)
	bg_start src "$name-send" "$(bin "$snd")" -n "$(addr src r0);$GROUP" -p "$PORT" "$@" \
		"$T/in.bin"
	for r in rx1 rx2; do
		rc=0
		bg_wait "$name-$r" 90 || rc=$?
		[ "$rc" -eq 0 ] || fail "$name: receiver in $r exited $rc"
		same_file "$T/in.bin" "$T/$name-$r.bin" || fail "$name: $r output differs"
	done
	if [ "$snd" = pgmsend ]; then
		bg_wait "$name-send" 40 || fail "$name: pgmsend exited $?"
	else
		bg_stop "$name-send" >/dev/null || true
	fi
	cap_stop "$name-up"; cap_stop "$name-down1"; cap_stop "$name-down2"
	local dropped=$(($(drops r0) - drops0))
	[ "$dropped" -gt 0 ] || die "$name: the loss rule dropped nothing"
	check_capture "$name-up"; check_capture "$name-down1"; check_capture "$name-down2"
	# our receivers NAK the router's address, learnt from the rewritten SPM
	# (whichever of them NAKs: a repair one of them asked for may reach both)
	local to_router=0 to_src=0 i r
	for i in 1 2; do
		r=rx$i
		[ "$i" = 1 ] && prog=$p1 || prog=$p2
		[ "$prog" = pgmrecv ] || continue
		to_router=$((to_router + $(cap_count "$name-down$i" "pgm.hdr.type == 0x08 && ip.src == $(addr "$r" r1) && ip.dst == $(addr r1 "$r")")))
		to_src=$((to_src + $(cap_count "$name-down$i" "pgm.hdr.type == 0x08 && ip.src == $(addr "$r" r1) && ip.dst == $(addr src r0)")))
	done
	[ "$to_router" -gt 0 ] || fail "$name: pgmrecv sent no NAK to the router"
	[ "$to_src" -eq 0 ] || fail "$name: pgmrecv sent $to_src NAKs past the router to the source"
	log "$name: $dropped ODATA dropped, identical at both receivers; pgmrecv sent $to_router NAKs to the router"
}

# pgmsend lingers well past the receivers' own retry budget, so a
# receiver whose repeat NAK comes late (a repair lost on its link, a NAK
# eliminated while the first repair was still pending) is still served.
run_case ours-via-ne pgmsend pgmrecv opgm_recv -r 8000 --ttl 8 --linger 15 --stats
grep -q '^repair_packets_sent: [1-9]' "$T/ours-via-ne-send.log" || fail "pgmsend sent no repairs"
run_case openpgm-via-ne opgm_send pgmrecv pgmrecv -r 8000 -l 30
bg_running pgmned || fail "pgmned died"
pass "pgmsend/pgmrecv interoperate with OpenPGM through pgmned under 5% ODATA loss"
