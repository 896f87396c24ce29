/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The repair cache: the RDATA this element has just forwarded, kept for a
 * short, bounded time so that a NAK for the same SQN arriving later from
 * another interface is answered on that interface from here, without a
 * NAK upstream. This is the network element acting as an upstream DLR
 * for what it carried itself (RFC 3208 §9.5.2.1): the repair leaves with
 * the source's address as IP source and the Router Alert as the source
 * sent it.
 *
 * Why: §7.8 ends repair state once the RDATA has gone by, and on a LAN
 * the repair is back within milliseconds; a receiver on another
 * interface whose NAK back-off ends later would otherwise make this
 * element ask the source again, and the source repeat the repair.
 *
 * Bounds: at most `bytes` of packet data and `bytes / RCACHE_AVG_BYTES`
 * entries, each held at most `life_ms`; the oldest entry is evicted
 * first when either is full, and every entry leaves when its time is up.
 * Memory: the data ring (`bytes`), plus RCACHE_ENTRY_BYTES per entry slot
 * and one 4-byte hash bucket per slot (rcache_footprint()).
 *
 * No I/O and no clock of its own: the caller passes the time and sends
 * what rcache_take() hands back.
 */
#ifndef PGMNE_RCACHE_H
#define PGMNE_RCACHE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/wire.h"

/* Average packet the entry count is sized for (an APDU of ~1 KiB). */
#define RCACHE_AVG_BYTES 1024
#define RCACHE_MIN_ENTRIES 16
#define RCACHE_ENTRY_BYTES 48

struct rcache;

/* Totals, for the health counters. */
struct rcache_stats {
	uint64_t stored;     /* RDATA packets put in */
	uint64_t evicted;    /* entries pushed out before their time by a full cache */
	uint64_t expired;    /* entries that reached life_ms */
	uint64_t too_big;    /* packets larger than the whole cache, not kept */
	uint64_t bytes_held; /* packet bytes in the cache now */
	uint64_t entries;    /* entries in the cache now */
};

/* A cached repair handed out to be sent on one interface. */
struct rcache_hit {
	const uint8_t *pgm;  /* the RDATA's PGM bytes, valid until the next call */
	size_t len;
	struct in_addr src;  /* IP source: the ODATA source */
	struct in_addr dst;  /* IP destination: the group */
	uint8_t ttl;         /* as it left here the first time */
	bool router_alert;   /* as the source sent it */
};

/* NULL when out of memory; bytes and life_ms must not be 0. */
struct rcache *rcache_new(size_t bytes, uint32_t life_ms);
void rcache_free(struct rcache *c);

/* Size of the whole structure for `bytes` of packet data. */
size_t rcache_footprint(size_t bytes);

/*
 * Keep the RDATA (TSI, SQN) that just went out on interface slot `slot`
 * (0..63) with IP header `ip`. When the SQN is cached already (another
 * copy of the packet, or a second repair of it: same data) only the slot
 * is added; its time is not renewed, so no entry outlives life_ms.
 */
void rcache_put(struct rcache *c, uint64_t now, const struct pgm_tsi *tsi, uint32_t sqn,
                const uint8_t *pgm, size_t len, const struct pgm_ip *ip, unsigned slot);

/*
 * A NAK for (TSI, SQN) from interface slot `slot`: true, with the repair
 * in *hit, when the cache holds it and it has not gone out on that
 * interface yet; the slot is then marked as served. False otherwise
 * (not cached, expired, or that interface already had it).
 */
bool rcache_take(struct rcache *c, uint64_t now, const struct pgm_tsi *tsi, uint32_t sqn,
                 unsigned slot, struct rcache_hit *hit);

/* Let entries whose time is up go. */
void rcache_expire(struct rcache *c, uint64_t now);
/* When the next entry's time is up (now or later), UINT64_MAX if none. */
uint64_t rcache_deadline(const struct rcache *c, uint64_t now);

void rcache_stats(const struct rcache *c, struct rcache_stats *st);

#endif
