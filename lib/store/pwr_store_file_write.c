/* pwr_store_file_write.c - writing the new file store: streamed to a temporary
 * file, synced, renamed in with the old one kept as .bak, under the lock
 * file; and the transaction that does it all.
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
static int stream_store(const struct ftxn *txn, struct out *o,
                        struct pwr_err *err)
{
    char trailer[TRAILER_MAX];
    struct cursor c;
    const char *p;
    size_t n = 0, len;
    int rc, t;

    if (fs_cursor_init(txn, &c, err) < 0)
        return -1;
    rc = out_put(o, fs_header, HEADER_LEN, 0);
    while (rc == 0 && fs_cursor_next(txn, &c, &p, &len)) {
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

static int write_tmp(const struct ftxn *txn, int dfd, struct pwr_err *err)
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

int fs_commit(const struct ftxn *txn, int dfd, struct pwr_err *err)
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
    int64_t deadline = fs_now_ms() + fs->lock_timeout_ms;
    struct timespec delay = { 0, 1000000L };

    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return pwr_fail_errno(err, PWR_E_STORE, errno, "%s.lock: flock",
                                  fs->path);
        if (fs_now_ms() >= deadline)
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

static void txn_free(struct ftxn *txn)
{
    if (txn->repl != NULL) {
        for (size_t i = 0; i < txn->sn->n; i++)
            fs_free_line(txn->repl[i]);
        free(txn->repl);
    }
    tdestroy(txn->ins_root, fs_ins_free);
}

static int run_txn(const struct fstore *fs, int dfd, const struct snap *sn,
                   pwr_txn_fn fn, void *arg, struct pwr_err *err)
{
    struct ftxn txn = { .base = { &fs_txn_ops }, .fs = fs, .sn = sn };
    int rc;

    pwr_err_clear(err);
    rc = fn(&txn.base, arg, err);
    if (rc != 0 && (err == NULL || err->code == PWR_OK))
        pwr_fail(err, PWR_E_INTERNAL, "transaction aborted");
    /* A store that did not exist yet is created, empty if need be. */
    if (rc == 0 && (txn.dirty || sn->missing))
        rc = fs_commit(&txn, dfd, err);
    txn_free(&txn);
    return rc == 0 ? 0 : -1;
}

static int file_transact(void *ctx, pwr_txn_fn fn, void *arg,
                         struct pwr_err *err)
{
    const struct fstore *fs = ctx;
    int dfd = -1, lfd = -1, rc = -1;
    struct snap sn;

    if (fs_open_dir(fs, &dfd, err) < 0) {
        if (err->code == PWR_E_NOENT)
            err->code = PWR_E_STORE;
        return -1;
    }
    if (take_lock(fs, dfd, &lfd, err) == 0) {
        if (fs_load(fs, &sn, fs->create, err) == 0) {
            rc = run_txn(fs, dfd, &sn, fn, arg, err);
            fs_unmap(&sn);
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
    .open = fs_file_open,
    .close = fs_file_close,
    .lookup = fs_file_lookup,
    .foreach = fs_file_foreach,
    .transact = file_transact,
};
