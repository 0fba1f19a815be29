/* helper_auth.c - who the caller is and what they may do.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The caller is the real uid at start-up, nothing else (kept in
 * hx->caller_uid: a privileged helper then makes its real uid 0, so the
 * caller cannot signal it).  Root may do everything.  A
 * member of admin_group (primary group or supplementary, from the account
 * database, not from the process's groups) may act on ordinary accounts
 * only: never on uid 0, on a uid outside UID_MIN..UID_MAX of
 * login_defs (system and service accounts), on members of a group of
 * protected_groups or of admin_group, or on protected_users.  Anyone else
 * may verify, change or read only their own account.  Every refusal is one
 * permission_denied audit event.
 */
#include "config.h"

#include <fcntl.h>
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
    /* From here on the caller is hx->caller_uid, never getuid():
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

/* Every group login belongs to, per the account database (NSS): the count,
 * or -1 (lookup failed or out of memory).  *groups is stackbuf or heap. */
static int group_list(const char *login, gid_t gid, gid_t *stackbuf, int nbuf,
                      gid_t **groups)
{
    int n = nbuf;

    *groups = stackbuf;
    if (getgrouplist(login, gid, stackbuf, &n) >= 0)
        return n;
    if (n <= 0 || n > 65536)
        return -1;
    *groups = calloc((size_t)n, sizeof(**groups));
    if (*groups == NULL || getgrouplist(login, gid, *groups, &n) < 0) {
        free(*groups);
        *groups = stackbuf;
        return -1;
    }
    return n;
}

static int in_group_list(const char *login, gid_t gid, gid_t want)
{
    gid_t stackbuf[64], *groups;
    int n = group_list(login, gid, stackbuf, 64, &groups), i, found = 0;

    for (i = 0; i < n && !found; i++)
        found = groups[i] == want;
    if (groups != stackbuf)
        free(groups);
    return found;
}

/* 1 if login (primary group gid) is in a group of protected_groups; also
 * 1 when its groups cannot be listed (fail closed). */
static int in_protected_group(const struct hx *hx, const char *login,
                              gid_t gid)
{
    gid_t stackbuf[64], *groups;
    int n, i, found;
    size_t j;

    if (hx->n_prot_gids == 0)
        return 0;
    n = group_list(login, gid, stackbuf, 64, &groups);
    found = n < 0;
    for (i = 0; i < n && !found; i++)
        for (j = 0; j < hx->n_prot_gids && !found; j++)
            found = groups[i] == hx->prot_gids[j];
    if (groups != stackbuf)
        free(groups);
    return found;
}

#define LOGIN_DEFS_MAX (256 * 1024)

/* The number after "KEY" on a line of its own in login.defs, or dflt. */
static uid_t defs_value(const char *buf, const char *key, uid_t dflt)
{
    size_t klen = strlen(key);
    const char *p = buf;

    while (p != NULL && *p != '\0') {
        p += strspn(p, " \t");
        if (strncmp(p, key, klen) == 0 && (p[klen] == ' ' || p[klen] == '\t')) {
            char *end;
            unsigned long v = strtoul(p + klen, &end, 10);

            if (end != p + klen && v < 0xffffffffUL &&
                (*end == '\n' || *end == '\0' || *end == ' ' ||
                 *end == '\t'))
                return (uid_t)v;
        }
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return dflt;
}

static void load_uid_range(struct hx *hx)
{
    struct pwr_file_rules rules = { 0, 1, 0, 022, LOGIN_DEFS_MAX };
    struct pwr_err err;
    char *buf = NULL;
    size_t len = 0;
    int fd;

    hx->uid_min = 1000; /* shadow-utils' own defaults */
    hx->uid_max = 60000;
    fd = pwr_open_safely(hx->cfg.login_defs, O_RDONLY, 0, &rules, &err);
    if (fd < 0)
        return;
    if (pwr_read_fd(fd, LOGIN_DEFS_MAX, &buf, &len, &err) == 0) {
        hx->uid_min = defs_value(buf, "UID_MIN", hx->uid_min);
        hx->uid_max = defs_value(buf, "UID_MAX", hx->uid_max);
    }
    close(fd);
    free(buf);
}

static void load_protection(struct hx *hx)
{
    size_t i;

    if (hx->prot_loaded)
        return;
    hx->prot_loaded = 1;
    load_uid_range(hx);
    hx->n_prot_gids = 0;
    for (i = 0; i < hx->cfg.n_protected_groups && i < PWR_MAX_PROTECTED;
         i++) {
        const struct group *gr = getgrnam(hx->cfg.protected_groups[i]);

        if (gr != NULL)
            hx->prot_gids[hx->n_prot_gids++] = gr->gr_gid;
    }
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

const char *hx_protection(struct hx *hx, const char *login)
{
    struct passwd *pw;
    uid_t uid;
    gid_t gid;

    load_protection(hx);
    if (strcmp(login, "root") == 0)
        return "root";
    if (pwr_config_is_protected(&hx->cfg, login))
        return "listed in protected_users";
    pw = getpwnam(login);
    if (pw == NULL)
        return NULL;
    uid = pw->pw_uid; /* copy: the next lookups reuse NSS's buffer */
    gid = pw->pw_gid;
    if (uid == 0)
        return "uid 0";
    if (uid < hx->uid_min || uid > hx->uid_max)
        return "a system account: uid outside UID_MIN..UID_MAX";
    if (hx_in_admin_group(&hx->cfg, login, gid))
        return "a member of admin_group";
    if (in_protected_group(hx, login, gid))
        return "a member of a group in protected_groups";
    return NULL;
}

int hx_protected(struct hx *hx, const char *login)
{
    return hx_protection(hx, login) != NULL;
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
    const char *why;

    if (!pwr_login_valid(login))
        return pwr_fail(err, PWR_E_USAGE, "invalid login name");
    if (hx->is_root)
        return 0;
    if (hx_require_admin(hx, login, err) < 0)
        return -1;
    if (getpwnam(login) == NULL)
        return pwr_fail(err, PWR_E_NOENT, "no such user '%s'", login);
    why = hx_protection(hx, login);
    if (why != NULL)
        return hx_deny(hx, login, "protected_account", err,
                       "permission denied: '%s' is a protected account "
                       "(%s); only root may act on it", login, why);
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
