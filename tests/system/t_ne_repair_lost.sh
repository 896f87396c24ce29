#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Repairs through one network element (RFC 3208 §7.3, §7.8):
#
#   src — r1 (pgmned) ─┬─ rcv1   (10 % of ODATA dropped on this link only)
#                      ├─ rcv2
#                      └─ rcv3
#
# 1. The first RDATA the source sends is dropped as it enters r1, after
#    r1 has confirmed the NAK (a capture on r1's source link still sees it). Stock OpenPGM receivers with a tight retry
#    budget (3 NAK retries, 500 ms RDATA wait: 1.5 s) must still recover
#    everything: r1 must let the repeated NAK through once its elimination
#    window is over, so the source repairs that SQN a second time.
# 2. Constrained RDATA: repairs leave r1 only towards rcv1, the one
#    receiver that asked; none reach rcv2 or rcv3.
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd tshark dumpcap
require_bin pgmned pgmnectl opgm_send opgm_recv

SIZE=$((200 * 1024))
RCVS="rcv1 rcv2 rcv3"

star_add 3 # rcv1..rcv3 = $RCVS, (S,G) routed
route_default r1 src
pgmned_start r1

for r in $RCVS; do count_add r1 "$r" out rdata; done
count_add r1 src in rdata
cap_start r1 src up
cap_start rcv1 r1 leaf1
loss_add r1 rcv1 0.10 odata
drop_first -i r1 src rdata 1

head -c "$SIZE" /dev/urandom >"$T/in.bin"
for r in $RCVS; do
	bg_start "$r" "recv-$r" "$(bin opgm_recv)" -n "$(addr "$r" r1);$GROUP" -p "$PORT" \
		-o "$T/out-$r.bin" -c "$SIZE" -t 60 --stats \
		--nak-data-retries 3 --nak-rdata-ms 500 --nak-ncf-retries 3 --nak-rpt-ms 500
	bg_wait_log "recv-$r" listening 10 || fail "receiver $r did not start"
done
bg_start src send "$(bin opgm_send)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 4000 -l 30 "$T/in.bin"

for r in $RCVS; do
	rc=0
	bg_wait "recv-$r" 60 || rc=$?
	[ "$rc" -eq 0 ] || fail "receiver $r exited with $rc (1 = OpenPGM gave up on a lost SQN)"
	same_file "$T/in.bin" "$T/out-$r.bin" || fail "receiver $r: file differs"
done
bg_stop send || true
cap_stop up
cap_stop leaf1

lost_rdata=$(nx r1 iptables -t raw -nvxL PGMTEST_LOSSIN | awk '$3 == "DROP" { s += $1 } END { print s + 0 }')
lost_odata=$(( $(drops r1) - lost_rdata ))
[ "$lost_odata" -gt 0 ] || fail "no ODATA dropped on rcv1's link"
[ "$lost_rdata" -eq 1 ] || fail "the first-RDATA rule dropped $lost_rdata packets, not 1"

# 1: the first RDATA on the source link is the one r1 dropped; its SQN
# needs a second NAK at the source and a second RDATA
cap_tsv up pgm.hdr.type pgm.spm.sqn
awk -F'\t' '$1 == "0x05" { print $2 }' "$T/up.tsv" | while read -r q; do printf '%d\n' "$q"; done \
	>"$T/rdata.txt"
first=$(head -1 "$T/rdata.txt")
[ -n "$first" ] || fail "no RDATA on the source link"
rdata=$(grep -cx "$first" "$T/rdata.txt")
cap_nak_sqns up "dst host $(addr src r1)" >"$T/naked.txt"
naks=$(grep -cx "$first" "$T/naked.txt")
log "SQN $first: first RDATA dropped entering r1; $naks NAKs for it reached the source, $rdata RDATA sent for it"
[ "$rdata" -ge 2 ] || fail "SQN $first was not repaired again after its first RDATA was lost"
[ "$naks" -ge 2 ] || fail "only $naks NAK for SQN $first reached the source: the repeat NAK was eliminated"

# 2: constrained RDATA
rd1=$(count_get r1 rcv1 out rdata)
rd2=$(count_get r1 rcv2 out rdata)
rd3=$(count_get r1 rcv3 out rdata)
rin=$(count_get r1 src in rdata)
log "RDATA into r1: $rin; out towards rcv1 $rd1, rcv2 $rd2, rcv3 $rd3; ODATA lost on rcv1's link: $lost_odata"
[ "$rd1" -gt 0 ] || fail "no RDATA reached rcv1's link"
[ "$rd2" -eq 0 ] && [ "$rd3" -eq 0 ] || fail "RDATA leaked onto links without loss (rcv2 $rd2, rcv3 $rd3)"

nectl r1 show traffic >"$T/traffic.txt" || fail "pgmnectl show traffic"
pgmned_stop r1 || fail "pgmned exited with an error"
pass "lost first RDATA recovered within a 1.5 s retry budget; RDATA only on the link that lost data ($rd1 there, 0 elsewhere)"
