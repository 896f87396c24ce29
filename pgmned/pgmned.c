/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmned: PGM network element (RFC 3208 §7, "router assist") on the Linux
 * datapath. Command line and configuration file here; everything else in
 * daemon.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"
#include "caps.h"
#include "settings.h"
#include "daemon.h"

#define EXIT_USAGE 2
#define MAX_LONGOPTS 40
#define OPT_TABLE_BASE 256 /* getopt_long value of ned_optdescs[i] is BASE + i */

struct cmdline {
	bool foreground;
	int verbose;
	const char *cfg_path;
	size_t n;
	struct ned_setting *set; /* argc entries; applied after the config file */
};

static void usage_line(FILE *f)
{
	fprintf(f, "usage: pgmned [-d] [-v] [-f CONFIG] [-i IFACE]... [-q QUEUE] [-s SOCKET] "
	           "[--SETTING VALUE]...\n");
}

static void help(void)
{
	struct ned_opts def;
	char val[CTL_PATH_MAX];

	ned_opts_defaults(&def);
	usage_line(stdout);
	printf("\nPGM network element (RFC 3208 router assist) on NFQUEUE.\n\n");
	printf("  %-30s %s\n", "-d, --foreground", "stay in the foreground, log to stderr");
	printf("  %-30s %s\n", "-v, --verbose", "log debug messages");
	printf("  %-30s %s\n  %-30s %s\n", "-f, --config FILE",
	       "read settings from FILE: `key value` lines,", "",
	       "keys as the long flags below; flags win");
	printf("  %-30s %s\n", "-h, --help", "this text");
	for (size_t i = 0; i < ned_optdesc_count; i++) {
		const struct ned_optdesc *o = &ned_optdescs[i];
		char flag[64];

		ned_opt_format(&def, o, val, sizeof val);
		if (strcmp(o->name, "interface") == 0)
			snprintf(flag, sizeof flag, "-i, --%s %s", o->name, o->arg);
		else if (strcmp(o->name, "queue") == 0)
			snprintf(flag, sizeof flag, "-q, --%s %s", o->name, o->arg);
		else if (strcmp(o->name, "socket") == 0)
			snprintf(flag, sizeof flag, "-s, --%s %s", o->name, o->arg);
		else
			snprintf(flag, sizeof flag, "    --%s %s", o->name, o->arg);
		printf("  %-30s %s\n  %-30s (default: %s)\n", flag, o->help, "", val);
	}
}

static void build_longopts(struct option *lo)
{
	static const struct option fixed[] = {
		{ "foreground", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "config", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		lo[n++] = fixed[i];
	for (size_t i = 0; i < ned_optdesc_count && n < MAX_LONGOPTS - 1; i++)
		lo[n++] = (struct option){ ned_optdescs[i].name, required_argument, NULL,
		                           OPT_TABLE_BASE + (int)i };
	lo[n] = (struct option){ 0 };
}

static _Noreturn void bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "pgmned: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see pgmned --help)\n");
	exit(EXIT_USAGE);
}

static void parse_cmdline(int argc, char **argv, struct cmdline *cl)
{
	struct option lo[MAX_LONGOPTS];
	int c;

	build_longopts(lo);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":dvf:i:q:s:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': cl->foreground = true; break;
		case 'v': cl->verbose++; break;
		case 'f': cl->cfg_path = optarg; break;
		case 'h': help(); fflush(stdout); exit(0);
		case 'i': cl->set[cl->n++] = (struct ned_setting){ "interface", optarg }; break;
		case 'q': cl->set[cl->n++] = (struct ned_setting){ "queue", optarg }; break;
		case 's': cl->set[cl->n++] = (struct ned_setting){ "socket", optarg }; break;
		case ':': bad_usage("option '%s' needs a value", argv[optind - 1]);
		case '?': bad_usage("unknown option '%s'", argv[optind - 1]);
		default:
			cl->set[cl->n++] = (struct ned_setting){
				ned_optdescs[c - OPT_TABLE_BASE].name, optarg };
			break;
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
}

/* Exits 2 naming the problem. */
static void load_settings(const struct cmdline *cl, struct ned_opts *o)
{
	char err[512];

	if (ned_opts_build(o, cl->cfg_path, cl->set, cl->n, err, sizeof err) < 0)
		bad_usage("%s", err);
}

int main(int argc, char **argv)
{
	struct cmdline cl = { 0 };
	struct ned_opts opts;
	struct daemon *d;
	char missing[128];
	int rc;

	cl.set = calloc((size_t)argc + 1, sizeof *cl.set);
	if (cl.set == NULL) {
		fprintf(stderr, "pgmned: out of memory\n");
		return 1;
	}
	parse_cmdline(argc, argv, &cl);
	load_settings(&cl, &opts);
	d = calloc(1, sizeof *d);
	if (d == NULL) {
		fprintf(stderr, "pgmned: out of memory\n");
		free(cl.set);
		return 1;
	}
	d->opts = opts;
	d->cfg_path = cl.cfg_path; /* for SIGHUP */
	d->flags = cl.set;
	d->n_flags = cl.n;

	if (!caps_check(missing, sizeof missing)) {
		fprintf(stderr, "pgmned: needs CAP_NET_ADMIN and CAP_NET_RAW (missing: %s); "
		                "run it as root\n", missing);
		free(d);
		free(cl.set);
		return 1;
	}
	/* Set-up errors go to the terminal even when we are to daemonize. */
	log_init("pgmned", 1, cl.verbose);
	rc = daemon_setup(d);
	if (rc == 0 && !cl.foreground) {
		if (daemon(0, 0) < 0) {
			log_warn("daemon");
			rc = NED_EXIT_SETUP;
		} else {
			log_init("pgmned", 0, cl.verbose);
			if (daemon_reopen_signals(d) < 0)
				rc = NED_EXIT_SETUP;
		}
	}
	if (rc == 0) {
		daemon_loop(d);
		rc = d->exit_code;
	}
	daemon_teardown(d);
	free(d);
	free(cl.set);
	return rc;
}
