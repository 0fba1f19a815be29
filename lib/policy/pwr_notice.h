/* pwr_notice.h - the one-time notice of an admin action: the
 * words the user reads at the next login and in the optional mail.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The record keys notice= (event word), notice_by= and notice_at= are set
 * by the helper in the admin op's transaction and cleared (op notice_seen)
 * once the module has shown them, by the password change that completes
 * the admin action when the handle making it has shown them, or with the
 * flag by "force-reset --clear".  Nothing here does I/O.
 */
#ifndef PWR_NOTICE_H
#define PWR_NOTICE_H

#include <stddef.h>

#include "pwr_record.h"

/* Event words recorded in notice=. */
#define PWR_NOTICE_PASSWORD_SET "password_set"
#define PWR_NOTICE_TEMP_PASSWORD "temp_password"
#define PWR_NOTICE_FORCE_RESET "force_reset"
#define PWR_NOTICE_RESET_CODE "reset_code"
#define PWR_NOTICE_UNBLOCKED "unblocked"
#define PWR_NOTICE_ACTIVATED "activated"

/* "Your password was reset by root on 2026-11-22 14:03 UTC. If you did not
 * expect this, contact CONTACT."  Returns 1 if rec holds a notice (out
 * filled), 0 if not (out ""). An unknown event word or an actor that is
 * not a login or "#UID" is shown in general words, never raw. */
int pwr_notice_format(const struct pwr_record *rec, const char *contact,
                      char *out, size_t outsz);

/* 1 if rec holds a notice and a password change completes the admin action
 * behind it (a forced change, a temporary password, a reset code): the
 * change then forgets the notice, provided whoever made it showed it. */
int pwr_notice_completed_by_change(const struct pwr_record *rec);

/* 1 if rec's notice is the one force-reset left (cleared with the flag). */
int pwr_notice_is_force_reset(const struct pwr_record *rec);

/* Forget rec's notice. */
void pwr_notice_clear(struct pwr_record *rec);

/* The short subject for a mail: "password reset by an administrator". */
const char *pwr_notice_subject(const char *event);

#endif
