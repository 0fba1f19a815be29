/* mod_notice.c - the account stage shows the one-time notice of an admin
 * action (SPEC F20) and has the helper forget it.
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
 */
#include "config.h"

#include "mod.h"

void mod_notice_show(struct mod_ctx *ctx, const char *text, int forget)
{
    struct pwr_msg req, rep;
    enum pwr_code code;

    if (text[0] == '\0' || (ctx->flags & PAM_SILENT))
        return;
    if (pam_info(ctx->pamh, "%s", text) != PAM_SUCCESS || !forget)
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
