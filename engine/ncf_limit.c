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

/*
 * Where one SQN's interval on the arrival interface is kept: in its
 * repair state (REC) when that state has no interval yet or has it for
 * this interface; in the table (TAB) otherwise: no state, or the state's
 * interval is another interface's.
 */
enum where { W_REC, W_TAB };

struct sqn_ncf {
	enum where where;
	bool inside;          /* a NAK now is inside an interval: suppressed */
	struct ne_rstate *r;
};

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

static inline void classify(struct ne_ncf_limit *l, const struct pgm_tsi *tsi, uint32_t sqn,
                     struct ne_rstate *r, uint8_t slot1, int ifx, uint32_t now,
                     struct sqn_ncf *q)
{
	q->r = r;
	q->where = r != NULL && (r->ncf_slot == 0 || r->ncf_slot == slot1) ? W_REC : W_TAB;
	if (q->where == W_REC && r->ncf_slot == 0) {
		q->inside = false; /* the first NAK: nothing to look up */
		return;
	}
	if (q->where == W_REC && rec_inside(l, r, now)) {
		q->inside = true;
		return;
	}
	/* The table: another interface's NAK, or this interface after a
	 * suppressed NAK put the SQN there (it may have re-armed). */
	if (q->where == W_REC && !r->ncf_tab) {
		q->inside = false;
		return;
	}
	q->inside = find(l, tsi, sqn, ifx) != NULL;
	/* Another interface's interval that has ended and owes nothing:
	 * the state keeps this interface's from now on. */
	if (!q->inside && q->where == W_TAB && r != NULL && !r->ncf_tab && !rec_inside(l, r, now))
		q->where = W_REC;
}

/* One SQN of a suppressed NAK: its interval (e, or a new one when e is
 * NULL) owes an NCF, and its repair state knows the table holds it. */
static inline void owe_sqn(struct ne *ne, struct ne_ncf_limit *l, const struct pgm_tsi *tsi,
                           uint32_t sqn, const struct sqn_ncf *q, int ifx, uint32_t now,
                           struct ncf_ent *e)
{
	struct ne_rstate *r = q->where == W_REC ? q->r : NULL;
	if (e == NULL)
		e = open_interval(ne, l, tsi, sqn, ifx, r != NULL ? r->ncf_at + l->ivl : now + l->ivl);
	e->owed = 1;
	if (r != NULL)
		r->ncf_tab = 1;
}

/*
 * A suppressed NAK: each SQN's interval owes one NCF at its end. False,
 * and nothing owed, when the table has no room for the intervals that
 * are not in it yet: the NAK is then answered at once, as it would be
 * without limiting (ending other intervals early to make room would
 * cost an NCF each as well, built from scratch).
 */
static bool owe(struct ne *ne, struct ne_ncf_limit *l, const struct pgm_tsi *tsi,
                const uint32_t *sqns, const struct sqn_ncf *q, unsigned n, int ifx,
                uint32_t now)
{
	struct ncf_ent *e[PGM_MAX_NAK_LIST + 1];
	unsigned need = 0;
	for (unsigned i = 0; i < n; i++) {
		e[i] = find(l, tsi, sqns[i], ifx);
		need += e[i] == NULL;
	}
	if (need > NCF_LIM_MAX - l->used)
		return false;
	for (unsigned i = 0; i < n; i++) {
		if (e[i] == NULL) /* a repair state's interval moves here */
			e[i] = find(l, tsi, sqns[i], ifx); /* the list may repeat an SQN */
		owe_sqn(ne, l, tsi, sqns[i], &q[i], ifx, now, e[i]);
	}
	return true;
}

/* An NCF went now for a fresh SQN: its interval begins. */
static inline void begin(struct ne *ne, struct ne_ncf_limit *l, const struct pgm_tsi *tsi, uint32_t sqn,
                  int ifx, uint8_t slot1, const struct sqn_ncf *q)
{
	if (q->where == W_REC) {
		q->r->ncf_at = ne_t32(ne->now);
		q->r->ncf_slot = slot1;
		q->r->ncf_tab = 0; /* classify found no table entry */
		return;
	}
	if (find(l, tsi, sqn, ifx) == NULL) /* the list may repeat an SQN */
		open_interval(ne, l, tsi, sqn, ifx, ne_t32(ne->now + l->ivl));
}

/* owe() for one SQN: the same steps without the per-SQN arrays. */
static bool owe_one(struct ne *ne, struct ne_ncf_limit *l, const struct pgm_tsi *tsi,
                    uint32_t sqn, const struct sqn_ncf *q, int ifx, uint32_t now)
{
	struct ncf_ent *e = find(l, tsi, sqn, ifx);
	if (e == NULL && l->used >= NCF_LIM_MAX)
		return false;
	owe_sqn(ne, l, tsi, sqn, q, ifx, now, e);
	return true;
}

/* A NAK naming one SQN, the common case: ne_answer_nak()'s steps
 * without its per-SQN arrays. */
static void answer_one(struct ne *ne, struct ne_ncf_limit *l, const struct ne_pkt_ctx *c,
                       const struct ne_session *s, uint32_t sqn, struct ne_rstate *r)
{
	int ifx = c->in->ifindex;
	uint8_t slot1 = (uint8_t)(ne_iface_slot(ne->ifaces, c->in) + 1);
	uint32_t now = ne_t32(ne->now);
	struct sqn_ncf q;
	classify(l, &s->tsi, sqn, r, slot1, ifx, now, &q);
	if (q.inside && owe_one(ne, l, &s->tsi, sqn, &q, ifx, now)) {
		c->in->cnt.NcfSuppressed++;
		return;
	}
	if (!ne_send_ncf(ne, c, s))
		return; /* nothing went out: the next NAK tries again */
	if (!q.inside)
		begin(ne, l, &s->tsi, sqn, ifx, slot1, &q);
}

/*
 * A NAK naming several SQNs (OPT_NAK_LIST) is answered at once when any
 * of them has no interval open on this interface; the NCF echoes the
 * whole NAK and opens intervals for those. Only a NAK whose every SQN is
 * inside an interval is suppressed; each SQN then owes its own NCF.
 */
void ne_answer_nak(struct ne *ne, const struct ne_pkt_ctx *c, const struct ne_session *s,
                   const uint32_t *sqns, struct ne_rstate *const *rs, unsigned n)
{
	struct ne_ncf_limit *l = ne->ncf_limit;
	if (l == NULL) {
		ne_send_ncf(ne, c, s);
		return;
	}
	if (n == 1) {
		answer_one(ne, l, c, s, sqns[0], rs[0]);
		return;
	}
	const struct pgm_tsi *tsi = &s->tsi;
	int ifx = c->in->ifindex;
	uint8_t slot1 = (uint8_t)(ne_iface_slot(ne->ifaces, c->in) + 1);
	uint32_t now = ne_t32(ne->now);
	struct sqn_ncf q[PGM_MAX_NAK_LIST + 1];
	bool fresh = false;
	for (unsigned i = 0; i < n; i++) {
		classify(l, tsi, sqns[i], rs[i], slot1, ifx, now, &q[i]);
		fresh |= !q[i].inside;
	}
	if (!fresh && owe(ne, l, tsi, sqns, q, n, ifx, now)) {
		c->in->cnt.NcfSuppressed++;
		return;
	}
	if (!ne_send_ncf(ne, c, s))
		return; /* nothing went out: the next NAK tries again */
	for (unsigned i = 0; fresh && i < n; i++)
		if (!q[i].inside)
			begin(ne, l, tsi, sqns[i], ifx, slot1, &q[i]);
}
