/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NCF rate limiting, RFC 3208 §7.2 (engine/ncf_limit.c), on the fake clock. */
#include "test_engine_fixture.h"

#define IVL 10 /* the default */

static unsigned count_ncfs(const struct fx *f, int ifindex)
{
	unsigned n = 0;
	for (unsigned i = 0; i < f->nsent; i++)
		if (f->sent[i].pkt.type == PGM_NCF && f->sent[i].ifindex == ifindex)
			n++;
	return n;
}

static void test_default_is_small(void)
{
	struct ne_config c;
	ne_config_defaults(&c);
	CU_ASSERT_EQUAL(c.ncf_ivl_ms, IVL);
}

/* First NCF at once, identical NAKs inside the interval coalesced into
 * one NCF when it ends; NAK elimination unaffected. */
static void test_first_now_rest_coalesced(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	uint64_t t0 = f.now;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 42, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	/* the first interval lives in the repair state: no limiter timer */
	CU_ASSERT_TRUE(ne_next_deadline(f.ne) > t0 + IVL);
	f.nsent = 0;
	f.now = t0 + 3;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 42, IF_DN1), NE_DROP);
	f.now = t0 + 9;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 42, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfSuppressed, 2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->OutNcfs, 1);
	/* §7.2 "without affecting the ability to suppress NAKs" */
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NakEliminated, 2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->InNaks, 3);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->OutNaks, 1);
	/* another interface is answered at once: its receivers wait too */
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 42, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN2), 1);
	f.nsent = 0;
	fx_tick(&f, t0 + IVL - 1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	fx_tick(&f, t0 + IVL);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 1);
	struct fx_sent *s = &f.sent[0];
	CU_ASSERT_EQUAL(s->err, PGM_OK);
	CU_ASSERT_EQUAL(s->pkt.type, PGM_NCF);
	CU_ASSERT_EQUAL(s->pkt.u.nak.sqn, 42);
	CU_ASSERT_EQUAL(s->ifindex, IF_DN1);
	CU_ASSERT_EQUAL(s->src.s_addr, fx_addr("10.0.0.5").s_addr);
	CU_ASSERT_EQUAL(s->dst.s_addr, fx_addr("239.1.1.1").s_addr);
	CU_ASSERT_TRUE(s->ra);
	CU_ASSERT_EQUAL(s->pkt.sport, FX_SPORT);
	CU_ASSERT_EQUAL(s->pkt.dport, FX_DPORT);
	struct pgm_tsi tsi = fx_tsi();
	CU_ASSERT_TRUE(pgm_tsi_eq(&s->pkt.tsi, &tsi));
	CU_ASSERT_EQUAL(s->pkt.u.nak.src.u.v4.s_addr, fx_addr("10.0.0.5").s_addr);
	CU_ASSERT_EQUAL(s->pkt.u.nak.grp.u.v4.s_addr, fx_addr("239.1.1.1").s_addr);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfCoalesced, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->OutNcfs, 2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->NcfCoalesced, 0);
	fx_fini(&f);
}

/* After a coalesced NCF a new interval runs; a quiet one ends the entry. */
static void test_interval_rearms_then_ends(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 5, IF_DN1);
	f.now = t0 + 1;
	fx_nak_sqn(&f, 5, IF_DN1);
	fx_tick(&f, t0 + IVL); /* coalesced NCF, next interval to t0 + 2 IVL */
	f.nsent = 0;
	f.now = t0 + IVL + 5;
	fx_nak_sqn(&f, 5, IF_DN1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	fx_tick(&f, t0 + 2 * IVL);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	f.nsent = 0;
	fx_tick(&f, t0 + 3 * IVL); /* nothing suppressed: no NCF, entry gone */
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfCoalesced, 2);
	/* the next NAK opens a new interval with an NCF at once */
	f.now = t0 + 3 * IVL + 1;
	fx_nak_sqn(&f, 5, IF_DN1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	/* ... and is inside it again: suppressed, one NCF at its end */
	f.nsent = 0;
	uint64_t t1 = f.now;
	f.now = t1 + IVL - 1;
	fx_nak_sqn(&f, 5, IF_DN1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), t1 + IVL);
	fx_tick(&f, t1 + IVL);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfCoalesced, 3);
	fx_fini(&f);
}

/* 0 turns limiting off: an NCF for every NAK, as before. */
static void test_off(void)
{
	struct fx f;
	struct ne_config c;
	ne_config_defaults(&c);
	c.ncf_ivl_ms = 0;
	fx_init(&f, &c);
	fx_session(&f);
	f.nsent = 0;
	for (int i = 0; i < 5; i++)
		fx_nak_sqn(&f, 9, IF_DN1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 5);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfSuppressed, 0);
	fx_fini(&f);
}

/* A NAK list is answered whole when one SQN is fresh; suppressed only
 * when every SQN is inside an interval, and then each gets its NCF. */
static void test_nak_list(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 10, IF_DN1);
	f.nsent = 0;
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 10);
	const uint32_t more[] = { 11 };
	fx_list(&nak, 1, more);
	f.now = t0 + 1;
	fx_nak_in(&f, &nak, IF_DN1); /* 11 is new: NCF at once, naming both */
	CU_ASSERT_EQUAL_FATAL(count_ncfs(&f, IF_DN1), 1);
	CU_ASSERT_EQUAL(f.sent[0].pkt.opt.nak_list.count, 1);
	f.nsent = 0;
	f.now = t0 + 2;
	fx_nak_in(&f, &nak, IF_DN1); /* both inside intervals */
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfSuppressed, 1);
	fx_tick(&f, t0 + IVL); /* 10's interval ends */
	CU_ASSERT_EQUAL_FATAL(f.nsent, 1);
	CU_ASSERT_EQUAL(f.sent[0].pkt.u.nak.sqn, 10);
	fx_tick(&f, t0 + 1 + IVL); /* 11's */
	CU_ASSERT_EQUAL_FATAL(f.nsent, 2);
	CU_ASSERT_EQUAL(f.sent[1].pkt.u.nak.sqn, 11);
	fx_fini(&f);
}

/* An interface that is no longer PGM-enabled gets no late NCF. */
static void test_iface_disabled_meanwhile(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 3, IF_DN1);
	f.now = t0 + 1;
	fx_nak_sqn(&f, 3, IF_DN1);
	ne_iface_by_index(&f.ifs, IF_DN1)->enabled = false;
	f.nsent = 0;
	fx_tick(&f, t0 + IVL);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne) > t0 + IVL, true);
	fx_fini(&f);
}

/* A full table ends the oldest interval early (its owed NCF goes then);
 * every NAK is still answered and the table stays bounded. The NAKs make
 * no repair state (one state at most), so each opens a table entry. */
static void test_table_full(void)
{
	struct fx f;
	struct ne_config c;
	ne_config_defaults(&c);
	c.max_rstates = c.max_rstates_per_session = 1;
	fx_init(&f, &c);
	fx_session(&f);
	fx_nak_sqn(&f, 100000, IF_DN1);
	fx_nak_sqn(&f, 100000, IF_DN1); /* owed */
	unsigned ncfs = 0;
	for (uint32_t s = 1; s <= 10000; s++) { /* SQN 0 is behind the trail */
		f.nsent = 0;
		fx_nak_sqn(&f, s, IF_DN1);
		ncfs += count_ncfs(&f, IF_DN1);
	}
	/* one NCF per NAK, plus the early coalesced one for 100000 */
	CU_ASSERT_EQUAL(ncfs, 10001);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfCoalesced, 1);
	f.nsent = 0;
	fx_tick(&f, f.now + IVL);
	CU_ASSERT_EQUAL(f.nsent, 0);
	fx_fini(&f);
}

/* A suppressed NAK whose interval finds the table full is answered at
 * once instead, and the intervals in the table keep their NCFs. */
static void test_table_full_suppressed(void)
{
	struct fx f;
	struct ne_config c;
	ne_config_defaults(&c);
	c.max_rstates = c.max_rstates_per_session = 1u << 16;
	fx_init(&f, &c);
	fx_session(&f);
	unsigned ncfs = 0;
	for (uint32_t s = 1; s <= 10000; s++) { /* each SQN twice */
		f.nsent = 0;
		fx_nak_sqn(&f, s, IF_DN1);
		fx_nak_sqn(&f, s, IF_DN1);
		ncfs += count_ncfs(&f, IF_DN1);
	}
	/* 8192 suppressed; the 1808 after them answered at once */
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfSuppressed, 8192);
	CU_ASSERT_EQUAL(ncfs, 10000 + 1808);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfCoalesced, 0);
	/* the 8192 fall due together (more than the fixture records): their
	 * sends fail, so every entry ends and none is left */
	f.fail_send = true;
	fx_tick(&f, f.now + IVL);
	f.fail_send = false;
	CU_ASSERT_TRUE(ne_next_deadline(f.ne) > f.now + IVL);
	fx_fini(&f);
}

/* The fast path: first NAKs of new repair states use no limiter entry
 * (no limiter timer); a second NAK inside the interval does, and its NCF
 * goes at the end of the interval the first NAK began. */
static void test_first_nak_uses_state(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	uint64_t t0 = f.now;
	for (uint32_t s = 1; s <= 20; s++) {
		f.nsent = 0;
		fx_nak_sqn(&f, s, IF_DN1);
		CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	}
	CU_ASSERT_TRUE(ne_next_deadline(f.ne) > t0 + IVL);
	f.now = t0 + 4;
	f.nsent = 0;
	fx_nak_sqn(&f, 7, IF_DN1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), t0 + IVL); /* not t0 + 4 + IVL */
	fx_tick(&f, t0 + IVL);
	CU_ASSERT_EQUAL_FATAL(count_ncfs(&f, IF_DN1), 1);
	CU_ASSERT_EQUAL(f.sent[0].pkt.u.nak.sqn, 7);
	/* after the interval, a NAK is first again: NCF at once */
	f.nsent = 0;
	f.now = t0 + IVL + 1;
	fx_nak_sqn(&f, 3, IF_DN1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	fx_fini(&f);
}

/* Intervals are serial in the low 32 bits of the ms clock: one that
 * spans their wrap works like any other. */
static void test_clock_wrap(void)
{
	struct fx f;
	fx_init(&f, NULL);
	f.now = (1ull << 33) - 3; /* the low 32 bits wrap 3 ms from now */
	fx_session(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 12, IF_DN1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	f.nsent = 0;
	f.now = t0 + 5; /* past the wrap, inside the interval */
	fx_nak_sqn(&f, 12, IF_DN1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), t0 + IVL);
	fx_tick(&f, t0 + IVL - 1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	fx_tick(&f, t0 + IVL);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	/* a NAK one interval after the re-armed one ended: at once */
	fx_tick(&f, t0 + 2 * IVL);
	f.nsent = 0;
	f.now = t0 + 2 * IVL + 1;
	fx_nak_sqn(&f, 12, IF_DN1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	fx_fini(&f);
}

/* The repair state goes (RDATA) while its interval owes an NCF: the NCF
 * still goes at the interval's end; a NAK after that makes new state and
 * is answered at once (a new repair, a new first NAK). */
static void test_state_freed_while_owed(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 20, IF_DN1);
	f.now = t0 + 1;
	fx_nak_sqn(&f, 20, IF_DN1); /* owed */
	f.now = t0 + 2;
	fx_rdata_copy(&f, 20, IF_DN1);
	struct ne_rstate_view v;
	CU_ASSERT_FALSE(fx_rstate(&f, 20, &v));
	f.nsent = 0;
	fx_tick(&f, t0 + IVL);
	CU_ASSERT_EQUAL_FATAL(count_ncfs(&f, IF_DN1), 1);
	CU_ASSERT_EQUAL(f.sent[0].pkt.u.nak.sqn, 20);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfCoalesced, 1);
	f.nsent = 0;
	f.now = t0 + IVL + 1;
	fx_nak_sqn(&f, 20, IF_DN1);
	CU_ASSERT_TRUE(fx_rstate(&f, 20, &v));
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	/* its next NAK is suppressed; one NCF when the interval ends */
	f.nsent = 0;
	f.now = t0 + IVL + 2;
	fx_nak_sqn(&f, 20, IF_DN1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	fx_tick(&f, t0 + 2 * IVL);
	fx_tick(&f, t0 + 2 * IVL + 1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfCoalesced, 2);
	fx_fini(&f);
}

/* A NAK that makes no repair state (table full) is limited by the
 * limiter's table as before: first NCF at once, the rest coalesced. */
static void test_no_state(void)
{
	struct fx f;
	struct ne_config c;
	ne_config_defaults(&c);
	c.max_rstates = c.max_rstates_per_session = 1;
	fx_init(&f, &c);
	fx_session(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 1, IF_DN1); /* takes the only state */
	f.nsent = 0;
	fx_nak_sqn(&f, 2, IF_DN1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), t0 + IVL); /* a table entry */
	f.nsent = 0;
	f.now = t0 + 1;
	fx_nak_sqn(&f, 2, IF_DN1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 0);
	fx_tick(&f, t0 + IVL);
	CU_ASSERT_EQUAL_FATAL(count_ncfs(&f, IF_DN1), 1);
	CU_ASSERT_EQUAL(f.sent[0].pkt.u.nak.sqn, 2);
	fx_fini(&f);
}

/* The state keeps the first interface's interval; a second interface's
 * NAKs use the table and are limited on their own; once the first
 * interface's interval has ended quietly, the state serves the next. */
static void test_second_iface(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 30, IF_DN1);
	f.nsent = 0;
	f.now = t0 + 1;
	fx_nak_sqn(&f, 30, IF_DN2);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN2), 1);
	f.nsent = 0;
	f.now = t0 + 2;
	fx_nak_sqn(&f, 30, IF_DN2);
	fx_nak_sqn(&f, 30, IF_DN1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfSuppressed, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->NcfSuppressed, 1);
	/* dn1's interval ends at t0 + IVL, but its table entry was made
	 * after dn2's, which ends at t0 + 1 + IVL: the limiter's FIFO keeps
	 * deadline order, so dn1's NCF goes with dn2's (within one interval
	 * of the NAK that owes it) */
	fx_tick(&f, t0 + 1 + IVL);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN2), 1);
	/* dn1's interval in the state has ended and owes nothing in the
	 * table any more after the next quiet one: a NAK is first again */
	fx_tick(&f, t0 + 1 + 2 * IVL);
	f.nsent = 0;
	f.now = t0 + 2 + 2 * IVL;
	fx_nak_sqn(&f, 30, IF_DN2);
	fx_nak_sqn(&f, 30, IF_DN1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN2), 1);
	fx_fini(&f);
}

/* A send that fails opens no interval: the next NAK is answered at once. */
static void test_send_failure(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	f.fail_send = true;
	fx_nak_sqn(&f, 8, IF_DN1);
	f.fail_send = false;
	f.nsent = 0;
	f.now += 1;
	fx_nak_sqn(&f, 8, IF_DN1);
	CU_ASSERT_EQUAL(count_ncfs(&f, IF_DN1), 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfSuppressed, 0);
	fx_fini(&f);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "default interval is small", test_default_is_small },
		{ "first NCF at once, the rest coalesced", test_first_now_rest_coalesced },
		{ "interval re-arms, a quiet one ends", test_interval_rearms_then_ends },
		{ "interval 0: off", test_off },
		{ "NAK list: fresh SQN answers at once", test_nak_list },
		{ "interface disabled meanwhile", test_iface_disabled_meanwhile },
		{ "table full: oldest ends early", test_table_full },
		{ "table full: suppressed NAK answered at once", test_table_full_suppressed },
		{ "failed send opens no interval", test_send_failure },
		{ "first NAK: interval in the repair state", test_first_nak_uses_state },
		{ "interval across the 32-bit clock wrap", test_clock_wrap },
		{ "state freed while an NCF is owed", test_state_freed_while_owed },
		{ "NAK without repair state: the table", test_no_state },
		{ "second interface", test_second_iface },
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("engine_ncf_limit", tests);
	return unit_run();
}
