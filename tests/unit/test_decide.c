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

/* ---- pwr_auth_check: one row a case ---------------------------------------
 * The record is made with PW as its password; code_exp/code_tries give it
 * CODE (0: no code); temp_exp makes PW a temporary password expiring then.
 * Every row is checked at NOW. */
#define NOW 1000
#define NO_RECORD 99 /* status value: pwr_auth_check gets NULL (unknown user) */
#define USED_UP 1000u /* code_tries value: as many as reset_code_max_attempts */

static const struct auth_case {
    const char *what;
    int status;
    unsigned flags;
    int64_t temp_exp, code_exp;
    unsigned code_tries; /* USED_UP: the configured maximum */
    const char *typed;
    enum pwr_auth_outcome outcome;
    enum pwr_auth_method method;
    int code_try;
} auth_cases[] = {
    {"the password authenticates", PWR_ST_ACTIVE, 0, 0, 0, 0, PW,
     PWR_AUTH_OK, PWR_AM_PASSWORD, 0},
    {"a wrong password does not", PWR_ST_ACTIVE, 0, 0, 0, 0,
     "nope-nope-nope", PWR_AUTH_WRONG, PWR_AM_NONE, 0},
    {"an unknown user never authenticates", NO_RECORD, 0, 0, 0, 0, PW,
     PWR_AUTH_WRONG, PWR_AM_NONE, 0},
    {"a live code authenticates in any case and spacing", PWR_ST_ACTIVE, 0,
     0, 2000, 0, "ABCDE FGHJK MNPQR STUVW", PWR_AUTH_OK, PWR_AM_CODE, 0},
    {"a pending account's setup code authenticates", PWR_ST_PENDING, 0, 0,
     2000, 0, CODE, PWR_AUTH_OK, PWR_AM_CODE, 0},
    {"an expired code is refused", PWR_ST_ACTIVE, 0, 0, NOW, 0, CODE,
     PWR_AUTH_WRONG, PWR_AM_NONE, 0},
    {"an exhausted code is refused", PWR_ST_ACTIVE, 0, 0, 2000, USED_UP, CODE,
     PWR_AUTH_WRONG, PWR_AM_NONE, 0},
    {"a blocked account has no live code", PWR_ST_BLOCKED, 0, 0, 2000, 0,
     CODE, PWR_AUTH_WRONG, PWR_AM_NONE, 0},
    {"a code-shaped wrong answer is no try without a live code",
     PWR_ST_ACTIVE, 0, 0, 0, 0, "zzzzz-zzzzz-zzzzz-zzzzz", PWR_AUTH_WRONG,
     PWR_AM_NONE, 0},
    {"a code-shaped wrong answer is a try while a code is live",
     PWR_ST_ACTIVE, 0, 0, 2000, 0, "zzzzz-zzzzz-zzzzz-zzzzz", PWR_AUTH_WRONG,
     PWR_AM_NONE, 1},
    {"a mistyped old password is no try while a code is live",
     PWR_ST_ACTIVE, 0, 0, 2000, 0, "a mistyped old password", PWR_AUTH_WRONG,
     PWR_AM_NONE, 0},
    {"a temporary password works until it expires", PWR_ST_ACTIVE,
     PWR_F_TEMPORARY | PWR_F_MUST_CHANGE, NOW + 1, 0, 0, PW, PWR_AUTH_OK,
     PWR_AM_TEMPORARY, 0},
    {"a temporary password is expired from its expiry on", PWR_ST_ACTIVE,
     PWR_F_TEMPORARY | PWR_F_MUST_CHANGE, NOW, 0, 0, PW,
     PWR_AUTH_TEMP_EXPIRED, PWR_AM_TEMPORARY, 0},
    {"a temporary password without an expiry does not expire", PWR_ST_ACTIVE,
     PWR_F_TEMPORARY, 0, 0, 0, PW, PWR_AUTH_OK, PWR_AM_TEMPORARY, 0},
    {"a deleted account never matches a password", PWR_ST_DELETED, 0, 0, 0,
     0, PW, PWR_AUTH_WRONG, PWR_AM_NONE, 0},
    {"a pending account never matches a password", PWR_ST_PENDING, 0, 0, 0,
     0, PW, PWR_AUTH_WRONG, PWR_AM_NONE, 0},
};

START_TEST(test_auth_check_decides_each_case_as_its_row_says)
{
    const struct auth_case *c = &auth_cases[_i];
    struct pwr_record rec;
    struct pwr_auth_result res;
    int known = c->status != NO_RECORD;

    make(&rec, known ? (enum pwr_status)c->status : PWR_ST_ACTIVE, c->flags);
    rec.temp_expires = c->temp_exp;
    if (c->code_exp != 0)
        add_code(&rec, c->code_exp, c->code_tries == USED_UP
                                        ? cfg.reset_code_max_attempts
                                        : c->code_tries);
    pwr_auth_check(known ? &rec : NULL, c->typed, &cfg, NOW, &res);
    ck_assert_msg(res.outcome == c->outcome, "%s: outcome %d, want %d",
                  c->what, (int)res.outcome, (int)c->outcome);
    ck_assert_msg(res.method == c->method, "%s: method %s, want %s", c->what,
                  pwr_auth_method_name(res.method),
                  pwr_auth_method_name(c->method));
    ck_assert_msg(res.code_try == c->code_try, "%s: code_try %d, want %d",
                  c->what, res.code_try, c->code_try);
}
END_TEST

/* ---- pwr_account_check: one row a case -------------------------------------
 * age: seconds since the last change (0: never changed); max_age, warn_age
 * the configuration's.  words: in the message ("" : the message is empty);
 * contact: the message ends by naming cfg.contact. */
#define DAY 86400
#define BAD_STATUS 42

static const struct acct_case {
    const char *what;
    int status;
    unsigned flags;
    enum pwr_auth_method method;
    int64_t age, max_age, warn_age;
    enum pwr_acct_decision decision;
    const char *reason, *words;
    int contact;
} acct_cases[] = {
    {"blocked", PWR_ST_BLOCKED, 0, PWR_AM_PASSWORD, 0, 0, 0, PWR_ACCT_DENY,
     "blocked", "blocked", 1},
    {"inactive", PWR_ST_INACTIVE, 0, PWR_AM_PASSWORD, 0, 0, 0, PWR_ACCT_DENY,
     "inactive", "deactivated", 1},
    {"deleted", PWR_ST_DELETED, 0, PWR_AM_PASSWORD, 0, 0, 0, PWR_ACCT_DENY,
     "deleted", "deleted", 1},
    {"pending, by password", PWR_ST_PENDING, 0, PWR_AM_PASSWORD, 0, 0, 0,
     PWR_ACCT_DENY, "pending", "not set up", 1},
    {"pending, by its setup code", PWR_ST_PENDING, 0, PWR_AM_CODE, 0, 0, 0,
     PWR_ACCT_CHANGE, "code", "new account", 0},
    {"a record of no known status", BAD_STATUS, 0, PWR_AM_PASSWORD, 0, 0, 0,
     PWR_ACCT_DENY, "corrupt", "invalid", 1},
    {"flagged, by public key", PWR_ST_ACTIVE, PWR_F_MUST_CHANGE, PWR_AM_NONE,
     0, 0, 0, PWR_ACCT_CHANGE, "must_change", "administrator requires", 0},
    {"by a reset code", PWR_ST_ACTIVE, 0, PWR_AM_CODE, 0, 0, 0,
     PWR_ACCT_CHANGE, "code", "reset code", 0},
    {"by a temporary password that must be changed", PWR_ST_ACTIVE,
     PWR_F_TEMPORARY | PWR_F_MUST_CHANGE, PWR_AM_TEMPORARY, 0, 0, 0,
     PWR_ACCT_CHANGE, "temporary", "temporary password", 0},
    {"by a temporary password, must_change turned off", PWR_ST_ACTIVE,
     PWR_F_TEMPORARY, PWR_AM_TEMPORARY, 0, 0, 0, PWR_ACCT_ALLOW, "ok", "", 0},
    {"by password", PWR_ST_ACTIVE, 0, PWR_AM_PASSWORD, 0, 0, 0,
     PWR_ACCT_ALLOW, "ok", "", 0},
    {"by password, older than max_age", PWR_ST_ACTIVE, 0, PWR_AM_PASSWORD,
     90 * DAY, 90 * DAY, 0, PWR_ACCT_CHANGE, "expired", "expired", 0},
    {"by password, within warn_age", PWR_ST_ACTIVE, 0, PWR_AM_PASSWORD,
     80 * DAY, 90 * DAY, 14 * DAY, PWR_ACCT_ALLOW, "expires_soon",
     "expires in 10 day(s)", 0},
    {"by password, before warn_age", PWR_ST_ACTIVE, 0, PWR_AM_PASSWORD,
     10 * DAY, 90 * DAY, 14 * DAY, PWR_ACCT_ALLOW, "ok", "", 0},
    {"flagged and older than max_age: the flag's reason", PWR_ST_ACTIVE,
     PWR_F_MUST_CHANGE, PWR_AM_PASSWORD, 100 * DAY, DAY, 0, PWR_ACCT_CHANGE,
     "must_change", "administrator requires", 0},
    {"blocked and older than max_age: the status's reason", PWR_ST_BLOCKED,
     0, PWR_AM_PASSWORD, 100 * DAY, DAY, 0, PWR_ACCT_DENY, "blocked",
     "blocked", 1},
};

START_TEST(test_account_check_decides_each_case_as_its_row_says)
{
    const struct acct_case *c = &acct_cases[_i];
    struct pwr_record rec;
    struct pwr_acct_result ar;
    int64_t now = 1800000000;
    size_t mlen, clen = strlen(cfg.contact);

    make(&rec, (enum pwr_status)c->status, c->flags);
    rec.changed = c->age != 0 ? now - c->age : 0;
    cfg.max_age = c->max_age;
    cfg.warn_age = c->warn_age;
    pwr_account_check(&rec, c->method, &cfg, now, &ar);
    ck_assert_msg(ar.decision == c->decision, "%s: decision %d, want %d",
                  c->what, (int)ar.decision, (int)c->decision);
    ck_assert_msg(strcmp(ar.reason, c->reason) == 0, "%s: reason %s, want %s",
                  c->what, ar.reason, c->reason);
    if (c->words[0] == '\0')
        ck_assert_msg(ar.message[0] == '\0', "%s: message '%s', want none",
                      c->what, ar.message);
    else
        ck_assert_msg(strstr(ar.message, c->words) != NULL,
                      "%s: message '%s' lacks '%s'", c->what, ar.message,
                      c->words);
    mlen = strlen(ar.message);
    ck_assert_msg(c->contact == (mlen > clen + 1 &&
                                 strncmp(ar.message + mlen - clen - 1,
                                         cfg.contact, clen) == 0),
                  "%s: message '%s' %s the contact", c->what, ar.message,
                  c->contact ? "lacks" : "names");
}
END_TEST

/* Only an active account with no password and no live code may set a
 * password without a current one. */
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

/* What passwd -l / usermod -L leave is a lock; what useradd and
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
    tcase_add_loop_test(tc, test_auth_check_decides_each_case_as_its_row_says,
                        0, (int)(sizeof(auth_cases) / sizeof(auth_cases[0])));
    tcase_add_loop_test(tc, test_account_check_decides_each_case_as_its_row_says,
                        0, (int)(sizeof(acct_cases) / sizeof(acct_cases[0])));
    tcase_add_test(tc, test_only_active_and_pending_accounts_are_eligible_for_resets);
    tcase_add_test(tc, test_only_an_active_account_without_any_password_is_passwordless);
    tcase_add_test(tc, test_shadow_lock_is_a_bang_in_front_of_a_password);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
