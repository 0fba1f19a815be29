/* helper.h - the one internal header of pwreset-helper: the per-run context
 * and what each helper file provides.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Files: helper_main.c (start-up order, the MUST list, dispatch),
 * helper_setup.c (setuid hygiene), helper_auth.c (who the caller is, what
 * they may do), helper_reply.c (reply and audit plumbing), helper_batch.c
 * (targets and one-transaction bulk changes), helper_ratelimit.c (failed
 * self-verifications), helper_policy.c (new-password policy),
 * helper_ops_self.c, helper_ops_pw.c, helper_ops_flags.c,
 * helper_ops_status.c, helper_ops_enrol.c, helper_ops_query.c (one
 * function per op), helper_ops_undo.c (purge, undelete),
 * helper_shadow.c (/etc/shadow lock, expiry, aging), helper_logout.c
 * (ending sessions), helper_ops_grace.c (grace_used, breach_flag),
 * helper_sudots.c (sudo tickets), helper_intent.c (no change visible
 * without its audit event), helper_linuxaudit.c (the auditd copy of an
 * event), helper_history.c (password history), helper_notice.c (telling
 * the user about an admin action).
 */
#ifndef PWR_HELPER_H
#define PWR_HELPER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pwr_audit.h"
#include "pwr_config.h"
#include "pwr_err.h"
#include "pwr_proto.h"
#include "pwr_record.h"
#include "pwr_secret.h"
#include "pwr_store.h"

#define HX_MESSAGE_MAX 2048
#define HX_DEFAULT_SETUP_TTL (7 * 24 * 3600)

/* Everything one run of the helper knows. */
struct hx {
    struct pwr_config cfg;
    const char *config_path; /* the file cfg was read from (pwr_expect.h) */
    unsigned cfg_problems;   /* lines a lenient read skipped */
    const struct pwr_msg *req;
    struct pwr_msg out; /* op-specific reply keys, after result and message */
    size_t out_bytes;   /* encoded size of out's fields [0, out_counted) */
    size_t out_counted;
    int reply_lost;     /* the caller stopped reading the streamed reply */
    size_t listed;      /* accounts a status reply listed */
    char message[HX_MESSAGE_MAX];
    const char *op;
    uid_t caller_uid;
    gid_t caller_gid;
    char caller[PWR_LOGIN_MAX + 16]; /* login, or "#UID" without one */
    int caller_has_login;
    int is_root;      /* real uid 0 */
    int privileged;   /* set-uid: effective uid 0, real uid not 0 */
    int is_admin;     /* member of cfg.admin_group */
    int path_allowed; /* caller-supplied paths may be used */
    uid_t uid_min, uid_max; /* ordinary accounts (login_defs) */
    gid_t prot_gids[PWR_MAX_PROTECTED]; /* protected_groups that exist */
    size_t n_prot_gids;
    int prot_loaded;        /* uid range and prot_gids read */
    const char *service, *rhost, *tty;
    struct pwr_store *store;
    int audit_failed;
    int64_t now;
    /* Set by the self-service ops once a secret of the account is offered:
     * the attempt is that user's own act, whoever carried it (sshd, login
     * and su run the helper as root), so its events name the user as actor
     * and policy messages speak to the owner. */
    const char *self_actor;
    int admin_op;     /* an admin command (the directory: admin identity) */
    struct pwr_ldap_opts ldap; /* backend = ldap: from cfg */
};

/* ---- helper_setup.c: set-uid hygiene at start-up ---- */
/* Every start-up step of the MUST list that needs no request; exits the
 * process with PWR_E_INTERNAL when one cannot be done. */
void hx_setup_process(int argc, char **argv);
/* Privileged: make the real (and saved) uid and gid 0 once the caller is
 * identified, so the caller can no longer signal us; exits on failure. */
void hx_become_root(void);
/* Make sure a caller's RLIMIT_FSIZE cannot truncate a store write. */
int hx_lift_fsize(struct pwr_err *err);

/* ---- helper_auth.c: who the caller is, what they may do ---- */
void hx_identify(struct hx *hx);
/* 1 if login (with primary group gid) belongs to cfg.admin_group. */
int hx_in_admin_group(const struct pwr_config *cfg, const char *login,
                      gid_t gid);
/* Admin action on login: may this caller touch it?  0, or -1 with
 * PWR_E_PERM (audited) / PWR_E_NOENT / PWR_E_USAGE. */
int hx_may_manage(struct hx *hx, const char *login, struct pwr_err *err);
/* Why login is protected from admin-group members, as a string
 * constant, or NULL when it is not.  The first call of a run reads what
 * it needs (UID_MIN and UID_MAX from cfg.login_defs, 1000 and 60000
 * without; the gids of protected_groups): a login's verify never asks, and
 * never pays for those group look-ups. */
const char *hx_protection(struct hx *hx, const char *login);
/* 1 if login is protected from admin-group members. */
int hx_protected(struct hx *hx, const char *login);
/* Own account only (or root): 0 or -1 PWR_E_PERM (audited). */
int hx_may_self(struct hx *hx, const char *login, struct pwr_err *err);
/* Root or admin-group member: 0 or -1 PWR_E_PERM (audited). */
int hx_require_admin(struct hx *hx, const char *user, struct pwr_err *err);
/* Audit and return a permission refusal. */
int hx_deny(struct hx *hx, const char *user, const char *reason,
            struct pwr_err *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- helper_reply.c: the reply, audit events, request values ---- */
void hx_set_message(struct hx *hx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int hx_out(struct hx *hx, const char *key, const char *value,
           struct pwr_err *err);
int hx_outf(struct hx *hx, const char *key, struct pwr_err *err,
            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Per-account groups of reply keys (each starting with "user"): remember
 * where a group starts, and end it; whole groups that fill a frame are
 * sent to the caller at once (the reply streams, so a list of any length
 * is complete and the helper never holds it whole). */
/* One account's group of status keys (pwr_status_msg.h) in the reply: the
 * "status" op's, and a successful "verify" adds it so the module's account
 * stage of the same login needs no second helper run. */
int hx_status_group(struct hx *hx, const struct pwr_record *rec,
                    struct pwr_err *err);
size_t hx_out_mark(const struct hx *hx);
void hx_out_group_end(struct hx *hx, size_t mark);
/* For the reply: 1 if what is left of hx->out fits one frame after
 * head_bytes of result, message and audit; else send it all now. */
int hx_out_fits(const struct hx *hx, size_t head_bytes);
void hx_out_flush_all(struct hx *hx);
/* Start an event with user (may be NULL), actor, actor_uid and the
 * request's service/rhost/tty. */
void hx_audit_begin(struct hx *hx, struct pwr_audit *a, const char *event,
                    const char *user);
/* The same, naming someone other than the caller as the actor. */
void hx_audit_begin_actor(struct hx *hx, struct pwr_audit *a,
                          const char *event, const char *user,
                          const char *actor, long long actor_uid);
/* Seal and send one event now (after any still queued). */
void hx_audit_send(struct hx *hx, const struct pwr_audit *a, int warn);
/* For loops over many accounts: hold the event back, to be sealed and
 * sent in order with the others by hx_audit_flush (or by the next
 * hx_audit_send, or when the queue is full).  A loop that queues flushes
 * when it ends, before the reply is built (audit_failed). */
void hx_audit_queue(struct hx *hx, const struct pwr_audit *a, int warn);
void hx_audit_flush(struct hx *hx);
/* Why the first lost audit line of this run was lost (socket and error),
 * or "failed" when none was recorded; for the reply's "audit" key. */
const char *hx_audit_error(void);
/* A validated optional request value: NULL if absent; -1 if present but
 * not printable UTF-8 of at most max bytes. */
int hx_req_text(struct hx *hx, const char *key, size_t max, const char **out,
                struct pwr_err *err);
/* A request flag "0"/"1" (absent: dflt). */
int hx_req_flag(struct hx *hx, const char *key, int dflt, int *out,
                struct pwr_err *err);
/* A request duration (absent: dflt), in the range of its kind. */
int hx_req_duration(struct hx *hx, const char *key, enum pwr_ttl_kind kind,
                    int64_t dflt, int64_t *out, struct pwr_err *err);
/* The single "user" of a one-account op, validated. */
int hx_req_one_user(struct hx *hx, const char **user, struct pwr_err *err);
/* Open cfg.store (create: enrol/import may make a new store).  A store
 * that is expected but missing (pwr_expect.h) is PWR_E_STORE, with the
 * repair in the message: never "no such account", never a new empty store. */
int hx_open_store(struct hx *hx, int create, struct pwr_err *err);
/* An error about the store file itself: append "; repair: COMMAND". */
void hx_add_repair(const struct hx *hx, struct pwr_err *err);
/* After the op: list the store in the marker once it exists (best effort). */
void hx_mark_store(struct hx *hx);
/* GECOS full name of login ("" if none). */
void hx_full_name(const char *login, char *out, size_t outsz);

/* ---- helper_store.c ---- */
struct pwr_auth_result;
/* The backend of cfg (backend = file or ldap) into opts. */
void hx_store_backend(struct hx *hx, struct pwr_store_opts *opts);
/* The audit fields of the backend: backend=, and for the directory the
 * entryCSN of user's entry (csn=) after this run's change or lookup. */
void hx_audit_backend(struct hx *hx, struct pwr_audit *a, const char *user);
/* pwr_auth_check, with the password checked by the backend where it
 * keeps the hashes (the directory: a bind as the person).  -1 when the
 * backend could not answer (err set). */
int hx_auth_check(struct hx *hx, const struct pwr_record *rec,
                  const char *typed, struct pwr_auth_result *res,
                  struct pwr_err *err);

/* ---- helper_batch.c ---- */
/* One account of a batch.  Kept small (a bulk action holds 100,000 of
 * them): the note is a string constant, the secret allocated only for the
 * accounts that get one. */
struct hx_acct {
    char login[PWR_LOGIN_MAX + 1];
    const char *outcome; /* changed unchanged skipped would_change */
    const char *note;    /* a string constant, or NULL */
    char *secret;        /* generated code (PWR_SECRET_MAX): wiped, freed */
    int64_t expires;
    enum pwr_status old_status;
    unsigned old_flags;
};

struct hx_batch {
    struct hx_acct *a;
    size_t n, cap;
};

enum hx_target_kind { HX_T_USERS, HX_T_GROUP, HX_T_ALL };

struct hx_targets {
    enum hx_target_kind kind;
    char (*logins)[PWR_LOGIN_MAX + 1];
    size_t n;
    char group[PWR_LOGIN_MAX + 1];
};

/* Decide one account of a bulk op.  explicit: the caller named it.
 * Returns 1 to write rec, 0 to leave it, -1 to fail the whole op. */
typedef int (*hx_acct_fn)(struct hx *hx, struct pwr_record *rec,
                          struct hx_acct *acct, int explicit_target,
                          void *arg, struct pwr_err *err);

/* Read the targets of a bulk op: "user" lines, or "group", or "all 1";
 * allow_bulk 0 means only "user" lines.  Checks permission for every
 * named account. */
int hx_targets_read(struct hx *hx, int allow_bulk, struct hx_targets *t,
                    struct pwr_err *err);
void hx_targets_free(struct hx_targets *t);
/* One store transaction over the targets; nothing written when dry_run or
 * when any fn fails. */
int hx_batch_run(struct hx *hx, const struct hx_targets *t, hx_acct_fn fn,
                 void *arg, int dry_run, struct hx_batch *b,
                 struct pwr_err *err);
void hx_batch_free(struct hx_batch *b);
/* a->secret, allocated on first use (-1 with err when out of memory). */
int hx_acct_secret(struct hx_acct *a, struct pwr_err *err);
/* "PREFIX STATUS" (prefix "account is", "already" or "now") as a string
 * constant, for notes. */
const char *hx_status_note(const char *prefix, enum pwr_status st);
/* Append an account (outcome "unchanged") for ops that build their own
 * transaction (enrol, import). */
struct hx_acct *hx_batch_add(struct hx_batch *b, const char *login,
                             struct pwr_err *err);
/* Add user/outcome/note reply keys for every account of b. */
int hx_batch_reply(struct hx *hx, const struct hx_batch *b,
                   struct pwr_err *err);
size_t hx_batch_changed(const struct hx_batch *b);

/* ---- helper_policy.c: the new-password policy ---- */
/* 0 if pw may become login's password; else -1: PWR_E_POLICY (audited as
 * policy_rejected, reply key "violations"), or PWR_E_CONFIG when a rule
 * cannot be checked. */
int hx_check_policy(struct hx *hx, const char *login, const char *pw,
                    const char *current_hash, int allow_reuse,
                    struct pwr_err *err);

/* 0 if every word list of the policy can be used; else -1, PWR_E_CONFIG:
 * for the ops that leave the user at a forced change. */
int hx_policy_ready(struct hx *hx, struct pwr_err *err);
/* The same as a reply key "warning" (status). */
int hx_policy_warning(struct hx *hx, struct pwr_err *err);

/* ---- helper_history.c: refuse a password used recently ---- */
/* 0, or -1 PWR_E_POLICY (audited policy_rejected reason=reused_recently,
 * reply key violations) when pw matches a hash of history (unless
 * allow_reuse or history = 0). */
int hx_check_history(struct hx *hx, const char *login, const char *pw,
                     const char *history, int allow_reuse,
                     struct pwr_err *err);
/* A password refused for reasons (comma-separated policy reason codes):
 * audit policy_rejected, reply violations.  0 or -1 (reply full). */
int hx_policy_rejected(struct hx *hx, const char *login, const char *reasons,
                       struct pwr_err *err);
/* The directory's password policy refused the new password at the write
 * (err is PWR_E_POLICY): hx_policy_rejected with its reason; err keeps
 * the store's message. */
void hx_store_policy_refused(struct hx *hx, const char *login,
                             struct pwr_err *err);
/* Inside a transaction, before rec->hash is replaced: keep the old one. */
void hx_history_keep(struct hx *hx, struct pwr_record *rec);

/* ---- helper_ratelimit.c: failed proofs of a secret ---- */
#define HX_RATE_MAX 5              /* attempts to prove a secret ... */
#define HX_RATE_WINDOW_MIN 15      /* ... per this many minutes */
#define HX_RATE_WINDOW (HX_RATE_WINDOW_MIN * 60) /* in seconds */
/* Count one attempt to prove login's secret, before it is checked: 0
 * counted (go on), 1 refused (HX_RATE_MAX attempts in the window). */
int hx_rate_take(struct hx *hx, const char *login);
/* A proof succeeded: the count starts again. */
void hx_rate_clear(struct hx *hx, const char *login);
/* The failure delay for non-root callers. */
void hx_fail_delay(struct hx *hx);

/* ---- helper_intent.c: no change without its audit event ---- */
/* The store's commit hook (pwr_store.h; arg is the struct hx): records the
 * request's intent before a change becomes visible, and reports intents
 * of helpers that died before their events were sent. */
int hx_intent_hook(void *arg, enum pwr_commit_stage stage,
                   const struct pwr_store_id *cur,
                   const struct pwr_store_id *next, struct pwr_err *err);
/* Every event of the request is sent: drop the intent. */
void hx_intent_done(void);

/* ---- helper_linuxaudit.c: the auditd copy of an event ---- */
void hx_linuxaudit(struct hx *hx, const struct pwr_audit *a);

/* ---- helper_logout.c: ending a user's sessions ---- */
/* End login's sessions; reply keys method and processes; audits
 * sessions_revoked.  Refuses uid 0. */
int hx_revoke_sessions(struct hx *hx, const char *login, struct pwr_err *err);
/* Run path (absolute) with argv, fully root when the helper is, with a
 * fixed environment and /dev/null as stdin, stdout and stderr; wait for
 * it.  0 when it exited 0, else -1. */
int hx_run_quiet(const char *path, char *const argv[]);
/* The same after a committed change (--logout): a failure only adds the
 * reply keys "logout failed" and "logout_message". */
void hx_logout_after(struct hx *hx, const char *login);

/* ---- helper_sudots.c: no sudo ticket outlives a reset or block ---- */
/* Remove /run/sudo/ts/LOGIN safely: 1 removed, 0 none, -1 could not. */
int hx_remove_sudo_ts(const char *login);

/* ---- the ops (helper_ops_*.c): each returns 0 or -1 with err ---- */
int hx_op_verify(struct hx *hx, struct pwr_err *err);
int hx_op_chauthtok(struct hx *hx, struct pwr_err *err);
int hx_op_code_failed(struct hx *hx, struct pwr_err *err);
int hx_op_set_password(struct hx *hx, struct pwr_err *err);
int hx_op_temp_password(struct hx *hx, struct pwr_err *err);
int hx_op_force_reset(struct hx *hx, struct pwr_err *err);
int hx_op_reset_code(struct hx *hx, struct pwr_err *err);
int hx_op_block(struct hx *hx, struct pwr_err *err);
int hx_op_unblock(struct hx *hx, struct pwr_err *err);
int hx_op_deactivate(struct hx *hx, struct pwr_err *err);
int hx_op_activate(struct hx *hx, struct pwr_err *err);
int hx_op_delete(struct hx *hx, struct pwr_err *err);
int hx_op_enrol(struct hx *hx, struct pwr_err *err);
int hx_op_import(struct hx *hx, struct pwr_err *err);
int hx_op_status(struct hx *hx, struct pwr_err *err);
int hx_op_logout(struct hx *hx, struct pwr_err *err);
/* helper_ops_undo.c: undo a delete (root only) */
int hx_op_purge(struct hx *hx, struct pwr_err *err);
int hx_op_undelete(struct hx *hx, struct pwr_err *err);
/* helper_ops_grace.c: login-time ops of the module (root only) */
int hx_op_grace_used(struct hx *hx, struct pwr_err *err);
int hx_op_breach_flag(struct hx *hx, struct pwr_err *err);

/* ---- helper_notice.c: tell the user about an admin action ---- */
/* Inside an admin op's transaction: remember to tell the user, at the next
 * login, that event (password_set temp_password force_reset reset_code
 * unblocked activated) was done by the caller now. */
void hx_notice_set(struct hx *hx, struct pwr_record *rec, const char *event);
/* After the commit: mail the user when notify_mail is on.  Never fails
 * the op; a failure is audited as notify_failed. */
void hx_notice_mail(struct hx *hx, const char *login, const char *event);
int hx_op_notice_seen(struct hx *hx, struct pwr_err *err);

/* ---- helper_shadow.c: /etc/shadow for store accounts ---- */
struct pwr_acct_result;
/* Days since 1970 as /etc/shadow holds them; -1 empty. */
struct hx_shadow {
    int known;  /* the helper could read the account's shadow entry */
    int locked; /* a lock on a hash (pwr_shadow_locked) */
    int nopass; /* no usable hash and no lock: "!", "*", "" */
    long long lastchg, max, inact, expire;
};
/* 1 and sh filled when login has a shadow entry we may read, else 0. */
int hx_shadow_get(const char *login, struct hx_shadow *sh);
/* Before looking up many accounts: read the shadow database once into an
 * index.  final: the index alone answers (a name it lacks has no entry),
 * for a listing of every account; otherwise a miss asks getspnam. */
void hx_shadow_preload(int final);
/* On top of pam_pwreset's decision: what the shadow lock (auth stage) and
 * pam_unix's account stage (expiry, aging) will make of the login. */
void hx_shadow_decide(const struct hx_shadow *sh, int64_t now,
                      struct pwr_acct_result *ar);
/* After a committed password change: set the shadow last-change date to
 * today through chage when it is 0 or aging is on; a failure only adds the
 * reply key shadow_date. */
void hx_shadow_touch(struct hx *hx, const char *login);

#endif
