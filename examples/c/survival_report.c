/* Survival family: how long customers stay, per plan — Kaplan-Meier curves, median lifetime
 * with its confidence interval, the share still subscribed after 30, 90 and 365 days, the
 * expected lifetime capped at a year (restricted mean), and log-rank tests of whether the plans
 * differ — from a customer list (examples/data/lifetimes.csv: tenure_days, churned = 1 if the
 * customer left, 0 if still subscribed at the end of the study, and their plan).
 *
 *   survival_report [lifetimes.csv]
 *
 * Build against an installed libretention:
 *   cc survival_report.c $(pkg-config --cflags --libs retention) -o survival_report */
#include <math.h>
#include <retention.h>
#include <stdint.h>

#include "example_csv.h"

#define MAX_PLANS 8

static int check(int rc, const char *what)
{
    if (rc != RTN_OK)
        fprintf(stderr, "%s: %s\n", what, rtn_strerror(rc));
    return rc;
}

/* The plan's index in names[], adding it if new; -1 when there are too many plans. */
static int plan_index(const char **names, int *n_plans, const char *plan)
{
    for (int i = 0; i < *n_plans; ++i)
        if (strcmp(names[i], plan) == 0)
            return i;
    if (*n_plans == MAX_PLANS)
        return -1;
    names[*n_plans] = plan;
    return (*n_plans)++;
}

static void print_curve(const char *plan, const rtn_km_builder *b)
{
    rtn_km *km = NULL;
    if (check(rtn_km_builder_finish(b, &km), plan) != RTN_OK)
        return;
    /* S at 30, 90 and 365 days with the bounds of its 95 % interval (R's "log" type) */
    const double days[3] = {30, 90, 365};
    double s[3], lo[3], hi[3];
    check(rtn_km_survival_at(km, days, 3, s, lo, hi, NULL), "survival_at");
    /* the median: NaN ("not reached") while more than half are still subscribed, though its
     * lower limit may be known */
    double median = NAN, m_lo = NAN, m_hi = NAN, rmst = NAN, rmst_se = NAN;
    check(rtn_km_quantile(km, 0.5, &median, &m_lo, &m_hi), "quantile");
    check(rtn_km_rmst(km, 365.0, &rmst, &rmst_se), "rmst");
    printf("%-10s %6.1f%% (%4.1f-%5.1f) %6.1f%% (%4.1f-%5.1f) %6.1f%% (%4.1f-%5.1f)", plan,
           100 * s[0], 100 * lo[0], 100 * hi[0], 100 * s[1], 100 * lo[1], 100 * hi[1],
           100 * s[2], 100 * lo[2], 100 * hi[2]);
    /* NR: not reached (a median that is NaN, or an upper limit), as survival papers print it */
    if (!isnan(median))
        printf("  %5.0f (%3.0f-%3.0f)", median, m_lo, m_hi);
    else if (!isnan(m_lo))
        printf("  %5s (%3.0f- NR)", "NR", m_lo);
    else
        printf("  %15s", "NR");
    printf("  %6.1f +- %4.1f\n", rmst, rmst_se);
    rtn_km_free(km);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "examples/data/lifetimes.csv";
    csv_table t;
    if (csv_read(path, &t) != 0)
        return 1;
    long plan_col = csv_column(&t, "plan");
    if (plan_col < 0)
        return 1;

    /* one builder per plan, plus one of everybody; each subject is added as it is read (a
     * builder is a table of distinct times, so this costs no more than a batch would) */
    const char *plans[MAX_PLANS];
    int n_plans = 0, status = 0;
    rtn_km_builder *by_plan[MAX_PLANS] = {NULL}, *everyone = NULL;
    if (check(rtn_km_builder_create(&everyone, NULL), "create") != RTN_OK)
        return 1;
    for (size_t r = 0; r < t.rows && status == 0; ++r) {
        int p = plan_index(plans, &n_plans, t.text[r * t.cols + (size_t)plan_col]);
        if (p < 0 || (!by_plan[p] && check(rtn_km_builder_create(&by_plan[p], NULL), "create"))) {
            status = 1;
            break;
        }
        double days = csv_number(&t, r, "tenure_days");
        uint8_t churned = csv_score(&t, r, "churned"); /* 0/1; anything else is rejected */
        size_t bad;
        if (check(rtn_km_builder_add(by_plan[p], &days, &churned, NULL, NULL, 1, &bad), path) ||
            check(rtn_km_builder_add(everyone, &days, &churned, NULL, NULL, 1, &bad), path)) {
            fprintf(stderr, "  at line %zu\n", r + 2);
            status = 1;
        }
    }

    if (status == 0) {
        printf("libretention %s — customer survival for %s\n\n", rtn_version_string(), path);
        printf("%-10s %22s %22s %22s  %15s  %s\n", "plan", "30 days (95% CI)", "90 days",
               "365 days", "median, days", "RMST 365 d");
        for (int p = 0; p < n_plans; ++p)
            print_curve(plans[p], by_plan[p]);
        print_curve("all", everyone);

        /* do the plans differ? log-rank (rho = 0) and Peto-Peto (rho = 1, weighs early churn) */
        for (double rho = 0.0; rho <= 1.0; rho += 1.0) {
            double chisq, p_value, observed[MAX_PLANS], expected[MAX_PLANS];
            uint32_t df;
            const rtn_km_builder *groups[MAX_PLANS];
            for (int p = 0; p < n_plans; ++p)
                groups[p] = by_plan[p];
            if (check(rtn_logrank(groups, (size_t)n_plans, rho, observed, expected, NULL, &chisq,
                                  &df, &p_value),
                      "logrank") == RTN_OK) {
                printf("\n%s: chi-square %.2f on %u df, p = %.3g\n",
                       rho == 0.0 ? "log-rank" : "Peto-Peto", chisq, df, p_value);
                for (int p = 0; p < n_plans; ++p)
                    printf("  %-10s observed %7.2f expected %7.2f\n", plans[p], observed[p],
                           expected[p]);
            }
        }
    }
    for (int p = 0; p < n_plans; ++p)
        rtn_km_builder_free(by_plan[p]);
    rtn_km_builder_free(everyone);
    csv_free(&t);
    return status;
}
