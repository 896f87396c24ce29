/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared helpers for the CUnit test programs. */
#ifndef PGMNE_UNIT_UTIL_H
#define PGMNE_UNIT_UTIL_H

#include <CUnit/Basic.h>

/* Add a suite of (name, fn) pairs ending with {NULL, NULL}; aborts on error. */
void unit_add_suite(const char *name, const CU_TestInfo *tests);
/* Run every registered suite verbosely; returns the process exit code. */
int unit_run(void);

#endif
