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

/* The list file, read once per process. */
static void load(struct pl_store *ls)
{
    struct pl_seen_set *s = &ls->seen;
    char line[PWR_LOGIN_MAX + 8];
    int bad;
    FILE *f;

    if (s->loaded)
        return;
    s->loaded = 1;
    f = open_list(ls, 0, &bad);
    if (f == NULL) {
        s->untrusted = bad; /* a list we cannot trust: every login "seen" */
        return;
    }
    while (!s->untrusted && fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (pwr_login_valid(line) &&
            pl_index_find(&s->ix, line, seen_key, s) == PL_NOT_FOUND &&
            set_add(s, line) < 0)
            s->untrusted = 1;
    }
    fclose(f);
    s->n_written = s->n;
}

int pl_seen(struct pl_store *ls, const char *login)
{
    load(ls);
    return ls->seen.untrusted ||
           pl_index_find(&ls->seen.ix, login, seen_key, &ls->seen) !=
               PL_NOT_FOUND;
}

void pl_mark_seen(struct pl_store *ls, const char *login)
{
    if (!pwr_login_valid(login) || pl_seen(ls, login))
        return;
    (void)set_add(&ls->seen, login);
}

void pl_seen_flush(struct pl_store *ls)
{
    struct pl_seen_set *s = &ls->seen;
    int bad;
    FILE *f;

    if (s->n_written >= s->n)
        return;
    f = open_list(ls, 1, &bad);
    if (f == NULL)
        return;
    for (size_t i = s->n_written; i < s->n; i++)
        fprintf(f, "%s\n", s->name[i]);
    (void)fflush(f);
    (void)fsync(fileno(f));
    fclose(f);
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
