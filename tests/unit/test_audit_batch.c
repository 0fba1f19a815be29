/* test_audit_batch.c - unit tests of the bulk audit path: a
 * batch of events sealed into the MAC chain with one state write per group
 * (pwr_chain_seal_batch) and sent through one kept, connected socket
 * (pwr_audit_send_batch), in a private temporary directory.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "pwr_audit.h"
#include "pwr_chain.h"
#include "testutil.h"

#define MANY 600 /* more than one state write (256) and one sendmmsg (64) */

/* Unchecked (run by the parent): the directory goes even when a test
 * fails in its child.  Each test uses names of its own inside it. */
static void setup(void)
{
    ck_assert_int_ge(sodium_init(), 0);
    pwr_test_dir_setup();
}

/* pwr_test_dir/NAME/store, NAME a fresh private directory. */
static void fresh_store(const char *name, char store[PWR_PATH_MAX])
{
    char dir[PWR_PATH_MAX];

    ck_assert_int_lt(
        snprintf(dir, sizeof(dir), "%s/%s", pwr_test_dir, name), 200);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    ck_assert_int_lt(snprintf(store, PWR_PATH_MAX, "%.200s/store", dir),
                     PWR_PATH_MAX);
}

static struct pwr_audit *events(size_t n)
{
    struct pwr_audit *ev = calloc(n, sizeof(*ev));
    char user[32];
    size_t i;

    ck_assert_ptr_nonnull(ev);
    for (i = 0; i < n; i++) {
        snprintf(user, sizeof(user), "acct%07zu", i);
        pwr_audit_begin(&ev[i], "force_password_reset_set");
        pwr_audit_add(&ev[i], "user", user);
        pwr_audit_add(&ev[i], "actor", "root");
        pwr_audit_add_int(&ev[i], "actor_uid", 0);
    }
    return ev;
}

/* ev[0..n) carry seq first, first+1, ... and each mac proves its line
 * after prev (which ends as the last mac). */
static void assert_chain(const char *store, const struct pwr_audit *ev,
                         size_t n, uint64_t first, char prev[PWR_CHAIN_MACHEX])
{
    unsigned char key[PWR_CHAIN_KEYBYTES];
    char line[PWR_AUDIT_LINE_MAX + 32], mac[PWR_CHAIN_MACHEX];
    char want[PWR_CHAIN_MACHEX];
    struct pwr_err err;
    const char *text;
    size_t i, tlen;
    uint64_t seq;

    ck_assert_int_eq(pwr_chain_load_key(store, key, &err), 0);
    for (i = 0; i < n; i++) {
        snprintf(line, sizeof(line), "pwreset[7]: %s", ev[i].line);
        ck_assert_int_eq(pwr_chain_split(line, strlen(line), &text, &tlen,
                                         &seq, mac), 1);
        ck_assert_uint_eq(seq, first + i);
        pwr_chain_mac(key, prev, text, tlen, want);
        ck_assert_msg(strcmp(want, mac) == 0, "seq %" PRIu64 " breaks", seq);
        memcpy(prev, mac, PWR_CHAIN_MACHEX);
    }
    sodium_memzero(key, sizeof(key));
}

/* The chain state file: its seq, and its mac into mac. */
static uint64_t state_seq(const char *store, char mac[PWR_CHAIN_MACHEX])
{
    char kpath[PWR_PATH_MAX], spath[PWR_PATH_MAX], buf[256];
    struct pwr_err err;
    unsigned long long seq = 0;
    FILE *f;

    ck_assert_int_eq(pwr_chain_paths(store, kpath, spath, &err), 0);
    f = fopen(spath, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
    fclose(f);
    ck_assert_int_eq(sscanf(buf, "pwreset-chain 1 %llu %64s", &seq, mac), 2);
    return (uint64_t)seq;
}

/* ---- sealing ------------------------------------------------------------ */

START_TEST(test_a_batch_of_sealed_events_verifies_as_one_unbroken_chain)
{
    char store[PWR_PATH_MAX], prev[PWR_CHAIN_MACHEX] = "";
    struct pwr_audit *ev = events(MANY);
    struct pwr_err err;

    fresh_store("unbroken", store);
    ck_assert_msg(pwr_chain_seal_batch(ev, MANY, store, &err) == 0, "%s",
                  err.msg);
    assert_chain(store, ev, MANY, 1, prev);
    pwr_chain_close();
    free(ev);
}
END_TEST

START_TEST(test_the_state_holds_the_batchs_last_seq_and_mac_when_it_returns)
{
    char store[PWR_PATH_MAX], mac[PWR_CHAIN_MACHEX];
    struct pwr_audit *ev = events(300);
    struct pwr_err err;

    fresh_store("state", store);
    ck_assert_int_eq(pwr_chain_seal_batch(ev, 300, store, &err), 0);
    /* written now, with the lock still held: not at pwr_chain_close() */
    ck_assert_uint_eq(state_seq(store, mac), 300);
    ck_assert_ptr_nonnull(strstr(ev[299].line, mac));
    ck_assert_ptr_nonnull(strstr(ev[299].line, " seq=300 mac="));
    pwr_chain_close();
    free(ev);
}
END_TEST

START_TEST(test_a_batch_split_across_flushes_continues_the_chain)
{
    char store[PWR_PATH_MAX], prev[PWR_CHAIN_MACHEX] = "";
    char mac[PWR_CHAIN_MACHEX];
    struct pwr_audit *ev = events(306);
    struct pwr_err err;

    fresh_store("split", store);
    ck_assert_int_eq(pwr_chain_seal_batch(ev, 3, store, &err), 0);
    ck_assert_int_eq(pwr_chain_seal_batch(ev + 3, 300, store, &err), 0);
    ck_assert_int_eq(pwr_chain_seal_batch(&ev[303], 1, store, &err), 0);
    pwr_chain_close(); /* the next process takes over from the state file */
    ck_assert_int_eq(pwr_chain_seal_batch(ev + 304, 2, store, &err), 0);
    assert_chain(store, ev, 306, 1, prev);
    ck_assert_uint_eq(state_seq(store, mac), 306);
    ck_assert_str_eq(mac, prev);
    pwr_chain_close();
    free(ev);
}
END_TEST

START_TEST(test_a_batch_whose_state_cannot_be_written_is_left_unsealed)
{
    char store[PWR_PATH_MAX];
    struct pwr_audit *ev = events(10), *orig = events(10);
    struct rlimit old, small;
    struct pwr_err err;
    size_t i;
    int rc;

    fresh_store("unwritable", store);
    /* the 32-byte key fits, the 102-byte state line does not */
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 50;
    signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    rc = pwr_chain_seal_batch(ev, 10, store, &err);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0); /* Check writes */
    ck_assert_int_eq(rc, -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot write"));
    for (i = 0; i < 10; i++) {
        ck_assert_uint_eq(ev[i].len, orig[i].len);
        ck_assert_str_eq(ev[i].line, orig[i].line);
        ck_assert_int_eq(ev[i].truncated, 0);
    }
    pwr_chain_close();
    free(ev);
    free(orig);
}
END_TEST

START_TEST(test_a_long_line_in_a_batch_is_cut_at_a_field_and_marked)
{
    char store[PWR_PATH_MAX], prev[PWR_CHAIN_MACHEX] = "", big[400];
    struct pwr_audit *ev = events(3), orig;
    struct pwr_err err;
    const char *cut;
    int i;

    fresh_store("long", store);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    for (i = 0; i < 4; i++)
        pwr_audit_add(&ev[1], "detail", big);
    big[300] = '\0';
    pwr_audit_add(&ev[1], "reason", big);
    orig = ev[1];
    ck_assert_uint_gt(orig.len + 100, sizeof(orig.line)); /* no room */
    ck_assert_int_eq(pwr_chain_seal_batch(ev, 3, store, &err), 0);
    ck_assert_uint_lt(ev[1].len, sizeof(ev[1].line));
    ck_assert_int_eq(ev[1].truncated, 1);
    cut = strstr(ev[1].line, " truncated=1 seq=2 mac=");
    ck_assert_ptr_nonnull(cut);
    /* what is kept is the original up to a field boundary */
    ck_assert_int_eq(memcmp(ev[1].line, orig.line, (size_t)(cut - ev[1].line)),
                     0);
    ck_assert_int_eq(orig.line[cut - ev[1].line], ' ');
    assert_chain(store, ev, 3, 1, prev);
    pwr_chain_close();
    free(ev);
}
END_TEST

/* ---- sending ------------------------------------------------------------ */

/* What a listener received: each datagram as a string. */
struct got {
    char **msg;
    size_t n;
    uint64_t first_state; /* with a store: the state's seq at the first */
};

static void got_free(struct got *g)
{
    size_t i;

    for (i = 0; i < g->n; i++)
        free(g->msg[i]);
    free(g->msg);
}

/* The listener as a child process (a datagram socket holds few messages:
 * someone must read while the batch is sent): it takes up to want
 * datagrams from fd, stopping after 5 s of silence, and writes them with
 * their lengths to file; when store is set it first notes the chain
 * state's seq as the first datagram arrives. */
static pid_t listen_child(int fd, size_t want, const char *store,
                          const char *file)
{
    pid_t pid = fork();
    char buf[PWR_AUDIT_LINE_MAX + 128], mac[PWR_CHAIN_MACHEX];
    struct pollfd p = { fd, POLLIN, 0 };
    uint64_t seq = 0;
    size_t n;
    FILE *out;
    ssize_t r;

    ck_assert_int_ge(pid, 0);
    if (pid > 0)
        return pid;
    out = fopen(file, "w");
    if (out == NULL)
        _exit(2);
    for (n = 0; n < want && poll(&p, 1, 5000) == 1; n++) {
        r = recv(fd, buf, sizeof(buf), 0);
        if (r <= 0)
            _exit(3);
        if (n == 0 && store != NULL)
            seq = state_seq(store, mac);
        fprintf(out, "%zd\n", r);
        fwrite(buf, 1, (size_t)r, out);
    }
    fprintf(out, "state %" PRIu64 "\n", seq);
    _exit(fclose(out) == 0 ? 0 : 4);
}

static void collect(pid_t pid, const char *file, struct got *g)
{
    char head[64], *m;
    int status;
    long len;
    FILE *in;

    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(WIFEXITED(status) && WEXITSTATUS(status) == 0, 1);
    memset(g, 0, sizeof(*g));
    in = fopen(file, "r");
    ck_assert_ptr_nonnull(in);
    while (fgets(head, sizeof(head), in) != NULL) {
        unsigned long long seq;

        if (sscanf(head, "state %llu", &seq) == 1) {
            g->first_state = (uint64_t)seq;
            break;
        }
        len = strtol(head, NULL, 10);
        ck_assert_int_gt(len, 0);
        m = malloc((size_t)len + 1);
        ck_assert_ptr_nonnull(m);
        ck_assert_uint_eq(fread(m, 1, (size_t)len, in), (size_t)len);
        m[len] = '\0';
        g->msg = realloc(g->msg, (g->n + 1) * sizeof(*g->msg));
        ck_assert_ptr_nonnull(g->msg);
        g->msg[g->n++] = m;
    }
    fclose(in);
}

/* msg is exactly "<PRI>Mmm dd hh:mm:ss pwreset[OURPID]: LINE". */
static void assert_framed(const char *msg, int pri, const char *line)
{
    char re_text[200], tail[PWR_AUDIT_LINE_MAX + 64];
    size_t mlen = strlen(msg), tlen;
    regex_t re;

    snprintf(re_text, sizeof(re_text),
             "^<%d>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
             "[ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] pwreset\\[%ld\\]: ",
             pri, (long)getpid());
    ck_assert_int_eq(regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB), 0);
    ck_assert_msg(regexec(&re, msg, 0, NULL, 0) == 0, "bad frame: %s", msg);
    regfree(&re);
    snprintf(tail, sizeof(tail), "]: %s", line);
    tlen = strlen(tail);
    ck_assert_uint_gt(mlen, tlen);
    ck_assert_str_eq(msg + mlen - tlen, tail);
}

static void file_in_tmp(const char *name, char path[PWR_PATH_MAX])
{
    snprintf(path, PWR_PATH_MAX, "%s/%s", pwr_test_dir, name);
}

START_TEST(test_a_batch_arrives_as_one_framed_line_per_event_in_order)
{
    char path[PWR_PATH_MAX], file[PWR_PATH_MAX];
    struct pwr_audit *ev = events(MANY);
    unsigned char warn[MANY];
    struct pwr_err err;
    struct got g;
    size_t i;
    int fd = pwr_test_bind_socket(pwr_test_dir, SOCK_DGRAM,
                                  "order.sock", path, sizeof(path));
    pid_t pid;

    for (i = 0; i < MANY; i++)
        warn[i] = i % 100 == 7; /* severity changes inside a batch */
    file_in_tmp("order.out", file);
    pid = listen_child(fd, MANY, NULL, file);
    pwr_audit_keep_socket(1);
    ck_assert_msg(pwr_audit_send_batch(ev, warn, MANY, path, &err) == 0, "%s",
                  err.msg);
    collect(pid, file, &g);
    ck_assert_uint_eq(g.n, MANY);
    for (i = 0; i < MANY; i++)
        assert_framed(g.msg[i], warn[i] ? 84 : 85, ev[i].line);
    got_free(&g);
    pwr_audit_keep_socket(0);
    close(fd);
    free(ev);
}
END_TEST

START_TEST(test_the_state_holds_the_last_seq_before_the_first_line_is_sent)
{
    char path[PWR_PATH_MAX], file[PWR_PATH_MAX], store[PWR_PATH_MAX];
    char prev[PWR_CHAIN_MACHEX] = "";
    struct pwr_audit *ev = events(MANY);
    struct pwr_err err;
    struct got g;
    int fd = pwr_test_bind_socket(pwr_test_dir, SOCK_DGRAM,
                                  "first.sock", path, sizeof(path));
    pid_t pid;

    fresh_store("first", store);
    file_in_tmp("first.out", file);
    pid = listen_child(fd, 200, store, file);
    /* the helper's flush: seal the batch, then send it */
    pwr_audit_keep_socket(1);
    ck_assert_int_eq(pwr_chain_seal_batch(ev, 200, store, &err), 0);
    ck_assert_int_eq(pwr_audit_send_batch(ev, NULL, 200, path, &err), 0);
    collect(pid, file, &g);
    ck_assert_uint_eq(g.n, 200);
    ck_assert_uint_eq(g.first_state, 200);
    assert_chain(store, ev, 200, 1, prev);
    got_free(&g);
    pwr_audit_keep_socket(0);
    pwr_chain_close();
    close(fd);
    free(ev);
}
END_TEST

START_TEST(test_the_kept_socket_reconnects_when_the_listener_restarts)
{
    char path[PWR_PATH_MAX], file[PWR_PATH_MAX];
    struct pwr_audit *ev = events(100);
    struct pwr_err err;
    struct got g;
    int fd = pwr_test_bind_socket(pwr_test_dir, SOCK_DGRAM,
                                  "restart.sock", path, sizeof(path));
    pid_t pid;

    file_in_tmp("restart.out", file);
    pwr_audit_keep_socket(1);
    pid = listen_child(fd, 100, NULL, file);
    ck_assert_int_eq(pwr_audit_send_batch(ev, NULL, 100, path, &err), 0);
    collect(pid, file, &g);
    ck_assert_uint_eq(g.n, 100);
    got_free(&g);
    /* the syslog daemon restarts: a new socket under the same name */
    close(fd);
    ck_assert_int_eq(unlink(path), 0);
    fd = pwr_test_bind_socket(pwr_test_dir, SOCK_DGRAM,
                              "restart.sock", path, sizeof(path));
    pid = listen_child(fd, 100, NULL, file);
    ck_assert_msg(pwr_audit_send_batch(ev, NULL, 100, path, &err) == 0, "%s",
                  err.msg);
    collect(pid, file, &g);
    ck_assert_uint_eq(g.n, 100);
    assert_framed(g.msg[0], 85, ev[0].line);
    got_free(&g);
    pwr_audit_keep_socket(0);
    close(fd);
    free(ev);
}
END_TEST

START_TEST(test_a_batch_with_no_listener_fails_and_says_so_then_recovers)
{
    char path[PWR_PATH_MAX], file[PWR_PATH_MAX];
    struct pwr_audit *ev = events(100);
    struct pwr_err err;
    struct got g;
    int fd;
    pid_t pid;

    file_in_tmp("late.sock", path);
    file_in_tmp("late.out", file);
    pwr_audit_keep_socket(1);
    pwr_err_clear(&err);
    ck_assert_int_eq(pwr_audit_send_batch(ev, NULL, 100, path, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "late.sock"));
    ck_assert_ptr_nonnull(strstr(err.msg, strerror(ENOENT)));
    /* a listener appears: the next batch reaches it */
    fd = pwr_test_bind_socket(pwr_test_dir, SOCK_DGRAM,
                              "late.sock", path, sizeof(path));
    pid = listen_child(fd, 100, NULL, file);
    ck_assert_int_eq(pwr_audit_send_batch(ev, NULL, 100, path, &err), 0);
    collect(pid, file, &g);
    ck_assert_uint_eq(g.n, 100);
    got_free(&g);
    pwr_audit_keep_socket(0);
    close(fd);
    free(ev);
}
END_TEST

/* A listener that takes nothing (a hung syslog daemon): the first line it
 * cannot queue waits out the send timeout, the rest of the run is dropped
 * at once and reported, so 1,200 lines do not cost 1,200 timeouts (the
 * test case's own time limit would catch that). */
START_TEST(test_a_hung_listener_costs_one_send_timeout_not_one_per_line)
{
    char path[PWR_PATH_MAX];
    struct pwr_audit *ev = events(600);
    struct pwr_err err;
    int fd = pwr_test_bind_socket(pwr_test_dir, SOCK_DGRAM,
                                  "hung.sock", path, sizeof(path));

    pwr_audit_keep_socket(1);
    pwr_err_clear(&err);
    ck_assert_int_eq(pwr_audit_send_batch(ev, NULL, 600, path, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, strerror(EAGAIN)));
    pwr_err_clear(&err);
    ck_assert_int_eq(pwr_audit_send_batch(ev, NULL, 600, path, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "hung.sock"));
    pwr_audit_keep_socket(0);
    close(fd);
    free(ev);
}
END_TEST

START_TEST(test_a_malformed_event_fails_alone)
{
    char path[PWR_PATH_MAX], file[PWR_PATH_MAX];
    struct pwr_audit *ev = events(3);
    struct pwr_err err;
    struct got g;
    int fd = pwr_test_bind_socket(pwr_test_dir, SOCK_DGRAM,
                                  "bad.sock", path, sizeof(path));
    pid_t pid;

    ev[1].line[3] = '\n';
    file_in_tmp("bad.out", file);
    pid = listen_child(fd, 2, NULL, file);
    pwr_audit_keep_socket(1);
    ck_assert_int_eq(pwr_audit_send_batch(ev, NULL, 3, path, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "malformed"));
    collect(pid, file, &g);
    ck_assert_uint_eq(g.n, 2);
    assert_framed(g.msg[0], 85, ev[0].line);
    assert_framed(g.msg[1], 85, ev[2].line);
    got_free(&g);
    pwr_audit_keep_socket(0);
    close(fd);
    free(ev);
}
END_TEST

START_TEST(test_a_batch_to_a_stream_listener_sends_each_line_nul_terminated)
{
    char path[PWR_PATH_MAX], buf[PWR_AUDIT_LINE_MAX + 128];
    struct pwr_audit *ev = events(3);
    struct pwr_err err;
    int lfd = pwr_test_bind_socket(pwr_test_dir, SOCK_STREAM,
                                   "stream.sock", path, sizeof(path));
    int i, cfd;
    size_t got;
    ssize_t n;

    pwr_audit_keep_socket(1);
    /* each connect completes in the listen backlog */
    ck_assert_msg(pwr_audit_send_batch(ev, NULL, 3, path, &err) == 0, "%s",
                  err.msg);
    for (i = 0; i < 3; i++) {
        cfd = accept(lfd, NULL, NULL);
        ck_assert_int_ge(cfd, 0);
        got = 0;
        while ((n = read(cfd, buf + got, sizeof(buf) - 1 - got)) > 0)
            got += (size_t)n;
        ck_assert_int_eq(n, 0);
        ck_assert_uint_gt(got, 1);
        ck_assert_int_eq(buf[got - 1], '\0');
        assert_framed(buf, 85, ev[i].line);
        close(cfd);
    }
    pwr_audit_keep_socket(0);
    close(lfd);
    free(ev);
}
END_TEST

START_TEST(test_a_single_send_with_a_kept_socket_is_framed_as_before)
{
    char path[PWR_PATH_MAX], buf[PWR_AUDIT_LINE_MAX + 128];
    struct pwr_audit *ev = events(2);
    struct pwr_err err;
    int fd = pwr_test_bind_socket(pwr_test_dir, SOCK_DGRAM,
                                  "single.sock", path, sizeof(path));
    ssize_t n;

    pwr_audit_keep_socket(1);
    ck_assert_int_eq(pwr_audit_send(&ev[0], path, 1, &err), 0);
    ck_assert_int_eq(pwr_audit_send(&ev[1], path, 0, &err), 0);
    n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    assert_framed(buf, 84, ev[0].line);
    n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    assert_framed(buf, 85, ev[1].line);
    pwr_audit_keep_socket(0);
    close(fd);
    free(ev);
}
END_TEST

START_TEST(test_without_keep_socket_a_batch_leaves_no_fd_behind)
{
    char path[PWR_PATH_MAX], missing[PWR_PATH_MAX];
    struct pwr_audit *ev = events(5);
    struct pwr_err err;
    int fd = pwr_test_bind_socket(pwr_test_dir, SOCK_DGRAM,
                                  "nokeep.sock", path, sizeof(path));
    int before = pwr_test_count_fds();

    pwr_audit_keep_socket(0); /* a PAM module's host program */
    ck_assert_int_eq(pwr_audit_send_batch(ev, NULL, 5, path, &err), 0);
    file_in_tmp("nokeep-missing.sock", missing);
    ck_assert_int_eq(pwr_audit_send_batch(ev, NULL, 5, missing, &err), -1);
    ck_assert_int_eq(pwr_audit_send(&ev[0], missing, 0, &err), -1);
    ck_assert_int_eq(pwr_test_count_fds(), before);
    close(fd);
    free(ev);
}
END_TEST

/* ---- formatting by hand ------------------------------------------------- */

START_TEST(test_integers_are_written_exactly_as_printf_would)
{
    static const long long values[] = {
        0, 1, -1, 9, 10, -10, 65534, 4294967295LL, -2147483648LL,
        1795323188, 9223372036854775807LL, -9223372036854775807LL - 1,
    };
    char want[64];
    struct pwr_audit a;
    size_t i;

    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        pwr_audit_begin(&a, "e");
        pwr_audit_add_int(&a, "count", values[i]);
        snprintf(want, sizeof(want), "event=e count=%lld", values[i]);
        ck_assert_str_eq(a.line, want);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("audit_batch");
    TCase *seal = tcase_create("seal");
    TCase *snd = tcase_create("send");
    TCase *fmt = tcase_create("format");

    tcase_add_unchecked_fixture(seal, setup, pwr_test_dir_teardown);
    tcase_add_test(seal, test_a_batch_of_sealed_events_verifies_as_one_unbroken_chain);
    tcase_add_test(seal, test_the_state_holds_the_batchs_last_seq_and_mac_when_it_returns);
    tcase_add_test(seal, test_a_batch_split_across_flushes_continues_the_chain);
    tcase_add_test(seal, test_a_batch_whose_state_cannot_be_written_is_left_unsealed);
    tcase_add_test(seal, test_a_long_line_in_a_batch_is_cut_at_a_field_and_marked);
    suite_add_tcase(s, seal);
    tcase_add_unchecked_fixture(snd, setup, pwr_test_dir_teardown);
    tcase_set_timeout(snd, 30);
    tcase_add_test(snd, test_a_batch_arrives_as_one_framed_line_per_event_in_order);
    tcase_add_test(snd, test_the_state_holds_the_last_seq_before_the_first_line_is_sent);
    tcase_add_test(snd, test_the_kept_socket_reconnects_when_the_listener_restarts);
    tcase_add_test(snd, test_a_batch_with_no_listener_fails_and_says_so_then_recovers);
    tcase_add_test(snd, test_a_hung_listener_costs_one_send_timeout_not_one_per_line);
    tcase_add_test(snd, test_a_malformed_event_fails_alone);
    tcase_add_test(snd, test_a_batch_to_a_stream_listener_sends_each_line_nul_terminated);
    tcase_add_test(snd, test_a_single_send_with_a_kept_socket_is_framed_as_before);
    tcase_add_test(snd, test_without_keep_socket_a_batch_leaves_no_fd_behind);
    suite_add_tcase(s, snd);
    tcase_add_test(fmt, test_integers_are_written_exactly_as_printf_would);
    suite_add_tcase(s, fmt);
    return pwr_test_run(s);
}
