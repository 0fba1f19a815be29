/* pwr_proto.h - the request/reply format between callers (pam_pwreset.so,
 * pwreset) and pwreset-helper.  Documented in pwreset-helper(8).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * A message is text, at most PWR_PROTO_MAX bytes:
 *
 *   pwreset-helper 1 LF
 *   KEY SP VALUE LF        (repeated; VALUE percent-encoded with pwr_encode)
 *   end LF
 *
 * KEY is [a-z_]{1,31}; a key may repeat (e.g. several "user" lines).
 * Requests carry "op" first.  Replies carry "result" (a pwr_code name) and
 * "message" first.  Secrets travel only here (stdin/stdout pipes), never in
 * argv or the environment; every buffer that held one is wiped.
 *
 * Request ops (keys in brackets are optional):
 *   verify      user password [service rhost tty]
 *   chauthtok   user new [proof] [service rhost tty]
 *   code_failed user [service rhost tty]
 *   set_password user password [temporary must_change ttl logout allow_reuse]
 *   temp_password user [ttl must_change logout]
 *   force_reset (user... | group G | all 1) [clear dry_run]
 *   reset_code  user... [ttl]
 *   block | unblock | deactivate | activate   user... [reason]
 *   delete      user [logout]
 *   enrol       user... [pending ttl]
 *   import      [user...]
 *   status      [user...]
 *   logout      user
 * Every op may carry "config PATH" (honoured only for a real uid of 0 or
 * when the helper runs without privilege).
 */
#ifndef PWR_PROTO_H
#define PWR_PROTO_H

#include <stddef.h>

#include "pwr_err.h"

#define PWR_PROTO_MAX 65536
#define PWR_PROTO_KEY_MAX 31
#define PWR_PROTO_MAX_FIELDS 4096

struct pwr_field {
    char key[PWR_PROTO_KEY_MAX + 1];
    char *value; /* decoded, NUL-terminated, heap; wiped on free */
    size_t len;
};

struct pwr_msg {
    struct pwr_field *fields;
    size_t n, cap;
};

void pwr_msg_init(struct pwr_msg *m);
/* Wipe every value and free. */
void pwr_msg_free(struct pwr_msg *m);

int pwr_msg_add(struct pwr_msg *m, const char *key, const char *value,
                struct pwr_err *err);
int pwr_msg_addf(struct pwr_msg *m, const char *key, struct pwr_err *err,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* First value of key, or NULL. */
const char *pwr_msg_get(const struct pwr_msg *m, const char *key);
/* i-th value of key (0-based), or NULL. */
const char *pwr_msg_get_nth(const struct pwr_msg *m, const char *key,
                            size_t i);
size_t pwr_msg_count(const struct pwr_msg *m, const char *key);

/* Serialise into a heap buffer (caller wipes and frees). */
int pwr_msg_encode(const struct pwr_msg *m, char **out, size_t *len,
                   struct pwr_err *err);
/* Parse a complete message; strict: bad header, bad key, bad escape,
 * missing "end", data after "end", over-size all fail with PWR_E_USAGE. */
int pwr_msg_decode(const char *buf, size_t len, struct pwr_msg *m,
                   struct pwr_err *err);

/* Read one whole message from fd (until "end" LF or EOF, at most
 * PWR_PROTO_MAX bytes) and decode it. */
int pwr_msg_read(int fd, struct pwr_msg *m, struct pwr_err *err);
/* Encode and write to fd. */
int pwr_msg_write(int fd, const struct pwr_msg *m, struct pwr_err *err);

/* Caller side: run the helper at path (execve, empty environment, stdin and
 * stdout pipes, stderr to /dev/null, every other fd closed), send req, read
 * the reply into rep, reap it.  Returns 0 when a well-formed reply arrived
 * (its "result" may still be an error), -1 otherwise. */
int pwr_helper_call(const char *path, const struct pwr_msg *req,
                    struct pwr_msg *rep, struct pwr_err *err);

/* Map a reply's "result" name back to a code (PWR_E_INTERNAL if unknown). */
enum pwr_code pwr_msg_result(const struct pwr_msg *rep);

#endif
