/* cli_main.c - pwreset: the process set-up, then the global options and
 * the command (cli_commands.c parses both).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * pwreset [--config FILE] [--helper PATH] COMMAND [ARGS]
 * Exit statuses are the pwr_code values (pwr_err.h, pwreset(8)).
 *
 * The helper it runs is PWR_HELPER_PATH, or --helper PATH, or
 * PWRESET_HELPER from the environment, with one rule: the environment is
 * never trusted when the real or effective uid is 0.  An environment
 * follows root through "sudo -E", env_keep, su without "-" and service
 * managers, and the CLI would run the named program as root; a path on the
 * command line is as explicit as running that program.  For anyone else
 * the variable names a program they could run themselves (the test suites
 * rely on it, running the CLI unprivileged with it set).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"

#ifndef PWR_HELPER_PATH
#error "PWR_HELPER_PATH must be defined by the build"
#endif

/* Passwords typed to us and generated ones we print must never land in a
 * core file: no dumps, and (PR_SET_DUMPABLE 0) no ptrace by the same user.
 * Best effort: a failure here is no reason to refuse to run. */
static void no_core_dumps(void)
{
    struct rlimit none = { 0, 0 };

    (void)setrlimit(RLIMIT_CORE, &none);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* The helper before options: PWRESET_HELPER, except for root (see top). */
static const char *default_helper(void)
{
    const char *env = getenv("PWRESET_HELPER");

    if (env == NULL || env[0] == '\0')
        return PWR_HELPER_PATH;
    if (getuid() == 0 || geteuid() == 0) {
        cli_err("PWRESET_HELPER is ignored when run as root (use --helper)");
        return PWR_HELPER_PATH;
    }
    return env;
}

int main(int argc, char **argv)
{
    struct cli cli;
    const struct cli_cmd *cmd;
    int first = 0, rc;

    no_core_dumps();
    memset(&cli, 0, sizeof(cli));
    cli.must_change = -1;
    cli.helper = default_helper();
    rc = cli_parse_global(&cli, argc, argv, &first);
    if (rc != PWR_OK)
        return rc;
    if (first >= argc) {
        cli_print_commands(stderr);
        return PWR_E_USAGE;
    }
    cmd = cli_find(argv[first]);
    if (cmd == NULL) {
        cli_err("unknown command '%s' (see pwreset --help)", argv[first]);
        return PWR_E_USAGE;
    }
    rc = cmd->run(&cli, argc - first, argv + first);
    if (fflush(stdout) != 0 && rc == PWR_OK) {
        cli_err("cannot write the output");
        rc = PWR_E_INTERNAL;
    }
    return rc;
}
