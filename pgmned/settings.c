/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pgmned settings from flags and from the configuration file. */
#include "settings.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OFF(field) offsetof(struct ned_opts, field)
#define NE_OFF(field) (offsetof(struct ned_opts, ne) + offsetof(struct ne_config, field))

/* RFC 3208 §7 names the timers; docs/pgmned.8 explains the defaults. */
const struct ned_optdesc ned_optdescs[] = {
	{ "interface", "IFACE", "enable PGM on IFACE (repeatable)", NED_K_IFACE, 0, 0, 0, 0 },
	{ "queue", "N", "NFQUEUE number", NED_K_U32, OFF(queue), 0, 65535, 1 },
	{ "socket", "PATH", "control socket", NED_K_PATH, OFF(ctl_path), 0, 0, 0 },
	{ "rules", "KIND", "kernel rules: nft (a table of our own; iptables if it fails), "
	  "iptables, or none", NED_K_RULES, OFF(rules), 0, NED_RULES_N - 1, 1 },
	{ "nak-rpt-ivl", "MS", "retry an unconfirmed NAK for this long (NAK_RPT_IVL, "
	  "RFC 3208 7.2)", NED_K_U32, NE_OFF(nak_rpt_ivl_ms), 1, 600000, 1 },
	{ "nak-rpt-rte", "MS", "interval between NAK retries (1/NAK_RPT_RTE, 7.2)",
	  NED_K_U32, NE_OFF(nak_rpt_rte_ms), 1, 600000, 1 },
	{ "nak-rdata-ivl", "MS", "keep confirmed repair state waiting for RDATA "
	  "(NAK_RDATA_IVL, 7.3)", NED_K_U32, NE_OFF(nak_rdata_ivl_ms), 1, 600000, 1 },
	{ "nak-elim-ivl", "MS", "eliminate duplicate NAKs after an NCF "
	  "(NAK_ELIM_IVL, 7.3)", NED_K_U32, NE_OFF(nak_elim_ivl_ms), 1, 600000, 1 },
	{ "session-lifetime", "S", "forget a session without SPMs after this long",
	  NED_K_U32, NE_OFF(session_lifetime_ms), 1, 86400, 1000 },
	{ "max-sessions", "N", "sessions (TSIs) tracked at most", NED_K_U32,
	  NE_OFF(max_sessions), 1, 10000000, 1 },
	{ "max-rstates", "N", "repair states in total at most", NED_K_U32,
	  NE_OFF(max_rstates), 1, 10000000, 1 },
	{ "max-rstates-per-session", "N", "repair states per session at most",
	  NED_K_U32, NE_OFF(max_rstates_per_session), 1, 10000000, 1 },
	{ "ncf-ivl", "MS", "answer identical NAKs on one interface with one NCF per MS "
	  "(RFC 3208 7.2 rate limit; 0 = an NCF for every NAK)", NED_K_U32,
	  NE_OFF(ncf_ivl_ms), 0, 10000, 1 },
	{ "repair-cache", "BYTES", "keep up to BYTES of the RDATA just forwarded and repair a "
	  "later NAK from another interface from it, with no NAK upstream (0 = off)",
	  NED_K_U32, NE_OFF(rcache_bytes), 0, 1u << 30, 1 },
	{ "repair-cache-life", "MS", "how long the repair cache keeps a forwarded RDATA",
	  NED_K_U32, NE_OFF(rcache_ms), 1, 600000, 1 },
	{ "ncf-ttl", "TTL", "IP TTL of the NCFs we send", NED_K_U8, NE_OFF(ncf_ttl), 1, 255, 1 },
	{ "nak-ttl", "TTL", "IP TTL of the NAKs we forward upstream", NED_K_U8,
	  NE_OFF(nak_ttl), 1, 255, 1 },
};
const size_t ned_optdesc_count = sizeof ned_optdescs / sizeof ned_optdescs[0];

static const char *const rules_names[NED_RULES_N] = {
	[NED_RULES_NFT] = "nft", [NED_RULES_IPTABLES] = "iptables", [NED_RULES_NONE] = "none",
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void ned_opts_defaults(struct ned_opts *o)
{
	memset(o, 0, sizeof *o);
	ne_config_defaults(&o->ne);
	o->queue = NED_DEFAULT_QUEUE;
}

const struct ned_optdesc *ned_opt_find(const char *name)
{
	for (size_t i = 0; i < ned_optdesc_count; i++)
		if (strcmp(ned_optdescs[i].name, name) == 0)
			return &ned_optdescs[i];
	return NULL;
}

/* Strict decimal: digits only, no sign, no trailing text, no overflow. */
static bool parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

static int set_number(struct ned_opts *o, const struct ned_optdesc *d, const char *value,
                      char *err, size_t errlen)
{
	uint32_t v;
	char *base = (char *)o + d->off;

	if (!parse_u32(value, &v))
		return fail(err, errlen, "%s: '%s' is not a number", d->name, value);
	if (v < d->min || v > d->max)
		return fail(err, errlen, "%s: %s out of range %" PRIu32 "..%" PRIu32,
		            d->name, value, d->min, d->max);
	if (d->kind == NED_K_U8) {
		uint8_t b = (uint8_t)v;
		memcpy(base, &b, sizeof b);
	} else {
		v *= d->scale; /* max * scale fits: ranges above are chosen so */
		memcpy(base, &v, sizeof v);
	}
	return 0;
}

static int set_rules(struct ned_opts *o, const char *value, char *err, size_t errlen)
{
	for (unsigned i = 0; i < NED_RULES_N; i++)
		if (strcmp(value, rules_names[i]) == 0) {
			o->rules = (uint8_t)i;
			return 0;
		}
	return fail(err, errlen, "rules: '%s' is not nft, iptables or none", value);
}

static int add_iface(struct ned_opts *o, const char *value, char *err, size_t errlen)
{
	if (strlen(value) >= IF_NAMESIZE)
		return fail(err, errlen, "interface: name '%s' too long (at most %d characters)",
		            value, IF_NAMESIZE - 1);
	for (unsigned i = 0; i < o->n_ifaces; i++)
		if (strcmp(o->ifaces[i], value) == 0)
			return 0; /* named twice: harmless */
	if (o->n_ifaces >= NE_MAX_IFACES)
		return fail(err, errlen, "interface: more than %d interfaces", NE_MAX_IFACES);
	snprintf(o->ifaces[o->n_ifaces++], IF_NAMESIZE, "%s", value);
	return 0;
}

static int set_path(struct ned_opts *o, const char *value, char *err, size_t errlen)
{
	if (value[0] != '/')
		return fail(err, errlen, "socket: '%s' is not an absolute path", value);
	if (strlen(value) >= sizeof o->ctl_path)
		return fail(err, errlen, "socket: path too long (at most %zu characters)",
		            sizeof o->ctl_path - 1);
	snprintf(o->ctl_path, sizeof o->ctl_path, "%s", value);
	return 0;
}

int ned_opt_set(struct ned_opts *o, const char *name, const char *value, char *err,
                size_t errlen)
{
	const struct ned_optdesc *d = ned_opt_find(name);

	if (d == NULL)
		return fail(err, errlen, "unknown setting '%s'", name);
	if (value == NULL || *value == '\0')
		return fail(err, errlen, "%s: missing value", name);
	switch (d->kind) {
	case NED_K_U32:
	case NED_K_U8:
		return set_number(o, d, value, err, errlen);
	case NED_K_IFACE:
		return add_iface(o, value, err, errlen);
	case NED_K_PATH:
		return set_path(o, value, err, errlen);
	case NED_K_RULES:
		return set_rules(o, value, err, errlen);
	}
	return fail(err, errlen, "%s: unsupported setting", name);
}

void ned_opt_format(const struct ned_opts *o, const struct ned_optdesc *d, char *buf,
                    size_t len)
{
	const char *base = (const char *)o + d->off;
	uint32_t v;
	uint8_t b;

	switch (d->kind) {
	case NED_K_U32:
		memcpy(&v, base, sizeof v);
		snprintf(buf, len, "%" PRIu32, v / d->scale);
		return;
	case NED_K_U8:
		memcpy(&b, base, sizeof b);
		snprintf(buf, len, "%u", (unsigned)b);
		return;
	case NED_K_IFACE:
		if (o->n_ifaces)
			snprintf(buf, len, "%u named", o->n_ifaces);
		else
			snprintf(buf, len, "every multicast, non-loopback interface");
		return;
	case NED_K_PATH:
		ned_ctl_path(o, buf, len);
		return;
	case NED_K_RULES:
		snprintf(buf, len, "%s", o->rules < NED_RULES_N ? rules_names[o->rules] : "?");
		return;
	}
	snprintf(buf, len, "?");
}

/* Split one line (modified in place) into key and value; NULL key = blank. */
static void split_line(char *line, char **key, char **value, char **extra)
{
	char *hash = strchr(line, '#');
	char *save = NULL;

	if (hash)
		*hash = '\0';
	*key = strtok_r(line, " \t\r", &save);
	*value = *key ? strtok_r(NULL, " \t\r", &save) : NULL;
	*extra = *value ? strtok_r(NULL, " \t\r", &save) : NULL;
}

int ned_cfg_parse(struct ned_opts *o, const char *text, const char *fname, char *err,
                  size_t errlen)
{
	char line[512];
	char msg[256];
	unsigned lineno = 0;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		char *key, *value, *extra;

		lineno++;
		if (n >= sizeof line)
			return fail(err, errlen, "%s:%u: line too long", fname, lineno);
		memcpy(line, text, n);
		line[n] = '\0';
		text += n + (nl != NULL);
		split_line(line, &key, &value, &extra);
		if (key == NULL)
			continue;
		if (extra != NULL)
			return fail(err, errlen, "%s:%u: %s: unexpected '%s' after the value",
			            fname, lineno, key, extra);
		if (ned_opt_set(o, key, value, msg, sizeof msg) < 0)
			return fail(err, errlen, "%s:%u: %s", fname, lineno, msg);
	}
	return 0;
}

int ned_cfg_load(struct ned_opts *o, const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t used = 0;
	ssize_t n = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	buf = malloc(NED_CFG_MAX_BYTES + 1);
	if (buf == NULL) {
		close(fd);
		return fail(err, errlen, "%s: out of memory", path);
	}
	while (used <= NED_CFG_MAX_BYTES &&
	       (n = read(fd, buf + used, NED_CFG_MAX_BYTES + 1 - used)) > 0)
		used += (size_t)n;
	rc = 0;
	if (n < 0)
		rc = fail(err, errlen, "%s: %s", path, strerror(errno));
	else if (used > NED_CFG_MAX_BYTES)
		rc = fail(err, errlen, "%s: larger than %d bytes", path, NED_CFG_MAX_BYTES);
	else if (memchr(buf, '\0', used) != NULL)
		rc = fail(err, errlen, "%s: contains a NUL byte", path);
	close(fd);
	if (rc == 0) {
		buf[used] = '\0';
		rc = ned_cfg_parse(o, buf, path, err, errlen);
	}
	free(buf);
	return rc;
}

int ned_opts_check(const struct ned_opts *o, char *err, size_t errlen)
{
	const struct ne_config *c = &o->ne;

	/* §7.3: elimination is part of the confirmed state's lifetime. */
	if (c->nak_elim_ivl_ms > c->nak_rdata_ivl_ms)
		return fail(err, errlen, "nak-elim-ivl (%" PRIu32 ") must not exceed "
		            "nak-rdata-ivl (%" PRIu32 ")", c->nak_elim_ivl_ms,
		            c->nak_rdata_ivl_ms);
	if (c->max_rstates_per_session > c->max_rstates)
		return fail(err, errlen, "max-rstates-per-session (%" PRIu32 ") must not "
		            "exceed max-rstates (%" PRIu32 ")", c->max_rstates_per_session,
		            c->max_rstates);
	return 0;
}

int ned_opts_build(struct ned_opts *o, const char *path, const struct ned_setting *flags,
                   size_t n_flags, char *err, size_t errlen)
{
	char msg[256];

	ned_opts_defaults(o);
	if (path && ned_cfg_load(o, path, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < n_flags; i++)
		if (ned_opt_set(o, flags[i].name, flags[i].value, msg, sizeof msg) < 0)
			return fail(err, errlen, "--%s", msg);
	return ned_opts_check(o, err, errlen);
}

void ned_ctl_path(const struct ned_opts *o, char *buf, size_t len)
{
	if (o->ctl_path[0])
		snprintf(buf, len, "%s", o->ctl_path);
	else if (o->queue == NED_DEFAULT_QUEUE)
		snprintf(buf, len, "%s", CTL_DEFAULT_SOCKET);
	else
		snprintf(buf, len, "/run/pgmned-q%" PRIu32 ".sock", o->queue);
}
