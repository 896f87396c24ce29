/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl command grammar, table-driven in the ospfctl manner: each
 * table lists what may come next; a keyword may be abbreviated to any
 * unique prefix ("sh tr" = "show traffic").
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "parser.h"

enum tok_kind {
	TK_NONE,     /* end of a table */
	TK_ENDOK,    /* the command may end here */
	TK_KEYWORD,
	TK_PROM,     /* --prometheus */
	TK_GROUP,    /* IPv4 multicast group */
	TK_TSI,
	TK_IFNAME,
};

#define SET_WATCH 0x01

struct token {
	enum tok_kind kind;
	const char *word;          /* TK_KEYWORD, TK_PROM */
	uint8_t req;               /* request type this word selects (0: none) */
	uint8_t set;               /* SET_* flags */
	const struct token *next;
};

#define END_OK { .kind = TK_ENDOK }
#define LAST { .kind = TK_NONE }
#define KW(w, r, s, n) { .kind = TK_KEYWORD, .word = (w), .req = (r), .set = (s), .next = (n) }
#define ARG(k, n) { .kind = (k), .next = (n) }
#define PROM(n) { .kind = TK_PROM, .word = "--prometheus", .next = (n) }

static const struct token t_end[] = { END_OK, LAST };
static const struct token t_state_tsi[] = { END_OK, ARG(TK_TSI, t_end), LAST };
static const struct token t_state[] = {
	END_OK, ARG(TK_GROUP, t_state_tsi), ARG(TK_TSI, t_end), LAST };
static const struct token t_traffic_if[] = { END_OK, ARG(TK_IFNAME, t_end), LAST };
static const struct token t_traffic_prom[] = { END_OK, PROM(t_end), LAST };
static const struct token t_traffic[] = {
	END_OK, PROM(t_traffic_if), ARG(TK_IFNAME, t_traffic_prom), LAST };
static const struct token t_show[] = {
	KW("interfaces", CTL_REQ_SHOW_INTERFACES, 0, t_end),
	KW("sessions", CTL_REQ_SHOW_SESSIONS, 0, t_end),
	KW("state", CTL_REQ_SHOW_STATE, 0, t_state),
	KW("traffic", CTL_REQ_SHOW_TRAFFIC, 0, t_traffic),
	LAST };
static const struct token t_clear_if[] = { END_OK, ARG(TK_IFNAME, t_end), LAST };
static const struct token t_clear_group[] = { END_OK, ARG(TK_GROUP, t_end), LAST };
static const struct token t_clear[] = {
	KW("traffic", CTL_REQ_CLEAR_TRAFFIC, 0, t_clear_if),
	KW("rtx-state", CTL_REQ_CLEAR_RTX_STATE, 0, t_clear_group),
	LAST };
static const struct token t_watch[] = { KW("show", 0, 0, t_show), LAST };
static const struct token t_main[] = {
	KW("show", 0, 0, t_show),
	KW("clear", 0, 0, t_clear),
	KW("watch", 0, SET_WATCH, t_watch),
	LAST };

void parser_print_commands(FILE *f)
{
	fputs("commands: show interfaces | show sessions | show state [GROUP] [TSI] | "
	      "show traffic [IFACE] [--prometheus] | clear traffic [IFACE] | "
	      "clear rtx-state [GROUP] | watch SHOW-COMMAND\n", f);
}

/* Exact keyword, else the only one it is a prefix of; NULL otherwise. */
static const struct token *match_keyword(const struct token *table, const char *word)
{
	const struct token *found = NULL;
	size_t n = strlen(word);
	for (const struct token *t = table; t->kind != TK_NONE; t++) {
		if (t->kind != TK_KEYWORD || strncmp(t->word, word, n) != 0)
			continue;
		if (t->word[n] == '\0')
			return t;
		if (found != NULL)
			return NULL; /* ambiguous */
		found = t;
	}
	return n > 0 ? found : NULL;
}

static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= IF_NAMESIZE || s[0] == '-' || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || s[i] <= ' ' || s[i] == 0x7F)
			return false;
	return true;
}

/* Try the typed token t on word; fills the request when it matches. */
static bool match_typed(const struct token *t, const char *word, struct nectl_cmd *cmd)
{
	struct in_addr a;
	switch (t->kind) {
	case TK_PROM:
		if (strcmp(word, t->word) != 0)
			return false;
		cmd->prometheus = true;
		return true;
	case TK_GROUP:
		if (inet_pton(AF_INET, word, &a) != 1 || !IN_MULTICAST(ntohl(a.s_addr)))
			return false;
		cmd->req.group = a;
		cmd->req.flags |= CTL_F_GROUP;
		return true;
	case TK_TSI:
		if (!pgm_tsi_parse(word, &cmd->req.tsi))
			return false;
		cmd->req.flags |= CTL_F_TSI;
		return true;
	case TK_IFNAME:
		if (!valid_ifname(word))
			return false;
		snprintf(cmd->req.ifname, sizeof cmd->req.ifname, "%s", word);
		cmd->req.flags |= CTL_F_IFACE;
		return true;
	default:
		return false;
	}
}

static bool has_kind(const struct token *table, enum tok_kind k)
{
	for (const struct token *t = table; t->kind != TK_NONE; t++)
		if (t->kind == k)
			return true;
	return false;
}

/* "a multicast group or a TSI": what a table would have accepted. */
static void describe_expected(const struct token *table, char *buf, size_t len)
{
	static const struct { enum tok_kind k; const char *what; } names[] = {
		{ TK_GROUP, "a multicast group" }, { TK_TSI, "a TSI (GSI.port)" },
		{ TK_IFNAME, "an interface name" }, { TK_PROM, "--prometheus" },
	};
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!has_kind(table, names[i].k))
			continue;
		int n = snprintf(buf + o, len - o, "%s%s", o ? " or " : "", names[i].what);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
}

/* Keywords of the table that word is a prefix of. */
static unsigned prefix_count(const struct token *table, const char *word)
{
	unsigned n = 0;
	for (const struct token *t = table; t->kind != TK_NONE; t++)
		n += t->kind == TK_KEYWORD && strncmp(t->word, word, strlen(word)) == 0;
	return n;
}

static int word_error(const struct token *table, const char *word)
{
	if (!has_kind(table, TK_KEYWORD)) {
		char expected[128];
		describe_expected(table, expected, sizeof expected);
		if (has_kind(table, TK_ENDOK) && expected[0] == '\0')
			fprintf(stderr, "pgmnectl: bad argument '%s': nothing more expected\n", word);
		else if (expected[0] == '\0')
			fprintf(stderr, "pgmnectl: bad argument '%s'\n", word);
		else
			fprintf(stderr, "pgmnectl: bad argument '%s': expected %s\n", word, expected);
		return NECTL_EXIT_BADARG;
	}
	if (prefix_count(table, word) > 1)
		fprintf(stderr, "pgmnectl: ambiguous command '%s'; ", word);
	else
		fprintf(stderr, "pgmnectl: unknown command '%s'; ", word);
	parser_print_commands(stderr);
	return NECTL_EXIT_USAGE;
}

int parser_parse(int argc, char *const argv[], struct nectl_cmd *cmd)
{
	const struct token *table = t_main;
	memset(cmd, 0, sizeof *cmd);
	for (int i = 0; i < argc; i++) {
		const struct token *t = match_keyword(table, argv[i]);
		for (const struct token *u = table; t == NULL && u->kind != TK_NONE; u++)
			if (u->kind != TK_KEYWORD && match_typed(u, argv[i], cmd))
				t = u;
		if (t == NULL)
			return word_error(table, argv[i]);
		if (t->req != 0)
			cmd->req.type = t->req;
		if (t->set & SET_WATCH)
			cmd->watch = true;
		table = t->next;
	}
	if (!has_kind(table, TK_ENDOK)) {
		fprintf(stderr, "pgmnectl: %s; ", argc ? "incomplete command" : "no command");
		parser_print_commands(stderr);
		return NECTL_EXIT_USAGE;
	}
	return NECTL_EXIT_OK;
}
