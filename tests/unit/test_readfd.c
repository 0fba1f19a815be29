/* test_readfd.c - pwr_read_fd leaves no copy of what it read in freed memory
 * (import reads /etc/shadow through it).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Linked with -Wl,--wrap=malloc,--wrap=free,--wrap=realloc: the library's
 * own calls to free and realloc come here first, and every block handed to
 * them is looked at for the canary before the real allocator gets it.  A
 * block given to realloc still holding it counts too: realloc may move the
 * block and free the old one, copy and all, where nothing can wipe it.
 * malloc zeroes what it hands out, so looking at a whole block never reads
 * memory nobody wrote (valgrind-unit.sh runs this test too).
 */
#include "config.h"

#include <fcntl.h>
#include <malloc.h>
#include <string.h>
#include <unistd.h>

#include "pwr_secret.h"
#include "pwr_util.h"
#include "testutil.h"

#define CANARY "Canary-Shadow-Hash-Kestrel-0451"

void *__real_malloc(size_t n);
void __real_free(void *p);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void __wrap_free(void *p);
void *__wrap_realloc(void *p, size_t n);

static int watching, leaked;

static void look(void *p)
{
    if (watching && p != NULL &&
        memmem(p, malloc_usable_size(p), CANARY, strlen(CANARY)) != NULL)
        leaked++;
}

void *__wrap_malloc(size_t n)
{
    void *p = __real_malloc(n);

    if (p != NULL)
        memset(p, 0, malloc_usable_size(p));
    return p;
}

void __wrap_free(void *p)
{
    look(p);
    __real_free(p);
}

void *__wrap_realloc(void *p, size_t n)
{
    look(p);
    return __real_realloc(p, n);
}

/* A file of size bytes, the canary every 200 bytes; an fd open on it. */
static int canary_file(size_t size)
{
    char *dir = pwr_test_tmpdir(), path[4096];
    char *data = malloc(size);
    size_t i;
    int fd;

    ck_assert_ptr_nonnull(dir);
    ck_assert_ptr_nonnull(data);
    memset(data, 'x', size);
    for (i = 0; i + 200 <= size; i += 200)
        memcpy(data + i, CANARY, strlen(CANARY));
    snprintf(path, sizeof(path), "%s/shadow", dir);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, size), (ssize_t)size);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(pwr_test_rm_tree(dir), 0); /* fd keeps the file */
    free(dir);
    free(data);
    return fd;
}

START_TEST(test_growth_leaves_no_copy_in_freed_memory)
{
    int fd = canary_file(100000); /* 4 KiB grown five times */
    char *buf = NULL;
    size_t len = 0;

    watching = 1;
    ck_assert_int_eq(pwr_read_fd(fd, 1u << 20, &buf, &len, NULL), 0);
    ck_assert_uint_eq(len, 100000);
    ck_assert_ptr_nonnull(memmem(buf, len, CANARY, strlen(CANARY)));
    pwr_wipe(buf, len);
    free(buf);
    watching = 0;
    close(fd);
    ck_assert_msg(leaked == 0, "%d freed block(s) still held the file", leaked);
}
END_TEST

START_TEST(test_a_refused_file_leaves_no_copy_in_freed_memory)
{
    int fd = canary_file(50000);
    char *buf = NULL;
    size_t len = 0;
    struct pwr_err err;

    watching = 1;
    ck_assert_int_eq(pwr_read_fd(fd, 20000, &buf, &len, &err), -1);
    watching = 0;
    close(fd);
    ck_assert_int_eq(err.code, PWR_E_USAGE);
    ck_assert_ptr_null(buf);
    ck_assert_msg(leaked == 0, "%d freed block(s) still held the file", leaked);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("readfd");
    TCase *tc = tcase_create("wipe");

    tcase_add_test(tc, test_growth_leaves_no_copy_in_freed_memory);
    tcase_add_test(tc, test_a_refused_file_leaves_no_copy_in_freed_memory);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
