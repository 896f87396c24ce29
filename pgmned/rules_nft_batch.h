/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmned's rules as an nftables table of its own, built as one netlink
 * batch (libnftnl + libmnl) and nothing more: no socket, so the unit
 * tests can read back every byte; rules_nft.h sends it. Table
 * `ip pgmned-q<queue>`, three base chains (filter type, policy accept),
 * one transaction:
 *
 * prerouting (priority -350: after defragmentation, before the raw table
 * and before any forwarder's prerouting chain, e.g. an nftables `dup`
 * table at -250), tags what pgmned will want to see (pktmark.h):
 *   ip protocol != 113              accept   other traffic out at once
 *   PGM type (transport +4) == 0x04 accept   ODATA stays in the kernel
 *   ip frag-off & 0x3fff != 0       accept   fragments: no whole header
 *   meta mark set iif & 0xffffff ^ TAG       the arrival ifindex
 *
 * postrouting (priority -200: before mangle, so shaping and an operator's
 * mangle rules see pgmned's verdicts), every forwarded copy once, with
 * its outgoing interface, whichever forwarder made it (ipmr's copies
 * pass FORWARD and POSTROUTING, dup's only POSTROUTING):
 *   meta mark & 0xff000000 != TAG   accept   local, ODATA, not PGM
 *   counter  xt NFQUEUE --queue-num Q --queue-bypass
 *
 * input (priority 0), NAKs and other PGM addressed to the router:
 *   the first three prerouting rules, then the counted queue rule.
 *
 * All native expressions but the queue: this kernel has no nft_queue, so
 * the queue is the xtables target, encoded as iptables-nft 1.8.9 encodes
 * it (name NFQUEUE, revision 3, struct xt_NFQ_info_v3 padded to 8
 * bytes). ODATA is tested before fragments: a transport-header load that
 * fails on a non-first fragment ends only its rule (NFT_BREAK), and the
 * fragment rule after it accepts the fragment, so the common case is one
 * rule shorter. The counters sit on the queue rules only, which no ODATA
 * reaches.
 */
#ifndef PGMNE_RULES_NFT_BATCH_H
#define PGMNE_RULES_NFT_BATCH_H

#include <stddef.h>
#include <stdint.h>

#define NFT_BATCH_TABLE_LEN 32
#define NFT_BATCH_CHAINS 3
/* Bytes a batch buffer needs (libmnl batches want twice their limit). */
#define NFT_BATCH_LIMIT 4096
#define NFT_BATCH_BUF (2 * NFT_BATCH_LIMIT)

/* The table's name for a queue: "pgmned-q<queue>". */
void nft_batch_table_name(uint16_t queue, char *buf, size_t len);

/*
 * One transaction that replaces any table of this queue's name (left by
 * a crashed run) with a fresh one: add table, delete it, add it, its
 * chains and their rules. Messages numbered from seq on. Returns the
 * batch's length in buf (NFT_BATCH_BUF bytes), 0 if it did not fit or
 * out of memory.
 */
size_t nft_batch_install(char *buf, uint16_t queue, uint32_t seq);

/* One transaction deleting the table. Length or 0, as above. */
size_t nft_batch_remove(char *buf, uint16_t queue, uint32_t seq);

/* Number of messages (with ACK requested) in each batch, for the reader. */
#define NFT_BATCH_INSTALL_MSGS (3 + NFT_BATCH_CHAINS + 4 + 2 + 4)
#define NFT_BATCH_REMOVE_MSGS 1

#endif
