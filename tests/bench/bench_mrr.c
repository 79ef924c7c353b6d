/* MRR-bridge benchmark: the job tests/bench/pandas_mrr.py does, with the library's
 * retention/mrr.h, timed as kernel time (on columns already in memory; median of R repetitions)
 * against the read floor (fread of events.bin and splitting it into columns).
 *
 *   bench_mrr DATA_DIR [REPEATS] [--chunk ROWS] [--full] [--no-builder] [--cents]
 *     DATA_DIR  output of gen_events.py (events.bin: 24-byte little-endian records
 *               int64 customer_id, int32 day, uint32 reserved, float64 amount)
 *     REPEATS   default 5
 *     --chunk   rows per rtn_mrr_builder_add() call in the builder run (default 1048576)
 *     --full    also print every column of every period, one line per period
 *     --no-builder  skip the chunked builder kernel (one read and one rtn_mrr_table_build per
 *               repetition: what bench_mrr.sh times as a whole process)
 *     --cents   mrr = the amount in whole cents (amount * 100, rounded) instead of dollars: sums
 *               of whole numbers are exact in a double, the case where mrr.h says the bridge
 *               balances exactly (with dollars of k/100, sums of different rows that make the
 *               same number of cents may differ in the last bits: see bench_mrr.sh)
 *
 * Rows: every event is a row (customer = customer_id, period = floor(day / 30), mrr = amount);
 * the rows of one customer in one period add up, as mrr.h says. The window is the default one
 * (earliest to latest period of any row).
 *
 * Two kernels, both on the same columns in memory:
 *   table    rtn_mrr_table_build() on all rows in one call
 *   builder  rtn_mrr_builder_create(), rtn_mrr_builder_add() in chunks of --chunk rows,
 *            rtn_mrr_builder_finish(); timed as create+add and finish
 * The two tables must be bit-identical (mrr.h: sums do not depend on how the rows were split).
 *
 * Output (the first lines are what pandas_mrr.py prints, same labels and keys):
 *   "window: first=F periods=P rows=N unit=dollars|cents"
 *   "amounts: start=… new=… expansion=… reactivation=… contraction=… churned=… end=…"
 *             each the sum over all periods of that column (%.17g)
 *   "customers: …" the same for the count columns (whole numbers)
 *   "rates: gross_revenue_churn=… net_revenue_churn=… nrr=… grr=… quick_ratio=… and *_defined"
 *             sum of each rate over the periods where it is defined (not NaN), and how many
 *   --full: "period p: start=… … quick_ratio=…" every column, NaN printed as "nan"
 * then (not compared):
 *   "bridge: …" the largest |start + new + expansion + reactivation − contraction − churned − end|
 *             over the periods, in the rounded columns, and the counts' residual
 *   "kernel: median S s over R runs, X M rows/s (rtn_mrr_table_build); read floor F s; …"
 *   "builder: chunks of K rows: create+add median A s, finish median B s, …; tables identical"
 *   "memory: peak RSS …" (getrusage ru_maxrss). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <retention.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#define BENCH_NAME "bench_mrr"
#include "bench_util.h"

#define RECORD 24
#define CHUNK_RECORDS 65536 /* 1.5 MiB read buffer: the columns are the only big arrays */
#define DAYS_PER_PERIOD 30

static int in_cents; /* --cents */

typedef struct columns {
    int64_t *customer, *period;
    double *mrr;
    size_t n;
} columns;

static void columns_free(columns *c)
{
    free(c->customer);
    free(c->period);
    free(c->mrr);
    memset(c, 0, sizeof *c);
}

/* floor(day / 30), as Python's // (days are ≥ 0 in gen_events.py's files, but be exact) */
static int64_t period_of(int32_t day)
{
    int64_t d = day, q = d / DAYS_PER_PERIOD;
    return q * DAYS_PER_PERIOD > d ? q - 1 : q;
}

/* The amount in whole cents, rounded half away from zero (no libm: amounts are ≥ 0 here, and
 * the rows' validation rejects anything else anyway) */
static double whole_cents(double amount)
{
    double x = amount * 100.0;
    return x >= 0.0 ? (double)(int64_t)(x + 0.5) : x;
}

/* Reads path into fresh columns: the read floor. Exits on error. */
static void read_columns(const char *path, columns *out)
{
    FILE *f = fopen(path, "rb");
    if (!f || fseeko(f, 0, SEEK_END) != 0) {
        fprintf(stderr, "bench_mrr: %s: cannot open\n", path);
        exit(1);
    }
    off_t size = ftello(f);
    if (size < 0 || size % RECORD != 0 || fseeko(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "bench_mrr: %s: not a whole number of %d-byte records\n", path, RECORD);
        exit(1);
    }
    size_t n = (size_t)(size / RECORD);
    columns c = {xmalloc(n, sizeof(int64_t)), xmalloc(n, sizeof(int64_t)),
                 xmalloc(n, sizeof(double)), n};
    unsigned char *buf = xmalloc((size_t)CHUNK_RECORDS, RECORD);
    for (size_t done = 0; done < n;) {
        size_t want = n - done < CHUNK_RECORDS ? n - done : CHUNK_RECORDS;
        if (fread(buf, RECORD, want, f) != want) {
            fprintf(stderr, "bench_mrr: %s: short read\n", path);
            exit(1);
        }
        /* little-endian host assumed, as the file is little-endian */
        for (size_t i = 0; i < want; ++i) {
            const unsigned char *p = buf + i * RECORD;
            int64_t id;
            int32_t day;
            double amount;
            memcpy(&id, p, 8);
            memcpy(&day, p + 8, 4);
            memcpy(&amount, p + 16, 8);
            c.customer[done + i] = id;
            c.period[done + i] = period_of(day);
            c.mrr[done + i] = in_cents ? whole_cents(amount) : amount;
        }
        done += want;
    }
    free(buf);
    fclose(f);
    *out = c;
}

/* rtn_mrr_table_build() on all rows. Exits on error. */
static rtn_mrr_table *build_table(const columns *c)
{
    rtn_mrr_table *t = NULL;
    size_t bad = 0;
    int rc = rtn_mrr_table_build(c->customer, c->period, c->mrr, c->n, &t, &bad);
    if (rc != RTN_OK) {
        fprintf(stderr, "bench_mrr: rtn_mrr_table_build: row %zu: %s\n", bad, rtn_strerror(rc));
        exit(1);
    }
    return t;
}

/* A builder fed in chunks of `chunk` rows, then finished. Exits on error. */
static rtn_mrr_table *build_chunked(const columns *c, size_t chunk, double *t_add,
                                    double *t_finish)
{
    rtn_mrr_builder *b = NULL;
    rtn_mrr_table *t = NULL;
    double t0 = now();
    int rc = rtn_mrr_builder_create(&b, NULL);
    if (rc != RTN_OK)
        fail("rtn_mrr_builder_create", rc);
    for (size_t at = 0; at < c->n; at += chunk) {
        size_t len = c->n - at < chunk ? c->n - at : chunk, bad = 0;
        rc = rtn_mrr_builder_add(b, c->customer + at, c->period + at, c->mrr + at, len, &bad);
        if (rc != RTN_OK) {
            fprintf(stderr, "bench_mrr: rtn_mrr_builder_add: row %zu: %s\n", at + bad,
                    rtn_strerror(rc));
            exit(1);
        }
    }
    double t1 = now();
    rc = rtn_mrr_builder_finish(b, &t);
    double t2 = now();
    rtn_mrr_builder_free(b);
    if (rc != RTN_OK)
        fail("rtn_mrr_builder_finish", rc);
    *t_add = t1 - t0;
    *t_finish = t2 - t1;
    return t;
}

/* All columns of a table, column-major: col[k * periods + p]. */
static double *table_columns(const rtn_mrr_table *t, int64_t *first, size_t *periods)
{
    int rc = rtn_mrr_table_periods(t, first, periods);
    if (rc != RTN_OK)
        fail("rtn_mrr_table_periods", rc);
    double *col = xmalloc((size_t)RTN_MRR_COLUMN_COUNT * *periods, sizeof *col);
    for (int k = 0; k < RTN_MRR_COLUMN_COUNT; ++k)
        if ((rc = rtn_mrr_table_column(t, k, col + (size_t)k * *periods, *periods)) != RTN_OK)
            fail("rtn_mrr_table_column", rc);
    return col;
}

static const char *const NAMES[RTN_MRR_COLUMN_COUNT] = {
    "start", "new", "expansion", "reactivation", "contraction", "churned", "end",
    "start", "new", "expansion", "reactivation", "contraction", "churned", "end",
    "gross_revenue_churn", "net_revenue_churn", "nrr", "grr", "quick_ratio"};

/* %.17g, NaN as "nan" (printf may write "-nan") */
static void put_value(double v)
{
    if (isnan(v))
        printf("nan");
    else
        printf("%.17g", v);
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    int repeats = 5, full = 0, positional = 0, builder = 1;
    size_t chunk = 1048576;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--full") == 0)
            full = 1;
        else if (strcmp(argv[i], "--no-builder") == 0)
            builder = 0;
        else if (strcmp(argv[i], "--cents") == 0)
            in_cents = 1;
        else if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc)
            chunk = (size_t)strtoull(argv[++i], NULL, 10);
        else if (positional == 0)
            dir = argv[i], ++positional;
        else if (positional == 1)
            repeats = atoi(argv[i]), ++positional;
        else
            dir = NULL;
    }
    if (!dir || chunk == 0) {
        fprintf(stderr,
                "usage: %s DATA_DIR [REPEATS] [--chunk ROWS] [--full] [--no-builder] [--cents]\n",
                argv[0]);
        return 2;
    }
    if (repeats < 1 || repeats > 1000)
        repeats = 5;
    char path[4096];
    snprintf(path, sizeof path, "%s/events.bin", dir);

    double *t_read = xmalloc((size_t)repeats, sizeof(double));
    double *t_kern = xmalloc((size_t)repeats, sizeof(double));
    double *t_add = xmalloc((size_t)repeats, sizeof(double));
    double *t_fin = xmalloc((size_t)repeats, sizeof(double));
    double *t_chunked = xmalloc((size_t)repeats, sizeof(double));

    /* read floor: fread + split into freshly allocated columns; the last read is kept */
    columns c = {0};
    for (int r = 0; r < repeats; ++r) {
        columns_free(&c);
        double t0 = now();
        read_columns(path, &c);
        t_read[r] = now() - t0;
    }
    size_t n = c.n;
    double rss_columns = peak_rss_mib();

    /* kernel 1: rtn_mrr_table_build, one call */
    rtn_mrr_table *t = NULL;
    for (int r = 0; r < repeats; ++r) {
        rtn_mrr_table_free(t);
        double t0 = now();
        t = build_table(&c);
        t_kern[r] = now() - t0;
    }
    double rss_table = peak_rss_mib();

    /* kernel 2: builder, add in chunks, finish */
    rtn_mrr_table *t2 = NULL;
    for (int r = 0; builder && r < repeats; ++r) {
        rtn_mrr_table_free(t2);
        t2 = build_chunked(&c, chunk, &t_add[r], &t_fin[r]);
        t_chunked[r] = t_add[r] + t_fin[r];
    }

    int64_t first, first2 = 0;
    size_t periods, periods2 = 0;
    double *col = table_columns(t, &first, &periods);
    double *col2 = builder ? table_columns(t2, &first2, &periods2) : NULL;
    int identical = !builder || (first == first2 && periods == periods2 &&
                                 memcmp(col, col2, (size_t)RTN_MRR_COLUMN_COUNT * periods *
                                                       sizeof *col) == 0);

    /* the checksum lines: sums over the periods, in period order */
    double sum[RTN_MRR_COLUMN_COUNT];
    size_t defined[RTN_MRR_COLUMN_COUNT];
    for (int k = 0; k < RTN_MRR_COLUMN_COUNT; ++k) {
        sum[k] = 0.0;
        defined[k] = 0;
        for (size_t p = 0; p < periods; ++p) {
            double v = col[(size_t)k * periods + p];
            if (!isnan(v))
                sum[k] += v, defined[k]++;
        }
    }
    printf("window: first=%lld periods=%zu rows=%zu unit=%s\n", (long long)first, periods, n,
           in_cents ? "cents" : "dollars");
    printf("amounts:");
    for (int k = RTN_MRR_START; k <= RTN_MRR_END; ++k)
        printf(" %s=%.17g", NAMES[k], sum[k]);
    printf("\ncustomers:");
    for (int k = RTN_MRR_START_CUSTOMERS; k <= RTN_MRR_END_CUSTOMERS; ++k)
        printf(" %s=%.0f", NAMES[k], sum[k]);
    printf("\nrates:");
    for (int k = RTN_MRR_GROSS_REVENUE_CHURN; k <= RTN_MRR_QUICK_RATIO; ++k)
        printf(" %s=%.17g", NAMES[k], sum[k]);
    for (int k = RTN_MRR_GROSS_REVENUE_CHURN; k <= RTN_MRR_QUICK_RATIO; ++k)
        printf(" %s_defined=%zu", NAMES[k], defined[k]);
    printf("\n");
    if (full)
        for (size_t p = 0; p < periods; ++p) {
            printf("period %lld:", (long long)(first + (int64_t)p));
            for (int k = 0; k < RTN_MRR_COLUMN_COUNT; ++k) {
                printf(" %s%s=", NAMES[k],
                       k >= RTN_MRR_START_CUSTOMERS && k <= RTN_MRR_END_CUSTOMERS ? "_customers"
                                                                                  : "");
                if (k >= RTN_MRR_START_CUSTOMERS && k <= RTN_MRR_END_CUSTOMERS)
                    printf("%.0f", col[(size_t)k * periods + p]);
                else
                    put_value(col[(size_t)k * periods + p]);
            }
            printf("\n");
        }

    /* the bridge identity in the rounded columns (mrr.h: exact only for exactly summable
     * amounts; dollars of k/100 are not) */
    double worst = 0.0, worst_rel = 0.0, worst_count = 0.0;
    for (size_t p = 0; p < periods; ++p) {
        const double *v = col + p;
#define AT(k) v[(size_t)(k) * periods]
        double r = AT(RTN_MRR_START) + AT(RTN_MRR_NEW) + AT(RTN_MRR_EXPANSION) +
                   AT(RTN_MRR_REACTIVATION) - AT(RTN_MRR_CONTRACTION) - AT(RTN_MRR_CHURNED) -
                   AT(RTN_MRR_END);
        double rc = AT(RTN_MRR_START_CUSTOMERS) + AT(RTN_MRR_NEW_CUSTOMERS) +
                    AT(RTN_MRR_REACTIVATION_CUSTOMERS) - AT(RTN_MRR_CHURNED_CUSTOMERS) -
                    AT(RTN_MRR_END_CUSTOMERS);
        if (fabs(r) > worst)
            worst = fabs(r), worst_rel = AT(RTN_MRR_END) > 0 ? fabs(r) / AT(RTN_MRR_END) : 0.0;
        if (fabs(rc) > worst_count)
            worst_count = fabs(rc);
#undef AT
    }
    printf("bridge: max |start+new+expansion+reactivation-contraction-churned-end| %.3g "
           "(%.3g of end), customers %.0f\n",
           worst, worst_rel, worst_count);

    double kern = median(t_kern, repeats), floor_read = median(t_read, repeats);
    printf("kernel: median %.6f s over %d runs, %.2f M rows/s (rtn_mrr_table_build); read floor "
           "%.6f s; kernel/floor ratio %.2f\n",
           kern, repeats, (double)n / kern / 1e6, floor_read, kern / floor_read);
    if (builder) {
        double chunked = median(t_chunked, repeats);
        printf("builder: chunks of %zu rows (%zu adds): create+add median %.6f s, finish median "
               "%.6f s, total median %.6f s, %.2f M rows/s; tables identical: %s\n",
               chunk, (n + chunk - 1) / chunk, median(t_add, repeats), median(t_fin, repeats),
               chunked, (double)n / chunked / 1e6, identical ? "yes" : "NO");
    }
    printf("memory: peak RSS %.0f MiB (%.0f MiB after reading the columns, %.0f MiB after the "
           "one-call builds, %.0f MiB of columns)\n",
           peak_rss_mib(), rss_columns, rss_table, (double)n * 24.0 / 1048576.0);

    free(col);
    free(col2);
    rtn_mrr_table_free(t);
    rtn_mrr_table_free(t2);
    columns_free(&c);
    free(t_read);
    free(t_kern);
    free(t_add);
    free(t_fin);
    free(t_chunked);
    return identical ? 0 : 1;
}
