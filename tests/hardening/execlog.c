/* execlog.c - LD_PRELOAD shim for the secrets test (never installed): logs
 * the argument and environment strings of every program a process starts,
 * so the test can prove no secret is ever passed in argv or the
 * environment (where /proc/PID/cmdline and environ would show it).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 *   PWR_EXECLOG=FILE   append "exec PATH", then "arg ..." and "env ..."
 *                      lines, for each execve, execv, execvp, execvpe,
 *                      posix_spawn and posix_spawnp call.
 * The path is read at start-up: the helper clears its environment.
 */
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static char log_path[4096];

__attribute__((constructor)) static void shim_init(void)
{
    const char *p = getenv("PWR_EXECLOG");

    if (p != NULL)
        snprintf(log_path, sizeof(log_path), "%s", p);
}

static void put(int fd, const char *tag, const char *s)
{
    (void)!write(fd, tag, strlen(tag));
    (void)!write(fd, s, strlen(s));
    (void)!write(fd, "\n", 1);
}

/* Written with write(2) only: execve may run in a child after fork. */
static void record(const char *path, char *const argv[], char *const envp[])
{
    int fd;

    if (log_path[0] == '\0')
        return;
    fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    put(fd, "exec ", path ? path : "(null)");
    for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
        put(fd, "arg ", argv[i]);
    for (size_t i = 0; envp != NULL && envp[i] != NULL; i++)
        put(fd, "env ", envp[i]);
    close(fd);
}

static void *next(const char *name)
{
    void *fn = dlsym(RTLD_NEXT, name);

    if (fn == NULL)
        abort();
    return fn;
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    record(path, argv, envp);
    return ((int (*)(const char *, char *const[], char *const[]))next(
        "execve"))(path, argv, envp);
}

int execv(const char *path, char *const argv[])
{
    record(path, argv, environ);
    return ((int (*)(const char *, char *const[]))next("execv"))(path, argv);
}

int execvp(const char *file, char *const argv[])
{
    record(file, argv, environ);
    return ((int (*)(const char *, char *const[]))next("execvp"))(file, argv);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
    record(file, argv, envp);
    return ((int (*)(const char *, char *const[], char *const[]))next(
        "execvpe"))(file, argv, envp);
}

typedef int (*spawn_fn)(pid_t *, const char *,
                        const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[],
                        char *const[]);

int posix_spawn(pid_t *pid, const char *path,
                const posix_spawn_file_actions_t *fa,
                const posix_spawnattr_t *attr, char *const argv[],
                char *const envp[])
{
    record(path, argv, envp);
    return ((spawn_fn)next("posix_spawn"))(pid, path, fa, attr, argv, envp);
}

int posix_spawnp(pid_t *pid, const char *file,
                 const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *attr, char *const argv[],
                 char *const envp[])
{
    record(file, argv, envp);
    return ((spawn_fn)next("posix_spawnp"))(pid, file, fa, attr, argv, envp);
}
