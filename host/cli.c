/* Strict number parsing for the tools' arguments. */
#include "host/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

bool cli_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	if (s == NULL || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool cli_seconds_ms(const char *s, uint32_t max_s, uint64_t *out_ms)
{
	uint64_t whole = 0, frac = 0, scale = 100;
	const char *c = s;
	if (s == NULL || !isdigit((unsigned char)*c))
		return false;
	for (; isdigit((unsigned char)*c); c++) {
		whole = whole * 10 + (uint64_t)(*c - '0');
		if (whole > max_s)
			return false;
	}
	if (*c == '.') {
		for (c++; isdigit((unsigned char)*c) && scale > 0; c++, scale /= 10)
			frac += (uint64_t)(*c - '0') * scale;
	}
	if (*c != '\0')
		return false;
	*out_ms = whole * 1000 + frac;
	return true;
}
