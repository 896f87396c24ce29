/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Answers to control requests, built from the engine's read-only views
 * and the interface table. Each request ends with END, or with ERROR
 * when it cannot be answered. Sessions and repair state are streamed
 * (ctl_stream.c); the rest is small and queued whole.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"
#include "ctl_priv.h"

/* Filters each request may carry (struct ctl_req.flags). */
static uint8_t allowed_flags(uint8_t type)
{
	switch (type) {
	case CTL_REQ_SHOW_STATE: return CTL_F_GROUP | CTL_F_TSI;
	case CTL_REQ_SHOW_TRAFFIC: return CTL_F_IFACE;
	case CTL_REQ_CLEAR_TRAFFIC: return CTL_F_IFACE;
	case CTL_REQ_CLEAR_RTX_STATE: return CTL_F_GROUP;
	default: return 0;
	}
}

static void put_cleared(struct ctl_client *cl, size_t count)
{
	uint8_t msg[CTL_MAX_MSG];
	uint32_t n = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
	ctl_client_put(cl, msg, ctl_enc_cleared(msg, sizeof msg, n));
}

static struct ne_iface *iface_by_name(struct ne_ifaces *t, const char *name)
{
	for (size_t i = 0; i < NE_MAX_IFACES; i++)
		if (t->v[i].ifindex != 0 && strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

/* --- show interfaces --- */

static void show_interfaces(struct ctl_client *cl)
{
	const struct ne_config *cfg = ne_get_config(cl->ctl->ne);
	uint8_t msg[CTL_MAX_MSG];
	for (size_t i = 0; i < NE_MAX_IFACES; i++) {
		const struct ne_iface *f = &cl->ctl->ifaces->v[i];
		if (f->ifindex == 0)
			continue;
		/* the engine's timers are global today: every row shows them */
		struct ctl_if r = {
			.ifindex = (uint32_t)f->ifindex, .addr = f->addr,
			.flags = (uint8_t)((f->up ? CTL_IF_UP : 0) |
			                   (f->multicast ? CTL_IF_MULTICAST : 0) |
			                   (f->enabled ? CTL_IF_ENABLED : 0)),
			.nak_rpt_ivl_ms = cfg->nak_rpt_ivl_ms,
			.nak_rpt_rte_ms = cfg->nak_rpt_rte_ms,
			.nak_rdata_ivl_ms = cfg->nak_rdata_ivl_ms,
			.nak_elim_ivl_ms = cfg->nak_elim_ivl_ms,
			.session_lifetime_ms = cfg->session_lifetime_ms,
			.ncf_ivl_ms = cfg->ncf_ivl_ms,
			.ncf_ttl = cfg->ncf_ttl, .nak_ttl = cfg->nak_ttl,
		};
		snprintf(r.name, sizeof r.name, "%s", f->name);
		ctl_client_put(cl, msg, ctl_enc_if(msg, sizeof msg, &r));
	}
	ctl_reply_end(cl);
}

/* --- show traffic --- */

static void put_if_counters(struct ctl_client *cl, const struct ne_iface *f)
{
	uint8_t msg[CTL_MAX_MSG];
	struct ctl_if_counters r = { .ifindex = (uint32_t)f->ifindex };
	size_t i = 0;
	snprintf(r.name, sizeof r.name, "%s", f->name);
#define COPY(name) r.v[i++] = f->cnt.name;
	NE_IF_COUNTERS(COPY)
#undef COPY
	ctl_client_put(cl, msg, ctl_enc_if_counters(msg, sizeof msg, &r));
}

static void put_health(struct ctl_client *cl)
{
	uint8_t msg[CTL_MAX_MSG];
	struct ne *ne = cl->ctl->ne;
	const struct ne_health_counters *h = ne_health(ne);
	const uint64_t *bad = ne_malformed(ne);
	struct ctl_health r = { .sessions = ne_session_count(ne), .rstates = ne_rstate_count(ne) };
	ne_rcache_usage(ne, &r.rcache_bytes, &r.rcache_entries);
	size_t i = 0;
#define COPY(name) r.v[i++] = h->name;
	NE_HEALTH_COUNTERS(COPY)
#undef COPY
	memcpy(r.malformed, bad, sizeof r.malformed);
	ctl_client_put(cl, msg, ctl_enc_health(msg, sizeof msg, &r));
}

static void show_traffic(struct ctl_client *cl, const struct ctl_req *q)
{
	struct ne_ifaces *t = cl->ctl->ifaces;
	if (q->flags & CTL_F_IFACE) {
		const struct ne_iface *f = iface_by_name(t, q->ifname);
		if (f == NULL) {
			ctl_reply_error(cl, CTL_E_NO_SUCH_IFACE, "no such interface: %s", q->ifname);
			return;
		}
		put_if_counters(cl, f);
	} else {
		for (size_t i = 0; i < NE_MAX_IFACES; i++)
			if (t->v[i].ifindex != 0)
				put_if_counters(cl, &t->v[i]);
	}
	put_health(cl);
	ctl_reply_end(cl);
}

/* --- clear --- */

static void clear_traffic(struct ctl_client *cl, const struct ctl_req *q)
{
	struct ne_ifaces *t = cl->ctl->ifaces;
	size_t n = 0;
	if (q->flags & CTL_F_IFACE) {
		const struct ne_iface *f = iface_by_name(t, q->ifname);
		if (f == NULL) {
			ctl_reply_error(cl, CTL_E_NO_SUCH_IFACE, "no such interface: %s", q->ifname);
			return;
		}
		ne_clear_counters(cl->ctl->ne, f->ifindex);
		n = 1;
		log_info("ctl: traffic counters of %s cleared", f->name);
	} else {
		ne_clear_counters(cl->ctl->ne, 0);
		for (size_t i = 0; i < NE_MAX_IFACES; i++)
			n += t->v[i].ifindex != 0;
		log_info("ctl: all traffic counters cleared");
	}
	put_cleared(cl, n);
	ctl_reply_end(cl);
}

static void clear_rtx_state(struct ctl_client *cl, const struct ctl_req *q)
{
	bool by_group = q->flags & CTL_F_GROUP;
	size_t n = ne_clear_rstates(cl->ctl->ne, by_group ? &q->group : NULL);
	char grp[INET_ADDRSTRLEN] = "all groups";
	if (by_group)
		inet_ntop(AF_INET, &q->group, grp, sizeof grp);
	log_info("ctl: %zu repair states of %s cleared", n, grp);
	put_cleared(cl, n);
	ctl_reply_end(cl);
}

void ctl_serve(struct ctl_client *cl, const struct ctl_req *q)
{
	if (q->flags & ~allowed_flags(q->type)) {
		ctl_reply_error(cl, CTL_E_BAD_ARGUMENT, "%s takes no such filter",
		                ctl_type_name(q->type));
		return;
	}
	switch (q->type) {
	case CTL_REQ_SHOW_INTERFACES: show_interfaces(cl); break;
	case CTL_REQ_SHOW_SESSIONS:
	case CTL_REQ_SHOW_STATE: ctl_stream_start(cl, q); break;
	case CTL_REQ_SHOW_TRAFFIC: show_traffic(cl, q); break;
	case CTL_REQ_CLEAR_TRAFFIC: clear_traffic(cl, q); break;
	case CTL_REQ_CLEAR_RTX_STATE: clear_rtx_state(cl, q); break;
	default:
		ctl_reply_error(cl, CTL_E_UNKNOWN_REQUEST, "unknown request type %u", q->type);
		break;
	}
}
