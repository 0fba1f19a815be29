/* pwr_store_ldap_conn.c - the directory backend's connection: libldap told
 * to read no ldaprc, every step bounded by what is left of ldap_timeout,
 * TLS as configured, the bind as this host or as the admin identity from a
 * root-only password file, and a person's password checked by binding as
 * them with the ppolicy control.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Rules: LDAPNOINIT is set before the first ldap_initialize (libldap reads
 * ./ldaprc when the real and effective uid are equal), and Cyrus SASL's
 * plugin path names a directory without plugins (libldap's first handle
 * starts SASL, which would dlopen every plugin and OpenSSL with them: code
 * a set-uid program never uses, since every bind here is simple, and about
 * 1.6 ms of each login; EXTERNAL is built into libsasl2 and stays); a
 * password file
 * must be a regular file owned by the effective user with no group or
 * other permission, and its contents are wiped once bound; an answer that
 * does not come within ldap_timeout is PWR_E_UNAVAIL naming the URI.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sasl/sasl.h>
#include <sodium.h>

#include "pwr_secret.h"
#include "pwr_store_ldap.h"

#define SECRET_MAX 512

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pl_begin(struct pl_store *ls)
{
    ls->deadline_ms = mono_ms() + (ls->o.timeout_ms ? ls->o.timeout_ms : 5000);
}

int pl_unreachable(int rc)
{
    return rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT ||
           rc == LDAP_CONNECT_ERROR || rc == LDAP_UNAVAILABLE ||
           rc == LDAP_BUSY || rc == LDAP_TIMELIMIT_EXCEEDED;
}

/* TLS is asked for: StartTLS, or an ldaps:// URI. */
static int uses_tls(const struct pl_store *ls)
{
    return ls->o.starttls || strstr(ls->o.uri, "ldaps://") != NULL;
}

int pl_private_channel(const struct pl_store *ls)
{
    return pwr_ldap_uris_private(ls->o.uri, ls->o.starttls);
}

int pl_fail(struct pl_store *ls, int rc, const char *what,
            struct pwr_err *err)
{
    /* libldap's word for a failed TLS handshake; GnuTLS's reason (an
     * unknown CA, a name the certificate is not for) does not reach it. */
    if (rc == LDAP_CONNECT_ERROR && uses_tls(ls))
        return pwr_fail(err, PWR_E_UNAVAIL,
                        "account service unavailable: TLS with the directory "
                        "%s failed (%s): check that ldap_ca_file (%s) holds "
                        "the CA that signed the directory's certificate and "
                        "that ldap_uri names a host it is for", ls->o.uri,
                        what, ls->o.ca_file != NULL && ls->o.ca_file[0] != '\0'
                                  ? ls->o.ca_file
                                  : "unset: the system's CAs");
    if (pl_unreachable(rc))
        return pwr_fail(err, PWR_E_UNAVAIL,
                        "account service unavailable: the directory %s did "
                        "not answer within %u ms (%s: %s)", ls->o.uri,
                        ls->o.timeout_ms, what, ldap_err2string(rc));
    if (rc == LDAP_INSUFFICIENT_ACCESS)
        return pwr_fail(err, PWR_E_PERM, "the directory %s refused %s to %s",
                        ls->o.uri, what,
                        ls->o.admin ? ls->o.admin_dn : ls->o.bind_dn);
    return pwr_fail(err, PWR_E_STORE, "directory %s: %s: %s", ls->o.uri,
                    what, ldap_err2string(rc));
}

void pl_timeval(const struct pl_store *ls, struct timeval *tv)
{
    int64_t left = ls->deadline_ms - mono_ms();

    if (left < 1)
        left = 1;
    tv->tv_sec = (time_t)(left / 1000);
    tv->tv_usec = (suseconds_t)(left % 1000) * 1000;
}

int pl_arm(struct pl_store *ls, LDAP *ld, struct pwr_err *err)
{
    int64_t left = ls->deadline_ms - mono_ms();
    struct timeval tv;

    if (left <= 0)
        return pl_fail(ls, LDAP_TIMEOUT, "no time left", err);
    tv.tv_sec = (time_t)(left / 1000);
    tv.tv_usec = (suseconds_t)(left % 1000) * 1000;
    if (ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS)
        return pwr_fail(err, PWR_E_INTERNAL, "cannot set the LDAP timeouts");
    return 0;
}

/* The bind password: a root-only regular file, its first line. */
static int read_secret(const char *path, char *out, size_t outsz,
                       struct pwr_err *err)
{
    if (path == NULL || path[0] != '/')
        return pwr_fail(err, PWR_E_CONFIG, "no LDAP password file configured");
    return pwr_read_secret_file(path, out, outsz, err);
}

static int set_tls(struct pl_store *ls, LDAP *ld, struct pwr_err *err)
{
    int demand = LDAP_OPT_X_TLS_DEMAND, zero = 0, rc, fd;
    const char *ca = ls->o.ca_file;

    /* Opened, not access(): the check is the effective user's. */
    if (ca != NULL && ca[0] != '\0') {
        fd = open(ca, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
            return pwr_fail_errno(err, PWR_E_CONFIG, errno,
                                  "ldap_ca_file %s", ca);
        close(fd);
    }
    if (ca != NULL && ca[0] != '\0' &&
        ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, ca) != LDAP_OPT_SUCCESS)
        return pwr_fail(err, PWR_E_CONFIG, "ldap_ca_file %s not usable", ca);
    if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) !=
            LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS)
        return pwr_fail(err, PWR_E_CONFIG, "cannot set up TLS for %s with "
                        "ldap_ca_file %s", ls->o.uri,
                        ca != NULL && ca[0] != '\0' ? ca
                                                   : "unset (the system's CAs)");
    if (!ls->o.starttls)
        return 0;
    if (pl_arm(ls, ld, err) < 0)
        return -1;
    rc = ldap_start_tls_s(ld, NULL, NULL);
    return rc == LDAP_SUCCESS ? 0 : pl_fail(ls, rc, "StartTLS", err);
}

/* Cyrus SASL, which libldap starts with its first handle, loads every
 * plugin of its plugin directory.  It is pointed at a directory that
 * always exists, only root can write and never holds a .so or .la file
 * (a missing one would make it log "failed to open directory" to syslog
 * at every run, whatever log callback is given). */
#define PL_SASL_NO_PLUGINS "/proc/self/fdinfo"

static int no_sasl_plugins(void)
{
    static int done;

    if (!done && sasl_set_path(SASL_PATH_TYPE_PLUGIN,
                               PL_STR(PL_SASL_NO_PLUGINS)) != SASL_OK)
        return -1;
    done = 1;
    return 0;
}

/* A new handle for ls's URI, version 3, no referrals, TLS as configured. */
static int new_handle(struct pl_store *ls, LDAP **out, struct pwr_err *err)
{
    int v3 = LDAP_VERSION3;
    LDAP *ld = NULL;

    *out = NULL;
    /* Before ldap_initialize: no ldaprc, ldap.conf or LDAP* variables, and
     * no SASL plugins (no_sasl_plugins). */
    if (setenv("LDAPNOINIT", "1", 1) < 0)
        return pwr_fail(err, PWR_E_INTERNAL, "setenv LDAPNOINIT");
    if (no_sasl_plugins() < 0)
        return pwr_fail(err, PWR_E_INTERNAL, "cannot turn SASL plugins off");
    if (ls->o.uri == NULL || ldap_initialize(&ld, ls->o.uri) != LDAP_SUCCESS)
        return pwr_fail(err, PWR_E_CONFIG, "ldap_uri '%s' is not usable",
                        ls->o.uri ? ls->o.uri : "");
    if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) !=
            LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) !=
            LDAP_OPT_SUCCESS ||
        set_tls(ls, ld, err) < 0) {
        ldap_unbind_ext_s(ld, NULL, NULL);
        return err->code != PWR_OK ? -1
                                   : pwr_fail(err, PWR_E_INTERNAL,
                                              "cannot set LDAP options");
    }
    *out = ld;
    return 0;
}

static int simple_bind(struct pl_store *ls, LDAP *ld, const char *dn,
                       const char *pwfile, struct pwr_err *err)
{
    char secret[SECRET_MAX];
    struct berval cred;
    int rc;

    if (read_secret(pwfile, secret, sizeof(secret), err) < 0)
        return -1;
    cred.bv_val = secret;
    cred.bv_len = strlen(secret);
    /* pl_arm's -1 is not LDAP_SERVER_DOWN (also -1: nobody listens). */
    if (pl_arm(ls, ld, err) < 0) {
        sodium_memzero(secret, sizeof(secret));
        return -1;
    }
    rc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    sodium_memzero(secret, sizeof(secret));
    if (rc == LDAP_INVALID_CREDENTIALS)
        return pwr_fail(err, PWR_E_CONFIG, "directory %s: the bind as %s "
                        "was refused (check %s)", ls->o.uri, dn, pwfile);
    return rc == LDAP_SUCCESS ? 0 : pl_fail(ls, rc, "bind", err);
}

int pl_connect(struct pl_store *ls, struct pwr_err *err)
{
    const char *dn = ls->o.admin ? ls->o.admin_dn : ls->o.bind_dn;
    const char *pw = ls->o.admin ? ls->o.admin_password_file
                                 : ls->o.bind_password_file;
    LDAP *ld;

    if (ls->ld != NULL && !ls->ld_person)
        return 0;
    if (ls->ld != NULL) { /* a password check bound it as the person */
        if (simple_bind(ls, ls->ld, dn, pw, err) < 0) {
            pl_disconnect(ls);
            return -1;
        }
        ls->ld_person = 0;
        return 0;
    }
    if (ls->o.admin && (dn == NULL || dn[0] == '\0'))
        return pwr_fail(err, PWR_E_PERM, "this host cannot administer the "
                        "directory: no ldap_admin_dn in its configuration");
    if (dn == NULL || dn[0] == '\0')
        return pwr_fail(err, PWR_E_CONFIG, "backend = ldap needs ldap_uri, "
                        "ldap_base, ldap_bind_dn and ldap_bind_password_file");
    if (new_handle(ls, &ld, err) < 0)
        return -1;
    if (simple_bind(ls, ld, dn, pw, err) < 0) {
        ldap_unbind_ext_s(ld, NULL, NULL);
        return -1;
    }
    ls->ld = ld;
    return 0;
}

void pl_disconnect(struct pl_store *ls)
{
    if (ls->ld != NULL)
        ldap_unbind_ext_s(ls->ld, NULL, NULL);
    ls->ld = NULL;
    ls->ld_person = 0;
}

int pl_bind_as(struct pl_store *ls, const char *dn, const char *password,
               LDAP **out, struct pwr_err *err)
{
    struct berval cred = { strlen(password), PL_STR(password) };
    LDAP *ld;
    int rc;

    *out = NULL;
    if (new_handle(ls, &ld, err) < 0)
        return -1;
    if (pl_arm(ls, ld, err) < 0) {
        ldap_unbind_ext_s(ld, NULL, NULL);
        return -1;
    }
    rc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    if (rc != LDAP_SUCCESS) {
        ldap_unbind_ext_s(ld, NULL, NULL);
        return pl_fail(ls, rc, "bind as the person", err);
    }
    *out = ld;
    return 0;
}

/* The DN of login's enrolled entry: 1, 0 none, -1 error. */
static int find_dn(struct pl_store *ls, const char *login, char **dn,
                   struct pwr_err *err)
{
    char filter[PWR_LOGIN_MAX * 3 + 64];
    char *none[] = { PL_STR(LDAP_NO_ATTRS), NULL };
    LDAPMessage *res = NULL, *msg;
    int rc;

    *dn = NULL;
    if (pl_filter(login, 1, filter, sizeof(filter)) < 0)
        return 0;
    if (pl_connect(ls, err) < 0 || pl_arm(ls, ls->ld, err) < 0)
        return -1;
    rc = ldap_search_ext_s(ls->ld, ls->o.base, LDAP_SCOPE_SUBTREE, filter,
                           none, 0, NULL, NULL, NULL, 2, &res);
    if (rc != LDAP_SUCCESS) {
        ldap_msgfree(res);
        return pl_fail(ls, rc, "search", err);
    }
    msg = ldap_first_entry(ls->ld, res);
    if (msg != NULL && ldap_count_entries(ls->ld, res) == 1)
        *dn = ldap_get_dn(ls->ld, msg);
    ldap_msgfree(res);
    return *dn != NULL;
}

/* Bind as dn with the ppolicy control: 1 right, 0 wrong, -1 error. */
static int person_bind(struct pl_store *ls, LDAP *ld, const char *dn,
                       const char *password, int *locked, struct pwr_err *err)
{
    struct berval cred = { strlen(password), PL_STR(password) };
    LDAPControl *pp = NULL, *sctrls[2] = { NULL, NULL }, **rctrls = NULL;
    LDAPPasswordPolicyError pperr = PP_noError;
    LDAPMessage *res = NULL;
    struct timeval tv;
    int msgid, rc, code = LDAP_OTHER;

    if (ldap_create_passwordpolicy_control(ld, &pp) != LDAP_SUCCESS)
        return pwr_fail(err, PWR_E_INTERNAL, "ppolicy control");
    sctrls[0] = pp;
    rc = ldap_sasl_bind(ld, dn, LDAP_SASL_SIMPLE, &cred, sctrls, NULL, &msgid);
    ldap_control_free(pp);
    pl_timeval(ls, &tv);
    if (rc == LDAP_SUCCESS && ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, &res) <= 0)
        rc = LDAP_TIMEOUT;
    if (rc == LDAP_SUCCESS)
        rc = ldap_parse_result(ld, res, &code, NULL, NULL, NULL, &rctrls, 1);
    if (rc != LDAP_SUCCESS)
        return pl_fail(ls, rc, "password check", err);
    for (size_t i = 0; rctrls != NULL && rctrls[i] != NULL; i++)
        if (strcmp(rctrls[i]->ldctl_oid, LDAP_CONTROL_PASSWORDPOLICYRESPONSE) == 0)
            (void)ldap_parse_passwordpolicy_control(ld, rctrls[i], NULL, NULL,
                                                    &pperr);
    ldap_controls_free(rctrls);
    *locked = pperr == PP_accountLocked;
    if (code == LDAP_SUCCESS)
        return 1;
    if (code == LDAP_INVALID_CREDENTIALS)
        return 0;
    return pl_fail(ls, code, "password check", err);
}

/* Bind as dn on the connection the look-up used: one connection (and,
 * with TLS, one handshake) per login.  The bind leaves it the person's
 * (or anonymous, after a wrong password): pl_connect binds it back before
 * anything else uses it. */
static int check_at(struct pl_store *ls, const char *dn, const char *password,
                    int *locked, struct pwr_err *err)
{
    if (password[0] == '\0')
        return 0;
    if (pl_connect(ls, err) < 0 || pl_arm(ls, ls->ld, err) < 0)
        return -1;
    ls->ld_person = 1;
    return person_bind(ls, ls->ld, dn, password, locked, err);
}

int pl_check_password(void *ctx, const char *login, const char *password,
                      int *locked, struct pwr_err *err)
{
    struct pl_store *ls = ctx;
    const struct pl_known *k = pl_known_of(ls, login);
    char *dn = NULL;
    int rc;

    *locked = 0;
    pl_begin(ls);
    /* The entry this run's look-up found: no second search. */
    if (k != NULL && k->dn != NULL)
        return check_at(ls, k->dn, password, locked, err);
    rc = find_dn(ls, login, &dn, err);
    if (rc <= 0)
        return rc;
    rc = check_at(ls, dn, password, locked, err);
    ldap_memfree(dn);
    return rc;
}
