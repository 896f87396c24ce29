/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared fixtures for the wire codec tests: one sample view per packet
 * type, every option filled in, an independent reference checksum, and
 * a view comparison.
 */
#ifndef PGMNE_TEST_WIRE_FIXTURES_H
#define PGMNE_TEST_WIRE_FIXTURES_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/cksum.h"
#include "common/wire.h"

static const uint8_t fx_types[] = {
	PGM_SPM, PGM_POLL, PGM_POLR, PGM_ODATA, PGM_RDATA,
	PGM_NAK, PGM_NNAK, PGM_NCF, PGM_SPMR,
};
#define FX_NTYPES (sizeof fx_types / sizeof fx_types[0])

static const uint8_t fx_payload[] = "hello, PGM";

static inline struct pgm_nla fx_v4(const char *s)
{
	struct pgm_nla n;
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	pgm_nla_from_in(&n, a);
	return n;
}

static inline struct pgm_nla fx_v6(const char *s)
{
	struct pgm_nla n;
	struct in6_addr a;
	inet_pton(AF_INET6, s, &a);
	pgm_nla_from_in6(&n, &a);
	return n;
}

/* A plausible packet of `type`; `v6` picks IPv6 NLAs. */
static inline void fx_pkt(struct pgm_pkt *p, uint8_t type, bool v6)
{
	struct pgm_nla a = v6 ? fx_v6("2001:db8::1") : fx_v4("10.0.1.1");
	struct pgm_nla g = v6 ? fx_v6("ff0e::1234") : fx_v4("239.192.0.1");
	static const uint8_t gsi[6] = { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };

	memset(p, 0, sizeof *p);
	p->type = type;
	p->sport = 0x1234;
	p->dport = 7500;
	memcpy(p->tsi.gsi, gsi, 6);
	switch (type) {
	case PGM_SPM:
		p->u.spm.sqn = 100; p->u.spm.trail = 5; p->u.spm.lead = 0xFFFFFFF0u;
		p->u.spm.path = a;
		break;
	case PGM_POLL:
		p->u.poll.sqn = 7; p->u.poll.round = 2; p->u.poll.s_type = 1;
		p->u.poll.path = a; p->u.poll.bo_ivl = 100000;
		p->u.poll.rand = 0xdeadbeef; p->u.poll.mask = 0xff;
		break;
	case PGM_POLR:
		p->u.polr.sqn = 7; p->u.polr.round = 2;
		break;
	case PGM_ODATA:
	case PGM_RDATA:
		p->u.data.sqn = 0x80000001u; p->u.data.trail = 0x7FFFFFFFu;
		p->data = fx_payload; p->data_len = sizeof fx_payload - 1;
		break;
	case PGM_NAK:
	case PGM_NNAK:
	case PGM_NCF:
		p->u.nak.sqn = 42; p->u.nak.src = a; p->u.nak.grp = g;
		break;
	default:
		break;
	}
	/* What pgm_parse() derives, so a parsed copy compares equal. */
	p->tsi.sport = pgm_type_upstream(type) ? p->dport : p->sport;
	p->tsdu_len = (uint16_t)p->data_len;
}

/* Fill every option's fields and set its `has` bit. */
static inline void fx_opt_fill(struct pgm_opts *o, uint8_t type, bool v6)
{
	unsigned i;

	o->has |= 1u << type;
	switch (type) {
	case PGM_OPT_FRAGMENT:
		o->fragment.first_sqn = 11; o->fragment.offset = 1400; o->fragment.length = 5000;
		break;
	case PGM_OPT_NAK_LIST:
		o->nak_list.count = 3;
		for (i = 0; i < 3; i++)
			o->nak_list.sqn[i] = 43 + i;
		break;
	case PGM_OPT_JOIN: o->join_min = 99; break;
	case PGM_OPT_NAK_BO_IVL: o->nak_bo_ivl.ivl = 50000; o->nak_bo_ivl.ivl_sqn = 3; break;
	case PGM_OPT_NAK_BO_RNG: o->nak_bo_rng.min = 1000; o->nak_bo_rng.max = 90000; break;
	case PGM_OPT_REDIRECT: o->redirect = v6 ? fx_v6("2001:db8::99") : fx_v4("10.9.9.9"); break;
	case PGM_OPT_PARITY_PRM: o->parity_prm.flags = PGM_PARITY_PRM_OND; o->parity_prm.tgs = 8; break;
	case PGM_OPT_PARITY_GRP: o->parity_grp = 2; break;
	case PGM_OPT_CURR_TGSIZE: o->curr_tgsize = 6; break;
	case PGM_OPT_PATH_NLA: o->path_nla = v6 ? fx_v6("2001:db8::7") : fx_v4("10.7.7.7"); break;
	case PGM_OPT_RST: o->rst_flags = PGM_RST_N | 5; break;
	case PGM_OPT_CR:
		o->cr.flags = PGM_CR_NEL | PGM_CR_RXP; o->cr.lead = 77;
		o->cr.ne_wl = 1; o->cr.ne_wp = 2; o->cr.rx_wp = 3;
		o->cr.rcvr = v6 ? fx_v6("2001:db8::5") : fx_v4("10.5.5.5");
		break;
	case PGM_OPT_CRQST: o->crqst_flags = PGM_CR_NEP; break;
	default: /* NBR_UNREACH, SYN, FIN: presence only */
		break;
	}
}

static const uint8_t fx_opt_types[] = {
	PGM_OPT_FRAGMENT, PGM_OPT_NAK_LIST, PGM_OPT_JOIN, PGM_OPT_NAK_BO_IVL,
	PGM_OPT_NAK_BO_RNG, PGM_OPT_REDIRECT, PGM_OPT_PARITY_PRM, PGM_OPT_PARITY_GRP,
	PGM_OPT_CURR_TGSIZE, PGM_OPT_NBR_UNREACH, PGM_OPT_PATH_NLA, PGM_OPT_SYN,
	PGM_OPT_FIN, PGM_OPT_RST, PGM_OPT_CR, PGM_OPT_CRQST,
};
#define FX_NOPTS (sizeof fx_opt_types / sizeof fx_opt_types[0])

/* RFC 1071 written out the obvious way, independent of common/cksum.c. */
static inline uint16_t fx_ref_cksum(const uint8_t *b, size_t len)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		sum += (uint32_t)b[i] << 8 | (i + 1 < len ? b[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	sum = ~sum & 0xFFFF;
	return sum == 0 ? 0xFFFF : (uint16_t)sum;
}

/* Store the reference checksum big-endian at offset 6 (field must be 0). */
static inline void fx_set_cksum(uint8_t *b, size_t len)
{
	uint16_t c = fx_ref_cksum(b, len);
	b[6] = (uint8_t)(c >> 8);
	b[7] = (uint8_t)c;
}

/* Options without the chain bookkeeping (count, offsets, unknowns). */
static inline void fx_opts_semantic(const struct pgm_opts *in, struct pgm_opts *out)
{
	memcpy(out, in, sizeof *out);
	out->has &= ~(1u << PGM_OPT_LENGTH);
	out->count = out->unknown = out->invalidate_count = 0;
	out->total_len = 0;
	memset(out->invalidate_off, 0, sizeof out->invalidate_off);
	if (out->nak_list.count < PGM_MAX_NAK_LIST)
		memset(out->nak_list.sqn + out->nak_list.count, 0,
		       (PGM_MAX_NAK_LIST - out->nak_list.count) * sizeof(uint32_t));
}

/* Do two views carry the same packet? (derived bookkeeping ignored) */
static inline bool fx_same(const struct pgm_pkt *a, const struct pgm_pkt *b)
{
	struct pgm_opts oa, ob;

	fx_opts_semantic(&a->opt, &oa);
	fx_opts_semantic(&b->opt, &ob);
	return a->type == b->type && a->sport == b->sport && a->dport == b->dport &&
	       pgm_tsi_eq(&a->tsi, &b->tsi) && a->tsdu_len == b->tsdu_len &&
	       memcmp(&a->u, &b->u, sizeof a->u) == 0 &&
	       memcmp(&oa, &ob, sizeof oa) == 0 &&
	       a->data_len == b->data_len &&
	       (a->data_len == 0 || memcmp(a->data, b->data, a->data_len) == 0);
}

#endif
