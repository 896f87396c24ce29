/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Token bucket rate limiter for a PGM source (RFC 3208 §5.1.1, §5.1.2):
 * over any interval the bytes sent never exceed the bucket size plus the
 * token rate times the interval. The bucket size is the rate times a
 * window in milliseconds, like Windows' RM_RATE_WINDOW_SIZE.
 * No clock of its own: the caller passes monotonic milliseconds.
 */
#ifndef PGMNE_HOST_RATE_H
#define PGMNE_HOST_RATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rate_bucket {
	uint64_t bytes_per_s;   /* 0 = unlimited */
	uint64_t cap_milli;     /* bucket size, in milli-bytes */
	uint64_t tokens_milli;  /* current fill, in milli-bytes (no rounding loss) */
	uint64_t last_ms;       /* time of the last refill */
};

/*
 * kbit_per_s 0 means unlimited. The bucket holds window_ms worth of
 * tokens but never less than min_burst bytes (one full packet), so a
 * maximum-sized packet can always eventually go. Starts full.
 */
void rate_init(struct rate_bucket *b, uint32_t kbit_per_s, uint32_t window_ms,
               size_t min_burst, uint64_t now_ms);

/* Milliseconds until `bytes` may be sent; 0 when they may go now. */
uint64_t rate_wait_ms(struct rate_bucket *b, size_t bytes, uint64_t now_ms);

/* Take `bytes` tokens (call after sending); never goes below empty. */
void rate_consume(struct rate_bucket *b, size_t bytes, uint64_t now_ms);

#endif
