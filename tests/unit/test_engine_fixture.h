/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test fixture for the engine: a fake interface table, a fake io that
 * records every packet the engine sends (and parses it back), a fake
 * clock, and builders for the IPv4 PGM packets a router would queue.
 *
 * Topology (slot: ifindex name address):
 *   0: 10 up0 10.0.1.1  towards the source; upstream PGM hop 10.0.1.254
 *   1: 11 dn1 10.0.2.1  receivers
 *   2: 12 dn2 10.0.3.1  receivers
 *   3: 13 off 10.0.4.1  PGM disabled
 * Source 10.0.0.5, group 239.1.1.1, TSI 01:02:03:04:05:06.7000, dport 7500.
 */
#ifndef PGMNE_TEST_ENGINE_FIXTURE_H
#define PGMNE_TEST_ENGINE_FIXTURE_H

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/cksum.h"
#include "common/wire.h"
#include "engine/ne.h"
#include "unit_util.h"

enum { IF_UP = 10, IF_DN1 = 11, IF_DN2 = 12, IF_OFF = 13 };
enum { SLOT_UP = 0, SLOT_DN1 = 1, SLOT_DN2 = 2, SLOT_OFF = 3 };
#define FX_SPORT 7000
#define FX_DPORT 7500
#define FX_MAX_SENT 64
#define FX_PKT_MAX 1600

struct fx_sent {
	uint8_t pgm[FX_PKT_MAX];
	size_t len;
	struct in_addr src, dst;
	int ifindex;
	uint8_t ttl;
	bool ra;
	struct pgm_pkt pkt; /* parsed back, checksum verified */
	enum pgm_err err;
};

struct fx {
	struct ne_ifaces ifs;
	struct ne_config cfg;
	struct ne *ne;
	struct fx_sent sent[FX_MAX_SENT];
	unsigned nsent;
	bool fail_send;
	uint64_t now;
	/* last packet handed to the engine, after the verdict */
	uint8_t ip[FX_PKT_MAX];
	size_t ip_len;
	bool modified;
};

static inline struct in_addr fx_addr(const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	return a;
}

static inline int fx_send(void *ctx, const uint8_t *pgm, size_t len, struct in_addr src,
                          struct in_addr dst, int ifindex, uint8_t ttl, bool ra)
{
	struct fx *f = ctx;
	if (f->fail_send)
		return -1;
	CU_ASSERT_FATAL(f->nsent < FX_MAX_SENT && len <= FX_PKT_MAX);
	struct fx_sent *s = &f->sent[f->nsent++];
	memcpy(s->pgm, pgm, len);
	s->len = len;
	s->src = src;
	s->dst = dst;
	s->ifindex = ifindex;
	s->ttl = ttl;
	s->ra = ra;
	s->err = pgm_parse(s->pgm, len, 0, &s->pkt);
	return 0;
}

static inline void fx_iface(struct fx *f, int ifindex, const char *name, const char *addr,
                            bool enabled)
{
	struct ne_iface *i = ne_iface_get(&f->ifs, ifindex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(i);
	strncpy(i->name, name, sizeof(i->name) - 1);
	i->addr = fx_addr(addr);
	i->up = i->multicast = true;
	i->enabled = enabled;
}

/* Set up with cfg (NULL = defaults). */
static inline void fx_init(struct fx *f, const struct ne_config *cfg)
{
	memset(f, 0, sizeof(*f));
	if (cfg != NULL)
		f->cfg = *cfg;
	else
		ne_config_defaults(&f->cfg);
	fx_iface(f, IF_UP, "up0", "10.0.1.1", true);
	fx_iface(f, IF_DN1, "dn1", "10.0.2.1", true);
	fx_iface(f, IF_DN2, "dn2", "10.0.3.1", true);
	fx_iface(f, IF_OFF, "off", "10.0.4.1", false);
	struct ne_io io = { .ctx = f, .send = fx_send };
	f->now = 1000000;
	f->ne = ne_new(&f->cfg, &f->ifs, &io);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->ne);
}

static inline void fx_fini(struct fx *f)
{
	ne_free(f->ne);
	f->ne = NULL;
}

static inline struct ne_if_counters *fx_cnt(struct fx *f, int ifindex)
{
	return &ne_iface_by_index(&f->ifs, ifindex)->cnt;
}

static inline struct pgm_tsi fx_tsi(void)
{
	struct pgm_tsi t = { {1, 2, 3, 4, 5, 6}, FX_SPORT };
	return t;
}

/* --- packet views --- */

static inline struct pgm_pkt fx_spm(uint32_t sqn, uint32_t trail, uint32_t lead)
{
	struct pgm_pkt p = { .type = PGM_SPM, .sport = FX_SPORT, .dport = FX_DPORT,
	                     .tsi = fx_tsi() };
	p.u.spm.sqn = sqn;
	p.u.spm.trail = trail;
	p.u.spm.lead = lead;
	pgm_nla_from_in(&p.u.spm.path, fx_addr("10.0.1.254"));
	return p;
}

/* NAK-family packet (NAK, NNAK, NCF) for sqn; ports in the direction of type. */
static inline struct pgm_pkt fx_nakish(uint8_t type, uint32_t sqn)
{
	bool up = pgm_type_upstream(type);
	struct pgm_pkt p = { .type = type, .sport = up ? FX_DPORT : FX_SPORT,
	                     .dport = up ? FX_SPORT : FX_DPORT, .tsi = fx_tsi() };
	p.u.nak.sqn = sqn;
	pgm_nla_from_in(&p.u.nak.src, fx_addr("10.0.0.5"));
	pgm_nla_from_in(&p.u.nak.grp, fx_addr("239.1.1.1"));
	return p;
}

static inline void fx_list(struct pgm_pkt *p, unsigned n, const uint32_t *sqns)
{
	p->opt.has |= 1u << PGM_OPT_NAK_LIST;
	p->opt.nak_list.count = n;
	for (unsigned i = 0; i < n; i++)
		p->opt.nak_list.sqn[i] = sqns[i];
}

static inline struct pgm_pkt fx_rdata(uint32_t sqn)
{
	static const uint8_t payload[] = "repair";
	struct pgm_pkt p = { .type = PGM_RDATA, .sport = FX_SPORT, .dport = FX_DPORT,
	                     .tsi = fx_tsi(), .data = payload, .data_len = sizeof(payload) };
	p.u.data.sqn = sqn;
	p.u.data.trail = 0;
	return p;
}

/* --- handing packets to the engine --- */

/* IPv4 packet around raw PGM bytes into f->ip. */
static inline void fx_frame_raw(struct fx *f, const uint8_t *pgm, size_t len,
                                const char *src, const char *dst)
{
	size_t h = pgm_ip_build(f->ip, sizeof(f->ip), fx_addr(src), fx_addr(dst), 64, false, len);
	CU_ASSERT_FATAL(h > 0 && h + len <= sizeof(f->ip));
	memcpy(f->ip + h, pgm, len);
	f->ip_len = h + len;
}

static inline void fx_frame(struct fx *f, const struct pgm_pkt *p, const char *src,
                            const char *dst)
{
	uint8_t pgm[FX_PKT_MAX];
	size_t n = pgm_build(pgm, sizeof(pgm), p);
	CU_ASSERT_FATAL(n > 0);
	fx_frame_raw(f, pgm, n, src, dst);
}

static inline enum ne_verdict fx_run(struct fx *f, enum ne_hook hook, int in, int out)
{
	struct ne_meta m = { .hook = hook, .in_ifindex = in, .out_ifindex = out };
	return ne_handle(f->ne, f->ip, f->ip_len, &m, f->now, &f->modified);
}

/* One FORWARD copy of p (re-framed each time, as the kernel would). */
static inline enum ne_verdict fx_fwd(struct fx *f, const struct pgm_pkt *p, const char *src,
                                     const char *dst, int in, int out)
{
	fx_frame(f, p, src, dst);
	return fx_run(f, NE_HOOK_FORWARD, in, out);
}

/* The source's SPM as it arrives on up0, copy for interface out. */
static inline enum ne_verdict fx_spm_copy(struct fx *f, uint32_t sqn, int out)
{
	struct pgm_pkt p = fx_spm(sqn, 1, 0);
	return fx_fwd(f, &p, "10.0.0.5", "239.1.1.1", IF_UP, out);
}

/* A receiver's unicast NAK to our address on its interface (INPUT). */
static inline enum ne_verdict fx_nak_in(struct fx *f, const struct pgm_pkt *p, int in)
{
	const char *to = in == IF_DN1 ? "10.0.2.1" : in == IF_DN2 ? "10.0.3.1" : "10.0.1.1";
	const char *from = in == IF_DN1 ? "10.0.2.7" : in == IF_DN2 ? "10.0.3.7" : "10.0.1.7";
	fx_frame(f, p, from, to);
	return fx_run(f, NE_HOOK_INPUT, in, 0);
}

static inline enum ne_verdict fx_nak_sqn(struct fx *f, uint32_t sqn, int in)
{
	struct pgm_pkt p = fx_nakish(PGM_NAK, sqn);
	return fx_nak_in(f, &p, in);
}

/* NCF from the upstream element, copy for interface out. */
static inline enum ne_verdict fx_ncf_copy(struct fx *f, uint32_t sqn, int in, int out)
{
	struct pgm_pkt p = fx_nakish(PGM_NCF, sqn);
	return fx_fwd(f, &p, "10.0.0.5", "239.1.1.1", in, out);
}

static inline enum ne_verdict fx_rdata_copy(struct fx *f, uint32_t sqn, int out)
{
	struct pgm_pkt p = fx_rdata(sqn);
	return fx_fwd(f, &p, "10.0.0.5", "239.1.1.1", IF_UP, out);
}

/* Establish the session with one SPM forwarded to dn1 and dn2. */
static inline void fx_session(struct fx *f)
{
	CU_ASSERT_EQUAL(fx_spm_copy(f, 1, IF_DN1), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_spm_copy(f, 1, IF_DN2), NE_ACCEPT);
	CU_ASSERT_EQUAL(ne_session_count(f->ne), 1);
}

static inline void fx_tick(struct fx *f, uint64_t to)
{
	f->now = to;
	ne_tick(f->ne, to);
}

/* --- looking at repair state --- */

struct fx_rs_find { uint32_t sqn; bool found; struct ne_rstate_view v; unsigned n; };

static inline void fx_rs_cb(const struct ne_rstate_view *v, void *arg)
{
	struct fx_rs_find *q = arg;
	q->n++;
	if (v->sqn == q->sqn) {
		q->found = true;
		q->v = *v;
	}
}

/* View of the state for sqn; false when there is none. */
static inline bool fx_rstate(struct fx *f, uint32_t sqn, struct ne_rstate_view *out)
{
	struct fx_rs_find q = { .sqn = sqn };
	ne_foreach_rstate(f->ne, NULL, NULL, fx_rs_cb, &q);
	if (q.found && out != NULL)
		*out = q.v;
	return q.found;
}

struct fx_sess_find { unsigned n; struct ne_session_view v; };

static inline void fx_sess_cb(const struct ne_session_view *v, void *arg)
{
	struct fx_sess_find *q = arg;
	q->n++;
	q->v = *v;
}

#endif
