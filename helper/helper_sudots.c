/* helper_sudots.c - remove a user's sudo timestamp record, so a blocked or
 * reset user keeps no sudo ticket.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * sudo keeps one file per user in /run/sudo/ts (Debian's timestampdir).
 * Every directory on the way is opened with O_NOFOLLOW and must be a root
 * owned directory; the record itself is removed with unlinkat only when it
 * is a regular file (never following a symlink), and nothing else in the
 * directory is touched.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"

static const char *const ts_path[] = { "run", "sudo", "ts" };

static int open_dir_at(int at, const char *name)
{
    struct stat st;
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & S_IWOTH)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* 1 removed, 0 none there, -1 could not (unsafe path or error). */
int hx_remove_sudo_ts(const char *login)
{
    struct stat st;
    size_t i;
    int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), next, rc;

    for (i = 0; fd >= 0 && i < PWR_ARRAY_SIZE(ts_path); i++) {
        next = open_dir_at(fd, ts_path[i]);
        close(fd);
        fd = next;
    }
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    if (fstatat(fd, login, &st, AT_SYMLINK_NOFOLLOW) < 0)
        rc = errno == ENOENT ? 0 : -1;
    else if (!S_ISREG(st.st_mode))
        rc = -1;
    else
        rc = unlinkat(fd, login, 0) == 0 ? 1 : (errno == ENOENT ? 0 : -1);
    close(fd);
    return rc;
}
