/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ncf_echo: the source side of a benchmark that answers NAKs as a real
 * PGM source does (RFC 3208 §6.3, §8.3): every NAK that reaches this host
 * is confirmed with an NCF, multicast to the NAK's group on -I's
 * interface, with the NAK's TSI, sequence number, NLAs and NAK list. No
 * RDATA: the benchmark measures the NE's control path, and with an NCF
 * from upstream the NE stops retrying (§7.3) and keeps confirmed state
 * until NAK_RDATA_IVL.
 *
 * Receives on a raw protocol-113 socket up to 32 packets per recvmmsg()
 * and answers them with one sendmmsg(); packets that do not parse, are
 * not NAKs or whose NCF cannot be built are counted and skipped. Runs
 * until -T seconds have passed or SIGTERM/SIGINT. Prints "ready" once
 * its socket receives, and one key=value line at the end. Blocks in recvmmsg() with a 100 ms receive timeout, so
 * it notices the deadline and signals without spinning.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/wire.h"

#define ECHO_BATCH    32
#define ECHO_PKT_CAP  1600
#define ECHO_IP_MAX   24 /* IPv4 header with Router Alert */
#define ECHO_MAX_SECS 600
/* It shares a core with the flood: bursts of NAKs wait here, not lost. */
#define ECHO_RCVBUF   (8 * 1024 * 1024)

struct echo {
	struct in_addr self;
	const char *ifname;
	uint8_t ttl;
	double seconds;
	int fd;
	unsigned long long naks, ncfs, skipped, send_errors;
	uint8_t in[ECHO_BATCH][ECHO_PKT_CAP];
	uint8_t out[ECHO_BATCH][ECHO_PKT_CAP];
	struct mmsghdr rmsg[ECHO_BATCH], smsg[ECHO_BATCH];
	struct iovec riov[ECHO_BATCH], siov[ECHO_BATCH];
	struct sockaddr_in to[ECHO_BATCH];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: ncf_echo -s SELF -I IFACE [-L TTL] [-T SECONDS]\n");
	exit(2);
}

/*
 * The NCF for one received IPv4 packet into buf: its length, or 0 when
 * the packet is not a well-formed NAK. The NCF goes downstream, so its
 * ports are the NAK's swapped (§8.3: NAK sport is the receiver's port).
 */
static size_t ncf_for(const struct echo *e, const uint8_t *ip, size_t len, uint8_t *buf,
                      struct in_addr *group)
{
	struct pgm_ip h;
	struct pgm_pkt nak, ncf;
	uint8_t hdr[ECHO_IP_MAX];

	if (pgm_ip_parse(ip, len, &h) != PGM_OK || h.proto != 113 || h.fragment ||
	    pgm_parse(ip + h.hdr_len, h.total_len - h.hdr_len, 0, &nak) != PGM_OK ||
	    nak.type != PGM_NAK || nak.u.nak.grp.afi != PGM_AFI_IPV4)
		return 0;
	memset(&ncf, 0, sizeof ncf);
	ncf.type = PGM_NCF;
	ncf.sport = nak.dport;
	ncf.dport = nak.sport;
	memcpy(ncf.tsi.gsi, nak.tsi.gsi, sizeof ncf.tsi.gsi);
	ncf.u.nak = nak.u.nak;
	if (nak.opt.has & (1u << PGM_OPT_NAK_LIST)) {
		ncf.opt.has = 1u << PGM_OPT_NAK_LIST;
		ncf.opt.nak_list = nak.opt.nak_list;
	}
	size_t plen = pgm_build(buf + ECHO_IP_MAX, ECHO_PKT_CAP - ECHO_IP_MAX, &ncf);
	if (plen == 0)
		return 0;
	*group = nak.u.nak.grp.u.v4;
	size_t hl = pgm_ip_build(hdr, sizeof hdr, e->self, *group, e->ttl, false, plen);
	if (hl == 0)
		return 0;
	memmove(buf + hl, buf + ECHO_IP_MAX, plen);
	memcpy(buf, hdr, hl);
	return hl + plen;
}

static int echo_open(struct echo *e)
{
	int one = 1, rcvbuf = ECHO_RCVBUF;
	struct timeval tv = { .tv_usec = 100000 };
	struct ip_mreqn mr = { .imr_ifindex = (int)if_nametoindex(e->ifname) };

	e->fd = socket(AF_INET, SOCK_RAW, 113);
	if (e->fd < 0) {
		perror("ncf_echo: socket");
		return -1;
	}
	if (mr.imr_ifindex == 0 ||
	    setsockopt(e->fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) < 0 ||
	    setsockopt(e->fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr) < 0 ||
	    setsockopt(e->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    (setsockopt(e->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0 &&
	     setsockopt(e->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)) {
		perror("ncf_echo: socket options");
		return -1;
	}
	return 0;
}

/* Answer one received batch of n packets. */
static void echo_batch(struct echo *e, int n)
{
	unsigned out = 0;

	for (int i = 0; i < n; i++) {
		size_t len = ncf_for(e, e->in[i], e->rmsg[i].msg_len, e->out[out],
		                     &e->to[out].sin_addr);
		if (len == 0) {
			e->skipped++;
			continue;
		}
		e->naks++;
		e->to[out].sin_family = AF_INET;
		e->siov[out] = (struct iovec){ .iov_base = e->out[out], .iov_len = len };
		e->smsg[out] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &e->to[out], .msg_namelen = sizeof e->to[out],
			.msg_iov = &e->siov[out], .msg_iovlen = 1 } };
		out++;
	}
	/* A packet the kernel refuses is counted; the rest still go. */
	for (unsigned done = 0; done < out;) {
		int r = sendmmsg(e->fd, e->smsg + done, out - done, 0);
		if (r <= 0) {
			e->send_errors++;
			done++;
			continue;
		}
		e->ncfs += (unsigned)r;
		done += (unsigned)r;
	}
}

static int echo_run(struct echo *e)
{
	double deadline = now_s() + e->seconds;

	for (int i = 0; i < ECHO_BATCH; i++) {
		e->riov[i] = (struct iovec){ .iov_base = e->in[i], .iov_len = sizeof e->in[i] };
		e->rmsg[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &e->riov[i],
		                                            .msg_iovlen = 1 } };
	}
	/* Bounded by the deadline: every recvmmsg() returns within 100 ms. */
	while (!stop && now_s() < deadline) {
		int n = recvmmsg(e->fd, e->rmsg, ECHO_BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
			perror("ncf_echo: recvmmsg");
			return -1;
		}
		echo_batch(e, n);
	}
	printf("naks=%llu ncfs=%llu skipped=%llu send_errors=%llu\n", e->naks, e->ncfs,
	       e->skipped, e->send_errors);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static struct echo e; /* large (batch buffers): not on the stack */
	struct sigaction sa = { .sa_handler = on_signal };
	bool have_self = false;
	int c;

	e.ttl = 16;
	e.seconds = 60;
	while ((c = getopt(argc, argv, "s:I:L:T:h")) != -1) {
		char *end;
		unsigned long v;
		switch (c) {
		case 's':
			if (inet_pton(AF_INET, optarg, &e.self) != 1)
				usage();
			have_self = true;
			break;
		case 'I': e.ifname = optarg; break;
		case 'L':
		case 'T':
			v = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 ||
			    v > (c == 'L' ? 255 : ECHO_MAX_SECS))
				usage();
			if (c == 'L')
				e.ttl = (uint8_t)v;
			else
				e.seconds = (double)v;
			break;
		default: usage();
		}
	}
	if (!have_self || e.ifname == NULL || optind != argc)
		usage();
	/* No SA_RESTART: a signal ends the blocking receive at once. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (echo_open(&e) < 0)
		return 1;
	printf("ready\n"); /* the socket receives from here on */
	fflush(stdout);
	if (echo_run(&e) < 0)
		return 1;
	close(e.fd);
	return 0;
}
