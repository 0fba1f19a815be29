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

#include "pwr_store_file.h"


const char fs_header[] = "pwreset-store 1\n";

/* ---- small helpers ----------------------------------------------------------- */

int fs_cmp_login(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c != 0)
        return c;
    return (alen > blen) - (alen < blen);
}

/* Length of the login that starts a validated or formatted line. */
size_t fs_login_len(const char *line)
{
    return strcspn(line, " ");
}

/* repl[i] of an old record removed by pwr_txn_remove (purge). */
char fs_removed_mark[1];

void fs_free_line(char *line)
{
    if (line != NULL && line != fs_removed_mark) {
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
int fs_at_line(const struct fstore *fs, const struct snap *sn, size_t off,
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

int fs_split_path(struct fstore *fs, const char *path, struct pwr_err *err)
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
int fs_open_dir(const struct fstore *fs, int *dfd, struct pwr_err *err)
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

void fs_unmap(struct snap *sn)
{
    if (sn->map != NULL)
        munmap((void *)(uintptr_t)sn->map, sn->size);
    free(sn->off);
    memset(sn, 0, sizeof(*sn));
}

int64_t fs_now_ms(void)
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
 * .bak.tmp, which share its inode while a fs_commit (or a writer killed in
 * one) is between linking the backup and renaming the new store in.  A
 * reader does not hold the lock, so a commit may be moving those names
 * while it looks, and the file system counts a new link before the name
 * can be looked up: it looks again for a while before refusing. */
static int check_links(const struct fstore *fs, int fd, struct stat *st,
                       struct pwr_err *err)
{
    int64_t deadline = fs_now_ms() + LINK_SETTLE_MS;
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
        if (fs_now_ms() >= deadline)
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
int fs_open_store(const struct fstore *fs, int *fd, size_t *size,
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
int fs_map_fd(const struct fstore *fs, int fd, struct snap *sn,
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
    if (fs_open_store(fs, &fd, &sn->size, err) < 0)
        return -1;
    return fs_map_fd(fs, fd, sn, err);
}

/* "end N" with N a plain decimal. */
int fs_parse_trailer(const char *s, size_t len, size_t *count)
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
        return fs_at_line(fs, sn, sn->size - 1, err,
                       "last line has no newline (truncated store?)");
    nl = memrchr(m + lo, '\n', sn->size - 1 - lo);
    t = nl ? (size_t)(nl - m) + 1 : 0;
    if (nl == NULL || fs_parse_trailer(m + t, sn->size - 1 - t, &sn->count) < 0)
        return fs_at_line(fs, sn, sn->size - 1, err,
                       "missing or bad 'end N' line (truncated store?)");
    /* Every record line is at least MIN_RECORD_LINE bytes. */
    if ((sn->count == 0) != (t == HEADER_LEN) ||
        sn->count > (t - HEADER_LEN) / MIN_RECORD_LINE)
        return fs_at_line(fs, sn, t, err, "record count in 'end N' is wrong");
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
int fs_check_frame(const struct fstore *fs, struct snap *sn,
                       struct pwr_err *err)
{
    if (sn->map == NULL) /* mapped only when not empty */
        return fs_at_line(fs, sn, 0, err, "empty file (no header)");
    if (sn->size < HEADER_LEN || memcmp(sn->map, fs_header, HEADER_LEN) != 0)
        return fs_at_line(fs, sn, 0, err, header_problem(sn));
    return check_trailer(fs, sn, err);
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
    return fs_at_line(fs, sn, off, err, msg);
}

/* Parse every record, check order and count, and index line starts. */
int fs_index_store(const struct fstore *fs, struct snap *sn,
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
            rc = fs_at_line(fs, sn, p, err, "more records than 'end N' says");
        else if (pwr_record_parse(sn->map + p, len, &rec, err) < 0)
            rc = fs_at_line(fs, sn, p, err, err->msg);
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
        rc = fs_at_line(fs, sn, sn->end, err, "fewer records than 'end N' says");
    sn->off[i] = sn->end;
    sn->n = i;
    return rc;
}

/* Map and fully validate; a missing store is empty when allow_missing. */
int fs_load(const struct fstore *fs, struct snap *sn, int allow_missing,
                struct pwr_err *err)
{
    if (map_store(fs, sn, err) < 0) {
        if (err->code != PWR_E_NOENT || !allow_missing)
            return -1;
        pwr_err_clear(err);
        sn->missing = 1;
        return 0;
    }
    if (fs_check_frame(fs, sn, err) < 0 || fs_index_store(fs, sn, err) < 0) {
        fs_unmap(sn);
        return -1;
    }
    return 0;
}

/* Old record i, without its LF. */
void fs_old_line(const struct snap *sn, size_t i, const char **p, size_t *len)
{
    *p = sn->map + sn->off[i];
    *len = sn->off[i + 1] - sn->off[i] - 1;
}

/* Binary search of an indexed snapshot. */
int fs_old_find(const struct snap *sn, const char *login, size_t *idx)
{
    size_t lo = 0, hi = sn->n, klen = strlen(login);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *p = sn->map + sn->off[mid];
        int c = fs_cmp_login(login, klen, p, fs_login_len(p));

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

