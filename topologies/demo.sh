#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# topologies/demo.sh — `make demo`: a PGM router tree with pgmned on every
# router, one source streaming a file to eight receivers across lossy links.
#
#                       src
#                        |
#                        r1
#             5 % loss / \
#                    r2     r3
#                   / \     / \
#                 r4  r5  r6   r7
#      10 % loss /                \ 10 % loss
#             rcv1 rcv5 ...  rcv3 rcv7 ... (8 receivers, 2 per leaf router)
#
# Prints what `pgmnectl show traffic` reports on each router (non-zero
# rows), then a summary measured independently with iptables counters on
# every link: bytes delivered per receiver (and whether identical), NAKs
# that reached the source, NAKs eliminated per router, RDATA forwarded and
# held back per interface, and repairs a router sent from its repair cache.
#
# Environment: PGMNE_BIN (default bin/), DEMO_SIZE (bytes, default 393216),
# DEMO_NE=all|none|r1,r2.. (default all), TOPO_SEND / TOPO_RECV (programs;
# default pgmsend if built, else opgm_send; opgm_recv — stock OpenPGM),
# TOPO_TIMEOUT (receiver deadline, default 45 s).
# Needs root; runs in well under two minutes; cleans up on any exit.
. "$(dirname "$0")/../tests/system/lib.sh"
. "$(dirname "$0")/topo.sh"
require_mfwd
require_cmd jq
DEMO_NE=${DEMO_NE:-all}
[ "$DEMO_NE" = none ] || require_bin pgmned pgmnectl
SIZE=${DEMO_SIZE:-393216}
TOPO_TIMEOUT=${TOPO_TIMEOUT:-45}   # a receiver's deadline; the transfer itself takes ~1 s

log "building the tree: 7 routers, 8 receivers (namespaces $RUN-*), multicast forwarder $(mfwd_name)"
topo_tree 3 2 8
topo_up
topo_counters
topo_ne_start "$DEMO_NE"
topo_loss r1:r2:0.05 r4:rcv1:0.10 r7:rcv4:0.10
topo_pick_tools
log "pgmned on: ${TOPO_NE[*]:-none}; sender $TOPO_SEND, receivers $TOPO_RECV;" \
	"ODATA loss 5 % r1→r2, 10 % r4→rcv1, 10 % r7→rcv4"
log "sending $SIZE bytes at $TOPO_RATE kbit/s"
topo_transfer "$SIZE"

for r in "${TOPO_NE[@]}"; do
	echo
	echo "== $r: pgmnectl show traffic (rows with a non-zero count)"
	nectl "$r" show traffic | awk 'NR == 1 || /^[A-Za-z]/ && NF > 1 {
		nz = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/ && $i > 0) nz = 1
		if (nz || $1 == "Counter") print; next } /^$/ { exit }'
	nectl "$r" -j show traffic >"$T/traffic-$r.json" 2>/dev/null || true
done

topo_report

if [ ${#TOPO_NE[@]} -gt 0 ]; then
	echo
	printf '%-7s %-10s %14s %19s %15s\n' router interface NakEliminated RdataEliminatedOIF \
		RdataFromCache
	for r in "${TOPO_NE[@]}"; do
		jq -r '.interfaces[] | select(.name != "lo") |
			[.name, .counters.NakEliminated, .counters.RdataEliminatedOIF,
			 .counters.RdataFromCache] | @tsv' \
			"$T/traffic-$r.json" 2>/dev/null |
			while IFS=$'\t' read -r ifn ne re rc; do
				printf '%-7s %-10s %14s %19s %15s\n' "$r" "$ifn" "$ne" "$re" "$rc"
			done
	done
fi
echo
if [ "$TOPO_OK" -eq "${#TOPO_RCVS[@]}" ]; then
	log "demo: every receiver got an identical copy"
else
	log "demo: $((${#TOPO_RCVS[@]} - TOPO_OK)) of ${#TOPO_RCVS[@]} receivers did NOT get an identical copy"
	exit 1
fi
