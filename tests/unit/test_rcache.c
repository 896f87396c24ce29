/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The repair cache (engine/rcache.c) on a fake clock: a hit on an
 * interface that has not had the repair, never one on an interface it
 * went to, never another TSI's or SQN's, nothing after the lifetime,
 * oldest evicted first when bytes or entries run out, the data ring's
 * wrap, and the bounds the counters report.
 */
#include <string.h>

#include "engine/rcache.h"
#include "unit_util.h"

static const struct pgm_tsi TSI_A = { .gsi = { 1, 2, 3, 4, 5, 6 }, .sport = 1000 };
static const struct pgm_tsi TSI_B = { .gsi = { 1, 2, 3, 4, 5, 6 }, .sport = 1001 };

/* A made-up RDATA of len bytes whose every byte says which SQN it is. */
static const uint8_t *pkt(uint32_t sqn, size_t len)
{
	static uint8_t buf[16384];
	memset(buf, (int)(sqn & 0xff), len);
	return buf;
}

static struct pgm_ip ip_of(bool ra)
{
	struct pgm_ip ip = { .ttl = 15, .proto = 113, .router_alert = ra };
	ip.src.s_addr = htonl(0x0a000101);
	ip.dst.s_addr = htonl(0xefc00001);
	return ip;
}

static void put(struct rcache *c, uint64_t now, const struct pgm_tsi *t, uint32_t sqn,
                size_t len, unsigned slot)
{
	struct pgm_ip ip = ip_of(true);
	rcache_put(c, now, t, sqn, pkt(sqn, len), len, &ip, slot);
}

/* Is (t, sqn) served on slot now, with the bytes it was stored with? */
static bool served(struct rcache *c, uint64_t now, const struct pgm_tsi *t, uint32_t sqn,
                   unsigned slot)
{
	struct rcache_hit h;
	if (!rcache_take(c, now, t, sqn, slot, &h))
		return false;
	for (size_t i = 0; i < h.len; i++)
		if (h.pgm[i] != (uint8_t)(sqn & 0xff))
			return false;
	return true;
}

static void test_hit_other_interface_only(void)
{
	struct rcache *c = rcache_new(64 * 1024, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	put(c, 0, &TSI_A, 7, 500, 1);
	put(c, 1, &TSI_A, 7, 500, 2); /* the same packet's copy to slot 2 */
	CU_ASSERT_FALSE(served(c, 5, &TSI_A, 7, 1)); /* went there */
	CU_ASSERT_FALSE(served(c, 5, &TSI_A, 7, 2));
	struct rcache_hit h;
	CU_ASSERT_TRUE_FATAL(rcache_take(c, 5, &TSI_A, 7, 3, &h));
	CU_ASSERT_EQUAL(h.len, 500);
	CU_ASSERT_EQUAL(h.ttl, 15);
	CU_ASSERT_TRUE(h.router_alert);
	CU_ASSERT_EQUAL(ntohl(h.src.s_addr), 0x0a000101u);
	CU_ASSERT_EQUAL(ntohl(h.dst.s_addr), 0xefc00001u);
	CU_ASSERT_FALSE(served(c, 6, &TSI_A, 7, 3)); /* served once per interface */
	CU_ASSERT_TRUE(served(c, 6, &TSI_A, 7, 63));
	struct rcache_stats st;
	rcache_stats(c, &st);
	CU_ASSERT_EQUAL(st.stored, 1);
	CU_ASSERT_EQUAL(st.entries, 1);
	CU_ASSERT_EQUAL(st.bytes_held, 500);
	rcache_free(c);
}

static void test_other_tsi_or_sqn_misses(void)
{
	struct rcache *c = rcache_new(64 * 1024, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	put(c, 0, &TSI_A, 7, 100, 0);
	CU_ASSERT_FALSE(served(c, 1, &TSI_B, 7, 1));
	CU_ASSERT_FALSE(served(c, 1, &TSI_A, 8, 1));
	CU_ASSERT_FALSE(served(c, 1, &TSI_A, 6, 1));
	CU_ASSERT_TRUE(served(c, 1, &TSI_A, 7, 1));
	rcache_free(c);
}

static void test_lifetime(void)
{
	struct rcache *c = rcache_new(64 * 1024, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	put(c, 1000, &TSI_A, 1, 100, 0);
	put(c, 1050, &TSI_A, 2, 100, 0);
	rcache_expire(c, 1060);
	CU_ASSERT_EQUAL(rcache_deadline(c, 1060), 1100);
	CU_ASSERT_EQUAL(rcache_deadline(c, 1200), 1200); /* overdue: now */
	CU_ASSERT_TRUE(served(c, 1099, &TSI_A, 1, 1));
	CU_ASSERT_FALSE(served(c, 1100, &TSI_A, 1, 2)); /* its time is up, even before expire() */
	put(c, 1120, &TSI_A, 2, 100, 3); /* a later copy does not renew it */
	rcache_expire(c, 1120);
	CU_ASSERT_EQUAL(rcache_deadline(c, 1120), 1150);
	CU_ASSERT_TRUE(served(c, 1149, &TSI_A, 2, 1));
	rcache_expire(c, 1150);
	CU_ASSERT_EQUAL(rcache_deadline(c, 1150), UINT64_MAX);
	CU_ASSERT_FALSE(served(c, 1150, &TSI_A, 2, 2));
	struct rcache_stats st;
	rcache_stats(c, &st);
	CU_ASSERT_EQUAL(st.expired, 2);
	CU_ASSERT_EQUAL(st.entries, 0);
	CU_ASSERT_EQUAL(st.bytes_held, 0);
	/* an SQN stored again after it expired is a new entry */
	put(c, 1200, &TSI_A, 1, 100, 0);
	CU_ASSERT_TRUE(served(c, 1201, &TSI_A, 1, 1));
	rcache_free(c);
}

/* Bytes run out: the oldest go first, as many as the new packet needs. */
static void test_evict_oldest_by_bytes(void)
{
	struct rcache *c = rcache_new(16 * 1024, 10000);  /* 16 entry slots */
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (uint32_t s = 0; s < 4; s++)
		put(c, s, &TSI_A, s, 4000, 0);                  /* 16000 of 16384 */
	put(c, 10, &TSI_A, 100, 1000, 0);               /* wraps to 0: SQN 0 goes */
	CU_ASSERT_FALSE(served(c, 11, &TSI_A, 0, 1));
	for (uint32_t s = 1; s < 4; s++)
		CU_ASSERT_TRUE(served(c, 11, &TSI_A, s, 1));
	CU_ASSERT_TRUE(served(c, 11, &TSI_A, 100, 1));
	put(c, 12, &TSI_A, 101, 7001, 0);               /* 1 byte more than SQN 1 frees: 2 goes too */
	CU_ASSERT_FALSE(served(c, 13, &TSI_A, 1, 2));
	CU_ASSERT_FALSE(served(c, 13, &TSI_A, 2, 2));
	CU_ASSERT_TRUE(served(c, 13, &TSI_A, 3, 2));
	CU_ASSERT_TRUE(served(c, 13, &TSI_A, 100, 2));
	CU_ASSERT_TRUE(served(c, 13, &TSI_A, 101, 2));
	struct rcache_stats st;
	rcache_stats(c, &st);
	CU_ASSERT_EQUAL(st.evicted, 3);
	CU_ASSERT_EQUAL(st.bytes_held, 4000 + 1000 + 7001);
	CU_ASSERT_TRUE(st.bytes_held <= 16 * 1024);
	rcache_free(c);
}

/* Entry slots run out before bytes do: the oldest entry goes. */
static void test_evict_oldest_by_entries(void)
{
	struct rcache *c = rcache_new(16 * 1024, 10000); /* 16 entry slots */
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (uint32_t s = 0; s < 20; s++)
		put(c, s, &TSI_A, s, 64, 0);
	for (uint32_t s = 0; s < 4; s++)
		CU_ASSERT_FALSE(served(c, 30, &TSI_A, s, 1));
	for (uint32_t s = 4; s < 20; s++)
		CU_ASSERT_TRUE(served(c, 30, &TSI_A, s, 1));
	struct rcache_stats st;
	rcache_stats(c, &st);
	CU_ASSERT_EQUAL(st.evicted, 4);
	CU_ASSERT_EQUAL(st.entries, 16);
	rcache_free(c);
}

/* Many rounds of mixed sizes through a small ring: every packet still in
 * the cache comes back intact, and the bounds hold throughout. */
static void test_ring_wrap(void)
{
	struct rcache *c = rcache_new(20000, 1u << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	uint32_t first_alive = 0;
	for (uint32_t s = 0; s < 2000; s++) {
		size_t len = 100 + (s * 7919) % 1400;
		put(c, s, &TSI_A, s, len, 0);
		struct rcache_stats st;
		rcache_stats(c, &st);
		CU_ASSERT_TRUE(st.bytes_held <= 20000);
		CU_ASSERT_TRUE(st.entries <= RCACHE_MIN_ENTRIES + 20000 / RCACHE_AVG_BYTES);
		CU_ASSERT_TRUE(served(c, s, &TSI_A, s, 1)); /* the newest is always there */
		while (first_alive < s && !served(c, s, &TSI_A, first_alive, 2))
			first_alive++;
	}
	/* what survived is the newest run, intact */
	for (uint32_t s = first_alive; s < 2000; s++)
		CU_ASSERT_TRUE(served(c, 2000, &TSI_A, s, 3));
	rcache_free(c);
}

static void test_bounds(void)
{
	CU_ASSERT_PTR_NULL(rcache_new(0, 100));
	CU_ASSERT_PTR_NULL(rcache_new(1024, 0));
	struct rcache *c = rcache_new(1000, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	put(c, 0, &TSI_A, 1, 1001, 0); /* larger than the whole cache */
	struct rcache_stats st;
	rcache_stats(c, &st);
	CU_ASSERT_EQUAL(st.too_big, 1);
	CU_ASSERT_EQUAL(st.entries, 0);
	CU_ASSERT_FALSE(served(c, 1, &TSI_A, 1, 1));
	put(c, 0, &TSI_A, 2, 1000, 0); /* exactly the cache */
	CU_ASSERT_TRUE(served(c, 1, &TSI_A, 2, 1));
	put(c, 0, &TSI_A, 3, 10, 0);
	CU_ASSERT_FALSE(served(c, 1, &TSI_A, 2, 2));
	CU_ASSERT_TRUE(served(c, 1, &TSI_A, 3, 1));
	CU_ASSERT_EQUAL(rcache_footprint(1024 * 1024),
	                1024 * 1024 + 1024 * RCACHE_ENTRY_BYTES + 1024 * 4 +
	                rcache_footprint(0) - RCACHE_MIN_ENTRIES * (RCACHE_ENTRY_BYTES + 4));
	rcache_free(c);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "a hit only on an interface the repair has not gone to", test_hit_other_interface_only },
		{ "another TSI or SQN misses", test_other_tsi_or_sqn_misses },
		{ "nothing after the lifetime, a later copy does not renew", test_lifetime },
		{ "bytes full: oldest evicted first", test_evict_oldest_by_bytes },
		{ "entries full: oldest evicted first", test_evict_oldest_by_entries },
		{ "the data ring wraps intact within its bounds", test_ring_wrap },
		{ "bounds: too big, exactly full, footprint", test_bounds },
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("rcache", tests);
	return unit_run();
}
