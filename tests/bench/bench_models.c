/* Lifetime-value model benchmark: fit times on CDNOW (2,357 customers; the published fits) and
 * a BG/NBD fit on a large synthetic purchase log including its RFM summary. No peer runs here:
 * lifetimes, BTYD and CLVTools are not installable on these machines (PyPI and CRAN are not
 * reachable); the issue quotes their CDNOW times for scale.
 *
 *   bench_models CDNOW_SAMPLE [DATA_DIR] [REPEATS]
 *     CDNOW_SAMPLE  tests/data/CDNOW_sample.txt (masterid sampleid YYYYMMDD cds dollars)
 *     DATA_DIR      output of ../shared/peers/gen_events.py (events.bin: 24-byte records,
 *                   int64 customer_id, int32 day, uint32 reserved, float64 amount), optional
 *     REPEATS       default 7: medians of that many runs
 *
 * Output: one line per measurement, "name: median S s (min S s) over R runs", plus the fitted
 * parameters and log-likelihoods so that a run can be checked against the published values. */
#define _POSIX_C_SOURCE 200809L
#include <retention.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

#define MAX_REPEATS 64

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_models: %s: %s\n", what, rtn_strerror(rc));
    exit(1);
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

typedef struct log_columns {
    int64_t *customer, *time;
    double *amount;
    size_t n;
} log_columns;

typedef struct rfm_columns {
    double *x, *t_x, *T, *m;
    size_t n;
} rfm_columns;

static void read_cdnow(const char *path, log_columns *l)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    size_t cap = 8192;
    l->customer = malloc(cap * sizeof *l->customer);
    l->time = malloc(cap * sizeof *l->time);
    l->amount = malloc(cap * sizeof *l->amount);
    l->n = 0;
    char line[128];
    int master, sample, cds;
    long date;
    double dollars;
    while (fgets(line, sizeof line, f) && l->n < cap)
        if (sscanf(line, "%d %d %ld %d %lf", &master, &sample, &date, &cds, &dollars) == 5) {
            l->customer[l->n] = sample;
            l->time[l->n] = days_from_civil(date / 10000, date / 100 % 100, date % 100) * 86400;
            l->amount[l->n++] = dollars;
        }
    fclose(f);
}

static void read_events(const char *dir, log_columns *l, int32_t *max_day)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/events.bin", dir);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    size_t n = (size_t)ftell(f) / 24;
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n * 24);
    if (!buf || fread(buf, 24, n, f) != n) {
        fprintf(stderr, "bench_models: cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    l->customer = malloc(n * sizeof *l->customer);
    l->time = malloc(n * sizeof *l->time);
    l->amount = malloc(n * sizeof *l->amount);
    l->n = n;
    *max_day = 0;
    for (size_t i = 0; i < n; ++i) { /* little-endian records, read on little-endian hosts */
        int32_t day;
        memcpy(&l->customer[i], buf + 24 * i, 8);
        memcpy(&day, buf + 24 * i + 8, 4);
        memcpy(&l->amount[i], buf + 24 * i + 16, 8);
        l->time[i] = (int64_t)day * 86400;
        if (day > *max_day)
            *max_day = day;
    }
    free(buf);
}

static double summarise(const log_columns *l, int64_t cal, int64_t hold, rfm_columns *r)
{
    double t0 = now();
    rtn_rfm *s = NULL;
    int rc = rtn_rfm_build(l->customer, l->time, l->amount, l->n, cal, hold, 7.0, &s, NULL);
    if (rc != RTN_OK)
        die("rtn_rfm_build", rc);
    double t1 = now();
    rtn_rfm_size(s, &r->n);
    r->x = malloc(r->n * sizeof *r->x);
    r->t_x = malloc(r->n * sizeof *r->t_x);
    r->T = malloc(r->n * sizeof *r->T);
    r->m = malloc(r->n * sizeof *r->m);
    rtn_rfm_column(s, RTN_RFM_X, r->x, r->n);
    rtn_rfm_column(s, RTN_RFM_T_X, r->t_x, r->n);
    rtn_rfm_column(s, RTN_RFM_T, r->T, r->n);
    rtn_rfm_column(s, RTN_RFM_MONETARY, r->m, r->n);
    rtn_rfm_free(s);
    return t1 - t0;
}

static void report(const char *name, double *t, int runs)
{
    double lo = t[0];
    for (int i = 1; i < runs; ++i)
        lo = t[i] < lo ? t[i] : lo;
    printf("%s: median %.6f s (min %.6f s) over %d runs\n", name, median(t, runs), lo, runs);
}

static void rfm_free(rfm_columns *r)
{
    free(r->x);
    free(r->t_x);
    free(r->T);
    free(r->m);
}

static void bench_cdnow(const char *path, int runs)
{
    log_columns l;
    read_cdnow(path, &l);
    const int64_t cal = days_from_civil(1997, 9, 30) * 86400;
    double t_rfm[MAX_REPEATS], t_bg[MAX_REPEATS], t_gg[MAX_REPEATS], t_pn[MAX_REPEATS];
    double t_sbg[MAX_REPEATS];
    rfm_columns r = {0};
    double p[4], g[3], pn[4], s[2], ll = 0, gll = 0, pll = 0, sll = 0;
    static const uint64_t regular[8] = {1000, 631, 468, 382, 326, 289, 262, 241};
    const size_t len = 8;
    for (int i = 0; i < runs; ++i) {
        if (r.x)
            rfm_free(&r);
        t_rfm[i] = summarise(&l, cal, cal, &r);
        double t0 = now();
        int rc = rtn_bgnbd_fit(r.x, r.t_x, r.T, NULL, r.n, p, NULL, &ll, NULL);
        double t1 = now();
        if (rc != RTN_OK)
            die("rtn_bgnbd_fit", rc);
        rc = rtn_gg_fit(r.x, r.m, NULL, r.n, g, NULL, &gll, NULL);
        double t2 = now();
        if (rc != RTN_OK)
            die("rtn_gg_fit", rc);
        rc = rtn_pnbd_fit(r.x, r.t_x, r.T, NULL, r.n, pn, NULL, &pll, NULL);
        double t3 = now();
        if (rc != RTN_OK)
            die("rtn_pnbd_fit", rc);
        rc = rtn_sbg_fit(regular, &len, 1, s, NULL, &sll);
        double t4 = now();
        if (rc != RTN_OK)
            die("rtn_sbg_fit", rc);
        t_bg[i] = t1 - t0;
        t_gg[i] = t2 - t1;
        t_pn[i] = t3 - t2;
        t_sbg[i] = t4 - t3;
    }
    printf("CDNOW: %zu transactions, %zu customers\n", l.n, r.n);
    printf("  BG/NBD r %.4f alpha %.4f a %.4f b %.4f LL %.4f\n", p[0], p[1], p[2], p[3], ll);
    printf("  Gamma-Gamma p %.4f q %.4f gamma %.4f LL %.4f\n", g[0], g[1], g[2], gll);
    printf("  Pareto/NBD r %.4f alpha %.4f s %.4f beta %.4f LL %.4f\n", pn[0], pn[1], pn[2], pn[3],
           pll);
    printf("  sBG (regular segment) alpha %.4f beta %.4f LL %.4f\n", s[0], s[1], sll);
    report("  RFM summary (6919 transactions)", t_rfm, runs);
    report("  BG/NBD fit", t_bg, runs);
    report("  Gamma-Gamma fit", t_gg, runs);
    report("  Pareto/NBD fit", t_pn, runs);
    report("  sBG fit", t_sbg, runs);
    rfm_free(&r);
    free(l.customer);
    free(l.time);
    free(l.amount);
}

static void bench_large(const char *dir, int runs)
{
    log_columns l;
    int32_t max_day;
    read_events(dir, &l, &max_day);
    /* calibrate on the whole log: every customer in the summary and the fit */
    const int64_t cal = (int64_t)max_day * 86400;
    double t_rfm[MAX_REPEATS], t_fit[MAX_REPEATS], t_all[MAX_REPEATS];
    double p[4], ll = 0;
    size_t customers = 0;
    for (int i = 0; i < runs; ++i) {
        rfm_columns r;
        t_rfm[i] = summarise(&l, cal, cal, &r);
        double t0 = now();
        int rc = rtn_bgnbd_fit(r.x, r.t_x, r.T, NULL, r.n, p, NULL, &ll, NULL);
        t_fit[i] = now() - t0;
        if (rc != RTN_OK)
            die("rtn_bgnbd_fit (large)", rc);
        t_all[i] = t_rfm[i] + t_fit[i];
        customers = r.n;
        rfm_free(&r);
    }
    printf("%s: %zu transactions, %zu customers to day %d\n", dir, l.n, customers, max_day);
    printf("  BG/NBD r %.4f alpha %.4f a %.4f b %.4f LL %.2f\n", p[0], p[1], p[2], p[3], ll);
    report("  RFM summary", t_rfm, runs);
    report("  BG/NBD fit", t_fit, runs);
    report("  RFM summary + BG/NBD fit", t_all, runs);
    free(l.customer);
    free(l.time);
    free(l.amount);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_models CDNOW_SAMPLE [DATA_DIR] [REPEATS]\n");
        return 2;
    }
    int runs = argc > 3 ? atoi(argv[3]) : 7;
    if (runs < 1 || runs > MAX_REPEATS)
        runs = 7;
    bench_cdnow(argv[1], runs);
    if (argc > 2 && argv[2][0])
        bench_large(argv[2], runs < 3 ? runs : 3);
    return 0;
}
