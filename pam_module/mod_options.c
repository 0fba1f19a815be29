/* mod_options.c - module arguments, parsed in one place from one table,
 * and the per-call context built from them and from pwreset.conf.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Order: config= is read first; the file is loaded; then every other
 * argument is applied, so an argument that names a configuration key
 * ("min_length=14") overrides the file.  An unknown argument is logged as an
 * error and otherwise ignored, never silently.
 *
 * A configuration error never fails the module (it fails closed): the
 * file is read leniently (pwr_config_load_lenient: each problem logged at
 * error priority with FILE:LINE, the safe default used), a bad config-key
 * argument is logged and ignored.  Only when the store cannot be known (the
 * file unreadable or unsafe, a bad "store" line or argument) is the context
 * marked cfg_unusable: mod_lookup.c then refuses every account but root.
 * A file that others could have written (as root: not owned by root, or
 * writable by group or others) is cfg_unsafe: its store path is used only
 * when it is the built-in one or one the helper listed (pwr_expect.h), so
 * the accounts outside the store keep logging in, and every account in the
 * store is refused (its settings could be anybody's); any other store path
 * makes it cfg_unusable.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "mod.h"
#include "pwr_expect.h"
#include "pwr_util.h"

enum opt_type { OPT_FLAG, OPT_UINT, OPT_PATH };

struct opt_def {
    const char *name;
    enum opt_type type;
    size_t offset;
};

#define OPT(n, t, f) {n, t, offsetof(struct mod_opts, f)}
static const struct opt_def opt_table[] = {
    OPT("debug", OPT_FLAG, debug),
    OPT("quiet", OPT_FLAG, quiet),
    OPT("use_first_pass", OPT_FLAG, use_first_pass),
    OPT("try_first_pass", OPT_FLAG, try_first_pass),
    OPT("use_authtok", OPT_FLAG, use_authtok),
    OPT("authtok_for_unknown", OPT_FLAG, authtok_for_unknown),
    OPT("retry", OPT_UINT, retry),
    OPT("config", OPT_PATH, config_path),
    OPT("helper", OPT_PATH, helper_path),
};

static const struct opt_def *find_opt(const char *arg, size_t namelen)
{
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(opt_table); i++)
        if (strlen(opt_table[i].name) == namelen &&
            strncmp(opt_table[i].name, arg, namelen) == 0)
            return &opt_table[i];
    return NULL;
}

/* Apply one known option; -1 if its value is bad. */
static int set_opt(struct mod_opts *o, const struct opt_def *d,
                   const char *value)
{
    char *field = (char *)o + d->offset;
    unsigned long v;

    switch (d->type) {
    case OPT_FLAG:
        if (value != NULL)
            return -1;
        *(int *)(void *)field = 1;
        return 0;
    case OPT_UINT:
        if (value == NULL || pwr_parse_uint(value, 1, 100, &v, NULL) < 0)
            return -1;
        *(unsigned *)(void *)field = (unsigned)v;
        return 0;
    case OPT_PATH:
        if (value == NULL || value[0] != '/')
            return -1;
        return pwr_strlcpy(field, value, PWR_PATH_MAX);
    }
    return -1;
}

static void opts_defaults(struct mod_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->retry = 3;
    pwr_strlcpy(o->config_path, PWR_CONFIG_PATH, sizeof(o->config_path));
    pwr_strlcpy(o->helper_path, PWR_HELPER_PATH, sizeof(o->helper_path));
}

/* Split "name=value" (value NULL when there is no '='). */
static const char *arg_value(const char *arg, size_t *namelen)
{
    const char *eq = strchr(arg, '=');

    *namelen = eq ? (size_t)(eq - arg) : strlen(arg);
    return eq ? eq + 1 : NULL;
}

/* Pass 1: module options.  Configuration keys are left for pass 2. */
static void parse_module_opts(struct mod_ctx *ctx, int argc, const char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        size_t namelen;
        const char *value = arg_value(argv[i], &namelen);
        const struct opt_def *d = find_opt(argv[i], namelen);
        char key[64];

        if (d != NULL) {
            if (set_opt(&ctx->opts, d, value) < 0)
                pam_syslog(ctx->pamh, LOG_ERR, "bad value in option '%s'",
                           argv[i]);
            if (strcmp(d->name, "config") == 0)
                ctx->opts.config_given = 1;
            continue;
        }
        if (namelen < sizeof(key)) {
            memcpy(key, argv[i], namelen);
            key[namelen] = '\0';
            if (pwr_config_is_key(key) && value != NULL)
                continue;
        }
        pam_syslog(ctx->pamh, LOG_ERR, "unknown option '%s' ignored", argv[i]);
    }
}

static void mark_unusable(struct mod_ctx *ctx, const struct pwr_err *why)
{
    ctx->cfg_unusable = 1;
    (void)pwr_strlcpy(ctx->cfg_problem, why->msg, sizeof(ctx->cfg_problem));
}

/* An unsafe file: trust its store path only if it is a known one. */
static void mark_unsafe(struct mod_ctx *ctx, const struct pwr_err *why)
{
    struct pwr_config builtin;

    pwr_config_defaults(&builtin);
    ctx->cfg_unsafe = 1;
    (void)pwr_strlcpy(ctx->cfg_problem, why->msg, sizeof(ctx->cfg_problem));
    if (strcmp(ctx->cfg.store, builtin.store) != 0 &&
        !pwr_store_listed(ctx->cfg.store, ctx->opts.config_path))
        ctx->cfg_unusable = 1;
}

static void report_problem(void *arg, const struct pwr_err *problem)
{
    pam_syslog(arg, LOG_ERR, "%s (the line is ignored: the default stays in "
               "force; check with pwreset check-config)", problem->msg);
}

/* Pass 2: configuration keys given as arguments override the file. */
static int apply_config_args(struct mod_ctx *ctx, int argc, const char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        size_t namelen;
        const char *value = arg_value(argv[i], &namelen);
        struct pwr_err err;
        char key[64];

        if (value == NULL || namelen >= sizeof(key) ||
            find_opt(argv[i], namelen) != NULL)
            continue;
        memcpy(key, argv[i], namelen);
        key[namelen] = '\0';
        if (!pwr_config_is_key(key))
            continue;
        if (pwr_config_set(&ctx->cfg, key, value, &err) < 0) {
            pam_syslog(ctx->pamh, LOG_ERR, "%s (ignored)", err.msg);
            if (strcmp(key, "store") == 0)
                mark_unusable(ctx, &err);
        }
    }
    return PAM_SUCCESS;
}

static void get_item_str(pam_handle_t *pamh, int item, const char **out)
{
    const void *v = NULL;

    if (pam_get_item(pamh, item, &v) != PAM_SUCCESS)
        v = NULL;
    *out = v;
}

int mod_ctx_init(struct mod_ctx *ctx, pam_handle_t *pamh, int flags, int argc,
                 const char **argv)
{
    struct pwr_config_lenient len = { .report = report_problem, .arg = pamh };
    struct pwr_err err;

    memset(ctx, 0, sizeof(*ctx));
    ctx->pamh = pamh;
    ctx->flags = flags;
    opts_defaults(&ctx->opts);
    parse_module_opts(ctx, argc, argv);
    pwr_config_defaults(&ctx->cfg);
    if (pwr_config_load_lenient(&ctx->cfg, ctx->opts.config_path, &len,
                                &err) < 0)
        mark_unusable(ctx, &err); /* refused in mod_lookup.c, root aside */
    else if (len.unsafe)
        mark_unsafe(ctx, &len.unsafe_problem);
    if (apply_config_args(ctx, argc, argv) != PAM_SUCCESS)
        return PAM_SERVICE_ERR;
    get_item_str(pamh, PAM_SERVICE, &ctx->service);
    get_item_str(pamh, PAM_RHOST, &ctx->rhost);
    get_item_str(pamh, PAM_TTY, &ctx->tty);
    return PAM_SUCCESS;
}

int mod_get_user(struct mod_ctx *ctx)
{
    const char *user = NULL;
    int rc = pam_get_user(ctx->pamh, &user, NULL);

    if (rc != PAM_SUCCESS)
        return rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : rc;
    if (user == NULL || *user == '\0')
        return PAM_USER_UNKNOWN;
    ctx->user = user;
    if (!pwr_login_valid(user))
        return PAM_USER_UNKNOWN;
    return PAM_SUCCESS;
}
