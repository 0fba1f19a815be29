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
 *  - store: a store that is expected there but missing (pwr_expect.h);
 *  - backend = ldap: the keys it needs, no history (not enforced there),
 *    ldap_admin_dn and its password
 *    file together, URIs ldap://, ldaps:// or ldapi://, and the password
 *    files and ldap_ca_file under the rules pwreset-helper reads them with
 *    (a password file: a regular file, no symbolic link, owned by root, no
 *    group or other permission, a first line).  The directory itself is
 *    not contacted: this process links no LDAP library.
 * Run it as root: an ordinary user may not be able to read what it names.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "pwr_config.h"
#include "pwr_expect.h"
#include "pwr_policy.h"
#include "pwr_secret.h"

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

/* ---- backend = ldap ------------------------------------------------------ */

static void need(struct check *c, const char *value, const char *key,
                 const char *what)
{
    char msg[256];

    if (value[0] != '\0')
        return;
    snprintf(msg, sizeof(msg), "backend = ldap needs %s (%s)", key, what);
    problem(c, msg);
}

/* Every URI of the list (space or comma separated) is ldap://, ldaps://
 * or ldapi://. */
static void check_uris(struct check *c, const char *list)
{
    static const char *const schemes[] = { "ldap://", "ldaps://", "ldapi://" };
    char msg[PWR_TEXT_MAX + 96];
    const char *p = list;

    while (*p != '\0') {
        size_t n = strcspn(p, " ,"), i, ok = 0;

        for (i = 0; n > 0 && i < PWR_ARRAY_SIZE(schemes); i++)
            ok |= n > strlen(schemes[i]) &&
                  strncmp(p, schemes[i], strlen(schemes[i])) == 0;
        if (n > 0 && !ok) {
            snprintf(msg, sizeof(msg), "ldap_uri '%.*s' is not an ldap://, "
                     "ldaps:// or ldapi:// URI", (int)n, p);
            problem(c, msg);
        }
        p += n;
        p += strspn(p, " ,");
    }
}

/* A directory password file as pwreset-helper reads it. */
static void check_secret(struct check *c, const char *key, const char *path)
{
    char msg[PWR_PATH_MAX * 4 + 256], secret[512];
    struct pwr_err err;

    if (path[0] == '\0')
        return;
    if (pwr_read_secret_file(path, secret, sizeof(secret), &err) < 0) {
        snprintf(msg, sizeof(msg), "%s %s", key, err.msg);
        problem(c, msg);
    }
    pwr_wipe(secret, sizeof(secret));
}

static void check_directory(struct check *c, const struct pwr_config *cfg)
{
    char msg[PWR_PATH_MAX + 96];
    struct stat st;

    if (cfg->backend != PWR_BACKEND_LDAP)
        return;
    need(c, cfg->ldap_uri, "ldap_uri", "where the directory answers");
    need(c, cfg->ldap_base, "ldap_base", "where the accounts live");
    need(c, cfg->ldap_bind_dn, "ldap_bind_dn", "this host's identity");
    need(c, cfg->ldap_bind_password_file, "ldap_bind_password_file",
         "the root-only file with this host's password");
    check_uris(c, cfg->ldap_uri);
    if (cfg->ldap_password_policy &&
        !pwr_ldap_uris_private(cfg->ldap_uri, (int)cfg->ldap_starttls))
        problem(c, "ldap_password_policy = yes sends new passwords to the "
                   "directory as typed: ldap_uri needs ldaps://, ldapi:// or "
                   "this host, or set ldap_starttls = yes");
    if (cfg->history > 0)
        problem(c, "history is not enforced with backend = ldap (a host "
                   "keeps no hashes of directory accounts): set history = 0 "
                   "here; with ldap_password_policy = yes the directory's "
                   "pwdInHistory refuses reuse (docs/FLEET.md)");
    check_secret(c, "ldap_bind_password_file", cfg->ldap_bind_password_file);
    if ((cfg->ldap_admin_dn[0] == '\0') !=
        (cfg->ldap_admin_password_file[0] == '\0'))
        problem(c, "ldap_admin_dn and ldap_admin_password_file go together "
                   "(set both on a host where administrators act, or "
                   "neither)");
    check_secret(c, "ldap_admin_password_file", cfg->ldap_admin_password_file);
    if (cfg->ldap_ca_file[0] != '\0' &&
        (stat(cfg->ldap_ca_file, &st) < 0 || !S_ISREG(st.st_mode) ||
         access(cfg->ldap_ca_file, R_OK) < 0)) {
        snprintf(msg, sizeof(msg), "ldap_ca_file %s: not a readable file",
                 cfg->ldap_ca_file);
        problem(c, msg);
    }
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
        check_directory(&c, &cfg);
        if (pwr_store_check_present(cfg.store, c.path, 1, &err) < 0)
            problem(&c, err.msg);
    }
    if (c.problems == 0)
        printf("%s: no problems found\n", c.path);
    return c.problems == 0 ? PWR_OK : PWR_E_CONFIG;
}
