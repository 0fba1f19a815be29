/* cli_commands.c - what pwreset accepts on its command line: the one table
 * of commands (name, handler, operands, options, summary), the options
 * they share, and what is made from them: parsing the global options and
 * a command's, the usage line of a usage error, "pwreset --help" and
 * "pwreset COMMAND --help".
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * A command accepts the options its entry lists and those every command
 * takes (--config, --helper, --help); any other is a usage error.  Its
 * usage line is its operands followed by its options, so it cannot drift
 * from what is accepted; tests/helper/test-manpage.sh holds pwreset(8) to
 * the same table.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Every option: a flag (arg NULL) or one taking a value named arg. */
struct opt_def {
    enum cli_opt id;
    const char *name;
    const char *arg;
    const char *help; /* one line for --help */
};

static const struct opt_def opt_defs[] = {
    { OPT_JSON, "json", NULL, "print the result as JSON" },
    { OPT_YES, "yes", NULL,
      "do not ask for confirmation (needed without a terminal)" },
    { OPT_STDIN, "stdin", NULL,
      "read the secret as one line from standard input" },
    { OPT_LOGOUT, "logout", NULL,
      "also end the user's sessions (delete ends them anyway)" },
    { OPT_KEEP_SESSIONS, "keep-sessions", NULL,
      "leave the user's sessions and sudo ticket (ended by default)" },
    { OPT_DRY_RUN, "dry-run", NULL, "show what would change, change nothing" },
    { OPT_CLEAR, "clear", NULL, "remove the flag instead of setting it" },
    { OPT_ALL, "all", NULL, "every eligible account in the store" },
    { OPT_PENDING, "pending", NULL, "enrol as pending and print a setup code" },
    { OPT_TEMPORARY, "temporary", NULL,
      "mark the password temporary (must change, may expire)" },
    { OPT_MUST_CHANGE, "must-change", NULL,
      "make the user choose a new password at next login" },
    { OPT_NO_MUST_CHANGE, "no-must-change", NULL,
      "do not force a change at next login" },
    { OPT_GROUP, "group", "GROUP",
      "every member of GROUP who is in the store" },
    { OPT_TTL, "ttl", "DURATION", "lifetime, e.g. 90m, 24h, 7d" },
    { OPT_REASON, "reason", "TEXT",
      "why (recorded in the store and the audit trail)" },
    { OPT_USER, "user", "USER", "only events about this login" },
    { OPT_EVENT, "event", "EVENT",
      "only this event (e.g. password_set_by_admin)" },
    { OPT_SINCE, "since", "TIME",
      "only events since TIME: \"2026-11-22 14:00\", or 2h, 7d ago" },
    { OPT_FORMAT, "format", "table|csv|json", "table (default), csv or json" },
    { OPT_SHADOW, "shadow", "FILE",
      "read hashes from FILE instead of /etc/shadow (root only)" },
    { OPT_ALLOW_REUSE, "allow-reuse", NULL,
      "accept the current or a recently used password (audited)" },
    { OPT_VERIFY, "verify", NULL,
      "check the seq/mac chain instead of listing (root)" },
    { OPT_CONFIG, "config", "FILE",
      "configuration file (root only with the setuid helper)" },
    { OPT_HELPER, "helper", "PATH",
      "run this helper instead of the installed one" },
    { OPT_HELP, "help", NULL, "show this help" },
};

/* Accepted by every command, before or after its name. */
static const enum cli_opt common_opts[] = { OPT_CONFIG, OPT_HELPER, OPT_HELP };

static const struct cli_cmd cmds[] = {
    { "enrol", cli_cmd_enrol, "USER...",
      "put existing system users into the store",
      { OPT_PENDING, OPT_TTL, OPT_JSON } },
    { "import", cli_cmd_import, "[USER...]",
      "carry password hashes over from /etc/shadow", { OPT_SHADOW } },
    { "set-password", cli_cmd_set_password, "USER", "set a user's password",
      { OPT_TEMPORARY, OPT_MUST_CHANGE, OPT_NO_MUST_CHANGE, OPT_TTL, OPT_STDIN,
        OPT_LOGOUT, OPT_ALLOW_REUSE, OPT_YES } },
    { "temp-password", cli_cmd_temp_password, "USER",
      "set a generated temporary password, printed once",
      { OPT_TTL, OPT_MUST_CHANGE, OPT_NO_MUST_CHANGE, OPT_LOGOUT, OPT_YES,
        OPT_JSON } },
    { "force-reset", cli_cmd_force_reset, "USER... | --group GROUP | --all",
      "make users choose a new password at next login",
      { OPT_GROUP, OPT_ALL, OPT_CLEAR, OPT_DRY_RUN } },
    { "reset-code", cli_cmd_reset_code, "USER...",
      "issue single-use reset codes", { OPT_TTL, OPT_JSON } },
    { "block", cli_cmd_status_change, "USER...", "deny login: security hold",
      { OPT_REASON, OPT_KEEP_SESSIONS } },
    { "unblock", cli_cmd_status_change, "USER...", "lift a block",
      { OPT_REASON } },
    { "deactivate", cli_cmd_status_change, "USER...",
      "deny login: account deactivated", { OPT_REASON, OPT_KEEP_SESSIONS } },
    { "activate", cli_cmd_status_change, "USER...",
      "reactivate a deactivated account", { OPT_REASON } },
    { "delete", cli_cmd_delete, "USER",
      "wipe the password and keep a tombstone",
      { OPT_REASON, OPT_KEEP_SESSIONS, OPT_LOGOUT, OPT_YES } },
    { "purge", cli_cmd_purge, "USER",
      "root: remove a deleted account's tombstone (unmanaged again)",
      { OPT_REASON, OPT_YES } },
    { "undelete", cli_cmd_purge, "USER",
      "root: restore a deleted account as blocked, must change",
      { OPT_REASON } },
    { "logout", cli_cmd_logout, "USER", "end a user's sessions", { 0 } },
    { "passwd", cli_cmd_passwd, "", "change your own password",
      { OPT_STDIN } },
    { "status", cli_cmd_status, "[USER...]",
      "show accounts and whether they could log in", { OPT_JSON } },
    { "check-config", cli_cmd_check_config, "",
      "check the configuration as pam_pwreset reads it", { OPT_CONFIG } },
    { "audit", cli_cmd_audit, "[FILE...]",
      "read pwreset's audit events from syslog",
      { OPT_USER, OPT_EVENT, OPT_SINCE, OPT_FORMAT, OPT_VERIFY } },
};

const struct cli_cmd *cli_find(const char *name)
{
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(cmds); i++)
        if (strcmp(cmds[i].name, name) == 0)
            return &cmds[i];
    return NULL;
}

static const struct opt_def *opt_def(enum cli_opt id)
{
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(opt_defs); i++)
        if (opt_defs[i].id == id)
            return &opt_defs[i];
    abort(); /* every enum cli_opt has its entry */
}

static int cmd_takes(const struct cli_cmd *cmd, enum cli_opt id)
{
    size_t i;

    for (i = 0; i < CLI_CMD_OPTS && cmd->opts[i] != 0; i++)
        if (cmd->opts[i] == id)
            return 1;
    return 0;
}

/* "--name" as a word of the operands (force-reset's --group, --all). */
static int in_operands(const struct cli_cmd *cmd, const char *name)
{
    size_t len = strlen(name);
    const char *p = cmd->operands;

    while ((p = strstr(p, "--")) != NULL) {
        if (strncmp(p + 2, name, len) == 0 &&
            (p[2 + len] == ' ' || p[2 + len] == '\0'))
            return 1;
        p += 2;
    }
    return 0;
}

/* " [--name VALUE]" in a usage line. */
static void print_opt_usage(FILE *f, const struct opt_def *d)
{
    fprintf(f, " [--%s%s%s]", d->name, d->arg ? " " : "", d->arg ? d->arg : "");
}

/* "  --name VALUE   what it does" in a --help. */
static void print_opt_help(const struct opt_def *d)
{
    char word[64];

    snprintf(word, sizeof(word), "--%s%s%s", d->name, d->arg ? " " : "",
             d->arg ? d->arg : "");
    printf("  %-24s %s\n", word, d->help);
}

void cli_print_usage(FILE *f, const struct cli_cmd *cmd)
{
    size_t i;

    fprintf(f, "usage: pwreset %s%s%s", cmd->name,
            cmd->operands[0] != '\0' ? " " : "", cmd->operands);
    for (i = 0; i < CLI_CMD_OPTS && cmd->opts[i] != 0; i++) {
        const struct opt_def *d = opt_def(cmd->opts[i]);

        if (!in_operands(cmd, d->name))
            print_opt_usage(f, d);
    }
    fputc('\n', f);
}

void cli_print_commands(FILE *f)
{
    size_t i;

    fprintf(f, "usage: pwreset");
    for (i = 0; i < PWR_ARRAY_SIZE(common_opts); i++)
        if (common_opts[i] != OPT_HELP)
            print_opt_usage(f, opt_def(common_opts[i]));
    fprintf(f, " COMMAND [ARGS]\n\ncommands:\n");
    for (i = 0; i < PWR_ARRAY_SIZE(cmds); i++)
        fprintf(f, "  %-14s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(f, "\n\"pwreset COMMAND --help\" describes a command; "
               "see pwreset(8).\n");
}

/* "pwreset COMMAND --help": usage, summary, its options, the common ones. */
static void print_help(const struct cli_cmd *cmd)
{
    size_t i;

    cli_print_usage(stdout, cmd);
    printf("%s\n", cmd->summary);
    if (cmd->opts[0] != 0)
        printf("\noptions:\n");
    for (i = 0; i < CLI_CMD_OPTS && cmd->opts[i] != 0; i++)
        print_opt_help(opt_def(cmd->opts[i]));
    printf("\ncommon options:\n");
    for (i = 0; i < PWR_ARRAY_SIZE(common_opts); i++)
        if (!cmd_takes(cmd, common_opts[i]))
            print_opt_help(opt_def(common_opts[i]));
    printf("\nSee pwreset(8) for exit codes and examples.\n");
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;

    fputs("pwreset: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cli_print_usage(stderr, cmd);
    return PWR_E_USAGE;
}

static int set_option(struct cli *cli, int id, const char *arg)
{
    switch (id) {
    case OPT_JSON: cli->json = 1; break;
    case OPT_YES: cli->yes = 1; break;
    case OPT_STDIN: cli->use_stdin = 1; break;
    case OPT_LOGOUT: cli->logout = 1; break;
    case OPT_KEEP_SESSIONS: cli->keep_sessions = 1; break;
    case OPT_DRY_RUN: cli->dry_run = 1; break;
    case OPT_CLEAR: cli->clear = 1; break;
    case OPT_ALL: cli->all = 1; break;
    case OPT_PENDING: cli->pending = 1; break;
    case OPT_TEMPORARY: cli->temporary = 1; break;
    case OPT_MUST_CHANGE: cli->must_change = 1; break;
    case OPT_NO_MUST_CHANGE: cli->must_change = 0; break;
    case OPT_GROUP: cli->group = arg; break;
    case OPT_TTL: cli->ttl = arg; break;
    case OPT_REASON: cli->reason = arg; break;
    case OPT_USER: cli->user_filter = arg; break;
    case OPT_EVENT: cli->event_filter = arg; break;
    case OPT_SINCE: cli->since = arg; break;
    case OPT_FORMAT: cli->format = arg; break;
    case OPT_SHADOW: cli->shadow = arg; break;
    case OPT_ALLOW_REUSE: cli->allow_reuse = 1; break;
    case OPT_VERIFY: cli->verify = 1; break;
    case OPT_HELPER: cli->helper = arg; break;
    case OPT_CONFIG: return cli_set_config(cli, arg);
    default: return PWR_E_USAGE;
    }
    return PWR_OK;
}

/* a is "--NAME" of the option id. */
static int is_opt(const char *a, enum cli_opt id)
{
    return strncmp(a, "--", 2) == 0 && strcmp(a + 2, opt_def(id)->name) == 0;
}

int cli_parse_global(struct cli *cli, int argc, char **argv, int *next)
{
    int i = 1;

    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i];

        if (is_opt(a, OPT_HELP) || strcmp(a, "-h") == 0) {
            cli_print_commands(stdout);
            exit(PWR_OK);
        } else if (strcmp(a, "--version") == 0) {
            printf("pwreset %s\n", PACKAGE_VERSION);
            exit(PWR_OK);
        } else if ((is_opt(a, OPT_CONFIG) || is_opt(a, OPT_HELPER)) &&
                   i + 1 < argc) {
            if (set_option(cli, is_opt(a, OPT_CONFIG) ? OPT_CONFIG : OPT_HELPER,
                           argv[i + 1]) != PWR_OK)
                return PWR_E_CONFIG;
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

static void add_opt(struct option *tab, size_t *n, enum cli_opt id)
{
    const struct opt_def *d = opt_def(id);

    tab[(*n)++] = (struct option){ d->name,
                                   d->arg ? required_argument : no_argument,
                                   NULL, (int)id };
}

/* getopt_long's table: the command's options and the common ones. */
static void build_table(const struct cli_cmd *cmd, struct option *tab)
{
    size_t i, n = 0;

    for (i = 0; i < PWR_ARRAY_SIZE(common_opts); i++)
        if (!cmd_takes(cmd, common_opts[i]))
            add_opt(tab, &n, common_opts[i]);
    for (i = 0; i < CLI_CMD_OPTS && cmd->opts[i] != 0; i++)
        add_opt(tab, &n, cmd->opts[i]);
    tab[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* --ttl is checked here, before any confirmation, with the range the
 * helper will apply: temporary passwords one, reset and setup codes
 * another. */
static int check_ttl(const struct cli_cmd *cmd, const char *ttl)
{
    enum pwr_ttl_kind kind = strcmp(cmd->name, "temp-password") == 0 ||
                                     strcmp(cmd->name, "set-password") == 0
                                 ? PWR_TTL_TEMPORARY
                                 : PWR_TTL_CODE;
    struct pwr_err err;
    int64_t secs;

    if (pwr_parse_duration(ttl, &secs, &err) < 0 ||
        pwr_ttl_check(kind, ttl, secs, &err) < 0)
        return cli_usage_error(cmd, "--ttl: %s", err.msg);
    return PWR_OK;
}

int cli_parse(struct cli *cli, const struct cli_cmd *cmd, int argc,
              char **argv)
{
    struct option tab[CLI_CMD_OPTS + PWR_ARRAY_SIZE(common_opts) + 1];
    int c;

    build_table(cmd, tab);
    optind = 1;
    opterr = 0;
    /* The leading ':' makes getopt_long tell a missing value (':') from
     * an unknown option ('?'), so the message can say which. */
    while ((c = getopt_long(argc, argv, ":", tab, NULL)) != -1) {
        if (c == OPT_HELP) {
            print_help(cmd);
            exit(PWR_OK);
        }
        if (c == ':') {
            cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
            return -1;
        }
        if (c == '?') {
            cli_usage_error(cmd, "unknown option: '%s'", argv[optind - 1]);
            return -1;
        }
        if (set_option(cli, c, optarg) != PWR_OK)
            return -1;
    }
    if (cli->ttl != NULL && check_ttl(cmd, cli->ttl) != PWR_OK)
        return -1;
    return optind;
}
