/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network-element engine: RFC 3208 §7 procedures on parsed packets.
 *
 * The engine owns session (per-TSI path) state and repair (per TSI, SQN)
 * state, and decides a verdict for each packet the datapath hands it.
 * It does no I/O of its own: it sends through the callbacks in struct
 * ne_io and reads time from its callers, so unit tests drive it with a
 * fake clock and a fake interface table, without netfilter.
 */
#ifndef PGMNE_NE_H
#define PGMNE_NE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/tsi.h"
#include "../common/wire.h"
#include "../common/counters.h"

#define NE_MAX_IFACES 64 /* interfaces are a 64-bit set in repair state */

/* One network interface as the engine sees it. */
struct ne_iface {
	int ifindex;                /* kernel ifindex; 0 = free slot */
	char name[IF_NAMESIZE];
	struct in_addr addr;        /* primary IPv4 address (0 if none) */
	bool up;
	bool multicast;
	bool enabled;               /* PGM processing on (-i, or default) */
	struct ne_if_counters cnt;
};

/* Interface table, filled by rtnl.c in the daemon or by hand in tests. */
struct ne_ifaces {
	struct ne_iface v[NE_MAX_IFACES]; /* slot number = bit in iface sets */
};

struct ne_iface *ne_iface_by_index(struct ne_ifaces *t, int ifindex);
/* Slot for ifindex, creating one if needed; NULL when the table is full. */
struct ne_iface *ne_iface_get(struct ne_ifaces *t, int ifindex);
void ne_iface_del(struct ne_ifaces *t, int ifindex);
static inline unsigned ne_iface_slot(const struct ne_ifaces *t, const struct ne_iface *i)
{
	return (unsigned)(i - t->v);
}

/* Timers and bounds (RFC 3208 §7 names the timers; the MIB gives defaults). */
struct ne_config {
	uint32_t nak_rpt_ivl_ms;    /* how long to retry an unconfirmed NAK */
	uint32_t nak_rpt_rte_ms;    /* interval between NAK retries (1 / NAK_RPT_RTE) */
	uint32_t nak_rdata_ivl_ms;  /* keep confirmed state waiting for RDATA */
	uint32_t nak_elim_ivl_ms;   /* eliminate duplicate NAKs after NCF */
	uint32_t session_lifetime_ms; /* drop a TSI without SPMs after this */
	uint32_t max_sessions;
	uint32_t max_rstates;       /* repair states in total */
	uint32_t max_rstates_per_session;
	uint32_t ncf_ivl_ms;        /* §7.2 NCF rate limit per SQN and interface; 0 = off */
	uint32_t rcache_bytes;      /* repair cache: RDATA bytes kept (rcache.h); 0 = off */
	uint32_t rcache_ms;         /* how long a forwarded RDATA is kept */
	uint8_t ncf_ttl;            /* TTL of NCFs we originate */
	uint8_t nak_ttl;            /* TTL of NAKs we forward upstream */
};

/* Defaults; see docs for why each value. */
void ne_config_defaults(struct ne_config *c);

/* What the engine asks the datapath to send. */
struct ne_io {
	void *ctx;
	/*
	 * Send `len` bytes of PGM (from the PGM header on) in an IPv4 packet
	 * from src to dst with the given TTL. For a multicast dst, ifindex
	 * names the outgoing interface. Returns 0 or -1.
	 */
	int (*send)(void *ctx, const uint8_t *pgm, size_t len, struct in_addr src,
	            struct in_addr dst, int ifindex, uint8_t ttl, bool router_alert);
};

enum ne_hook { NE_HOOK_INPUT, NE_HOOK_FORWARD };

/* Where a queued packet is (from the NFQUEUE metadata). */
struct ne_meta {
	enum ne_hook hook;
	int in_ifindex;
	int out_ifindex;  /* 0 on INPUT */
};

enum ne_verdict { NE_ACCEPT, NE_DROP };

struct ne;

struct ne *ne_new(const struct ne_config *cfg, struct ne_ifaces *ifaces, const struct ne_io *io);
void ne_free(struct ne *ne);

/*
 * Handle one IPv4 packet carrying PGM. The engine may rewrite the packet
 * in place (SPM path NLA, invalidated options); then *modified is set and
 * the datapath must return the new bytes with the verdict.
 */
enum ne_verdict ne_handle(struct ne *ne, uint8_t *ip, size_t len, const struct ne_meta *m,
                          uint64_t now_ms, bool *modified);

/*
 * Hint that ne_handle() will soon see this packet: starts loading the
 * repair-state index slot a NAK, NNAK, NCF or RDATA looks up, so with a
 * large table that cache miss overlaps other work. Reads the bytes
 * without trusting them and changes nothing; any input is safe. ne_handle()
 * does this itself on entry; a datapath that receives packets in batches
 * (recvmmsg) gains more by calling it for every packet of a batch before
 * handling the first (docs/engine.md, "Speed").
 */
void ne_prefetch(const struct ne *ne, const uint8_t *ip, size_t len);

/*
 * Overload (the datapath is behind: its receive queue holds more than
 * it handles in one wake-up). While on, a NAK retry that falls due is
 * not sent but put off by one NAK_RPT_RTE (counted in NakRetryDeferred
 * on the upstream interface); NAK_RPT_IVL still ends the state as
 * before, so a NAK is retried once load allows, within NAK_RPT_IVL.
 * First NAKs, NCFs and everything else are unaffected. Off at start;
 * with it off the engine behaves exactly as without this call.
 */
void ne_set_overload(struct ne *ne, bool on);

/* Run due timers (NAK retries, state expiry, session lifetime). */
void ne_tick(struct ne *ne, uint64_t now_ms);
/* Next time ne_tick() has work, UINT64_MAX when none. */
uint64_t ne_next_deadline(const struct ne *ne);

/* --- read-only views for the control socket --- */

struct ne_session_view {
	struct pgm_tsi tsi;
	struct in_addr group, source;     /* from SPMs / data */
	uint16_t dport;
	struct in_addr upstream;          /* path NLA of the last in-sequence SPM */
	int upstream_ifindex;
	uint32_t spm_sqn, trail, lead;
	uint64_t created_ms, last_spm_ms;
	uint32_t rstates;                 /* repair states of this TSI */
};

enum ne_rstate_phase {
	NE_RS_PENDING,     /* NAK forwarded, no NCF yet (retrying) */
	NE_RS_CONFIRMED,   /* NCF seen, waiting for RDATA; eliminating duplicates */
	NE_RS_ANTICIPATED, /* unsolicited NCF from upstream, no interfaces yet */
};

struct ne_rstate_view {
	struct pgm_tsi tsi;
	struct in_addr group;
	uint32_t sqn;
	enum ne_rstate_phase phase;
	uint64_t ifaces;      /* bit i = ifaces->v[i] asked for the repair */
	uint32_t retries;     /* NAKs re-sent upstream */
	uint64_t expires_ms;  /* when this state goes away */
	uint64_t elim_until_ms; /* duplicates eliminated until (0 = n/a) */
};

typedef void (*ne_session_cb)(const struct ne_session_view *v, void *arg);
typedef void (*ne_rstate_cb)(const struct ne_rstate_view *v, void *arg);

void ne_foreach_session(const struct ne *ne, ne_session_cb cb, void *arg);
/* tsi or group may be NULL (no filter). */
void ne_foreach_rstate(const struct ne *ne, const struct pgm_tsi *tsi,
                       const struct in_addr *group, ne_rstate_cb cb, void *arg);

struct ne_health_counters *ne_health(struct ne *ne);
/* Malformed packets by parse error (index enum pgm_err). */
const uint64_t *ne_malformed(const struct ne *ne);
size_t ne_session_count(const struct ne *ne);
size_t ne_rstate_count(const struct ne *ne);
/* Packet bytes and entries the repair cache holds now (0 when off). */
void ne_rcache_usage(const struct ne *ne, uint64_t *bytes, uint64_t *entries);
const struct ne_config *ne_get_config(const struct ne *ne);

/* Clear per-interface counters (ifindex 0 = all) and health counters. */
void ne_clear_counters(struct ne *ne, int ifindex);
/* Drop repair state (group NULL = all). Returns how many were dropped. */
size_t ne_clear_rstates(struct ne *ne, const struct in_addr *group);

/*
 * An interface is going away (call before ne_iface_del): its slot leaves
 * every repair state's interface set, so an interface that later takes
 * the slot never receives a repair someone else asked for (§7.8).
 */
void ne_forget_iface(struct ne *ne, int ifindex);

/* Bytes of memory per repair state and per session, for docs and bench. */
size_t ne_rstate_bytes(void);
size_t ne_session_bytes(void);

#endif
