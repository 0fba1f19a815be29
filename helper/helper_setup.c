/* helper_setup.c - start-up hygiene of the set-uid helper (steps 1-6 of the
 * MUST list in helper_main.c), in the spirit of doas and unix_chkpwd.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Nothing here trusts what the caller left behind: fds, environment,
 * umask, signal dispositions and masks, interval timers, resource limits,
 * scheduling.  Nothing the caller controls may stop, kill or
 * starve the helper between "decided" and "done, audited":
 *  - interval timers (kept across execve) are cancelled first of all, and
 *    SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU and SIGXFSZ stay blocked, like the
 *    terminal's SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN and SIGTTOU (the
 *    kernel sends those whatever our uid: blocked, they neither kill nor
 *    stop us; a blocked SIGTTOU lets a write to the terminal go through).
 *    Blocked, not ignored: children (loginctl, sendmail) start with the
 *    defaults;
 *  - the stack, CPU, file size, address space, data and open-file limits
 *    are raised (core dumps stay off); the stack to HX_STACK_WANT before
 *    main runs (early_setup, with the timers), and when it stays below
 *    HX_STACK_NEED the helper refuses to start, before it reads the
 *    request (a hard limit it may not raise: no privilege, or no
 *    CAP_SYS_RESOURCE);
 *  - a caller's nice value, SCHED_IDLE/SCHED_BATCH and idle I/O class are
 *    undone when it is not root, so a lock holder is never starved by them
 *    (root's own nice, e.g. for a bulk action, is kept);
 *  - signals sent by the caller: helper_auth.c makes the real uid 0 once
 *    the caller is identified.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "helper.h"

/* The stack limit the helper sets (a default Linux gives 8 MiB), and the
 * least it runs with (it needs far less; a caller's smaller hard limit that
 * cannot be raised - no CAP_SYS_RESOURCE, or no privilege - is refused). */
#define HX_STACK_WANT (8UL * 1024 * 1024)
#define HX_STACK_NEED (1UL * 1024 * 1024)

static void __attribute__((noreturn)) die(enum pwr_code code, const char *why)
{
    /* stderr is open by now (or /dev/null): a person may be reading it. */
    static const char prefix[] = "pwreset-helper: ";

    (void)!write(STDERR_FILENO, prefix, sizeof(prefix) - 1);
    (void)!write(STDERR_FILENO, why, strlen(why));
    (void)!write(STDERR_FILENO, "\n", 1);
    _exit((int)code);
}

/* fds 0-2 must exist, so a file we open later never becomes "stdout". */
static void open_std_fds(void)
{
    int fd;

    for (fd = 0; fd <= 2; fd++) {
        int nfd;

        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        nfd = open("/dev/null", O_RDWR | O_NOCTTY);
        if (nfd != fd)
            _exit(PWR_E_INTERNAL); /* nothing sane to report to */
    }
}

static void close_stray_fds(void)
{
    DIR *d;
    struct dirent *de;

#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return;
#endif
    d = opendir("/proc/self/fd");
    if (d == NULL)
        die(PWR_E_INTERNAL, "cannot list open file descriptors");
    while ((de = readdir(d)) != NULL) {
        char *end;
        long fd = strtol(de->d_name, &end, 10);

        if (*end == '\0' && end != de->d_name && fd > 2 && fd != dirfd(d))
            close((int)fd);
    }
    closedir(d);
}

/* The signals blocked for the whole run (see the top of this file). */
static void blocked_set(sigset_t *set)
{
    static const int sigs[] = { SIGINT,  SIGQUIT,   SIGTSTP, SIGHUP,
                                SIGTTIN, SIGTTOU,   SIGALRM, SIGVTALRM,
                                SIGPROF, SIGXCPU,   SIGXFSZ };
    size_t i;

    sigemptyset(set);
    for (i = 0; i < PWR_ARRAY_SIZE(sigs); i++)
        sigaddset(set, sigs[i]);
}

static void reset_signals(void)
{
    struct sigaction sa;
    sigset_t set;
    int sig;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    for (sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        sa.sa_handler = sig == SIGPIPE ? SIG_IGN : SIG_DFL;
        (void)sigaction(sig, &sa, NULL); /* fails for RT signals libc owns */
    }
    /* Straight to our mask, never through "none": a SIGALRM the caller
     * left pending (blocked) must stay blocked, not end us. */
    blocked_set(&set);
    if (sigprocmask(SIG_SETMASK, &set, NULL) < 0)
        die(PWR_E_INTERNAL, "cannot reset the signal mask");
}

/* Interval timers survive execve: a caller's ITIMER_REAL, ITIMER_VIRTUAL
 * or ITIMER_PROF would end us with SIGALRM, SIGVTALRM or SIGPROF. */
static void cancel_timers(void)
{
    static const int which[] = { ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF };
    const struct itimerval off = { { 0, 0 }, { 0, 0 } };
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(which); i++)
        if (setitimer(which[i], &off, NULL) < 0)
            die(PWR_E_INTERNAL, "cannot cancel an interval timer");
}

/* Raise a limit below want to want (hard too when allowed, else soft to
 * hard); -1 if it stays below need. */
static int raise_to(int resource, rlim_t want, rlim_t need)
{
    struct rlimit rl;

    if (getrlimit(resource, &rl) < 0)
        return -1;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
        return 0;
    rl.rlim_cur = want;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
        rl.rlim_max = want;
    if (setrlimit(resource, &rl) == 0)
        return 0;
    if (getrlimit(resource, &rl) < 0)
        return -1;
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(resource, &rl);
    return getrlimit(resource, &rl) == 0 &&
                   (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
               ? 0
               : -1;
}

/* Set-uid for a caller other than root: undo its nice value, idle
 * scheduling and idle I/O class (root's own choice, e.g. a niced bulk
 * action, is kept). */
static void reset_scheduling(void)
{
    struct sched_param sp;

    if (geteuid() != 0 || getuid() == 0)
        return;
    memset(&sp, 0, sizeof(sp));
    (void)sched_setscheduler(0, SCHED_OTHER, &sp);
    (void)setpriority(PRIO_PROCESS, 0, 0);
#ifdef SYS_ioprio_set
    /* IOPRIO_WHO_PROCESS (1), class best-effort (2) level 4 */
    (void)syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 4);
#endif
}

/* Before main, whose frame a caller's 32 KiB stack may not hold once a big
 * environment sits on it: raise the stack limit (checked again, and
 * refused, by hx_setup_process) and stop the timers as early as we can. */
static void __attribute__((constructor)) early_setup(void)
{
    (void)raise_to(RLIMIT_STACK, HX_STACK_WANT, HX_STACK_NEED);
    cancel_timers();
}

/* Raise one limit to infinity when allowed (root), else soft to hard. */
static void lift_limit(int resource)
{
    struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

    if (setrlimit(resource, &rl) == 0)
        return;
    if (getrlimit(resource, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(resource, &rl);
    }
}

static void set_limits(void)
{
    struct rlimit none = { 0, 0 };
    struct rlimit files;

    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        die(PWR_E_INTERNAL, "cannot disable core dumps");
    if (setrlimit(RLIMIT_CORE, &none) < 0)
        die(PWR_E_INTERNAL, "cannot disable core dumps");
    lift_limit(RLIMIT_FSIZE);
    lift_limit(RLIMIT_CPU);
    lift_limit(RLIMIT_AS);
    lift_limit(RLIMIT_DATA);
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < 1024) {
        files.rlim_cur = 1024;
        if (files.rlim_max < 1024)
            files.rlim_max = 1024;
        if (setrlimit(RLIMIT_NOFILE, &files) < 0)
            lift_limit(RLIMIT_NOFILE);
    }
}

void hx_setup_process(int argc, char **argv)
{
    /* Raised before main (early_setup); refuse when it could not be. */
    if (raise_to(RLIMIT_STACK, HX_STACK_WANT, HX_STACK_NEED) < 0)
        die(PWR_E_INTERNAL, "the stack limit (ulimit -s) is too small and "
                            "cannot be raised");
    cancel_timers();
    open_std_fds();
    /* Linux (5.18 and later) turns an execve with argv = { NULL } into
     * argv = { "" }: an empty name is the same attack (CVE-2021-4034). */
    if (argc < 1 || argv == NULL || argv[0] == NULL || argv[0][0] == '\0')
        die(PWR_E_USAGE, "started without a program name");
    if (argc > 1)
        die(PWR_E_USAGE, "takes no arguments; it is run by pwreset(8) and "
                         "pam_pwreset(8)");
    close_stray_fds();
    if (clearenv() != 0)
        die(PWR_E_INTERNAL, "cannot clear the environment");
    umask(077);
    reset_signals();
    set_limits();
    reset_scheduling();
    if (isatty(STDIN_FILENO))
        die(PWR_E_USAGE, "not meant to be run by hand; use pwreset(8)");
}

int hx_lift_fsize(struct pwr_err *err)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_FSIZE, &rl) < 0)
        return pwr_fail_errno(err, PWR_E_INTERNAL, errno, "getrlimit");
    if (rl.rlim_cur != RLIM_INFINITY)
        return pwr_fail(err, PWR_E_STORE,
                        "a file size limit (ulimit -f) is set; refusing to "
                        "write the store");
    return 0;
}

void hx_become_root(void)
{
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        die(PWR_E_INTERNAL, "cannot take the real uid 0");
    if (getuid() != 0 || getgid() != 0)
        die(PWR_E_INTERNAL, "the real uid is not 0");
}
