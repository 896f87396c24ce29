/*
 * Packets the engine originates or re-addresses: NCFs towards receivers
 * (§7.2) and NAKs/NNAKs towards the upstream PGM neighbour (§7.3, §7.7).
 * All go through ne->io.send; a failed send is counted, never retried
 * here (NAK retries are the retry timer's job).
 */
#include "engine_int.h"

static bool io_send(struct ne *ne, const uint8_t *pgm, size_t len, struct in_addr src,
                    struct in_addr dst, int ifindex, uint8_t ttl, bool ra)
{
	if (len == 0 || ne->io.send(ne->io.ctx, pgm, len, src, dst, ifindex, ttl, ra) != 0) {
		ne->health.SendErrors++;
		return false;
	}
	return true;
}

static void copy_nak_list(struct pgm_pkt *to, const struct pgm_pkt *from)
{
	if (!(from->opt.has & (1u << PGM_OPT_NAK_LIST)))
		return;
	to->opt.has |= 1u << PGM_OPT_NAK_LIST;
	to->opt.nak_list = from->opt.nak_list;
}

/*
 * §7.2, §9.3.3: multicast an NCF for `nak` to its group on the interface
 * the NAK came in on, with the ODATA source's address as IP source (so no
 * multicast state for us is created across non-PGM routers), the same
 * TSI, SQN, NLAs and NAK list; ports swap back to downstream order (§8.3).
 */
bool ne_send_ncf(struct ne *ne, const struct pgm_pkt *nak, struct ne_iface *in)
{
	struct pgm_pkt ncf = {
		.type = PGM_NCF,
		.opt_flags = nak->opt_flags & PGM_OPT_PARITY,
		.sport = nak->dport,
		.dport = nak->sport,
		.tsi = nak->tsi,
	};
	ncf.u.nak.sqn = nak->u.nak.sqn;
	ncf.u.nak.src = nak->u.nak.src;
	ncf.u.nak.grp = nak->u.nak.grp;
	copy_nak_list(&ncf, nak);
	uint8_t buf[NE_CTRL_BUF];
	size_t len = pgm_build(buf, sizeof(buf), &ncf);
	if (!io_send(ne, buf, len, nak->u.nak.src.u.v4, nak->u.nak.grp.u.v4, in->ifindex,
	             ne->cfg.ncf_ttl, true))
		return false;
	in->cnt.OutNcfs++;
	return true;
}

/*
 * §7.7: unicast NAK-type bytes to the upstream PGM neighbour learnt from
 * SPMs, from our address on the upstream interface (§8.3: each element
 * rewrites the NAK's network source and destination).
 */
bool ne_send_upstream(struct ne *ne, const struct ne_session *s, const uint8_t *pgm,
                      size_t len, uint8_t type)
{
	struct ne_iface *up = ne_iface_by_index(ne->ifaces, s->upstream_ifindex);
	if (up == NULL || up->addr.s_addr == 0 || s->upstream.s_addr == 0)
		return false;
	if (!io_send(ne, pgm, len, up->addr, s->upstream, up->ifindex, ne->cfg.nak_ttl, false))
		return false;
	if (type == PGM_NNAK)
		up->cnt.OutNnaks++;
	else
		up->cnt.OutNaks++;
	return true;
}

/*
 * §7.3: repeat a pending NAK. The NAK itself is not kept (state stays
 * small); it is rebuilt from the session: TSI, source and group from the
 * SPMs, the data-destination port as NAK_SPORT.
 */
bool ne_send_nak_retry(struct ne *ne, const struct ne_session *s, uint32_t sqn)
{
	struct pgm_pkt nak = {
		.type = PGM_NAK,
		.sport = s->dport,
		.dport = s->tsi.sport,
		.tsi = s->tsi,
	};
	nak.u.nak.sqn = sqn;
	pgm_nla_from_in(&nak.u.nak.src, s->source);
	pgm_nla_from_in(&nak.u.nak.grp, s->group);
	uint8_t buf[NE_CTRL_BUF];
	size_t len = pgm_build(buf, sizeof(buf), &nak);
	if (!ne_send_upstream(ne, s, buf, len, PGM_NAK))
		return false;
	ne_iface_by_index(ne->ifaces, s->upstream_ifindex)->cnt.NakRetransmitted++;
	return true;
}
