/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl's command grammar (parser.c): the words after the options
 * into one control request.
 */
#ifndef PGMNE_NECTL_PARSER_H
#define PGMNE_NECTL_PARSER_H

#include <stdbool.h>
#include <stdio.h>

#include "../common/ctlproto.h"
#include "pgmnectl.h"

/* A parsed command line. */
struct nectl_cmd {
	struct ctl_req req;
	bool watch;       /* repeat every second */
	bool prometheus;  /* show traffic --prometheus */
};

/*
 * Parse the words of a command (after the options). On error prints one
 * line on stderr and returns the exit code; NECTL_EXIT_OK on success.
 */
int parser_parse(int argc, char *const argv[], struct nectl_cmd *cmd);
/* One line listing every command. */
void parser_print_commands(FILE *f);

#endif
