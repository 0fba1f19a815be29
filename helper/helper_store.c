/* helper_store.c - what the helper does differently per store backend:
 * which backend pwreset.conf chooses and with which directory identity
 * (this host's for logins, the admin's for admin commands), how a
 * password is checked where the backend keeps the hashes itself, and the
 * audit fields that name the backend and the entry's version.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <string.h>

#include "helper.h"
#include "pwr_decide.h"
#include "pwr_hash.h"

void hx_store_backend(struct hx *hx, struct pwr_store_opts *opts)
{
    const struct pwr_config *c = &hx->cfg;

    if (c->backend != PWR_BACKEND_LDAP)
        return;
    memset(&hx->ldap, 0, sizeof(hx->ldap));
    hx->ldap.uri = c->ldap_uri;
    hx->ldap.base = c->ldap_base;
    hx->ldap.bind_dn = c->ldap_bind_dn;
    hx->ldap.bind_password_file = c->ldap_bind_password_file;
    hx->ldap.admin_dn = c->ldap_admin_dn;
    hx->ldap.admin_password_file = c->ldap_admin_password_file;
    hx->ldap.ca_file = c->ldap_ca_file;
    hx->ldap.starttls = (int)c->ldap_starttls;
    hx->ldap.password_policy = (int)c->ldap_password_policy;
    hx->ldap.timeout_ms = (unsigned)(c->ldap_timeout * 1000);
    hx->ldap.admin = hx->admin_op;
    opts->backend = &pwr_store_ldap_backend;
    opts->ldap = &hx->ldap;
}

void hx_audit_backend(struct hx *hx, struct pwr_audit *a, const char *user)
{
    const char *csn = user != NULL ? pwr_store_version(hx->store, user) : NULL;

    pwr_audit_add(a, "backend", pwr_config_backend_name(&hx->cfg));
    if (csn != NULL)
        pwr_audit_add(a, "csn", csn);
}

/* The backend said the password is right: as pwr_auth_check would. */
static void password_ok(struct hx *hx, const struct pwr_record *rec,
                        struct pwr_auth_result *res)
{
    res->code_try = 0;
    if (rec->flags & PWR_F_TEMPORARY) {
        res->method = PWR_AM_TEMPORARY;
        res->outcome = (rec->temp_expires != 0 && hx->now >= rec->temp_expires)
                           ? PWR_AUTH_TEMP_EXPIRED
                           : PWR_AUTH_OK;
    } else {
        res->method = PWR_AM_PASSWORD;
        res->outcome = PWR_AUTH_OK;
    }
}

int hx_auth_check(struct hx *hx, const struct pwr_record *rec,
                  const char *typed, struct pwr_auth_result *res,
                  struct pwr_err *err)
{
    int locked = 0, ok;

    /* The directory checks a known person's password by a bind, which
     * costs slapd one hash; a login with no entry costs one hash here, so
     * the time does not tell whether the account exists. */
    if (rec == NULL && hx->cfg.backend == PWR_BACKEND_LDAP) {
        memset(res, 0, sizeof(*res));
        res->outcome = PWR_AUTH_WRONG;
        pwr_hash_dummy(typed, &hx->cfg.hash);
        return 0;
    }
    pwr_auth_check(rec, typed, &hx->cfg, hx->now, res);
    /* A matching code is not tried as a password: a bind with it would
     * count as a failure in the directory's lockout. */
    if (rec == NULL || res->outcome == PWR_AUTH_OK ||
        rec->status == PWR_ST_PENDING || rec->status == PWR_ST_DELETED)
        return 0;
    ok = pwr_store_check_password(hx->store, rec->login, typed, &locked, err);
    if (ok == -2)
        return 0;
    if (ok < 0)
        return -1;
    if (ok == 1)
        password_ok(hx, rec, res);
    return 0;
}
