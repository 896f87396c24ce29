/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packets the engine originates or forwards itself (NCFs, upstream NAKs):
 * one raw IPv4 socket with IP_HDRINCL, because an NCF carries the ODATA
 * source's address as its IP source (RFC 3208 §7.2), not ours.
 */
#ifndef PGMNE_RAWSEND_H
#define PGMNE_RAWSEND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#define RAWSEND_MAX 65535 /* an IPv4 datagram */
/*
 * Packets held for one sendmmsg(): the NCFs and NAKs of one receive
 * batch (two per NAK at most, plus retries falling due). A slot holds
 * the largest NCF the engine echoes (NE_NCF_BUF, 2048) and an IP header
 * with Router Alert; anything bigger goes out at once, after the queue.
 */
#define RAWSEND_BATCH 64
#define RAWSEND_SLOT (2048 + 64)

union rawsend_ctl {
	char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct cmsghdr align;
};

struct rawsend {
	int fd;
	uint64_t *errors;                  /* where dropped packets are counted */
	unsigned n;                        /* packets queued */
	struct mmsghdr msg[RAWSEND_BATCH];
	struct iovec iov[RAWSEND_BATCH];
	struct sockaddr_in dst[RAWSEND_BATCH];
	union rawsend_ctl ctl[RAWSEND_BATCH];
	uint8_t slot[RAWSEND_BATCH][RAWSEND_SLOT];
	uint8_t buf[RAWSEND_MAX];          /* a packet too big for a slot */
};

/*
 * Open the socket (needs CAP_NET_RAW). 0, or -1 with errno. Packets
 * dropped at a flush are counted in *errors (may be NULL).
 */
int rawsend_open(struct rawsend *r, uint64_t *errors);
/* Flushes what is queued, then closes. */
void rawsend_close(struct rawsend *r);

/*
 * struct ne_io.send with ctx = struct rawsend: builds the IP packet and
 * queues it (flushing first when the queue is full). -1 only for a packet
 * that cannot be built or, when too big to queue, sent; the engine counts
 * those.
 */
int rawsend_send(void *ctx, const uint8_t *pgm, size_t len, struct in_addr src,
                 struct in_addr dst, int ifindex, uint8_t ttl, bool router_alert);

/*
 * Send what is queued with as few sendmmsg() calls as the kernel allows,
 * in order. A packet the kernel refuses is counted and skipped; the
 * rest still go.
 */
void rawsend_flush(struct rawsend *r);

#endif
