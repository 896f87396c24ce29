/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Constrained RDATA forwarding, RFC 3208 §7.8. Each FORWARD copy of an
 * RDATA packet leaves only if its outgoing interface asked for the
 * repair; that interface is then served (taken out of the set) and the
 * state goes once no interface is left, or when RDATA meets state that
 * never had interfaces (anticipated, NNAK): the repair has passed (§7.3).
 * Without state the repair is discarded (§7.8 SHOULD).
 *
 * Copies to interfaces where PGM is off pass untouched: receivers there
 * NAK past us, so we hold no state for them. Parity RDATA (§11.6) passes
 * unconstrained until transmission-group state exists.
 */
#include "engine_int.h"

/*
 * Per-packet work on the first copy (one multicast packet reaches us as
 * one queued copy per outgoing interface, first_copy.c):
 * counters, and the session, remembered for the later copies. A session
 * slot cannot be reused between copies (that takes an SPM, which starts
 * a new packet), so its index stays valid.
 */
static struct ne_rstate *rdata_first_copy(struct ne *ne, const struct ne_pkt_ctx *c)
{
	const struct pgm_pkt *p = c->pkt;
	c->in->cnt.InRdata++;
	ne->copy->session = NE_NIL;
	ne->copy->had_state = false;
	if (p->opt_flags & PGM_OPT_PARITY) {
		c->in->cnt.InParityRdata++;
		return NULL;
	}
	struct ne_session *s = ne_session_find(ne, &p->tsi);
	if (s == NULL) {
		c->in->cnt.InRdataNoSessionErrors++;
		return NULL;
	}
	ne->copy->session = ne_session_index(ne, s);
	struct ne_rstate *r = ne_rstate_find(ne, ne->copy->session, p->u.data.sqn);
	ne->copy->had_state = r != NULL;
	if (!ne->copy->had_state)
		c->in->cnt.RdataEliminatedSqn++;
	return r;
}

/* The repair cache (rcache.h) keeps what went out, for later askers. */
static void keep_repair(struct ne *ne, const struct ne_pkt_ctx *c)
{
	if (ne->rcache != NULL)
		rcache_put(ne->rcache, ne->now, &c->pkt->tsi, c->pkt->u.data.sqn, c->pgm, c->len,
		           c->ip, ne_iface_slot(ne->ifaces, c->out));
}

enum ne_verdict ne_proc_rdata(struct ne *ne, struct ne_pkt_ctx *c)
{
	/* The first copy's lookup serves that copy too; later copies look
	 * again (an earlier copy may have ended the state). */
	struct ne_rstate *first = c->repeat_copy ? NULL : rdata_first_copy(ne, c);
	if (c->pkt->opt_flags & PGM_OPT_PARITY)
		return NE_ACCEPT;
	if (c->out == NULL || !c->out->enabled)
		return NE_ACCEPT;
	if (!ne->copy->had_state)
		return NE_DROP; /* counted once, on the first copy */
	struct ne_rstate *r = first != NULL ? first
	                    : ne_rstate_find(ne, ne->copy->session, c->pkt->u.data.sqn);
	uint64_t bit = ne_slot_bit(ne_iface_slot(ne->ifaces, c->out));
	if (r != NULL && (r->ifaces & bit)) {
		r->ifaces &= ~bit;
		c->out->cnt.OutRdata++;
		keep_repair(ne, c);
		if (r->ifaces == 0)
			ne_rstate_del(ne, r);
		return NE_ACCEPT;
	}
	c->in->cnt.RdataEliminatedOIF++;
	if (r != NULL && r->ifaces == 0)
		ne_rstate_del(ne, r);
	return NE_DROP;
}
