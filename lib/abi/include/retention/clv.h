/**
 * @file retention/clv.h
 * @brief Formula customer lifetime value, CAC payback and LTV:CAC.
 *
 * These are the closed forms users start from; the probabilistic models (sBG, BG/NBD, …) live in
 * their own module. Money is per period in any one currency; gross margin is a fraction in
 * [0, 1]; rates are fractions per period. Every function returns ::RTN_EINVAL for a NULL
 * out-pointer, ::RTN_EDOMAIN for NaN or infinite inputs, and ::RTN_EOVERFLOW when finite inputs
 * give a value too large for a double; is pure and thread-safe; and leaves its output untouched
 * on error.
 *
 * Timing: rtn_clv_simple() counts the margin of the current period too (m + m r + m r² + … =
 * m / churn), while rtn_clv_discounted() is the customer's value at the start of a period with
 * the first margin at its end (m r / (1 + d) + m r² / (1 + d)² + …); at d = 0 the two differ by
 * one period's margin, m. Use the one that matches how the margin is booked.
 */
#ifndef RETENTION_CLV_H
#define RETENTION_CLV_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Simple CLV: ARPA × gross margin / churn — the margin of one period times the expected lifetime
 * 1/churn in periods (undiscounted), as rtn_churn_lifetime() computes it.
 * @param arpa revenue per account per period (≥ 0).
 * @param gross_margin in [0, 1].
 * @param churn per period, in (0, 1) — the domain of rtn_churn_lifetime().
 * @return ::RTN_EUNDEFINED if churn = 0 (infinite lifetime); ::RTN_EDOMAIN if arpa < 0, the
 *         margin is outside [0, 1] or churn is outside [0, 1).
 * Example: ARPA 100, margin 0.8, churn 0.05 → 1600.
 */
RTN_API int rtn_clv_simple(double arpa, double gross_margin, double churn, double *clv);

/**
 * Discounted CLV with constant retention (Gupta & Lehmann 2003): m · r / (1 + d − r) — the
 * present value of a margin m received at the end of every period the customer is retained,
 * retention r per period, discount rate d per period (the sum of m rᵗ / (1 + d)ᵗ over t ≥ 1).
 * @param margin m, margin per period (≥ 0).
 * @param retention r in [0, 1].
 * @param discount d ≥ 0 (e.g. 0.01 per month).
 * @return ::RTN_EUNDEFINED if 1 + d − r = 0 (r = 1 and d = 0: the sum diverges);
 *         ::RTN_EDOMAIN for a value outside its range.
 * Example: m = 100, r = 0.9, d = 0.1 → 450.
 */
RTN_API int rtn_clv_discounted(double margin, double retention, double discount, double *clv);

/**
 * CAC payback period: CAC / (ARPA × gross margin), in periods.
 * @param cac acquisition cost per customer (≥ 0); @param arpa (≥ 0); @param gross_margin [0, 1].
 * @return ::RTN_EUNDEFINED if ARPA or the margin is 0 (never paid back); ::RTN_EDOMAIN for a
 *         value outside its range.
 * Example: CAC 1200, ARPA 100, margin 0.8 → 15 periods.
 */
RTN_API int rtn_clv_cac_payback(double cac, double arpa, double gross_margin, double *periods);

/**
 * LTV:CAC ratio: ltv / cac (3 is the usual SaaS rule of thumb).
 * @param ltv lifetime value (finite, any sign: a negative LTV is a real, losing, answer).
 * @param cac acquisition cost (≥ 0).
 * @return ::RTN_EUNDEFINED if cac = 0; ::RTN_EDOMAIN if cac < 0 or a value is not finite.
 */
RTN_API int rtn_clv_ltv_cac(double ltv, double cac, double *ratio);

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_CLV_H */
