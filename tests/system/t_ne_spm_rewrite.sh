#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SPM path NLA rewrite (RFC 3208 §7.1) and checksums:
#
#   src — r1 (pgmned) ─┬─ rcv1
#                      └─ r2 (no pgmned) — rcv2
#
# SPMs leaving r1 must carry, on each link, r1's address on that link; r2
# is not a PGM hop, so SPMs on r2's receiver link still name r1 (its
# address on the r1–r2 link); on the source link they name the source.
# Receivers NAK to the path NLA they were given. tshark must find no bad
# PGM checksum and no malformed packet on any link (OpenPGM silently drops
# a packet with a bad checksum, so the transfer must also succeed).
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd tshark dumpcap
require_bin pgmned pgmnectl opgm_send opgm_recv

SIZE=$((100 * 1024))

host_add src
router_add r1
router_add r2
host_add rcv1
host_add rcv2
link_add src r1 10.0.1
link_add r1 rcv1 10.0.2
link_add r1 r2 10.0.3
link_add r2 rcv2 10.0.4
route_default src r1
route_default r1 src
route_default r2 r1
route_default rcv1 r1
route_default rcv2 r2
mroute_add -s "$(addr src r1)" r1 src "$GROUP" rcv1 r2
mroute_add -s "$(addr src r1)" r2 r1 "$GROUP" rcv2
mfwd_start r1
mfwd_start r2
pgmned_start r1

count_add r2 rcv2 out spm
cap_start r1 src up
cap_start rcv1 r1 leaf1
cap_start r2 r1 mid
cap_start rcv2 r2 leaf2
# some loss on both receiver links, so that NAKs flow
loss_add r1 rcv1 0.05 odata
loss_add r2 rcv2 0.05 odata

head -c "$SIZE" /dev/urandom >"$T/in.bin"
for i in 1 2; do
	up=r1; [ $i = 2 ] && up=r2
	bg_start "rcv$i" "recv$i" "$(bin opgm_recv)" -n "$(addr "rcv$i" $up);$GROUP" -p "$PORT" \
		-o "$T/out$i.bin" -c "$SIZE" -t 60 --stats
	bg_wait_log "recv$i" listening 10 || fail "receiver $i did not start"
done
# ambient SPMs every 200 ms, 2 MBit/s: about 0.4 s of data, SPMs throughout
bg_start src send "$(bin opgm_send)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 2000 -S 200 -l 30 \
	"$T/in.bin"
recv_verify 2 60
# two more ambient SPMs (200 ms apart) through both routers after the data
spms_at_least() { [ "$(count_get r2 rcv2 out spm)" -ge "$1" ]; }
spm_end=$(count_get r2 rcv2 out spm)
wait_for 5 spms_at_least $((spm_end + 2)) || fail "ambient SPMs stopped after the data"
bg_stop send || true
for c in up leaf1 mid leaf2; do cap_stop "$c"; done

# one pass per capture: type, IP source and destination, SPM path NLA,
# checksum status (tshark 4.0 lists a bogus value first, then the real
# one: take the last), bad-checksum expert, malformed
for c in up leaf1 mid leaf2; do
	cap_tsv "$c" pgm.hdr.type ip.src ip.dst pgm.spm.path.ipv4 pgm.hdr.cksum.status \
		pgm.bad_checksum _ws.malformed
done

# check_path CAPTURE EXPECTED: every SPM on the link names EXPECTED
check_path() {
	local c=$1 want=$2 total other
	total=$(awk -F'\t' '$1 == "0x00"' "$T/$c.tsv" | wc -l)
	[ "$total" -ge 3 ] || fail "only $total SPMs on the $c link"
	other=$(awk -F'\t' -v w="$want" '$1 == "0x00" && $4 != w { print $4 }' "$T/$c.tsv" |
		sort | uniq -c | tr '\n' ' ')
	[ -z "$other" ] || fail "SPMs on the $c link with a path NLA other than $want: $other"
	log "$c: $total SPMs, all with path NLA $want"
}
check_path up "$(addr src r1)"
check_path leaf1 "$(addr r1 rcv1)"
check_path mid "$(addr r1 r2)"
check_path leaf2 "$(addr r1 r2)"

# receivers NAK to the path NLA they were given
naks() { awk -F'\t' -v d="${2:-}" '$1 == "0x08" && (d == "" || $3 != d)' "$T/$1.tsv" | wc -l; }
[ "$(naks leaf1)" -gt 0 ] || fail "no NAK on rcv1's link (loss rule ineffective?)"
n=$(naks leaf1 "$(addr r1 rcv1)")
[ "$n" -eq 0 ] || fail "$n NAKs from rcv1 not sent to r1's address on that link"
n=$(naks leaf2 "$(addr r1 r2)")
[ "$n" -eq 0 ] || fail "$n NAKs from rcv2 not sent to r1's address on the r1–r2 link"

for c in up leaf1 mid leaf2; do
	read -r all bad < <(awk -F'\t' '{ n++; k = split($5, st, ","); if (st[k] != "1" || $6 != "" || $7 != "") b++ }
		END { print n + 0, b + 0 }' "$T/$c.tsv")
	[ "$bad" -eq 0 ] || fail "$bad of $all PGM packets on the $c link have a bad checksum or are malformed: $(awk -F'\t' '{ k = split($5, st, ","); if (st[k] != "1" || $6 != "" || $7 != "") print }' "$T/$c.tsv" | head -3)"
	log "$c: $all PGM packets, every checksum good"
done
pgmned_stop r1 || fail "pgmned exited with an error"
pass "SPM path NLA rewritten per interface, all PGM checksums good on 4 links"
