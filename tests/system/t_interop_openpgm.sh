#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop with stock OpenPGM 5.3 through a multicast router (no network
# element), ODATA dropped at random on the receiver links:
#   1. pgmsend   -> opgm_recv x2   (our source serves OpenPGM's NAKs)
#   2. opgm_send -> pgmrecv x2     (our receivers NAK OpenPGM's source)
# Both deliver byte-identical files. Captures of both runs must hold no
# malformed packet and no bad checksum (tshark), our SPM/NCF/RDATA must
# carry Router Alert and our ODATA must not (RFC 3208 §4).
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd tshark dumpcap
require_bin pgmsend pgmrecv opgm_send opgm_recv

SIZE=$((300 * 1024))
host_add src; router_add r1; host_add rx1; host_add rx2
link_add src r1 10.0.1
link_add r1 rx1 10.0.2
link_add r1 rx2 10.0.3
route_default src r1; route_default rx1 r1; route_default rx2 r1
mroute_add -s "$(addr src r1)" r1 src "$GROUP" rx1 rx2
mfwd_start r1
loss_add r1 rx1 0.05 odata
loss_add r1 rx2 0.05 odata
head -c "$SIZE" /dev/urandom >"$T/in.bin"

# check_capture NAME: no malformed packet, no expert warning, and every PGM
# checksum verified Good. (This tshark lists two values for
# pgm.hdr.cksum.status, the first being a byte of the checksum itself, so
# `pgm.hdr.cksum.status == "Bad"` matches good packets whose checksum
# starts with 0x00; the verdict is the last value: 1 = Good.)
check_capture() {
	local name=$1 bad total notgood
	bad=$(cap_count "$name" '_ws.malformed || pgm.bad_checksum || _ws.expert.severity >= "warning"')
	[ "$bad" -eq 0 ] || fail "$name: $bad malformed/bad-checksum packets in the capture"
	total=$(cap_count "$name" pgm)
	notgood=$(cap_fields "$name" pgm pgm.hdr.cksum.status | awk -F, '$NF != 1' | wc -l)
	[ "$total" -gt 0 ] || fail "$name: empty capture"
	[ "$notgood" -eq 0 ] || fail "$name: $notgood of $total PGM checksums not verified Good"
}

# run_case NAME SENDER RECEIVER [SENDER ARGS...]: one transfer, captured
# on the source link (everything both ways passes there).
run_case() {
	local name=$1 snd=$2 rcv=$3 r rc; shift 3
	cap_start src r1 "$name"
	for r in rx1 rx2; do
		bg_start "$r" "$name-$r" "$(bin "$rcv")" -n "$(addr "$r" r1);$GROUP" -p "$PORT" \
			-o "$T/$name-$r.bin" -c "$SIZE" -t 60 --stats
	done
	for r in rx1 rx2; do
		bg_wait_log "$name-$r" listening 10 || fail "$name: $rcv in $r did not start"
	done
	bg_start src "$name-send" "$(bin "$snd")" -n "$(addr src r1);$GROUP" -p "$PORT" \
		"$@" "$T/in.bin"
	for r in rx1 rx2; do
		rc=0
		bg_wait "$name-$r" 60 || rc=$?
		[ "$rc" -eq 0 ] || fail "$name: $rcv in $r exited $rc"
		same_file "$T/in.bin" "$T/$name-$r.bin" || fail "$name: $r output differs"
	done
	if [ "$snd" = pgmsend ]; then
		bg_wait "$name-send" 30 || fail "$name: pgmsend exited $?"
	else
		bg_stop "$name-send" >/dev/null || true
	fi
	cap_stop "$name"
	check_capture "$name"
	local naks
	naks=$(cap_count "$name" 'pgm.hdr.type == 0x08')
	[ "$naks" -gt 0 ] || fail "$name: no NAK crossed the source link although ODATA was dropped"
	log "$name: both receivers identical, $naks NAKs, capture clean"
}

run_case ours-to-openpgm pgmsend opgm_recv -r 8000 --ttl 8 --linger 10 --stats
grep -q '^repair_packets_sent: [1-9]' "$T/ours-to-openpgm-send.log" ||
	fail "pgmsend sent no repairs to the OpenPGM receivers"
# §4: SPM, NCF and RDATA bear Router Alert; ODATA does not
for ty in 0x00 0x05 0x0a; do
	n=$(cap_count ours-to-openpgm "pgm.hdr.type == $ty && !(ip.opt.type == 148)")
	[ "$n" -eq 0 ] || fail "$n packets of type $ty from pgmsend without Router Alert"
done
n=$(cap_count ours-to-openpgm "pgm.hdr.type == 0x04 && ip.opt.type == 148")
[ "$n" -eq 0 ] || fail "ODATA with Router Alert"

run_case openpgm-to-ours opgm_send pgmrecv -r 8000 -l 30
for r in rx1 rx2; do
	grep -q '^losses: 0$' "$T/openpgm-to-ours-$r.log" || fail "pgmrecv in $r reports losses"
	grep -q '^naks_sent: [1-9]' "$T/openpgm-to-ours-$r.log" || fail "pgmrecv in $r sent no NAK"
done
pass "pgmsend -> OpenPGM and OpenPGM -> pgmrecv, $SIZE bytes identical with 5% ODATA loss"
