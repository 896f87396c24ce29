/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Engine internals shared by the engine/ procedure files. Not part of
 * the API: the daemon and the control socket use engine/ne.h only.
 *
 * Layout (see docs/engine.md): sessions and repair states live in
 * preallocated slabs addressed by 32-bit indices, found through
 * index-chained hashes, and time out through intrusive FIFO lists (one
 * per timeout length, so each list is sorted by deadline and a timer is
 * O(1)). Deadlines are the low 32 bits of the millisecond clock, compared
 * in serial arithmetic: every deadline is less than 2^31 ms away.
 */
#ifndef PGMNE_ENGINE_INT_H
#define PGMNE_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ne.h"
#include "rcache.h"

#define NE_NIL UINT32_MAX
/* Longest timer we accept, so 32-bit serial deadlines stay unambiguous. */
#define NE_MAX_TIMER_MS (1u << 30)
/* Most table entries: indices stay clear of NE_NIL, bucket counts of 2^31. */
#define NE_MAX_ENTRIES (1u << 30)
/* Copies of one multicast packet reach FORWARD within this many ms. */
#define NE_COPY_WINDOW_MS 10
/* Packets whose copies are tracked at once: another packet (a NAK on
 * INPUT, another session's SPM) may be queued between two copies. */
#define NE_COPY_SLOTS 4
/* Largest control packet we build (a NAK retry). */
#define NE_CTRL_BUF 128
/* Largest NAK we echo as an NCF: a full NAK list and more fit. */
#define NE_NCF_BUF 2048

enum ne_rs_phase {
	RS_FREE = 0,
	RS_PENDING,     /* NAK forwarded, retrying until an NCF (§7.3) */
	RS_CONFIRMED,   /* NCF seen, waiting for RDATA (§7.3, §7.4) */
	RS_ANTICIPATED, /* unsolicited NCF from upstream (§7.5) */
	RS_NULL,        /* created by an NNAK, lives NAK_ELIM_IVL (§9.5.3.2) */
};

/* One FIFO per timeout length; a state is on the list of its phase. */
enum ne_rs_list { RL_RETRY, RL_RDATA, RL_ELIM, RL_COUNT };

struct ne_list { uint32_t head, tail; };

/*
 * Repair state for one (session, SQN): 40 bytes, no padding left. Found
 * through ne->rs_slot (repair.c), which holds no pointer into the entry:
 * entries never move. ncf_*: the §7.2 NCF interval of the first
 * interface that NAKed, kept here so that a first NAK costs the limiter
 * nothing; they belong to ncf_limit.c, the only code that reads or
 * writes them (ne_ncf_limit_rstate_init() when the state is made).
 */
struct ne_rstate {
	uint64_t ifaces;     /* interface slots that asked for the repair */
	uint32_t sqn;
	uint32_t session;    /* index into ne->sess */
	uint32_t prev, next; /* timeout FIFO of the phase; next: free-list link when free */
	uint32_t deadline;   /* next timer event, low 32 bits of ms clock */
	uint32_t since;      /* first NAK sent (pending) / last confirmation */
	uint32_t ncf_at;     /* NCF interval start, low 32 bits of ms clock */
	uint8_t phase;       /* enum ne_rs_phase */
	uint8_t retries;     /* NAKs re-sent upstream (saturates) */
	uint8_t ncf_slot;    /* interface slot + 1 of that interval; 0: none */
	uint8_t ncf_tab;     /* the limiter table may hold (SQN, that slot) */
};
_Static_assert(sizeof(struct ne_rstate) == 40, "repair state is 40 bytes");

enum ne_sess_state { SS_FREE = 0, SS_LIVE, SS_DEAD };

/* Path state of one TSI (§7.1). */
struct ne_session {
	struct pgm_tsi tsi;
	struct in_addr group, source, upstream;
	int upstream_ifindex;
	uint32_t spm_sqn, trail, lead;
	uint64_t created_ms, last_spm_ms;
	uint32_t rstates;    /* repair states pointing here */
	uint32_t hnext;      /* TSI hash chain; free-list link when free */
	uint32_t prev, next; /* lifetime FIFO, oldest SPM first */
	uint16_t dport;      /* data-destination port, for NAK retries */
	uint8_t state;       /* enum ne_sess_state */
};

/*
 * The last packet seen in FORWARD, to tell the N per-interface copies of
 * one multicast packet from a new packet: counters that the MIB defines
 * per packet (InSpms, InRdata, ...) are counted on the first copy only.
 */
struct ne_copyseen {
	bool valid;
	/* What the first copy found, for the later copies: */
	bool had_session;    /* SPM: session state usable */
	bool had_state;      /* SPM: in sequence; RDATA: a repair state existed */
	uint8_t type;
	uint16_t cksum;
	int in_ifindex;
	uint32_t session;    /* RDATA: session index found, NE_NIL if none */
	uint32_t sqn;
	struct pgm_tsi tsi;
	uint64_t first_ms;
	uint64_t outs;       /* out-interface slots already seen */
};

struct ne {
	struct ne_config cfg;
	struct ne_ifaces *ifaces;
	struct ne_io io;
	uint64_t now;        /* latest clock reading; never goes back */
	uint64_t ticked;     /* now at the last timer run */
	bool overload;       /* NAK retries deferred (ne_set_overload) */
	struct ne_health_counters health;
	uint64_t malformed[PGM_E_COUNT];
	struct ne_copyseen copies[NE_COPY_SLOTS];
	struct ne_copyseen *copy; /* the packet the current copy belongs to */
	unsigned copy_next;       /* slot a new packet takes */

	struct ne_session *sess;
	uint32_t *sess_bucket;
	unsigned sess_shift; /* 64 - log2(bucket count) */
	uint32_t sess_free, sess_live;
	struct ne_list sess_lru;

	struct ne_rstate *rs;
	/* Open-addressing index of rs: (hash << 32 | entry index) per slot,
	 * linear probing, 2 slots per entry (repair.c). */
	uint64_t *rs_slot;
	uint32_t rs_nslots;
	uint32_t rs_free, rs_used;
	struct ne_list rs_list[RL_COUNT];

	struct ne_ncf_limit *ncf_limit; /* NCF rate limiting (ncf_limit.c); NULL when off */
	struct rcache *rcache;    /* RDATA just forwarded (rcache.h); NULL when off */
	struct rcache_stats rcache_seen; /* its totals as health last took them */
};

/* Everything a procedure needs about the packet in hand. */
struct ne_pkt_ctx {
	uint8_t *pgm;             /* PGM header onwards (may be rewritten) */
	size_t len;
	const struct pgm_ip *ip;
	const struct pgm_pkt *pkt;
	const struct ne_meta *meta;
	struct ne_iface *in;      /* arrival interface (enabled) */
	struct ne_iface *out;     /* FORWARD: outgoing interface, or NULL */
	bool repeat_copy;         /* FORWARD: another copy of the last packet */
	bool *modified;
};

static inline uint32_t ne_t32(uint64_t ms) { return (uint32_t)ms; }
/* Has a 32-bit deadline passed at `now`? */
static inline bool ne_due(uint32_t deadline, uint64_t now)
{
	return (int32_t)(ne_t32(now) - deadline) >= 0;
}
/* A 32-bit deadline as a full clock value, relative to ne->now. */
static inline uint64_t ne_t64(const struct ne *ne, uint32_t t)
{
	return ne->now + (uint64_t)(int64_t)(int32_t)(t - ne_t32(ne->now));
}
static inline uint64_t ne_slot_bit(unsigned slot) { return (uint64_t)1 << slot; }

/* The one way out for packets the engine sends (ncf_out.c, upstream.c):
 * a failed send is counted, never retried here. Inline: once per NAK. */
static inline bool ne_io_send(struct ne *ne, const uint8_t *pgm, size_t len,
                              struct in_addr src, struct in_addr dst, int ifindex,
                              uint8_t ttl, bool ra)
{
	if (len == 0 || ne->io.send(ne->io.ctx, pgm, len, src, dst, ifindex, ttl, ra) != 0) {
		ne->health.SendErrors++;
		return false;
	}
	return true;
}

/* The eight TSI bytes as one word: hashing and comparing are per packet.
 * GSI and port fill struct pgm_tsi without padding, so the word is one
 * load (on a little-endian host: GSI in the low 48 bits, port above). */
_Static_assert(sizeof(struct pgm_tsi) == sizeof(uint64_t), "TSI is 8 bytes, no padding");
static inline uint64_t ne_tsi_key(const struct pgm_tsi *t)
{
	uint64_t k;
	memcpy(&k, t, sizeof(k));
	return k;
}
/* 32-bit hash of a repair state's key, (TSI, SQN): a multiply-xorshift
 * finaliser, so consecutive SQNs of one TSI land far apart. */
static inline uint32_t ne_rs_hash(uint64_t tsi_key, uint32_t sqn)
{
	uint64_t x = tsi_key + sqn * 0x9E3779B97F4A7C15ull;
	x ^= x >> 32;
	x *= 0xD6E8FEB86659FD93ull;
	x ^= x >> 32;
	return (uint32_t)x;
}

/* Fibonacci hashing: the top bits of key * 2^64/phi index the buckets. */
static inline uint32_t ne_hash_index(uint64_t key, unsigned shift)
{
	return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> shift);
}
/* Buckets for n entries: a power of two, at least n (load <= 1). */
static inline unsigned ne_bucket_bits(uint32_t n)
{
	unsigned b = 4;
	while (((uint64_t)1 << b) < n)
		b++;
	return b;
}

/* session.c */
bool ne_sessions_init(struct ne *ne);
void ne_sessions_free(struct ne *ne);
struct ne_session *ne_session_find(struct ne *ne, const struct pgm_tsi *tsi);
/* New live session for tsi; NULL (and counted) when the table is full. */
struct ne_session *ne_session_add(struct ne *ne, const struct pgm_tsi *tsi);
void ne_session_touch(struct ne *ne, struct ne_session *s);
/*
 * Session of a unicast NAK/NNAK addressed to us whose NLAs we can answer
 * for. NULL otherwise, with *v the packet's verdict: a TSI we have no
 * path state for is not ours to judge, it goes on to this host's own
 * stack (a PGM source running on the router receives its NAKs so; with
 * none, the kernel discards it), counted in *no_session; NLAs we cannot
 * answer for are dropped, counted in NakError.
 */
struct ne_session *ne_session_for_nak(struct ne *ne, const struct ne_pkt_ctx *c,
                                      uint64_t *no_session, enum ne_verdict *v);
static inline uint32_t ne_session_index(const struct ne *ne, const struct ne_session *s)
{
	return (uint32_t)(s - ne->sess);
}
/* A repair state of session index i went away. */
void ne_session_release(struct ne *ne, uint32_t i);
void ne_sessions_tick(struct ne *ne);
uint64_t ne_sessions_deadline(const struct ne *ne);
/* A NAK-layout packet of `type` for sqn, from the path state (§8.3);
 * 0 if it does not fit. */
size_t ne_session_build(uint8_t *buf, size_t cap, const struct ne_session *s, uint8_t type,
                        uint32_t sqn);

/* repair.c */
bool ne_rstates_init(struct ne *ne);
void ne_rstates_free(struct ne *ne);
struct ne_rstate *ne_rstate_find(struct ne *ne, uint32_t session, uint32_t sqn);
/* Home slot of a hash in the repair-state index: its top bits scaled to
 * the table (no power of two needed, so the table is exactly two slots
 * per entry). */
static inline uint32_t ne_rs_home(const struct ne *ne, uint32_t h)
{
	return (uint32_t)(((uint64_t)h * ne->rs_nslots) >> 32);
}
/* Index slot of (TSI key, SQN), for a prefetch before the session is
 * known. */
static inline const uint64_t *ne_rs_slot_of(const struct ne *ne, uint64_t tsi_key, uint32_t sqn)
{
	return &ne->rs_slot[ne_rs_home(ne, ne_rs_hash(tsi_key, sqn))];
}
/* New state in `phase`; NULL (and StateTableFull counted) when full. */
struct ne_rstate *ne_rstate_add(struct ne *ne, struct ne_session *s, uint32_t sqn,
                                enum ne_rs_phase phase);
void ne_rstate_del(struct ne *ne, struct ne_rstate *r);
/* Enter a phase: sets since/deadline and moves to that phase's FIFO. */
void ne_rstate_enter(struct ne *ne, struct ne_rstate *r, enum ne_rs_phase phase);
/* Add an interface slot, counting ReXmitStates on it when new. */
/* (Both inline: once or twice per NAK.) */
static inline void ne_rstate_add_iface(struct ne *ne, struct ne_rstate *r, unsigned slot)
{
	uint64_t bit = ne_slot_bit(slot);
	if (r->ifaces & bit)
		return;
	r->ifaces |= bit;
	ne->ifaces->v[slot].cnt.ReXmitStates++;
}

/* §7.4: duplicates of a pending NAK are discarded, and of an outstanding
 * one for NAK_ELIM_IVL after its confirmation; §9.5.3.2: a NAK after an
 * NNAK is never eliminated. */
static inline bool ne_rstate_eliminating(const struct ne *ne, const struct ne_rstate *r)
{
	switch (r->phase) {
	case RS_PENDING:
		return true;
	case RS_CONFIRMED:
	case RS_ANTICIPATED:
		return !ne_due(r->since + ne->cfg.nak_elim_ivl_ms, ne->now);
	default:
		return false;
	}
}
void ne_rstates_tick(struct ne *ne);
uint64_t ne_rstates_deadline(const struct ne *ne);
static inline uint32_t ne_rstate_index(const struct ne *ne, const struct ne_rstate *r)
{
	return (uint32_t)(r - ne->rs);
}

/* first_copy.c */
bool ne_copy_repeat(struct ne *ne, const struct pgm_pkt *pkt, const struct ne_meta *m,
                    const struct ne_iface *out);

/* The SQNs a NAK, NNAK or NCF names (§8.3: one layout): NAK_SQN first,
 * then those of an OPT_NAK_LIST (§9.3.5). Inline: once per packet. */
static inline unsigned ne_pkt_sqns(const struct pgm_pkt *pkt, uint32_t *out, unsigned cap)
{
	unsigned n = 0;
	if (cap == 0)
		return 0;
	out[n++] = pkt->u.nak.sqn;
	if (!(pkt->opt.has & (1u << PGM_OPT_NAK_LIST)))
		return n;
	for (unsigned i = 0; i < pkt->opt.nak_list.count && n < cap; i++)
		out[n++] = pkt->opt.nak_list.sqn[i];
	return n;
}

/* The SQNs of a NAK/NNAK that go upstream, out of `total` it named. */
struct ne_fwd {
	uint32_t sqn[PGM_MAX_NAK_LIST + 1];
	unsigned n, total;
};

/* upstream.c: NAKs/NNAKs to the upstream neighbour (§7.3, §7.7). The
 * SQNs in f, as the packet's type: */
bool ne_forward_nak(struct ne *ne, const struct ne_session *s, const struct ne_pkt_ctx *c,
                    const struct ne_fwd *f);
/* A retry of the pending NAK for sqn (§7.3), rebuilt from the session: */
bool ne_send_nak_retry(struct ne *ne, const struct ne_session *s, uint32_t sqn);

/* ncf_out.c: NCFs towards receivers (§7.2, §9.3.3), on the arrival
 * interface `in`. The echo of the NAK in hand: */
bool ne_send_ncf(struct ne *ne, const struct ne_pkt_ctx *c, const struct ne_session *s);
/* One SQN, rebuilt from the session (the limiter's coalesced NCF): */
bool ne_send_ncf_sqn(struct ne *ne, const struct ne_session *s, struct ne_iface *in,
                     uint32_t sqn);

/* ncf_limit.c: §7.2 NCF rate limiting per (TSI, SQN) and arrival
 * interface. It decides nothing on its own about a NAK: nak.c asks,
 * sends, and says what it did. */
bool ne_ncf_limit_init(struct ne *ne);
void ne_ncf_limit_free(struct ne *ne);
/* NCF_IVL 0: no limiter, every NAK is answered at once. */
static inline bool ne_ncf_limit_on(const struct ne *ne) { return ne->ncf_limit != NULL; }
/* A new repair state has no NCF interval of its own yet. */
void ne_ncf_limit_rstate_init(struct ne_rstate *r);

/* What the limiter found for one NAK, held by the caller from
 * ne_ncf_limit_may_send() to the call that follows; the fields are the
 * limiter's to read and write. One bit per SQN the NAK names. */
struct ne_ncf_check {
	const struct ne_pkt_ctx *c;   /* the NAK */
	const uint32_t *sqns;         /* the caller's sqns[0..n) and rs[0..n) */
	struct ne_rstate *const *rs;
	unsigned n;
	uint32_t now;                 /* low 32 bits of the ms clock */
	uint8_t slot1;                /* arrival interface slot + 1 */
	uint64_t inside;              /* bit i: sqns[i] is inside an interval */
	uint64_t in_rstate;           /* bit i: that interval is kept in rs[i] */
};
_Static_assert(PGM_MAX_NAK_LIST + 1 < 64, "one bit per SQN a NAK names");
/*
 * Per NAK (nak.c): may_send()? Yes: send the NCF and, if it went out,
 * say so with sent(). No: owe(), and if that finds no room, as for yes.
 * An NCF that did not go out is not reported: the next NAK tries again.
 */
/* May the NCF for the NAK in c, naming sqns[0..n), go now? rs[i] is the
 * repair state of sqns[i], NULL if none could be made. */
bool ne_ncf_limit_may_send(struct ne *ne, const struct ne_pkt_ctx *c, const uint32_t *sqns,
                           struct ne_rstate *const *rs, unsigned n, struct ne_ncf_check *k);
/* The NCF went out: intervals begin for the SQNs outside any. */
void ne_ncf_limit_sent(struct ne *ne, const struct ne_ncf_check *k);
/* The NCF is held back: owed at the intervals' end. False, nothing
 * owed, when there is no room: send it now instead. */
bool ne_ncf_limit_owe(struct ne *ne, const struct ne_ncf_check *k);
/* Intervals that end send the NCF they owe (ne_send_ncf_sqn). */
void ne_ncf_limit_tick(struct ne *ne);
uint64_t ne_ncf_limit_deadline(const struct ne *ne);

/* Procedures, one per packet type; each returns the verdict. */
enum ne_verdict ne_proc_spm(struct ne *ne, struct ne_pkt_ctx *c);
enum ne_verdict ne_proc_nak(struct ne *ne, struct ne_pkt_ctx *c);
enum ne_verdict ne_proc_nnak(struct ne *ne, struct ne_pkt_ctx *c);
enum ne_verdict ne_proc_ncf(struct ne *ne, struct ne_pkt_ctx *c);
enum ne_verdict ne_proc_rdata(struct ne *ne, struct ne_pkt_ctx *c);
/* passthrough.c: counted and let through, no state. */
enum ne_verdict ne_proc_passthrough(struct ne_pkt_ctx *c);

#endif
