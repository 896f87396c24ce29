/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmned's one context and its event loop: epoll over the NFQUEUE socket,
 * the rtnetlink cache manager, a timerfd (CLOCK_MONOTONIC) armed at the
 * engine's next deadline, a signalfd and the control socket.
 */
#ifndef PGMNE_DAEMON_H
#define PGMNE_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "settings.h"
#include "ctl.h"
#include "event.h"
#include "../engine/ne.h"
#include "nfq.h"
#include "rawsend.h"
#include "rtnl.h"
#include "rules.h"

struct daemon {
	struct ned_opts opts;
	/* where opts came from, read again on SIGHUP */
	const char *cfg_path;
	const struct ned_setting *flags;
	size_t n_flags;
	int epfd;
	struct ev_handler timer_ev;
	struct ev_handler signal_ev;
	uint64_t timer_armed_ms;     /* deadline the timerfd holds (UINT64_MAX: none) */
	uint64_t next_stats_ms;      /* next read of the kernel's queue counters */
	struct ne_ifaces ifaces;
	struct ne *ne;
	struct rawsend raw;
	struct nfqueue nfq;
	struct rtnl rtnl;
	struct ctl *ctl;
	struct rules rules;
	bool quit;
	int exit_code;
};

/* Exit codes beyond 0 (clean stop) and 2 (usage/config, from main). */
#define NED_EXIT_SETUP 1   /* could not set up the datapath */
#define NED_EXIT_BUSY 3    /* the queue is taken (another pgmned?) */

/*
 * Open everything in order (queue first, so a second instance fails
 * before touching the first one's rules), drop privileges. On failure
 * undoes what was done and returns the exit code; 0 on success.
 */
int daemon_setup(struct daemon *d);
/* After daemon(3): a signalfd of the child's own. 0 or -1 (logged). */
int daemon_reopen_signals(struct daemon *d);
/* Run until SIGTERM/SIGINT. */
void daemon_loop(struct daemon *d);
/* Remove rules, close sockets, unlink the control socket. */
void daemon_teardown(struct daemon *d);

#endif
