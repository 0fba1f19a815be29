/* pwr_err.h - the one error idiom of pam_pwreset.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Every fallible function in the core returns 0 on success or -1 on failure
 * and, on failure, fills a caller-supplied struct pwr_err with a code and a
 * human-readable message.  The message never contains a secret.  The codes
 * double as the stable exit statuses of pwreset(8) and pwreset-helper(8).
 */
#ifndef PWR_ERR_H
#define PWR_ERR_H

#include <stddef.h>

enum pwr_code {
    PWR_OK = 0,
    PWR_E_INTERNAL = 1,   /* unexpected failure (out of memory, bug) */
    PWR_E_USAGE = 2,      /* bad command line or bad input value */
    PWR_E_PERM = 3,       /* caller may not do this */
    PWR_E_NOENT = 4,      /* no such account (in the store or the system) */
    PWR_E_INELIGIBLE = 5, /* account status does not allow this action */
    PWR_E_POLICY = 6,     /* password rejected by policy */
    PWR_E_STORE = 7,      /* store corrupt, unsafe, unreadable or unwritable */
    PWR_E_AUTH = 8,       /* wrong password, code or temporary password */
    PWR_E_CANCEL = 9,     /* confirmation declined */
    PWR_E_BUSY = 10,      /* store lock held too long by another writer */
    PWR_E_CONFIG = 11,    /* configuration file or option invalid */
    PWR_E_EXISTS = 12,    /* account already in the store */
    PWR_E_PARTIAL = 13,   /* done, but some accounts were skipped (CLI only) */
    PWR_E_UNAVAIL = 14,   /* the directory (backend = ldap) did not answer */
};

struct pwr_err {
    enum pwr_code code;
    char msg[512];
};

/* Record an error and return -1, so callers can write
 * "return pwr_fail(err, PWR_E_STORE, "%s: ...", path);".  err may be NULL. */
int pwr_fail(struct pwr_err *err, enum pwr_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like pwr_fail, appending ": strerror(errnum)". */
int pwr_fail_errno(struct pwr_err *err, enum pwr_code code, int errnum,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The static analyzer sees one file at a time and cannot know that the two
 * above always return -1; without this it reports paths on which they
 * "returned 0" (tests/hardening/lint.sh).  Nothing changes for compilers. */
#ifdef __clang_analyzer__
#define pwr_fail(err, code, ...) (pwr_fail((err), (code), __VA_ARGS__), -1)
#define pwr_fail_errno(err, code, errnum, ...)                               \
    (pwr_fail_errno((err), (code), (errnum), __VA_ARGS__), -1)
#endif

/* Reset to "no error". */
void pwr_err_clear(struct pwr_err *err);

/* Short stable name of a code ("store", "policy", ...) for logs and JSON. */
const char *pwr_code_name(enum pwr_code code);

#endif
