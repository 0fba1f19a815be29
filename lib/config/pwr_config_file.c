/* pwr_config_file.c - reading /etc/security/pwreset.conf: the file's
 * safety, its line syntax, and the lenient reading of pam_pwreset (the key
 * table and the value checks are in pwr_config.c and pwr_config_value.c).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The config decides where the store is and who may manage whom, so it is
 * read with the care of a privileged file.  This file MUST:
 *  - open it with pwr_open_safely: a regular file, never through a symlink,
 *    at most CONFIG_FILE_MAX bytes, and when we run as root owned by root
 *    and not writable by group or others;
 *  - accept only blank lines, '#' comments and "key = value" lines naming a
 *    key of the table, each key at most once per file;
 *  - reject a NUL byte and an over-long line (the values' own checks are in
 *    pwr_config_value.c);
 *  - report every error as "FILE:LINE: what (key 'name')", and leave cfg
 *    untouched when it fails.
 */
#include "config.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pwr_config_keys.h"

#define CONFIG_FILE_MAX (64 * 1024)
#define CONFIG_LINE_MAX 4096
#define CONFIG_KEY_MAX 64

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
                   const struct pwr_cfg_where *w, const char *key,
                   struct pwr_err *err)
{
    size_t o = 0;

    for (i++; i < n && s[i] != '"'; i++) {
        if (s[i] == '\\') {
            if (i + 1 == n || (s[i + 1] != '"' && s[i + 1] != '\\'))
                return pwr_cfg_fail(err, w, key,
                                    "bad escape in quoted value (only "
                                    "\\\" and \\\\)");
            i++;
        }
        out[o++] = s[i];
    }
    if (i == n)
        return pwr_cfg_fail(err, w, key, "missing closing quote");
    out[o] = '\0';
    i = skip_ws(s, n, i + 1);
    if (i < n && s[i] != '#')
        return pwr_cfg_fail(err, w, key, "text after closing quote");
    return 0;
}

/* The value after '=' (s[i..n)) into out, which holds at least n - i + 1
 * bytes.  An unquoted value ends at a '#' that starts it or follows a
 * blank, and loses trailing blanks. */
static int read_value(const char *s, size_t n, size_t i, char *out,
                      const struct pwr_cfg_where *w, const char *key,
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
                      const struct pwr_cfg_where *w, struct pwr_err *err)
{
    size_t i = skip_ws(s, n, 0), k0;

    if (i == n || s[i] == '#')
        return 0;
    for (k0 = i; i < n && !is_ws(s[i]) && s[i] != '='; i++)
        ;
    if (i == k0)
        return pwr_cfg_fail(err, w, NULL, "empty key before '='");
    if (i - k0 >= CONFIG_KEY_MAX)
        return pwr_cfg_fail(err, w, NULL, "key too long");
    memcpy(key, s + k0, i - k0);
    key[i - k0] = '\0';
    i = skip_ws(s, n, i);
    if (i == n || s[i] != '=')
        return pwr_cfg_fail(err, w, key, "missing '=' after key");
    if (read_value(s, n, i + 1, value, w, key, err) < 0)
        return -1;
    return 1;
}

static int parse_line(struct pwr_config *cfg, const char *s, size_t n,
                      const struct pwr_cfg_where *w, unsigned *seen, char *key,
                      struct pwr_err *err)
{
    char value[CONFIG_LINE_MAX + 1];
    int rc, id;

    key[0] = '\0';

    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (memchr(s, '\0', n) != NULL)
        return pwr_cfg_fail(err, w, NULL, "NUL byte in line");
    if (n > CONFIG_LINE_MAX)
        return pwr_cfg_fail(err, w, NULL, "line too long (more than %d bytes)",
                            CONFIG_LINE_MAX);
    rc = split_line(s, n, key, value, w, err);
    if (rc <= 0)
        return rc;
    id = pwr_cfg_find_key(key);
    if (id < 0)
        return pwr_cfg_fail(err, w, key, "unknown key");
    if (seen[id] != 0)
        return pwr_cfg_fail(err, w, key, "repeated key (first set on line %u)",
                            seen[id]);
    seen[id] = w->line;
    return pwr_cfg_apply(cfg, id, value, w, err);
}

/* ---- the lenient reading of pam_pwreset --------------------------------- */

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
    return key[0] == '\0' || distance(key, PWR_CFG_STORE_KEY) <= 2;
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

    while (pwr_cfg_finish(cfg, file, seen, old, &e) < 0) {
        lenient_note(len, NULL, &e);
        pwr_cfg_repair(cfg);
    }
}

static int parse_buffer(struct pwr_config *cfg, const char *file,
                        const char *buf, size_t len,
                        struct pwr_config_lenient *lenient,
                        struct pwr_err *err)
{
    unsigned seen[PWR_CFG_KEYS_MAX] = { 0 };
    enum pwr_hash_method old_method = cfg->hash.method;
    struct pwr_cfg_where w = { file, 0 };
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
        return pwr_cfg_finish(cfg, file, seen, old_method, err);
    finish_lenient(cfg, file, seen, old_method, lenient);
    return 0;
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
