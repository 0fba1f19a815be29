/* pwr_rotate.c - the rotation policy (see pwr_rotate.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Free of I/O like pwr_decide.c, which calls it, so the module, the helper
 * and "pwreset status" agree and the unit tests can use any clock.
 */
#include "config.h"

#include "pwr_rotate.h"

#define DAY 86400

enum pwr_rotate_state pwr_rotate_check(const struct pwr_record *rec,
                                       const struct pwr_config *cfg,
                                       int64_t now, int64_t *expires)
{
    int64_t when;

    if (expires != NULL)
        *expires = 0;
    /* changed == 0: never set (enrolled without a password, or imported
     * without a date): there is no age to judge. */
    if (cfg->max_age <= 0 || rec->changed <= 0 ||
        rec->changed > INT64_MAX - cfg->max_age)
        return PWR_ROT_NONE;
    when = rec->changed + cfg->max_age;
    if (expires != NULL)
        *expires = when;
    if (now < rec->changed)
        return PWR_ROT_NONE; /* the clock went backwards: judge nothing */
    if (now >= when)
        return PWR_ROT_EXPIRED;
    if (cfg->warn_age > 0 && when - now <= cfg->warn_age)
        return PWR_ROT_WARN;
    return PWR_ROT_OK;
}

int64_t pwr_rotate_days_left(int64_t expires, int64_t now)
{
    int64_t left = expires - now;

    if (left <= DAY)
        return 1;
    return (left + DAY - 1) / DAY;
}
