/* pwr_linuxaudit.c - Linux audit records for our events (pwr_linuxaudit.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Optional: without HAVE_LIBAUDIT only the mapping exists, so the rest of
 * the code and the tests are the same in both builds.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LIBAUDIT
#include <libaudit.h>
#endif

#include "pwr_linuxaudit.h"
#include "pwr_util.h"

static const struct {
    const char *event;
    enum pwr_la_kind kind;
} kinds[] = {
    { "password_changed", PWR_LA_CHAUTHTOK },
    { "password_reset_completed", PWR_LA_CHAUTHTOK },
    { "password_set_by_admin", PWR_LA_CHAUTHTOK },
    { "force_password_reset_set", PWR_LA_MGMT },
    { "force_password_reset_cleared", PWR_LA_MGMT },
    { "reset_code_issued", PWR_LA_MGMT },
    { "account_enrolled", PWR_LA_MGMT },
    { "account_deactivated", PWR_LA_MGMT },
    { "account_activated", PWR_LA_MGMT },
    { "account_deleted", PWR_LA_MGMT },
    { "account_blocked", PWR_LA_LOCK },
    { "account_unblocked", PWR_LA_UNLOCK },
};

enum pwr_la_kind pwr_linuxaudit_kind(const char *event)
{
    for (size_t i = 0; event != NULL && i < PWR_ARRAY_SIZE(kinds); i++)
        if (strcmp(kinds[i].event, event) == 0)
            return kinds[i].kind;
    return PWR_LA_NONE;
}

#ifdef HAVE_LIBAUDIT

int pwr_linuxaudit_available(void)
{
    return 1;
}

static int audit_type(enum pwr_la_kind k)
{
    switch (k) {
    case PWR_LA_CHAUTHTOK:
        return AUDIT_USER_CHAUTHTOK;
    case PWR_LA_MGMT:
        return AUDIT_USER_MGMT;
    case PWR_LA_LOCK:
        return AUDIT_ACCT_LOCK;
    case PWR_LA_UNLOCK:
        return AUDIT_ACCT_UNLOCK;
    case PWR_LA_NONE:
        break;
    }
    return 0;
}

int pwr_linuxaudit_send(const char *event, const char *user,
                        struct pwr_err *err)
{
    int type = audit_type(pwr_linuxaudit_kind(event)), fd, rc, saved;

    if (type == 0)
        return 0;
    fd = audit_open();
    if (fd < 0)
        return errno == EINVAL || errno == EPROTONOSUPPORT ||
                       errno == EAFNOSUPPORT
                   ? 0
                   : pwr_fail(err, PWR_E_INTERNAL, "audit_open: %s",
                              strerror(errno));
    /* op is the event word; id -1: the name is what we know for sure */
    rc = audit_log_acct_message(fd, type, "pwreset-helper", event, user,
                                (unsigned int)-1, NULL, NULL, NULL, 1);
    saved = errno;
    audit_close(fd);
    if (rc <= 0)
        return pwr_fail(err, PWR_E_INTERNAL, "audit record refused: %s",
                        strerror(saved));
    return 1;
}

#else

int pwr_linuxaudit_available(void)
{
    return 0;
}

int pwr_linuxaudit_send(const char *event, const char *user,
                        struct pwr_err *err)
{
    (void)event;
    (void)user;
    (void)err;
    return 0;
}

#endif
