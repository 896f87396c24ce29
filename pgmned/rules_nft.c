/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmned's nftables table (rules_nft_batch.h) over netlink: one
 * short-lived NETLINK_NETFILTER socket per exchange (install, remove,
 * and the counter read once a second), with a receive timeout so a
 * silent kernel cannot stall the event loop.
 */
#include "rules_nft.h"

#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "rules_ipt.h"
#include "rules_nft_batch.h"

#define RECV_TIMEOUT_S 2

static struct mnl_socket *nl_open(void)
{
	struct timeval tv = { .tv_sec = RECV_TIMEOUT_S };
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);

	if (nl == NULL)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
		int e = errno;

		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

/*
 * Read the n acknowledgements of a batch. Returns 0, or -1 with errno
 * from the first message the kernel refused (the batch is then undone
 * as a whole).
 */
static int read_acks(struct mnl_socket *nl, unsigned n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t portid = mnl_socket_get_portid(nl);
	unsigned acks = 0;

	while (acks < n) {
		ssize_t len = mnl_socket_recvfrom(nl, buf, sizeof buf);
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		int left;

		if (len < 0)
			return -1; /* errno from recvmsg, EAGAIN on timeout */
		left = (int)len;
		for (; mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_pid != portid)
				continue;
			if (h->nlmsg_len < mnl_nlmsg_size(sizeof *e)) {
				errno = EPROTO;
				return -1;
			}
			if (e->error != 0) {
				errno = -e->error;
				return -1;
			}
			acks++;
		}
	}
	return 0;
}

static int exchange(const char *batch, size_t len, unsigned acks)
{
	struct mnl_socket *nl;
	int rc = -1, e;

	if (len == 0) {
		errno = ENOMEM;
		return -1;
	}
	nl = nl_open();
	if (nl == NULL)
		return -1;
	if (mnl_socket_sendto(nl, batch, len) == (ssize_t)len)
		rc = read_acks(nl, acks);
	e = errno;
	mnl_socket_close(nl);
	errno = e;
	return rc;
}

static uint32_t first_seq(void)
{
	return (uint32_t)time(NULL);
}

int nft_rules_install(uint16_t queue)
{
	char buf[NFT_BATCH_BUF];

	return exchange(buf, nft_batch_install(buf, queue, first_seq()), NFT_BATCH_INSTALL_MSGS);
}

int nft_rules_remove(uint16_t queue)
{
	char buf[NFT_BATCH_BUF];

	if (exchange(buf, nft_batch_remove(buf, queue, first_seq()), NFT_BATCH_REMOVE_MSGS) < 0)
		return errno == ENOENT ? 0 : -1;
	return 0;
}

/* One rule of the dump: add its counters' packets. */
static int on_rule(const struct nlmsghdr *nlh, void *arg)
{
	uint64_t *sum = arg;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	if (r == NULL)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0 || (it = nftnl_expr_iter_create(r)) == NULL) {
		nftnl_rule_free(r);
		return MNL_CB_ERROR;
	}
	while ((e = nftnl_expr_iter_next(it)) != NULL)
		if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter") == 0)
			*sum += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

int nft_rules_queued(uint16_t queue, uint64_t *packets)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	char name[NFT_BATCH_TABLE_LEN];
	uint32_t seq = first_seq(), portid;
	struct mnl_socket *nl;
	struct nftnl_rule *r;
	struct nlmsghdr *nlh;
	uint64_t sum = 0;
	ssize_t n;
	int rc = -1, e;

	r = nftnl_rule_alloc();
	if (r == NULL)
		return -1;
	nft_batch_table_name(queue, name, sizeof name);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, name);
	nlh = nftnl_rule_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_IPV4, NLM_F_DUMP, seq);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	nl = nl_open();
	if (nl == NULL)
		return -1;
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) == (ssize_t)nlh->nlmsg_len) {
		while ((n = mnl_socket_recvfrom(nl, buf, sizeof buf)) > 0) {
			rc = mnl_cb_run(buf, (size_t)n, seq, portid, on_rule, &sum);
			if (rc <= MNL_CB_STOP)
				break;
		}
		rc = rc == MNL_CB_STOP ? 0 : -1;
	}
	e = errno;
	mnl_socket_close(nl);
	errno = e;
	if (rc == 0)
		*packets = sum;
	return rc;
}

/* Is there a chain of this name in iptables-nft's table ip filter? */
static bool filter_chain_exists(struct mnl_socket *nl, const char *chain, uint32_t seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	ssize_t n;

	if (c == NULL)
		return false;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, "filter");
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
	nlh = nftnl_chain_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_IPV4, NLM_F_ACK, seq);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) != (ssize_t)nlh->nlmsg_len)
		return false;
	n = mnl_socket_recvfrom(nl, buf, sizeof buf);
	/* The chain itself comes back (NEWCHAIN), or an error (ENOENT). */
	return n >= (ssize_t)sizeof *nlh &&
	       ((struct nlmsghdr *)buf)->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWCHAIN);
}

bool nft_rules_ipt_chains_exist(uint16_t queue)
{
	char in[IPT_CHAIN_LEN];
	struct mnl_socket *nl = nl_open();
	bool found;

	if (nl == NULL)
		return false;
	/* Every iptables install has its INPUT chain in table filter. */
	snprintf(in, sizeof in, IPT_CHAIN_IN, queue);
	found = filter_chain_exists(nl, in, first_seq());
	mnl_socket_close(nl);
	return found;
}
