/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl show traffic --prometheus: the Prometheus text exposition
 * format (version 0.0.4), for a node_exporter textfile or a scrape
 * wrapper. Per-interface counters carry an interface="..." label.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "output.h"
#include "util.h"

#define METRIC_MAX 96

/* Label values escape backslash, double quote and newline. */
static void put_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

void prom_snake_case(char *buf, size_t len, const char *camel)
{
	size_t o = 0;
	for (size_t i = 0; camel[i] != '\0' && o + 2 < len; i++) {
		unsigned char c = (unsigned char)camel[i];
		unsigned char prev = i > 0 ? (unsigned char)camel[i - 1] : 0;
		unsigned char next = (unsigned char)camel[i + 1];
		/* a word starts at an upper-case letter after a lower-case one,
		 * or at the last capital of a run followed by lower case (OIFs) */
		if (isupper(c) && i > 0 &&
		    (islower(prev) || isdigit(prev) || (isupper(prev) && islower(next))))
			buf[o++] = '_';
		buf[o++] = (char)tolower(c);
	}
	buf[o] = '\0';
}

static void metric_name(char *buf, size_t len, const char *camel, const char *suffix)
{
	char snake[METRIC_MAX / 2];
	prom_snake_case(snake, sizeof snake, camel);
	snprintf(buf, len, "pgmne_%s%s", snake, suffix);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * The pgmNeIfPerformanceTable objects of the PGM MIB draft
 * (draft-petrova-pgmmib-01) that pgmned counts. A counter not listed
 * here (§7.2 NCF rate limiting, SPMR/POLL/POLR arrivals, overload
 * handling) has no MIB object, and its help text says so.
 */
static const char *const mib_objects[] = {
	"InSpms", "OutSpms", "SpmBadSqn", "SpmError", "InNaks", "OutNaks", "UniqueNaks",
	"NakEliminated", "NakRetransmitted", "NakRetryExpired", "InNakNoSessionErrors",
	"InNakSeqErrors", "NakError", "InNnaks", "OutNnaks", "NNakEliminated",
	"InNnakNoSessionErrors", "InNcfs", "OutNcfs", "NcfAnticipated", "NcfReceived",
	"NcfError", "InNcfNoSessionErrors", "InRdata", "OutRdata", "RdataEliminatedOIF",
	"RdataEliminatedSqn", "InRdataNoSessionErrors", "InParityNaks", "InParityRdata",
	"ReXmitStates", "ReXmitTimedOut", "Malformed",
};

static bool in_mib(const char *counter)
{
	for (size_t i = 0; i < sizeof mib_objects / sizeof mib_objects[0]; i++)
		if (strcmp(mib_objects[i], counter) == 0)
			return true;
	return false;
}

static void if_counters(const struct nectl_reply *rep, FILE *f)
{
	for (size_t i = 0; i < NE_IF_COUNTER_N; i++) {
		char name[METRIC_MAX], help[2 * METRIC_MAX];
		const char *cn = ctl_if_counter_names[i];
		metric_name(name, sizeof name, cn, "_total");
		if (in_mib(cn))
			snprintf(help, sizeof help, "Per-interface %s (PGM MIB pgmNeIf%s).", cn, cn);
		else
			snprintf(help, sizeof help, "Per-interface %s (pgmned's own, not in the PGM MIB).",
			         cn);
		family(f, name, "counter", help);
		for (size_t c = 0; c < rep->n_counters; c++) {
			fprintf(f, "%s{interface=\"", name);
			put_label(f, rep->counters[c].name);
			fprintf(f, "\"} %" PRIu64 "\n", rep->counters[c].v[i]);
		}
	}
}

static void health(const struct ctl_health *h, FILE *f)
{
	for (size_t i = 0; i < NE_HEALTH_COUNTER_N; i++) {
		char name[METRIC_MAX], help[2 * METRIC_MAX];
		metric_name(name, sizeof name, ctl_health_counter_names[i], "_total");
		snprintf(help, sizeof help, "Daemon health: %s.", ctl_health_counter_names[i]);
		family(f, name, "counter", help);
		fprintf(f, "%s %" PRIu64 "\n", name, h->v[i]);
	}
	family(f, "pgmne_malformed_by_reason_total", "counter",
	       "Malformed PGM packets by parse error.");
	for (size_t i = 1; i < PGM_E_COUNT; i++) {
		fputs("pgmne_malformed_by_reason_total{reason=\"", f);
		put_label(f, pgm_err_name((enum pgm_err)i));
		fprintf(f, "\"} %" PRIu64 "\n", h->malformed[i]);
	}
	family(f, "pgmne_sessions", "gauge", "PGM sessions (TSIs) known.");
	fprintf(f, "pgmne_sessions %" PRIu64 "\n", h->sessions);
	family(f, "pgmne_repair_states", "gauge", "Repair states held.");
	fprintf(f, "pgmne_repair_states %" PRIu64 "\n", h->rstates);
	family(f, "pgmne_repair_cache_packets", "gauge", "Forwarded RDATA held by the repair cache.");
	fprintf(f, "pgmne_repair_cache_packets %" PRIu64 "\n", h->rcache_entries);
	family(f, "pgmne_repair_cache_bytes", "gauge", "Bytes of RDATA held by the repair cache.");
	fprintf(f, "pgmne_repair_cache_bytes %" PRIu64 "\n", h->rcache_bytes);
}

/* Only show traffic comes here: its counters and the daemon's health. */
static void prom_reply(const struct ctl_req *req, const struct nectl_reply *rep, FILE *f)
{
	(void)req;
	if_counters(rep, f);
	if (rep->has_health)
		health(&rep->health, f);
}

const struct output output_prom = {
	.reply = prom_reply,
	.refresh_separator = "",
};
