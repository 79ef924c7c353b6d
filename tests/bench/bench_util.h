/* Helpers shared by the benchmark programs (include after defining _POSIX_C_SOURCE; define
 * BENCH_NAME, the program's name for its error messages, before including). */
#ifndef RTN_BENCH_UTIL_H
#define RTN_BENCH_UTIL_H

#include <retention.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#ifndef BENCH_NAME
#define BENCH_NAME "bench"
#endif

/* Monotonic wall-clock seconds. */
static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (n ≥ 1); sorts v. */
static inline double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Peak resident memory of this process so far, MiB (getrusage; -1 if unavailable). */
static inline double peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1.0;
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

/* A library call that must not fail: reports it and exits. */
static inline void fail(const char *what, int rc)
{
    fprintf(stderr, BENCH_NAME ": %s: %s\n", what, rtn_strerror(rc));
    exit(1);
}

/* malloc of count × size that exits on failure. */
static inline void *xmalloc(size_t count, size_t size)
{
    void *p = malloc((count ? count : 1) * size);
    if (!p) {
        fprintf(stderr, BENCH_NAME ": out of memory\n");
        exit(1);
    }
    return p;
}

#endif
