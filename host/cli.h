/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by the command-line tools: strict number parsing
 * and the options pgmsend and pgmrecv have in common. */
#ifndef PGMNE_HOST_CLI_H
#define PGMNE_HOST_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "host/netstr.h"

/* Whole string a decimal number in [min, max]? */
bool cli_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* Decimal seconds with up to 3 decimals ("2", "0.5") in [0, max_s], as ms. */
bool cli_seconds_ms(const char *s, uint32_t max_s, uint64_t *out_ms);

/* "PROG: bad WHAT "VAL"" on stderr; returns 2, the exit code for a bad
 * command line, so a parser can `return cli_bad_arg(...)`. */
int cli_bad_arg(const char *prog, const char *what, const char *val);

/* What both tools take: -n IFADDR;GROUP, -p PORT, --stats, --help. */
struct cli_common {
	const char *prog;        /* for messages: "pgmsend" */
	void (*usage)(FILE *f);  /* the tool's usage text */
	struct netstr net;       /* -n */
	uint32_t port;           /* -p */
	bool stats;              /* --stats */
	bool have_net, have_port;
};

/* Long option value of --stats and --help; the tools list them with these. */
enum { CLI_OPT_STATS = 'S', CLI_OPT_HELP = 'h' };

/*
 * Handle one getopt_long() result that is not the tool's own: -n, -p,
 * --stats, --help (usage on stdout, exit 0), anything else (usage on
 * stderr). Returns 0, or 2 for a bad command line.
 */
int cli_common_opt(struct cli_common *cc, int opt, const char *arg);

/* After the options: both -n and -p given? Returns 0, or 2 with a message. */
int cli_common_required(const struct cli_common *cc);

#endif
