#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pgmrecv on two interfaces ("A,B;GROUP"): the router forwards the group
# onto both links to the receiver host; on the first link every ODATA is
# dropped, on the second 10 %. The data must arrive through the second
# interface (and repairs through both), byte-identical, with the copies
# counted as duplicates.
. "$(dirname "$0")/lib.sh"
require_mfwd
require_bin pgmsend pgmrecv

host_add src; router_add r1; host_add rx
link_add src r1 10.0.1
link_add r1 rx 10.0.2
# a second link between the same two nodes: link_add names interfaces by
# peer, so add it by hand (e-r1b / e-rxb, 10.0.3.0/24)
ip link add e-rxb netns "$(ns r1)" type veth peer name e-r1b netns "$(ns rx)" || die "veth"
nx r1 ip addr add 10.0.3.1/24 dev e-rxb
nx rx ip addr add 10.0.3.2/24 dev e-r1b
nx r1 ip link set e-rxb up
nx rx ip link set e-r1b up
nx rx sysctl -qw net.ipv4.conf.e-r1b.rp_filter=0 >/dev/null
nx r1 sysctl -qw net.ipv4.conf.e-rxb.rp_filter=0 >/dev/null
route_default src r1; route_default rx r1
mroute_add_if r1 e-src "$GROUP" e-rx e-rxb
mfwd_start r1

lib_loss_chain r1
nx r1 iptables -t mangle -A PGMTEST_LOSS -o e-rx $(lib_pgm_match odata) -j DROP ||
	die "loss rule"
nx r1 iptables -t mangle -A PGMTEST_LOSS -o e-rxb $(lib_pgm_match odata) \
	-m statistic --mode random --probability 0.1 -j DROP || die "loss rule"

head -c 300000 /dev/urandom >"$T/in.bin"
bg_start rx recv "$(bin pgmrecv)" -n "10.0.2.2,10.0.3.2;$GROUP" -p "$PORT" -o "$T/out.bin" \
	-t 60 --stats
bg_wait_log recv listening 10 || fail "pgmrecv did not start"
bg_start src send "$(bin pgmsend)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 20000 \
	--linger 3 "$T/in.bin"
rc=0
bg_wait recv 60 || rc=$?
[ "$rc" -eq 0 ] || fail "pgmrecv exited $rc"
same_file "$T/in.bin" "$T/out.bin" || fail "output differs"
dup=$(awk '$1 == "duplicates:" { print $2 }' "$T/recv.log")
naks=$(awk '$1 == "naks_sent:" { print $2 }' "$T/recv.log")
[ "${dup:-0}" -gt 0 ] || fail "no duplicates: the first interface delivered nothing twice"
[ "${naks:-0}" -gt 0 ] || fail "no NAKs although 10% of ODATA was dropped on the second link"
bg_wait send 30 || fail "pgmsend exited $?"
pass "two receive interfaces: identical, $naks NAKs, $dup duplicates"
