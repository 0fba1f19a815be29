/* test_history.c - password history (lib/policy/pwr_history.c): which earlier
 * passwords are kept and refused, what is never kept, and that a full
 * history still fits the record line.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <string.h>

#include "pwr_config.h"
#include "pwr_hash.h"
#include "pwr_history.h"
#include "testutil.h"

static struct pwr_config cfg;

static void setup(void)
{
    pwr_config_defaults(&cfg);
    cfg.hash.cost = 1;
}

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

int main(void)
{
    Suite *s = suite_create("history");
    TCase *tc = tcase_create("history");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_history_refuses_the_kept_passwords_only);
    tcase_add_test(tc, test_history_never_keeps_md5_plain_or_locked_entries);
    tcase_add_test(tc, test_history_zero_forgets_everything);
    tcase_add_test(tc, test_history_drops_the_oldest_when_the_text_is_full);
    tcase_add_test(tc, test_history_of_argon2id_hashes_round_trips_the_record);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
