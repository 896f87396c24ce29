#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The repair cache (pgmned --repair-cache, engine/rcache.h): late askers
# repaired by the router from the RDATA it has just forwarded.
#
#   src ── r1 (pgmned) ─┬─ rcv1   NAK back-off 1 ms: asks first
#                       ├─ rcv2 ┐
#                       ├─ rcv3 ├ back-off up to 500 ms (OpenPGM draws it):
#                       └─ rcv4 ┘ most ask after the repair went by
#
# Every 10th ODATA is dropped as it enters r1, so all four receivers miss
# the same SQNs, each on a link of its own. Two transfers:
#  - control, --repair-cache 0: a receiver that NAKs after the repair has
#    passed r1 makes r1 ask the source again (RFC 3208 §7.8 ended the
#    state): the source hears some SQNs more than once and repeats them.
#    This shows the set-up produces late askers.
#  - with the cache (pgmned's default): every receiver gets every byte;
#    the source hears each lost SQN once and sends each repair once; r1
#    serves the late askers from its cache (RdataFromCache), each such
#    repair on the asking link carries the source's address.
# shellcheck source=tests/system/lib.sh
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd tshark dumpcap tcpdump python3 jq
require_bin pgmned pgmnectl opgm_send opgm_recv

SIZE=$((128 * 1024))
N=4

star_add "$N"
SRC=$(addr src r1)
nx r1 iptables -w -t raw -A PREROUTING -i "$(ifname r1 src)" $(lib_pgm_match odata) \
	-m statistic --mode nth --every 10 --packet 4 -j DROP || die "loss rule"
head -c "$SIZE" /dev/urandom >"$T/in.bin"
lost_now() { nx r1 iptables -w -t raw -nvxL PREROUTING | awk '$3 == "DROP" { s += $1 } END { print s + 0 }'; }

# transfer LABEL: the four receivers (rcv1 quick, the others spread), the
# source, captures of the source link and rcv4's link; every copy checked.
transfer() {
	local label=$1 i bo
	cap_start src r1 "up-$label"
	cap_start r1 rcv4 "down4-$label"
	for i in $(seq 1 $N); do
		bo=500
		[ "$i" = 1 ] && bo=1
		bg_start "rcv$i" "recv$i" "$(bin opgm_recv)" -n "$(addr "rcv$i" r1);$GROUP" -p "$PORT" \
			-o "$T/out$i.bin" -c "$SIZE" -t 40 --nak-bo-ms "$bo"
	done
	for i in $(seq 1 $N); do bg_wait_log "recv$i" listening 10 || fail "receiver $i did not start"; done
	bg_start src send "$(bin opgm_send)" -n "$SRC;$GROUP" -p "$PORT" -r 4000 -l 5 "$T/in.bin"
	recv_verify "$N" 60 "$label"
	bg_stop send || true
	cap_stop "up-$label"
	cap_stop "down4-$label"
}

# asked NAME: SQNs the source was asked for, one line each time
asked() { cap_pgm_sqns "$1" "dst host $SRC" | awk '$2 == "NAK" { print $3 }'; }
repaired() { cap_pgm_sqns "$1" "src host $SRC" | awk '$2 == "RDATA" { print $3 }'; }
counter() { nectl r1 -j show traffic | jq --arg c "$1" '[.interfaces[].counters[$c] // 0] | add'; }

# --- control: no cache
pgmned_start r1 --repair-cache 0
l0=$(lost_now)
transfer nocache
lost=$(($(lost_now) - l0))
[ "$lost" -gt 0 ] || fail "control: no ODATA dropped"
asks=$(asked up-nocache | wc -l) sqns=$(asked up-nocache | sort -un | wc -l)
reps=$(repaired up-nocache | wc -l)
control="asked $asks times for $sqns SQNs, $reps repairs"
log "control (--repair-cache 0): $lost SQNs lost, the source was asked $asks times for $sqns SQNs and sent $reps repairs"
[ "$asks" -gt "$sqns" ] ||
	fail "control: no SQN asked twice at the source: the set-up made no late askers"
[ "$(counter RdataFromCache)" -eq 0 ] || fail "control: repairs from a cache that is off"
pgmned_stop r1 || fail "pgmned exited with an error"

# --- with the cache
pgmned_start r1
l0=$(lost_now)
transfer cache
lost=$(($(lost_now) - l0))
[ "$lost" -gt 0 ] || fail "no ODATA dropped"
asks=$(asked up-cache | wc -l) sqns=$(asked up-cache | sort -un | wc -l)
reps=$(repaired up-cache | wc -l) rsqns=$(repaired up-cache | sort -un | wc -l)
served=$(counter RdataFromCache)
log "cache: $lost SQNs lost, the source was asked $asks times for $sqns SQNs and sent $reps repairs;" \
	"r1 repaired $served times from its cache"
[ "$asks" -eq "$sqns" ] || fail "with the cache the source was asked $asks times for $sqns SQNs"
[ "$reps" -eq "$rsqns" ] || fail "with the cache the source sent $reps repairs for $rsqns SQNs"
[ "$sqns" -le "$lost" ] || fail "the source was asked for $sqns SQNs, only $lost were lost"
[ "$served" -gt 0 ] || fail "no late asker was served from the cache"
# what rcv4's link carried from the cache: RDATA with the source's address
# that the source never sent a second time
from_src=$(cap_count down4-cache "pgm.hdr.type == 0x05 && ip.src == $SRC")
others=$(cap_count down4-cache "pgm.hdr.type == 0x05 && ip.src != $SRC")
[ "$others" -eq 0 ] || fail "$others RDATA on rcv4's link not from the source's address"
[ "$from_src" -gt 0 ] || fail "no RDATA on rcv4's link"
log "rcv4's link: $from_src RDATA, all with the source's address; $(counter NakCacheMisses) cache misses"
pass "late askers repaired from r1's cache: the source was asked once and repaired once per" \
	"lost SQN ($sqns of $lost), $served repairs came from the cache; without it the source was $control"
