#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check NAK elimination and constrained RDATA of one network element
from captures (RFC 3208 §7.3, §7.4, §7.8).

Input: the "TIME TYPE SQN" lines of tests/system/lib.sh cap_pgm_sqns, one
file for the element's upstream link (captured at the source: NAKs the
element forwarded, the source's NCFs and RDATA) and one per downstream
leaf link (captured at the element: the receiver's NAKs arriving, RDATA
leaving). Every capture is taken on one host, so the times compare.

Per leaf (§7.8): an RDATA for SQN X may leave on a leaf only if a NAK
for X arrived on that leaf since the last RDATA for X left there (the
NAK put the leaf in X's repair state; the RDATA served it and took it
out), and the state lived from that NAK to the RDATA without a break:
pending NAK_RPT_IVL after each NAK the element sent up, confirmed
NAK_RDATA_IVL after each NCF. Leaves named in --clean get no NAK and no
RDATA at all.

Per SQN upstream (§7.3, §7.4), walking the upstream NAKs for X in time
order, each one is
  - the first of a repair cycle: no repair for X outstanding (none yet,
    or an RDATA for X has passed since the previous upstream NAK, which
    ends the state, §7.8). It needs a receiver NAK for X that arrived
    after that RDATA, not used by another cycle.
  - after an NCF for X at time c: the state was confirmed, and duplicates
    are eliminated for NAK_ELIM_IVL after it; the NAK may only go up at
    c + NAK_ELIM_IVL or later, and needs an unused receiver NAK for X
    that arrived in that window's wake.
  - with no NCF since the previous upstream NAK: a retry of pending
    state (at least NAK_RPT_RTE after it). Retries are counted and must
    not exceed what the element says it retransmitted (--retries).
So the element never sends more NAKs upstream for X than receiver NAKs
for X arrived outside an elimination window (no amplification), and at
most one per NAK_ELIM_IVL/confirmation cycle.

Prints a summary line; the problems, one per line, on stderr; exits 1
if there are any.
"""
import argparse
import collections
import sys

# Seconds of slack for the element's millisecond clock, and for packets
# captured on different links reaching its queue in another order.
TOL = 0.002


def load(path):
    ev = []
    with open(path) as f:
        for line in f:
            t, kind, sqn = line.split()
            ev.append((float(t), kind, int(sqn)))
    ev.sort()
    return ev


# Repair state lifetimes for alive(); SLACK covers the time between a
# receiver NAK reaching the element and the capture, at the source, of
# the NAK it forwards (seconds; far below any of the timers).
SLACK = 0.05


class Lives:
    """When the element held repair state for each SQN, from the upstream
    link: pending from each NAK it sent for NAK_RPT_IVL (rounded up to
    whole retry intervals, §7.3), confirmed from each NCF for
    NAK_RDATA_IVL (§7.3, §7.5)."""
    def __init__(self, up, rpt_ivl, rte, rdata_ivl):
        pend = -(-rpt_ivl // rte) * rte
        self.spans = collections.defaultdict(list)
        for t, kind, sqn in up:
            if kind == "NAK":
                self.spans[sqn].append((t - SLACK, t + pend))
            elif kind == "NCF":
                self.spans[sqn].append((t, t + rdata_ivl))
        for v in self.spans.values():
            v.sort()

    def alive(self, sqn, start, end):
        """True if state for sqn existed without a break from start to end."""
        cur = start
        for a, b in self.spans[sqn]:
            if a > cur + TOL:
                break
            cur = max(cur, b)
            if cur >= end - TOL:
                return True
        return cur >= end - TOL


def check_leaf(name, ev, clean, lives, bad):
    """§7.8: RDATA on a leaf only for a NAK from that leaf whose repair
    state was still alive; returns the number of RDATA that left on it."""
    asked = collections.defaultdict(bool)
    last = {}
    n = 0
    for t, kind, sqn in ev:
        if kind == "NAK" and clean and not last:
            bad.append(f"{name}: NAK {sqn} at {t:.6f} on a loss-free link (a loss the "
                       "test did not make)")
        if kind == "NAK":
            asked[sqn], last[sqn] = True, t
        elif kind == "RDATA":
            n += 1
            if clean:
                bad.append(f"{name}: RDATA {sqn} at {t:.6f} on a loss-free link")
            elif not asked[sqn]:
                bad.append(f"{name}: RDATA {sqn} at {t:.6f} with no NAK from {name} "
                           "since its last repair")
            elif not lives.alive(sqn, last[sqn], t):
                bad.append(f"{name}: RDATA {sqn} at {t:.6f}: the repair state of the NAK "
                           f"at {last[sqn]:.6f} had timed out")
            # a NAK captured just before the RDATA left may have come in
            # after the element served it: it asks for the next repair
            asked[sqn] = last.get(sqn, 0) > t - TOL
    return n


class Sqn:
    """What the element has outstanding for one SQN, as seen upstream."""
    def __init__(self):
        self.cycle = False      # a NAK went up and no RDATA passed since
        self.last_nak = None    # time of the last upstream NAK
        self.ncf = None         # last NCF since that NAK
        self.rdata = None       # last RDATA passing down


def crossed(s, t, rte):
    """A retry that crossed the NCF on the wire: sent NAK_RPT_RTE after
    the last NAK, before the NCF reached the element (within a few ms of
    it here). Counted as a retry, so bounded by NakRetransmitted."""
    return (s.last_nak is not None and t - s.last_nak >= rte - TOL and
            t - s.ncf < 0.005)


def take_trigger(triggers, after, until):
    """Use the earliest unused receiver NAK in (after, until], with TOL
    for the order in which the element's queue saw packets captured on
    different links."""
    after = None if after is None else after - TOL
    for i, t in enumerate(triggers):
        if t > until + TOL:
            return False
        if after is None or t > after:
            del triggers[i]
            return True
    return False


def check_up(up, leaves, elim, rte, bad):
    triggers = collections.defaultdict(list)  # sqn -> arrival times below
    for ev in leaves.values():
        for t, kind, sqn in ev:
            if kind == "NAK":
                triggers[sqn].append(t)
    for v in triggers.values():
        v.sort()
    st = collections.defaultdict(Sqn)
    stats = collections.Counter()
    for t, kind, sqn in up:
        s = st[sqn]
        if kind == "NCF":
            s.ncf = t
            s.cycle = True  # confirmed or anticipated (§7.5): eliminating
        elif kind == "RDATA":
            # The element sees the RDATA a little later: a receiver NAK
            # that arrived after the closing cycle's elimination window
            # may still have been forwarded as that cycle's repeat.
            s.rdata = t if s.ncf is None else min(t, s.ncf + elim)
            s.cycle = False
            s.ncf = None
        elif kind == "NAK":
            stats["naks"] += 1
            if not s.cycle:
                why, after = "new", s.rdata
            elif s.ncf is not None and not crossed(s, t, rte):
                why, after = "after NAK_ELIM_IVL", s.ncf + elim
                if t < after - TOL:
                    bad.append(f"up: NAK {sqn} at {t:.6f} only {(t - s.ncf) * 1000:.1f} ms "
                               "after its NCF (NAK_ELIM_IVL not over)")
            else:
                why, after = "retry", None
                stats["retries"] += 1
                if s.last_nak is not None and t - s.last_nak < rte - TOL:
                    bad.append(f"up: NAK {sqn} at {t:.6f} repeated after "
                               f"{(t - s.last_nak) * 1000:.1f} ms, before NAK_RPT_RTE")
            if why != "retry":
                stats["cycles"] += 1
                stats["repeats"] += why != "new"
                if not take_trigger(triggers[sqn], after, t):
                    bad.append(f"up: NAK {sqn} at {t:.6f} ({why}) with no receiver NAK "
                               "for it that was not eliminated")
            s.cycle, s.last_nak, s.ncf = True, t, None
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--elim-ms", type=int, required=True)
    ap.add_argument("--rte-ms", type=int, required=True)
    ap.add_argument("--rpt-ivl-ms", type=int, required=True)
    ap.add_argument("--rdata-ivl-ms", type=int, required=True)
    ap.add_argument("--retries", type=int, default=0,
                    help="NAK retries the element reports (NakRetransmitted)")
    ap.add_argument("--up", required=True, help="upstream link events")
    ap.add_argument("--leaf", action="append", default=[], metavar="NAME=FILE")
    ap.add_argument("--clean", action="append", default=[], metavar="NAME",
                    help="a leaf without loss: no RDATA may leave on it")
    ap.add_argument("--expect-repeat", action="store_true",
                    help="some NAK must go up again after NAK_ELIM_IVL")
    a = ap.parse_args()
    bad = []
    leaves = {}
    for spec in a.leaf:
        name, path = spec.split("=", 1)
        leaves[name] = load(path)
    up = load(a.up)
    lives = Lives(up, a.rpt_ivl_ms / 1000, a.rte_ms / 1000, a.rdata_ivl_ms / 1000)
    rdata = {n: check_leaf(n, ev, n in a.clean, lives, bad) for n, ev in leaves.items()}
    stats = check_up(up, leaves, a.elim_ms / 1000, a.rte_ms / 1000, bad)
    if stats["retries"] > a.retries:
        bad.append(f"up: {stats['retries']} unconfirmed repeats, the element "
                   f"retransmitted {a.retries}")
    if a.expect_repeat and stats["repeats"] == 0:
        bad.append("up: no NAK went up again after NAK_ELIM_IVL")
    below = sum(1 for ev in leaves.values() for e in ev if e[1] == "NAK")
    wanted = {e[2] for ev in leaves.values() for e in ev if e[1] == "NAK"}
    asked = {e[2] for e in up if e[1] == "NAK"}
    if wanted != asked:
        bad.append(f"up: SQNs NAKed below but not upstream: {sorted(wanted - asked)}; "
                   f"upstream but not below: {sorted(asked - wanted)}")
    print(f"NAKs below {below} for {len(wanted)} SQNs; upstream {stats['naks']} "
          f"({stats['cycles']} repair cycles, {stats['repeats']} of them after "
          f"NAK_ELIM_IVL; {stats['retries']} retries); RDATA per leaf "
          + " ".join(f"{n}={c}" for n, c in sorted(rdata.items())))
    for b in bad:
        print(b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
