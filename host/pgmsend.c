/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/timerq.h"
#include "host/app.h"
#include "host/cli.h"
#include "host/sock.h"
#include "host/source.h"

#define TX_BATCH 64   /* ODATA sent per wake-up */

struct chunk {
	uint8_t *buf;
	uint16_t len;
	bool full;
};

struct sender {
	/* arguments */
	struct cli_common cli;  /* -n, -p, --stats */
	uint32_t sport, rate_kbit, ttl, join_pct, spm_lead_ms;
	uint64_t linger_ms;
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
	        "               [--ttl N] [--linger SECONDS] [--join PERCENT] [--spm-lead MS]\n"
	        "               [--stats] [FILE]\n"
	        "Sends FILE (default stdin) as one PGM session (RFC 3208) over raw IP.\n"
	        "  -n IFADDR;GROUP  interface address and multicast group, numeric\n"
	        "  -p PORT          destination port of the session\n"
	        "  -r RATE_KBIT     rate limit in kbit/s (default 10000; 0 = unlimited)\n"
	        "  -s SOURCE_PORT   data-source port of the TSI (default random)\n"
	        "  --ttl N          multicast TTL (default 16)\n"
	        "  --linger S       serve repairs this long after the end (default 5)\n"
	        "  --join PERCENT   OPT_JOIN: a late joiner may ask for repairs of this share\n"
	        "                   of the window (default 100: the whole window; 0 = off)\n"
	        "  --spm-lead MS    first data this long after the first SPM, so the SPM\n"
	        "                   sets up path state in PGM routers first (default 100)\n"
	        "  --stats          print statistics to stderr at the end\n"
	        "Needs CAP_NET_RAW.\n");
}

static int bad_arg(const char *what, const char *val)
{
	return cli_bad_arg("pgmsend", what, val);
}

/* Returns 0, or the exit code for a bad command line. */
static int parse_args(struct sender *c, int argc, char **argv)
{
	static const struct option lopts[] = {
		{"ttl", required_argument, NULL, 'T'},
		{"linger", required_argument, NULL, 'L'},
		{"join", required_argument, NULL, 'J'},
		{"spm-lead", required_argument, NULL, 'E'},
		{"stats", no_argument, NULL, CLI_OPT_STATS},
		{"help", no_argument, NULL, CLI_OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	c->cli.prog = "pgmsend";
	c->cli.usage = usage;
	int o, rc;
	while ((o = getopt_long(argc, argv, "n:p:r:s:h", lopts, NULL)) != -1) {
		switch (o) {
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
		case 'E':
			if (!cli_u32(optarg, 0, 10000, &c->spm_lead_ms))
				return bad_arg("SPM lead (--spm-lead, 0..10000 ms)", optarg);
			break;
		case 'J':
			if (!cli_u32(optarg, 0, 100, &c->join_pct))
				return bad_arg("join percentage (--join, 0..100)", optarg);
			break;
		default:
			if ((rc = cli_common_opt(&c->cli, o, optarg)) != 0)
				return rc;
			if (o == 'n' && c->cli.net.n_if != 1) {
				fprintf(stderr, "pgmsend: -n: a sender uses exactly one interface\n");
				return 2;
			}
		}
	}
	if ((rc = cli_common_required(&c->cli)) != 0)
		return rc;
	if (optind < argc - 1) {
		fprintf(stderr, "pgmsend: only one FILE may be given\n");
		return 2;
	}
	c->file = optind < argc ? argv[optind] : NULL;
	return 0;
}

static bool open_socket(struct sender *c)
{
	const struct netstr *net = &c->cli.net;
	c->sock = app_open_socket("pgmsend");
	if (c->sock < 0)
		return false;
	if (!sock_bind(c->sock, net->ifaddr[0])) {
		fprintf(stderr, "pgmsend: cannot bind to %s: %s\n", inet_ntoa(net->ifaddr[0]),
		        strerror(errno));
		return false;
	}
	if (!sock_mcast_out(c->sock, net->ifaddr[0], (int)c->ttl, false)) {
		fprintf(stderr, "pgmsend: cannot set multicast interface/TTL: %s\n", strerror(errno));
		return false;
	}
	return true;
}

static bool random_bytes(void *buf, size_t len)
{
	return getrandom(buf, len, 0) == (ssize_t)len;
}

static bool setup_source(struct sender *c, uint64_t now)
{
	struct source_cfg cfg;
	source_cfg_defaults(&cfg);
	cfg.ifaddr = c->cli.net.ifaddr[0];
	cfg.group = c->cli.net.group;
	cfg.dport = (uint16_t)c->cli.port;
	cfg.rate_kbit = c->rate_kbit;
	cfg.join_pct = c->join_pct;
	cfg.spm_lead_ms = c->spm_lead_ms;
	uint16_t rport;
	if (!random_bytes(cfg.gsi, sizeof(cfg.gsi)) || !random_bytes(&cfg.isn, sizeof(cfg.isn)) ||
	    !random_bytes(&rport, sizeof(rport)))
		return false;
	cfg.sport = c->sport ? (uint16_t)c->sport : (uint16_t)(1024 + rport % 64000);
	struct pgm_out out = {.send = app_sock_out, .arg = &c->sock};
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

static void on_packet(void *arg, const struct pgm_ip *ip, const struct pgm_pkt *p, uint64_t now)
{
	source_on_packet(arg, ip, p, now);
}

static void drain_socket(struct sender *c, uint64_t now)
{
	app_drain(c->sock, c->rbuf, sizeof(c->rbuf), on_packet, &c->src, &c->src.st.malformed, now);
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
	return app_timeout_ms(t, now);
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
		if (!app_poll("pgmsend", fds, 3, timeout_ms(c, now)))
			return 1;
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
	c->spm_lead_ms = 100;
	int rc = parse_args(c, argc, argv);
	if (rc != 0)
		return rc;
	c->in_fd = STDIN_FILENO;
	if (c->file != NULL && (c->in_fd = open(c->file, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "pgmsend: cannot open %s: %s\n", c->file, strerror(errno));
		return 1;
	}
	c->sig_fd = app_open_signals();
	if (c->sig_fd < 0 || !open_socket(c))
		return 1;
	if (!setup_source(c, mono_ms())) {
		fprintf(stderr, "pgmsend: out of memory or no randomness\n");
		return 1;
	}
	rc = run(c);
	if (c->cli.stats) {
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
