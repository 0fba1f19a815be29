/* pwr_util.c - small shared helpers (see pwr_util.h): login names, value
 * encoding, durations, UTF-8, time formatting and safe opening of files.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pwr_secret.h"
#include "pwr_util.h"

static int login_char_ok(unsigned char c)
{
    return isascii(c) && (isalnum(c) || c == '_' || c == '.' || c == '-');
}

int pwr_login_valid(const char *login)
{
    size_t len, i, digits = 0;

    if (login == NULL)
        return 0;
    len = strnlen(login, PWR_LOGIN_MAX + 1);
    if (len == 0 || len > PWR_LOGIN_MAX || login[0] == '-')
        return 0;
    if (strcmp(login, ".") == 0 || strcmp(login, "..") == 0)
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)login[i];
        if (c == '$' && i == len - 1 && i > 0)
            continue;
        if (!login_char_ok(c))
            return 0;
        if (isdigit(c))
            digits++;
    }
    return digits != len;
}

static int needs_escape(unsigned char c)
{
    return c <= 0x20 || c >= 0x7f || c == '%';
}

/* Values are mostly plain text (hashes), and the store encodes and decodes
 * every one of them on each write (hot path), so runs of bytes that stand for
 * themselves are found and copied in one go.  Byte for byte, both functions
 * write exactly what a loop over single bytes would, failure included. */

/* Copy to out[o..] the leading bytes of in[0..len) that need no escape, as
 * many as fit while leaving room for one more byte after them (the next
 * byte, or the NUL); returns how many were copied. */
static size_t copy_plain(const char *in, size_t len, char *out, size_t o,
                         size_t outsz)
{
    size_t room = o < outsz ? outsz - o - 1 : 0;
    size_t n = 0, max = len < room ? len : room;

    while (n < max && !needs_escape((unsigned char)in[n]))
        n++;
    if (n > 0)
        memcpy(out + o, in, n);
    return n;
}

ssize_t pwr_encode(const char *in, size_t len, char *out, size_t outsz)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i = 0, o = 0;

    while (i < len) {
        size_t run = copy_plain(in + i, len - i, out, o, outsz);
        unsigned char c;
        size_t need;

        i += run;
        o += run;
        if (i == len)
            break;
        c = (unsigned char)in[i++];
        need = needs_escape(c) ? 3 : 1;
        if (o + need + 1 > outsz)
            return -1;
        if (need == 3) {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0xf];
        } else {
            out[o++] = (char)c;
        }
    }
    if (outsz == 0)
        return -1;
    out[o] = '\0';
    return (ssize_t)o;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The byte that starts at in[i] (an escape or a plain byte) into *c, and
 * how many input bytes it took; 0 if it is malformed or needs an escape. */
static size_t decode_one(const char *in, size_t i, size_t len, unsigned char *c)
{
    int hi, lo;

    *c = (unsigned char)in[i];
    if (*c != '%')
        return needs_escape(*c) ? 0 : 1;
    if (i + 2 >= len)
        return 0;
    hi = hexval(in[i + 1]);
    lo = hexval(in[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
        return 0;
    *c = (unsigned char)(hi << 4 | lo);
    return 3;
}

ssize_t pwr_decode(const char *in, size_t len, char *out, size_t outsz)
{
    size_t i = 0, o = 0;

    while (i < len) {
        size_t run = copy_plain(in + i, len - i, out, o, outsz);
        unsigned char c;
        size_t used;

        i += run;
        o += run;
        if (i == len)
            break;
        if (o + 2 > outsz)
            return -1;
        used = decode_one(in, i, len, &c);
        if (used == 0)
            return -1;
        i += used;
        out[o++] = (char)c;
    }
    if (outsz == 0)
        return -1;
    out[o] = '\0';
    return (ssize_t)o;
}

int pwr_parse_uint(const char *s, unsigned long min, unsigned long max,
                   unsigned long *out, struct pwr_err *err)
{
    unsigned long v = 0;
    const char *p;

    if (s == NULL || *s == '\0')
        return pwr_fail(err, PWR_E_USAGE, "empty number");
    for (p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return pwr_fail(err, PWR_E_USAGE, "'%.40s' is not a number", s);
        if (v > (ULONG_MAX - (unsigned long)(*p - '0')) / 10)
            return pwr_fail(err, PWR_E_USAGE, "'%.40s' is too large", s);
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v < min || v > max)
        return pwr_fail(err, PWR_E_USAGE, "%lu is out of range %lu..%lu", v,
                        min, max);
    *out = v;
    return 0;
}

static const struct {
    char unit;
    int64_t secs;
} duration_units[] = {
    {'w', 7 * 86400}, {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1},
};

int pwr_parse_duration(const char *s, int64_t *secs, struct pwr_err *err)
{
    char num[24];
    size_t len, i;
    unsigned long v;
    int64_t mult = 1;

    len = s ? strlen(s) : 0;
    if (len == 0 || len >= sizeof(num))
        return pwr_fail(err, PWR_E_USAGE,
                        "bad duration '%.40s' (use e.g. 90m, 24h, 7d)",
                        s ? s : "");
    memcpy(num, s, len + 1);
    if (strcmp(num, "0") == 0) {
        *secs = 0;
        return 0;
    }
    for (i = 0; i < PWR_ARRAY_SIZE(duration_units); i++)
        if (num[len - 1] == duration_units[i].unit) {
            mult = duration_units[i].secs;
            num[len - 1] = '\0';
            break;
        }
    if (i == PWR_ARRAY_SIZE(duration_units) &&
        pwr_parse_uint(num, 0, ULONG_MAX, &v, NULL) == 0)
        return pwr_fail(err, PWR_E_USAGE,
                        "duration '%.40s' needs a unit: s, m, h, d or w "
                        "(e.g. %.20sm for minutes)", s, s);
    if (num[0] == '\0' ||
        pwr_parse_uint(num, 0, (unsigned long)(INT32_MAX / mult), &v, NULL) < 0)
        return pwr_fail(err, PWR_E_USAGE,
                        "bad duration '%.40s' (use e.g. 90m, 24h, 7d)", s);
    *secs = (int64_t)v * mult;
    return 0;
}

int pwr_ttl_check(enum pwr_ttl_kind kind, const char *shown, int64_t secs,
                  struct pwr_err *err)
{
    int64_t max = kind == PWR_TTL_CODE ? PWR_TTL_CODE_MAX : PWR_TTL_TEMPORARY_MAX;
    char lo[32], hi[32];

    if (secs >= PWR_TTL_MIN && secs <= max)
        return 0;
    pwr_format_duration(PWR_TTL_MIN, lo, sizeof(lo));
    pwr_format_duration(max, hi, sizeof(hi));
    return pwr_fail(err, PWR_E_USAGE, "'%.40s' is out of range (%s..%s)",
                    shown, lo, hi);
}

void pwr_format_duration(int64_t secs, char *out, size_t outsz)
{
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(duration_units); i++) {
        int64_t u = duration_units[i].secs;
        if (secs > 0 && secs % u == 0) {
            snprintf(out, outsz, "%lld%c", (long long)(secs / u),
                     duration_units[i].unit);
            return;
        }
    }
    snprintf(out, outsz, "%llds", (long long)secs);
}

/* Length of the UTF-8 sequence starting with lead byte c, or 0 if invalid. */
static size_t utf8_seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return 2;
    if (c >= 0xe0 && c <= 0xef)
        return 3;
    if (c >= 0xf0 && c <= 0xf4)
        return 4;
    return 0;
}

static int utf8_seq_ok(const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (n == 3 && p[0] == 0xe0 && p[1] < 0xa0)
        return 0; /* overlong */
    if (n == 3 && p[0] == 0xed && p[1] >= 0xa0)
        return 0; /* surrogate */
    if (n == 4 && p[0] == 0xf0 && p[1] < 0x90)
        return 0; /* overlong */
    if (n == 4 && p[0] == 0xf4 && p[1] >= 0x90)
        return 0; /* above U+10FFFF */
    return 1;
}

int pwr_utf8_valid(const char *s, size_t len, size_t *count)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n = 0;

    while (i < len) {
        size_t sl = utf8_seq_len(p[i]);
        if (sl == 0 || sl > len - i || !utf8_seq_ok(p + i, sl))
            return 0;
        i += sl;
        n++;
    }
    if (count)
        *count = n;
    return 1;
}

int64_t pwr_now(void)
{
    return (int64_t)time(NULL);
}

/* "ldap://127.a.b.c" with nothing but digits and dots before the port,
 * path or end: the loopback network, not a name that starts like it. */
static int loopback_v4(const char *u, size_t n)
{
    size_t i = strlen("ldap://127.");

    if (n < i || strncmp(u, "ldap://127.", i) != 0)
        return 0;
    for (; i < n && u[i] != ':' && u[i] != '/'; i++)
        if (!(u[i] >= '0' && u[i] <= '9') && u[i] != '.')
            return 0;
    return 1;
}

/* One LDAP URI (n bytes at u) that nothing on the way can read. */
static int private_uri(const char *u, size_t n)
{
    static const char *const safe[] = { "ldaps://", "ldapi://",
                                        "ldap://[::1]/", "ldap://[::1]:",
                                        "ldap://localhost/",
                                        "ldap://localhost:" };

    if ((n == 16 && strncmp(u, "ldap://localhost", 16) == 0) ||
        (n == 12 && strncmp(u, "ldap://[::1]", 12) == 0) || loopback_v4(u, n))
        return 1;
    for (size_t i = 0; i < PWR_ARRAY_SIZE(safe); i++)
        if (n >= strlen(safe[i]) && strncmp(u, safe[i], strlen(safe[i])) == 0)
            return 1;
    return 0;
}

int pwr_ldap_uris_private(const char *uris, int starttls)
{
    const char *p = uris;

    if (starttls)
        return 1;
    while (*p != '\0') {
        size_t n = strcspn(p, " ,");

        if (n > 0 && !private_uri(p, n))
            return 0;
        p += n;
        p += strspn(p, " ,");
    }
    return 1;
}

/* t in UTC, "2026-12-06 09:30 UTC" or (iso) "2026-12-06T09:30:00Z"; the
 * bare number ("@N", or "N" for iso) when it cannot be. */
static void format_utc(int64_t t, int iso, char *out, size_t outsz)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) != NULL &&
        strftime(out, outsz, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M UTC",
                 &tm) != 0)
        return;
    snprintf(out, outsz, iso ? "%lld" : "@%lld", (long long)t);
}

void pwr_format_time(int64_t t, char *out, size_t outsz)
{
    format_utc(t, 0, out, outsz);
}

void pwr_format_iso(int64_t t, char *out, size_t outsz)
{
    format_utc(t, 1, out, outsz);
}

static int check_file(int fd, const char *path,
                      const struct pwr_file_rules *rules, struct pwr_err *err)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s: fstat", path);
    if (!S_ISREG(st.st_mode))
        return pwr_fail(err, PWR_E_STORE, "%s: not a regular file", path);
    if (!rules->owner_uid_any) {
        uid_t want = rules->owner_root ? 0 : geteuid();
        if ((rules->owner_root && geteuid() == 0 && st.st_uid != 0) ||
            (!rules->owner_root && st.st_uid != want))
            return pwr_fail(err, PWR_E_STORE, "%s: owned by uid %u, not %u",
                            path, (unsigned)st.st_uid, (unsigned)want);
    }
    if (st.st_mode & rules->forbid_mode)
        return pwr_fail(err, PWR_E_STORE, "%s: unsafe mode %04o", path,
                        (unsigned)(st.st_mode & 07777));
    if (rules->max_size > 0 && st.st_size > rules->max_size)
        return pwr_fail(err, PWR_E_STORE, "%s: too large (%lld bytes)", path,
                        (long long)st.st_size);
    return 0;
}

int pwr_open_safely(const char *path, int flags, mode_t create_mode,
                    const struct pwr_file_rules *rules, struct pwr_err *err)
{
    int fd, fl;

    fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
              create_mode);
    if (fd < 0) {
        if (errno == ENOENT)
            return pwr_fail(err, PWR_E_NOENT, "%s: does not exist", path);
        if (errno == ELOOP)
            return pwr_fail(err, PWR_E_STORE, "%s: is a symbolic link", path);
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s", path);
    }
    if (check_file(fd, path, rules, err) < 0) {
        close(fd);
        return -1;
    }
    fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        close(fd);
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s: fcntl", path);
    }
    return fd;
}

/* Wipe and free a buffer that held file contents (it may be /etc/shadow). */
static void drop_buf(char *buf, size_t cap)
{
    pwr_wipe(buf, cap);
    free(buf);
}

/* Double buf's capacity.  Never realloc: it may move the block and leave
 * the old copy of the contents in freed memory; copy, then wipe the old. */
static int grow_buf(char **buf, size_t *cap, size_t n, struct pwr_err *err)
{
    char *nb = malloc(*cap * 2);

    if (nb == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    memcpy(nb, *buf, n);
    drop_buf(*buf, *cap);
    *buf = nb;
    *cap *= 2;
    return 0;
}

int pwr_read_fd(int fd, size_t max, char **out, size_t *len,
                struct pwr_err *err)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int rc = 0;

    if (buf == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    for (;;) {
        ssize_t r;
        if (n + 1 >= cap) {
            if (cap > max) {
                rc = pwr_fail(err, PWR_E_USAGE, "file too large");
                break;
            }
            if ((rc = grow_buf(&buf, &cap, n, err)) < 0)
                break;
        }
        r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = pwr_fail_errno(err, PWR_E_STORE, errno, "read");
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (rc == 0 && n > max)
        rc = pwr_fail(err, PWR_E_USAGE, "file too large");
    if (rc < 0) {
        drop_buf(buf, cap);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int pwr_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int pwr_pread_full(int fd, void *buf, size_t len, off_t off)
{
    char *p = buf;

    while (len > 0) {
        ssize_t n = pread(fd, p, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        off += n;
        len -= (size_t)n;
    }
    return 0;
}

int pwr_strlcpy(char *dst, const char *src, size_t dstsz)
{
    size_t len = strlen(src);

    if (dstsz == 0)
        return -1;
    if (len >= dstsz) {
        dst[0] = '\0';
        return -1;
    }
    memcpy(dst, src, len + 1);
    return 0;
}
