/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 framing for PGM (RFC 791; Router Alert, RFC 2113, which §8 asks
 * for on SPM, NCF, RDATA and POLL).
 */
#include <string.h>

#include "cksum.h"
#include "wire_priv.h"

#define IPV4_MIN_HDR   20
#define IPOPT_EOL      0
#define IPOPT_NOP      1
#define IPOPT_RA       148 /* copied flag + option 20, RFC 2113 */
#define IPOPT_RA_LEN   4
#define IP_MF          0x2000
#define IP_OFFMASK     0x1FFF
#define IP_DF          0x4000

/* Walk the IP options; false if one is malformed. Sets out->router_alert. */
static bool ip_options(const uint8_t *opt, size_t len, struct pgm_ip *out)
{
	size_t i = 0;

	while (i < len) {
		uint8_t type = opt[i], olen;
		if (type == IPOPT_EOL)
			return true;
		if (type == IPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return false;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return false;
		if (type == IPOPT_RA && olen == IPOPT_RA_LEN)
			out->router_alert = true;
		i += olen;
	}
	return true;
}

/* Every field read from the fixed 20 bytes after one length check (the
 * engine parses each queued packet with this). */
enum pgm_err pgm_ip_parse(const uint8_t *buf, size_t len, struct pgm_ip *out)
{
	uint8_t vihl;
	uint16_t frag;

	memset(out, 0, sizeof *out);
	if (buf == NULL || len < IPV4_MIN_HDR)
		return PGM_E_TRUNCATED;
	vihl = buf[0];
	if (vihl >> 4 != 4 || (vihl & 0x0F) < 5)
		return PGM_E_BAD_VERSION;
	out->hdr_len = (size_t)(vihl & 0x0F) * 4;
	/* buf[1]: TOS; buf[4..5]: ID */
	out->total_len = ld_be16(buf + 2);
	frag = ld_be16(buf + 6);
	out->fragment = (frag & (IP_MF | IP_OFFMASK)) != 0;
	out->ttl = buf[8];
	out->proto = buf[9];
	/* buf[10..11]: header checksum, the kernel has verified it */
	memcpy(&out->src, buf + 12, 4);
	memcpy(&out->dst, buf + 16, 4);
	if (out->hdr_len > len || out->total_len > len)
		return PGM_E_TRUNCATED;
	if (out->total_len < out->hdr_len)
		return PGM_E_BAD_VERSION; /* not a consistent IPv4 header */
	if (out->hdr_len == IPV4_MIN_HDR)
		return PGM_OK;
	/* Router Alert alone, as §8 asks for on SPM, NCF, RDATA and POLL:
	 * what ip_options() would conclude, without the walk. */
	if (out->hdr_len == IPV4_MIN_HDR + IPOPT_RA_LEN && buf[IPV4_MIN_HDR] == IPOPT_RA &&
	    buf[IPV4_MIN_HDR + 1] == IPOPT_RA_LEN) {
		out->router_alert = true;
		return PGM_OK;
	}
	if (!ip_options(buf + IPV4_MIN_HDR, out->hdr_len - IPV4_MIN_HDR, out))
		return PGM_E_BAD_VERSION;
	return PGM_OK;
}

size_t pgm_ip_build(uint8_t *buf, size_t cap, struct in_addr src, struct in_addr dst,
                    uint8_t ttl, bool router_alert, size_t payload_len)
{
	size_t hl = IPV4_MIN_HDR + (router_alert ? IPOPT_RA_LEN : 0);
	struct pgm_wr w = { buf, cap, 0, false };
	uint16_t sum;

	if (buf == NULL || hl > cap || payload_len > UINT16_MAX - hl)
		return 0;
	wr_u8(&w, (uint8_t)(0x40 | hl / 4));
	wr_u8(&w, 0); /* TOS */
	wr_u16(&w, (uint16_t)(hl + payload_len));
	wr_u16(&w, 0);     /* ID: never fragmented, DF set */
	wr_u16(&w, IP_DF);
	wr_u8(&w, ttl);
	wr_u8(&w, PGM_IPPROTO);
	wr_u16(&w, 0); /* checksum, below */
	wr_bytes(&w, &src, 4);
	wr_bytes(&w, &dst, 4);
	if (router_alert) {
		wr_u8(&w, IPOPT_RA);
		wr_u8(&w, IPOPT_RA_LEN);
		wr_u16(&w, 0); /* "every router examines the packet" */
	}
	if (w.overflow)
		return 0;
	sum = ip_cksum(buf, hl);
	memcpy(buf + 10, &sum, sizeof sum);
	return hl;
}
