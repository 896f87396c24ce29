#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Repair latency of the late askers below one router.

Reads, on stdin, tshark fields of a capture of the router's receiver
links (one capture, several interfaces), tab-separated:

    frame.interface_name  frame.time_epoch  pgm.hdr.type  pgm.nak.sqn  pgm.spm.sqn

For each SQN, the repair "passes" when the first RDATA for it leaves on
any link. A late asker is a link whose first NAK for the SQN arrives
after that: its receivers' back-off ended once the repair had gone by,
which is when a network element without a cache has to ask the source
again. Its repair latency is from that NAK to the next RDATA for the SQN
on that link.

Prints one line: "late=N median_ms=X p95_ms=Y" (n/a without late askers;
a late NAK never answered on its link counts as "unanswered=N").
"""
import sys

NAK, RDATA = 0x08, 0x05


def main():
    naks, rdata = {}, {}  # (iface, sqn) -> sorted times
    for line in sys.stdin:
        f = line.rstrip("\n").split("\t")
        if len(f) < 5 or not f[2]:
            continue
        iface, t, ty = f[0], float(f[1]), int(f[2], 0)
        if ty == NAK and f[3]:
            naks.setdefault((iface, int(f[3].split(",")[0], 0)), []).append(t)
        elif ty == RDATA and f[4]:
            rdata.setdefault((iface, int(f[4].split(",")[0], 0)), []).append(t)
    passed = {}
    for (_, sqn), ts in rdata.items():
        passed[sqn] = min(passed.get(sqn, ts[0]), min(ts))
    lat, unanswered = [], 0
    for (iface, sqn), ts in naks.items():
        first = min(ts)
        if sqn not in passed or first <= passed[sqn]:
            continue
        after = [r for r in rdata.get((iface, sqn), []) if r >= first]
        if after:
            lat.append((min(after) - first) * 1000.0)
        else:
            unanswered += 1
    lat.sort()
    if not lat:
        print(f"late=0 median_ms=n/a p95_ms=n/a unanswered={unanswered}")
        return
    med = lat[len(lat) // 2] if len(lat) % 2 else (lat[len(lat) // 2 - 1] + lat[len(lat) // 2]) / 2
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
    print(f"late={len(lat)} median_ms={med:.2f} p95_ms={p95:.2f} unanswered={unanswered}")


if __name__ == "__main__":
    main()
