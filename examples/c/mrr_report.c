/* MRR family: the recurring-revenue bridge — what each month's MRR gained (new, expansion,
 * reactivation) and lost (contraction, churned), the customers behind each movement, and NRR,
 * GRR and the quick ratio — from a CRM's subscription billing export (examples/data/mrr.csv:
 * customer_id as text, month as a date "2024-01-01" or "2024-01", mrr, one row per subscription
 * line: a customer's lines in one month add up).
 *
 * The rows go into two builders, split by customer as two shards of a database would hold them;
 * one builder is merged into the other, serialised and read back (as a partial state sent between
 * processes would be), and the table it gives is checked against the one-shot
 * rtn_mrr_table_build() of all rows: the same numbers to the last bit. Amounts go in as whole
 * cents, so every month balances exactly:
 *   start + new + expansion + reactivation - contraction - churned = end.
 *
 *   mrr_report [mrr.csv]
 *
 * Build against an installed libretention:
 *   cc mrr_report.c $(pkg-config --cflags --libs retention) -o mrr_report */
#include <math.h>
#include <retention.h>
#include <stdint.h>

#include "example_csv.h"

static int check(int rc, const char *what)
{
    if (rc != RTN_OK)
        fprintf(stderr, "%s: %s\n", what, rtn_strerror(rc));
    return rc;
}

/* "YYYY-MM" or "YYYY-MM-DD…" as a month index, 12 (year - 1970) + month - 1 (the index
 * rtn_calendar_period() gives RTN_PERIOD_MONTH); 0 on success, -1 for anything else. */
static int month_index(const char *s, int64_t *out)
{
    for (int i = 0; i < 7; ++i)
        if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return -1;
    if (s[7] != '\0' && s[7] != '-')
        return -1;
    int year = atoi(s), month = atoi(s + 5);
    if (month < 1 || month > 12)
        return -1;
    *out = (int64_t)12 * (year - 1970) + (month - 1);
    return 0;
}

/* Customer ids of any text become dense numbers 0, 1, 2, …: sort the rows by id, number the
 * distinct ids. (Any int64 will do for the library; a hash would do too, if it never collides.) */
typedef struct id_ref {
    const char *id;
    size_t row;
} id_ref;

static int by_id(const void *a, const void *b)
{
    return strcmp(((const id_ref *)a)->id, ((const id_ref *)b)->id);
}

static size_t intern_ids(const csv_table *t, long col, int64_t *customer)
{
    id_ref *refs = malloc(t->rows * sizeof *refs);
    size_t distinct = 0;
    if (!refs)
        return 0;
    for (size_t r = 0; r < t->rows; ++r)
        refs[r] = (id_ref){t->text[r * t->cols + (size_t)col], r};
    qsort(refs, t->rows, sizeof *refs, by_id);
    for (size_t r = 0; r < t->rows; ++r) {
        if (r == 0 || strcmp(refs[r].id, refs[r - 1].id) != 0)
            distinct++;
        customer[refs[r].row] = (int64_t)distinct - 1;
    }
    free(refs);
    return distinct;
}

/* Two tables hold the same numbers (NaN where the other has NaN) for `periods` periods, from
 * period offset_a of a and offset_b of b. */
static int same_tables(const rtn_mrr_table *a, size_t offset_a, const rtn_mrr_table *b,
                       size_t offset_b, size_t periods)
{
    size_t cap = periods + (offset_a > offset_b ? offset_a : offset_b);
    double *x = malloc(2 * cap * sizeof *x);
    if (!x)
        return 0;
    double *y = x + cap;
    int same = 1;
    for (int32_t c = 0; same && c < RTN_MRR_COLUMN_COUNT; ++c) {
        if (rtn_mrr_table_column(a, c, x, cap) != RTN_OK ||
            rtn_mrr_table_column(b, c, y, cap) != RTN_OK)
            same = 0;
        for (size_t p = 0; same && p < periods; ++p) {
            double u = x[offset_a + p], v = y[offset_b + p];
            if (!(u == v || (isnan(u) && isnan(v))))
                same = 0;
        }
    }
    free(x);
    return same;
}

/* A rate as a percentage, or "-" where it is undefined (NaN). */
static void print_rate(double v, int percent)
{
    if (isnan(v))
        printf(" %7s", "-");
    else
        printf(percent ? " %6.1f%%" : " %7.2f", percent ? 100 * v : v);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/data/mrr.csv";
    csv_table t;
    if (csv_read(path, &t) != 0)
        return 1;
    long id_col = csv_column(&t, "customer_id"), month_col = csv_column(&t, "month");
    if (id_col < 0 || month_col < 0 || t.rows == 0) {
        csv_free(&t);
        return 1;
    }

    int status = 1;
    int64_t *customer = malloc(t.rows * sizeof *customer);
    int64_t *month = malloc(t.rows * sizeof *month);
    double *cents = malloc(t.rows * sizeof *cents);
    rtn_mrr_builder *shard[2] = {NULL, NULL}, *copy = NULL;
    rtn_mrr_table *table = NULL, *one_shot = NULL;
    uint8_t *bytes = NULL;
    double *col[RTN_MRR_COLUMN_COUNT] = {NULL};
    if (!customer || !month || !cents)
        goto done;
    size_t customers = intern_ids(&t, id_col, customer);
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (size_t r = 0; r < t.rows; ++r) {
        if (month_index(t.text[r * t.cols + (size_t)month_col], &month[r]) != 0) {
            fprintf(stderr, "%s: line %zu: '%s' is not a month (YYYY-MM or YYYY-MM-DD)\n", path,
                    r + 2, t.text[r * t.cols + (size_t)month_col]);
            goto done;
        }
        first = month[r] < first ? month[r] : first;
        last = month[r] > last ? month[r] : last;
        /* whole cents: the sums are then exact, and each month balances to the cent (a negative
         * or absurd amount passes unrounded, for the library to reject) */
        double amount = 100 * csv_number(&t, r, "mrr");
        cents[r] = amount >= 0 && amount < 9e15 ? (double)(int64_t)(amount + 0.5) : amount;
    }

    if (last == first) {
        fprintf(stderr, "%s: one month only: a bridge needs the month before\n", path);
        goto done;
    }

    /* two shards, by customer, fed row by row as a stream would deliver them (a batch of rows
     * per call does the same: the builder keeps each customer's MRR per month, not the rows) */
    for (int s = 0; s < 2; ++s)
        if (check(rtn_mrr_builder_create(&shard[s], NULL), "create") != RTN_OK)
            goto done;
    for (size_t r = 0; r < t.rows; ++r) {
        size_t bad = 0;
        if (check(rtn_mrr_builder_add(shard[customer[r] % 2], &customer[r], &month[r], &cents[r], 1,
                                      &bad),
                  path) != RTN_OK) {
            fprintf(stderr, "  at line %zu\n", r + 2);
            goto done;
        }
    }
    /* merge shard 1 into shard 0, then send shard 0 through its byte format */
    size_t len = 0;
    if (check(rtn_mrr_builder_merge(shard[0], shard[1]), "merge") != RTN_OK)
        goto done;
    if (rtn_mrr_builder_serialize(shard[0], NULL, 0, &len) != RTN_EBUFSIZE ||
        !(bytes = malloc(len))) {
        fprintf(stderr, "serialize: cannot learn the size\n");
        goto done;
    }
    if (check(rtn_mrr_builder_serialize(shard[0], bytes, len, &len), "serialize") != RTN_OK ||
        check(rtn_mrr_builder_deserialize(&copy, bytes, len, NULL), "deserialize") != RTN_OK)
        goto done;

    /* The export's first month has no month before it in the file: everybody in it would be
     * "new". Start the table a month later: the first month's rows still count, as the opening
     * MRR (and to tell a win-back from a new customer). */
    if (check(rtn_mrr_builder_set(copy, RTN_MRR_FIRST_PERIOD, first + 1), "set") != RTN_OK ||
        check(rtn_mrr_builder_finish(copy, &table), "finish") != RTN_OK)
        goto done;
    int64_t first_period;
    size_t periods;
    if (check(rtn_mrr_table_periods(table, &first_period, &periods), "periods") != RTN_OK)
        goto done;

    /* The one-shot table of all rows, over the whole export (one month more at the front),
     * must agree with the merged and round-tripped builder's, month by month, bit by bit. */
    size_t bad = 0, full_periods;
    int64_t full_first;
    if (check(rtn_mrr_table_build(customer, month, cents, t.rows, &one_shot, &bad), "build") !=
            RTN_OK ||
        check(rtn_mrr_table_periods(one_shot, &full_first, &full_periods), "periods") != RTN_OK)
        goto done;
    if (full_first != first_period - 1 || full_periods != periods + 1 ||
        !same_tables(table, 0, one_shot, 1, periods)) {
        fprintf(stderr, "FAIL: the merged, serialised table differs from the one-shot table\n");
        goto done;
    }

    for (int c = 0; c < RTN_MRR_COLUMN_COUNT; ++c)
        if (!(col[c] = malloc(periods * sizeof *col[c])) ||
            check(rtn_mrr_table_column(table, c, col[c], periods), "column") != RTN_OK)
            goto done;

    printf("libretention %s — MRR bridge for %s\n", rtn_version_string(), path);
    printf("%zu rows, %zu customers; 2 shards merged, %zu bytes serialised and read back: "
           "identical to the one-shot table\n\n",
           t.rows, customers, len);
    printf("%-7s %10s %9s %9s %8s %9s %9s %10s %5s %3s %3s %3s %8s %8s %7s\n", "month", "start",
           "new", "expansion", "reactiv.", "contract.", "churned", "end", "cust", "new", "ret",
           "out", "NRR", "GRR", "quick");
    double total[RTN_MRR_COLUMN_COUNT] = {0};
    for (size_t p = 0; p < periods; ++p) {
        double v[RTN_MRR_COLUMN_COUNT];
        for (int c = 0; c < RTN_MRR_COLUMN_COUNT; ++c) {
            v[c] = col[c][p];
            total[c] += v[c];
        }
        /* the bridge balances exactly, in money (whole cents) and in customers */
        if (v[RTN_MRR_START] + v[RTN_MRR_NEW] + v[RTN_MRR_EXPANSION] + v[RTN_MRR_REACTIVATION] -
                    v[RTN_MRR_CONTRACTION] - v[RTN_MRR_CHURNED] !=
                v[RTN_MRR_END] ||
            v[RTN_MRR_START_CUSTOMERS] + v[RTN_MRR_NEW_CUSTOMERS] +
                    v[RTN_MRR_REACTIVATION_CUSTOMERS] - v[RTN_MRR_CHURNED_CUSTOMERS] !=
                v[RTN_MRR_END_CUSTOMERS]) {
            fprintf(stderr, "FAIL: period %zu does not balance\n", p);
            goto done;
        }
        int64_t m = first_period + (int64_t)p;
        printf("%04d-%02d %10.2f %9.2f %9.2f %8.2f %9.2f %9.2f %10.2f %5.0f %3.0f %3.0f %3.0f",
               (int)(1970 + m / 12), (int)(m % 12 + 1), v[RTN_MRR_START] / 100,
               v[RTN_MRR_NEW] / 100, v[RTN_MRR_EXPANSION] / 100, v[RTN_MRR_REACTIVATION] / 100,
               v[RTN_MRR_CONTRACTION] / 100, v[RTN_MRR_CHURNED] / 100, v[RTN_MRR_END] / 100,
               v[RTN_MRR_END_CUSTOMERS], v[RTN_MRR_NEW_CUSTOMERS],
               v[RTN_MRR_REACTIVATION_CUSTOMERS], v[RTN_MRR_CHURNED_CUSTOMERS]);
        print_rate(v[RTN_MRR_NRR], 1);
        print_rate(v[RTN_MRR_GRR], 1);
        print_rate(v[RTN_MRR_QUICK_RATIO], 0);
        printf("\n");
    }
    printf("%-7s %10.2f %9.2f %9.2f %8.2f %9.2f %9.2f %10.2f %5s %3.0f %3.0f %3.0f\n", "total",
           col[RTN_MRR_START][0] / 100, total[RTN_MRR_NEW] / 100, total[RTN_MRR_EXPANSION] / 100,
           total[RTN_MRR_REACTIVATION] / 100, total[RTN_MRR_CONTRACTION] / 100,
           total[RTN_MRR_CHURNED] / 100, col[RTN_MRR_END][periods - 1] / 100, "",
           total[RTN_MRR_NEW_CUSTOMERS], total[RTN_MRR_REACTIVATION_CUSTOMERS],
           total[RTN_MRR_CHURNED_CUSTOMERS]);

    /* the whole window's revenue rates: the pooled movements over the summed starting MRR */
    double nrr = NAN, grr = NAN, quick = NAN;
    if (check(rtn_revenue_nrr(total[RTN_MRR_START], total[RTN_MRR_CHURNED],
                              total[RTN_MRR_CONTRACTION], total[RTN_MRR_EXPANSION], &nrr),
              "NRR") != RTN_OK ||
        check(rtn_revenue_grr(total[RTN_MRR_START], total[RTN_MRR_CHURNED],
                              total[RTN_MRR_CONTRACTION], &grr),
              "GRR") != RTN_OK ||
        check(rtn_revenue_quick_ratio(total[RTN_MRR_NEW] + total[RTN_MRR_REACTIVATION],
                                      total[RTN_MRR_EXPANSION], total[RTN_MRR_CHURNED],
                                      total[RTN_MRR_CONTRACTION], &quick),
              "quick ratio") != RTN_OK)
        goto done;
    printf("\nevery month balances: start + new + expansion + reactivation - contraction - churned "
           "= end\n");
    printf("pooled months: NRR %.2f%%, GRR %.2f%%, quick ratio %.2f; win-backs brought back "
           "%.2f of MRR (%.0f customers)\n",
           100 * nrr, 100 * grr, quick, total[RTN_MRR_REACTIVATION] / 100,
           total[RTN_MRR_REACTIVATION_CUSTOMERS]);
    status = 0;

done:
    for (int c = 0; c < RTN_MRR_COLUMN_COUNT; ++c)
        free(col[c]);
    rtn_mrr_table_free(one_shot);
    rtn_mrr_table_free(table);
    rtn_mrr_builder_free(copy);
    rtn_mrr_builder_free(shard[0]);
    rtn_mrr_builder_free(shard[1]);
    free(bytes);
    free(cents);
    free(month);
    free(customer);
    csv_free(&t);
    return status;
}
