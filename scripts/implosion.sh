#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/implosion.sh — NAK implosion and repair scoping, NE on versus off.
#
#   scripts/implosion.sh [RECEIVERS...]      (default: 8 32 100)
#
# For each receiver count N: src — r1 — 4 leaf routers (r2..r5) — N
# receivers spread over the leaves (2 leaves for N < 16). 5 % of ODATA is
# dropped on the r1 → r2 link only, so the receivers behind r2 all miss
# the same SQNs and everybody else misses nothing. The same topology runs
# twice: routers without pgmned (plain multicast forwarding), then with
# pgmned on every router. Reported per run, from iptables counters:
#   NAKs/lost  NAKs that reached the source per SQN lost on r1 → r2
#   RDATA sent repairs the source sent
#   RDATA waste RDATA packets put on receiver links whose receivers lost
#              nothing (every link not below r2)
#   ok         receivers that ended with an identical file
# Sender opgm_send, receivers opgm_recv (stock OpenPGM 5.3, 50 ms NAK
# back-off). Needs root; PGMNE_BIN as for the tests; IMPLOSION_SIZE bytes
# per run (default 131072). Prints a Markdown table at the end.
. "$(dirname "$0")/../tests/system/lib.sh"
. "$(dirname "$0")/../topologies/topo.sh"
require_mfwd
require_bin pgmned pgmnectl opgm_send opgm_recv
TOPO_SEND=opgm_send TOPO_RECV=opgm_recv TOPO_TIMEOUT=60
SIZE=${IMPLOSION_SIZE:-131072}
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(8 32 100)
ROWS=()

# one_run LABEL: transfer, then the numbers for this run
one_run() {
	local label=$1 r c lost naks rsent waste=0
	topo_transfer "$SIZE"
	count_snapshot src "${TOPO_ROUTERS[@]}"
	lost=$(drops r1)
	naks=$(count_get src r1 in nak)
	rsent=$(count_get src r1 out rdata)
	for r in "${TOPO_ROUTERS[@]}"; do
		[ "$r" = r1 ] || [ "$r" = r2 ] && continue
		for c in ${TOPO_DOWN[$r]}; do waste=$((waste + $(count_get "$r" "$c" out rdata))); done
	done
	count_snapshot_drop
	local per="n/a"
	[ "$lost" -gt 0 ] && per=$(awk -v a="$naks" -v b="$lost" 'BEGIN { printf "%.2f", a / b }')
	ROWS+=("| $N | $label | $lost | $naks | $per | $rsent | $waste | $TOPO_OK/$N |")
	log "N=$N NE $label: lost $lost, NAKs at source $naks ($per per lost SQN), RDATA sent $rsent, on loss-free links $waste, $TOPO_OK/$N identical"
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
	one_run off
	reset_counters
	topo_ne_start all
	one_run on
	# tear this topology down before the next size
	for r in "${TOPO_NE[@]}"; do pgmned_stop "$r" || log "pgmned in $r exited with an error"; done
	lib_cleanup_nodes
	TOPO_ROUTERS=() TOPO_RCVS=() TOPO_NE=() TOPO_NET=0
	TOPO_UP=() TOPO_DOWN=()
done

echo
echo "| receivers | NE | ODATA lost (r1→r2) | NAKs at source | NAKs per lost SQN | RDATA sent | RDATA on loss-free links | identical copies |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
