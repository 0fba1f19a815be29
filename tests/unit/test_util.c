/* test_util.c - login names, value encoding, durations, UTF-8, safe open,
 * UTC time formats, private LDAP URIs.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pwr_util.h"
#include "testutil.h"

START_TEST(test_login_names_accept_ordinary_and_reject_hostile)
{
    ck_assert(pwr_login_valid("alice"));
    ck_assert(pwr_login_valid("svc-backup.2"));
    ck_assert(pwr_login_valid("machine$"));
    ck_assert(pwr_login_valid("abcdefghijklmnopqrstuvwxyz012345")); /* 32 */
    ck_assert(!pwr_login_valid("abcdefghijklmnopqrstuvwxyz0123456")); /* 33 */
    ck_assert(!pwr_login_valid(""));
    ck_assert(!pwr_login_valid("-rf"));
    ck_assert(!pwr_login_valid("a:b"));
    ck_assert(!pwr_login_valid("a\nb"));
    ck_assert(!pwr_login_valid("a b"));
    ck_assert(!pwr_login_valid("%n%n"));
    ck_assert(!pwr_login_valid("\x1b[31m"));
    ck_assert(!pwr_login_valid("caf\xc3\xa9"));
    ck_assert(!pwr_login_valid("12345"));
    ck_assert(!pwr_login_valid(".."));
    ck_assert(!pwr_login_valid("$"));
    ck_assert(!pwr_login_valid("a$b"));
}
END_TEST

START_TEST(test_encoding_round_trips_every_byte)
{
    char in[255], enc[1024], dec[256];
    ssize_t n;
    int i;

    for (i = 0; i < 255; i++)
        in[i] = (char)(i + 1);
    n = pwr_encode(in, sizeof(in), enc, sizeof(enc));
    ck_assert_int_gt(n, 0);
    ck_assert_ptr_null(strchr(enc, ' '));
    ck_assert_ptr_null(strchr(enc, '\n'));
    n = pwr_decode(enc, (size_t)n, dec, sizeof(dec));
    ck_assert_int_eq(n, 255);
    ck_assert_mem_eq(in, dec, 255);
}
END_TEST

START_TEST(test_decoding_rejects_malformed_escapes_raw_bytes_and_nul)
{
    char out[64];

    ck_assert_int_eq(pwr_decode("a%2", 3, out, sizeof(out)), -1);
    ck_assert_int_eq(pwr_decode("a%", 2, out, sizeof(out)), -1);
    ck_assert_int_eq(pwr_decode("%zz", 3, out, sizeof(out)), -1);
    ck_assert_int_eq(pwr_decode("%00", 3, out, sizeof(out)), -1);
    ck_assert_int_eq(pwr_decode("a b", 3, out, sizeof(out)), -1);
    ck_assert_int_eq(pwr_decode("a%b", 3, out, sizeof(out)), -1);
    ck_assert_int_eq(pwr_decode("%41%42", 6, out, sizeof(out)), 2);
    ck_assert_str_eq(out, "AB");
}
END_TEST

START_TEST(test_encoding_refuses_a_too_small_buffer)
{
    char out[4];

    ck_assert_int_eq(pwr_encode("abcd", 4, out, sizeof(out)), -1);
    ck_assert_int_eq(pwr_encode(" ", 1, out, sizeof(out)), 3);
    ck_assert_int_eq(pwr_encode("  ", 2, out, sizeof(out)), -1);
}
END_TEST

START_TEST(test_each_lifetime_kind_has_one_range)
{
    struct pwr_err err;

    ck_assert_int_eq(pwr_ttl_check(PWR_TTL_CODE, "1m", 60, &err), 0);
    ck_assert_int_eq(pwr_ttl_check(PWR_TTL_CODE, "30d", 30 * 86400, &err), 0);
    ck_assert_int_eq(pwr_ttl_check(PWR_TTL_CODE, "45d", 45 * 86400, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_USAGE);
    ck_assert_str_eq(err.msg, "'45d' is out of range (1m..30d)");
    ck_assert_int_eq(pwr_ttl_check(PWR_TTL_CODE, "59s", 59, &err), -1);
    ck_assert_int_eq(pwr_ttl_check(PWR_TTL_TEMPORARY, "365d", 365 * 86400, &err), 0);
    ck_assert_int_eq(pwr_ttl_check(PWR_TTL_TEMPORARY, "366d", 366 * 86400, &err), -1);
    ck_assert_str_eq(err.msg, "'366d' is out of range (1m..365d)");
}
END_TEST

START_TEST(test_durations_parse_units_and_reject_garbage)
{
    int64_t s;
    struct pwr_err err;
    char buf[32];

    ck_assert_int_eq(pwr_parse_duration("90m", &s, &err), 0);
    ck_assert_int_eq(s, 5400);
    ck_assert_int_eq(pwr_parse_duration("24h", &s, &err), 0);
    ck_assert_int_eq(s, 86400);
    ck_assert_int_eq(pwr_parse_duration("7d", &s, &err), 0);
    ck_assert_int_eq(s, 7 * 86400);
    ck_assert_int_eq(pwr_parse_duration("45s", &s, &err), 0);
    ck_assert_int_eq(s, 45);
    ck_assert_int_eq(pwr_parse_duration("0", &s, &err), 0);
    ck_assert_int_eq(s, 0);
    /* A bare number could mean seconds or minutes: a unit is required. */
    ck_assert_int_eq(pwr_parse_duration("90", &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "needs a unit"));
    ck_assert_int_eq(pwr_parse_duration("", &s, &err), -1);
    ck_assert_int_eq(pwr_parse_duration("m", &s, &err), -1);
    ck_assert_int_eq(pwr_parse_duration("-5m", &s, &err), -1);
    ck_assert_int_eq(pwr_parse_duration("5y", &s, &err), -1);
    ck_assert_int_eq(pwr_parse_duration("99999999999d", &s, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "bad duration"));
    pwr_format_duration(3600, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1h");
    pwr_format_duration(5400, buf, sizeof(buf));
    ck_assert_str_eq(buf, "90m");
}
END_TEST

START_TEST(test_utf8_counts_code_points_and_rejects_malformed)
{
    size_t n;

    ck_assert(pwr_utf8_valid("h\xc3\xa9llo \xf0\x9f\x94\x91", 11, &n));
    ck_assert_uint_eq(n, 7);
    ck_assert(!pwr_utf8_valid("\xc0\xaf", 2, NULL));         /* overlong */
    ck_assert(!pwr_utf8_valid("\xed\xa0\x80", 3, NULL));     /* surrogate */
    ck_assert(!pwr_utf8_valid("\xf4\x90\x80\x80", 4, NULL)); /* > U+10FFFF */
    ck_assert(!pwr_utf8_valid("\xe2\x82", 2, NULL));         /* truncated */
    ck_assert(!pwr_utf8_valid("\xff", 1, NULL));
}
END_TEST

START_TEST(test_times_format_in_utc_or_fall_back_to_the_number)
{
    char buf[32];

    pwr_format_time(1796550600, buf, sizeof(buf)); /* 2026-12-06 09:50 */
    ck_assert_str_eq(buf, "2026-12-06 09:50 UTC");
    pwr_format_iso(1796550600, buf, sizeof(buf));
    ck_assert_str_eq(buf, "2026-12-06T09:50:00Z");
    pwr_format_time(1796550600, buf, 12); /* too small for the date */
    ck_assert_str_eq(buf, "@1796550600");
    pwr_format_iso(1796550600, buf, 12);
    ck_assert_str_eq(buf, "1796550600");
}
END_TEST

START_TEST(test_ldap_uris_are_private_only_when_nothing_can_read_them)
{
    ck_assert(pwr_ldap_uris_private("ldaps://ldap.example.org/", 0));
    ck_assert(pwr_ldap_uris_private("ldapi:///", 0));
    ck_assert(pwr_ldap_uris_private("ldap://127.0.0.1:3389/", 0));
    ck_assert(pwr_ldap_uris_private("ldap://[::1]/ ldap://localhost", 0));
    ck_assert(pwr_ldap_uris_private("ldap://ldap.example.org/", 1));
    ck_assert(!pwr_ldap_uris_private("ldap://ldap.example.org/", 0));
    ck_assert(!pwr_ldap_uris_private("ldaps://a.example.org/,ldap://b/", 0));
    ck_assert(!pwr_ldap_uris_private("ldap://localhost.example.org/", 0));
    ck_assert(!pwr_ldap_uris_private("ldap://127x.example.org/", 0));
    ck_assert(!pwr_ldap_uris_private("ldap://127.0.0.1.example.org/", 0));
    ck_assert(pwr_ldap_uris_private("ldap://127.0.1.1", 0));
}
END_TEST

START_TEST(test_safe_open_refuses_symlinks_fifos_and_open_modes)
{
    char *dir = pwr_test_tmpdir(), path[512], link[512], fifo[512];
    struct pwr_file_rules rules = {.must_exist = 1, .forbid_mode = 077};
    struct pwr_err err;
    int fd;

    ck_assert_ptr_nonnull(dir);
    snprintf(path, sizeof(path), "%s/file", dir);
    snprintf(link, sizeof(link), "%s/link", dir);
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(symlink(path, link), 0);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);

    fd = pwr_open_safely(path, O_RDONLY, 0, &rules, &err);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(pwr_open_safely(link, O_RDONLY, 0, &rules, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "symbolic link"));
    ck_assert_int_eq(pwr_open_safely(fifo, O_RDONLY, 0, &rules, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));
    ck_assert_int_eq(chmod(path, 0644), 0);
    ck_assert_int_eq(pwr_open_safely(path, O_RDONLY, 0, &rules, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "unsafe mode"));
    snprintf(path, sizeof(path), "%s/absent", dir);
    ck_assert_int_eq(pwr_open_safely(path, O_RDONLY, 0, &rules, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_NOENT);

    ck_assert_int_eq(pwr_test_rm_tree(dir), 0);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("util");

    tcase_add_test(tc, test_login_names_accept_ordinary_and_reject_hostile);
    tcase_add_test(tc, test_encoding_round_trips_every_byte);
    tcase_add_test(tc, test_decoding_rejects_malformed_escapes_raw_bytes_and_nul);
    tcase_add_test(tc, test_encoding_refuses_a_too_small_buffer);
    tcase_add_test(tc, test_durations_parse_units_and_reject_garbage);
    tcase_add_test(tc, test_each_lifetime_kind_has_one_range);
    tcase_add_test(tc, test_utf8_counts_code_points_and_rejects_malformed);
    tcase_add_test(tc, test_safe_open_refuses_symlinks_fifos_and_open_modes);
    tcase_add_test(tc, test_times_format_in_utc_or_fall_back_to_the_number);
    tcase_add_test(tc, test_ldap_uris_are_private_only_when_nothing_can_read_them);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
