/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NFQUEUE datapath: the PGM packets our kernel rules (rules.h) queue
 * (everything but ODATA) come here, go through a callback (the engine),
 * and get a verdict back — on every path, errors included.
 */
#ifndef PGMNE_NFQ_H
#define PGMNE_NFQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/counters.h"
#include "event.h"
#include "../engine/ne.h"

/* Decide about one IPv4 packet; may rewrite it in place and set *modified. */
typedef enum ne_verdict (*nfqueue_packet_fn)(void *arg, uint8_t *ip, size_t len,
                                         const struct ne_meta *m, bool *modified);

/* A packet of the batch about to be handled (read only): start its cache misses. */
typedef void (*nfqueue_hint_fn)(void *arg, const uint8_t *ip, size_t len);

/* The end of one receive batch: flush what the packets made the engine send. */
typedef void (*nfqueue_batch_fn)(void *arg);

/* The queue became backlogged (on) or was drained (off), see below. */
typedef void (*nfqueue_backlog_fn)(void *arg, bool on);

#define NFQ_BUF_SIZE (65536 + 4096) /* one full-size packet plus netlink framing */
/*
 * Datagrams taken per recvmmsg(): the kernel sends one netlink message
 * per queued packet, so this is packets per system call. Each needs a
 * buffer for a full-size packet (copy range 0xffff): 32 x 68 KiB of
 * address space, touched only as far as packets fill it.
 */
#define NFQ_RX_BATCH 32
/*
 * Backlogged: this many full receives in a row (the kernel had more
 * queued than one wake-up takes, NFQ_DRAIN_MAX in nfq.c), until the
 * first receive that is not full (drained). The overload signal that
 * comes in time: with fail-open the queue counts nothing when it
 * overflows, NETLINK_NO_ENOBUFS hides socket overruns, and the rules'
 * RuleQueued is read once a second.
 */
#define NFQ_BACKLOG_RUN 8

struct mnl_socket;

/* Verdicts of one receive batch, sent as one datagram (see nfq.c). */
struct nfq_verdicts {
	size_t used;          /* bytes of netlink messages in tx */
	unsigned msgs;        /* messages in tx */
	bool run;             /* a run of equal plain verdicts is open */
	uint32_t run_id;      /* its last packet id */
	enum ne_verdict run_v;
	unsigned run_len;
};

struct nfqueue {
	struct ev_handler ev;
	struct mnl_socket *nl;
	uint32_t portid;
	uint16_t queue;
	nfqueue_packet_fn fn;
	nfqueue_hint_fn hint;       /* may be NULL */
	nfqueue_batch_fn batch_end; /* may be NULL */
	nfqueue_backlog_fn backlog; /* may be NULL */
	unsigned full_run;          /* full receives in a row */
	bool backlogged;
	void *arg;
	struct ne_health_counters *health;
	struct nfq_verdicts vb;
	char rx[NFQ_RX_BATCH][NFQ_BUF_SIZE];
	char tx[NFQ_BUF_SIZE];
};

/*
 * Bind queue `queue` in copy-packet mode, fail-open, no ENOBUFS. Returns 0,
 * or -1 with errno (EBUSY/EPERM: another process has the queue).
 */
int nfqueue_open(struct nfqueue *q, uint16_t queue);
void nfqueue_close(struct nfqueue *q);

/*
 * Drain the socket (bounded per call) and give each packet a verdict.
 * Packets come NFQ_RX_BATCH per system call; hint sees every packet of a
 * batch before fn sees the first, and their verdicts go back in
 * one datagram at the end of each batch (runs of equal verdicts as one
 * NFQNL_MSG_VERDICT_BATCH), then batch_end runs. backlog runs right
 * after a receive that changes the backlog state, before the packets of
 * that receive are handled (QueueBacklogs counts the changes to on).
 */
void nfqueue_input(struct nfqueue *q);

/*
 * Kernel drop counters of the queue from /proc/net/netfilter/nfnetlink_queue:
 * queue_dropped (queue full) and user_dropped (netlink could not deliver).
 */
int nfqueue_read_drops(uint16_t queue, uint64_t *queue_dropped, uint64_t *user_dropped);

#endif
