/* pwr_store_ldap.c - the directory store backend (backend = ldap,
 * docs/FLEET.md): accounts are posixAccount entries under ldap_base found
 * by uid, enrolled with the pwresetAccount class.  Linked by pwreset-helper
 * only: the PAM module and the CLI link no LDAP library.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Rules this file enforces:
 *  - uid 0 is never looked up in the directory: root is not in the store;
 *  - a directory that does not answer within ldap_timeout is PWR_E_UNAVAIL
 *    for every account but those outside the directory (in the local
 *    /etc/passwd and never seen in the directory: pwr_store_ldap_seen.c);
 *  - nothing read from the directory outlives the process: no cache;
 *  - a transaction reads entries as its callback asks for them, then
 *    writes each changed entry asserting the entryCSN it read
 *    (pwr_store_ldap_write.c); when another host changed one meanwhile the
 *    whole callback runs again on the new state, so no update is lost.
 */
#include "config.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "pwr_secret.h"
#include "pwr_store_ldap.h"

#define TXN_ATTEMPTS 200 /* 40 hosts counting the same entry at once */

struct ltxn {
    struct pwr_txn base; /* first: pwr_store.c sees this */
    struct pl_store *ls;
    struct pl_entry *e;
    size_t n, cap;
    struct pl_index ix;  /* e by login */
};

static const struct pwr_txn_ops pl_txn_ops;

static void entry_free(struct pl_entry *e)
{
    free(e->dn);
    e->dn = NULL;
    pwr_record_wipe(&e->old);
    pwr_record_wipe(&e->cur);
}

static int is_root(const char *login)
{
    struct passwd *pw = getpwnam(login);

    return pw != NULL && pw->pw_uid == 0;
}

/* ---- open and close --------------------------------------------------- */

static const char *keep(struct pl_store *ls, size_t i, const char *s)
{
    snprintf(ls->strs[i], sizeof(ls->strs[i]), "%s", s ? s : "");
    return ls->strs[i];
}

static int ldap_open(void **ctx, const struct pwr_store_opts *opts,
                     struct pwr_err *err)
{
    const struct pwr_ldap_opts *o = opts->ldap;
    struct pl_store *ls;

    *ctx = NULL;
    if (o == NULL || o->uri == NULL || o->uri[0] == '\0' || o->base == NULL ||
        o->base[0] == '\0')
        return pwr_fail(err, PWR_E_CONFIG, "backend = ldap needs ldap_uri "
                        "and ldap_base");
    ls = calloc(1, sizeof(*ls));
    if (ls == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    ls->o = *o;
    ls->o.uri = keep(ls, 0, o->uri);
    ls->o.base = keep(ls, 1, o->base);
    ls->o.bind_dn = keep(ls, 2, o->bind_dn);
    ls->o.bind_password_file = keep(ls, 3, o->bind_password_file);
    ls->o.admin_dn = keep(ls, 4, o->admin_dn);
    ls->o.admin_password_file = keep(ls, 5, o->admin_password_file);
    ls->o.ca_file = keep(ls, 6, o->ca_file);
    if (ls->o.timeout_ms == 0)
        ls->o.timeout_ms = 5000;
    snprintf(ls->path, sizeof(ls->path), "%s", opts->path);
    ls->hook = opts->commit_hook;
    ls->hook_arg = opts->hook_arg;
    *ctx = ls;
    return 0;
}

static void ldap_close(void *ctx)
{
    struct pl_store *ls = ctx;

    if (ls == NULL)
        return;
    pl_disconnect(ls);
    pwr_free_secret(ls->newpw);
    pwr_free_secret(ls->proof);
    pl_seen_flush(ls);
    pl_seen_free(ls);
    pl_known_free(ls);
    sodium_memzero(ls, sizeof(*ls));
    free(ls);
}

/* ---- reading ---------------------------------------------------------- */

/* login's entry (enrolled only, or any posixAccount): 1, 0 none, -1. */
static int fetch(struct pl_store *ls, const char *login, int enrolled_only,
                 struct pl_entry *e, struct pwr_err *err)
{
    char filter[PWR_LOGIN_MAX * 3 + 64];
    LDAPMessage *res = NULL, *msg;
    int rc, n;

    memset(e, 0, sizeof(*e));
    snprintf(e->login, sizeof(e->login), "%s", login);
    if (pl_filter(login, enrolled_only, filter, sizeof(filter)) < 0)
        return 0;
    if (pl_connect(ls, err) < 0 || pl_arm(ls, ls->ld, err) < 0)
        return -1;
    rc = ldap_search_ext_s(ls->ld, ls->o.base, LDAP_SCOPE_SUBTREE, filter,
                           pl_attrs, 0, NULL, NULL, NULL, 2, &res);
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
        ldap_msgfree(res);
        if (pl_unreachable(rc))
            pl_disconnect(ls);
        return pl_fail(ls, rc, "search", err);
    }
    n = ldap_count_entries(ls->ld, res);
    msg = ldap_first_entry(ls->ld, res);
    rc = n == 0 ? 0 : 1;
    if (n > 1)
        rc = pwr_fail(err, PWR_E_STORE, "directory %s: more than one entry "
                      "has uid=%s", ls->o.uri, login);
    else if (n == 1 && pl_from_entry(ls->ld, msg, e, err) < 0)
        rc = -1;
    ldap_msgfree(res);
    return rc;
}

static int ldap_lookup(void *ctx, const char *login, struct pwr_record *out,
                       struct pwr_err *err)
{
    struct pl_store *ls = ctx;
    struct pl_entry e;
    int rc;

    if (!pwr_login_valid(login) || is_root(login))
        return 0;
    pl_begin(ls);
    rc = fetch(ls, login, 1, &e, err);
    if (rc < 0 && err->code == PWR_E_UNAVAIL && pl_outside(ls, login))
        rc = 0;
    if (rc == 1) {
        *out = e.old;
        pl_mark_seen(ls, login);
        pl_seen_flush(ls);
        pl_remember(ls, &e, 1);
    }
    entry_free(&e);
    return rc;
}

struct visit {
    struct pl_store *ls;
    pwr_store_visit_fn fn;
    void *arg;
};

static int visit_entry(LDAP *ld, LDAPMessage *msg, void *arg,
                       struct pwr_err *err)
{
    struct visit *v = arg;
    struct pl_entry e;
    int rc;

    memset(&e, 0, sizeof(e));
    rc = pl_from_entry(ld, msg, &e, err);
    if (rc == 0) {
        pl_mark_seen(v->ls, e.login);
        rc = v->fn(&e.old, v->arg, err);
    }
    entry_free(&e);
    return rc;
}

static int ldap_foreach(void *ctx, pwr_store_visit_fn fn, void *arg,
                        struct pwr_err *err)
{
    struct visit v = { ctx, fn, arg };
    int rc = pl_search_all(ctx, "(objectClass=pwresetAccount)", NULL,
                           visit_entry, &v, err);

    pl_seen_flush(ctx);
    return rc;
}

static void ldap_set_proof(void *ctx, const char *login, const char *password)
{
    struct pl_store *ls = ctx;

    pwr_free_secret(ls->proof);
    ls->proof_login[0] = '\0';
    ls->proof = pwr_login_valid(login) ? strdup(password) : NULL;
    if (ls->proof == NULL)
        return;
    snprintf(ls->proof_login, sizeof(ls->proof_login), "%s", login);
}

static void ldap_set_new_password(void *ctx, const char *login,
                                  const char *password)
{
    struct pl_store *ls = ctx;

    pwr_free_secret(ls->newpw);
    ls->newpw_login[0] = '\0';
    /* out of memory: the write sends the hash, without the directory's
     * own checks */
    ls->newpw = ls->o.password_policy && pwr_login_valid(login)
                    ? strdup(password)
                    : NULL;
    if (ls->newpw == NULL)
        return;
    snprintf(ls->newpw_login, sizeof(ls->newpw_login), "%s", login);
}

static const char *ldap_violation(void *ctx)
{
    return ((struct pl_store *)ctx)->violation;
}

static const char *ldap_version(void *ctx, const char *login)
{
    const struct pl_known *k = pl_known_of(ctx, login);

    return k != NULL && k->csn[0] != '\0' ? k->csn : NULL;
}

/* ---- transactions ----------------------------------------------------- */

static const char *txn_key(const void *arg, size_t pos)
{
    return ((const struct ltxn *)arg)->e[pos].login;
}

static struct pl_entry *txn_find(struct ltxn *t, const char *login)
{
    size_t i = pl_index_find(&t->ix, login, txn_key, t);

    return i == PL_NOT_FOUND ? NULL : &t->e[i];
}

/* The slot txn_slot gave is now t->e[t->n]: count it, index it. */
static int txn_keep(struct ltxn *t, struct pwr_err *err)
{
    if (pl_index_add(&t->ix, t->n, txn_key, t) < 0)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    t->n++;
    return 0;
}

static struct pl_entry *txn_slot(struct ltxn *t, struct pwr_err *err)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        struct pl_entry *ne = realloc(t->e, cap * sizeof(*ne));

        if (ne == NULL)
            return pwr_fail(err, PWR_E_INTERNAL, "out of memory"), NULL;
        t->e = ne;
        t->cap = cap;
    }
    return &t->e[t->n];
}

/* login's entry in the transaction, read on first use; NULL on error. */
static struct pl_entry *txn_entry(struct ltxn *t, const char *login,
                                  struct pwr_err *err)
{
    struct pl_entry *e = txn_find(t, login), *slot;

    if (e != NULL)
        return e;
    slot = txn_slot(t, err);
    if (slot == NULL)
        return NULL;
    pl_begin(t->ls); /* each read of a (bulk) transaction: ldap_timeout */
    if (fetch(t->ls, login, 0, slot, err) < 0 || txn_keep(t, err) < 0) {
        entry_free(slot);
        return NULL;
    }
    return slot;
}

static int ltxn_get(struct pwr_txn *base, const char *login,
                    struct pwr_record *out, struct pwr_err *err)
{
    struct ltxn *t = (struct ltxn *)base;
    struct pl_entry *e;

    if (!pwr_login_valid(login) || pl_is_root(t->ls, login))
        return 0;
    e = txn_entry(t, login, err);
    if (e == NULL)
        return -1;
    if (e->dn == NULL || (!e->enrolled && !e->dirty) || e->removed)
        return 0;
    *out = e->cur;
    return 1;
}

static int ltxn_put(struct pwr_txn *base, const struct pwr_record *rec,
                    struct pwr_err *err)
{
    struct ltxn *t = (struct ltxn *)base;
    struct pl_entry *e;

    if (!pwr_login_valid(rec->login) || pl_is_root(t->ls, rec->login))
        return pwr_fail(err, PWR_E_USAGE, "'%s' cannot be kept in the "
                        "directory", rec->login);
    e = txn_entry(t, rec->login, err);
    if (e == NULL)
        return -1;
    if (e->dn == NULL)
        return pwr_fail(err, PWR_E_NOENT, "no posixAccount entry with "
                        "uid=%s under %s", rec->login, t->ls->o.base);
    e->cur = *rec;
    e->dirty = 1;
    e->removed = 0;
    e->clear = NULL;
    if (t->ls->o.password_policy && t->ls->newpw != NULL &&
        strcmp(t->ls->newpw_login, rec->login) == 0) {
        /* A password in clear crosses no network unprotected. */
        if (!pl_private_channel(t->ls))
            return pwr_fail(err, PWR_E_CONFIG, "ldap_password_policy = yes "
                            "sends new passwords to the directory as typed: "
                            "ldap_uri %s needs ldaps://, ldapi://, this host, "
                            "or ldap_starttls = yes", t->ls->o.uri);
        e->clear = t->ls->newpw;
    }
    return 0;
}

static int ltxn_remove(struct pwr_txn *base, const char *login,
                       struct pwr_err *err)
{
    struct ltxn *t = (struct ltxn *)base;
    struct pl_entry *e;

    if (!pwr_login_valid(login))
        return 0;
    e = txn_entry(t, login, err);
    if (e == NULL)
        return -1;
    if (e->dn == NULL || !e->enrolled || e->removed)
        return 0;
    e->removed = 1;
    e->dirty = 1;
    return 1;
}

struct tvisit {
    struct ltxn *t;
    pwr_txn_visit_fn fn;
    void *arg;
};

static int tvisit_entry(LDAP *ld, LDAPMessage *msg, void *arg,
                        struct pwr_err *err)
{
    struct tvisit *v = arg;
    struct pl_entry e, *slot;
    struct pwr_record rec;
    int rc;

    memset(&e, 0, sizeof(e));
    if (pl_from_entry(ld, msg, &e, err) < 0) {
        entry_free(&e);
        return -1;
    }
    slot = txn_find(v->t, e.login);
    if (slot == NULL) {
        slot = txn_slot(v->t, err);
        if (slot == NULL) {
            entry_free(&e);
            return -1;
        }
        *slot = e;
        if (txn_keep(v->t, err) < 0) {
            entry_free(slot);
            return -1;
        }
    } else {
        entry_free(&e);
    }
    if (slot->removed)
        return 0;
    rec = slot->cur;
    rc = v->fn(&v->t->base, &rec, v->arg, err);
    pwr_record_wipe(&rec);
    return rc;
}

static int ltxn_foreach(struct pwr_txn *base, pwr_txn_visit_fn fn, void *arg,
                        struct pwr_err *err)
{
    struct ltxn *t = (struct ltxn *)base;
    struct tvisit v = { t, fn, arg };

    return pl_search_all(t->ls, "(objectClass=pwresetAccount)", NULL,
                         tvisit_entry, &v, err);
}

static const struct pwr_txn_ops pl_txn_ops = {
    .get = ltxn_get,
    .put = ltxn_put,
    .remove = ltxn_remove,
    .foreach = ltxn_foreach,
};

/* This host's writers commit one at a time, as with the file store: the
 * commit hook (the helper's audit intent) relies on it.  Other hosts are
 * kept apart by the assertions.  A private lock file beside the store
 * path. */
static int local_lock(const struct pl_store *ls, int *fd, struct pwr_err *err)
{
    char path[PWR_PATH_MAX + 8];
    struct stat st;

    snprintf(path, sizeof(path), "%s.lock", ls->path);
    *fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (*fd < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s", path);
    if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        close(*fd);
        return pwr_fail(err, PWR_E_STORE, "%s: not a private lock file of "
                        "this user", path);
    }
    if (flock(*fd, LOCK_EX) < 0) {
        close(*fd);
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s", path);
    }
    return 0;
}

/* Commit what the callback changed: 0, 1 to run it again, -1. */
static int commit(struct pl_store *ls, struct ltxn *t, struct pwr_err *err)
{
    static const struct pwr_store_id none = { 0, 0 };
    size_t dirty = 0;
    int rc, fd;

    for (size_t i = 0; i < t->n; i++)
        dirty += t->e[i].dirty;
    if (dirty == 0)
        return 0;
    if (local_lock(ls, &fd, err) < 0)
        return -1;
    if (ls->hook != NULL &&
        ls->hook(ls->hook_arg, PWR_COMMIT_BEFORE, &none, &none, err) < 0) {
        close(fd);
        return -1;
    }
    rc = pl_write(ls, t->e, t->n, err);
    if (ls->hook != NULL)
        (void)ls->hook(ls->hook_arg, rc == 0 ? PWR_COMMIT_DONE
                                             : PWR_COMMIT_FAILED,
                       &none, &none, err);
    close(fd);
    for (size_t i = 0; rc == 0 && i < t->n; i++)
        if (t->e[i].dirty && !t->e[i].removed)
            pl_mark_seen(ls, t->e[i].login);
    pl_seen_flush(ls);
    return rc;
}

static void backoff(unsigned attempt)
{
    struct timespec ts;
    unsigned ms = 1 + randombytes_uniform(5 + 2 * (attempt < 25 ? attempt : 25));

    ts.tv_sec = 0;
    ts.tv_nsec = (long)ms * 1000000L;
    nanosleep(&ts, NULL);
}

static int ldap_transact(void *ctx, pwr_txn_fn fn, void *arg,
                         struct pwr_err *err)
{
    struct pl_store *ls = ctx;

    for (unsigned attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
        struct ltxn t = { .base = { &pl_txn_ops }, .ls = ls };
        int rc;

        pl_begin(ls);
        pwr_err_clear(err);
        rc = pl_connect(ls, err);
        if (rc == 0) {
            rc = fn(&t.base, arg, err);
            if (rc != 0 && err->code == PWR_OK)
                pwr_fail(err, PWR_E_INTERNAL, "transaction aborted");
        }
        if (rc == 0)
            rc = commit(ls, &t, err);
        for (size_t i = 0; i < t.n; i++)
            entry_free(&t.e[i]);
        free(t.e);
        pl_index_free(&t.ix);
        if (rc < 0 && err->code == PWR_E_UNAVAIL)
            pl_disconnect(ls);
        if (rc != 1)
            return rc < 0 ? -1 : 0;
        backoff(attempt);
    }
    return pwr_fail(err, PWR_E_BUSY, "directory %s: the entries kept "
                    "changing under this transaction; nothing was written",
                    ls->o.uri);
}

const struct pwr_store_backend pwr_store_ldap_backend = {
    .name = "ldap",
    .open = ldap_open,
    .close = ldap_close,
    .lookup = ldap_lookup,
    .foreach = ldap_foreach,
    .transact = ldap_transact,
    .version = ldap_version,
    .check_password = pl_check_password,
    .set_proof = ldap_set_proof,
    .set_new_password = ldap_set_new_password,
    .violation = ldap_violation,
};
