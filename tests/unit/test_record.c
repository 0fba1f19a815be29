/* test_record.c - unit tests of the store's record line (lib/store/pwr_record.c):
 * exact round trips of every field, and strict rejection of bad lines.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "pwr_record.h"
#include "testutil.h"

#define SET(dst, src) ck_assert_int_eq(pwr_strlcpy(dst, src, sizeof(dst)), 0)

static void full_record(struct pwr_record *r)
{
    pwr_record_init(r, "alice");
    r->status = PWR_ST_BLOCKED;
    r->flags = PWR_F_MUST_CHANGE | PWR_F_TEMPORARY;
    SET(r->hash, "$y$j9T$abc");
    r->changed = 1700000000;
    r->temp_expires = 1700003600;
    SET(r->code_hash, "$argon2id$x");
    r->code_expires = 1700000600;
    r->code_tries = 3;
    r->status_changed = 1700000100;
    SET(r->reason, "security hold");
    r->created = 1600000000;
}

/* format -> parse must give back the very same record. */
static void assert_round_trip(const struct pwr_record *in)
{
    char line[PWR_RECORD_LINE_MAX];
    struct pwr_record out;
    struct pwr_err err = { 0 };
    int n = pwr_record_format(in, line, sizeof(line));

    ck_assert_int_gt(n, 0);
    ck_assert_int_eq((int)strlen(line), n);
    ck_assert_int_eq(line[n - 1], '\n');
    ck_assert_ptr_null(memchr(line, '\n', (size_t)n - 1));
    ck_assert_msg(pwr_record_parse(line, (size_t)n - 1, &out, &err) == 0,
                  "parse failed: %s", err.msg);
    ck_assert_mem_eq(in, &out, sizeof(out));
}

START_TEST(test_full_record_has_its_documented_text)
{
    struct pwr_record r;
    char line[PWR_RECORD_LINE_MAX];

    full_record(&r);
    ck_assert_int_gt(pwr_record_format(&r, line, sizeof(line)), 0);
    ck_assert_str_eq(line,
                     "alice status=blocked flags=must_change,temporary "
                     "hash=$y$j9T$abc changed=1700000000 temp_expires=1700003600 "
                     "code=$argon2id$x code_expires=1700000600 code_tries=3 "
                     "status_changed=1700000100 reason=security%20hold "
                     "created=1600000000\n");
}
END_TEST

START_TEST(test_default_fields_are_omitted_but_status_is_written)
{
    struct pwr_record r;
    char line[PWR_RECORD_LINE_MAX];

    pwr_record_init(&r, "bob");
    ck_assert_int_eq(pwr_record_format(&r, line, sizeof(line)), 18);
    ck_assert_str_eq(line, "bob status=active\n");
    assert_round_trip(&r);
}
END_TEST

START_TEST(test_every_field_round_trips)
{
    struct pwr_record r;

    full_record(&r);
    assert_round_trip(&r);
}
END_TEST

START_TEST(test_each_field_alone_round_trips)
{
    struct pwr_record r;

    for (int i = 0; i < 11; i++) {
        pwr_record_init(&r, "carol.x-y_z$");
        switch (i) {
        case 0: r.status = PWR_ST_DELETED; break;
        case 1: r.flags = PWR_F_TEMPORARY; break;
        case 2: SET(r.hash, "$6$salt$hash"); break;
        case 3: r.changed = 1; break;
        case 4: r.temp_expires = 2; break;
        case 5: SET(r.code_hash, "c"); break;
        case 6: r.code_expires = 3; break;
        case 7: r.code_tries = 4; break;
        case 8: r.status_changed = 5; break;
        case 9: SET(r.reason, "r"); break;
        case 10: r.created = 6; break;
        }
        assert_round_trip(&r);
    }
}
END_TEST

/* The grace login count is stored, and omitted when 0. */
START_TEST(test_grace_used_round_trips_and_is_omitted_when_zero)
{
    struct pwr_record r;
    char line[PWR_RECORD_LINE_MAX];

    pwr_record_init(&r, "dora");
    r.flags = PWR_F_MUST_CHANGE;
    r.grace_used = 2;
    ck_assert_int_gt(pwr_record_format(&r, line, sizeof(line)), 0);
    ck_assert_ptr_nonnull(strstr(line, " grace_used=2"));
    assert_round_trip(&r);
    r.grace_used = 0;
    ck_assert_int_gt(pwr_record_format(&r, line, sizeof(line)), 0);
    ck_assert_ptr_null(strstr(line, "grace_used"));
}
END_TEST

START_TEST(test_all_statuses_and_flag_sets_round_trip)
{
    struct pwr_record r;

    for (int st = PWR_ST_ACTIVE; st <= PWR_ST_DELETED; st++) {
        for (unsigned f = 0; f < 4; f++) {
            pwr_record_init(&r, "dave");
            r.status = (enum pwr_status)st;
            r.flags = f;
            assert_round_trip(&r);
        }
    }
}
END_TEST

START_TEST(test_hostile_reason_round_trips_on_one_line)
{
    static const char hostile[] = "blocked by admin: 100% sure\nend 0\r\t"
                                  "key=value \x7f\x80\xff\xc3\x28 %41 %";
    struct pwr_record r;
    char line[PWR_RECORD_LINE_MAX];
    int n;

    pwr_record_init(&r, "eve");
    memcpy(r.reason, hostile, sizeof(hostile));
    assert_round_trip(&r);
    n = pwr_record_format(&r, line, sizeof(line));
    /* exactly two fields follow the login: no raw space or LF leaked */
    ck_assert_int_eq(n, (int)strlen(line));
    ck_assert_ptr_null(strchr(strchr(strchr(line, ' ') + 1, ' ') + 1, ' '));
    for (int i = 0; i < n - 1; i++)
        ck_assert_msg(((unsigned char)line[i] > 0x20 &&
                       (unsigned char)line[i] < 0x7f) || line[i] == ' ',
                      "raw byte 0x%02x at %d", (unsigned char)line[i], i);
}
END_TEST

START_TEST(test_longest_values_and_extreme_numbers_round_trip)
{
    struct pwr_record r;

    pwr_record_init(&r, "abcdefghijklmnopqrstuvwxyz012345");
    memset(r.hash, '\xff', sizeof(r.hash) - 1);
    memset(r.code_hash, ' ', sizeof(r.code_hash) - 1);
    memset(r.reason, '%', sizeof(r.reason) - 1);
    r.flags = PWR_F_MUST_CHANGE | PWR_F_TEMPORARY;
    r.status = PWR_ST_INACTIVE;
    r.changed = INT64_MAX;
    r.temp_expires = INT64_MIN;
    r.code_expires = -1;
    r.code_tries = UINT_MAX;
    r.status_changed = INT64_MAX;
    r.created = INT64_MIN;
    assert_round_trip(&r);
}
END_TEST

/* The exact text of representative records, as the store holds it: the
 * line is the on-disk format, so no change to the formatter may alter one
 * byte of it (the formatter is written for speed, not by the book). */
static const struct exact_line {
    struct pwr_record rec;
    const char *line;
} exact_lines[] = {
    { { .login = "bob" }, "bob status=active\n" },
    { { .login = "acct0000002",
        .status = PWR_ST_BLOCKED,
        .flags = PWR_F_MUST_CHANGE | PWR_F_TEMPORARY,
        .hash = "$y$j9T$kgpu2Omgv2xpW/zltw7Wv0$N2fmyeW.Ennm/vHUc2bjLzAm6ptUGO/"
                "G4L6NhP0/VC0",
        .changed = 1763800000,
        .temp_expires = -1,
        .code_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA",
        .code_expires = 1795323188,
        .code_tries = UINT_MAX,
        .status_changed = INT64_MIN,
        .reason = "100% sure\tnot a\nline",
        .created = INT64_MAX,
        .grace_used = 7,
        .history = "$6$a$b;$y$c$d",
        .notice = "force_reset",
        .notice_by = "root",
        .notice_at = 1795323188 },
      "acct0000002 status=blocked flags=must_change,temporary "
      "hash=$y$j9T$kgpu2Omgv2xpW/zltw7Wv0$N2fmyeW.Ennm/vHUc2bjLzAm6ptUGO/"
      "G4L6NhP0/VC0 changed=1763800000 temp_expires=-1 "
      "code=$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA "
      "code_expires=1795323188 code_tries=4294967295 "
      "status_changed=-9223372036854775808 "
      "reason=100%25%20sure%09not%20a%0Aline created=9223372036854775807 "
      "grace_used=7 history=$6$a$b;$y$c$d notice=force_reset notice_by=root "
      "notice_at=1795323188\n" },
    { { .login = "acct0000003",
        .flags = PWR_F_MUST_CHANGE,
        .hash = "$y$j9T$kgpu2Omgv2xpW/zltw7Wv0$N2fmyeW.Ennm/vHUc2bjLzAm6ptUGO/"
                "G4L6NhP0/VC0",
        .changed = 1763800000,
        .created = 1700000000,
        .notice = "force_reset",
        .notice_by = "root",
        .notice_at = 1795323188 },
      "acct0000003 status=active flags=must_change "
      "hash=$y$j9T$kgpu2Omgv2xpW/zltw7Wv0$N2fmyeW.Ennm/vHUc2bjLzAm6ptUGO/"
      "G4L6NhP0/VC0 changed=1763800000 created=1700000000 notice=force_reset "
      "notice_by=root notice_at=1795323188\n" },
    { { .login = "p", .status = PWR_ST_PENDING, .flags = PWR_F_TEMPORARY,
        .code_hash = "c", .code_expires = 10 },
      "p status=pending flags=temporary code=c code_expires=10\n" },
    { { .login = "m.x-y_z$", .status = PWR_ST_DELETED,
        .reason = "\x7f\x80\xff \xc3\xa9", .status_changed = -10 },
      "m.x-y_z$ status=deleted status_changed=-10 reason=%7F%80%FF%20%C3%A9\n" },
    { { .login = "i9", .status = PWR_ST_INACTIVE, .hash = "a=b,c%d;e",
        .changed = 1, .code_tries = 1, .created = 10, .grace_used = 10,
        .notice_at = -1 },
      "i9 status=inactive hash=a=b,c%25d;e changed=1 code_tries=1 created=10 "
      "grace_used=10 notice_at=-1\n" },
};

START_TEST(test_representative_records_have_their_exact_line)
{
    const struct exact_line *x = &exact_lines[_i];
    struct pwr_record back;
    struct pwr_err err = { 0 };
    char line[PWR_RECORD_LINE_MAX];
    int n;

    memset(line, 'Q', sizeof(line));
    n = pwr_record_format(&x->rec, line, sizeof(line));
    ck_assert_int_eq(n, (int)strlen(x->line));
    ck_assert_str_eq(line, x->line);
    /* nothing is written past the NUL */
    for (size_t i = (size_t)n + 1; i < sizeof(line); i++)
        ck_assert_int_eq(line[i], 'Q');
    ck_assert_msg(pwr_record_parse(x->line, (size_t)n - 1, &back, &err) == 0,
                  "parse failed: %s", err.msg);
    ck_assert_mem_eq(&back, &x->rec, sizeof(back));
}
END_TEST

START_TEST(test_format_needs_room_for_the_nul_and_wipes_a_short_buffer)
{
    struct pwr_record r;
    char line[PWR_RECORD_LINE_MAX];
    int n;

    full_record(&r);
    n = pwr_record_format(&r, line, sizeof(line));
    ck_assert_int_gt(n, 0);
    ck_assert_int_eq(pwr_record_format(&r, line, (size_t)n + 1), n);
    ck_assert_int_eq(line[n], '\0');
    for (size_t sz = 1; sz <= (size_t)n; sz++) {
        memset(line, 'Q', sizeof(line));
        ck_assert_int_eq(pwr_record_format(&r, line, sz), -1);
        for (size_t i = 0; i < sz; i++) /* no part of a value left behind */
            ck_assert_int_eq(line[i], '\0');
        ck_assert_int_eq(line[sz], 'Q'); /* nor anything past the buffer */
    }
}
END_TEST

START_TEST(test_format_refuses_a_line_over_the_limit_even_in_a_big_buffer)
{
    struct pwr_record r;
    char line[3 * PWR_RECORD_LINE_MAX];

    pwr_record_init(&r, "hal");
    memset(r.history, '%', sizeof(r.history) - 1); /* 3837 bytes encoded */
    memset(r.reason, ' ', sizeof(r.reason) - 1);   /* 765 more */
    memset(line, 'Q', sizeof(line));
    ck_assert_int_eq(pwr_record_format(&r, line, sizeof(line)), -1);
    for (size_t i = 0; i < sizeof(line); i++)
        ck_assert_int_eq(line[i], '\0');
}
END_TEST

/* A small fixed-seed generator: the same records on every run. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

/* Any bytes but NUL, short enough that the whole line always fits. */
static void random_text(char *dst, size_t size, size_t max)
{
    size_t len = (size_t)(rnd() % (max + 1));

    ck_assert_uint_lt(len, size);
    for (size_t i = 0; i < len; i++)
        dst[i] = (char)(1 + rnd() % 255);
    dst[len] = '\0';
}

static int64_t random_time(void)
{
    static const int64_t special[] = { 0, 1, -1, INT64_MIN, INT64_MAX, 10 };
    uint64_t pick = rnd() % 4;

    if (pick == 0)
        return special[rnd() % PWR_ARRAY_SIZE(special)];
    if (pick == 1)
        return (int64_t)rnd();
    return (int64_t)(rnd() % 2000000000);
}

static void random_login(char *dst)
{
    static const char more[] = "abcxyzABZ0189._-";
    size_t len = 1 + (size_t)(rnd() % PWR_LOGIN_MAX);

    dst[0] = (char)('a' + rnd() % 26); /* not a digit, '-' or '.' */
    for (size_t i = 1; i < len; i++)
        dst[i] = more[rnd() % (sizeof(more) - 1)];
    if (len > 1 && rnd() % 4 == 0)
        dst[len - 1] = '$';
    dst[len] = '\0';
}

static void random_record(struct pwr_record *r)
{
    pwr_record_init(r, NULL);
    random_login(r->login);
    r->status = (enum pwr_status)(rnd() % (PWR_ST_DELETED + 1));
    r->flags = (unsigned)(rnd() % 4);
    random_text(r->hash, sizeof(r->hash), 100);
    random_text(r->code_hash, sizeof(r->code_hash), 100);
    random_text(r->reason, sizeof(r->reason), 100);
    random_text(r->history, sizeof(r->history), 300);
    random_text(r->notice, sizeof(r->notice), sizeof(r->notice) - 1);
    random_text(r->notice_by, sizeof(r->notice_by), sizeof(r->notice_by) - 1);
    r->changed = random_time();
    r->temp_expires = random_time();
    r->code_expires = random_time();
    r->status_changed = random_time();
    r->created = random_time();
    r->notice_at = random_time();
    r->code_tries = rnd() % 2 ? 0 : (unsigned)rnd();
    r->grace_used = rnd() % 2 ? 0 : (unsigned)(rnd() % 20);
}

START_TEST(test_random_records_round_trip_to_one_canonical_line)
{
    for (int i = 0; i < 20000; i++) {
        struct pwr_record r, back;
        struct pwr_err err = { 0 };
        char line[PWR_RECORD_LINE_MAX], again[PWR_RECORD_LINE_MAX];
        int n, m;

        random_record(&r);
        n = pwr_record_format(&r, line, sizeof(line));
        ck_assert_msg(n > 0, "record %d does not format", i);
        ck_assert_msg(pwr_record_parse(line, (size_t)n - 1, &back, &err) == 0,
                      "record %d: %s", i, err.msg);
        ck_assert_msg(memcmp(&r, &back, sizeof(r)) == 0,
                      "record %d differs after a round trip", i);
        m = pwr_record_format(&back, again, sizeof(again));
        ck_assert_int_eq(m, n);
        ck_assert_mem_eq(line, again, (size_t)n);
        pwr_record_wipe(&r);
        pwr_record_wipe(&back);
    }
}
END_TEST

START_TEST(test_keys_in_another_order_are_accepted)
{
    static const char line[] = "frank created=7 status=pending changed=3";
    struct pwr_record r;
    struct pwr_err err = { 0 };

    ck_assert_int_eq(pwr_record_parse(line, strlen(line), &r, &err), 0);
    ck_assert_int_eq(r.status, PWR_ST_PENDING);
    ck_assert_int_eq(r.created, 7);
    ck_assert_int_eq(r.changed, 3);
}
END_TEST

static const struct bad_line {
    const char *line;
    size_t len;
    const char *msg;
} bad_lines[] = {
#define B(line, msg) { line, sizeof(line) - 1, msg }
    B("alice", "without fields"),
    B("alice ", "without fields"),
    B("", "without fields"),
    B("alice status=active ", "trailing space"),
    B("alice  status=active", "empty field"),
    B("alice status=active noequals", "without '='"),
    B("alice status=active bogus=1", "unknown key 'bogus'"),
    B("alice status=active =1", "unknown key ''"),
    B("alice status=active status=blocked", "duplicate key 'status'"),
    B("alice status=active hash=a hash=a", "duplicate key 'hash'"),
    B("alice changed=5", "missing key 'status'"),
    B("alice status=frozen", "key 'status'"),
    B("alice status=Active", "key 'status'"),
    B("alice status=", "key 'status'"),
    B("alice status=active flags=must_change,bogus", "key 'flags'"),
    B("alice status=active flags=must_change,must_change", "key 'flags'"),
    B("alice status=active flags=must_change,", "key 'flags'"),
    B("alice status=active flags=,temporary", "key 'flags'"),
    B("alice status=active changed=12x", "bad number for key 'changed'"),
    B("alice status=active changed=", "bad number for key 'changed'"),
    B("alice status=active changed=-0", "bad number for key 'changed'"),
    B("alice status=active created=007", "bad number for key 'created'"),
    B("alice status=active created=+7", "bad number for key 'created'"),
    B("alice status=active temp_expires=9223372036854775808", "bad number for key 'temp_expires'"),
    B("alice status=active code_tries=-1", "bad number for key 'code_tries'"),
    B("alice status=active code_tries=4294967296", "bad number for key 'code_tries'"),
    B("-alice status=active", "invalid login"),
    B("12345 status=active", "invalid login"),
    B("a/b status=active", "invalid login"),
    B("abcdefghijklmnopqrstuvwxyz0123456 status=active", "invalid login"),
    B("ali\0ce status=active", "invalid login"),
    B("alice status=active hash=%ZZ", "bad encoding in key 'hash'"),
    B("alice status=active hash=%4", "bad encoding in key 'hash'"),
    B("alice status=active reason=a%00b", "bad encoding in key 'reason'"),
    B("alice status=active reason=a\rb", "bad encoding in key 'reason'"),
    B("alice status=active reason=\xff", "bad encoding in key 'reason'"),
    B("alice status=active code=a\0b", "bad encoding in key 'code'"),
#undef B
};

START_TEST(test_bad_line_is_rejected_naming_the_problem)
{
    const struct bad_line *b = &bad_lines[_i];
    struct pwr_record r;
    struct pwr_err err = { 0 };
    size_t len = b->len;

    ck_assert_int_eq(pwr_record_parse(b->line, len, &r, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_STORE);
    ck_assert_msg(strstr(err.msg, b->msg) != NULL, "case %d: '%s' lacks '%s'",
                  _i, err.msg, b->msg);
    /* a failed parse leaves nothing behind */
    ck_assert_str_eq(r.login, "");
}
END_TEST

START_TEST(test_overlong_value_and_line_are_rejected)
{
    char line[PWR_RECORD_LINE_MAX + 16];
    struct pwr_record r;
    struct pwr_err err = { 0 };
    int n;

    n = snprintf(line, sizeof(line), "alice status=active hash=%0256d", 0);
    ck_assert_int_eq(pwr_record_parse(line, (size_t)n, &r, &err), -1);
    ck_assert_str_eq(err.msg, "value of key 'hash' too long");

    n = snprintf(line, sizeof(line), "alice status=active reason=%0256d", 0);
    ck_assert_int_eq(pwr_record_parse(line, (size_t)n, &r, &err), -1);
    ck_assert_str_eq(err.msg, "value of key 'reason' too long");

    memset(line, 'a', sizeof(line));
    memcpy(line, "alice status=active hash=", 25);
    ck_assert_int_eq(pwr_record_parse(line, PWR_RECORD_LINE_MAX - 1, &r, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "line too long"));
}
END_TEST

START_TEST(test_overlong_value_with_a_bad_escape_is_reported_as_bad_encoding)
{
    char line[PWR_RECORD_LINE_MAX];
    struct pwr_record r;
    struct pwr_err err = { 0 };
    int n;

    n = snprintf(line, sizeof(line), "alice status=active hash=%0300d%%ZZ", 0);
    ck_assert_int_eq(pwr_record_parse(line, (size_t)n, &r, &err), -1);
    ck_assert_str_eq(err.msg, "bad encoding in key 'hash'");
    n = snprintf(line, sizeof(line), "alice status=active notice=%040d", 0);
    ck_assert_int_eq(pwr_record_parse(line, (size_t)n, &r, &err), -1);
    ck_assert_str_eq(err.msg, "value of key 'notice' too long");
}
END_TEST

/* Needless escapes are legal (pwr_decode); the value is what they decode
 * to, whatever its kind. */
START_TEST(test_needlessly_escaped_values_mean_what_they_decode_to)
{
    static const char odd[] = "alice status=%61ctive flags=must%5Fchange "
                              "hash=%41b changed=%31%32 code_tries=%33";
    static const char plain[] = "alice status=active flags=must_change "
                                "hash=Ab changed=12 code_tries=3";
    struct pwr_record a, b;
    struct pwr_err err = { 0 };

    ck_assert_int_eq(pwr_record_parse(odd, strlen(odd), &a, &err), 0);
    ck_assert_int_eq(pwr_record_parse(plain, strlen(plain), &b, &err), 0);
    ck_assert_mem_eq(&a, &b, sizeof(a));
}
END_TEST

START_TEST(test_failed_parse_leaves_a_zeroed_record)
{
    static const struct pwr_record zero;
    static const char *const lines[] = {
        "alice status=active hash=abc%ZZ",
        "alice status=active reason=secret notice=12345678901234567890123456789012",
        "alice hash=secret status=bogus",
        "alice status=active hash=secret changed=x",
    };
    struct pwr_record r;
    struct pwr_err err = { 0 };

    for (size_t i = 0; i < PWR_ARRAY_SIZE(lines); i++) {
        memset(&r, 'Q', sizeof(r));
        ck_assert_int_eq(pwr_record_parse(lines[i], strlen(lines[i]), &r, &err),
                         -1);
        ck_assert_msg(memcmp(&r, &zero, sizeof(r)) == 0, "line %zu left data", i);
    }
}
END_TEST

START_TEST(test_error_never_echoes_values_or_raw_bytes)
{
    static const char line[] = "alice status=active hash=SECRET%ZZ";
    static const char key[] = "alice status=active k\x01\xff=1";
    struct pwr_record r;
    struct pwr_err err = { 0 };

    ck_assert_int_eq(pwr_record_parse(line, strlen(line), &r, &err), -1);
    ck_assert_ptr_null(strstr(err.msg, "SECRET"));
    ck_assert_int_eq(pwr_record_parse(key, strlen(key), &r, &err), -1);
    ck_assert_str_eq(err.msg, "unknown key 'k%01%FF'");
}
END_TEST

START_TEST(test_format_refuses_invalid_records_and_small_buffers)
{
    struct pwr_record r;
    char line[PWR_RECORD_LINE_MAX];

    full_record(&r);
    ck_assert_int_eq(pwr_record_format(&r, line, 40), -1);
    ck_assert_int_eq(pwr_record_format(&r, line, 0), -1);
    SET(r.login, "bad login");
    ck_assert_int_eq(pwr_record_format(&r, line, sizeof(line)), -1);
    full_record(&r);
    r.status = (enum pwr_status)42;
    ck_assert_int_eq(pwr_record_format(&r, line, sizeof(line)), -1);
    full_record(&r);
    r.flags = 0x80;
    ck_assert_int_eq(pwr_record_format(&r, line, sizeof(line)), -1);
    full_record(&r);
    memset(r.reason, 'x', sizeof(r.reason)); /* no terminating NUL */
    ck_assert_int_eq(pwr_record_format(&r, line, sizeof(line)), -1);
}
END_TEST

START_TEST(test_status_names_round_trip_and_unknown_is_refused)
{
    enum pwr_status st;

    for (int i = PWR_ST_ACTIVE; i <= PWR_ST_DELETED; i++) {
        ck_assert_int_eq(pwr_status_parse(pwr_status_name((enum pwr_status)i), &st),
                         0);
        ck_assert_int_eq(st, i);
    }
    ck_assert_str_eq(pwr_status_name(PWR_ST_INACTIVE), "inactive");
    ck_assert_int_eq(pwr_status_parse("locked", &st), -1);
    ck_assert_int_eq(pwr_status_parse("", &st), -1);
}
END_TEST

START_TEST(test_code_is_live_only_while_set_unexpired_and_under_tries)
{
    struct pwr_record r;

    pwr_record_init(&r, "gina");
    r.code_expires = 1000;
    ck_assert_int_eq(pwr_record_code_live(&r, 500, 5), 0); /* no code */
    SET(r.code_hash, "$argon2id$h");
    ck_assert_int_eq(pwr_record_code_live(&r, 500, 5), 1);
    ck_assert_int_eq(pwr_record_code_live(&r, 999, 5), 1);
    ck_assert_int_eq(pwr_record_code_live(&r, 1000, 5), 0); /* expired */
    r.code_tries = 4;
    ck_assert_int_eq(pwr_record_code_live(&r, 500, 5), 1);
    r.code_tries = 5;
    ck_assert_int_eq(pwr_record_code_live(&r, 500, 5), 0); /* used up */
    r.code_tries = 0;
    r.code_expires = 0;
    ck_assert_int_eq(pwr_record_code_live(&r, 500, 5), 0); /* no expiry */
}
END_TEST

START_TEST(test_wipe_clears_hashes)
{
    static const struct pwr_record zero;
    struct pwr_record r;

    full_record(&r);
    pwr_record_wipe(&r);
    ck_assert_mem_eq(&r, &zero, sizeof(r));
}
END_TEST

static Suite *record_suite(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("format");

    tcase_add_test(tc, test_full_record_has_its_documented_text);
    tcase_add_test(tc, test_default_fields_are_omitted_but_status_is_written);
    tcase_add_test(tc, test_every_field_round_trips);
    tcase_add_test(tc, test_each_field_alone_round_trips);
    tcase_add_test(tc, test_grace_used_round_trips_and_is_omitted_when_zero);
    tcase_add_test(tc, test_all_statuses_and_flag_sets_round_trip);
    tcase_add_test(tc, test_hostile_reason_round_trips_on_one_line);
    tcase_add_test(tc, test_longest_values_and_extreme_numbers_round_trip);
    tcase_add_test(tc, test_format_refuses_invalid_records_and_small_buffers);
    tcase_add_loop_test(tc, test_representative_records_have_their_exact_line,
                        0, (int)PWR_ARRAY_SIZE(exact_lines));
    tcase_add_test(tc, test_format_needs_room_for_the_nul_and_wipes_a_short_buffer);
    tcase_add_test(tc, test_format_refuses_a_line_over_the_limit_even_in_a_big_buffer);
    tcase_add_test(tc, test_random_records_round_trip_to_one_canonical_line);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse");
    tcase_add_test(tc, test_keys_in_another_order_are_accepted);
    tcase_add_loop_test(tc, test_bad_line_is_rejected_naming_the_problem, 0,
                        (int)PWR_ARRAY_SIZE(bad_lines));
    tcase_add_test(tc, test_overlong_value_and_line_are_rejected);
    tcase_add_test(tc, test_overlong_value_with_a_bad_escape_is_reported_as_bad_encoding);
    tcase_add_test(tc, test_needlessly_escaped_values_mean_what_they_decode_to);
    tcase_add_test(tc, test_failed_parse_leaves_a_zeroed_record);
    tcase_add_test(tc, test_error_never_echoes_values_or_raw_bytes);
    suite_add_tcase(s, tc);

    tc = tcase_create("helpers");
    tcase_add_test(tc, test_status_names_round_trip_and_unknown_is_refused);
    tcase_add_test(tc, test_code_is_live_only_while_set_unexpired_and_under_tries);
    tcase_add_test(tc, test_wipe_clears_hashes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pwr_test_run(record_suite());
}
