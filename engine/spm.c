/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Source path state, RFC 3208 §7.1. The first copy of an in-sequence SPM
 * records the upstream PGM neighbour (SPM_PATH), the interface it came
 * in on, the window edges, group and source; every copy then leaves with
 * SPM_PATH rewritten to the address of its own outgoing interface, so
 * downstream receivers and elements address their NAKs to us.
 *
 * An out-of-sequence SPM is discarded (SpmBadSqn; the MIB counts "SPM
 * packets discarded due to bad SQN"): its path may be stale, and
 * receivers would ignore it anyway (§6.2). Copies of one SPM carry the
 * same SQN and are not "bad". When we cannot hold state for a session
 * (table full, non-IPv4 path) the SPM passes untouched, so downstream
 * NAKs go past us to the element upstream instead of dying here.
 */
#include "../common/sqn.h"
#include "engine_int.h"

static void record_path(struct ne *ne, struct ne_session *s, const struct ne_pkt_ctx *c)
{
	const struct pgm_pkt *p = c->pkt;
	s->upstream = p->u.spm.path.u.v4;
	s->upstream_ifindex = c->in->ifindex;
	s->group = c->ip->dst;
	s->source = c->ip->src;
	s->dport = p->dport;
	s->spm_sqn = p->u.spm.sqn;
	s->trail = p->u.spm.trail;
	s->lead = p->u.spm.lead;
	ne_session_touch(ne, s);
}

/* First copy: update state; sets ne->copy->had_session / had_state. */
static void spm_first_copy(struct ne *ne, const struct ne_pkt_ctx *c)
{
	const struct pgm_pkt *p = c->pkt;
	ne->copy->had_session = false;
	ne->copy->had_state = true;
	c->in->cnt.InSpms++;
	if (p->u.spm.path.afi != PGM_AFI_IPV4) {
		c->in->cnt.SpmError++;
		return;
	}
	struct ne_session *s = ne_session_find(ne, &p->tsi);
	if (s == NULL) {
		s = ne_session_add(ne, &p->tsi);
		if (s == NULL) {
			c->in->cnt.SpmError++;
			return;
		}
		record_path(ne, s, c);
	} else if (sqn_gt(p->u.spm.sqn, s->spm_sqn)) {
		record_path(ne, s, c);
	} else if (p->u.spm.sqn != s->spm_sqn) {
		c->in->cnt.SpmBadSqn++;
		ne->copy->had_state = false;
	}
	ne->copy->had_session = true;
}

/* Per copy: SPM_PATH := our address on the outgoing interface (§7.1). */
static void rewrite_path(struct ne_pkt_ctx *c)
{
	struct ne_iface *out = c->out;
	if (out == NULL || !out->enabled || out->addr.s_addr == 0)
		return; /* not a PGM interface of ours: stay transparent */
	struct pgm_nla nla;
	pgm_nla_from_in(&nla, out->addr);
	if (!pgm_rewrite_path_nla(c->pgm, c->len, c->pkt, &nla))
		return;
	*c->modified = true;
	out->cnt.OutSpms++;
}

enum ne_verdict ne_proc_spm(struct ne *ne, struct ne_pkt_ctx *c)
{
	if (!c->repeat_copy)
		spm_first_copy(ne, c);
	if (!ne->copy->had_state)
		return NE_DROP;
	if (ne->copy->had_session)
		rewrite_path(c);
	return NE_ACCEPT;
}
