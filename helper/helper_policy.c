/* helper_policy.c - apply the new-password policy (SPEC F15) for the ops
 * that set a typed password (chauthtok, set_password).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "helper.h"
#include "pwr_policy.h"

/* The owner hears "your login name"; anyone setting another account's
 * password hears "the account's login name". */
static enum pwr_voice voice_for(const struct hx *hx, const char *login)
{
    int own = (hx->self_actor != NULL && strcmp(hx->self_actor, login) == 0) ||
              (hx->caller_has_login && strcmp(hx->caller, login) == 0);

    return own ? PWR_VOICE_OWNER : PWR_VOICE_ADMIN;
}

static int reject(struct hx *hx, const char *login,
                  const struct pwr_policy *pol, unsigned mask,
                  struct pwr_err *err)
{
    char reasons[256], text[1024];
    struct pwr_audit a;

    pwr_policy_reasons(mask, reasons, sizeof(reasons));
    pwr_policy_describe(pol, mask, voice_for(hx, login), text, sizeof(text));
    hx_audit_begin(hx, &a, "policy_rejected", login);
    pwr_audit_add(&a, "reason", reasons);
    pwr_audit_add(&a, "detail", hx->op);
    hx_audit_send(hx, &a, 0);
    if (hx_out(hx, "violations", reasons, err) < 0)
        return -1;
    return pwr_fail(err, PWR_E_POLICY, "password rejected: %s", text);
}

int hx_check_policy(struct hx *hx, const char *login, const char *pw,
                    const char *current_hash, int allow_reuse,
                    struct pwr_err *err)
{
    struct pwr_policy pol;
    struct pwr_policy_input in;
    char full_name[PWR_TEXT_MAX];
    unsigned mask = 0;

    pwr_config_policy(&hx->cfg, &pol);
    hx_full_name(login, full_name, sizeof(full_name));
    memset(&in, 0, sizeof(in));
    in.password = pw;
    in.login = login;
    in.full_name = full_name[0] != '\0' ? full_name : NULL;
    in.current_hash = current_hash != NULL && current_hash[0] != '\0'
                          ? current_hash
                          : NULL;
    if (pwr_policy_check(&pol, &in, &mask, err) < 0) {
        err->code = PWR_E_CONFIG;
        return -1;
    }
    if (allow_reuse)
        mask &= ~PWR_POL_SAME_AS_CURRENT;
    if (mask == 0)
        return 0;
    return reject(hx, login, &pol, mask, err);
}
