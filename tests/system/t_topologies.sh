#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every shape in topologies/ (line, star, tree, diamond: the ip netns
# versions that the demo and the mininet scripts mirror) carries a file
# to every receiver through pgmned on every router, with ODATA loss on
# some links. On the star, where only rcv2's link loses data, repairs
# (RDATA) go out on that link and on no other (RFC 3208 §7.8).
. "$(dirname "$0")/lib.sh"
require_mfwd
require_bin pgmned pgmnectl pgmsend opgm_recv

TOPO=$(cd "$(dirname "$0")/../../topologies" && pwd)/netns.sh

# shape NAME ARGS...: one transfer; fails unless every receiver got an
# identical copy (netns.sh's exit status)
shape() {
	local name=$1
	shift
	log "$name: $*"
	if ! timeout -k 5 150 "$TOPO" "$@" -e all -s 131072 >"$T/$name.log" 2>&1; then
		tail -40 "$T/$name.log"
		fail "$name: not every receiver got an identical copy"
	fi
	grep -E '^delivered:' "$T/$name.log"
}

# rdata_out LOG ROUTER PEER: RDATA the router put on its link to PEER
# (the "forwarded" column of the report)
rdata_out() {
	awk -v r="$2" -v c="$3" '$1 == r && $2 == c && NF == 6 { print $4 }' "$1"
}

shape line line -H 2 -l r1:r2:0.05
shape star star -n 4 -l r1:rcv2:0.1
shape tree tree -n 8 -l r1:r2:0.05 -l r4:rcv1:0.1
shape diamond diamond -l r1:r2:0.05

[ "$(rdata_out "$T/star.log" r1 rcv2)" -gt 0 ] || fail "star: no RDATA on the lossy link to rcv2"
for i in 1 3 4; do
	n=$(rdata_out "$T/star.log" r1 "rcv$i")
	[ "$n" = 0 ] || fail "star: $n RDATA on the loss-free link to rcv$i"
done
pass "line, star, tree and diamond delivered everywhere; star repairs only on the lossy link"
