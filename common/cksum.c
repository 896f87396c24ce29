/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internet checksum (RFC 1071) as PGM uses it, RFC 3208 §8, with the
 * RFC 1624 incremental update for the NE's in-place rewrites.
 *
 * Words are loaded with memcpy in the host's native order; the ones'
 * complement sum is byte-order independent (RFC 1071 §2(B)), so the
 * results are ready to be stored back with memcpy.
 */
#include <string.h>

#include "cksum.h"

/* A sum below 2^34 folded to 16 bits: three fixed steps, no loop
 * (< 2^34 -> < 2^18 + 2^16 -> <= 0x10003 -> <= 0xFFFF). */
static uint16_t fold34(uint64_t sum)
{
	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)sum;
}

/* acc + w with the carry out of bit 63 added back in (end-around carry):
 * cannot wrap again, after a wrap acc <= 2^64 - 2. GCC makes it add, adc. */
static inline uint64_t add_eac(uint64_t acc, uint64_t w)
{
	acc += w;
	return acc + (acc < w);
}

uint16_t cksum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = sum, w, w2;
	uint32_t w4;
	uint16_t w1;
	size_t i = 0;

	/* Eight bytes at a time with end-around carry: a 64-bit word is the
	 * sum of its 16-bit words times powers of 2^16, and 2^16 = 1 in ones'
	 * complement arithmetic (mod 0xFFFF), so this sum folded is the
	 * RFC 1071 sum. Every NAK, NCF and RDATA through the engine is
	 * verified with this (36-40 bytes): two words per loop iteration,
	 * and the tail without a loop. */
	for (; i + 16 <= len; i += 16) {
		memcpy(&w, p + i, 8);
		memcpy(&w2, p + i + 8, 8);
		acc = add_eac(add_eac(acc, w), w2);
	}
	if (len - i >= 8) {
		memcpy(&w, p + i, 8);
		acc = add_eac(acc, w);
		i += 8;
	}
	/* Down to 33 bits; the tail adds less than 2^32 + 2^17: below 2^34. */
	acc = (acc & 0xFFFFFFFFu) + (acc >> 32);
	if (len - i >= 4) {
		memcpy(&w4, p + i, 4);
		acc += w4;
		i += 4;
	}
	if (len - i >= 2) {
		memcpy(&w1, p + i, 2);
		acc += w1;
		i += 2;
	}
	if (len - i == 1) {
		/* The odd byte is the high-order byte of a zero-padded word. */
		uint8_t pad[2] = { p[i], 0 };
		memcpy(&w1, pad, 2);
		acc += w1;
	}
	return fold34(acc);
}

uint16_t pgm_cksum(const void *buf, size_t len)
{
	uint16_t c = (uint16_t)~cksum_partial(buf, len, 0);
	/* §8: a computed zero is transmitted as all ones. */
	return c == 0 ? 0xFFFF : c;
}

int pgm_cksum_ok(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint16_t stored;

	if (len < 8)
		return 0;
	memcpy(&stored, p + 6, 2);
	if (stored == 0)
		return 1; /* §8: zero means the sender computed none */
	/* A correct packet sums (stored field included) to all ones. */
	return cksum_partial(buf, len, 0) == 0xFFFF;
}

uint16_t cksum_update_bytes(uint16_t hc, const void *old_b, const void *new_b, size_t len)
{
	const uint8_t *o = old_b, *n = new_b;
	size_t i;

	for (i = 0; i < len; i += 2) {
		uint8_t ow[2] = { o[i], i + 1 < len ? o[i + 1] : 0 };
		uint8_t nw[2] = { n[i], i + 1 < len ? n[i + 1] : 0 };
		uint16_t a, b;
		memcpy(&a, ow, 2);
		memcpy(&b, nw, 2);
		hc = cksum_update16(hc, a, b);
	}
	return hc;
}

uint16_t ip_cksum(const void *hdr, size_t len)
{
	return (uint16_t)~cksum_partial(hdr, len, 0);
}
