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
 * see every NAK as before.
 *
 * The entries are a table of their own, not part of the repair state
 * (which stays at its size): NCF_LIM_MAX entries of 32 bytes plus a
 * 4-byte bucket each, 288 KiB, allocated only when limiting is on. All
 * intervals are equally long, so one FIFO is sorted by deadline. When the
 * table is full the oldest entry ends early (its NCF, if owed, goes now).
 * Entries name the TSI and ifindex, not table slots, so a session or an
 * interface that goes away meanwhile is noticed when the NCF falls due.
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

struct ne_ncflim {
	uint32_t ivl;        /* ms */
	uint32_t free, head, tail, used;
	uint32_t bucket[NCF_LIM_MAX];
	struct ncf_ent e[NCF_LIM_MAX];
};

bool ne_ncflim_init(struct ne *ne)
{
	if (ne->cfg.ncf_ivl_ms == 0)
		return true;
	struct ne_ncflim *l = malloc(sizeof(*l));
	if (l == NULL)
		return false;
	l->ivl = ne->cfg.ncf_ivl_ms > NE_MAX_TIMER_MS ? NE_MAX_TIMER_MS : ne->cfg.ncf_ivl_ms;
	l->head = l->tail = NE_NIL;
	l->used = 0;
	l->free = 0;
	memset(l->bucket, 0xff, sizeof(l->bucket));
	for (uint32_t i = 0; i < NCF_LIM_MAX; i++)
		l->e[i].hnext = i + 1 < NCF_LIM_MAX ? i + 1 : NE_NIL;
	ne->ncflim = l;
	return true;
}

void ne_ncflim_free(struct ne *ne)
{
	free(ne->ncflim);
	ne->ncflim = NULL;
}

static uint32_t *bucket_of(struct ne_ncflim *l, const struct pgm_tsi *tsi, uint32_t sqn,
                           int ifindex)
{
	uint64_t k;
	memcpy(&k, tsi, sizeof(k));
	k ^= ((uint64_t)sqn << 32 | (uint32_t)ifindex) * 0xC2B2AE3D27D4EB4Full;
	return &l->bucket[ne_hash_index(k, 64 - NCF_LIM_BITS)];
}

static struct ncf_ent *find(struct ne_ncflim *l, const struct pgm_tsi *tsi, uint32_t sqn,
                            int ifindex)
{
	for (uint32_t i = *bucket_of(l, tsi, sqn, ifindex); i != NE_NIL; i = l->e[i].hnext) {
		struct ncf_ent *e = &l->e[i];
		if (e->sqn == sqn && e->ifindex == ifindex && pgm_tsi_eq(&e->tsi, tsi))
			return e;
	}
	return NULL;
}

static void fifo_push(struct ne_ncflim *l, uint32_t i)
{
	l->e[i].next = NE_NIL;
	if (l->tail == NE_NIL)
		l->head = i;
	else
		l->e[l->tail].next = i;
	l->tail = i;
}

static uint32_t fifo_pop(struct ne_ncflim *l)
{
	uint32_t i = l->head;
	l->head = l->e[i].next;
	if (l->head == NE_NIL)
		l->tail = NE_NIL;
	return i;
}

/* Off the hash and onto the free list; the caller has taken it off the FIFO. */
static void release(struct ne_ncflim *l, uint32_t i)
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
static void expire_head(struct ne *ne, struct ne_ncflim *l, bool rearm)
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

void ne_ncflim_tick(struct ne *ne)
{
	struct ne_ncflim *l = ne->ncflim;
	if (l == NULL)
		return;
	/* Entries re-armed here go to the tail with a later deadline: the
	 * loop ends at the first entry not yet due. */
	while (l->head != NE_NIL && ne_due(l->e[l->head].deadline, ne->now))
		expire_head(ne, l, true);
}

uint64_t ne_ncflim_deadline(const struct ne *ne)
{
	const struct ne_ncflim *l = ne->ncflim;
	if (l == NULL || l->head == NE_NIL)
		return UINT64_MAX;
	return ne_t64(ne, l->e[l->head].deadline);
}

static void open_interval(struct ne *ne, struct ne_ncflim *l, const struct pgm_tsi *tsi,
                          uint32_t sqn, int ifindex)
{
	if (l->free == NE_NIL)
		expire_head(ne, l, false); /* full: the oldest interval ends early */
	uint32_t i = l->free;
	struct ncf_ent *e = &l->e[i];
	l->free = e->hnext;
	*e = (struct ncf_ent){ .tsi = *tsi, .sqn = sqn, .ifindex = ifindex,
	                       .deadline = ne_t32(ne->now + l->ivl) };
	uint32_t *b = bucket_of(l, tsi, sqn, ifindex);
	e->hnext = *b;
	*b = i;
	fifo_push(l, i);
	l->used++;
}

/*
 * A NAK naming several SQNs (OPT_NAK_LIST) is answered at once when any
 * of them has no interval open on this interface; the NCF echoes the
 * whole NAK and opens intervals for those. Only a NAK whose every SQN is
 * inside an interval is suppressed; each SQN then owes its own NCF.
 */
void ne_answer_nak(struct ne *ne, const struct ne_pkt_ctx *c, const struct ne_session *s,
                   const uint32_t *sqns, unsigned n)
{
	struct ne_ncflim *l = ne->ncflim;
	if (l == NULL) {
		ne_send_ncf(ne, c, s);
		return;
	}
	const struct pgm_tsi *tsi = &s->tsi;
	int ifx = c->in->ifindex;
	struct ncf_ent *ent[PGM_MAX_NAK_LIST + 1];
	bool fresh = false;
	for (unsigned i = 0; i < n; i++) {
		ent[i] = find(l, tsi, sqns[i], ifx);
		fresh |= ent[i] == NULL;
	}
	if (!fresh) {
		for (unsigned i = 0; i < n; i++)
			ent[i]->owed = 1;
		c->in->cnt.NcfSuppressed++;
		return;
	}
	if (!ne_send_ncf(ne, c, s))
		return; /* nothing went out: the next NAK tries again */
	for (unsigned i = 0; i < n; i++)
		if (ent[i] == NULL && find(l, tsi, sqns[i], ifx) == NULL) /* list repeats */
			open_interval(ne, l, tsi, sqns[i], ifx);
}
