/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "key: value" statistics output. */
#include "host/stats.h"

#include <inttypes.h>
#include <string.h>

static void kv(FILE *f, const char *key, uint64_t v)
{
	fprintf(f, "%s: %" PRIu64 "\n", key, v);
}

void source_stats_print(const struct source_stats *s, FILE *f)
{
	uint64_t ms = s->end_ms > s->start_ms ? s->end_ms - s->start_ms : 1;
	kv(f, "data_bytes_sent", s->data_bytes_sent);
	kv(f, "data_packets_sent", s->data_packets_sent);
	kv(f, "repair_packets_sent", s->repair_packets_sent);
	kv(f, "repair_bytes_sent", s->repair_bytes_sent);
	kv(f, "naks_received", s->naks_received);
	kv(f, "naks_too_late", s->naks_too_late);
	kv(f, "naks_pending", s->naks_pending);
	kv(f, "naks_ignored", s->naks_ignored);
	kv(f, "naks_foreign_src_nla", s->naks_foreign_src_nla);
	kv(f, "ncfs_sent", s->ncfs_sent);
	kv(f, "spms_sent", s->spms_sent);
	kv(f, "malformed", s->malformed);
	kv(f, "send_errors", s->send_errors);
	if (s->send_errors > 0)
		fprintf(f, "last_send_error: %s\n", strerror(s->last_send_errno));
	kv(f, "trail", s->trail);
	kv(f, "lead", s->lead);
	/* bytes * 8 / ms = kbit/s */
	kv(f, "rate_kbit", (s->data_bytes_sent + s->repair_bytes_sent) * 8 / ms);
}

void recv_stats_print(const struct recv_stats *s, FILE *f)
{
	kv(f, "odata_received", s->odata_received);
	kv(f, "rdata_received", s->rdata_received);
	kv(f, "duplicates", s->duplicates);
	kv(f, "out_of_window", s->out_of_window);
	kv(f, "bytes_delivered", s->bytes_delivered);
	kv(f, "packets_delivered", s->packets_delivered);
	kv(f, "naks_sent", s->naks_sent);
	kv(f, "nak_packets_sent", s->nak_packets_sent);
	kv(f, "naks_outstanding", s->naks_outstanding);
	kv(f, "ncfs_received", s->ncfs_received);
	kv(f, "naks_suppressed", s->naks_suppressed);
	kv(f, "spms_received", s->spms_received);
	kv(f, "losses", s->losses);
	kv(f, "other_sessions", s->other_sessions);
	kv(f, "malformed", s->malformed);
	kv(f, "send_errors", s->send_errors);
	if (s->send_errors > 0)
		fprintf(f, "last_send_error: %s\n", strerror(s->last_send_errno));
	kv(f, "trail", s->trail);
	kv(f, "lead", s->lead);
}
