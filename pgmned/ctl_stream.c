/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * show sessions, show state: their size is bounded only by the engine's
 * tables, so the views are copied at request time (one consistent
 * picture) and encoded a budget at a time as the client reads, never
 * far ahead of it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ctl_priv.h"

static uint64_t ms_left(uint64_t until, uint64_t now)
{
	return until > now ? until - now : 0;
}

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

void ctl_stream_start(struct ctl_client *cl, const struct ctl_req *q)
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
		ctl_reply_end(cl);
		ctl_stream_free(s);
		cl->stream = NULL;
	}
}
