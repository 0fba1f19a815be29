/* pwr_record.c - one account of the credential store and its one-line text
 * form (see pwr_record.h and docs/STORE.md).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The parser is the store's first line of defence, so it is strict:
 *  - MUST reject an unknown key, a repeated key, a missing status, a bad
 *    number, status or flag, an invalid login, an over-long line or value,
 *    an empty field (two spaces, a trailing space) and any raw byte that
 *    pwr_encode would have escaped (NUL, CR, LF, space inside a value...).
 *  - MUST name the offending key in its message, and never print a value
 *    (values may be hashes) nor a raw byte from the line.
 *  - MUST wipe every decoded copy of a value before its buffer is reused.
 * The formatter writes keys in one fixed order and omits default values, so
 * a record always has exactly one text form and parse(format(r)) == r.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pwr_record.h"

/* Longest line content (without LF) so that content + LF + NUL fit a buffer
 * of PWR_RECORD_LINE_MAX. */
#define LINE_CONTENT_MAX (PWR_RECORD_LINE_MAX - 2)

enum field_kind { FK_STATUS, FK_FLAGS, FK_TEXT, FK_TIME, FK_COUNT };

struct field {
    const char *key;
    enum field_kind kind;
    size_t off;  /* offset of the member in struct pwr_record */
    size_t size; /* FK_TEXT: size of the char array */
};

#define FIELD(k, kind, member)                                              \
    { k, kind, offsetof(struct pwr_record, member),                         \
      sizeof(((struct pwr_record *)0)->member) }

/* The order of this table is the order keys are written in. */
static const struct field fields[] = {
    FIELD("status", FK_STATUS, status),
    FIELD("flags", FK_FLAGS, flags),
    FIELD("hash", FK_TEXT, hash),
    FIELD("changed", FK_TIME, changed),
    FIELD("temp_expires", FK_TIME, temp_expires),
    FIELD("code", FK_TEXT, code_hash),
    FIELD("code_expires", FK_TIME, code_expires),
    FIELD("code_tries", FK_COUNT, code_tries),
    FIELD("status_changed", FK_TIME, status_changed),
    FIELD("reason", FK_TEXT, reason),
    FIELD("created", FK_TIME, created),
    FIELD("grace_used", FK_COUNT, grace_used),
    FIELD("history", FK_TEXT, history),
    FIELD("notice", FK_TEXT, notice),
    FIELD("notice_by", FK_TEXT, notice_by),
    FIELD("notice_at", FK_TIME, notice_at),
};

static const char *const status_names[] = {
    [PWR_ST_ACTIVE] = "active",     [PWR_ST_PENDING] = "pending",
    [PWR_ST_BLOCKED] = "blocked",   [PWR_ST_INACTIVE] = "inactive",
    [PWR_ST_DELETED] = "deleted",
};

static const struct {
    const char *name;
    unsigned bit;
} flag_names[] = {
    { "must_change", PWR_F_MUST_CHANGE },
    { "temporary", PWR_F_TEMPORARY },
};

#define KNOWN_FLAGS (PWR_F_MUST_CHANGE | PWR_F_TEMPORARY)

void pwr_record_init(struct pwr_record *rec, const char *login)
{
    memset(rec, 0, sizeof(*rec));
    rec->status = PWR_ST_ACTIVE;
    if (login != NULL)
        (void)pwr_strlcpy(rec->login, login, sizeof(rec->login));
}

void pwr_record_wipe(struct pwr_record *rec)
{
    if (rec != NULL)
        sodium_memzero(rec, sizeof(*rec));
}

const char *pwr_status_name(enum pwr_status st)
{
    if ((size_t)st < PWR_ARRAY_SIZE(status_names))
        return status_names[st];
    return "unknown";
}

int pwr_status_parse(const char *name, enum pwr_status *st)
{
    for (size_t i = 0; i < PWR_ARRAY_SIZE(status_names); i++) {
        if (strcmp(name, status_names[i]) == 0) {
            *st = (enum pwr_status)i;
            return 0;
        }
    }
    return -1;
}

/* A code is live while it is set, before its expiry instant and below the
 * limit of wrong tries.  A code with no expiry (0) is dead: every issuer
 * sets one, so a zero can only come from a damaged or hand-made record. */
int pwr_record_code_live(const struct pwr_record *rec, int64_t now,
                         unsigned max_tries)
{
    return rec->code_hash[0] != '\0' && now < rec->code_expires &&
           rec->code_tries < max_tries;
}

/* ---- formatting ----------------------------------------------------------- */

static const void *member(const struct pwr_record *rec, const struct field *f)
{
    return (const char *)rec + f->off;
}

static int flags_text(unsigned flags, char *out, size_t outsz)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < PWR_ARRAY_SIZE(flag_names); i++) {
        int n;

        if (!(flags & flag_names[i].bit))
            continue;
        n = snprintf(out + used, outsz - used, "%s%s", used ? "," : "",
                     flag_names[i].name);
        if (n < 0 || (size_t)n >= outsz - used)
            return -1;
        used += (size_t)n;
    }
    return 0;
}

/* Value text of one field into out; 0 = written, 1 = default (omit), -1 bad. */
static int value_text(const struct pwr_record *rec, const struct field *f,
                      char *out, size_t outsz)
{
    const void *p = member(rec, f);
    size_t len;
    int n;

    switch (f->kind) {
    case FK_STATUS:
        if ((size_t)rec->status >= PWR_ARRAY_SIZE(status_names))
            return -1;
        return pwr_strlcpy(out, status_names[rec->status], outsz);
    case FK_FLAGS:
        if (rec->flags & ~KNOWN_FLAGS)
            return -1;
        return rec->flags == 0 ? 1 : flags_text(rec->flags, out, outsz);
    case FK_TEXT:
        len = strnlen(p, f->size);
        if (len == f->size)
            return -1; /* not NUL-terminated */
        if (len == 0)
            return 1;
        return pwr_encode(p, len, out, outsz) < 0 ? -1 : 0;
    case FK_TIME:
        if (*(const int64_t *)p == 0)
            return 1;
        n = snprintf(out, outsz, "%" PRId64, *(const int64_t *)p);
        break;
    case FK_COUNT:
        if (*(const unsigned *)p == 0)
            return 1;
        n = snprintf(out, outsz, "%u", *(const unsigned *)p);
        break;
    default:
        return -1;
    }
    return (n < 0 || (size_t)n >= outsz) ? -1 : 0;
}

static int append(char *buf, size_t bufsz, size_t *used, const char *a,
                  const char *b, const char *c)
{
    int n = snprintf(buf + *used, bufsz - *used, "%s%s%s", a, b, c);

    if (n < 0 || (size_t)n >= bufsz - *used)
        return -1;
    *used += (size_t)n;
    return 0;
}

/* Append " key=value" for one field, unless it holds its default. */
static int append_field(const struct pwr_record *rec, const struct field *f,
                        char *buf, size_t bufsz, size_t *used)
{
    char val[PWR_RECORD_LINE_MAX];
    int v = value_text(rec, f, val, sizeof(val));
    int rc = v < 0 ? -1 : 0;

    if (v == 0) {
        rc = append(buf, bufsz, used, " ", f->key, "=");
        if (rc == 0)
            rc = append(buf, bufsz, used, val, "", "");
        sodium_memzero(val, strlen(val));
    } else if (v < 0) {
        sodium_memzero(val, sizeof(val)); /* may hold part of a value */
    }
    return rc;
}

int pwr_record_format(const struct pwr_record *rec, char *buf, size_t bufsz)
{
    size_t used = 0;
    int rc;

    if (bufsz == 0 || !pwr_login_valid(rec->login))
        return -1;
    buf[0] = '\0';
    rc = append(buf, bufsz, &used, rec->login, "", "");
    for (size_t i = 0; i < PWR_ARRAY_SIZE(fields) && rc == 0; i++)
        rc = append_field(rec, &fields[i], buf, bufsz, &used);
    if (rc == 0)
        rc = append(buf, bufsz, &used, "\n", "", "");
    if (rc < 0 || used - 1 > LINE_CONTENT_MAX) {
        sodium_memzero(buf, bufsz);
        return -1;
    }
    return (int)used;
}

/* ---- parsing -------------------------------------------------------------- */

static const struct field *find_field(const char *key, size_t len)
{
    for (size_t i = 0; i < PWR_ARRAY_SIZE(fields); i++) {
        if (strlen(fields[i].key) == len && memcmp(fields[i].key, key, len) == 0)
            return &fields[i];
    }
    return NULL;
}

/* Decimal without sign, leading zeros or spaces; -1 if not one. */
static int parse_digits(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || (s[0] == '0' && len > 1))
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';

        if (d > 9 || v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int parse_time(const char *s, size_t len, int64_t *out)
{
    int neg = len > 0 && s[0] == '-';
    uint64_t v;

    if (parse_digits(s + neg, len - (size_t)neg,
                     (uint64_t)INT64_MAX + (uint64_t)neg, &v) < 0 ||
        (neg && v == 0))
        return -1;
    *out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v)
               : (int64_t)v;
    return 0;
}

static int parse_flags(const char *s, unsigned *out)
{
    unsigned flags = 0;

    while (*s != '\0') {
        size_t len = strcspn(s, ",");
        unsigned bit = 0;

        for (size_t i = 0; i < PWR_ARRAY_SIZE(flag_names); i++) {
            if (strlen(flag_names[i].name) == len &&
                memcmp(flag_names[i].name, s, len) == 0)
                bit = flag_names[i].bit;
        }
        if (bit == 0 || (flags & bit))
            return -1; /* unknown, repeated or empty flag */
        flags |= bit;
        s += len;
        if (*s == ',' && *++s == '\0')
            return -1; /* trailing comma */
    }
    *out = flags;
    return 0;
}

/* Interpret one decoded value (NUL-terminated, dlen bytes) into rec. */
static int set_value(struct pwr_record *rec, const struct field *f,
                     const char *val, size_t dlen, struct pwr_err *err)
{
    void *p = (char *)rec + f->off;
    uint64_t u;

    switch (f->kind) {
    case FK_STATUS:
        if (pwr_status_parse(val, &rec->status) < 0)
            return pwr_fail(err, PWR_E_STORE, "bad value for key 'status'");
        return 0;
    case FK_FLAGS:
        if (parse_flags(val, &rec->flags) < 0)
            return pwr_fail(err, PWR_E_STORE, "bad value for key 'flags'");
        return 0;
    case FK_TEXT:
        if (dlen >= f->size)
            return pwr_fail(err, PWR_E_STORE, "value of key '%s' too long",
                            f->key);
        memcpy(p, val, dlen + 1);
        return 0;
    case FK_TIME:
        if (parse_time(val, dlen, p) < 0)
            return pwr_fail(err, PWR_E_STORE, "bad number for key '%s'", f->key);
        return 0;
    case FK_COUNT:
        if (parse_digits(val, dlen, UINT_MAX, &u) < 0)
            return pwr_fail(err, PWR_E_STORE, "bad number for key '%s'", f->key);
        *(unsigned *)p = (unsigned)u;
        return 0;
    }
    return pwr_fail(err, PWR_E_INTERNAL, "bad field table");
}

/* Describe an unknown key without echoing raw bytes from the file. */
static int unknown_key(const char *key, size_t len, struct pwr_err *err)
{
    char shown[64];

    if (len > 16 || pwr_encode(key, len, shown, sizeof(shown)) < 0)
        return pwr_fail(err, PWR_E_STORE, "unknown key (%zu bytes)", len);
    return pwr_fail(err, PWR_E_STORE, "unknown key '%s'", shown);
}

/* One "key=value" field of len bytes. */
static int parse_field(struct pwr_record *rec, const char *s, size_t len,
                       unsigned *seen, struct pwr_err *err)
{
    char val[PWR_RECORD_LINE_MAX];
    const char *eq = memchr(s, '=', len);
    const struct field *f;
    ssize_t dlen;
    unsigned bit;
    int rc;

    if (len == 0)
        return pwr_fail(err, PWR_E_STORE, "empty field (stray space)");
    if (eq == NULL)
        return pwr_fail(err, PWR_E_STORE, "field without '='");
    f = find_field(s, (size_t)(eq - s));
    if (f == NULL)
        return unknown_key(s, (size_t)(eq - s), err);
    bit = 1u << (f - fields);
    if (*seen & bit)
        return pwr_fail(err, PWR_E_STORE, "duplicate key '%s'", f->key);
    *seen |= bit;
    dlen = pwr_decode(eq + 1, len - (size_t)(eq + 1 - s), val, sizeof(val));
    if (dlen < 0) {
        sodium_memzero(val, sizeof(val)); /* may hold a partial decode */
        return pwr_fail(err, PWR_E_STORE, "bad encoding in key '%s'", f->key);
    }
    rc = set_value(rec, f, val, (size_t)dlen, err);
    sodium_memzero(val, (size_t)dlen + 1);
    return rc;
}

static int parse_login(struct pwr_record *rec, const char *s, size_t len,
                       struct pwr_err *err)
{
    if (len == 0 || len > PWR_LOGIN_MAX || memchr(s, '\0', len) != NULL)
        return pwr_fail(err, PWR_E_STORE, "invalid login");
    memcpy(rec->login, s, len);
    rec->login[len] = '\0';
    if (!pwr_login_valid(rec->login))
        return pwr_fail(err, PWR_E_STORE, "invalid login");
    return 0;
}

static int parse_fields(struct pwr_record *rec, const char *p,
                        const char *end, struct pwr_err *err)
{
    unsigned seen = 0;

    while (p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *stop = sp ? sp : end;

        if (parse_field(rec, p, (size_t)(stop - p), &seen, err) < 0)
            return -1;
        if (sp != NULL && sp + 1 == end)
            return pwr_fail(err, PWR_E_STORE, "trailing space");
        p = stop + (sp != NULL);
    }
    if (!(seen & 1u)) /* fields[0] is status, which is always written */
        return pwr_fail(err, PWR_E_STORE, "missing key 'status'");
    return 0;
}

int pwr_record_parse(const char *line, size_t len, struct pwr_record *rec,
                     struct pwr_err *err)
{
    const char *sp;

    pwr_record_init(rec, NULL);
    if (len > LINE_CONTENT_MAX)
        return pwr_fail(err, PWR_E_STORE, "line too long (%zu bytes, max %d)",
                        len, LINE_CONTENT_MAX);
    sp = memchr(line, ' ', len);
    if (sp == NULL || sp + 1 == line + len)
        return pwr_fail(err, PWR_E_STORE, "record without fields");
    if (parse_login(rec, line, (size_t)(sp - line), err) < 0 ||
        parse_fields(rec, sp + 1, line + len, err) < 0) {
        pwr_record_wipe(rec);
        return -1;
    }
    return 0;
}
