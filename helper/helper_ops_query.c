/* helper_ops_query.c - the status op (SPEC F18): what the store holds about
 * accounts, and in plain words whether a login would succeed and why not.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Root and admin_group members may read every account (reading changes
 * nothing, and the helpdesk needs to see why root's login fails too);
 * anyone else only their own.  Hashes never leave the helper.  The reply
 * holds one group of keys per account, each group starting with "user".
 * Issue 14: the decision is the documented stack's, pam_pwreset then the
 * shadow lock and pam_unix's account stage (helper_shadow.c), and the
 * shadow keys say what /etc/shadow holds.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "helper.h"
#include "pwr_decide.h"
#include "pwr_hash.h"
#include "pwr_rotate.h"

static void store_decision(struct hx *hx, const struct pwr_record *rec,
                           struct pwr_acct_result *ar)
{
    memset(ar, 0, sizeof(*ar));
    pwr_account_check(rec, PWR_AM_NONE, &hx->cfg, hx->now, ar);
    if (ar->decision == PWR_ACCT_DENY || rec->status != PWR_ST_ACTIVE)
        return;
    if (!pwr_hash_usable(rec->hash) &&
        !pwr_record_code_live(rec, hx->now, hx->cfg.reset_code_max_attempts)) {
        ar->decision = PWR_ACCT_DENY;
        ar->reason = "no_password";
        snprintf(ar->message, sizeof(ar->message),
                 "No password is set yet: an administrator must set one "
                 "(pwreset set-password) or issue a reset code.");
    } else if ((rec->flags & PWR_F_TEMPORARY) && rec->temp_expires != 0 &&
               hx->now >= rec->temp_expires) {
        ar->decision = PWR_ACCT_DENY;
        ar->reason = "temporary_expired";
        snprintf(ar->message, sizeof(ar->message),
                 "The temporary password has expired: ask for a new one.");
    }
}

static void login_decision(struct hx *hx, const struct pwr_record *rec,
                           const struct hx_shadow *sh,
                           struct pwr_acct_result *ar)
{
    store_decision(hx, rec, ar);
    hx_shadow_decide(sh, hx->now, ar);
}

/* issue 14: shadow_known 0 when the helper could not read the entry;
 * dates as epoch seconds, -1 for none. */
static int shadow_keys(struct hx *hx, const struct hx_shadow *sh,
                       struct pwr_err *err)
{
    long long lastchg = sh->lastchg < 0 ? -1 : sh->lastchg * 86400;
    long long expire = sh->expire < 0 ? -1 : sh->expire * 86400;

    if (hx_outf(hx, "shadow_known", err, "%d", sh->known) < 0 ||
        hx_outf(hx, "shadow_locked", err, "%d", sh->locked) < 0 ||
        hx_outf(hx, "shadow_password", err, "%d", !sh->nopass) < 0 ||
        hx_outf(hx, "shadow_expires", err, "%lld", expire) < 0 ||
        hx_outf(hx, "shadow_last_change", err, "%lld", lastchg) < 0 ||
        hx_outf(hx, "shadow_max_days", err, "%lld", sh->max) < 0 ||
        hx_outf(hx, "shadow_inactive_days", err, "%lld", sh->inact) < 0)
        return -1;
    return 0;
}

static void flag_words(unsigned flags, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s%s%s",
             (flags & PWR_F_MUST_CHANGE) ? "must_change" : "",
             (flags & PWR_F_MUST_CHANGE) && (flags & PWR_F_TEMPORARY) ? ","
                                                                       : "",
             (flags & PWR_F_TEMPORARY) ? "temporary" : "");
}

static int put_int(struct hx *hx, const char *key, long long v,
                   struct pwr_err *err)
{
    return hx_outf(hx, key, err, "%lld", v);
}

/* issue 9: when the password reaches max_age (0: no rotation), and the
 * admin-action notice still waiting for the next login. */
static int rotation_keys(struct hx *hx, const struct pwr_record *rec,
                         struct pwr_err *err)
{
    int64_t expires;

    (void)pwr_rotate_check(rec, &hx->cfg, hx->now, &expires);
    if (put_int(hx, "password_expires", expires, err) < 0 ||
        hx_out(hx, "notice", rec->notice, err) < 0)
        return -1;
    return 0;
}

static int account_keys(struct hx *hx, const struct pwr_record *rec,
                        struct pwr_err *err)
{
    static const char *const words[] = { "allow", "deny", "change" };
    struct pwr_acct_result ar;
    struct hx_shadow sh;
    char flags[64];
    unsigned max = hx->cfg.reset_code_max_attempts;

    (void)hx_shadow_get(rec->login, &sh);
    login_decision(hx, rec, &sh, &ar);
    flag_words(rec->flags, flags, sizeof(flags));
    if (hx_out(hx, "user", rec->login, err) < 0 ||
        hx_out(hx, "status", pwr_status_name(rec->status), err) < 0 ||
        hx_out(hx, "flags", flags, err) < 0 ||
        put_int(hx, "has_password", pwr_hash_usable(rec->hash), err) < 0 ||
        put_int(hx, "changed", rec->changed, err) < 0 ||
        put_int(hx, "temp_expires", rec->temp_expires, err) < 0 ||
        put_int(hx, "code", pwr_record_code_live(rec, hx->now, max), err) < 0 ||
        put_int(hx, "code_expires", rec->code_expires, err) < 0 ||
        put_int(hx, "code_tries", rec->code_tries, err) < 0 ||
        put_int(hx, "status_changed", rec->status_changed, err) < 0 ||
        hx_out(hx, "reason", rec->reason, err) < 0 ||
        put_int(hx, "created", rec->created, err) < 0 ||
        hx_out(hx, "login", words[ar.decision], err) < 0 ||
        hx_out(hx, "login_reason", ar.reason, err) < 0 ||
        hx_out(hx, "login_message", ar.message, err) < 0 ||
        shadow_keys(hx, &sh, err) < 0)
        return -1;
    return rotation_keys(hx, rec, err);
}

/* 1 to stop (reply full), 0 to go on, -1 error. */
static int add_account(struct hx *hx, const struct pwr_record *rec,
                       struct pwr_err *err)
{
    size_t mark = hx_out_mark(hx);

    if (account_keys(hx, rec, err) < 0)
        return -1;
    return hx_out_overflow(hx, mark, err);
}

static int visit(const struct pwr_record *rec, void *arg, struct pwr_err *err)
{
    return add_account(arg, rec, err);
}

static int named(struct hx *hx, const char *login, struct pwr_err *err)
{
    struct pwr_record rec;
    int found = pwr_store_lookup(hx->store, login, &rec, err), rc;

    if (found < 0)
        return -1;
    if (found == 0)
        return pwr_fail(err, PWR_E_NOENT,
                        "'%s' is not managed by pwreset (not in the store)",
                        login);
    rc = add_account(hx, &rec, err);
    pwr_record_wipe(&rec);
    return rc;
}

int hx_op_status(struct hx *hx, struct pwr_err *err)
{
    size_t i, n = pwr_msg_count(hx->req, "user");
    int reader = hx->is_root || hx->is_admin, rc = 0;

    for (i = 0; i < n; i++) {
        const char *u = pwr_msg_get_nth(hx->req, "user", i);

        if (!pwr_login_valid(u))
            return pwr_fail(err, PWR_E_USAGE, "invalid login name");
        if (!reader && hx_may_self(hx, u, err) < 0)
            return -1;
    }
    if (hx_open_store(hx, 0, err) < 0)
        return -1;
    if (n == 0 && reader)
        rc = pwr_store_foreach(hx->store, visit, hx, err);
    else if (n == 0)
        rc = hx->caller_has_login ? named(hx, hx->caller, err)
                                  : pwr_fail(err, PWR_E_NOENT,
                                             "you have no login name");
    for (i = 0; i < n && rc == 0; i++)
        rc = named(hx, pwr_msg_get_nth(hx->req, "user", i), err);
    if (rc < 0)
        return -1;
    hx_set_message(hx, "%zu account(s)", pwr_msg_count(&hx->out, "user"));
    return 0;
}
