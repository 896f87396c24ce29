/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgm_parse(): common header (§8), type-specific headers (§8.1-8.3,
 * §13.6, §14.7), options (§9), payload and checksum. Structure is
 * checked before the checksum so a short packet is counted as truncated.
 */
#include <stddef.h>
#include <string.h>

#include "cksum.h"
#include "wire_priv.h"

#define PGM_TYPE_VERSION_BITS 0xF0 /* version (2) + reserved (2), §8 */

/*
 * The NLA's address into a view that pkt_clear() has zeroed (every NLA
 * the parser reads is in one: the type headers' and the options'), so an
 * IPv4 address leaves the rest of the union zero without a memset here.
 * One length check for AFI and reserved, one for the address; the
 * lengths of pgm_nla_addr_len() as constants, so a copy is a move.
 */
enum pgm_err rd_nla(struct pgm_rd *r, struct pgm_nla *nla)
{
	const uint8_t *p;
	size_t left = rd_left(r);

	if (r->short_read || left < 4)
		return PGM_E_TRUNCATED;
	p = r->buf + r->off;
	nla->afi = ld_be16(p);
	switch (nla->afi) {
	case PGM_AFI_IPV4:
		if (left < 4 + 4)
			return PGM_E_TRUNCATED;
		memcpy(&nla->u.v4, p + 4, 4);
		r->off += 4 + 4;
		return PGM_OK;
	case PGM_AFI_IPV6:
		if (left < 4 + 16)
			return PGM_E_TRUNCATED;
		memcpy(&nla->u.v6, p + 4, 16);
		r->off += 4 + 16;
		return PGM_OK;
	default:
		return PGM_E_BAD_AFI;
	}
}

/* §8.1 */
static enum pgm_err spm_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	p->u.spm.sqn = rd_u32(r);
	p->u.spm.trail = rd_u32(r);
	p->u.spm.lead = rd_u32(r);
	p->nla_off = (uint16_t)(r->off + 4);
	return rd_nla(r, &p->u.spm.path);
}

/* §14.7.1 */
static enum pgm_err poll_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	enum pgm_err e;

	p->u.poll.sqn = rd_u32(r);
	p->u.poll.round = rd_u16(r);
	p->u.poll.s_type = rd_u16(r);
	p->nla_off = (uint16_t)(r->off + 4);
	e = rd_nla(r, &p->u.poll.path);
	if (e != PGM_OK)
		return e;
	p->u.poll.bo_ivl = rd_u32(r);
	p->u.poll.rand = rd_u32(r);
	p->u.poll.mask = rd_u32(r);
	return r->short_read ? PGM_E_TRUNCATED : PGM_OK;
}

/* §14.7.2 */
static enum pgm_err polr_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	p->u.polr.sqn = rd_u32(r);
	p->u.polr.round = rd_u16(r);
	rd_skip(r, 2);
	return r->short_read ? PGM_E_TRUNCATED : PGM_OK;
}

/* §8.2: SQN and trail, one length check. */
static enum pgm_err data_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	const uint8_t *h = r->buf + r->off;

	if (rd_left(r) < 8)
		return PGM_E_TRUNCATED;
	p->u.data.sqn = ld_be32(h);
	p->u.data.trail = ld_be32(h + 4);
	r->off += 8;
	return PGM_OK;
}

#define NAK_V4_LEN (4 + 2 * (4 + 4)) /* SQN, two IPv4 NLAs */

/* §8.3: NAK, NNAK and NCF share one layout. Two IPv4 NLAs, what an IPv4
 * element sees, are read after one length check; other AFIs the long way. */
static enum pgm_err nak_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	const uint8_t *h = r->buf + r->off;
	enum pgm_err e;

	if (rd_left(r) >= NAK_V4_LEN && ld_be16(h + 4) == PGM_AFI_IPV4 &&
	    ld_be16(h + 12) == PGM_AFI_IPV4) {
		p->u.nak.sqn = ld_be32(h);
		p->u.nak.src.afi = PGM_AFI_IPV4;
		memcpy(&p->u.nak.src.u.v4, h + 8, 4);
		p->u.nak.grp.afi = PGM_AFI_IPV4;
		memcpy(&p->u.nak.grp.u.v4, h + 16, 4);
		r->off += NAK_V4_LEN;
		return PGM_OK;
	}
	p->u.nak.sqn = rd_u32(r);
	e = rd_nla(r, &p->u.nak.src);
	if (e != PGM_OK)
		return e;
	return rd_nla(r, &p->u.nak.grp);
}

/* §13.6: the SPMR is the common header alone. */
static enum pgm_err spmr_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	(void)r;
	(void)p;
	return PGM_OK;
}

/* The type-specific header (a switch, not a table of pointers, so the
 * parsers are inlined into pgm_parse()). */
static enum pgm_err type_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	switch (p->type) {
	case PGM_SPM: return spm_parse(r, p);
	case PGM_POLL: return poll_parse(r, p);
	case PGM_POLR: return polr_parse(r, p);
	case PGM_ODATA:
	case PGM_RDATA: return data_parse(r, p);
	case PGM_NAK:
	case PGM_NNAK:
	case PGM_NCF: return nak_parse(r, p);
	case PGM_SPMR: return spmr_parse(r, p);
	default: return PGM_E_BAD_TYPE;
	}
}

/* §8 common header: one length check, then fixed offsets. The type is
 * checked by type_parse(). */
static enum pgm_err common_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	const uint8_t *h = r->buf + r->off;
	uint8_t type;

	if (rd_left(r) < PGM_HDR_LEN)
		return PGM_E_TRUNCATED;
	p->sport = ld_be16(h);
	p->dport = ld_be16(h + 2);
	type = h[4];
	p->opt_flags = h[5];
	p->checksum = ld_be16(h + 6);
	memcpy(p->tsi.gsi, h + 8, sizeof p->tsi.gsi);
	p->tsdu_len = ld_be16(h + 14);
	r->off += PGM_HDR_LEN;
	if (type & PGM_TYPE_VERSION_BITS)
		return PGM_E_BAD_VERSION;
	p->type = type;
	/* §8.3: upstream packets carry the data-source port as DPORT. */
	p->tsi.sport = pgm_type_upstream(type) ? p->dport : p->sport;
	return PGM_OK;
}

/* Options byte and chain, §8 and §9. */
static enum pgm_err options_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	if (!(p->opt_flags & PGM_OPT_PRESENT)) {
		/* Network-significant without any option makes no sense. */
		return (p->opt_flags & PGM_OPT_NETSIG) ? PGM_E_OPT_UNEXPECTED : PGM_OK;
	}
	return pgm_opts_parse(r, &p->opt);
}

/* What follows the options: the TSDU for data, nothing otherwise (§8). */
static enum pgm_err payload_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	if (!pgm_type_data(p->type))
		return p->tsdu_len == 0 && rd_left(r) == 0 ? PGM_OK : PGM_E_TSDU_LENGTH;
	if (rd_left(r) != p->tsdu_len)
		return PGM_E_TSDU_LENGTH;
	p->data = r->buf + r->off;
	p->data_len = p->tsdu_len;
	return PGM_OK;
}

/* §8: non-zero must verify; data packets must carry one. */
static enum pgm_err checksum_check(const uint8_t *buf, size_t len, const struct pgm_pkt *p)
{
	if (p->checksum == 0)
		return pgm_type_data(p->type) ? PGM_E_BAD_CHECKSUM : PGM_OK;
	return pgm_cksum_ok(buf, len) ? PGM_OK : PGM_E_BAD_CHECKSUM;
}

/*
 * Constant-size zeroing in pieces of at most 64 bytes: GCC writes such a
 * memset as a few vector stores, a larger one as `rep stos` (one
 * instruction per 8 bytes, and a slow start), and does not merge the
 * pieces back. 15 stores for the 248 bytes below instead of ~46
 * instructions, per packet.
 */
static inline void zero_bytes(uint8_t *p, size_t n)
{
	for (; n > 64; p += 64, n -= 64)
		memset(p, 0, 64);
	memset(p, 0, n);
}

/* Byte range [from, to) of struct pgm_pkt, zeroed. */
#define ZERO_PKT_RANGE(p, from, to) zero_bytes((uint8_t *)(p) + (from), (to) - (from))
#define PKT_END_OF(m) (offsetof(struct pgm_pkt, m) + sizeof(((struct pgm_pkt *)0)->m))

static void pkt_clear(struct pgm_pkt *p)
{
	ZERO_PKT_RANGE(p, 0, offsetof(struct pgm_pkt, opt.nak_list.sqn));
	ZERO_PKT_RANGE(p, PKT_END_OF(opt.nak_list.sqn), offsetof(struct pgm_pkt, opt.invalidate_off));
	ZERO_PKT_RANGE(p, PKT_END_OF(opt.invalidate_off), sizeof *p);
}

enum pgm_err pgm_parse(const uint8_t *buf, size_t len, unsigned flags, struct pgm_pkt *out)
{
	struct pgm_rd r;
	enum pgm_err e;

	pkt_clear(out);
	if (buf == NULL)
		return PGM_E_TRUNCATED;
	rd_init(&r, buf, len, 0);
	e = common_parse(&r, out);
	if (e == PGM_OK)
		e = type_parse(&r, out);
	if (e != PGM_OK)
		return e;
	out->hdr_len = r.off;
	e = options_parse(&r, out);
	if (e == PGM_OK)
		e = payload_parse(&r, out);
	if (e == PGM_OK && !(flags & PGM_PARSE_NO_CSUM))
		e = checksum_check(buf, len, out);
	return e;
}
