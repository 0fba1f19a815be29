/* pwr_proto.c - the request/reply messages between callers and
 * pwreset-helper (format in pwr_proto.h and pwreset-helper(8)): building,
 * encoding, decoding, and reading and writing them on a file descriptor.
 * Running the helper is in pwr_helper_call.c.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Values may be secrets: every buffer that held a value or an encoded
 * message is wiped before it is freed, on every path.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "pwr_proto.h"
#include "pwr_proto_frame.h"
#include "pwr_secret.h"
#include "pwr_util.h"

#define PROTO_HEADER "pwreset-helper 1\n"
#define PROTO_END "end\n"

/* ---- building and querying ---------------------------------------------- */

void pwr_msg_init(struct pwr_msg *m)
{
    m->fields = NULL;
    m->n = 0;
    m->cap = 0;
}

void pwr_msg_free(struct pwr_msg *m)
{
    size_t i;

    for (i = 0; i < m->n; i++) {
        pwr_wipe(m->fields[i].value, m->fields[i].len);
        free(m->fields[i].value);
    }
    free(m->fields);
    pwr_msg_init(m);
}

/* [a-z_]{1,31}, and never the terminator word or the frame marker. */
static int key_valid(const char *key, size_t len)
{
    size_t i;

    if (len == 0 || len > PWR_PROTO_KEY_MAX)
        return 0;
    for (i = 0; i < len; i++)
        if (!((key[i] >= 'a' && key[i] <= 'z') || key[i] == '_'))
            return 0;
    return !(len == 3 && memcmp(key, "end", 3) == 0) &&
           !(len == 4 && memcmp(key, "more", 4) == 0);
}

/* A message being built or merged has no field limit of its own: the
 * limits are per frame (encoder, decoder) and per request (reader). */
static int grow(struct pwr_msg *m, size_t more, struct pwr_err *err)
{
    struct pwr_field *nf;
    size_t ncap = m->cap == 0 ? 16 : m->cap;

    if (m->n + more <= m->cap)
        return 0;
    while (ncap < m->n + more)
        ncap *= 2;
    nf = realloc(m->fields, ncap * sizeof(*nf));
    if (nf == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    m->fields = nf;
    m->cap = ncap;
    return 0;
}

/* Append key with len bytes of value (copied; the copy is NUL-terminated). */
static int add_len(struct pwr_msg *m, const char *key, size_t klen,
                   const char *value, size_t len, struct pwr_err *err)
{
    struct pwr_field *f;

    if (!key_valid(key, klen))
        return pwr_fail(err, PWR_E_USAGE, "bad message key");
    if (len > PWR_PROTO_MAX)
        return pwr_fail(err, PWR_E_USAGE, "message value too long");
    if (grow(m, 1, err) < 0)
        return -1;
    f = &m->fields[m->n];
    f->value = malloc(len + 1);
    if (f->value == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    memcpy(f->key, key, klen);
    f->key[klen] = '\0';
    memcpy(f->value, value, len);
    f->value[len] = '\0';
    f->len = len;
    m->n++;
    return 0;
}

int pwr_msg_add(struct pwr_msg *m, const char *key, const char *value,
                struct pwr_err *err)
{
    if (key == NULL || value == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "message field is NULL");
    return add_len(m, key, strlen(key), value, strlen(value), err);
}

const char *pwr_msg_get_nth(const struct pwr_msg *m, const char *key,
                            size_t i)
{
    size_t k;

    for (k = 0; k < m->n; k++) {
        if (strcmp(m->fields[k].key, key) != 0)
            continue;
        if (i == 0)
            return m->fields[k].value;
        i--;
    }
    return NULL;
}

const char *pwr_msg_get(const struct pwr_msg *m, const char *key)
{
    return pwr_msg_get_nth(m, key, 0);
}

size_t pwr_msg_next(const struct pwr_msg *m, size_t from, const char *key)
{
    while (from < m->n && strcmp(m->fields[from].key, key) != 0)
        from++;
    return from;
}

size_t pwr_msg_count(const struct pwr_msg *m, const char *key)
{
    size_t k, n = 0;

    for (k = 0; k < m->n; k++)
        if (strcmp(m->fields[k].key, key) == 0)
            n++;
    return n;
}

enum pwr_code pwr_msg_result(const struct pwr_msg *rep)
{
    const char *r = pwr_msg_get(rep, "result");
    int c;

    if (r == NULL)
        return PWR_E_INTERNAL;
    for (c = PWR_OK; c <= PWR_E_UNAVAIL; c++)
        if (strcmp(r, pwr_code_name((enum pwr_code)c)) == 0)
            return (enum pwr_code)c;
    return PWR_E_INTERNAL;
}

/* ---- text form: frames ------------------------------------------------- */

#define MORE_LINE "more 1\n"
#define FRAME_OVERHEAD                                                       \
    (sizeof(PROTO_HEADER) - 1 + sizeof(MORE_LINE) - 1 + sizeof(PROTO_END) - 1)

/* Bytes of one encoded "key SP value LF" line. */
static size_t field_size(const struct pwr_field *f)
{
    size_t n = strlen(f->key) + 2, i;

    for (i = 0; i < f->len; i++) {
        unsigned char c = (unsigned char)f->value[i];

        n += (c < 0x21 || c > 0x7e || c == '%') ? 3 : 1;
    }
    return n;
}

size_t pwr_msg_size(const struct pwr_msg *m, size_t from, size_t to)
{
    size_t n = 0, i;

    for (i = from; i < to && i < m->n; i++)
        n += field_size(&m->fields[i]);
    return n;
}

/* The end of the frame that starts at field from: as many fields as fit
 * (with room for the "more" line).  -1 if the field at from fits in no
 * frame. */
static int frame_end(const struct pwr_msg *m, size_t from, size_t *to,
                     struct pwr_err *err)
{
    size_t used = FRAME_OVERHEAD, i = from;

    while (i < m->n && i - from < PWR_PROTO_MAX_FIELDS - 1) {
        size_t sz = field_size(&m->fields[i]);

        if (used + sz > PWR_PROTO_MAX)
            break;
        used += sz;
        i++;
    }
    if (i == from && from < m->n)
        return pwr_fail(err, PWR_E_USAGE, "message value too long for a "
                        "%d-byte frame", PWR_PROTO_MAX);
    *to = i;
    return 0;
}

/* One frame of fields [from, to) into buf (PWR_PROTO_MAX bytes). */
static int encode_frame(const struct pwr_msg *m, size_t from, size_t to,
                        int more, char *buf, size_t *len, struct pwr_err *err)
{
    size_t cap = PWR_PROTO_MAX + 1, pos = sizeof(PROTO_HEADER) - 1, i;

    memcpy(buf, PROTO_HEADER, pos);
    for (i = from; i < to; i++) {
        size_t klen = strlen(m->fields[i].key);
        ssize_t n;

        if (pos + klen + 2 > cap)
            goto too_big;
        memcpy(buf + pos, m->fields[i].key, klen);
        buf[pos + klen] = ' ';
        pos += klen + 1;
        n = pwr_encode(m->fields[i].value, m->fields[i].len, buf + pos,
                       cap - pos);
        if (n < 0 || pos + (size_t)n + 1 >= cap)
            goto too_big;
        pos += (size_t)n;
        buf[pos++] = '\n';
    }
    if (more) {
        if (pos + sizeof(MORE_LINE) - 1 > PWR_PROTO_MAX)
            goto too_big;
        memcpy(buf + pos, MORE_LINE, sizeof(MORE_LINE) - 1);
        pos += sizeof(MORE_LINE) - 1;
    }
    if (pos + sizeof(PROTO_END) - 1 > PWR_PROTO_MAX ||
        to - from + (more != 0) > PWR_PROTO_MAX_FIELDS)
        goto too_big;
    memcpy(buf + pos, PROTO_END, sizeof(PROTO_END) - 1);
    *len = pos + sizeof(PROTO_END) - 1;
    return 0;
too_big:
    pwr_wipe(buf, cap);
    return pwr_fail(err, PWR_E_USAGE, "message frame larger than %d bytes",
                    PWR_PROTO_MAX);
}

int pwr_frame_emit(const struct pwr_msg *m, size_t from, size_t to,
                   int more_after, pwr_frame_sink put, void *arg,
                   struct pwr_err *err)
{
    char *buf = malloc(PWR_PROTO_MAX + 1);
    int rc = 0;

    if (buf == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    do {
        /* no arithmetic on a message without fields (NULL) */
        struct pwr_msg part = { from < to ? m->fields + from : NULL,
                                to - from, to - from };
        size_t end = 0, len = 0;

        rc = frame_end(&part, 0, &end, err);
        if (rc == 0)
            rc = encode_frame(&part, 0, end, end < part.n || more_after, buf,
                              &len, err);
        if (rc == 0)
            rc = put(arg, buf, len, err);
        pwr_wipe(buf, PWR_PROTO_MAX + 1);
        from += end;
    } while (rc == 0 && from < to);
    free(buf);
    return rc;
}

struct heap_out {
    char *buf;
    size_t len, cap;
};

static int put_heap(void *arg, const char *buf, size_t len,
                    struct pwr_err *err)
{
    struct heap_out *h = arg;

    if (h->len + len > h->cap) {
        size_t ncap = h->cap == 0 ? PWR_PROTO_MAX + 1 : h->cap;
        char *nb;

        while (ncap < h->len + len)
            ncap *= 2;
        nb = malloc(ncap);
        if (nb == NULL)
            return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
        if (h->buf != NULL) {
            memcpy(nb, h->buf, h->len);
            pwr_wipe(h->buf, h->cap);
            free(h->buf);
        }
        h->buf = nb;
        h->cap = ncap;
    }
    memcpy(h->buf + h->len, buf, len);
    h->len += len;
    return 0;
}

int pwr_msg_encode(const struct pwr_msg *m, char **out, size_t *len,
                   struct pwr_err *err)
{
    struct heap_out h = { NULL, 0, 0 };

    if (pwr_frame_emit(m, 0, m->n, 0, put_heap, &h, err) < 0) {
        if (h.buf != NULL)
            pwr_wipe(h.buf, h.cap);
        free(h.buf);
        return -1;
    }
    *out = h.buf;
    *len = h.len;
    return 0;
}

/* Decode one "key SP value" line (without LF) into m. */
static int decode_line(const char *line, size_t len, struct pwr_msg *m,
                       char *scratch, size_t scratchsz, struct pwr_err *err)
{
    const char *sp = memchr(line, ' ', len);
    size_t klen;
    ssize_t vlen;
    int rc;

    if (sp == NULL)
        return pwr_fail(err, PWR_E_USAGE, "message line without a value");
    klen = (size_t)(sp - line);
    if (!key_valid(line, klen))
        return pwr_fail(err, PWR_E_USAGE, "bad key in message");
    vlen = pwr_decode(sp + 1, len - klen - 1, scratch, scratchsz);
    if (vlen < 0)
        return pwr_fail(err, PWR_E_USAGE, "bad value encoding in message");
    rc = add_len(m, line, klen, scratch, (size_t)vlen, err);
    pwr_wipe(scratch, (size_t)vlen);
    return rc;
}

/* The lines of one frame (buf holds exactly the frame); *more is set when
 * it ends with the "more 1" line. */
static int decode_body(const char *buf, size_t len, struct pwr_msg *m,
                       int *more, char *scratch, size_t scratchsz,
                       struct pwr_err *err)
{
    static const char more_end[] = MORE_LINE PROTO_END;
    size_t pos = sizeof(PROTO_HEADER) - 1, fields = 0;

    *more = 0;
    for (;;) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t llen;

        if (nl == NULL)
            return pwr_fail(err, PWR_E_USAGE, "message has no end line");
        llen = (size_t)(nl - (buf + pos));
        if (llen == 3 && memcmp(buf + pos, "end", 3) == 0) {
            if (pos + 4 != len)
                return pwr_fail(err, PWR_E_USAGE, "data after end of message");
            return 0;
        }
        if (len - pos == sizeof(more_end) - 1 &&
            memcmp(buf + pos, more_end, sizeof(more_end) - 1) == 0) {
            *more = 1;
            return 0;
        }
        if (++fields + 1 > PWR_PROTO_MAX_FIELDS)
            return pwr_fail(err, PWR_E_USAGE, "message has too many fields");
        if (decode_line(buf + pos, llen, m, scratch, scratchsz, err) < 0)
            return -1;
        pos += llen + 1;
    }
}

int pwr_frame_decode(const char *buf, size_t len, struct pwr_msg *m,
                     int *more, struct pwr_err *err)
{
    char *scratch;
    int rc;

    if (len > PWR_PROTO_MAX)
        return pwr_fail(err, PWR_E_USAGE, "message frame larger than %d bytes",
                        PWR_PROTO_MAX);
    if (len < sizeof(PROTO_HEADER) - 1 ||
        memcmp(buf, PROTO_HEADER, sizeof(PROTO_HEADER) - 1) != 0)
        return pwr_fail(err, PWR_E_USAGE, "bad message header");
    scratch = malloc(len + 1);
    if (scratch == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    rc = decode_body(buf, len, m, more, scratch, len + 1, err);
    pwr_wipe(scratch, len + 1);
    free(scratch);
    return rc;
}

int pwr_msg_merge(struct pwr_msg *m, struct pwr_msg *from,
                  struct pwr_err *err)
{
    if (from->n == 0) {
        pwr_msg_free(from);
        return 0;
    }
    if (grow(m, from->n, err) < 0)
        return -1;
    memcpy(m->fields + m->n, from->fields, from->n * sizeof(*from->fields));
    m->n += from->n;
    free(from->fields);
    pwr_msg_init(from);
    return 0;
}

size_t pwr_frame_len(const char *buf, size_t len, size_t *scanned)
{
    size_t from = *scanned > 4 ? *scanned - 4 : 0;
    const char *e;

    if (len < 5 || from >= len)
        return 0;
    e = memmem(buf + from, len - from, "\nend\n", 5);
    *scanned = len;
    return e == NULL ? 0 : (size_t)(e - buf) + 5;
}

int pwr_msg_decode(const char *buf, size_t len, struct pwr_msg *m,
                   struct pwr_err *err)
{
    size_t pos = 0;
    int more = 1;

    pwr_msg_init(m);
    if (len > PWR_PROTO_REQUEST_MAX)
        return pwr_fail(err, PWR_E_USAGE, "message larger than %d bytes",
                        PWR_PROTO_REQUEST_MAX);
    while (more) {
        struct pwr_msg f;
        size_t scanned = 0;
        size_t flen = pwr_frame_len(buf + pos, len - pos, &scanned);

        pwr_msg_init(&f);
        if (flen == 0)
            flen = len - pos; /* pwr_frame_decode says what is wrong */
        if (pwr_frame_decode(buf + pos, flen, &f, &more, err) < 0 ||
            pwr_msg_merge(m, &f, err) < 0) {
            pwr_msg_free(&f);
            pwr_msg_free(m);
            return -1;
        }
        pos += flen;
        if (more && pos == len) {
            pwr_msg_free(m);
            return pwr_fail(err, PWR_E_USAGE, "message ends inside a frame "
                            "sequence");
        }
    }
    if (pos != len) {
        pwr_msg_free(m);
        return pwr_fail(err, PWR_E_USAGE, "data after end of message");
    }
    return 0;
}
