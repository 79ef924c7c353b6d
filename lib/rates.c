/* Customer and revenue rates. Formulas: ../DESIGN.md "Metric definitions"; the seed articles'
 * examples (1000 → 900 customers = 10 % churn; $275,000 → $305,000 MRR = −10.9 % net churn) are
 * the tests' anchors. Every function validates everything before it writes its output. */
#include "internal.h"

int rtn_retention_rate(uint64_t start, uint64_t end, uint64_t acquired, double *rate)
{
    if (!rate)
        return RTN_EINVAL;
    if (start == 0)
        return RTN_EUNDEFINED;
    if (end < acquired || end - acquired > start)
        return RTN_EDOMAIN;
    *rate = (double)(end - acquired) / (double)start;
    return RTN_OK;
}

int rtn_churn_rate_start(uint64_t start, uint64_t lost, double *rate)
{
    if (!rate)
        return RTN_EINVAL;
    if (start == 0)
        return RTN_EUNDEFINED;
    if (lost > start)
        return RTN_EDOMAIN;
    *rate = (double)lost / (double)start;
    return RTN_OK;
}

int rtn_churn_rate_average(uint64_t start, uint64_t end, uint64_t lost, double *rate)
{
    if (!rate)
        return RTN_EINVAL;
    if (start == 0 && end == 0)
        return RTN_EUNDEFINED;
    /* In double: S + E may not fit in 64 bits. */
    *rate = 2.0 * (double)lost / ((double)start + (double)end);
    return RTN_OK;
}

int rtn_churn_rate_customer_days(uint64_t churned, double customer_days, double period_days,
                                 double *rate)
{
    if (!rate)
        return RTN_EINVAL;
    if (!rtn__nonneg(customer_days) || !(rtn__finite(period_days) && period_days > 0.0))
        return RTN_EDOMAIN;
    if (customer_days == 0.0)
        return RTN_EUNDEFINED;
    /* period/customer-days first: 1e300 customer-days over a 30-day period stays finite */
    return rtn__result((double)churned * (period_days / customer_days), rate);
}

int rtn_churn_rate_convert(double rate, double periods, double *converted)
{
    if (!converted)
        return RTN_EINVAL;
    if (!(rate >= 0.0 && rate <= 1.0) || !(rtn__finite(periods) && periods > 0.0))
        return RTN_EDOMAIN;
    /* 1 − (1 − m)^k through log1p/expm1: for m = 1e-9 the naive pow loses half the digits. */
    double v = -expm1(periods * log1p(-rate));
    *converted = fmin(1.0, fmax(0.0, v));
    return RTN_OK;
}

int rtn_churn_lifetime(double churn, double *lifetime)
{
    if (!lifetime)
        return RTN_EINVAL;
    if (!(churn >= 0.0 && churn < 1.0))
        return RTN_EDOMAIN;
    if (churn == 0.0)
        return RTN_EUNDEFINED;
    return rtn__result(1.0 / churn, lifetime); /* a subnormal churn overflows */
}

int rtn_rate_wilson_interval(uint64_t k, uint64_t n, double confidence, double *low, double *high)
{
    double z;
    if (!low || !high || rtn__normal_critical(confidence, &z) != 0)
        return RTN_EINVAL;
    if (n == 0)
        return RTN_EUNDEFINED;
    if (k > n)
        return RTN_EDOMAIN;
    rtn__wilson(k, n, z, low, high);
    return RTN_OK;
}

/* ---- revenue ------------------------------------------------------------------------------ */

/* The checks every revenue formula over a period's start shares: amounts are finite and ≥ 0, the
 * losses do not exceed what there was, and the start is not 0 (the denominator). */
static int check_losses(double start, double churned, double contraction)
{
    if (!rtn__nonneg(start) || !rtn__nonneg(churned) || !rtn__nonneg(contraction))
        return RTN_EDOMAIN;
    if (start == 0.0)
        return RTN_EUNDEFINED;
    if (churned + contraction > start)
        return RTN_EDOMAIN;
    return RTN_OK;
}

/* 1 − (churned + contraction) / start, in [0, 1] once check_losses() has passed. Computing
 * start − contraction − churned instead can round to a tiny negative number. */
static double gross_retention(double start, double churned, double contraction)
{
    return fmax(0.0, 1.0 - (churned + contraction) / start);
}

int rtn_revenue_churn_gross(double start, double churned, double contraction, double *rate)
{
    if (!rate)
        return RTN_EINVAL;
    int rc = check_losses(start, churned, contraction);
    if (rc != RTN_OK)
        return rc;
    *rate = (churned + contraction) / start;
    return RTN_OK;
}

int rtn_revenue_churn_net(double start, double churned, double contraction, double expansion,
                          double reactivation, double *rate)
{
    if (!rate)
        return RTN_EINVAL;
    if (!rtn__nonneg(expansion) || !rtn__nonneg(reactivation))
        return RTN_EDOMAIN;
    int rc = check_losses(start, churned, contraction);
    if (rc != RTN_OK)
        return rc;
    return rtn__result(((churned + contraction) - (expansion + reactivation)) / start, rate);
}

int rtn_revenue_nrr(double start, double churned, double contraction, double expansion,
                    double *nrr)
{
    if (!nrr)
        return RTN_EINVAL;
    if (!rtn__nonneg(expansion))
        return RTN_EDOMAIN;
    int rc = check_losses(start, churned, contraction);
    if (rc != RTN_OK)
        return rc;
    /* GRR + expansion/start: the losses enter as one share ≤ 1, so no order of subtraction can
     * round the result below 0. */
    return rtn__result(gross_retention(start, churned, contraction) + expansion / start, nrr);
}

int rtn_revenue_grr(double start, double churned, double contraction, double *grr)
{
    if (!grr)
        return RTN_EINVAL;
    int rc = check_losses(start, churned, contraction);
    if (rc != RTN_OK)
        return rc;
    *grr = gross_retention(start, churned, contraction);
    return RTN_OK;
}

int rtn_revenue_quick_ratio(double new_revenue, double expansion, double churned,
                            double contraction, double *ratio)
{
    if (!ratio)
        return RTN_EINVAL;
    if (!rtn__nonneg(new_revenue) || !rtn__nonneg(expansion) || !rtn__nonneg(contraction) ||
        !rtn__nonneg(churned))
        return RTN_EDOMAIN;
    double lost = churned + contraction;
    if (lost == 0.0)
        return RTN_EUNDEFINED;
    return rtn__result((new_revenue + expansion) / lost, ratio);
}

int rtn_revenue_arpa(double revenue, uint64_t accounts, double *arpa)
{
    if (!arpa)
        return RTN_EINVAL;
    if (!rtn__nonneg(revenue))
        return RTN_EDOMAIN;
    if (accounts == 0)
        return RTN_EUNDEFINED;
    *arpa = revenue / (double)accounts;
    return RTN_OK;
}
