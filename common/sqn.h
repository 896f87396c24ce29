/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sequence number arithmetic, RFC 3208 §6.2 (serial number arithmetic,
 * RFC 1982 style, 32 bits): a precedes b when (int32_t)(a - b) < 0.
 */
#ifndef PGMNE_SQN_H
#define PGMNE_SQN_H

#include <stdbool.h>
#include <stdint.h>

static inline int32_t sqn_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(uint32_t)(a - b);
}
static inline bool sqn_lt(uint32_t a, uint32_t b) { return sqn_diff(a, b) < 0; }
static inline bool sqn_le(uint32_t a, uint32_t b) { return sqn_diff(a, b) <= 0; }
static inline bool sqn_gt(uint32_t a, uint32_t b) { return sqn_diff(a, b) > 0; }
static inline bool sqn_ge(uint32_t a, uint32_t b) { return sqn_diff(a, b) >= 0; }
/* a in [lo, hi] in serial order */
static inline bool sqn_in(uint32_t a, uint32_t lo, uint32_t hi)
{
	return sqn_ge(a, lo) && sqn_le(a, hi);
}

#endif
