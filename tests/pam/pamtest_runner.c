/* pamtest_runner.c - runs one PAM scenario file through the real libpam
 * (pam_wrapper + libpamtest), with pam_pwreset.so and pwreset-helper from
 * the build tree, and checks what the user saw, the return codes, the audit
 * lines and the store afterwards.  The scenario language is documented in
 * tests/pam/README.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Usage: pamtest_runner SCENARIO.scn   (as the automake test driver runs it)
 * Prepares a private directory (config, store, PAM service, audit socket),
 * then re-executes itself under pam_wrapper to run the transactions.
 *
 * pam_wrapper copies the service files to /tmp/pam.X, X one of a few dozen
 * letters chosen without a lock (a mkdir that fails is only logged): two
 * processes started together (make -j) can share one such directory and
 * read each other's service, store and audit socket.  Every pam_wrapper
 * user of the test suite therefore holds an exclusive lock on the file
 * $PWR_WRAPPER_LOCK for its whole run (this runner across its re-exec;
 * the shell tests with flock(1)).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libpamtest.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pwr_config.h"
#include "pwr_hash.h"
#include "pwr_history.h"
#include "pwr_secret.h"
#include "pwr_store.h"
#include "pwr_util.h"

#define MAX_LINES 512
#define MAX_MSGS 64
#define MAX_OPS 16

struct msg {
    int style;
    char *text;
};

struct txn {
    char user[64];
    char service[64];
    const char *answers[MAX_MSGS];
    size_t n_answers, next_answer;
    struct pam_testcase ops[MAX_OPS];
    size_t n_ops;
    struct msg msgs[MAX_MSGS];
    size_t n_msgs;
    char *audit[MAX_MSGS];
    size_t n_audit;
};

static const char *g_file;
static int g_line;
static int g_failures;
static char g_dir[PWR_PATH_MAX];
static int g_audit_fd = -1;
static struct txn g_txns[32];
static size_t g_n_txns;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: FAIL: ", g_file, g_line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    g_failures++;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: ERROR: ", g_file, g_line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(99);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);

    if (d == NULL)
        die("out of memory");
    return d;
}

static void path_in_dir(char *out, size_t outsz, const char *name)
{
    if ((size_t)snprintf(out, outsz, "%s/%s", g_dir, name) >= outsz)
        die("path too long");
}

/* ---- reading the scenario --------------------------------------------- */

static char *g_lines[MAX_LINES];
static int g_nlines;

static void read_scenario(const char *file)
{
    FILE *f = fopen(file, "r");
    char buf[2048];

    if (f == NULL)
        die("cannot open %s: %s", file, strerror(errno));
    while (fgets(buf, sizeof(buf), f) != NULL) {
        if (g_nlines == MAX_LINES)
            die("scenario too long");
        buf[strcspn(buf, "\n")] = '\0';
        g_lines[g_nlines++] = xstrdup(buf);
    }
    fclose(f);
}

/* Split "word rest" in place: returns rest ("" if none). */
static char *split_word(char *line)
{
    char *sp = strchr(line, ' ');

    if (sp == NULL)
        return line + strlen(line);
    *sp = '\0';
    return sp + 1;
}

/* Decode %HH escapes written in a scenario value. */
static char *unescape(const char *s)
{
    char *out = malloc(strlen(s) + 1);
    ssize_t n;

    if (out == NULL)
        die("out of memory");
    n = pwr_decode(s, strlen(s), out, strlen(s) + 1);
    if (n < 0) {
        /* allow raw characters pwr_decode would refuse (spaces etc.) */
        memcpy(out, s, strlen(s) + 1); /* same length: fits */
    }
    return out;
}

/* ---- prepare: config, store, service files ------------------------------ */

static FILE *open_out(const char *name, mode_t mode)
{
    char path[PWR_PATH_MAX];
    int fd;
    FILE *f;

    path_in_dir(path, sizeof(path), name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
        die("cannot write %s: %s", path, strerror(errno));
    return f;
}

static int64_t rel_time(const char *v)
{
    struct pwr_err err;
    int64_t secs;

    if (v[0] != '+' && v[0] != '-')
        return strtoll(v, NULL, 10);
    if (pwr_parse_duration(v + 1, &secs, &err) < 0)
        die("%s", err.msg);
    return pwr_now() + (v[0] == '-' ? -secs : secs);
}

static void set_flags(struct pwr_record *rec, const char *v)
{
    rec->flags = 0;
    if (strstr(v, "must_change"))
        rec->flags |= PWR_F_MUST_CHANGE;
    if (strstr(v, "temporary"))
        rec->flags |= PWR_F_TEMPORARY;
}

static void account_field(struct pwr_record *rec, const struct pwr_config *cfg,
                          const char *key, char *val)
{
    struct pwr_err err;

    if (strcmp(key, "password") == 0) {
        if (pwr_hash_make(val, &cfg->hash, rec->hash, &err) < 0)
            die("hash: %s", err.msg);
        rec->changed = pwr_now() - 86400;
    } else if (strcmp(key, "hash") == 0) {
        pwr_strlcpy(rec->hash, val, sizeof(rec->hash));
    } else if (strcmp(key, "code") == 0) {
        if (pwr_code_hash(val, rec->code_hash, &err) < 0)
            die("code: %s", err.msg);
        rec->code_expires = pwr_now() + 3600;
    } else if (strcmp(key, "code_expires") == 0) {
        rec->code_expires = rel_time(val);
    } else if (strcmp(key, "code_tries") == 0) {
        rec->code_tries = (unsigned)atoi(val);
    } else if (strcmp(key, "temp_expires") == 0) {
        rec->temp_expires = rel_time(val);
    } else if (strcmp(key, "status") == 0) {
        if (pwr_status_parse(val, &rec->status) < 0)
            die("bad status %s", val);
    } else if (strcmp(key, "flags") == 0) {
        set_flags(rec, val);
    } else if (strcmp(key, "history") == 0) { /* an earlier password */
        char old[PWR_HASH_MAX];
        if (pwr_hash_make(val, &cfg->hash, old, &err) < 0)
            die("hash: %s", err.msg);
        pwr_history_push(rec->history, sizeof(rec->history), old, 24);
    } else if (strcmp(key, "changed") == 0) { /* the password's age */
        rec->changed = rel_time(val);
    } else if (strcmp(key, "notice") == 0) { /* an admin's notice: EVENT:BY */
        char *by = strchr(val, ':');
        if (by != NULL)
            *by++ = '\0';
        pwr_strlcpy(rec->notice, val, sizeof(rec->notice));
        pwr_strlcpy(rec->notice_by, by ? by : "root", sizeof(rec->notice_by));
        rec->notice_at = pwr_now();
    } else {
        die("unknown account field %s", key);
    }
}

struct put_arg {
    struct pwr_record rec;
};

static int put_one(struct pwr_txn *txn, void *arg, struct pwr_err *err)
{
    return pwr_txn_put(txn, &((struct put_arg *)arg)->rec, err);
}

static void add_account(const struct pwr_config *cfg, char *rest)
{
    struct pwr_store_opts so = {.path = cfg->store, .create = 1};
    struct put_arg pa;
    struct pwr_store *st;
    struct pwr_err err;
    char *tok, *save = NULL, *login = strtok_r(rest, " ", &save);

    pwr_record_init(&pa.rec, login);
    pa.rec.created = pwr_now() - 86400;
    while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
        char *eq = strchr(tok, '='), *val;
        if (eq == NULL)
            die("account field without '=': %s", tok);
        *eq = '\0';
        val = unescape(eq + 1);
        account_field(&pa.rec, cfg, tok, val);
        free(val);
    }
    if (pwr_store_open(&st, &so, &err) < 0 ||
        pwr_store_transact(st, put_one, &pa, &err) < 0)
        die("store: %s", err.msg);
    pwr_store_close(st);
}

/* Replace the words pam_pwreset and pam_matrix in a stack line. */
static void write_stack_line(FILE *f, const char *line)
{
    const char *top = getenv("top_builddir");
    char word[256];
    const char *p = line;

    while (*p) {
        size_t n = strcspn(p, " ");
        snprintf(word, sizeof(word), "%.*s", (int)n, p);
        if (strcmp(word, "pam_pwreset") == 0)
            fprintf(f, "%s/pam_module/.libs/pam_pwreset.so config=%s/pwreset.conf "
                       "helper=%s/helper/pwreset-helper",
                    top, g_dir, top);
        else if (strcmp(word, "pam_matrix") == 0 ||
                 strcmp(word, "pam_set_items") == 0)
            fprintf(f, "%s/%s.so", PAM_WRAPPER_MODULES, word);
        else if (strcmp(word, "@matrix") == 0)
            fprintf(f, "passdb=%s/matrix.db", g_dir);
        else
            fputs(word, f);
        p += n;
        while (*p == ' ')
            fputc(*p++, f);
    }
    fputc('\n', f);
}

static const char *const default_stack[] = {
    "auth required pam_pwreset",
    "account required pam_pwreset",
    "password required pam_pwreset",
    "session optional pam_pwreset",
};

static void write_services(void)
{
    FILE *svc, *matrix;
    char path[PWR_PATH_MAX];
    int i, custom = 0;
    size_t k;

    path_in_dir(path, sizeof(path), "services");
    if (mkdir(path, 0700) < 0)
        die("mkdir services: %s", strerror(errno));
    svc = open_out("services/pwreset-test", 0600);
    matrix = open_out("matrix.db", 0600);
    for (i = 0; i < g_nlines; i++) {
        if (strncmp(g_lines[i], "stack ", 6) == 0) {
            write_stack_line(svc, g_lines[i] + 6);
            custom = 1;
        } else if (strncmp(g_lines[i], "matrix ", 7) == 0) {
            fprintf(matrix, "%s\n", g_lines[i] + 7);
        }
    }
    for (k = 0; !custom && k < PWR_ARRAY_SIZE(default_stack); k++)
        write_stack_line(svc, default_stack[k]);
    fclose(svc);
    fclose(matrix);
}

static void prepare(struct pwr_config *cfg)
{
    FILE *conf = open_out("pwreset.conf", 0600);
    char path[PWR_PATH_MAX];
    struct pwr_err err;
    int i;

    path_in_dir(path, sizeof(path), "state");
    if (mkdir(path, 0700) < 0)
        die("mkdir: %s", strerror(errno));
    fprintf(conf, "store = %s/state/store\naudit_socket = %s/audit.sock\n"
                  "hash_cost = 3\nfail_delay = 0\n", g_dir, g_dir);
    for (i = 0; i < g_nlines; i++)
        if (strncmp(g_lines[i], "config ", 7) == 0)
            fprintf(conf, "%s\n", g_lines[i] + 7);
    fclose(conf);
    pwr_config_defaults(cfg);
    path_in_dir(path, sizeof(path), "pwreset.conf");
    if (pwr_config_load(cfg, path, 1, &err) < 0)
        die("config: %s", err.msg);
    for (i = 0; i < g_nlines; i++) {
        g_line = i + 1;
        if (strncmp(g_lines[i], "account ", 8) == 0) {
            char *copy = xstrdup(g_lines[i] + 8);
            add_account(cfg, copy);
            free(copy);
        }
    }
    write_services();
}

/* ---- running a transaction ---------------------------------------------- */

static int conv_fn(int n, const struct pam_message **msgv,
                   struct pam_response **resp, void *data)
{
    struct txn *t = data;
    struct pam_response *r = calloc((size_t)n, sizeof(*r));
    int i;

    if (r == NULL)
        return PAM_BUF_ERR;
    for (i = 0; i < n; i++) {
        const struct pam_message *m = msgv[i];
        if (t->n_msgs < MAX_MSGS) {
            t->msgs[t->n_msgs].style = m->msg_style;
            t->msgs[t->n_msgs++].text = xstrdup(m->msg ? m->msg : "");
        }
        if (m->msg_style != PAM_PROMPT_ECHO_OFF &&
            m->msg_style != PAM_PROMPT_ECHO_ON)
            continue;
        if (t->next_answer >= t->n_answers) {
            free(r);
            return PAM_CONV_ERR; /* an unexpected prompt */
        }
        r[i].resp = xstrdup(t->answers[t->next_answer++]);
    }
    *resp = r;
    return PAM_SUCCESS;
}

static void drain_audit(struct txn *t)
{
    char buf[4096];
    ssize_t n;

    while ((n = recv(g_audit_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
        buf[n] = '\0';
        if (t->n_audit < MAX_MSGS)
            t->audit[t->n_audit++] = xstrdup(buf);
    }
}

static const struct {
    const char *name;
    int code;
} pam_codes[] = {
    {"PAM_SUCCESS", PAM_SUCCESS},
    {"PAM_AUTH_ERR", PAM_AUTH_ERR},
    {"PAM_USER_UNKNOWN", PAM_USER_UNKNOWN},
    {"PAM_PERM_DENIED", PAM_PERM_DENIED},
    {"PAM_ACCT_EXPIRED", PAM_ACCT_EXPIRED},
    {"PAM_NEW_AUTHTOK_REQD", PAM_NEW_AUTHTOK_REQD},
    {"PAM_AUTHTOK_ERR", PAM_AUTHTOK_ERR},
    {"PAM_MAXTRIES", PAM_MAXTRIES},
    {"PAM_AUTHINFO_UNAVAIL", PAM_AUTHINFO_UNAVAIL},
    {"PAM_IGNORE", PAM_IGNORE},
    {"PAM_SERVICE_ERR", PAM_SERVICE_ERR},
    {"PAM_CONV_ERR", PAM_CONV_ERR},
    {"PAM_TRY_AGAIN", PAM_TRY_AGAIN},
    {"PAM_AUTHTOK_RECOVERY_ERR", PAM_AUTHTOK_RECOVERY_ERR},
};

static int pam_code(const char *name)
{
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(pam_codes); i++)
        if (strcmp(pam_codes[i].name, name) == 0)
            return pam_codes[i].code;
    die("unknown PAM code %s", name);
}

static const char *pam_code_name(int code)
{
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(pam_codes); i++)
        if (pam_codes[i].code == code)
            return pam_codes[i].name;
    return "?";
}

static const struct {
    const char *name;
    enum pamtest_ops op;
} pam_ops[] = {
    {"authenticate", PAMTEST_AUTHENTICATE}, {"setcred", PAMTEST_SETCRED},
    {"account", PAMTEST_ACCOUNT},           {"open_session", PAMTEST_OPEN_SESSION},
    {"close_session", PAMTEST_CLOSE_SESSION}, {"chauthtok", PAMTEST_CHAUTHTOK},
};

/* "op NAME EXPECTED [CHANGE_EXPIRED|SILENT]" */
static void add_op(struct txn *t, char *rest)
{
    char *expected = split_word(rest), *flags = split_word(expected);
    struct pam_testcase *c;
    size_t i;

    if (t->n_ops == MAX_OPS)
        die("too many ops");
    c = &t->ops[t->n_ops];
    memset(c, 0, sizeof(*c));
    for (i = 0; i < PWR_ARRAY_SIZE(pam_ops); i++)
        if (strcmp(pam_ops[i].name, rest) == 0)
            break;
    if (i == PWR_ARRAY_SIZE(pam_ops))
        die("unknown op %s", rest);
    c->pam_operation = pam_ops[i].op;
    c->expected_rv = pam_code(expected);
    if (strstr(flags, "CHANGE_EXPIRED"))
        c->flags |= PAM_CHANGE_EXPIRED_AUTHTOK;
    if (strstr(flags, "SILENT"))
        c->flags |= PAM_SILENT;
    t->n_ops++;
}

static void run_txn(struct txn *t)
{
    enum pamtest_err perr;

    drain_audit(t); /* anything left over belongs to nobody */
    t->n_audit = 0;
    perr = _pamtest_conv(t->service, t->user, conv_fn, t, t->ops, t->n_ops,
                         NULL);
    drain_audit(t);
    if (perr == PAMTEST_ERR_CASE) {
        const struct pam_testcase *c = _pamtest_failed_case(t->ops, t->n_ops);
        fail("op %d returned %s (%d), expected %s",
             c ? (int)c->pam_operation : -1,
             c ? pam_code_name(c->op_rv) : "?", c ? c->op_rv : 0,
             c ? pam_code_name(c->expected_rv) : "?");
    } else if (perr != PAMTEST_ERR_OK) {
        fail("pamtest: %s", pamtest_strerror(perr));
    }
    if (t->next_answer != t->n_answers)
        fail("%zu of %zu answers were not asked for",
             t->n_answers - t->next_answer, t->n_answers);
}

/* ---- expectations --------------------------------------------------------- */

/* How many messages of this style (-1: any) contain needle. */
static size_t count_msgs(const struct txn *t, int style, const char *needle)
{
    size_t i, n = 0;

    for (i = 0; i < t->n_msgs; i++)
        if ((style < 0 || t->msgs[i].style == style) &&
            strstr(t->msgs[i].text, needle))
            n++;
    return n;
}

static int any_msg(const struct txn *t, int style, const char *needle)
{
    return count_msgs(t, style, needle) > 0;
}

static void dump_txn(const struct txn *t)
{
    size_t i;

    for (i = 0; i < t->n_msgs; i++)
        fprintf(stderr, "   msg[%d] %s\n", t->msgs[i].style, t->msgs[i].text);
    for (i = 0; i < t->n_audit; i++)
        fprintf(stderr, "   audit %s\n", t->audit[i]);
}

/* Every "k=v" word of want appears in line as a whole field. */
static int audit_matches(const char *line, const char *want)
{
    char copy[1024], field[1100], *tok, *save = NULL;

    snprintf(copy, sizeof(copy), "%s", want);
    for (tok = strtok_r(copy, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        const char *p;
        snprintf(field, sizeof(field), " %s", tok);
        p = strstr(line, field);
        if (p == NULL && strncmp(tok, "event=", 6) == 0)
            p = strstr(line, tok);
        if (p == NULL)
            return 0;
        p += strlen(field);
        if (*p != ' ' && *p != '\0')
            return 0;
    }
    return 1;
}

static int any_audit(const struct txn *t, const char *want)
{
    size_t i;

    for (i = 0; i < t->n_audit; i++)
        if (audit_matches(t->audit[i], want))
            return 1;
    return 0;
}

static void prompts_of(const struct txn *t, char *out, size_t outsz)
{
    size_t i, len = 0;

    out[0] = '\0';
    for (i = 0; i < t->n_msgs; i++) {
        len += (size_t)snprintf(out + len, len < outsz ? outsz - len : 0,
                                "[%d]%s|", t->msgs[i].style, t->msgs[i].text);
        if (len >= outsz)
            return;
    }
}

static void expect_same(char *rest)
{
    char *second = split_word(rest), a[4096], b[4096];
    size_t i = (size_t)atoi(rest), j = (size_t)atoi(second);

    if (i < 1 || j < 1 || i > g_n_txns || j > g_n_txns)
        die("expect_same_transcript: no such transaction");
    prompts_of(&g_txns[i - 1], a, sizeof(a));
    prompts_of(&g_txns[j - 1], b, sizeof(b));
    if (strcmp(a, b) != 0)
        fail("transcripts differ:\n   %s\n   %s", a, b);
}

static void check_record_field(const struct pwr_record *rec, const char *key,
                               const char *val)
{
    char flags[64] = "";
    int v;

    if (strcmp(key, "status") == 0) {
        if (strcmp(pwr_status_name(rec->status), val) != 0)
            fail("%s: status is %s, expected %s", rec->login,
                 pwr_status_name(rec->status), val);
    } else if (strcmp(key, "flags") == 0) {
        snprintf(flags, sizeof(flags), "%s%s%s",
                 rec->flags & PWR_F_MUST_CHANGE ? "must_change" : "",
                 (rec->flags & PWR_F_MUST_CHANGE) && (rec->flags & PWR_F_TEMPORARY) ? "," : "",
                 rec->flags & PWR_F_TEMPORARY ? "temporary" : "");
        if (strcmp(flags, val) != 0)
            fail("%s: flags are '%s', expected '%s'", rec->login, flags, val);
    } else if (strcmp(key, "code") == 0) {
        const char *have = rec->code_hash[0] ? "set" : "none";
        if (strcmp(have, val) != 0)
            fail("%s: code is %s, expected %s", rec->login, have, val);
    } else if (strcmp(key, "code_tries") == 0) {
        if (rec->code_tries != (unsigned)atoi(val))
            fail("%s: code_tries %u, expected %s", rec->login, rec->code_tries, val);
    } else if (strcmp(key, "notice") == 0) { /* none or an admin's EVENT */
        const char *have = rec->notice[0] ? rec->notice : "none";
        if (strcmp(have, val) != 0)
            fail("%s: notice is %s, expected %s", rec->login, have, val);
    } else if (strcmp(key, "password") == 0 || strcmp(key, "not_password") == 0) {
        v = pwr_hash_verify(val, rec->hash, NULL);
        if (v != (key[0] == 'p'))
            fail("%s: %s '%s' does%s verify", rec->login, key, val,
                 v == 1 ? "" : " not");
    } else {
        die("unknown record field %s", key);
    }
}

static void expect_record(const struct pwr_config *cfg, char *rest)
{
    struct pwr_store_opts so = {.path = cfg->store};
    struct pwr_record rec;
    struct pwr_store *st;
    struct pwr_err err;
    char *tok, *save = NULL, *login = strtok_r(rest, " ", &save);
    int found;

    if (pwr_store_open(&st, &so, &err) < 0)
        die("store: %s", err.msg);
    found = pwr_store_lookup(st, login, &rec, &err);
    pwr_store_close(st);
    if (found != 1) {
        fail("%s: not in the store (%s)", login, found < 0 ? err.msg : "absent");
        return;
    }
    while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
        char *eq = strchr(tok, '='), *val;
        if (eq == NULL)
            die("record field without '=': %s", tok);
        *eq = '\0';
        val = unescape(eq + 1);
        check_record_field(&rec, tok, val);
        free(val);
    }
}

static void begin_txn(char *rest)
{
    char *svc = split_word(rest);
    struct txn *t;

    if (g_n_txns == PWR_ARRAY_SIZE(g_txns))
        die("too many transactions");
    t = &g_txns[g_n_txns++];
    memset(t, 0, sizeof(*t));
    snprintf(t->user, sizeof(t->user), "%s", rest);
    snprintf(t->service, sizeof(t->service), "%s",
             *svc ? svc : "pwreset-test");
}

static struct txn *cur(void)
{
    if (g_n_txns == 0)
        die("no transaction: use 'begin USER' first");
    return &g_txns[g_n_txns - 1];
}

static void expectation(const struct pwr_config *cfg, const char *word,
                        char *rest)
{
    struct txn *t = cur();
    int before = g_failures;

    if (strcmp(word, "expect_error") == 0 && !any_msg(t, PAM_ERROR_MSG, rest))
        fail("no error message containing '%s'", rest);
    else if (strcmp(word, "expect_info") == 0 && !any_msg(t, PAM_TEXT_INFO, rest))
        fail("no info message containing '%s'", rest);
    else if (strcmp(word, "expect_prompt") == 0 &&
             !any_msg(t, PAM_PROMPT_ECHO_OFF, rest))
        fail("no prompt '%s'", rest);
    else if (strcmp(word, "expect_no_msg") == 0 && any_msg(t, -1, rest))
        fail("a message contains '%s'", rest);
    else if (strcmp(word, "expect_once") == 0 && count_msgs(t, -1, rest) != 1)
        fail("%zu messages contain '%s', expected exactly one",
             count_msgs(t, -1, rest), rest);
    else if (strcmp(word, "expect_audit") == 0 && !any_audit(t, rest))
        fail("no audit line with %s", rest);
    else if (strcmp(word, "expect_no_audit") == 0 && any_audit(t, rest))
        fail("an audit line has %s", rest);
    else if (strcmp(word, "expect_record") == 0)
        expect_record(cfg, rest);
    else if (strcmp(word, "expect_same_transcript") == 0)
        expect_same(rest);
    if (g_failures != before)
        dump_txn(t);
}

/* "env NAME=VALUE": for modules that read the environment (pam_set_items). */
static void set_env(char *rest)
{
    char *eq = strchr(rest, '=');

    if (eq == NULL)
        die("env needs NAME=VALUE");
    *eq = '\0';
    if (setenv(rest, eq + 1, 1) < 0)
        die("setenv: %s", strerror(errno));
}

static void run_line(const struct pwr_config *cfg, char *line)
{
    char *rest = split_word(line);

    if (line[0] == '#' || line[0] == '\0' || strcmp(line, "name") == 0 ||
        strcmp(line, "config") == 0 || strcmp(line, "account") == 0 ||
        strcmp(line, "stack") == 0 || strcmp(line, "matrix") == 0)
        return; /* setup lines were handled by prepare() */
    if (strcmp(line, "begin") == 0)
        begin_txn(rest);
    else if (strcmp(line, "env") == 0)
        set_env(rest);
    else if (strcmp(line, "answer") == 0) {
        if (cur()->n_answers == MAX_MSGS)
            die("too many answers");
        cur()->answers[cur()->n_answers++] = unescape(rest);
    } else if (strcmp(line, "op") == 0)
        add_op(cur(), rest);
    else if (strcmp(line, "end") == 0)
        run_txn(cur());
    else if (strncmp(line, "expect_", 7) == 0)
        expectation(cfg, line, rest);
    else
        die("unknown directive '%s'", line);
}

static void bind_audit_socket(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};

    if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/audit.sock",
                         g_dir) >= sizeof(sa.sun_path))
        die("temp dir path too long for a socket");
    unlink(sa.sun_path);
    g_audit_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (g_audit_fd < 0 ||
        bind(g_audit_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        die("audit socket: %s", strerror(errno));
}

static void remove_tree(const char *dir)
{
    char cmd[PWR_PATH_MAX + 16];

    if (getenv("PWR_TEST_KEEP") != NULL) {
        fprintf(stderr, "kept %s\n", dir);
        return;
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    unsetenv("LD_PRELOAD"); /* rm needs no pam_wrapper of its own */
    unsetenv("PAM_WRAPPER");
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* Wait for our turn with pam_wrapper (see the top of the file).  The fd
 * stays open across the re-exec, so the lock lasts until this run ends. */
static void take_wrapper_lock(void)
{
    const char *path = getenv("PWR_WRAPPER_LOCK");
    int fd;

    if (path == NULL || path[0] == '\0')
        return; /* run by hand: nobody to take turns with */
    fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY, 0600);
    if (fd < 0)
        die("%s: %s", path, strerror(errno));
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR)
            die("%s: flock: %s", path, strerror(errno));
}

/* Re-run this program under pam_wrapper with the prepared service dir. */
static void reexec_wrapped(char **argv)
{
    char svc[PWR_PATH_MAX];

    path_in_dir(svc, sizeof(svc), "services");
    setenv("LD_PRELOAD", PAM_WRAPPER_SO, 1);
    setenv("PAM_WRAPPER", "1", 1);
    setenv("PAM_WRAPPER_SERVICE_DIR", svc, 1);
    setenv("PWR_TEST_DIR", g_dir, 1);
    setenv("ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0", 1);
    execv("/proc/self/exe", argv);
    die("re-exec: %s", strerror(errno));
}

/* --mkstore CONF SPEC...: write store records for shell tests. */
static int make_store(const char *conf, int n, char **specs)
{
    struct pwr_config cfg;
    struct pwr_err err;
    int i;

    g_file = conf;
    pwr_config_defaults(&cfg);
    if (pwr_config_load(&cfg, conf, 1, &err) < 0)
        die("config: %s", err.msg);
    for (i = 0; i < n; i++) {
        char *copy = xstrdup(specs[i]);
        add_account(&cfg, copy);
        free(copy);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct pwr_config cfg;
    const char *dir = getenv("PWR_TEST_DIR");
    int i;

#ifdef PWR_SANITIZERS
    if (argc == 2) {
        /* pam_wrapper loads libpam with RTLD_DEEPBIND, which ASan refuses */
        printf("SKIP: PAM scenarios cannot run under AddressSanitizer\n");
        return 77;
    }
#endif
    if (argc >= 3 && strcmp(argv[1], "--mkstore") == 0)
        return make_store(argv[2], argc - 3, argv + 3);
    if (argc != 2) {
        fprintf(stderr, "usage: %s SCENARIO | --mkstore CONF 'LOGIN F=V...'...\n",
                argv[0]);
        return 99;
    }
    g_file = argv[1];
    read_scenario(argv[1]);
    if (dir == NULL) {
        char *tmp = getenv("TMPDIR");
        snprintf(g_dir, sizeof(g_dir), "%s/pwrpam.XXXXXX", tmp ? tmp : "/tmp");
        if (mkdtemp(g_dir) == NULL)
            die("mkdtemp: %s", strerror(errno));
        prepare(&cfg);
        take_wrapper_lock();
        reexec_wrapped(argv);
    }
    snprintf(g_dir, sizeof(g_dir), "%s", dir);
    pwr_config_defaults(&cfg);
    {
        char path[PWR_PATH_MAX];
        struct pwr_err err;
        path_in_dir(path, sizeof(path), "pwreset.conf");
        if (pwr_config_load(&cfg, path, 1, &err) < 0)
            die("config: %s", err.msg);
    }
    bind_audit_socket();
    for (i = 0; i < g_nlines; i++) {
        g_line = i + 1;
        run_line(&cfg, g_lines[i]);
    }
    close(g_audit_fd);
    remove_tree(g_dir);
    if (g_failures)
        fprintf(stderr, "%s: %d failure(s)\n", g_file, g_failures);
    return g_failures ? 1 : 0;
}
