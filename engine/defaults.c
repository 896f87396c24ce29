/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Default timers and bounds. RFC 3208 §7.3/§7.4 name the timers but give
 * no values; docs/engine.md explains each choice against the PGM MIB
 * defaults and the stock receivers (OpenPGM, ZeroMQ).
 */
#include "ne.h"

void ne_config_defaults(struct ne_config *c)
{
	*c = (struct ne_config){
		/* Retry a lost upstream NAK 4 times, 100 ms apart, so the
		 * repair can still come inside ZeroMQ's 200 ms wait. */
		.nak_rpt_ivl_ms = 500,
		.nak_rpt_rte_ms = 100,
		/* Outlive the longest stock receiver wait (OpenPGM 2 s). */
		.nak_rdata_ivl_ms = 2000,
		/* Absorb the 50 ms NAK back-off burst, yet end before the
		 * shortest receiver repeat (ZeroMQ, 200 ms after our NCF). */
		.nak_elim_ivl_ms = 100,
		/* PGM MIB pgmNeSessionLifeTime; OpenPGM peer expiry too. */
		.session_lifetime_ms = 300000,
		.max_sessions = 1024,
		.max_rstates = 65536,
		.max_rstates_per_session = 8192,
		/* §7.2 "a small interval": well under the shortest receiver
		 * NAK back-off (OpenPGM's 50 ms), so a late receiver's NCF
		 * comes before it would repeat its NAK. */
		.ncf_ivl_ms = 10,
		/* Repair late askers from the RDATA just forwarded (rcache.h):
		 * 1 MiB holds ~700 full-size repairs, far more than a burst
		 * of loss needs; 1 s outlives every stock receiver's NAK
		 * back-off (OpenPGM 50 ms) plus a WAN round trip, and stays
		 * under NAK_RDATA_IVL. */
		.rcache_bytes = 1u << 20,
		.rcache_ms = 1000,
		/* Multicast scope bounds the NCF; unicast routing the NAK. */
		.ncf_ttl = 255,
		.nak_ttl = 255,
	};
}
