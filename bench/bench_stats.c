/* bench_stats.c - clocks, sample statistics and result rows for the
 * benchmark drivers (see bench.h).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts) < 0)
        bench_die("clock_gettime failed");
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t bench_now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

int64_t bench_cpu_ns(void)
{
    return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void bench_stats(double *v, size_t n, struct bench_stats *out)
{
    double sum = 0;
    size_t i;

    out->n = n;
    if (n == 0) {
        out->median = out->min = out->max = out->mean = 0;
        return;
    }
    qsort(v, n, sizeof(*v), cmp_double);
    for (i = 0; i < n; i++)
        sum += v[i];
    out->min = v[0];
    out->max = v[n - 1];
    out->mean = sum / (double)n;
    out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_row(const char *section, const char *name,
               const struct bench_stats *s, const char *unit)
{
    printf("R\t%s\t%s\t%.6g\t%.6g\t%.6g\t%zu\t%s\n", section, name, s->median,
           s->min, s->max, s->n, unit);
    fflush(stdout);
}

void bench_value(const char *section, const char *name, double value,
                 const char *unit)
{
    printf("V\t%s\t%s\t%.10g\t%s\n", section, name, value, unit);
    fflush(stdout);
}

void bench_die(const char *fmt, ...)
{
    va_list ap;

    fputs("bench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}
