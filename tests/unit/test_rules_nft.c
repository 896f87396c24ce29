/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmned's nftables batch (pgmned/rules_nft_batch.c), read back message by
 * message with libnftnl: the transaction's shape, the chains' hooks, and
 * every rule's expressions in libnftnl's own notation (the one
 * `nft --debug=netlink` prints), the xt NFQUEUE info to the byte.
 */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "pgmned/rules_nft_batch.h"
#include "unit_util.h"

#define SEQ0 1000u
#define QUEUE 300 /* 0x012c */
#define NFT_TYPE(m) ((NFNL_SUBSYS_NFTABLES << 8) | (m))

static char buf[NFT_BATCH_BUF];

/* The n-th message of a batch of len bytes, NULL past the end. */
static const struct nlmsghdr *nth(size_t len, int n)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left))
		if (n-- == 0)
			return h;
	return NULL;
}

static int count(size_t len)
{
	int n = 0;

	while (nth(len, n) != NULL)
		n++;
	return n;
}

static void expect_table(const struct nlmsghdr *h, uint16_t type, uint16_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(h);

	CU_ASSERT_EQUAL(h->nlmsg_type, NFT_TYPE(type));
	CU_ASSERT_EQUAL(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | flags);
	CU_ASSERT_EQUAL(g->nfgen_family, NFPROTO_IPV4);
	CU_ASSERT_EQUAL_FATAL(nftnl_table_nlmsg_parse(h, t), 0);
	CU_ASSERT_STRING_EQUAL(nftnl_table_get_str(t, NFTNL_TABLE_NAME), "pgmned-q300");
	nftnl_table_free(t);
}

static void expect_chain(const struct nlmsghdr *h, const char *name, uint32_t hook, int32_t prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	CU_ASSERT_EQUAL(h->nlmsg_type, NFT_TYPE(NFT_MSG_NEWCHAIN));
	CU_ASSERT_EQUAL_FATAL(nftnl_chain_nlmsg_parse(h, c), 0);
	CU_ASSERT_STRING_EQUAL(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), "pgmned-q300");
	CU_ASSERT_STRING_EQUAL(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), name);
	CU_ASSERT_STRING_EQUAL(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE), "filter");
	CU_ASSERT_EQUAL(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM), hook);
	CU_ASSERT_EQUAL(nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO), prio);
	CU_ASSERT_EQUAL(nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY), NF_ACCEPT);
	nftnl_chain_free(c);
}

/* The rules, as libnftnl prints their expressions (rules_nft_batch.h). */
enum { NOT_PGM, ODATA, FRAGMENT, MARK, UNTAGGED, QUEUE_RULE };
static const char *const rule_text[] = {
	[NOT_PGM] =
	"  [ payload load 1b @ network header + 9 => reg 1 ]\n"
	"  [ cmp neq reg 1 0x00000071 ]\n"
	"  [ immediate reg 0 accept ]\n",
	[ODATA] =
	"  [ payload load 1b @ transport header + 4 => reg 1 ]\n"
	"  [ cmp eq reg 1 0x00000004 ]\n"
	"  [ immediate reg 0 accept ]\n",
	[FRAGMENT] =
	"  [ payload load 2b @ network header + 6 => reg 1 ]\n"
	"  [ bitwise reg 1 = ( reg 1 & 0x0000ff3f ) ^ 0x00000000 ]\n"
	"  [ cmp neq reg 1 0x00000000 ]\n"
	"  [ immediate reg 0 accept ]\n",
	/* mark = 0x50000000 | (iif & 0xffffff), pktmark.h */
	[MARK] =
	"  [ meta load iif => reg 1 ]\n"
	"  [ bitwise reg 1 = ( reg 1 & 0x00ffffff ) ^ 0x50000000 ]\n"
	"  [ meta set mark with reg 1 ]\n",
	[UNTAGGED] =
	"  [ meta load mark => reg 1 ]\n"
	"  [ bitwise reg 1 = ( reg 1 & 0xff000000 ) ^ 0x00000000 ]\n"
	"  [ cmp neq reg 1 0x50000000 ]\n"
	"  [ immediate reg 0 accept ]\n",
	[QUEUE_RULE] =
	"  [ counter pkts 0 bytes 0 ]\n"
	"  [ target name NFQUEUE rev 3 ]\n",
};

/* The xt_NFQ_info_v3 iptables-nft sends for --queue-num 300 --queue-bypass
 * (host order, little endian here; read back from its rule on this machine): queuenum,
 * queues_total 1, flags NFQ_FLAG_BYPASS, two bytes of padding. */
static const uint8_t nfq_info[8] = { 0x2c, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00 };

static void expect_rule(const struct nlmsghdr *h, const char *chain, int which)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	char text[1024], want[1024];
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	CU_ASSERT_EQUAL(h->nlmsg_type, NFT_TYPE(NFT_MSG_NEWRULE));
	CU_ASSERT_EQUAL(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_APPEND | NLM_F_CREATE);
	CU_ASSERT_EQUAL_FATAL(nftnl_rule_nlmsg_parse(h, r), 0);
	nftnl_rule_snprintf(text, sizeof text, r, NFTNL_OUTPUT_DEFAULT, 0);
	snprintf(want, sizeof want, "ip pgmned-q300 %s\n%s", chain, rule_text[which]);
	if (strcmp(text, want) != 0)
		fprintf(stderr, "\nrule %s/%d:\n%s\nwanted:\n%s\n", chain, which, text, want);
	CU_ASSERT_STRING_EQUAL(text, want);
	it = nftnl_expr_iter_create(r);
	while ((e = nftnl_expr_iter_next(it)) != NULL) {
		uint32_t len = 0;
		const void *info;

		if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "target") != 0)
			continue;
		info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);
		CU_ASSERT_EQUAL_FATAL(len, sizeof nfq_info);
		CU_ASSERT_EQUAL(memcmp(info, nfq_info, sizeof nfq_info), 0);
	}
	nftnl_expr_iter_destroy(it);
	CU_ASSERT_FALSE(nftnl_rule_is_set(r, NFTNL_RULE_COMPAT_PROTO));
	nftnl_rule_free(r);
}

static void test_install_batch(void)
{
	size_t len = nft_batch_install(buf, QUEUE, SEQ0);
	static const struct {
		const char *name;
		int rules[5];
	} chains[] = {
		{ "prerouting", { NOT_PGM, ODATA, FRAGMENT, MARK, -1 } },
		{ "postrouting", { UNTAGGED, QUEUE_RULE, -1 } },
		{ "input", { NOT_PGM, ODATA, FRAGMENT, QUEUE_RULE, -1 } },
	};
	int m = 7; /* the first rule's message */

	CU_ASSERT_TRUE_FATAL(len > 0 && len <= NFT_BATCH_LIMIT);
	/* begin, the messages that want an ACK, end */
	CU_ASSERT_EQUAL_FATAL(count(len), 1 + NFT_BATCH_INSTALL_MSGS + 1);
	CU_ASSERT_EQUAL(nth(len, 0)->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
	CU_ASSERT_EQUAL(nth(len, NFT_BATCH_INSTALL_MSGS + 1)->nlmsg_type, NFNL_MSG_BATCH_END);
	for (int i = 0; i < NFT_BATCH_INSTALL_MSGS + 2; i++)
		CU_ASSERT_EQUAL(nth(len, i)->nlmsg_seq, SEQ0 + (unsigned)i);
	/* add, delete, add: replaces a stale table, no error without one */
	expect_table(nth(len, 1), NFT_MSG_NEWTABLE, NLM_F_CREATE);
	expect_table(nth(len, 2), NFT_MSG_DELTABLE, 0);
	expect_table(nth(len, 3), NFT_MSG_NEWTABLE, NLM_F_CREATE);
	/* before any forwarder's prerouting chain (dup at -250) and the raw
	 * table; before mangle in postrouting; filter on input */
	expect_chain(nth(len, 4), "prerouting", NF_INET_PRE_ROUTING, -350);
	expect_chain(nth(len, 5), "postrouting", NF_INET_POST_ROUTING, -200);
	expect_chain(nth(len, 6), "input", NF_INET_LOCAL_IN, 0);
	for (size_t c = 0; c < sizeof chains / sizeof chains[0]; c++)
		for (const int *k = chains[c].rules; *k >= 0; k++)
			expect_rule(nth(len, m++), chains[c].name, *k);
	CU_ASSERT_EQUAL(m, NFT_BATCH_INSTALL_MSGS + 1);
}

static void test_remove_batch(void)
{
	size_t len = nft_batch_remove(buf, QUEUE, SEQ0);

	CU_ASSERT_EQUAL_FATAL(count(len), 1 + NFT_BATCH_REMOVE_MSGS + 1);
	CU_ASSERT_EQUAL(nth(len, 0)->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
	expect_table(nth(len, 1), NFT_MSG_DELTABLE, 0);
	CU_ASSERT_EQUAL(nth(len, 2)->nlmsg_type, NFNL_MSG_BATCH_END);
}

static void test_table_names(void)
{
	char name[NFT_BATCH_TABLE_LEN];

	nft_batch_table_name(0, name, sizeof name);
	CU_ASSERT_STRING_EQUAL(name, "pgmned-q0");
	nft_batch_table_name(65535, name, sizeof name);
	CU_ASSERT_STRING_EQUAL(name, "pgmned-q65535");
	/* the largest queue number still builds */
	CU_ASSERT_TRUE(nft_batch_install(buf, 65535, 1) > 0);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"install batch", test_install_batch},
		{"remove batch", test_remove_batch},
		{"table names", test_table_names},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("rules_nft", tests);
	return unit_run();
}
