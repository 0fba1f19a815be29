/* pwr_history.h - the password history of a record: recent passwords
 * refused again.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The record key history= holds the hashes of earlier passwords, newest
 * first, separated by ';', exactly as pwr_hash_make wrote them (crypt(3)
 * strings, which never contain a ';'; argon2id ones do contain commas).  history = N in pwreset.conf keeps
 * N of them; the current password is the record's hash= and is refused by
 * the policy's same_as_current rule, so a new password is compared with the
 * current one and the N before it.  Never a plain password, never MD5:
 * entries that pwr_hash_usable refuses are dropped, not kept.
 */
#ifndef PWR_HISTORY_H
#define PWR_HISTORY_H

#include <stddef.h>

#include "pwr_err.h"

/* 1 if pw matches one of the at most keep newest hashes of history, 0 if
 * not, -1 on error (err).  Costs one hash computation per entry. */
int pwr_history_contains(const char *history, unsigned keep, const char *pw,
                         struct pwr_err *err);

/* Put old_hash in front of history (size bytes) and keep at most keep
 * entries, dropping the oldest (also when the text would not fit).  An
 * unusable or empty old_hash only trims.  keep 0 empties the history. */
void pwr_history_push(char *history, size_t size, const char *old_hash,
                      unsigned keep);

#endif
