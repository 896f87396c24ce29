#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Control path: how many NAKs per second pgmned handles on one core,
# against the NFQUEUE ceiling (bench/nfq_null: receives and drops every
# packet without looking at it).
#
#   src --(10.0.1.0/24)-- rtr --(10.0.2.0/24)-- rcv
#
# src sends SPMs for TSIS sessions through rtr (so pgmned learns them and
# rewrites the path to its address on the rcv side); rcv then floods
# unicast NAKs at that address as fast as one core can (pgmgen, CPU 0),
# cycling over TSIS x SQNS distinct (TSI, SQN) pairs: every NAK gets an
# NCF back, every new pair creates repair state and goes upstream, repeats
# are eliminated. src and rcv count and drop what reaches them, in a tc
# ingress filter on their veth (the "sink", see below).
#
# The sink: with veth, a packet pgmned sends is received by the peer
# namespace in pgmned's own context (veth_xmit -> netif_rx, and the
# NET_RX softirq runs as the send path re-enables bottom halves), and
# this kernel charges those softirq ticks to pgmned's system time
# (tick accounting, no CONFIG_IRQ_TIME_ACCOUNTING). A real router's NIC
# would not run the receiver's stack on the router's CPU, so the sink is
# as cheap as it can be: dropped at ingress, before the IP stack
# (--sink ingress, the default). --sink prerouting is the old sink
# (iptables raw PREROUTING DROP: ip_rcv and a netfilter hook more per
# packet), kept for comparison.
#
# Rounds alternate N = nfq_null, D = pgmned with its default NCF rate
# limit (--ncf-ivl 10, RFC 3208 §7.2) and O = pgmned with it off
# (--ncf-ivl 0: an NCF for every NAK), all pinned to CPU 1 and on the
# same queue settings (4096 packets, fail-open, verdict DROP for NAKs
# addressed to us, as pgmned decides), in N D O O D N order after a
# warm-up round. nfq_null gets the same I/O as pgmned: up to 32 packets
# per recvmmsg() and one batch verdict per receive (-M 32 -B). Per round:
#   handled/s  D, O: InNaks on the rcv interface over the flood, from
#              pgmnectl -j show traffic, read the moment the flood ends;
#              N: packets nfq_null had verdicted by then (SIGUSR1)
#   per cpu-s  the same count over the program's own user+system time
#              (/proc/PID/stat), steadier than wall rates on a busy machine
# Targets: pgmned >= 250000 NAKs per CPU-second ("on one core") and
# >= 0.7 of nfq_null's per CPU-second rate. Wall rates are shown too, but
# on a shared 2-core machine a pinned program gets only its scheduler
# share of CPU 1, so they measure the neighbours as much as the program.
#
# Two scenarios, both with many TSIs:
#   implosion  TSIS x 16 distinct pairs: after the first NAK of a pair the
#              rest are duplicates (NCF only, eliminated: §7.4)
#   storm      TSIS x SQNS distinct pairs (default 262144): nearly every
#              NAK is new (state, NCF, NAK upstream, and that NAK's
#              retries, since nothing upstream answers with an NCF; while
#              pgmned is behind, its queue backlogged, the retries are
#              put off instead: retry-deferred, backlogs per round)
#   storm-answered  the storm, with src answering every NAK with an NCF
#              as a real source does (bench/ncf_echo on src, CPU 0): the
#              NE sends one NAK upstream per new pair and stops retrying
#              (§7.3), and handles the upstream NCF (queued, confirmed,
#              forwarded down). nfq_null rounds as in the storm.
#
# usage: nak_flood.sh [--quick] [--rounds N] [--seconds S] [--tsis T] [--sqns Q]
#                     [--scenario implosion|storm|storm-answered|both|all]
#                     [--sink ingress|prerouting] [--perf]
# --perf: perf record -g -e cpu-clock on pgmned through each D/O flood;
# the round line gets pgmned's samples split by the system call on their
# call chain (recv = recvmmsg on the queue, verdict = the verdict
# sendto, send = the NCF/NAK sendmmsg, epoll/timer, other kernel) and
# user space (engine = ne_* and the codec, the rest of pgmned and libs).
# "all" (the default) is all three; "both" is implosion and storm.
# Needs root, iptables, tc, jq and $BIN/{pgmgen,nfq_null,ncf_echo,pgmned,
# pgmnectl}; skips (77) when one is missing.
rounds=6
seconds=4
tsis=64
sqns=4096
sqns_implosion=16
which=all
sink=ingress
perf=0
warmup=1
while [ $# -gt 0 ]; do
	case $1 in
	--quick) rounds=3; seconds=1; warmup=0 ;;
	--scenario) which=$2; shift ;;
	--sink) sink=$2; shift ;;
	--perf) perf=1 ;;
	--rounds) rounds=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--tsis) tsis=$2; shift ;;
	--sqns) sqns=$2; shift ;;
	*) echo "usage: $0 [--quick] [--rounds N] [--seconds S] [--tsis T] [--sqns Q]" \
		"[--scenario implosion|storm|storm-answered|both|all] [--sink ingress|prerouting]" \
		"[--perf]" >&2
		exit 2 ;;
	esac
	shift
done
case $sink in ingress|prerouting) ;; *) echo "nak_flood: --sink ingress|prerouting" >&2; exit 2 ;; esac

# shellcheck source=bench/netns_env.sh
. "$(dirname "$0")/netns_env.sh"
require_mfwd
require_cmd taskset jq tc
require_bin pgmgen nfq_null ncf_echo pgmned pgmnectl
[ "$perf" = 1 ] && require_cmd perf

GROUP=239.192.77.1
NULLQ=77
STATES=1048576
bench_line src rtr rcv

# sink_add NODE PEER: count and drop the PGM arriving in NODE from PEER.
# ingress: tc ingress on the veth, before the IP stack (ingress_sink);
# prerouting: iptables raw PREROUTING (ip_rcv first).
sink_add() {
	if [ "$sink" = prerouting ]; then
		count_rule "$1"
		return
	fi
	ingress_sink "$1" "$(ifname "$1" "$2")"
}
# sink_del NODE: take NODE's sink away (ncf_echo must see the NAKs).
sink_del() {
	if [ "$sink" = prerouting ]; then
		nx "$1" iptables -w -t raw -D PREROUTING -p 113 -j DROP
	else
		nx "$1" tc qdisc del dev "$(ifname "$1" rtr)" clsact
	fi
}
sink_add src rtr || die "sink on src"
sink_add rcv rtr || die "sink on rcv"

echo "nak_flood: unicast NAKs handled per second, N = nfq_null (ceiling)," \
	"D = pgmned (NCF rate limit default, --ncf-ivl 10), O = pgmned --ncf-ivl 0"
echo "config: rounds=$rounds seconds=$seconds order=NDOODN+warmup gen-cpu=0 program-cpu=1" \
	"pgmned: --max-rstates $STATES, other settings default; nfq_null: -D -F -Q 4096 -B -M 32" \
	"sink=$sink"
bench_machine

# cputicks PID: user+system ticks of a process so far
cputicks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)

# snap: one snapshot of the counters that matter, as
# "InNaks OutNcfs UniqueNaks NakEliminated OutNaks-upstream QueueDrops rstates
#  NcfSuppressed NcfCoalesced InNcfs-upstream NakRetryDeferred QueueBacklogs"
snap() {
	nectl rtr -j show traffic |
		jq -r --arg r "$(ifname rtr rcv)" --arg s "$(ifname rtr src)" '
		(.interfaces[] | select(.name == $r) | .counters) as $d |
		(.interfaces[] | select(.name == $s) | .counters) as $u |
		"\($d.InNaks) \($d.OutNcfs) \($d.UniqueNaks) \($d.NakEliminated) \($u.OutNaks)" +
		" \(.health.QueueDrops // 0) \(.repair_states // 0)" +
		" \($d.NcfSuppressed // 0) \($d.NcfCoalesced // 0) \($u.InNcfs // 0)" +
		" \($u.NakRetryDeferred // 0) \(.health.QueueBacklogs // 0)"'
}

# perf_split FILE: pgmned's samples by where they were (see --perf), as
# "perf: recv=..% verdict=..% send=..% poll=..% kernel=..% engine=..% user=..%"
perf_split() {
	perf script -i "$1" -F ip,sym 2>/dev/null | awk '
	function done_sample() {
		if (!n) return
		c = "user"
		if (st ~ / __sys_recvmmsg| do_recvmmsg/) c = "recv"
		else if (st ~ / __sys_sendmmsg/) c = "send"
		else if (st ~ / __sys_sendto| netlink_sendmsg/) c = "verdict"
		else if (st ~ / do_epoll_wait| __x64_sys_epoll| timerfd| __x64_sys_read/) c = "poll"
		else if (kern) c = "kernel"
		else if (top ~ /^(ne_|pgm_|cksum|track_|retry_|run_list|dispatch|on_queued)/) c = "engine"
		cnt[c]++; tot++; n = 0; st = ""; kern = 0
	}
	NF == 0 { done_sample(); next }
	{ if (!n) { top = $2; kern = ($1 ~ /^ffff/) } n++; st = st " " $2 }
	END { done_sample()
		printf "perf:"
		split("recv verdict send poll kernel engine user", k, " ")
		for (i = 1; i <= 7; i++) printf " %s=%.1f%%", k[i], tot ? 100 * cnt[k[i]] / tot : 0
		printf " samples=%d\n", tot }'
}

flood() {
	nx rcv taskset -c 0 "$(bin pgmgen)" -m nak -s "$(addr rcv rtr)" -d "$(addr rtr rcv)" \
		-g "$GROUP" -S "$(addr src rtr)" -t "$tsis" -q "$sqns" -T "$seconds"
}

# Round of pgmned with --ncf-ivl $1 (empty: the default); leaves
# "offered handled/s handled/cpu-s" in $r and extra counters in $extra.
round_pgmned() {
	local pid k0 k1 out a b ivl=()
	[ -n "$1" ] && ivl=(--ncf-ivl "$1")
	pgmned_start rtr -i "$(ifname rtr src)" -i "$(ifname rtr rcv)" \
		--max-rstates "$STATES" --max-rstates-per-session "$STATES" "${ivl[@]}"
	pid=$(bg_pid pgmned-rtr)
	pin "$pid" 1
	nx src "$(bin pgmgen)" -m spm -s "$(addr src rtr)" -d "$GROUP" -I "$(ifname src rtr)" \
		-t "$tsis" -q "$sqns" -n "$tsis" -T 2 >/dev/null || return 1
	wait_for 5 test "$(nectl rtr -j show sessions | jq '.sessions | length')" -ge "$tsis" ||
		log "nak_flood: pgmned has fewer than $tsis sessions"
	if [ "$answered" = 1 ]; then
		bg_start src ncf_echo taskset -c 0 "$(bin ncf_echo)" -s "$(addr src rtr)" \
			-I "$(ifname src rtr)" -T $((seconds + 30))
		bg_wait_log ncf_echo '^ready' 5 || return 1
	fi
	read -r -a a <<<"$(snap)"
	local pp= pdata=$T/perf-$$-$RANDOM.data
	if [ "$perf" = 1 ]; then
		taskset -c 0 perf record -q -g -e cpu-clock -p "$pid" -o "$pdata" \
			-- sleep "$seconds" >/dev/null 2>&1 &
		pp=$!
	fi
	k0=$(cputicks "$pid")
	out=$(flood) || return 1
	k1=$(cputicks "$pid")
	[ -n "$pp" ] && wait "$pp"
	read -r -a b <<<"$(snap)"
	pgmned_stop rtr || log "pgmned exited with status $?"
	if [ "$answered" = 1 ]; then
		bg_stop ncf_echo TERM || true
		echo_out=$(grep naks= "$T/ncf_echo.log" | tail -n1)
	fi
	r=$(awk -v s="$(kv sent "$out")" -v t="$(kv seconds "$out")" -v n=$((b[0] - a[0])) \
		-v k=$((k1 - k0)) -v hz="$HZ" 'BEGIN {
		printf "%.0f %.0f %.0f\n", s / t, n / t, (k > 0 ? n * hz / k : 0) }')
	# What each handled NAK cost in packets sent: NCFs down, NAKs up
	# (first copies and retries while no NCF comes from upstream).
	extra="ncfs=$((b[1] - a[1])) unique=$((b[2] - a[2])) elim=$((b[3] - a[3]))"
	extra+=" up=$((b[4] - a[4])) qdrops=$((b[5] - a[5])) states=${b[6]}"
	extra+=" ncf-suppressed=$((b[7] - a[7])) ncf-coalesced=$((b[8] - a[8]))"
	# Retries put off while pgmned was behind, and how often it fell behind.
	extra+=" retry-deferred=$((b[10] - a[10])) backlogs=$((b[11] - a[11]))"
	[ "$answered" = 1 ] && extra+=" ncfs-from-src=$((b[9] - a[9])) echo:[$echo_out]"
	extra+=" cpu=$(((k1 - k0) * 100 / HZ))cs"
	if [ -n "$pp" ]; then
		extra+=" $(perf_split "$pdata")"
		rm -f "$pdata"
	fi
}
round_D() { round_pgmned ""; }
round_O() { round_pgmned 0; }

round_N() {
	local pid k0 k1 out n rule
	rule="INPUT -p 113 -j NFQUEUE --queue-num $NULLQ --queue-bypass"
	# shellcheck disable=SC2086
	nx rtr iptables -w -I $rule || return 1
	bg_start rtr nfq_null taskset -c 1 "$(bin nfq_null)" -q "$NULLQ" -D -F -Q 4096 -B -M 32 \
		-T $((seconds + 30))
	pid=$(bg_pid nfq_null)
	# /proc/net follows the reader's namespace: ask inside rtr.
	wait_for 5 nx rtr grep -q "^ *$NULLQ " /proc/net/netfilter/nfnetlink_queue ||
		return 1
	k0=$(cputicks "$pid")
	out=$(flood) || return 1
	k1=$(cputicks "$pid")
	kill -USR1 "$pid"
	wait_for 5 grep -q packets= "$T/nfq_null.log" || return 1
	n=$(kv packets "$(grep packets= "$T/nfq_null.log" | head -n1)")
	bg_stop nfq_null TERM || true
	# shellcheck disable=SC2086
	nx rtr iptables -w -D $rule
	r=$(awk -v s="$(kv sent "$out")" -v t="$(kv seconds "$out")" -v n="$n" \
		-v k=$((k1 - k0)) -v hz="$HZ" 'BEGIN {
		printf "%.0f %.0f %.0f\n", s / t, n / t, (k > 0 ? n * hz / k : 0) }')
	extra="cpu=$(((k1 - k0) * 100 / HZ))cs"
}

# scenario NAME TSIS SQNS [answered]: warm-up, then N/D rounds, then the
# result rows; with "answered", src confirms every NAK with an NCF.
scenario() {
	local name=$1 m i n_wall n_cpu offered
	# flood and round_D see these (bash scoping is dynamic)
	local tsis=$2 sqns=$3 answered=0 echo_out=
	[ "${4:-}" = answered ] && answered=1
	echo "--- $name: tsis=$tsis sqns=$sqns distinct=$((tsis * sqns))"
	: >"$T/N"; : >"$T/D"; : >"$T/O"
	if [ "$warmup" = 1 ]; then
		round_D || die "warm-up round failed"
		# shellcheck disable=SC2086 # $r: numbers, split on purpose
		printf 'warm-up  D offered=%s handled/s=%s per-cpu-s=%s %s (not counted)\n' $r "$extra"
	fi
	order=(N D O O D N)
	for ((i = 0; i < rounds; i++)); do
		m=${order[i % 6]}
		"round_$m" || die "round $i ($m) failed"
		# shellcheck disable=SC2086 # $r: numbers, split on purpose
		printf 'round %2d %s offered=%s handled/s=%s per-cpu-s=%s %s\n' "$i" "$m" $r "$extra"
		echo "$r" >>"$T/$m"
	done
	n_wall=$(col N 2 | median); n_cpu=$(col N 3 | median)
	offered=$(cat "$T/N" "$T/D" "$T/O" | cut -d' ' -f1 | median)
	result "$name" "offered NAKs/s (pgmgen, wall)" "$offered" "-" "info"
	result "$name" "nfq_null handled/s (wall)" "$n_wall" "-" "info"
	result "$name" "nfq_null NAKs per cpu-s (ceiling)" "$n_cpu" "-" "info"
	pgmned_rows "$name" D "ncf-ivl 10" "$n_wall" "$n_cpu"
	pgmned_rows "$name" O "ncf-ivl 0" "$n_wall" "$n_cpu"
}

col() { cut -d' ' -f"$2" "$T/$1"; }

# pgmned_rows NAME MODE LABEL NULL_WALL NULL_CPU: the rows of one pgmned mode.
pgmned_rows() {
	local name=$1 m=$2 label=$3 n_wall=$4 n_cpu=$5 d_wall d_cpu ratio
	[ -s "$T/$m" ] || return 0
	d_wall=$(col "$m" 2 | median); d_cpu=$(col "$m" 3 | median)
	result "$name" "pgmned ($label) handled/s (wall)" "$d_wall" "-" "info"
	ratio=$(awk -v a="$n_wall" -v b="$d_wall" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')
	result "$name" "wall ratio pgmned ($label)/null" "$ratio" "-" "info"
	result "$name" "pgmned ($label) NAKs per cpu-s" "$d_cpu" ">=250000" \
		"$(verdict "$d_cpu" '>=' 250000)"
	ratio=$(awk -v a="$n_cpu" -v b="$d_cpu" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')
	result "$name" "per-cpu-s ratio pgmned ($label)/null" "$ratio" ">=0.7" \
		"$(verdict "$ratio" '>=' 0.7)"
}
# implosion: many receivers NAK the same losses; after the first NAK per
# (TSI, SQN) the rest are eliminated (NCF only, nothing upstream).
# storm: every NAK names a new (TSI, SQN): state, NCF, NAK upstream and
# its retries (nobody upstream answers with an NCF).
case $which in
implosion|both|all) scenario nak_implosion "$tsis" "${sqns_implosion}" ;;
esac
case $which in
storm|both|all) scenario nak_storm "$tsis" "$sqns" ;;
esac
# storm-answered: the storm with an upstream that confirms every NAK.
case $which in
storm-answered|all)
	sink_del src || die "sink on src"
	scenario nak_storm_answered "$tsis" "$sqns" answered
	sink_add src rtr || die "sink on src" ;;
esac
