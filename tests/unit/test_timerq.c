/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Timer queue: ordering, cancel, re-arm, callbacks that re-arm. */
#include <stdlib.h>

#include "common/timerq.h"
#include "unit_util.h"

struct log {
	unsigned n;
	int order[64];
	uint64_t at[64];
};

struct tagged {
	struct timer t;
	struct log *log;
	int id;
};

static void record(void *arg, uint64_t now)
{
	struct tagged *g = arg;
	if (g->log->n < 64) {
		g->log->order[g->log->n] = g->id;
		g->log->at[g->log->n] = now;
		g->log->n++;
	}
	/* Disarmed before its function runs. */
	CU_ASSERT_FALSE(timer_armed(&g->t));
}

static void test_order(void)
{
	static const uint64_t deadlines[8] = { 50, 10, 40, 10, 30, 70, 20, 60 };
	struct timerq *q = timerq_new(2); /* forces growth */
	struct tagged g[8];
	struct log log = { 0 };
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(timerq_next(q), UINT64_MAX);
	for (i = 0; i < 8; i++) {
		g[i].log = &log;
		g[i].id = i;
		timer_init(&g[i].t, record, &g[i]);
		CU_ASSERT_FALSE(timer_armed(&g[i].t));
		CU_ASSERT(timer_set(q, &g[i].t, deadlines[i]));
	}
	CU_ASSERT_EQUAL(timerq_len(q), 8);
	CU_ASSERT_EQUAL(timerq_next(q), 10);
	CU_ASSERT_EQUAL(timerq_run(q, 9), 0);
	CU_ASSERT_EQUAL(timerq_run(q, 40), 5);
	CU_ASSERT_EQUAL(timerq_next(q), 50);
	CU_ASSERT_EQUAL(timerq_run(q, 1000), 3);
	CU_ASSERT_EQUAL_FATAL(log.n, 8);
	for (i = 1; i < 8; i++)
		CU_ASSERT(deadlines[log.order[i - 1]] <= deadlines[log.order[i]]);
	CU_ASSERT_EQUAL(log.at[0], 40);
	CU_ASSERT_EQUAL(timerq_len(q), 0);
	timerq_free(q);
}

static void test_cancel_and_rearm(void)
{
	struct timerq *q = timerq_new(0);
	struct tagged a, b, c;
	struct log log = { 0 };

	a.log = b.log = c.log = &log;
	a.id = 1; b.id = 2; c.id = 3;
	timer_init(&a.t, record, &a);
	timer_init(&b.t, record, &b);
	timer_init(&c.t, record, &c);
	timer_set(q, &a.t, 100);
	timer_set(q, &b.t, 200);
	timer_set(q, &c.t, 300);
	timer_cancel(q, &b.t);
	CU_ASSERT_FALSE(timer_armed(&b.t));
	timer_cancel(q, &b.t); /* twice is harmless */
	CU_ASSERT_EQUAL(timerq_len(q), 2);
	timer_set(q, &c.t, 50); /* re-arm earlier */
	CU_ASSERT_EQUAL(timerq_next(q), 50);
	timer_set(q, &c.t, 500); /* and later */
	CU_ASSERT_EQUAL(timerq_next(q), 100);
	CU_ASSERT_EQUAL(timerq_len(q), 2);
	CU_ASSERT_EQUAL(timerq_run(q, 1000), 2);
	CU_ASSERT_EQUAL_FATAL(log.n, 2);
	CU_ASSERT_EQUAL(log.order[0], 1);
	CU_ASSERT_EQUAL(log.order[1], 3);
	timerq_free(q);
}

struct periodic {
	struct timer t;
	struct timerq *q;
	unsigned fired;
};

static void periodic_fn(void *arg, uint64_t now)
{
	struct periodic *p = arg;
	p->fired++;
	timer_set(p->q, &p->t, now + 10);
}

/* A callback that re-arms itself runs once per timerq_run, not forever. */
static void test_rearm_from_callback(void)
{
	struct periodic p;
	uint64_t now;

	p.q = timerq_new(4);
	p.fired = 0;
	timer_init(&p.t, periodic_fn, &p);
	timer_set(p.q, &p.t, 10);
	for (now = 0; now <= 100; now += 5)
		timerq_run(p.q, now);
	CU_ASSERT_EQUAL(p.fired, 10);
	CU_ASSERT(timer_armed(&p.t));
	CU_ASSERT_EQUAL(timerq_next(p.q), 110);
	timerq_free(p.q);
}

static void nop(void *arg, uint64_t now)
{
	(void)arg;
	(void)now;
}

/* Random arm/cancel/re-arm; the run order must stay sorted. */
static void test_random_heap(void)
{
	enum { N = 500 };
	struct timer *t = calloc(N, sizeof *t);
	struct timerq *q = timerq_new(1);
	uint32_t s = 99;
	uint64_t last = 0;
	size_t i, armed = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (i = 0; i < N; i++)
		timer_init(&t[i], nop, NULL);
	for (i = 0; i < 20000; i++) {
		size_t k;
		s = s * 1664525u + 1013904223u;
		k = (s >> 8) % N;
		if ((s >> 4) % 3 == 0)
			timer_cancel(q, &t[k]);
		else
			timer_set(q, &t[k], (s >> 12) % 100000);
	}
	for (i = 0; i < N; i++)
		armed += timer_armed(&t[i]);
	CU_ASSERT_EQUAL(timerq_len(q), armed);
	while (timerq_len(q) > 0) {
		uint64_t next = timerq_next(q);
		CU_ASSERT(next >= last);
		last = next;
		CU_ASSERT(timerq_run(q, next) >= 1);
	}
	timerq_free(q);
	free(t);
}

static void test_mono_ms(void)
{
	uint64_t a = mono_ms(), b = mono_ms();
	CU_ASSERT(b >= a);
	CU_ASSERT(a > 0);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"deadline order", test_order},
		{"cancel and re-arm", test_cancel_and_rearm},
		{"re-arm from callback", test_rearm_from_callback},
		{"random heap operations", test_random_heap},
		{"monotonic clock", test_mono_ms},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("timerq", tests);
	return unit_run();
}
