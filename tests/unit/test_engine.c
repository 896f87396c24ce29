/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Engine procedures, RFC 3208 §7: SPM, NAK/NCF, constrained RDATA, NNAK. */
#include "test_engine_fixture.h"

/* The PGM part of the last packet handed to the engine, parsed. */
static enum pgm_err fx_reparse(struct fx *f, struct pgm_pkt *p)
{
	struct pgm_ip ip;
	CU_ASSERT_EQUAL_FATAL(pgm_ip_parse(f->ip, f->ip_len, &ip), PGM_OK);
	return pgm_parse(f->ip + ip.hdr_len, ip.total_len - ip.hdr_len, 0, p);
}

static void test_spm_state_and_rewrite(void)
{
	struct fx f;
	fx_init(&f, NULL);
	const int outs[2] = { IF_DN1, IF_DN2 };
	const char *addrs[2] = { "10.0.2.1", "10.0.3.1" };
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(fx_spm_copy(&f, 5, outs[i]), NE_ACCEPT);
		CU_ASSERT_TRUE(f.modified);
		struct pgm_pkt p;
		/* parse verifies the checksum after the rewrite */
		CU_ASSERT_EQUAL(fx_reparse(&f, &p), PGM_OK);
		CU_ASSERT_EQUAL(p.u.spm.path.afi, PGM_AFI_IPV4);
		CU_ASSERT_EQUAL(p.u.spm.path.u.v4.s_addr, fx_addr(addrs[i]).s_addr);
		CU_ASSERT_EQUAL(p.u.spm.sqn, 5);
	}
	struct fx_sess_find q = { 0 };
	ne_foreach_session(f.ne, fx_sess_cb, &q);
	CU_ASSERT_EQUAL(q.n, 1);
	struct pgm_tsi tsi = fx_tsi();
	CU_ASSERT_TRUE(pgm_tsi_eq(&q.v.tsi, &tsi));
	CU_ASSERT_EQUAL(q.v.upstream.s_addr, fx_addr("10.0.1.254").s_addr);
	CU_ASSERT_EQUAL(q.v.upstream_ifindex, IF_UP);
	CU_ASSERT_EQUAL(q.v.group.s_addr, fx_addr("239.1.1.1").s_addr);
	CU_ASSERT_EQUAL(q.v.source.s_addr, fx_addr("10.0.0.5").s_addr);
	CU_ASSERT_EQUAL(q.v.dport, FX_DPORT);
	CU_ASSERT_EQUAL(q.v.spm_sqn, 5);
	CU_ASSERT_EQUAL(q.v.trail, 1);
	CU_ASSERT_EQUAL(q.v.lead, 0);
	/* one SPM in, two copies out, none "bad" */
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InSpms, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->SpmBadSqn, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->OutSpms, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->OutSpms, 1);
	CU_ASSERT_EQUAL(ne_health(f.ne)->PacketsModified, 2);
	fx_fini(&f);
}

static void test_spm_bad_sqn(void)
{
	struct fx f;
	fx_init(&f, NULL);
	CU_ASSERT_EQUAL(fx_spm_copy(&f, 10, IF_DN1), NE_ACCEPT);
	f.now += 100;
	/* older SPM: discarded, state kept */
	struct pgm_pkt old = fx_spm(9, 1, 0);
	pgm_nla_from_in(&old.u.spm.path, fx_addr("10.0.1.99"));
	CU_ASSERT_EQUAL(fx_fwd(&f, &old, "10.0.0.5", "239.1.1.1", IF_UP, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_fwd(&f, &old, "10.0.0.5", "239.1.1.1", IF_UP, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->SpmBadSqn, 1);
	struct fx_sess_find q = { 0 };
	ne_foreach_session(f.ne, fx_sess_cb, &q);
	CU_ASSERT_EQUAL(q.v.spm_sqn, 10);
	CU_ASSERT_EQUAL(q.v.upstream.s_addr, fx_addr("10.0.1.254").s_addr);
	/* newer SPM from a new neighbour: recorded */
	f.now += 100;
	struct pgm_pkt next = fx_spm(11, 2, 3);
	pgm_nla_from_in(&next.u.spm.path, fx_addr("10.0.1.99"));
	CU_ASSERT_EQUAL(fx_fwd(&f, &next, "10.0.0.5", "239.1.1.1", IF_UP, IF_DN1), NE_ACCEPT);
	ne_foreach_session(f.ne, fx_sess_cb, &q);
	CU_ASSERT_EQUAL(q.v.spm_sqn, 11);
	CU_ASSERT_EQUAL(q.v.upstream.s_addr, fx_addr("10.0.1.99").s_addr);
	CU_ASSERT_EQUAL(q.v.last_spm_ms, f.now);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->SpmBadSqn, 1);
	fx_fini(&f);
}

/* A copy to an interface where PGM is off leaves untouched. */
static void test_spm_copy_to_disabled_iface(void)
{
	struct fx f;
	fx_init(&f, NULL);
	CU_ASSERT_EQUAL(fx_spm_copy(&f, 3, IF_DN1), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_spm_copy(&f, 3, IF_OFF), NE_ACCEPT);
	CU_ASSERT_FALSE(f.modified);
	struct pgm_pkt p;
	CU_ASSERT_EQUAL(fx_reparse(&f, &p), PGM_OK);
	CU_ASSERT_EQUAL(p.u.spm.path.u.v4.s_addr, fx_addr("10.0.1.254").s_addr);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_OFF)->OutSpms, 0);
	fx_fini(&f);
}

static void test_nak_ncf_and_forward(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 42);
	uint8_t orig[FX_PKT_MAX];
	size_t orig_len = pgm_build(orig, sizeof(orig), &nak);
	CU_ASSERT_EQUAL(fx_nak_in(&f, &nak, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 2);
	/* §7.2: NCF multicast on the arrival interface, source's address */
	struct fx_sent *ncf = &f.sent[0];
	CU_ASSERT_EQUAL(ncf->err, PGM_OK);
	CU_ASSERT_EQUAL(ncf->pkt.type, PGM_NCF);
	CU_ASSERT_EQUAL(ncf->ifindex, IF_DN1);
	CU_ASSERT_EQUAL(ncf->src.s_addr, fx_addr("10.0.0.5").s_addr);
	CU_ASSERT_EQUAL(ncf->dst.s_addr, fx_addr("239.1.1.1").s_addr);
	CU_ASSERT_EQUAL(ncf->ttl, 255);
	CU_ASSERT_TRUE(ncf->ra);
	CU_ASSERT_EQUAL(ncf->pkt.u.nak.sqn, 42);
	CU_ASSERT_EQUAL(ncf->pkt.sport, FX_SPORT);
	CU_ASSERT_EQUAL(ncf->pkt.dport, FX_DPORT);
	struct pgm_tsi tsi = fx_tsi();
	CU_ASSERT_TRUE(pgm_tsi_eq(&ncf->pkt.tsi, &tsi));
	CU_ASSERT_TRUE(pgm_nla_eq(&ncf->pkt.u.nak.src, &nak.u.nak.src));
	CU_ASSERT_TRUE(pgm_nla_eq(&ncf->pkt.u.nak.grp, &nak.u.nak.grp));
	/* §7.3/§7.7: the same NAK bytes, unicast to the upstream hop */
	struct fx_sent *up = &f.sent[1];
	CU_ASSERT_EQUAL(up->ifindex, IF_UP);
	CU_ASSERT_EQUAL(up->src.s_addr, fx_addr("10.0.1.1").s_addr);
	CU_ASSERT_EQUAL(up->dst.s_addr, fx_addr("10.0.1.254").s_addr);
	CU_ASSERT_EQUAL(up->ttl, 255);
	CU_ASSERT_FALSE(up->ra);
	CU_ASSERT_EQUAL_FATAL(up->len, orig_len);
	CU_ASSERT_EQUAL(memcmp(up->pgm, orig, orig_len), 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->InNaks, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->UniqueNaks, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->OutNcfs, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->OutNaks, 1);
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 42, &v));
	CU_ASSERT_EQUAL(v.phase, NE_RS_PENDING);
	CU_ASSERT_EQUAL(v.ifaces, 1u << SLOT_DN1);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 1);
	fx_fini(&f);
}

static void test_nak_duplicates_eliminated(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	fx_nak_sqn(&f, 42, IF_DN1);
	f.nsent = 0;
	f.now += 10;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 42, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 42, IF_DN2), NE_DROP);
	/* each answered with an NCF on its own interface, none forwarded */
	CU_ASSERT_EQUAL_FATAL(f.nsent, 2);
	CU_ASSERT_EQUAL(f.sent[0].pkt.type, PGM_NCF);
	CU_ASSERT_EQUAL(f.sent[0].ifindex, IF_DN1);
	CU_ASSERT_EQUAL(f.sent[1].pkt.type, PGM_NCF);
	CU_ASSERT_EQUAL(f.sent[1].ifindex, IF_DN2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->OutNaks, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NakEliminated, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->NakEliminated, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->UniqueNaks, 0);
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 42, &v));
	CU_ASSERT_EQUAL(v.ifaces, (1u << SLOT_DN1) | (1u << SLOT_DN2));
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->ReXmitStates, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->ReXmitStates, 1);
	fx_fini(&f);
}

static void test_nak_retries_then_expiry(void)
{
	struct fx f;
	struct ne_config cfg;
	ne_config_defaults(&cfg); /* NAK_RPT_RTE 100 ms, NAK_RPT_IVL 500 ms */
	cfg.ncf_ivl_ms = 0;       /* the repair timers alone */
	fx_init(&f, &cfg);
	fx_session(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 7, IF_DN1);
	f.nsent = 0;
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), t0 + 100);
	fx_tick(&f, t0 + 99);
	CU_ASSERT_EQUAL(f.nsent, 0);
	for (unsigned k = 1; k <= 4; k++) {
		fx_tick(&f, t0 + 100 * k);
		CU_ASSERT_EQUAL_FATAL(f.nsent, k);
		struct fx_sent *s = &f.sent[k - 1];
		CU_ASSERT_EQUAL(s->err, PGM_OK);
		CU_ASSERT_EQUAL(s->pkt.type, PGM_NAK);
		CU_ASSERT_EQUAL(s->pkt.u.nak.sqn, 7);
		CU_ASSERT_EQUAL(s->pkt.sport, FX_DPORT);
		CU_ASSERT_EQUAL(s->pkt.dport, FX_SPORT);
		CU_ASSERT_EQUAL(s->pkt.u.nak.src.u.v4.s_addr, fx_addr("10.0.0.5").s_addr);
		CU_ASSERT_EQUAL(s->pkt.u.nak.grp.u.v4.s_addr, fx_addr("239.1.1.1").s_addr);
		CU_ASSERT_EQUAL(s->dst.s_addr, fx_addr("10.0.1.254").s_addr);
		CU_ASSERT_EQUAL(s->ifindex, IF_UP);
	}
	struct ne_rstate_view v;
	CU_ASSERT_TRUE(fx_rstate(&f, 7, &v));
	CU_ASSERT_EQUAL(v.retries, 4);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetransmitted, 4);
	fx_tick(&f, t0 + 500);
	CU_ASSERT_EQUAL(f.nsent, 4);
	CU_ASSERT_FALSE(fx_rstate(&f, 7, NULL));
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetryExpired, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->ReXmitTimedOut, 1);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), t0 + f.cfg.session_lifetime_ms);
	fx_fini(&f);
}

static void test_ncf_confirms(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	fx_nak_sqn(&f, 7, IF_DN1);
	f.nsent = 0;
	f.now += 20;
	uint64_t t1 = f.now;
	/* the upstream NCF reaches FORWARD as one copy per downstream iface */
	CU_ASSERT_EQUAL(fx_ncf_copy(&f, 7, IF_UP, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_ncf_copy(&f, 7, IF_UP, IF_DN2), NE_DROP);
	/* a copy to an interface without PGM passes; state changed once */
	CU_ASSERT_EQUAL(fx_ncf_copy(&f, 7, IF_UP, IF_OFF), NE_ACCEPT);
	CU_ASSERT_FALSE(f.modified);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InNcfs, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NcfReceived, 1);
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 7, &v));
	CU_ASSERT_EQUAL(v.phase, NE_RS_CONFIRMED);
	CU_ASSERT_EQUAL(v.expires_ms, t1 + f.cfg.nak_rdata_ivl_ms);
	CU_ASSERT_EQUAL(v.elim_until_ms, t1 + f.cfg.nak_elim_ivl_ms);
	/* no more retries; the state waits NAK_RDATA_IVL and goes */
	fx_tick(&f, t1 + f.cfg.nak_rdata_ivl_ms - 1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_TRUE(fx_rstate(&f, 7, NULL));
	fx_tick(&f, t1 + f.cfg.nak_rdata_ivl_ms);
	CU_ASSERT_FALSE(fx_rstate(&f, 7, NULL));
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->ReXmitTimedOut, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetryExpired, 0);
	fx_fini(&f);
}

static void test_elimination_window_ends(void)
{
	struct fx f;
	fx_init(&f, NULL); /* NAK_ELIM_IVL 100 ms */
	fx_session(&f);
	fx_nak_sqn(&f, 7, IF_DN1);
	f.now += 5;
	uint64_t t1 = f.now;
	fx_ncf_copy(&f, 7, IF_UP, IF_DN1);
	f.now = t1 + 99;
	fx_nak_sqn(&f, 7, IF_DN2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->OutNaks, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->NakEliminated, 1);
	/* window over: the next duplicate goes upstream and is pending again */
	f.now = t1 + 100;
	fx_nak_sqn(&f, 7, IF_DN1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->OutNaks, 2);
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 7, &v));
	CU_ASSERT_EQUAL(v.phase, NE_RS_PENDING);
	CU_ASSERT_EQUAL(v.ifaces, (1u << SLOT_DN1) | (1u << SLOT_DN2));
	/* and duplicates of the new pending NAK are eliminated again */
	f.now += 1;
	fx_nak_sqn(&f, 7, IF_DN2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->OutNaks, 2);
	fx_fini(&f);
}

static void test_anticipated_state(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	/* unsolicited NCF on the upstream interface: state, no interfaces */
	CU_ASSERT_EQUAL(fx_ncf_copy(&f, 9, IF_UP, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NcfAnticipated, 1);
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 9, &v));
	CU_ASSERT_EQUAL(v.phase, NE_RS_ANTICIPATED);
	CU_ASSERT_EQUAL(v.ifaces, 0);
	CU_ASSERT_EQUAL(f.nsent, 0);
	/* a NAK for it is confirmed downstream but not forwarded */
	f.now += 10;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 9, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 1);
	CU_ASSERT_EQUAL(f.sent[0].pkt.type, PGM_NCF);
	CU_ASSERT_EQUAL(f.sent[0].ifindex, IF_DN2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->OutNaks, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->NakEliminated, 1);
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 9, &v));
	CU_ASSERT_EQUAL(v.ifaces, 1u << SLOT_DN2);
	/* an NCF from a downstream interface makes no state (§7.5) */
	CU_ASSERT_EQUAL(fx_ncf_copy(&f, 10, IF_DN1, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NcfError, 1);
	CU_ASSERT_FALSE(fx_rstate(&f, 10, NULL));
	/* an NCF for an unknown session is dropped and counted */
	struct pgm_pkt stray = fx_nakish(PGM_NCF, 3);
	stray.tsi.gsi[0] = 0x77;
	CU_ASSERT_EQUAL(fx_fwd(&f, &stray, "10.0.0.5", "239.1.1.1", IF_UP, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InNcfNoSessionErrors, 1);
	fx_fini(&f);
}

static void test_rdata_constrained(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	fx_nak_sqn(&f, 20, IF_DN1);
	fx_nak_sqn(&f, 21, IF_DN2);
	f.now += 3;
	/* RDATA 20: only dn1 asked */
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 20, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 20, IF_DN1), NE_ACCEPT);
	CU_ASSERT_FALSE(fx_rstate(&f, 20, NULL));
	/* RDATA 21, dn2 copy first: served and freed; the dn1 copy dropped */
	f.now += 3;
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 21, IF_DN2), NE_ACCEPT);
	CU_ASSERT_FALSE(fx_rstate(&f, 21, NULL));
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 21, IF_DN1), NE_DROP);
	/* copies to interfaces without PGM pass */
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 21, IF_OFF), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InRdata, 2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->OutRdata, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->OutRdata, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->RdataEliminatedOIF, 2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->RdataEliminatedSqn, 0);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 0);
	fx_fini(&f);
}

static void test_rdata_two_interfaces(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	fx_nak_sqn(&f, 30, IF_DN1);
	fx_nak_sqn(&f, 30, IF_DN2);
	f.now += 2;
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 30, IF_DN1), NE_ACCEPT);
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 30, &v));
	CU_ASSERT_EQUAL(v.ifaces, 1u << SLOT_DN2);
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 30, IF_DN2), NE_ACCEPT);
	CU_ASSERT_FALSE(fx_rstate(&f, 30, NULL));
	/* a second transmission of the same repair finds no state */
	f.now += 50;
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 30, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InRdata, 2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->RdataEliminatedSqn, 1);
	fx_fini(&f);
}

static void test_rdata_without_state(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 99, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 99, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InRdata, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->RdataEliminatedSqn, 1);
	struct pgm_pkt other = fx_rdata(99);
	other.tsi.gsi[5] = 0x42;
	f.now += 20;
	CU_ASSERT_EQUAL(fx_fwd(&f, &other, "10.0.0.5", "239.1.1.1", IF_UP, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InRdataNoSessionErrors, 1);
	/* anticipated state (no interfaces): repair passed, state goes */
	fx_ncf_copy(&f, 50, IF_UP, IF_DN1);
	f.now += 1;
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 50, IF_DN1), NE_DROP);
	CU_ASSERT_FALSE(fx_rstate(&f, 50, NULL));
	fx_fini(&f);
}

static void test_nak_list(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 100);
	const uint32_t l1[] = { 101, 102 };
	fx_list(&nak, 2, l1);
	CU_ASSERT_EQUAL(fx_nak_in(&f, &nak, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 2);
	/* §9.3.3: NCF with the same list; NAK forwarded intact */
	struct pgm_pkt *ncf = &f.sent[0].pkt;
	CU_ASSERT_EQUAL(ncf->type, PGM_NCF);
	CU_ASSERT_TRUE(ncf->opt.has & (1u << PGM_OPT_NAK_LIST));
	CU_ASSERT_EQUAL_FATAL(ncf->opt.nak_list.count, 2);
	CU_ASSERT_EQUAL(ncf->opt.nak_list.sqn[0], 101);
	CU_ASSERT_EQUAL(ncf->opt.nak_list.sqn[1], 102);
	CU_ASSERT_EQUAL(f.sent[1].pkt.opt.nak_list.count, 2);
	for (uint32_t s = 100; s <= 102; s++)
		CU_ASSERT_TRUE(fx_rstate(&f, s, NULL));
	/* every SQN outstanding: eliminated */
	struct pgm_pkt dup = fx_nakish(PGM_NAK, 102);
	const uint32_t l2[] = { 100 };
	fx_list(&dup, 1, l2);
	f.nsent = 0;
	CU_ASSERT_EQUAL(fx_nak_in(&f, &dup, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(f.nsent, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->NakEliminated, 1);
	/* new SQNs go upstream, the outstanding ones are not asked again */
	struct pgm_pkt mixed = fx_nakish(PGM_NAK, 101);
	const uint32_t l3[] = { 103, 102, 104 };
	fx_list(&mixed, 3, l3);
	f.nsent = 0;
	fx_nak_in(&f, &mixed, IF_DN2);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 2);
	CU_ASSERT_EQUAL(f.sent[0].pkt.opt.nak_list.count, 3); /* NCF: all of it */
	struct fx_sent *up = &f.sent[1];
	CU_ASSERT_EQUAL(up->ifindex, IF_UP);
	CU_ASSERT_EQUAL(up->err, PGM_OK);
	CU_ASSERT_EQUAL(up->pkt.type, PGM_NAK);
	CU_ASSERT_EQUAL(up->pkt.u.nak.sqn, 103);
	CU_ASSERT_EQUAL_FATAL(up->pkt.opt.nak_list.count, 1);
	CU_ASSERT_EQUAL(up->pkt.opt.nak_list.sqn[0], 104);
	CU_ASSERT_EQUAL(up->pkt.sport, FX_DPORT);
	CU_ASSERT_EQUAL(up->pkt.dport, FX_SPORT);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->OutNaks, 2);
	/* a single new SQN leaves without a list */
	struct pgm_pkt one = fx_nakish(PGM_NAK, 100);
	const uint32_t l5[] = { 105 };
	fx_list(&one, 1, l5);
	f.nsent = 0;
	fx_nak_in(&f, &one, IF_DN1);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 2);
	CU_ASSERT_EQUAL(f.sent[1].pkt.u.nak.sqn, 105);
	CU_ASSERT_FALSE(f.sent[1].pkt.opt.has & (1u << PGM_OPT_NAK_LIST));
	/* an NCF with a list confirms every SQN in it */
	struct pgm_pkt ncf2 = fx_nakish(PGM_NCF, 100);
	const uint32_t l4[] = { 101, 102, 103, 104, 105 };
	fx_list(&ncf2, 5, l4);
	f.now += 5;
	fx_fwd(&f, &ncf2, "10.0.0.5", "239.1.1.1", IF_UP, IF_DN1);
	struct ne_rstate_view v;
	for (uint32_t s = 100; s <= 105; s++) {
		CU_ASSERT_TRUE(fx_rstate(&f, s, &v));
		CU_ASSERT_EQUAL(v.phase, NE_RS_CONFIRMED);
	}
	fx_fini(&f);
}

/* A NAK to us for a TSI we hold no path state for goes on to the host's
 * own stack (a PGM source on the router), untouched and unanswered. */
static void test_nak_no_session(void)
{
	struct fx f;
	fx_init(&f, NULL);
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 1, IF_DN1), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->InNakNoSessionErrors, 1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 0);
	fx_fini(&f);
}

/* A NAK naming another group could aim our NCF anywhere: refused. */
static void test_nak_foreign_group(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 5);
	pgm_nla_from_in(&nak.u.nak.grp, fx_addr("10.9.9.9"));
	CU_ASSERT_EQUAL(fx_nak_in(&f, &nak, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NakError, 1);
	fx_fini(&f);
}

/* NAKs behind the source's trailing edge cannot be repaired. */
static void test_nak_out_of_window(void)
{
	struct fx f;
	fx_init(&f, NULL);
	struct pgm_pkt spm = fx_spm(1, 1000, 2000);
	fx_fwd(&f, &spm, "10.0.0.5", "239.1.1.1", IF_UP, IF_DN1);
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 999, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->InNakSeqErrors, 1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 1000, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(f.nsent, 2);
	fx_fini(&f);
}

static void test_nak_passing_through(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 5);
	CU_ASSERT_EQUAL(fx_fwd(&f, &nak, "10.0.2.7", "10.0.0.5", IF_DN1, IF_UP), NE_ACCEPT);
	CU_ASSERT_FALSE(f.modified);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->InNaks, 1);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 0);
	struct pgm_pkt spmr = fx_nakish(PGM_SPMR, 0);
	CU_ASSERT_EQUAL(fx_fwd(&f, &spmr, "10.0.2.7", "10.0.0.5", IF_DN1, IF_UP), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->InSpmrs, 1);
	struct pgm_pkt odata = fx_rdata(77);
	odata.type = PGM_ODATA;
	CU_ASSERT_EQUAL(fx_fwd(&f, &odata, "10.0.0.5", "239.1.1.1", IF_UP, IF_DN1), NE_ACCEPT);
	CU_ASSERT_FALSE(f.modified);
	fx_fini(&f);
}

static void test_nnak(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	struct pgm_pkt nn = fx_nakish(PGM_NNAK, 60);
	CU_ASSERT_EQUAL(fx_nak_in(&f, &nn, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 1); /* forwarded, never confirmed */
	CU_ASSERT_EQUAL(f.sent[0].pkt.type, PGM_NNAK);
	CU_ASSERT_EQUAL(f.sent[0].dst.s_addr, fx_addr("10.0.1.254").s_addr);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->OutNnaks, 1);
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 60, &v));
	CU_ASSERT_EQUAL(v.ifaces, 0);
	/* a second NNAK finds state: eliminated */
	CU_ASSERT_EQUAL(fx_nak_in(&f, &nn, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(f.nsent, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NNakEliminated, 1);
	/* a real NAK after an NNAK is not eliminated (§9.5.3.2) */
	fx_nak_sqn(&f, 60, IF_DN2);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 3);
	CU_ASSERT_EQUAL(f.sent[1].pkt.type, PGM_NCF);
	CU_ASSERT_EQUAL(f.sent[2].pkt.type, PGM_NAK);
	CU_ASSERT_TRUE(fx_rstate(&f, 60, &v));
	CU_ASSERT_EQUAL(v.phase, NE_RS_PENDING);
	/* NNAK state alone lives NAK_ELIM_IVL */
	struct pgm_pkt nn2 = fx_nakish(PGM_NNAK, 61);
	fx_nak_in(&f, &nn2, IF_DN1);
	CU_ASSERT_TRUE(fx_rstate(&f, 61, NULL));
	fx_tick(&f, f.now + f.cfg.nak_elim_ivl_ms);
	CU_ASSERT_FALSE(fx_rstate(&f, 61, NULL));
	/* no session: on to the host's own stack */
	nn2.tsi.gsi[0] = 9;
	CU_ASSERT_EQUAL(fx_nak_in(&f, &nn2, IF_DN1), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->InNnakNoSessionErrors, 1);
	fx_fini(&f);
}

/* Parity NAKs name transmission groups: confirmed and forwarded, no state. */
static void test_parity(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 0x40 | 2);
	nak.opt_flags = PGM_OPT_PARITY;
	CU_ASSERT_EQUAL(fx_nak_in(&f, &nak, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 2);
	CU_ASSERT_EQUAL(f.sent[0].pkt.type, PGM_NCF);
	CU_ASSERT_TRUE(f.sent[0].pkt.opt_flags & PGM_OPT_PARITY);
	CU_ASSERT_EQUAL(f.sent[1].pkt.type, PGM_NAK);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->InParityNaks, 1);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 0);
	/* a second one is not eliminated */
	fx_nak_in(&f, &nak, IF_DN2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->OutNaks, 2);
	struct pgm_pkt rd = fx_rdata(0x40 | 2);
	rd.opt_flags = PGM_OPT_PARITY;
	CU_ASSERT_EQUAL(fx_fwd(&f, &rd, "10.0.0.5", "239.1.1.1", IF_UP, IF_DN1), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InParityRdata, 1);
	fx_fini(&f);
}

/* A NAK without checksum (0, §8) gets an NCF without one. */
static void test_ncf_echo_without_checksum(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 12);
	uint8_t pgm[FX_PKT_MAX];
	size_t n = pgm_build(pgm, sizeof(pgm), &nak);
	pgm[6] = pgm[7] = 0;
	fx_frame_raw(&f, pgm, n, "10.0.2.7", "10.0.2.1");
	CU_ASSERT_EQUAL(fx_run(&f, NE_HOOK_INPUT, IF_DN1, 0), NE_DROP);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 2);
	CU_ASSERT_EQUAL(f.sent[0].err, PGM_OK);
	CU_ASSERT_EQUAL(f.sent[0].pkt.type, PGM_NCF);
	CU_ASSERT_EQUAL(f.sent[0].pkt.checksum, 0);
	CU_ASSERT_EQUAL(f.sent[0].pkt.u.nak.sqn, 12);
	fx_fini(&f);
}

/*
 * OpenPGM receivers put the SPM path address (ours) in NAK_SRC, and an
 * OpenPGM source drops NAKs whose NAK_SRC is not its own: the NCF still
 * comes from the source's address, the NAK upstream names the source.
 */
static void test_nak_src_from_spm_path(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 33);
	pgm_nla_from_in(&nak.u.nak.src, fx_addr("10.0.2.1"));
	CU_ASSERT_EQUAL(fx_nak_in(&f, &nak, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL_FATAL(f.nsent, 2);
	struct fx_sent *ncf = &f.sent[0], *up = &f.sent[1];
	CU_ASSERT_EQUAL(ncf->src.s_addr, fx_addr("10.0.0.5").s_addr);
	CU_ASSERT_EQUAL(ncf->pkt.u.nak.src.u.v4.s_addr, fx_addr("10.0.2.1").s_addr);
	CU_ASSERT_EQUAL(up->err, PGM_OK);
	CU_ASSERT_EQUAL(up->pkt.type, PGM_NAK);
	CU_ASSERT_EQUAL(up->pkt.u.nak.sqn, 33);
	CU_ASSERT_EQUAL(up->pkt.u.nak.src.u.v4.s_addr, fx_addr("10.0.0.5").s_addr);
	CU_ASSERT_EQUAL(up->pkt.u.nak.grp.u.v4.s_addr, fx_addr("239.1.1.1").s_addr);
	struct pgm_tsi tsi = fx_tsi();
	CU_ASSERT_TRUE(pgm_tsi_eq(&up->pkt.tsi, &tsi));
	fx_fini(&f);
}

/*
 * The copies of one multicast packet need not reach the daemon back to
 * back: a NAK on INPUT or another packet's copy can come in between.
 * Per-packet work (state, In* counters) must still run once.
 */
static void test_copies_interleaved(void)
{
	struct fx f;
	fx_init(&f, NULL);
	CU_ASSERT_EQUAL(fx_spm_copy(&f, 7, IF_DN1), NE_ACCEPT);
	/* an RDATA without state and a NAK in between */
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 99, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 40, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_spm_copy(&f, 7, IF_DN2), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InSpms, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->SpmBadSqn, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->OutSpms, 1);
	/* RDATA copies for two asking interfaces, split by another packet */
	fx_nak_sqn(&f, 41, IF_DN2);
	f.now += 1;
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 40, IF_DN1), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_spm_copy(&f, 8, IF_DN1), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 40, IF_DN2), NE_DROP);
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 41, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_spm_copy(&f, 8, IF_DN2), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 41, IF_DN2), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InSpms, 2);
	/* 99 (no state), 40 and 41: three RDATA packets, not five */
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InRdata, 3);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->OutRdata, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN2)->OutRdata, 1);
	fx_fini(&f);
}

/*
 * An interface that asked for a repair goes away and a new one takes its
 * slot: the repair goes to the interfaces still asking, not the newcomer.
 */
static void test_iface_gone_leaves_repair_sets(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	fx_nak_sqn(&f, 50, IF_DN1);
	fx_nak_sqn(&f, 50, IF_DN2);
	ne_forget_iface(f.ne, IF_DN2);
	ne_iface_del(&f.ifs, IF_DN2);
	fx_iface(&f, 14, "new", "10.0.5.1", true);
	CU_ASSERT_EQUAL(ne_iface_slot(&f.ifs, ne_iface_by_index(&f.ifs, 14)), SLOT_DN2);
	struct ne_rstate_view v;
	CU_ASSERT_TRUE_FATAL(fx_rstate(&f, 50, &v));
	CU_ASSERT_EQUAL(v.ifaces, 1u << SLOT_DN1);
	f.now += 2;
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 50, 14), NE_DROP);
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 50, IF_DN1), NE_ACCEPT);
	CU_ASSERT_FALSE(fx_rstate(&f, 50, NULL));
	/* unknown interface: nothing happens */
	ne_forget_iface(f.ne, 99);
	fx_fini(&f);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "SPM: state and per-copy path rewrite", test_spm_state_and_rewrite },
		{ "SPM: out-of-sequence discarded", test_spm_bad_sqn },
		{ "SPM: copy to a non-PGM interface untouched", test_spm_copy_to_disabled_iface },
		{ "NAK: NCF on arrival iface, forwarded upstream", test_nak_ncf_and_forward },
		{ "NAK: duplicates eliminated", test_nak_duplicates_eliminated },
		{ "NAK: retries at NAK_RPT_RTE, expiry", test_nak_retries_then_expiry },
		{ "NCF: confirms, stops retries", test_ncf_confirms },
		{ "NAK: elimination window ends", test_elimination_window_ends },
		{ "NCF: anticipated state", test_anticipated_state },
		{ "RDATA: constrained to asking interfaces", test_rdata_constrained },
		{ "RDATA: two interfaces served", test_rdata_two_interfaces },
		{ "RDATA: without state dropped", test_rdata_without_state },
		{ "NAK_LIST: NCF, forward, elimination", test_nak_list },
		{ "NAK: no session", test_nak_no_session },
		{ "NAK: foreign group refused", test_nak_foreign_group },
		{ "NAK: behind the trailing edge", test_nak_out_of_window },
		{ "NAK/SPMR/ODATA passing through", test_nak_passing_through },
		{ "NNAK", test_nnak },
		{ "parity NAK and RDATA", test_parity },
		{ "NAK_SRC set from SPMs upstream", test_nak_src_from_spm_path },
		{ "NCF echo of a NAK without checksum", test_ncf_echo_without_checksum },
		{ "copies interleaved with other packets", test_copies_interleaved },
		{ "interface gone: out of repair sets", test_iface_gone_leaves_repair_sets },
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("engine", tests);
	return unit_run();
}
