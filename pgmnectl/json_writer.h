/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small JSON writer (json_writer.c), for pgmnectl -j: pretty-printed,
 * always valid.
 */
#ifndef PGMNE_NECTL_JSON_WRITER_H
#define PGMNE_NECTL_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
