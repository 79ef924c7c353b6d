/**
 * @file retention/pareto_nbd.h
 * @brief The Pareto/NBD model of repeat purchases in a non-contractual setting: likelihood,
 *        maximum-likelihood fit, P(alive), expected future purchases, a new customer's purchase
 *        count distribution and discounted expected residual transactions (DERT).
 *
 * **The model** (Schmittlein, Morrison & Colombo 1987, "Counting your customers: who are they
 * and what will they do next?", Management Science 33(1)). While alive, a customer buys as a
 * Poisson process of rate λ; he stays alive for an exponential time of rate μ; across customers
 * λ ~ Gamma(shape r, rate α) and μ ~ Gamma(shape s, rate β), independent. Parameters travel as
 * `params = {r, alpha, s, beta}`, every one finite and > 0. α and β are in the time unit of
 * the data (weeks, say): rescaling the times rescales them and leaves r and s alone.
 *
 * **Customers** are RFM summaries (see rtn_rfm_build() in retention/models.h): x repeat
 * purchases (a whole number ≥ 0), the last at t_x after the first (0 < t_x ≤ T when x > 0,
 * t_x = 0 when x = 0), observed for T ≥ t_x since the first purchase; all finite. An optional
 * weight ≥ 0 (finite) counts a row as that many identical customers.
 *
 * **Formulas** (Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and related
 * expressions": the likelihood, E[X(t)], P(alive) and the conditional expectation of its
 * sections 3-6; Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for customer
 * base analysis", J. Marketing Research 42(4), eq. 2, for DERT). With
 *   J(t) = ∫_t^∞ (α + τ)^−(r+x) (β + τ)^−(s+1) dτ
 *        = (A + t)^−(r+s+x) / (r+s+x) · 2F1(r+s+x, b; r+s+x+1; |α − β| / (A + t)),
 *   A = max(α, β), b = s + 1 if α ≥ β else r + x (the 2F1 on the side where its argument is
 *   in [0, 1), as BTYD's pnbd.LL; at α = β it is 1),
 *   - likelihood: L = Γ(r+x) α^r β^s / Γ(r) · [(α + T)^−(r+x) (β + T)^−s + s (J(t_x) − J(T))];
 *   - P(alive at T) = Γ(r+x) α^r β^s / Γ(r) · (α + T)^−(r+x) (β + T)^−s / L;
 *   - expected purchases in (T, T + t]: E = (r + x)(β + T) / ((α + T)(s − 1)) ·
 *     [1 − ((β + T) / (β + T + t))^(s−1)] · P(alive)  (at s = 1 the bracket over s − 1 is
 *     log(1 + t / (β + T)));
 *   - new customer over (0, t]: E[X(t)] = r β / (α (s − 1)) · [1 − (β / (β + t))^(s−1)]
 *     (at s = 1: r β / α · log(1 + t / β));
 *   - DERT at a continuous discount rate δ (a payment of 1 per purchase at time T + u is worth
 *     e^(−δu) now): DERT = α^r β^s δ^(s−1) Γ(r + x + 1) U(s, s; δ(β + T)) /
 *     (Γ(r) (α + T)^(r+x+1) L), with U Tricomi's confluent hypergeometric function,
 *     U(s, s; z) = (1/Γ(s)) ∫_0^∞ e^(−zt) t^(s−1) (1 + t)^−1 dt = e^z Γ(1 − s, z) (DLMF 13.4.4,
 *     8.5.3) — equivalently DERT = (r + x) / (α + T) · P(alive) · z^s U(s, s; z) / δ with
 *     z = δ(β + T), z^s U(s, s; z) = E[z / (z + G)], G ~ Gamma(s, 1).
 *
 * **Numerics.** Everything is computed in log space with log-sum-exp: x in the thousands, T in
 * the tens of thousands, t_x = T, x = 0 and α = β (or within a rounding of it) give finite,
 * continuous answers. The 2F1 is summed as its Euler transform 2F1(1, ·; ·; z), a series of
 * positive terms each below z times the last, for z ≤ 0.85; beyond, the integral J is split
 * where z = 0.85 and the near part integrated by adaptive Gauss-Kronrod quadrature. U is
 * integrated the same way, in log time. Against 30-digit references the log-likelihood is
 * good to about 1e-15 relative, P(alive), the expectations and DERT to about 1e-14 for x up to a
 * few dozen; the error grows like 1e-16 · (r + x) · log(α + T) (the size of the log-space terms
 * that are formed separately and divided): 4e-13 at x = 1000, T = 5010 and 5e-13 at x = 5000,
 * T = 50000 against 60-digit references, even where P(alive) is near 1.
 *
 * **Fits** maximise the log-likelihood over the logs of the parameters by BFGS with an analytic
 * gradient, after grouping identical (x, t_x, T) rows, from r = s = 1, α = mean T / mean x,
 * β = mean T (so that rescaling the times rescales the fitted α and β exactly). They return
 * ::RTN_ENOCONV when the optimiser stops short of a maximum, never a half-fitted answer — in
 * particular when the likelihood keeps rising towards a degenerate limit of the model (all
 * customers buying at one rate as r, α → ∞, or dropping out at one rate as s, β → ∞), which
 * the fit detects as a parameter leaving a box of a factor 1e6 around the start (1e5 for a
 * search that stalls there). On the CDNOW sample (lifetimes' 2,357-customer summary, weeks,
 * times to 2 decimals) the fit gives r = 0.5533, α = 10.578, s = 0.6062, β = 11.668,
 * LL = −9594.974 in about 10 ms (published: r = 0.55, α = 10.58, s = 0.61, β = 11.67,
 * LL = −9595.0).
 *
 * **Threads and memory.** Every function is reentrant and keeps no state. The fit allocates
 * one row per customer (malloc), predict and DERT one or two doubles per customer (results are
 * written only once all are computed: outputs are untouched on any error); all of it is freed
 * before returning, on every path.
 */
#ifndef RETENTION_PARETO_NBD_H
#define RETENTION_PARETO_NBD_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The Pareto/NBD log-likelihood Σ_i w_i log L(r, α, s, β | x_i, t_x_i, T_i) (see the file
 * comment), summed with compensated summation.
 * @param params {r, alpha, s, beta}, each finite and > 0.
 * @param x, t_x, T the n customers (see the file comment).
 * @param weight NULL (all 1) or n finite weights ≥ 0 (a row of weight 0 adds nothing).
 * @param[out] ll the log-likelihood (≤ 0 when the weights are whole).
 * @param[out] bad_index may be NULL: the first bad customer or weight on ::RTN_EDOMAIN.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL pointer (other than @p weight, @p bad_index) or
 *         n = 0; ::RTN_EDOMAIN for a bad parameter (bad_index not written) or a bad customer
 *         or weight; ::RTN_EOVERFLOW if the weighted sum is not finite; ::RTN_ENOCONV if a
 *         quadrature did not converge (not seen in practice).
 */
RTN_API int rtn_pnbd_loglik(const double params[4], const double *x, const double *t_x,
                            const double *T, const double *weight, size_t n, double *ll,
                            size_t *bad_index);

/**
 * Maximum-likelihood Pareto/NBD parameters for n customers (see rtn_pnbd_loglik()).
 * @param[out] params {r, alpha, s, beta} at the maximum.
 * @param[out] se may be NULL: their standard errors from the inverse of the observed
 *        information (numerical Hessian); NaN when it is not positive definite (a flat or
 *        boundary optimum).
 * @param[out] ll may be NULL: the maximised log-likelihood.
 * @param[out] bad_index may be NULL: the first bad customer or weight on ::RTN_EDOMAIN.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL @p x, @p t_x, @p T or @p params, or n = 0;
 *         ::RTN_EDOMAIN for a bad customer or weight; ::RTN_EUNDEFINED when no customer of
 *         positive weight made a repeat purchase (x > 0); ::RTN_ENOCONV when the optimiser
 *         does not reach a maximum; ::RTN_ENOMEM.
 */
RTN_API int rtn_pnbd_fit(const double *x, const double *t_x, const double *T, const double *weight,
                         size_t n, double params[4], double se[4], double *ll, size_t *bad_index);
/**
 * The same as rtn_pnbd_fit(), with the scratch memory taken from @p alloc (NULL: malloc/free; it
 * must have both functions, else ::RTN_EINVAL). Every allocation is freed before returning; on
 * ::RTN_ENOMEM nothing is written.
 */
RTN_API int rtn_pnbd_fit_alloc(const double *x, const double *t_x, const double *T,
                               const double *weight, size_t n, double params[4], double se[4],
                               double *ll, size_t *bad_index, const rtn_allocator *alloc);

/**
 * Per customer: the probability of being alive at T, and the expected number of purchases in
 * (T, T + horizon] (see the file comment). Either output may be NULL (a customer with t_x = T
 * is alive for sure: P(alive) = 1).
 * @param horizon t ≥ 0, finite, in the time unit of the data (0 gives 0 expected purchases).
 * @param[out] p_alive, expected n values each, or NULL.
 * @param[out] bad_index may be NULL: the first bad customer on ::RTN_EDOMAIN.
 * @return ::RTN_OK (also for n = 0, where the columns may be NULL); ::RTN_EINVAL for NULL
 *         @p params or a NULL column with n > 0; ::RTN_EDOMAIN for a bad parameter or horizon
 *         (bad_index not written) or a bad customer; ::RTN_EOVERFLOW when an expectation is
 *         too large for a double; ::RTN_ENOMEM; ::RTN_ENOCONV as rtn_pnbd_loglik().
 */
RTN_API int rtn_pnbd_predict(const double params[4], const double *x, const double *t_x,
                             const double *T, size_t n, double horizon, double *p_alive,
                             double *expected, size_t *bad_index);
/**
 * The same as rtn_pnbd_predict(), with the scratch memory taken from @p alloc (NULL: malloc/free; it
 * must have both functions, else ::RTN_EINVAL). Every allocation is freed before returning; on
 * ::RTN_ENOMEM nothing is written.
 */
RTN_API int rtn_pnbd_predict_alloc(const double params[4], const double *x, const double *t_x,
                                   const double *T, size_t n, double horizon, double *p_alive,
                                   double *expected, size_t *bad_index,
                                   const rtn_allocator *alloc);

/**
 * The expected number of purchases of a new customer over (0, t] (see the file comment):
 * E[X(t)] = r β / (α (s − 1)) [1 − (β / (β + t))^(s−1)], r β / α · log(1 + t / β) at s = 1.
 * It grows like (r / α) t for small t and tends to r β / (α (s − 1)) for s > 1.
 * @param t ≥ 0, finite.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL pointer; ::RTN_EDOMAIN for a bad parameter or t;
 *         ::RTN_EOVERFLOW if the result is too large for a double.
 */
RTN_API int rtn_pnbd_new_customer(const double params[4], double t, double *expected);

/**
 * The distribution of a new customer's purchases in (0, t]: P(X(t) = k) for k = 0 … kmax − 1
 * (Fader & Hardie 2006, "Deriving an expression for P(X(t) = x) under the Pareto/NBD model",
 * in its integral form). Mixing the Poisson count of a customer alive throughout, and of one
 * who drops out at τ ∈ (0, t] (density s β^s (β + τ)^−(s+1) once μ is integrated out), over
 * λ ~ Gamma(r, α):
 *   P(X(t) = x) = Γ(r + x) / (Γ(r) x!) · [ (α / (α + t))^r (t / (α + t))^x (β / (β + t))^s
 *                 + s α^r β^s ∫_0^t τ^x (α + τ)^−(r+x) (β + τ)^−(s+1) dτ ].
 * The integral (the note's sum of 2F1 terms) is taken in u = log τ, where its log-integrand is
 * concave: exactly left of where the integrand is a power of τ to 1e-17, by adaptive
 * Gauss-Kronrod quadrature around its peak beyond; every term is formed in log space, so
 * α = β, k in the thousands and t from 1e-300 to 1e300 give finite values in [0, 1]. The
 * values sum to 1 − P(X(t) ≥ kmax) and Σ k P(X(t) = k) → rtn_pnbd_new_customer() as kmax
 * grows (both to about 1e-14); each value is good to about 1e-13 relative against 40-digit
 * references.
 * @param t ≥ 0, finite (t = 0 gives 1, 0, 0, …).
 * @param[out] pmf kmax values, written only on success.
 * @param kmax ≥ 1. The work is one quadrature per value (microseconds each).
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL pointer or kmax = 0; ::RTN_EDOMAIN for a bad
 *         parameter or t; ::RTN_ENOMEM; ::RTN_ENOCONV if a quadrature did not converge (not
 *         seen in practice).
 */
RTN_API int rtn_pnbd_pmf(const double params[4], double t, double *pmf, size_t kmax);
/**
 * The same as rtn_pnbd_pmf(), with the scratch memory taken from @p alloc (NULL: malloc/free; it
 * must have both functions, else ::RTN_EINVAL). Every allocation is freed before returning; on
 * ::RTN_ENOMEM nothing is written.
 */
RTN_API int rtn_pnbd_pmf_alloc(const double params[4], double t, double *pmf, size_t kmax,
                               const rtn_allocator *alloc);

/**
 * Discounted expected residual transactions per customer (Fader, Hardie & Lee 2005, "RFM and
 * CLV", eq. 2; see the file comment): the present value at T of one unit per future purchase,
 * discounted continuously at rate δ. Multiply by the expected margin per purchase for a
 * customer's residual lifetime value. A discount rate of d per period of k time units is
 * δ = log(1 + d) / k (15 % a year with weekly data: δ = log(1.15) / 52).
 * @param delta δ > 0, finite, per time unit of the data.
 * @param[out] out n values.
 * @param[out] bad_index may be NULL: the first bad customer on ::RTN_EDOMAIN.
 * @return ::RTN_OK (also for n = 0, where the columns may be NULL); ::RTN_EINVAL for NULL
 *         @p params or a NULL column or @p out with n > 0; ::RTN_EDOMAIN for a bad parameter
 *         or δ (bad_index not written) or a bad customer; ::RTN_EOVERFLOW when a value is too
 *         large for a double; ::RTN_ENOMEM; ::RTN_ENOCONV if a quadrature did not converge
 *         (not seen in practice).
 */
RTN_API int rtn_pnbd_dert(const double params[4], const double *x, const double *t_x,
                          const double *T, size_t n, double delta, double *out, size_t *bad_index);
/**
 * The same as rtn_pnbd_dert(), with the scratch memory taken from @p alloc (NULL: malloc/free; it
 * must have both functions, else ::RTN_EINVAL). Every allocation is freed before returning; on
 * ::RTN_ENOMEM nothing is written.
 */
RTN_API int rtn_pnbd_dert_alloc(const double params[4], const double *x, const double *t_x,
                                const double *T, size_t n, double delta, double *out,
                                size_t *bad_index, const rtn_allocator *alloc);

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_PARETO_NBD_H */
