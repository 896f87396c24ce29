/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl's output formats behind one interface, chosen once at start:
 * aligned tables (output_plain.c), one JSON document per reply (-j,
 * output_json.c), or the Prometheus text format (show traffic
 * --prometheus, output_prom.c; the parser allows it nowhere else).
 */
#ifndef PGMNE_NECTL_OUTPUT_H
#define PGMNE_NECTL_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/ctlproto.h"
#include "client.h"

struct output {
	/* The whole reply to one request. */
	void (*reply)(const struct ctl_req *req, const struct nectl_reply *rep, FILE *f);
	/*
	 * Written by watch between two refreshes when stdout is no terminal
	 * (a terminal has its screen cleared instead): a blank line sets
	 * tables apart; JSON documents and Prometheus expositions follow one
	 * another as they are, as a reader of such a stream expects.
	 */
	const char *refresh_separator;
};

extern const struct output output_plain;
extern const struct output output_json;
extern const struct output output_prom;

/* Formatters of one format, declared here for the unit tests. */
/* "1.250s", "0.100s": milliseconds as seconds with three decimals. */
void plain_fmt_ms(char *buf, size_t len, uint64_t ms);
/* "InNakNoSessionErrors" -> "in_nak_no_session_errors", for metric names. */
void prom_snake_case(char *buf, size_t len, const char *camel);

#endif
