#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/system/mfwd_pick.sh — which multicast forwarder the routers of the
# tests, topologies, demo and benchmarks use on this machine; prints
# "NAME (why)". smcroute needs a kernel with multicast routing (ipmr:
# /proc/net/ip_mr_vif exists); without it an nftables dup table forwards.
# PGMNE_MFWD=smcroute|dup forces one (dup works on either kind of kernel).
# Exit 1, with the reason, when the forced one cannot work here.
case ${PGMNE_MFWD:-} in
"")
	if [ -e /proc/net/ip_mr_vif ]; then
		echo "smcroute (kernel multicast routing)"
	else
		echo "dup (nftables dup table: this kernel has no multicast routing)"
	fi ;;
smcroute)
	if [ -e /proc/net/ip_mr_vif ]; then
		echo "smcroute (PGMNE_MFWD)"
	else
		echo "PGMNE_MFWD=smcroute, but this kernel has no multicast routing (no /proc/net/ip_mr_vif)"
		exit 1
	fi ;;
dup) echo "dup (PGMNE_MFWD)" ;;
*) echo "PGMNE_MFWD=$PGMNE_MFWD: use smcroute or dup"; exit 1 ;;
esac
