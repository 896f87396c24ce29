/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to the wire codec (common/wire_*.c): bounds-checked big-endian
 * reader and writer, and the option codec table. Nothing outside the
 * codec includes this file.
 */
#ifndef PGMNE_WIRE_PRIV_H
#define PGMNE_WIRE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire.h"

#define PGM_CKSUM_OFF 6 /* the checksum in the common header (§8) */

/* Does this type carry a TSDU after its options (§8: ODATA, RDATA)? */
static inline bool pgm_type_data(uint8_t type)
{
	return type == PGM_ODATA || type == PGM_RDATA;
}

/*
 * Reader over buf[0..len). Every read checks the remaining length first;
 * a read that does not fit sets `short_read`, returns zeros and leaves
 * the position unchanged, so callers test the flag once per block.
 */
struct pgm_rd {
	const uint8_t *buf;
	size_t len;
	size_t off; /* invariant: off <= len */
	bool short_read;
};

static inline void rd_init(struct pgm_rd *r, const uint8_t *buf, size_t len, size_t off)
{
	r->buf = buf;
	r->len = len;
	r->off = off <= len ? off : len;
	r->short_read = off > len;
}

static inline size_t rd_left(const struct pgm_rd *r)
{
	return r->len - r->off;
}

static inline bool rd_take(struct pgm_rd *r, size_t n)
{
	if (r->short_read || n > rd_left(r)) {
		r->short_read = true;
		return false;
	}
	return true;
}

static inline uint16_t rd_u16(struct pgm_rd *r)
{
	if (!rd_take(r, 2))
		return 0;
	uint16_t v = (uint16_t)(r->buf[r->off] << 8 | r->buf[r->off + 1]);
	r->off += 2;
	return v;
}

static inline uint32_t rd_u32(struct pgm_rd *r)
{
	if (!rd_take(r, 4))
		return 0;
	const uint8_t *p = r->buf + r->off;
	r->off += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Big-endian load at p, for fields whose bytes a caller has already
 * checked are there (one length check for a fixed-size header). */
static inline uint16_t ld_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ld_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void rd_bytes(struct pgm_rd *r, void *dst, size_t n)
{
	if (!rd_take(r, n)) {
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, r->buf + r->off, n);
	r->off += n;
}

static inline void rd_skip(struct pgm_rd *r, size_t n)
{
	if (rd_take(r, n))
		r->off += n;
}

/* Writer into buf[0..cap); overflow is sticky and writes nothing more. */
struct pgm_wr {
	uint8_t *buf;
	size_t cap;
	size_t off;
	bool overflow;
};

static inline bool wr_take(struct pgm_wr *w, size_t n)
{
	if (w->overflow || n > w->cap - w->off) {
		w->overflow = true;
		return false;
	}
	return true;
}

static inline void wr_u8(struct pgm_wr *w, uint8_t v)
{
	if (wr_take(w, 1))
		w->buf[w->off++] = v;
}

static inline void wr_u16(struct pgm_wr *w, uint16_t v)
{
	if (!wr_take(w, 2))
		return;
	w->buf[w->off++] = (uint8_t)(v >> 8);
	w->buf[w->off++] = (uint8_t)v;
}

static inline void wr_u32(struct pgm_wr *w, uint32_t v)
{
	wr_u16(w, (uint16_t)(v >> 16));
	wr_u16(w, (uint16_t)v);
}

static inline void wr_bytes(struct pgm_wr *w, const void *src, size_t n)
{
	if (n == 0 || !wr_take(w, n))
		return;
	memcpy(w->buf + w->off, src, n);
	w->off += n;
}

/* NLA as AFI, reserved, address (§8.1). Sets short_read or returns BAD_AFI. */
enum pgm_err rd_nla(struct pgm_rd *r, struct pgm_nla *nla);
void wr_nla(struct pgm_wr *w, const struct pgm_nla *nla);
/* AFI + reserved + address bytes, or 0 for an unknown AFI. */
size_t nla_wire_len(const struct pgm_nla *nla);

/* Options chain (§9): parse from r->off, which is just past the type header. */
enum pgm_err pgm_opts_parse(struct pgm_rd *r, struct pgm_opts *o);
/* Bytes the chain for o needs (OPT_LENGTH included), 0 when no options;
 * SIZE_MAX when o cannot be encoded. */
size_t pgm_opts_len(const struct pgm_opts *o);
void pgm_opts_build(struct pgm_wr *w, const struct pgm_opts *o);
/* Does o contain a network-significant option (§9 per option)? */
bool pgm_opts_netsig(const struct pgm_opts *o);

/* Known options: those pgm_opts_parse() decodes and pgm_opts_build() writes. */
#define PGM_OPT_KNOWN_MASK                                                     \
	((1u << PGM_OPT_FRAGMENT) | (1u << PGM_OPT_NAK_LIST) | (1u << PGM_OPT_JOIN) | \
	 (1u << PGM_OPT_NAK_BO_IVL) | (1u << PGM_OPT_NAK_BO_RNG) |                 \
	 (1u << PGM_OPT_REDIRECT) | (1u << PGM_OPT_PARITY_PRM) |                   \
	 (1u << PGM_OPT_PARITY_GRP) | (1u << PGM_OPT_CURR_TGSIZE) |                \
	 (1u << PGM_OPT_NBR_UNREACH) | (1u << PGM_OPT_PATH_NLA) |                  \
	 (1u << PGM_OPT_SYN) | (1u << PGM_OPT_FIN) | (1u << PGM_OPT_RST) |         \
	 (1u << PGM_OPT_CR) | (1u << PGM_OPT_CRQST))


/*
 * One known option type: how its body (the bytes after the four-byte
 * option header) is decoded and encoded. `parse` sees a reader limited
 * to the body; `body_len` is SIZE_MAX when the view cannot be encoded.
 */
struct pgm_opt_codec {
	uint8_t type;
	bool netsig; /* network-significant, §9 per option */
	enum pgm_err (*parse)(struct pgm_rd *body, uint8_t spec, struct pgm_opts *o);
	size_t (*body_len)(const struct pgm_opts *o);
	void (*build)(struct pgm_wr *w, const struct pgm_opts *o);
	uint8_t (*spec)(const struct pgm_opts *o); /* fourth byte; NULL: 0 */
};

/* Codec for a known option type, NULL otherwise. */
const struct pgm_opt_codec *pgm_opt_codec(uint8_t type);
/* All codecs, network-significant ones first (§9.1 build order). */
const struct pgm_opt_codec *pgm_opt_codecs(size_t *count);
#endif
