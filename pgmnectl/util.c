/* pgmnectl: allocation that cannot fail quietly, and small formatters. */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
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

void nectl_fmt_ms(char *buf, size_t len, uint64_t ms)
{
	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 "s", ms / 1000, ms % 1000);
}

void nectl_snake(char *buf, size_t len, const char *camel)
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

void nectl_fmt_addr(char *buf, size_t len, struct in_addr a)
{
	if (inet_ntop(AF_INET, &a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}
