/* fuzz_config.c - fuzz target: pwreset.conf (pwr_config_load, and the
 * module's pwr_config_load_lenient, on a file holding the input) and
 * module-argument style settings (pwr_config_set with the input split at
 * its first '=').
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Properties: a failed load or set leaves the configuration byte for byte
 * as it was, with a printable "PLACE: what" message and PWR_E_CONFIG; a
 * successful one leaves a configuration every program can trust (the
 * cross-key rules hold, every string is terminated, paths are absolute).
 * The lenient reading, which skips bad lines, must give such a
 * configuration whatever the file holds (or fail and change nothing), and
 * every problem it reports is printable.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pwr_config.h"

#define T "config"

static int terminated(const char *s, size_t size)
{
    return strnlen(s, size) < size;
}

static void check_sane(const struct pwr_config *c)
{
    unsigned hi = c->hash.method == PWR_HASH_ARGON2ID ? 10 : 11;

    if (c->min_length > c->max_length || c->max_length < 256 ||
        c->hash.cost < 1 || c->hash.cost > hi)
        fuzz_fail(T, "accepted a configuration that breaks a cross-key rule");
    if (!terminated(c->store, sizeof(c->store)) || c->store[0] != '/' ||
        !terminated(c->audit_socket, sizeof(c->audit_socket)) ||
        !terminated(c->contact, sizeof(c->contact)) ||
        !terminated(c->admin_group, sizeof(c->admin_group)) ||
        c->n_protected > PWR_MAX_PROTECTED ||
        c->n_blocklist > PWR_POLICY_MAX_LISTS)
        fuzz_fail(T, "accepted a configuration with a bad string or list");
    if (!fuzz_printable(c->contact) || !fuzz_printable(c->store))
        fuzz_fail(T, "a control character got into a value");
}

static void check_failed(const struct pwr_config *before,
                         const struct pwr_config *after,
                         const struct pwr_err *err)
{
    if (memcmp(before, after, sizeof(*before)) != 0)
        fuzz_fail(T, "a failed load or set changed the configuration");
    if (err->code != PWR_E_CONFIG || !fuzz_printable(err->msg))
        fuzz_fail(T, "error message not printable or wrong code");
}

static void load(const uint8_t *data, size_t size, struct pwr_config *cfg,
                 struct pwr_config *before)
{
    char path[PWR_PATH_MAX];
    struct pwr_err err;

    if (fuzz_write_file("pwreset.conf", data, size, path, sizeof(path)) < 0)
        fuzz_fail(T, "cannot write the input file");
    memcpy(before, cfg, sizeof(*before));
    pwr_err_clear(&err);
    if (pwr_config_load(cfg, path, 1, &err) == 0)
        check_sane(cfg);
    else
        check_failed(before, cfg, &err);
}

static void report(void *arg, const struct pwr_err *problem)
{
    (void)arg;
    if (problem->code != PWR_E_CONFIG || !fuzz_printable(problem->msg))
        fuzz_fail(T, "lenient reading: problem not printable or wrong code");
}

static void load_lenient(const uint8_t *data, size_t size)
{
    struct pwr_config_lenient len = { .report = report };
    struct pwr_config *cfg = calloc(2, sizeof(*cfg));
    char path[PWR_PATH_MAX];
    struct pwr_err err;

    if (cfg == NULL)
        fuzz_fail(T, "out of memory");
    if (fuzz_write_file("pwreset.conf", data, size, path, sizeof(path)) < 0)
        fuzz_fail(T, "cannot write the input file");
    pwr_config_defaults(&cfg[0]);
    memcpy(&cfg[1], &cfg[0], sizeof(cfg[0]));
    pwr_err_clear(&err);
    if (pwr_config_load_lenient(&cfg[0], path, &len, &err) == 0)
        check_sane(&cfg[0]);
    else
        check_failed(&cfg[1], &cfg[0], &err);
    free(cfg);
}

static void set(const uint8_t *data, size_t size, struct pwr_config *cfg,
                struct pwr_config *before)
{
    const uint8_t *eq = memchr(data, '=', size);
    size_t klen = eq ? (size_t)(eq - data) : size;
    char *key = strndup((const char *)data, klen);
    char *value = eq ? strndup((const char *)eq + 1, size - klen - 1) : NULL;
    struct pwr_err err;

    if (key == NULL || (eq != NULL && value == NULL))
        fuzz_fail(T, "out of memory");
    memcpy(before, cfg, sizeof(*before));
    pwr_err_clear(&err);
    if (pwr_config_set(cfg, key, value, &err) == 0)
        check_sane(cfg);
    else
        check_failed(before, cfg, &err);
    free(key);
    free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Heap copies: a struct pwr_config is several kilobytes. */
    struct pwr_config *cfg = calloc(2, sizeof(*cfg));

    if (cfg == NULL)
        fuzz_fail(T, "out of memory");
    pwr_config_defaults(&cfg[0]);
    check_sane(&cfg[0]);
    load(data, size, &cfg[0], &cfg[1]);
    set(data, size, &cfg[0], &cfg[1]);
    free(cfg);
    load_lenient(data, size);
    return 0;
}
