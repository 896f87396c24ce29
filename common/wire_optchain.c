/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The option chain, RFC 3208 §9: OPT_LENGTH first, TLVs, END bit on the
 * last, at most 16 options; OPX tells what to do with unknown ones.
 */
#include <stdint.h>

#include "wire_priv.h"

#define OPT_HDR_LEN 4   /* type, length, F/OPX/U, option-specific */
#define OPT_MAX_LEN 255 /* one-byte length field */

/* An option past the chain's limit: past the packet, or past OPT_LENGTH's total. */
static enum pgm_err past_limit(size_t limit, size_t pkt_len)
{
	return limit == pkt_len ? PGM_E_OPT_OVERRUN : PGM_E_OPT_LENGTH_LIES;
}

/* §9: an option we do not know; its OPX bits decide. */
static enum pgm_err unknown_option(uint8_t type, uint8_t opx_byte, size_t off,
                                   struct pgm_opts *o)
{
	o->unknown++;
	switch (opx_byte & PGM_OPX_MASK) {
	case PGM_OPX_IGNORE:
		return PGM_OK;
	case PGM_OPX_INVALIDATE:
		/* Already OPT_INVALID needs no second rewrite. */
		if (type != PGM_OPT_INVALID && o->invalidate_count < PGM_MAX_OPTIONS)
			o->invalidate_off[o->invalidate_count++] = (uint16_t)off;
		return PGM_OK;
	default: /* discard, and the reserved value 11 */
		return PGM_E_OPT_DISCARD;
	}
}

/* One option of `olen` bytes at `off` (bounds already checked). */
static enum pgm_err one_option(const uint8_t *buf, size_t off, uint8_t olen,
                               struct pgm_opts *o)
{
	uint8_t type = buf[off] & PGM_OPT_TYPE_MASK;
	const struct pgm_opt_codec *c = pgm_opt_codec(type);
	struct pgm_rd body;
	enum pgm_err e;

	if (type == PGM_OPT_LENGTH)
		return PGM_E_OPT_DUPLICATE; /* only the first option may be OPT_LENGTH */
	if (c == NULL)
		return unknown_option(type, buf[off + 2], off, o);
	if (o->has & (1u << type))
		return PGM_E_OPT_DUPLICATE;
	rd_init(&body, buf, off + olen, off + OPT_HDR_LEN);
	e = c->parse(&body, buf[off + 3], o);
	if (e != PGM_OK)
		return e;
	o->has |= 1u << type;
	return PGM_OK;
}

/* §9.1: the OPT_LENGTH header; returns the claimed total in *total. */
static enum pgm_err opt_length(struct pgm_rd *r, uint16_t *total)
{
	if (rd_left(r) == 0)
		return PGM_E_OPT_NO_LENGTH;
	if (rd_left(r) < OPT_HDR_LEN)
		return PGM_E_OPT_OVERRUN;
	if (r->buf[r->off] != PGM_OPT_LENGTH)
		return PGM_E_OPT_NO_LENGTH;
	if (r->buf[r->off + 1] != OPT_HDR_LEN)
		return PGM_E_OPT_BAD_LEN;
	r->off += 2;
	*total = rd_u16(r);
	return *total < OPT_HDR_LEN ? PGM_E_OPT_LENGTH_LIES : PGM_OK;
}

enum pgm_err pgm_opts_parse(struct pgm_rd *r, struct pgm_opts *o)
{
	size_t start = r->off, pos, limit;
	uint16_t total;
	enum pgm_err e = opt_length(r, &total);

	if (e != PGM_OK)
		return e;
	o->has |= 1u << PGM_OPT_LENGTH;
	o->count = 1;
	o->total_len = total;
	/* Walk no further than the packet even when OPT_LENGTH claims more. */
	limit = total <= r->len - start ? start + total : r->len;
	for (pos = r->off;;) {
		uint8_t type, olen;

		if (pos == limit)
			return PGM_E_OPT_NO_END;
		if (limit - pos < 2)
			return past_limit(limit, r->len);
		type = r->buf[pos];
		olen = r->buf[pos + 1];
		if (olen < OPT_HDR_LEN)
			return PGM_E_OPT_BAD_LEN;
		if (olen > limit - pos)
			return past_limit(limit, r->len);
		if (++o->count > PGM_MAX_OPTIONS)
			return PGM_E_OPT_TOO_MANY;
		e = one_option(r->buf, pos, olen, o);
		if (e != PGM_OK)
			return e;
		pos += olen;
		if (type & PGM_OPT_END)
			break;
	}
	if (pos != start + total)
		return PGM_E_OPT_LENGTH_LIES;
	r->off = pos;
	return PGM_OK;
}

/* Encoded size of codec c's option for o, or SIZE_MAX. */
static size_t option_len(const struct pgm_opt_codec *c, const struct pgm_opts *o)
{
	size_t body = c->body_len(o);
	if (body == SIZE_MAX || OPT_HDR_LEN + body > OPT_MAX_LEN)
		return SIZE_MAX;
	return OPT_HDR_LEN + body;
}

size_t pgm_opts_len(const struct pgm_opts *o)
{
	size_t n, i, total = OPT_HDR_LEN, count = 1;
	const struct pgm_opt_codec *c = pgm_opt_codecs(&n);

	if ((o->has & PGM_OPT_KNOWN_MASK) == 0)
		return 0;
	for (i = 0; i < n; i++) {
		size_t len;
		if (!(o->has & (1u << c[i].type)))
			continue;
		len = option_len(&c[i], o);
		if (len == SIZE_MAX)
			return SIZE_MAX;
		total += len;
		count++;
	}
	/* §9: at most 16 options, OPT_LENGTH included. */
	return count > PGM_MAX_OPTIONS ? SIZE_MAX : total;
}

bool pgm_opts_netsig(const struct pgm_opts *o)
{
	size_t n, i;
	const struct pgm_opt_codec *c = pgm_opt_codecs(&n);

	for (i = 0; i < n; i++)
		if (c[i].netsig && (o->has & (1u << c[i].type)))
			return true;
	return false;
}

void pgm_opts_build(struct pgm_wr *w, const struct pgm_opts *o)
{
	size_t n, i, total = pgm_opts_len(o);
	const struct pgm_opt_codec *c = pgm_opt_codecs(&n);
	uint32_t left = o->has & PGM_OPT_KNOWN_MASK;

	if (total == 0 || total == SIZE_MAX)
		return;
	wr_u8(w, PGM_OPT_LENGTH);
	wr_u8(w, OPT_HDR_LEN);
	wr_u16(w, (uint16_t)total);
	for (i = 0; i < n; i++) {
		uint32_t bit = 1u << c[i].type;
		if (!(left & bit))
			continue;
		left &= ~bit;
		wr_u8(w, (uint8_t)(c[i].type | (left == 0 ? PGM_OPT_END : 0)));
		wr_u8(w, (uint8_t)option_len(&c[i], o));
		wr_u8(w, 0); /* F, OPX = ignore, U */
		wr_u8(w, c[i].spec ? c[i].spec(o) : 0);
		c[i].build(w, o);
	}
}
