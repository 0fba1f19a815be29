/* pwr_policy.c - new-password policy (see pwr_policy.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Every rule runs on every value, so the user learns all problems at once.
 * Case-insensitive rules fold ASCII letters only: folding the rest of
 * Unicode would need a locale, and logins are ASCII anyway.
 *
 * Rules that need a decision:
 *  - length counts code points; if the value is not UTF-8 it counts bytes;
 *  - too long also when over 511 bytes: libxcrypt refuses longer phrases, so
 *    a longer password could never be hashed with yescrypt;
 *  - trivial is judged on the whole value: a repeated unit, a steady
 *    ascending or descending run (digits wrap 9->0 as on a keyboard row,
 *    letters do not wrap), a piece of a keyboard row or column, or fewer
 *    than 3 distinct characters;
 *  - a word list that cannot be read fails the check (fail closed).  Lines
 *    starting with '#' are comments, so a word starting with '#' cannot be
 *    listed.
 */
#include "config.h"

#include <crypt.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pwr_hash.h"
#include "pwr_policy.h"
#include "pwr_util.h"

#define DEFAULT_MIN 12u
#define FLOOR_MAX 256u
#define MAX_BYTES (CRYPT_MAX_PASSPHRASE_SIZE - 1)
#define MIN_NAME_PART 3

static unsigned min_len(const struct pwr_policy *pol)
{
    return pol == NULL || pol->min_length == 0 ? DEFAULT_MIN : pol->min_length;
}

static unsigned max_len(const struct pwr_policy *pol)
{
    return pol == NULL || pol->max_length < FLOOR_MAX ? FLOOR_MAX : pol->max_length;
}

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* ---- text helpers ------------------------------------------------------- */

/* Next code point of s[0..len) at *i (a byte of an invalid sequence counts
 * as one), ASCII folded. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1, k;
    uint32_t cp;

    if (n > len - *i)
        n = 1;
    cp = n == 1 ? fold(c) : (uint32_t)(c & (0x7f >> n));
    for (k = 1; k < n; k++)
        cp = cp << 6 | (uint32_t)(s[*i + k] & 0x3f);
    *i += n;
    return cp;
}

static int has_control(const unsigned char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (s[i] < 0x20 || s[i] == 0x7f)
            return 1;
    return 0;
}

static int eq_ci(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (fold(a[i]) != fold(b[i]))
            return 0;
    return 1;
}

static int contains_ci(const unsigned char *hay, size_t hlen,
                       const unsigned char *needle, size_t nlen)
{
    size_t i;

    for (i = 0; nlen > 0 && i + nlen <= hlen; i++)
        if (eq_ci(hay + i, needle, nlen))
            return 1;
    return 0;
}

/* ---- trivial values ----------------------------------------------------- */

static int is_repetition(const unsigned char *s, size_t len)
{
    size_t u, i;

    for (u = 1; u <= len / 2; u++) {
        if (len % u != 0)
            continue;
        for (i = u; i < len && fold(s[i]) == fold(s[i - u]); i++)
            ;
        if (i == len)
            return 1;
    }
    return 0;
}

/* +1 or -1 from a to b, -9/+9 between '9' and '0' counting as a wrap. */
static int step(uint32_t a, uint32_t b)
{
    if (a == '9' && b == '0')
        return 1;
    if (a == '0' && b == '9')
        return -1;
    if (b == a + 1)
        return 1;
    if (a == b + 1)
        return -1;
    return 0;
}

static int is_run(const unsigned char *s, size_t len)
{
    size_t i = 0;
    uint32_t prev;
    int dir = 0;

    if (len == 0)
        return 0;
    prev = next_cp(s, len, &i);
    while (i < len) {
        uint32_t cp = next_cp(s, len, &i);
        int d = step(prev, cp);
        if (d == 0 || (dir != 0 && d != dir))
            return 0;
        dir = d;
        prev = cp;
    }
    return dir != 0;
}

static const char *const keyboard_seqs[] = {
    "1234567890qwertyuiopasdfghjklzxcvbnm",   /* QWERTY rows */
    "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./",
    "1234567890qwertzuiopasdfghjklyxcvbnm",   /* QWERTZ */
    "azertyuiopqsdfghjklmwxcvbn",             /* AZERTY */
    "~!@#$%^&*()_+",                          /* shifted digit row */
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-['=]", /* columns */
    "7894561230",                             /* keypad */
};

/* 1 if s (folded) is a substring of seq read forwards or backwards. */
static int in_seq(const unsigned char *s, size_t len, const char *seq)
{
    size_t n = strlen(seq), st, i;

    for (st = 0; len > 0 && st + len <= n; st++) {
        for (i = 0; i < len && fold(s[i]) == (unsigned char)seq[st + i]; i++)
            ;
        if (i == len)
            return 1;
        for (i = 0; i < len && fold(s[i]) == (unsigned char)seq[st + len - 1 - i]; i++)
            ;
        if (i == len)
            return 1;
    }
    return 0;
}

static int is_keyboard(const unsigned char *s, size_t len)
{
    size_t k;

    for (k = 0; k < PWR_ARRAY_SIZE(keyboard_seqs); k++)
        if (in_seq(s, len, keyboard_seqs[k]))
            return 1;
    return 0;
}

static int few_distinct(const unsigned char *s, size_t len)
{
    uint32_t seen[2] = {0, 0};
    size_t i = 0, n = 0;

    while (i < len) {
        uint32_t cp = next_cp(s, len, &i);
        if ((n > 0 && seen[0] == cp) || (n > 1 && seen[1] == cp))
            continue;
        if (n == 2)
            return 0;
        seen[n++] = cp;
    }
    return 1;
}

static int is_trivial(const unsigned char *s, size_t len)
{
    return few_distinct(s, len) || is_repetition(s, len) || is_run(s, len) ||
           is_keyboard(s, len);
}

/* ---- login and name ----------------------------------------------------- */

static int contains_login(const unsigned char *s, size_t len, const char *login)
{
    size_t n = login ? strlen(login) : 0;

    return n >= MIN_NAME_PART && contains_ci(s, len, (const unsigned char *)login, n);
}

static size_t count_cps(const char *p, size_t n)
{
    size_t i, c = 0;

    for (i = 0; i < n; i++)
        if (((unsigned char)p[i] & 0xc0) != 0x80)
            c++;
    return c;
}

static int contains_name(const unsigned char *s, size_t len, const char *name)
{
    static const char seps[] = " ,.-";
    const char *p = name;

    while (p != NULL && *p != '\0') {
        size_t n = strcspn(p, seps);
        if (count_cps(p, n) >= MIN_NAME_PART &&
            contains_ci(s, len, (const unsigned char *)p, n))
            return 1;
        p += n;
        p += strspn(p, seps);
    }
    return 0;
}

/* ---- word lists --------------------------------------------------------- */

/* 1 if the open list f holds pw as a whole line (ASCII case folded). */
static int list_has(FILE *f, const char *pw, size_t pwlen)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int hit = 0;

    while (!hit && (n = getline(&line, &cap, f)) >= 0) {
        size_t len = (size_t)n;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        if (len == 0 || line[0] == '#' || len != pwlen)
            continue;
        hit = eq_ci((const unsigned char *)line, (const unsigned char *)pw, len);
    }
    free(line);
    return hit;
}

/* Word lists decide which passwords are refused: the rules of the
 * configuration file (not writable by group or others; as root, owned by
 * root). */
const struct pwr_file_rules pwr_word_list_rules = {
    .must_exist = 1, .owner_root = 1, .forbid_mode = 022,
};

static int blocklisted(const char *path, const char *pw, size_t pwlen,
                       int *hit, struct pwr_err *err)
{
    struct pwr_err why;
    FILE *f;
    int fd = pwr_open_safely(path, O_RDONLY, 0, &pwr_word_list_rules, &why);

    if (fd < 0) /* the message names the path already */
        return pwr_fail(err, PWR_E_CONFIG, "blocklist %s", why.msg);
    f = fdopen(fd, "r");
    if (f == NULL) {
        close(fd);
        return pwr_fail(err, PWR_E_INTERNAL, "blocklist %s: out of memory", path);
    }
    *hit = list_has(f, pw, pwlen);
    if (ferror(f)) {
        fclose(f);
        return pwr_fail(err, PWR_E_CONFIG, "blocklist %s: read error", path);
    }
    fclose(f);
    return 0;
}

static int any_blocklisted(const struct pwr_policy *pol, const char *pw,
                           size_t len, int *hit, struct pwr_err *err)
{
    size_t i;

    *hit = 0;
    for (i = 0; pol && i < pol->n_blocklists && i < PWR_POLICY_MAX_LISTS; i++) {
        if (pol->blocklists[i] == NULL)
            break;
        if (blocklisted(pol->blocklists[i], pw, len, hit, err) < 0)
            return -1;
        if (*hit)
            break;
    }
    return 0;
}

/* ---- the check ---------------------------------------------------------- */

/* Rules needing only the value itself. */
static unsigned text_rules(const struct pwr_policy *pol,
                           const struct pwr_policy_input *in, size_t len)
{
    const unsigned char *s = (const unsigned char *)in->password;
    unsigned v = 0;
    size_t count = len;

    if (!pwr_utf8_valid(in->password, len, &count)) {
        v |= PWR_POL_BAD_UTF8;
        count = len;
    }
    if (count < min_len(pol))
        v |= PWR_POL_TOO_SHORT;
    if (count > max_len(pol) || len > MAX_BYTES)
        v |= PWR_POL_TOO_LONG;
    if (has_control(s, len))
        v |= PWR_POL_CONTROL;
    if (contains_login(s, len, in->login))
        v |= PWR_POL_CONTAINS_LOGIN;
    if (contains_name(s, len, in->full_name))
        v |= PWR_POL_CONTAINS_NAME;
    if (is_trivial(s, len))
        v |= PWR_POL_TRIVIAL;
    return v;
}

/* Rules reading files or hashing; -1 if one cannot be checked. */
static int external_rules(const struct pwr_policy *pol,
                          const struct pwr_policy_input *in, size_t len,
                          unsigned *v, struct pwr_err *err)
{
    int hit = 0;

    if (any_blocklisted(pol, in->password, len, &hit, err) < 0)
        return -1;
    if (hit)
        *v |= PWR_POL_BLOCKLISTED;
    if (pol && pol->breached_list && pol->breached_list[0] != '\0') {
        if (pwr_breach_lookup(pol->breached_list, in->password, &hit, err) < 0)
            return -1;
        if (hit)
            *v |= PWR_POL_BREACHED;
    }
    if (in->current_hash && in->current_hash[0] != '\0') {
        int same = pwr_hash_verify(in->password, in->current_hash, err);
        if (same < 0)
            return -1;
        if (same)
            *v |= PWR_POL_SAME_AS_CURRENT;
    }
    return 0;
}

int pwr_policy_check(const struct pwr_policy *pol,
                     const struct pwr_policy_input *in, unsigned *violations,
                     struct pwr_err *err)
{
    unsigned v;
    size_t len;

    *violations = 0;
    if (in == NULL || in->password == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "policy check without a password");
    len = strlen(in->password);
    v = text_rules(pol, in, len);
    if (external_rules(pol, in, len, &v, err) < 0)
        return -1;
    *violations = v;
    return 0;
}

/* ---- telling the user --------------------------------------------------- */

/* In reporting order.  The two length sentences need numbers: see
 * describe_bit.  admin is the sentence for someone setting another
 * account's password (NULL: the same words suit both). */
static const struct {
    unsigned bit;
    const char *reason;
    const char *sentence;
    const char *admin;
} reasons[] = {
    {PWR_POL_TOO_SHORT, "too_short", NULL, NULL},
    {PWR_POL_TOO_LONG, "too_long", NULL, NULL},
    {PWR_POL_BAD_UTF8, "not_utf8",
     "It is not valid UTF-8 text; check your terminal's character set.", NULL},
    {PWR_POL_BLOCKLISTED, "blocklisted", "It is on the list of common passwords.",
     NULL},
    {PWR_POL_CONTAINS_LOGIN, "contains_login", "It must not contain your login name.",
     "It must not contain the account's login name."},
    {PWR_POL_CONTAINS_NAME, "contains_name", "It must not contain a part of your name.",
     "It must not contain a part of the account's full name."},
    {PWR_POL_TRIVIAL, "trivial",
     "It is too simple: a repeated pattern, a sequence such as abcd or 1234, "
     "or a row of the keyboard.", NULL},
    {PWR_POL_SAME_AS_CURRENT, "reused", "It must differ from your current password.",
     "It must differ from the account's current password."},
    {PWR_POL_BREACHED, "breached",
     "It has appeared in a known data breach; choose another.", NULL},
    {PWR_POL_CONTROL, "control_chars",
     "It must not contain control characters such as tabs.", NULL},
};

/* Append to out at *used; text that does not fit is cut, out stays a string. */
__attribute__((format(printf, 4, 5)))
static void append(char *out, size_t outsz, size_t *used, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (outsz == 0 || *used >= outsz - 1)
        return;
    va_start(ap, fmt);
    n = vsnprintf(out + *used, outsz - *used, fmt, ap);
    va_end(ap);
    if (n < 0)
        out[*used] = '\0';
    else
        *used = (size_t)n >= outsz - *used ? outsz - 1 : *used + (size_t)n;
}

void pwr_policy_reasons(unsigned mask, char *out, size_t outsz)
{
    size_t i, used = 0;

    if (outsz > 0)
        out[0] = '\0';
    for (i = 0; i < PWR_ARRAY_SIZE(reasons); i++)
        if (mask & reasons[i].bit)
            append(out, outsz, &used, "%s%s", used ? "," : "", reasons[i].reason);
}

static void describe_bit(const struct pwr_policy *pol, size_t i,
                         enum pwr_voice voice, char *out, size_t outsz,
                         size_t *used)
{
    const char *sep = *used ? "\n" : "";

    if (reasons[i].bit == PWR_POL_TOO_SHORT)
        append(out, outsz, used, "%sIt must be at least %u characters long.", sep,
               min_len(pol));
    else if (reasons[i].bit == PWR_POL_TOO_LONG)
        append(out, outsz, used,
               "%sIt must be at most %u characters (and %d bytes) long.", sep,
               max_len(pol), MAX_BYTES);
    else if (voice == PWR_VOICE_ADMIN && reasons[i].admin != NULL)
        append(out, outsz, used, "%s%s", sep, reasons[i].admin);
    else
        append(out, outsz, used, "%s%s", sep, reasons[i].sentence);
}

void pwr_policy_describe(const struct pwr_policy *pol, unsigned mask,
                         enum pwr_voice voice, char *out, size_t outsz)
{
    size_t i, used = 0;

    if (outsz > 0)
        out[0] = '\0';
    for (i = 0; i < PWR_ARRAY_SIZE(reasons); i++)
        if (mask & reasons[i].bit)
            describe_bit(pol, i, voice, out, outsz, &used);
}

void pwr_policy_summary(const struct pwr_policy *pol, char *out, size_t outsz)
{
    int common = pol && pol->n_blocklists > 0 && pol->blocklists[0] != NULL;
    int breached = pol && pol->breached_list && pol->breached_list[0] != '\0';
    size_t used = 0;

    if (outsz > 0)
        out[0] = '\0';
    append(out, outsz, &used,
           "Choose a password of at least %u characters; %s%s%s passwords "
           "and ones containing your name are refused.",
           min_len(pol), common ? "common, " : "", breached ? "breached, " : "",
           "simple and reused");
}
