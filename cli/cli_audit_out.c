/* cli_audit_out.c - "pwreset audit" output: a table for people, CSV and
 * JSON for tools; and the syslog time stamps it sorts by.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Values come from log lines anyone on the host may have written, so the
 * table shows every control or non-ASCII byte as \xHH: a log line must not
 * be able to drive the reader's terminal.  For the same reason every row
 * says how far it can be trusted, in the column or key "trust",
 * which no line can set: "sealed" (it carries seq= and mac=, which only
 * "pwreset audit --verify" proves), "unsealed" (a login decision of the
 * module: never sealed, so anyone able to log could have written it), or
 * "forged" (an event only the helper writes, which seals every one, found
 * without a seal).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_audit.h"
#include "pwr_chain.h"

static const char *const csv_columns[] = {
    "event", "user", "actor", "actor_uid", "result", "reason", "service",
    "rhost", "tty", "temporary", "method", "count", "expires", "detail",
    "backend", "csn", "seq", "mac", "trust",
};

const char *aud_get(const struct aud_event *ev, const char *key)
{
    size_t i;

    for (i = 0; i < ev->n; i++)
        if (strcmp(ev->key[i], key) == 0)
            return ev->val[i];
    return NULL;
}

/* See the top of this file. */
static const char *trust_of(const struct aud_event *ev)
{
    if (aud_get(ev, "seq") != NULL && aud_get(ev, "mac") != NULL)
        return "sealed";
    return pwr_chain_expects_seal(aud_get(ev, "event")) ? "forged"
                                                          : "unsealed";
}

/* A value from the row: "trust" is never taken from the line itself. */
static const char *row_value(const struct aud_event *ev, const char *key)
{
    return strcmp(key, "trust") == 0 ? trust_of(ev) : aud_get(ev, key);
}

static int64_t zone_offset(const char *p)
{
    int hh = 0, mm = 0, sign;

    if (*p == 'Z')
        return 0;
    if (*p != '+' && *p != '-')
        return -1;
    sign = *p == '-' ? -1 : 1;
    if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2 &&
        sscanf(p + 1, "%2d%2d", &hh, &mm) != 2)
        return -1;
    return sign * (hh * 3600 + mm * 60);
}

static int64_t iso_time(const char *line)
{
    struct tm tm;
    const char *p;
    int64_t off;

    memset(&tm, 0, sizeof(tm));
    p = strptime(line, "%Y-%m-%dT%H:%M:%S", &tm);
    if (p == NULL)
        return -1;
    if (*p == '.')
        p += 1 + strspn(p + 1, "0123456789");
    off = zone_offset(p);
    if (off == -1 && *p != ' ')
        return -1;
    if (off == -1) {
        tm.tm_isdst = -1;
        return (int64_t)mktime(&tm);
    }
    return (int64_t)timegm(&tm) - off;
}

static int64_t bsd_time(const char *line, int64_t now)
{
    time_t tnow = (time_t)now;
    struct tm tm, ref;
    int64_t t;

    if (localtime_r(&tnow, &ref) == NULL)
        return -1;
    memset(&tm, 0, sizeof(tm));
    if (strptime(line, "%b %d %H:%M:%S", &tm) == NULL)
        return -1;
    tm.tm_year = ref.tm_year;
    tm.tm_isdst = -1;
    t = (int64_t)mktime(&tm);
    if (t > now + 86400) { /* last December read in January */
        tm.tm_year--;
        tm.tm_isdst = -1;
        t = (int64_t)mktime(&tm);
    }
    return t;
}

int64_t aud_line_time(const char *line, int64_t now)
{
    /* A raw datagram as sent to the syslog socket starts with "<PRI>". */
    if (line[0] == '<') {
        size_t digits = strspn(line + 1, "0123456789");

        if (digits > 0 && line[1 + digits] == '>')
            line += digits + 2;
    }
    if (line[0] >= '0' && line[0] <= '9')
        return iso_time(line);
    return bsd_time(line, now);
}

static void print_safe(const char *s, int quote)
{
    int q = quote && s[strcspn(s, " \"")] != '\0';

    if (q)
        putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c < 0x20 || c >= 0x7f || (q && (c == '"' || c == '\\')))
            printf(c == '"' || c == '\\' ? "\\%c" : "\\x%02x", c);
        else
            putchar(c);
    }
    if (q)
        putchar('"');
}

/* A column: the value, then spaces up to width (at least one). */
static void padded(const char *v, int width)
{
    int len = (int)strlen(v);

    print_safe(v, 0);
    printf("%*s", len < width ? width - len : 1, "");
}

/* The longest event name and two spaces: every row stays aligned. */
#define EVENT_WIDTH 31

/* Keys the table does not repeat among the details: the columns, and the
 * seal (seq=, mac=: 64 hex digits a person cannot check by eye; CSV, JSON
 * and --verify keep them). */
static int not_a_detail(const char *key)
{
    return strcmp(key, "event") == 0 || strcmp(key, "user") == 0 ||
           strcmp(key, "actor") == 0 || strcmp(key, "trust") == 0 ||
           strcmp(key, "seq") == 0 || strcmp(key, "mac") == 0;
}

static void table_row(const struct aud_event *ev)
{
    const char *event = aud_get(ev, "event"), *user = aud_get(ev, "user");
    const char *actor = aud_get(ev, "actor");
    char when[32] = "?";
    time_t t = (time_t)ev->when;
    struct tm tm;
    size_t i, shown = 0;

    if (ev->when >= 0 && localtime_r(&t, &tm) != NULL)
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    padded(when, 20);
    padded(event != NULL ? event : "-", EVENT_WIDTH);
    padded(user != NULL ? user : "-", 12);
    padded(actor != NULL ? actor : "-", 12);
    padded(trust_of(ev), 10);
    for (i = 0; i < ev->n; i++) {
        if (not_a_detail(ev->key[i]))
            continue;
        printf("%s%s=", shown++ ? " " : "", ev->key[i]);
        print_safe(ev->val[i], 1);
    }
    putchar('\n');
}

static void csv_row(const struct aud_event *ev)
{
    char when[40] = "";
    size_t i;

    if (ev->when >= 0)
        pwr_format_iso(ev->when, when, sizeof(when));
    cli_csv_field(stdout, when, 0);
    for (i = 0; i < PWR_ARRAY_SIZE(csv_columns); i++)
        cli_csv_field(stdout, row_value(ev, csv_columns[i]),
                      i + 1 == PWR_ARRAY_SIZE(csv_columns));
}

static void json_row(const struct aud_event *ev, int first)
{
    size_t i;

    fputs(first ? "  {" : ",\n  {", stdout);
    cli_json_time(stdout, "time", ev->when >= 0 ? ev->when : 0, 0);
    cli_json_kv(stdout, "trust", trust_of(ev), 1);
    for (i = 0; i < ev->n; i++)
        if (strcmp(ev->key[i], "trust") != 0 && strcmp(ev->key[i], "time") != 0)
            cli_json_kv(stdout, ev->key[i], ev->val[i], 1);
    fputs("}", stdout);
}

void aud_out_begin(struct aud_out *o)
{
    size_t i;

    o->count = 0;
    if (o->format == AUD_JSON) {
        fputs("[\n", stdout);
    } else if (o->format == AUD_CSV) {
        cli_csv_field(stdout, "time", 0);
        for (i = 0; i < PWR_ARRAY_SIZE(csv_columns); i++)
            cli_csv_field(stdout, csv_columns[i],
                          i + 1 == PWR_ARRAY_SIZE(csv_columns));
    } else {
        printf("%-20s%-*s%-12s%-12s%-10s%s\n", "TIME", EVENT_WIDTH, "EVENT",
               "USER", "ACTOR", "TRUST", "DETAILS");
    }
}

void aud_out_event(struct aud_out *o, const struct aud_event *ev)
{
    if (o->format == AUD_JSON)
        json_row(ev, o->count == 0);
    else if (o->format == AUD_CSV)
        csv_row(ev);
    else
        table_row(ev);
    o->count++;
}

void aud_out_end(struct aud_out *o)
{
    if (o->format == AUD_JSON)
        fputs(o->count == 0 ? "]\n" : "\n]\n", stdout);
}
