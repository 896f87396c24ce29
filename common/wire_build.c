/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgm_build(): the exact wire bytes for a view — common header (§8),
 * type-specific header, options (§9), payload, checksum.
 */
#include <string.h>

#include "cksum.h"
#include "wire_priv.h"

size_t nla_wire_len(const struct pgm_nla *nla)
{
	size_t n = pgm_nla_addr_len(nla->afi);
	return n ? 4 + n : 0;
}

void wr_nla(struct pgm_wr *w, const struct pgm_nla *nla)
{
	wr_u16(w, nla->afi);
	wr_u16(w, 0); /* reserved */
	wr_bytes(w, &nla->u, pgm_nla_addr_len(nla->afi));
}

/* Type-specific header size; false for an unknown type or unencodable NLA. */
static bool type_hdr_len(const struct pgm_pkt *p, size_t *len)
{
	size_t a, b;

	switch (p->type) {
	case PGM_SPM:
		a = nla_wire_len(&p->u.spm.path);
		*len = 12 + a;
		return a != 0;
	case PGM_POLL:
		a = nla_wire_len(&p->u.poll.path);
		*len = 8 + a + 12;
		return a != 0;
	case PGM_POLR:
	case PGM_ODATA:
	case PGM_RDATA:
		*len = 8;
		return true;
	case PGM_NAK:
	case PGM_NNAK:
	case PGM_NCF:
		a = nla_wire_len(&p->u.nak.src);
		b = nla_wire_len(&p->u.nak.grp);
		*len = 4 + a + b;
		return a != 0 && b != 0;
	case PGM_SPMR:
		*len = 0; /* §13.6: the common header alone */
		return true;
	default:
		return false;
	}
}

size_t pgm_build_len(const struct pgm_pkt *p)
{
	size_t th, opts = pgm_opts_len(&p->opt), data = 0, total;

	if (!type_hdr_len(p, &th) || opts == SIZE_MAX)
		return 0;
	if (pgm_type_data(p->type)) {
		if (p->data_len > UINT16_MAX || (p->data_len > 0 && p->data == NULL))
			return 0;
		data = p->data_len;
	}
	total = PGM_HDR_LEN + th + opts + data;
	return total <= UINT16_MAX ? total : 0;
}

static void type_build(struct pgm_wr *w, const struct pgm_pkt *p)
{
	switch (p->type) {
	case PGM_SPM: /* §8.1 */
		wr_u32(w, p->u.spm.sqn);
		wr_u32(w, p->u.spm.trail);
		wr_u32(w, p->u.spm.lead);
		wr_nla(w, &p->u.spm.path);
		break;
	case PGM_POLL: /* §14.7.1 */
		wr_u32(w, p->u.poll.sqn);
		wr_u16(w, p->u.poll.round);
		wr_u16(w, p->u.poll.s_type);
		wr_nla(w, &p->u.poll.path);
		wr_u32(w, p->u.poll.bo_ivl);
		wr_u32(w, p->u.poll.rand);
		wr_u32(w, p->u.poll.mask);
		break;
	case PGM_POLR: /* §14.7.2 */
		wr_u32(w, p->u.polr.sqn);
		wr_u16(w, p->u.polr.round);
		wr_u16(w, 0);
		break;
	case PGM_ODATA: /* §8.2 */
	case PGM_RDATA:
		wr_u32(w, p->u.data.sqn);
		wr_u32(w, p->u.data.trail);
		break;
	case PGM_NAK: /* §8.3 */
	case PGM_NNAK:
	case PGM_NCF:
		wr_u32(w, p->u.nak.sqn);
		wr_nla(w, &p->u.nak.src);
		wr_nla(w, &p->u.nak.grp);
		break;
	default: /* SPMR (§13.6): nothing beyond the common header */
		break;
	}
}

/* §8 options byte: PRESENT iff a chain follows, NETSIG only then. */
static uint8_t options_byte(const struct pgm_pkt *p)
{
	uint8_t b = p->opt_flags & (uint8_t)~(PGM_OPT_PRESENT | PGM_OPT_NETSIG);

	if (pgm_opts_len(&p->opt) == 0)
		return b;
	b |= PGM_OPT_PRESENT;
	if ((p->opt_flags & PGM_OPT_NETSIG) || pgm_opts_netsig(&p->opt))
		b |= PGM_OPT_NETSIG;
	return b;
}

size_t pgm_build(uint8_t *buf, size_t cap, const struct pgm_pkt *p)
{
	size_t len = pgm_build_len(p);
	struct pgm_wr w = { buf, cap, 0, false };
	uint16_t sum;

	if (len == 0 || buf == NULL || len > cap)
		return 0;
	wr_u16(&w, p->sport);
	wr_u16(&w, p->dport);
	wr_u8(&w, p->type);
	wr_u8(&w, options_byte(p));
	wr_u16(&w, 0); /* checksum, filled in below */
	wr_bytes(&w, p->tsi.gsi, sizeof p->tsi.gsi);
	wr_u16(&w, pgm_type_data(p->type) ? (uint16_t)p->data_len : 0);
	type_build(&w, p);
	pgm_opts_build(&w, &p->opt);
	if (pgm_type_data(p->type))
		wr_bytes(&w, p->data, p->data_len);
	if (w.overflow || w.off != len)
		return 0;
	sum = pgm_cksum(buf, len);
	memcpy(buf + PGM_CKSUM_OFF, &sum, sizeof sum);
	return len;
}
