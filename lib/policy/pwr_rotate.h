/* pwr_rotate.h - the rotation policy (password aging): max_age and warn_age.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Off by default (max_age = 0), as NIST SP 800-63B advises.  Ages are in
 * seconds of the wall clock; a clock that moved backwards (now before the
 * last change) never flags nor unflags anything.
 */
#ifndef PWR_ROTATE_H
#define PWR_ROTATE_H

#include <stdint.h>

#include "pwr_config.h"
#include "pwr_record.h"

enum pwr_rotate_state {
    PWR_ROT_NONE = 0, /* no rotation policy, never changed, or clock behind */
    PWR_ROT_OK,       /* within max_age and outside warn_age */
    PWR_ROT_WARN,     /* within warn_age of max_age */
    PWR_ROT_EXPIRED,  /* older than max_age */
};

/* Where rec's password stands; *expires (may be NULL) gets the instant it
 * reaches max_age (0 for PWR_ROT_NONE). */
enum pwr_rotate_state pwr_rotate_check(const struct pwr_record *rec,
                                       const struct pwr_config *cfg,
                                       int64_t now, int64_t *expires);

/* Whole days left before expires (rounded up, at least 1). */
int64_t pwr_rotate_days_left(int64_t expires, int64_t now);

#endif
