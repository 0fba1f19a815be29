/* pwr_store_file.h - what the files of the file backend share (private to
 * lib/store/pwr_store_file*.c): the store's paths, a mapped snapshot, a
 * transaction, and the steps one file does for another.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * pwr_store_file.c: paths, mapping, framing and full validation;
 * pwr_store_file_read.c: open, lookup (binary search), foreach;
 * pwr_store_file_txn.c: a transaction's reads, puts and walk;
 * pwr_store_file_write.c: writing the new store, the lock, transact.
 */
#ifndef PWR_STORE_FILE_H
#define PWR_STORE_FILE_H

#include <limits.h>
#include <stdint.h>

#include "pwr_store.h"

/* The first line of every store file. */
extern const char fs_header[];
#define HEADER_LEN (sizeof("pwreset-store 1\n") - 1)
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

struct ftxn {
    struct pwr_txn base; /* first: pwr_store.c sees this */
    const struct fstore *fs;
    const struct snap *sn;
    char **repl;      /* [sn->n]: new line of an old record, or NULL */
    void *ins_root;   /* tsearch tree of struct ins: logins not in sn */
    size_t n_ins;
    size_t put_bytes; /* total length of lines put, for sizing the output */
    int dirty;
};


/* In a transaction: the mark of an old record that was removed. */
extern char fs_removed_mark[1];

struct cursor {
    struct ins **ins; /* new records in login order */
    size_t n_ins, i, j;
};

extern const struct pwr_txn_ops fs_txn_ops;

int fs_cmp_login(const char *a, size_t alen, const char *b, size_t blen);
size_t fs_login_len(const char *line);
void fs_free_line(char *line);
int fs_at_line(const struct fstore *fs, const struct snap *sn, size_t off,
                   struct pwr_err *err, const char *what);
int fs_split_path(struct fstore *fs, const char *path, struct pwr_err *err);
int fs_open_dir(const struct fstore *fs, int *dfd, struct pwr_err *err);
void fs_unmap(struct snap *sn);
int64_t fs_now_ms(void);
int fs_open_store(const struct fstore *fs, int *fd, size_t *size,
                      struct pwr_err *err);
int fs_map_fd(const struct fstore *fs, int fd, struct snap *sn,
                  struct pwr_err *err);
int fs_parse_trailer(const char *s, size_t len, size_t *count);
int fs_check_frame(const struct fstore *fs, struct snap *sn,
                       struct pwr_err *err);
int fs_index_store(const struct fstore *fs, struct snap *sn,
                       struct pwr_err *err);
int fs_load(const struct fstore *fs, struct snap *sn, int allow_missing,
                struct pwr_err *err);
void fs_old_line(const struct snap *sn, size_t i, const char **p, size_t *len);
int fs_old_find(const struct snap *sn, const char *login, size_t *idx);
int fs_file_open(void **ctx, const struct pwr_store_opts *opts,
                     struct pwr_err *err);
void fs_file_close(void *ctx);
int fs_file_lookup(void *ctx, const char *login, struct pwr_record *out,
                       struct pwr_err *err);
int fs_file_foreach(void *ctx, pwr_store_visit_fn fn, void *arg,
                        struct pwr_err *err);
void fs_ins_free(void *node);
int fs_cursor_init(const struct ftxn *txn, struct cursor *c,
                       struct pwr_err *err);
int fs_cursor_next(const struct ftxn *txn, struct cursor *c,
                       const char **p, size_t *len);
int fs_commit(const struct ftxn *txn, int dfd, struct pwr_err *err);

#endif
