#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Independent check of our PGM decoder (common/wire_*.c): stock OpenPGM
# talks to itself through a plain multicast router with every tenth ODATA
# dropped, so the wire carries SPM, ODATA, NAK, NCF, RDATA and OPT_FIN
# as OpenPGM encodes them. (APDUs larger than one TPDU, which would add
# OPT_FRAGMENT, crash libpgm 5.3's pgm_send here, so the default one-ODATA
# APDU is used.) Every captured PGM packet must go
# through pgm_ip_parse + pgm_parse, checksum verified, without an error.
# shellcheck source=tests/system/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
require_mfwd
require_cmd dumpcap tshark editcap
require_bin opgm_send opgm_recv pgm_pcapcheck

SIZE=$((64 * 1024))

host_add src
router_add r1
host_add rcv
link_add src r1 10.0.1
link_add r1 rcv 10.0.2
route_default src r1
route_default rcv r1
mroute_add -s "$(addr src r1)" r1 src "$GROUP" rcv
mfwd_start r1
# Every tenth ODATA (the 6th, 16th, ...) dropped as r1 forwards it to
# rcv: deterministic, and silent (a drop on the sending host fails the
# sender's sendto, and OpenPGM just sends again).
lib_loss_chain r1
# shellcheck disable=SC2046
nx r1 iptables -t mangle -I PGMTEST_LOSS -o "$(ifname r1 rcv)" $(lib_pgm_match odata) \
	-m statistic --mode nth --every 10 --packet 5 -j DROP || die "loss rule"

cap_start r1 src up
cap_start r1 rcv down

head -c "$SIZE" /dev/urandom >"$T/in.bin"
bg_start rcv recv "$(bin opgm_recv)" -n "$(addr rcv r1);$GROUP" -p "$PORT" \
	-o "$T/out.bin" -c "$SIZE" -t 60
bg_wait_log recv listening 10 || fail "receiver did not start"
bg_start src send "$(bin opgm_send)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 4000 -l 30 "$T/in.bin"

rc=0
bg_wait recv 60 || rc=$?
[ "$rc" -eq 0 ] || fail "receiver exited with $rc"
same_file "$T/in.bin" "$T/out.bin" || fail "receiver's copy differs"
bg_stop send || true
cap_stop up
cap_stop down
log "loss rule dropped $(drops r1) ODATA"

for c in up down; do
	editcap -F pcap "$T/$c.pcapng" "$T/$c.pcap" || fail "editcap $c"
	"$(bin pgm_pcapcheck)" "$T/$c.pcap" >"$T/$c.check" 2>&1
	rc=$?
	cat "$T/$c.check"
	[ "$rc" -eq 0 ] || fail "our parser rejects OpenPGM packets captured on r1-$c"
done
# The run must have exercised the whole repair cycle, or it proves little.
for t in "type SPM" "type ODATA" "type NAK" "type NCF" "type RDATA"; do
	cat "$T/up.check" "$T/down.check" | grep -q "^$t " || fail "no $t captured"
done
pass "every OpenPGM packet ($(awk '$1=="frames"{n+=$4} END{print n}' "$T/up.check" "$T/down.check") PGM) parsed"
