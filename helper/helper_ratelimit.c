/* helper_ratelimit.c - slow down guessing through the helper: a caller who
 * is not root and fails to prove their own password HX_RATE_MAX times
 * within HX_RATE_WINDOW is refused (without checking) until the window
 * ends, and every failure waits cfg.fail_delay first.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Every attempt is counted under the file's lock BEFORE its proof
 * is checked (hx_rate_take), and refused there once HX_RATE_MAX attempts
 * are counted; a proof that succeeds clears the count.  So however many
 * callers run at once, and whenever one of them dies, at most HX_RATE_MAX
 * proofs per window are ever checked.
 *
 * State: one small file per login, "<store>.fail/<login>", holding
 * "FAILURES FIRST_FAILURE_EPOCH\n", owned by the helper's effective user,
 * mode 0600, in a 0700 directory.  The file is shorter than a disk sector,
 * so its rewrite cannot tear; a file that does not parse counts as none.
 * Errors here never block a login by themselves: the delay still applies.
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

#include "helper.h"
#include "pwr_util.h"

struct rate_state {
    long long fails;
    long long first;
};

static int rate_path(const struct hx *hx, const char *login, char *out,
                     size_t outsz, int make_dir)
{
    char dir[PWR_PATH_MAX + 8];
    struct stat st;
    int n = snprintf(dir, sizeof(dir), "%s.fail", hx->cfg.store);

    if (n < 0 || (size_t)n >= sizeof(dir) || !pwr_login_valid(login))
        return -1;
    if (make_dir && mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -1;
    if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != geteuid() || (st.st_mode & 077) != 0)
        return -1;
    n = snprintf(out, outsz, "%s/%s", dir, login);
    return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

static int rate_open(const struct hx *hx, const char *login, int create)
{
    struct pwr_file_rules rules = { 0, 0, 0, 077, 4096 };
    char path[PWR_PATH_MAX + 64];
    int fd;

    if (rate_path(hx, login, path, sizeof(path), create) < 0)
        return -1;
    fd = pwr_open_safely(path, O_RDWR | (create ? O_CREAT : 0), 0600, &rules,
                         NULL);
    if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Not sscanf: a number beyond long long would be undefined behaviour. */
static int parse_ll(const char *p, char **end, long long *out)
{
    errno = 0;
    *out = strtoll(p, end, 10);
    return errno == 0 && *end != p && *p >= '0' && *p <= '9';
}

static void rate_read(int fd, struct rate_state *s)
{
    char buf[64], *end;
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

    s->fails = 0;
    s->first = 0;
    if (n <= 0)
        return;
    buf[n] = '\0';
    if (!parse_ll(buf, &end, &s->fails) || *end != ' ' ||
        !parse_ll(end + 1, &end, &s->first) || s->fails < 0) {
        s->fails = 0;
        s->first = 0;
    }
}

int hx_rate_take(struct hx *hx, const char *login)
{
    struct rate_state s;
    char buf[64];
    int fd = rate_open(hx, login, 1), n;

    if (fd < 0)
        return 0;
    rate_read(fd, &s);
    if (s.fails == 0 || hx->now - s.first >= HX_RATE_WINDOW ||
        hx->now < s.first) {
        s.fails = 0;
        s.first = hx->now;
    }
    if (s.fails >= HX_RATE_MAX) {
        close(fd);
        return 1;
    }
    s.fails++;
    n = snprintf(buf, sizeof(buf), "%lld %lld\n", s.fails, s.first);
    if (n > 0 && ftruncate(fd, 0) == 0 &&
        pwrite(fd, buf, (size_t)n, 0) == n)
        (void)fsync(fd);
    close(fd); /* drops the lock: the next attempt sees this one */
    return 0;
}

/* Emptied under the lock, not unlinked: an attempt holding the lock of an
 * unlinked file would count into a file nobody reads again. */
void hx_rate_clear(struct hx *hx, const char *login)
{
    int fd = rate_open(hx, login, 0);

    if (fd < 0)
        return;
    (void)!ftruncate(fd, 0);
    close(fd);
}

void hx_fail_delay(struct hx *hx)
{
    struct timespec ts;
    unsigned ms = hx->cfg.fail_delay_ms;

    if (hx->is_root || ms == 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}
