/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interface table: up to NE_MAX_IFACES interfaces, each a slot whose
 * number is its bit in a repair state's interface set.
 */
#include <string.h>

#include "ne.h"

struct ne_iface *ne_iface_by_index(struct ne_ifaces *t, int ifindex)
{
	if (ifindex <= 0)
		return NULL;
	for (unsigned i = 0; i < NE_MAX_IFACES; i++)
		if (t->v[i].ifindex == ifindex)
			return &t->v[i];
	return NULL;
}

struct ne_iface *ne_iface_get(struct ne_ifaces *t, int ifindex)
{
	struct ne_iface *f = ne_iface_by_index(t, ifindex);
	if (f != NULL || ifindex <= 0)
		return f;
	for (unsigned i = 0; i < NE_MAX_IFACES; i++)
		if (t->v[i].ifindex == 0) {
			memset(&t->v[i], 0, sizeof(t->v[i]));
			t->v[i].ifindex = ifindex;
			return &t->v[i];
		}
	return NULL;
}

void ne_iface_del(struct ne_ifaces *t, int ifindex)
{
	struct ne_iface *f = ne_iface_by_index(t, ifindex);
	if (f != NULL)
		memset(f, 0, sizeof(*f));
}
