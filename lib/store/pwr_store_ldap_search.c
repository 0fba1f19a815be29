/* pwr_store_ldap_search.c - every entry under ldap_base that matches a
 * filter, page by page (RFC 2696 paged results; the directory's limits
 * let the host and admin identities page), with the next page asked for
 * before this one is visited: slapd reads it while this process works on
 * the entries it has (force-reset --all reads 100,000 entries, and reads
 * them back after the change).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <string.h>

#include "pwr_store_ldap.h"

#define PAGE_SIZE 500

/* Ask for the page after cookie (none: the first); *msgid: its id. */
static int page_send(struct pl_store *ls, const char *filter, char **attrs,
                     struct berval *cookie, int *msgid, struct pwr_err *err)
{
    LDAPControl *page = NULL, *sc[2] = { NULL, NULL };
    int rc;

    if (pl_arm(ls, ls->ld, err) < 0)
        return -1;
    if (ldap_create_page_control(ls->ld, PAGE_SIZE, cookie, 1, &page) !=
        LDAP_SUCCESS)
        return pwr_fail(err, PWR_E_INTERNAL, "paged results control");
    sc[0] = page;
    rc = ldap_search_ext(ls->ld, ls->o.base, LDAP_SCOPE_SUBTREE, filter,
                         attrs != NULL ? attrs : pl_attrs, 0, sc, NULL, NULL,
                         LDAP_NO_LIMIT, msgid);
    ldap_control_free(page);
    return rc == LDAP_SUCCESS ? 0 : pl_fail(ls, rc, "search", err);
}

/* The whole page msgid, within ldap_timeout: its entries in *res, and in
 * *cookie what asks for the next one (empty after the last page). */
static int page_wait(struct pl_store *ls, int msgid, LDAPMessage **res,
                     struct berval *cookie, struct pwr_err *err)
{
    LDAPControl **ctrls = NULL;
    struct timeval tv;
    int lrc = LDAP_SUCCESS, code = LDAP_OTHER;
    ber_int_t total;

    *res = NULL;
    pl_begin(ls);
    pl_timeval(ls, &tv);
    if (ldap_result(ls->ld, msgid, LDAP_MSG_ALL, &tv, res) <= 0)
        lrc = LDAP_TIMEOUT;
    if (lrc == LDAP_SUCCESS)
        lrc = ldap_parse_result(ls->ld, *res, &code, NULL, NULL, NULL,
                                &ctrls, 0);
    if (lrc != LDAP_SUCCESS || code != LDAP_SUCCESS) {
        ldap_msgfree(*res);
        *res = NULL;
        ldap_controls_free(ctrls);
        if (lrc == LDAP_TIMEOUT)
            (void)ldap_abandon_ext(ls->ld, msgid, NULL, NULL);
        return pl_fail(ls, lrc != LDAP_SUCCESS ? lrc : code, "search", err);
    }
    for (size_t i = 0; ctrls != NULL && ctrls[i] != NULL; i++)
        if (strcmp(ctrls[i]->ldctl_oid, LDAP_CONTROL_PAGEDRESULTS) == 0)
            (void)ldap_parse_pageresponse_control(ls->ld, ctrls[i], &total,
                                                  cookie);
    ldap_controls_free(ctrls);
    return 0;
}

int pl_search_all(struct pl_store *ls, const char *filter, char **attrs,
                  pl_visit_fn fn, void *arg, struct pwr_err *err)
{
    struct berval cookie = { 0, NULL };
    LDAPMessage *res, *msg;
    int msgid, next, rc;

    pl_begin(ls);
    if (pl_connect(ls, err) < 0 ||
        page_send(ls, filter, attrs, &cookie, &msgid, err) < 0)
        return -1;
    do {
        next = -1;
        rc = page_wait(ls, msgid, &res, &cookie, err);
        if (rc == 0 && cookie.bv_len > 0)
            rc = page_send(ls, filter, attrs, &cookie, &next, err);
        ber_memfree(cookie.bv_val);
        cookie.bv_val = NULL;
        cookie.bv_len = 0;
        for (msg = ldap_first_entry(ls->ld, res); rc == 0 && msg != NULL;
             msg = ldap_next_entry(ls->ld, msg))
            rc = fn(ls->ld, msg, arg, err);
        ldap_msgfree(res);
        msgid = next;
    } while (rc == 0 && msgid >= 0);
    if (msgid >= 0) /* a visit failed: the page asked for is not wanted */
        (void)ldap_abandon_ext(ls->ld, msgid, NULL, NULL);
    return rc < 0 ? -1 : 0;
}
