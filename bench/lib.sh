# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Benchmark helpers, sourced after tests/system/lib.sh (which provides the
# namespaces, links, the multicast forwarder, pgmned and the teardown trap): counters,
# machine description, medians and result rows.

# count_rule NODE: count (and drop) PGM arriving in NODE before routing,
# so the sink's own stack costs nothing.
count_rule() {
	nx "$1" iptables -w -t raw -A PREROUTING -p 113 -j DROP
}

# ingress_sink NODE DEV: drop the PGM arriving on DEV in NODE at tc ingress,
# before the IP stack (counted as the clsact qdisc's "dropped"). With veth
# the receiver's work runs in the sender's context and is charged to it;
# this keeps that artefact as small as a sink on a veth can (docs/bench.md
# section 3). A classic BPF classifier in direct-action mode (this kernel
# has no gact for "action drop", and an nftables netdev chain costs
# more): the IP protocol byte (Ethernet header + 9: tc ingress runs the
# program from the MAC header) == 113 -> TC_ACT_SHOT (2), else
# TC_ACT_UNSPEC (-1).
ingress_sink() {
	nx "$1" tc qdisc add dev "$2" clsact &&
	nx "$1" tc filter add dev "$2" ingress protocol ip pref 1 bpf da \
		bytecode '4,48 0 0 23,21 0 1 113,6 0 0 2,6 0 0 4294967295'
}

# count NODE: packets the counting rule has seen.
count() {
	nx "$1" iptables -w -t raw -L PREROUTING -v -x -n |
		awk '$3 == "DROP" && ($4 == "113" || $4 == "pgm") { s += $1 } END { print s + 0 }'
}

# Machine description, printed by every benchmark.
bench_machine() {
	local cpu
	cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	echo "machine: nproc=$(nproc) cpu=\"$cpu\" kernel=$(uname -r)" \
		"loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\"" "forwarder=$(mfwd_name)"
}

# kv KEY LINE: value of KEY=... in a key=value line.
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n1; }

# Median of the numbers on stdin.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print 0; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# result NAME METRIC VALUE TARGET VERDICT: one summary row, printed and
# appended to $BENCH_SUMMARY (tab-separated) when run.sh set it.
result() {
	printf 'result: %-12s %-36s %14s %10s %s\n' "$@"
	[ -n "${BENCH_SUMMARY:-}" ] && printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$BENCH_SUMMARY"
	return 0
}

# verdict VALUE OP TARGET: PASS or MISS (OP is >= or <=).
verdict() {
	awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
		ok = (op == ">=") ? (v + 0 >= t + 0) : (v + 0 <= t + 0)
		print ok ? "PASS" : "MISS" }'
}

# pin PID CPU: keep a process we started on one core.
pin() { taskset -p -c "$2" "$1" >/dev/null; }

# bench_line A R B: the namespace benchmarks' line,
#   A --(10.0.1.0/24)-- R --(10.0.2.0/24)-- B
# with R forwarding (A's address, $GROUP) from A to B through the
# multicast forwarder lib.sh chose (smcroute on a kernel with multicast
# routing, an nftables dup table without; PGMNE_MFWD forces one), which
# every benchmark prints: baseline and router under test use the same.
bench_line() {
	local a=$1 r=$2 b=$3
	host_add "$a"; router_add "$r"; host_add "$b"
	link_add "$a" "$r" 10.0.1
	link_add "$r" "$b" 10.0.2
	route_default "$a" "$r"
	route_default "$b" "$r"
	mroute_add -s "$(addr "$a" "$r")" "$r" "$a" "$GROUP" "$b"
	mfwd_start "$r"
}
