/* Formula CLV (DESIGN.md "Formula CLV"): the closed forms, with their domains checked so that a
 * zero churn or a divergent discounted sum is reported as undefined rather than as inf. */
#include "internal.h"

static int is_share(double x) { return x >= 0.0 && x <= 1.0; } /* false for NaN */

int rtn_clv_simple(double arpa, double gross_margin, double churn, double *clv)
{
    if (!clv)
        return RTN_EINVAL;
    if (!rtn__nonneg(arpa) || !is_share(gross_margin) || !(churn >= 0.0 && churn < 1.0))
        return RTN_EDOMAIN; /* churn ≥ 1: as rtn_churn_lifetime(), no lifetime to project */
    if (churn == 0.0)
        return RTN_EUNDEFINED;
    return rtn__result(arpa * gross_margin / churn, clv);
}

int rtn_clv_discounted(double margin, double retention, double discount, double *clv)
{
    if (!clv)
        return RTN_EINVAL;
    if (!rtn__nonneg(margin) || !is_share(retention) || !rtn__nonneg(discount))
        return RTN_EDOMAIN;
    double denom = (1.0 - retention) + discount; /* exact 0 only for r = 1, d = 0 */
    if (denom == 0.0)
        return RTN_EUNDEFINED;
    return rtn__result(margin * retention / denom, clv);
}

int rtn_clv_cac_payback(double cac, double arpa, double gross_margin, double *periods)
{
    if (!periods)
        return RTN_EINVAL;
    if (!rtn__nonneg(cac) || !rtn__nonneg(arpa) || !is_share(gross_margin))
        return RTN_EDOMAIN;
    if (arpa == 0.0 || gross_margin == 0.0)
        return RTN_EUNDEFINED;
    /* two divisions rather than cac / (arpa · margin): the product of two tiny positive values
     * can underflow to 0 */
    return rtn__result(cac / arpa / gross_margin, periods);
}

int rtn_clv_ltv_cac(double ltv, double cac, double *ratio)
{
    if (!ratio)
        return RTN_EINVAL;
    if (!rtn__finite(ltv) || !rtn__nonneg(cac))
        return RTN_EDOMAIN;
    if (cac == 0.0)
        return RTN_EUNDEFINED;
    return rtn__result(ltv / cac, ratio);
}
