# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/system/lib.sh — helpers every system test scenario sources.
#
# One scenario per script:
#
#     #!/bin/bash
#     . "$(dirname "$0")/lib.sh"
#     require_mfwd; require_cmd tshark
#     require_bin opgm_send opgm_recv
#     host_add src; router_add r1; host_add rcv
#     link_add src r1 10.0.1; link_add r1 rcv 10.0.2
#     route_default rcv r1; route_default r1 src
#     mroute_add r1 src "$GROUP" rcv; mfwd_start r1
#     ...
#     pass "delivered"
#
# Everything a scenario creates lives under a per-run prefix ($RUN, built
# from the shell's PID and a random number): namespaces are "$RUN-NAME",
# files go to the per-run directory $T. An EXIT/INT/TERM trap stops every
# background process we started, deletes our namespaces (with their veths
# and their iptables rules, which are per namespace) and the temp dir, on
# every exit path. Set KEEP=1 to keep $T (logs, captures) for a post-mortem.
#
# Exit codes (smcroute's convention): 0 pass, 77 skip (a prerequisite is
# missing), 99 setup error; fail() exits 1.
#
# Nodes and links
#   host_add NAME / router_add NAME   namespace; routers get ip_forward=1.
#                                     rp_filter is off everywhere.
#   link_add A B SUBNET               veth between A and B; the interface in A
#                                     is named "e-B" and gets SUBNET.1/24, the
#                                     one in B is "e-A" with SUBNET.2/24.
#   ifname A B / addr A B             interface / address of A on the A–B link
#   route_default NODE VIA            default route of NODE via neighbour VIA
#   route_add NODE PREFIX VIA         route to PREFIX via neighbour VIA
#   nx NODE CMD...                    run CMD inside NODE
# Multicast forwarding (smcroute or an nftables dup table, one per router)
#   mroute_add [-s SRC] R FROM GROUP TO...  (*,G) or (S,G) route from the
#                                     link to FROM to the links to TO...
#   mroute_add_if [-s SRC] R IIF GROUP OIF...  the same by interface name
#   mfwd_start R                      start forwarding those routes (later
#                                     mroute_add calls take effect at once)
#   require_mfwd / mfwd_name          the run's forwarder: its tools or skip /
#                                     its name (smcroute | dup)
#   recv_start R N SECS [ARGS]        opgm_recv in rcv1..rcvN (linked to R), each
#                                     writing $T/outI.bin, -c $SIZE -t SECS ARGS;
#                                     returns once every one is listening
#   recv_verify N SECS [LABEL]        each receiver exited 0 within SECS and its
#                                     file is identical to $T/in.bin
#   star_add N                        src — r1 — rcv1..rcvN (10.0.1, 10.0.11..),
#                                     (src, GROUP) routed to every rcv,
#                                     forwarding started in r1
# Processes
#   bg_start NODE NAME CMD...         run CMD in NODE in the background, output
#                                     to $T/NAME.log; bg_wait NAME SECS returns
#                                     its exit status; bg_stop NAME;
#                                     bg_wait_log NAME REGEX SECS
#   pgmned_start R [ARGS]             pgmned -d -q N -s $T/R.ctl $PGMNED_ARGS ARGS
#   pgmned_stop R                     SIGTERM, bounded wait, returns its status
#   nectl R ARGS...                   pgmnectl -s $T/R.ctl ARGS
# Loss and captures
#   loss_add NODE PEER PROB [TYPE]    drop PGM packets (TYPE: any, spm, odata,
#                                     rdata, nak, nnak, ncf, spmr or a number)
#                                     leaving NODE towards PEER with
#                                     probability PROB (0..1)
#   drop_first [-i] NODE PEER TYPE [N]  drop the first N (default 1) such
#                                     packets (-i: arriving from PEER, in
#                                     raw PREROUTING, before forwarding)
#   drops NODE                        packets our loss rules dropped in NODE
#   count_add NODE PEER in|out TYPE   count PGM packets of TYPE arriving from /
#                                     leaving towards PEER (iptables counters:
#                                     "in" in raw PREROUTING before any
#                                     forwarder, "out" in mangle POSTROUTING
#                                     after loss: what is on the wire)
#   count_zero NODE                   zero those counters and the loss rules
#   count_get NODE PEER in|out TYPE   the count so far
#   count_add_many NODE PEER:DIR:TYPE...   several count_add at once
#   count_snapshot NODE...            freeze counters for fast count_get
#                                     (until count_snapshot_drop)
#   cap_start NODE PEER NAME [BPF]    capture on NODE's link to PEER (default
#                                     filter "ip proto 113") to $T/NAME.pcapng
#   cap_stop NAME                     stop it (flushes the file)
#   cap_count NAME DFILTER            packets matching a tshark display filter
#   cap_fields NAME DFILTER FIELD...  tshark -T fields output
#   cap_tsv NAME FIELD...             all PGM packets' fields to $T/NAME.tsv
#   cap_pgm_sqns NAME [BPF]           "TIME TYPE SQN" per SQN in ODATA, RDATA,
#                                     NAK, NNAK, NCF (lists included)
#   cap_nak_sqns NAME [BPF]           SQNs asked for by NAKs (lists included)
# Waiting and verdicts
#   wait_for SECS CMD...              poll CMD every 0.1 s, at most SECS
#   require_root / require_cmd CMD... / require_bin NAME...   or skip (77)
#   bin NAME                          path of a built binary ($PGMNE_BIN)
#   skip MSG / fail MSG / pass MSG / log MSG
#   same_file A B                     byte-identical (sha256)
#   lib_cleanup_nodes                 stop our processes, delete our
#                                     namespaces now (to rebuild mid-script)

set -u

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LIB_DIR/../.." && pwd)
PGMNE_BIN=${PGMNE_BIN:-$REPO/bin}
GROUP=${GROUP:-239.192.0.1}
PORT=${PORT:-7500}

RUN="pt$$r$RANDOM"
T=""
LIB_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)
LIB_NODES=()       # our namespaces, full names
LIB_BG=()          # names of background processes (pid in $T/NAME.pid)
LIB_CAPS=()        # capture names
LIB_QUEUE=0        # last NFQUEUE number handed out
declare -A LIB_ADDR=()   # "A:B" -> address of A on the A-B link
declare -A LIB_MROUTES=()  # router -> multicast routes, "IIF SRC GROUP OIF..." lines
declare -A LIB_MFWD_UP=()  # router -> its forwarder is running
declare -A LIB_CNT_CHAIN=() # "node:in|out" -> counting chain exists
LIB_CLEANED=0

log()  { printf '%s %s\n' "$(date +%T.%3N)" "$*"; }
skip() { echo "SKIP: $*"; exit 77; }
pass() { log "PASS: $*"; exit 0; }
# fail MSG: show the tail of every log we have, then exit 1.
fail() {
	log "FAIL: $*"
	lib_dump_logs
	exit 1
}
# setup errors are not test failures
die() { log "ERROR: $*"; lib_dump_logs; exit 99; }

lib_dump_logs() {
	[ -n "$T" ] && [ -d "$T" ] || return 0
	local f
	for f in "$T"/*.log; do
		[ -s "$f" ] || continue
		echo "---- ${f##*/} (last 25 lines)"
		tail -n 25 "$f"
	done
	# What every pgmned still running holds: its counters and repair state.
	for f in "$T"/*.ctl; do
		[ -S "$f" ] || continue
		echo "---- pgmnectl -s ${f##*/}: show traffic (rows not all 0), sessions, state"
		timeout 5 "$PGMNE_BIN/pgmnectl" -s "$f" show traffic 2>&1 |
			awk '{ z = NF > 1; for (i = 2; i <= NF; i++) if ($i != "0") z = 0 } !z' |
			head -n 40
		timeout 5 "$PGMNE_BIN/pgmnectl" -s "$f" show sessions 2>&1 | head -n 10
		timeout 5 "$PGMNE_BIN/pgmnectl" -s "$f" show state 2>&1 | head -n 30
	done
}

require_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed"
	done
}
bin() { echo "$PGMNE_BIN/$1"; }
require_bin() {
	local b
	for b in "$@"; do
		[ -x "$PGMNE_BIN/$b" ] || skip "$b not built in $PGMNE_BIN"
	done
}

# wait_for SECS CMD...: true as soon as CMD succeeds, false after SECS.
wait_for() {
	local secs=$1; shift
	local i n=$((secs * 10))
	for ((i = 0; i <= n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

same_file() {
	[ -f "$1" ] && [ -f "$2" ] || return 1
	[ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]
}

# ---- nodes and links -------------------------------------------------------

ns() { echo "$RUN-$1"; }
nx() { local n=$1; shift; ip netns exec "$RUN-$n" "$@"; }

node_add() {
	local n=$1 full="$RUN-$1"
	ip netns add "$full" || die "cannot create namespace $full"
	LIB_NODES+=("$full")
	nx "$n" ip link set lo up
	nx "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 >/dev/null
}
host_add() { node_add "$1"; }
router_add() {
	node_add "$1"
	nx "$1" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
}

ifname() { local i="e-$2"; echo "${i:0:15}"; }
addr() {
	[ -n "${LIB_ADDR[$1:$2]:-}" ] || die "no link $1-$2"
	echo "${LIB_ADDR[$1:$2]}"
}

# link_add A B SUBNET (three octets, e.g. 10.0.1)
link_add() {
	local a=$1 b=$2 net=$3
	local ia ib
	ia=$(ifname "$a" "$b") ib=$(ifname "$b" "$a")
	ip link add "$ia" netns "$RUN-$a" type veth peer name "$ib" netns "$RUN-$b" ||
		die "cannot create veth $a-$b"
	nx "$a" ip addr add "$net.1/24" dev "$ia"
	nx "$b" ip addr add "$net.2/24" dev "$ib"
	nx "$a" sysctl -qw "net.ipv4.conf.$ia.rp_filter=0" >/dev/null
	nx "$b" sysctl -qw "net.ipv4.conf.$ib.rp_filter=0" >/dev/null
	nx "$a" ip link set "$ia" up
	nx "$b" ip link set "$ib" up
	LIB_ADDR[$a:$b]=$net.1
	LIB_ADDR[$b:$a]=$net.2
}

route_default() { nx "$1" ip route add default via "$(addr "$2" "$1")" || die "route $1"; }
route_add() { nx "$1" ip route add "$2" via "$(addr "$3" "$1")" || die "route $1 $2"; }

# star_add N: the one-router topology most scenarios use (see the top).
star_add() {
	local n=$1 i oifs=()
	host_add src
	router_add r1
	link_add src r1 10.0.1
	route_default src r1
	for i in $(seq 1 "$n"); do
		host_add "rcv$i"
		link_add r1 "rcv$i" "10.0.$((10 + i))"
		route_default "rcv$i" r1
		oifs+=("rcv$i")
	done
	# (S,G), not (*,G): the kernel holds only 4 packets of a flow whose
	# route smcrouted has still to resolve and drops the rest, so with
	# (*,G) every receiver missed the source's first ODATA, NAKed it and
	# was rightly repaired on links that were meant to lose nothing.
	mroute_add -s "$(addr src r1)" r1 src "$GROUP" "${oifs[@]}"
	mfwd_start r1
}

# recv_start R N SECS [ARGS]: the OpenPGM receivers of a transfer of
# $SIZE bytes (see the top).
recv_start() {
	local r=$1 n=$2 secs=$3 i
	shift 3
	for i in $(seq 1 "$n"); do
		bg_start "rcv$i" "recv$i" "$(bin opgm_recv)" -n "$(addr "rcv$i" "$r");$GROUP" \
			-p "$PORT" -o "$T/out$i.bin" -c "$SIZE" -t "$secs" "$@"
	done
	for i in $(seq 1 "$n"); do
		bg_wait_log "recv$i" listening 10 || fail "receiver $i did not start"
	done
}

# recv_verify N SECS [LABEL]: every receiver delivered $T/in.bin exactly.
recv_verify() {
	local n=$1 secs=$2 pre=${3:+$3: } i rc
	for i in $(seq 1 "$n"); do
		rc=0
		bg_wait "recv$i" "$secs" || rc=$?
		[ "$rc" -eq 0 ] || fail "${pre}receiver $i exited with $rc ($(recv_missing "$i"))"
		same_file "$T/in.bin" "$T/out$i.bin" ||
			fail "${pre}receiver $i: file differs ($(recv_missing "$i"))"
	done
}

# recv_missing I: which APDUs receiver I's copy lacks, for a failure message.
recv_missing() {
	[ -f "$T/out$1.bin" ] || { echo "no output file"; return; }
	"$LIB_TOOLS/apdu_diff.py" "$T/in.bin" "$T/out$1.bin" 2>&1
}

# ---- multicast forwarding --------------------------------------------------

# Routers forward multicast through one of two forwarders, chosen once per
# run (tests/system/mfwd_pick.sh: smcroute where the kernel has multicast
# routing, an nftables dup table where it has not; PGMNE_MFWD=smcroute|dup
# forces one). Both are built from the same routes by
# tests/tools/mfwd_conf.sh, so a scenario never says which it gets:
# smcrouted per router (kernel MFC; copies pass FORWARD and POSTROUTING),
# or table "ip pgmtest-mfwd" per router (dup at prerouting priority -250,
# after the raw table's loss and count rules; copies pass OUTPUT and
# POSTROUTING, never FORWARD).
# Routes are kept as "IIF SRC GROUP OIF..." lines (SRC "-" for (*,G)).

# mroute_add [-s SRC] ROUTER FROM GROUP TO...: forward GROUP arriving on the
# link to FROM out of the links to every TO.
mroute_add() {
	local src=""
	if [ "$1" = -s ]; then src=$2; shift 2; fi
	local r=$1 from=$2 grp=$3; shift 3
	local oifs=() p
	for p in "$@"; do oifs+=("$(ifname "$r" "$p")"); done
	mroute_add_if ${src:+-s "$src"} "$r" "$(ifname "$r" "$from")" "$grp" "${oifs[@]}"
}

# mroute_add_if [-s SRC] ROUTER IIF GROUP OIF...: the same with interface
# names (for links not made by link_add). Before mfwd_start the entry is
# kept; afterwards it is installed at once.
mroute_add_if() {
	local src=-
	if [ "$1" = -s ]; then src=$2; shift 2; fi
	local r=$1 iif=$2 grp=$3; shift 3
	[ $# -gt 0 ] || die "mroute_add on $r: no outgoing interface"
	LIB_MROUTES[$r]+="$iif $src $grp $*"$'\n'
	[ -n "${LIB_MFWD_UP[$r]:-}" ] || return 0
	case $LIB_MFWD in
	smcroute)
		# shellcheck disable=SC2046
		smcroute_ctl "$r" add "$iif" $([ "$src" = - ] || echo "$src") "$grp" "$@" ||
			die "smcroutectl add on $r" ;;
	dup) lib_dup_load "$r" ;;
	esac
}

# mfwd_start ROUTER: start forwarding the router's entries.
mfwd_start() {
	local r=$1
	case $LIB_MFWD in
	smcroute) lib_smcroute_start "$r" ;;
	dup) lib_dup_load "$r" ;;
	esac
	LIB_MFWD_UP[$r]=1
}

# mfwd_name: the forwarder of this run; require_mfwd: its tools, or skip.
mfwd_name() { echo "$LIB_MFWD"; }
require_mfwd() {
	case $LIB_MFWD in
	smcroute) require_cmd smcrouted smcroutectl ;;
	dup) require_cmd nft ;;
	esac
}

# mfwd_entries ROUTER: the router's entries, one "IIF SRC GROUP OIF..." a line.
mfwd_entries() { printf '%s' "${LIB_MROUTES[$1]:-}"; }

smcroute_ctl() { local r=$1; shift; smcroutectl -i "$RUN-$r" -u "$T/smcroute-$r.sock" -p "$@"; }

lib_smcroute_start() {
	local r=$1 conf="$T/smcroute-$r.conf"
	mfwd_entries "$r" | "$LIB_TOOLS/mfwd_conf.sh" smcroute >"$conf" || die "smcroute.conf for $r"
	# -c 3600: smcrouted flushes the kernel entries it made for (*,G)
	# routes every 60 s by default; packets arriving while an entry is
	# re-resolved are lost, which a test must never see.
	bg_start "$r" "smcroute-$r" smcrouted -n -c 3600 -i "$RUN-$r" -f "$conf" \
		-u "$T/smcroute-$r.sock" -P "$T/smcrouted-$r.pid" -l info
	wait_for 10 smcroute_ctl "$r" show routes || die "smcrouted in $r does not answer"
	if [ -s "$conf" ]; then
		wait_for 10 lib_smc_has_routes "$r" || die "smcrouted in $r has no routes"
	fi
}
lib_smc_has_routes() { smcroute_ctl "$1" show routes | grep -q '^('; }

# lib_dup_load ROUTER: (re)load the router's whole dup table.
lib_dup_load() {
	local r=$1
	mfwd_entries "$r" | "$LIB_TOOLS/mfwd_conf.sh" dup >"$T/mfwd-$r.nft" || die "dup table for $r"
	nx "$r" nft -f "$T/mfwd-$r.nft" || die "nftables dup table in $r (see $T/mfwd-$r.nft)"
}

# ---- background processes --------------------------------------------------

# bg_start NODE NAME CMD...: CMD runs inside NODE (ip netns exec replaces
# itself with CMD, so the PID we keep is CMD's own).
bg_start() {
	local n=$1 name=$2; shift 2
	ip netns exec "$RUN-$n" "$@" >"$T/$name.log" 2>&1 </dev/null &
	echo $! >"$T/$name.pid"
	LIB_BG+=("$name")
}
bg_pid() { cat "$T/$1.pid" 2>/dev/null; }

# bg_wait_log NAME PATTERN SECS: wait until NAME's log matches PATTERN
# (grep -E); false at once if NAME has exited without it, or after SECS.
bg_wait_log() {
	local name=$1 pat=$2 secs=$3 i
	for ((i = 0; i <= secs * 10; i++)); do
		grep -Eq -- "$pat" "$T/$name.log" 2>/dev/null && return 0
		bg_running "$name" || { grep -Eq -- "$pat" "$T/$name.log" 2>/dev/null; return; }
		sleep 0.1
	done
	return 1
}
bg_running() { local p; p=$(bg_pid "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# bg_wait NAME SECS: wait for NAME to exit; its exit status, or 124 when it
# is still running after SECS (it is left running).
bg_wait() {
	local name=$1 secs=$2 p
	p=$(bg_pid "$name") || return 127
	local i n=$((secs * 10))
	for ((i = 0; i < n; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$p" 2>/dev/null && return 124
	local rc=0
	wait "$p" 2>/dev/null || rc=$?
	return $rc
}

# bg_stop NAME [SIG]: signal (TERM by default), wait up to 5 s, then KILL.
# Returns the process's exit status.
bg_stop() {
	local name=$1 sig=${2:-TERM} p rc=0
	p=$(bg_pid "$name") || return 0
	[ -n "$p" ] || return 0
	if kill -0 "$p" 2>/dev/null; then
		kill "-$sig" "$p" 2>/dev/null
		bg_wait "$name" 5 || rc=$?
		if [ $rc -eq 124 ]; then
			kill -KILL "$p" 2>/dev/null
			bg_wait "$name" 2 || rc=$?
			rc=137
		fi
	else
		wait "$p" 2>/dev/null || rc=$?
	fi
	: >"$T/$name.pid"
	return $rc
}

# ---- pgmned ----------------------------------------------------------------

nectl() { local r=$1; shift; "$PGMNE_BIN/pgmnectl" -s "$T/$r.ctl" "$@"; }

# pgmned_start ROUTER [ARGS...]: every router gets its own queue number and
# control socket; returns once the control socket answers.
pgmned_start() {
	local r=$1; shift
	LIB_QUEUE=$((LIB_QUEUE + 1))
	bg_start "$r" "pgmned-$r" "$PGMNE_BIN/pgmned" -d -q "$((100 + LIB_QUEUE))" \
		-s "$T/$r.ctl" ${PGMNED_ARGS:-} "$@"
	wait_for 10 nectl "$r" show state ||
		fail "pgmned in $r: control socket $T/$r.ctl does not answer"
}

pgmned_stop() {
	local rc=0
	bg_stop "pgmned-$1" TERM || rc=$?
	return $rc
}

# ---- loss ------------------------------------------------------------------

lib_pgm_type() {
	case $1 in
	spm) echo 0x00 ;; poll) echo 0x01 ;; polr) echo 0x02 ;;
	odata) echo 0x04 ;; rdata) echo 0x05 ;; nak) echo 0x08 ;;
	nnak) echo 0x09 ;; ncf) echo 0x0A ;; spmr) echo 0x0C ;;
	any) echo "" ;;
	0x*|[0-9]*) echo "$1" ;;
	*) die "unknown PGM type $1" ;;
	esac
}

# iptables match for PGM packets of a type (the type byte is at offset 4 of
# the PGM header, after a variable-length IP header).
lib_pgm_match() {
	local ty
	ty=$(lib_pgm_type "$1")
	if [ -n "$ty" ]; then
		echo "-p 113 -m u32 --u32 0>>22&0x3C@4>>24=$ty"
	else
		echo "-p 113"
	fi
}

# Loss rules sit in mangle/POSTROUTING (after forwarding and after pgmned's
# verdicts), in a chain of our own so they can be counted.
lib_loss_chain() {
	nx "$1" iptables -t mangle -nL PGMTEST_LOSS >/dev/null 2>&1 && return 0
	nx "$1" iptables -t mangle -N PGMTEST_LOSS
	nx "$1" iptables -t mangle -I POSTROUTING 1 -j PGMTEST_LOSS  # before the counters
}

loss_add() {
	local n=$1 peer=$2 p=$3 ty=${4:-any}
	lib_loss_chain "$n"
	# shellcheck disable=SC2046
	nx "$n" iptables -t mangle -A PGMTEST_LOSS -o "$(ifname "$n" "$peer")" $(lib_pgm_match "$ty") \
		-m statistic --mode random --probability "$p" -j DROP || die "loss rule in $n"
}

# drop_first [-i] NODE PEER TYPE [N]: without -i, packets NODE sends to
# PEER; with -i, packets NODE receives from PEER (dropped in raw
# PREROUTING, before any forwarder's chain sees them, so a capture on
# NODE's interface still shows them arriving).
drop_first() {
	local table=mangle chain=PGMTEST_LOSS io=-o
	if [ "$1" = -i ]; then
		table=raw chain=PGMTEST_LOSSIN io=-i
		shift
	fi
	local n=$1 peer=$2 ty=$3 count=${4:-1} i
	if [ "$chain" = PGMTEST_LOSS ]; then
		lib_loss_chain "$n"
	elif ! nx "$n" iptables -t raw -nL PGMTEST_LOSSIN >/dev/null 2>&1; then
		nx "$n" iptables -t raw -N PGMTEST_LOSSIN
		nx "$n" iptables -t raw -I PREROUTING 1 -j PGMTEST_LOSSIN
	fi
	# nth mode with a huge period matches packets 0..count-1 of a new rule;
	# one rule per packet keeps it simple.
	for ((i = 0; i < count; i++)); do
		# shellcheck disable=SC2046
		nx "$n" iptables -t "$table" -I "$chain" "$io" "$(ifname "$n" "$peer")" $(lib_pgm_match "$ty") \
			-m statistic --mode nth --every 1000000000 --packet 0 -j DROP || die "drop rule in $n"
	done
}

drops() {
	{
		nx "$1" iptables -t mangle -nvxL PGMTEST_LOSS 2>/dev/null
		nx "$1" iptables -t raw -nvxL PGMTEST_LOSSIN 2>/dev/null
	} | awk '$3 == "DROP" { s += $1 } END { print s + 0 }'
}

# ---- counters -------------------------------------------------------------

# Where the counting chains hook: what arrives is counted in raw
# PREROUTING (the dup forwarder takes multicast at priority -250, before
# mangle would see it), what leaves in mangle POSTROUTING (after loss).
lib_count_table() { [ "$1" = in ] && echo raw || echo mangle; }
lib_count_hook() { [ "$1" = in ] && echo PREROUTING || echo POSTROUTING; }

lib_count_chain() {
	local n=$1 dir=$2 tbl
	[ -n "${LIB_CNT_CHAIN[$n:$dir]:-}" ] && return 0
	tbl=$(lib_count_table "$dir")
	nx "$n" iptables -t "$tbl" -N "PGMTEST_$dir"
	nx "$n" iptables -t "$tbl" -A "$(lib_count_hook "$dir")" -j "PGMTEST_$dir"
	LIB_CNT_CHAIN[$n:$dir]=1
}

count_add() {
	local n=$1 peer=$2 dir=$3 ty=$4 io=-o
	[ "$dir" = in ] && io=-i
	lib_count_chain "$n" "$dir"
	lib_pgm_type "$ty" >/dev/null
	# shellcheck disable=SC2046
	nx "$n" iptables -t "$(lib_count_table "$dir")" -A "PGMTEST_$dir" "$io" "$(ifname "$n" "$peer")" \
		$(lib_pgm_match "$ty") -m comment --comment "cnt:$peer:$dir:$ty" || die "count rule in $n"
}

# count_add_many NODE PEER:DIR:TYPE...: the same as several count_add, in
# one iptables-restore (each iptables command costs ~0.2 s here).
count_add_many() {
	local n=$1; shift
	local spec peer dir ty io d script=""
	local -A rules=()
	for spec in "$@"; do
		IFS=: read -r peer dir ty <<<"$spec"
		[ "$dir" = in ] && io=-i || io=-o
		lib_pgm_type "$ty" >/dev/null
		rules[$dir]+="-A PGMTEST_$dir $io $(ifname "$n" "$peer") $(lib_pgm_match "$ty" | sed 's/--u32 \([^ ]*\)/--u32 "\1"/') -m comment --comment \"cnt:$peer:$dir:$ty\""$'\n'
	done
	for d in in out; do
		[ -n "${rules[$d]:-}" ] || continue
		script+="*$(lib_count_table "$d")"$'\n'
		if [ -z "${LIB_CNT_CHAIN[$n:$d]:-}" ]; then
			script+=":PGMTEST_$d - [0:0]"$'\n'"-A $(lib_count_hook "$d") -j PGMTEST_$d"$'\n'
			LIB_CNT_CHAIN[$n:$d]=1
		fi
		script+="${rules[$d]}COMMIT"$'\n'
	done
	printf '%s' "$script" | nx "$n" iptables-restore --noflush || die "count rules in $n"
}

# count_zero NODE: every counting and loss rule of NODE back to 0.
count_zero() {
	nx "$1" iptables -t raw -Z
	nx "$1" iptables -t mangle -Z
}

# count_snapshot NODE...: read the counters of these nodes once; count_get
# answers from the snapshot until count_snapshot_drop.
count_snapshot() {
	local n
	for n in "$@"; do
		{
			nx "$n" iptables -t raw -nvxL PGMTEST_in 2>/dev/null
			nx "$n" iptables -t mangle -nvxL PGMTEST_out 2>/dev/null
		} >"$T/cnt-$n.snap"
	done
}
count_snapshot_drop() { rm -f "$T"/cnt-*.snap; }

count_get() {
	local n=$1 peer=$2 dir=$3 ty=$4
	{
		if [ -f "$T/cnt-$n.snap" ]; then
			cat "$T/cnt-$n.snap"
		else
			nx "$n" iptables -t "$(lib_count_table "$dir")" -nvxL "PGMTEST_$dir" 2>/dev/null
		fi
	} | awk -v c="/* cnt:$peer:$dir:$ty */" 'index($0, c) { s += $1 } END { print s + 0 }'
}

# ---- captures --------------------------------------------------------------

cap_start() {
	local n=$1 peer=$2 name=$3 filt=${4:-ip proto 113}
	LIB_CAPS+=("$name")
	bg_start "$n" "cap-$name" dumpcap -q -i "$(ifname "$n" "$peer")" -f "$filt" \
		-w "$T/$name.pcapng"
	# dumpcap writes the file header once the capture socket is open
	wait_for 10 test -s "$T/$name.pcapng" || die "capture $name did not start"
}

cap_stop() {
	local name=$1
	bg_running "cap-$name" || return 0
	bg_stop "cap-$name" INT || true
}

cap_count() {
	tshark -n -r "$T/$1.pcapng" -Y "$2" -T fields -e frame.number 2>/dev/null | wc -l
}

cap_fields() {
	local name=$1 filt=$2; shift 2
	local args=() f
	for f in "$@"; do args+=(-e "$f"); done
	tshark -n -r "$T/$name.pcapng" -Y "$filt" -T fields "${args[@]}" 2>/dev/null
}

# cap_tsv NAME FIELD...: one tshark pass over capture NAME, the fields of
# every PGM packet as tab-separated lines (multi-valued fields comma-joined)
# into $T/NAME.tsv; faster than many cap_count calls on the same file.
cap_tsv() {
	local name=$1; shift
	cap_fields "$name" pgm "$@" >"$T/$name.tsv"
}

# cap_pgm_sqns NAME [BPF]: one "TIME TYPE SQN" line per SQN that a PGM
# packet in capture NAME carries, TIME in seconds since the epoch (the
# captures of one host share its clock): ODATA and RDATA their SQN; NAK,
# NNAK and NCF (same layout, §8.3) their NAK_SQN, then their OPT_NAK_LIST
# entries. Parsed from the raw bytes (tshark shows the list only as
# truncated text).
cap_pgm_sqns() {
	local name=$1 filt=${2:-}
	tcpdump -r "$T/$name.pcapng" -tt -nn -x "ip proto 113${filt:+ and ($filt)}" 2>/dev/null |
		python3 -c '
import sys
KIND = {0x04: "ODATA", 0x05: "RDATA", 0x08: "NAK", 0x09: "NNAK", 0x0A: "NCF"}
def emit(t, p):
    if len(p) < 20: return
    pgm = p[(p[0] & 15) * 4:]
    if len(pgm) < 20 or pgm[4] not in KIND: return
    kind = KIND[pgm[4]]
    print(t, kind, int.from_bytes(pgm[16:20], "big"))
    if kind in ("ODATA", "RDATA") or not pgm[5] & 1: return
    afi_len = lambda afi: 4 if afi == 1 else 16
    # source NLA (AFI, reserved, address), then group NLA, then options
    o = 20 + 4 + afi_len(int.from_bytes(pgm[20:22], "big"))
    o += 4 + afi_len(int.from_bytes(pgm[o:o + 2], "big"))
    if o + 3 > len(pgm) or (pgm[o] & 0x7f) != 0: return
    o += pgm[o + 1]
    while o + 2 <= len(pgm):
        ty, l = pgm[o], pgm[o + 1]
        if l < 2: break
        if (ty & 0x7f) == 0x02:
            for i in range(o + 4, o + l, 4):
                print(t, kind, int.from_bytes(pgm[i:i + 4], "big"))
        if ty & 0x80: break
        o += l
t, cur = None, bytearray()
for line in sys.stdin:
    if line.startswith("\t0x"):
        cur += bytes.fromhex("".join(line.split(":", 1)[1].split()))
        continue
    if t is not None: emit(t, cur)
    t, cur = line.split()[0], bytearray()
if t is not None: emit(t, cur)
'
}

# cap_nak_sqns NAME [BPF]: every SQN the NAKs in capture NAME ask for, one
# decimal per line: the NAK's own SQN, then its OPT_NAK_LIST entries.
cap_nak_sqns() {
	cap_pgm_sqns "$@" | awk '$2 == "NAK" { print $3 }'
}

# ---- teardown --------------------------------------------------------------

# lib_cleanup_nodes: stop every process we started, delete our namespaces
# (a scenario may call it to rebuild; the EXIT trap calls it too).
lib_cleanup_nodes() {
	local c name n p i
	for c in "${LIB_CAPS[@]}"; do cap_stop "$c" 2>/dev/null; done
	# reverse order: pgmned before smcroute before the rest
	for ((i = ${#LIB_BG[@]} - 1; i >= 0; i--)); do
		name=${LIB_BG[$i]}
		bg_running "$name" && bg_stop "$name" TERM >/dev/null 2>&1
	done
	for n in "${LIB_NODES[@]}"; do
		# anything left in our namespaces was started by this test
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
	done
	LIB_CAPS=() LIB_BG=() LIB_NODES=() LIB_MFWD_UP=() LIB_MROUTES=() LIB_CNT_CHAIN=() LIB_ADDR=()
}

lib_cleanup() {
	local rc=$?
	[ "$LIB_CLEANED" = 1 ] && return
	LIB_CLEANED=1
	# a second Ctrl-C must not cut the teardown short
	trap - EXIT
	trap '' INT TERM
	lib_cleanup_nodes
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${KEEP:-0}" = 1 ]; then
			echo "kept $T"
		else
			rm -rf "$T"
		fi
	fi
	exit "$rc"
}

trap lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

require_root
require_cmd ip iptables sha256sum
LIB_MFWD=$("$LIB_DIR/mfwd_pick.sh") || die "multicast forwarder: $LIB_MFWD"
LIB_MFWD=${LIB_MFWD%% *}
T=$(mktemp -d "/tmp/pgmne-$RUN.XXXXXX") || die "mktemp"
