/* helper_ops_flags.c - force a reset at next login and issue
 * single-use reset codes, each over many accounts in one transaction.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Named accounts that are not eligible (only active and pending accounts
 * may be reset) fail the whole op: nothing is written.  Accounts reached
 * through --group or --all that are not eligible are skipped with a note.
 * A dry run reports and writes nothing.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "helper.h"
#include "pwr_decide.h"
#include "pwr_notice.h"
#include "pwr_secret.h"

static int ineligible(const struct pwr_record *rec, struct hx_acct *a,
                      int explicit_target, struct pwr_err *err)
{
    if (pwr_reset_eligible(rec, err) == 0)
        return 0;
    if (explicit_target)
        return -1;
    a->outcome = "skipped";
    a->note = hx_status_note("account is", rec->status);
    return 1;
}

static int force_one(struct hx *hx, struct pwr_record *rec, struct hx_acct *a,
                     int explicit_target, void *arg, struct pwr_err *err)
{
    int clear = *(const int *)arg, r;
    int flagged = (rec->flags & PWR_F_MUST_CHANGE) != 0;

    (void)hx;
    r = ineligible(rec, a, explicit_target, err);
    if (r != 0)
        return r < 0 ? -1 : 0;
    if (flagged == !clear) {
        a->note = clear ? "was not flagged" : "already flagged";
        return 0;
    }
    if (clear)
        rec->flags &= ~PWR_F_MUST_CHANGE;
    else
        rec->flags |= PWR_F_MUST_CHANGE;
    /* The notice goes with the flag: clearing it clears the notice it
     * left, and only that one (a later admin action's notice stays). */
    if (clear && pwr_notice_is_force_reset(rec))
        pwr_notice_clear(rec);
    else if (!clear)
        hx_notice_set(hx, rec, PWR_NOTICE_FORCE_RESET);
    rec->grace_used = 0; /* each flagging gives the full grace again */
    a->outcome = "changed";
    return 1;
}

static void audit_batch(struct hx *hx, const struct hx_batch *b,
                        const char *event)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        struct pwr_audit a;
        char when[32];

        if (strcmp(b->a[i].outcome, "changed") != 0)
            continue;
        hx_audit_begin(hx, &a, event, b->a[i].login);
        if (b->a[i].expires != 0) {
            pwr_format_iso(b->a[i].expires, when, sizeof(when));
            pwr_audit_add(&a, "expires", when);
        }
        hx_audit_queue(hx, &a, 0);
        if (strcmp(event, "force_password_reset_set") == 0)
            hx_notice_mail(hx, b->a[i].login, PWR_NOTICE_FORCE_RESET);
        else if (strcmp(event, "reset_code_issued") == 0)
            hx_notice_mail(hx, b->a[i].login, PWR_NOTICE_RESET_CODE);
    }
    hx_audit_flush(hx);
}

int hx_op_force_reset(struct hx *hx, struct pwr_err *err)
{
    struct hx_targets t;
    struct hx_batch b = { NULL, 0, 0 };
    int clear, dry_run, rc;

    if (hx_req_flag(hx, "clear", 0, &clear, err) < 0 ||
        hx_req_flag(hx, "dry_run", 0, &dry_run, err) < 0 ||
        (!clear && hx_policy_ready(hx, err) < 0) ||
        hx_targets_read(hx, 1, &t, err) < 0)
        return -1;
    rc = hx_batch_run(hx, &t, force_one, &clear, dry_run, &b, err);
    if (rc == 0 && !dry_run)
        audit_batch(hx, &b, clear ? "force_password_reset_cleared"
                                  : "force_password_reset_set");
    if (rc == 0)
        rc = hx_batch_reply(hx, &b, err);
    if (rc == 0)
        hx_set_message(hx, "%s%zu account(s) %s", dry_run ? "dry run: " : "",
                       hx_batch_changed(&b),
                       clear ? (dry_run ? "would no longer be forced to "
                                          "change password"
                                        : "no longer forced to change password")
                             : (dry_run ? "would be forced to change password "
                                          "at next login"
                                        : "forced to change password at next "
                                          "login"));
    hx_batch_free(&b);
    hx_targets_free(&t);
    return rc;
}

struct code_args {
    int64_t ttl;
};

static int code_one(struct hx *hx, struct pwr_record *rec, struct hx_acct *a,
                    int explicit_target, void *arg, struct pwr_err *err)
{
    const struct code_args *ca = arg;
    int had = pwr_record_code_live(rec, hx->now,
                                   hx->cfg.reset_code_max_attempts);

    if (ineligible(rec, a, explicit_target, err) != 0)
        return -1;
    if (hx_acct_secret(a, err) < 0 || pwr_secret_code(a->secret, err) < 0 ||
        pwr_code_hash(a->secret, rec->code_hash, err) < 0)
        return -1;
    rec->code_expires = hx->now + ca->ttl;
    rec->code_tries = 0;
    hx_notice_set(hx, rec, PWR_NOTICE_RESET_CODE);
    a->expires = rec->code_expires;
    a->outcome = "changed";
    if (had)
        a->note = "replaces an older code";
    return 1;
}

int hx_op_reset_code(struct hx *hx, struct pwr_err *err)
{
    struct hx_targets t;
    struct hx_batch b = { NULL, 0, 0 };
    struct code_args ca;
    int rc;

    if (hx_req_duration(hx, "ttl", PWR_TTL_CODE, hx->cfg.reset_code_ttl,
                        &ca.ttl, err) < 0 ||
        hx_policy_ready(hx, err) < 0 || hx_targets_read(hx, 0, &t, err) < 0)
        return -1;
    rc = hx_batch_run(hx, &t, code_one, &ca, 0, &b, err);
    if (rc == 0) {
        audit_batch(hx, &b, "reset_code_issued");
        rc = hx_batch_reply(hx, &b, err);
    }
    if (rc == 0)
        hx_set_message(hx, "%zu reset code(s) issued", hx_batch_changed(&b));
    hx_batch_free(&b);
    hx_targets_free(&t);
    return rc;
}
