/*
 * The iptables form of pgmned's rules (`--rules iptables`, and the
 * fallback when the nftables batch fails): chains of its own per queue
 * number (PGMNE-Q<n>-FWD, PGMNE-Q<n>-IN, filter table) with jumps for IP
 * protocol 113 only at the head of FORWARD and INPUT. ODATA and IP
 * fragments are accepted in the kernel (u32 matches, through nft_compat
 * with iptables-nft); other PGM packets go to the queue with
 * --queue-bypass so forwarding goes on without us. No other rule is
 * ever touched.
 */
#ifndef PGMNE_RULES_IPT_H
#define PGMNE_RULES_IPT_H

#include <stdint.h>

/* The chains' names for a queue number (printf formats, one %u). */
#define IPT_CHAIN_FWD "PGMNE-Q%u-FWD"
#define IPT_CHAIN_IN "PGMNE-Q%u-IN"

/* Replace any stale chains of this queue and install fresh ones. 0 or -1. */
int ipt_rules_install(uint16_t queue);
/* Remove the jumps and chains of this queue (quietly if absent). */
void ipt_rules_remove(uint16_t queue);

#endif
