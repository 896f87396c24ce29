/*
 * pgmnectl's small helpers (util.c): allocation that cannot fail
 * quietly, and text formatters more than one part uses.
 */
#ifndef PGMNE_NECTL_UTIL_H
#define PGMNE_NECTL_UTIL_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

void *nectl_xrealloc(void *p, size_t n, size_t size); /* exits on failure */
char *nectl_xstrdup(const char *s);
/* "1.250s", "0.100s": milliseconds as seconds with three decimals. */
void nectl_fmt_ms(char *buf, size_t len, uint64_t ms);
/* "InNakNoSessionErrors" -> "in_nak_no_session_errors". */
void nectl_snake(char *buf, size_t len, const char *camel);
/* Dotted quad of an address. */
void nectl_fmt_addr(char *buf, size_t len, struct in_addr a);

#endif
