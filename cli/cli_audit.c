/* cli_audit.c - pwreset audit: read syslog files (default the system's
 * auth log) or, when there is none, the journal; keep pwreset's own event
 * lines; filter by user, event and time; print them.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * It reads only; it needs no helper and no privilege beyond reading the
 * log.  Syslog does not authenticate the "pwreset" tag: on a host where
 * untrusted users can log, read the journal rather than plain files.  From
 * the journal only entries whose trusted _UID (set by journald from the
 * sender's credentials, not from the message) is 0 are read: the helper and
 * the programs the module runs in send as root (pwr_audit_send.c passes
 * the effective uid), and "logger -t pwreset" by anyone else is left out.
 * Each row says how far it can be trusted (cli_audit_out.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_audit.h"
#include "pwr_audit.h"
#include "pwr_spawn.h"

#define AUTH_LOG "/var/log/auth.log"

struct filter {
    const char *user;
    const char *event;
    int64_t since; /* -1: none */
    int64_t now;
    size_t malformed;
};

static void collect(const char *key, const char *value, void *arg)
{
    struct aud_event *ev = arg;

    if (ev->n >= AUD_MAX_KV)
        return;
    snprintf(ev->key[ev->n], sizeof(ev->key[0]), "%s", key);
    snprintf(ev->val[ev->n], sizeof(ev->val[0]), "%s", value);
    ev->n++;
}

static int wanted(const struct filter *f, const struct aud_event *ev)
{
    const char *user = aud_get(ev, "user"), *event = aud_get(ev, "event");

    if (f->user != NULL && (user == NULL || strcmp(user, f->user) != 0))
        return 0;
    if (f->event != NULL && (event == NULL || strcmp(event, f->event) != 0))
        return 0;
    return f->since < 0 || (ev->when >= 0 && ev->when >= f->since);
}

static void read_stream(FILE *in, struct filter *f, struct aud_out *o)
{
    static struct aud_event ev; /* large: kept off the stack */
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;

    while ((len = getline(&line, &cap, in)) > 0) {
        int r;

        if (line[len - 1] == '\n')
            line[--len] = '\0';
        memset(&ev, 0, sizeof(ev));
        r = pwr_audit_parse(line, (size_t)len, collect, &ev);
        if (r < 0)
            f->malformed++;
        if (r <= 0)
            continue;
        ev.when = aud_line_time(line, f->now);
        if (wanted(f, &ev))
            aud_out_event(o, &ev);
    }
    free(line);
}

static int read_file(const char *path, struct filter *f, struct aud_out *o)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");

    if (in == NULL) {
        int e = errno;

        cli_err("%s: %s", path, strerror(e));
        return e == EACCES ? PWR_E_PERM : PWR_E_INTERNAL;
    }
    read_stream(in, f, o);
    if (in != stdin)
        fclose(in);
    return PWR_OK;
}

static const char *find_journalctl(void)
{
    static const char *const paths[] = { "/usr/bin/journalctl",
                                         "/bin/journalctl" };
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(paths); i++)
        if (access(paths[i], X_OK) == 0)
            return paths[i];
    return NULL;
}

static int journal_close(FILE *in, pid_t pid);

/* journalctl's pwreset lines, only those whose trusted _UID is 0, as a
 * stream (journal_close reaps it); NULL with the reason said. */
static FILE *journal_open(pid_t *pid)
{
    const char *jc = find_journalctl();
    char *const argv[] = {
        (char *)(uintptr_t)"journalctl", (char *)(uintptr_t)"-q",
        (char *)(uintptr_t)"-o", (char *)(uintptr_t)"short-iso",
        (char *)(uintptr_t)"--no-pager",
        (char *)(uintptr_t)"SYSLOG_IDENTIFIER=pwreset",
        (char *)(uintptr_t)"_UID=0", NULL };
    struct pwr_spawn sp = { .path = jc, .argv = argv, .envp = environ,
                            .in = PWR_SPAWN_KEEP, .out = PWR_SPAWN_PIPE,
                            .err = PWR_SPAWN_KEEP, .flags = 0 };
    struct pwr_child c;
    struct pwr_err e;
    FILE *in;

    if (jc == NULL) {
        cli_err("no %s and no journalctl: name the log files to read",
                AUTH_LOG);
        return NULL;
    }
    if (pwr_spawn(&sp, &c, &e) < 0) {
        cli_err("cannot run journalctl: %s", e.msg);
        return NULL;
    }
    *pid = c.pid;
    in = fdopen(c.from_child, "r");
    if (in == NULL) {
        cli_err("cannot read from journalctl: %s", strerror(errno));
        close(c.from_child);
        (void)journal_close(NULL, c.pid);
    }
    return in;
}

/* Close the stream and reap journalctl: 0, or -1 with the reason said
 * (a journal that could not be read must not pass for an empty one). */
static int journal_close(FILE *in, pid_t pid)
{
    struct pwr_err e;
    int status = 0;

    if (in != NULL)
        fclose(in);
    if (pwr_spawn_wait(pid, &status, &e) < 0 ||
        pwr_spawn_status(status, "journalctl", &e) < 0) {
        cli_err("cannot read the journal: %s", e.msg);
        return -1;
    }
    return 0;
}

static int read_journal(struct filter *f, struct aud_out *o)
{
    pid_t pid;
    FILE *in = journal_open(&pid);

    if (in == NULL)
        return PWR_E_INTERNAL;
    read_stream(in, f, o);
    return journal_close(in, pid) < 0 ? PWR_E_INTERNAL : PWR_OK;
}

/* --verify without files reads what "pwreset audit" reads: the auth log,
 * or else the journal (through /dev/fd, as a file of its own). */
static int verify_default(struct cli *cli)
{
    char path[32], *files[1];
    pid_t pid;
    FILE *in;
    int rc;

    if (access(AUTH_LOG, F_OK) == 0) {
        files[0] = (char *)(uintptr_t)AUTH_LOG;
        return cli_audit_verify(cli, 1, files);
    }
    if ((in = journal_open(&pid)) == NULL)
        return PWR_E_INTERNAL;
    snprintf(path, sizeof(path), "/dev/fd/%d", fileno(in));
    files[0] = path;
    rc = cli_audit_verify(cli, 1, files);
    if (journal_close(in, pid) < 0 && rc == PWR_OK)
        rc = PWR_E_INTERNAL;
    return rc;
}

/* --event takes a name of the fixed vocabulary: a typo must not look like
 * "no such events". */
static int check_event(const struct cli_cmd *cmd, const char *event)
{
    size_t i;

    if (event == NULL || pwr_audit_event_known(event))
        return PWR_OK;
    cli_err("unknown event '%s'; the events are:", event);
    for (i = 0; pwr_audit_events[i] != NULL; i++)
        fprintf(stderr, "  %s\n", pwr_audit_events[i]);
    return cli_usage_error(cmd, "--event names one of the events above");
}

/* --since: a duration back from now ("2h", "7d"), or a local time
 * "YYYY-MM-DD[ HH:MM[:SS]]" (a "T" may replace the space). */
static int parse_since(const char *s, int64_t now, int64_t *out)
{
    static const char *const forms[] = {
        "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M", "%Y-%m-%d" };
    struct pwr_err err;
    int64_t secs;
    size_t i;

    if (pwr_parse_duration(s, &secs, &err) == 0) {
        *out = now - secs;
        return 0;
    }
    for (i = 0; i < PWR_ARRAY_SIZE(forms); i++) {
        struct tm tm;
        const char *end;

        memset(&tm, 0, sizeof(tm));
        end = strptime(s, forms[i], &tm);
        if (end != NULL && *end == '\0') {
            tm.tm_isdst = -1;
            *out = (int64_t)mktime(&tm);
            return 0;
        }
    }
    return -1;
}

static int parse_format(const char *s, enum aud_format *fmt)
{
    if (s == NULL || strcmp(s, "table") == 0)
        *fmt = AUD_TABLE;
    else if (strcmp(s, "csv") == 0)
        *fmt = AUD_CSV;
    else if (strcmp(s, "json") == 0)
        *fmt = AUD_JSON;
    else
        return -1;
    return 0;
}

int cli_cmd_audit(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("audit");
    struct filter f = { NULL, NULL, -1, 0, 0 };
    struct aud_out o = { AUD_TABLE, 0 };
    int first = cli_parse(cli, cmd, argc, argv);
    int i, rc = PWR_OK;

    if (first < 0)
        return PWR_E_USAGE;
    if (check_event(cmd, cli->event_filter) != PWR_OK)
        return PWR_E_USAGE;
    if (cli->verify) /* the seq/mac chain */
        return first < argc ? cli_audit_verify(cli, argc - first, argv + first)
                            : verify_default(cli);
    f.now = pwr_now();
    f.user = cli->user_filter;
    f.event = cli->event_filter;
    if (parse_format(cli->format, &o.format) < 0)
        return cli_usage_error(cmd, "--format is table, csv or json");
    if (cli->since != NULL && parse_since(cli->since, f.now, &f.since) < 0)
        return cli_usage_error(cmd, "bad --since '%s' (e.g. 2h, 7d, "
                                    "\"2026-11-22 14:00\")", cli->since);
    aud_out_begin(&o);
    for (i = first; i < argc; i++) {
        int r = read_file(argv[i], &f, &o);

        if (r != PWR_OK)
            rc = r;
    }
    if (first >= argc)
        rc = access(AUTH_LOG, F_OK) == 0 ? read_file(AUTH_LOG, &f, &o)
                                         : read_journal(&f, &o);
    aud_out_end(&o);
    if (f.malformed > 0)
        cli_err("warning: %zu malformed pwreset line(s) skipped", f.malformed);
    return rc;
}
