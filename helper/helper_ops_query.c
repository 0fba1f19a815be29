/* helper_ops_query.c - the status op: what the store holds about
 * accounts, and in plain words whether a login would succeed and why not.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Root and admin_group members may read every account (reading changes
 * nothing, and the helpdesk needs to see why root's login fails too);
 * anyone else only their own.  Hashes never leave the helper.  The reply
 * holds one group of keys per account, each group starting with "user",
 * streamed to the caller as the groups fill frames: a list of any length
 * is complete, in login order without names, in the order given with.
 * The decision is the documented stack's, pam_pwreset then the shadow lock
 * and pam_unix's account stage (helper_shadow.c), and the shadow keys say
 * what /etc/shadow holds.  The keys themselves are pwr_status_msg.c's.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "helper.h"
#include "pwr_decide.h"
#include "pwr_hash.h"
#include "pwr_rotate.h"
#include "pwr_status_msg.h"

#define DAY 86400 /* seconds; /etc/shadow counts days */

static void store_decision(struct hx *hx, const struct pwr_record *rec,
                           struct pwr_acct_result *ar)
{
    memset(ar, 0, sizeof(*ar));
    pwr_account_check(rec, PWR_AM_NONE, &hx->cfg, hx->now, ar);
    if (ar->decision == PWR_ACCT_DENY || rec->status != PWR_ST_ACTIVE)
        return;
    if (!pwr_hash_usable(rec->hash) &&
        !pwr_record_code_live(rec, hx->now, hx->cfg.reset_code_max_attempts)) {
        ar->decision = PWR_ACCT_DENY;
        ar->reason = "no_password";
        snprintf(ar->message, sizeof(ar->message),
                 "No password is set yet: an administrator must set one "
                 "(pwreset set-password) or issue a reset code.");
    } else if ((rec->flags & PWR_F_TEMPORARY) && rec->temp_expires != 0 &&
               hx->now >= rec->temp_expires) {
        ar->decision = PWR_ACCT_DENY;
        ar->reason = "temporary_expired";
        snprintf(ar->message, sizeof(ar->message),
                 "The temporary password has expired: ask for a new one.");
    }
}

static void login_decision(struct hx *hx, const struct pwr_record *rec,
                           const struct hx_shadow *sh,
                           struct pwr_acct_result *ar)
{
    store_decision(hx, rec, ar);
    hx_shadow_decide(sh, hx->now, ar);
}

/* What /etc/shadow holds: dates as epoch seconds, -1 for none. */
static void shadow_fields(const struct hx_shadow *sh,
                          struct pwr_status_acct *a)
{
    a->shadow_known = sh->known;
    a->shadow_locked = sh->locked;
    a->shadow_password = !sh->nopass;
    a->shadow_expires = sh->expire < 0 ? -1 : sh->expire * DAY;
    a->shadow_last_change = sh->lastchg < 0 ? -1 : sh->lastchg * DAY;
    a->shadow_max_days = sh->max;
    a->shadow_inactive_days = sh->inact;
}

static void store_fields(struct hx *hx, const struct pwr_record *rec,
                         struct pwr_status_acct *a)
{
    (void)pwr_strlcpy(a->user, rec->login, sizeof(a->user));
    a->status = rec->status;
    a->flags = rec->flags;
    a->has_password = pwr_hash_usable(rec->hash);
    a->changed = rec->changed;
    a->temp_expires = rec->temp_expires;
    a->code_live = pwr_record_code_live(rec, hx->now,
                                        hx->cfg.reset_code_max_attempts);
    a->code_expires = rec->code_expires;
    a->code_tries = rec->code_tries;
    a->status_changed = rec->status_changed;
    (void)pwr_strlcpy(a->reason, rec->reason, sizeof(a->reason));
    a->created = rec->created;
    /* when the password reaches max_age (0: no rotation), and the
     * admin-action notice still waiting for the next login */
    (void)pwr_rotate_check(rec, &hx->cfg, hx->now, &a->password_expires);
    (void)pwr_strlcpy(a->notice, rec->notice, sizeof(a->notice));
}

static int account_keys(struct hx *hx, const struct pwr_record *rec,
                        struct pwr_err *err)
{
    struct pwr_status_acct a;
    struct pwr_acct_result ar;
    struct hx_shadow sh;

    memset(&a, 0, sizeof(a));
    (void)hx_shadow_get(rec->login, &sh);
    login_decision(hx, rec, &sh, &ar);
    store_fields(hx, rec, &a);
    a.login = ar.decision;
    (void)pwr_strlcpy(a.login_reason, ar.reason, sizeof(a.login_reason));
    (void)pwr_strlcpy(a.login_message, ar.message, sizeof(a.login_message));
    shadow_fields(&sh, &a);
    return pwr_status_msg_add(&hx->out, &a, err);
}

int hx_status_group(struct hx *hx, const struct pwr_record *rec,
                    struct pwr_err *err)
{
    size_t mark = hx_out_mark(hx);

    if (account_keys(hx, rec, err) < 0)
        return -1;
    hx_out_group_end(hx, mark);
    return 0;
}

/* 0 to go on, -1 error. */
static int add_account(struct hx *hx, const struct pwr_record *rec,
                       struct pwr_err *err)
{
    if (hx_status_group(hx, rec, err) < 0)
        return -1;
    hx->listed++;
    return 0;
}

static int visit(const struct pwr_record *rec, void *arg, struct pwr_err *err)
{
    return add_account(arg, rec, err);
}

/* 1 found (rec filled), or -1 PWR_E_NOENT. */
static int find(struct hx *hx, const char *login, struct pwr_record *rec,
                struct pwr_err *err)
{
    int found = pwr_store_lookup(hx->store, login, rec, err);

    if (found == 0)
        return pwr_fail(err, PWR_E_NOENT,
                        "'%s' is not managed by pwreset (not in the store)",
                        login);
    return found;
}

static int named(struct hx *hx, const char *login, int emit,
                 struct pwr_err *err)
{
    struct pwr_record rec;
    int rc = find(hx, login, &rec, err);

    if (rc < 0)
        return -1;
    rc = emit ? add_account(hx, &rec, err) : 0;
    pwr_record_wipe(&rec);
    return rc;
}

/* The named accounts, in the order given.  Every name is looked up before
 * the first is listed: the reply streams, and a missing name must fail
 * the request before any account went out. */
static int named_all(struct hx *hx, struct pwr_err *err)
{
    const struct pwr_msg *req = hx->req;
    int pass, rc = 0;
    size_t i;

    for (pass = 0; pass < 2 && rc == 0; pass++)
        for (i = 0; i < req->n && rc == 0; i++)
            if (strcmp(req->fields[i].key, "user") == 0)
                rc = named(hx, req->fields[i].value, pass, err);
    return rc;
}

/* Check every "user" of the request; their number in *n. */
static int check_names(struct hx *hx, size_t *n, struct pwr_err *err)
{
    int reader = hx->is_root || hx->is_admin;
    size_t i;

    *n = 0;
    for (i = 0; i < hx->req->n; i++) {
        const char *u = hx->req->fields[i].value;

        if (strcmp(hx->req->fields[i].key, "user") != 0)
            continue;
        (*n)++;
        if (!pwr_login_valid(u))
            return pwr_fail(err, PWR_E_USAGE, "invalid login name");
        if (!reader && hx_may_self(hx, u, err) < 0)
            return -1;
    }
    return 0;
}

int hx_op_status(struct hx *hx, struct pwr_err *err)
{
    int reader = hx->is_root || hx->is_admin, rc;
    size_t n;

    if (check_names(hx, &n, err) < 0 || hx_open_store(hx, 0, err) < 0)
        return -1;
    if (n > 64 || (n == 0 && reader))
        hx_shadow_preload(n == 0);
    if (n > 0)
        rc = named_all(hx, err);
    else if (reader)
        rc = pwr_store_foreach(hx->store, visit, hx, err);
    else
        rc = hx->caller_has_login ? named(hx, hx->caller, 1, err)
                                  : pwr_fail(err, PWR_E_NOENT,
                                             "you have no login name");
    if (rc == 0 && reader)
        rc = hx_policy_warning(hx, err);
    if (rc == 0 && reader && hx->cfg_problems > 0)
        rc = hx_outf(hx, "warning", err, "%s has %u problem(s), the defaults "
                     "are used for them: run pwreset check-config",
                     hx->config_path, hx->cfg_problems);
    if (rc < 0)
        return -1;
    hx_set_message(hx, "%zu account(s)", hx->listed);
    return 0;
}
