/* pwr_config.c - /etc/security/pwreset.conf and module arguments, parsed
 * through one table of keys (pwr_config.h; documented in pwreset.conf(5)).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The config decides where the store is and who may manage whom, so it is
 * read with the care of a privileged file.  This file MUST:
 *  - open it with pwr_open_safely: a regular file, never through a symlink,
 *    at most CONFIG_FILE_MAX bytes, and when we run as root owned by root
 *    and not writable by group or others;
 *  - accept only blank lines, '#' comments and "key = value" lines naming a
 *    key of the table below, each key at most once per file;
 *  - reject a NUL byte, an over-long line, a value that is not UTF-8 or
 *    holds a control character, and any value its key's type refuses;
 *  - report every error as "FILE:LINE: what (key 'name')" (or "option: ..."
 *    for pwr_config_set), and leave cfg untouched when it fails.
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pwr_config.h"

#ifndef PWR_STORE_PATH
#define PWR_STORE_PATH "/var/lib/pwreset/store"
#endif

#define CONFIG_FILE_MAX (64 * 1024)
#define CONFIG_LINE_MAX 4096
#define CONFIG_KEY_MAX 64
#define MINUTE 60
#define DAY 86400

enum key_type {
    KT_PATH,       /* absolute path */
    KT_PATH_OPT,   /* absolute path, or "" for off */
    KT_NAME,       /* group or login name, or "" for none */
    KT_LOGIN_LIST, /* login names separated by commas and/or spaces */
    KT_PATH_LIST,  /* absolute paths separated by commas and/or spaces */
    KT_UINT,       /* decimal number in [min, max] */
    KT_MSEC,       /* milliseconds in [min, max] */
    KT_DURATION,   /* pwr_parse_duration in [min, max], or 0 if zero_ok */
    KT_HASH,       /* pwr_hash_method_parse */
    KT_TEXT,       /* free UTF-8 text, not empty */
    KT_BOOL,       /* yes/no, true/false, on/off, 1/0 */
    KT_TEXT_OPT,   /* free UTF-8 text, or "" for none */
    KT_BACKEND,    /* file or ldap */
};

enum key_id {
    K_STORE, K_ADMIN_GROUP, K_PROTECTED_USERS, K_MIN_LENGTH, K_MAX_LENGTH,
    K_BLOCKLIST, K_BREACHED_LIST, K_HASH, K_HASH_COST, K_RESET_CODE_TTL,
    K_RESET_CODE_MAX_ATTEMPTS, K_TEMPORARY_PASSWORD_TTL, K_FAIL_DELAY,
    K_LOCK_TIMEOUT, K_AUDIT_SOCKET, K_CONTACT,
    K_GRACE_LOGINS, K_EXEMPT_SERVICES, K_BREACH_CHECK_AT_LOGIN,
    K_HISTORY, K_MAX_AGE, K_WARN_AGE, K_NOTIFY_MAIL, K_MAIL_FROM, K_SENDMAIL,
    K_SENDMAIL_TIMEOUT,
    K_PROTECTED_GROUPS, K_LOGIN_DEFS,
    K_BACKEND, K_LDAP_URI, K_LDAP_BASE, K_LDAP_BIND_DN, K_LDAP_BIND_PW,
    K_LDAP_ADMIN_DN, K_LDAP_ADMIN_PW, K_LDAP_CA_FILE, K_LDAP_STARTTLS,
    K_LDAP_TIMEOUT,
    K_COUNT
};

struct key_def {
    const char *name;
    enum key_type type;
    size_t off;       /* the member of struct pwr_config */
    size_t size;      /* its size; for lists, the size of one entry */
    size_t max_items; /* lists: capacity */
    size_t count_off; /* lists: the size_t member counting entries */
    unsigned long min, max;
    int zero_ok;      /* durations: 0 means "none" */
    const char *def;  /* default, as it would be written in the file */
};

#define MEMBER(m) (((struct pwr_config *)0)->m)
#define FIELD(m) .off = offsetof(struct pwr_config, m), .size = sizeof(MEMBER(m))
#define LIST(m, n)                                                           \
    .off = offsetof(struct pwr_config, m), .size = sizeof(MEMBER(m)[0]),     \
    .max_items = PWR_ARRAY_SIZE(MEMBER(m)),                                  \
    .count_off = offsetof(struct pwr_config, n)

/* The one table: every key, its type, where it goes, its range, its default.
 * hash_cost's range here is the union of both methods; finish() checks it
 * against the method in force once everything is read. */
static const struct key_def keys[K_COUNT] = {
    [K_STORE] = { .name = "store", .type = KT_PATH, FIELD(store),
                  .def = PWR_STORE_PATH },
    [K_ADMIN_GROUP] = { .name = "admin_group", .type = KT_NAME,
                        FIELD(admin_group), .def = "" },
    [K_PROTECTED_USERS] = { .name = "protected_users", .type = KT_LOGIN_LIST,
                            LIST(protected_users, n_protected), .def = "" },
    [K_MIN_LENGTH] = { .name = "min_length", .type = KT_UINT,
                       FIELD(min_length), .min = 1, .max = 4096, .def = "12" },
    [K_MAX_LENGTH] = { .name = "max_length", .type = KT_UINT,
                       FIELD(max_length), .min = 256, .max = 65536,
                       .def = "256" },
    [K_BLOCKLIST] = { .name = "blocklist", .type = KT_PATH_LIST,
                      LIST(blocklist, n_blocklist), .def = "" },
    [K_BREACHED_LIST] = { .name = "breached_list", .type = KT_PATH_OPT,
                          FIELD(breached_list), .def = "" },
    [K_HASH] = { .name = "hash", .type = KT_HASH, FIELD(hash.method),
                 .def = "yescrypt" },
    [K_HASH_COST] = { .name = "hash_cost", .type = KT_UINT,
                      FIELD(hash.cost), .min = 1, .max = 11, .def = "5" },
    [K_RESET_CODE_TTL] = { .name = "reset_code_ttl", .type = KT_DURATION,
                           FIELD(reset_code_ttl), .min = PWR_TTL_MIN,
                           .max = PWR_TTL_CODE_MAX, .def = "60m" },
    [K_RESET_CODE_MAX_ATTEMPTS] = { .name = "reset_code_max_attempts",
                                    .type = KT_UINT,
                                    FIELD(reset_code_max_attempts), .min = 1,
                                    .max = 100, .def = "5" },
    [K_TEMPORARY_PASSWORD_TTL] = { .name = "temporary_password_ttl",
                                   .type = KT_DURATION,
                                   FIELD(temporary_password_ttl),
                                   .min = PWR_TTL_MIN,
                                   .max = PWR_TTL_TEMPORARY_MAX,
                                   .zero_ok = 1, .def = "0" },
    [K_FAIL_DELAY] = { .name = "fail_delay", .type = KT_MSEC,
                       FIELD(fail_delay_ms), .min = 0, .max = 60000,
                       .def = "2000" },
    [K_LOCK_TIMEOUT] = { .name = "lock_timeout", .type = KT_MSEC,
                         FIELD(lock_timeout_ms), .min = 100, .max = 600000,
                         .def = "10000" },
    [K_AUDIT_SOCKET] = { .name = "audit_socket", .type = KT_PATH,
                         FIELD(audit_socket), .def = "/dev/log" },
    [K_CONTACT] = { .name = "contact", .type = KT_TEXT, FIELD(contact),
                    .def = "your administrator" },
    [K_GRACE_LOGINS] = { .name = "grace_logins", .type = KT_UINT,
                         FIELD(grace_logins), .min = 0, .max = 1000,
                         .def = "0" },
    [K_EXEMPT_SERVICES] = { .name = "exempt_services", .type = KT_LOGIN_LIST,
                            LIST(exempt_services, n_exempt), .def = "" },
    [K_BREACH_CHECK_AT_LOGIN] = { .name = "breach_check_at_login",
                                  .type = KT_BOOL,
                                  FIELD(breach_check_at_login), .def = "no" },
    /* issue 9 */
    [K_HISTORY] = { .name = "history", .type = KT_UINT, FIELD(history),
                    .min = 0, .max = PWR_HISTORY_MAX, .def = "0" },
    [K_MAX_AGE] = { .name = "max_age", .type = KT_DURATION, FIELD(max_age),
                    .min = DAY, .max = 3650 * DAY, .zero_ok = 1, .def = "0" },
    [K_WARN_AGE] = { .name = "warn_age", .type = KT_DURATION, FIELD(warn_age),
                     .min = DAY, .max = 365 * DAY, .zero_ok = 1, .def = "0" },
    [K_NOTIFY_MAIL] = { .name = "notify_mail", .type = KT_BOOL,
                        FIELD(notify_mail), .def = "no" },
    [K_MAIL_FROM] = { .name = "mail_from", .type = KT_TEXT, FIELD(mail_from),
                      .def = "root" },
    [K_SENDMAIL] = { .name = "sendmail", .type = KT_PATH, FIELD(sendmail),
                     .def = "/usr/sbin/sendmail" },
    [K_SENDMAIL_TIMEOUT] = { .name = "sendmail_timeout", .type = KT_MSEC,
                             FIELD(sendmail_timeout_ms), .min = 100,
                             .max = 600000, .def = "10000" },
    /* issue 14 */
    [K_PROTECTED_GROUPS] = { .name = "protected_groups",
                             .type = KT_LOGIN_LIST,
                             LIST(protected_groups, n_protected_groups),
                             .def = "root sudo wheel adm admin shadow disk "
                                    "docker lxd libvirt" },
    [K_LOGIN_DEFS] = { .name = "login_defs", .type = KT_PATH,
                       FIELD(login_defs), .def = "/etc/login.defs" },
    /* the directory backend (docs/FLEET.md) */
    [K_BACKEND] = { .name = "backend", .type = KT_BACKEND, FIELD(backend),
                    .def = "file" },
    [K_LDAP_URI] = { .name = "ldap_uri", .type = KT_TEXT_OPT,
                     FIELD(ldap_uri), .def = "" },
    [K_LDAP_BASE] = { .name = "ldap_base", .type = KT_TEXT_OPT,
                      FIELD(ldap_base), .def = "" },
    [K_LDAP_BIND_DN] = { .name = "ldap_bind_dn", .type = KT_TEXT_OPT,
                         FIELD(ldap_bind_dn), .def = "" },
    [K_LDAP_BIND_PW] = { .name = "ldap_bind_password_file",
                         .type = KT_PATH_OPT,
                         FIELD(ldap_bind_password_file), .def = "" },
    [K_LDAP_ADMIN_DN] = { .name = "ldap_admin_dn", .type = KT_TEXT_OPT,
                          FIELD(ldap_admin_dn), .def = "" },
    [K_LDAP_ADMIN_PW] = { .name = "ldap_admin_password_file",
                          .type = KT_PATH_OPT,
                          FIELD(ldap_admin_password_file), .def = "" },
    [K_LDAP_CA_FILE] = { .name = "ldap_ca_file", .type = KT_PATH_OPT,
                         FIELD(ldap_ca_file), .def = "" },
    [K_LDAP_STARTTLS] = { .name = "ldap_starttls", .type = KT_BOOL,
                          FIELD(ldap_starttls), .def = "no" },
    [K_LDAP_TIMEOUT] = { .name = "ldap_timeout", .type = KT_DURATION,
                         FIELD(ldap_timeout), .min = 1, .max = 600,
                         .def = "5s" },
};

/* Where a value came from, for error messages: file NULL = pwr_config_set. */
struct where {
    const char *file;
    unsigned line;
};

static void *field(struct pwr_config *cfg, const struct key_def *k)
{
    return (char *)cfg + k->off;
}

/* Copy s for an error message, keeping it printable and short: a bad key may
 * hold any byte, and the message may end up on a terminal or in syslog. */
static void sanitize(const char *s, char *out, size_t outsz)
{
    size_t i;

    for (i = 0; s[i] != '\0' && i + 1 < outsz; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c > 0x20 && c < 0x7f && c != '\'') ? (char)c : '?';
    }
    out[i] = '\0';
}

static int cfg_fail(struct pwr_err *err, const struct where *w,
                    const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int cfg_fail(struct pwr_err *err, const struct where *w,
                    const char *key, const char *fmt, ...)
{
    char what[sizeof(err->msg)];
    char where[PWR_PATH_MAX + 16];
    char k[41];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (w->file == NULL)
        snprintf(where, sizeof(where), "option");
    else if (w->line == 0)
        snprintf(where, sizeof(where), "%s", w->file);
    else
        snprintf(where, sizeof(where), "%s:%u", w->file, w->line);
    if (key == NULL)
        return pwr_fail(err, PWR_E_CONFIG, "%s: %s", where, what);
    sanitize(key, k, sizeof(k));
    return pwr_fail(err, PWR_E_CONFIG, "%s: %s (key '%s')", where, what, k);
}

/* ---- value types ------------------------------------------------------- */

static int parse_path(const struct key_def *k, const char *v,
                      struct pwr_config *cfg, struct pwr_err *e)
{
    if (*v == '\0' && k->type == KT_PATH_OPT) {
        *(char *)field(cfg, k) = '\0';
        return 0;
    }
    if (*v != '/')
        return pwr_fail(e, PWR_E_CONFIG, "'%s' is not an absolute path", v);
    if (pwr_strlcpy(field(cfg, k), v, k->size) < 0)
        return pwr_fail(e, PWR_E_CONFIG, "path too long (at most %zu bytes)",
                        k->size - 1);
    return 0;
}

static int parse_name(const struct key_def *k, const char *v,
                      struct pwr_config *cfg, struct pwr_err *e)
{
    if (*v != '\0' && !pwr_login_valid(v))
        return pwr_fail(e, PWR_E_CONFIG, "'%s' is not a valid name", v);
    if (pwr_strlcpy(field(cfg, k), v, k->size) < 0)
        return pwr_fail(e, PWR_E_CONFIG, "name too long");
    return 0;
}

static int is_list_sep(char c)
{
    return c == ',' || c == ' ';
}

/* Next item of a comma/space separated list into out: 1 item, 0 end,
 * -1 item longer than outsz - 1. */
static int next_item(const char **p, char *out, size_t outsz)
{
    const char *s = *p;
    size_t n = 0;

    while (is_list_sep(*s))
        s++;
    if (*s == '\0')
        return 0;
    while (s[n] != '\0' && !is_list_sep(s[n]))
        n++;
    *p = s + n;
    if (n >= outsz)
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 1;
}

static int parse_list(const struct key_def *k, const char *v,
                      struct pwr_config *cfg, struct pwr_err *e)
{
    char item[PWR_PATH_MAX];
    char *base = field(cfg, k);
    size_t *count = (size_t *)(void *)((char *)cfg + k->count_off);
    size_t n = 0;
    int rc;

    while ((rc = next_item(&v, item, k->size)) == 1) {
        if (n == k->max_items)
            return pwr_fail(e, PWR_E_CONFIG, "too many entries (at most %zu)",
                            k->max_items);
        if (k->type == KT_LOGIN_LIST && !pwr_login_valid(item))
            return pwr_fail(e, PWR_E_CONFIG, "'%s' is not a valid login",
                            item);
        if (k->type == KT_PATH_LIST && item[0] != '/')
            return pwr_fail(e, PWR_E_CONFIG, "'%s' is not an absolute path",
                            item);
        memcpy(base + n * k->size, item, strlen(item) + 1);
        n++;
    }
    if (rc < 0)
        return pwr_fail(e, PWR_E_CONFIG, "entry too long (at most %zu bytes)",
                        k->size - 1);
    *count = n;
    return 0;
}

static int parse_number(const struct key_def *k, const char *v,
                        struct pwr_config *cfg, struct pwr_err *e)
{
    unsigned long n;

    if (pwr_parse_uint(v, k->min, k->max, &n, e) < 0)
        return -1;
    *(unsigned *)field(cfg, k) = (unsigned)n;
    return 0;
}

static int parse_duration(const struct key_def *k, const char *v,
                          struct pwr_config *cfg, struct pwr_err *e)
{
    char lo[32], hi[32];
    int64_t secs;

    if (pwr_parse_duration(v, &secs, e) < 0)
        return -1;
    if (!(secs == 0 && k->zero_ok) &&
        (secs < (int64_t)k->min || secs > (int64_t)k->max)) {
        pwr_format_duration((int64_t)k->min, lo, sizeof(lo));
        pwr_format_duration((int64_t)k->max, hi, sizeof(hi));
        return pwr_fail(e, PWR_E_CONFIG, "'%s' is out of range (%s..%s%s)", v,
                        lo, hi, k->zero_ok ? ", or 0 for none" : "");
    }
    *(int64_t *)field(cfg, k) = secs;
    return 0;
}

static int parse_hash(const struct key_def *k, const char *v,
                      struct pwr_config *cfg, struct pwr_err *e)
{
    enum pwr_hash_method m;

    if (pwr_hash_method_parse(v, &m) < 0)
        return pwr_fail(e, PWR_E_CONFIG,
                        "unknown hash method '%s' (yescrypt or argon2id)", v);
    *(enum pwr_hash_method *)field(cfg, k) = m;
    return 0;
}

static int parse_text(const struct key_def *k, const char *v,
                      struct pwr_config *cfg, struct pwr_err *e)
{
    if (*v == '\0' && k->type != KT_TEXT_OPT)
        return pwr_fail(e, PWR_E_CONFIG, "empty value");
    if (pwr_strlcpy(field(cfg, k), v, k->size) < 0)
        return pwr_fail(e, PWR_E_CONFIG, "text too long (at most %zu bytes)",
                        k->size - 1);
    return 0;
}

static int parse_bool(const struct key_def *k, const char *v,
                      struct pwr_config *cfg, struct pwr_err *e)
{
    static const char *const yes[] = { "yes", "true", "on", "1" };
    static const char *const no[] = { "no", "false", "off", "0" };
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(yes); i++) {
        if (strcmp(v, yes[i]) == 0 || strcmp(v, no[i]) == 0) {
            *(unsigned *)field(cfg, k) = strcmp(v, yes[i]) == 0;
            return 0;
        }
    }
    return pwr_fail(e, PWR_E_CONFIG, "'%s' is not yes or no", v);
}

static int parse_backend(const struct key_def *k, const char *v,
                         struct pwr_config *cfg, struct pwr_err *e)
{
    if (strcmp(v, "file") == 0)
        *(unsigned *)field(cfg, k) = PWR_BACKEND_FILE;
    else if (strcmp(v, "ldap") == 0)
        *(unsigned *)field(cfg, k) = PWR_BACKEND_LDAP;
    else
        return pwr_fail(e, PWR_E_CONFIG, "'%s' is not file or ldap", v);
    return 0;
}

typedef int (*parse_fn)(const struct key_def *, const char *,
                        struct pwr_config *, struct pwr_err *);

static const parse_fn parsers[] = {
    [KT_PATH] = parse_path,        [KT_PATH_OPT] = parse_path,
    [KT_NAME] = parse_name,        [KT_LOGIN_LIST] = parse_list,
    [KT_PATH_LIST] = parse_list,   [KT_UINT] = parse_number,
    [KT_MSEC] = parse_number,      [KT_DURATION] = parse_duration,
    [KT_HASH] = parse_hash,        [KT_TEXT] = parse_text,
    [KT_BOOL] = parse_bool,        [KT_TEXT_OPT] = parse_text,
    [KT_BACKEND] = parse_backend,
};

/* Values end up in paths, terminal messages and syslog: whatever the key,
 * they must be UTF-8 without control characters. */
static int check_text(const char *v, struct pwr_err *e)
{
    size_t len = strlen(v), i;

    if (!pwr_utf8_valid(v, len, NULL))
        return pwr_fail(e, PWR_E_CONFIG, "value is not valid UTF-8");
    for (i = 0; i < len; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return pwr_fail(e, PWR_E_CONFIG,
                            "control character in value (byte %zu)", i + 1);
    return 0;
}

static int apply(struct pwr_config *cfg, enum key_id id, const char *value,
                 const struct where *w, struct pwr_err *err)
{
    const struct key_def *k = &keys[id];
    struct pwr_err inner;

    pwr_err_clear(&inner);
    if (check_text(value, &inner) < 0 ||
        parsers[k->type](k, value, cfg, &inner) < 0)
        return cfg_fail(err, w, k->name, "%s", inner.msg);
    return 0;
}

static int find_key(const char *name)
{
    size_t i;

    for (i = 0; i < K_COUNT; i++)
        if (strcmp(keys[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- checks across keys ------------------------------------------------- */

static void cost_range(enum pwr_hash_method m, unsigned *lo, unsigned *hi,
                       unsigned *def)
{
    *lo = 1;
    *hi = (m == PWR_HASH_ARGON2ID) ? 10 : 11;
    *def = (m == PWR_HASH_ARGON2ID) ? 2 : 5;
}

/* Run once everything is read.  seen[] holds the line (or 1 for an option)
 * that set each key; old_method is the method in force before.  A new
 * method without an explicit hash_cost takes that method's default cost. */
static int finish(struct pwr_config *cfg, const char *file,
                  const unsigned *seen, enum pwr_hash_method old_method,
                  struct pwr_err *err)
{
    unsigned lo, hi, def;
    struct where w = { file, 0 };

    cost_range(cfg->hash.method, &lo, &hi, &def);
    if (cfg->hash.method != old_method && !seen[K_HASH_COST])
        cfg->hash.cost = def;
    if (cfg->hash.cost < lo || cfg->hash.cost > hi) {
        enum key_id id = seen[K_HASH_COST] ? K_HASH_COST : K_HASH;

        w.line = seen[id];
        return cfg_fail(err, &w, keys[id].name,
                        "hash_cost %u is out of range for %s (%u..%u)",
                        cfg->hash.cost,
                        pwr_hash_method_name(cfg->hash.method), lo, hi);
    }
    if (cfg->min_length > cfg->max_length) {
        enum key_id id = seen[K_MIN_LENGTH] ? K_MIN_LENGTH : K_MAX_LENGTH;

        w.line = seen[id];
        return cfg_fail(err, &w, keys[id].name,
                        "min_length %u is greater than max_length %u",
                        cfg->min_length, cfg->max_length);
    }
    return 0;
}

/* ---- file syntax -------------------------------------------------------- */

static int is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && is_ws(s[i]))
        i++;
    return i;
}

/* A double-quoted value starting at s[i] == '"': \" and \\ are the only
 * escapes; after the closing quote only blanks and a comment may follow. */
static int unquote(const char *s, size_t n, size_t i, char *out,
                   const struct where *w, const char *key,
                   struct pwr_err *err)
{
    size_t o = 0;

    for (i++; i < n && s[i] != '"'; i++) {
        if (s[i] == '\\') {
            if (i + 1 == n || (s[i + 1] != '"' && s[i + 1] != '\\'))
                return cfg_fail(err, w, key,
                                "bad escape in quoted value (only \\\" and "
                                "\\\\)");
            i++;
        }
        out[o++] = s[i];
    }
    if (i == n)
        return cfg_fail(err, w, key, "missing closing quote");
    out[o] = '\0';
    i = skip_ws(s, n, i + 1);
    if (i < n && s[i] != '#')
        return cfg_fail(err, w, key, "text after closing quote");
    return 0;
}

/* The value after '=' (s[i..n)) into out, which holds at least n - i + 1
 * bytes.  An unquoted value ends at a '#' that starts it or follows a
 * blank, and loses trailing blanks. */
static int read_value(const char *s, size_t n, size_t i, char *out,
                      const struct where *w, const char *key,
                      struct pwr_err *err)
{
    size_t end;

    i = skip_ws(s, n, i);
    if (i < n && s[i] == '"')
        return unquote(s, n, i, out, w, key, err);
    for (end = i; end < n; end++)
        if (s[end] == '#' && (end == i || is_ws(s[end - 1])))
            break;
    while (end > i && is_ws(s[end - 1]))
        end--;
    memcpy(out, s + i, end - i);
    out[end - i] = '\0';
    return 0;
}

/* One line (without its newline) into key and value.  Returns 1 for a
 * setting, 0 for a blank or comment line, -1 on error. */
static int split_line(const char *s, size_t n, char *key, char *value,
                      const struct where *w, struct pwr_err *err)
{
    size_t i = skip_ws(s, n, 0), k0;

    if (i == n || s[i] == '#')
        return 0;
    for (k0 = i; i < n && !is_ws(s[i]) && s[i] != '='; i++)
        ;
    if (i == k0)
        return cfg_fail(err, w, NULL, "empty key before '='");
    if (i - k0 >= CONFIG_KEY_MAX)
        return cfg_fail(err, w, NULL, "key too long");
    memcpy(key, s + k0, i - k0);
    key[i - k0] = '\0';
    i = skip_ws(s, n, i);
    if (i == n || s[i] != '=')
        return cfg_fail(err, w, key, "missing '=' after key");
    if (read_value(s, n, i + 1, value, w, key, err) < 0)
        return -1;
    return 1;
}

static int parse_line(struct pwr_config *cfg, const char *s, size_t n,
                      const struct where *w, unsigned *seen, char *key,
                      struct pwr_err *err)
{
    char value[CONFIG_LINE_MAX + 1];
    int rc, id;

    key[0] = '\0';

    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (memchr(s, '\0', n) != NULL)
        return cfg_fail(err, w, NULL, "NUL byte in line");
    if (n > CONFIG_LINE_MAX)
        return cfg_fail(err, w, NULL, "line too long (more than %d bytes)",
                        CONFIG_LINE_MAX);
    rc = split_line(s, n, key, value, w, err);
    if (rc <= 0)
        return rc;
    id = find_key(key);
    if (id < 0)
        return cfg_fail(err, w, key, "unknown key");
    if (seen[id] != 0)
        return cfg_fail(err, w, key, "repeated key (first set on line %u)",
                        seen[id]);
    seen[id] = w->line;
    return apply(cfg, (enum key_id)id, value, w, err);
}

/* ---- the lenient reading of pam_pwreset (issue 13 section 2) ------------ */

/* Levenshtein distance of a and b, capped at 3 (short keys only). */
static unsigned distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    unsigned row[CONFIG_KEY_MAX + 1];

    if (la >= CONFIG_KEY_MAX || lb >= CONFIG_KEY_MAX)
        return 3;
    for (j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (i = 1; i <= la; i++) {
        unsigned diag = row[0];

        row[0] = (unsigned)i;
        for (j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned best = diag + (a[i - 1] != b[j - 1]);

            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb] < 3 ? row[lb] : 3;
}

/* A failed line may have been meant to say where the store is: it sets
 * "store", names a key close to it ("stroe", "stores"), or its key could
 * not even be read. */
static int store_line(const char *key)
{
    return key[0] == '\0' || distance(key, keys[K_STORE].name) <= 2;
}

static void lenient_note(struct pwr_config_lenient *len, const char *key,
                         const struct pwr_err *problem)
{
    len->problems++;
    if (len->report != NULL)
        len->report(len->arg, problem);
    if (key != NULL && store_line(key) && !len->store_bad) {
        len->store_bad = 1;
        len->store_problem = *problem;
    }
}

/* Cross-key problems in lenient mode: report, then the defaults. */
static void finish_lenient(struct pwr_config *cfg, const char *file,
                           const unsigned *seen, enum pwr_hash_method old,
                           struct pwr_config_lenient *len)
{
    struct pwr_err e;
    unsigned lo, hi, def;

    while (finish(cfg, file, seen, old, &e) < 0) {
        lenient_note(len, NULL, &e);
        cost_range(cfg->hash.method, &lo, &hi, &def);
        if (cfg->hash.cost < lo || cfg->hash.cost > hi)
            cfg->hash.cost = def;
        else
            cfg->min_length = 12; /* min_length > max_length (>= 256) */
    }
}

static int parse_buffer(struct pwr_config *cfg, const char *file,
                        const char *buf, size_t len,
                        struct pwr_config_lenient *lenient,
                        struct pwr_err *err)
{
    unsigned seen[K_COUNT] = { 0 };
    enum pwr_hash_method old_method = cfg->hash.method;
    struct where w = { file, 0 };
    char key[CONFIG_KEY_MAX];
    size_t pos = 0;

    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - buf) : len;

        w.line++;
        if (parse_line(cfg, buf + pos, end - pos, &w, seen, key, err) < 0) {
            if (lenient == NULL)
                return -1;
            lenient_note(lenient, key, err);
            pwr_err_clear(err);
        }
        pos = end + 1;
    }
    if (lenient == NULL)
        return finish(cfg, file, seen, old_method, err);
    finish_lenient(cfg, file, seen, old_method, lenient);
    return 0;
}

/* ---- public ------------------------------------------------------------- */

void pwr_config_defaults(struct pwr_config *cfg)
{
    struct pwr_err ignored;
    struct where w = { "(defaults)", 0 };
    size_t i;

    memset(cfg, 0, sizeof(*cfg));
    for (i = 0; i < K_COUNT; i++) {
        /* Cannot fail for the shipped table (the unit tests prove it); a bad
         * configure-time store path leaves store empty, which every store
         * open refuses, so we still fail closed. */
        if (apply(cfg, (enum key_id)i, keys[i].def, &w, &ignored) < 0)
            memset(field(cfg, &keys[i]), 0, keys[i].size);
    }
}

/* Open and read path; 1 if it does not exist and need not.  relaxed: skip
 * the owner and mode rules (the lenient reading looks at an unsafe file
 * to learn what it can, and says so). */
static int read_file(const char *path, int must_exist, int relaxed,
                     char **buf, size_t *len, struct pwr_err *err)
{
    struct pwr_file_rules rules = { 0 };
    struct pwr_err e;
    int fd, rc;

    rules.must_exist = must_exist;
    rules.owner_root = !relaxed;
    rules.owner_uid_any = relaxed;
    rules.forbid_mode = geteuid() == 0 && !relaxed ? 022 : 0;
    rules.max_size = CONFIG_FILE_MAX;
    pwr_err_clear(&e);
    fd = pwr_open_safely(path, O_RDONLY, 0, &rules, &e);
    if (fd < 0) {
        if (e.code == PWR_E_NOENT && !must_exist)
            return 1;
        return pwr_fail(err, PWR_E_CONFIG, "%s", e.msg);
    }
    rc = pwr_read_fd(fd, CONFIG_FILE_MAX, buf, len, &e);
    close(fd);
    if (rc < 0)
        return pwr_fail(err, PWR_E_CONFIG, "%s", e.msg);
    return 0;
}

static int load(struct pwr_config *cfg, const char *path, int must_exist,
                struct pwr_config_lenient *lenient, struct pwr_err *err)
{
    struct pwr_config *tmp;
    char *buf = NULL;
    size_t len = 0;
    int rc;

    rc = read_file(path, must_exist, 0, &buf, &len, err);
    if (rc < 0 && lenient != NULL &&
        read_file(path, must_exist, 1, &buf, &len, &lenient->unsafe_problem)
            == 0) {
        lenient->unsafe = 1; /* readable, but others could have written it */
        lenient->unsafe_problem = *err;
        pwr_err_clear(err);
        rc = 0;
    }
    if (rc != 0)
        return rc > 0 ? 0 : -1;
    tmp = malloc(sizeof(*tmp));
    if (tmp == NULL) {
        free(buf);
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    }
    *tmp = *cfg;
    rc = parse_buffer(tmp, path, buf, len, lenient, err);
    if (rc == 0)
        *cfg = *tmp;
    free(tmp);
    free(buf);
    return rc;
}

int pwr_config_load(struct pwr_config *cfg, const char *path, int must_exist,
                    struct pwr_err *err)
{
    return load(cfg, path, must_exist, NULL, err);
}

int pwr_config_load_lenient(struct pwr_config *cfg, const char *path,
                            struct pwr_config_lenient *lenient,
                            struct pwr_err *err)
{
    struct pwr_config defaults = *cfg;

    lenient->problems = 0;
    lenient->store_bad = 0;
    lenient->unsafe = 0;
    pwr_err_clear(&lenient->store_problem);
    pwr_err_clear(&lenient->unsafe_problem);
    if (load(cfg, path, 0, lenient, err) < 0) {
        lenient->problems++;
        return -1; /* unreadable or unsafe: nothing in it can be trusted */
    }
    if (lenient->store_bad) {
        *cfg = defaults;
        *err = lenient->store_problem;
        return -1;
    }
    lenient->problems += (unsigned)lenient->unsafe;
    return 0;
}

/* value is taken literally (module arguments arrive already split): no
 * quotes, no comments.  The cross-key checks run at once, so every call
 * leaves a consistent configuration. */
int pwr_config_set(struct pwr_config *cfg, const char *key, const char *value,
                   struct pwr_err *err)
{
    unsigned seen[K_COUNT] = { 0 };
    struct where w = { NULL, 0 };
    struct pwr_config *tmp;
    int id, rc;

    id = key != NULL ? find_key(key) : -1;
    if (id < 0)
        return cfg_fail(err, &w, key != NULL ? key : "", "unknown key");
    if (value == NULL)
        return cfg_fail(err, &w, key, "missing value");
    tmp = malloc(sizeof(*tmp));
    if (tmp == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    *tmp = *cfg;
    seen[id] = 1;
    rc = apply(tmp, (enum key_id)id, value, &w, err);
    if (rc == 0)
        rc = finish(tmp, NULL, seen, cfg->hash.method, err);
    if (rc == 0)
        *cfg = *tmp;
    free(tmp);
    return rc;
}

int pwr_config_is_key(const char *key)
{
    return key != NULL && find_key(key) >= 0;
}

void pwr_config_policy(const struct pwr_config *cfg, struct pwr_policy *pol)
{
    size_t i;

    memset(pol, 0, sizeof(*pol));
    pol->min_length = cfg->min_length;
    pol->max_length = cfg->max_length;
    for (i = 0; i < cfg->n_blocklist && i < PWR_POLICY_MAX_LISTS; i++)
        pol->blocklists[i] = cfg->blocklist[i];
    pol->n_blocklists = i;
    pol->breached_list =
        cfg->breached_list[0] != '\0' ? cfg->breached_list : NULL;
}

int pwr_config_is_protected(const struct pwr_config *cfg, const char *login)
{
    size_t i;

    if (login == NULL)
        return 0;
    for (i = 0; i < cfg->n_protected && i < PWR_MAX_PROTECTED; i++)
        if (strcmp(cfg->protected_users[i], login) == 0)
            return 1;
    return 0;
}

int pwr_config_is_exempt(const struct pwr_config *cfg, const char *service)
{
    size_t i;

    if (service == NULL)
        return 0;
    for (i = 0; i < cfg->n_exempt && i < PWR_MAX_EXEMPT; i++)
        if (strcmp(cfg->exempt_services[i], service) == 0)
            return 1;
    return 0;
}
