/* helper_ops_enrol.c - bring system accounts into the store: enrol (SPEC
 * F6, F17: an active record without a password yet, or a pending record
 * with a setup code) and import (F17: carry the existing hash over from
 * /etc/shadow so users keep their passwords).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Both are one transaction.  enrol refuses the whole request if any named
 * account is not a system user or already in the store.  import without
 * names never takes uid 0: root is managed only when named; a named account
 * import would skip (deleted, no usable hash) fails the whole request.
 * import keeps the shadow last-change date as the record's "changed" (issue
 * 14), so aging and status go on from it.  import reads the
 * fixed path /etc/shadow (a "shadow" path in the request is honoured only
 * when a "config" path would be, see helper_main.c).
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

#define HX_MAX_CODES 256
#define SHADOW_PATH "/etc/shadow"
#define SHADOW_MAX (64u << 20)

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
    size_t i;

    for (i = 0; i < t->n; i++)
        if (getpwnam(t->logins[i]) == NULL)
            return pwr_fail(err, PWR_E_NOENT, "no such user '%s'",
                            t->logins[i]);
    return 0;
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
            hx_format_iso(b->a[i].expires, when, sizeof(when));
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
        hx_req_duration(hx, "ttl", HX_DEFAULT_SETUP_TTL, &e.ttl, err) < 0)
        return -1;
    if (!e.pending && pwr_msg_get(hx->req, "ttl") != NULL)
        return pwr_fail(err, PWR_E_USAGE, "a ttl applies to --pending only");
    if (hx_targets_read(hx, 0, &t, err) < 0)
        return -1;
    rc = t.n > HX_MAX_CODES ? pwr_fail(err, PWR_E_USAGE,
                                       "at most %d accounts per request",
                                       HX_MAX_CODES)
                            : check_system_users(&t, err);
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

/* "login:hash:..." lines; lines whose fields do not fit are left out. */
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
        s->e[s->n].lastchg = shadow_days(c2 + 1);
        s->n++;
    }
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

static const struct shadow_entry *shadow_find(const struct shadow *s,
                                              const char *login)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (strcmp(s->e[i].login, login) == 0)
            return &s->e[i];
    return NULL;
}

struct import {
    struct hx *hx;
    const struct hx_targets *t; /* kind HX_T_ALL: every shadow entry */
    const struct shadow *sh;
    struct hx_batch *b;
};

static void skip(struct hx_acct *a, const char *why)
{
    a->outcome = "skipped";
    a->note = why;
}

/* The shadow last-change date goes with the hash (issue 14); 0 ("chage -d
 * 0": change at next login) becomes must_change. */
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
        skip(a, "already in the store");
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
        skip(a, se->hash[0] == '\0' ? "empty password"
                                     : "locked or no password");
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
        rc = pwr_txn_put(txn, &rec, err);
    }
    pwr_record_wipe(&rec);
    return rc;
}

static int import_visit(struct import *im, struct pwr_txn *txn,
                        const char *login, struct pwr_err *err)
{
    const struct shadow_entry *se = shadow_find(im->sh, login);
    struct hx_acct *a;

    if (se == NULL)
        return pwr_fail(err, PWR_E_NOENT, "'%s' is not in the shadow file",
                        login);
    a = hx_batch_add(im->b, login, err);
    if (a == NULL)
        return -1;
    if (im->t->kind == HX_T_ALL) {
        struct passwd *pw = getpwnam(login);

        if (pw == NULL) {
            skip(a, "not a system user");
            return 0;
        }
        /* A store problem must never lock root out by surprise. */
        if (pw->pw_uid == 0) {
            skip(a, "uid 0: name it to import it");
            return 0;
        }
        if (!im->hx->is_root && hx_protected(im->hx, login)) {
            skip(a, "protected account");
            return 0;
        }
    }
    return import_one(im, txn, se, a, err);
}

/* issue 14: an account the caller named and import skips fails the whole
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
            if (import_visit(im, txn, im->sh->e[i].login, err) < 0)
                return -1;
        return 0;
    }
    for (i = 0; i < im->t->n; i++)
        if (import_visit(im, txn, im->t->logins[i], err) < 0)
            return -1;
    return named_skipped(im->b, err);
}

int hx_op_import(struct hx *hx, struct pwr_err *err)
{
    struct hx_targets t;
    struct shadow sh = { NULL, 0 };
    struct hx_batch b = { NULL, 0, 0 };
    struct import im = { hx, &t, &sh, &b };
    int rc;

    memset(&t, 0, sizeof(t));
    t.kind = HX_T_ALL;
    if (pwr_msg_count(hx->req, "user") > 0 &&
        hx_targets_read(hx, 0, &t, err) < 0)
        return -1;
    rc = t.kind == HX_T_USERS ? check_system_users(&t, err) : 0;
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
    hx_targets_free(&t);
    return rc;
}
