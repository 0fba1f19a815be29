/* bench.h - what the benchmark drivers share: a monotonic clock, sample
 * statistics, and the counters of the crypt interposer (bench_hook.c).
 * Benchmarks only: nothing here is part of the product or of make check.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef PWR_BENCH_H
#define PWR_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Nanoseconds of CLOCK_MONOTONIC, and of this process's CPU time. */
int64_t bench_now_ns(void);
int64_t bench_cpu_ns(void);

struct bench_stats {
    double median, min, max, mean;
    size_t n;
};

/* Statistics of v[0..n) (v is sorted in place). */
void bench_stats(double *v, size_t n, struct bench_stats *out);

/* One result row on stdout, tab-separated, for bench/report.awk:
 * "R <section> <name> <median> <min> <max> <n> <unit>". */
void bench_row(const char *section, const char *name,
               const struct bench_stats *s, const char *unit);
/* A single value ("V <section> <name> <value> <unit>"). */
void bench_value(const char *section, const char *name, double value,
                 const char *unit);

/* Time spent inside crypt_rn/crypt_r/crypt_ra/crypt since the last reset
 * (interposed in bench_hook.c: the hash inside a login, measured in the
 * same login), and the number of such calls. */
void bench_hook_reset(void);
int64_t bench_hook_ns(void);
unsigned bench_hook_calls(void);

/* Exit with a message (printf format). */
void bench_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
