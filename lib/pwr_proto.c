/* pwr_proto.c - the request/reply messages between callers and
 * pwreset-helper (format in pwr_proto.h and pwreset-helper(8)), and the
 * caller side that runs the helper.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Values may be secrets: every buffer that held a value or an encoded
 * message is wiped before it is freed, on every path.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pwr_proto.h"
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
    for (c = PWR_OK; c <= PWR_E_PARTIAL; c++)
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

/* Fields [from, to) as frames through put(); the last frame says "more"
 * when more_after. */
typedef int (*frame_sink)(void *arg, const char *buf, size_t len,
                          struct pwr_err *err);

static int emit(const struct pwr_msg *m, size_t from, size_t to,
                int more_after, frame_sink put, void *arg,
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

    if (emit(m, 0, m->n, 0, put_heap, &h, err) < 0) {
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

/* One frame: the bytes up to and including its end line. */
static int decode_frame(const char *buf, size_t len, struct pwr_msg *m,
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

/* Move every field of from to the end of m (from is left empty). */
static int merge(struct pwr_msg *m, struct pwr_msg *from, struct pwr_err *err)
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

/* Length of the frame at the start of buf (through its end line), or 0
 * when no end line is in the first len bytes; *scanned remembers how far
 * earlier calls looked. */
static size_t frame_len(const char *buf, size_t len, size_t *scanned)
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
        size_t scanned = 0, flen = frame_len(buf + pos, len - pos, &scanned);

        pwr_msg_init(&f);
        if (flen == 0)
            flen = len - pos; /* decode_frame says what is wrong */
        if (decode_frame(buf + pos, flen, &f, &more, err) < 0 ||
            merge(m, &f, err) < 0) {
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

/* ---- over a file descriptor --------------------------------------------- */

/* Frames arriving on fd; buf holds at most one frame and the start of the
 * next. */
struct frame_in {
    int fd;
    char buf[PWR_PROTO_MAX + 1];
    size_t len, scanned;
    int eof;
};

/* Make buf start with one whole frame of *flen bytes: 0; 1 at end of input
 * with nothing left; -1 on error. */
static int frame_next(struct frame_in *in, size_t *flen, struct pwr_err *err)
{
    for (;;) {
        ssize_t n;

        *flen = frame_len(in->buf, in->len, &in->scanned);
        if (*flen != 0)
            return 0;
        if (in->eof && in->len == 0)
            return 1;
        if (in->eof) {
            *flen = in->len; /* decode_frame says what is wrong */
            return 0;
        }
        if (in->len == sizeof(in->buf))
            return pwr_fail(err, PWR_E_USAGE, "message frame larger than %d "
                            "bytes", PWR_PROTO_MAX);
        n = read(in->fd, in->buf + in->len, sizeof(in->buf) - in->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            /* A set-uid program started with stdin closed gets a
             * write-only /dev/full there from the C library. */
            return pwr_fail_errno(err, PWR_E_USAGE, errno,
                                  "cannot read message");
        if (n == 0)
            in->eof = 1;
        in->len += (size_t)n;
    }
}

static void frame_drop(struct frame_in *in, size_t flen)
{
    memmove(in->buf, in->buf + flen, in->len - flen);
    pwr_wipe(in->buf + in->len - flen, flen);
    in->len -= flen;
    in->scanned = 0;
}

/* The next frame of in, decoded: 1 with *more set, 0 at a clean end of
 * input, -1 on error. */
static int frame_read(struct frame_in *in, struct pwr_msg *f, int *more,
                      struct pwr_err *err)
{
    size_t flen;
    int r = frame_next(in, &flen, err);

    pwr_msg_init(f);
    if (r != 0)
        return r < 0 ? -1 : 0;
    r = decode_frame(in->buf, flen, f, more, err);
    frame_drop(in, flen);
    if (r < 0) {
        pwr_msg_free(f);
        return -1;
    }
    return 1;
}

static struct frame_in *frame_in_new(int fd, struct pwr_err *err)
{
    struct frame_in *in = calloc(1, sizeof(*in));

    if (in == NULL)
        pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    else
        in->fd = fd;
    return in;
}

static void frame_in_free(struct frame_in *in)
{
    if (in == NULL)
        return;
    pwr_wipe(in, sizeof(*in));
    free(in);
}

int pwr_msg_read(int fd, struct pwr_msg *m, struct pwr_err *err)
{
    struct frame_in *in = frame_in_new(fd, err);
    size_t total = 0;
    int more = 1, rc = 0, r;

    pwr_msg_init(m);
    while (in != NULL && more && rc == 0) {
        struct pwr_msg f;

        r = frame_read(in, &f, &more, err);
        if (r == 0)
            rc = pwr_fail(err, PWR_E_USAGE, total == 0 ? "empty message"
                          : "message ends inside a frame sequence");
        else if (r < 0 || merge(m, &f, err) < 0)
            rc = -1;
        pwr_msg_free(&f);
        total += PWR_PROTO_MAX; /* a bound, not the exact size */
        if (rc == 0 && more && total >= PWR_PROTO_REQUEST_MAX)
            rc = pwr_fail(err, PWR_E_USAGE, "message larger than %d bytes",
                          PWR_PROTO_REQUEST_MAX);
    }
    if (in != NULL && rc == 0 && in->len != 0)
        rc = pwr_fail(err, PWR_E_USAGE, "data after end of message");
    if (in == NULL || rc < 0) {
        pwr_msg_free(m);
        rc = -1;
    }
    frame_in_free(in);
    return rc;
}

static int put_fd(void *arg, const char *buf, size_t len, struct pwr_err *err)
{
    if (pwr_write_all(*(const int *)arg, buf, len) < 0)
        return pwr_fail_errno(err, PWR_E_INTERNAL, errno,
                              "cannot write message");
    return 0;
}

int pwr_msg_write_part(int fd, const struct pwr_msg *m, size_t from,
                       size_t to, int more_after, struct pwr_err *err)
{
    return emit(m, from, to, more_after, put_fd, &fd, err);
}

int pwr_msg_write(int fd, const struct pwr_msg *m, struct pwr_err *err)
{
    return emit(m, 0, m->n, 0, put_fd, &fd, err);
}

/* ---- caller side: run the helper ---------------------------------------- */

struct child {
    pid_t pid;
    int to_child;   /* our end of the child's stdin */
    int from_child; /* our end of the child's stdout */
};

static void close_from_3(int maxfd)
{
    int fd;

#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return;
#endif
    for (fd = 3; fd < maxfd; fd++)
        close(fd);
}

/* In the child after fork: only async-signal-safe calls from here on. */
static void __attribute__((noreturn))
exec_child(const char *path, int in_fd, int out_fd, int maxfd)
{
    char *const argv[] = { (char *)(uintptr_t)path, NULL };
    char *const envp[] = { NULL };
    sigset_t none;
    int devnull;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0)
        _exit(127);
    devnull = open("/dev/null", O_WRONLY | O_NOCTTY);
    if (devnull < 0 || dup2(devnull, 2) < 0)
        _exit(127);
    close_from_3(maxfd);
    /* A set-uid root caller (su, passwd) already holds root: the helper
     * must see that, not the invoking user's real uid, or it would refuse
     * the change that caller verified on a user's behalf. */
    if (geteuid() == 0 && getuid() != 0 && setresuid(0, 0, 0) < 0)
        _exit(127);
    execve(path, argv, envp);
    _exit(127);
}

static void close_pair(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
}

static int spawn(const char *path, struct child *c, struct pwr_err *err)
{
    int in[2] = { -1, -1 }, out[2] = { -1, -1 };
    long maxfd = sysconf(_SC_OPEN_MAX);

    if (maxfd < 0 || maxfd > 65536)
        maxfd = 65536;
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
        close_pair(in);
        return pwr_fail_errno(err, PWR_E_INTERNAL, errno, "pipe");
    }
    c->pid = fork();
    if (c->pid < 0) {
        close_pair(in);
        close_pair(out);
        return pwr_fail_errno(err, PWR_E_INTERNAL, errno, "fork");
    }
    if (c->pid == 0)
        exec_child(path, in[0], out[1], (int)maxfd);
    close(in[0]);
    close(out[1]);
    c->to_child = in[1];
    c->from_child = out[0];
    return 0;
}

/* Write the request with SIGPIPE blocked, so a helper that exits early makes
 * the write fail with EPIPE instead of killing the host program; a SIGPIPE
 * raised meanwhile is consumed before the mask is restored. */
static int send_request(int fd, const struct pwr_msg *req,
                        struct pwr_err *err)
{
    sigset_t pipe_set, old, pending;
    struct timespec zero = { 0, 0 };
    int rc;

    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    rc = pwr_msg_write(fd, req, err);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) && !sigismember(&old, SIGPIPE))
        (void)sigtimedwait(&pipe_set, NULL, &zero);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* Read whatever the helper still writes after its reply (so it never
 * blocks on a full pipe); 1 if there was any. */
static int drain(int fd)
{
    char sink[4096];
    int any = 0;

    for (;;) {
        ssize_t n = read(fd, sink, sizeof(sink));

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return any;
        any = 1;
    }
}

/* The reply's frames: each one before the last goes to fn (or into rep
 * when fn is NULL), the last into rep.  -1 on a malformed or missing
 * reply, or when fn fails (the rest is still read). */
static int read_reply(int fd, struct pwr_msg *rep, pwr_frame_fn fn,
                      void *arg, int *got_any, struct pwr_err *err)
{
    struct frame_in *in = frame_in_new(fd, err);
    int more = 1, rc = in == NULL ? -1 : 0, fn_failed = 0;

    *got_any = 0;
    while (rc == 0 && more) {
        struct pwr_msg f;
        int r = frame_read(in, &f, &more, err);

        if (r <= 0) {
            if (r == 0 && *got_any)
                pwr_fail(err, PWR_E_INTERNAL, "the helper's reply ends "
                         "inside a frame sequence");
            rc = -1;
        } else if (more && fn != NULL && !fn_failed) {
            fn_failed = fn(&f, arg, err) < 0;
        } else if (!(more && fn != NULL) && merge(rep, &f, err) < 0) {
            rc = -1;
        }
        *got_any |= r > 0;
        pwr_msg_free(&f);
    }
    if (rc == 0 && (in->len != 0 || drain(fd)))
        rc = pwr_fail(err, PWR_E_USAGE, "data after end of message");
    else if (rc < 0)
        (void)drain(fd);
    frame_in_free(in);
    return rc == 0 && fn_failed ? -2 : rc;
}

static int reap(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return 0;
}

static int check_exit(int status, const struct pwr_msg *rep,
                      struct pwr_err *err)
{
    if (!WIFEXITED(status))
        return pwr_fail(err, PWR_E_INTERNAL, "helper killed by signal %d",
                        WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (WEXITSTATUS(status) == 127 && pwr_msg_get(rep, "result") == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "cannot run the helper");
    if ((int)pwr_msg_result(rep) != WEXITSTATUS(status))
        return pwr_fail(err, PWR_E_INTERNAL,
                        "helper exit status %d does not match its reply",
                        WEXITSTATUS(status));
    return 0;
}

/* The child is running: send, receive, reap. */
static int converse(struct child *c, const struct pwr_msg *req,
                    struct pwr_msg *rep, pwr_frame_fn fn, void *arg,
                    struct pwr_err *err)
{
    struct pwr_err werr, rerr;
    int status = 0, rc = -1, rd, got;

    pwr_err_clear(&werr);
    pwr_err_clear(&rerr);
    /* A failed write is reported only if no reply explains it. */
    (void)send_request(c->to_child, req, &werr);
    close(c->to_child);
    rd = read_reply(c->from_child, rep, fn, arg, &got, &rerr);
    close(c->from_child);
    if (reap(c->pid, &status) < 0)
        pwr_fail_errno(err, PWR_E_INTERNAL, errno, "waitpid");
    else if (WIFSIGNALED(status))
        pwr_fail(err, PWR_E_INTERNAL, "helper killed by signal %d",
                 WTERMSIG(status));
    else if (!got)
        pwr_fail(err, PWR_E_INTERNAL, "no reply from the helper%s%s",
                 werr.msg[0] ? ": " : "", werr.msg);
    else if (rd == -1)
        *err = rerr;
    else
        rc = check_exit(status, rep, err);
    if (rc == 0 && rd == -2) { /* fn's own error */
        *err = rerr;
        rc = -1;
    }
    if (rc < 0)
        pwr_msg_free(rep);
    return rc;
}

int pwr_helper_call_stream(const char *path, const struct pwr_msg *req,
                           struct pwr_msg *rep, pwr_frame_fn fn, void *arg,
                           struct pwr_err *err)
{
    struct sigaction dfl, old;
    struct child c = { -1, -1, -1 };
    int rc;

    pwr_msg_init(rep);
    /* A host program that ignores SIGCHLD would make waitpid fail. */
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    if (sigaction(SIGCHLD, &dfl, &old) < 0)
        return pwr_fail_errno(err, PWR_E_INTERNAL, errno, "sigaction");
    rc = spawn(path, &c, err);
    if (rc == 0)
        rc = converse(&c, req, rep, fn, arg, err);
    sigaction(SIGCHLD, &old, NULL);
    return rc;
}

int pwr_helper_call(const char *path, const struct pwr_msg *req,
                    struct pwr_msg *rep, struct pwr_err *err)
{
    return pwr_helper_call_stream(path, req, rep, NULL, NULL, err);
}
