#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two network elements in series (RFC 3208 §7.2–7.3: NAKs go hop by hop,
# each hop confirmed):
#
#   src — r1 (pgmned) — r2 (pgmned) — rcv1, rcv2
#
# 8 % of ODATA is dropped on the r1 → r2 link. Expected, from captures on
# the three links:
#   - the receivers' NAKs go to r2 (the path NLA r2 wrote into the SPMs),
#     r2's NAKs go to r1, r1's NAKs go to the source;
#   - each hop confirms: NCFs on the receiver link (from r2), on the r1–r2
#     link (from r1) and on the source link (from the source);
#   - the source sees every lost SQN NAKed; r1 never sends the source
#     more NAKs for an SQN than r2 sent r1, and the source never sees more
#     NAKs for an SQN than there are receivers. (Not "exactly one": §7.8
#     drops repair state once the RDATA is forwarded, so a receiver on
#     another r2 interface whose NAK comes after the ~3 ms repair has gone
#     by needs, and gets, a second repair. t_ne_wan_elim.sh shows exact
#     elimination where the round trip to the source is longer than the
#     receivers' back-off spread.)
#   - both receivers end with a byte-identical file.
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd tshark dumpcap
require_bin pgmned pgmnectl opgm_send opgm_recv

SIZE=$((200 * 1024))

host_add src
router_add r1
router_add r2
link_add src r1 10.0.1
link_add r1 r2 10.0.2
route_default src r1
route_default r1 src
route_default r2 r1
for i in 1 2; do
	host_add "rcv$i"
	link_add r2 "rcv$i" "10.0.$((10 + i))"
	route_default "rcv$i" r2
done
mroute_add -s "$(addr src r1)" r1 src "$GROUP" r2
mroute_add -s "$(addr src r1)" r2 r1 "$GROUP" rcv1 rcv2
mfwd_start r1
mfwd_start r2
pgmned_start r1
pgmned_start r2

cap_start r1 src up      # source link, seen from r1
cap_start r2 r1 mid     # r1–r2 link, seen from r2 (after the loss)
cap_start rcv1 r2 down  # receiver link
loss_add r1 r2 0.08 odata

head -c "$SIZE" /dev/urandom >"$T/in.bin"
recv_start r2 2 60 --stats
bg_start src send "$(bin opgm_send)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 4000 -l 30 "$T/in.bin"

recv_verify 2 60
bg_stop send || true
for c in up mid down; do cap_stop "$c"; done
lost=$(drops r1)
[ "$lost" -gt 0 ] || fail "the loss rule dropped nothing"
log "$lost ODATA dropped between r1 and r2"

S=$(addr src r1) R1UP=$(addr r1 src) R1DN=$(addr r1 r2) R2UP=$(addr r2 r1) R2DN=$(addr r2 rcv1)
RCV=$(addr rcv1 r2)

for c in up mid down; do cap_tsv "$c" pgm.hdr.type ip.src ip.dst ip.ttl pgm.spm.sqn; done
# pkts CAPTURE TYPE [SRC|-] [DST|-] [!DST]: PGM packets of TYPE on a link
pkts() {
	awk -F'\t' -v t="$2" -v s="${3:--}" -v d="${4:--}" -v nd="${5:--}" \
		'$1 == t && (s == "-" || $2 == s) && (d == "-" || $3 == d) && (nd == "-" || $3 != nd)' \
		"$T/$1.tsv" | wc -l
}

# NAKs hop by hop
[ "$(pkts down 0x08 "$RCV" "$R2DN")" -gt 0 ] || fail "no NAK from rcv1 to r2 ($R2DN) on the receiver link"
n=$(pkts down 0x08 - - "$R2DN")
[ "$n" -eq 0 ] || fail "$n NAKs on the receiver link not addressed to r2"
[ "$(pkts mid 0x08 "$R2UP" "$R1DN")" -gt 0 ] || fail "no NAK from r2 to r1 on the r1–r2 link"
n=$(pkts mid 0x08 - - "$R1DN")
[ "$n" -eq 0 ] || fail "$n NAKs on the r1–r2 link not addressed to r1 (receiver NAKs leaked past r2?)"
[ "$(pkts up 0x08 "$R1UP" "$S")" -gt 0 ] || fail "no NAK from r1 to the source"
n=$(( $(pkts up 0x08) - $(pkts up 0x08 "$R1UP") ))
[ "$n" -eq 0 ] || fail "$n NAKs reached the source from elsewhere than r1"

# every hop confirmed by an NCF on its downstream link
for c in down mid up; do
	[ "$(pkts "$c" 0x0a)" -gt 0 ] || fail "no NCF on the $c link"
done
# NCFs stop at the first PGM hop: the source's NCFs (TTL < 255 after one
# hop) never pass r1; r1's own NCFs leave with TTL 255
n=$(awk -F'\t' '$1 == "0x0a" && $4 < 255' "$T/mid.tsv" | wc -l)
[ "$n" -eq 0 ] || fail "$n forwarded (not NE-originated) NCFs on the r1–r2 link"

# the source: every lost SQN NAKed, never more often than r2 asked r1 or
# than there are receivers (see the top)
cap_nak_sqns up "dst host $S" | sort >"$T/naked.txt"
cap_nak_sqns mid "dst host $R1DN" | sort >"$T/naked-mid.txt"
for c in up mid; do
	awk -F'\t' '$1 == "0x04" { print $5 }' "$T/$c.tsv" | while read -r q; do printf '%d\n' "$q"; done |
		sort >"$T/odata-$c.txt"
done
comm -23 "$T/odata-up.txt" "$T/odata-mid.txt" >"$T/lost.txt"
[ "$(wc -l <"$T/lost.txt")" -eq "$lost" ] ||
	fail "captures show $(wc -l <"$T/lost.txt") SQNs lost on r1–r2, the loss rule counted $lost"
# SQNs the source was asked for more often than r1 was, or than twice
amplified=$(join -a1 -e0 -o 1.1,1.2,2.2 <(uniq -c <"$T/naked.txt" | awk '{print $2, $1}' | sort) \
	<(uniq -c <"$T/naked-mid.txt" | awk '{print $2, $1}' | sort) |
	awk '$2 > $3 || $2 > 2 { printf "%s(%d at source, %d from r2) ", $1, $2, $3 }')
dups=$(uniq -d <"$T/naked.txt" | wc -l)
missing=$(sort -u "$T/naked.txt" | comm -13 - "$T/lost.txt" | wc -l)
extra=$(sort -u "$T/naked.txt" | comm -23 - "$T/lost.txt" | tr '\n' ' ')
log "source got NAKs for $(uniq <"$T/naked.txt" | wc -l) SQNs ($(wc -l <"$T/naked.txt") mentions); $lost lost${extra:+; NAKed but not lost on r1–r2: $extra}"
[ "$missing" -eq 0 ] || fail "$missing lost SQNs never reached the source in a NAK"
[ -z "$amplified" ] || fail "NAKs amplified on the way to the source: $amplified"
log "$dups SQNs NAKed twice at the source (a second receiver after the repair had passed)"

nectl r1 show traffic >"$T/r1-traffic.txt" || fail "pgmnectl on r1"
nectl r2 show traffic >"$T/r2-traffic.txt" || fail "pgmnectl on r2"
pgmned_stop r1 || fail "pgmned r1 exited with an error"
pgmned_stop r2 || fail "pgmned r2 exited with an error"
pass "2 NEs in series: hop-by-hop NAKs, NCF on each hop, $lost lost SQNs repaired, no NAK amplified towards the source"
