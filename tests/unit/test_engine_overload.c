/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NAK retries under overload (ne_set_overload, docs/engine.md
 * "Overload"), on the fake clock: a due retry is put off by one
 * NAK_RPT_RTE while the daemon is behind, NAK_RPT_IVL still ends the
 * state, and everything else is as without overload.
 */
#include "test_engine_fixture.h"

#define RTE 100 /* NAK_RPT_RTE, the default */
#define IVL 500 /* NAK_RPT_IVL, the default */

static void setup(struct fx *f)
{
	struct ne_config cfg;
	ne_config_defaults(&cfg);
	cfg.ncf_ivl_ms = 0; /* the repair timers alone */
	fx_init(f, &cfg);
	CU_ASSERT_EQUAL(f->cfg.nak_rpt_rte_ms, RTE);
	CU_ASSERT_EQUAL(f->cfg.nak_rpt_ivl_ms, IVL);
	fx_session(f);
}

static unsigned count_naks(const struct fx *f, uint32_t sqn)
{
	unsigned n = 0;
	for (unsigned i = 0; i < f->nsent; i++)
		if (f->sent[i].pkt.type == PGM_NAK && f->sent[i].pkt.u.nak.sqn == sqn &&
		    f->sent[i].ifindex == IF_UP)
			n++;
	return n;
}

/* Overloaded for the whole NAK_RPT_IVL: the first NAK only, every due
 * retry counted as deferred, the state ends at NAK_RPT_IVL as before. */
static void test_deferred_until_expiry(void)
{
	struct fx f;
	setup(&f);
	uint64_t t0 = f.now;
	ne_set_overload(f.ne, true);
	fx_nak_sqn(&f, 7, IF_DN1);
	CU_ASSERT_EQUAL(count_naks(&f, 7), 1); /* the first NAK goes up at once */
	f.nsent = 0;
	for (unsigned k = 1; k <= 4; k++) {
		fx_tick(&f, t0 + RTE * k);
		CU_ASSERT_EQUAL(f.nsent, 0);
		CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetryDeferred, k);
		CU_ASSERT_EQUAL(ne_next_deadline(f.ne), t0 + RTE * (k + 1));
	}
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 7, &v));
	CU_ASSERT_EQUAL(v.phase, NE_RS_PENDING);
	CU_ASSERT_EQUAL(v.retries, 0);
	CU_ASSERT_EQUAL(v.expires_ms, t0 + IVL);
	fx_tick(&f, t0 + IVL);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_FALSE(fx_rstate(&f, 7, NULL));
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetransmitted, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetryExpired, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->ReXmitTimedOut, 1);
	fx_fini(&f);
}

/* Overload ends inside NAK_RPT_IVL: the deferred retry goes one
 * NAK_RPT_RTE later, then the retries continue at NAK_RPT_RTE. */
static void test_resumes_within_ivl(void)
{
	struct fx f;
	setup(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 7, IF_DN1);
	f.nsent = 0;
	ne_set_overload(f.ne, true);
	fx_tick(&f, t0 + RTE);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetryDeferred, 1);
	ne_set_overload(f.ne, false);
	fx_tick(&f, t0 + 2 * RTE - 1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	fx_tick(&f, t0 + 2 * RTE);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 1);
	CU_ASSERT_EQUAL(count_naks(&f, 7), 1);
	fx_tick(&f, t0 + 3 * RTE);
	fx_tick(&f, t0 + 4 * RTE);
	CU_ASSERT_EQUAL(count_naks(&f, 7), 3);
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 7, &v));
	CU_ASSERT_EQUAL(v.retries, 3);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetransmitted, 3);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetryDeferred, 1);
	fx_tick(&f, t0 + IVL);
	CU_ASSERT_FALSE(fx_rstate(&f, 7, NULL));
	CU_ASSERT_EQUAL(f.nsent, 3);
	fx_fini(&f);
}

/* A deferred state keeps its place in time: the retry of a later NAK
 * that falls due after the overload goes out before it, on its own
 * schedule, and the deadlines stay in order. */
static void test_order_kept(void)
{
	struct fx f;
	setup(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 7, IF_DN1);
	fx_tick(&f, t0 + 30);
	fx_nak_sqn(&f, 8, IF_DN1);
	f.nsent = 0;
	ne_set_overload(f.ne, true);
	fx_tick(&f, t0 + RTE); /* 7 deferred to t0 + 200 */
	ne_set_overload(f.ne, false);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), t0 + 30 + RTE);
	fx_tick(&f, t0 + 30 + RTE);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 1);
	CU_ASSERT_EQUAL(count_naks(&f, 8), 1);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), t0 + 2 * RTE);
	fx_tick(&f, t0 + 2 * RTE);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 2);
	CU_ASSERT_EQUAL(count_naks(&f, 7), 1);
	fx_fini(&f);
}

/* Overload touches retries only: a new NAK is still answered with an NCF
 * and forwarded, duplicates still eliminated, an upstream NCF still
 * confirms (no retry after it, overload or not). */
static void test_only_retries(void)
{
	struct fx f;
	setup(&f);
	ne_set_overload(f.ne, true);
	uint64_t t0 = f.now;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 9, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 2);
	CU_ASSERT_EQUAL(f.sent[0].pkt.type, PGM_NCF);
	CU_ASSERT_EQUAL(f.sent[0].ifindex, IF_DN1);
	CU_ASSERT_EQUAL(count_naks(&f, 9), 1);
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 9, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->NakEliminated, 1);
	CU_ASSERT_EQUAL(count_naks(&f, 9), 1);
	f.now = t0 + 20;
	CU_ASSERT_EQUAL(fx_ncf_copy(&f, 9, IF_UP, IF_DN1), NE_DROP);
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 9, &v));
	CU_ASSERT_EQUAL(v.phase, NE_RS_CONFIRMED);
	ne_set_overload(f.ne, false);
	f.nsent = 0;
	fx_tick(&f, t0 + IVL);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetryDeferred, 0);
	fx_fini(&f);
}

/* Retries falling due inside ne_handle() (timers run before a packet)
 * follow the same rule as ne_tick(). */
static void test_due_in_handle(void)
{
	struct fx f;
	setup(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 7, IF_DN1);
	f.nsent = 0;
	ne_set_overload(f.ne, true);
	f.now = t0 + RTE;
	fx_nak_sqn(&f, 7, IF_DN2); /* eliminated; the retry of 7 falls due first */
	CU_ASSERT_EQUAL(count_naks(&f, 7), 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetryDeferred, 1);
	ne_set_overload(f.ne, false);
	f.now = t0 + 2 * RTE;
	fx_nak_sqn(&f, 7, IF_DN2);
	CU_ASSERT_EQUAL(count_naks(&f, 7), 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetransmitted, 1);
	fx_fini(&f);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "overloaded throughout: first NAK only, expiry", test_deferred_until_expiry },
		{ "overload ends: retries resume within NAK_RPT_IVL", test_resumes_within_ivl },
		{ "deferred state keeps its place in time", test_order_kept },
		{ "NCF, forwarding, elimination unaffected", test_only_retries },
		{ "retries due inside ne_handle", test_due_in_handle },
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("engine_overload", tests);
	return unit_run();
}
