/* pwr_chain.c - seal audit events into a MAC chain and read seals back
 * (see pwr_chain.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The state is advanced (written; synced when the chain is closed) before
 * a sealed line leaves this file, so two events can never share a number;
 * a batch of events is sealed in memory and recorded with one write.  The
 * state line has a fixed width and is rewritten in place with one pwrite,
 * well below a disk sector; a state that still reads as damaged restarts
 * the chain at 1, which --verify reports as a restart rather than hiding
 * it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "pwr_chain.h"

#define KEY_FILE "audit.key"
#define STATE_FILE "audit.chain"
#define MAC_HEX (PWR_CHAIN_MACHEX - 1) /* hex digits of a mac */
#define SEQ_DIGITS 20                  /* of UINT64_MAX */
#define LEN(lit) (sizeof(lit) - 1)

/* The state line: STATE_MAGIC, the seq zero-padded to SEQ_DIGITS, a
 * space, the mac, LF.  STATE_SEQ and STATE_MAC are where they start. */
#define STATE_MAGIC "pwreset-chain 1 "
#define STATE_FMT STATE_MAGIC "%020" PRIu64 " %s\n" /* 020: SEQ_DIGITS */
#define STATE_SEQ LEN(STATE_MAGIC)
#define STATE_MAC (STATE_SEQ + SEQ_DIGITS + 1)
#define STATE_LEN (STATE_MAC + MAC_HEX + 1)

/* A seal is " seq=N mac=HEX" at the end of the line. */
#define SEQ_KEY " seq="
#define MAC_KEY " mac="
#define MAC_FIELD (LEN(MAC_KEY) + MAC_HEX) /* " mac=HEX" */
#define SEAL_ROOM (LEN(SEQ_KEY) + SEQ_DIGITS + MAC_FIELD + 1) /* and NUL */
#define SEQ_READ_MAX 19 /* digits read back: 10^19 - 1 < UINT64_MAX */
#define TRUNC_MARK " truncated=1"
#define SEAL_BATCH 256 /* events per state write (bounds macs[] in seal_run) */

int pwr_chain_paths(const char *store, char key[PWR_PATH_MAX],
                    char state[PWR_PATH_MAX], struct pwr_err *err)
{
    const char *slash = strrchr(store, '/');
    int dlen, n1, n2;

    if (slash == NULL)
        return pwr_fail(err, PWR_E_CONFIG, "store path '%s' is not absolute",
                        store);
    dlen = (int)(slash - store);
    n1 = snprintf(key, PWR_PATH_MAX, "%.*s/%s", dlen, store, KEY_FILE);
    n2 = snprintf(state, PWR_PATH_MAX, "%.*s/%s", dlen, store, STATE_FILE);
    if (n1 < 0 || n1 >= PWR_PATH_MAX || n2 < 0 || n2 >= PWR_PATH_MAX)
        return pwr_fail(err, PWR_E_CONFIG, "store path too long");
    return 0;
}

static const struct pwr_file_rules private_file = {
    .owner_root = 1, .forbid_mode = 077, .max_size = 4096,
};

static int read_key(int fd, unsigned char key[PWR_CHAIN_KEYBYTES],
                    struct pwr_err *err)
{
    ssize_t n = pread(fd, key, PWR_CHAIN_KEYBYTES, 0);

    if (n != PWR_CHAIN_KEYBYTES)
        return pwr_fail(err, PWR_E_STORE, "audit key: short or unreadable");
    return 0;
}

int pwr_chain_load_key(const char *store,
                       unsigned char key[PWR_CHAIN_KEYBYTES],
                       struct pwr_err *err)
{
    char kpath[PWR_PATH_MAX], spath[PWR_PATH_MAX];
    struct pwr_file_rules rules = private_file;
    int fd, rc;

    rules.must_exist = 1;
    if (pwr_chain_paths(store, kpath, spath, err) < 0)
        return -1;
    fd = pwr_open_safely(kpath, O_RDONLY, 0, &rules, err);
    if (fd < 0)
        return -1;
    rc = read_key(fd, key, err);
    close(fd);
    return rc;
}

/* Both files are written in place: a second name (a hard link planted in
 * the store's directory) would have us write through it into another file. */
static int single_name(int fd, const char *what, struct pwr_err *err)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return pwr_fail(err, PWR_E_STORE, "%s: %s", what, strerror(errno));
    if (st.st_nlink != 1)
        return pwr_fail(err, PWR_E_STORE, "%s: has %lu hard links (refused)",
                        what, (unsigned long)st.st_nlink);
    return 0;
}

/* Under the state lock: read the key, or make it on first use. */
static int key_for_sealing(const char *kpath,
                           unsigned char key[PWR_CHAIN_KEYBYTES],
                           struct pwr_err *err)
{
    int fd = pwr_open_safely(kpath, O_RDWR | O_CREAT, 0600, &private_file,
                             err);
    struct stat st;
    int rc;

    if (fd < 0)
        return -1;
    if (single_name(fd, "audit key", err) < 0) {
        close(fd);
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        close(fd);
        return pwr_fail(err, PWR_E_STORE, "audit key: %s", strerror(errno));
    }
    if (st.st_size == 0) {
        randombytes_buf(key, PWR_CHAIN_KEYBYTES);
        if (pwr_write_all(fd, key, PWR_CHAIN_KEYBYTES) < 0 || fsync(fd) < 0) {
            close(fd);
            return pwr_fail(err, PWR_E_STORE, "audit key: cannot write");
        }
        close(fd);
        return 0;
    }
    rc = read_key(fd, key, err);
    close(fd);
    return rc;
}

static int is_hex64(const char *s)
{
    size_t i;

    for (i = 0; i < MAC_HEX; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* Last seq and mac; an empty or damaged state starts a chain (0, ""). */
static void read_state(int fd, uint64_t *seq, char prev[PWR_CHAIN_MACHEX])
{
    char buf[STATE_LEN + 1], *end;
    ssize_t n = pread(fd, buf, STATE_LEN, 0);
    unsigned long long v;

    *seq = 0;
    prev[0] = '\0';
    if (n != STATE_LEN || memcmp(buf, STATE_MAGIC, STATE_SEQ) != 0 ||
        buf[STATE_MAC - 1] != ' ' || buf[STATE_LEN - 1] != '\n' ||
        !is_hex64(buf + STATE_MAC))
        return;
    buf[STATE_MAC - 1] = '\0';
    /* Not sscanf: a number beyond uint64_t would be undefined behaviour. */
    errno = 0;
    v = strtoull(buf + STATE_SEQ, &end, 10);
    if (errno != 0 || end != buf + STATE_MAC - 1 || buf[STATE_SEQ] < '0' ||
        buf[STATE_SEQ] > '9')
        return;
    *seq = (uint64_t)v;
    memcpy(prev, buf + STATE_MAC, MAC_HEX);
    prev[MAC_HEX] = '\0';
}

static int write_state(int fd, uint64_t seq, const char *mac,
                       struct pwr_err *err)
{
    char buf[STATE_LEN + 1];
    int n = snprintf(buf, sizeof(buf), STATE_FMT, seq, mac);

    if (n != STATE_LEN || pwrite(fd, buf, STATE_LEN, 0) != STATE_LEN)
        return pwr_fail(err, PWR_E_STORE, "audit chain state: cannot write");
    return 0;
}

void pwr_chain_mac(const unsigned char key[PWR_CHAIN_KEYBYTES],
                   const char *prev_hex, const char *text, size_t len,
                   char out[PWR_CHAIN_MACHEX])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256_init(&st, key, PWR_CHAIN_KEYBYTES);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)prev_hex,
                                  strlen(prev_hex));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)text, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, PWR_CHAIN_MACHEX, mac, sizeof(mac));
    sodium_memzero(&st, sizeof(st));
}

/* Where the seal goes: the line keeps *keep bytes, then " truncated=1" when
 * *mark, then " seq=N mac=HEX".  A line too long to take the seal loses
 * whole trailing fields.  Works out the cut without touching a, so a batch
 * whose state cannot be written is left exactly as it came. */
static void seal_cut(const struct pwr_audit *a, size_t *keep, int *mark)
{
    size_t limit = sizeof(a->line) - SEAL_ROOM - sizeof(TRUNC_MARK);
    const char *sp;

    *keep = a->len;
    *mark = 0;
    if (a->len + SEAL_ROOM <= sizeof(a->line))
        return;
    limit = strnlen(a->line, limit);
    sp = memrchr(a->line, ' ', limit);
    *keep = sp != NULL ? (size_t)(sp - a->line) : limit;
    *mark = 1;
}

/* " seq=N" into out; returns its length.  By hand: this runs once per
 * event of a bulk action. */
#define SEQ_FIELD_MAX (LEN(SEQ_KEY) + SEQ_DIGITS)

static size_t seq_field(uint64_t seq, char out[SEQ_FIELD_MAX])
{
    char digits[SEQ_DIGITS];
    size_t n = 0, i;

    do {
        digits[n++] = (char)('0' + seq % 10);
        seq /= 10;
    } while (seq != 0);
    memcpy(out, SEQ_KEY, LEN(SEQ_KEY));
    for (i = 0; i < n; i++)
        out[LEN(SEQ_KEY) + i] = digits[n - 1 - i];
    return LEN(SEQ_KEY) + n;
}

/* The chain stays open and keyed from a process's first seal to
 * pwr_chain_close(), and locked from a seal to pwr_chain_unlock() (the
 * helper unlocks once the sealed lines are sent, so lines leave in number
 * order and no lock is held while the helper waits for anything else): a
 * bulk action over 100,000 accounts then costs one key read and one
 * fdatasync, and one flock per batch of events.  The
 * HMAC key's inner and outer hash states are worked out once (keyed) and
 * copied for each event.  A batch of events costs one read and one write
 * of the state, and the write is done (pwrite) before any of its lines is
 * returned, so a crashed process leaves a gap, never a reused number; only
 * a power loss before the final fdatasync can roll the counter back.  The
 * state is read again for each batch rather than kept here: a state damaged
 * under us still restarts the chain visibly. */
static struct {
    int fd;
    int dirty;
    int locked;
    crypto_auth_hmacsha256_state keyed;
    char spath[PWR_PATH_MAX];
    /* seal_run's macs: 16 KiB that must not be on the stack, where a
     * caller's small stack limit would crash the helper mid-action. */
    char macs[SEAL_BATCH][PWR_CHAIN_MACHEX];
} chain = {.fd = -1};

/* One event's mac, from the keyed state: prev || kept text || mark || seq. */
static void mac_of(const struct pwr_audit *a, size_t keep, int mark,
                   const char *seqf, size_t seqlen, const char *prev,
                   char out[PWR_CHAIN_MACHEX])
{
    crypto_auth_hmacsha256_state st = chain.keyed;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256_update(&st, (const unsigned char *)prev,
                                  strlen(prev));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)a->line, keep);
    if (mark)
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)TRUNC_MARK,
                                      sizeof(TRUNC_MARK) - 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)seqf, seqlen);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, PWR_CHAIN_MACHEX, mac, sizeof(mac));
    sodium_memzero(&st, sizeof(st));
}

/* Write the seal computed by mac_of into a. */
static void apply_seal(struct pwr_audit *a, uint64_t seq,
                       const char mac[PWR_CHAIN_MACHEX])
{
    char seqf[SEQ_FIELD_MAX];
    size_t keep, len;
    int mark;

    seal_cut(a, &keep, &mark);
    len = keep;
    if (mark) {
        memcpy(a->line + len, TRUNC_MARK, sizeof(TRUNC_MARK) - 1);
        len += sizeof(TRUNC_MARK) - 1;
        a->truncated = 1;
    }
    keep = seq_field(seq, seqf);
    memcpy(a->line + len, seqf, keep);
    len += keep;
    memcpy(a->line + len, MAC_KEY, LEN(MAC_KEY));
    memcpy(a->line + len + LEN(MAC_KEY), mac, MAC_HEX);
    len += MAC_FIELD;
    a->line[len] = '\0';
    a->len = len;
}

/* Seal a[0..n) (n <= SEAL_BATCH): macs first, then the state, and only
 * once it is written the lines themselves. */
static int seal_run(struct pwr_audit *a, size_t n, struct pwr_err *err)
{
    char(*macs)[PWR_CHAIN_MACHEX] = chain.macs;
    char first[PWR_CHAIN_MACHEX], seqf[SEQ_FIELD_MAX];
    const char *prev = first;
    uint64_t seq;
    size_t i, keep, slen;
    int mark;

    read_state(chain.fd, &seq, first);
    for (i = 0; i < n; i++) {
        seal_cut(&a[i], &keep, &mark);
        slen = seq_field(seq + i + 1, seqf);
        mac_of(&a[i], keep, mark, seqf, slen, prev, macs[i]);
        prev = macs[i];
    }
    chain.dirty = 1;
    if (write_state(chain.fd, seq + n, macs[n - 1], err) < 0)
        return -1;
    for (i = 0; i < n; i++)
        apply_seal(&a[i], seq + i + 1, macs[i]);
    return 0;
}

#define CHAIN_LOCK_TRIES 500 /* x 10 ms: a stopped holder cannot hang us */

static int lock_chain(int fd, struct pwr_err *err)
{
    const struct timespec pause = {0, 10 * 1000 * 1000};
    int i;

    for (i = 0; i < CHAIN_LOCK_TRIES; i++) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return pwr_fail(err, PWR_E_STORE, "audit chain lock: %s",
                            strerror(errno));
        nanosleep(&pause, NULL);
    }
    return pwr_fail(err, PWR_E_BUSY, "audit chain busy");
}

/* Under the lock: the key (made on first use) into the keyed state. */
static int key_chain(const char *kpath, struct pwr_err *err)
{
    unsigned char key[PWR_CHAIN_KEYBYTES];
    int rc = key_for_sealing(kpath, key, err);

    if (rc == 0)
        crypto_auth_hmacsha256_init(&chain.keyed, key, sizeof(key));
    sodium_memzero(key, sizeof(key));
    return rc;
}

static int open_chain(const char *store, struct pwr_err *err)
{
    char kpath[PWR_PATH_MAX], spath[PWR_PATH_MAX];
    int fd;

    if (chain.fd >= 0 && pwr_chain_paths(store, kpath, spath, err) == 0 &&
        strcmp(spath, chain.spath) == 0) {
        if (!chain.locked && lock_chain(chain.fd, err) < 0)
            return -1;
        chain.locked = 1;
        return 0;
    }
    pwr_chain_close();
    if (pwr_chain_paths(store, kpath, spath, err) < 0)
        return -1;
    fd = pwr_open_safely(spath, O_RDWR | O_CREAT, 0600, &private_file, err);
    if (fd < 0)
        return -1;
    if (single_name(fd, "audit chain", err) < 0) {
        close(fd);
        return -1;
    }
    if (lock_chain(fd, err) < 0 || key_chain(kpath, err) < 0) {
        close(fd);
        sodium_memzero(&chain.keyed, sizeof(chain.keyed));
        return -1;
    }
    chain.fd = fd;
    chain.locked = 1;
    pwr_strlcpy(chain.spath, spath, sizeof(chain.spath));
    return 0;
}

int pwr_chain_seal_batch(struct pwr_audit *a, size_t n, const char *store,
                         struct pwr_err *err)
{
    size_t done = 0, run;

    if (n == 0)
        return 0;
    if (open_chain(store, err) < 0)
        return -1;
    for (; done < n; done += run) {
        run = n - done < SEAL_BATCH ? n - done : SEAL_BATCH;
        if (seal_run(a + done, run, err) < 0)
            return -1;
    }
    return 0;
}

void pwr_chain_unlock(void)
{
    if (chain.fd >= 0 && chain.locked)
        (void)flock(chain.fd, LOCK_UN);
    chain.locked = 0;
}

void pwr_chain_close(void)
{
    if (chain.fd < 0)
        return;
    if (chain.dirty)
        (void)fdatasync(chain.fd);
    close(chain.fd); /* also drops the lock */
    chain.fd = -1;
    chain.dirty = 0;
    chain.locked = 0;
    sodium_memzero(&chain.keyed, sizeof(chain.keyed));
}

/* ---- reading seals back ------------------------------------------------- */

#define TAG PWR_AUDIT_IDENT /* the syslog tag of every event */
#define EVENT_AT ": event="

/* Start of "event=" after "pwreset: " or "pwreset[DIGITS]: ", or NULL. */
static const char *find_event(const char *line, size_t len)
{
    const char *p = line, *end = line + len;

    while ((p = memmem(p, (size_t)(end - p), EVENT_AT, LEN(EVENT_AT))) !=
           NULL) {
        const char *q = p;

        if (q > line && q[-1] == ']') {
            for (q--; q > line && q[-1] >= '0' && q[-1] <= '9'; q--)
                ;
            if (q == p - 1 || q == line || q[-1] != '[')
                goto next;
            q--;
        }
        if ((size_t)(q - line) < LEN(TAG))
            goto next;
        q -= LEN(TAG);
        if (memcmp(q, TAG, LEN(TAG)) == 0 &&
            (q == line || q[-1] == ' ' || q[-1] == '>'))
            return p + LEN(": ");
next:
        p += LEN(EVENT_AT);
    }
    return NULL;
}

int pwr_chain_split(const char *line, size_t len, const char **text,
                    size_t *tlen, uint64_t *seq, char mac[PWR_CHAIN_MACHEX])
{
    const char *ev = find_event(line, len), *m, *s;
    size_t n = len;
    uint64_t v = 0;

    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
                     line[n - 1] == ' '))
        n--;
    if (ev == NULL || n < MAC_FIELD || (size_t)(ev - line) + MAC_FIELD > n)
        return 0;
    m = line + n - MAC_FIELD;
    if (memcmp(m, MAC_KEY, LEN(MAC_KEY)) != 0 ||
        !is_hex64(m + LEN(MAC_KEY)))
        return 0;
    for (s = m; s > ev && s[-1] >= '0' && s[-1] <= '9'; s--)
        ;
    if (s == m || (size_t)(s - ev) < LEN(SEQ_KEY) ||
        memcmp(s - LEN(SEQ_KEY), SEQ_KEY, LEN(SEQ_KEY)) != 0 ||
        (*s == '0' && m - s > 1) || m - s > SEQ_READ_MAX)
        return 0;
    for (; s < m; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    memcpy(mac, m + LEN(MAC_KEY), MAC_HEX);
    mac[MAC_HEX] = '\0';
    *text = ev;
    *tlen = (size_t)(m - ev);
    *seq = v;
    return 1;
}

/* ---- the verifier's view of the state, to spot a cut trail -------------- */

int pwr_chain_load_state(const char *store, uint64_t *seq,
                         char mac[PWR_CHAIN_MACHEX], struct pwr_err *err)
{
    char kpath[PWR_PATH_MAX], spath[PWR_PATH_MAX];
    struct pwr_file_rules rules = private_file;
    int fd;

    rules.must_exist = 1;
    if (pwr_chain_paths(store, kpath, spath, err) < 0)
        return -1;
    fd = pwr_open_safely(spath, O_RDONLY, 0, &rules, err);
    if (fd < 0)
        return -1;
    read_state(fd, seq, mac);
    close(fd);
    return 0;
}

/* The module's events (login decisions and its password-change refusals)
 * are written by the programs it is loaded into and never sealed; every
 * other event is the helper's, which seals all it writes. */
int pwr_chain_expects_seal(const char *event)
{
    static const char *const module_events[] = {
        "login_allowed", "login_denied", "password_change_rejected",
        "permission_denied", "policy_rejected",
    };
    size_t i;

    if (event == NULL)
        return 0;
    for (i = 0; i < PWR_ARRAY_SIZE(module_events); i++)
        if (strcmp(event, module_events[i]) == 0)
            return 0;
    return 1;
}
