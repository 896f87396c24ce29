/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transmit window (host/txw.c), RFC 3208 §5.1.1, §5.3, §16. */
#include <string.h>

#include "host/txw.h"
#include "unit_util.h"

static void add_n(struct txw *w, unsigned n, uint64_t now)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t b[4] = {(uint8_t)i, 1, 2, 3};
		txw_add(w, b, sizeof(b), 0, now);
	}
}

static void test_add_lookup(void)
{
	struct txw w;
	CU_ASSERT_FATAL(txw_init(&w, 8, 0, 100, 1000));
	CU_ASSERT_TRUE(txw_empty(&w));
	CU_ASSERT_EQUAL(w.trail, 1000);
	CU_ASSERT_EQUAL(w.lead, 999);
	CU_ASSERT_EQUAL(txw_add(&w, "hello", 5, TXW_F_SYN, 0), 1000);
	CU_ASSERT_EQUAL(txw_add(&w, "world", 5, 0, 0), 1001);
	const struct txw_slot *s = txw_get(&w, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->len, 5);
	CU_ASSERT_EQUAL(s->flags, TXW_F_SYN);
	CU_ASSERT_EQUAL(memcmp(s->data, "hello", 5), 0);
	CU_ASSERT_PTR_NULL(txw_get(&w, 999));
	CU_ASSERT_PTR_NULL(txw_get(&w, 1002));
	txw_free(&w);
}

static void test_advance_by_count(void)
{
	struct txw w;
	CU_ASSERT_FATAL(txw_init(&w, 4, 0, 16, 0));
	add_n(&w, 6, 0);
	CU_ASSERT_EQUAL(txw_count(&w), 4);
	CU_ASSERT_EQUAL(w.trail, 2);
	CU_ASSERT_EQUAL(w.lead, 5);
	CU_ASSERT_PTR_NULL(txw_get(&w, 1));
	CU_ASSERT_PTR_NOT_NULL(txw_get(&w, 2));
	CU_ASSERT_EQUAL(txw_get(&w, 5)->data[0], 5);
	txw_free(&w);
}

static void test_advance_by_time(void)
{
	struct txw w;
	CU_ASSERT_FATAL(txw_init(&w, 100, 1000, 16, 0));
	add_n(&w, 3, 0);     /* sqn 0..2 at t=0 */
	add_n(&w, 2, 600);   /* sqn 3..4 at t=600 */
	CU_ASSERT_EQUAL(txw_advance_time(&w, 1000), 0);
	CU_ASSERT_EQUAL(txw_advance_time(&w, 1001), 3);
	CU_ASSERT_EQUAL(w.trail, 3);
	CU_ASSERT_EQUAL(txw_advance_time(&w, 1601), 2);
	CU_ASSERT_TRUE(txw_empty(&w));
	CU_ASSERT_EQUAL(w.trail, 5);
	txw_free(&w);
}

static void test_wrap(void)
{
	struct txw w;
	CU_ASSERT_FATAL(txw_init(&w, 4, 0, 16, UINT32_MAX - 1));
	add_n(&w, 4, 0); /* 0xFFFFFFFE, 0xFFFFFFFF, 0, 1 */
	CU_ASSERT_EQUAL(w.lead, 1);
	CU_ASSERT_PTR_NOT_NULL(txw_get(&w, UINT32_MAX));
	CU_ASSERT_PTR_NOT_NULL(txw_get(&w, 0));
	CU_ASSERT_EQUAL(txw_get(&w, 1)->data[0], 3);
	CU_ASSERT_PTR_NULL(txw_get(&w, 2));
	txw_free(&w);
}

static void test_repair_queue(void)
{
	struct txw w;
	CU_ASSERT_FATAL(txw_init(&w, 4, 0, 16, 10));
	add_n(&w, 4, 0); /* 10..13 */
	CU_ASSERT_EQUAL(txw_queue_repair(&w, 11), TXW_REPAIR_QUEUED);
	CU_ASSERT_EQUAL(txw_queue_repair(&w, 11), TXW_REPAIR_PENDING);
	CU_ASSERT_EQUAL(txw_queue_repair(&w, 10), TXW_REPAIR_QUEUED);
	CU_ASSERT_EQUAL(txw_queue_repair(&w, 9), TXW_REPAIR_TOO_LATE);
	CU_ASSERT_EQUAL(txw_queue_repair(&w, 14), TXW_REPAIR_TOO_LATE);
	const struct txw_slot *s = txw_next_repair(&w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->sqn, 11);
	/* 10 leaves the window while queued: skipped, not sent */
	add_n(&w, 1, 0);
	CU_ASSERT_PTR_NULL(txw_next_repair(&w));
	CU_ASSERT_FALSE(txw_repair_pending(&w));
	/* after it went out, a new NAK queues it again */
	CU_ASSERT_EQUAL(txw_queue_repair(&w, 11), TXW_REPAIR_QUEUED);
	CU_ASSERT_EQUAL(txw_next_repair(&w)->sqn, 11);
	txw_free(&w);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"add and lookup", test_add_lookup},
		{"advance by count", test_advance_by_count},
		{"advance by time", test_advance_by_time},
		{"wrap-around", test_wrap},
		{"repair queue", test_repair_queue},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("host txw", tests);
	return unit_run();
}
