/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmgen: PGM load generator for the benchmarks.
 *
 * Writes raw IPv4 protocol-113 packets (built with pgm_build and
 * pgm_ip_build, so the bytes are exactly what the codec produces) as fast
 * as the kernel takes them, batched with sendmmsg(), until a packet count
 * or a time limit is reached, whichever comes first; it always stops
 * within -T seconds. Modes:
 *
 *   odata  multicast ODATA from a source to a group (the forwarding path)
 *   spm    multicast SPMs announcing [trail, lead] so an NE creates sessions
 *   nak    unicast NAKs to a router address, cycling over TSIs and SQNs
 *   ncf    multicast NCFs to a group, cycling like nak (what an NE sends
 *          per NAK: bench/ncf_send.sh compares the ways to send them;
 *          IP_MULTICAST_LOOP off, as pgmned's raw socket)
 *
 * Packet k belongs to TSI (k mod tsis) and, for NAKs, SQN
 * base + (k / tsis) mod sqns: the first tsis * sqns NAKs are all distinct.
 * Prints one key=value line, for scripts.
 *
 * -E sends multicast through an AF_PACKET socket on -I's interface
 * (Ethernet header added here, qdisc bypassed): it skips the sender's own
 * IP stack, so one core offers more than a router core can forward and
 * the router, not the generator, sets the rate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench/benchpkt.h"
#include "common/wire.h"

#define GEN_MAX_BATCH 64
#define GEN_PKT_CAP   1600
#define GEN_MAX_SECS  600

enum gen_mode { GEN_ODATA, GEN_SPM, GEN_NAK, GEN_NCF };

struct gen {
	enum gen_mode mode;
	struct in_addr src, dst, group, nla_src;
	const char *ifname;
	bool ether;                /* -E: AF_PACKET, link-layer header ours */
	uint8_t eth[ETH_HLEN];     /* header to prepend in -E mode */
	struct sockaddr_ll ll;
	unsigned tsis, sqns, batch, payload;
	uint32_t sqn_base;
	uint16_t sport, dport;
	uint8_t ttl;
	unsigned long long count;  /* 0 = until the time limit */
	double seconds;
	int fd;
	uint8_t buf[GEN_MAX_BATCH][GEN_PKT_CAP];
	struct mmsghdr msg[GEN_MAX_BATCH];
	struct iovec iov[GEN_MAX_BATCH];
	struct sockaddr_in to;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: pgmgen -m odata|spm|nak|ncf -s SRC -d DST [-g GROUP] [-S ODATA_SRC]\n"
		"              [-I IFACE] [-t TSIS] [-q SQNS] [-B SQN_BASE] [-n COUNT]\n"
		"              [-T SECONDS] [-l PAYLOAD] [-L TTL] [-p SPORT] [-P DPORT] [-b BATCH]\n"
		"              [-E]  (multicast via AF_PACKET on -I IFACE)\n");
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Build packet number k into buf; returns its length (with -E's
 * Ethernet header) or 0. */
static size_t gen_build(const struct gen *g, unsigned long long k, uint8_t *buf)
{
	unsigned tsi = (unsigned)(k % g->tsis);
	unsigned long long round = k / g->tsis;
	struct bpkt_flow f = {
		.src = g->src, .dst = g->dst, .odata_src = g->nla_src, .group = g->group,
		.sport = g->sport, .dport = g->dport, .ttl = g->ttl,
		.trail = g->sqn_base, .lead = g->sqn_base + g->sqns - 1, .payload = g->payload,
	};
	uint8_t type;
	uint32_t sqn;

	switch (g->mode) {
	case GEN_ODATA:
		type = PGM_ODATA;
		sqn = g->sqn_base + (uint32_t)round;
		break;
	case GEN_SPM:
		type = PGM_SPM;
		sqn = (uint32_t)round;
		break;
	default:
		type = g->mode == GEN_NCF ? PGM_NCF : PGM_NAK;
		sqn = g->sqn_base + (uint32_t)(round % g->sqns);
		break;
	}
	size_t l2 = g->ether ? ETH_HLEN : 0;
	size_t n = bpkt_build(buf + l2, GEN_PKT_CAP - l2, type, &f, tsi, sqn);
	if (n == 0)
		return 0;
	if (g->ether)
		memcpy(buf, g->eth, ETH_HLEN);
	return l2 + n;
}

/* AF_PACKET socket on g->ifname with a multicast Ethernet header (RFC 1112 §6.4). */
static int gen_open_ether(struct gen *g)
{
	struct ifreq ifr;
	int one = 1;
	uint32_t grp = ntohl(g->dst.s_addr);

	if (!g->ifname || !IN_MULTICAST(grp)) {
		fprintf(stderr, "pgmgen: -E needs -I IFACE and a multicast -d\n");
		return -1;
	}
	g->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IP));
	if (g->fd < 0) {
		perror("pgmgen: AF_PACKET socket");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", g->ifname);
	if (ioctl(g->fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("pgmgen: SIOCGIFHWADDR");
		return -1;
	}
	/* The sender's own qdisc is not what we measure. */
	setsockopt(g->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	const uint8_t mac[ETH_ALEN] = { 0x01, 0x00, 0x5e, (uint8_t)((grp >> 16) & 0x7f),
	                                (uint8_t)(grp >> 8), (uint8_t)grp };
	memcpy(g->eth, mac, ETH_ALEN);
	memcpy(g->eth + ETH_ALEN, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	g->eth[12] = ETH_P_IP >> 8;
	g->eth[13] = ETH_P_IP & 0xff;
	g->ll.sll_family = AF_PACKET;
	g->ll.sll_protocol = htons(ETH_P_IP);
	g->ll.sll_ifindex = (int)if_nametoindex(g->ifname);
	g->ll.sll_halen = ETH_ALEN;
	memcpy(g->ll.sll_addr, mac, ETH_ALEN);
	return 0;
}

/*
 * A packet queued to NFQUEUE stays charged to our send buffer until its
 * verdict: with the default buffer the generator would wait for the
 * program under test, packet by packet, and measure its latency instead
 * of its throughput. A large buffer keeps the queue full.
 */
static void big_sndbuf(int fd)
{
	int sz = 64 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static int gen_open(struct gen *g)
{
	int one = 1;

	if (g->ether)
		return gen_open_ether(g);
	/* IPPROTO_RAW implies IP_HDRINCL and never receives. */
	g->fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (g->fd < 0) {
		perror("pgmgen: socket");
		return -1;
	}
	if (setsockopt(g->fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		perror("pgmgen: IP_HDRINCL");
		return -1;
	}
	if (g->ifname && setsockopt(g->fd, SOL_SOCKET, SO_BINDTODEVICE, g->ifname,
	                            (socklen_t)strlen(g->ifname)) < 0) {
		perror("pgmgen: SO_BINDTODEVICE");
		return -1;
	}
	if (g->mode == GEN_NCF) {
		int off = 0;
		if (setsockopt(g->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off)) < 0) {
			perror("pgmgen: IP_MULTICAST_LOOP");
			return -1;
		}
	}
	if (g->ifname && IN_MULTICAST(ntohl(g->dst.s_addr))) {
		struct ip_mreqn mr = { .imr_ifindex = (int)if_nametoindex(g->ifname) };
		if (setsockopt(g->fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0) {
			perror("pgmgen: IP_MULTICAST_IF");
			return -1;
		}
	}
	big_sndbuf(g->fd);
	g->to.sin_family = AF_INET;
	g->to.sin_addr = g->dst;
	return 0;
}

static int gen_run(struct gen *g)
{
	unsigned long long k = 0, sent = 0, errors = 0;
	double t0 = now_s(), t = t0, deadline = t0 + g->seconds;

	/* Bounded twice: by count (if any) and by the deadline. */
	while (t < deadline && (g->count == 0 || sent < g->count)) {
		unsigned n = g->batch;
		if (g->count && g->count - sent < n)
			n = (unsigned)(g->count - sent);
		for (unsigned i = 0; i < n; i++, k++) {
			size_t len = gen_build(g, k, g->buf[i]);
			if (len == 0) {
				fprintf(stderr, "pgmgen: cannot build packet\n");
				return -1;
			}
			g->iov[i].iov_base = g->buf[i];
			g->iov[i].iov_len = len;
			memset(&g->msg[i], 0, sizeof(g->msg[i]));
			g->msg[i].msg_hdr.msg_iov = &g->iov[i];
			g->msg[i].msg_hdr.msg_iovlen = 1;
			if (g->ether) {
				g->msg[i].msg_hdr.msg_name = &g->ll;
				g->msg[i].msg_hdr.msg_namelen = sizeof(g->ll);
			} else {
				g->msg[i].msg_hdr.msg_name = &g->to;
				g->msg[i].msg_hdr.msg_namelen = sizeof(g->to);
			}
		}
		int r = sendmmsg(g->fd, g->msg, n, 0);
		if (r < 0) {
			/* ENOBUFS and friends: count, go on; the loop is time-bounded. */
			errors++;
			if (errno != ENOBUFS && errno != EAGAIN && errno != EPERM) {
				perror("pgmgen: sendmmsg");
				return -1;
			}
		} else {
			sent += (unsigned)r;
			/* Packets the kernel did not take are not resent: their
			 * numbers are simply skipped. */
		}
		t = now_s();
	}
	double el = t - t0;
	/* CPU time of this process: with veth, the receiving side's softirq
	 * work runs on our syscalls' way out and is charged to us too. */
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	static const char *const names[] = { "odata", "spm", "nak", "ncf" };
	printf("mode=%s sent=%llu errors=%llu seconds=%.3f pps=%.0f cpu=%.3f\n", names[g->mode],
	       sent, errors, el, el > 0 ? (double)sent / el : 0.0, cpu);
	return 0;
}

static unsigned parse_uint(const char *s, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "pgmgen: bad number '%s' (%u..%u)\n", s, lo, hi);
		exit(2);
	}
	return (unsigned)v;
}

static void parse_addr(const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) != 1) {
		fprintf(stderr, "pgmgen: bad address '%s'\n", s);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	static struct gen g; /* large (batch buffers): not on the stack */
	int c;
	bool have_src = false, have_dst = false;

	g.tsis = 1;
	g.sqns = 1;
	g.batch = 32;
	g.payload = 64;
	g.sport = 7500;
	g.dport = 7501;
	g.ttl = 16;
	g.seconds = 5;
	g.sqn_base = 1000;
	g.mode = GEN_ODATA;
	while ((c = getopt(argc, argv, "m:s:d:g:S:I:t:q:B:n:T:l:L:p:P:b:Eh")) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "odata")) g.mode = GEN_ODATA;
			else if (!strcmp(optarg, "spm")) g.mode = GEN_SPM;
			else if (!strcmp(optarg, "nak")) g.mode = GEN_NAK;
			else if (!strcmp(optarg, "ncf")) g.mode = GEN_NCF;
			else usage();
			break;
		case 's': parse_addr(optarg, &g.src); have_src = true; break;
		case 'd': parse_addr(optarg, &g.dst); have_dst = true; break;
		case 'g': parse_addr(optarg, &g.group); break;
		case 'S': parse_addr(optarg, &g.nla_src); break;
		case 'I': g.ifname = optarg; break;
		case 't': g.tsis = parse_uint(optarg, 1, 1u << 24); break;
		case 'q': g.sqns = parse_uint(optarg, 1, 1u << 30); break;
		case 'B': g.sqn_base = parse_uint(optarg, 0, 0xFFFFFFFFu); break;
		case 'n': g.count = strtoull(optarg, NULL, 0); break;
		case 'T': g.seconds = parse_uint(optarg, 1, GEN_MAX_SECS); break;
		case 'l': g.payload = parse_uint(optarg, 0, 1400); break;
		case 'L': g.ttl = (uint8_t)parse_uint(optarg, 1, 255); break;
		case 'p': g.sport = (uint16_t)parse_uint(optarg, 1, 65535); break;
		case 'P': g.dport = (uint16_t)parse_uint(optarg, 1, 65535); break;
		case 'b': g.batch = parse_uint(optarg, 1, GEN_MAX_BATCH); break;
		case 'E': g.ether = true; break;
		default: usage();
		}
	}
	if (!have_src || !have_dst || optind != argc)
		usage();
	if ((g.mode == GEN_NAK || g.mode == GEN_NCF) &&
	    (g.group.s_addr == 0 || g.nla_src.s_addr == 0)) {
		fprintf(stderr, "pgmgen: nak and ncf modes need -g GROUP and -S ODATA_SRC\n");
		return 2;
	}
	if (gen_open(&g) < 0 || gen_run(&g) < 0)
		return 1;
	close(g.fd);
	return 0;
}
