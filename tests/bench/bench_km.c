/* Kaplan-Meier benchmark: the job r_km.R and statsmodels_km.py do (../shared/peers: one curve
 * of right-censored, unweighted subjects), with the library's builder, timed as kernel time
 * (create, add, finish on columns in memory; median of R repetitions) against the read floor
 * (fread of survival_time.f64 and survival_event.u8 once into fresh arrays).
 *
 *   bench_km DATA_DIR [REPEATS]
 *     DATA_DIR  output of gen_events.py (survival_time.f64: float64 LE durations,
 *               survival_event.u8: uint8 flags, 1 = event, 0 = right-censored)
 *     REPEATS   default 5
 *
 * Output:
 *   the key=value lines of r_km.R, same keys, order and formats (%.12g), except elapsed_fit_s:
 *     n, events (Σ of the curve's event column), distinct_times (rows), event_times (rows with
 *     events > 0), "S(t)=… se=…" at t = 30, 90, 180, 365, 730 (S from rtn_km_survival_at; se =
 *     the std-error column, S · √Greenwood, at the last row ≤ t, 0 before the first — R's
 *     summary(fit, times, extend = TRUE)$std.err), median (rtn_km_quantile(0.5), NA when
 *     undefined), surv_sum (Σ S over the rows with events > 0);
 *   "kernel: median S s over R runs, X M subjects/s; read floor F s; kernel/floor ratio Y"
 *   "parts: create+add median A s, finish median B s; N distinct times"
 *   "memory: peak RSS P MiB (Q MiB after reading the input, I MiB of input); peak/input Z"
 *     (getrusage ru_maxrss). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <retention.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#define BENCH_NAME "bench_km"
#include "bench_util.h"

static const double TIMES[] = {30, 90, 180, 365, 730};
#define N_TIMES (sizeof TIMES / sizeof TIMES[0])

/* The size of path in bytes; exits on error. */
static size_t file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f || fseeko(f, 0, SEEK_END) != 0) {
        fprintf(stderr, "bench_km: %s: cannot open\n", path);
        exit(1);
    }
    off_t size = ftello(f);
    fclose(f);
    if (size < 0) {
        fprintf(stderr, "bench_km: %s: cannot size\n", path);
        exit(1);
    }
    return (size_t)size;
}

/* Reads count elements of size bytes from path into a fresh array: part of the read floor. */
static void *read_array(const char *path, size_t count, size_t size)
{
    void *p = xmalloc(count, size);
    FILE *f = fopen(path, "rb");
    if (!f || fread(p, size, count, f) != count) {
        fprintf(stderr, "bench_km: %s: short read\n", path);
        exit(1);
    }
    fclose(f);
    return p;
}

/* x as r_km.R prints it: %.12g, or NaN (R's spelling; printf may write "-nan"). */
static const char *fmt(char *buf, size_t cap, double x)
{
    if (isnan(x))
        snprintf(buf, cap, "NaN");
    else
        snprintf(buf, cap, "%.12g", x);
    return buf;
}

/* One builder run: create, add, finish. Exits on error. */
static rtn_km *build(const double *duration, const uint8_t *event, size_t n, double *t_add,
                     double *t_finish)
{
    rtn_km_builder *b = NULL;
    rtn_km *km = NULL;
    size_t bad = 0;
    double t0 = now();
    int rc = rtn_km_builder_create(&b, NULL);
    if (rc != RTN_OK)
        fail("rtn_km_builder_create", rc);
    rc = rtn_km_builder_add(b, duration, event, NULL, NULL, n, &bad);
    if (rc != RTN_OK) {
        rtn_km_builder_free(b);
        fprintf(stderr, "bench_km: rtn_km_builder_add: subject %zu: %s\n", bad,
                rtn_strerror(rc));
        exit(1);
    }
    double t1 = now();
    rc = rtn_km_builder_finish(b, &km);
    double t2 = now();
    rtn_km_builder_free(b);
    if (rc != RTN_OK)
        fail("rtn_km_builder_finish", rc);
    *t_add = t1 - t0;
    *t_finish = t2 - t1;
    return km;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s DATA_DIR [REPEATS]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    int repeats = argc > 2 ? atoi(argv[2]) : 5;
    if (repeats < 1 || repeats > 1000)
        repeats = 5;
    char tpath[4096], epath[4096];
    snprintf(tpath, sizeof tpath, "%s/survival_time.f64", dir);
    snprintf(epath, sizeof epath, "%s/survival_event.u8", dir);
    size_t tbytes = file_size(tpath), n = file_size(epath);
    if (tbytes % 8 != 0 || tbytes / 8 != n) {
        fprintf(stderr, "bench_km: %s has %zu bytes, %s %zu: not 8 bytes per flag\n", tpath,
                tbytes, epath, n);
        return 1;
    }

    double *t_read = xmalloc((size_t)repeats, sizeof(double));
    double *t_add = xmalloc((size_t)repeats, sizeof(double));
    double *t_fin = xmalloc((size_t)repeats, sizeof(double));
    double *t_kern = xmalloc((size_t)repeats, sizeof(double));

    /* read floor: fread of both files into fresh arrays; the arrays of the last read are kept
     * (little-endian host assumed, as the files are little-endian) */
    double *duration = NULL;
    uint8_t *event = NULL;
    for (int r = 0; r < repeats; ++r) {
        free(duration);
        free(event);
        double t0 = now();
        duration = read_array(tpath, n, sizeof *duration);
        event = read_array(epath, n, sizeof *event);
        t_read[r] = now() - t0;
    }
    double rss_input = peak_rss_mib();

    /* the kernel: builder create + add + finish, on the columns in memory */
    rtn_km *km = NULL;
    for (int r = 0; r < repeats; ++r) {
        rtn_km_free(km);
        km = build(duration, event, n, &t_add[r], &t_fin[r]);
        t_kern[r] = t_add[r] + t_fin[r];
    }

    /* the peers' key=value lines, from the last curve */
    size_t rows;
    int rc = rtn_km_size(km, &rows);
    if (rc != RTN_OK)
        fail("rtn_km_size", rc);
    double *time = xmalloc(rows, sizeof *time), *events = xmalloc(rows, sizeof *events);
    double *surv = xmalloc(rows, sizeof *surv), *se = xmalloc(rows, sizeof *se);
    if ((rc = rtn_km_column(km, RTN_KM_TIME, time, rows)) != RTN_OK ||
        (rc = rtn_km_column(km, RTN_KM_EVENTS, events, rows)) != RTN_OK ||
        (rc = rtn_km_column(km, RTN_KM_SURVIVAL, surv, rows)) != RTN_OK ||
        (rc = rtn_km_column(km, RTN_KM_STD_ERR, se, rows)) != RTN_OK)
        fail("rtn_km_column", rc);
    double n_events = 0.0, surv_sum = 0.0;
    size_t event_times = 0;
    for (size_t j = 0; j < rows; ++j) {
        n_events += events[j];
        if (events[j] > 0.0) {
            ++event_times;
            surv_sum += surv[j];
        }
    }
    double s_at[N_TIMES];
    if ((rc = rtn_km_survival_at(km, TIMES, N_TIMES, s_at, NULL, NULL, NULL)) != RTN_OK)
        fail("rtn_km_survival_at", rc);
    printf("n=%zu\nevents=%.0f\ndistinct_times=%zu\nevent_times=%zu\n", n, n_events, rows,
           event_times);
    for (size_t i = 0; i < N_TIMES; ++i) {
        /* the std error at the last row with time ≤ t (rtn_km_survival_at has no se output) */
        size_t lo = 0, hi = rows;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (time[mid] <= TIMES[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        char a[32], b[32];
        printf("S(%g)=%s se=%s\n", TIMES[i], fmt(a, sizeof a, s_at[i]),
               fmt(b, sizeof b, lo ? se[lo - 1] : 0.0));
    }
    double med;
    rc = rtn_km_quantile(km, 0.5, &med, NULL, NULL);
    if (rc == RTN_OK)
        printf("median=%.12g\n", med);
    else if (rc == RTN_EUNDEFINED)
        printf("median=NA\n");
    else
        fail("rtn_km_quantile", rc);
    char sum_text[32];
    printf("surv_sum=%s\n", fmt(sum_text, sizeof sum_text, surv_sum));

    double kern = median(t_kern, repeats), floor_read = median(t_read, repeats);
    double input_mib = (double)n * 9.0 / 1048576.0, peak = peak_rss_mib();
    printf("kernel: median %.6f s over %d runs, %.2f M subjects/s; read floor %.6f s; "
           "kernel/floor ratio %.2f\n",
           kern, repeats, (double)n / kern / 1e6, floor_read, kern / floor_read);
    printf("parts: create+add median %.6f s, finish median %.6f s; %zu distinct times\n",
           median(t_add, repeats), median(t_fin, repeats), rows);
    printf("memory: peak RSS %.1f MiB (%.1f MiB after reading the input, %.1f MiB of input); "
           "peak/input %.2f\n",
           peak, rss_input, input_mib, peak / input_mib);

    free(time);
    free(events);
    free(surv);
    free(se);
    rtn_km_free(km);
    free(duration);
    free(event);
    free(t_read);
    free(t_add);
    free(t_fin);
    free(t_kern);
    return 0;
}
