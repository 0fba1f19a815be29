/* helper_history.c - refuse a password used recently for the
 * ops that set a typed password (chauthtok, set_password), and keep the
 * history when a password is replaced.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Kept apart from the policy rules of pwr_policy.h: those look at the
 * password alone, this one needs the record's earlier hashes.  A refusal is
 * reported like a policy one (event policy_rejected, reply key violations,
 * PWR_E_POLICY) with its own reason code, reused_recently.
 */
#include "config.h"

#include <string.h>

#include "helper.h"
#include "pwr_history.h"

int hx_check_history(struct hx *hx, const char *login, const char *pw,
                     const char *history, int allow_reuse,
                     struct pwr_err *err)
{
    int found;

    if (hx->cfg.history == 0 || allow_reuse || history == NULL ||
        history[0] == '\0')
        return 0;
    found = pwr_history_contains(history, hx->cfg.history, pw, err);
    if (found < 0) {
        err->code = PWR_E_INTERNAL;
        return -1;
    }
    if (found == 0)
        return 0;
    if (hx_policy_rejected(hx, login, "reused_recently", err) < 0)
        return -1;
    return pwr_fail(err, PWR_E_POLICY,
                    "password rejected: It was used recently; choose one "
                    "you have not used before");
}

/* A temporary password is the administrator's, not the user's: it never
 * enters the history (nor would refusing it later protect anyone). */
void hx_history_keep(struct hx *hx, struct pwr_record *rec)
{
    const char *old = (rec->flags & PWR_F_TEMPORARY) ? NULL : rec->hash;

    pwr_history_push(rec->history, sizeof(rec->history), old,
                     hx->cfg.history);
}
