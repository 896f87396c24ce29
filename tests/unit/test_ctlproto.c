/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Control protocol (common/ctlproto.c): round trips and every length check. */
#include <arpa/inet.h>
#include <string.h>

#include "common/ctlproto.h"
#include "unit_util.h"

/* Frame a whole encoded message; fails the test when it does not frame. */
static bool frame_whole(const uint8_t *buf, size_t len, struct ctl_msg *m)
{
	size_t total = 0;
	enum ctl_frame_result fr = ctl_frame(buf, len, m, &total);
	CU_ASSERT_EQUAL(fr, CTL_FRAME_OK);
	CU_ASSERT_EQUAL(total, len);
	return fr == CTL_FRAME_OK && total == len;
}

static void set_len(uint8_t *buf, size_t payload_len)
{
	buf[2] = (uint8_t)(payload_len >> 8);
	buf[3] = (uint8_t)payload_len;
}

/*
 * Every decoder must refuse its message one byte short and one byte long
 * (the header length patched to match, so only the decoder can notice).
 */
typedef bool (*dec_fn)(const struct ctl_msg *m, void *out);

static void check_length_exact(uint8_t *buf, size_t len, dec_fn dec, void *out)
{
	struct ctl_msg m;
	if (!frame_whole(buf, len, &m))
		return;
	CU_ASSERT_TRUE(dec(&m, out));

	set_len(buf, len - CTL_HDR_LEN - 1);
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, len - 1, &m));
	CU_ASSERT_FALSE(dec(&m, out));

	buf[len] = 0;
	set_len(buf, len - CTL_HDR_LEN + 1);
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, len + 1, &m));
	CU_ASSERT_FALSE(dec(&m, out));
	set_len(buf, len - CTL_HDR_LEN);
}

static bool dec_req(const struct ctl_msg *m, void *o) { return ctl_dec_req(m, o); }
static bool dec_if(const struct ctl_msg *m, void *o) { return ctl_dec_if(m, o); }
static bool dec_session(const struct ctl_msg *m, void *o) { return ctl_dec_session(m, o); }
static bool dec_rstate(const struct ctl_msg *m, void *o) { return ctl_dec_rstate(m, o); }
static bool dec_ifc(const struct ctl_msg *m, void *o) { return ctl_dec_if_counters(m, o); }
static bool dec_health(const struct ctl_msg *m, void *o) { return ctl_dec_health(m, o); }
static bool dec_cleared(const struct ctl_msg *m, void *o) { return ctl_dec_cleared(m, o); }

static const struct pgm_tsi test_tsi = { { 1, 2, 3, 4, 5, 6 }, 4321 };

static void test_req_round_trip(void)
{
	uint8_t buf[CTL_MAX_MSG + 1];
	struct ctl_req q = { .type = CTL_REQ_SHOW_STATE, .flags = CTL_F_GROUP | CTL_F_TSI,
	                     .tsi = test_tsi };
	inet_pton(AF_INET, "239.192.0.1", &q.group);
	strcpy(q.ifname, "eth1");
	size_t n = ctl_enc_req(buf, sizeof buf, &q);
	CU_ASSERT_TRUE_FATAL(n > CTL_HDR_LEN);
	struct ctl_msg m;
	struct ctl_req back;
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_TRUE_FATAL(ctl_dec_req(&m, &back));
	CU_ASSERT_EQUAL(back.type, q.type);
	CU_ASSERT_EQUAL(back.flags, q.flags);
	CU_ASSERT_EQUAL(back.group.s_addr, q.group.s_addr);
	CU_ASSERT_TRUE(pgm_tsi_eq(&back.tsi, &q.tsi));
	CU_ASSERT_STRING_EQUAL(back.ifname, "eth1");
	check_length_exact(buf, n, dec_req, &back);
}

static void test_req_invalid(void)
{
	uint8_t buf[CTL_MAX_MSG];
	struct ctl_req q = { .type = CTL_REQ_SHOW_TRAFFIC };
	struct ctl_req back;
	struct ctl_msg m;

	/* unknown types and filters are not encoded */
	q.type = 0;
	CU_ASSERT_EQUAL(ctl_enc_req(buf, sizeof buf, &q), 0);
	q.type = CTL_REP_END;
	CU_ASSERT_EQUAL(ctl_enc_req(buf, sizeof buf, &q), 0);
	q.type = CTL_REQ_SHOW_TRAFFIC;
	q.flags = 0x80;
	CU_ASSERT_EQUAL(ctl_enc_req(buf, sizeof buf, &q), 0);
	q.flags = 0;
	/* an interface name filling the field without NUL */
	memset(q.ifname, 'x', sizeof q.ifname);
	CU_ASSERT_EQUAL(ctl_enc_req(buf, sizeof buf, &q), 0);
	q.ifname[0] = '\0';

	size_t n = ctl_enc_req(buf, sizeof buf, &q);
	CU_ASSERT_TRUE_FATAL(n > 0);
	/* header and payload types must agree */
	buf[1] = CTL_REQ_SHOW_SESSIONS;
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_FALSE(ctl_dec_req(&m, &back));
	buf[1] = CTL_REQ_SHOW_TRAFFIC;
	/* unknown filter bits on the wire */
	buf[CTL_HDR_LEN + 1] = 0x40;
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_FALSE(ctl_dec_req(&m, &back));
	buf[CTL_HDR_LEN + 1] = 0;
	/* name without NUL on the wire */
	memset(buf + n - IF_NAMESIZE, 'y', IF_NAMESIZE);
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_FALSE(ctl_dec_req(&m, &back));
}

static void test_if_round_trip(void)
{
	uint8_t buf[CTL_MAX_MSG + 1];
	struct ctl_if x = { .ifindex = 7, .flags = CTL_IF_UP | CTL_IF_ENABLED,
	                    .nak_rpt_ivl_ms = 1, .nak_rpt_rte_ms = 2, .nak_rdata_ivl_ms = 3,
	                    .nak_elim_ivl_ms = 4, .session_lifetime_ms = 5,
	                    .ncf_ivl_ms = 7, .ncf_ttl = 6, .nak_ttl = 255 };
	strcpy(x.name, "veth-long-name0");
	inet_pton(AF_INET, "10.0.0.1", &x.addr);
	size_t n = ctl_enc_if(buf, sizeof buf, &x);
	CU_ASSERT_TRUE_FATAL(n > 0);
	struct ctl_if back;
	struct ctl_msg m;
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_TRUE_FATAL(ctl_dec_if(&m, &back));
	CU_ASSERT_EQUAL(back.ifindex, 7);
	CU_ASSERT_STRING_EQUAL(back.name, "veth-long-name0");
	CU_ASSERT_EQUAL(back.addr.s_addr, x.addr.s_addr);
	CU_ASSERT_EQUAL(back.flags, CTL_IF_UP | CTL_IF_ENABLED);
	CU_ASSERT_EQUAL(back.nak_rpt_ivl_ms, 1);
	CU_ASSERT_EQUAL(back.nak_rpt_rte_ms, 2);
	CU_ASSERT_EQUAL(back.nak_rdata_ivl_ms, 3);
	CU_ASSERT_EQUAL(back.nak_elim_ivl_ms, 4);
	CU_ASSERT_EQUAL(back.session_lifetime_ms, 5);
	CU_ASSERT_EQUAL(back.ncf_ivl_ms, 7);
	CU_ASSERT_EQUAL(back.ncf_ttl, 6);
	CU_ASSERT_EQUAL(back.nak_ttl, 255);
	check_length_exact(buf, n, dec_if, &back);
	/* a record of one type is not another */
	CU_ASSERT_FALSE(ctl_dec_session(&m, &(struct ctl_session){ 0 }));
}

static void test_session_round_trip(void)
{
	uint8_t buf[CTL_MAX_MSG + 1];
	struct ctl_session s = { .tsi = test_tsi, .dport = 7500, .upstream_ifindex = 3,
	                         .spm_sqn = 0xFFFFFFFFu, .trail = 10, .lead = 20,
	                         .age_ms = 0x123456789ull, .spm_age_ms = 42, .rstates = 9 };
	inet_pton(AF_INET, "239.192.0.1", &s.group);
	inet_pton(AF_INET, "10.0.1.2", &s.source);
	inet_pton(AF_INET, "10.0.1.1", &s.upstream);
	strcpy(s.upstream_ifname, "eth0");
	size_t n = ctl_enc_session(buf, sizeof buf, &s);
	CU_ASSERT_TRUE_FATAL(n > 0);
	struct ctl_session back;
	struct ctl_msg m;
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_TRUE_FATAL(ctl_dec_session(&m, &back));
	CU_ASSERT_TRUE(pgm_tsi_eq(&back.tsi, &s.tsi));
	CU_ASSERT_EQUAL(back.group.s_addr, s.group.s_addr);
	CU_ASSERT_EQUAL(back.source.s_addr, s.source.s_addr);
	CU_ASSERT_EQUAL(back.upstream.s_addr, s.upstream.s_addr);
	CU_ASSERT_EQUAL(back.dport, 7500);
	CU_ASSERT_EQUAL(back.upstream_ifindex, 3);
	CU_ASSERT_STRING_EQUAL(back.upstream_ifname, "eth0");
	CU_ASSERT_EQUAL(back.spm_sqn, 0xFFFFFFFFu);
	CU_ASSERT_EQUAL(back.trail, 10);
	CU_ASSERT_EQUAL(back.lead, 20);
	CU_ASSERT_EQUAL(back.age_ms, 0x123456789ull);
	CU_ASSERT_EQUAL(back.spm_age_ms, 42);
	CU_ASSERT_EQUAL(back.rstates, 9);
	check_length_exact(buf, n, dec_session, &back);
}

static void test_rstate_round_trip(void)
{
	uint8_t buf[CTL_MAX_MSG + 1];
	static struct ctl_rstate s, back;
	memset(&s, 0, sizeof s);
	s.tsi = test_tsi;
	s.sqn = 100;
	s.phase = CTL_PHASE_CONFIRMED;
	s.retries = 2;
	s.time_left_ms = 9000;
	s.elim_left_ms = 4000;
	for (unsigned k = 0; k <= CTL_MAX_IFACES; k += CTL_MAX_IFACES / 2) {
		s.n_ifaces = (uint8_t)k;
		for (unsigned i = 0; i < k; i++)
			snprintf(s.ifname[i], IF_NAMESIZE, "if%u", i);
		size_t n = ctl_enc_rstate(buf, sizeof buf, &s);
		CU_ASSERT_TRUE_FATAL(n > 0);
		struct ctl_msg m;
		CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
		CU_ASSERT_TRUE_FATAL(ctl_dec_rstate(&m, &back));
		CU_ASSERT_EQUAL(back.n_ifaces, k);
		CU_ASSERT_EQUAL(back.sqn, 100);
		CU_ASSERT_EQUAL(back.phase, CTL_PHASE_CONFIRMED);
		CU_ASSERT_EQUAL(back.retries, 2);
		CU_ASSERT_EQUAL(back.time_left_ms, 9000);
		CU_ASSERT_EQUAL(back.elim_left_ms, 4000);
		if (k > 0)
			CU_ASSERT_STRING_EQUAL(back.ifname[k - 1], s.ifname[k - 1]);
		check_length_exact(buf, n, dec_rstate, &back);
	}
}

static void test_rstate_invalid(void)
{
	uint8_t buf[CTL_MAX_MSG + 1];
	static struct ctl_rstate s, back;
	memset(&s, 0, sizeof s);
	s.n_ifaces = CTL_MAX_IFACES + 1;
	CU_ASSERT_EQUAL(ctl_enc_rstate(buf, sizeof buf, &s), 0);
	s.n_ifaces = 1;
	s.phase = CTL_PHASE_COUNT;
	CU_ASSERT_EQUAL(ctl_enc_rstate(buf, sizeof buf, &s), 0);
	s.phase = CTL_PHASE_PENDING;
	strcpy(s.ifname[0], "eth1");
	size_t n = ctl_enc_rstate(buf, sizeof buf, &s);
	CU_ASSERT_TRUE_FATAL(n > 0);
	struct ctl_msg m;
	/* n_ifaces on the wire claims more names than the payload holds */
	buf[n - IF_NAMESIZE - 1] = 2;
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_FALSE(ctl_dec_rstate(&m, &back));
	buf[n - IF_NAMESIZE - 1] = CTL_MAX_IFACES + 1;
	CU_ASSERT_FALSE(ctl_dec_rstate(&m, &back));
	buf[n - IF_NAMESIZE - 1] = 1;
	/* phase out of range */
	buf[CTL_HDR_LEN + 16] = CTL_PHASE_COUNT;
	CU_ASSERT_FALSE(ctl_dec_rstate(&m, &back));
	buf[CTL_HDR_LEN + 16] = CTL_PHASE_PENDING;
	CU_ASSERT_TRUE(ctl_dec_rstate(&m, &back));
	/* a payload too short to hold even the fixed part */
	set_len(buf, 3);
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, CTL_HDR_LEN + 3, &m));
	CU_ASSERT_FALSE(ctl_dec_rstate(&m, &back));
}

static void test_counters_round_trip(void)
{
	uint8_t buf[CTL_MAX_MSG + 1];
	struct ctl_if_counters c = { .ifindex = 2 }, back;
	strcpy(c.name, "eth0");
	for (unsigned i = 0; i < NE_IF_COUNTER_N; i++)
		c.v[i] = (uint64_t)i << 40 | i;
	size_t n = ctl_enc_if_counters(buf, sizeof buf, &c);
	CU_ASSERT_TRUE_FATAL(n > 0);
	struct ctl_msg m;
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_TRUE_FATAL(ctl_dec_if_counters(&m, &back));
	CU_ASSERT_EQUAL(back.ifindex, 2);
	CU_ASSERT_STRING_EQUAL(back.name, "eth0");
	CU_ASSERT_EQUAL(memcmp(back.v, c.v, sizeof c.v), 0);
	check_length_exact(buf, n, dec_ifc, &back);
	/* a counter count other than ours is refused */
	buf[CTL_HDR_LEN + 4 + IF_NAMESIZE + 1] ^= 1;
	CU_ASSERT_FALSE(ctl_dec_if_counters(&m, &back));
}

static void test_health_round_trip(void)
{
	uint8_t buf[CTL_MAX_MSG + 1];
	struct ctl_health h = { .sessions = 5, .rstates = 6 }, back;
	for (unsigned i = 0; i < NE_HEALTH_COUNTER_N; i++)
		h.v[i] = i + 1;
	for (unsigned i = 0; i < PGM_E_COUNT; i++)
		h.malformed[i] = 100 + i;
	size_t n = ctl_enc_health(buf, sizeof buf, &h);
	CU_ASSERT_TRUE_FATAL(n > 0);
	struct ctl_msg m;
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_TRUE_FATAL(ctl_dec_health(&m, &back));
	CU_ASSERT_EQUAL(memcmp(back.v, h.v, sizeof h.v), 0);
	CU_ASSERT_EQUAL(memcmp(back.malformed, h.malformed, sizeof h.malformed), 0);
	CU_ASSERT_EQUAL(back.sessions, 5);
	CU_ASSERT_EQUAL(back.rstates, 6);
	check_length_exact(buf, n, dec_health, &back);
}

static void test_small_records(void)
{
	uint8_t buf[CTL_MAX_MSG + 1];
	struct ctl_msg m;
	uint32_t count = 0;
	size_t n = ctl_enc_cleared(buf, sizeof buf, 77);
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_TRUE(ctl_dec_cleared(&m, &count));
	CU_ASSERT_EQUAL(count, 77);
	check_length_exact(buf, n, dec_cleared, &count);

	n = ctl_enc_end(buf, sizeof buf);
	CU_ASSERT_EQUAL(n, CTL_HDR_LEN);
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_TRUE(ctl_dec_end(&m));
	/* END one byte long */
	buf[n] = 0;
	set_len(buf, 1);
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n + 1, &m));
	CU_ASSERT_FALSE(ctl_dec_end(&m));
}

static void test_error_record(void)
{
	uint8_t buf[CTL_MAX_MSG];
	char long_text[CTL_ERR_TEXT_MAX * 2];
	struct ctl_error e;
	struct ctl_msg m;
	size_t n = ctl_enc_error(buf, sizeof buf, CTL_E_NO_SUCH_IFACE, "no such interface: eth9");
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_TRUE_FATAL(ctl_dec_error(&m, &e));
	CU_ASSERT_EQUAL(e.code, CTL_E_NO_SUCH_IFACE);
	CU_ASSERT_STRING_EQUAL(e.text, "no such interface: eth9");

	/* long text is cut, control characters replaced */
	memset(long_text, 'a', sizeof long_text - 1);
	long_text[sizeof long_text - 1] = '\0';
	long_text[3] = '\n';
	n = ctl_enc_error(buf, sizeof buf, CTL_E_MALFORMED, long_text);
	CU_ASSERT_EQUAL(n, CTL_HDR_LEN + 2 + CTL_ERR_TEXT_MAX);
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n, &m));
	CU_ASSERT_TRUE_FATAL(ctl_dec_error(&m, &e));
	CU_ASSERT_EQUAL(strlen(e.text), CTL_ERR_TEXT_MAX);
	CU_ASSERT_EQUAL(e.text[3], '?');

	/* control characters and over-long text on the wire are refused */
	buf[CTL_HDR_LEN + 2] = 0x1b;
	CU_ASSERT_FALSE(ctl_dec_error(&m, &e));
	buf[CTL_HDR_LEN + 2] = 'a';
	buf[n] = 'a';
	set_len(buf, 2 + CTL_ERR_TEXT_MAX + 1);
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, n + 1, &m));
	CU_ASSERT_FALSE(ctl_dec_error(&m, &e));
	/* too short to hold the code */
	set_len(buf, 1);
	CU_ASSERT_TRUE_FATAL(frame_whole(buf, CTL_HDR_LEN + 1, &m));
	CU_ASSERT_FALSE(ctl_dec_error(&m, &e));
}

static void test_framing(void)
{
	uint8_t buf[CTL_MAX_MSG + 8];
	struct ctl_msg m;
	size_t total = 0;
	struct ctl_if x = { .ifindex = 1 };
	strcpy(x.name, "lo");
	size_t n = ctl_enc_if(buf, sizeof buf, &x);
	CU_ASSERT_TRUE_FATAL(n > CTL_HDR_LEN);
	/* every truncation of a whole message asks for more */
	for (size_t k = 0; k < n; k++)
		CU_ASSERT_EQUAL(ctl_frame(buf, k, &m, &total), CTL_FRAME_MORE);
	/* a message followed by the start of the next frames alone */
	CU_ASSERT_EQUAL(ctl_frame(buf, n + 3, &m, &total), CTL_FRAME_OK);
	CU_ASSERT_EQUAL(total, n);

	/* oversized: refused from the header alone */
	set_len(buf, CTL_MAX_PAYLOAD + 1);
	CU_ASSERT_EQUAL(ctl_frame(buf, CTL_HDR_LEN, &m, &total), CTL_FRAME_TOO_BIG);
	set_len(buf, 0xFFFF);
	CU_ASSERT_EQUAL(ctl_frame(buf, sizeof buf, &m, &total), CTL_FRAME_TOO_BIG);
	/* the largest allowed payload frames */
	memset(buf + CTL_HDR_LEN, 0, CTL_MAX_PAYLOAD);
	set_len(buf, CTL_MAX_PAYLOAD);
	CU_ASSERT_EQUAL(ctl_frame(buf, CTL_MAX_MSG, &m, &total), CTL_FRAME_OK);
	CU_ASSERT_EQUAL(total, CTL_MAX_MSG);

	/* another version: recognised from the header, type still readable */
	buf[0] = CTL_VERSION + 1;
	buf[1] = CTL_REP_ERROR;
	CU_ASSERT_EQUAL(ctl_frame(buf, CTL_HDR_LEN, &m, &total), CTL_FRAME_BAD_VERSION);
	CU_ASSERT_EQUAL(m.hdr.version, CTL_VERSION + 1);
	CU_ASSERT_EQUAL(m.hdr.type, CTL_REP_ERROR);
	buf[0] = 0;
	CU_ASSERT_EQUAL(ctl_frame(buf, CTL_HDR_LEN, &m, &total), CTL_FRAME_BAD_VERSION);
}

/* Decoders also check the version themselves (a message built by hand). */
static void test_decoder_version(void)
{
	uint8_t buf[CTL_MAX_MSG];
	size_t n = ctl_enc_cleared(buf, sizeof buf, 1);
	struct ctl_msg m = { .hdr = { .version = CTL_VERSION + 1, .type = CTL_REP_CLEARED,
	                              .len = (uint16_t)(n - CTL_HDR_LEN) },
	                     .payload = buf + CTL_HDR_LEN };
	uint32_t count;
	CU_ASSERT_FALSE(ctl_dec_cleared(&m, &count));
	m.hdr.version = CTL_VERSION;
	CU_ASSERT_TRUE(ctl_dec_cleared(&m, &count));
}

/* Encoders never write past their buffer and report 0 when it is short. */
static void test_encode_capacity(void)
{
	uint8_t buf[CTL_MAX_MSG];
	struct ctl_session s = { .tsi = test_tsi };
	size_t need = ctl_enc_session(buf, sizeof buf, &s);
	CU_ASSERT_TRUE_FATAL(need > 0);
	for (size_t cap = 0; cap < need; cap++) {
		uint8_t small[CTL_MAX_MSG];
		memset(small, 0xA5, sizeof small);
		CU_ASSERT_EQUAL(ctl_enc_session(small, cap, &s), 0);
		CU_ASSERT_EQUAL(small[cap], 0xA5);
	}
	CU_ASSERT_EQUAL(ctl_enc_end(buf, CTL_HDR_LEN - 1), 0);
}

/* xorshift64*: deterministic bytes for the random-input test */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

/* Decode m with every decoder; each record that decodes must re-encode
 * to a message that decodes to the same encoding again (canonical). */
static unsigned decode_all(const struct ctl_msg *m)
{
	static struct ctl_rstate rs;
	uint8_t a[CTL_MAX_MSG], b[CTL_MAX_MSG];
	struct ctl_msg m2;
	unsigned ok = 0;
	union {
		struct ctl_req q; struct ctl_if i; struct ctl_session s;
		struct ctl_if_counters c; struct ctl_health h; struct ctl_error e;
		uint32_t n;
	} u;
#define CANON(dec, enc, obj) do { \
		if (dec(m, obj)) { \
			size_t la = enc; \
			CU_ASSERT_FATAL(la > 0 && frame_whole(a, la, &m2)); \
			CU_ASSERT_FATAL(dec(&m2, obj)); \
			memcpy(b, a, la); \
			CU_ASSERT_EQUAL(enc, la); \
			CU_ASSERT_EQUAL(memcmp(a, b, la), 0); \
			ok++; \
		} \
	} while (0)
	CANON(ctl_dec_req, ctl_enc_req(a, sizeof a, &u.q), &u.q);
	CANON(ctl_dec_if, ctl_enc_if(a, sizeof a, &u.i), &u.i);
	CANON(ctl_dec_session, ctl_enc_session(a, sizeof a, &u.s), &u.s);
	CANON(ctl_dec_rstate, ctl_enc_rstate(a, sizeof a, &rs), &rs);
	CANON(ctl_dec_if_counters, ctl_enc_if_counters(a, sizeof a, &u.c), &u.c);
	CANON(ctl_dec_health, ctl_enc_health(a, sizeof a, &u.h), &u.h);
	CANON(ctl_dec_cleared, ctl_enc_cleared(a, sizeof a, u.n), &u.n);
	CANON(ctl_dec_error, ctl_enc_error(a, sizeof a, u.e.code, u.e.text), &u.e);
#undef CANON
	ok += ctl_dec_end(m);
	return ok;
}

/*
 * Random messages (valid version, a known type, a plausible length most
 * of the time) through ctl_frame and every decoder: no decoder reads out
 * of bounds (ASan), at most one accepts a message, and what one accepts
 * round-trips canonically.
 */
static void test_random_messages(void)
{
	static uint8_t buf[CTL_MAX_MSG + 64];
	static const uint8_t types[] = { CTL_REQ_SHOW_STATE, CTL_REP_INTERFACE, CTL_REP_SESSION,
		CTL_REP_RSTATE, CTL_REP_IF_COUNTERS, CTL_REP_HEALTH, CTL_REP_CLEARED,
		CTL_REP_END, CTL_REP_ERROR, 0, 200 };
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	unsigned accepted = 0;
	for (int iter = 0; iter < 200000; iter++) {
		size_t len = rnd(&seed) % sizeof buf;
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd(&seed);
		uint64_t r = rnd(&seed);
		if (len >= CTL_HDR_LEN && (r & 7) != 0) {
			buf[0] = CTL_VERSION;
			buf[1] = types[(r >> 8) % sizeof types];
			size_t plen = len - CTL_HDR_LEN;
			if ((r >> 16) % 4 == 0 && len > CTL_HDR_LEN + 40) {
				/* names and printable text NUL/ASCII so more records decode */
				for (size_t i = CTL_HDR_LEN; i < len; i++)
					buf[i] = (uint8_t)(0x20 + buf[i] % 0x5f) * ((buf[i] & 3) != 0);
			}
			set_len(buf, plen);
		}
		struct ctl_msg m;
		size_t total;
		if (ctl_frame(buf, len, &m, &total) != CTL_FRAME_OK)
			continue;
		unsigned n = decode_all(&m);
		CU_ASSERT_TRUE(n <= 1);
		accepted += n;
	}
	CU_ASSERT_TRUE(accepted > 0); /* the property was exercised */
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(ctl_if_counter_names[0], "InSpms");
	CU_ASSERT_STRING_EQUAL(ctl_health_counter_names[0], "QueueDrops");
	CU_ASSERT_STRING_EQUAL(ctl_phase_name(CTL_PHASE_ANTICIPATED), "anticipated");
	CU_ASSERT_STRING_EQUAL(ctl_phase_name(200), "unknown");
	CU_ASSERT_STRING_EQUAL(ctl_type_name(CTL_REQ_CLEAR_RTX_STATE), "clear rtx-state");
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"request round trip and lengths", test_req_round_trip},
		{"request invalid", test_req_invalid},
		{"interface round trip and lengths", test_if_round_trip},
		{"session round trip and lengths", test_session_round_trip},
		{"rstate round trip, 0/32/64 ifaces", test_rstate_round_trip},
		{"rstate invalid", test_rstate_invalid},
		{"counters round trip and lengths", test_counters_round_trip},
		{"health round trip and lengths", test_health_round_trip},
		{"cleared and end", test_small_records},
		{"error record", test_error_record},
		{"framing: truncated, oversized, version", test_framing},
		{"decoders check version", test_decoder_version},
		{"encoders respect capacity", test_encode_capacity},
		{"random messages: bounds, one decoder, canonical", test_random_messages},
		{"names", test_names},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("ctlproto", tests);
	return unit_run();
}
