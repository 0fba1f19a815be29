/* test_decide_hashes.c - how many hashes a login check spends: a password
 * the directory keeps (PWR_HASH_ELSEWHERE) is checked by the backend's
 * bind, so pwr_auth_check spends none on it, while an unknown user and a
 * password stored here still cost their hash.  libxcrypt's crypt_rn is
 * wrapped (-Wl,--wrap) to count the calls; no timing is measured.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <crypt.h>
#include <stdio.h>
#include <string.h>

#include "pwr_decide.h"
#include "pwr_hash.h"
#include "pwr_secret.h"
#include "testutil.h"

char *__real_crypt_rn(const char *phrase, const char *setting, void *data,
                      int size);
char *__wrap_crypt_rn(const char *phrase, const char *setting, void *data,
                      int size);

static unsigned crypt_calls;

char *__wrap_crypt_rn(const char *phrase, const char *setting, void *data,
                      int size)
{
    crypt_calls++;
    return __real_crypt_rn(phrase, setting, data, size);
}

static struct pwr_config cfg;

static void setup(void)
{
    struct pwr_err err;

    ck_assert_int_eq(pwr_crypto_init(&err), 0);
    pwr_config_defaults(&cfg);
    cfg.hash.cost = 3;
}

static unsigned hashes_of(const struct pwr_record *rec, const char *typed,
                          struct pwr_auth_result *res)
{
    crypt_calls = 0;
    pwr_auth_check(rec, typed, &cfg, 1000, res);
    return crypt_calls;
}

START_TEST(directory_password_costs_no_hash_here)
{
    struct pwr_auth_result res;
    struct pwr_record rec;

    pwr_record_init(&rec, "alice");
    snprintf(rec.hash, sizeof(rec.hash), "%s", PWR_HASH_ELSEWHERE);
    ck_assert_uint_eq(hashes_of(&rec, "anything-typed", &res), 0);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
    /* the marker is a password: the account is not passwordless */
    ck_assert_int_eq(pwr_record_passwordless(&rec, 1000, 5), 0);
}
END_TEST

START_TEST(unknown_user_and_local_hash_still_cost_one)
{
    struct pwr_auth_result res;
    struct pwr_record rec;
    struct pwr_err err;

    ck_assert_uint_ge(hashes_of(NULL, "anything-typed", &res), 1);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
    pwr_record_init(&rec, "alice");
    ck_assert_int_eq(pwr_hash_make("Right-Word-1234", &cfg.hash, rec.hash,
                                   &err), 0);
    ck_assert_uint_ge(hashes_of(&rec, "wrong-word", &res), 1);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
    ck_assert_uint_ge(hashes_of(&rec, "Right-Word-1234", &res), 1);
    ck_assert_int_eq(res.outcome, PWR_AUTH_OK);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decide_hashes");
    TCase *tc = tcase_create("hashes");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, directory_password_costs_no_hash_here);
    tcase_add_test(tc, unknown_user_and_local_hash_still_cost_one);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
