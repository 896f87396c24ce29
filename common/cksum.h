/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internet checksum as PGM uses it (RFC 3208 §8): ones' complement sum
 * over the whole PGM packet, no pseudo-header. 0 on the wire means "no
 * checksum"; a computed 0 is sent as 0xFFFF.
 */
#ifndef PGMNE_CKSUM_H
#define PGMNE_CKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Ones' complement sum of len bytes, folded to 16 bits, not inverted. */
uint16_t cksum_partial(const void *buf, size_t len, uint32_t sum);
/*
 * Final checksum of buf (field must be zero in buf), already 0 -> 0xFFFF
 * mapped. All values here are 16-bit words as loaded from / stored to
 * the buffer with memcpy (i.e. in network byte order): store the result
 * with memcpy(buf + 6, &c, 2), or compare ntohs(c) with a host value.
 */
uint16_t pgm_cksum(const void *buf, size_t len);
/* True if a packet's stored checksum verifies (or is 0 = none). */
int pgm_cksum_ok(const void *buf, size_t len);
/*
 * RFC 1624 eqn. 3 incremental update: HC' = ~(~HC + ~m + m'), with 16-bit
 * words old_w -> new_w (as read from the buffer, any byte order consistent
 * with the stored checksum). Keeps the 0xFFFF rule.
 */
static inline uint16_t cksum_update16(uint16_t hc, uint16_t old_w, uint16_t new_w)
{
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Three 16-bit words sum
	 * below 2^18: two folds bring it to 16 bits. Inline: once per NCF. */
	uint32_t sum = (uint16_t)~hc;
	sum += (uint16_t)~old_w;
	sum += new_w;
	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	uint16_t c = (uint16_t)~sum;
	return c == 0 ? 0xFFFF : c;
}
/* Same for a run of bytes changed in place (even offset from packet start). */
uint16_t cksum_update_bytes(uint16_t hc, const void *old_b, const void *new_b, size_t len);
/* IPv4 header checksum. */
uint16_t ip_cksum(const void *hdr, size_t len);

#endif
