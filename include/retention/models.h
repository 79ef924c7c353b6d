/**
 * @file retention/models.h
 * @brief Lifetime-value models: the shifted-beta-geometric model of contract renewals, RFM
 *        summaries of purchase logs, and the BG/NBD and Gamma-Gamma models of repeat purchases
 *        and spend — fitted by maximum likelihood, every likelihood in log space.
 *
 * **Parameters** travel as small arrays in the order of the literature:
 *   sBG {alpha, beta}; BG/NBD {r, alpha, a, b}; Gamma-Gamma {p, q, gamma}.
 * Every parameter must be finite and > 0, and sBG's α + β and BG/NBD's a + b finite
 * (::RTN_EDOMAIN otherwise).
 *
 * **Fits** maximise the log-likelihood over the logs of the parameters with BFGS (analytic
 * gradient for BG/NBD), from the literature's usual starting point or one given. They report
 * ::RTN_ENOCONV when the optimiser stops short of a maximum, never a half-fitted answer, and
 * the standard errors from the inverse Hessian of the log-likelihood (NaN when it is not
 * negative definite: a flat or boundary optimum). Customers are given one per row, or grouped
 * with a weight each (rows with the same (x, t_x, T) may be merged and weighted: the
 * log-likelihood is the weighted sum, and the fits group identical rows themselves).
 *
 * **Numerics.** Log-gamma, log-beta and the Gauss hypergeometric series are the library's own
 * (C's lgamma() writes a global and is not thread-safe); every likelihood and prediction is
 * formed in log space with log-sum-exp, so x in the thousands, T in the tens of thousands,
 * t_x = T, x = 0 and equal parameters give finite answers.
 *
 * **Threads**: every function is reentrant; RFM summaries are opaque handles used by one thread
 * at a time (const accessors may run concurrently), released with rtn_rfm_free().
 *
 * Sources: Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing
 * 21(1) (sBG); Fader & Hardie (2010), "Customer-base valuation in a contractual setting",
 * Marketing Science 29(1) (DEL, DERL); Fader, Hardie & Lee (2005), "Counting your customers the
 * easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2) (BG/NBD), with
 * Fader, Hardie & Lee's note "Computing P(alive) using the BG/NBD model" and "Deriving an
 * expression for P(X(t) = x) under the BG/NBD model"; Fader, Hardie & Lee (2005), "RFM and CLV:
 * using iso-value curves for customer base analysis", J. Marketing Research 42(4)
 * (Gamma-Gamma).
 */
#ifndef RETENTION_MODELS_H
#define RETENTION_MODELS_H

#include "cohort.h"
#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- shifted-beta-geometric (contractual settings) ---------------------------------------------- */

/**
 * Log-likelihood of sBG parameters {alpha, beta} for cohorts of survivor counts:
 * alive[0] customers start, alive[t] are still customers at the start of period t (t = 1 …
 * len − 1). With P(T = t) = B(α + 1, β + t − 1) / B(α, β) the probability of churning in period
 * t and S(t) = B(α, β + t) / B(α, β): LL = Σ_t (alive[t−1] − alive[t]) log P(T = t) +
 * alive[len−1] log S(len − 1), summed over the cohorts.
 * @param alive the cohorts' counts one after another; lengths[c] ≥ 2 counts for cohort c,
 *        non-increasing, alive[0] > 0.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or no cohort; ::RTN_EDOMAIN for a bad
 *         parameter, a cohort shorter than 2, a count that rises or a first count of 0.
 */
RTN_API int rtn_sbg_loglik(const double params[2], const uint64_t *alive, const size_t *lengths,
                           size_t cohorts, double *ll);

/**
 * Maximum-likelihood {alpha, beta} for the cohorts (see rtn_sbg_loglik()), with standard errors
 * (@p se may be NULL) and the maximised log-likelihood (@p ll may be NULL).
 * @return ::RTN_OK; errors as rtn_sbg_loglik(); ::RTN_EUNDEFINED when the likelihood has no
 *         interior maximum — nobody churned, everybody churned in one period, cohorts too short
 *         (two counts) to tell α from β: the fit runs off towards a boundary where the
 *         curvature vanishes; ::RTN_ENOCONV.
 */
RTN_API int rtn_sbg_fit(const uint64_t *alive, const size_t *lengths, size_t cohorts,
                        double params[2], double se[2], double *ll);

/**
 * The sBG survival S(t) = B(α, β + t) / B(α, β) (the share still customers after t periods,
 * t ≥ 0, real) and the retention rate of period t ≥ 1, r(t) = S(t) / S(t − 1) =
 * (β + t − 1) / (α + β + t − 1). Either output may be NULL.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL params; ::RTN_EDOMAIN for a bad parameter or t
 *         (negative or non-finite; t < 1 for the retention rate).
 */
RTN_API int rtn_sbg_survival(const double params[2], double t, double *survival,
                             double *retention);

/**
 * Discounted expected lifetime and residual lifetime, in payments of 1 per period at discount
 * rate d per period (Fader & Hardie 2010): DEL = Σ_{t≥0} S(t) / (1 + d)^t (the first payment
 * now, undiscounted) = 2F1(1, β; α + β; 1/(1 + d)); and for a customer who has renewed
 * @p renewals = n times, DERL = Σ_{t≥n+1} S(t) / S(n) / (1 + d)^(t−n−1) = (β + n) / (α + β + n)
 * · 2F1(1, β + n + 1; α + β + n + 1; 1/(1 + d)) (the next payment undiscounted). Multiply by
 * the margin per period for money. Either output may be NULL.
 * @param discount d > 0.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL params; ::RTN_EDOMAIN for a bad parameter or d;
 *         ::RTN_ENOCONV when d is so small (below about 1e-6) that the series does not converge
 *         in 10^7 terms; ::RTN_EOVERFLOW if the sum is not finite.
 */
RTN_API int rtn_sbg_del(const double params[2], double discount, uint64_t renewals, double *del,
                        double *derl);

/* ---- RFM summaries of a purchase log ------------------------------------------------------------- */

typedef struct rtn_rfm rtn_rfm;

/** Columns of an RFM summary, for rtn_rfm_column(). Values pinned forever. */
typedef enum rtn_rfm_column_id {
    RTN_RFM_X = 0,        /**< frequency x: repeat purchase periods in the calibration */
    RTN_RFM_T_X = 1,      /**< recency t_x: last purchase period − first, in time units */
    RTN_RFM_T = 2,        /**< age T: calibration end's period − first purchase's, in units */
    RTN_RFM_MONETARY = 3, /**< mean value of the repeat purchase periods (0 when x = 0) */
    RTN_RFM_X_HOLDOUT = 4 /**< purchase periods after the calibration, to the holdout end */
} rtn_rfm_column_id;

/**
 * The RFM summary of the customers in a cohort builder (retention/cohort.h), which holds each
 * customer's distinct active periods and their revenue: purchases in the same period (day,
 * week, … — the builder's unit and UTC offset) merge into one, as the published CDNOW numbers
 * do with days. Per customer whose first purchase period is not after the calibration end's:
 *   x = purchase periods after the first, up to the calibration end's period (inclusive);
 *   t_x = (last such period − first period) / periods_per_unit (0 when x = 0);
 *   T = (calibration end's period − first period) / periods_per_unit;
 *   monetary = the mean revenue of those x repeat periods (the first excluded; 0 when x = 0) —
 *   the Gamma-Gamma model's input;
 *   x_holdout = purchase periods after the calibration end's, up to the holdout end's.
 * Partial builders merge exactly (rtn_cohort_builder_merge()), so summaries of partitioned
 * logs are the summary of the whole. Customers come in increasing id order.
 * @param calibration_end, holdout_end times (Unix seconds) in periods of their own; holdout_end
 *        ≥ calibration_end (equal: no holdout, x_holdout = 0).
 * @param periods_per_unit the time unit of t_x and T in builder periods (7 for weeks of days),
 *        finite and > 0.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers, a bad unit or holdout before calibration;
 *         ::RTN_EDOMAIN for a time out of range; ::RTN_EUNDEFINED when no customer started
 *         by the calibration end; ::RTN_EOVERFLOW when a unit so small makes t_x or T pass
 *         DBL_MAX; ::RTN_ENOMEM.
 */
RTN_API int rtn_rfm_from_builder(const rtn_cohort_builder *b, int64_t calibration_end,
                                 int64_t holdout_end, double periods_per_unit, rtn_rfm **out);

/**
 * One call from a purchase log: customer[i] bought amount[i] (NULL: no amounts, monetary 0) at
 * time[i] (Unix seconds, UTC days merge), summarised with t_x and T in units of
 * @p days_per_unit days (1: days, 7: weeks). Sugar over a builder (RTN_PERIOD_DAY) and
 * rtn_rfm_from_builder(); errors as theirs.
 */
RTN_API int rtn_rfm_build(const int64_t *customer, const int64_t *time, const double *amount,
                          size_t n, int64_t calibration_end, int64_t holdout_end,
                          double days_per_unit, rtn_rfm **out, size_t *bad_index);

/** Releases a summary; NULL is a no-op. */
RTN_API void rtn_rfm_free(rtn_rfm *rfm);

/** The number of customers (rows). */
RTN_API int rtn_rfm_size(const rtn_rfm *rfm, size_t *customers);

/**
 * The customer ids, in increasing order, into @p ids of @p cap ≥ customers entries.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers; ::RTN_EBUFSIZE.
 */
RTN_API int rtn_rfm_customers(const rtn_rfm *rfm, int64_t *ids, size_t cap);

/**
 * One column (an ::rtn_rfm_column_id) into @p out of @p cap ≥ customers entries.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or an unknown column; ::RTN_EBUFSIZE.
 */
RTN_API int rtn_rfm_column(const rtn_rfm *rfm, int32_t column, double *out, size_t cap);

/* ---- BG/NBD (repeat purchases, non-contractual) ---------------------------------------------------- */

/**
 * Log-likelihood of BG/NBD parameters {r, alpha, a, b} (Fader, Hardie & Lee 2005, eq. 6):
 * Σ_i w_i log L(x_i, t_x_i, T_i), with L = Γ(r + x) α^r / Γ(r) · B(a, b + x) / B(a, b) ·
 * [(α + T)^−(r+x) + [x > 0] a / (b + x − 1) · (α + t_x)^−(r+x)].
 * @param x, t_x, T n customers: whole x ≥ 0, 0 ≤ t_x ≤ T, t_x > 0 when x > 0 (a repeat
 *        purchase after the first), t_x = 0 when x = 0; finite.
 * @param weight NULL (all 1) or n finite weights ≥ 0.
 * @param[out] bad_index may be NULL: the first bad customer on ::RTN_EDOMAIN.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or n = 0; ::RTN_EDOMAIN for bad parameters
 *         or customers; ::RTN_EOVERFLOW when the sum passes DBL_MAX (counts near it).
 */
RTN_API int rtn_bgnbd_loglik(const double params[4], const double *x, const double *t_x,
                             const double *T, const double *weight, size_t n, double *ll,
                             size_t *bad_index);

/**
 * Maximum-likelihood BG/NBD fit (see rtn_bgnbd_loglik()). @p params is the output; the start
 * is {1, 1, 1, 1} scaled by the data (alpha from the mean T). @p se and @p ll may be NULL.
 * @return ::RTN_OK; errors as rtn_bgnbd_loglik(); ::RTN_EUNDEFINED when no customer made a
 *         repeat purchase; ::RTN_ENOCONV; ::RTN_ENOMEM.
 */
RTN_API int rtn_bgnbd_fit(const double *x, const double *t_x, const double *T,
                          const double *weight, size_t n, double params[4], double se[4],
                          double *ll, size_t *bad_index);
/**
 * The same as rtn_bgnbd_fit(), with the scratch memory taken from @p alloc (NULL: malloc/free; it
 * must have both functions, else ::RTN_EINVAL). Every allocation is freed before returning; on
 * ::RTN_ENOMEM nothing is written.
 */
RTN_API int rtn_bgnbd_fit_alloc(const double *x, const double *t_x, const double *T,
                                const double *weight, size_t n, double params[4], double se[4],
                                double *ll, size_t *bad_index, const rtn_allocator *alloc);

/**
 * Per customer: the probability of being alive at T (FHL note, eq. 2),
 * P = 1 / (1 + [x > 0] a / (b + x − 1) · ((α + T) / (α + t_x))^(r+x)); and the expected number
 * of purchases in (T, T + t] (FHL 2005, eq. 10):
 * E = (a + b + x − 1) / (a − 1) · [1 − ((α + T) / (α + T + t))^(r+x) ·
 * 2F1(r + x, b + x; a + b + x − 1; t / (α + T + t))] · P, for any a > 0 (at a = 1 its limit;
 * evaluated as a series of positive terms, see lib/models.c), which needs a + b + x > 1 (so
 * a + b > 1 for customers with x = 0). Each output may be NULL.
 * @param horizon t ≥ 0, in the model's time unit.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL inputs; ::RTN_EDOMAIN for bad parameters, customers
 *         or horizon, or a + b + x ≤ 1 with @p expected requested; ::RTN_ENOCONV when the
 *         series would need more than about 5·10^6 terms: (r + x) t / (α + T), the purchases
 *         expected of a customer alive throughout, beyond that (absurd horizons or r);
 *         ::RTN_ENOMEM (@p expected is computed into scratch memory first).
 */
RTN_API int rtn_bgnbd_predict(const double params[4], const double *x, const double *t_x,
                              const double *T, size_t n, double horizon, double *p_alive,
                              double *expected, size_t *bad_index);
/**
 * The same as rtn_bgnbd_predict(), with the scratch memory taken from @p alloc (NULL: malloc/free; it
 * must have both functions, else ::RTN_EINVAL). Every allocation is freed before returning; on
 * ::RTN_ENOMEM nothing is written.
 */
RTN_API int rtn_bgnbd_predict_alloc(const double params[4], const double *x, const double *t_x,
                                    const double *T, size_t n, double horizon, double *p_alive,
                                    double *expected, size_t *bad_index,
                                    const rtn_allocator *alloc);

/**
 * For a new customer over (0, t]: the expected number of purchases (FHL 2005, eq. 9),
 * E[X(t)] = (a + b − 1) / (a − 1) · [1 − (α / (α + t))^r 2F1(r, b; a + b − 1; t / (α + t))]
 * (needs a + b > 1; @p expected may be NULL), and the probabilities P(X(t) = k) for k = 0 …
 * kmax − 1 into @p pmf (may be NULL; FHL's note, eq. 8).
 * @return ::RTN_OK; ::RTN_EINVAL for NULL params; ::RTN_EDOMAIN for bad parameters or t < 0,
 *         a + b ≤ 1 with @p expected requested; ::RTN_ENOCONV as rtn_bgnbd_predict().
 */
RTN_API int rtn_bgnbd_new_customer(const double params[4], double t, double *expected,
                                   double *pmf, size_t kmax);

/* ---- Gamma-Gamma (spend per transaction) ------------------------------------------------------------- */

/**
 * Log-likelihood of Gamma-Gamma parameters {p, q, gamma} (Fader, Hardie & Lee 2005, "RFM and
 * CLV", eq. 3) for customers with x ≥ 1 repeat purchases of mean value m > 0 (customers with
 * x = 0 carry no information and are skipped): Σ w [log Γ(px + q) − log Γ(px) − log Γ(q) +
 * q log γ + (px − 1) log m + px log x − (px + q) log(γ + m x)].
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or n = 0; ::RTN_EDOMAIN for bad parameters,
 *         a negative or non-whole x, or m ≤ 0 (or non-finite) where x ≥ 1; ::RTN_EUNDEFINED when
 *         no customer has x ≥ 1; ::RTN_EOVERFLOW when the sum passes DBL_MAX.
 */
RTN_API int rtn_gg_loglik(const double params[3], const double *x, const double *monetary,
                          const double *weight, size_t n, double *ll, size_t *bad_index);

/** Maximum-likelihood Gamma-Gamma fit; errors as rtn_gg_loglik() and ::RTN_ENOCONV. */
RTN_API int rtn_gg_fit(const double *x, const double *monetary, const double *weight, size_t n,
                       double params[3], double se[3], double *ll, size_t *bad_index);

/**
 * Expected value of a customer's transactions given x and their mean m (eq. 5):
 * E[Z | x, m] = (γ + m x) p / (p x + q − 1), which needs q > 1 (for x = 0: the population mean
 * γ p / (q − 1)).
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers; ::RTN_EDOMAIN for bad parameters, q ≤ 1, or
 *         bad customers; ::RTN_EOVERFLOW if a value passes DBL_MAX (nothing written).
 */
RTN_API int rtn_gg_expected_spend(const double params[3], const double *x, const double *monetary,
                                  size_t n, double *out, size_t *bad_index);

/**
 * Customer lifetime value from BG/NBD purchases and Gamma-Gamma spend, discounted per period:
 * CLV = Σ_{k=1}^{periods} spend · (E(k L) − E((k − 1) L)) / (1 + d)^k, with E(t) the expected
 * purchases in (T, T + t] (rtn_bgnbd_predict()), spend = E[Z | x, m] (rtn_gg_expected_spend())
 * and L = @p period_length time units. Multiply by a margin for profit.
 * @return ::RTN_OK; errors as those two functions; ::RTN_EDOMAIN for d < 0, L ≤ 0 or
 *         periods = 0; ::RTN_EOVERFLOW if a value passes DBL_MAX; ::RTN_ENOMEM (values are
 *         computed into scratch memory first: nothing is written on error).
 */
RTN_API int rtn_clv_bgnbd_gg(const double bgnbd[4], const double gg[3], const double *x,
                             const double *t_x, const double *T, const double *monetary,
                             size_t n, double discount, double period_length, uint32_t periods,
                             double *out, size_t *bad_index);
/**
 * The same as rtn_clv_bgnbd_gg(), with the scratch memory taken from @p alloc (NULL: malloc/free; it
 * must have both functions, else ::RTN_EINVAL). Every allocation is freed before returning; on
 * ::RTN_ENOMEM nothing is written.
 */
RTN_API int rtn_clv_bgnbd_gg_alloc(const double bgnbd[4], const double gg[3], const double *x,
                                   const double *t_x, const double *T, const double *monetary,
                                   size_t n, double discount, double period_length,
                                   uint32_t periods, double *out, size_t *bad_index,
                                   const rtn_allocator *alloc);

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_MODELS_H */
