/* bench_hook.c - interposes libxcrypt's crypt entry points in the driver
 * executable (linked with -rdynamic), so a login's own hash is timed inside
 * that same login: "login time minus the hash" then needs no second,
 * separately-noisy measurement.  pam_pwreset.so calls crypt_rn, pam_unix.so
 * crypt_r; both resolve to these wrappers first, which call the real
 * function (RTLD_NEXT) and add up the time spent.
 *
 * For profiling what a login does besides the hash, BENCH_FAKE_HASH=1 makes
 * crypt_rn and crypt_r return the setting itself (a stored hash then
 * "verifies" at once); bench/run never sets it.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <crypt.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

static int64_t g_ns;
static unsigned g_calls;

void bench_hook_reset(void)
{
    g_ns = 0;
    g_calls = 0;
}

int64_t bench_hook_ns(void)
{
    return g_ns;
}

unsigned bench_hook_calls(void)
{
    return g_calls;
}

static void *real(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);

    if (f == NULL)
        bench_die("dlsym(%s): %s", name, dlerror());
    return f;
}

/* The setting itself as the "hash" (BENCH_FAKE_HASH=1), or NULL. */
static char *fake(const char *setting, struct crypt_data *cd, int size)
{
    static int on = -1;

    if (on < 0)
        on = getenv("BENCH_FAKE_HASH") != NULL;
    if (!on || cd == NULL || size < (int)sizeof(*cd))
        return NULL;
    g_calls++;
    if ((size_t)snprintf(cd->output, sizeof(cd->output), "%s", setting) >=
        sizeof(cd->output))
        return NULL;
    return cd->output;
}

typedef char *(*rn_fn)(const char *, const char *, void *, int);
typedef char *(*r_fn)(const char *, const char *, struct crypt_data *);
typedef char *(*ra_fn)(const char *, const char *, void **, int *);
typedef char *(*c_fn)(const char *, const char *);

char *crypt_rn(const char *phrase, const char *setting, void *data, int size)
{
    static rn_fn f;
    int64_t t0;
    char *r;

    if ((r = fake(setting, data, size)) != NULL)
        return r;
    if (f == NULL)
        f = (rn_fn)real("crypt_rn");
    t0 = bench_now_ns();
    r = f(phrase, setting, data, size);
    g_ns += bench_now_ns() - t0;
    g_calls++;
    return r;
}

char *crypt_r(const char *phrase, const char *setting, struct crypt_data *data)
{
    static r_fn f;
    int64_t t0;
    char *r;

    if ((r = fake(setting, data, (int)sizeof(*data))) != NULL)
        return r;
    if (f == NULL)
        f = (r_fn)real("crypt_r");
    t0 = bench_now_ns();
    r = f(phrase, setting, data);
    g_ns += bench_now_ns() - t0;
    g_calls++;
    return r;
}

char *crypt_ra(const char *phrase, const char *setting, void **data, int *size)
{
    static ra_fn f;
    int64_t t0;
    char *r;

    if (f == NULL)
        f = (ra_fn)real("crypt_ra");
    t0 = bench_now_ns();
    r = f(phrase, setting, data, size);
    g_ns += bench_now_ns() - t0;
    g_calls++;
    return r;
}

char *crypt(const char *phrase, const char *setting)
{
    static c_fn f;
    int64_t t0;
    char *r;

    if (f == NULL)
        f = (c_fn)real("crypt");
    t0 = bench_now_ns();
    r = f(phrase, setting);
    g_ns += bench_now_ns() - t0;
    g_calls++;
    return r;
}
