/* bench_floor.c - the least a directory login can cost under the rules
 * the directory backend keeps (docs/FLEET.md): the module links no LDAP
 * library, so every login starts a process that loads libldap, and the
 * password is checked by a bind as the person, so slapd computes the hash.
 * Measured in interleaved rounds against one in-process crypt_rn of the
 * same hash (what the file store's login computes):
 *
 *   floor URI PERSON_DN HOST_DN HOST_SECRET HASH < PASSWORD_FILE
 *       crypt         crypt_rn in this process
 *       bind_person   fork + exec of this program in "bind" mode: libldap
 *                     loaded (no SASL plugins), one connection, one simple
 *                     bind as the person, unbind, exit: the hash in slapd
 *       bind_host     the same with the host's {SSHA} secret: the process
 *                     and the round trip without the hash
 *   bind URI DN SECRET   (the child; exit 0 if the bind succeeded)
 *
 * Nothing pwreset-specific runs here: no configuration, no search, no
 * status, no audit.  pwreset's own directory login is the row next to it.
 * Benchmarks only: nothing here is part of make check.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <crypt.h>
#include <ldap.h>
#include <sasl/sasl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define ROUNDS 40
#define SECTION "fleet"

static int child_bind(const char *uri, const char *dn, const char *secret)
{
    struct berval cred = { strlen(secret), (char *)(uintptr_t)secret };
    int v3 = LDAP_VERSION3, rc;
    LDAP *ld;

    setenv("LDAPNOINIT", "1", 1);
    sasl_set_path(SASL_PATH_TYPE_PLUGIN, (char *)(uintptr_t)"");
    if (ldap_initialize(&ld, uri) != LDAP_SUCCESS)
        return 2;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
    rc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    ldap_unbind_ext_s(ld, NULL, NULL);
    return rc == LDAP_SUCCESS ? 0 : 1;
}

/* Nanoseconds of one fork + exec of "self bind URI DN SECRET". */
static int64_t spawn_bind(const char *self, const char *uri, const char *dn,
                          const char *secret)
{
    char *argv[] = { (char *)(uintptr_t)self, (char *)(uintptr_t)"bind",
                     (char *)(uintptr_t)uri, (char *)(uintptr_t)dn,
                     (char *)(uintptr_t)secret, NULL };
    int64_t t0 = bench_now_ns();
    int st;
    pid_t pid = fork();

    if (pid < 0)
        bench_die("fork failed");
    if (pid == 0) {
        execv(self, argv);
        _exit(127);
    }
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        bench_die("the bind as %s failed (status %d)", dn, st);
    return bench_now_ns() - t0;
}

static int64_t one_crypt(const char *password, const char *hash)
{
    static struct crypt_data cd;
    int64_t t0 = bench_now_ns();
    const char *out;

    memset(&cd, 0, sizeof(cd));
    out = crypt_rn(password, hash, &cd, (int)sizeof(cd));
    if (out == NULL || strcmp(out, hash) != 0)
        bench_die("the password does not match the hash");
    return bench_now_ns() - t0;
}

static void read_password(char *buf, size_t size)
{
    if (fgets(buf, (int)size, stdin) == NULL)
        bench_die("no password on standard input");
    buf[strcspn(buf, "\r\n")] = '\0';
}

static void row(const char *name, double *v, const char *unit)
{
    struct bench_stats st;

    bench_stats(v, ROUNDS, &st);
    bench_row(SECTION, name, &st, unit);
}

static int floor_main(char **argv)
{
    static double c[ROUNDS], p[ROUNDS], h[ROUNDS], r[ROUNDS];
    const char *uri = argv[2], *person = argv[3], *host = argv[4];
    const char *secret = argv[5], *hash = argv[6];
    char password[512];
    int i;

    read_password(password, sizeof(password));
    for (i = -2; i < ROUNDS; i++) { /* two warm-up rounds */
        double tc = (double)one_crypt(password, hash) / 1e6;
        double tp = (double)spawn_bind(argv[0], uri, person, password) / 1e6;
        double th = (double)spawn_bind(argv[0], uri, host, secret) / 1e6;

        if (i < 0)
            continue;
        c[i] = tc;
        p[i] = tp;
        h[i] = th;
        r[i] = tp / tc;
    }
    row("floor.crypt", c, "ms");
    row("floor.bind_person", p, "ms");
    row("floor.bind_host", h, "ms");
    row("floor.ratio", r, "x");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "bind") == 0)
        return child_bind(argv[2], argv[3], argv[4]);
    if (argc == 7 && strcmp(argv[1], "floor") == 0)
        return floor_main(argv);
    fprintf(stderr, "usage: bench_floor floor URI PERSON_DN HOST_DN "
                    "HOST_SECRET HASH < PASSWORD_FILE\n");
    return 2;
}
