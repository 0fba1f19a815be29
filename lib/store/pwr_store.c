/* pwr_store.c - the store front end: picks a backend and forwards to it, so
 * nothing outside lib/store/pwr_store*.c knows where the store is kept: the file
 * backend (pwr_store_file*.c, the default) or the directory backend
 * (pwr_store_ldap*.c, linked by pwreset-helper only, which passes it in
 * pwr_store_opts.backend).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The pwr_txn_* calls go to the operations of the backend that created the
 * transaction (struct pwr_txn heads each backend's own transaction).
 * Backends may rely on err being non-NULL: a NULL err is replaced here.
 */
#include "config.h"

#include <stdlib.h>

#include "pwr_store.h"

struct pwr_store {
    const struct pwr_store_backend *be;
    void *ctx;
};

int pwr_store_open(struct pwr_store **out, const struct pwr_store_opts *opts,
                   struct pwr_err *err)
{
    struct pwr_store *st;

    *out = NULL;
    if (opts == NULL || opts->path == NULL || opts->path[0] == '\0')
        return pwr_fail(err, PWR_E_CONFIG, "no store path configured");
    st = calloc(1, sizeof(*st));
    if (st == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    st->be = opts->backend != NULL ? opts->backend : &pwr_store_file_backend;
    if (st->be->open(&st->ctx, opts, err) < 0) {
        free(st);
        return -1;
    }
    *out = st;
    return 0;
}

void pwr_store_close(struct pwr_store *st)
{
    if (st == NULL)
        return;
    st->be->close(st->ctx);
    free(st);
}

int pwr_store_lookup(struct pwr_store *st, const char *login,
                     struct pwr_record *out, struct pwr_err *err)
{
    struct pwr_err local;

    return st->be->lookup(st->ctx, login, out, err ? err : &local);
}

int pwr_store_foreach(struct pwr_store *st, pwr_store_visit_fn fn, void *arg,
                      struct pwr_err *err)
{
    struct pwr_err local;

    return st->be->foreach(st->ctx, fn, arg, err ? err : &local);
}

int pwr_store_transact(struct pwr_store *st, pwr_txn_fn fn, void *arg,
                       struct pwr_err *err)
{
    struct pwr_err local;

    return st->be->transact(st->ctx, fn, arg, err ? err : &local);
}

int pwr_txn_get(struct pwr_txn *txn, const char *login, struct pwr_record *out,
                struct pwr_err *err)
{
    struct pwr_err local;

    return txn->ops->get(txn, login, out, err ? err : &local);
}

int pwr_txn_put(struct pwr_txn *txn, const struct pwr_record *rec,
                struct pwr_err *err)
{
    struct pwr_err local;

    return txn->ops->put(txn, rec, err ? err : &local);
}

int pwr_txn_remove(struct pwr_txn *txn, const char *login,
                   struct pwr_err *err)
{
    struct pwr_err local;

    return txn->ops->remove(txn, login, err ? err : &local);
}

int pwr_txn_foreach(struct pwr_txn *txn, pwr_txn_visit_fn fn, void *arg,
                    struct pwr_err *err)
{
    struct pwr_err local;

    return txn->ops->foreach(txn, fn, arg, err ? err : &local);
}

const char *pwr_store_version(struct pwr_store *st, const char *login)
{
    if (st == NULL || st->be->version == NULL || login == NULL)
        return NULL;
    return st->be->version(st->ctx, login);
}

int pwr_store_check_password(struct pwr_store *st, const char *login,
                             const char *password, int *locked,
                             struct pwr_err *err)
{
    struct pwr_err local;

    *locked = 0;
    if (st == NULL || st->be->check_password == NULL)
        return -2;
    return st->be->check_password(st->ctx, login, password, locked,
                                  err ? err : &local);
}

void pwr_store_set_proof(struct pwr_store *st, const char *login,
                         const char *password)
{
    if (st != NULL && st->be->set_proof != NULL && login != NULL &&
        password != NULL)
        st->be->set_proof(st->ctx, login, password);
}

void pwr_store_set_new_password(struct pwr_store *st, const char *login,
                                const char *password)
{
    if (st != NULL && st->be->set_new_password != NULL && login != NULL &&
        password != NULL)
        st->be->set_new_password(st->ctx, login, password);
}

const char *pwr_store_violation(struct pwr_store *st)
{
    return st != NULL && st->be->violation != NULL ? st->be->violation(st->ctx)
                                                   : NULL;
}
