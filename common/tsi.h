/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Transport Session Identifier (RFC 3208 §3.1): 6-byte GSI + source port.
 */
#ifndef PGMNE_TSI_H
#define PGMNE_TSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pgm_tsi {
	uint8_t gsi[6];
	uint16_t sport; /* host byte order */
};

/* "0a0b0c0d0e0f.4321": GSI in hex, '.', port in decimal. */
#define PGM_TSI_STRLEN 20

bool pgm_tsi_eq(const struct pgm_tsi *a, const struct pgm_tsi *b);
uint32_t pgm_tsi_hash(const struct pgm_tsi *t);
/* Writes the text form into buf (>= PGM_TSI_STRLEN) and returns buf. */
char *pgm_tsi_format(const struct pgm_tsi *t, char *buf, size_t len);
/*
 * Parses the text form above, and also OpenPGM's "a.b.c.d.e.f.port"
 * (six decimal GSI bytes). Returns false on anything else.
 */
bool pgm_tsi_parse(const char *s, struct pgm_tsi *out);

#endif
