/* Segment comparisons and retention economics (retention/segments.h).
 *
 * Sources: Wilson (1927) and Newcombe (1998, "Interval estimation for the difference between
 * independent proportions", method 10) for the difference; Katz et al. (1978) for the log
 * interval of a ratio of proportions; Pearson's chi-square on the 2 × G table (whose 2 × 2 case
 * equals the square of the pooled z statistic); Gupta & Lehmann (2003) for discounted CLV. */
#include <float.h>
#include <string.h>

#include "internal.h"

int rtn_segments_count(const int32_t *segment, const uint8_t *retained, size_t n, size_t groups,
                       uint64_t *retained_counts, uint64_t *totals, size_t *bad_index)
{
    if (!retained_counts || !totals || groups == 0 || (n > 0 && (!segment || !retained)))
        return RTN_EINVAL;
    for (size_t i = 0; i < n; ++i)
        if (segment[i] < 0 || (uint64_t)segment[i] >= groups || retained[i] > 1) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
    /* n rows add at most n to any count: checking the totals once bounds every segment */
    for (size_t g = 0; g < groups; ++g)
        if (totals[g] > UINT64_MAX - (uint64_t)n)
            return RTN_EOVERFLOW;
    for (size_t i = 0; i < n; ++i) {
        totals[segment[i]]++;
        retained_counts[segment[i]] += retained[i];
    }
    return RTN_OK;
}

/* The checks every two-sample function shares. */
static int check_pair(uint64_t k1, uint64_t n1, uint64_t k0, uint64_t n0)
{
    if (n1 == 0 || n0 == 0)
        return RTN_EUNDEFINED;
    if (k1 > n1 || k0 > n0)
        return RTN_EDOMAIN;
    return RTN_OK;
}

static void newcombe(uint64_t k1, uint64_t n1, uint64_t k0, uint64_t n0, double z, double *diff,
                     double *low, double *high)
{
    double p1 = (double)k1 / (double)n1, p0 = (double)k0 / (double)n0;
    double l1, u1, l0, u0;
    rtn__wilson(k1, n1, z, &l1, &u1);
    rtn__wilson(k0, n0, z, &l0, &u0);
    double d = p1 - p0;
    *diff = d;
    *low = d - hypot(p1 - l1, u0 - p0);
    *high = d + hypot(u1 - p1, p0 - l0);
}

int rtn_proportion_diff_interval(uint64_t k1, uint64_t n1, uint64_t k0, uint64_t n0,
                                 double confidence, double *diff, double *low, double *high)
{
    double z;
    if (!diff || !low || !high || rtn__normal_critical(confidence, &z) != 0)
        return RTN_EINVAL;
    int rc = check_pair(k1, n1, k0, n0);
    if (rc != RTN_OK)
        return rc;
    newcombe(k1, n1, k0, n0, z, diff, low, high);
    return RTN_OK;
}

/* Katz's interval for p1 / p0, shifted to a lift; needs k1 > 0 and k0 > 0. The variance of the
 * log ratio is 1/k1 − 1/n1 + 1/k0 − 1/n0, written as (1 − p)/k to stay ≥ 0 in floating point. */
static void katz(uint64_t k1, uint64_t n1, uint64_t k0, uint64_t n0, double z, double *lift,
                 double *low, double *high)
{
    double p1 = (double)k1 / (double)n1, p0 = (double)k0 / (double)n0;
    double log_ratio = log(p1) - log(p0);
    double se = sqrt((1.0 - p1) / (double)k1 + (1.0 - p0) / (double)k0);
    *lift = p1 / p0 - 1.0; /* directly: expm1(log_ratio) would lose the last digits */
    /* the bounds come through logs: keep rounding from putting the estimate outside them */
    *low = fmin(expm1(log_ratio - z * se), *lift);
    *high = fmax(expm1(log_ratio + z * se), *lift);
}

int rtn_proportion_lift_interval(uint64_t k1, uint64_t n1, uint64_t k0, uint64_t n0,
                                 double confidence, double *lift, double *low, double *high)
{
    double z;
    if (!lift || !low || !high || rtn__normal_critical(confidence, &z) != 0)
        return RTN_EINVAL;
    int rc = check_pair(k1, n1, k0, n0);
    if (rc != RTN_OK)
        return rc;
    if (k0 == 0 || k1 == 0)
        return RTN_EUNDEFINED;
    katz(k1, n1, k0, n0, z, lift, low, high);
    return RTN_OK;
}

/* a·b with its 128 bits in two halves: four 32 × 32-bit products (portable: no __int128). */
static void mul_u64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu); /* < 3 · 2^32 */
    *lo = (mid << 32) | (p00 & 0xffffffffu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* a·b − c·d for counts. In doubles the two products round before they cancel: with a billion
 * or 2^64 customers the pooled rate rounds to 1 and the statistic became 0/0. Here the products
 * are exact and so is their difference; only the result is rounded (2^-52 relative at most). */
static double cross_diff(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    uint64_t xh, xl, yh, yl;
    mul_u64(a, b, &xh, &xl);
    mul_u64(c, d, &yh, &yl);
    int negative = xh < yh || (xh == yh && xl < yl);
    if (negative) { /* swap: subtract the smaller from the larger */
        uint64_t t = xh;
        xh = yh, yh = t, t = xl, xl = yl, yl = t;
    }
    uint64_t lo = xl - yl, hi = xh - yh - (xl < yl);
    double mag = (double)hi * 0x1p64 + (double)lo;
    return negative ? -mag : mag;
}

/* The pooled z statistic (p1 − p0) / sqrt(p̄ (1 − p̄) (1/n1 + 1/n0)), in counts: with
 * K = k1 + k0 and N = n1 + n0 it is (k1 n0 − k0 n1) sqrt(N / (n1 n0 K (N − K))), the numerator
 * exact (cross_diff) and N − K the not-retained count, so that neither cancels. RTN_EUNDEFINED
 * when the pooled rate is 0 or 1 (no variance). */
static int pooled_z(uint64_t k1, uint64_t n1, uint64_t k0, uint64_t n0, double *z)
{
    if ((k1 == 0 && k0 == 0) || (k1 == n1 && k0 == n0))
        return RTN_EUNDEFINED;
    /* totals as doubles: n1 + n0 may pass 2^64, and they are only multiplied */
    double n = (double)n1 + (double)n0, k = (double)k1 + (double)k0;
    double not_k = (double)(n1 - k1) + (double)(n0 - k0);
    *z = cross_diff(k1, n0, k0, n1) * sqrt(n / ((double)n1 * (double)n0 * k * not_k));
    return RTN_OK;
}

int rtn_proportion_ztest(uint64_t k1, uint64_t n1, uint64_t k0, uint64_t n0, double *z,
                         double *p_value)
{
    if (!z || !p_value)
        return RTN_EINVAL;
    int rc = check_pair(k1, n1, k0, n0);
    double stat;
    if (rc != RTN_OK || (rc = pooled_z(k1, n1, k0, n0, &stat)) != RTN_OK)
        return rc;
    *z = stat;
    *p_value = rtn__normal_two_sided_p(stat);
    return RTN_OK;
}

/* Validates G proportions: RTN_OK with the totals, or the error of the first bad one. */
static int check_groups(const uint64_t *k, const uint64_t *n, size_t groups, uint64_t *k_total,
                        uint64_t *n_total)
{
    uint64_t kt = 0, nt = 0;
    int undefined = 0;
    for (size_t g = 0; g < groups; ++g) {
        if (k[g] > n[g])
            return RTN_EDOMAIN;
        undefined |= n[g] == 0;
        if (rtn__add_u64(kt, k[g], &kt) != 0 || rtn__add_u64(nt, n[g], &nt) != 0)
            return RTN_EOVERFLOW;
    }
    if (undefined)
        return RTN_EUNDEFINED;
    *k_total = kt;
    *n_total = nt;
    return RTN_OK;
}

/* Pearson's statistic Σ (k_i − n_i p̄)² / (n_i p̄ (1 − p̄)), which sums both rows of the table;
 * RTN_EUNDEFINED when p̄ is 0 or 1. With K, N the totals each term is
 * (k_i N − n_i K)² / (n_i K (N − K)): the difference exact (cross_diff), no 1 − p̄ to cancel. */
static int pearson(const uint64_t *k, const uint64_t *n, size_t groups, uint64_t k_total,
                   uint64_t n_total, double *chisq, double *p_value)
{
    if (k_total == 0 || k_total == n_total)
        return RTN_EUNDEFINED;
    double scale = (double)k_total * (double)(n_total - k_total);
    rtn__sum sum = {0.0, 0.0};
    for (size_t g = 0; g < groups; ++g) {
        double d = cross_diff(k[g], n_total, n[g], k_total);
        rtn__sum_add(&sum, d * d / ((double)n[g] * scale));
    }
    *chisq = rtn__sum_value(&sum);
    *p_value = rtn__chisq_upper(*chisq, (double)(groups - 1));
    return RTN_OK;
}

int rtn_proportions_chisq(const uint64_t *k, const uint64_t *n, size_t groups, double *chisq,
                          double *df, double *p_value)
{
    if (!k || !n || !chisq || !df || !p_value || groups < 2 || groups > RTN_SEGMENTS_MAX)
        return RTN_EINVAL;
    uint64_t kt, nt;
    double stat, p;
    int rc = check_groups(k, n, groups, &kt, &nt);
    if (rc != RTN_OK || (rc = pearson(k, n, groups, kt, nt, &stat, &p)) != RTN_OK)
        return rc;
    *chisq = stat;
    *df = (double)(groups - 1);
    *p_value = p;
    return RTN_OK;
}

static void compare_row(uint64_t k1, uint64_t n1, uint64_t k0, uint64_t n0, double z,
                        int is_reference, rtn_segment_row *row)
{
    row->retained = k1;
    row->n = n1;
    row->rate = (double)k1 / (double)n1;
    rtn__wilson(k1, n1, z, &row->rate_low, &row->rate_high);
    row->diff_low = row->diff_high = row->lift_low = row->lift_high = NAN;
    row->z = row->p_value = NAN;
    if (is_reference) {
        row->diff = row->lift = 0.0;
        return;
    }
    newcombe(k1, n1, k0, n0, z, &row->diff, &row->diff_low, &row->diff_high);
    if (k0 == 0)
        row->lift = NAN;
    else if (k1 == 0)
        row->lift = -1.0;
    else
        katz(k1, n1, k0, n0, z, &row->lift, &row->lift_low, &row->lift_high);
    if (pooled_z(k1, n1, k0, n0, &row->z) == RTN_OK)
        row->p_value = rtn__normal_two_sided_p(row->z);
}

int rtn_segments_compare(const uint64_t *k, const uint64_t *n, size_t groups, size_t reference,
                         double confidence, rtn_segment_row *rows, double *chisq,
                         double *p_value)
{
    double z;
    if (!k || !n || !rows || groups == 0 || groups > RTN_SEGMENTS_MAX || reference >= groups ||
        rtn__normal_critical(confidence, &z) != 0)
        return RTN_EINVAL;
    uint64_t kt, nt;
    int rc = check_groups(k, n, groups, &kt, &nt);
    if (rc != RTN_OK)
        return rc;
    for (size_t g = 0; g < groups; ++g)
        compare_row(k[g], n[g], k[reference], n[reference], z, g == reference, &rows[g]);
    double stat = NAN, p = NAN;
    if (groups >= 2 && pearson(k, n, groups, kt, nt, &stat, &p) != RTN_OK)
        stat = p = NAN;
    if (chisq)
        *chisq = stat;
    if (p_value)
        *p_value = p;
    return RTN_OK;
}

/* ---- retention economics ------------------------------------------------------------------ */

/* Present value of margin m at the end of each of H periods (0 = unbounded) a customer is still
 * retained: m Σ_{t=1..H} q^t with q = r / (1 + d). The finite sum is m q (1 − q^H) / (1 − q),
 * with 1 − q^H = −expm1(H ln q) so that q near 1 keeps its digits. */
static int discounted_value(double m, double r, double d, uint32_t horizon, double *value)
{
    if (horizon == 0) {
        double denom = (1.0 + d) - r;
        if (denom == 0.0)
            return RTN_EUNDEFINED;
        return rtn__result(m * r / denom, value);
    }
    double q = r / (1.0 + d);
    double v;
    if (q == 0.0)
        v = 0.0;
    else if (q == 1.0)
        v = m * (double)horizon;
    else
        v = m * q * (-expm1((double)horizon * log(q))) / (1.0 - q);
    return rtn__result(v, value);
}

/* r + points within a few ulps of 1 (or 0) is 1 (or 0): 0.7 + 0.3 is 0.9999999999999999 in
 * doubles, and with no horizon and no discount that rounding would turn "diverges" into a value
 * of 10^16 margins. */
static double snap_to_ends(double r)
{
    if (fabs(r - 1.0) <= 4.0 * DBL_EPSILON)
        return 1.0;
    if (fabs(r) <= 4.0 * DBL_EPSILON)
        return 0.0;
    return r;
}

int rtn_retention_economics(double margin, double retention, double points, double discount,
                            double cac, double cohort_size, uint32_t horizon,
                            rtn_retention_value *out)
{
    if (!out)
        return RTN_EINVAL;
    double after = snap_to_ends(retention + points);
    if (!rtn__nonneg(margin) || !rtn__nonneg(retention) || retention > 1.0 ||
        !rtn__finite(points) || !(after >= 0.0 && after <= 1.0) || !rtn__nonneg(discount) ||
        !rtn__nonneg(cac) || !rtn__nonneg(cohort_size))
        return RTN_EDOMAIN;
    rtn_retention_value v;
    int rc = discounted_value(margin, retention, discount, horizon, &v.clv_before);
    if (rc != RTN_OK || (rc = discounted_value(margin, after, discount, horizon, &v.clv_after)) != RTN_OK)
        return rc;
    v.profit_before = cohort_size * (v.clv_before - cac);
    v.profit_after = cohort_size * (v.clv_after - cac);
    v.clv_change = v.clv_before != 0.0 ? v.clv_after / v.clv_before - 1.0 : NAN;
    v.profit_change = v.profit_before != 0.0
                          ? (v.profit_after - v.profit_before) / fabs(v.profit_before)
                          : NAN;
    if (!isfinite(v.profit_before) || !isfinite(v.profit_after) || isinf(v.clv_change) ||
        isinf(v.profit_change))
        return RTN_EOVERFLOW;
    *out = v;
    return RTN_OK;
}
