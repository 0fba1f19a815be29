/* pwr_audit_line.c - the audit line format: build a line (the writer) and
 * read one back out of a syslog line (the reader).  Sending a line is in
 * pwr_audit_send.c.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Writer: a fixed buffer that never overflows.  A field goes in whole or not
 * at all; room for " truncated=1" is held back until it is needed, so a line
 * that lost a field always says so, and fields added later that still fit go
 * in before that mark.  A NULL value or a key outside [a-z_]+ (a bug in the
 * caller) drops the field.  Values that are not plain tokens are quoted and
 * escaped, so no value can add a field or end the line.
 *
 * Reader: pwr_audit_parse reads untrusted log text (and is fuzzed): it
 * indexes only below len, loops without recursion, and calls back only once
 * the whole line has been checked.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pwr_audit.h"
#include "pwr_util.h"

#define IDENT PWR_AUDIT_IDENT
#define IDENT_LEN (sizeof(IDENT) - 1)
#define TRUNC_MARK " truncated=1"
#define TRUNC_LEN (sizeof(TRUNC_MARK) - 1)
#define KEY_MAX 32

static const char hexdigits[] = "0123456789abcdef";

/* ---- writer ------------------------------------------------------------- */

static int is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || c == '_';
}

static int is_bare_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ',' ||
           c == ':' || c == '/' || c == '@' || c == '+' || c == '-';
}

static int key_valid(const char *key)
{
    size_t i;

    if (key == NULL || key[0] == '\0')
        return 0;
    for (i = 0; key[i] != '\0'; i++)
        if (i == KEY_MAX || !is_key_char(key[i]))
            return 0;
    return 1;
}

static int value_bare(const char *v, size_t n)
{
    size_t i;

    if (n == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (!is_bare_char(v[i]))
            return 0;
    return 1;
}

/* The quoted form of one byte (up to 4 bytes) into out; returns its size. */
static size_t escape_byte(unsigned char c, char *out)
{
    if (c == '"' || c == '\\') {
        out[0] = '\\';
        out[1] = (char)c;
        return 2;
    }
    if (c < 0x20 || c > 0x7e) {
        out[0] = '\\';
        out[1] = 'x';
        out[2] = hexdigits[c >> 4];
        out[3] = hexdigits[c & 0xf];
        return 4;
    }
    out[0] = (char)c;
    return 1;
}

/* Size of the written form of v. */
static size_t value_size(const char *v)
{
    size_t n = strlen(v), size = 2, i;
    char tmp[4];

    if (value_bare(v, n))
        return n;
    for (i = 0; i < n; i++)
        size += escape_byte((unsigned char)v[i], tmp);
    return size;
}

/* Write " key=value" (no leading space when sep is 0) at out, which has room
 * for exactly the size computed from value_size. */
static void write_field(char *out, int sep, const char *key, const char *v)
{
    size_t klen = strlen(key), n = strlen(v), o = 0, i;

    if (sep)
        out[o++] = ' ';
    memcpy(out + o, key, klen);
    o += klen;
    out[o++] = '=';
    if (value_bare(v, n)) {
        memcpy(out + o, v, n);
        return;
    }
    out[o++] = '"';
    for (i = 0; i < n; i++)
        o += escape_byte((unsigned char)v[i], out + o);
    out[o] = '"';
}

static void mark_truncated(struct pwr_audit *a)
{
    if (a->truncated)
        return;
    /* Room for the mark was held back by every add, so this always fits. */
    memcpy(a->line + a->len, TRUNC_MARK, TRUNC_LEN);
    a->len += TRUNC_LEN;
    a->line[a->len] = '\0';
    a->truncated = 1;
}

void pwr_audit_add(struct pwr_audit *a, const char *key, const char *value)
{
    size_t reserve = a->truncated ? 0 : TRUNC_LEN;
    size_t at = a->truncated ? a->len - TRUNC_LEN : a->len;
    size_t room, need;
    int sep = at > 0;

    if (!key_valid(key) || value == NULL ||
        a->len + reserve >= sizeof(a->line) || at > a->len)
        return; /* a bad key is a caller's bug; the rest, a corrupted a */
    room = sizeof(a->line) - 1 - reserve - a->len;
    need = (size_t)sep + strlen(key) + 1 + value_size(value);
    if (need > room) {
        mark_truncated(a);
        return;
    }
    if (a->truncated)
        memmove(a->line + at + need, a->line + at, TRUNC_LEN);
    write_field(a->line + at, sep, key, value);
    a->len += need;
    a->line[a->len] = '\0';
}

/* By hand, not snprintf: every event of a bulk action has an actor_uid. */
void pwr_audit_add_int(struct pwr_audit *a, const char *key, long long value)
{
    unsigned long long u = value < 0 ? 0ULL - (unsigned long long)value
                                     : (unsigned long long)value;
    char buf[24];
    size_t i = sizeof(buf) - 1;

    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (value < 0)
        buf[--i] = '-';
    pwr_audit_add(a, key, buf + i);
}

const char *const pwr_audit_events[] = {
    "account_activated", "account_blocked", "account_deactivated",
    "account_deleted", "account_enrolled", "account_purged",
    "account_unblocked", "account_undeleted", "action_interrupted",
    "auth_failed", "force_password_reset_cleared", "force_password_reset_set",
    "grace_login_used", "login_allowed", "login_denied", "notify_failed",
    "password_change_rejected", "password_changed",
    "password_found_in_breach_list", "password_reset_completed",
    "password_set_by_admin", "permission_denied", "policy_rejected",
    "reset_code_issued", "reset_code_rejected", "reset_code_used",
    "sessions_revoked", NULL,
};

int pwr_audit_event_known(const char *event)
{
    size_t i;

    for (i = 0; event != NULL && pwr_audit_events[i] != NULL; i++)
        if (strcmp(event, pwr_audit_events[i]) == 0)
            return 1;
    return 0;
}

void pwr_audit_begin(struct pwr_audit *a, const char *event)
{
    memset(a, 0, sizeof(*a));
    pwr_audit_add(a, "event", event);
    /* A line always starts with event=, even when the caller's was absurd. */
    if (a->len == 0 || a->truncated)
        pwr_audit_add(a, "event", "unknown");
}

/* ---- reader ------------------------------------------------------------- */

#define BAD ((size_t)-1)

static int hexval(char c)
{
    const char *p = c != '\0' ? strchr(hexdigits, c) : NULL;

    return p != NULL ? (int)(p - hexdigits) : -1;
}

/* A quoted value s[*i] == '"' into out; accepts exactly what write_field
 * produces. */
static int read_quoted(const char *s, size_t n, size_t *i, char *out,
                       size_t outsz)
{
    size_t p = *i + 1, o = 0;

    for (; p < n && s[p] != '"'; p++) {
        unsigned char c = (unsigned char)s[p];

        if (c < 0x20 || c > 0x7e || o + 1 >= outsz)
            return -1;
        if (c == '\\') {
            if (p + 1 < n && (s[p + 1] == '"' || s[p + 1] == '\\')) {
                c = (unsigned char)s[++p];
            } else if (p + 3 < n && s[p + 1] == 'x' &&
                       hexval(s[p + 2]) >= 0 && hexval(s[p + 3]) >= 0) {
                c = (unsigned char)(hexval(s[p + 2]) * 16 + hexval(s[p + 3]));
                if (c >= 0x20 && c <= 0x7e)
                    return -1; /* would have been written as itself */
                if (c == '\0')
                    return -1;
                p += 3;
            } else {
                return -1;
            }
        }
        out[o++] = (char)c;
    }
    if (p == n)
        return -1;
    out[o] = '\0';
    if (value_bare(out, o))
        return -1; /* would have been written bare */
    *i = p + 1;
    return 0;
}

static int read_value(const char *s, size_t n, size_t *i, char *out,
                      size_t outsz)
{
    size_t p = *i;

    if (p < n && s[p] == '"')
        return read_quoted(s, n, i, out, outsz);
    while (p < n && s[p] != ' ') {
        if (!is_bare_char(s[p]) || p - *i + 1 >= outsz)
            return -1;
        p++;
    }
    if (p == *i)
        return -1;
    memcpy(out, s + *i, p - *i);
    out[p - *i] = '\0';
    *i = p;
    return 0;
}

/* The key=value pairs of a message; fn (if any) sees each one.  1 if the
 * message is well formed and starts with event=, -1 if not. */
static int read_fields(const char *s, size_t n, pwr_audit_kv_fn fn, void *arg)
{
    char key[KEY_MAX + 1];
    char value[PWR_AUDIT_LINE_MAX];
    size_t i = 0, k0;

    while (i < n) {
        for (k0 = i; i < n && is_key_char(s[i]); i++)
            if (i - k0 == KEY_MAX)
                return -1;
        if (i == k0 || i == n || s[i] != '=')
            return -1;
        memcpy(key, s + k0, i - k0);
        key[i - k0] = '\0';
        if (k0 == 0 && strcmp(key, "event") != 0)
            return -1;
        i++;
        if (read_value(s, n, &i, value, sizeof(value)) < 0)
            return -1;
        if (fn != NULL)
            fn(key, value, arg);
        if (i < n && (s[i] != ' ' || ++i == n))
            return -1;
    }
    return n > 0 ? 1 : -1;
}

/* 1 if s[0..n) is "pwreset" or "pwreset[DIGITS]". */
static int tag_is_ours(const char *s, size_t n)
{
    size_t i;

    if (n < IDENT_LEN || memcmp(s, IDENT, IDENT_LEN) != 0)
        return 0;
    if (n == IDENT_LEN)
        return 1;
    if (n < IDENT_LEN + 3 || n > IDENT_LEN + 12 || s[IDENT_LEN] != '[' ||
        s[n - 1] != ']')
        return 0;
    for (i = IDENT_LEN + 1; i < n - 1; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* RFC 3164 files, journalctl short formats and raw datagrams: the tag is the
 * word before the first ": " or final ':' (timestamps and host names hold no ": ", and
 * whatever a program logs comes after its own tag, so text inside another
 * program's message can never pose as our tag). */
static size_t find_msg_3164(const char *s, size_t n, size_t start)
{
    size_t i, t;

    for (i = start; i < n; i++)
        if (s[i] == ':' && (i + 1 == n || s[i + 1] == ' '))
            break;
    if (i == n)
        return BAD;
    for (t = i; t > start && s[t - 1] != ' '; t--)
        ;
    if (!tag_is_ours(s + t, i - t))
        return BAD;
    return i + 1 == n ? n : i + 2;
}

/* One space-free RFC 5424 header field starting at *i; returns its length. */
static size_t next_word(const char *s, size_t n, size_t *i)
{
    size_t p = *i, len;

    while (p < n && s[p] != ' ')
        p++;
    len = p - *i;
    *i = p < n ? p + 1 : p;
    return len;
}

/* Skip RFC 5424 STRUCTURED-DATA ("-" or [id k="v" ...]...) at i. */
static size_t skip_sd(const char *s, size_t n, size_t i)
{
    if (i < n && s[i] == '-')
        return i + 1;
    if (i >= n || s[i] != '[')
        return BAD;
    while (i < n && s[i] == '[') {
        int quoted = 0;

        for (i++; i < n; i++) {
            if (quoted && s[i] == '\\')
                i++;
            else if (s[i] == '"')
                quoted = !quoted;
            else if (!quoted && s[i] == ']')
                break;
        }
        if (i >= n)
            return BAD;
        i++;
    }
    return i;
}

/* "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD [MSG]", after "<PRI>1 ". */
static size_t find_msg_5424(const char *s, size_t n, size_t i, int *ours)
{
    size_t app, len, f;

    next_word(s, n, &i); /* timestamp */
    next_word(s, n, &i); /* host */
    app = i;
    len = next_word(s, n, &i);
    *ours = len == IDENT_LEN && memcmp(s + app, IDENT, IDENT_LEN) == 0;
    if (!*ours)
        return BAD;
    for (f = 0; f < 2; f++) /* procid, msgid */
        if (next_word(s, n, &i) == 0)
            return BAD;
    i = skip_sd(s, n, i);
    if (i == BAD || i >= n || s[i] != ' ')
        return BAD;
    i++;
    if (n - i >= 3 && memcmp(s + i, "\xef\xbb\xbf", 3) == 0)
        i += 3;
    return i;
}

/* Index after a leading "<PRI>", or 0. */
static size_t skip_pri(const char *s, size_t n)
{
    size_t i = 1;

    if (n == 0 || s[0] != '<')
        return 0;
    while (i < n && i <= 4 && s[i] >= '0' && s[i] <= '9')
        i++;
    return (i > 1 && i < n && s[i] == '>') ? i + 1 : 0;
}

int pwr_audit_parse(const char *line, size_t len, pwr_audit_kv_fn fn,
                    void *arg)
{
    size_t start, msg;
    int ours = 0;

    if (line == NULL)
        return 0;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
                       line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    start = skip_pri(line, len);
    if (start > 0 && len - start >= 2 && line[start] == '1' &&
        line[start + 1] == ' ') {
        msg = find_msg_5424(line, len, start + 2, &ours);
        if (!ours)
            return 0;
    } else {
        msg = find_msg_3164(line, len, start);
        if (msg == BAD)
            return 0;
    }
    if (msg == BAD || read_fields(line + msg, len - msg, NULL, NULL) < 0)
        return -1;
    if (fn != NULL)
        read_fields(line + msg, len - msg, fn, arg);
    return 1;
}
