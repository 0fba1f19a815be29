/* mod_account.c - the account stage: status (blocked, inactive, deleted,
 * pending) and the forced change.  It runs for every login method,
 * SSH public keys included, so a blocked account is refused however it
 * authenticated; its message is shown only here, after correct credentials.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include "mod.h"
#include "pwr_notice.h"

static enum pwr_auth_method auth_method(struct mod_ctx *ctx)
{
    const void *data = NULL;

    if (pam_get_data(ctx->pamh, MOD_DATA_AUTH, &data) != PAM_SUCCESS ||
        data == NULL)
        return PWR_AM_NONE;
    return ((const struct mod_auth_info *)data)->method;
}

static int deny(struct mod_ctx *ctx, enum pwr_status status,
                const struct pwr_acct_result *ar)
{
    mod_error_msg(ctx, ar->message);
    mod_audit(ctx, "login_denied", "reason", ar->reason, "result", "failure",
              NULL);
    return status == PWR_ST_INACTIVE ? PAM_ACCT_EXPIRED : PAM_PERM_DENIED;
}

int mod_account(struct mod_ctx *ctx)
{
    struct pwr_acct_result ar;
    struct pwr_record rec;
    enum pwr_auth_method method;
    enum pwr_status status;
    char notice[2 * PWR_TEXT_MAX];
    int rc, found;

    rc = mod_get_user(ctx);
    if (rc != PAM_SUCCESS)
        return rc;
    found = mod_lookup(ctx, &rec);
    if (found < 0)
        return PAM_AUTHINFO_UNAVAIL; /* fail closed */
    if (found == 0)
        return PAM_USER_UNKNOWN;
    method = auth_method(ctx);
    pwr_account_check(&rec, method, &ctx->cfg, pwr_now(), &ar);
    status = rec.status;
    (void)pwr_notice_format(&rec, ctx->cfg.contact, notice, sizeof(notice));
    pwr_record_wipe(&rec);
    if (ar.decision != PWR_ACCT_DENY) /* once, after admin actions */
        mod_notice_show(ctx, notice, ar.decision == PWR_ACCT_ALLOW);
    switch (ar.decision) {
    case PWR_ACCT_DENY:
        return deny(ctx, status, &ar);
    case PWR_ACCT_CHANGE:
        rc = mod_pending_change(ctx, method, &ar);
        if (rc >= 0)
            return rc;
        mod_error_msg(ctx, ar.message);
        mod_audit(ctx, "login_allowed", "result", "change_required", "reason",
                  ar.reason, "method", pwr_auth_method_name(method), NULL);
        return PAM_NEW_AUTHTOK_REQD;
    case PWR_ACCT_ALLOW:
        mod_info(ctx, ar.message); /* e.g. the max_age warning */
        break;
    }
    mod_audit(ctx, "login_allowed", "result", "success", "method",
              pwr_auth_method_name(method), NULL);
    return PAM_SUCCESS;
}
