/* cli_util.c - what every pwreset command shares: messages, building a
 * request and calling the helper, printing times and accounts (its options
 * are parsed in cli_commands.c).
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

int cli_add_items(struct pwr_msg *req, const struct cli_item *items,
                  size_t n)
{
    struct pwr_err err;
    size_t i;

    for (i = 0; i < n; i++) {
        if (items[i].value == NULL ||
            pwr_msg_add(req, items[i].key, items[i].value, &err) == 0)
            continue;
        cli_err("%s", err.msg);
        return PWR_E_INTERNAL;
    }
    return PWR_OK;
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

    for (i = pwr_msg_next(rep, 0, "user"); i < rep->n; i = j) {
        const char *outcome, *note;

        j = pwr_msg_next(rep, i + 1, "user");
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
