/* test_linuxaudit.c - unit tests of lib/audit/pwr_linuxaudit.c: which
 * Linux audit record each event becomes, and that sending never fails
 * harshly where the kernel does not allow it.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The live check (a record really reaches auditd and ausearch finds it)
 * writes to the host's audit log, so it runs only when asked:
 * PWR_TEST_AUDITD=1, as root, with ausearch installed; otherwise it says
 * it was skipped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pwr_linuxaudit.h"
#include "testutil.h"

START_TEST(test_changes_admin_actions_and_locks_map_to_their_records)
{
    ck_assert_int_eq(pwr_linuxaudit_kind("password_changed"), PWR_LA_CHAUTHTOK);
    ck_assert_int_eq(pwr_linuxaudit_kind("password_reset_completed"),
                     PWR_LA_CHAUTHTOK);
    ck_assert_int_eq(pwr_linuxaudit_kind("password_set_by_admin"),
                     PWR_LA_CHAUTHTOK);
    ck_assert_int_eq(pwr_linuxaudit_kind("force_password_reset_set"),
                     PWR_LA_MGMT);
    ck_assert_int_eq(pwr_linuxaudit_kind("reset_code_issued"), PWR_LA_MGMT);
    ck_assert_int_eq(pwr_linuxaudit_kind("account_deleted"), PWR_LA_MGMT);
    ck_assert_int_eq(pwr_linuxaudit_kind("account_blocked"), PWR_LA_LOCK);
    ck_assert_int_eq(pwr_linuxaudit_kind("account_unblocked"), PWR_LA_UNLOCK);
}
END_TEST

START_TEST(test_refusals_and_login_decisions_are_not_sent)
{
    struct pwr_err err;

    ck_assert_int_eq(pwr_linuxaudit_kind("permission_denied"), PWR_LA_NONE);
    ck_assert_int_eq(pwr_linuxaudit_kind("policy_rejected"), PWR_LA_NONE);
    ck_assert_int_eq(pwr_linuxaudit_kind("login_allowed"), PWR_LA_NONE);
    ck_assert_int_eq(pwr_linuxaudit_kind(NULL), PWR_LA_NONE);
    ck_assert_int_eq(pwr_linuxaudit_send("policy_rejected", "alice", &err), 0);
}
END_TEST

START_TEST(test_sending_without_privilege_or_libaudit_is_quiet)
{
    struct pwr_err err;
    int rc;

    pwr_err_clear(&err);
    rc = pwr_linuxaudit_send("account_blocked", "pwrtest-nosuchuser", &err);
    if (!pwr_linuxaudit_available())
        ck_assert_int_eq(rc, 0);
    else if (geteuid() != 0)
        ck_assert_int_le(rc, 0); /* no CAP_AUDIT_WRITE: refused or no-op */
    else
        ck_assert_int_ge(rc, -1);
    ck_assert_int_ge(rc, -1);
}
END_TEST

/* 0 pass, 1 fail, 77 skipped. */
static int live_check(void)
{
    char user[64], cmd[256];
    struct pwr_err err;
    int rc;

    if (getenv("PWR_TEST_AUDITD") == NULL || geteuid() != 0 ||
        !pwr_linuxaudit_available() ||
        system("command -v ausearch >/dev/null 2>&1") != 0) {
        printf("live auditd check skipped (set PWR_TEST_AUDITD=1, run as "
               "root, build --with-libaudit, install auditd)\n");
        return 77;
    }
    snprintf(user, sizeof(user), "pwrtest-%ld", (long)getpid());
    rc = pwr_linuxaudit_send("account_blocked", user, &err);
    if (rc != 1) {
        printf("live auditd check skipped: the kernel refused (%s)\n",
               err.msg);
        return 77;
    }
    snprintf(cmd, sizeof(cmd),
             "ausearch -m ACCT_LOCK -ts recent 2>/dev/null | grep -q '%s'",
             user);
    for (int i = 0; i < 20; i++) {
        if (system(cmd) == 0) {
            printf("auditd has the ACCT_LOCK record for %s\n", user);
            return 0;
        }
        usleep(100000);
    }
    printf("ACCT_LOCK record for %s not found by ausearch\n", user);
    return 1;
}

int main(void)
{
    Suite *s = suite_create("linuxaudit");
    TCase *tc = tcase_create("linuxaudit");
    int rc, live;

    tcase_add_test(tc, test_changes_admin_actions_and_locks_map_to_their_records);
    tcase_add_test(tc, test_refusals_and_login_decisions_are_not_sent);
    tcase_add_test(tc, test_sending_without_privilege_or_libaudit_is_quiet);
    suite_add_tcase(s, tc);
    rc = pwr_test_run(s);
    live = live_check();
    if (rc != EXIT_SUCCESS || live == 1)
        return EXIT_FAILURE;
    return EXIT_SUCCESS;
}
