/* testutil.h - small helpers shared by the Check suites.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef PWR_TESTUTIL_H
#define PWR_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* Run one suite and turn its result into an exit status. */
static inline int pwr_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* A fresh private directory under $TMPDIR (or /tmp); caller frees the name
 * and removes the directory. */
static inline char *pwr_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *path = NULL;

    if (base == NULL || *base == '\0')
        base = "/tmp";
    if (asprintf(&path, "%s/pwrtest.XXXXXX", base) < 0)
        return NULL;
    if (mkdtemp(path) == NULL) {
        free(path);
        return NULL;
    }
    return path;
}

#endif
