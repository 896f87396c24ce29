/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counters of the network element, named after the PGM MIB draft
 * (pgmNeIf* objects, draft-petrova-pgmmib-01) where one exists (the
 * draft has none for §7.2 NCF rate limiting: NcfSuppressed counts NAKs
 * answered by no NCF of their own, NcfCoalesced the NCFs sent for them
 * when the interval ended; nor for overload: NakRetryDeferred counts
 * NAK retries that fell due while the daemon was behind and were put
 * off by one NAK_RPT_RTE instead of sent, QueueBacklogs the times it
 * fell behind, see ne_set_overload(); nor for the repair cache:
 * RdataFromCache counts the repairs, among OutRdata, sent on an
 * interface from the cache,
 * NakCacheMisses the SQNs a NAK on it asked that the cache could not
 * serve, RcacheEvictions/Expired/TooBig what left the cache or never
 * went in, engine/rcache.h). Listed once here as X-macros so the engine, the control socket and pgmnectl
 * agree on names and order.
 */
#ifndef PGMNE_COUNTERS_H
#define PGMNE_COUNTERS_H

#include <stdint.h>

/* Per-interface protocol counters (pgmNeIfPerformanceTable). */
#define NE_IF_COUNTERS(X)            \
	X(InSpms)                    \
	X(OutSpms)                   \
	X(SpmBadSqn)                 \
	X(SpmError)                  \
	X(InNaks)                    \
	X(OutNaks)                   \
	X(UniqueNaks)                \
	X(NakEliminated)             \
	X(NakCacheMisses)            \
	X(NakRetransmitted)          \
	X(NakRetryExpired)           \
	X(NakRetryDeferred)          \
	X(InNakNoSessionErrors)      \
	X(InNakSeqErrors)            \
	X(NakError)                  \
	X(InNnaks)                   \
	X(OutNnaks)                  \
	X(NNakEliminated)            \
	X(InNnakNoSessionErrors)     \
	X(InNcfs)                    \
	X(OutNcfs)                   \
	X(NcfAnticipated)            \
	X(NcfReceived)               \
	X(NcfError)                  \
	X(InNcfNoSessionErrors)      \
	X(NcfSuppressed)             \
	X(NcfCoalesced)              \
	X(InRdata)                   \
	X(OutRdata)                  \
	X(RdataFromCache)            \
	X(RdataEliminatedOIF)        \
	X(RdataEliminatedSqn)        \
	X(InRdataNoSessionErrors)    \
	X(InParityNaks)              \
	X(InParityRdata)             \
	X(InSpmrs)                   \
	X(InPolls)                   \
	X(InPolrs)                   \
	X(ReXmitStates)              \
	X(ReXmitTimedOut)            \
	X(Malformed)

/* Daemon health, not in the MIB. */
#define NE_HEALTH_COUNTERS(X)        \
	X(QueueDrops)                \
	X(UserDrops)                 \
	X(NetlinkOverruns)           \
	X(QueueBacklogs)             \
	X(NetlinkErrors)             \
	X(VerdictErrors)             \
	X(SendErrors)                \
	X(SessionTableFull)          \
	X(StateTableFull)            \
	X(RcacheEvictions)           \
	X(RcacheExpired)             \
	X(RcacheTooBig)              \
	X(PacketsQueued)             \
	X(RuleQueued)                \
	X(PacketsModified)           \
	X(NotPgm)                    \
	X(UnknownInterface)

#define NE_CNT_FIELD(name) uint64_t name;
struct ne_if_counters { NE_IF_COUNTERS(NE_CNT_FIELD) };
struct ne_health_counters { NE_HEALTH_COUNTERS(NE_CNT_FIELD) };
#undef NE_CNT_FIELD

#define NE_CNT_COUNT(name) +1
enum { NE_IF_COUNTER_N = 0 NE_IF_COUNTERS(NE_CNT_COUNT),
       NE_HEALTH_COUNTER_N = 0 NE_HEALTH_COUNTERS(NE_CNT_COUNT) };
#undef NE_CNT_COUNT

#endif
