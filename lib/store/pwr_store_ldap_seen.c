/* pwr_store_ldap_seen.c - which accounts are outside the directory: those
 * in the local /etc/passwd that this host has never found in the
 * directory.  The helper lists every login it finds there in a root-only
 * file beside the store path (membership only, no state), so an outage
 * can only make more accounts refused, never fewer (docs/FLEET.md,
 * "Failure behaviour").
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
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

int pl_seen(const struct pl_store *ls, const char *login)
{
    char line[PWR_LOGIN_MAX + 8];
    int bad, found = 0;
    FILE *f = open_list(ls, 0, &bad);

    if (f == NULL)
        return bad; /* a list we cannot trust: every login "seen" */
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        found = strcmp(line, login) == 0;
    }
    fclose(f);
    return found;
}

void pl_mark_seen(const struct pl_store *ls, const char *login)
{
    int bad;
    FILE *f;

    if (!pwr_login_valid(login) || pl_seen(ls, login))
        return;
    f = open_list(ls, 1, &bad);
    if (f == NULL)
        return;
    fprintf(f, "%s\n", login);
    (void)fflush(f);
    (void)fsync(fileno(f));
    fclose(f);
}

int pl_outside(const struct pl_store *ls, const char *login)
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
