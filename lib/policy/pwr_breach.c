/* pwr_breach.c - offline breached-password check: binary search
 * for the password's SHA-1 in a sorted Pwned Passwords style file.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * File format: one "HASH:COUNT" line per entry, HASH 40 hex digits, COUNT
 * decimal digits, lines ending in LF or CRLF (the downloads use CRLF), the
 * last newline optional, sorted by HASH.
 *
 * Rules:
 *  - the file is never read whole: a lookup reads O(log n) small windows
 *    with pread, so multi-gigabyte lists cost a few reads.  It is never
 *    mapped: a list truncated under a reader would kill it with SIGBUS;
 *    a short read is an error instead;
 *  - opened with pwr_open_safely (no symlink, regular file) and, as root,
 *    with the configuration's owner and mode rules: owned by root, not
 *    writable by group or others - whoever can write the list decides
 *    which passwords are refused;
 *  - every line the search lands on is checked; a malformed one, an empty
 *    file or an unreadable one is an error, so the caller fails closed;
 *  - hex digits compare case-insensitively, so a list in lower case works as
 *    well as the upper-case downloads: digits sort before letters in either
 *    case, hence a file sorted in one case is sorted for the folded compare.
 *  - a list that shrinks while it is searched fails the check (the
 *    caller fails closed); admins replace it with rename, which leaves an
 *    open reader on the old inode.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pwr_policy.h"
#include "pwr_util.h"

#define HEX_LEN 40
#define LINE_MAX_LEN 128 /* far above "HASH:COUNT\r\n"; longer is malformed */

#define WIN_LEN (2 * LINE_MAX_LEN + 2) /* a line before and after a probe */

/* The open list and the window of it last read. */
struct breach_map {
    int fd;
    size_t size; /* at open */
    const char *path;
    size_t off, len; /* file bytes [off, off + len) are in win */
    char win[WIN_LEN];
};

/* Byte i of the file; only called for bytes inside the window. */
static char at(const struct breach_map *m, size_t i)
{
    return m->win[i - m->off];
}

/* Read file bytes [from, to) into the window (to - from <= WIN_LEN).  A
 * short read means the file shrank under us: an error, never a SIGBUS. */
static int fill(struct breach_map *m, size_t from, size_t to)
{
    if (pwr_pread_full(m->fd, m->win, to - from, (off_t)from) < 0)
        return -1;
    m->off = from;
    m->len = to - from;
    return 0;
}

static int hex_upper(int c)
{
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 'A';
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))
        return c;
    return -1;
}

/* Start of the line holding byte pos, not going below lo (a line start). */
static int line_start(const struct breach_map *m, size_t lo, size_t pos,
                      size_t *start)
{
    size_t p = pos;

    while (p > lo && at(m, p - 1) != '\n') {
        if (pos - p >= LINE_MAX_LEN)
            return -1;
        p--;
    }
    *start = p;
    return 0;
}

/* Parse the line at s: compare its hash with key (-1/0/1 in *cmp) and find
 * the start of the next line (*next).  -1 if the line is malformed. */
static int parse_line(const struct breach_map *m, size_t s, const char *key,
                      int *cmp, size_t *next)
{
    size_t i, end = s + HEX_LEN;

    if (m->size - s < HEX_LEN + 2 || at(m, end) != ':')
        return -1;
    *cmp = 0;
    for (i = 0; i < HEX_LEN; i++) {
        int c = hex_upper((unsigned char)at(m, s + i));
        if (c < 0)
            return -1;
        if (*cmp == 0 && c != key[i])
            *cmp = c < key[i] ? -1 : 1;
    }
    i = end + 1;
    while (i < m->size && at(m, i) >= '0' && at(m, i) <= '9') {
        if (i - s > LINE_MAX_LEN)
            return -1;
        i++;
    }
    if (i == end + 1)
        return -1; /* no count */
    if (i < m->size && at(m, i) == '\r')
        i++;
    if (i < m->size && at(m, i) != '\n')
        return -1;
    *next = i < m->size ? i + 1 : i;
    return 0;
}

/* Binary search over byte offsets; lo always sits at a line start.  Each
 * probe reads the bytes line_start and parse_line may look at: at most
 * LINE_MAX_LEN before mid, and a line's worth after it. */
static int search(struct breach_map *m, const char *key, int *found,
                  struct pwr_err *err)
{
    size_t lo = 0, hi = m->size;

    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, s, next;
        size_t a = mid - lo > LINE_MAX_LEN ? mid - LINE_MAX_LEN : lo;
        size_t b = m->size - mid > LINE_MAX_LEN + 2 ? mid + LINE_MAX_LEN + 2
                                                     : m->size;
        int cmp;

        if (fill(m, a, b) < 0)
            return pwr_fail(err, PWR_E_CONFIG, "%s: read error or shrank "
                            "while being searched", m->path);
        if (line_start(m, lo, mid, &s) < 0 ||
            parse_line(m, s, key, &cmp, &next) < 0)
            return pwr_fail(err, PWR_E_CONFIG,
                            "%s: malformed line near byte %zu (want HASH:COUNT)",
                            m->path, mid);
        if (cmp == 0) {
            *found = 1;
            return 0;
        }
        if (cmp < 0)
            lo = next;
        else
            hi = s;
    }
    return 0;
}

static void sha1_key(const char *password, char key[HEX_LEN + 1])
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char md[20];
    size_t i;

    pwr_sha1(password, strlen(password), md);
    for (i = 0; i < sizeof(md); i++) {
        key[2 * i] = hex[md[i] >> 4];
        key[2 * i + 1] = hex[md[i] & 0xf];
    }
    key[HEX_LEN] = '\0';
    sodium_memzero(md, sizeof(md));
}

int pwr_breach_open(const char *path, size_t *size, struct pwr_err *err)
{
    struct pwr_err why;
    struct stat st;
    int fd = pwr_open_safely(path, O_RDONLY, 0, &pwr_word_list_rules, &why);

    if (fd < 0) /* not PWR_E_NOENT: that code means "no such account" */
        return pwr_fail(err, PWR_E_CONFIG, "breached-password list %s", why.msg);
    if (fstat(fd, &st) < 0) {
        pwr_fail_errno(err, PWR_E_CONFIG, errno, "%s: fstat", path);
        close(fd);
        return -1;
    }
    if (st.st_size <= 0) {
        close(fd);
        return pwr_fail(err, PWR_E_CONFIG, "%s: breached-password list is empty",
                        path);
    }
    *size = (size_t)st.st_size;
    return fd;
}

int pwr_breach_lookup(const char *path, const char *password, int *found,
                      struct pwr_err *err)
{
    struct breach_map m;
    char key[HEX_LEN + 1];
    int rc;

    *found = 0;
    memset(&m, 0, sizeof(m));
    m.path = path;
    m.fd = pwr_breach_open(path, &m.size, err);
    if (m.fd < 0)
        return -1;
    sha1_key(password, key);
    rc = search(&m, key, found, err);
    sodium_memzero(key, sizeof(key));
    close(m.fd);
    return rc;
}
