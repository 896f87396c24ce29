/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "IFADDR[,IFADDR...];GROUP" parsing. */
#include "host/netstr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static bool parse_addr(const char *s, size_t len, struct in_addr *out)
{
	char buf[INET_ADDRSTRLEN];
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, out) == 1;
}

static bool parse_ifaddrs(const char *s, size_t len, struct netstr *out, char *err,
                          size_t errlen)
{
	const char *end = s + len;
	out->n_if = 0;
	while (s <= end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *stop = comma ? comma : end;
		if (out->n_if == NETSTR_MAX_IF) {
			snprintf(err, errlen, "more than %d interface addresses", NETSTR_MAX_IF);
			return false;
		}
		if (!parse_addr(s, (size_t)(stop - s), &out->ifaddr[out->n_if])) {
			snprintf(err, errlen, "bad interface address \"%.*s\" (numeric IPv4 expected)",
			         (int)(stop - s), s);
			return false;
		}
		out->n_if++;
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	return true;
}

bool netstr_parse(const char *s, struct netstr *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	const char *semi = strchr(s, ';');
	if (semi == NULL) {
		snprintf(err, errlen, "network \"%s\" is not IFADDR;GROUP", s);
		return false;
	}
	if (!parse_ifaddrs(s, (size_t)(semi - s), out, err, errlen))
		return false;
	if (!parse_addr(semi + 1, strlen(semi + 1), &out->group) ||
	    !IN_MULTICAST(ntohl(out->group.s_addr))) {
		snprintf(err, errlen, "bad group \"%s\" (IPv4 multicast address expected)", semi + 1);
		return false;
	}
	return true;
}
