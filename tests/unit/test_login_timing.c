/* test_login_timing.c - a failed login takes the same time whatever hash
 * the account holds (issue 13 section 5): an imported descrypt, md5crypt,
 * sha512crypt, bcrypt or cheaper yescrypt hash, a native one (the configured
 * method and cost), a password longer than the method reads, or no account.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Through pwr_auth_check, the decision the module and the helper make.  The
 * configured cost is yescrypt 4 (10 to 40 ms here), several times or more
 * what each legacy hash below costs, so without padding their failures take
 * a tenth of no account's or less (descrypt: microseconds).  The cases run
 * in turn, round after round, and each keeps its fastest time, so load on
 * the machine (other builds) falls on all alike and only stretches them;
 * each must take at least 0.3 of no account's time (seen at 0.6 to 1.3 on a
 * 2-core machine at load 12; without padding sha512crypt and bcrypt take
 * under 0.1 of it, descrypt 0.0001).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pwr_decide.h"
#include "pwr_hash.h"
#include "pwr_secret.h"
#include "testutil.h"

#define WRONG "Not-The-Password-9931"

static const struct {
    const char *name, *hash;
} legacy[] = {
    /* crypt("password", "ab") */
    { "descrypt", "abJnggxhB/yWI" },
    { "md5crypt", "$1$abcdefgh$7YpFIYc5Qi5nDdWHOaefB1" },
    { "sha512crypt",
      "$6$abcdefgh$ZgxeSab7b/s1p17VNcaOCy6D.62L8GCDXSFEdsGC0avHROKskCPtzwwNQ"
      "EQ5CLAIVh/O9jpWg1.BFKUD3FcoR0" },
    { "bcrypt", "$2b$05$abcdefghijklmnopqrstuuGUnCqbfgs3htOkLrFduUjAyLBw1Rq/u" },
};

static struct pwr_config cfg;

static double seconds_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define ROUNDS 7
#define CASES 8

struct timing_case {
    const char *name;
    struct pwr_record rec;
    int has_rec;
    const char *typed;
    double best;
};

static void account(struct pwr_record *rec, const char *hash)
{
    pwr_record_init(rec, "alice");
    rec->status = PWR_ST_ACTIVE;
    pwr_strlcpy(rec->hash, hash, sizeof(rec->hash));
}

/* One failed check of c, timed; keeps the fastest. */
static void time_once(struct timing_case *c)
{
    struct pwr_auth_result res;
    double t0 = seconds_now(), t;

    pwr_auth_check(c->has_rec ? &c->rec : NULL, c->typed, &cfg, 1800000000,
                   &res);
    t = seconds_now() - t0;
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
    c->best = t < c->best ? t : c->best;
}

static void set_case(struct timing_case *c, const char *name,
                     const char *hash, const char *typed)
{
    c->name = name;
    c->has_rec = hash != NULL;
    if (hash != NULL)
        account(&c->rec, hash);
    c->typed = typed;
    c->best = 1e9;
}

START_TEST(test_a_failure_costs_the_same_whatever_the_hash)
{
    static struct timing_case c[CASES];
    struct pwr_hash_params cheap = { PWR_HASH_YESCRYPT, 1 };
    struct pwr_err err;
    char cheap_hash[PWR_HASH_MAX], native_hash[PWR_HASH_MAX];
    size_t i, n = 0;
    int r;

    ck_assert_int_eq(pwr_crypto_init(&err), 0);
    pwr_config_defaults(&cfg);
    cfg.hash.cost = 4;
    ck_assert_int_eq(pwr_hash_make("Cheaper-Secret-1", &cheap, cheap_hash, &err), 0);
    ck_assert_int_eq(pwr_hash_make("Native-Secret-1", &cfg.hash, native_hash, &err), 0);
    set_case(&c[n++], "no account", NULL, WRONG);
    for (i = 0; i < PWR_ARRAY_SIZE(legacy); i++)
        set_case(&c[n++], legacy[i].name, legacy[i].hash, WRONG);
    set_case(&c[n++], "descrypt, typed longer than 8", legacy[0].hash,
             "password1XXXXXXX");
    set_case(&c[n++], "yescrypt at cost 1", cheap_hash, WRONG);
    set_case(&c[n++], "yescrypt at the configured cost", native_hash, WRONG);
    ck_assert_uint_eq(n, CASES);
    time_once(&c[0]); /* warm up */
    c[0].best = 1e9;
    for (r = 0; r < ROUNDS; r++)
        for (i = 0; i < n; i++)
            time_once(&c[i]);
    for (i = 0; i < n; i++)
        printf("# %-32s %8.2f ms\n", c[i].name, c[i].best * 1e3);
    for (i = 1; i < n; i++)
        ck_assert_msg(c[i].best > c[0].best * 0.3,
                      "%s: a failure took %.2f ms, no account %.2f ms",
                      c[i].name, c[i].best * 1e3, c[0].best * 1e3);
    for (i = 0; i < n; i++)
        pwr_record_wipe(&c[i].rec);
}
END_TEST

START_TEST(test_a_success_is_still_a_success)
{
    struct pwr_auth_result res;
    struct pwr_record rec;

    pwr_config_defaults(&cfg);
    cfg.hash.cost = 3;
    account(&rec, legacy[0].hash);
    pwr_auth_check(&rec, "password", &cfg, 1800000000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_OK);
    pwr_auth_check(&rec, "password1XXXXXXX", &cfg, 1800000000, &res);
    ck_assert_int_eq(res.outcome, PWR_AUTH_WRONG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("login_timing");
    TCase *tc = tcase_create("timing");

    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_a_failure_costs_the_same_whatever_the_hash);
    tcase_add_test(tc, test_a_success_is_still_a_success);
    suite_add_tcase(s, tc);
    return pwr_test_run(s);
}
