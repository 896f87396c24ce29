#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the router sends itself is never queued to pgmned; only forwarded
# copies and what is addressed to it are:
#
#   src ── r1 (pgmned; also an OpenPGM source of its own) ─┬─ rcv1
#                                                          └─ rcv2
#
# 1. An OpenPGM source running on r1 sends to a second group out of its
#    link to rcv1, every 10th ODATA dropped as it reaches rcv1 (a drop on
#    the sending host is an EPERM the source just retries): rcv1 gets every byte
#    (its NAKs reach the local source through pgmned's input chain, and
#    pgmned lets them through as it holds no state for that session),
#    pgmned records no session for it and counts none of its SPMs.
# 2. A transfer from src through r1 with ODATA loss into r1: pgmned sends
#    NCFs and NAKs of its own, and repairs from its repair cache. Every
#    one leaves with pgmned's own mark
#    (0x51000000, pgmned/pktmark.h), and the postrouting queue rule
#    queued exactly the forwarded copies that pgmned's prerouting chain
#    tagged, nothing the host sent (a counting chain of ours, priority
#    -201, just before pgmned's postrouting chain, counts both).
# shellcheck source=tests/system/lib.sh
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd nft jq
require_bin pgmned pgmnectl opgm_send opgm_recv

SIZE=$((100 * 1024))
G2=239.192.0.2
TAG=0x50000000
OWN=0x51000000

star_add 2
pgmned_start r1
Q=$(nx r1 nft -j list tables | jq -r '.nftables[].table? // empty | .name' | sed -n 's/^pgmned-q//p')
[ -n "$Q" ] || fail "pgmned's table not found"

# Our counting chain: what leaves r1 tagged by pgmned's prerouting chain,
# what leaves with pgmned's own mark, at priority -201 (pgmned: -200).
nx r1 nft -f - <<EOF || die "counting chain"
table ip t-local {
	chain post {
		type filter hook postrouting priority -201; policy accept;
		ip protocol 113 meta mark & 0xff000000 == $TAG counter comment "tagged"
		ip protocol 113 meta mark == $OWN counter comment "own"
	}
}
EOF
counted() {
	nx r1 nft -j list chain ip t-local post |
		jq --arg c "$1" '[.nftables[].rule? // empty | select(.comment == $c) | .expr[] |
			.counter? // empty | .packets] | add // 0'
}
queued_post() {
	nx r1 nft -j list chain ip "pgmned-q$Q" postrouting |
		jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets] | add // 0'
}
counter() {  # counter NAME: pgmnectl's per-interface NAME summed over interfaces
	nectl r1 -j show traffic | jq --arg c "$1" '[.interfaces[].counters[$c] // 0] | add'
}

# --- 1. a PGM source on the router itself
head -c "$SIZE" /dev/urandom >"$T/in.bin"
nx rcv1 iptables -w -t raw -A PREROUTING -i "$(ifname rcv1 r1)" $(lib_pgm_match odata) \
	-m statistic --mode nth --every 10 --packet 5 -j DROP || die "loss rule"
bg_start rcv1 lrecv "$(bin opgm_recv)" -n "$(addr rcv1 r1);$G2" -p "$PORT" -o "$T/local.bin" \
	-c "$SIZE" -t 60
bg_wait_log lrecv listening 10 || fail "receiver did not start"
bg_start r1 lsend "$(bin opgm_send)" -n "$(addr r1 rcv1);$G2" -p "$PORT" -r 4000 -l 30 "$T/in.bin"
rc=0
bg_wait lrecv 60 || rc=$?
[ "$rc" -eq 0 ] || fail "rcv1 did not get the router's own transfer (exit $rc)"
same_file "$T/in.bin" "$T/local.bin" || fail "rcv1's copy of the router's own transfer differs"
bg_stop lsend || true
ldrops=$(nx rcv1 iptables -w -t raw -nvxL PREROUTING | awk '$3 == "DROP" { s += $1 } END { print s + 0 }')
[ "$ldrops" -gt 0 ] || fail "no ODATA of the local source was dropped"
sessions=$(nectl r1 -j show sessions | jq '.sessions | length')
[ "$sessions" -eq 0 ] || fail "pgmned holds $sessions sessions of the router's own source"
[ "$(counter InSpms)" -eq 0 ] || fail "pgmned counted $(counter InSpms) SPMs of the router's own source"
[ "$(queued_post)" -eq "$(counted tagged)" ] ||
	fail "postrouting queued $(queued_post) packets, $(counted tagged) were tagged"
log "local source: rcv1 complete after $ldrops drops; its NAKs passed pgmned" \
	"($(counter InNakNoSessionErrors) without a session), no session, no SPM judged"

# --- 2. pgmned's own NCFs and NAKs
nx r1 iptables -w -t raw -A PREROUTING -i "$(ifname r1 src)" $(lib_pgm_match odata) \
	-m statistic --mode nth --every 10 --packet 3 -j DROP || die "loss rule"
recv_start r1 2 60
bg_start src send "$(bin opgm_send)" -n "$(addr src r1);$GROUP" -p "$PORT" -r 4000 -l 30 \
	"$T/in.bin"
recv_verify 2 90
bg_stop send || true
ncfs=$(counter OutNcfs) naks=$(counter OutNaks) cached=$(counter RdataFromCache)
[ "$ncfs" -gt 0 ] && [ "$naks" -gt 0 ] || fail "pgmned sent $ncfs NCFs and $naks NAKs: no loss?"
own=$(counted own)
[ "$own" -eq $((ncfs + naks + cached)) ] ||
	fail "$own packets left with pgmned's mark; it sent $ncfs NCFs, $naks NAKs and $cached repairs from its cache"
[ "$(queued_post)" -eq "$(counted tagged)" ] ||
	fail "postrouting queued $(queued_post) packets, $(counted tagged) were tagged copies"
pass "the router's own source untouched; pgmned's $ncfs NCFs, $naks NAKs and $cached cached repairs carried its mark," \
	"and postrouting queued the $(counted tagged) tagged copies only"
