/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pgmned set-up, event loop and teardown. */
#include "daemon.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/timerq.h"
#include "caps.h"

#define EPOLL_BATCH 16
#define STATS_IVL_MS 1000 /* kernel queue drop counters refresh */

/* --- the engine's packet callback --- */

static enum ne_verdict on_queued(void *arg, uint8_t *ip, size_t len, const struct ne_meta *m,
                                 bool *modified)
{
	struct daemon *d = arg;

	return ne_handle(d->ne, ip, len, m, mono_ms(), modified);
}

/* A packet of the batch about to be handled: its repair-state lookup
 * starts loading now (ne_prefetch, docs/engine.md "Speed"). */
static void on_hint(void *arg, const uint8_t *ip, size_t len)
{
	struct daemon *d = arg;

	ne_prefetch(d->ne, ip, len);
}

/* The end of a receive batch: the NCFs and NAKs it made go out together. */
static void on_batch_end(void *arg)
{
	struct daemon *d = arg;

	rawsend_flush(&d->raw);
}

/* The queue holds more than a wake-up takes, or was drained: NAK
 * retries wait while pgmned is behind (ne_set_overload, docs/engine.md
 * "Overload"). */
static void on_backlog(void *arg, bool on)
{
	struct daemon *d = arg;

	ne_set_overload(d->ne, on);
}

/* --- epoll handlers --- */

static void on_nfq(struct ev_handler *h, uint32_t events)
{
	struct nfqueue *q = container_of(h, struct nfqueue, ev);

	(void)events;
	nfqueue_input(q);
}

static void on_rtnl(struct ev_handler *h, uint32_t events)
{
	struct rtnl *r = container_of(h, struct rtnl, ev);
	struct daemon *d = container_of(r, struct daemon, rtnl);

	(void)events;
	rtnl_input(r);
	rules_ifaces_changed(&d->rules, &d->ifaces);
}

static void read_queue_drops(struct daemon *d)
{
	struct ne_health_counters *hc = ne_health(d->ne);
	uint64_t qd, ud, rq;

	if (nfqueue_read_drops((uint16_t)d->opts.queue, &qd, &ud) == 0) {
		hc->QueueDrops = qd;
		hc->UserDrops = ud;
	}
	/* Minus PacketsQueued: what the kernel passed without us (fail-open). */
	if (rules_queued(&d->rules, &rq) == 0)
		hc->RuleQueued = rq;
}

static void on_timer(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, timer_ev);
	uint64_t expirations, now;

	(void)events;
	/* Non-blocking: a spurious wake-up reads EAGAIN and changes nothing. */
	if (read(h->fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
		log_warn("timerfd read");
	d->timer_armed_ms = UINT64_MAX;
	now = mono_ms();
	ne_tick(d->ne, now);
	if (now >= d->next_stats_ms) {
		read_queue_drops(d);
		d->next_stats_ms = now + STATS_IVL_MS;
	}
}

/* Settings the running engine and datapath cannot take over: name them. */
static void warn_restart_needed(const struct ned_opts *now, const struct ned_opts *next)
{
	char a[CTL_PATH_MAX], b[CTL_PATH_MAX];

	for (size_t i = 0; i < ned_optdesc_count; i++) {
		const struct ned_optdesc *o = &ned_optdescs[i];

		if (o->kind == NED_K_IFACE)
			continue;
		ned_opt_format(now, o, a, sizeof a);
		ned_opt_format(next, o, b, sizeof b);
		if (strcmp(a, b) != 0)
			log_warnx("SIGHUP: %s %s -> %s takes effect at restart", o->name, a, b);
	}
}

/*
 * SIGHUP: read the config file and flags again. The interface set is
 * applied at once; the engine takes its timers and limits at start, so
 * changes to those are named and left for a restart. A bad file changes
 * nothing.
 */
static void reload(struct daemon *d)
{
	struct ned_opts next;
	char err[512];

	if (ned_opts_build(&next, d->cfg_path, d->flags, d->n_flags, err, sizeof err) < 0) {
		log_warnx("SIGHUP: %s; settings unchanged", err);
		return;
	}
	warn_restart_needed(&d->opts, &next);
	memcpy(d->opts.ifaces, next.ifaces, sizeof d->opts.ifaces);
	d->opts.n_ifaces = next.n_ifaces;
	d->rtnl.n_names = next.n_ifaces;
	rtnl_resync(&d->rtnl);
	rules_ifaces_changed(&d->rules, &d->ifaces);
	log_info("SIGHUP: PGM on %s", next.n_ifaces ? "the named interfaces" :
	         "every multicast interface");
}

static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, signal_ev);
	struct signalfd_siginfo si;

	(void)events;
	while (read(h->fd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: stopping", si.ssi_signo);
			d->quit = true;
			break;
		case SIGHUP:
			reload(d);
			break;
		default:
			break;
		}
	}
}

/* Arm the timerfd at the earlier of the engine deadline and the stats refresh. */
static void rearm_timer(struct daemon *d)
{
	uint64_t due = ne_next_deadline(d->ne);
	struct itimerspec its = { 0 };

	if (d->next_stats_ms < due)
		due = d->next_stats_ms;
	if (due == d->timer_armed_ms)
		return;
	if (due == 0)
		due = 1; /* an all-zero it_value would disarm */
	its.it_value.tv_sec = (time_t)(due / 1000);
	its.it_value.tv_nsec = (long)(due % 1000) * 1000000L;
	if (timerfd_settime(d->timer_ev.fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		log_warn("timerfd_settime");
		return;
	}
	d->timer_armed_ms = due;
}

/* --- set-up and teardown --- */

static int open_signals(struct daemon *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN); /* a control client may hang up mid-reply */
	d->signal_ev.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	d->signal_ev.fn = on_signal;
	return d->signal_ev.fd < 0 ? -1 : ev_add(d->epfd, &d->signal_ev, EPOLLIN);
}

int daemon_reopen_signals(struct daemon *d)
{
	/*
	 * A signalfd registered in epoll before fork() keeps waking on the
	 * parent's signals only: the child needs one of its own.
	 */
	if (d->signal_ev.fd >= 0) {
		ev_del(d->epfd, &d->signal_ev);
		close(d->signal_ev.fd);
		d->signal_ev.fd = -1;
	}
	if (open_signals(d) < 0) {
		log_warn("signalfd");
		return -1;
	}
	return 0;
}

static int open_timer(struct daemon *d)
{
	d->timer_ev.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->timer_ev.fn = on_timer;
	d->timer_armed_ms = UINT64_MAX;
	d->next_stats_ms = mono_ms();
	return d->timer_ev.fd < 0 ? -1 : ev_add(d->epfd, &d->timer_ev, EPOLLIN);
}

static int open_queue(struct daemon *d)
{
	uint16_t q = (uint16_t)d->opts.queue;

	d->nfq.fn = on_queued;
	d->nfq.hint = on_hint;
	d->nfq.batch_end = on_batch_end;
	d->nfq.backlog = on_backlog;
	d->nfq.arg = d;
	d->nfq.health = ne_health(d->ne);
	if (nfqueue_open(&d->nfq, q) < 0) {
		if (errno == EBUSY || errno == EPERM || errno == EEXIST) {
			log_warnx("NFQUEUE %u is already in use by another process "
			          "(another pgmned on this queue?); not touching its rules", q);
			return NED_EXIT_BUSY;
		}
		log_warn("NFQUEUE %u: cannot bind (nfnetlink_queue loaded?)", q);
		return NED_EXIT_SETUP;
	}
	d->nfq.ev.fn = on_nfq;
	return ev_add(d->epfd, &d->nfq.ev, EPOLLIN) < 0 ? NED_EXIT_SETUP : 0;
}

static int open_engine(struct daemon *d)
{
	struct ne_io io = { .ctx = &d->raw, .send = rawsend_send };

	d->ne = ne_new(&d->opts.ne, &d->ifaces, &io);
	if (d->ne == NULL) {
		log_warnx("engine: out of memory");
		return -1;
	}
	if (rawsend_open(&d->raw, &ne_health(d->ne)->SendErrors) < 0) {
		log_warn("raw socket");
		return -1;
	}
	return 0;
}

static int open_rtnl(struct daemon *d)
{
	if (rtnl_open(&d->rtnl, &d->ifaces, (const char (*)[IF_NAMESIZE])d->opts.ifaces,
	              d->opts.n_ifaces) < 0)
		return -1;
	d->rtnl.engine = d->ne;
	d->rtnl.ev.fn = on_rtnl;
	return ev_add(d->epfd, &d->rtnl.ev, EPOLLIN);
}

static int open_ctl(struct daemon *d)
{
	char path[CTL_PATH_MAX];

	ned_ctl_path(&d->opts, path, sizeof path);
	d->ctl = ctl_open(path, d->epfd, d->ne, &d->ifaces);
	return d->ctl ? 0 : -1;
}

int daemon_setup(struct daemon *d)
{
	int rc;

	d->epfd = -1;
	d->signal_ev.fd = d->timer_ev.fd = d->raw.fd = -1;
	d->exit_code = 0;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0 || open_signals(d) < 0 || open_timer(d) < 0) {
		log_warn("event loop");
		return NED_EXIT_SETUP;
	}
	if (open_engine(d) < 0 || open_rtnl(d) < 0)
		return NED_EXIT_SETUP;
	/* The queue before the rules: a second instance stops here. */
	rc = open_queue(d);
	if (rc != 0)
		return rc;
	if (rules_install(&d->rules, (enum ned_rules)d->opts.rules, (uint16_t)d->opts.queue,
	                  &d->ifaces) < 0)
		return NED_EXIT_SETUP;
	if (open_ctl(d) < 0)
		return NED_EXIT_SETUP;
	if (caps_drop() < 0)
		return NED_EXIT_SETUP;
	log_info("ready: queue %" PRIu32 ", %s rules, %s", d->opts.queue,
	         d->rules.installed == NED_RULES_NFT ? "nftables" :
	         d->rules.installed == NED_RULES_IPTABLES ? "iptables" : "no",
	         d->opts.n_ifaces ? "named interfaces" : "all multicast interfaces");
	return 0;
}

void daemon_loop(struct daemon *d)
{
	struct epoll_event ev[EPOLL_BATCH];

	while (!d->quit) {
		int n;

		rearm_timer(d);
		n = epoll_wait(d->epfd, ev, EPOLL_BATCH, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("epoll_wait");
			d->exit_code = NED_EXIT_SETUP;
			return;
		}
		for (int i = 0; i < n; i++) {
			struct ev_handler *h = ev[i].data.ptr;

			h->fn(h, ev[i].events);
		}
		/* Before blocking: what the timers (NAK retries) queued. */
		rawsend_flush(&d->raw);
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void daemon_teardown(struct daemon *d)
{
	/* Rules first: from here the kernel forwards without us (bypass). */
	rules_remove(&d->rules);
	if (d->ctl)
		ctl_close(d->ctl);
	d->ctl = NULL;
	/* Closing the queue drops what it holds: give those a verdict first. */
	if (d->nfq.nl && d->ne)
		nfqueue_input(&d->nfq);
	nfqueue_close(&d->nfq);
	rtnl_close(&d->rtnl);
	rawsend_close(&d->raw);
	if (d->ne)
		ne_free(d->ne);
	d->ne = NULL;
	close_fd(&d->timer_ev.fd);
	close_fd(&d->signal_ev.fd);
	close_fd(&d->epfd);
}
