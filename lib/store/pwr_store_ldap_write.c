/* pwr_store_ldap_write.c - the directory backend's writes: each entry's
 * modify asserts the entryCSN it was read with, so a change made meanwhile
 * by another host fails it (assertionFailed, 122) and the transaction runs
 * again on the new state; changes of more than one entry go in one RFC
 * 5805 transaction, all or nothing (pwr_store_ldap_txn.c).  The post-read
 * control returns the entryCSN the write made, for the audit trail.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pwr_store_ldap.h"

void pl_ctrls_free(struct pl_ctrls *c)
{
    if (c->pp_c != NULL)
        ldap_control_free(c->pp_c);
    ber_memfree(c->assert_v.bv_val);
    ber_memfree(c->read_v.bv_val);
    memset(c, 0, sizeof(*c));
}

int pl_ctrls_make(LDAP *ld, struct pl_ctrls *c, const char *assertion,
                  struct berval *txnid, int ppolicy, struct pwr_err *err)
{
    char *read_attrs[] = { PL_STR("entryCSN"), PL_STR("pwdChangedTime"), NULL };
    BerElement *ber = NULL;
    size_t n = 0;

    memset(c, 0, sizeof(*c));
    if (ldap_create_assertion_control_value(ld, PL_STR(assertion),
                                            &c->assert_v) != LDAP_SUCCESS)
        return pwr_fail(err, PWR_E_INTERNAL, "assertion control");
    c->assert_c = (LDAPControl){ PL_STR(LDAP_CONTROL_ASSERT), c->assert_v, 1 };
    c->list[n++] = &c->assert_c;
    if (txnid != NULL) {
        c->txn_c = (LDAPControl){ PL_STR(LDAP_CONTROL_TXN_SPEC), *txnid, 1 };
        c->list[n++] = &c->txn_c;
    } else {
        ber = ber_alloc_t(LBER_USE_DER);
        if (ber == NULL || ber_printf(ber, "{v}", read_attrs) < 0 ||
            ber_flatten2(ber, &c->read_v, 1) < 0) {
            ber_free(ber, 1);
            pl_ctrls_free(c);
            return pwr_fail(err, PWR_E_INTERNAL, "post-read control");
        }
        ber_free(ber, 1);
        c->read_c = (LDAPControl){ PL_STR(LDAP_CONTROL_POST_READ), c->read_v, 0 };
        c->list[n++] = &c->read_c;
    }
    if (ppolicy) {
        if (ldap_create_passwordpolicy_control(ld, &c->pp_c) != LDAP_SUCCESS) {
            pl_ctrls_free(c);
            return pwr_fail(err, PWR_E_INTERNAL, "ppolicy control");
        }
        c->list[n++] = c->pp_c;
    }
    c->list[n] = NULL;
    return 0;
}

/* entryCSN and pwdChangedTime from a post-read response control. */
static void post_read(LDAPControl **rctrls, struct pl_entry *e)
{
    struct berval bv, *v;
    BerVarray vals;
    BerElement *ber;
    ber_tag_t tag;

    for (; rctrls != NULL && *rctrls != NULL; rctrls++) {
        if (strcmp((*rctrls)->ldctl_oid, LDAP_CONTROL_POST_READ) != 0)
            continue;
        ber = ber_init(&(*rctrls)->ldctl_value);
        if (ber == NULL)
            return;
        /* SEQUENCE { dn, SEQUENCE OF SEQUENCE { type, SET OF value } } */
        tag = ber_scanf(ber, "{m{" /*}}*/, &bv);
        for (tag = tag == LBER_ERROR ? tag : ber_scanf(ber, "{m" /*}*/, &bv);
             tag != LBER_ERROR; tag = ber_scanf(ber, "{m" /*}*/, &bv)) {
            char name[32];
            size_t len = bv.bv_len < sizeof(name) - 1 ? bv.bv_len
                                                      : sizeof(name) - 1;

            memcpy(name, bv.bv_val, len);
            name[len] = '\0';
            vals = NULL;
            if (ber_scanf(ber, "[W]", &vals) == LBER_ERROR || vals == NULL)
                break;
            v = &vals[0];
            if (strcasecmp(name, "entryCSN") == 0 && v->bv_len < PL_CSN_MAX)
                snprintf(e->csn, sizeof(e->csn), "%.*s", (int)v->bv_len,
                         v->bv_val);
            if (strcasecmp(name, "pwdChangedTime") == 0 &&
                v->bv_len < PL_TIME_MAX)
                snprintf(e->changed, sizeof(e->changed), "%.*s",
                         (int)v->bv_len, v->bv_val);
            ber_bvarray_free(vals);
        }
        ber_free(ber, 1);
    }
}

/* The directory's password policy refused a new password sent as typed
 * (ldap_password_policy): -1 with PWR_E_POLICY and ls->violation set, as
 * pwreset's own policy reports it; 0 when the control says no such thing. */
static int policy_refusal(struct pl_store *ls, LDAP *ld, LDAPControl **rctrls,
                          struct pwr_err *err)
{
    static const struct {
        LDAPPasswordPolicyError pp;
        const char *reason, *msg;
    } map[] = {
        { PP_passwordInHistory, "reused_recently",
          "password rejected: It was used recently; choose one you have not "
          "used before" },
        { PP_passwordTooShort, "too_short",
          "password rejected: the directory's password policy asks for a "
          "longer one" },
        { PP_insufficientPasswordQuality, "directory_quality",
          "password rejected: the directory's password policy finds it too "
          "weak" },
        { PP_passwordTooYoung, "too_young",
          "password rejected: it was changed too recently to be changed "
          "again (the directory's pwdMinAge)" },
    };
    LDAPPasswordPolicyError pperr = PP_noError;

    for (size_t i = 0; rctrls != NULL && rctrls[i] != NULL; i++)
        if (strcmp(rctrls[i]->ldctl_oid,
                   LDAP_CONTROL_PASSWORDPOLICYRESPONSE) == 0)
            (void)ldap_parse_passwordpolicy_control(ld, rctrls[i], NULL, NULL,
                                                    &pperr);
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].pp == pperr) {
            ls->violation = map[i].reason;
            return pwr_fail(err, PWR_E_POLICY, "%s", map[i].msg);
        }
    return 0;
}

/* One modify: 0 done, 1 lost a race (assertion, or a value someone else
 * changed), -1 error.  *sent (if not NULL): its message id. */
static int modify_on(struct pl_store *ls, LDAP *ld, struct pl_entry *e,
                     LDAPMod **mods, const char *assertion,
                     struct berval *txnid, int *sent, struct pwr_err *err)
{
    LDAPControl **rctrls = NULL;
    LDAPMessage *res = NULL;
    struct timeval tv;
    struct pl_ctrls c;
    int msgid, rc, code = LDAP_OTHER;

    if (pl_arm(ls, ld, err) < 0 ||
        pl_ctrls_make(ld, &c, assertion, txnid, e->clear != NULL, err) < 0)
        return -1;
    rc = ldap_modify_ext(ld, e->dn, mods, c.list, NULL, &msgid);
    if (sent != NULL)
        *sent = rc == LDAP_SUCCESS ? msgid : -1;
    pl_timeval(ls, &tv);
    if (rc == LDAP_SUCCESS && ldap_result(ld, msgid, LDAP_MSG_ALL, &tv,
                                          &res) <= 0)
        rc = LDAP_TIMEOUT;
    if (rc == LDAP_SUCCESS)
        rc = ldap_parse_result(ld, res, &code, NULL, NULL, NULL, &rctrls,
                               1);
    pl_ctrls_free(&c);
    if (rc != LDAP_SUCCESS)
        return pl_fail(ls, rc, "modify", err);
    if (code == LDAP_SUCCESS)
        post_read(rctrls, e);
    if (code == LDAP_CONSTRAINT_VIOLATION && e->clear != NULL &&
        policy_refusal(ls, ld, rctrls, err) < 0) {
        ldap_controls_free(rctrls);
        return -1;
    }
    ldap_controls_free(rctrls);
    if (code == LDAP_ASSERTION_FAILED || code == LDAP_NO_SUCH_ATTRIBUTE ||
        code == LDAP_TYPE_OR_VALUE_EXISTS)
        return 1;
    return code == LDAP_SUCCESS ? 0 : pl_fail(ls, code, "modify", err);
}

static int modify(struct pl_store *ls, struct pl_entry *e, LDAPMod **mods,
                  const char *assertion, struct pwr_err *err)
{
    return modify_on(ls, ls->ld, e, mods, assertion, NULL, NULL, err);
}

/* A change the host may not make (a voluntary password change: nothing
 * pending), made bound as the person with the password they proved. */
static int modify_as_person(struct pl_store *ls, struct pl_entry *e,
                            LDAPMod **mods, const char *assertion,
                            struct pwr_err *err)
{
    LDAP *ld = NULL;
    int rc;

    if (ls->proof == NULL || ls->proof_login[0] == '\0' ||
        strcmp(ls->proof_login, e->login) != 0)
        return -1; /* err already says the directory refused the host */
    pwr_err_clear(err);
    if (pl_bind_as(ls, e->dn, ls->proof, &ld, err) < 0)
        return -1;
    rc = modify_on(ls, ld, e, mods, assertion, NULL, NULL, err);
    ldap_unbind_ext_s(ld, NULL, NULL);
    return rc;
}

/* The second step of a temporary password: mark the password whose
 * pwdChangedTime the first step returned, and only that one. */
static int mark_temporary(struct pl_store *ls, struct pl_entry *e,
                          struct pwr_err *err)
{
    char assertion[PL_TIME_MAX + 24], t[PL_TIME_MAX];
    struct pl_mods m;
    int rc;

    if (e->changed[0] == '\0')
        return pwr_fail(err, PWR_E_STORE, "%s: the password was set, but the "
                        "directory did not say when: it is not temporary",
                        e->dn);
    snprintf(t, sizeof(t), "%s", e->changed);
    snprintf(assertion, sizeof(assertion), "(pwdChangedTime=%s)", t);
    memset(&m, 0, sizeof(m));
    m.mod[0].mod_op = LDAP_MOD_ADD;
    m.mod[0].mod_type = PL_STR("pwresetTemporary");
    m.vals[0][0] = t;
    m.mod[0].mod_values = m.vals[0];
    m.ptr[0] = &m.mod[0];
    rc = modify(ls, e, m.ptr, assertion, err);
    if (rc == 1)
        return pwr_fail(err, PWR_E_BUSY, "%s: the password was set, but it "
                        "changed again before it could be marked temporary",
                        e->dn);
    if (rc == 0)
        snprintf(e->temporary, sizeof(e->temporary), "%s", t);
    return rc;
}

static int write_one(struct pl_store *ls, struct pl_entry *e,
                     struct pwr_err *err)
{
    char assertion[PL_CSN_MAX + 16];
    struct pl_mods m;
    int rc;

    if (pl_diff(e, &m, err) < 0) {
        pl_mods_wipe(&m);
        return -1;
    }
    if (m.n == 0)
        return 0;
    snprintf(assertion, sizeof(assertion), "(entryCSN=%s)", e->csn);
    rc = modify(ls, e, m.ptr, assertion, err);
    if (rc < 0 && err->code == PWR_E_PERM && m.pw_change)
        rc = modify_as_person(ls, e, m.ptr, assertion, err);
    pl_mods_wipe(&m);
    if (rc == 0 && m.temporary)
        rc = mark_temporary(ls, e, err);
    if (rc == 0)
        pl_remember(ls, e, 0);
    return rc;
}

int pl_write(struct pl_store *ls, struct pl_entry *es, size_t n,
             struct pwr_err *err)
{
    size_t dirty = 0, last = 0;

    for (size_t i = 0; i < n; i++)
        if (es[i].dirty)
            dirty++, last = i;
    if (dirty == 0)
        return 0;
    if (dirty == 1)
        return write_one(ls, &es[last], err);
    return pl_write_many(ls, es, n, err);
}

static const char *known_key(const void *arg, size_t pos)
{
    return ((const struct pl_store *)arg)->known[pos].login;
}

struct pl_known *pl_known_of(struct pl_store *ls, const char *login)
{
    size_t i = pl_index_find(&ls->known_ix, login, known_key, ls);

    return i == PL_NOT_FOUND ? NULL : &ls->known[i];
}

static struct pl_known *known_add(struct pl_store *ls, const char *login)
{
    struct pl_known *k;

    if (ls->known == NULL || ls->n_known == ls->cap_known) {
        size_t cap = ls->cap_known ? 2 * ls->cap_known : 8;

        k = realloc(ls->known, cap * sizeof(*k));
        if (k == NULL)
            return NULL;
        ls->known = k;
        ls->cap_known = cap;
    }
    k = &ls->known[ls->n_known];
    memset(k, 0, sizeof(*k));
    snprintf(k->login, sizeof(k->login), "%s", login);
    if (pl_index_add(&ls->known_ix, ls->n_known, known_key, ls) < 0)
        return NULL;
    ls->n_known++;
    return k;
}

void pl_remember(struct pl_store *ls, const struct pl_entry *e, int with_dn)
{
    struct pl_known *k = pl_known_of(ls, e->login);

    if (k == NULL)
        k = known_add(ls, e->login);
    if (k == NULL)
        return;
    snprintf(k->csn, sizeof(k->csn), "%s", e->csn);
    if (with_dn && e->dn != NULL) {
        free(k->dn);
        k->dn = strdup(e->dn);
    }
}

void pl_known_free(struct pl_store *ls)
{
    for (size_t i = 0; i < ls->n_known; i++)
        free(ls->known[i].dn);
    free(ls->known);
    ls->known = NULL;
    ls->n_known = ls->cap_known = 0;
    pl_index_free(&ls->known_ix);
}
