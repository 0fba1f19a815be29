/* pwr_spawn.c - run another program: fork, wire its fds, exec, reap
 * (pwr_spawn.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Our callers run set-uid (the helper), inside a host program (the PAM
 * module in sshd, su, passwd) or as an admin's CLI.  So the child MUST:
 *  - between fork and exec, make only async-signal-safe calls, and _exit
 *    with 127 when any step fails rather than run half set up;
 *  - get exactly the environment its caller names (empty if none), and
 *    the program by absolute path (execve, no PATH search);
 *  - leave no fd of ours open across exec but its fds 0-2: every fd we
 *    open is close-on-exec, and PWR_SPAWN_CLOSE_FDS closes the host
 *    program's too;
 *  - take root ids only when its caller asks (PWR_SPAWN_ROOT_UID,
 *    PWR_SPAWN_ROOT_IDS).
 * The parent reaps every child it started, retrying waitpid on EINTR.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pwr_spawn.h"

#define OPEN_MAX_CAP 65536
#define POLL_MS 10

/* ---- in the child -------------------------------------------------------- */

static void close_from_3(int maxfd)
{
    int fd;

#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return;
#endif
    for (fd = 3; fd < maxfd; fd++)
        close(fd);
}

/* Make src[i] the child's fd i.  Every source is first copied above 2, so
 * that no dup2 overwrites a source still to be used (a caller started with
 * fd 0, 1 or 2 closed may hold a pipe there). */
static int wire(const int src[3])
{
    int fd[3], null = -1, i;

    for (i = 0; i < 3; i++) {
        fd[i] = src[i];
        if (fd[i] == PWR_SPAWN_NULL) {
            if (null < 0)
                null = open("/dev/null", O_RDWR | O_NOCTTY | O_CLOEXEC);
            fd[i] = null;
            if (null < 0)
                return -1;
        }
        if (fd[i] >= 0 && (fd[i] = fcntl(fd[i], F_DUPFD_CLOEXEC, 3)) < 0)
            return -1;
    }
    for (i = 0; i < 3; i++)
        if (fd[i] >= 0 && dup2(fd[i], i) < 0)
            return -1;
    return 0;
}

static int become_root(unsigned flags)
{
    if ((flags & PWR_SPAWN_ROOT_IDS) && geteuid() == 0)
        return setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 ? -1 : 0;
    /* A set-uid root caller (su, passwd) already holds root: the child
     * must see that, not the invoking user's real uid. */
    if ((flags & PWR_SPAWN_ROOT_UID) && geteuid() == 0 && getuid() != 0)
        return setresuid(0, 0, 0);
    return 0;
}

static void __attribute__((noreturn))
child(const struct pwr_spawn *sp, const int src[3], int maxfd)
{
    static char *const empty[] = { NULL };
    sigset_t none;

    sigemptyset(&none);
    if ((sp->flags & PWR_SPAWN_CLEAR_SIGMASK) &&
        sigprocmask(SIG_SETMASK, &none, NULL) < 0)
        _exit(127);
    if ((sp->flags & PWR_SPAWN_OWN_PGRP) && setpgid(0, 0) < 0)
        _exit(127);
    if (wire(src) < 0)
        _exit(127);
    if (sp->flags & PWR_SPAWN_CLOSE_FDS)
        close_from_3(maxfd);
    if (become_root(sp->flags) < 0)
        _exit(127);
    execve(sp->path, sp->argv, sp->envp != NULL ? sp->envp : empty);
    _exit(127);
}

/* ---- in the parent ------------------------------------------------------- */

static void close_pair(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
}

/* Where the fallback of close_from_3 stops, worked out before fork
 * (sysconf is not async-signal-safe). */
static int open_max(void)
{
    long n = sysconf(_SC_OPEN_MAX);

    return n < 0 || n > OPEN_MAX_CAP ? OPEN_MAX_CAP : (int)n;
}

int pwr_spawn(const struct pwr_spawn *sp, struct pwr_child *c,
              struct pwr_err *err)
{
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, src[3], e;
    int maxfd = (sp->flags & PWR_SPAWN_CLOSE_FDS) ? open_max() : 0;

    c->pid = -1;
    c->to_child = c->from_child = -1;
    if ((sp->in == PWR_SPAWN_PIPE && pipe2(in, O_CLOEXEC) < 0) ||
        (sp->out == PWR_SPAWN_PIPE && pipe2(out, O_CLOEXEC) < 0)) {
        e = errno;
        close_pair(in);
        return pwr_fail_errno(err, PWR_E_INTERNAL, e, "pipe");
    }
    src[0] = sp->in == PWR_SPAWN_PIPE ? in[0] : sp->in;
    src[1] = sp->out == PWR_SPAWN_PIPE ? out[1] : sp->out;
    src[2] = sp->err == PWR_SPAWN_PIPE ? PWR_SPAWN_NULL : sp->err;
    c->pid = fork();
    if (c->pid < 0) {
        e = errno;
        close_pair(in);
        close_pair(out);
        return pwr_fail_errno(err, PWR_E_INTERNAL, e, "fork");
    }
    if (c->pid == 0)
        child(sp, src, maxfd);
    if (in[0] >= 0)
        close(in[0]);
    if (out[1] >= 0)
        close(out[1]);
    c->to_child = in[1];
    c->from_child = out[0];
    return 0;
}

int pwr_spawn_wait(pid_t pid, int *status, struct pwr_err *err)
{
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR)
            return pwr_fail_errno(err, PWR_E_INTERNAL, errno, "waitpid");
    }
    return 0;
}

int pwr_spawn_wait_ms(pid_t pid, unsigned timeout_ms, int *status,
                      struct pwr_err *err)
{
    const struct timespec tick = { 0, POLL_MS * 1000L * 1000L };
    unsigned waited = 0;

    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);

        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return pwr_fail_errno(err, PWR_E_INTERNAL, errno, "waitpid");
        if (waited >= timeout_ms) {
            (void)kill(-pid, SIGKILL);
            (void)kill(pid, SIGKILL);
            if (pwr_spawn_wait(pid, status, err) < 0)
                return -1;
            return 1;
        }
        nanosleep(&tick, NULL);
        waited += POLL_MS;
    }
}

int pwr_spawn_status(int status, const char *name, struct pwr_err *err)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return pwr_fail(err, PWR_E_INTERNAL, "cannot run %s", name);
    if (WIFEXITED(status))
        return pwr_fail(err, PWR_E_INTERNAL, "%s exited with status %d",
                        name, WEXITSTATUS(status));
    return pwr_fail(err, PWR_E_INTERNAL, "%s killed by signal %d", name,
                    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int pwr_spawn_run(const struct pwr_spawn *sp, const char *name,
                  struct pwr_err *err)
{
    struct pwr_child c;
    int status = 0;

    if (pwr_spawn(sp, &c, err) < 0)
        return -1;
    if (c.to_child >= 0)
        close(c.to_child);
    if (c.from_child >= 0)
        close(c.from_child);
    if (pwr_spawn_wait(c.pid, &status, err) < 0)
        return -1;
    return pwr_spawn_status(status, name, err);
}
