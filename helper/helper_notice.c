/* helper_notice.c - tell the user about an admin action (SPEC F20): the
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

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"
#include "pwr_notice.h"
#include "pwr_secret.h"

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

static void child_exec(const struct hx *hx, int in, const char *login)
{
    char *const argv[] = { (char *)(uintptr_t)"sendmail",
                           (char *)(uintptr_t)"-oi",
                           (char *)(uintptr_t)"-f",
                           (char *)(uintptr_t)hx->cfg.mail_from,
                           (char *)(uintptr_t)"--",
                           (char *)(uintptr_t)login, NULL };
    char *const envp[] = {
        (char *)(uintptr_t)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
    int null = open("/dev/null", O_RDWR | O_NOCTTY);
    sigset_t none;

    sigemptyset(&none);
    /* its own process group, so a timeout can stop whatever it starts */
    if (null < 0 || setpgid(0, 0) < 0 || dup2(in, 0) < 0 || dup2(null, 1) < 0 ||
        dup2(null, 2) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
        _exit(127);
    if (geteuid() == 0 && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
        _exit(127);
    execve(hx->cfg.sendmail, argv, envp);
    _exit(127);
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Wait for sendmail: 0 and its status, or 1 when it ran out of time (it
 * and its process group are killed and reaped), or -1. */
static int wait_sendmail(pid_t pid, unsigned timeout_ms, int *status)
{
    const struct timespec tick = { 0, 10 * 1000 * 1000 };
    unsigned waited = 0;

    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);

        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (waited >= timeout_ms) {
            (void)kill(-pid, SIGKILL);
            (void)kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            return 1;
        }
        nanosleep(&tick, NULL);
        waited += 10;
    }
}

/* Hand msg to sendmail: 0 if it took it (exit status 0), 1 if it ran out
 * of time, -1 otherwise. */
static int run_sendmail(const struct hx *hx, const char *login,
                        const char *msg)
{
    int fds[2], status = 0, wr, rc;
    pid_t pid;

    if (access(hx->cfg.sendmail, X_OK) < 0 || pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0)
        child_exec(hx, fds[0], login);
    close(fds[0]);
    wr = write_all(fds[1], msg, strlen(msg));
    close(fds[1]);
    rc = wait_sendmail(pid, hx->cfg.sendmail_timeout_ms, &status);
    if (rc != 0)
        return rc;
    return wr == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
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
