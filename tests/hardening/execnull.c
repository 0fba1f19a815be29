/* execnull.c - test tool: start a program the way an attacker would start a
 * set-uid one (CVE-2021-4034, pkexec): with argc == 0, argv = { NULL }, and
 * an environment of the attacker's choosing; optionally with fds 0-2 closed.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * usage: execnull [--close-std] PROGRAM [NAME=VALUE...]
 *   execve(PROGRAM, { NULL }, { NAME=VALUE..., NULL }).  Exit 127 if the
 *   execve itself fails.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char *no_args[] = { NULL };
    int i = 1;

    if (argc > 1 && strcmp(argv[1], "--close-std") == 0) {
        i++;
        if (argc <= i)
            return 2;
        close(0);
        close(1);
        close(2);
    } else if (argc < 2) {
        fprintf(stderr, "usage: execnull [--close-std] PROGRAM [NAME=VALUE...]\n");
        return 2;
    }
    /* argv + i + 1 is NULL-terminated, as argv is. */
    execve(argv[i], no_args, argv + i + 1);
    return 127;
}
