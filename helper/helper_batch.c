/* helper_batch.c - the targets of an admin op (users, a group, or all) and
 * the one store transaction that changes them (bulk actions are one
 * atomic write).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Named accounts are checked before the transaction (permission, login
 * syntax); inside it, a named account missing from the store fails the
 * whole op and nothing is written.  Accounts reached through a group or
 * "all" that the op cannot touch are skipped with a note instead.
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"
#include "pwr_util.h"

/* Append login (duplicates are removed once all are in: targets_dedupe). */
static int targets_add(struct hx_targets *t, size_t *cap, const char *login,
                       struct pwr_err *err)
{
    if (t->n == *cap) {
        size_t ncap = *cap == 0 ? 16 : *cap * 2;
        void *nl = realloc(t->logins, ncap * sizeof(*t->logins));

        if (nl == NULL)
            return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
        t->logins = nl;
        *cap = ncap;
    }
    if (pwr_strlcpy(t->logins[t->n], login, sizeof(t->logins[0])) < 0)
        return pwr_fail(err, PWR_E_USAGE, "invalid login name");
    t->n++;
    return 0;
}

static const struct hx_targets *sort_targets; /* qsort has no argument */

static int by_login(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(sort_targets->logins[x], sort_targets->logins[y]);

    return c != 0 ? c : (x > y) - (x < y);
}

/* Keep the first of every login, in the order given: O(n log n), for
 * requests that name 100,000 accounts. */
static int targets_dedupe(struct hx_targets *t, struct pwr_err *err)
{
    size_t *idx, i, k = 0;
    unsigned char *dup;

    if (t->n < 2)
        return 0;
    idx = malloc(t->n * sizeof(*idx));
    dup = calloc(t->n, 1);
    if (idx == NULL || dup == NULL) {
        free(idx);
        free(dup);
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    }
    for (i = 0; i < t->n; i++)
        idx[i] = i;
    sort_targets = t;
    qsort(idx, t->n, sizeof(*idx), by_login);
    for (i = 1; i < t->n; i++)
        if (strcmp(t->logins[idx[i]], t->logins[idx[i - 1]]) == 0)
            dup[idx[i]] = 1;
    for (i = 0; i < t->n; i++)
        if (!dup[i] && k++ != i)
            memcpy(t->logins[k - 1], t->logins[i], sizeof(t->logins[0]));
    t->n = k;
    free(idx);
    free(dup);
    return 0;
}

/* A group's members: those it lists, and accounts whose primary group it
 * is. */
static int group_members(struct hx_targets *t, const char *group,
                         struct pwr_err *err)
{
    struct group *gr = getgrnam(group);
    struct passwd *pw;
    size_t cap = 0, i;
    gid_t gid;
    int rc = 0;

    if (gr == NULL)
        return pwr_fail(err, PWR_E_NOENT, "no such group '%s'", group);
    gid = gr->gr_gid;
    for (i = 0; gr->gr_mem != NULL && gr->gr_mem[i] != NULL && rc == 0; i++)
        if (pwr_login_valid(gr->gr_mem[i]))
            rc = targets_add(t, &cap, gr->gr_mem[i], err);
    setpwent();
    while (rc == 0 && (pw = getpwent()) != NULL)
        if (pw->pw_gid == gid && pwr_login_valid(pw->pw_name))
            rc = targets_add(t, &cap, pw->pw_name, err);
    endpwent();
    return rc;
}

static int named_users(struct hx *hx, struct hx_targets *t,
                       struct pwr_err *err)
{
    const struct pwr_msg *req = hx->req;
    size_t i, cap = 0;

    for (i = 0; i < req->n; i++) {
        const char *u = req->fields[i].value;

        if (strcmp(req->fields[i].key, "user") != 0)
            continue;
        if (hx_may_manage(hx, u, err) < 0 || targets_add(t, &cap, u, err) < 0)
            return -1;
    }
    return targets_dedupe(t, err);
}

int hx_targets_read(struct hx *hx, int allow_bulk, struct hx_targets *t,
                    struct pwr_err *err)
{
    const char *group = pwr_msg_get(hx->req, "group");
    int all = 0, forms;
    size_t nusers = pwr_msg_count(hx->req, "user");

    memset(t, 0, sizeof(*t));
    if (hx_req_flag(hx, "all", 0, &all, err) < 0)
        return -1;
    forms = (nusers > 0) + (group != NULL) + all;
    if (forms != 1 || (!allow_bulk && nusers == 0))
        return pwr_fail(err, PWR_E_USAGE, allow_bulk
                        ? "name accounts, or one group, or all"
                        : "name at least one account");
    if (group != NULL) {
        t->kind = HX_T_GROUP;
        if (!pwr_login_valid(group) ||
            pwr_strlcpy(t->group, group, sizeof(t->group)) < 0)
            return pwr_fail(err, PWR_E_USAGE, "invalid group name");
        return group_members(t, group, err) < 0 ? -1
                                                : targets_dedupe(t, err);
    }
    if (all) {
        t->kind = HX_T_ALL;
        return 0;
    }
    t->kind = HX_T_USERS;
    return named_users(hx, t, err);
}

void hx_targets_free(struct hx_targets *t)
{
    free(t->logins);
    memset(t, 0, sizeof(*t));
}

/* ---- the transaction ---------------------------------------------------- */

struct batch_ctx {
    struct hx *hx;
    const struct hx_targets *t;
    hx_acct_fn fn;
    void *arg;
    int dry_run;
    struct hx_batch *b;
};

static struct hx_acct *batch_add(struct hx_batch *b, const char *login,
                                 struct pwr_err *err)
{
    struct hx_acct *a;

    if (b->n == b->cap) {
        size_t ncap = b->cap == 0 ? 16 : b->cap * 2;
        struct hx_acct *na = realloc(b->a, ncap * sizeof(*na));

        if (na == NULL) {
            pwr_fail(err, PWR_E_INTERNAL, "out of memory");
            return NULL;
        }
        b->a = na;
        b->cap = ncap;
    }
    a = &b->a[b->n++];
    memset(a, 0, sizeof(*a));
    (void)pwr_strlcpy(a->login, login, sizeof(a->login));
    a->outcome = "unchanged";
    return a;
}

int hx_acct_secret(struct hx_acct *a, struct pwr_err *err)
{
    if (a->secret == NULL && (a->secret = calloc(1, PWR_SECRET_MAX)) == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    return 0;
}

const char *hx_status_note(const char *prefix, enum pwr_status st)
{
#define NOTES(p)                                                             \
    { p " active", p " pending", p " blocked", p " inactive", p " deleted" }
    static const char *const is[] = NOTES("account is");
    static const char *const already[] = NOTES("already");
    static const char *const now[] = NOTES("now");
#undef NOTES
    const char *const *t = strcmp(prefix, "already") == 0 ? already
                           : strcmp(prefix, "now") == 0   ? now
                                                          : is;

    return (size_t)st < PWR_ARRAY_SIZE(is) ? t[st] : "status unknown";
}

struct hx_acct *hx_batch_add(struct hx_batch *b, const char *login,
                             struct pwr_err *err)
{
    return batch_add(b, login, err);
}

static int visit(struct batch_ctx *c, struct pwr_txn *txn,
                 struct pwr_record *rec, int explicit_target,
                 struct pwr_err *err)
{
    struct hx_acct *a = batch_add(c->b, rec->login, err);
    int r;

    if (a == NULL)
        return -1;
    a->old_status = rec->status;
    a->old_flags = rec->flags;
    if (!explicit_target && !c->hx->is_root &&
        hx_protected(c->hx, rec->login)) {
        a->outcome = "skipped";
        a->note = "protected account";
        return 0;
    }
    r = c->fn(c->hx, rec, a, explicit_target, c->arg, err);
    if (r <= 0)
        return r;
    if (c->dry_run) {
        a->outcome = "would_change";
        return 0;
    }
    return pwr_txn_put(txn, rec, err);
}

static int visit_all(struct pwr_txn *txn, const struct pwr_record *rec,
                     void *arg, struct pwr_err *err)
{
    struct pwr_record copy = *rec;
    int rc = visit(arg, txn, &copy, 0, err);

    pwr_record_wipe(&copy);
    return rc;
}

static int visit_named(struct batch_ctx *c, struct pwr_txn *txn,
                       const char *login, int explicit_target,
                       struct pwr_err *err)
{
    struct pwr_record rec;
    int found = pwr_txn_get(txn, login, &rec, err), rc;

    if (found < 0)
        return -1;
    if (found == 0) {
        if (!explicit_target)
            return 0;
        return pwr_fail(err, PWR_E_NOENT,
                        "'%s' is not managed by pwreset (not in the store; "
                        "see pwreset enrol)", login);
    }
    rc = visit(c, txn, &rec, explicit_target, err);
    pwr_record_wipe(&rec);
    return rc;
}

static void batch_reset(struct hx_batch *b)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        if (b->a[i].secret != NULL) {
            pwr_wipe(b->a[i].secret, PWR_SECRET_MAX);
            free(b->a[i].secret);
            b->a[i].secret = NULL;
        }
    }
    b->n = 0;
}

static int batch_txn(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct batch_ctx *c = arg;
    size_t i;

    batch_reset(c->b);
    if (c->t->kind == HX_T_ALL)
        return pwr_txn_foreach(txn, visit_all, c, err);
    for (i = 0; i < c->t->n; i++)
        if (visit_named(c, txn, c->t->logins[i], c->t->kind == HX_T_USERS,
                        err) < 0)
            return -1;
    return 0;
}

int hx_batch_run(struct hx *hx, const struct hx_targets *t, hx_acct_fn fn,
                 void *arg, int dry_run, struct hx_batch *b,
                 struct pwr_err *err)
{
    struct batch_ctx c = { hx, t, fn, arg, dry_run, b };

    if (hx_open_store(hx, 0, err) < 0)
        return -1;
    if (!dry_run && hx_lift_fsize(err) < 0)
        return -1;
    if (pwr_store_transact(hx->store, batch_txn, &c, err) < 0) {
        batch_reset(b);
        return -1;
    }
    return 0;
}

void hx_batch_free(struct hx_batch *b)
{
    batch_reset(b);
    free(b->a);
    memset(b, 0, sizeof(*b));
}

size_t hx_batch_changed(const struct hx_batch *b)
{
    size_t i, n = 0;

    for (i = 0; i < b->n; i++)
        if (strcmp(b->a[i].outcome, "changed") == 0 ||
            strcmp(b->a[i].outcome, "would_change") == 0)
            n++;
    return n;
}

static int acct_reply(struct hx *hx, const struct hx_acct *a,
                      struct pwr_err *err)
{
    if (hx_out(hx, "user", a->login, err) < 0 ||
        hx_out(hx, "outcome", a->outcome, err) < 0 ||
        (a->note != NULL && hx_out(hx, "note", a->note, err) < 0))
        return -1;
    if (a->secret == NULL || a->secret[0] == '\0')
        return 0;
    if (hx_out(hx, "code", a->secret, err) < 0 ||
        hx_outf(hx, "expires", err, "%lld", (long long)a->expires) < 0)
        return -1;
    return 0;
}

int hx_batch_reply(struct hx *hx, const struct hx_batch *b,
                   struct pwr_err *err)
{
    size_t i;

    if (hx_outf(hx, "count", err, "%zu", hx_batch_changed(b)) < 0)
        return -1;
    for (i = 0; i < b->n; i++) {
        size_t mark = hx_out_mark(hx);

        if (acct_reply(hx, &b->a[i], err) < 0)
            return -1;
        hx_out_group_end(hx, mark);
    }
    return 0;
}
