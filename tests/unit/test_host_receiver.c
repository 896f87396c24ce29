/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PGM receiver state machine (host/receiver.c), RFC 3208 §6, fake clock and output. */
#include <arpa/inet.h>
#include <string.h>

#include "common/wire.h"
#include "host/receiver.h"
#include "unit_util.h"

#define MAX_SENT 32

struct world {
	/* what the receiver sent (NAKs), parsed */
	uint8_t buf[MAX_SENT][PGM_OUT_MAX];
	struct pgm_pkt sent[MAX_SENT];
	struct in_addr dst[MAX_SENT];
	unsigned n_sent;
	/* what it delivered */
	uint8_t out[4096];
	size_t out_len;
	uint32_t lost[16];
	unsigned n_lost;
	/* scratch for building incoming packets */
	uint8_t in[2048];
};

static bool record(void *arg, uint8_t *pkt, size_t len, struct in_addr dst, bool ra)
{
	struct world *w = arg;
	(void)ra;
	if (w->n_sent >= MAX_SENT || len > PGM_OUT_MAX)
		return false;
	memcpy(w->buf[w->n_sent], pkt, len);
	CU_ASSERT_EQUAL(pgm_parse(w->buf[w->n_sent], len, 0, &w->sent[w->n_sent]), PGM_OK);
	w->dst[w->n_sent++] = dst;
	return true;
}

static void on_data(void *arg, const uint8_t *data, size_t len)
{
	struct world *w = arg;
	if (w->out_len + len <= sizeof(w->out)) {
		memcpy(w->out + w->out_len, data, len);
		w->out_len += len;
	}
}

static void on_lost(void *arg, uint32_t sqn)
{
	struct world *w = arg;
	if (w->n_lost < 16)
		w->lost[w->n_lost++] = sqn;
}

static struct in_addr ip(const char *a)
{
	struct in_addr x;
	inet_pton(AF_INET, a, &x);
	return x;
}

static const uint8_t GSI[6] = {9, 8, 7, 6, 5, 4};
static const struct nak_params NP = {
	.bo_ivl_ms = 50, .rpt_ivl_ms = 200, .rdata_ivl_ms = 500,
	.ncf_retries = 2, .data_retries = 2,
};

static void setup(struct receiver *r, struct world *w)
{
	struct receiver_cfg c;
	receiver_cfg_defaults(&c);
	c.group = ip("239.1.1.1");
	c.dport = 7500;
	c.nak = NP;
	c.rxw_pkts = 64;
	c.seed = 42;
	memset(w, 0, sizeof(*w));
	struct pgm_out out = {.send = record, .arg = w};
	struct receiver_sink sink = {.data = on_data, .lost = on_lost, .arg = w};
	CU_ASSERT_FATAL(receiver_init(r, &c, out, sink));
}

/* Build a downstream packet from the source 10.0.0.1 (TSI GSI.1000) and feed it. */
static void feed(struct receiver *r, struct world *w, struct pgm_pkt *p, struct in_addr dst,
                 uint64_t now)
{
	p->sport = p->tsi.sport ? p->tsi.sport : 1000;
	p->dport = 7500;
	if (p->tsi.sport == 0)
		memcpy(p->tsi.gsi, GSI, 6);
	p->tsi.sport = p->sport;
	size_t len = pgm_build(w->in, sizeof(w->in), p);
	CU_ASSERT_FATAL(len > 0);
	struct pgm_pkt v;
	CU_ASSERT_FATAL(pgm_parse(w->in, len, 0, &v) == PGM_OK);
	struct pgm_ip iph = {.src = ip("10.0.0.1"), .dst = dst, .proto = PGM_IPPROTO};
	receiver_on_packet(r, &iph, &v, now);
}

static void spm(struct receiver *r, struct world *w, uint32_t sqn, uint32_t trail, uint32_t lead,
                bool fin, uint64_t now)
{
	struct pgm_pkt p;
	memset(&p, 0, sizeof(p));
	p.type = PGM_SPM;
	p.u.spm.sqn = sqn;
	p.u.spm.trail = trail;
	p.u.spm.lead = lead;
	pgm_nla_from_in(&p.u.spm.path, ip("10.0.9.1")); /* the upstream router */
	if (fin)
		p.opt.has |= 1u << PGM_OPT_FIN;
	feed(r, w, &p, ip("239.1.1.1"), now);
}

static void data(struct receiver *r, struct world *w, uint8_t type, uint32_t sqn, bool fin,
                 uint64_t now)
{
	struct pgm_pkt p;
	uint8_t byte = (uint8_t)('a' + sqn % 26);
	memset(&p, 0, sizeof(p));
	p.type = type;
	p.u.data.sqn = sqn;
	p.u.data.trail = 0;
	p.data = &byte;
	p.data_len = 1;
	if (fin)
		p.opt.has |= 1u << PGM_OPT_FIN;
	feed(r, w, &p, ip("239.1.1.1"), now);
}

static void ncf(struct receiver *r, struct world *w, uint32_t sqn, uint64_t now)
{
	struct pgm_pkt p;
	memset(&p, 0, sizeof(p));
	p.type = PGM_NCF;
	p.u.nak.sqn = sqn;
	pgm_nla_from_in(&p.u.nak.src, ip("10.0.0.1"));
	pgm_nla_from_in(&p.u.nak.grp, ip("239.1.1.1"));
	feed(r, w, &p, ip("239.1.1.1"), now);
}

/* Run the NAK timers over [from, to] in 1 ms steps (bounded). */
static void run(struct receiver *r, uint64_t from, uint64_t to)
{
	for (uint64_t t = from; t <= to; t++)
		receiver_service(r, t);
}

static void test_in_order_and_fin(void)
{
	struct receiver r;
	struct world w;
	setup(&r, &w);
	spm(&r, &w, 1, 10, 9, false, 0);  /* empty window: data starts at 10 */
	data(&r, &w, PGM_ODATA, 10, false, 1);
	data(&r, &w, PGM_ODATA, 11, false, 2);
	CU_ASSERT_FALSE(receiver_done(&r));
	data(&r, &w, PGM_ODATA, 12, true, 3);
	CU_ASSERT_TRUE(receiver_done(&r));
	CU_ASSERT_EQUAL(w.out_len, 3);
	CU_ASSERT_EQUAL(memcmp(w.out, "klm", 3), 0);
	CU_ASSERT_EQUAL(w.n_sent, 0);
	receiver_free(&r);
}

static void test_gap_nak_repair(void)
{
	struct receiver r;
	struct world w;
	setup(&r, &w);
	spm(&r, &w, 1, 10, 9, false, 0);
	data(&r, &w, PGM_ODATA, 10, false, 0);
	data(&r, &w, PGM_ODATA, 13, false, 0); /* 11, 12 missing */
	CU_ASSERT_TRUE(receiver_next_event(&r) < 50);
	run(&r, 0, 50);                        /* within NAK_BO_IVL */
	CU_ASSERT_EQUAL_FATAL(w.n_sent, 1);      /* one NAK with OPT_NAK_LIST */
	struct pgm_pkt *n = &w.sent[0];
	CU_ASSERT_EQUAL(n->type, PGM_NAK);
	CU_ASSERT_EQUAL(n->u.nak.sqn, 11);
	CU_ASSERT_EQUAL(n->opt.nak_list.count, 1);
	CU_ASSERT_EQUAL(n->opt.nak_list.sqn[0], 12);
	CU_ASSERT_EQUAL(n->sport, 7500);         /* ports swapped upstream (§8) */
	CU_ASSERT_EQUAL(n->dport, 1000);
	CU_ASSERT_EQUAL(memcmp(n->tsi.gsi, GSI, 6), 0);
	CU_ASSERT_EQUAL(n->u.nak.src.u.v4.s_addr, ip("10.0.0.1").s_addr);
	CU_ASSERT_EQUAL(n->u.nak.grp.u.v4.s_addr, ip("239.1.1.1").s_addr);
	CU_ASSERT_EQUAL(w.dst[0].s_addr, ip("10.0.9.1").s_addr); /* the SPM path NLA */
	data(&r, &w, PGM_RDATA, 12, false, 60);
	CU_ASSERT_EQUAL(w.out_len, 1);           /* in order: 11 still missing */
	data(&r, &w, PGM_RDATA, 11, false, 61);
	CU_ASSERT_EQUAL(w.out_len, 4);
	CU_ASSERT_EQUAL(memcmp(w.out, "klmn", 4), 0);
	CU_ASSERT_EQUAL(r.st.rdata_received, 2);
	receiver_free(&r);
}

static void test_no_nak_before_spm(void)
{
	struct receiver r;
	struct world w;
	setup(&r, &w);
	data(&r, &w, PGM_ODATA, 10, false, 0);
	data(&r, &w, PGM_ODATA, 12, false, 0);
	run(&r, 0, 300);
	CU_ASSERT_EQUAL(w.n_sent, 0);            /* §6.2 */
	spm(&r, &w, 1, 10, 12, false, 300);
	run(&r, 300, 360);
	CU_ASSERT_EQUAL(w.n_sent, 1);
	receiver_free(&r);
}

static void test_ncf_suppresses(void)
{
	struct receiver r;
	struct world w;
	setup(&r, &w);
	spm(&r, &w, 1, 10, 9, false, 0);
	data(&r, &w, PGM_ODATA, 10, false, 0);
	data(&r, &w, PGM_ODATA, 12, false, 0);
	ncf(&r, &w, 11, 0);                      /* another receiver's NAK was confirmed */
	run(&r, 0, 499);
	CU_ASSERT_EQUAL(w.n_sent, 0);
	CU_ASSERT_EQUAL(r.st.ncfs_received, 1);
	receiver_free(&r);
}

static void test_multicast_nak_suppresses(void)
{
	struct receiver r;
	struct world w;
	setup(&r, &w);
	spm(&r, &w, 1, 10, 9, false, 0);
	data(&r, &w, PGM_ODATA, 10, false, 0);
	data(&r, &w, PGM_ODATA, 12, false, 0);
	struct pgm_pkt p;
	memset(&p, 0, sizeof(p));
	p.type = PGM_NAK;
	p.sport = 7500;
	p.dport = 1000;
	memcpy(p.tsi.gsi, GSI, 6);
	p.u.nak.sqn = 11;
	pgm_nla_from_in(&p.u.nak.src, ip("10.0.0.1"));
	pgm_nla_from_in(&p.u.nak.grp, ip("239.1.1.1"));
	size_t len = pgm_build(w.in, sizeof(w.in), &p);
	struct pgm_pkt v;
	CU_ASSERT_FATAL(pgm_parse(w.in, len, 0, &v) == PGM_OK);
	struct pgm_ip iph = {.src = ip("10.0.0.7"), .dst = ip("239.1.1.1"), .proto = PGM_IPPROTO};
	receiver_on_packet(&r, &iph, &v, 0);
	run(&r, 0, 499);
	CU_ASSERT_EQUAL(w.n_sent, 0);
	CU_ASSERT_EQUAL(r.st.naks_suppressed, 1);
	receiver_free(&r);
}

static void test_unrecoverable_reported(void)
{
	struct receiver r;
	struct world w;
	setup(&r, &w);
	spm(&r, &w, 1, 10, 9, false, 0);
	data(&r, &w, PGM_ODATA, 10, false, 0);
	data(&r, &w, PGM_ODATA, 12, true, 0);    /* FIN, but 11 never comes */
	CU_ASSERT_FALSE(receiver_done(&r));
	/* 1 + NAK_NCF_RETRIES NAKs, each NAK_BO_IVL + NAK_RPT_IVL at most */
	run(&r, 0, 3 * 250 + 10);
	CU_ASSERT_EQUAL(w.n_sent, 1 + NP.ncf_retries);
	CU_ASSERT_EQUAL_FATAL(w.n_lost, 1);
	CU_ASSERT_EQUAL(w.lost[0], 11);
	CU_ASSERT_EQUAL(r.st.losses, 1);
	CU_ASSERT_TRUE(receiver_done(&r));       /* done, with the loss on record */
	CU_ASSERT_EQUAL(w.out_len, 2);           /* 10 and 12: nothing invented */
	receiver_free(&r);
}

static void test_spm_lead_and_other_sessions(void)
{
	struct receiver r;
	struct world w;
	setup(&r, &w);
	spm(&r, &w, 1, 10, 9, false, 0);
	data(&r, &w, PGM_ODATA, 10, false, 0);
	spm(&r, &w, 2, 10, 11, false, 1);        /* lead 11: 11 is lost (tail loss) */
	spm(&r, &w, 1, 10, 30, false, 1);        /* old SPM_SQN: ignored (§6.2) */
	CU_ASSERT_EQUAL(r.rxw.lead, 11);
	/* another source on our port is not our session */
	struct pgm_pkt p;
	uint8_t b = 0;
	memset(&p, 0, sizeof(p));
	p.type = PGM_ODATA;
	p.tsi.sport = 2000;
	memcpy(p.tsi.gsi, GSI, 6);
	p.u.data.sqn = 50;
	p.data = &b;
	p.data_len = 1;
	feed(&r, &w, &p, ip("239.1.1.1"), 2);
	CU_ASSERT_EQUAL(r.st.other_sessions, 1);
	run(&r, 1, 60);
	CU_ASSERT_EQUAL_FATAL(w.n_sent, 1);
	CU_ASSERT_EQUAL(w.sent[0].u.nak.sqn, 11);
	receiver_free(&r);
}

static void test_ended_session_not_joined(void)
{
	struct receiver r;
	struct world w;
	setup(&r, &w);
	spm(&r, &w, 7, 10, 20, true, 0);         /* closing SPM of a finished session */
	CU_ASSERT_FALSE(r.have_tsi);
	CU_ASSERT_FALSE(receiver_done(&r));
	spm(&r, &w, 1, 30, 29, false, 1);        /* a live session starts */
	data(&r, &w, PGM_ODATA, 30, true, 2);
	CU_ASSERT_TRUE(receiver_done(&r));
	CU_ASSERT_EQUAL(w.out_len, 1);
	receiver_free(&r);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"in-order delivery and FIN", test_in_order_and_fin},
		{"gap, NAK list to path NLA, repair", test_gap_nak_repair},
		{"no NAK before the first SPM", test_no_nak_before_spm},
		{"NCF suppresses the NAK", test_ncf_suppresses},
		{"multicast NAK suppresses", test_multicast_nak_suppresses},
		{"unrecoverable loss reported", test_unrecoverable_reported},
		{"SPM lead, SPM order, other sessions", test_spm_lead_and_other_sessions},
		{"a session heard only ending is not joined", test_ended_session_not_joined},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("host receiver", tests);
	return unit_run();
}
