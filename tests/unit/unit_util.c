/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit_util.h"

#include <stdio.h>
#include <stdlib.h>

void unit_add_suite(const char *name, const CU_TestInfo *tests)
{
	if (CU_get_registry() == NULL && CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: cannot initialise registry\n");
		exit(2);
	}
	CU_pSuite s = CU_add_suite(name, NULL, NULL);
	if (s == NULL) {
		fprintf(stderr, "CUnit: cannot add suite %s\n", name);
		exit(2);
	}
	for (const CU_TestInfo *t = tests; t->pName != NULL; t++)
		if (CU_add_test(s, t->pName, t->pTestFunc) == NULL) {
			fprintf(stderr, "CUnit: cannot add test %s\n", t->pName);
			exit(2);
		}
}

int unit_run(void)
{
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_tests_failed() + CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
