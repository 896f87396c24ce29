#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Say which fixed-size blocks of a sent file a receiver's copy lacks.

usage: apdu_diff.py SENT RECEIVED [BLOCK]   (BLOCK defaults to 1024, the
APDU size of opgm_send and pgmsend)

A receiver delivers APDUs in order, so a copy that falls short of the
sent file is the sent file with some blocks missing. One line on stdout:
how many blocks the copy holds of how many, the indexes of those it
lacks (first few, as ranges), and whether the copy's blocks are all in
the sent file in order (a corrupt or reordered copy is reported as
such). For post-mortems: which APDU was lost tells a start-up race (block
0), a lost tail (the last blocks) or a repair that never came (middle).
"""
import sys


def blocks(path, size):
    with open(path, "rb") as f:
        data = f.read()
    return [data[i:i + size] for i in range(0, len(data), size)]


def ranges(idx, limit=8):
    out, start, prev = [], None, None
    for i in idx:
        if start is None:
            start = prev = i
        elif i == prev + 1:
            prev = i
        else:
            out.append((start, prev))
            start = prev = i
    if start is not None:
        out.append((start, prev))
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in out[:limit])
    return text + (" ..." if len(out) > limit else "")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: apdu_diff.py SENT RECEIVED [BLOCK]")
    size = int(sys.argv[3]) if len(sys.argv) == 4 else 1024
    if size <= 0:
        sys.exit("apdu_diff: BLOCK must be positive")
    try:
        sent, got = blocks(sys.argv[1], size), blocks(sys.argv[2], size)
    except OSError as e:
        sys.exit(f"apdu_diff: {e}")
    # Walk the copy against the sent file: each received block must match
    # the next sent block at or after the current position.
    missing, j = [], 0
    for b in got:
        while j < len(sent) and sent[j] != b:
            missing.append(j)
            j += 1
        if j == len(sent):
            print(f"{len(got)} of {len(sent)} blocks of {size} B: the copy is not the sent "
                  "file with blocks left out (corrupt or out of order)")
            return 1
        j += 1
    missing.extend(range(j, len(sent)))
    if not missing:
        print(f"all {len(sent)} blocks of {size} B")
        return 0
    print(f"{len(got)} of {len(sent)} blocks of {size} B; missing: {ranges(missing)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
