/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TSI text forms, equality and hash (RFC 3208 §3.1). */
#include <string.h>

#include "common/tsi.h"
#include "unit_util.h"

static const struct pgm_tsi sample = { { 0x0a, 0x0b, 0x0c, 0xd0, 0xe0, 0xff }, 4321 };

static void test_format(void)
{
	char buf[PGM_TSI_STRLEN];
	struct pgm_tsi t = { { 0, 0, 0, 0, 0, 0 }, 65535 };

	CU_ASSERT_STRING_EQUAL(pgm_tsi_format(&sample, buf, sizeof buf), "0a0b0cd0e0ff.4321");
	CU_ASSERT_STRING_EQUAL(pgm_tsi_format(&t, buf, sizeof buf), "000000000000.65535");
	/* A short buffer is truncated, never overrun. */
	CU_ASSERT_STRING_EQUAL(pgm_tsi_format(&sample, buf, 5), "0a0b");
}

static void test_parse_both_forms(void)
{
	struct pgm_tsi t;
	char buf[PGM_TSI_STRLEN];

	CU_ASSERT_TRUE(pgm_tsi_parse("0a0b0cd0e0ff.4321", &t));
	CU_ASSERT(pgm_tsi_eq(&t, &sample));
	CU_ASSERT_TRUE(pgm_tsi_parse("0A0B0CD0E0FF.4321", &t));
	CU_ASSERT(pgm_tsi_eq(&t, &sample));
	CU_ASSERT_TRUE(pgm_tsi_parse("10.11.12.208.224.255.4321", &t));
	CU_ASSERT(pgm_tsi_eq(&t, &sample));
	CU_ASSERT_TRUE(pgm_tsi_parse("0.0.0.0.0.0.0", &t));
	CU_ASSERT_EQUAL(t.sport, 0);
	/* format -> parse round trip */
	CU_ASSERT_TRUE(pgm_tsi_parse(pgm_tsi_format(&sample, buf, sizeof buf), &t));
	CU_ASSERT(pgm_tsi_eq(&t, &sample));
}

static void test_parse_rejects(void)
{
	static const char *const bad[] = {
		"", ".", "0a0b0c0d0e0f", "0a0b0c0d0e0f.", "0a0b0c0d0e0g.1",
		"0a0b0c0d0e0f.65536", "0a0b0c0d0e0f.12x", "0a0b0c0d0e0f.1.2",
		"0a0b0c0d0e.1234", "0a0b0c0d0e0f0a.1", " 0a0b0c0d0e0f.1",
		"1.2.3.4.5.256.1", "1.2.3.4.5.6", "1.2.3.4.5.6.7.8", "1.2.3.4.5.6.",
		"1.2.3.4.5.6.70000", "1..3.4.5.6.7", "-1.2.3.4.5.6.7", "0001.2.3.4.5.6.7",
		"1.2.3.4.5.6.7 ", "1.2.3.4.5.6.123456",
	};
	struct pgm_tsi t = sample;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_FALSE(pgm_tsi_parse(bad[i], &t));
		/* A rejected string leaves the output alone. */
		CU_ASSERT(pgm_tsi_eq(&t, &sample));
	}
	CU_ASSERT_FALSE(pgm_tsi_parse(NULL, &t));
}

static void test_eq_and_hash(void)
{
	struct pgm_tsi a = sample, b = sample;

	CU_ASSERT(pgm_tsi_eq(&a, &b));
	CU_ASSERT_EQUAL(pgm_tsi_hash(&a), pgm_tsi_hash(&b));
	b.sport++;
	CU_ASSERT_FALSE(pgm_tsi_eq(&a, &b));
	CU_ASSERT_NOT_EQUAL(pgm_tsi_hash(&a), pgm_tsi_hash(&b));
	b = sample;
	b.gsi[5] ^= 1;
	CU_ASSERT_FALSE(pgm_tsi_eq(&a, &b));
	CU_ASSERT_NOT_EQUAL(pgm_tsi_hash(&a), pgm_tsi_hash(&b));
}

/* Hash spreads consecutive ports over buckets (session table use). */
static void test_hash_spread(void)
{
	unsigned buckets[64] = { 0 };
	struct pgm_tsi t = sample;
	unsigned i, max = 0;

	for (i = 0; i < 6400; i++) {
		t.sport = (uint16_t)i;
		buckets[pgm_tsi_hash(&t) % 64]++;
	}
	for (i = 0; i < 64; i++)
		if (buckets[i] > max)
			max = buckets[i];
	CU_ASSERT(max < 200); /* mean 100 */
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"format", test_format},
		{"parse hex and OpenPGM forms", test_parse_both_forms},
		{"parse rejects", test_parse_rejects},
		{"equality and hash", test_eq_and_hash},
		{"hash spread", test_hash_spread},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("tsi", tests);
	return unit_run();
}
