/* mod_log.c - the module's two logging paths: operational messages through
 * pam_syslog (debug ones only with "debug"), and audit events through the
 * shared audit writer (pwr_audit.h), each carrying service, rhost and tty.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

#include "mod.h"
#include "pwr_audit.h"

void mod_debug(struct mod_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    if (!ctx->opts.debug)
        return;
    va_start(ap, fmt);
    pam_vsyslog(ctx->pamh, LOG_DEBUG, fmt, ap);
    va_end(ap);
}

void mod_log_err(struct mod_ctx *ctx, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pam_syslog(ctx->pamh, LOG_ERR, "%s (user=%s uid=%u tty=%s rhost=%s)", msg,
               ctx->user ? ctx->user : "?", (unsigned)getuid(),
               ctx->tty ? ctx->tty : "", ctx->rhost ? ctx->rhost : "");
}

void mod_audit(struct mod_ctx *ctx, const char *event, ...)
{
    struct pwr_audit a;
    struct pwr_err err;
    const char *key;
    va_list ap;

    pwr_audit_begin(&a, event);
    pwr_audit_add(&a, "user", ctx->user ? ctx->user : "");
    va_start(ap, event);
    while ((key = va_arg(ap, const char *)) != NULL)
        pwr_audit_add(&a, key, va_arg(ap, const char *));
    va_end(ap);
    pwr_audit_add_int(&a, "uid", (long long)getuid());
    if (ctx->service)
        pwr_audit_add(&a, "service", ctx->service);
    if (ctx->rhost && *ctx->rhost)
        pwr_audit_add(&a, "rhost", ctx->rhost);
    if (ctx->tty && *ctx->tty)
        pwr_audit_add(&a, "tty", ctx->tty);
    if (pwr_audit_send(&a, ctx->cfg.audit_socket, 0, &err) < 0)
        pam_syslog(ctx->pamh, LOG_ERR, "audit event %s not written: %s",
                   event, err.msg);
}
