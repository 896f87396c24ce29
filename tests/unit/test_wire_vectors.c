/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * More hand-assembled vectors, written byte by byte from the RFC 3208
 * layouts, for the options whose field order or flag bits a round trip
 * alone could not catch (a bug made twice cancels out): NAK_BO_RNG
 * (§15.4.2, maximum first), PARITY_PRM and CRQST flags (§11.8.1,
 * §12.7.2), CR (§12.7.1), REDIRECT and PATH_NLA over IPv6 (§9.5.5,
 * §15.4.4), RST (§9.8.4), and POLL, POLR, SPMR (§14.7, §13.6).
 */
#include <string.h>

#include "test_wire_fixtures.h"
#include "unit_util.h"

#define HDR(type, opts, tsdu) \
	0x12, 0x34, 0x1d, 0x4c, (type), (opts), 0x00, 0x00, \
	0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x00, (tsdu)
#define V6_DB8(last) 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, (last)

/* Build the view, compare with the vector, parse the vector back. */
static void check_vector(const uint8_t *vec, size_t len, const struct pgm_pkt *p)
{
	uint8_t want[256], got[256];
	struct pgm_pkt q;

	CU_ASSERT_FATAL(len <= sizeof want);
	memcpy(want, vec, len);
	fx_set_cksum(want, len);
	CU_ASSERT_EQUAL_FATAL(pgm_build(got, sizeof got, p), len);
	CU_ASSERT(memcmp(got, want, len) == 0);
	CU_ASSERT_EQUAL_FATAL(pgm_parse(want, len, 0, &q), PGM_OK);
	CU_ASSERT(fx_same(p, &q));
}

static void test_poll_nak_bo_ivl(void)
{
	static const uint8_t v[] = {
		HDR(0x01, 0x03, 0x00),
		0x00, 0x00, 0x00, 0x07, 0x00, 0x02, 0x00, 0x01, /* sqn, round, sub-type */
		0x00, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x01, 0x01, /* path NLA */
		0x00, 0x01, 0x86, 0xa0, 0xde, 0xad, 0xbe, 0xef, /* back-off, random */
		0x00, 0x00, 0x00, 0xff,                         /* mask */
		0x00, 0x04, 0x00, 0x10,
		0x84, 0x0c, 0x00, 0x00, 0x00, 0x00, 0xc3, 0x50, 0x00, 0x00, 0x00, 0x03,
	};
	struct pgm_pkt p;

	fx_pkt(&p, PGM_POLL, false);
	fx_opt_fill(&p.opt, PGM_OPT_NAK_BO_IVL, false);
	check_vector(v, sizeof v, &p);
}

static void test_spm_rng_parity_crqst(void)
{
	static const uint8_t v[] = {
		HDR(0x00, 0x03, 0x00),
		0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff, 0xff, 0xf0,
		0x00, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x01, 0x01,
		0x00, 0x04, 0x00, 0x1c,
		0x05, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x5f, 0x90, 0x00, 0x00, 0x03, 0xe8,
		0x08, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08,
		0x91, 0x04, 0x00, 0x02,
	};
	struct pgm_pkt p;

	fx_pkt(&p, PGM_SPM, false);
	fx_opt_fill(&p.opt, PGM_OPT_NAK_BO_RNG, false);
	fx_opt_fill(&p.opt, PGM_OPT_PARITY_PRM, false);
	fx_opt_fill(&p.opt, PGM_OPT_CRQST, false);
	check_vector(v, sizeof v, &p);
}

static void test_nak_cr(void)
{
	static const uint8_t v[] = {
		HDR(0x08, 0x03, 0x00),
		0x00, 0x00, 0x00, 0x2a,
		0x00, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x01, 0x01,
		0x00, 0x01, 0x00, 0x00, 0xef, 0xc0, 0x00, 0x01,
		0x00, 0x04, 0x00, 0x1c,
		0x90, 0x18, 0x00, 0x05, 0x00, 0x00, 0x00, 0x4d, /* L|R, lead */
		0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, /* NE WL, NE WP, RX WP */
		0x00, 0x01, 0x00, 0x00, 0x0a, 0x05, 0x05, 0x05, /* worst receiver */
	};
	struct pgm_pkt p;

	fx_pkt(&p, PGM_NAK, false);
	fx_opt_fill(&p.opt, PGM_OPT_CR, false);
	check_vector(v, sizeof v, &p);
}

static void test_ncf_v6_redirect_path_nla(void)
{
	static const uint8_t v[] = {
		HDR(0x0a, 0x03, 0x00),
		0x00, 0x00, 0x00, 0x2a,
		0x00, 0x02, 0x00, 0x00, V6_DB8(0x01),
		0x00, 0x02, 0x00, 0x00, 0xff, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34,
		0x00, 0x04, 0x00, 0x30,
		0x07, 0x18, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, V6_DB8(0x99),
		0x8c, 0x14, 0x00, 0x00, V6_DB8(0x07),
	};
	struct pgm_pkt p;

	fx_pkt(&p, PGM_NCF, true);
	fx_opt_fill(&p.opt, PGM_OPT_PATH_NLA, true);
	fx_opt_fill(&p.opt, PGM_OPT_REDIRECT, true);
	check_vector(v, sizeof v, &p);
}

static void test_odata_rst(void)
{
	static const uint8_t v[] = {
		HDR(0x04, 0x01, 0x0a),
		0x80, 0x00, 0x00, 0x01, 0x7f, 0xff, 0xff, 0xff,
		0x00, 0x04, 0x00, 0x08,
		0x8f, 0x04, 0x00, 0x45, /* N | error code 5 */
		'h', 'e', 'l', 'l', 'o', ',', ' ', 'P', 'G', 'M',
	};
	struct pgm_pkt p;

	fx_pkt(&p, PGM_ODATA, false);
	fx_opt_fill(&p.opt, PGM_OPT_RST, false);
	check_vector(v, sizeof v, &p);
}

static void test_polr_and_spmr(void)
{
	static const uint8_t polr[] = {
		HDR(0x02, 0x00, 0x00),
		0x00, 0x00, 0x00, 0x07, 0x00, 0x02, 0x00, 0x00,
	};
	static const uint8_t spmr[] = { HDR(0x0c, 0x00, 0x00) };
	struct pgm_pkt p;

	fx_pkt(&p, PGM_POLR, false);
	check_vector(polr, sizeof polr, &p);
	fx_pkt(&p, PGM_SPMR, false);
	check_vector(spmr, sizeof spmr, &p);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"POLL + NAK_BO_IVL (14.7.1, 15.4.1)", test_poll_nak_bo_ivl},
		{"SPM + NAK_BO_RNG, PARITY_PRM, CRQST", test_spm_rng_parity_crqst},
		{"NAK + CR (12.7.1)", test_nak_cr},
		{"NCF v6 + REDIRECT, PATH_NLA v6", test_ncf_v6_redirect_path_nla},
		{"ODATA + RST (9.8.4)", test_odata_rst},
		{"POLR and SPMR", test_polr_and_spmr},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("wire vectors", tests);
	return unit_run();
}
