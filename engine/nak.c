/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NAKs addressed to us, RFC 3208 §7.2-§7.4, §7.7, §9.3.3, in the order
 * the procedure runs:
 *
 *  1. Each SQN it names (NAK_SQN and an OPT_NAK_LIST) gets repair state
 *     with the arrival interface added (§7.2, §7.8), before the NCF: the
 *     rate limiter keeps an SQN's first interval in that state.
 *  2. The NCF (§7.2) goes on the interface the NAK came in on, an echo
 *     of the NAK (ncf_out.c), at once unless the NCF rate limiter
 *     (ncf_limit.c) holds it back: then it is owed and goes, coalesced,
 *     when the limiter's interval ends. This file asks the limiter,
 *     sends, and tells it what went out; with limiting off it only sends.
 *  3. The NAK goes upstream (upstream.c) only if some SQN is not being
 *     eliminated (§7.4, §9.3.3): new, or outstanding for longer than
 *     NAK_ELIM_IVL, or known only from an NNAK; it then names those
 *     SQNs only. The packet itself is consumed: what goes upstream is a
 *     new IP packet (§7.7). Retries until an NCF are the repair-state
 *     timer's (repair.c).
 * With the repair cache on (rcache.h), step 1 first asks it: an SQN
 * whose RDATA went by recently, but not out of this interface, is
 * repaired from the cache right after the NCF, on this interface alone,
 * and never goes upstream (§9.5.2.1: this element answers as an
 * upstream DLR for what it carried). Its repair state is then
 * anticipated state (§7.5), so that the NAKs of other receivers on this
 * interface, in flight while the repair goes out, are eliminated.
 */
#include <arpa/inet.h>

#include "../common/sqn.h"
#include "engine_int.h"

/* Every SQN behind the source's trailing edge: it can no longer repair. */
static bool nak_out_of_window(const uint32_t *sqns, unsigned n, const struct ne_session *s)
{
	if (s->trail == 0 && s->lead == 0x80000000u) /* §8.1: no window info */
		return false;
	for (unsigned i = 0; i < n; i++)
		if (!sqn_lt(sqns[i], s->trail))
			return false;
	return true;
}

/* The SQNs a NAK names, as the procedure sorts them. */
struct nak_sqns {
	struct ne_fwd up;                                /* to go upstream */
	struct ne_rstate *rs[PGM_MAX_NAK_LIST + 1];      /* state per SQN named */
	struct rcache_hit cached[PGM_MAX_NAK_LIST + 1];  /* repairs from the cache */
	unsigned n_cached;
};

/* The repair for sqn from the cache, when it has one this interface has
 * not had: its repair state becomes anticipated state if it had none,
 * and state that was waiting starts its elimination window again (an
 * earlier late asker's may have run out), so the other NAKs from this
 * interface already on their way are eliminated, not sent upstream. */
static bool from_cache(struct ne *ne, struct ne_session *s, uint32_t sqn, struct ne_iface *in,
                       unsigned slot, struct nak_sqns *q, struct ne_rstate **rp)
{
	if (ne->rcache == NULL)
		return false;
	if (!rcache_take(ne->rcache, ne->now, &s->tsi, sqn, slot, &q->cached[q->n_cached])) {
		in->cnt.NakCacheMisses++;
		return false;
	}
	q->n_cached++;
	struct ne_rstate *r = ne_rstate_find(ne, ne_session_index(ne, s), sqn);
	if (r == NULL)
		r = ne_rstate_add(ne, s, sqn, RS_ANTICIPATED);
	else if (r->phase == RS_ANTICIPATED || r->phase == RS_CONFIRMED)
		ne_rstate_enter(ne, r, (enum ne_rs_phase)r->phase); /* timers restart, as on an NCF (§7.5) */
	*rp = r;
	return true;
}

/* Repair state for one SQN (*rp, NULL if none could be made); true if
 * this SQN needs the NAK upstream. */
static bool track_sqn(struct ne *ne, struct ne_session *s, uint32_t sqn,
                      struct ne_iface *in, bool *unique, struct nak_sqns *q,
                      struct ne_rstate **rp)
{
	unsigned slot = ne_iface_slot(ne->ifaces, in);
	if (from_cache(ne, s, sqn, in, slot, q, rp))
		return false;
	struct ne_rstate *r = ne_rstate_find(ne, ne_session_index(ne, s), sqn);
	*rp = r;
	if (r == NULL) {
		*unique = true;
		r = *rp = ne_rstate_add(ne, s, sqn, RS_PENDING);
		if (r == NULL) {
			in->cnt.NakError++; /* still worth forwarding */
			return true;
		}
		ne_rstate_add_iface(ne, r, slot);
		return true;
	}
	ne_rstate_add_iface(ne, r, slot);
	if (ne_rstate_eliminating(ne, r)) {
		if (r->phase == RS_ANTICIPATED)
			r->phase = RS_CONFIRMED; /* same timers, now with an interface */
		return false;
	}
	/* §7.4: first duplicate after NAK_ELIM_IVL goes upstream, pending again */
	ne_rstate_enter(ne, r, RS_PENDING);
	return true;
}

/* Repair state for every SQN named (q->rs[i] for sqns[i]); q->up gets
 * those that go upstream, q->cached the repairs the cache has. */
static void track_sqns(struct ne *ne, struct ne_session *s, const struct ne_pkt_ctx *c,
                       const uint32_t *sqns, unsigned n, struct nak_sqns *q)
{
	bool unique = false;
	struct ne_fwd *f = &q->up;
	f->total = n;
	f->n = 0;
	q->n_cached = 0;
	for (unsigned i = 0; i < f->total; i++)
		if (track_sqn(ne, s, sqns[i], c->in, &unique, q, &q->rs[i]))
			f->sqn[f->n++] = sqns[i];
	if (unique)
		c->in->cnt.UniqueNaks++;
}

/* The cached repairs, after the NCF, on the NAK's interface only, as the
 * source sent them (its address, the group, its Router Alert). */
static void send_cached(struct ne *ne, const struct ne_pkt_ctx *c, const struct nak_sqns *q)
{
	for (unsigned i = 0; i < q->n_cached; i++) {
		const struct rcache_hit *h = &q->cached[i];
		if (ne_io_send(ne, h->pgm, h->len, h->src, h->dst, c->in->ifindex, h->ttl,
		               h->router_alert)) {
			c->in->cnt.OutRdata++; /* MIB: every RDATA sent out of it */
			c->in->cnt.RdataFromCache++;
		}
	}
}

/*
 * §7.2: the NCF for this NAK, now, or owed until the limiter's interval
 * ends. rs[i] is the repair state of sqns[i], NULL if none was made.
 */
static void answer_nak(struct ne *ne, const struct ne_pkt_ctx *c, const struct ne_session *s,
                       const uint32_t *sqns, struct ne_rstate *const *rs, unsigned n)
{
	if (!ne_ncf_limit_on(ne)) {
		ne_send_ncf(ne, c, s);
		return;
	}
	struct ne_ncf_check k;
	if (!ne_ncf_limit_may_send(ne, c, sqns, rs, n, &k) && ne_ncf_limit_owe(ne, &k)) {
		c->in->cnt.NcfSuppressed++;
		return;
	}
	if (ne_send_ncf(ne, c, s))
		ne_ncf_limit_sent(ne, &k);
	/* else nothing went out and no interval begins: the next NAK tries again */
}

static void forward_upstream(struct ne *ne, const struct ne_session *s,
                             const struct ne_pkt_ctx *c, const struct ne_fwd *f)
{
	if (!ne_forward_nak(ne, s, c, f))
		c->in->cnt.NakError++;
}

/*
 * Parity NAKs (§11.3.1) name a transmission group, not an SQN; their
 * state (§11.6) is not kept yet, so they are confirmed and forwarded
 * without elimination, and parity RDATA passes unconstrained.
 */
static enum ne_verdict parity_nak(struct ne *ne, struct ne_session *s, struct ne_pkt_ctx *c)
{
	struct ne_fwd all;
	all.total = all.n = ne_pkt_sqns(c->pkt, all.sqn, PGM_MAX_NAK_LIST + 1);
	c->in->cnt.InParityNaks++;
	ne_send_ncf(ne, c, s);
	forward_upstream(ne, s, c, &all);
	return NE_DROP;
}

static bool is_multicast(struct in_addr a)
{
	return IN_MULTICAST(ntohl(a.s_addr));
}

enum ne_verdict ne_proc_nak(struct ne *ne, struct ne_pkt_ctx *c)
{
	c->in->cnt.InNaks++;
	if (is_multicast(c->ip->dst))
		return NE_ACCEPT; /* §7.2 answers unicast NAKs only */
	enum ne_verdict v;
	struct ne_session *s = ne_session_for_nak(ne, c, &c->in->cnt.InNakNoSessionErrors, &v);
	if (s == NULL)
		return v;
	if (c->pkt->opt_flags & PGM_OPT_PARITY)
		return parity_nak(ne, s, c);
	uint32_t sqns[PGM_MAX_NAK_LIST + 1];
	unsigned n = ne_pkt_sqns(c->pkt, sqns, PGM_MAX_NAK_LIST + 1);
	if (nak_out_of_window(sqns, n, s)) {
		c->in->cnt.InNakSeqErrors++;
		return NE_DROP;
	}
	/* State first: the NCF limiter keeps its first interval in it. */
	struct nak_sqns q;
	track_sqns(ne, s, c, sqns, n, &q);
	answer_nak(ne, c, s, sqns, q.rs, n);
	send_cached(ne, c, &q);
	if (q.up.n > 0)
		forward_upstream(ne, s, c, &q.up);
	else if (q.n_cached == 0)
		c->in->cnt.NakEliminated++;
	return NE_DROP;
}
