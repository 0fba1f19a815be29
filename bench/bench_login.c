/* bench_login.c - the login driver of the benchmarks: pam_start_confdir,
 * pam_authenticate, pam_acct_mgmt, pam_end through the real libpam, for
 * any service of a private PAM directory (pam_pwreset, pam_unix, a stack),
 * plus the pseudo-service "crypt" (one bare crypt_rn of the same hash).
 * A service named "permit" (pam_permit.so: a module that does nothing) is
 * libpam's own share; other services get a row "beyond permit" too.
 *
 *   interleave OPTS SVC...   round-robin, one login of each service per
 *                            round (rotating start), so drift and noise
 *                            hit every service alike; the first service is
 *                            the reference of the ratios
 *   load OPTS SVC... [-- WRITER...]
 *                            --procs workers log in back to back for
 *                            --seconds per slot; a service named X+writer
 *                            runs X while WRITER (then WRITER --clear, in
 *                            turn) is run back to back; an action still
 *                            running at the end of the slot is interrupted
 *   once OPTS SVC            one login; peak RSS (VmHWM) before and after
 *
 * OPTS: --confdir DIR --user U --passfile F --hash H --section S
 *       --iters N --warmup N --procs N --seconds N --rounds N
 *       --sink-pid PID (the audit listener, whose CPU counts as the writer's)
 * Output: result rows for bench/report.awk (see bench.h).  It deliberately
 * does not link libpwreset or libsodium, so a login here loads pam_pwreset.so
 * and its libraries the way a fresh sshd or login process does.
 * Benchmarks only: nothing here is part of make check.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "bench.h"

#define MAX_SVC 16

struct opts {
    const char *confdir, *user, *hash, *section;
    char password[512];
    char *pw; /* = password, handed to the PAM conversation */
    long iters, warmup, procs, seconds, rounds;
    long sink_pid; /* the audit listener: its CPU is the writer's too */
    char **svc;
    int nsvc;
    char **writer; /* argv after "--", or NULL */
    int nwriter;
};

struct sample {
    int64_t total, start, auth, acct, end, hash, cpu;
    unsigned calls;
    int rc_auth, rc_acct;
};

/* ---- one login ------------------------------------------------------------ */

static int conv(int n, const struct pam_message **msg,
                struct pam_response **resp, void *data)
{
    struct pam_response *r = calloc((size_t)n, sizeof(*r));
    int i;

    if (r == NULL)
        return PAM_BUF_ERR;
    for (i = 0; i < n; i++) {
        if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
            msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
            continue;
        r[i].resp = strdup(data);
        if (r[i].resp == NULL) {
            for (; i >= 0; i--)
                free(r[i].resp);
            free(r);
            return PAM_BUF_ERR;
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

static struct crypt_data *g_cd;

static void login_crypt(const struct opts *o, struct sample *s)
{
    const char *out;

    if (g_cd == NULL && (g_cd = calloc(1, sizeof(*g_cd))) == NULL)
        bench_die("out of memory");
    out = crypt_rn(o->password, o->hash, g_cd, (int)sizeof(*g_cd));
    s->rc_auth = out != NULL && strcmp(out, o->hash) == 0 ? PAM_SUCCESS
                                                            : PAM_AUTH_ERR;
    s->rc_acct = PAM_SUCCESS;
}

static void login_pam(const struct opts *o, const char *svc, struct sample *s)
{
    struct pam_conv pc = {conv, o->pw};
    pam_handle_t *pamh = NULL;
    int64_t t0 = bench_now_ns(), t1, t2, t3;
    int rc;

    rc = pam_start_confdir(svc, o->user, &pc, o->confdir, &pamh);
    t1 = bench_now_ns();
    if (rc != PAM_SUCCESS)
        bench_die("pam_start_confdir(%s): %d", svc, rc);
    s->rc_auth = pam_authenticate(pamh, 0);
    t2 = bench_now_ns();
    s->rc_acct = s->rc_auth == PAM_SUCCESS ? pam_acct_mgmt(pamh, 0) : -1;
    t3 = bench_now_ns();
    pam_end(pamh, s->rc_acct);
    s->start = t1 - t0;
    s->auth = t2 - t1;
    s->acct = t3 - t2;
    s->end = bench_now_ns() - t3;
}

/* The PAM service behind a name ("unix+writer" runs "unix"). */
static void base_name(const char *svc, char *out, size_t outsz)
{
    snprintf(out, outsz, "%.*s", (int)strcspn(svc, "+"), svc);
}

static void login(const struct opts *o, const char *svc, struct sample *s)
{
    char base[128];
    int64_t c0 = bench_cpu_ns(), t0 = bench_now_ns();

    memset(s, 0, sizeof(*s));
    bench_hook_reset();
    base_name(svc, base, sizeof(base));
    if (strcmp(base, "crypt") == 0)
        login_crypt(o, s);
    else
        login_pam(o, base, s);
    s->total = bench_now_ns() - t0;
    s->cpu = bench_cpu_ns() - c0;
    s->hash = bench_hook_ns();
    s->calls = bench_hook_calls();
}

/* Auth must succeed; the account stage may ask for a new password (a
 * writer toggles must_change), anything else is a failed login. */
static int login_ok(const struct sample *s)
{
    return s->rc_auth == PAM_SUCCESS &&
           (s->rc_acct == PAM_SUCCESS || s->rc_acct == PAM_NEW_AUTHTOK_REQD);
}

/* ---- interleave ------------------------------------------------------------- */

static void row_of(const struct opts *o, const char *svc, const char *what,
                   double *v, size_t n, const char *unit)
{
    struct bench_stats st;
    char name[192];

    snprintf(name, sizeof(name), "%s.%s", svc, what);
    bench_stats(v, n, &st);
    bench_row(o->section, name, &st, unit);
}

#define MS(x) ((double)(x) / 1e6)

/* The login as if it hashed once: pam_unix on Linux-PAM 1.5.2 runs crypt_r
 * twice per check (x_strdup(crypt_r(...)) evaluates its argument twice). */
static double one_hash(const struct sample *s)
{
    if (s->calls <= 1)
        return (double)s->total;
    return (double)s->total - (double)s->hash * (s->calls - 1) / s->calls;
}

static void report_svc(const struct opts *o, int k, struct sample **smp,
                       int crypt_k, int permit_k, size_t n)
{
    double *v = calloc(n, sizeof(*v));
    const char *svc = o->svc[k];
    unsigned fails = 0;
    size_t i;

    if (v == NULL)
        bench_die("out of memory");
#define ROW(what, expr, unit)                                                  \
    do {                                                                       \
        for (i = 0; i < n; i++)                                                \
            v[i] = (expr);                                                     \
        row_of(o, svc, what, v, n, unit);                                      \
    } while (0)
    ROW("total", MS(smp[k][i].total), "ms");
    ROW("hash", MS(smp[k][i].hash), "ms");
    ROW("beyond_hash", MS(smp[k][i].total - smp[k][i].hash), "ms");
    ROW("cpu", MS(smp[k][i].cpu), "ms");
    ROW("hash_calls", smp[k][i].calls, "");
    if (strcmp(svc, "crypt") != 0) {
        ROW("pam_start", MS(smp[k][i].start), "ms");
        ROW("pam_authenticate", MS(smp[k][i].auth), "ms");
        ROW("pam_acct_mgmt", MS(smp[k][i].acct), "ms");
        ROW("pam_end", MS(smp[k][i].end), "ms");
        ROW("module_beyond_hash",
            MS(smp[k][i].auth + smp[k][i].acct - smp[k][i].hash), "ms");
    }
    if (k != 0) {
        ROW("ratio", (double)smp[k][i].total / (double)smp[0][i].total, "x");
        ROW("cpu_ratio", (double)smp[k][i].cpu / (double)smp[0][i].cpu, "x");
        ROW("ratio_one_hash", one_hash(&smp[k][i]) / one_hash(&smp[0][i]), "x");
    }
    if (crypt_k >= 0 && k != crypt_k)
        ROW("beyond_crypt", MS(smp[k][i].total - smp[crypt_k][i].total), "ms");
    if (permit_k >= 0 && k != permit_k && k != crypt_k)
        ROW("module_beyond_permit",
            MS(smp[k][i].auth + smp[k][i].acct - smp[k][i].hash -
               smp[permit_k][i].auth - smp[permit_k][i].acct), "ms");
#undef ROW
    for (i = 0; i < n; i++)
        fails += !login_ok(&smp[k][i]) || smp[k][i].rc_acct != PAM_SUCCESS;
    bench_value(o->section, svc, fails, "failed");
    free(v);
}

static int cmd_interleave(const struct opts *o)
{
    struct sample *smp[MAX_SVC];
    long r, total = o->warmup + o->iters;
    int k, crypt_k = -1, permit_k = -1;

    for (k = 0; k < o->nsvc; k++) {
        smp[k] = calloc((size_t)o->iters, sizeof(**smp));
        if (smp[k] == NULL)
            bench_die("out of memory");
        if (strcmp(o->svc[k], "crypt") == 0)
            crypt_k = k;
        if (strcmp(o->svc[k], "permit") == 0)
            permit_k = k;
    }
    for (r = 0; r < total; r++) {
        for (int j = 0; j < o->nsvc; j++) {
            struct sample s;

            k = (int)((r + j) % o->nsvc);
            login(o, o->svc[k], &s);
            if (s.rc_auth != PAM_SUCCESS || s.rc_acct != PAM_SUCCESS)
                bench_die("%s: login failed (pam_authenticate %d, "
                          "pam_acct_mgmt %d)", o->svc[k], s.rc_auth, s.rc_acct);
            if (r >= o->warmup)
                smp[k][r - o->warmup] = s;
        }
    }
    for (k = 0; k < o->nsvc; k++)
        report_svc(o, k, smp, crypt_k, permit_k, (size_t)o->iters);
    for (k = 0; k < o->nsvc; k++)
        free(smp[k]);
    return 0;
}

/* ---- load ------------------------------------------------------------------- */

struct worker_result {
    long ok, failed, actions, interrupted;
    int bad_auth, bad_acct;
    int64_t end;
    double cpu_s;
};

static void send_result(int fd, const struct worker_result *wr)
{
    if (write(fd, wr, sizeof(*wr)) != (ssize_t)sizeof(*wr))
        _exit(3);
    _exit(0);
}

static void worker(const struct opts *o, const char *svc, int64_t deadline,
                   int fd)
{
    struct worker_result wr = {0};
    struct sample s;
    struct rusage ru;

    while (bench_now_ns() < deadline) {
        login(o, svc, &s);
        if (login_ok(&s)) {
            wr.ok++;
        } else {
            wr.failed++;
            wr.bad_auth = s.rc_auth;
            wr.bad_acct = s.rc_acct;
        }
    }
    wr.end = bench_now_ns();
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        wr.cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                   (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    send_result(fd, &wr);
}

/* Run one writer action in its own process group; at the deadline the
 * group gets SIGTERM (the store's crash safety makes that harmless, and the
 * next phase reads the whole store back).  1 completed, 0 interrupted. */
static int writer_action(char **argv, int64_t deadline, int *status)
{
    struct timespec tick = {0, 5000000};
    pid_t pid = fork(), r;

    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);

        if (setpgid(0, 0) == 0 && null >= 0 && dup2(null, 1) >= 0)
            execv(argv[0], argv);
        _exit(127);
    }
    if (pid < 0)
        _exit(3);
    while ((r = waitpid(pid, status, WNOHANG)) == 0) {
        if (bench_now_ns() >= deadline) {
            (void)kill(-pid, SIGTERM);
            if (waitpid(pid, status, 0) < 0)
                _exit(3);
            return 0;
        }
        nanosleep(&tick, NULL);
    }
    if (r < 0)
        _exit(3);
    return 1;
}

/* Back-to-back bulk actions until the deadline, alternating set and clear. */
static void writer(const struct opts *o, int64_t deadline, int fd)
{
    static char clear_arg[] = "--clear";
    struct worker_result wr = {0};
    char **argv = calloc((size_t)o->nwriter + 2, sizeof(*argv));
    struct rusage ru;

    if (argv == NULL)
        _exit(3);
    /* pwreset runs pwreset-helper: when a slot's end kills both, the
     * helper is reparented here and reaped below, so RUSAGE_CHILDREN
     * counts the CPU of every writer process, interrupted ones too. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        _exit(3);
    memcpy(argv, o->writer, (size_t)o->nwriter * sizeof(*argv));
    while (bench_now_ns() < deadline) {
        int status;

        argv[o->nwriter] = wr.actions % 2 ? clear_arg : NULL;
        if (!writer_action(argv, deadline, &status)) {
            wr.interrupted++;
            break;
        }
        wr.actions++;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            wr.failed++;
    }
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ;
    wr.end = bench_now_ns();
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
        wr.cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                   (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    send_result(fd, &wr);
}

static void spawn(const struct opts *o, const char *svc, int64_t deadline,
                  int fd, int is_writer)
{
    pid_t pid = fork();

    if (pid < 0)
        bench_die("fork: %s", strerror(errno));
    if (pid > 0)
        return;
    if (is_writer)
        writer(o, deadline, fd);
    worker(o, svc, deadline, fd);
}

static void collect(int fd, long n, struct worker_result *sum, int64_t *end)
{
    struct worker_result wr;

    memset(sum, 0, sizeof(*sum));
    *end = 0;
    for (long i = 0; i < n; i++) {
        if (read(fd, &wr, sizeof(wr)) != (ssize_t)sizeof(wr))
            bench_die("a load worker died");
        sum->ok += wr.ok;
        sum->failed += wr.failed;
        sum->actions += wr.actions;
        sum->interrupted += wr.interrupted;
        sum->cpu_s += wr.cpu_s;
        if (wr.failed) {
            sum->bad_auth = wr.bad_auth;
            sum->bad_acct = wr.bad_acct;
        }
        if (wr.end > *end)
            *end = wr.end;
    }
}

struct slot_result {
    double rate, writer_rate, writer_cpu;
    double other_cpu; /* cores busy with anything but the logins */
    long ok, failed, writer_actions, writer_failed, writer_interrupted;
};

/* CPU seconds the whole machine has spent busy so far (/proc/stat: user,
 * nice, system, irq and softirq of every CPU; not idle, iowait or the time
 * the hypervisor stole), or 0. */
static double busy_cpu_s(void)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    int n;

    if (f == NULL)
        return 0;
    n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
               &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n != 8)
        return 0;
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6]) /
           (double)sysconf(_SC_CLK_TCK);
}

/* CPU seconds a process has used so far (0 if it cannot be read). */
static double proc_cpu_s(long pid)
{
    char path[64], buf[1024], *p;
    unsigned long long ut = 0, st = 0;
    FILE *f;
    size_t n;

    if (pid <= 0)
        return 0;
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* fields after the ")" that ends comm: state is 3, utime 14, stime 15 */
    if ((p = strrchr(buf, ')')) == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void run_slot(const struct opts *o, const char *svc,
                     struct slot_result *sr)
{
    int has_writer = strstr(svc, "+writer") != NULL && o->writer != NULL;
    int wp[2], lp[2];
    int64_t start, end, wend;
    struct worker_result sum, wsum;
    double sink0 = proc_cpu_s(o->sink_pid), busy0 = busy_cpu_s(), busy1;
    int64_t t1;
    long i;

    if (pipe(lp) < 0 || pipe(wp) < 0)
        bench_die("pipe: %s", strerror(errno));
    start = bench_now_ns();
    if (has_writer)
        spawn(o, svc, start + o->seconds * 1000000000LL, wp[1], 1);
    for (i = 0; i < o->procs; i++)
        spawn(o, svc, start + o->seconds * 1000000000LL, lp[1], 0);
    collect(lp[0], o->procs, &sum, &end);
    busy1 = busy_cpu_s();
    t1 = bench_now_ns();
    memset(&wsum, 0, sizeof(wsum));
    wend = end;
    if (has_writer)
        collect(wp[0], 1, &wsum, &wend);
    while (wait(NULL) > 0)
        ;
    close(lp[0]);
    close(lp[1]);
    close(wp[0]);
    close(wp[1]);
    if (sum.failed)
        fprintf(stderr, "bench: %s: %ld failed logins (last: auth %d, account %d)\n",
                svc, sum.failed, sum.bad_auth, sum.bad_acct);
    sr->ok = sum.ok;
    sr->failed = sum.failed;
    sr->rate = (double)sum.ok / ((double)(end - start) / 1e9);
    sr->writer_actions = wsum.actions;
    sr->writer_failed = wsum.failed;
    sr->writer_interrupted = wsum.interrupted;
    sr->writer_rate = (double)wsum.actions / ((double)(wend - start) / 1e9);
    if (has_writer) /* the listener's work is caused by the writer */
        wsum.cpu_s += proc_cpu_s(o->sink_pid) - sink0;
    sr->writer_cpu = wsum.cpu_s / ((double)(wend - start) / 1e9);
    /* Everything but the logins over their slot: the writer, the listener,
     * the kernel's work for them (and any stray load on the machine). */
    sr->other_cpu = (busy1 - busy0 - sum.cpu_s) / ((double)(t1 - start) / 1e9);
    if (sr->other_cpu < 0)
        sr->other_cpu = 0;
}

static void report_load(const struct opts *o, int k, struct slot_result *sr,
                        long rounds)
{
    double *v = calloc((size_t)rounds, sizeof(*v));
    long i, ok = 0, failed = 0, wa = 0, wf = 0, wi = 0;
    char name[192];

    if (v == NULL)
        bench_die("out of memory");
    for (i = 0; i < rounds; i++) {
        v[i] = sr[i].rate;
        ok += sr[i].ok;
        failed += sr[i].failed;
        wa += sr[i].writer_actions;
        wf += sr[i].writer_failed;
        wi += sr[i].writer_interrupted;
    }
    row_of(o, o->svc[k], "logins_per_s", v, (size_t)rounds, "/s");
    snprintf(name, sizeof(name), "%s.logins", o->svc[k]);
    bench_value(o->section, name, (double)ok, "");
    snprintf(name, sizeof(name), "%s.failed", o->svc[k]);
    bench_value(o->section, name, (double)failed, "");
    if (strstr(o->svc[k], "+writer") != NULL) {
        for (i = 0; i < rounds; i++)
            v[i] = sr[i].writer_rate;
        row_of(o, o->svc[k], "writer_actions_per_s", v, (size_t)rounds, "/s");
        for (i = 0; i < rounds; i++)
            v[i] = sr[i].writer_cpu;
        row_of(o, o->svc[k], "writer_cpu", v, (size_t)rounds, "cores");
        for (i = 0; i < rounds; i++)
            v[i] = sr[i].other_cpu;
        row_of(o, o->svc[k], "other_cpu", v, (size_t)rounds, "cores");
        snprintf(name, sizeof(name), "%s.writer_actions", o->svc[k]);
        bench_value(o->section, name, (double)wa, "");
        snprintf(name, sizeof(name), "%s.writer_failed", o->svc[k]);
        bench_value(o->section, name, (double)wf, "");
        snprintf(name, sizeof(name), "%s.writer_interrupted", o->svc[k]);
        bench_value(o->section, name, (double)wi, "");
    }
    free(v);
}

/* Per round, the rate of each service over the first one's (slots of a
 * round are next to each other in time, so a busy machine cancels out);
 * with a writer, over the first one's scaled to the cores it leaves. */
static void report_load_ratios(const struct opts *o, struct slot_result **sr)
{
    double *v = calloc((size_t)o->rounds, sizeof(*v));
    double cores = (double)sysconf(_SC_NPROCESSORS_ONLN);
    long r;

    if (v == NULL)
        bench_die("out of memory");
    for (int k = 1; k < o->nsvc; k++) {
        int w = strstr(o->svc[k], "+writer") != NULL;

        for (r = 0; r < o->rounds; r++) {
            double lim = sr[0][r].rate;

            if (w && cores > sr[k][r].other_cpu)
                lim *= (cores - sr[k][r].other_cpu) / cores;
            v[r] = lim > 0 ? sr[k][r].rate / lim : 0;
        }
        row_of(o, o->svc[k], "rate_ratio", v, (size_t)o->rounds, "x");
    }
    free(v);
}

static int cmd_load(const struct opts *o)
{
    struct slot_result *sr[MAX_SVC];
    long r;
    int k;

    for (k = 0; k < o->nsvc; k++)
        if ((sr[k] = calloc((size_t)o->rounds, sizeof(**sr))) == NULL)
            bench_die("out of memory");
    for (r = 0; r < o->rounds; r++)
        for (int j = 0; j < o->nsvc; j++) {
            k = (int)((r + j) % o->nsvc);
            run_slot(o, o->svc[k], &sr[k][r]);
        }
    for (k = 0; k < o->nsvc; k++)
        report_load(o, k, sr[k], o->rounds);
    report_load_ratios(o, sr);
    for (k = 0; k < o->nsvc; k++)
        free(sr[k]);
    return 0;
}

/* ---- once: memory ------------------------------------------------------------ */

static long status_kb(const char *key)
{
    char line[256];
    size_t klen = strlen(key);
    long v = -1;
    FILE *f = fopen("/proc/self/status", "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, key, klen) == 0 && line[klen] == ':')
            v = atol(line + klen + 1);
    fclose(f);
    return v;
}

static int cmd_once(const struct opts *o)
{
    char name[192];
    struct sample s;

    snprintf(name, sizeof(name), "%s.baseline_peak", o->svc[0]);
    bench_value(o->section, name, (double)status_kb("VmHWM"), "KiB");
    login(o, o->svc[0], &s);
    if (!login_ok(&s))
        bench_die("%s: login failed (auth %d, account %d)", o->svc[0],
                  s.rc_auth, s.rc_acct);
    snprintf(name, sizeof(name), "%s.peak", o->svc[0]);
    bench_value(o->section, name, (double)status_kb("VmHWM"), "KiB");
    return 0;
}

/* ---- options ---------------------------------------------------------------- */

static void read_password(struct opts *o, const char *file)
{
    FILE *f = fopen(file, "r");

    if (f == NULL || fgets(o->password, sizeof(o->password), f) == NULL)
        bench_die("cannot read the password from %s", file);
    fclose(f);
    o->password[strcspn(o->password, "\n")] = '\0';
    o->pw = o->password;
}

static long num(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < 0)
        bench_die("not a number: %s", s);
    return v;
}

static void parse(struct opts *o, int argc, char **argv)
{
    int i;

    memset(o, 0, sizeof(*o));
    o->section = "login";
    o->iters = 10;
    o->warmup = 1;
    o->procs = 2;
    o->seconds = 2;
    o->rounds = 1;
    o->svc = calloc(MAX_SVC, sizeof(*o->svc));
    if (o->svc == NULL)
        bench_die("out of memory");
    for (i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--") == 0) {
            o->writer = argv + i + 1;
            o->nwriter = argc - i - 1;
            break;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (o->nsvc == MAX_SVC)
                bench_die("too many services");
            o->svc[o->nsvc++] = argv[i];
            continue;
        }
        if (v == NULL)
            bench_die("%s needs a value", a);
        i++;
        if (strcmp(a, "--confdir") == 0) o->confdir = v;
        else if (strcmp(a, "--user") == 0) o->user = v;
        else if (strcmp(a, "--passfile") == 0) read_password(o, v);
        else if (strcmp(a, "--hash") == 0) o->hash = v;
        else if (strcmp(a, "--section") == 0) o->section = v;
        else if (strcmp(a, "--iters") == 0) o->iters = num(v);
        else if (strcmp(a, "--warmup") == 0) o->warmup = num(v);
        else if (strcmp(a, "--procs") == 0) o->procs = num(v);
        else if (strcmp(a, "--seconds") == 0) o->seconds = num(v);
        else if (strcmp(a, "--rounds") == 0) o->rounds = num(v);
        else if (strcmp(a, "--sink-pid") == 0) o->sink_pid = num(v);
        else bench_die("unknown option %s", a);
    }
    if (o->confdir == NULL || o->user == NULL || o->password[0] == '\0' ||
        o->hash == NULL || o->nsvc == 0 || o->iters < 1 || o->procs < 1 ||
        o->rounds < 1 || o->seconds < 1)
        bench_die("need --confdir, --user, --passfile, --hash and a service");
}

int main(int argc, char **argv)
{
    struct opts o;

    if (argc < 2)
        bench_die("usage: bench_login interleave|load|once OPTIONS SERVICE...");
    signal(SIGPIPE, SIG_IGN);
    parse(&o, argc - 2, argv + 2);
    if (strcmp(argv[1], "interleave") == 0)
        return cmd_interleave(&o);
    if (strcmp(argv[1], "load") == 0)
        return cmd_load(&o);
    if (strcmp(argv[1], "once") == 0)
        return cmd_once(&o);
    bench_die("unknown command %s", argv[1]);
}
