/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Receive window (host/rxw.c), RFC 3208 §6.1, §6.3. */
#include <string.h>

#include "host/rxw.h"
#include "unit_util.h"

struct sink {
	uint32_t sqn[64];
	uint8_t first_byte[64];
	bool lost[64];
	unsigned n;
};

static void collect(void *arg, uint32_t sqn, const uint8_t *data, uint16_t len, uint8_t flags)
{
	struct sink *k = arg;
	(void)flags;
	if (k->n >= 64)
		return;
	k->sqn[k->n] = sqn;
	k->lost[k->n] = data == NULL;
	k->first_byte[k->n] = (data != NULL && len > 0) ? data[0] : 0;
	k->n++;
}

static enum rxw_add put(struct rxw *w, uint32_t sqn, struct rxw_gap *gap)
{
	uint8_t b = (uint8_t)sqn;
	return rxw_add(w, sqn, &b, 1, 0, gap);
}

static void test_in_order(void)
{
	struct rxw w;
	struct rxw_gap g;
	struct sink k = {0};
	CU_ASSERT_FATAL(rxw_init(&w, 16, 100));
	CU_ASSERT_EQUAL(put(&w, 100, &g), RXW_ADDED);
	CU_ASSERT_EQUAL(g.count, 0);
	CU_ASSERT_EQUAL(put(&w, 101, &g), RXW_ADDED);
	CU_ASSERT_EQUAL(rxw_deliver(&w, collect, &k), 2);
	CU_ASSERT_EQUAL(k.n, 2);
	CU_ASSERT_EQUAL(k.sqn[0], 100);
	CU_ASSERT_EQUAL(k.first_byte[1], 101);
	CU_ASSERT_TRUE(rxw_empty(&w));
	rxw_free(&w);
}

static void test_gap_and_repair(void)
{
	struct rxw w;
	struct rxw_gap g;
	struct sink k = {0};
	CU_ASSERT_FATAL(rxw_init(&w, 16, 100));
	put(&w, 10, &g);
	CU_ASSERT_EQUAL(put(&w, 13, &g), RXW_ADDED);
	CU_ASSERT_EQUAL(g.first, 11);
	CU_ASSERT_EQUAL(g.count, 2);
	CU_ASSERT_EQUAL(rxw_slot(&w, 11)->state, RXW_MISSING);
	CU_ASSERT_EQUAL(rxw_deliver(&w, collect, &k), 1); /* only 10 */
	CU_ASSERT_EQUAL(put(&w, 12, &g), RXW_REPAIRED);
	CU_ASSERT_EQUAL(rxw_deliver(&w, collect, &k), 0); /* 11 still missing */
	CU_ASSERT_EQUAL(put(&w, 11, &g), RXW_REPAIRED);
	CU_ASSERT_EQUAL(rxw_deliver(&w, collect, &k), 3);
	CU_ASSERT_EQUAL(k.n, 4);
	for (unsigned i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(k.sqn[i], 10 + i);
		CU_ASSERT_FALSE(k.lost[i]);
	}
	rxw_free(&w);
}

static void test_duplicates(void)
{
	struct rxw w;
	struct rxw_gap g;
	struct sink k = {0};
	CU_ASSERT_FATAL(rxw_init(&w, 16, 100));
	put(&w, 5, &g);
	put(&w, 7, &g);
	CU_ASSERT_EQUAL(put(&w, 7, &g), RXW_DUPLICATE);
	rxw_deliver(&w, collect, &k);
	CU_ASSERT_EQUAL(put(&w, 5, &g), RXW_BEHIND);
	CU_ASSERT_EQUAL(put(&w, 4, &g), RXW_BEHIND);
	rxw_free(&w);
}

static void test_wrap(void)
{
	struct rxw w;
	struct rxw_gap g;
	struct sink k = {0};
	CU_ASSERT_FATAL(rxw_init(&w, 8, 100));
	put(&w, UINT32_MAX - 1, &g);
	CU_ASSERT_EQUAL(put(&w, 1, &g), RXW_ADDED);
	CU_ASSERT_EQUAL(g.first, UINT32_MAX);
	CU_ASSERT_EQUAL(g.count, 2);
	put(&w, 0, &g);
	put(&w, UINT32_MAX, &g);
	CU_ASSERT_EQUAL(rxw_deliver(&w, collect, &k), 4);
	CU_ASSERT_EQUAL(k.sqn[1], UINT32_MAX);
	CU_ASSERT_EQUAL(k.sqn[2], 0);
	CU_ASSERT_EQUAL(k.sqn[3], 1);
	rxw_free(&w);
}

static void test_capacity(void)
{
	struct rxw w;
	struct rxw_gap g;
	CU_ASSERT_FATAL(rxw_init(&w, 5, 100)); /* rounded up to 8 */
	CU_ASSERT_EQUAL(w.cap, 8);
	put(&w, 0, &g);
	CU_ASSERT_EQUAL(put(&w, 8, &g), RXW_AHEAD);
	CU_ASSERT_EQUAL(put(&w, 7, &g), RXW_ADDED);
	/* SPM lead beyond capacity grows only to capacity */
	rxw_extend(&w, 1000, &g);
	CU_ASSERT_EQUAL(w.lead, 7);
	rxw_free(&w);
}

static void test_spm_lead_and_unrecoverable(void)
{
	struct rxw w;
	struct rxw_gap g;
	struct sink k = {0};
	CU_ASSERT_FATAL(rxw_init(&w, 16, 100));
	put(&w, 20, &g);
	rxw_extend(&w, 23, &g); /* lead from an SPM: 21..23 missing */
	CU_ASSERT_EQUAL(g.first, 21);
	CU_ASSERT_EQUAL(g.count, 3);
	put(&w, 23, &g);
	rxw_mark_lost(&w, 22);           /* retries exhausted */
	CU_ASSERT_EQUAL(rxw_source_trail(&w, 22), 1); /* 21 left the source window */
	CU_ASSERT_EQUAL(rxw_deliver(&w, collect, &k), 4);
	CU_ASSERT_FALSE(k.lost[0]);
	CU_ASSERT_TRUE(k.lost[1]);
	CU_ASSERT_TRUE(k.lost[2]);
	CU_ASSERT_FALSE(k.lost[3]);
	CU_ASSERT_EQUAL(k.sqn[3], 23);
	rxw_free(&w);
}

static void test_trail_beyond_lead(void)
{
	struct rxw w;
	struct rxw_gap g;
	struct sink k = {0};
	CU_ASSERT_FATAL(rxw_init(&w, 16, 100));
	put(&w, 1, &g);
	/* source trail says 2..4 are gone before we ever heard of them */
	CU_ASSERT_EQUAL(rxw_source_trail(&w, 5), 3);
	CU_ASSERT_EQUAL(rxw_deliver(&w, collect, &k), 4);
	CU_ASSERT_EQUAL(put(&w, 5, &g), RXW_ADDED);
	CU_ASSERT_EQUAL(g.count, 0);
	rxw_free(&w);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"in-order delivery", test_in_order},
		{"gap and repair", test_gap_and_repair},
		{"duplicates", test_duplicates},
		{"wrap-around", test_wrap},
		{"capacity bound", test_capacity},
		{"SPM lead and unrecoverable loss", test_spm_lead_and_unrecoverable},
		{"source trail beyond lead", test_trail_beyond_lead},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("host rxw", tests);
	return unit_run();
}
