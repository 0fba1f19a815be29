/* test_hash.c - unit tests of lib/crypto/pwr_hash.c: making and verifying password
 * hashes, refusing unusable stored values, the dummy verification (that
 * it runs the configured hash; its time is measured in bench/enumeration).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <crypt.h>
#include <string.h>

#include "pwr_hash.h"
#include "pwr_secret.h"
#include "testutil.h"

static const struct pwr_hash_params yescrypt_fast = {PWR_HASH_YESCRYPT, 1};
static const struct pwr_hash_params argon2id_fast = {PWR_HASH_ARGON2ID, 1};

/* A libxcrypt hash of pw with the method of prefix at cost count (fixed
 * salt bytes). */
static void crypt_hash(const char *prefix, unsigned long count, const char *pw,
                       char *out, size_t outsz)
{
    static const char rbytes[16] = "0123456789abcdef";
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data cd;

    memset(&cd, 0, sizeof(cd));
    ck_assert_ptr_nonnull(crypt_gensalt_rn(prefix, count, rbytes, sizeof(rbytes),
                                           setting, sizeof(setting)));
    ck_assert_ptr_nonnull(crypt_rn(pw, setting, &cd, sizeof(cd)));
    ck_assert_int_lt(strlen(cd.output), outsz);
    memcpy(out, cd.output, strlen(cd.output) + 1);
}

START_TEST(test_yescrypt_hash_verifies_the_right_password_only)
{
    char h[PWR_HASH_MAX];
    struct pwr_err err;

    ck_assert_int_eq(pwr_hash_make("correct horse", &yescrypt_fast, h, &err), 0);
    ck_assert_str_eq(pwr_hash_method_name(PWR_HASH_YESCRYPT), "yescrypt");
    ck_assert_int_eq(strncmp(h, "$y$", 3), 0);
    ck_assert_int_eq(pwr_hash_usable(h), 1);
    ck_assert_int_eq(pwr_hash_verify("correct horse", h, &err), 1);
    ck_assert_int_eq(pwr_hash_verify("correct horsE", h, &err), 0);
    ck_assert_int_eq(pwr_hash_verify("", h, &err), 0);
}
END_TEST

START_TEST(test_yescrypt_default_cost_is_5_and_salts_differ)
{
    struct pwr_hash_params def = {PWR_HASH_YESCRYPT, 0}, five = {PWR_HASH_YESCRYPT, 5};
    char a[PWR_HASH_MAX], b[PWR_HASH_MAX];
    struct pwr_err err;

    ck_assert_int_eq(pwr_hash_make("same password", &def, a, &err), 0);
    ck_assert_int_eq(pwr_hash_make("same password", &five, b, &err), 0);
    /* "j9T" encodes yescrypt cost 5 in libxcrypt's setting string */
    ck_assert_int_eq(strncmp(a, "$y$j9T$", 7), 0);
    ck_assert_int_eq(strncmp(b, "$y$j9T$", 7), 0);
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(pwr_hash_verify("same password", a, &err), 1);
    ck_assert_int_eq(pwr_hash_verify("same password", b, &err), 1);
}
END_TEST

START_TEST(test_argon2id_hash_verifies_the_right_password_only)
{
    char h[PWR_HASH_MAX];
    struct pwr_err err;

    ck_assert_int_eq(pwr_hash_make("correct horse", &argon2id_fast, h, &err), 0);
    ck_assert_int_eq(strncmp(h, "$argon2id$", 10), 0);
    ck_assert_ptr_nonnull(strstr(h, "m=65536,t=1,"));
    ck_assert_int_eq(pwr_hash_usable(h), 1);
    ck_assert_int_eq(pwr_hash_verify("correct horse", h, &err), 1);
    ck_assert_int_eq(pwr_hash_verify("correct horsE", h, &err), 0);
}
END_TEST

START_TEST(test_cost_out_of_range_is_a_config_error)
{
    struct pwr_hash_params y12 = {PWR_HASH_YESCRYPT, 12}, a11 = {PWR_HASH_ARGON2ID, 11};
    char h[PWR_HASH_MAX] = "junk";
    struct pwr_err err;

    ck_assert_int_eq(pwr_hash_make("pw", &y12, h, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_CONFIG);
    ck_assert_str_eq(h, "");
    ck_assert_int_eq(pwr_hash_make("pw", &a11, h, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_CONFIG);
}
END_TEST

/* Cheapest cost of each method, to keep the test quick. */
START_TEST(test_other_libxcrypt_hashes_verify)
{
    static const struct {
        const char *prefix;
        unsigned long count;
    } methods[] = {{"$6$", 1000}, {"$5$", 1000}, {"$1$", 0}, {"$2b$", 4},
                   {"$y$", 1},    {"$gy$", 1},   {"$7$", 6}};
    char h[CRYPT_OUTPUT_SIZE];
    struct pwr_err err;
    size_t i;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        crypt_hash(methods[i].prefix, methods[i].count, "imported secret", h,
                   sizeof(h));
        ck_assert_msg(pwr_hash_verify("imported secret", h, &err) == 1, "%s", h);
        ck_assert_msg(pwr_hash_verify("imported secreT", h, &err) == 0, "%s", h);
    }
}
END_TEST

START_TEST(test_verify_needs_the_whole_stored_string)
{
    char h[PWR_HASH_MAX], cut[PWR_HASH_MAX], longer[PWR_HASH_MAX + 2];
    struct pwr_err err;
    size_t n;

    crypt_hash("$6$", 1000, "pw-whole", h, sizeof(h));
    n = strlen(h);
    memcpy(cut, h, n - 1);
    cut[n - 1] = '\0';
    snprintf(longer, sizeof(longer), "%sA", h);
    ck_assert_int_eq(pwr_hash_verify("pw-whole", h, &err), 1);
    ck_assert_int_eq(pwr_hash_verify("pw-whole", cut, &err), 0);
    ck_assert_int_eq(pwr_hash_verify("pw-whole", longer, &err), 0);
}
END_TEST

START_TEST(test_unusable_stored_values_never_verify)
{
    char good[PWR_HASH_MAX], locked[PWR_HASH_MAX + 1], star[PWR_HASH_MAX + 1];
    const char *bad[] = {"", "*", "!", "!!", "*0", "*1", "*LK*", "x", "$y$",
                         "$y$j9T$abc$", "$nt$",
                         "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
                         "$argon2id$garbage", locked, star};
    struct pwr_err err;
    size_t i;

    ck_assert_int_eq(pwr_hash_make("pw", &yescrypt_fast, good, &err), 0);
    snprintf(locked, sizeof(locked), "!%s", good);
    snprintf(star, sizeof(star), "*%s", good);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(pwr_hash_verify("pw", bad[i], &err) == 0, "'%s'", bad[i]);
        ck_assert_msg(pwr_hash_verify("", bad[i], &err) == 0, "'%s'", bad[i]);
    }
    for (i = 0; i < 7; i++)
        ck_assert_msg(pwr_hash_usable(bad[i]) == 0, "'%s'", bad[i]);
    ck_assert_int_eq(pwr_hash_usable(locked), 0);
    ck_assert_int_eq(pwr_hash_usable(NULL), 0);
    ck_assert_int_eq(pwr_hash_usable("$nt$"), 0);     /* crypt_checksalt: invalid */
    ck_assert_int_eq(pwr_hash_usable(bad[11]), 0);    /* argon2i is not ours */
}
END_TEST

/* Debian's libxcrypt enables every method; if a build disables some, their
 * hashes must never verify. */
START_TEST(test_disabled_methods_never_verify)
{
    static const char *const legacy[] = {"abJnggxhB/yWI", "_J9..abcdTZ/33djMPto",
                                         "$1$abc$Kb85XxsXB.VXinPhbS4431",
                                         "$3$$8cc19b6a8cfeac299c2871c86b38de28",
                                         "$md5$$xkRuLyPTcJszIXBC6nfo.0"};
    struct pwr_err err;
    size_t i;

    for (i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
        int check = crypt_checksalt(legacy[i]);
        if (check == CRYPT_SALT_METHOD_DISABLED || check == CRYPT_SALT_INVALID) {
            ck_assert_int_eq(pwr_hash_usable(legacy[i]), 0);
            ck_assert_int_eq(pwr_hash_verify("pw", legacy[i], &err), 0);
        } else {
            ck_assert_int_eq(pwr_hash_usable(legacy[i]), 1);
        }
    }
}
END_TEST

START_TEST(test_legacy_descrypt_from_shadow_still_verifies)
{
    char h[CRYPT_OUTPUT_SIZE];
    struct crypt_data cd;
    struct pwr_err err;

    if (crypt_checksalt("ab") != CRYPT_SALT_METHOD_LEGACY)
        return; /* descrypt disabled here: covered by the test above */
    memset(&cd, 0, sizeof(cd));
    ck_assert_ptr_nonnull(crypt_rn("oldpass", "ab", &cd, sizeof(cd)));
    snprintf(h, sizeof(h), "%s", cd.output);
    ck_assert_int_eq(pwr_hash_verify("oldpass", h, &err), 1);
    ck_assert_int_eq(pwr_hash_verify("oldpasS", h, &err), 0);
}
END_TEST

START_TEST(test_phrase_too_long_for_libxcrypt_is_refused_and_never_verifies)
{
    char pw[CRYPT_MAX_PASSPHRASE_SIZE + 1], h[PWR_HASH_MAX];
    struct pwr_err err;

    memset(pw, 'q', sizeof(pw) - 1);
    pw[sizeof(pw) - 1] = '\0';
    ck_assert_int_eq(pwr_hash_make(pw, &yescrypt_fast, h, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_POLICY);
    pw[CRYPT_MAX_PASSPHRASE_SIZE - 1] = '\0'; /* 511 bytes: the longest allowed */
    ck_assert_int_eq(pwr_hash_make(pw, &yescrypt_fast, h, &err), 0);
    ck_assert_int_eq(pwr_hash_verify(pw, h, &err), 1);
    pw[CRYPT_MAX_PASSPHRASE_SIZE - 1] = 'q';
    ck_assert_int_eq(pwr_hash_verify(pw, h, &err), 0);
}
END_TEST

START_TEST(test_verify_with_null_is_an_error)
{
    struct pwr_err err;

    ck_assert_int_eq(pwr_hash_verify(NULL, "$y$", &err), -1);
    ck_assert_int_eq(pwr_hash_verify("pw", NULL, &err), -1);
}
END_TEST

/* ---- the dummy hash runs the configured hash --------------------------------
 * Linked with -Wl,--wrap=crypt_rn,--wrap=crypto_pwhash,
 * --wrap=crypto_pwhash_str_alg: each call is passed on unchanged, and the
 * parameters that decide its cost are kept, so a test can tell that the
 * dummy path (unknown user, unusable hash) computes the same hash as a real
 * one, at the configured cost.  How long either takes is bench/'s business
 * (bench/enumeration). */
char *__real_crypt_rn(const char *pw, const char *setting, void *data, int size);
char *__wrap_crypt_rn(const char *pw, const char *setting, void *data, int size);
int __real_crypto_pwhash(unsigned char *out, unsigned long long outlen,
                         const char *pw, unsigned long long pwlen,
                         const unsigned char *salt, unsigned long long ops,
                         size_t mem, int alg);
int __wrap_crypto_pwhash(unsigned char *out, unsigned long long outlen,
                         const char *pw, unsigned long long pwlen,
                         const unsigned char *salt, unsigned long long ops,
                         size_t mem, int alg);
int __real_crypto_pwhash_str_alg(char *out, const char *pw,
                                 unsigned long long pwlen,
                                 unsigned long long ops, size_t mem, int alg);
int __wrap_crypto_pwhash_str_alg(char *out, const char *pw,
                                 unsigned long long pwlen,
                                 unsigned long long ops, size_t mem, int alg);

/* What the last hash call was asked to do, and how many calls there were. */
static struct {
    unsigned calls;
    char params[64]; /* crypt: the setting through its params, "$y$j9T$" */
    unsigned long long ops;
    size_t mem;
    int alg;
} seen;

/* "$id$params$" of a crypt setting or hash (what decides its cost) into
 * out; "" when it has no such part (descrypt). */
static void crypt_params(const char *setting, char *out, size_t outsz)
{
    const char *p = setting;
    int dollars = 0;

    while (*p != '\0' && dollars < 3)
        if (*p++ == '$')
            dollars++;
    if (dollars < 3 || (size_t)(p - setting) >= outsz)
        p = setting;
    memcpy(out, setting, (size_t)(p - setting));
    out[p - setting] = '\0';
}

char *__wrap_crypt_rn(const char *pw, const char *setting, void *data, int size)
{
    seen.calls++;
    crypt_params(setting, seen.params, sizeof(seen.params));
    return __real_crypt_rn(pw, setting, data, size);
}

int __wrap_crypto_pwhash(unsigned char *out, unsigned long long outlen,
                         const char *pw, unsigned long long pwlen,
                         const unsigned char *salt, unsigned long long ops,
                         size_t mem, int alg)
{
    seen.calls++;
    seen.ops = ops;
    seen.mem = mem;
    seen.alg = alg;
    return __real_crypto_pwhash(out, outlen, pw, pwlen, salt, ops, mem, alg);
}

int __wrap_crypto_pwhash_str_alg(char *out, const char *pw,
                                 unsigned long long pwlen,
                                 unsigned long long ops, size_t mem, int alg)
{
    seen.calls++;
    seen.ops = ops;
    seen.mem = mem;
    seen.alg = alg;
    return __real_crypto_pwhash_str_alg(out, pw, pwlen, ops, mem, alg);
}

START_TEST(test_dummy_runs_the_real_yescrypt_at_the_configured_cost)
{
    static const struct pwr_hash_params cost3 = {PWR_HASH_YESCRYPT, 3};
    static const struct pwr_hash_params cost5 = {PWR_HASH_YESCRYPT, 5};
    char h[PWR_HASH_MAX], real[64], other[64];
    struct pwr_err err;

    ck_assert_int_eq(pwr_hash_make("real", &cost3, h, &err), 0);
    crypt_params(h, real, sizeof(real));
    ck_assert_str_ne(real, "");
    memset(&seen, 0, sizeof(seen));
    pwr_hash_dummy("guess", &cost3);
    ck_assert_uint_eq(seen.calls, 1);
    ck_assert_str_eq(seen.params, real);
    /* the login check of an unknown user: the dummy, once, alike */
    memset(&seen, 0, sizeof(seen));
    ck_assert_int_eq(pwr_hash_login("guess", NULL, &cost3), 0);
    ck_assert_uint_eq(seen.calls, 1);
    ck_assert_str_eq(seen.params, real);
    /* another cost is another setting: the comparison can fail */
    ck_assert_int_eq(pwr_hash_make("real", &cost5, h, &err), 0);
    crypt_params(h, other, sizeof(other));
    ck_assert_str_ne(other, real);
    memset(&seen, 0, sizeof(seen));
    pwr_hash_dummy("guess", &cost5);
    ck_assert_str_eq(seen.params, other);
}
END_TEST

START_TEST(test_dummy_runs_the_real_argon2id_at_the_configured_cost)
{
    static const struct pwr_hash_params cost2 = {PWR_HASH_ARGON2ID, 2};
    char h[PWR_HASH_MAX];
    unsigned long long ops;
    size_t mem;
    int alg;
    struct pwr_err err;

    memset(&seen, 0, sizeof(seen));
    ck_assert_int_eq(pwr_hash_make("real", &cost2, h, &err), 0);
    ck_assert_uint_eq(seen.calls, 1);
    ck_assert_uint_eq(seen.ops, 2);
    ops = seen.ops;
    mem = seen.mem;
    alg = seen.alg;
    memset(&seen, 0, sizeof(seen));
    pwr_hash_dummy("guess", &cost2);
    ck_assert_uint_eq(seen.calls, 1);
    ck_assert_uint_eq(seen.ops, ops);
    ck_assert_uint_eq(seen.mem, mem);
    ck_assert_int_eq(seen.alg, alg);
}
END_TEST

START_TEST(test_dummy_handles_argon2id_null_and_bad_cost)
{
    struct pwr_hash_params bad = {PWR_HASH_YESCRYPT, 99};

    pwr_hash_dummy(NULL, &argon2id_fast);
    pwr_hash_dummy("x", &bad);
    ck_assert_int_eq(pwr_hash_verify("x", "", NULL), 0);
}
END_TEST

START_TEST(test_method_names_parse_and_print)
{
    enum pwr_hash_method m = PWR_HASH_YESCRYPT;

    ck_assert_int_eq(pwr_hash_method_parse("argon2id", &m), 0);
    ck_assert_int_eq(m, PWR_HASH_ARGON2ID);
    ck_assert_str_eq(pwr_hash_method_name(m), "argon2id");
    ck_assert_int_eq(pwr_hash_method_parse("yescrypt", &m), 0);
    ck_assert_int_eq(m, PWR_HASH_YESCRYPT);
    ck_assert_int_eq(pwr_hash_method_parse("sha512", &m), -1);
    ck_assert_int_eq(pwr_hash_method_parse("YESCRYPT", &m), -1);
    ck_assert_int_eq(pwr_hash_method_parse(NULL, &m), -1);
    ck_assert_str_eq(pwr_hash_method_name((enum pwr_hash_method)7), "unknown");
}
END_TEST

static Suite *hash_suite(void)
{
    Suite *s = suite_create("hash");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_yescrypt_hash_verifies_the_right_password_only);
    tcase_add_test(tc, test_yescrypt_default_cost_is_5_and_salts_differ);
    tcase_add_test(tc, test_argon2id_hash_verifies_the_right_password_only);
    tcase_add_test(tc, test_cost_out_of_range_is_a_config_error);
    tcase_add_test(tc, test_other_libxcrypt_hashes_verify);
    tcase_add_test(tc, test_verify_needs_the_whole_stored_string);
    tcase_add_test(tc, test_unusable_stored_values_never_verify);
    tcase_add_test(tc, test_disabled_methods_never_verify);
    tcase_add_test(tc, test_legacy_descrypt_from_shadow_still_verifies);
    tcase_add_test(tc, test_phrase_too_long_for_libxcrypt_is_refused_and_never_verifies);
    tcase_add_test(tc, test_verify_with_null_is_an_error);
    tcase_add_test(tc, test_dummy_runs_the_real_yescrypt_at_the_configured_cost);
    tcase_add_test(tc, test_dummy_runs_the_real_argon2id_at_the_configured_cost);
    tcase_add_test(tc, test_dummy_handles_argon2id_null_and_bad_cost);
    tcase_add_test(tc, test_method_names_parse_and_print);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pwr_test_run(hash_suite());
}
