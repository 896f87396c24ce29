/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket server (pgmned/ctl.c) in process: an engine with state
 * made from crafted packets, ctl_open() on a temporary path with its own
 * epoll, and clients that behave, send garbage, or never read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ctlproto.h"
#include "pgmned/ctl.h"
#include "pgmned/event.h"
#include "test_engine_fixture.h"

#define PUMP_ROUNDS 2000  /* bound on every wait loop below */

struct env {
	struct fx fx;
	int epfd;
	char dir[64];
	char path[108];
	struct ctl *ctl;
};

static uint64_t fake_now(void *arg)
{
	return ((struct fx *)arg)->now;
}

/* Run the server side: dispatch whatever epoll has ready. */
static void pump(struct env *e, int timeout_ms)
{
	struct epoll_event ev[16];
	int n = epoll_wait(e->epfd, ev, 16, timeout_ms);
	for (int i = 0; i < n; i++) {
		struct ev_handler *h = ev[i].data.ptr;
		h->fn(h, ev[i].events);
	}
}

/*
 * State: session on up0 with SPM SQN 5; pending repair for 100 asked by
 * dn1 and dn2; 101 confirmed by an NCF; 200 anticipated.
 */
static void env_state(struct env *e)
{
	struct fx *f = &e->fx;
	fx_session(f);
	f->now += 1500;
	fx_nak_sqn(f, 100, IF_DN1);
	fx_nak_sqn(f, 100, IF_DN2);
	fx_nak_sqn(f, 101, IF_DN1);
	f->now += 250;
	fx_ncf_copy(f, 101, IF_UP, IF_DN1);
	fx_ncf_copy(f, 200, IF_UP, IF_DN1);
}

static void env_init(struct env *e)
{
	memset(e, 0, sizeof *e);
	fx_init(&e->fx, NULL);
	env_state(e);
	snprintf(e->dir, sizeof e->dir, "/tmp/test_ctl.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(e->dir));
	snprintf(e->path, sizeof e->path, "%s/ctl.sock", e->dir);
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	CU_ASSERT_FATAL(e->epfd >= 0);
	e->ctl = ctl_open(e->path, e->epfd, e->fx.ne, &e->fx.ifs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->ctl);
	ctl_set_clock(e->ctl, fake_now, &e->fx);
}

static void env_fini(struct env *e)
{
	ctl_close(e->ctl);
	CU_ASSERT_EQUAL(access(e->path, F_OK), -1); /* unlinked */
	close(e->epfd);
	rmdir(e->dir);
	fx_fini(&e->fx);
}

static int client_connect(struct env *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", e->path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	pump(e, 0); /* accept */
	return fd;
}

static void client_send(int fd, const void *buf, size_t len)
{
	CU_ASSERT_EQUAL(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void send_req(int fd, uint8_t type, uint8_t flags, const char *ifname)
{
	uint8_t msg[CTL_MAX_MSG];
	struct ctl_req q = { .type = type, .flags = flags };
	if (ifname != NULL)
		snprintf(q.ifname, sizeof q.ifname, "%s", ifname);
	q.group = fx_addr("239.1.1.1");
	size_t n = ctl_enc_req(msg, sizeof msg, &q);
	CU_ASSERT_FATAL(n > 0);
	client_send(fd, msg, n);
}

/* What a client saw of one reply. */
struct seen {
	unsigned ifs, sessions, rstates, counters, health, cleared, end, errors, other;
	bool eof;
	uint32_t cleared_count;
	struct ctl_session session;
	struct ctl_rstate rstate[8];
	struct ctl_if_counters ifc[4];
	struct ctl_health h;
	struct ctl_error err;
	uint8_t buf[4 * CTL_MAX_MSG];
	size_t len;
};

static void seen_record(struct seen *s, const struct ctl_msg *m)
{
	switch (m->hdr.type) {
	case CTL_REP_INTERFACE: {
		struct ctl_if x;
		CU_ASSERT_TRUE(ctl_dec_if(m, &x));
		s->ifs++;
		break;
	}
	case CTL_REP_SESSION:
		CU_ASSERT_TRUE(ctl_dec_session(m, &s->session));
		s->sessions++;
		break;
	case CTL_REP_RSTATE:
		CU_ASSERT_TRUE(ctl_dec_rstate(m, &s->rstate[s->rstates % 8]));
		s->rstates++;
		break;
	case CTL_REP_IF_COUNTERS:
		CU_ASSERT_TRUE(ctl_dec_if_counters(m, &s->ifc[s->counters % 4]));
		s->counters++;
		break;
	case CTL_REP_HEALTH:
		CU_ASSERT_TRUE(ctl_dec_health(m, &s->h));
		s->health++;
		break;
	case CTL_REP_CLEARED:
		CU_ASSERT_TRUE(ctl_dec_cleared(m, &s->cleared_count));
		s->cleared++;
		break;
	case CTL_REP_END:
		CU_ASSERT_TRUE(ctl_dec_end(m));
		s->end++;
		break;
	case CTL_REP_ERROR:
		CU_ASSERT_TRUE(ctl_dec_error(m, &s->err));
		s->errors++;
		break;
	default:
		s->other++;
	}
}

/* Take the whole messages in s->buf. */
static void seen_frames(struct seen *s)
{
	size_t off = 0;
	for (;;) {
		struct ctl_msg m;
		size_t total;
		enum ctl_frame_result fr = ctl_frame(s->buf + off, s->len - off, &m, &total);
		if (fr != CTL_FRAME_OK) {
			CU_ASSERT_EQUAL(fr, CTL_FRAME_MORE);
			break;
		}
		seen_record(s, &m);
		off += total;
	}
	memmove(s->buf, s->buf + off, s->len - off);
	s->len -= off;
}

/* Pump server and read the client until `ends` END/ERROR messages or EOF. */
static void read_reply(struct env *e, int fd, struct seen *s, unsigned ends)
{
	for (int i = 0; i < PUMP_ROUNDS && s->end + s->errors < ends && !s->eof; i++) {
		pump(e, 5);
		ssize_t n = recv(fd, s->buf + s->len, sizeof s->buf - s->len, 0);
		if (n > 0) {
			s->len += (size_t)n;
			seen_frames(s);
		} else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			s->eof = true;
		}
	}
}

/* Pump until the server closed fd's peer (EOF or reset); true if it did. */
static bool wait_dropped(struct env *e, int fd)
{
	uint8_t junk[4096];
	for (int i = 0; i < PUMP_ROUNDS; i++) {
		pump(e, 5);
		ssize_t n = recv(fd, junk, sizeof junk, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			return true;
	}
	return false;
}

static void test_show_sessions(void)
{
	struct env e;
	env_init(&e);
	int fd = client_connect(&e);
	send_req(fd, CTL_REQ_SHOW_SESSIONS, 0, NULL);
	struct seen s = { 0 };
	read_reply(&e, fd, &s, 1);
	CU_ASSERT_EQUAL(s.end, 1);
	CU_ASSERT_EQUAL(s.sessions, 1);
	struct pgm_tsi tsi = fx_tsi();
	CU_ASSERT_TRUE(pgm_tsi_eq(&s.session.tsi, &tsi));
	CU_ASSERT_EQUAL(s.session.group.s_addr, fx_addr("239.1.1.1").s_addr);
	CU_ASSERT_EQUAL(s.session.source.s_addr, fx_addr("10.0.0.5").s_addr);
	CU_ASSERT_EQUAL(s.session.upstream.s_addr, fx_addr("10.0.1.254").s_addr);
	CU_ASSERT_STRING_EQUAL(s.session.upstream_ifname, "up0");
	CU_ASSERT_EQUAL(s.session.spm_sqn, 1);
	CU_ASSERT_EQUAL(s.session.age_ms, 1750);     /* fake clock */
	CU_ASSERT_EQUAL(s.session.spm_age_ms, 1750);
	CU_ASSERT_EQUAL(s.session.rstates, 3);
	/* the connection stays for another request */
	send_req(fd, CTL_REQ_SHOW_INTERFACES, 0, NULL);
	read_reply(&e, fd, &s, 2);
	CU_ASSERT_EQUAL(s.end, 2);
	CU_ASSERT_EQUAL(s.ifs, 4);
	CU_ASSERT_EQUAL(s.errors, 0);
	close(fd);
	env_fini(&e);
}

static const struct ctl_rstate *find_rs(const struct seen *s, uint32_t sqn)
{
	for (unsigned i = 0; i < s->rstates && i < 8; i++)
		if (s->rstate[i].sqn == sqn)
			return &s->rstate[i];
	return NULL;
}

static void test_show_state(void)
{
	struct env e;
	env_init(&e);
	int fd = client_connect(&e);
	send_req(fd, CTL_REQ_SHOW_STATE, CTL_F_GROUP, NULL);
	struct seen s = { 0 };
	read_reply(&e, fd, &s, 1);
	CU_ASSERT_EQUAL(s.end, 1);
	CU_ASSERT_EQUAL(s.rstates, 3);
	const struct ctl_rstate *p = find_rs(&s, 100), *c = find_rs(&s, 101),
	                        *a = find_rs(&s, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(p->phase, CTL_PHASE_PENDING);
	CU_ASSERT_EQUAL(p->n_ifaces, 2);
	CU_ASSERT_STRING_EQUAL(p->ifname[0], "dn1");
	CU_ASSERT_STRING_EQUAL(p->ifname[1], "dn2");
	/* times left on the fake clock, from the engine's defaults */
	const struct ne_config *cfg = ne_get_config(e.fx.ne);
	CU_ASSERT_EQUAL(p->time_left_ms, cfg->nak_rpt_ivl_ms - 250);
	CU_ASSERT_EQUAL(p->elim_left_ms, 0);
	CU_ASSERT_EQUAL(c->phase, CTL_PHASE_CONFIRMED);
	CU_ASSERT_EQUAL(c->n_ifaces, 1);
	CU_ASSERT_STRING_EQUAL(c->ifname[0], "dn1");
	CU_ASSERT_EQUAL(c->elim_left_ms, cfg->nak_elim_ivl_ms);
	CU_ASSERT_EQUAL(c->time_left_ms, cfg->nak_rdata_ivl_ms);
	CU_ASSERT_EQUAL(a->phase, CTL_PHASE_ANTICIPATED);
	CU_ASSERT_EQUAL(a->n_ifaces, 0);
	close(fd);
	env_fini(&e);
}

static void test_traffic_and_clear(void)
{
	struct env e;
	env_init(&e);
	int fd = client_connect(&e);
	send_req(fd, CTL_REQ_SHOW_TRAFFIC, CTL_F_IFACE, "dn1");
	struct seen s = { 0 };
	read_reply(&e, fd, &s, 1);
	CU_ASSERT_EQUAL(s.end, 1);
	CU_ASSERT_EQUAL(s.counters, 1);
	CU_ASSERT_EQUAL(s.health, 1);
	CU_ASSERT_STRING_EQUAL(s.ifc[0].name, "dn1");
	/* InNaks is counted on dn1: two NAKs came in there */
	size_t in_naks = 0;
	while (strcmp(ctl_if_counter_names[in_naks], "InNaks") != 0)
		in_naks++;
	CU_ASSERT_EQUAL(s.ifc[0].v[in_naks], fx_cnt(&e.fx, IF_DN1)->InNaks);
	CU_ASSERT_EQUAL(s.ifc[0].v[in_naks], 2);
	CU_ASSERT_EQUAL(s.h.sessions, 1);
	CU_ASSERT_EQUAL(s.h.rstates, 3);

	send_req(fd, CTL_REQ_CLEAR_TRAFFIC, CTL_F_IFACE, "dn1");
	read_reply(&e, fd, &s, 2);
	CU_ASSERT_EQUAL(s.cleared_count, 1);
	CU_ASSERT_EQUAL(fx_cnt(&e.fx, IF_DN1)->InNaks, 0);
	CU_ASSERT_EQUAL(fx_cnt(&e.fx, IF_DN2)->InNaks, 1);

	send_req(fd, CTL_REQ_CLEAR_RTX_STATE, CTL_F_GROUP, NULL);
	read_reply(&e, fd, &s, 3);
	CU_ASSERT_EQUAL(s.cleared_count, 3);
	CU_ASSERT_EQUAL(ne_rstate_count(e.fx.ne), 0);

	/* all interfaces */
	s = (struct seen){ 0 };
	send_req(fd, CTL_REQ_SHOW_TRAFFIC, 0, NULL);
	read_reply(&e, fd, &s, 1);
	CU_ASSERT_EQUAL(s.counters, 4);
	CU_ASSERT_EQUAL(s.errors, 0);
	close(fd);
	env_fini(&e);
}

static void test_request_errors(void)
{
	struct env e;
	env_init(&e);
	int fd = client_connect(&e);
	struct seen s = { 0 };
	send_req(fd, CTL_REQ_SHOW_TRAFFIC, CTL_F_IFACE, "eth9");
	read_reply(&e, fd, &s, 1);
	CU_ASSERT_EQUAL(s.errors, 1);
	CU_ASSERT_EQUAL(s.err.code, CTL_E_NO_SUCH_IFACE);
	CU_ASSERT_STRING_EQUAL(s.err.text, "no such interface: eth9");
	/* a filter the request does not take */
	send_req(fd, CTL_REQ_SHOW_SESSIONS, CTL_F_GROUP, NULL);
	read_reply(&e, fd, &s, 2);
	CU_ASSERT_EQUAL(s.errors, 2);
	CU_ASSERT_EQUAL(s.err.code, CTL_E_BAD_ARGUMENT);
	/* a well-framed unknown type: ERROR, and the client stays */
	uint8_t unknown[CTL_HDR_LEN] = { CTL_VERSION, 60, 0, 0 };
	client_send(fd, unknown, sizeof unknown);
	read_reply(&e, fd, &s, 3);
	CU_ASSERT_EQUAL(s.err.code, CTL_E_UNKNOWN_REQUEST);
	send_req(fd, CTL_REQ_SHOW_SESSIONS, 0, NULL);
	read_reply(&e, fd, &s, 4);
	CU_ASSERT_EQUAL(s.end, 1);
	CU_ASSERT_EQUAL(s.sessions, 1);
	CU_ASSERT_FALSE(s.eof);
	close(fd);
	env_fini(&e);
}

/* Garbage gets one ERROR and a closed connection; others are served. */
static void check_garbage(const uint8_t *junk, size_t len, uint16_t code)
{
	struct env e;
	env_init(&e);
	int bad = client_connect(&e);
	int good = client_connect(&e);
	CU_ASSERT_EQUAL(ctl_client_count(e.ctl), 2);
	client_send(bad, junk, len);
	struct seen s = { 0 };
	read_reply(&e, bad, &s, 1);
	CU_ASSERT_EQUAL(s.errors, 1);
	CU_ASSERT_EQUAL(s.err.code, code);
	CU_ASSERT_TRUE(wait_dropped(&e, bad));
	CU_ASSERT_EQUAL(ctl_client_count(e.ctl), 1);
	struct seen g = { 0 };
	send_req(good, CTL_REQ_SHOW_SESSIONS, 0, NULL);
	read_reply(&e, good, &g, 1);
	CU_ASSERT_EQUAL(g.end, 1);
	CU_ASSERT_EQUAL(g.sessions, 1);
	close(bad);
	close(good);
	env_fini(&e);
}

static void test_garbage_version(void)
{
	const uint8_t junk[] = { CTL_VERSION + 1, CTL_REQ_SHOW_SESSIONS, 0, 0 };
	check_garbage(junk, sizeof junk, CTL_E_VERSION);
}

static void test_garbage_oversized(void)
{
	const uint8_t junk[] = { CTL_VERSION, CTL_REQ_SHOW_SESSIONS, 0xFF, 0xFF, 1, 2, 3 };
	check_garbage(junk, sizeof junk, CTL_E_MALFORMED);
}

static void test_garbage_bad_length(void)
{
	/* a known request with a payload one byte short */
	uint8_t msg[CTL_MAX_MSG];
	struct ctl_req q = { .type = CTL_REQ_SHOW_STATE };
	size_t n = ctl_enc_req(msg, sizeof msg, &q);
	CU_ASSERT_FATAL(n > CTL_HDR_LEN);
	msg[3]--;
	check_garbage(msg, n - 1, CTL_E_MALFORMED);
}

static void test_garbage_text(void)
{
	const char junk[] = "GET / HTTP/1.0\r\n\r\n";
	check_garbage((const uint8_t *)junk, sizeof junk - 1, CTL_E_VERSION);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

/*
 * 300 clients, one after another, each sending random bytes (half of
 * them behind a valid header) and then closing or not: the server
 * survives every one (ASan watches) and still serves a good client.
 */
static void test_random_clients(void)
{
	struct env e;
	env_init(&e);
	uint64_t seed = 12345;
	int open_fds[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
	for (int i = 0; i < 300; i++) {
		uint8_t junk[3000];
		size_t len = 1 + rnd(&seed) % sizeof junk;
		for (size_t k = 0; k < len; k++)
			junk[k] = (uint8_t)rnd(&seed);
		if (i % 2 == 0 && len >= CTL_HDR_LEN) {
			junk[0] = CTL_VERSION;
			junk[1] = (uint8_t)(1 + rnd(&seed) % CTL_REQ_LAST);
			junk[2] = 0;
			junk[3] = (uint8_t)(len - CTL_HDR_LEN < 30 ? len - CTL_HDR_LEN : 30);
		}
		int fd = client_connect(&e);
		(void)send(fd, junk, len, MSG_NOSIGNAL);
		for (int k = 0; k < 3; k++)
			pump(&e, 0);
		/* some stay connected for a while, the rest hang up */
		int slot = (int)(rnd(&seed) % 8);
		if (open_fds[slot] >= 0)
			close(open_fds[slot]);
		open_fds[slot] = fd;
	}
	for (int k = 0; k < 8; k++)
		if (open_fds[k] >= 0)
			close(open_fds[k]);
	int good = client_connect(&e);
	send_req(good, CTL_REQ_SHOW_SESSIONS, 0, NULL);
	struct seen s = { 0 };
	read_reply(&e, good, &s, 1);
	CU_ASSERT_EQUAL(s.end, 1);
	CU_ASSERT_EQUAL(s.sessions, 1);
	close(good);
	for (int k = 0; k < 20 && ctl_client_count(e.ctl) > 0; k++)
		pump(&e, 5);
	CU_ASSERT_EQUAL(ctl_client_count(e.ctl), 0);
	env_fini(&e);
}

/* A request cut short and the connection closed: dropped, nothing to say. */
static void test_truncated_then_eof(void)
{
	struct env e;
	env_init(&e);
	int fd = client_connect(&e);
	uint8_t msg[CTL_MAX_MSG];
	struct ctl_req q = { .type = CTL_REQ_SHOW_SESSIONS };
	size_t n = ctl_enc_req(msg, sizeof msg, &q);
	client_send(fd, msg, n - 3);
	shutdown(fd, SHUT_WR);
	CU_ASSERT_TRUE(wait_dropped(&e, fd));
	CU_ASSERT_EQUAL(ctl_client_count(e.ctl), 0);
	close(fd);
	env_fini(&e);
}

/* A whole request then shutdown(SHUT_WR): the reply still arrives. */
static void test_half_close(void)
{
	struct env e;
	env_init(&e);
	int fd = client_connect(&e);
	send_req(fd, CTL_REQ_SHOW_INTERFACES, 0, NULL);
	shutdown(fd, SHUT_WR);
	struct seen s = { 0 };
	read_reply(&e, fd, &s, 1);
	CU_ASSERT_EQUAL(s.end, 1);
	CU_ASSERT_EQUAL(s.ifs, 4);
	CU_ASSERT_TRUE(wait_dropped(&e, fd));
	CU_ASSERT_EQUAL(ctl_client_count(e.ctl), 0);
	close(fd);
	env_fini(&e);
}

/*
 * A client that sends requests and never reads: the server never blocks
 * on it, serves others meanwhile, and drops it once its buffer is full.
 */
static void test_client_never_reads(void)
{
	struct env e;
	env_init(&e);
	int slow = client_connect(&e);
	int good = client_connect(&e);
	uint8_t msg[CTL_MAX_MSG];
	struct ctl_req q = { .type = CTL_REQ_SHOW_TRAFFIC };
	size_t n = ctl_enc_req(msg, sizeof msg, &q);
	bool dropped = false;
	unsigned served = 0;
	for (int i = 0; i < 200000 && !dropped; i++) {
		ssize_t w = send(slow, msg, n, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			dropped = true; /* EPIPE/ECONNRESET: the server let go */
			break;
		}
		CU_ASSERT_TRUE_FATAL(w < 0 || w == (ssize_t)n);
		pump(&e, 0);
		dropped = ctl_client_count(e.ctl) == 1;
		if (i % 500 == 0) {
			/* meanwhile another client is served at once */
			struct seen s = { 0 };
			send_req(good, CTL_REQ_SHOW_SESSIONS, 0, NULL);
			read_reply(&e, good, &s, 1);
			CU_ASSERT_EQUAL(s.end, 1);
			served += s.end;
		}
	}
	CU_ASSERT_TRUE(dropped);
	CU_ASSERT_TRUE(served > 0);
	CU_ASSERT_EQUAL(ctl_client_count(e.ctl), 1);
	struct seen s = { 0 };
	send_req(good, CTL_REQ_SHOW_SESSIONS, 0, NULL);
	read_reply(&e, good, &s, 1);
	CU_ASSERT_EQUAL(s.end, 1);
	close(slow);
	close(good);
	env_fini(&e);
}

/* More clients than slots: the least active is dropped, the new one served. */
static void test_client_limit(void)
{
	struct env e;
	env_init(&e);
	int fds[17];
	for (int i = 0; i < 17; i++)
		fds[i] = client_connect(&e);
	CU_ASSERT_TRUE(wait_dropped(&e, fds[0]));
	CU_ASSERT_EQUAL(ctl_client_count(e.ctl), 16);
	struct seen s = { 0 };
	send_req(fds[16], CTL_REQ_SHOW_SESSIONS, 0, NULL);
	read_reply(&e, fds[16], &s, 1);
	CU_ASSERT_EQUAL(s.end, 1);
	for (int i = 0; i < 17; i++)
		close(fds[i]);
	for (int i = 0; i < 10 && ctl_client_count(e.ctl) > 0; i++)
		pump(&e, 5);
	CU_ASSERT_EQUAL(ctl_client_count(e.ctl), 0);
	env_fini(&e);
}

/* Many repair states, in `rounds` NAKs with OPT_NAK_LIST from dn1. */
static size_t make_many_rstates(struct env *e, unsigned rounds)
{
	uint32_t sqns[PGM_MAX_NAK_LIST];
	for (unsigned r = 0; r < rounds; r++) {
		uint32_t base = 1000 + r * (PGM_MAX_NAK_LIST + 1);
		struct pgm_pkt p = fx_nakish(PGM_NAK, base);
		for (unsigned i = 0; i < PGM_MAX_NAK_LIST; i++)
			sqns[i] = base + 1 + i;
		fx_list(&p, PGM_MAX_NAK_LIST, sqns);
		e->fx.nsent = 0; /* the fake io keeps a few packets only */
		fx_nak_in(&e->fx, &p, IF_DN1);
	}
	return ne_rstate_count(e->fx.ne);
}

static void env_init_big(struct env *e)
{
	struct ne_config cfg;
	ne_config_defaults(&cfg);
	cfg.max_rstates = cfg.max_rstates_per_session = 65536;
	memset(e, 0, sizeof *e);
	fx_init(&e->fx, &cfg);
	env_state(e);
	snprintf(e->dir, sizeof e->dir, "/tmp/test_ctl.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(e->dir));
	snprintf(e->path, sizeof e->path, "%s/ctl.sock", e->dir);
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	e->ctl = ctl_open(e->path, e->epfd, e->fx.ne, &e->fx.ifs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->ctl);
	ctl_set_clock(e->ctl, fake_now, &e->fx);
}

/*
 * A table far larger than any output buffer (20,000 repair states, over
 * 1 MB encoded) reaches a reading client whole, and a request pipelined
 * behind it is answered after it, in order.
 */
static void test_big_table_streams(void)
{
	struct env e;
	env_init_big(&e);
	size_t n = make_many_rstates(&e, 320);
	CU_ASSERT_TRUE_FATAL(n > 20000);
	int fd = client_connect(&e);
	uint8_t two[2 * CTL_MAX_MSG];
	struct ctl_req q1 = { .type = CTL_REQ_SHOW_STATE }, q2 = { .type = CTL_REQ_SHOW_SESSIONS };
	size_t l1 = ctl_enc_req(two, sizeof two, &q1);
	size_t l2 = ctl_enc_req(two + l1, sizeof two - l1, &q2);
	client_send(fd, two, l1 + l2);
	struct seen s = { 0 };
	read_reply(&e, fd, &s, 1);
	CU_ASSERT_EQUAL(s.end, 1);
	CU_ASSERT_EQUAL(s.rstates, n);
	CU_ASSERT_EQUAL(s.sessions, 0); /* not before the first reply ended */
	read_reply(&e, fd, &s, 2);
	CU_ASSERT_EQUAL(s.end, 2);
	CU_ASSERT_EQUAL(s.sessions, 1);
	CU_ASSERT_EQUAL(s.errors, 0);
	close(fd);
	env_fini(&e);
}

/*
 * A client that asks for the big table and does not read holds only a
 * bounded amount of output; others are served meanwhile; and once it
 * piles up requests behind the unread reply, it is dropped.
 */
static void test_big_table_unread(void)
{
	struct env e;
	env_init_big(&e);
	make_many_rstates(&e, 320);
	int slow = client_connect(&e);
	int good = client_connect(&e);
	send_req(slow, CTL_REQ_SHOW_STATE, 0, NULL);
	for (int i = 0; i < 20; i++)
		pump(&e, 1);
	struct seen s = { 0 };
	send_req(good, CTL_REQ_SHOW_SESSIONS, 0, NULL);
	read_reply(&e, good, &s, 1);
	CU_ASSERT_EQUAL(s.end, 1);
	CU_ASSERT_EQUAL(ctl_client_count(e.ctl), 2); /* not dropped for being slow */
	uint8_t msg[CTL_MAX_MSG];
	struct ctl_req q = { .type = CTL_REQ_SHOW_SESSIONS };
	size_t len = ctl_enc_req(msg, sizeof msg, &q);
	bool dropped = false;
	for (int i = 0; i < 1000 && !dropped; i++) {
		if (send(slow, msg, len, MSG_NOSIGNAL) < 0 && errno != EAGAIN)
			dropped = true;
		pump(&e, 0);
		dropped = dropped || ctl_client_count(e.ctl) == 1;
	}
	CU_ASSERT_TRUE(dropped);
	close(slow);
	close(good);
	env_fini(&e);
}

static void test_socket_file(void)
{
	struct env e;
	env_init(&e);
	struct stat st;
	CU_ASSERT_EQUAL_FATAL(stat(e.path, &st), 0);
	CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0660);
	/* a live daemon on the path is not hijacked */
	int ep2 = epoll_create1(EPOLL_CLOEXEC);
	CU_ASSERT_PTR_NULL(ctl_open(e.path, ep2, e.fx.ne, &e.fx.ifs));
	CU_ASSERT_EQUAL(access(e.path, F_OK), 0);
	int fd = client_connect(&e);
	send_req(fd, CTL_REQ_SHOW_SESSIONS, 0, NULL);
	struct seen s = { 0 };
	read_reply(&e, fd, &s, 1);
	CU_ASSERT_EQUAL(s.end, 1);
	close(fd);

	/* a stale socket file (nobody listening) is replaced */
	char dir[] = "/tmp/test_ctl_stale.XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/s", dir);
	int old = socket(AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL_FATAL(bind(old, (struct sockaddr *)&sa, sizeof sa), 0);
	close(old);
	struct ctl *c = ctl_open(sa.sun_path, ep2, e.fx.ne, &e.fx.ifs);
	CU_ASSERT_PTR_NOT_NULL(c);
	ctl_close(c);
	CU_ASSERT_EQUAL(access(sa.sun_path, F_OK), -1);
	/* a file that is no socket is left alone */
	int reg = open(sa.sun_path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	CU_ASSERT_FATAL(reg >= 0);
	close(reg);
	CU_ASSERT_PTR_NULL(ctl_open(sa.sun_path, ep2, e.fx.ne, &e.fx.ifs));
	CU_ASSERT_EQUAL(access(sa.sun_path, F_OK), 0);
	unlink(sa.sun_path);
	/* a path too long for sun_path */
	char longpath[200];
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[sizeof longpath - 1] = '\0';
	CU_ASSERT_PTR_NULL(ctl_open(longpath, ep2, e.fx.ne, &e.fx.ifs));
	rmdir(dir);
	close(ep2);
	env_fini(&e);
}

int main(void)
{
	static const CU_TestInfo tests[] = {
		{"show sessions and interfaces", test_show_sessions},
		{"show state: pending, confirmed, anticipated", test_show_state},
		{"show and clear traffic, clear rtx-state", test_traffic_and_clear},
		{"request errors keep the client", test_request_errors},
		{"garbage: other version", test_garbage_version},
		{"garbage: oversized length", test_garbage_oversized},
		{"garbage: payload length wrong", test_garbage_bad_length},
		{"garbage: text", test_garbage_text},
		{"random bytes from 300 clients", test_random_clients},
		{"truncated request then EOF", test_truncated_then_eof},
		{"half close gets the reply", test_half_close},
		{"client that never reads", test_client_never_reads},
		{"client limit", test_client_limit},
		{"big table streams, pipelined request after it", test_big_table_streams},
		{"big table unread: bounded, then dropped", test_big_table_unread},
		{"socket file: mode, live, stale, not a socket", test_socket_file},
		CU_TEST_INFO_NULL,
	};
	unit_add_suite("ctl", tests);
	return unit_run();
}
