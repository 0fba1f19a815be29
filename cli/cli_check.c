/* cli_check.c - pwreset check-config: the configuration file checked as
 * pam_pwreset and pwreset-helper read it.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Every problem is one line "FILE:LINE: message" (or "FILE: message") on
 * stdout; the exit status is 0 when there is none, else PWR_E_CONFIG.  It
 * runs in this process, with the very parser of the module and the helper
 * (pwr_config_load_lenient), so it sees every problem of the file, not just
 * the first, and checks what the file points at with the rules the readers
 * apply:
 *  - the file: a regular file, no symbolic link, owned by root and not
 *    writable by group or others (whoever runs the check: the module and
 *    the helper run as root);
 *  - each line: known key, once, a value its key accepts, cross-key rules;
 *  - blocklist and breached_list: exist and open under the word-list rules
 *    (pwr_word_list_rules), the breached list not empty and its first line
 *    "HASH:COUNT";
 *  - store: a store that is expected there but missing (pwr_expect.h).
 * Run it as root: an ordinary user may not be able to read what it names.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "pwr_config.h"
#include "pwr_expect.h"
#include "pwr_policy.h"

#ifndef PWR_CONFIG_PATH
#error "PWR_CONFIG_PATH must be defined by the build"
#endif

struct check {
    const char *path;
    unsigned problems;
};

static void problem(struct check *c, const char *msg)
{
    /* Messages of the file's own checks already start with its path. */
    if (strncmp(msg, c->path, strlen(c->path)) == 0)
        printf("%s\n", msg);
    else
        printf("%s: %s\n", c->path, msg);
    c->problems++;
}

static void report_line(void *arg, const struct pwr_err *p)
{
    problem(arg, p->msg);
}

/* Owner and mode as root would find them, whoever runs the check. */
static void check_file(struct check *c)
{
    char msg[PWR_PATH_MAX + 128];
    struct stat st;

    if (lstat(c->path, &st) < 0 || !S_ISREG(st.st_mode))
        return; /* the reader says what is wrong */
    if (st.st_uid != 0) {
        snprintf(msg, sizeof(msg), "owned by uid %u, not root: fix with "
                 "chown root:root %s", (unsigned)st.st_uid, c->path);
        problem(c, msg);
    }
    if (st.st_mode & 022) {
        snprintf(msg, sizeof(msg), "mode %04o lets group or others write "
                 "it: fix with chmod 644 %s",
                 (unsigned)(st.st_mode & 07777), c->path);
        problem(c, msg);
    }
}

/* The first line of a breached list must be "40 hex digits:COUNT". */
static int first_line_ok(int fd)
{
    char line[64];
    ssize_t n = pread(fd, line, sizeof(line) - 1, 0);
    size_t i;

    if (n < 42)
        return 0;
    for (i = 0; i < 40; i++)
        if (strchr("0123456789abcdefABCDEF", line[i]) == NULL ||
            line[i] == '\0')
            return 0;
    return line[40] == ':' && line[41] >= '0' && line[41] <= '9';
}

static void check_lists(struct check *c, const struct pwr_config *cfg)
{
    char msg[PWR_PATH_MAX + 128];
    struct pwr_err err;
    size_t i, size;
    int fd;

    for (i = 0; i < cfg->n_blocklist && i < PWR_POLICY_MAX_LISTS; i++) {
        fd = pwr_open_safely(cfg->blocklist[i], O_RDONLY, 0,
                             &pwr_word_list_rules, &err);
        if (fd < 0) {
            snprintf(msg, sizeof(msg), "blocklist %s", err.msg);
            problem(c, msg);
        } else {
            close(fd);
        }
    }
    if (cfg->breached_list[0] == '\0')
        return;
    fd = pwr_breach_open(cfg->breached_list, &size, &err);
    if (fd < 0) {
        problem(c, err.msg);
        return;
    }
    if (!first_line_ok(fd)) {
        snprintf(msg, sizeof(msg), "breached-password list %s: first line "
                 "is not HASH:COUNT", cfg->breached_list);
        problem(c, msg);
    }
    close(fd);
}

int cli_cmd_check_config(struct cli *cli, int argc, char **argv)
{
    const struct cli_cmd *cmd = cli_find("check-config");
    struct check c = { NULL, 0 };
    struct pwr_config_lenient len = { .report = report_line, .arg = &c };
    struct pwr_config cfg;
    struct pwr_err err;
    int first = cli_parse(cli, cmd, argc, argv);

    if (first < 0)
        return PWR_E_USAGE;
    if (first < argc)
        return cli_usage_error(cmd, "takes no operands");
    c.path = cli->config[0] != '\0' ? cli->config : PWR_CONFIG_PATH;
    if (access(c.path, F_OK) < 0) {
        printf("%s: does not exist: the built-in defaults are used\n",
               c.path);
    } else {
        check_file(&c);
    }
    pwr_config_defaults(&cfg);
    if (pwr_config_load_lenient(&cfg, c.path, &len, &err) < 0) {
        if (!len.store_bad) /* a bad line was reported already */
            problem(&c, err.msg);
        printf("%s: no usable store setting: pam_pwreset refuses every "
               "account but root until this is fixed\n", c.path);
    } else {
        check_lists(&c, &cfg);
        if (pwr_store_check_present(cfg.store, c.path, 1, &err) < 0)
            problem(&c, err.msg);
    }
    if (c.problems == 0)
        printf("%s: no problems found\n", c.path);
    return c.problems == 0 ? PWR_OK : PWR_E_CONFIG;
}
