/* pwr_util.h - small shared helpers: login names, value encoding, durations,
 * UTF-8, time, and opening privileged files safely.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef PWR_UTIL_H
#define PWR_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pwr_err.h"

#define PWR_LOGIN_MAX 32   /* bytes, as useradd(8) allows */
#define PWR_PATH_MAX 512

#define PWR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* 1 if login is a name we accept in the store: 1..32 bytes of
 * [A-Za-z0-9_.-], optionally ending in '$', not starting with '-',
 * not "." or "..", not all digits.  0 otherwise. */
int pwr_login_valid(const char *login);

/* Percent-encode len bytes of in (every byte outside printable ASCII 0x21..0x7e,
 * and '%', becomes %HH) into out (NUL-terminated).  Returns the encoded length,
 * or -1 when out is too small. */
ssize_t pwr_encode(const char *in, size_t len, char *out, size_t outsz);

/* Reverse of pwr_encode.  Rejects malformed escapes, raw bytes that pwr_encode
 * would have escaped, and an encoded NUL.  Returns decoded length or -1. */
ssize_t pwr_decode(const char *in, size_t len, char *out, size_t outsz);

/* Parse "90s", "15m", "24h", "7d", "2w" into seconds (>= 0).  A unit is
 * required ("90" could mean seconds or minutes); "0" alone is 0. */
int pwr_parse_duration(const char *s, int64_t *secs, struct pwr_err *err);

/* The lifetimes an administrator sets, by kind: one range each, shared by
 * the configuration, the helper and the CLI. */
enum pwr_ttl_kind {
    PWR_TTL_CODE,      /* reset codes and setup codes: 1m..30d */
    PWR_TTL_TEMPORARY, /* temporary passwords: 1m..365d */
};
#define PWR_TTL_MIN 60
#define PWR_TTL_CODE_MAX (30 * 86400)
#define PWR_TTL_TEMPORARY_MAX (365 * 86400)

/* 0 when secs lies in kind's range, else -1 with PWR_E_USAGE saying the
 * range ("'45d' is out of range (1m..30d)"); shown is what the user typed. */
int pwr_ttl_check(enum pwr_ttl_kind kind, const char *shown, int64_t secs,
                  struct pwr_err *err);

/* Format seconds as the largest exact unit ("60m" -> "1h"). */
void pwr_format_duration(int64_t secs, char *out, size_t outsz);

/* Parse an unsigned decimal in [min, max]. */
int pwr_parse_uint(const char *s, unsigned long min, unsigned long max,
                   unsigned long *out, struct pwr_err *err);

/* 1 if s[0..len) is well-formed UTF-8 (no overlongs, surrogates or values
 * above U+10FFFF); stores the number of code points in *count if non-NULL. */
int pwr_utf8_valid(const char *s, size_t len, size_t *count);

/* Seconds since the epoch. */
int64_t pwr_now(void);

/* Format an epoch time as "2026-11-22 14:03 UTC". */
void pwr_format_time(int64_t t, char *out, size_t outsz);
/* Format an epoch time as ISO 8601 UTC, "2026-11-22T14:03:00Z" (for
 * machines: CSV, JSON, replies); the bare number if it cannot be. */
void pwr_format_iso(int64_t t, char *out, size_t outsz);

/* Rules for pwr_open_safely. */
struct pwr_file_rules {
    int must_exist;     /* ENOENT is an error (else returns -1 with PWR_E_NOENT) */
    int owner_root;     /* must be owned by uid 0 (checked only if geteuid()==0) */
    int owner_uid_any;  /* if set, skip owner check entirely */
    mode_t forbid_mode; /* permission bits that must be clear, e.g. 077 or 022 */
    off_t max_size;     /* 0: no limit */
};

/* open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), then
 * fstat the same fd: it must be a regular file obeying rules.  O_NONBLOCK is
 * cleared again after the checks.  Returns the fd, or -1 with err set
 * (PWR_E_NOENT when the file does not exist, PWR_E_STORE otherwise). */
int pwr_open_safely(const char *path, int flags, mode_t create_mode,
                    const struct pwr_file_rules *rules, struct pwr_err *err);

/* Read a whole small file opened by pwr_open_safely into a NUL-terminated
 * heap buffer (caller frees).  Refuses files over max bytes.  The file may
 * hold secrets (/etc/shadow): every buffer it drops on growth or failure is
 * wiped before it is freed; the caller wipes the result before freeing it. */
int pwr_read_fd(int fd, size_t max, char **out, size_t *len,
                struct pwr_err *err);

/* Write all of buf, retrying on EINTR and short writes. */
int pwr_write_all(int fd, const void *buf, size_t len);

/* Read exactly len bytes at offset off, retrying on EINTR and short reads;
 * -1 on an error or an end of file first (the file shrank under us). */
int pwr_pread_full(int fd, void *buf, size_t len, off_t off);

/* Copy src into dst of size dstsz; -1 (dst emptied) if it does not fit. */
int pwr_strlcpy(char *dst, const char *src, size_t dstsz);

/* 1 if nothing on the way to the directory can read what is sent: StartTLS
 * is asked for, or every URI of the list (separated by spaces or commas)
 * is ldaps://, ldapi://, or ldap:// to 127.x, [::1] or localhost. */
int pwr_ldap_uris_private(const char *uris, int starttls);

#endif
