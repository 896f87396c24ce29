/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl: the operator's view of pgmned, like a router's
 * "show ip pgm router ...". Sends one request over the control socket and
 * prints the typed replies as aligned tables, JSON (-j) or Prometheus.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "output.h"
#include "parser.h"
#include "pgmnectl.h"

struct opts {
	const char *socket;
	bool json;
	unsigned long count; /* watch: stop after this many refreshes (0 = never) */
};

static void usage(FILE *f)
{
	fputs("usage: pgmnectl [-j] [-s socket] [-n count] command [argument ...]\n"
	      "  -j         JSON output\n"
	      "  -s socket  control socket (default " CTL_DEFAULT_SOCKET ")\n"
	      "  -n count   with watch: stop after count refreshes\n"
	      "  --help     this text\n", f);
	parser_print_commands(f);
}

/* Parse options up to the first command word. */
static int parse_opts(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	char *end;
	/* '+': stop at the command, so its own arguments are not options */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hjs:n:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			exit(NECTL_EXIT_OK);
		case 'j':
			o->json = true;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'n':
			errno = 0;
			o->count = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || optarg[0] == '-' || o->count == 0) {
				fprintf(stderr, "pgmnectl: bad argument '%s': -n wants a positive "
				        "count\n", optarg);
				return NECTL_EXIT_BADARG;
			}
			break;
		case ':':
			fprintf(stderr, "pgmnectl: option -%c wants an argument; see pgmnectl "
			        "--help\n", optopt);
			return NECTL_EXIT_USAGE;
		default:
			fprintf(stderr, "pgmnectl: unknown option '%s'; see pgmnectl --help\n",
			        argv[optind - 1]);
			return NECTL_EXIT_USAGE;
		}
	}
	return NECTL_EXIT_OK;
}

/* The output format, chosen once: --prometheus, -j, else tables. */
static const struct output *pick_output(const struct opts *o, const struct nectl_cmd *cmd)
{
	if (cmd->prometheus)
		return &output_prom;
	return o->json ? &output_json : &output_plain;
}

static int run_once(const struct opts *o, const struct nectl_cmd *cmd, const struct output *out)
{
	struct nectl_reply rep;
	int rc = client_request(o->socket, &cmd->req, &rep);
	if (rc == NECTL_EXIT_OK)
		out->reply(&cmd->req, &rep, stdout);
	client_reply_free(&rep);
	if (fflush(stdout) != 0 && rc == NECTL_EXIT_OK) {
		fprintf(stderr, "pgmnectl: writing output: %s\n", strerror(errno));
		rc = NECTL_EXIT_FAIL;
	}
	return rc;
}

/*
 * Refresh every second until SIGINT/SIGTERM (or -n refreshes). The
 * signals stay blocked and are taken by sigtimedwait(), so an interrupt
 * ends the wait at once and never cuts a table in half.
 */
static int watch(const struct opts *o, const struct nectl_cmd *cmd, const struct output *out)
{
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	bool tty = isatty(STDOUT_FILENO);
	for (unsigned long n = 1;; n++) {
		if (tty)
			fputs("\033[H\033[2J", stdout); /* home, clear screen */
		else if (n > 1)
			fputs(out->refresh_separator, stdout);
		int rc = run_once(o, cmd, out);
		if (rc != NECTL_EXIT_OK)
			return rc;
		if (o->count != 0 && n >= o->count)
			return NECTL_EXIT_OK;
		const struct timespec second = { .tv_sec = 1 };
		int sig = sigtimedwait(&stop, NULL, &second);
		if (sig > 0)
			return NECTL_EXIT_OK;
	}
}

int main(int argc, char *argv[])
{
	struct opts o = { .socket = CTL_DEFAULT_SOCKET };
	struct nectl_cmd cmd;
	int rc = parse_opts(argc, argv, &o);
	if (rc != NECTL_EXIT_OK)
		return rc;
	rc = parser_parse(argc - optind, argv + optind, &cmd);
	if (rc != NECTL_EXIT_OK)
		return rc;
	if (cmd.prometheus && o.json) {
		fprintf(stderr, "pgmnectl: -j and --prometheus exclude each other\n");
		return NECTL_EXIT_USAGE;
	}
	const struct output *out = pick_output(&o, &cmd);
	return cmd.watch ? watch(&o, &cmd, out) : run_once(&o, &cmd, out);
}
