/* Cohort-table benchmark: the job pandas_cohort.py does (../shared/peers: 30-day months,
 * cohort = month of the first event, distinct customers per (cohort, period offset)), with the
 * library's builder, timed as kernel time (create, add, finish on columns in memory; median of R
 * repetitions) against two floors: reading the input columns once (fread of events.bin and
 * splitting it into columns) and scanning the columns once in memory (a sum of each).
 *
 *   bench_cohort DATA_DIR [REPEATS] [--full] [--chunk ROWS] [--amounts]
 *     DATA_DIR  output of gen_events.py (events.bin: 24-byte little-endian records
 *               int64 customer_id, int32 day, uint32 reserved, float64 amount)
 *     REPEATS   default 5
 *     --full    also print the count matrix, one row per cohort as pandas_cohort.py --full
 *               does, with "-" for censored cells (pandas prints 0 there)
 *     --chunk   add the events ROWS at a time (a stream of adds), not in one call
 *     --amounts add the amounts too, for the revenue table (pandas' recipe counts customers
 *               only, so without this flag both sides compute the same table)
 *
 * Columns: customer = customer_id, time = day * 86400, amount. Period RTN_PERIOD_SECONDS of
 * 30 * 86400 s, so a period index is day // 30 exactly as in the pandas recipe, and a cohort's
 * period index is pandas' cohort label; kind "return on"; amounts only with --amounts.
 *
 * Output:
 *   line 1: the summary line of pandas_cohort.py, same keys and order. Sums are over the cells
 *           that are not censored; a censored cell (its period starts after the last event) is
 *           0 active / NaN retention here and 0 in pandas, so the counts agree exactly and
 *           ret_sum agrees up to the order of floating-point additions.
 *   line 2: "cells: ..." complete / partial / censored counts, revenue total vs the input's.
 *   line 3: "kernel: median S s over R runs, X M events/s; read floor F s; kernel/floor ratio Y"
 *   line 4: "parts: ..." add and finish medians, the column-scan floor and its ratio.
 *   line 5: "memory: peak RSS ..." (getrusage ru_maxrss). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <retention.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#define BENCH_NAME "bench_cohort"
#include "bench_util.h"

#define RECORD 24
#define CHUNK_RECORDS 65536 /* 1.5 MiB read buffer: the columns are the only big arrays */
#define PERIOD_SECONDS (30 * INT64_C(86400))

typedef struct columns {
    int64_t *customer, *time;
    double *amount;
    size_t n;
} columns;

static void columns_free(columns *c)
{
    free(c->customer);
    free(c->time);
    free(c->amount);
    memset(c, 0, sizeof *c);
}

/* Reads path into fresh columns: the read floor. Exits on error. */
static void read_columns(const char *path, columns *out)
{
    FILE *f = fopen(path, "rb");
    if (!f || fseeko(f, 0, SEEK_END) != 0) {
        fprintf(stderr, "bench_cohort: %s: cannot open\n", path);
        exit(1);
    }
    off_t size = ftello(f);
    if (size < 0 || size % RECORD != 0 || fseeko(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "bench_cohort: %s: not a whole number of %d-byte records\n", path,
                RECORD);
        exit(1);
    }
    size_t n = (size_t)(size / RECORD);
    columns c = {malloc((n ? n : 1) * sizeof(int64_t)), malloc((n ? n : 1) * sizeof(int64_t)),
                 malloc((n ? n : 1) * sizeof(double)), n};
    unsigned char *buf = malloc((size_t)CHUNK_RECORDS * RECORD);
    if (!c.customer || !c.time || !c.amount || !buf) {
        fprintf(stderr, "bench_cohort: out of memory for %zu events\n", n);
        exit(1);
    }
    for (size_t done = 0; done < n;) {
        size_t want = n - done < CHUNK_RECORDS ? n - done : CHUNK_RECORDS;
        if (fread(buf, RECORD, want, f) != want) {
            fprintf(stderr, "bench_cohort: %s: short read\n", path);
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
            c.time[done + i] = (int64_t)day * 86400;
            c.amount[done + i] = amount;
        }
        done += want;
    }
    free(buf);
    fclose(f);
    *out = c;
}

/* One builder run: create, set, add, finish. Exits on error. */
/* Rows per rtn_cohort_builder_add() call: all at once (0, the default), or --chunk N, as a
 * stream, a PostgreSQL aggregate or a batched reader hands them over. */
static size_t chunk_rows;
static int with_amounts; /* --amounts */

static rtn_cohort_table *build(const columns *c, double *t_add, double *t_finish)
{
    rtn_cohort_builder *b = NULL;
    rtn_cohort_table *t = NULL;
    size_t bad = 0;
    double t0 = now();
    int rc = rtn_cohort_builder_create(&b, NULL);
    if (rc != RTN_OK)
        fail("rtn_cohort_builder_create", rc);
    if ((rc = rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_SECONDS)) != RTN_OK ||
        (rc = rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_SECONDS, PERIOD_SECONDS)) != RTN_OK ||
        (rc = rtn_cohort_builder_set(b, RTN_COHORT_KIND, RTN_COHORT_RETURN_ON)) != RTN_OK) {
        rtn_cohort_builder_free(b);
        fail("rtn_cohort_builder_set", rc);
    }
    size_t step = chunk_rows ? chunk_rows : c->n;
    for (size_t at = 0; rc == RTN_OK && at < c->n; at += step) {
        size_t m = c->n - at < step ? c->n - at : step;
        rc = rtn_cohort_builder_add(b, c->customer + at, c->time + at,
                                    with_amounts ? c->amount + at : NULL, m, &bad);
        bad += at;
    }
    if (rc != RTN_OK) {
        rtn_cohort_builder_free(b);
        fprintf(stderr, "bench_cohort: rtn_cohort_builder_add: event %zu: %s\n", bad,
                rtn_strerror(rc));
        exit(1);
    }
    double t1 = now();
    rc = rtn_cohort_builder_finish(b, &t);
    double t2 = now();
    rtn_cohort_builder_free(b);
    if (rc != RTN_OK)
        fail("rtn_cohort_builder_finish", rc);
    *t_add = t1 - t0;
    *t_finish = t2 - t1;
    return t;
}

/* r[a,b] as pandas_cohort.py prints it: "na" if cohort label a or period b is absent. */
static void cell_text(char *out, size_t cap, const int64_t *label, size_t rows, size_t cols,
                      const double *ret, const uint8_t *status, int64_t a, size_t k)
{
    for (size_t r = 0; r < rows; ++r)
        if (label[r] == a && k < cols) {
            if (status[r * cols + k] == RTN_CELL_CENSORED)
                snprintf(out, cap, "censored"); /* pandas: 0 */
            else
                snprintf(out, cap, "%.12g", ret[r * cols + k]);
            return;
        }
    snprintf(out, cap, "na");
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    int repeats = 5, full = 0, positional = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--full") == 0)
            full = 1;
        else if (strcmp(argv[i], "--amounts") == 0)
            with_amounts = 1;
        else if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc)
            chunk_rows = (size_t)strtoull(argv[++i], NULL, 10);
        else if (positional == 0)
            dir = argv[i], ++positional;
        else if (positional == 1)
            repeats = atoi(argv[i]), ++positional;
        else
            dir = NULL;
    }
    if (!dir) {
        fprintf(stderr, "usage: %s DATA_DIR [REPEATS] [--full] [--chunk ROWS] [--amounts]\n",
                argv[0]);
        return 2;
    }
    if (repeats < 1 || repeats > 1000)
        repeats = 5;
    char path[4096];
    snprintf(path, sizeof path, "%s/events.bin", dir);

    double *t_read = xmalloc((size_t)repeats, sizeof(double));
    double *t_scan = xmalloc((size_t)repeats, sizeof(double));
    double *t_add = xmalloc((size_t)repeats, sizeof(double));
    double *t_fin = xmalloc((size_t)repeats, sizeof(double));
    double *t_kern = xmalloc((size_t)repeats, sizeof(double));

    /* read floor: fread + split into freshly allocated columns (as the kernel allocates fresh
     * memory each run); the columns of the last read are kept */
    columns c = {0};
    for (int r = 0; r < repeats; ++r) {
        columns_free(&c);
        double t0 = now();
        read_columns(path, &c);
        t_read[r] = now() - t0;
    }
    size_t n = c.n;
    double rss_columns = peak_rss_mib();

    /* column-scan floor: one pass over the three columns in memory */
    uint64_t sum_customer = 0, sum_time = 0;
    double sum_amount = 0.0;
    for (int r = 0; r < repeats; ++r) {
        uint64_t sc = 0, st = 0;
        double sa = 0.0;
        double t0 = now();
        for (size_t i = 0; i < n; ++i) {
            sc += (uint64_t)c.customer[i];
            st += (uint64_t)c.time[i];
            sa += c.amount[i];
        }
        t_scan[r] = now() - t0;
        sum_customer = sc, sum_time = st, sum_amount = sa;
    }

    /* the kernel: builder create + set + add + finish, on the columns in memory */
    rtn_cohort_table *t = NULL;
    for (int r = 0; r < repeats; ++r) {
        rtn_cohort_table_free(t);
        t = build(&c, &t_add[r], &t_fin[r]);
        t_kern[r] = t_add[r] + t_fin[r];
    }

    /* the summary, from the last table */
    size_t rows, cols;
    int rc = rtn_cohort_table_dims(t, &rows, &cols);
    if (rc != RTN_OK)
        fail("rtn_cohort_table_dims", rc);
    size_t cells = rows * cols;
    int64_t *label = xmalloc(rows, sizeof *label);
    uint64_t *size = xmalloc(rows, sizeof *size);
    uint64_t *active = xmalloc(cells, sizeof *active);
    double *ret = xmalloc(cells, sizeof *ret);
    double *revenue = xmalloc(cells, sizeof *revenue);
    uint8_t *status = xmalloc(cells, sizeof *status);
    if ((rc = rtn_cohort_table_cohorts(t, label, NULL, size, rows)) != RTN_OK)
        fail("rtn_cohort_table_cohorts", rc);
    if ((rc = rtn_cohort_table_active(t, active, cells)) != RTN_OK)
        fail("rtn_cohort_table_active", rc);
    if ((rc = rtn_cohort_table_retention(t, ret, cells)) != RTN_OK)
        fail("rtn_cohort_table_retention", rc);
    if ((rc = rtn_cohort_table_revenue(t, revenue, cells)) != RTN_OK)
        fail("rtn_cohort_table_revenue", rc);
    if ((rc = rtn_cohort_table_status(t, status, cells)) != RTN_OK)
        fail("rtn_cohort_table_status", rc);

    uint64_t customers = 0, nonzero = 0, sum_counts = 0, wsum = 0;
    size_t complete = 0, partial = 0, censored = 0;
    double ret_sum = 0.0, rev_sum = 0.0;
    for (size_t r = 0; r < rows; ++r) {
        customers += size[r];
        for (size_t k = 0; k < cols; ++k) {
            size_t i = r * cols + k;
            if (status[i] == RTN_CELL_CENSORED) {
                ++censored; /* active 0 and retention NaN here; pandas: 0 */
                continue;
            }
            if (status[i] == RTN_CELL_COMPLETE)
                ++complete;
            else
                ++partial;
            nonzero += active[i] > 0;
            sum_counts += active[i];
            /* pandas' labels: c = the cohort's bucket (day // 30), k = the period offset */
            wsum += active[i] * (uint64_t)(1 + label[r] * 1000 + (int64_t)k);
            ret_sum += ret[i];
            rev_sum += revenue[i];
        }
    }
    char r01[32], r06[32], r012[32], r61[32], r123[32];
    cell_text(r01, sizeof r01, label, rows, cols, ret, status, 0, 1);
    cell_text(r06, sizeof r06, label, rows, cols, ret, status, 0, 6);
    cell_text(r012, sizeof r012, label, rows, cols, ret, status, 0, 12);
    cell_text(r61, sizeof r61, label, rows, cols, ret, status, 6, 1);
    cell_text(r123, sizeof r123, label, rows, cols, ret, status, 12, 3);
    printf("cohorts=%zu periods=%zu customers=%llu events=%zu cells_nonzero=%llu sum_counts=%llu "
           "wsum_counts=%llu ret_sum=%.12g r[0,1]=%s r[0,6]=%s r[0,12]=%s r[6,1]=%s r[12,3]=%s\n",
           rows, cols, (unsigned long long)customers, n, (unsigned long long)nonzero,
           (unsigned long long)sum_counts, (unsigned long long)wsum, ret_sum, r01, r06, r012, r61,
           r123);
    printf("cells: %zu complete, %zu partial, %zu censored (NaN here, 0 in pandas); revenue %.2f "
           "over non-censored cells, input amounts %.2f%s; checksums %llu %llu\n",
           complete, partial, censored, rev_sum, sum_amount,
           with_amounts ? "" : " (not added: no --amounts)", (unsigned long long)sum_customer,
           (unsigned long long)sum_time);
    if (full)
        for (size_t r = 0; r < rows; ++r) {
            printf("cohort %lld:", (long long)label[r]);
            for (size_t k = 0; k < cols; ++k) {
                size_t i = r * cols + k;
                if (status[i] == RTN_CELL_CENSORED)
                    printf(" -");
                else
                    printf(" %llu", (unsigned long long)active[i]);
            }
            printf("\n");
        }

    double kern = median(t_kern, repeats), floor_read = median(t_read, repeats);
    double scan = median(t_scan, repeats);
    printf("kernel: median %.6f s over %d runs, %.2f M events/s; read floor %.6f s; "
           "kernel/floor ratio %.2f\n",
           kern, repeats, (double)n / kern / 1e6, floor_read, kern / floor_read);
    printf("parts: add median %.6f s, finish median %.6f s; column-scan floor %.6f s "
           "(%.2f GB/s), kernel/scan ratio %.1f\n",
           median(t_add, repeats), median(t_fin, repeats), scan,
           (double)n * 24.0 / scan / 1e9, kern / scan);
    printf("memory: peak RSS %.0f MiB (%.0f MiB after reading the columns, %.0f MiB of columns)\n",
           peak_rss_mib(), rss_columns, (double)n * 24.0 / 1048576.0);

    free(label);
    free(size);
    free(active);
    free(ret);
    free(revenue);
    free(status);
    rtn_cohort_table_free(t);
    columns_free(&c);
    free(t_read);
    free(t_scan);
    free(t_add);
    free(t_fin);
    free(t_kern);
    return 0;
}
