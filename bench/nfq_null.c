/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfq_null: the ceiling for the control-path benchmark.
 *
 * Binds an NFQUEUE queue with the same libmnl + libnetfilter_queue API
 * the daemon uses, copies whole packets to user space (as pgmned must, to
 * parse them) and gives every packet a verdict without looking at it. What
 * it sustains is the most any NFQUEUE program can do on this machine, so
 * bench/nak_flood.sh reports pgmned's rate as a fraction of it.
 *
 *   -q QUEUE    queue number
 *   -T SECONDS  stop after this long (default 60, at most 600)
 *   -D          verdict DROP instead of ACCEPT (same cost, no local delivery)
 *   -B          one batch verdict per receive instead of one per packet
 *   -M N        take up to N queued packets per recvmmsg() (default 1:
 *               one recv() per packet); with -B the whole batch gets one
 *               NFQNL_MSG_VERDICT_BATCH. -B -M 32 is what pgmned does
 *               (nfq.c), so the ceiling has the same I/O as the daemon.
 *   -F          fail open (the kernel accepts what overflows the queue), as pgmned
 *   -Q LEN      queue length (default 4096)
 *
 * Stops on SIGINT/SIGTERM or the time limit and prints one key=value line;
 * SIGUSR1 prints the same line at once and carries on (a snapshot, so a
 * benchmark can read the count at the end of its flood, not after the
 * backlog has drained).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define NULL_BUF     (65536 + 4096) /* one full-size packet plus netlink framing */
#define NULL_RCVBUF  (16 << 20)
#define NULL_MMSG_MAX 64

struct nullq {
	struct mnl_socket *nl;
	uint32_t queue;
	uint32_t portid;
	int verdict;               /* NF_ACCEPT or NF_DROP */
	bool batch, fail_open;
	uint32_t maxlen;
	unsigned mmsg;             /* datagrams per receive call */
	uint64_t packets, enobufs, errors;
	uint32_t last_id;          /* for batch verdicts */
	bool have_id;
	char *buf;                 /* mmsg buffers of NULL_BUF bytes */
};

static volatile sig_atomic_t stop_flag, report_flag;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		report_flag = 1;
	else
		stop_flag = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int send_msg(struct nullq *q, struct nlmsghdr *nlh)
{
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0) {
		q->errors++;
		return -1;
	}
	return 0;
}

static void verdict(struct nullq *q, uint32_t id, bool batch)
{
	char b[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_nlmsg_put(b, batch ? NFQNL_MSG_VERDICT_BATCH
	                                              : NFQNL_MSG_VERDICT, q->queue);
	nfq_nlmsg_verdict_put(nlh, (int)id, q->verdict);
	send_msg(q, nlh);
}

static int on_packet(const struct nlmsghdr *nlh, void *data)
{
	struct nullq *q = data;
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR]) {
		q->errors++;
		return MNL_CB_OK;
	}
	const struct nfqnl_msg_packet_hdr *ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	uint32_t id = ntohl(ph->packet_id);
	q->packets++;
	if (q->batch) {
		q->last_id = id;
		q->have_id = true;
	} else {
		verdict(q, id, false);
	}
	return MNL_CB_OK;
}

static int nullq_open(struct nullq *q)
{
	char b[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int one = 1, rcv = NULL_RCVBUF;

	q->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!q->nl || mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nfq_null: netlink");
		return -1;
	}
	q->portid = mnl_socket_get_portid(q->nl);
	int fd = mnl_socket_get_fd(q->nl);
	/* A flood overruns the socket; count it instead of failing recv. */
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));

	nlh = nfq_nlmsg_put(b, NFQNL_MSG_CONFIG, q->queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0) {
		perror("nfq_null: bind queue");
		return -1;
	}
	nlh = nfq_nlmsg_put(b, NFQNL_MSG_CONFIG, q->queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xFFFF);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, q->maxlen);
	if (q->fail_open) {
		uint32_t f = htonl(NFQA_CFG_F_FAIL_OPEN);
		mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, f);
		mnl_attr_put_u32(nlh, NFQA_CFG_MASK, f);
	}
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0) {
		perror("nfq_null: queue params");
		return -1;
	}
	return 0;
}

static void report(const struct nullq *q, double t0)
{
	double el = now_s() - t0;
	printf("packets=%llu enobufs=%llu errors=%llu seconds=%.3f pps=%.0f\n",
	       (unsigned long long)q->packets, (unsigned long long)q->enobufs,
	       (unsigned long long)q->errors, el, el > 0 ? (double)q->packets / el : 0.0);
	fflush(stdout);
}

/* One recv() or one recvmmsg() of up to q->mmsg datagrams; count or -1. */
static int receive(struct nullq *q, int fd)
{
	struct mmsghdr mm[NULL_MMSG_MAX];
	struct iovec iov[NULL_MMSG_MAX];
	int n;

	if (q->mmsg == 1) {
		ssize_t len = recv(fd, q->buf, NULL_BUF, MSG_DONTWAIT);
		if (len < 0)
			return -1;
		if (mnl_cb_run(q->buf, (size_t)len, 0, q->portid, on_packet, q) < 0)
			q->errors++;
		return 1;
	}
	for (unsigned i = 0; i < q->mmsg; i++) {
		iov[i] = (struct iovec){ .iov_base = q->buf + (size_t)i * NULL_BUF,
		                         .iov_len = NULL_BUF };
		mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	n = recvmmsg(fd, mm, q->mmsg, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++)
		if (mnl_cb_run(iov[i].iov_base, mm[i].msg_len, 0, q->portid, on_packet, q) < 0)
			q->errors++;
	return n;
}

static int nullq_run(struct nullq *q, double seconds)
{
	int fd = mnl_socket_get_fd(q->nl);
	double t0 = now_s(), deadline = t0 + seconds;

	/* Bounded by the deadline; poll wakes at least every 100 ms. */
	while (!stop_flag && now_s() < deadline) {
		if (report_flag) {
			report_flag = 0;
			report(q, t0);
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = poll(&pfd, 1, 100);
		if (r <= 0)
			continue;
		/* Drain what is there without blocking, then verdict in batch. */
		for (int i = 0; i < 64 && !report_flag; i++) {
			int n = receive(q, fd);
			if (n < 0) {
				if (errno == ENOBUFS)
					q->enobufs++;
				else if (errno != EAGAIN && errno != EINTR)
					q->errors++;
				break;
			}
			if (q->batch && q->have_id) {
				verdict(q, q->last_id, true);
				q->have_id = false;
			}
			if (n < (int)q->mmsg)
				break; /* drained */
		}
	}
	report(q, t0);
	return 0;
}

int main(int argc, char **argv)
{
	struct nullq q = { .verdict = NF_ACCEPT, .maxlen = 4096, .mmsg = 1 };
	double seconds = 60;
	int c;

	while ((c = getopt(argc, argv, "q:T:DBFQ:M:")) != -1) {
		switch (c) {
		case 'q': q.queue = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'T':
			seconds = strtod(optarg, NULL);
			if (seconds <= 0 || seconds > 600) {
				fprintf(stderr, "nfq_null: -T must be in (0, 600]\n");
				return 2;
			}
			break;
		case 'D': q.verdict = NF_DROP; break;
		case 'B': q.batch = true; break;
		case 'F': q.fail_open = true; break;
		case 'Q': q.maxlen = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'M':
			q.mmsg = (unsigned)strtoul(optarg, NULL, 0);
			if (q.mmsg < 1 || q.mmsg > NULL_MMSG_MAX) {
				fprintf(stderr, "nfq_null: -M must be in [1, %d]\n", NULL_MMSG_MAX);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: nfq_null -q QUEUE [-T SECONDS] [-D] [-B] [-F] [-Q LEN] [-M N]\n");
			return 2;
		}
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	q.buf = malloc((size_t)q.mmsg * NULL_BUF);
	if (!q.buf || nullq_open(&q) < 0)
		return 1;
	nullq_run(&q, seconds);
	mnl_socket_close(q.nl);
	free(q.buf);
	return 0;
}
