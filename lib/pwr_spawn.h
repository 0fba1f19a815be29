/* pwr_spawn.h - run another program: fork, wire its standard fds, exec it
 * by absolute path with the environment the caller gives, and reap it.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The one place pam_pwreset, the helper and the CLI start a program (the
 * helper itself, loginctl, chage, sendmail, journalctl).  What a site needs
 * beyond the common steps - an empty signal mask, every other fd closed,
 * a process group of its own, root ids in a set-uid context - it asks for
 * with a flag, so no site loses a property by sharing the code.
 */
#ifndef PWR_SPAWN_H
#define PWR_SPAWN_H

#include <sys/types.h>

#include "pwr_err.h"

/* What a child's fd 0, 1 or 2 is (otherwise one of our fds, dup2'ed). */
#define PWR_SPAWN_KEEP (-1) /* ours, as it is */
#define PWR_SPAWN_NULL (-2) /* /dev/null */
#define PWR_SPAWN_PIPE (-3) /* a pipe to us (stdin and stdout only) */

enum pwr_spawn_flags {
    /* Start with no signal blocked, whatever the caller blocks. */
    PWR_SPAWN_CLEAR_SIGMASK = 1 << 0,
    /* Close every fd above 2, not only the close-on-exec ones (the caller
     * is a host program whose fds we do not know). */
    PWR_SPAWN_CLOSE_FDS = 1 << 1,
    /* A process group of its own, so pwr_spawn_wait_ms can stop whatever
     * it starts in turn. */
    PWR_SPAWN_OWN_PGRP = 1 << 2,
    /* Running set-uid root (effective uid 0, real uid not): make the real
     * and saved uid 0 too, so the child sees root, not the invoking user.
     * Groups are left as they are. */
    PWR_SPAWN_ROOT_UID = 1 << 3,
    /* Effective uid 0: make every uid and gid 0 (loginctl, chage and
     * sendmail must act as root, not as the set-uid helper's caller). */
    PWR_SPAWN_ROOT_IDS = 1 << 4,
};

struct pwr_spawn {
    const char *path;  /* absolute path, run with execve */
    char *const *argv; /* NULL-terminated */
    char *const *envp; /* the child's whole environment; NULL: empty */
    int in, out, err;  /* an fd of ours, or PWR_SPAWN_KEEP/NULL/PIPE */
    unsigned flags;    /* enum pwr_spawn_flags */
};

struct pwr_child {
    pid_t pid;
    int to_child;   /* our end of its stdin (in = PWR_SPAWN_PIPE), else -1 */
    int from_child; /* our end of its stdout (out = PWR_SPAWN_PIPE), else -1 */
};

/* Start sp: 0 with c filled in (the caller closes the pipe ends it got and
 * reaps c->pid), or -1 (nothing left open, no child).  A child that cannot
 * be set up or exec'ed exits with status 127. */
int pwr_spawn(const struct pwr_spawn *sp, struct pwr_child *c,
              struct pwr_err *err);

/* Reap pid (waitpid, again on EINTR): 0 with *status, or -1. */
int pwr_spawn_wait(pid_t pid, int *status, struct pwr_err *err);

/* Reap pid, waiting at most timeout_ms: 0 with *status; 1 when time ran
 * out (it and its process group, if it has one, are killed with SIGKILL
 * and reaped); -1 on error. */
int pwr_spawn_wait_ms(pid_t pid, unsigned timeout_ms, int *status,
                      struct pwr_err *err);

/* A wait status as an outcome: 0 for exit status 0, else -1 with err
 * saying "NAME exited with status N", "NAME killed by signal N", or, for
 * status 127, "cannot run NAME". */
int pwr_spawn_status(int status, const char *name, struct pwr_err *err);

/* Start sp (with no pipes), wait for it, and decode its status as above. */
int pwr_spawn_run(const struct pwr_spawn *sp, const char *name,
                  struct pwr_err *err);

#endif
