/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Null NAKs, RFC 3208 §9.5.3.2: a DLR that repaired data tells the
 * source. An NNAK is forwarded upstream only if no repair state exists
 * for its SQNs; it is never confirmed nor retried and adds no interface.
 * State it creates lives NAK_ELIM_IVL and is marked, so a later real NAK
 * is not eliminated but forwarded to provoke an actual repair.
 */
#include <arpa/inet.h>

#include "engine_int.h"

/* Null-NAK state for one SQN; true if it was new (forward the NNAK). */
static bool track_null(struct ne *ne, struct ne_session *s, uint32_t sqn)
{
	if (ne_rstate_find(ne, ne_session_index(ne, s), sqn) != NULL)
		return false;
	ne_rstate_add(ne, s, sqn, RS_NULL); /* if full: still forward */
	return true;
}

enum ne_verdict ne_proc_nnak(struct ne *ne, struct ne_pkt_ctx *c)
{
	c->in->cnt.InNnaks++;
	if (IN_MULTICAST(ntohl(c->ip->dst.s_addr)))
		return NE_ACCEPT;
	enum ne_verdict v;
	struct ne_session *s = ne_session_for_nak(ne, c, &c->in->cnt.InNnakNoSessionErrors, &v);
	if (s == NULL)
		return v;
	uint32_t sqns[PGM_MAX_NAK_LIST + 1];
	struct ne_fwd f = { .n = 0 };
	f.total = ne_pkt_sqns(c->pkt, sqns, PGM_MAX_NAK_LIST + 1);
	for (unsigned i = 0; i < f.total; i++)
		if (track_null(ne, s, sqns[i]))
			f.sqn[f.n++] = sqns[i];
	if (f.n == 0)
		c->in->cnt.NNakEliminated++;
	else if (!ne_forward_nak(ne, s, c, &f))
		c->in->cnt.NakError++;
	return NE_DROP;
}
