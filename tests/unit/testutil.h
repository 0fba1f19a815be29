/* testutil.h - small helpers shared by the Check suites.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef PWR_TESTUTIL_H
#define PWR_TESTUTIL_H

#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

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

static inline int pwr_test_rm_entry(const char *path, const struct stat *st,
                                    int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Remove dir and everything below it (symbolic links are removed, never
 * followed); 0, or -1 when something could not be removed. */
static inline int pwr_test_rm_tree(const char *dir)
{
    return nftw(dir, pwr_test_rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/* A suite's private directory: pwr_test_dir_setup and pwr_test_dir_teardown
 * are a fixture pair (or are called from the suite's own).  As an unchecked
 * fixture they run in the parent, once per test case, so the directory goes
 * even when a test fails or times out in its child. */
static char *pwr_test_dir __attribute__((unused));

static inline void pwr_test_dir_setup(void)
{
    pwr_test_dir = pwr_test_tmpdir();
    ck_assert_ptr_nonnull(pwr_test_dir);
}

static inline void pwr_test_dir_teardown(void)
{
    if (pwr_test_dir == NULL)
        return;
    ck_assert_int_eq(pwr_test_rm_tree(pwr_test_dir), 0);
    free(pwr_test_dir);
    pwr_test_dir = NULL;
}

/* How many descriptors this process has open (leak checks). */
static inline int pwr_test_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n;
}

/* A datagram or stream (listening) socket at dir/name; its path in path. */
static inline int pwr_test_bind_socket(const char *dir, int type,
                                       const char *name, char *path,
                                       size_t pathsz)
{
    struct sockaddr_un addr;
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

    ck_assert_int_ge(fd, 0);
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    ck_assert_int_lt(snprintf(path, pathsz, "%s/%s", dir, name),
                     (int)sizeof(addr.sun_path));
    memcpy(addr.sun_path, path, strlen(path) + 1);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    if (type == SOCK_STREAM)
        ck_assert_int_eq(listen(fd, 16), 0);
    return fd;
}

#endif
