/**
 * @file retention/rates.h
 * @brief Customer retention and churn rates, rate conversion, lifetimes, Wilson intervals, and
 *        revenue churn (gross/net), NRR, GRR, quick ratio and ARPA.
 *
 * All rates are fractions (0.1 means 10 %). Every function is pure: thread-safe, no allocation.
 * On any error the out-pointers are left untouched.
 */
#ifndef RETENTION_RATES_H
#define RETENTION_RATES_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/** @name Customer retention and churn @{ */

/**
 * Customer retention rate of a period: CRR = (E − N) / S.
 *
 * @param start    S, customers at the start of the period.
 * @param end      E, customers at the end of the period.
 * @param acquired N, customers acquired during the period.
 * @param[out] rate the share of the starting customers still customers at the end, in [0, 1].
 * @return ::RTN_OK; ::RTN_EINVAL if @p rate is NULL; ::RTN_EUNDEFINED if S = 0;
 *         ::RTN_EDOMAIN if E < N (more customers acquired than present at the end) or
 *         E − N > S (more customers retained than there were).
 * Example: S = 1000, E = 950, N = 50 gives 0.9.
 */
RTN_API int rtn_retention_rate(uint64_t start, uint64_t end, uint64_t acquired, double *rate);

/**
 * Start-based customer churn: lost / S.
 * @param start S, customers at the start of the period.
 * @param lost  customers of S lost during the period.
 * @param[out] rate in [0, 1].
 * @return ::RTN_OK; ::RTN_EINVAL if @p rate is NULL; ::RTN_EUNDEFINED if S = 0;
 *         ::RTN_EDOMAIN if lost > S.
 * Example: 1000 customers on day 1, 900 on day 30, none acquired: lost = 100, churn 0.1.
 */
RTN_API int rtn_churn_rate_start(uint64_t start, uint64_t lost, double *rate);

/**
 * Average-based customer churn: lost / ((S + E) / 2). Less sensitive than the start-based rate to
 * a base that grows within the period; customers acquired and lost in the same period make
 * values above 1 possible, which are returned as they are.
 * @param start S, customers at the start; @param end E, customers at the end;
 * @param lost customers lost during the period.
 * @param[out] rate ≥ 0.
 * @return ::RTN_OK; ::RTN_EINVAL if @p rate is NULL; ::RTN_EUNDEFINED if S + E = 0.
 */
RTN_API int rtn_churn_rate_average(uint64_t start, uint64_t end, uint64_t lost, double *rate);

/**
 * Customer-days based churn, scaled to a period: churned / customer_days × period_days.
 * A customer-day is one customer being a customer for one day; summing them over the period
 * weights every customer by the time they were at risk of churning, which makes the rate fair to
 * bases that grow or shrink within the period.
 * @param churned       churn events in the observation window.
 * @param customer_days customer-days at risk in the window (> 0, finite).
 * @param period_days   length of the period to express the rate in, in days (> 0, finite),
 *                      e.g. 30 for a monthly rate.
 * @param[out] rate churn per customer per period (≥ 0; may exceed 1 for short exposure).
 * @return ::RTN_OK; ::RTN_EINVAL if @p rate is NULL; ::RTN_EUNDEFINED if customer_days = 0;
 *         ::RTN_EDOMAIN if customer_days < 0, period_days ≤ 0, or either is NaN or infinite;
 *         ::RTN_EOVERFLOW if the rate is too large for a double (customer_days = 1e-300, say).
 * Example: 30 churns over 27 000 customer-days, monthly (30 days): 30 / 27000 × 30 = 0.0333….
 */
RTN_API int rtn_churn_rate_customer_days(uint64_t churned, double customer_days,
                                         double period_days, double *rate);

/**
 * Converts a churn rate between period lengths, assuming a constant rate per period:
 * converted = 1 − (1 − rate)^periods, computed as −expm1(periods · log1p(−rate)) so small rates
 * keep their precision. Monthly → annual: periods = 12; annual → monthly: periods = 1/12.
 * @param rate    churn per source period, in [0, 1].
 * @param periods target period length in source periods (> 0, finite).
 * @param[out] converted churn per target period, in [0, 1].
 * @return ::RTN_OK; ::RTN_EINVAL if @p converted is NULL; ::RTN_EDOMAIN if rate is outside
 *         [0, 1] or NaN, or periods ≤ 0, NaN or infinite.
 * Example: 2 % monthly is 1 − 0.98^12 = 21.53 % annual.
 */
RTN_API int rtn_churn_rate_convert(double rate, double periods, double *converted);

/**
 * Expected customer lifetime under a constant churn rate: 1 / churn, in periods (the mean of a
 * geometric lifetime).
 * @param churn churn per period, in (0, 1).
 * @param[out] lifetime in periods (> 1).
 * @return ::RTN_OK; ::RTN_EINVAL if @p lifetime is NULL; ::RTN_EUNDEFINED if churn = 0 (nobody
 *         ever leaves: the lifetime is infinite); ::RTN_EDOMAIN if churn < 0, churn ≥ 1 (no
 *         customer survives a period, so there is no retention to project), NaN or infinite;
 *         ::RTN_EOVERFLOW for a subnormal churn (1 / churn is too large for a double).
 */
RTN_API int rtn_churn_lifetime(double churn, double *lifetime);

/**
 * Wilson score interval for a proportion measured as k successes out of n (a retention, churn or
 * CSAT rate, say). With z the two-sided standard-normal quantile of @p confidence and p = k/n:
 *   centre = (p + z²/2n) / (1 + z²/n),  half = z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²).
 * Unlike the Wald interval it stays within [0, 1] and is not degenerate at k = 0 or k = n
 * (Wilson 1927; Newcombe 1998, method 3). The bound at 0 (k = 0) or 1 (k = n) is exact.
 * @param k successes; @param n trials (k ≤ n).
 * @param confidence two-sided confidence level in (0, 1), e.g. 0.95.
 * @param[out] low, high the interval, 0 ≤ low ≤ k/n ≤ high ≤ 1.
 * @return ::RTN_OK; ::RTN_EINVAL if an out-pointer is NULL or confidence is not in (0, 1)
 *         (NaN included); ::RTN_EUNDEFINED if n = 0; ::RTN_EDOMAIN if k > n.
 */
RTN_API int rtn_rate_wilson_interval(uint64_t k, uint64_t n, double confidence, double *low,
                                     double *high);
/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @name Revenue (recurring revenue movements of a period)
 * Amounts are money per period (e.g. MRR) in any one currency, finite and ≥ 0: they are the
 * magnitudes of the movements. `start` is the recurring revenue at the start of the period;
 * `churned` the start revenue of customers who left; `contraction` the decrease, and `expansion`
 * the increase, of customers who stayed; `reactivation` the revenue of returning former customers.
 * The arguments always come in one order: start, then the losses (churned, contraction), then the
 * gains (expansion, reactivation) — the quick ratio, a ratio of gains to losses, takes the gains
 * first. Every function returns ::RTN_EINVAL for a NULL out-pointer, ::RTN_EDOMAIN for a
 * negative, NaN or infinite amount, ::RTN_EUNDEFINED when its denominator is 0, and
 * ::RTN_EOVERFLOW when the result is too large for a double (a start of 1e-300, say). @{ */

/**
 * Gross revenue churn: (churned + contraction) / start, in [0, 1].
 * @return also ::RTN_EDOMAIN if churned + contraction > start (more lost than there was).
 */
RTN_API int rtn_revenue_churn_gross(double start, double churned, double contraction,
                                    double *rate);

/**
 * Net revenue churn: (churned + contraction − expansion − reactivation) / start. Negative when
 * expansion and reactivation outweigh the losses ("negative churn"): $275,000 of MRR that became
 * $305,000 with no new customers (expansion 30,000) is −10.9 %.
 * @return also ::RTN_EDOMAIN if churned + contraction > start.
 */
RTN_API int rtn_revenue_churn_net(double start, double churned, double contraction,
                                  double expansion, double reactivation, double *rate);

/**
 * Net revenue retention: NRR = (start + expansion − contraction − churned) / start (≥ 0; above 1
 * when the base grows). Reactivation is not part of it, matching the usual SaaS definition.
 * @return also ::RTN_EDOMAIN if churned + contraction > start.
 */
RTN_API int rtn_revenue_nrr(double start, double churned, double contraction, double expansion,
                            double *nrr);

/**
 * Gross revenue retention: GRR = (start − contraction − churned) / start, in [0, 1].
 * @return also ::RTN_EDOMAIN if churned + contraction > start.
 */
RTN_API int rtn_revenue_grr(double start, double churned, double contraction, double *grr);

/**
 * SaaS quick ratio: (new + expansion) / (churned + contraction): revenue gained per unit lost.
 * Count reactivation in @p new_revenue if it should be credited.
 * @return ::RTN_EUNDEFINED if contraction + churned = 0.
 */
RTN_API int rtn_revenue_quick_ratio(double new_revenue, double expansion, double churned,
                                    double contraction, double *ratio);

/**
 * Average revenue per account: revenue / accounts.
 * @param revenue total recurring revenue of the period (finite, ≥ 0).
 * @param accounts paying accounts.
 * @return ::RTN_EUNDEFINED if accounts = 0.
 */
RTN_API int rtn_revenue_arpa(double revenue, uint64_t accounts, double *arpa);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_RATES_H */
