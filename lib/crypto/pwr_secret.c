/* pwr_secret.c - generated secrets (temporary passwords, reset and setup
 * codes), the stored form of a code, and wiping (see pwr_secret.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * A code is stored as "$pwrc$<salt hex>$<BLAKE2b hex>": BLAKE2b keyed with a
 * random 16-byte salt, over the normalised code.  A fast hash is enough here
 * because a code carries ~99 random bits, lives an hour and allows a few
 * tries; the salt keeps equal codes apart in the store.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pwr_record.h"
#include "pwr_secret.h"

#define ALPHABET_LEN (sizeof(PWR_SECRET_ALPHABET) - 1)
#define CODE_PREFIX "$pwrc$"
#define CODE_PREFIX_LEN (sizeof(CODE_PREFIX) - 1)
#define CODE_SALT_BYTES 16
#define CODE_MAC_BYTES 32
/* "$pwrc$" + salt hex + "$" + mac hex */
#define CODE_STORED_LEN (CODE_PREFIX_LEN + 2 * CODE_SALT_BYTES + 1 + 2 * CODE_MAC_BYTES)

int pwr_crypto_init(struct pwr_err *err)
{
    if (sodium_init() < 0)
        return pwr_fail(err, PWR_E_INTERNAL, "libsodium could not be initialised");
    return 0;
}

/* groups of group_len alphabet symbols joined by '-'. */
static int make_grouped(char *out, unsigned groups, unsigned group_len,
                        struct pwr_err *err)
{
    size_t o = 0;
    unsigned g, i;

    if (pwr_crypto_init(err) < 0)
        return -1;
    for (g = 0; g < groups; g++) {
        if (g > 0)
            out[o++] = '-';
        for (i = 0; i < group_len; i++)
            out[o++] = PWR_SECRET_ALPHABET[randombytes_uniform(ALPHABET_LEN)];
    }
    out[o] = '\0';
    return 0;
}

_Static_assert(PWR_TEMP_GROUPS * (PWR_TEMP_GROUP_LEN + 1) <= PWR_SECRET_MAX,
               "temporary password does not fit PWR_SECRET_MAX");
_Static_assert(PWR_CODE_GROUPS * (PWR_CODE_GROUP_LEN + 1) <= PWR_SECRET_MAX,
               "code does not fit PWR_SECRET_MAX");
_Static_assert(CODE_STORED_LEN < PWR_HASH_MAX, "code hash does not fit");

int pwr_secret_temp_password(char *out, struct pwr_err *err)
{
    return make_grouped(out, PWR_TEMP_GROUPS, PWR_TEMP_GROUP_LEN, err);
}

int pwr_secret_code(char *out, struct pwr_err *err)
{
    return make_grouped(out, PWR_CODE_GROUPS, PWR_CODE_GROUP_LEN, err);
}

static int in_alphabet(char c)
{
    return c != '\0' && memchr(PWR_SECRET_ALPHABET, c, ALPHABET_LEN) != NULL;
}

int pwr_code_normalize(const char *typed, char *out)
{
    size_t n = 0, bad = 0;
    const char *p;

    for (p = typed ? typed : ""; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!in_alphabet(c) || n >= PWR_CODE_SYMBOLS) {
            bad = 1;
            continue; /* keep scanning: nothing is written past the code */
        }
        out[n++] = c;
    }
    out[n] = '\0';
    if (bad || n != PWR_CODE_SYMBOLS) {
        pwr_wipe(out, PWR_SECRET_MAX);
        return 0;
    }
    return 1;
}

static int code_mac(const char *norm, const unsigned char *salt,
                    unsigned char mac[CODE_MAC_BYTES])
{
    return crypto_generichash(mac, CODE_MAC_BYTES, (const unsigned char *)norm,
                              PWR_CODE_SYMBOLS, salt, CODE_SALT_BYTES);
}

int pwr_code_hash(const char *code, char *out, struct pwr_err *err)
{
    char norm[PWR_SECRET_MAX];
    unsigned char salt[CODE_SALT_BYTES], mac[CODE_MAC_BYTES];
    char salt_hex[2 * CODE_SALT_BYTES + 1], mac_hex[2 * CODE_MAC_BYTES + 1];
    int rc = -1, n;

    if (pwr_crypto_init(err) < 0)
        return -1;
    if (!pwr_code_normalize(code, norm))
        return pwr_fail(err, PWR_E_USAGE, "not a code of this system");
    randombytes_buf(salt, sizeof(salt));
    if (code_mac(norm, salt, mac) != 0) {
        pwr_fail(err, PWR_E_INTERNAL, "hashing the code failed");
        goto out;
    }
    sodium_bin2hex(salt_hex, sizeof(salt_hex), salt, sizeof(salt));
    sodium_bin2hex(mac_hex, sizeof(mac_hex), mac, sizeof(mac));
    n = snprintf(out, PWR_HASH_MAX, "%s%s$%s", CODE_PREFIX, salt_hex, mac_hex);
    if (n < 0 || (size_t)n != CODE_STORED_LEN) {
        pwr_fail(err, PWR_E_INTERNAL, "formatting the code hash failed");
        goto out;
    }
    rc = 0;
out:
    pwr_wipe(norm, sizeof(norm));
    pwr_wipe(mac, sizeof(mac));
    return rc;
}

/* Exactly n bytes of hex at hex into bin[n / 2]; 1 on success. */
static int hex_exact(const char *hex, size_t n, unsigned char *bin)
{
    size_t binlen = 0;
    const char *end = NULL;

    if (sodium_hex2bin(bin, n / 2, hex, n, NULL, &binlen, &end) != 0)
        return 0;
    return binlen == n / 2 && end == hex + n;
}

/* Split a stored "$pwrc$salt$mac" into salt and mac; 1 if well-formed. */
static int parse_stored(const char *stored, unsigned char *salt,
                        unsigned char *mac)
{
    const char *s = stored, *m;

    if (s == NULL || strnlen(s, CODE_STORED_LEN + 1) != CODE_STORED_LEN ||
        memcmp(s, CODE_PREFIX, CODE_PREFIX_LEN) != 0)
        return 0;
    s += CODE_PREFIX_LEN;
    m = s + 2 * CODE_SALT_BYTES;
    if (*m != '$')
        return 0;
    return hex_exact(s, 2 * CODE_SALT_BYTES, salt) &&
           hex_exact(m + 1, 2 * CODE_MAC_BYTES, mac);
}

int pwr_code_verify(const char *typed, const char *stored)
{
    char norm[PWR_SECRET_MAX];
    unsigned char salt[CODE_SALT_BYTES] = {0}, want[CODE_MAC_BYTES] = {0};
    unsigned char got[CODE_MAC_BYTES];
    int shaped, parsed, same = 0;

    if (sodium_init() < 0)
        return 0;
    shaped = pwr_code_normalize(typed, norm);
    if (!shaped)
        memset(norm, 'x', PWR_CODE_SYMBOLS); /* hash something all the same */
    parsed = parse_stored(stored, salt, want);
    if (code_mac(norm, salt, got) == 0)
        same = sodium_memcmp(got, want, sizeof(got)) == 0;
    pwr_wipe(norm, sizeof(norm));
    pwr_wipe(got, sizeof(got));
    return shaped && parsed && same;
}

void pwr_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0)
        sodium_memzero(p, len);
}

void pwr_wipe_str(char *s)
{
    if (s != NULL)
        pwr_wipe(s, strlen(s));
}

int pwr_read_secret_file(const char *path, char *out, size_t outsz,
                         struct pwr_err *err)
{
    struct stat st;
    ssize_t n;
    size_t len;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
                            O_NONBLOCK);

    if (fd < 0)
        return pwr_fail_errno(err, PWR_E_CONFIG, errno, "%s", path);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        close(fd);
        return pwr_fail(err, PWR_E_CONFIG, "%s: must be a regular file owned "
                        "by root with no group or other permission: fix with "
                        "chown root:root %s && chmod 600 %s", path, path,
                        path);
    }
    n = read(fd, out, outsz - 1);
    close(fd);
    out[n > 0 ? n : 0] = '\0';
    len = strcspn(out, "\r\n");
    if (n > 0 && len == (size_t)n && (size_t)n == outsz - 1) {
        pwr_wipe(out, outsz);
        return pwr_fail(err, PWR_E_CONFIG, "%s: the first line is longer "
                        "than %zu bytes", path, outsz - 2);
    }
    out[len] = '\0';
    if (len == 0) {
        pwr_wipe(out, outsz);
        return n < 0 ? pwr_fail_errno(err, PWR_E_CONFIG, errno, "%s", path)
                     : pwr_fail(err, PWR_E_CONFIG, "%s: the password must be "
                                "its first line, and it is empty", path);
    }
    return 0;
}

void pwr_free_secret(char *s)
{
    pwr_wipe_str(s);
    free(s);
}

/* Time depends on the two lengths only, never on the bytes. */
int pwr_ct_streq(const char *a, const char *b)
{
    size_t la, lb, n, i;
    volatile unsigned char diff = 0;

    if (a == NULL || b == NULL)
        return 0;
    la = strlen(a);
    lb = strlen(b);
    n = la < lb ? la : lb;
    for (i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return (diff == 0) & (la == lb);
}
