#!/bin/bash
# Our host stacks through pgmned (the network element) mixed with OpenPGM,
# ODATA dropped on the source link so every repair goes through the NE:
#   1. pgmsend   -> pgmned -> pgmrecv (rx1) + opgm_recv (rx2)
#   2. opgm_send -> pgmned -> pgmrecv (rx1) + pgmrecv (rx2)
# Files arrive byte-identical; our receivers send their NAKs to the router
# (the SPM path NLA pgmned rewrote, RFC 3208 §6.2, §7.1), not to the
# source; captures hold no malformed packet and only good checksums.
. "$(dirname "$0")/lib.sh"
require_cmd smcrouted tshark dumpcap
require_bin pgmsend pgmrecv opgm_send opgm_recv pgmned

SIZE=$((300 * 1024))
Q=$((300 + RANDOM % 100))
host_add src; router_add r1; host_add rx1; host_add rx2
link_add src r1 10.0.1
link_add r1 rx1 10.0.2
link_add r1 rx2 10.0.3
route_default src r1; route_default rx1 r1; route_default rx2 r1
mroute_add r1 src "$GROUP" rx1 rx2
smcroute_start r1
bg_start r1 pgmned "$(bin pgmned)" -d -q "$Q" -s "$T/r1.ctl"
bg_wait_log pgmned "ready: queue $Q" 15 || fail "pgmned did not start"
loss_add src r1 0.05 odata
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
	cap_start src r1 "$name-up"
	cap_start r1 rx1 "$name-down"
	for r in rx1 rx2; do
		prog=$p1; [ "$r" = rx2 ] && prog=$p2
		bg_start "$r" "$name-$r" "$(bin "$prog")" -n "$(addr "$r" r1);$GROUP" -p "$PORT" \
			-o "$T/$name-$r.bin" -c "$SIZE" -t 90 --stats
	done
	for r in rx1 rx2; do
		bg_wait_log "$name-$r" listening 10 || fail "$name: receiver in $r did not start"
	done
	bg_start src "$name-send" "$(bin "$snd")" -n "$(addr src r1);$GROUP" -p "$PORT" "$@" \
		"$T/in.bin"
	for r in rx1 rx2; do
		rc=0
		bg_wait "$name-$r" 90 || rc=$?
		[ "$rc" -eq 0 ] || fail "$name: receiver in $r exited $rc"
		same_file "$T/in.bin" "$T/$name-$r.bin" || fail "$name: $r output differs"
	done
	if [ "$snd" = pgmsend ]; then
		bg_wait "$name-send" 30 || fail "$name: pgmsend exited $?"
	else
		bg_stop "$name-send" >/dev/null || true
	fi
	cap_stop "$name-up"; cap_stop "$name-down"
	check_capture "$name-up"; check_capture "$name-down"
	# pgmrecv in rx1 NAKs the router's address, learnt from the rewritten SPM
	local to_router to_src
	to_router=$(cap_count "$name-down" "pgm.hdr.type == 0x08 && ip.dst == $(addr r1 rx1)")
	to_src=$(cap_count "$name-down" "pgm.hdr.type == 0x08 && ip.dst == $(addr src r1)")
	[ "$to_router" -gt 0 ] || fail "$name: pgmrecv sent no NAK to the router"
	[ "$to_src" -eq 0 ] || fail "$name: pgmrecv sent $to_src NAKs past the router to the source"
	log "$name: identical at both receivers; rx1 sent $to_router NAKs to the router"
}

run_case ours-via-ne pgmsend pgmrecv opgm_recv -r 20000 --ttl 8 --linger 3 --stats
grep -q '^repair_packets_sent: [1-9]' "$T/ours-via-ne-send.log" || fail "pgmsend sent no repairs"
run_case openpgm-via-ne opgm_send pgmrecv pgmrecv -r 20000 -l 30
bg_running pgmned || fail "pgmned died"
pass "pgmsend/pgmrecv interoperate with OpenPGM through pgmned under 5% ODATA loss"
