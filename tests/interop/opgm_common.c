/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parts of the OpenPGM test peers that a source and a receiver share. */
#include "tests/interop/opgm_common.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t opgm_stop;

static void on_signal(int sig)
{
	(void)sig;
	opgm_stop = 1;
}

void opgm_catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

const char *opgm_errmsg(const pgm_error_t *err)
{
	return err && err->message ? err->message : "unknown error";
}

bool opgm_parse_int(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

void opgm_bad_value(const char *prog, int c, const struct option *lopts, const char *val)
{
	for (const struct option *o = lopts; o->name; o++)
		if (o->val == c && c >= 256) {
			fprintf(stderr, "%s: bad value for --%s: %s\n", prog, o->name, val);
			return;
		}
	fprintf(stderr, "%s: bad value for -%c: %s\n", prog, c, val);
}

bool opgm_init(const char *prog)
{
	pgm_error_t *err = NULL;
	if (pgm_init(&err))
		return true;
	fprintf(stderr, "%s: pgm_init: %s\n", prog, opgm_errmsg(err));
	pgm_error_free(err);
	return false;
}

bool opgm_setopt_int(const char *prog, pgm_sock_t *sock, int opt, int val, const char *name)
{
	if (!pgm_setsockopt(sock, IPPROTO_PGM, opt, &val, sizeof val)) {
		fprintf(stderr, "%s: setting %s failed\n", prog, name);
		return false;
	}
	return true;
}

bool opgm_socket(const char *prog, const char *network, pgm_sock_t **sock,
                 struct pgm_addrinfo_t **res)
{
	pgm_error_t *err = NULL;
	*res = NULL;
	if (!pgm_getaddrinfo(network, NULL, res, &err)) {
		fprintf(stderr, "%s: parsing network \"%s\": %s\n", prog, network, opgm_errmsg(err));
		pgm_error_free(err);
		return false;
	}
	if (!pgm_socket(sock, (*res)->ai_send_addrs[0].gsr_group.ss_family, SOCK_SEQPACKET,
	                IPPROTO_PGM, &err)) {
		fprintf(stderr, "%s: socket: %s\n", prog, opgm_errmsg(err));
		pgm_error_free(err);
		pgm_freeaddrinfo(*res);
		*res = NULL;
		return false;
	}
	return true;
}

bool opgm_bind(const char *prog, pgm_sock_t *sock, const char *network, int port, int sport,
               const struct pgm_addrinfo_t *res, const struct sockaddr_storage *ifaddr)
{
	struct pgm_sockaddr_t addr;
	memset(&addr, 0, sizeof addr);
	addr.sa_port = (uint16_t)port;
	addr.sa_addr.sport = (uint16_t)sport;
	char gsi_seed[128];
	int seed_len = snprintf(gsi_seed, sizeof gsi_seed, "%s/%ld/%ld", network, (long)getpid(),
	                        (long)time(NULL));
	if (!pgm_gsi_create_from_data(&addr.sa_addr.gsi, (const uint8_t *)gsi_seed, (size_t)seed_len)) {
		fprintf(stderr, "%s: cannot create GSI\n", prog);
		return false;
	}
	struct pgm_interface_req_t if_req;
	memset(&if_req, 0, sizeof if_req);
	if_req.ir_interface = res->ai_recv_addrs[0].gsr_interface;
	memcpy(&if_req.ir_address, ifaddr, sizeof if_req.ir_address);
	pgm_error_t *err = NULL;
	if (!pgm_bind3(sock, &addr, sizeof addr, &if_req, sizeof if_req, &if_req, sizeof if_req, &err)) {
		fprintf(stderr, "%s: bind: %s\n", prog, opgm_errmsg(err));
		pgm_error_free(err);
		return false;
	}
	return true;
}

bool opgm_connect(const char *prog, pgm_sock_t *sock, struct pgm_addrinfo_t *res, int hops)
{
	bool ok = pgm_setsockopt(sock, IPPROTO_PGM, PGM_SEND_GROUP, &res->ai_send_addrs[0],
	                         sizeof(struct group_req));
	pgm_freeaddrinfo(res);
	ok = ok && opgm_setopt_int(prog, sock, PGM_MULTICAST_LOOP, 0, "PGM_MULTICAST_LOOP") &&
	     opgm_setopt_int(prog, sock, PGM_MULTICAST_HOPS, hops, "PGM_MULTICAST_HOPS") &&
	     opgm_setopt_int(prog, sock, PGM_NOBLOCK, 1, "PGM_NOBLOCK");
	if (!ok)
		return false;
	pgm_error_t *err = NULL;
	if (!pgm_connect(sock, &err)) {
		fprintf(stderr, "%s: connect: %s\n", prog, opgm_errmsg(err));
		pgm_error_free(err);
		return false;
	}
	return true;
}

int64_t opgm_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int opgm_timeval_ms(pgm_sock_t *sock, int opt)
{
	struct timeval tv;
	socklen_t optlen = sizeof tv;
	if (!pgm_getsockopt(sock, IPPROTO_PGM, opt, &tv, &optlen))
		return 10;
	long ms = tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
}
