/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "IFADDR;GROUP" network string of the tools, in OpenPGM's style:
 * "10.0.1.2;239.192.0.1", or several receive interfaces
 * "10.0.1.2,10.0.2.2;239.192.0.1". Numeric addresses only (no DNS).
 */
#ifndef PGMNE_HOST_NETSTR_H
#define PGMNE_HOST_NETSTR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define NETSTR_MAX_IF 8

struct netstr {
	struct in_addr ifaddr[NETSTR_MAX_IF];
	unsigned n_if;
	struct in_addr group;
};

/* Parse s; on failure writes the problem into err and returns false. */
bool netstr_parse(const char *s, struct netstr *out, char *err, size_t errlen);

#endif
