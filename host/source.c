/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PGM source, RFC 3208 §5. */
#include "host/source.h"

#include <errno.h>
#include <string.h>

#include "common/sqn.h"

void source_cfg_defaults(struct source_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->rate_kbit = 0;
	c->rate_window_ms = 20; /* bursts of ~35 full packets at 20 Mbit/s */
	c->txw_pkts = 4096;
	c->txw_ms = 30000;
	c->max_tsdu = 1400;
	c->ambient_ms = 1000;
	c->ihb_min_ms = 50;
	c->ihb_max_ms = 1000;
	/* Each PGM router on the path lifts the SPM into user space to rewrite
	 * it, while ODATA stays in the kernel: data sent right behind the first
	 * SPM overtakes it, and a receiver that sees a gap before any SPM has
	 * nowhere to NAK (§6.2; OpenPGM then reports the loss as final). */
	c->spm_lead_ms = 100;
}

bool source_init(struct source *s, const struct source_cfg *cfg, struct pgm_out out,
                 uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->out = out;
	if (!txw_init(&s->txw, cfg->txw_pkts, cfg->txw_ms, cfg->max_tsdu, cfg->isn))
		return false;
	rate_init(&s->rate, cfg->rate_kbit, cfg->rate_window_ms, PGM_OUT_MAX, now);
	s->st.start_ms = now;
	s->data_start = now + cfg->spm_lead_ms;
	/* announce the session before any data: receivers may not NAK
	 * before they have seen an SPM (§6.2) */
	s->next_ambient = now;
	s->next_heartbeat = UINT64_MAX;
	s->ihb = cfg->ihb_min_ms;
	return true;
}

void source_free(struct source *s)
{
	txw_free(&s->txw);
}

/* Common header for downstream packets (§8). */
static void downstream_hdr(const struct source *s, struct pgm_pkt *p, uint8_t type)
{
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->sport = s->cfg.sport;
	p->dport = s->cfg.dport;
	memcpy(p->tsi.gsi, s->cfg.gsi, sizeof(p->tsi.gsi));
	p->tsi.sport = s->cfg.sport;
}

static void emit(struct source *s, const struct pgm_pkt *p, struct in_addr dst, bool ra)
{
	size_t len = pgm_build(s->pkt, sizeof(s->pkt), p);
	if (len == 0) {
		s->st.send_errors++;
		s->st.last_send_errno = EINVAL;
	} else if (!s->out.send(s->out.arg, s->pkt, len, dst, ra)) {
		s->st.send_errors++;
		s->st.last_send_errno = errno;
	}
}

/*
 * §9.4: OPT_JOIN_MIN tells a receiver joining now how far back it may ask
 * for repairs: join_pct percent of the current window. At 100 a receiver
 * that missed the session's first packets (and the first SPM) still gets
 * them while they are in the window. Not on an empty window.
 */
static void add_join(const struct source *s, struct pgm_pkt *p)
{
	if (s->cfg.join_pct == 0 || txw_empty(&s->txw))
		return;
	uint64_t back = (uint64_t)txw_count(&s->txw) * s->cfg.join_pct / 100;
	p->opt.has |= 1u << PGM_OPT_JOIN;
	p->opt.join_min = s->txw.lead - (uint32_t)back + 1;
}

/* §8.1 SPM; OPT_FIN once the application has closed (§9.7.2). */
static void send_spm(struct source *s, uint64_t now)
{
	struct pgm_pkt p;
	downstream_hdr(s, &p, PGM_SPM);
	p.u.spm.sqn = s->spm_sqn++;
	p.u.spm.trail = s->txw.trail;
	p.u.spm.lead = s->txw.lead;
	pgm_nla_from_in(&p.u.spm.path, s->cfg.ifaddr);
	if (s->fin)
		p.opt.has |= 1u << PGM_OPT_FIN;
	add_join(s, &p);
	emit(s, &p, s->cfg.group, true); /* §4: SPMs bear Router Alert */
	s->st.spms_sent++;
	/* an SPM is "any packet" for the ambient timer; heartbeats decay (§5.1.5) */
	s->next_ambient = now + s->cfg.ambient_ms;
}

/* Data sent: the heartbeat timer goes back to IHB_MIN (§5.1.5). */
static void reset_heartbeat(struct source *s, uint64_t now)
{
	s->ihb = s->cfg.ihb_min_ms;
	s->next_heartbeat = now + s->ihb;
}

static void data_pkt(const struct source *s, struct pgm_pkt *p, uint8_t type,
                     const struct txw_slot *slot)
{
	downstream_hdr(s, p, type);
	p->u.data.sqn = slot->sqn;
	p->u.data.trail = s->txw.trail;
	p->data = slot->data;
	p->data_len = slot->len;
	if (slot->flags & TXW_F_SYN)
		p->opt.has |= 1u << PGM_OPT_SYN;
	if (slot->flags & TXW_F_FIN)
		p->opt.has |= 1u << PGM_OPT_FIN;
}

uint64_t source_odata_wait(struct source *s, size_t len, uint64_t now)
{
	if (!s->sent_data && now < s->data_start)
		return s->data_start - now;
	if (txw_repair_pending(&s->txw))
		return rate_wait_ms(&s->rate, PGM_OUT_MAX, now) + 1;
	return rate_wait_ms(&s->rate, len + 64, now);
}

uint32_t source_send_odata(struct source *s, const void *data, uint16_t len, bool last,
                           uint64_t now)
{
	uint8_t flags = (s->sent_data ? 0 : TXW_F_SYN) | (last ? TXW_F_FIN : 0);
	uint32_t sqn = txw_add(&s->txw, data, len, flags, now);
	const struct txw_slot *slot = txw_get(&s->txw, sqn);
	struct pgm_pkt p;
	data_pkt(s, &p, PGM_ODATA, slot);
	add_join(s, &p);
	emit(s, &p, s->cfg.group, false); /* ODATA: no Router Alert (§4) */
	rate_consume(&s->rate, pgm_build_len(&p), now);
	s->sent_data = true;
	s->st.data_packets_sent++;
	s->st.data_bytes_sent += slot->len;
	reset_heartbeat(s, now);
	if (last)
		s->fin = true;
	return sqn;
}

void source_finish(struct source *s, uint64_t now)
{
	s->fin = true;
	send_spm(s, now);
	reset_heartbeat(s, now);
}

/* §5.2: NCF multicast to the group at once, echoing the NAK's list. */
static void send_ncf(struct source *s, const struct pgm_pkt *nak)
{
	struct pgm_pkt p;
	downstream_hdr(s, &p, PGM_NCF);
	p.u.nak.sqn = nak->u.nak.sqn;
	pgm_nla_from_in(&p.u.nak.src, s->cfg.ifaddr); /* §8.3: the ODATA source, us */
	pgm_nla_from_in(&p.u.nak.grp, s->cfg.group);
	if (nak->opt.has & (1u << PGM_OPT_NAK_LIST)) {
		p.opt.has |= 1u << PGM_OPT_NAK_LIST;
		p.opt.nak_list = nak->opt.nak_list;
	}
	emit(s, &p, s->cfg.group, true); /* §4: NCFs bear Router Alert */
	s->st.ncfs_sent++;
}

static void queue_repair(struct source *s, uint32_t sqn)
{
	s->st.naks_received++;
	switch (txw_queue_repair(&s->txw, sqn)) {
	case TXW_REPAIR_QUEUED:
		break;
	case TXW_REPAIR_PENDING:
		s->st.naks_pending++;
		break;
	case TXW_REPAIR_TOO_LATE:
		s->st.naks_too_late++;
		break;
	}
}

/*
 * Is this NAK about our session? §8.3: our TSI (ports swapped), our
 * group. NAK_SRC_NLA should be our address, but OpenPGM receivers put the
 * SPM path NLA there, which is the router's once a PGM network element
 * has rewritten it (§7.1); the TSI already names us, so such a NAK is
 * served and counted instead of dropped.
 */
static bool nak_is_ours(struct source *s, const struct pgm_pkt *p)
{
	struct pgm_nla src, grp;
	pgm_nla_from_in(&src, s->cfg.ifaddr);
	pgm_nla_from_in(&grp, s->cfg.group);
	if (memcmp(p->tsi.gsi, s->cfg.gsi, sizeof(p->tsi.gsi)) != 0 ||
	    p->dport != s->cfg.sport || p->sport != s->cfg.dport || !pgm_nla_eq(&p->u.nak.grp, &grp))
		return false;
	if (!pgm_nla_eq(&p->u.nak.src, &src))
		s->st.naks_foreign_src_nla++;
	return true;
}

static void on_nak(struct source *s, const struct pgm_pkt *p)
{
	if (!nak_is_ours(s, p)) {
		s->st.naks_ignored++;
		return;
	}
	send_ncf(s, p);
	queue_repair(s, p->u.nak.sqn);
	if (p->opt.has & (1u << PGM_OPT_NAK_LIST))
		for (unsigned i = 0; i < p->opt.nak_list.count && i < PGM_MAX_NAK_LIST; i++)
			queue_repair(s, p->opt.nak_list.sqn[i]);
}

void source_on_packet(struct source *s, const struct pgm_ip *ip, const struct pgm_pkt *p,
                      uint64_t now)
{
	/* multicast NAKs are other receivers talking to each other (§6.3) */
	if (p->type == PGM_NAK && !IN_MULTICAST(ntohl(ip->dst.s_addr)))
		on_nak(s, p);
	else if (p->type == PGM_SPMR && memcmp(p->tsi.gsi, s->cfg.gsi, 6) == 0 &&
	         p->dport == s->cfg.sport && !IN_MULTICAST(ntohl(ip->dst.s_addr)))
		send_spm(s, now); /* §13.6: a unicast SPMR asks for an SPM */
}

/* §5.3: RDATA for queued repairs, within TXW_MAX_RTE. */
static void send_repairs(struct source *s, uint64_t now)
{
	/* bounded: each pass consumes a queue entry */
	while (txw_repair_pending(&s->txw) && rate_wait_ms(&s->rate, PGM_OUT_MAX, now) == 0) {
		const struct txw_slot *slot = txw_next_repair(&s->txw);
		if (slot == NULL)
			break;
		struct pgm_pkt p;
		data_pkt(s, &p, PGM_RDATA, slot);
		emit(s, &p, s->cfg.group, true); /* §4: RDATA bears Router Alert */
		rate_consume(&s->rate, pgm_build_len(&p), now);
		s->st.repair_packets_sent++;
		s->st.repair_bytes_sent += slot->len;
		reset_heartbeat(s, now);
	}
}

static void send_due_spms(struct source *s, uint64_t now)
{
	if (now >= s->next_heartbeat) {
		send_spm(s, now);
		/* consecutive heartbeats double the interval up to IHB_MAX */
		s->ihb = s->ihb * 2 > s->cfg.ihb_max_ms ? s->cfg.ihb_max_ms : s->ihb * 2;
		s->next_heartbeat = now + s->ihb;
	} else if (now >= s->next_ambient) {
		send_spm(s, now);
	}
}

void source_service(struct source *s, uint64_t now)
{
	txw_advance_time(&s->txw, now);
	send_due_spms(s, now); /* §5.1.3: SPMs before data */
	send_repairs(s, now);
}

uint64_t source_next_event(struct source *s, uint64_t now)
{
	uint64_t t = s->next_ambient < s->next_heartbeat ? s->next_ambient : s->next_heartbeat;
	if (txw_repair_pending(&s->txw)) {
		uint64_t r = now + rate_wait_ms(&s->rate, PGM_OUT_MAX, now);
		if (r < t)
			t = r;
	}
	return t;
}

void source_stats_snapshot(struct source *s, struct source_stats *out, uint64_t now)
{
	*out = s->st;
	out->trail = s->txw.trail;
	out->lead = s->txw.lead;
	out->end_ms = now;
}
