/* pwr_config_value.c - the value checks of the config parser: each key
 * type's syntax and range (the table in pwr_config.c says which key has
 * which type), and the error messages naming file, line and key.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * A value MUST be UTF-8 without control characters whatever its key (it
 * ends up in paths, terminal messages and syslog), and then pass its type:
 * absolute paths, valid login names, numbers and durations inside the
 * key's range.  A refused value leaves the field as it was.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "pwr_config_keys.h"

static void *field(struct pwr_config *cfg, const struct pwr_cfg_key *k)
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

int pwr_cfg_fail(struct pwr_err *err, const struct pwr_cfg_where *w,
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

static int parse_path(const struct pwr_cfg_key *k, const char *v,
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

static int parse_name(const struct pwr_cfg_key *k, const char *v,
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

static int parse_list(const struct pwr_cfg_key *k, const char *v,
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

static int parse_number(const struct pwr_cfg_key *k, const char *v,
                        struct pwr_config *cfg, struct pwr_err *e)
{
    unsigned long n;

    if (pwr_parse_uint(v, k->min, k->max, &n, e) < 0)
        return -1;
    *(unsigned *)field(cfg, k) = (unsigned)n;
    return 0;
}

static int parse_duration(const struct pwr_cfg_key *k, const char *v,
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

static int parse_hash(const struct pwr_cfg_key *k, const char *v,
                      struct pwr_config *cfg, struct pwr_err *e)
{
    enum pwr_hash_method m;

    if (pwr_hash_method_parse(v, &m) < 0)
        return pwr_fail(e, PWR_E_CONFIG,
                        "unknown hash method '%s' (yescrypt or argon2id)", v);
    *(enum pwr_hash_method *)field(cfg, k) = m;
    return 0;
}

static int parse_text(const struct pwr_cfg_key *k, const char *v,
                      struct pwr_config *cfg, struct pwr_err *e)
{
    if (*v == '\0' && k->type != KT_TEXT_OPT)
        return pwr_fail(e, PWR_E_CONFIG, "empty value");
    if (pwr_strlcpy(field(cfg, k), v, k->size) < 0)
        return pwr_fail(e, PWR_E_CONFIG, "text too long (at most %zu bytes)",
                        k->size - 1);
    return 0;
}

static int parse_bool(const struct pwr_cfg_key *k, const char *v,
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

static int parse_backend(const struct pwr_cfg_key *k, const char *v,
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

typedef int (*parse_fn)(const struct pwr_cfg_key *, const char *,
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

int pwr_cfg_parse_value(const struct pwr_cfg_key *k, const char *v,
                        struct pwr_config *cfg, struct pwr_err *err)
{
    if (check_text(v, err) < 0)
        return -1;
    return parsers[k->type](k, v, cfg, err);
}
