/* pwr_store_ldap_map.c - a pam_pwreset record in a posixAccount entry
 * with the pwresetAccount class and the ppolicy attributes (the table
 * "Every field of the record, and where it lives" of docs/FLEET.md), and
 * the changes of a record as the modify of its entry.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Rules: a changed value is written as "delete the old value, add the new
 * one", never as a replace (the access rules and concurrent writers see
 * exactly what changed), except userPassword, which nobody reads; a
 * password change lifts ppolicy's lock and pwdReset, so when they must
 * stay the same modify deletes and re-adds them; pwdChangedTime and
 * pwdHistory are slapd's and never written; the hash of the password is
 * never read: a found record holds PWR_HASH_ELSEWHERE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "pwr_hash.h"
#include "pwr_store_ldap.h"

#define LOCKED_FOREVER "000001010000Z"

char *pl_attrs[] = {
    PL_STR("uid"),
    PL_STR("objectClass"),
    PL_STR("entryCSN"),
    PL_STR("pwdChangedTime"),
    PL_STR("pwdReset"),
    PL_STR("pwdAccountLockedTime"),
    PL_STR("pwresetStatus"),
    PL_STR("pwresetStatusChanged"),
    PL_STR("pwresetReason"),
    PL_STR("pwresetCodeHash"),
    PL_STR("pwresetCodeExpires"),
    PL_STR("pwresetCodeTries"),
    PL_STR("pwresetTemporary"),
    PL_STR("pwresetGraceUsed"),
    PL_STR("pwresetNotice"),
    PL_STR("pwresetNoticeBy"),
    PL_STR("pwresetNoticeAt"),
    PL_STR("pwresetEnrolled"),
    PL_STR("pwresetTempExpires"),
    NULL
};

void pl_gentime(int64_t t, char *out, size_t outsz)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL ||
        strftime(out, outsz, "%Y%m%d%H%M%SZ", &tm) == 0)
        snprintf(out, outsz, "19700101000000Z");
}

int64_t pl_parse_gentime(const char *s)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (s == NULL || sscanf(s, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon,
                            &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                            &tm.tm_sec) < 5)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

int pl_filter(const char *login, int enrolled_only, char *out, size_t outsz)
{
    int n;

    /* Valid logins hold no filter metacharacter: ( ) * \ NUL. */
    if (!pwr_login_valid(login) || strpbrk(login, "()*\\") != NULL)
        return -1;
    n = snprintf(out, outsz, enrolled_only
                 ? "(&(objectClass=pwresetAccount)(uid=%s))"
                 : "(&(objectClass=posixAccount)(uid=%s))", login);
    return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* The first value of attr, copied ("" when absent). */
static void first(LDAP *ld, LDAPMessage *msg, const char *attr, char *out,
                  size_t outsz)
{
    struct berval **v = ldap_get_values_len(ld, msg, attr);

    out[0] = '\0';
    if (v != NULL && v[0] != NULL && v[0]->bv_len < outsz &&
        memchr(v[0]->bv_val, '\0', v[0]->bv_len) == NULL) {
        memcpy(out, v[0]->bv_val, v[0]->bv_len);
        out[v[0]->bv_len] = '\0';
    }
    ldap_value_free_len(v);
}

static int has_value(LDAP *ld, LDAPMessage *msg, const char *attr,
                     const char *value)
{
    struct berval **v = ldap_get_values_len(ld, msg, attr);
    int found = 0;

    for (size_t i = 0; v != NULL && v[i] != NULL; i++)
        if (v[i]->bv_len == strlen(value) &&
            strncasecmp(v[i]->bv_val, value, v[i]->bv_len) == 0)
            found = 1;
    ldap_value_free_len(v);
    return found;
}

static int64_t time_of(LDAP *ld, LDAPMessage *msg, const char *attr)
{
    char buf[PL_TIME_MAX];

    first(ld, msg, attr, buf, sizeof(buf));
    return pl_parse_gentime(buf[0] ? buf : NULL);
}

static unsigned uint_of(LDAP *ld, LDAPMessage *msg, const char *attr)
{
    char buf[24];

    first(ld, msg, attr, buf, sizeof(buf));
    return (unsigned)strtoul(buf, NULL, 10);
}

static int fill_record(LDAP *ld, LDAPMessage *msg, struct pl_entry *e,
                       struct pwr_err *err)
{
    struct pwr_record *r = &e->old;
    char st[24];

    pwr_record_init(r, e->login);
    first(ld, msg, "pwresetStatus", st, sizeof(st));
    if (e->enrolled && pwr_status_parse(st, &r->status) < 0)
        return pwr_fail(err, PWR_E_STORE, "%s: pwresetStatus '%s' is not a "
                        "status", e->dn, st);
    r->status_changed = time_of(ld, msg, "pwresetStatusChanged");
    first(ld, msg, "pwresetReason", r->reason, sizeof(r->reason));
    first(ld, msg, "pwresetCodeHash", r->code_hash, sizeof(r->code_hash));
    r->code_expires = time_of(ld, msg, "pwresetCodeExpires");
    r->code_tries = uint_of(ld, msg, "pwresetCodeTries");
    r->created = time_of(ld, msg, "pwresetEnrolled");
    r->grace_used = uint_of(ld, msg, "pwresetGraceUsed");
    first(ld, msg, "pwresetNotice", r->notice, sizeof(r->notice));
    first(ld, msg, "pwresetNoticeBy", r->notice_by, sizeof(r->notice_by));
    r->notice_at = time_of(ld, msg, "pwresetNoticeAt");
    r->temp_expires = time_of(ld, msg, "pwresetTempExpires");
    r->changed = pl_parse_gentime(e->changed[0] ? e->changed : NULL);
    if (e->pwd_reset)
        r->flags |= PWR_F_MUST_CHANGE;
    /* Temporary while the password is the one it was set for. */
    if (e->temporary[0] != '\0' && strcmp(e->temporary, e->changed) == 0)
        r->flags |= PWR_F_TEMPORARY;
    if (r->status != PWR_ST_PENDING && r->status != PWR_ST_DELETED)
        snprintf(r->hash, sizeof(r->hash), "%s", PWR_HASH_ELSEWHERE);
    return 0;
}

int pl_from_entry(LDAP *ld, LDAPMessage *msg, struct pl_entry *e,
                  struct pwr_err *err)
{
    char *dn = ldap_get_dn(ld, msg);
    char bool_buf[8];

    if (dn == NULL)
        return pwr_fail(err, PWR_E_STORE, "directory entry without a DN");
    free(e->dn);
    e->dn = strdup(dn);
    ldap_memfree(dn);
    if (e->dn == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    first(ld, msg, "uid", e->login, sizeof(e->login));
    e->enrolled = has_value(ld, msg, "objectClass", "pwresetAccount");
    first(ld, msg, "entryCSN", e->csn, sizeof(e->csn));
    first(ld, msg, "pwdChangedTime", e->changed, sizeof(e->changed));
    first(ld, msg, "pwresetTemporary", e->temporary, sizeof(e->temporary));
    first(ld, msg, "pwdAccountLockedTime", e->lock, sizeof(e->lock));
    first(ld, msg, "pwdReset", bool_buf, sizeof(bool_buf));
    e->pwd_reset = strcmp(bool_buf, "TRUE") == 0;
    if (!pwr_login_valid(e->login))
        return pwr_fail(err, PWR_E_STORE, "%s: uid is not a valid login",
                        e->dn);
    if (fill_record(ld, msg, e, err) < 0)
        return -1;
    e->cur = e->old;
    return 0;
}

/* ---- the modify ------------------------------------------------------- */

static int add_mod(struct pl_mods *m, int op, const char *attr,
                   const char *value, struct pwr_err *err)
{
    size_t i = m->n;

    if (i == PL_MODS_MAX)
        return pwr_fail(err, PWR_E_INTERNAL, "too many changes in one entry");
    m->mod[i].mod_op = op;
    m->mod[i].mod_type = PL_STR(attr);
    if (value != NULL) {
        snprintf(m->buf[i], sizeof(m->buf[i]), "%s", value);
        m->vals[i][0] = m->buf[i];
        m->vals[i][1] = NULL;
        m->mod[i].mod_values = m->vals[i];
    } else {
        m->mod[i].mod_values = NULL;
    }
    m->ptr[i] = &m->mod[i];
    m->ptr[++m->n] = NULL;
    return 0;
}

/* old -> new of one single-valued attribute ("" = absent). */
static int change(struct pl_mods *m, const char *attr, const char *ov,
                  const char *nv, struct pwr_err *err)
{
    if (strcmp(ov, nv) == 0)
        return 0;
    if (ov[0] != '\0' && add_mod(m, LDAP_MOD_DELETE, attr, ov, err) < 0)
        return -1;
    if (nv[0] != '\0' && add_mod(m, LDAP_MOD_ADD, attr, nv, err) < 0)
        return -1;
    return 0;
}

static void tval(int64_t t, char *out)
{
    if (t == 0)
        out[0] = '\0';
    else
        pl_gentime(t, out, PL_TIME_MAX);
}

static int change_time(struct pl_mods *m, const char *attr, int64_t o,
                       int64_t n, struct pwr_err *err)
{
    char ov[PL_TIME_MAX], nv[PL_TIME_MAX];

    tval(o, ov);
    tval(n, nv);
    return change(m, attr, ov, nv, err);
}

static int change_uint(struct pl_mods *m, const char *attr, unsigned o,
                       unsigned n, struct pwr_err *err)
{
    char ov[16] = "", nv[16] = "";

    if (o != 0)
        snprintf(ov, sizeof(ov), "%u", o);
    if (n != 0)
        snprintf(nv, sizeof(nv), "%u", n);
    return change(m, attr, ov, nv, err);
}

/* pwdAccountLockedTime: every status but active; pwdReset: must_change. */
static int ppolicy_mods(const struct pl_entry *e, struct pl_mods *m,
                        struct pwr_err *err)
{
    int lock = e->cur.status != PWR_ST_ACTIVE;
    int reset = (e->cur.flags & PWR_F_MUST_CHANGE) != 0;
    int rc = 0;

    if (lock && (e->lock[0] == '\0' || m->pw_change)) {
        if (e->lock[0] != '\0')
            rc = add_mod(m, LDAP_MOD_DELETE, "pwdAccountLockedTime", NULL, err);
        if (rc == 0)
            rc = add_mod(m, LDAP_MOD_ADD, "pwdAccountLockedTime",
                         LOCKED_FOREVER, err);
    } else if (!lock && e->lock[0] != '\0' && e->old.status != PWR_ST_ACTIVE &&
               e->enrolled && !m->pw_change) {
        rc = add_mod(m, LDAP_MOD_DELETE, "pwdAccountLockedTime", NULL, err);
    }
    if (rc == 0 && reset && (!e->pwd_reset || m->pw_change)) {
        if (e->pwd_reset)
            rc = add_mod(m, LDAP_MOD_DELETE, "pwdReset", NULL, err);
        if (rc == 0)
            rc = add_mod(m, LDAP_MOD_ADD, "pwdReset", "TRUE", err);
    } else if (rc == 0 && !reset && e->pwd_reset && !m->pw_change) {
        rc = add_mod(m, LDAP_MOD_DELETE, "pwdReset", NULL, err);
    }
    return rc;
}

static int password_mods(const struct pl_entry *e, struct pl_mods *m,
                         struct pwr_err *err)
{
    char value[PWR_HASH_MAX + 16];
    int rc;

    m->pw_change = strcmp(e->old.hash, e->cur.hash) != 0 &&
                   strcmp(e->cur.hash, PWR_HASH_ELSEWHERE) != 0;
    if (!m->pw_change)
        return 0;
    if (e->cur.hash[0] == '\0')
        return add_mod(m, LDAP_MOD_REPLACE, "userPassword", NULL, err);
    /* ldap_password_policy: as typed, for slapd to hash and check (not
     * copied: it may be longer than a hash, and stays in one place). */
    if (e->clear != NULL) {
        rc = add_mod(m, LDAP_MOD_REPLACE, "userPassword", "", err);
        if (rc == 0)
            m->vals[m->n - 1][0] = PL_STR(e->clear);
    } else {
        snprintf(value, sizeof(value), "{CRYPT}%s", e->cur.hash);
        rc = add_mod(m, LDAP_MOD_REPLACE, "userPassword", value, err);
    }
    sodium_memzero(value, sizeof(value));
    /* A new temporary password is marked by a second modify, once its
     * pwdChangedTime is known (pwr_store_ldap_write.c). */
    m->temporary = (e->cur.flags & PWR_F_TEMPORARY) != 0;
    return rc;
}

static int pwreset_mods(const struct pl_entry *e, struct pl_mods *m,
                        struct pwr_err *err)
{
    const struct pwr_record *o = &e->old, *n = &e->cur;
    int keep_tmp = (n->flags & PWR_F_TEMPORARY) && !m->pw_change;
    const char *ntmp = keep_tmp ? e->temporary : "";

    if (!e->enrolled &&
        add_mod(m, LDAP_MOD_ADD, "objectClass", "pwresetAccount", err) < 0)
        return -1;
    if (change(m, "pwresetStatus", e->enrolled ? pwr_status_name(o->status) : "",
               pwr_status_name(n->status), err) < 0 ||
        change_time(m, "pwresetStatusChanged", o->status_changed,
                    n->status_changed, err) < 0 ||
        change(m, "pwresetReason", o->reason, n->reason, err) < 0 ||
        change(m, "pwresetCodeHash", o->code_hash, n->code_hash, err) < 0 ||
        change_time(m, "pwresetCodeExpires", o->code_expires, n->code_expires,
                    err) < 0 ||
        change_uint(m, "pwresetCodeTries", o->code_tries, n->code_tries,
                    err) < 0 ||
        change(m, "pwresetTemporary", e->temporary, ntmp, err) < 0 ||
        change_time(m, "pwresetTempExpires", o->temp_expires, n->temp_expires,
                    err) < 0 ||
        change_uint(m, "pwresetGraceUsed", o->grace_used, n->grace_used,
                    err) < 0 ||
        change(m, "pwresetNotice", o->notice, n->notice, err) < 0 ||
        change(m, "pwresetNoticeBy", o->notice_by, n->notice_by, err) < 0 ||
        change_time(m, "pwresetNoticeAt", o->notice_at, n->notice_at, err) < 0 ||
        change_time(m, "pwresetEnrolled", o->created, n->created, err) < 0)
        return -1;
    return 0;
}

/* Removing an account from pam_pwreset: the class, its attributes, and
 * the lock and pwdReset it set. */
static int removal_mods(const struct pl_entry *e, struct pl_mods *m,
                        struct pwr_err *err)
{
    struct pl_entry empty = *e;

    pwr_record_init(&empty.cur, e->login);
    empty.cur.status = e->old.status; /* deleted below, with the class */
    snprintf(empty.cur.hash, sizeof(empty.cur.hash), "%s", e->old.hash);
    if (pwreset_mods(&empty, m, err) < 0)
        return -1;
    empty.cur.status = PWR_ST_ACTIVE; /* lifts the lock pwreset set */
    if (ppolicy_mods(&empty, m, err) < 0 ||
        add_mod(m, LDAP_MOD_DELETE, "pwresetStatus", NULL, err) < 0 ||
        add_mod(m, LDAP_MOD_DELETE, "objectClass", "pwresetAccount", err) < 0)
        return -1;
    return 0;
}

int pl_diff(const struct pl_entry *e, struct pl_mods *m, struct pwr_err *err)
{
    /* not the whole of m: its value buffers are 13 KB, and a transaction
     * makes 100,000 of these; add_mod fills each slot it uses */
    m->n = 0;
    m->pw_change = m->temporary = 0;
    m->ptr[0] = NULL;
    if (e->removed)
        return removal_mods(e, m, err);
    if (password_mods(e, m, err) < 0 || pwreset_mods(e, m, err) < 0 ||
        ppolicy_mods(e, m, err) < 0)
        return -1;
    return 0;
}

void pl_mods_wipe(struct pl_mods *m)
{
    /* only add_mod writes the value buffers, the first n of them */
    sodium_memzero(m->buf, (m->n < PL_MODS_MAX ? m->n : PL_MODS_MAX) *
                               sizeof(m->buf[0]));
}
