/* pwr_policy.h - new-password policy (after NIST SP 800-63B).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Length is counted in Unicode code points.  No composition rules.  Every
 * rule a value breaks is reported at once, as a bit in a mask; each bit has a
 * stable reason code (for audit lines) and a sentence for the user.
 */
#ifndef PWR_POLICY_H
#define PWR_POLICY_H

#include <stddef.h>

#include "pwr_err.h"
#include "pwr_util.h"

#define PWR_POL_TOO_SHORT 0x001u      /* too_short */
#define PWR_POL_TOO_LONG 0x002u       /* too_long */
#define PWR_POL_BAD_UTF8 0x004u       /* not_utf8 */
#define PWR_POL_BLOCKLISTED 0x008u    /* blocklisted */
#define PWR_POL_CONTAINS_LOGIN 0x010u /* contains_login */
#define PWR_POL_CONTAINS_NAME 0x020u  /* contains_name */
#define PWR_POL_TRIVIAL 0x040u        /* trivial (repeats, sequences) */
#define PWR_POL_SAME_AS_CURRENT 0x080u/* reused */
#define PWR_POL_BREACHED 0x100u       /* breached */
#define PWR_POL_CONTROL 0x200u        /* control_chars (C0 controls, DEL) */

#define PWR_POLICY_MAX_LISTS 8

struct pwr_policy {
    unsigned min_length;  /* default 12 */
    unsigned max_length;  /* default 256, never below 256 */
    const char *blocklists[PWR_POLICY_MAX_LISTS]; /* word-list files, NULL-terminated or n */
    size_t n_blocklists;
    const char *breached_list; /* sorted "SHA1HEX:COUNT" file, or NULL */
};

struct pwr_policy_input {
    const char *password;     /* candidate (NUL-terminated) */
    const char *login;        /* may be NULL */
    const char *full_name;    /* GECOS full name, may be NULL */
    const char *current_hash; /* stored hash of the current password, may be NULL */
};

/* Check every rule; *violations gets the mask (0 = accepted).  Returns -1 only
 * when a rule cannot be checked (e.g. a configured list cannot be read):
 * callers then fail closed. */
int pwr_policy_check(const struct pwr_policy *pol,
                     const struct pwr_policy_input *in, unsigned *violations,
                     struct pwr_err *err);

/* Comma-separated stable reason codes of a mask
 * ("too_short,contains_login"); a bit of no rule adds nothing. */
void pwr_policy_reasons(unsigned mask, char *out, size_t outsz);

/* Whom a rejection is addressed to: the account's owner ("your login
 * name") or an administrator setting it ("the account's login name"). */
enum pwr_voice { PWR_VOICE_OWNER, PWR_VOICE_ADMIN };

/* One sentence per broken rule, each on its own line, in that voice. */
void pwr_policy_describe(const struct pwr_policy *pol, unsigned mask,
                         enum pwr_voice voice, char *out, size_t outsz);

/* One short line stating the rules, shown before the first prompt. */
void pwr_policy_summary(const struct pwr_policy *pol, char *out, size_t outsz);

/* Offline breached-password check: binary search in a sorted file of
 * upper-case SHA-1 hex "HASH:COUNT" lines (Pwned Passwords format), via mmap,
 * without reading the whole file.  *found = 1 if present. */
int pwr_breach_lookup(const char *path, const char *password, int *found,
                      struct pwr_err *err);

/* Open a breached-password list as every lookup does (rules below, not
 * empty): the fd and its size, or -1 with PWR_E_CONFIG. */
int pwr_breach_open(const char *path, size_t *size, struct pwr_err *err);

/* How a word list (blocklist, breached list) is opened: a regular file, no
 * symbolic link, not writable by group or others, and as root owned by
 * root (the same rules as the configuration file's). */
extern const struct pwr_file_rules pwr_word_list_rules;

/* SHA-1 (FIPS 180-4) for the breached list; out is 20 bytes. */
void pwr_sha1(const void *data, size_t len, unsigned char out[20]);

#endif
