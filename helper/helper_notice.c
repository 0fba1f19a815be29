/* helper_notice.c - tell the user about an admin action: the
 * notice kept in the record for the next login, the op that clears it once
 * shown (notice_seen), and the optional mail through the local sendmail.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The mail never holds a secret: only what was done, by whom and when.  A
 * missing or failing sendmail is audited (notify_failed) and never fails
 * the admin op, which is committed before the mail is tried.  A sendmail
 * that hangs is killed after sendmail_timeout, and no other mail of the
 * same run is tried: a bulk action must not wait that long per account.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "pwr_notice.h"
#include "pwr_secret.h"
#include "pwr_spawn.h"

void hx_notice_set(struct hx *hx, struct pwr_record *rec, const char *event)
{
    (void)pwr_strlcpy(rec->notice, event, sizeof(rec->notice));
    (void)pwr_strlcpy(rec->notice_by, hx->caller, sizeof(rec->notice_by));
    rec->notice_at = hx->now;
}

/* mail_from goes on sendmail's command line: an address, not an option. */
static int from_ok(const char *from)
{
    size_t i;

    if (from[0] == '\0' || from[0] == '-')
        return 0;
    for (i = 0; from[i] != '\0'; i++)
        if ((unsigned char)from[i] <= 0x20 || from[i] == 0x7f ||
            strchr("<>\"'\\;,()", from[i]) != NULL)
            return 0;
    return 1;
}

/* Hand msg to sendmail: 0 if it took it (exit status 0), 1 if it ran out
 * of time (it and whatever it started are killed), -1 otherwise. */
static int run_sendmail(const struct hx *hx, const char *login,
                        const char *msg)
{
    char *const argv[] = { (char *)(uintptr_t)"sendmail",
                           (char *)(uintptr_t)"-oi",
                           (char *)(uintptr_t)"-f",
                           (char *)(uintptr_t)hx->cfg.mail_from,
                           (char *)(uintptr_t)"--",
                           (char *)(uintptr_t)login, NULL };
    char *const envp[] = {
        (char *)(uintptr_t)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
    struct pwr_spawn sp = {
        .path = hx->cfg.sendmail, .argv = argv, .envp = envp,
        .in = PWR_SPAWN_PIPE, .out = PWR_SPAWN_NULL, .err = PWR_SPAWN_NULL,
        /* its own process group, so a timeout can stop whatever it starts */
        .flags = PWR_SPAWN_OWN_PGRP | PWR_SPAWN_CLEAR_SIGMASK |
                 PWR_SPAWN_ROOT_IDS,
    };
    struct pwr_child c;
    struct pwr_err ignored;
    int status = 0, wr, rc;

    if (access(hx->cfg.sendmail, X_OK) < 0 ||
        pwr_spawn(&sp, &c, &ignored) < 0)
        return -1;
    wr = pwr_write_all(c.to_child, msg, strlen(msg));
    close(c.to_child);
    rc = pwr_spawn_wait_ms(c.pid, hx->cfg.sendmail_timeout_ms, &status,
                           &ignored);
    if (rc != 0)
        return rc;
    return wr == 0 && pwr_spawn_status(status, "sendmail", &ignored) == 0
               ? 0 : -1;
}

void hx_notice_mail(struct hx *hx, const char *login, const char *event)
{
    struct pwr_record rec;
    struct pwr_audit a;
    char text[PWR_TEXT_MAX * 2], msg[PWR_TEXT_MAX * 4];
    static int timed_out; /* once per run: the rest is not tried */
    const char *why = NULL;
    int n, rc;

    if (!hx->cfg.notify_mail)
        return;
    pwr_record_init(&rec, login);
    hx_notice_set(hx, &rec, event);
    (void)pwr_notice_format(&rec, hx->cfg.contact, text, sizeof(text));
    n = snprintf(msg, sizeof(msg),
                 "From: %s\nTo: %s\nSubject: Your account: %s\n"
                 "Auto-Submitted: auto-generated\n\n%s\n",
                 hx->cfg.mail_from, login, pwr_notice_subject(event), text);
    if (!from_ok(hx->cfg.mail_from))
        why = "bad_mail_from";
    else if (n < 0 || (size_t)n >= sizeof(msg))
        why = "too_long";
    else if (timed_out)
        why = "sendmail_timeout";
    else if ((rc = run_sendmail(hx, login, msg)) != 0) {
        why = rc > 0 ? "sendmail_timeout" : "sendmail_failed";
        timed_out = rc > 0;
    }
    if (why == NULL)
        return;
    hx_audit_begin(hx, &a, "notify_failed", login);
    pwr_audit_add(&a, "reason", why);
    pwr_audit_add(&a, "detail", event);
    hx_audit_send(hx, &a, 1);
}

/* ---- notice_seen: the module showed the notice; forget it ---------------- */

struct seen {
    const char *login;
    int cleared;
};

static int seen_txn(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct seen *s = arg;
    struct pwr_record rec;
    int found = pwr_txn_get(txn, s->login, &rec, err), rc = 0;

    s->cleared = 0;
    if (found <= 0)
        return found;
    if (rec.notice[0] != '\0') {
        memset(rec.notice, 0, sizeof(rec.notice));
        memset(rec.notice_by, 0, sizeof(rec.notice_by));
        rec.notice_at = 0;
        s->cleared = 1;
        rc = pwr_txn_put(txn, &rec, err);
    }
    pwr_record_wipe(&rec);
    return rc;
}

int hx_op_notice_seen(struct hx *hx, struct pwr_err *err)
{
    struct seen s = { NULL, 0 };

    if (hx_req_one_user(hx, &s.login, err) < 0 ||
        hx_may_self(hx, s.login, err) < 0)
        return -1;
    if (hx_open_store(hx, 0, err) < 0 || hx_lift_fsize(err) < 0 ||
        pwr_store_transact(hx->store, seen_txn, &s, err) < 0)
        return -1;
    hx_set_message(hx, s.cleared ? "notice cleared" : "no notice pending");
    return hx_out(hx, "outcome", s.cleared ? "changed" : "unchanged", err);
}
