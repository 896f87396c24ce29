/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wire codec: every malformation is rejected with its own pgm_err code,
 * never read past the buffer (ASan watches every case).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_wire_fixtures.h"
#include "unit_util.h"

/*
 * The sample packet of `type` with raw option bytes spliced in after its
 * type-specific header, options flag set, reference checksum fixed.
 */
static size_t with_opts(uint8_t *out, size_t cap, uint8_t type,
                        const uint8_t *opts, size_t olen)
{
	struct pgm_pkt p, q;
	uint8_t tmp[512];
	size_t n, hl;

	fx_pkt(&p, type, false);
	n = pgm_build(tmp, sizeof tmp, &p);
	CU_ASSERT_FATAL(n > 0 && n + olen <= cap);
	CU_ASSERT_EQUAL_FATAL(pgm_parse(tmp, n, 0, &q), PGM_OK);
	hl = q.hdr_len;
	memcpy(out, tmp, hl);
	if (olen > 0)
		memcpy(out + hl, opts, olen);
	memcpy(out + hl + olen, tmp + hl, n - hl);
	out[5] |= PGM_OPT_PRESENT;
	out[6] = out[7] = 0;
	fx_set_cksum(out, n + olen);
	return n + olen;
}

/* Copy into an exactly sized heap block, so ASan sees any over-read. */
static enum pgm_err parse_exact(const uint8_t *b, size_t len, unsigned flags, struct pgm_pkt *q)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum pgm_err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, b, len);
	e = pgm_parse(copy, len, flags, q);
	free(copy);
	return e;
}

static enum pgm_err parse_opts(uint8_t type, const uint8_t *opts, size_t olen, struct pgm_pkt *q)
{
	uint8_t b[1024];
	size_t n = with_opts(b, sizeof b, type, opts, olen);
	return parse_exact(b, n, 0, q);
}

static void test_truncated_every_length(void)
{
	struct pgm_pkt p, q;
	uint8_t b[512];
	size_t i, n, cut;

	for (i = 0; i < FX_NTYPES; i++) {
		fx_pkt(&p, fx_types[i], true);
		fx_opt_fill(&p.opt, PGM_OPT_NAK_LIST, true);
		fx_opt_fill(&p.opt, PGM_OPT_CR, true);
		n = pgm_build(b, sizeof b, &p);
		CU_ASSERT_EQUAL_FATAL(parse_exact(b, n, 0, &q), PGM_OK);
		for (cut = 0; cut < n; cut++) {
			enum pgm_err e = parse_exact(b, cut, PGM_PARSE_NO_CSUM, &q);
			CU_ASSERT_NOT_EQUAL(e, PGM_OK);
			/* Short of the fixed headers it is plainly "truncated". */
			if (cut < PGM_HDR_LEN + (fx_types[i] == PGM_SPMR ? 0 : 8))
				CU_ASSERT_EQUAL(e, PGM_E_TRUNCATED);
		}
	}
	CU_ASSERT_EQUAL(pgm_parse(NULL, 0, 0, &q), PGM_E_TRUNCATED);
}

static void test_version_and_type(void)
{
	struct pgm_pkt p, q;
	uint8_t b[256];
	size_t n;
	uint8_t bad;

	fx_pkt(&p, PGM_SPM, false);
	n = pgm_build(b, sizeof b, &p);
	for (bad = 0x10; bad != 0; bad = (uint8_t)(bad << 1)) {
		b[4] = bad; /* §8: version and reserved bits must be zero */
		CU_ASSERT_EQUAL(pgm_parse(b, n, PGM_PARSE_NO_CSUM, &q), PGM_E_BAD_VERSION);
	}
	for (bad = 0; bad < 16; bad++) {
		size_t i;
		bool known = false;
		for (i = 0; i < FX_NTYPES; i++)
			known |= fx_types[i] == bad;
		if (known)
			continue;
		b[4] = bad;
		CU_ASSERT_EQUAL(pgm_parse(b, n, PGM_PARSE_NO_CSUM, &q), PGM_E_BAD_TYPE);
	}
}

static void test_checksum(void)
{
	struct pgm_pkt p, q;
	uint8_t b[256];
	size_t n, i;

	for (i = 0; i < FX_NTYPES; i++) {
		fx_pkt(&p, fx_types[i], false);
		n = pgm_build(b, sizeof b, &p);
		b[9] ^= 0x01; /* a GSI byte: every type has one */
		CU_ASSERT_EQUAL(pgm_parse(b, n, 0, &q), PGM_E_BAD_CHECKSUM);
		CU_ASSERT_EQUAL(pgm_parse(b, n, PGM_PARSE_NO_CSUM, &q), PGM_OK);
		/* §8: zero means "no checksum", except on data where it is mandatory. */
		b[9] ^= 0x01;
		b[6] = b[7] = 0;
		if (fx_types[i] == PGM_ODATA || fx_types[i] == PGM_RDATA) {
			CU_ASSERT_EQUAL(pgm_parse(b, n, 0, &q), PGM_E_BAD_CHECKSUM);
		} else {
			CU_ASSERT_EQUAL(pgm_parse(b, n, 0, &q), PGM_OK);
		}
	}
}

static void test_bad_afi(void)
{
	struct pgm_pkt p, q;
	uint8_t b[256];
	size_t n;
	static const uint8_t redirect_afi3[] = {
		0x00, 0x04, 0x00, 0x10,
		0x87, 0x0c, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 1, 2, 3, 4,
	};

	fx_pkt(&p, PGM_SPM, false);
	n = pgm_build(b, sizeof b, &p);
	b[29] = 3;
	CU_ASSERT_EQUAL(pgm_parse(b, n, PGM_PARSE_NO_CSUM, &q), PGM_E_BAD_AFI);
	fx_pkt(&p, PGM_NCF, false);
	n = pgm_build(b, sizeof b, &p);
	b[29] = 0; /* group AFI */
	CU_ASSERT_EQUAL(pgm_parse(b, n, PGM_PARSE_NO_CSUM, &q), PGM_E_BAD_AFI);
	CU_ASSERT_EQUAL(parse_opts(PGM_NCF, redirect_afi3, sizeof redirect_afi3, &q), PGM_E_BAD_AFI);
}

static void test_opt_length_missing(void)
{
	struct pgm_pkt q;
	static const uint8_t join_first[] = { 0x83, 0x08, 0x00, 0x00, 0, 0, 0, 1 };
	static const uint8_t length_5[] = { 0x00, 0x05, 0x00, 0x0c, 0x8d, 0x04, 0x00, 0x00, 0 };

	/* Options flagged, nothing there. */
	CU_ASSERT_EQUAL(parse_opts(PGM_SPMR, NULL, 0, &q), PGM_E_OPT_NO_LENGTH);
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, join_first, sizeof join_first, &q), PGM_E_OPT_NO_LENGTH);
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, length_5, sizeof length_5, &q), PGM_E_OPT_BAD_LEN);
	CU_ASSERT_EQUAL(parse_opts(PGM_SPMR, length_5, 2, &q), PGM_E_OPT_OVERRUN);
}

static void test_opt_length_lies(void)
{
	struct pgm_pkt q;
	uint8_t o[] = { 0x00, 0x04, 0x00, 0x08, 0x8d, 0x04, 0x00, 0x00 };

	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_OK);
	o[3] = 0x0c; /* claims 4 more than the chain */
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_E_OPT_LENGTH_LIES);
	CU_ASSERT_EQUAL(parse_opts(PGM_ODATA, o, sizeof o, &q), PGM_E_OPT_LENGTH_LIES);
	o[3] = 0x06; /* claims less */
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_E_OPT_LENGTH_LIES);
	o[3] = 0x02; /* less than OPT_LENGTH itself */
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_E_OPT_LENGTH_LIES);
}

static void test_opt_overrun(void)
{
	struct pgm_pkt q;
	/* Total and chain agree on 16 bytes but only 12 are there. */
	uint8_t o[] = { 0x00, 0x04, 0x00, 0x10, 0x83, 0x0c, 0x00, 0x00, 0, 0, 0, 1 };

	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_E_OPT_OVERRUN);
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, 5, &q), PGM_E_OPT_OVERRUN);
}

static void test_opt_too_many(void)
{
	struct pgm_pkt q;
	uint8_t o[4 + 16 * 4];
	size_t i;

	/* OPT_LENGTH + 15 unknown (OPX ignore) options = 16: accepted. */
	for (i = 0; i < 16; i++) {
		o[4 + 4 * i] = 0x20;
		o[5 + 4 * i] = 4;
		o[6 + 4 * i] = PGM_OPX_IGNORE;
		o[7 + 4 * i] = 0;
	}
	o[0] = 0; o[1] = 4; o[2] = 0; o[3] = 4 + 15 * 4;
	o[4 + 14 * 4] |= PGM_OPT_END;
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, 4 + 15 * 4, &q), PGM_OK);
	CU_ASSERT_EQUAL(q.opt.count, 16);
	CU_ASSERT_EQUAL(q.opt.unknown, 15);
	o[4 + 14 * 4] &= (uint8_t)~PGM_OPT_END;
	o[4 + 15 * 4] |= PGM_OPT_END;
	o[3] = 4 + 16 * 4;
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_E_OPT_TOO_MANY);
}

static void test_opt_bad_len(void)
{
	struct pgm_pkt q;
	/* OPT_FRAGMENT must be 16 bytes (§9.2.4 body of 12). */
	uint8_t frag12[] = { 0x00, 0x04, 0x00, 0x10, 0x81, 0x0c, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2 };
	uint8_t zero_len[] = { 0x00, 0x04, 0x00, 0x08, 0x8d, 0x00, 0x00, 0x00 };
	uint8_t path_nla_7[] = { 0x00, 0x04, 0x00, 0x0c, 0x8c, 0x08, 0, 0, 10, 0, 0, 1 };

	CU_ASSERT_EQUAL(parse_opts(PGM_ODATA, frag12, sizeof frag12, &q), PGM_E_OPT_BAD_LEN);
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, zero_len, sizeof zero_len, &q), PGM_E_OPT_BAD_LEN);
	CU_ASSERT_EQUAL(parse_opts(PGM_NCF, path_nla_7, sizeof path_nla_7, &q), PGM_OK);
	path_nla_7[5] = 7;
	path_nla_7[3] = 0x0b;
	CU_ASSERT_EQUAL(parse_opts(PGM_NCF, path_nla_7, 11, &q), PGM_E_OPT_BAD_LEN);
}

static void test_nak_list_lengths(void)
{
	struct pgm_pkt q;
	uint8_t o[4 + 255];
	size_t len;

	memset(o, 0, sizeof o);
	o[0] = 0; o[1] = 4;
	o[4] = PGM_OPT_NAK_LIST | PGM_OPT_END;
	for (len = 4; len <= 255; len++) {
		enum pgm_err e, want;
		o[5] = (uint8_t)len;
		o[2] = (uint8_t)((4 + len) >> 8);
		o[3] = (uint8_t)(4 + len);
		e = parse_opts(PGM_NAK, o, 4 + len, &q);
		if (len > 4 + 4 * PGM_MAX_NAK_LIST)
			want = PGM_E_NAK_LIST_TOO_LONG; /* more than 62 SQNs' worth */
		else if (len == 4 || len % 4 != 0)
			want = PGM_E_OPT_BAD_LEN;
		else
			want = PGM_OK;
		CU_ASSERT_EQUAL(e, want);
		if (e == PGM_OK)
			CU_ASSERT_EQUAL(q.opt.nak_list.count, (len - 4) / 4);
	}
}

static void test_opt_no_end(void)
{
	struct pgm_pkt q;
	uint8_t o[] = { 0x00, 0x04, 0x00, 0x08, 0x0d, 0x04, 0x00, 0x00 };
	uint8_t only_length[] = { 0x00, 0x04, 0x00, 0x04 };

	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_E_OPT_NO_END);
	CU_ASSERT_EQUAL(parse_opts(PGM_ODATA, o, sizeof o, &q), PGM_E_OPT_NO_END);
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, only_length, sizeof only_length, &q), PGM_E_OPT_NO_END);
}

static void test_opx(void)
{
	struct pgm_pkt q;
	uint8_t o[] = { 0x00, 0x04, 0x00, 0x0c, 0x0d, 0x04, 0x00, 0x00, 0xa0, 0x04, 0x00, 0x00 };

	o[10] = PGM_OPX_IGNORE;
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_OK);
	CU_ASSERT_EQUAL(q.opt.unknown, 1);
	CU_ASSERT_EQUAL(q.opt.invalidate_count, 0);
	CU_ASSERT(q.opt.has & (1u << PGM_OPT_SYN));
	o[10] = PGM_OPX_INVALIDATE;
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_OK);
	CU_ASSERT_EQUAL(q.opt.invalidate_count, 1);
	CU_ASSERT_EQUAL(q.opt.invalidate_off[0], q.hdr_len + 8);
	o[10] = PGM_OPX_DISCARD;
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_E_OPT_DISCARD);
	o[10] = PGM_OPX_RESERVED;
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_E_OPT_DISCARD);
	/* A known option is processed whatever its OPX says. */
	o[8] = PGM_OPT_FIN | PGM_OPT_END;
	o[10] = PGM_OPX_DISCARD;
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_OK);
	/* An already invalidated option is not queued again. */
	o[8] = PGM_OPT_INVALID | PGM_OPT_END;
	o[10] = PGM_OPX_INVALIDATE;
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_OK);
	CU_ASSERT_EQUAL(q.opt.invalidate_count, 0);
}

static void test_duplicate(void)
{
	struct pgm_pkt q;
	uint8_t o[] = { 0x00, 0x04, 0x00, 0x0c, 0x0d, 0x04, 0x00, 0x00, 0x8d, 0x04, 0x00, 0x00 };

	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_E_OPT_DUPLICATE);
	o[4] = PGM_OPT_LENGTH; /* a second OPT_LENGTH */
	CU_ASSERT_EQUAL(parse_opts(PGM_SPM, o, sizeof o, &q), PGM_E_OPT_DUPLICATE);
}

static void test_tsdu_length(void)
{
	struct pgm_pkt p, q;
	uint8_t b[256];
	size_t n;

	fx_pkt(&p, PGM_ODATA, false);
	n = pgm_build(b, sizeof b, &p);
	b[15]++;
	CU_ASSERT_EQUAL(pgm_parse(b, n, PGM_PARSE_NO_CSUM, &q), PGM_E_TSDU_LENGTH);
	b[15] -= 2;
	CU_ASSERT_EQUAL(pgm_parse(b, n, PGM_PARSE_NO_CSUM, &q), PGM_E_TSDU_LENGTH);
	/* Non-data packets carry no TSDU and nothing after their options. */
	fx_pkt(&p, PGM_NAK, false);
	n = pgm_build(b, sizeof b, &p);
	b[15] = 1;
	CU_ASSERT_EQUAL(pgm_parse(b, n, PGM_PARSE_NO_CSUM, &q), PGM_E_TSDU_LENGTH);
	b[15] = 0;
	CU_ASSERT_EQUAL(pgm_parse(b, n + 4, PGM_PARSE_NO_CSUM, &q), PGM_E_TSDU_LENGTH);
}

static void test_netsig_without_options(void)
{
	struct pgm_pkt p, q;
	uint8_t b[256];
	size_t n;

	fx_pkt(&p, PGM_NCF, false);
	n = pgm_build(b, sizeof b, &p);
	b[5] = PGM_OPT_NETSIG;
	CU_ASSERT_EQUAL(pgm_parse(b, n, PGM_PARSE_NO_CSUM, &q), PGM_E_OPT_UNEXPECTED);
}

/* Deterministic noise: no input, however mangled, trips ASan or UBSan. */
static void test_mangled(void)
{
	struct pgm_pkt p, q;
	uint8_t b[512];
	uint32_t seed = 12345;
	size_t i, n, k;

	for (i = 0; i < 20000; i++) {
		fx_pkt(&p, fx_types[i % FX_NTYPES], i & 1);
		fx_opt_fill(&p.opt, fx_opt_types[i % FX_NOPTS], i & 2);
		fx_opt_fill(&p.opt, PGM_OPT_NAK_LIST, i & 2);
		n = pgm_build(b, sizeof b, &p);
		CU_ASSERT_FATAL(n > 0);
		for (k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			b[(seed >> 8) % n] = (uint8_t)(seed >> 20);
		}
		(void)parse_exact(b, n - (i % 7 == 0 ? (seed >> 4) % n : 0), PGM_PARSE_NO_CSUM, &q);
	}
	CU_PASS("no sanitizer report");
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"truncated at every length", test_truncated_every_length},
		{"version bits and unknown types", test_version_and_type},
		{"checksum", test_checksum},
		{"unknown AFI", test_bad_afi},
		{"OPT_LENGTH missing or wrong size", test_opt_length_missing},
		{"OPT_LENGTH lies", test_opt_length_lies},
		{"chain past the end", test_opt_overrun},
		{"more than 16 options", test_opt_too_many},
		{"option length wrong for its type", test_opt_bad_len},
		{"NAK_LIST lengths 0..251", test_nak_list_lengths},
		{"missing END", test_opt_no_end},
		{"OPX ignore/invalidate/discard", test_opx},
		{"duplicate options", test_duplicate},
		{"TSDU length", test_tsdu_length},
		{"NETSIG without options", test_netsig_without_options},
		{"mangled packets", test_mangled},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("wire errors", tests);
	return unit_run();
}
