/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Timer queue: binary min-heap of struct timer pointers ordered by
 * deadline. Each timer knows its heap index, so cancel and re-arm are
 * O(log n). The heap array grows by doubling (bounded by what callers
 * arm: every armed timer is embedded in caller-owned, bounded state).
 */
#include <stdlib.h>
#include <time.h>

#include "timerq.h"

#define NOT_ARMED UINT32_MAX
#define MAX_TIMERS (UINT32_MAX / 2) /* heap indices fit in uint32_t */

struct timerq {
	struct timer **heap;
	size_t len, cap;
};

uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct timerq *timerq_new(size_t initial_cap)
{
	struct timerq *q = calloc(1, sizeof *q);

	if (q == NULL)
		return NULL;
	q->cap = initial_cap ? initial_cap : 16;
	q->heap = calloc(q->cap, sizeof *q->heap);
	if (q->heap == NULL) {
		free(q);
		return NULL;
	}
	return q;
}

void timerq_free(struct timerq *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->len; i++)
		q->heap[i]->heap_idx = NOT_ARMED;
	free(q->heap);
	free(q);
}

void timer_init(struct timer *t, timer_fn fn, void *arg)
{
	t->deadline = 0;
	t->fn = fn;
	t->arg = arg;
	t->heap_idx = NOT_ARMED;
}

static void place(struct timerq *q, size_t i, struct timer *t)
{
	q->heap[i] = t;
	t->heap_idx = (uint32_t)i;
}

static void sift_up(struct timerq *q, size_t i)
{
	struct timer *t = q->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (q->heap[parent]->deadline <= t->deadline)
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, t);
}

static void sift_down(struct timerq *q, size_t i)
{
	struct timer *t = q->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= q->len)
			break;
		if (child + 1 < q->len && q->heap[child + 1]->deadline < q->heap[child]->deadline)
			child++;
		if (t->deadline <= q->heap[child]->deadline)
			break;
		place(q, i, q->heap[child]);
		i = child;
	}
	place(q, i, t);
}

static bool grow(struct timerq *q)
{
	struct timer **h;
	size_t cap = q->cap * 2;

	if (cap > MAX_TIMERS)
		return false;
	h = realloc(q->heap, cap * sizeof *h);
	if (h == NULL)
		return false;
	q->heap = h;
	q->cap = cap;
	return true;
}

/* Remove the timer at heap index i. */
static void remove_at(struct timerq *q, size_t i)
{
	struct timer *last = q->heap[--q->len];

	q->heap[i]->heap_idx = NOT_ARMED;
	if (i == q->len)
		return;
	place(q, i, last);
	sift_down(q, i);
	sift_up(q, last->heap_idx);
}

bool timer_set(struct timerq *q, struct timer *t, uint64_t deadline)
{
	if (timer_armed(t)) {
		t->deadline = deadline;
		sift_down(q, t->heap_idx);
		sift_up(q, t->heap_idx);
		return true;
	}
	if (q->len == q->cap && !grow(q))
		return false;
	t->deadline = deadline;
	place(q, q->len++, t);
	sift_up(q, t->heap_idx);
	return true;
}

void timer_cancel(struct timerq *q, struct timer *t)
{
	if (!timer_armed(t) || t->heap_idx >= q->len || q->heap[t->heap_idx] != t)
		return;
	remove_at(q, t->heap_idx);
}

uint64_t timerq_next(const struct timerq *q)
{
	return q->len ? q->heap[0]->deadline : UINT64_MAX;
}

size_t timerq_run(struct timerq *q, uint64_t now)
{
	size_t ran = 0;
	/* Bound: timers re-armed at <= now by their own callback run next call. */
	size_t budget = q->len;

	while (q->len > 0 && q->heap[0]->deadline <= now && ran < budget) {
		struct timer *t = q->heap[0];
		remove_at(q, 0);
		ran++;
		if (t->fn)
			t->fn(t->arg, now);
	}
	return ran;
}

size_t timerq_len(const struct timerq *q)
{
	return q->len;
}
