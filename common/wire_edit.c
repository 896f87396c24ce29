/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * In-place edits a network element makes to a packet it forwards, each
 * followed by an RFC 1624 incremental checksum update (§8: whoever
 * changes the header must fix the checksum or clear it).
 */
#include <string.h>

#include "cksum.h"
#include "wire_priv.h"

static uint16_t stored_cksum(const uint8_t *buf)
{
	uint16_t c;
	memcpy(&c, buf + PGM_CKSUM_OFF, sizeof c);
	return c;
}

static void store_cksum(uint8_t *buf, uint16_t c)
{
	memcpy(buf + PGM_CKSUM_OFF, &c, sizeof c);
}

bool pgm_rewrite_path_nla(uint8_t *buf, size_t len, const struct pgm_pkt *pkt,
                          const struct pgm_nla *nla)
{
	const struct pgm_nla *cur;
	size_t n;
	uint16_t c;

	if (buf == NULL || len < PGM_HDR_LEN || pkt->nla_off == 0)
		return false;
	if (pkt->type == PGM_SPM)
		cur = &pkt->u.spm.path;
	else if (pkt->type == PGM_POLL)
		cur = &pkt->u.poll.path;
	else
		return false;
	n = pgm_nla_addr_len(cur->afi);
	if (n == 0 || nla->afi != cur->afi || pkt->nla_off > len || n > len - pkt->nla_off)
		return false;
	/* nla_off is even (28 or 32), as the word-wise update requires. */
	c = stored_cksum(buf);
	if (c != 0)
		store_cksum(buf, cksum_update_bytes(c, buf + pkt->nla_off, &nla->u, n));
	memcpy(buf + pkt->nla_off, &nla->u, n);
	return true;
}

/* Change the byte at `off`, updating checksum `c` through its 16-bit word. */
static uint16_t set_byte(uint8_t *buf, size_t len, size_t off, uint8_t v, uint16_t c)
{
	size_t even = off & ~(size_t)1;
	uint8_t old_w[2] = { buf[even], even + 1 < len ? buf[even + 1] : 0 };
	uint8_t new_w[2] = { old_w[0], old_w[1] };

	new_w[off - even] = v;
	buf[off] = v;
	return c != 0 ? cksum_update_bytes(c, old_w, new_w, 2) : 0;
}

void pgm_invalidate_options(uint8_t *buf, size_t len, const struct pgm_pkt *pkt)
{
	uint16_t c;
	unsigned i;

	if (buf == NULL || len < PGM_HDR_LEN)
		return;
	c = stored_cksum(buf);
	for (i = 0; i < pkt->opt.invalidate_count && i < PGM_MAX_OPTIONS; i++) {
		size_t off = pkt->opt.invalidate_off[i];
		if (off < PGM_HDR_LEN || off >= len)
			continue;
		/* §9: type becomes OPT_INVALID; the END bit stays. */
		c = set_byte(buf, len, off, (uint8_t)((buf[off] & PGM_OPT_END) | PGM_OPT_INVALID), c);
	}
	store_cksum(buf, c);
}
