/* helper_ops_status.c - account status changes: block / unblock,
 * deactivate / activate and delete, with a reason.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Transitions (anything else fails the whole op, nothing written):
 *   block       active, pending, inactive -> blocked  (blocked: unchanged)
 *   unblock     blocked -> active or pending      (active/pending: unchanged)
 *   deactivate  active, pending, blocked -> inactive (inactive: unchanged)
 *   activate    inactive -> active or pending     (active/pending: unchanged)
 *               and pending -> active once an administrator has set a
 *               password (the set-up is then done without a setup code)
 *   delete      anything but deleted -> deleted: hash, code, flags wiped
 * "active or pending": pending again when the account never got a password
 * and still holds its setup code.  Unblocking needs "unblock": "activate"
 * never lifts a security hold.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "helper.h"
#include "pwr_hash.h"
#include "pwr_notice.h"

struct transition {
    const char *verb;
    const char *event;
    unsigned from;           /* bit per status that may change */
    unsigned same;           /* bit per status already "there" */
    enum pwr_status to;      /* PWR_ST_ACTIVE means active-or-pending */
    const char *reason;
    int logout; /* end the sessions of every changed account */
    int finish_setup; /* pending with a usable password -> active */
};

#define BIT(st) (1u << (st))

static enum pwr_status reopened(const struct pwr_record *rec)
{
    if (rec->changed == 0 && !pwr_hash_usable(rec->hash) &&
        rec->code_hash[0] != '\0')
        return PWR_ST_PENDING;
    return PWR_ST_ACTIVE;
}

static int change_one(struct hx *hx, struct pwr_record *rec, struct hx_acct *a,
                      int explicit_target, void *arg, struct pwr_err *err)
{
    const struct transition *tr = arg;
    int setup = tr->finish_setup && rec->status == PWR_ST_PENDING &&
                pwr_hash_usable(rec->hash);

    (void)explicit_target;
    if ((tr->same & BIT(rec->status)) && !setup) {
        a->note = tr->finish_setup && rec->status == PWR_ST_PENDING
                      ? "still pending: no password yet (set one, or give "
                        "the user a setup code)"
                      : hx_status_note("already", rec->status);
        return 0;
    }
    if (!(tr->from & BIT(rec->status)) && !setup)
        return pwr_fail(err, PWR_E_INELIGIBLE, "cannot %s '%s': account is %s",
                        tr->verb, rec->login, pwr_status_name(rec->status));
    rec->status = tr->to == PWR_ST_ACTIVE ? reopened(rec) : tr->to;
    rec->status_changed = hx->now;
    (void)pwr_strlcpy(rec->reason, tr->reason != NULL ? tr->reason : "",
                      sizeof(rec->reason));
    if (tr->to == PWR_ST_ACTIVE) /* tell the user at next login */
        hx_notice_set(hx, rec, strcmp(tr->verb, "unblock") == 0
                                   ? PWR_NOTICE_UNBLOCKED
                                   : PWR_NOTICE_ACTIVATED);
    if (rec->status == PWR_ST_DELETED) {
        pwr_wipe(rec->hash, sizeof(rec->hash));
        pwr_wipe(rec->history, sizeof(rec->history));
        pwr_wipe(rec->code_hash, sizeof(rec->code_hash));
        rec->code_expires = 0;
        rec->code_tries = 0;
        rec->flags = 0;
        rec->temp_expires = 0;
    }
    a->outcome = "changed";
    a->note = hx_status_note("now", rec->status);
    return 1;
}

static void audit_changes(struct hx *hx, const struct hx_batch *b,
                          const struct transition *tr)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        struct pwr_audit a;

        if (strcmp(b->a[i].outcome, "changed") != 0)
            continue;
        hx_audit_begin(hx, &a, tr->event, b->a[i].login);
        if (tr->reason != NULL && tr->reason[0] != '\0')
            pwr_audit_add(&a, "reason", tr->reason);
        hx_audit_queue(hx, &a, 0);
        if (tr->to == PWR_ST_ACTIVE)
            hx_notice_mail(hx, b->a[i].login,
                           strcmp(tr->verb, "unblock") == 0
                               ? PWR_NOTICE_UNBLOCKED
                               : PWR_NOTICE_ACTIVATED);
    }
    hx_audit_flush(hx);
}

/* A blocked, deactivated or deleted user keeps neither a shell nor a sudo
 * ticket: the change is committed first, so a failure here never undoes
 * it (it only adds "logout failed" to the reply). */
static void logout_changed(struct hx *hx, const struct hx_batch *b)
{
    size_t i;

    for (i = 0; i < b->n; i++)
        if (strcmp(b->a[i].outcome, "changed") == 0)
            hx_logout_after(hx, b->a[i].login);
}

/* Sessions end unless the request says keep_sessions 1. */
static int want_logout(struct hx *hx, struct transition *tr,
                       struct pwr_err *err)
{
    int keep;

    if (hx_req_flag(hx, "keep_sessions", 0, &keep, err) < 0)
        return -1;
    tr->logout = !keep;
    return 0;
}

static int run_transition(struct hx *hx, struct transition *tr,
                          struct pwr_err *err)
{
    struct hx_targets t;
    struct hx_batch b = { NULL, 0, 0 };
    int rc;

    if (hx_req_text(hx, "reason", PWR_REASON_MAX - 1, &tr->reason, err) < 0 ||
        hx_targets_read(hx, 0, &t, err) < 0)
        return -1;
    rc = hx_batch_run(hx, &t, change_one, tr, 0, &b, err);
    if (rc == 0) {
        audit_changes(hx, &b, tr);
        rc = hx_batch_reply(hx, &b, err);
    }
    if (rc == 0)
        hx_set_message(hx, "%s: %zu account(s) changed", tr->verb,
                       hx_batch_changed(&b));
    if (rc == 0 && tr->logout)
        logout_changed(hx, &b);
    hx_batch_free(&b);
    hx_targets_free(&t);
    return rc;
}

int hx_op_block(struct hx *hx, struct pwr_err *err)
{
    struct transition tr = {
        "block", "account_blocked",
        BIT(PWR_ST_ACTIVE) | BIT(PWR_ST_PENDING) | BIT(PWR_ST_INACTIVE),
        BIT(PWR_ST_BLOCKED), PWR_ST_BLOCKED, NULL, 0, 0 };

    if (want_logout(hx, &tr, err) < 0)
        return -1;
    return run_transition(hx, &tr, err);
}

int hx_op_unblock(struct hx *hx, struct pwr_err *err)
{
    struct transition tr = {
        "unblock", "account_unblocked", BIT(PWR_ST_BLOCKED),
        BIT(PWR_ST_ACTIVE) | BIT(PWR_ST_PENDING), PWR_ST_ACTIVE, NULL, 0, 0 };

    return run_transition(hx, &tr, err);
}

int hx_op_deactivate(struct hx *hx, struct pwr_err *err)
{
    struct transition tr = {
        "deactivate", "account_deactivated",
        BIT(PWR_ST_ACTIVE) | BIT(PWR_ST_PENDING) | BIT(PWR_ST_BLOCKED),
        BIT(PWR_ST_INACTIVE), PWR_ST_INACTIVE, NULL, 0, 0 };

    if (want_logout(hx, &tr, err) < 0)
        return -1;
    return run_transition(hx, &tr, err);
}

int hx_op_activate(struct hx *hx, struct pwr_err *err)
{
    struct transition tr = {
        "activate", "account_activated", BIT(PWR_ST_INACTIVE),
        BIT(PWR_ST_ACTIVE) | BIT(PWR_ST_PENDING), PWR_ST_ACTIVE, NULL, 0, 1 };

    return run_transition(hx, &tr, err);
}

int hx_op_delete(struct hx *hx, struct pwr_err *err)
{
    struct transition tr = {
        "delete", "account_deleted",
        BIT(PWR_ST_ACTIVE) | BIT(PWR_ST_PENDING) | BIT(PWR_ST_BLOCKED) |
            BIT(PWR_ST_INACTIVE),
        0, PWR_ST_DELETED, NULL, 0, 0 };
    int logout;

    /* "logout" is still accepted; sessions end anyway unless keep_sessions */
    if (hx_req_flag(hx, "logout", 0, &logout, err) < 0 ||
        want_logout(hx, &tr, err) < 0)
        return -1;
    if (pwr_msg_count(hx->req, "user") != 1)
        return pwr_fail(err, PWR_E_USAGE, "delete takes exactly one user");
    return run_transition(hx, &tr, err);
}
