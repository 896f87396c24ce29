/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgmnectl: aligned plain-text tables. Rows are collected first so each
 * column is as wide as its widest cell; the last column is not padded,
 * so lines carry no trailing blanks.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "util.h"

#define TBL_GAP "  "

void tbl_init(struct nectl_table *t, size_t ncols, const char *const *head, const char *align)
{
	*t = (struct nectl_table){ .ncols = ncols, .head = head, .align = align };
}

void tbl_row(struct nectl_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = nectl_xrealloc(t->cells, t->cap, t->ncols * sizeof *t->cells);
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = nectl_xstrdup(cells[c]);
	t->nrows++;
}

static void print_cells(const struct nectl_table *t, const char *const *cells,
                        const size_t *width, FILE *f)
{
	for (size_t c = 0; c < t->ncols; c++) {
		bool last = c + 1 == t->ncols;
		int w = (int)width[c];
		if (t->align[c] == 'r')
			fprintf(f, "%*s", w, cells[c]);
		else if (last)
			fputs(cells[c], f);
		else
			fprintf(f, "%-*s", w, cells[c]);
		fputs(last ? "\n" : TBL_GAP, f);
	}
}

void tbl_print(const struct nectl_table *t, FILE *f)
{
	size_t *width = nectl_xrealloc(NULL, t->ncols, sizeof *width);
	for (size_t c = 0; c < t->ncols; c++) {
		width[c] = strlen(t->head[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t n = strlen(t->cells[r * t->ncols + c]);
			if (n > width[c])
				width[c] = n;
		}
	}
	print_cells(t, t->head, width, f);
	for (size_t r = 0; r < t->nrows; r++)
		print_cells(t, (const char *const *)&t->cells[r * t->ncols], width, f);
	free(width);
}

void tbl_free(struct nectl_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}
