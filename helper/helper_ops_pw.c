/* helper_ops_pw.c - an administrator sets a password: typed (set_password)
 * or generated (temp_password).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The old password stops working at once; any reset code dies (an
 * admin-set password kills the code); the status never changes:
 * a pending account stays pending, and the reply says so (advice) and how
 * to finish its set-up (pwreset activate).
 * A generated password is returned once in the reply ("secret") and is
 * otherwise only ever held as a hash.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "helper.h"
#include "pwr_decide.h"
#include "pwr_hash.h"
#include "pwr_notice.h"
#include "pwr_secret.h"

struct admin_pw {
    struct hx *hx;
    const char *user;
    int temporary, must_change, logout, allow_reuse;
    int pending; /* the account is pending: the reply says what that means */
    int64_t ttl; /* lifetime of a temporary password, 0 = none */
    const char *method; /* typed | generated */
    char hash[PWR_HASH_MAX];
    int64_t expires;
};

static const char *notice_event(const struct admin_pw *ap)
{
    return ap->temporary ? PWR_NOTICE_TEMP_PASSWORD : PWR_NOTICE_PASSWORD_SET;
}

static int set_txn(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct admin_pw *ap = arg;
    struct pwr_record rec;
    int found = pwr_txn_get(txn, ap->user, &rec, err), rc;

    if (found <= 0)
        return found < 0 ? -1 : pwr_fail(err, PWR_E_NOENT,
                                         "'%s' is not in the store", ap->user);
    rc = pwr_reset_eligible(&rec, err);
    if (rc == 0) {
        hx_history_keep(ap->hx, &rec);
        hx_notice_set(ap->hx, &rec, notice_event(ap));
        memcpy(rec.hash, ap->hash, sizeof(rec.hash));
        rec.flags &= ~(PWR_F_TEMPORARY | PWR_F_MUST_CHANGE);
        rec.grace_used = 0;
        rec.flags |= (ap->temporary ? PWR_F_TEMPORARY : 0) |
                     (ap->must_change ? PWR_F_MUST_CHANGE : 0);
        rec.temp_expires = ap->expires;
        pwr_wipe(rec.code_hash, sizeof(rec.code_hash));
        rec.code_expires = 0;
        rec.code_tries = 0;
        rec.changed = ap->hx->now;
        rc = pwr_txn_put(txn, &rec, err);
    }
    pwr_record_wipe(&rec);
    return rc;
}

/* Checks on the current record before the (slow) hashing. */
static int precheck(struct admin_pw *ap, const char *typed,
                    struct pwr_err *err)
{
    struct pwr_record rec;
    int found, rc;

    if (hx_open_store(ap->hx, 0, err) < 0)
        return -1;
    found = pwr_store_lookup(ap->hx->store, ap->user, &rec, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return pwr_fail(err, PWR_E_NOENT,
                        "'%s' is not managed by pwreset (not in the store; "
                        "see pwreset enrol)", ap->user);
    rc = pwr_reset_eligible(&rec, err);
    ap->pending = rec.status == PWR_ST_PENDING;
    if (rc == 0 && typed != NULL)
        rc = hx_check_policy(ap->hx, ap->user, typed, rec.hash,
                             ap->allow_reuse, err);
    if (rc == 0 && typed != NULL)
        rc = hx_check_history(ap->hx, ap->user, typed, rec.history,
                              ap->allow_reuse, err);
    pwr_record_wipe(&rec);
    return rc;
}

static void audit_set(struct admin_pw *ap)
{
    struct pwr_audit a;
    char when[32];

    hx_audit_begin(ap->hx, &a, "password_set_by_admin", ap->user);
    pwr_audit_add(&a, "temporary", ap->temporary ? "yes" : "no");
    pwr_audit_add(&a, "method", ap->method);
    if (ap->expires != 0) {
        pwr_format_iso(ap->expires, when, sizeof(when));
        pwr_audit_add(&a, "expires", when);
    }
    if (ap->must_change || ap->allow_reuse) /* allow_reuse: history */
        pwr_audit_add(&a, "detail",
                      !ap->allow_reuse  ? "must_change"
                      : ap->must_change ? "must_change,allow_reuse"
                                        : "allow_reuse");
    hx_audit_send(ap->hx, &a, 0);
    hx_notice_mail(ap->hx, ap->user, notice_event(ap));
}

/* Hash pw, write it, audit, then end sessions if asked. */
static int commit(struct admin_pw *ap, const char *pw, struct pwr_err *err)
{
    int rc;

    ap->expires = ap->temporary && ap->ttl > 0 ? ap->hx->now + ap->ttl : 0;
    rc = pwr_hash_make(pw, &ap->hx->cfg.hash, ap->hash, err);
    if (rc == 0)
        rc = hx_lift_fsize(err);
    /* the directory's own policy sees it (ldap_password_policy), unless
     * the administrator allowed a reuse: then it gets the hash */
    if (rc == 0 && !ap->allow_reuse)
        pwr_store_set_new_password(ap->hx->store, ap->user, pw);
    if (rc == 0)
        rc = pwr_store_transact(ap->hx->store, set_txn, ap, err);
    pwr_wipe(ap->hash, sizeof(ap->hash));
    if (rc < 0) {
        hx_store_policy_refused(ap->hx, ap->user, err);
        return -1;
    }
    audit_set(ap);
    hx_shadow_touch(ap->hx, ap->user); /* as passwd does */
    if (ap->expires != 0 &&
        hx_outf(ap->hx, "expires", err, "%lld", (long long)ap->expires) < 0)
        return -1;
    if (ap->logout)
        hx_logout_after(ap->hx, ap->user);
    if (ap->pending)
        return hx_outf(ap->hx, "advice", err,
                       "'%s' is still pending (never set up): it can sign "
                       "in only with a setup code until you run 'pwreset "
                       "activate %s'", ap->user, ap->user);
    return 0;
}

static int read_common(struct hx *hx, struct admin_pw *ap, int dflt_must,
                       struct pwr_err *err)
{
    memset(ap, 0, sizeof(*ap));
    ap->hx = hx;
    if (hx_req_one_user(hx, &ap->user, err) < 0 ||
        hx_may_manage(hx, ap->user, err) < 0 ||
        hx_req_flag(hx, "must_change", dflt_must, &ap->must_change, err) < 0 ||
        hx_req_flag(hx, "logout", 0, &ap->logout, err) < 0 ||
        hx_req_duration(hx, "ttl", PWR_TTL_TEMPORARY,
                        hx->cfg.temporary_password_ttl, &ap->ttl,
                        err) < 0)
        return -1;
    return 0;
}

int hx_op_set_password(struct hx *hx, struct pwr_err *err)
{
    struct admin_pw ap;
    const char *pw = pwr_msg_get(hx->req, "password");
    int temporary = 0;

    if (hx_req_flag(hx, "temporary", 0, &temporary, err) < 0 ||
        read_common(hx, &ap, temporary, err) < 0 ||
        hx_req_flag(hx, "allow_reuse", 0, &ap.allow_reuse, err) < 0)
        return -1;
    ap.temporary = temporary;
    ap.method = "typed";
    if (pw == NULL || pw[0] == '\0')
        return pwr_fail(err, PWR_E_USAGE, "set_password needs a password");
    if (!temporary && pwr_msg_get(hx->req, "ttl") != NULL)
        return pwr_fail(err, PWR_E_USAGE,
                        "an expiry applies to temporary passwords only");
    if ((ap.must_change && hx_policy_ready(hx, err) < 0) ||
        precheck(&ap, pw, err) < 0 || commit(&ap, pw, err) < 0)
        return -1;
    hx_set_message(hx, "password of '%s' set%s", ap.user,
                   temporary ? " (temporary)" : "");
    return 0;
}

int hx_op_temp_password(struct hx *hx, struct pwr_err *err)
{
    struct admin_pw ap;
    char secret[PWR_SECRET_MAX];
    int rc;

    if (read_common(hx, &ap, 1, err) < 0)
        return -1;
    ap.temporary = 1;
    ap.method = "generated";
    if ((ap.must_change && hx_policy_ready(hx, err) < 0) ||
        precheck(&ap, NULL, err) < 0)
        return -1;
    rc = pwr_secret_temp_password(secret, err);
    if (rc == 0)
        rc = commit(&ap, secret, err);
    if (rc == 0)
        rc = hx_out(hx, "secret", secret, err);
    pwr_wipe(secret, sizeof(secret));
    if (rc < 0)
        return -1;
    hx_set_message(hx, "temporary password of '%s' set", ap.user);
    return 0;
}
