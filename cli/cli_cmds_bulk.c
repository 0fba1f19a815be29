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

    for (i = pwr_msg_next(rep, 0, "user"); i < rep->n; i = j) {
        const char *code, *status;
        int64_t expires;
        char when[64];

        j = pwr_msg_next(rep, i + 1, "user");
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
static int finish(struct cli *cli, struct pwr_msg *req, const char *label)
{
    struct codes c = { cli, label };
    int codes = label != NULL;
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

/* Send op for the operands with the items that have a value, and print the
 * reply; codes_label names the codes the reply carries (NULL: none). */
static int send(struct cli *cli, const char *op, int argc, char **argv,
                int first, const struct cli_item *items, size_t n,
                const char *codes_label)
{
    struct pwr_msg req;
    int rc = cli_request(cli, &req, op);

    if (rc == PWR_OK)
        rc = cli_add_users(&req, argc - first, argv + first);
    if (rc == PWR_OK)
        rc = cli_add_items(&req, items, n);
    if (rc != PWR_OK) {
        pwr_msg_free(&req);
        return rc;
    }
    return finish(cli, &req, codes_label);
}

int cli_cmd_enrol(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("enrol");
    int first = cli_parse(cli, cmd, argc, argv);
    const struct cli_item items[] = {
        { "pending", CLI_FLAG(cli->pending) },
        { "ttl", cli->ttl },
    };

    if (first < 0)
        return PWR_E_USAGE;
    if (first >= argc)
        return cli_usage_error(cmd, "name at least one user");
    if (cli->ttl != NULL && !cli->pending)
        return cli_usage_error(cmd, "--ttl applies to --pending");
    return send(cli, "enrol", argc, argv, first, items, CLI_NITEMS(items),
                cli->pending || cli->json ? "setup code" : NULL);
}

int cli_cmd_import(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("import");
    char shadow[PATH_MAX];
    int first = cli_parse(cli, cmd, argc, argv);
    const struct cli_item items[] = {
        { "shadow", cli->shadow != NULL ? shadow : NULL },
    };

    if (first < 0)
        return PWR_E_USAGE;
    /* The helper runs elsewhere: hand it an absolute path. */
    if (cli->shadow != NULL && realpath(cli->shadow, shadow) == NULL) {
        cli_err("%s: %s", cli->shadow, strerror(errno));
        return PWR_E_NOENT;
    }
    return send(cli, "import", argc, argv, first, items, CLI_NITEMS(items),
                NULL);
}

int cli_cmd_force_reset(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("force-reset");
    int first = cli_parse(cli, cmd, argc, argv);
    const struct cli_item items[] = {
        { "group", cli->group },
        { "all", CLI_FLAG(cli->all) },
        { "clear", CLI_FLAG(cli->clear) },
        { "dry_run", CLI_FLAG(cli->dry_run) },
    };

    if (first < 0)
        return PWR_E_USAGE;
    if ((first < argc) + (cli->group != NULL) + cli->all != 1)
        return cli_usage_error(cmd, "name users, or --group GROUP, or --all");
    if (cli->group != NULL && !pwr_login_valid(cli->group))
        return cli_usage_error(cmd, "invalid group name");
    return send(cli, "force_reset", argc, argv, first, items,
                CLI_NITEMS(items), NULL);
}

int cli_cmd_reset_code(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("reset-code");
    int first = cli_parse(cli, cmd, argc, argv);
    const struct cli_item items[] = {
        { "ttl", cli->ttl },
    };

    if (first < 0)
        return PWR_E_USAGE;
    if (first >= argc)
        return cli_usage_error(cmd, "name at least one user");
    return send(cli, "reset_code", argc, argv, first, items,
                CLI_NITEMS(items), "reset code");
}

/* block, unblock, deactivate, activate: the command name is the op. */
int cli_cmd_status_change(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find(argv[0]);
    int first = cli_parse(cli, cmd, argc, argv);
    const struct cli_item items[] = {
        { "reason", cli->reason },
        { "keep_sessions", CLI_FLAG(cli->keep_sessions) },
    };

    if (first < 0)
        return PWR_E_USAGE;
    if (first >= argc)
        return cli_usage_error(cmd, "name at least one user");
    return send(cli, cmd->name, argc, argv, first, items, CLI_NITEMS(items),
                NULL);
}
