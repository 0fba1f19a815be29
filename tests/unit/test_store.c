/* test_store.c - unit tests of the credential store and its file backend
 * (lib/store/pwr_store.c, lib/store/pwr_store_file.c): format, lookups, transactions,
 * fail-closed handling of corrupt or unsafe stores, crash safety (a real
 * SIGKILL at every step of a write), concurrency, locking and scale.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pwr_store.h"
#include "testutil.h"

#define HDR "pwreset-store 1\n"

static char spath[512]; /* pwr_test_dir/store */

/* ---- helpers ------------------------------------------------------------------- */

static void path_in(char *out, size_t outsz, const char *dir, const char *name)
{
    int n = snprintf(out, outsz, "%s/%s", dir, name);

    ck_assert(n > 0 && (size_t)n < outsz);
}

static void setup(void)
{
    pwr_test_dir_setup();
    path_in(spath, sizeof(spath), pwr_test_dir, "store");
}

static void write_file(const char *path, const char *buf, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pwr_write_all(fd, buf, len), 0);
    ck_assert_int_eq(fchmod(fd, mode), 0);
    ck_assert_int_eq(close(fd), 0);
}

static void write_str(const char *path, const char *s)
{
    write_file(path, s, strlen(s), 0600);
}

/* Whole file, NUL-terminated; NULL if it does not exist. */
static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *buf = NULL;
    size_t n = 0;

    if (fd < 0) {
        ck_assert_int_eq(errno, ENOENT);
        return NULL;
    }
    ck_assert_int_eq(pwr_read_fd(fd, SIZE_MAX / 2, &buf, &n, NULL), 0);
    close(fd);
    if (len != NULL)
        *len = n;
    return buf;
}

static int exists(const char *dir, const char *name)
{
    char p[600];
    struct stat st;

    path_in(p, sizeof(p), dir, name);
    return lstat(p, &st) == 0;
}

static void assert_file_is(const char *path, const char *want)
{
    char *got = slurp(path, NULL);

    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    free(got);
}

static struct pwr_store *open_at(const char *path, unsigned timeout_ms, int create)
{
    struct pwr_store_opts opts = { .path = path, .lock_timeout_ms = timeout_ms,
                                   .create = create };
    struct pwr_err err = { 0 };
    struct pwr_store *st = NULL;

    ck_assert_msg(pwr_store_open(&st, &opts, &err) == 0, "%s", err.msg);
    return st;
}

static int lookup(const char *path, const char *login, struct pwr_record *out,
                  struct pwr_err *err)
{
    struct pwr_store *st = open_at(path, 0, 0);
    int rc = pwr_store_lookup(st, login, out, err);

    pwr_store_close(st);
    return rc;
}

/* Records to put in a transaction. */
struct puts {
    const struct pwr_record *recs;
    size_t n;
};

static int put_all(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    const struct puts *p = arg;

    for (size_t i = 0; i < p->n; i++)
        if (pwr_txn_put(txn, &p->recs[i], err) < 0)
            return -1;
    return 0;
}

static int put_one(const char *path, const char *login, int64_t changed,
                   int create, struct pwr_err *err)
{
    struct pwr_record rec;
    struct puts p = { &rec, 1 };
    struct pwr_store *st = open_at(path, 0, create);
    int rc;

    pwr_record_init(&rec, login);
    rec.changed = changed;
    rc = pwr_store_transact(st, put_all, &p, err);
    pwr_store_close(st);
    return rc;
}

/* (bench/bench_store.c keeps its own copy: the benchmarks link no test
 * code.) */
static int count_visit(const struct pwr_record *rec, void *arg,
                       struct pwr_err *err)
{
    (void)rec;
    (void)err;
    ++*(size_t *)arg;
    return 0;
}

/* A valid store of n records "<prefix><i, zero-padded to width>" with lines
 * of varied length. */
static char *gen_store(size_t n, const char *prefix, int width, size_t *len)
{
    size_t cap = 64 + n * 160, used = 0;
    char *buf = malloc(cap);
    char line[PWR_RECORD_LINE_MAX], login[PWR_LOGIN_MAX + 1];
    struct pwr_record r;

    ck_assert_ptr_nonnull(buf);
    used = (size_t)snprintf(buf, cap, "%s", HDR);
    for (size_t i = 0; i < n; i++) {
        snprintf(login, sizeof(login), "%s%0*zu", prefix, width, i);
        pwr_record_init(&r, login);
        r.changed = (int64_t)i + 1;
        snprintf(r.hash, sizeof(r.hash), "$y$j9T$%.*s", (int)(i % 7) * 9,
                 "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
        ck_assert_int_gt(pwr_record_format(&r, line, sizeof(line)), 0);
        used += (size_t)snprintf(buf + used, cap - used, "%s", line);
    }
    used += (size_t)snprintf(buf + used, cap - used, "end %zu\n", n);
    ck_assert_uint_lt(used, cap);
    *len = used;
    return buf;
}

static void write_gen_store(const char *path, size_t n, const char *prefix,
                            int width)
{
    size_t len;
    char *buf = gen_store(n, prefix, width, &len);

    write_file(path, buf, len, 0600);
    free(buf);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- basics -------------------------------------------------------------------- */

START_TEST(test_missing_store_is_not_found_and_has_no_records)
{
    struct pwr_record r;
    struct pwr_err err = { 0 };
    struct pwr_store *st = open_at(spath, 0, 0);
    size_t n = 0;

    ck_assert_int_eq(pwr_store_lookup(st, "alice", &r, &err), 0);
    ck_assert_int_eq(pwr_store_foreach(st, count_visit, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    pwr_store_close(st);
}
END_TEST

START_TEST(test_missing_directory_is_not_found_but_cannot_be_written)
{
    char p[600];
    struct pwr_record r;
    struct pwr_err err = { 0 };

    path_in(p, sizeof(p), pwr_test_dir, "nodir/store");
    ck_assert_int_eq(lookup(p, "alice", &r, &err), 0);
    ck_assert_int_eq(put_one(p, "alice", 1, 1, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_STORE);
    ck_assert_ptr_nonnull(strstr(err.msg, "directory does not exist"));
    ck_assert(!exists(pwr_test_dir, "nodir"));
}
END_TEST

START_TEST(test_transact_without_create_refuses_a_missing_store)
{
    struct pwr_err err = { 0 };

    ck_assert_int_eq(put_one(spath, "alice", 1, 0, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_STORE);
    ck_assert_ptr_nonnull(strstr(err.msg, "does not exist"));
    ck_assert(!exists(pwr_test_dir, "store"));
}
END_TEST

START_TEST(test_created_store_has_exact_format_and_mode_0600)
{
    struct pwr_record recs[3];
    struct puts p = { recs, 3 };
    struct pwr_err err = { 0 };
    struct pwr_store *st = open_at(spath, 0, 1);
    struct stat sb;
    char lock[600];

    pwr_record_init(&recs[0], "carol");
    pwr_record_init(&recs[1], "alice");
    pwr_record_init(&recs[2], "bob");
    recs[2].flags = PWR_F_MUST_CHANGE;
    ck_assert_msg(pwr_store_transact(st, put_all, &p, &err) == 0, "%s", err.msg);
    pwr_store_close(st);
    assert_file_is(spath, "pwreset-store 1\n"
                          "alice status=active\n"
                          "bob status=active flags=must_change\n"
                          "carol status=active\n"
                          "end 3\n");
    ck_assert_int_eq(stat(spath, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0600);
    path_in(lock, sizeof(lock), pwr_test_dir, "store.lock");
    ck_assert_int_eq(stat(lock, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 077, 0);
    ck_assert(!exists(pwr_test_dir, "store.tmp"));
    ck_assert(!exists(pwr_test_dir, "store.bak")); /* nothing to back up */
}
END_TEST

static int do_nothing(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    (void)txn;
    (void)arg;
    (void)err;
    return 0;
}

START_TEST(test_create_without_puts_writes_an_empty_store)
{
    struct pwr_err err = { 0 };
    struct pwr_store *st = open_at(spath, 0, 1);
    size_t n = 7;

    ck_assert_int_eq(pwr_store_transact(st, do_nothing, NULL, &err), 0);
    assert_file_is(spath, "pwreset-store 1\nend 0\n");
    ck_assert_int_eq(pwr_store_foreach(st, count_visit, &n, &err), 0);
    pwr_store_close(st);
    ck_assert_uint_eq(n, 7); /* no record visited */
}
END_TEST

START_TEST(test_lookup_finds_every_record_of_stores_of_0_to_40)
{
    char login[40];
    struct pwr_record r;
    struct pwr_err err = { 0 };

    for (size_t n = 0; n <= 40; n++) {
        write_gen_store(spath, n, "m", 2);
        for (size_t i = 0; i < n; i++) {
            snprintf(login, sizeof(login), "m%02zu", i);
            ck_assert_msg(lookup(spath, login, &r, &err) == 1, "n=%zu %s: %s", n,
                          login, err.msg);
            ck_assert_str_eq(r.login, login);
            ck_assert_int_eq(r.changed, (int64_t)i + 1);
            snprintf(login, sizeof(login), "m%02zu_", i); /* just after */
            ck_assert_int_eq(lookup(spath, login, &r, &err), 0);
        }
        ck_assert_int_eq(lookup(spath, "a", &r, &err), 0);
        ck_assert_int_eq(lookup(spath, "m", &r, &err), 0);
        ck_assert_int_eq(lookup(spath, "zz", &r, &err), 0);
    }
}
END_TEST

/* Lines of every length a record may have, in a store far larger than one
 * read: a look-up reads small windows and must widen them as needed. */
START_TEST(test_lookup_finds_records_with_lines_of_any_length)
{
    const size_t n = 300;
    size_t cap = 64 + n * PWR_RECORD_LINE_MAX, used, len;
    char *buf = malloc(cap), line[PWR_RECORD_LINE_MAX], login[16];
    struct pwr_err err = { 0 };
    struct pwr_record r;

    ck_assert_ptr_nonnull(buf);
    used = (size_t)snprintf(buf, cap, "%s", HDR);
    for (size_t i = 0; i < n; i++) {
        snprintf(login, sizeof(login), "w%03zu", i);
        pwr_record_init(&r, login);
        len = (i * 7919) % (sizeof(r.reason) - 1); /* 0 .. the longest */
        memset(r.reason, ' ', len); /* written escaped: up to 3 bytes each */
        r.reason[len] = '\0';
        ck_assert_int_gt(pwr_record_format(&r, line, sizeof(line)), 0);
        used += (size_t)snprintf(buf + used, cap - used, "%s", line);
    }
    used += (size_t)snprintf(buf + used, cap - used, "end %zu\n", n);
    ck_assert_uint_lt(used, cap);
    write_file(spath, buf, used, 0600);
    free(buf);
    for (size_t i = 0; i < n; i++) {
        snprintf(login, sizeof(login), "w%03zu", i);
        ck_assert_msg(lookup(spath, login, &r, &err) == 1, "%s: %s", login,
                      err.msg);
        ck_assert_uint_eq(strlen(r.reason), (i * 7919) % (sizeof(r.reason) - 1));
        snprintf(login, sizeof(login), "w%03zu_", i);
        ck_assert_int_eq(lookup(spath, login, &r, &err), 0);
    }
}
END_TEST

START_TEST(test_lookup_of_an_invalid_login_is_not_found)
{
    struct pwr_record r;
    struct pwr_err err = { 0 };

    write_gen_store(spath, 3, "m", 2);
    ck_assert_int_eq(lookup(spath, "../etc", &r, &err), 0);
    ck_assert_int_eq(lookup(spath, "", &r, &err), 0);
    ck_assert_int_eq(lookup(spath, "m00 status=active", &r, &err), 0);
}
END_TEST

static int count_txn_visit(struct pwr_txn *txn, const struct pwr_record *rec,
                           void *arg, struct pwr_err *err)
{
    (void)txn;
    (void)rec;
    (void)err;
    (*(size_t *)arg)++;
    return 0;
}

/* Records in the transaction's current state, as its own walk sees them. */
static size_t txn_count(struct pwr_txn *txn)
{
    struct pwr_err err;
    size_t n = 0;

    ck_assert_int_eq(pwr_txn_foreach(txn, count_txn_visit, &n, &err), 0);
    return n;
}

/* Inside one transaction: gets see earlier puts, count follows. */
static int read_own_writes(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct pwr_record r;

    (void)arg;
    ck_assert_uint_eq(txn_count(txn), 3);
    ck_assert_int_eq(pwr_txn_get(txn, "m01", &r, err), 1);
    ck_assert_int_eq(r.changed, 2);
    r.changed = 42;
    ck_assert_int_eq(pwr_txn_put(txn, &r, err), 0);
    ck_assert_int_eq(pwr_txn_get(txn, "m01", &r, err), 1);
    ck_assert_int_eq(r.changed, 42);
    ck_assert_uint_eq(txn_count(txn), 3);
    ck_assert_int_eq(pwr_txn_get(txn, "zed", &r, err), 0);
    pwr_record_init(&r, "zed");
    ck_assert_int_eq(pwr_txn_put(txn, &r, err), 0);
    r.changed = 7;
    ck_assert_int_eq(pwr_txn_put(txn, &r, err), 0); /* replace the new one */
    ck_assert_int_eq(pwr_txn_get(txn, "zed", &r, err), 1);
    ck_assert_int_eq(r.changed, 7);
    ck_assert_uint_eq(txn_count(txn), 4);
    return 0;
}

START_TEST(test_txn_get_sees_the_transactions_own_puts)
{
    struct pwr_record r;
    struct pwr_err err = { 0 };
    struct pwr_store *st;

    write_gen_store(spath, 3, "m", 2);
    st = open_at(spath, 0, 0);
    ck_assert_int_eq(pwr_store_transact(st, read_own_writes, NULL, &err), 0);
    pwr_store_close(st);
    ck_assert_int_eq(lookup(spath, "m01", &r, &err), 1);
    ck_assert_int_eq(r.changed, 42);
    ck_assert_int_eq(lookup(spath, "zed", &r, &err), 1);
    ck_assert_int_eq(r.changed, 7);
}
END_TEST

struct order_log {
    char seen[400];
};

static int log_and_touch(struct pwr_txn *txn, const struct pwr_record *rec,
                         void *arg, struct pwr_err *err)
{
    struct order_log *log = arg;
    struct pwr_record copy = *rec;
    size_t used = strlen(log->seen);

    snprintf(log->seen + used, sizeof(log->seen) - used, "%s=%lld ", rec->login,
             (long long)rec->changed);
    copy.changed += 100;
    return pwr_txn_put(txn, &copy, err); /* the visited record itself */
}

static int inserts_then_walk(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    static const char *const news[] = { "m015", "a", "zz", "m005" };
    struct pwr_record r;

    for (size_t i = 0; i < PWR_ARRAY_SIZE(news); i++) {
        pwr_record_init(&r, news[i]);
        ck_assert_int_eq(pwr_txn_put(txn, &r, err), 0);
    }
    ck_assert_int_eq(pwr_txn_get(txn, "m01", &r, err), 1);
    r.changed = 50;
    ck_assert_int_eq(pwr_txn_put(txn, &r, err), 0);
    return pwr_txn_foreach(txn, log_and_touch, arg, err);
}

START_TEST(test_txn_foreach_walks_old_and_new_records_in_login_order)
{
    struct order_log log = { "" };
    struct pwr_err err = { 0 };
    struct pwr_store *st;
    size_t n = 0;

    write_gen_store(spath, 3, "m", 2);
    st = open_at(spath, 0, 0);
    ck_assert_int_eq(pwr_store_transact(st, inserts_then_walk, &log, &err), 0);
    ck_assert_str_eq(log.seen, "a=0 m00=1 m005=0 m01=50 m015=0 m02=3 zz=0 ");
    assert_file_is(spath, "pwreset-store 1\n"
                          "a status=active changed=100\n"
                          "m00 status=active hash=$y$j9T$ changed=101\n"
                          "m005 status=active changed=100\n"
                          "m01 status=active hash=$y$j9T$012345678 changed=150\n"
                          "m015 status=active changed=100\n"
                          "m02 status=active hash=$y$j9T$0123456789abcdefgh "
                          "changed=103\n"
                          "zz status=active changed=100\n"
                          "end 7\n");
    ck_assert_int_eq(pwr_store_foreach(st, count_visit, &n, &err), 0);
    ck_assert_uint_eq(n, 7);
    pwr_store_close(st);
}
END_TEST

/* Purge: remove an old record, a new one, one not there; a
 * removed record is gone for get, count and foreach, and a put brings it
 * back. */
static int removes(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct order_log *log = arg;
    struct pwr_record r;

    pwr_record_init(&r, "new");
    ck_assert_int_eq(pwr_txn_put(txn, &r, err), 0);
    ck_assert_uint_eq(txn_count(txn), 5);
    ck_assert_int_eq(pwr_txn_remove(txn, "m01", err), 1);
    ck_assert_int_eq(pwr_txn_remove(txn, "m01", err), 0);
    ck_assert_int_eq(pwr_txn_remove(txn, "m03", err), 1);
    ck_assert_int_eq(pwr_txn_remove(txn, "new", err), 1);
    ck_assert_int_eq(pwr_txn_remove(txn, "nobody", err), 0);
    ck_assert_int_eq(pwr_txn_get(txn, "m01", &r, err), 0);
    ck_assert_int_eq(pwr_txn_get(txn, "new", &r, err), 0);
    ck_assert_uint_eq(txn_count(txn), 2);
    pwr_record_init(&r, "m03");
    r.changed = 9;
    ck_assert_int_eq(pwr_txn_put(txn, &r, err), 0); /* back again */
    ck_assert_uint_eq(txn_count(txn), 3);
    return pwr_txn_foreach(txn, log_and_touch, log, err);
}

START_TEST(test_txn_remove_drops_records_from_the_written_store)
{
    struct order_log log = { "" };
    struct pwr_record r;
    struct pwr_err err = { 0 };
    struct pwr_store *st;

    write_gen_store(spath, 4, "m", 2);
    st = open_at(spath, 0, 0);
    ck_assert_int_eq(pwr_store_transact(st, removes, &log, &err), 0);
    pwr_store_close(st);
    ck_assert_str_eq(log.seen, "m00=1 m02=3 m03=9 ");
    ck_assert_int_eq(lookup(spath, "m01", &r, &err), 0);
    ck_assert_int_eq(lookup(spath, "m03", &r, &err), 1);
    ck_assert_int_eq(r.changed, 109);
    assert_file_is(spath, "pwreset-store 1\n"
                          "m00 status=active hash=$y$j9T$ changed=101\n"
                          "m02 status=active hash=$y$j9T$0123456789abcdefgh "
                          "changed=103\n"
                          "m03 status=active changed=109\n"
                          "end 3\n");
}
END_TEST

static int put_then_fail(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    struct pwr_record r;

    (void)arg;
    pwr_record_init(&r, "m01");
    r.status = PWR_ST_BLOCKED;
    ck_assert_int_eq(pwr_txn_put(txn, &r, err), 0);
    return pwr_fail(err, PWR_E_POLICY, "callback says no");
}

START_TEST(test_failed_callback_writes_nothing_and_passes_its_error_on)
{
    struct pwr_err err = { 0 };
    struct pwr_store *st;
    size_t len;
    char *before;
    struct stat a, b;

    write_gen_store(spath, 3, "m", 2);
    before = slurp(spath, &len);
    ck_assert_int_eq(stat(spath, &a), 0);
    st = open_at(spath, 0, 0);
    ck_assert_int_eq(pwr_store_transact(st, put_then_fail, NULL, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_POLICY);
    ck_assert_str_eq(err.msg, "callback says no");
    ck_assert_int_eq(pwr_store_transact(st, do_nothing, NULL, &err), 0);
    pwr_store_close(st);
    assert_file_is(spath, before);
    ck_assert_int_eq(stat(spath, &b), 0);
    ck_assert_uint_eq(a.st_ino, b.st_ino); /* not even rewritten */
    ck_assert(!exists(pwr_test_dir, "store.tmp"));
    ck_assert(!exists(pwr_test_dir, "store.bak"));
    free(before);
}
END_TEST

START_TEST(test_backup_holds_the_previous_store)
{
    struct pwr_err err = { 0 };
    char bak[600], *first, *second;

    path_in(bak, sizeof(bak), pwr_test_dir, "store.bak");
    ck_assert_int_eq(put_one(spath, "alice", 1, 1, &err), 0);
    first = slurp(spath, NULL);
    ck_assert_int_eq(put_one(spath, "bob", 2, 0, &err), 0);
    assert_file_is(bak, first);
    second = slurp(spath, NULL);
    ck_assert_int_eq(put_one(spath, "carol", 3, 0, &err), 0);
    assert_file_is(bak, second);
    ck_assert(!exists(pwr_test_dir, "store.bak.tmp"));
    free(first);
    free(second);
}
END_TEST

START_TEST(test_stale_tmp_or_symlink_left_by_a_crash_is_replaced_safely)
{
    struct pwr_err err = { 0 };
    char tmp[600], victim[600];

    write_gen_store(spath, 3, "m", 2);
    path_in(tmp, sizeof(tmp), pwr_test_dir, "store.tmp");
    path_in(victim, sizeof(victim), pwr_test_dir, "victim");
    write_str(tmp, "half a store");
    ck_assert_int_eq(put_one(spath, "alice", 1, 0, &err), 0);
    ck_assert(!exists(pwr_test_dir, "store.tmp"));

    write_str(victim, "precious");
    ck_assert_int_eq(symlink(victim, tmp), 0);
    ck_assert_int_eq(put_one(spath, "bob", 2, 0, &err), 0);
    assert_file_is(victim, "precious");
    ck_assert(!exists(pwr_test_dir, "store.tmp"));
    ck_assert_int_eq(lookup(spath, "bob", &(struct pwr_record){ 0 }, &err), 1);
}
END_TEST

START_TEST(test_put_of_an_invalid_record_is_refused)
{
    struct pwr_err err = { 0 };
    char *before;

    write_gen_store(spath, 3, "m", 2);
    before = slurp(spath, NULL);
    ck_assert_int_eq(put_one(spath, "not valid", 1, 0, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_USAGE);
    assert_file_is(spath, before);
    free(before);
}
END_TEST

/* ---- corrupt stores -------------------------------------------------------------- */

/* long enough that the O(1) plausibility check of N does not fire first */
#define A "alice status=active changed=1700000000\n"
#define C "carol status=active changed=1700000000\n"
#define MID(x) HDR A x C "end 3\n" /* the bad line is the first probe */

static const struct corrupt {
    const char *text;
    size_t len;
    const char *msg;      /* expected in the message, after "line N: " */
    int line;
    const char *lookup;   /* a login whose lookup must see it, or NULL */
} corrupt[] = {
#define K(text, line, msg, lookup) { text, sizeof(text) - 1, msg, line, lookup }
    K("", 1, "empty file", "alice"),
    K("pwreset-store 2\n" A "end 1\n", 1, "unsupported store version", "alice"),
    K("hello\n" A "end 1\n", 1, "bad header", "alice"),
    K("pwreset-store 1\r\n" A "end 1\r\n", 1, "bad header", "alice"),
    K(HDR, 1, "'end N'", "alice"),
    K(HDR A "bob sta", 3, "no newline", "alice"),
    K(HDR A "bob status=active\n", 3, "'end N'", "alice"),
    K(HDR A "end 1\ngarbage\n", 4, "'end N'", "alice"),
    K(HDR A "end 01\n", 3, "'end N'", "alice"),
    K(HDR A "end 1", 3, "no newline", "alice"),
    K(HDR A "end 3\n", 3, "count", "alice"),
    K(HDR "end 1\n", 2, "count", "alice"),
    K(HDR A C "end 1\n", 3, "more records", NULL),
    K(HDR A "end 2\n", 3, "fewer records", NULL),
    K(MID("bob status=active\n") "x\n", 6, "'end N'", "bob"),
    K(HDR "a status=active\n" "end 1\n" "end 2\n", 4, "count", "a"),
    K(MID("end 1\n"), 3, "without '='", "end"),
    K(MID("bob status=active bogus=1\n"), 3, "unknown key 'bogus'", "bob"),
    K(MID("bob status=frozen\n"), 3, "key 'status'", "bob"),
    K(MID("bob changed=1\n"), 3, "missing key 'status'", "bob"),
    K(MID("bob status=active reason=a\0b\n"), 3, "key 'reason'", "bob"),
    K(MID("b\0b status=active\n"), 3, "invalid login", "zed"),
    K(MID("bob\n"), 3, "without fields", "zed"),
    K(MID("\n"), 3, "without fields", "zed"),
    K(MID("# a comment\n"), 3, "invalid login", "zed"),
    K(MID("-bob status=active\n"), 3, "invalid login", "zed"),
    K(MID("abcdefghijklmnopqrstuvwxyz0123456 status=active\n"), 3,
      "invalid login", "zed"),
    K(HDR A "bob status=active\nbob status=active\n" "end 3\n", 4,
      "duplicate login 'bob'", NULL),
    K(HDR "bob status=active\n" A "end 2\n", 3, "out-of-order login 'alice'", NULL),
    /* controls, both valid: 'B' sorts before 'a'; a user may be named "end" */
    K(HDR "Bob status=active\n" A "end 2\n", 0, "", NULL),
    K(HDR A "end status=active\n" "end 2\n", 0, "", NULL),
#undef K
};

static void assert_corrupt_msg(const struct pwr_err *err, int line,
                               const char *msg)
{
    char want[600];

    snprintf(want, sizeof(want), "%s: line %d: ", spath, line);
    ck_assert_int_eq(err->code, PWR_E_STORE);
    ck_assert_msg(strncmp(err->msg, want, strlen(want)) == 0 &&
                      strstr(err->msg, msg) != NULL,
                  "got '%s', want '%s...%s'", err->msg, want, msg);
}

START_TEST(test_corrupt_store_is_rejected_with_its_line_number)
{
    const struct corrupt *c = &corrupt[_i];
    struct pwr_err err = { 0 };
    struct pwr_record r;
    struct pwr_store *st;
    size_t n = 0, len;
    char *after;

    write_file(spath, c->text, c->len, 0600);
    st = open_at(spath, 0, 0);
    if (c->line == 0) { /* a control: this one is valid */
        ck_assert_int_eq(pwr_store_foreach(st, count_visit, &n, &err), 0);
        ck_assert_uint_eq(n, 2);
        pwr_store_close(st);
        return;
    }
    ck_assert_int_eq(pwr_store_foreach(st, count_visit, &n, &err), -1);
    assert_corrupt_msg(&err, c->line, c->msg);
    ck_assert_uint_eq(n, 0); /* nothing visited before the check */
    if (c->lookup != NULL) {
        ck_assert_int_eq(pwr_store_lookup(st, c->lookup, &r, &err), -1);
        assert_corrupt_msg(&err, c->line, c->msg);
    }
    ck_assert_int_eq(put_one(spath, "alice", 9, 1, &err), -1);
    assert_corrupt_msg(&err, c->line, c->msg);
    pwr_store_close(st);
    after = slurp(spath, &len);
    ck_assert_uint_eq(len, c->len);
    ck_assert_mem_eq(after, c->text, len);
    ck_assert(!exists(pwr_test_dir, "store.tmp"));
    ck_assert(!exists(pwr_test_dir, "store.bak"));
    free(after);
}
END_TEST

START_TEST(test_overlong_line_is_rejected_by_lookup_foreach_and_transact)
{
    char text[16 + 20 + 6000 + 20 + 16], xs[5001];
    struct pwr_err err = { 0 };
    struct pwr_record r;
    struct pwr_store *st;
    size_t n = 0;
    int len;

    memset(xs, 'x', sizeof(xs) - 1);
    xs[sizeof(xs) - 1] = '\0';
    len = snprintf(text, sizeof(text), "%s%sbob status=active reason=%s\n%send 3\n",
                   HDR, A, xs, C);
    write_file(spath, text, (size_t)len, 0600);
    st = open_at(spath, 0, 0);
    ck_assert_int_eq(pwr_store_lookup(st, "bob", &r, &err), -1);
    assert_corrupt_msg(&err, 3, "too long");
    ck_assert_int_eq(pwr_store_lookup(st, "alice", &r, &err), -1);
    assert_corrupt_msg(&err, 3, "too long");
    ck_assert_int_eq(pwr_store_foreach(st, count_visit, &n, &err), -1);
    assert_corrupt_msg(&err, 3, "too long");
    pwr_store_close(st);
    ck_assert_int_eq(put_one(spath, "alice", 9, 0, &err), -1);
    assert_corrupt_msg(&err, 3, "too long");
}
END_TEST

/* ---- unsafe stores --------------------------------------------------------------- */

static void assert_refused(const char *msg)
{
    struct pwr_err err = { 0 };
    struct pwr_record r;
    struct pwr_store *st = open_at(spath, 0, 1);
    size_t n = 0;

    ck_assert_int_eq(pwr_store_lookup(st, "m01", &r, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_STORE);
    ck_assert_msg(strstr(err.msg, msg) != NULL, "'%s' lacks '%s'", err.msg, msg);
    ck_assert_int_eq(pwr_store_foreach(st, count_visit, &n, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_STORE);
    ck_assert_int_eq(pwr_store_transact(st, do_nothing, NULL, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_STORE);
    pwr_store_close(st);
}

START_TEST(test_symlinked_store_is_refused)
{
    char real[600];

    path_in(real, sizeof(real), pwr_test_dir, "real");
    write_gen_store(real, 3, "m", 2);
    ck_assert_int_eq(symlink(real, spath), 0);
    assert_refused("symbolic link");
}
END_TEST

START_TEST(test_group_or_world_accessible_store_is_refused)
{
    static const mode_t modes[] = { 0640, 0604, 0620, 0602, 0610, 0601, 0644 };

    write_gen_store(spath, 3, "m", 2);
    for (size_t i = 0; i < PWR_ARRAY_SIZE(modes); i++) {
        ck_assert_int_eq(chmod(spath, modes[i]), 0);
        assert_refused("unsafe mode");
    }
}
END_TEST

START_TEST(test_store_that_is_a_directory_or_fifo_is_refused_without_hanging)
{
    ck_assert_int_eq(mkdir(spath, 0700), 0);
    assert_refused("not a regular file");
    ck_assert_int_eq(rmdir(spath), 0);
    ck_assert_int_eq(mkfifo(spath, 0600), 0);
    assert_refused("not a regular file");
}
END_TEST

START_TEST(test_group_or_world_writable_directory_is_refused)
{
    write_gen_store(spath, 3, "m", 2);
    ck_assert_int_eq(chmod(pwr_test_dir, 0770), 0);
    assert_refused("group- or world-writable");
    ck_assert_int_eq(chmod(pwr_test_dir, 0703), 0);
    assert_refused("group- or world-writable");
    ck_assert_int_eq(chmod(pwr_test_dir, 0700), 0);
}
END_TEST

START_TEST(test_lock_file_that_is_a_symlink_or_fifo_is_refused)
{
    struct pwr_err err = { 0 };
    char lock[600], victim[600];

    write_gen_store(spath, 3, "m", 2);
    path_in(lock, sizeof(lock), pwr_test_dir, "store.lock");
    path_in(victim, sizeof(victim), pwr_test_dir, "victim");
    ck_assert_int_eq(symlink(victim, lock), 0);
    ck_assert_int_eq(put_one(spath, "alice", 1, 0, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_STORE);
    ck_assert(!exists(pwr_test_dir, "victim"));
    ck_assert_int_eq(unlink(lock), 0);
    ck_assert_int_eq(mkfifo(lock, 0600), 0);
    ck_assert_int_eq(put_one(spath, "alice", 1, 0, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));
}
END_TEST

/* Only root can make files owned by someone else: registered as root only. */
START_TEST(test_store_or_directory_not_owned_by_root_is_refused)
{
    write_gen_store(spath, 3, "m", 2);
    ck_assert_int_eq(chown(spath, 1, 1), 0);
    assert_refused("owned by uid 1");
    ck_assert_int_eq(chown(spath, 0, 0), 0);
    ck_assert_int_eq(chown(pwr_test_dir, 1, 1), 0);
    assert_refused("not owned by root");
    ck_assert_int_eq(chown(pwr_test_dir, 0, 0), 0);
}
END_TEST

/* Every path, failing ones included, closes what it opened. */
START_TEST(test_no_descriptor_leaks_on_success_or_failure)
{
    struct pwr_record r;
    struct pwr_err err = { 0 };
    char other[600];
    size_t n = 0;
    int before = pwr_test_count_fds();
    struct pwr_store *st = open_at(spath, 0, 0);

    ck_assert_int_eq(pwr_store_lookup(st, "m01", &r, &err), 0); /* missing */
    ck_assert_int_eq(pwr_store_transact(st, do_nothing, NULL, &err), -1);
    write_gen_store(spath, 3, "m", 2);
    ck_assert_int_eq(pwr_store_lookup(st, "m01", &r, &err), 1);
    ck_assert_int_eq(pwr_store_foreach(st, count_visit, &n, &err), 0);
    ck_assert_int_eq(put_one(spath, "alice", 1, 0, &err), 0);
    ck_assert_int_eq(pwr_store_transact(st, put_then_fail, NULL, &err), -1);
    ck_assert_int_eq(chmod(spath, 0644), 0);
    ck_assert_int_eq(pwr_store_lookup(st, "m01", &r, &err), -1);
    ck_assert_int_eq(pwr_store_transact(st, do_nothing, NULL, &err), -1);
    write_str(spath, HDR "end 7\n");
    ck_assert_int_eq(pwr_store_lookup(st, "m01", &r, &err), -1);
    ck_assert_int_eq(pwr_store_foreach(st, count_visit, &n, &err), -1);
    ck_assert_int_eq(pwr_store_transact(st, do_nothing, NULL, &err), -1);
    pwr_store_close(st);
    path_in(other, sizeof(other), pwr_test_dir, "nodir/store");
    ck_assert_int_eq(lookup(other, "m01", &r, &err), 0);
    ck_assert_int_eq(pwr_test_count_fds(), before);
}
END_TEST

/* ---- the helper programs ---------------------------------------------------------- */

/* $top_builddir/tests/unit/NAME, else NAME beside this test program. */
static void helper_path(char *out, size_t outsz, const char *name)
{
    const char *top = getenv("top_builddir");
    char self[PATH_MAX];
    ssize_t n;

    if (top != NULL && *top != '\0') {
        ck_assert_int_lt(snprintf(out, outsz, "%s/tests/unit/%s", top, name),
                         (int)outsz);
        return;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    ck_assert_int_gt(n, 0);
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    ck_assert_int_lt(snprintf(out, outsz, "%s/%s", self, name), (int)outsz);
}

static void set_asan_link_order_off(void)
{
    const char *old = getenv("ASAN_OPTIONS");
    char opts[512];

    snprintf(opts, sizeof(opts), "%s%sverify_asan_link_order=0", old ? old : "",
             old && *old ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
}

/* Run store_writer STORE MODE, under the shim when kill_at or stats. */
static int run_writer(const char *store, const char *mode, unsigned long kill_at,
                      const char *stats)
{
    char writer[PATH_MAX], shim[PATH_MAX], num[32];
    int status;
    pid_t pid;

    helper_path(writer, sizeof(writer), "store_writer");
    helper_path(shim, sizeof(shim), ".libs/fsshim.so");
    ck_assert_msg(access(shim, R_OK) == 0, "no shim at %s", shim);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        snprintf(num, sizeof(num), "%lu", kill_at);
        if (kill_at != 0 || stats != NULL) {
            setenv("LD_PRELOAD", shim, 1);
            setenv("PWR_KILL_AT", num, 1);
            set_asan_link_order_off();
        }
        if (stats != NULL)
            setenv("PWR_SHIM_STATS", stats, 1);
        execl(writer, "store_writer", store, mode, (char *)NULL);
        _exit(127);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

/* ---- crash safety ----------------------------------------------------------------- */

struct crash_run {
    const char *mode;
    const char *old;  /* store before, or NULL for none */
    char *new;        /* store after an unkilled run */
    int saw_old, saw_new;
};

static void crash_case_dir(char *out, size_t outsz, const char *name,
                           const struct crash_run *cr)
{
    path_in(out, outsz, pwr_test_dir, name);
    ck_assert_int_eq(mkdir(out, 0700), 0);
    if (cr->old != NULL) {
        char p[700];

        path_in(p, sizeof(p), out, "store");
        write_str(p, cr->old);
    }
}

/* After a kill: the store is old or new, never neither or a mix; the lock
 * is free again and the next writer finishes the job. */
static void check_after_kill(struct crash_run *cr, const char *dir)
{
    char p[700], bak[700];
    char *cur, *b;
    int status;

    path_in(p, sizeof(p), dir, "store");
    path_in(bak, sizeof(bak), dir, "store.bak");
    cur = slurp(p, NULL);
    if (cur == NULL) {
        ck_assert_ptr_null(cr->old);
        cr->saw_old++;
    } else if (cr->old != NULL && strcmp(cur, cr->old) == 0) {
        cr->saw_old++;
    } else {
        ck_assert_str_eq(cur, cr->new);
        cr->saw_new++;
    }
    b = slurp(bak, NULL);
    if (b != NULL) {
        ck_assert_ptr_nonnull(cr->old); /* a new store has no backup */
        ck_assert_str_eq(b, cr->old);
    }
    free(cur);
    free(b);
    status = run_writer(p, cr->mode, 0, NULL);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_file_is(p, cr->new);
}

static void crash_at_every_step(struct crash_run *cr)
{
    char dir[600], p[700];
    int status;

    crash_case_dir(dir, sizeof(dir), "reference", cr);
    path_in(p, sizeof(p), dir, "store");
    status = run_writer(p, cr->mode, 0, NULL);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr->new = slurp(p, NULL);
    ck_assert_ptr_nonnull(cr->new);
    for (unsigned long n = 1;; n++) {
        char name[32];

        ck_assert_msg(n < 500, "writer never finished");
        snprintf(name, sizeof(name), "kill%lu", n);
        crash_case_dir(dir, sizeof(dir), name, cr);
        path_in(p, sizeof(p), dir, "store");
        status = run_writer(p, cr->mode, n, NULL);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            assert_file_is(p, cr->new);
            break;
        }
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "writer failed at step %lu (status %d)", n, status);
        check_after_kill(cr, dir);
        ck_assert_int_eq(pwr_test_rm_tree(dir), 0);
    }
    fprintf(stderr, "crash test (%s): killed at %d steps, %d left the old "
            "store, %d the new one\n", cr->mode, cr->saw_old + cr->saw_new,
            cr->saw_old, cr->saw_new);
    ck_assert_int_gt(cr->saw_old, 0);
    ck_assert_int_gt(cr->saw_new, 0);
    free(cr->new);
}

START_TEST(test_writer_killed_at_every_step_leaves_old_or_new_store)
{
    /* holds records the writer changes, so it both replaces and inserts */
    struct crash_run cr = { .mode = "update" };

    cr.old = "pwreset-store 1\n"
             "alice status=active hash=$y$old$alice changed=5\n"
             "bob status=blocked reason=hold\n"
             "mallory status=active flags=must_change hash=$y$old$m\n"
             "zoe status=pending code=$argon2id$c code_expires=99\n"
             "end 4\n";
    crash_at_every_step(&cr);
}
END_TEST

START_TEST(test_writer_killed_while_creating_leaves_no_store_or_new_store)
{
    struct crash_run cr = { .mode = "create", .old = NULL };

    crash_at_every_step(&cr);
}
END_TEST

/* ---- concurrency and locking -------------------------------------------------------- */

#define WRITERS 8
#define ROUNDS 200

struct incr {
    int proc, round;
};

static int increment(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    const struct incr *in = arg;
    struct pwr_record r;
    char login[32];

    if (pwr_txn_get(txn, "counter", &r, err) != 1)
        return -1;
    r.changed++;
    if (pwr_txn_put(txn, &r, err) < 0)
        return -1;
    snprintf(login, sizeof(login), "p%d_%03d", in->proc, in->round);
    pwr_record_init(&r, login);
    r.changed = in->round;
    return pwr_txn_put(txn, &r, err);
}

static void writer_child(int proc)
{
    struct pwr_store_opts opts = { .path = spath, .lock_timeout_ms = 100000 };
    struct pwr_err err = { 0 };
    struct pwr_store *st;
    int ok = pwr_store_open(&st, &opts, &err) == 0;

    for (int i = 0; ok && i < ROUNDS; i++) {
        struct incr in = { proc, i };

        ok = pwr_store_transact(st, increment, &in, &err) == 0;
    }
    if (!ok)
        fprintf(stderr, "writer %d: %s\n", proc, err.msg);
    _exit(ok ? 0 : 1);
}

START_TEST(test_concurrent_writers_lose_no_update)
{
    struct pwr_record r;
    struct pwr_err err = { 0 };
    struct pwr_store *st;
    pid_t pids[WRITERS];
    size_t n = 0;
    char login[32];

    write_str(spath, "pwreset-store 1\ncounter status=active\nend 1\n");
    for (int p = 0; p < WRITERS; p++) {
        pids[p] = fork();
        ck_assert_int_ge(pids[p], 0);
        if (pids[p] == 0)
            writer_child(p);
    }
    for (int p = 0; p < WRITERS; p++) {
        int status;

        ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    ck_assert_int_eq(lookup(spath, "counter", &r, &err), 1);
    ck_assert_int_eq(r.changed, WRITERS * ROUNDS);
    st = open_at(spath, 0, 0);
    ck_assert_int_eq(pwr_store_foreach(st, count_visit, &n, &err), 0);
    ck_assert_uint_eq(n, WRITERS * ROUNDS + 1);
    for (int p = 0; p < WRITERS; p++) {
        snprintf(login, sizeof(login), "p%d_%03d", p, ROUNDS - 1);
        ck_assert_int_eq(pwr_store_lookup(st, login, &r, &err), 1);
    }
    pwr_store_close(st);
}
END_TEST

START_TEST(test_readers_never_see_a_torn_store_while_writers_run)
{
    struct pwr_record r;
    struct pwr_err err = { 0 };
    unsigned long reads = 0;
    int status;
    pid_t pid;

    write_gen_store(spath, 2000, "u", 6);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct pwr_err e = { 0 };
        int ok = 1;

        for (int i = 0; ok && i < 100; i++)
            ok = put_one(spath, i % 2 ? "u000999" : "a_new", i, 0, &e) == 0;
        _exit(ok ? 0 : 1);
    }
    while (waitpid(pid, &status, WNOHANG) == 0) {
        ck_assert_msg(lookup(spath, "u000000", &r, &err) == 1, "%s", err.msg);
        ck_assert_msg(lookup(spath, "u000999", &r, &err) == 1, "%s", err.msg);
        ck_assert_msg(lookup(spath, "u001999", &r, &err) == 1, "%s", err.msg);
        reads += 3;
    }
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_uint_gt(reads, 0);
}
END_TEST

START_TEST(test_held_lock_makes_transact_busy_within_its_timeout)
{
    struct pwr_err err = { 0 };
    struct pwr_store *st;
    int fds[2], status;
    double t0, took;
    char c;
    pid_t pid;

    write_gen_store(spath, 3, "m", 2);
    ck_assert_int_eq(pipe(fds), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char lock[600];
        int fd;

        path_in(lock, sizeof(lock), pwr_test_dir, "store.lock");
        fd = open(lock, O_RDONLY | O_CREAT, 0600);
        if (fd < 0 || flock(fd, LOCK_EX) < 0 || write(fds[1], "x", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    ck_assert_int_eq(read(fds[0], &c, 1), 1);
    st = open_at(spath, 300, 0);
    t0 = now_s();
    ck_assert_int_eq(pwr_store_transact(st, do_nothing, NULL, &err), -1);
    took = now_s() - t0;
    ck_assert_int_eq(err.code, PWR_E_BUSY);
    ck_assert_ptr_nonnull(strstr(err.msg, "store busy"));
    ck_assert_msg(took >= 0.29 && took < 5.0, "gave up after %.3f s", took);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(pwr_store_transact(st, do_nothing, NULL, &err), 0);
    pwr_store_close(st);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* ---- scale ------------------------------------------------------------------------ */

#define BIG 100000

START_TEST(test_lookup_at_100000_records_finds_first_last_middle_and_absent)
{
    static const char *const absent[] = { "a", "u", "u0500000", "u050000_",
                                          "u099999a", "v", "zzz" };
    struct pwr_record r;
    struct pwr_err err = { 0 };
    struct pwr_store *st;
    char login[16];
    double t0, per;

    write_gen_store(spath, BIG, "u", 6);
    st = open_at(spath, 0, 0);
    for (size_t i = 0; i < BIG; i += (i < 10 || i > BIG - 10) ? 1 : 997) {
        snprintf(login, sizeof(login), "u%06zu", i);
        ck_assert_msg(pwr_store_lookup(st, login, &r, &err) == 1, "%s", login);
        ck_assert_str_eq(r.login, login);
        ck_assert_int_eq(r.changed, (int64_t)i + 1);
    }
    ck_assert_int_eq(pwr_store_lookup(st, "u050000", &r, &err), 1);
    ck_assert_int_eq(pwr_store_lookup(st, "u099999", &r, &err), 1);
    for (size_t i = 0; i < PWR_ARRAY_SIZE(absent); i++)
        ck_assert_int_eq(pwr_store_lookup(st, absent[i], &r, &err), 0);
    t0 = now_s();
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(pwr_store_lookup(st, "u077777", &r, &err), 1);
    per = (now_s() - t0) / 1000;
    fprintf(stderr, "lookup at %d records: %.1f us\n", BIG, per * 1e6);
    pwr_store_close(st);
}
END_TEST

/* A bad login far from the search path does not slow or break a lookup:
 * the lookup reads O(log n) lines, while foreach reads them all. */
START_TEST(test_lookup_reads_only_its_search_path)
{
    struct pwr_record r;
    struct pwr_err err = { 0 };
    struct pwr_store *st;
    size_t len, n = 0;
    char *buf = gen_store(BIG, "u", 6, &len), *bad;

    bad = strstr(buf, "\nu099990 ");
    ck_assert_ptr_nonnull(bad);
    bad[1] = '-'; /* "-099990": not a valid login */
    write_file(spath, buf, len, 0600);
    free(buf);
    st = open_at(spath, 0, 0);
    ck_assert_int_eq(pwr_store_lookup(st, "u000000", &r, &err), 1);
    ck_assert_int_eq(pwr_store_lookup(st, "u012345", &r, &err), 1);
    ck_assert_int_eq(pwr_store_foreach(st, count_visit, &n, &err), -1);
    assert_corrupt_msg(&err, 99990 + 2, "invalid login");
    pwr_store_close(st);
}
END_TEST

static int has_must_change(const struct pwr_record *rec, void *arg,
                           struct pwr_err *err)
{
    (void)err;
    if (!(rec->flags & PWR_F_MUST_CHANGE))
        return -1;
    ++*(size_t *)arg;
    return 0;
}

/* A bulk change is one write of the store: one temporary file, streamed in
 * large chunks (a write per record would be 100,000 of them). */
START_TEST(test_bulk_transaction_over_100000_records_is_one_streamed_write)
{
    struct pwr_err err = { 0 };
    struct pwr_store *st;
    char stats[600], *counts, *after;
    size_t n = 0, len = 0;
    unsigned long writes;
    double t0;
    int status;

    write_gen_store(spath, BIG, "u", 6);
    path_in(stats, sizeof(stats), pwr_test_dir, "stats");
    t0 = now_s();
    status = run_writer(spath, "bulk", 0, stats);
    fprintf(stderr, "bulk transaction over %d records: %.3f s\n", BIG,
            now_s() - t0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    counts = slurp(stats, NULL);
    ck_assert_ptr_nonnull(counts);
    writes = strtoul(counts, NULL, 10);
    free(counts);
    after = slurp(spath, &len);
    ck_assert_ptr_nonnull(after);
    free(after);
    ck_assert_uint_ge(writes, 1);
    ck_assert_msg(writes <= len / 32768 + 1,
                  "%lu write() calls for a store of %zu bytes", writes, len);
    ck_assert(!exists(pwr_test_dir, "store.tmp"));
    st = open_at(spath, 0, 0);
    ck_assert_int_eq(pwr_store_foreach(st, has_must_change, &n, &err), 0);
    ck_assert_uint_eq(n, BIG);
    pwr_store_close(st);
}
END_TEST

static Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("basics");

    tcase_add_checked_fixture(tc, setup, pwr_test_dir_teardown);
    tcase_add_test(tc, test_missing_store_is_not_found_and_has_no_records);
    tcase_add_test(tc, test_missing_directory_is_not_found_but_cannot_be_written);
    tcase_add_test(tc, test_transact_without_create_refuses_a_missing_store);
    tcase_add_test(tc, test_created_store_has_exact_format_and_mode_0600);
    tcase_add_test(tc, test_create_without_puts_writes_an_empty_store);
    tcase_add_test(tc, test_lookup_finds_every_record_of_stores_of_0_to_40);
    tcase_add_test(tc, test_lookup_finds_records_with_lines_of_any_length);
    tcase_add_test(tc, test_lookup_of_an_invalid_login_is_not_found);
    tcase_add_test(tc, test_txn_get_sees_the_transactions_own_puts);
    tcase_add_test(tc, test_txn_foreach_walks_old_and_new_records_in_login_order);
    tcase_add_test(tc, test_txn_remove_drops_records_from_the_written_store);
    tcase_add_test(tc, test_failed_callback_writes_nothing_and_passes_its_error_on);
    tcase_add_test(tc, test_backup_holds_the_previous_store);
    tcase_add_test(tc, test_stale_tmp_or_symlink_left_by_a_crash_is_replaced_safely);
    tcase_add_test(tc, test_put_of_an_invalid_record_is_refused);
    tcase_add_test(tc, test_no_descriptor_leaks_on_success_or_failure);
    suite_add_tcase(s, tc);

    tc = tcase_create("corrupt");
    tcase_add_checked_fixture(tc, setup, pwr_test_dir_teardown);
    tcase_add_loop_test(tc, test_corrupt_store_is_rejected_with_its_line_number, 0,
                        (int)PWR_ARRAY_SIZE(corrupt));
    tcase_add_test(tc, test_overlong_line_is_rejected_by_lookup_foreach_and_transact);
    suite_add_tcase(s, tc);

    tc = tcase_create("unsafe");
    tcase_add_checked_fixture(tc, setup, pwr_test_dir_teardown);
    tcase_add_test(tc, test_symlinked_store_is_refused);
    tcase_add_test(tc, test_group_or_world_accessible_store_is_refused);
    tcase_add_test(tc, test_store_that_is_a_directory_or_fifo_is_refused_without_hanging);
    tcase_add_test(tc, test_group_or_world_writable_directory_is_refused);
    tcase_add_test(tc, test_lock_file_that_is_a_symlink_or_fifo_is_refused);
    if (geteuid() == 0)
        tcase_add_test(tc, test_store_or_directory_not_owned_by_root_is_refused);
    else
        fprintf(stderr, "not root: skipping the wrong-owner test\n");
    suite_add_tcase(s, tc);

    tc = tcase_create("crash");
    tcase_add_checked_fixture(tc, setup, pwr_test_dir_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_writer_killed_at_every_step_leaves_old_or_new_store);
    tcase_add_test(tc, test_writer_killed_while_creating_leaves_no_store_or_new_store);
    suite_add_tcase(s, tc);

    tc = tcase_create("concurrency");
    tcase_add_checked_fixture(tc, setup, pwr_test_dir_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_concurrent_writers_lose_no_update);
    tcase_add_test(tc, test_readers_never_see_a_torn_store_while_writers_run);
    tcase_add_test(tc, test_held_lock_makes_transact_busy_within_its_timeout);
    suite_add_tcase(s, tc);

    tc = tcase_create("scale");
    tcase_add_checked_fixture(tc, setup, pwr_test_dir_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_lookup_at_100000_records_finds_first_last_middle_and_absent);
    tcase_add_test(tc, test_lookup_reads_only_its_search_path);
    tcase_add_test(tc, test_bulk_transaction_over_100000_records_is_one_streamed_write);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pwr_test_run(store_suite());
}
