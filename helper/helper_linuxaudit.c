/* helper_linuxaudit.c - send the Linux audit record of a helper event
 * (lib/audit/pwr_linuxaudit.h), alongside its syslog line.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * A no-op unless built --with-libaudit.  auditd is a second copy of the
 * trail: a refusal (no CAP_AUDIT_WRITE when run without privilege, no
 * audit support in the kernel) never changes the op's result or reply.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "helper.h"
#include "pwr_linuxaudit.h"

struct ev_user {
    char event[64];
    char user[PWR_LOGIN_MAX + 1];
};

static void pick(const char *key, const char *value, void *arg)
{
    struct ev_user *eu = arg;

    if (strcmp(key, "event") == 0)
        (void)pwr_strlcpy(eu->event, value, sizeof(eu->event));
    else if (strcmp(key, "user") == 0)
        (void)pwr_strlcpy(eu->user, value, sizeof(eu->user));
}

void hx_linuxaudit(struct hx *hx, const struct pwr_audit *a)
{
    char buf[PWR_AUDIT_LINE_MAX + 16];
    struct ev_user eu;
    struct pwr_err err;
    int n;

    (void)hx;
    if (!pwr_linuxaudit_available())
        return;
    memset(&eu, 0, sizeof(eu));
    n = snprintf(buf, sizeof(buf), "pwreset: %s", a->line);
    if (n < 0 || (size_t)n >= sizeof(buf) ||
        pwr_audit_parse(buf, (size_t)n, pick, &eu) != 1)
        return;
    (void)pwr_linuxaudit_send(eu.event, eu.user[0] ? eu.user : NULL, &err);
}
