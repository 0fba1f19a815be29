/* test_secret.c - unit tests of lib/crypto/pwr_secret.c: generated temporary
 * passwords and codes, the stored form of a code, wiping and comparing.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <string.h>

#include "pwr_record.h"
#include "pwr_secret.h"
#include "testutil.h"

#define SAMPLES 2000
#define ALPHABET_LEN (sizeof(PWR_SECRET_ALPHABET) - 1)

/* 1 if s is groups of group_len alphabet symbols joined by '-'; marks each
 * symbol seen.  One assertion per sample: Check's per-assertion cost would
 * dominate otherwise. */
static int shape_ok(const char *s, unsigned groups, unsigned group_len,
                    int seen[ALPHABET_LEN])
{
    size_t i, want = groups * group_len + groups - 1;

    if (strlen(s) != want)
        return 0;
    for (i = 0; i < want; i++) {
        const char *pos = strchr(PWR_SECRET_ALPHABET, s[i]);
        if (i % (group_len + 1) == group_len) {
            if (s[i] != '-')
                return 0;
            continue;
        }
        if (s[i] == '\0' || pos == NULL)
            return 0;
        seen[pos - PWR_SECRET_ALPHABET] = 1;
    }
    return 1;
}

static void check_all_seen(const int seen[ALPHABET_LEN])
{
    size_t i;

    for (i = 0; i < ALPHABET_LEN; i++)
        ck_assert_msg(seen[i], "symbol '%c' never generated", PWR_SECRET_ALPHABET[i]);
}

START_TEST(test_alphabet_has_31_unambiguous_symbols)
{
    ck_assert_uint_eq(ALPHABET_LEN, 31);
    ck_assert_ptr_null(strpbrk(PWR_SECRET_ALPHABET, "01ilo"));
}
END_TEST

START_TEST(test_temp_passwords_are_6_groups_of_4_from_the_alphabet)
{
    int seen[ALPHABET_LEN] = {0};
    char pw[PWR_SECRET_MAX];
    struct pwr_err err;
    int i;

    for (i = 0; i < SAMPLES; i++) {
        ck_assert_int_eq(pwr_secret_temp_password(pw, &err), 0);
        ck_assert_msg(shape_ok(pw, PWR_TEMP_GROUPS, PWR_TEMP_GROUP_LEN, seen),
                      "bad shape: '%s'", pw);
    }
    ck_assert_uint_eq(strlen(pw), 29);
    check_all_seen(seen);
}
END_TEST

START_TEST(test_codes_are_4_groups_of_5_from_the_alphabet)
{
    int seen[ALPHABET_LEN] = {0};
    char code[PWR_SECRET_MAX];
    struct pwr_err err;
    int i;

    for (i = 0; i < SAMPLES; i++) {
        ck_assert_int_eq(pwr_secret_code(code, &err), 0);
        ck_assert_msg(shape_ok(code, PWR_CODE_GROUPS, PWR_CODE_GROUP_LEN, seen),
                      "bad shape: '%s'", code);
    }
    ck_assert_uint_eq(strlen(code), 23);
    check_all_seen(seen);
}
END_TEST

START_TEST(test_generated_codes_do_not_repeat)
{
    static char codes[500][PWR_SECRET_MAX];
    struct pwr_err err;
    int i, j;

    for (i = 0; i < 500; i++) {
        int dup = 0;
        ck_assert_int_eq(pwr_secret_code(codes[i], &err), 0);
        for (j = 0; j < i; j++)
            dup |= strcmp(codes[i], codes[j]) == 0;
        ck_assert_msg(!dup, "'%s' generated twice", codes[i]);
    }
}
END_TEST

START_TEST(test_normalize_drops_spaces_and_dashes_and_lowers_case)
{
    char out[PWR_SECRET_MAX];

    ck_assert_int_eq(pwr_code_normalize("abcde-fghjk-mnpqr-stuvw", out), 1);
    ck_assert_str_eq(out, "abcdefghjkmnpqrstuvw");
    ck_assert_int_eq(pwr_code_normalize(" ABCDE FGHJK--MNPQR stuvw ", out), 1);
    ck_assert_str_eq(out, "abcdefghjkmnpqrstuvw");
}
END_TEST

START_TEST(test_normalize_rejects_what_is_not_code_shaped)
{
    static const char *const bad[] = {
        "",  "abcde-fghjk-mnpqr-stuv", "abcde-fghjk-mnpqr-stuvwx",
        "abcde-fghjk-mnpqr-stuv0", /* 0 is not in the alphabet */
        "abcde-fghjk-mnpqr-stuvO", "abcde-fghjk-mnpqr-stuv1",
        "abcde_fghjk-mnpqr-stuvw", "abcde\tfghjk-mnpqr-stuvw",
        "abcde-fghjk-mnpqr-stuvw-abcde-fghjk-mnpqr-stuvw-abcde-fghjk-mnpqr",
    };
    char out[PWR_SECRET_MAX];
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(out, 'Z', sizeof(out));
        ck_assert_msg(pwr_code_normalize(bad[i], out) == 0, "'%s'", bad[i]);
        ck_assert_msg(out[0] == '\0', "out not wiped for '%s'", bad[i]);
    }
    ck_assert_int_eq(pwr_code_normalize(NULL, out), 0);
}
END_TEST

START_TEST(test_code_hash_has_its_format_and_no_plain_code)
{
    char code[PWR_SECRET_MAX], norm[PWR_SECRET_MAX];
    char h1[PWR_HASH_MAX], h2[PWR_HASH_MAX];
    struct pwr_err err;

    ck_assert_int_eq(pwr_secret_code(code, &err), 0);
    ck_assert_int_eq(pwr_code_normalize(code, norm), 1);
    ck_assert_int_eq(pwr_code_hash(code, h1, &err), 0);
    ck_assert_int_eq(pwr_code_hash(code, h2, &err), 0);
    ck_assert_uint_eq(strlen(h1), 6 + 32 + 1 + 64);
    ck_assert_int_eq(strncmp(h1, "$pwrc$", 6), 0);
    ck_assert_int_eq(h1[38], '$');
    ck_assert_uint_eq(strspn(h1 + 6, "0123456789abcdef"), 32);
    ck_assert_uint_eq(strspn(h1 + 39, "0123456789abcdef"), 64);
    ck_assert_ptr_null(strstr(h1, code));
    ck_assert_ptr_null(strstr(h1, norm));
    ck_assert_str_ne(h1, h2); /* fresh salt each time */
}
END_TEST

START_TEST(test_code_hash_refuses_a_value_that_is_not_a_code)
{
    char h[PWR_HASH_MAX];
    struct pwr_err err;

    ck_assert_int_eq(pwr_code_hash("hunter2", h, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_USAGE);
}
END_TEST

START_TEST(test_code_verify_accepts_the_code_however_it_is_typed)
{
    char code[PWR_SECRET_MAX], h[PWR_HASH_MAX], typed[PWR_SECRET_MAX * 2];
    struct pwr_err err;
    size_t i, o = 0;

    ck_assert_int_eq(pwr_secret_code(code, &err), 0);
    ck_assert_int_eq(pwr_code_hash(code, h, &err), 0);
    ck_assert_int_eq(pwr_code_verify(code, h), 1);
    for (i = 0; code[i]; i++) { /* upper case, spaces for dashes */
        char c = code[i] == '-' ? ' ' : code[i];
        typed[o++] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    typed[o] = '\0';
    ck_assert_int_eq(pwr_code_verify(typed, h), 1);
    ck_assert_int_eq(pwr_code_normalize(code, typed), 1); /* no separators */
    ck_assert_int_eq(pwr_code_verify(typed, h), 1);
}
END_TEST

START_TEST(test_code_verify_rejects_other_codes)
{
    char code[PWR_SECRET_MAX], other[PWR_SECRET_MAX], h[PWR_HASH_MAX];
    struct pwr_err err;

    ck_assert_int_eq(pwr_secret_code(code, &err), 0);
    ck_assert_int_eq(pwr_code_hash(code, h, &err), 0);
    memcpy(other, code, sizeof(other));
    other[0] = other[0] == '2' ? '3' : '2'; /* one symbol changed */
    ck_assert_int_eq(pwr_code_verify(other, h), 0);
    ck_assert_int_eq(pwr_secret_code(other, &err), 0);
    ck_assert_int_eq(pwr_code_verify(other, h), 0);
    ck_assert_int_eq(pwr_code_verify("", h), 0);
    ck_assert_int_eq(pwr_code_verify(NULL, h), 0);
    ck_assert_int_eq(pwr_code_verify(h, h), 0);
}
END_TEST

START_TEST(test_code_verify_rejects_empty_or_malformed_stored_values)
{
    char code[PWR_SECRET_MAX], h[PWR_HASH_MAX], bad[PWR_HASH_MAX + 1];
    struct pwr_err err;
    size_t n;

    ck_assert_int_eq(pwr_secret_code(code, &err), 0);
    ck_assert_int_eq(pwr_code_hash(code, h, &err), 0);
    n = strlen(h);
    ck_assert_int_eq(pwr_code_verify(code, ""), 0);
    ck_assert_int_eq(pwr_code_verify(code, NULL), 0);
    ck_assert_int_eq(pwr_code_verify(code, "$pwrc$"), 0);
    memcpy(bad, h, n + 1);
    bad[n - 1] = '\0'; /* truncated */
    ck_assert_int_eq(pwr_code_verify(code, bad), 0);
    memcpy(bad, h, n + 1);
    bad[10] = 'g'; /* not hex */
    ck_assert_int_eq(pwr_code_verify(code, bad), 0);
    memcpy(bad, h, n + 1);
    bad[38] = ':';
    ck_assert_int_eq(pwr_code_verify(code, bad), 0);
    memcpy(bad, h, n + 1);
    bad[1] = 'y';
    ck_assert_int_eq(pwr_code_verify(code, bad), 0);
    snprintf(bad, sizeof(bad), "%sa", h); /* too long */
    ck_assert_int_eq(pwr_code_verify(code, bad), 0);
    ck_assert_int_eq(pwr_code_verify(code, h), 1);
}
END_TEST

START_TEST(test_wipe_zeroes_secrets)
{
    char buf[16] = "secret-value";
    char *heap = strdup("secret");
    size_t i;

    pwr_wipe(buf, sizeof(buf));
    for (i = 0; i < sizeof(buf); i++)
        ck_assert_int_eq(buf[i], 0);
    snprintf(buf, sizeof(buf), "abc");
    pwr_wipe_str(buf);
    ck_assert_int_eq(buf[0] | buf[1] | buf[2], 0);
    pwr_wipe_str(NULL);
    pwr_wipe(NULL, 4);
    ck_assert_ptr_nonnull(heap);
    pwr_free_secret(heap);
    pwr_free_secret(NULL);
}
END_TEST

START_TEST(test_ct_streq_compares_content_and_length)
{
    ck_assert_int_eq(pwr_ct_streq("abc", "abc"), 1);
    ck_assert_int_eq(pwr_ct_streq("", ""), 1);
    ck_assert_int_eq(pwr_ct_streq("abc", "abd"), 0);
    ck_assert_int_eq(pwr_ct_streq("abc", "abcd"), 0);
    ck_assert_int_eq(pwr_ct_streq("abcd", "abc"), 0);
    ck_assert_int_eq(pwr_ct_streq("", "a"), 0);
    ck_assert_int_eq(pwr_ct_streq(NULL, "a"), 0);
    ck_assert_int_eq(pwr_ct_streq("a", NULL), 0);
}
END_TEST

START_TEST(test_crypto_init_can_be_called_again)
{
    struct pwr_err err;

    ck_assert_int_eq(pwr_crypto_init(&err), 0);
    ck_assert_int_eq(pwr_crypto_init(&err), 0);
}
END_TEST

static Suite *secret_suite(void)
{
    Suite *s = suite_create("secret");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_alphabet_has_31_unambiguous_symbols);
    tcase_add_test(tc, test_temp_passwords_are_6_groups_of_4_from_the_alphabet);
    tcase_add_test(tc, test_codes_are_4_groups_of_5_from_the_alphabet);
    tcase_add_test(tc, test_generated_codes_do_not_repeat);
    tcase_add_test(tc, test_normalize_drops_spaces_and_dashes_and_lowers_case);
    tcase_add_test(tc, test_normalize_rejects_what_is_not_code_shaped);
    tcase_add_test(tc, test_code_hash_has_its_format_and_no_plain_code);
    tcase_add_test(tc, test_code_hash_refuses_a_value_that_is_not_a_code);
    tcase_add_test(tc, test_code_verify_accepts_the_code_however_it_is_typed);
    tcase_add_test(tc, test_code_verify_rejects_other_codes);
    tcase_add_test(tc, test_code_verify_rejects_empty_or_malformed_stored_values);
    tcase_add_test(tc, test_wipe_zeroes_secrets);
    tcase_add_test(tc, test_ct_streq_compares_content_and_length);
    tcase_add_test(tc, test_crypto_init_can_be_called_again);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pwr_test_run(secret_suite());
}
