/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NFQUEUE through libmnl and libnetfilter_queue's nfq_nlmsg_* API. */
#include "nfq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "../common/log.h"
#include "pktmark.h"

#define NFQ_RCVBUF (8 * 1024 * 1024) /* rides out bursts of NAKs */
#define NFQ_MAXLEN 4096              /* packets the kernel holds for us */
#define NFQ_DRAIN_MAX 256            /* datagrams per wake-up: others get a turn */
_Static_assert(NFQ_DRAIN_MAX % NFQ_RX_BATCH == 0, "whole batches per wake-up");
_Static_assert(NFQ_BACKLOG_RUN * NFQ_RX_BATCH >= NFQ_DRAIN_MAX,
               "backlogged means more than one wake-up's worth");

/* Send one config message and wait for the kernel's answer. */
static int config_request(struct nfqueue *q, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(q->nl, buf, sizeof buf);
	if (n < 0)
		return -1;
	/* mnl_cb_run turns an NLMSG_ERROR answer into -1 with errno. */
	return mnl_cb_run(buf, (size_t)n, 1, q->portid, NULL, NULL) < 0 ? -1 : 0;
}

static int bind_queue(struct nfqueue *q)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(q->tx, NFQNL_MSG_CONFIG, q->queue);

	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	return config_request(q, nlh);
}

static int configure_queue(struct nfqueue *q)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(q->tx, NFQNL_MSG_CONFIG, q->queue);
	/*
	 * Fail open: when our queue is full the kernel accepts instead of
	 * dropping (we don't want to disrupt traffic). GSO: take packets as
	 * they are, no segmentation on our account.
	 */
	uint32_t flags = NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO;

	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, NFQ_MAXLEN);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	return config_request(q, nlh);
}

static void tune_socket(struct nfqueue *q)
{
	int on = 1, size = NFQ_RCVBUF;
	int fd = mnl_socket_get_fd(q->nl);

	/* Lost netlink messages are counted by the kernel (user_dropped);
	 * an ENOBUFS error on our socket would only interrupt the loop. */
	if (mnl_socket_setsockopt(q->nl, NETLINK_NO_ENOBUFS, &on, sizeof on) < 0)
		log_warn("nfq: NETLINK_NO_ENOBUFS");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) < 0)
		log_warn("nfq: receive buffer");
}

int nfqueue_open(struct nfqueue *q, uint16_t queue)
{
	int e;

	q->queue = queue;
	q->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (q->nl == NULL)
		return -1;
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	q->portid = mnl_socket_get_portid(q->nl);
	if (bind_queue(q) < 0)
		goto fail;
	if (configure_queue(q) < 0) {
		log_warn("nfq: queue %u: fail-open/GSO flags", queue);
		/* older kernels: carry on with the defaults */
	}
	tune_socket(q);
	q->ev.fd = mnl_socket_get_fd(q->nl);
	if (fcntl(q->ev.fd, F_SETFL, fcntl(q->ev.fd, F_GETFL) | O_NONBLOCK) < 0)
		goto fail;
	return 0;
fail:
	e = errno;
	mnl_socket_close(q->nl);
	q->nl = NULL;
	errno = e;
	return -1;
}

void nfqueue_close(struct nfqueue *q)
{
	if (q->nl == NULL)
		return;
	/* Closing the socket unbinds the queue; --queue-bypass takes over. */
	mnl_socket_close(q->nl);
	q->nl = NULL;
}

/*
 * Verdicts are collected per receive batch and go back in one datagram:
 * nfnetlink runs the messages of a datagram in order. Consecutive plain
 * verdicts that agree become one NFQNL_MSG_VERDICT_BATCH, which settles
 * every queued packet up to its id: packet ids rise in the order the
 * kernel queues and sends them, so those are exactly the packets of the
 * run (and any whose message the kernel failed to deliver, which are not
 * in the queue). A packet with a rewritten payload ends the run and gets
 * a verdict of its own carrying the new bytes.
 */
static void tx_flush(struct nfqueue *q)
{
	struct nfq_verdicts *b = &q->vb;

	if (b->used == 0)
		return;
	if (mnl_socket_sendto(q->nl, q->tx, b->used) < 0) {
		q->health->VerdictErrors += b->msgs;
		log_debug("nfq: %u verdict messages: %s", b->msgs, strerror(errno));
	}
	b->used = 0;
	b->msgs = 0;
}

/* Room for a message of up to `room` bytes at the end of tx. */
static struct nlmsghdr *tx_put(struct nfqueue *q, uint16_t type, size_t room)
{
	if (q->vb.used + room > sizeof q->tx)
		tx_flush(q);
	return nfq_nlmsg_put(q->tx + q->vb.used, type, q->queue);
}

static void tx_commit(struct nfqueue *q, const struct nlmsghdr *nlh)
{
	q->vb.used += MNL_ALIGN(nlh->nlmsg_len);
	q->vb.msgs++;
}

#define VERDICT_MSG_ROOM 64 /* nlmsghdr, nfgenmsg, verdict header: 32 */

static void run_close(struct nfqueue *q)
{
	struct nfq_verdicts *b = &q->vb;
	struct nlmsghdr *nlh;

	if (!b->run)
		return;
	nlh = tx_put(q, b->run_len > 1 ? NFQNL_MSG_VERDICT_BATCH : NFQNL_MSG_VERDICT,
	             VERDICT_MSG_ROOM);
	nfq_nlmsg_verdict_put(nlh, (int)b->run_id, b->run_v == NE_DROP ? NF_DROP : NF_ACCEPT);
	tx_commit(q, nlh);
	b->run = false;
}

static void add_verdict(struct nfqueue *q, uint32_t id, enum ne_verdict v, const uint8_t *pkt,
                        size_t len, bool modified)
{
	struct nfq_verdicts *b = &q->vb;

	if (modified) {
		struct nlmsghdr *nlh;

		run_close(q);
		nlh = tx_put(q, NFQNL_MSG_VERDICT, VERDICT_MSG_ROOM + MNL_ALIGN(len));
		nfq_nlmsg_verdict_put(nlh, (int)id, NF_ACCEPT);
		nfq_nlmsg_verdict_put_pkt(nlh, pkt, (uint32_t)len);
		tx_commit(q, nlh);
		return;
	}
	if (b->run && b->run_v == v) {
		b->run_id = id;
		b->run_len++;
		return;
	}
	run_close(q);
	*b = (struct nfq_verdicts){ .used = b->used, .msgs = b->msgs, .run = true,
	                            .run_id = id, .run_v = v, .run_len = 1 };
}

static void flush_verdicts(struct nfqueue *q)
{
	run_close(q);
	tx_flush(q);
}

static uint32_t attr_u32(struct nlattr *a)
{
	return a ? ntohl(mnl_attr_get_u32(a)) : 0;
}

/*
 * Where the packet is, for the engine; false when it is nothing the
 * engine judges. FORWARD (ipmr's copies, an operator's own FORWARD
 * rule) and INPUT report both interfaces themselves. POSTROUTING sees
 * every forwarded copy, dup's included, but no input interface: that
 * comes from the mark pgmned's prerouting rule set (pktmark.h), and a
 * packet without it was sent by this host and is not ours to judge.
 */
static bool meta_of(const struct nfqnl_msg_packet_hdr *ph, struct nlattr **attr,
                    struct ne_meta *m)
{
	m->in_ifindex = (int)attr_u32(attr[NFQA_IFINDEX_INDEV]);
	m->out_ifindex = (int)attr_u32(attr[NFQA_IFINDEX_OUTDEV]);
	switch (ph->hook) {
	case NF_INET_LOCAL_IN:
		m->hook = NE_HOOK_INPUT;
		return true;
	case NF_INET_FORWARD:
		m->hook = NE_HOOK_FORWARD;
		return true;
	case NF_INET_POST_ROUTING:
		m->hook = NE_HOOK_FORWARD;
		return pktmark_ifindex(attr_u32(attr[NFQA_MARK]), &m->in_ifindex);
	default:
		return false;
	}
}

/* One queued packet. Every path that knows the packet id sends a verdict. */
static void on_packet(struct nfqueue *q, const struct nlmsghdr *nlh)
{
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	struct nfqnl_msg_packet_hdr *ph;
	struct ne_meta m = { 0 };
	enum ne_verdict v = NE_ACCEPT;
	bool modified = false, known;
	uint8_t *pkt = NULL;
	size_t len = 0;
	uint32_t id;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL ||
	    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof *ph) {
		/* No packet id, no verdict possible: the kernel never sends
		 * such a message, so count it rather than guess. */
		q->health->NetlinkErrors++;
		return;
	}
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	id = ntohl(ph->packet_id);
	q->health->PacketsQueued++;
	known = meta_of(ph, attr, &m);
	if (attr[NFQA_PAYLOAD]) {
		pkt = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
		len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	}
	/* A truncated copy (NFQA_CAP_LEN) cannot be judged or rewritten. */
	if (pkt != NULL && known && attr[NFQA_CAP_LEN] == NULL)
		v = q->fn(q->arg, pkt, len, &m, &modified);
	add_verdict(q, id, v, pkt, len, modified && v == NE_ACCEPT);
}

/* Walk one datagram; unlike mnl_cb_run, an error message does not stop the walk. */
static void on_datagram(struct nfqueue *q, const char *buf, size_t n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)(const void *)buf;
	int left = (int)n;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof *e) && e->error != 0)
				q->health->VerdictErrors++;
			continue;
		}
		if (NFNL_SUBSYS_ID(nlh->nlmsg_type) == NFNL_SUBSYS_QUEUE &&
		    NFNL_MSG_TYPE(nlh->nlmsg_type) == NFQNL_MSG_PACKET)
			on_packet(q, nlh);
	}
}

/*
 * The payload of every packet message in one datagram to the hint: a walk
 * over the attribute headers only (the kernel puts NFQA_PAYLOAD last,
 * after about five small ones), so each packet's own cache misses in the
 * engine start before the first packet of the batch is handled.
 */
static void hint_datagram(struct nfqueue *q, const char *buf, size_t n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)(const void *)buf;
	int left = (int)n;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct nlattr *a;

		if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_QUEUE ||
		    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFQNL_MSG_PACKET ||
		    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
			continue;
		mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
			if (mnl_attr_get_type(a) == NFQA_PAYLOAD) {
				q->hint(q->arg, mnl_attr_get_payload(a),
				        mnl_attr_get_payload_len(a));
				break;
			}
		}
	}
}

/* Up to NFQ_RX_BATCH datagrams in one system call; their count, or -1. */
static int receive_batch(struct nfqueue *q, struct mmsghdr *mm, struct sockaddr_nl *from)
{
	struct iovec iov[NFQ_RX_BATCH];

	for (unsigned i = 0; i < NFQ_RX_BATCH; i++) {
		iov[i] = (struct iovec){ .iov_base = q->rx[i], .iov_len = sizeof q->rx[i] };
		mm[i] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &from[i], .msg_namelen = sizeof from[i],
			.msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	return recvmmsg(q->ev.fd, mm, NFQ_RX_BATCH, MSG_DONTWAIT, NULL);
}

/* Track the backlog after a receive of n datagrams (n < 0: none). */
static void note_receive(struct nfqueue *q, int n)
{
	bool was = q->backlogged;

	if (n == NFQ_RX_BATCH) {
		if (q->full_run < NFQ_BACKLOG_RUN)
			q->full_run++;
	} else {
		q->full_run = 0;
	}
	q->backlogged = q->full_run >= NFQ_BACKLOG_RUN;
	if (q->backlogged == was)
		return;
	if (q->backlogged)
		q->health->QueueBacklogs++;
	if (q->backlog)
		q->backlog(q->arg, q->backlogged);
}

/* Only the kernel speaks on this socket; a cut message cannot be walked
 * (as mnl_socket_recvfrom checks). */
static bool datagram_ok(const struct sockaddr_nl *from, const struct mmsghdr *mm)
{
	return from->nl_pid == 0 && !(mm->msg_hdr.msg_flags & MSG_TRUNC);
}

void nfqueue_input(struct nfqueue *q)
{
	struct mmsghdr mm[NFQ_RX_BATCH];
	struct sockaddr_nl from[NFQ_RX_BATCH];

	for (int i = 0; i < NFQ_DRAIN_MAX / NFQ_RX_BATCH; i++) {
		int n = receive_batch(q, mm, from);

		note_receive(q, n);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			if (errno == ENOBUFS) {
				q->health->NetlinkOverruns++;
				continue;
			}
			q->health->NetlinkErrors++;
			log_warn("nfq: receive");
			return;
		}
		for (int k = 0; q->hint != NULL && k < n; k++)
			if (datagram_ok(&from[k], &mm[k]))
				hint_datagram(q, q->rx[k], mm[k].msg_len);
		for (int k = 0; k < n; k++) {
			if (!datagram_ok(&from[k], &mm[k])) {
				q->health->NetlinkErrors++;
				continue;
			}
			on_datagram(q, q->rx[k], mm[k].msg_len);
		}
		flush_verdicts(q);
		if (q->batch_end)
			q->batch_end(q->arg);
		if (n < NFQ_RX_BATCH)
			return; /* drained: spare the EAGAIN call */
	}
}

int nfqueue_read_drops(uint16_t queue, uint64_t *queue_dropped, uint64_t *user_dropped)
{
	FILE *f = fopen("/proc/net/netfilter/nfnetlink_queue", "re");
	unsigned num, portid, total, mode, range, id, one;
	unsigned long long qd, ud;
	int rc = -1;

	if (f == NULL)
		return -1;
	/* One line per bound queue, see nfnetlink_queue.c seq_show. */
	while (fscanf(f, "%u %u %u %u %u %llu %llu %u %u", &num, &portid, &total, &mode,
	              &range, &qd, &ud, &id, &one) == 9) {
		if (num == queue) {
			*queue_dropped = qd;
			*user_dropped = ud;
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}
