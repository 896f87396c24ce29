/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Telling copies from packets. A multicast packet forwarded to N
 * interfaces reaches the queue as N back-to-back copies, one per
 * outgoing interface, whichever forwarder made them (ipmr's at FORWARD
 * and POSTROUTING, an nftables dup table's at POSTROUTING only). Per-copy work (verdict, SPM rewrite,
 * Out* counters) runs for each; per-packet work (state updates, In*
 * counters) runs on the first copy only.
 */
#include "engine_int.h"

static bool same_packet(const struct ne_copyseen *c, const struct pgm_pkt *pkt,
                        const struct ne_meta *m, uint32_t sqn)
{
	return c->valid && c->type == pkt->type && c->cksum == pkt->checksum &&
	       c->in_ifindex == m->in_ifindex && c->sqn == sqn &&
	       ne_tsi_key(&c->tsi) == ne_tsi_key(&pkt->tsi);
}

static uint32_t packet_sqn(const struct pgm_pkt *pkt)
{
	switch (pkt->type) {
	case PGM_SPM:
		return pkt->u.spm.sqn;
	case PGM_ODATA:
	case PGM_RDATA:
		return pkt->u.data.sqn;
	case PGM_POLL:
		return pkt->u.poll.sqn;
	case PGM_POLR:
		return pkt->u.polr.sqn;
	default:
		return pkt->u.nak.sqn;
	}
}

/*
 * True when this FORWARD copy belongs to a packet whose copies we are
 * seeing: same type, TSI, SQN, checksum and arrival interface, within
 * NE_COPY_WINDOW_MS, on an outgoing interface not seen yet for it. The
 * last NE_COPY_SLOTS packets are remembered, so copies interleaved with
 * other packets are still recognised. Otherwise remembers it as a new
 * packet (replacing the oldest) and returns false. Either way ne->copy
 * points at the entry for this packet afterwards.
 */
bool ne_copy_repeat(struct ne *ne, const struct pgm_pkt *pkt, const struct ne_meta *m,
                    const struct ne_iface *out)
{
	uint32_t sqn = packet_sqn(pkt);
	uint64_t bit = out != NULL ? ne_slot_bit(ne_iface_slot(ne->ifaces, out)) : 0;
	for (unsigned i = 0; bit != 0 && i < NE_COPY_SLOTS; i++) {
		struct ne_copyseen *c = &ne->copies[i];
		if (same_packet(c, pkt, m, sqn) && ne->now - c->first_ms <= NE_COPY_WINDOW_MS &&
		    !(c->outs & bit)) {
			c->outs |= bit;
			ne->copy = c;
			return true;
		}
	}
	struct ne_copyseen *c = &ne->copies[ne->copy_next];
	ne->copy_next = (ne->copy_next + 1) % NE_COPY_SLOTS;
	*c = (struct ne_copyseen){
		.valid = true, .type = pkt->type, .cksum = pkt->checksum,
		.in_ifindex = m->in_ifindex, .sqn = sqn, .tsi = pkt->tsi,
		.first_ms = ne->now, .outs = bit,
	};
	ne->copy = c;
	return false;
}
