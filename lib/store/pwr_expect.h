/* pwr_expect.h - knowing that a store is expected, so a
 * store that vanished never turns managed accounts into unmanaged ones.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The rule (pwr_expect.c enforces it): once a store has existed at a path,
 * a store is expected there.  The evidence is kept where removing the store
 * or its whole directory does not remove it: the marker file
 * pwreset.stores in the configuration file's directory
 * (/etc/security/pwreset.stores), one store path per line, written by
 * pwreset-helper whenever it finds the store it uses in place; and the
 * store's own backup (STORE.bak), which only a second write leaves.  A
 * fresh install, before the first enrol, has neither: nobody is managed
 * yet, and everybody is left to the rest of the PAM stack.
 */
#ifndef PWR_EXPECT_H
#define PWR_EXPECT_H

#include <stddef.h>

#include "pwr_err.h"
#include "pwr_util.h"

#define PWR_EXPECT_MARKER "pwreset.stores"

/* The marker's path for a configuration file path. */
int pwr_expect_marker(const char *config, char out[PWR_PATH_MAX],
                      struct pwr_err *err);

/* 1 if the marker (readable and trusted) lists store. */
int pwr_store_listed(const char *store, const char *config);

/* 0 if the store file exists or none is expected; -1 with PWR_E_STORE and
 * a message naming the file, the evidence and the one repair command when a
 * store is expected but missing (or cannot even be looked at). */
int pwr_store_check_present(const char *store, const char *config,
                            int check_backup, struct pwr_err *err);

/* The one command that repairs a store that is missing or fails its checks
 * ("cp -p STORE.bak STORE" when that copy is sound, ...), for messages.
 * check_backup: validate STORE.bak in full first (the helper; a login only
 * looks whether it exists, so a refused login stays cheap). */
void pwr_store_repair_hint(const char *store, int check_backup, char *out,
                           size_t outsz);

/* Record in the marker that a store exists at store (pwreset-helper, once
 * the store is in place).  Written atomically; a no-op when listed. */
int pwr_store_mark(const char *store, const char *config, struct pwr_err *err);

#endif
