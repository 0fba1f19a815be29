/* pwr_breach.c - offline breached-password check (SPEC F15): binary search
 * for the password's SHA-1 in a sorted Pwned Passwords style file.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * File format: one "HASH:COUNT" line per entry, HASH 40 hex digits, COUNT
 * decimal digits, lines ending in LF or CRLF (the downloads use CRLF), the
 * last newline optional, sorted by HASH.
 *
 * Rules:
 *  - the file is mapped, never read whole: a lookup touches O(log n) lines,
 *    so multi-gigabyte lists cost a few page faults;
 *  - opened with pwr_open_safely (no symlink, regular file, any owner: the
 *    list is public data);
 *  - every line the search lands on is checked; a malformed one, an empty
 *    file or an unreadable one is an error, so the caller fails closed;
 *  - hex digits compare case-insensitively, so a list in lower case works as
 *    well as the upper-case downloads: digits sort before letters in either
 *    case, hence a file sorted in one case is sorted for the folded compare.
 *  - the file must not shrink while mapped (SIGBUS); admins replace it with
 *    rename, which leaves our mapping on the old inode.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pwr_policy.h"
#include "pwr_util.h"

#define HEX_LEN 40
#define LINE_MAX_LEN 128 /* far above "HASH:COUNT\r\n"; longer is malformed */

struct breach_map {
    void *base; /* the mapping, for munmap */
    const char *data;
    size_t size;
    const char *path;
};

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

    while (p > lo && m->data[p - 1] != '\n') {
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

    if (m->size - s < HEX_LEN + 2 || m->data[end] != ':')
        return -1;
    *cmp = 0;
    for (i = 0; i < HEX_LEN; i++) {
        int c = hex_upper((unsigned char)m->data[s + i]);
        if (c < 0)
            return -1;
        if (*cmp == 0 && c != key[i])
            *cmp = c < key[i] ? -1 : 1;
    }
    i = end + 1;
    while (i < m->size && m->data[i] >= '0' && m->data[i] <= '9') {
        if (i - s > LINE_MAX_LEN)
            return -1;
        i++;
    }
    if (i == end + 1)
        return -1; /* no count */
    if (i < m->size && m->data[i] == '\r')
        i++;
    if (i < m->size && m->data[i] != '\n')
        return -1;
    *next = i < m->size ? i + 1 : i;
    return 0;
}

/* Binary search over byte offsets; lo always sits at a line start. */
static int search(const struct breach_map *m, const char *key, int *found,
                  struct pwr_err *err)
{
    size_t lo = 0, hi = m->size;

    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, s, next;
        int cmp;
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

static int map_file(const char *path, struct breach_map *m, struct pwr_err *err)
{
    static const struct pwr_file_rules rules = {.must_exist = 1,
                                                .owner_uid_any = 1};
    struct pwr_err why;
    struct stat st;
    void *p;
    int fd = pwr_open_safely(path, O_RDONLY, 0, &rules, &why);

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
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return pwr_fail_errno(err, PWR_E_CONFIG, errno, "%s: mmap", path);
    (void)madvise(p, (size_t)st.st_size, MADV_RANDOM);
    m->base = p;
    m->data = p;
    m->size = (size_t)st.st_size;
    m->path = path;
    return 0;
}

int pwr_breach_lookup(const char *path, const char *password, int *found,
                      struct pwr_err *err)
{
    struct breach_map m = {NULL, NULL, 0, NULL};
    char key[HEX_LEN + 1];
    int rc;

    *found = 0;
    if (map_file(path, &m, err) < 0)
        return -1;
    sha1_key(password, key);
    rc = search(&m, key, found, err);
    sodium_memzero(key, sizeof(key));
    munmap(m.base, m.size);
    return rc;
}
