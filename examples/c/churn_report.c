/* Rates family: customer retention and churn, revenue churn, NRR/GRR and the quick ratio, month by
 * month, from a subscription book (examples/data/subscriptions.csv).
 *
 *   churn_report [subscriptions.csv]
 *
 * Build against an installed libretention:
 *   cc churn_report.c $(pkg-config --cflags --libs retention) -o churn_report */
#include <math.h>
#include <retention.h>
#include <stdint.h>

#include "example_csv.h"

/* Every call returns a status. A failed call leaves its output untouched, so an output that
 * starts as NaN prints as "nan" for a month where the rate is undefined. */
static void report(int rc, const char *what)
{
    if (rc != RTN_OK)
        fprintf(stderr, "%s: %s\n", what, rtn_strerror(rc));
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/data/subscriptions.csv";
    csv_table t;
    if (csv_read(path, &t) != 0)
        return 1;

    printf("libretention %s — churn report for %s\n\n", rtn_version_string(), path);
    printf("%-8s %9s %9s %15s %9s %9s %9s %9s %7s %8s\n", "month", "retained", "churn",
           "churn 95% CI", "avg-base", "rev.gross", "rev.net", "NRR", "quick", "ARPA");

    uint64_t lost_total = 0, exposed_total = 0;
    for (size_t r = 0; r < t.rows; ++r) {
        uint64_t start = csv_count(&t, r, "customers_start");
        uint64_t end = csv_count(&t, r, "customers_end");
        uint64_t acquired = csv_count(&t, r, "customers_new");
        uint64_t lost = csv_count(&t, r, "customers_lost");
        double mrr = csv_number(&t, r, "mrr_start"), mrr_new = csv_number(&t, r, "mrr_new");
        double expansion = csv_number(&t, r, "mrr_expansion");
        double contraction = csv_number(&t, r, "mrr_contraction");
        double churned = csv_number(&t, r, "mrr_churned");
        double reactivation = csv_number(&t, r, "mrr_reactivation");
        double mrr_end = csv_number(&t, r, "mrr_end");

        double crr = NAN, churn = NAN, lo = NAN, hi = NAN, avg = NAN, gross = NAN, net = NAN,
               nrr = NAN, qr = NAN, arpa = NAN;
        report(rtn_retention_rate(start, end, acquired, &crr), "retention");
        report(rtn_churn_rate_start(start, lost, &churn), "churn");
        report(rtn_rate_wilson_interval(lost, start, 0.95, &lo, &hi), "churn interval");
        report(rtn_churn_rate_average(start, end, lost, &avg), "average churn");
        report(rtn_revenue_churn_gross(mrr, churned, contraction, &gross), "gross revenue churn");
        report(rtn_revenue_churn_net(mrr, churned, contraction, expansion, reactivation, &net),
               "net revenue churn");
        report(rtn_revenue_nrr(mrr, churned, contraction, expansion, &nrr), "NRR");
        /* reactivated revenue counts as gained revenue in the quick ratio */
        report(rtn_revenue_quick_ratio(mrr_new + reactivation, expansion, churned, contraction, &qr),
               "quick ratio");
        report(rtn_revenue_arpa(mrr_end, end, &arpa), "ARPA");
        printf("%-8s %8.2f%% %8.2f%% [%5.2f%%,%5.2f%%] %8.2f%% %8.2f%% %8.2f%% %8.2f%% %7.2f %8.2f\n",
               csv_text(&t, r, "month"), 100 * crr, 100 * churn, 100 * lo, 100 * hi, 100 * avg,
               100 * gross, 100 * net, 100 * nrr, qr, arpa);
        lost_total += lost;
        exposed_total += start;
    }

    /* The year as a whole: pooled monthly churn, annualised, and the implied lifetime. */
    double monthly = 0, annual = 0, lifetime = 0;
    int rc = rtn_churn_rate_start(exposed_total, lost_total, &monthly);
    if (rc == RTN_OK)
        rc = rtn_churn_rate_convert(monthly, 12.0, &annual);
    if (rc == RTN_OK)
        rc = rtn_churn_lifetime(monthly, &lifetime);
    if (rc != RTN_OK) {
        fprintf(stderr, "yearly summary: %s\n", rtn_strerror(rc));
        csv_free(&t);
        return 1;
    }
    printf("\npooled monthly churn %.2f%% = %.2f%% a year; expected lifetime %.1f months\n",
           100 * monthly, 100 * annual, lifetime);
    csv_free(&t);
    return 0;
}
