/* pwr_store_ldap_seen.c - which accounts are outside the directory: those
 * in the local /etc/passwd that this host has never found in the
 * directory.  The helper lists every login it finds there in a root-only
 * file beside the store path (membership only, no state), so an outage
 * can only make more accounts refused, never fewer (docs/FLEET.md,
 * "Failure behaviour").  Root (uid 0) is outside the directory too: a
 * transaction asks for each of its accounts (pl_is_root).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pwr_store_ldap.h"

#define SEEN_SUFFIX ".ldap-seen"
#define PASSWD_FILE "/etc/passwd"

static int seen_path(const struct pl_store *ls, char *out, size_t outsz)
{
    int n = snprintf(out, outsz, "%s%s", ls->path, SEEN_SUFFIX);

    return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* Open the list: regular, ours, private; NULL otherwise (fail closed:
 * the caller treats "cannot tell" as "seen"). */
static FILE *open_list(const struct pl_store *ls, int write, int *bad)
{
    char path[PWR_PATH_MAX + 16];
    struct stat st;
    FILE *f;
    int fd;

    *bad = 0;
    if (seen_path(ls, path, sizeof(path)) < 0)
        return *bad = 1, NULL;
    fd = open(path, (write ? O_WRONLY | O_APPEND | O_CREAT : O_RDONLY) |
                        O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        *bad = errno != ENOENT;
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        close(fd);
        return *bad = 1, NULL;
    }
    f = fdopen(fd, write ? "a" : "r");
    if (f == NULL) {
        close(fd);
        *bad = 1;
    }
    return f;
}

static const char *seen_key(const void *arg, size_t pos)
{
    return ((const struct pl_seen_set *)arg)->name[pos];
}

/* Add login to the set in memory: 0, -1 (out of memory). */
static int set_add(struct pl_seen_set *s, const char *login)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        char (*nn)[PWR_LOGIN_MAX + 1] = realloc(s->name, cap * sizeof(*nn));

        if (nn == NULL)
            return -1;
        s->name = nn;
        s->cap = cap;
    }
    snprintf(s->name[s->n], sizeof(s->name[s->n]), "%s", login);
    if (pl_index_add(&s->ix, s->n, seen_key, s) < 0)
        return -1;
    s->n++;
    return 0;
}

/* Is login a line of the list?  1 yes, or when the list cannot be trusted
 * (every login "seen": fail closed); 0 no, or no list yet.  One pass that
 * stops at the first match and copies nothing: a login's look-up on a host
 * that has listed 100,000 names must not read them all into memory. */
static int file_has(struct pl_store *ls, const char *login)
{
    char line[PWR_LOGIN_MAX + 8];
    int bad, found = 0;
    FILE *f = open_list(ls, 0, &bad);

    if (f == NULL)
        return bad;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        found = strcmp(line, login) == 0;
    }
    fclose(f);
    return found;
}

int pl_seen(struct pl_store *ls, const char *login)
{
    struct pl_seen_set *s = &ls->seen;

    return pl_index_find(&s->ix, login, seen_key, s) != PL_NOT_FOUND ||
           file_has(ls, login);
}

void pl_mark_seen(struct pl_store *ls, const char *login)
{
    struct pl_seen_set *s = &ls->seen;

    if (pwr_login_valid(login) &&
        pl_index_find(&s->ix, login, seen_key, s) == PL_NOT_FOUND)
        (void)set_add(s, login); /* out of memory: listed next time */
}

/* Mark in old[] the names noted since the last flush that the list already
 * has: one pass over it, however many there are.  -1 when the list cannot
 * be trusted (nothing is added to it then). */
static int already_listed(struct pl_store *ls, unsigned char *old)
{
    struct pl_seen_set *s = &ls->seen;
    size_t want = s->n - s->n_written, got = 0, i;
    char line[PWR_LOGIN_MAX + 8];
    int bad;
    FILE *f = open_list(ls, 0, &bad);

    if (f == NULL)
        return bad ? -1 : 0;
    while (got < want && fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        i = pl_index_find(&s->ix, line, seen_key, s);
        if (i != PL_NOT_FOUND && i >= s->n_written && !old[i - s->n_written]) {
            old[i - s->n_written] = 1;
            got++;
        }
    }
    fclose(f);
    return 0;
}

/* Append the names noted since the last flush that the list lacks. */
void pl_seen_flush(struct pl_store *ls)
{
    struct pl_seen_set *s = &ls->seen;
    unsigned char *old;
    int bad;
    FILE *f;

    if (s->n_written >= s->n)
        return;
    old = calloc(s->n - s->n_written, 1);
    f = old != NULL && already_listed(ls, old) == 0 &&
                memchr(old, 0, s->n - s->n_written) != NULL
            ? open_list(ls, 1, &bad)
            : NULL;
    if (f != NULL) {
        for (size_t i = s->n_written; i < s->n; i++)
            if (!old[i - s->n_written])
                fprintf(f, "%s\n", s->name[i]);
        (void)fflush(f);
        (void)fsync(fileno(f));
        fclose(f);
    }
    free(old);
    s->n_written = s->n;
}

void pl_seen_free(struct pl_store *ls)
{
    free(ls->seen.name);
    pl_index_free(&ls->seen.ix);
    memset(&ls->seen, 0, sizeof(ls->seen));
}

int pl_outside(struct pl_store *ls, const char *login)
{
    struct passwd *pw;
    int local = 0;
    FILE *f = fopen(PASSWD_FILE, "re");

    if (f == NULL)
        return 0;
    while (!local && (pw = fgetpwent(f)) != NULL)
        local = strcmp(pw->pw_name, login) == 0;
    fclose(f);
    return local && !pl_seen(ls, login);
}

/* The logins of uid 0, found by one pass over the account database: a
 * transaction over 100,000 accounts asks for each, and one getpwnam each
 * (files, then nss-systemd's userdb look-ups) took about 30 us.  A source
 * that cannot list its accounts would be missed; none of those used for
 * logins hands out uid 0 (sssd refuses it), and the directory itself is
 * listed by nslcd.  More uid-0 names than fit: getpwnam each time. */
static void roots_load(struct pl_store *ls)
{
    struct pl_roots *r = &ls->roots;
    struct passwd *pw;

    r->loaded = 1;
    setpwent();
    while ((pw = getpwent()) != NULL) {
        if (pw->pw_uid != 0)
            continue;
        if (r->n == PL_ROOTS_MAX || !pwr_login_valid(pw->pw_name)) {
            r->overflow = 1;
            continue;
        }
        snprintf(r->name[r->n++], sizeof(r->name[0]), "%s", pw->pw_name);
    }
    endpwent();
}

int pl_is_root(struct pl_store *ls, const char *login)
{
    struct passwd *pw;

    if (!ls->roots.loaded)
        roots_load(ls);
    if (ls->roots.overflow) {
        pw = getpwnam(login);
        return pw != NULL && pw->pw_uid == 0;
    }
    for (size_t i = 0; i < ls->roots.n; i++)
        if (strcmp(ls->roots.name[i], login) == 0)
            return 1;
    return 0;
}
