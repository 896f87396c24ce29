/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packets the engine only counts and lets through: ODATA (switched
 * without transport-layer intervention, §2.3), NAKs and NNAKs addressed
 * past us (seen in FORWARD), SPMR (§13.6), POLL and POLR (§14.7; DLR and
 * polling procedures are not implemented yet).
 */
#include "engine_int.h"

enum ne_verdict ne_proc_passthrough(struct ne_pkt_ctx *c)
{
	if (c->repeat_copy)
		return NE_ACCEPT;
	struct ne_if_counters *k = &c->in->cnt;
	switch (c->pkt->type) {
	case PGM_NAK:
		k->InNaks++;
		break;
	case PGM_NNAK:
		k->InNnaks++;
		break;
	case PGM_SPMR:
		k->InSpmrs++;
		break;
	case PGM_POLL:
		k->InPolls++;
		break;
	case PGM_POLR:
		k->InPolrs++;
		break;
	default:
		break;
	}
	return NE_ACCEPT;
}
