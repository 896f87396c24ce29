/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * In-place edits: SPM/POLL path NLA rewrite and OPX invalidation. The
 * incrementally updated checksum (RFC 1624) must equal a full
 * recomputation, including the 0 -> 0xFFFF case (§8).
 */
#include <string.h>

#include "test_wire_fixtures.h"
#include "unit_util.h"

/* The stored checksum equals the reference over the packet with it zeroed. */
static bool cksum_is_full(const uint8_t *b, size_t n)
{
	uint8_t copy[512];

	memcpy(copy, b, n);
	copy[6] = copy[7] = 0;
	return fx_ref_cksum(copy, n) == (uint16_t)(b[6] << 8 | b[7]);
}

static void rewrite_many(uint8_t type, bool v6)
{
	struct pgm_pkt p, q;
	struct pgm_nla nla;
	uint8_t b[512];
	uint32_t seed = 7;
	size_t n, i, k;

	fx_pkt(&p, type, v6);
	fx_opt_fill(&p.opt, PGM_OPT_NAK_BO_IVL, v6);
	n = pgm_build(b, sizeof b, &p);
	for (i = 0; i < 2000; i++) {
		CU_ASSERT_EQUAL_FATAL(pgm_parse(b, n, 0, &q), PGM_OK);
		nla = q.u.spm.path;
		if (type == PGM_POLL)
			nla = q.u.poll.path;
		for (k = 0; k < pgm_nla_addr_len(nla.afi); k++) {
			seed = seed * 1664525u + 1013904223u;
			((uint8_t *)&nla.u)[k] = (uint8_t)(seed >> 24);
		}
		CU_ASSERT_FATAL(pgm_rewrite_path_nla(b, n, &q, &nla));
		CU_ASSERT(cksum_is_full(b, n));
		CU_ASSERT_EQUAL_FATAL(pgm_parse(b, n, 0, &q), PGM_OK);
		CU_ASSERT(pgm_nla_eq(type == PGM_POLL ? &q.u.poll.path : &q.u.spm.path, &nla));
		CU_ASSERT_EQUAL(q.opt.nak_bo_ivl.ivl, p.opt.nak_bo_ivl.ivl);
	}
}

static void test_rewrite_spm(void)
{
	rewrite_many(PGM_SPM, false);
	rewrite_many(PGM_SPM, true);
}

static void test_rewrite_poll(void)
{
	rewrite_many(PGM_POLL, false);
	rewrite_many(PGM_POLL, true);
}

/*
 * Pick the new address so the full checksum computes to zero: the
 * rewrite must then store 0xFFFF, like pgm_build() would.
 */
static void test_rewrite_to_zero(void)
{
	struct pgm_pkt p, q;
	struct pgm_nla nla;
	uint8_t b[256], copy[256];
	size_t n;
	uint16_t want_word;

	fx_pkt(&p, PGM_SPM, false);
	n = pgm_build(b, sizeof b, &p);
	CU_ASSERT_EQUAL_FATAL(pgm_parse(b, n, 0, &q), PGM_OK);
	/* Zero the last address word and find the word that makes the sum 0xFFFF. */
	memcpy(copy, b, n);
	copy[6] = copy[7] = copy[34] = copy[35] = 0;
	/* Folded sum S of the rest; S + w = 0xFFFF makes the checksum ~0xFFFF = 0. */
	want_word = (uint16_t)(0xFFFF - (uint16_t)~fx_ref_cksum(copy, n));
	nla = q.u.spm.path;
	((uint8_t *)&nla.u)[2] = (uint8_t)(want_word >> 8);
	((uint8_t *)&nla.u)[3] = (uint8_t)want_word;
	CU_ASSERT_FATAL(pgm_rewrite_path_nla(b, n, &q, &nla));
	CU_ASSERT_EQUAL(b[6], 0xFF);
	CU_ASSERT_EQUAL(b[7], 0xFF);
	CU_ASSERT(cksum_is_full(b, n));
	CU_ASSERT_EQUAL(pgm_parse(b, n, 0, &q), PGM_OK);
	/* And pgm_build agrees on the same bytes. */
	p.u.spm.path = nla;
	CU_ASSERT_EQUAL(pgm_build(copy, sizeof copy, &p), n);
	CU_ASSERT(memcmp(copy, b, n) == 0);
}

static void test_rewrite_refused(void)
{
	struct pgm_pkt p, q;
	struct pgm_nla v6 = fx_v6("2001:db8::2"), v4 = fx_v4("10.1.1.1");
	uint8_t b[256];
	size_t n;

	fx_pkt(&p, PGM_SPM, false);
	n = pgm_build(b, sizeof b, &p);
	CU_ASSERT_EQUAL_FATAL(pgm_parse(b, n, 0, &q), PGM_OK);
	CU_ASSERT_FALSE(pgm_rewrite_path_nla(b, n, &q, &v6)); /* AFI differs */
	CU_ASSERT_FALSE(pgm_rewrite_path_nla(b, 20, &q, &v4)); /* buffer too short */
	fx_pkt(&p, PGM_NCF, false);
	n = pgm_build(b, sizeof b, &p);
	CU_ASSERT_EQUAL_FATAL(pgm_parse(b, n, 0, &q), PGM_OK);
	CU_ASSERT_FALSE(pgm_rewrite_path_nla(b, n, &q, &v4)); /* no path NLA */
}

static void test_rewrite_keeps_zero_checksum(void)
{
	struct pgm_pkt p, q;
	struct pgm_nla v4 = fx_v4("10.1.1.1");
	uint8_t b[256];
	size_t n;

	fx_pkt(&p, PGM_SPM, false);
	n = pgm_build(b, sizeof b, &p);
	b[6] = b[7] = 0; /* sender computed none (§8) */
	CU_ASSERT_EQUAL_FATAL(pgm_parse(b, n, 0, &q), PGM_OK);
	CU_ASSERT(pgm_rewrite_path_nla(b, n, &q, &v4));
	CU_ASSERT_EQUAL(b[6] | b[7], 0);
	CU_ASSERT_EQUAL(pgm_parse(b, n, 0, &q), PGM_OK);
	CU_ASSERT(pgm_nla_eq(&q.u.spm.path, &v4));
}

/*
 * Unknown options with OPX = invalidate at even and odd offsets (a
 * 5-byte unknown option shifts the next one), on an odd-length packet.
 */
static void test_invalidate(void)
{
	static const uint8_t opts[] = {
		0x00, 0x04, 0x00, 0x15,
		0x21, 0x05, PGM_OPX_INVALIDATE, 0x00, 0xAA,
		0x0d, 0x04, 0x00, 0x00,
		0xA2, 0x08, PGM_OPX_INVALIDATE, 0x00, 1, 2, 3, 4,
	};
	struct pgm_pkt p, q;
	uint8_t b[256];
	size_t n, hl;

	fx_pkt(&p, PGM_SPM, false);
	n = pgm_build(b, sizeof b, &p);
	hl = n;
	memcpy(b + hl, opts, sizeof opts);
	n += sizeof opts;
	b[5] = PGM_OPT_PRESENT;
	b[6] = b[7] = 0;
	fx_set_cksum(b, n);
	CU_ASSERT_EQUAL_FATAL(pgm_parse(b, n, 0, &q), PGM_OK);
	CU_ASSERT_EQUAL_FATAL(q.opt.invalidate_count, 2);
	CU_ASSERT_EQUAL(q.opt.invalidate_off[0], hl + 4);
	CU_ASSERT_EQUAL(q.opt.invalidate_off[1], hl + 13);
	CU_ASSERT_EQUAL(n % 2, 1);
	CU_ASSERT_EQUAL(q.opt.invalidate_off[1] % 2, 1);
	pgm_invalidate_options(b, n, &q);
	CU_ASSERT_EQUAL(b[hl + 4], PGM_OPT_INVALID);
	CU_ASSERT_EQUAL(b[hl + 13], PGM_OPT_INVALID | PGM_OPT_END); /* END kept */
	CU_ASSERT(cksum_is_full(b, n));
	CU_ASSERT_EQUAL_FATAL(pgm_parse(b, n, 0, &q), PGM_OK);
	CU_ASSERT_EQUAL(q.opt.invalidate_count, 0);
	CU_ASSERT_EQUAL(q.opt.unknown, 2);
	CU_ASSERT(q.opt.has & (1u << PGM_OPT_SYN));
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"SPM path NLA rewrite v4/v6", test_rewrite_spm},
		{"POLL path NLA rewrite v4/v6", test_rewrite_poll},
		{"rewrite to a zero checksum gives 0xFFFF", test_rewrite_to_zero},
		{"rewrite refused", test_rewrite_refused},
		{"rewrite keeps 'no checksum'", test_rewrite_keeps_zero_checksum},
		{"OPX invalidate, odd offsets", test_invalidate},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("wire edits", tests);
	return unit_run();
}
