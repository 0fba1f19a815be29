/* mod_auth.c - the auth stage: the password, a temporary password, or a
 * live reset/setup code, all at the one ordinary prompt.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * An unknown user and a wrong password look the same to the person at the
 * prompt: same prompt, same messages, one hash computation either way, and
 * the same failure delay.  Only the return code differs (PAM_USER_UNKNOWN
 * lets the rest of the stack handle accounts we do not hold).
 *
 * A shadow lock ('!' in front of the /etc/shadow hash: passwd -l,
 * usermod -L; pwr_shadow_locked) refuses a store account's password
 * login too, after the right secret, as an administrator expects from
 * those tools.  Only root reads /etc/shadow: for other callers the
 * helper's verify op checks it.
 */
#include "config.h"

#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mod.h"
#include "pwr_hash.h"
#include "pwr_secret.h"

static void cleanup_secret(pam_handle_t *pamh, void *data, int status)
{
    (void)pamh;
    (void)status;
    pwr_free_secret(data);
}

static void cleanup_free(pam_handle_t *pamh, void *data, int status)
{
    (void)pamh;
    (void)status;
    free(data);
}

/* Remember how auth succeeded and the secret it accepted, so the account
 * and password stages of this same handle need not ask again.  A change
 * made in this handle calls it again with the new password. */
int mod_remember_auth(struct mod_ctx *ctx, enum pwr_auth_method method,
                      const char *typed)
{
    struct mod_auth_info *info = calloc(1, sizeof(*info));
    char *proof = strdup(typed);

    if (info == NULL || proof == NULL) {
        free(info);
        pwr_free_secret(proof);
        return PAM_BUF_ERR;
    }
    info->method = method;
    if (pam_set_data(ctx->pamh, MOD_DATA_AUTH, info, cleanup_free) !=
        PAM_SUCCESS) {
        free(info);
        pwr_free_secret(proof);
        return PAM_BUF_ERR;
    }
    if (pam_set_data(ctx->pamh, MOD_DATA_PROOF, proof, cleanup_secret) !=
        PAM_SUCCESS) {
        pwr_free_secret(proof);
        return PAM_BUF_ERR;
    }
    return PAM_SUCCESS;
}

static int get_password(struct mod_ctx *ctx, const char **pw)
{
    int rc = pam_get_authtok(ctx->pamh, PAM_AUTHTOK, pw, NULL);

    if (rc == PAM_CONV_AGAIN)
        return PAM_INCOMPLETE;
    if (rc == PAM_SUCCESS && *pw == NULL)
        return PAM_AUTH_ERR;
    return rc;
}

static int shadow_locked(const char *user)
{
    const struct spwd *sp;

    if (geteuid() != 0)
        return 0;
    sp = getspnam(user);
    return sp != NULL && pwr_shadow_locked(sp->sp_pwdp);
}

static int auth_outcome(struct mod_ctx *ctx, const struct pwr_auth_result *res,
                        const char *pw)
{
    char msg[PWR_TEXT_MAX + 96];

    switch (res->outcome) {
    case PWR_AUTH_OK:
        if (shadow_locked(ctx->user)) {
            snprintf(msg, sizeof(msg),
                     "Your password is locked. Contact %s.", ctx->cfg.contact);
            mod_error_msg(ctx, msg);
            mod_audit(ctx, "login_denied", "reason", "shadow_locked",
                      "result", "failure", NULL);
            return PAM_AUTH_ERR;
        }
        mod_debug(ctx, "user %s authenticated by %s", ctx->user,
                  pwr_auth_method_name(res->method));
        mod_breach_at_login(ctx, res->method, pw);
        return mod_remember_auth(ctx, res->method, pw);
    case PWR_AUTH_TEMP_EXPIRED:
        snprintf(msg, sizeof(msg),
                 "Your temporary password has expired. Ask %s for a new one.",
                 ctx->cfg.contact);
        mod_error_msg(ctx, msg);
        mod_audit(ctx, "login_denied", "reason", "temporary_expired",
                  "result", "failure", NULL);
        return PAM_AUTH_ERR;
    case PWR_AUTH_WRONG:
        break;
    }
    mod_audit(ctx, "login_denied", "reason", "bad_credentials", "result",
              "failure", NULL);
    return PAM_AUTH_ERR;
}

int mod_authenticate(struct mod_ctx *ctx)
{
    struct pwr_auth_result res;
    struct pwr_record rec;
    const char *pw = NULL;
    int rc, user_rc, found;

    pam_fail_delay(ctx->pamh, ctx->cfg.fail_delay_ms * 1000u);
    user_rc = mod_get_user(ctx);
    if (user_rc != PAM_SUCCESS && user_rc != PAM_USER_UNKNOWN)
        return user_rc;
    rc = get_password(ctx, &pw);
    if (rc != PAM_SUCCESS)
        return rc;
    if (user_rc == PAM_USER_UNKNOWN) {
        (void)pwr_hash_login(pw, NULL, &ctx->cfg.hash); /* same time */
        return PAM_USER_UNKNOWN;
    }
    found = mod_verify(ctx, pw, &rec, &res);
    pwr_record_wipe(&rec);
    if (found < 0)
        return PAM_AUTHINFO_UNAVAIL; /* fail closed: store unreadable */
    if (found == 0) {
        mod_debug(ctx, "user %s is not in the store", ctx->user);
        return PAM_USER_UNKNOWN;
    }
    if (pw[0] == '\0')
        res.outcome = PWR_AUTH_WRONG; /* nullok is never honoured */
    return auth_outcome(ctx, &res, pw);
}

/* Nothing to establish.  Always PAM_SUCCESS, as pam_unix does: sshd calls
 * setcred in a process where auth never ran (public keys, privilege
 * separation), and PAM_IGNORE would fail stacks written "default=die". */
int mod_setcred(struct mod_ctx *ctx)
{
    (void)ctx;
    return PAM_SUCCESS;
}
