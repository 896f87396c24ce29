/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NAK generation state machine, RFC 3208 §6.3 (the diagram on page 25). */
#include "host/nak_backoff.h"

static void back_off(struct nak_entry *e, const struct nak_params *p, uint64_t now,
                     uint32_t rnd)
{
	e->state = NAK_BACK_OFF;
	/* NAK_RB_IVL: uniformly random over NAK_BO_IVL */
	e->deadline = now + (p->bo_ivl_ms ? rnd % p->bo_ivl_ms : 0);
}

static void wait_data(struct nak_entry *e, const struct nak_params *p, uint64_t now)
{
	e->state = NAK_WAIT_DATA;
	e->deadline = now + p->rdata_ivl_ms;
}

void nak_start(struct nak_entry *e, const struct nak_params *p, uint64_t now, uint32_t rnd)
{
	e->ncf_tries = 0;
	e->data_tries = 0;
	back_off(e, p, now, rnd);
}

enum nak_verdict nak_expire(struct nak_entry *e, const struct nak_params *p, uint64_t now,
                            uint32_t rnd, bool may_send)
{
	if (!nak_active(e) || now < e->deadline)
		return NAK_V_NONE;
	switch (e->state) {
	case NAK_BACK_OFF:
		if (!may_send) {
			back_off(e, p, now, rnd);
			return NAK_V_NONE;
		}
		e->state = NAK_WAIT_NCF;
		e->deadline = now + p->rpt_ivl_ms;
		return NAK_V_SEND;
	case NAK_WAIT_NCF:
		if (++e->ncf_tries > p->ncf_retries)
			break;
		back_off(e, p, now, rnd);
		return NAK_V_NONE;
	case NAK_WAIT_DATA:
		if (++e->data_tries > p->data_retries)
			break;
		back_off(e, p, now, rnd);
		return NAK_V_NONE;
	default:
		return NAK_V_NONE;
	}
	e->state = NAK_CANCELLED;
	return NAK_V_LOST;
}

void nak_on_ncf(struct nak_entry *e, const struct nak_params *p, uint64_t now)
{
	/* In every waiting state a matching NCF leads to (or restarts) WAIT_DATA. */
	if (nak_active(e))
		wait_data(e, p, now);
}

void nak_on_nak(struct nak_entry *e, const struct nak_params *p, uint64_t now)
{
	switch (e->state) {
	case NAK_BACK_OFF:   /* suppression */
	case NAK_WAIT_DATA:  /* restarts NAK_RDATA_IVL */
		wait_data(e, p, now);
		break;
	case NAK_WAIT_NCF:   /* restarts NAK_RPT_IVL */
		e->deadline = now + p->rpt_ivl_ms;
		break;
	default:
		break;
	}
}
