/* pwr_chain.h - the tamper-evident audit trail: every event the
 * helper writes carries seq=N and mac=HEX, where
 *
 *   mac = HMAC-SHA256(key, prev_mac_hex || line)
 *
 * line being the event's text up to and including its seq field (what
 * follows "pwreset[PID]: " in the log, without " mac=..."), prev_mac_hex the
 * mac of event N-1 ("" for the first event of a chain).  Deleting, swapping
 * or editing a line breaks the chain; pwreset audit --verify names where.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Two root-only (0600) files live beside the store: audit.key (32 random
 * bytes, made on first use) and audit.chain (the last seq and mac, one
 * fixed-width line rewritten in place).  Sealing takes an exclusive flock on
 * audit.chain, advances it, and only then is the line sent: a crash or a
 * lost datagram leaves a gap that --verify reports, never a reused number.
 * Only the helper's events are chained; the module's (login decisions) are
 * written by the programs it is loaded into and carry no seq.
 */
#ifndef PWR_CHAIN_H
#define PWR_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "pwr_audit.h"
#include "pwr_err.h"
#include "pwr_util.h"

#define PWR_CHAIN_KEYBYTES 32
#define PWR_CHAIN_MACHEX 65 /* 64 hex digits + NUL */

/* dir(store)/audit.key and dir(store)/audit.chain. */
int pwr_chain_paths(const char *store, char key[PWR_PATH_MAX],
                    char state[PWR_PATH_MAX], struct pwr_err *err);

/* Append " seq=N mac=HEX" to each of a[0..n), consecutive events (one, or
 * a bulk action's), cutting trailing fields, marked truncated=1, from a
 * line too long to take the seal.  Creates the key and state files when
 * missing.  The events are sealed in memory, then the state is written
 * once per 256 events, and only then are those lines returned sealed, so
 * none of them can be sent before the state holds its number.  A seal
 * locks the chain until pwr_chain_unlock() or pwr_chain_close(): send the
 * sealed lines, then unlock, so lines leave in number order.  -1 with err:
 * the events of the 256 that could not be recorded, and all after them,
 * are left unsealed (earlier groups stay sealed and recorded). */
int pwr_chain_seal_batch(struct pwr_audit *a, size_t n, const char *store,
                         struct pwr_err *err);

/* Drop the lock a seal took (it is never held while the process
 * waits for anything but its own syslog sends). */
void pwr_chain_unlock(void);

/* Sync the chain state and drop its lock and key (the helper calls this
 * before it exits; sealing again reopens). */
void pwr_chain_close(void);

/* The verifier's key (root only in practice: the file is 0600). */
int pwr_chain_load_key(const char *store,
                       unsigned char key[PWR_CHAIN_KEYBYTES],
                       struct pwr_err *err);

/* mac of text (len bytes) after prev_hex, as 64 lower-case hex digits. */
void pwr_chain_mac(const unsigned char key[PWR_CHAIN_KEYBYTES],
                   const char *prev_hex, const char *text, size_t len,
                   char out[PWR_CHAIN_MACHEX]);

/* In a log line, find our sealed event: text and tlen get the sealed part
 * (from "event=" up to before " mac="), seq and mac its seal.  1 found, 0 not a
 * sealed event of ours. */
int pwr_chain_split(const char *line, size_t len, const char **text,
                    size_t *tlen, uint64_t *seq, char mac[PWR_CHAIN_MACHEX]);

/* The verifier's reading of the chain state beside store: the last seq
 * sealed and its mac (0 and "" when the state is empty or damaged).  -1
 * with err when it cannot be read (not root, or not the host that wrote
 * the log): a cut at the end of a log cannot be seen then. */
int pwr_chain_load_state(const char *store, uint64_t *seq,
                         char mac[PWR_CHAIN_MACHEX], struct pwr_err *err);

/* 1 if event is one only the helper writes, always sealed: found without a
 * seal, it was forged (or written while the chain could not be sealed).
 * 0 for the module's events, which are never sealed. */
int pwr_chain_expects_seal(const char *event);

#endif
