/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NCFs the engine sends towards receivers, RFC 3208 §7.2, §9.3.3: the
 * echo of the NAK in hand (nak.c), and an NCF for one SQN rebuilt from
 * the session, which the rate limiter sends when an interval that
 * suppressed NAKs ends (ncf_limit.c). Both are multicast to the
 * session's group on the interface the NAK came in on, with the ODATA
 * source's address (from SPMs) as IP source, so no multicast state for
 * us is created across non-PGM routers.
 */
#include <string.h>

#include "../common/cksum.h"
#include "engine_int.h"

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

/* To the session's group on `in`, counted there when it went. */
static bool send_ncf_bytes(struct ne *ne, const struct ne_session *s, struct ne_iface *in,
                           const uint8_t *pgm, size_t len)
{
	if (!ne_io_send(ne, pgm, len, s->source, s->group, in->ifindex, ne->cfg.ncf_ttl, true))
		return false;
	in->cnt.OutNcfs++;
	return true;
}

/* The NLAs inside are the NAK's own, so the receiver matches the NCF to
 * its NAK whatever it put there. */
bool ne_send_ncf(struct ne *ne, const struct ne_pkt_ctx *c, const struct ne_session *s)
{
	uint8_t buf[NE_NCF_BUF];
	size_t len = ncf_from_nak(buf, sizeof(buf), c->pgm, c->len);
	return send_ncf_bytes(ne, s, c->in, buf, len);
}

/* The NAKs this NCF stands for are gone: it names what a receiver
 * matches NCFs to its NAKs by (§9.3.3), rebuilt from the session. */
bool ne_send_ncf_sqn(struct ne *ne, const struct ne_session *s, struct ne_iface *in,
                     uint32_t sqn)
{
	uint8_t buf[NE_CTRL_BUF];
	size_t len = ne_session_build(buf, sizeof(buf), s, PGM_NCF, sqn);
	return send_ncf_bytes(ne, s, in, buf, len);
}
