/* pwr_decide.h - the account model's decisions, shared by the PAM module,
 * the helper and "pwreset status": does a typed secret authenticate, may the
 * account log in, must it change its password, may an action touch it.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * These functions only decide; they never write the store or log.
 */
#ifndef PWR_DECIDE_H
#define PWR_DECIDE_H

#include <stdint.h>

#include "pwr_config.h"
#include "pwr_err.h"
#include "pwr_record.h"

enum pwr_auth_method {
    PWR_AM_NONE = 0,  /* nothing matched */
    PWR_AM_PASSWORD,  /* the account's ordinary password */
    PWR_AM_TEMPORARY, /* a temporary password set by an administrator */
    PWR_AM_CODE,      /* a live reset code, or a setup code of a pending account */
};

enum pwr_auth_outcome {
    PWR_AUTH_OK = 0,
    PWR_AUTH_WRONG,        /* no match (also: unknown user, unusable hash) */
    PWR_AUTH_TEMP_EXPIRED, /* the right temporary password, but expired */
};

struct pwr_auth_result {
    enum pwr_auth_outcome outcome;
    enum pwr_auth_method method;
    int code_try; /* typed value had a code's shape, a code was live, and it
                     did not match: counts as one wrong try */
};

/* Decide whether typed authenticates rec (NULL rec: unknown user).  Always
 * does one password-hash computation and one code-hash computation, whatever
 * the record holds, so the time does not depend on the account. */
void pwr_auth_check(const struct pwr_record *rec, const char *typed,
                    const struct pwr_config *cfg, int64_t now,
                    struct pwr_auth_result *res);

enum pwr_acct_decision {
    PWR_ACCT_ALLOW = 0,
    PWR_ACCT_DENY,   /* status forbids login */
    PWR_ACCT_CHANGE, /* may log in only after choosing a new password */
};

struct pwr_acct_result {
    enum pwr_acct_decision decision;
    const char *reason;  /* stable: ok blocked inactive deleted pending
                            must_change temporary code; and, with password
                            aging, expired (CHANGE), expires_soon (ALLOW
                            with a warning in message) */
    char message[PWR_TEXT_MAX + 128]; /* sentence for the user; "" if none */
};

/* May rec log in, given how it authenticated (PWR_AM_NONE for a login that
 * did not go through our auth stage, e.g. an SSH public key)? */
void pwr_account_check(const struct pwr_record *rec,
                       enum pwr_auth_method method,
                       const struct pwr_config *cfg, int64_t now,
                       struct pwr_acct_result *res);

/* Eligibility: resets (set-password, temp-password, reset-code, force-reset)
 * only for active and pending accounts.  0 or -1 with PWR_E_INELIGIBLE. */
int pwr_reset_eligible(const struct pwr_record *rec, struct pwr_err *err);

const char *pwr_auth_method_name(enum pwr_auth_method m);

/* Key-only users: 1 if rec is an active account with no password
 * at all (no usable hash, no live code), which may therefore set its first
 * password without a current one, as pam_unix allows for an empty password
 * field.  Once it has one, the current password is always asked. */
int pwr_record_passwordless(const struct pwr_record *rec, int64_t now,
                            unsigned max_tries);

/* Shadow locks: 1 if an /etc/shadow password field is a lock put on a
 * password (passwd -l, usermod -L prepend '!'): '!' in front of a usable
 * hash or of another '!'.  A lone "!" or "*" means no password was ever
 * set (useradd, adduser --disabled-password): not a lock. */
int pwr_shadow_locked(const char *field);

#endif
