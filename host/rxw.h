/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Receive window of a PGM receiver (RFC 3208 §6.1, §6.3): slots from
 * RXW_TRAIL (next SQN to hand to the application) to RXW_LEAD (highest
 * SQN known to exist), each missing, received or lost. Contiguous data
 * is delivered in SQN order; lost SQNs are delivered as losses, never
 * skipped silently. Capacity is a power of two so SQN wrap-around maps
 * onto the ring without a seam.
 */
#ifndef PGMNE_HOST_RXW_H
#define PGMNE_HOST_RXW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/nak_backoff.h"

enum rxw_state {
	RXW_FREE = 0,  /* outside the window */
	RXW_MISSING,   /* known to exist, not received: NAK state machine runs */
	RXW_HAVE,      /* received, waiting for its turn */
	RXW_LOST,      /* unrecoverable (§6.3 cancellation) */
};

struct rxw_slot {
	uint8_t state;         /* enum rxw_state */
	uint8_t flags;         /* RXW_F_* of the packet */
	uint16_t len;
	struct nak_entry nak;  /* meaningful while MISSING */
	uint8_t *data;         /* max_tsdu bytes */
};

#define RXW_F_SYN 0x01
#define RXW_F_FIN 0x02

struct rxw {
	struct rxw_slot *slot;
	uint8_t *store;
	uint32_t cap;          /* power of two */
	uint16_t max_tsdu;
	bool defined;          /* trail/lead set by the first packet */
	uint32_t trail, lead;  /* [trail, lead]; empty when trail == lead + 1 */
};

/* A run of SQNs that just became MISSING, for the caller to start NAKs on. */
struct rxw_gap {
	uint32_t first;
	uint32_t count;
};

enum rxw_add {
	RXW_ADDED,      /* new packet stored */
	RXW_REPAIRED,   /* filled a missing (or lost-but-not-yet-delivered) slot */
	RXW_DUPLICATE,  /* already held */
	RXW_BEHIND,     /* before the trail: delivered already, or before our join */
	RXW_AHEAD,      /* beyond the window's capacity: dropped, will be NAKed later */
};

/* cap is rounded up to a power of two. Returns false on allocation failure. */
bool rxw_init(struct rxw *w, uint32_t cap, uint16_t max_tsdu);
void rxw_free(struct rxw *w);

/* Start the window at first_sqn (RXW_TRAIL_INIT, §6.1 / OPT_JOIN §9.4.2). */
void rxw_define(struct rxw *w, uint32_t first_sqn);

/* Store a data packet. Sets *gap to SQNs that became missing before it. */
enum rxw_add rxw_add(struct rxw *w, uint32_t sqn, const void *data, uint16_t len,
                     uint8_t flags, struct rxw_gap *gap);

/* The source says SQNs up to `lead` exist (SPM lead, §6.1 loss detection). */
void rxw_extend(struct rxw *w, uint32_t lead, struct rxw_gap *gap);

/*
 * The source's trail moved to `trail`: missing SQNs before it can no
 * longer be repaired and become LOST (§6.3 cancellation). Returns how
 * many became lost.
 */
uint32_t rxw_source_trail(struct rxw *w, uint32_t trail);

/* Mark one missing SQN lost (retries exhausted). */
void rxw_mark_lost(struct rxw *w, uint32_t sqn);

/* The slot of an SQN inside the window, else NULL. */
struct rxw_slot *rxw_slot(const struct rxw *w, uint32_t sqn);

/* Called per delivered SQN in order; data is NULL when the SQN was lost. */
typedef void (*rxw_deliver_fn)(void *arg, uint32_t sqn, const uint8_t *data, uint16_t len,
                               uint8_t flags);

/* Deliver the contiguous head of the window. Returns SQNs delivered. */
uint32_t rxw_deliver(struct rxw *w, rxw_deliver_fn fn, void *arg);

static inline bool rxw_empty(const struct rxw *w) { return w->trail == w->lead + 1; }

#endif
