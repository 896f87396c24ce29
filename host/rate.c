/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Token bucket, RFC 3208 §5.1.2. */
#include "host/rate.h"

/* Add the tokens earned since last_ms; bytes_per_s must be non-zero. */
static void refill(struct rate_bucket *b, uint64_t now_ms)
{
	if (now_ms <= b->last_ms)
		return;
	uint64_t elapsed = now_ms - b->last_ms;
	uint64_t room = b->cap_milli - b->tokens_milli;
	b->last_ms = now_ms;
	/* milli-bytes earned = elapsed ms * bytes/s, exact; compare first
	 * so a long idle period cannot overflow the product */
	if (elapsed > room / b->bytes_per_s)
		b->tokens_milli = b->cap_milli;
	else
		b->tokens_milli += elapsed * b->bytes_per_s;
}

void rate_init(struct rate_bucket *b, uint32_t kbit_per_s, uint32_t window_ms,
               size_t min_burst, uint64_t now_ms)
{
	b->bytes_per_s = (uint64_t)kbit_per_s * 1000 / 8;
	uint64_t burst = b->bytes_per_s * window_ms / 1000;
	if (burst < min_burst)
		burst = min_burst;
	b->cap_milli = burst * 1000;
	b->tokens_milli = b->cap_milli;
	b->last_ms = now_ms;
}

uint64_t rate_wait_ms(struct rate_bucket *b, size_t bytes, uint64_t now_ms)
{
	if (b->bytes_per_s == 0)
		return 0;
	refill(b, now_ms);
	uint64_t need = (uint64_t)bytes * 1000;
	if (need > b->cap_milli)
		need = b->cap_milli; /* oversized: wait for a full bucket */
	if (b->tokens_milli >= need)
		return 0;
	uint64_t missing = need - b->tokens_milli;
	return (missing + b->bytes_per_s - 1) / b->bytes_per_s;
}

void rate_consume(struct rate_bucket *b, size_t bytes, uint64_t now_ms)
{
	if (b->bytes_per_s == 0)
		return;
	refill(b, now_ms);
	uint64_t take = (uint64_t)bytes * 1000;
	b->tokens_milli = take >= b->tokens_milli ? 0 : b->tokens_milli - take;
}
