/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NAKs and NNAKs on their way upstream (RFC 3208 §7.3, §7.7, §9.3.3,
 * §9.5.3.2): unicast to the upstream PGM neighbour learnt from SPMs,
 * from our address on the upstream interface (§8.3: each element
 * rewrites the NAK's network source and destination), naming only the
 * SQNs that need it; and the retries of a pending NAK (§7.3).
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
 * A failed send is counted (SendErrors), never retried here: retries are
 * the repair-state timer's (repair.c).
 */
#include <string.h>

#include "engine_int.h"

static bool send_upstream(struct ne *ne, const struct ne_session *s, const uint8_t *pgm,
                          size_t len, uint8_t type)
{
	struct ne_iface *up = ne_iface_by_index(ne->ifaces, s->upstream_ifindex);
	if (up == NULL || up->addr.s_addr == 0 || s->upstream.s_addr == 0)
		return false;
	if (!ne_io_send(ne, pgm, len, up->addr, s->upstream, up->ifindex, ne->cfg.nak_ttl, false))
		return false;
	if (type == PGM_NNAK)
		up->cnt.OutNnaks++;
	else
		up->cnt.OutNaks++;
	return true;
}

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
		return send_upstream(ne, s, c->pgm, c->len, c->pkt->type);
	uint8_t buf[NE_NCF_BUF];
	size_t len = rebuild(buf, sizeof(buf), s, c->pkt, f);
	return send_upstream(ne, s, buf, len, c->pkt->type);
}

/*
 * §7.3: repeat a pending NAK. The NAK itself is not kept (state stays
 * small); it is rebuilt from the session: TSI, source and group from the
 * SPMs, the data-destination port as NAK_SPORT.
 */
bool ne_send_nak_retry(struct ne *ne, const struct ne_session *s, uint32_t sqn)
{
	uint8_t buf[NE_CTRL_BUF];
	size_t len = ne_session_build(buf, sizeof(buf), s, PGM_NAK, sqn);
	if (!send_upstream(ne, s, buf, len, PGM_NAK))
		return false;
	ne_iface_by_index(ne->ifaces, s->upstream_ifindex)->cnt.NakRetransmitted++;
	return true;
}
