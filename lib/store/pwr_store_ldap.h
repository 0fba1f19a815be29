/* pwr_store_ldap.h - what the files of the directory backend share
 * (private to lib/store/pwr_store_ldap*.c, linked by pwreset-helper only).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * pwr_store_ldap_conn.c: connecting and binding within ldap_timeout, the
 *     password files, errors, checking a person's password by binding;
 * pwr_store_ldap_map.c: an entry as a record, and a record's changes as
 *     the modify of its entry (docs/FLEET.md, "Every field of the record");
 * pwr_store_ldap_write.c: one entry's modify with its assertion, many in
 *     an RFC 5805 transaction;
 * pwr_store_ldap.c: the backend's operations, the transaction;
 * pwr_store_ldap_seen.c: the logins this host has seen in the directory.
 */
#ifndef PWR_STORE_LDAP_H
#define PWR_STORE_LDAP_H

#include <stdint.h>

#include <ldap.h>

#include "pwr_store.h"

/* libldap takes char * where it only reads: for string constants. */
#define PL_STR(s) ((char *)(uintptr_t)(s))

#define PL_TIME_MAX 32 /* a GeneralizedTime value + NUL */
#define PL_CSN_MAX 64

/* One account entry as this process read it, and as a transaction wants
 * it to become. */
struct pl_entry {
    char login[PWR_LOGIN_MAX + 1];
    char *dn;                       /* NULL: no entry with this uid */
    int enrolled;                   /* objectClass pwresetAccount */
    char csn[PL_CSN_MAX];           /* entryCSN as read, then after a write */
    char changed[PL_TIME_MAX];      /* pwdChangedTime as read */
    char temporary[PL_TIME_MAX];    /* pwresetTemporary as read */
    char lock[PL_TIME_MAX];         /* pwdAccountLockedTime as read */
    int pwd_reset;                  /* pwdReset: TRUE as read */
    struct pwr_record old;          /* as read */
    struct pwr_record cur;          /* as the transaction left it */
    int dirty, removed;
};

/* The changes of one entry, ready for ldap_modify: at most this many. */
#define PL_MODS_MAX 48
struct pl_mods {
    LDAPMod mod[PL_MODS_MAX];
    LDAPMod *ptr[PL_MODS_MAX + 1];
    char *vals[PL_MODS_MAX][2];
    char buf[PL_MODS_MAX][PWR_HASH_MAX + 16]; /* values (wiped) */
    size_t n;
    int pw_change;     /* the modify sets a password */
    int temporary;     /* then mark it temporary (second modify) */
};

struct pl_store {
    struct pwr_ldap_opts o;
    char strs[8][PWR_PATH_MAX];     /* copies of o's strings */
    char path[PWR_PATH_MAX];        /* the local store path (seen list) */
    LDAP *ld;                       /* NULL until the first operation */
    int64_t deadline_ms;            /* of the current operation */
    pwr_commit_hook hook;
    void *hook_arg;
    char proof_login[PWR_LOGIN_MAX + 1]; /* pwr_store_set_proof */
    char proof[512];                /* the person's password (wiped) */
    struct pl_entry *known;         /* versions seen or written (csn=) */
    size_t n_known, cap_known;
};

/* ---- pwr_store_ldap_conn.c ---- */
/* Start an operation: its deadline is now + ldap_timeout. */
void pl_begin(struct pl_store *ls);
/* Connected and bound (host or admin, as opts.admin says). */
int pl_connect(struct pl_store *ls, struct pwr_err *err);
void pl_disconnect(struct pl_store *ls);
/* A new connection bound as dn with password (the person). */
int pl_bind_as(struct pl_store *ls, const char *dn, const char *password,
               LDAP **out, struct pwr_err *err);
/* Set the timeouts of ld to what is left of the deadline; -1 (unavail)
 * when nothing is left. */
int pl_arm(struct pl_store *ls, LDAP *ld, struct pwr_err *err);
/* What is left of the deadline (at least 1 ms), for ldap_result. */
void pl_timeval(const struct pl_store *ls, struct timeval *tv);
/* An LDAP result code as a pwr_err: unavailable, busy, store... */
int pl_fail(struct pl_store *ls, int rc, const char *what,
            struct pwr_err *err);
/* 1 if rc means the directory could not be reached or did not answer. */
int pl_unreachable(int rc);
int pl_check_password(void *ctx, const char *login, const char *password,
                      int *locked, struct pwr_err *err);

/* ---- pwr_store_ldap_map.c ---- */
/* The attributes every search asks for. */
extern char *pl_attrs[];
/* The filter that finds login ("(uid=...)", escaped) into out. */
int pl_filter(const char *login, int enrolled_only, char *out, size_t outsz);
/* Fill e (login, dn, old and cur) from a search result entry. */
int pl_from_entry(LDAP *ld, LDAPMessage *msg, struct pl_entry *e,
                  struct pwr_err *err);
/* The modify that turns e->old into e->cur. */
int pl_diff(const struct pl_entry *e, struct pl_mods *m, struct pwr_err *err);
void pl_mods_wipe(struct pl_mods *m);
/* "20261206013000Z" */
void pl_gentime(int64_t t, char *out, size_t outsz);
int64_t pl_parse_gentime(const char *s);

/* ---- pwr_store_ldap_write.c ---- */
/* Write every dirty entry of es: 0, 1 when an assertion failed (someone
 * else changed an entry: run the transaction again), -1 error. */
int pl_write(struct pl_store *ls, struct pl_entry *es, size_t n,
             struct pwr_err *err);
/* Remember e's version for pwr_store_version. */
void pl_remember(struct pl_store *ls, const struct pl_entry *e);

/* ---- pwr_store_ldap.c ---- */
/* Every entry under ldap_base that matches filter, page by page. */
typedef int (*pl_visit_fn)(LDAP *ld, LDAPMessage *msg, void *arg,
                           struct pwr_err *err);
int pl_search_all(struct pl_store *ls, const char *filter, pl_visit_fn fn,
                  void *arg, struct pwr_err *err);

/* ---- pwr_store_ldap_seen.c ---- */
/* 1 if this host has seen login in the directory. */
int pl_seen(const struct pl_store *ls, const char *login);
void pl_mark_seen(const struct pl_store *ls, const char *login);
/* 1 if login is outside the directory: in the local /etc/passwd and never
 * seen in the directory by this host. */
int pl_outside(const struct pl_store *ls, const char *login);

#endif
