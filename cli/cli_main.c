/* cli_main.c - pwreset: global options and the command table.
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

static const struct cli_cmd cmds[] = {
    { "enrol", cli_cmd_enrol, "USER... [--pending] [--ttl DURATION] [--json]",
      "put existing system users into the store" },
    { "import", cli_cmd_import, "[USER...] [--shadow FILE]",
      "carry password hashes over from /etc/shadow" },
    { "set-password", cli_cmd_set_password,
      "USER [--temporary] [--no-must-change] [--ttl DURATION] [--stdin] "
      "[--logout] [--allow-reuse] [--yes]",
      "set a user's password" },
    { "temp-password", cli_cmd_temp_password,
      "USER [--ttl DURATION] [--no-must-change] [--logout] [--yes] [--json]",
      "set a generated temporary password, printed once" },
    { "force-reset", cli_cmd_force_reset,
      "USER... | --group GROUP | --all [--clear] [--dry-run]",
      "make users choose a new password at next login" },
    { "reset-code", cli_cmd_reset_code, "USER... [--ttl DURATION] [--json]",
      "issue single-use reset codes" },
    { "block", cli_cmd_status_change, "USER... [--reason TEXT] [--keep-sessions]",
      "deny login: security hold" },
    { "unblock", cli_cmd_status_change, "USER... [--reason TEXT]",
      "lift a block" },
    { "deactivate", cli_cmd_status_change,
      "USER... [--reason TEXT] [--keep-sessions]",
      "deny login: account deactivated" },
    { "activate", cli_cmd_status_change, "USER... [--reason TEXT]",
      "reactivate a deactivated account" },
    { "delete", cli_cmd_delete,
      "USER [--reason TEXT] [--keep-sessions] [--yes]",
      "wipe the password and keep a tombstone" },
    { "purge", cli_cmd_purge, "USER [--reason TEXT] [--yes]",
      "root: remove a deleted account's tombstone (unmanaged again)" },
    { "undelete", cli_cmd_purge, "USER [--reason TEXT]",
      "root: restore a deleted account as blocked, must change" },
    { "logout", cli_cmd_logout, "USER", "end a user's sessions" },
    { "passwd", cli_cmd_passwd, "[--stdin]",
      "change your own password" },
    { "status", cli_cmd_status, "[USER...] [--json]",
      "show accounts and whether they could log in" },
    { "check-config", cli_cmd_check_config, "[--config FILE]",
      "check the configuration as pam_pwreset reads it" },
    { "audit", cli_cmd_audit,
      "[--user U] [--event E] [--since TIME] [--format table|csv|json] "
      "[FILE...] | --verify FILE...",
      "read pwreset's audit events from syslog" },
};

const struct cli_cmd *cli_find(const char *name)
{
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(cmds); i++)
        if (strcmp(cmds[i].name, name) == 0)
            return &cmds[i];
    return NULL;
}

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: pwreset [--config FILE] [--helper PATH] COMMAND "
               "[ARGS]\n\ncommands:\n");
    for (i = 0; i < PWR_ARRAY_SIZE(cmds); i++)
        fprintf(f, "  %-14s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(f, "\n\"pwreset COMMAND --help\" describes a command; "
               "see pwreset(8).\n");
}

/* Leading global options, before the command name. */
static int global_options(struct cli *cli, int argc, char **argv, int *next)
{
    int i = 1;

    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i];

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(PWR_OK);
        } else if (strcmp(a, "--version") == 0) {
            printf("pwreset %s\n", PACKAGE_VERSION);
            exit(PWR_OK);
        } else if ((strcmp(a, "--config") == 0 || strcmp(a, "--helper") == 0) &&
                   i + 1 < argc) {
            if (a[2] == 'c' && cli_set_config(cli, argv[i + 1]) != PWR_OK)
                return PWR_E_CONFIG;
            if (a[2] == 'h')
                cli->helper = argv[i + 1];
            i += 2;
        } else {
            cli_err("unknown or incomplete option '%s' (see pwreset --help)",
                    a);
            return PWR_E_USAGE;
        }
    }
    *next = i;
    return PWR_OK;
}

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
    rc = global_options(&cli, argc, argv, &first);
    if (rc != PWR_OK)
        return rc;
    if (first >= argc) {
        usage(stderr);
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
