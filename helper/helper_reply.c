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
#include <time.h>

#include "helper.h"
#include "pwr_chain.h"
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
    hx_audit_begin_actor(hx, a, event, user, hx->caller,
                         (long long)hx->caller_uid);
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

/* The action stands even when its audit line is lost; the reply then says
 * so ("audit failed"), and pwreset warns on stderr. */
void hx_audit_flush(struct hx *hx)
{
    struct pwr_err err;

    if (queue.n == 0)
        return;
    /* issue 9: seq= and mac= chain the helper's events (pwr_chain.h), and
     * the chain state holds the last number before any line is sent.
     * Events that cannot be sealed still go out, without seq=: losing them
     * would be worse, and --verify counts unsealed lines. */
    (void)pwr_chain_seal_batch(queue.ev, queue.n, hx->cfg.store, &err);
    if (pwr_audit_send_batch(queue.ev, queue.warn, queue.n,
                             hx->cfg.audit_socket, &err) < 0)
        hx->audit_failed = 1;
    /* issue 13: the chain lock is held for one seal-and-send, never while
     * the helper waits (failure delay, sendmail, loginctl, the reply). */
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

int hx_req_duration(struct hx *hx, const char *key, int64_t dflt,
                    int64_t *out, struct pwr_err *err)
{
    const char *v = pwr_msg_get(hx->req, key);

    *out = dflt;
    if (v == NULL)
        return 0;
    if (pwr_parse_duration(v, out, err) < 0) {
        err->code = PWR_E_USAGE;
        return -1;
    }
    if (*out < 60 || *out > 366LL * 24 * 3600)
        return pwr_fail(err, PWR_E_USAGE,
                        "%s must be between 1 minute and 366 days", key);
    return 0;
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
    opts.commit_hook = hx_intent_hook;
    opts.hook_arg = hx;
    return pwr_store_open(&hx->store, &opts, err);
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

/* Room left for result, message and audit in front of the op's keys. */
#define HX_REPLY_BUDGET (PWR_PROTO_MAX - 3 * HX_MESSAGE_MAX - 512)

int hx_out_overflow(struct hx *hx, size_t mark, struct pwr_err *err)
{
    size_t i, size = 0;

    for (i = 0; i < hx->out.n; i++)
        size += strlen(hx->out.fields[i].key) + 2 + 3 * hx->out.fields[i].len;
    if (size <= HX_REPLY_BUDGET)
        return 0;
    while (hx->out.n > mark) {
        struct pwr_field *f = &hx->out.fields[--hx->out.n];

        pwr_wipe(f->value, f->len);
        free(f->value);
    }
    if (pwr_msg_get(&hx->out, "truncated") == NULL &&
        pwr_msg_add(&hx->out, "truncated", "1", err) < 0)
        return -1;
    return 1;
}

void hx_format_iso(int64_t t, char *out, size_t outsz)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL ||
        strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, outsz, "%lld", (long long)t);
}
