/* pwr_store_ldap_txn.c - changes of many entries in one RFC 5805
 * transaction, all or nothing: the modifies go out without waiting for
 * each answer (up to PL_TXN_WINDOW unanswered), every answer is still
 * read and checked, and the transaction ends only after the last answer
 * and a pause (a slapd 2.5.13 crash, txn_settle).  A lost race (an
 * assertion on entryCSN, a value someone else changed) runs the whole
 * transaction again; any other refusal names the account and writes
 * nothing.  docs/FLEET.md, "Performance" and "Failure behaviour".
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pwr_store_ldap.h"

/* Up to this many changed entries are read back one search each. */
#define REREAD_ONE_BY_ONE_MAX 64

/* Modifies sent and not yet answered, at most: enough to keep slapd busy
 * while this process encodes the next ones, few enough that slapd never
 * defers more than its conn_max_pending_auth (1000) of one connection
 * (it closes the connection past that) and that the answers of a window
 * fit in the socket buffers. */
#define PL_TXN_WINDOW 512

/* The modifies of one transaction in flight. */
struct pipe {
    struct pl_store *ls;
    struct pl_entry *es;
    int *ids;          /* ids[i]: the message id of es[i]'s modify, or -1 */
    size_t *order;     /* positions in es, in the order sent (ids rise) */
    size_t sent, answered;
    int broken;        /* the connection failed: no answer will come */
};

/* After a transaction: the entryCSN each changed entry now has. */
static void reread(struct pl_store *ls, struct pl_entry *e)
{
    char *attrs[] = { PL_STR("entryCSN"), NULL };
    LDAPMessage *res = NULL, *msg;
    struct pwr_err err;
    struct berval **v;

    pl_begin(ls);
    if (pl_arm(ls, ls->ld, &err) < 0 ||
        ldap_search_ext_s(ls->ld, e->dn, LDAP_SCOPE_BASE, "(objectClass=*)",
                          attrs, 0, NULL, NULL, NULL, 1, &res) != LDAP_SUCCESS) {
        ldap_msgfree(res);
        return;
    }
    msg = ldap_first_entry(ls->ld, res);
    v = msg ? ldap_get_values_len(ls->ld, msg, "entryCSN") : NULL;
    if (v != NULL && v[0] != NULL && v[0]->bv_len < PL_CSN_MAX)
        snprintf(e->csn, sizeof(e->csn), "%.*s", (int)v[0]->bv_len,
                 v[0]->bv_val);
    ldap_value_free_len(v);
    ldap_msgfree(res);
    pl_remember(ls, e, 0);
}

/* One entry of the search after a big transaction: its new entryCSN. */
static int reread_visit(LDAP *ld, LDAPMessage *msg, void *arg,
                        struct pwr_err *err)
{
    struct pl_store *ls = arg;
    char uid[PWR_LOGIN_MAX + 1] = "";
    struct berval **v = ldap_get_values_len(ld, msg, "uid");
    struct berval **c = ldap_get_values_len(ld, msg, "entryCSN");
    struct pl_known *k;

    (void)err;
    if (v != NULL && v[0] != NULL && v[0]->bv_len < sizeof(uid))
        snprintf(uid, sizeof(uid), "%.*s", (int)v[0]->bv_len, v[0]->bv_val);
    k = uid[0] != '\0' ? pl_known_of(ls, uid) : NULL;
    if (k != NULL && c != NULL && c[0] != NULL && c[0]->bv_len < PL_CSN_MAX)
        snprintf(k->csn, sizeof(k->csn), "%.*s", (int)c[0]->bv_len,
                 c[0]->bv_val);
    ldap_value_free_len(v);
    ldap_value_free_len(c);
    return 0;
}

/* After a transaction: the entryCSN each changed entry now has.  Many
 * entries are read back by one paged search, not one search each (a
 * round trip per account made force-reset --all twice as slow). */
static void reread_all(struct pl_store *ls, struct pl_entry *es, size_t n)
{
    char *attrs[] = { PL_STR("uid"), PL_STR("entryCSN"), NULL };
    struct pwr_err err;
    size_t dirty = 0;

    for (size_t i = 0; i < n; i++)
        dirty += es[i].dirty && !es[i].removed;
    if (dirty < REREAD_ONE_BY_ONE_MAX) {
        for (size_t i = 0; i < n; i++)
            if (es[i].dirty)
                reread(ls, &es[i]);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (es[i].dirty && !es[i].removed)
            pl_remember(ls, &es[i], 0);
    (void)pl_search_all(ls, "(objectClass=pwresetAccount)", attrs,
                        reread_visit, ls, &err);
}

/* The position in es of the modify with message id msgid, or n. */
static size_t pipe_entry(const struct pipe *p, int msgid, size_t n)
{
    size_t lo = 0, hi = p->sent;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int id = p->ids[p->order[mid]];

        if (id == msgid)
            return p->order[mid];
        if (id < msgid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return n;
}

/* Send es[i]'s modify (inside txnid), not waiting for its answer. */
static int pipe_send(struct pipe *p, size_t i, struct berval *txnid,
                     struct pwr_err *err)
{
    char assertion[PL_CSN_MAX + 16];
    struct pl_entry *e = &p->es[i];
    struct pl_ctrls c;
    struct pl_mods m;
    int msgid, rc;

    if (pl_diff(e, &m, err) < 0) {
        pl_mods_wipe(&m);
        return -1;
    }
    rc = m.temporary ? pwr_fail(err, PWR_E_USAGE, "a temporary password is "
                                "set one account at a time")
                     : 0;
    if (rc < 0 || m.n == 0) {
        pl_mods_wipe(&m);
        return rc;
    }
    snprintf(assertion, sizeof(assertion), "(entryCSN=%s)", e->csn);
    pl_begin(p->ls); /* a bulk change: each step has ldap_timeout */
    if (pl_arm(p->ls, p->ls->ld, err) < 0 ||
        pl_ctrls_make(p->ls->ld, &c, assertion, txnid, 0, err) < 0) {
        pl_mods_wipe(&m);
        return -1;
    }
    rc = ldap_modify_ext(p->ls->ld, e->dn, m.ptr, c.list, NULL, &msgid);
    pl_ctrls_free(&c);
    pl_mods_wipe(&m);
    if (rc != LDAP_SUCCESS) {
        p->broken = 1;
        return pl_fail(p->ls, rc, "modify", err);
    }
    p->ids[i] = msgid;
    p->order[p->sent++] = i;
    return 0;
}

/* A modify the directory refused (at once, or at the commit): an error
 * naming the account. */
static int refused(const struct pl_store *ls, const struct pl_entry *e,
                   int code, struct pwr_err *err)
{
    if (code == LDAP_INSUFFICIENT_ACCESS)
        return pwr_fail(err, PWR_E_PERM, "the directory %s does not let %s "
                        "change %s (%s): the transaction wrote nothing",
                        ls->o.uri, ls->o.admin ? ls->o.admin_dn
                                               : ls->o.bind_dn,
                        e->login, e->dn);
    return pwr_fail(err, PWR_E_STORE, "directory %s: the change of %s (%s) "
                    "failed: %s: the transaction wrote nothing", ls->o.uri,
                    e->login, e->dn, ldap_err2string(code));
}

/* Wait (ldap_timeout) for the next answer and check it: 0 done, 1 lost a
 * race, -1 error (a transport error also sets p->broken). */
static int pipe_collect(struct pipe *p, size_t n, struct pwr_err *err)
{
    LDAPMessage *res = NULL;
    struct timeval tv;
    int type, rc, code = LDAP_OTHER;
    size_t i;

    pl_begin(p->ls);
    pl_timeval(p->ls, &tv);
    type = ldap_result(p->ls->ld, LDAP_RES_ANY, LDAP_MSG_ONE, &tv, &res);
    i = type > 0 ? pipe_entry(p, ldap_msgid(res), n) : n;
    if (type != LDAP_RES_MODIFY || i == n) {
        ldap_msgfree(res);
        p->broken = 1;
        return pl_fail(p->ls, type <= 0 ? LDAP_TIMEOUT : LDAP_PROTOCOL_ERROR,
                       "modify", err);
    }
    p->answered++;
    rc = ldap_parse_result(p->ls->ld, res, &code, NULL, NULL, NULL, NULL, 1);
    if (rc != LDAP_SUCCESS)
        return pl_fail(p->ls, rc, "modify", err);
    if (code == LDAP_SUCCESS)
        return 0;
    if (code == LDAP_ASSERTION_FAILED || code == LDAP_NO_SUCH_ATTRIBUTE ||
        code == LDAP_TYPE_OR_VALUE_EXISTS)
        return 1;
    if (pl_unreachable(code))
        return pl_fail(p->ls, code, "modify", err);
    return refused(p->ls, &p->es[i], code, err);
}

/* Every answer still due, once the sending stopped; the first outcome
 * that is not 0 is kept (rc, err).  Nothing is waited for on a connection
 * that failed. */
static int pipe_drain(struct pipe *p, size_t n, int rc, struct pwr_err *err)
{
    struct pwr_err later;

    while (!p->broken && p->answered < p->sent) {
        int r = pipe_collect(p, n, rc == 0 ? err : &later);

        if (rc == 0)
            rc = r;
    }
    return rc;
}

/* The modifies of a transaction, at most PL_TXN_WINDOW unanswered; ids[i]:
 * the message id of es[i]'s (-1: none).  0, 1 lost a race, -1 error. */
static int txn_modifies(struct pl_store *ls, struct pl_entry *es, size_t n,
                        struct berval *txnid, int *ids, struct pwr_err *err)
{
    struct pipe p = { ls, es, ids, NULL, 0, 0, 0 };
    int rc = 0;

    for (size_t i = 0; i < n; i++)
        ids[i] = -1;
    p.order = malloc((n > 0 ? n : 1) * sizeof(*p.order));
    if (p.order == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!es[i].dirty)
            continue;
        while (rc == 0 && p.sent - p.answered >= PL_TXN_WINDOW)
            rc = pipe_collect(&p, n, err);
        if (rc == 0)
            rc = pipe_send(&p, i, txnid, err);
    }
    rc = pipe_drain(&p, n, rc, err);
    free(p.order);
    return rc;
}

/* slapd 2.5.13 answers a modify queued in a transaction while the thread
 * that queued it still uses it, and the end of the transaction (an abort,
 * a commit that fails, or the connection's close) frees the queued
 * modifies at once: an end sent right after the last answer can free one
 * under that thread, and slapd crashes.  Before the end: a pause and a
 * round trip on the connection, so that thread is done.  docs/FLEET.md,
 * "Failure behaviour". */
#define PL_TXN_SETTLE_MS 50

static void txn_settle(struct pl_store *ls)
{
    struct timespec pause = { 0, PL_TXN_SETTLE_MS * 1000000L };
    struct berval *who = NULL;
    struct pwr_err scratch;

    nanosleep(&pause, NULL);
    pl_begin(ls);
    if (pl_arm(ls, ls->ld, &scratch) == 0)
        (void)ldap_whoami_s(ls->ld, &who, NULL, NULL);
    ber_bvfree(who);
}

/* End the transaction: its result code; *failed: the message id of the
 * modify that failed the commit (slapd names it in the response), or -1.
 * (ldap_txn_end_s of 2.5.13 cannot decode that response.) */
static int txn_end(struct pl_store *ls, int commit, struct berval *txnid,
                   int *failed)
{
    struct berval *data = NULL;
    LDAPMessage *res = NULL;
    BerElement *ber;
    struct timeval tv;
    struct pwr_err scratch;
    ber_int_t id;
    int msgid, rc, code = LDAP_OTHER;

    *failed = -1;
    pl_begin(ls);
    if (pl_arm(ls, ls->ld, &scratch) < 0)
        return LDAP_TIMEOUT;
    rc = ldap_txn_end(ls->ld, commit, txnid, NULL, NULL, &msgid);
    pl_timeval(ls, &tv);
    if (rc == LDAP_SUCCESS &&
        ldap_result(ls->ld, msgid, LDAP_MSG_ALL, &tv, &res) <= 0)
        rc = LDAP_TIMEOUT;
    if (rc == LDAP_SUCCESS)
        rc = ldap_parse_extended_result(ls->ld, res, NULL, &data, 0);
    if (rc == LDAP_SUCCESS)
        rc = ldap_parse_result(ls->ld, res, &code, NULL, NULL, NULL, NULL,
                               0);
    ldap_msgfree(res);
    ber = data != NULL ? ber_init(data) : NULL;
    if (ber != NULL && ber_scanf(ber, "{i" /*}*/, &id) != LBER_ERROR)
        *failed = (int)id;
    ber_free(ber, 1);
    ber_bvfree(data);
    return rc == LDAP_SUCCESS ? code : rc;
}

/* A commit that failed: 1 if an entry changed meanwhile (run again), else
 * -1 with err naming the account whose modify the directory refused. */
static int txn_failed(struct pl_store *ls, const struct pl_entry *es,
                      size_t n, const int *ids, int end, int failed,
                      struct pwr_err *err)
{
    const struct pl_entry *e = NULL;

    if (end == LDAP_ASSERTION_FAILED || end == LDAP_NO_SUCH_ATTRIBUTE ||
        end == LDAP_TYPE_OR_VALUE_EXISTS)
        return 1;
    for (size_t i = 0; failed > 0 && e == NULL && i < n; i++)
        if (es[i].dirty && ids[i] == failed)
            e = &es[i];
    if (e == NULL)
        return pl_fail(ls, end, "transaction commit", err);
    return refused(ls, e, end, err);
}

int pl_write_many(struct pl_store *ls, struct pl_entry *es, size_t n,
                  struct pwr_err *err)
{
    struct berval *txnid = NULL;
    int *ids, rc, end, failed;

    if (pl_arm(ls, ls->ld, err) < 0)
        return -1;
    ids = calloc(n, sizeof(*ids));
    if (ids == NULL)
        return pwr_fail(err, PWR_E_INTERNAL, "out of memory");
    rc = ldap_txn_start_s(ls->ld, NULL, NULL, &txnid);
    if (rc != LDAP_SUCCESS) {
        free(ids);
        return pl_fail(ls, rc, "transaction start", err);
    }
    rc = txn_modifies(ls, es, n, txnid, ids, err);
    txn_settle(ls);
    end = txn_end(ls, rc == 0, txnid, &failed);
    ber_bvfree(txnid);
    if (rc == 0 && end != LDAP_SUCCESS)
        rc = txn_failed(ls, es, n, ids, end, failed, err);
    free(ids);
    if (rc != 0)
        return rc;
    reread_all(ls, es, n);
    return 0;
}

