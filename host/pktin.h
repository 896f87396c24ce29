/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boundary of the host tools: one raw IP datagram in, a parsed, bounds-
 * checked and checksum-verified PGM view out (RFC 3208 §8), or an error
 * to count. The rest of the host code never touches wire offsets.
 */
#ifndef PGMNE_HOST_PKTIN_H
#define PGMNE_HOST_PKTIN_H

#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"

/* PGM_OK when buf holds an IPv4 datagram carrying a valid PGM packet. */
enum pgm_err pktin_parse(const uint8_t *buf, size_t len, struct pgm_ip *ip, struct pgm_pkt *p);

#endif
