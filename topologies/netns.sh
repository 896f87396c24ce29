#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# topologies/netns.sh — build a PGM topology from plain network namespaces
# (no mininet needed), run a transfer through it, print what happened.
#
#   topologies/netns.sh TOPOLOGY [options]
#     TOPOLOGY   line | star | tree | diamond
#     -n N       receivers (line 1, star 4, tree 8, diamond 2)
#     -H HOPS    routers in a line (2); -D DEPTH -F FANOUT for a tree (3, 2)
#     -l SPEC    loss, repeatable: "A:B:P[:TYPE]" drops fraction P of TYPE
#                (default odata) that node A sends to neighbour B
#     -e LIST    routers running pgmned: all | none | r1,r3 (default all)
#     -s BYTES   file size (default 262144)
#     -r KBIT    send rate (default 8000)
#     -S PROG    sender program in $PGMNE_BIN (default pgmsend, else opgm_send)
#     -R PROG    receiver program (default opgm_recv)
#     -i         interactive: build, start forwarding and pgmned, then open a shell
#                with $RUN set (ip netns exec $RUN-r1 ...); exit it to clean up
#
# Example: topologies/netns.sh tree -n 8 -l r1:r2:0.1 -l r4:rcv1:0.2 -e all
# Needs root. Everything is removed on exit, Ctrl-C included.
. "$(dirname "$0")/../tests/system/lib.sh"
. "$(dirname "$0")/topo.sh"
require_mfwd

# usage: the comment block at the top, after the licence line.
usage() { awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; }

topo=${1:-}
case $topo in
line|star|tree|diamond) shift ;;
-h|--help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac
n="" hops=2 depth=3 fan=2 ne=all size=262144 shell=0 losses=()
while getopts "n:H:D:F:l:e:s:r:S:R:ih" o; do
	case $o in
	n) n=$OPTARG ;; H) hops=$OPTARG ;; D) depth=$OPTARG ;; F) fan=$OPTARG ;;
	l) losses+=("$OPTARG") ;; e) ne=$OPTARG ;; s) size=$OPTARG ;;
	r) TOPO_RATE=$OPTARG ;; S) TOPO_SEND=$OPTARG ;; R) TOPO_RECV=$OPTARG ;;
	i) shell=1 ;; h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
	esac
done
[ "$ne" = none ] || require_bin pgmned pgmnectl

case $topo in
line) topo_line "$hops" "${n:-1}" ;;
star) topo_star "${n:-4}" ;;
tree) topo_tree "$depth" "$fan" "${n:-8}" ;;
diamond) topo_diamond "${n:-2}" ;;
esac
topo_up
topo_counters
topo_ne_start "$ne"
[ ${#losses[@]} -gt 0 ] && topo_loss "${losses[@]}"

log "$topo: routers ${TOPO_ROUTERS[*]}; receivers ${TOPO_RCVS[*]}; pgmned on: ${TOPO_NE[*]:-none}; multicast forwarder $(mfwd_name)"
if [ "$shell" = 1 ]; then
	echo "namespaces: $(ip netns list | grep -o "^$RUN-[a-z0-9]*" | tr '\n' ' ')"
	echo "group $GROUP port $PORT; control sockets $T/<router>.ctl; exit the shell to clean up"
	RUN=$RUN T=$T PGMNE_BIN=$PGMNE_BIN GROUP=$GROUP PORT=$PORT bash -i </dev/tty || true
	exit 0
fi
topo_transfer "$size"
topo_report
[ "$TOPO_OK" -eq "${#TOPO_RCVS[@]}" ]
