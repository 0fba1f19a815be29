/* test_audit.c - unit tests of lib/audit/pwr_audit_line.c: escaping, overflow, the
 * syslog datagram on datagram and stream sockets, and reading lines back
 * from rsyslog files and the journal.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <limits.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pwr_audit.h"
#include "pwr_util.h"
#include "testutil.h"

/* What pwr_audit_parse handed to its callback. */
#define MAX_FIELDS 256
struct fields {
    size_t n;
    char key[MAX_FIELDS][40];
    char *value[MAX_FIELDS];
};

static void collect(const char *key, const char *value, void *arg)
{
    struct fields *f = arg;

    ck_assert_uint_lt(f->n, MAX_FIELDS);
    ck_assert_uint_lt(strlen(key), sizeof(f->key[0]));
    memcpy(f->key[f->n], key, strlen(key) + 1);
    f->value[f->n] = strdup(value);
    ck_assert_ptr_nonnull(f->value[f->n]);
    f->n++;
}

static void fields_free(struct fields *f)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        free(f->value[i]);
    f->n = 0;
}

/* Parse text through an exact-size heap copy (no NUL after it), so the
 * sanitizers catch any read past len. */
static int parse_exact(const char *text, size_t len, struct fields *f)
{
    char *copy = malloc(len > 0 ? len : 1);
    int rc;

    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, len);
    if (f != NULL)
        f->n = 0;
    rc = pwr_audit_parse(copy, len, f != NULL ? collect : NULL, f);
    free(copy);
    return rc;
}

static int parse_str(const char *text, struct fields *f)
{
    return parse_exact(text, strlen(text), f);
}

/* Plain loops, one assertion: every ck_assert costs a message to the
 * Check runner, and these run in tight loops. */
static void assert_printable_line(const struct pwr_audit *a)
{
    size_t i = 0;

    ck_assert_uint_lt(a->len, sizeof(a->line));
    ck_assert_uint_eq(strlen(a->line), a->len);
    while (i < a->len && a->line[i] >= 0x20 && a->line[i] <= 0x7e)
        i++;
    ck_assert_msg(i == a->len, "byte %zu of '%s' is not printable ASCII", i,
                  a->line);
}

START_TEST(test_plain_values_are_written_bare)
{
    struct pwr_audit a;

    pwr_audit_begin(&a, "password_changed");
    pwr_audit_add(&a, "user", "alice");
    pwr_audit_add(&a, "rhost", "192.0.2.7");
    pwr_audit_add(&a, "tty", "/dev/pts/3");
    pwr_audit_add(&a, "by", "root@host-1.example.org");
    pwr_audit_add_int(&a, "actor_uid", 1000);
    ck_assert_str_eq(a.line, "event=password_changed user=alice "
                             "rhost=192.0.2.7 tty=/dev/pts/3 "
                             "by=root@host-1.example.org actor_uid=1000");
    ck_assert_uint_eq(a.len, strlen(a.line));
    ck_assert_int_eq(a.truncated, 0);
}
END_TEST

START_TEST(test_other_values_are_quoted_and_escaped)
{
    struct pwr_audit a;

    pwr_audit_begin(&a, "login_denied");
    pwr_audit_add(&a, "reason", "two words");
    pwr_audit_add(&a, "detail", "a\"b\\c\nd\x1b\xff");
    pwr_audit_add(&a, "rhost", "");
    pwr_audit_add(&a, "service", "fe80::1%eth0");
    ck_assert_str_eq(a.line, "event=login_denied reason=\"two words\" "
                             "detail=\"a\\\"b\\\\c\\x0ad\\x1b\\xff\" "
                             "rhost=\"\" service=\"fe80::1%eth0\"");
}
END_TEST

START_TEST(test_integers_are_written_in_decimal)
{
    struct pwr_audit a;
    struct fields f = { 0 };

    pwr_audit_begin(&a, "e");
    pwr_audit_add_int(&a, "count", 0);
    pwr_audit_add_int(&a, "expires", LLONG_MIN);
    pwr_audit_add_int(&a, "actor_uid", -1);
    ck_assert_str_eq(a.line, "event=e count=0 expires=-9223372036854775808 "
                             "actor_uid=-1");
    ck_assert_int_eq(parse_str(a.line, &f), 0); /* no tag: not ours */
}
END_TEST

static const char *const hostile[] = {
    "two words",
    "quote\"inside",
    "\"",
    "back\\slash",
    "\\",
    "\\x41",
    "new\nline",
    "cr\rreturn",
    "\r\n",
    "esc\x1b[31mred",
    "%n%s%x%p",
    "\xff\xfe not utf-8 \xc0\xaf",
    "bob user=root",
    "\" user=root \"",
    "x\" user=\"root",
    "user=root",
    "",
    " ",
    "=",
    "tab\there",
    "del\x7f",
    "caf\xc3\xa9",
    "pwreset[1]: event=password_changed user=root",
    "\x01\x02\x03\x1f",
};

START_TEST(test_hostile_values_round_trip_as_one_field)
{
    struct pwr_audit a;
    struct fields f = { 0 };
    char line[PWR_AUDIT_LINE_MAX + 64];
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(hostile); i++) {
        pwr_audit_begin(&a, "login_denied");
        pwr_audit_add(&a, "user", hostile[i]);
        pwr_audit_add(&a, "result", "fail");
        assert_printable_line(&a);
        ck_assert_int_eq(a.truncated, 0);
        snprintf(line, sizeof(line), "Nov 22 14:03:01 host pwreset[42]: %s",
                 a.line);
        ck_assert_int_eq(parse_str(line, &f), 1);
        ck_assert_uint_eq(f.n, 3);
        ck_assert_str_eq(f.key[0], "event");
        ck_assert_str_eq(f.value[0], "login_denied");
        ck_assert_str_eq(f.key[1], "user");
        ck_assert_msg(strcmp(f.value[1], hostile[i]) == 0,
                      "value %zu did not round-trip: %s", i, a.line);
        ck_assert_str_eq(f.key[2], "result");
        ck_assert_str_eq(f.value[2], "fail");
        fields_free(&f);
    }
}
END_TEST

/* Random bytes (no NUL) must always come back exactly, as one field. */
START_TEST(test_random_values_round_trip)
{
    struct pwr_audit a;
    struct fields f = { 0 };
    char value[200];
    uint32_t x = 2463534242u;
    int round;

    for (round = 0; round < 3000; round++) {
        size_t n = 0, len;

        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        len = x % (sizeof(value) - 1);
        while (n < len) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            value[n] = (char)(x % 255 + 1);
            n++;
        }
        value[n] = '\0';
        pwr_audit_begin(&a, "reset_code_rejected");
        pwr_audit_add(&a, "detail", value);
        assert_printable_line(&a);
        ck_assert_int_eq(pwr_audit_parse(a.line, a.len, NULL, NULL), 0);
        {
            char line[PWR_AUDIT_LINE_MAX + 32];

            snprintf(line, sizeof(line), "pwreset: %s", a.line);
            ck_assert_int_eq(parse_str(line, &f), 1);
        }
        ck_assert_uint_eq(f.n, 2);
        ck_assert_str_eq(f.value[1], value);
        fields_free(&f);
    }
}
END_TEST

START_TEST(test_bad_keys_and_null_values_are_dropped)
{
    static const char *const bad_keys[] = {
        "User", "user name", "", "user1", "user=", "us\"er", "k\xc3\xa9",
        "abcdefghijklmnopqrstuvwxyzabcdefg", /* 33 bytes */
    };
    struct pwr_audit a;
    size_t i;

    pwr_audit_begin(&a, "account_blocked");
    for (i = 0; i < PWR_ARRAY_SIZE(bad_keys); i++)
        pwr_audit_add(&a, bad_keys[i], "x");
    pwr_audit_add(&a, NULL, "x");
    pwr_audit_add(&a, "user", NULL);
    ck_assert_str_eq(a.line, "event=account_blocked");
    ck_assert_int_eq(a.truncated, 0);
    pwr_audit_add(&a, "abcdefghijklmnopqrstuvwxyzabcdef", "x"); /* 32 */
    ck_assert_str_eq(a.line,
                     "event=account_blocked abcdefghijklmnopqrstuvwxyzabcdef=x");
}
END_TEST

START_TEST(test_field_that_does_not_fit_is_dropped_and_marked)
{
    struct pwr_audit a;
    struct fields f = { 0 };
    char big[3000];
    char line[PWR_AUDIT_LINE_MAX + 32];

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    pwr_audit_begin(&a, "password_set_by_admin");
    pwr_audit_add(&a, "user", "alice");
    pwr_audit_add(&a, "detail", big);
    ck_assert_int_eq(a.truncated, 1);
    pwr_audit_add(&a, "result", "ok"); /* still fits: goes before the mark */
    pwr_audit_add(&a, "reason", big);  /* marked only once */
    ck_assert_str_eq(a.line, "event=password_set_by_admin user=alice "
                             "result=ok truncated=1");
    ck_assert_uint_eq(a.len, strlen(a.line));
    snprintf(line, sizeof(line), "pwreset[7]: %s", a.line);
    ck_assert_int_eq(parse_str(line, &f), 1);
    ck_assert_uint_eq(f.n, 4);
    ck_assert_str_eq(f.key[3], "truncated");
    fields_free(&f);
}
END_TEST

START_TEST(test_buffer_fills_exactly_and_never_overflows)
{
    /* Usable: PWR_AUDIT_LINE_MAX - 1 bytes, of which " truncated=1" (12)
     * are held back until needed. */
    size_t room = PWR_AUDIT_LINE_MAX - 1 - 12 - strlen("event=e");
    char value[PWR_AUDIT_LINE_MAX];
    struct pwr_audit a;
    size_t vlen = room - strlen(" detail=");

    memset(value, 'v', vlen);
    value[vlen] = '\0';
    pwr_audit_begin(&a, "e");
    pwr_audit_add(&a, "detail", value);
    ck_assert_int_eq(a.truncated, 0);
    ck_assert_uint_eq(a.len, PWR_AUDIT_LINE_MAX - 1 - 12);
    pwr_audit_add(&a, "x", "1");
    ck_assert_int_eq(a.truncated, 1);
    ck_assert_uint_eq(a.len, PWR_AUDIT_LINE_MAX - 1);
    ck_assert_uint_eq(strlen(a.line), a.len);
    ck_assert_str_eq(a.line + a.len - 12, " truncated=1");

    value[vlen] = 'v';
    value[vlen + 1] = '\0'; /* one byte more: does not fit */
    pwr_audit_begin(&a, "e");
    pwr_audit_add(&a, "detail", value);
    ck_assert_int_eq(a.truncated, 1);
    ck_assert_str_eq(a.line, "event=e truncated=1");
}
END_TEST

START_TEST(test_many_fields_stay_within_the_buffer)
{
    struct pwr_audit a;
    size_t i;

    pwr_audit_begin(&a, "force_password_reset_set");
    for (i = 0; i < 1000; i++) {
        pwr_audit_add(&a, "users", i % 3 ? "a,b,c" : "\"quoted\" \xff");
        assert_printable_line(&a);
    }
    ck_assert_int_eq(a.truncated, 1);
    ck_assert_str_eq(a.line + a.len - 12, " truncated=1");
    ck_assert_int_eq(strncmp(a.line, "event=force_password_reset_set ", 31), 0);
}
END_TEST

START_TEST(test_absurd_event_still_starts_the_line)
{
    char big[1500];
    struct pwr_audit a;

    memset(big, '\n', sizeof(big) - 1); /* escapes to 4 bytes each */
    big[sizeof(big) - 1] = '\0';
    pwr_audit_begin(&a, big);
    ck_assert_str_eq(a.line, "event=unknown truncated=1");
    pwr_audit_begin(&a, NULL);
    ck_assert_str_eq(a.line, "event=unknown");
}
END_TEST

/* msg must be "<PRI>Mmm dd hh:mm:ss pwreset[OURPID]: LINE", nothing more. */
static void assert_framed(const char *msg, int pri, const char *line)
{
    char re_text[160], tail[PWR_AUDIT_LINE_MAX + 64];
    regex_t re;
    size_t mlen = strlen(msg), tlen;

    snprintf(re_text, sizeof(re_text),
             "^<%d>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
             "[ 123][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] pwreset\\[",
             pri);
    ck_assert_int_eq(regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB), 0);
    ck_assert_msg(regexec(&re, msg, 0, NULL, 0) == 0, "bad frame: %s", msg);
    regfree(&re);
    snprintf(tail, sizeof(tail), " pwreset[%ld]: %s", (long)getpid(), line);
    tlen = strlen(tail);
    ck_assert_uint_gt(mlen, tlen);
    ck_assert_str_eq(msg + mlen - tlen, tail);
    ck_assert_uint_eq(mlen - tlen, strlen("<85>Nov 22 14:03:01"));
}

START_TEST(test_send_delivers_an_authpriv_datagram)
{
    char path[PWR_PATH_MAX], buf[PWR_AUDIT_LINE_MAX + 128];
    struct pwr_audit a;
    struct pwr_err err;
    struct fields f = { 0 };
    int fd = pwr_test_bind_socket(pwr_test_dir, SOCK_DGRAM,
                                  "dgram.sock", path, sizeof(path));
    ssize_t n;

    pwr_audit_begin(&a, "password_changed");
    pwr_audit_add(&a, "user", "alice");
    pwr_audit_add(&a, "rhost", "evil host\n<0>forged");
    ck_assert_msg(pwr_audit_send(&a, path, 0, &err) == 0, "%s", err.msg);
    n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    ck_assert_int_gt(n, 0);
    ck_assert_ptr_null(memchr(buf, '\0', (size_t)n)); /* no NUL, no LF */
    ck_assert_ptr_null(memchr(buf, '\n', (size_t)n));
    buf[n] = '\0';
    assert_framed(buf, 85, a.line); /* LOG_AUTHPRIV (10 << 3) | LOG_NOTICE */
    ck_assert_int_eq(parse_str(buf, &f), 1);
    ck_assert_uint_eq(f.n, 3);
    ck_assert_str_eq(f.value[2], "evil host\n<0>forged");
    fields_free(&f);

    ck_assert_int_eq(pwr_audit_send(&a, path, 1, &err), 0);
    n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    assert_framed(buf, 84, a.line); /* LOG_AUTHPRIV | LOG_WARNING */
    close(fd);
}
END_TEST

START_TEST(test_send_falls_back_to_a_stream_socket)
{
    char path[PWR_PATH_MAX], buf[PWR_AUDIT_LINE_MAX + 128];
    struct pwr_audit a;
    struct pwr_err err;
    int lfd = pwr_test_bind_socket(pwr_test_dir, SOCK_STREAM,
                                   "stream.sock", path, sizeof(path));
    int cfd;
    size_t got = 0;
    ssize_t n;

    pwr_audit_begin(&a, "account_deleted");
    pwr_audit_add(&a, "user", "bob");
    /* connect() completes in the listen backlog, so send returns before we
     * accept; it has closed its end by then, so we read up to EOF. */
    ck_assert_msg(pwr_audit_send(&a, path, 1, &err) == 0, "%s", err.msg);
    cfd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(cfd, 0);
    while ((n = read(cfd, buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)n;
    ck_assert_int_eq(n, 0);
    ck_assert_uint_gt(got, 1);
    ck_assert_int_eq(buf[got - 1], '\0'); /* framed by a trailing NUL */
    ck_assert_uint_eq(strlen(buf), got - 1);
    assert_framed(buf, 84, a.line);
    close(cfd);
    close(lfd);
}
END_TEST

START_TEST(test_send_failures_are_reported)
{
    char path[PWR_PATH_MAX], longpath[200];
    struct pwr_audit a;
    struct pwr_err err;

    pwr_audit_begin(&a, "password_changed");
    snprintf(path, sizeof(path), "%s/no-such-socket", pwr_test_dir);
    pwr_err_clear(&err);
    ck_assert_int_lt(pwr_audit_send(&a, path, 0, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "no-such-socket"));
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[0] = '/';
    longpath[sizeof(longpath) - 1] = '\0';
    ck_assert_int_lt(pwr_audit_send(&a, longpath, 0, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "too long"));
    a.len = 0;
    ck_assert_int_lt(pwr_audit_send(&a, path, 0, &err), 0);
}
END_TEST

START_TEST(test_parse_reads_rsyslog_and_journal_formats)
{
    static const char *const lines[] = {
        /* rsyslog RSYSLOG_TraditionalFileFormat; journalctl -o short */
        "Nov 22 14:03:01 host pwreset[123]: LINE\n",
        "Nov  2 04:03:01 host pwreset[123]: LINE",
        /* rsyslog RSYSLOG_FileFormat (RFC 3339 time) */
        "2026-11-22T14:03:01.123456+01:00 host pwreset[123]: LINE",
        /* journalctl -o short-iso, short-precise, short-full, short-unix */
        "2026-11-22T14:03:01+0100 host pwreset[123]: LINE",
        "Nov 22 14:03:01.123456 host pwreset[123]: LINE",
        "Sun 2026-11-22 14:03:01 CET host pwreset[123]: LINE",
        "1795438981.123456 host pwreset[123]: LINE",
        /* without a pid; and a raw datagram as we send it */
        "Nov 22 14:03:01 host pwreset: LINE\r\n",
        "<85>Nov 22 14:03:01 pwreset[9]: LINE",
        /* RFC 5424 (RSYSLOG_SyslogProtocol23Format) */
        "<85>1 2026-11-22T14:03:01.123Z host pwreset 123 - - LINE",
        "<84>1 2026-11-22T14:03:01Z host pwreset - ID7 "
        "[meta sequenceId=\"1\" x=\"a\\\"]b\"][o k=\"v\"] LINE",
        "<85>1 2026-11-22T14:03:01Z host pwreset 1 - - \xef\xbb\xbfLINE",
    };
    static const char audit[] =
        "event=reset_code_issued user=alice actor=root actor_uid=0 "
        "expires=1795442581 reason=\"phone call, ticket #42\"";
    struct fields f = { 0 };
    char text[512];
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(lines); i++) {
        const char *at = strstr(lines[i], "LINE");

        snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - lines[i]),
                 lines[i], audit, at + 4);
        ck_assert_msg(parse_str(text, &f) == 1, "not read: %s", text);
        ck_assert_uint_eq(f.n, 6);
        ck_assert_str_eq(f.key[0], "event");
        ck_assert_str_eq(f.value[0], "reset_code_issued");
        ck_assert_str_eq(f.key[5], "reason");
        ck_assert_str_eq(f.value[5], "phone call, ticket #42");
        fields_free(&f);
    }
}
END_TEST

START_TEST(test_parse_ignores_other_programs)
{
    static const char *const lines[] = {
        "Nov 22 14:03:01 host sshd[77]: Accepted password for alice",
        /* attacker-chosen text inside another program's message */
        "Nov 22 14:03:01 host sshd[77]: Invalid user pwreset[1]: "
        "event=password_changed user=root from 192.0.2.1",
        "Nov 22 14:03:01 host sshd[77]: pwreset: event=x",
        "Nov 22 14:03:01 host notpwreset[1]: event=x",
        "Nov 22 14:03:01 host pwreset2[1]: event=x",
        "Nov 22 14:03:01 host pwreset[]: event=x",
        "Nov 22 14:03:01 host pwreset[12a]: event=x",
        "Nov 22 14:03:01 host pwreset[1]x: event=x",
        "Nov 22 14:03:01 host pwreset[123",
        "Nov 22 14:03:01 host pwreset",
        "-- Boot 0123456789abcdef --",
        "-- No entries --",
        "event=password_changed user=root",
        "<85>1 2026-11-22T14:03:01Z host sshd 1 - - event=x",
        "<85>1 2026-11-22T14:03:01Z host pwresetd 1 - - event=x",
        "<85>1",
        "",
        ":",
        ": ",
        "<85>",
    };
    struct fields f = { 0 };
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(lines); i++) {
        ck_assert_msg(parse_str(lines[i], &f) == 0, "taken as ours: %s",
                      lines[i]);
        ck_assert_uint_eq(f.n, 0);
    }
    ck_assert_int_eq(pwr_audit_parse(NULL, 0, collect, &f), 0);
}
END_TEST

START_TEST(test_parse_reports_malformed_lines_of_ours)
{
    static const char *const lines[] = {
        "h pwreset[1]: hello world",
        "h pwreset[1]: ",
        "h pwreset[1]: user=alice event=x",
        "h pwreset[1]: event=x user=\"unterminated",
        "h pwreset[1]: event=x  user=a",
        "h pwreset[1]: event=x user=a\"b",
        "h pwreset[1]: event=x user=a\\b",
        "h pwreset[1]: event=x user=\"\\x41\"",
        "h pwreset[1]: event=x user=\"\\x0A\"",
        "h pwreset[1]: event=x user=\"\\x00\"",
        "h pwreset[1]: event=x user=\"\\x0\"",
        "h pwreset[1]: event=x user=\"\\q\"",
        "h pwreset[1]: event=x user=\"abc\"",
        "h pwreset[1]: event=x user=\"a\"b",
        "h pwreset[1]: event=x user=\"tab\there\"",
        "h pwreset[1]: event=x user=caf\xc3\xa9",
        "h pwreset[1]: event=",
        "h pwreset[1]: event=x user",
        "h pwreset[1]: event=x =y",
        "h pwreset[1]: event=x User=y",
        "h pwreset[1]: event=x "
        "abcdefghijklmnopqrstuvwxyzabcdefg=1",
        "h pwreset[1]: event=x user=\"",
        "h pwreset[1]: event=x user=\"\\",
        "<85>1 2026-11-22T14:03:01Z host pwreset 1 - -",
        "<85>1 2026-11-22T14:03:01Z host pwreset 1 - [unclosed event=x",
        "<85>1 2026-11-22T14:03:01Z host pwreset 1 - x event=x",
        "<85>1 2026-11-22T14:03:01Z host pwreset",
    };
    struct fields f = { 0 };
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(lines); i++) {
        ck_assert_msg(parse_str(lines[i], &f) == -1, "not -1: %s", lines[i]);
        ck_assert_msg(f.n == 0, "callback called for: %s", lines[i]);
    }
}
END_TEST

START_TEST(test_parse_never_reads_past_len)
{
    static const char good[] =
        "<85>1 2026-11-22T14:03:01Z host pwreset 1 - [a b=\"c\"] "
        "event=x user=\"a b\\x0a\" count=3";
    static const char good3164[] =
        "Nov 22 14:03:01 host pwreset[123]: event=x user=\"a\\\\b\" n=1";
    size_t n;

    /* Every prefix is parsed from an exact-size copy (ASan watches). */
    for (n = 0; n <= sizeof(good) - 1; n++) {
        int rc = parse_exact(good, n, NULL);

        ck_assert(rc >= -1 && rc <= 1);
    }
    for (n = 0; n <= sizeof(good3164) - 1; n++) {
        int rc = parse_exact(good3164, n, NULL);

        ck_assert(rc >= -1 && rc <= 1);
    }
    ck_assert_int_eq(parse_exact(good, sizeof(good) - 1, NULL), 1);
    ck_assert_int_eq(parse_exact(good3164, sizeof(good3164) - 1, NULL), 1);
    /* A line cut inside a quoted value is malformed, not a shorter value. */
    ck_assert_int_eq(parse_exact(good3164, sizeof(good3164) - 8, NULL), -1);
}
END_TEST

/* Counts fields; a malformed key or an over-long value counts as a
 * failure, checked by the caller (no ck_assert in the hot loop). */
struct tally {
    size_t fields;
    size_t bad;
};

static void check_field(const char *key, const char *value, void *arg)
{
    struct tally *t = arg;
    size_t i;

    t->fields++;
    if (key[0] == '\0' || strlen(value) >= PWR_AUDIT_LINE_MAX)
        t->bad++;
    for (i = 0; key[i] != '\0'; i++)
        if (key[i] != '_' && (key[i] < 'a' || key[i] > 'z'))
            t->bad++;
}

/* Mutations of real lines, fixed seed: results stay in {-1, 0, 1}, keys are
 * well formed, and the callback runs only for lines reported as ours. */
START_TEST(test_parse_survives_mutated_input)
{
    static const char *const seeds[] = {
        "Nov 22 14:03:01 host pwreset[123]: event=x user=\"a \\\"b\\\\ "
        "\\xff\" rhost=192.0.2.1",
        "<85>1 2026-11-22T14:03:01Z h pwreset 1 - [m a=\"\\]\"] event=y k=v",
        "2026-11-22T14:03:01+01:00 h pwreset: event=z reason=\"\"",
    };
    uint32_t x = 0x9e3779b9u;
    char buf[512];
    int round, ours = 0, wrong = 0;

    for (round = 0; round < 60000; round++) {
        const char *seed = seeds[round % PWR_ARRAY_SIZE(seeds)];
        size_t len = strlen(seed), edits, e;
        struct tally t = { 0, 0 };
        int rc;

        memcpy(buf, seed, len);
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        edits = 1 + x % 4;
        for (e = 0; e < edits; e++) {
            size_t pos;

            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            pos = (x >> 8) % (len + 1);
            if ((x & 3) == 0 && len < sizeof(buf))
                buf[len++] = (char)(x >> 16); /* append */
            else if ((x & 3) == 1 && len > 0)
                len = pos < len ? pos : len - 1; /* cut */
            else if (pos < len)
                buf[pos] = (char)(x >> 20); /* flip */
        }
        {
            char *copy = malloc(len > 0 ? len : 1);

            if (copy == NULL)
                ck_abort_msg("out of memory");
            memcpy(copy, buf, len);
            rc = pwr_audit_parse(copy, len, check_field, &t);
            free(copy);
        }
        if (rc < -1 || rc > 1 || t.bad > 0 || (rc == 1) != (t.fields > 0))
            wrong++;
        ours += rc == 1;
    }
    ck_assert_int_eq(wrong, 0);
    ck_assert_int_gt(ours, 0); /* the mutations left some lines intact */
}
END_TEST

static Suite *audit_suite(void)
{
    Suite *s = suite_create("audit");
    TCase *w = tcase_create("writer");
    TCase *snd = tcase_create("send");
    TCase *r = tcase_create("reader");

    tcase_add_test(w, test_plain_values_are_written_bare);
    tcase_add_test(w, test_other_values_are_quoted_and_escaped);
    tcase_add_test(w, test_integers_are_written_in_decimal);
    tcase_add_test(w, test_hostile_values_round_trip_as_one_field);
    tcase_add_test(w, test_random_values_round_trip);
    tcase_add_test(w, test_bad_keys_and_null_values_are_dropped);
    tcase_add_test(w, test_field_that_does_not_fit_is_dropped_and_marked);
    tcase_add_test(w, test_buffer_fills_exactly_and_never_overflows);
    tcase_add_test(w, test_many_fields_stay_within_the_buffer);
    tcase_add_test(w, test_absurd_event_still_starts_the_line);
    suite_add_tcase(s, w);

    tcase_add_unchecked_fixture(snd, pwr_test_dir_setup, pwr_test_dir_teardown);
    tcase_add_test(snd, test_send_delivers_an_authpriv_datagram);
    tcase_add_test(snd, test_send_falls_back_to_a_stream_socket);
    tcase_add_test(snd, test_send_failures_are_reported);
    suite_add_tcase(s, snd);

    tcase_add_test(r, test_parse_reads_rsyslog_and_journal_formats);
    tcase_add_test(r, test_parse_ignores_other_programs);
    tcase_add_test(r, test_parse_reports_malformed_lines_of_ours);
    tcase_add_test(r, test_parse_never_reads_past_len);
    tcase_add_test(r, test_parse_survives_mutated_input);
    suite_add_tcase(s, r);
    return s;
}

int main(void)
{
    return pwr_test_run(audit_suite());
}
