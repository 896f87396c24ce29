#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pgmned in a router between an OpenPGM source and three OpenPGM
# receivers, ODATA dropped on the source link (RFC 3208 §7.2–7.3):
#  - every receiver ends with a byte-identical file;
#  - the source sees one NAK per lost SQN (the router forwards only the
#    first of the three receivers' NAKs upstream and eliminates the rest);
#  - NCFs go out on every receiver link, with the source's address as IP
#    source (§7.2).
# shellcheck source=tests/system/lib.sh
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd tshark dumpcap nft jq
require_bin pgmned pgmnectl opgm_send opgm_recv

SIZE=$((200 * 1024))
N=3
Q=$((200 + RANDOM % 100))

# ned_start R: pgmned in R on its own queue and socket, ready when it says so.
# OpenPGM paces repairs with its data (tens of ms apart), so the receivers
# repeat their NAKs before the RDATA comes: eliminate duplicates for the
# whole repair time (§7.3) so that the source sees each SQN asked once.
ned_start() {
	bg_start "$1" "pgmned-$1" "$(bin pgmned)" -d -q "$Q" -s "$T/$1.ctl" \
		--nak-elim-ivl 3000 --nak-rdata-ivl 3000
	bg_wait_log "pgmned-$1" "ready: queue $Q" 15 || fail "pgmned in $1 did not start"
}

star_add "$N"
ned_start r1

# Loss on the wire into R (raw PREROUTING, before pgmned's FORWARD rules).
# Not on the source host: there a drop is an EPERM the source just resends.
# shellcheck disable=SC2046
nx r1 iptables -t raw -A PREROUTING -i "$(ifname r1 src)" $(lib_pgm_match odata) \
	-m statistic --mode random --probability 0.05 -j DROP || die "loss rule"
cap_start src r1 up
for i in $(seq 1 $N); do cap_start r1 "rcv$i" "down$i"; done

head -c "$SIZE" /dev/urandom >"$T/in.bin"
recv_start r1 "$N" 60
bg_start src send "$(bin opgm_send)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 4000 -l 30 \
	"$T/in.bin"

recv_verify "$N" 90
bg_running "pgmned-r1" || fail "pgmned died during the transfer"
bg_stop send || true
cap_stop up
for i in $(seq 1 $N); do cap_stop "down$i"; done

lost=$(nx r1 iptables -t raw -nvxL PREROUTING | awk '$3 == "DROP" { s += $1 } END { print s + 0 }')
[ "$lost" -gt 0 ] || fail "no ODATA was dropped: the loss rule did not work"

# pgm_sqns NAME FROM: one "TYPE SQN" line per SQN that a NAK (NAK_SQN and
# OPT_NAK_LIST entries, §9.3.5) or an RDATA from host FROM carries in
# capture NAME.
pgm_sqns() {
	cap_pgm_sqns "$1" "src host $2" | awk '$2 == "NAK" || $2 == "RDATA" { print $2, $3 }'
}
pgm_sqns up "$(addr r1 src)" | awk '$1 == "NAK" { print $2 }' >"$T/naks-up.txt"
pgm_sqns up "$(addr src r1)" | awk '$1 == "RDATA" { print $2 }' >"$T/rdata-up.txt"
for i in $(seq 1 $N); do
	pgm_sqns "down$i" "$(addr "rcv$i" r1)" | awk '$1 == "NAK" { print $2 }'
done >"$T/naks-down.txt"
sort -n -u "$T/naks-down.txt" >"$T/wanted.txt"
sort -n -u "$T/naks-up.txt" >"$T/asked.txt"
asked=$(wc -l <"$T/naks-up.txt")
distinct=$(wc -l <"$T/asked.txt")
wanted=$(wc -l <"$T/wanted.txt")
below=$(wc -l <"$T/naks-down.txt")
from_rcv=$(cap_count up "pgm.hdr.type == 0x08 && ip.src != $(addr r1 src)")
log "lost ODATA: $lost; receivers NAKed $below SQNs ($wanted distinct);" \
	"the source was asked $asked times for $distinct SQNs"
[ "$wanted" -gt 0 ] || fail "no receiver sent a NAK"
[ "$below" -gt "$wanted" ] || fail "the receivers never NAKed the same SQN: nothing to merge"
[ "$from_rcv" -eq 0 ] || fail "$from_rcv NAKs reached the source not from the router"
cmp -s "$T/wanted.txt" "$T/asked.txt" ||
	fail "SQNs NAKed upstream differ from those the receivers NAKed" \
	     "($(comm -3 "$T/wanted.txt" "$T/asked.txt" | wc -l) differ)"
# One NAK per lost SQN and repair round: a second NAK for an SQN may only
# go up after the repair for the first has passed (§7.3, §7.8), so per SQN
# NAKs at the source <= RDATA from the source. Without the router the
# source hears every receiver: up to N NAKs per repair.
extra=$(awk 'FNR == NR { nak[$1]++; next } { rd[$1]++ }
	END { for (s in nak) if (nak[s] > rd[s]) { n++; print "SQN " s ": " nak[s] " NAKs, " rd[s] + 0 " RDATA" > "/dev/stderr" }
	      print n + 0 }' "$T/naks-up.txt" "$T/rdata-up.txt")
[ "$extra" -eq 0 ] || fail "$extra SQNs were NAKed at the source more often than repaired"

src_addr=$(addr src r1)
for i in $(seq 1 $N); do
	ncfs=$(cap_count "down$i" "pgm.hdr.type == 0x0a")
	spoofed=$(cap_count "down$i" "pgm.hdr.type == 0x0a && ip.src == $src_addr")
	log "receiver link $i: $ncfs NCFs"
	[ "$ncfs" -gt 0 ] || fail "no NCF on the link to receiver $i"
	[ "$spoofed" -eq "$ncfs" ] || fail "NCFs on link $i not sent from the source address"
done

# The datapath's own health: every packet the kernel queued (the queue
# rules' counters in pgmned's nftables table) reached pgmned and got a
# verdict, nothing failed; pgmned reads the same counters (RuleQueued).
health() {
	nectl r1 show traffic | awk -v k="$1" '/^Health/ { h = 1; next } h && $1 == k { print $2; exit }'
}
kernel_queued=$(nx r1 nft -j list table ip "pgmned-q$Q" 2>/dev/null |
	jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets] | add // 0')
seen=$(health PacketsQueued)
log "queued by the kernel: $kernel_queued; seen by pgmned: $seen"
{ [ "$kernel_queued" -gt 0 ] && [ "$seen" -eq "$kernel_queued" ]; } ||
	fail "the kernel queued $kernel_queued packets, pgmned saw ${seen:-none}"
# shellcheck disable=SC2317 # called through wait_for
rule_read() { [ "$(health RuleQueued)" -ge "$kernel_queued" ]; }
wait_for 5 rule_read || fail "RuleQueued $(health RuleQueued), the kernel's counters $kernel_queued"
for c in QueueDrops UserDrops NetlinkOverruns NetlinkErrors VerdictErrors SendErrors; do
	[ "$(health "$c")" = 0 ] || fail "health counter $c is $(health "$c")"
done

pgmned_rc=0
bg_stop "pgmned-r1" || pgmned_rc=$?
[ "$pgmned_rc" -eq 0 ] || fail "pgmned exited with $pgmned_rc"
pass "$N receivers got $SIZE bytes; $distinct SQNs repaired, one NAK per repair at the source ($below NAKed below)"
