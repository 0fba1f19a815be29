/* pwr_store.c - the store front end: picks a backend and forwards to it, so
 * nothing outside lib/pwr_store*.c knows the store is a file (SPEC section 2).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The pwr_txn_* calls are implemented by the backend that created the
 * transaction (today only pwr_store_file.c).  A second backend would add a
 * small table of transaction operations to struct pwr_store_backend.
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
    st->be = &pwr_store_file_backend;
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
