/* pwr_status_msg.c - the status reply's account group, written and read
 * through one table (see pwr_status_msg.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Every key of an account is one row of the table below, so the helper
 * that writes the reply and the callers that read it cannot disagree about
 * a key; the flags go through pwr_flags_format and pwr_flags_parse, the
 * same words as in the store.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pwr_status_msg.h"
#include "pwr_util.h"

enum kind { K_TEXT, K_INT, K_BOOL, K_COUNT, K_STATUS, K_FLAGS, K_LOGIN };

struct key {
    const char *name;
    enum kind kind;
    size_t off;  /* of the member in struct pwr_status_acct */
    size_t size; /* K_TEXT: of the char array */
};

#define KEY(name, kind, member)                                      \
    { name, kind, offsetof(struct pwr_status_acct, member),          \
      sizeof(((struct pwr_status_acct *)0)->member) }

/* The order keys are written in; "user" comes first and starts a group. */
static const struct key keys[] = {
    KEY("user", K_TEXT, user),
    KEY("status", K_STATUS, status),
    KEY("flags", K_FLAGS, flags),
    KEY("has_password", K_BOOL, has_password),
    KEY("changed", K_INT, changed),
    KEY("temp_expires", K_INT, temp_expires),
    KEY("code", K_BOOL, code_live),
    KEY("code_expires", K_INT, code_expires),
    KEY("code_tries", K_COUNT, code_tries),
    KEY("status_changed", K_INT, status_changed),
    KEY("reason", K_TEXT, reason),
    KEY("created", K_INT, created),
    KEY("login", K_LOGIN, login),
    KEY("login_reason", K_TEXT, login_reason),
    KEY("login_message", K_TEXT, login_message),
    KEY("shadow_known", K_BOOL, shadow_known),
    KEY("shadow_locked", K_BOOL, shadow_locked),
    KEY("shadow_password", K_BOOL, shadow_password),
    KEY("shadow_expires", K_INT, shadow_expires),
    KEY("shadow_last_change", K_INT, shadow_last_change),
    KEY("shadow_max_days", K_INT, shadow_max_days),
    KEY("shadow_inactive_days", K_INT, shadow_inactive_days),
    KEY("password_expires", K_INT, password_expires),
    KEY("notice", K_TEXT, notice),
};

/* One bit per key in a mask of the keys seen. */
_Static_assert(PWR_ARRAY_SIZE(keys) <= 32, "the seen mask holds every key");

static const char *const login_names[] = {
    [PWR_ACCT_ALLOW] = "allow",
    [PWR_ACCT_DENY] = "deny",
    [PWR_ACCT_CHANGE] = "change",
};

const char *pwr_status_login_name(enum pwr_acct_decision d)
{
    if ((size_t)d < PWR_ARRAY_SIZE(login_names))
        return login_names[d];
    return "deny";
}

static int login_parse(const char *s, enum pwr_acct_decision *d)
{
    for (size_t i = 0; i < PWR_ARRAY_SIZE(login_names); i++) {
        if (strcmp(s, login_names[i]) == 0) {
            *d = (enum pwr_acct_decision)i;
            return 0;
        }
    }
    return -1;
}

/* ---- writing ------------------------------------------------------------- */

/* The value of one key as text, in buf (or pointing into a). */
static const char *format_value(const struct pwr_status_acct *a,
                                const struct key *k, char *buf, size_t bufsz)
{
    const char *p = (const char *)a + k->off;
    int64_t v;
    unsigned u;
    int b;

    switch (k->kind) {
    case K_TEXT:
        return strnlen(p, k->size) < k->size ? p : NULL;
    case K_INT:
        memcpy(&v, p, sizeof(v));
        snprintf(buf, bufsz, "%lld", (long long)v);
        return buf;
    case K_BOOL:
        memcpy(&b, p, sizeof(b));
        return b ? "1" : "0";
    case K_COUNT:
        memcpy(&u, p, sizeof(u));
        snprintf(buf, bufsz, "%u", u);
        return buf;
    case K_STATUS:
        return pwr_status_name(a->status);
    case K_FLAGS:
        return pwr_flags_format(a->flags, buf, bufsz) < 0 ? NULL : buf;
    case K_LOGIN:
        return pwr_status_login_name(a->login);
    }
    return NULL;
}

int pwr_status_msg_add(struct pwr_msg *m, const struct pwr_status_acct *a,
                       struct pwr_err *err)
{
    char buf[PWR_FLAGS_TEXT_MAX + 24]; /* an int64_t, or the flag words */

    for (size_t i = 0; i < PWR_ARRAY_SIZE(keys); i++) {
        const char *v = format_value(a, &keys[i], buf, sizeof(buf));

        if (v == NULL)
            return pwr_fail(err, PWR_E_INTERNAL,
                            "status reply: bad value for key '%s'",
                            keys[i].name);
        if (pwr_msg_add(m, keys[i].name, v, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- reading ------------------------------------------------------------- */

size_t pwr_status_msg_next(const struct pwr_msg *m, size_t from)
{
    return pwr_msg_next(m, from, keys[0].name);
}

/* A decimal number with an optional '-', nothing else; -1 if not. */
static int parse_int(const char *s, long long min, long long max,
                     long long *out)
{
    char *end;
    long long v;

    if (!(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Store one value (NUL-terminated, len bytes) in its member of a. */
static int parse_value(struct pwr_status_acct *a, const struct key *k,
                       const char *s, size_t len)
{
    char *p = (char *)a + k->off;
    long long v;
    int64_t t;
    unsigned u;
    int b;

    if (strlen(s) != len)
        return -1; /* a NUL inside the value */
    switch (k->kind) {
    case K_TEXT:
        if (len >= k->size)
            return -1;
        memcpy(p, s, len + 1);
        return 0;
    case K_INT:
        if (parse_int(s, INT64_MIN, INT64_MAX, &v) < 0)
            return -1;
        t = (int64_t)v;
        memcpy(p, &t, sizeof(t));
        return 0;
    case K_BOOL:
        if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0)
            return -1;
        b = s[0] == '1';
        memcpy(p, &b, sizeof(b));
        return 0;
    case K_COUNT:
        if (s[0] == '-' || parse_int(s, 0, UINT_MAX, &v) < 0)
            return -1;
        u = (unsigned)v;
        memcpy(p, &u, sizeof(u));
        return 0;
    case K_STATUS:
        return pwr_status_parse(s, &a->status);
    case K_FLAGS:
        return pwr_flags_parse(s, len, &a->flags);
    case K_LOGIN:
        return login_parse(s, &a->login);
    }
    return -1;
}

/* Groups come in table order, so the key after the previous one is tried
 * first (a listing of 100,000 accounts reads 2.4 million keys). */
static const struct key *find_key(const char *name, size_t hint)
{
    if (hint < PWR_ARRAY_SIZE(keys) && strcmp(keys[hint].name, name) == 0)
        return &keys[hint];
    for (size_t i = 0; i < PWR_ARRAY_SIZE(keys); i++) {
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    }
    return NULL;
}

/* Read every field of [start, end) that is an account's key. */
static int read_group(const struct pwr_msg *m, size_t start, size_t end,
                      struct pwr_status_acct *a, struct pwr_err *err)
{
    uint32_t seen = 0;
    size_t next = 0;

    for (size_t i = start; i < end; i++) {
        const struct pwr_field *f = &m->fields[i];
        const struct key *k = find_key(f->key, next);
        uint32_t bit;

        if (k == NULL)
            continue; /* a key of the whole reply, such as "warning" */
        next = (size_t)(k - keys) + 1;
        bit = UINT32_C(1) << (k - keys);
        if (seen & bit)
            return pwr_fail(err, PWR_E_INTERNAL,
                            "status reply: key '%s' repeated", k->name);
        seen |= bit;
        if (parse_value(a, k, f->value, f->len) < 0)
            return pwr_fail(err, PWR_E_INTERNAL,
                            "status reply: bad value for key '%s'", k->name);
    }
    for (size_t i = 0; i < PWR_ARRAY_SIZE(keys); i++) {
        if (!(seen & (UINT32_C(1) << i)))
            return pwr_fail(err, PWR_E_INTERNAL,
                            "status reply: key '%s' missing", keys[i].name);
    }
    return 0;
}

int pwr_status_msg_read(const struct pwr_msg *m, size_t start, size_t end,
                        struct pwr_status_acct *a, struct pwr_err *err)
{
    memset(a, 0, sizeof(*a));
    if (end > m->n || start >= end ||
        strcmp(m->fields[start].key, keys[0].name) != 0)
        return pwr_fail(err, PWR_E_INTERNAL,
                        "status reply: no account group there");
    if (read_group(m, start, end, a, err) < 0 ||
        (!pwr_login_valid(a->user) &&
         pwr_fail(err, PWR_E_INTERNAL, "status reply: invalid user") < 0)) {
        memset(a, 0, sizeof(*a));
        return -1;
    }
    return 0;
}
