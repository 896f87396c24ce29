/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Privileges: pgmned needs CAP_NET_ADMIN (NFQUEUE, iptables) and
 * CAP_NET_RAW (raw socket), nothing else once its sockets are open.
 */
#ifndef PGMNE_CAPS_H
#define PGMNE_CAPS_H

#include <stdbool.h>
#include <stddef.h>

/* True if both are effective; otherwise names the missing ones in buf. */
bool caps_check(char *missing, size_t len);

/*
 * Keep only CAP_NET_ADMIN and CAP_NET_RAW: in the bounding set, permitted,
 * effective, inheritable and ambient sets, so the iptables programs run
 * at exit still get them and nothing more. 0 or -1 (logged).
 */
int caps_drop(void);

#endif
