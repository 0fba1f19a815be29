/* pwr_notice.c - the text of a one-time admin-action notice (pwr_notice.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The record may have been damaged or edited by hand, and the sentence is
 * printed on the user's terminal: only known event words and valid logins
 * reach it, everything else becomes general words.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pwr_notice.h"
#include "pwr_util.h"

static const struct {
    const char *event, *what, *subject;
} events[] = {
    { PWR_NOTICE_PASSWORD_SET, "Your password was reset",
      "password reset by an administrator" },
    { PWR_NOTICE_TEMP_PASSWORD, "A temporary password was set for you",
      "temporary password set by an administrator" },
    { PWR_NOTICE_FORCE_RESET, "A password change was required of you",
      "password change required by an administrator" },
    { PWR_NOTICE_RESET_CODE, "A reset code was issued for your account",
      "reset code issued by an administrator" },
    { PWR_NOTICE_UNBLOCKED, "Your account was unblocked",
      "account unblocked by an administrator" },
    { PWR_NOTICE_ACTIVATED, "Your account was activated",
      "account activated by an administrator" },
};

static int event_index(const char *event)
{
    for (size_t i = 0; i < PWR_ARRAY_SIZE(events); i++)
        if (strcmp(events[i].event, event) == 0)
            return (int)i;
    return -1;
}

const char *pwr_notice_subject(const char *event)
{
    int i = event_index(event);

    return i < 0 ? "account changed by an administrator" : events[i].subject;
}

/* "#1000" style actors (a caller without a login name). */
static int uid_word(const char *s)
{
    size_t n = strlen(s);

    return n >= 2 && n <= 11 && s[0] == '#' && strspn(s + 1, "0123456789") ==
                                                     n - 1;
}

static void when_text(int64_t t, char *out, size_t outsz)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
        strftime(out, outsz, " on %Y-%m-%d %H:%M UTC", &tm) == 0)
        out[0] = '\0';
}

int pwr_notice_format(const struct pwr_record *rec, const char *contact,
                      char *out, size_t outsz)
{
    char when[48];
    const char *by = rec->notice_by;
    int i, n;

    if (outsz == 0)
        return 0;
    out[0] = '\0';
    if (rec->notice[0] == '\0')
        return 0;
    i = event_index(rec->notice);
    if (!pwr_login_valid(by) && !uid_word(by))
        by = "an administrator";
    when_text(rec->notice_at, when, sizeof(when));
    n = snprintf(out, outsz, "%s by %s%s. If you did not expect this, "
                 "contact %s.",
                 i < 0 ? "Your account was changed" : events[i].what, by,
                 when, contact != NULL && contact[0] ? contact
                                                     : "your administrator");
    if (n < 0)
        out[0] = '\0';
    return 1;
}

int pwr_notice_completed_by_change(const struct pwr_record *rec)
{
    return rec->notice[0] != '\0' &&
           ((rec->flags & (PWR_F_MUST_CHANGE | PWR_F_TEMPORARY)) ||
            rec->code_hash[0] != '\0');
}

int pwr_notice_is_force_reset(const struct pwr_record *rec)
{
    return strcmp(rec->notice, PWR_NOTICE_FORCE_RESET) == 0;
}

void pwr_notice_clear(struct pwr_record *rec)
{
    memset(rec->notice, 0, sizeof(rec->notice));
    memset(rec->notice_by, 0, sizeof(rec->notice_by));
    rec->notice_at = 0;
}
