/* helper_reply.c - the plumbing every op shares: reading and validating
 * request values, building the reply, starting and sending audit events,
 * opening the store.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "pwr_chain.h"
#include "pwr_expect.h"
#include "pwr_secret.h"
#include "pwr_util.h"

void hx_set_message(struct hx *hx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(hx->message, sizeof(hx->message), fmt, ap);
    va_end(ap);
}

int hx_out(struct hx *hx, const char *key, const char *value,
           struct pwr_err *err)
{
    return pwr_msg_add(&hx->out, key, value, err);
}

int hx_outf(struct hx *hx, const char *key, struct pwr_err *err,
            const char *fmt, ...)
{
    char buf[HX_MESSAGE_MAX];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return pwr_fail(err, PWR_E_INTERNAL, "reply value too long");
    return pwr_msg_add(&hx->out, key, buf, err);
}

void hx_audit_begin(struct hx *hx, struct pwr_audit *a, const char *event,
                    const char *user)
{
    const struct passwd *pw;

    if (hx->self_actor == NULL || user == NULL ||
        strcmp(hx->self_actor, user) != 0) {
        hx_audit_begin_actor(hx, a, event, user, hx->caller,
                             (long long)hx->caller_uid);
        return;
    }
    pw = getpwnam(user);
    hx_audit_begin_actor(hx, a, event, user, user,
                         pw != NULL ? (long long)pw->pw_uid : -1LL);
}

void hx_audit_begin_actor(struct hx *hx, struct pwr_audit *a,
                          const char *event, const char *user,
                          const char *actor, long long actor_uid)
{
    pwr_audit_begin(a, event);
    if (user != NULL)
        pwr_audit_add(a, "user", user);
    pwr_audit_add(a, "actor", actor);
    pwr_audit_add_int(a, "actor_uid", actor_uid);
    hx_audit_backend(hx, a, user);
    if (hx->service != NULL)
        pwr_audit_add(a, "service", hx->service);
    if (hx->rhost != NULL)
        pwr_audit_add(a, "rhost", hx->rhost);
    if (hx->tty != NULL)
        pwr_audit_add(a, "tty", hx->tty);
}

/* Events wait here until hx_audit_flush, which seals them as one batch
 * (one chain state write) and sends them through one socket.  Bounded: a
 * full queue is flushed before the next event goes in.  The helper is one
 * thread; a queue per process is all it needs. */
#define HX_AUDIT_QUEUE 256

static struct {
    struct pwr_audit ev[HX_AUDIT_QUEUE];
    unsigned char warn[HX_AUDIT_QUEUE];
    size_t n;
} queue;

void hx_audit_queue(struct hx *hx, const struct pwr_audit *a, int warn)
{
    struct pwr_audit *q;

    if (queue.n == HX_AUDIT_QUEUE)
        hx_audit_flush(hx);
    q = &queue.ev[queue.n];
    if (a->len < sizeof(a->line)) { /* the line, not the whole buffer */
        memcpy(q->line, a->line, a->len);
        q->line[a->len] = '\0';
        q->len = a->len;
        q->truncated = a->truncated;
    } else {
        *q = *a; /* malformed: the sender will say so */
    }
    queue.warn[queue.n++] = warn != 0;
    hx_linuxaudit(hx, a); /* no-op unless built --with-libaudit */
}

/* Why the first lost audit line was lost ("cannot send to /dev/log: No
 * such file or directory"), for the reply. */
static char audit_error[sizeof(((struct pwr_err *)0)->msg)];

const char *hx_audit_error(void)
{
    return audit_error[0] != '\0' ? audit_error : "failed";
}

/* The action stands even when its audit line is lost; the reply then says
 * so ("audit" and why), and pwreset warns on stderr. */
void hx_audit_flush(struct hx *hx)
{
    struct pwr_err err;

    if (queue.n == 0)
        return;
    /* seq= and mac= chain the helper's events (pwr_chain.h), and
     * the chain state holds the last number before any line is sent.
     * Events that cannot be sealed still go out, without seq=: losing them
     * would be worse, and --verify counts unsealed lines. */
    (void)pwr_chain_seal_batch(queue.ev, queue.n, hx->cfg.store, &err);
    if (pwr_audit_send_batch(queue.ev, queue.warn, queue.n,
                             hx->cfg.audit_socket, &err) < 0) {
        if (!hx->audit_failed) /* "audit: cannot send to PATH: ERROR" */
            pwr_strlcpy(audit_error, strncmp(err.msg, "audit: ", 7) == 0
                                         ? err.msg + 7 : err.msg,
                        sizeof(audit_error));
        hx->audit_failed = 1;
    }
    /* The chain lock is held for one seal-and-send, never while the helper
     * waits (failure delay, sendmail, loginctl, the reply). */
    pwr_chain_unlock();
    queue.n = 0;
}

void hx_audit_send(struct hx *hx, const struct pwr_audit *a, int warn)
{
    hx_audit_queue(hx, a, warn);
    hx_audit_flush(hx);
}

/* Printable UTF-8: no C0 controls, no DEL. */
static int text_ok(const char *s, size_t len)
{
    size_t i;

    if (!pwr_utf8_valid(s, len, NULL))
        return 0;
    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

int hx_req_text(struct hx *hx, const char *key, size_t max, const char **out,
                struct pwr_err *err)
{
    const char *v = pwr_msg_get(hx->req, key);

    *out = NULL;
    if (v == NULL)
        return 0;
    if (strlen(v) > max)
        return pwr_fail(err, PWR_E_USAGE, "%s is longer than %zu bytes", key,
                        max);
    if (!text_ok(v, strlen(v)))
        return pwr_fail(err, PWR_E_USAGE,
                        "%s must be printable UTF-8 text", key);
    *out = v;
    return 0;
}

int hx_req_flag(struct hx *hx, const char *key, int dflt, int *out,
                struct pwr_err *err)
{
    const char *v = pwr_msg_get(hx->req, key);

    *out = dflt;
    if (v == NULL)
        return 0;
    if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
        return pwr_fail(err, PWR_E_USAGE, "%s must be 0 or 1", key);
    *out = v[0] == '1';
    return 0;
}

int hx_req_duration(struct hx *hx, const char *key, enum pwr_ttl_kind kind,
                    int64_t dflt, int64_t *out, struct pwr_err *err)
{
    const char *v = pwr_msg_get(hx->req, key);

    *out = dflt;
    if (v == NULL)
        return 0;
    if (pwr_parse_duration(v, out, err) < 0) {
        err->code = PWR_E_USAGE;
        return -1;
    }
    return pwr_ttl_check(kind, v, *out, err);
}

int hx_req_one_user(struct hx *hx, const char **user, struct pwr_err *err)
{
    *user = pwr_msg_get(hx->req, "user");
    if (*user == NULL || pwr_msg_count(hx->req, "user") != 1)
        return pwr_fail(err, PWR_E_USAGE, "op '%s' needs exactly one user",
                        hx->op);
    if (!pwr_login_valid(*user))
        return pwr_fail(err, PWR_E_USAGE, "invalid login name");
    return 0;
}

int hx_open_store(struct hx *hx, int create, struct pwr_err *err)
{
    struct pwr_store_opts opts;

    if (hx->store != NULL)
        return 0;
    memset(&opts, 0, sizeof(opts));
    opts.path = hx->cfg.store;
    opts.lock_timeout_ms = hx->cfg.lock_timeout_ms;
    opts.create = create;
    hx_store_backend(hx, &opts);
    if (opts.backend == NULL &&
        pwr_store_check_present(hx->cfg.store, hx->config_path, 1, err) < 0)
        return -1;
    opts.commit_hook = hx_intent_hook;
    opts.hook_arg = hx;
    return pwr_store_open(&hx->store, &opts, err);
}

void hx_add_repair(const struct hx *hx, struct pwr_err *err)
{
    char hint[2 * PWR_PATH_MAX + 64];
    size_t slen = strlen(hx->cfg.store), mlen = strlen(err->msg);

    if (err->code != PWR_E_STORE || slen == 0 ||
        strncmp(err->msg, hx->cfg.store, slen) != 0 ||
        err->msg[slen] != ':' || strstr(err->msg, "repair:") != NULL)
        return;
    pwr_store_repair_hint(hx->cfg.store, 1, hint, sizeof(hint));
    snprintf(err->msg + mlen, sizeof(err->msg) - mlen, "; repair: %s", hint);
}

void hx_mark_store(struct hx *hx)
{
    struct stat st;
    struct pwr_err err;

    if (hx->store == NULL || hx->config_path == NULL ||
        lstat(hx->cfg.store, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    /* A marker that cannot be written leaves the backup as the evidence;
     * pwreset check-config reports the store missing from the marker. */
    (void)pwr_store_mark(hx->cfg.store, hx->config_path, &err);
}

void hx_full_name(const char *login, char *out, size_t outsz)
{
    struct passwd *pw = getpwnam(login);
    size_t len;

    out[0] = '\0';
    if (pw == NULL || pw->pw_gecos == NULL)
        return;
    len = strcspn(pw->pw_gecos, ",");
    if (len >= outsz)
        len = outsz - 1;
    memcpy(out, pw->pw_gecos, len);
    out[len] = '\0';
}

size_t hx_out_mark(const struct hx *hx)
{
    return hx->out.n;
}

/* Whole groups go out in frames of at most this many bytes and fields,
 * which leaves room for result, message and audit in the last frame. */
#define HX_FRAME_BYTES (PWR_PROTO_MAX - 4 * HX_MESSAGE_MAX - 4096)
#define HX_FRAME_FIELDS (PWR_PROTO_MAX_FIELDS - 64)

/* Send the fields [0, upto) of the reply now, as frames that say "more",
 * and drop them.  A caller that went away loses the rest of its reply; the
 * op itself stands.  The events queued so far go out first: a caller that
 * stops reading its pipe blocks this write, and must not hold back the
 * audit line of a change already in the store. */
static void out_stream(struct hx *hx, size_t upto)
{
    struct pwr_err ignored;
    size_t i;

    hx_audit_flush(hx);
    if (!hx->reply_lost &&
        pwr_msg_write_part(STDOUT_FILENO, &hx->out, 0, upto, 1, &ignored) < 0)
        hx->reply_lost = 1;
    for (i = 0; i < upto; i++) {
        pwr_wipe(hx->out.fields[i].value, hx->out.fields[i].len);
        free(hx->out.fields[i].value);
    }
    memmove(hx->out.fields, hx->out.fields + upto,
            (hx->out.n - upto) * sizeof(*hx->out.fields));
    hx->out.n -= upto;
    hx->out_bytes = pwr_msg_size(&hx->out, 0, hx->out.n);
    hx->out_counted = hx->out.n;
}

void hx_out_group_end(struct hx *hx, size_t mark)
{
    size_t group = pwr_msg_size(&hx->out, mark, hx->out.n);

    hx->out_bytes += pwr_msg_size(&hx->out, hx->out_counted, mark);
    hx->out_counted = mark;
    if (mark > 0 && (hx->out_bytes + group > HX_FRAME_BYTES ||
                     hx->out.n > HX_FRAME_FIELDS))
        out_stream(hx, mark);
}

void hx_out_flush_all(struct hx *hx)
{
    if (hx->out.n > 0)
        out_stream(hx, hx->out.n);
}

int hx_out_fits(const struct hx *hx, size_t head_bytes)
{
    return pwr_msg_size(&hx->out, 0, hx->out.n) + head_bytes + 64 <=
               PWR_PROTO_MAX &&
           hx->out.n + 8 <= PWR_PROTO_MAX_FIELDS;
}
