/* helper_policy.c - apply the new-password policy for the ops
 * that set a typed password (chauthtok, set_password), and refuse the ops
 * that would leave a user at a forced change the policy cannot check.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Rule (fail closed): an action whose follow-up is a password change
 * by the user (temp-password, a must-change set-password, force-reset,
 * reset-code, enrol --pending) MUST be refused while a word list of the
 * policy (blocklist, breached_list) cannot be used: the user would be stuck
 * at "The password rules cannot be checked right now".  status warns.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

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

int hx_policy_rejected(struct hx *hx, const char *login, const char *reasons,
                       struct pwr_err *err)
{
    struct pwr_audit a;

    hx_audit_begin(hx, &a, "policy_rejected", login);
    pwr_audit_add(&a, "reason", reasons);
    pwr_audit_add(&a, "detail", hx->op);
    hx_audit_send(hx, &a, 0);
    return hx_out(hx, "violations", reasons, err);
}

void hx_store_policy_refused(struct hx *hx, const char *login,
                             struct pwr_err *err)
{
    const char *why = pwr_store_violation(hx->store);
    struct pwr_err scratch; /* err keeps the store's message */

    if (err->code == PWR_E_POLICY && why != NULL)
        (void)hx_policy_rejected(hx, login, why, &scratch);
}

static int reject(struct hx *hx, const char *login,
                  const struct pwr_policy *pol, unsigned mask,
                  struct pwr_err *err)
{
    char reasons[256], text[1024];

    pwr_policy_reasons(mask, reasons, sizeof(reasons));
    pwr_policy_describe(pol, mask, voice_for(hx, login), text, sizeof(text));
    if (hx_policy_rejected(hx, login, reasons, err) < 0)
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

/* 0 if every word list of the policy opens as a check would open it. */
static int lists_usable(const struct pwr_config *cfg, struct pwr_err *err)
{
    size_t i, size;
    int fd;

    for (i = 0; i < cfg->n_blocklist && i < PWR_POLICY_MAX_LISTS; i++) {
        fd = pwr_open_safely(cfg->blocklist[i], O_RDONLY, 0,
                             &pwr_word_list_rules, err);
        if (fd < 0)
            return -1;
        close(fd);
    }
    if (cfg->breached_list[0] == '\0')
        return 0;
    fd = pwr_breach_open(cfg->breached_list, &size, err);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

int hx_policy_ready(struct hx *hx, struct pwr_err *err)
{
    struct pwr_err why;

    if (lists_usable(&hx->cfg, &why) == 0)
        return 0;
    return pwr_fail(err, PWR_E_CONFIG, "refused: the user would have to "
                    "choose a new password, and the password rules cannot "
                    "be checked (%s); fix it, then run pwreset check-config",
                    why.msg);
}

int hx_policy_warning(struct hx *hx, struct pwr_err *err)
{
    struct pwr_err why;
    char text[sizeof(why.msg) + 256];

    if (lists_usable(&hx->cfg, &why) == 0)
        return 0;
    snprintf(text, sizeof(text), "the password rules cannot be checked (%s): "
             "password changes, temporary passwords, forced resets and reset "
             "codes are refused until it is fixed", why.msg);
    return hx_out(hx, "warning", text, err);
}
