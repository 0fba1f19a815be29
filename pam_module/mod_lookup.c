/* mod_lookup.c - how the module reads an account and checks a secret:
 * directly from the store when this process may read it (root: sshd, login,
 * su, passwd), otherwise through pwreset-helper, which answers only for the
 * caller's own account.  Every write goes through the helper.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Fail closed on a lost store or a bad configuration.  This file MUST:
 *  - never answer "not in the store" for a store that is expected but
 *    missing (pwr_expect.h: the marker lists it, or its backup is there):
 *    that is an error like a corrupt or unsafe store;
 *  - never answer "not in the store" when the configuration gives no
 *    usable store path (ctx->cfg_unusable), and refuse every account found
 *    in the store while the configuration is unsafe (ctx->cfg_unsafe);
 *  - log each such refusal once, at error priority, naming the file and
 *    the repair;
 *  - answer "not in the store" for uid 0 instead, so root keeps its normal
 *    path (pam_unix and /etc/shadow) and the host can be repaired.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <pwd.h>

#include "mod.h"
#include "pwr_expect.h"
#include "pwr_hash.h"
#include "pwr_secret.h"
#include "pwr_status_msg.h"
#include "pwr_store.h"

int mod_store_readable(const struct mod_ctx *ctx)
{
    /* The directory: only the helper talks to it (this module links no
     * LDAP library). */
    if (ctx->cfg.backend == PWR_BACKEND_LDAP)
        return 0;
    if (geteuid() == 0)
        return 1;
    if (access(ctx->cfg.store, R_OK) == 0)
        return 1;
    return errno == ENOENT; /* no store yet: nobody is in it */
}

int mod_helper_req(struct mod_ctx *ctx, const char *op, struct pwr_msg *req)
{
    struct pwr_err err;

    pwr_msg_init(req);
    if (pwr_msg_add(req, "op", op, &err) < 0 ||
        pwr_msg_add(req, "user", ctx->user, &err) < 0 ||
        (ctx->service && pwr_msg_add(req, "service", ctx->service, &err) < 0) ||
        (ctx->rhost && pwr_msg_add(req, "rhost", ctx->rhost, &err) < 0) ||
        (ctx->tty && pwr_msg_add(req, "tty", ctx->tty, &err) < 0) ||
        (ctx->opts.config_given &&
         pwr_msg_add(req, "config", ctx->opts.config_path, &err) < 0)) {
        mod_log_err(ctx, "helper request: %s", err.msg);
        pwr_msg_free(req);
        return -1;
    }
    return 0;
}

enum pwr_code mod_helper_run(struct mod_ctx *ctx, struct pwr_msg *req,
                             struct pwr_msg *rep)
{
    const char *op = pwr_msg_get(req, "op");
    struct pwr_err err;
    int rc;

    /* A status verify kept (keep_status) never outlives a request that
     * may change the account: the next look-up asks the helper again. */
    if (op == NULL || (strcmp(op, "verify") != 0 && strcmp(op, "status") != 0))
        (void)pam_set_data(ctx->pamh, MOD_DATA_STATUS, NULL, NULL);
    pwr_msg_init(rep);
    rc = pwr_helper_call(ctx->opts.helper_path, req, rep, &err);
    pwr_msg_free(req);
    if (rc < 0) {
        mod_log_err(ctx, "%s: %s", ctx->opts.helper_path, err.msg);
        return PWR_E_INTERNAL;
    }
    return pwr_msg_result(rep);
}

/* 1 if ctx->user is uid 0. */
static int user_is_root(const struct mod_ctx *ctx)
{
    struct passwd pw, *res = NULL;
    char buf[4096];

    return getpwnam_r(ctx->user, &pw, buf, sizeof(buf), &res) == 0 &&
           res != NULL && res->pw_uid == 0;
}

/* The store cannot tell whether ctx->user is in it: -1 (the caller
 * refuses), or 0 for root, who is left to the rest of the stack. */
static int cannot_tell(struct mod_ctx *ctx)
{
    if (!user_is_root(ctx))
        return -1;
    pam_syslog(ctx->pamh, LOG_WARNING, "uid 0 left to the rest of the PAM "
               "stack while the store cannot be used");
    return 0;
}

/* Log a store error with the repair when the message lacks one. */
static void log_store_error(struct mod_ctx *ctx, const struct pwr_err *err)
{
    char hint[2 * PWR_PATH_MAX + 64];

    if (err->code != PWR_E_STORE || strstr(err->msg, "repair:") != NULL) {
        mod_log_err(ctx, "store: %s", err->msg);
        return;
    }
    pwr_store_repair_hint(ctx->cfg.store, 0, hint, sizeof(hint));
    mod_log_err(ctx, "store: %s; repair: %s", err->msg, hint);
}

static int lookup_direct(struct mod_ctx *ctx, struct pwr_record *rec)
{
    struct pwr_store_opts so = {
        .path = ctx->cfg.store,
        .lock_timeout_ms = ctx->cfg.lock_timeout_ms,
    };
    struct pwr_store *st;
    struct pwr_err err;
    int rc;

    if (pwr_store_open(&st, &so, &err) < 0) {
        log_store_error(ctx, &err);
        return -1;
    }
    rc = pwr_store_lookup(st, ctx->user, rec, &err);
    pwr_store_close(st);
    if (rc == 0 && pwr_store_check_present(ctx->cfg.store,
                                           ctx->opts.config_path, 0,
                                           &err) < 0)
        rc = -1;
    if (rc < 0)
        log_store_error(ctx, &err);
    return rc;
}

/* Fill the fields the module needs from a helper "status" reply, which
 * must be about user. */
static int record_from_reply(struct mod_ctx *ctx, const struct pwr_msg *rep,
                             struct pwr_record *rec)
{
    size_t start = pwr_status_msg_next(rep, 0);
    struct pwr_status_acct a;
    struct pwr_err err;

    if (pwr_status_msg_read(rep, start, pwr_status_msg_next(rep, start + 1),
                            &a, &err) < 0) {
        mod_log_err(ctx, "helper status: %s", err.msg);
        return -1;
    }
    if (strcmp(a.user, ctx->user) != 0) {
        mod_log_err(ctx, "helper status: the reply is not about %s",
                    ctx->user);
        return -1;
    }
    pwr_record_init(rec, ctx->user);
    rec->status = a.status;
    rec->flags = a.flags;
    rec->changed = a.changed; /* for max_age */
    rec->temp_expires = a.temp_expires; /* an expired one is refused */
    /* The hash never leaves the helper: a password it holds (or the
     * directory checks) is the marker that verifies nothing here, so the
     * account is never taken for one that has no password yet. */
    if (a.has_password)
        snprintf(rec->hash, sizeof(rec->hash), "%s", PWR_HASH_ELSEWHERE);
    return 0;
}

/* The directory did not answer: tell the user, log the helper's reason
 * (it names the URI) once at error priority. */
static void unavailable(struct mod_ctx *ctx, const struct pwr_msg *rep)
{
    const char *why = pwr_msg_get(rep, "message");

    mod_error_msg(ctx, "account service unavailable, try again later");
    mod_log_err(ctx, "%s", why != NULL ? why : "account service unavailable");
}

static void cleanup_record(pam_handle_t *pamh, void *data, int status)
{
    (void)pamh;
    (void)status;
    pwr_record_wipe(data);
    free(data);
}

/* A successful verify's reply holds the account's status group: kept for
 * the account stage of this same PAM transaction (pam_set_data dies with
 * the handle), so one login runs the helper once.  Best effort. */
static void keep_status(struct mod_ctx *ctx, const struct pwr_msg *rep)
{
    struct pwr_record *rec;

    if (pwr_status_msg_next(rep, 0) >= rep->n)
        return;
    rec = calloc(1, sizeof(*rec));
    if (rec == NULL)
        return;
    if (record_from_reply(ctx, rep, rec) < 0 ||
        pam_set_data(ctx->pamh, MOD_DATA_STATUS, rec, cleanup_record) !=
            PAM_SUCCESS)
        cleanup_record(ctx->pamh, rec, 0);
}

/* The status verify kept, used once: 1 (rec filled) or 0 none. */
static int take_status(struct mod_ctx *ctx, struct pwr_record *rec)
{
    const void *data = NULL;

    if (pam_get_data(ctx->pamh, MOD_DATA_STATUS, &data) != PAM_SUCCESS ||
        data == NULL)
        return 0;
    if (strcmp(((const struct pwr_record *)data)->login, ctx->user) == 0) {
        *rec = *(const struct pwr_record *)data;
        (void)pam_set_data(ctx->pamh, MOD_DATA_STATUS, NULL, NULL);
        return 1;
    }
    (void)pam_set_data(ctx->pamh, MOD_DATA_STATUS, NULL, NULL);
    return 0;
}

static int lookup_helper(struct mod_ctx *ctx, struct pwr_record *rec)
{
    struct pwr_msg req, rep;
    enum pwr_code code;
    int rc = -1;

    if (take_status(ctx, rec))
        return 1;
    if (mod_helper_req(ctx, "status", &req) < 0)
        return -1;
    code = mod_helper_run(ctx, &req, &rep);
    if (code == PWR_E_NOENT)
        rc = 0;
    else if (code == PWR_OK)
        rc = record_from_reply(ctx, &rep, rec) == 0 ? 1 : -1;
    else if (code == PWR_E_UNAVAIL)
        unavailable(ctx, &rep);
    else
        mod_log_err(ctx, "helper status: %s",
                    pwr_msg_get(&rep, "message") ? pwr_msg_get(&rep, "message")
                                                 : pwr_code_name(code));
    pwr_msg_free(&rep);
    return rc;
}

static int lookup_any(struct mod_ctx *ctx, struct pwr_record *rec)
{
    int rc;

    if (ctx->cfg_unusable) {
        mod_log_err(ctx, "%s: no usable store setting (%s): every account "
                    "but root is refused; repair: fix the file, then run "
                    "pwreset check-config", ctx->opts.config_path,
                    ctx->cfg_problem);
        return -1;
    }
    rc = mod_store_readable(ctx) ? lookup_direct(ctx, rec)
                                 : lookup_helper(ctx, rec);
    if (rc == 1 && ctx->cfg_unsafe) {
        pwr_record_wipe(rec);
        mod_log_err(ctx, "%s: unsafe configuration (%s): every account in "
                    "the store is refused; repair: chown root:root %s && "
                    "chmod 644 %s", ctx->opts.config_path, ctx->cfg_problem,
                    ctx->opts.config_path, ctx->opts.config_path);
        return -1;
    }
    return rc;
}

int mod_lookup(struct mod_ctx *ctx, struct pwr_record *rec)
{
    int rc = lookup_any(ctx, rec);

    return rc < 0 ? cannot_tell(ctx) : rc;
}

static int code_shaped(const char *typed)
{
    char norm[PWR_SECRET_MAX];
    int shaped = pwr_code_normalize(typed, norm);

    pwr_wipe(norm, sizeof(norm));
    return shaped;
}

/* Tell the helper about a wrong code try so the store counts it. */
static void report_code_try(struct mod_ctx *ctx)
{
    struct pwr_msg req, rep;

    if (mod_helper_req(ctx, "code_failed", &req) < 0)
        return;
    (void)mod_helper_run(ctx, &req, &rep);
    pwr_msg_free(&rep);
}

static int method_from_reply(const struct pwr_msg *rep,
                             enum pwr_auth_method *m)
{
    const char *name = pwr_msg_get(rep, "method");

    if (name == NULL)
        return -1;
    if (strcmp(name, "password") == 0)
        *m = PWR_AM_PASSWORD;
    else if (strcmp(name, "temporary") == 0)
        *m = PWR_AM_TEMPORARY;
    else if (strcmp(name, "code") == 0)
        *m = PWR_AM_CODE;
    else
        return -1;
    return 0;
}

/* 1 found, 0 not in the store, -1 helper failure. */
static int verify_helper(struct mod_ctx *ctx, const char *typed,
                         struct pwr_auth_result *res)
{
    struct pwr_msg req, rep;
    enum pwr_code code;
    struct pwr_err err;
    int found = 1;

    if (mod_helper_req(ctx, "verify", &req) < 0)
        return -1;
    if (pwr_msg_add(&req, "password", typed, &err) < 0) {
        pwr_msg_free(&req);
        return -1;
    }
    code = mod_helper_run(ctx, &req, &rep);
    if (code == PWR_OK && method_from_reply(&rep, &res->method) == 0) {
        res->outcome = PWR_AUTH_OK;
        keep_status(ctx, &rep);
    }
    else if (code == PWR_E_AUTH && pwr_msg_get(&rep, "expired"))
        res->outcome = PWR_AUTH_TEMP_EXPIRED;
    else if (code == PWR_E_NOENT)
        found = 0;
    else if (code == PWR_E_UNAVAIL) {
        found = -1;
        unavailable(ctx, &rep);
    } else if (code != PWR_E_AUTH) {
        found = -1;
        mod_log_err(ctx, "helper verify: %s",
                    pwr_msg_get(&rep, "message") ? pwr_msg_get(&rep, "message")
                                                 : pwr_code_name(code));
    }
    pwr_msg_free(&rep);
    return found;
}

int mod_verify(struct mod_ctx *ctx, const char *typed,
               struct pwr_record *rec, struct pwr_auth_result *res)
{
    int found;

    memset(res, 0, sizeof(*res));
    res->outcome = PWR_AUTH_WRONG;
    if (!ctx->cfg_unusable && !ctx->cfg_unsafe && !mod_store_readable(ctx)) {
        found = verify_helper(ctx, typed, res); /* the helper counts tries */
        return found < 0 ? cannot_tell(ctx) : found;
    }
    found = lookup_any(ctx, rec);
    if (found < 0) {
        (void)pwr_hash_login(typed, NULL, &ctx->cfg.hash);
        return cannot_tell(ctx);
    }
    pwr_auth_check(found ? rec : NULL, typed, &ctx->cfg, pwr_now(), res);
    /* Every wrong code-shaped answer goes to the helper, live code or not,
     * known account or not: only the helper's answer differs, so the time
     * a guess takes does not tell whether a reset is pending. */
    if (res->outcome == PWR_AUTH_WRONG && code_shaped(typed))
        report_code_try(ctx);
    return found;
}
