/* cli_term.c - talking to the person at the terminal: secrets read without
 * echo from the terminal (never from argv or the environment), one line
 * from stdin with --stdin, and the confirmation irreversible actions need.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The terminal is found as getpass(3) finds it: /dev/tty, else standard
 * input when it is a terminal, with the prompts on standard error.  The
 * second case is "su USER -c 'pwreset passwd'": util-linux su runs the
 * command in a new session with no controlling terminal, its standard
 * input still the user's terminal.
 *
 * Echo is always restored: a signal that arrives while it is off
 * interrupts the read, the terminal is restored and the secret wiped, and
 * only then does the signal take effect.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "pwr_secret.h"

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
    caught = sig;
}

static const int trapped[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void trap_signals(struct sigaction *old)
{
    struct sigaction sa;
    size_t i;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: read() must return */
    sigemptyset(&sa.sa_mask);
    caught = 0;
    for (i = 0; i < PWR_ARRAY_SIZE(trapped); i++)
        sigaction(trapped[i], &sa, &old[i]);
}

static void untrap_signals(const struct sigaction *old)
{
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(trapped); i++)
        sigaction(trapped[i], &old[i], NULL);
    if (caught != 0)
        raise(caught);
}

/* Set by read_line when it refused a line for holding a NUL byte. */
static int line_had_nul;

/* Read one line from fd into buf (NUL-terminated, no LF).  PWR_OK,
 * PWR_E_USAGE when it is longer than the buffer or holds a NUL byte (a
 * secret must never be cut short at one), PWR_E_CANCEL on EOF before any
 * byte or on a signal. */
static int read_line(int fd, char *buf, size_t bufsz)
{
    size_t n = 0;
    int too_long = 0;
    char c;

    line_had_nul = 0;
    for (;;) {
        ssize_t r = read(fd, &c, 1);

        if (r < 0 && errno == EINTR && caught == 0)
            continue;
        if (r < 0 || (r == 0 && n == 0 && !too_long)) {
            pwr_wipe(buf, bufsz);
            return PWR_E_CANCEL;
        }
        if (r == 0 || c == '\n')
            break;
        if (c == '\0')
            line_had_nul = 1;
        if (n + 1 < bufsz)
            buf[n++] = c;
        else
            too_long = 1;
    }
    c = 0;
    buf[n] = '\0';
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    if (too_long || line_had_nul) {
        pwr_wipe(buf, bufsz);
        return PWR_E_USAGE;
    }
    return PWR_OK;
}

struct term {
    int in, out; /* the same descriptor for /dev/tty */
    int opened;  /* in is /dev/tty, opened here (close it) */
};

/* 0 with t set, or -1 when there is no terminal to talk to. */
static int term_open(struct term *t)
{
    t->in = t->out = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    t->opened = t->in >= 0;
    if (t->opened)
        return 0;
    if (!isatty(STDIN_FILENO))
        return -1;
    t->in = STDIN_FILENO;
    t->out = STDERR_FILENO;
    return 0;
}

static void term_close(const struct term *t)
{
    if (t->opened)
        close(t->in);
}

static int prompt_noecho(const struct term *t, const char *prompt, char *buf,
                         size_t bufsz)
{
    struct termios old, quiet;
    struct sigaction saved[PWR_ARRAY_SIZE(trapped)];
    int rc, have_termios = tcgetattr(t->in, &old) == 0;

    /* Echo goes off before the prompt appears, so nothing typed in
     * answer to it can be shown. */
    trap_signals(saved);
    if (have_termios) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        (void)tcsetattr(t->in, TCSANOW, &quiet);
    }
    rc = pwr_write_all(t->out, prompt, strlen(prompt)) < 0
             ? PWR_E_CANCEL
             : read_line(t->in, buf, bufsz);
    if (have_termios)
        (void)tcsetattr(t->in, TCSANOW, &old);
    untrap_signals(saved);
    return rc;
}

int cli_check_secret(const char *s, const char *what)
{
    size_t len = strlen(s);

    if (len == 0) {
        cli_err("empty %s", what);
        return PWR_E_USAGE;
    }
    if (!pwr_utf8_valid(s, len, NULL)) {
        cli_err("the %s is not valid UTF-8 text", what);
        return PWR_E_USAGE;
    }
    return PWR_OK;
}

int cli_stdin_line(char *buf, size_t bufsz)
{
    int rc = read_line(STDIN_FILENO, buf, bufsz);

    if (rc == PWR_E_USAGE && line_had_nul)
        cli_err("the line on stdin holds a NUL byte");
    else if (rc == PWR_E_USAGE)
        cli_err("the line on stdin is longer than %zu bytes", bufsz - 1);
    else if (rc != PWR_OK)
        cli_err("nothing to read on stdin");
    return rc == PWR_E_CANCEL ? PWR_E_USAGE : rc;
}

static int from_tty(const char *prompt, const char *confirm, char *buf,
                    size_t bufsz)
{
    char again[CLI_SECRET_MAX];
    struct term t;
    int rc;

    if (term_open(&t) < 0) {
        cli_err("no terminal to read the password from (use --stdin)");
        return PWR_E_USAGE;
    }
    rc = prompt_noecho(&t, prompt, buf, bufsz);
    if (rc == PWR_OK && confirm != NULL) {
        rc = prompt_noecho(&t, confirm, again, sizeof(again));
        if (rc == PWR_OK && strcmp(buf, again) != 0) {
            cli_err("the two entries differ");
            rc = PWR_E_USAGE;
        }
        pwr_wipe(again, sizeof(again));
    }
    term_close(&t);
    if (rc == PWR_E_USAGE && buf[0] == '\0' && line_had_nul)
        cli_err("the entry holds a NUL byte");
    else if (rc == PWR_E_USAGE && buf[0] == '\0')
        cli_err("the entry is longer than %zu bytes", bufsz - 1);
    return rc;
}

int cli_read_secret(const struct cli *cli, const char *prompt,
                    const char *confirm, char *buf, size_t bufsz)
{
    int rc = cli->use_stdin ? cli_stdin_line(buf, bufsz)
                            : from_tty(prompt, confirm, buf, bufsz);

    if (rc == PWR_OK)
        rc = cli_check_secret(buf, "password");
    if (rc != PWR_OK)
        pwr_wipe(buf, bufsz);
    return rc;
}

static void describe_target(FILE *tty, const char *action, const char *login)
{
    struct passwd *pw = getpwnam(login);
    size_t name_len = pw != NULL && pw->pw_gecos != NULL
                          ? strcspn(pw->pw_gecos, ",")
                          : 0;

    fprintf(tty, "About to %s for:\n  login: %s\n", action, login);
    if (pw == NULL) {
        fprintf(tty, "  (not a user of this system)\n");
        return;
    }
    fprintf(tty, "  uid:   %u\n  name:  %.*s\n", (unsigned)pw->pw_uid,
            (int)name_len, name_len > 0 ? pw->pw_gecos : "-");
}

static int no_confirmation(const char *action)
{
    cli_err("refusing to %s without confirmation: no terminal (use --yes)",
            action);
    return PWR_E_CANCEL;
}

int cli_confirm(const struct cli *cli, const char *action, const char *login)
{
    char answer[64];
    struct term t;
    FILE *out;
    int fd, rc;

    if (cli->yes)
        return PWR_OK;
    if (term_open(&t) < 0)
        return no_confirmation(action);
    fd = fcntl(t.out, F_DUPFD_CLOEXEC, 0);
    out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (out == NULL) {
        if (fd >= 0)
            close(fd);
        term_close(&t);
        return no_confirmation(action);
    }
    describe_target(out, action, login);
    fprintf(out, "This cannot be undone. Type yes to continue: ");
    fflush(out);
    rc = read_line(t.in, answer, sizeof(answer));
    fclose(out);
    term_close(&t);
    if (rc != PWR_OK || strcmp(answer, "yes") != 0) {
        cli_err("cancelled");
        return PWR_E_CANCEL;
    }
    return PWR_OK;
}
