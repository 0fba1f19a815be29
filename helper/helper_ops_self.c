/* helper_ops_self.c - the self-service ops: verify, chauthtok, code_failed.
 * A caller who is not root may run them only on their own account, must
 * prove it, is rate-limited and delayed on failure.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The expensive work (hashing the proof, the policy, hashing the new
 * password) runs without the store lock on a snapshot of the record; the
 * write then re-reads the record and refuses (busy) if it changed
 * meanwhile, so no concurrent change is overwritten.
 */
#include "config.h"

#include <pwd.h>
#include <string.h>

#include "helper.h"
#include "pwr_decide.h"
#include "pwr_hash.h"
#include "pwr_notice.h"

struct code_try {
    struct hx *hx;
    const char *login;
    int counted;
    int killed;
};

static void clear_code(struct pwr_record *rec)
{
    pwr_wipe(rec->code_hash, sizeof(rec->code_hash));
    rec->code_expires = 0;
    rec->code_tries = 0;
}

static int code_try_txn(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct code_try *ct = arg;
    struct pwr_record rec;
    unsigned max = ct->hx->cfg.reset_code_max_attempts;
    int found = pwr_txn_get(txn, ct->login, &rec, err), rc = 0;

    ct->counted = ct->killed = 0;
    if (found <= 0)
        return found;
    if (pwr_record_code_live(&rec, ct->hx->now, max)) {
        rec.code_tries++;
        if (rec.code_tries >= max) {
            clear_code(&rec);
            ct->killed = 1;
        }
        ct->counted = 1;
        rc = pwr_txn_put(txn, &rec, err);
    }
    pwr_record_wipe(&rec);
    return rc;
}

/* One wrong try of a live code: counted, and the code dies at the limit. */
static int count_code_try(struct hx *hx, const char *login, int *counted,
                          struct pwr_err *err)
{
    struct code_try ct = { hx, login, 0, 0 };
    struct pwr_audit a;

    *counted = 0;
    if (hx_open_store(hx, 0, err) < 0 || hx_lift_fsize(err) < 0 ||
        pwr_store_transact(hx->store, code_try_txn, &ct, err) < 0)
        return -1;
    *counted = ct.counted;
    if (!ct.counted)
        return 0;
    hx_audit_begin(hx, &a, "reset_code_rejected", login);
    pwr_audit_add(&a, "reason", ct.killed ? "too_many_attempts" : "wrong_code");
    hx_audit_send(hx, &a, 1);
    return 0;
}

static int rate_check(struct hx *hx, const char *login, struct pwr_err *err)
{
    struct pwr_audit a;

    if (hx->is_root || !hx_rate_take(hx, login))
        return 0;
    hx_audit_begin(hx, &a, "auth_failed", login);
    pwr_audit_add(&a, "reason", "rate_limited");
    hx_audit_send(hx, &a, 1);
    hx_fail_delay(hx);
    return pwr_fail(err, PWR_E_AUTH,
                    "too many failed attempts; try again in %d minutes",
                    HX_RATE_WINDOW_MIN);
}

/* A proof that did not authenticate: count it, audit it, delay, refuse. */
static int proof_failed(struct hx *hx, const char *login,
                        const struct pwr_auth_result *res, struct pwr_err *err)
{
    struct pwr_err cerr;
    struct pwr_audit a;
    int counted = 0;

    if (res->code_try)
        (void)count_code_try(hx, login, &counted, &cerr);
    if (!counted) {
        hx_audit_begin(hx, &a, "auth_failed", login);
        pwr_audit_add(&a, "reason", res->outcome == PWR_AUTH_TEMP_EXPIRED
                                        ? "temporary_expired"
                                        : "wrong_password");
        hx_audit_send(hx, &a, 1);
    }
    hx_fail_delay(hx); /* the attempt was counted before the check */
    if (res->outcome == PWR_AUTH_TEMP_EXPIRED) {
        (void)hx_out(hx, "expired", "1", err);
        return pwr_fail(err, PWR_E_AUTH,
                        "the temporary password has expired; ask your "
                        "administrator for a new one");
    }
    return pwr_fail(err, PWR_E_AUTH, "authentication failed");
}

/* Look the caller's record up: 1 found, or -1 (not in the store: PWR_E_NOENT
 * after the same hashing work as a found record). */
static int lookup_for_proof(struct hx *hx, const char *login,
                            const char *proof, struct pwr_record *rec,
                            struct pwr_auth_result *res, struct pwr_err *err)
{
    int found;

    if (hx_open_store(hx, 0, err) < 0)
        return -1;
    found = pwr_store_lookup(hx->store, login, rec, err);
    if (found < 0)
        return -1;
    /* Counted (or refused at the limit) before the hash. */
    if (found && proof != NULL && rate_check(hx, login, err) < 0)
        return -1;
    if (proof != NULL &&
        hx_auth_check(hx, found ? rec : NULL, proof, res, err) < 0)
        return -1;
    if (found && proof != NULL && res->outcome == PWR_AUTH_OK &&
        !hx->is_root)
        hx_rate_clear(hx, login);
    if (found)
        return 1;
    return pwr_fail(err, PWR_E_NOENT,
                    "'%s' is not managed by pwreset (not in the store)", login);
}

static int verify_ok(struct hx *hx, const struct pwr_record *rec,
                     enum pwr_auth_method method, struct pwr_err *err)
{
    struct pwr_acct_result ar;
    static const char *const words[] = { "allow", "deny", "change" };

    memset(&ar, 0, sizeof(ar));
    pwr_account_check(rec, method, &hx->cfg, hx->now, &ar);
    if (!hx->is_root)
        hx_rate_clear(hx, rec->login);
    hx_set_message(hx, "authenticated");
    if (hx_out(hx, "method", pwr_auth_method_name(method), err) < 0 ||
        hx_out(hx, "login", words[ar.decision], err) < 0 ||
        hx_out(hx, "login_reason", ar.reason, err) < 0 ||
        hx_out(hx, "login_message", ar.message, err) < 0)
        return -1;
    return hx_status_group(hx, rec, err);
}

/* A shadow lock ('!', passwd -l) refuses the password login of
 * a store account even with the right secret.  Not a failed try: no rate
 * limit, no delay. */
static int shadow_locked(struct hx *hx, const char *login, struct pwr_err *err)
{
    struct hx_shadow sh;
    struct pwr_audit a;

    if (!hx_shadow_get(login, &sh) || !sh.locked)
        return 0;
    hx_audit_begin(hx, &a, "auth_failed", login);
    pwr_audit_add(&a, "reason", "shadow_locked");
    hx_audit_send(hx, &a, 1);
    (void)hx_out(hx, "locked", "1", err);
    return pwr_fail(err, PWR_E_AUTH,
                    "the password is locked in /etc/shadow (passwd -l)");
}

int hx_op_verify(struct hx *hx, struct pwr_err *err)
{
    struct pwr_auth_result res;
    struct pwr_record rec;
    const char *user, *pw;
    int rc;

    if (hx_req_one_user(hx, &user, err) < 0 || hx_may_self(hx, user, err) < 0)
        return -1;
    pw = pwr_msg_get(hx->req, "password");
    if (pw == NULL)
        return pwr_fail(err, PWR_E_USAGE, "verify needs a password");
    hx->self_actor = user;
    memset(&rec, 0, sizeof(rec));
    rc = lookup_for_proof(hx, user, pw, &rec, &res, err);
    if (rc > 0 && res.outcome == PWR_AUTH_OK)
        rc = shadow_locked(hx, user, err) < 0
                 ? -1 : verify_ok(hx, &rec, res.method, err);
    else if (rc > 0)
        rc = proof_failed(hx, user, &res, err);
    pwr_record_wipe(&rec);
    return rc < 0 ? -1 : 0;
}

/* ---- chauthtok ----------------------------------------------------------- */

struct change {
    struct hx *hx;
    const struct pwr_record *seen; /* the snapshot the checks ran on */
    int notice_shown;              /* the caller showed the pending notice */
    char hash[PWR_HASH_MAX];
};

/* Did what the proof and the policy were checked against stay the same?
 * Flags are left out on purpose: a bulk force-reset or --clear landing
 * meanwhile must not make a user's forced change fail. */
static int same_state(const struct pwr_record *a, const struct pwr_record *b)
{
    return a->status == b->status && strcmp(a->hash, b->hash) == 0 &&
           strcmp(a->code_hash, b->code_hash) == 0;
}

static int change_txn(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct change *c = arg;
    struct pwr_record rec;
    int found = pwr_txn_get(txn, c->seen->login, &rec, err), rc;

    if (found < 0)
        return -1;
    if (found == 0 || !same_state(&rec, c->seen)) {
        pwr_record_wipe(&rec);
        return pwr_fail(err, PWR_E_BUSY, "the account changed while the new "
                                         "password was checked; try again");
    }
    hx_history_keep(c->hx, &rec);
    memcpy(rec.hash, c->hash, sizeof(rec.hash));
    /* The change an admin action asked for (a forced change, a temporary
     * password, a reset code) completes it: its notice, shown by the
     * caller (notice_shown=1: the module's handle showed it), goes in this
     * same write.  A caller that did not show it (the CLI, a silent or
     * root's change) leaves it for the next login: never cleared unseen. */
    if (c->notice_shown && pwr_notice_completed_by_change(&rec))
        pwr_notice_clear(&rec);
    rec.flags &= ~(PWR_F_MUST_CHANGE | PWR_F_TEMPORARY);
    rec.grace_used = 0; /* a new password starts a new grace count */
    rec.temp_expires = 0;
    clear_code(&rec);
    rec.changed = c->hx->now;
    if (rec.status == PWR_ST_PENDING) {
        rec.status = PWR_ST_ACTIVE;
        rec.status_changed = c->hx->now;
    }
    rc = pwr_txn_put(txn, &rec, err);
    pwr_record_wipe(&rec);
    return rc;
}

static void audit_change(struct hx *hx, const struct pwr_record *old,
                         enum pwr_auth_method method)
{
    struct pwr_audit a;
    int completed = method == PWR_AM_CODE || method == PWR_AM_TEMPORARY ||
                    old->status == PWR_ST_PENDING ||
                    (old->flags & (PWR_F_MUST_CHANGE | PWR_F_TEMPORARY));

    if (method == PWR_AM_CODE) {
        hx_audit_begin(hx, &a, "reset_code_used", old->login);
        if (old->status == PWR_ST_PENDING)
            pwr_audit_add(&a, "detail", "setup");
        hx_audit_send(hx, &a, 0);
    }
    hx_audit_begin(hx, &a, completed ? "password_reset_completed"
                                     : "password_changed",
                   old->login);
    if (method != PWR_AM_NONE)
        pwr_audit_add(&a, "method", pwr_auth_method_name(method));
    hx_audit_send(hx, &a, 0);
}

static int change_checked(struct hx *hx, const struct pwr_record *rec,
                          const char *newpw, enum pwr_auth_method method,
                          struct pwr_err *err)
{
    struct change c;
    int rc, notice_shown;

    if (rec->status != PWR_ST_ACTIVE && rec->status != PWR_ST_PENDING)
        return pwr_fail(err, PWR_E_INELIGIBLE,
                        "account '%s' is %s: its password cannot be changed",
                        rec->login, pwr_status_name(rec->status));
    if (hx_check_policy(hx, rec->login, newpw, rec->hash, 0, err) < 0 ||
        hx_check_history(hx, rec->login, newpw, rec->history, 0, err) < 0)
        return -1;
    if (hx_req_flag(hx, "notice_shown", 0, &notice_shown, err) < 0)
        return -1;
    memset(&c, 0, sizeof(c));
    c.hx = hx;
    c.seen = rec;
    c.notice_shown = notice_shown;
    rc = pwr_hash_make(newpw, &hx->cfg.hash, c.hash, err);
    if (rc == 0)
        rc = hx_lift_fsize(err);
    /* the directory's own policy sees it (ldap_password_policy) */
    if (rc == 0) {
        pwr_store_set_new_password(hx->store, rec->login, newpw);
        rc = pwr_store_transact(hx->store, change_txn, &c, err);
    }
    pwr_wipe(c.hash, sizeof(c.hash));
    if (rc < 0) {
        hx_store_policy_refused(hx, rec->login, err);
        return -1;
    }
    if (!hx->is_root)
        hx_rate_clear(hx, rec->login);
    audit_change(hx, rec, method);
    hx_shadow_touch(hx, rec->login); /* "chage -d 0" asks once */
    hx_set_message(hx, "password of '%s' changed", rec->login);
    return hx_out(hx, "status", rec->status == PWR_ST_PENDING
                                    ? "active"
                                    : pwr_status_name(rec->status), err);
}

int hx_op_chauthtok(struct hx *hx, struct pwr_err *err)
{
    struct pwr_auth_result res;
    struct pwr_record rec;
    const char *user, *newpw, *proof;
    int rc;

    if (hx_req_one_user(hx, &user, err) < 0 || hx_may_self(hx, user, err) < 0)
        return -1;
    newpw = pwr_msg_get(hx->req, "new");
    proof = pwr_msg_get(hx->req, "proof");
    if (newpw == NULL)
        return pwr_fail(err, PWR_E_USAGE, "chauthtok needs a new password");
    if (proof != NULL)
        hx->self_actor = user;
    memset(&rec, 0, sizeof(rec));
    memset(&res, 0, sizeof(res));
    rc = lookup_for_proof(hx, user, proof, &rec, &res, err);
    /* No proof: root, or a key-only account setting its first password
     * (pwr_record_passwordless; reasoning in pam_pwreset(8)). */
    if (rc > 0 && proof == NULL && !hx->is_root &&
        !pwr_record_passwordless(&rec, hx->now,
                                 hx->cfg.reset_code_max_attempts))
        rc = pwr_fail(err, PWR_E_USAGE, "the current password, temporary "
                                        "password or reset code is needed");
    else if (rc > 0 && proof != NULL && res.outcome != PWR_AUTH_OK)
        rc = proof_failed(hx, user, &res, err);
    else if (rc > 0) {
        /* The directory: a voluntary change is written as the person (the
         * access rules let a host write a password only while a change is
         * pending), with the password just proven.  Only a change needs
         * it: a login's verify keeps no copy. */
        if (proof != NULL && (res.method == PWR_AM_PASSWORD ||
                              res.method == PWR_AM_TEMPORARY))
            pwr_store_set_proof(hx->store, user, proof);
        rc = change_checked(hx, &rec, newpw, res.method, err);
    }
    pwr_record_wipe(&rec);
    return rc < 0 ? -1 : 0;
}

int hx_op_code_failed(struct hx *hx, struct pwr_err *err)
{
    const char *user;
    int counted;

    if (hx_req_one_user(hx, &user, err) < 0 || hx_may_self(hx, user, err) < 0)
        return -1;
    hx->self_actor = user;
    if (count_code_try(hx, user, &counted, err) < 0)
        return -1;
    hx_set_message(hx, counted ? "wrong code try counted"
                               : "no live code: nothing counted");
    return hx_out(hx, "outcome", counted ? "changed" : "unchanged", err);
}
