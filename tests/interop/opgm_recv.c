/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * opgm_recv — a PGM receiver built on stock OpenPGM 5.3, for interop tests.
 *
 * Joins a group on one interface (raw IP, protocol 113; needs root) and
 * writes the APDUs of the first source it hears, in order, to a file.
 * It ends with 0 when COUNT bytes arrived (-c), when -t SECONDS ran out
 * without -c, or when OpenPGM reports the session finished; with 1 when
 * OpenPGM reports unrecoverable loss (PGM_IO_STATUS_RESET); with 3 when -c
 * was given and the -t deadline passed first.
 *
 * Command line compatible with bin/pgmrecv:
 *   opgm_recv -n "IFADDR;GROUP" -p PORT [-o FILE] [-c BYTES] [-t SECONDS] [--stats]
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pgm/pgm.h>

#include "tests/interop/opgm_common.h"

#define PROG "opgm_recv"

enum { EXIT_LOSS = 1, EXIT_ARGS = 2, EXIT_TIMEOUT = 3, EXIT_ERROR = 4 };

struct opts {
	const char *network;
	const char *out;
	int port;
	long long count;     /* bytes to wait for; 0 = no count */
	int timeout_s;       /* 0 = none */
	bool stats;
	int nak_bo_ms, nak_rpt_ms, nak_rdata_ms;
	int nak_data_retries, nak_ncf_retries;
	int rxw_sqns;
};

struct receiver {
	struct opts o;
	pgm_sock_t *sock;
	FILE *out;
	long long bytes;
	long long apdus;
	long long resets;
	int64_t t0, t_first, t_last;
};

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: opgm_recv -n \"IFADDR;GROUP\" -p PORT [-o FILE] [-c BYTES] [-t SECONDS]\n"
	    "                 [--stats] [--nak-bo-ms MS] [--nak-rpt-ms MS] [--nak-rdata-ms MS]\n"
	    "                 [--nak-data-retries N] [--nak-ncf-retries N] [--rxw-sqns N]\n"
	    "Receive a PGM stream (OpenPGM 5.3, raw IP protocol 113) and write it to FILE\n"
	    "(stdout when none), in order.\n"
	    "  -n   numeric interface address and group, e.g. \"10.0.2.2;239.192.0.1\"\n"
	    "  -p   data-destination port\n"
	    "  -c   stop after BYTES bytes\n"
	    "  -t   with -c: give up after SECONDS; without -c: receive for SECONDS\n"
	    "  --stats  print bytes, APDUs, timing and loss reports to stderr at exit\n"
	    "  NAK timers default to 50 ms back-off, 500 ms NCF wait, 1000 ms RDATA wait,\n"
	    "  50 retries each.\n"
	    "exit: 0 done, 1 unrecoverable loss, 2 bad arguments, 3 timeout, 4 error\n");
}

enum { OPT_STATS = 256, OPT_BO, OPT_RPT, OPT_RDATA, OPT_DRET, OPT_NRET, OPT_RXW };

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "nak-bo-ms", required_argument, NULL, OPT_BO },
		{ "nak-rpt-ms", required_argument, NULL, OPT_RPT },
		{ "nak-rdata-ms", required_argument, NULL, OPT_RDATA },
		{ "nak-data-retries", required_argument, NULL, OPT_DRET },
		{ "nak-ncf-retries", required_argument, NULL, OPT_NRET },
		{ "rxw-sqns", required_argument, NULL, OPT_RXW },
		{ NULL, 0, NULL, 0 },
	};
	*o = (struct opts){ .port = -1, .nak_bo_ms = 50, .nak_rpt_ms = 500, .nak_rdata_ms = 1000,
	                    .nak_data_retries = 50, .nak_ncf_retries = 50, .rxw_sqns = 20000 };
	int c;
	long long v;
	while ((c = getopt_long(argc, argv, "n:p:o:c:t:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->network = optarg; break;
		case 'o': o->out = optarg; break;
		case 'p': if (!opgm_parse_int(optarg, 1, 65535, &v)) goto bad; o->port = (int)v; break;
		case 'c': if (!opgm_parse_int(optarg, 1, (long long)1 << 40, &v)) goto bad; o->count = v; break;
		case 't': if (!opgm_parse_int(optarg, 1, 86400, &v)) goto bad; o->timeout_s = (int)v; break;
		case OPT_STATS: o->stats = true; break;
		case OPT_BO: if (!opgm_parse_int(optarg, 1, 60000, &v)) goto bad; o->nak_bo_ms = (int)v; break;
		case OPT_RPT: if (!opgm_parse_int(optarg, 1, 60000, &v)) goto bad; o->nak_rpt_ms = (int)v; break;
		case OPT_RDATA: if (!opgm_parse_int(optarg, 1, 60000, &v)) goto bad; o->nak_rdata_ms = (int)v; break;
		case OPT_DRET: if (!opgm_parse_int(optarg, 0, 1000, &v)) goto bad; o->nak_data_retries = (int)v; break;
		case OPT_NRET: if (!opgm_parse_int(optarg, 0, 1000, &v)) goto bad; o->nak_ncf_retries = (int)v; break;
		case OPT_RXW: if (!opgm_parse_int(optarg, 16, 1000000, &v)) goto bad; o->rxw_sqns = (int)v; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (!o->network || o->port < 0) {
		fprintf(stderr, "opgm_recv: -n and -p are required\n");
		usage(stderr);
		return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "opgm_recv: unexpected argument %s\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
bad:
	opgm_bad_value(PROG, c, lopts, optarg);
	usage(stderr);
	return -1;
}

static bool setopt_int(pgm_sock_t *sock, int opt, int val, const char *name)
{
	return opgm_setopt_int(PROG, sock, opt, val, name);
}

static int open_socket(struct receiver *r)
{
	const struct opts *o = &r->o;
	struct pgm_addrinfo_t *res;

	if (!opgm_socket(PROG, o->network, &r->sock, &res))
		return -1;
	bool ok = setopt_int(r->sock, PGM_RECV_ONLY, 1, "PGM_RECV_ONLY") &&
	          setopt_int(r->sock, PGM_PASSIVE, 0, "PGM_PASSIVE") &&
	          setopt_int(r->sock, PGM_MTU, 1500, "PGM_MTU") &&
	          setopt_int(r->sock, PGM_RXW_SQNS, o->rxw_sqns, "PGM_RXW_SQNS") &&
	          setopt_int(r->sock, PGM_PEER_EXPIRY, 300 * 1000 * 1000, "PGM_PEER_EXPIRY") &&
	          setopt_int(r->sock, PGM_SPMR_EXPIRY, 250 * 1000, "PGM_SPMR_EXPIRY") &&
	          setopt_int(r->sock, PGM_NAK_BO_IVL, o->nak_bo_ms * 1000, "PGM_NAK_BO_IVL") &&
	          setopt_int(r->sock, PGM_NAK_RPT_IVL, o->nak_rpt_ms * 1000, "PGM_NAK_RPT_IVL") &&
	          setopt_int(r->sock, PGM_NAK_RDATA_IVL, o->nak_rdata_ms * 1000, "PGM_NAK_RDATA_IVL") &&
	          setopt_int(r->sock, PGM_NAK_DATA_RETRIES, o->nak_data_retries, "PGM_NAK_DATA_RETRIES") &&
	          setopt_int(r->sock, PGM_NAK_NCF_RETRIES, o->nak_ncf_retries, "PGM_NAK_NCF_RETRIES");
	if (!ok) {
		pgm_freeaddrinfo(res);
		return -1;
	}

	/* Source port 0: OpenPGM picks one. Interface address: the receive address. */
	if (!opgm_bind(PROG, r->sock, o->network, o->port, 0, res, &res->ai_recv_addrs[0].gsr_addr)) {
		pgm_freeaddrinfo(res);
		return -1;
	}
	for (unsigned i = 0; i < res->ai_recv_addrs_len; i++) {
		if (!pgm_setsockopt(r->sock, IPPROTO_PGM, PGM_JOIN_GROUP, &res->ai_recv_addrs[i],
		                    sizeof(struct group_req))) {
			fprintf(stderr, "opgm_recv: joining the group failed\n");
			pgm_freeaddrinfo(res);
			return -1;
		}
	}
	return opgm_connect(PROG, r->sock, res, 16) ? 0 : -1;
}

static int deliver(struct receiver *r, const char *buf, size_t len)
{
	if (len && fwrite(buf, 1, len, r->out) != len) {
		fprintf(stderr, "opgm_recv: write: %s\n", strerror(errno));
		return -1;
	}
	if (!r->apdus)
		r->t_first = opgm_now_ms();
	r->t_last = opgm_now_ms();
	r->bytes += (long long)len;
	r->apdus++;
	return 0;
}

/* Receive until done; returns the exit code. */
static int run(struct receiver *r)
{
	static char buf[65536];
	int64_t deadline = r->o.timeout_s ? r->t0 + (int64_t)r->o.timeout_s * 1000 : 0;

	while (!opgm_stop) {
		if (r->o.count && r->bytes >= r->o.count)
			return 0;
		int64_t now = opgm_now_ms();
		if (deadline && now >= deadline) {
			if (!r->o.count)
				return 0;
			fprintf(stderr, "opgm_recv: timeout after %d s with %lld of %lld bytes\n",
			        r->o.timeout_s, r->bytes, r->o.count);
			return EXIT_TIMEOUT;
		}
		size_t n = 0;
		pgm_error_t *err = NULL;
		int st = pgm_recv(r->sock, buf, sizeof buf, 0, &n, &err);
		int wait_ms = 1000;
		switch (st) {
		case PGM_IO_STATUS_NORMAL:
			if (deliver(r, buf, n) < 0)
				return EXIT_ERROR;
			continue;
		case PGM_IO_STATUS_TIMER_PENDING:
			wait_ms = opgm_timeval_ms(r->sock, PGM_TIME_REMAIN);
			break;
		case PGM_IO_STATUS_RATE_LIMITED:
			wait_ms = opgm_timeval_ms(r->sock, PGM_RATE_REMAIN);
			break;
		case PGM_IO_STATUS_WOULD_BLOCK:
			break;
		case PGM_IO_STATUS_RESET:
			r->resets++;
			fprintf(stderr, "opgm_recv: unrecoverable loss after %lld bytes: %s\n", r->bytes,
			        err ? opgm_errmsg(err) : "session reset");
			if (err)
				pgm_error_free(err);
			return EXIT_LOSS;
		case PGM_IO_STATUS_FIN:
			fprintf(stderr, "opgm_recv: session finished after %lld bytes\n", r->bytes);
			return 0;
		default:
			fprintf(stderr, "opgm_recv: recv status %d%s%s\n", st, err ? ": " : "",
			        err ? opgm_errmsg(err) : "");
			if (err)
				pgm_error_free(err);
			return EXIT_ERROR;
		}
		if (deadline && deadline - now < wait_ms)
			wait_ms = (int)(deadline - now);
		struct pollfd fds[PGM_RECV_SOCKET_READ_COUNT + 1];
		int nfds = (int)(sizeof fds / sizeof fds[0]);
		memset(fds, 0, sizeof fds);
		if (pgm_poll_info(r->sock, fds, &nfds, POLLIN) < 0)
			return EXIT_ERROR;
		if (poll(fds, (nfds_t)nfds, wait_ms) < 0 && errno != EINTR)
			return EXIT_ERROR;
	}
	fprintf(stderr, "opgm_recv: interrupted after %lld bytes\n", r->bytes);
	return r->o.count ? EXIT_TIMEOUT : 0;
}

int main(int argc, char **argv)
{
	struct receiver r;
	memset(&r, 0, sizeof r);
	if (parse_args(argc, argv, &r.o) < 0)
		return EXIT_ARGS;
	r.out = r.o.out ? fopen(r.o.out, "wb") : stdout;
	if (!r.out) {
		fprintf(stderr, "opgm_recv: %s: %s\n", r.o.out, strerror(errno));
		return EXIT_ERROR;
	}

	opgm_catch_signals();

	if (!opgm_init(PROG))
		return EXIT_ERROR;
	int rc = EXIT_ERROR;
	if (open_socket(&r) == 0) {
		/* Tests wait for this line before they start a source. */
		fprintf(stderr, "opgm_recv: listening on %s port %d\n", r.o.network, r.o.port);
		r.t0 = opgm_now_ms();
		rc = run(&r);
	}
	if (r.o.stats) {
		int64_t span = r.apdus ? r.t_last - r.t_first : 0;
		fprintf(stderr, "opgm_recv: stats bytes=%lld apdus=%lld loss_reports=%lld "
		        "first_to_last_ms=%lld rate_kbit=%lld exit=%d\n", r.bytes, r.apdus, r.resets,
		        (long long)span, span > 0 ? (long long)(r.bytes * 8 / span) : 0LL, rc);
	}
	if (r.sock)
		pgm_close(r.sock, false);
	pgm_shutdown();
	if (fclose(r.out) != 0 && rc == 0) {
		fprintf(stderr, "opgm_recv: closing output: %s\n", strerror(errno));
		rc = EXIT_ERROR;
	}
	return rc;
}
