/* test_audit_creds.c - every audit datagram says who sent it with the
 * sender's effective uid: journald's trusted _UID is
 * what "pwreset audit" reads the journal by, and the set-uid helper run by
 * a user (real uid the user, effective uid 0) must show as root there.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Needs root (exit 77 otherwise): each test runs in its own forked process
 * (Check's default), takes real uid nobody and keeps effective uid 0, as
 * the set-uid helper does, and reads the credentials a receiving socket
 * with SO_PASSCRED gets.
 */
#include "config.h"

#include <sys/socket.h>
#include <unistd.h>

#include "pwr_audit.h"
#include "testutil.h"

#define NOBODY 65534

static char *dir;
static char sock_path[108];

/* A listener that gets SCM_CREDENTIALS, with real uid nobody from now on. */
static int listener(void)
{
    int on = 1;
    int fd;

    dir = pwr_test_tmpdir();
    ck_assert_ptr_nonnull(dir);
    fd = pwr_test_bind_socket(dir, SOCK_DGRAM, "log", sock_path,
                              sizeof(sock_path));
    ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)), 0);
    ck_assert_int_eq(setresuid(NOBODY, 0, 0), 0);
    ck_assert_int_eq((int)getuid(), NOBODY);
    return fd;
}

/* The uid the next datagram on fd carries. */
static long sender_uid(int fd)
{
    char data[4096];
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(struct ucred))];
    } ctl;
    struct iovec iov = { data, sizeof(data) };
    struct msghdr m;
    struct cmsghdr *c;
    struct ucred uc;

    memset(&m, 0, sizeof(m));
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl.buf;
    m.msg_controllen = sizeof(ctl.buf);
    ck_assert_int_gt(recvmsg(fd, &m, MSG_DONTWAIT), 0);
    c = CMSG_FIRSTHDR(&m);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->cmsg_type, SCM_CREDENTIALS);
    memcpy(&uc, CMSG_DATA(c), sizeof(uc));
    ck_assert_int_eq(uc.pid, getpid());
    return (long)uc.uid;
}

static void cleanup(int fd)
{
    close(fd);
    ck_assert_int_eq(pwr_test_rm_tree(dir), 0);
    free(dir);
}

START_TEST(test_one_event_carries_the_effective_uid)
{
    int fd = listener();
    struct pwr_audit a;

    pwr_audit_begin(&a, "account_unblocked");
    pwr_audit_add(&a, "user", "dave");
    ck_assert_int_eq(pwr_audit_send(&a, sock_path, 0, NULL), 0);
    ck_assert_int_eq(sender_uid(fd), 0);
    cleanup(fd);
}
END_TEST

START_TEST(test_a_batch_carries_the_effective_uid)
{
    int fd = listener();
    struct pwr_audit a[3];
    size_t i;

    for (i = 0; i < 3; i++) {
        pwr_audit_begin(&a[i], "force_password_reset_set");
        pwr_audit_add(&a[i], "user", "dave");
    }
    ck_assert_int_eq(pwr_audit_send_batch(a, NULL, 3, sock_path, NULL), 0);
    for (i = 0; i < 3; i++)
        ck_assert_int_eq(sender_uid(fd), 0);
    cleanup(fd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("audit_creds");
    TCase *tc = tcase_create("creds");

    if (geteuid() != 0) {
        puts("SKIP: needs root (real uid nobody, effective uid 0)");
        return 77;
    }
    tcase_add_test(tc, test_one_event_carries_the_effective_uid);
    tcase_add_test(tc, test_a_batch_carries_the_effective_uid);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
