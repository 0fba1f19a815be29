/* pwr_audit_send.c - the audit trail's transport: frame a finished audit
 * line (pwr_audit_line.c) as a syslog message and send it, alone or in
 * batches, straight to the syslog socket.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The datagram is framed here (RFC 3164) and sent straight to the syslog
 * socket.  openlog()/syslog() would change the ident, facility and socket of
 * the program we are loaded into (sshd, login), so we never call them.  A
 * send times out after a few seconds rather than hang a login on a stuck
 * syslog daemon; the caller decides what a failed send means.
 * Every datagram carries SCM_CREDENTIALS with our effective uid and gid:
 * the kernel would otherwise stamp the real uid, and the set-uid helper run
 * by a user, or the module in su, would show in the journal's trusted _UID
 * as that user, beside anything the user logs with "logger -t pwreset".
 * The kernel accepts only our own pid and our real, effective or saved ids,
 * so no sender can claim root without being it.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "pwr_audit.h"
#include "pwr_util.h"

#define IDENT PWR_AUDIT_IDENT
#define DEFAULT_SOCKET "/dev/log"
#define SEND_TIMEOUT_SEC 2

/* ---- sender ------------------------------------------------------------- */

/* The frame's head, "<PRI>Mmm dd hh:mm:ss pwreset[PID]: ".  A batch works
 * it out once a second rather than once a line. */
struct head {
    time_t when;
    int pri;
    size_t len; /* 0: not worked out yet, or could not be */
    char text[64];
};

static int pri_of(int warn)
{
    return LOG_AUTHPRIV | (warn ? LOG_WARNING : LOG_NOTICE);
}

/* Month names are fixed: a setlocale() in the host program must not change
 * what syslog daemons parse. */
static int make_head(struct head *h, time_t now, int pri, long pid)
{
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr",
                                        "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec" };
    struct tm tm;
    int n;

    if (localtime_r(&now, &tm) == NULL)
        memset(&tm, 0, sizeof(tm));
    n = snprintf(h->text, sizeof(h->text),
                 "<%d>%s %2d %02d:%02d:%02d %s[%ld]: ", pri,
                 months[tm.tm_mon >= 0 && tm.tm_mon < 12 ? tm.tm_mon : 0],
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, IDENT, pid);
    h->when = now;
    h->pri = pri;
    h->len = n > 0 && (size_t)n < sizeof(h->text) ? (size_t)n : 0;
    return h->len > 0 ? 0 : -1;
}

/* head + LINE + NUL into out; returns the length without the NUL, 0 if it
 * does not fit. */
static size_t frame_with(const struct head *h, const struct pwr_audit *a,
                         char *out, size_t outsz)
{
    if (h->len == 0 || h->len + a->len >= outsz)
        return 0;
    memcpy(out, h->text, h->len);
    memcpy(out + h->len, a->line, a->len);
    out[h->len + a->len] = '\0';
    return h->len + a->len;
}

/* "<PRI>Mmm dd hh:mm:ss pwreset[PID]: LINE" into out; returns its length. */
static size_t frame(const struct pwr_audit *a, int warn, char *out,
                    size_t outsz)
{
    struct head h;

    memset(&h, 0, sizeof(h));
    if (make_head(&h, time(NULL), pri_of(warn), (long)getpid()) < 0)
        return 0;
    return frame_with(&h, a, out, outsz);
}

static int open_socket(int type)
{
    struct timeval tv = { SEND_TIMEOUT_SEC, 0 };
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* A socket kept between sends, only where pwr_audit_keep_socket asked for
 * it (the helper, for bulk actions); a PAM module must not leave an fd
 * behind in the program that loaded it.  The kept socket is connected to
 * kept_path once a listener was found there: the kernel then looks the
 * listener up once, not per datagram. */
static int keep_socket;
static int kept_fd = -1;
static int kept_connected;
/* A listener that let a send wait out SEND_TIMEOUT_SEC is hung: for the
 * rest of this run (until pwr_audit_keep_socket(0)) lines that it cannot
 * take at once are dropped (and reported) rather than waited for, so a
 * bulk action costs one timeout, not one per line. */
static int kept_stalled;
static char kept_path[sizeof(((struct sockaddr_un *)NULL)->sun_path)];

static void drop_kept(void)
{
    if (kept_fd >= 0)
        close(kept_fd);
    kept_fd = -1;
    kept_connected = 0;
}

void pwr_audit_keep_socket(int keep)
{
    keep_socket = keep;
    if (!keep) {
        drop_kept();
        kept_stalled = 0;
    }
}

static int timed_out(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK;
}

/* Control data saying who sends: our pid, effective uid and gid. */
union creds_ctl {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(struct ucred))];
};

static void set_creds(struct msghdr *m, union creds_ctl *ctl)
{
    struct ucred uc;
    struct cmsghdr *c;

    memset(ctl, 0, sizeof(*ctl));
    uc.pid = getpid();
    uc.uid = geteuid();
    uc.gid = getegid();
    m->msg_control = ctl->buf;
    m->msg_controllen = sizeof(ctl->buf);
    c = CMSG_FIRSTHDR(m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof(uc));
    memcpy(CMSG_DATA(c), &uc, sizeof(uc));
}

/* One datagram on a fresh socket (the PAM module's way: nothing kept). */
static int send_dgram(const struct sockaddr_un *addr, const char *msg,
                      size_t len)
{
    int fd = open_socket(SOCK_DGRAM), saved;
    struct iovec iov = { (void *)(uintptr_t)msg, len };
    struct msghdr m;
    union creds_ctl ctl;
    ssize_t rc;

    if (fd < 0)
        return -1;
    memset(&m, 0, sizeof(m));
    m.msg_name = (void *)(uintptr_t)addr;
    m.msg_namelen = sizeof(*addr);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    set_creds(&m, &ctl);
    do
        rc = sendmsg(fd, &m, MSG_NOSIGNAL);
    while (rc < 0 && errno == EINTR);
    saved = errno;
    close(fd);
    errno = saved;
    return rc == (ssize_t)len ? 0 : -1;
}

/* A stream socket carries no message boundaries: like glibc's syslog(), end
 * the message with a NUL (msg[len] must be that NUL). */
static int send_stream(const struct sockaddr_un *addr, const char *msg,
                       size_t len)
{
    int fd = open_socket(SOCK_STREAM), saved, rc;
    size_t done = 0;

    if (fd < 0)
        return -1;
    rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
    while (rc == 0 && done < len + 1) {
        ssize_t w = send(fd, msg + done, len + 1 - done, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = -1;
        else
            done += (size_t)w;
    }
    saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static int well_formed(const struct pwr_audit *a)
{
    return a->len > 0 && a->len < sizeof(a->line) &&
           memchr(a->line, '\0', a->len) == NULL &&
           memchr(a->line, '\n', a->len) == NULL;
}

static int set_addr(struct sockaddr_un *addr, const char **socket_path)
{
    if (*socket_path == NULL || (*socket_path)[0] == '\0')
        *socket_path = DEFAULT_SOCKET;
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    return pwr_strlcpy(addr->sun_path, *socket_path, sizeof(addr->sun_path));
}

/* ---- sending a batch ---------------------------------------------------- */

#define MMSG_MAX 64 /* datagrams per sendmmsg */

struct sender {
    const struct sockaddr_un *addr;
    int fd;      /* connected datagram socket, or -1 */
    int stream;  /* the listener is a stream socket */
    long pid;
    struct head head;
    size_t failed;
    int first_errno; /* of the first failure; 0: a malformed line */
};

static void failed(struct sender *s, size_t n, int errnum)
{
    if (n > 0 && s->failed == 0)
        s->first_errno = errnum;
    s->failed += n;
}

/* Connect s->fd: the kept socket when it already points at the path.  A
 * kept socket that found no listener stays open, unconnected, for the next
 * try. */
static int connect_dgram(struct sender *s)
{
    int fd, saved;

    if (kept_fd >= 0 && kept_connected) {
        if (strcmp(kept_path, s->addr->sun_path) == 0) {
            s->fd = kept_fd;
            return 0;
        }
        drop_kept(); /* connected to another path */
    }
    fd = kept_fd >= 0 ? kept_fd : open_socket(SOCK_DGRAM);
    if (fd < 0)
        return -1;
    if (connect(fd, (const struct sockaddr *)s->addr, sizeof(*s->addr)) < 0) {
        saved = errno;
        if (keep_socket)
            kept_fd = fd;
        else
            close(fd);
        errno = saved;
        return -1;
    }
    if (keep_socket) {
        kept_fd = fd;
        kept_connected = 1;
        memcpy(kept_path, s->addr->sun_path, sizeof(kept_path));
    }
    s->fd = fd;
    return 0;
}

/* Close s->fd unless it is the kept socket (gone: close that too). */
static void release(struct sender *s, int gone)
{
    if (s->fd < 0)
        return;
    if (s->fd == kept_fd) {
        if (gone)
            drop_kept();
    } else {
        close(s->fd);
    }
    s->fd = -1;
}

static void send_streams(struct sender *s, const struct pwr_audit *a,
                         size_t n)
{
    char msg[PWR_AUDIT_LINE_MAX + 64];
    size_t i, len;

    for (i = 0; i < n; i++) {
        len = frame_with(&s->head, &a[i], msg, sizeof(msg));
        if (len == 0)
            failed(s, 1, EMSGSIZE);
        else if (keep_socket && kept_stalled)
            failed(s, 1, EAGAIN);
        else if (send_stream(s->addr, msg, len) < 0) {
            failed(s, 1, errno);
            kept_stalled |= keep_socket && timed_out(errno);
        }
    }
}

/* No datagram socket could be connected (errno says why): a stream
 * listener gets each message on its own connection, as pwr_audit_send
 * does; anything else loses the run, one connect having failed for it. */
static void unconnected(struct sender *s, const struct pwr_audit *a,
                        size_t n)
{
    if (s->stream || errno == EPROTOTYPE) {
        s->stream = 1;
        send_streams(s, a, n);
    } else {
        failed(s, n, errno);
    }
}

/* After a connected socket saw its listener go (a restarted syslog
 * daemon), connect again once before calling the datagram lost. */
static int peer_gone(int e)
{
    return e == ECONNREFUSED || e == ECONNRESET || e == ENOTCONN ||
           e == EPIPE || e == EDESTADDRREQ;
}

/* a[0..n), all framed with s->head, each as its own datagram. */
static void send_run(struct sender *s, const struct pwr_audit *a, size_t n)
{
    struct mmsghdr m[MMSG_MAX];
    struct iovec iov[MMSG_MAX][2];
    union creds_ctl ctl;
    size_t k = 0, i;
    int retried = 0, r;

    if (s->stream || (s->fd < 0 && connect_dgram(s) < 0)) {
        unconnected(s, a, n);
        return;
    }
    memset(m, 0, sizeof(m));
    for (i = 0; i < n; i++) {
        iov[i][0].iov_base = s->head.text;
        iov[i][0].iov_len = s->head.len;
        iov[i][1].iov_base = (void *)(uintptr_t)a[i].line;
        iov[i][1].iov_len = a[i].len;
        m[i].msg_hdr.msg_iov = iov[i];
        m[i].msg_hdr.msg_iovlen = 2;
        if (i == 0) {
            set_creds(&m[0].msg_hdr, &ctl);
        } else { /* the same credentials: one buffer, only read */
            m[i].msg_hdr.msg_control = m[0].msg_hdr.msg_control;
            m[i].msg_hdr.msg_controllen = m[0].msg_hdr.msg_controllen;
        }
    }
    while (k < n) {
        int stalled = kept_stalled && s->fd == kept_fd;

        r = sendmmsg(s->fd, m + k, (unsigned)(n - k),
                     MSG_NOSIGNAL | (stalled ? MSG_DONTWAIT : 0));
        if (r > 0) {
            k += (size_t)r;
            retried = 0;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else if (r < 0 && peer_gone(errno) && !retried) {
            retried = 1;
            release(s, 1);
            if (connect_dgram(s) < 0) {
                unconnected(s, a + k, n - k);
                return;
            }
        } else {
            if (r < 0 && timed_out(errno) && s->fd == kept_fd) {
                kept_stalled = 1;
                failed(s, n - k, errno); /* the rest would wait as long */
                return;
            }
            failed(s, 1, r < 0 ? errno : EIO);
            k++;
            retried = 0;
        }
    }
}

/* How many of a[0..n) from the first on can go in one run: well formed,
 * the same severity, at most MMSG_MAX. */
static size_t run_length(const struct pwr_audit *a, const unsigned char *warn,
                         size_t n)
{
    size_t i;

    for (i = 0; i < n && i < MMSG_MAX && well_formed(&a[i]); i++)
        if (warn != NULL && (warn[i] != 0) != (warn[0] != 0))
            break;
    return i;
}

int pwr_audit_send_batch(const struct pwr_audit *a, const unsigned char *warn,
                         size_t n, const char *socket_path,
                         struct pwr_err *err)
{
    struct sockaddr_un addr;
    struct sender s;
    size_t i = 0, run;
    time_t now;

    if (set_addr(&addr, &socket_path) < 0)
        return n == 0 ? 0 : pwr_fail(err, PWR_E_INTERNAL,
                                     "audit: socket path too long: %s",
                                     socket_path);
    memset(&s, 0, sizeof(s));
    s.addr = &addr;
    s.fd = -1;
    s.pid = (long)getpid();
    while (i < n) {
        run = run_length(a + i, warn != NULL ? warn + i : NULL, n - i);
        if (run == 0) {
            failed(&s, 1, 0);
            i++;
            continue;
        }
        now = time(NULL);
        if ((s.head.len == 0 || s.head.when != now ||
             s.head.pri != pri_of(warn != NULL && warn[i])) &&
            make_head(&s.head, now, pri_of(warn != NULL && warn[i]),
                      s.pid) < 0)
            failed(&s, run, EMSGSIZE);
        else
            send_run(&s, a + i, run);
        i += run;
    }
    release(&s, 0);
    if (s.failed == 0)
        return 0;
    if (s.first_errno == 0)
        return pwr_fail(err, PWR_E_INTERNAL, "audit: malformed line");
    return pwr_fail_errno(err, PWR_E_INTERNAL, s.first_errno,
                          "audit: cannot send to %s", socket_path);
}

int pwr_audit_send(const struct pwr_audit *a, const char *socket_path,
                   int warn, struct pwr_err *err)
{
    const unsigned char w = warn != 0;
    char msg[PWR_AUDIT_LINE_MAX + 64];
    struct sockaddr_un addr;
    size_t len;

    if (keep_socket)
        return pwr_audit_send_batch(a, &w, 1, socket_path, err);
    if (socket_path == NULL || socket_path[0] == '\0')
        socket_path = DEFAULT_SOCKET;
    if (!well_formed(a))
        return pwr_fail(err, PWR_E_INTERNAL, "audit: malformed line");
    if (set_addr(&addr, &socket_path) < 0)
        return pwr_fail(err, PWR_E_INTERNAL, "audit: socket path too long: %s",
                        socket_path);
    len = frame(a, warn, msg, sizeof(msg));
    if (len == 0)
        return pwr_fail(err, PWR_E_INTERNAL, "audit: cannot frame message");
    if (send_dgram(&addr, msg, len) == 0)
        return 0;
    if (errno == EPROTOTYPE && send_stream(&addr, msg, len) == 0)
        return 0;
    return pwr_fail_errno(err, PWR_E_INTERNAL, errno,
                          "audit: cannot send to %s", socket_path);
}
