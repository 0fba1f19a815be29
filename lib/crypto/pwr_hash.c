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
 *    much for a PAM caller's thread stack, and wiped before it is freed;
 *  - a typed password longer than the stored method uses never
 *    verifies: descrypt reads 8 bytes and bcrypt 72, so "password1XXX"
 *    would otherwise open a descrypt "password123" account;
 *  - a login check (pwr_hash_login) that fails takes the same
 *    time whatever the account holds: see "Login timing" below.
 */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

    /* The directory keeps the password (and checks it by a bind). */
    if (stored != NULL && strcmp(stored, PWR_HASH_ELSEWHERE) == 0)
        return 1;
    if (stored == NULL || stored[0] == '\0' || stored[0] == '!' ||
        stored[0] == '*')
        return 0;
    if (is_argon2id(stored))
        return strnlen(stored, crypto_pwhash_STRBYTES) < crypto_pwhash_STRBYTES;
    check = crypt_checksalt(stored);
    return check != CRYPT_SALT_INVALID && check != CRYPT_SALT_METHOD_DISABLED;
}

/* descrypt: 13 characters of [./0-9A-Za-z], no method prefix. */
static int is_descrypt(const char *stored)
{
    static const char alphabet[] =
        "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    return strlen(stored) == 13 && strspn(stored, alphabet) == 13;
}

size_t pwr_hash_input_limit(const char *stored)
{
    if (stored == NULL)
        return 0;
    if (is_descrypt(stored))
        return 8;
    if (strncmp(stored, "$2a$", 4) == 0 || strncmp(stored, "$2b$", 4) == 0 ||
        strncmp(stored, "$2x$", 4) == 0 || strncmp(stored, "$2y$", 4) == 0)
        return 72;
    return 0;
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
    if (pwr_hash_input_limit(stored) != 0 &&
        strlen(pw) > pwr_hash_input_limit(stored))
        return 0; /* the method would check only a prefix of it */
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

/* ---- Login timing ---------------------------------------------------------
 * A failed login check must not tell an unknown user, a native hash (the
 * configured method and cost), and an imported hash of another method or
 * cost apart.  A descrypt or md5crypt check takes microseconds, sha512crypt
 * or bcrypt a few milliseconds, yescrypt at the default cost tens of them.
 * Running a dummy hash at the configured cost after a cheaper one still
 * leaves the cheaper hash's own time on top; knowing the configured hash's
 * time in advance would need a calibration that a PAM module, started anew
 * for each connection, cannot keep.  So every check first computes one
 * hash at the configured cost and measures its time, d: the verification
 * itself when the stored hash is native, else a dummy, followed by the
 * stored hash.  A failure then sleeps until PAD_FACTOR * d has passed since
 * the check began, and takes 3d whatever the account holds, as long as the
 * stored hash costs at most 2d.  d is always the first work of the call,
 * so it is measured alike on every path: on a loaded machine the scheduler
 * runs a task that has just woken at full speed and then stretches it, and
 * a d measured after the stored hash came out longer and was multiplied
 * with it (bench/enumeration at load 18 on 2 cores: sha512crypt and bcrypt
 * then failed 9 to 12 ms slower than a native hash).  The room up to 3d
 * takes the stored hash's own stretching.  A costlier stored hash is not
 * padded down.  The sleep costs no CPU, only a failure's latency, which the
 * failure delay dwarfs.  A success returns at once (its time tells nothing
 * to someone who has the password); with a non-native hash it has cost the
 * dummy too, until the user's next password change makes the hash native. */
#define PAD_FACTOR 3

/* "$y$j9T$" for the configured cost, "$argon2id$v=19$m=65536,t=2,p=1$". */
static int native_prefix(const struct pwr_hash_params *params, char *out,
                         size_t size)
{
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    unsigned cost = effective_cost(params);
    const char *end;
    size_t len;

    if (cost == 0)
        return -1;
    if (params->method == PWR_HASH_ARGON2ID) {
        int n = snprintf(out, size, "%sv=19$m=%zu,t=%u,p=1$", argon2id_prefix,
                         (size_t)crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024u,
                         cost);

        return n > 0 && (size_t)n < size ? 0 : -1;
    }
    if (yescrypt_setting(cost, dummy_salt, setting, sizeof(setting)) < 0 ||
        (end = strchr(setting + 3, '$')) == NULL)
        return -1;
    len = (size_t)(end - setting) + 1; /* through the '$' after the params */
    if (len >= size)
        return -1;
    memcpy(out, setting, len);
    out[len] = '\0';
    return 0;
}

static int is_native(const char *stored, const struct pwr_hash_params *params)
{
    char prefix[96];

    return native_prefix(params, prefix, sizeof(prefix)) == 0 &&
           strncmp(stored, prefix, strlen(prefix)) == 0;
}

static struct timespec now_mono(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
}

static int64_t ns_between(struct timespec a, struct timespec b)
{
    return (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 +
           (b.tv_nsec - a.tv_nsec);
}

/* Sleep until start + ns. */
static void pad_until(struct timespec start, int64_t ns)
{
    struct timespec until = start;

    if (ns <= 0)
        return;
    until.tv_sec += (time_t)(ns / 1000000000);
    until.tv_nsec += (long)(ns % 1000000000);
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) ==
           EINTR)
        ;
}

int pwr_hash_login(const char *pw, const char *stored,
                   const struct pwr_hash_params *params)
{
    struct timespec start = now_mono();
    int usable = stored != NULL && pw != NULL && pwr_hash_usable(stored);
    int64_t d;

    if (usable && is_native(stored, params)) {
        if (pwr_hash_verify(pw, stored, NULL) == 1)
            return 1;
        d = ns_between(start, now_mono());
    } else {
        pwr_hash_dummy(pw, params);
        d = ns_between(start, now_mono());
        if (usable && pwr_hash_verify(pw, stored, NULL) == 1)
            return 1;
    }
    pad_until(start, PAD_FACTOR * d);
    return 0;
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
