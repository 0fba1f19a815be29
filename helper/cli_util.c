/* cli_util.c - what every pwreset command shares: option parsing, messages,
 * building a request and calling the helper, printing times and accounts.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pwr_secret.h"

struct opt_def {
    const char *name;
    int has_arg;
    int id;
    const char *help; /* one line for --help */
};

static const struct opt_def opt_defs[] = {
    { "json", no_argument, OPT_JSON,
      "print the result as JSON" },
    { "yes", no_argument, OPT_YES,
      "do not ask for confirmation (needed without a terminal)" },
    { "stdin", no_argument, OPT_STDIN,
      "read the secret as one line from standard input" },
    { "logout", no_argument, OPT_LOGOUT,
      "also end the user's running sessions" },
    { "keep-sessions", no_argument, OPT_KEEP_SESSIONS,
      "leave the user's sessions and sudo ticket (ended by default)" },
    { "dry-run", no_argument, OPT_DRY_RUN,
      "show what would change, change nothing" },
    { "clear", no_argument, OPT_CLEAR,
      "remove the flag instead of setting it" },
    { "all", no_argument, OPT_ALL,
      "every eligible account in the store" },
    { "pending", no_argument, OPT_PENDING,
      "enrol as pending and print a setup code" },
    { "temporary", no_argument, OPT_TEMPORARY,
      "mark the password temporary (must change, may expire)" },
    { "must-change", no_argument, OPT_MUST_CHANGE,
      "make the user choose a new password at next login" },
    { "no-must-change", no_argument, OPT_NO_MUST_CHANGE,
      "do not force a change at next login" },
    { "group", required_argument, OPT_GROUP,
      "every member of GROUP who is in the store" },
    { "ttl", required_argument, OPT_TTL,
      "lifetime, e.g. 90m, 24h, 7d" },
    { "reason", required_argument, OPT_REASON,
      "why (recorded in the store and the audit trail)" },
    { "user", required_argument, OPT_USER,
      "only events about this login" },
    { "event", required_argument, OPT_EVENT,
      "only this event (e.g. password_set_by_admin)" },
    { "since", required_argument, OPT_SINCE,
      "only events since TIME: \"2026-11-22 14:00\", or 2h, 7d ago" },
    { "format", required_argument, OPT_FORMAT,
      "table (default), csv or json" },
    { "shadow", required_argument, OPT_SHADOW,
      "read hashes from FILE instead of /etc/shadow (root only)" },
    { "allow-reuse", no_argument, OPT_ALLOW_REUSE,
      "accept the current or a recently used password (audited)" },
    { "verify", no_argument, OPT_VERIFY,
      "check the files' seq/mac chain instead of listing (root)" },
};

void cli_err(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("pwreset: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;

    fputs("pwreset: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: pwreset %s %s\n", cmd->name, cmd->usage);
    return PWR_E_USAGE;
}

int cli_set_config(struct cli *cli, const char *path)
{
    char *abs = realpath(path, NULL);

    if (abs == NULL) {
        cli_err("%s: %s", path, strerror(errno));
        return PWR_E_CONFIG;
    }
    if (pwr_strlcpy(cli->config, abs, sizeof(cli->config)) < 0) {
        cli_err("%s: path too long", path);
        free(abs);
        return PWR_E_CONFIG;
    }
    free(abs);
    return PWR_OK;
}

static int word_in(const char *word, const char *list)
{
    size_t len = strlen(word);
    const char *p = list;

    while ((p = strstr(p, word)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
            return 1;
        p += len;
    }
    return 0;
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

static void build_table(const char *allowed, struct option *tab)
{
    size_t i, n = 0;

    tab[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
    tab[n++] = (struct option){ "config", required_argument, NULL, OPT_CONFIG };
    tab[n++] = (struct option){ "helper", required_argument, NULL, OPT_HELPER };
    for (i = 0; i < PWR_ARRAY_SIZE(opt_defs); i++)
        if (word_in(opt_defs[i].name, allowed))
            tab[n++] = (struct option){ opt_defs[i].name, opt_defs[i].has_arg,
                                        NULL, opt_defs[i].id };
    tab[n] = (struct option){ NULL, 0, NULL, 0 };
}

static void print_help(const struct cli_cmd *cmd, const char *allowed)
{
    size_t i;

    printf("usage: pwreset %s %s\n%s\n\noptions:\n", cmd->name, cmd->usage,
           cmd->summary);
    for (i = 0; i < PWR_ARRAY_SIZE(opt_defs); i++)
        if (word_in(opt_defs[i].name, allowed))
            printf("  --%-16s %s\n", opt_defs[i].name, opt_defs[i].help);
    printf("  --%-16s %s\n  --%-16s %s\n", "config FILE",
           "configuration file (root only with the setuid helper)",
           "help", "show this help");
    printf("\nSee pwreset(8) for exit codes and examples.\n");
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

int cli_parse(struct cli *cli, const struct cli_cmd *cmd, const char *allowed,
              int argc, char **argv)
{
    struct option tab[PWR_ARRAY_SIZE(opt_defs) + 4];
    int c;

    build_table(allowed, tab);
    optind = 1;
    opterr = 0;
    /* The leading ':' makes getopt_long tell a missing value (':') from
     * an unknown option ('?'), so the message can say which. */
    while ((c = getopt_long(argc, argv, ":", tab, NULL)) != -1) {
        if (c == OPT_HELP) {
            print_help(cmd, allowed);
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

int cli_check_login(const char *login)
{
    if (pwr_login_valid(login))
        return PWR_OK;
    cli_err("invalid login name (1-32 of A-Z a-z 0-9 _ . -, not starting "
            "with '-')");
    return PWR_E_USAGE;
}

int cli_request(struct cli *cli, struct pwr_msg *req, const char *op)
{
    struct pwr_err err;

    pwr_msg_init(req);
    if (pwr_msg_add(req, "op", op, &err) < 0 ||
        (cli->config[0] != '\0' &&
         pwr_msg_add(req, "config", cli->config, &err) < 0)) {
        cli_err("%s", err.msg);
        return PWR_E_INTERNAL;
    }
    return PWR_OK;
}

int cli_add_users(struct pwr_msg *req, int argc, char **argv)
{
    struct pwr_err err;
    int i;

    for (i = 0; i < argc; i++) {
        if (cli_check_login(argv[i]) != PWR_OK)
            return PWR_E_USAGE;
        if (pwr_msg_add(req, "user", argv[i], &err) < 0) {
            cli_err("%s", err.msg);
            return err.code;
        }
    }
    return PWR_OK;
}

int cli_add_ttl(const struct cli *cli, struct pwr_msg *req)
{
    struct pwr_err err;

    if (cli->ttl == NULL || pwr_msg_add(req, "ttl", cli->ttl, &err) == 0)
        return PWR_OK;
    cli_err("%s", err.msg);
    return PWR_E_INTERNAL;
}

/* Keys of a streamed reply's earlier frames that cli_call reports. */
struct relay {
    pwr_frame_fn fn;
    void *arg;
    int logout_failed;
    char logout_msg[256];
};

static int relay_frame(const struct pwr_msg *frame, void *arg,
                       struct pwr_err *err)
{
    struct relay *r = arg;
    const char *lm = pwr_msg_get(frame, "logout_message");

    if (pwr_msg_get(frame, "logout") != NULL)
        r->logout_failed = 1;
    if (lm != NULL)
        (void)pwr_strlcpy(r->logout_msg, lm, sizeof(r->logout_msg));
    return r->fn != NULL ? r->fn(frame, r->arg, err) : 0;
}

int cli_call_stream(struct cli *cli, const struct pwr_msg *req,
                    struct pwr_msg *rep, pwr_frame_fn fn, void *arg)
{
    struct relay r;
    struct pwr_err err;
    enum pwr_code code;
    const char *msg, *logout_msg, *advice;

    memset(&r, 0, sizeof(r));
    r.fn = fn;
    r.arg = arg;
    pwr_err_clear(&err);
    if (pwr_helper_call_stream(cli->helper, req, rep, relay_frame, &r,
                               &err) < 0) {
        cli_err("%s: %s", cli->helper, err.msg);
        return PWR_E_INTERNAL;
    }
    code = pwr_msg_result(rep);
    msg = pwr_msg_get(rep, "message");
    if (code != PWR_OK)
        cli_err("%s", msg != NULL && msg[0] != '\0' ? msg
                                                    : pwr_code_name(code));
    if (pwr_msg_get(rep, "audit") != NULL)
        cli_err("warning: the audit event could not be written to syslog: %s",
                pwr_msg_get(rep, "audit"));
    advice = pwr_msg_get(rep, "advice");
    if (code == PWR_OK && advice != NULL)
        cli_err("note: %s", advice);
    logout_msg = pwr_msg_get(rep, "logout_message");
    if (logout_msg == NULL && r.logout_msg[0] != '\0')
        logout_msg = r.logout_msg;
    if (pwr_msg_get(rep, "logout") != NULL || r.logout_failed)
        cli_err("warning: sessions were not ended: %s",
                logout_msg != NULL ? logout_msg : "unknown error");
    return (int)code;
}

int cli_call(struct cli *cli, const struct pwr_msg *req, struct pwr_msg *rep)
{
    return cli_call_stream(cli, req, rep, NULL, NULL);
}

void cli_time(int64_t t, char *out, size_t outsz)
{
    if (t == 0)
        snprintf(out, outsz, "-");
    else
        pwr_format_time(t, out, outsz);
}

int64_t cli_num(const char *s)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0')
        return 0;
    errno = 0;
    v = strtoll(s, &end, 10);
    return errno != 0 || *end != '\0' ? 0 : (int64_t)v;
}

size_t cli_group_next(const struct pwr_msg *rep, size_t from)
{
    while (from < rep->n && strcmp(rep->fields[from].key, "user") != 0)
        from++;
    return from;
}

const char *cli_group_get(const struct pwr_msg *rep, size_t start, size_t end,
                          const char *key)
{
    size_t i;

    for (i = start + 1; i < end && i < rep->n; i++)
        if (strcmp(rep->fields[i].key, key) == 0)
            return rep->fields[i].value;
    return NULL;
}

/* Every "method"/"processes" pair of the frame: one account's sessions. */
static void tally_sessions(const struct pwr_msg *rep, struct cli_tally *t)
{
    size_t i;

    for (i = 0; i < rep->n; i++) {
        const char *m = rep->fields[i].value;

        if (m == NULL)
            continue;
        if (strcmp(rep->fields[i].key, "processes") == 0) {
            t->processes += strtol(m, NULL, 10);
            continue;
        }
        if (strcmp(rep->fields[i].key, "method") != 0)
            continue;
        if (t->sessions++ == 0)
            pwr_strlcpy(t->method, m, sizeof(t->method));
        else if (strcmp(t->method, m) != 0)
            pwr_strlcpy(t->method, "mixed", sizeof(t->method));
    }
}

void cli_print_sessions(const struct cli_tally *t)
{
    if (t->sessions == 0)
        return;
    printf("sessions ended through %s (%zu account(s)); %ld process(es) "
           "signalled\n",
           strcmp(t->method, "mixed") == 0 ? "logind and signals" : t->method,
           t->sessions, t->processes);
}

int cli_print_accounts(const struct pwr_msg *rep, void *tally,
                       struct pwr_err *err)
{
    struct cli_tally *t = tally;
    size_t i, j;

    for (i = cli_group_next(rep, 0); i < rep->n; i = j) {
        const char *outcome, *note;

        j = cli_group_next(rep, i + 1);
        outcome = cli_group_get(rep, i, j, "outcome");
        note = cli_group_get(rep, i, j, "note");
        printf("%s: %s%s%s%s\n", rep->fields[i].value,
               outcome != NULL ? outcome : "?", note != NULL ? " (" : "",
               note != NULL ? note : "", note != NULL ? ")" : "");
        if (t != NULL && outcome != NULL && strcmp(outcome, "skipped") == 0)
            t->skipped++;
    }
    if (t != NULL)
        tally_sessions(rep, t);
    (void)err;
    return 0;
}
