/* pwr_err.c - fill and describe struct pwr_err (see pwr_err.h).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pwr_err.h"

static void set_msg(struct pwr_err *err, enum pwr_code code, const char *fmt,
                    va_list ap)
{
    err->code = code;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

/* (pwr_fail): the name in parentheses is never the analyzer's macro. */
int (pwr_fail)(struct pwr_err *err, enum pwr_code code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return -1;
    va_start(ap, fmt);
    set_msg(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

int (pwr_fail_errno)(struct pwr_err *err, enum pwr_code code, int errnum,
                     const char *fmt, ...)
{
    va_list ap;
    size_t len;

    if (err == NULL)
        return -1;
    va_start(ap, fmt);
    set_msg(err, code, fmt, ap);
    va_end(ap);
    len = strlen(err->msg);
    snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
    return -1;
}

void pwr_err_clear(struct pwr_err *err)
{
    if (err == NULL)
        return;
    err->code = PWR_OK;
    err->msg[0] = '\0';
}

const char *pwr_code_name(enum pwr_code code)
{
    static const char *const names[] = {
        [PWR_OK] = "ok",           [PWR_E_INTERNAL] = "internal",
        [PWR_E_USAGE] = "usage",   [PWR_E_PERM] = "permission",
        [PWR_E_NOENT] = "no_such_account",
        [PWR_E_INELIGIBLE] = "ineligible",
        [PWR_E_POLICY] = "policy", [PWR_E_STORE] = "store",
        [PWR_E_AUTH] = "auth",     [PWR_E_CANCEL] = "cancelled",
        [PWR_E_BUSY] = "busy",     [PWR_E_CONFIG] = "config",
        [PWR_E_EXISTS] = "exists", [PWR_E_PARTIAL] = "partial",
        [PWR_E_UNAVAIL] = "unavailable",
    };

    if ((size_t)code < sizeof(names) / sizeof(names[0]) && names[code])
        return names[code];
    return "unknown";
}
