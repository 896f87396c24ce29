/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The repair cache (rcache.h). Two rings in the same FIFO order: entries
 * (fixed slots) and their packet bytes (one contiguous span each), so
 * evicting the oldest entry always frees the oldest bytes, and lifetime
 * expiry walks from the head. A hash of (TSI, SQN) finds an entry.
 *
 * The data ring: live bytes run from rpos (the oldest entry's span) to
 * wpos. A packet that does not fit between wpos and the end of the ring
 * starts again at 0; the gap it leaves is part of its span (start ..
 * off + len), freed with it.
 */
#include "rcache.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

struct rc_ent {
	uint64_t tsi;        /* the TSI's 8 bytes as one word */
	uint64_t slots;      /* interfaces the repair has gone out on */
	uint32_t stored;     /* ms clock (low 32 bits) when put in */
	uint32_t sqn;
	uint32_t start;      /* span in the data ring: start .. off + len */
	uint32_t off;
	uint16_t len;
	uint8_t ttl;
	uint8_t flags;       /* RC_RA */
	uint32_t hnext;      /* hash chain */
	struct in_addr src, dst;
};
_Static_assert(sizeof(struct rc_ent) == RCACHE_ENTRY_BYTES, "repair cache entry size");

enum { RC_RA = 1 };

struct rcache {
	uint32_t life_ms;
	uint32_t n;          /* entry slots */
	uint32_t head, count;
	uint32_t cap, rpos, wpos;
	uint32_t nbuckets;   /* power of two */
	uint32_t *bucket;
	struct rc_ent *e;
	uint8_t *data;
	struct rcache_stats st;
};

static uint32_t entry_slots(size_t bytes)
{
	size_t n = bytes / RCACHE_AVG_BYTES;
	return n < RCACHE_MIN_ENTRIES ? RCACHE_MIN_ENTRIES : (uint32_t)n;
}

static uint32_t bucket_count(uint32_t n)
{
	uint32_t b = 1;
	while (b < n)
		b <<= 1;
	return b;
}

size_t rcache_footprint(size_t bytes)
{
	uint32_t n = entry_slots(bytes);
	return sizeof(struct rcache) + bytes + (size_t)n * sizeof(struct rc_ent) +
	       (size_t)bucket_count(n) * sizeof(uint32_t);
}

struct rcache *rcache_new(size_t bytes, uint32_t life_ms)
{
	if (bytes == 0 || bytes > UINT32_MAX / 2 || life_ms == 0 || life_ms > (1u << 30))
		return NULL;
	struct rcache *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->life_ms = life_ms;
	c->n = entry_slots(bytes);
	c->cap = (uint32_t)bytes;
	c->nbuckets = bucket_count(c->n);
	c->bucket = malloc(c->nbuckets * sizeof(uint32_t));
	c->e = calloc(c->n, sizeof(struct rc_ent));
	c->data = malloc(bytes);
	if (c->bucket == NULL || c->e == NULL || c->data == NULL) {
		rcache_free(c);
		return NULL;
	}
	memset(c->bucket, 0xff, c->nbuckets * sizeof(uint32_t));
	return c;
}

void rcache_free(struct rcache *c)
{
	if (c == NULL)
		return;
	free(c->bucket);
	free(c->e);
	free(c->data);
	free(c);
}

static uint64_t tsi_word(const struct pgm_tsi *t)
{
	uint64_t k;
	memcpy(&k, t, sizeof(k));
	return k;
}

static uint32_t *bucket_of(struct rcache *c, uint64_t tsi, uint32_t sqn)
{
	uint64_t x = (tsi ^ ((uint64_t)sqn << 17)) * 0x9E3779B97F4A7C15ull;
	return &c->bucket[(x >> 32) & (c->nbuckets - 1)];
}

static struct rc_ent *find(struct rcache *c, uint64_t tsi, uint32_t sqn)
{
	for (uint32_t i = *bucket_of(c, tsi, sqn); i != NIL; i = c->e[i].hnext)
		if (c->e[i].sqn == sqn && c->e[i].tsi == tsi)
			return &c->e[i];
	return NULL;
}

static bool alive(const struct rcache *c, const struct rc_ent *e, uint64_t now)
{
	return (uint32_t)now - e->stored < c->life_ms;
}

/* The oldest entry leaves: off the hash, its bytes back to the ring. */
static void drop_oldest(struct rcache *c)
{
	struct rc_ent *e = &c->e[c->head];
	uint32_t *p = bucket_of(c, e->tsi, e->sqn);
	while (*p != c->head)
		p = &c->e[*p].hnext;
	*p = e->hnext;
	c->st.bytes_held -= e->len;
	c->st.entries--;
	c->head = (c->head + 1) % c->n;
	c->count--;
	if (c->count == 0)
		c->rpos = c->wpos = 0; /* empty: start the ring afresh */
	else
		c->rpos = c->e[c->head].start;
}

/* Where a packet of len bytes can go now: its data offset, or NIL. */
static uint32_t place(const struct rcache *c, uint32_t len)
{
	if (c->count == c->n)
		return NIL;
	if (c->count == 0)
		return len <= c->cap ? 0 : NIL;
	if (c->wpos > c->rpos) {          /* live bytes are rpos .. wpos */
		if (len <= c->cap - c->wpos)
			return c->wpos;
		return len <= c->rpos ? 0 : NIL;
	}
	return len <= c->rpos - c->wpos ? c->wpos : NIL; /* wrapped */
}

static void insert(struct rcache *c, uint64_t now, uint64_t tsi, uint32_t sqn,
                   const uint8_t *pgm, uint32_t len, const struct pgm_ip *ip, unsigned slot,
                   uint32_t off)
{
	uint32_t i = (c->head + c->count) % c->n;
	struct rc_ent *e = &c->e[i];
	uint32_t *b = bucket_of(c, tsi, sqn);
	*e = (struct rc_ent){
		.tsi = tsi, .slots = (uint64_t)1 << slot, .stored = (uint32_t)now, .sqn = sqn,
		.start = c->count == 0 ? off : c->wpos, .off = off, .len = (uint16_t)len,
		.ttl = ip->ttl, .flags = ip->router_alert ? RC_RA : 0, .hnext = *b,
		.src = ip->src, .dst = ip->dst,
	};
	*b = i;
	memcpy(c->data + off, pgm, len);
	c->wpos = off + len;
	c->count++;
	c->st.stored++;
	c->st.entries++;
	c->st.bytes_held += len;
}

void rcache_put(struct rcache *c, uint64_t now, const struct pgm_tsi *tsi, uint32_t sqn,
                const uint8_t *pgm, size_t len, const struct pgm_ip *ip, unsigned slot)
{
	uint64_t key = tsi_word(tsi);
	struct rc_ent *e = find(c, key, sqn);
	if (e != NULL && alive(c, e, now)) {
		e->slots |= (uint64_t)1 << slot;
		return;
	}
	rcache_expire(c, now); /* an expired twin leaves first (it is older) */
	if (len > c->cap || len > UINT16_MAX) {
		c->st.too_big++;
		return;
	}
	uint32_t off;
	while ((off = place(c, (uint32_t)len)) == NIL) {
		drop_oldest(c);
		c->st.evicted++;
	}
	insert(c, now, key, sqn, pgm, (uint32_t)len, ip, slot, off);
}

bool rcache_take(struct rcache *c, uint64_t now, const struct pgm_tsi *tsi, uint32_t sqn,
                 unsigned slot, struct rcache_hit *hit)
{
	struct rc_ent *e = find(c, tsi_word(tsi), sqn);
	uint64_t bit = (uint64_t)1 << slot;
	if (e == NULL || !alive(c, e, now) || (e->slots & bit))
		return false;
	e->slots |= bit;
	*hit = (struct rcache_hit){ .pgm = c->data + e->off, .len = e->len, .src = e->src,
	                            .dst = e->dst, .ttl = e->ttl,
	                            .router_alert = (e->flags & RC_RA) != 0 };
	return true;
}

void rcache_expire(struct rcache *c, uint64_t now)
{
	while (c->count > 0 && !alive(c, &c->e[c->head], now)) {
		drop_oldest(c);
		c->st.expired++;
	}
}

uint64_t rcache_deadline(const struct rcache *c, uint64_t now)
{
	if (c->count == 0)
		return UINT64_MAX;
	const struct rc_ent *e = &c->e[c->head];
	return alive(c, e, now) ? now + (e->stored + c->life_ms - (uint32_t)now) : now;
}

void rcache_stats(const struct rcache *c, struct rcache_stats *st)
{
	*st = c->st;
}
