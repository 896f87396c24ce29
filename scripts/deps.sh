#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages pgmne needs, only those missing.
# Quiet and quick when everything is there; idempotent.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libmnl-dev libnftnl-dev libnetfilter-queue-dev libnl-3-dev libnl-route-3-dev libcap-dev
libcunit1-dev libpgm-dev
iptables nftables iproute2 smcroute tshark tcpdump iputils-ping bridge-utils
mininet python3 jq procps psmisc kmod"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing (run 'make deps' as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
