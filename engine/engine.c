/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Engine entry points: construction, the per-packet dispatch and the
 * timer tick. The procedures themselves are in spm.c, nak.c, nnak.c,
 * ncf_in.c, rdata.c and passthrough.c (RFC 3208 §7); docs/walk-of-a-nak.md
 * follows one NAK through them.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

static uint32_t clamp_timer(uint32_t ms)
{
	if (ms == 0)
		return 1;
	return ms > NE_MAX_TIMER_MS ? NE_MAX_TIMER_MS : ms;
}

static uint32_t clamp_entries(uint32_t n)
{
	if (n == 0)
		return 1;
	return n > NE_MAX_ENTRIES ? NE_MAX_ENTRIES : n;
}

/* Bring a caller's configuration into the ranges the tables rely on. */
static void sanitize_config(struct ne_config *c)
{
	c->nak_rpt_ivl_ms = clamp_timer(c->nak_rpt_ivl_ms);
	c->nak_rpt_rte_ms = clamp_timer(c->nak_rpt_rte_ms);
	c->nak_rdata_ivl_ms = clamp_timer(c->nak_rdata_ivl_ms);
	c->nak_elim_ivl_ms = clamp_timer(c->nak_elim_ivl_ms);
	/* §7.4: NAK_ELIM_IVL is a fraction of NAK_RDATA_IVL. */
	if (c->nak_elim_ivl_ms > c->nak_rdata_ivl_ms)
		c->nak_elim_ivl_ms = c->nak_rdata_ivl_ms;
	c->max_sessions = clamp_entries(c->max_sessions);
	c->max_rstates = clamp_entries(c->max_rstates);
	if (c->max_rstates_per_session == 0 || c->max_rstates_per_session > c->max_rstates)
		c->max_rstates_per_session = c->max_rstates;
	c->rcache_ms = clamp_timer(c->rcache_ms);
	if (c->ncf_ttl == 0)
		c->ncf_ttl = 1;
	if (c->nak_ttl == 0)
		c->nak_ttl = 1;
}

struct ne *ne_new(const struct ne_config *cfg, struct ne_ifaces *ifaces, const struct ne_io *io)
{
	struct ne *ne = calloc(1, sizeof(*ne));
	if (ne == NULL)
		return NULL;
	ne->copy = &ne->copies[0];
	ne->cfg = *cfg;
	sanitize_config(&ne->cfg);
	ne->ifaces = ifaces;
	ne->io = *io;
	if (!ne_sessions_init(ne) || !ne_rstates_init(ne) || !ne_ncf_limit_init(ne)) {
		ne_free(ne);
		return NULL;
	}
	if (ne->cfg.rcache_bytes > 0) {
		ne->rcache = rcache_new(ne->cfg.rcache_bytes, ne->cfg.rcache_ms);
		if (ne->rcache == NULL) {
			ne_free(ne);
			return NULL;
		}
	}
	return ne;
}

void ne_free(struct ne *ne)
{
	if (ne == NULL)
		return;
	ne_sessions_free(ne);
	ne_rstates_free(ne);
	ne_ncf_limit_free(ne);
	rcache_free(ne->rcache);
	free(ne);
}

/* The clock never goes back, whatever a caller passes. */
static void advance_clock(struct ne *ne, uint64_t now_ms)
{
	if (now_ms > ne->now)
		ne->now = now_ms;
}

void ne_tick(struct ne *ne, uint64_t now_ms)
{
	advance_clock(ne, now_ms);
	ne_rstates_tick(ne);
	ne_sessions_tick(ne);
	ne_ncf_limit_tick(ne);
	if (ne->rcache != NULL)
		rcache_expire(ne->rcache, ne->now);
	ne->ticked = ne->now;
}

/*
 * Timers before each packet, so state is never used past its deadline.
 * Within one millisecond nothing new falls due (every timer is >= 1 ms
 * long), so a burst of packets pays for one run only.
 */
static void tick_if_new_ms(struct ne *ne, uint64_t now_ms)
{
	advance_clock(ne, now_ms);
	if (ne->now != ne->ticked || ne->ticked == 0)
		ne_tick(ne, ne->now);
}

uint64_t ne_next_deadline(const struct ne *ne)
{
	uint64_t a = ne_rstates_deadline(ne), b = ne_sessions_deadline(ne);
	uint64_t c = ne_ncf_limit_deadline(ne);
	uint64_t d = ne->rcache != NULL ? rcache_deadline(ne->rcache, ne->now) : UINT64_MAX;
	a = a < b ? a : b;
	c = c < d ? c : d;
	return a < c ? a : c;
}

/* Downstream types are acted on per copy in FORWARD; upstream NAK-like
 * types when addressed to us (INPUT). Everything else passes. */
static enum ne_verdict dispatch(struct ne *ne, struct ne_pkt_ctx *c)
{
	bool fwd = c->meta->hook == NE_HOOK_FORWARD;
	switch (c->pkt->type) {
	case PGM_SPM:
		return fwd ? ne_proc_spm(ne, c) : NE_ACCEPT;
	case PGM_NCF:
		return fwd ? ne_proc_ncf(ne, c) : NE_ACCEPT;
	case PGM_RDATA:
		return fwd ? ne_proc_rdata(ne, c) : NE_ACCEPT;
	case PGM_NAK:
		return fwd ? ne_proc_passthrough(c) : ne_proc_nak(ne, c);
	case PGM_NNAK:
		return fwd ? ne_proc_passthrough(c) : ne_proc_nnak(ne, c);
	default: /* ODATA, SPMR, POLL, POLR */
		return ne_proc_passthrough(c);
	}
}

static void count_malformed(struct ne *ne, struct ne_iface *in, enum pgm_err err)
{
	ne->malformed[err]++;
	/* An OPX "discard" option is policy, not a malformed packet (§9). */
	if (err != PGM_E_OPT_DISCARD)
		in->cnt.Malformed++;
}

static struct ne_iface *arrival_iface(struct ne *ne, int ifindex)
{
	struct ne_iface *in = ne_iface_by_index(ne->ifaces, ifindex);
	if (in == NULL)
		ne->health.UnknownInterface++;
	return in;
}

/*
 * Option extensibility (§9): an option this element does not know is
 * handled as its OPX bits say. "Ignore" needs nothing; "discard the
 * packet" is reported by pgm_parse() as PGM_E_OPT_DISCARD and dropped
 * (count_malformed); "invalidate" is done here, before the packet is
 * forwarded, by turning the option's type into OPT_INVALID.
 */
static void invalidate_options(struct ne_pkt_ctx *c)
{
	pgm_invalidate_options(c->pgm, c->len, c->pkt);
	*c->modified = true;
}

/* Parse the PGM part and run the procedure for it. */
static enum ne_verdict handle_pgm(struct ne *ne, uint8_t *ip, const struct pgm_ip *iph,
                                  const struct ne_meta *m, struct ne_iface *in, bool *modified)
{
	struct pgm_pkt pkt;
	uint8_t *pgm = ip + iph->hdr_len;
	size_t plen = iph->total_len - iph->hdr_len;
	enum pgm_err err = pgm_parse(pgm, plen, 0, &pkt);
	if (err != PGM_OK) {
		count_malformed(ne, in, err);
		return NE_DROP;
	}
	struct ne_pkt_ctx c = {
		.pgm = pgm, .len = plen, .ip = iph, .pkt = &pkt, .meta = m, .in = in,
		.modified = modified,
	};
	if (m->hook == NE_HOOK_FORWARD) {
		c.out = ne_iface_by_index(ne->ifaces, m->out_ifindex);
		c.repeat_copy = ne_copy_repeat(ne, &pkt, m, c.out);
	}
	if (pkt.opt.invalidate_count != 0) /* rare: checked here, not in a call */
		invalidate_options(&c);
	return dispatch(ne, &c);
}

static uint32_t raw_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * NAK, NNAK, NCF and RDATA look up repair state by (TSI, SQN), and with a
 * million states that index slot is a cache miss. Its address comes from
 * the packet's raw bytes, so it can be loaded before anything else and
 * arrive while the packet is checked and parsed. Nothing here is trusted
 * or kept: a malformed packet at worst prefetches a useless line (the
 * slot number is always inside the table). NULL when the packet names no
 * (TSI, SQN).
 */
static const uint64_t *raw_rstate_slot(const struct ne *ne, const uint8_t *ip, size_t len)
{
	if (len == 0)
		return NULL;
	size_t ihl = (size_t)(ip[0] & 0x0F) * 4;
	if (len < ihl + PGM_HDR_LEN + 4)
		return NULL;
	const uint8_t *p = ip + ihl; /* §8 common header, then the SQN */
	uint8_t type = p[4];
	if (type != PGM_NAK && type != PGM_NNAK && type != PGM_NCF && type != PGM_RDATA)
		return NULL;
	struct pgm_tsi tsi;
	memcpy(tsi.gsi, p + 8, sizeof(tsi.gsi));
	const uint8_t *port = p + (pgm_type_upstream(type) ? 2 : 0);
	tsi.sport = (uint16_t)(port[0] << 8 | port[1]);
	return ne_rs_slot_of(ne, ne_tsi_key(&tsi), raw_u32(p + PGM_HDR_LEN));
}

/* The prefetch itself stays in the body of its callers: GCC 12 takes a
 * function holding only a prefetch for one without effect and drops the
 * calls to it within the file. */
void ne_prefetch(const struct ne *ne, const uint8_t *ip, size_t len)
{
	const uint64_t *slot = raw_rstate_slot(ne, ip, len);
	if (slot != NULL)
		__builtin_prefetch(slot);
}

enum ne_verdict ne_handle(struct ne *ne, uint8_t *ip, size_t len, const struct ne_meta *m,
                          uint64_t now_ms, bool *modified)
{
	const uint64_t *slot = raw_rstate_slot(ne, ip, len);
	if (slot != NULL)
		__builtin_prefetch(slot); /* first: the parse runs while it loads */
	*modified = false;
	tick_if_new_ms(ne, now_ms);

	struct pgm_ip iph;
	enum pgm_err err = pgm_ip_parse(ip, len, &iph);
	if (err != PGM_OK || iph.proto != PGM_IPPROTO || iph.total_len < iph.hdr_len) {
		/* Not ours to judge: never break forwarding. */
		ne->health.NotPgm++;
		return NE_ACCEPT;
	}
	struct ne_iface *in = arrival_iface(ne, m->in_ifindex);
	if (in == NULL || !in->enabled)
		return NE_ACCEPT;
	enum ne_verdict v = handle_pgm(ne, ip, &iph, m, in, modified);
	if (v == NE_ACCEPT && *modified)
		ne->health.PacketsModified++;
	return v;
}

/* The cache counts for itself; health takes what is new since the last
 * look, so clearing the health counters clears these too. */
static void sync_rcache_health(struct ne *ne)
{
	struct rcache_stats st;
	if (ne->rcache == NULL)
		return;
	rcache_stats(ne->rcache, &st);
	ne->health.RcacheEvictions += st.evicted - ne->rcache_seen.evicted;
	ne->health.RcacheExpired += st.expired - ne->rcache_seen.expired;
	ne->health.RcacheTooBig += st.too_big - ne->rcache_seen.too_big;
	ne->rcache_seen = st;
}

struct ne_health_counters *ne_health(struct ne *ne)
{
	sync_rcache_health(ne);
	return &ne->health;
}

void ne_rcache_usage(const struct ne *ne, uint64_t *bytes, uint64_t *entries)
{
	struct rcache_stats st = { 0 };
	if (ne->rcache != NULL)
		rcache_stats(ne->rcache, &st);
	*bytes = st.bytes_held;
	*entries = st.entries;
}
const uint64_t *ne_malformed(const struct ne *ne) { return ne->malformed; }
size_t ne_session_count(const struct ne *ne) { return ne->sess_live; }
size_t ne_rstate_count(const struct ne *ne) { return ne->rs_used; }
const struct ne_config *ne_get_config(const struct ne *ne) { return &ne->cfg; }

void ne_clear_counters(struct ne *ne, int ifindex)
{
	for (unsigned i = 0; i < NE_MAX_IFACES; i++) {
		struct ne_iface *f = &ne->ifaces->v[i];
		if (f->ifindex != 0 && (ifindex == 0 || f->ifindex == ifindex))
			memset(&f->cnt, 0, sizeof(f->cnt));
	}
	memset(&ne->health, 0, sizeof(ne->health));
	if (ifindex == 0)
		memset(ne->malformed, 0, sizeof(ne->malformed));
}
