/* storecheck.c - test tool: validate a store file the way every program
 * reads it, and print it in a canonical form.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * usage: storecheck STORE [LOGIN]
 *   Walks the whole store (header, order, count, every record: the full
 *   validation a transaction does) and prints "N records", or with LOGIN
 *   looks that account up (the binary search a login does) and prints its
 *   re-formatted record line.  Exit 0 valid (found), 1 invalid or not found
 *   (message on stderr), 2 usage.  Never writes anything.
 */
#include "config.h"

#include <stdio.h>

#include "pwr_store.h"

static int count(const struct pwr_record *rec, void *arg, struct pwr_err *err)
{
    (void)rec;
    (void)err;
    ++*(size_t *)arg;
    return 0;
}

static int show(struct pwr_store *st, const char *login)
{
    char line[PWR_RECORD_LINE_MAX];
    struct pwr_record rec;
    struct pwr_err err;
    int rc = pwr_store_lookup(st, login, &rec, &err);

    if (rc < 0)
        fprintf(stderr, "storecheck: %s\n", err.msg);
    else if (rc == 0)
        fprintf(stderr, "storecheck: %s: not in the store\n", login);
    else if (pwr_record_format(&rec, line, sizeof(line)) > 0)
        fputs(line, stdout);
    pwr_record_wipe(&rec);
    return rc == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct pwr_store_opts opts = { .lock_timeout_ms = 1000 };
    struct pwr_store *st;
    struct pwr_err err;
    size_t n = 0;
    int rc;

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: storecheck STORE [LOGIN]\n");
        return 2;
    }
    opts.path = argv[1];
    if (pwr_store_open(&st, &opts, &err) < 0) {
        fprintf(stderr, "storecheck: %s\n", err.msg);
        return 1;
    }
    if (argc == 3) {
        rc = show(st, argv[2]);
    } else if ((rc = pwr_store_foreach(st, count, &n, &err)) < 0) {
        fprintf(stderr, "storecheck: %s\n", err.msg);
        rc = 1;
    } else {
        printf("%zu records\n", n);
    }
    pwr_store_close(st);
    return rc;
}
