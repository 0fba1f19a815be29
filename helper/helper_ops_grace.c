/* helper_ops_grace.c - the login-time ops asked for by the PAM
 * module only: spend one grace login of a flagged account (grace_used) and
 * flag an account whose password was found in the breached list at login
 * (breach_flag).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Both are decided inside one store transaction, so two logins at the same
 * moment can never both spend the last grace login.  Only root may ask
 * (sshd's monitor, login and cron run the module as root); an unprivileged
 * helper (the test suite) acts on a store its caller owns anyway.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "helper.h"

struct grace {
    struct hx *hx;
    const char *user;
    int granted;
    unsigned remaining;
    int flagged; /* breach_flag: 1 if this request set the flag */
};

static int root_only(struct hx *hx, const char *user, struct pwr_err *err)
{
    if (hx->is_root || !hx->privileged)
        return 0;
    return hx_deny(hx, user, "not_root", err,
                   "only root may spend grace logins or flag at login");
}

static int get_rec(struct pwr_txn *txn, const char *user,
                   struct pwr_record *rec, struct pwr_err *err)
{
    int found = pwr_txn_get(txn, user, rec, err);

    if (found < 0)
        return -1;
    if (found == 0)
        return pwr_fail(err, PWR_E_NOENT, "'%s' is not in the store", user);
    return 0;
}

static int grace_txn(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct grace *g = arg;
    unsigned limit = g->hx->cfg.grace_logins;
    struct pwr_record rec;
    int rc = 0;

    if (get_rec(txn, g->user, &rec, err) < 0)
        return -1;
    g->granted = rec.status == PWR_ST_ACTIVE &&
                 (rec.flags & PWR_F_MUST_CHANGE) && rec.grace_used < limit;
    if (g->granted) {
        rec.grace_used++;
        g->remaining = limit - rec.grace_used;
        rc = pwr_txn_put(txn, &rec, err);
    }
    pwr_record_wipe(&rec);
    return rc;
}

int hx_op_grace_used(struct hx *hx, struct pwr_err *err)
{
    struct grace g = { hx, NULL, 0, 0, 0 };
    struct pwr_audit a;

    if (hx_req_one_user(hx, &g.user, err) < 0 ||
        root_only(hx, g.user, err) < 0 || hx_open_store(hx, 0, err) < 0 ||
        hx_lift_fsize(err) < 0 ||
        pwr_store_transact(hx->store, grace_txn, &g, err) < 0)
        return -1;
    if (g.granted) {
        hx_audit_begin(hx, &a, "grace_login_used", g.user);
        pwr_audit_add_int(&a, "remaining", (long long)g.remaining);
        hx_audit_send(hx, &a, 0);
    }
    if (hx_out(hx, "granted", g.granted ? "1" : "0", err) < 0 ||
        hx_outf(hx, "remaining", err, "%u", g.remaining) < 0)
        return -1;
    hx_set_message(hx, g.granted ? "grace login granted"
                                 : "no grace login left");
    return 0;
}

static int breach_txn(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct grace *g = arg;
    struct pwr_record rec;
    int rc = 0;

    if (get_rec(txn, g->user, &rec, err) < 0)
        return -1;
    g->flagged = rec.status == PWR_ST_ACTIVE &&
                 !(rec.flags & PWR_F_MUST_CHANGE);
    if (g->flagged) {
        rec.flags |= PWR_F_MUST_CHANGE;
        rec.grace_used = 0;
        rc = pwr_txn_put(txn, &rec, err);
    }
    pwr_record_wipe(&rec);
    return rc;
}

int hx_op_breach_flag(struct hx *hx, struct pwr_err *err)
{
    struct grace g = { hx, NULL, 0, 0, 0 };
    struct pwr_audit a;

    if (hx_req_one_user(hx, &g.user, err) < 0 ||
        root_only(hx, g.user, err) < 0 || hx_open_store(hx, 0, err) < 0 ||
        hx_lift_fsize(err) < 0 ||
        pwr_store_transact(hx->store, breach_txn, &g, err) < 0)
        return -1;
    hx_audit_begin(hx, &a, "password_found_in_breach_list", g.user);
    pwr_audit_add(&a, "result", g.flagged ? "flagged" : "already_flagged");
    hx_audit_send(hx, &a, 0);
    if (hx_out(hx, "flagged", g.flagged ? "1" : "0", err) < 0)
        return -1;
    hx_set_message(hx, "'%s' must change password at next login", g.user);
    return 0;
}
