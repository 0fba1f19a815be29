/* test_rotate.c - password age (lib/policy/pwr_rotate.c): max_age and warn_age
 * against a fake clock, what pwr_account_check decides from them, and the
 * rotation keys of the configuration.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <string.h>

#include "pwr_decide.h"
#include "pwr_rotate.h"
#include "testutil.h"

#define DAY 86400
#define T0 1800000000LL /* the fake clock's "now" */

static struct pwr_config cfg;

static void setup(void)
{
    pwr_config_defaults(&cfg);
    cfg.hash.cost = 1;
}

static void active(struct pwr_record *rec, int64_t changed)
{
    pwr_record_init(rec, "alice");
    rec->changed = changed;
    snprintf(rec->hash, sizeof(rec->hash), "$y$j9T$placeholder");
}

START_TEST(test_rotation_is_off_by_default)
{
    struct pwr_record rec;
    struct pwr_acct_result ar;
    int64_t exp = 1;

    active(&rec, T0 - 3650LL * DAY);
    ck_assert_int_eq(pwr_rotate_check(&rec, &cfg, T0, &exp), PWR_ROT_NONE);
    ck_assert_int_eq(exp, 0);
    pwr_account_check(&rec, PWR_AM_PASSWORD, &cfg, T0, &ar);
    ck_assert_int_eq(ar.decision, PWR_ACCT_ALLOW);
    ck_assert_str_eq(ar.reason, "ok");
}
END_TEST

START_TEST(test_password_older_than_max_age_must_change)
{
    struct pwr_record rec;
    struct pwr_acct_result ar;
    int64_t exp;

    cfg.max_age = 90 * DAY;
    active(&rec, T0 - 90 * DAY);
    ck_assert_int_eq(pwr_rotate_check(&rec, &cfg, T0, &exp), PWR_ROT_EXPIRED);
    ck_assert_int_eq(exp, T0);
    pwr_account_check(&rec, PWR_AM_PASSWORD, &cfg, T0, &ar);
    ck_assert_int_eq(ar.decision, PWR_ACCT_CHANGE);
    ck_assert_str_eq(ar.reason, "expired");
    ck_assert_ptr_nonnull(strstr(ar.message, "expired"));
    /* a public-key login is caught too: the account stage decides */
    pwr_account_check(&rec, PWR_AM_NONE, &cfg, T0, &ar);
    ck_assert_int_eq(ar.decision, PWR_ACCT_CHANGE);
}
END_TEST

START_TEST(test_one_second_before_max_age_is_still_allowed)
{
    struct pwr_record rec;
    struct pwr_acct_result ar;

    cfg.max_age = 90 * DAY;
    active(&rec, T0 - 90 * DAY + 1);
    pwr_account_check(&rec, PWR_AM_PASSWORD, &cfg, T0, &ar);
    ck_assert_int_eq(ar.decision, PWR_ACCT_ALLOW);
    ck_assert_str_eq(ar.reason, "ok");
}
END_TEST

START_TEST(test_within_warn_age_the_login_says_days_left)
{
    struct pwr_record rec;
    struct pwr_acct_result ar;

    cfg.max_age = 90 * DAY;
    cfg.warn_age = 14 * DAY;
    active(&rec, T0 - 80 * DAY);
    pwr_account_check(&rec, PWR_AM_PASSWORD, &cfg, T0, &ar);
    ck_assert_int_eq(ar.decision, PWR_ACCT_ALLOW);
    ck_assert_str_eq(ar.reason, "expires_soon");
    ck_assert_ptr_nonnull(strstr(ar.message, "expires in 10 day(s)"));
    /* half a day left still counts as a day, never as 0 */
    active(&rec, T0 - 90 * DAY + DAY / 2);
    pwr_account_check(&rec, PWR_AM_PASSWORD, &cfg, T0, &ar);
    ck_assert_ptr_nonnull(strstr(ar.message, "expires in 1 day(s)"));
    /* outside warn_age: nothing said */
    active(&rec, T0 - 10 * DAY);
    pwr_account_check(&rec, PWR_AM_PASSWORD, &cfg, T0, &ar);
    ck_assert_str_eq(ar.reason, "ok");
    ck_assert_str_eq(ar.message, "");
}
END_TEST

START_TEST(test_clock_behind_the_last_change_never_flags_or_warns)
{
    struct pwr_record rec;
    struct pwr_acct_result ar;

    cfg.max_age = 2 * DAY;
    cfg.warn_age = 5 * DAY; /* would warn for any age */
    active(&rec, T0 + 1000 * DAY);
    ck_assert_int_eq(pwr_rotate_check(&rec, &cfg, T0, NULL), PWR_ROT_NONE);
    pwr_account_check(&rec, PWR_AM_PASSWORD, &cfg, T0, &ar);
    ck_assert_int_eq(ar.decision, PWR_ACCT_ALLOW);
    ck_assert_str_eq(ar.reason, "ok");
}
END_TEST

START_TEST(test_never_changed_and_huge_dates_are_not_judged)
{
    struct pwr_record rec;

    cfg.max_age = 90 * DAY;
    active(&rec, 0);
    ck_assert_int_eq(pwr_rotate_check(&rec, &cfg, T0, NULL), PWR_ROT_NONE);
    active(&rec, INT64_MAX - 5);
    ck_assert_int_eq(pwr_rotate_check(&rec, &cfg, T0, NULL), PWR_ROT_NONE);
    active(&rec, -5);
    ck_assert_int_eq(pwr_rotate_check(&rec, &cfg, T0, NULL), PWR_ROT_NONE);
}
END_TEST

START_TEST(test_status_and_forced_change_come_before_rotation)
{
    struct pwr_record rec;
    struct pwr_acct_result ar;

    cfg.max_age = DAY;
    active(&rec, T0 - 100 * DAY);
    rec.status = PWR_ST_BLOCKED;
    pwr_account_check(&rec, PWR_AM_PASSWORD, &cfg, T0, &ar);
    ck_assert_str_eq(ar.reason, "blocked");
    rec.status = PWR_ST_ACTIVE;
    rec.flags = PWR_F_MUST_CHANGE;
    pwr_account_check(&rec, PWR_AM_PASSWORD, &cfg, T0, &ar);
    ck_assert_str_eq(ar.reason, "must_change");
}
END_TEST

START_TEST(test_rotation_keys_parse_and_default_to_off)
{
    struct pwr_err err;

    ck_assert_int_eq(cfg.max_age, 0);
    ck_assert_int_eq(cfg.warn_age, 0);
    ck_assert_int_eq(cfg.history, 0);
    ck_assert_int_eq(pwr_config_set(&cfg, "max_age", "90d", &err), 0);
    ck_assert_int_eq(cfg.max_age, 90 * DAY);
    ck_assert_int_eq(pwr_config_set(&cfg, "warn_age", "0", &err), 0);
    ck_assert_int_eq(pwr_config_set(&cfg, "max_age", "1h", &err), -1);
    ck_assert_int_eq(pwr_config_set(&cfg, "history", "11", &err), -1);
    ck_assert_int_eq(pwr_config_set(&cfg, "history", "10", &err), 0);
    ck_assert_int_eq(pwr_config_set(&cfg, "notify_mail", "yes", &err), 0);
    ck_assert_uint_eq(cfg.notify_mail, 1);
    ck_assert_str_eq(cfg.sendmail, "/usr/sbin/sendmail");
    ck_assert_int_eq(pwr_config_set(&cfg, "sendmail", "sendmail", &err), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rotate");
    TCase *tc = tcase_create("rotation");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_rotation_is_off_by_default);
    tcase_add_test(tc, test_password_older_than_max_age_must_change);
    tcase_add_test(tc, test_one_second_before_max_age_is_still_allowed);
    tcase_add_test(tc, test_within_warn_age_the_login_says_days_left);
    tcase_add_test(tc, test_clock_behind_the_last_change_never_flags_or_warns);
    tcase_add_test(tc, test_never_changed_and_huge_dates_are_not_judged);
    tcase_add_test(tc, test_status_and_forced_change_come_before_rotation);
    tcase_add_test(tc, test_rotation_keys_parse_and_default_to_off);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
