#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Experiment, not a target: what one NCF costs the router to send, by the
# path pgmned uses (a raw IPv4 socket, IP_HDRINCL, IP_MULTICAST_LOOP off:
# route lookup, ip_mr_output / ip_finish_output, the qdisc, veth_xmit)
# against an AF_PACKET socket on the interface with the group's multicast
# MAC (pgmgen -E: no routing, no IP output path, no OUTPUT firewall, no
# qdisc). pgmned does not do the latter: it would bypass the router's own
# OUTPUT rules and qdisc semantics (docs/bench.md section 3).
#
#   rtr --(10.0.2.0/24)-- rcv
#
# rtr is a multicast router (bench_line: the group routed from another
# source) as in nak_flood.sh; pgmgen -m ncf sends NCFs for 64 TSIs to the
# group out of rtr's rcv-side interface, pinned to CPU 1, in rounds
# R P P R R P... (R = raw IP socket, P = AF_PACKET); rcv drops them at tc
# ingress (ingress_sink, bench/lib.sh). With veth, rcv's receive up to
# that drop runs in the sender's context and is counted in its CPU time
# in both modes. Rate = NCFs sent per CPU-second of pgmgen (getrusage);
# the row is the median ratio P/R.
#
# usage: ncf_send.sh [--rounds N] [--seconds S]
rounds=6
seconds=3
while [ $# -gt 0 ]; do
	case $1 in
	--quick) rounds=2; seconds=1 ;;
	--rounds) rounds=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	*) echo "usage: $0 [--quick] [--rounds N] [--seconds S]" >&2; exit 2 ;;
	esac
	shift
done

# shellcheck source=bench/netns_env.sh
. "$(dirname "$0")/netns_env.sh"
require_mfwd
require_cmd taskset tc
require_bin pgmgen

GROUP=239.192.77.1
bench_line src rtr rcv
ingress_sink rcv "$(ifname rcv rtr)" || die "sink on rcv"

echo "ncf_send: NCFs sent per CPU-second by rtr, R = raw IPv4 socket (pgmned's path)," \
	"P = AF_PACKET with the multicast MAC (experiment)"
echo "config: rounds=$rounds seconds=$seconds cpu=1 tsis=64"
bench_machine

# one MODE: "sent/cpu-s" of one round (-E for AF_PACKET).
one() {
	local out ether=()
	[ "$1" = P ] && ether=(-E)
	out=$(nx rtr taskset -c 1 "$(bin pgmgen)" -m ncf -s "$(addr rtr rcv)" -d "$GROUP" \
		-g "$GROUP" -S "$(addr src rtr)" -I "$(ifname rtr rcv)" -t 64 -q 4096 \
		-T "$seconds" "${ether[@]}") || return 1
	awk -v s="$(kv sent "$out")" -v c="$(kv cpu "$out")" -v t="$(kv seconds "$out")" \
		'BEGIN { printf "%.0f %.0f\n", (c > 0 ? s / c : 0), (t > 0 ? s / t : 0) }'
}

: >"$T/R"; : >"$T/P"
order=(R P P R)
for ((i = 0; i < rounds; i++)); do
	m=${order[i % 4]}
	r=$(one "$m") || die "round $i ($m) failed"
	# shellcheck disable=SC2086 # two numbers, split on purpose
	printf 'round %2d %s per-cpu-s=%s wall/s=%s\n' "$i" "$m" $r
	echo "$r" >>"$T/$m"
done
r=$(cut -d' ' -f1 "$T/R" | median)
p=$(cut -d' ' -f1 "$T/P" | median)
result ncf_send "raw IPv4 NCFs per cpu-s" "$r" "-" "info"
result ncf_send "AF_PACKET NCFs per cpu-s" "$p" "-" "info"
result ncf_send "ratio AF_PACKET/raw" \
	"$(awk -v a="$p" -v b="$r" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')" "-" "info"
