/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Strict number parsing and the common options of the tools. */
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

int cli_bad_arg(const char *prog, const char *what, const char *val)
{
	fprintf(stderr, "%s: bad %s \"%s\"\n", prog, what, val ? val : "");
	return 2;
}

int cli_common_opt(struct cli_common *cc, int opt, const char *arg)
{
	char err[160];
	switch (opt) {
	case 'n':
		if (!netstr_parse(arg, &cc->net, err, sizeof(err))) {
			fprintf(stderr, "%s: -n: %s\n", cc->prog, err);
			return 2;
		}
		cc->have_net = true;
		return 0;
	case 'p':
		if (!cli_u32(arg, 1, 65535, &cc->port))
			return cli_bad_arg(cc->prog, "port (-p, 1..65535)", arg);
		cc->have_port = true;
		return 0;
	case CLI_OPT_STATS:
		cc->stats = true;
		return 0;
	case CLI_OPT_HELP:
		cc->usage(stdout);
		exit(0);
	default:
		cc->usage(stderr);
		return 2;
	}
}

int cli_common_required(const struct cli_common *cc)
{
	if (cc->have_net && cc->have_port)
		return 0;
	fprintf(stderr, "%s: %s is required\n", cc->prog,
	        cc->have_net ? "-p PORT" : "-n IFADDR;GROUP");
	return 2;
}
