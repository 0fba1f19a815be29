/* replay.c - runs a fuzz target over its corpus without libFuzzer, so the
 * corpus (seeds and every regression input) is replayed by `make check`
 * with gcc, under the sanitizer build and under valgrind alike.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * usage: fuzz_replay_TARGET FILE|DIR...   (directories: every regular file
 * in them, in name order).  Exit 0 when every input ran, 99 when one could
 * not be read; a broken property aborts (fuzz_fail).
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "pwr_util.h"

#define INPUT_MAX (1024 * 1024)

static int run_file(const char *path, unsigned *count)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct pwr_err err;
    char *buf = NULL;
    size_t len = 0;
    int rc;

    if (fd < 0) {
        perror(path);
        return -1;
    }
    rc = pwr_read_fd(fd, INPUT_MAX, &buf, &len, &err);
    close(fd);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return -1;
    }
    /* A copy of exactly len bytes, so ASan sees any read past the input. */
    {
        uint8_t *exact = malloc(len ? len : 1);

        if (exact == NULL) {
            free(buf);
            return -1;
        }
        memcpy(exact, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    (*count)++;
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_dir(const char *path, unsigned *count)
{
    struct dirent **list;
    int n = scandir(path, &list, NULL, by_name), rc = 0;

    if (n < 0) {
        perror(path);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char file[PWR_PATH_MAX];
        struct stat st;

        if ((size_t)snprintf(file, sizeof(file), "%s/%s", path,
                             list[i]->d_name) < sizeof(file) &&
            stat(file, &st) == 0 && S_ISREG(st.st_mode) &&
            run_file(file, count) < 0)
            rc = -1;
        free(list[i]);
    }
    free(list);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc |= run_dir(argv[i], &count) < 0;
        else
            rc |= run_file(argv[i], &count) < 0;
    }
    printf("%s: %u input(s) replayed\n", argc > 0 ? argv[0] : "replay", count);
    return rc ? 99 : 0;
}
