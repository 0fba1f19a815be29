/* test_proto.c - Check suite for pwr_proto.c: the helper message format
 * (round trip, strict rejections, size limits) and pwr_helper_call (the
 * caller side that runs a helper program).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pwr_proto.h"
#include "testutil.h"

static void decode_fails(const char *text, size_t len)
{
    struct pwr_msg m;
    struct pwr_err err;

    pwr_err_clear(&err);
    ck_assert_int_eq(pwr_msg_decode(text, len, &m, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_USAGE);
    ck_assert_uint_eq(m.n, 0);
}

#define DECODE_FAILS(lit) decode_fails(lit, sizeof(lit) - 1)

START_TEST(test_round_trip_keeps_every_byte_and_the_order)
{
    static const char nasty[] = "a b%c\nd\te\x80\xff\"end\n";
    struct pwr_msg m, back;
    struct pwr_err err;
    char *buf;
    size_t len;

    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_msg_add(&m, "op", "status", &err), 0);
    ck_assert_int_eq(pwr_msg_add(&m, "user", "alice", &err), 0);
    ck_assert_int_eq(pwr_msg_add(&m, "password", nasty, &err), 0);
    ck_assert_int_eq(pwr_msg_add(&m, "user", "bob", &err), 0);
    ck_assert_int_eq(pwr_msg_add(&m, "empty", "", &err), 0);
    ck_assert_int_eq(pwr_msg_add(&m, "count", "42-x", &err), 0);
    ck_assert_int_eq(pwr_msg_encode(&m, &buf, &len, &err), 0);
    ck_assert_ptr_null(memchr(buf, '\t', len));
    ck_assert_int_eq(pwr_msg_decode(buf, len, &back, &err), 0);
    ck_assert_uint_eq(back.n, 6);
    ck_assert_str_eq(back.fields[0].key, "op");
    ck_assert_str_eq(pwr_msg_get(&back, "password"), nasty);
    ck_assert_str_eq(pwr_msg_get_nth(&back, "user", 0), "alice");
    ck_assert_str_eq(pwr_msg_get_nth(&back, "user", 1), "bob");
    ck_assert_ptr_null(pwr_msg_get_nth(&back, "user", 2));
    ck_assert_uint_eq(pwr_msg_count(&back, "user"), 2);
    ck_assert_str_eq(pwr_msg_get(&back, "empty"), "");
    ck_assert_str_eq(pwr_msg_get(&back, "count"), "42-x");
    ck_assert_ptr_null(pwr_msg_get(&back, "missing"));
    free(buf);
    pwr_msg_free(&m);
    pwr_msg_free(&back);
    ck_assert_uint_eq(m.n, 0);
}
END_TEST

START_TEST(test_encoded_form_is_the_documented_text)
{
    struct pwr_msg m;
    struct pwr_err err;
    char *buf;
    size_t len;
    static const char want[] = "pwreset-helper 1\nop verify\n"
                               "password a%20b%25\nend\n";

    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_msg_add(&m, "op", "verify", &err), 0);
    ck_assert_int_eq(pwr_msg_add(&m, "password", "a b%", &err), 0);
    ck_assert_int_eq(pwr_msg_encode(&m, &buf, &len, &err), 0);
    ck_assert_uint_eq(len, sizeof(want) - 1);
    ck_assert_int_eq(memcmp(buf, want, len), 0);
    free(buf);
    pwr_msg_free(&m);
}
END_TEST

START_TEST(test_bad_header_is_rejected)
{
    DECODE_FAILS("pwreset-helper 2\nend\n");
    DECODE_FAILS("pwreset-helper 1");
    DECODE_FAILS("");
    DECODE_FAILS("PWRESET-HELPER 1\nend\n");
}
END_TEST

START_TEST(test_missing_end_or_data_after_end_is_rejected)
{
    DECODE_FAILS("pwreset-helper 1\nop status\n");
    DECODE_FAILS("pwreset-helper 1\nop status\nend");
    DECODE_FAILS("pwreset-helper 1\nend\nop status\n");
    DECODE_FAILS("pwreset-helper 1\nend\n\n");
}
END_TEST

START_TEST(test_bad_keys_are_rejected)
{
    DECODE_FAILS("pwreset-helper 1\nOp status\nend\n");
    DECODE_FAILS("pwreset-helper 1\nop2 status\nend\n");
    DECODE_FAILS("pwreset-helper 1\n status\nend\n");
    DECODE_FAILS("pwreset-helper 1\nend x\nend\n");
    DECODE_FAILS("pwreset-helper 1\nabcdefghijabcdefghijabcdefghijab x\nend\n");
    DECODE_FAILS("pwreset-helper 1\nop\nend\n");
}
END_TEST

START_TEST(test_bad_values_are_rejected)
{
    DECODE_FAILS("pwreset-helper 1\nop a b\nend\n");
    DECODE_FAILS("pwreset-helper 1\nop a%zz\nend\n");
    DECODE_FAILS("pwreset-helper 1\nop a%2\nend\n");
    DECODE_FAILS("pwreset-helper 1\nop a%00b\nend\n");
    DECODE_FAILS("pwreset-helper 1\nop a\rb\nend\n");
    DECODE_FAILS("pwreset-helper 1\nop \x80\nend\n");
    decode_fails("pwreset-helper 1\nop a\0b\nend\n", 28);
}
END_TEST

START_TEST(test_longest_key_is_accepted)
{
    static const char text[] =
        "pwreset-helper 1\nabcdefghijabcdefghijabcdefghija x\nend\n";
    struct pwr_msg m;
    struct pwr_err err;

    ck_assert_int_eq(pwr_msg_decode(text, sizeof(text) - 1, &m, &err), 0);
    ck_assert_str_eq(pwr_msg_get(&m, "abcdefghijabcdefghijabcdefghija"), "x");
    pwr_msg_free(&m);
}
END_TEST

START_TEST(test_over_size_values_and_frames_are_rejected)
{
    struct pwr_msg m, back;
    struct pwr_err err;
    size_t big = PWR_PROTO_MAX / 2;
    char *value = malloc(big + 1), *buf;
    size_t len;

    ck_assert_ptr_nonnull(value);
    memset(value, 'x', big);
    value[big] = '\0';
    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_msg_add(&m, "a", value, &err), 0);
    ck_assert_int_eq(pwr_msg_encode(&m, &buf, &len, &err), 0);
    ck_assert_uint_le(len, PWR_PROTO_MAX);
    free(buf);
    /* Two halves no longer fit one frame: they travel in two. */
    ck_assert_int_eq(pwr_msg_add(&m, "b", value, &err), 0);
    ck_assert_int_eq(pwr_msg_encode(&m, &buf, &len, &err), 0);
    ck_assert_uint_gt(len, PWR_PROTO_MAX);
    ck_assert_int_eq(pwr_msg_decode(buf, len, &back, &err), 0);
    ck_assert_uint_eq(back.n, 2);
    ck_assert_str_eq(pwr_msg_get(&back, "b"), value);
    free(buf);
    pwr_msg_free(&back);
    pwr_msg_free(&m);
    /* A value of spaces triples when encoded: no frame holds it. */
    memset(value, ' ', big);
    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_msg_add(&m, "a", value, &err), 0);
    ck_assert_int_eq(pwr_msg_encode(&m, &buf, &len, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_USAGE);
    pwr_msg_free(&m);
    free(value);
    value = calloc(1, PWR_PROTO_MAX + 2);
    ck_assert_ptr_nonnull(value);
    ck_assert_int_eq(pwr_msg_decode(value, PWR_PROTO_MAX + 1, &m, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_USAGE);
    free(value);
}
END_TEST

/* 10,000 fields (a request naming 10,000 accounts) are many
 * frames, none over the limits, and come back whole and in order. */
START_TEST(test_many_fields_travel_in_frames)
{
    struct pwr_msg m, back;
    struct pwr_err err;
    size_t i, frames = 0, pos = 0, len;
    char *buf;

    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_msg_add(&m, "op", "status", &err), 0);
    for (i = 0; i < 10000; i++) {
        char user[16];

        snprintf(user, sizeof(user), "u%05zu", i);
        ck_assert_int_eq(pwr_msg_add(&m, "user", user, &err), 0);
    }
    ck_assert_int_eq(pwr_msg_encode(&m, &buf, &len, &err), 0);
    while (pos < len) {
        const char *e = memmem(buf + pos, len - pos, "\nend\n", 5);
        size_t flen, lines = 0, k;

        ck_assert_ptr_nonnull(e);
        flen = (size_t)(e - (buf + pos)) + 5;
        ck_assert_uint_le(flen, PWR_PROTO_MAX);
        for (k = pos; k < pos + flen; k++)
            lines += buf[k] == '\n';
        ck_assert_uint_le(lines - 2, PWR_PROTO_MAX_FIELDS);
        pos += flen;
        frames++;
    }
    ck_assert_uint_ge(frames, 3);
    ck_assert_int_eq(pwr_msg_decode(buf, len, &back, &err), 0);
    ck_assert_uint_eq(back.n, 10001);
    ck_assert_str_eq(back.fields[0].key, "op");
    ck_assert_str_eq(back.fields[10000].value, "u09999");
    ck_assert_uint_eq(pwr_msg_count(&back, "user"), 10000);
    ck_assert_ptr_null(pwr_msg_get(&back, "more"));
    free(buf);
    pwr_msg_free(&m);
    pwr_msg_free(&back);
}
END_TEST

START_TEST(test_frame_limits_and_markers_are_strict)
{
    static const char last_says_more[] =
        "pwreset-helper 1\nop x\nmore 1\nend\n";
    static const char more_inside[] =
        "pwreset-helper 1\nmore 1\nop x\nend\n";
    static const char two[] = "pwreset-helper 1\nop x\nmore 1\nend\n"
                              "pwreset-helper 1\nuser a\nend\n";
    static const char more_two[] = "pwreset-helper 1\nop x\nmore 2\nend\n";
    struct pwr_msg m;
    struct pwr_err err;
    size_t i, len = 0;
    char *buf = malloc(PWR_PROTO_MAX);

    DECODE_FAILS(last_says_more);
    DECODE_FAILS(more_inside);
    DECODE_FAILS(more_two);
    ck_assert_int_eq(pwr_msg_decode(two, sizeof(two) - 1, &m, &err), 0);
    ck_assert_uint_eq(m.n, 2);
    ck_assert_str_eq(pwr_msg_get(&m, "user"), "a");
    pwr_msg_free(&m);
    /* "more" is the frame marker: no field may be called that. */
    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_msg_add(&m, "more", "1", &err), -1);
    pwr_msg_free(&m);
    /* One frame of more lines than a frame may hold. */
    ck_assert_ptr_nonnull(buf);
    len = (size_t)snprintf(buf, PWR_PROTO_MAX, "pwreset-helper 1\n");
    for (i = 0; i < PWR_PROTO_MAX_FIELDS + 1; i++)
        len += (size_t)snprintf(buf + len, PWR_PROTO_MAX - len, "u x\n");
    len += (size_t)snprintf(buf + len, PWR_PROTO_MAX - len, "end\n");
    decode_fails(buf, len);
    free(buf);
}
END_TEST

START_TEST(test_add_refuses_keys_the_reader_would_refuse)
{
    struct pwr_msg m;
    struct pwr_err err;

    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_msg_add(&m, "end", "x", &err), -1);
    ck_assert_int_eq(pwr_msg_add(&m, "Key", "x", &err), -1);
    ck_assert_int_eq(pwr_msg_add(&m, "", "x", &err), -1);
    ck_assert_int_eq(pwr_msg_add(&m, "a b", "x", &err), -1);
    ck_assert_uint_eq(m.n, 0);
    pwr_msg_free(&m);
}
END_TEST

START_TEST(test_result_names_map_back_to_codes)
{
    struct pwr_msg m;
    struct pwr_err err;
    int c;

    for (c = PWR_OK; c <= PWR_E_EXISTS; c++) {
        pwr_msg_init(&m);
        ck_assert_int_eq(pwr_msg_add(&m, "result",
                                     pwr_code_name((enum pwr_code)c), &err), 0);
        ck_assert_int_eq(pwr_msg_result(&m), c);
        pwr_msg_free(&m);
    }
    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_msg_result(&m), PWR_E_INTERNAL);
    ck_assert_int_eq(pwr_msg_add(&m, "result", "bogus", &err), 0);
    ck_assert_int_eq(pwr_msg_result(&m), PWR_E_INTERNAL);
    pwr_msg_free(&m);
}
END_TEST

/* A pipe p holding len bytes of text; p[1] stays open, so a read that
 * waited for EOF would hang. */
static void pipe_holding(const char *text, size_t len, int p[2])
{
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(write(p[1], text, len), (ssize_t)len);
}

START_TEST(test_read_returns_at_end_line_without_waiting_for_eof)
{
    static const char text[] = "pwreset-helper 1\nop status\nend\n";
    struct pwr_msg m;
    struct pwr_err err;
    int p[2];

    pipe_holding(text, sizeof(text) - 1, p);
    ck_assert_int_eq(pwr_msg_read(p[0], &m, &err), 0);
    ck_assert_str_eq(pwr_msg_get(&m, "op"), "status");
    pwr_msg_free(&m);
    close(p[0]);
    close(p[1]);
}
END_TEST

START_TEST(test_read_rejects_empty_and_over_size_input)
{
    struct pwr_msg m;
    struct pwr_err err;
    char path[600], *junk;
    int p[2], fd;

    ck_assert_int_eq(pipe(p), 0);
    close(p[1]);
    ck_assert_int_eq(pwr_msg_read(p[0], &m, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_USAGE);
    close(p[0]);
    snprintf(path, sizeof(path), "%s/big", pwr_test_dir);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    ck_assert_int_ge(fd, 0);
    junk = malloc(PWR_PROTO_MAX + 100);
    ck_assert_ptr_nonnull(junk);
    memcpy(junk, "pwreset-helper 1\n", 17);
    memset(junk + 17, 'a', PWR_PROTO_MAX + 83);
    ck_assert_int_eq(write(fd, junk, PWR_PROTO_MAX + 100),
                     PWR_PROTO_MAX + 100);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(pwr_msg_read(fd, &m, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_USAGE);
    free(junk);
    close(fd);
}
END_TEST

START_TEST(test_write_then_read_round_trip_over_a_pipe)
{
    struct pwr_msg m, back;
    struct pwr_err err;
    int p[2];

    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_msg_add(&m, "secret", "s3cr3t value\n", &err), 0);
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(pwr_msg_write(p[1], &m, &err), 0);
    ck_assert_int_eq(pwr_msg_read(p[0], &back, &err), 0);
    ck_assert_str_eq(pwr_msg_get(&back, "secret"), "s3cr3t value\n");
    pwr_msg_free(&m);
    pwr_msg_free(&back);
    close(p[0]);
    close(p[1]);
}
END_TEST

/* ---- pwr_helper_call against small shell-script helpers ---------------- */

static char *fake_helper(const char *name, const char *body)
{
    static char path[700];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", pwr_test_dir, name);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "#!/bin/sh\n%s", body);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(path, 0700), 0);
    return path;
}

static void one_field(struct pwr_msg *m, const char *key, const char *value)
{
    struct pwr_err err;

    pwr_msg_init(m);
    ck_assert_int_eq(pwr_msg_add(m, key, value, &err), 0);
}

START_TEST(test_helper_call_gets_the_reply_with_clean_env_and_fds)
{
    const char *h = fake_helper("h1",
        "req=$(cat)\n"
        "env=clean; [ -n \"${PWR_PROBE+x}\" ] && env=dirty\n"
        "fd=closed; [ -e /proc/$$/fd/200 ] && fd=open\n"
        "err=$(readlink /proc/$$/fd/2)\n"
        "case \"$req\" in *'op ping'*) op=seen;; *) op=lost;; esac\n"
        "printf 'pwreset-helper 1\\nresult ok\\nmessage %s%%20%s%%20%s%%20%s\\nend\\n' "
        "$env $fd $err $op\n");
    struct pwr_msg req, rep;
    struct pwr_err err;
    int fd = open("/dev/null", O_RDONLY);

    ck_assert_int_eq(dup2(fd, 200), 200);
    ck_assert_int_eq(setenv("PWR_PROBE", "1", 1), 0);
    one_field(&req, "op", "ping");
    ck_assert_int_eq(pwr_helper_call(h, &req, &rep, &err), 0);
    ck_assert_int_eq(pwr_msg_result(&rep), PWR_OK);
    ck_assert_str_eq(pwr_msg_get(&rep, "message"), "clean closed /dev/null seen");
    pwr_msg_free(&req);
    pwr_msg_free(&rep);
    close(fd);
    close(200);
}
END_TEST

START_TEST(test_helper_call_fails_when_exit_status_and_reply_disagree)
{
    const char *h = fake_helper("h2", "cat >/dev/null\n"
        "printf 'pwreset-helper 1\\nresult ok\\nmessage x\\nend\\n'\nexit 3\n");
    struct pwr_msg req, rep;
    struct pwr_err err;

    one_field(&req, "op", "x");
    ck_assert_int_eq(pwr_helper_call(h, &req, &rep, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_INTERNAL);
    ck_assert_uint_eq(rep.n, 0);
    pwr_msg_free(&req);
}
END_TEST

START_TEST(test_helper_call_passes_error_replies_through)
{
    const char *h = fake_helper("h3", "cat >/dev/null\n"
        "printf 'pwreset-helper 1\\nresult permission\\nmessage no\\nend\\n'\n"
        "exit 3\n");
    struct pwr_msg req, rep;
    struct pwr_err err;

    one_field(&req, "op", "x");
    ck_assert_int_eq(pwr_helper_call(h, &req, &rep, &err), 0);
    ck_assert_int_eq(pwr_msg_result(&rep), PWR_E_PERM);
    ck_assert_str_eq(pwr_msg_get(&rep, "message"), "no");
    pwr_msg_free(&req);
    pwr_msg_free(&rep);
}
END_TEST

START_TEST(test_helper_call_reports_missing_crashing_and_silent_helpers)
{
    char missing[700];
    const char *crash = fake_helper("h4", "kill -9 $$\n");
    struct pwr_msg req, rep;
    struct pwr_err err;

    one_field(&req, "op", "x");
    snprintf(missing, sizeof(missing), "%s/none", pwr_test_dir);
    ck_assert_int_eq(pwr_helper_call(missing, &req, &rep, &err), -1);
    ck_assert_int_eq(pwr_helper_call(crash, &req, &rep, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "signal"));
    ck_assert_int_eq(pwr_helper_call(fake_helper("h5", "exit 0\n"), &req, &rep,
                                     &err), -1);
    pwr_msg_free(&req);
}
END_TEST

START_TEST(test_helper_that_does_not_read_cannot_kill_the_caller)
{
    const char *h = fake_helper("h6",
        "printf 'pwreset-helper 1\\nresult usage\\nmessage early\\nend\\n'\n"
        "exec 0<&-\nexit 2\n");
    struct pwr_msg req, rep;
    struct pwr_err err;
    sigset_t pending;
    char *big = malloc(PWR_PROTO_MAX / 4);
    struct sigaction old;

    ck_assert_ptr_nonnull(big);
    memset(big, 'x', PWR_PROTO_MAX / 4 - 1);
    big[PWR_PROTO_MAX / 4 - 1] = '\0';
    pwr_msg_init(&req);
    ck_assert_int_eq(pwr_msg_add(&req, "a", big, &err), 0);
    ck_assert_int_eq(pwr_msg_add(&req, "b", big, &err), 0);
    ck_assert_int_eq(pwr_msg_add(&req, "c", big, &err), 0);
    /* A host that ignores SIGCHLD must still get the exit status. */
    signal(SIGCHLD, SIG_IGN);
    ck_assert_int_eq(pwr_helper_call(h, &req, &rep, &err), 0);
    ck_assert_int_eq(pwr_msg_result(&rep), PWR_E_USAGE);
    sigpending(&pending);
    ck_assert(!sigismember(&pending, SIGPIPE));
    ck_assert_int_eq(sigaction(SIGCHLD, NULL, &old), 0);
    ck_assert(old.sa_handler == SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    pwr_msg_free(&req);
    pwr_msg_free(&rep);
    free(big);
}
END_TEST

START_TEST(test_read_takes_every_frame_then_stops_at_the_last_end)
{
    static const char text[] = "pwreset-helper 1\nop status\nmore 1\nend\n"
                               "pwreset-helper 1\nuser a\nmore 1\nend\n"
                               "pwreset-helper 1\nuser b\nend\n";
    struct pwr_msg m;
    struct pwr_err err;
    int p[2];

    pipe_holding(text, sizeof(text) - 1, p);
    ck_assert_int_eq(pwr_msg_read(p[0], &m, &err), 0);
    ck_assert_uint_eq(m.n, 3);
    ck_assert_str_eq(pwr_msg_get_nth(&m, "user", 1), "b");
    pwr_msg_free(&m);
    /* A sequence cut short after a frame that says "more" is refused. */
    ck_assert_int_eq(write(p[1], text, 36), 36);
    close(p[1]);
    ck_assert_int_eq(pwr_msg_read(p[0], &m, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_USAGE);
    close(p[0]);
}
END_TEST

static int count_frame(const struct pwr_msg *frame, void *arg,
                       struct pwr_err *err)
{
    size_t *n = arg;

    (void)err;
    ck_assert_ptr_null(pwr_msg_get(frame, "result"));
    *n += pwr_msg_count(frame, "user");
    return 0;
}

/* A reply of many frames reaches fn frame by frame; the last one,
 * with the result, is the reply; without fn they are merged. */
START_TEST(test_helper_call_streams_a_reply_of_many_frames)
{
    const char *h = fake_helper("h7", "cat >/dev/null\n"
        "i=0; while [ $i -lt 3000 ]; do\n"
        "  printf 'pwreset-helper 1\\n'\n"
        "  j=0; while [ $j -lt 10 ]; do printf 'user u%d_%d\\n' $i $j; "
        "j=$((j+1)); done\n"
        "  printf 'more 1\\nend\\n'; i=$((i+1)); done\n"
        "printf 'pwreset-helper 1\\nresult ok\\nmessage m\\nuser last\\nend\\n'\n");
    struct pwr_msg req, rep;
    struct pwr_err err;
    size_t seen = 0;

    one_field(&req, "op", "status");
    ck_assert_int_eq(pwr_helper_call_stream(h, &req, &rep, count_frame, &seen,
                                            &err), 0);
    ck_assert_uint_eq(seen, 30000);
    ck_assert_int_eq(pwr_msg_result(&rep), PWR_OK);
    ck_assert_str_eq(pwr_msg_get(&rep, "user"), "last");
    pwr_msg_free(&rep);
    ck_assert_int_eq(pwr_helper_call(h, &req, &rep, &err), 0);
    ck_assert_uint_eq(pwr_msg_count(&rep, "user"), 30001);
    ck_assert_int_eq(pwr_msg_result(&rep), PWR_OK);
    pwr_msg_free(&rep);
    pwr_msg_free(&req);
}
END_TEST

static Suite *proto_suite(void)
{
    Suite *s = suite_create("proto");
    TCase *fmt = tcase_create("format");
    TCase *call = tcase_create("helper_call");

    tcase_add_checked_fixture(fmt, pwr_test_dir_setup, pwr_test_dir_teardown);
    tcase_add_test(fmt, test_round_trip_keeps_every_byte_and_the_order);
    tcase_add_test(fmt, test_encoded_form_is_the_documented_text);
    tcase_add_test(fmt, test_bad_header_is_rejected);
    tcase_add_test(fmt, test_missing_end_or_data_after_end_is_rejected);
    tcase_add_test(fmt, test_bad_keys_are_rejected);
    tcase_add_test(fmt, test_bad_values_are_rejected);
    tcase_add_test(fmt, test_longest_key_is_accepted);
    tcase_add_test(fmt, test_over_size_values_and_frames_are_rejected);
    tcase_add_test(fmt, test_many_fields_travel_in_frames);
    tcase_add_test(fmt, test_frame_limits_and_markers_are_strict);
    tcase_add_test(fmt, test_add_refuses_keys_the_reader_would_refuse);
    tcase_add_test(fmt, test_result_names_map_back_to_codes);
    tcase_add_test(fmt, test_read_returns_at_end_line_without_waiting_for_eof);
    tcase_add_test(fmt, test_read_rejects_empty_and_over_size_input);
    tcase_add_test(fmt, test_write_then_read_round_trip_over_a_pipe);
    tcase_add_test(fmt, test_read_takes_every_frame_then_stops_at_the_last_end);
    tcase_add_checked_fixture(call, pwr_test_dir_setup, pwr_test_dir_teardown);
    tcase_add_test(call, test_helper_call_gets_the_reply_with_clean_env_and_fds);
    tcase_add_test(call, test_helper_call_fails_when_exit_status_and_reply_disagree);
    tcase_add_test(call, test_helper_call_passes_error_replies_through);
    tcase_add_test(call, test_helper_call_reports_missing_crashing_and_silent_helpers);
    tcase_add_test(call, test_helper_that_does_not_read_cannot_kill_the_caller);
    tcase_add_test(call, test_helper_call_streams_a_reply_of_many_frames);
    suite_add_tcase(s, fmt);
    suite_add_tcase(s, call);
    return s;
}

int main(void)
{
    return pwr_test_run(proto_suite());
}
