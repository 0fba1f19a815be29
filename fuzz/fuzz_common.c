/* fuzz_common.c - helpers shared by the fuzz targets (see fuzz.h).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "pwr_util.h"

static char dir[PWR_PATH_MAX];

void fuzz_fail(const char *target, const char *what)
{
    fprintf(stderr, "fuzz %s: property broken: %s\n", target, what);
    abort();
}

int fuzz_printable(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static void remove_dir(void)
{
    char cmd[PWR_PATH_MAX + 16];

    if (dir[0] == '\0')
        return;
    if ((size_t)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) < sizeof(cmd))
        (void)!system(cmd);
}

/* tmpfs when there is one: the store target fsyncs every commit. */
const char *fuzz_dir(void)
{
    const char *base = getenv("TMPDIR");
    struct stat st;

    if (dir[0] != '\0')
        return dir;
    if (base == NULL || base[0] == '\0')
        base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm"
                                                                 : "/tmp";
    if ((size_t)snprintf(dir, sizeof(dir), "%s/pwrfuzz.XXXXXX", base) >=
            sizeof(dir) ||
        mkdtemp(dir) == NULL) {
        perror("fuzz: mkdtemp");
        exit(99);
    }
    atexit(remove_dir);
    return dir;
}

int fuzz_write_file(const char *name, const uint8_t *data, size_t size,
                    char *path, size_t pathsz)
{
    int fd;

    if ((size_t)snprintf(path, pathsz, "%s/%s", fuzz_dir(), name) >= pathsz)
        return -1;
    (void)unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    if (pwr_write_all(fd, data, size) < 0) {
        close(fd);
        return -1;
    }
    return close(fd);
}
