/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NAK state machine (host/nak_backoff.c), RFC 3208 §6.3, fake clock. */
#include "host/nak_backoff.h"
#include "unit_util.h"

static const struct nak_params P = {
	.bo_ivl_ms = 50, .rpt_ivl_ms = 200, .rdata_ivl_ms = 500,
	.ncf_retries = 2, .data_retries = 1,
};

static void test_backoff_is_random_within_ivl(void)
{
	struct nak_entry e;
	for (uint32_t r = 0; r < 200; r += 7) {
		nak_start(&e, &P, 1000, r);
		CU_ASSERT_EQUAL(e.state, NAK_BACK_OFF);
		CU_ASSERT_TRUE(e.deadline >= 1000 && e.deadline < 1050);
		CU_ASSERT_EQUAL(e.deadline, 1000 + r % 50);
	}
}

static void test_send_then_ncf_then_data(void)
{
	struct nak_entry e;
	nak_start(&e, &P, 0, 10);
	CU_ASSERT_EQUAL(nak_expire(&e, &P, 9, 0, true), NAK_V_NONE);
	CU_ASSERT_EQUAL(nak_expire(&e, &P, 10, 0, true), NAK_V_SEND);
	CU_ASSERT_EQUAL(e.state, NAK_WAIT_NCF);
	CU_ASSERT_EQUAL(e.deadline, 210);
	nak_on_ncf(&e, &P, 100);
	CU_ASSERT_EQUAL(e.state, NAK_WAIT_DATA);
	CU_ASSERT_EQUAL(e.deadline, 600);
	/* a second NCF restarts NAK_RDATA_IVL */
	nak_on_ncf(&e, &P, 300);
	CU_ASSERT_EQUAL(e.deadline, 800);
}

static void test_suppression_by_ncf_and_nak(void)
{
	struct nak_entry e;
	nak_start(&e, &P, 0, 40);
	nak_on_ncf(&e, &P, 5); /* NCF during back-off: no NAK of ours */
	CU_ASSERT_EQUAL(e.state, NAK_WAIT_DATA);
	CU_ASSERT_EQUAL(nak_expire(&e, &P, 40, 0, true), NAK_V_NONE);

	nak_start(&e, &P, 0, 40);
	nak_on_nak(&e, &P, 5); /* another receiver's NAK: suppress too */
	CU_ASSERT_EQUAL(e.state, NAK_WAIT_DATA);
	CU_ASSERT_EQUAL(e.deadline, 505);
}

static void test_ncf_retry_limit(void)
{
	struct nak_entry e;
	uint64_t now = 0;
	unsigned sent = 0;
	nak_start(&e, &P, now, 0);
	/* no NCF ever: 1 + ncf_retries NAKs, then cancellation */
	for (int i = 0; i < 100 && e.state != NAK_CANCELLED; i++) {
		enum nak_verdict v = nak_expire(&e, &P, e.deadline, 0, true);
		if (v == NAK_V_SEND)
			sent++;
		if (v == NAK_V_LOST)
			break;
	}
	CU_ASSERT_EQUAL(e.state, NAK_CANCELLED);
	CU_ASSERT_EQUAL(sent, 1 + P.ncf_retries);
}

static void test_data_retry_limit(void)
{
	struct nak_entry e;
	unsigned sent = 0, lost = 0;
	nak_start(&e, &P, 0, 0);
	for (int i = 0; i < 100 && e.state != NAK_CANCELLED; i++) {
		uint64_t t = e.deadline;
		enum nak_verdict v = nak_expire(&e, &P, t, 0, true);
		if (v == NAK_V_SEND) {
			sent++;
			nak_on_ncf(&e, &P, t + 1); /* confirmed, but RDATA never comes */
		}
		lost += v == NAK_V_LOST;
	}
	CU_ASSERT_EQUAL(lost, 1);
	CU_ASSERT_EQUAL(sent, 1 + P.data_retries);
}

static void test_no_nak_before_spm(void)
{
	struct nak_entry e;
	nak_start(&e, &P, 0, 0);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(nak_expire(&e, &P, e.deadline + 1, 3, false), NAK_V_NONE);
	CU_ASSERT_EQUAL(e.state, NAK_BACK_OFF);
	CU_ASSERT_EQUAL(nak_expire(&e, &P, e.deadline, 3, true), NAK_V_SEND);
}

static void test_idle_entries_do_nothing(void)
{
	struct nak_entry e = {0};
	CU_ASSERT_EQUAL(nak_expire(&e, &P, 1000000, 0, true), NAK_V_NONE);
	nak_on_ncf(&e, &P, 0);
	nak_on_nak(&e, &P, 0);
	CU_ASSERT_EQUAL(e.state, NAK_IDLE);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"back-off random within NAK_BO_IVL", test_backoff_is_random_within_ivl},
		{"send, NCF, wait data", test_send_then_ncf_then_data},
		{"suppression by NCF and NAK", test_suppression_by_ncf_and_nak},
		{"NAK_NCF_RETRIES limit", test_ncf_retry_limit},
		{"NAK_DATA_RETRIES limit", test_data_retry_limit},
		{"no NAK before the first SPM", test_no_nak_before_spm},
		{"idle entries", test_idle_entries_do_nothing},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("host nak", tests);
	return unit_run();
}
