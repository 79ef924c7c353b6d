/* Segments family: which customers stay — two-year retention compared between segments of a
 * small-business account study (examples/data/accounts.csv: products sold "1", "2", "3", "4+",
 * weekly_engaged and upsold_first_90_days yes/no, retained_2y 1/0): each segment's rate with its
 * Wilson interval, its difference from the reference segment (Newcombe interval, in points),
 * its relative lift (Katz interval), the two-proportion z test, and the chi-square test across
 * all segments. Then what five more points of retention are worth, for a margin, discount rate
 * and acquisition cost of your own.
 *
 *   segments_report [accounts.csv [MARGIN DISCOUNT CAC]]   (defaults: 1200 0.10 1500 a year)
 *
 * Build against an installed libretention:
 *   cc segments_report.c $(pkg-config --cflags --libs retention) -o segments_report */
#include <math.h>
#include <retention.h>
#include <stdint.h>

#include "example_csv.h"

#define MAX_SEGMENTS 4

typedef struct comparison {
    const char *column, *title;
    size_t groups;
    const char *labels[MAX_SEGMENTS]; /* labels[0] is the reference */
} comparison;

static const comparison COMPARISONS[] = {
    {"products", "products sold", 4, {"1", "2", "3", "4+"}},
    {"weekly_engaged", "engaged weekly", 2, {"no", "yes"}},
    {"upsold_first_90_days", "upsold in the first 90 days", 2, {"no", "yes"}},
};

static int check(int rc, const char *what)
{
    if (rc != RTN_OK)
        fprintf(stderr, "%s: %s\n", what, rtn_strerror(rc));
    return rc;
}

/* Tallies one comparison's segments from the table and prints the comparison; 0 on success.
 * k and n receive the tally. */
static int compare(const csv_table *t, const char *path, const comparison *cmp, uint64_t *k,
                   uint64_t *n)
{
    long col = csv_column(t, cmp->column);
    if (col < 0)
        return -1;
    int32_t *segment = malloc((t->rows ? t->rows : 1) * sizeof *segment);
    uint8_t *retained = malloc((t->rows ? t->rows : 1) * sizeof *retained);
    int status = -1;
    if (!segment || !retained)
        goto done;
    for (size_t r = 0; r < t->rows; ++r) {
        const char *label = t->text[r * t->cols + (size_t)col];
        segment[r] = -1; /* an unknown label: the library rejects it, naming the row */
        for (size_t g = 0; g < cmp->groups; ++g)
            if (strcmp(label, cmp->labels[g]) == 0)
                segment[r] = (int32_t)g;
        retained[r] = csv_score(t, r, "retained_2y"); /* 0/1; anything else is rejected */
    }
    size_t bad = 0;
    memset(k, 0, cmp->groups * sizeof *k);
    memset(n, 0, cmp->groups * sizeof *n);
    int rc = rtn_segments_count(segment, retained, t->rows, cmp->groups, k, n, &bad);
    if (check(rc, path) != RTN_OK) {
        if (rc == RTN_EDOMAIN)
            fprintf(stderr, "  at line %zu (%s '%s', retained_2y '%s')\n", bad + 2, cmp->column,
                    t->text[bad * t->cols + (size_t)col], csv_text(t, bad, "retained_2y"));
        goto done;
    }

    rtn_segment_row rows[MAX_SEGMENTS];
    double chisq = NAN, p_value = NAN;
    if (check(rtn_segments_compare(k, n, cmp->groups, 0, 0.95, rows, &chisq, &p_value),
              cmp->title) != RTN_OK)
        goto done;
    printf("%s (reference: %s)\n", cmp->title, cmp->labels[0]);
    printf("  %-4s %5s %9s %16s %25s %25s %7s %9s\n", "", "n", "retained", "95% CI",
           "difference, points (CI)", "relative lift (CI)", "z", "p");
    for (size_t g = 0; g < cmp->groups; ++g) {
        const rtn_segment_row *row = &rows[g];
        printf("  %-4s %5llu %8.1f%% [%5.1f%%, %5.1f%%]", cmp->labels[g],
               (unsigned long long)row->n, 100 * row->rate, 100 * row->rate_low,
               100 * row->rate_high);
        if (g == 0)
            printf(" %25s %25s %7s %9s\n", "-", "-", "-", "-");
        else
            printf(" %+7.1f [%+6.1f, %+6.1f]  %+6.0f%% [%+5.0f%%, %+5.0f%%] %7.2f %9.2g\n",
                   100 * row->diff, 100 * row->diff_low, 100 * row->diff_high, 100 * row->lift,
                   100 * row->lift_low, 100 * row->lift_high, row->z, row->p_value);
    }
    printf("  chi-square %.1f on %zu df, p = %.2g\n\n", chisq, cmp->groups - 1, p_value);
    status = 0;
done:
    free(segment);
    free(retained);
    return status;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/data/accounts.csv";
    double margin = 1200, discount = 0.10, cac = 1500;
    if (argc == 5) {
        margin = atof(argv[2]);
        discount = atof(argv[3]);
        cac = atof(argv[4]);
    } else if (argc > 2) {
        fprintf(stderr, "usage: %s [accounts.csv [MARGIN DISCOUNT CAC]]\n", argv[0]);
        return 2;
    }
    csv_table t;
    if (csv_read(path, &t) != 0)
        return 1;
    printf("libretention %s — two-year retention by segment for %s (%zu accounts)\n\n",
           rtn_version_string(), path, t.rows);

    uint64_t k[sizeof COMPARISONS / sizeof COMPARISONS[0]][MAX_SEGMENTS];
    uint64_t n[sizeof COMPARISONS / sizeof COMPARISONS[0]][MAX_SEGMENTS];
    for (size_t c = 0; c < sizeof COMPARISONS / sizeof COMPARISONS[0]; ++c)
        if (compare(&t, path, &COMPARISONS[c], k[c], n[c]) != 0) {
            csv_free(&t);
            return 1;
        }
    csv_free(&t);

    /* the study's headline numbers: churn without an early upsell, and the economics */
    uint64_t kept = k[0][0] + k[0][1] + k[0][2] + k[0][3];
    uint64_t all = n[0][0] + n[0][1] + n[0][2] + n[0][3];
    printf("no upsell in the first 90 days: %.1f%% churned within two years (%llu of %llu)\n",
           100.0 * (double)(n[2][0] - k[2][0]) / (double)n[2][0],
           (unsigned long long)(n[2][0] - k[2][0]), (unsigned long long)n[2][0]);

    /* Two-year retention as a yearly rate (a constant churn rate per year), then the worth of five
     * more points of it: CLV is the discounted margin over an unbounded horizon, profit is the
     * cohort's CLV less its CAC. */
    double two_year = (double)kept / (double)all, yearly_churn = NAN;
    rtn_retention_value v;
    if (check(rtn_churn_rate_convert(1 - two_year, 0.5, &yearly_churn), "churn per year") !=
            RTN_OK ||
        check(rtn_retention_economics(margin, 1 - yearly_churn, 0.05, discount, cac, (double)all, 0,
                                      &v),
              "retention economics") != RTN_OK)
        return 1;
    double yearly = 1 - yearly_churn;
    printf("\nretention economics: %.1f%% of accounts kept two years = %.1f%% a year; margin %.0f "
           "a year, discount %.0f%%, CAC %.0f, %llu accounts\n",
           100 * two_year, 100 * yearly, margin, 100 * discount, cac, (unsigned long long)all);
    printf("  retention %5.1f%% -> %5.1f%%: CLV %.2f -> %.2f (%+.1f%%), cohort profit %.0f -> %.0f "
           "(%+.1f%%)\n",
           100 * yearly, 100 * (yearly + 0.05), v.clv_before, v.clv_after, 100 * v.clv_change,
           v.profit_before, v.profit_after, 100 * v.profit_change);
    return 0;
}
