/* cli_cmds_self.c - pwreset passwd: change your own password,
 * proving it with the current password, a temporary password or a reset
 * code; the new one twice; the policy's reasons on rejection, with up to
 * three tries.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * With --stdin: the first line is the proof, the second the new password
 * (one try).  The caller is the real uid's login, never an argument.
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pwr_secret.h"

#define PASSWD_TRIES 3

struct secrets {
    char proof[CLI_SECRET_MAX];
    char fresh[CLI_SECRET_MAX];
};

static int change(struct cli *cli, const char *login, const struct secrets *s)
{
    struct pwr_msg req, rep;
    struct pwr_err err;
    int rc = cli_request(cli, &req, "chauthtok");

    if (rc == PWR_OK && (pwr_msg_add(&req, "user", login, &err) < 0 ||
                         pwr_msg_add(&req, "proof", s->proof, &err) < 0 ||
                         pwr_msg_add(&req, "new", s->fresh, &err) < 0)) {
        cli_err("%s", err.msg);
        rc = PWR_E_INTERNAL;
    }
    if (rc == PWR_OK) {
        rc = cli_call(cli, &req, &rep);
        if (rc == PWR_OK)
            printf("Password changed.\n");
        pwr_msg_free(&rep);
    }
    pwr_msg_free(&req);
    return rc;
}

static int from_stdin(struct cli *cli, const char *login, struct secrets *s)
{
    int rc = cli_stdin_line(s->proof, sizeof(s->proof));

    if (rc == PWR_OK)
        rc = cli_stdin_line(s->fresh, sizeof(s->fresh));
    if (rc == PWR_OK)
        rc = cli_check_secret(s->proof, "current password");
    if (rc == PWR_OK)
        rc = cli_check_secret(s->fresh, "new password");
    return rc == PWR_OK ? change(cli, login, s) : rc;
}

static int interactive(struct cli *cli, const char *login, struct secrets *s)
{
    int rc, tries;

    printf("Changing the password of %s.\n", login);
    fflush(stdout);
    rc = cli_read_secret(cli, "Current password (or temporary password or "
                              "reset code): ", NULL, s->proof,
                         sizeof(s->proof));
    for (tries = 0; rc == PWR_OK && tries < PASSWD_TRIES; tries++) {
        rc = cli_read_secret(cli, "New password: ", "Retype new password: ",
                             s->fresh, sizeof(s->fresh));
        if (rc == PWR_E_USAGE) { /* mismatch or empty: ask again */
            rc = PWR_OK;
            continue;
        }
        if (rc == PWR_OK)
            rc = change(cli, login, s);
        if (rc != PWR_E_POLICY)
            return rc;
        rc = PWR_OK;
    }
    return rc == PWR_OK ? PWR_E_POLICY : rc;
}

int cli_cmd_passwd(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("passwd");
    struct passwd *pw;
    struct secrets s;
    char login[PWR_LOGIN_MAX + 1];
    int first = cli_parse(cli, cmd, argc, argv), rc;

    if (first < 0)
        return PWR_E_USAGE;
    if (first < argc)
        return cli_usage_error(cmd, "passwd changes your own password and "
                                    "takes no user");
    pw = getpwuid(getuid());
    if (pw == NULL || pwr_strlcpy(login, pw->pw_name, sizeof(login)) < 0 ||
        !pwr_login_valid(login)) {
        cli_err("your uid has no valid login name");
        return PWR_E_NOENT;
    }
    memset(&s, 0, sizeof(s));
    rc = cli->use_stdin ? from_stdin(cli, login, &s)
                        : interactive(cli, login, &s);
    pwr_wipe(&s, sizeof(s));
    return rc;
}
