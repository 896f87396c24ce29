/*
 * Packets the engine originates or re-addresses: NCFs towards receivers
 * (§7.2) and NAKs/NNAKs towards the upstream PGM neighbour (§7.3, §7.7).
 * All go through ne->io.send; a failed send is counted, never retried
 * here (NAK retries are the retry timer's job).
 */
#include <string.h>

#include "../common/cksum.h"
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

/* §8 common header words the NAK-to-NCF rewrite touches. */
enum { HDR_SPORT = 0, HDR_DPORT = 2, HDR_TYPE = 4, HDR_CKSUM = 6 };

/*
 * §9.3.3 asks for an NCF "identical" to the NAK: same TSI, SQN, NLAs and
 * NAK list (§8.3: NAK and NCF share one layout). So the NCF is the NAK's
 * bytes with the type changed and the ports swapped back to downstream
 * order. Swapping two 16-bit words leaves the ones' complement sum as it
 * is; only the type word needs an RFC 1624 checksum update. This is the
 * per-NAK hot path: no view-to-bytes rebuild.
 */
static size_t ncf_from_nak(uint8_t *ncf, size_t cap, const uint8_t *nak, size_t len)
{
	uint16_t old_w, new_w, ck;
	if (len < PGM_HDR_LEN || len > cap)
		return 0;
	memcpy(ncf, nak, len);
	memcpy(ncf + HDR_SPORT, nak + HDR_DPORT, 2);
	memcpy(ncf + HDR_DPORT, nak + HDR_SPORT, 2);
	memcpy(&old_w, nak + HDR_TYPE, 2);
	ncf[HDR_TYPE] = PGM_NCF;
	memcpy(&new_w, ncf + HDR_TYPE, 2);
	memcpy(&ck, ncf + HDR_CKSUM, 2);
	if (ck != 0) { /* 0 = no checksum, stays so */
		ck = cksum_update16(ck, old_w, new_w);
		memcpy(ncf + HDR_CKSUM, &ck, 2);
	}
	return len;
}

/*
 * §7.2, §9.3.3: multicast the NCF for the NAK in hand to the session's
 * group on the interface the NAK came in on, with the ODATA source's
 * address (from SPMs) as IP source, so no multicast state for us is
 * created across non-PGM routers. The NLAs inside are the NAK's own, so
 * the receiver matches the NCF to its NAK whatever it put there.
 */
bool ne_send_ncf(struct ne *ne, const struct ne_pkt_ctx *c, const struct ne_session *s)
{
	uint8_t buf[NE_NCF_BUF];
	size_t len = ncf_from_nak(buf, sizeof(buf), c->pgm, c->len);
	if (!io_send(ne, buf, len, s->source, s->group, c->in->ifindex, ne->cfg.ncf_ttl, true))
		return false;
	c->in->cnt.OutNcfs++;
	return true;
}

/*
 * §7.2: an NCF for one SQN rebuilt from the session (the rate limiter's
 * coalesced answer, when the NAKs it stands for are gone): TSI, ports in
 * downstream order, the source's NLA and the group, as a receiver
 * matches NCFs to its NAKs (§9.3.3).
 */
/*
 * An NCF or NAK for `sqn` of session s, rebuilt from its path state (TSI,
 * source and group from the SPMs): repair state keeps no packet bytes.
 */
static size_t build_from_session(uint8_t *buf, size_t cap, const struct ne_session *s,
                                 uint8_t type, uint16_t sport, uint16_t dport, uint32_t sqn)
{
	struct pgm_pkt p = {
		.type = type,
		.sport = sport,
		.dport = dport,
		.tsi = s->tsi,
	};
	p.u.nak.sqn = sqn;
	pgm_nla_from_in(&p.u.nak.src, s->source);
	pgm_nla_from_in(&p.u.nak.grp, s->group);
	return pgm_build(buf, cap, &p);
}

bool ne_send_ncf_sqn(struct ne *ne, const struct ne_session *s, struct ne_iface *in,
                     uint32_t sqn)
{
	uint8_t buf[NE_CTRL_BUF];
	size_t len = build_from_session(buf, sizeof(buf), s, PGM_NCF, s->tsi.sport, s->dport, sqn);
	if (!io_send(ne, buf, len, s->source, s->group, in->ifindex, ne->cfg.ncf_ttl, true))
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
	uint8_t buf[NE_CTRL_BUF];
	size_t len = build_from_session(buf, sizeof(buf), s, PGM_NAK, s->dport, s->tsi.sport, sqn);
	if (!ne_send_upstream(ne, s, buf, len, PGM_NAK))
		return false;
	ne_iface_by_index(ne->ifaces, s->upstream_ifindex)->cnt.NakRetransmitted++;
	return true;
}
