/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wire codec: hand-assembled vectors from the RFC 3208 layouts (§8.1,
 * §8.2, §8.3, §9), and build -> parse round trips for every packet type
 * and every option, IPv4 and IPv6.
 */
#include <stdio.h>
#include <string.h>

#include "test_wire_fixtures.h"
#include "unit_util.h"

/* §8.1 SPM: ports, type 0, no options, GSI, TSDU 0, SQN/trail/lead, NLA. */
static const uint8_t spm_vec[] = {
	0x12, 0x34, 0x1d, 0x4c, 0x00, 0x00, 0x00, 0x00,
	0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x05,
	0xff, 0xff, 0xff, 0xf0, 0x00, 0x01, 0x00, 0x00,
	0x0a, 0x00, 0x01, 0x01,
};

/* §8.2 ODATA with §9.2.4 OPT_FRAGMENT (receiver-only: options byte 0x01). */
static const uint8_t odata_vec[] = {
	0x12, 0x34, 0x1d, 0x4c, 0x04, 0x01, 0x00, 0x00,
	0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x00, 0x0a,
	0x80, 0x00, 0x00, 0x01, 0x7f, 0xff, 0xff, 0xff,
	0x00, 0x04, 0x00, 0x14,
	0x81, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
	0x00, 0x00, 0x05, 0x78, 0x00, 0x00, 0x13, 0x88,
	'h', 'e', 'l', 'l', 'o', ',', ' ', 'P', 'G', 'M',
};

/* §8.3 NAK with §9.3.5 OPT_NAK_LIST (network-significant: 0x03). */
static const uint8_t nak_vec[] = {
	0x12, 0x34, 0x1d, 0x4c, 0x08, 0x03, 0x00, 0x00,
	0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x2a, 0x00, 0x01, 0x00, 0x00,
	0x0a, 0x00, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00,
	0xef, 0xc0, 0x00, 0x01,
	0x00, 0x04, 0x00, 0x14,
	0x82, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2b,
	0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x2d,
};

/* pgm_build(view) must equal the vector (checksum from the reference). */
static void check_vector(const uint8_t *vec, size_t len, const struct pgm_pkt *p)
{
	uint8_t want[256], got[256];
	struct pgm_pkt q;
	size_t n;

	memcpy(want, vec, len);
	fx_set_cksum(want, len);
	n = pgm_build(got, sizeof got, p);
	CU_ASSERT_EQUAL_FATAL(n, len);
	CU_ASSERT_EQUAL(pgm_build_len(p), len);
	CU_ASSERT(memcmp(got, want, len) == 0);
	CU_ASSERT_EQUAL_FATAL(pgm_parse(want, len, 0, &q), PGM_OK);
	CU_ASSERT_EQUAL(q.checksum, (uint16_t)(want[6] << 8 | want[7]));
	CU_ASSERT(fx_same(p, &q));
}

static void test_vector_spm(void)
{
	struct pgm_pkt p, q;
	uint8_t b[sizeof spm_vec];

	fx_pkt(&p, PGM_SPM, false);
	check_vector(spm_vec, sizeof spm_vec, &p);
	memcpy(b, spm_vec, sizeof b);
	fx_set_cksum(b, sizeof b);
	CU_ASSERT_EQUAL_FATAL(pgm_parse(b, sizeof b, 0, &q), PGM_OK);
	CU_ASSERT_EQUAL(q.u.spm.sqn, 100);
	CU_ASSERT_EQUAL(q.u.spm.lead, 0xFFFFFFF0u);
	CU_ASSERT_EQUAL(q.nla_off, 32);
	CU_ASSERT_EQUAL(q.hdr_len, 36);
	CU_ASSERT_EQUAL(q.tsi.sport, 0x1234);
}

static void test_vector_odata(void)
{
	struct pgm_pkt p, q;
	uint8_t b[sizeof odata_vec];

	fx_pkt(&p, PGM_ODATA, false);
	fx_opt_fill(&p.opt, PGM_OPT_FRAGMENT, false);
	check_vector(odata_vec, sizeof odata_vec, &p);
	memcpy(b, odata_vec, sizeof b);
	fx_set_cksum(b, sizeof b);
	CU_ASSERT_EQUAL_FATAL(pgm_parse(b, sizeof b, 0, &q), PGM_OK);
	CU_ASSERT_EQUAL(q.data_len, 10);
	CU_ASSERT_PTR_EQUAL(q.data, b + 44);
	CU_ASSERT_EQUAL(q.opt.total_len, 20);
	CU_ASSERT_EQUAL(q.opt.count, 2);
	CU_ASSERT_EQUAL(q.opt.fragment.length, 5000);
}

static void test_vector_nak(void)
{
	struct pgm_pkt p, q;
	uint8_t b[sizeof nak_vec];

	fx_pkt(&p, PGM_NAK, false);
	fx_opt_fill(&p.opt, PGM_OPT_NAK_LIST, false);
	check_vector(nak_vec, sizeof nak_vec, &p);
	memcpy(b, nak_vec, sizeof b);
	fx_set_cksum(b, sizeof b);
	CU_ASSERT_EQUAL_FATAL(pgm_parse(b, sizeof b, 0, &q), PGM_OK);
	/* §8.3: a NAK's TSI port is its destination port. */
	CU_ASSERT_EQUAL(q.tsi.sport, 7500);
	CU_ASSERT_EQUAL(q.opt.nak_list.count, 3);
	CU_ASSERT_EQUAL(q.opt.nak_list.sqn[2], 45);
	CU_ASSERT_EQUAL(q.u.nak.grp.u.v4.s_addr, htonl(0xefc00001));
}

static void round_trip(const struct pgm_pkt *p, const char *what)
{
	uint8_t buf[2048];
	struct pgm_pkt q;
	size_t n = pgm_build(buf, sizeof buf, p);
	enum pgm_err e;

	CU_ASSERT_NOT_EQUAL_FATAL(n, 0);
	CU_ASSERT_EQUAL(n, pgm_build_len(p));
	e = pgm_parse(buf, n, 0, &q);
	if (e != PGM_OK || !fx_same(p, &q))
		fprintf(stderr, "round trip %s: %s\n", what, pgm_err_name(e));
	CU_ASSERT_EQUAL(e, PGM_OK);
	CU_ASSERT(fx_same(p, &q));
	CU_ASSERT(pgm_cksum_ok(buf, n));
	/* Every capacity short of the length is refused without writing past it. */
	CU_ASSERT_EQUAL(pgm_build(buf, n - 1, p), 0);
}

static void test_round_trip_types(void)
{
	struct pgm_pkt p;
	size_t i;
	int v6;

	for (v6 = 0; v6 < 2; v6++)
		for (i = 0; i < FX_NTYPES; i++) {
			fx_pkt(&p, fx_types[i], v6);
			round_trip(&p, pgm_type_name(fx_types[i]));
		}
}

static void test_round_trip_each_option(void)
{
	struct pgm_pkt p;
	size_t i, j;
	int v6;

	for (v6 = 0; v6 < 2; v6++)
		for (i = 0; i < FX_NTYPES; i++)
			for (j = 0; j < FX_NOPTS; j++) {
				fx_pkt(&p, fx_types[i], v6);
				fx_opt_fill(&p.opt, fx_opt_types[j], v6);
				round_trip(&p, pgm_opt_name(fx_opt_types[j]));
			}
}

static void test_round_trip_many_options(void)
{
	struct pgm_pkt p;
	uint8_t buf[2048];
	size_t j;

	/* 15 options + OPT_LENGTH = 16, the §9 limit. */
	fx_pkt(&p, PGM_SPM, false);
	for (j = 0; j < FX_NOPTS - 1; j++)
		fx_opt_fill(&p.opt, fx_opt_types[j], false);
	round_trip(&p, "fifteen options");
	/* A 16th option would make 17. */
	fx_opt_fill(&p.opt, fx_opt_types[FX_NOPTS - 1], false);
	CU_ASSERT_EQUAL(pgm_build_len(&p), 0);
	CU_ASSERT_EQUAL(pgm_build(buf, sizeof buf, &p), 0);
}

static void test_nak_list_limits(void)
{
	struct pgm_pkt p;
	uint8_t buf[512];
	unsigned i;

	fx_pkt(&p, PGM_NAK, false);
	p.opt.has = 1u << PGM_OPT_NAK_LIST;
	for (i = 0; i < PGM_MAX_NAK_LIST; i++)
		p.opt.nak_list.sqn[i] = 1000 + i;
	for (i = 1; i <= PGM_MAX_NAK_LIST; i++) {
		p.opt.nak_list.count = i;
		round_trip(&p, "nak list");
	}
	p.opt.nak_list.count = 0;
	CU_ASSERT_EQUAL(pgm_build(buf, sizeof buf, &p), 0);
	p.opt.nak_list.count = PGM_MAX_NAK_LIST + 1;
	CU_ASSERT_EQUAL(pgm_build(buf, sizeof buf, &p), 0);
}

static void test_option_order_and_flags(void)
{
	struct pgm_pkt p, q;
	uint8_t buf[256];
	size_t n;

	/* Receiver-only options: PRESENT, not NETSIG; §9.1 order keeps the
	 * network-significant PATH_NLA ahead of JOIN. */
	fx_pkt(&p, PGM_ODATA, false);
	fx_opt_fill(&p.opt, PGM_OPT_JOIN, false);
	n = pgm_build(buf, sizeof buf, &p);
	CU_ASSERT_EQUAL(buf[5], PGM_OPT_PRESENT);
	fx_opt_fill(&p.opt, PGM_OPT_PATH_NLA, false);
	n = pgm_build(buf, sizeof buf, &p);
	CU_ASSERT_EQUAL(buf[5], PGM_OPT_PRESENT | PGM_OPT_NETSIG);
	CU_ASSERT_EQUAL_FATAL(pgm_parse(buf, n, 0, &q), PGM_OK);
	CU_ASSERT_EQUAL(buf[q.hdr_len + 4], PGM_OPT_PATH_NLA);
	CU_ASSERT_EQUAL(buf[q.hdr_len + 12], PGM_OPT_JOIN | PGM_OPT_END);
	/* Parity bits pass through; PRESENT is never taken from the view. */
	fx_pkt(&p, PGM_RDATA, false);
	p.opt_flags = PGM_OPT_PARITY | PGM_OPT_PRESENT;
	n = pgm_build(buf, sizeof buf, &p);
	CU_ASSERT_EQUAL(buf[5], PGM_OPT_PARITY);
	CU_ASSERT_EQUAL(pgm_parse(buf, n, 0, &q), PGM_OK);
}

static void test_invalid_views(void)
{
	struct pgm_pkt p;
	uint8_t buf[256];

	fx_pkt(&p, PGM_SPM, false);
	p.u.spm.path.afi = 3;
	CU_ASSERT_EQUAL(pgm_build_len(&p), 0);
	fx_pkt(&p, 0x03, false);
	CU_ASSERT_EQUAL(pgm_build(buf, sizeof buf, &p), 0);
	fx_pkt(&p, PGM_ODATA, false);
	p.data = NULL;
	CU_ASSERT_EQUAL(pgm_build(buf, sizeof buf, &p), 0);
	fx_pkt(&p, PGM_NCF, false);
	fx_opt_fill(&p.opt, PGM_OPT_REDIRECT, false);
	p.opt.redirect.afi = 0;
	CU_ASSERT_EQUAL(pgm_build(buf, sizeof buf, &p), 0);
	fx_pkt(&p, PGM_NCF, false);
	CU_ASSERT_EQUAL(pgm_build(NULL, 0, &p), 0);
}

/* SQNs are plain 32-bit values on the wire: wrap-around survives (§6.2). */
static void test_sqn_wrap(void)
{
	static const uint32_t edge[] = { 0, 1, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu };
	struct pgm_pkt p, q;
	uint8_t b[512];
	size_t i, n;

	for (i = 0; i < sizeof edge / sizeof edge[0]; i++) {
		fx_pkt(&p, PGM_NAK, false);
		p.u.nak.sqn = edge[i];
		p.opt.has = 1u << PGM_OPT_NAK_LIST;
		p.opt.nak_list.count = 4; /* the list runs across the wrap */
		p.opt.nak_list.sqn[0] = edge[i] + 1;
		p.opt.nak_list.sqn[1] = edge[i] + 2;
		p.opt.nak_list.sqn[2] = edge[i] + 3;
		p.opt.nak_list.sqn[3] = edge[i] - 1;
		round_trip(&p, "sqn wrap");
		fx_pkt(&p, PGM_SPM, false);
		p.u.spm.sqn = edge[i];
		p.u.spm.trail = edge[i] + 1;
		p.u.spm.lead = edge[i] - 1;
		n = pgm_build(b, sizeof b, &p);
		CU_ASSERT_EQUAL_FATAL(pgm_parse(b, n, 0, &q), PGM_OK);
		CU_ASSERT_EQUAL(q.u.spm.sqn, edge[i]);
		CU_ASSERT_EQUAL(q.u.spm.trail, edge[i] + 1);
		CU_ASSERT_EQUAL(q.u.spm.lead, edge[i] - 1);
		/* Big-endian on the wire. */
		CU_ASSERT_EQUAL(b[16], (uint8_t)(edge[i] >> 24));
		CU_ASSERT_EQUAL(b[19], (uint8_t)edge[i]);
	}
}

static void test_names(void)
{
	int e;

	CU_ASSERT_STRING_EQUAL(pgm_type_name(PGM_NCF), "NCF");
	CU_ASSERT_STRING_EQUAL(pgm_type_name(0x0F), "UNKNOWN");
	CU_ASSERT_STRING_EQUAL(pgm_opt_name(PGM_OPT_NAK_LIST | PGM_OPT_END), "OPT_NAK_LIST");
	CU_ASSERT_STRING_EQUAL(pgm_opt_name(0x33), "OPT_UNKNOWN");
	CU_ASSERT_STRING_EQUAL(pgm_err_name(PGM_OK), "ok");
	CU_ASSERT_STRING_EQUAL(pgm_err_name(PGM_E_COUNT), "unknown");
	/* Every error has its own name: they become counter names. */
	for (e = 0; e < PGM_E_COUNT; e++) {
		int f;
		CU_ASSERT_STRING_NOT_EQUAL(pgm_err_name((enum pgm_err)e), "unknown");
		for (f = 0; f < e; f++)
			CU_ASSERT_STRING_NOT_EQUAL(pgm_err_name((enum pgm_err)e),
			                           pgm_err_name((enum pgm_err)f));
	}
}

static void test_nla_helpers(void)
{
	struct pgm_nla a = fx_v4("10.0.0.1"), b = fx_v4("10.0.0.1"), c = fx_v6("fe80::1");
	char s[INET6_ADDRSTRLEN];

	CU_ASSERT(pgm_nla_eq(&a, &b));
	CU_ASSERT_FALSE(pgm_nla_eq(&a, &c));
	CU_ASSERT_STRING_EQUAL(pgm_nla_ntop(&a, s, sizeof s), "10.0.0.1");
	CU_ASSERT_STRING_EQUAL(pgm_nla_ntop(&c, s, sizeof s), "fe80::1");
	c.afi = 9;
	CU_ASSERT_STRING_EQUAL(pgm_nla_ntop(&c, s, sizeof s), "afi9?");
	CU_ASSERT_EQUAL(pgm_nla_addr_len(PGM_AFI_IPV6), 16);
	CU_ASSERT_EQUAL(pgm_nla_addr_len(0), 0);
	CU_ASSERT(pgm_type_upstream(PGM_POLR));
	CU_ASSERT_FALSE(pgm_type_upstream(PGM_NCF));
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"SPM vector (8.1)", test_vector_spm},
		{"ODATA+OPT_FRAGMENT vector (8.2, 9.2.4)", test_vector_odata},
		{"NAK+OPT_NAK_LIST vector (8.3, 9.3.5)", test_vector_nak},
		{"round trip every type v4/v6", test_round_trip_types},
		{"round trip every option on every type", test_round_trip_each_option},
		{"16 options max", test_round_trip_many_options},
		{"NAK list 1..62", test_nak_list_limits},
		{"option order and options byte", test_option_order_and_flags},
		{"unencodable views refused", test_invalid_views},
		{"SQN wrap-around values", test_sqn_wrap},
		{"names", test_names},
		{"NLA helpers", test_nla_helpers},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("wire", tests);
	return unit_run();
}
