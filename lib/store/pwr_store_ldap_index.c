/* pwr_store_ldap_index.c - find a login among many in constant time: an
 * open-addressing hash table of positions in the caller's array, so a bulk
 * change of every account (force-reset --all of 100,000 entries) does not
 * scan all of them again for each one (the versions read, the entries of
 * a transaction, the logins this host has seen).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pwr_store_ldap.h"

static size_t hash_of(const char *s)
{
    size_t h = 1469598103934665603u; /* FNV-1a */

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The slot of login, or of the empty slot where it would go. */
static size_t slot_of(const struct pl_index *ix, const char *login,
                      pl_key_fn key, const void *arg)
{
    size_t i = hash_of(login) & (ix->cap - 1);

    while (ix->slot[i] != 0 &&
           strcmp(key(arg, ix->slot[i] - 1), login) != 0)
        i = (i + 1) & (ix->cap - 1);
    return i;
}

size_t pl_index_find(const struct pl_index *ix, const char *login,
                     pl_key_fn key, const void *arg)
{
    size_t i;

    if (ix->cap == 0)
        return PL_NOT_FOUND;
    i = slot_of(ix, login, key, arg);
    return ix->slot[i] == 0 ? PL_NOT_FOUND : ix->slot[i] - 1;
}

/* Twice the slots, every position placed again. */
static int grow(struct pl_index *ix, pl_key_fn key, const void *arg)
{
    struct pl_index big = { NULL, ix->cap ? 2 * ix->cap : 64, 0 };

    big.slot = calloc(big.cap, sizeof(*big.slot));
    if (big.slot == NULL)
        return -1;
    for (size_t i = 0; i < ix->cap; i++)
        if (ix->slot[i] != 0)
            big.slot[slot_of(&big, key(arg, ix->slot[i] - 1), key, arg)] =
                ix->slot[i];
    big.n = ix->n;
    free(ix->slot);
    *ix = big;
    return 0;
}

int pl_index_add(struct pl_index *ix, size_t pos, pl_key_fn key,
                 const void *arg)
{
    const char *login = key(arg, pos);
    size_t i;

    if (2 * (ix->n + 1) > ix->cap && grow(ix, key, arg) < 0)
        return -1;
    i = slot_of(ix, login, key, arg);
    if (ix->slot[i] == 0)
        ix->n++;
    ix->slot[i] = pos + 1;
    return 0;
}

void pl_index_free(struct pl_index *ix)
{
    free(ix->slot);
    memset(ix, 0, sizeof(*ix));
}
