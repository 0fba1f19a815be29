/* mod_notice.c - the account stage shows the one-time notice of an admin
 * action and has the helper forget it.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The helper runs only when a notice is pending, so an ordinary login costs
 * nothing more.  The notice is shown even with the quiet option (it is the
 * user's only hint of a reset they did not ask for), never under
 * PAM_SILENT; a notice that could not be shown is kept for the next login.
 * When the login must change the password, the notice is shown but not
 * forgotten here: the change that completes the admin action forgets it in
 * its own store write (the helper's chauthtok), so a forced change is one
 * write, not two, and a change left undone shows the notice again.
 *
 * The change forgets it only when its handle has shown it (MOD_DATA_NOTICE).
 * A change made in a handle whose account stage did not run (passwd, which
 * sshd runs after a password login that needs a change) shows the notice
 * itself first; a change that cannot show it (PAM_SILENT, root's passwd
 * USER, the CLI) leaves it for the next login.
 */
#include "config.h"

#include "mod.h"
#include "pwr_notice.h"

static char shown_marker; /* its address is the pam_set_data value */

static void mark_shown(struct mod_ctx *ctx)
{
    if (pam_set_data(ctx->pamh, MOD_DATA_NOTICE, &shown_marker, NULL) !=
        PAM_SUCCESS)
        mod_log_err(ctx, "pam_set_data %s failed", MOD_DATA_NOTICE);
}

int mod_notice_shown(struct mod_ctx *ctx)
{
    const void *data = NULL;

    return pam_get_data(ctx->pamh, MOD_DATA_NOTICE, &data) == PAM_SUCCESS &&
           data != NULL;
}

void mod_notice_show(struct mod_ctx *ctx, const char *text, int forget)
{
    struct pwr_msg req, rep;
    enum pwr_code code;

    if (text[0] == '\0' || (ctx->flags & PAM_SILENT))
        return;
    if (pam_info(ctx->pamh, "%s", text) != PAM_SUCCESS)
        return;
    mark_shown(ctx);
    if (!forget)
        return;
    if (mod_helper_req(ctx, "notice_seen", &req) < 0)
        return;
    code = mod_helper_run(ctx, &req, &rep);
    if (code != PWR_OK)
        mod_log_err(ctx, "helper notice_seen: %s",
                    pwr_msg_get(&rep, "message") ? pwr_msg_get(&rep, "message")
                                                 : pwr_code_name(code));
    pwr_msg_free(&rep);
}

void mod_notice_before_change(struct mod_ctx *ctx,
                              const struct pwr_record *rec)
{
    char text[2 * PWR_TEXT_MAX];

    if (mod_notice_shown(ctx) || !pwr_notice_completed_by_change(rec))
        return;
    (void)pwr_notice_format(rec, ctx->cfg.contact, text, sizeof(text));
    mod_notice_show(ctx, text, 0);
}
