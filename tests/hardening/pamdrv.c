/* pamdrv.c - test tool: drives pam_pwreset.so through the real libpam
 * (under pam_wrapper, set up by the calling script) for the hardening tests
 * and bench/enumeration, with values no scenario line can carry: names and
 * passwords of any length and any bytes, two logins racing, timings.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * usage: pamdrv SERVICE COMMAND ...
 *   auth USERFILE PASSFILE   pam_authenticate (and pam_acct_mgmt after a
 *                            success) as the user named by USERFILE's bytes,
 *                            answering PASSFILE's bytes; prints
 *                            "auth=CODE acct=CODE" and every message shown
 *                            (escaped), one per line
 *   change USER OLD NEWFILE  authenticate with OLD, then a user-initiated
 *                            pam_chauthtok answering NEWFILE's bytes to
 *                            every new-password prompt;
 *                            prints "auth=CODE chauthtok=CODE"
 *   race USER CODE NEW1 NEW2 two processes log in with the same reset code
 *                            at once: both authenticate, then both run the
 *                            forced pam_chauthtok together, one choosing NEW1
 *                            and the other NEW2; prints "race=CODE,CODE"
 *   time ROUNDS USER PASS... for ROUNDS rounds, pam_authenticate once per
 *                            USER/PASS class in a random order; prints
 *                            "CLASS NANOSECONDS CODE" per attempt
 * Exit 0 when the command ran (the codes are for the caller to judge).
 */
#include "config.h"

#include <fcntl.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pwr_util.h"

#define MAX_ANSWERS 8
#define FILE_MAX (1024 * 1024)

struct answers {
    const char *v[MAX_ANSWERS];
    size_t n, next;
    int quiet;
};

static void show(const char *prefix, const char *text)
{
    printf("%s", prefix);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '\\')
            printf("\\x%02x", *p);
        else
            putchar(*p);
    }
    putchar('\n');
}

static int conv(int n, const struct pam_message **msg,
                struct pam_response **resp, void *data)
{
    struct answers *a = data;
    struct pam_response *r = calloc((size_t)n, sizeof(*r));

    if (r == NULL)
        return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        int style = msg[i]->msg_style;

        if (!a->quiet)
            show(style == PAM_ERROR_MSG ? "error: " : style == PAM_TEXT_INFO
                 ? "info: " : "prompt: ", msg[i]->msg ? msg[i]->msg : "");
        if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON)
            continue;
        if (a->next >= a->n || (r[i].resp = strdup(a->v[a->next++])) == NULL) {
            for (int j = 0; j < i; j++)
                free(r[j].resp);
            free(r);
            return PAM_CONV_ERR;
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

static const char *code(int rc)
{
    static const struct { int rc; const char *name; } names[] = {
        { PAM_SUCCESS, "SUCCESS" }, { PAM_AUTH_ERR, "AUTH_ERR" },
        { PAM_USER_UNKNOWN, "USER_UNKNOWN" }, { PAM_PERM_DENIED, "PERM_DENIED" },
        { PAM_ACCT_EXPIRED, "ACCT_EXPIRED" },
        { PAM_NEW_AUTHTOK_REQD, "NEW_AUTHTOK_REQD" },
        { PAM_AUTHTOK_ERR, "AUTHTOK_ERR" }, { PAM_MAXTRIES, "MAXTRIES" },
        { PAM_AUTHINFO_UNAVAIL, "AUTHINFO_UNAVAIL" },
        { PAM_SERVICE_ERR, "SERVICE_ERR" }, { PAM_CONV_ERR, "CONV_ERR" },
        { PAM_TRY_AGAIN, "TRY_AGAIN" },
        { PAM_AUTHTOK_LOCK_BUSY, "AUTHTOK_LOCK_BUSY" },
        { PAM_AUTHTOK_RECOVERY_ERR, "AUTHTOK_RECOVERY_ERR" },
        { PAM_ABORT, "ABORT" }, { PAM_BUF_ERR, "BUF_ERR" },
    };

    for (size_t i = 0; i < PWR_ARRAY_SIZE(names); i++)
        if (names[i].rc == rc)
            return names[i].name;
    return "OTHER";
}

/* A file's bytes as a C string (a NUL inside cuts it, as any PAM
 * application would). */
static char *slurp(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct pwr_err err;
    char *buf = NULL;
    size_t len;

    if (fd < 0 || pwr_read_fd(fd, FILE_MAX, &buf, &len, &err) < 0) {
        fprintf(stderr, "pamdrv: cannot read %s\n", path);
        exit(99);
    }
    close(fd);
    return buf;
}

static pam_handle_t *start(const char *service, const char *user,
                           struct answers *a)
{
    struct pam_conv c = { conv, a };
    pam_handle_t *pamh = NULL;

    if (pam_start(service, user, &c, &pamh) != PAM_SUCCESS) {
        fprintf(stderr, "pamdrv: pam_start failed\n");
        exit(99);
    }
    return pamh;
}

static int cmd_auth(const char *service, char **argv)
{
    char *user = slurp(argv[0]), *pass = slurp(argv[1]);
    struct answers a = { { pass }, 1, 0, 0 };
    pam_handle_t *pamh = start(service, user, &a);
    int rc = pam_authenticate(pamh, 0), acct = -1;

    if (rc == PAM_SUCCESS)
        acct = pam_acct_mgmt(pamh, 0);
    printf("auth=%s acct=%s\n", code(rc), acct < 0 ? "-" : code(acct));
    pam_end(pamh, rc);
    free(user);
    free(pass);
    return 0;
}

static int cmd_change(const char *service, char **argv)
{
    char *fresh = slurp(argv[2]);
    /* Enough answers for every retry the module offers after a refusal. */
    struct answers a = { { argv[1], fresh, fresh, fresh, fresh, fresh, fresh },
                         7, 0, 0 };
    pam_handle_t *pamh = start(service, argv[0], &a);
    int rc = pam_authenticate(pamh, 0), ch = -1;

    if (rc == PAM_SUCCESS)
        ch = pam_chauthtok(pamh, 0);
    printf("auth=%s chauthtok=%s\n", code(rc), ch < 0 ? "-" : code(ch));
    pam_end(pamh, rc);
    free(fresh);
    return 0;
}

/* In a child: log in with the code, wait for "go", change the password.
 * Exit status: the index of the chauthtok result in code()'s table, or
 * 100 + that of an earlier failure. */
static void __attribute__((noreturn))
racer(const char *service, char **argv, const char *fresh, int ready, int go)
{
    struct answers a = { { argv[1], fresh, fresh }, 3, 0, 1 };
    pam_handle_t *pamh = start(service, argv[0], &a);
    int rc = pam_authenticate(pamh, 0);
    char c = 'r';

    if (rc == PAM_SUCCESS && pam_acct_mgmt(pamh, 0) != PAM_NEW_AUTHTOK_REQD)
        rc = PAM_ABORT;
    if (write(ready, &c, 1) != 1 || read(go, &c, 1) < 0)
        _exit(99);
    if (rc == PAM_SUCCESS)
        rc = pam_chauthtok(pamh, PAM_CHANGE_EXPIRED_AUTHTOK);
    else
        rc += 100;
    pam_end(pamh, rc % 100);
    _exit(rc);
}

static int cmd_race(const char *service, char **argv)
{
    int ready[2], go[2], st[2];
    pid_t pid[2];
    char c;

    if (pipe(ready) < 0 || pipe(go) < 0)
        return 99;
    fflush(stdout);
    for (int i = 0; i < 2; i++) {
        pid[i] = fork();
        if (pid[i] == 0) {
            close(ready[0]);
            close(go[1]);
            racer(service, argv, argv[2 + i], ready[1], go[0]);
        }
    }
    close(ready[1]);
    close(go[0]);
    /* Both have authenticated: let them change at once. */
    for (int i = 0; i < 2; i++)
        if (read(ready[0], &c, 1) != 1)
            return 99;
    close(go[1]);
    for (int i = 0; i < 2; i++)
        if (waitpid(pid[i], &st[i], 0) < 0 || !WIFEXITED(st[i]))
            return 99;
    st[0] = WEXITSTATUS(st[0]);
    st[1] = WEXITSTATUS(st[1]);
    printf("race=%s%s,%s%s\n", st[0] >= 100 ? "auth:" : "", code(st[0] % 100),
           st[1] >= 100 ? "auth:" : "", code(st[1] % 100));
    return 0;
}

static long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmd_time(const char *service, int argc, char **argv)
{
    long rounds = atol(argv[0]);
    int classes = (argc - 1) / 2, order[16];

    if (classes < 1 || classes > 16)
        return 2;
    srandom((unsigned)now_ns());
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < classes; i++)
            order[i] = i;
        for (int i = classes - 1; i > 0; i--) {
            int j = (int)(random() % (i + 1)), x = order[i];

            order[i] = order[j];
            order[j] = x;
        }
        for (int k = 0; k < classes; k++) {
            int i = order[k];
            struct answers a = { { argv[2 + 2 * i] }, 1, 0, 1 };
            pam_handle_t *pamh = start(service, argv[1 + 2 * i], &a);
            long long t0 = now_ns();
            int rc = pam_authenticate(pamh, 0);
            long long t1 = now_ns();

            printf("%d %lld %s\n", i, t1 - t0, code(rc));
            pam_end(pamh, rc);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[2], "auth") == 0)
        return cmd_auth(argv[1], argv + 3);
    if (argc >= 6 && strcmp(argv[2], "change") == 0)
        return cmd_change(argv[1], argv + 3);
    if (argc >= 7 && strcmp(argv[2], "race") == 0)
        return cmd_race(argv[1], argv + 3);
    if (argc >= 6 && strcmp(argv[2], "time") == 0)
        return cmd_time(argv[1], argc - 3, argv + 3);
    fprintf(stderr, "usage: pamdrv SERVICE auth|change|race|time ...\n");
    return 2;
}
