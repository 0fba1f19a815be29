/* pwr_config.h - /etc/security/pwreset.conf, one parser for every program.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Format: "key = value" lines, '#' comments, blank lines.  An unknown key, a
 * repeated key or a bad value is an error naming file and line.  The same
 * table parses module arguments ("min_length=14") through pwr_config_set, so
 * options can override the file.  Documented in pwreset.conf(5).
 */
#ifndef PWR_CONFIG_H
#define PWR_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "pwr_err.h"
#include "pwr_hash.h"
#include "pwr_policy.h"
#include "pwr_util.h"

#define PWR_MAX_PROTECTED 32
#define PWR_MAX_EXEMPT 16
#define PWR_TEXT_MAX 256
#define PWR_HISTORY_MAX 10 /* most earlier passwords history = may keep */

struct pwr_config {
    char store[PWR_PATH_MAX];                  /* store = path */
    char admin_group[PWR_LOGIN_MAX + 1];       /* admin_group = group ("" none) */
    char protected_users[PWR_MAX_PROTECTED][PWR_LOGIN_MAX + 1];
    size_t n_protected;                        /* protected_users = a, b, c */
    unsigned min_length;                       /* min_length = 12 */
    unsigned max_length;                       /* max_length = 256 (>= 256) */
    char blocklist[PWR_POLICY_MAX_LISTS][PWR_PATH_MAX];
    size_t n_blocklist;                        /* blocklist = /a, /b */
    char breached_list[PWR_PATH_MAX];          /* breached_list = path ("" off) */
    struct pwr_hash_params hash;               /* hash = yescrypt, hash_cost = 5 */
    int64_t reset_code_ttl;                    /* reset_code_ttl = 60m */
    unsigned reset_code_max_attempts;          /* reset_code_max_attempts = 5 */
    int64_t temporary_password_ttl;            /* temporary_password_ttl = 0 (none) */
    unsigned fail_delay_ms;                    /* fail_delay = 2000 (ms) */
    unsigned lock_timeout_ms;                  /* lock_timeout = 10000 (ms) */
    char audit_socket[PWR_PATH_MAX];           /* audit_socket = /dev/log */
    char contact[PWR_TEXT_MAX];                /* contact = "your administrator" */
    /* forced changes that strand no one */
    unsigned grace_logins;                     /* grace_logins = 0 (off) */
    char exempt_services[PWR_MAX_EXEMPT][PWR_LOGIN_MAX + 1];
    size_t n_exempt;                           /* exempt_services = sudo, cron */
    unsigned breach_check_at_login;            /* breach_check_at_login = no */
    /* rotation, history, telling the user */
    unsigned history;                          /* history = 0 (off) */
    int64_t max_age;                           /* max_age = 0 (off) */
    int64_t warn_age;                          /* warn_age = 0 (off) */
    unsigned notify_mail;                      /* notify_mail = no */
    char mail_from[PWR_TEXT_MAX];              /* mail_from = root */
    char sendmail[PWR_PATH_MAX];               /* sendmail = /usr/sbin/sendmail */
    unsigned sendmail_timeout_ms;              /* sendmail_timeout = 10000 (ms) */
    /* who an admin_group member may not act on */
    char protected_groups[PWR_MAX_PROTECTED][PWR_LOGIN_MAX + 1];
    size_t n_protected_groups;                 /* protected_groups = root sudo ... */
    char login_defs[PWR_PATH_MAX];             /* login_defs = /etc/login.defs */
    /* the directory backend (docs/FLEET.md) */
    unsigned backend;                          /* backend = file | ldap */
    char ldap_uri[PWR_TEXT_MAX];               /* ldap_uri = ldaps://... */
    char ldap_base[PWR_TEXT_MAX];              /* ldap_base = ou=people,... */
    char ldap_bind_dn[PWR_TEXT_MAX];           /* this host's identity */
    char ldap_bind_password_file[PWR_PATH_MAX];
    char ldap_admin_dn[PWR_TEXT_MAX];          /* "" : no admin commands */
    char ldap_admin_password_file[PWR_PATH_MAX];
    char ldap_ca_file[PWR_PATH_MAX];           /* "" : the system's CAs */
    unsigned ldap_starttls;                    /* ldap_starttls = no */
    int64_t ldap_timeout;                      /* ldap_timeout = 5s */
    unsigned ldap_password_policy;             /* the directory hashes and
                                                  checks new passwords */
};

enum pwr_backend_kind { PWR_BACKEND_FILE = 0, PWR_BACKEND_LDAP = 1 };

/* Compiled-in defaults (store path from configure). */
void pwr_config_defaults(struct pwr_config *cfg);

/* Parse path into cfg (on top of what cfg already holds).  If the file does
 * not exist and must_exist is 0, cfg is left as is and 0 is returned.
 * When running as root the file must be owned by root and not writable by
 * group or others.  Errors: PWR_E_CONFIG, "FILE:LINE: message". */
int pwr_config_load(struct pwr_config *cfg, const char *path, int must_exist,
                    struct pwr_err *err);

/* The lenient reading of pam_pwreset: a configuration
 * error must never lock out root or the accounts outside the store.
 *  - an unknown key: reported, the line ignored;
 *  - a bad value, a repeated key, a line that does not parse: reported,
 *    the key keeps its default (a repeated key its first value);
 *  - hash_cost out of range for the method, min_length above max_length:
 *    reported, the default cost / min_length 12;
 *  - as root, a file not owned by root or writable by group or others is
 *    still read, and flagged: unsafe = 1, unsafe_problem says why.  The
 *    caller decides how far to trust it (pam_pwreset: only its store path,
 *    and only a known one; every account in that store is refused);
 *  - the store cannot be known - the file cannot be read at all (symbolic
 *    link, not a regular file, too large, no permission), or a failed line
 *    sets "store", names a key within two letters of it, or has no
 *    readable key: -1 with err set, cfg left at what it held before.
 * report (may be NULL) is called once per problem of the contents,
 * message "FILE:LINE: what (key 'name')"; problems counts every problem,
 * the file-level one returned in err included. */
struct pwr_config_lenient {
    void (*report)(void *arg, const struct pwr_err *problem);
    void *arg;
    unsigned problems;
    int store_bad;
    struct pwr_err store_problem;
    int unsafe;
    struct pwr_err unsafe_problem;
};
int pwr_config_load_lenient(struct pwr_config *cfg, const char *path,
                            struct pwr_config_lenient *lenient,
                            struct pwr_err *err);

/* Set one key from text, exactly as a file line would. */
int pwr_config_set(struct pwr_config *cfg, const char *key, const char *value,
                   struct pwr_err *err);

/* 1 if key is a configuration key. */
int pwr_config_is_key(const char *key);

/* Fill a policy view of cfg (pointers into cfg; valid while cfg lives). */
void pwr_config_policy(const struct pwr_config *cfg, struct pwr_policy *pol);

/* 1 if service is in exempt_services. */
int pwr_config_is_exempt(const struct pwr_config *cfg, const char *service);

/* "file" or "ldap", as the audit field backend= names cfg's backend. */
const char *pwr_config_backend_name(const struct pwr_config *cfg);

/* 1 if login is in protected_users. */
int pwr_config_is_protected(const struct pwr_config *cfg, const char *login);

#endif
