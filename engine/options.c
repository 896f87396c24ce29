/*
 * Option extensibility (RFC 3208 §9): an option this element does not
 * know is handled as its OPX bits say. "Ignore" needs nothing; "discard
 * the packet" is reported by pgm_parse() as PGM_E_OPT_DISCARD and dropped
 * by the dispatcher; "invalidate" is done here, before the packet is
 * forwarded, by turning the option's type into OPT_INVALID.
 */
#include "engine_int.h"

void ne_apply_opx(struct ne_pkt_ctx *c)
{
	if (c->pkt->opt.invalidate_count == 0)
		return;
	pgm_invalidate_options(c->pgm, c->len, c->pkt);
	*c->modified = true;
}
