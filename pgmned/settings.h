/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmned settings: one table of named options shared by the command line
 * (long flags) and the configuration file (`key value` lines), so both
 * spell every setting the same way and validate it the same way. Lives
 * in the engine library so the unit tests can drive it without netfilter.
 */
#ifndef PGMNE_CFGFILE_H
#define PGMNE_CFGFILE_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/ctlproto.h"
#include "../engine/ne.h"

#define NED_DEFAULT_QUEUE 113          /* the PGM protocol number, easy to remember */
#define NED_CFG_MAX_BYTES (64 * 1024)  /* a config file is a few lines */

/* The kernel rules pgmned installs (`rules`, rules.h). */
enum ned_rules { NED_RULES_NFT, NED_RULES_IPTABLES, NED_RULES_NONE, NED_RULES_N };

struct ned_opts {
	struct ne_config ne;
	uint32_t queue;                /* NFQUEUE number */
	uint8_t rules;                 /* enum ned_rules */
	char ctl_path[CTL_PATH_MAX];   /* "" = default for the queue */
	unsigned n_ifaces;             /* 0 = every multicast interface */
	char ifaces[NE_MAX_IFACES][IF_NAMESIZE];
};

enum ned_optkind { NED_K_U32, NED_K_U8, NED_K_IFACE, NED_K_PATH, NED_K_RULES };

/* One setting: long flag `--name`, config key `name`. */
struct ned_optdesc {
	const char *name;
	const char *arg;   /* argument name for --help, e.g. "MS" */
	const char *help;
	enum ned_optkind kind;
	size_t off;        /* offset in struct ned_opts */
	uint32_t min, max; /* range in user units */
	uint32_t scale;    /* stored value = user value * scale */
};

extern const struct ned_optdesc ned_optdescs[];
extern const size_t ned_optdesc_count;

/* Engine defaults (ne_config_defaults) plus the daemon's own. */
void ned_opts_defaults(struct ned_opts *o);

const struct ned_optdesc *ned_opt_find(const char *name);

/*
 * Apply one setting given as text. Returns 0, or -1 with a one-line
 * message naming the setting and the problem in err.
 */
int ned_opt_set(struct ned_opts *o, const char *name, const char *value, char *err,
                size_t errlen);

/* Current value of a setting as text (for --help and logs). */
void ned_opt_format(const struct ned_opts *o, const struct ned_optdesc *d, char *buf,
                    size_t len);

/*
 * Parse configuration text (NUL-terminated): `key value` per line, `#`
 * starts a comment, blank lines ignored. `fname` only labels messages
 * ("FILE:LINE: ..."). Returns 0 or -1 with err set.
 */
int ned_cfg_parse(struct ned_opts *o, const char *text, const char *fname, char *err,
                  size_t errlen);

/* Read and parse a file (at most NED_CFG_MAX_BYTES). 0 or -1 with err. */
int ned_cfg_load(struct ned_opts *o, const char *path, char *err, size_t errlen);

/* Checks between settings (e.g. retry rate within retry interval). */
int ned_opts_check(const struct ned_opts *o, char *err, size_t errlen);

/* A setting given as a command-line flag. */
struct ned_setting {
	const char *name;
	const char *value;
};

/*
 * Defaults, then the file (path may be NULL), then the flags (they win),
 * then the checks between settings. Used at start and on SIGHUP.
 * 0, or -1 with a one-line message in err (flag errors start with "--").
 */
int ned_opts_build(struct ned_opts *o, const char *path, const struct ned_setting *flags,
                   size_t n_flags, char *err, size_t errlen);

/* Control socket path: the configured one, or the default for the queue. */
void ned_ctl_path(const struct ned_opts *o, char *buf, size_t len);

#endif
