/* pwr_secret.h - generated secrets (temporary passwords, reset and setup
 * codes), their stored form, and wiping.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Alphabet: 23456789abcdefghjkmnpqrstuvwxyz (31 symbols: no 0/O/1/l/I/i/o),
 * lower case so it reads aloud well.  Every symbol comes from libsodium's
 * randombytes_uniform.
 *   temporary password: 6 groups of 4, "-" between: 24 symbols, ~119 bits
 *   reset/setup code:   4 groups of 5, "-" between: 20 symbols, ~99 bits
 * A code is stored only as "$pwrc$<32 hex salt>$<64 hex BLAKE2b(salt, code)>",
 * computed over the normalised code (lower case, no spaces or dashes).
 */
#ifndef PWR_SECRET_H
#define PWR_SECRET_H

#include <stddef.h>

#include "pwr_err.h"

#define PWR_SECRET_ALPHABET "23456789abcdefghjkmnpqrstuvwxyz"
#define PWR_TEMP_GROUPS 6
#define PWR_TEMP_GROUP_LEN 4
#define PWR_CODE_GROUPS 4
#define PWR_CODE_GROUP_LEN 5
#define PWR_CODE_SYMBOLS (PWR_CODE_GROUPS * PWR_CODE_GROUP_LEN)
#define PWR_SECRET_MAX 64 /* buffer size for any generated secret + NUL */

/* Must be called once before anything else in libsodium (idempotent). */
int pwr_crypto_init(struct pwr_err *err);

/* Generate into out (PWR_SECRET_MAX bytes). */
int pwr_secret_temp_password(char *out, struct pwr_err *err);
int pwr_secret_code(char *out, struct pwr_err *err);

/* Normalise a typed code into out (PWR_SECRET_MAX): lower case, spaces and
 * dashes dropped.  Returns 1 if the result has the exact shape of a code
 * (PWR_CODE_SYMBOLS symbols of the alphabet), else 0 (out is wiped). */
int pwr_code_normalize(const char *typed, char *out);

/* Stored form of a code (out: PWR_HASH_MAX bytes). */
int pwr_code_hash(const char *code, char *out, struct pwr_err *err);

/* 1 if typed (normalised here) matches stored, else 0.  Constant time in the
 * typed value; does the same work when stored is empty or malformed. */
int pwr_code_verify(const char *typed, const char *stored);

/* Wipe memory that held a secret (sodium_memzero). */
void pwr_wipe(void *p, size_t len);

/* Wipe a NUL-terminated string in place. */
void pwr_wipe_str(char *s);

/* Wipe and free a heap string; NULL is fine. */
void pwr_free_secret(char *s);

/* Constant-time equality of two NUL-terminated strings (lengths compared too). */
int pwr_ct_streq(const char *a, const char *b);

/* The first line of a password file (the directory identities' secrets):
 * a regular file (no symbolic link, no FIFO: opened non-blocking), owned by
 * the effective user (root), with no group or other permission, whose first
 * line is neither empty nor longer than outsz - 1 bytes.  0, or -1 with
 * PWR_E_CONFIG and a message that starts with path; out is wiped then. */
int pwr_read_secret_file(const char *path, char *out, size_t outsz,
                         struct pwr_err *err);

#endif
