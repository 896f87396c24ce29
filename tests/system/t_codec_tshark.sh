#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Independent check of our PGM encoder (common/wire_*.c): pgm_pcapgen
# writes packets of every type with a variety of options into a pcap,
# and tshark — Wireshark's own dissector, written apart from us — must
# decode each with the type, SQN, NLAs, options and NAK list entries we
# put in, a good checksum, and nothing malformed.
#
# No namespaces: the capture is a file. Exit 0 pass, 77 skip (tshark
# missing), 1 fail.
set -u

if ! command -v tshark >/dev/null 2>&1; then
	echo "skip: tshark is not installed"
	exit 77
fi

BIN=${PGMNE_BIN:-bin}
T=$(mktemp -d "/tmp/t_codec_tshark.$$.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $*"; exit 1; }

[ -x "$BIN/pgm_pcapgen" ] || fail "$BIN/pgm_pcapgen not built"
"$BIN/pgm_pcapgen" -o "$T/pgm.pcap" -e "$T/expect.tsv" || fail "pgm_pcapgen failed"
frames=$(wc -l <"$T/expect.tsv")
[ "$frames" -ge 20 ] || fail "only $frames packets generated"

# Columns in the order pgm_pcapgen writes its expectations.
fields=(frame.number pgm.hdr.type pgm.hdr.cksum.status pgm.spm.sqn pgm.nak.sqn
	pgm.poll.sqn pgm.polr.sqn pgm.spm.path.ipv4 pgm.spm.path.ipv6
	pgm.poll.path.ipv4 pgm.nak.src.ipv4 pgm.nak.src.ipv6 pgm.nak.grp.ipv4
	pgm.nak.grp.ipv6 pgm.opts.fragment.first_sqn pgm.opts.join.min_join
	pgm.opts.redirect.dlr.ipv4 pgm.opts.nak_bo_ivl.bo_ivl ip.opt.ra
	_ws.malformed data.data)
args=()
for f in "${fields[@]}"; do args+=(-e "$f"); done

tshark -n -r "$T/pgm.pcap" -T fields -E separator=/t "${args[@]}" \
	>"$T/fields.tsv" 2>"$T/tshark.err" || fail "tshark -T fields: $(cat "$T/tshark.err")"
tshark -n -r "$T/pgm.pcap" -V >"$T/verbose.txt" 2>>"$T/tshark.err" || fail "tshark -V failed"

# NAK list entries as "count:0x.. 0x.." per frame, from the -V tree
# (Wireshark prints eight per "List" line).
awk '
	/^Frame [0-9]+:/ { f = $2; sub(":", "", f); next }
	/^ +List\([0-9]+\): / {
		n = $1; sub(/^List\(/, "", n); sub(/\):$/, "", n)
		s = ""; for (i = 2; i <= NF; i++) s = s (s == "" ? "" : " ") $i
		nak[f] = n ":" s; next
	}
	/^ +List: / { for (i = 2; i <= NF; i++) nak[f] = nak[f] " " $i; next }
	END { for (f in nak) print f "\t" nak[f] }
' "$T/verbose.txt" >"$T/naks.tsv"

# The checksum status field prints as "value,status": keep the status
# (1 good, 0 bad). Append the NAK list column.
awk -F'\t' -v OFS='\t' '
	NR == FNR { nak[$1] = $2; next }
	{ n = split($3, s, ","); if (n > 0) $3 = s[n]; print $0, ($1 in nak ? nak[$1] : "") }
' "$T/naks.tsv" "$T/fields.tsv" >"$T/actual.tsv"

status=0
if ! diff -u "$T/expect.tsv" "$T/actual.tsv"; then
	echo "tshark disagrees with what pgm_pcapgen encoded (columns: frame ${fields[*]:1} naklist)"
	status=1
fi
if grep -n -E 'Malformed|\[Expert Info \((Error|Warning)' "$T/verbose.txt"; then
	echo "tshark reports malformed packets or protocol errors"
	status=1
fi
[ $status -eq 0 ] || exit 1
echo "ok: $frames packets decoded by tshark as encoded"
