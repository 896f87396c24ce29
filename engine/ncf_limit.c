/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NCF rate limiting, RFC 3208 §7.2: "send the first NCF immediately in
 * response to a NAK and then delay the generation of further NCFs (for
 * identical NAKs) by a small interval, so that identical NCFs are
 * rate-limited, without affecting the ability to suppress NAKs."
 *
 * Per (TSI, SQN) and arrival interface: the first NAK's NCF goes at once
 * and opens an interval of NCF_IVL. NAKs for the same SQN on the same
 * interface inside the interval get no NCF of their own (NcfSuppressed);
 * when the interval ends, one NCF for the SQN answers them all
 * (NcfCoalesced), so a receiver that NAKed late is still confirmed, a
 * little later, and the next interval begins. An interval without
 * suppressed NAKs ends the entry. Repair state and elimination (nak.c)
 * see every NAK as before; nak.c finds or makes the repair state first.
 *
 * The NAK procedure decides and sends; this file only answers and keeps
 * account (engine_int.h has the calls):
 *  - ne_ncf_limit_may_send(): may the NCF for this NAK go now? What it
 *    found per SQN stays in a struct ne_ncf_check that nak.c holds and
 *    hands back to one of:
 *  - ne_ncf_limit_sent(): the NCF went out, intervals begin;
 *  - ne_ncf_limit_owe(): the NAK is held back and owed an NCF at the
 *    interval's end (false when there is no room: nak.c sends now);
 *  - ne_ncf_limit_tick(): intervals that end send what they owe, an NCF
 *    rebuilt for one SQN (ncf_out.c).
 * With limiting off (ne->ncf_limit NULL) nak.c sends without asking.
 * No other file reads or writes the limiter's state, the ncf_* fields of
 * struct ne_rstate included (ne_ncf_limit_rstate_init() clears them when
 * repair.c makes a state).
 *
 * Where an interval lives:
 *  - The first interval of an SQN is kept in its repair state (ncf_at,
 *    ncf_slot: 6 bytes that were padding), so a first NAK, the common
 *    case in a storm of distinct SQNs, costs no table lookup and no
 *    eviction. Nothing is owed until a second NAK comes, so such an
 *    interval needs no timer: it has ended when now - ncf_at >= ivl.
 *  - A table of its own holds every interval that owes an NCF (an
 *    identical NAK on the same interface was suppressed: the repair
 *    state's interval moves here, same deadline, and ncf_tab tells later
 *    NAKs to look here, as the interval may re-arm), and every interval
 *    without a repair state to keep it: a NAK that made none (state
 *    table full) or another interface's NAK for an SQN whose state keeps
 *    the first interface's interval. When that interval has ended and
 *    owes nothing, the state takes the new interface's instead.
 *
 * Clock: ncf_at is the low 32 bits of the ms clock, compared serially.
 * Wrap rule: an interval seen to have ended is moved back to exactly one
 * interval ago, so it reads as ended until 2^32 - ivl ms (49 days) after
 * the last NAK that looked at it. A repair state that went that long
 * without a NAK (upstream NCFs alone can keep one) would take its next
 * NAK for one inside an interval: that NCF goes at the interval's end,
 * at most ivl late, never lost. A repair state freed while
 * its interval owes an NCF leaves the table entry, which sends the NCF
 * at the interval's end (it names TSI and ifindex, not the state); a
 * NAK after the state went makes new state, a new repair, and is
 * answered at once.
 *
 * The table: NCF_LIM_MAX entries of 32 bytes plus a 4-byte bucket each,
 * 288 KiB, allocated only when limiting is on. One FIFO sorted by
 * deadline: re-armed intervals end now + ivl, latest of all; an interval
 * that moves here from a repair state ends earlier, so it takes the FIFO
 * tail's deadline if that is later, and its NCF goes at most one
 * interval after the NAK that owes it. When the table is full, a new
 * interval after an NCF ends the oldest entry early (its NCF, if owed,
 * goes now), and a NAK that would owe an NCF in an interval not in the
 * table yet is answered at once instead: either way one NCF now, but the
 * second costs an echo, not an NCF built from scratch, and the table
 * keeps its intervals. Entries name the TSI and ifindex, not table
 * slots, so a session or an interface that goes away meanwhile is
 * noticed when the NCF falls due.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

#define NCF_LIM_BITS 13
#define NCF_LIM_MAX (1u << NCF_LIM_BITS) /* 250k NAKs/s x 10 ms = 2.5k in use */

struct ncf_ent {
	struct pgm_tsi tsi;
	uint32_t sqn;
	int32_t ifindex;
	uint32_t deadline;   /* end of the interval, low 32 bits of ms clock */
	uint32_t hnext;      /* hash chain; free-list link when free */
	uint32_t next;       /* FIFO towards later deadlines */
	uint8_t owed;        /* NAKs were suppressed: one NCF at the deadline */
};
_Static_assert(sizeof(struct ncf_ent) == 32, "NCF limiter entry is 32 bytes");

struct ne_ncf_limit {
	uint32_t ivl;        /* ms */
	uint32_t free, head, tail, used;
	uint32_t bucket[NCF_LIM_MAX];
	struct ncf_ent e[NCF_LIM_MAX];
};

bool ne_ncf_limit_init(struct ne *ne)
{
	if (ne->cfg.ncf_ivl_ms == 0)
		return true;
	struct ne_ncf_limit *l = malloc(sizeof(*l));
	if (l == NULL)
		return false;
	l->ivl = ne->cfg.ncf_ivl_ms > NE_MAX_TIMER_MS ? NE_MAX_TIMER_MS : ne->cfg.ncf_ivl_ms;
	l->head = l->tail = NE_NIL;
	l->used = 0;
	l->free = 0;
	memset(l->bucket, 0xff, sizeof(l->bucket));
	for (uint32_t i = 0; i < NCF_LIM_MAX; i++)
		l->e[i].hnext = i + 1 < NCF_LIM_MAX ? i + 1 : NE_NIL;
	ne->ncf_limit = l;
	return true;
}

void ne_ncf_limit_free(struct ne *ne)
{
	free(ne->ncf_limit);
	ne->ncf_limit = NULL;
}

static uint32_t *bucket_of(struct ne_ncf_limit *l, const struct pgm_tsi *tsi, uint32_t sqn,
                           int ifindex)
{
	uint64_t k;
	memcpy(&k, tsi, sizeof(k));
	k ^= ((uint64_t)sqn << 32 | (uint32_t)ifindex) * 0xC2B2AE3D27D4EB4Full;
	return &l->bucket[ne_hash_index(k, 64 - NCF_LIM_BITS)];
}

static struct ncf_ent *find(struct ne_ncf_limit *l, const struct pgm_tsi *tsi, uint32_t sqn,
                            int ifindex)
{
	for (uint32_t i = *bucket_of(l, tsi, sqn, ifindex); i != NE_NIL; i = l->e[i].hnext) {
		struct ncf_ent *e = &l->e[i];
		if (e->sqn == sqn && e->ifindex == ifindex && ne_tsi_key(&e->tsi) == ne_tsi_key(tsi))
			return e;
	}
	return NULL;
}

static void fifo_push(struct ne_ncf_limit *l, uint32_t i)
{
	l->e[i].next = NE_NIL;
	if (l->tail == NE_NIL)
		l->head = i;
	else
		l->e[l->tail].next = i;
	l->tail = i;
}

static uint32_t fifo_pop(struct ne_ncf_limit *l)
{
	uint32_t i = l->head;
	l->head = l->e[i].next;
	if (l->head == NE_NIL)
		l->tail = NE_NIL;
	return i;
}

/* Off the hash and onto the free list; the caller has taken it off the FIFO. */
static void release(struct ne_ncf_limit *l, uint32_t i)
{
	struct ncf_ent *e = &l->e[i];
	uint32_t *p = bucket_of(l, &e->tsi, e->sqn, e->ifindex);
	while (*p != i)
		p = &l->e[*p].hnext;
	*p = e->hnext;
	e->hnext = l->free;
	l->free = i;
	l->used--;
}

/* The one NCF for the NAKs an interval suppressed, if it can still go. */
static bool send_owed(struct ne *ne, const struct ncf_ent *e)
{
	struct ne_iface *in = ne_iface_by_index(ne->ifaces, e->ifindex);
	struct ne_session *s = ne_session_find(ne, &e->tsi);
	if (in == NULL || !in->enabled || s == NULL)
		return false;
	if (!ne_send_ncf_sqn(ne, s, in, e->sqn))
		return false;
	in->cnt.NcfCoalesced++;
	return true;
}

/* The interval at the head ends: NCF if owed, then a new interval or the end. */
static void expire_head(struct ne *ne, struct ne_ncf_limit *l, bool rearm)
{
	uint32_t i = fifo_pop(l);
	struct ncf_ent *e = &l->e[i];
	if (e->owed && send_owed(ne, e) && rearm) {
		e->owed = 0;
		e->deadline = ne_t32(ne->now + l->ivl);
		fifo_push(l, i);
		return;
	}
	release(l, i);
}

void ne_ncf_limit_tick(struct ne *ne)
{
	struct ne_ncf_limit *l = ne->ncf_limit;
	if (l == NULL)
		return;
	/* Entries re-armed here go to the tail with a later deadline: the
	 * loop ends at the first entry not yet due. */
	while (l->head != NE_NIL && ne_due(l->e[l->head].deadline, ne->now))
		expire_head(ne, l, true);
}

uint64_t ne_ncf_limit_deadline(const struct ne *ne)
{
	const struct ne_ncf_limit *l = ne->ncf_limit;
	if (l == NULL || l->head == NE_NIL)
		return UINT64_MAX;
	return ne_t64(ne, l->e[l->head].deadline);
}

/* A table entry for (TSI, SQN, ifindex) whose interval ends at `deadline`
 * or, if the FIFO's last entry ends later, with it: the FIFO stays sorted
 * and the owed NCF goes at most one interval after the NAK that owes it. */
static struct ncf_ent *open_interval(struct ne *ne, struct ne_ncf_limit *l,
                                     const struct pgm_tsi *tsi, uint32_t sqn, int ifindex,
                                     uint32_t deadline)
{
	if (l->free == NE_NIL)
		expire_head(ne, l, false); /* full: the oldest interval ends early */
	if (l->tail != NE_NIL && (int32_t)(deadline - l->e[l->tail].deadline) < 0)
		deadline = l->e[l->tail].deadline;
	uint32_t i = l->free;
	struct ncf_ent *e = &l->e[i];
	l->free = e->hnext;
	*e = (struct ncf_ent){ .tsi = *tsi, .sqn = sqn, .ifindex = ifindex,
	                       .deadline = deadline };
	uint32_t *b = bucket_of(l, tsi, sqn, ifindex);
	e->hnext = *b;
	*b = i;
	fifo_push(l, i);
	l->used++;
	return e;
}

/* SQN i of the NAK in k, on its arrival interface, in the table: the
 * entry if there is one; a new one. The NAK's TSI is its session's: the
 * session was found by it. */
static struct ncf_ent *find_sqn(struct ne_ncf_limit *l, const struct ne_ncf_check *k, unsigned i)
{
	return find(l, &k->c->pkt->tsi, k->sqns[i], k->c->in->ifindex);
}

static struct ncf_ent *open_sqn(struct ne *ne, struct ne_ncf_limit *l,
                                const struct ne_ncf_check *k, unsigned i, uint32_t deadline)
{
	return open_interval(ne, l, &k->c->pkt->tsi, k->sqns[i], k->c->in->ifindex, deadline);
}

/* A repair state was made: it keeps no interval yet, so the first NAK
 * for its SQN is answered at once and costs no table lookup. */
void ne_ncf_limit_rstate_init(struct ne_rstate *r)
{
	r->ncf_at = 0;
	r->ncf_slot = 0;
	r->ncf_tab = 0;
}

/* Serial age of the repair state's interval; one that has ended is moved
 * to exactly one interval ago, so a state's interval reads as ended for
 * 2^32 - ivl ms after any NAK saw it ended (the wrap rule). */
static bool rec_inside(const struct ne_ncf_limit *l, struct ne_rstate *r, uint32_t now)
{
	if (now - r->ncf_at < l->ivl)
		return true;
	r->ncf_at = now - l->ivl;
	return false;
}

static inline uint64_t bit(unsigned i) { return (uint64_t)1 << i; }

/* The table's part of classify(): whether SQN i is inside an interval
 * kept there. Out of line, so that the common cases above it need no
 * saved registers. */
static __attribute__((noinline)) bool classify_in_table(struct ne_ncf_limit *l,
                                                        struct ne_ncf_check *k, unsigned i,
                                                        bool in_rstate)
{
	struct ne_rstate *r = k->rs[i];
	if (find_sqn(l, k, i) != NULL) {
		k->inside |= bit(i);
		return true;
	}
	/* Another interface's interval that has ended and owes nothing:
	 * the state keeps this interface's from now on. */
	if (!in_rstate && r != NULL && !r->ncf_tab && !rec_inside(l, r, k->now))
		k->in_rstate |= bit(i);
	return false;
}

/*
 * SQN i of a NAK: is the arrival interface inside an interval for it
 * (bit i of k->inside, and the result), and where is that interval kept
 * (bit i of k->in_rstate): in its repair state when that state has no
 * interval yet or has it for this interface; in the table otherwise: no
 * state, or the state's interval is another interface's.
 */
static inline bool classify(struct ne_ncf_limit *l, struct ne_ncf_check *k, unsigned i)
{
	struct ne_rstate *r = k->rs[i];
	bool in_rstate = r != NULL && (r->ncf_slot == 0 || r->ncf_slot == k->slot1);
	if (!in_rstate)
		return classify_in_table(l, k, i, false);
	k->in_rstate |= bit(i);
	if (r->ncf_slot == 0)
		return false; /* the first NAK: nothing to look up */
	if (rec_inside(l, r, k->now)) {
		k->inside |= bit(i);
		return true;
	}
	/* The table, if this interface's interval went there after a
	 * suppressed NAK (it may have re-armed). */
	return r->ncf_tab && classify_in_table(l, k, i, true);
}

/* classify() for every SQN of a list NAK: true if some SQN is outside
 * every interval. */
static __attribute__((noinline)) bool classify_list(struct ne_ncf_limit *l,
                                                    struct ne_ncf_check *k)
{
	unsigned inside = 0;
	for (unsigned i = 0; i < k->n; i++)
		inside += classify(l, k, i);
	return inside < k->n;
}

/*
 * A NAK naming several SQNs (OPT_NAK_LIST) is answered at once when any
 * of them has no interval open on this interface; the NCF echoes the
 * whole NAK and opens intervals for those. Only a NAK whose every SQN is
 * inside an interval is held back; each SQN then owes its own NCF.
 */
bool ne_ncf_limit_may_send(struct ne *ne, const struct ne_pkt_ctx *c, const uint32_t *sqns,
                           struct ne_rstate *const *rs, unsigned n, struct ne_ncf_check *k)
{
	struct ne_ncf_limit *l = ne->ncf_limit;
	k->c = c;
	k->sqns = sqns;
	k->rs = rs;
	k->n = n;
	k->now = ne_t32(ne->now);
	k->slot1 = (uint8_t)(ne_iface_slot(ne->ifaces, c->in) + 1);
	k->inside = k->in_rstate = 0;
	if (n != 1)
		return classify_list(l, k);
	return !classify(l, k, 0); /* the common case, without the loop */
}

/* SQN i of a held-back NAK: its interval (e, or a new one when e is
 * NULL) owes an NCF, and its repair state knows the table holds it. */
static inline void owe_sqn(struct ne *ne, struct ne_ncf_limit *l, const struct ne_ncf_check *k,
                           unsigned i, struct ncf_ent *e)
{
	struct ne_rstate *r = k->in_rstate & bit(i) ? k->rs[i] : NULL;
	if (e == NULL)
		e = open_sqn(ne, l, k, i, r != NULL ? r->ncf_at + l->ivl : k->now + l->ivl);
	e->owed = 1;
	if (r != NULL)
		r->ncf_tab = 1;
}

/* Every SQN owes an NCF; all or nothing (see ne_ncf_limit_owe). */
static bool owe_all(struct ne *ne, struct ne_ncf_limit *l, const struct ne_ncf_check *k)
{
	struct ncf_ent *e[PGM_MAX_NAK_LIST + 1];
	unsigned need = 0;
	for (unsigned i = 0; i < k->n; i++) {
		e[i] = find_sqn(l, k, i);
		need += e[i] == NULL;
	}
	if (need > NCF_LIM_MAX - l->used)
		return false;
	for (unsigned i = 0; i < k->n; i++) {
		if (e[i] == NULL) /* a repair state's interval moves here */
			e[i] = find_sqn(l, k, i); /* the list may repeat an SQN */
		owe_sqn(ne, l, k, i, e[i]);
	}
	return true;
}

/* owe_all() for one SQN, the common case: the same steps without the
 * per-SQN array. */
static bool owe_one(struct ne *ne, struct ne_ncf_limit *l, const struct ne_ncf_check *k)
{
	struct ncf_ent *e = find_sqn(l, k, 0);
	if (e == NULL && l->used >= NCF_LIM_MAX)
		return false;
	owe_sqn(ne, l, k, 0, e);
	return true;
}

/*
 * A held-back NAK: each SQN's interval owes one NCF at its end. False,
 * and nothing owed, when the table has no room for the intervals that
 * are not in it yet: the NAK is then answered at once, as it would be
 * without limiting (ending other intervals early to make room would
 * cost an NCF each as well, built from scratch).
 */
bool ne_ncf_limit_owe(struct ne *ne, const struct ne_ncf_check *k)
{
	struct ne_ncf_limit *l = ne->ncf_limit;
	return k->n == 1 ? owe_one(ne, l, k) : owe_all(ne, l, k);
}

/* NCFs went now for the SQNs in `fresh` whose intervals the table keeps:
 * those intervals begin. Out of line, like classify_in_table(). */
static __attribute__((noinline)) void begin_in_table(struct ne *ne, const struct ne_ncf_check *k,
                                                     uint64_t fresh)
{
	struct ne_ncf_limit *l = ne->ncf_limit;
	for (; fresh != 0; fresh &= fresh - 1) {
		unsigned i = (unsigned)__builtin_ctzll(fresh);
		if (find_sqn(l, k, i) == NULL) /* the list may repeat an SQN */
			open_sqn(ne, l, k, i, ne_t32(ne->now + l->ivl));
	}
}

/* The NCF went now: intervals begin for the SQNs outside any; one kept
 * in a repair state is just marked there. */
void ne_ncf_limit_sent(struct ne *ne, const struct ne_ncf_check *k)
{
	uint64_t fresh = ~k->inside & (bit(k->n) - 1);
	for (uint64_t m = fresh & k->in_rstate; m != 0; m &= m - 1) {
		struct ne_rstate *r = k->rs[__builtin_ctzll(m)];
		r->ncf_at = k->now;
		r->ncf_slot = k->slot1;
		r->ncf_tab = 0; /* classify found no table entry */
	}
	if (fresh & ~k->in_rstate)
		begin_in_table(ne, k, fresh & ~k->in_rstate);
}
