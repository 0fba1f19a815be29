/* helper_setup.c - start-up hygiene of the set-uid helper (steps 1-6 of the
 * MUST list in helper_main.c), in the spirit of doas and unix_chkpwd.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Nothing here trusts what the caller left behind: fds, environment,
 * umask, signal dispositions and masks, resource limits.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper.h"

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

static void reset_signals(void)
{
    struct sigaction sa;
    sigset_t none;
    int sig;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    for (sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        sa.sa_handler = sig == SIGPIPE ? SIG_IGN : SIG_DFL;
        (void)sigaction(sig, &sa, NULL); /* fails for RT signals libc owns */
    }
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
        die(PWR_E_INTERNAL, "cannot reset the signal mask");
    hx_block_signals();
}

void hx_block_signals(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGTSTP);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        die(PWR_E_INTERNAL, "cannot block signals");
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
