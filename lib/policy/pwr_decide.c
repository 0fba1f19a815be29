/* pwr_decide.c - the account model's decisions (see pwr_decide.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Kept free of I/O so the module, the helper and "pwreset status" give the
 * same answer for the same record, and so each rule is unit-tested here.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pwr_decide.h"
#include "pwr_hash.h"
#include "pwr_rotate.h"
#include "pwr_secret.h"

static int status_allows_code(const struct pwr_record *rec)
{
    return rec->status == PWR_ST_ACTIVE || rec->status == PWR_ST_PENDING;
}

/* One login check; a failure takes the same time whatever the record holds
 * (pwr_hash_login).  A password the directory keeps (PWR_HASH_ELSEWHERE)
 * is not checked here: the backend's bind is the check and costs the
 * hash, so a dummy hash here would only double a directory login. */
static int password_matches(const struct pwr_record *rec, const char *typed,
                            const struct pwr_config *cfg)
{
    int has = rec != NULL && rec->status != PWR_ST_DELETED &&
              rec->status != PWR_ST_PENDING;

    if (has && strcmp(rec->hash, PWR_HASH_ELSEWHERE) == 0)
        return 0;
    return pwr_hash_login(typed, has ? rec->hash : NULL, &cfg->hash);
}

void pwr_auth_check(const struct pwr_record *rec, const char *typed,
                    const struct pwr_config *cfg, int64_t now,
                    struct pwr_auth_result *res)
{
    char shape[PWR_SECRET_MAX];
    int pw_ok, code_live, code_ok;

    memset(res, 0, sizeof(*res));
    res->outcome = PWR_AUTH_WRONG;
    pw_ok = password_matches(rec, typed, cfg);
    code_live = rec != NULL && status_allows_code(rec) &&
                pwr_record_code_live(rec, now, cfg->reset_code_max_attempts);
    code_ok = pwr_code_verify(typed, code_live ? rec->code_hash : "");
    if (pw_ok && (rec->flags & PWR_F_TEMPORARY)) {
        res->method = PWR_AM_TEMPORARY;
        res->outcome = (rec->temp_expires != 0 && now >= rec->temp_expires)
                           ? PWR_AUTH_TEMP_EXPIRED
                           : PWR_AUTH_OK;
    } else if (pw_ok) {
        res->method = PWR_AM_PASSWORD;
        res->outcome = PWR_AUTH_OK;
    } else if (code_ok) {
        res->method = PWR_AM_CODE;
        res->outcome = PWR_AUTH_OK;
    } else if (code_live) {
        res->code_try = pwr_code_normalize(typed, shape);
    }
    pwr_wipe(shape, sizeof(shape));
}

/* Record the decision; when contact is given, the message ends by naming
 * whom to contact. */
static void set_result(struct pwr_acct_result *res,
                       enum pwr_acct_decision decision, const char *reason,
                       const char *message, const char *contact)
{
    res->decision = decision;
    res->reason = reason;
    if (contact != NULL)
        snprintf(res->message, sizeof(res->message), "%s Contact %s.",
                 message, contact);
    else
        snprintf(res->message, sizeof(res->message), "%s", message);
}

static void check_active(const struct pwr_record *rec,
                         enum pwr_auth_method method,
                         struct pwr_acct_result *res)
{
    if (method == PWR_AM_CODE)
        set_result(res, PWR_ACCT_CHANGE, "code",
                   "You signed in with a reset code: choose a new password "
                   "now.", NULL);
    else if (method == PWR_AM_TEMPORARY && (rec->flags & PWR_F_MUST_CHANGE))
        set_result(res, PWR_ACCT_CHANGE, "temporary",
                   "You signed in with a temporary password: choose a new "
                   "password now.", NULL);
    else if (rec->flags & PWR_F_MUST_CHANGE)
        set_result(res, PWR_ACCT_CHANGE, "must_change",
                   "Your administrator requires you to choose a new "
                   "password.", NULL);
    else
        set_result(res, PWR_ACCT_ALLOW, "ok", "", NULL);
}

/* Password aging: an ordinary password past max_age must be changed; within
 * warn_age the login is allowed with a warning (reason "expires_soon"). */
static void check_age(const struct pwr_record *rec,
                      const struct pwr_config *cfg, int64_t now,
                      struct pwr_acct_result *res)
{
    int64_t expires;
    char msg[96];

    switch (pwr_rotate_check(rec, cfg, now, &expires)) {
    case PWR_ROT_EXPIRED:
        set_result(res, PWR_ACCT_CHANGE, "expired",
                   "Your password has expired: choose a new password now.",
                   NULL);
        break;
    case PWR_ROT_WARN:
        snprintf(msg, sizeof(msg), "Your password expires in %lld day(s): "
                 "choose a new one with passwd.",
                 (long long)pwr_rotate_days_left(expires, now));
        set_result(res, PWR_ACCT_ALLOW, "expires_soon", msg, NULL);
        break;
    default:
        break;
    }
}

static void check_pending(enum pwr_auth_method method,
                          struct pwr_acct_result *res, const char *contact)
{
    if (method == PWR_AM_CODE)
        set_result(res, PWR_ACCT_CHANGE, "code",
                   "Welcome. Choose the password for your new account now.",
                   NULL);
    else
        set_result(res, PWR_ACCT_DENY, "pending",
                   "Your account is not set up yet: sign in with the setup "
                   "code your administrator gave you.", contact);
}

void pwr_account_check(const struct pwr_record *rec,
                       enum pwr_auth_method method,
                       const struct pwr_config *cfg, int64_t now,
                       struct pwr_acct_result *res)
{
    const char *contact = cfg->contact;

    switch (rec->status) {
    case PWR_ST_BLOCKED:
        set_result(res, PWR_ACCT_DENY, "blocked", "Your account is blocked.",
                   contact);
        return;
    case PWR_ST_INACTIVE:
        set_result(res, PWR_ACCT_DENY, "inactive",
                   "Your account is deactivated.", contact);
        return;
    case PWR_ST_DELETED:
        set_result(res, PWR_ACCT_DENY, "deleted",
                   "Your account has been deleted.", contact);
        return;
    case PWR_ST_PENDING:
        check_pending(method, res, contact);
        return;
    case PWR_ST_ACTIVE:
        check_active(rec, method, res);
        if (res->decision == PWR_ACCT_ALLOW)
            check_age(rec, cfg, now, res);
        return;
    }
    set_result(res, PWR_ACCT_DENY, "corrupt", "Your account record is invalid.",
               contact);
}

int pwr_reset_eligible(const struct pwr_record *rec, struct pwr_err *err)
{
    if (rec->status == PWR_ST_ACTIVE || rec->status == PWR_ST_PENDING)
        return 0;
    return pwr_fail(err, PWR_E_INELIGIBLE,
                    "account '%s' is %s: only active or pending accounts can "
                    "be reset", rec->login, pwr_status_name(rec->status));
}

const char *pwr_auth_method_name(enum pwr_auth_method m)
{
    switch (m) {
    case PWR_AM_PASSWORD:
        return "password";
    case PWR_AM_TEMPORARY:
        return "temporary";
    case PWR_AM_CODE:
        return "code";
    case PWR_AM_NONE:
        break;
    }
    return "none";
}

int pwr_record_passwordless(const struct pwr_record *rec, int64_t now,
                            unsigned max_tries)
{
    return rec->status == PWR_ST_ACTIVE && !pwr_hash_usable(rec->hash) &&
           !pwr_record_code_live(rec, now, max_tries);
}

int pwr_shadow_locked(const char *field)
{
    if (field == NULL || field[0] != '!')
        return 0;
    return field[1] == '!' || pwr_hash_usable(field + 1);
}
