/* fuzz.h - what every fuzz target in fuzz/ shares: the libFuzzer entry
 * point (also called by replay.c, the plain-C corpus replayer that
 * `make check` runs) and small helpers for the properties targets check.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * A target checks more than "does not crash": each one asserts a property of
 * the parser it drives (round trips, "a failed load leaves the config
 * untouched", "an error message never carries a raw control byte") and calls
 * fuzz_fail() when it does not hold, which aborts so both libFuzzer and the
 * replayer report the input.
 */
#ifndef PWR_FUZZ_H
#define PWR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Report a broken property and abort (never returns). */
void fuzz_fail(const char *target, const char *what)
    __attribute__((noreturn));

/* 1 if s holds no byte below 0x20 and no DEL: error messages reach
 * terminals and syslog, so a hostile input must never put one there. */
int fuzz_printable(const char *s);

/* A private directory for targets that need files (made on first use,
 * removed at exit), and a file in it holding exactly data[0..size). */
const char *fuzz_dir(void);
int fuzz_write_file(const char *name, const uint8_t *data, size_t size,
                    char *path, size_t pathsz);

#endif
