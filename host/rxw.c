/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Receive window, RFC 3208 §6.1, §6.3. */
#include "host/rxw.h"

#include <stdlib.h>
#include <string.h>

#include "common/sqn.h"

static uint32_t round_pow2(uint32_t n)
{
	uint32_t p = 1;
	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

bool rxw_init(struct rxw *w, uint32_t cap, uint16_t max_tsdu)
{
	memset(w, 0, sizeof(*w));
	if (cap == 0 || max_tsdu == 0)
		return false;
	cap = round_pow2(cap);
	w->slot = calloc(cap, sizeof(*w->slot));
	w->store = calloc(cap, max_tsdu);
	if (w->slot == NULL || w->store == NULL) {
		rxw_free(w);
		return false;
	}
	for (uint32_t i = 0; i < cap; i++)
		w->slot[i].data = w->store + (size_t)i * max_tsdu;
	w->cap = cap;
	w->max_tsdu = max_tsdu;
	return true;
}

void rxw_free(struct rxw *w)
{
	free(w->slot);
	free(w->store);
	memset(w, 0, sizeof(*w));
}

static struct rxw_slot *slot_of(const struct rxw *w, uint32_t sqn)
{
	return &w->slot[sqn & (w->cap - 1)];
}

void rxw_define(struct rxw *w, uint32_t first_sqn)
{
	for (uint32_t i = 0; i < w->cap; i++)
		w->slot[i].state = RXW_FREE;
	w->trail = first_sqn;
	w->lead = first_sqn - 1;
	w->defined = true;
}

struct rxw_slot *rxw_slot(const struct rxw *w, uint32_t sqn)
{
	if (!w->defined || rxw_empty(w) || !sqn_in(sqn, w->trail, w->lead))
		return NULL;
	return slot_of(w, sqn);
}

/* Grow the lead to `lead` (at most cap slots from the trail), new slots missing. */
static void grow(struct rxw *w, uint32_t lead, struct rxw_gap *gap)
{
	uint32_t max_lead = w->trail + w->cap - 1;
	if (sqn_gt(lead, max_lead))
		lead = max_lead;
	gap->first = w->lead + 1;
	gap->count = 0;
	while (sqn_lt(w->lead, lead)) {
		struct rxw_slot *s = slot_of(w, ++w->lead);
		s->state = RXW_MISSING;
		s->nak.state = NAK_IDLE;
		gap->count++;
	}
}

enum rxw_add rxw_add(struct rxw *w, uint32_t sqn, const void *data, uint16_t len,
                     uint8_t flags, struct rxw_gap *gap)
{
	gap->first = sqn;
	gap->count = 0;
	if (!w->defined)
		rxw_define(w, sqn);
	if (sqn_lt(sqn, w->trail))
		return RXW_BEHIND;
	if (sqn_diff(sqn, w->trail) >= (int32_t)w->cap)
		return RXW_AHEAD;
	enum rxw_add res = RXW_ADDED;
	if (sqn_gt(sqn, w->lead)) {
		grow(w, sqn - 1, gap);
		w->lead = sqn;
	} else {
		uint8_t st = slot_of(w, sqn)->state;
		if (st == RXW_HAVE)
			return RXW_DUPLICATE;
		res = RXW_REPAIRED;
	}
	struct rxw_slot *s = slot_of(w, sqn);
	if (len > w->max_tsdu)
		len = w->max_tsdu; /* caller checks; never write past the slot */
	s->state = RXW_HAVE;
	s->flags = flags;
	s->len = len;
	s->nak.state = NAK_IDLE;
	memcpy(s->data, data, len);
	return res;
}

void rxw_extend(struct rxw *w, uint32_t lead, struct rxw_gap *gap)
{
	gap->first = w->lead + 1;
	gap->count = 0;
	if (!w->defined || !sqn_gt(lead, w->lead))
		return;
	grow(w, lead, gap);
}

uint32_t rxw_source_trail(struct rxw *w, uint32_t trail)
{
	uint32_t lost = 0;
	if (!w->defined || !sqn_gt(trail, w->trail))
		return 0;
	if (sqn_gt(trail, w->lead + 1)) {
		struct rxw_gap ignored;
		grow(w, trail - 1, &ignored);
	}
	for (uint32_t sqn = w->trail; sqn_lt(sqn, trail) && sqn_le(sqn, w->lead); sqn++) {
		struct rxw_slot *s = slot_of(w, sqn);
		if (s->state == RXW_MISSING) {
			s->state = RXW_LOST;
			s->nak.state = NAK_CANCELLED;
			lost++;
		}
	}
	return lost;
}

void rxw_mark_lost(struct rxw *w, uint32_t sqn)
{
	struct rxw_slot *s = rxw_slot(w, sqn);
	if (s != NULL && s->state == RXW_MISSING) {
		s->state = RXW_LOST;
		s->nak.state = NAK_CANCELLED;
	}
}

uint32_t rxw_deliver(struct rxw *w, rxw_deliver_fn fn, void *arg)
{
	uint32_t n = 0;
	while (w->defined && !rxw_empty(w)) {
		struct rxw_slot *s = slot_of(w, w->trail);
		if (s->state == RXW_HAVE)
			fn(arg, w->trail, s->data, s->len, s->flags);
		else if (s->state == RXW_LOST)
			fn(arg, w->trail, NULL, 0, 0);
		else
			break;
		s->state = RXW_FREE;
		w->trail++;
		n++;
	}
	return n;
}
