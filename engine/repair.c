/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Repair state table: one entry per (session, SQN) that a NAK, NCF or
 * NNAK named (RFC 3208 §7.2-§7.5, §9.5.3.2). A preallocated slab of
 * 40-byte entries, an open-addressing index over it, and one intrusive
 * FIFO per timeout length:
 *
 *   RL_RETRY  pending states, next NAK retry at last send + NAK_RPT_RTE
 *   RL_RDATA  confirmed and anticipated states, gone at NAK_RDATA_IVL
 *   RL_ELIM   NNAK-created states, gone at NAK_ELIM_IVL
 *
 * Every entry joins its list at the tail with deadline now + the list's
 * interval, and the clock never goes back, so each list is sorted by
 * deadline and expiry only ever looks at list heads.
 *
 * The index is what a lookup pays for in cache misses: at a million
 * states neither it nor the slab fits any cache. Each 8-byte slot holds
 * a 32-bit hash of the key (TSI, SQN) and the entry's slab index; linear
 * probing from the slot the hash names, two slots per entry (load <=
 * 1/2), so a lookup reads one cache line of slots and then the one entry
 * whose hash matches (a false match is a full 32-bit hash collision).
 * The home slot follows from the stored hash, so deletion (backward
 * shift, no tombstones) never touches the slab, and entries never move.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

/* The per-state memory docs/engine.md promises (<= 64 bytes with the index). */
_Static_assert(sizeof(struct ne_rstate) == 40, "repair state is 40 bytes");

#define SLOT_EMPTY UINT64_MAX
#define SLOTS_PER_STATE 2

bool ne_rstates_init(struct ne *ne)
{
	uint32_t n = ne->cfg.max_rstates; /* <= NE_MAX_ENTRIES: slots fit 32 bits */
	ne->rs_nslots = n * SLOTS_PER_STATE;
	ne->rs = calloc(n, sizeof(*ne->rs));
	ne->rs_slot = malloc((size_t)ne->rs_nslots * sizeof(*ne->rs_slot));
	if (ne->rs == NULL || ne->rs_slot == NULL)
		return false;
	memset(ne->rs_slot, 0xff, (size_t)ne->rs_nslots * sizeof(*ne->rs_slot));
	for (uint32_t i = 0; i < n; i++)
		ne->rs[i].next = i + 1 < n ? i + 1 : NE_NIL;
	ne->rs_free = 0;
	for (unsigned l = 0; l < RL_COUNT; l++)
		ne->rs_list[l].head = ne->rs_list[l].tail = NE_NIL;
	return true;
}

void ne_rstates_free(struct ne *ne)
{
	free(ne->rs);
	free(ne->rs_slot);
}

static uint32_t home_of(const struct ne *ne, uint32_t h)
{
	return ne_rs_home(ne, h);
}

static uint32_t next_slot(const struct ne *ne, uint32_t i)
{
	return i + 1 < ne->rs_nslots ? i + 1 : 0;
}

static uint32_t hash_of(const struct ne *ne, uint32_t session, uint32_t sqn)
{
	return ne_rs_hash(ne_tsi_key(&ne->sess[session].tsi), sqn);
}

struct ne_rstate *ne_rstate_find(struct ne *ne, uint32_t session, uint32_t sqn)
{
	uint32_t h = hash_of(ne, session, sqn);
	for (uint32_t i = home_of(ne, h);; i = next_slot(ne, i)) {
		uint64_t v = ne->rs_slot[i];
		if (v == SLOT_EMPTY)
			return NULL; /* at least half the slots are empty: ends */
		if ((uint32_t)(v >> 32) != h)
			continue;
		struct ne_rstate *r = &ne->rs[(uint32_t)v];
		if (r->sqn == sqn && r->session == session)
			return r;
	}
}

static void index_add(struct ne *ne, uint32_t h, uint32_t idx)
{
	uint32_t i = home_of(ne, h);
	while (ne->rs_slot[i] != SLOT_EMPTY)
		i = next_slot(ne, i);
	ne->rs_slot[i] = (uint64_t)h << 32 | idx;
}

/* Is slot `home` cyclically in (hole, k]? Then the entry at k cannot
 * move back to the hole without going before its home. */
static bool home_between(uint32_t hole, uint32_t k, uint32_t home)
{
	return hole <= k ? home > hole && home <= k : home > hole || home <= k;
}

/* Linear-probing deletion by backward shift: later slots of the same
 * run move up, so no tombstones accumulate and lookups stay short. */
static void index_del(struct ne *ne, uint32_t h, uint32_t idx)
{
	uint32_t hole = home_of(ne, h);
	while ((uint32_t)ne->rs_slot[hole] != idx) {
		if (ne->rs_slot[hole] == SLOT_EMPTY)
			return; /* not indexed: nothing to do */
		hole = next_slot(ne, hole);
	}
	for (uint32_t k = next_slot(ne, hole);; k = next_slot(ne, k)) {
		uint64_t v = ne->rs_slot[k];
		if (v == SLOT_EMPTY)
			break;
		if (home_between(hole, k, home_of(ne, (uint32_t)(v >> 32))))
			continue;
		ne->rs_slot[hole] = v;
		hole = k;
	}
	ne->rs_slot[hole] = SLOT_EMPTY;
}

static enum ne_rs_list list_of(uint8_t phase)
{
	switch (phase) {
	case RS_PENDING:
		return RL_RETRY;
	case RS_NULL:
		return RL_ELIM;
	default:
		return RL_RDATA;
	}
}

static void list_unlink(struct ne *ne, struct ne_rstate *r)
{
	struct ne_list *l = &ne->rs_list[list_of(r->phase)];
	if (r->prev != NE_NIL)
		ne->rs[r->prev].next = r->next;
	else
		l->head = r->next;
	if (r->next != NE_NIL)
		ne->rs[r->next].prev = r->prev;
	else
		l->tail = r->prev;
	r->prev = r->next = NE_NIL;
}

static void list_append(struct ne *ne, struct ne_rstate *r)
{
	struct ne_list *l = &ne->rs_list[list_of(r->phase)];
	uint32_t i = ne_rstate_index(ne, r);
	r->next = NE_NIL;
	r->prev = l->tail;
	if (r->prev != NE_NIL)
		ne->rs[r->prev].next = i;
	else
		l->head = i;
	l->tail = i;
}

static uint32_t phase_interval(const struct ne *ne, enum ne_rs_phase phase)
{
	switch (phase) {
	case RS_PENDING:
		return ne->cfg.nak_rpt_rte_ms;
	case RS_NULL:
		return ne->cfg.nak_elim_ivl_ms;
	default:
		return ne->cfg.nak_rdata_ivl_ms;
	}
}

void ne_rstate_enter(struct ne *ne, struct ne_rstate *r, enum ne_rs_phase phase)
{
	if (r->phase != RS_FREE)
		list_unlink(ne, r);
	r->phase = (uint8_t)phase;
	r->since = ne_t32(ne->now);
	r->deadline = r->since + phase_interval(ne, phase);
	if (phase == RS_PENDING)
		r->retries = 0;
	list_append(ne, r);
}

struct ne_rstate *ne_rstate_add(struct ne *ne, struct ne_session *s, uint32_t sqn,
                                enum ne_rs_phase phase)
{
	if (ne->rs_free == NE_NIL || s->rstates >= ne->cfg.max_rstates_per_session) {
		ne->health.StateTableFull++;
		return NULL;
	}
	uint32_t i = ne->rs_free;
	struct ne_rstate *r = &ne->rs[i];
	ne->rs_free = r->next;
	/* phase is RS_FREE; ne_rstate_enter sets the timer and list fields. */
	r->ifaces = 0;
	r->retries = 0;
	r->sqn = sqn;
	r->session = ne_session_index(ne, s);
	index_add(ne, ne_rs_hash(ne_tsi_key(&s->tsi), sqn), i);
	s->rstates++;
	ne->rs_used++;
	ne_rstate_enter(ne, r, phase);
	ne_ncf_limit_rstate_init(r); /* last: only r is live across the call */
	return r;
}

void ne_rstate_del(struct ne *ne, struct ne_rstate *r)
{
	uint32_t i = ne_rstate_index(ne, r);
	index_del(ne, hash_of(ne, r->session, r->sqn), i);
	list_unlink(ne, r);
	ne_session_release(ne, r->session);
	r->phase = RS_FREE;
	r->next = ne->rs_free;
	ne->rs_free = i;
	ne->rs_used--;
}

static void count_timed_out(struct ne *ne, const struct ne_rstate *r)
{
	for (unsigned i = 0; i < NE_MAX_IFACES; i++)
		if (r->ifaces & ne_slot_bit(i))
			ne->ifaces->v[i].cnt.ReXmitTimedOut++;
}

static void count_retry_expired(struct ne *ne, const struct ne_rstate *r)
{
	const struct ne_session *s = &ne->sess[r->session];
	struct ne_iface *up = ne_iface_by_index(ne->ifaces, s->upstream_ifindex);
	if (up != NULL)
		up->cnt.NakRetryExpired++;
}

void ne_set_overload(struct ne *ne, bool on)
{
	ne->overload = on;
}

static void count_retry_deferred(struct ne *ne, const struct ne_rstate *r)
{
	const struct ne_session *s = &ne->sess[r->session];
	struct ne_iface *up = ne_iface_by_index(ne->ifaces, s->upstream_ifindex);
	if (up != NULL)
		up->cnt.NakRetryDeferred++;
}

/*
 * §7.3: repeat at NAK_RPT_RTE until an NCF, give up after NAK_RPT_IVL
 * (checked at the retry times, so it is rounded up to a whole number of
 * retry intervals). Under overload a due retry is put off by one
 * NAK_RPT_RTE instead (docs/engine.md, "Overload"): the first NAK went
 * up already, the upstream NCF a retry asks for would likely reach a
 * full queue and pass unseen, and the send would take the CPU that new
 * NAKs from downstream need.
 */
static void retry_due(struct ne *ne, struct ne_rstate *r)
{
	if (ne_due(r->since + ne->cfg.nak_rpt_ivl_ms, ne->now)) {
		count_retry_expired(ne, r);
		count_timed_out(ne, r);
		ne_rstate_del(ne, r);
		return;
	}
	if (ne->overload) {
		count_retry_deferred(ne, r);
	} else {
		ne_send_nak_retry(ne, &ne->sess[r->session], r->sqn);
		if (r->retries < UINT8_MAX)
			r->retries++;
	}
	list_unlink(ne, r);
	r->deadline = ne_t32(ne->now) + ne->cfg.nak_rpt_rte_ms;
	list_append(ne, r);
}

static void run_list(struct ne *ne, enum ne_rs_list l)
{
	while (ne->rs_list[l].head != NE_NIL) {
		struct ne_rstate *r = &ne->rs[ne->rs_list[l].head];
		if (!ne_due(r->deadline, ne->now))
			return;
		if (l == RL_RETRY) {
			retry_due(ne, r);
			continue;
		}
		if (l == RL_RDATA)
			count_timed_out(ne, r);
		ne_rstate_del(ne, r);
	}
}

void ne_rstates_tick(struct ne *ne)
{
	for (unsigned l = 0; l < RL_COUNT; l++)
		run_list(ne, (enum ne_rs_list)l);
}

uint64_t ne_rstates_deadline(const struct ne *ne)
{
	uint64_t best = UINT64_MAX;
	for (unsigned l = 0; l < RL_COUNT; l++) {
		uint32_t h = ne->rs_list[l].head;
		if (h == NE_NIL)
			continue;
		uint64_t t = ne_t64(ne, ne->rs[h].deadline);
		if (t < best)
			best = t;
	}
	return best;
}

static void fill_view(const struct ne *ne, const struct ne_rstate *r, struct ne_rstate_view *v)
{
	const struct ne_session *s = &ne->sess[r->session];
	uint64_t since = ne_t64(ne, r->since);
	memset(v, 0, sizeof(*v));
	v->tsi = s->tsi;
	v->group = s->group;
	v->sqn = r->sqn;
	v->ifaces = r->ifaces;
	v->retries = r->retries;
	switch (r->phase) {
	case RS_PENDING:
		v->phase = NE_RS_PENDING;
		v->expires_ms = since + ne->cfg.nak_rpt_ivl_ms;
		break;
	case RS_NULL: /* shown as anticipated: no interfaces, no NCF owed */
		v->phase = NE_RS_ANTICIPATED;
		v->expires_ms = ne_t64(ne, r->deadline);
		v->elim_until_ms = 0;
		break;
	default:
		v->phase = r->phase == RS_CONFIRMED ? NE_RS_CONFIRMED : NE_RS_ANTICIPATED;
		v->expires_ms = ne_t64(ne, r->deadline);
		v->elim_until_ms = since + ne->cfg.nak_elim_ivl_ms;
		break;
	}
}

static bool rstate_matches(const struct ne *ne, const struct ne_rstate *r,
                           const struct pgm_tsi *tsi, const struct in_addr *group)
{
	const struct ne_session *s = &ne->sess[r->session];
	if (r->phase == RS_FREE)
		return false;
	if (tsi != NULL && !pgm_tsi_eq(&s->tsi, tsi))
		return false;
	return group == NULL || s->group.s_addr == group->s_addr;
}

void ne_foreach_rstate(const struct ne *ne, const struct pgm_tsi *tsi,
                       const struct in_addr *group, ne_rstate_cb cb, void *arg)
{
	for (uint32_t i = 0; i < ne->cfg.max_rstates; i++) {
		if (!rstate_matches(ne, &ne->rs[i], tsi, group))
			continue;
		struct ne_rstate_view v;
		fill_view(ne, &ne->rs[i], &v);
		cb(&v, arg);
	}
}

size_t ne_clear_rstates(struct ne *ne, const struct in_addr *group)
{
	size_t n = 0;
	for (uint32_t i = 0; i < ne->cfg.max_rstates; i++)
		if (rstate_matches(ne, &ne->rs[i], NULL, group)) {
			ne_rstate_del(ne, &ne->rs[i]);
			n++;
		}
	return n;
}

void ne_forget_iface(struct ne *ne, int ifindex)
{
	const struct ne_iface *f = ne_iface_by_index(ne->ifaces, ifindex);
	if (f == NULL)
		return;
	uint64_t keep = ~ne_slot_bit(ne_iface_slot(ne->ifaces, f));
	/* A scan of the slab: interfaces go rarely. A state left with no
	 * interface runs out its own timer (retries, or NAK_RDATA_IVL); an
	 * RDATA meanwhile finds no interface to go to. */
	for (uint32_t i = 0; i < ne->cfg.max_rstates; i++)
		if (ne->rs[i].phase != RS_FREE)
			ne->rs[i].ifaces &= keep;
	for (unsigned i = 0; i < NE_COPY_SLOTS; i++)
		ne->copies[i].outs &= keep;
}

size_t ne_rstate_bytes(void)
{
	/* slab entry + its index slots */
	return sizeof(struct ne_rstate) + SLOTS_PER_STATE * sizeof(uint64_t);
}
