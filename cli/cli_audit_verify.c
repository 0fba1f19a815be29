/* cli_audit_verify.c - pwreset audit --verify FILE...: check the MAC chain
 * of the helper's events (lib/audit/pwr_chain.h) and name every deleted,
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
 *
 * The MACs alone cannot show a cut at the end (the newest lines
 * deleted, or lost while /dev/log was absent): the chain state beside the
 * store holds the last seq sealed and its mac, and the newest event in the
 * files must be that one.  Without a readable state (not root, or not the
 * host that wrote the log) the summary says plainly that such a cut cannot
 * be seen.  An unsealed line of an event only the helper writes (it seals
 * every one) is reported as forged: anyone may log with the tag pwreset.
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
    size_t unsealed, forged, problems;
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

static void problem_at(struct chain *c, const char *file, unsigned long line,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The event name of an unsealed line, printable: it comes from a line
 * anyone may have written, and must not drive the reader's terminal. */
static void event_kv(const char *key, const char *value, void *arg)
{
    char *event = arg;
    size_t i;

    if (strcmp(key, "event") != 0)
        return;
    for (i = 0; i < 63 && value[i] != '\0'; i++)
        event[i] = (value[i] >= 'a' && value[i] <= 'z') || value[i] == '_'
                       ? value[i] : '?';
    event[i] = '\0';
}

static void unsealed_line(struct chain *c, const char *path, unsigned long no,
                          const char *buf, size_t len)
{
    char event[64] = "";

    if (pwr_audit_parse(buf, len, event_kv, event) != 1)
        return;
    c->unsealed++;
    if (!pwr_chain_expects_seal(event))
        return;
    c->forged++;
    problem_at(c, path, no, "event=%s without seq= and mac=: only the "
               "helper writes it, and it seals every one: forged (or written "
               "while the chain could not be sealed)", event);
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
        } else {
            unsealed_line(c, path, no, buf, (size_t)len);
        }
    }
    free(buf);
    fclose(f);
    return rc;
}

static void problem_at(struct chain *c, const char *file, unsigned long line,
                       const char *fmt, ...)
{
    va_list ap;

    if (line > 0)
        printf("%s:%lu: ", file, line);
    else
        printf("%s: ", file);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    c->problems++;
}

#define problem(c, e, ...) problem_at((c), (e)->file, (e)->line, __VA_ARGS__)

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
static void check_numbers(struct chain *c, struct entry **s, size_t n,
                          const unsigned char *key)
{
    char want[PWR_CHAIN_MACHEX];

    for (size_t i = 0; i < n; i++) {
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

static int load_key(struct cli *cli, unsigned char *key,
                    char store[PWR_PATH_MAX])
{
    struct pwr_config cfg;
    struct pwr_err err;
    const char *path = cli->config[0] ? cli->config : PWR_CONFIG_PATH;

    pwr_config_defaults(&cfg);
    if (pwr_config_load(&cfg, path, cli->config[0] != '\0', &err) < 0 ||
        pwr_chain_load_key(cfg.store, key, &err) < 0) {
        cli_err("%s (the chain key is root's: run as root on the host that "
                "wrote the log)", err.msg);
        return err.code == PWR_E_NOENT ? PWR_E_NOENT : PWR_E_PERM;
    }
    pwr_strlcpy(store, cfg.store, PWR_PATH_MAX);
    return PWR_OK;
}

/* The newest event in the files against the chain state: 1 if compared,
 * 0 if the state could not be read. */
static int check_end(struct chain *c, struct entry **s, size_t n,
                     const char *store, const char *lastfile)
{
    struct pwr_err err;
    char mac[PWR_CHAIN_MACHEX];
    uint64_t last;
    const struct entry *top = n > 0 ? s[n - 1] : NULL;

    if (pwr_chain_load_state(store, &last, mac, &err) < 0) {
        printf("note: the chain state cannot be read (%s): a cut at the end "
               "of the log (the newest events deleted or lost) cannot be "
               "seen without it; run as root on the host that wrote the log\n",
               err.msg);
        return 0;
    }
    if (top == NULL && last > 0)
        problem_at(c, lastfile, 0, "no sealed event, but the chain state "
                   "records seq 1..%llu: all missing (deleted, lost, or in "
                   "logs not given)", (unsigned long long)last);
    else if (top != NULL && top->seq < last)
        problem(c, top, "event(s) seq %llu..%llu missing at the end (the "
                "chain state records seq %llu as the newest): deleted, never "
                "written to the log, or in a newer log not given",
                (unsigned long long)top->seq + 1, (unsigned long long)last,
                (unsigned long long)last);
    else if (top != NULL && top->seq > last)
        problem(c, top, "event seq %llu is newer than the chain state "
                "(seq %llu): the state was reset or restored, or the log "
                "is from another host", (unsigned long long)top->seq,
                (unsigned long long)last);
    else if (top != NULL && sodium_memcmp(top->mac, mac, 64) != 0)
        problem(c, top, "event seq %llu is not the one the chain state "
                "records (its MAC differs)", (unsigned long long)top->seq);
    return 1;
}

static void summary(const struct chain *c, struct entry **s, size_t n,
                    size_t nfiles, int end_checked)
{
    printf("%zu sealed event(s)", n);
    if (n > 0)
        printf(" (seq %llu..%llu)", (unsigned long long)s[0]->seq,
               (unsigned long long)s[n - 1]->seq);
    printf(" in %zu file(s), %zu unsealed pwreset line(s)", nfiles,
           c->unsealed);
    if (c->forged > 0)
        printf(" (%zu forged)", c->forged);
    printf(": %s", c->problems ? "CHAIN BROKEN" : "chain intact");
    if (c->problems == 0 && n > 0 && s[0]->seq > 1)
        printf(" from seq %llu (give older logs to check seq 1..%llu)",
               (unsigned long long)s[0]->seq,
               (unsigned long long)s[0]->seq - 1);
    if (c->problems == 0 && end_checked)
        printf(", up to the newest event the chain state records");
    putchar('\n');
}

int cli_audit_verify(struct cli *cli, int nfiles, char **files)
{
    unsigned char key[PWR_CHAIN_KEYBYTES];
    char store[PWR_PATH_MAX];
    struct chain c = { NULL, 0, 0, 0, 0, 0 };
    struct entry **sorted = NULL;
    int rc = load_key(cli, key, store), i, end_checked;
    size_t n;

    for (i = 0; rc == PWR_OK && i < nfiles; i++)
        rc = read_one(&c, files[i]);
    n = c.n; /* the sealed entries, sorted by number below */
    if (rc == PWR_OK && n > 0 &&
        (sorted = calloc(n, sizeof(*sorted))) == NULL)
        rc = PWR_E_INTERNAL;
    if (rc == PWR_OK) {
        for (size_t k = 0; k < n; k++)
            sorted[k] = &c.e[k];
        if (n > 0)
            qsort(sorted, n, sizeof(*sorted), by_seq);
        check_order(&c);
        check_numbers(&c, sorted, n, key);
        end_checked = check_end(&c, sorted, n, store, files[nfiles - 1]);
        summary(&c, sorted, n, (size_t)nfiles, end_checked);
        rc = c.problems ? PWR_E_AUTH : PWR_OK;
    }
    sodium_memzero(key, sizeof(key));
    for (size_t k = 0; k < c.n; k++)
        free(c.e[k].text);
    free(c.e);
    free(sorted);
    return rc;
}
