/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Aligned plain-text tables (table.c), for pgmnectl's plain output. */
#ifndef PGMNE_NECTL_TABLE_H
#define PGMNE_NECTL_TABLE_H

#include <stddef.h>
#include <stdio.h>

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

#endif
