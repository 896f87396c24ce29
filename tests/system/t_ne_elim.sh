#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# NAK elimination and constrained RDATA on a LAN star, from captures
# (RFC 3208 §7.3, §7.4, §7.8):
#
#   src ── r1 (pgmned) ─┬─ rcv1   ODATA with SQN % 8 == 3 dropped towards
#                       ├─ rcv2   rcv1, rcv2 and rcv3 (all three NAK the
#                       ├─ rcv3   same SQNs), plus 5 % at random to rcv1
#                       └─ rcv4   no loss
#
# Round "default": pgmned with its default timers (NAK_ELIM_IVL 100 ms,
# NAK_RDATA_IVL 2 s), not the long ones t_ne_basic uses. The first 5
# RDATA are also dropped as they enter r1: their repair state stays
# confirmed, the receivers NAK again after their 1 s RDATA wait, and r1
# must send that NAK up once more (NAK_ELIM_IVL is over, §7.4). Round "long":
# NAK_ELIM_IVL 5 s, NAK_RDATA_IVL 10 s, 10 % random ODATA loss towards
# rcv2 only (a previous session once counted RDATA on loss-free links
# with these timers; ELIM_LONG_RUNS=N repeats this round N times;
# ELIM_SEND=pgmsend sends with our own host stack instead of OpenPGM).
# Every round captures the source link (at the source) and every leaf
# link (at r1), and tests/tools/elim_check.py checks:
#  - on every leaf, each RDATA answers a NAK from that leaf since the
#    last RDATA there, whose repair state had not timed out (§7.8); no
#    NAK and no RDATA on a loss-free leaf;
#  - per SQN at the source, each NAK from r1 opens a repair cycle (no
#    repair outstanding: first, or an RDATA has passed), or comes
#    NAK_ELIM_IVL or more after the last NCF (§7.4), or is a retry of an
#    unconfirmed one (§7.3; bounded by r1's NakRetransmitted); each
#    non-retry NAK needs its own receiver NAK that arrived outside an
#    elimination window, so r1 never amplifies; in round "default" some
#    NAK goes up again after NAK_ELIM_IVL;
#  - the SQNs NAKed at the source are those NAKed below.
# And every receiver gets every byte; r1 eliminated some NAKs.
# shellcheck source=tests/system/lib.sh
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd dumpcap tcpdump python3 jq
require_bin pgmned pgmnectl opgm_send opgm_recv

export LC_ALL=C
CHECK=$(cd "$(dirname "$0")/../tools" && pwd)/elim_check.py
N=4
SIZE=$((300 * 1024))
LONG_RUNS=${ELIM_LONG_RUNS:-1}
# The source: OpenPGM (opgm_send) or, with ELIM_SEND=pgmsend, our own.
SEND=${ELIM_SEND:-opgm_send}
case $SEND in
opgm_send) LINGER=(-l 30) ;;
pgmsend) LINGER=(--linger 30) ;;
*) die "ELIM_SEND: opgm_send or pgmsend" ;;
esac
require_bin "$SEND"

# ned_default OPTION: pgmned's documented default (pgmned --help), the
# value it runs with when not given.
ned_default() {
	"$(bin pgmned)" --help | sed -n "/--$1 /{n;s/.*(default: \([0-9]*\)).*/\1/p;}"
}

# loss_sqn NODE PEER MASK VALUE: drop ODATA NODE sends to PEER whose
# SQN & MASK == VALUE: the same SQNs on every link it is applied to.
loss_sqn() {
	lib_loss_chain "$1"
	nx "$1" iptables -t mangle -A PGMTEST_LOSS -o "$(ifname "$1" "$2")" -p 113 -m u32 \
		--u32 "0>>22&0x3C@4>>24=0x04 && 0>>22&0x3C@16&$3=$4" -j DROP || die "loss rule in $1"
}

# counter NAME: r1's counter NAME summed over its interfaces
counter() { jq "[.interfaces[].counters.$1] | add" "$T/$LABEL-traffic.json"; }

# round LABEL CLEAN_LEAVES [PGMNED ARGS]: one transfer through a fresh
# star, r1's timers as in ELIM, RTE, RPT, RDATA (ms); the loss rules are
# set by the caller's LOSS function, the leaves in CLEAN_LEAVES (e.g.
# "4") must get no RDATA. With UP_LOST=N the first N RDATA are dropped
# entering r1 (and some NAK must go up again after NAK_ELIM_IVL).
round() {
	LABEL=$1
	local clean=$2 i rc
	shift 2
	star_add "$N"
	pgmned_start r1 "$@"
	LOSS
	[ "$UP_LOST" -eq 0 ] || drop_first -i r1 src rdata "$UP_LOST"
	cap_start src r1 "$LABEL-up"
	for i in $(seq 1 $N); do cap_start r1 "rcv$i" "$LABEL-down$i"; done

	head -c "$SIZE" /dev/urandom >"$T/in.bin"
	recv_start r1 "$N" 60
	bg_start src send "$(bin "$SEND")" -n "$(addr src r1);$GROUP" -p "$PORT" -r 4000 \
		"${LINGER[@]}" "$T/in.bin"
	recv_verify "$N" 70 "$LABEL"
	bg_running pgmned-r1 || fail "$LABEL: pgmned died during the transfer"
	bg_stop send || true
	cap_stop "$LABEL-up"
	for i in $(seq 1 $N); do cap_stop "$LABEL-down$i"; done
	nectl r1 -j show traffic >"$T/$LABEL-traffic.json" || fail "$LABEL: pgmnectl show traffic"
	[ "$(drops r1)" -gt 0 ] || fail "$LABEL: the loss rules dropped nothing"

	local not_r1
	not_r1=$(cap_pgm_sqns "$LABEL-up" "not src host $(addr r1 src)" | awk '$2 == "NAK"' | wc -l)
	[ "$not_r1" -eq 0 ] || fail "$LABEL: $not_r1 NAK SQNs reached the source not from r1"
	# what reached r1: not the first UP_LOST RDATA (captured at the source)
	cap_pgm_sqns "$LABEL-up" | awk -v n="$UP_LOST" '$2 == "RDATA" && n > 0 { n--; next } 1' \
		>"$T/$LABEL-up.txt"
	local args=(--elim-ms "$ELIM" --rte-ms "$RTE" --rpt-ivl-ms "$RPT" --rdata-ivl-ms "$RDATA"
		--retries "$(counter NakRetransmitted)" --up "$T/$LABEL-up.txt")
	[ "$UP_LOST" -eq 0 ] || args+=(--expect-repeat)
	for i in $(seq 1 $N); do
		cap_pgm_sqns "$LABEL-down$i" >"$T/$LABEL-down$i.txt"
		args+=(--leaf "rcv$i=$T/$LABEL-down$i.txt")
	done
	for i in $clean; do args+=(--clean "rcv$i"); done
	rc=0
	python3 "$CHECK" "${args[@]}" >"$T/$LABEL-check.out" 2>"$T/$LABEL-check.err" || rc=$?
	SUMMARY=$(cat "$T/$LABEL-check.out")
	log "$LABEL: $(drops r1) packets dropped by the loss rules; $SUMMARY; r1: NakEliminated" \
		"$(counter NakEliminated), NakRetransmitted $(counter NakRetransmitted)"
	if [ "$rc" -ne 0 ]; then
		head -20 "$T/$LABEL-check.err"
		fail "$LABEL: $(wc -l <"$T/$LABEL-check.err") elimination/RDATA violations"
	fi
	ELIMINATED=$(counter NakEliminated)
	rc=0
	pgmned_stop r1 || rc=$?
	[ "$rc" -eq 0 ] || fail "$LABEL: pgmned exited with $rc"
	lib_cleanup_nodes
}

ELIM=$(ned_default nak-elim-ivl) RTE=$(ned_default nak-rpt-rte)
RPT=$(ned_default nak-rpt-ivl) RDATA=$(ned_default nak-rdata-ivl)
[ -n "$ELIM" ] && [ -n "$RTE" ] && [ -n "$RPT" ] && [ -n "$RDATA" ] ||
	die "no defaults in pgmned --help"
LOSS() {
	local i
	for i in 1 2 3; do loss_sqn r1 "rcv$i" 0x7 0x3; done
	loss_add r1 rcv1 0.05 odata
}
UP_LOST=5
round default 4
[ "$ELIMINATED" -gt 0 ] || fail "default: r1 eliminated no NAK"
first=$SUMMARY

LOSS() { loss_add r1 rcv2 0.1 odata; }
UP_LOST=0 ELIM=5000 RDATA=10000
for ((run = 1; run <= LONG_RUNS; run++)); do
	round "long$run" "1 3 4" --nak-elim-ivl "$ELIM" --nak-rdata-ivl "$RDATA"
done
pass "default timers (NAK_ELIM_IVL $(ned_default nak-elim-ivl) ms): $first; long timers: $LONG_RUNS round(s)," \
	"RDATA only where NAKed"
