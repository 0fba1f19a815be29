/* cli_audit_verify.c - pwreset audit --verify FILE...: check the MAC chain
 * of the helper's events (lib/pwr_chain.h) and name every deleted,
 * reordered, duplicated or edited event line.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Needs the chain key beside the store (audit.key, 0600): in practice root.
 * Files are read in the order given (oldest first, as logrotate numbers
 * them in reverse: auth.log.1 auth.log).  A line's content is proved by the
 * mac of the event numbered just before it, wherever that line is, so a
 * swapped pair reads as "reordered", not as two edits; a line after a gap
 * cannot be proved and is said so.  Exit 0 when the chain is intact,
 * PWR_E_AUTH (8) when anything is wrong.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "cli_audit.h"
#include "pwr_audit.h"
#include "pwr_chain.h"
#include "pwr_config.h"

#define LINE_CAP (64 * 1024)

struct entry {
    uint64_t seq;
    char mac[PWR_CHAIN_MACHEX];
    char *text;
    size_t tlen;
    const char *file;
    unsigned long line;
};

struct chain {
    struct entry *e;
    size_t n, cap;
    size_t unsealed, problems;
};

static int add_entry(struct chain *c, const char *file, unsigned long line,
                     const char *text, size_t tlen, uint64_t seq,
                     const char *mac)
{
    struct entry *e;

    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        struct entry *p = realloc(c->e, cap * sizeof(*p));

        if (p == NULL)
            return -1;
        c->e = p;
        c->cap = cap;
    }
    e = &c->e[c->n];
    e->text = malloc(tlen + 1);
    if (e->text == NULL)
        return -1;
    memcpy(e->text, text, tlen);
    e->text[tlen] = '\0';
    e->tlen = tlen;
    e->seq = seq;
    memcpy(e->mac, mac, PWR_CHAIN_MACHEX);
    e->file = file;
    e->line = line;
    c->n++;
    return 0;
}

static void ignore_kv(const char *key, const char *value, void *arg)
{
    (void)key;
    (void)value;
    (void)arg;
}

static int read_one(struct chain *c, const char *path)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t bufsz = 0;
    ssize_t len;
    unsigned long no = 0;
    int rc = PWR_OK;

    if (f == NULL) {
        cli_err("%s: %s", path, strerror(errno));
        return PWR_E_NOENT;
    }
    while ((len = getline(&buf, &bufsz, f)) >= 0) {
        const char *text;
        size_t tlen;
        uint64_t seq;
        char mac[PWR_CHAIN_MACHEX];

        no++;
        if (len > LINE_CAP)
            continue;
        if (pwr_chain_split(buf, (size_t)len, &text, &tlen, &seq, mac)) {
            if (add_entry(c, path, no, text, tlen, seq, mac) < 0) {
                cli_err("out of memory");
                rc = PWR_E_INTERNAL;
                break;
            }
        } else if (pwr_audit_parse(buf, (size_t)len, ignore_kv, NULL) == 1) {
            c->unsealed++;
        }
    }
    free(buf);
    fclose(f);
    return rc;
}

static void problem(struct chain *c, const struct entry *e, const char *fmt,
                    ...) __attribute__((format(printf, 3, 4)));

static void problem(struct chain *c, const struct entry *e, const char *fmt,
                    ...)
{
    va_list ap;

    printf("%s:%lu: ", e->file, e->line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    c->problems++;
}

static int by_seq(const void *a, const void *b)
{
    const struct entry *x = *(const struct entry *const *)a;
    const struct entry *y = *(const struct entry *const *)b;

    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return x < y ? -1 : (x > y);
}

/* In file order: a number lower than the one before it. */
static void check_order(struct chain *c)
{
    for (size_t i = 1; i < c->n; i++)
        if (c->e[i].seq <= c->e[i - 1].seq)
            problem(c, &c->e[i],
                    "event seq %llu comes after seq %llu (%s:%lu): lines "
                    "reordered, duplicated, or the chain was restarted",
                    (unsigned long long)c->e[i].seq,
                    (unsigned long long)c->e[i - 1].seq, c->e[i - 1].file,
                    c->e[i - 1].line);
}

/* In number order: gaps, duplicates, and each line's own MAC. */
static void check_numbers(struct chain *c, struct entry **s,
                          const unsigned char *key)
{
    char want[PWR_CHAIN_MACHEX];

    for (size_t i = 0; i < c->n; i++) {
        const struct entry *prev = i > 0 ? s[i - 1] : NULL;

        if (prev != NULL && prev->seq == s[i]->seq) {
            problem(c, s[i], "seq %llu also at %s:%lu: duplicated event",
                    (unsigned long long)s[i]->seq, prev->file, prev->line);
            continue;
        }
        if (prev != NULL && s[i]->seq > prev->seq + 1)
            problem(c, s[i], "event(s) seq %llu..%llu missing before this "
                    "one (after %s:%lu): deleted lines; this line cannot "
                    "be proved",
                    (unsigned long long)prev->seq + 1,
                    (unsigned long long)s[i]->seq - 1, prev->file, prev->line);
        if (prev == NULL && s[i]->seq != 1)
            continue; /* the chain began in an older log: nothing to prove */
        if (prev != NULL && s[i]->seq != prev->seq + 1)
            continue;
        pwr_chain_mac(key, prev != NULL ? prev->mac : "", s[i]->text,
                      s[i]->tlen, want);
        if (sodium_memcmp(want, s[i]->mac, 64) != 0)
            problem(c, s[i], "event seq %llu was edited (its MAC does not "
                    "match)", (unsigned long long)s[i]->seq);
    }
}

static int load_key(struct cli *cli, unsigned char *key)
{
    struct pwr_config cfg;
    struct pwr_err err;
    const char *path = cli->config[0] ? cli->config : PWR_CONFIG_PATH;

    pwr_config_defaults(&cfg);
    if (pwr_config_load(&cfg, path, cli->config[0] != '\0', &err) < 0 ||
        pwr_chain_load_key(cfg.store, key, &err) < 0) {
        cli_err("%s (the chain key is root's: run as root)", err.msg);
        return err.code == PWR_E_NOENT ? PWR_E_NOENT : PWR_E_PERM;
    }
    return PWR_OK;
}

static void summary(const struct chain *c, struct entry **s, size_t nfiles)
{
    printf("%zu sealed event(s)", c->n);
    if (c->n > 0 && s != NULL) /* s is NULL only when c->n is 0 */
        printf(" (seq %llu..%llu)", (unsigned long long)s[0]->seq,
               (unsigned long long)s[c->n - 1]->seq);
    printf(" in %zu file(s), %zu unsealed pwreset line(s): %s\n", nfiles,
           c->unsealed, c->problems ? "CHAIN BROKEN" : "chain intact");
}

int cli_audit_verify(struct cli *cli, int nfiles, char **files)
{
    unsigned char key[PWR_CHAIN_KEYBYTES];
    struct chain c = { NULL, 0, 0, 0, 0 };
    struct entry **sorted = NULL;
    int rc = load_key(cli, key), i;

    for (i = 0; rc == PWR_OK && i < nfiles; i++)
        rc = read_one(&c, files[i]);
    if (rc == PWR_OK && c.n > 0 &&
        (sorted = calloc(c.n, sizeof(*sorted))) == NULL)
        rc = PWR_E_INTERNAL;
    if (rc == PWR_OK) {
        for (size_t k = 0; k < c.n; k++)
            sorted[k] = &c.e[k];
        if (c.n > 0)
            qsort(sorted, c.n, sizeof(*sorted), by_seq);
        check_order(&c);
        check_numbers(&c, sorted, key);
        summary(&c, sorted, (size_t)nfiles);
        rc = c.problems ? PWR_E_AUTH : PWR_OK;
    }
    sodium_memzero(key, sizeof(key));
    for (size_t k = 0; k < c.n; k++)
        free(c.e[k].text);
    free(c.e);
    free(sorted);
    return rc;
}
