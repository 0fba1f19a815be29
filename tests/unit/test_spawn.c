/* test_spawn.c - unit tests of lib/pwr_spawn.c: exit statuses decoded into
 * messages, the child's environment and fds exactly as asked, a pipe each
 * way, and a timed wait that kills a child that runs too long.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#include "pwr_spawn.h"
#include "pwr_util.h"
#include "testutil.h"

#define SH "/bin/sh"

/* Run sh -c script with the given fds, environment and flags. */
static int run_sh(const char *script, char *const *envp, unsigned flags,
                  struct pwr_err *err)
{
    char *const argv[] = { (char *)(uintptr_t)"sh", (char *)(uintptr_t)"-c",
                           (char *)(uintptr_t)script, NULL };
    struct pwr_spawn sp = { .path = SH, .argv = argv, .envp = envp,
                            .in = PWR_SPAWN_NULL, .out = PWR_SPAWN_NULL,
                            .err = PWR_SPAWN_NULL, .flags = flags };

    return pwr_spawn_run(&sp, "sh", err);
}

/* What the child wrote on its stdout, up to outsz - 1 bytes. */
static void read_all(int fd, char *out, size_t outsz)
{
    size_t len = 0;
    ssize_t n;

    while (len + 1 < outsz && (n = read(fd, out + len, outsz - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
}

START_TEST(test_exit_statuses_become_messages)
{
    struct pwr_err err;

    ck_assert_int_eq(run_sh("exit 0", NULL, 0, &err), 0);
    ck_assert_int_eq(run_sh("exit 3", NULL, 0, &err), -1);
    ck_assert_str_eq(err.msg, "sh exited with status 3");
    ck_assert_int_eq(run_sh("kill -KILL $$", NULL, 0, &err), -1);
    ck_assert_str_eq(err.msg, "sh killed by signal 9");
}
END_TEST

START_TEST(test_a_program_that_cannot_run_says_so)
{
    char *const argv[] = { (char *)(uintptr_t)"nothing", NULL };
    struct pwr_spawn sp = { .path = "/nonexistent/nothing", .argv = argv,
                            .in = PWR_SPAWN_NULL, .out = PWR_SPAWN_NULL,
                            .err = PWR_SPAWN_NULL };
    struct pwr_err err;

    ck_assert_int_eq(pwr_spawn_run(&sp, "nothing", &err), -1);
    ck_assert_str_eq(err.msg, "cannot run nothing");
}
END_TEST

/* The child's environment is the one given, and nothing of ours. */
START_TEST(test_the_environment_is_exactly_the_one_given)
{
    char *const argv[] = { (char *)(uintptr_t)"sh", (char *)(uintptr_t)"-c",
                           (char *)(uintptr_t)"echo \"[$ONE][$HOME]\"", NULL };
    char *const envp[] = { (char *)(uintptr_t)"ONE=1", NULL };
    struct pwr_spawn sp = { .path = SH, .argv = argv, .envp = envp,
                            .in = PWR_SPAWN_NULL, .out = PWR_SPAWN_PIPE,
                            .err = PWR_SPAWN_NULL };
    struct pwr_child c;
    struct pwr_err err;
    char out[64];
    int status;

    setenv("HOME", "/leaked", 1);
    ck_assert_int_eq(pwr_spawn(&sp, &c, &err), 0);
    ck_assert_int_eq(c.to_child, -1);
    read_all(c.from_child, out, sizeof(out));
    close(c.from_child);
    ck_assert_int_eq(pwr_spawn_wait(c.pid, &status, &err), 0);
    ck_assert_int_eq(pwr_spawn_status(status, "sh", &err), 0);
    ck_assert_str_eq(out, "[1][]\n");
}
END_TEST

START_TEST(test_pipes_reach_the_child_both_ways)
{
    char *const argv[] = { (char *)(uintptr_t)"cat", NULL };
    struct pwr_spawn sp = { .path = "/bin/cat", .argv = argv,
                            .in = PWR_SPAWN_PIPE, .out = PWR_SPAWN_PIPE,
                            .err = PWR_SPAWN_NULL };
    struct pwr_child c;
    struct pwr_err err;
    char out[64];
    int status;

    ck_assert_int_eq(pwr_spawn(&sp, &c, &err), 0);
    ck_assert_int_eq(pwr_write_all(c.to_child, "round trip", 10), 0);
    close(c.to_child);
    read_all(c.from_child, out, sizeof(out));
    close(c.from_child);
    ck_assert_int_eq(pwr_spawn_wait(c.pid, &status, &err), 0);
    ck_assert_int_eq(pwr_spawn_status(status, "cat", &err), 0);
    ck_assert_str_eq(out, "round trip");
}
END_TEST

/* An fd we left open without close-on-exec reaches the child, unless
 * PWR_SPAWN_CLOSE_FDS is asked for. */
START_TEST(test_close_fds_leaves_the_child_only_0_1_2)
{
    int fd = open("/dev/null", O_RDONLY), fds_before = pwr_test_count_fds();
    char script[64];
    struct pwr_err err;

    ck_assert_int_ge(fd, 3);
    snprintf(script, sizeof(script), "test -e /proc/self/fd/%d", fd);
    ck_assert_int_eq(run_sh(script, NULL, 0, &err), 0);
    ck_assert_int_eq(run_sh(script, NULL, PWR_SPAWN_CLOSE_FDS, &err), -1);
    ck_assert_str_eq(err.msg, "sh exited with status 1");
    close(fd);
    /* and the parent kept no pipe or /dev/null of its own */
    ck_assert_int_eq(pwr_test_count_fds(), fds_before - 1);
}
END_TEST

START_TEST(test_a_child_out_of_time_is_killed_and_reaped)
{
    char *const argv[] = { (char *)(uintptr_t)"sh", (char *)(uintptr_t)"-c",
                           (char *)(uintptr_t)"sleep 60 & wait", NULL };
    struct pwr_spawn sp = { .path = SH, .argv = argv, .in = PWR_SPAWN_NULL,
                            .out = PWR_SPAWN_NULL, .err = PWR_SPAWN_NULL,
                            .flags = PWR_SPAWN_OWN_PGRP };
    struct pwr_child c;
    struct pwr_err err;
    int status = 0;

    ck_assert_int_eq(pwr_spawn(&sp, &c, &err), 0);
    ck_assert_int_eq(pwr_spawn_wait_ms(c.pid, 50, &status, &err), 1);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    ck_assert_int_eq(waitpid(c.pid, &status, WNOHANG), -1); /* reaped */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("spawn");
    TCase *tc = tcase_create("spawn");

    tcase_add_test(tc, test_exit_statuses_become_messages);
    tcase_add_test(tc, test_a_program_that_cannot_run_says_so);
    tcase_add_test(tc, test_the_environment_is_exactly_the_one_given);
    tcase_add_test(tc, test_pipes_reach_the_child_both_ways);
    tcase_add_test(tc, test_close_fds_leaves_the_child_only_0_1_2);
    tcase_add_test(tc, test_a_child_out_of_time_is_killed_and_reaped);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
