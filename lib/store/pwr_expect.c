/* pwr_expect.c - is a store expected at a path, and how is a broken one
 * repaired (see pwr_expect.h).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Rules this file enforces, so a lost store fails closed:
 *  - a store is expected at STORE once one has existed there: the marker
 *    (CONFIGDIR/pwreset.stores) lists STORE, or STORE.bak exists.  Neither
 *    lives in a place "rm STORE" removes, and the marker survives the loss
 *    of the whole store directory (or of the file system holding it);
 *  - a marker that exists but cannot be read or trusted (not a regular
 *    file, a symbolic link, as root not owned by root or writable by group
 *    or others, too large) counts as "expected": doubt fails closed;
 *  - a store path that cannot even be looked at (lstat fails other than
 *    with ENOENT/ENOTDIR) counts as present, so the store's own checks
 *    refuse it: never "not in the store";
 *  - the marker is only ever added to, never shortened by the code, and
 *    written by temporary file, fsync, rename and fsync of its directory: a
 *    crash leaves the old or the new list.  Starting over without a store is the administrator's
 *    decision (docs/STORE.md), taken by editing the marker.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pwr_expect.h"
#include "pwr_store.h"

#define MARKER_MAX (64 * 1024)

int pwr_expect_marker(const char *config, char out[PWR_PATH_MAX],
                      struct pwr_err *err)
{
    const char *slash = strrchr(config, '/');
    int n;

    if (slash == NULL)
        return pwr_fail(err, PWR_E_CONFIG, "'%s' is not an absolute path",
                        config);
    n = snprintf(out, PWR_PATH_MAX, "%.*s/%s", (int)(slash - config), config,
                 PWR_EXPECT_MARKER);
    if (n < 0 || n >= PWR_PATH_MAX)
        return pwr_fail(err, PWR_E_CONFIG, "%s: path too long", config);
    return 0;
}

/* 1 if path exists (as anything), 0 if not, -1 if it cannot be told. */
static int exists(const char *path)
{
    struct stat st;

    if (lstat(path, &st) == 0)
        return 1;
    return (errno == ENOENT || errno == ENOTDIR) ? 0 : -1;
}

static int with_suffix(char *out, size_t outsz, const char *path,
                       const char *suffix)
{
    int n = snprintf(out, outsz, "%s%s", path, suffix);

    return (n < 0 || (size_t)n >= outsz) ? -1 : 0;
}

/* 1 if the list in buf[0..len) has a line equal to store. */
static int listed(const char *buf, size_t len, const char *store)
{
    size_t slen = strlen(store), pos = 0;

    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - buf) : len;

        if (end - pos == slen && memcmp(buf + pos, store, slen) == 0)
            return 1;
        pos = end + 1;
    }
    return 0;
}

/* Read the marker: 0 read (*buf, *len; *buf NULL when there is none), -1
 * it exists but cannot be read or trusted. */
static int read_marker(const char *marker, char **buf, size_t *len)
{
    static const struct pwr_file_rules rules = {
        .owner_root = 1, .forbid_mode = 022, .max_size = MARKER_MAX,
    };
    struct pwr_err e;
    int fd, rc;

    *buf = NULL;
    *len = 0;
    fd = pwr_open_safely(marker, O_RDONLY, 0, &rules, &e);
    if (fd < 0)
        return e.code == PWR_E_NOENT ? 0 : -1;
    rc = pwr_read_fd(fd, MARKER_MAX, buf, len, &e);
    close(fd);
    return rc;
}

/* Why a store is expected: a static description, or NULL if it is not. */
static const char *evidence(const char *store, const char *config)
{
    char path[PWR_PATH_MAX + 8];
    char *buf;
    size_t len;
    int rc;

    if (with_suffix(path, sizeof(path), store, ".bak") < 0 ||
        exists(path) != 0)
        return "its backup copy is still there";
    if (pwr_expect_marker(config, path, NULL) < 0)
        return "the configuration path is not absolute";
    if (read_marker(path, &buf, &len) < 0)
        return "the list of stores that existed cannot be read";
    rc = buf != NULL && listed(buf, len, store);
    free(buf);
    return rc ? "a store existed there" : NULL;
}

int pwr_store_listed(const char *store, const char *config)
{
    char marker[PWR_PATH_MAX];
    char *buf;
    size_t len;
    int rc;

    if (pwr_expect_marker(config, marker, NULL) < 0 ||
        read_marker(marker, &buf, &len) < 0)
        return 0;
    rc = buf != NULL && listed(buf, len, store);
    free(buf);
    return rc;
}

int pwr_store_check_present(const char *store, const char *config,
                            int check_backup, struct pwr_err *err)
{
    char hint[PWR_PATH_MAX * 2 + 64];
    const char *why;

    if (exists(store) != 0)
        return 0;
    why = evidence(store, config);
    if (why == NULL)
        return 0;
    pwr_store_repair_hint(store, check_backup, hint, sizeof(hint));
    return pwr_fail(err, PWR_E_STORE,
                    "%s: store missing but expected (%s): every account not "
                    "provably outside it is refused; repair: %s",
                    store, why, hint);
}

static int visit_nothing(const struct pwr_record *rec, void *arg,
                         struct pwr_err *err)
{
    (void)rec;
    (void)arg;
    (void)err;
    return 0;
}

/* 1 if the file at path passes the store's full validation. */
static int sound_store(const char *path)
{
    struct pwr_store_opts opts = { .path = path };
    struct pwr_store *st;
    struct pwr_err e;
    int rc;

    if (exists(path) != 1 || pwr_store_open(&st, &opts, &e) < 0)
        return 0;
    rc = pwr_store_foreach(st, visit_nothing, NULL, &e);
    pwr_store_close(st);
    return rc == 0;
}

/* A store file that exists but is not what it must be: the chown/chmod. */
static int hint_for_file(const char *store, char *out, size_t outsz)
{
    struct stat st;

    if (lstat(store, &st) < 0)
        return 0;
    if (S_ISLNK(st.st_mode)) {
        snprintf(out, outsz, "replace the symbolic link %s by the store "
                 "itself", store);
        return 1;
    }
    if (S_ISREG(st.st_mode) && geteuid() == 0 &&
        (st.st_uid != 0 || (st.st_mode & 077))) {
        snprintf(out, outsz, "chown root:root %s && chmod 600 %s", store,
                 store);
        return 1;
    }
    return 0;
}

void pwr_store_repair_hint(const char *store, int check_backup, char *out,
                           size_t outsz)
{
    char bak[PWR_PATH_MAX + 8];

    if (hint_for_file(store, out, outsz))
        return;
    if (with_suffix(bak, sizeof(bak), store, ".bak") == 0 &&
        (check_backup ? sound_store(bak) : exists(bak) == 1))
        snprintf(out, outsz, "cp -p %s %s (the copy before the last change; "
                 "see STORE.md)", bak, store);
    else
        snprintf(out, outsz, "restore %s from a backup (see STORE.md)",
                 store);
}

/* fsync the directory holding path, so a rename into it survives a crash. */
static int sync_dir(const char *path, struct pwr_err *err)
{
    char dir[PWR_PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t n;
    int fd, rc;

    if (slash == NULL)
        return pwr_fail(err, PWR_E_STORE, "%s: not an absolute path", path);
    n = slash == path ? 1 : (size_t)(slash - path); /* "/" or the parent */
    if (n >= sizeof(dir))
        return pwr_fail(err, PWR_E_STORE, "%s: path too long", path);
    memcpy(dir, path, n);
    dir[n] = '\0';
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s", dir);
    rc = fsync(fd);
    close(fd);
    return rc < 0 ? pwr_fail_errno(err, PWR_E_STORE, errno, "%s: fsync", dir)
                  : 0;
}

/* Write the new list next to the marker, then rename it in. */
static int write_marker(const char *marker, const char *old, size_t oldlen,
                        const char *store, struct pwr_err *err)
{
    char tmp[PWR_PATH_MAX + 8];
    int fd, ok;

    if (with_suffix(tmp, sizeof(tmp), marker, ".tmp") < 0)
        return pwr_fail(err, PWR_E_CONFIG, "%s: path too long", marker);
    (void)unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s", tmp);
    ok = fchmod(fd, 0644) == 0 &&
         (oldlen == 0 || pwr_write_all(fd, old, oldlen) == 0) &&
         (oldlen == 0 || old[oldlen - 1] == '\n' ||
          pwr_write_all(fd, "\n", 1) == 0) &&
         pwr_write_all(fd, store, strlen(store)) == 0 &&
         pwr_write_all(fd, "\n", 1) == 0 && fsync(fd) == 0;
    if (close(fd) < 0)
        ok = 0;
    if (!ok || rename(tmp, marker) < 0) {
        int e = errno;

        (void)unlink(tmp);
        return pwr_fail_errno(err, PWR_E_STORE, e, "%s: not written", marker);
    }
    return sync_dir(marker, err);
}

int pwr_store_mark(const char *store, const char *config, struct pwr_err *err)
{
    char marker[PWR_PATH_MAX];
    char *buf;
    size_t len;
    int rc;

    if (pwr_expect_marker(config, marker, err) < 0)
        return -1;
    if (read_marker(marker, &buf, &len) < 0)
        return pwr_fail(err, PWR_E_STORE, "%s: cannot be read or is unsafe",
                        marker);
    if (buf != NULL && listed(buf, len, store)) {
        free(buf);
        return 0;
    }
    rc = write_marker(marker, buf != NULL ? buf : "", len, store, err);
    free(buf);
    return rc;
}
