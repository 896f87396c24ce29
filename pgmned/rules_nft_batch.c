/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmned's nftables table as one netlink batch (rules_nft_batch.h):
 * message building only, no socket, so the unit tests can check every
 * byte.
 */
#include "rules_nft_batch.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "../common/wire.h"
#include "pktmark.h"

#define PGM_TYPE_OFF 4  /* PGM header: sport, dport, type (RFC 3208 8.1) */
#define IP_PROTO_OFF 9
#define IP_FRAG_OFF 6
#define IP_MF_OFFSET 0x3FFF /* MF flag and fragment offset */
#define NFQ_TARGET_REV 3
#define PRIO_PREROUTING (-350)
#define PRIO_POSTROUTING (-200)
#define PRIO_INPUT 0
#define RULES_MAX 4 /* rules in the longest chain */

/*
 * The chains (rules_nft_batch.h): where each hooks, at which priority,
 * and its rules in order, cheapest first.
 */
enum { R_NOT_PGM, R_ODATA, R_FRAGMENT, R_MARK, R_UNTAGGED, R_QUEUE, R_END = -1 };

struct chain_spec {
	const char *name;
	uint32_t hook;
	int32_t prio;
	int rules[RULES_MAX + 1];
};

static const struct chain_spec chains[NFT_BATCH_CHAINS] = {
	{ "prerouting", NF_INET_PRE_ROUTING, PRIO_PREROUTING,
	  { R_NOT_PGM, R_ODATA, R_FRAGMENT, R_MARK, R_END } },
	{ "postrouting", NF_INET_POST_ROUTING, PRIO_POSTROUTING,
	  { R_UNTAGGED, R_QUEUE, R_END } },
	{ "input", NF_INET_LOCAL_IN, PRIO_INPUT,
	  { R_NOT_PGM, R_ODATA, R_FRAGMENT, R_QUEUE, R_END } },
};

void nft_batch_table_name(uint16_t queue, char *buf, size_t len)
{
	snprintf(buf, len, "pgmned-q%u", queue);
}

/* --- expressions: false when out of memory --- */

static bool add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (e == NULL)
		return false;
	nftnl_rule_add_expr(r, e);
	return true;
}

static bool payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return add(r, e);
}

static bool cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return add(r, e);
}

/* reg1 = (reg1 & m) ^ x (len bytes; x NULL: zero) */
static bool bitwise(struct nftnl_rule *r, const void *m, const void *x, uint32_t len)
{
	static const uint8_t zero[4];
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, m, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, x ? x : zero, len);
	}
	return add(r, e);
}

/* reg1 = meta key (load), or meta key = reg1 (set) */
static bool meta(struct nftnl_rule *r, uint32_t key, bool set)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, set ? NFTNL_EXPR_META_SREG : NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return add(r, e);
}

static bool verdict_accept(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
	}
	return add(r, e);
}

/*
 * `-j NFQUEUE --queue-num Q --queue-bypass` as iptables-nft 1.8.9 sends
 * it (read back from one of its rules): target NFQUEUE, revision 3, info
 * {queuenum, queues_total = 1, flags = NFQ_FLAG_BYPASS} in host order,
 * XT_ALIGNed to 8 bytes. libnftnl takes the info buffer (it frees it).
 */
static bool nfqueue(struct nftnl_rule *r, uint16_t queue)
{
	struct xt_NFQ_info_v3 v = { .queuenum = queue, .queues_total = 1,
	                            .flags = NFQ_FLAG_BYPASS };
	size_t len = XT_ALIGN(sizeof v);
	struct nftnl_expr *e;
	void *info;

	info = calloc(1, len);
	e = nftnl_expr_alloc("target");
	if (info == NULL || e == NULL) {
		free(info);
		if (e)
			nftnl_expr_free(e);
		return false;
	}
	memcpy(info, &v, sizeof v);
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, NFQ_TARGET_REV);
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, (uint32_t)len);
	return add(r, e);
}

/* --- rules (rules_nft_batch.h) --- */

static bool rule_exprs(struct nftnl_rule *r, int which, uint16_t queue)
{
	const uint8_t pgm = PGM_IPPROTO, odata = PGM_ODATA;
	const uint16_t frag_mask = htons(IP_MF_OFFSET), zero = 0;
	/* meta values sit in registers in host order */
	const uint32_t ifindex_mask = PKTMARK_IFINDEX_MASK, tag = PKTMARK_TAG;
	const uint32_t tag_mask = PKTMARK_TAG_MASK;

	switch (which) {
	case R_NOT_PGM:
		return payload(r, NFT_PAYLOAD_NETWORK_HEADER, IP_PROTO_OFF, 1) &&
		       cmp(r, NFT_CMP_NEQ, &pgm, 1) && verdict_accept(r);
	case R_ODATA:
		return payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, PGM_TYPE_OFF, 1) &&
		       cmp(r, NFT_CMP_EQ, &odata, 1) && verdict_accept(r);
	case R_FRAGMENT:
		return payload(r, NFT_PAYLOAD_NETWORK_HEADER, IP_FRAG_OFF, 2) &&
		       bitwise(r, &frag_mask, NULL, 2) && cmp(r, NFT_CMP_NEQ, &zero, 2) &&
		       verdict_accept(r);
	case R_MARK: /* mark = TAG | arrival ifindex (pktmark.h) */
		return meta(r, NFT_META_IIF, false) && bitwise(r, &ifindex_mask, &tag, 4) &&
		       meta(r, NFT_META_MARK, true);
	case R_UNTAGGED: /* not marked on arrival: local, ODATA, not PGM */
		return meta(r, NFT_META_MARK, false) && bitwise(r, &tag_mask, NULL, 4) &&
		       cmp(r, NFT_CMP_NEQ, &tag, 4) && verdict_accept(r);
	case R_QUEUE:
		return add(r, nftnl_expr_alloc("counter")) && nfqueue(r, queue);
	}
	return false;
}

/* --- messages --- */

static void put_table(struct mnl_nlmsg_batch *b, const struct nftnl_table *t, uint16_t type,
                      uint16_t flags, uint32_t *seq)
{
	struct nlmsghdr *nlh = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), type,
	                                                    NFPROTO_IPV4, flags | NLM_F_ACK,
	                                                    (*seq)++);

	nftnl_table_nlmsg_build_payload(nlh, t);
	mnl_nlmsg_batch_next(b);
}

static bool put_chain(struct mnl_nlmsg_batch *b, const char *table, const struct chain_spec *cs,
                      uint32_t *seq)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (c == NULL)
		return false;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, cs->name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, cs->hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, cs->prio);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = nftnl_chain_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWCHAIN,
	                                  NFPROTO_IPV4, NLM_F_CREATE | NLM_F_ACK, (*seq)++);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	mnl_nlmsg_batch_next(b);
	return true;
}

static bool put_rule(struct mnl_nlmsg_batch *b, const char *table, const char *chain, int which,
                     uint16_t queue, uint32_t *seq)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (r == NULL)
		return false;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	if (!rule_exprs(r, which, queue)) {
		nftnl_rule_free(r);
		return false;
	}
	nlh = nftnl_rule_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWRULE,
	                                 NFPROTO_IPV4, NLM_F_APPEND | NLM_F_CREATE | NLM_F_ACK,
	                                 (*seq)++);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	mnl_nlmsg_batch_next(b);
	return true;
}

/*
 * Every message here is far below NFT_BATCH_LIMIT, and the batch has
 * the other NFT_BATCH_LIMIT bytes of the buffer to spill into: checking
 * the limit after each message is enough.
 */
static bool room(struct mnl_nlmsg_batch *b)
{
	return mnl_nlmsg_batch_size(b) < NFT_BATCH_LIMIT - 512;
}

static size_t finish(struct mnl_nlmsg_batch *b, bool ok, uint32_t seq)
{
	size_t len = 0;

	if (ok && room(b)) {
		nftnl_batch_end(mnl_nlmsg_batch_current(b), seq);
		mnl_nlmsg_batch_next(b);
		len = mnl_nlmsg_batch_size(b);
	}
	mnl_nlmsg_batch_stop(b);
	return len;
}

/*
 * The batch's opening message, and the table's name (into name) and
 * identity (into t, when there is one). Returns the next sequence number.
 */
static uint32_t begin_batch(struct mnl_nlmsg_batch *b, uint32_t seq, uint16_t queue,
                            char name[NFT_BATCH_TABLE_LEN], struct nftnl_table *t)
{
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq++);
	mnl_nlmsg_batch_next(b);
	nft_batch_table_name(queue, name, NFT_BATCH_TABLE_LEN);
	if (t) {
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_IPV4);
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	}
	return seq;
}

size_t nft_batch_install(char *buf, uint16_t queue, uint32_t seq)
{
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, NFT_BATCH_LIMIT);
	char name[NFT_BATCH_TABLE_LEN];
	struct nftnl_table *t = nftnl_table_alloc();
	bool ok = t != NULL;

	if (b == NULL) {
		if (t)
			nftnl_table_free(t);
		return 0;
	}
	seq = begin_batch(b, seq, queue, name, t);
	if (ok) {
		/* Add-delete-add: a stale table goes, a missing one is no error. */
		put_table(b, t, NFT_MSG_NEWTABLE, NLM_F_CREATE, &seq);
		put_table(b, t, NFT_MSG_DELTABLE, 0, &seq);
		put_table(b, t, NFT_MSG_NEWTABLE, NLM_F_CREATE, &seq);
		nftnl_table_free(t);
	}
	for (int i = 0; ok && i < NFT_BATCH_CHAINS; i++)
		ok = put_chain(b, name, &chains[i], &seq) && room(b);
	for (int i = 0; ok && i < NFT_BATCH_CHAINS; i++)
		for (const int *k = chains[i].rules; ok && *k != R_END; k++)
			ok = put_rule(b, name, chains[i].name, *k, queue, &seq) && room(b);
	return finish(b, ok, seq);
}

size_t nft_batch_remove(char *buf, uint16_t queue, uint32_t seq)
{
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, NFT_BATCH_LIMIT);
	char name[NFT_BATCH_TABLE_LEN];
	struct nftnl_table *t = nftnl_table_alloc();

	if (b == NULL || t == NULL) {
		if (b)
			mnl_nlmsg_batch_stop(b);
		if (t)
			nftnl_table_free(t);
		return 0;
	}
	seq = begin_batch(b, seq, queue, name, t);
	put_table(b, t, NFT_MSG_DELTABLE, 0, &seq);
	nftnl_table_free(t);
	return finish(b, true, seq);
}
