/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The repair cache in the NAK path (engine/nak.c, engine/rdata.c) on the
 * fake clock: a NAK from an interface the repair has not gone to, after
 * the RDATA went by, gets the NCF and then the cached RDATA on that
 * interface alone, as the source sent it, and no NAK upstream; never
 * onto an interface it went to; never for another TSI; nothing after the
 * cache's lifetime; list NAKs split between the cache and upstream; the
 * NAKs of a second receiver on the served interface eliminated.
 */
#include "test_engine_fixture.h"

#define SRC "10.0.0.5"
#define GRP "239.1.1.1"
#define REPAIR_TTL 63
#define IF_DN3 14

/* The RDATA copy for interface out as it reaches us: TTL already
 * decremented by the forwarder, Router Alert as the source set it. */
static enum ne_verdict rdata_copy(struct fx *f, const struct pgm_tsi *tsi, uint32_t sqn,
                                  int out)
{
	struct pgm_pkt p = fx_rdata(sqn);
	p.tsi = *tsi;
	uint8_t pgm[FX_PKT_MAX];
	size_t n = pgm_build(pgm, sizeof pgm, &p);
	CU_ASSERT_FATAL(n > 0);
	size_t h = pgm_ip_build(f->ip, sizeof f->ip, fx_addr(SRC), fx_addr(GRP), REPAIR_TTL, true, n);
	CU_ASSERT_FATAL(h > 0);
	memcpy(f->ip + h, pgm, n);
	f->ip_len = h + n;
	return fx_run(f, NE_HOOK_FORWARD, IF_UP, out);
}

/* A NAK for sqn from dn1, confirmed from upstream, its RDATA forwarded
 * to dn1 (and not to dn2): the state is gone, the cache has it. */
static void repaired_on_dn1(struct fx *f, uint32_t sqn)
{
	struct pgm_tsi tsi = fx_tsi();
	CU_ASSERT_EQUAL(fx_nak_sqn(f, sqn, IF_DN1), NE_DROP);
	fx_ncf_copy(f, sqn, IF_UP, IF_DN1);
	f->now += 3;
	CU_ASSERT_EQUAL(rdata_copy(f, &tsi, sqn, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(rdata_copy(f, &tsi, sqn, IF_DN1), NE_ACCEPT);
	CU_ASSERT_FALSE(fx_rstate(f, sqn, NULL));
}

/* Packets sent since index `from` towards interface ifindex, of type. */
static unsigned sent_of(const struct fx *f, unsigned from, int ifindex, uint8_t type)
{
	unsigned n = 0;
	for (unsigned i = from; i < f->nsent; i++)
		n += f->sent[i].ifindex == ifindex && f->sent[i].pkt.type == type;
	return n;
}

static void test_late_asker_served_from_cache(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	repaired_on_dn1(&f, 40);
	unsigned before = f.nsent;
	f.now += 20; /* dn2's receiver NAKs after its back-off */
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 40, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL_FATAL(f.nsent, before + 2);
	const struct fx_sent *ncf = &f.sent[before], *rd = &f.sent[before + 1];
	CU_ASSERT_EQUAL(ncf->pkt.type, PGM_NCF); /* the NCF first (§7.2) */
	CU_ASSERT_EQUAL(ncf->ifindex, IF_DN2);
	CU_ASSERT_EQUAL(rd->pkt.type, PGM_RDATA);
	CU_ASSERT_EQUAL(rd->err, PGM_OK);
	CU_ASSERT_EQUAL(rd->pkt.u.data.sqn, 40);
	CU_ASSERT_EQUAL(rd->ifindex, IF_DN2);
	CU_ASSERT_EQUAL(rd->src.s_addr, fx_addr(SRC).s_addr);
	CU_ASSERT_EQUAL(rd->dst.s_addr, fx_addr(GRP).s_addr);
	CU_ASSERT_EQUAL(rd->ttl, REPAIR_TTL);
	CU_ASSERT_TRUE(rd->ra);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_UP, PGM_NAK), 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->RdataFromCache, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->OutRdata, 1); /* every RDATA sent out of it */
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->OutRdata, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->NakEliminated, 0);
	/* anticipated state: the next receiver on dn2, NAKing while the
	 * repair is on its way, is eliminated (NCF only) */
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 40, &v));
	CU_ASSERT_EQUAL(v.phase, NE_RS_ANTICIPATED);
	before = f.nsent;
	f.now += 1;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 40, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_UP, PGM_NAK), 0);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_DN2, PGM_RDATA), 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->RdataFromCache, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->NakEliminated, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->NakCacheMisses, 1);
	fx_fini(&f);
}

/* A third interface asks later still, after the anticipated state the
 * second one left has stopped eliminating: served from the cache, and
 * its own duplicate NAK right behind is eliminated, not sent upstream. */
static void test_later_asker_restarts_elimination(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_iface(&f, IF_DN3, "dn3", "10.0.5.1", true);
	fx_session(&f);
	repaired_on_dn1(&f, 44);
	f.now += 20;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 44, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->RdataFromCache, 1);
	f.now += f.cfg.nak_elim_ivl_ms + 50; /* dn2's anticipated state eliminates no more */
	unsigned before = f.nsent;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 44, IF_DN3), NE_DROP);
	f.now += 1;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 44, IF_DN3), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN3)->RdataFromCache, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN3)->NakEliminated, 1);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_DN3, PGM_RDATA), 1);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_UP, PGM_NAK), 0);
	fx_fini(&f);
}

/* The interface the repair went to NAKs again: the repair was lost on
 * that link; the cache does not send it there, the source does. */
static void test_never_onto_the_interface_it_went_to(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	repaired_on_dn1(&f, 41);
	unsigned before = f.nsent;
	f.now += 200; /* after NAK_ELIM_IVL */
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 41, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_DN1, PGM_RDATA), 0);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_UP, PGM_NAK), 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->RdataFromCache, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NakCacheMisses, 2); /* its first NAK too */
	fx_fini(&f);
}

static void test_never_for_another_tsi(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	struct pgm_pkt spm = fx_spm(1, 1, 0);
	spm.tsi.gsi[0] ^= 0x55;
	CU_ASSERT_EQUAL(fx_fwd(&f, &spm, SRC, GRP, IF_UP, IF_DN2), NE_ACCEPT);
	CU_ASSERT_EQUAL(ne_session_count(f.ne), 2);
	repaired_on_dn1(&f, 42);
	unsigned before = f.nsent;
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 42);
	nak.tsi = spm.tsi; /* the other session, same SQN */
	CU_ASSERT_EQUAL(fx_nak_in(&f, &nak, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_DN2, PGM_RDATA), 0);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_UP, PGM_NAK), 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->RdataFromCache, 0);
	fx_fini(&f);
}

static void test_nothing_after_the_lifetime(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	repaired_on_dn1(&f, 43);
	f.now += f.cfg.rcache_ms; /* stored 3 ms before the RDATA's time: gone */
	fx_tick(&f, f.now);
	uint64_t bytes, packets;
	ne_rcache_usage(f.ne, &bytes, &packets);
	CU_ASSERT_EQUAL(packets, 0);
	CU_ASSERT_EQUAL(bytes, 0);
	CU_ASSERT_EQUAL(ne_health(f.ne)->RcacheExpired, 1);
	unsigned before = f.nsent;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 43, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_DN2, PGM_RDATA), 0);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_UP, PGM_NAK), 1);
	fx_fini(&f);
}

/* A list NAK: the cached SQN repaired here, the rest asked upstream. */
static void test_list_split(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	repaired_on_dn1(&f, 50);
	unsigned before = f.nsent;
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 50);
	static const uint32_t more[] = { 51 };
	fx_list(&nak, 1, more);
	CU_ASSERT_EQUAL(fx_nak_in(&f, &nak, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_DN2, PGM_NCF), 1);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_DN2, PGM_RDATA), 1);
	CU_ASSERT_EQUAL_FATAL(sent_of(&f, before, IF_UP, PGM_NAK), 1);
	const struct fx_sent *up = &f.sent[f.nsent - 1];
	CU_ASSERT_EQUAL(up->pkt.type, PGM_NAK);
	CU_ASSERT_EQUAL(up->pkt.u.nak.sqn, 51);
	CU_ASSERT_FALSE(up->pkt.opt.has & (1u << PGM_OPT_NAK_LIST));
	fx_fini(&f);
}

static void test_off(void)
{
	struct fx f;
	struct ne_config cfg;
	ne_config_defaults(&cfg);
	cfg.rcache_bytes = 0;
	fx_init(&f, &cfg);
	fx_session(&f);
	repaired_on_dn1(&f, 60);
	unsigned before = f.nsent;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 60, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_DN2, PGM_RDATA), 0);
	CU_ASSERT_EQUAL(sent_of(&f, before, IF_UP, PGM_NAK), 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->NakCacheMisses, 0);
	uint64_t bytes, packets;
	ne_rcache_usage(f.ne, &bytes, &packets);
	CU_ASSERT_EQUAL(packets, 0);
	fx_fini(&f);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "late asker: NCF, then the cached RDATA, no NAK upstream", test_late_asker_served_from_cache },
		{ "a later asker restarts the elimination window", test_later_asker_restarts_elimination },
		{ "never onto the interface it went to", test_never_onto_the_interface_it_went_to },
		{ "never for another TSI", test_never_for_another_tsi },
		{ "nothing after the lifetime", test_nothing_after_the_lifetime },
		{ "list NAK: cached SQN here, the rest upstream", test_list_split },
		{ "off: the NAK goes upstream", test_off },
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("engine repair cache", tests);
	return unit_run();
}
