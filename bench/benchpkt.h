/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test packets for the benchmarks: whole IPv4 PGM packets built with the
 * project's own codec (pgm_build, pgm_ip_build), so what the benchmarks
 * feed the engine or the wire is what the codec writes.
 */
#ifndef PGMNE_BENCHPKT_H
#define PGMNE_BENCHPKT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* One flow's addresses and ports, in the downstream (ODATA) view. */
struct bpkt_flow {
	struct in_addr src, dst;     /* IP header */
	struct in_addr odata_src;    /* NAK/NCF source NLA */
	struct in_addr group;        /* NAK/NCF group NLA */
	uint16_t sport, dport;       /* data-source port, data-destination port */
	uint8_t ttl;
	uint32_t trail, lead;        /* SPM window; trail also in ODATA/RDATA */
	unsigned payload;            /* ODATA/RDATA bytes */
};

/* GSI of benchmark TSI number `tsi` (0x42 0x45 then tsi, big-endian). */
void bpkt_gsi(unsigned tsi, uint8_t gsi[6]);

/*
 * Build an IPv4 packet of PGM `type` (ODATA, RDATA, SPM, NAK or NCF) for
 * TSI number `tsi` and sequence number `sqn` into buf. NAKs go upstream:
 * their ports are swapped, the TSI port is the destination. SPMs carry
 * f->src as path NLA. Returns the IP length, or 0 if it does not fit.
 */
size_t bpkt_build(uint8_t *buf, size_t cap, uint8_t type, const struct bpkt_flow *f,
                  unsigned tsi, uint32_t sqn);

#endif
