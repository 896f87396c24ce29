#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The multicast forwarder every other scenario stands on (lib.sh: smcroute
# on kernels with multicast routing, an nftables dup table without), and
# the kernel facts pgmned's rules rely on, checked here rather than assumed:
#
#   src ── r1 ─┬─ rcv1        (src, G1) routed to rcv1 and rcv2;
#              ├─ rcv2        G2 added to rcv3 after forwarding started
#              └─ rcv3
#
#  - one copy of each packet per outgoing interface, none elsewhere, its
#    TTL one less than sent;
#  - an (S,G) entry forwards nothing from another source, and nothing
#    arrives with TTL 1 is forwarded;
#  - an entry added after mfwd_start takes effect at once;
#  - the copies pass mangle POSTROUTING with their outgoing interface
#    (where pgmned queues them), and FORWARD only under smcroute (ipmr);
#  - a mark set in raw PREROUTING (pgmned's arrival tag) is carried by
#    every copy to POSTROUTING.
# Run with PGMNE_MFWD=dup on a kernel with multicast routing to check the
# dup forwarder there too.
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd python3

G1=239.192.0.11
G2=239.192.0.12
K=20    # packets per send
TTL=8
TAG=0x50000002

host_add src; router_add r1
link_add src r1 10.0.1
route_default src r1
for i in 1 2 3; do
	host_add "rcv$i"
	link_add r1 "rcv$i" "10.0.$((10 + i))"
	route_default "rcv$i" r1
done
SRC=$(addr src r1)
nx src ip addr add 10.0.1.99/24 dev "$(ifname src r1)"
mroute_add -s "$SRC" r1 src "$G1" rcv1 rcv2
mfwd_start r1
log "forwarder: $(mfwd_name)"

# send FROM GROUP TTL: K raw PGM packets (IP protocol 113, a made-up SPM
# header: only the type byte matters to the counters) from address FROM.
send() {
	nx src python3 -c '
import socket, sys
src, grp, ttl, k = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 113)
s.bind((src, 0))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
for i in range(k):
    s.sendto(bytes([0, 0, 0, 2, 0, 0]) + bytes(18), (grp, 0))
' "$1" "$2" "$3" "$K" || die "send from $1 to $2"
}

# arrivals on each receiver, by TTL, in raw PREROUTING (on the wire)
for i in 1 2 3; do
	nx "rcv$i" iptables -w -t raw -A PREROUTING -p 113 -m ttl --ttl-eq $((TTL - 1)) \
		-m comment --comment ttl-ok
	nx "rcv$i" iptables -w -t raw -A PREROUTING -p 113 -m comment --comment all
done
got() {  # got RCV COMMENT: packets counted by that rule
	nx "$1" iptables -w -t raw -nvxL PREROUTING |
		awk -v c="/* $2 */" 'index($0, c) { s += $1 } END { print s + 0 }'
}
# where the copies pass in r1: FORWARD, and mangle POSTROUTING per
# outgoing interface and with the tag a raw PREROUTING rule set
nx r1 iptables -w -t raw -A PREROUTING -i "$(ifname r1 src)" -p 113 -j MARK --set-mark "$TAG"
nx r1 iptables -w -A FORWARD -p 113 -m comment --comment fwd
for i in 1 2 3; do
	nx r1 iptables -w -t mangle -A POSTROUTING -o "$(ifname r1 "rcv$i")" -p 113 \
		-m comment --comment "post$i"
	nx r1 iptables -w -t mangle -A POSTROUTING -o "$(ifname r1 "rcv$i")" -p 113 \
		-m mark --mark "$TAG" -m comment --comment "tag$i"
done
r1_count() {
	nx r1 iptables -w -t "$1" -nvxL "$2" |
		awk -v c="/* $3 */" 'index($0, c) { s += $1 } END { print s + 0 }'
}
arrived() { [ "$(got "$1" all)" -ge "$2" ]; }

# 1. (src, G1) reaches rcv1 and rcv2 once each, TTL - 1, not rcv3
send "$SRC" "$G1" "$TTL"
wait_for 5 arrived rcv2 "$K" || fail "rcv2 got $(got rcv2 all) of $K"
wait_for 5 arrived rcv1 "$K" || fail "rcv1 got $(got rcv1 all) of $K"
for i in 1 2; do
	[ "$(got "rcv$i" all)" -eq "$K" ] || fail "rcv$i got $(got "rcv$i" all) copies of $K packets"
	[ "$(got "rcv$i" ttl-ok)" -eq "$K" ] ||
		fail "rcv$i: $(got "rcv$i" ttl-ok) of $K arrived with TTL $((TTL - 1))"
	[ "$(r1_count mangle POSTROUTING "post$i")" -eq "$K" ] ||
		fail "r1 POSTROUTING saw $(r1_count mangle POSTROUTING "post$i") copies to rcv$i, not $K"
	[ "$(r1_count mangle POSTROUTING "tag$i")" -eq "$K" ] ||
		fail "only $(r1_count mangle POSTROUTING "tag$i") of $K copies to rcv$i kept the mark"
done
[ "$(got rcv3 all)" -eq 0 ] || fail "rcv3 got $(got rcv3 all) packets of a group not routed to it"
fwd=$(r1_count filter FORWARD fwd)
case $(mfwd_name) in
smcroute) [ "$fwd" -eq $((2 * K)) ] || fail "ipmr: FORWARD saw $fwd copies, not $((2 * K))" ;;
dup) [ "$fwd" -eq 0 ] || fail "dup: FORWARD saw $fwd copies (they should pass POSTROUTING only)" ;;
esac
log "one copy per outgoing interface, TTL $TTL -> $((TTL - 1)), tagged at POSTROUTING; FORWARD saw $fwd"

# 2. another source, and TTL 1: not forwarded
send 10.0.1.99 "$G1" "$TTL"
send "$SRC" "$G1" 1
# a control send behind them on the same path: once it has arrived, so
# would anything wrongly forwarded before it
send "$SRC" "$G1" "$TTL"
wait_for 5 arrived rcv1 $((2 * K)) || fail "control packets did not arrive"
wait_for 5 arrived rcv2 $((2 * K)) || fail "control packets did not arrive"
for i in 1 2; do
	[ "$(got "rcv$i" all)" -eq $((2 * K)) ] ||
		fail "rcv$i got $(($(got "rcv$i" all) - 2 * K)) packets from another source or with TTL 1"
done

# 3. an entry added while forwarding runs
mroute_add r1 src "$G2" rcv3
send "$SRC" "$G2" "$TTL"
wait_for 5 arrived rcv3 "$K" || fail "late entry: rcv3 got $(got rcv3 all) of $K"
[ "$(got rcv1 all)" -eq $((2 * K)) ] || fail "G2 leaked to rcv1"
pass "$(mfwd_name): copies per interface with TTL - 1, (S,G) and TTL 1 respected, late entries, POSTROUTING with the mark"
