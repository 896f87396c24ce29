/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PGM receiver state machine, RFC 3208 §6, for one transport session
 * (the first TSI seen on our port): receive window, loss detection from
 * ODATA gaps and SPM lead, NAKs with random back-off and suppression,
 * unicast to the upstream PGM hop from the latest SPM (§6.2), in-order
 * delivery, unrecoverable loss reported, OPT_FIN end of session.
 * No I/O and no clock of its own, like host/source.h.
 */
#ifndef PGMNE_HOST_RECEIVER_H
#define PGMNE_HOST_RECEIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/wire.h"
#include "host/nak_backoff.h"
#include "host/pgmout.h"
#include "host/rxw.h"
#include "host/stats.h"

struct receiver_cfg {
	struct in_addr group;
	uint16_t dport;           /* the session's destination port (-p) */
	struct nak_params nak;
	uint32_t rxw_pkts;        /* receive window capacity */
	uint16_t max_tsdu;
	uint32_t seed;            /* NAK back-off randomness */
};

void receiver_cfg_defaults(struct receiver_cfg *c);

/* Delivery to the application: data in SQN order; lost SQNs as data == NULL. */
struct receiver_sink {
	void (*data)(void *arg, const uint8_t *data, size_t len);
	void (*lost)(void *arg, uint32_t sqn);
	void *arg;
};

struct receiver {
	struct receiver_cfg cfg;
	struct pgm_out out;
	struct receiver_sink sink;
	struct rxw rxw;
	struct recv_stats st;
	bool have_tsi;
	struct pgm_tsi tsi;
	struct in_addr source;     /* the ODATA source: NAK_SRC_NLA (§6.3) */
	bool have_spm;
	uint32_t spm_sqn;          /* most recent in-sequence SPM (§6.2) */
	struct in_addr upstream;   /* SPM path NLA: where NAKs go */
	bool fin;
	uint32_t fin_lead;         /* last SQN of the session */
	uint64_t next_nak;         /* earliest NAK deadline; UINT64_MAX when none */
	uint32_t rng;              /* xorshift32 state */
	uint8_t pkt[PGM_OUT_MAX];
};

bool receiver_init(struct receiver *r, const struct receiver_cfg *cfg, struct pgm_out out,
                   struct receiver_sink sink);
void receiver_free(struct receiver *r);

/* A received packet (parsed, checksum verified); ip gives the addresses. */
void receiver_on_packet(struct receiver *r, const struct pgm_ip *ip, const struct pgm_pkt *p,
                        uint64_t now);

/* NAK timers due at `now`. */
void receiver_service(struct receiver *r, uint64_t now);

/* Absolute ms of the next NAK timer, UINT64_MAX when none. */
uint64_t receiver_next_event(const struct receiver *r);

/* FIN seen and everything up to it delivered (or reported lost). */
bool receiver_done(const struct receiver *r);

void receiver_stats_snapshot(const struct receiver *r, struct recv_stats *out);

#endif
