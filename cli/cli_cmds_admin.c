/* cli_cmds_admin.c - one-account admin commands: set-password,
 * temp-password, delete, logout (end the user's sessions), and purge and
 * undelete (undo a delete).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The irreversible ones name their target and ask for confirmation first
 * (unless --yes); secrets are read only after that, and wiped after use.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pwr_secret.h"

/* Tries at a new password on a terminal, as passwd(1) gives. */
#define SET_TRIES 3

static int one_user(const struct cli_cmd *cmd, int argc, char **argv,
                    int first, const char **user)
{
    if (argc - first != 1)
        return cli_usage_error(cmd, "name exactly one user");
    *user = argv[first];
    return cli_check_login(*user);
}

/* Parse the command's options and its one operand, the user; then, when
 * what is not NULL, ask the admin to confirm what.  Returns a pwr_code. */
static int target(struct cli *cli, const char *name, int argc, char **argv,
                  const char *what, const char **user)
{
    const struct cli_cmd *cmd = cli_find(name);
    int first = cli_parse(cli, cmd, argc, argv), rc;

    if (first < 0)
        return PWR_E_USAGE;
    rc = one_user(cmd, argc, argv, first, user);
    if (rc == PWR_OK && what != NULL)
        rc = cli_confirm(cli, what, *user);
    return rc;
}

/* The helper's message; after a change made with --logout, also how the
 * sessions were ended (the logout op's own message already says it). */
static void print_result(const struct pwr_msg *rep, int sessions_line)
{
    const char *msg = pwr_msg_get(rep, "message");
    const char *method = pwr_msg_get(rep, "method");

    printf("%s\n", msg != NULL ? msg : "done");
    if (sessions_line && method != NULL &&
        pwr_msg_get(rep, "processes") != NULL)
        printf("sessions ended through %s; %s process(es) signalled\n",
               method, pwr_msg_get(rep, "processes"));
}

/* Send op about one user with the items that have a value, and print the
 * helper's answer with print (NULL: the message, and the sessions ended). */
static int send(struct cli *cli, const char *op, const char *user,
                const struct cli_item *items, size_t n,
                void (*print)(const struct cli *, const char *,
                              const struct pwr_msg *))
{
    struct pwr_msg req, rep;
    const struct cli_item who = { "user", user };
    int rc = cli_request(cli, &req, op);

    if (rc == PWR_OK)
        rc = cli_add_items(&req, &who, 1);
    if (rc == PWR_OK)
        rc = cli_add_items(&req, items, n);
    if (rc == PWR_OK) {
        rc = cli_call(cli, &req, &rep);
        if (rc == PWR_OK && print != NULL)
            print(cli, user, &rep);
        else if (rc == PWR_OK)
            print_result(&rep, strcmp(op, "logout") != 0);
        pwr_msg_free(&rep);
    }
    pwr_msg_free(&req);
    return rc;
}

static const char *must_change_item(const struct cli *cli)
{
    if (cli->must_change < 0)
        return NULL;
    return cli->must_change ? "1" : "0";
}

static int send_password(struct cli *cli, const char *user, const char *pw)
{
    const struct cli_item items[] = {
        { "password", pw },
        { "temporary", CLI_FLAG(cli->temporary) },
        { "allow_reuse", CLI_FLAG(cli->allow_reuse) },
        { "must_change", must_change_item(cli) },
        { "logout", CLI_FLAG(cli->logout) },
        { "ttl", cli->ttl },
    };

    return send(cli, "set_password", user, items, CLI_NITEMS(items), NULL);
}

int cli_cmd_set_password(struct cli *cli, int argc, char **argv)
{
    char pw[CLI_SECRET_MAX], prompt[PWR_LOGIN_MAX + 32];
    const char *user = NULL;
    int rc = target(cli, "set-password", argc, argv, NULL, &user), tries;

    if (rc != PWR_OK)
        return rc;
    if (cli->ttl != NULL && !cli->temporary)
        return cli_usage_error(cli_find("set-password"),
                               "--ttl applies to --temporary passwords");
    rc = cli_confirm(cli, "set a new password", user);
    if (rc != PWR_OK)
        return rc;
    snprintf(prompt, sizeof(prompt), "New password for %s: ", user);
    /* On a terminal a password the policy rejected is asked for again,
     * as passwd(1) does; with --stdin there is one try. */
    for (tries = 0; tries < (cli->use_stdin ? 1 : SET_TRIES); tries++) {
        rc = cli_read_secret(cli, prompt, "Retype the new password: ", pw,
                             sizeof(pw));
        if (rc == PWR_OK)
            rc = send_password(cli, user, pw);
        pwr_wipe(pw, sizeof(pw));
        if (rc != PWR_E_POLICY)
            break;
    }
    return rc;
}

static void print_temp(const struct cli *cli, const char *user,
                       const struct pwr_msg *rep)
{
    const char *secret = pwr_msg_get(rep, "secret");
    int64_t expires = cli_num(pwr_msg_get(rep, "expires"));
    char when[64];

    if (cli->json) {
        fputs("{", stdout);
        cli_json_kv(stdout, "user", user, 0);
        cli_json_kv(stdout, "password", secret, 1);
        cli_json_time(stdout, "expires", expires, 1);
        fputs("}\n", stdout);
        return;
    }
    printf("Temporary password for %s: %s\n", user,
           secret != NULL ? secret : "?");
    cli_time(expires, when, sizeof(when));
    printf("It is shown only this once%s%s.\n",
           expires != 0 ? "; it expires " : "", expires != 0 ? when : "");
    if (pwr_msg_get(rep, "processes") != NULL)
        printf("sessions ended through %s; %s process(es) signalled\n",
               pwr_msg_get(rep, "method"), pwr_msg_get(rep, "processes"));
}

static int send_temp(struct cli *cli, const char *user)
{
    const struct cli_item items[] = {
        { "must_change", must_change_item(cli) },
        { "logout", CLI_FLAG(cli->logout) },
        { "ttl", cli->ttl },
    };

    return send(cli, "temp_password", user, items, CLI_NITEMS(items),
                print_temp);
}

int cli_cmd_temp_password(struct cli *cli, int argc, char **argv)
{
    const char *user = NULL;
    int rc = target(cli, "temp-password", argc, argv,
                    "replace the password with a temporary one", &user);

    return rc == PWR_OK ? send_temp(cli, user) : rc;
}

/* A one-user request with the optional reason, logout and keep_sessions. */
static int simple(struct cli *cli, const char *op, const char *user)
{
    const struct cli_item items[] = {
        { "reason", cli->reason },
        { "logout", CLI_FLAG(cli->logout) },
        { "keep_sessions", CLI_FLAG(cli->keep_sessions) },
    };

    return send(cli, op, user, items, CLI_NITEMS(items), NULL);
}

int cli_cmd_delete(struct cli *cli, int argc, char **argv)
{
    const char *user = NULL;
    int rc = target(cli, "delete", argc, argv,
                    "delete the account (its password is wiped)", &user);

    return rc == PWR_OK ? simple(cli, "delete", user) : rc;
}

/* Undo a delete: purge (irreversible: confirmation) and undelete. */
int cli_cmd_purge(struct cli *cli, int argc, char **argv)
{
    const char *user = NULL;
    int rc = target(cli, argv[0], argc, argv,
                    strcmp(argv[0], "purge") == 0
                        ? "purge the account's tombstone (it leaves the "
                          "store: pam_unix decides again)"
                        : NULL,
                    &user);

    return rc == PWR_OK ? simple(cli, argv[0], user) : rc;
}

int cli_cmd_logout(struct cli *cli, int argc, char **argv)
{
    const char *user = NULL;
    int rc = target(cli, "logout", argc, argv, NULL, &user);

    return rc == PWR_OK ? simple(cli, "logout", user) : rc;
}
