#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Start-up through a PGM router: the source's first SPM must reach the
# receivers before its data (RFC 3208 §6.2: a receiver NAKs only once it
# has seen an SPM, and an OpenPGM receiver starts its window at the first
# packet it sees). pgmned lifts every SPM into user space and lets ODATA
# through in the kernel, so data sent right behind the first SPM can
# overtake it. Here a slow router is made deterministic: r1 holds SPMs
# 40 ms (tests/tools/nfq_delay, before pgmned's rules) and drops the
# source's first ODATA (SQN 0).
#  - opgm_send with its default --spm-lead (100 ms): every receiver gets
#    the whole file, SQN 0 repaired through pgmned;
#  - the control, --spm-lead 0: the data overtakes the SPM, the receivers
#    never learn of SQN 0 and their copies lack block 0. This proves the
#    set-up produces the race the first case avoids.
# shellcheck source=tests/system/lib.sh
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd python3
require_bin pgmned pgmnectl opgm_send opgm_recv nfq_delay

SIZE=$((64 * 1024))
N=2
DELAY_MS=40
DELAY_Q=$((400 + RANDOM % 100))
PGM_IS_ODATA="0>>22&0x3C@4>>24=0x04"
PGM_SQN_IS_0="0>>22&0x3C@16=0"

star_add "$N"
pgmned_start r1
bg_start r1 delay "$(bin nfq_delay)" -q "$DELAY_Q" -D "$DELAY_MS"
bg_wait_log delay "ready: queue" 10 || fail "nfq_delay did not start"
# Both rules in raw PREROUTING, on arrival: before the multicast forwarder
# (whichever it is) and before pgmned's queue at POSTROUTING.
# shellcheck disable=SC2046
nx r1 iptables -w -t raw -A PREROUTING -i "$(ifname r1 src)" $(lib_pgm_match spm) \
	-j NFQUEUE --queue-num "$DELAY_Q" --queue-bypass || die "SPM delay rule"
nx r1 iptables -w -t raw -N STARTUP_DROP0 || die "drop chain"
nx r1 iptables -w -t raw -A PREROUTING -i "$(ifname r1 src)" -p 113 -j STARTUP_DROP0 ||
	die "drop chain jump"
head -c "$SIZE" /dev/urandom >"$T/in.bin"

# drop_first_odata: (re)arm the drop of ODATA SQN 0 on the source link.
drop_first_odata() {
	nx r1 iptables -w -t raw -F STARTUP_DROP0
	nx r1 iptables -w -t raw -A STARTUP_DROP0 -m u32 --u32 "$PGM_IS_ODATA && $PGM_SQN_IS_0" \
		-j DROP || die "drop rule"
}
dropped() { nx r1 iptables -w -t raw -nvxL STARTUP_DROP0 | awk '$3 == "DROP" { print $1 }'; }

# transfer LEAD SECS: receivers, then the source with --spm-lead LEAD.
transfer() {
	drop_first_odata
	recv_start r1 "$N" "$2"
	bg_start src send "$(bin opgm_send)" -n "$(addr src r1);$GROUP" -p "$PORT" \
		-r 4000 -l "$2" --spm-lead "$1" "$T/in.bin"
}

transfer 100 30
recv_verify "$N" 40 "--spm-lead 100"
[ "$(dropped)" = 1 ] || fail "the drop rule dropped $(dropped) packets, not the first ODATA"
bg_stop send || true
repaired=$(nectl r1 -j show traffic | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(i["counters"].get("OutRdata", 0) for i in d["interfaces"]))') ||
	fail "pgmnectl -j show traffic did not answer"
log "--spm-lead 100: $N receivers complete; SQN 0 dropped once; RDATA out of r1: $repaired"
[ "$repaired" -ge "$N" ] || fail "only $repaired RDATA left r1 for $N receivers"

transfer 0 5
short=0
for i in $(seq 1 "$N"); do
	rc=0
	bg_wait "recv$i" 20 || rc=$?
	miss=$(recv_missing "$i")
	log "--spm-lead 0: receiver $i exited with $rc: $miss"
	[ "$rc" -ne 0 ] && [[ $miss == *"missing: 0"* ]] && short=$((short + 1))
done
[ "$(dropped)" = 1 ] || fail "control: the drop rule dropped $(dropped) packets"
[ "$short" -gt 0 ] ||
	fail "control: with --spm-lead 0 no receiver lost block 0: the set-up no longer shows the race"
bg_stop send || true
bg_running "pgmned-r1" || fail "pgmned died"
pass "with the SPM lead every receiver recovered SQN 0; without it $short of $N never asked for it"
