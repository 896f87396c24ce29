/*
 * pgmsend: send a file (or stdin) as one PGM session over raw IP
 * (RFC 3208 §5), then linger serving repairs with OPT_FIN SPMs.
 * One poll() loop: raw socket, signalfd, input; timeouts computed from
 * the source's timers (CLOCK_MONOTONIC).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/timerq.h"
#include "host/cli.h"
#include "host/netstr.h"
#include "host/pktin.h"
#include "host/sock.h"
#include "host/source.h"

#define RX_BATCH 64   /* packets read per wake-up, so timers still run */
#define TX_BATCH 64   /* ODATA sent per wake-up */

struct chunk {
	uint8_t *buf;
	uint16_t len;
	bool full;
};

struct sender {
	/* arguments */
	struct netstr net;
	uint32_t port, sport, rate_kbit, ttl, join_pct;
	uint64_t linger_ms;
	bool stats;
	const char *file;
	/* run time */
	int sock, in_fd, sig_fd;
	struct source src;
	struct chunk cur, next;  /* one chunk of look-ahead tells us which is last */
	bool eof;
	bool finished;
	uint64_t linger_until;
	bool stop;
	uint8_t rbuf[65536];
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: pgmsend -n \"IFADDR;GROUP\" -p PORT [-r RATE_KBIT] [-s SOURCE_PORT]\n"
	        "               [--ttl N] [--linger SECONDS] [--join PERCENT] [--stats] [FILE]\n"
	        "Sends FILE (default stdin) as one PGM session (RFC 3208) over raw IP.\n"
	        "  -n IFADDR;GROUP  interface address and multicast group, numeric\n"
	        "  -p PORT          destination port of the session\n"
	        "  -r RATE_KBIT     rate limit in kbit/s (default 10000; 0 = unlimited)\n"
	        "  -s SOURCE_PORT   data-source port of the TSI (default random)\n"
	        "  --ttl N          multicast TTL (default 16)\n"
	        "  --linger S       serve repairs this long after the end (default 5)\n"
	        "  --join PERCENT   OPT_JOIN: a late joiner may ask for repairs of this share\n"
	        "                   of the window (default 100: the whole window; 0 = off)\n"
	        "  --stats          print statistics to stderr at the end\n"
	        "Needs CAP_NET_RAW.\n");
}

static int bad_arg(const char *what, const char *val)
{
	fprintf(stderr, "pgmsend: bad %s \"%s\"\n", what, val ? val : "");
	return 2;
}

/* Returns 0, or the exit code for a bad command line. */
static int parse_args(struct sender *c, int argc, char **argv)
{
	static const struct option lopts[] = {
		{"ttl", required_argument, NULL, 'T'},
		{"linger", required_argument, NULL, 'L'},
		{"join", required_argument, NULL, 'J'},
		{"stats", no_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char err[160];
	bool have_net = false, have_port = false;
	int o;
	while ((o = getopt_long(argc, argv, "n:p:r:s:h", lopts, NULL)) != -1) {
		switch (o) {
		case 'n':
			if (!netstr_parse(optarg, &c->net, err, sizeof(err))) {
				fprintf(stderr, "pgmsend: -n: %s\n", err);
				return 2;
			}
			if (c->net.n_if != 1) {
				fprintf(stderr, "pgmsend: -n: a sender uses exactly one interface\n");
				return 2;
			}
			have_net = true;
			break;
		case 'p':
			if (!cli_u32(optarg, 1, 65535, &c->port))
				return bad_arg("port (-p, 1..65535)", optarg);
			have_port = true;
			break;
		case 'r':
			if (!cli_u32(optarg, 0, 10000000, &c->rate_kbit))
				return bad_arg("rate (-r, kbit/s)", optarg);
			break;
		case 's':
			if (!cli_u32(optarg, 1, 65535, &c->sport))
				return bad_arg("source port (-s, 1..65535)", optarg);
			break;
		case 'T':
			if (!cli_u32(optarg, 1, 255, &c->ttl))
				return bad_arg("TTL (--ttl, 1..255)", optarg);
			break;
		case 'L':
			if (!cli_seconds_ms(optarg, 3600, &c->linger_ms))
				return bad_arg("linger (--linger, seconds)", optarg);
			break;
		case 'J':
			if (!cli_u32(optarg, 0, 100, &c->join_pct))
				return bad_arg("join percentage (--join, 0..100)", optarg);
			break;
		case 'S':
			c->stats = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!have_net || !have_port) {
		fprintf(stderr, "pgmsend: %s is required\n", have_net ? "-p PORT" : "-n IFADDR;GROUP");
		return 2;
	}
	if (optind < argc - 1) {
		fprintf(stderr, "pgmsend: only one FILE may be given\n");
		return 2;
	}
	c->file = optind < argc ? argv[optind] : NULL;
	return 0;
}

static bool out_send(void *arg, uint8_t *pkt, size_t len, struct in_addr dst, bool ra)
{
	const struct sender *c = arg;
	return sock_send(c->sock, pkt, len, dst, ra);
}

static bool open_socket(struct sender *c)
{
	c->sock = sock_open();
	if (c->sock < 0) {
		fprintf(stderr, "pgmsend: cannot open raw PGM socket: %s\n", sock_open_hint(errno));
		return false;
	}
	if (!sock_bind(c->sock, c->net.ifaddr[0])) {
		fprintf(stderr, "pgmsend: cannot bind to %s: %s\n", inet_ntoa(c->net.ifaddr[0]),
		        strerror(errno));
		return false;
	}
	if (!sock_mcast_out(c->sock, c->net.ifaddr[0], (int)c->ttl, false)) {
		fprintf(stderr, "pgmsend: cannot set multicast interface/TTL: %s\n", strerror(errno));
		return false;
	}
	return true;
}

static int open_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	sigdelset(&set, SIGPIPE); /* blocked only: a write error is reported instead */
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static bool random_bytes(void *buf, size_t len)
{
	return getrandom(buf, len, 0) == (ssize_t)len;
}

static bool setup_source(struct sender *c, uint64_t now)
{
	struct source_cfg cfg;
	source_cfg_defaults(&cfg);
	cfg.ifaddr = c->net.ifaddr[0];
	cfg.group = c->net.group;
	cfg.dport = (uint16_t)c->port;
	cfg.rate_kbit = c->rate_kbit;
	cfg.join_pct = c->join_pct;
	uint16_t rport;
	if (!random_bytes(cfg.gsi, sizeof(cfg.gsi)) || !random_bytes(&cfg.isn, sizeof(cfg.isn)) ||
	    !random_bytes(&rport, sizeof(rport)))
		return false;
	cfg.sport = c->sport ? (uint16_t)c->sport : (uint16_t)(1024 + rport % 64000);
	struct pgm_out out = {.send = out_send, .arg = c};
	if (!source_init(&c->src, &cfg, out, now))
		return false;
	size_t tsdu = cfg.max_tsdu;
	c->cur.buf = malloc(tsdu);
	c->next.buf = malloc(tsdu);
	return c->cur.buf != NULL && c->next.buf != NULL;
}

/* Read one chunk of input into ch; sets eof at end. False on read error. */
static bool read_chunk(struct sender *c, struct chunk *ch)
{
	ssize_t n;
	do
		n = read(c->in_fd, ch->buf, c->src.cfg.max_tsdu);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		fprintf(stderr, "pgmsend: read %s: %s\n", c->file ? c->file : "stdin", strerror(errno));
		return false;
	}
	if (n == 0)
		c->eof = true;
	else {
		ch->len = (uint16_t)n;
		ch->full = true;
	}
	return true;
}

static bool need_input(const struct sender *c)
{
	return !c->eof && (!c->cur.full || !c->next.full);
}

/* One read into the empty look-ahead slot: poll said the input is
 * readable, and a second read could block on a pipe. */
static bool fill(struct sender *c)
{
	if (!need_input(c))
		return true;
	return read_chunk(c, c->cur.full ? &c->next : &c->cur);
}

/* Send what the look-ahead and the rate allow. */
static void pump(struct sender *c, uint64_t now)
{
	for (int i = 0; i < TX_BATCH; i++) {
		if (!c->cur.full || (!c->next.full && !c->eof))
			return;
		if (source_odata_wait(&c->src, c->cur.len, now) > 0)
			return;
		bool last = c->eof && !c->next.full;
		source_send_odata(&c->src, c->cur.buf, c->cur.len, last, now);
		struct chunk t = c->cur;
		c->cur = c->next;
		c->next = t;
		c->next.full = false;
	}
}

static void finish_if_done(struct sender *c, uint64_t now)
{
	if (c->finished || !c->eof || c->cur.full)
		return;
	source_finish(&c->src, now);
	c->finished = true;
	c->linger_until = now + c->linger_ms;
}

static void drain_socket(struct sender *c, uint64_t now)
{
	for (int i = 0; i < RX_BATCH; i++) {
		ssize_t n = sock_recv(c->sock, c->rbuf, sizeof(c->rbuf));
		if (n < 0)
			return;
		struct pgm_ip ip;
		struct pgm_pkt p;
		if (pktin_parse(c->rbuf, (size_t)n, &ip, &p) != PGM_OK) {
			c->src.st.malformed++;
			continue;
		}
		source_on_packet(&c->src, &ip, &p, now);
	}
}

static int timeout_ms(struct sender *c, uint64_t now)
{
	uint64_t t = source_next_event(&c->src, now);
	if (c->cur.full && (c->next.full || c->eof)) {
		uint64_t w = now + source_odata_wait(&c->src, c->cur.len, now);
		if (w < t)
			t = w;
	}
	if (c->finished && c->linger_until < t)
		t = c->linger_until;
	if (t <= now)
		return 0;
	return t - now > 60000 ? 60000 : (int)(t - now);
}

static int run(struct sender *c)
{
	while (!c->stop) {
		uint64_t now = mono_ms();
		source_service(&c->src, now);
		pump(c, now);
		finish_if_done(c, now);
		if (c->finished && now >= c->linger_until)
			break;
		struct pollfd fds[3] = {
			{.fd = c->sock, .events = POLLIN},
			{.fd = c->sig_fd, .events = POLLIN},
			{.fd = need_input(c) ? c->in_fd : -1, .events = POLLIN},
		};
		if (poll(fds, 3, timeout_ms(c, now)) < 0 && errno != EINTR) {
			perror("pgmsend: poll");
			return 1;
		}
		now = mono_ms();
		if (fds[0].revents & POLLIN)
			drain_socket(c, now);
		if (fds[1].revents & POLLIN)
			c->stop = true;
		if ((fds[2].revents & (POLLIN | POLLHUP | POLLERR)) && !fill(c))
			return 1;
	}
	if (c->stop)
		fprintf(stderr, "pgmsend: interrupted\n");
	return c->stop ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct sender ctx; /* the program's one context; static for its 64 KiB buffer */
	struct sender *c = &ctx;
	c->rate_kbit = 10000;
	c->ttl = 16;
	c->linger_ms = 5000;
	c->join_pct = 100;
	int rc = parse_args(c, argc, argv);
	if (rc != 0)
		return rc;
	c->in_fd = STDIN_FILENO;
	if (c->file != NULL && (c->in_fd = open(c->file, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "pgmsend: cannot open %s: %s\n", c->file, strerror(errno));
		return 1;
	}
	c->sig_fd = open_signals();
	if (c->sig_fd < 0 || !open_socket(c))
		return 1;
	if (!setup_source(c, mono_ms())) {
		fprintf(stderr, "pgmsend: out of memory or no randomness\n");
		return 1;
	}
	rc = run(c);
	if (c->stats) {
		struct source_stats st;
		source_stats_snapshot(&c->src, &st, mono_ms());
		source_stats_print(&st, stderr);
	}
	source_free(&c->src);
	free(c->cur.buf);
	free(c->next.buf);
	close(c->sock);
	close(c->sig_fd);
	if (c->in_fd != STDIN_FILENO)
		close(c->in_fd);
	return rc;
}
