/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PGM source state machine (host/source.c), RFC 3208 §5, fake clock and output. */
#include <arpa/inet.h>
#include <string.h>

#include "common/wire.h"
#include "host/source.h"
#include "unit_util.h"

#define MAX_SENT 64

struct sent {
	uint8_t buf[PGM_OUT_MAX];
	size_t len;
	struct in_addr dst;
	bool ra;
	struct pgm_pkt p;  /* parsed from buf */
};

struct recorder {
	struct sent s[MAX_SENT];
	unsigned n;
};

static bool record(void *arg, uint8_t *pkt, size_t len, struct in_addr dst, bool ra)
{
	struct recorder *r = arg;
	if (r->n >= MAX_SENT || len > PGM_OUT_MAX)
		return false;
	struct sent *s = &r->s[r->n++];
	memcpy(s->buf, pkt, len);
	s->len = len;
	s->dst = dst;
	s->ra = ra;
	CU_ASSERT_EQUAL(pgm_parse(s->buf, len, 0, &s->p), PGM_OK);
	return true;
}

static struct in_addr ip(const char *a)
{
	struct in_addr x;
	inet_pton(AF_INET, a, &x);
	return x;
}

static const uint8_t GSI[6] = {1, 2, 3, 4, 5, 6};

static void setup(struct source *s, struct recorder *r, uint32_t rate_kbit)
{
	struct source_cfg c;
	source_cfg_defaults(&c);
	c.ifaddr = ip("10.0.0.1");
	c.group = ip("239.1.1.1");
	memcpy(c.gsi, GSI, 6);
	c.sport = 1000;
	c.dport = 7500;
	c.isn = 100;
	c.txw_pkts = 8;
	c.rate_kbit = rate_kbit;
	c.join_pct = 0;
	c.spm_lead_ms = 0; /* the lead has a test of its own */
	memset(r, 0, sizeof(*r));
	struct pgm_out out = {.send = record, .arg = r};
	CU_ASSERT_FATAL(source_init(s, &c, out, 0));
}

static unsigned count_type(const struct recorder *r, uint8_t type)
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->n; i++)
		n += r->s[i].p.type == type;
	return n;
}

/* A NAK as a receiver would send it (§8.3), parsed back into a view. */
static void make_nak(struct pgm_pkt *v, uint8_t *buf, size_t cap, uint32_t sqn,
                     const uint32_t *list, unsigned nlist, uint16_t tsi_port)
{
	struct pgm_pkt p;
	memset(&p, 0, sizeof(p));
	p.type = PGM_NAK;
	p.sport = 7500;
	p.dport = tsi_port;
	memcpy(p.tsi.gsi, GSI, 6);
	p.u.nak.sqn = sqn;
	pgm_nla_from_in(&p.u.nak.src, ip("10.0.0.1"));
	pgm_nla_from_in(&p.u.nak.grp, ip("239.1.1.1"));
	if (nlist > 0) {
		p.opt.has |= 1u << PGM_OPT_NAK_LIST;
		p.opt.nak_list.count = nlist;
		memcpy(p.opt.nak_list.sqn, list, nlist * sizeof(*list));
	}
	size_t len = pgm_build(buf, cap, &p);
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_FATAL(pgm_parse(buf, len, 0, v) == PGM_OK);
}

static const struct pgm_ip UNICAST_TO_US = {.dst = {0x0100000a}, .proto = PGM_IPPROTO};

static void test_first_spm_then_syn_and_fin(void)
{
	struct source s;
	struct recorder r;
	setup(&s, &r, 0);
	source_service(&s, 0);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	CU_ASSERT_EQUAL(r.s[0].p.type, PGM_SPM);
	CU_ASSERT_TRUE(r.s[0].ra);                 /* §3 Router Alert */
	CU_ASSERT_EQUAL(r.s[0].dst.s_addr, ip("239.1.1.1").s_addr);
	CU_ASSERT_EQUAL(r.s[0].p.u.spm.trail, 100);
	CU_ASSERT_EQUAL(r.s[0].p.u.spm.lead, 99);   /* empty window */
	CU_ASSERT_EQUAL(r.s[0].p.u.spm.path.u.v4.s_addr, ip("10.0.0.1").s_addr);

	CU_ASSERT_EQUAL(source_send_odata(&s, "ab", 2, false, 1), 100);
	CU_ASSERT_EQUAL(source_send_odata(&s, "cd", 2, true, 2), 101);
	CU_ASSERT_EQUAL_FATAL(r.n, 3);
	CU_ASSERT_EQUAL(r.s[1].p.type, PGM_ODATA);
	CU_ASSERT_FALSE(r.s[1].ra);
	CU_ASSERT_TRUE(r.s[1].p.opt.has & (1u << PGM_OPT_SYN));
	CU_ASSERT_FALSE(r.s[1].p.opt.has & (1u << PGM_OPT_FIN));
	CU_ASSERT_FALSE(r.s[2].p.opt.has & (1u << PGM_OPT_SYN));
	CU_ASSERT_TRUE(r.s[2].p.opt.has & (1u << PGM_OPT_FIN));
	CU_ASSERT_EQUAL(r.s[2].p.data_len, 2);
	CU_ASSERT_EQUAL(memcmp(r.s[2].p.data, "cd", 2), 0);
	/* every SPM after the end bears OPT_FIN (§9.7.2) */
	source_finish(&s, 3);
	CU_ASSERT_EQUAL(r.s[3].p.type, PGM_SPM);
	CU_ASSERT_TRUE(r.s[3].p.opt.has & (1u << PGM_OPT_FIN));
	CU_ASSERT_EQUAL(r.s[3].p.u.spm.lead, 101);
	source_free(&s);
}

static void test_ncf_then_one_rdata_per_burst(void)
{
	struct source s;
	struct recorder r;
	uint8_t nb[256];
	struct pgm_pkt nak;
	setup(&s, &r, 0);
	source_service(&s, 0);
	for (int i = 0; i < 4; i++)
		source_send_odata(&s, "xyz", 3, false, 1);
	r.n = 0;
	make_nak(&nak, nb, sizeof(nb), 101, NULL, 0, 1000);
	source_on_packet(&s, &UNICAST_TO_US, &nak, 10);
	source_on_packet(&s, &UNICAST_TO_US, &nak, 11); /* same burst */
	/* §5.2: an NCF for each NAK, at once, multicast, with Router Alert */
	CU_ASSERT_EQUAL(count_type(&r, PGM_NCF), 2);
	CU_ASSERT_EQUAL(r.s[0].p.u.nak.sqn, 101);
	CU_ASSERT_TRUE(r.s[0].ra);
	CU_ASSERT_EQUAL(r.s[0].dst.s_addr, ip("239.1.1.1").s_addr);
	CU_ASSERT_EQUAL(count_type(&r, PGM_RDATA), 0);
	source_service(&s, 12);
	CU_ASSERT_EQUAL(count_type(&r, PGM_RDATA), 1); /* once per burst (§5.3) */
	struct sent *rd = &r.s[r.n - 1];
	CU_ASSERT_EQUAL(rd->p.type, PGM_RDATA);
	CU_ASSERT_EQUAL(rd->p.u.data.sqn, 101);
	CU_ASSERT_EQUAL(rd->p.u.data.trail, 100);
	CU_ASSERT_TRUE(rd->ra);
	CU_ASSERT_EQUAL(s.st.naks_received, 2);
	CU_ASSERT_EQUAL(s.st.naks_pending, 1);
	CU_ASSERT_EQUAL(s.st.repair_packets_sent, 1);
	source_free(&s);
}

static void test_nak_list_and_too_late(void)
{
	struct source s;
	struct recorder r;
	uint8_t nb[512];
	struct pgm_pkt nak;
	setup(&s, &r, 0);
	for (int i = 0; i < 10; i++) /* window of 8: 100, 101 leave */
		source_send_odata(&s, "q", 1, false, 1);
	r.n = 0;
	const uint32_t list[] = {102, 103, 200};
	make_nak(&nak, nb, sizeof(nb), 100, list, 3, 1000);
	source_on_packet(&s, &UNICAST_TO_US, &nak, 5);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	CU_ASSERT_EQUAL(r.s[0].p.type, PGM_NCF);
	CU_ASSERT_EQUAL(r.s[0].p.opt.nak_list.count, 3); /* the NCF echoes the list */
	source_service(&s, 6);
	CU_ASSERT_EQUAL(count_type(&r, PGM_RDATA), 2);  /* 102, 103 */
	CU_ASSERT_EQUAL(s.st.naks_received, 4);
	CU_ASSERT_EQUAL(s.st.naks_too_late, 2);          /* 100 left, 200 never sent */
	source_free(&s);
}

static void test_foreign_nak_ignored(void)
{
	struct source s;
	struct recorder r;
	uint8_t nb[256];
	struct pgm_pkt nak;
	setup(&s, &r, 0);
	source_send_odata(&s, "q", 1, false, 1);
	r.n = 0;
	make_nak(&nak, nb, sizeof(nb), 100, NULL, 0, 999); /* another TSI */
	source_on_packet(&s, &UNICAST_TO_US, &nak, 5);
	/* a multicast NAK is between receivers: not for the source */
	make_nak(&nak, nb, sizeof(nb), 100, NULL, 0, 1000);
	struct pgm_ip mc = {.dst = ip("239.1.1.1"), .proto = PGM_IPPROTO};
	source_on_packet(&s, &mc, &nak, 5);
	source_service(&s, 6);
	CU_ASSERT_EQUAL(count_type(&r, PGM_NCF), 0);
	CU_ASSERT_EQUAL(count_type(&r, PGM_RDATA), 0);
	CU_ASSERT_EQUAL(s.st.naks_ignored, 1);
	source_free(&s);
}

static void test_heartbeat_decay(void)
{
	struct source s;
	struct recorder r;
	setup(&s, &r, 0);
	source_service(&s, 0);                 /* first SPM; ambient due at 1000 */
	source_send_odata(&s, "q", 1, false, 1);
	r.n = 0;
	/* IHB_MIN 50 ms, doubling (§5.1.5): 51, 151, 351, 751 */
	const uint64_t due[] = {51, 151, 351, 751};
	for (unsigned i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(source_next_event(&s, due[i] - 1), due[i]);
		source_service(&s, due[i] - 1);
		CU_ASSERT_EQUAL(r.n, i);
		source_service(&s, due[i]);
		CU_ASSERT_EQUAL(r.n, i + 1);
		CU_ASSERT_EQUAL(r.s[i].p.type, PGM_SPM);
	}
	/* any SPM restarts the ambient count-down (an SPM is due at least every
	 * ambient_ms, §5.1.4); the heartbeat doubles on to 800 ms */
	CU_ASSERT_EQUAL(source_next_event(&s, 751), 1551);
	source_service(&s, 1551);
	CU_ASSERT_EQUAL(r.n, 5);
	/* then IHB_MAX = 1 s caps it */
	CU_ASSERT_EQUAL(source_next_event(&s, 1551), 2551);
	/* data resets the heartbeat to IHB_MIN */
	source_send_odata(&s, "q", 1, false, 1600);
	CU_ASSERT_EQUAL(source_next_event(&s, 1600), 1650);
	source_free(&s);
}

static void test_rate_limit(void)
{
	struct source s;
	struct recorder r;
	setup(&s, &r, 80); /* 10000 B/s; bucket holds one full packet */
	uint8_t buf[1000] = {0};
	CU_ASSERT_EQUAL(source_odata_wait(&s, sizeof(buf), 0), 0);
	source_send_odata(&s, buf, sizeof(buf), false, 0);
	/* bucket 1476 B, 1024 B taken; 1064 B (with header room) need 612 more
	 * at 10 B/ms: 62 ms */
	uint64_t w = source_odata_wait(&s, sizeof(buf), 0);
	CU_ASSERT_EQUAL(w, 62);
	CU_ASSERT_TRUE(source_odata_wait(&s, sizeof(buf), w - 1) > 0);
	CU_ASSERT_EQUAL(source_odata_wait(&s, sizeof(buf), w), 0);
	source_free(&s);
}

/* Data waits the SPM lead after the first SPM; later data does not. */
static void test_spm_lead(void)
{
	struct source s;
	struct recorder r;
	struct source_cfg c;
	source_cfg_defaults(&c);
	CU_ASSERT_EQUAL(c.spm_lead_ms, 100);
	c.ifaddr = ip("10.0.0.1");
	c.group = ip("239.1.1.1");
	c.isn = 1;
	c.spm_lead_ms = 40;
	memset(&r, 0, sizeof(r));
	struct pgm_out out = {.send = record, .arg = &r};
	CU_ASSERT_FATAL(source_init(&s, &c, out, 1000));
	source_service(&s, 1000);
	CU_ASSERT_EQUAL_FATAL(r.n, 1);
	CU_ASSERT_EQUAL(r.s[0].p.type, PGM_SPM);
	CU_ASSERT_EQUAL(source_odata_wait(&s, 100, 1000), 40);
	CU_ASSERT_EQUAL(source_odata_wait(&s, 100, 1039), 1);
	CU_ASSERT_EQUAL(source_odata_wait(&s, 100, 1040), 0);
	source_send_odata(&s, "x", 1, false, 1040);
	CU_ASSERT_EQUAL(source_odata_wait(&s, 100, 1040), 0);
	source_free(&s);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"first SPM, OPT_SYN, OPT_FIN", test_first_spm_then_syn_and_fin},
		{"NCF per NAK, one RDATA per burst", test_ncf_then_one_rdata_per_burst},
		{"OPT_NAK_LIST and too-late NAKs", test_nak_list_and_too_late},
		{"foreign and multicast NAKs ignored", test_foreign_nak_ignored},
		{"heartbeat SPM decay", test_heartbeat_decay},
		{"rate limit", test_rate_limit},
		{"SPM lead before the first data", test_spm_lead},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("host source", tests);
	return unit_run();
}
