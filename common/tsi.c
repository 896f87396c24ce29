/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transport Session Identifier, RFC 3208 §3.1 (GSI + data-source port). */
#include <stdio.h>
#include <string.h>

#include "tsi.h"

bool pgm_tsi_eq(const struct pgm_tsi *a, const struct pgm_tsi *b)
{
	return a->sport == b->sport && memcmp(a->gsi, b->gsi, sizeof a->gsi) == 0;
}

uint32_t pgm_tsi_hash(const struct pgm_tsi *t)
{
	/* FNV-1a over the eight TSI bytes, port in network order. */
	uint32_t h = 2166136261u;
	uint8_t bytes[8];
	size_t i;

	memcpy(bytes, t->gsi, 6);
	bytes[6] = (uint8_t)(t->sport >> 8);
	bytes[7] = (uint8_t)t->sport;
	for (i = 0; i < sizeof bytes; i++) {
		h ^= bytes[i];
		h *= 16777619u;
	}
	return h;
}

char *pgm_tsi_format(const struct pgm_tsi *t, char *buf, size_t len)
{
	const uint8_t *g = t->gsi;

	if (len == 0)
		return buf;
	snprintf(buf, len, "%02x%02x%02x%02x%02x%02x.%u",
	         g[0], g[1], g[2], g[3], g[4], g[5], (unsigned)t->sport);
	return buf;
}

/* Decimal number of 1..max_digits digits, at most `max`; advances *s. */
static bool parse_dec(const char **s, unsigned max_digits, unsigned long max,
                      unsigned long *out)
{
	const char *p = *s;
	unsigned long v = 0;
	unsigned n = 0;

	while (*p >= '0' && *p <= '9' && n < max_digits) {
		v = v * 10 + (unsigned long)(*p - '0');
		p++;
		n++;
	}
	if (n == 0 || v > max || (*p >= '0' && *p <= '9'))
		return false;
	*s = p;
	*out = v;
	return true;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0a0b0c0d0e0f.4321" */
static bool parse_hex_form(const char *s, struct pgm_tsi *out)
{
	unsigned long port;
	size_t i;

	for (i = 0; i < 6; i++) {
		int hi = hex_val(s[2 * i]), lo;
		if (hi < 0)
			return false;
		lo = hex_val(s[2 * i + 1]);
		if (lo < 0)
			return false;
		out->gsi[i] = (uint8_t)(hi << 4 | lo);
	}
	s += 12;
	if (*s++ != '.' || !parse_dec(&s, 5, 65535, &port) || *s != '\0')
		return false;
	out->sport = (uint16_t)port;
	return true;
}

/* OpenPGM's "10.11.12.13.14.15.4321" */
static bool parse_dotted_form(const char *s, struct pgm_tsi *out)
{
	unsigned long v;
	size_t i;

	for (i = 0; i < 6; i++) {
		if (!parse_dec(&s, 3, 255, &v) || *s++ != '.')
			return false;
		out->gsi[i] = (uint8_t)v;
	}
	if (!parse_dec(&s, 5, 65535, &v) || *s != '\0')
		return false;
	out->sport = (uint16_t)v;
	return true;
}

bool pgm_tsi_parse(const char *s, struct pgm_tsi *out)
{
	struct pgm_tsi t;

	if (s == NULL)
		return false;
	/* The hex form has exactly twelve hex digits before its only dot. */
	if (strlen(s) > 13 && s[12] == '.' && strchr(s, '.') == s + 12) {
		if (!parse_hex_form(s, &t))
			return false;
	} else if (!parse_dotted_form(s, &t)) {
		return false;
	}
	*out = t;
	return true;
}
