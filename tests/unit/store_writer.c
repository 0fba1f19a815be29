/* store_writer.c - performs one store transaction, for test_store's crash
 * and single-write tests (which run it under the fsshim LD_PRELOAD shim).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * usage: store_writer STORE MODE
 *   update  change "alice" and "mallory", add "newbie"
 *   create  like update, but creating the store if it is missing
 *   bulk    set must_change on every record
 * Exit 0 when the transaction committed, 1 with a message otherwise.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pwr_store.h"

static int put_changed(struct pwr_txn *txn, const char *login, int64_t when,
                       struct pwr_err *err)
{
    struct pwr_record rec;
    int rc = pwr_txn_get(txn, login, &rec, err);

    if (rc < 0)
        return -1;
    if (rc == 0)
        pwr_record_init(&rec, login);
    rec.changed = when;
    snprintf(rec.hash, sizeof(rec.hash), "$y$new$%s", login);
    rc = pwr_txn_put(txn, &rec, err);
    pwr_record_wipe(&rec);
    return rc;
}

static int update(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    (void)arg;
    if (put_changed(txn, "alice", 1700000001, err) < 0 ||
        put_changed(txn, "mallory", 1700000002, err) < 0 ||
        put_changed(txn, "newbie", 1700000003, err) < 0)
        return -1;
    return 0;
}

static int flag_one(struct pwr_txn *txn, const struct pwr_record *rec,
                    void *arg, struct pwr_err *err)
{
    struct pwr_record copy = *rec;
    int rc;

    (void)arg;
    copy.flags |= PWR_F_MUST_CHANGE;
    rc = pwr_txn_put(txn, &copy, err);
    pwr_record_wipe(&copy);
    return rc;
}

static int bulk(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    return pwr_txn_foreach(txn, flag_one, arg, err);
}

int main(int argc, char **argv)
{
    struct pwr_store_opts opts = { .lock_timeout_ms = 5000 };
    struct pwr_err err = { 0 };
    struct pwr_store *st;
    pwr_txn_fn fn;
    int rc;

    if (argc != 3) {
        fprintf(stderr, "usage: store_writer STORE update|create|bulk\n");
        return 1;
    }
    opts.path = argv[1];
    opts.create = strcmp(argv[2], "create") == 0;
    fn = strcmp(argv[2], "bulk") == 0 ? bulk : update;
    if (pwr_store_open(&st, &opts, &err) < 0) {
        fprintf(stderr, "store_writer: %s\n", err.msg);
        return 1;
    }
    rc = pwr_store_transact(st, fn, NULL, &err);
    if (rc < 0)
        fprintf(stderr, "store_writer: %s\n", err.msg);
    pwr_store_close(st);
    return rc < 0 ? 1 : 0;
}
