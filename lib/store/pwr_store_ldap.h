/* pwr_store_ldap.h - what the files of the directory backend share
 * (private to lib/store/pwr_store_ldap*.c, linked by pwreset-helper only).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * pwr_store_ldap_conn.c: connecting and binding within ldap_timeout, the
 *     password files, errors, checking a person's password by binding;
 * pwr_store_ldap_map.c: an entry as a record, and a record's changes as
 *     the modify of its entry (docs/FLEET.md, "Every field of the record");
 * pwr_store_ldap_write.c: one entry's modify with its assertion;
 * pwr_store_ldap_txn.c: many in an RFC 5805 transaction, sent without
 *     waiting for each answer;
 * pwr_store_ldap.c: the backend's operations, the transaction;
 * pwr_store_ldap_search.c: a paged search, the next page read ahead;
 * pwr_store_ldap_seen.c: the logins this host has seen in the directory;
 * pwr_store_ldap_index.c: a login among many, found in constant time.
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
    const char *clear;              /* the new password as typed, sent
                                       instead of its hash (ldap_password_
                                       policy): pl_store.newpw, or NULL */
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

/* Positions in an array, found by login (pwr_store_ldap_index.c). */
#define PL_NOT_FOUND ((size_t)-1)
typedef const char *(*pl_key_fn)(const void *arg, size_t pos);
struct pl_index {
    size_t *slot;                   /* position + 1; 0 empty */
    size_t cap, n;                  /* cap: a power of two, or 0 */
};
size_t pl_index_find(const struct pl_index *ix, const char *login,
                     pl_key_fn key, const void *arg);
/* Add (or move) the login at pos, as key(arg, pos) names it: 0, -1. */
int pl_index_add(struct pl_index *ix, size_t pos, pl_key_fn key,
                 const void *arg);
void pl_index_free(struct pl_index *ix);

/* An entry's version as this process last read or wrote it, and its DN
 * when a look-up found it (the password check binds to it). */
struct pl_known {
    char login[PWR_LOGIN_MAX + 1];
    char csn[PL_CSN_MAX];
    char *dn;
};

/* The logins this host found in the directory during this run; those the
 * list file lacks are appended by pl_seen_flush, which reads the file once
 * however many there are (the file is never read whole into memory). */
struct pl_seen_set {
    char (*name)[PWR_LOGIN_MAX + 1];
    size_t n, cap, n_written;
    struct pl_index ix;
};

/* The logins of uid 0 (pl_is_root). */
#define PL_ROOTS_MAX 8
struct pl_roots {
    int loaded, overflow;           /* overflow: ask getpwnam each time */
    char name[PL_ROOTS_MAX][PWR_LOGIN_MAX + 1];
    size_t n;
};

struct pl_store {
    struct pwr_ldap_opts o;
    char strs[8][PWR_PATH_MAX];     /* copies of o's strings */
    char path[PWR_PATH_MAX];        /* the local store path (seen list) */
    LDAP *ld;                       /* NULL until the first operation */
    int ld_person;                  /* ld was last bound as a person */
    int64_t deadline_ms;            /* of the current operation */
    pwr_commit_hook hook;
    void *hook_arg;
    char proof_login[PWR_LOGIN_MAX + 1]; /* pwr_store_set_proof */
    char *proof;                    /* the person's password (heap, wiped
                                       when freed), or NULL */
    char newpw_login[PWR_LOGIN_MAX + 1]; /* pwr_store_set_new_password */
    char *newpw;                    /* the new password as typed (heap,
                                       wiped when freed), or NULL */
    const char *violation;          /* pwr_store_violation */
    struct pl_known *known;         /* versions seen or written (csn=) */
    size_t n_known, cap_known;
    struct pl_index known_ix;
    struct pl_seen_set seen;
    struct pl_roots roots;
};

/* ---- pwr_store_ldap_conn.c ---- */
/* Start an operation: its deadline is now + ldap_timeout. */
void pl_begin(struct pl_store *ls);
/* Connected and bound (host or admin, as opts.admin says); a connection
 * a password check bound as the person is bound back first. */
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
/* 1 if what goes to the directory cannot be read on the way: every URI is
 * ldaps:// or ldapi:// or names this host, or StartTLS is asked for. */
int pl_private_channel(const struct pl_store *ls);
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
/* Controls of one modify: the assertion, the post-read of entryCSN and
 * pwdChangedTime (not in a transaction), the transaction it belongs to,
 * and (ppolicy) the password policy's answer. */
struct pl_ctrls {
    LDAPControl assert_c, read_c, txn_c;
    LDAPControl *pp_c;
    LDAPControl *list[5];
    struct berval assert_v, read_v;
};
int pl_ctrls_make(LDAP *ld, struct pl_ctrls *c, const char *assertion,
                  struct berval *txnid, int ppolicy, struct pwr_err *err);
void pl_ctrls_free(struct pl_ctrls *c);
/* Remember e's version for pwr_store_version (and, with_dn, its DN). */
void pl_remember(struct pl_store *ls, const struct pl_entry *e, int with_dn);
/* What pl_remember kept of login, or NULL. */
struct pl_known *pl_known_of(struct pl_store *ls, const char *login);
void pl_known_free(struct pl_store *ls);

/* ---- pwr_store_ldap_txn.c ---- */
/* The dirty entries of es in one transaction: as pl_write. */
int pl_write_many(struct pl_store *ls, struct pl_entry *es, size_t n,
                  struct pwr_err *err);

/* ---- pwr_store_ldap_search.c ---- */
/* Every entry under ldap_base that matches filter, page by page, with
 * attrs (NULL: pl_attrs). */
typedef int (*pl_visit_fn)(LDAP *ld, LDAPMessage *msg, void *arg,
                           struct pwr_err *err);
int pl_search_all(struct pl_store *ls, const char *filter, char **attrs,
                  pl_visit_fn fn, void *arg, struct pwr_err *err);

/* ---- pwr_store_ldap_seen.c ---- */
/* 1 if this host has seen login in the directory. */
int pl_seen(struct pl_store *ls, const char *login);
/* Note login as seen; pl_seen_flush writes the new ones to the list. */
void pl_mark_seen(struct pl_store *ls, const char *login);
void pl_seen_flush(struct pl_store *ls);
void pl_seen_free(struct pl_store *ls);
/* 1 if login is outside the directory: in the local /etc/passwd and never
 * seen in the directory by this host. */
int pl_outside(struct pl_store *ls, const char *login);
/* 1 if login has uid 0 (root: never in the directory). */
int pl_is_root(struct pl_store *ls, const char *login);

#endif
