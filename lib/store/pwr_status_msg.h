/* pwr_status_msg.h - one account in the reply to the helper's "status" op:
 * which keys it has, how the helper writes them and how the PAM module and
 * "pwreset status" read them back.  Documented in pwreset-helper(8).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * An account is a group of reply keys that starts with "user", followed by
 * every other key of struct pwr_status_acct, in one fixed order (see
 * pwr_status_msg.c).  A reply holds any number of groups; keys that are not
 * an account's ("result", "message", "warning") may come before, between
 * or after them and are left to the caller.  Reading is strict: a group
 * that lacks a key, repeats one or holds a value of the wrong form (an
 * unknown status or flag word, a number with trailing text) is refused,
 * so a key or flag added on one side only cannot go unnoticed.
 */
#ifndef PWR_STATUS_MSG_H
#define PWR_STATUS_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "pwr_config.h"
#include "pwr_decide.h"
#include "pwr_err.h"
#include "pwr_proto.h"
#include "pwr_record.h"

#define PWR_STATUS_WORD_MAX 64 /* login_reason and notice: a word + NUL */

/* What the helper tells about one account; hashes never leave it, only
 * whether they are usable.  Times are epoch seconds; in the store's keys 0
 * is "never" or "none", in the shadow keys -1 is. */
struct pwr_status_acct {
    char user[PWR_LOGIN_MAX + 1];
    enum pwr_status status;
    unsigned flags;           /* PWR_F_*, written as pwr_flags_format does */
    int has_password;         /* a usable password hash is stored */
    int64_t changed;          /* last password change */
    int64_t temp_expires;
    int code_live;            /* a reset or setup code may be used now */
    int64_t code_expires;
    unsigned code_tries;
    int64_t status_changed;
    char reason[PWR_REASON_MAX]; /* why blocked or deactivated */
    int64_t created;
    /* Would a login succeed now (the documented PAM stack's decision),
     * with its stable reason word and the sentence for the user. */
    enum pwr_acct_decision login;
    char login_reason[PWR_STATUS_WORD_MAX];
    char login_message[PWR_TEXT_MAX + 128];
    /* /etc/shadow: shadow_known 0 when the helper could not read the
     * entry (the other shadow keys then say nothing). */
    int shadow_known;
    int shadow_locked;
    int shadow_password;      /* the entry holds a password, locked or not */
    int64_t shadow_expires;
    int64_t shadow_last_change;
    int64_t shadow_max_days;
    int64_t shadow_inactive_days;
    int64_t password_expires; /* when the password reaches max_age, 0 never */
    char notice[PWR_STATUS_WORD_MAX]; /* admin action not yet shown, "" none */
};

/* "allow", "deny", "change": how the reply names a login decision. */
const char *pwr_status_login_name(enum pwr_acct_decision d);

/* Append a's group of keys to m.  -1 with err for a value that cannot be
 * written (a text member not NUL-terminated, an unknown flag). */
int pwr_status_msg_add(struct pwr_msg *m, const struct pwr_status_acct *a,
                       struct pwr_err *err);

/* Index of the first "user" key of m at or after from: where the next
 * group starts, or m->n when there is none. */
size_t pwr_status_msg_next(const struct pwr_msg *m, size_t from);

/* Read the group of m's fields [start, end): start is its "user" key, end
 * the next group's start (pwr_status_msg_next) or m->n.  -1 with err
 * (PWR_E_INTERNAL: the helper wrote what it should not) if any key of the
 * account is missing, repeated or malformed; a is then zeroed. */
int pwr_status_msg_read(const struct pwr_msg *m, size_t start, size_t end,
                        struct pwr_status_acct *a, struct pwr_err *err);

#endif
