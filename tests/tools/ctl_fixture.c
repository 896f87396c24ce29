/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctl_fixture: serves the control socket from an engine with fixed
 * state and a frozen clock, so pgmnectl's output is byte-for-byte
 * reproducible (tests/golden/). The state is made the way a router
 * makes it: crafted SPM, NAK and NCF packets handed to ne_handle().
 *
 *   ctl_fixture [-e | -b ROUNDS] SOCKET
 *     -e  no sessions, no repair state
 *     -b  also ROUNDS NAKs with a full OPT_NAK_LIST (63 states each): a
 *         table larger than any buffer of the control socket
 *
 * Prints "ready" on stdout once the socket listens; serves until
 * SIGTERM/SIGINT or FIXTURE_MAX_S seconds.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/log.h"
#include "common/wire.h"
#include "pgmned/ctl.h"
#include "pgmned/event.h"
#include "engine/ne.h"

#define FIXTURE_MAX_S 300
#define T0 1000000u

enum { IF_UP = 10, IF_DN1 = 11, IF_DN2 = 12, IF_OFF = 13 };

struct fixture {
	struct ne_ifaces ifs;
	struct ne *ne;
	uint64_t now;
	unsigned sent;       /* packets the engine asked to send */
	struct ev_handler sig;
	bool stop;
};

/* A stream: one TSI and what its packets carry. */
struct stream {
	struct pgm_tsi tsi;
	uint16_t dport;
	const char *source, *group, *upstream;
};

static const struct stream stream_a = {
	{ { 1, 2, 3, 4, 5, 6 }, 7000 }, 7500, "10.0.0.5", "239.1.1.1", "10.0.1.254" };
static const struct stream stream_b = {
	{ { 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f }, 8000 }, 7600, "10.0.0.6", "239.2.2.2",
	"10.0.1.253" };

static struct in_addr addr(const char *s)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		fatalx("bad address %s", s);
	return a;
}

static int fake_send(void *ctx, const uint8_t *pgm, size_t len, struct in_addr src,
                     struct in_addr dst, int ifindex, uint8_t ttl, bool ra)
{
	(void)pgm, (void)len, (void)src, (void)dst, (void)ifindex, (void)ttl, (void)ra;
	((struct fixture *)ctx)->sent++;
	return 0;
}

static uint64_t frozen_clock(void *arg)
{
	return ((struct fixture *)arg)->now;
}

static void iface(struct fixture *f, int ifindex, const char *name, const char *a, bool on)
{
	struct ne_iface *i = ne_iface_get(&f->ifs, ifindex);
	if (i == NULL)
		fatalx("interface table full");
	snprintf(i->name, sizeof i->name, "%s", name);
	i->addr = addr(a);
	i->up = i->multicast = on;
	i->enabled = on;
}

/* Frame p in IPv4 and hand it to the engine as the datapath would. */
static void feed(struct fixture *f, const struct pgm_pkt *p, const char *src, const char *dst,
                 enum ne_hook hook, int in, int out, bool corrupt)
{
	uint8_t ip[1600], pgm[1500];
	size_t n = pgm_build(pgm, sizeof pgm, p);
	size_t h = n ? pgm_ip_build(ip, sizeof ip, addr(src), addr(dst), 64, false, n) : 0;
	if (h == 0 || h + n > sizeof ip)
		fatalx("cannot build a %s", pgm_type_name(p->type));
	memcpy(ip + h, pgm, n);
	if (corrupt)
		ip[h + 6] ^= 0x5A; /* checksum byte */
	struct ne_meta m = { .hook = hook, .in_ifindex = in, .out_ifindex = out };
	bool modified;
	ne_handle(f->ne, ip, h + n, &m, f->now, &modified);
}

static void spm(struct fixture *f, const struct stream *s, uint32_t sqn, uint32_t trail,
                uint32_t lead, int out)
{
	struct pgm_pkt p = { .type = PGM_SPM, .sport = s->tsi.sport, .dport = s->dport,
	                     .tsi = s->tsi };
	p.u.spm.sqn = sqn;
	p.u.spm.trail = trail;
	p.u.spm.lead = lead;
	pgm_nla_from_in(&p.u.spm.path, addr(s->upstream));
	feed(f, &p, s->source, s->group, NE_HOOK_FORWARD, IF_UP, out, false);
}

static struct pgm_pkt nakish(const struct stream *s, uint8_t type, uint32_t sqn)
{
	bool up = pgm_type_upstream(type);
	struct pgm_pkt p = { .type = type, .sport = up ? s->dport : s->tsi.sport,
	                     .dport = up ? s->tsi.sport : s->dport, .tsi = s->tsi };
	p.u.nak.sqn = sqn;
	pgm_nla_from_in(&p.u.nak.src, addr(s->source));
	pgm_nla_from_in(&p.u.nak.grp, addr(s->group));
	return p;
}

/* A receiver's unicast NAK to our address on interface in. */
static void nak(struct fixture *f, const struct stream *s, uint32_t sqn, int in, bool corrupt)
{
	const struct ne_iface *i = ne_iface_by_index(&f->ifs, in);
	char to[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &i->addr, to, sizeof to);
	struct pgm_pkt p = nakish(s, PGM_NAK, sqn);
	feed(f, &p, in == IF_DN1 ? "10.0.2.7" : "10.0.3.7", to, NE_HOOK_INPUT, in, 0, corrupt);
}

/* An NCF from upstream, forwarded towards out. */
static void ncf(struct fixture *f, const struct stream *s, uint32_t sqn, int out)
{
	struct pgm_pkt p = nakish(s, PGM_NCF, sqn);
	feed(f, &p, s->source, s->group, NE_HOOK_FORWARD, IF_UP, out, false);
}

/* The RDATA for sqn from the source, its copy towards out. */
static void rdata(struct fixture *f, const struct stream *s, uint32_t sqn, int out)
{
	static const uint8_t payload[] = "repair";
	struct pgm_pkt p = { .type = PGM_RDATA, .sport = s->tsi.sport, .dport = s->dport,
	                     .tsi = s->tsi, .data = payload, .data_len = sizeof payload };
	p.u.data.sqn = sqn;
	feed(f, &p, s->source, s->group, NE_HOOK_FORWARD, IF_UP, out, false);
}

/*
 * Two sessions; on A a pending repair asked by dn1 and dn2, a confirmed
 * one, an anticipated one, and one repaired on dn1 that dn2 then gets
 * from the repair cache (leaving anticipated state); on B a pending one
 * and a NAK for an SQN outside the window; one NAK with a bad checksum.
 * Times are chosen so every column shows a distinct value.
 */
static void make_state(struct fixture *f)
{
	f->now = T0;
	spm(f, &stream_a, 1, 1, 0, IF_DN1);
	spm(f, &stream_a, 1, 1, 0, IF_DN2);
	f->now = T0 + 1000;
	spm(f, &stream_a, 2, 1, 120, IF_DN1);
	spm(f, &stream_a, 2, 1, 120, IF_DN2);
	f->now = T0 + 2000;
	spm(f, &stream_b, 42, 30, 41, IF_DN2);
	f->now = T0 + 3000;
	nak(f, &stream_a, 100, IF_DN1, false);
	nak(f, &stream_a, 100, IF_DN2, false);
	nak(f, &stream_a, 101, IF_DN1, false);
	nak(f, &stream_b, 35, IF_DN2, false);
	nak(f, &stream_b, 7, IF_DN2, false); /* behind the trail: InNakSeqErrors */
	f->now = T0 + 3200;
	ncf(f, &stream_a, 101, IF_DN1);
	ncf(f, &stream_a, 200, IF_DN1);
	nak(f, &stream_a, 102, IF_DN1, true);
	nak(f, &stream_a, 103, IF_DN1, false);
	f->now = T0 + 3210;
	rdata(f, &stream_a, 103, IF_DN1);
	f->now = T0 + 3220;
	nak(f, &stream_a, 103, IF_DN2, false);
	f->now = T0 + 3250;
}

/* Many repair states on stream A, 63 per NAK (§9.3.5 NAK lists). */
static void make_big(struct fixture *f, unsigned rounds)
{
	for (unsigned r = 0; r < rounds; r++) {
		uint32_t base = 1000 + r * (PGM_MAX_NAK_LIST + 1);
		struct pgm_pkt p = nakish(&stream_a, PGM_NAK, base);
		p.opt.has |= 1u << PGM_OPT_NAK_LIST;
		p.opt.nak_list.count = PGM_MAX_NAK_LIST;
		for (unsigned i = 0; i < PGM_MAX_NAK_LIST; i++)
			p.opt.nak_list.sqn[i] = base + 1 + i;
		feed(f, &p, "10.0.2.7", "10.0.2.1", NE_HOOK_INPUT, IF_DN1, 0, false);
	}
}

static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct fixture *f = container_of(h, struct fixture, sig);
	struct signalfd_siginfo si;
	(void)events;
	if (read(h->fd, &si, sizeof si) == (ssize_t)sizeof si)
		f->stop = true;
}

static void serve(struct fixture *f, int epfd)
{
	struct epoll_event ev[16];
	for (int ms = 0; !f->stop && ms < FIXTURE_MAX_S * 1000; ms += 100) {
		int n = epoll_wait(epfd, ev, 16, 100);
		for (int i = 0; i < n; i++) {
			struct ev_handler *h = ev[i].data.ptr;
			h->fn(h, ev[i].events);
		}
	}
}

struct fixture_opts {
	bool empty;
	unsigned big_rounds;
	const char *path;
};

static bool parse_args(int argc, char *argv[], struct fixture_opts *o)
{
	int ch;
	char *end;
	while ((ch = getopt(argc, argv, "eb:")) != -1) {
		switch (ch) {
		case 'e':
			o->empty = true;
			break;
		case 'b':
			o->big_rounds = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || o->big_rounds > 10000)
				return false;
			break;
		default:
			return false;
		}
	}
	if (optind != argc - 1)
		return false;
	o->path = argv[optind];
	return true;
}

int main(int argc, char *argv[])
{
	struct fixture_opts o = { 0 };
	if (!parse_args(argc, argv, &o)) {
		fprintf(stderr, "usage: ctl_fixture [-e | -b ROUNDS] SOCKET\n");
		return 2;
	}
	log_init("ctl_fixture", 1, 0);
	struct fixture *f = calloc(1, sizeof *f); /* the interface table is large */
	if (f == NULL)
		fatal("calloc");
	iface(f, IF_UP, "up0", "10.0.1.1", true);
	iface(f, IF_DN1, "dn1", "10.0.2.1", true);
	iface(f, IF_DN2, "dn2", "10.0.3.1", true);
	iface(f, IF_OFF, "off", "10.0.4.1", false);
	struct ne_config cfg;
	ne_config_defaults(&cfg);
	/* timers of our own, so the golden files do not move with the defaults */
	cfg.nak_rpt_ivl_ms = 1000;
	cfg.nak_rpt_rte_ms = 200;
	cfg.nak_rdata_ivl_ms = 5000;
	cfg.nak_elim_ivl_ms = 1500;
	cfg.session_lifetime_ms = 300000;
	cfg.ncf_ivl_ms = 10; /* the §7.2 rate limit at today's default */
	cfg.ncf_ttl = 255;
	cfg.nak_ttl = 64;
	if (o.big_rounds > 0)
		cfg.max_rstates_per_session = cfg.max_rstates;
	struct ne_io io = { .ctx = f, .send = fake_send };
	f->ne = ne_new(&cfg, &f->ifs, &io);
	if (f->ne == NULL)
		fatalx("ne_new");
	f->now = T0;
	if (!o.empty)
		make_state(f);
	make_big(f, o.big_rounds);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	f->sig.fd = signalfd(-1, &set, SFD_CLOEXEC);
	f->sig.fn = on_signal;
	if (epfd < 0 || f->sig.fd < 0 || ev_add(epfd, &f->sig, EPOLLIN) < 0)
		fatal("epoll/signalfd");
	struct ctl *ctl = ctl_open(o.path, epfd, f->ne, &f->ifs);
	if (ctl == NULL)
		return 1;
	ctl_set_clock(ctl, frozen_clock, f);
	printf("ready\n");
	fflush(stdout);
	serve(f, epfd);
	ctl_close(ctl);
	ne_free(f->ne);
	close(f->sig.fd);
	close(epfd);
	free(f);
	return 0;
}
