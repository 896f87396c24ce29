/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interfaces and their IPv4 addresses from the kernel (libnl-route link
 * and address caches), kept current through the cache manager's change
 * notifications, mirrored into the engine's struct ne_ifaces.
 */
#ifndef PGMNE_RTNL_H
#define PGMNE_RTNL_H

#include <net/if.h>

#include "event.h"
#include "../engine/ne.h"

struct nl_cache_mngr;
struct nl_cache;

struct rtnl {
	struct ev_handler ev;
	struct nl_cache_mngr *mngr;
	struct nl_cache *links, *addrs;
	struct ne_ifaces *table;
	struct ne *engine;       /* told when an interface goes; may be NULL */
	/* -i names; none = every multicast-capable, non-loopback interface */
	unsigned n_names;
	const char (*names)[IF_NAMESIZE];
};

/* Fill the cache, sync the table once. 0, or -1 (logged). */
int rtnl_open(struct rtnl *r, struct ne_ifaces *table, const char (*names)[IF_NAMESIZE],
              unsigned n_names);
void rtnl_close(struct rtnl *r);
/* Resync the table after r->names / r->n_names changed (SIGHUP). */
void rtnl_resync(struct rtnl *r);
/* Read pending change notifications and resync the table. */
void rtnl_input(struct rtnl *r);

#endif
