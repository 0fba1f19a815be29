/* pwr_record.h - one account of the credential store, and its text form.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * A record is one line of the store (docs/STORE.md):
 *
 *   LOGIN SP key=value SP key=value ... LF
 *
 * LOGIN comes first so the store can be sorted and binary-searched by it.
 * Values are percent-encoded (pwr_encode); keys are fixed, lower-case, and
 * written in a fixed order; keys with their default value are omitted.
 * An unknown key, a duplicate key or a bad value makes the line corrupt.
 */
#ifndef PWR_RECORD_H
#define PWR_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "pwr_err.h"
#include "pwr_util.h"

#define PWR_HASH_MAX 256       /* longest stored password or code hash + NUL */
#define PWR_REASON_MAX 256     /* admin-supplied reason text + NUL */
#define PWR_RECORD_LINE_MAX 4096
#define PWR_HISTORY_TEXT_MAX 1280 /* history= value + NUL */

enum pwr_status {
    PWR_ST_ACTIVE = 0, /* may log in */
    PWR_ST_PENDING,    /* enrolled, never set a password: setup code only */
    PWR_ST_BLOCKED,    /* denied: security hold */
    PWR_ST_INACTIVE,   /* denied: deactivated */
    PWR_ST_DELETED,    /* tombstone: hash wiped, kept for audit */
};

#define PWR_F_MUST_CHANGE 0x1u /* force a new password at next login */
#define PWR_F_TEMPORARY 0x2u   /* current password is a temporary one */
#define PWR_F_ALL (PWR_F_MUST_CHANGE | PWR_F_TEMPORARY) /* every flag */
#define PWR_FLAGS_TEXT_MAX 32  /* "must_change,temporary" + NUL, with room */

struct pwr_record {
    char login[PWR_LOGIN_MAX + 1];
    enum pwr_status status;       /* key status=active|pending|... */
    unsigned flags;               /* key flags=must_change,temporary */
    char hash[PWR_HASH_MAX];      /* key hash= ; "" = no usable password */
    int64_t changed;              /* key changed= ; last password change, 0 never */
    int64_t temp_expires;         /* key temp_expires= ; 0 = no expiry */
    char code_hash[PWR_HASH_MAX]; /* key code= ; reset/setup code hash, "" none */
    int64_t code_expires;         /* key code_expires= */
    unsigned code_tries;          /* key code_tries= ; wrong tries so far */
    int64_t status_changed;       /* key status_changed= */
    char reason[PWR_REASON_MAX];  /* key reason= ; why blocked/deactivated */
    int64_t created;              /* key created= */
    unsigned grace_used;          /* key grace_used= ; grace logins spent while
                                     must_change is set */
    char history[PWR_HISTORY_TEXT_MAX]; /* key history= ; earlier password
                                     hashes, newest first, ';'-separated */
    char notice[32];              /* key notice= ; admin action not yet shown */
    char notice_by[PWR_LOGIN_MAX + 16]; /* key notice_by= ; who did it */
    int64_t notice_at;            /* key notice_at= ; when */
};

/* Zero the record and set login (which must be valid). */
void pwr_record_init(struct pwr_record *rec, const char *login);

/* Wipe a record that held hashes (sodium_memzero). */
void pwr_record_wipe(struct pwr_record *rec);

/* "active", "pending", ... */
const char *pwr_status_name(enum pwr_status st);
int pwr_status_parse(const char *name, enum pwr_status *st);

/* The flags as their words, comma-separated in one fixed order
 * ("must_change,temporary"; "" for none): the one text form of the flags,
 * in the store and in the helper's status reply.  Returns the length, or
 * -1 for an unknown bit or a buffer too small. */
int pwr_flags_format(unsigned flags, char *buf, size_t bufsz);
/* The reverse, strict: an unknown, repeated or empty word fails (-1). */
int pwr_flags_parse(const char *s, size_t len, unsigned *flags);

/* Append the record's line, with its trailing LF, to buf.  Returns the
 * number of bytes written (excluding the NUL), or -1 if bufsz is too small. */
int pwr_record_format(const struct pwr_record *rec, char *buf, size_t bufsz);

/* Parse one line (without its LF).  On error err->msg says what is wrong,
 * without a line number (the store adds that). */
int pwr_record_parse(const char *line, size_t len, struct pwr_record *rec,
                     struct pwr_err *err);

/* 1 if a reset/setup code is set and not yet expired at now. */
int pwr_record_code_live(const struct pwr_record *rec, int64_t now,
                         unsigned max_tries);

#endif
