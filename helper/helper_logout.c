/* helper_logout.c - end a user's running sessions: through
 * logind ("loginctl terminate-user") where systemd runs, then SIGTERM and,
 * after a grace period, SIGKILL to every remaining process whose real uid
 * is the user's.  Never for uid 0.  The user's sudo timestamp record goes
 * too (helper_sudots.c), so no sudo ticket outlives the sessions.  The
 * logout op acts only on accounts in the store unless root runs it (a
 * helpdesk member must not kill a service account's processes).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * loginctl runs by absolute path with a fixed environment and fully root
 * (set-uid's real uid is the caller's; logind and polkit would see it),
 * through hx_run_quiet (pwr_spawn), which helper_shadow.c uses for chage
 * too.
 * Processes are signalled through pidfds opened before their uid is
 * checked, so a recycled pid can never get the signal.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"
#include "pwr_spawn.h"

#define GRACE_MS 2000
#define POLL_MS 100

static const char *const loginctl_paths[] = { "/usr/bin/loginctl",
                                              "/bin/loginctl" };

static const char *find_loginctl(void)
{
    size_t i;

    if (access("/run/systemd/system", F_OK) != 0)
        return NULL;
    for (i = 0; i < PWR_ARRAY_SIZE(loginctl_paths); i++)
        if (access(loginctl_paths[i], X_OK) == 0)
            return loginctl_paths[i];
    return NULL;
}

int hx_run_quiet(const char *path, char *const argv[])
{
    char *const envp[] = {
        (char *)(uintptr_t)"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
        (char *)(uintptr_t)"SYSTEMD_PAGER=cat", (char *)(uintptr_t)"LC_ALL=C",
        NULL };
    struct pwr_spawn sp = {
        .path = path, .argv = argv, .envp = envp,
        .in = PWR_SPAWN_NULL, .out = PWR_SPAWN_NULL, .err = PWR_SPAWN_NULL,
        .flags = PWR_SPAWN_ROOT_IDS,
    };
    struct pwr_err ignored;

    return pwr_spawn_run(&sp, path, &ignored);
}

static int run_loginctl(const char *path, const char *login)
{
    char *const argv[] = { (char *)(uintptr_t)"loginctl",
                           (char *)(uintptr_t)"terminate-user",
                           (char *)(uintptr_t)login, NULL };

    return hx_run_quiet(path, argv);
}

/* Real uid of an open /proc/PID directory, or -1 (also for a zombie, which
 * has already ended and only waits for its parent). */
static long proc_ruid(int pdir)
{
    char buf[4096], *p;
    long uid = -1;
    int fd = openat(pdir, "status", O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    p = strstr(buf, "\nState:");
    if (p != NULL && p[7 + strspn(p + 7, " \t")] == 'Z')
        return -1;
    p = strstr(buf, "\nUid:");
    if (p != NULL)
        uid = strtol(p + 5, NULL, 10);
    return uid;
}

static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

static int pidfd_kill(int pidfd, pid_t pid, int sig)
{
#ifdef SYS_pidfd_send_signal
    if (pidfd >= 0)
        return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#endif
    (void)pidfd;
    return kill(pid, sig);
}

/* Signal every process of uid once; returns how many were signalled. */
static int signal_uid(uid_t uid, int sig)
{
    DIR *proc = opendir("/proc");
    struct dirent *de;
    int count = 0;

    if (proc == NULL)
        return 0;
    while ((de = readdir(proc)) != NULL) {
        pid_t pid;
        int pidfd, dfd;

        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        pid = (pid_t)strtol(de->d_name, NULL, 10);
        if (pid <= 1 || pid == getpid())
            continue;
        pidfd = pidfd_open_(pid);
        dfd = openat(dirfd(proc), de->d_name,
                     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0 && proc_ruid(dfd) == (long)uid &&
            pidfd_kill(pidfd, pid, sig) == 0)
            count++;
        if (dfd >= 0)
            close(dfd);
        if (pidfd >= 0)
            close(pidfd);
    }
    closedir(proc);
    return count;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* SIGTERM, wait up to GRACE_MS for them to go, SIGKILL what is left. */
static int sweep(uid_t uid)
{
    int count = signal_uid(uid, SIGTERM), waited;

    for (waited = 0; count > 0 && waited < GRACE_MS; waited += POLL_MS) {
        sleep_ms(POLL_MS);
        if (signal_uid(uid, 0) == 0)
            return count;
    }
    if (count > 0)
        (void)signal_uid(uid, SIGKILL);
    return count;
}

static const char *ts_word(int ts)
{
    return ts > 0 ? "removed" : ts == 0 ? "none" : "failed";
}

int hx_revoke_sessions(struct hx *hx, const char *login, struct pwr_err *err)
{
    struct passwd *pw = getpwnam(login);
    const char *loginctl = find_loginctl();
    const char *method = "signal";
    struct pwr_audit a;
    uid_t uid;
    int count, ts;

    if (pw == NULL)
        return pwr_fail(err, PWR_E_NOENT, "no such user '%s'", login);
    uid = pw->pw_uid;
    if (uid == 0)
        return hx_deny(hx, login, "uid_0", err,
                       "refusing to end the sessions of uid 0");
    if (loginctl != NULL && run_loginctl(loginctl, login) == 0)
        method = "logind";
    count = sweep(uid);
    ts = hx_remove_sudo_ts(login);
    hx_audit_begin(hx, &a, "sessions_revoked", login);
    pwr_audit_add(&a, "method", method);
    pwr_audit_add_int(&a, "count", count);
    pwr_audit_add(&a, "sudo_ts", ts_word(ts));
    hx_audit_send(hx, &a, 0);
    if (hx_out(hx, "method", method, err) < 0 ||
        hx_outf(hx, "processes", err, "%d", count) < 0 ||
        hx_out(hx, "sudo_ts", ts_word(ts), err) < 0)
        return -1;
    return 0;
}

void hx_logout_after(struct hx *hx, const char *login)
{
    struct pwr_err err, ignored;

    if (hx_revoke_sessions(hx, login, &err) == 0)
        return;
    (void)hx_out(hx, "logout", "failed", &ignored);
    (void)hx_out(hx, "logout_message", err.msg, &ignored);
}

/* Not root: the account must be in the store (a tombstone counts: the
 * sessions of a deleted account may still be running). */
static int logout_in_store(struct hx *hx, const char *user,
                           struct pwr_err *err)
{
    struct pwr_record rec;
    int found;

    if (hx->is_root)
        return 0;
    if (hx_open_store(hx, 0, err) < 0)
        return -1;
    found = pwr_store_lookup(hx->store, user, &rec, err);
    if (found < 0)
        return -1;
    pwr_record_wipe(&rec);
    if (found == 0)
        return hx_deny(hx, user, "not_in_store", err,
                       "permission denied: '%s' is not managed by pwreset "
                       "(not in the store); only root may end its sessions",
                       user);
    return 0;
}

int hx_op_logout(struct hx *hx, struct pwr_err *err)
{
    const char *user, *method;

    if (hx_req_one_user(hx, &user, err) < 0 ||
        hx_may_manage(hx, user, err) < 0 ||
        logout_in_store(hx, user, err) < 0 ||
        hx_revoke_sessions(hx, user, err) < 0)
        return -1;
    method = pwr_msg_get(&hx->out, "method");
    hx_set_message(hx, "sessions of '%s' ended %s; %s remaining process(es) "
                   "signalled (SIGTERM, then SIGKILL after 2 s); sudo "
                   "ticket: %s", user,
                   method != NULL && strcmp(method, "logind") == 0
                       ? "through logind (loginctl terminate-user)"
                       : "by signalling its processes (no logind)",
                   pwr_msg_get(&hx->out, "processes"),
                   pwr_msg_get(&hx->out, "sudo_ts"));
    return 0;
}
