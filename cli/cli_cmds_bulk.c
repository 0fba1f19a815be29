/* cli_cmds_bulk.c - admin commands over many accounts, each one helper
 * request and so one store write: enrol, import, force-reset,
 * reset-code, block / unblock / deactivate / activate.  They print one line per account, for any number of
 * accounts: the request and the reply travel in as many frames as they
 * need (pwr_proto.h), and the reply is printed as it streams in.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int add(struct pwr_msg *req, const char *key, const char *value)
{
    struct pwr_err err;

    if (pwr_msg_add(req, key, value, &err) == 0)
        return PWR_OK;
    cli_err("%s", err.msg);
    return PWR_E_INTERNAL;
}

struct codes {
    const struct cli *cli;
    const char *label;
};

/* Generated codes: one line (or JSON object) per account, shown once; a
 * pwr_frame_fn, called for every frame of the reply. */
static int print_codes(const struct pwr_msg *rep, void *arg,
                       struct pwr_err *err)
{
    const struct codes *c = arg;
    const struct cli *cli = c->cli;
    const char *label = c->label;
    size_t i, j;

    for (i = cli_group_next(rep, 0); i < rep->n; i = j) {
        const char *code, *status;
        int64_t expires;
        char when[64];

        j = cli_group_next(rep, i + 1);
        code = cli_group_get(rep, i, j, "code");
        status = code != NULL ? "pending" : "active";
        expires = cli_num(cli_group_get(rep, i, j, "expires"));
        if (cli->json) {
            fputs("{", stdout);
            cli_json_kv(stdout, "user", rep->fields[i].value, 0);
            if (strcmp(label, "setup code") == 0)
                cli_json_kv(stdout, "status", status, 1);
            cli_json_kv(stdout, "code", code, 1);
            cli_json_time(stdout, "expires", expires, 1);
            fputs("}\n", stdout);
        } else if (code != NULL) {
            cli_time(expires, when, sizeof(when));
            printf("%s: %s %s (expires %s)\n", rep->fields[i].value, label,
                   code, when);
        }
    }
    (void)err;
    return 0;
}

/* The reply lists every account, streamed: earlier frames are printed as
 * they arrive, the last one (with the result) after.  Any account the
 * action skipped (a --group or --all member it may not touch or that is
 * not eligible) makes the exit status PWR_E_PARTIAL: the others were
 * changed, and a script must not take that for "all done". */
static int finish(struct cli *cli, struct pwr_msg *req, int codes,
                  const char *label)
{
    struct codes c = { cli, label };
    struct pwr_msg rep;
    struct cli_tally tally = { 0, 0, 0, "" };
    int rc = codes ? cli_call_stream(cli, req, &rep, print_codes, &c)
                   : cli_call_stream(cli, req, &rep, cli_print_accounts,
                                     &tally);

    if (rc == PWR_OK && codes) {
        print_codes(&rep, &c, NULL);
        if (!cli->json)
            printf("Each code is shown only this once.\n");
    } else if (rc == PWR_OK) {
        cli_print_accounts(&rep, &tally, NULL);
        printf("%s\n", pwr_msg_get(&rep, "message"));
        cli_print_sessions(&tally);
    }
    if (rc == PWR_OK && tally.skipped > 0) {
        cli_err("%zu account(s) skipped, each listed above with the reason; "
                "the others were done", tally.skipped);
        rc = PWR_E_PARTIAL;
    }
    pwr_msg_free(&rep);
    pwr_msg_free(req);
    return rc;
}

static int start(struct cli *cli, const char *op, struct pwr_msg *req,
                 int argc, char **argv, int first)
{
    int rc = cli_request(cli, req, op);

    if (rc == PWR_OK)
        rc = cli_add_users(req, argc - first, argv + first);
    if (rc != PWR_OK)
        pwr_msg_free(req);
    return rc;
}

int cli_cmd_enrol(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("enrol");
    struct pwr_msg req;
    int first = cli_parse(cli, cmd, argc, argv), rc;

    if (first < 0)
        return PWR_E_USAGE;
    if (first >= argc)
        return cli_usage_error(cmd, "name at least one user");
    if (cli->ttl != NULL && !cli->pending)
        return cli_usage_error(cmd, "--ttl applies to --pending");
    rc = start(cli, "enrol", &req, argc, argv, first);
    if (rc == PWR_OK && cli->pending)
        rc = add(&req, "pending", "1");
    if (rc == PWR_OK)
        rc = cli_add_ttl(cli, &req);
    if (rc != PWR_OK) {
        pwr_msg_free(&req);
        return rc;
    }
    return finish(cli, &req, cli->pending || cli->json, "setup code");
}

int cli_cmd_import(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("import");
    struct pwr_msg req;
    char shadow[PATH_MAX];
    int first = cli_parse(cli, cmd, argc, argv), rc;

    if (first < 0)
        return PWR_E_USAGE;
    /* The helper runs elsewhere: hand it an absolute path. */
    if (cli->shadow != NULL && realpath(cli->shadow, shadow) == NULL) {
        cli_err("%s: %s", cli->shadow, strerror(errno));
        return PWR_E_NOENT;
    }
    rc = start(cli, "import", &req, argc, argv, first);
    if (rc == PWR_OK && cli->shadow != NULL)
        rc = add(&req, "shadow", shadow);
    if (rc != PWR_OK) {
        pwr_msg_free(&req);
        return rc;
    }
    return finish(cli, &req, 0, NULL);
}

int cli_cmd_force_reset(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("force-reset");
    struct pwr_msg req;
    int first = cli_parse(cli, cmd, argc, argv), rc;

    if (first < 0)
        return PWR_E_USAGE;
    if ((first < argc) + (cli->group != NULL) + cli->all != 1)
        return cli_usage_error(cmd, "name users, or --group GROUP, or --all");
    if (cli->group != NULL && !pwr_login_valid(cli->group))
        return cli_usage_error(cmd, "invalid group name");
    rc = start(cli, "force_reset", &req, argc, argv, first);
    if (rc == PWR_OK && cli->group != NULL)
        rc = add(&req, "group", cli->group);
    if (rc == PWR_OK && cli->all)
        rc = add(&req, "all", "1");
    if (rc == PWR_OK && cli->clear)
        rc = add(&req, "clear", "1");
    if (rc == PWR_OK && cli->dry_run)
        rc = add(&req, "dry_run", "1");
    if (rc != PWR_OK) {
        pwr_msg_free(&req);
        return rc;
    }
    return finish(cli, &req, 0, NULL);
}

int cli_cmd_reset_code(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("reset-code");
    struct pwr_msg req;
    int first = cli_parse(cli, cmd, argc, argv), rc;

    if (first < 0)
        return PWR_E_USAGE;
    if (first >= argc)
        return cli_usage_error(cmd, "name at least one user");
    rc = start(cli, "reset_code", &req, argc, argv, first);
    if (rc == PWR_OK)
        rc = cli_add_ttl(cli, &req);
    if (rc != PWR_OK) {
        pwr_msg_free(&req);
        return rc;
    }
    return finish(cli, &req, 1, "reset code");
}

/* block, unblock, deactivate, activate: the command name is the op. */
int cli_cmd_status_change(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find(argv[0]);
    struct pwr_msg req;
    int first = cli_parse(cli, cmd, argc, argv), rc;

    if (first < 0)
        return PWR_E_USAGE;
    if (first >= argc)
        return cli_usage_error(cmd, "name at least one user");
    rc = start(cli, cmd->name, &req, argc, argv, first);
    if (rc == PWR_OK && cli->reason != NULL)
        rc = add(&req, "reason", cli->reason);
    if (rc == PWR_OK && cli->keep_sessions)
        rc = add(&req, "keep_sessions", "1");
    if (rc != PWR_OK) {
        pwr_msg_free(&req);
        return rc;
    }
    return finish(cli, &req, 0, NULL);
}
