/* pwr_linuxaudit.h - the Linux audit (auditd) records that security tools
 * already read, sent alongside the syslog trail (built only with
 * ./configure --with-libaudit, a no-op otherwise).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * USER_CHAUTHTOK for password changes, USER_MGMT for other admin actions,
 * ACCT_LOCK / ACCT_UNLOCK for block / unblock.  The kernel adds the sender's
 * login uid (auid) and session: for the helper, the administrator who ran
 * pwreset, or the user whose login changed the password.
 */
#ifndef PWR_LINUXAUDIT_H
#define PWR_LINUXAUDIT_H

#include "pwr_err.h"

enum pwr_la_kind {
    PWR_LA_NONE = 0,   /* not an event auditd is told about */
    PWR_LA_CHAUTHTOK,  /* AUDIT_USER_CHAUTHTOK */
    PWR_LA_MGMT,       /* AUDIT_USER_MGMT */
    PWR_LA_LOCK,       /* AUDIT_ACCT_LOCK */
    PWR_LA_UNLOCK,     /* AUDIT_ACCT_UNLOCK */
};

/* Which record an audit event (its event= word) becomes. */
enum pwr_la_kind pwr_linuxaudit_kind(const char *event);

/* 1 if built with libaudit. */
int pwr_linuxaudit_available(void);

/* Send the record for event about user (may be NULL).  Returns 1 sent,
 * 0 nothing to send (no libaudit, an event of no interest, or a kernel
 * without audit support), -1 the kernel refused it (err says why). */
int pwr_linuxaudit_send(const char *event, const char *user,
                        struct pwr_err *err);

#endif
