/* pam_pwreset.c - the PAM entry points of pam_pwreset.so.  Each one builds
 * the context, calls one core function and returns its code; the logic
 * lives in the mod_*.c files.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include "mod.h"

typedef int (*mod_fn)(struct mod_ctx *ctx);

static int run(mod_fn fn, pam_handle_t *pamh, int flags, int argc,
               const char **argv)
{
    struct mod_ctx ctx;
    int rc = mod_ctx_init(&ctx, pamh, flags, argc, argv);

    if (rc != PAM_SUCCESS)
        return rc;
    return fn(&ctx);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
                                   const char **argv)
{
    return run(mod_authenticate, pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc,
                              const char **argv)
{
    return run(mod_setcred, pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc,
                                const char **argv)
{
    return run(mod_account, pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc,
                                const char **argv)
{
    return run(mod_chauthtok, pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
                                   const char **argv)
{
    return run(mod_open_session, pamh, flags, argc, argv);
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
                                    const char **argv)
{
    (void)pamh;
    (void)flags;
    (void)argc;
    (void)argv;
    return PAM_SUCCESS;
}
