#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/implosion.sh — NAK implosion and repair scoping: no network
# element, pgmned without its repair cache, pgmned with it.
#
#   scripts/implosion.sh [RECEIVERS...]      (default: 8 32 100)
#
# For each receiver count N: src — r1 — 4 leaf routers (r2..r5) — N
# receivers spread over the leaves (2 leaves for N < 16), each on a link
# of its own. 5 % of ODATA is dropped on the r1 → r2 link only, so the
# receivers behind r2 all miss the same SQNs and everybody else misses
# nothing. The same topology runs three times: routers without pgmned
# (plain multicast forwarding), pgmned on every router with
# --repair-cache 0, and pgmned with its default repair cache. Reported
# per run, from iptables counters:
#   NAKs/lost   NAKs that reached the source per SQN lost on r1 → r2;
#               r1's retries among them (§7.3: repeated every NAK_RPT_RTE
#               until the source's NCF comes)
#   RDATA/lost  repairs the source sent per SQN lost
#   waste       RDATA packets put on receiver links whose receivers lost
#               nothing (every link not below r2)
#   late askers the receiver links below r2 whose first NAK for an SQN
#               came after its repair had left r2 on another link, and
#               the time from that NAK to their repair (median, p95; one
#               capture of r2's receiver links, tests/tools/late_askers.py)
#   ok          receivers that ended with an identical file
# Sender opgm_send, receivers opgm_recv (stock OpenPGM 5.3, 50 ms NAK
# back-off). Needs root; PGMNE_BIN as for the tests; IMPLOSION_SIZE bytes
# per run (default 131072). Prints a Markdown table at the end.
. "$(dirname "$0")/../tests/system/lib.sh"
. "$(dirname "$0")/../topologies/topo.sh"
require_mfwd
require_bin pgmned pgmnectl opgm_send opgm_recv
require_cmd tshark dumpcap python3 jq
TOPO_SEND=opgm_send TOPO_RECV=opgm_recv TOPO_TIMEOUT=60
SIZE=${IMPLOSION_SIZE:-131072}
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(8 32 100)
ROWS=()

# r2_capture: every receiver link of r2 (the lossy subtree), one file
r2_capture() {
	local c args=()
	for c in ${TOPO_DOWN[r2]}; do args+=(-f "ip proto 113" -i "$(ifname r2 "$c")"); done
	rm -f "$T/r2.pcapng"
	bg_start r2 cap-r2 dumpcap -q "${args[@]}" -w "$T/r2.pcapng"
	wait_for 10 test -s "$T/r2.pcapng" || die "capture on r2 did not start"
}

# late_askers: "late=N median_ms=X p95_ms=Y ..." from r2's capture
late_askers() {
	bg_stop cap-r2 INT >/dev/null 2>&1 || true
	tshark -n -r "$T/r2.pcapng" -Y pgm -T fields -e frame.interface_name \
		-e frame.time_epoch -e pgm.hdr.type -e pgm.nak.sqn -e pgm.spm.sqn 2>/dev/null |
		"$LIB_TOOLS/late_askers.py"
}

# one_run LABEL: transfer, then the numbers for this run
one_run() {
	local label=$1 r c lost naks rsent waste=0 late retries=""
	r2_capture
	topo_transfer "$SIZE"
	late=$(late_askers)
	# NAKs r1 repeated to the source for want of its NCF (NAK_RPT_RTE)
	if [ ${#TOPO_NE[@]} -gt 0 ]; then
		retries=$(nectl r1 -j show traffic |
			jq '[.interfaces[].counters.NakRetransmitted // 0] | add')
	fi
	count_snapshot src "${TOPO_ROUTERS[@]}"
	lost=$(drops r1)
	naks=$(count_get src r1 in nak)
	rsent=$(count_get src r1 out rdata)
	for r in "${TOPO_ROUTERS[@]}"; do
		[ "$r" = r1 ] || [ "$r" = r2 ] && continue
		for c in ${TOPO_DOWN[$r]}; do waste=$((waste + $(count_get "$r" "$c" out rdata))); done
	done
	count_snapshot_drop
	local per="n/a" rper="n/a"
	if [ "$lost" -gt 0 ]; then
		per=$(awk -v a="$naks" -v b="$lost" 'BEGIN { printf "%.2f", a / b }')
		rper=$(awk -v a="$rsent" -v b="$lost" 'BEGIN { printf "%.2f", a / b }')
	fi
	local nlate med p95
	nlate=$(kv late "$late") med=$(kv median_ms "$late") p95=$(kv p95_ms "$late")
	ROWS+=("| $N | $label | $lost | $naks | $per | ${retries:--} | $rsent | $rper | $waste | $nlate | $med / $p95 | $TOPO_OK/$N |")
	local target=-
	[ "$label" = "on, cache" ] && target="<=1.05"
	summary_row "N=$N $label: NAKs at source per lost SQN" "$per" "$target"
	summary_row "N=$N $label: RDATA from source per lost SQN" "$rper" "$target"
	[ "$label" = off ] || summary_row "N=$N $label: late askers' latency median ms" "$med" -
	log "N=$N $label: lost $lost, NAKs at source $naks ($per per lost SQN), RDATA sent $rsent" \
		"($rper per lost SQN), on loss-free links $waste; late askers: $late;" \
		"${retries:+r1 repeated $retries NAKs; }$TOPO_OK/$N identical"
}
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# summary_row METRIC VALUE TARGET: a row of bench/run.sh's summary (when
# it runs this script), verdict PASS/MISS for a "<=X" target, else info.
summary_row() {
	[ -n "${BENCH_SUMMARY:-}" ] || return 0
	local verdict=info
	case $3 in
	"<="*) verdict=$(awk -v v="$2" -v t="${3#<=}" 'BEGIN {
		if (v == "n/a") print "info"; else print (v + 0 <= t + 0) ? "PASS" : "MISS" }') ;;
	esac
	printf 'implosion\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$verdict" >>"$BENCH_SUMMARY"
}

# zero the counters and the loss statistics between runs
reset_counters() {
	local n
	for n in src "${TOPO_ROUTERS[@]}"; do count_zero "$n"; done
	for r in "${TOPO_RCVS[@]}"; do rm -f "$T/out-$r.bin"; done
}

for N in "${COUNTS[@]}"; do
	leaves=4
	[ "$N" -lt 16 ] && leaves=2
	log "N=$N: building src — r1 — $leaves leaf routers — $N receivers"
	topo_tree 2 "$leaves" "$N"
	topo_up
	topo_counters
	loss_add r1 r2 0.05 odata
	one_run "off"
	reset_counters
	PGMNED_ARGS="--repair-cache 0" topo_ne_start all
	one_run "on, no cache"
	for r in "${TOPO_NE[@]}"; do pgmned_stop "$r" || log "pgmned in $r exited with an error"; done
	reset_counters
	topo_ne_start all
	one_run "on, cache"
	# tear this topology down before the next size
	for r in "${TOPO_NE[@]}"; do pgmned_stop "$r" || log "pgmned in $r exited with an error"; done
	lib_cleanup_nodes
	TOPO_ROUTERS=() TOPO_RCVS=() TOPO_NE=() TOPO_NET=0
	TOPO_UP=() TOPO_DOWN=()
done

echo
echo "| receivers | NE | ODATA lost (r1→r2) | NAKs at source | per lost SQN | of them r1's retries | RDATA from source | per lost SQN | RDATA on loss-free links | late askers | their repair latency, median / p95 ms | identical copies |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
