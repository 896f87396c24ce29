/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl: allocation that cannot fail quietly, and the formatters
 * more than one output uses.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgmnectl.h"
#include "util.h"

/* A command-line tool out of memory has nothing better to do than say so. */
static void out_of_memory(void)
{
	fprintf(stderr, "pgmnectl: out of memory\n");
	exit(NECTL_EXIT_FAIL);
}

void *nectl_xrealloc(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		out_of_memory();
	size_t bytes = n * size;
	void *q = realloc(p, bytes > 0 ? bytes : 1);
	if (q == NULL)
		out_of_memory();
	return q;
}

char *nectl_xstrdup(const char *s)
{
	char *d = strdup(s);
	if (d == NULL)
		out_of_memory();
	return d;
}

void nectl_fmt_addr(char *buf, size_t len, struct in_addr a)
{
	if (inet_ntop(AF_INET, &a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}
