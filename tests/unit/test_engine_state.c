/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Engine state keeping: table bounds, session lifetime, SQN and clock
 * wrap-around, clears, views, OPX, malformed input, the default timers
 * against stock receivers, memory per entry.
 */
#include "test_engine_fixture.h"

static struct pgm_tsi tsi_b(void)
{
	struct pgm_tsi t = fx_tsi();
	t.gsi[0] = 0x11;
	return t;
}

/* SPM for another TSI (and group), copy to dn1. */
static enum ne_verdict spm_other(struct fx *f, struct pgm_tsi tsi, const char *group,
                                 uint32_t sqn)
{
	struct pgm_pkt p = fx_spm(sqn, 1, 0);
	p.tsi = tsi;
	return fx_fwd(f, &p, "10.0.0.5", group, IF_UP, IF_DN1);
}

static enum ne_verdict nak_other(struct fx *f, struct pgm_tsi tsi, const char *group,
                                 uint32_t sqn)
{
	struct pgm_pkt p = fx_nakish(PGM_NAK, sqn);
	p.tsi = tsi;
	pgm_nla_from_in(&p.u.nak.grp, fx_addr(group));
	return fx_nak_in(f, &p, IF_DN1);
}

static void test_table_bounds(void)
{
	struct ne_config cfg;
	ne_config_defaults(&cfg);
	cfg.max_sessions = 2;
	cfg.max_rstates = 4;
	cfg.max_rstates_per_session = 3;
	struct fx f;
	fx_init(&f, &cfg);
	fx_session(&f);
	CU_ASSERT_EQUAL(spm_other(&f, tsi_b(), "239.1.1.1", 1), NE_ACCEPT);
	/* a third session is refused; its SPM passes untouched */
	struct pgm_tsi c = fx_tsi();
	c.gsi[0] = 0x22;
	CU_ASSERT_EQUAL(spm_other(&f, c, "239.1.1.1", 1), NE_ACCEPT);
	CU_ASSERT_FALSE(f.modified);
	CU_ASSERT_EQUAL(ne_health(f.ne)->SessionTableFull, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->SpmError, 1);
	CU_ASSERT_EQUAL(ne_session_count(f.ne), 2);
	/* five SQNs on session A: three fit its share */
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 1);
	const uint32_t more[] = { 2, 3, 4, 5 };
	fx_list(&nak, 4, more);
	fx_nak_in(&f, &nak, IF_DN1);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 3);
	CU_ASSERT_EQUAL(ne_health(f.ne)->StateTableFull, 2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NakError, 2);
	/* session B gets the last slot, then the table is full */
	nak_other(&f, tsi_b(), "239.1.1.1", 1);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 4);
	nak_other(&f, tsi_b(), "239.1.1.1", 2);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 4);
	CU_ASSERT_EQUAL(ne_health(f.ne)->StateTableFull, 3);
	/* an unsolicited NCF cannot add state either */
	fx_ncf_copy(&f, 77, IF_UP, IF_DN1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NcfError, 1);
	CU_ASSERT_EQUAL(ne_health(f.ne)->StateTableFull, 4);
	/* nothing already held was disturbed */
	struct ne_rstate_view v;
	for (uint32_t s = 1; s <= 3; s++) {
		CU_ASSERT_TRUE(fx_rstate(&f, s, &v));
		CU_ASSERT_EQUAL(v.ifaces, 1u << SLOT_DN1);
	}
	CU_ASSERT_FALSE(fx_rstate(&f, 4, NULL));
	/* serving a repair frees a slot for new state */
	f.now += 1;
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 1, IF_DN1), NE_ACCEPT);
	nak_other(&f, tsi_b(), "239.1.1.1", 2);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 4);
	CU_ASSERT_EQUAL(ne_health(f.ne)->StateTableFull, 4);
	CU_ASSERT_TRUE(fx_rstate(&f, 2, NULL));
	fx_fini(&f);
}

static void test_session_lifetime(void)
{
	struct ne_config cfg;
	ne_config_defaults(&cfg);
	cfg.session_lifetime_ms = 1000;
	cfg.max_sessions = 1;
	struct fx f;
	fx_init(&f, &cfg);
	uint64_t t = f.now;
	fx_session(&f);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), t + 1000);
	f.now = t + 500; /* a later SPM extends the lifetime */
	fx_spm_copy(&f, 2, IF_DN1);
	fx_tick(&f, t + 1499);
	CU_ASSERT_EQUAL(ne_session_count(f.ne), 1);
	f.now = t + 1400; /* clock going back is ignored */
	fx_nak_sqn(&f, 8, IF_DN1);
	CU_ASSERT_TRUE(fx_rstate(&f, 8, NULL));
	fx_tick(&f, t + 1500);
	CU_ASSERT_EQUAL(ne_session_count(f.ne), 0);
	/* the state outlives its session; its slot stays taken meanwhile */
	CU_ASSERT_TRUE(fx_rstate(&f, 8, NULL));
	CU_ASSERT_EQUAL(spm_other(&f, tsi_b(), "239.1.1.1", 1), NE_ACCEPT);
	CU_ASSERT_EQUAL(ne_health(f.ne)->SessionTableFull, 1);
	f.nsent = 0;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 9, IF_DN1), NE_ACCEPT); /* no session: the host's */
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->InNakNoSessionErrors, 1);
	/* retries end at NAK_RPT_IVL, the slot comes free */
	fx_tick(&f, t + 1499 + f.cfg.nak_rpt_ivl_ms + f.cfg.nak_rpt_rte_ms);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 0);
	CU_ASSERT_EQUAL(spm_other(&f, tsi_b(), "239.1.1.1", 1), NE_ACCEPT);
	CU_ASSERT_TRUE(f.modified);
	CU_ASSERT_EQUAL(ne_session_count(f.ne), 1);
	fx_fini(&f);
}

static void test_sqn_wrap(void)
{
	struct fx f;
	fx_init(&f, NULL);
	const uint32_t seq[] = { 0xFFFFFFFEu, 0xFFFFFFFFu, 0, 1 };
	for (unsigned i = 0; i < 4; i++) {
		struct pgm_pkt spm = fx_spm(seq[i], 0xFFFFFFF0u, 0x10);
		CU_ASSERT_EQUAL(fx_fwd(&f, &spm, "10.0.0.5", "239.1.1.1", IF_UP, IF_DN1), NE_ACCEPT);
		f.now += 10;
	}
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->SpmBadSqn, 0);
	struct pgm_pkt old = fx_spm(0xFFFFFFFFu, 0xFFFFFFF0u, 0x10);
	CU_ASSERT_EQUAL(fx_fwd(&f, &old, "10.0.0.5", "239.1.1.1", IF_UP, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->SpmBadSqn, 1);
	/* the window spans the wrap: both edges repairable, before it not */
	fx_nak_sqn(&f, 0xFFFFFFFFu, IF_DN1);
	fx_nak_sqn(&f, 5, IF_DN1);
	fx_nak_sqn(&f, 0xFFFFFFEFu, IF_DN1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->InNakSeqErrors, 1);
	CU_ASSERT_TRUE(fx_rstate(&f, 0xFFFFFFFFu, NULL));
	CU_ASSERT_TRUE(fx_rstate(&f, 5, NULL));
	CU_ASSERT_EQUAL(fx_rdata_copy(&f, 0xFFFFFFFFu, IF_DN1), NE_ACCEPT);
	CU_ASSERT_FALSE(fx_rstate(&f, 0xFFFFFFFFu, NULL));
	CU_ASSERT_TRUE(fx_rstate(&f, 5, NULL));
	fx_fini(&f);
}

/* 32-bit deadlines across the 2^32 ms boundary of the clock. */
static void test_clock_wrap(void)
{
	struct fx f;
	struct ne_config cfg;
	ne_config_defaults(&cfg);
	cfg.ncf_ivl_ms = 0; /* the repair timers alone */
	fx_init(&f, &cfg);
	f.now = (1ull << 32) - 30;
	fx_session(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 3, IF_DN1);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), t0 + 100);
	f.nsent = 0;
	fx_tick(&f, t0 + 99);
	CU_ASSERT_EQUAL(f.nsent, 0);
	fx_tick(&f, t0 + 100);
	CU_ASSERT_EQUAL(f.nsent, 1);
	struct ne_rstate_view v;
	CU_ASSERT_TRUE(fx_rstate(&f, 3, &v));
	CU_ASSERT_EQUAL(v.expires_ms, t0 + f.cfg.nak_rpt_ivl_ms);
	fx_tick(&f, t0 + f.cfg.nak_rpt_ivl_ms);
	CU_ASSERT_FALSE(fx_rstate(&f, 3, NULL));
	fx_fini(&f);
}

struct count_sess { unsigned n; };

static void count_rs(const struct ne_rstate_view *v, void *arg)
{
	(void)v;
	((struct count_sess *)arg)->n++;
}

static unsigned rs_count(struct fx *f, const struct pgm_tsi *tsi, const char *group)
{
	struct count_sess c = { 0 };
	struct in_addr g = group ? fx_addr(group) : (struct in_addr){ 0 };
	ne_foreach_rstate(f->ne, tsi, group ? &g : NULL, count_rs, &c);
	return c.n;
}

static void test_views_and_clears(void)
{
	struct fx f;
	struct ne_config cfg;
	ne_config_defaults(&cfg);
	cfg.ncf_ivl_ms = 0; /* deadlines below are the repair and session timers */
	fx_init(&f, &cfg);
	fx_session(&f);
	spm_other(&f, tsi_b(), "239.2.2.2", 1);
	for (uint32_t s = 1; s <= 3; s++)
		fx_nak_sqn(&f, s, IF_DN1);
	nak_other(&f, tsi_b(), "239.2.2.2", 1);
	nak_other(&f, tsi_b(), "239.2.2.2", 2);
	struct fx_sess_find q = { 0 };
	ne_foreach_session(f.ne, fx_sess_cb, &q);
	CU_ASSERT_EQUAL(q.n, 2);
	struct pgm_tsi a = fx_tsi(), b = tsi_b();
	CU_ASSERT_EQUAL(rs_count(&f, NULL, NULL), 5);
	CU_ASSERT_EQUAL(rs_count(&f, &a, NULL), 3);
	CU_ASSERT_EQUAL(rs_count(&f, &b, NULL), 2);
	CU_ASSERT_EQUAL(rs_count(&f, NULL, "239.2.2.2"), 2);
	CU_ASSERT_EQUAL(rs_count(&f, &a, "239.2.2.2"), 0);
	struct in_addr ga = fx_addr("239.1.1.1");
	CU_ASSERT_EQUAL(ne_clear_rstates(f.ne, &ga), 3);
	CU_ASSERT_EQUAL(rs_count(&f, NULL, NULL), 2);
	CU_ASSERT_EQUAL(ne_clear_rstates(f.ne, NULL), 2);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 0);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), f.now + f.cfg.session_lifetime_ms);
	/* cleared state is really gone: a NAK is new again */
	fx_nak_sqn(&f, 1, IF_DN1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->UniqueNaks, 6);
	/* counters: one interface, then all */
	ne_clear_counters(f.ne, IF_DN1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->InNaks, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InSpms, 2);
	ne_clear_counters(f.ne, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->InSpms, 0);
	CU_ASSERT_EQUAL(ne_health(f.ne)->PacketsModified, 0);
	fx_fini(&f);
}

/* An SPM with one unknown option (type 0x21) whose third byte is opx. */
static void frame_spm_with_unknown(struct fx *f, uint8_t opx)
{
	struct pgm_pkt p = fx_spm(1, 1, 0);
	uint8_t buf[FX_PKT_MAX];
	size_t n = pgm_build(buf, sizeof(buf), &p);
	const uint8_t opts[8] = { PGM_OPT_LENGTH, 4, 0, 8, PGM_OPT_END | 0x21, 4, opx, 0 };
	memcpy(buf + n, opts, sizeof(opts));
	n += sizeof(opts);
	buf[5] |= PGM_OPT_PRESENT | PGM_OPT_NETSIG;
	buf[6] = buf[7] = 0;
	uint16_t ck = pgm_cksum(buf, n);
	memcpy(buf + 6, &ck, 2);
	fx_frame_raw(f, buf, n, "10.0.0.5", "239.1.1.1");
}

static void test_unknown_options(void)
{
	struct fx f;
	fx_init(&f, NULL);
	struct pgm_ip ip;
	struct pgm_pkt p;
	/* ignore: forwarded, option untouched */
	frame_spm_with_unknown(&f, PGM_OPX_IGNORE);
	CU_ASSERT_EQUAL(fx_run(&f, NE_HOOK_FORWARD, IF_UP, IF_DN1), NE_ACCEPT);
	CU_ASSERT_EQUAL_FATAL(pgm_ip_parse(f.ip, f.ip_len, &ip), PGM_OK);
	CU_ASSERT_EQUAL(f.ip[f.ip_len - 4], PGM_OPT_END | 0x21);
	CU_ASSERT_EQUAL(pgm_parse(f.ip + ip.hdr_len, f.ip_len - ip.hdr_len, 0, &p), PGM_OK);
	/* invalidate: type becomes OPT_INVALID, checksum still right */
	f.now += 100;
	frame_spm_with_unknown(&f, PGM_OPX_INVALIDATE);
	CU_ASSERT_EQUAL(fx_run(&f, NE_HOOK_FORWARD, IF_UP, IF_DN1), NE_ACCEPT);
	CU_ASSERT_TRUE(f.modified);
	CU_ASSERT_EQUAL(f.ip[f.ip_len - 4], PGM_OPT_END | PGM_OPT_INVALID);
	CU_ASSERT_EQUAL(pgm_parse(f.ip + ip.hdr_len, f.ip_len - ip.hdr_len, 0, &p), PGM_OK);
	/* discard: dropped and counted, not as malformed */
	frame_spm_with_unknown(&f, PGM_OPX_DISCARD);
	CU_ASSERT_EQUAL(fx_run(&f, NE_HOOK_FORWARD, IF_UP, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(ne_malformed(f.ne)[PGM_E_OPT_DISCARD], 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->Malformed, 0);
	fx_fini(&f);
}

static void test_malformed_and_foreign(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	uint8_t junk[10] = { 0 };
	fx_frame_raw(&f, junk, sizeof(junk), "10.0.2.7", "10.0.2.1");
	CU_ASSERT_EQUAL(fx_run(&f, NE_HOOK_INPUT, IF_DN1, 0), NE_DROP);
	CU_ASSERT_EQUAL(ne_malformed(f.ne)[PGM_E_TRUNCATED], 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->Malformed, 1);
	/* a corrupted byte fails the checksum */
	struct pgm_pkt nak = fx_nakish(PGM_NAK, 4);
	fx_frame(&f, &nak, "10.0.2.7", "10.0.2.1");
	f.ip[f.ip_len - 1] ^= 0x40;
	CU_ASSERT_EQUAL(fx_run(&f, NE_HOOK_INPUT, IF_DN1, 0), NE_DROP);
	CU_ASSERT_EQUAL(ne_malformed(f.ne)[PGM_E_BAD_CHECKSUM], 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->Malformed, 2);
	CU_ASSERT_EQUAL(f.nsent, 0);
	/* not PGM: accepted untouched */
	fx_frame(&f, &nak, "10.0.2.7", "10.0.2.1");
	f.ip[9] = 17;
	CU_ASSERT_EQUAL(fx_run(&f, NE_HOOK_INPUT, IF_DN1, 0), NE_ACCEPT);
	CU_ASSERT_EQUAL(ne_health(f.ne)->NotPgm, 1);
	/* unknown or PGM-disabled arrival interface: accepted untouched */
	fx_frame(&f, &nak, "10.0.2.7", "10.0.2.1");
	CU_ASSERT_EQUAL(fx_run(&f, NE_HOOK_INPUT, 99, 0), NE_ACCEPT);
	CU_ASSERT_EQUAL(ne_health(f.ne)->UnknownInterface, 1);
	CU_ASSERT_EQUAL(fx_run(&f, NE_HOOK_INPUT, IF_OFF, 0), NE_ACCEPT);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_OFF)->InNaks, 0);
	CU_ASSERT_EQUAL(f.nsent, 0);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 0);
	fx_fini(&f);
}

/* Any bytes at all: a verdict, never a crash (run under ASan/UBSan). */
static void test_random_input(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	uint32_t x = 12345;
	unsigned verdicts = 0;
	for (unsigned i = 0; i < 20000; i++) {
		struct pgm_pkt nak = fx_nakish((uint8_t[]){ PGM_NAK, PGM_NCF, PGM_RDATA,
		                                            PGM_SPM, PGM_NNAK }[i % 5], i);
		if (nak.type == PGM_SPM)
			nak = fx_spm(i, 1, 0);
		if (nak.type == PGM_RDATA)
			nak = fx_rdata(i);
		fx_frame(&f, &nak, "10.0.2.7", "10.0.2.1");
		size_t flips = 1 + i % 4;
		for (size_t k = 0; k < flips; k++) {
			x = x * 1103515245u + 12345u;
			size_t at = 20 + (x >> 8) % (f.ip_len - 20);
			f.ip[at] ^= (uint8_t)(x >> 24);
		}
		if (i % 7 == 0)
			f.ip_len -= (x >> 4) % (f.ip_len - 20);
		enum ne_hook hook = i % 2 ? NE_HOOK_FORWARD : NE_HOOK_INPUT;
		enum ne_verdict v = fx_run(&f, hook, i % 3 ? IF_DN1 : IF_UP, hook ? IF_DN2 : 0);
		verdicts += v == NE_ACCEPT || v == NE_DROP;
		f.now += 1;
	}
	CU_ASSERT_EQUAL(verdicts, 20000);
	uint64_t bad = 0;
	for (unsigned e = 1; e < PGM_E_COUNT; e++)
		bad += ne_malformed(f.ne)[e];
	CU_ASSERT_TRUE(bad > 1000);
	fx_fini(&f);
}

/*
 * Default timers against stock receivers: a ZeroMQ receiver waits
 * NAK_RDATA_IVL = 200 ms after our NCF, then NAKs again after a random
 * back-off of up to 50 ms. When the first repair is lost upstream, that
 * repeat must reach the source; the burst of duplicates other receivers
 * send inside their back-off must not.
 */
static unsigned repeat_nak_forwarded(const struct ne_config *cfg)
{
	struct fx f;
	fx_init(&f, cfg);
	fx_session(&f);
	uint64_t t0 = f.now;
	fx_nak_sqn(&f, 500, IF_DN1);         /* NCF goes out now */
	f.now = t0 + 5;
	fx_ncf_copy(&f, 500, IF_UP, IF_DN1); /* upstream confirms */
	for (uint64_t d = 10; d <= 90; d += 20) {
		f.now = t0 + d;                  /* back-off burst, both subnets */
		fx_nak_sqn(&f, 500, d % 40 ? IF_DN2 : IF_DN1);
	}
	unsigned burst_forwarded = (unsigned)fx_cnt(&f, IF_UP)->OutNaks - 1;
	CU_ASSERT_EQUAL(burst_forwarded, 0);
	/* the repair is lost upstream; the receiver's repeat NAK */
	fx_tick(&f, t0 + 200);
	fx_nak_sqn(&f, 500, IF_DN1);
	unsigned out = (unsigned)fx_cnt(&f, IF_UP)->OutNaks - 1;
	/* and when the repair does come, it reaches both subnets */
	if (out == 1) {
		f.now += 10;
		CU_ASSERT_EQUAL(fx_rdata_copy(&f, 500, IF_DN1), NE_ACCEPT);
		CU_ASSERT_EQUAL(fx_rdata_copy(&f, 500, IF_DN2), NE_ACCEPT);
	}
	fx_fini(&f);
	return out;
}

static void test_defaults_let_receivers_recover(void)
{
	struct ne_config cfg;
	ne_config_defaults(&cfg);
	CU_ASSERT_TRUE(cfg.nak_elim_ivl_ms < 200);  /* ZeroMQ NAK_RDATA_IVL */
	CU_ASSERT_TRUE(cfg.nak_elim_ivl_ms > 50);   /* stock NAK_BO_IVL */
	CU_ASSERT_TRUE(cfg.nak_rdata_ivl_ms >= 2000); /* OpenPGM NAK_RDATA_IVL */
	CU_ASSERT_EQUAL(repeat_nak_forwarded(&cfg), 1);
	/* the MIB's 5 s window would swallow the repeat */
	cfg.nak_elim_ivl_ms = 5000;
	cfg.nak_rdata_ivl_ms = 10000;
	CU_ASSERT_EQUAL(repeat_nak_forwarded(&cfg), 0);
}

static void test_send_failure_counted(void)
{
	struct fx f;
	fx_init(&f, NULL);
	fx_session(&f);
	f.fail_send = true;
	CU_ASSERT_EQUAL(fx_nak_sqn(&f, 1, IF_DN1), NE_DROP);
	CU_ASSERT_EQUAL(ne_health(f.ne)->SendErrors, 2);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->OutNcfs, 0);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->NakError, 1);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->OutNaks, 0);
	/* the state stays and retries once the path works again */
	f.fail_send = false;
	fx_tick(&f, f.now + f.cfg.nak_rpt_rte_ms);
	CU_ASSERT_EQUAL(fx_cnt(&f, IF_UP)->NakRetransmitted, 1);
	fx_fini(&f);
}

static void test_memory_and_idle(void)
{
	CU_ASSERT_TRUE(ne_rstate_bytes() <= 64);
	CU_ASSERT_TRUE(ne_session_bytes() <= 128);
	struct fx f;
	fx_init(&f, NULL);
	CU_ASSERT_EQUAL(ne_next_deadline(f.ne), UINT64_MAX);
	CU_ASSERT_EQUAL(ne_get_config(f.ne)->max_rstates, f.cfg.max_rstates);
	fx_fini(&f);
}

/* Out-of-range configuration is brought into range, never trusted. */
static void test_config_sanitized(void)
{
	struct ne_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.nak_elim_ivl_ms = 9000;
	cfg.nak_rdata_ivl_ms = 1000;
	cfg.nak_rpt_ivl_ms = UINT32_MAX;
	struct fx f;
	fx_init(&f, &cfg);
	const struct ne_config *c = ne_get_config(f.ne);
	CU_ASSERT_EQUAL(c->nak_elim_ivl_ms, 1000);
	CU_ASSERT_TRUE(c->nak_rpt_ivl_ms <= (1u << 30));
	CU_ASSERT_TRUE(c->nak_rpt_rte_ms >= 1);
	CU_ASSERT_EQUAL(c->max_sessions, 1);
	CU_ASSERT_EQUAL(c->max_rstates, 1);
	CU_ASSERT_EQUAL(c->max_rstates_per_session, 1);
	CU_ASSERT_TRUE(c->ncf_ttl >= 1 && c->nak_ttl >= 1);
	/* and the engine works within it */
	fx_session(&f);
	fx_nak_sqn(&f, 1, IF_DN1);
	fx_nak_sqn(&f, 2, IF_DN1);
	CU_ASSERT_EQUAL(ne_rstate_count(f.ne), 1);
	fx_fini(&f);
}

/*
 * The repair-state index under churn: a small table (so probe runs wrap
 * around its end and deletions shift entries back) filled and emptied in
 * a fixed pseudo-random order, checked against a plain array after every
 * packet: a NAK finds its state iff it exists, RDATA passes iff it does.
 */
static void test_index_churn(void)
{
	enum { MAX = 16, KEYS = 48, OPS = 4000 };
	struct ne_config cfg;
	ne_config_defaults(&cfg);
	cfg.max_rstates = MAX;
	cfg.max_rstates_per_session = MAX;
	struct fx f;
	fx_init(&f, &cfg);
	fx_session(&f);
	bool live[KEYS] = { false };
	unsigned n = 0;
	uint32_t x = 12345;
	for (unsigned op = 0; op < OPS; op++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		unsigned k = (x >> 8) % KEYS;
		uint32_t sqn = 1 + k * 7919;
		f.nsent = 0; /* NCFs and NAKs sent are not what is checked here */
		if (x & 1) {
			uint64_t unique = fx_cnt(&f, IF_DN1)->UniqueNaks;
			fx_nak_sqn(&f, sqn, IF_DN1);
			CU_ASSERT_EQUAL(fx_cnt(&f, IF_DN1)->UniqueNaks, unique + !live[k]);
			if (!live[k] && n < MAX) {
				live[k] = true;
				n++;
			}
		} else {
			enum ne_verdict v = fx_rdata_copy(&f, sqn, IF_DN1);
			CU_ASSERT_EQUAL(v, live[k] ? NE_ACCEPT : NE_DROP);
			if (live[k]) {
				live[k] = false;
				n--;
			}
		}
		CU_ASSERT_EQUAL_FATAL(ne_rstate_count(f.ne), n);
	}
	fx_fini(&f);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{ "bounds: full tables refuse, nothing corrupted", test_table_bounds },
		{ "session lifetime", test_session_lifetime },
		{ "SQN wrap-around", test_sqn_wrap },
		{ "clock wrap of 32-bit deadlines", test_clock_wrap },
		{ "views and clears", test_views_and_clears },
		{ "unknown options: OPX ignore/invalidate/discard", test_unknown_options },
		{ "malformed, not PGM, foreign interfaces", test_malformed_and_foreign },
		{ "random input", test_random_input },
		{ "defaults let stock receivers recover", test_defaults_let_receivers_recover },
		{ "send failure counted", test_send_failure_counted },
		{ "memory per entry, idle deadline", test_memory_and_idle },
		{ "configuration sanitized", test_config_sanitized },
		{ "repair-state index under churn", test_index_churn },
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("engine state", tests);
	return unit_run();
}
