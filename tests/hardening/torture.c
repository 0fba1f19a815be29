/* torture.c - test tool: crash torture of the store, and a stopped lock
 * holder.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * torture kill DIR KILLS SECONDS
 *   Writes a store of ACCOUNTS records at version 0 in DIR, then, at most
 *   KILLS times and for at most SECONDS, forks a writer that moves every
 *   record to the next version in one transaction and SIGKILLs it after a
 *   random delay (uniform over about 1.3 times a whole transaction, so kills
 *   land at every step: before the lock, while writing the temporary file,
 *   between the renames, after the commit).  After each kill the store must
 *   be byte for byte the old version or the new one, must pass the full
 *   validation and a lookup, and its lock must be free.  Seed from
 *   $PWR_TORTURE_SEED (printed, to replay a failure).
 *
 * torture stop DIR -- COMMAND...
 *   A writer takes the lock of DIR/store and stops itself (SIGSTOP) inside
 *   its transaction; COMMAND then runs; its exit status and run time are
 *   printed ("exit=N ms=M"), the stopped writer is killed, and the lock
 *   must then be free and the store valid ("lock=free store=valid").
 *
 * Exit 0 when every check held, 1 otherwise, 2 on usage errors.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pwr_store.h"

#define ACCOUNTS 40
#define CALIBRATE 20

static char store_path[PWR_PATH_MAX], lock_path[PWR_PATH_MAX + 8];
static int want_count = ACCOUNTS; /* -1: any number of records */

static long long now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void record_at(struct pwr_record *rec, int i, long version)
{
    char login[16];

    snprintf(login, sizeof(login), "acct%03d", i);
    pwr_record_init(rec, login);
    rec->changed = version;
    rec->flags = (version & 1) ? PWR_F_MUST_CHANGE : 0;
    snprintf(rec->hash, sizeof(rec->hash),
             "$y$j9T$torturetorturetorture$%040ld", version * 1000 + i);
    snprintf(rec->reason, sizeof(rec->reason), "version %ld", version);
}

/* The exact bytes of the store at version. */
static size_t expected(long version, char *buf, size_t bufsz)
{
    size_t used = (size_t)snprintf(buf, bufsz, "pwreset-store 1\n");
    struct pwr_record rec;

    for (int i = 0; i < ACCOUNTS; i++) {
        record_at(&rec, i, version);
        used += (size_t)pwr_record_format(&rec, buf + used, bufsz - used);
    }
    used += (size_t)snprintf(buf + used, bufsz - used, "end %d\n", ACCOUNTS);
    return used;
}

static int bump(struct pwr_txn *txn, const struct pwr_record *rec, void *arg,
                struct pwr_err *err)
{
    struct pwr_record next;

    (void)arg;
    record_at(&next, atoi(rec->login + 4), rec->changed + 1);
    return pwr_txn_put(txn, &next, err);
}

static int bump_all(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    return pwr_txn_foreach(txn, bump, arg, err);
}

static int hold(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    (void)txn;
    (void)arg;
    (void)err;
    raise(SIGSTOP);
    return 0;
}

/* In a child: one transaction, exit 0 when it committed. */
static void __attribute__((noreturn)) writer(pwr_txn_fn fn)
{
    struct pwr_store_opts opts = { .path = store_path, .lock_timeout_ms = 5000 };
    struct pwr_store *st;
    struct pwr_err err;
    int rc = pwr_store_open(&st, &opts, &err);

    if (rc == 0)
        rc = pwr_store_transact(st, fn, NULL, &err);
    _exit(rc == 0 ? 0 : 1);
}

static int lock_free(void)
{
    int fd = open(lock_path, O_RDONLY | O_CLOEXEC);
    int ok = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;

    if (fd >= 0)
        close(fd);
    return ok;
}

static int count_one(const struct pwr_record *rec, void *arg,
                     struct pwr_err *err)
{
    (void)rec;
    (void)err;
    ++*(int *)arg;
    return 0;
}

/* Full validation and one lookup. */
static int store_valid(void)
{
    struct pwr_store_opts opts = { .path = store_path, .lock_timeout_ms = 1000 };
    struct pwr_record rec;
    struct pwr_store *st;
    struct pwr_err err;
    int n = 0, ok;

    if (pwr_store_open(&st, &opts, &err) < 0)
        return 0;
    ok = pwr_store_foreach(st, count_one, &n, &err) == 0 &&
         (want_count < 0 || (n == want_count &&
                             pwr_store_lookup(st, "acct007", &rec, &err) == 1));
    if (!ok)
        fprintf(stderr, "torture: invalid store: %s\n", err.msg);
    pwr_store_close(st);
    return ok;
}

static int read_store(char *buf, size_t bufsz, size_t *len)
{
    int fd = open(store_path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, bufsz);
    close(fd);
    if (n < 0)
        return -1;
    *len = (size_t)n;
    return 0;
}

static int write_version0(void)
{
    static char buf[64 * 1024];
    size_t len = expected(0, buf, sizeof(buf));
    int fd = open(store_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0 || pwr_write_all(fd, buf, len) < 0 || close(fd) < 0)
        return -1;
    return 0;
}

static pid_t spawn(pwr_txn_fn fn)
{
    pid_t pid = fork();

    if (pid == 0)
        writer(fn);
    return pid;
}

/* Median time of a whole uninterrupted transaction, in microseconds. */
static long long calibrate(long *version)
{
    long long t[CALIBRATE];

    for (int i = 0; i < CALIBRATE; i++) {
        long long t0 = now_us();
        int status;
        pid_t pid = spawn(bump_all);

        if (pid < 0 || waitpid(pid, &status, 0) < 0 || status != 0)
            return -1;
        t[i] = now_us() - t0;
        ++*version;
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
            long long x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    }
    return t[CALIBRATE / 2];
}

struct tally {
    long kills, old, new, tmp_left;
};

/* After one kill: old or new, valid, lock free. */
static int check_after(long *version, struct tally *ty)
{
    static char have[64 * 1024], want[64 * 1024];
    char tmp[PWR_PATH_MAX + 8];
    size_t len = 0, wlen;
    struct stat st;

    snprintf(tmp, sizeof(tmp), "%s.tmp", store_path);
    ty->tmp_left += stat(tmp, &st) == 0;
    if (read_store(have, sizeof(have), &len) < 0)
        return fprintf(stderr, "torture: store missing after a kill\n"), -1;
    wlen = expected(*version, want, sizeof(want));
    if (len == wlen && memcmp(have, want, len) == 0) {
        ty->old++;
    } else {
        wlen = expected(*version + 1, want, sizeof(want));
        if (len != wlen || memcmp(have, want, len) != 0)
            return fprintf(stderr, "torture: store is neither version %ld "
                                   "nor %ld after a kill\n",
                           *version, *version + 1), -1;
        ty->new++;
        ++*version;
    }
    if (!lock_free())
        return fprintf(stderr, "torture: lock still held after a kill\n"), -1;
    return store_valid() ? 0 : -1;
}

static int kill_loop(long kills, long seconds)
{
    const char *s = getenv("PWR_TORTURE_SEED");
    unsigned seed = s ? (unsigned)strtoul(s, NULL, 10)
                      : (unsigned)(now_us() ^ getpid());
    long long span, end;
    struct tally ty = { 0, 0, 0, 0 };
    long version = 0;

    if (write_version0() < 0 || (span = calibrate(&version)) <= 0)
        return fprintf(stderr, "torture: cannot set up\n"), 1;
    srandom(seed);
    span = span * 13 / 10 + 1;
    printf("seed=%u transaction=%lldus\n", seed, span * 10 / 13);
    end = now_us() + (long long)seconds * 1000000;
    while (ty.kills < kills && now_us() < end) {
        struct timespec d;
        long long us = random() % span;
        pid_t pid = spawn(bump_all);

        if (pid < 0)
            return perror("fork"), 1;
        d.tv_sec = us / 1000000;
        d.tv_nsec = (long)(us % 1000000) * 1000;
        nanosleep(&d, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        ty.kills++;
        if (check_after(&version, &ty) < 0)
            return fprintf(stderr, "torture: after kill %ld\n", ty.kills), 1;
    }
    printf("kills=%ld old=%ld new=%ld tmp_left=%ld\n", ty.kills, ty.old,
           ty.new, ty.tmp_left);
    return 0;
}

static int stop_test(char **cmd)
{
    int status = 0;
    long long t0;
    pid_t holder = spawn(hold), pid;

    want_count = -1;
    if (holder < 0 || waitpid(holder, &status, WUNTRACED) < 0 ||
        !WIFSTOPPED(status))
        return fprintf(stderr, "torture: the holder did not stop\n"), 1;
    t0 = now_us();
    pid = fork();
    if (pid == 0) {
        execvp(cmd[0], cmd);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return perror("torture"), 1;
    printf("exit=%d ms=%lld\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128,
           (now_us() - t0) / 1000);
    kill(holder, SIGKILL);
    waitpid(holder, NULL, 0);
    printf("lock=%s store=%s\n", lock_free() ? "free" : "held",
           store_valid() ? "valid" : "invalid");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: torture kill DIR KILLS SECONDS | "
                        "torture stop DIR -- COMMAND...\n");
        return 2;
    }
    snprintf(store_path, sizeof(store_path), "%s/store", argv[2]);
    snprintf(lock_path, sizeof(lock_path), "%s.lock", store_path);
    setvbuf(stdout, NULL, _IONBF, 0);
    if (strcmp(argv[1], "kill") == 0 && argc == 5)
        return kill_loop(atol(argv[3]), atol(argv[4]));
    if (strcmp(argv[1], "stop") == 0 && argc > 4 && strcmp(argv[3], "--") == 0)
        return stop_test(argv + 4);
    fprintf(stderr, "torture: bad arguments\n");
    return 2;
}
