/* pwr_helper_call.c - the caller side of the helper protocol: run
 * pwreset-helper, send it a request, read its reply, reap it (pwr_proto.h;
 * used by pam_pwreset.so and the pwreset CLI).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * We may run inside a host program (sshd, su, passwd), so the call MUST
 * leave it as it was: the helper gets an empty environment, stdin and
 * stdout pipes, stderr on /dev/null and none of the host's other fds; a
 * SIGPIPE from a helper that exits early is consumed, never delivered; a
 * host that ignores SIGCHLD gets its disposition back after the call.
 * The reply must agree with the helper's exit status, or the call fails.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pwr_proto.h"
#include "pwr_spawn.h"

static int spawn(const char *path, struct pwr_child *c, struct pwr_err *err)
{
    char *const argv[] = { (char *)(uintptr_t)path, NULL };
    struct pwr_spawn sp = {
        .path = path, .argv = argv, .envp = NULL,
        .in = PWR_SPAWN_PIPE, .out = PWR_SPAWN_PIPE, .err = PWR_SPAWN_NULL,
        /* A set-uid root caller (su, passwd) already holds root: the
         * helper must see that, not the invoking user's real uid, or it
         * would refuse the change that caller verified on a user's
         * behalf. */
        .flags = PWR_SPAWN_CLEAR_SIGMASK | PWR_SPAWN_CLOSE_FDS |
                 PWR_SPAWN_ROOT_UID,
    };

    return pwr_spawn(&sp, c, err);
}

/* Write the request with SIGPIPE blocked, so a helper that exits early makes
 * the write fail with EPIPE instead of killing the host program; a SIGPIPE
 * raised meanwhile is consumed before the mask is restored. */
static int send_request(int fd, const struct pwr_msg *req,
                        struct pwr_err *err)
{
    sigset_t pipe_set, old, pending;
    struct timespec zero = { 0, 0 };
    int rc;

    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    rc = pwr_msg_write(fd, req, err);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) && !sigismember(&old, SIGPIPE))
        (void)sigtimedwait(&pipe_set, NULL, &zero);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static int check_exit(int status, const struct pwr_msg *rep,
                      struct pwr_err *err)
{
    if (!WIFEXITED(status))
        return pwr_fail(err, PWR_E_INTERNAL, "helper killed by signal %d",
                        WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (WEXITSTATUS(status) == 127 && pwr_msg_get(rep, "result") == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "cannot run the helper");
    if ((int)pwr_msg_result(rep) != WEXITSTATUS(status))
        return pwr_fail(err, PWR_E_INTERNAL,
                        "helper exit status %d does not match its reply",
                        WEXITSTATUS(status));
    return 0;
}

/* The child is running: send, receive, reap. */
static int converse(struct pwr_child *c, const struct pwr_msg *req,
                    struct pwr_msg *rep, pwr_frame_fn fn, void *arg,
                    struct pwr_err *err)
{
    struct pwr_err werr, rerr;
    int status = 0, rc = -1, rd, got;

    pwr_err_clear(&werr);
    pwr_err_clear(&rerr);
    /* A failed write is reported only if no reply explains it. */
    (void)send_request(c->to_child, req, &werr);
    close(c->to_child);
    rd = pwr_msg_read_reply(c->from_child, rep, fn, arg, &got, &rerr);
    close(c->from_child);
    if (pwr_spawn_wait(c->pid, &status, err) < 0)
        rc = -1;
    else if (WIFSIGNALED(status))
        pwr_fail(err, PWR_E_INTERNAL, "helper killed by signal %d",
                 WTERMSIG(status));
    else if (!got)
        pwr_fail(err, PWR_E_INTERNAL, "no reply from the helper%s%s",
                 werr.msg[0] ? ": " : "", werr.msg);
    else if (rd == -1)
        *err = rerr;
    else
        rc = check_exit(status, rep, err);
    if (rc == 0 && rd == -2) { /* fn's own error */
        *err = rerr;
        rc = -1;
    }
    if (rc < 0)
        pwr_msg_free(rep);
    return rc;
}

int pwr_helper_call_stream(const char *path, const struct pwr_msg *req,
                           struct pwr_msg *rep, pwr_frame_fn fn, void *arg,
                           struct pwr_err *err)
{
    struct sigaction dfl, old;
    struct pwr_child c = { -1, -1, -1 };
    int rc;

    pwr_msg_init(rep);
    /* A host program that ignores SIGCHLD would make waitpid fail. */
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    if (sigaction(SIGCHLD, &dfl, &old) < 0)
        return pwr_fail_errno(err, PWR_E_INTERNAL, errno, "sigaction");
    rc = spawn(path, &c, err);
    if (rc == 0)
        rc = converse(&c, req, rep, fn, arg, err);
    sigaction(SIGCHLD, &old, NULL);
    return rc;
}

int pwr_helper_call(const char *path, const struct pwr_msg *req,
                    struct pwr_msg *rep, struct pwr_err *err)
{
    return pwr_helper_call_stream(path, req, rep, NULL, NULL, err);
}
