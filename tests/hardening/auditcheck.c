/* auditcheck.c - test tool: every captured audit line is well formed and
 * says only what the audit vocabulary allows (the events and keys of
 * pwreset-helper(8), AUDIT EVENTS), so a hostile login, rhost, tty or
 * reason cannot have forged a field or a line.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * usage: auditcheck FILE   (one datagram per line, as audit_sink writes)
 * Each line must be one of ours (pwr_audit_parse returns 1), start with
 * event=, hold only vocabulary keys, each at most once, and no control
 * byte.  Prints "N lines", or every offending line with its number; exit 0
 * when all are good, 1 otherwise, 2 on usage or I/O errors.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pwr_audit.h"
#include "pwr_util.h"

static const char *const vocabulary[] = {
    "event", "user", "actor", "actor_uid", "result", "reason", "service",
    "rhost", "tty", "temporary", "method", "users", "count", "expires", "by",
    "detail", "uid", "truncated", "remaining", "sudo_ts", "backend", "csn",
    "seq", "mac",
};

struct seen {
    unsigned bits;
    int bad;
};

static int key_index(const char *key)
{
    for (size_t i = 0; i < PWR_ARRAY_SIZE(vocabulary); i++)
        if (strcmp(key, vocabulary[i]) == 0)
            return (int)i;
    return -1;
}

static void on_field(const char *key, const char *value, void *arg)
{
    struct seen *s = arg;
    int i = key_index(key);

    (void)value;
    if (i < 0 || (s->bits & (1u << i)))
        s->bad = 1;
    else
        s->bits |= 1u << i;
}

static int line_ok(const char *line, size_t len)
{
    struct seen s = { 0, 0 };

    for (size_t i = 0; i < len; i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
            return 0;
    if (pwr_audit_parse(line, len, on_field, &s) != 1)
        return 0;
    return !s.bad && (s.bits & 1u);
}

int main(int argc, char **argv)
{
    FILE *f = argc == 2 ? fopen(argv[1], "r") : NULL;
    char *line = NULL;
    size_t cap = 0, n = 0, bad = 0;
    ssize_t len;

    if (f == NULL) {
        fprintf(stderr, "usage: auditcheck FILE\n");
        return 2;
    }
    while ((len = getline(&line, &cap, f)) >= 0) {
        n++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (!line_ok(line, (size_t)len)) {
            printf("line %zu: bad audit line: %s\n", n, line);
            bad++;
        }
    }
    free(line);
    fclose(f);
    printf("%zu lines, %zu bad\n", n, bad);
    return bad ? 1 : 0;
}
