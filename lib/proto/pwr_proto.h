/* pwr_proto.h - the request/reply format between callers (pam_pwreset.so,
 * pwreset) and pwreset-helper.  Documented in pwreset-helper(8).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * A message is one or more frames of text, each at most PWR_PROTO_MAX bytes
 * and PWR_PROTO_MAX_FIELDS lines:
 *
 *   pwreset-helper 1 LF
 *   KEY SP VALUE LF        (repeated; VALUE percent-encoded with pwr_encode)
 *   more SP 1 LF           (only in a frame that another frame follows)
 *   end LF
 *
 * The message is the fields of its frames in order; the frame boundaries
 * carry no meaning, so no limit of the frame reaches a user: a request
 * naming 100,000 accounts, or a reply listing them, is simply many frames.
 * A request is at most PWR_PROTO_REQUEST_MAX bytes in all (what the
 * set-uid helper reads from anyone); a reply has no total limit, and the
 * helper streams a long list of accounts as it goes, whole accounts per
 * frame, with "result" and "message" first in the last frame.
 * KEY is [a-z_]{1,31}, never "end" or "more"; a key may repeat (e.g.
 * several "user" lines).
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
#define PWR_PROTO_REQUEST_MAX (16 << 20)

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

/* First value of key, or NULL. */
const char *pwr_msg_get(const struct pwr_msg *m, const char *key);
/* i-th value of key (0-based), or NULL. */
const char *pwr_msg_get_nth(const struct pwr_msg *m, const char *key,
                            size_t i);
size_t pwr_msg_count(const struct pwr_msg *m, const char *key);
/* Index of the first field named key at or after from, or m->n: where the
 * next group of a reply that repeats a group per account ("user" first)
 * starts. */
size_t pwr_msg_next(const struct pwr_msg *m, size_t from, const char *key);

/* Bytes the fields [from, to) take encoded, without the frame around. */
size_t pwr_msg_size(const struct pwr_msg *m, size_t from, size_t to);

/* Serialise into a heap buffer, as many frames as it takes (caller wipes
 * and frees); fails only for a field too large for any frame. */
int pwr_msg_encode(const struct pwr_msg *m, char **out, size_t *len,
                   struct pwr_err *err);
/* Parse a complete message (all its frames); strict: bad header, bad key,
 * bad escape, missing "end", a last frame that says "more", data after
 * the last "end", an over-size frame or message all fail with
 * PWR_E_USAGE. */
int pwr_msg_decode(const char *buf, size_t len, struct pwr_msg *m,
                   struct pwr_err *err);

/* Read one whole message from fd (frame by frame until the last frame's
 * "end" LF, never waiting for EOF after it; at most PWR_PROTO_REQUEST_MAX
 * bytes) and decode it. */
int pwr_msg_read(int fd, struct pwr_msg *m, struct pwr_err *err);
/* Encode and write to fd, frame by frame. */
int pwr_msg_write(int fd, const struct pwr_msg *m, struct pwr_err *err);
/* Write only the fields [from, to); with more_after the last frame says
 * "more" (the message goes on in a later write). */
int pwr_msg_write_part(int fd, const struct pwr_msg *m, size_t from,
                       size_t to, int more_after, struct pwr_err *err);

/* A reply's frames before the last, handed over as they arrive (a long
 * list is never held whole): 0, or -1 with err to fail the call. */
typedef int (*pwr_frame_fn)(const struct pwr_msg *frame, void *arg,
                            struct pwr_err *err);
/* Read a reply from fd: each frame before the last goes to fn (or into rep
 * when fn is NULL), the last into rep; then whatever follows is read to
 * end of input, so the writer never blocks on a full pipe.  *got_any says
 * whether any frame arrived.  0; -1 on a malformed or missing reply or
 * data after it; -2 when fn failed (the rest was still read). */
int pwr_msg_read_reply(int fd, struct pwr_msg *rep, pwr_frame_fn fn,
                       void *arg, int *got_any, struct pwr_err *err);

/* ---- the caller side (pwr_helper_call.c) ---- */

/* Run the helper at path (execve, empty environment, stdin and stdout
 * pipes, stderr to /dev/null, every other fd closed), send req, read the
 * reply into rep, reap it.  Returns 0 when a well-formed reply arrived
 * (its "result" may still be an error), -1 otherwise. */
int pwr_helper_call(const char *path, const struct pwr_msg *req,
                    struct pwr_msg *rep, struct pwr_err *err);

/* The same, handing every frame of the reply but the last to fn as it
 * arrives; rep gets the last frame, which carries "result".  fn returns 0,
 * or -1 with err to fail the call (the reply is still read to its end). */
int pwr_helper_call_stream(const char *path, const struct pwr_msg *req,
                           struct pwr_msg *rep, pwr_frame_fn fn, void *arg,
                           struct pwr_err *err);

/* Map a reply's "result" name back to a code (PWR_E_INTERNAL if unknown). */
enum pwr_code pwr_msg_result(const struct pwr_msg *rep);

#endif
