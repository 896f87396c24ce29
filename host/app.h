/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event-loop set-up pgmsend and pgmrecv share: one raw PGM socket
 * and a signalfd in a poll() loop, with timeouts from the host timers.
 */
#ifndef PGMNE_HOST_APP_H
#define PGMNE_HOST_APP_H

#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"

/* Block SIGINT, SIGTERM and SIGPIPE and return a signalfd for the first
 * two, so the loop sees them as readable input (SIGPIPE stays blocked
 * only: a failed write reports EPIPE instead). -1 on failure. */
int app_open_signals(void);

/* sock_open() with "PROG: cannot open raw PGM socket: ..." on failure. */
int app_open_socket(const char *prog);

/* pgm_out callback over sock_send(); arg points to the socket's fd. */
bool app_sock_out(void *arg, uint8_t *pkt, size_t len, struct in_addr dst, bool router_alert);

/* poll() the loop's fds; EINTR counts as a wake-up. False, with
 * "PROG: poll: ..." on stderr, on a real error. */
bool app_poll(const char *prog, struct pollfd *fds, nfds_t n, int timeout_ms);

/* poll() timeout for the next event at time `next`: 0 when due, at most
 * 60 s so a clock oddity never sleeps forever. */
int app_timeout_ms(uint64_t next, uint64_t now);

/* What a state machine does with one parsed packet. */
typedef void (*app_pkt_fn)(void *arg, const struct pgm_ip *ip, const struct pgm_pkt *p,
                           uint64_t now);

/*
 * Read up to APP_RX_BATCH datagrams from the non-blocking raw socket (a
 * bounded batch, so timers still run under load), hand each valid PGM
 * packet to on_pkt and count the rest in *malformed.
 */
#define APP_RX_BATCH 64
void app_drain(int sock, uint8_t *buf, size_t cap, app_pkt_fn on_pkt, void *arg,
               uint64_t *malformed, uint64_t now);

#endif
