#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ODATA forwarding cost of the network element.
#
#   gen --(10.0.1.0/24)-- rtr --(10.0.2.0/24)-- sink
#
# pgmgen multicasts ODATA from gen as fast as it can, through an AF_PACKET
# socket (cheaper than the IP stack, so the router's share of the work is
# large); the multicast forwarder on rtr (smcroute, or an nftables dup
# table on a kernel without multicast routing: bench_line) forwards it
# in every mode; the sink counts (and drops) it in
# raw PREROUTING. veth hands each packet on in the sender's softirq, so
# generator, router and sink all run on CPU 0 and the rate at the sink is
# 1 / (generator + router + sink cost per packet): any cost pgmned adds
# to the router lowers it. pgmned runs on CPU 1 (ODATA never reaches it;
# its kernel rule accepts ODATA before NFQUEUE). B runs pgmned as it
# comes: its own nftables table (--rules nft).
#
# Rounds are short and come in blocks "A X X A" (X = B, or F and R with
# --explain), so every X round has an A round next to it: the ratio of
# each X round's rate to its neighbouring A round's is one sample of the
# effect, taken at the machine's state of that moment (slow drift in the
# neighbours' load cancels). Two rates per round:
#   wall  packets at the sink per second of wall time
#   cpu   packets at the sink per CPU-second spent on them: pgmgen's own
#         user+system time (the kernel charges the softirq work it runs on
#         its way out of sendmmsg, i.e. the whole forwarding, to it; this
#         kernel has no IRQ_TIME_ACCOUNTING) plus the run time of
#         ksoftirqd/0 (softirq work deferred to the kernel thread), read
#         in nanoseconds from /proc/PID/schedstat.
#         Another tenant's process on CPU 0 lowers "wall" but not "cpu",
#         so "cpu" is the steadier figure on a shared machine.
# Result: the median of the per-pair cpu-rate ratios, with a distribution-
# free 95 % confidence interval of that median (order statistics) and the
# interquartile range of the pair ratios; target: median >= 0.98. The
# adjacent A A rounds between blocks give the same statistics for a null
# effect (A/A): how far this machine's noise alone moves the ratio.
# Because the generator's and the sink's costs are in both, the
# router-only slowdown is larger than 1 - ratio; docs/bench.md discusses
# it.
#
# --explain adds blocks with three more modes that split B's cost:
#   F  one rule, iptables mangle POSTROUTING -p 113 -j ACCEPT, where
#      every forwarder's copies pass (the price of any rule on that hook,
#      and the floor of any rule set that judges the copies)
#   R  pgmned's own table without the daemon: pgmned started and killed
#      with -9, which leaves its table as it was (--queue-bypass lets
#      the rest of PGM through); deleted when the block ends
#   I  pgmned running with --rules iptables (its fallback rule set)
# --fallback adds mode I alone.
# --try RULES (repeatable) adds a mode Xk: that file in the router, no
#   daemon: a candidate rule set measured against the same A rounds
#   (bench/odata_rules/ has ours). A file ending in .nft is loaded with
#   nft -f (and its tables deleted after the block), any other with
#   iptables-restore (filter table, --noflush).
# --perf records CPU 0 (perf record -e cpu-clock, perf itself on CPU 1)
#   during every round and takes, from the samples of the generator's
#   process and ksoftirqd/0 (the whole forwarding chain), the share in
#   netfilter functions. Per pair, (1 - share_m) / (1 - share_A) is the
#   cpu-rate ratio that share implies if the rest of the chain costs the
#   same: a second estimate, from one round's own samples, that the
#   neighbours' cache and scheduling noise moves much less than a rate.
#
# usage: odata_fwd.sh [--quick] [--explain] [--fallback] [--perf] [--try RULES]...
#                     [--rounds N] [--seconds S] [--payload BYTES]
#   --rounds N: rounds per mode (N/2 blocks "A m m A" per mode)
# Needs root, a multicast forwarder, iptables, nft, jq and $BIN/pgmgen; without $BIN/pgmned it
# measures A only and exits 77 (skip).
rounds=40
seconds=1
payload=64
warmup=1
explain=0
fallback=0
perf=0
tries=()
usage="usage: $0 [--quick] [--explain] [--fallback] [--perf] [--try RULES]... [--rounds N] [--seconds S] [--payload BYTES]"
while [ $# -gt 0 ]; do
	case $1 in
	--quick) rounds=8; seconds=1; warmup=0 ;;
	--explain) explain=1 ;;
	--fallback) fallback=1 ;;
	--perf) perf=1 ;;
	--try) tries+=("$2"); shift ;;
	--rounds) rounds=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--payload) payload=$2; shift ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
	shift
done
case $rounds in '' | *[!0-9]*) echo "$usage" >&2; exit 2 ;; esac
blocks=$(((rounds + 1) / 2))

# shellcheck source=bench/netns_env.sh
. "$(dirname "$0")/netns_env.sh"
require_mfwd
require_cmd taskset nft jq
require_bin pgmgen
[ "$perf" = 1 ] && require_cmd perf
have_ne=1
if [ ! -x "$PGMNE_BIN/pgmned" ] || [ ! -x "$PGMNE_BIN/pgmnectl" ]; then
	have_ne=0
	explain=0
	fallback=0
	log "odata_fwd: pgmned/pgmnectl not built: baseline only (A A rounds)"
fi

GROUP=239.192.77.1
bench_line gen rtr sink
count_rule sink || die "counting rule"

# The modes, one block "A m m A" each in turn.
modes=(B)
[ "$explain" = 1 ] && modes=(B F R I)
[ "$explain" = 0 ] && [ "$fallback" = 1 ] && modes=(B I)
[ $have_ne -eq 0 ] && modes=(A)
for ((k = 0; k < ${#tries[@]}; k++)); do
	[ -r "${tries[k]}" ] || die "--try ${tries[k]}: cannot read"
	modes+=("X$((k + 1))")
	echo "mode X$((k + 1)): ${tries[k]}"
done
echo "odata_fwd: ODATA pps through a router, A = no pgmned, B = pgmned running"
echo "config: rounds=$rounds per mode, blocks=$blocks per mode of A m m A," \
	"modes=$(IFS=; echo "${modes[*]}") seconds=$seconds payload=$payload warmup=$warmup" \
	"perf=$perf gen+router+sink-cpu=0 pgmned-cpu=1"
bench_machine

# Run time of ksoftirqd/0 so far, in ns.
KSOFTIRQD=$(pgrep -x ksoftirqd/0 | head -n1)
ksoft_ns() { awk '{ print $1 }' "/proc/$KSOFTIRQD/schedstat" 2>/dev/null || echo 0; }

# The queue of the pgmned started last (tests/system/lib.sh numbers them).
ned_queue() { echo $((100 + LIB_QUEUE)); }
ned_start() {
	pgmned_start rtr -i "$(ifname rtr gen)" -i "$(ifname rtr sink)" "$@"
	pin "$(bg_pid pgmned-rtr)" 1
}
# nft_tables FILE: the tables an .nft file creates ("family name" lines)
nft_tables() { awk '$1 == "table" { print $2, $3 }' "$1"; }

# enter MODE / leave MODE: set the router up for a mode and back to plain.
# rtr's iptables rules are ours alone (private namespace): leaving F
# deletes its rule, leaving an iptables X flushes the filter table.
enter() {
	local x
	case $1 in
	B) ned_start ;;
	I) ned_start --rules iptables ;;
	F) nx rtr iptables -w -t mangle -A POSTROUTING -p 113 -j ACCEPT ;;
	R)
		ned_start
		bg_stop pgmned-rtr KILL >/dev/null 2>&1
		nx rtr nft list table ip "pgmned-q$(ned_queue)" >/dev/null 2>&1 ;;
	X*)
		x=${tries[${1#X} - 1]}
		case $x in
		*.nft) nx rtr nft -f "$x" ;;
		*) nx rtr iptables-restore -w 10 --noflush <"$x" ;;
		esac ;;
	esac
}
leave() {
	local x t
	case $1 in
	B | I) pgmned_stop rtr || log "pgmned exited with status $?" ;;
	R) nx rtr nft delete table ip "pgmned-q$(ned_queue)" 2>/dev/null ;;
	F) nx rtr iptables -w -t mangle -D POSTROUTING -p 113 -j ACCEPT ;;
	X*)
		x=${tries[${1#X} - 1]}
		case $x in
		*.nft) while read -r t; do
			# shellcheck disable=SC2086 # $t: family and name
			nx rtr nft delete table $t 2>/dev/null
		done < <(nft_tables "$x") ;;
		*) nx rtr iptables -w -F && nx rtr iptables -w -X ;;
		esac ;;
	esac
}

# Proof that a mode measured what it claims (ODATA stayed in the kernel):
# the packets of iptables' ACCEPT and RETURN rules in the tables pgmned's
# iptables form uses (I: ODATA returns untagged from its raw chain; X),
# or what the queue rules of pgmned's table counted (B, R: small, ODATA
# never reaches them).
chain_accepted() {
	local t
	for t in raw mangle filter; do
		nx rtr iptables -w -t "$t" -L -v -x -n 2>/dev/null
	done | awk '$3 == "ACCEPT" || $3 == "RETURN" { s += $1 } END { print s + 0 }'
}
nft_queued() {
	nx rtr nft -j list table ip "pgmned-q$(ned_queue)" 2>/dev/null |
		jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets] | add // 0'
}

PERF_PERIOD_NS=250000 # --perf: one sample per 250 us of CPU 0

# perf_share FILE PID PACKETS: "share ns" of the samples of PID (the
# generator, whose syscalls run the whole chain in softirq) and
# ksoftirqd/0 that fall in netfilter (nf_*, nft_*, the xt matches, BPF
# programs): the share of the chain's CPU time, and ns per packet.
perf_share() {
	perf report -i "$1" --pid="$2,$KSOFTIRQD" --sort sym --stdio -F sample,sym 2>/dev/null |
		awk -v n="$3" -v p="$PERF_PERIOD_NS" '/^#/ || NF < 3 { next }
			{ tot += $1; if ($NF ~ /^(nf_|nft_|xt_|u32_mt|bpf_mt|bpf_prog|__bpf_prog|ipt_)/) nf += $1 }
			END { printf "%.5f %.0f\n", tot ? nf / tot : 0, n ? nf * p / n : 0 }'
}

# flood: one run of the generator; leaves "sent_pps sink_pps sink_per_cpu_s
# packets nf_share nf_ns_per_packet" in $r (the last two 0 without --perf).
flood() {
	local before after out k0 k1 gp pp="" nf="0 0"
	before=$(count sink)
	k0=$(ksoft_ns)
	if [ "$perf" = 1 ]; then
		# perf itself on CPU 1, recording CPU 0
		taskset -c 1 perf record -q -e cpu-clock -c "$PERF_PERIOD_NS" -C 0 -o "$T/perf.data" \
			-- sleep $((seconds + 5)) >/dev/null 2>&1 &
		pp=$!
		sleep 0.2
	fi
	ip netns exec "$(ns gen)" taskset -c 0 "$(bin pgmgen)" -m odata -s "$(addr gen rtr)" \
		-d "$GROUP" -I "$(ifname gen rtr)" -E -T "$seconds" -l "$payload" -L 8 \
		>"$T/gen.out" &
	gp=$!
	wait "$gp" || return 1
	out=$(cat "$T/gen.out")
	k1=$(ksoft_ns)
	after=$(count sink)
	if [ -n "$pp" ]; then
		# the flood is over: stop recording (perf writes its file on SIGINT)
		kill -INT "$pp" 2>/dev/null
		wait "$pp"
		nf=$(perf_share "$T/perf.data" "$gp" $((after - before)))
	fi
	r=$(awk -v s="$(kv sent "$out")" -v t="$(kv seconds "$out")" -v n=$((after - before)) \
		-v c="$(kv cpu "$out")" -v k=$((k1 - k0)) -v nf="$nf" \
		'BEGIN { printf "%.0f %.0f %.0f %d %s\n", s / t, n / t, n / (c + k / 1e9), n, nf }')
}

: >"$T/seq"
prev=""
if [ "$warmup" = 1 ]; then
	flood || die "warm-up round failed"
	# shellcheck disable=SC2086 # $r: numbers, split on purpose
	printf 'warm-up  A sent_pps=%s sink_pps=%s sink_per_cpu_s=%s packets=%s (not counted)\n' \
		${r% * *}
fi
i=0
for ((b = 0; b < blocks; b++)); do
	for m in "${modes[@]}"; do
		for rm in A "$m" "$m" A; do
			[ "$rm" = "$m" ] && [ "$rm" != A ] && [ "$prev" != "$rm" ] &&
				{ enter "$rm" || die "round $i: cannot set up mode $rm"; }
			flood || die "round $i ($rm) failed"
			r6=${r#* * * * }
			r=${r%" $r6"}
			# shellcheck disable=SC2086 # $r, $r6: numbers, split on purpose
			printf 'round %3d %s sent_pps=%s sink_pps=%s sink_per_cpu_s=%s packets=%s' \
				"$i" "$rm" $r
			# shellcheck disable=SC2086 # $r6: two numbers
			[ "$perf" = 1 ] && printf ' netfilter_share=%s netfilter_ns_per_pkt=%s' $r6
			case $rm in
			B | R) printf ' queued-by-rule=%s' "$(nft_queued)" ;;
			I | X*) printf ' odata-accepted-in-kernel=%s' "$(chain_accepted)" ;;
			esac
			echo
			echo "$rm $r $r6" >>"$T/seq"
			[ "$rm" != A ] && [ "$prev" = "$rm" ] && leave "$rm"
			prev=$rm
			i=$((i + 1))
		done
	done
done

# pairs MODE COL: for every block "A m m A" of MODE, m's rate over its
# neighbouring A's (round 2 over round 1, round 3 over round 4); MODE A:
# the first A of a block over the last A of the block before (null effect).
# COL: 3 = wall rate, 4 = cpu rate (columns of $T/seq); 6 = netfilter's
# share s of the chain's samples (--perf), turned into the cpu-rate ratio
# it implies if all the difference is netfilter's: (1 - s_m) / (1 - s_A).
pairs() {
	awk -v m="$1" -v c="$2" '
	function q(x, a) { return c == 6 ? (1 - x) / (1 - a) : (a > 0 ? x / a : 0) }
	{ mode[NR] = $1; v[NR] = $c } END {
		for (i = 1; i + 3 <= NR; i += 4) {
			if (m == "A") {
				if (i > 1) printf "%.5f\n", q(v[i], v[i - 1])
				continue
			}
			if (mode[i + 1] != m) continue
			printf "%.5f\n%.5f\n", q(v[i + 1], v[i]), q(v[i + 2], v[i + 3])
		}
	}' "$T/seq"
}

# stats: "median ci_lo ci_hi iqr% n" of the numbers on stdin. The 95 %
# confidence interval of the median from order statistics (binomial,
# normal approximation): no assumption about the noise's distribution.
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		n = NR
		if (n == 0) { print "0 0 0 0 0"; exit }
		med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		h = 0.98 * sqrt(n)
		lo = int(n / 2 - h); if (lo < 1) lo = 1
		hi = int(n / 2 + 1 + h + 0.999); if (hi > n) hi = n
		q1 = v[int(0.25 * (n - 1)) + 1]; q3 = v[int(0.75 * (n - 1)) + 1]
		printf "%.4f %.4f %.4f %.1f %d\n", med, v[lo], v[hi], 100 * (q3 - q1) / med, n
	}'
}

# report MODE LABEL TARGET: result rows for one mode's pair ratios.
report() {
	local m=$1 label=$2 target=$3 st med
	st=$(pairs "$m" 4 | stats)
	read -r med lo hi iqr n <<<"$st"
	if [ "$target" = "-" ]; then
		result odata_fwd "cpu-rate ratio $label" "$med" "-" "info"
	else
		result odata_fwd "cpu-rate ratio $label" "$med" ">=$target" \
			"$(verdict "$med" '>=' "$target")"
	fi
	result odata_fwd "  95% CI of that median ($n pairs)" "$lo-$hi" "-" "info"
	result odata_fwd "  +-% of CI, IQR % of pair ratios" \
		"$(awk -v l="$lo" -v h="$hi" -v m="$med" 'BEGIN { printf "%.2f", 50 * (h - l) / m }'), $iqr" \
		"-" "info"
	st=$(pairs "$m" 3 | stats)
	result odata_fwd "wall-rate ratio $label" "${st%% *}" "-" "info"
	[ "$perf" = 1 ] || return 0
	st=$(pairs "$m" 6 | stats)
	read -r med lo hi iqr n <<<"$st"
	result odata_fwd "perf-estimated ratio $label" "$med" "-" "info"
	result odata_fwd "  95% CI of that median ($n pairs)" "$lo-$hi" "-" "info"
	result odata_fwd "netfilter share of chain, % ($m)" \
		"$(mode_col "$m" 6 | median | awk '{ printf "%.2f", 100 * $1 }')" "-" "info"
	result odata_fwd "netfilter ns per packet ($m)" "$(mode_col "$m" 7 | median)" "-" "info"
}

# mode_col MODE COL: column COL of MODE's rounds
mode_col() { awk -v m="$1" -v c="$2" '$1 == m { print $c }' "$T/seq"; }
a=$(mode_col A 4 | median)
result odata_fwd "pps per cpu-s, plain router" "$a" "-" "info"
result odata_fwd "sink pps, plain router" "$(mode_col A 3 | median)" "-" "info"
# The machine's noise on one figure, and on a ratio of two adjacent
# rounds that should be 1.
result odata_fwd "spread plain cpu-rate (max-min)/med, %" \
	"$(mode_col A 4 | sort -g | awk -v m="$a" '{ v[NR] = $1 } END {
		printf "%.1f", (m > 0 ? 100 * (v[NR] - v[1]) / m : 0) }')" "-" "info"
report A "plain/plain (null effect)" -
[ $have_ne -eq 1 ] || skip "odata_fwd: ratio needs pgmned"
result odata_fwd "pps per cpu-s, pgmned running" "$(mode_col B 4 | median)" "-" "info"
report B "pgmned/plain" 0.98
if [ "$explain" = 1 ]; then
	report F "1 ACCEPT rule/plain" -
	report R "pgmned table, no daemon/plain" -
fi
if [ "$explain" = 1 ] || [ "$fallback" = 1 ]; then
	report I "pgmned --rules iptables/plain" -
fi
for ((k = 0; k < ${#tries[@]}; k++)); do
	report "X$((k + 1))" "$(basename "${tries[k]}")/plain" -
done

