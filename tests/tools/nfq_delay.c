/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfq_delay: a fixed-delay line on NFQUEUE, for system tests that need a
 * long round trip (a WAN uplink) where the kernel has no netem.
 *
 *   nfq_delay -q QUEUE -D MS [-n MAXHELD]
 *
 * Every packet queued to QUEUE is held for MS milliseconds, then ACCEPTed.
 * The delay is the same for every packet, so a FIFO keeps them in order and
 * one timerfd armed at the head's due time is the only timer. Only packet
 * metadata is copied to user space (the verdict needs just the id). At most
 * MAXHELD packets are held (default 65536); when the ring is full a packet
 * is ACCEPTed at once and counted. The queue is fail-open: what overflows
 * the kernel's queue passes rather than being dropped.
 *
 * SIGTERM/SIGINT (via signalfd): every held packet is ACCEPTed, the counters
 * are printed as one key=value line, exit 0. Exit 1 on a runtime error
 * (held packets are still released), 2 on bad arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define DELAY_MAXHELD_DEFAULT 65536u
#define DELAY_MAXHELD_MAX     (1u << 22)
#define DELAY_MS_MAX          60000u
#define DELAY_RCVBUF          (8 << 20)
#define DELAY_DRAIN_MAX       256   /* datagrams per wake-up: timers get a turn */
#define DELAY_QSLACK          1024u /* kernel queue room beyond our ring */
#define DELAY_TXBUF           8192

struct held {
	uint32_t id;
	uint64_t due_ns;
};

struct delay {
	uint32_t queue, delay_ms, maxheld;
	struct mnl_socket *nl;
	uint32_t portid;
	int nl_fd, timer_fd, sig_fd, ep_fd;
	struct held *ring;          /* FIFO: head .. head + count - 1 (mod maxheld) */
	uint32_t head, count;
	bool timer_armed;
	uint64_t armed_ns;
	char *rx;                   /* receive buffer */
	size_t rx_len;
	_Alignas(struct nlmsghdr) char tx[DELAY_TXBUF]; /* one request at a time */
	/* counters */
	uint64_t queued, delayed, overflow, released_at_exit;
	uint64_t verdict_errors, netlink_errors, enobufs, max_held;
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: nfq_delay -q QUEUE -D MS [-n MAXHELD]\n"
	        "Hold every packet queued to NFQUEUE QUEUE for MS milliseconds, then\n"
	        "ACCEPT it (FIFO, order kept). A test's stand-in for a long link.\n"
	        "  -q QUEUE    NFQUEUE number (0..65535)\n"
	        "  -D MS       delay in milliseconds (0..%u)\n"
	        "  -n MAXHELD  packets held at most (default %u); beyond that a packet\n"
	        "              is ACCEPTed at once and counted as overflow\n"
	        "  -h, --help  this text\n"
	        "SIGTERM/SIGINT: ACCEPT every held packet, print counters, exit 0.\n"
	        "exit: 0 done, 1 runtime error, 2 bad arguments\n",
	        DELAY_MS_MAX, DELAY_MAXHELD_DEFAULT);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Parse a decimal in [lo, hi]; -1 when it is not one. */
static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void verdict_accept(struct delay *d, uint32_t id)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(d->tx, NFQNL_MSG_VERDICT, d->queue);

	nfq_nlmsg_verdict_put(nlh, (int)id, NF_ACCEPT);
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		d->verdict_errors++;
}

/* Arm the timer at the head's due time, or disarm it when nothing is held. */
static void timer_update(struct delay *d)
{
	struct itimerspec its = { 0 };

	if (d->count == 0) {
		if (!d->timer_armed)
			return;
		d->timer_armed = false;
	} else {
		uint64_t due = d->ring[d->head].due_ns;

		if (d->timer_armed && d->armed_ns == due)
			return;
		/* A zero it_value disarms: an already-due head fires at once. */
		if (due == 0)
			due = 1;
		its.it_value.tv_sec = (time_t)(due / 1000000000u);
		its.it_value.tv_nsec = (long)(due % 1000000000u);
		d->timer_armed = true;
		d->armed_ns = due;
	}
	if (timerfd_settime(d->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		perror("nfq_delay: timerfd_settime");
}

/* ACCEPT every held packet due by NOW (all of them when NOW is UINT64_MAX). */
static uint64_t release_due(struct delay *d, uint64_t now)
{
	uint64_t n = 0;

	while (d->count > 0 && d->ring[d->head].due_ns <= now) {
		verdict_accept(d, d->ring[d->head].id);
		d->head = (d->head + 1) % d->maxheld;
		d->count--;
		n++;
	}
	return n;
}

static void hold(struct delay *d, uint32_t id, uint64_t now)
{
	d->queued++;
	if (d->count == d->maxheld) {
		d->overflow++;
		verdict_accept(d, id);
		return;
	}
	d->ring[(d->head + d->count) % d->maxheld] =
		(struct held){ .id = id, .due_ns = now + (uint64_t)d->delay_ms * 1000000u };
	d->count++;
	if (d->count > d->max_held)
		d->max_held = d->count;
}

/*
 * Walk one datagram: every packet message is held (or accepted at once).
 * The answer to config request SEQ (non-zero) goes to *ack; other error
 * messages answer verdicts, which ask for no ACK, so they are failures.
 */
static void on_datagram(struct delay *d, size_t n, uint64_t now, uint32_t seq, int *ack)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)(void *)d->rx;
	int left = (int)n;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct nlattr *attr[NFQA_MAX + 1] = { 0 };
		const struct nfqnl_msg_packet_hdr *ph;

		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof *e))
				d->netlink_errors++;
			else if (seq != 0 && nlh->nlmsg_seq == seq)
				*ack = e->error;
			else if (e->error != 0)
				d->verdict_errors++;
			continue;
		}
		if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_QUEUE ||
		    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFQNL_MSG_PACKET)
			continue;
		if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL ||
		    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof *ph) {
			/* no packet id: no verdict possible */
			d->netlink_errors++;
			continue;
		}
		ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
		hold(d, ntohl(ph->packet_id), now);
	}
}

/*
 * Send one config message and wait for the kernel's answer; packets queued
 * meanwhile (rules may already point at the queue) are held as usual.
 */
static int config_request(struct delay *d, struct nlmsghdr *nlh)
{
	const uint32_t seq = 1;
	int ack = 1;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while (ack > 0) {
		/* the kernel answers before sendto returns: never blocks long */
		ssize_t n = recv(d->nl_fd, d->rx, d->rx_len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		on_datagram(d, (size_t)n, now_ns(), seq, &ack);
	}
	if (ack < 0) {
		errno = -ack;
		return -1;
	}
	return 0;
}

static int queue_open(struct delay *d)
{
	struct nlmsghdr *nlh;
	uint32_t flags = NFQA_CFG_F_FAIL_OPEN;
	int on = 1, size = DELAY_RCVBUF;

	d->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (d->nl == NULL) {
		perror("nfq_delay: netlink socket");
		return -1;
	}
	if (mnl_socket_bind(d->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nfq_delay: netlink bind");
		return -1;
	}
	d->portid = mnl_socket_get_portid(d->nl);
	d->nl_fd = mnl_socket_get_fd(d->nl);

	nlh = nfq_nlmsg_put(d->tx, NFQNL_MSG_CONFIG, d->queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (config_request(d, nlh) < 0) {
		fprintf(stderr, "nfq_delay: bind queue %" PRIu32 ": %s\n", d->queue, strerror(errno));
		return -1;
	}
	nlh = nfq_nlmsg_put(d->tx, NFQNL_MSG_CONFIG, d->queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_META, 0);
	/* Held packets stay in the kernel's queue: room for all of them. */
	nfq_nlmsg_cfg_put_qmaxlen(nlh, d->maxheld + DELAY_QSLACK);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	if (config_request(d, nlh) < 0) {
		fprintf(stderr, "nfq_delay: queue %" PRIu32 " parameters: %s\n", d->queue,
		        strerror(errno));
		return -1;
	}
	if (mnl_socket_setsockopt(d->nl, NETLINK_NO_ENOBUFS, &on, sizeof on) < 0)
		perror("nfq_delay: NETLINK_NO_ENOBUFS");
	if (setsockopt(d->nl_fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0 &&
	    setsockopt(d->nl_fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) < 0)
		perror("nfq_delay: receive buffer");
	return 0;
}

static int on_netlink(struct delay *d)
{
	for (int i = 0; i < DELAY_DRAIN_MAX; i++) {
		ssize_t n = recv(d->nl_fd, d->rx, d->rx_len, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			if (errno == ENOBUFS) {
				d->enobufs++;
				continue;
			}
			perror("nfq_delay: receive");
			d->netlink_errors++;
			return -1;
		}
		on_datagram(d, (size_t)n, now_ns(), 0, NULL);
	}
	return 0;
}

static void report(const struct delay *d)
{
	printf("nfq_delay: queue=%" PRIu32 " delay_ms=%" PRIu32 " queued=%" PRIu64
	       " delayed=%" PRIu64 " overflow=%" PRIu64 " released_at_exit=%" PRIu64
	       " max_held=%" PRIu64 " verdict_errors=%" PRIu64 " netlink_errors=%" PRIu64
	       " enobufs=%" PRIu64 "\n",
	       d->queue, d->delay_ms, d->queued, d->delayed, d->overflow, d->released_at_exit,
	       d->max_held, d->verdict_errors, d->netlink_errors, d->enobufs);
	fflush(stdout);
}

static int epoll_add(struct delay *d, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(d->ep_fd, EPOLL_CTL_ADD, fd, &ev);
}

static int setup(struct delay *d)
{
	sigset_t set;

	d->ring = calloc(d->maxheld, sizeof *d->ring);
	d->rx_len = 1u << 18;
	d->rx = malloc(d->rx_len);
	if (d->ring == NULL || d->rx == NULL) {
		fputs("nfq_delay: out of memory\n", stderr);
		return -1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (d->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		perror("nfq_delay: signalfd");
		return -1;
	}
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->timer_fd < 0) {
		perror("nfq_delay: timerfd");
		return -1;
	}
	if (queue_open(d) < 0)
		return -1;
	d->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	if (d->ep_fd < 0 || epoll_add(d, d->nl_fd) < 0 || epoll_add(d, d->timer_fd) < 0 ||
	    epoll_add(d, d->sig_fd) < 0) {
		perror("nfq_delay: epoll");
		return -1;
	}
	return 0;
}

/* The loop: returns 0 on a signal, -1 on a runtime error. */
static int run(struct delay *d)
{
	for (;;) {
		struct epoll_event evs[4];
		int n;

		/* packets may have come with the config answers, before the loop */
		d->delayed += release_due(d, now_ns());
		timer_update(d);
		n = epoll_wait(d->ep_fd, evs, 4, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("nfq_delay: epoll_wait");
			return -1;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == d->sig_fd) {
				struct signalfd_siginfo si;

				if (read(d->sig_fd, &si, sizeof si) == (ssize_t)sizeof si)
					return 0;
			} else if (fd == d->timer_fd) {
				uint64_t ticks;

				/* EAGAIN when re-armed since: harmless */
				if (read(d->timer_fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
					perror("nfq_delay: timerfd read");
				d->timer_armed = false;
			} else if (fd == d->nl_fd) {
				if (on_netlink(d) < 0)
					return -1;
			}
		}
	}
}

static void teardown(struct delay *d)
{
	if (d->nl != NULL) {
		/* Closing the socket unbinds the queue and the kernel drops
		 * what it still holds: release everything first. */
		d->released_at_exit += release_due(d, UINT64_MAX);
		mnl_socket_close(d->nl);
	}
	if (d->ep_fd >= 0)
		close(d->ep_fd);
	if (d->timer_fd >= 0)
		close(d->timer_fd);
	if (d->sig_fd >= 0)
		close(d->sig_fd);
	free(d->ring);
	free(d->rx);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct delay d = {
		.maxheld = DELAY_MAXHELD_DEFAULT,
		.nl_fd = -1, .timer_fd = -1, .sig_fd = -1, .ep_fd = -1,
	};
	bool have_q = false, have_d = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "q:D:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			if (parse_u32(optarg, 0, 65535, &d.queue) < 0) {
				fprintf(stderr, "nfq_delay: -q: a queue number 0..65535\n");
				return 2;
			}
			have_q = true;
			break;
		case 'D':
			if (parse_u32(optarg, 0, DELAY_MS_MAX, &d.delay_ms) < 0) {
				fprintf(stderr, "nfq_delay: -D: milliseconds 0..%u\n", DELAY_MS_MAX);
				return 2;
			}
			have_d = true;
			break;
		case 'n':
			if (parse_u32(optarg, 1, DELAY_MAXHELD_MAX, &d.maxheld) < 0) {
				fprintf(stderr, "nfq_delay: -n: 1..%u packets\n", DELAY_MAXHELD_MAX);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!have_q || !have_d || optind != argc) {
		usage(stderr);
		return 2;
	}
	rc = setup(&d) < 0 ? 1 : 0;
	if (rc == 0) {
		fprintf(stderr, "nfq_delay: ready: queue %" PRIu32 ", delay %" PRIu32
		        " ms, at most %" PRIu32 " held\n", d.queue, d.delay_ms, d.maxheld);
		if (run(&d) < 0)
			rc = 1;
	}
	teardown(&d);
	report(&d);
	return rc;
}
