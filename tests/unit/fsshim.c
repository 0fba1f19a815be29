/* fsshim.c - LD_PRELOAD shim for the crash and fault-injection tests
 * (never installed): counts the file-system calls of a process, and kills
 * it at the Nth or makes the Nth fail.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Counted calls: open, open64, openat, openat64 (and their fortified forms),
 * write, fsync, fdatasync, close, rename, renameat, fchown, link, linkat,
 * unlink, unlinkat.  write and close on fds 0-2 are not counted: they are
 * the pipe to the caller, not the file system.
 *
 *   PWR_KILL_AT=N        SIGKILL the process at call number N (1-based),
 *                        before the call (close: after it); unset or 0: none
 *   PWR_FAULT_AT=N       fail call number N instead; unset or 0: none
 *   PWR_FAULT_ERRNO=E    EIO (default), ENOSPC or EINTR
 *   PWR_FAULT_LOG=FILE   at exit, append "calls=C fault=NAME" (NAME is the
 *                        call that was failed, or "-"), so a test learns
 *                        how many calls a run makes and which one it hit
 *   PWR_SHIM_STATS=FILE  at exit, append the number of write() calls, so a
 *                        test can check that a bulk transaction is one write
 *   PWR_TRUNCATE_AT_READ=FILE  truncate FILE to 0 bytes just before the
 *                        first mmap, mmap64, pread or pread64 of an fd open
 *                        on it: a word list that shrinks under a reader
 *                        (the breached list, the blocklist); not counted
 *
 * A failed call does nothing and returns -1 with errno E, except close,
 * which (like Linux) always releases the descriptor and then reports E.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Fortified entry points have no prototype without _FORTIFY_SOURCE. */
int __open_2(const char *path, int flags);
int __openat_2(int dfd, const char *path, int flags);

static unsigned long kill_at, fault_at, calls, writes;
static int fault_errno = EIO;
static const char *failed = "-";
/* Read at start: the helper clears its environment. */
static char log_path[4096], stats_path[4096], trunc_path[4096];
static int trunc_done;

__attribute__((constructor)) static void shim_init(void)
{
    const char *at = getenv("PWR_FAULT_AT");
    const char *e = getenv("PWR_FAULT_ERRNO");
    const char *log = getenv("PWR_FAULT_LOG");
    const char *stats = getenv("PWR_SHIM_STATS");
    const char *kill = getenv("PWR_KILL_AT");
    const char *trunc = getenv("PWR_TRUNCATE_AT_READ");

    if (log != NULL)
        snprintf(log_path, sizeof(log_path), "%s", log);
    if (stats != NULL)
        snprintf(stats_path, sizeof(stats_path), "%s", stats);
    if (trunc != NULL)
        snprintf(trunc_path, sizeof(trunc_path), "%s", trunc);
    fault_at = at ? strtoul(at, NULL, 10) : 0;
    kill_at = kill ? strtoul(kill, NULL, 10) : 0;
    if (e != NULL && strcmp(e, "ENOSPC") == 0)
        fault_errno = ENOSPC;
    else if (e != NULL && strcmp(e, "EINTR") == 0)
        fault_errno = EINTR;
}

__attribute__((destructor)) static void shim_fini(void)
{
    FILE *f;

    if (log_path[0] != '\0' && (f = fopen(log_path, "a")) != NULL) {
        fprintf(f, "calls=%lu fault=%s\n", calls, failed);
        fclose(f);
    }
    if (stats_path[0] != '\0' && (f = fopen(stats_path, "a")) != NULL) {
        fprintf(f, "%lu\n", writes);
        fclose(f);
    }
}

/* Count a call: the process dies at the kill point; 1 when this call is
 * the one to fail. */
static int hit(const char *name)
{
    if (++calls == kill_at)
        raise(SIGKILL);
    if (calls != fault_at || fault_at == 0)
        return 0;
    failed = name;
    return 1;
}

static void *next(const char *name)
{
    void *fn = dlsym(RTLD_NEXT, name);

    if (fn == NULL)
        abort();
    return fn;
}

#define NEXT(type, name) ((type)next(name))
#define FAIL(name)                                                           \
    do {                                                                     \
        if (hit(name)) {                                                     \
            errno = fault_errno;                                             \
            return -1;                                                       \
        }                                                                    \
    } while (0)

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    FAIL("open");
    return NEXT(int (*)(const char *, int, ...), "open")(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    FAIL("open64");
    return NEXT(int (*)(const char *, int, ...), "open64")(path, flags, mode);
}

int openat(int dfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    FAIL("openat");
    return NEXT(int (*)(int, const char *, int, ...), "openat")(dfd, path,
                                                               flags, mode);
}

int openat64(int dfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    FAIL("openat64");
    return NEXT(int (*)(int, const char *, int, ...), "openat64")(dfd, path,
                                                                 flags, mode);
}

int __open_2(const char *path, int flags)
{
    FAIL("open");
    return NEXT(int (*)(const char *, int), "__open_2")(path, flags);
}

int __openat_2(int dfd, const char *path, int flags)
{
    FAIL("openat");
    return NEXT(int (*)(int, const char *, int), "__openat_2")(dfd, path,
                                                              flags);
}

ssize_t write(int fd, const void *buf, size_t len)
{
    if (fd > 2)
        writes++;
    if (fd > 2 && hit("write")) {
        errno = fault_errno;
        return -1;
    }
    return NEXT(ssize_t (*)(int, const void *, size_t), "write")(fd, buf, len);
}

int fsync(int fd)
{
    FAIL("fsync");
    return NEXT(int (*)(int), "fsync")(fd);
}

int fdatasync(int fd)
{
    FAIL("fdatasync");
    return NEXT(int (*)(int), "fdatasync")(fd);
}

int close(int fd)
{
    int rc = NEXT(int (*)(int), "close")(fd);

    if (fd > 2 && rc == 0 && hit("close")) {
        errno = fault_errno;
        return -1;
    }
    return rc;
}

int fchown(int fd, uid_t uid, gid_t gid)
{
    FAIL("fchown");
    return NEXT(int (*)(int, uid_t, gid_t), "fchown")(fd, uid, gid);
}

int rename(const char *from, const char *to)
{
    FAIL("rename");
    return NEXT(int (*)(const char *, const char *), "rename")(from, to);
}

int renameat(int fdfrom, const char *from, int fdto, const char *to)
{
    FAIL("renameat");
    return NEXT(int (*)(int, const char *, int, const char *), "renameat")(
        fdfrom, from, fdto, to);
}

int link(const char *from, const char *to)
{
    FAIL("link");
    return NEXT(int (*)(const char *, const char *), "link")(from, to);
}

int linkat(int fdfrom, const char *from, int fdto, const char *to, int flags)
{
    FAIL("linkat");
    return NEXT(int (*)(int, const char *, int, const char *, int), "linkat")(
        fdfrom, from, fdto, to, flags);
}

int unlink(const char *path)
{
    FAIL("unlink");
    return NEXT(int (*)(const char *), "unlink")(path);
}

int unlinkat(int dfd, const char *path, int flags)
{
    FAIL("unlinkat");
    return NEXT(int (*)(int, const char *, int), "unlinkat")(dfd, path, flags);
}

/* ---- PWR_TRUNCATE_AT_READ ------------------------------------------------ */

static void truncate_under(int fd)
{
    char link[64], target[4096];
    ssize_t n;

    if (trunc_path[0] == '\0' || trunc_done)
        return;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, target, sizeof(target) - 1);
    if (n <= 0)
        return;
    target[n] = '\0';
    if (strcmp(target, trunc_path) != 0)
        return;
    trunc_done = 1;
    (void)truncate(trunc_path, 0);
}

/* Declared here, not from <sys/mman.h>, so no header can rename them. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    truncate_under(fd);
    return NEXT(void *(*)(void *, size_t, int, int, int, off_t), "mmap")(
        addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    truncate_under(fd);
    return NEXT(void *(*)(void *, size_t, int, int, int, off_t), "mmap64")(
        addr, len, prot, flags, fd, off);
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
    truncate_under(fd);
    return NEXT(ssize_t (*)(int, void *, size_t, off_t), "pread")(fd, buf, len,
                                                                  off);
}

ssize_t pread64(int fd, void *buf, size_t len, off_t off)
{
    truncate_under(fd);
    return NEXT(ssize_t (*)(int, void *, size_t, off_t), "pread64")(fd, buf,
                                                                    len, off);
}
