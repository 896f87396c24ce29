/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control socket internals shared by ctl.c (sockets, clients,
 * buffers) and ctl_reply.c (requests answered from engine state).
 */
#ifndef PGMNE_CTL_PRIV_H
#define PGMNE_CTL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "../common/ctlproto.h"
#include "ctl.h"
#include "event.h"

#define CTL_MAX_CLIENTS 16
/* Room for evicted clients until their own event frees them. */
#define CTL_SLOTS (2 * CTL_MAX_CLIENTS)
/*
 * Replies a client has not read yet, beyond what the kernel holds.
 * Small replies are queued whole; sessions and repair states (bounded
 * only by the engine's tables) are snapshotted and encoded as the socket
 * drains, CTL_OUT_HIGH bytes ahead at most. A client that keeps sending
 * requests without reading fills this and is dropped.
 */
#define CTL_OUTBUF_MAX (256u * 1024)
#define CTL_OUT_HIGH (64u * 1024)
#define CTL_READS_PER_EVENT 16  /* fairness between clients */
#define CTL_ACCEPTS_PER_EVENT 16

struct ctl_stream;

struct ctl_client {
	struct ev_handler h;
	struct ctl *ctl;
	uint64_t last_active;      /* ctl->activity at the last read or write */
	uint8_t in[CTL_MAX_MSG];
	size_t in_len;
	uint8_t *out;
	size_t out_off, out_len, out_cap;
	struct ctl_stream *stream; /* reply being encoded as output drains */
	uint32_t events;           /* what epoll watches for now */
	bool peer_done;            /* peer shut down its side; close once flushed */
	bool failed;               /* output overflow or write error: close */
	bool evicted;              /* shut down to make room; close on next event */
};

struct ctl {
	struct ev_handler listen;
	int epfd;
	bool accept_paused;        /* out of file descriptors */
	struct ne *ne;
	struct ne_ifaces *ifaces;
	uint64_t (*now)(void *arg);
	void *now_arg;
	uint64_t activity;         /* event counter ordering client activity */
	char path[CTL_PATH_MAX];
	dev_t dev;                 /* identity of our socket file, so ctl_close */
	ino_t ino;                 /* never unlinks someone else's */
	struct ctl_client *clients[CTL_SLOTS];
};

/* Queue one encoded message for the client; false once it has failed. */
bool ctl_client_put(struct ctl_client *cl, const uint8_t *msg, size_t len);

/*
 * Answer one decoded request: records, then END or ERROR. Replies of
 * unbounded size leave a snapshot in cl->stream for ctl_stream_more().
 */
void ctl_serve(struct ctl_client *cl, const struct ctl_req *req);

/* Queue an END message. */
void ctl_reply_end(struct ctl_client *cl);

/* ctl_stream.c: snapshot sessions or repair state (per q) into cl->stream. */
void ctl_stream_start(struct ctl_client *cl, const struct ctl_req *q);
/* Queue about `budget` more bytes of cl->stream; at its end queue END and free it. */
void ctl_stream_more(struct ctl_client *cl, size_t budget);
void ctl_stream_free(struct ctl_stream *s);

/* Queue an ERROR message (text formatted like printf). */
void ctl_reply_error(struct ctl_client *cl, uint16_t code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
