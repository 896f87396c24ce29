/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NCFs from upstream, RFC 3208 §7.3, §7.5, §9.3.3. An NCF on the
 * interface towards the upstream neighbour confirms pending state (stop
 * retrying, wait NAK_RDATA_IVL for RDATA, eliminate duplicates for
 * NAK_ELIM_IVL), restarts those timers on state that exists, or creates
 * anticipated state without interfaces. An NCF from anywhere else is
 * discarded without state (§7.5). NCFs stop at the first PGM hop: no
 * copy is forwarded to our PGM interfaces, we send our own there in
 * answer to NAKs (nak.c, ncf_out.c). Copies to interfaces where PGM is
 * off pass: receivers there NAK past us and need the upstream element's
 * NCF.
 */
#include "engine_int.h"

struct ncf_tally { bool confirmed, anticipated, failed; };

static void confirm_sqn(struct ne *ne, struct ne_session *s, uint32_t sqn,
                        struct ncf_tally *t)
{
	struct ne_rstate *r = ne_rstate_find(ne, ne_session_index(ne, s), sqn);
	if (r == NULL) {
		r = ne_rstate_add(ne, s, sqn, RS_ANTICIPATED);
		if (r == NULL)
			t->failed = true;
		else
			t->anticipated = true;
		return;
	}
	switch (r->phase) {
	case RS_PENDING:
		t->confirmed = true;
		ne_rstate_enter(ne, r, RS_CONFIRMED);
		break;
	case RS_NULL:
		ne_rstate_enter(ne, r, RS_ANTICIPATED);
		break;
	default: /* §7.5: restart NAK_RDATA_IVL and NAK_ELIM_IVL */
		ne_rstate_enter(ne, r, (enum ne_rs_phase)r->phase);
		break;
	}
}

static void confirm_sqns(struct ne *ne, struct ne_session *s, const struct ne_pkt_ctx *c)
{
	uint32_t sqns[PGM_MAX_NAK_LIST + 1];
	unsigned n = ne_pkt_sqns(c->pkt, sqns, PGM_MAX_NAK_LIST + 1);
	struct ncf_tally t = { false, false, false };
	for (unsigned i = 0; i < n; i++)
		confirm_sqn(ne, s, sqns[i], &t);
	if (t.confirmed)
		c->in->cnt.NcfReceived++;
	if (t.anticipated)
		c->in->cnt.NcfAnticipated++;
	if (t.failed)
		c->in->cnt.NcfError++;
}

/* First copy: the NCF's effect on state. */
static void ncf_first_copy(struct ne *ne, const struct ne_pkt_ctx *c)
{
	c->in->cnt.InNcfs++;
	struct ne_session *s = ne_session_find(ne, &c->pkt->tsi);
	if (s == NULL) {
		c->in->cnt.InNcfNoSessionErrors++;
		return;
	}
	if (c->in->ifindex != s->upstream_ifindex) {
		c->in->cnt.NcfError++;
		return;
	}
	/* Parity NCFs confirm transmission groups, not kept yet (§11.6). */
	if (!(c->pkt->opt_flags & PGM_OPT_PARITY))
		confirm_sqns(ne, s, c);
}

enum ne_verdict ne_proc_ncf(struct ne *ne, struct ne_pkt_ctx *c)
{
	if (!c->repeat_copy)
		ncf_first_copy(ne, c);
	if (c->out == NULL || !c->out->enabled)
		return NE_ACCEPT;
	return NE_DROP;
}
