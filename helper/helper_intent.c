/* helper_intent.c - no change is visible in the store without its audit
 * event: the helper records its intent before a commit and
 * drops it once the request's events are sent; an intent left by a helper
 * that died in between is turned into an action_interrupted event.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The rule, and how this file enforces it:
 *  - Before a new store version can be seen (the store's commit hook, under
 *    the store lock, after the new version is written and synced, before the
 *    rename), the helper writes and syncs STORE.intent.PID: the new
 *    version's identity and a ready action_interrupted event (op, user or
 *    count, actor, actor_uid, service, rhost, tty), and holds an exclusive
 *    flock on it.  When that cannot be done the commit is aborted: nothing
 *    changes.  Once the new version is in place the intent is marked
 *    committed (still under the store lock).
 *  - The helper deletes its intent only after every event of the request
 *    has been sent (main, hx_intent_done), so a helper that dies at any
 *    point between the rename and its last event leaves the intent behind,
 *    and the kernel drops its flock.
 *  - Every commit, under the store lock and before its own intent, looks for
 *    intents whose flock it can take (their writer is dead), sends each as
 *    "action_interrupted result=committed" (marked committed, or its
 *    version is the one in place: nobody could commit since without passing
 *    here) or "result=not_committed", and deletes it.  An intent whose
 *    writer is alive is left to it.
 *  - A caller cannot make the helper die there: it runs with real uid 0
 *    from the moment the caller is identified (helper_auth.c), and ignores
 *    the timer and terminal signals (helper_setup.c).  This file covers what
 *    is left: root, the OOM killer, a crash, a power loss.
 *  - Intent files are regular, private (0600) files of the effective user
 *    with a single name, never opened through a symbolic link; anything
 *    else found under their name is left alone.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "pwr_util.h"

#define INTENT_MAGIC "pwreset-intent 1 "
#define MARK_OFF (sizeof(INTENT_MAGIC) - 1) /* '-' pending, 'c' committed */
#define INTENT_MAX (PWR_AUDIT_LINE_MAX + 128)

/* This process's own intent (one per process: the helper is one thread). */
static struct {
    int fd;
    int dfd;
    char name[NAME_MAX + 1];   /* STORE.intent.PID */
    char prefix[NAME_MAX + 1]; /* STORE.intent. */
} own = { -1, -1, "", "" };

/* The store's directory (opened) and the intent files' name prefix. */
static int intent_dir(const struct hx *hx, int *dfd, char prefix[NAME_MAX + 1],
                      struct pwr_err *err)
{
    const char *slash = strrchr(hx->cfg.store, '/');
    char dir[PWR_PATH_MAX];
    int n;

    if (slash == NULL || (size_t)(slash - hx->cfg.store) >= sizeof(dir))
        return pwr_fail(err, PWR_E_CONFIG, "store path '%s' is not absolute",
                        hx->cfg.store);
    n = snprintf(prefix, NAME_MAX + 1, "%s.intent.", slash + 1);
    if (n < 0 || n >= NAME_MAX - 12)
        return pwr_fail(err, PWR_E_CONFIG, "store name too long");
    memcpy(dir, hx->cfg.store, (size_t)(slash - hx->cfg.store));
    dir[slash - hx->cfg.store] = '\0';
    *dfd = open(dir[0] != '\0' ? dir : "/",
                O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*dfd < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno, "%s", dir);
    return 0;
}

static int private_file(int fd)
{
    struct stat st;

    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
           st.st_uid == geteuid() && (st.st_mode & 077) == 0 &&
           st.st_nlink == 1;
}

/* A dead writer's intent, read into a (without result yet): 1 committed,
 * 0 not, -1 unreadable. */
static int read_intent(int fd, const struct pwr_store_id *cur,
                       struct pwr_audit *a)
{
    char buf[INTENT_MAX + 1], *p, *end;
    ssize_t n = pread(fd, buf, INTENT_MAX, 0);
    unsigned long long dev, ino;
    size_t len;

    if (n <= (ssize_t)MARK_OFF + 2 || memcmp(buf, INTENT_MAGIC, MARK_OFF) != 0)
        return -1;
    buf[n] = '\0';
    errno = 0;
    dev = strtoull(buf + MARK_OFF + 2, &end, 10);
    if (errno != 0 || *end != ' ')
        return -1;
    ino = strtoull(end + 1, &p, 10);
    if (errno != 0 || *p != '\n' || strncmp(p + 1, "event=", 6) != 0)
        return -1;
    len = strcspn(p + 1, "\n");
    if (len >= sizeof(a->line) - 64 || p[1 + len] != '\n')
        return -1;
    memcpy(a->line, p + 1, len);
    a->line[len] = '\0';
    a->len = len;
    a->truncated = 0;
    return buf[MARK_OFF] == 'c' || (dev == cur->dev && ino == cur->ino);
}

/* One intent file found in the directory: report and remove it when its
 * writer is gone. */
static void recover_one(struct hx *hx, int dfd, const char *name,
                        const struct pwr_store_id *cur)
{
    struct pwr_audit a;
    int fd = openat(dfd, name,
                    O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK),
        done;

    if (fd < 0)
        return;
    if (!private_file(fd) || flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd); /* not ours to touch, or its writer is alive */
        return;
    }
    done = read_intent(fd, cur, &a);
    if (done < 0) {
        pwr_audit_begin(&a, "action_interrupted");
        pwr_audit_add(&a, "detail", "unreadable_intent");
    }
    pwr_audit_add(&a, "result", done > 0    ? "committed"
                               : done == 0 ? "not_committed"
                                           : "unknown");
    hx_audit_send(hx, &a, 1);
    (void)unlinkat(dfd, name, 0);
    close(fd);
}

static int is_intent_name(const char *name, const char *prefix, size_t plen)
{
    const char *p = name + plen;

    if (strncmp(name, prefix, plen) != 0 || *p == '\0')
        return 0;
    for (; *p != '\0'; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

static void recover_dead(struct hx *hx, int dfd, const char *prefix,
                         const struct pwr_store_id *cur)
{
    size_t plen = strlen(prefix);
    int lfd = dup(dfd);
    DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
    struct dirent *de;

    if (d == NULL) {
        if (lfd >= 0)
            close(lfd);
        return;
    }
    while ((de = readdir(d)) != NULL)
        if (is_intent_name(de->d_name, prefix, plen) &&
            strcmp(de->d_name, own.name) != 0)
            recover_one(hx, dfd, de->d_name, cur);
    closedir(d);
}

/* The event a dead helper leaves: what it was doing, for whom, by whom. */
static void intent_event(struct hx *hx, struct pwr_audit *a)
{
    size_t users = pwr_msg_count(hx->req, "user");
    const char *user = pwr_msg_get(hx->req, "user");

    hx_audit_begin(hx, a, "action_interrupted",
                   users == 1 && pwr_login_valid(user) ? user : NULL);
    pwr_audit_add(a, "detail", hx->op != NULL ? hx->op : "unknown");
    if (users > 1)
        pwr_audit_add_int(a, "count", (long long)users);
}

static int write_own(struct hx *hx, const struct pwr_store_id *next,
                     const char *prefix, struct pwr_err *err)
{
    char buf[INTENT_MAX + 1];
    struct pwr_audit a;
    int n;

    if (own.fd < 0) {
        n = snprintf(own.name, sizeof(own.name), "%s%ld", prefix,
                     (long)getpid());
        if (n < 0 || (size_t)n >= sizeof(own.name))
            return pwr_fail(err, PWR_E_CONFIG, "store name too long");
        own.fd = openat(own.dfd, own.name,
                        O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
                            O_NOCTTY,
                        0600);
        if (own.fd < 0 || flock(own.fd, LOCK_EX | LOCK_NB) < 0)
            return pwr_fail_errno(err, PWR_E_STORE, errno,
                                  "audit intent %s", own.name);
    }
    intent_event(hx, &a);
    n = snprintf(buf, sizeof(buf), INTENT_MAGIC "- %llu %llu\n%s\n",
                 next->dev, next->ino, a.line);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return pwr_fail(err, PWR_E_INTERNAL, "audit intent too long");
    if (ftruncate(own.fd, 0) < 0 || pwrite(own.fd, buf, (size_t)n, 0) != n ||
        fdatasync(own.fd) < 0)
        return pwr_fail_errno(err, PWR_E_STORE, errno,
                              "audit intent %s: cannot write", own.name);
    return 0;
}

int hx_intent_hook(void *arg, enum pwr_commit_stage stage,
                   const struct pwr_store_id *cur,
                   const struct pwr_store_id *next, struct pwr_err *err)
{
    struct hx *hx = arg;

    if (stage == PWR_COMMIT_DONE) {
        if (own.fd >= 0)
            (void)!pwrite(own.fd, "c", 1, (off_t)MARK_OFF);
        return 0;
    }
    if (stage == PWR_COMMIT_FAILED) {
        hx_intent_done();
        return 0;
    }
    if (own.dfd < 0 && intent_dir(hx, &own.dfd, own.prefix, err) < 0)
        return -1;
    recover_dead(hx, own.dfd, own.prefix, cur);
    if (write_own(hx, next, own.prefix, err) < 0) {
        hx_intent_done();
        return -1;
    }
    return 0;
}

void hx_intent_done(void)
{
    if (own.fd >= 0) {
        (void)unlinkat(own.dfd, own.name, 0);
        close(own.fd);
        own.fd = -1;
    }
    own.name[0] = '\0';
    if (own.dfd >= 0) {
        close(own.dfd);
        own.dfd = -1;
    }
}
