/**
 * @file retention/segments.h
 * @brief Comparing retention between segments (products sold 1 vs 4, weekly-engaged vs not,
 *        upsold early vs not) with the statistics that tell a difference from noise; and the
 *        economics of retention: what a few more points of retention are worth.
 *
 * A segment's retention is a binomial proportion: k of its n customers retained over a fixed
 * horizon (say two years). For segment i against a reference segment 0:
 * - the rate k/n with its Wilson score interval (see rtn_rate_wilson_interval());
 * - the **difference** p_i − p_0 with Newcombe's hybrid score interval (Newcombe 1998, method 10):
 *   from the Wilson intervals (l, u) of both rates,
 *   low = d − sqrt((p_i − l_i)² + (u_0 − p_0)²), high = d + sqrt((u_i − p_i)² + (p_0 − l_0)²);
 *   it keeps its coverage near 0 and 1, where the Wald interval fails;
 * - the **relative lift** p_i / p_0 − 1 with the Katz log interval of the ratio:
 *   exp(ln(p_i / p_0) ± z sqrt(1/k_i − 1/n_i + 1/k_0 − 1/n_0)) − 1;
 * - the pooled **two-proportion z test** of p_i = p_0: z = (p_i − p_0) / sqrt(p̄ (1 − p̄)
 *   (1/n_i + 1/n_0)), p̄ = (k_i + k_0) / (n_i + n_0), two-sided p = 2 Φ(−|z|) (the same p as the
 *   2 × 2 chi-square test without continuity correction);
 * and across all G segments, **Pearson's chi-square test** of equal retention on the 2 × G table
 * (retained / not retained × segment), G − 1 degrees of freedom, no continuity correction.
 *
 * The tally (rtn_segments_count()) is a pair of caller-owned arrays indexed by segment: tallies
 * of separate batches add element-wise. Everything here is a pure function on caller memory:
 * thread-safe, no allocation.
 */
#ifndef RETENTION_SEGMENTS_H
#define RETENTION_SEGMENTS_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The most segments rtn_segments_compare() and rtn_proportions_chisq() take. */
#define RTN_SEGMENTS_MAX 65536

/** One segment's row of a comparison (rtn_segments_compare()). A value that is undefined for
 *  the data is NaN; the reference segment's own difference and lift are 0, their intervals and
 *  its test NaN. */
typedef struct rtn_segment_row {
    uint64_t retained, n; /**< k and n */
    double rate, rate_low, rate_high; /**< k / n and its Wilson interval */
    double diff, diff_low, diff_high; /**< rate − reference rate, Newcombe interval */
    double lift, lift_low, lift_high; /**< rate / reference rate − 1, Katz log interval (NaN when
                                           the reference rate is 0; the interval also when k = 0) */
    double z, p_value; /**< pooled two-proportion z test against the reference (NaN when
                            every customer of both, or none, was retained) */
} rtn_segment_row;

/**
 * Adds customers to a segment tally: customer i is in segment[i] and was retained if
 * retained[i] is 1 (0 = lost). The whole call is validated first: on error nothing is added.
 * @param segment n indices in 0 … groups − 1; @param retained n flags, 0 or 1.
 * @param groups the length of both tally arrays (≥ 1).
 * @param retained_counts, totals the tally: k and n per segment (start from zeros).
 * @param[out] bad_index may be NULL; on ::RTN_EDOMAIN the first bad row.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL tally, a NULL column with n > 0, or groups = 0;
 *         ::RTN_EDOMAIN for a segment outside 0 … groups − 1 or a flag other than 0 and 1;
 *         ::RTN_EOVERFLOW if a count would pass 2^64 − 1.
 */
RTN_API int rtn_segments_count(const int32_t *segment, const uint8_t *retained, size_t n,
                               size_t groups, uint64_t *retained_counts, uint64_t *totals,
                               size_t *bad_index);

/**
 * The difference of two retention rates, k1/n1 − k0/n0, with Newcombe's hybrid score interval.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or a confidence outside (0, 1);
 *         ::RTN_EUNDEFINED if n1 or n0 is 0; ::RTN_EDOMAIN if k > n.
 * Example (Newcombe 1998, table II, 56/70 vs 48/80, 95 %): 0.2, [0.0524, 0.3339].
 */
RTN_API int rtn_proportion_diff_interval(uint64_t k1, uint64_t n1, uint64_t k0, uint64_t n0,
                                         double confidence, double *diff, double *low,
                                         double *high);

/**
 * The relative lift of one retention rate over another, (k1/n1) / (k0/n0) − 1, with the Katz
 * log interval of the ratio (shifted by −1).
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or a confidence outside (0, 1);
 *         ::RTN_EUNDEFINED if n1 or n0 is 0, k0 = 0 (no lift over nothing), or k1 = 0 (the log
 *         interval does not exist; the lift itself is −1); ::RTN_EDOMAIN if k > n.
 */
RTN_API int rtn_proportion_lift_interval(uint64_t k1, uint64_t n1, uint64_t k0, uint64_t n0,
                                         double confidence, double *lift, double *low,
                                         double *high);

/**
 * The pooled two-proportion z test of k1/n1 = k0/n0: the statistic (positive when the first rate
 * is higher) and its two-sided p-value.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers; ::RTN_EUNDEFINED if n1 or n0 is 0, or the
 *         pooled rate is 0 or 1 (no variance); ::RTN_EDOMAIN if k > n.
 */
RTN_API int rtn_proportion_ztest(uint64_t k1, uint64_t n1, uint64_t k0, uint64_t n0, double *z,
                                 double *p_value);

/**
 * Pearson's chi-square test that G proportions k[i]/n[i] are equal (the 2 × G table of retained
 * and lost customers), without continuity correction: statistic, G − 1 degrees of freedom, and
 * its upper-tail p-value.
 * @param groups G, 2 … ::RTN_SEGMENTS_MAX.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or G outside its range; ::RTN_EUNDEFINED if
 *         some n[i] is 0, or no customer, or every customer, was retained (an expected count of
 *         0); ::RTN_EDOMAIN if some k[i] > n[i]; ::RTN_EOVERFLOW if the totals pass 2^64 − 1.
 */
RTN_API int rtn_proportions_chisq(const uint64_t *k, const uint64_t *n, size_t groups,
                                  double *chisq, double *df, double *p_value);

/**
 * Compares every segment with a reference segment (see the file comment), and all of them with
 * the chi-square test.
 * @param k, n retained and total customers of each of @p groups segments (1 … RTN_SEGMENTS_MAX).
 * @param reference the index of the reference segment.
 * @param confidence the intervals' two-sided level, in (0, 1).
 * @param rows @p groups rows, filled in segment order.
 * @param[out] chisq, p_value the chi-square test across the segments (NaN with one segment, or
 *        when it is undefined); either may be NULL.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL @p k, @p n or @p rows, groups = 0 or too many, a
 *         reference ≥ groups, or a confidence outside (0, 1); ::RTN_EUNDEFINED if a segment has
 *         n = 0; ::RTN_EDOMAIN if some k > n; ::RTN_EOVERFLOW if the totals pass 2^64 − 1.
 *         On error no output is written.
 */
RTN_API int rtn_segments_compare(const uint64_t *k, const uint64_t *n, size_t groups,
                                 size_t reference, double confidence, rtn_segment_row *rows,
                                 double *chisq, double *p_value);

/** The value of more retention (rtn_retention_economics()). Relative changes are NaN where the
 *  base is 0. */
typedef struct rtn_retention_value {
    double clv_before;    /**< discounted CLV per customer at retention r */
    double clv_after;     /**< … at retention r + points */
    double clv_change;    /**< clv_after / clv_before − 1 */
    double profit_before; /**< the cohort's lifetime profit: size × (clv_before − cac) */
    double profit_after;  /**< … at r + points */
    double profit_change; /**< (profit_after − profit_before) / |profit_before| */
} rtn_retention_value;

/**
 * Retention economics: what raising retention from r to r + points is worth, for your margin,
 * discount rate and acquisition cost — the "5 % more retention, 25–95 % more profit" claim
 * (Reichheld & Sasser 1990) computed for your own numbers.
 *
 * CLV is the present value of margin m earned at the end of each period a customer is still
 * retained, over @p horizon periods (0 = no end), with q = r / (1 + d):
 *   CLV = m q (1 − q^H) / (1 − q)   (m H when q = 1);   CLV = m r / (1 + d − r) for H = ∞,
 * the formula of rtn_clv_discounted(). A cohort's lifetime profit subtracts what it cost to
 * acquire: size × (CLV − CAC). Because acquisition is paid up front, profit grows faster than
 * CLV when retention rises — the leverage behind the claim.
 * @param margin m ≥ 0 per period; @param retention r in [0, 1];
 * @param points the rise, as a fraction (0.05 = five points; negative for a fall);
 *        r + points must be in [0, 1]; a sum within 4 DBL_EPSILON of 1 or 0 counts as exactly
 *        1 or 0 (0.7 + 0.3 is 0.9999999999999999 in doubles);
 * @param discount d ≥ 0 per period; @param cac ≥ 0 per customer; @param cohort_size ≥ 0;
 * @param horizon H periods, 0 = unbounded.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL @p out; ::RTN_EDOMAIN for a value outside its range
 *         (NaN and infinities included); ::RTN_EUNDEFINED for an unbounded horizon with
 *         r + points = 1 and d = 0 (the value diverges); ::RTN_EOVERFLOW if a result passes
 *         DBL_MAX.
 * Example: m = 100, r = 0.80, +5 points, d = 0.10, CAC 100, 1000 customers, H = ∞:
 * CLV 266.67 → 340.00 (+27.5 %), profit 166,667 → 240,000 (+44.0 %).
 */
RTN_API int rtn_retention_economics(double margin, double retention, double points,
                                    double discount, double cac, double cohort_size,
                                    uint32_t horizon, rtn_retention_value *out);

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_SEGMENTS_H */
