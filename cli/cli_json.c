/* cli_json.c - JSON and CSV output for scripts.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Strings are escaped so that no value - a hostile rhost or reason - can
 * break the document: JSON escapes quotes, backslashes and control
 * characters, and writes bytes that are not valid UTF-8 as \u00XX; CSV
 * quotes every field and defuses spreadsheet formulas.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static size_t utf8_len_at(const char *s)
{
    size_t n;
    unsigned char c = (unsigned char)s[0];

    n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
      : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (n > 1 && (strnlen(s, n) < n || !pwr_utf8_valid(s, n, NULL)))
        return 0;
    return n;
}

/* Bytes at s that need no escape and are plain ASCII (written as a run:
 * a listing of 100,000 accounts is mostly such runs). */
static size_t plain_run(const char *s)
{
    size_t n = 0;

    while (s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\')
        n++;
    return n;
}

void cli_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    while (s != NULL && *s != '\0') {
        unsigned char c = (unsigned char)*s;
        size_t n = plain_run(s);

        if (n > 0) {
            fwrite(s, 1, n, f);
            s += n;
            continue;
        }
        n = utf8_len_at(s);

        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f || n == 0)
            fprintf(f, "\\u%04x", c);
        else {
            fwrite(s, 1, n, f);
            s += n;
            continue;
        }
        s++;
    }
    fputc('"', f);
}

void cli_json_kv(FILE *f, const char *key, const char *value, int comma)
{
    if (comma)
        fputs(", ", f);
    cli_json_str(f, key);
    fputs(": ", f);
    if (value == NULL)
        fputs("null", f);
    else
        cli_json_str(f, value);
}

void cli_json_time(FILE *f, const char *key, int64_t t, int comma)
{
    char buf[40];

    if (t == 0) {
        cli_json_kv(f, key, NULL, comma);
        return;
    }
    pwr_format_iso(t, buf, sizeof(buf));
    cli_json_kv(f, key, buf, comma);
}

void cli_json_bool(FILE *f, const char *key, int v, int comma)
{
    if (comma)
        fputs(", ", f);
    cli_json_str(f, key);
    fputs(v ? ": true" : ": false", f);
}

void cli_csv_field(FILE *f, const char *s, int last)
{
    if (s == NULL)
        s = "";
    fputc('"', f);
    /* A leading = + - @ would make a spreadsheet evaluate the cell. */
    if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0')
        fputc('\'', f);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
    fputc(last ? '\n' : ',', f);
}
