/* pwr_proto_fd.c - helper protocol messages over a file descriptor:
 * reading frames as they arrive (a request, or a reply streamed frame by
 * frame) and writing them (pwr_proto.h; the text form is in pwr_proto.c).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Values may be secrets: every buffer that held a frame is wiped before it
 * is freed or reused, on every path.  A reader never takes more than one
 * frame and the start of the next into memory, and a request never more
 * than PWR_PROTO_REQUEST_MAX bytes in all.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pwr_proto.h"
#include "pwr_proto_frame.h"
#include "pwr_secret.h"
#include "pwr_util.h"

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

        *flen = pwr_frame_len(in->buf, in->len, &in->scanned);
        if (*flen != 0)
            return 0;
        if (in->eof && in->len == 0)
            return 1;
        if (in->eof) {
            *flen = in->len; /* pwr_frame_decode says what is wrong */
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
    r = pwr_frame_decode(in->buf, flen, f, more, err);
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
        else if (r < 0 || pwr_msg_merge(m, &f, err) < 0)
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
    return pwr_frame_emit(m, from, to, more_after, put_fd, &fd, err);
}

int pwr_msg_write(int fd, const struct pwr_msg *m, struct pwr_err *err)
{
    return pwr_frame_emit(m, 0, m->n, 0, put_fd, &fd, err);
}

/* Read whatever the writer still sends after the reply (so it never
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

int pwr_msg_read_reply(int fd, struct pwr_msg *rep, pwr_frame_fn fn,
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
        } else if (!(more && fn != NULL) &&
                   pwr_msg_merge(rep, &f, err) < 0) {
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
