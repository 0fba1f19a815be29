/* itimer_exec.c - test tool: start a program with interval timers already
 * running, as a caller of a set-uid program may (timers survive execve).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * usage: itimer_exec FIRST_USEC EVERY_USEC PROGRAM [ARGS...]
 *   Arms ITIMER_REAL, ITIMER_VIRTUAL and ITIMER_PROF to fire after
 *   FIRST_USEC microseconds and every EVERY_USEC after that, leaves SIGALRM,
 *   SIGVTALRM and SIGPROF at their default action (terminate), and execs
 *   PROGRAM.
 *   Exit 127 if that fails, 2 on usage errors.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

/* A count of microseconds, 1 to 10 s; -1 if not. */
static long usec(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    return *end == '\0' && end != s && v > 0 && v <= 10000000 ? v : -1;
}

int main(int argc, char **argv)
{
    static const int which[] = { ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF };
    static const int sigs[] = { SIGALRM, SIGVTALRM, SIGPROF };
    struct itimerval it;
    long first, every;
    size_t i;

    if (argc < 4 || (first = usec(argv[1])) < 0 || (every = usec(argv[2])) < 0) {
        fprintf(stderr,
                "usage: itimer_exec FIRST_USEC EVERY_USEC PROGRAM [ARGS...]\n");
        return 2;
    }
    it.it_value.tv_sec = first / 1000000;
    it.it_value.tv_usec = first % 1000000;
    it.it_interval.tv_sec = every / 1000000;
    it.it_interval.tv_usec = every % 1000000;
    for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
        signal(sigs[i], SIG_DFL);
        if (setitimer(which[i], &it, NULL) < 0) {
            perror("setitimer");
            return 2;
        }
    }
    execv(argv[3], argv + 3);
    return 127;
}
