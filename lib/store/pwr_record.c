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
 *
 * Both run once or twice per account on every write of the store,
 * so neither goes through snprintf or a scratch copy of a value: the line is
 * written straight into the caller's buffer, and a value is decoded straight
 * into its member.  Only a value that fails that fast path is parsed again
 * the slow, general way (decode into a scratch buffer, then interpret), which
 * is what picks the error message; both paths accept exactly the same text.
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
    const char *key;    /* for messages */
    const char *prefix; /* " key=", as written before the value */
    size_t keylen;      /* strlen(key); the prefix is two bytes longer */
    enum field_kind kind;
    size_t off;  /* offset of the member in struct pwr_record */
    size_t size; /* FK_TEXT: size of the char array */
};

#define FIELD(k, kind, member)                                              \
    { k, " " k "=", sizeof(k) - 1, kind, offsetof(struct pwr_record, member), \
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

#define FLAG(name, bit) { name, sizeof(name) - 1, bit }

static const struct {
    const char *name;
    size_t len;
    unsigned bit;
} flag_names[] = {
    FLAG("must_change", PWR_F_MUST_CHANGE),
    FLAG("temporary", PWR_F_TEMPORARY),
};

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

/* The line being written: buf[0..used) so far.  Every append keeps room for
 * the NUL that ends the line, as snprintf into the rest of buf would. */
struct out {
    char *buf;
    size_t size;
    size_t used;
};

static int put(struct out *o, const char *s, size_t len)
{
    if (len >= o->size - o->used)
        return -1;
    memcpy(o->buf + o->used, s, len);
    o->used += len;
    return 0;
}

/* " key=" then value (len bytes, written as is). */
static int put_field(struct out *o, const struct field *f, const char *val,
                     size_t len)
{
    if (put(o, f->prefix, f->keylen + 2) < 0)
        return -1;
    return put(o, val, len);
}

/* A number as "%" PRIu64 would write it, with a '-' in front if neg. */
static int put_number(struct out *o, const struct field *f, int neg,
                      uint64_t mag)
{
    char text[24]; /* '-' and the 20 digits of UINT64_MAX */
    size_t i = sizeof(text);

    do {
        text[--i] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag != 0);
    if (neg)
        text[--i] = '-';
    return put_field(o, f, text + i, sizeof(text) - i);
}

static int put_time(struct out *o, const struct field *f, int64_t v)
{
    if (v == 0)
        return 0; /* default: omitted */
    /* 0 - (uint64_t)v is the magnitude even for INT64_MIN */
    return put_number(o, f, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

int pwr_flags_format(unsigned flags, char *buf, size_t bufsz)
{
    struct out o = { buf, bufsz, 0 };
    const char *sep = "";

    if ((flags & ~PWR_F_ALL) || bufsz == 0)
        return -1;
    for (size_t i = 0; i < PWR_ARRAY_SIZE(flag_names); i++) {
        if (!(flags & flag_names[i].bit))
            continue;
        if (put(&o, sep, strlen(sep)) < 0 ||
            put(&o, flag_names[i].name, flag_names[i].len) < 0)
            return -1;
        sep = ",";
    }
    buf[o.used] = '\0';
    return (int)o.used;
}

static int put_flags(struct out *o, const struct field *f, unsigned flags)
{
    char words[PWR_FLAGS_TEXT_MAX];
    int n;

    if (flags == 0)
        return 0; /* default: omitted */
    n = pwr_flags_format(flags, words, sizeof(words));
    return n < 0 ? -1 : put_field(o, f, words, (size_t)n);
}

/* A text member, percent-encoded straight into the line. */
static int put_text(struct out *o, const struct field *f, const char *p)
{
    size_t len;
    ssize_t n;

    if (p[0] == '\0')
        return 0; /* default: omitted */
    len = strnlen(p, f->size);
    if (len == f->size)
        return -1; /* not NUL-terminated */
    if (put(o, f->prefix, f->keylen + 2) < 0)
        return -1;
    n = pwr_encode(p, len, o->buf + o->used, o->size - o->used);
    if (n < 0)
        return -1;
    o->used += (size_t)n;
    return 0;
}

/* Append " key=value" for one field, unless it holds its default. */
static int append_field(struct out *o, const struct pwr_record *rec,
                        const struct field *f)
{
    const char *p = (const char *)rec + f->off;
    int64_t t;
    unsigned u;

    switch (f->kind) {
    case FK_STATUS:
        if ((size_t)rec->status >= PWR_ARRAY_SIZE(status_names))
            return -1;
        return put_field(o, f, status_names[rec->status],
                         strlen(status_names[rec->status]));
    case FK_FLAGS:
        return put_flags(o, f, rec->flags);
    case FK_TEXT:
        return put_text(o, f, p);
    case FK_TIME:
        memcpy(&t, p, sizeof(t));
        return put_time(o, f, t);
    case FK_COUNT:
        memcpy(&u, p, sizeof(u));
        return u == 0 ? 0 : put_number(o, f, 0, u);
    }
    return -1;
}

int pwr_record_format(const struct pwr_record *rec, char *buf, size_t bufsz)
{
    struct out o = { buf, bufsz, 0 };
    int rc;

    if (bufsz == 0 || !pwr_login_valid(rec->login))
        return -1;
    rc = put(&o, rec->login, strnlen(rec->login, sizeof(rec->login)));
    for (size_t i = 0; i < PWR_ARRAY_SIZE(fields) && rc == 0; i++)
        rc = append_field(&o, rec, &fields[i]);
    if (rc == 0)
        rc = put(&o, "\n", 1);
    if (rc < 0 || o.used - 1 > LINE_CONTENT_MAX) {
        sodium_memzero(buf, bufsz); /* may hold part of a value */
        return -1;
    }
    buf[o.used] = '\0';
    return (int)o.used;
}

/* ---- parsing -------------------------------------------------------------- */

/* Keys are a few bytes long: comparing them here is cheaper than a call. */
static int is_key(const struct field *f, const char *key, size_t len)
{
    if (f->keylen != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (f->key[i] != key[i])
            return 0;
    }
    return 1;
}

/* Lines are written in table order, so the field after the previous one is
 * tried first; any order is still accepted. */
static const struct field *find_field(const char *key, size_t len, size_t hint)
{
    if (hint < PWR_ARRAY_SIZE(fields) && is_key(&fields[hint], key, len))
        return &fields[hint];
    for (size_t i = 0; i < PWR_ARRAY_SIZE(fields); i++) {
        if (is_key(&fields[i], key, len))
            return &fields[i];
    }
    return NULL;
}

/* The first '=' of a field, as memchr would find it.  It ends the key, so it
 * is nearly always within the first few bytes. */
#define KEY_SCAN 16 /* > the longest key */

static const char *find_eq(const char *s, size_t len)
{
    size_t n = len < KEY_SCAN ? len : KEY_SCAN;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=')
            return s + i;
    }
    return len > n ? memchr(s + n, '=', len - n) : NULL;
}

/* Most digits a uint64_t holds whatever they are (10^19 - 1 < 2^64); every
 * max passed below is smaller than 10^19, so a longer number is too big. */
#define DIGITS_MAX 19
_Static_assert((uint64_t)INT64_MAX + 1 < UINT64_C(10000000000000000000) &&
                   UINT_MAX < UINT64_C(10000000000000000000),
               "a number of DIGITS_MAX digits fits a uint64_t");

/* Decimal without sign, leading zeros or spaces, at most max; -1 if not. */
static int parse_digits(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > DIGITS_MAX || (s[0] == '0' && len > 1))
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';

        if (d > 9)
            return -1;
        v = v * 10 + d;
    }
    if (v > max)
        return -1;
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

static int parse_count(const char *s, size_t len, unsigned *out)
{
    uint64_t v;

    if (parse_digits(s, len, UINT_MAX, &v) < 0)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse_status(const char *s, size_t len, enum pwr_status *out)
{
    for (size_t i = 0; i < PWR_ARRAY_SIZE(status_names); i++) {
        if (strlen(status_names[i]) == len &&
            memcmp(status_names[i], s, len) == 0) {
            *out = (enum pwr_status)i;
            return 0;
        }
    }
    return -1;
}

int pwr_status_parse(const char *name, enum pwr_status *st)
{
    return parse_status(name, strlen(name), st);
}

static unsigned flag_bit(const char *s, size_t len)
{
    for (size_t i = 0; i < PWR_ARRAY_SIZE(flag_names); i++) {
        if (flag_names[i].len == len && memcmp(flag_names[i].name, s, len) == 0)
            return flag_names[i].bit;
    }
    return 0;
}

/* Comma-separated flag names; "" is no flag. */
int pwr_flags_parse(const char *s, size_t len, unsigned *out)
{
    const char *end = s + len;
    unsigned flags = 0;

    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        size_t n = (size_t)((comma != NULL ? comma : end) - s);
        unsigned bit = flag_bit(s, n);

        if (bit == 0 || (flags & bit))
            return -1; /* unknown, repeated or empty flag */
        flags |= bit;
        s += n;
        if (s < end && ++s == end)
            return -1; /* trailing comma */
    }
    *out = flags;
    return 0;
}

/* Interpret value text (decoded, or raw text that decodes to itself) into
 * rec; 0 done, -1 not a valid value of its kind.  FK_TEXT is not handled
 * here: the caller knows whether it is decoded. */
static int interpret(struct pwr_record *rec, const struct field *f,
                     const char *val, size_t len)
{
    void *p = (char *)rec + f->off;

    switch (f->kind) {
    case FK_STATUS:
        return parse_status(val, len, &rec->status);
    case FK_FLAGS:
        return pwr_flags_parse(val, len, &rec->flags);
    case FK_TIME:
        return parse_time(val, len, p);
    case FK_COUNT:
        return parse_count(val, len, p);
    case FK_TEXT:
        break;
    }
    return -1;
}

/* The fast path: 0 if the raw value is valid and now stored in rec, -1 if
 * not (rec may then hold part of it).  The digits, lower-case names and
 * commas of valid numbers, statuses and flags are never percent-encoded,
 * so raw text that interprets is exactly what decoding would have given. */
static int set_raw(struct pwr_record *rec, const struct field *f,
                   const char *raw, size_t len)
{
    if (f->kind == FK_TEXT)
        return pwr_decode(raw, len, (char *)rec + f->off, f->size) < 0 ? -1
                                                                      : 0;
    return interpret(rec, f, raw, len);
}

/* Store one decoded value (NUL-terminated, dlen bytes), or say what is
 * wrong with it. */
static int set_value(struct pwr_record *rec, const struct field *f,
                     const char *val, size_t dlen, struct pwr_err *err)
{
    switch (f->kind) {
    case FK_STATUS:
        if (interpret(rec, f, val, dlen) < 0)
            return pwr_fail(err, PWR_E_STORE, "bad value for key 'status'");
        return 0;
    case FK_FLAGS:
        if (interpret(rec, f, val, dlen) < 0)
            return pwr_fail(err, PWR_E_STORE, "bad value for key 'flags'");
        return 0;
    case FK_TEXT:
        if (dlen >= f->size)
            return pwr_fail(err, PWR_E_STORE, "value of key '%s' too long",
                            f->key);
        memcpy((char *)rec + f->off, val, dlen + 1);
        return 0;
    case FK_TIME:
    case FK_COUNT:
        if (interpret(rec, f, val, dlen) < 0)
            return pwr_fail(err, PWR_E_STORE, "bad number for key '%s'", f->key);
        return 0;
    }
    return pwr_fail(err, PWR_E_INTERNAL, "bad field table");
}

/* The slow path, for a value the fast path refused: decode into a scratch
 * buffer, then interpret, saying what is wrong.  Kept out of line so its
 * large buffer is not on the stack of every field. */
static __attribute__((noinline)) int
set_decoded(struct pwr_record *rec, const struct field *f, const char *raw,
            size_t len, struct pwr_err *err)
{
    char val[PWR_RECORD_LINE_MAX];
    ssize_t dlen = pwr_decode(raw, len, val, sizeof(val));
    int rc;

    if (dlen < 0) {
        sodium_memzero(val, sizeof(val)); /* may hold a partial decode */
        return pwr_fail(err, PWR_E_STORE, "bad encoding in key '%s'", f->key);
    }
    rc = set_value(rec, f, val, (size_t)dlen, err);
    sodium_memzero(val, (size_t)dlen + 1);
    return rc;
}

/* Describe an unknown key without echoing raw bytes from the file. */
static int unknown_key(const char *key, size_t len, struct pwr_err *err)
{
    char shown[64];

    if (len > 16 || pwr_encode(key, len, shown, sizeof(shown)) < 0)
        return pwr_fail(err, PWR_E_STORE, "unknown key (%zu bytes)", len);
    return pwr_fail(err, PWR_E_STORE, "unknown key '%s'", shown);
}

/* Which keys a line has had so far, and where the next one likely is. */
struct seen {
    unsigned bits;
    size_t next;
};

/* One "key=value" field of len bytes. */
static int parse_field(struct pwr_record *rec, const char *s, size_t len,
                       struct seen *seen, struct pwr_err *err)
{
    const char *eq = find_eq(s, len);
    const struct field *f;
    size_t klen;
    unsigned bit;

    if (len == 0)
        return pwr_fail(err, PWR_E_STORE, "empty field (stray space)");
    if (eq == NULL)
        return pwr_fail(err, PWR_E_STORE, "field without '='");
    klen = (size_t)(eq - s);
    f = find_field(s, klen, seen->next);
    if (f == NULL)
        return unknown_key(s, klen, err);
    bit = 1u << (f - fields);
    if (seen->bits & bit)
        return pwr_fail(err, PWR_E_STORE, "duplicate key '%s'", f->key);
    seen->bits |= bit;
    seen->next = (size_t)(f - fields) + 1;
    if (set_raw(rec, f, eq + 1, len - klen - 1) == 0)
        return 0;
    if (f->kind == FK_TEXT) /* drop the fast path's partial decode */
        sodium_memzero((char *)rec + f->off, f->size);
    return set_decoded(rec, f, eq + 1, len - klen - 1, err);
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
    struct seen seen = { 0, 0 };

    while (p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *stop = sp ? sp : end;

        if (parse_field(rec, p, (size_t)(stop - p), &seen, err) < 0)
            return -1;
        if (sp != NULL && sp + 1 == end)
            return pwr_fail(err, PWR_E_STORE, "trailing space");
        p = stop + (sp != NULL);
    }
    if (!(seen.bits & 1u)) /* fields[0] is status, which is always written */
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
