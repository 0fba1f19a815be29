/* test_notice.c - the one-time notice an administrator's action leaves
 * (lib/policy/pwr_notice.c): the sentence shown, what it never shows, its fields
 * in the record line, and when a password change completes or clears it.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <string.h>

#include "pwr_notice.h"
#include "pwr_record.h"
#include "testutil.h"

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

int main(void)
{
    Suite *s = suite_create("notice");
    TCase *tc = tcase_create("notice");

    tcase_add_test(tc, test_notice_says_what_who_when_and_whom_to_contact);
    tcase_add_test(tc, test_notice_never_shows_raw_unknown_words_or_actors);
    tcase_add_test(tc, test_notice_fields_round_trip_through_the_record_line);
    tcase_add_test(tc, test_notice_is_completed_by_a_change_only_after_an_admin_reset);
    tcase_add_test(tc, test_notice_clear_forgets_what_who_and_when);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
