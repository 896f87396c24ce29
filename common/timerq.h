/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Timer queue: a binary min-heap of deadlines on a monotonic clock in
 * milliseconds. The clock is passed in by the caller so state machines
 * can be tested with a fake clock; the event loop arms a timerfd at
 * timerq_next().
 */
#ifndef PGMNE_TIMERQ_H
#define PGMNE_TIMERQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timerq;
typedef void (*timer_fn)(void *arg, uint64_t now_ms);

struct timer {
	uint64_t deadline;
	timer_fn fn;
	void *arg;
	uint32_t heap_idx; /* UINT32_MAX when not armed */
};

/* Monotonic clock in ms (CLOCK_MONOTONIC). */
uint64_t mono_ms(void);

struct timerq *timerq_new(size_t initial_cap);
void timerq_free(struct timerq *q);
void timer_init(struct timer *t, timer_fn fn, void *arg);
/* Arm or re-arm t at `deadline`. Returns false only on allocation failure. */
bool timer_set(struct timerq *q, struct timer *t, uint64_t deadline);
void timer_cancel(struct timerq *q, struct timer *t);
static inline bool timer_armed(const struct timer *t) { return t->heap_idx != UINT32_MAX; }
/* Earliest deadline, or UINT64_MAX when empty. */
uint64_t timerq_next(const struct timerq *q);
/* Run every timer with deadline <= now (each disarmed before its fn runs). Returns count. */
size_t timerq_run(struct timerq *q, uint64_t now);
size_t timerq_len(const struct timerq *q);

#endif
