/* helper_auth.c - who the caller is and what they may do (SPEC F11).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The caller is the real uid at start-up, nothing else (kept in
 * hx->caller_uid: a privileged helper then makes its real uid 0, so the
 * caller cannot signal it).  Root may do everything.  A
 * member of admin_group (primary group or supplementary, from the account
 * database, not from the process's groups) may act on ordinary accounts
 * only: never on uid 0, on members of admin_group, or on protected_users.
 * Anyone else may verify, change or read only their own account.  Every
 * refusal is one permission_denied audit event.
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "pwr_util.h"

void hx_identify(struct hx *hx)
{
    struct passwd *pw;

    hx->caller_uid = getuid();
    hx->is_root = hx->caller_uid == 0;
    hx->privileged = geteuid() == 0 && !hx->is_root;
    hx->path_allowed = hx->is_root ||
                       (geteuid() == getuid() && getegid() == getgid());
    /* issue 13: from here on the caller is hx->caller_uid, never getuid():
     * a process whose real uid is still the caller's can be stopped
     * (SIGSTOP) or killed by the caller while it holds a lock or between a
     * change and its audit event.  As sudo, doas and passwd do. */
    if (hx->privileged)
        hx_become_root();
    pw = getpwuid(hx->caller_uid);
    if (pw != NULL && pwr_login_valid(pw->pw_name) &&
        pwr_strlcpy(hx->caller, pw->pw_name, sizeof(hx->caller)) == 0) {
        hx->caller_has_login = 1;
        hx->caller_gid = pw->pw_gid;
        return;
    }
    snprintf(hx->caller, sizeof(hx->caller), "#%u",
             (unsigned)hx->caller_uid);
}

/* Every group login belongs to, per the account database (NSS). */
static int in_group_list(const char *login, gid_t gid, gid_t want)
{
    gid_t stackbuf[64], *groups = stackbuf;
    int n = (int)PWR_ARRAY_SIZE(stackbuf), i, found = 0;

    if (getgrouplist(login, gid, groups, &n) < 0) {
        if (n <= 0 || n > 65536)
            return 0;
        groups = calloc((size_t)n, sizeof(*groups));
        if (groups == NULL || getgrouplist(login, gid, groups, &n) < 0) {
            free(groups);
            return 0;
        }
    }
    for (i = 0; i < n && !found; i++)
        found = groups[i] == want;
    if (groups != stackbuf)
        free(groups);
    return found;
}

int hx_in_admin_group(const struct pwr_config *cfg, const char *login,
                      gid_t gid)
{
    struct group *gr;
    size_t i;

    if (cfg->admin_group[0] == '\0')
        return 0;
    gr = getgrnam(cfg->admin_group);
    if (gr == NULL)
        return 0;
    if (gr->gr_gid == gid)
        return 1;
    for (i = 0; gr->gr_mem != NULL && gr->gr_mem[i] != NULL; i++)
        if (strcmp(gr->gr_mem[i], login) == 0)
            return 1;
    return in_group_list(login, gid, gr->gr_gid);
}

int hx_protected(const struct hx *hx, const char *login)
{
    struct passwd *pw;

    if (strcmp(login, "root") == 0 ||
        pwr_config_is_protected(&hx->cfg, login))
        return 1;
    pw = getpwnam(login);
    if (pw == NULL)
        return 0;
    return pw->pw_uid == 0 || hx_in_admin_group(&hx->cfg, login, pw->pw_gid);
}

int hx_deny(struct hx *hx, const char *user, const char *reason,
            struct pwr_err *err, const char *fmt, ...)
{
    struct pwr_audit a;
    va_list ap;

    hx_audit_begin(hx, &a, "permission_denied",
                   user != NULL && pwr_login_valid(user) ? user : NULL);
    pwr_audit_add(&a, "reason", reason);
    if (hx->op != NULL)
        pwr_audit_add(&a, "detail", hx->op);
    hx_audit_send(hx, &a, 1);
    err->code = PWR_E_PERM;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

int hx_require_admin(struct hx *hx, const char *user, struct pwr_err *err)
{
    if (hx->is_root || hx->is_admin)
        return 0;
    if (hx->cfg.admin_group[0] == '\0')
        return hx_deny(hx, user, "not_admin", err,
                       "permission denied: only root may do this");
    return hx_deny(hx, user, "not_admin", err,
                   "permission denied: only root or members of group '%s' "
                   "may do this", hx->cfg.admin_group);
}

int hx_may_manage(struct hx *hx, const char *login, struct pwr_err *err)
{
    if (!pwr_login_valid(login))
        return pwr_fail(err, PWR_E_USAGE, "invalid login name");
    if (hx->is_root)
        return 0;
    if (hx_require_admin(hx, login, err) < 0)
        return -1;
    if (getpwnam(login) == NULL)
        return pwr_fail(err, PWR_E_NOENT, "no such user '%s'", login);
    if (hx_protected(hx, login))
        return hx_deny(hx, login, "protected_account", err,
                       "permission denied: '%s' is a protected account "
                       "(root, an administrator or listed in "
                       "protected_users); only root may change it", login);
    return 0;
}

int hx_may_self(struct hx *hx, const char *login, struct pwr_err *err)
{
    if (!pwr_login_valid(login))
        return pwr_fail(err, PWR_E_USAGE, "invalid login name");
    if (hx->is_root ||
        (hx->caller_has_login && strcmp(login, hx->caller) == 0))
        return 0;
    return hx_deny(hx, login, "not_own_account", err,
                   "permission denied: you may only act on your own account");
}
