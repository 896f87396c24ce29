#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/tools/mfwd_conf.sh smcroute|dup [TABLE] — a router's multicast
# routes as its forwarder's configuration, on stdout. The routes come on
# stdin, one a line: "IIF SRC GROUP OIF..." (SRC "-" for (*,G)).
#   smcroute  an smcroute.conf: "mroute from IIF [source SRC] group G to OIF..."
#   dup       an nft script replacing table "ip TABLE" (default
#             pgmtest-mfwd) in one transaction: a prerouting chain at
#             priority -250 (after the raw table, -300, where tests drop
#             and count what arrives) with a rule per route,
#             `iifname IIF [ip saddr SRC] ip daddr G ip ttl > 1
#              dup to G device OIF ... drop`.
#             The kernel decrements the copies' TTL; they pass OUTPUT and
#             POSTROUTING, never FORWARD. TTL 1 is not forwarded, as ipmr.
# Used by tests/system/lib.sh and topologies/mininet_pgm.py.
set -eu
kind=${1:-}
table=${2:-pgmtest-mfwd}
case $kind in
smcroute)
	while read -r iif src grp oifs; do
		[ -n "$iif" ] || continue
		[ "$src" = - ] && src="" || src=" source $src"
		echo "mroute from $iif$src group $grp to $oifs"
	done ;;
dup)
	echo "table ip $table"
	echo "delete table ip $table"
	echo "table ip $table {"
	echo "	chain prerouting {"
	echo "		type filter hook prerouting priority -250; policy accept;"
	while read -r iif src grp oifs; do
		[ -n "$iif" ] || continue
		rule="iifname \"$iif\""
		[ "$src" = - ] || rule="$rule ip saddr $src"
		rule="$rule ip daddr $grp ip ttl > 1"
		for o in $oifs; do rule="$rule dup to $grp device \"$o\""; done
		echo "		$rule drop"
	done
	echo "	}"
	echo "}" ;;
*)
	echo "usage: mfwd_conf.sh smcroute|dup [TABLE] <routes" >&2
	exit 2 ;;
esac
