/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Raw IPv4 sockets for PGM (IP protocol 113, RFC 3208, no UDP
 * encapsulation). Reads return whole IP datagrams (header included) for
 * pgm_ip_parse(); sends let the kernel write the IP header, adding the
 * Router Alert option (RFC 2113) per packet where RFC 3208 §4 asks for it.
 */
#ifndef PGMNE_HOST_SOCK_H
#define PGMNE_HOST_SOCK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Open a non-blocking raw PGM socket. Returns the fd, or -1 with errno
 * set (EPERM / EACCES: the process lacks CAP_NET_RAW).
 */
int sock_open(void);

/* Bind to a local address: the IP source of what we send, and unicast
 * packets are only received when addressed to it. */
bool sock_bind(int fd, struct in_addr local);

/* Outgoing multicast: interface (by address), TTL, loopback. */
bool sock_mcast_out(int fd, struct in_addr ifaddr, int ttl, bool loop);

/* Join `group` on the interface with address `ifaddr`. */
bool sock_join(int fd, struct in_addr group, struct in_addr ifaddr);

/* Send one PGM packet to dst; router_alert adds IP option 148 (RFC 2113).
 * pkt is not modified (non-const only because struct iovec is). */
bool sock_send(int fd, void *pkt, size_t len, struct in_addr dst, bool router_alert);

/* Read one IP datagram; -1 with errno EAGAIN when none is queued. */
ssize_t sock_recv(int fd, void *buf, size_t cap);

/* Human explanation for a failed sock_open(). */
const char *sock_open_hint(int err);

#endif
