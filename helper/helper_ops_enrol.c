/* helper_ops_enrol.c - bring system accounts into the store: enrol (an
 * active record without a password yet, or a pending record with a
 * setup code) and import (carry the existing hash over from
 * /etc/shadow so users keep their passwords).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Both are one transaction.  enrol refuses the whole request if any named
 * account is not a system user or already in the store.  import without
 * names never takes uid 0: root is managed only when named; a named account
 * import would skip (deleted, no usable hash) fails the whole request.
 * import keeps the shadow last-change date as the record's "changed", so
 * aging and status go on from it.  import reads the fixed path
 * /etc/shadow (a "shadow" path in the request is honoured only when a
 * "config" path would be, see helper_main.c).  A hash whose method reads
 * only a prefix of the password (descrypt: 8 bytes, bcrypt: 72) is
 * carried over with must_change set, and the output says so: login
 * refuses longer typed passwords (pwr_hash.c), so its user logs in with
 * what the method read and must choose a new password.
 */
#include "config.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "pwr_hash.h"
#include "pwr_secret.h"
#include "pwr_util.h"

#define SHADOW_PATH "/etc/shadow"
#define SHADOW_MAX (64u << 20)

/* ---- the account database, read once for many names ------------------- */

struct pw_entry {
    char login[PWR_LOGIN_MAX + 1];
    uid_t uid;
};

/* Sorted by login; n 0 when not loaded (few names: getpwnam each). */
struct pw_index {
    struct pw_entry *e;
    size_t n;
};

#define PW_INDEX_FROM 32 /* names: fewer are looked up one by one */

static int pw_cmp(const void *a, const void *b)
{
    return strcmp(((const struct pw_entry *)a)->login,
                  ((const struct pw_entry *)b)->login);
}

/* One pass over the account database instead of one getpwnam (a scan of
 * /etc/passwd with NSS files) per account: import of 100,000 accounts was
 * quadratic. */
static int pw_index_load(struct pw_index *ix, struct pwr_err *err)
{
    struct passwd *pw;
    size_t cap = 0;
    int rc = 0;

    setpwent();
    while (rc == 0 && (pw = getpwent()) != NULL) {
        if (!pwr_login_valid(pw->pw_name))
            continue;
        if (ix->n == cap) {
            size_t ncap = cap == 0 ? 1024 : cap * 2;
            void *ne = realloc(ix->e, ncap * sizeof(*ix->e));

            if (ne == NULL) {
                rc = pwr_fail(err, PWR_E_INTERNAL, "out of memory");
                break;
            }
            ix->e = ne;
            cap = ncap;
        }
        (void)pwr_strlcpy(ix->e[ix->n].login, pw->pw_name,
                          sizeof(ix->e[0].login));
        ix->e[ix->n++].uid = pw->pw_uid;
    }
    endpwent();
    if (ix->n > 1)
        qsort(ix->e, ix->n, sizeof(*ix->e), pw_cmp);
    return rc;
}

static void pw_index_free(struct pw_index *ix)
{
    free(ix->e);
    memset(ix, 0, sizeof(*ix));
}

/* 1 if login is a system user (*uid set), 0 if not.  The index is only a
 * cache of what enumeration returns (a directory service may not
 * enumerate): a name it lacks is still asked for. */
static int pw_lookup(const struct pw_index *ix, const char *login, uid_t *uid)
{
    struct pw_entry key, *hit = NULL;
    struct passwd *pw;

    memset(&key, 0, sizeof(key));
    if (ix->n > 0 && pwr_strlcpy(key.login, login, sizeof(key.login)) == 0)
        hit = bsearch(&key, ix->e, ix->n, sizeof(*ix->e), pw_cmp);
    if (hit != NULL) {
        *uid = hit->uid;
        return 1;
    }
    pw = getpwnam(login);
    if (pw == NULL)
        return 0;
    *uid = pw->pw_uid;
    return 1;
}

struct enrol {
    struct hx *hx;
    const struct hx_targets *t;
    int pending;
    int64_t ttl;
    struct hx_batch *b;
};

static int enrol_one(struct enrol *e, struct pwr_txn *txn, const char *login,
                     struct pwr_err *err)
{
    struct pwr_record rec;
    struct hx_acct *a;
    int found = pwr_txn_get(txn, login, &rec, err), rc = 0;

    if (found != 0) {
        int tomb = found > 0 && rec.status == PWR_ST_DELETED;

        pwr_record_wipe(&rec);
        if (found < 0)
            return -1;
        return pwr_fail(err, PWR_E_EXISTS, "'%s' is already in the store%s",
                        login, tomb ? " (deleted: its tombstone stays)" : "");
    }
    a = hx_batch_add(e->b, login, err);
    if (a == NULL)
        return -1;
    pwr_record_init(&rec, login);
    rec.status = e->pending ? PWR_ST_PENDING : PWR_ST_ACTIVE;
    rec.created = rec.status_changed = e->hx->now;
    if (e->pending) {
        rc = hx_acct_secret(a, err);
        if (rc == 0)
            rc = pwr_secret_code(a->secret, err);
        if (rc == 0)
            rc = pwr_code_hash(a->secret, rec.code_hash, err);
        rec.code_expires = a->expires = e->hx->now + e->ttl;
    }
    a->outcome = "changed";
    a->note = e->pending ? "enrolled, pending" : "enrolled, no password yet";
    if (rc == 0)
        rc = pwr_txn_put(txn, &rec, err);
    pwr_record_wipe(&rec);
    return rc;
}

static int enrol_txn(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct enrol *e = arg;
    size_t i;

    e->b->n = 0;
    for (i = 0; i < e->t->n; i++)
        if (enrol_one(e, txn, e->t->logins[i], err) < 0)
            return -1;
    return 0;
}

static int check_system_users(const struct hx_targets *t, struct pwr_err *err)
{
    struct pw_index ix = { NULL, 0 };
    size_t i;
    uid_t uid;
    int rc = t->n >= PW_INDEX_FROM ? pw_index_load(&ix, err) : 0;

    for (i = 0; i < t->n && rc == 0; i++)
        if (!pw_lookup(&ix, t->logins[i], &uid))
            rc = pwr_fail(err, PWR_E_NOENT, "no such user '%s'",
                          t->logins[i]);
    pw_index_free(&ix);
    return rc;
}

static void audit_enrolled(struct hx *hx, const struct hx_batch *b,
                           const char *detail)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        struct pwr_audit a;
        const char *detail_of = detail;
        char when[32];

        if (strcmp(b->a[i].outcome, "changed") != 0)
            continue;
        hx_audit_begin(hx, &a, "account_enrolled", b->a[i].login);
        if (detail == NULL)
            detail_of = b->a[i].note != NULL &&
                        strncmp(b->a[i].note, "refreshed", 9) == 0
                            ? "refreshed" : "imported";
        pwr_audit_add(&a, "detail", detail_of);
        if (b->a[i].expires != 0) {
            pwr_format_iso(b->a[i].expires, when, sizeof(when));
            pwr_audit_add(&a, "expires", when);
        }
        hx_audit_queue(hx, &a, 0);
    }
    hx_audit_flush(hx);
}

int hx_op_enrol(struct hx *hx, struct pwr_err *err)
{
    struct hx_targets t;
    struct hx_batch b = { NULL, 0, 0 };
    struct enrol e = { hx, &t, 0, 0, &b };
    int rc;

    if (hx_req_flag(hx, "pending", 0, &e.pending, err) < 0 ||
        hx_req_duration(hx, "ttl", PWR_TTL_CODE, HX_DEFAULT_SETUP_TTL, &e.ttl, err) < 0)
        return -1;
    if (!e.pending && pwr_msg_get(hx->req, "ttl") != NULL)
        return pwr_fail(err, PWR_E_USAGE, "a ttl applies to --pending only");
    if (e.pending && hx_policy_ready(hx, err) < 0)
        return -1;
    if (hx_targets_read(hx, 0, &t, err) < 0)
        return -1;
    rc = check_system_users(&t, err);
    if (rc == 0)
        rc = hx_open_store(hx, 1, err);
    if (rc == 0)
        rc = hx_lift_fsize(err);
    if (rc == 0)
        rc = pwr_store_transact(hx->store, enrol_txn, &e, err);
    if (rc == 0) {
        audit_enrolled(hx, &b, e.pending ? "pending" : "active");
        rc = hx_batch_reply(hx, &b, err);
        hx_set_message(hx, "%zu account(s) enrolled", b.n);
    }
    hx_batch_free(&b);
    hx_targets_free(&t);
    return rc;
}

/* ---- import ----------------------------------------------------------- */

struct shadow_entry {
    char login[PWR_LOGIN_MAX + 1];
    char hash[PWR_HASH_MAX];
    size_t line; /* the first of two lines for one login wins */
    long long lastchg; /* days since 1970; 0 change at next login; -1 none */
};

/* The third field: a number of days, or -1 (empty or not a number). */
static long long shadow_days(const char *s)
{
    char *end;
    long long v;

    if (*s < '0' || *s > '9')
        return -1;
    v = strtoll(s, &end, 10);
    return (*end == ':' || *end == '\0') && v < 1000000 ? v : -1;
}

struct shadow {
    struct shadow_entry *e;
    size_t n;
};

static void shadow_free(struct shadow *s)
{
    if (s->e != NULL)
        pwr_wipe(s->e, s->n * sizeof(*s->e));
    free(s->e);
    memset(s, 0, sizeof(*s));
}

static int shadow_cmp(const void *a, const void *b)
{
    const struct shadow_entry *x = a, *y = b;
    int c = strcmp(x->login, y->login);

    return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* "login:hash:..." lines; lines whose fields do not fit are left out.
 * Sorted by login (then line), so a login is found by binary search. */
static int shadow_parse(char *buf, size_t len, struct shadow *s,
                        struct pwr_err *err)
{
    size_t lines = 1, i;
    char *line, *save = NULL;

    for (i = 0; i < len; i++)
        lines += buf[i] == '\n';
    s->e = calloc(lines, sizeof(*s->e));
    if (s->e == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    for (line = strtok_r(buf, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':'), *c2;

        if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL)
            continue;
        *c1 = *c2 = '\0';
        if (!pwr_login_valid(line) ||
            pwr_strlcpy(s->e[s->n].login, line, sizeof(s->e[0].login)) < 0 ||
            pwr_strlcpy(s->e[s->n].hash, c1 + 1, sizeof(s->e[0].hash)) < 0)
            continue;
        s->e[s->n].line = s->n;
        s->e[s->n].lastchg = shadow_days(c2 + 1);
        s->n++;
    }
    if (s->n > 1)
        qsort(s->e, s->n, sizeof(*s->e), shadow_cmp);
    return 0;
}

static int shadow_read(struct hx *hx, struct shadow *s, struct pwr_err *err)
{
    struct pwr_file_rules rules = { 1, 1, 0, 022, SHADOW_MAX };
    const char *path = pwr_msg_get(hx->req, "shadow");
    char *buf = NULL;
    size_t len = 0;
    int fd, rc;

    if (path != NULL && !hx->path_allowed)
        return hx_deny(hx, NULL, "caller_path", err,
                       "a shadow path is honoured only for root");
    if (path == NULL)
        path = SHADOW_PATH;
    fd = pwr_open_safely(path, O_RDONLY, 0, &rules, err);
    if (fd < 0)
        return -1;
    rc = pwr_read_fd(fd, SHADOW_MAX, &buf, &len, err);
    close(fd);
    if (rc == 0)
        rc = shadow_parse(buf, len, s, err);
    if (buf != NULL) {
        pwr_wipe(buf, len);
        free(buf);
    }
    return rc;
}

/* The first entry for login, or NULL. */
static const struct shadow_entry *shadow_find(const struct shadow *s,
                                              const char *login)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(s->e[mid].login, login) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && strcmp(s->e[lo].login, login) == 0 ? &s->e[lo]
                                                           : NULL;
}

struct import {
    struct hx *hx;
    const struct hx_targets *t; /* kind HX_T_ALL: every shadow entry */
    const struct shadow *sh;
    const struct pw_index *pw;
    struct hx_batch *b;
};

static void skip(struct hx_acct *a, const char *why)
{
    a->outcome = "skipped";
    a->note = why;
}

/* import without names takes every user with a usable hash not yet in the
 * store and not uid 0: the others were never its to take, so they are
 * "unchanged", not "skipped" (which makes the command's status non-zero). */
static void out_of_scope(struct hx_acct *a, const char *why)
{
    a->outcome = "unchanged";
    a->note = why;
}

/* A hash that reads only a prefix of a password: must_change, and why. */
static void flag_truncating(struct pwr_record *rec, struct hx_acct *a,
                            int refreshed)
{
    static const char *const notes[2][2] = {
        { "imported; must_change: descrypt reads only the first 8 bytes of "
          "a password",
          "imported; must_change: bcrypt reads only the first 72 bytes of "
          "a password" },
        { "refreshed from shadow; must_change: descrypt reads only the first "
          "8 bytes of a password",
          "refreshed from shadow; must_change: bcrypt reads only the first "
          "72 bytes of a password" },
    };
    size_t limit = pwr_hash_input_limit(rec->hash);

    if (limit == 0)
        return;
    rec->flags |= PWR_F_MUST_CHANGE;
    a->note = notes[refreshed != 0][limit != 8];
}

/* The shadow last-change date goes with the hash; 0 ("chage -d 0": change
 * at next login) becomes must_change. */
static void keep_lastchg(struct pwr_record *rec, const struct shadow_entry *se)
{
    if (se->lastchg > 0)
        rec->changed = (int64_t)se->lastchg * 86400;
    else if (se->lastchg == 0)
        rec->flags |= PWR_F_MUST_CHANGE;
}

/* Existing record: refresh the hash only when the account was named. */
static int import_existing(struct import *im, struct pwr_txn *txn,
                           struct pwr_record *rec,
                           const struct shadow_entry *se, struct hx_acct *a,
                           struct pwr_err *err)
{
    if (rec->status == PWR_ST_DELETED) {
        skip(a, "deleted");
        return 0;
    }
    if (im->t->kind == HX_T_ALL) {
        out_of_scope(a, "already in the store");
        return 0;
    }
    if (strcmp(rec->hash, se->hash) == 0) {
        a->note = "hash already current";
        return 0;
    }
    memcpy(rec->hash, se->hash, sizeof(rec->hash));
    keep_lastchg(rec, se);
    a->outcome = "changed";
    a->note = "refreshed from shadow";
    flag_truncating(rec, a, 1);
    return pwr_txn_put(txn, rec, err);
}

static int import_one(struct import *im, struct pwr_txn *txn,
                      const struct shadow_entry *se, struct hx_acct *a,
                      struct pwr_err *err)
{
    struct pwr_record rec;
    int found = pwr_txn_get(txn, se->login, &rec, err), rc = 0;

    if (found < 0)
        return -1;
    if (!pwr_hash_usable(se->hash) &&
        !(found && rec.status == PWR_ST_DELETED)) { /* say "deleted" first */
        (im->t->kind == HX_T_ALL ? out_of_scope : skip)(
            a, se->hash[0] == '\0' ? "empty password" : "locked or no password");
        pwr_record_wipe(&rec);
        return 0;
    }
    if (found) {
        rc = import_existing(im, txn, &rec, se, a, err);
    } else {
        pwr_record_init(&rec, se->login);
        memcpy(rec.hash, se->hash, sizeof(rec.hash));
        keep_lastchg(&rec, se);
        rec.created = rec.status_changed = im->hx->now;
        a->outcome = "changed";
        a->note = "imported";
        flag_truncating(&rec, a, 0);
        rc = pwr_txn_put(txn, &rec, err);
    }
    pwr_record_wipe(&rec);
    return rc;
}

static int import_visit(struct import *im, struct pwr_txn *txn,
                        const struct shadow_entry *se, struct pwr_err *err)
{
    const char *login = se->login;
    struct hx_acct *a = hx_batch_add(im->b, login, err);
    uid_t uid;

    if (a == NULL)
        return -1;
    if (im->t->kind == HX_T_ALL) {
        if (!pw_lookup(im->pw, login, &uid)) {
            skip(a, "not a system user");
            return 0;
        }
        /* A store problem must never lock root out by surprise. */
        if (uid == 0) {
            out_of_scope(a, "uid 0: name it to import it");
            return 0;
        }
        if (!im->hx->is_root && hx_protected(im->hx, login)) {
            skip(a, "protected account");
            return 0;
        }
    }
    return import_one(im, txn, se, a, err);
}

/* An account the caller named and import skips fails the whole
 * request (nothing written), saying why. */
static int named_skipped(const struct hx_batch *b, struct pwr_err *err)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        const char *note = b->a[i].note != NULL ? b->a[i].note : "skipped";

        if (strcmp(b->a[i].outcome, "skipped") != 0)
            continue;
        return pwr_fail(err, PWR_E_INELIGIBLE,
                        "'%s' not imported: %s%s; nothing was imported",
                        b->a[i].login, note,
                        strcmp(note, "deleted") == 0
                            ? " (root may run pwreset undelete or pwreset "
                              "purge)"
                            : "");
    }
    return 0;
}

static int import_txn(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct import *im = arg;
    size_t i;

    im->b->n = 0;
    if (im->t->kind == HX_T_ALL) {
        for (i = 0; i < im->sh->n; i++)
            if ((i == 0 || strcmp(im->sh->e[i].login,
                                  im->sh->e[i - 1].login) != 0) &&
                import_visit(im, txn, &im->sh->e[i], err) < 0)
                return -1;
        return 0;
    }
    for (i = 0; i < im->t->n; i++) {
        const struct shadow_entry *se = shadow_find(im->sh, im->t->logins[i]);

        if (se == NULL)
            return pwr_fail(err, PWR_E_NOENT, "'%s' is not in the shadow "
                            "file", im->t->logins[i]);
        if (import_visit(im, txn, se, err) < 0)
            return -1;
    }
    return named_skipped(im->b, err);
}

int hx_op_import(struct hx *hx, struct pwr_err *err)
{
    struct hx_targets t;
    struct shadow sh = { NULL, 0 };
    struct hx_batch b = { NULL, 0, 0 };
    struct pw_index pw = { NULL, 0 };
    struct import im = { hx, &t, &sh, &pw, &b };
    int rc;

    memset(&t, 0, sizeof(t));
    t.kind = HX_T_ALL;
    if (pwr_msg_get(hx->req, "user") != NULL &&
        hx_targets_read(hx, 0, &t, err) < 0)
        return -1;
    rc = t.kind == HX_T_USERS ? check_system_users(&t, err)
                              : pw_index_load(&pw, err);
    if (rc == 0)
        rc = shadow_read(hx, &sh, err);
    if (rc == 0)
        rc = hx_open_store(hx, 1, err);
    if (rc == 0)
        rc = hx_lift_fsize(err);
    if (rc == 0)
        rc = pwr_store_transact(hx->store, import_txn, &im, err);
    if (rc == 0) {
        audit_enrolled(hx, &b, NULL);
        rc = hx_batch_reply(hx, &b, err);
        hx_set_message(hx, "%zu account(s) imported or refreshed",
                       hx_batch_changed(&b));
    }
    hx_batch_free(&b);
    shadow_free(&sh);
    pw_index_free(&pw);
    hx_targets_free(&t);
    return rc;
}
