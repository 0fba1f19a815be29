/* mod_grace.c - a pending forced change where no change can happen now:
 * service exemptions and grace logins.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The change can happen now when our auth stage ran in this same PAM handle
 * (keyboard-interactive in sshd, login, su, sudo): chauthtok follows in it.
 * When it did not (an SSH public key, host-based or GSSAPI login), sshd
 * would run passwd later only if the session gets a terminal, and at the
 * account stage nothing tells whether it will (sshd sets PAM_TTY to "ssh"
 * for every connection), so sftp, scp and "ssh host cmd" would end with
 * "Password change required but no TTY available".  For those logins
 * grace_logins lets the user in N times, each time told what to run and
 * audited; the count is spent in the store by the helper, atomically.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mod.h"

/* 1 granted (remaining set), 0 none left, -1 could not ask. */
static int spend_grace(struct mod_ctx *ctx, unsigned *remaining)
{
    struct pwr_msg req, rep;
    const char *granted, *left;
    enum pwr_code code;
    int rc = -1;

    if (mod_helper_req(ctx, "grace_used", &req) < 0)
        return -1;
    code = mod_helper_run(ctx, &req, &rep);
    granted = pwr_msg_get(&rep, "granted");
    left = pwr_msg_get(&rep, "remaining");
    if (code == PWR_OK && granted != NULL && left != NULL) {
        *remaining = (unsigned)strtoul(left, NULL, 10);
        rc = strcmp(granted, "1") == 0;
    } else {
        mod_log_err(ctx, "helper grace_used: %s", pwr_code_name(code));
    }
    pwr_msg_free(&rep);
    return rc;
}

static int exempt(struct mod_ctx *ctx, const struct pwr_acct_result *ar)
{
    char msg[sizeof(ar->message) + 320];

    snprintf(msg, sizeof(msg),
             "%s Run passwd to change it; %.200s does not require it now.",
             ar->message, ctx->service);
    mod_info(ctx, msg);
    mod_audit(ctx, "login_allowed", "result", "success", "reason",
              "exempt_service", "pending", ar->reason, NULL);
    return PAM_SUCCESS;
}

static int granted(struct mod_ctx *ctx, unsigned remaining)
{
    char msg[256];

    snprintf(msg, sizeof(msg),
             "Your password must be changed: run passwd now. %u login%s "
             "left before you are refused.", remaining,
             remaining == 1 ? "" : "s");
    mod_error_msg(ctx, msg);
    mod_audit(ctx, "login_allowed", "result", "success", "reason",
              "grace_login", NULL);
    return PAM_SUCCESS;
}

static int exhausted(struct mod_ctx *ctx)
{
    char msg[PWR_TEXT_MAX + 256];

    snprintf(msg, sizeof(msg),
             "Your password must be changed and no grace logins are left. "
             "Log in interactively to change it (ssh -t, or a console), or "
             "ask %s.", ctx->cfg.contact);
    mod_error_msg(ctx, msg);
    mod_audit(ctx, "login_allowed", "result", "change_required", "reason",
              "grace_exhausted", "method", "none", NULL);
    return PAM_NEW_AUTHTOK_REQD;
}

/* auth of this handle has just flagged the account (mod_breach.c). */
static int breach_flagged_now(struct mod_ctx *ctx,
                              const struct pwr_acct_result *ar)
{
    const void *data = NULL;

    if (strcmp(ar->reason, "must_change") != 0 ||
        pam_get_data(ctx->pamh, MOD_DATA_BREACH, &data) != PAM_SUCCESS ||
        data == NULL)
        return 0;
    mod_audit(ctx, "login_allowed", "result", "success", "reason",
              "breach_flagged_now", NULL);
    return 1;
}

int mod_pending_change(struct mod_ctx *ctx, enum pwr_auth_method method,
                       const struct pwr_acct_result *ar)
{
    unsigned remaining = 0;
    int r;

    /* Only the flag: a reset code or temporary password must never work
     * as a lasting password through an exempt service. */
    if (strcmp(ar->reason, "must_change") == 0 &&
        pwr_config_is_exempt(&ctx->cfg, ctx->service))
        return exempt(ctx, ar);
    if (breach_flagged_now(ctx, ar))
        return PAM_SUCCESS; /* told at auth; the next login changes */
    /* grace_used is root's (the store reader's) op, as for breach_flag */
    if (method != PWR_AM_NONE || ctx->cfg.grace_logins == 0 ||
        strcmp(ar->reason, "must_change") != 0 || !mod_store_readable(ctx))
        return -1; /* change now, as always */
    r = spend_grace(ctx, &remaining);
    if (r > 0)
        return granted(ctx, remaining);
    if (r == 0)
        return exhausted(ctx);
    return -1;
}
