/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How the host state machines emit packets: a callback that sends one
 * built PGM packet to an IPv4 destination, with or without the Router
 * Alert option. The tools pass sock_send(); unit tests pass a recorder.
 */
#ifndef PGMNE_HOST_PGMOUT_H
#define PGMNE_HOST_PGMOUT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pgm_out {
	bool (*send)(void *arg, uint8_t *pkt, size_t len, struct in_addr dst, bool router_alert);
	void *arg;
};

/* Largest PGM packet we build (fits a 1500-byte MTU with IP header and RA). */
#define PGM_OUT_MAX 1476

#endif
