/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl's small helpers (util.c): allocation that cannot fail
 * quietly, and text formatters more than one part uses.
 */
#ifndef PGMNE_NECTL_UTIL_H
#define PGMNE_NECTL_UTIL_H

#include <netinet/in.h>
#include <stddef.h>

void *nectl_xrealloc(void *p, size_t n, size_t size); /* exits on failure */
char *nectl_xstrdup(const char *s);
/* Dotted quad of an address. */
void nectl_fmt_addr(char *buf, size_t len, struct in_addr a);

#endif
