/* bench_store.c - the benchmark's store-side tools, linked with the
 * build's libpwreset.a so they use the product's own code paths:
 *
 *   hash COST|default < PWFILE    hash of the password (pwr_hash_make)
 *   mkstore OUT N USER HASH       a valid store of N accounts holding USER
 *   lookup STORE USER ITERS NAME  time pwr_store_open + lookup + close
 *   parts CONF USER ITERS NAME    time the pieces of a login beyond the hash:
 *                                 config load, store look-up, audit line,
 *                                 reset-code check
 *   sink SOCKET COUNTFILE         audit listener: counts datagrams
 *   time ITERS SECTION NAME PER ALT -- ARGV...
 *                                 time ARGV ITERS times (ALT appended on odd
 *                                 runs unless "-"); rows per run and per PER
 *   each USERS SECTION NAME -- ARGV...   (ARGV holds "{}")
 *                                 time ARGV once per user of file USERS
 *
 * BENCH_BUDGET_S=N: time and each stop after N seconds (at least one run),
 * so a slow action cannot stretch the whole benchmark; n says how many ran.
 * BENCH_TIMEOUT_S=N: a run still going after N seconds is stopped (SIGTERM
 * to its process group): its time is then a lower bound, and time prints
 * "NAME.stopped 1".
 * Benchmarks only: nothing here is part of make check.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "pwr_audit.h"
#include "pwr_config.h"
#include "pwr_hash.h"
#include "pwr_record.h"
#include "pwr_secret.h"
#include "pwr_store.h"

/* ---- hash --------------------------------------------------------------- */

/* COST "default": the method and cost of the compiled-in configuration. */
static int cmd_hash(char **argv)
{
    struct pwr_hash_params hp = {PWR_HASH_YESCRYPT, 0};
    char pw[512], out[PWR_HASH_MAX];
    struct pwr_config cfg;
    struct pwr_err err;

    pwr_config_defaults(&cfg);
    hp = cfg.hash;
    if (strcmp(argv[0], "default") != 0)
        hp.cost = (unsigned)atoi(argv[0]);
    fprintf(stderr, "bench: hashing with %s, cost %u\n",
            pwr_hash_method_name(hp.method), hp.cost);

    if (fgets(pw, sizeof(pw), stdin) == NULL)
        bench_die("hash: no password on stdin");
    pw[strcspn(pw, "\n")] = '\0';
    if (pwr_hash_make(pw, &hp, out, &err) < 0)
        bench_die("hash: %s", err.msg);
    printf("%s\n", out);
    return 0;
}

/* ---- mkstore -------------------------------------------------------------- */

typedef char login_t[PWR_LOGIN_MAX + 1];

static int cmp_login(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* N-1 filler accounts around USER: half before it, half after it in byte
 * order (for the default USER), so the search path is a typical one. */
static login_t *make_logins(size_t n, const char *user)
{
    login_t *l = calloc(n, sizeof(*l));
    size_t i;

    if (l == NULL)
        bench_die("out of memory");
    snprintf(l[0], sizeof(l[0]), "%s", user);
    for (i = 1; i < n; i++)
        snprintf(l[i], sizeof(l[i]), "%s%07zu", i % 2 ? "acct" : "user", i);
    qsort(l, n, sizeof(*l), cmp_login);
    return l;
}

static void write_line(FILE *f, const char *login, const char *hash)
{
    struct pwr_record rec;
    char line[PWR_RECORD_LINE_MAX];

    pwr_record_init(&rec, login);
    if (pwr_strlcpy(rec.hash, hash, sizeof(rec.hash)) < 0)
        bench_die("hash too long");
    rec.changed = 1763800000;
    rec.created = 1700000000;
    if (pwr_record_format(&rec, line, sizeof(line)) < 0)
        bench_die("cannot format %s", login);
    if (fputs(line, f) == EOF)
        bench_die("write: %s", strerror(errno));
}

static int cmd_mkstore(char **argv)
{
    const char *out = argv[0], *user = argv[2], *hash = argv[3];
    size_t n = strtoul(argv[1], NULL, 10), i;
    char tmp[PWR_PATH_MAX];
    login_t *l;
    FILE *f;
    int fd;

    if (n == 0 || !pwr_login_valid(user))
        bench_die("mkstore: bad count or user");
    l = make_logins(n, user);
    snprintf(tmp, sizeof(tmp), "%s.new", out);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
        bench_die("%s: %s", tmp, strerror(errno));
    fputs("pwreset-store 1\n", f);
    for (i = 0; i < n; i++)
        write_line(f, l[i], hash);
    fprintf(f, "end %zu\n", n);
    if (fclose(f) != 0 || rename(tmp, out) < 0)
        bench_die("%s: %s", out, strerror(errno));
    free(l);
    return 0;
}

/* ---- lookup --------------------------------------------------------------- */

static int count_visit(const struct pwr_record *rec, void *arg,
                       struct pwr_err *err)
{
    (void)rec;
    (void)err;
    ++*(size_t *)arg;
    return 0;
}

static int cmd_lookup(char **argv)
{
    struct pwr_store_opts so = {.path = argv[0]};
    long iters = atol(argv[2]);
    double *v = calloc((size_t)iters, sizeof(*v));
    struct bench_stats s;
    struct pwr_record rec;
    struct pwr_store *st;
    struct pwr_err err;
    size_t count = 0;
    long i;

    if (v == NULL || iters <= 0)
        bench_die("lookup: bad iteration count");
    /* One full read first: proves the generated store is valid. */
    if (pwr_store_open(&st, &so, &err) < 0 ||
        pwr_store_foreach(st, count_visit, &count, &err) < 0)
        bench_die("lookup: %s", err.msg);
    pwr_store_close(st);
    for (i = 0; i < iters; i++) {
        int64_t t0 = bench_now_ns();
        int rc = -1;

        if (pwr_store_open(&st, &so, &err) == 0) {
            rc = pwr_store_lookup(st, argv[1], &rec, &err);
            pwr_store_close(st);
        }
        v[i] = (double)(bench_now_ns() - t0) / 1e3;
        if (rc != 1)
            bench_die("lookup %s: %s", argv[1], rc < 0 ? err.msg : "not found");
        pwr_record_wipe(&rec);
    }
    bench_stats(v, (size_t)iters, &s);
    bench_row("lookup", argv[3], &s, "us");
    bench_value("lookup", "records", (double)count, "");
    free(v);
    return 0;
}

/* ---- parts: what a login does besides the hash --------------------------- */

static double part_config(const char *conf, struct pwr_config *cfg)
{
    int64_t t0 = bench_now_ns();
    struct pwr_err err;

    pwr_config_defaults(cfg);
    if (pwr_config_load(cfg, conf, 1, &err) < 0)
        bench_die("config: %s", err.msg);
    return (double)(bench_now_ns() - t0) / 1e3;
}

static double part_lookup(const struct pwr_config *cfg, const char *user)
{
    struct pwr_store_opts so = {.path = cfg->store};
    int64_t t0 = bench_now_ns();
    struct pwr_record rec;
    struct pwr_store *st;
    struct pwr_err err;
    int rc = -1;

    if (pwr_store_open(&st, &so, &err) == 0) {
        rc = pwr_store_lookup(st, user, &rec, &err);
        pwr_store_close(st);
    }
    if (rc != 1)
        bench_die("lookup %s failed", user);
    pwr_record_wipe(&rec);
    return (double)(bench_now_ns() - t0) / 1e3;
}

/* The account stage's line, as mod_log.c builds it. */
static double part_audit(const struct pwr_config *cfg, const char *user)
{
    int64_t t0 = bench_now_ns();
    struct pwr_audit a;
    struct pwr_err err;

    pwr_audit_begin(&a, "login_allowed");
    pwr_audit_add(&a, "user", user);
    pwr_audit_add(&a, "result", "success");
    pwr_audit_add(&a, "method", "password");
    pwr_audit_add_int(&a, "uid", 0);
    pwr_audit_add(&a, "service", "sshd");
    (void)pwr_audit_send(&a, cfg->audit_socket, 0, &err);
    return (double)(bench_now_ns() - t0) / 1e3;
}

static double part_code(void)
{
    int64_t t0 = bench_now_ns();

    (void)pwr_code_verify("not a code at all", "");
    return (double)(bench_now_ns() - t0) / 1e3;
}

static int cmd_parts(char **argv)
{
    static const char *const names[] = {"config_load", "store_lookup",
                                        "audit_send", "code_check"};
    long iters = atol(argv[2]), i;
    double *v[4];
    struct pwr_config cfg;
    struct bench_stats s;
    char name[192];
    int k;

    for (k = 0; k < 4; k++)
        if (iters <= 0 || (v[k] = calloc((size_t)iters, sizeof(double))) == NULL)
            bench_die("parts: bad iteration count");
    for (i = 0; i < iters; i++) {
        v[0][i] = part_config(argv[0], &cfg);
        v[1][i] = part_lookup(&cfg, argv[1]);
        v[2][i] = part_audit(&cfg, argv[1]);
        v[3][i] = part_code();
    }
    for (k = 0; k < 4; k++) {
        bench_stats(v[k], (size_t)iters, &s);
        snprintf(name, sizeof(name), "%s.%s", argv[3], names[k]);
        bench_row("parts", name, &s, "us");
        free(v[k]);
    }
    return 0;
}

/* ---- sink: the audit listener ---------------------------------------------- */

static volatile sig_atomic_t g_stop;

static void on_term(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void write_count(const char *file, unsigned long total,
                        unsigned long failures)
{
    char tmp[PWR_PATH_MAX];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", file);
    f = fopen(tmp, "w");
    if (f == NULL)
        return;
    fprintf(f, "%lu %lu\n", total, failures);
    if (fclose(f) == 0)
        (void)rename(tmp, file);
}

static int cmd_sink(char **argv)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    unsigned long total = 0, failures = 0, written = (unsigned long)-1;
    char buf[8192];
    struct pollfd pfd;
    int fd;

    if (pwr_strlcpy(sa.sun_path, argv[0], sizeof(sa.sun_path)) < 0)
        bench_die("sink: socket path too long");
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    unlink(argv[0]);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        chmod(argv[0], 0666) < 0)
        bench_die("sink: %s", strerror(errno));
    pfd.fd = fd;
    pfd.events = POLLIN;
    while (!g_stop) {
        ssize_t n;

        if (poll(&pfd, 1, 100) <= 0) {
            if (written != total)
                write_count(argv[1], total, failures);
            written = total;
            continue;
        }
        while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
            buf[n] = '\0';
            total++;
            failures += strstr(buf, "result=failure") != NULL;
        }
    }
    write_count(argv[1], total, failures);
    unlink(argv[0]);
    return 0;
}

/* ---- time: run a command and time it -------------------------------------- */

static int g_stopped; /* the last timed_run hit BENCH_TIMEOUT_S */

/* Wait for pid; after BENCH_TIMEOUT_S seconds (if set) its process group
 * gets SIGTERM and g_stopped is set.  Returns the wait status. */
static int wait_or_stop(pid_t pid, int64_t t0)
{
    const char *to = getenv("BENCH_TIMEOUT_S");
    int64_t limit = to != NULL ? (int64_t)(atof(to) * 1e9) : 0;
    struct timespec tick = {0, 2000000};
    int status;
    pid_t r;

    while ((r = waitpid(pid, &status, limit > 0 ? WNOHANG : 0)) == 0) {
        if (bench_now_ns() - t0 >= limit) {
            (void)kill(-pid, SIGTERM);
            g_stopped = 1;
            limit = 0; /* now wait for it to go */
        } else {
            nanosleep(&tick, NULL);
        }
    }
    if (r < 0 && errno != EINTR)
        bench_die("waitpid: %s", strerror(errno));
    return r < 0 ? wait_or_stop(pid, t0) : status;
}

/* Run argv in its own process group with stdin and stdout on /dev/null;
 * returns its wait status. */
static int run_argv(char **argv, int64_t t0)
{
    pid_t pid = fork();

    if (pid < 0)
        bench_die("fork: %s", strerror(errno));
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);

        if (setpgid(0, 0) < 0 || null < 0 || dup2(null, 0) < 0 ||
            dup2(null, 1) < 0)
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    return wait_or_stop(pid, t0);
}

static int64_t timed_run(char **argv)
{
    int64_t t0 = bench_now_ns();
    int status;
    int64_t dt;

    g_stopped = 0;
    status = run_argv(argv, t0);
    dt = bench_now_ns() - t0;
    if (!g_stopped && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        fprintf(stderr, "bench: command failed (status %d):", status);
        for (; *argv; argv++)
            fprintf(stderr, " %s", *argv);
        fputc('\n', stderr);
        exit(3);
    }
    return dt;
}

/* 1 once the runs so far (ns) exceed BENCH_BUDGET_S. */
static int over_budget(int64_t spent_ns)
{
    const char *b = getenv("BENCH_BUDGET_S");

    return b != NULL && spent_ns > (int64_t)(atof(b) * 1e9);
}

/* ITERS SECTION NAME PER ALT -- ARGV... */
static int cmd_time(int argc, char **argv)
{
    long iters = atol(argv[0]), i;
    double per = atof(argv[3]);
    char *alt = argv[4];
    int n = argc - 6;
    char **cmd = calloc((size_t)n + 2, sizeof(*cmd));
    double *v = calloc((size_t)iters, sizeof(*v)), *pa;
    struct bench_stats s;
    int64_t spent = 0;
    char name[256];

    if (cmd == NULL || v == NULL || iters <= 0 || per <= 0 || n < 1 ||
        strcmp(argv[5], "--") != 0)
        bench_die("time: bad arguments");
    memcpy(cmd, argv + 6, (size_t)n * sizeof(*cmd));
    for (i = 0; i < iters && !over_budget(spent); i++) {
        int64_t dt;

        cmd[n] = (i % 2 && strcmp(alt, "-") != 0) ? alt : NULL;
        dt = timed_run(cmd);
        spent += dt;
        v[i] = (double)dt / 1e6;
        if (g_stopped) {
            i++;
            break;
        }
    }
    iters = i;
    pa = calloc((size_t)iters, sizeof(*pa));
    if (pa == NULL)
        bench_die("out of memory");
    for (i = 0; i < iters; i++)
        pa[i] = v[i] * 1e3 / per; /* us per account */
    bench_stats(v, (size_t)iters, &s);
    bench_row(argv[1], argv[2], &s, "ms");
    if (g_stopped) {
        snprintf(name, sizeof(name), "%s.stopped", argv[2]);
        bench_value(argv[1], name, 1, "");
    }
    if (per > 1) {
        bench_stats(pa, (size_t)iters, &s);
        snprintf(name, sizeof(name), "%s.per_account", argv[2]);
        bench_row(argv[1], name, &s, "us");
    }
    free(pa);
    free(v);
    free(cmd);
    return 0;
}

/* USERS SECTION NAME -- ARGV... ("{}" in ARGV becomes the user) */
static int cmd_each(int argc, char **argv)
{
    int n = argc - 4, k, slot = -1;
    char **cmd = calloc((size_t)n + 1, sizeof(*cmd));
    size_t cap = 1024, used = 0;
    double *v = malloc(cap * sizeof(*v));
    int64_t spent = 0;
    char user[256];
    struct bench_stats s;
    FILE *f = fopen(argv[0], "r");

    if (f == NULL || cmd == NULL || v == NULL || n < 1 ||
        strcmp(argv[3], "--") != 0)
        bench_die("each: bad arguments");
    for (k = 0; k < n; k++) {
        cmd[k] = argv[4 + k];
        if (strcmp(cmd[k], "{}") == 0)
            slot = k;
    }
    if (slot < 0)
        bench_die("each: no {} in the command");
    while (!over_budget(spent) && fgets(user, sizeof(user), f) != NULL) {
        int64_t dt;

        user[strcspn(user, "\n")] = '\0';
        cmd[slot] = user;
        if (used == cap && (v = realloc(v, (cap *= 2) * sizeof(*v))) == NULL)
            bench_die("out of memory");
        dt = timed_run(cmd);
        spent += dt;
        v[used++] = (double)dt / 1e3;
    }
    fclose(f);
    bench_stats(v, used, &s);
    bench_row(argv[1], argv[2], &s, "us");
    free(v);
    free(cmd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "hash") == 0)
        return cmd_hash(argv + 2);
    if (argc == 6 && strcmp(argv[1], "mkstore") == 0)
        return cmd_mkstore(argv + 2);
    if (argc == 6 && strcmp(argv[1], "lookup") == 0)
        return cmd_lookup(argv + 2);
    if (argc == 6 && strcmp(argv[1], "parts") == 0)
        return cmd_parts(argv + 2);
    if (argc == 4 && strcmp(argv[1], "sink") == 0)
        return cmd_sink(argv + 2);
    if (argc >= 9 && strcmp(argv[1], "time") == 0)
        return cmd_time(argc - 2, argv + 2);
    if (argc >= 7 && strcmp(argv[1], "each") == 0)
        return cmd_each(argc - 2, argv + 2);
    fprintf(stderr, "usage: see the comment at the top of bench_store.c\n");
    return 2;
}
