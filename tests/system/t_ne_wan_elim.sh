#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# NAK elimination behind a WAN uplink (RFC 3208 §7.2–7.4):
#
#   src ── wan ── r1 (pgmned) ─┬─ rcv1
#         100 ms   │           ├─ rcv2
#          each    ODATA loss  └─ rcv3
#          way     entering r1
#
# `wan` is a plain multicast router whose forwarded PGM (both ways) goes
# through tests/tools/nfq_delay, so r1 is ~200 ms from the source: much
# longer than the receivers' 50 ms NAK back-off spread. ODATA is dropped as it
# enters r1, so all three receivers miss the same SQNs and each NAKs them
# on its own link. r1 confirms every NAK at once, forwards the first one
# upstream and eliminates the others while the first is outstanding, so:
#  - every receiver ends with a byte-identical file;
#  - every lost SQN was NAKed by more than one receiver below r1;
#  - the source received exactly one NAK per lost SQN;
#  - r1 counts NakEliminated > 0, and NCFs reach every receiver link.
# On a LAN (t_ne_basic) the repair is back before the later receivers NAK,
# §7.8 has dropped the state by then, and the source hears ~2.5 NAKs per
# lost SQN; that is correct behaviour, and why this test needs the delay.
# shellcheck source=tests/system/lib.sh
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd tshark dumpcap tcpdump python3 jq
require_bin pgmned pgmnectl opgm_send opgm_recv nfq_delay

export LC_ALL=C                # sort, comm and cmp agree on the order

SIZE=$((400 * 1024))
N=3
# One way through wan. The margin that keeps "one NAK per SQN at the source"
# exact is the round trip minus the receivers' back-off spread (50 ms): a
# receiver NAK later than that finds the repair gone by (§7.8) and is a new
# NAK upstream. 60 ms (120 ms round trip) left ~70 ms for scheduling delays
# under load; 100 ms leaves ~150 ms.
DELAY_MS=100
DELAY_Q=$((300 + RANDOM % 100))
# An operator behind a WAN link tunes NAK_RPT_RTE to the link's round trip:
# the default 100 ms would retry before the source's NCF (~200 ms) is back,
# and every retry is one more NAK at the source. 500 ms is well above it.
NAK_RPT_RTE=500
NAK_RPT_IVL=1500

# nfq_delay's rule in wan's raw PREROUTING: every PGM packet is held as it
# arrives, before either multicast forwarder sees it (the dup forwarder's
# copies never pass FORWARD). --queue-bypass: if nfq_delay is gone the
# packets pass (undelayed) instead of being dropped.
DELAY_RULE=(PREROUTING -p 113 -j NFQUEUE --queue-num "$DELAY_Q" --queue-bypass)
delay_rules_del() {
	[ -n "${WAN_RULE_ON:-}" ] || return 0
	WAN_RULE_ON=""
	nx wan iptables -w -t raw -D "${DELAY_RULE[@]}" 2>/dev/null
	return 0
}
# Teardown: our rule first (no new packets queued), then lib.sh's cleanup
# (which stops nfq_delay: it releases what it holds, and deletes wan).
# shellcheck disable=SC2317 # called from the EXIT trap
wan_cleanup() {
	local rc=$?
	delay_rules_del
	(exit "$rc")
	lib_cleanup
}
trap wan_cleanup EXIT

host_add src
router_add wan
router_add r1
link_add src wan 10.0.1
link_add wan r1 10.0.2
route_default src wan
route_default r1 wan
rcvs=()
for i in $(seq 1 $N); do
	host_add "rcv$i"
	link_add r1 "rcv$i" "10.0.$((10 + i))"
	route_default "rcv$i" r1
	route_add wan "10.0.$((10 + i)).0/24" r1
	rcvs+=("rcv$i")
done
SRC=$(addr src wan)
mroute_add -s "$SRC" wan src "$GROUP" r1
mroute_add -s "$SRC" r1 wan "$GROUP" "${rcvs[@]}"
mfwd_start wan
mfwd_start r1

bg_start wan delay "$(bin nfq_delay)" -q "$DELAY_Q" -D "$DELAY_MS"
bg_wait_log delay "ready: queue" 10 || fail "nfq_delay did not start"
nx wan iptables -w -t raw -A "${DELAY_RULE[@]}" || die "delay rule in wan"
WAN_RULE_ON=1

pgmned_start r1 --nak-rpt-rte "$NAK_RPT_RTE" --nak-rpt-ivl "$NAK_RPT_IVL"

# Loss on the wire into r1 (raw PREROUTING, before forwarding and pgmned):
# all three receivers miss the same SQNs. Not on the sending host: there a
# drop is an EPERM that OpenPGM just resends.
# shellcheck disable=SC2046
nx r1 iptables -w -t raw -A PREROUTING -i "$(ifname r1 wan)" $(lib_pgm_match odata) \
	-m statistic --mode random --probability 0.05 -j DROP || die "loss rule"
cap_start src wan up                  # what the source receives
cap_start r1 wan uplink               # r1's side of the WAN, before the loss rule
for i in $(seq 1 $N); do cap_start r1 "rcv$i" "down$i"; done

head -c "$SIZE" /dev/urandom >"$T/in.bin"
recv_start r1 "$N" 40
bg_start src send "$(bin opgm_send)" -n "$SRC;$GROUP" -p "$PORT" -r 4000 -l 40 "$T/in.bin"

recv_verify "$N" 40
bg_running "pgmned-r1" || fail "pgmned died during the transfer"
bg_running delay || fail "nfq_delay died during the transfer"
bg_stop send || true
cap_stop up
cap_stop uplink
for i in $(seq 1 $N); do cap_stop "down$i"; done

# nfq_delay: rule out, then SIGTERM; it must have delayed packets, held
# none past its ring, and had no netlink trouble.
delay_rules_del
drc=0
bg_stop delay || drc=$?
[ "$drc" -eq 0 ] || fail "nfq_delay exited with $drc"
dstats=$(grep '^nfq_delay: queue=' "$T/delay.log") || fail "nfq_delay printed no counters"
log "$dstats"
dstat() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$dstats"; }
[ "$(dstat delayed)" -gt 0 ] || fail "nfq_delay delayed nothing"
for c in overflow verdict_errors netlink_errors enobufs; do
	[ "$(dstat "$c")" = 0 ] || fail "nfq_delay: $c=$(dstat "$c")"
done

# BPF for PGM packets of one type (the type byte is at offset 4 of the PGM
# header, after a variable-length IP header).
pgm_type_bpf() { echo "ip proto 113 and ip[((ip[0] & 0xf) << 2) + 4] = $1"; }
# cap_bpf_count NAME BPF: packets in capture NAME matching BPF.
cap_bpf_count() { tcpdump -r "$T/$1.pcapng" -nn -q "$2" 2>/dev/null | wc -l; }
# cap_odata_sqns NAME: the SQN of every ODATA in capture NAME (tcpdump -v
# decodes ODATA headers).
cap_odata_sqns() {
	tcpdump -r "$T/$1.pcapng" -nn -v "$(pgm_type_bpf 0x04)" 2>/dev/null |
		sed -n 's/.* ODATA trail [0-9]* seq \([0-9]*\).*/\1/p'
}

# The lost SQNs: ODATA seen on r1's WAN interface (the capture taps before
# the loss rule) and never forwarded to the receivers.
lost=$(nx r1 iptables -w -t raw -nvxL PREROUTING | awk '$3 == "DROP" { s += $1 } END { print s + 0 }')
[ "$lost" -gt 0 ] || fail "no ODATA was dropped: the loss rule did not work"
cap_odata_sqns uplink | sort -u >"$T/odata-wan.txt"
cap_odata_sqns down1 | sort -u >"$T/odata-down.txt"
comm -23 "$T/odata-wan.txt" "$T/odata-down.txt" >"$T/lost.txt"
[ "$(wc -l <"$T/lost.txt")" -eq "$lost" ] ||
	fail "the loss rule dropped $lost ODATA, but $(wc -l <"$T/lost.txt") SQNs never reached rcv1"

# Receivers' NAKs (NAK_SQN and OPT_NAK_LIST entries), one "SQN RECEIVER"
# line per receiver that asked for the SQN at least once.
for i in $(seq 1 $N); do
	cap_nak_sqns "down$i" "src host $(addr "rcv$i" r1)" >"$T/naks-rcv$i.txt"
	sort -u "$T/naks-rcv$i.txt" | sed "s/\$/ $i/"
done >"$T/naks-down.txt"
below=$(cat "$T"/naks-rcv*.txt | wc -l)
# NAKs that reached the source, whoever sent them.
cap_nak_sqns up "dst host $SRC" | sort >"$T/naks-up.txt"
not_r1=$(cap_bpf_count up "$(pgm_type_bpf 0x08) and dst host $SRC and not src host $(addr r1 wan)")
at_src=$(wc -l <"$T/naks-up.txt")
nlost=$(wc -l <"$T/lost.txt")
log "lost ODATA: $nlost SQNs; the receivers sent $below NAK entries" \
	"($(wc -l <"$T/naks-down.txt") receiver-SQN pairs); the source received $at_src"

[ "$not_r1" -eq 0 ] || fail "$not_r1 NAKs reached the source not from r1"
# every lost SQN was NAKed by more than one receiver (so there was
# something to eliminate), and the receivers NAKed nothing else
awk '{ print $1 }' "$T/naks-down.txt" | sort -u >"$T/wanted.txt"
cmp -s "$T/wanted.txt" "$T/lost.txt" ||
	fail "the receivers NAKed other SQNs than the lost ones:" \
	     "$(comm -3 "$T/lost.txt" "$T/wanted.txt" | tr -s '\t\n' '  ')"
single=$(awk '{ n[$1]++ } END { for (s in n) if (n[s] < 2) print s }' "$T/naks-down.txt")
[ -z "$single" ] || fail "SQNs NAKed by only one receiver: $(tr '\n' ' ' <<<"$single")"
# exactly one NAK per lost SQN at the source: r1 eliminated the rest
dups=$(uniq -d "$T/naks-up.txt")
[ -z "$dups" ] || fail "SQNs NAKed more than once at the source: $(tr '\n' ' ' <<<"$dups")"
cmp -s "$T/naks-up.txt" "$T/lost.txt" ||
	fail "NAKs at the source differ from the lost SQNs:" \
	     "$(comm -3 "$T/lost.txt" "$T/naks-up.txt" | tr -s '\t\n' '  ')"

# The delay line really was there: r1's NAK upstream to the source's NCF
# back, per SQN, on r1's WAN interface.
cap_fields uplink "pgm.hdr.type == 0x08 || pgm.hdr.type == 0x0a" \
	frame.time_relative pgm.hdr.type pgm.nak.sqn >"$T/rtt.tsv"
rtt=$(awk -F'\t' '$2 == "0x08" && !($3 in nak) { nak[$3] = $1 }
	$2 == "0x0a" && ($3 in nak) && !($3 in ncf) { ncf[$3] = $1; d = $1 - nak[$3]
		if (n == 0 || d < min) min = d; if (d > max) max = d; n++ }
	END { if (n) printf "%d %.0f %.0f\n", n, min * 1000, max * 1000; else print "0 0 0" }' "$T/rtt.tsv")
read -r rtt_n rtt_min rtt_max <<<"$rtt"
log "r1 to source and back: $rtt_n NAK/NCF pairs, ${rtt_min}..${rtt_max} ms"
[ "$rtt_n" -gt 0 ] || fail "no NAK/NCF pair on r1's WAN link"
[ "$rtt_min" -ge $((2 * DELAY_MS * 9 / 10)) ] ||
	fail "round trip ${rtt_min} ms: the WAN delay of 2 x $DELAY_MS ms was not applied"

# NCFs on every receiver link
for i in $(seq 1 $N); do
	ncfs=$(cap_bpf_count "down$i" "$(pgm_type_bpf 0x0a)")
	log "receiver link $i: $ncfs NCFs"
	[ "$ncfs" -gt 0 ] || fail "no NCF on the link to receiver $i"
done

nectl r1 -j show traffic >"$T/traffic.json" || fail "pgmnectl show traffic"
sumc() { jq "[.interfaces[].counters.$1] | add" "$T/traffic.json"; }
elim=$(sumc NakEliminated)
log "r1: InNaks $(sumc InNaks), OutNaks $(sumc OutNaks), NakEliminated $elim," \
	"NakRetransmitted $(sumc NakRetransmitted), OutNcfs $(sumc OutNcfs)"
[ "$elim" -gt 0 ] || fail "r1 eliminated no NAK"

pgmned_rc=0
pgmned_stop r1 || pgmned_rc=$?
[ "$pgmned_rc" -eq 0 ] || fail "pgmned exited with $pgmned_rc"
pass "$N receivers got $SIZE bytes; $nlost lost SQNs, NAKed $below times below r1," \
	"$at_src times at the source"
