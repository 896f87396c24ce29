/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl: a minimal JSON writer. It tracks nesting and commas itself
 * and escapes every string, so what it prints always parses.
 */
#include <inttypes.h>

#include "json_writer.h"

void jw_init(struct jw *w, FILE *f)
{
	*w = (struct jw){ .f = f };
}

static void indent(struct jw *w)
{
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7F)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Comma, line break and key before a value at the current depth. */
static void before_value(struct jw *w, const char *key)
{
	if (w->depth > 0) {
		if (w->has_items[w->depth])
			fputc(',', w->f);
		w->has_items[w->depth] = true;
		indent(w);
	}
	if (key != NULL) {
		put_string(w->f, key);
		fputs(": ", w->f);
	}
}

static void open_container(struct jw *w, const char *key, char ch)
{
	before_value(w, key);
	fputc(ch, w->f);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->has_items[w->depth] = false;
}

static void close_container(struct jw *w, char ch)
{
	bool had = w->has_items[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (had)
		indent(w);
	fputc(ch, w->f);
}

void jw_obj(struct jw *w, const char *key) { open_container(w, key, '{'); }
void jw_arr(struct jw *w, const char *key) { open_container(w, key, '['); }
void jw_end_obj(struct jw *w) { close_container(w, '}'); }
void jw_end_arr(struct jw *w) { close_container(w, ']'); }

void jw_str(struct jw *w, const char *key, const char *v)
{
	before_value(w, key);
	put_string(w->f, v);
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	before_value(w, key);
	fprintf(w->f, "%" PRIu64, v);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	before_value(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_done(struct jw *w)
{
	fputc('\n', w->f);
}
