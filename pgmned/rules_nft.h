/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmned's nftables table (rules_nft_batch.h describes it) installed,
 * removed and read over netlink.
 */
#ifndef PGMNE_RULES_NFT_H
#define PGMNE_RULES_NFT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The install and remove exchanges and the queue rules' counter over a
 * netlink socket of their own (rules_nft.c). 0 or -1 with errno.
 */
int nft_rules_install(uint16_t queue);
int nft_rules_remove(uint16_t queue);
/* Packets the queue rules of both queueing chains matched so far. */
int nft_rules_queued(uint16_t queue, uint64_t *packets);
/*
 * Whether iptables-nft holds chains of rules_ipt.h for this queue (a
 * crashed run's under --rules iptables): one cheap netlink query instead
 * of running iptables. iptables-legacy chains are invisible here.
 */
bool nft_rules_ipt_chains_exist(uint16_t queue);

#endif
