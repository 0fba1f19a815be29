/* helper_shadow.c - the shadow tools admins already type: what
 * /etc/shadow still says about a store account, and keeping its
 * last-change date true when the password changes through pam_pwreset.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * In the documented stack pam_unix's account stage runs after
 * pam_pwreset's when pam_pwreset allows the login, so the shadow expiry
 * (usermod -e, chage -E), the aging (chage -M, -I) and "chage -d 0" still
 * apply to store accounts; hx_shadow_decide says what they will do, for
 * pwreset status.  A shadow lock ('!' in front of a hash: passwd -l,
 * usermod -L; pwr_shadow_locked) refuses password logins of a store
 * account (the auth stage: pam_pwreset and the verify op), as it does for
 * pam_unix accounts.
 *
 * After a password change through the helper, hx_shadow_touch sets the
 * shadow last-change date to today, as passwd does, when the date matters
 * to pam_unix (it is 0, or a maximum age is set); otherwise pam_unix would
 * go on asking for a change after "chage -d 0", or after the aging ran
 * out, at every login.  This file MUST:
 *  - change /etc/shadow only through shadow-utils (chage, by
 *    absolute path: its locking and its atomic rewrite), never itself;
 *  - run it through hx_run_quiet (fully root, fixed environment, no
 *    caller stream), with "-d DAYS LOGIN" only, LOGIN validated and not
 *    an option;
 *  - never fail the change it follows: the store is already committed.
 */
#include "config.h"

#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "pwr_decide.h"
#include "pwr_hash.h"
#include "pwr_util.h"

#define DAY 86400
#define NO_AGING 99999 /* shadow-utils' "no maximum age" */

static const char *const chage_paths[] = { "/usr/bin/chage",
                                           "/bin/chage" };

/* Listing many accounts: the shadow database read once (getspent) into a
 * sorted index, since getspnam scans /etc/shadow from the top each time
 * (100,000 accounts: minutes).  Only what status needs is kept, never a
 * hash.  A name the index lacks is looked up by getspnam unless the index
 * is final (every account of the store is listed: a source that does not
 * enumerate would cost a scan per account). */
struct shadow_entry {
    char login[PWR_LOGIN_MAX + 1];
    struct hx_shadow sh;
};

static struct {
    struct shadow_entry *e;
    size_t n;
    int loaded, final;
} sindex;

static void fill(struct hx_shadow *sh, const struct spwd *sp)
{
    sh->known = 1;
    sh->locked = pwr_shadow_locked(sp->sp_pwdp);
    sh->nopass = !sh->locked && !pwr_hash_usable(sp->sp_pwdp);
    sh->lastchg = sp->sp_lstchg;
    sh->max = sp->sp_max;
    sh->inact = sp->sp_inact;
    sh->expire = sp->sp_expire;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct shadow_entry *)a)->login,
                  ((const struct shadow_entry *)b)->login);
}

void hx_shadow_preload(int final)
{
    struct spwd *sp;
    size_t cap = 0;

    if (sindex.loaded || geteuid() != 0)
        return;
    setspent();
    while ((sp = getspent()) != NULL) {
        if (!pwr_login_valid(sp->sp_namp))
            continue;
        if (sindex.n == cap) {
            size_t ncap = cap == 0 ? 1024 : cap * 2;
            void *ne = realloc(sindex.e, ncap * sizeof(*sindex.e));

            if (ne == NULL)
                break; /* hx_shadow_get falls back to getspnam */
            sindex.e = ne;
            cap = ncap;
        }
        memset(&sindex.e[sindex.n], 0, sizeof(sindex.e[0]));
        pwr_strlcpy(sindex.e[sindex.n].login, sp->sp_namp,
                    sizeof(sindex.e[0].login));
        fill(&sindex.e[sindex.n].sh, sp);
        sindex.n++;
    }
    endspent();
    if (sindex.n > 1)
        qsort(sindex.e, sindex.n, sizeof(*sindex.e), entry_cmp);
    sindex.loaded = 1;
    sindex.final = final;
}

/* The last account read by getspnam (a login's verify asks twice: the
 * lock, then the status it replies with): one scan of /etc/shadow, not
 * two.  Forgotten when hx_shadow_touch changes the file. */
static struct {
    int valid, found;
    char login[PWR_LOGIN_MAX + 1];
    struct hx_shadow sh;
} last;

int hx_shadow_get(const char *login, struct hx_shadow *sh)
{
    struct shadow_entry key, *hit;
    struct spwd *sp;

    memset(sh, 0, sizeof(*sh));
    sh->lastchg = sh->max = sh->inact = sh->expire = -1;
    if (geteuid() != 0 || !pwr_login_valid(login))
        return 0; /* only root may read /etc/shadow */
    if (sindex.loaded) {
        memset(&key, 0, sizeof(key));
        pwr_strlcpy(key.login, login, sizeof(key.login));
        hit = sindex.n > 0 ? bsearch(&key, sindex.e, sindex.n,
                                     sizeof(*sindex.e), entry_cmp)
                           : NULL;
        if (hit != NULL) {
            *sh = hit->sh;
            return 1;
        }
        if (sindex.final)
            return 0;
    }
    if (last.valid && strcmp(last.login, login) == 0) {
        if (last.found)
            *sh = last.sh;
        return last.found;
    }
    sp = getspnam(login);
    if (sp != NULL)
        fill(sh, sp);
    last.valid = 1;
    last.found = sp != NULL;
    last.sh = *sh;
    pwr_strlcpy(last.login, login, sizeof(last.login));
    return last.found;
}

static void set(struct pwr_acct_result *ar, enum pwr_acct_decision d,
                const char *reason, const char *msg)
{
    ar->decision = d;
    ar->reason = reason;
    snprintf(ar->message, sizeof(ar->message), "%s", msg);
}

/* pam_unix's check_shadow_expiry (Linux-PAM 1.5), on days since 1970. */
static void unix_account(const struct hx_shadow *sh, long long today,
                         struct pwr_acct_result *ar)
{
    long long age = today - sh->lastchg;

    if (sh->expire != -1 && today >= sh->expire)
        set(ar, PWR_ACCT_DENY, "shadow_expired",
            "The account expired in /etc/shadow (usermod -e, chage -E).");
    else if (sh->lastchg == 0)
        set(ar, PWR_ACCT_CHANGE, "shadow_must_change",
            "/etc/shadow asks for a new password (chage -d 0).");
    else if (sh->lastchg < 0 || age < 0 || sh->max == -1)
        return;
    else if (sh->inact != -1 && age > sh->max + sh->inact)
        set(ar, PWR_ACCT_DENY, "shadow_inactive",
            "The password expired too long ago per /etc/shadow aging "
            "(chage -M, -I).");
    else if (age > sh->max)
        set(ar, PWR_ACCT_CHANGE, "shadow_aged",
            "The password is older than /etc/shadow allows (chage -M).");
}

void hx_shadow_decide(const struct hx_shadow *sh, int64_t now,
                      struct pwr_acct_result *ar)
{
    if (!sh->known || ar->decision == PWR_ACCT_DENY)
        return;
    if (sh->locked) {
        set(ar, PWR_ACCT_DENY, "shadow_locked",
            "The password is locked in /etc/shadow (passwd -l, usermod "
            "-L): password logins are refused.");
        return;
    }
    if (ar->decision == PWR_ACCT_ALLOW) /* CHANGE ends the stack: "done" */
        unix_account(sh, now / DAY, ar);
}

void hx_shadow_touch(struct hx *hx, const char *login)
{
    struct hx_shadow sh;
    long long today = hx->now / DAY;
    char days[32];
    char *argv[] = { (char *)(uintptr_t)"chage", (char *)(uintptr_t)"-d",
                     days, (char *)(uintptr_t)"--",
                     (char *)(uintptr_t)login, NULL };
    size_t i;

    if (!hx_shadow_get(login, &sh) || sh.lastchg == today || login[0] == '-')
        return;
    /* Only when the date matters to pam_unix: "chage -d 0", or aging. */
    if (sh.lastchg != 0 && (sh.max < 0 || sh.max >= NO_AGING))
        return;
    snprintf(days, sizeof(days), "%lld", today);
    last.valid = 0; /* chage changes the entry */
    for (i = 0; i < PWR_ARRAY_SIZE(chage_paths); i++)
        if (access(chage_paths[i], X_OK) == 0)
            break;
    if (i == PWR_ARRAY_SIZE(chage_paths) ||
        hx_run_quiet(chage_paths[i], argv) < 0) {
        struct pwr_err ignored;

        (void)hx_out(hx, "shadow_date", "failed", &ignored);
    }
}
