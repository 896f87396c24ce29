/*
 * Answers to control requests, built from the engine's read-only views
 * and the interface table. Each request ends with END, or with ERROR
 * when it cannot be answered.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
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

static void put_end(struct ctl_client *cl)
{
	uint8_t msg[CTL_HDR_LEN];
	ctl_client_put(cl, msg, ctl_enc_end(msg, sizeof msg));
}

static void put_cleared(struct ctl_client *cl, size_t count)
{
	uint8_t msg[CTL_MAX_MSG];
	uint32_t n = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
	ctl_client_put(cl, msg, ctl_enc_cleared(msg, sizeof msg, n));
}

static uint64_t ms_left(uint64_t until, uint64_t now)
{
	return until > now ? until - now : 0;
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
			.ncf_ttl = cfg->ncf_ttl, .nak_ttl = cfg->nak_ttl,
		};
		snprintf(r.name, sizeof r.name, "%s", f->name);
		ctl_client_put(cl, msg, ctl_enc_if(msg, sizeof msg, &r));
	}
	put_end(cl);
}

/*
 * --- show sessions, show state: snapshot now, encode as output drains ---
 *
 * Their size is bounded only by the engine's tables, so the views are
 * copied at request time (a consistent picture) and encoded a budget at
 * a time by ctl_stream_more(), never far ahead of what the client reads.
 */

struct ctl_stream {
	uint8_t type;          /* CTL_REQ_SHOW_SESSIONS or CTL_REQ_SHOW_STATE */
	uint64_t now;          /* ages and times left are as of the snapshot */
	size_t n, cap, next;   /* views held, allocated, next to encode */
	bool oom;
	union {
		struct ne_session_view *sess;
		struct ne_rstate_view *rs;
		void *any;
	} v;
};

/* Room for one more view of `size` bytes; false (and oom) when there is none. */
static bool stream_grow(struct ctl_stream *s, size_t size)
{
	if (s->oom)
		return false;
	if (s->n < s->cap)
		return true;
	size_t cap = s->cap ? s->cap * 2 : 64;
	void *p = cap <= SIZE_MAX / size ? realloc(s->v.any, cap * size) : NULL;
	if (p == NULL) {
		s->oom = true;
		return false;
	}
	s->v.any = p;
	s->cap = cap;
	return true;
}

static void snap_session(const struct ne_session_view *v, void *arg)
{
	struct ctl_stream *s = arg;
	if (stream_grow(s, sizeof *v))
		s->v.sess[s->n++] = *v;
}

static void snap_rstate(const struct ne_rstate_view *v, void *arg)
{
	struct ctl_stream *s = arg;
	if (stream_grow(s, sizeof *v))
		s->v.rs[s->n++] = *v;
}

void ctl_stream_free(struct ctl_stream *s)
{
	if (s == NULL)
		return;
	free(s->v.any);
	free(s);
}

static void start_stream(struct ctl_client *cl, const struct ctl_req *q)
{
	struct ctl *c = cl->ctl;
	struct ctl_stream *s = calloc(1, sizeof *s);
	if (s == NULL) {
		ctl_reply_error(cl, CTL_E_BUSY, "daemon out of memory");
		return;
	}
	s->type = q->type;
	s->now = c->now(c->now_arg);
	if (q->type == CTL_REQ_SHOW_SESSIONS)
		ne_foreach_session(c->ne, snap_session, s);
	else
		ne_foreach_rstate(c->ne, q->flags & CTL_F_TSI ? &q->tsi : NULL,
		                  q->flags & CTL_F_GROUP ? &q->group : NULL, snap_rstate, s);
	if (s->oom) {
		ctl_stream_free(s);
		ctl_reply_error(cl, CTL_E_BUSY, "daemon out of memory");
		return;
	}
	cl->stream = s;
}

static size_t enc_session(const struct ctl_client *cl, const struct ne_session_view *v,
                          uint64_t now, uint8_t *msg, size_t cap)
{
	struct ctl_session r = {
		.tsi = v->tsi, .group = v->group, .source = v->source,
		.upstream = v->upstream, .dport = v->dport,
		.upstream_ifindex = v->upstream_ifindex > 0 ? (uint32_t)v->upstream_ifindex : 0,
		.spm_sqn = v->spm_sqn, .trail = v->trail, .lead = v->lead,
		.age_ms = now - (v->created_ms < now ? v->created_ms : now),
		.spm_age_ms = now - (v->last_spm_ms < now ? v->last_spm_ms : now),
		.rstates = v->rstates,
	};
	const struct ne_iface *f = v->upstream_ifindex > 0 ?
		ne_iface_by_index(cl->ctl->ifaces, v->upstream_ifindex) : NULL;
	if (f != NULL)
		snprintf(r.upstream_ifname, sizeof r.upstream_ifname, "%s", f->name);
	return ctl_enc_session(msg, cap, &r);
}

static uint8_t phase_of(enum ne_rstate_phase p)
{
	switch (p) {
	case NE_RS_PENDING: return CTL_PHASE_PENDING;
	case NE_RS_CONFIRMED: return CTL_PHASE_CONFIRMED;
	case NE_RS_ANTICIPATED: return CTL_PHASE_ANTICIPATED;
	}
	return CTL_PHASE_COUNT; /* refused by the encoder */
}

/* Names of the interfaces in an interface set (slots of the table). */
static void iface_names(const struct ne_ifaces *t, uint64_t set, struct ctl_rstate *r)
{
	r->n_ifaces = 0;
	for (unsigned i = 0; i < NE_MAX_IFACES && r->n_ifaces < CTL_MAX_IFACES; i++) {
		if (!(set & (UINT64_C(1) << i)))
			continue;
		char *dst = r->ifname[r->n_ifaces++];
		if (t->v[i].ifindex != 0)
			snprintf(dst, IF_NAMESIZE, "%s", t->v[i].name);
		else
			snprintf(dst, IF_NAMESIZE, "gone#%u", i); /* interface vanished */
	}
}

static size_t enc_rstate(const struct ctl_client *cl, const struct ne_rstate_view *v,
                         uint64_t now, uint8_t *msg, size_t cap)
{
	struct ctl_rstate r = {
		.tsi = v->tsi, .group = v->group, .sqn = v->sqn,
		.phase = phase_of(v->phase), .retries = v->retries,
		.time_left_ms = ms_left(v->expires_ms, now),
		.elim_left_ms = v->elim_until_ms ? ms_left(v->elim_until_ms, now) : 0,
	};
	iface_names(cl->ctl->ifaces, v->ifaces, &r);
	return ctl_enc_rstate(msg, cap, &r);
}

void ctl_stream_more(struct ctl_client *cl, size_t budget)
{
	struct ctl_stream *s = cl->stream;
	uint8_t msg[CTL_MAX_MSG];
	size_t used = 0;
	while (s->next < s->n && used < budget) {
		size_t n = s->type == CTL_REQ_SHOW_SESSIONS ?
			enc_session(cl, &s->v.sess[s->next], s->now, msg, sizeof msg) :
			enc_rstate(cl, &s->v.rs[s->next], s->now, msg, sizeof msg);
		s->next++;
		if (!ctl_client_put(cl, msg, n))
			return; /* the client failed: it is closed with its stream */
		used += n;
	}
	if (s->next == s->n) {
		put_end(cl);
		ctl_stream_free(s);
		cl->stream = NULL;
	}
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
	put_end(cl);
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
	put_end(cl);
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
	put_end(cl);
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
	case CTL_REQ_SHOW_STATE: start_stream(cl, q); break;
	case CTL_REQ_SHOW_TRAFFIC: show_traffic(cl, q); break;
	case CTL_REQ_CLEAR_TRAFFIC: clear_traffic(cl, q); break;
	case CTL_REQ_CLEAR_RTX_STATE: clear_rtx_state(cl, q); break;
	default:
		ctl_reply_error(cl, CTL_E_UNKNOWN_REQUEST, "unknown request type %u", q->type);
		break;
	}
}
