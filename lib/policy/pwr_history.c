/* pwr_history.c - the password history of a record (see pwr_history.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The history holds hashes only; the temporary copies made while rebuilding
 * it are wiped all the same, since a hash is still worth an offline attack.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "pwr_hash.h"
#include "pwr_history.h"
#include "pwr_record.h"

/* Not a comma: argon2id strings hold commas ("m=65536,t=2,p=1"). */
#define SEP ';'
#define SEP_S ";"

/* Copy the entry at *p (up to the next ';') into out; 1 entry, 0 end. */
static int next_entry(const char **p, char *out, size_t outsz)
{
    const char *s = *p;
    size_t n = strcspn(s, SEP_S);

    if (*s == '\0')
        return 0;
    *p = s + n + (s[n] == SEP);
    if (n >= outsz)
        n = 0; /* over-long: treated as empty, hence unusable */
    memcpy(out, s, n);
    out[n] = '\0';
    return 1;
}

/* What may be kept: a usable modular crypt string ("$id$..."; so never a
 * plain text nor a DES hash, which crypt would accept as one), never
 * MD5-crypt ($1$), never one that would split the list. */
static int keepable(const char *hash)
{
    return hash[0] == '$' && pwr_hash_usable(hash) &&
           strncmp(hash, "$1$", 3) != 0 &&
           strchr(hash, SEP) == NULL;
}

int pwr_history_contains(const char *history, unsigned keep, const char *pw,
                         struct pwr_err *err)
{
    char entry[PWR_HASH_MAX];
    const char *p = history;
    unsigned seen = 0;
    int found = 0;

    while (found == 0 && seen < keep &&
           next_entry(&p, entry, sizeof(entry))) {
        seen++;
        if (keepable(entry))
            found = pwr_hash_verify(pw, entry, err);
    }
    sodium_memzero(entry, sizeof(entry));
    return found;
}

/* Append ",entry" (or "entry" first) if it fits; 0 done, -1 full. */
static int add_entry(char *out, size_t size, size_t *used, const char *entry)
{
    size_t len = strlen(entry), sep = *used > 0;

    if (*used + sep + len + 1 > size)
        return -1;
    if (sep)
        out[(*used)++] = SEP;
    memcpy(out + *used, entry, len + 1);
    *used += len;
    return 0;
}

void pwr_history_push(char *history, size_t size, const char *old_hash,
                      unsigned keep)
{
    char out[PWR_HISTORY_TEXT_MAX], entry[PWR_HASH_MAX];
    const char *p = history;
    size_t used = 0;
    unsigned n = 0;

    if (size == 0)
        return;
    if (size > sizeof(out))
        size = sizeof(out);
    out[0] = '\0';
    if (keep > 0 && old_hash != NULL && keepable(old_hash) &&
        add_entry(out, size, &used, old_hash) == 0)
        n++;
    while (n < keep && next_entry(&p, entry, sizeof(entry))) {
        if (!keepable(entry))
            continue;
        if (add_entry(out, size, &used, entry) < 0)
            break;
        n++;
    }
    memcpy(history, out, used + 1);
    sodium_memzero(out, sizeof(out));
    sodium_memzero(entry, sizeof(entry));
}
