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

/* The user name, tty and rhost come from the client (an ssh login name may
 * hold blanks, '=' or control bytes): every byte outside printable ASCII,
 * and the blank, '=' and the backslash, is written \xHH so none can forge a field
 * or a line. */
static const char *visible(const char *in, char *out, size_t outsz)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    for (; in != NULL && *in != '\0' && o + 5 < outsz; in++) {
        unsigned char c = (unsigned char)*in;

        if (c > 0x20 && c < 0x7f && c != '=' && c != '\\') {
            out[o++] = (char)c;
            continue;
        }
        out[o++] = '\\';
        out[o++] = 'x';
        out[o++] = hex[c >> 4];
        out[o++] = hex[c & 0xf];
    }
    out[o] = '\0';
    return out;
}

void mod_log_err(struct mod_ctx *ctx, const char *fmt, ...)
{
    char msg[512], user[4 * 64 + 1], tty[4 * 64 + 1], rhost[4 * 256 + 1];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pam_syslog(ctx->pamh, LOG_ERR, "%s (user=%s uid=%u tty=%s rhost=%s)", msg,
               ctx->user ? visible(ctx->user, user, sizeof(user)) : "?",
               (unsigned)getuid(), visible(ctx->tty, tty, sizeof(tty)),
               visible(ctx->rhost, rhost, sizeof(rhost)));
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
    pwr_audit_add(&a, "backend", pwr_config_backend_name(&ctx->cfg));
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
