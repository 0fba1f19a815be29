/* pwr_store_file.c - the file backend of the credential store: one sorted
 * text file, searched in place and replaced atomically (docs/STORE.md).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Rules this file enforces:
 *  - MUST refuse a store that is not a regular file, is a symbolic link, has
 *    any group/other permission bit, is not owned by root (by the caller
 *    when not running as root), or has a second name (hard link) other than
 *    its own backup; and a store whose directory is group- or
 *    world-writable, or (as root) not owned by root.
 *  - MUST refuse a lock file that is not a regular file owned by the
 *    effective user, private to it, with a single name: anyone else who can
 *    open it can hold the lock.
 *  - .tmp, .bak and .bak.tmp are write-only names: never opened through a
 *    symbolic link, never read, never written through; whatever is planted
 *    there is removed or atomically replaced (a directory makes the write
 *    fail).
 *  - MUST fail closed (-1, PWR_E_STORE, naming the line) on anything that is
 *    not exactly the documented format: bad header, missing or wrong "end N"
 *    trailer, a bad record, a repeated or out-of-order login.
 *  - A lookup MUST stay O(log n): it checks header and trailer, then binary
 *    searches the file through a few small reads and parses only the line
 *    it finds (on anything odd it validates the whole file to say what).
 *  - A transaction MUST hold the lock file for its whole run, validate the
 *    entire current store before its callback sees it, and replace the store
 *    only by rename of a fully written and fsynced temporary file, keeping
 *    the previous copy as .bak.  It NEVER writes the store in place, never
 *    removes it, and writes nothing when anything fails: a failure after
 *    the new store was renamed in (the directory fsync) puts the old one
 *    back, and no temporary file is left behind.  The commit hook
 *    (pwr_store.h) runs once the new store is durable and before the rename
 *    makes it visible; a failing hook aborts the commit.
 *  - Heap and stack copies of record lines (they hold hashes) are wiped
 *    before they are freed.
 */
#include "config.h"

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

#include "pwr_store.h"

static const char header[] = "pwreset-store 1\n";
#define HEADER_LEN (sizeof(header) - 1)
#define TRAILER_MAX 32 /* "end " + 20 digits + LF, with room to spare */
#define LINE_CONTENT_MAX (PWR_RECORD_LINE_MAX - 2)
#define MIN_RECORD_LINE 16 /* "a status=active\n" */
#define LOCK_TIMEOUT_DEFAULT_MS 10000u
#define LOCK_POLL_MAX_NS 10000000L
#define LINK_SETTLE_MS 250

struct fstore {
    char path[PWR_PATH_MAX];
    char dir[PWR_PATH_MAX];
    char base[NAME_MAX + 1];
    char tmp[NAME_MAX + 1];    /* new store being written */
    char bak[NAME_MAX + 1];    /* previous store */
    char baktmp[NAME_MAX + 1]; /* next .bak, linked before it is renamed */
    char lock[NAME_MAX + 1];
    unsigned lock_timeout_ms;
    int create;
    pwr_commit_hook hook;
    void *hook_arg;
};

/* A mapped store.  Offsets are into map; lines end with LF. */
struct snap {
    const char *map; /* NULL when the store is empty or missing */
    size_t size;
    size_t body;     /* first record line */
    size_t end;      /* the "end N" line */
    size_t count;    /* N */
    size_t n;        /* records indexed (== count once validated) */
    size_t *off;     /* n + 1 line starts (off[n] == end), or NULL */
    int missing;     /* no store file yet (transact with opts.create) */
};

struct ins {
    char *line; /* formatted record with LF, NUL-terminated */
};

struct pwr_txn {
    const struct fstore *fs;
    const struct snap *sn;
    char **repl;      /* [sn->n]: new line of an old record, or NULL */
    void *ins_root;   /* tsearch tree of struct ins: logins not in sn */
    size_t n_ins;
    size_t n_removed; /* old records removed (repl[i] == removed_mark) */
    size_t put_bytes; /* total length of lines put, for sizing the output */
    int dirty;
};

/* ---- small helpers ----------------------------------------------------------- */

static int cmp_login(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c != 0)
        return c;
    return (alen > blen) - (alen < blen);
}

/* Length of the login that starts a validated or formatted line. */
static size_t login_len(const char *line)
{
    return strcspn(line, " ");
}

/* repl[i] of an old record removed by pwr_txn_remove (issue 14: purge). */
static char removed_mark[1];

static void free_line(char *line)
{
    if (line != NULL && line != removed_mark) {
        sodium_memzero(line, strlen(line));
        free(line);
    }
}

/* Line numbers are counted only on the error path. */
static size_t line_number(const struct snap *sn, size_t off)
{
    size_t n = 1;

    for (size_t i = 0; i < off && i < sn->size; i++)
        n += sn->map[i] == '\n';
    return n;
}

/* Fail with "PATH: line N: what"; what may be err->msg. */
static int at_line(const struct fstore *fs, const struct snap *sn, size_t off,
                   struct pwr_err *err, const char *what)
{
    char copy[sizeof(err->msg)];

    (void)pwr_strlcpy(copy, what, sizeof(copy));
    return pwr_fail(err, PWR_E_STORE, "%s: line %zu: %s", fs->path,
                    line_number(sn, off), copy);
}

/* ---- paths and the directory ------------------------------------------------- */

static int name_with(char *out, const char *base, const char *suffix)
{
    int n = snprintf(out, NAME_MAX + 1, "%s%s", base, suffix);

    return (n < 0 || n > NAME_MAX) ? -1 : 0;
}

static int split_path(struct fstore *fs, const char *path, struct pwr_err *err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dlen = slash ? (size_t)(slash - path) : 0;

    if (pwr_strlcpy(fs->path, path, sizeof(fs->path)) < 0)
        return pwr_fail(err, PWR_E_CONFIG, "store path too long");
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return pwr_fail(err, PWR_E_CONFIG, "%s: not a file name", path);
    if (slash == NULL)
        memcpy(fs->dir, ".", 2);
    else if (dlen == 0)
        memcpy(fs->dir, "/", 2);
    else {
        memcpy(fs->dir, path, dlen);
        fs->dir[dlen] = '\0';
    }
    if (name_with(fs->base, base, "") < 0 || name_with(fs->tmp, base, ".tmp") < 0 ||
        name_with(fs->bak, base, ".bak") < 0 ||
        name_with(fs->baktmp, base, ".bak.tmp") < 0 ||
        name_with(fs->lock, base, ".lock") < 0)
        return pwr_fail(err, PWR_E_CONFIG, "%s: file name too long", path);
    return 0;
}

/* Open the store's directory and check it is safe (-1 PWR_E_NOENT if absent). */
static int open_dir(const struct fstore *fs, int *dfd, struct pwr_err *err)
{
    struct stat st;
    int fd = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT)
        return pwr_fail(err, PWR_E_NOENT, "%s: directory does not exist", fs->dir);
    if (fd < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s", fs->dir);
    if (fstat(fd, &st) < 0) {
        close(fd);
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s: fstat", fs->dir);
    }
    if (st.st_mode & 022) {
        close(fd);
        return pwr_fail(err, PWR_E_STORE,
                        "%s: store directory is group- or world-writable", fs->dir);
    }
    if (geteuid() == 0 && st.st_uid != 0) {
        close(fd);
        return pwr_fail(err, PWR_E_STORE,
                        "%s: store directory is not owned by root", fs->dir);
    }
    *dfd = fd;
    return 0;
}

/* ---- mapping and framing ----------------------------------------------------- */

static void unmap(struct snap *sn)
{
    if (sn->map != NULL)
        munmap((void *)(uintptr_t)sn->map, sn->size);
    free(sn->off);
    memset(sn, 0, sizeof(*sn));
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 if the file at path+suffix is the inode st describes. */
static int same_inode(const struct fstore *fs, const char *suffix,
                      const struct stat *st)
{
    char other[PWR_PATH_MAX + 16];
    struct stat o;
    int n = snprintf(other, sizeof(other), "%s%s", fs->path, suffix);

    return n > 0 && (size_t)n < sizeof(other) && lstat(other, &o) == 0 &&
           o.st_dev == st->st_dev && o.st_ino == st->st_ino;
}

/* A store has one name.  Its only legitimate other names are .bak and
 * .bak.tmp, which share its inode while a commit (or a writer killed in
 * one) is between linking the backup and renaming the new store in.  A
 * reader does not hold the lock, so a commit may be moving those names
 * while it looks, and the file system counts a new link before the name
 * can be looked up: it looks again for a while before refusing. */
static int check_links(const struct fstore *fs, int fd, struct stat *st,
                       struct pwr_err *err)
{
    int64_t deadline = now_ms() + LINK_SETTLE_MS;
    struct timespec pause = { 0, 1000000L };

    for (;;) {
        if (fstat(fd, st) < 0)
            return pwr_fail_errno(err, PWR_E_STORE, errno, "%s: fstat",
                                  fs->path);
        /* 0: replaced since we opened it.  .bak.tmp first: a commit moves
         * that name to .bak, so one of the two looks sees it. */
        if (st->st_nlink <= 1 ||
            st->st_nlink <= 1 + (nlink_t)same_inode(fs, ".bak.tmp", st) +
                                (nlink_t)same_inode(fs, ".bak", st))
            return 0;
        if (now_ms() >= deadline)
            break;
        nanosleep(&pause, NULL);
    }
    return pwr_fail(err, PWR_E_STORE, "%s: has %lu hard links (refused: a "
                    "store has a single name)", fs->path,
                    (unsigned long)st->st_nlink);
}

static int check_owner(const struct fstore *fs, int fd, size_t *size,
                       struct pwr_err *err)
{
    struct stat st;

    if (check_links(fs, fd, &st, err) < 0)
        return -1;
    /* pwr_open_safely checks for root; without root the caller must own it. */
    if (geteuid() != 0 && st.st_uid != geteuid())
        return pwr_fail(err, PWR_E_STORE, "%s: owned by uid %u, not %u", fs->path,
                        (unsigned)st.st_uid, (unsigned)geteuid());
    if ((uintmax_t)st.st_size > SIZE_MAX)
        return pwr_fail(err, PWR_E_STORE, "%s: too large", fs->path);
    *size = (size_t)st.st_size;
    return 0;
}

/* Open the store read-only and check it (-1 PWR_E_NOENT when there is
 * none); the fd and its size. */
static int open_store(const struct fstore *fs, int *fd, size_t *size,
                      struct pwr_err *err)
{
    static const struct pwr_file_rules rules = { .owner_root = 1,
                                                 .forbid_mode = 077 };

    *fd = pwr_open_safely(fs->path, O_RDONLY, 0, &rules, err);
    if (*fd < 0)
        return -1;
    if (check_owner(fs, *fd, size, err) < 0) {
        close(*fd);
        *fd = -1;
        return -1;
    }
    return 0;
}

/* Map the open store read-only; closes fd. */
static int map_fd(const struct fstore *fs, int fd, struct snap *sn,
                  struct pwr_err *err)
{
    void *map;

    if (sn->size == 0) {
        close(fd);
        return 0; /* reported by check_frame */
    }
    map = mmap(NULL, sn->size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s: mmap", fs->path);
    sn->map = map;
    return 0;
}

/* Map the store read-only (-1 PWR_E_NOENT when there is none). */
static int map_store(const struct fstore *fs, struct snap *sn, struct pwr_err *err)
{
    int fd;

    memset(sn, 0, sizeof(*sn));
    if (open_store(fs, &fd, &sn->size, err) < 0)
        return -1;
    return map_fd(fs, fd, sn, err);
}

/* "end N" with N a plain decimal. */
static int parse_trailer(const char *s, size_t len, size_t *count)
{
    size_t v = 0;

    if (len < 5 || memcmp(s, "end ", 4) != 0 || (s[4] == '0' && len > 5))
        return -1;
    for (size_t i = 4; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';

        if (d > 9 || v > (SIZE_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *count = v;
    return 0;
}

static int check_trailer(const struct fstore *fs, struct snap *sn,
                         struct pwr_err *err)
{
    const char *m = sn->map;
    size_t lo = sn->size > TRAILER_MAX ? sn->size - TRAILER_MAX : 0;
    const char *nl;
    size_t t;

    if (m[sn->size - 1] != '\n')
        return at_line(fs, sn, sn->size - 1, err,
                       "last line has no newline (truncated store?)");
    nl = memrchr(m + lo, '\n', sn->size - 1 - lo);
    t = nl ? (size_t)(nl - m) + 1 : 0;
    if (nl == NULL || parse_trailer(m + t, sn->size - 1 - t, &sn->count) < 0)
        return at_line(fs, sn, sn->size - 1, err,
                       "missing or bad 'end N' line (truncated store?)");
    /* Every record line is at least MIN_RECORD_LINE bytes. */
    if ((sn->count == 0) != (t == HEADER_LEN) ||
        sn->count > (t - HEADER_LEN) / MIN_RECORD_LINE)
        return at_line(fs, sn, t, err, "record count in 'end N' is wrong");
    sn->body = HEADER_LEN;
    sn->end = t;
    return 0;
}

/* What is wrong with a first line that is not our header. */
static const char *header_problem(const struct snap *sn)
{
    static const char magic[] = "pwreset-store ";
    size_t i = sizeof(magic) - 1;

    if (sn->size <= i || memcmp(sn->map, magic, i) != 0)
        return "not a pwreset store (bad header)";
    while (i < sn->size && sn->map[i] >= '0' && sn->map[i] <= '9')
        i++;
    if (i > sizeof(magic) - 1 && i < sn->size && sn->map[i] == '\n')
        return "unsupported store version";
    return "not a pwreset store (bad header)";
}

/* Check header and trailer: O(1). */
static int check_frame(const struct fstore *fs, struct snap *sn,
                       struct pwr_err *err)
{
    if (sn->map == NULL) /* mapped only when not empty */
        return at_line(fs, sn, 0, err, "empty file (no header)");
    if (sn->size < HEADER_LEN || memcmp(sn->map, header, HEADER_LEN) != 0)
        return at_line(fs, sn, 0, err, header_problem(sn));
    return check_trailer(fs, sn, err);
}

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

/* Header and "end N" as check_frame() wants them: the body in [*lo, *hi). */
static int win_frame(struct win *w, size_t *lo, size_t *hi)
{
    size_t from = w->size > TRAILER_MAX ? w->size - TRAILER_MAX : 0, t, count;
    const char *nl;

    if (w->size <= HEADER_LEN || win_read(w, 0, HEADER_LEN) < 0 ||
        memcmp(w->buf, header, HEADER_LEN) != 0 ||
        win_read(w, from, w->size) < 0 || *win_at(w, w->size - 1) != '\n')
        return -1;
    nl = memrchr(win_at(w, from), '\n', w->size - 1 - from);
    if (nl == NULL)
        return -1;
    t = from + (size_t)(nl - win_at(w, from)) + 1;
    if (t < HEADER_LEN ||
        parse_trailer(win_at(w, t), w->size - 1 - t, &count) < 0 ||
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
        c = cmp_login(login, klen, win_at(w, s), toklen);
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

/* ---- full validation (foreach and transact) ---------------------------------- */

static int check_order(const struct fstore *fs, const struct snap *sn,
                       size_t off, const char *prev, const char *login,
                       struct pwr_err *err)
{
    int c = strcmp(prev, login);
    char msg[128];

    if (c < 0)
        return 0;
    snprintf(msg, sizeof(msg), "%s login '%s'",
             c == 0 ? "duplicate" : "out-of-order", login);
    return at_line(fs, sn, off, err, msg);
}

/* Parse every record, check order and count, and index line starts. */
static int index_store(const struct fstore *fs, struct snap *sn,
                       struct pwr_err *err)
{
    char prev[PWR_LOGIN_MAX + 1] = "";
    struct pwr_record rec;
    size_t p = sn->body, i = 0;
    int rc = 0;

    sn->off = malloc((sn->count + 1) * sizeof(*sn->off));
    if (sn->off == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    while (p < sn->end && rc == 0) {
        const char *lf = memchr(sn->map + p, '\n', sn->end - p);
        size_t len = (size_t)(lf - (sn->map + p));

        if (i == sn->count)
            rc = at_line(fs, sn, p, err, "more records than 'end N' says");
        else if (pwr_record_parse(sn->map + p, len, &rec, err) < 0)
            rc = at_line(fs, sn, p, err, err->msg);
        else if (check_order(fs, sn, p, prev, rec.login, err) < 0)
            rc = -1;
        if (rc == 0) {
            memcpy(prev, rec.login, sizeof(prev));
            sn->off[i++] = p;
            p += len + 1;
        }
    }
    pwr_record_wipe(&rec);
    if (rc == 0 && i != sn->count)
        rc = at_line(fs, sn, sn->end, err, "fewer records than 'end N' says");
    sn->off[i] = sn->end;
    sn->n = i;
    return rc;
}

/* Map and fully validate; a missing store is empty when allow_missing. */
static int load(const struct fstore *fs, struct snap *sn, int allow_missing,
                struct pwr_err *err)
{
    if (map_store(fs, sn, err) < 0) {
        if (err->code != PWR_E_NOENT || !allow_missing)
            return -1;
        pwr_err_clear(err);
        sn->missing = 1;
        return 0;
    }
    if (check_frame(fs, sn, err) < 0 || index_store(fs, sn, err) < 0) {
        unmap(sn);
        return -1;
    }
    return 0;
}

/* Old record i, without its LF. */
static void old_line(const struct snap *sn, size_t i, const char **p, size_t *len)
{
    *p = sn->map + sn->off[i];
    *len = sn->off[i + 1] - sn->off[i] - 1;
}

/* Binary search of an indexed snapshot. */
static int old_find(const struct snap *sn, const char *login, size_t *idx)
{
    size_t lo = 0, hi = sn->n, klen = strlen(login);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *p = sn->map + sn->off[mid];
        int c = cmp_login(login, klen, p, login_len(p));

        if (c == 0) {
            *idx = mid;
            return 1;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

/* ---- the backend's read operations ------------------------------------------- */

static int file_open(void **ctx, const struct pwr_store_opts *opts,
                     struct pwr_err *err)
{
    struct fstore *fs = calloc(1, sizeof(*fs));

    if (fs == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    if (split_path(fs, opts->path, err) < 0) {
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

static void file_close(void *ctx)
{
    free(ctx);
}

/* Check the directory, then open the store: 1 open (*fd, *size), 0 no
 * store, -1 error. */
static int open_for_reading(const struct fstore *fs, int *fd, size_t *size,
                            struct pwr_err *err)
{
    int dfd = -1;
    int rc = open_dir(fs, &dfd, err);

    *fd = -1;
    *size = 0;
    if (rc == 0) {
        close(dfd); /* only checked: reads go by path */
        rc = open_store(fs, fd, size, err);
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
    return map_fd(fs, fd, sn, err) < 0 ? -1 : 1;
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
    if (map_fd(fs, fd, &sn, err) < 0)
        return -1;
    rc = check_frame(fs, &sn, err) < 0 || index_store(fs, &sn, err) < 0
             ? -1 : old_find(&sn, login, &i);
    if (rc == 1) {
        old_line(&sn, i, &p, &len);
        if (pwr_record_parse(p, len, out, err) < 0)
            rc = at_line(fs, &sn, sn.off[i], err, err->msg);
    }
    unmap(&sn);
    return rc;
}

static int file_lookup(void *ctx, const char *login, struct pwr_record *out,
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

static int file_foreach(void *ctx, pwr_store_visit_fn fn, void *arg,
                        struct pwr_err *err)
{
    const struct fstore *fs = ctx;
    struct pwr_record rec;
    struct snap sn;
    int rc = map_for_reading(fs, &sn, err);

    if (rc <= 0)
        return rc;
    if (check_frame(fs, &sn, err) < 0 || index_store(fs, &sn, err) < 0) {
        unmap(&sn);
        return -1;
    }
    rc = 0;
    for (size_t i = 0; i < sn.n && rc == 0; i++) {
        const char *p;
        size_t len;

        old_line(&sn, i, &p, &len);
        rc = pwr_record_parse(p, len, &rec, err);
        if (rc == 0)
            rc = fn(&rec, arg, err);
        pwr_record_wipe(&rec);
    }
    unmap(&sn);
    return rc < 0 ? -1 : 0;
}

/* ---- transactions: reads and puts -------------------------------------------- */

static int ins_cmp(const void *a, const void *b)
{
    const char *la = ((const struct ins *)a)->line;
    const char *lb = ((const struct ins *)b)->line;

    return cmp_login(la, login_len(la), lb, login_len(lb));
}

static void ins_free(void *node)
{
    struct ins *in = node;

    free_line(in->line);
    free(in);
}

static struct ins *ins_find(const struct pwr_txn *txn, const char *login)
{
    struct ins key = { .line = (char *)(uintptr_t)login };
    struct ins *const *found = tfind(&key, &txn->ins_root, ins_cmp);

    return found ? *found : NULL;
}

/* The current text of old record i, without LF. */
static void txn_old_line(const struct pwr_txn *txn, size_t i, const char **p,
                         size_t *len)
{
    if (txn->repl != NULL && txn->repl[i] != NULL) {
        *p = txn->repl[i];
        *len = strlen(*p) - 1;
    } else {
        old_line(txn->sn, i, p, len);
    }
}

static int old_removed(const struct pwr_txn *txn, size_t i)
{
    return txn->repl != NULL && txn->repl[i] == removed_mark;
}

int pwr_txn_get(struct pwr_txn *txn, const char *login, struct pwr_record *out,
                struct pwr_err *err)
{
    const struct ins *in;
    const char *p;
    size_t i, len;

    if (!pwr_login_valid(login))
        return 0;
    if (old_find(txn->sn, login, &i)) {
        if (old_removed(txn, i))
            return 0;
        txn_old_line(txn, i, &p, &len);
    } else if ((in = ins_find(txn, login)) != NULL) {
        p = in->line;
        len = strlen(p) - 1;
    } else {
        return 0;
    }
    return pwr_record_parse(p, len, out, err) < 0 ? -1 : 1;
}

static int put_new(struct pwr_txn *txn, char *line, struct pwr_err *err)
{
    struct ins *in = ins_find(txn, line);
    void *node;

    if (in != NULL) {
        free_line(in->line);
        in->line = line;
        return 0;
    }
    in = malloc(sizeof(*in));
    if (in != NULL)
        in->line = line;
    node = in ? tsearch(in, &txn->ins_root, ins_cmp) : NULL;
    if (node == NULL) {
        free(in);
        free_line(line);
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    }
    txn->n_ins++;
    return 0;
}

static int put_old(struct pwr_txn *txn, size_t i, char *line, struct pwr_err *err)
{
    if (txn->repl == NULL) {
        txn->repl = calloc(txn->sn->n, sizeof(*txn->repl));
        if (txn->repl == NULL) {
            free_line(line);
            return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
        }
    }
    if (old_removed(txn, i))
        txn->n_removed--;
    free_line(txn->repl[i]);
    txn->repl[i] = line;
    return 0;
}

int pwr_txn_put(struct pwr_txn *txn, const struct pwr_record *rec,
                struct pwr_err *err)
{
    char buf[PWR_RECORD_LINE_MAX];
    int n = pwr_record_format(rec, buf, sizeof(buf));
    char *line;
    size_t i;

    if (n < 0)
        return pwr_fail(err, PWR_E_USAGE, "record for '%s' cannot be stored",
                        pwr_login_valid(rec->login) ? rec->login : "(invalid login)");
    line = malloc((size_t)n + 1);
    if (line != NULL)
        memcpy(line, buf, (size_t)n + 1);
    sodium_memzero(buf, (size_t)n);
    if (line == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    txn->put_bytes += (size_t)n;
    txn->dirty = 1;
    if (old_find(txn->sn, rec->login, &i))
        return put_old(txn, i, line, err);
    /* line starts with the login, so it can serve as its own search key */
    return put_new(txn, line, err);
}

int pwr_txn_remove(struct pwr_txn *txn, const char *login,
                   struct pwr_err *err)
{
    struct ins *in;
    size_t i;

    if (!pwr_login_valid(login))
        return 0;
    if (old_find(txn->sn, login, &i)) {
        if (old_removed(txn, i))
            return 0;
        if (put_old(txn, i, removed_mark, err) < 0)
            return -1;
        txn->n_removed++;
        txn->dirty = 1;
        return 1;
    }
    in = ins_find(txn, login);
    if (in == NULL)
        return 0;
    (void)tdelete(in, &txn->ins_root, ins_cmp);
    ins_free(in);
    txn->n_ins--;
    txn->dirty = 1;
    return 1;
}

/* ---- merged walk: old records (or their replacements) and new ones ------------ */

struct cursor {
    struct ins **ins; /* new records in login order */
    size_t n_ins, i, j;
};

static void collect_ins(const void *node, VISIT which, void *closure)
{
    struct cursor *c = closure;

    if (which == postorder || which == leaf)
        c->ins[c->n_ins++] = *(struct ins *const *)node;
}

static int cursor_init(const struct pwr_txn *txn, struct cursor *c,
                       struct pwr_err *err)
{
    memset(c, 0, sizeof(*c));
    if (txn->n_ins == 0)
        return 0;
    c->ins = malloc(txn->n_ins * sizeof(*c->ins));
    if (c->ins == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    twalk_r(txn->ins_root, collect_ins, c);
    return 0;
}

/* The next line in login order (without LF): 1, or 0 at the end. */
static int cursor_next(const struct pwr_txn *txn, struct cursor *c,
                       const char **p, size_t *len)
{
    int old;

    while (c->i < txn->sn->n && old_removed(txn, c->i))
        c->i++;
    old = c->i < txn->sn->n;

    if (old && c->j < c->n_ins) {
        const char *o = txn->sn->map + txn->sn->off[c->i];
        const char *n = c->ins[c->j]->line;

        old = cmp_login(o, login_len(o), n, login_len(n)) < 0;
    } else if (!old && c->j == c->n_ins) {
        return 0;
    }
    if (old) {
        txn_old_line(txn, c->i++, p, len);
    } else {
        *p = c->ins[c->j++]->line;
        *len = strlen(*p) - 1;
    }
    return 1;
}

int pwr_txn_foreach(struct pwr_txn *txn, pwr_txn_visit_fn fn, void *arg,
                    struct pwr_err *err)
{
    struct pwr_record rec;
    struct cursor c;
    const char *p;
    size_t len;
    int rc = cursor_init(txn, &c, err);

    while (rc == 0 && cursor_next(txn, &c, &p, &len)) {
        rc = pwr_record_parse(p, len, &rec, err);
        if (rc == 0)
            rc = fn(txn, &rec, arg, err);
        pwr_record_wipe(&rec);
    }
    free(c.ins);
    return rc < 0 ? -1 : 0;
}

/* ---- writing the new store ------------------------------------------------------ */

/* The whole new store in one buffer, so it goes out in one write. */
/* The new store is streamed to its temporary file through one small
 * buffer, not built whole in memory first: at 100,000 accounts a whole copy
 * (allocated, filled, written, wiped) cost four more passes over the store
 * through the CPU caches, which logins running beside a bulk action need
 * for their hash.  Record lines hold hashes: the buffer is wiped after. */
#define OUT_CHUNK 65536 /* more than a line */

struct out {
    int fd;
    size_t used;
    char buf[OUT_CHUNK];
};

static int out_flush(struct out *o)
{
    int rc = pwr_write_all(o->fd, o->buf, o->used);

    o->used = 0;
    return rc;
}

/* Append len bytes and, with nl, a LF.  Lines are far shorter than the
 * buffer (PWR_RECORD_LINE_MAX); anything longer is refused, never copied
 * past its end. */
static int out_put(struct out *o, const char *p, size_t len, int nl)
{
    if (len + 1 > sizeof(o->buf)) {
        errno = EOVERFLOW;
        return -1;
    }
    if (o->used + len + 1 > sizeof(o->buf) && out_flush(o) < 0)
        return -1;
    memcpy(o->buf + o->used, p, len);
    o->used += len;
    if (nl)
        o->buf[o->used++] = '\n';
    return 0;
}

/* Header, every record in login order, "end N". */
static int stream_store(const struct pwr_txn *txn, struct out *o,
                        struct pwr_err *err)
{
    char trailer[TRAILER_MAX];
    struct cursor c;
    const char *p;
    size_t n = 0, len;
    int rc, t;

    if (cursor_init(txn, &c, err) < 0)
        return -1;
    rc = out_put(o, header, HEADER_LEN, 0);
    while (rc == 0 && cursor_next(txn, &c, &p, &len)) {
        rc = out_put(o, p, len, 1);
        n++;
    }
    free(c.ins);
    t = snprintf(trailer, sizeof(trailer), "end %zu\n", n);
    if (rc == 0)
        rc = out_put(o, trailer, (size_t)t, 0);
    if (rc == 0)
        rc = out_flush(o);
    if (rc < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s.tmp: write",
                              txn->fs->path);
    return 0;
}

static int write_tmp(const struct pwr_txn *txn, int dfd, struct pwr_err *err)
{
    const struct fstore *fs = txn->fs;
    struct out *o;
    int fd, e, rc;

    /* We hold the lock, so a .tmp here was left by a writer that died. */
    if (unlinkat(dfd, fs->tmp, 0) < 0 && errno != ENOENT)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s.tmp: unlink", fs->path);
    if ((o = malloc(sizeof(*o))) == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    fd = openat(dfd, fs->tmp,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                0600);
    if (fd < 0) {
        e = errno;
        free(o);
        return pwr_fail_errno(err, PWR_E_STORE, e, "%s.tmp: create", fs->path);
    }
    o->fd = fd;
    o->used = 0;
    rc = stream_store(txn, o, err);
    sodium_memzero(o->buf, sizeof(o->buf));
    free(o);
    if (rc == 0 && fsync(fd) < 0)
        rc = pwr_fail_errno(err, PWR_E_STORE, errno, "%s.tmp: write", fs->path);
    if (rc < 0) {
        close(fd);
        return -1;
    }
    /* Linux releases fd even when close() says EINTR, and the data is
     * already on disk: that is not a failure, and retrying could close a
     * descriptor another thread just got. */
    if (close(fd) < 0 && errno != EINTR)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s.tmp: close", fs->path);
    return 0;
}

/* Point .bak at the current store without ever leaving .bak missing. */
static int keep_backup(const struct fstore *fs, int dfd, struct pwr_err *err)
{
    if (unlinkat(dfd, fs->baktmp, 0) < 0 && errno != ENOENT)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s.bak.tmp: unlink",
                              fs->path);
    if (linkat(dfd, fs->base, dfd, fs->baktmp, 0) < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s.bak.tmp: link",
                              fs->path);
    if (renameat(dfd, fs->baktmp, dfd, fs->bak) < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s.bak: rename", fs->path);
    /* rename() is a no-op when .bak already was this file: tidy up. */
    if (unlinkat(dfd, fs->baktmp, 0) < 0 && errno != ENOENT)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s.bak.tmp: unlink",
                              fs->path);
    return 0;
}

/* The new store is in place but its rename may not be durable: put the old
 * one back (.bak is its inode), so a failed transaction never leaves a
 * change that the caller is told did not happen, nor an unaudited one. */
static void undo_replace(const struct fstore *fs, int dfd, int had_store)
{
    if (had_store)
        (void)renameat(dfd, fs->bak, dfd, fs->base);
    else
        (void)unlinkat(dfd, fs->base, 0);
    (void)fsync(dfd);
}

static int replace_store(const struct fstore *fs, int dfd, int had_store,
                         struct pwr_err *err)
{
    int e;

    if (had_store && keep_backup(fs, dfd, err) < 0)
        return -1;
    if (renameat(dfd, fs->tmp, dfd, fs->base) < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s: rename", fs->path);
    if (fsync(dfd) < 0) {
        e = errno;
        undo_replace(fs, dfd, had_store);
        return pwr_fail_errno(err, PWR_E_STORE, e,
                              "%s: not changed: fsync of its directory failed",
                              fs->path);
    }
    return 0;
}

/* The identity of name in dfd ({0, 0} when absent). */
static int id_of(int dfd, const char *name, struct pwr_store_id *id,
                 const char *path, struct pwr_err *err)
{
    struct stat st;

    id->dev = id->ino = 0;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return 0;
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s: fstat", path);
    }
    id->dev = (unsigned long long)st.st_dev;
    id->ino = (unsigned long long)st.st_ino;
    return 0;
}

/* The commit hook's first call: before the new store can be seen. */
static int hook_before(const struct fstore *fs, int dfd, struct pwr_err *err)
{
    struct pwr_store_id cur, next;

    if (fs->hook == NULL)
        return 0;
    if (id_of(dfd, fs->base, &cur, fs->path, err) < 0 ||
        id_of(dfd, fs->tmp, &next, fs->path, err) < 0)
        return -1;
    return fs->hook(fs->hook_arg, PWR_COMMIT_BEFORE, &cur, &next, err);
}

static int commit(const struct pwr_txn *txn, int dfd, struct pwr_err *err)
{
    const struct fstore *fs = txn->fs;
    struct pwr_err herr;
    int rc = write_tmp(txn, dfd, err), hooked = 0;

    if (rc == 0 && (rc = hook_before(fs, dfd, err)) == 0)
        hooked = fs->hook != NULL;
    if (rc == 0)
        rc = replace_store(fs, dfd, !txn->sn->missing, err);
    if (rc < 0) { /* the old store stays as it was, and no temp file */
        (void)unlinkat(dfd, fs->tmp, 0);
        (void)unlinkat(dfd, fs->baktmp, 0);
    }
    if (hooked)
        (void)fs->hook(fs->hook_arg,
                       rc == 0 ? PWR_COMMIT_DONE : PWR_COMMIT_FAILED, NULL,
                       NULL, &herr);
    return rc;
}

/* ---- the lock ------------------------------------------------------------------- */

/* Poll, so a PAM module never needs signals or timers to give up. */
static int wait_lock(const struct fstore *fs, int fd, struct pwr_err *err)
{
    int64_t deadline = now_ms() + fs->lock_timeout_ms;
    struct timespec delay = { 0, 1000000L };

    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return pwr_fail_errno(err, PWR_E_STORE, errno, "%s.lock: flock",
                                  fs->path);
        if (now_ms() >= deadline)
            return pwr_fail(err, PWR_E_BUSY,
                            "store busy: %s.lock held by another writer for "
                            "over %u ms", fs->path, fs->lock_timeout_ms);
        nanosleep(&delay, NULL);
        delay.tv_nsec = delay.tv_nsec * 2 < LOCK_POLL_MAX_NS ? delay.tv_nsec * 2
                                                             : LOCK_POLL_MAX_NS;
    }
    return 0;
}

static int take_lock(const struct fstore *fs, int dfd, int *lfd,
                     struct pwr_err *err)
{
    struct stat st;
    int fd = openat(dfd, fs->lock,
                    O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
                        O_NONBLOCK,
                    0600);

    if (fd < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s.lock", fs->path);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return pwr_fail(err, PWR_E_STORE, "%s.lock: not a regular file", fs->path);
    }
    /* Whoever else can open the lock can hold it forever. */
    if (st.st_uid != geteuid() || (st.st_mode & 077) || st.st_nlink != 1) {
        close(fd);
        return pwr_fail(err, PWR_E_STORE, "%s.lock: not a private file of uid "
                        "%u (owner %u, mode %04o, %lu links)", fs->path,
                        (unsigned)geteuid(), (unsigned)st.st_uid,
                        (unsigned)(st.st_mode & 07777),
                        (unsigned long)st.st_nlink);
    }
    if (wait_lock(fs, fd, err) < 0) {
        close(fd);
        return -1;
    }
    *lfd = fd;
    return 0;
}

/* ---- transact -------------------------------------------------------------------- */

static void txn_free(struct pwr_txn *txn)
{
    if (txn->repl != NULL) {
        for (size_t i = 0; i < txn->sn->n; i++)
            free_line(txn->repl[i]);
        free(txn->repl);
    }
    tdestroy(txn->ins_root, ins_free);
}

static int run_txn(const struct fstore *fs, int dfd, const struct snap *sn,
                   pwr_txn_fn fn, void *arg, struct pwr_err *err)
{
    struct pwr_txn txn = { .fs = fs, .sn = sn };
    int rc;

    pwr_err_clear(err);
    rc = fn(&txn, arg, err);
    if (rc != 0 && (err == NULL || err->code == PWR_OK))
        pwr_fail(err, PWR_E_INTERNAL, "transaction aborted");
    /* A store that did not exist yet is created, empty if need be. */
    if (rc == 0 && (txn.dirty || sn->missing))
        rc = commit(&txn, dfd, err);
    txn_free(&txn);
    return rc == 0 ? 0 : -1;
}

static int file_transact(void *ctx, pwr_txn_fn fn, void *arg,
                         struct pwr_err *err)
{
    const struct fstore *fs = ctx;
    int dfd = -1, lfd = -1, rc = -1;
    struct snap sn;

    if (open_dir(fs, &dfd, err) < 0) {
        if (err->code == PWR_E_NOENT)
            err->code = PWR_E_STORE;
        return -1;
    }
    if (take_lock(fs, dfd, &lfd, err) == 0) {
        if (load(fs, &sn, fs->create, err) == 0) {
            rc = run_txn(fs, dfd, &sn, fn, arg, err);
            unmap(&sn);
        } else if (err->code == PWR_E_NOENT) {
            pwr_fail(err, PWR_E_STORE, "%s: store does not exist", fs->path);
        }
        close(lfd);
    }
    close(dfd);
    return rc;
}

const struct pwr_store_backend pwr_store_file_backend = {
    .name = "file",
    .open = file_open,
    .close = file_close,
    .lookup = file_lookup,
    .foreach = file_foreach,
    .transact = file_transact,
};
