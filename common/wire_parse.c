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

enum pgm_err rd_nla(struct pgm_rd *r, struct pgm_nla *nla)
{
	const uint8_t *p;

	memset(nla, 0, sizeof *nla);
	/* AFI and reserved: one check for both. */
	if (!rd_take(r, 4))
		return PGM_E_TRUNCATED;
	p = r->buf + r->off;
	nla->afi = ld_be16(p);
	r->off += 4;
	/* The lengths of pgm_nla_addr_len(), as constants: two NLAs in every
	 * NAK, NCF and NNAK, and a fixed-size copy is a move, not a call. */
	switch (nla->afi) {
	case PGM_AFI_IPV4:
		rd_bytes(r, &nla->u.v4, 4);
		break;
	case PGM_AFI_IPV6:
		rd_bytes(r, &nla->u.v6, 16);
		break;
	default:
		return PGM_E_BAD_AFI;
	}
	return r->short_read ? PGM_E_TRUNCATED : PGM_OK;
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

/* §8.2 */
static enum pgm_err data_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	p->u.data.sqn = rd_u32(r);
	p->u.data.trail = rd_u32(r);
	return r->short_read ? PGM_E_TRUNCATED : PGM_OK;
}

/* §8.3: NAK, NNAK and NCF share one layout. */
static enum pgm_err nak_parse(struct pgm_rd *r, struct pgm_pkt *p)
{
	enum pgm_err e;

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

typedef enum pgm_err (*type_parser)(struct pgm_rd *r, struct pgm_pkt *p);

static type_parser parser_for(uint8_t type)
{
	switch (type) {
	case PGM_SPM: return spm_parse;
	case PGM_POLL: return poll_parse;
	case PGM_POLR: return polr_parse;
	case PGM_ODATA:
	case PGM_RDATA: return data_parse;
	case PGM_NAK:
	case PGM_NNAK:
	case PGM_NCF: return nak_parse;
	case PGM_SPMR: return spmr_parse;
	default: return NULL;
	}
}

static bool is_data(uint8_t type)
{
	return type == PGM_ODATA || type == PGM_RDATA;
}

/* §8 common header: one length check, then fixed offsets. */
static enum pgm_err common_parse(struct pgm_rd *r, struct pgm_pkt *p, type_parser *parse)
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
	*parse = parser_for(type);
	if (*parse == NULL)
		return PGM_E_BAD_TYPE;
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
	if (!is_data(p->type))
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
		return is_data(p->type) ? PGM_E_BAD_CHECKSUM : PGM_OK;
	return pgm_cksum_ok(buf, len) ? PGM_OK : PGM_E_BAD_CHECKSUM;
}

/* Byte range [from, to) of struct pgm_pkt, zeroed. */
#define ZERO_PKT_RANGE(p, from, to) memset((uint8_t *)(p) + (from), 0, (to) - (from))
#define PKT_END_OF(m) (offsetof(struct pgm_pkt, m) + sizeof(((struct pgm_pkt *)0)->m))

/*
 * The whole view zeroed except two arrays that are valid only up to their
 * counts, opt.nak_list.sqn[count] and opt.invalidate_off[invalidate_count]:
 * 280 of the 528 bytes, cleared for every packet while few carry a NAK
 * list. Every reader of those arrays stops at its count (ne/nak.c,
 * host/source.c, host/receiver.c, the option builder, wire_edit.c; the
 * tests' and fuzz harness's view comparisons clear the unused slots), and
 * the counts are zeroed here, as are all padding bytes.
 */
static void pkt_clear(struct pgm_pkt *p)
{
	ZERO_PKT_RANGE(p, 0, offsetof(struct pgm_pkt, opt.nak_list.sqn));
	ZERO_PKT_RANGE(p, PKT_END_OF(opt.nak_list.sqn), offsetof(struct pgm_pkt, opt.invalidate_off));
	ZERO_PKT_RANGE(p, PKT_END_OF(opt.invalidate_off), sizeof *p);
}

enum pgm_err pgm_parse(const uint8_t *buf, size_t len, unsigned flags, struct pgm_pkt *out)
{
	struct pgm_rd r;
	type_parser parse;
	enum pgm_err e;

	pkt_clear(out);
	if (buf == NULL)
		return PGM_E_TRUNCATED;
	rd_init(&r, buf, len, 0);
	e = common_parse(&r, out, &parse);
	if (e == PGM_OK)
		e = parse(&r, out);
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
