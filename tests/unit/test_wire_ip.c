/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 framing for PGM: header build/parse, Router Alert (RFC 2113). */
#include <arpa/inet.h>
#include <string.h>

#include "common/wire.h"
#include "unit_util.h"

static struct in_addr addr(const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	return a;
}

/* Folded sum of a header including its checksum: 0xFFFF when right. */
static uint16_t sum_words(const uint8_t *b, size_t len)
{
	uint32_t sum = 0;
	size_t i;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)sum;
}

static void test_build_parse(void)
{
	uint8_t b[64];
	struct pgm_ip ip;
	int ra;

	for (ra = 0; ra < 2; ra++) {
		size_t hl = pgm_ip_build(b, sizeof b, addr("10.0.0.1"), addr("239.192.0.1"), 16, ra, 40);
		CU_ASSERT_EQUAL_FATAL(hl, ra ? 24u : 20u);
		CU_ASSERT_EQUAL(b[0], ra ? 0x46 : 0x45);
		CU_ASSERT_EQUAL(b[9], PGM_IPPROTO);
		CU_ASSERT_EQUAL(sum_words(b, hl), 0xFFFF);
		if (ra)
			CU_ASSERT(memcmp(b + 20, "\x94\x04\x00\x00", 4) == 0);
		CU_ASSERT_EQUAL_FATAL(pgm_ip_parse(b, hl + 40, &ip), PGM_OK);
		CU_ASSERT_EQUAL(ip.hdr_len, hl);
		CU_ASSERT_EQUAL(ip.total_len, hl + 40);
		CU_ASSERT_EQUAL(ip.ttl, 16);
		CU_ASSERT_EQUAL(ip.proto, PGM_IPPROTO);
		CU_ASSERT_EQUAL(ip.router_alert, ra);
		CU_ASSERT_FALSE(ip.fragment);
		CU_ASSERT_EQUAL(ip.src.s_addr, addr("10.0.0.1").s_addr);
		CU_ASSERT_EQUAL(ip.dst.s_addr, addr("239.192.0.1").s_addr);
	}
}

static void test_build_limits(void)
{
	uint8_t b[64];

	CU_ASSERT_EQUAL(pgm_ip_build(b, 19, addr("1.1.1.1"), addr("2.2.2.2"), 1, false, 0), 0);
	CU_ASSERT_EQUAL(pgm_ip_build(b, 23, addr("1.1.1.1"), addr("2.2.2.2"), 1, true, 0), 0);
	CU_ASSERT_EQUAL(pgm_ip_build(b, sizeof b, addr("1.1.1.1"), addr("2.2.2.2"), 1, false, 65516), 0);
	CU_ASSERT_EQUAL(pgm_ip_build(b, sizeof b, addr("1.1.1.1"), addr("2.2.2.2"), 1, false, 65515), 20);
}

static void test_parse_errors(void)
{
	uint8_t b[64];
	struct pgm_ip ip;
	size_t len, hl = pgm_ip_build(b, sizeof b, addr("10.0.0.1"), addr("10.0.0.2"), 3, true, 8);

	for (len = 0; len < hl + 8; len++)
		CU_ASSERT_NOT_EQUAL(pgm_ip_parse(b, len, &ip), PGM_OK);
	CU_ASSERT_EQUAL(pgm_ip_parse(b, 10, &ip), PGM_E_TRUNCATED);
	CU_ASSERT_EQUAL(pgm_ip_parse(b, hl + 7, &ip), PGM_E_TRUNCATED);
	b[0] = 0x66; /* version 6 */
	CU_ASSERT_EQUAL(pgm_ip_parse(b, hl + 8, &ip), PGM_E_BAD_VERSION);
	b[0] = 0x44; /* IHL below 5 */
	CU_ASSERT_EQUAL(pgm_ip_parse(b, hl + 8, &ip), PGM_E_BAD_VERSION);
	b[0] = 0x4F; /* IHL past the buffer */
	CU_ASSERT_EQUAL(pgm_ip_parse(b, hl + 8, &ip), PGM_E_TRUNCATED);
	b[0] = 0x46;
	b[21] = 9; /* RA option claims 9 bytes of 4 */
	CU_ASSERT_EQUAL(pgm_ip_parse(b, hl + 8, &ip), PGM_E_BAD_VERSION);
	b[21] = 1;
	CU_ASSERT_EQUAL(pgm_ip_parse(b, hl + 8, &ip), PGM_E_BAD_VERSION);
	b[20] = 1; b[21] = 1; b[22] = 1; b[23] = 0; /* NOPs then EOL: fine, no RA */
	CU_ASSERT_EQUAL(pgm_ip_parse(b, hl + 8, &ip), PGM_OK);
	CU_ASSERT_FALSE(ip.router_alert);
	b[2] = 0; b[3] = 10; /* total length shorter than the header */
	CU_ASSERT_EQUAL(pgm_ip_parse(b, hl + 8, &ip), PGM_E_BAD_VERSION);
	CU_ASSERT_EQUAL(pgm_ip_parse(NULL, 0, &ip), PGM_E_TRUNCATED);
}

static void test_fragment_flag(void)
{
	uint8_t b[64];
	struct pgm_ip ip;
	size_t hl = pgm_ip_build(b, sizeof b, addr("10.0.0.1"), addr("10.0.0.2"), 3, false, 8);

	b[6] = 0x20; /* MF */
	CU_ASSERT_EQUAL(pgm_ip_parse(b, hl + 8, &ip), PGM_OK);
	CU_ASSERT(ip.fragment);
	b[6] = 0x40; b[7] = 0x01; /* DF with an offset: still a fragment */
	CU_ASSERT_EQUAL(pgm_ip_parse(b, hl + 8, &ip), PGM_OK);
	CU_ASSERT(ip.fragment);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"build and parse, with and without RA", test_build_parse},
		{"build limits", test_build_limits},
		{"parse errors", test_parse_errors},
		{"fragment flag", test_fragment_flag},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("wire ip", tests);
	return unit_run();
}
