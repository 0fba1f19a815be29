/* cli_status.c - pwreset status: what the store holds about accounts and,
 * in plain words, whether a login would succeed and why not (SPEC F18).
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

struct acct {
    const char *user, *status, *flags, *reason, *login, *login_reason,
        *login_message;
    int64_t changed, temp_expires, code_expires, status_changed, created;
    int64_t password_expires; /* issue 9: max_age */
    const char *notice;
    int code, has_password, must_change, temporary;
    /* issue 14: /etc/shadow; -1 for an empty field */
    int shadow_known, shadow_locked, shadow_password;
    int64_t shadow_expires, shadow_last_change, shadow_max, shadow_inact;
};

/* A reply number that may be -1 (absent: -1). */
static int64_t num_or_none(const char *s)
{
    return s == NULL || s[0] == '\0' ? -1
           : s[0] == '-'              ? -1
                                      : cli_num(s);
}

static void read_shadow(const struct pwr_msg *rep, size_t i, size_t j,
                        struct acct *a)
{
    a->shadow_known = cli_num(cli_group_get(rep, i, j, "shadow_known")) != 0;
    a->shadow_locked =
        cli_num(cli_group_get(rep, i, j, "shadow_locked")) != 0;
    a->shadow_password =
        cli_num(cli_group_get(rep, i, j, "shadow_password")) != 0;
    a->shadow_expires =
        num_or_none(cli_group_get(rep, i, j, "shadow_expires"));
    a->shadow_last_change =
        num_or_none(cli_group_get(rep, i, j, "shadow_last_change"));
    a->shadow_max = num_or_none(cli_group_get(rep, i, j, "shadow_max_days"));
    a->shadow_inact =
        num_or_none(cli_group_get(rep, i, j, "shadow_inactive_days"));
}

static void read_acct(const struct pwr_msg *rep, size_t i, size_t j,
                      struct acct *a)
{
    const char *flags = cli_group_get(rep, i, j, "flags");

    memset(a, 0, sizeof(*a));
    a->user = rep->fields[i].value;
    a->status = cli_group_get(rep, i, j, "status");
    a->flags = flags != NULL ? flags : "";
    a->reason = cli_group_get(rep, i, j, "reason");
    a->login = cli_group_get(rep, i, j, "login");
    a->login_reason = cli_group_get(rep, i, j, "login_reason");
    a->login_message = cli_group_get(rep, i, j, "login_message");
    a->changed = cli_num(cli_group_get(rep, i, j, "changed"));
    a->temp_expires = cli_num(cli_group_get(rep, i, j, "temp_expires"));
    a->code_expires = cli_num(cli_group_get(rep, i, j, "code_expires"));
    a->status_changed = cli_num(cli_group_get(rep, i, j, "status_changed"));
    a->created = cli_num(cli_group_get(rep, i, j, "created"));
    a->password_expires =
        cli_num(cli_group_get(rep, i, j, "password_expires"));
    a->notice = cli_group_get(rep, i, j, "notice");
    a->code = cli_num(cli_group_get(rep, i, j, "code")) != 0;
    a->has_password = cli_num(cli_group_get(rep, i, j, "has_password")) != 0;
    a->must_change = strstr(a->flags, "must_change") != NULL;
    a->temporary = strstr(a->flags, "temporary") != NULL;
    read_shadow(rep, i, j, a);
    if (a->status == NULL)
        a->status = "?";
    if (a->login == NULL)
        a->login = "deny";
}

/* ISO time, or null for -1 (0 is a real date here: "chage -d 0"). */
static void json_day(const char *key, int64_t t)
{
    char buf[40];

    if (t < 0) {
        cli_json_kv(stdout, key, NULL, 1);
        return;
    }
    cli_time_iso(t, buf, sizeof(buf));
    cli_json_kv(stdout, key, buf, 1);
}

static void json_days(const char *key, int64_t n)
{
    if (n < 0)
        cli_json_kv(stdout, key, NULL, 1);
    else
        printf(", \"%s\": %lld", key, (long long)n);
}

static void print_json_shadow(const struct acct *a)
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
    json_days("max_days", a->shadow_max);
    json_days("inactive_days", a->shadow_inact);
    fputs("}", stdout);
}

static void print_json(const struct acct *a, int first)
{
    fputs(first ? "  {" : ",\n  {", stdout);
    cli_json_kv(stdout, "user", a->user, 0);
    cli_json_kv(stdout, "status", a->status, 1);
    cli_json_bool(stdout, "must_change", a->must_change, 1);
    cli_json_bool(stdout, "temporary", a->temporary, 1);
    cli_json_time(stdout, "temporary_expires",
                  a->temporary ? a->temp_expires : 0, 1);
    cli_json_bool(stdout, "code_pending", a->code, 1);
    cli_json_time(stdout, "code_expires", a->code ? a->code_expires : 0, 1);
    cli_json_time(stdout, "last_change", a->changed, 1);
    cli_json_time(stdout, "password_expires", a->password_expires, 1);
    cli_json_kv(stdout, "notice_pending", a->notice != NULL && a->notice[0]
                                              ? a->notice : NULL, 1);
    cli_json_bool(stdout, "has_password", a->has_password, 1);
    cli_json_bool(stdout, "login_allowed", strcmp(a->login, "deny") != 0, 1);
    cli_json_kv(stdout, "login", a->login, 1);
    cli_json_kv(stdout, "reason", a->login_reason, 1);
    cli_json_kv(stdout, "message", a->login_message, 1);
    cli_json_kv(stdout, "status_reason", a->reason != NULL && a->reason[0]
                                              ? a->reason : NULL, 1);
    cli_json_time(stdout, "status_changed", a->status_changed, 1);
    cli_json_time(stdout, "created", a->created, 1);
    print_json_shadow(a);
    fputs("}", stdout);
}

static const char *login_words(const struct acct *a)
{
    if (strcmp(a->login, "allow") == 0)
        return "would be allowed";
    if (strcmp(a->login, "change") == 0)
        return "allowed only after choosing a new password";
    return "would be denied";
}

/* issue 14: what /etc/shadow still applies (pam_unix, after us). */
static void print_text_shadow(const struct acct *a)
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
    if (a->shadow_max >= 0 && a->shadow_max < 99999)
        printf("; maximum age %lld days", (long long)a->shadow_max);
    if (a->shadow_inact >= 0)
        printf("; inactive after %lld days", (long long)a->shadow_inact);
    putchar('\n');
}

static void print_text(const struct acct *a)
{
    char t[64];

    printf("%s: %s%s%s%s\n", a->user, a->status, a->flags[0] ? " (" : "",
           a->flags, a->flags[0] ? ")" : "");
    cli_time(a->changed, t, sizeof(t));
    printf("  last password change: %s%s\n", t,
           a->has_password ? "" : " (no usable password)");
    if (a->password_expires != 0) {
        cli_time(a->password_expires, t, sizeof(t));
        printf("  password expires (max_age): %s\n", t);
    }
    if (a->notice != NULL && a->notice[0] != '\0')
        printf("  notice for the next login: %s\n", a->notice);
    if (a->temporary && a->temp_expires != 0) {
        cli_time(a->temp_expires, t, sizeof(t));
        printf("  temporary password expires: %s\n", t);
    }
    if (a->code) {
        cli_time(a->code_expires, t, sizeof(t));
        printf("  reset code pending until: %s\n", t);
    }
    if (a->reason != NULL && a->reason[0] != '\0') {
        cli_time(a->status_changed, t, sizeof(t));
        printf("  %s since %s: %s\n", a->status, t, a->reason);
    }
    print_text_shadow(a);
    printf("  login: %s (%s)\n", login_words(a),
           a->login_reason != NULL ? a->login_reason : "?");
    if (a->login_message != NULL && a->login_message[0] != '\0')
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

    for (i = cli_group_next(rep, 0); i < rep->n; i = j) {
        struct acct a;

        j = cli_group_next(rep, i + 1);
        read_acct(rep, i, j, &a);
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
    (void)err;
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
    int first = cli_parse(cli, cmd, argc, argv), rc;

    if (first < 0)
        return PWR_E_USAGE;
    rc = cli_request(cli, &req, "status");
    if (rc == PWR_OK)
        rc = cli_add_users(&req, argc - first, argv + first);
    if (rc == PWR_OK) {
        rc = cli_call_stream(cli, &req, &rep, print_frame, &l);
        if (rc == PWR_OK)
            print_frame(&rep, &l, NULL);
        finish_listing(&l, rc == PWR_OK, first < argc);
        pwr_msg_free(&rep);
    }
    pwr_msg_free(&req);
    return rc;
}
