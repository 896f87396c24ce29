/*
 * NAKs and NNAKs on their way upstream (RFC 3208 §7.3, §7.7, §9.3.3,
 * §9.5.3.2): unicast to the upstream PGM neighbour from our address on
 * the upstream interface, naming only the SQNs that need it.
 *
 * A NAK goes on byte for byte when every SQN in it needs forwarding and
 * its NAK_SRC is the session's source. Otherwise it is rebuilt:
 *  - with only the SQNs not being eliminated. §9.3.3 says to forward a
 *    list NAK "intact"; we do not re-ask for SQNs that are outstanding,
 *    which is the point of elimination (the source would otherwise hear
 *    one NAK per SQN per receiver subnet, whenever lists overlap);
 *  - with NAK_SRC set to the ODATA source learnt from SPMs. OpenPGM
 *    receivers put the SPM path address there (us), and an OpenPGM
 *    source drops a NAK whose NAK_SRC is not its own address.
 * A rebuilt NAK keeps the options we know; unknown ones are not copied.
 */
#include <string.h>

#include "engine_int.h"

static bool forward_intact(const struct ne_session *s, const struct ne_pkt_ctx *c,
                           const struct ne_fwd *f)
{
	return f->n == f->total && c->pkt->u.nak.src.u.v4.s_addr == s->source.s_addr;
}

static size_t rebuild(uint8_t *buf, size_t cap, const struct ne_session *s,
                      const struct pgm_pkt *p, const struct ne_fwd *f)
{
	struct pgm_pkt out = *p;
	pgm_nla_from_in(&out.u.nak.src, s->source);
	out.u.nak.sqn = f->sqn[0];
	out.opt.has &= ~(1u << PGM_OPT_NAK_LIST);
	out.opt.nak_list.count = f->n - 1;
	if (f->n > 1) {
		out.opt.has |= 1u << PGM_OPT_NAK_LIST;
		memcpy(out.opt.nak_list.sqn, f->sqn + 1, (f->n - 1) * sizeof(f->sqn[0]));
	}
	return pgm_build(buf, cap, &out);
}

bool ne_forward_nak(struct ne *ne, const struct ne_session *s, const struct ne_pkt_ctx *c,
                    const struct ne_fwd *f)
{
	if (f->n == 0)
		return true;
	if (forward_intact(s, c, f))
		return ne_send_upstream(ne, s, c->pgm, c->len, c->pkt->type);
	uint8_t buf[NE_NCF_BUF];
	size_t len = rebuild(buf, sizeof(buf), s, c->pkt, f);
	return ne_send_upstream(ne, s, buf, len, c->pkt->type);
}
