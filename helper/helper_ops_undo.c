/* helper_ops_undo.c - undo a delete: purge removes a tombstone,
 * so the account is unmanaged again (pam_unix and /etc/shadow decide);
 * undelete brings the account back as blocked with must_change.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Both are root only (real uid 0), take exactly one account, are one
 * transaction, and act only on a deleted account: a live account is
 * refused (ineligible) and nothing is written.  Audited as account_purged
 * and account_undeleted.  undelete restores no password (delete wiped it):
 * root unblocks the account and sets one, or issues a reset code.
 */
#include "config.h"

#include <string.h>

#include "helper.h"

struct undo {
    struct hx *hx;
    const char *user;
    const char *reason;
    int purge;
};

static int root_only(struct hx *hx, const char *user, struct pwr_err *err)
{
    if (hx->is_root)
        return 0;
    return hx_deny(hx, user, "not_root", err,
                   "permission denied: only root may %s an account", hx->op);
}

static int undo_txn(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct undo *u = arg;
    struct pwr_record rec;
    int found = pwr_txn_get(txn, u->user, &rec, err), rc;

    if (found <= 0)
        return found < 0 ? -1
                         : pwr_fail(err, PWR_E_NOENT,
                                    "'%s' is not in the store", u->user);
    if (rec.status != PWR_ST_DELETED) {
        rc = pwr_fail(err, PWR_E_INELIGIBLE,
                      "cannot %s '%s': account is %s, not deleted%s", u->hx->op,
                      u->user, pwr_status_name(rec.status),
                      u->purge ? " (delete it first)" : "");
    } else if (u->purge) {
        rc = pwr_txn_remove(txn, u->user, err) < 0 ? -1 : 0;
    } else {
        rec.status = PWR_ST_BLOCKED;
        rec.flags = PWR_F_MUST_CHANGE;
        rec.status_changed = u->hx->now;
        (void)pwr_strlcpy(rec.reason,
                          u->reason != NULL ? u->reason : "undeleted",
                          sizeof(rec.reason));
        rc = pwr_txn_put(txn, &rec, err);
    }
    pwr_record_wipe(&rec);
    return rc;
}

static int run_undo(struct hx *hx, int purge, struct pwr_err *err)
{
    struct undo u = { hx, NULL, NULL, purge };
    struct pwr_audit a;

    if (hx_req_one_user(hx, &u.user, err) < 0 ||
        root_only(hx, u.user, err) < 0 ||
        hx_req_text(hx, "reason", PWR_REASON_MAX - 1, &u.reason, err) < 0 ||
        hx_open_store(hx, 0, err) < 0 || hx_lift_fsize(err) < 0 ||
        pwr_store_transact(hx->store, undo_txn, &u, err) < 0)
        return -1;
    hx_audit_begin(hx, &a, purge ? "account_purged" : "account_undeleted",
                   u.user);
    if (u.reason != NULL && u.reason[0] != '\0')
        pwr_audit_add(&a, "reason", u.reason);
    hx_audit_send(hx, &a, 0);
    if (purge)
        hx_set_message(hx, "'%s' purged: no longer managed by pwreset "
                       "(pam_unix and /etc/shadow decide again)", u.user);
    else
        hx_set_message(hx, "'%s' undeleted: now blocked, must change "
                       "password; no password is set (pwreset unblock, then "
                       "set-password or reset-code)", u.user);
    return 0;
}

int hx_op_purge(struct hx *hx, struct pwr_err *err)
{
    return run_undo(hx, 1, err);
}

int hx_op_undelete(struct hx *hx, struct pwr_err *err)
{
    return run_undo(hx, 0, err);
}
