/* pwr_hash.c - password hashing and verification (see pwr_hash.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * New hashes are yescrypt (libxcrypt) or argon2id (libsodium).  Verification
 * accepts "$argon2id$" strings and anything libxcrypt accepts, including the
 * legacy methods /etc/shadow may still hold (md5crypt, descrypt), so imported
 * users keep their passwords.  Rules:
 *  - a stored value that is empty, locked ("!..."), starts with '*', or that
 *    crypt_checksalt() calls invalid or disabled never verifies;
 *  - crypt output is compared with the stored string in constant time;
 *  - struct crypt_data (it holds the passphrase) is on the heap, 32 KiB being
 *    much for a PAM caller's thread stack, and wiped before it is freed.
 */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pwr_hash.h"
#include "pwr_secret.h"

#define YESCRYPT_PREFIX "$y$"
#define YESCRYPT_COST_DEFAULT 5u
#define YESCRYPT_COST_MAX 11u
#define ARGON2ID_COST_DEFAULT 2u
#define ARGON2ID_COST_MAX 10u
#define SALT_BYTES 16

static const char argon2id_prefix[] = crypto_pwhash_argon2id_STRPREFIX;

static int is_argon2id(const char *stored)
{
    return strncmp(stored, argon2id_prefix, sizeof(argon2id_prefix) - 1) == 0;
}

/* Cost from params, 0 meaning the method's default; 0 if out of range. */
static unsigned effective_cost(const struct pwr_hash_params *params)
{
    int y = params->method == PWR_HASH_YESCRYPT;
    unsigned max = y ? YESCRYPT_COST_MAX : ARGON2ID_COST_MAX;

    if (params->cost == 0)
        return y ? YESCRYPT_COST_DEFAULT : ARGON2ID_COST_DEFAULT;
    return params->cost <= max ? params->cost : 0;
}

/* yescrypt setting string at cost, salted with rbytes. */
static int yescrypt_setting(unsigned cost, const unsigned char *rbytes,
                            char *setting, size_t size)
{
    if (crypt_gensalt_rn(YESCRYPT_PREFIX, cost, (const char *)rbytes,
                         SALT_BYTES, setting, (int)size) == NULL)
        return -1;
    return 0;
}

/* crypt_rn into a wiped heap crypt_data; copies the output to out (size
 * outsz) when out is not NULL.  -1 with errno set on failure. */
static int run_crypt(const char *pw, const char *setting, char *out,
                     size_t outsz)
{
    struct crypt_data *cd = calloc(1, sizeof(*cd));
    const char *res;
    int rc = -1, saved;

    if (cd == NULL)
        return -1;
    errno = 0;
    res = crypt_rn(pw, setting, cd, (int)sizeof(*cd));
    saved = errno ? errno : EINVAL;
    if (res != NULL && res[0] != '*')
        rc = out == NULL ? 0 : pwr_strlcpy(out, res, outsz);
    sodium_memzero(cd, sizeof(*cd));
    free(cd);
    if (rc < 0)
        errno = res == NULL ? saved : ERANGE;
    return rc;
}

static int make_yescrypt(const char *pw, unsigned cost, char *out,
                         struct pwr_err *err)
{
    unsigned char rbytes[SALT_BYTES];
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];

    if (strlen(pw) >= CRYPT_MAX_PASSPHRASE_SIZE)
        return pwr_fail(err, PWR_E_POLICY,
                        "the password is longer than %d bytes",
                        CRYPT_MAX_PASSPHRASE_SIZE - 1);
    randombytes_buf(rbytes, sizeof(rbytes));
    if (yescrypt_setting(cost, rbytes, setting, sizeof(setting)) < 0)
        return pwr_fail_errno(err, PWR_E_INTERNAL, errno,
                              "yescrypt salt for cost %u", cost);
    if (run_crypt(pw, setting, out, PWR_HASH_MAX) < 0)
        return pwr_fail_errno(err, PWR_E_INTERNAL, errno, "yescrypt hashing");
    return 0;
}

static int make_argon2id(const char *pw, unsigned cost, char *out,
                         struct pwr_err *err)
{
    char buf[crypto_pwhash_STRBYTES];

    if (crypto_pwhash_str_alg(buf, pw, strlen(pw), cost,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return pwr_fail(err, PWR_E_INTERNAL,
                        "argon2id hashing failed (out of memory?)");
    if (pwr_strlcpy(out, buf, PWR_HASH_MAX) < 0)
        return pwr_fail(err, PWR_E_INTERNAL, "argon2id hash too long");
    return 0;
}

int pwr_hash_make(const char *pw, const struct pwr_hash_params *params,
                  char *out, struct pwr_err *err)
{
    unsigned cost = effective_cost(params);

    out[0] = '\0';
    if (cost == 0)
        return pwr_fail(err, PWR_E_CONFIG, "hash_cost %u is out of range for %s",
                        params->cost, pwr_hash_method_name(params->method));
    if (pwr_crypto_init(err) < 0)
        return -1;
    if (params->method == PWR_HASH_YESCRYPT)
        return make_yescrypt(pw, cost, out, err);
    if (params->method == PWR_HASH_ARGON2ID)
        return make_argon2id(pw, cost, out, err);
    return pwr_fail(err, PWR_E_CONFIG, "unknown hash method");
}

int pwr_hash_usable(const char *stored)
{
    int check;

    if (stored == NULL || stored[0] == '\0' || stored[0] == '!' ||
        stored[0] == '*')
        return 0;
    if (is_argon2id(stored))
        return strnlen(stored, crypto_pwhash_STRBYTES) < crypto_pwhash_STRBYTES;
    check = crypt_checksalt(stored);
    return check != CRYPT_SALT_INVALID && check != CRYPT_SALT_METHOD_DISABLED;
}

/* crypt_rn(pw, stored) must reproduce stored exactly. */
static int verify_crypt(const char *pw, const char *stored)
{
    char out[CRYPT_OUTPUT_SIZE];
    size_t n;
    int same = 0;

    if (run_crypt(pw, stored, out, sizeof(out)) < 0)
        return 0; /* unusable setting, or phrase too long to ever be hashed */
    n = strlen(out);
    if (n == strlen(stored))
        same = sodium_memcmp(out, stored, n) == 0;
    sodium_memzero(out, sizeof(out));
    return same;
}

int pwr_hash_verify(const char *pw, const char *stored, struct pwr_err *err)
{
    if (pw == NULL || stored == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "pwr_hash_verify: NULL argument");
    if (!pwr_hash_usable(stored))
        return 0;
    if (pwr_crypto_init(err) < 0)
        return -1;
    if (is_argon2id(stored))
        return crypto_pwhash_str_verify(stored, pw, strlen(pw)) == 0;
    return verify_crypt(pw, stored);
}

/* Fixed salt: the dummy hash is thrown away, only its cost matters. */
static const unsigned char dummy_salt[SALT_BYTES] = "pwreset-dummy-0";

void pwr_hash_dummy(const char *pw, const struct pwr_hash_params *params)
{
    unsigned char out[32];
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    unsigned cost = effective_cost(params);

    if (pw == NULL)
        pw = "";
    if (cost == 0 || sodium_init() < 0)
        return;
    if (params->method == PWR_HASH_ARGON2ID) {
        if (crypto_pwhash(out, sizeof(out), pw, strlen(pw), dummy_salt, cost,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE,
                          crypto_pwhash_ALG_ARGON2ID13) == 0)
            sodium_memzero(out, sizeof(out));
        return;
    }
    if (yescrypt_setting(cost, dummy_salt, setting, sizeof(setting)) == 0)
        (void)run_crypt(pw, setting, NULL, 0);
}

const char *pwr_hash_method_name(enum pwr_hash_method m)
{
    switch (m) {
    case PWR_HASH_YESCRYPT:
        return "yescrypt";
    case PWR_HASH_ARGON2ID:
        return "argon2id";
    }
    return "unknown";
}

int pwr_hash_method_parse(const char *name, enum pwr_hash_method *m)
{
    if (name != NULL && strcmp(name, "yescrypt") == 0)
        *m = PWR_HASH_YESCRYPT;
    else if (name != NULL && strcmp(name, "argon2id") == 0)
        *m = PWR_HASH_ARGON2ID;
    else
        return -1;
    return 0;
}
