/* fuzz_record.c - fuzz target: one store record line (pwr_record_parse).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Properties: the parser never reads outside the line; its error message is
 * printable; a line it accepts formats back into a line that parses to the
 * very same record (parse(format(parse(x))) == parse(x)), and that
 * formatted line is a fixed point of format(parse(.)).
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "pwr_record.h"

#define T "record"

static void round_trip(const struct pwr_record *rec)
{
    char line[PWR_RECORD_LINE_MAX], again[PWR_RECORD_LINE_MAX];
    struct pwr_record back;
    struct pwr_err err;
    int n = pwr_record_format(rec, line, sizeof(line)), m;

    if (n <= 0 || line[n - 1] != '\n')
        fuzz_fail(T, "an accepted record cannot be formatted");
    if (pwr_record_parse(line, (size_t)n - 1, &back, &err) < 0)
        fuzz_fail(T, "a formatted record does not parse");
    if (memcmp(&back, rec, sizeof(back)) != 0)
        fuzz_fail(T, "parse(format(r)) differs from r");
    m = pwr_record_format(&back, again, sizeof(again));
    if (m != n || memcmp(line, again, (size_t)n) != 0)
        fuzz_fail(T, "format is not canonical");
    pwr_record_wipe(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pwr_record rec;
    struct pwr_err err;

    /* memcmp of whole records needs their padding zeroed the same way. */
    memset(&rec, 0, sizeof(rec));
    pwr_err_clear(&err);
    if (pwr_record_parse((const char *)data, size, &rec, &err) == 0)
        round_trip(&rec);
    else if (!fuzz_printable(err.msg) || err.code != PWR_E_STORE)
        fuzz_fail(T, "error message not printable or wrong code");
    pwr_record_wipe(&rec);
    return 0;
}
