#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pgmned's life on a router: bad flags refused, its own nftables table
# while it runs (prerouting tags, postrouting and input queue; ODATA
# accepted by the kernel rule, never queued; iptables-save unharmed), a second instance on the same queue refused
# without touching the first one's rules, kill -9 mid-transfer harmless
# (--queue-bypass), the stale table replaced on restart, SIGTERM leaves
# no rule and no socket; --rules iptables (the fallback) and --rules none
# the same way (its tagging rules following the interfaces).
# shellcheck source=tests/system/lib.sh
. "$(dirname "$0")/lib.sh"
require_mfwd
require_cmd tshark dumpcap nft jq
require_bin pgmned pgmnectl opgm_send opgm_recv

SIZE=0
N=2
Q=$((300 + RANDOM % 100))
TABLE=pgmned-q$Q
PRE=PGMNE-Q$Q-PRE # --rules iptables
POST=PGMNE-Q$Q-POST
IN=PGMNE-Q$Q-IN
TAG=0x50000000 # pgmned's mark tag (pgmned/pktmark.h)

ned() { nx r1 "$(bin pgmned)" "$@"; }
ned_start() {
	bg_start r1 pgmned "$(bin pgmned)" -d -q "$Q" -s "$T/r1.ctl" "$@"
	bg_wait_log pgmned "ready: queue $Q" 15 || fail "pgmned did not start"
}
# ours: pgmned's table (empty if none); ipt: iptables' filter rules;
# ipt_all: every iptables table
ours() { nx r1 nft list table ip "$TABLE" 2>/dev/null; }
ipt() { nx r1 iptables -w -S; }
ipt_all() { nx r1 iptables-save; }
# rules of pgmned's in either form: table lines, iptables PGMNE lines
pgmne_rules() { echo $(($(ours | wc -l) + $(ipt_all | grep -c -- PGMNE))); }
# chain_json CHAIN: the chain of pgmned's table as nft JSON
chain_json() { nx r1 nft -j list chain ip "$TABLE" "$1" 2>/dev/null; }
# counter CHAIN N: packets of the N-th counter in CHAIN of pgmned's table
# (pgmned puts a counter on its queue rules only)
counter() {
	chain_json "$1" | jq "[.nftables[].rule? // empty | .expr[] | .counter? // empty
		| .packets][$2] // 0"
}
# handle CHAIN PATTERN: handle of the rule of CHAIN matching PATTERN
handle() { nx r1 nft -a list chain ip "$TABLE" "$1" 2>/dev/null | awk -v p="$2" '$0 ~ p { print $NF }'; }
# shellcheck disable=SC2317 # called through wait_for
queued_in_since() { [ "$(counter input 0)" -gt "$1" ]; }

# expect_usage MESSAGE ARGS...: exit 2 and MESSAGE on stderr, nothing installed
expect_usage() {
	local msg=$1 rc=0; shift
	ned "$@" >"$T/usage.out" 2>&1 || rc=$?
	[ "$rc" -eq 2 ] || fail "pgmned $* exited $rc, not 2"
	grep -qF -- "$msg" "$T/usage.out" || fail "pgmned $*: no '$msg' in: $(cat "$T/usage.out")"
	[ "$(wc -l <"$T/usage.out")" -eq 1 ] || fail "pgmned $*: more than one line"
}

# start_transfer RATE_KBIT BYTES
start_transfer() {
	local i
	SIZE=$2
	head -c "$SIZE" /dev/urandom >"$T/in.bin"
	for i in $(seq 1 $N); do rm -f "$T/out$i.bin"; done
	recv_start r1 "$N" 90
	bg_start src send "$(bin opgm_send)" -n "$(addr src r1);$GROUP" -p "$PORT" -r "$1" \
		-l 30 "$T/in.bin"
}
check_transfer() {
	recv_verify "$N" 90 "$1"
	bg_stop send || true
}

star_add "$N"

# --- bad flags and settings: exit 2, one line naming the problem
expect_usage "unknown option '--bogus'" --bogus
expect_usage "option '-q' needs a value" -q
expect_usage "queue: 70000 out of range 0..65535" -q 70000
expect_usage "nak-rpt-ivl: 'soon' is not a number" --nak-rpt-ivl soon
expect_usage "nak-elim-ivl (5000) must not exceed nak-rdata-ivl (1000)" \
	--nak-elim-ivl 5000 --nak-rdata-ivl 1000
printf 'queue %s\nnak-rpt 100\n' "$Q" >"$T/bad.conf"
expect_usage "$T/bad.conf:2: unknown setting 'nak-rpt'" -f "$T/bad.conf"
expect_usage "unexpected argument 'extra'" -d extra
if command -v setpriv >/dev/null 2>&1; then
	rc=0
	nx r1 setpriv --bounding-set=-net_admin,-net_raw "$(bin pgmned)" -d -q "$Q" \
		-s "$T/r1.ctl" >"$T/nocap.out" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] || fail "pgmned without capabilities exited $rc, not 1"
	grep -q "needs CAP_NET_ADMIN and CAP_NET_RAW" "$T/nocap.out" ||
		fail "pgmned without capabilities did not say so: $(cat "$T/nocap.out")"
fi
[ "$(pgmne_rules)" -eq 0 ] || fail "a refused start left rules behind"
ned --help | grep -q -- "--nak-elim-ivl MS" || fail "--help does not document --nak-elim-ivl"

# --- running: a table of its own: prerouting (before any forwarder's
# chain) tags PGM with its arrival interface, postrouting (before
# mangle) queues tagged copies, input queues what is addressed to us;
# other traffic leaves each at its first rule; the operator's iptables
# rules and iptables-save are unharmed
nx r1 iptables -w -A FORWARD -p 47 -j ACCEPT || die "operator rule"
ned_start
grep -q "ready: queue $Q, nftables rules" "$T/pgmned.log" || fail "not started with nftables rules"
for spec in prerouting:-350:4 postrouting:-200:2 input:0:4; do
	IFS=: read -r c prio nrules <<<"$spec"
	chain_json "$c" >"$T/$c.json" || fail "no chain $c in table $TABLE"
	[ "$(jq -r '.nftables[].chain? // empty | "\(.type) \(.hook) \(.prio) \(.policy)"' \
		"$T/$c.json")" = "filter $c $prio accept" ] ||
		fail "$c: not a filter base chain, priority $prio, policy accept"
	[ "$(jq '[.nftables[].rule? // empty] | length' "$T/$c.json")" -eq "$nrules" ] ||
		fail "$c: not $nrules rules"
done
[ "$(ours | grep -c "ip protocol != 113 accept")" -eq 2 ] || fail "no early accept for other traffic"
[ "$(ours | grep -c "@th,32,8 0x4 accept")" -eq 2 ] || fail "no ODATA accept rule"
[ "$(ours | grep -c "ip frag-off & 16383 != 0 accept")" -eq 2 ] || fail "no fragment accept rule"
# nft shows (iif & 0x00ffffff) ^ TAG as "& 0x50ffffff | TAG", in decimal
ours | grep -q "meta mark set iif & 1358954495 | 1342177280" || fail "no tagging rule: $(ours)"
ours | grep -q "meta mark != $TAG/8 accept" || fail "no accept for untagged packets"
[ "$(ours | grep -c "counter packets [0-9]* bytes [0-9]* queue num $Q bypass")" -eq 2 ] ||
	fail "no counted queue rule with bypass in postrouting and input: $(ours)"
[ "$(ipt_all | grep -c -- PGMNE)" -eq 0 ] || fail "iptables chains besides the table"
ipt | grep -q -- "-A FORWARD -p gre -j ACCEPT" || fail "iptables -S lost the operator's rule"
nx r1 iptables-save | grep -q -- "-A FORWARD -p gre -j ACCEPT" || fail "iptables-save broken by our table"
[ -S "$T/r1.ctl" ] || fail "no control socket"
strip_counters() { sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/'; }
ours | strip_counters >"$T/rules.before"

# --- IP fragments are forwarded by the kernel, not queued: no whole PGM
# header to judge (a 3000-byte PGM datagram from the source, three pieces)
nx rcv1 iptables -w -A INPUT -p 113 -s "$(addr src r1)" -m length --length 3020 -j ACCEPT
# shellcheck disable=SC2317 # called through wait_for
frag_in() { nx rcv1 iptables -w -nvxL INPUT | awk '$3 == "ACCEPT" { print $1; exit }'; }
q0=$(counter postrouting 0)
nx src python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 113)
s.setsockopt(socket.IPPROTO_IP, 10, 0)   # IP_MTU_DISCOVER: IP_PMTUDISC_DONT
s.sendto(bytes(3000), (sys.argv[1], 0))' "$(addr rcv1 r1)" || die "fragmented send"
# shellcheck disable=SC2317 # called through wait_for
frag_delivered() { [ "$(frag_in)" -ge 1 ]; }
wait_for 5 frag_delivered || fail "fragmented PGM datagram not delivered through r1"
[ "$(counter postrouting 0)" -eq "$q0" ] || fail "fragments were queued"

# --- a second instance on the same queue fails and leaves the first alone
rc=0
ned -d -q "$Q" -s "$T/second.ctl" >"$T/second.out" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "second pgmned on queue $Q exited $rc, not 3"
grep -q "NFQUEUE $Q is already in use" "$T/second.out" ||
	fail "second pgmned did not say why: $(cat "$T/second.out")"
bg_running pgmned || fail "the first pgmned died"
ours | strip_counters | diff -u "$T/rules.before" - || fail "the second pgmned changed the rules"
{ [ -S "$T/r1.ctl" ] && [ ! -e "$T/second.ctl" ]; } || fail "control sockets disturbed"

# --- ODATA is accepted by the kernel rule, never queued: every ODATA
# packet arriving matched the prerouting ODATA rule, none went past it
# (so none was tagged), and none of the copies the forwarder made of them
# (one per receiver link) reached postrouting's queue rule. The test's
# own counters (pgmned counts only its queue rules): prerouting counter 0
# before the ODATA rule, counter 1 after it; postrouting counter 0 ODATA
# past the untagged accept, counter 1 pgmned's queue rule.
h=$(handle prerouting '@th,32,8 0x4 accept')
[ -n "$h" ] || fail "no handle for the ODATA rule"
nx r1 nft insert rule ip "$TABLE" prerouting position "$h" @th,32,8 4 counter || die "counter before"
nx r1 nft add rule ip "$TABLE" prerouting position "$h" @th,32,8 4 counter || die "counter after"
h=$(handle postrouting "meta mark != $TAG/8 accept")
[ -n "$h" ] || fail "no handle for the untagged accept rule"
nx r1 nft add rule ip "$TABLE" postrouting position "$h" @th,32,8 4 counter || die "counter queued"
for i in $(seq 1 $N); do cap_start r1 "rcv$i" "out$i"; done
start_transfer 8000 $((300 * 1024))
check_transfer "clean transfer"
odata=0 spm_ok=0
for i in $(seq 1 $N); do
	cap_stop "out$i"
	odata=$((odata + $(cap_count "out$i" "pgm.hdr.type == 0x04")))
	# SPMs were queued and rewritten: path NLA = our address on that link (§7.1)
	spm_ok=$((spm_ok + $(cap_count "out$i" "pgm.hdr.type == 0x00 && pgm.spm.path.ipv4 == $(addr r1 "rcv$i")")))
done
accepted=$(counter prerouting 0)
past=$(counter prerouting 1)
odata_queued=$(counter postrouting 0)
queued=$(counter postrouting 1)
log "ODATA copies forwarded: $odata; ODATA packets reaching the kernel's ODATA rule: $accepted;" \
	"past it: $past; ODATA at the queue rule: $odata_queued; queued on postrouting: $queued;" \
	"SPMs with our path NLA: $spm_ok"
[ "$odata" -gt 0 ] || fail "no ODATA forwarded"
[ "$accepted" -gt 0 ] && [ "$odata" -eq $((N * accepted)) ] ||
	fail "$odata ODATA copies forwarded on $N links but $accepted reached the kernel ODATA rule"
[ "$past" -eq 0 ] || fail "$past ODATA packets went past the kernel's ODATA rule"
[ "$odata_queued" -eq 0 ] || fail "$odata_queued ODATA copies reached the queue rule"
{ [ "$queued" -gt 0 ] && [ "$spm_ok" -gt 0 ]; } || fail "SPMs did not go through pgmned"

# --- kill -9 mid-transfer: the kernel keeps forwarding (--queue-bypass)
# shellcheck disable=SC2046
nx r1 iptables -t raw -A PREROUTING -i "$(ifname r1 src)" $(lib_pgm_match odata) \
	-m statistic --mode random --probability 0.03 -j DROP || die "loss rule"
before=$(counter input 0)
start_transfer 2000 $((1024 * 1024))  # about 4 s
wait_for 20 queued_in_since "$before" || fail "no NAK reached pgmned before the kill"
bg_running recv1 || fail "the transfer ended before the kill"
kill -KILL "$(bg_pid pgmned)"
bg_wait pgmned 5 >/dev/null || true
bg_running pgmned && fail "pgmned survived kill -9"
check_transfer "after kill -9"
[ "$(pgmne_rules)" -gt 0 ] || fail "rules vanished after kill -9"
log "every byte delivered after kill -9 ($(nx r1 iptables -t raw -nvxL PREROUTING |
	awk '$3 == "DROP" { s += $1 } END { print s + 0 }') ODATA dropped)"

# --- restart replaces the stale table: the test's counters gone, one
# queue rule per chain, not two
printf 'interface %s\nnak-rpt-ivl 450\n' "$(ifname r1 src)" >"$T/r1.conf"
ned_start -f "$T/r1.conf" -i "$(ifname r1 rcv1)"
ours | strip_counters | diff -u "$T/rules.before" - || fail "stale table not replaced"

# --- -i and the file's interface lines add up: PGM on those only; links
# and addresses followed live
# iface_row NAME: "ADDRESS PGM" from pgmnectl show interfaces
iface_row() { nectl r1 show interfaces | awk -v n="$1" '$1 == n { print $3, $6 }'; }
[ "$(iface_row "$(ifname r1 src)")" = "$(addr r1 src) on" ] || fail "-i: $(ifname r1 src) not on"
[ "$(iface_row "$(ifname r1 rcv1)")" = "$(addr r1 rcv1) on" ] || fail "-i: $(ifname r1 rcv1) not on"
[ "$(iface_row "$(ifname r1 rcv2)")" = "$(addr r1 rcv2) off" ] || fail "-i: $(ifname r1 rcv2) not off"
nx r1 ip link add e-late type veth peer name e-late2 || die "veth"
nx r1 ip addr add 10.0.99.1/24 dev e-late
nx r1 ip link set e-late up
# shellcheck disable=SC2317 # called through wait_for
row_is() { [ "$(iface_row "$1")" = "$2" ]; }
wait_for 10 row_is e-late "10.0.99.1 off" || fail "new interface not seen: '$(iface_row e-late)'"
nx r1 ip link del e-late
# shellcheck disable=SC2317 # called through wait_for
late_gone() { nectl r1 show interfaces >"$T/ifs" && ! grep -q '^e-late ' "$T/ifs"; }
wait_for 10 late_gone || fail "deleted interface still listed"

# --- SIGHUP: the interface set is reloaded, a timer change is named for a
# restart, a broken file changes nothing
printf 'interface %s\ninterface %s\nnak-rpt-ivl 400\n' "$(ifname r1 src)" \
	"$(ifname r1 rcv2)" >"$T/r1.conf"
kill -HUP "$(bg_pid pgmned)"
wait_for 10 row_is "$(ifname r1 rcv2)" "$(addr r1 rcv2) on" || fail "SIGHUP: rcv2 not enabled"
row_is "$(ifname r1 rcv1)" "$(addr r1 rcv1) on" || fail "SIGHUP: the -i interface was dropped"
bg_wait_log pgmned "nak-rpt-ivl 450 -> 400 takes effect at restart" 5 ||
	fail "SIGHUP: timer change not reported"
echo "queue nope" >"$T/r1.conf"
kill -HUP "$(bg_pid pgmned)"
bg_wait_log pgmned "r1.conf:1: queue: 'nope' is not a number; settings unchanged" 5 ||
	fail "SIGHUP: broken file not reported"
bg_running pgmned || fail "SIGHUP with a broken file stopped pgmned"
row_is "$(ifname r1 rcv2)" "$(addr r1 rcv2) on" || fail "SIGHUP: broken file changed interfaces"

# --- SIGTERM: exit 0, no rule, no socket
rc=0
bg_stop pgmned TERM || rc=$?
[ "$rc" -eq 0 ] || fail "pgmned exited $rc on SIGTERM"
[ "$(pgmne_rules)" -eq 0 ] || fail "rules left after SIGTERM: $(ours; ipt_all | grep PGMNE)"
[ ! -e "$T/r1.ctl" ] || fail "control socket left after SIGTERM"
# --- without -d: it detaches once set up, and SIGTERM still cleans up
ned -q "$Q" -s "$T/r1.ctl" >"$T/detach.out" 2>&1 || fail "pgmned without -d: $(cat "$T/detach.out")"
{ [ -S "$T/r1.ctl" ] && [ "$(pgmne_rules)" -gt 0 ]; } || fail "detached pgmned is not set up"
dpid=""
for p in $(ip netns pids "$(ns r1)"); do
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "-s $T/r1.ctl" && dpid=$p
done
[ -n "$dpid" ] || fail "no detached pgmned process"
kill -TERM "$dpid"
wait_for 10 test ! -e "/proc/$dpid" || fail "detached pgmned ignored SIGTERM"
[ "$(pgmne_rules)" -eq 0 ] || fail "rules left after SIGTERM to the detached pgmned"
[ ! -e "$T/r1.ctl" ] || fail "control socket left by the detached pgmned"

# --- --rules iptables (also the fallback when nftables refuses the
# table): the same three hooks in chains of its own, jumps for PGM only
# at the head of raw PREROUTING, mangle POSTROUTING and filter INPUT, a
# tagging rule per PGM interface, rewritten when the interfaces change
ned_start --rules iptables
grep -q "ready: queue $Q, iptables rules" "$T/pgmned.log" || fail "not started with iptables rules"
[ -z "$(ours)" ] || fail "--rules iptables installed the nftables table"
# first_jump TABLE CHAIN: the first rule of a built-in chain
first_jump() { nx r1 iptables -w -t "$1" -S "$2" | grep -- "^-A $2" | head -1; }
[ "$(first_jump raw PREROUTING)" = "-A PREROUTING -p 113 -j $PRE" ] ||
	fail "no PGM jump to $PRE at the head of raw PREROUTING"
[ "$(first_jump mangle POSTROUTING)" = "-A POSTROUTING -m mark --mark $TAG/0xff000000 -j $POST" ] ||
	fail "no tagged jump to $POST at the head of mangle POSTROUTING: $(first_jump mangle POSTROUTING)"
[ "$(first_jump filter INPUT)" = "-A INPUT -p 113 -j $IN" ] ||
	fail "no PGM jump to $IN at the head of INPUT"
for c in "mangle $POST" "filter $IN"; do
	read -r tbl chain <<<"$c"
	nx r1 iptables -w -t "$tbl" -S "$chain" | grep -q -- "-j NFQUEUE --queue-num $Q --queue-bypass" ||
		fail "no NFQUEUE rule with --queue-bypass in $c"
done
# tag_rule IFNAME: the tagging rule for IFNAME, with its ifindex
tag_rule() {
	printf -- '-A %s -i %s -j MARK --set-xmark 0x%08x/0xffffffff' "$PRE" "$1" \
		$((TAG | $(nx r1 cat "/sys/class/net/$1/ifindex")))
}
for p in src rcv1 rcv2; do
	nx r1 iptables -w -t raw -S "$PRE" | grep -qxF -- "$(tag_rule "$(ifname r1 "$p")")" ||
		fail "no tagging rule for $(ifname r1 "$p"): $(nx r1 iptables -w -t raw -S "$PRE")"
done
nx r1 ip link add e-late type veth peer name e-late2 || die "veth"
nx r1 ip link set e-late up
# shellcheck disable=SC2317 # called through wait_for
late_tagged() { nx r1 iptables -w -t raw -S "$PRE" | grep -qxF -- "$(tag_rule e-late)"; }
wait_for 10 late_tagged || fail "no tagging rule for a new interface"
nx r1 ip link del e-late
# shellcheck disable=SC2317 # called through wait_for
late_untagged() { ! nx r1 iptables -w -t raw -S "$PRE" | grep -q -- "-i e-late "; }
wait_for 10 late_untagged || fail "tagging rule of a deleted interface left"
# ODATA through them: returned untagged by their u32 rule (once per
# packet, before the forwarder copies it), never queued
# accepted_odata: packets of the chain's first rule (the ODATA RETURN)
accepted_odata() { nx r1 iptables -w -t raw -nvxL "$PRE" | awk '$3 == "RETURN" { print $1; exit }'; }
queued_post() { nx r1 iptables -w -t mangle -nvxL "$POST" | awk '$3 == "NFQUEUE" { print $1; exit }'; }
# raw_drops: what the kill -9 section's loss rule (after our jump) dropped
raw_drops() { nx r1 iptables -w -t raw -nvxL PREROUTING | awk '$3 == "DROP" { s += $1 } END { print s + 0 }'; }
k0=$(accepted_odata) d0=$(raw_drops)
for i in $(seq 1 $N); do cap_start r1 "rcv$i" "out$i"; done
start_transfer 8000 $((100 * 1024))
check_transfer "transfer with --rules iptables"
odata=0 spm_ok=0
for i in $(seq 1 $N); do
	cap_stop "out$i"
	odata=$((odata + $(cap_count "out$i" "pgm.hdr.type == 0x04")))
	spm_ok=$((spm_ok + $(cap_count "out$i" "pgm.hdr.type == 0x00 && pgm.spm.path.ipv4 == $(addr r1 "rcv$i")")))
done
k1=$(accepted_odata) d1=$(raw_drops)
{ [ "$odata" -gt 0 ] && [ "$odata" -eq $((N * (k1 - k0 - (d1 - d0)))) ]; } ||
	fail "--rules iptables: $odata ODATA copies forwarded on $N links, $((k1 - k0)) accepted by the kernel rule, $((d1 - d0)) dropped after it"
{ [ "$(queued_post)" -gt 0 ] && [ "$spm_ok" -gt 0 ]; } ||
	fail "--rules iptables: SPMs did not go through pgmned ($(queued_post) queued, $spm_ok rewritten)"
# kill -9 leaves the chains; an nftables start removes them (they would
# queue PGM a second time) and installs its table
kill -KILL "$(bg_pid pgmned)"
bg_wait pgmned 5 >/dev/null || true
[ "$(ipt_all | grep -c -- PGMNE)" -gt 0 ] || fail "iptables chains vanished after kill -9"
ned_start
[ "$(ipt_all | grep -c -- PGMNE)" -eq 0 ] || fail "stale iptables chains not removed by an nftables start"
[ -n "$(ours)" ] || fail "no table after the iptables chains were removed"
bg_stop pgmned TERM || fail "pgmned exited $? on SIGTERM"
[ "$(pgmne_rules)" -eq 0 ] || fail "rules left after SIGTERM"
# and the other way: iptables after a killed nftables run
ned_start
kill -KILL "$(bg_pid pgmned)"
bg_wait pgmned 5 >/dev/null || true
ned_start --rules iptables
[ -z "$(ours)" ] || fail "stale nftables table not removed by an iptables start"
bg_stop pgmned TERM || fail "pgmned --rules iptables exited $? on SIGTERM"
[ "$(pgmne_rules)" -eq 0 ] || fail "iptables rules left after SIGTERM: $(ipt_all | grep PGMNE)"

# --- --rules none: nothing installed, nothing removed
ned_start --rules none
[ "$(pgmne_rules)" -eq 0 ] || fail "--rules none installed rules"
bg_stop pgmned TERM || fail "pgmned --rules none exited $? on SIGTERM"
ipt | grep -q -- "-A FORWARD -p gre -j ACCEPT" || fail "the operator's rule is gone"
pass "rules (nftables, iptables, none), single instance, ODATA in the kernel, kill -9 bypass, clean stop, detached stop"
