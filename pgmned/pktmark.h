/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The packet mark pgmned's rules use to tell the queue where a forwarded
 * copy came from. A multicast copy made by the nftables `dup` statement
 * passes OUTPUT and POSTROUTING but never FORWARD, and NFQUEUE reports no
 * input interface outside PREROUTING, INPUT and FORWARD. So pgmned's
 * prerouting rule writes the arrival ifindex into the mark of every PGM
 * packet it will want to see (not ODATA, not fragments), the copies
 * inherit it (the kernel copies the mark with the packet, for ipmr's
 * clones and dup's copies alike), and its postrouting rule queues only
 * packets that carry the tag: what the host itself sends never does.
 *
 *   bits 31..24  RULES_MARK_TAG: "arrived on an interface, queue it"
 *   bits 23..0   the arrival ifindex
 *
 * PGM packets other than ODATA lose any mark they arrived with; nothing
 * else is touched.
 */
#ifndef PGMNE_PKTMARK_H
#define PGMNE_PKTMARK_H

#include <stdbool.h>
#include <stdint.h>

#define PKTMARK_TAG 0x50000000u      /* 'P' */
#define PKTMARK_TAG_MASK 0xff000000u
#define PKTMARK_IFINDEX_MASK 0x00ffffffu
/*
 * pgmned's own NCFs and NAKs (SO_MARK on its raw socket): not the tag,
 * so they are never queued back to it, and an operator's own rules can
 * tell them apart.
 */
#define PKTMARK_OWN 0x51000000u

/* The arrival ifindex a tagged mark carries; false when untagged. */
static inline bool pktmark_ifindex(uint32_t mark, int *ifindex)
{
	if ((mark & PKTMARK_TAG_MASK) != PKTMARK_TAG)
		return false;
	*ifindex = (int)(mark & PKTMARK_IFINDEX_MASK);
	return *ifindex != 0;
}

#endif
