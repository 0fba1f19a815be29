/* pwr_store_file_read.c - the file backend's reads: open, a lookup by binary search
 * with a few small reads, and the walk over every record.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Part of the file backend; the rules it keeps are listed in
 * pwr_store_file.c.
 */#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "pwr_store_file.h"


/* ---- lookup: binary search with small reads ------------------------------------
 *
 * A login reads a handful of small windows with pread instead of mapping
 * the whole file: a mapping costs page-table set-up, faults and tear-down
 * that grow with the file, on a path that runs right after a hash has
 * flushed the caches.  The store is never written in place, so an open fd
 * reads one consistent version.  Anything unexpected (a bad frame, an odd
 * line, a short read) is PROBE_ODD: the caller then validates the whole
 * file, which says exactly what is wrong and on which line. */

#define PROBE_ODD 2
#define WIN_SIZE 16384                      /* also the last, in-memory step */
#define PROBE_HALF 512                      /* first try around a probe */
#define LINE_REACH (LINE_CONTENT_MAX + 1)   /* how far a line may extend */

struct win {
    int fd;
    size_t size;    /* of the file */
    size_t off;     /* file offset of buf[0] */
    size_t len;     /* bytes held */
    size_t touched; /* high-water mark of buf, wiped at the end */
    char buf[WIN_SIZE];
};

/* Check the login that starts a probed line of len bytes; 0 and its length
 * in *toklen, or -1. */
static int probe_login(const char *line, size_t len, size_t *toklen)
{
    char login[PWR_LOGIN_MAX + 1];
    const char *sp = memchr(line, ' ', len < sizeof(login) ? len : sizeof(login));

    if (sp == NULL || sp == line || memchr(line, '\0', (size_t)(sp - line)))
        return -1;
    *toklen = (size_t)(sp - line);
    memcpy(login, line, *toklen);
    login[*toklen] = '\0';
    return pwr_login_valid(login) ? 0 : -1;
}

/* Hold bytes [from, to) of the file (to - from <= WIN_SIZE). */
static int win_read(struct win *w, size_t from, size_t to)
{
    if (from >= w->off && to <= w->off + w->len)
        return 0;
    w->len = 0;
    if (pwr_pread_full(w->fd, w->buf, to - from, (off_t)from) < 0)
        return -1;
    w->off = from;
    w->len = to - from;
    if (w->len > w->touched)
        w->touched = w->len;
    return 0;
}

static const char *win_at(const struct win *w, size_t off)
{
    return w->buf + (off - w->off);
}

/* Header and "end N" as fs_check_frame() wants them: the body in [*lo, *hi). */
static int win_frame(struct win *w, size_t *lo, size_t *hi)
{
    size_t from = w->size > TRAILER_MAX ? w->size - TRAILER_MAX : 0, t, count;
    const char *nl;

    if (w->size <= HEADER_LEN || win_read(w, 0, HEADER_LEN) < 0 ||
        memcmp(w->buf, fs_header, HEADER_LEN) != 0 ||
        win_read(w, from, w->size) < 0 || *win_at(w, w->size - 1) != '\n')
        return -1;
    nl = memrchr(win_at(w, from), '\n', w->size - 1 - from);
    if (nl == NULL)
        return -1;
    t = from + (size_t)(nl - win_at(w, from)) + 1;
    if (t < HEADER_LEN ||
        fs_parse_trailer(win_at(w, t), w->size - 1 - t, &count) < 0 ||
        (count == 0) != (t == HEADER_LEN) ||
        count > (t - HEADER_LEN) / MIN_RECORD_LINE)
        return -1;
    *lo = HEADER_LEN;
    *hi = t;
    return 0;
}

/* Start and LF of the line holding byte mid of [lo, hi). */
static int win_line(struct win *w, size_t lo, size_t hi, size_t mid, size_t *s,
                    size_t *e)
{
    size_t half = PROBE_HALF;

    for (;;) {
        size_t a = mid - lo > half ? mid - half : lo;
        size_t b = hi - mid > half ? mid + half : hi;
        const char *nl, *lf;

        if (win_read(w, a, b) < 0)
            return -1;
        nl = memrchr(win_at(w, a), '\n', mid - a);
        if (nl != NULL || a == lo) {
            *s = nl != NULL ? a + (size_t)(nl - win_at(w, a)) + 1 : lo;
            lf = memchr(win_at(w, *s), '\n',
                        b - *s < LINE_REACH ? b - *s : LINE_REACH);
            if (lf != NULL) {
                *e = *s + (size_t)(lf - win_at(w, *s));
                return 0;
            }
        }
        if (half == LINE_REACH)
            return -1; /* a line longer than a record may be */
        half = LINE_REACH;
    }
}

/* 1 and the line's extent, 0 absent, -1 odd. */
static int win_search(struct win *w, const char *login, size_t lo, size_t hi,
                      size_t *start, size_t *len)
{
    size_t klen = strlen(login);

    while (lo < hi) {
        size_t s = 0, e = 0, toklen = 0;
        int c;

        if (hi - lo <= WIN_SIZE && win_read(w, lo, hi) < 0)
            return -1;
        if (win_line(w, lo, hi, lo + (hi - lo) / 2, &s, &e) < 0 ||
            probe_login(win_at(w, s), e - s, &toklen) < 0)
            return -1;
        c = fs_cmp_login(login, klen, win_at(w, s), toklen);
        if (c == 0) {
            *start = s;
            *len = e - s;
            return 1;
        }
        if (c < 0)
            hi = s;
        else
            lo = e + 1;
    }
    return 0;
}

/* 1 found (out parsed), 0 absent, PROBE_ODD when the full path must look. */
static int probe_lookup(int fd, size_t size, const char *login,
                        struct pwr_record *out)
{
    struct win *w = malloc(sizeof(*w));
    struct pwr_err ignored;
    size_t lo = 0, hi = 0, s = 0, len = 0;
    int rc = PROBE_ODD;

    if (w == NULL)
        return PROBE_ODD;
    w->fd = fd;
    w->size = size;
    w->off = w->len = w->touched = 0;
    if (win_frame(w, &lo, &hi) == 0) {
        rc = win_search(w, login, lo, hi, &s, &len);
        if (rc < 0 || (rc == 1 && pwr_record_parse(win_at(w, s), len, out,
                                                    &ignored) < 0))
            rc = PROBE_ODD;
    }
    sodium_memzero(w->buf, w->touched); /* record lines hold hashes */
    free(w);
    return rc;
}


/* ---- the backend's read operations ------------------------------------------- */

int fs_file_open(void **ctx, const struct pwr_store_opts *opts,
                     struct pwr_err *err)
{
    struct fstore *fs = calloc(1, sizeof(*fs));

    if (fs == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    if (fs_split_path(fs, opts->path, err) < 0) {
        free(fs);
        return -1;
    }
    fs->lock_timeout_ms = opts->lock_timeout_ms ? opts->lock_timeout_ms
                                                : LOCK_TIMEOUT_DEFAULT_MS;
    fs->create = opts->create;
    fs->hook = opts->commit_hook;
    fs->hook_arg = opts->hook_arg;
    *ctx = fs;
    return 0;
}

void fs_file_close(void *ctx)
{
    free(ctx);
}

/* Check the directory, then open the store: 1 open (*fd, *size), 0 no
 * store, -1 error. */
static int open_for_reading(const struct fstore *fs, int *fd, size_t *size,
                            struct pwr_err *err)
{
    int dfd = -1;
    int rc = fs_open_dir(fs, &dfd, err);

    *fd = -1;
    *size = 0;
    if (rc == 0) {
        close(dfd); /* only checked: reads go by path */
        rc = fs_open_store(fs, fd, size, err);
    }
    if (rc < 0 && err->code == PWR_E_NOENT) {
        pwr_err_clear(err);
        return 0;
    }
    return rc < 0 ? -1 : 1;
}

/* Check the directory, then map the store; 1 mapped, 0 no store, -1 error. */
static int map_for_reading(const struct fstore *fs, struct snap *sn,
                           struct pwr_err *err)
{
    int fd, rc;

    memset(sn, 0, sizeof(*sn));
    rc = open_for_reading(fs, &fd, &sn->size, err);

    if (rc <= 0)
        return rc;
    return fs_map_fd(fs, fd, sn, err) < 0 ? -1 : 1;
}

/* The probe found something odd: map and validate the whole file, which
 * names the first problem and its line; a file found sound after all is
 * searched through its index. */
static int mapped_lookup(const struct fstore *fs, int fd, size_t size,
                         const char *login, struct pwr_record *out,
                         struct pwr_err *err)
{
    struct snap sn;
    const char *p;
    size_t i = 0, len;
    int rc;

    memset(&sn, 0, sizeof(sn));
    sn.size = size;
    if (fs_map_fd(fs, fd, &sn, err) < 0)
        return -1;
    rc = fs_check_frame(fs, &sn, err) < 0 || fs_index_store(fs, &sn, err) < 0
             ? -1 : fs_old_find(&sn, login, &i);
    if (rc == 1) {
        fs_old_line(&sn, i, &p, &len);
        if (pwr_record_parse(p, len, out, err) < 0)
            rc = fs_at_line(fs, &sn, sn.off[i], err, err->msg);
    }
    fs_unmap(&sn);
    return rc;
}

int fs_file_lookup(void *ctx, const char *login, struct pwr_record *out,
                       struct pwr_err *err)
{
    const struct fstore *fs = ctx;
    size_t size;
    int fd, rc;

    if (!pwr_login_valid(login))
        return 0; /* such a name can never be in the store */
    rc = open_for_reading(fs, &fd, &size, err);
    if (rc <= 0)
        return rc;
    rc = probe_lookup(fd, size, login, out);
    if (rc != PROBE_ODD) {
        close(fd);
        return rc;
    }
    return mapped_lookup(fs, fd, size, login, out, err);
}

int fs_file_foreach(void *ctx, pwr_store_visit_fn fn, void *arg,
                        struct pwr_err *err)
{
    const struct fstore *fs = ctx;
    struct pwr_record rec;
    struct snap sn;
    int rc = map_for_reading(fs, &sn, err);

    if (rc <= 0)
        return rc;
    if (fs_check_frame(fs, &sn, err) < 0 || fs_index_store(fs, &sn, err) < 0) {
        fs_unmap(&sn);
        return -1;
    }
    rc = 0;
    for (size_t i = 0; i < sn.n && rc == 0; i++) {
        const char *p;
        size_t len;

        fs_old_line(&sn, i, &p, &len);
        rc = pwr_record_parse(p, len, &rec, err);
        if (rc == 0)
            rc = fn(&rec, arg, err);
        pwr_record_wipe(&rec);
    }
    fs_unmap(&sn);
    return rc < 0 ? -1 : 0;
}

