/* mod_conv.c - talking to the user through the application's conversation
 * function: prompts without echo, informational and error lines.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdlib.h>

#include "mod.h"

int mod_prompt(struct mod_ctx *ctx, const char *prompt, char **answer)
{
    char *resp = NULL;
    int rc;

    *answer = NULL;
    rc = pam_prompt(ctx->pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s", prompt);
    if (rc != PAM_SUCCESS)
        return rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : rc;
    if (resp == NULL)
        return PAM_CONV_ERR;
    *answer = resp;
    return PAM_SUCCESS;
}

void mod_info(struct mod_ctx *ctx, const char *text)
{
    if ((ctx->flags & PAM_SILENT) || ctx->opts.quiet || text[0] == '\0')
        return;
    pam_info(ctx->pamh, "%s", text);
}

void mod_error_msg(struct mod_ctx *ctx, const char *text)
{
    if ((ctx->flags & PAM_SILENT) || text[0] == '\0')
        return;
    pam_error(ctx->pamh, "%s", text);
}
