#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pgmnectl against a running pgmned: a router between an OpenPGM source
# and two receivers, ODATA lost on the way in. What pgmnectl -j shows
# must be what the wire shows:
#  - show interfaces: the three links, their addresses, PGM on;
#  - show sessions: the one TSI, its group, source and upstream link;
#  - show traffic: per-interface counters equal the PGM packets counted
#    by iptables on each link (SPMs in, NAKs in and out, NCFs and RDATA
#    out), and at least one repair happened; nothing counted malformed;
#  - clear traffic zeroes them, clear rtx-state empties show state;
#  - --prometheus carries the same numbers;
#  - a stopped daemon is "daemon not running" (exit 4), an unknown
#    command exit 2 with the list of commands.
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd jq
require_bin pgmned pgmnectl opgm_send opgm_recv

SIZE=$((100 * 1024))
Q=$((300 + RANDOM % 100))
RCVS="rcv1 rcv2"

star_add 2 # rcv1, rcv2 = $RCVS

# iptables counts what is on the wire at r1 (after the loss rule below)
count_add r1 src in spm
count_add r1 src out nak
count_add r1 src in rdata
for r in $RCVS; do
	count_add r1 "$r" in nak
	count_add r1 "$r" out ncf
	count_add r1 "$r" out rdata
done

bg_start r1 pgmned-r1 "$(bin pgmned)" -d -q "$Q" -s "$T/r1.ctl" \
	--nak-elim-ivl 3000 --nak-rdata-ivl 3000
bg_wait_log pgmned-r1 "ready: queue $Q" 15 || fail "pgmned did not start"

# jqc FILTER CMD...: run pgmnectl -j CMD and test its output with jq -e FILTER
jqc() {
	local f=$1; shift
	nectl r1 -j "$@" >"$T/j.json" || fail "pgmnectl -j $* failed"
	jq -e "$f" "$T/j.json" >/dev/null || { cat "$T/j.json"; fail "pgmnectl -j $*: not $f"; }
}

jqc '.sessions == []' show sessions
for r in src $RCVS; do
	jqc "[.interfaces[] | select(.name == \"$(ifname r1 "$r")\" and
	      .address == \"$(addr r1 "$r")\" and .enabled and .up)] | length == 1" show interfaces
done

# Every 20th ODATA dropped (5 of the 100), not 5 % at random: with only
# 100 ODATA, random loss drops none in about 1 run of 170, and then there
# is no repair for the counters to show.
# shellcheck disable=SC2046
nx r1 iptables -t raw -A PREROUTING -i "$(ifname r1 src)" $(lib_pgm_match odata) \
	-m statistic --mode nth --every 20 --packet 7 -j DROP || die "loss rule"

head -c "$SIZE" /dev/urandom >"$T/in.bin"
for r in $RCVS; do
	bg_start "$r" "recv-$r" "$(bin opgm_recv)" -n "$(addr "$r" r1);$GROUP" -p "$PORT" \
		-o "$T/out-$r.bin" -c "$SIZE" -t 60
	bg_wait_log "recv-$r" listening 10 || fail "receiver $r did not start"
done
bg_start src send "$(bin opgm_send)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 2000 -l 30 \
	"$T/in.bin"

# while the transfer runs, the session is there
jq_session() {
	nectl r1 -j show sessions | jq -e --arg g "$GROUP" --arg s "$(addr src r1)" \
		--arg u "$(ifname r1 src)" \
		'.sessions | length == 1 and .[0].group == $g and .[0].source == $s and
		 .[0].upstream_interface == $u and .[0].spm_sqn >= 0' >/dev/null
}
wait_for 20 jq_session || fail "show sessions: no session for $GROUP from $(addr src r1)"

# Complete delivery is t_ne_basic's subject; here the counters are, and
# they must match the wire whatever happened. A failed transfer is noted.
for r in $RCVS; do
	rc=0
	bg_wait "recv-$r" 90 || rc=$?
	[ "$rc" -eq 0 ] && same_file "$T/in.bin" "$T/out-$r.bin" ||
		log "NOTE: receiver $r did not complete (exit $rc): $(tail -1 "$T/recv-$r.log")"
done
bg_stop send || true
# let the last repair states run out (retries would still move counters)
no_pending() { nectl r1 -j show state | jq -e '[.repair_states[] | select(.state == "pending")] == []'; }
wait_for 15 no_pending || fail "repair states stay pending"

# --- counters equal the wire ---
nectl r1 -j show traffic >"$T/traffic.json" || fail "show traffic"
cnt() {  # cnt PEER COUNTER: the counter of r1's interface towards PEER
	jq -r --arg i "$(ifname r1 "$1")" --arg c "$2" \
		'.interfaces[] | select(.name == $i) | .counters[$c]' "$T/traffic.json"
}
check() {  # check PEER COUNTER DIR TYPE
	local shown wire
	shown=$(cnt "$1" "$2") wire=$(count_get r1 "$1" "$3" "$4")
	log "$(ifname r1 "$1") $2 = $shown, on the wire $wire"
	[ "$shown" = "$wire" ] || fail "$(ifname r1 "$1") $2 is $shown, the wire says $wire"
}
check src InSpms in spm
check src OutNaks out nak
naks=0 ncfs=0 rdata=0
for r in $RCVS; do
	check "$r" InNaks in nak
	check "$r" OutNcfs out ncf
	check "$r" OutRdata out rdata
	naks=$((naks + $(cnt "$r" InNaks)))
	rdata=$((rdata + $(cnt "$r" OutRdata)))
done
[ "$(count_get r1 src in spm)" -gt 0 ] || fail "no SPM reached the router"
[ "$naks" -gt 0 ] && [ "$rdata" -gt 0 ] || fail "no repair happened (NAKs $naks, RDATA $rdata)"
jq -e '.malformed | add == 0' "$T/traffic.json" >/dev/null || fail "malformed packets counted"

# Prometheus shows the same numbers
nectl r1 show traffic --prometheus >"$T/prom" || fail "--prometheus"
v=$(awk -v m="pgmne_in_naks_total{interface=\"$(ifname r1 rcv1)\"}" '$1 == m { print $2 }' "$T/prom")
[ "$v" = "$(cnt rcv1 InNaks)" ] || fail "Prometheus InNaks of rcv1 is '$v', JSON $(cnt rcv1 InNaks)"

# --- clearing ---
nectl r1 clear traffic >/dev/null || fail "clear traffic"
jqc '[.interfaces[].counters[]] | add == 0' show traffic
jqc '.cleared_repair_states >= 0' clear rtx-state
jqc '.repair_states == []' show state

# --- errors ---
rc=0
nectl r1 frobnicate 2>"$T/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'commands: show interfaces' "$T/err" || fail "unknown command: exit $rc"
pgmned_stop r1 || fail "pgmned did not stop cleanly"
rc=0
nectl r1 show sessions 2>"$T/err" || rc=$?
[ "$rc" -eq 4 ] && grep -q '^pgmnectl: daemon not running' "$T/err" ||
	fail "stopped daemon: exit $rc, $(cat "$T/err")"
pass "pgmnectl's counters match the wire; clear, errors"
