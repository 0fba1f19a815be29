/* pwr_store.h - the credential store behind a small backend interface.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Callers see two operations: look up one account, and apply
 * one transaction of changes to one or many accounts.  The file backend
 * (pwr_store_file.c) is the default; nothing outside the store may assume the
 * store is a file.
 *
 * Guarantees of every backend:
 *  - a lookup sees one consistent state (never a torn write);
 *  - a transaction runs under an exclusive lock: concurrent transactions are
 *    serialised and none loses another's update;
 *  - a transaction whose callback fails writes nothing;
 *  - a crash at any point leaves the old or the new state, never neither;
 *  - a corrupt or unsafe store fails closed (-1, PWR_E_STORE), never "empty".
 */
#ifndef PWR_STORE_H
#define PWR_STORE_H

#include <stddef.h>

#include "pwr_err.h"
#include "pwr_record.h"

struct pwr_store;
struct pwr_txn;

/* Which version of the store: two equal ids are the same version. */
struct pwr_store_id {
    unsigned long long dev, ino; /* 0, 0: no store */
};

/* A transaction that changes the store calls its commit hook under the
 * store's lock: PWR_COMMIT_BEFORE once the new version is written and
 * durable but before anyone can see it (cur: the version in place, next:
 * the new one); -1 there aborts the commit, nothing is changed and its err
 * is passed on.  Then PWR_COMMIT_DONE once next is in place, or
 * PWR_COMMIT_FAILED when it was not put in place.  The helper records its
 * audit intent here (helper/helper_intent.c). */
enum pwr_commit_stage { PWR_COMMIT_BEFORE, PWR_COMMIT_DONE, PWR_COMMIT_FAILED };
typedef int (*pwr_commit_hook)(void *arg, enum pwr_commit_stage stage,
                               const struct pwr_store_id *cur,
                               const struct pwr_store_id *next,
                               struct pwr_err *err);

/* The directory backend's settings (pwreset.conf(5), docs/FLEET.md). */
struct pwr_ldap_opts {
    const char *uri, *base;
    const char *bind_dn, *bind_password_file;   /* this host's identity */
    const char *admin_dn, *admin_password_file; /* "" on hosts without */
    const char *ca_file;                        /* "": the system's CAs */
    int starttls;
    int password_policy;  /* new passwords sent as typed: slapd hashes them
                             and applies its password policy */
    unsigned timeout_ms;  /* every connect and operation; 0 = 5000 */
    int admin;            /* bind as admin_dn (admin commands) */
};

struct pwr_store_backend;

struct pwr_store_opts {
    const char *path;         /* store file; its directory holds lock and backup
                                 (with the directory backend: the local files
                                 beside it, e.g. the list of seen logins) */
    unsigned lock_timeout_ms; /* give up with PWR_E_BUSY after this; 0 = 10000 */
    int create;               /* transact may create a missing store (empty) */
    pwr_commit_hook commit_hook; /* NULL: none */
    void *hook_arg;
    /* NULL: the file backend.  Only pwreset-helper links the directory
     * backend (pwr_store_ldap_backend) and passes it here with ldap. */
    const struct pwr_store_backend *backend;
    const struct pwr_ldap_opts *ldap;
};

int pwr_store_open(struct pwr_store **out, const struct pwr_store_opts *opts,
                   struct pwr_err *err);
void pwr_store_close(struct pwr_store *st);

/* Look up one account: 1 found (*out filled), 0 not in the store, -1 error.
 * A missing store file is "not found" unless opts.create is 0 and the
 * directory is also missing, which is still "not found". */
int pwr_store_lookup(struct pwr_store *st, const char *login,
                     struct pwr_record *out, struct pwr_err *err);

/* Read-only walk over every record in login order (no lock needed).
 * fn returns 0 to go on, 1 to stop early, -1 to fail. */
typedef int (*pwr_store_visit_fn)(const struct pwr_record *rec, void *arg,
                                  struct pwr_err *err);
int pwr_store_foreach(struct pwr_store *st, pwr_store_visit_fn fn, void *arg,
                      struct pwr_err *err);

/* Run fn under the store's exclusive lock on the current state.  If fn
 * returns 0 and put at least one record, the new state is written
 * atomically and durably before pwr_store_transact returns 0.  If fn returns
 * -1 nothing is written and its err is passed on. */
typedef int (*pwr_txn_fn)(struct pwr_txn *txn, void *arg, struct pwr_err *err);
int pwr_store_transact(struct pwr_store *st, pwr_txn_fn fn, void *arg,
                       struct pwr_err *err);

/* Inside a transaction: copy one record out: 1 found, 0 not, -1 error. */
int pwr_txn_get(struct pwr_txn *txn, const char *login, struct pwr_record *out,
                struct pwr_err *err);

/* Inside a transaction: insert or replace a record (by login). */
int pwr_txn_put(struct pwr_txn *txn, const struct pwr_record *rec,
                struct pwr_err *err);

/* Inside a transaction: remove a record: 1 removed, 0 not there, -1
 * error (purge). */
int pwr_txn_remove(struct pwr_txn *txn, const char *login,
                   struct pwr_err *err);

/* Inside a transaction: visit every record in login order; fn may call
 * pwr_txn_put (for the visited record or others already visited). */
typedef int (*pwr_txn_visit_fn)(struct pwr_txn *txn,
                                const struct pwr_record *rec, void *arg,
                                struct pwr_err *err);
int pwr_txn_foreach(struct pwr_txn *txn, pwr_txn_visit_fn fn, void *arg,
                    struct pwr_err *err);

/* The version of login's record after this process's last commit that
 * changed it (the directory: its entryCSN), or after its lookup when no
 * commit changed it; NULL when the backend has none (the file store) or
 * login was not seen.  For the audit field csn=. */
const char *pwr_store_version(struct pwr_store *st, const char *login);

/* Check a password where the backend keeps the hashes itself (the
 * directory: a bind as the person, with the ppolicy control):
 * 1 right, 0 wrong, -1 error; -2 when the backend has no such check and
 * the caller compares rec.hash itself (the file store).  *locked is set
 * when the backend said the account is locked. */
int pwr_store_check_password(struct pwr_store *st, const char *login,
                             const char *password, int *locked,
                             struct pwr_err *err);

/* The directory: the account's own password, proven by the caller, for a
 * change the host may not make alone (a voluntary password change is
 * written bound as the person).  Kept until the store is closed, then
 * wiped.  Nothing for the file store. */
void pwr_store_set_proof(struct pwr_store *st, const char *login,
                         const char *password);

/* The directory with ldap_password_policy = yes: the new password of
 * login as typed, sent instead of its hash by the next write of login's
 * password, so that the directory hashes it and applies its own password
 * policy (history, length, quality).  Kept until the store is closed, then
 * wiped.  Nothing for the file store. */
void pwr_store_set_new_password(struct pwr_store *st, const char *login,
                                const char *password);

/* Why the directory's password policy refused the last write, as a
 * policy_rejected reason (reused_recently, too_short, ...), or NULL. */
const char *pwr_store_violation(struct pwr_store *st);

/* ---- backend interface (for pwr_store.c and backends only) ---------------- */

/* A backend's transaction starts with this header; pwr_txn_* forward to
 * its operations. */
struct pwr_txn_ops {
    int (*get)(struct pwr_txn *txn, const char *login, struct pwr_record *out,
               struct pwr_err *err);
    int (*put)(struct pwr_txn *txn, const struct pwr_record *rec,
               struct pwr_err *err);
    int (*remove)(struct pwr_txn *txn, const char *login, struct pwr_err *err);
    int (*foreach)(struct pwr_txn *txn, pwr_txn_visit_fn fn, void *arg,
                   struct pwr_err *err);
};

struct pwr_txn {
    const struct pwr_txn_ops *ops;
};

struct pwr_store_backend {
    const char *name;
    int (*open)(void **ctx, const struct pwr_store_opts *opts,
                struct pwr_err *err);
    void (*close)(void *ctx);
    int (*lookup)(void *ctx, const char *login, struct pwr_record *out,
                  struct pwr_err *err);
    int (*foreach)(void *ctx, pwr_store_visit_fn fn, void *arg,
                   struct pwr_err *err);
    int (*transact)(void *ctx, pwr_txn_fn fn, void *arg, struct pwr_err *err);
    /* optional (NULL: none); see the pwr_store_* calls of the same name */
    const char *(*version)(void *ctx, const char *login);
    int (*check_password)(void *ctx, const char *login, const char *password,
                          int *locked, struct pwr_err *err);
    void (*set_proof)(void *ctx, const char *login, const char *password);
    void (*set_new_password)(void *ctx, const char *login,
                             const char *password);
    const char *(*violation)(void *ctx);
};

extern const struct pwr_store_backend pwr_store_file_backend;
/* In libpwreset_ldap (pwreset-helper only). */
extern const struct pwr_store_backend pwr_store_ldap_backend;

#endif
