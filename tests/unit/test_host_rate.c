/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Token bucket (host/rate.c), RFC 3208 §5.1.2, on a fake clock. */
#include "host/rate.h"
#include "unit_util.h"

static void test_unlimited(void)
{
	struct rate_bucket b;
	rate_init(&b, 0, 100, 1500, 0);
	for (int i = 0; i < 1000; i++) {
		CU_ASSERT_EQUAL(rate_wait_ms(&b, 1500, 0), 0);
		rate_consume(&b, 1500, 0);
	}
}

static void test_burst_then_rate(void)
{
	struct rate_bucket b;
	/* 800 kbit/s = 100000 B/s; 100 ms window = 10000 B bucket */
	rate_init(&b, 800, 100, 1500, 1000);
	size_t sent = 0;
	while (rate_wait_ms(&b, 1000, 1000) == 0) {
		rate_consume(&b, 1000, 1000);
		sent += 1000;
		CU_ASSERT_FATAL(sent <= 10000);
	}
	CU_ASSERT_EQUAL(sent, 10000);
	/* 1000 B more need 10 ms at 100000 B/s */
	CU_ASSERT_EQUAL(rate_wait_ms(&b, 1000, 1000), 10);
	CU_ASSERT_EQUAL(rate_wait_ms(&b, 1000, 1005), 5);
	CU_ASSERT_EQUAL(rate_wait_ms(&b, 1000, 1010), 0);
}

static void test_long_run_bound(void)
{
	/* Over any interval: bytes <= bucket + rate * interval (§5.1.2). */
	struct rate_bucket b;
	rate_init(&b, 80, 50, 1400, 0); /* 10000 B/s, bucket 1400 (min burst) */
	uint64_t now = 0;
	size_t sent = 0;
	for (int i = 0; i < 200; i++) {
		uint64_t w = rate_wait_ms(&b, 1400, now);
		now += w;
		CU_ASSERT_EQUAL(rate_wait_ms(&b, 1400, now), 0);
		rate_consume(&b, 1400, now);
		sent += 1400;
		CU_ASSERT_TRUE(sent <= 1400 + now * 10);
	}
	/* and it is not much slower than the rate either */
	CU_ASSERT_TRUE(now <= (sent / 10) + 10);
}

static void test_idle_caps_tokens(void)
{
	struct rate_bucket b;
	rate_init(&b, 800, 100, 1500, 0);
	rate_consume(&b, 10000, 0);
	/* a day idle must not overflow nor exceed the bucket */
	CU_ASSERT_EQUAL(rate_wait_ms(&b, 10000, 86400000ull), 0);
	rate_consume(&b, 10000, 86400000ull);
	CU_ASSERT_TRUE(rate_wait_ms(&b, 1, 86400000ull) > 0);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"unlimited", test_unlimited},
		{"burst then rate", test_burst_then_rate},
		{"long-run bound", test_long_run_bound},
		{"idle caps tokens", test_idle_caps_tokens},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("host rate", tests);
	return unit_run();
}
