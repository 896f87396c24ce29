/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Receiver NAK generation state machine for one missing SQN, RFC 3208
 * §6.3: BACK-OFF (random NAK_RB_IVL within NAK_BO_IVL) -> WAIT_NCF
 * (NAK_RPT_IVL, up to NAK_NCF_RETRIES) -> WAIT_DATA (NAK_RDATA_IVL, up to
 * NAK_DATA_RETRIES), with suppression by a matching NCF or NAK. Pure
 * logic: the caller supplies the time and the random number, and acts on
 * the returned verdict.
 */
#ifndef PGMNE_HOST_NAK_BACKOFF_H
#define PGMNE_HOST_NAK_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

enum nak_state {
	NAK_IDLE = 0,   /* not missing, or recovery finished */
	NAK_BACK_OFF,   /* NAK pending (§6.3) */
	NAK_WAIT_NCF,   /* NAK outstanding, no NCF yet */
	NAK_WAIT_DATA,  /* NCF (or another receiver's NAK) seen, awaiting RDATA */
	NAK_CANCELLED,  /* retries exhausted: unrecoverable */
};

struct nak_params {
	uint32_t bo_ivl_ms;    /* NAK_BO_IVL */
	uint32_t rpt_ivl_ms;   /* NAK_RPT_IVL */
	uint32_t rdata_ivl_ms; /* NAK_RDATA_IVL */
	uint8_t ncf_retries;   /* NAK_NCF_RETRIES */
	uint8_t data_retries;  /* NAK_DATA_RETRIES */
};

/* Defaults: quick enough for a LAN test, patient enough for a router hop. */
#define NAK_PARAMS_DEFAULT { .bo_ivl_ms = 50, .rpt_ivl_ms = 200, \
	.rdata_ivl_ms = 500, .ncf_retries = 10, .data_retries = 10 }

struct nak_entry {
	uint8_t state;       /* enum nak_state */
	uint8_t ncf_tries;
	uint8_t data_tries;
	uint64_t deadline;   /* ms; meaningful in the three waiting states */
};

enum nak_verdict {
	NAK_V_NONE,  /* nothing to do now */
	NAK_V_SEND,  /* send a NAK for this SQN now (then it is outstanding) */
	NAK_V_LOST,  /* cancelled: report unrecoverable loss */
};

/* Missing SQN detected: clear retry counts, back off a random 0..NAK_BO_IVL. */
void nak_start(struct nak_entry *e, const struct nak_params *p, uint64_t now, uint32_t rnd);

/*
 * Deadline check. `may_send` is false until an SPM has been seen (§6.2:
 * no repair request before the first SPM); a due back-off then waits
 * another round without counting as a try.
 */
enum nak_verdict nak_expire(struct nak_entry *e, const struct nak_params *p, uint64_t now,
                            uint32_t rnd, bool may_send);

/* A matching NCF arrived (§6.3 "Receiving NCFs and multicast NAKs"). */
void nak_on_ncf(struct nak_entry *e, const struct nak_params *p, uint64_t now);

/* Another receiver's matching NAK was heard (suppression). */
void nak_on_nak(struct nak_entry *e, const struct nak_params *p, uint64_t now);

static inline bool nak_active(const struct nak_entry *e)
{
	return e->state == NAK_BACK_OFF || e->state == NAK_WAIT_NCF ||
	       e->state == NAK_WAIT_DATA;
}

#endif
