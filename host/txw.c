/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transmit window, RFC 3208 §5.1.1, §5.3, §16. */
#include "host/txw.h"

#include <stdlib.h>
#include <string.h>

#include "common/sqn.h"

bool txw_init(struct txw *w, uint32_t cap, uint32_t max_age_ms, uint16_t max_tsdu,
              uint32_t isn)
{
	memset(w, 0, sizeof(*w));
	if (cap == 0 || max_tsdu == 0)
		return false;
	w->slot = calloc(cap, sizeof(*w->slot));
	w->store = calloc(cap, max_tsdu);
	w->repair = calloc(cap, sizeof(*w->repair));
	if (w->slot == NULL || w->store == NULL || w->repair == NULL) {
		txw_free(w);
		return false;
	}
	for (uint32_t i = 0; i < cap; i++)
		w->slot[i].data = w->store + (size_t)i * max_tsdu;
	w->cap = cap;
	w->max_age_ms = max_age_ms;
	w->max_tsdu = max_tsdu;
	w->trail = isn;
	w->lead = isn - 1;
	return true;
}

void txw_free(struct txw *w)
{
	free(w->slot);
	free(w->store);
	free(w->repair);
	memset(w, 0, sizeof(*w));
}

static struct txw_slot *slot_of(const struct txw *w, uint32_t sqn)
{
	return &w->slot[sqn % w->cap];
}

/* The trail packet leaves the window; a queued repair of it is now too late. */
static void drop_trail(struct txw *w)
{
	slot_of(w, w->trail)->repair_queued = false;
	w->trail++;
}

uint32_t txw_add(struct txw *w, const void *data, uint16_t len, uint8_t flags,
                 uint64_t now_ms)
{
	if (txw_count(w) >= w->cap)
		drop_trail(w);
	if (len > w->max_tsdu)
		len = w->max_tsdu; /* caller's contract; never write past the slot */
	uint32_t sqn = ++w->lead;
	struct txw_slot *s = slot_of(w, sqn);
	s->sqn = sqn;
	s->len = len;
	s->flags = flags;
	s->repair_queued = false;
	s->sent_ms = now_ms;
	memcpy(s->data, data, len);
	return sqn;
}

uint32_t txw_advance_time(struct txw *w, uint64_t now_ms)
{
	uint32_t dropped = 0;
	if (w->max_age_ms == 0)
		return 0;
	while (!txw_empty(w) && now_ms - slot_of(w, w->trail)->sent_ms > w->max_age_ms) {
		drop_trail(w);
		dropped++;
	}
	return dropped;
}

static bool in_window(const struct txw *w, uint32_t sqn)
{
	return !txw_empty(w) && sqn_in(sqn, w->trail, w->lead);
}

const struct txw_slot *txw_get(const struct txw *w, uint32_t sqn)
{
	return in_window(w, sqn) ? slot_of(w, sqn) : NULL;
}

enum txw_repair txw_queue_repair(struct txw *w, uint32_t sqn)
{
	if (!in_window(w, sqn))
		return TXW_REPAIR_TOO_LATE;
	struct txw_slot *s = slot_of(w, sqn);
	if (s->repair_queued)
		return TXW_REPAIR_PENDING;
	/* Each in-window SQN is queued at most once, so cap entries suffice;
	 * stale entries (SQNs that left) are skipped on the way out. */
	if (w->rq_len == w->cap)
		return TXW_REPAIR_PENDING;
	w->repair[(w->rq_head + w->rq_len) % w->cap] = sqn;
	w->rq_len++;
	s->repair_queued = true;
	return TXW_REPAIR_QUEUED;
}

const struct txw_slot *txw_next_repair(struct txw *w)
{
	while (w->rq_len > 0) {
		uint32_t sqn = w->repair[w->rq_head];
		w->rq_head = (w->rq_head + 1) % w->cap;
		w->rq_len--;
		if (!in_window(w, sqn))
			continue; /* left the window while queued */
		struct txw_slot *s = slot_of(w, sqn);
		if (s->repair_queued) {
			s->repair_queued = false;
			return s;
		}
	}
	return NULL;
}
