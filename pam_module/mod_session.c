/* mod_session.c - the optional session stage: informational only.  It
 * tells a user whose temporary password will expire when that happens.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdio.h>

#include "mod.h"

int mod_open_session(struct mod_ctx *ctx)
{
    struct pwr_record rec;
    char when[64], msg[160];
    int found;

    if (mod_get_user(ctx) != PAM_SUCCESS)
        return PAM_IGNORE;
    found = mod_lookup(ctx, &rec);
    if (found <= 0)
        return PAM_IGNORE;
    if ((rec.flags & PWR_F_TEMPORARY) && rec.temp_expires > 0) {
        pwr_format_time(rec.temp_expires, when, sizeof(when));
        snprintf(msg, sizeof(msg),
                 "Your temporary password expires on %s: choose your own "
                 "with passwd.", when);
        mod_info(ctx, msg);
    }
    pwr_record_wipe(&rec);
    return PAM_SUCCESS;
}
