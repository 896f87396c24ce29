# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# topologies/topo.sh — PGM topologies as plain network namespaces, built on
# tests/system/lib.sh (source lib.sh first; it owns names, cleanup, loss).
#
# Every topology has one source host "src" and a tree of routers below it
# (each router forwarding the group from its upstream link to its
# downstream links through lib.sh's multicast forwarder: smcroute or an
# nftables dup table); receivers "rcv1".."rcvN" hang off routers.
#
#   topo_line HOPS N        src — r1 — … — rHOPS — N receivers
#   topo_star N             src — r1 — N receivers
#   topo_tree DEPTH FAN N   DEPTH levels of routers, FAN children each,
#                           N receivers spread over the leaf routers
#   topo_diamond N          src — r1 — r2 — r4 — N receivers and a second
#                           path r1 — r3 — r4: multicast flows via r2,
#                           unicast towards the source (NAKs) via r3
#   topo_up                 routes + multicast forwarding everywhere (call once, last)
#
# Afterwards: TOPO_ROUTERS, TOPO_RCVS, TOPO_UP[node] (upstream neighbour on
# the multicast tree), TOPO_DOWN[router] (downstream neighbours).
#
# Scenario helpers
#   topo_ne_start all|none|r1,r2,...   start pgmned on those routers
#   topo_counters                      iptables counters on every link
#   topo_transfer SIZE                 send SIZE random bytes to every
#                                      receiver; TOPO_OK = receivers with
#                                      an identical copy
#   topo_report                        per-receiver and per-router table

TOPO_ROUTERS=()
TOPO_RCVS=()
TOPO_NE=()
declare -A TOPO_UP=()
declare -A TOPO_DOWN=()
declare -A TOPO_UNICAST_UP=()   # default route override (diamond)
declare -A TOPO_UNICAST_DOWN=() # ... and the neighbour it points at
TOPO_NET=0
TOPO_SEND=${TOPO_SEND:-}        # sender program name in $PGMNE_BIN
TOPO_RECV=${TOPO_RECV:-}        # receiver program name
TOPO_RATE=${TOPO_RATE:-8000}    # kbit/s
TOPO_TIMEOUT=${TOPO_TIMEOUT:-90}
TOPO_OK=0

# topo_link UP DOWN: a /24 from 10.100.0.0/14 per link; DOWN hangs below UP.
topo_link() {
	local a=$1 b=$2
	TOPO_NET=$((TOPO_NET + 1))
	link_add "$a" "$b" "10.$((100 + TOPO_NET / 250)).$((TOPO_NET % 250))"
	TOPO_UP[$b]=$a
	TOPO_DOWN[$a]="${TOPO_DOWN[$a]:-} $b"
}

topo_router() { router_add "$1"; TOPO_ROUTERS+=("$1"); }

# topo_receivers N PARENT...: rcv1..rcvN, round-robin over the parents.
topo_receivers() {
	local n=$1; shift
	local parents=("$@") i p
	for ((i = 1; i <= n; i++)); do
		p=${parents[$(((i - 1) % ${#parents[@]}))]}
		host_add "rcv$i"
		topo_link "$p" "rcv$i"
		TOPO_RCVS+=("rcv$i")
	done
}

topo_line() {
	local hops=${1:-2} n=${2:-1} i
	host_add src
	topo_router r1
	topo_link src r1
	for ((i = 2; i <= hops; i++)); do
		topo_router "r$i"
		topo_link "r$((i - 1))" "r$i"
	done
	topo_receivers "$n" "r$hops"
}

topo_star() { topo_line 1 "${1:-4}"; }

topo_tree() {
	local depth=${1:-3} fan=${2:-2} n=${3:-8}
	local level=(r1) next=() r c k=1 d
	host_add src
	topo_router r1
	topo_link src r1
	for ((d = 2; d <= depth; d++)); do
		next=()
		for r in "${level[@]}"; do
			for ((c = 0; c < fan; c++)); do
				k=$((k + 1))
				topo_router "r$k"
				topo_link "$r" "r$k"
				next+=("r$k")
			done
		done
		level=("${next[@]}")
	done
	topo_receivers "$n" "${level[@]}"
}

topo_diamond() {
	local n=${1:-2}
	host_add src
	topo_router r1; topo_router r2; topo_router r3; topo_router r4
	topo_link src r1
	topo_link r1 r2
	topo_link r1 r3
	topo_link r2 r4
	# r4 sits below r2 on the multicast tree; r1–r3–r4 is a second path
	link_add r3 r4 "10.99.34"
	TOPO_UNICAST_UP[r4]=r3
	TOPO_UNICAST_DOWN[r3]=r4
	topo_receivers "$n" r4
}

# topo_up: default routes point upstream (towards the source), the forwarder
# forwards (src, group) down the tree (static (S,G) entries: nothing to
# resolve or flush while data flows). Routers also learn routes to the
# subnets below them so everything is reachable from the source.
topo_up() {
	local n up r
	for n in "${TOPO_ROUTERS[@]}" "${TOPO_RCVS[@]}"; do
		up=${TOPO_UNICAST_UP[$n]:-${TOPO_UP[$n]}}
		[ "$up" = src ] || route_default "$n" "$up"
	done
	route_default src r1
	for r in "${TOPO_ROUTERS[@]}"; do
		[ -n "${TOPO_DOWN[$r]:-}" ] || continue
		# shellcheck disable=SC2086
		mroute_add -s "$(addr src r1)" "$r" "${TOPO_UP[$r]}" "$GROUP" ${TOPO_DOWN[$r]}
	done
	for r in "${TOPO_ROUTERS[@]}"; do
		mfwd_start "$r"
	done
	topo_down_routes r1
}

# Routes from each router to the subnets of the routers and hosts below it.
topo_down_routes() {
	local r=$1 c net
	for c in ${TOPO_DOWN[$r]:-}; do
		topo_down_routes "$c"
		for net in $(topo_subnets_below "$c"); do
			nx "$r" ip route replace "$net" via "$(addr "$c" "$r")" 2>/dev/null
		done
	done
}
topo_subnets_below() {
	local n=$1 c
	for c in ${TOPO_DOWN[$n]:-}; do
		echo "$(addr "$c" "$n" | cut -d. -f1-3).0/24"
		topo_subnets_below "$c"
	done
}

topo_ne_start() {
	local which=$1 r
	TOPO_NE=()
	case $which in
	none|"") return 0 ;;
	all) TOPO_NE=("${TOPO_ROUTERS[@]}") ;;
	*) IFS=, read -r -a TOPO_NE <<<"$which" ;;
	esac
	for r in "${TOPO_NE[@]}"; do
		pgmned_start "$r"
	done
}
topo_is_ne() {
	local r
	for r in "${TOPO_NE[@]}"; do [ "$r" = "$1" ] && return 0; done
	return 1
}

# topo_loss SPEC...: "r1:r2:0.05" drops 5 % of ODATA r1 sends to r2;
# a fourth field names another PGM type ("r1:r2:0.5:rdata").
topo_loss() {
	local spec a b p ty
	for spec in "$@"; do
		IFS=: read -r a b p ty <<<"$spec"
		loss_add "$a" "$b" "$p" "${ty:-odata}"
	done
}

# Counters on every link: what each node sends downstream (ODATA, RDATA,
# NCF) and upstream (NAK), measured after loss, i.e. on the wire.
topo_counters() {
	local n c ty specs
	count_add_many src r1:in:nak r1:out:ncf r1:out:rdata r1:out:odata
	for n in "${TOPO_ROUTERS[@]}"; do
		specs=("${TOPO_UP[$n]}:out:nak" "${TOPO_UP[$n]}:in:rdata")
		for c in ${TOPO_DOWN[$n]:-}; do
			specs+=("$c:in:nak")
			for ty in odata rdata ncf; do specs+=("$c:out:$ty"); done
		done
		# the diamond's second path carries NAKs too
		[ -n "${TOPO_UNICAST_UP[$n]:-}" ] && specs+=("${TOPO_UNICAST_UP[$n]}:out:nak")
		[ -n "${TOPO_UNICAST_DOWN[$n]:-}" ] && specs+=("${TOPO_UNICAST_DOWN[$n]}:in:nak")
		count_add_many "$n" "${specs[@]}"
	done
}

topo_pick_tools() {
	if [ -z "$TOPO_SEND" ]; then
		if [ -x "$(bin pgmsend)" ]; then TOPO_SEND=pgmsend; else TOPO_SEND=opgm_send; fi
	fi
	if [ -z "$TOPO_RECV" ]; then
		if [ -x "$(bin opgm_recv)" ]; then TOPO_RECV=opgm_recv; else TOPO_RECV=pgmrecv; fi
	fi
	require_bin "$TOPO_SEND" "$TOPO_RECV"
}

lib_joined() { nx "$1" ip maddr show | grep -Fqw "$GROUP"; }

# topo_transfer SIZE: one file to every receiver; TOPO_OK counts identical
# copies, TOPO_SECS the time from first byte sent to last receiver done.
topo_transfer() {
	local size=$1 r up i rc
	topo_pick_tools
	head -c "$size" /dev/urandom >"$T/in.bin"
	for r in "${TOPO_RCVS[@]}"; do
		up=${TOPO_UP[$r]}
		bg_start "$r" "recv-$r" "$(bin "$TOPO_RECV")" -n "$(addr "$r" "$up");$GROUP" -p "$PORT" \
			-o "$T/out-$r.bin" -c "$size" -t "$TOPO_TIMEOUT" --stats
	done
	for r in "${TOPO_RCVS[@]}"; do
		wait_for 10 lib_joined "$r" || fail "receiver $r did not join $GROUP"
	done
	local t0=$SECONDS
	bg_start src send "$(bin "$TOPO_SEND")" -n "$(addr src r1);$GROUP" -p "$PORT" \
		-r "$TOPO_RATE" "$T/in.bin"
	TOPO_OK=0
	declare -g -A TOPO_RC=()
	for r in "${TOPO_RCVS[@]}"; do
		rc=0
		bg_wait "recv-$r" "$((TOPO_TIMEOUT + 5))" || rc=$?
		TOPO_RC[$r]=$rc
		if [ "$rc" -eq 0 ] && same_file "$T/in.bin" "$T/out-$r.bin"; then
			TOPO_OK=$((TOPO_OK + 1))
		fi
	done
	TOPO_SECS=$((SECONDS - t0))
	bg_stop send >/dev/null 2>&1 || true
	i=0
}

# Lost SQNs: ODATA the loss rules dropped anywhere.
topo_lost() {
	local n s=0
	for n in src "${TOPO_ROUTERS[@]}"; do s=$((s + $(drops "$n"))); done
	echo "$s"
}

topo_report() {
	local r c size nin nup ne rin rout
	size=$(stat -c %s "$T/in.bin")
	count_snapshot src "${TOPO_ROUTERS[@]}"
	printf '\n%-8s %-6s %10s %-10s %s\n' receiver via bytes identical exit
	for r in "${TOPO_RCVS[@]}"; do
		local got=0 same=no
		[ -f "$T/out-$r.bin" ] && got=$(stat -c %s "$T/out-$r.bin")
		same_file "$T/in.bin" "$T/out-$r.bin" && same=yes
		printf '%-8s %-6s %10s %-10s %s\n' "$r" "${TOPO_UP[$r]}" "$got" "$same" "${TOPO_RC[$r]:-?}"
	done
	printf '\n%-7s %-3s %12s %12s %14s\n' router NE "NAKs in" "NAKs sent up" "NAKs absorbed"
	for r in "${TOPO_ROUTERS[@]}"; do
		nin=0 ne=off
		topo_is_ne "$r" && ne=on
		for c in ${TOPO_DOWN[$r]:-} ${TOPO_UNICAST_DOWN[$r]:-}; do
			nin=$((nin + $(count_get "$r" "$c" in nak)))
		done
		nup=$(count_get "$r" "${TOPO_UP[$r]}" out nak)
		[ -n "${TOPO_UNICAST_UP[$r]:-}" ] &&
			nup=$((nup + $(count_get "$r" "${TOPO_UNICAST_UP[$r]}" out nak)))
		printf '%-7s %-3s %12s %12s %14s\n' "$r" "$ne" "$nin" "$nup" "$((nin - nup))"
	done
	printf '\n%-7s %-12s %10s %10s %10s %10s\n' router "link to" "RDATA in" forwarded "held back" "ODATA out"
	for r in "${TOPO_ROUTERS[@]}"; do
		rin=$(count_get "$r" "${TOPO_UP[$r]}" in rdata)
		for c in ${TOPO_DOWN[$r]:-}; do
			rout=$(count_get "$r" "$c" out rdata)
			printf '%-7s %-12s %10s %10s %10s %10s\n' "$r" "$c" "$rin" "$rout" "$((rin - rout))" \
				"$(count_get "$r" "$c" out odata)"
		done
	done
	printf '\nsource: ODATA sent %s (%s dropped by the loss rules), NAKs received %s, NCFs sent %s, RDATA sent %s\n' \
		"$(count_get src r1 out odata)" "$(topo_lost)" "$(count_get src r1 in nak)" \
		"$(count_get src r1 out ncf)" "$(count_get src r1 out rdata)"
	printf 'delivered: %s of %s receivers got all %s bytes, identical, in %s s\n' \
		"$TOPO_OK" "${#TOPO_RCVS[@]}" "$size" "${TOPO_SECS:-?}"
	count_snapshot_drop
}
