/* cli_status.c - pwreset status: what the store holds about accounts and,
 * in plain words, whether a login would succeed and why not.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * --json prints one array of objects with at least: user, status,
 * must_change, temporary, temporary_expires, code_pending, code_expires,
 * last_change, login_allowed, reason (times ISO 8601 UTC or null); and
 * shadow: {locked, has_password, expires, last_change, max_days,
 * inactive_days}, or null when the helper could not read /etc/shadow.
 * Without names every account is listed, however many: the helper streams
 * the reply and each frame is printed as it arrives.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pwr_status_msg.h"

/* ISO time, or null for -1 (0 is a real date here: "chage -d 0"). */
static void json_day(const char *key, int64_t t)
{
    char buf[40];

    if (t < 0) {
        cli_json_kv(stdout, key, NULL, 1);
        return;
    }
    pwr_format_iso(t, buf, sizeof(buf));
    cli_json_kv(stdout, key, buf, 1);
}

static void json_days(const char *key, int64_t n)
{
    if (n < 0)
        cli_json_kv(stdout, key, NULL, 1);
    else
        printf(", \"%s\": %lld", key, (long long)n);
}

static void print_json_shadow(const struct pwr_status_acct *a)
{
    fputs(", \"shadow\": ", stdout);
    if (!a->shadow_known) {
        fputs("null", stdout);
        return;
    }
    fputs("{", stdout);
    cli_json_bool(stdout, "locked", a->shadow_locked, 0);
    cli_json_bool(stdout, "has_password", a->shadow_password, 1);
    json_day("expires", a->shadow_expires);
    json_day("last_change", a->shadow_last_change);
    json_days("max_days", a->shadow_max_days);
    json_days("inactive_days", a->shadow_inactive_days);
    fputs("}", stdout);
}

static void print_json(const struct pwr_status_acct *a, int first)
{
    int temporary = (a->flags & PWR_F_TEMPORARY) != 0;

    fputs(first ? "  {" : ",\n  {", stdout);
    cli_json_kv(stdout, "user", a->user, 0);
    cli_json_kv(stdout, "status", pwr_status_name(a->status), 1);
    cli_json_bool(stdout, "must_change", (a->flags & PWR_F_MUST_CHANGE) != 0,
                  1);
    cli_json_bool(stdout, "temporary", temporary, 1);
    cli_json_time(stdout, "temporary_expires",
                  temporary ? a->temp_expires : 0, 1);
    cli_json_bool(stdout, "code_pending", a->code_live, 1);
    cli_json_time(stdout, "code_expires",
                  a->code_live ? a->code_expires : 0, 1);
    cli_json_time(stdout, "last_change", a->changed, 1);
    cli_json_time(stdout, "password_expires", a->password_expires, 1);
    cli_json_kv(stdout, "notice_pending", a->notice[0] ? a->notice : NULL, 1);
    cli_json_bool(stdout, "has_password", a->has_password, 1);
    cli_json_bool(stdout, "login_allowed", a->login != PWR_ACCT_DENY, 1);
    cli_json_kv(stdout, "login", pwr_status_login_name(a->login), 1);
    cli_json_kv(stdout, "reason", a->login_reason, 1);
    cli_json_kv(stdout, "message", a->login_message, 1);
    cli_json_kv(stdout, "status_reason", a->reason[0] ? a->reason : NULL, 1);
    cli_json_time(stdout, "status_changed", a->status_changed, 1);
    cli_json_time(stdout, "created", a->created, 1);
    print_json_shadow(a);
    fputs("}", stdout);
}

static const char *login_words(const struct pwr_status_acct *a)
{
    if (a->login == PWR_ACCT_ALLOW)
        return "would be allowed";
    if (a->login == PWR_ACCT_CHANGE)
        return "allowed only after choosing a new password";
    return "would be denied";
}

/* What /etc/shadow still applies (pam_unix, after us). */
static void print_text_shadow(const struct pwr_status_acct *a)
{
    char t[64];

    if (!a->shadow_known)
        return;
    printf("  /etc/shadow: %s", a->shadow_locked ? "password locked"
                                : a->shadow_password
                                    ? "not locked"
                                    : "no password there: passwd -l has no "
                                      "effect (use pwreset block)");
    if (a->shadow_expires >= 0) {
        cli_time(a->shadow_expires, t, sizeof(t));
        printf("; account expires %s", t);
    }
    if (a->shadow_last_change == 0) {
        printf("; last change 0 (change required)");
    } else if (a->shadow_last_change > 0) {
        cli_time(a->shadow_last_change, t, sizeof(t));
        printf("; last change %s", t);
    }
    if (a->shadow_max_days >= 0 && a->shadow_max_days < 99999)
        printf("; maximum age %lld days", (long long)a->shadow_max_days);
    if (a->shadow_inactive_days >= 0)
        printf("; inactive after %lld days",
               (long long)a->shadow_inactive_days);
    putchar('\n');
}

static void print_text(const struct pwr_status_acct *a)
{
    char t[64], flags[PWR_FLAGS_TEXT_MAX];

    if (pwr_flags_format(a->flags, flags, sizeof(flags)) < 0)
        flags[0] = '\0'; /* cannot happen: the reply was read strictly */
    printf("%s: %s%s%s%s\n", a->user, pwr_status_name(a->status),
           flags[0] ? " (" : "", flags, flags[0] ? ")" : "");
    cli_time(a->changed, t, sizeof(t));
    printf("  last password change: %s%s\n", t,
           a->has_password ? "" : " (no usable password)");
    if (a->password_expires != 0) {
        cli_time(a->password_expires, t, sizeof(t));
        printf("  password expires (max_age): %s\n", t);
    }
    if (a->notice[0] != '\0')
        printf("  notice for the next login: %s\n", a->notice);
    if ((a->flags & PWR_F_TEMPORARY) && a->temp_expires != 0) {
        cli_time(a->temp_expires, t, sizeof(t));
        printf("  temporary password expires: %s\n", t);
    }
    if (a->code_live) {
        cli_time(a->code_expires, t, sizeof(t));
        printf("  reset code pending until: %s\n", t);
    }
    if (a->reason[0] != '\0') {
        cli_time(a->status_changed, t, sizeof(t));
        printf("  %s since %s: %s\n", pwr_status_name(a->status), t,
               a->reason);
    }
    print_text_shadow(a);
    printf("  login: %s (%s)\n", login_words(a), a->login_reason);
    if (a->login_message[0] != '\0')
        printf("         %s\n", a->login_message);
}

struct listing {
    const struct cli *cli;
    size_t shown;
};

/* Every account of one reply frame; a pwr_frame_fn.  The JSON array is
 * opened before the first account and closed by finish_listing. */
static int print_frame(const struct pwr_msg *rep, void *arg,
                       struct pwr_err *err)
{
    struct listing *l = arg;
    size_t i, j;

    for (i = pwr_status_msg_next(rep, 0); i < rep->n; i = j) {
        struct pwr_status_acct a;

        j = pwr_status_msg_next(rep, i + 1);
        if (pwr_status_msg_read(rep, i, j, &a, err) < 0)
            return -1;
        if (l->cli->json) {
            if (l->shown == 0)
                fputs("[\n", stdout);
            print_json(&a, l->shown == 0);
        } else {
            print_text(&a);
        }
        l->shown++;
    }
    /* Warnings about the whole store (an unusable word list, a config
     * read leniently) come with whichever frame carried them. */
    for (i = 0; i < pwr_msg_count(rep, "warning"); i++)
        cli_err("warning: %s", pwr_msg_get_nth(rep, "warning", i));
    return 0;
}

/* A JSON list is always one whole document, "[]" when empty; a failure
 * after some accounts went out still closes it (the exit status says the
 * list is incomplete). */
static void finish_listing(const struct listing *l, int ok, int named)
{
    if (l->cli->json && l->shown > 0)
        fputs("\n]\n", stdout);
    else if (l->cli->json && ok)
        fputs("[]\n", stdout);
    else if (ok && l->shown == 0 && !named)
        printf("No accounts are managed by pwreset yet (the store is "
               "empty); see pwreset enrol and pwreset import.\n");
}

int cli_cmd_status(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("status");
    struct listing l = { cli, 0 };
    struct pwr_msg req, rep;
    struct pwr_err err;
    int first = cli_parse(cli, cmd, argc, argv), rc;

    if (first < 0)
        return PWR_E_USAGE;
    rc = cli_request(cli, &req, "status");
    if (rc == PWR_OK)
        rc = cli_add_users(&req, argc - first, argv + first);
    if (rc == PWR_OK) {
        rc = cli_call_stream(cli, &req, &rep, print_frame, &l);
        if (rc == PWR_OK && print_frame(&rep, &l, &err) < 0) {
            cli_err("%s", err.msg);
            rc = PWR_E_INTERNAL;
        }
        finish_listing(&l, rc == PWR_OK, first < argc);
        pwr_msg_free(&rep);
    }
    pwr_msg_free(&req);
    return rc;
}
