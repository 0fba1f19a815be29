/* pwr_config_keys.h - inside the config parser: what the key table
 * (pwr_config.c), the value checks (pwr_config_value.c) and the file reader
 * (pwr_config_file.c) share.  Not for other callers: they use pwr_config.h.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef PWR_CONFIG_KEYS_H
#define PWR_CONFIG_KEYS_H

#include <stddef.h>

#include "pwr_config.h"

/* Room for one mark per key (the file reader's "seen" array); pwr_config.c
 * checks at compile time that its table fits. */
#define PWR_CFG_KEYS_MAX 64

/* The key that says where the store is: the lenient reading refuses to
 * guess it (pwr_config_file.c). */
#define PWR_CFG_STORE_KEY "store"

enum pwr_cfg_type {
    KT_PATH,       /* absolute path */
    KT_PATH_OPT,   /* absolute path, or "" for off */
    KT_NAME,       /* group or login name, or "" for none */
    KT_LOGIN_LIST, /* login names separated by commas and/or spaces */
    KT_PATH_LIST,  /* absolute paths separated by commas and/or spaces */
    KT_UINT,       /* decimal number in [min, max] */
    KT_MSEC,       /* milliseconds in [min, max] */
    KT_DURATION,   /* pwr_parse_duration in [min, max], or 0 if zero_ok */
    KT_HASH,       /* pwr_hash_method_parse */
    KT_TEXT,       /* free UTF-8 text, not empty */
    KT_BOOL,       /* yes/no, true/false, on/off, 1/0 */
    KT_TEXT_OPT,   /* free UTF-8 text, or "" for none */
    KT_BACKEND,    /* file or ldap */
};

struct pwr_cfg_key {
    const char *name;
    enum pwr_cfg_type type;
    size_t off;       /* the member of struct pwr_config */
    size_t size;      /* its size; for lists, the size of one entry */
    size_t max_items; /* lists: capacity */
    size_t count_off; /* lists: the size_t member counting entries */
    unsigned long min, max;
    int zero_ok;      /* durations: 0 means "none" */
    const char *def;  /* default, as it would be written in the file */
};

/* Where a value came from, for error messages: file NULL = pwr_config_set,
 * line 0 = the file as a whole. */
struct pwr_cfg_where {
    const char *file;
    unsigned line;
};

/* ---- pwr_config_value.c ---- */

/* Fail with PWR_E_CONFIG as "FILE:LINE: what (key 'name')", the key made
 * printable (key NULL: no key part). */
int pwr_cfg_fail(struct pwr_err *err, const struct pwr_cfg_where *w,
                 const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Check value v as text, then as key k's type, and store it in cfg.
 * err gets the bare reason (the caller adds where and which key). */
int pwr_cfg_parse_value(const struct pwr_cfg_key *k, const char *v,
                        struct pwr_config *cfg, struct pwr_err *err);

/* ---- pwr_config.c (the key table) ---- */

/* The table index of the key called name, or -1. */
int pwr_cfg_find_key(const char *name);

/* Set key id of the table from value, error as "where: what (key 'name')". */
int pwr_cfg_apply(struct pwr_config *cfg, int id, const char *value,
                  const struct pwr_cfg_where *w, struct pwr_err *err);

/* The checks across keys, run once everything is read.  seen[] (indexed by
 * key id) holds the line that set each key (or 1 for an option); old_method
 * is the hash method in force before.  A new method without an explicit
 * hash_cost takes that method's default cost. */
int pwr_cfg_finish(struct pwr_config *cfg, const char *file,
                   const unsigned *seen, enum pwr_hash_method old_method,
                   struct pwr_err *err);

/* After pwr_cfg_finish refused cfg: put back the default of what it
 * refused (the lenient reading then runs pwr_cfg_finish again). */
void pwr_cfg_repair(struct pwr_config *cfg);

#endif
