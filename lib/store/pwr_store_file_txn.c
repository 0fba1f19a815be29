/* pwr_store_file_txn.c - a file store transaction: its reads, its puts and
 * removals (held in memory until the commit), and its walk over the old
 * records merged with the new ones.
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


/* ---- transactions: reads and puts -------------------------------------------- */

static int ins_cmp(const void *a, const void *b)
{
    const char *la = ((const struct ins *)a)->line;
    const char *lb = ((const struct ins *)b)->line;

    return fs_cmp_login(la, fs_login_len(la), lb, fs_login_len(lb));
}

void fs_ins_free(void *node)
{
    struct ins *in = node;

    fs_free_line(in->line);
    free(in);
}

static struct ins *ins_find(const struct ftxn *txn, const char *login)
{
    struct ins key = { .line = (char *)(uintptr_t)login };
    struct ins *const *found = tfind(&key, &txn->ins_root, ins_cmp);

    return found ? *found : NULL;
}

/* The current text of old record i, without LF. */
static void txn_old_line(const struct ftxn *txn, size_t i, const char **p,
                         size_t *len)
{
    if (txn->repl != NULL && txn->repl[i] != NULL) {
        *p = txn->repl[i];
        *len = strlen(*p) - 1;
    } else {
        fs_old_line(txn->sn, i, p, len);
    }
}

static int old_removed(const struct ftxn *txn, size_t i)
{
    return txn->repl != NULL && txn->repl[i] == fs_removed_mark;
}

static int ftxn_get(struct pwr_txn *t, const char *login, struct pwr_record *out,
                struct pwr_err *err)
{
    struct ftxn *txn = (struct ftxn *)t;
    const struct ins *in;
    const char *p;
    size_t i, len;

    if (!pwr_login_valid(login))
        return 0;
    if (fs_old_find(txn->sn, login, &i)) {
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

static int put_new(struct ftxn *txn, char *line, struct pwr_err *err)
{
    struct ins *in = ins_find(txn, line);
    void *node;

    if (in != NULL) {
        fs_free_line(in->line);
        in->line = line;
        return 0;
    }
    in = malloc(sizeof(*in));
    if (in != NULL)
        in->line = line;
    node = in ? tsearch(in, &txn->ins_root, ins_cmp) : NULL;
    if (node == NULL) {
        free(in);
        fs_free_line(line);
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    }
    txn->n_ins++;
    return 0;
}

static int put_old(struct ftxn *txn, size_t i, char *line, struct pwr_err *err)
{
    if (txn->repl == NULL) {
        txn->repl = calloc(txn->sn->n, sizeof(*txn->repl));
        if (txn->repl == NULL) {
            fs_free_line(line);
            return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
        }
    }
    fs_free_line(txn->repl[i]);
    txn->repl[i] = line;
    return 0;
}

static int ftxn_put(struct pwr_txn *t, const struct pwr_record *rec,
                struct pwr_err *err)
{
    struct ftxn *txn = (struct ftxn *)t;
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
    if (fs_old_find(txn->sn, rec->login, &i))
        return put_old(txn, i, line, err);
    /* line starts with the login, so it can serve as its own search key */
    return put_new(txn, line, err);
}

static int ftxn_remove(struct pwr_txn *t, const char *login,
                   struct pwr_err *err)
{
    struct ftxn *txn = (struct ftxn *)t;
    struct ins *in;
    size_t i;

    if (!pwr_login_valid(login))
        return 0;
    if (fs_old_find(txn->sn, login, &i)) {
        if (old_removed(txn, i))
            return 0;
        if (put_old(txn, i, fs_removed_mark, err) < 0)
            return -1;
        txn->dirty = 1;
        return 1;
    }
    in = ins_find(txn, login);
    if (in == NULL)
        return 0;
    (void)tdelete(in, &txn->ins_root, ins_cmp);
    fs_ins_free(in);
    txn->n_ins--;
    txn->dirty = 1;
    return 1;
}

/* ---- merged walk: old records (or their replacements) and new ones ------------ */

static void collect_ins(const void *node, VISIT which, void *closure)
{
    struct cursor *c = closure;

    if (which == postorder || which == leaf)
        c->ins[c->n_ins++] = *(struct ins *const *)node;
}

int fs_cursor_init(const struct ftxn *txn, struct cursor *c,
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
int fs_cursor_next(const struct ftxn *txn, struct cursor *c,
                       const char **p, size_t *len)
{
    int old;

    while (c->i < txn->sn->n && old_removed(txn, c->i))
        c->i++;
    old = c->i < txn->sn->n;

    if (old && c->j < c->n_ins) {
        const char *o = txn->sn->map + txn->sn->off[c->i];
        const char *n = c->ins[c->j]->line;

        old = fs_cmp_login(o, fs_login_len(o), n, fs_login_len(n)) < 0;
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

static int ftxn_foreach(struct pwr_txn *t, pwr_txn_visit_fn fn, void *arg,
                    struct pwr_err *err)
{
    struct ftxn *txn = (struct ftxn *)t;
    struct pwr_record rec;
    struct cursor c;
    const char *p;
    size_t len;
    int rc = fs_cursor_init(txn, &c, err);

    while (rc == 0 && fs_cursor_next(txn, &c, &p, &len)) {
        rc = pwr_record_parse(p, len, &rec, err);
        if (rc == 0)
            rc = fn(t, &rec, arg, err);
        pwr_record_wipe(&rec);
    }
    free(c.ins);
    return rc < 0 ? -1 : 0;
}


const struct pwr_txn_ops fs_txn_ops = {
    .get = ftxn_get,
    .put = ftxn_put,
    .remove = ftxn_remove,
    .foreach = ftxn_foreach,
};
