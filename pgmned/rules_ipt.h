/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The iptables form of pgmned's rules (`--rules iptables`, and the
 * fallback when the nftables batch fails): the same three hooks as the
 * nftables table (rules_nft_batch.h), in chains of its own per queue
 * number, with jumps for IP protocol 113 only at the head of the
 * built-in chains:
 *
 *   raw PREROUTING      PGMNE-Q<n>-PRE   ODATA and fragments return; every
 *                                        other PGM packet gets the tag and
 *                                        its arrival ifindex as its mark
 *                                        (pktmark.h), one rule per PGM
 *                                        interface (iptables cannot copy
 *                                        the ifindex itself)
 *   mangle POSTROUTING  PGMNE-Q<n>-POST  tagged copies to the queue
 *   filter INPUT        PGMNE-Q<n>-IN    ODATA and fragments accepted,
 *                                        the rest to the queue
 *
 * The queue rules carry --queue-bypass so forwarding goes on without us.
 * No other rule is ever touched. raw PREROUTING (priority -300) runs
 * before an nftables dup forwarder at -250; mangle POSTROUTING (-150)
 * is where the tests' and an operator's own mangle rules also are, in
 * the order their jumps were inserted.
 */
#ifndef PGMNE_RULES_IPT_H
#define PGMNE_RULES_IPT_H

#include <stdint.h>

struct ne_ifaces;

/* The chains' names for a queue number (printf formats, one %u). */
#define IPT_CHAIN_PRE "PGMNE-Q%u-PRE"
#define IPT_CHAIN_POST "PGMNE-Q%u-POST"
#define IPT_CHAIN_IN "PGMNE-Q%u-IN"
#define IPT_CHAIN_LEN 32 /* bytes for any of them, NUL included */

/*
 * Replace any stale chains of this queue and install fresh ones, tagging
 * the PGM-enabled interfaces of ifs. 0 or -1.
 */
int ipt_rules_install(uint16_t queue, const struct ne_ifaces *ifs);
/* Rewrite the tagging chain for a changed interface set. 0 or -1. */
int ipt_rules_retag(uint16_t queue, const struct ne_ifaces *ifs);
/* Remove the jumps and chains of this queue (quietly if absent). */
void ipt_rules_remove(uint16_t queue);

#endif
