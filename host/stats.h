/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host statistics, in the spirit of Windows' RM_SENDER_STATS and
 * RM_RECEIVER_STATS, printed as "key: value" lines so tests can grep.
 */
#ifndef PGMNE_HOST_STATS_H
#define PGMNE_HOST_STATS_H

#include <stdint.h>
#include <stdio.h>

struct source_stats {
	uint64_t data_bytes_sent;      /* ODATA payload bytes */
	uint64_t data_packets_sent;    /* ODATA */
	uint64_t repair_packets_sent;  /* RDATA */
	uint64_t repair_bytes_sent;
	uint64_t naks_received;        /* SQNs asked for (NAK_SQN + OPT_NAK_LIST) */
	uint64_t naks_too_late;        /* SQNs no longer (or never) in the window */
	uint64_t naks_pending;         /* SQNs already queued for repair */
	uint64_t naks_ignored;         /* NAKs for another session or group */
	uint64_t naks_foreign_src_nla; /* served although NAK_SRC_NLA was not ours */
	uint64_t ncfs_sent;
	uint64_t spms_sent;
	uint64_t malformed;            /* failed pgm_ip_parse / pgm_parse */
	uint64_t send_errors;
	int last_send_errno;           /* why the last send failed */
	uint32_t trail, lead;          /* transmit window, at print time */
	uint64_t start_ms, end_ms;     /* for the average rate */
};

struct recv_stats {
	uint64_t odata_received;
	uint64_t rdata_received;
	uint64_t duplicates;           /* data already held or delivered */
	uint64_t out_of_window;        /* beyond the receive window's capacity */
	uint64_t bytes_delivered;
	uint64_t packets_delivered;
	uint64_t naks_sent;            /* SQNs asked for */
	uint64_t nak_packets_sent;
	uint64_t naks_outstanding;     /* at print time */
	uint64_t ncfs_received;
	uint64_t naks_suppressed;      /* other receivers' NAKs heard */
	uint64_t spms_received;
	uint64_t losses;               /* SQNs unrecoverable */
	uint64_t other_sessions;       /* packets for another TSI or port */
	uint64_t malformed;
	uint64_t send_errors;
	int last_send_errno;
	uint32_t trail, lead;          /* receive window, at print time */
};

void source_stats_print(const struct source_stats *s, FILE *f);
void recv_stats_print(const struct recv_stats *s, FILE *f);

#endif
