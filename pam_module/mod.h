/* mod.h - the one internal header of pam_pwreset.so: the per-call context,
 * options, and the functions each module file provides.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Files: pam_pwreset.c (entry points only), mod_options.c (argument table),
 * mod_conv.c (talking to the user), mod_log.c (syslog and audit),
 * mod_lookup.c (reading an account: store or helper), mod_auth.c,
 * mod_account.c, mod_password.c, mod_session.c, mod_grace.c
 * (grace logins, exempt services), mod_breach.c (breach check at login).
 */
#ifndef PWR_MOD_H
#define PWR_MOD_H

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_PASSWORD
#define PAM_SM_SESSION

#include <security/pam_modules.h>
#include <security/pam_ext.h>

#include "pwr_config.h"
#include "pwr_decide.h"
#include "pwr_proto.h"
#include "pwr_record.h"

/* pam_set_data names: what auth learned, for account/password later. */
#define MOD_DATA_AUTH "pam_pwreset_auth"   /* struct mod_auth_info */
#define MOD_DATA_PROOF "pam_pwreset_proof" /* the secret auth accepted (wiped) */
#define MOD_DATA_BREACH "pam_pwreset_breach" /* auth flagged a breached password */
#define MOD_DATA_NOTICE "pam_pwreset_notice" /* this handle showed the notice */
#define MOD_DATA_STATUS "pam_pwreset_status" /* the account as verify saw it */

struct mod_opts {
    int debug;
    int quiet;
    int use_first_pass;
    int try_first_pass;
    int use_authtok;
    int authtok_for_unknown;         /* ask the new password for others too */
    unsigned retry;                  /* new-password attempts, default 3 */
    char config_path[PWR_PATH_MAX];  /* config=, default PWR_CONFIG_PATH */
    char helper_path[PWR_PATH_MAX];  /* helper=, default PWR_HELPER_PATH */
    int config_given;                /* config= was on the line */
};

struct mod_ctx {
    pam_handle_t *pamh;
    int flags;
    struct mod_opts opts;
    struct pwr_config cfg;
    int cfg_unusable;           /* no trustworthy store setting: fail closed */
    int cfg_unsafe;             /* others could write it: refuse store accounts */
    char cfg_problem[512];      /* why, for the refusal's log line */
    const char *user;
    const char *service;
    const char *rhost;
    const char *tty;
};

struct mod_auth_info {
    enum pwr_auth_method method;
};

/* mod_options.c: build the context (options, then config, then
 * config-key overrides from the arguments).  Returns a PAM code. */
int mod_ctx_init(struct mod_ctx *ctx, pam_handle_t *pamh, int flags, int argc,
                 const char **argv);

/* Fetch and validate PAM_USER into ctx->user: PAM_SUCCESS,
 * PAM_USER_UNKNOWN for names the store can never hold, or an error. */
int mod_get_user(struct mod_ctx *ctx);

/* mod_conv.c */
int mod_prompt(struct mod_ctx *ctx, const char *prompt, char **answer);
void mod_info(struct mod_ctx *ctx, const char *text);
void mod_error_msg(struct mod_ctx *ctx, const char *text);

/* mod_log.c */
void mod_debug(struct mod_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mod_log_err(struct mod_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* One audit line for ctx->user with service, rhost and tty; extra pairs
 * are given as key, value, ..., NULL. */
void mod_audit(struct mod_ctx *ctx, const char *event, ...)
    __attribute__((sentinel));

/* mod_lookup.c: read ctx->user's record: 1 found, 0 not in the store,
 * -1 error (logged).  Reads the store directly when it can, else asks the
 * helper (own account only). */
int mod_lookup(struct mod_ctx *ctx, struct pwr_record *rec);
/* Look up ctx->user and check a typed secret: directly when the store is
 * readable, else through the helper (which then counts wrong code tries
 * itself).  Returns 1 found, 0 not in the store, -1 error.  rec is filled
 * only in the direct case. */
int mod_verify(struct mod_ctx *ctx, const char *typed, struct pwr_record *rec,
               struct pwr_auth_result *res);
/* 1 if this process can read the store itself. */
int mod_store_readable(const struct mod_ctx *ctx);

/* Start a helper request for ctx->user: op, user, service, rhost, tty, and
 * config when config= was given.  Add op-specific fields, then run it. */
int mod_helper_req(struct mod_ctx *ctx, const char *op, struct pwr_msg *req);
/* Run the helper; returns the reply's pwr_code (PWR_E_INTERNAL if it could
 * not be run, logged).  req is freed (and wiped); rep must be freed. */
enum pwr_code mod_helper_run(struct mod_ctx *ctx, struct pwr_msg *req,
                             struct pwr_msg *rep);

/* mod_auth.c, mod_account.c, mod_password.c, mod_session.c */
int mod_authenticate(struct mod_ctx *ctx);
/* Remember how this handle proved the account and the secret it used, for
 * the stages after auth (also after a change made in this handle). */
int mod_remember_auth(struct mod_ctx *ctx, enum pwr_auth_method method,
                      const char *typed);
int mod_setcred(struct mod_ctx *ctx);
int mod_account(struct mod_ctx *ctx);
int mod_chauthtok(struct mod_ctx *ctx);
int mod_open_session(struct mod_ctx *ctx);

/* mod_grace.c: a forced change is pending.  PAM_SUCCESS for an
 * exempt service or a granted grace login, PAM_NEW_AUTHTOK_REQD when the
 * grace is spent (with a how-to message), or -1: change now as usual. */
int mod_pending_change(struct mod_ctx *ctx, enum pwr_auth_method method,
                       const struct pwr_acct_result *ar);
/* mod_breach.c: breach_check_at_login after a correct password. */
void mod_breach_at_login(struct mod_ctx *ctx, enum pwr_auth_method method,
                         const char *pw);

/* mod_notice.c: show an admin-action notice; with forget, have
 * the helper clear it (op notice_seen); without (the login must change the
 * password), the change clears it. */
void mod_notice_show(struct mod_ctx *ctx, const char *text, int forget);
/* 1 if this handle has shown the notice (the change may then forget it). */
int mod_notice_shown(struct mod_ctx *ctx);
/* The password stage of a change that completes an admin action shows its
 * notice first, unless this handle already has. */
void mod_notice_before_change(struct mod_ctx *ctx,
                              const struct pwr_record *rec);

#endif
