/**
 * @file retention/scores.h
 * @brief Survey and support scores: Net Promoter Score, CSAT, CES, average handle time.
 *
 * The mergeable state of every survey score is a histogram of counts per score value, a plain
 * `uint64_t` array the caller owns. The counting functions *add* into it, so partial histograms
 * from many threads, files or machines add element-wise into the histogram of all the responses;
 * one call then turns it into the score. Counting runs near memory speed (a vectorised kernel, no
 * allocation). Thread-safe: concurrent calls must use distinct histograms.
 */
#ifndef RETENTION_SCORES_H
#define RETENTION_SCORES_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/** @name Counting scores into a histogram @{ */

/**
 * Adds the responses of a column of integer scores on the scale [scale_min, scale_max] into a
 * histogram: hist[v − scale_min] += number of responses equal to v.
 *
 * The column is validated in full before anything is added, so on error @p hist is unchanged.
 * @param scores     the responses; may be NULL only if n = 0.
 * @param n          number of responses (0 is valid and adds nothing).
 * @param scale_min  lowest valid score; @param scale_max highest valid score (scale_min <
 *                   scale_max ≤ 255).
 * @param[in,out] hist scale_max − scale_min + 1 counts.
 * @param[out] bad_index may be NULL; on ::RTN_EDOMAIN receives the index of the first score
 *                   outside the scale.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL @p hist, NULL @p scores with n > 0, or an impossible
 *         scale; ::RTN_EDOMAIN if a score is outside the scale; ::RTN_EOVERFLOW if a count would
 *         pass 2^64 − 1.
 */
RTN_API int rtn_scores_count(const uint8_t *scores, size_t n, uint32_t scale_min,
                             uint32_t scale_max, uint64_t *hist, size_t *bad_index);

/**
 * The number of counts in the histogram of a scale, scale_max − scale_min + 1: the length every
 * `hist` argument on that scale must have (the functions cannot check a buffer's length, so size
 * it with this). For FFIs, the one place the scale rule lives.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL @p len or an impossible scale (scale_min ≥
 *         scale_max or scale_max > 255).
 */
RTN_API int rtn_scores_hist_len(uint32_t scale_min, uint32_t scale_max, size_t *len);
/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @name Net Promoter Score
 * Scores 0–10: promoters answer 9–10, passives 7–8, detractors 0–6. With n responses,
 * p = promoters / n and d = detractors / n: NPS = 100 (p − d), in [−100, 100]; 0 when promoters
 * equal detractors. Var(p − d) = (p + d − (p − d)²) / n (a multinomial difference of shares). @{ */

/** Number of counts in an NPS histogram: 11 (scores 0 to 10). */
#define RTN_NPS_HIST_LEN 11
/** Function twin of ::RTN_NPS_HIST_LEN for FFIs that cannot see macros. */
RTN_API size_t rtn_nps_hist_len(void);

/** Interval methods of rtn_nps_interval(). Their values are pinned forever, like status codes. */
typedef enum rtn_nps_interval_method {
    /** NPS ± z·SE on the observed shares. */
    RTN_NPS_WALD = 0,
    /** Adjusted Wald (Rocks 2016, as used by Sauro & Lewis): add 3/4 to the promoter and the
     *  detractor counts and 3 to n before the Wald interval; better coverage for small n and
     *  shares near 0 or 1. */
    RTN_NPS_ADJUSTED_WALD = 1
} rtn_nps_interval_method;

/**
 * Adds a column of 0–10 scores into an 11-count NPS histogram (rtn_scores_count() on [0, 10]).
 * @return as rtn_scores_count(): ::RTN_EDOMAIN (with @p bad_index) for a score above 10.
 */
RTN_API int rtn_nps_count(const uint8_t *scores, size_t n, uint64_t *hist, size_t *bad_index);

/**
 * Promoters (9–10), passives (7–8) and detractors (0–6) of an 11-count NPS histogram.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL pointer; ::RTN_EOVERFLOW if a sum passes 2^64 − 1.
 */
RTN_API int rtn_nps_categories(const uint64_t *hist, uint64_t *promoters, uint64_t *passives,
                               uint64_t *detractors);

/**
 * Shares of promoters, passives and detractors among all n = promoters + passives + detractors
 * responses, each in [0, 1].
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL out-pointer; ::RTN_EUNDEFINED if n = 0;
 *         ::RTN_EOVERFLOW if n passes 2^64 − 1.
 */
RTN_API int rtn_nps_shares(uint64_t promoters, uint64_t passives, uint64_t detractors,
                           double *promoter_share, double *passive_share,
                           double *detractor_share);

/**
 * Net Promoter Score and its standard error, in points.
 *   NPS = 100 (p − d);  SE = 100 · sqrt((p + d − (p − d)²) / n).
 * @param[out] nps in [−100, 100].
 * @param[out] std_error may be NULL; ≥ 0.
 * @return ::RTN_OK; ::RTN_EINVAL if @p nps is NULL; ::RTN_EUNDEFINED if there are no responses;
 *         ::RTN_EOVERFLOW if n passes 2^64 − 1.
 * Example: 50 promoters, 30 passives, 20 detractors: NPS 30, SE 100·sqrt((0.7 − 0.09)/100) = 7.81.
 */
RTN_API int rtn_nps_score(uint64_t promoters, uint64_t passives, uint64_t detractors,
                          double *nps, double *std_error);

/**
 * Confidence interval for the NPS, in points: centre ± z · SE with z the two-sided
 * standard-normal quantile of @p confidence, using the observed counts (::RTN_NPS_WALD) or the
 * adjusted counts P + 3/4, D + 3/4, n + 3 for both centre and SE (::RTN_NPS_ADJUSTED_WALD).
 * Bounds are clipped to [−100, 100].
 * @param method an ::rtn_nps_interval_method.
 * @param confidence in (0, 1), e.g. 0.95.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL out-pointer, an unknown method or a confidence
 *         outside (0, 1); ::RTN_EUNDEFINED if there are no responses; ::RTN_EOVERFLOW if n
 *         passes 2^64 − 1.
 */
RTN_API int rtn_nps_interval(uint64_t promoters, uint64_t passives, uint64_t detractors,
                             int32_t method, double confidence, double *low, double *high);

/**
 * Two-sample z test of equal NPS in two independent samples A and B:
 *   z = (NPS_A − NPS_B) / sqrt(SE_A² + SE_B²),  p = 2 (1 − Φ(|z|)) (two-sided).
 * @param[out] z the statistic (positive when A scores higher).
 * @param[out] p_value two-sided, in [0, 1].
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL out-pointer; ::RTN_EUNDEFINED if a sample is empty
 *         or both standard errors are 0 (every response the same category in both samples);
 *         ::RTN_EOVERFLOW if a sample's n passes 2^64 − 1.
 */
RTN_API int rtn_nps_ztest(uint64_t promoters_a, uint64_t passives_a, uint64_t detractors_a,
                          uint64_t promoters_b, uint64_t passives_b, uint64_t detractors_b,
                          double *z, double *p_value);
/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @name CSAT and CES
 * Both read a histogram made by rtn_scores_count() on the same scale. Vendors differ in scales:
 * CSAT is commonly 1–5 with 4–5 "satisfied" (satisfied_min = 4), CES commonly 1–7. Every function
 * returns ::RTN_EINVAL for NULL pointers or an impossible scale (scale_min ≥ scale_max,
 * scale_max > 255), ::RTN_EUNDEFINED for an empty histogram, and ::RTN_EOVERFLOW when the
 * histogram's total passes 2^64 − 1. @{ */

/**
 * Customer satisfaction: the share of responses at or above @p satisfied_min (top-2 box on 1–5
 * with satisfied_min = 4), in [0, 1]; SE = sqrt(csat (1 − csat) / n).
 * @param satisfied_min in [scale_min, scale_max], else ::RTN_EINVAL.
 * @param[out] std_error may be NULL.
 * For an interval use rtn_csat_interval() (Wilson), not ± z·SE.
 */
RTN_API int rtn_csat_score(const uint64_t *hist, uint32_t scale_min, uint32_t scale_max,
                           uint32_t satisfied_min, double *csat, double *std_error);

/**
 * Wilson score interval (see rtn_rate_wilson_interval()) for the CSAT share.
 * @return also ::RTN_EINVAL for a confidence outside (0, 1).
 */
RTN_API int rtn_csat_interval(const uint64_t *hist, uint32_t scale_min, uint32_t scale_max,
                              uint32_t satisfied_min, double confidence, double *low,
                              double *high);

/**
 * Customer effort score: the mean score, in scale units (within [scale_min, scale_max]);
 * SE = s / sqrt(n) with s the sample standard deviation (n − 1 in the denominator).
 * @param[out] std_error may be NULL; if it is not, n ≥ 2 is needed (else ::RTN_EUNDEFINED).
 */
RTN_API int rtn_ces_score(const uint64_t *hist, uint32_t scale_min, uint32_t scale_max,
                          double *mean, double *std_error);
/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @name Support @{ */

/**
 * Average handle time: the mean of a column of durations (any unit, e.g. seconds per contact),
 * summed with Neumaier's compensated summation so that 10^9 values lose no precision.
 * @param durations finite values ≥ 0; may be NULL only if n = 0.
 * @param[out] mean in the durations' unit.
 * @param[out] bad_index may be NULL; on ::RTN_EDOMAIN the index of the first negative, NaN or
 *             infinite duration.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL pointer; ::RTN_EUNDEFINED if n = 0; ::RTN_EDOMAIN;
 *         ::RTN_EOVERFLOW never in practice (a sum past DBL_MAX is redone at a smaller scale).
 */
RTN_API int rtn_handle_time_mean(const double *durations, size_t n, double *mean,
                                 size_t *bad_index);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_SCORES_H */
