/* test_chain.c - unit tests of lib/audit/pwr_chain.c: sealing audit events into
 * a seq/MAC chain beside a store in a private temporary directory, and
 * reading the seals back.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pwr_chain.h"
#include "testutil.h"

static char store[PWR_PATH_MAX];

static void setup(void)
{
    ck_assert_int_eq(sodium_init() >= 0, 1);
    pwr_test_dir_setup();
    snprintf(store, sizeof(store), "%s/store", pwr_test_dir);
}

static void sealed_event(struct pwr_audit *a, const char *user)
{
    struct pwr_err err;

    pwr_audit_begin(a, "password_set_by_admin");
    pwr_audit_add(a, "user", user);
    ck_assert_int_eq(pwr_chain_seal_batch(a, 1, store, &err), 0);
}

START_TEST(test_events_are_numbered_and_each_mac_proves_its_line)
{
    struct pwr_audit a, b;
    unsigned char key[PWR_CHAIN_KEYBYTES];
    char mac_a[PWR_CHAIN_MACHEX], mac_b[PWR_CHAIN_MACHEX], want[PWR_CHAIN_MACHEX];
    const char *text;
    size_t tlen;
    uint64_t seq;
    struct pwr_err err;
    char line[4096];

    sealed_event(&a, "alice");
    sealed_event(&b, "bob");
    ck_assert_ptr_nonnull(strstr(a.line, " seq=1 mac="));
    ck_assert_ptr_nonnull(strstr(b.line, " seq=2 mac="));
    ck_assert_int_eq(pwr_chain_load_key(store, key, &err), 0);
    snprintf(line, sizeof(line), "<85>Nov 22 14:03:00 pwreset[7]: %s\n", a.line);
    ck_assert_int_eq(pwr_chain_split(line, strlen(line), &text, &tlen, &seq,
                                     mac_a), 1);
    ck_assert_uint_eq(seq, 1);
    pwr_chain_mac(key, "", text, tlen, want);
    ck_assert_str_eq(want, mac_a);
    snprintf(line, sizeof(line), "2026-11-22T14:03:00+00:00 host pwreset[7]: %s",
             b.line);
    ck_assert_int_eq(pwr_chain_split(line, strlen(line), &text, &tlen, &seq,
                                     mac_b), 1);
    ck_assert_uint_eq(seq, 2);
    pwr_chain_mac(key, mac_a, text, tlen, want);
    ck_assert_str_eq(want, mac_b);
    /* one changed byte, and the MAC no longer matches */
    line[strlen(line) - 80] ^= 1;
    ck_assert_int_eq(pwr_chain_split(line, strlen(line), &text, &tlen, &seq,
                                     mac_b), 1);
    pwr_chain_mac(key, mac_a, text, tlen, want);
    ck_assert_str_ne(want, mac_b);
}
END_TEST

START_TEST(test_key_and_state_are_private_files_beside_the_store)
{
    struct pwr_audit a;
    char kpath[PWR_PATH_MAX], spath[PWR_PATH_MAX];
    struct pwr_err err;
    struct stat st;

    sealed_event(&a, "alice");
    ck_assert_int_eq(pwr_chain_paths(store, kpath, spath, &err), 0);
    ck_assert_int_eq(stat(kpath, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(st.st_size, PWR_CHAIN_KEYBYTES);
    ck_assert_int_eq(stat(spath, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    /* a group-readable key is refused, not used (by the next process:
     * one process keeps the key it read at its first seal) */
    pwr_chain_close();
    ck_assert_int_eq(chmod(kpath, 0640), 0);
    ck_assert_int_eq(pwr_chain_seal_batch(&a, 1, store, &err), -1);
}
END_TEST

START_TEST(test_a_damaged_state_restarts_the_chain_visibly)
{
    struct pwr_audit a;
    char kpath[PWR_PATH_MAX], spath[PWR_PATH_MAX];
    struct pwr_err err;
    int fd;

    sealed_event(&a, "alice");
    sealed_event(&a, "bob");
    ck_assert_int_eq(pwr_chain_paths(store, kpath, spath, &err), 0);
    fd = open(spath, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "garbage\n", 8), 8);
    close(fd);
    sealed_event(&a, "carol");
    ck_assert_ptr_nonnull(strstr(a.line, " seq=1 mac="));
}
END_TEST

START_TEST(test_a_line_too_long_for_the_seal_is_cut_and_marked)
{
    struct pwr_audit a;
    char big[400];
    struct pwr_err err;
    const char *text;
    size_t tlen;
    uint64_t seq;
    char mac[PWR_CHAIN_MACHEX];
    int i;

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    pwr_audit_begin(&a, "account_blocked");
    for (i = 0; i < 10; i++)
        pwr_audit_add(&a, "reason", big);
    ck_assert_int_eq(pwr_chain_seal_batch(&a, 1, store, &err), 0);
    ck_assert_uint_lt(a.len, sizeof(a.line));
    ck_assert_int_eq(a.truncated, 1);
    ck_assert_ptr_nonnull(strstr(a.line, " truncated=1 seq=1 mac="));
    ck_assert_int_eq(pwr_chain_split(a.line - 0, a.len, &text, &tlen, &seq,
                                     mac), 0); /* no "pwreset: " prefix */
}
END_TEST

START_TEST(test_split_refuses_lines_that_are_not_sealed_events)
{
    static const char *const bad[] = {
        "pwreset[1]: event=x user=a",
        "pwreset[1]: event=x seq=1",
        "pwreset[1]: event=x seq=01 mac=0000000000000000000000000000000000000000000000000000000000000000",
        "pwreset[1]: event=x seq= mac=0000000000000000000000000000000000000000000000000000000000000000",
        "sshd[1]: event=x seq=1 mac=0000000000000000000000000000000000000000000000000000000000000000",
        "pwreset[1]: event=x seq=1 mac=000000000000000000000000000000000000000000000000000000000000000G",
        "notpwreset[1]: event=x seq=1 mac=0000000000000000000000000000000000000000000000000000000000000000",
    };
    const char *text;
    size_t tlen, i;
    uint64_t seq;
    char mac[PWR_CHAIN_MACHEX];
    const char *good = "pwreset: event=x seq=12 mac="
                       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(pwr_chain_split(bad[i], strlen(bad[i]), &text, &tlen,
                                      &seq, mac) == 0, "accepted: %s", bad[i]);
    ck_assert_int_eq(pwr_chain_split(good, strlen(good), &text, &tlen, &seq,
                                     mac), 1);
    ck_assert_uint_eq(seq, 12);
    ck_assert_uint_eq(tlen, strlen("event=x seq=12"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("chain");
    TCase *tc = tcase_create("chain");

    tcase_add_checked_fixture(tc, setup, pwr_test_dir_teardown);
    tcase_add_test(tc, test_events_are_numbered_and_each_mac_proves_its_line);
    tcase_add_test(tc, test_key_and_state_are_private_files_beside_the_store);
    tcase_add_test(tc, test_a_damaged_state_restarts_the_chain_visibly);
    tcase_add_test(tc, test_a_line_too_long_for_the_seal_is_cut_and_marked);
    tcase_add_test(tc, test_split_refuses_lines_that_are_not_sealed_events);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pwr_test_run(suite());
}
