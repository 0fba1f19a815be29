/* test_decide.c - the account model's decisions: which secret authenticates,
 * who may log in, who must change, which accounts may be reset.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <string.h>

#include "pwr_decide.h"
#include "pwr_hash.h"
#include "pwr_secret.h"
#include "testutil.h"

#define PW "the-right-password-123"
#define CODE "abcde-fghjk-mnpqr-stuvw"

static struct pwr_config cfg;

static void setup(void)
{
    struct pwr_err err;

    ck_assert_int_eq(pwr_crypto_init(&err), 0);
    pwr_config_defaults(&cfg);
    cfg.hash.cost = 3;
}

static void make(struct pwr_record *rec, enum pwr_status st, unsigned flags)
{
    struct pwr_err err;

    pwr_record_init(rec, "alice");
    rec->status = st;
    rec->flags = flags;
    ck_assert_int_eq(pwr_hash_make(PW, &cfg.hash, rec->hash, &err), 0);
}

static void add_code(struct pwr_record *rec, int64_t expires, unsigned tries)
{
    struct pwr_err err;

    ck_assert_int_eq(pwr_code_hash(CODE, rec->code_hash, &err), 0);
    rec->code_expires = expires;
    rec->code_tries = tries;
}

START_TEST(test_password_authenticates_and_wrong_one_does_not)
{
    struct pwr_record rec;
    struct pwr_auth_result res;

    make(&rec, PWR_ST_ACTIVE, 0);
    pwr_auth_check(&rec, PW, &cfg, 1000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_OK);
    ck_assert_int_eq(res.method, PWR_AM_PASSWORD);
    pwr_auth_check(&rec, "nope-nope-nope", &cfg, 1000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
    ck_assert_int_eq(res.code_try, 0);
}
END_TEST

START_TEST(test_unknown_user_never_authenticates)
{
    struct pwr_auth_result res;

    pwr_auth_check(NULL, PW, &cfg, 1000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
    ck_assert_int_eq(res.method, PWR_AM_NONE);
}
END_TEST

START_TEST(test_live_code_authenticates_in_any_case_and_spacing)
{
    struct pwr_record rec;
    struct pwr_auth_result res;

    make(&rec, PWR_ST_ACTIVE, 0);
    add_code(&rec, 2000, 0);
    pwr_auth_check(&rec, "ABCDE FGHJK MNPQR STUVW", &cfg, 1000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_OK);
    ck_assert_int_eq(res.method, PWR_AM_CODE);
}
END_TEST

START_TEST(test_expired_or_exhausted_code_is_refused)
{
    struct pwr_record rec;
    struct pwr_auth_result res;

    make(&rec, PWR_ST_ACTIVE, 0);
    add_code(&rec, 1000, 0);
    pwr_auth_check(&rec, CODE, &cfg, 1000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
    add_code(&rec, 2000, cfg.reset_code_max_attempts);
    pwr_auth_check(&rec, CODE, &cfg, 1000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
}
END_TEST

START_TEST(test_code_shaped_wrong_answer_counts_as_a_try_only_when_a_code_is_live)
{
    struct pwr_record rec;
    struct pwr_auth_result res;

    make(&rec, PWR_ST_ACTIVE, 0);
    pwr_auth_check(&rec, "zzzzz-zzzzz-zzzzz-zzzzz", &cfg, 1000, &res);
    ck_assert_int_eq(res.code_try, 0);
    add_code(&rec, 2000, 0);
    pwr_auth_check(&rec, "zzzzz-zzzzz-zzzzz-zzzzz", &cfg, 1000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
    ck_assert_int_eq(res.code_try, 1);
    pwr_auth_check(&rec, "a mistyped old password", &cfg, 1000, &res);
    ck_assert_int_eq(res.code_try, 0);
}
END_TEST

START_TEST(test_blocked_account_has_no_live_code)
{
    struct pwr_record rec;
    struct pwr_auth_result res;

    make(&rec, PWR_ST_BLOCKED, 0);
    add_code(&rec, 2000, 0);
    pwr_auth_check(&rec, CODE, &cfg, 1000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
}
END_TEST

START_TEST(test_temporary_password_expires)
{
    struct pwr_record rec;
    struct pwr_auth_result res;

    make(&rec, PWR_ST_ACTIVE, PWR_F_TEMPORARY | PWR_F_MUST_CHANGE);
    rec.temp_expires = 2000;
    pwr_auth_check(&rec, PW, &cfg, 1999, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_OK);
    ck_assert_int_eq(res.method, PWR_AM_TEMPORARY);
    pwr_auth_check(&rec, PW, &cfg, 2000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_TEMP_EXPIRED);
}
END_TEST

START_TEST(test_deleted_and_pending_accounts_never_match_a_password)
{
    struct pwr_record rec;
    struct pwr_auth_result res;

    make(&rec, PWR_ST_DELETED, 0);
    pwr_auth_check(&rec, PW, &cfg, 1000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
    make(&rec, PWR_ST_PENDING, 0);
    pwr_auth_check(&rec, PW, &cfg, 1000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
}
END_TEST

START_TEST(test_account_stage_denies_each_closed_status_with_its_reason)
{
    static const struct {
        enum pwr_status st;
        const char *reason, *words;
    } cases[] = {
        {PWR_ST_BLOCKED, "blocked", "blocked"},
        {PWR_ST_INACTIVE, "inactive", "deactivated"},
        {PWR_ST_DELETED, "deleted", "deleted"},
        {PWR_ST_PENDING, "pending", "not set up"},
    };
    struct pwr_record rec;
    struct pwr_acct_result ar;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        make(&rec, cases[i].st, 0);
        pwr_account_check(&rec, PWR_AM_PASSWORD, &cfg, 1000, &ar);
        ck_assert_int_eq(ar.decision, PWR_ACCT_DENY);
        ck_assert_str_eq(ar.reason, cases[i].reason);
        ck_assert_ptr_nonnull(strstr(ar.message, cases[i].words));
        ck_assert_ptr_nonnull(strstr(ar.message, cfg.contact));
    }
}
END_TEST

START_TEST(test_account_stage_requires_change_when_flagged_or_after_code)
{
    struct pwr_record rec;
    struct pwr_acct_result ar;

    make(&rec, PWR_ST_ACTIVE, PWR_F_MUST_CHANGE);
    pwr_account_check(&rec, PWR_AM_NONE, &cfg, 1000, &ar);
    ck_assert_int_eq(ar.decision, PWR_ACCT_CHANGE);
    ck_assert_str_eq(ar.reason, "must_change");
    make(&rec, PWR_ST_ACTIVE, 0);
    pwr_account_check(&rec, PWR_AM_CODE, &cfg, 1000, &ar);
    ck_assert_int_eq(ar.decision, PWR_ACCT_CHANGE);
    make(&rec, PWR_ST_PENDING, 0);
    pwr_account_check(&rec, PWR_AM_CODE, &cfg, 1000, &ar);
    ck_assert_int_eq(ar.decision, PWR_ACCT_CHANGE);
    make(&rec, PWR_ST_ACTIVE, PWR_F_TEMPORARY);
    pwr_account_check(&rec, PWR_AM_TEMPORARY, &cfg, 1000, &ar);
    ck_assert_int_eq(ar.decision, PWR_ACCT_ALLOW); /* must_change turned off */
    make(&rec, PWR_ST_ACTIVE, 0);
    pwr_account_check(&rec, PWR_AM_PASSWORD, &cfg, 1000, &ar);
    ck_assert_int_eq(ar.decision, PWR_ACCT_ALLOW);
}
END_TEST

/* issue 8: only an active account with no password and no live code may
 * set a password without a current one. */
START_TEST(test_only_an_active_account_without_any_password_is_passwordless)
{
    struct pwr_record rec;
    int64_t now = 1000000;

    pwr_record_init(&rec, "kim");
    ck_assert(pwr_record_passwordless(&rec, now, 5));
    rec.flags = PWR_F_MUST_CHANGE;
    ck_assert(pwr_record_passwordless(&rec, now, 5));
    add_code(&rec, now + 60, 0);
    ck_assert(!pwr_record_passwordless(&rec, now, 5));
    add_code(&rec, now - 60, 0); /* an expired code is no secret */
    ck_assert(pwr_record_passwordless(&rec, now, 5));
    rec.status = PWR_ST_PENDING;
    ck_assert(!pwr_record_passwordless(&rec, now, 5));
    rec.status = PWR_ST_BLOCKED;
    ck_assert(!pwr_record_passwordless(&rec, now, 5));
    make(&rec, PWR_ST_ACTIVE, 0);
    ck_assert(!pwr_record_passwordless(&rec, now, 5));
}
END_TEST

START_TEST(test_only_active_and_pending_accounts_are_eligible_for_resets)
{
    struct pwr_record rec;
    struct pwr_err err;

    make(&rec, PWR_ST_ACTIVE, 0);
    ck_assert_int_eq(pwr_reset_eligible(&rec, &err), 0);
    rec.status = PWR_ST_PENDING;
    ck_assert_int_eq(pwr_reset_eligible(&rec, &err), 0);
    rec.status = PWR_ST_DELETED;
    ck_assert_int_eq(pwr_reset_eligible(&rec, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_INELIGIBLE);
    ck_assert_ptr_nonnull(strstr(err.msg, "deleted"));
    rec.status = PWR_ST_BLOCKED;
    ck_assert_int_eq(pwr_reset_eligible(&rec, &err), -1);
}
END_TEST

/* Issue 14: what passwd -l / usermod -L leave is a lock; what useradd and
 * adduser --disabled-password leave ("!", "*") is no password, not a lock. */
START_TEST(test_shadow_lock_is_a_bang_in_front_of_a_password)
{
    ck_assert_int_eq(pwr_shadow_locked("!$y$j9T$abcdefghijklmnop$"
                                       "0123456789012345678901234567890123456789012"), 1);
    ck_assert_int_eq(pwr_shadow_locked("!!"), 1);
    ck_assert_int_eq(pwr_shadow_locked("!"), 0);
    ck_assert_int_eq(pwr_shadow_locked("*"), 0);
    ck_assert_int_eq(pwr_shadow_locked("!*"), 0);
    ck_assert_int_eq(pwr_shadow_locked(""), 0);
    ck_assert_int_eq(pwr_shadow_locked(NULL), 0);
    ck_assert_int_eq(pwr_shadow_locked("$y$j9T$abcdefghijklmnop$"
                                       "0123456789012345678901234567890123456789012"), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decide");
    TCase *tc = tcase_create("decide");

    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_password_authenticates_and_wrong_one_does_not);
    tcase_add_test(tc, test_unknown_user_never_authenticates);
    tcase_add_test(tc, test_live_code_authenticates_in_any_case_and_spacing);
    tcase_add_test(tc, test_expired_or_exhausted_code_is_refused);
    tcase_add_test(tc, test_code_shaped_wrong_answer_counts_as_a_try_only_when_a_code_is_live);
    tcase_add_test(tc, test_blocked_account_has_no_live_code);
    tcase_add_test(tc, test_temporary_password_expires);
    tcase_add_test(tc, test_deleted_and_pending_accounts_never_match_a_password);
    tcase_add_test(tc, test_account_stage_denies_each_closed_status_with_its_reason);
    tcase_add_test(tc, test_account_stage_requires_change_when_flagged_or_after_code);
    tcase_add_test(tc, test_only_active_and_pending_accounts_are_eligible_for_resets);
    tcase_add_test(tc, test_only_an_active_account_without_any_password_is_passwordless);
    tcase_add_test(tc, test_shadow_lock_is_a_bang_in_front_of_a_password);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
