/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * opgm_send — a PGM source built on stock OpenPGM 5.3, for interop tests.
 *
 * Sends a file (stdin when none) to a multicast group as APDUs over PGM
 * on raw IP (protocol 113; needs root), then lingers serving repairs
 * (NAK -> NCF + RDATA) before closing. OpenPGM 5 has no thread of its own:
 * NAKs, SPM heartbeats and repairs are only processed while the program
 * calls pgm_recv(), so one non-blocking loop interleaves sending with that.
 * SIGINT/SIGTERM end the linger early with a clean close.
 *
 * Command line compatible with bin/pgmsend:
 *   opgm_send -n "IFADDR;GROUP" -p PORT [-r RATE_KBIT] [-s SOURCE_PORT] [FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pgm/pgm.h>

#include "tests/interop/opgm_common.h"

#define PROG "opgm_send"

enum { EXIT_ARGS = 2 };
enum { OPT_SPM_LEAD = 256 };

struct opts {
	const char *network;
	const char *file;
	int port;
	int sport;
	long rate_kbit;
	int apdu;
	int ttl;
	int linger_s;
	int spm_ms;
	int spm_lead_ms;
	bool verbose;
};

struct sender {
	struct opts o;
	pgm_sock_t *sock;
	uint8_t *data;
	size_t len;
	size_t off;
	uint64_t apdus;
};

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: opgm_send -n \"IFADDR;GROUP\" -p PORT [-r RATE_KBIT] [-s SOURCE_PORT]\n"
	    "                 [-a APDU_BYTES] [-T TTL] [-l LINGER_S] [-S SPM_MS] [--spm-lead MS]\n"
	    "                 [-v] [FILE]\n"
	    "Send FILE (stdin when none) over PGM (OpenPGM 5.3, raw IP protocol 113),\n"
	    "then keep serving repairs for LINGER_S seconds (SIGINT/SIGTERM end it).\n"
	    "  -n   numeric interface address and group, e.g. \"10.0.1.1;239.192.0.1\"\n"
	    "  -p   data-destination port\n"
	    "  -r   transmit rate limit in kbit/s (default 10000)\n"
	    "  -s   data-source port (default: random)\n"
	    "  -a   APDU size in bytes (default 1024: one ODATA each)\n"
	    "  -T   multicast TTL (default 16)\n"
	    "  -l   linger after the last byte, seconds (default 10)\n"
	    "  -S   ambient SPM interval in ms (default 1000)\n"
	    "  --spm-lead MS  first data this long after the first SPM, as pgmsend's\n"
	    "       option of that name (default 100; 0 sends at once)\n"
	    "exit: 0 sent, 1 runtime error, 2 bad arguments\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "spm-lead", required_argument, NULL, OPT_SPM_LEAD },
		{ NULL, 0, NULL, 0 },
	};
	*o = (struct opts){ .port = -1, .rate_kbit = 10000, .apdu = 1024, .ttl = 16,
	                    .linger_s = 10, .spm_ms = 1000, .spm_lead_ms = 100 };
	int c;
	long long v;
	while ((c = getopt_long(argc, argv, "n:p:r:s:a:T:l:S:vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->network = optarg; break;
		case 'p': if (!opgm_parse_int(optarg, 1, 65535, &v)) goto bad; o->port = (int)v; break;
		case 'r': if (!opgm_parse_int(optarg, 8, 10000000, &v)) goto bad; o->rate_kbit = (long)v; break;
		case 's': if (!opgm_parse_int(optarg, 1, 65535, &v)) goto bad; o->sport = (int)v; break;
		case 'a': if (!opgm_parse_int(optarg, 1, 65000, &v)) goto bad; o->apdu = (int)v; break;
		case 'T': if (!opgm_parse_int(optarg, 1, 255, &v)) goto bad; o->ttl = (int)v; break;
		case 'l': if (!opgm_parse_int(optarg, 0, 3600, &v)) goto bad; o->linger_s = (int)v; break;
		case 'S': if (!opgm_parse_int(optarg, 10, 60000, &v)) goto bad; o->spm_ms = (int)v; break;
		case OPT_SPM_LEAD: if (!opgm_parse_int(optarg, 0, 10000, &v)) goto bad; o->spm_lead_ms = (int)v; break;
		case 'v': o->verbose = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (!o->network || o->port < 0) {
		fprintf(stderr, "opgm_send: -n and -p are required\n");
		usage(stderr);
		return -1;
	}
	if (optind < argc)
		o->file = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "opgm_send: one FILE at most\n");
		return -1;
	}
	return 0;
bad:
	opgm_bad_value(PROG, c, lopts, optarg);
	usage(stderr);
	return -1;
}

static int read_all(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = path ? fopen(path, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "opgm_send: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 65536, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	bool err = !buf || ferror(f);
	if (path)
		fclose(f);
	if (err) {
		fprintf(stderr, "opgm_send: reading input failed\n");
		free(buf);
		return -1;
	}
	*data = buf;
	*len = n;
	return 0;
}

static bool setopt_int(pgm_sock_t *sock, int opt, int val, const char *name)
{
	return opgm_setopt_int(PROG, sock, opt, val, name);
}

static int open_socket(struct sender *s)
{
	const struct opts *o = &s->o;
	struct pgm_addrinfo_t *res;

	if (!opgm_socket(PROG, o->network, &s->sock, &res))
		return -1;

	/* Window: every APDU stays repairable until we close. */
	size_t tpdus = s->len / (size_t)o->apdu + 2;
	if (o->apdu > 1400)
		tpdus = tpdus * ((size_t)o->apdu / 1400 + 1);
	long txw = (long)tpdus + 1000;
	if (txw > 1000000) {
		fprintf(stderr, "opgm_send: input too large for the transmit window\n");
		pgm_freeaddrinfo(res);
		return -1;
	}
	/* Heartbeat SPMs close behind data so a lost tail is noticed fast. */
	const int heartbeat[] = { 50 * 1000, 100 * 1000, 200 * 1000, 400 * 1000, 800 * 1000,
	                          o->spm_ms * 1000 };
	long rate = o->rate_kbit * 1000 / 8;
	bool ok = setopt_int(s->sock, PGM_SEND_ONLY, 1, "PGM_SEND_ONLY") &&
	          setopt_int(s->sock, PGM_MTU, 1500, "PGM_MTU") &&
	          setopt_int(s->sock, PGM_TXW_SQNS, (int)txw, "PGM_TXW_SQNS") &&
	          setopt_int(s->sock, PGM_TXW_MAX_RTE, (int)rate, "PGM_TXW_MAX_RTE") &&
	          setopt_int(s->sock, PGM_AMBIENT_SPM, o->spm_ms * 1000, "PGM_AMBIENT_SPM") &&
	          pgm_setsockopt(s->sock, IPPROTO_PGM, PGM_HEARTBEAT_SPM, heartbeat, sizeof heartbeat);
	if (!ok) {
		pgm_freeaddrinfo(res);
		return -1;
	}

	/* Interface address: the send address (opgm_recv uses its receive address). */
	if (!opgm_bind(PROG, s->sock, o->network, o->port, o->sport, res,
	               &res->ai_send_addrs[0].gsr_addr)) {
		pgm_freeaddrinfo(res);
		return -1;
	}
	/* Unlike opgm_recv, a failed join is not an error here. */
	for (unsigned i = 0; i < res->ai_recv_addrs_len; i++)
		pgm_setsockopt(s->sock, IPPROTO_PGM, PGM_JOIN_GROUP, &res->ai_recv_addrs[i],
		               sizeof(struct group_req));
	return opgm_connect(PROG, s->sock, res, o->ttl) ? 0 : -1;
}

/*
 * Let OpenPGM process what came in (NAKs, SPMRs) and its timers (SPMs,
 * repairs); returns how long it may sleep, in ms, or -1 on a fatal error.
 */
static int service(struct sender *s)
{
	char buf[4096];
	for (int i = 0; i < 1000; i++) {
		size_t n = 0;
		pgm_error_t *err = NULL;
		int st = pgm_recv(s->sock, buf, sizeof buf, 0, &n, &err);
		switch (st) {
		case PGM_IO_STATUS_NORMAL:
			continue; /* a send-only socket gets no data; keep draining */
		case PGM_IO_STATUS_TIMER_PENDING:
			return opgm_timeval_ms(s->sock, PGM_TIME_REMAIN);
		case PGM_IO_STATUS_RATE_LIMITED:
			return opgm_timeval_ms(s->sock, PGM_RATE_REMAIN);
		case PGM_IO_STATUS_WOULD_BLOCK:
			return 1000;
		default:
			if (err) {
				fprintf(stderr, "opgm_send: recv: %s\n", opgm_errmsg(err));
				pgm_error_free(err);
			}
			if (st == PGM_IO_STATUS_RESET)
				continue;
			fprintf(stderr, "opgm_send: recv status %d\n", st);
			return -1;
		}
	}
	return 0;
}

static int wait_events(struct sender *s, int timeout_ms, bool want_send)
{
	struct pollfd fds[PGM_SEND_SOCKET_READ_COUNT + PGM_SEND_SOCKET_WRITE_COUNT + 1];
	int n = (int)(sizeof fds / sizeof fds[0]);
	memset(fds, 0, sizeof fds);
	if (pgm_poll_info(s->sock, fds, &n, want_send ? POLLIN | POLLOUT : POLLIN) < 0)
		return -1;
	if (poll(fds, (nfds_t)n, timeout_ms) < 0 && errno != EINTR)
		return -1;
	return 0;
}

/* Serve the socket (SPMs, timers) for ms milliseconds without sending data. */
static int serve_for(struct sender *s, int64_t ms)
{
	int64_t end = opgm_now_ms() + ms;
	while (!opgm_stop) {
		int64_t left = end - opgm_now_ms();
		if (left <= 0)
			break;
		int svc = service(s);
		if (svc < 0)
			return -1;
		if (wait_events(s, svc < left ? svc : (int)left, false) < 0)
			return -1;
	}
	return 0;
}

static int run(struct sender *s)
{
	/*
	 * OpenPGM sends its first SPM at connect. A PGM router lifts SPMs into
	 * user space and lets ODATA through in the kernel, so data sent at once
	 * can overtake that SPM. An OpenPGM receiver whose first packet is
	 * ODATA starts its window there: if the first ODATA was lost it never
	 * asks for it, and a gap before any SPM is final (nowhere to NAK).
	 */
	if (serve_for(s, s->o.spm_lead_ms) < 0)
		return -1;
	int64_t t0 = opgm_now_ms();
	while (s->off < s->len && !opgm_stop) {
		/*
		 * Pace in the application too: OpenPGM's token bucket holds a
		 * second's worth of tokens, so a file smaller than that would
		 * leave in one line-rate burst.
		 */
		int64_t due = t0 + (int64_t)((double)s->off * 8.0 / (double)s->o.rate_kbit);
		int64_t ahead = due - opgm_now_ms();
		if (ahead > 0) {
			int svc = service(s);
			if (svc < 0)
				return -1;
			if (wait_events(s, svc < ahead ? svc : (int)ahead, false) < 0)
				return -1;
			continue;
		}
		size_t chunk = s->len - s->off;
		if (chunk > (size_t)s->o.apdu)
			chunk = (size_t)s->o.apdu;
		size_t sent = 0;
		int st = pgm_send(s->sock, s->data + s->off, chunk, &sent);
		int wait_ms;
		switch (st) {
		case PGM_IO_STATUS_NORMAL:
			s->off += chunk;
			s->apdus++;
			continue;
		case PGM_IO_STATUS_RATE_LIMITED:
			wait_ms = opgm_timeval_ms(s->sock, PGM_RATE_REMAIN);
			break;
		case PGM_IO_STATUS_WOULD_BLOCK:
		case PGM_IO_STATUS_CONGESTION:
			wait_ms = 10;
			break;
		default:
			fprintf(stderr, "opgm_send: send status %d\n", st);
			return -1;
		}
		int svc = service(s);
		if (svc < 0)
			return -1;
		if (svc < wait_ms)
			wait_ms = svc;
		if (wait_events(s, wait_ms, true) < 0)
			return -1;
	}
	if (s->o.verbose || opgm_stop)
		fprintf(stderr, "opgm_send: %zu bytes in %llu APDUs in %lld ms%s\n", s->off,
		        (unsigned long long)s->apdus, (long long)(opgm_now_ms() - t0),
		        opgm_stop ? " (interrupted)" : "");
	if (s->off < s->len)
		return -1;
	/* Linger: serve NAKs with NCFs and RDATA, keep SPMs flowing. */
	return serve_for(s, (int64_t)s->o.linger_s * 1000);
}

int main(int argc, char **argv)
{
	struct sender s;
	memset(&s, 0, sizeof s);
	if (parse_args(argc, argv, &s.o) < 0)
		return EXIT_ARGS;
	if (read_all(s.o.file, &s.data, &s.len) < 0)
		return 1;

	opgm_catch_signals();
	signal(SIGPIPE, SIG_IGN);

	if (!opgm_init(PROG)) {
		free(s.data);
		return 1;
	}
	int rc = 1;
	if (open_socket(&s) == 0) {
		fprintf(stderr, "opgm_send: sending %zu bytes to %s port %d\n", s.len, s.o.network,
		        s.o.port);
		rc = run(&s) == 0 ? 0 : 1;
	}
	if (s.sock)
		pgm_close(s.sock, true);
	pgm_shutdown();
	free(s.data);
	return rc;
}
