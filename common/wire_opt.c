/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bodies of the known PGM options: RFC 3208 §9 (core), §11.8 (FEC),
 * §12.7 (congestion reports), §15.4 (NAK back-off, PATH_NLA). Every
 * option starts with type, length, the F/OPX/U byte and one option-
 * specific byte; these functions handle what follows those four bytes.
 */
#include <stdint.h>

#include "wire_priv.h"

/* A body that must be exactly `n` bytes long. */
static bool body_is(const struct pgm_rd *body, size_t n)
{
	return rd_left(body) == n;
}

/* §9.2.4: first SQN, offset, APDU length (OpenPGM/Wireshark: 16 bytes). */
static enum pgm_err fragment_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	(void)spec;
	if (!body_is(b, 12))
		return PGM_E_OPT_BAD_LEN;
	o->fragment.first_sqn = rd_u32(b);
	o->fragment.offset = rd_u32(b);
	o->fragment.length = rd_u32(b);
	return PGM_OK;
}
static size_t fragment_len(const struct pgm_opts *o) { (void)o; return 12; }
static void fragment_build(struct pgm_wr *w, const struct pgm_opts *o)
{
	wr_u32(w, o->fragment.first_sqn);
	wr_u32(w, o->fragment.offset);
	wr_u32(w, o->fragment.length);
}

/* §9.3.5: 1..62 further SQNs. 62 is also what fits a one-byte length. */
static enum pgm_err nak_list_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	size_t n = rd_left(b) / 4;
	size_t i;

	(void)spec;
	if (rd_left(b) > 4 * PGM_MAX_NAK_LIST)
		return PGM_E_NAK_LIST_TOO_LONG;
	if (rd_left(b) % 4 != 0 || n == 0)
		return PGM_E_OPT_BAD_LEN;
	for (i = 0; i < n; i++)
		o->nak_list.sqn[i] = rd_u32(b);
	o->nak_list.count = (unsigned)n;
	return PGM_OK;
}
static size_t nak_list_len(const struct pgm_opts *o)
{
	unsigned n = o->nak_list.count;
	return n == 0 || n > PGM_MAX_NAK_LIST ? SIZE_MAX : 4 * (size_t)n;
}
static void nak_list_build(struct pgm_wr *w, const struct pgm_opts *o)
{
	unsigned i;
	for (i = 0; i < o->nak_list.count && i < PGM_MAX_NAK_LIST; i++)
		wr_u32(w, o->nak_list.sqn[i]);
}

/* §9.4.3 */
static enum pgm_err join_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	(void)spec;
	if (!body_is(b, 4))
		return PGM_E_OPT_BAD_LEN;
	o->join_min = rd_u32(b);
	return PGM_OK;
}
static size_t u32_len(const struct pgm_opts *o) { (void)o; return 4; }
static void join_build(struct pgm_wr *w, const struct pgm_opts *o) { wr_u32(w, o->join_min); }

/* §15.4.1: interval (µs), then the POLL_SQN it belongs to. */
static enum pgm_err nak_bo_ivl_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	(void)spec;
	if (!body_is(b, 8))
		return PGM_E_OPT_BAD_LEN;
	o->nak_bo_ivl.ivl = rd_u32(b);
	o->nak_bo_ivl.ivl_sqn = rd_u32(b);
	return PGM_OK;
}
static size_t two_u32_len(const struct pgm_opts *o) { (void)o; return 8; }
static void nak_bo_ivl_build(struct pgm_wr *w, const struct pgm_opts *o)
{
	wr_u32(w, o->nak_bo_ivl.ivl);
	wr_u32(w, o->nak_bo_ivl.ivl_sqn);
}

/* §15.4.2: maximum first, then minimum. */
static enum pgm_err nak_bo_rng_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	(void)spec;
	if (!body_is(b, 8))
		return PGM_E_OPT_BAD_LEN;
	o->nak_bo_rng.max = rd_u32(b);
	o->nak_bo_rng.min = rd_u32(b);
	return PGM_OK;
}
static void nak_bo_rng_build(struct pgm_wr *w, const struct pgm_opts *o)
{
	wr_u32(w, o->nak_bo_rng.max);
	wr_u32(w, o->nak_bo_rng.min);
}

/* An NLA (AFI, reserved, address) that fills the whole body. */
static enum pgm_err nla_body_parse(struct pgm_rd *b, struct pgm_nla *nla)
{
	enum pgm_err e = rd_nla(b, nla);
	if (e != PGM_OK)
		return e;
	return !b->short_read && rd_left(b) == 0 ? PGM_OK : PGM_E_OPT_BAD_LEN;
}

/* §9.5.5 */
static enum pgm_err redirect_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	(void)spec;
	return nla_body_parse(b, &o->redirect);
}
static size_t redirect_len(const struct pgm_opts *o)
{
	size_t n = nla_wire_len(&o->redirect);
	return n ? n : SIZE_MAX;
}
static void redirect_build(struct pgm_wr *w, const struct pgm_opts *o) { wr_nla(w, &o->redirect); }

/* §11.8.1: P/O bits in the option-specific byte, then TGS. */
static enum pgm_err parity_prm_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	if (!body_is(b, 4))
		return PGM_E_OPT_BAD_LEN;
	o->parity_prm.flags = spec;
	o->parity_prm.tgs = rd_u32(b);
	return PGM_OK;
}
static void parity_prm_build(struct pgm_wr *w, const struct pgm_opts *o) { wr_u32(w, o->parity_prm.tgs); }
static uint8_t parity_prm_spec(const struct pgm_opts *o) { return o->parity_prm.flags; }

/* §11.8.2 */
static enum pgm_err parity_grp_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	(void)spec;
	if (!body_is(b, 4))
		return PGM_E_OPT_BAD_LEN;
	o->parity_grp = rd_u32(b);
	return PGM_OK;
}
static void parity_grp_build(struct pgm_wr *w, const struct pgm_opts *o) { wr_u32(w, o->parity_grp); }

/* §11.8.3 */
static enum pgm_err curr_tgsize_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	(void)spec;
	if (!body_is(b, 4))
		return PGM_E_OPT_BAD_LEN;
	o->curr_tgsize = rd_u32(b);
	return PGM_OK;
}
static void curr_tgsize_build(struct pgm_wr *w, const struct pgm_opts *o) { wr_u32(w, o->curr_tgsize); }

/* Options that are only a header: NBR_UNREACH (§15.4.3), SYN (§9.6.4), FIN (§9.7.4). */
static enum pgm_err empty_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	(void)spec;
	(void)o;
	return body_is(b, 0) ? PGM_OK : PGM_E_OPT_BAD_LEN;
}
static size_t empty_len(const struct pgm_opts *o) { (void)o; return 0; }
static void empty_build(struct pgm_wr *w, const struct pgm_opts *o) { (void)w; (void)o; }

/* §9.8.4: N bit and error code live in the option-specific byte. */
static enum pgm_err rst_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	o->rst_flags = spec;
	return empty_parse(b, spec, o);
}
static uint8_t rst_spec(const struct pgm_opts *o) { return o->rst_flags; }

/*
 * §15.4.4: the path NLA carries no AFI; as in OpenPGM the body length
 * tells IPv4 (4 bytes) from IPv6 (16 bytes).
 */
static enum pgm_err path_nla_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	(void)spec;
	if (body_is(b, 4)) {
		o->path_nla.afi = PGM_AFI_IPV4;
		rd_bytes(b, &o->path_nla.u.v4, 4);
	} else if (body_is(b, 16)) {
		o->path_nla.afi = PGM_AFI_IPV6;
		rd_bytes(b, &o->path_nla.u.v6, 16);
	} else {
		return PGM_E_OPT_BAD_LEN;
	}
	return PGM_OK;
}
static size_t path_nla_len(const struct pgm_opts *o)
{
	size_t n = pgm_nla_addr_len(o->path_nla.afi);
	return n ? n : SIZE_MAX;
}
static void path_nla_build(struct pgm_wr *w, const struct pgm_opts *o)
{
	if (o->path_nla.afi == PGM_AFI_IPV4)
		wr_bytes(w, &o->path_nla.u.v4, 4);
	else
		wr_bytes(w, &o->path_nla.u.v6, 16);
}

/* §12.7.1: L/P/R bits, lead SQN, three loads, reserved, receiver NLA. */
static enum pgm_err cr_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	o->cr.flags = spec;
	o->cr.lead = rd_u32(b);
	o->cr.ne_wl = rd_u16(b);
	o->cr.ne_wp = rd_u16(b);
	o->cr.rx_wp = rd_u16(b);
	rd_skip(b, 2);
	if (b->short_read)
		return PGM_E_OPT_BAD_LEN;
	return nla_body_parse(b, &o->cr.rcvr);
}
static size_t cr_len(const struct pgm_opts *o)
{
	size_t n = nla_wire_len(&o->cr.rcvr);
	return n ? 12 + n : SIZE_MAX;
}
static void cr_build(struct pgm_wr *w, const struct pgm_opts *o)
{
	wr_u32(w, o->cr.lead);
	wr_u16(w, o->cr.ne_wl);
	wr_u16(w, o->cr.ne_wp);
	wr_u16(w, o->cr.rx_wp);
	wr_u16(w, 0);
	wr_nla(w, &o->cr.rcvr);
}
static uint8_t cr_spec(const struct pgm_opts *o) { return o->cr.flags; }

/* §12.7.2: L/P/R request bits only. */
static enum pgm_err crqst_parse(struct pgm_rd *b, uint8_t spec, struct pgm_opts *o)
{
	o->crqst_flags = spec;
	return empty_parse(b, spec, o);
}
static uint8_t crqst_spec(const struct pgm_opts *o) { return o->crqst_flags; }

/* Network-significant first: §9.1 wants them ahead of receiver-only ones. */
static const struct pgm_opt_codec codecs[] = {
	{ PGM_OPT_NAK_LIST, true, nak_list_parse, nak_list_len, nak_list_build, NULL },
	{ PGM_OPT_NAK_BO_IVL, true, nak_bo_ivl_parse, two_u32_len, nak_bo_ivl_build, NULL },
	{ PGM_OPT_NAK_BO_RNG, true, nak_bo_rng_parse, two_u32_len, nak_bo_rng_build, NULL },
	{ PGM_OPT_REDIRECT, true, redirect_parse, redirect_len, redirect_build, NULL },
	{ PGM_OPT_PARITY_PRM, true, parity_prm_parse, u32_len, parity_prm_build, parity_prm_spec },
	{ PGM_OPT_CURR_TGSIZE, true, curr_tgsize_parse, u32_len, curr_tgsize_build, NULL },
	{ PGM_OPT_NBR_UNREACH, true, empty_parse, empty_len, empty_build, NULL },
	{ PGM_OPT_PATH_NLA, true, path_nla_parse, path_nla_len, path_nla_build, NULL },
	{ PGM_OPT_CR, true, cr_parse, cr_len, cr_build, cr_spec },
	{ PGM_OPT_CRQST, true, crqst_parse, empty_len, empty_build, crqst_spec },
	{ PGM_OPT_FRAGMENT, false, fragment_parse, fragment_len, fragment_build, NULL },
	{ PGM_OPT_JOIN, false, join_parse, u32_len, join_build, NULL },
	{ PGM_OPT_PARITY_GRP, false, parity_grp_parse, u32_len, parity_grp_build, NULL },
	{ PGM_OPT_SYN, false, empty_parse, empty_len, empty_build, NULL },
	{ PGM_OPT_FIN, false, empty_parse, empty_len, empty_build, NULL },
	{ PGM_OPT_RST, false, rst_parse, empty_len, empty_build, rst_spec },
};

const struct pgm_opt_codec *pgm_opt_codecs(size_t *count)
{
	*count = sizeof codecs / sizeof codecs[0];
	return codecs;
}

const struct pgm_opt_codec *pgm_opt_codec(uint8_t type)
{
	size_t i;
	for (i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
		if (codecs[i].type == type)
			return &codecs[i];
	return NULL;
}
