/* test_status_msg.c - unit tests of the status reply's account group
 * (lib/store/pwr_status_msg.c): every field and every flag survives the trip
 * helper -> wire -> module or CLI, and a group that is not exactly what the
 * helper writes is refused rather than half read.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pwr_secret.h"
#include "pwr_status_msg.h"
#include "testutil.h"

#define SET(dst, src) ck_assert_int_eq(pwr_strlcpy(dst, src, sizeof(dst)), 0)

/* Every member away from its zero value. */
static void full_acct(struct pwr_status_acct *a)
{
    memset(a, 0, sizeof(*a));
    SET(a->user, "alice");
    a->status = PWR_ST_BLOCKED;
    a->flags = PWR_F_MUST_CHANGE | PWR_F_TEMPORARY;
    a->has_password = 1;
    a->changed = 1700000000;
    a->temp_expires = 1700003600;
    a->code_live = 1;
    a->code_expires = 1700000600;
    a->code_tries = 3;
    a->status_changed = 1700000100;
    SET(a->reason, "security hold, 100% sure\nsecond line");
    a->created = 1600000000;
    a->login = PWR_ACCT_CHANGE;
    SET(a->login_reason, "must_change");
    SET(a->login_message, "You must choose a new password.");
    a->shadow_known = 1;
    a->shadow_locked = 1;
    a->shadow_password = 1;
    a->shadow_expires = 1800000000;
    a->shadow_last_change = 1690000000;
    a->shadow_max_days = 90;
    a->shadow_inactive_days = 7;
    a->password_expires = 1707776000;
    SET(a->notice, "password_set");
}

/* m through the wire format and back, as the helper sends it and the
 * module or the CLI receives it. */
static void over_the_wire(const struct pwr_msg *m, struct pwr_msg *out)
{
    struct pwr_err err;
    char *buf;
    size_t len;

    ck_assert_msg(pwr_msg_encode(m, &buf, &len, &err) == 0, "%s", err.msg);
    pwr_msg_init(out);
    ck_assert_msg(pwr_msg_decode(buf, len, out, &err) == 0, "%s", err.msg);
    pwr_wipe(buf, len);
    free(buf);
}

static void assert_same(const struct pwr_status_acct *x,
                        const struct pwr_status_acct *y)
{
    ck_assert_str_eq(x->user, y->user);
    ck_assert_int_eq(x->status, y->status);
    ck_assert_uint_eq(x->flags, y->flags);
    ck_assert_int_eq(x->has_password, y->has_password);
    ck_assert_int_eq(x->changed, y->changed);
    ck_assert_int_eq(x->temp_expires, y->temp_expires);
    ck_assert_int_eq(x->code_live, y->code_live);
    ck_assert_int_eq(x->code_expires, y->code_expires);
    ck_assert_uint_eq(x->code_tries, y->code_tries);
    ck_assert_int_eq(x->status_changed, y->status_changed);
    ck_assert_str_eq(x->reason, y->reason);
    ck_assert_int_eq(x->created, y->created);
    ck_assert_int_eq(x->login, y->login);
    ck_assert_str_eq(x->login_reason, y->login_reason);
    ck_assert_str_eq(x->login_message, y->login_message);
    ck_assert_int_eq(x->shadow_known, y->shadow_known);
    ck_assert_int_eq(x->shadow_locked, y->shadow_locked);
    ck_assert_int_eq(x->shadow_password, y->shadow_password);
    ck_assert_int_eq(x->shadow_expires, y->shadow_expires);
    ck_assert_int_eq(x->shadow_last_change, y->shadow_last_change);
    ck_assert_int_eq(x->shadow_max_days, y->shadow_max_days);
    ck_assert_int_eq(x->shadow_inactive_days, y->shadow_inactive_days);
    ck_assert_int_eq(x->password_expires, y->password_expires);
    ck_assert_str_eq(x->notice, y->notice);
    /* and whatever member a later change adds, the codec must carry too */
    ck_assert_int_eq(memcmp(x, y, sizeof(*x)), 0);
}

/* write -> wire -> read must give back the very same account. */
static void assert_round_trip(const struct pwr_status_acct *in)
{
    struct pwr_msg m, wire;
    struct pwr_status_acct out;
    struct pwr_err err;

    pwr_msg_init(&m);
    ck_assert_msg(pwr_status_msg_add(&m, in, &err) == 0, "%s", err.msg);
    over_the_wire(&m, &wire);
    ck_assert_uint_eq(pwr_status_msg_next(&wire, 0), 0);
    ck_assert_uint_eq(pwr_status_msg_next(&wire, 1), wire.n);
    ck_assert_msg(pwr_status_msg_read(&wire, 0, wire.n, &out, &err) == 0,
                  "%s", err.msg);
    assert_same(in, &out);
    pwr_msg_free(&m);
    pwr_msg_free(&wire);
}

START_TEST(test_every_field_round_trips)
{
    struct pwr_status_acct a;

    full_acct(&a);
    assert_round_trip(&a);
}
END_TEST

START_TEST(test_zero_account_round_trips)
{
    struct pwr_status_acct a;

    memset(&a, 0, sizeof(a));
    SET(a.user, "bob");
    assert_round_trip(&a);
}
END_TEST

START_TEST(test_extreme_numbers_and_longest_texts_round_trip)
{
    struct pwr_status_acct a;

    full_acct(&a);
    a.changed = INT64_MAX;
    a.temp_expires = INT64_MIN;
    a.code_tries = UINT_MAX;
    a.shadow_expires = -1;
    a.shadow_last_change = -1;
    a.shadow_max_days = -1;
    a.shadow_inactive_days = -1;
    memset(a.user, 'u', sizeof(a.user) - 1);
    memset(a.reason, 'r', sizeof(a.reason) - 1);
    memset(a.login_reason, 'l', sizeof(a.login_reason) - 1);
    memset(a.login_message, 'm', sizeof(a.login_message) - 1);
    memset(a.notice, 'n', sizeof(a.notice) - 1);
    assert_round_trip(&a);
}
END_TEST

/* Each set of flags, each status and each login decision. */
START_TEST(test_every_flag_set_status_and_decision_round_trips)
{
    struct pwr_status_acct a;
    unsigned flags = (unsigned)_i & PWR_F_ALL;

    full_acct(&a);
    if (((unsigned)_i & ~PWR_F_ALL) != 0)
        return; /* not a set of known flags */
    a.flags = flags;
    for (int st = PWR_ST_ACTIVE; st <= PWR_ST_DELETED; st++) {
        a.status = (enum pwr_status)st;
        for (int d = PWR_ACCT_ALLOW; d <= PWR_ACCT_CHANGE; d++) {
            a.login = (enum pwr_acct_decision)d;
            assert_round_trip(&a);
        }
    }
}
END_TEST

/* Every flag has its own word, which reads back as that flag alone; the
 * store's record writes the same words. */
START_TEST(test_each_flag_has_one_word_shared_with_the_store)
{
    char words[PWR_FLAGS_TEXT_MAX], line[PWR_RECORD_LINE_MAX], want[64];
    struct pwr_record rec;

    for (unsigned bit = 1; bit != 0; bit <<= 1) {
        unsigned back = 0;
        int n = pwr_flags_format(bit, words, sizeof(words));

        if (!(bit & PWR_F_ALL)) {
            ck_assert_int_eq(n, -1);
            continue;
        }
        ck_assert_int_gt(n, 0);
        ck_assert_ptr_null(strchr(words, ','));
        ck_assert_int_eq(pwr_flags_parse(words, (size_t)n, &back), 0);
        ck_assert_uint_eq(back, bit);
        pwr_record_init(&rec, "alice");
        rec.flags = bit;
        ck_assert_int_gt(pwr_record_format(&rec, line, sizeof(line)), 0);
        snprintf(want, sizeof(want), " flags=%s\n", words);
        ck_assert_ptr_nonnull(strstr(line, want));
    }
    ck_assert_int_eq(pwr_flags_format(0, words, sizeof(words)), 0);
    ck_assert_str_eq(words, "");
    ck_assert_int_eq(pwr_flags_format(PWR_F_ALL, words, sizeof(words)),
                     (int)strlen("must_change,temporary"));
    ck_assert_str_eq(words, "must_change,temporary");
    ck_assert_int_eq(pwr_flags_format(PWR_F_ALL, words, 4), -1);
}
END_TEST

/* The keys, in the order pwreset-helper(8) lists and callers expect. */
START_TEST(test_keys_are_written_in_their_fixed_order)
{
    static const char *const want[] = {
        "user", "status", "flags", "has_password", "changed",
        "temp_expires", "code", "code_expires", "code_tries",
        "status_changed", "reason", "created", "login", "login_reason",
        "login_message", "shadow_known", "shadow_locked", "shadow_password",
        "shadow_expires", "shadow_last_change", "shadow_max_days",
        "shadow_inactive_days", "password_expires", "notice",
    };
    struct pwr_status_acct a;
    struct pwr_msg m;
    struct pwr_err err;

    full_acct(&a);
    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_status_msg_add(&m, &a, &err), 0);
    ck_assert_uint_eq(m.n, PWR_ARRAY_SIZE(want));
    for (size_t i = 0; i < m.n; i++)
        ck_assert_str_eq(m.fields[i].key, want[i]);
    ck_assert_str_eq(pwr_msg_get(&m, "status"), "blocked");
    ck_assert_str_eq(pwr_msg_get(&m, "flags"), "must_change,temporary");
    ck_assert_str_eq(pwr_msg_get(&m, "login"), "change");
    ck_assert_str_eq(pwr_msg_get(&m, "code"), "1");
    ck_assert_str_eq(pwr_msg_get(&m, "changed"), "1700000000");
    pwr_msg_free(&m);
}
END_TEST

/* The full account's group with key's value replaced (NULL: key left
 * out), or with key written twice when twice is set. */
static void group_with(struct pwr_msg *out, const char *key,
                       const char *value, int twice)
{
    struct pwr_status_acct a;
    struct pwr_msg m;
    struct pwr_err err;

    full_acct(&a);
    pwr_msg_init(&m);
    pwr_msg_init(out);
    ck_assert_int_eq(pwr_status_msg_add(&m, &a, &err), 0);
    for (size_t i = 0; i < m.n; i++) {
        const char *k = m.fields[i].key, *v = m.fields[i].value;
        int hit = strcmp(k, key) == 0;

        if (hit && twice)
            ck_assert_int_eq(pwr_msg_add(out, k, v, &err), 0);
        if (hit && value == NULL && !twice)
            continue;
        ck_assert_int_eq(
            pwr_msg_add(out, k, hit && !twice ? value : v, &err), 0);
    }
    pwr_msg_free(&m);
}

static void assert_refused(const char *key, const char *value, int twice)
{
    struct pwr_status_acct a;
    struct pwr_msg m;
    struct pwr_err err;

    group_with(&m, key, value, twice);
    memset(&a, 0x55, sizeof(a));
    ck_assert_msg(pwr_status_msg_read(&m, 0, m.n, &a, &err) == -1,
                  "%s=%s accepted", key, value ? value : "(missing)");
    ck_assert_int_eq(err.code, PWR_E_INTERNAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "status reply"));
    for (size_t i = 0; i < sizeof(a); i++)
        ck_assert_int_eq(((unsigned char *)&a)[i], 0); /* nothing half read */
    pwr_msg_free(&m);
}

/* A flag is recognised by its whole word only: text that merely contains
 * one (a future "must_change_later") must not be taken for it. */
START_TEST(test_flag_words_are_matched_whole)
{
    static const char *const bad[] = {
        "must_change_later", "xmust_change", "temporary2", "nottemporary",
        "MUST_CHANGE", "must_change,", ",temporary", "must_change,,temporary",
        "must_change,must_change", "must_change temporary", "unknown",
    };

    for (size_t i = 0; i < PWR_ARRAY_SIZE(bad); i++)
        assert_refused("flags", bad[i], 0);
}
END_TEST

START_TEST(test_each_missing_or_repeated_key_is_refused)
{
    struct pwr_status_acct a;
    struct pwr_msg m;
    struct pwr_err err;

    full_acct(&a);
    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_status_msg_add(&m, &a, &err), 0);
    for (size_t i = 0; i < m.n; i++) {
        if (i > 0) /* without "user" there is no group to read at all */
            assert_refused(m.fields[i].key, NULL, 0);
        assert_refused(m.fields[i].key, NULL, 1);
    }
    pwr_msg_free(&m);
}
END_TEST

START_TEST(test_malformed_values_are_refused)
{
    static const struct {
        const char *key, *value;
    } bad[] = {
        { "status", "frozen" },     { "status", "" },
        { "login", "maybe" },       { "login", "ALLOW" },
        { "has_password", "2" },    { "shadow_known", "" },
        { "code", "yes" },          { "changed", "" },
        { "changed", "12x" },       { "changed", " 12" },
        { "changed", "+12" },       { "changed", "99999999999999999999" },
        { "code_tries", "-1" },     { "code_tries", "4294967296" },
        { "shadow_max_days", "-" }, { "user", "" },
        { "user", "not a login" },
    };
    char longer[PWR_REASON_MAX + 1];

    for (size_t i = 0; i < PWR_ARRAY_SIZE(bad); i++)
        assert_refused(bad[i].key, bad[i].value, 0);
    memset(longer, 'r', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    assert_refused("reason", longer, 0);
}
END_TEST

START_TEST(test_a_nul_inside_a_value_is_refused)
{
    struct pwr_msg m;
    struct pwr_status_acct a;
    struct pwr_err err;

    group_with(&m, "status", "active", 0);
    for (size_t i = 0; i < m.n; i++) {
        if (strcmp(m.fields[i].key, "status") == 0) {
            m.fields[i].value[3] = '\0'; /* "act\0ve" */
        }
    }
    ck_assert_int_eq(pwr_status_msg_read(&m, 0, m.n, &a, &err), -1);
    pwr_msg_free(&m);
}
END_TEST

/* A reply frame: result and message, two accounts, a warning at the end;
 * the keys of the whole reply are left alone. */
START_TEST(test_groups_are_found_among_the_reply_keys)
{
    struct pwr_status_acct a, b, got;
    struct pwr_msg m, wire;
    struct pwr_err err;
    size_t i, j;

    full_acct(&a);
    memset(&b, 0, sizeof(b));
    SET(b.user, "bob");
    b.flags = PWR_F_TEMPORARY;
    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_msg_add(&m, "result", "ok", &err), 0);
    ck_assert_int_eq(pwr_msg_add(&m, "message", "2 account(s)", &err), 0);
    ck_assert_int_eq(pwr_status_msg_add(&m, &a, &err), 0);
    ck_assert_int_eq(pwr_status_msg_add(&m, &b, &err), 0);
    ck_assert_int_eq(pwr_msg_add(&m, "warning", "flags=must_change", &err),
                     0);
    over_the_wire(&m, &wire);
    i = pwr_status_msg_next(&wire, 0);
    ck_assert_uint_eq(i, 2);
    j = pwr_status_msg_next(&wire, i + 1);
    ck_assert_int_eq(pwr_status_msg_read(&wire, i, j, &got, &err), 0);
    assert_same(&a, &got);
    i = j;
    j = pwr_status_msg_next(&wire, i + 1);
    ck_assert_uint_eq(j, wire.n);
    ck_assert_int_eq(pwr_status_msg_read(&wire, i, j, &got, &err), 0);
    assert_same(&b, &got);
    /* not at a group's start, or past the end */
    ck_assert_int_eq(pwr_status_msg_read(&wire, 0, j, &got, &err), -1);
    ck_assert_int_eq(pwr_status_msg_read(&wire, i, wire.n + 1, &got, &err),
                     -1);
    ck_assert_int_eq(pwr_status_msg_read(&wire, wire.n, wire.n, &got, &err),
                     -1);
    pwr_msg_free(&m);
    pwr_msg_free(&wire);
}
END_TEST

/* The keys after "user" may come in any order. */
START_TEST(test_keys_in_another_order_are_read_the_same)
{
    struct pwr_status_acct a, got;
    struct pwr_msg m, reversed;
    struct pwr_err err;

    full_acct(&a);
    pwr_msg_init(&m);
    pwr_msg_init(&reversed);
    ck_assert_int_eq(pwr_status_msg_add(&m, &a, &err), 0);
    ck_assert_int_eq(pwr_msg_add(&reversed, m.fields[0].key,
                                 m.fields[0].value, &err), 0);
    for (size_t i = m.n - 1; i > 0; i--)
        ck_assert_int_eq(pwr_msg_add(&reversed, m.fields[i].key,
                                     m.fields[i].value, &err), 0);
    ck_assert_msg(pwr_status_msg_read(&reversed, 0, reversed.n, &got,
                                      &err) == 0, "%s", err.msg);
    assert_same(&a, &got);
    pwr_msg_free(&m);
    pwr_msg_free(&reversed);
}
END_TEST

START_TEST(test_writing_refuses_what_cannot_be_read_back)
{
    struct pwr_status_acct a;
    struct pwr_msg m;
    struct pwr_err err;

    full_acct(&a);
    a.flags = 0x80000000u; /* a bit no word names */
    ck_assert_uint_eq(a.flags & PWR_F_ALL, 0);
    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_status_msg_add(&m, &a, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "'flags'"));
    pwr_msg_free(&m);
    full_acct(&a);
    memset(a.notice, 'n', sizeof(a.notice)); /* no NUL */
    pwr_msg_init(&m);
    ck_assert_int_eq(pwr_status_msg_add(&m, &a, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "'notice'"));
    pwr_msg_free(&m);
}
END_TEST

START_TEST(test_login_names)
{
    ck_assert_str_eq(pwr_status_login_name(PWR_ACCT_ALLOW), "allow");
    ck_assert_str_eq(pwr_status_login_name(PWR_ACCT_DENY), "deny");
    ck_assert_str_eq(pwr_status_login_name(PWR_ACCT_CHANGE), "change");
    ck_assert_str_eq(pwr_status_login_name((enum pwr_acct_decision)42),
                     "deny");
}
END_TEST

static Suite *status_msg_suite(void)
{
    Suite *s = suite_create("status_msg");
    TCase *tc = tcase_create("round_trip");

    tcase_add_test(tc, test_every_field_round_trips);
    tcase_add_test(tc, test_zero_account_round_trips);
    tcase_add_test(tc, test_extreme_numbers_and_longest_texts_round_trip);
    tcase_add_loop_test(tc, test_every_flag_set_status_and_decision_round_trips,
                        0, (int)PWR_F_ALL + 1);
    tcase_add_test(tc, test_each_flag_has_one_word_shared_with_the_store);
    tcase_add_test(tc, test_keys_are_written_in_their_fixed_order);
    tcase_add_test(tc, test_groups_are_found_among_the_reply_keys);
    tcase_add_test(tc, test_keys_in_another_order_are_read_the_same);
    tcase_add_test(tc, test_login_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("strict");
    tcase_add_test(tc, test_flag_words_are_matched_whole);
    tcase_add_test(tc, test_each_missing_or_repeated_key_is_refused);
    tcase_add_test(tc, test_malformed_values_are_refused);
    tcase_add_test(tc, test_a_nul_inside_a_value_is_refused);
    tcase_add_test(tc, test_writing_refuses_what_cannot_be_read_back);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pwr_test_run(status_msg_suite());
}
