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

/* [a-z_]{1,31}, and never the terminator word. */
static int key_valid(const char *key, size_t len)
{
    size_t i;

    if (len == 0 || len > PWR_PROTO_KEY_MAX)
        return 0;
    for (i = 0; i < len; i++)
        if (!((key[i] >= 'a' && key[i] <= 'z') || key[i] == '_'))
            return 0;
    return !(len == 3 && memcmp(key, "end", 3) == 0);
}

static int grow(struct pwr_msg *m, struct pwr_err *err)
{
    struct pwr_field *nf;
    size_t ncap;

    if (m->n < m->cap)
        return 0;
    if (m->n >= PWR_PROTO_MAX_FIELDS)
        return pwr_fail(err, PWR_E_USAGE, "message has too many fields");
    ncap = m->cap == 0 ? 16 : m->cap * 2;
    if (ncap > PWR_PROTO_MAX_FIELDS)
        ncap = PWR_PROTO_MAX_FIELDS;
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
    if (grow(m, err) < 0)
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

int pwr_msg_addf(struct pwr_msg *m, const char *key, struct pwr_err *err,
                 const char *fmt, ...)
{
    va_list ap;
    char *buf;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return pwr_fail(err, PWR_E_INTERNAL, "cannot format message value");
    buf = malloc((size_t)n + 1);
    if (buf == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rc = pwr_msg_add(m, key, buf, err);
    pwr_wipe(buf, (size_t)n);
    free(buf);
    return rc;
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
    for (c = PWR_OK; c <= PWR_E_EXISTS; c++)
        if (strcmp(r, pwr_code_name((enum pwr_code)c)) == 0)
            return (enum pwr_code)c;
    return PWR_E_INTERNAL;
}

/* ---- text form --------------------------------------------------------- */

int pwr_msg_encode(const struct pwr_msg *m, char **out, size_t *len,
                   struct pwr_err *err)
{
    size_t cap = PWR_PROTO_MAX + 1, pos, i;
    char *buf = malloc(cap);
    ssize_t n;

    if (buf == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    memcpy(buf, PROTO_HEADER, sizeof(PROTO_HEADER) - 1);
    pos = sizeof(PROTO_HEADER) - 1;
    for (i = 0; i < m->n; i++) {
        size_t klen = strlen(m->fields[i].key);

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
    if (pos + sizeof(PROTO_END) - 1 > PWR_PROTO_MAX)
        goto too_big;
    memcpy(buf + pos, PROTO_END, sizeof(PROTO_END) - 1);
    *len = pos + sizeof(PROTO_END) - 1;
    *out = buf;
    return 0;
too_big:
    pwr_wipe(buf, cap);
    free(buf);
    return pwr_fail(err, PWR_E_USAGE, "message larger than %d bytes",
                    PWR_PROTO_MAX);
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

static int decode_body(const char *buf, size_t len, struct pwr_msg *m,
                       char *scratch, size_t scratchsz, struct pwr_err *err)
{
    size_t pos = sizeof(PROTO_HEADER) - 1;

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
        if (decode_line(buf + pos, llen, m, scratch, scratchsz, err) < 0)
            return -1;
        pos += llen + 1;
    }
}

int pwr_msg_decode(const char *buf, size_t len, struct pwr_msg *m,
                   struct pwr_err *err)
{
    char *scratch;
    int rc;

    pwr_msg_init(m);
    if (len > PWR_PROTO_MAX)
        return pwr_fail(err, PWR_E_USAGE, "message larger than %d bytes",
                        PWR_PROTO_MAX);
    if (len < sizeof(PROTO_HEADER) - 1 ||
        memcmp(buf, PROTO_HEADER, sizeof(PROTO_HEADER) - 1) != 0)
        return pwr_fail(err, PWR_E_USAGE, "bad message header");
    scratch = malloc(len + 1);
    if (scratch == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    rc = decode_body(buf, len, m, scratch, len + 1, err);
    pwr_wipe(scratch, len + 1);
    free(scratch);
    if (rc < 0)
        pwr_msg_free(m);
    return rc;
}

/* ---- over a file descriptor --------------------------------------------- */

static int ends_message(const char *buf, size_t len)
{
    return len >= 5 && memcmp(buf + len - 5, "\nend\n", 5) == 0;
}

int pwr_msg_read(int fd, struct pwr_msg *m, struct pwr_err *err)
{
    size_t cap = PWR_PROTO_MAX + 1, len = 0;
    char *buf = malloc(cap);
    int rc = -1;

    if (buf == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    pwr_msg_init(m);
    while (len < cap && !ends_message(buf, len)) {
        ssize_t n = read(fd, buf + len, cap - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            /* A set-uid program started with stdin closed gets a
             * write-only /dev/full there from the C library. */
            pwr_fail_errno(err, PWR_E_USAGE, errno, "cannot read message");
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len == 0)
        pwr_fail(err, PWR_E_USAGE, "empty message");
    else
        rc = pwr_msg_decode(buf, len, m, err);
out:
    pwr_wipe(buf, cap);
    free(buf);
    return rc;
}

int pwr_msg_write(int fd, const struct pwr_msg *m, struct pwr_err *err)
{
    char *buf;
    size_t len;
    int rc = 0;

    if (pwr_msg_encode(m, &buf, &len, err) < 0)
        return -1;
    if (pwr_write_all(fd, buf, len) < 0)
        rc = pwr_fail_errno(err, PWR_E_INTERNAL, errno,
                            "cannot write message");
    pwr_wipe(buf, len);
    free(buf);
    return rc;
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

/* Read everything the helper writes (so it never blocks on a full pipe),
 * keeping at most PWR_PROTO_MAX + 1 bytes. */
static int read_reply(int fd, char *buf, size_t cap, size_t *len)
{
    char sink[4096];

    *len = 0;
    for (;;) {
        char *dst = *len < cap ? buf + *len : sink;
        size_t room = *len < cap ? cap - *len : sizeof(sink);
        ssize_t n = read(fd, dst, room);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        if (dst != sink)
            *len += (size_t)n;
        else
            *len = cap;
    }
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
                    struct pwr_msg *rep, struct pwr_err *err)
{
    size_t cap = PWR_PROTO_MAX + 1, len = 0;
    char *buf = malloc(cap);
    struct pwr_err werr;
    int status = 0, rc = -1, rd;

    pwr_err_clear(&werr);
    /* A failed write is reported only if no reply explains it. */
    (void)send_request(c->to_child, req, &werr);
    close(c->to_child);
    rd = buf != NULL ? read_reply(c->from_child, buf, cap, &len) : -1;
    close(c->from_child);
    if (reap(c->pid, &status) < 0)
        pwr_fail_errno(err, PWR_E_INTERNAL, errno, "waitpid");
    else if (WIFSIGNALED(status))
        pwr_fail(err, PWR_E_INTERNAL, "helper killed by signal %d",
                 WTERMSIG(status));
    else if (rd < 0 || len == 0)
        pwr_fail(err, PWR_E_INTERNAL, "no reply from the helper%s%s",
                 werr.msg[0] ? ": " : "", werr.msg);
    else if (pwr_msg_decode(buf, len, rep, err) == 0) {
        rc = check_exit(status, rep, err);
        if (rc < 0)
            pwr_msg_free(rep);
    }
    if (buf != NULL) {
        pwr_wipe(buf, cap);
        free(buf);
    }
    return rc;
}

int pwr_helper_call(const char *path, const struct pwr_msg *req,
                    struct pwr_msg *rep, struct pwr_err *err)
{
    struct sigaction dfl, old;
    struct child c;
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
        rc = converse(&c, req, rep, err);
    sigaction(SIGCHLD, &old, NULL);
    return rc;
}
