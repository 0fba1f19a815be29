/* fuzz_audit.c - fuzz target: the audit trail, both ways.  Input whose
 * first byte is even is a syslog line for the reader (pwr_audit_parse, what
 * `pwreset audit` runs over untrusted log files); odd, it is a list of
 * values for the writer (pwr_audit_add), which must never let a value add a
 * field, end the line or hide the event.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Properties:
 *  - reader: no read outside the line; a line it accepts starts with event=
 *    and writing its fields back gives a line that reads back the same;
 *  - writer: whatever the values (quotes, backslashes, "key=", spaces,
 *    newlines, escapes, invalid UTF-8), the line it builds is accepted by
 *    the reader, holds no control byte, and yields exactly the fields
 *    written (event first), or says truncated=1 when one did not fit.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "pwr_audit.h"

#define T "audit"
#define MAX_KV 64

struct kvs {
    size_t n;
    char key[MAX_KV][40];
    char value[MAX_KV][PWR_AUDIT_LINE_MAX];
};

static struct kvs got, want; /* static: each is about 130 KiB */

static void collect(const char *key, const char *value, void *arg)
{
    struct kvs *k = arg;

    if (k->n < MAX_KV) {
        snprintf(k->key[k->n], sizeof(k->key[0]), "%s", key);
        snprintf(k->value[k->n], sizeof(k->value[0]), "%s", value);
    }
    k->n++;
}

static int same(const struct kvs *a, const struct kvs *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n && i < MAX_KV; i++)
        if (strcmp(a->key[i], b->key[i]) != 0 ||
            strcmp(a->value[i], b->value[i]) != 0)
            return 0;
    return 1;
}

/* Read a->line as the message of a syslog line into out; 1 if accepted. */
static int read_back(const struct pwr_audit *a, struct kvs *out)
{
    char line[PWR_AUDIT_LINE_MAX + 32];
    int n = snprintf(line, sizeof(line), "host pwreset[7]: %s", a->line);

    if (!fuzz_printable(a->line) || strlen(a->line) != a->len)
        fuzz_fail(T, "the writer put a control byte or a NUL in the line");
    out->n = 0;
    return pwr_audit_parse(line, (size_t)n, collect, out) == 1;
}

static void reader(const uint8_t *data, size_t size)
{
    struct pwr_audit a;
    int rc;

    got.n = 0;
    rc = pwr_audit_parse((const char *)data, size, collect, &got);
    if (rc != 1 || got.n > MAX_KV)
        return;
    if (strcmp(got.key[0], "event") != 0)
        fuzz_fail(T, "an accepted line does not start with event=");
    pwr_audit_begin(&a, got.value[0]);
    for (size_t i = 1; i < got.n; i++)
        pwr_audit_add(&a, got.key[i], got.value[i]);
    if (a.truncated || strcmp(got.value[0], "unknown") == 0)
        return; /* longer than one line can hold, or an "absurd" event */
    if (!read_back(&a, &want) || !same(&got, &want))
        fuzz_fail(T, "an accepted line does not survive write and read");
}

/* Values are NUL-separated; keys come from a fixed list. */
static void writer(const uint8_t *data, size_t size)
{
    static const char *const keys[] = { "user", "rhost", "reason", "tty",
                                        "service", "detail" };
    struct pwr_audit a;
    size_t pos = 0, k = 0;

    want.n = 0;
    pwr_audit_begin(&a, "login_denied");
    collect("event", "login_denied", &want);
    /* At most MAX_KV - 2 adds: with event= and truncated=1, what is read
     * back always fits got. */
    while (pos < size && k < MAX_KV - 2) {
        const uint8_t *nul = memchr(data + pos, '\0', size - pos);
        size_t len = nul ? (size_t)(nul - data) - pos : size - pos;
        char value[PWR_AUDIT_LINE_MAX];

        snprintf(value, sizeof(value), "%.*s", (int)len, data + pos);
        pwr_audit_add(&a, keys[k % 6], value);
        if (!a.truncated)
            collect(keys[k % 6], value, &want);
        k++;
        pos += len + 1;
    }
    if (!read_back(&a, &got))
        fuzz_fail(T, "the reader refuses a line the writer built");
    if (a.truncated) {
        if (got.n == 0 || strcmp(got.key[got.n - 1], "truncated") != 0)
            fuzz_fail(T, "a truncated line does not end with truncated=1");
        got.n--;
        return; /* fields after the first that did not fit may still be in */
    }
    if (!same(&got, &want))
        fuzz_fail(T, "the fields read back differ from those written");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        writer(data + 1, size - 1);
    else
        reader(data, size);
    return 0;
}
