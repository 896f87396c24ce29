/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Raw datagram -> parsed PGM view. */
#include "host/pktin.h"

enum pgm_err pktin_parse(const uint8_t *buf, size_t len, struct pgm_ip *ip, struct pgm_pkt *p)
{
	enum pgm_err e = pgm_ip_parse(buf, len, ip);
	if (e != PGM_OK)
		return e;
	if (ip->proto != PGM_IPPROTO || ip->hdr_len > ip->total_len)
		return PGM_E_TRUNCATED;
	/* the checksum is verified: OpenPGM drops bad ones, so must we (§8) */
	return pgm_parse(buf + ip->hdr_len, ip->total_len - ip->hdr_len, 0, p);
}
