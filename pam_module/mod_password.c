/* mod_password.c - the password stage: the forced change at login and the
 * passwd-style self-change.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * PAM_PRELIM_CHECK proves the current secret (the password, a temporary
 * password or a reset code), unless this same handle already proved it at
 * the auth stage, or root is setting another user's password.
 * PAM_UPDATE_AUTHTOK asks for the new password twice, checks the policy
 * (saying every rule it breaks), and has the helper write it; the helper
 * checks the proof and the policy again, as the one writer of the store.
 *
 * A change at login (PAM_CHANGE_EXPIRED_AUTHTOK) talks to someone with no
 * shell yet: what to do next is "log in again", never "run passwd".  Once
 * it is made, the handle counts as proved by the new password, so an
 * account stage run after it (some applications call it last) lets the
 * login go on.
 *
 * Accounts not in the store are left to the next module; with
 * authtok_for_unknown their new password is asked for it (PAM_AUTHTOK).
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mod.h"
#include "pwr_policy.h"
#include "pwr_secret.h"

/* A change the login asked for (the application's own flag). */
static int at_login(const struct mod_ctx *ctx)
{
    return (ctx->flags & PAM_CHANGE_EXPIRED_AUTHTOK) != 0;
}

/* root setting someone's password (passwd USER), not a forced change. */
static int admin_change(const struct mod_ctx *ctx)
{
    return getuid() == 0 && !at_login(ctx);
}

/* sshd (PAM_TTY "ssh") relays what follows the last answer of its login
 * dialogue twice to a session with a terminal: as a banner, then again at
 * the session start (OpenSSH keeps its login messages after sending them).
 * There the session starting is the confirmation of a change at login. */
static int confirm_change(const struct mod_ctx *ctx)
{
    return !(at_login(ctx) && ctx->tty != NULL && strcmp(ctx->tty, "ssh") == 0);
}

static int eligible(struct mod_ctx *ctx, const struct pwr_record *rec)
{
    struct pwr_acct_result ar;

    pwr_account_check(rec, PWR_AM_NONE, &ctx->cfg, pwr_now(), &ar);
    if (ar.decision != PWR_ACCT_DENY || rec->status == PWR_ST_PENDING)
        return PAM_SUCCESS;
    mod_error_msg(ctx, ar.message);
    mod_audit(ctx, "permission_denied", "reason", ar.reason, "detail",
              "password_change", NULL);
    return PAM_PERM_DENIED;
}

static int check_current(struct mod_ctx *ctx, const char *old)
{
    struct pwr_auth_result res;
    struct pwr_record rec;
    int found = mod_verify(ctx, old, &rec, &res);

    pwr_record_wipe(&rec);
    if (found < 0) {
        mod_error_msg(ctx, "Your current password could not be checked "
                           "right now: try again later or contact your "
                           "administrator.");
        return PAM_AUTHTOK_RECOVERY_ERR;
    }
    if (found > 0 && res.outcome == PWR_AUTH_OK)
        return PAM_SUCCESS;
    if (found > 0 && res.outcome == PWR_AUTH_TEMP_EXPIRED)
        mod_error_msg(ctx, "That temporary password has expired.");
    else
        mod_error_msg(ctx, "The current password is not correct.");
    mod_audit(ctx, "password_change_rejected", "reason",
              "bad_current_password", "result", "failure", NULL);
    return PAM_AUTH_ERR;
}

/* Key-only users: an account with no password at all is never
 * asked for a current one it never had; see pam_pwreset(8), KEY-ONLY
 * ACCOUNTS, for why this is safe only while it has none. */
static int passwordless(const struct mod_ctx *ctx,
                        const struct pwr_record *rec)
{
    return pwr_record_passwordless(rec, pwr_now(),
                                   ctx->cfg.reset_code_max_attempts);
}

static int prelim(struct mod_ctx *ctx, const struct pwr_record *rec)
{
    const void *proof = NULL;
    const char *old = NULL;
    int rc;

    if (admin_change(ctx))
        return PAM_SUCCESS;
    mod_notice_before_change(ctx, rec);
    if (passwordless(ctx, rec)) {
        mod_info(ctx, "Your account has no password yet: choose one now "
                      "(no current password is needed).");
        return PAM_SUCCESS;
    }
    if (pam_get_data(ctx->pamh, MOD_DATA_PROOF, &proof) == PAM_SUCCESS &&
        proof != NULL)
        return pam_set_item(ctx->pamh, PAM_OLDAUTHTOK, proof);
    if (rec->flags & (PWR_F_MUST_CHANGE | PWR_F_TEMPORARY) ||
        rec->code_hash[0] != '\0')
        mod_info(ctx, "Enter your current password, or the temporary "
                      "password or reset code you were given.");
    rc = pam_get_authtok(ctx->pamh, PAM_OLDAUTHTOK, &old, "Current password: ");
    if (rc != PAM_SUCCESS)
        return rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : rc;
    return check_current(ctx, old);
}

/* GECOS full name (before the first comma) into out; "" if none. */
static void full_name(const char *user, char *out, size_t outsz)
{
    struct passwd pw, *res = NULL;
    char buf[4096];

    out[0] = '\0';
    if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
        pw.pw_gecos == NULL)
        return;
    snprintf(out, outsz, "%.*s", (int)strcspn(pw.pw_gecos, ","), pw.pw_gecos);
}

/* 0 if acceptable, else tells the user every broken rule.  -1 on error. */
static int check_policy(struct mod_ctx *ctx, const struct pwr_record *rec,
                        const char *pw)
{
    struct pwr_policy pol;
    struct pwr_policy_input in = {.password = pw, .login = ctx->user};
    char name[256], msg[1024], reasons[256];
    struct pwr_err err;
    unsigned bad = 0;

    full_name(ctx->user, name, sizeof(name));
    in.full_name = name;
    in.current_hash = rec->hash[0] ? rec->hash : NULL;
    pwr_config_policy(&ctx->cfg, &pol);
    if (pwr_policy_check(&pol, &in, &bad, &err) < 0) {
        mod_log_err(ctx, "policy: %s", err.msg);
        return -1;
    }
    if (bad == 0)
        return 0;
    pwr_policy_describe(&pol, bad, PWR_VOICE_OWNER, msg, sizeof(msg));
    mod_error_msg(ctx, msg);
    pwr_policy_reasons(bad, reasons, sizeof(reasons));
    mod_audit(ctx, "policy_rejected", "reason", reasons, "result", "failure",
              NULL);
    return 1;
}

/* Ask twice; PAM_TRY_AGAIN when the two differ. */
static int ask_new(struct mod_ctx *ctx, char **pw)
{
    char *again = NULL;
    int rc = mod_prompt(ctx, "New password: ", pw);

    if (rc != PAM_SUCCESS)
        return rc;
    rc = mod_prompt(ctx, "Retype new password: ", &again);
    if (rc != PAM_SUCCESS) {
        pwr_free_secret(*pw);
        *pw = NULL;
        return rc;
    }
    rc = pwr_ct_streq(*pw, again) ? PAM_SUCCESS : PAM_TRY_AGAIN;
    pwr_free_secret(again);
    if (rc == PAM_TRY_AGAIN) {
        mod_error_msg(ctx, "The two passwords do not match.");
        pwr_free_secret(*pw);
        *pw = NULL;
    }
    return rc;
}

static int map_helper_code(struct mod_ctx *ctx, enum pwr_code code,
                           const char *message)
{
    if (code != PWR_OK && message != NULL)
        mod_error_msg(ctx, message);
    switch (code) {
    case PWR_OK:
        return PAM_SUCCESS;
    case PWR_E_POLICY:
        return PAM_TRY_AGAIN;
    case PWR_E_AUTH:
        return PAM_AUTH_ERR;
    case PWR_E_PERM:
    case PWR_E_INELIGIBLE:
        return PAM_PERM_DENIED;
    case PWR_E_BUSY:
        return PAM_AUTHTOK_LOCK_BUSY;
    case PWR_E_NOENT:
        return PAM_USER_UNKNOWN;
    default:
        if (message == NULL)
            mod_error_msg(ctx, "The password could not be saved: contact "
                               "your administrator.");
        return PAM_AUTHTOK_ERR;
    }
}

/* Have the helper write the new password. */
static int write_new(struct mod_ctx *ctx, const char *old, const char *pw)
{
    struct pwr_msg req, rep;
    struct pwr_err err;
    enum pwr_code code;
    int rc;

    if (mod_helper_req(ctx, "chauthtok", &req) < 0)
        return PAM_AUTHTOK_ERR;
    if (pwr_msg_add(&req, "new", pw, &err) < 0 ||
        (old != NULL && pwr_msg_add(&req, "proof", old, &err) < 0) ||
        (mod_notice_shown(ctx) &&
         pwr_msg_add(&req, "notice_shown", "1", &err) < 0)) {
        pwr_msg_free(&req);
        return PAM_AUTHTOK_ERR;
    }
    code = mod_helper_run(ctx, &req, &rep);
    rc = map_helper_code(ctx, code, pwr_msg_get(&rep, "message"));
    pwr_msg_free(&rep);
    return rc;
}

/* The new password is written: it is the item for modules after us, and,
 * when auth ran in this handle, what the handle is now proved by (a reset
 * code or temporary password is dead; an account stage that follows must
 * not ask for a change again). */
static int changed(struct mod_ctx *ctx, const char *pw)
{
    const void *auth = NULL;
    int rc = pam_set_item(ctx->pamh, PAM_AUTHTOK, pw);

    if (rc == PAM_SUCCESS &&
        pam_get_data(ctx->pamh, MOD_DATA_AUTH, &auth) == PAM_SUCCESS &&
        auth != NULL)
        rc = mod_remember_auth(ctx, PWR_AM_PASSWORD, pw);
    return rc;
}

static int try_once(struct mod_ctx *ctx, const struct pwr_record *rec,
                    const char *old)
{
    const void *item = NULL;
    char *pw = NULL;
    int rc, bad;

    if (ctx->opts.use_authtok) {
        if (pam_get_item(ctx->pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS ||
            item == NULL)
            return PAM_AUTHTOK_RECOVERY_ERR;
        pw = strdup(item);
        if (pw == NULL)
            return PAM_BUF_ERR;
    } else if ((rc = ask_new(ctx, &pw)) != PAM_SUCCESS) {
        return rc;
    }
    bad = check_policy(ctx, rec, pw);
    if (bad < 0) {
        mod_error_msg(ctx, "The password rules cannot be checked right now, "
                           "so no password was set: contact your "
                           "administrator.");
        rc = PAM_AUTHTOK_ERR;
    }
    else if (bad > 0)
        rc = PAM_TRY_AGAIN;
    else if ((rc = write_new(ctx, old, pw)) == PAM_SUCCESS)
        rc = changed(ctx, pw);
    pwr_free_secret(pw);
    return rc;
}

/* What to do next depends on where the user is (see at_login). */
#define NOT_CHECKED                                                          \
    "The current password was not checked, so the password cannot be "      \
    "changed: "
#define TOO_MANY                                                             \
    "No new password was set: too many tries. Your password is unchanged; "

static int update(struct mod_ctx *ctx, const struct pwr_record *rec)
{
    const void *old = NULL;
    char summary[256];
    unsigned i;
    int rc = PAM_MAXTRIES;

    if (!admin_change(ctx) && !passwordless(ctx, rec) &&
        (pam_get_item(ctx->pamh, PAM_OLDAUTHTOK, &old) != PAM_SUCCESS ||
         old == NULL)) {
        mod_error_msg(ctx, at_login(ctx) ? NOT_CHECKED "log in again."
                                         : NOT_CHECKED "run passwd again.");
        return PAM_AUTHTOK_RECOVERY_ERR;
    }
    if (!ctx->opts.use_authtok) {
        struct pwr_policy pol;
        pwr_config_policy(&ctx->cfg, &pol);
        pwr_policy_summary(&pol, summary, sizeof(summary));
        mod_info(ctx, summary);
    }
    for (i = 0; i < ctx->opts.retry; i++) {
        rc = try_once(ctx, rec, admin_change(ctx) ? NULL : old);
        if (rc != PAM_TRY_AGAIN || ctx->opts.use_authtok)
            break;
    }
    if (rc == PAM_SUCCESS && confirm_change(ctx))
        mod_info(ctx, "Your password has been changed.");
    else if (rc == PAM_TRY_AGAIN)
        mod_error_msg(ctx, at_login(ctx) ? TOO_MANY "log in again to choose one."
                                         : TOO_MANY "run passwd to try again.");
    return rc == PAM_TRY_AGAIN ? PAM_MAXTRIES : rc;
}

/* authtok_for_unknown: an account not in the store changes its password
 * in the next module, which pam-auth-update's stack gives use_authtok
 * (pam_unix is not first there).  Ask the new password (twice) and hand it
 * on in PAM_AUTHTOK, as a password-quality module would; the caller still
 * returns PAM_USER_UNKNOWN.  No policy of ours applies to such accounts. */
static int authtok_for_other(struct mod_ctx *ctx)
{
    const void *item = NULL;
    char *pw = NULL;
    unsigned i;
    int rc = PAM_MAXTRIES;

    if (!ctx->opts.authtok_for_unknown || !(ctx->flags & PAM_UPDATE_AUTHTOK))
        return PAM_USER_UNKNOWN;
    if (pam_get_item(ctx->pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS &&
        item != NULL)
        return PAM_USER_UNKNOWN;
    for (i = 0; i < ctx->opts.retry; i++) {
        rc = ask_new(ctx, &pw);
        if (rc != PAM_TRY_AGAIN)
            break;
    }
    if (rc == PAM_TRY_AGAIN) {
        mod_error_msg(ctx, "No new password was set: too many tries. Your "
                           "password is unchanged.");
        return PAM_MAXTRIES;
    }
    if (rc != PAM_SUCCESS)
        return rc;
    rc = pam_set_item(ctx->pamh, PAM_AUTHTOK, pw);
    pwr_free_secret(pw);
    return rc == PAM_SUCCESS ? PAM_USER_UNKNOWN : rc;
}

int mod_chauthtok(struct mod_ctx *ctx)
{
    struct pwr_record rec;
    int rc, found;

    rc = mod_get_user(ctx);
    if (rc != PAM_SUCCESS)
        return rc;
    found = mod_lookup(ctx, &rec);
    if (found < 0) {
        mod_error_msg(ctx, "The password store cannot be read: contact your "
                           "administrator.");
        return PAM_AUTHTOK_RECOVERY_ERR;
    }
    if (found == 0)
        return authtok_for_other(ctx);
    rc = eligible(ctx, &rec);
    if (rc == PAM_SUCCESS && (ctx->flags & PAM_PRELIM_CHECK))
        rc = prelim(ctx, &rec);
    else if (rc == PAM_SUCCESS && (ctx->flags & PAM_UPDATE_AUTHTOK))
        rc = update(ctx, &rec);
    else if (rc == PAM_SUCCESS)
        rc = PAM_SERVICE_ERR;
    pwr_record_wipe(&rec);
    return rc;
}
