/* pwr_hash.h - password hashing and verification.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * New hashes: yescrypt through libxcrypt (crypt_gensalt_rn + crypt_rn, salt
 * bytes from libsodium), or argon2id through libsodium.  Verification accepts
 * any hash libxcrypt supports and enables, and "$argon2id$" strings.
 * Comparison is constant-time.  Unusable stored values ("", "*", "!...",
 * "*0", disabled or unknown methods) never verify.
 */
#ifndef PWR_HASH_H
#define PWR_HASH_H

#include "pwr_err.h"
#include "pwr_record.h"

enum pwr_hash_method { PWR_HASH_YESCRYPT = 0, PWR_HASH_ARGON2ID };

struct pwr_hash_params {
    enum pwr_hash_method method;
    unsigned cost; /* yescrypt: 1..11 (default 5); argon2id: opslimit 1..10 (default 2, 64 MiB) */
};

/* Hash pw into out (PWR_HASH_MAX bytes). */
int pwr_hash_make(const char *pw, const struct pwr_hash_params *params,
                  char *out, struct pwr_err *err);

/* 1 if pw matches stored, 0 if not (or stored is unusable, or pw is
 * longer than stored's method reads), -1 on error. */
int pwr_hash_verify(const char *pw, const char *stored, struct pwr_err *err);

/* 1 if stored could ever verify a password. */
int pwr_hash_usable(const char *stored);

/* Do the work of one verification with params, for a user who has no hash
 * (unknown user, no password yet), so timing does not tell them apart. */
void pwr_hash_dummy(const char *pw, const struct pwr_hash_params *params);

/* How many bytes of a password stored's method reads: 8 (descrypt), 72
 * (bcrypt), 0 for all of it.  Longer typed passwords never verify. */
size_t pwr_hash_input_limit(const char *stored);

/* The login check: 1 if pw matches stored (NULL: no account, or no usable
 * hash), else 0 after the same time whatever stored is: three times one
 * hash at params, measured in this call (see "Login timing" in
 * pwr_hash.c). */
int pwr_hash_login(const char *pw, const char *stored,
                   const struct pwr_hash_params *params);

/* "yescrypt" / "argon2id"; parse returns -1 for other names. */
const char *pwr_hash_method_name(enum pwr_hash_method m);
int pwr_hash_method_parse(const char *name, enum pwr_hash_method *m);

/* A record's hash that only says "the backend holds a password" (the
 * directory: nobody reads userPassword, passwords are checked by a bind):
 * usable, and matches no password here. */
#define PWR_HASH_ELSEWHERE "*elsewhere*"

#endif
