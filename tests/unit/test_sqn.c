/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Serial sequence arithmetic, RFC 3208 §6.2. */
#include <stdint.h>

#include "common/sqn.h"
#include "unit_util.h"

static void test_order(void)
{
	CU_ASSERT_TRUE(sqn_lt(1, 2));
	CU_ASSERT_FALSE(sqn_lt(2, 2));
	CU_ASSERT_TRUE(sqn_le(2, 2));
	CU_ASSERT_TRUE(sqn_gt(3, 2));
	CU_ASSERT_TRUE(sqn_ge(3, 3));
}

static void test_wrap(void)
{
	/* 0 follows 0xFFFFFFFF */
	CU_ASSERT_TRUE(sqn_lt(UINT32_MAX, 0));
	CU_ASSERT_TRUE(sqn_gt(5, UINT32_MAX - 5));
	CU_ASSERT_EQUAL(sqn_diff(3, UINT32_MAX), 4);
	CU_ASSERT_TRUE(sqn_in(1, UINT32_MAX - 2, 3));
	CU_ASSERT_FALSE(sqn_in(4, UINT32_MAX - 2, 3));
}

static void test_half_window(void)
{
	/* Exactly half the space apart is "before" by the int32 rule. */
	CU_ASSERT_TRUE(sqn_lt(0x80000000u, 0));
	CU_ASSERT_TRUE(sqn_gt(0x7FFFFFFFu, 0));
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"order", test_order},
		{"wrap-around", test_wrap},
		{"half window", test_half_window},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("sqn", tests);
	return unit_run();
}
