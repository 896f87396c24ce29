/*
 * pgmnectl internals: command grammar, daemon conversation, output in
 * plain tables, JSON and the Prometheus text format.
 */
#ifndef PGMNE_NECTL_H
#define PGMNE_NECTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/ctlproto.h"

/* Exit codes: each failure class its own, so scripts can tell them apart. */
enum nectl_exit {
	NECTL_EXIT_OK = 0,
	NECTL_EXIT_FAIL = 1,      /* daemon said no, protocol or I/O error */
	NECTL_EXIT_USAGE = 2,     /* unknown command or option */
	NECTL_EXIT_BADARG = 3,    /* bad argument (group, TSI, interface) */
	NECTL_EXIT_NODAEMON = 4,  /* no socket, or nobody listening on it */
	NECTL_EXIT_PERM = 5,      /* not allowed to use the socket */
};

#define NECTL_REPLY_TIMEOUT_MS 10000
#define NECTL_MAX_RECORDS (1u << 20)

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
int nectl_parse(int argc, char *const argv[], struct nectl_cmd *cmd);
/* One line listing every command. */
void nectl_print_commands(FILE *f);

/*
 * A repair state as pgmnectl keeps it: struct ctl_rstate with the
 * interface names allocated to size (a big table holds many of them).
 */
struct nectl_rstate {
	struct pgm_tsi tsi;
	struct in_addr group;
	uint32_t sqn;
	uint8_t phase;
	uint32_t retries;
	uint64_t time_left_ms, elim_left_ms;
	uint8_t n_ifaces;
	char (*ifname)[IF_NAMESIZE];
};

/* Everything the daemon sent for one request. */
struct nectl_reply {
	struct ctl_if *ifs;
	struct ctl_session *sessions;
	struct nectl_rstate *rstates;
	struct ctl_if_counters *counters;
	size_t n_ifs, n_sessions, n_rstates, n_counters;
	size_t cap_ifs, cap_sessions, cap_rstates, cap_counters;
	struct ctl_health health;
	bool has_health;
	uint32_t cleared;
};

/*
 * Connect to the daemon at path, send req, collect the reply until END
 * (records sorted for stable output). On failure prints one line on
 * stderr and returns the exit code.
 */
int nectl_request(const char *path, const struct ctl_req *req, struct nectl_reply *rep);
void nectl_reply_free(struct nectl_reply *rep);

/* Shared text helpers (util.c). */
void *nectl_xrealloc(void *p, size_t n, size_t size); /* exits on failure */
char *nectl_xstrdup(const char *s);
/* "1.250s", "0.100s": milliseconds as seconds with three decimals. */
void nectl_fmt_ms(char *buf, size_t len, uint64_t ms);
/* "InNakNoSessionErrors" -> "in_nak_no_session_errors". */
void nectl_snake(char *buf, size_t len, const char *camel);
/* Dotted quad of an address. */
void nectl_fmt_addr(char *buf, size_t len, struct in_addr a);

/* Aligned plain tables (table.c). */
struct nectl_table {
	size_t ncols, nrows, cap;
	const char *const *head;
	const char *align;  /* one 'l' or 'r' per column */
	char **cells;       /* nrows * ncols copies */
};

void tbl_init(struct nectl_table *t, size_t ncols, const char *const *head, const char *align);
/* Add a row of t->ncols strings (copied). */
void tbl_row(struct nectl_table *t, const char *const *cells);
void tbl_print(const struct nectl_table *t, FILE *f);
void tbl_free(struct nectl_table *t);

/* A small JSON writer (json_writer.c): pretty-printed, always valid. */
#define JW_MAX_DEPTH 8
struct jw {
	FILE *f;
	int depth;
	bool has_items[JW_MAX_DEPTH];
};

void jw_init(struct jw *w, FILE *f);
/* key is NULL inside arrays and for the top-level value. */
void jw_obj(struct jw *w, const char *key);
void jw_arr(struct jw *w, const char *key);
void jw_end_obj(struct jw *w);
void jw_end_arr(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *v);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_bool(struct jw *w, const char *key, bool v);
/* Finish the document with a newline. */
void jw_done(struct jw *w);

#endif
