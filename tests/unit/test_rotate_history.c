/* test_rotate_history.c - unit tests of issue 9's library parts:
 * lib/pwr_rotate.c (max_age, warn_age, a fake clock), its use by
 * pwr_account_check, lib/pwr_history.c and lib/pwr_notice.c.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <string.h>

#include "pwr_decide.h"
#include "pwr_hash.h"
#include "pwr_history.h"
#include "pwr_notice.h"
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

/* ---- rotation ------------------------------------------------------------ */

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

/* ---- history ------------------------------------------------------------- */

/* Entries of a history text: hashes separated by ';' (docs/STORE.md). */
static unsigned entries(const char *hist)
{
    unsigned n = hist[0] != '\0';

    for (const char *p = hist; *p != '\0'; p++)
        n += *p == ';';
    return n;
}

static void make_hash(const char *pw, char *out)
{
    struct pwr_err err;

    ck_assert_int_eq(pwr_hash_make(pw, &cfg.hash, out, &err), 0);
}

START_TEST(test_history_refuses_the_kept_passwords_only)
{
    char hist[PWR_HISTORY_TEXT_MAX] = "", h[PWR_HASH_MAX];
    struct pwr_err err;

    make_hash("first-password-1", h);
    pwr_history_push(hist, sizeof(hist), h, 2);
    make_hash("second-password-2", h);
    pwr_history_push(hist, sizeof(hist), h, 2);
    ck_assert_uint_eq(entries(hist), 2);
    ck_assert_int_eq(pwr_history_contains(hist, 2, "first-password-1", &err), 1);
    ck_assert_int_eq(pwr_history_contains(hist, 2, "second-password-2", &err), 1);
    ck_assert_int_eq(pwr_history_contains(hist, 2, "never-used-before", &err), 0);
    /* history lowered to 1: only the newest still counts */
    ck_assert_int_eq(pwr_history_contains(hist, 1, "first-password-1", &err), 0);
    make_hash("third-password-3", h);
    pwr_history_push(hist, sizeof(hist), h, 2);
    ck_assert_uint_eq(entries(hist), 2);
    ck_assert_int_eq(pwr_history_contains(hist, 2, "first-password-1", &err), 0);
    ck_assert_ptr_null(strstr(hist, "password"));
}
END_TEST

START_TEST(test_history_never_keeps_md5_plain_or_locked_entries)
{
    char hist[PWR_HISTORY_TEXT_MAX] = "";

    pwr_history_push(hist, sizeof(hist), "$1$abcdefgh$0123456789abcdefghijkl", 5);
    pwr_history_push(hist, sizeof(hist), "plain-text-password", 5);
    pwr_history_push(hist, sizeof(hist), "!$y$j9T$locked", 5);
    pwr_history_push(hist, sizeof(hist), "", 5);
    pwr_history_push(hist, sizeof(hist), NULL, 5);
    ck_assert_str_eq(hist, "");
}
END_TEST

START_TEST(test_history_zero_forgets_everything)
{
    char hist[PWR_HISTORY_TEXT_MAX] = "", h[PWR_HASH_MAX];

    make_hash("first-password-1", h);
    pwr_history_push(hist, sizeof(hist), h, 3);
    ck_assert_uint_eq(entries(hist), 1);
    pwr_history_push(hist, sizeof(hist), h, 0);
    ck_assert_str_eq(hist, "");
}
END_TEST

START_TEST(test_history_drops_the_oldest_when_the_text_is_full)
{
    char hist[PWR_HISTORY_TEXT_MAX] = "", h[PWR_HASH_MAX];
    unsigned i;

    /* sha512crypt-shaped strings of 220 bytes: only 5 fit the text */
    for (i = 0; i < 8; i++) {
        memset(h, 'a' + (int)i, sizeof(h));
        memcpy(h, "$6$saltsaltsalt$", 16);
        h[220] = '\0';
        ck_assert_int_eq(pwr_hash_usable(h), 1);
        pwr_history_push(hist, sizeof(hist), h, PWR_HISTORY_MAX);
        ck_assert_uint_lt(strlen(hist), sizeof(hist));
    }
    ck_assert_uint_eq(entries(hist), 5);
    ck_assert_int_eq(hist[16], 'a' + 7);     /* newest first */
    ck_assert_ptr_null(strstr(hist, "$ccc")); /* the oldest went first */
    ck_assert_ptr_nonnull(strstr(hist, "$ddd"));
}
END_TEST

START_TEST(test_history_of_argon2id_hashes_round_trips_the_record)
{
    char hist[PWR_HISTORY_TEXT_MAX] = "", h[PWR_HASH_MAX];
    struct pwr_record rec;
    char line[PWR_RECORD_LINE_MAX];
    struct pwr_err err;
    int i;

    cfg.hash.method = PWR_HASH_ARGON2ID; /* the longest hashes we make */
    cfg.hash.cost = 1;
    for (i = 0; i < PWR_HISTORY_MAX + 3; i++) {
        char pw[32];

        snprintf(pw, sizeof(pw), "history-password-%02d", i);
        make_hash(pw, h);
        pwr_history_push(hist, sizeof(hist), h, PWR_HISTORY_MAX);
    }
    ck_assert_uint_le(entries(hist), PWR_HISTORY_MAX);
    ck_assert_uint_ge(entries(hist), 5);
    ck_assert_uint_lt(strlen(hist), sizeof(hist));
    ck_assert_int_eq(pwr_history_contains(hist, PWR_HISTORY_MAX,
                                          "history-password-12", &err), 1);
    ck_assert_int_eq(pwr_history_contains(hist, PWR_HISTORY_MAX,
                                          "history-password-00", &err), 0);
    /* a full history still fits a record line, and reads back the same */
    pwr_record_init(&rec, "alice");
    memcpy(rec.history, hist, sizeof(hist));
    memcpy(rec.hash, h, sizeof(h));
    ck_assert_int_gt(pwr_record_format(&rec, line, sizeof(line)), 0);
    {
        struct pwr_record back;

        ck_assert_int_eq(pwr_record_parse(line, strlen(line) - 1, &back, &err), 0);
        ck_assert_str_eq(back.history, hist);
    }
}
END_TEST

/* ---- notice -------------------------------------------------------------- */

START_TEST(test_notice_says_what_who_when_and_whom_to_contact)
{
    struct pwr_record rec;
    char out[512];

    pwr_record_init(&rec, "alice");
    ck_assert_int_eq(pwr_notice_format(&rec, "the helpdesk", out, sizeof(out)), 0);
    ck_assert_str_eq(out, "");
    snprintf(rec.notice, sizeof(rec.notice), "password_set");
    snprintf(rec.notice_by, sizeof(rec.notice_by), "root");
    rec.notice_at = 1795356180; /* 2026-11-22 14:03 UTC */
    ck_assert_int_eq(pwr_notice_format(&rec, "the helpdesk", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "Your password was reset by root on 2026-11-22 "
                          "14:03 UTC. If you did not expect this, contact "
                          "the helpdesk.");
}
END_TEST

START_TEST(test_notice_never_shows_raw_unknown_words_or_actors)
{
    struct pwr_record rec;
    char out[512];

    pwr_record_init(&rec, "alice");
    snprintf(rec.notice, sizeof(rec.notice), "evil\033[2J");
    snprintf(rec.notice_by, sizeof(rec.notice_by), "x\033]0;y");
    ck_assert_int_eq(pwr_notice_format(&rec, NULL, out, sizeof(out)), 1);
    ck_assert_ptr_null(strchr(out, '\033'));
    ck_assert_ptr_nonnull(strstr(out, "Your account was changed by an "
                                      "administrator. If you did not expect "
                                      "this, contact your administrator."));
    snprintf(rec.notice, sizeof(rec.notice), "unblocked");
    snprintf(rec.notice_by, sizeof(rec.notice_by), "#1234");
    ck_assert_int_eq(pwr_notice_format(&rec, "x", out, sizeof(out)), 1);
    ck_assert_ptr_nonnull(strstr(out, "Your account was unblocked by #1234."));
}
END_TEST

START_TEST(test_notice_fields_round_trip_through_the_record_line)
{
    struct pwr_record rec, back;
    char line[PWR_RECORD_LINE_MAX];
    struct pwr_err err;
    int n;

    pwr_record_init(&rec, "alice");
    snprintf(rec.notice, sizeof(rec.notice), "temp_password");
    snprintf(rec.notice_by, sizeof(rec.notice_by), "helpdesk1");
    rec.notice_at = 1795356180;
    n = pwr_record_format(&rec, line, sizeof(line));
    ck_assert_int_gt(n, 0);
    ck_assert_ptr_nonnull(strstr(line, " notice=temp_password notice_by="
                                       "helpdesk1 notice_at=1795356180"));
    ck_assert_int_eq(pwr_record_parse(line, (size_t)n - 1, &back, &err), 0);
    ck_assert_str_eq(back.notice, "temp_password");
    ck_assert_str_eq(back.notice_by, "helpdesk1");
    ck_assert_int_eq(back.notice_at, 1795356180);
}
END_TEST

START_TEST(test_notice_is_completed_by_a_change_only_after_an_admin_reset)
{
    struct pwr_record rec;

    pwr_record_init(&rec, "alice");
    snprintf(rec.notice, sizeof(rec.notice), "unblocked");
    ck_assert_int_eq(pwr_notice_completed_by_change(&rec), 0);
    rec.flags = PWR_F_MUST_CHANGE;
    ck_assert_int_eq(pwr_notice_completed_by_change(&rec), 1);
    rec.flags = PWR_F_TEMPORARY;
    ck_assert_int_eq(pwr_notice_completed_by_change(&rec), 1);
    rec.flags = 0;
    snprintf(rec.code_hash, sizeof(rec.code_hash), "$argon2id$x");
    ck_assert_int_eq(pwr_notice_completed_by_change(&rec), 1);
    rec.notice[0] = '\0';
    ck_assert_int_eq(pwr_notice_completed_by_change(&rec), 0);
}
END_TEST

START_TEST(test_notice_clear_forgets_what_who_and_when)
{
    struct pwr_record rec;

    pwr_record_init(&rec, "alice");
    snprintf(rec.notice, sizeof(rec.notice), "force_reset");
    snprintf(rec.notice_by, sizeof(rec.notice_by), "root");
    rec.notice_at = 1795356180;
    ck_assert_int_eq(pwr_notice_is_force_reset(&rec), 1);
    pwr_notice_clear(&rec);
    ck_assert_str_eq(rec.notice, "");
    ck_assert_str_eq(rec.notice_by, "");
    ck_assert_int_eq(rec.notice_at, 0);
    ck_assert_int_eq(pwr_notice_is_force_reset(&rec), 0);
    snprintf(rec.notice, sizeof(rec.notice), "temp_password");
    ck_assert_int_eq(pwr_notice_is_force_reset(&rec), 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rotate_history_notice");
    TCase *rot = tcase_create("rotation");
    TCase *hist = tcase_create("history");
    TCase *note = tcase_create("notice");

    tcase_add_checked_fixture(rot, setup, NULL);
    tcase_add_test(rot, test_rotation_is_off_by_default);
    tcase_add_test(rot, test_password_older_than_max_age_must_change);
    tcase_add_test(rot, test_one_second_before_max_age_is_still_allowed);
    tcase_add_test(rot, test_within_warn_age_the_login_says_days_left);
    tcase_add_test(rot, test_clock_behind_the_last_change_never_flags_or_warns);
    tcase_add_test(rot, test_never_changed_and_huge_dates_are_not_judged);
    tcase_add_test(rot, test_status_and_forced_change_come_before_rotation);
    tcase_add_test(rot, test_rotation_keys_parse_and_default_to_off);
    suite_add_tcase(s, rot);
    tcase_add_checked_fixture(hist, setup, NULL);
    tcase_set_timeout(hist, 60);
    tcase_add_test(hist, test_history_refuses_the_kept_passwords_only);
    tcase_add_test(hist, test_history_never_keeps_md5_plain_or_locked_entries);
    tcase_add_test(hist, test_history_zero_forgets_everything);
    tcase_add_test(hist, test_history_drops_the_oldest_when_the_text_is_full);
    tcase_add_test(hist, test_history_of_argon2id_hashes_round_trips_the_record);
    suite_add_tcase(s, hist);
    tcase_add_checked_fixture(note, setup, NULL);
    tcase_add_test(note, test_notice_says_what_who_when_and_whom_to_contact);
    tcase_add_test(note, test_notice_never_shows_raw_unknown_words_or_actors);
    tcase_add_test(note, test_notice_fields_round_trip_through_the_record_line);
    tcase_add_test(note, test_notice_is_completed_by_a_change_only_after_an_admin_reset);
    tcase_add_test(note, test_notice_clear_forgets_what_who_and_when);
    suite_add_tcase(s, note);
    return s;
}

int main(void)
{
    return pwr_test_run(suite());
}
