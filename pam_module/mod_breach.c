/* mod_breach.c - breach_check_at_login: a correct password that
 * is in the configured breached list lets this login through, but flags the
 * account must_change at once (through the helper), so the next login
 * forces the change.  The user is told why.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Why not force the change in this very login: the check runs at auth,
 * before we know whether the login can change anything (a non-interactive
 * sshd password login cannot), and the issue asks that the login succeed.
 * The flag is in the store before the auth stage returns, so no later
 * login escapes it, whatever happens to this one.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "mod.h"

static void cleanup_none(pam_handle_t *pamh, void *data, int status)
{
    (void)pamh;
    (void)data;
    (void)status;
}

/* 1 this request set the flag, 0 it was already set, -1 error. */
static int flag_account(struct mod_ctx *ctx)
{
    struct pwr_msg req, rep;
    const char *flagged;
    enum pwr_code code;
    int rc = -1;

    if (mod_helper_req(ctx, "breach_flag", &req) < 0)
        return -1;
    code = mod_helper_run(ctx, &req, &rep);
    flagged = pwr_msg_get(&rep, "flagged");
    if (code == PWR_OK && flagged != NULL)
        rc = flagged[0] == '1';
    else
        mod_log_err(ctx, "helper breach_flag: %s", pwr_code_name(code));
    pwr_msg_free(&rep);
    return rc;
}

void mod_breach_at_login(struct mod_ctx *ctx, enum pwr_auth_method method,
                         const char *pw)
{
    static const char marker[] = "breach";
    struct pwr_err err;
    char msg[PWR_TEXT_MAX + 192];
    int found = 0, flagged;

    /* The helper takes breach_flag from root only; a caller that cannot
     * read the store (su run by a user) could only earn a refusal. */
    if (!ctx->cfg.breach_check_at_login || ctx->cfg.breached_list[0] == '\0' ||
        method != PWR_AM_PASSWORD || !mod_store_readable(ctx))
        return;
    if (pwr_breach_lookup(ctx->cfg.breached_list, pw, &found, &err) < 0) {
        mod_log_err(ctx, "breached list: %s", err.msg);
        return;
    }
    if (!found || (flagged = flag_account(ctx)) < 0)
        return;
    /* Only the login that found it goes through; once flagged, the
     * account stage forces the change as for any flagged account. */
    if (flagged)
        (void)pam_set_data(ctx->pamh, MOD_DATA_BREACH,
                           (void *)(uintptr_t)marker, cleanup_none);
    snprintf(msg, sizeof(msg),
             "Your password appears in a list of passwords exposed in data "
             "breaches, so others may know it. %s",
             flagged ? "You must choose a new one at your next login; run "
                       "passwd now to do it at once."
                     : "You must choose a new one now.");
    mod_error_msg(ctx, msg);
}
