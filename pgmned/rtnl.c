/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interface table from rtnetlink through libnl's cache manager. */
#include "rtnl.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "../common/log.h"

static bool named(const struct rtnl *r, const char *name)
{
	for (unsigned i = 0; i < r->n_names; i++)
		if (strcmp(r->names[i], name) == 0)
			return true;
	return false;
}

/* Primary (non-secondary) IPv4 address of ifindex; 0 when it has none. */
static struct in_addr primary_addr(struct rtnl *r, int ifindex)
{
	struct in_addr a = { 0 };

	for (struct nl_object *o = nl_cache_get_first(r->addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(ra);

		if (rtnl_addr_get_ifindex(ra) != ifindex || rtnl_addr_get_family(ra) != AF_INET ||
		    local == NULL || nl_addr_get_len(local) != sizeof a)
			continue;
		if (rtnl_addr_get_flags(ra) & IFA_F_SECONDARY)
			continue;
		memcpy(&a, nl_addr_get_binary_addr(local), sizeof a);
		break;
	}
	return a;
}

static void sync_link(struct rtnl *r, struct rtnl_link *l)
{
	int ifindex = rtnl_link_get_ifindex(l);
	unsigned flags = rtnl_link_get_flags(l);
	const char *name = rtnl_link_get_name(l);
	struct ne_iface *i = ne_iface_get(r->table, ifindex);
	struct in_addr old;
	bool was_enabled;

	if (i == NULL) {
		log_warnx("rtnl: more than %d interfaces, %s ignored", NE_MAX_IFACES,
		          name ? name : "?");
		return;
	}
	old = i->addr;
	was_enabled = i->enabled;
	snprintf(i->name, sizeof i->name, "%s", name ? name : "");
	i->up = (flags & IFF_UP) != 0;
	i->multicast = (flags & IFF_MULTICAST) != 0;
	i->addr = primary_addr(r, ifindex);
	if (r->n_names)
		i->enabled = named(r, i->name);
	else
		i->enabled = i->multicast && !(flags & IFF_LOOPBACK);
	if (i->enabled != was_enabled || old.s_addr != i->addr.s_addr) {
		char a[INET_ADDRSTRLEN];

		log_info("interface %s (%d): PGM %s, address %s%s", i->name, ifindex,
		         i->enabled ? "on" : "off", inet_ntop(AF_INET, &i->addr, a, sizeof a),
		         i->up ? "" : ", down");
	}
}

static bool link_exists(struct rtnl *r, int ifindex)
{
	for (struct nl_object *o = nl_cache_get_first(r->links); o; o = nl_cache_get_next(o))
		if (rtnl_link_get_ifindex((struct rtnl_link *)o) == ifindex)
			return true;
	return false;
}

/* Rebuild the table from the caches: cheap at router interface counts. */
static void sync_all(struct rtnl *r)
{
	for (int s = 0; s < NE_MAX_IFACES; s++) {
		int ifindex = r->table->v[s].ifindex;

		if (ifindex != 0 && !link_exists(r, ifindex)) {
			log_info("interface %s (%d) gone", r->table->v[s].name, ifindex);
			if (r->engine != NULL)
				ne_forget_iface(r->engine, ifindex);
			ne_iface_del(r->table, ifindex);
		}
	}
	for (struct nl_object *o = nl_cache_get_first(r->links); o; o = nl_cache_get_next(o))
		sync_link(r, (struct rtnl_link *)o);
}

static void on_change(struct nl_cache *cache, struct nl_object *obj, int action, void *arg)
{
	(void)cache;
	(void)obj;
	(void)action;
	sync_all(arg);
}

static void warn_unknown_names(struct rtnl *r)
{
	for (unsigned n = 0; n < r->n_names; n++) {
		bool found = false;

		for (int s = 0; s < NE_MAX_IFACES && !found; s++)
			found = r->table->v[s].ifindex != 0 &&
			        strcmp(r->table->v[s].name, r->names[n]) == 0;
		if (!found)
			log_warnx("interface %s does not exist (yet)", r->names[n]);
	}
}

int rtnl_open(struct rtnl *r, struct ne_ifaces *table, const char (*names)[IF_NAMESIZE],
              unsigned n_names)
{
	int err;

	r->table = table;
	r->names = names;
	r->n_names = n_names;
	err = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, NL_AUTO_PROVIDE, &r->mngr);
	if (err == 0)
		err = nl_cache_mngr_add(r->mngr, "route/link", on_change, r, &r->links);
	if (err == 0)
		err = nl_cache_mngr_add(r->mngr, "route/addr", on_change, r, &r->addrs);
	if (err < 0) {
		log_warnx("rtnl: %s", nl_geterror(err));
		rtnl_close(r);
		return -1;
	}
	r->ev.fd = nl_cache_mngr_get_fd(r->mngr);
	sync_all(r);
	warn_unknown_names(r);
	return 0;
}

void rtnl_resync(struct rtnl *r)
{
	sync_all(r);
	warn_unknown_names(r);
}

void rtnl_close(struct rtnl *r)
{
	if (r->mngr)
		nl_cache_mngr_free(r->mngr); /* frees the caches it manages */
	r->mngr = NULL;
	r->links = r->addrs = NULL;
}

void rtnl_input(struct rtnl *r)
{
	int err = nl_cache_mngr_data_ready(r->mngr);

	if (err < 0)
		log_warnx("rtnl: %s", nl_geterror(err));
}
