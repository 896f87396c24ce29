/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PGM receiver, RFC 3208 §6. */
#include "host/receiver.h"

#include <errno.h>
#include <string.h>

#include "common/sqn.h"

#define OPT(p, o) (((p)->opt.has & (1u << (o))) != 0)

void receiver_cfg_defaults(struct receiver_cfg *c)
{
	static const struct nak_params nak = NAK_PARAMS_DEFAULT;
	memset(c, 0, sizeof(*c));
	c->nak = nak;
	c->rxw_pkts = 4096;
	c->max_tsdu = 1500;
	c->seed = 0x9e3779b9u;
}

bool receiver_init(struct receiver *r, const struct receiver_cfg *cfg, struct pgm_out out,
                   struct receiver_sink sink)
{
	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->out = out;
	r->sink = sink;
	r->next_nak = UINT64_MAX;
	r->rng = cfg->seed ? cfg->seed : 1;
	return rxw_init(&r->rxw, cfg->rxw_pkts, cfg->max_tsdu);
}

void receiver_free(struct receiver *r)
{
	rxw_free(&r->rxw);
}

static uint32_t next_rand(struct receiver *r)
{
	uint32_t x = r->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return r->rng = x;
}

static void note_deadline(struct receiver *r, const struct nak_entry *e)
{
	if (nak_active(e) && e->deadline < r->next_nak)
		r->next_nak = e->deadline;
}

/*
 * New missing SQNs: NAK generation starts with a random back-off (§6.3).
 * SQNs found missing together share one draw, so their NAKs leave
 * together as one NAK with OPT_NAK_LIST (§9.3).
 */
static void start_naks(struct receiver *r, const struct rxw_gap *gap, uint64_t now)
{
	uint32_t rnd = next_rand(r);
	for (uint32_t i = 0; i < gap->count; i++) {
		struct rxw_slot *s = rxw_slot(&r->rxw, gap->first + i);
		if (s == NULL || s->state != RXW_MISSING)
			continue;
		nak_start(&s->nak, &r->cfg.nak, now, rnd);
		note_deadline(r, &s->nak);
	}
}

static void deliver_one(void *arg, uint32_t sqn, const uint8_t *data, uint16_t len,
                        uint8_t flags)
{
	struct receiver *r = arg;
	if (data == NULL) {
		r->st.losses++;
		r->sink.lost(r->sink.arg, sqn);
		return;
	}
	r->st.packets_delivered++;
	r->st.bytes_delivered += len;
	if (len > 0)
		r->sink.data(r->sink.arg, data, len);
	if (flags & RXW_F_FIN) {
		r->fin = true;
		r->fin_lead = sqn;
	}
}

static void deliver(struct receiver *r)
{
	rxw_deliver(&r->rxw, deliver_one, r);
}

/* Where the window starts for a late joiner (§6.1 RXW_TRAIL_INIT, §9.4.2). */
static uint32_t join_point(const struct receiver *r, const struct pgm_pkt *p, uint32_t dflt)
{
	if (!OPT(p, PGM_OPT_JOIN) || !sqn_lt(p->opt.join_min, dflt))
		return dflt;
	if (sqn_diff(dflt, p->opt.join_min) >= (int32_t)r->rxw.cap)
		return dflt - r->rxw.cap + 1;
	return p->opt.join_min;
}

/* The source's window edges from an SPM or a data packet. */
static void source_edges(struct receiver *r, uint32_t trail, const uint32_t *lead, uint64_t now)
{
	rxw_source_trail(&r->rxw, trail);
	if (lead != NULL) {
		struct rxw_gap gap;
		rxw_extend(&r->rxw, *lead, &gap);
		start_naks(r, &gap, now);
	}
}

static void on_spm(struct receiver *r, const struct pgm_pkt *p, uint64_t now)
{
	r->st.spms_received++;
	if (p->u.spm.path.afi != PGM_AFI_IPV4) {
		r->st.malformed++;
		return;
	}
	if (r->have_spm && !sqn_gt(p->u.spm.sqn, r->spm_sqn))
		return; /* out of sequence (§6.2) */
	r->have_spm = true;
	r->spm_sqn = p->u.spm.sqn;
	r->upstream = p->u.spm.path.u.v4;
	if (!r->rxw.defined)
		rxw_define(&r->rxw, join_point(r, p, p->u.spm.lead + 1));
	source_edges(r, p->u.spm.trail, &p->u.spm.lead, now);
	if (OPT(p, PGM_OPT_FIN)) {
		/* §9.7: SPM_LEAD of a FIN SPM is the last data of the session */
		r->fin = true;
		r->fin_lead = p->u.spm.lead;
	}
	deliver(r);
}

static void count_add(struct receiver *r, enum rxw_add res)
{
	switch (res) {
	case RXW_ADDED:
	case RXW_REPAIRED:
		break;
	case RXW_DUPLICATE:
	case RXW_BEHIND:
		r->st.duplicates++;
		break;
	case RXW_AHEAD:
		r->st.out_of_window++;
		break;
	}
}

static void on_data(struct receiver *r, const struct pgm_pkt *p, uint64_t now)
{
	if (p->type == PGM_ODATA)
		r->st.odata_received++;
	else
		r->st.rdata_received++;
	if (p->data_len > r->cfg.max_tsdu) {
		r->st.malformed++;
		return;
	}
	if (!r->rxw.defined)
		rxw_define(&r->rxw, join_point(r, p, p->u.data.sqn));
	uint8_t flags = (OPT(p, PGM_OPT_SYN) ? RXW_F_SYN : 0) | (OPT(p, PGM_OPT_FIN) ? RXW_F_FIN : 0);
	struct rxw_gap gap;
	count_add(r, rxw_add(&r->rxw, p->u.data.sqn, p->data, (uint16_t)p->data_len, flags, &gap));
	start_naks(r, &gap, now);
	source_edges(r, p->u.data.trail, NULL, now);
	deliver(r);
}

/* Apply fn to the slot of every SQN an NCF or NAK names (NAK_SQN + OPT_NAK_LIST). */
static void for_each_named(struct receiver *r, const struct pgm_pkt *p,
                           void (*fn)(struct nak_entry *, const struct nak_params *, uint64_t),
                           uint64_t now)
{
	unsigned n = OPT(p, PGM_OPT_NAK_LIST) ? p->opt.nak_list.count : 0;
	if (n > PGM_MAX_NAK_LIST)
		n = PGM_MAX_NAK_LIST;
	for (unsigned i = 0; i <= n; i++) {
		uint32_t sqn = i == 0 ? p->u.nak.sqn : p->opt.nak_list.sqn[i - 1];
		/* §6.3: NCFs/NAKs for data outside the window or already held are discarded */
		struct rxw_slot *s = rxw_slot(&r->rxw, sqn);
		if (s != NULL && s->state == RXW_MISSING)
			fn(&s->nak, &r->cfg.nak, now);
	}
}

static bool same_session(const struct receiver *r, const struct pgm_pkt *p)
{
	return r->have_tsi && pgm_tsi_eq(&r->tsi, &p->tsi);
}

static void on_upstream(struct receiver *r, const struct pgm_ip *ip, const struct pgm_pkt *p,
                        uint64_t now)
{
	/* a multicast NAK from another receiver suppresses ours (§6.3) */
	if (p->type != PGM_NAK || !IN_MULTICAST(ntohl(ip->dst.s_addr)) ||
	    p->sport != r->cfg.dport || !same_session(r, p))
		return;
	r->st.naks_suppressed++;
	for_each_named(r, p, nak_on_nak, now);
}

void receiver_on_packet(struct receiver *r, const struct pgm_ip *ip, const struct pgm_pkt *p,
                        uint64_t now)
{
	if (pgm_type_upstream(p->type)) {
		on_upstream(r, ip, p, now);
		return;
	}
	if (p->dport != r->cfg.dport) {
		r->st.other_sessions++;
		return;
	}
	/* a session heard first through its closing SPMs ended before we
	 * joined: wait for a live one rather than "receive" an empty stream */
	bool locks = p->type == PGM_ODATA || p->type == PGM_RDATA ||
	             (p->type == PGM_SPM && !OPT(p, PGM_OPT_FIN));
	if (!r->have_tsi && locks) {
		r->have_tsi = true;
		r->tsi = p->tsi;
		r->source = ip->src;
	}
	if (!same_session(r, p)) {
		r->st.other_sessions++;
		return;
	}
	switch (p->type) {
	case PGM_SPM:
		on_spm(r, p, now);
		break;
	case PGM_ODATA:
	case PGM_RDATA:
		on_data(r, p, now);
		break;
	case PGM_NCF:
		r->st.ncfs_received++;
		for_each_named(r, p, nak_on_ncf, now);
		break;
	default:
		break; /* POLL etc.: not implemented by this host */
	}
}

/* One NAK (§8.3) for up to 1 + 62 SQNs (§9.3), unicast upstream (§6.3). */
static void send_nak(struct receiver *r, const uint32_t *sqn, unsigned n)
{
	struct pgm_pkt p;
	memset(&p, 0, sizeof(p));
	p.type = PGM_NAK;
	p.sport = r->cfg.dport;   /* ports swapped upstream */
	p.dport = r->tsi.sport;
	p.tsi = r->tsi;
	p.u.nak.sqn = sqn[0];
	pgm_nla_from_in(&p.u.nak.src, r->source);
	pgm_nla_from_in(&p.u.nak.grp, r->cfg.group);
	if (n > 1) {
		p.opt.has |= 1u << PGM_OPT_NAK_LIST;
		p.opt.nak_list.count = n - 1;
		memcpy(p.opt.nak_list.sqn, sqn + 1, (n - 1) * sizeof(*sqn));
	}
	size_t len = pgm_build(r->pkt, sizeof(r->pkt), &p);
	if (len == 0 || !r->out.send(r->out.arg, r->pkt, len, r->upstream, false)) {
		r->st.last_send_errno = len == 0 ? EINVAL : errno;
		r->st.send_errors++;
		return;
	}
	r->st.naks_sent += n;
	r->st.nak_packets_sent++;
}

void receiver_service(struct receiver *r, uint64_t now)
{
	if (now < r->next_nak || !r->rxw.defined)
		return;
	uint32_t batch[1 + PGM_MAX_NAK_LIST];
	unsigned n = 0;
	r->next_nak = UINT64_MAX;
	/* oldest first (§6.3 "in order from oldest to most recent") */
	for (uint32_t sqn = r->rxw.trail; sqn_le(sqn, r->rxw.lead); sqn++) {
		struct rxw_slot *s = rxw_slot(&r->rxw, sqn);
		if (s == NULL || s->state != RXW_MISSING)
			continue;
		enum nak_verdict v = nak_expire(&s->nak, &r->cfg.nak, now, next_rand(r), r->have_spm);
		if (v == NAK_V_LOST)
			rxw_mark_lost(&r->rxw, sqn);
		if (v == NAK_V_SEND) {
			batch[n++] = sqn;
			if (n == 1 + PGM_MAX_NAK_LIST) {
				send_nak(r, batch, n);
				n = 0;
			}
		}
		note_deadline(r, &s->nak);
	}
	if (n > 0)
		send_nak(r, batch, n);
	deliver(r);
}

uint64_t receiver_next_event(const struct receiver *r)
{
	return r->next_nak;
}

bool receiver_done(const struct receiver *r)
{
	return r->fin && r->rxw.defined && sqn_gt(r->rxw.trail, r->fin_lead);
}

void receiver_stats_snapshot(const struct receiver *r, struct recv_stats *out)
{
	*out = r->st;
	out->trail = r->rxw.trail;
	out->lead = r->rxw.lead;
	out->naks_outstanding = 0;
	if (!r->rxw.defined)
		return;
	for (uint32_t sqn = r->rxw.trail; sqn_le(sqn, r->rxw.lead); sqn++) {
		const struct rxw_slot *s = rxw_slot(&r->rxw, sqn);
		if (s != NULL && s->state == RXW_MISSING && nak_active(&s->nak))
			out->naks_outstanding++;
	}
}
