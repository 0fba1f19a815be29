/* test_exports.c - pam_pwreset.so exports the six pam_sm_* entry points and
 * nothing else of ours (the version script hides the core library).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

static void *open_module(void)
{
    const char *top = getenv("top_builddir");
    char path[4096];
    void *h;

    snprintf(path, sizeof(path), "%s/pam_module/.libs/pam_pwreset.so",
             top ? top : ".");
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(h != NULL, "dlopen %s: %s", path, dlerror());
    return h;
}

START_TEST(test_module_exports_every_pam_entry_point)
{
    static const char *const wanted[] = {
        "pam_sm_authenticate", "pam_sm_setcred",      "pam_sm_acct_mgmt",
        "pam_sm_chauthtok",    "pam_sm_open_session", "pam_sm_close_session",
    };
    void *h = open_module();
    size_t i;

    for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
        ck_assert_msg(dlsym(h, wanted[i]) != NULL, "%s not exported", wanted[i]);
    dlclose(h);
}
END_TEST

START_TEST(test_module_hides_its_internal_functions)
{
    static const char *const hidden[] = {
        "mod_authenticate", "mod_ctx_init",   "pwr_store_open",
        "pwr_hash_verify",  "pwr_config_load", "pwr_audit_send",
    };
    void *h = open_module();
    size_t i;

    for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
        ck_assert_msg(dlsym(h, hidden[i]) == NULL, "%s is exported", hidden[i]);
    dlclose(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("exports");
    TCase *tc = tcase_create("exports");

    tcase_add_test(tc, test_module_exports_every_pam_entry_point);
    tcase_add_test(tc, test_module_hides_its_internal_functions);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
