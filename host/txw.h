/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Transmit window of a PGM source (RFC 3208 §5.1.1, §16): the ODATA
 * payloads still available for repair, in SQN order from TXW_TRAIL to
 * TXW_LEAD. Bounded both by packet count and by age (like Windows'
 * RM_SEND_WINDOW: WindowSizeInMSecs); whatever falls out of either bound
 * advances the trail.
 *
 * Also keeps the queue of repairs asked for (§5.3): one entry per SQN
 * however many NAKs ask for it before it goes out ("once per NAK burst").
 */
#ifndef PGMNE_HOST_TXW_H
#define PGMNE_HOST_TXW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Per-packet flags kept so RDATA repeats them (§9.6.2, §9.7.2). */
#define TXW_F_SYN 0x01
#define TXW_F_FIN 0x02

struct txw_slot {
	uint32_t sqn;
	uint16_t len;
	uint8_t flags;          /* TXW_F_* */
	bool repair_queued;
	uint64_t sent_ms;       /* when the ODATA went out, for the age bound */
	uint8_t *data;          /* max_tsdu bytes */
};

struct txw {
	struct txw_slot *slot;  /* cap slots, indexed by sqn % cap */
	uint8_t *store;         /* cap * max_tsdu bytes behind the slots */
	uint32_t cap;
	uint32_t max_age_ms;    /* 0 = no age bound */
	uint16_t max_tsdu;
	uint32_t trail, lead;   /* window [trail, lead]; empty when trail == lead + 1 */
	uint32_t *repair;       /* FIFO of SQNs, cap entries */
	uint32_t rq_head, rq_len;
};

/* Window starting at sqn `isn`, empty. Returns false on allocation failure. */
bool txw_init(struct txw *w, uint32_t cap, uint32_t max_age_ms, uint16_t max_tsdu,
              uint32_t isn);
void txw_free(struct txw *w);

static inline bool txw_empty(const struct txw *w) { return w->trail == w->lead + 1; }
static inline uint32_t txw_count(const struct txw *w) { return w->lead + 1 - w->trail; }

/*
 * Append a payload (len <= max_tsdu) as the next SQN, sent at now_ms.
 * When the window is full the oldest packet leaves first (trail advance
 * by count). Returns the new packet's SQN.
 */
uint32_t txw_add(struct txw *w, const void *data, uint16_t len, uint8_t flags,
                 uint64_t now_ms);

/* Drop packets older than max_age_ms (trail advance by time). Returns how many left. */
uint32_t txw_advance_time(struct txw *w, uint64_t now_ms);

/* The packet with this SQN, or NULL when it is not (or no longer) in the window. */
const struct txw_slot *txw_get(const struct txw *w, uint32_t sqn);

enum txw_repair {
	TXW_REPAIR_QUEUED,   /* newly queued */
	TXW_REPAIR_PENDING,  /* already queued by an earlier NAK of this burst */
	TXW_REPAIR_TOO_LATE, /* SQN not in the window (left it, or never sent) */
};

/* Queue a repair of `sqn` (§5.3). */
enum txw_repair txw_queue_repair(struct txw *w, uint32_t sqn);

/*
 * Take the next queued repair that is still in the window. Returns NULL
 * when the queue is empty. A later NAK may queue the SQN again.
 */
const struct txw_slot *txw_next_repair(struct txw *w);

static inline bool txw_repair_pending(const struct txw *w) { return w->rq_len > 0; }

#endif
