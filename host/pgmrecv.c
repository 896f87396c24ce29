/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmrecv: receive one PGM session over raw IP (RFC 3208 §6) and write
 * its data, in order, to a file or stdout. Exits 0 once OPT_FIN has been
 * seen and everything before it delivered (or -c bytes were delivered);
 * non-zero on unrecoverable loss or at the -t deadline.
 * One poll() loop: raw socket and signalfd; timeouts from the NAK timers.
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
#include "host/receiver.h"
#include "host/sock.h"

#define LOSS_REPORT_MAX 10  /* individual loss messages before only counting */

struct recvapp {
	/* arguments */
	struct cli_common cli;  /* -n, -p, --stats */
	uint64_t count;        /* -c: stop after this many bytes; 0 = until FIN */
	uint64_t time_ms;      /* -t: give up after this long; 0 = never */
	const char *outfile;
	/* run time */
	int sock, out_fd, sig_fd;
	struct receiver rcv;
	uint64_t written;
	uint64_t lost;
	bool write_failed;
	bool stop;
	uint8_t rbuf[65536];
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: pgmrecv -n \"IFADDR[,IFADDR...];GROUP\" -p PORT [-o FILE]\n"
	        "               [-c COUNT_BYTES | -t SECONDS] [--stats]\n"
	        "Receives one PGM session (RFC 3208) over raw IP and writes its data in order.\n"
	        "  -n IFADDRS;GROUP  receive interface address(es) and multicast group, numeric\n"
	        "  -p PORT           destination port of the session\n"
	        "  -o FILE           output file (default stdout)\n"
	        "  -c COUNT_BYTES    exit 0 after this many bytes\n"
	        "  -t SECONDS        exit non-zero if not finished within this time\n"
	        "  --stats           print statistics to stderr at the end\n"
	        "Exit 0: everything up to the sender's FIN (or -c bytes) delivered.\n"
	        "Exit 1: unrecoverable loss, timeout, or an error. Needs CAP_NET_RAW.\n");
}

static int bad_arg(const char *what, const char *val)
{
	return cli_bad_arg("pgmrecv", what, val);
}

static int parse_args(struct recvapp *c, int argc, char **argv)
{
	static const struct option lopts[] = {
		{"stats", no_argument, NULL, CLI_OPT_STATS},
		{"help", no_argument, NULL, CLI_OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	c->cli.prog = "pgmrecv";
	c->cli.usage = usage;
	uint32_t v;
	int o, rc;
	while ((o = getopt_long(argc, argv, "n:p:o:c:t:h", lopts, NULL)) != -1) {
		switch (o) {
		case 'o':
			c->outfile = optarg;
			break;
		case 'c':
			if (!cli_u32(optarg, 1, UINT32_MAX, &v))
				return bad_arg("byte count (-c)", optarg);
			c->count = v;
			break;
		case 't':
			if (!cli_seconds_ms(optarg, 86400, &c->time_ms) || c->time_ms == 0)
				return bad_arg("time (-t, seconds)", optarg);
			break;
		default:
			if ((rc = cli_common_opt(&c->cli, o, optarg)) != 0)
				return rc;
		}
	}
	if ((rc = cli_common_required(&c->cli)) != 0)
		return rc;
	if (optind < argc) {
		fprintf(stderr, "pgmrecv: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	return 0;
}

static void write_all(struct recvapp *c, const uint8_t *data, size_t len)
{
	while (len > 0 && !c->write_failed) {
		ssize_t n = write(c->out_fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "pgmrecv: write: %s\n", strerror(errno));
			c->write_failed = true;
			return;
		}
		data += n;
		len -= (size_t)n;
		c->written += (uint64_t)n;
	}
}

static void sink_data(void *arg, const uint8_t *data, size_t len)
{
	struct recvapp *c = arg;
	if (c->count > 0) {
		if (c->written >= c->count)
			return;
		if (len > c->count - c->written)
			len = (size_t)(c->count - c->written);
	}
	write_all(c, data, len);
}

static void sink_lost(void *arg, uint32_t sqn)
{
	struct recvapp *c = arg;
	if (c->lost++ < LOSS_REPORT_MAX)
		fprintf(stderr, "pgmrecv: unrecoverable loss of SQN %u\n", sqn);
}

static bool open_socket(struct recvapp *c)
{
	const struct netstr *net = &c->cli.net;
	c->sock = app_open_socket("pgmrecv");
	if (c->sock < 0)
		return false;
	for (unsigned i = 0; i < net->n_if; i++)
		if (!sock_join(c->sock, net->group, net->ifaddr[i])) {
			fprintf(stderr, "pgmrecv: cannot join %s on interface %s: %s\n",
			        inet_ntoa(net->group), inet_ntoa(net->ifaddr[i]), strerror(errno));
			return false;
		}
	return true;
}

static bool setup_receiver(struct recvapp *c)
{
	struct receiver_cfg cfg;
	receiver_cfg_defaults(&cfg);
	cfg.group = c->cli.net.group;
	cfg.dport = (uint16_t)c->cli.port;
	if (getrandom(&cfg.seed, sizeof(cfg.seed), 0) != sizeof(cfg.seed))
		return false;
	struct pgm_out out = {.send = app_sock_out, .arg = &c->sock};
	struct receiver_sink sink = {.data = sink_data, .lost = sink_lost, .arg = c};
	return receiver_init(&c->rcv, &cfg, out, sink);
}

static void on_packet(void *arg, const struct pgm_ip *ip, const struct pgm_pkt *p, uint64_t now)
{
	receiver_on_packet(arg, ip, p, now);
}

static void drain_socket(struct recvapp *c, uint64_t now)
{
	app_drain(c->sock, c->rbuf, sizeof(c->rbuf), on_packet, &c->rcv, &c->rcv.st.malformed, now);
}

static bool finished(const struct recvapp *c)
{
	return receiver_done(&c->rcv) || (c->count > 0 && c->written >= c->count) ||
	       c->write_failed;
}

static int timeout_ms(const struct recvapp *c, uint64_t now, uint64_t deadline)
{
	uint64_t t = receiver_next_event(&c->rcv);
	if (deadline < t)
		t = deadline;
	return app_timeout_ms(t, now);
}

/* Exit status with the reason on stderr. */
static int verdict(const struct recvapp *c, bool timed_out)
{
	if (c->write_failed)
		return 1;
	if (c->lost > 0) {
		fprintf(stderr, "pgmrecv: %llu packet(s) lost unrecoverably\n",
		        (unsigned long long)c->lost);
		return 1;
	}
	if (c->stop) {
		fprintf(stderr, "pgmrecv: interrupted after %llu bytes\n",
		        (unsigned long long)c->written);
		return 1;
	}
	if (c->count > 0 && c->written < c->count && !timed_out) {
		fprintf(stderr, "pgmrecv: session ended after %llu of %llu bytes\n",
		        (unsigned long long)c->written, (unsigned long long)c->count);
		return 1;
	}
	if (timed_out) {
		fprintf(stderr, "pgmrecv: timeout: %llu bytes delivered, session %s\n",
		        (unsigned long long)c->written, c->rcv.fin ? "finishing" : "not finished");
		return 1;
	}
	return 0;
}

static int run(struct recvapp *c)
{
	/* tests wait for this line instead of sleeping */
	fprintf(stderr, "pgmrecv: listening on %s port %u\n", inet_ntoa(c->cli.net.group),
	        (unsigned)c->cli.port);
	uint64_t start = mono_ms();
	uint64_t deadline = c->time_ms ? start + c->time_ms : UINT64_MAX;
	bool timed_out = false;
	while (!c->stop && !finished(c)) {
		uint64_t now = mono_ms();
		receiver_service(&c->rcv, now);
		if (finished(c))
			break;
		if (now >= deadline) {
			timed_out = true;
			break;
		}
		struct pollfd fds[2] = {
			{.fd = c->sock, .events = POLLIN},
			{.fd = c->sig_fd, .events = POLLIN},
		};
		if (!app_poll("pgmrecv", fds, 2, timeout_ms(c, now, deadline)))
			return 1;
		now = mono_ms();
		if (fds[0].revents & POLLIN)
			drain_socket(c, now);
		if (fds[1].revents & POLLIN)
			c->stop = true;
	}
	return verdict(c, timed_out);
}

int main(int argc, char **argv)
{
	static struct recvapp ctx; /* the program's one context; static for its 64 KiB buffer */
	struct recvapp *c = &ctx;
	int rc = parse_args(c, argc, argv);
	if (rc != 0)
		return rc;
	c->out_fd = STDOUT_FILENO;
	if (c->outfile != NULL &&
	    (c->out_fd = open(c->outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		fprintf(stderr, "pgmrecv: cannot open %s: %s\n", c->outfile, strerror(errno));
		return 1;
	}
	c->sig_fd = app_open_signals();
	if (c->sig_fd < 0 || !open_socket(c))
		return 1;
	if (!setup_receiver(c)) {
		fprintf(stderr, "pgmrecv: out of memory or no randomness\n");
		return 1;
	}
	rc = run(c);
	if (c->cli.stats) {
		struct recv_stats st;
		receiver_stats_snapshot(&c->rcv, &st);
		recv_stats_print(&st, stderr);
	}
	receiver_free(&c->rcv);
	close(c->sock);
	close(c->sig_fd);
	if (c->out_fd != STDOUT_FILENO && close(c->out_fd) != 0 && rc == 0) {
		fprintf(stderr, "pgmrecv: close %s: %s\n", c->outfile, strerror(errno));
		rc = 1;
	}
	return rc;
}
