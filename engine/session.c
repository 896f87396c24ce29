/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Session table: per-TSI source path state (RFC 3208 §7.1), a slab of
 * max_sessions entries found by TSI through an index-chained hash, and a
 * FIFO of live sessions ordered by their last in-sequence SPM, so the
 * session lifetime timer is O(1).
 *
 * A session that times out leaves the hash at once (no new state can
 * find it) but keeps its slot while repair states still point at it;
 * those expire within NAK_RDATA_IVL and release the slot.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

_Static_assert(sizeof(struct ne_session) <= 80, "session is at most 80 bytes");

bool ne_sessions_init(struct ne *ne)
{
	uint32_t n = ne->cfg.max_sessions;
	unsigned bits = ne_bucket_bits(n);
	size_t nb = (size_t)1 << bits;
	ne->sess = calloc(n, sizeof(*ne->sess));
	ne->sess_bucket = malloc(nb * sizeof(*ne->sess_bucket));
	if (ne->sess == NULL || ne->sess_bucket == NULL)
		return false;
	memset(ne->sess_bucket, 0xff, nb * sizeof(*ne->sess_bucket));
	ne->sess_shift = 64 - bits;
	for (uint32_t i = 0; i < n; i++)
		ne->sess[i].hnext = i + 1 < n ? i + 1 : NE_NIL;
	ne->sess_free = 0;
	ne->sess_lru.head = ne->sess_lru.tail = NE_NIL;
	return true;
}

void ne_sessions_free(struct ne *ne)
{
	free(ne->sess);
	free(ne->sess_bucket);
}

static uint32_t *bucket_of(struct ne *ne, const struct pgm_tsi *tsi)
{
	return &ne->sess_bucket[ne_hash_index(ne_tsi_key(tsi), ne->sess_shift)];
}

struct ne_session *ne_session_find(struct ne *ne, const struct pgm_tsi *tsi)
{
	uint64_t key = ne_tsi_key(tsi);
	for (uint32_t i = *bucket_of(ne, tsi); i != NE_NIL; i = ne->sess[i].hnext)
		if (ne_tsi_key(&ne->sess[i].tsi) == key)
			return &ne->sess[i];
	return NULL;
}

/* NLAs we can answer for: IPv4, and the group the session's SPMs went
 * to, so a forged NAK cannot aim our NCF at another destination. */
static bool nak_addresses_ok(const struct pgm_pkt *p, const struct ne_session *s)
{
	return p->u.nak.src.afi == PGM_AFI_IPV4 && p->u.nak.grp.afi == PGM_AFI_IPV4 &&
	       p->u.nak.grp.u.v4.s_addr == s->group.s_addr;
}

/*
 * Session of a NAK or NNAK we can act on (§7.2, §9.5.3.2). NULL when the
 * packet is to be dropped: no session (counted in *no_session) or NLAs
 * we cannot answer for (NakError).
 */
struct ne_session *ne_session_for_nak(struct ne *ne, const struct ne_pkt_ctx *c,
                                      uint64_t *no_session, enum ne_verdict *v)
{
	struct ne_session *s = ne_session_find(ne, &c->pkt->tsi);
	if (s == NULL) {
		(*no_session)++;
		*v = NE_ACCEPT;
		return NULL;
	}
	if (!nak_addresses_ok(c->pkt, s)) {
		c->in->cnt.NakError++;
		*v = NE_DROP;
		return NULL;
	}
	return s;
}

static void lru_unlink(struct ne *ne, struct ne_session *s)
{
	if (s->prev != NE_NIL)
		ne->sess[s->prev].next = s->next;
	else
		ne->sess_lru.head = s->next;
	if (s->next != NE_NIL)
		ne->sess[s->next].prev = s->prev;
	else
		ne->sess_lru.tail = s->prev;
	s->prev = s->next = NE_NIL;
}

static void lru_append(struct ne *ne, struct ne_session *s)
{
	uint32_t i = ne_session_index(ne, s);
	s->next = NE_NIL;
	s->prev = ne->sess_lru.tail;
	if (s->prev != NE_NIL)
		ne->sess[s->prev].next = i;
	else
		ne->sess_lru.head = i;
	ne->sess_lru.tail = i;
}

struct ne_session *ne_session_add(struct ne *ne, const struct pgm_tsi *tsi)
{
	if (ne->sess_free == NE_NIL) {
		ne->health.SessionTableFull++;
		return NULL;
	}
	uint32_t i = ne->sess_free;
	struct ne_session *s = &ne->sess[i];
	ne->sess_free = s->hnext;
	memset(s, 0, sizeof(*s));
	s->tsi = *tsi;
	s->state = SS_LIVE;
	s->created_ms = s->last_spm_ms = ne->now;
	uint32_t *b = bucket_of(ne, tsi);
	s->hnext = *b;
	*b = i;
	lru_append(ne, s);
	ne->sess_live++;
	return s;
}

void ne_session_touch(struct ne *ne, struct ne_session *s)
{
	s->last_spm_ms = ne->now;
	lru_unlink(ne, s);
	lru_append(ne, s);
}

static void hash_unlink(struct ne *ne, struct ne_session *s)
{
	uint32_t want = ne_session_index(ne, s);
	for (uint32_t *p = bucket_of(ne, &s->tsi); *p != NE_NIL; p = &ne->sess[*p].hnext)
		if (*p == want) {
			*p = s->hnext;
			return;
		}
}

static void slot_free(struct ne *ne, struct ne_session *s)
{
	s->state = SS_FREE;
	s->hnext = ne->sess_free;
	ne->sess_free = ne_session_index(ne, s);
}

/* Lifetime over: forget the TSI; free the slot once no state uses it. */
static void session_expire(struct ne *ne, struct ne_session *s)
{
	hash_unlink(ne, s);
	lru_unlink(ne, s);
	s->state = SS_DEAD;
	ne->sess_live--;
	if (s->rstates == 0)
		slot_free(ne, s);
}

void ne_session_release(struct ne *ne, uint32_t i)
{
	struct ne_session *s = &ne->sess[i];
	s->rstates--;
	if (s->rstates == 0 && s->state == SS_DEAD)
		slot_free(ne, s);
}

void ne_sessions_tick(struct ne *ne)
{
	uint64_t life = ne->cfg.session_lifetime_ms;
	if (life == 0) /* MIB: 0 = no timeout */
		return;
	while (ne->sess_lru.head != NE_NIL) {
		struct ne_session *s = &ne->sess[ne->sess_lru.head];
		if (s->last_spm_ms + life > ne->now)
			break;
		session_expire(ne, s);
	}
}

uint64_t ne_sessions_deadline(const struct ne *ne)
{
	if (ne->cfg.session_lifetime_ms == 0 || ne->sess_lru.head == NE_NIL)
		return UINT64_MAX;
	return ne->sess[ne->sess_lru.head].last_spm_ms + ne->cfg.session_lifetime_ms;
}

/*
 * §8.3: a NAK-layout packet (NAK or NCF) for one SQN of s, from its path
 * state: repair state keeps no packet bytes, so NAK retries (upstream.c)
 * and the rate limiter's coalesced NCFs (ncf_out.c) are rebuilt from
 * the TSI, the data-destination port and the source's NLA and group
 * learnt from SPMs (§7.1). Ports are in the packet's direction: an
 * upstream type carries the TSI's port as its destination (§8).
 */
size_t ne_session_build(uint8_t *buf, size_t cap, const struct ne_session *s, uint8_t type,
                        uint32_t sqn)
{
	bool up = pgm_type_upstream(type);
	struct pgm_pkt p = {
		.type = type,
		.sport = up ? s->dport : s->tsi.sport,
		.dport = up ? s->tsi.sport : s->dport,
		.tsi = s->tsi,
	};
	p.u.nak.sqn = sqn;
	pgm_nla_from_in(&p.u.nak.src, s->source);
	pgm_nla_from_in(&p.u.nak.grp, s->group);
	return pgm_build(buf, cap, &p);
}

void ne_foreach_session(const struct ne *ne, ne_session_cb cb, void *arg)
{
	for (uint32_t i = 0; i < ne->cfg.max_sessions; i++) {
		const struct ne_session *s = &ne->sess[i];
		if (s->state != SS_LIVE)
			continue;
		struct ne_session_view v = {
			.tsi = s->tsi, .group = s->group, .source = s->source,
			.dport = s->dport, .upstream = s->upstream,
			.upstream_ifindex = s->upstream_ifindex, .spm_sqn = s->spm_sqn,
			.trail = s->trail, .lead = s->lead, .created_ms = s->created_ms,
			.last_spm_ms = s->last_spm_ms, .rstates = s->rstates,
		};
		cb(&v, arg);
	}
}

size_t ne_session_bytes(void)
{
	/* slab entry + at most two hash bucket heads (buckets < 2 * max) */
	return sizeof(struct ne_session) + 2 * sizeof(uint32_t);
}
