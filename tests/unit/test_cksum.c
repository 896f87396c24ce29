/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checksums (RFC 3208 §8, RFC 1071, RFC 1624) against a straightforward
 * independent computation.
 */
#include <string.h>

#include "common/cksum.h"
#include "unit_util.h"

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Folded big-endian word sum, computed the obvious way. */
static uint16_t ref_sum(const uint8_t *b, size_t len)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		sum += (uint32_t)b[i] << 8 | (i + 1 < len ? b[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)sum;
}

/* Wire bytes of a memcpy-stored checksum, as a big-endian number. */
static uint16_t as_wire(uint16_t stored)
{
	uint8_t b[2];
	memcpy(b, &stored, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void test_against_reference(void)
{
	uint8_t b[301];
	uint32_t s = 1;
	size_t len, i;

	for (len = 0; len <= sizeof b; len++) {
		uint16_t want;
		for (i = 0; i < len; i++)
			b[i] = (uint8_t)lcg(&s);
		if (len >= 8)
			b[6] = b[7] = 0;
		want = (uint16_t)~ref_sum(b, len);
		if (want == 0)
			want = 0xFFFF;
		CU_ASSERT_EQUAL(as_wire(pgm_cksum(b, len)), want);
		CU_ASSERT_EQUAL(as_wire(cksum_partial(b, len, 0)), ref_sum(b, len));
	}
}

/* All-ones words carry out of every 64-bit addition (the end-around
 * carry of cksum_partial's eight-byte loop), at every length and tail. */
static void test_carries(void)
{
	uint8_t b[301];
	size_t len;

	memset(b, 0xFF, sizeof b);
	for (len = 0; len <= sizeof b; len++)
		CU_ASSERT_EQUAL(as_wire(cksum_partial(b, len, 0)), ref_sum(b, len));
	/* With the largest starting sum too: every sum here is a non-zero
	 * multiple of 0xFFFF, which folds to 0xFFFF. */
	for (len = 0; len <= sizeof b; len += 2)
		CU_ASSERT_EQUAL(cksum_partial(b, len, 0xFFFFFFFFu), 0xFFFF);
}

static void test_partial_chaining(void)
{
	uint8_t b[200];
	uint32_t s = 9;
	size_t i, cut;

	for (i = 0; i < sizeof b; i++)
		b[i] = (uint8_t)lcg(&s);
	/* Splitting at an even offset gives the same sum. */
	for (cut = 0; cut <= sizeof b; cut += 2)
		CU_ASSERT_EQUAL(cksum_partial(b + cut, sizeof b - cut, cksum_partial(b, cut, 0)),
		                cksum_partial(b, sizeof b, 0));
}

static void test_verify(void)
{
	uint8_t b[64];
	uint16_t c;
	uint32_t s = 3;
	size_t i;

	for (i = 0; i < sizeof b; i++)
		b[i] = (uint8_t)lcg(&s);
	b[6] = b[7] = 0;
	CU_ASSERT(pgm_cksum_ok(b, sizeof b)); /* zero: none computed */
	c = pgm_cksum(b, sizeof b);
	memcpy(b + 6, &c, 2);
	CU_ASSERT(pgm_cksum_ok(b, sizeof b));
	b[20] ^= 0x40;
	CU_ASSERT_FALSE(pgm_cksum_ok(b, sizeof b));
	CU_ASSERT_FALSE(pgm_cksum_ok(b, 7));
}

/* §8: a computed zero goes out as 0xFFFF, and 0xFFFF verifies. */
static void test_zero_becomes_ffff(void)
{
	uint8_t b[16] = { 1, 2, 3, 4, 5, 6, 0, 0, 9, 10, 11, 12, 13, 14, 0, 0 };
	uint16_t s = ref_sum(b, sizeof b), c;

	/* Make the word sum exactly 0xFFFF, whose complement is 0. */
	s = (uint16_t)(0xFFFF - s);
	b[14] = (uint8_t)(s >> 8);
	b[15] = (uint8_t)s;
	CU_ASSERT_EQUAL(ref_sum(b, sizeof b), 0xFFFF);
	c = pgm_cksum(b, sizeof b);
	CU_ASSERT_EQUAL(c, 0xFFFF);
	memcpy(b + 6, &c, 2);
	CU_ASSERT(pgm_cksum_ok(b, sizeof b));
}

/* RFC 1624: incremental update equals recomputation for random edits. */
static void test_incremental(void)
{
	uint8_t b[97];
	uint32_t s = 77;
	size_t i, iter;

	for (i = 0; i < sizeof b; i++)
		b[i] = (uint8_t)lcg(&s);
	b[6] = b[7] = 0;
	for (iter = 0; iter < 20000; iter++) {
		uint16_t c = pgm_cksum(b, sizeof b), old_w, new_w, full;
		size_t off = 8 + 2 * (lcg(&s) % 44);
		uint8_t saved[2];

		memcpy(saved, b + off, 2);
		memcpy(&old_w, b + off, 2);
		b[off] = (uint8_t)lcg(&s);
		if (iter % 3)
			b[off + 1] = (uint8_t)lcg(&s);
		memcpy(&new_w, b + off, 2);
		full = pgm_cksum(b, sizeof b);
		CU_ASSERT_EQUAL(cksum_update16(c, old_w, new_w), full);
		CU_ASSERT_EQUAL(cksum_update_bytes(c, saved, b + off, 2), full);
	}
}

static void test_update_bytes_run(void)
{
	uint8_t b[64], old[16];
	uint32_t s = 5;
	size_t i;
	uint16_t c;

	for (i = 0; i < sizeof b; i++)
		b[i] = (uint8_t)lcg(&s);
	b[6] = b[7] = 0;
	c = pgm_cksum(b, sizeof b);
	memcpy(old, b + 32, 16);
	for (i = 0; i < 16; i++)
		b[32 + i] = (uint8_t)lcg(&s);
	CU_ASSERT_EQUAL(cksum_update_bytes(c, old, b + 32, 16), pgm_cksum(b, sizeof b));
}

static void test_ip_header(void)
{
	/* RFC 1071-style example: a classic IPv4 header. */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	                  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t c = ip_cksum(h, sizeof h);

	CU_ASSERT_EQUAL(as_wire(c), 0xb861);
	memcpy(h + 10, &c, 2);
	CU_ASSERT_EQUAL(ref_sum(h, sizeof h), 0xFFFF);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"against reference, lengths 0..301", test_against_reference},
		{"partial sums chain", test_partial_chaining},
		{"64-bit carries", test_carries},
		{"verify", test_verify},
		{"computed 0 sent as 0xFFFF", test_zero_becomes_ffff},
		{"RFC 1624 update equals recomputation", test_incremental},
		{"update over a run of bytes", test_update_bytes_run},
		{"IPv4 header checksum", test_ip_header},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("cksum", tests);
	return unit_run();
}
