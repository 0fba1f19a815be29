/* pwr_config.c - /etc/security/pwreset.conf and module arguments, parsed
 * through one table of keys (pwr_config.h; documented in pwreset.conf(5)).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * This file holds the table - every key, its type, where it goes, its
 * range, its default - the checks across keys, module arguments
 * (pwr_config_set) and the views callers take of a configuration.  Reading
 * the file is in pwr_config_file.c, the value checks in pwr_config_value.c.
 * A key is added here (table and enum) and in struct pwr_config.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pwr_config_keys.h"

#ifndef PWR_STORE_PATH
#define PWR_STORE_PATH "/var/lib/pwreset/store"
#endif

#define MINUTE 60
#define DAY 86400

enum key_id {
    K_STORE, K_ADMIN_GROUP, K_PROTECTED_USERS, K_MIN_LENGTH, K_MAX_LENGTH,
    K_BLOCKLIST, K_BREACHED_LIST, K_HASH, K_HASH_COST, K_RESET_CODE_TTL,
    K_RESET_CODE_MAX_ATTEMPTS, K_TEMPORARY_PASSWORD_TTL, K_FAIL_DELAY,
    K_LOCK_TIMEOUT, K_AUDIT_SOCKET, K_CONTACT,
    K_GRACE_LOGINS, K_EXEMPT_SERVICES, K_BREACH_CHECK_AT_LOGIN,
    K_HISTORY, K_MAX_AGE, K_WARN_AGE, K_NOTIFY_MAIL, K_MAIL_FROM, K_SENDMAIL,
    K_SENDMAIL_TIMEOUT,
    K_PROTECTED_GROUPS, K_LOGIN_DEFS,
    K_BACKEND, K_LDAP_URI, K_LDAP_BASE, K_LDAP_BIND_DN, K_LDAP_BIND_PW,
    K_LDAP_ADMIN_DN, K_LDAP_ADMIN_PW, K_LDAP_CA_FILE, K_LDAP_STARTTLS,
    K_LDAP_TIMEOUT, K_LDAP_PASSWORD_POLICY,
    K_COUNT
};

_Static_assert(K_COUNT <= PWR_CFG_KEYS_MAX, "seen[] holds every key");

#define MEMBER(m) (((struct pwr_config *)0)->m)
#define FIELD(m) .off = offsetof(struct pwr_config, m), .size = sizeof(MEMBER(m))
#define LIST(m, n)                                                           \
    .off = offsetof(struct pwr_config, m), .size = sizeof(MEMBER(m)[0]),     \
    .max_items = PWR_ARRAY_SIZE(MEMBER(m)),                                  \
    .count_off = offsetof(struct pwr_config, n)

/* The one table: every key, its type, where it goes, its range, its default.
 * hash_cost's range here is the union of both methods; pwr_cfg_finish checks
 * it against the method in force once everything is read. */
static const struct pwr_cfg_key keys[K_COUNT] = {
    [K_STORE] = { .name = PWR_CFG_STORE_KEY, .type = KT_PATH,
                  FIELD(store), .def = PWR_STORE_PATH },
    [K_ADMIN_GROUP] = { .name = "admin_group", .type = KT_NAME,
                        FIELD(admin_group), .def = "" },
    [K_PROTECTED_USERS] = { .name = "protected_users", .type = KT_LOGIN_LIST,
                            LIST(protected_users, n_protected), .def = "" },
    [K_MIN_LENGTH] = { .name = "min_length", .type = KT_UINT,
                       FIELD(min_length), .min = 1, .max = 4096, .def = "12" },
    [K_MAX_LENGTH] = { .name = "max_length", .type = KT_UINT,
                       FIELD(max_length), .min = 256, .max = 65536,
                       .def = "256" },
    [K_BLOCKLIST] = { .name = "blocklist", .type = KT_PATH_LIST,
                      LIST(blocklist, n_blocklist), .def = "" },
    [K_BREACHED_LIST] = { .name = "breached_list", .type = KT_PATH_OPT,
                          FIELD(breached_list), .def = "" },
    [K_HASH] = { .name = "hash", .type = KT_HASH, FIELD(hash.method),
                 .def = "yescrypt" },
    [K_HASH_COST] = { .name = "hash_cost", .type = KT_UINT,
                      FIELD(hash.cost), .min = 1, .max = 11, .def = "5" },
    [K_RESET_CODE_TTL] = { .name = "reset_code_ttl", .type = KT_DURATION,
                           FIELD(reset_code_ttl), .min = PWR_TTL_MIN,
                           .max = PWR_TTL_CODE_MAX, .def = "60m" },
    [K_RESET_CODE_MAX_ATTEMPTS] = { .name = "reset_code_max_attempts",
                                    .type = KT_UINT,
                                    FIELD(reset_code_max_attempts), .min = 1,
                                    .max = 100, .def = "5" },
    [K_TEMPORARY_PASSWORD_TTL] = { .name = "temporary_password_ttl",
                                   .type = KT_DURATION,
                                   FIELD(temporary_password_ttl),
                                   .min = PWR_TTL_MIN,
                                   .max = PWR_TTL_TEMPORARY_MAX,
                                   .zero_ok = 1, .def = "0" },
    [K_FAIL_DELAY] = { .name = "fail_delay", .type = KT_MSEC,
                       FIELD(fail_delay_ms), .min = 0, .max = 60000,
                       .def = "2000" },
    [K_LOCK_TIMEOUT] = { .name = "lock_timeout", .type = KT_MSEC,
                         FIELD(lock_timeout_ms), .min = 100, .max = 600000,
                         .def = "10000" },
    [K_AUDIT_SOCKET] = { .name = "audit_socket", .type = KT_PATH,
                         FIELD(audit_socket), .def = "/dev/log" },
    [K_CONTACT] = { .name = "contact", .type = KT_TEXT, FIELD(contact),
                    .def = "your administrator" },
    [K_GRACE_LOGINS] = { .name = "grace_logins", .type = KT_UINT,
                         FIELD(grace_logins), .min = 0, .max = 1000,
                         .def = "0" },
    [K_EXEMPT_SERVICES] = { .name = "exempt_services", .type = KT_LOGIN_LIST,
                            LIST(exempt_services, n_exempt), .def = "" },
    [K_BREACH_CHECK_AT_LOGIN] = { .name = "breach_check_at_login",
                                  .type = KT_BOOL,
                                  FIELD(breach_check_at_login), .def = "no" },
    /* rotation, history, telling the user */
    [K_HISTORY] = { .name = "history", .type = KT_UINT, FIELD(history),
                    .min = 0, .max = PWR_HISTORY_MAX, .def = "0" },
    [K_MAX_AGE] = { .name = "max_age", .type = KT_DURATION, FIELD(max_age),
                    .min = DAY, .max = 3650 * DAY, .zero_ok = 1, .def = "0" },
    [K_WARN_AGE] = { .name = "warn_age", .type = KT_DURATION, FIELD(warn_age),
                     .min = DAY, .max = 365 * DAY, .zero_ok = 1, .def = "0" },
    [K_NOTIFY_MAIL] = { .name = "notify_mail", .type = KT_BOOL,
                        FIELD(notify_mail), .def = "no" },
    [K_MAIL_FROM] = { .name = "mail_from", .type = KT_TEXT, FIELD(mail_from),
                      .def = "root" },
    [K_SENDMAIL] = { .name = "sendmail", .type = KT_PATH, FIELD(sendmail),
                     .def = "/usr/sbin/sendmail" },
    [K_SENDMAIL_TIMEOUT] = { .name = "sendmail_timeout", .type = KT_MSEC,
                             FIELD(sendmail_timeout_ms), .min = 100,
                             .max = 600000, .def = "10000" },
    /* who an admin_group member may not act on */
    [K_PROTECTED_GROUPS] = { .name = "protected_groups",
                             .type = KT_LOGIN_LIST,
                             LIST(protected_groups, n_protected_groups),
                             .def = "root sudo wheel adm admin shadow disk "
                                    "docker lxd libvirt" },
    [K_LOGIN_DEFS] = { .name = "login_defs", .type = KT_PATH,
                       FIELD(login_defs), .def = "/etc/login.defs" },
    /* the directory backend (docs/FLEET.md) */
    [K_BACKEND] = { .name = "backend", .type = KT_BACKEND, FIELD(backend),
                    .def = "file" },
    [K_LDAP_URI] = { .name = "ldap_uri", .type = KT_TEXT_OPT,
                     FIELD(ldap_uri), .def = "" },
    [K_LDAP_BASE] = { .name = "ldap_base", .type = KT_TEXT_OPT,
                      FIELD(ldap_base), .def = "" },
    [K_LDAP_BIND_DN] = { .name = "ldap_bind_dn", .type = KT_TEXT_OPT,
                         FIELD(ldap_bind_dn), .def = "" },
    [K_LDAP_BIND_PW] = { .name = "ldap_bind_password_file",
                         .type = KT_PATH_OPT,
                         FIELD(ldap_bind_password_file), .def = "" },
    [K_LDAP_ADMIN_DN] = { .name = "ldap_admin_dn", .type = KT_TEXT_OPT,
                          FIELD(ldap_admin_dn), .def = "" },
    [K_LDAP_ADMIN_PW] = { .name = "ldap_admin_password_file",
                          .type = KT_PATH_OPT,
                          FIELD(ldap_admin_password_file), .def = "" },
    [K_LDAP_CA_FILE] = { .name = "ldap_ca_file", .type = KT_PATH_OPT,
                         FIELD(ldap_ca_file), .def = "" },
    [K_LDAP_STARTTLS] = { .name = "ldap_starttls", .type = KT_BOOL,
                          FIELD(ldap_starttls), .def = "no" },
    [K_LDAP_PASSWORD_POLICY] = { .name = "ldap_password_policy",
                                 .type = KT_BOOL,
                                 FIELD(ldap_password_policy), .def = "no" },
    [K_LDAP_TIMEOUT] = { .name = "ldap_timeout", .type = KT_DURATION,
                         FIELD(ldap_timeout), .min = 1, .max = 600,
                         .def = "5s" },
};

/* ---- one key, by name --------------------------------------------------- */

int pwr_cfg_apply(struct pwr_config *cfg, int id, const char *value,
                  const struct pwr_cfg_where *w, struct pwr_err *err)
{
    const struct pwr_cfg_key *k = &keys[id];
    struct pwr_err inner;

    pwr_err_clear(&inner);
    if (pwr_cfg_parse_value(k, value, cfg, &inner) < 0)
        return pwr_cfg_fail(err, w, k->name, "%s", inner.msg);
    return 0;
}

int pwr_cfg_find_key(const char *name)
{
    size_t i;

    for (i = 0; i < K_COUNT; i++)
        if (strcmp(keys[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- checks across keys ------------------------------------------------- */

static void cost_range(enum pwr_hash_method m, unsigned *lo, unsigned *hi,
                       unsigned *def)
{
    *lo = 1;
    *hi = (m == PWR_HASH_ARGON2ID) ? 10 : 11;
    *def = (m == PWR_HASH_ARGON2ID) ? 2 : 5;
}

int pwr_cfg_finish(struct pwr_config *cfg, const char *file,
                   const unsigned *seen, enum pwr_hash_method old_method,
                   struct pwr_err *err)
{
    unsigned lo, hi, def;
    struct pwr_cfg_where w = { file, 0 };

    cost_range(cfg->hash.method, &lo, &hi, &def);
    if (cfg->hash.method != old_method && !seen[K_HASH_COST])
        cfg->hash.cost = def;
    if (cfg->hash.cost < lo || cfg->hash.cost > hi) {
        enum key_id id = seen[K_HASH_COST] ? K_HASH_COST : K_HASH;

        w.line = seen[id];
        return pwr_cfg_fail(err, &w, keys[id].name,
                            "hash_cost %u is out of range for %s (%u..%u)",
                            cfg->hash.cost,
                            pwr_hash_method_name(cfg->hash.method), lo, hi);
    }
    if (cfg->min_length > cfg->max_length) {
        enum key_id id = seen[K_MIN_LENGTH] ? K_MIN_LENGTH : K_MAX_LENGTH;

        w.line = seen[id];
        return pwr_cfg_fail(err, &w, keys[id].name,
                            "min_length %u is greater than max_length %u",
                            cfg->min_length, cfg->max_length);
    }
    return 0;
}

void pwr_cfg_repair(struct pwr_config *cfg)
{
    unsigned lo, hi, def;

    cost_range(cfg->hash.method, &lo, &hi, &def);
    if (cfg->hash.cost < lo || cfg->hash.cost > hi)
        cfg->hash.cost = def;
    else
        cfg->min_length = 12; /* min_length > max_length (>= 256) */
}

/* ---- public ------------------------------------------------------------- */

void pwr_config_defaults(struct pwr_config *cfg)
{
    struct pwr_err ignored;
    struct pwr_cfg_where w = { "(defaults)", 0 };
    size_t i;

    memset(cfg, 0, sizeof(*cfg));
    for (i = 0; i < K_COUNT; i++) {
        /* Cannot fail for the shipped table (the unit tests prove it); a bad
         * configure-time store path leaves store empty, which every store
         * open refuses, so we still fail closed. */
        if (pwr_cfg_apply(cfg, (int)i, keys[i].def, &w, &ignored) < 0)
            memset((char *)cfg + keys[i].off, 0, keys[i].size);
    }
}

/* value is taken literally (module arguments arrive already split): no
 * quotes, no comments.  The cross-key checks run at once, so every call
 * leaves a consistent configuration. */
int pwr_config_set(struct pwr_config *cfg, const char *key, const char *value,
                   struct pwr_err *err)
{
    unsigned seen[PWR_CFG_KEYS_MAX] = { 0 };
    struct pwr_cfg_where w = { NULL, 0 };
    struct pwr_config *tmp;
    int id, rc;

    id = key != NULL ? pwr_cfg_find_key(key) : -1;
    if (id < 0)
        return pwr_cfg_fail(err, &w, key != NULL ? key : "", "unknown key");
    if (value == NULL)
        return pwr_cfg_fail(err, &w, key, "missing value");
    tmp = malloc(sizeof(*tmp));
    if (tmp == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    *tmp = *cfg;
    seen[id] = 1;
    rc = pwr_cfg_apply(tmp, id, value, &w, err);
    if (rc == 0)
        rc = pwr_cfg_finish(tmp, NULL, seen, cfg->hash.method, err);
    if (rc == 0)
        *cfg = *tmp;
    free(tmp);
    return rc;
}

int pwr_config_is_key(const char *key)
{
    return key != NULL && pwr_cfg_find_key(key) >= 0;
}

void pwr_config_policy(const struct pwr_config *cfg, struct pwr_policy *pol)
{
    size_t i;

    memset(pol, 0, sizeof(*pol));
    pol->min_length = cfg->min_length;
    pol->max_length = cfg->max_length;
    for (i = 0; i < cfg->n_blocklist && i < PWR_POLICY_MAX_LISTS; i++)
        pol->blocklists[i] = cfg->blocklist[i];
    pol->n_blocklists = i;
    pol->breached_list =
        cfg->breached_list[0] != '\0' ? cfg->breached_list : NULL;
}

const char *pwr_config_backend_name(const struct pwr_config *cfg)
{
    return cfg->backend == PWR_BACKEND_LDAP ? "ldap" : "file";
}

int pwr_config_is_protected(const struct pwr_config *cfg, const char *login)
{
    size_t i;

    if (login == NULL)
        return 0;
    for (i = 0; i < cfg->n_protected && i < PWR_MAX_PROTECTED; i++)
        if (strcmp(cfg->protected_users[i], login) == 0)
            return 1;
    return 0;
}

int pwr_config_is_exempt(const struct pwr_config *cfg, const char *service)
{
    size_t i;

    if (service == NULL)
        return 0;
    for (i = 0; i < cfg->n_exempt && i < PWR_MAX_EXEMPT; i++)
        if (strcmp(cfg->exempt_services[i], service) == 0)
            return 1;
    return 0;
}
