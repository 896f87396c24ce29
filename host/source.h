/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PGM source state machine, RFC 3208 §5: ODATA numbering and transmit
 * window, rate regulation, ambient and heartbeat SPMs (§5.1.4–§5.1.6),
 * NCF for every NAK (§5.2), RDATA from the window (§5.3), OPT_SYN on the
 * first data and OPT_FIN at the end (§9.6, §9.7), OPT_JOIN (§9.4).
 * No I/O and no clock of its own: packets go out through a struct
 * pgm_out, time comes in as monotonic milliseconds.
 */
#ifndef PGMNE_HOST_SOURCE_H
#define PGMNE_HOST_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/wire.h"
#include "host/pgmout.h"
#include "host/rate.h"
#include "host/stats.h"
#include "host/txw.h"

struct source_cfg {
	struct in_addr ifaddr;   /* our address: IP source, SPM path NLA, NAK src NLA */
	struct in_addr group;
	uint8_t gsi[6];
	uint16_t sport;          /* data-source port (TSI) */
	uint16_t dport;          /* destination port, the -p of the tools */
	uint32_t isn;            /* first ODATA SQN */
	uint32_t rate_kbit;      /* TXW_MAX_RTE; 0 = unlimited */
	uint32_t rate_window_ms; /* token bucket depth */
	uint32_t txw_pkts;       /* window bound by count */
	uint32_t txw_ms;         /* window bound by time (TXW_SECS) */
	uint16_t max_tsdu;
	uint32_t ambient_ms;     /* ambient SPM interval */
	uint32_t ihb_min_ms;     /* IHB_MIN */
	uint32_t ihb_max_ms;     /* IHB_MAX */
	uint32_t join_pct;       /* OPT_JOIN: share of the window a late joiner may ask for; 0 = off */
	uint32_t spm_lead_ms;    /* first ODATA no sooner than this after the first SPM */
};

/* Defaults for the fields a caller does not care about. */
void source_cfg_defaults(struct source_cfg *c);

struct source {
	struct source_cfg cfg;
	struct pgm_out out;
	struct txw txw;
	struct rate_bucket rate;
	struct source_stats st;
	uint32_t spm_sqn;
	uint64_t next_ambient;
	uint64_t next_heartbeat;  /* UINT64_MAX when no heartbeat is due */
	uint32_t ihb;             /* current heartbeat interval */
	bool sent_data;           /* the next ODATA is not the first (OPT_SYN) */
	uint64_t data_start;      /* no ODATA before this (SPM lead) */
	bool fin;                 /* application closed: OPT_FIN from now on */
	uint8_t pkt[PGM_OUT_MAX];
};

bool source_init(struct source *s, const struct source_cfg *cfg, struct pgm_out out,
                 uint64_t now);
void source_free(struct source *s);

/*
 * Milliseconds until ODATA of `len` bytes may go: 0 when it may go now
 * (SPM lead over, rate allows and no repair is waiting; RDATA goes
 * first, §5.1.3).
 */
uint64_t source_odata_wait(struct source *s, size_t len, uint64_t now);

/* Send one ODATA (len <= max_tsdu); `last` puts OPT_FIN on it. Returns its SQN. */
uint32_t source_send_odata(struct source *s, const void *data, uint16_t len, bool last,
                           uint64_t now);

/* The application has no more data: OPT_FIN on every SPM from now, one at once (§9.7.2). */
void source_finish(struct source *s, uint64_t now);

/* A received packet (already parsed and checksum-verified). */
void source_on_packet(struct source *s, const struct pgm_ip *ip, const struct pgm_pkt *p,
                      uint64_t now);

/* Timers: repairs due within the rate, SPMs, window advance by time. */
void source_service(struct source *s, uint64_t now);

/* When source_service() next has something to do (absolute ms). */
uint64_t source_next_event(struct source *s, uint64_t now);

/* Snapshot statistics (fills the window edges). */
void source_stats_snapshot(struct source *s, struct source_stats *out, uint64_t now);

#endif
