/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark packet builder; see benchpkt.h. */
#include <string.h>

#include "bench/benchpkt.h"
#include "common/wire.h"

#define BPKT_IP_MAX 24 /* IPv4 header with Router Alert */

void bpkt_gsi(unsigned tsi, uint8_t gsi[6])
{
	gsi[0] = 0x42; /* 'B', 'E': recognisable in captures */
	gsi[1] = 0x45;
	gsi[2] = (uint8_t)(tsi >> 24);
	gsi[3] = (uint8_t)(tsi >> 16);
	gsi[4] = (uint8_t)(tsi >> 8);
	gsi[5] = (uint8_t)tsi;
}

size_t bpkt_build(uint8_t *buf, size_t cap, uint8_t type, const struct bpkt_flow *f,
                  unsigned tsi, uint32_t sqn)
{
	static const uint8_t zeros[1500]; /* payload bytes: any will do */
	struct pgm_pkt p;

	if (cap < BPKT_IP_MAX || f->payload > sizeof(zeros))
		return 0;
	memset(&p, 0, sizeof(p));
	p.type = type;
	bpkt_gsi(tsi, p.tsi.gsi);
	p.tsi.sport = f->sport;
	p.sport = f->sport;
	p.dport = f->dport;
	switch (type) {
	case PGM_ODATA:
	case PGM_RDATA:
		p.u.data.sqn = sqn;
		p.u.data.trail = f->trail;
		p.data = zeros;
		p.data_len = f->payload;
		break;
	case PGM_SPM:
		p.u.spm.sqn = sqn;
		p.u.spm.trail = f->trail;
		p.u.spm.lead = f->lead;
		pgm_nla_from_in(&p.u.spm.path, f->src);
		break;
	case PGM_NAK:
		p.sport = f->dport; /* upstream: ports swapped */
		p.dport = f->sport;
		/* fall through */
	case PGM_NCF:
		p.u.nak.sqn = sqn;
		pgm_nla_from_in(&p.u.nak.src, f->odata_src);
		pgm_nla_from_in(&p.u.nak.grp, f->group);
		break;
	default:
		return 0;
	}
	/* PGM first, after room for the largest IP header; then the IP
	 * header (it needs the PGM length) and close the gap. */
	size_t plen = pgm_build(buf + BPKT_IP_MAX, cap - BPKT_IP_MAX, &p);
	if (plen == 0)
		return 0;
	uint8_t ip[BPKT_IP_MAX];
	size_t hl = pgm_ip_build(ip, sizeof(ip), f->src, f->dst, f->ttl, false, plen);
	if (hl == 0)
		return 0;
	memmove(buf + hl, buf + BPKT_IP_MAX, plen);
	memcpy(buf, ip, hl);
	return hl + plen;
}
