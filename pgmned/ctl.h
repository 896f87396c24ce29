/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Daemon side of the control socket (pgmnectl talks to it). The protocol
 * itself is defined once in common/ctlproto.h.
 */
#ifndef PGMNE_CTL_H
#define PGMNE_CTL_H

#include "../engine/ne.h"

struct ctl;

/*
 * Create the control socket at path (stale socket replaced, mode 0660,
 * non-blocking) and register it on epfd. Serves requests from the
 * engine's state and the interface table. NULL on failure (logged).
 */
struct ctl *ctl_open(const char *path, int epfd, struct ne *ne, struct ne_ifaces *ifaces);
/* Close every client and the listening socket, unlink the path. */
void ctl_close(struct ctl *c);

/*
 * Clock for ages and times left in replies; it must be the time base the
 * engine is driven with. Default: mono_ms(). Tests pass a fake clock.
 */
void ctl_set_clock(struct ctl *c, uint64_t (*now)(void *arg), void *arg);

/* Clients connected now, evicted ones until their last event (for tests). */
size_t ctl_client_count(const struct ctl *c);

#endif
