/* killshim.c - LD_PRELOAD shim for the store's crash test: it counts the
 * file-system calls a process makes and kills the process with SIGKILL at
 * call number $PWR_KILL_AT, before that call happens.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Counted: open, openat (and their 64-bit and fortified forms), write,
 * fsync, fdatasync, close, rename, renameat, link, linkat, unlink, unlinkat.
 * PWR_KILL_AT unset or 0 kills nothing.  When $PWR_SHIM_STATS names a file,
 * the number of write() calls is appended to it at exit, so a test can check
 * that a bulk transaction is a single write.
 */
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

/* Fortified entry points have no prototype without _FORTIFY_SOURCE. */
int __open_2(const char *path, int flags);
int __openat_2(int dfd, const char *path, int flags);

static unsigned long kill_at, calls, writes;

__attribute__((constructor)) static void shim_init(void)
{
    const char *s = getenv("PWR_KILL_AT");

    kill_at = s ? strtoul(s, NULL, 10) : 0;
}

__attribute__((destructor)) static void shim_fini(void)
{
    const char *path = getenv("PWR_SHIM_STATS");
    FILE *f;

    if (path == NULL || (f = fopen(path, "a")) == NULL)
        return;
    fprintf(f, "%lu\n", writes);
    fclose(f);
}

static void step(void)
{
    if (kill_at != 0 && ++calls == kill_at)
        raise(SIGKILL);
}

static void *next(const char *name)
{
    void *fn = dlsym(RTLD_NEXT, name);

    if (fn == NULL)
        abort();
    return fn;
}

/* Declare a pointer to the next definition of name, typed like name. */
#define NEXT(type, name) ((type)next(name))

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
    step();
    return NEXT(int (*)(const char *, int, ...), "open")(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    step();
    return NEXT(int (*)(const char *, int, ...), "open64")(path, flags, mode);
}

int openat(int dfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    step();
    return NEXT(int (*)(int, const char *, int, ...), "openat")(dfd, path, flags,
                                                               mode);
}

int openat64(int dfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = mode_arg(flags, ap);
    va_end(ap);
    step();
    return NEXT(int (*)(int, const char *, int, ...), "openat64")(dfd, path,
                                                                 flags, mode);
}

int __open_2(const char *path, int flags)
{
    step();
    return NEXT(int (*)(const char *, int), "__open_2")(path, flags);
}

int __openat_2(int dfd, const char *path, int flags)
{
    step();
    return NEXT(int (*)(int, const char *, int), "__openat_2")(dfd, path, flags);
}

ssize_t write(int fd, const void *buf, size_t len)
{
    step();
    writes++;
    return NEXT(ssize_t (*)(int, const void *, size_t), "write")(fd, buf, len);
}

int fsync(int fd)
{
    step();
    return NEXT(int (*)(int), "fsync")(fd);
}

int fdatasync(int fd)
{
    step();
    return NEXT(int (*)(int), "fdatasync")(fd);
}

int close(int fd)
{
    step();
    return NEXT(int (*)(int), "close")(fd);
}

int rename(const char *from, const char *to)
{
    step();
    return NEXT(int (*)(const char *, const char *), "rename")(from, to);
}

int renameat(int fdfrom, const char *from, int fdto, const char *to)
{
    step();
    return NEXT(int (*)(int, const char *, int, const char *), "renameat")(
        fdfrom, from, fdto, to);
}

int link(const char *from, const char *to)
{
    step();
    return NEXT(int (*)(const char *, const char *), "link")(from, to);
}

int linkat(int fdfrom, const char *from, int fdto, const char *to, int flags)
{
    step();
    return NEXT(int (*)(int, const char *, int, const char *, int), "linkat")(
        fdfrom, from, fdto, to, flags);
}

int unlink(const char *path)
{
    step();
    return NEXT(int (*)(const char *), "unlink")(path);
}

int unlinkat(int dfd, const char *path, int flags)
{
    step();
    return NEXT(int (*)(int, const char *, int), "unlinkat")(dfd, path, flags);
}
