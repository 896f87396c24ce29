/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Robustness of the host receive path: mutated and random datagrams go
 * through pktin_parse() and, when they parse, into the receiver and the
 * source state machines. Nothing may crash or trip the sanitizers, every
 * rejected datagram is an error code, and the state stays bounded.
 * Deterministic: a fixed-seed xorshift generator.
 */
#include <arpa/inet.h>
#include <string.h>

#include "common/wire.h"
#include "host/pktin.h"
#include "host/receiver.h"
#include "host/source.h"
#include "unit_util.h"

/* xorshift32; the state lives in each test, not at file scope */
static uint32_t next(uint32_t *rng)
{
	*rng ^= *rng << 13;
	*rng ^= *rng >> 17;
	*rng ^= *rng << 5;
	return *rng;
}

static bool sink_send(void *arg, uint8_t *pkt, size_t len, struct in_addr dst, bool ra)
{
	unsigned *n = arg;
	(void)pkt, (void)len, (void)dst, (void)ra;
	(*n)++;
	return true;
}

static void sink_data(void *arg, const uint8_t *d, size_t len)
{
	(void)arg, (void)d, (void)len;
}

static void sink_lost(void *arg, uint32_t sqn)
{
	(void)arg, (void)sqn;
}

/* A valid IPv4 datagram carrying `p`; returns its length. */
static size_t datagram(uint8_t *buf, size_t cap, const struct pgm_pkt *p, bool ra)
{
	struct in_addr src, dst;
	inet_pton(AF_INET, "10.0.0.1", &src);
	inet_pton(AF_INET, "239.1.1.1", &dst);
	size_t plen = pgm_build_len(p);
	size_t hl = pgm_ip_build(buf, cap, src, dst, 16, ra, plen);
	CU_ASSERT_FATAL(hl > 0);
	CU_ASSERT_FATAL(pgm_build(buf + hl, cap - hl, p) == plen);
	return hl + plen;
}

/* A few valid seeds of every type the hosts handle. */
static size_t seed(uint32_t *rng, uint8_t *buf, size_t cap, unsigned which)
{
	static const uint8_t gsi[6] = {1, 2, 3, 4, 5, 6};
	uint8_t payload[64];
	struct pgm_pkt p;
	memset(&p, 0, sizeof(p));
	memset(payload, 0xab, sizeof(payload));
	memcpy(p.tsi.gsi, gsi, 6);
	p.sport = p.tsi.sport = 1000;
	p.dport = 7500;
	struct in_addr a;
	inet_pton(AF_INET, "10.0.0.1", &a);
	switch (which % 4) {
	case 0:
		p.type = PGM_SPM;
		p.u.spm.sqn = next(rng);
		p.u.spm.trail = 100;
		p.u.spm.lead = 100 + next(rng) % 50;
		pgm_nla_from_in(&p.u.spm.path, a);
		p.opt.has = (next(rng) & 1) ? 1u << PGM_OPT_FIN : 0;
		break;
	case 1:
		p.type = (next(rng) & 1) ? PGM_ODATA : PGM_RDATA;
		p.u.data.sqn = 100 + next(rng) % 100;
		p.u.data.trail = 100;
		p.data = payload;
		p.data_len = next(rng) % sizeof(payload);
		p.opt.has = (next(rng) & 1) ? 1u << PGM_OPT_JOIN : 0;
		p.opt.join_min = 90;
		break;
	default:
		p.type = (which % 4 == 2) ? PGM_NCF : PGM_NAK;
		p.sport = 7500;
		p.dport = p.tsi.sport = 1000;
		p.u.nak.sqn = 100 + next(rng) % 100;
		pgm_nla_from_in(&p.u.nak.src, a);
		inet_pton(AF_INET, "239.1.1.1", &a);
		pgm_nla_from_in(&p.u.nak.grp, a);
		p.opt.has = 1u << PGM_OPT_NAK_LIST;
		p.opt.nak_list.count = 1 + next(rng) % PGM_MAX_NAK_LIST;
		for (unsigned i = 0; i < p.opt.nak_list.count; i++)
			p.opt.nak_list.sqn[i] = 100 + next(rng) % 200;
		break;
	}
	return datagram(buf, cap, &p, which & 4);
}

static void mutate(uint32_t *rng, uint8_t *buf, size_t *len, size_t cap)
{
	switch (next(rng) % 4) {
	case 0: /* flip bits */
		for (unsigned i = 0, n = 1 + next(rng) % 4; i < n && *len > 0; i++)
			buf[next(rng) % *len] ^= (uint8_t)(1u << (next(rng) % 8));
		break;
	case 1: /* truncate */
		*len = *len ? next(rng) % *len : 0;
		break;
	case 2: /* extend with garbage */
		while (*len < cap && (next(rng) % 8) != 0)
			buf[(*len)++] = (uint8_t)next(rng);
		break;
	default: /* random bytes in the PGM part, checksum left wrong or zeroed */
		for (size_t i = 20; i < *len; i++)
			if ((next(rng) % 16) == 0)
				buf[i] = (uint8_t)next(rng);
		if (*len > 27 && (next(rng) & 1))
			buf[26] = buf[27] = 0; /* checksum "none": the parser must still cope */
		break;
	}
}

static void test_mutated_datagrams(void)
{
	struct receiver r;
	struct source s;
	struct receiver_cfg rc;
	struct source_cfg sc;
	unsigned sent = 0;
	uint32_t state = 2463534242u, *rng = &state;
	receiver_cfg_defaults(&rc);
	inet_pton(AF_INET, "239.1.1.1", &rc.group);
	rc.dport = 7500;
	rc.rxw_pkts = 256;
	source_cfg_defaults(&sc);
	inet_pton(AF_INET, "10.0.0.1", &sc.ifaddr);
	sc.group = rc.group;
	memcpy(sc.gsi, (const uint8_t[6]){1, 2, 3, 4, 5, 6}, 6);
	sc.sport = 1000;
	sc.dport = 7500;
	sc.txw_pkts = 64;
	struct pgm_out out = {.send = sink_send, .arg = &sent};
	struct receiver_sink sink = {.data = sink_data, .lost = sink_lost, .arg = NULL};
	CU_ASSERT_FATAL(receiver_init(&r, &rc, out, sink));
	CU_ASSERT_FATAL(source_init(&s, &sc, out, 0));
	for (int i = 0; i < 30; i++)
		source_send_odata(&s, "0123456789", 10, false, 0);

	uint8_t buf[2048];
	unsigned ok = 0, bad = 0;
	for (uint64_t i = 0; i < 100000; i++) {
		size_t len = seed(rng, buf, sizeof(buf), (unsigned)i);
		if (i % 3 != 0)
			mutate(rng, buf, &len, sizeof(buf));
		struct pgm_ip ip;
		struct pgm_pkt p;
		enum pgm_err e = pktin_parse(buf, len, &ip, &p);
		CU_ASSERT_TRUE(e < PGM_E_COUNT);
		if (e != PGM_OK) {
			bad++;
			continue;
		}
		ok++;
		receiver_on_packet(&r, &ip, &p, i);
		receiver_service(&r, i);
		source_on_packet(&s, &ip, &p, i);
		source_service(&s, i);
	}
	/* both kinds happened, and the window never outgrew its capacity */
	CU_ASSERT_TRUE(ok > 1000);
	CU_ASSERT_TRUE(bad > 1000);
	CU_ASSERT_TRUE(r.rxw.lead - r.rxw.trail + 1 <= r.rxw.cap);
	CU_ASSERT_TRUE(sent > 0);
	receiver_free(&r);
	source_free(&s);
}

static void test_random_bytes(void)
{
	uint8_t buf[1600];
	uint32_t state = 88675123u, *rng = &state;
	for (int i = 0; i < 50000; i++) {
		size_t len = next(rng) % sizeof(buf);
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)next(rng);
		if (len > 0)
			buf[0] = 0x45; /* mostly plausible IPv4 */
		struct pgm_ip ip;
		struct pgm_pkt p;
		CU_ASSERT_TRUE(pktin_parse(buf, len, &ip, &p) < PGM_E_COUNT);
	}
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"mutated datagrams into receiver and source", test_mutated_datagrams},
		{"random bytes", test_random_bytes},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("host robustness", tests);
	return unit_run();
}
