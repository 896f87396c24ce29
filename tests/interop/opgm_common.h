/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the OpenPGM 5.3 test peers (opgm_send, opgm_recv) share: library
 * start-up, signal flag, argument and option helpers, and the socket
 * set-up steps that are the same for a source and a receiver.
 * PROG in the arguments is the program name that starts each message.
 */
#ifndef PGMNE_TESTS_OPGM_COMMON_H
#define PGMNE_TESTS_OPGM_COMMON_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <pgm/pgm.h>

/* Set by SIGINT/SIGTERM once opgm_catch_signals() ran; the loops poll it. */
extern volatile sig_atomic_t opgm_stop;

/* Route SIGINT and SIGTERM to opgm_stop, so a loop can end cleanly. */
void opgm_catch_signals(void);

/* OpenPGM's message of err, or "unknown error". */
const char *opgm_errmsg(const pgm_error_t *err);

/* Whole string a decimal number in [lo, hi]? */
bool opgm_parse_int(const char *s, long long lo, long long hi, long long *out);
/* "PROG: bad value for -c: VAL" (or --name for long-only options, val >= 256). */
void opgm_bad_value(const char *prog, int c, const struct option *lopts, const char *val);

/* pgm_init(), with "PROG: pgm_init: ..." on failure. */
bool opgm_init(const char *prog);

/* Set an int socket option; "PROG: setting NAME failed" on failure. */
bool opgm_setopt_int(const char *prog, pgm_sock_t *sock, int opt, int val, const char *name);

/*
 * Parse the "IFADDR;GROUP" network string and create the PGM socket on
 * raw IP. On success *res is the parsed network, for the caller to free
 * (opgm_connect() does); on failure nothing is left to free.
 */
bool opgm_socket(const char *prog, const char *network, pgm_sock_t **sock,
                 struct pgm_addrinfo_t **res);

/*
 * Bind to data-destination port `port`, data-source port `sport` (0: let
 * OpenPGM pick) on the interface of res, with ifaddr as the interface
 * address. The GSI comes from network, pid and time: every namespace
 * shares the host name OpenPGM would use. res stays the caller's.
 */
bool opgm_bind(const char *prog, pgm_sock_t *sock, const char *network, int port, int sport,
               const struct pgm_addrinfo_t *res, const struct sockaddr_storage *ifaddr);

/*
 * After the joins: send group, no loopback, multicast hops, non-blocking,
 * then pgm_connect(). Frees res.
 */
bool opgm_connect(const char *prog, pgm_sock_t *sock, struct pgm_addrinfo_t *res, int hops);

/* CLOCK_MONOTONIC in ms. */
int64_t opgm_now_ms(void);

/* A timeval socket option (PGM_TIME_REMAIN, PGM_RATE_REMAIN) as a poll()
 * timeout, rounded up, within [0, 1000] ms; 10 if it cannot be read. */
int opgm_timeval_ms(pgm_sock_t *sock, int opt);

#endif
