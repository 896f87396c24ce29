/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl's conversation with the daemon (client.c): one request over
 * the control socket, every record of the reply kept for output.
 */
#ifndef PGMNE_NECTL_CLIENT_H
#define PGMNE_NECTL_CLIENT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/ctlproto.h"
#include "pgmnectl.h"

/*
 * A repair state as pgmnectl keeps it: struct ctl_rstate with the
 * interface names allocated to size (a big table holds many of them).
 */
struct nectl_rstate {
	struct pgm_tsi tsi;
	struct in_addr group;
	uint32_t sqn;
	uint8_t phase;
	uint32_t retries;
	uint64_t time_left_ms, elim_left_ms;
	uint8_t n_ifaces;
	char (*ifname)[IF_NAMESIZE];
};

/* Everything the daemon sent for one request. */
struct nectl_reply {
	struct ctl_if *ifs;
	struct ctl_session *sessions;
	struct nectl_rstate *rstates;
	struct ctl_if_counters *counters;
	size_t n_ifs, n_sessions, n_rstates, n_counters;
	size_t cap_ifs, cap_sessions, cap_rstates, cap_counters;
	struct ctl_health health;
	bool has_health;
	uint32_t cleared;
};

/*
 * Connect to the daemon at path, send req, collect the reply until END
 * (records sorted for stable output). On failure prints one line on
 * stderr and returns the exit code.
 */
int client_request(const char *path, const struct ctl_req *req, struct nectl_reply *rep);
void client_reply_free(struct nectl_reply *rep);

#endif
