/**
 * @file retention/survival.h
 * @brief Customer survival: Kaplan-Meier curves, Greenwood intervals, quantiles, restricted
 *        mean, and the G-rho family of log-rank tests — the numbers R's `survival` package gives.
 *
 * **Data.** Subject i (a customer) is observed from its entry time (0, or entry[i] under left
 * truncation) to duration[i] ≥ 0, where it either churned (event[i] = 1) or was still a customer
 * when observation stopped (event[i] = 0, right-censored); weight[i] ≥ 0 is a case weight (a
 * subject of weight 2 counts as two identical subjects). Time units are the caller's (days, say).
 * Times are tied only when exactly equal as doubles (−0 counts as +0); ::RTN_KM_TIE_TOLERANCE
 * merges times closer than a tolerance. (R's survfit, whose default timefix = TRUE merges times
 * equal to within about 1.5e-8 relative, agrees with exact equality unless such near-ties exist.)
 *
 * **Kaplan-Meier** (Kaplan & Meier 1958), at the distinct times t_1 < t_2 < … at which some
 * subject leaves (an event or a censoring):
 *   n_j = Σ weights of subjects at risk at t_j (entry < t_j ≤ duration; all subjects without an
 *         entry time are at risk from the start),  d_j = Σ weights of events at t_j,
 *   S(t) = Π_{t_j ≤ t} (1 − d_j / n_j),
 *   Greenwood: G(t) = Σ_{t_j ≤ t} d_j / (n_j (n_j − d_j)), the variance of log S(t);
 *   std_err(t) = S(t) · √G(t), the standard error of S(t) as R's summary(survfit) prints it
 *   (NaN once S = 0, where G is infinite — R prints NaN there too).
 * Confidence bounds at level c with z = Φ⁻¹((1 + c) / 2), as R's survfit computes them:
 *   "log" (R's default): S · exp(∓ z √G), the upper bound capped at 1;
 *   "log-log" (lifelines' default): exp(−exp(log(−log S) ± z √G / log S)), NaN where S is 0 or 1;
 *   "plain": S ∓ z · std_err, clipped to [0, 1];
 * and NaN for every type where S = 0 (R's NA).
 *
 * **Mergeable state.** A builder keeps, per distinct time, the numbers of events, censorings and
 * entries (and their weight sums): a table, not the subjects. Builders of any two parts of the
 * data merge into exactly the builder of the whole (counts add; weight sums are kept in
 * double-double precision, so ordinary weights sum exactly whatever the split), and serialise to
 * a versioned, little-endian byte format to travel between processes and machines. Pre-counted
 * tables (time, events, censored) enter through rtn_km_builder_add_counts().
 *
 * **Memory and time.** A builder holds one 32-byte slot per distinct time in a hash table
 * (about 64 bytes per distinct time, 48 more once weights are used): data with many repeated
 * times (days, hours) aggregates in cache-sized memory whatever the number of subjects. Adding
 * is one hash update per subject; finishing sorts the distinct times.
 *
 * **Ownership and threads.** Builders and curves are opaque handles released with
 * rtn_km_builder_free() / rtn_km_free() (NULL is a no-op). A handle is used by one thread at a
 * time; const functions (finish, serialise, the curve's accessors, the log-rank test) may run
 * concurrently on the same handle.
 *
 * Typical use:
 * @code
 * rtn_km *km = NULL;
 * double median, lo, hi;
 * if (rtn_km_build(duration, churned, n, RTN_CONF_LOG, 0.95, &km, NULL) == RTN_OK &&
 *     rtn_km_quantile(km, 0.5, &median, &lo, &hi) == RTN_OK && !isnan(median))
 *     printf("median lifetime %g (%g, %g)\n", median, lo, hi);
 * rtn_km_free(km);
 * @endcode
 */
#ifndef RETENTION_SURVIVAL_H
#define RETENTION_SURVIVAL_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtn_km_builder rtn_km_builder;
typedef struct rtn_km rtn_km;

/** Confidence-interval transformations (see the file comment). Values pinned forever. */
typedef enum rtn_conf_type {
    RTN_CONF_LOG = 0,     /**< R's default */
    RTN_CONF_LOG_LOG = 1, /**< lifelines' default */
    RTN_CONF_PLAIN = 2
} rtn_conf_type;

/** Builder parameters for rtn_km_builder_set() / _get(). Values pinned forever. All may change
 *  at any time; they take effect at rtn_km_builder_finish(). */
typedef enum rtn_km_param {
    /** Confidence level c of the bounds, 0 < c < 1 (default 0.95). */
    RTN_KM_CONF_LEVEL = 0,
    /** An ::rtn_conf_type (default ::RTN_CONF_LOG). */
    RTN_KM_CONF_TYPE = 1,
    /** Tie tolerance τ ≥ 0, finite (default 0: exact equality). Going up the sorted distinct
     *  times, a time within τ of the first time of the current group joins that group; a group
     *  is reported at its first (smallest) time. */
    RTN_KM_TIE_TOLERANCE = 2
} rtn_km_param;

/** Columns of a curve, for rtn_km_column(). Values pinned forever. */
typedef enum rtn_km_column_id {
    RTN_KM_TIME = 0,     /**< the distinct times t_j at which subjects leave, increasing */
    RTN_KM_AT_RISK = 1,  /**< n_j (weighted) */
    RTN_KM_EVENTS = 2,   /**< d_j (weighted) */
    RTN_KM_CENSORED = 3, /**< censorings at t_j (weighted) */
    RTN_KM_SURVIVAL = 4, /**< S(t_j) */
    RTN_KM_STD_ERR = 5,  /**< standard error of S(t_j): S √G (NaN where S = 0) */
    RTN_KM_LOWER = 6,    /**< lower confidence bound (NaN where undefined) */
    RTN_KM_UPPER = 7,    /**< upper confidence bound (NaN where undefined) */
    RTN_KM_GREENWOOD = 8 /**< G(t_j), the variance of log S (+inf once S = 0) */
} rtn_km_column_id;

/* ---- the builder ------------------------------------------------------------------------------ */

/**
 * Creates an empty builder (confidence 0.95, "log" bounds, exact ties). @p alloc may be NULL
 * (malloc/free); it is copied.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL @p out or an allocator without both functions;
 *         ::RTN_ENOMEM.
 */
RTN_API int rtn_km_builder_create(rtn_km_builder **out, const rtn_allocator *alloc);

/** Releases a builder; NULL is a no-op. */
RTN_API void rtn_km_builder_free(rtn_km_builder *b);

/**
 * Sets a parameter (see ::rtn_km_param for ranges and defaults); an integer parameter
 * (the confidence type) must be given as an exact integer value.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL builder, an unknown parameter or a value outside its
 *         range (NaN included).
 */
RTN_API int rtn_km_builder_set(rtn_km_builder *b, int32_t param, double value);

/**
 * Reads a parameter's current value.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or an unknown parameter.
 */
RTN_API int rtn_km_builder_get(const rtn_km_builder *b, int32_t param, double *value);

/**
 * Adds subjects: duration[i] with event flag event[i], entered at entry[i] (left truncation)
 * and weighing weight[i]. Any order; the whole call is validated first, and on error nothing is
 * added.
 * @param duration n finite values ≥ 0.
 * @param event n flags, 0 (censored) or 1 (event).
 * @param entry NULL (every subject at risk from the start) or n finite values with
 *        0 ≤ entry[i] < duration[i]: subject i is at risk at times t with entry[i] < t ≤
 *        duration[i].
 * @param weight NULL (all 1) or n finite values ≥ 0; subjects of weight 0 are ignored.
 * @param[out] bad_index may be NULL; on ::RTN_EDOMAIN the index of the first bad subject.
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL builder, or a NULL duration or event column with
 *         n > 0; ::RTN_EDOMAIN for a negative, NaN or infinite duration, entry or weight, an
 *         event flag other than 0/1, or an entry not before its duration; ::RTN_EOVERFLOW if a
 *         weight sum would pass DBL_MAX or a count 2^64; ::RTN_ENOMEM. n = 0 adds nothing.
 */
RTN_API int rtn_km_builder_add(rtn_km_builder *b, const double *duration, const uint8_t *event,
                               const double *entry, const double *weight, size_t n,
                               size_t *bad_index);

/**
 * Adds a pre-counted table: at time[i], events[i] subjects had the event, censored[i] were
 * censored and entered[i] entered the risk set (at risk from just after time[i]). With
 * @p entered NULL, every subject of the call that leaves was at risk from the start (right-
 * censored data); with entry counts, none is: each must enter at an earlier time, which the
 * counts (of this and other calls) must show — checked at finish. Times may repeat and come in
 * any order; validation as rtn_km_builder_add().
 * @param time n finite values ≥ 0.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers with n > 0; ::RTN_EDOMAIN for a bad time;
 *         ::RTN_EOVERFLOW if a count would pass 2^64 (or a weight sum DBL_MAX); ::RTN_ENOMEM.
 */
RTN_API int rtn_km_builder_add_counts(rtn_km_builder *b, const double *time,
                                      const uint64_t *events, const uint64_t *censored,
                                      const uint64_t *entered, size_t n, size_t *bad_index);

/**
 * Merges @p from into @p into: afterwards @p into is the builder of both inputs. The parameters
 * of @p into are kept.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or the same builder twice; ::RTN_EOVERFLOW;
 *         ::RTN_ENOMEM (after an error @p into is unchanged).
 */
RTN_API int rtn_km_builder_merge(rtn_km_builder *into, const rtn_km_builder *from);

/**
 * Serialises a builder. Call with buf = NULL (or too small a cap) to learn the size in *len.
 *
 * Format version 1, integers little-endian, doubles as IEEE 754 binary64 bit patterns:
 *   "RTNKMBLD" (8 bytes) · u32 version = 1 · u32 flags (bit 0: weighted; others 0) ·
 *   f64 conf_level · i32 conf_type · i32 reserved = 0 · f64 tie_tolerance ·
 *   u64 n_initial (subjects at risk from the start) · f64 w_initial_hi · f64 w_initial_lo ·
 *   u64 n_times · n_times × (f64 time · u64 events · u64 censored · u64 entered
 *   [· if weighted: f64 hi, lo of the event, censored and entered weight sums]; 32 or 80 bytes)
 *   with times strictly increasing, none of them an empty entry · u64 FNV-1a checksum of every
 *   byte before it. Unweighted builders write their weight sums as the counts (w = n, lo = 0).
 * @return ::RTN_OK; ::RTN_EINVAL for a NULL builder or @p len; ::RTN_EBUFSIZE (with *len set)
 *         when buf is NULL or cap < *len; ::RTN_ENOMEM if the size would not fit a size_t.
 */
RTN_API int rtn_km_builder_serialize(const rtn_km_builder *b, uint8_t *buf, size_t cap,
                                     size_t *len);

/**
 * Re-creates a builder from rtn_km_builder_serialize()'s bytes, validating everything (length,
 * checksum, parameter ranges, order and finiteness of times, consistency of counts and weight
 * sums) before trusting any of it: a truncated, corrupt or hostile buffer is an error, never a
 * crash.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers; ::RTN_ECORRUPT; ::RTN_EVERSION for another
 *         format version; ::RTN_ENOMEM.
 */
RTN_API int rtn_km_builder_deserialize(rtn_km_builder **out, const uint8_t *buf, size_t len,
                                       const rtn_allocator *alloc);

/**
 * Computes the Kaplan-Meier curve of everything added so far (the builder is unchanged).
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers; ::RTN_EUNDEFINED when no subject leaves (no
 *         data), or when the risk set empties while subjects are still to enter (left
 *         truncation with a gap: the curve after the gap is not identified by the data), or when
 *         a pre-counted table has more subjects leaving than at risk; ::RTN_EOVERFLOW when
 *         weights span so wide a range (beyond about 10^30 between a weight sum and the
 *         smallest weight) that the double-double sums lose subjects; ::RTN_ENOMEM.
 */
RTN_API int rtn_km_builder_finish(const rtn_km_builder *b, rtn_km **out);

/**
 * One call for the common case: the curve of right-censored, unweighted subjects, with the
 * given ::rtn_conf_type and confidence level, using malloc. Sugar over a builder; errors as its
 * functions.
 */
RTN_API int rtn_km_build(const double *duration, const uint8_t *event, size_t n,
                         int32_t conf_type, double conf_level, rtn_km **out,
                         size_t *bad_index);

/* ---- the curve --------------------------------------------------------------------------------- */

/** Releases a curve; NULL is a no-op. */
RTN_API void rtn_km_free(rtn_km *km);

/** The number of rows (distinct times at which subjects leave), ≥ 1. */
RTN_API int rtn_km_size(const rtn_km *km, size_t *rows);

/**
 * Copies one column (an ::rtn_km_column_id) into @p out, which holds @p cap ≥ rows values.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or an unknown column; ::RTN_EBUFSIZE.
 */
RTN_API int rtn_km_column(const rtn_km *km, int32_t column, double *out, size_t cap);

/**
 * The curve at arbitrary times: S(t) = S(t_j) and its bounds for the last t_j ≤ t, and the last
 * row's values past the last time; before the first time S = 1 with bounds [1, 1] for every
 * type (all as R's summary(fit, times, extend = TRUE)). Each output may be NULL; non-NULL ones get n values.
 * @param t n finite times. @param[out] bad_index may be NULL; the first non-finite time.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers with n > 0; ::RTN_EDOMAIN for a NaN or
 *         infinite time.
 */
RTN_API int rtn_km_survival_at(const rtn_km *km, const double *t, size_t n, double *survival,
                               double *lower, double *upper, size_t *bad_index);

/**
 * The p-quantile of the lifetime: the time by which a share p of subjects has left — with R's
 * rule (quantile.survfit): the first time t_j with 1 − S(t_j) ≥ p, or, where 1 − S equals p
 * to within √ε ≈ 1.5e-8 on a flat stretch, the midpoint between that stretch's first time and
 * the next drop (the last time of all, for the last stretch). The median is p = 0.5. Its
 * confidence limits are the same rule applied to the lower (@p lower) and upper (@p upper)
 * bound curves. Each value is NaN (R's NA) where its curve never falls that far: a median "not
 * reached" while more than half the customers stay, whose lower limit may still be known.
 * @param p 0 ≤ p ≤ 1. @p lower and @p upper may be NULL.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or p outside [0, 1].
 */
RTN_API int rtn_km_quantile(const rtn_km *km, double p, double *time, double *lower,
                            double *upper);

/**
 * Restricted mean survival time up to @p horizon τ: ∫₀^τ S(t) dt (the expected lifetime
 * capped at τ, in time units), with R's standard error (survmean): √ Σ_{t_j ≤ τ} A_j² d_j /
 * (n_j (n_j − d_j)), A_j = ∫_{t_j}^τ S, terms with n_j = d_j left out. Past the last time S is
 * carried forward.
 * @param horizon finite, ≥ 0. @p std_err may be NULL.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers or a bad horizon; ::RTN_EOVERFLOW when the
 *         area passes DBL_MAX (times near it).
 */
RTN_API int rtn_km_rmst(const rtn_km *km, double horizon, double *rmst, double *std_err);

/* ---- comparing groups: the log-rank test --------------------------------------------------------- */

/**
 * The G-rho test (Harrington & Fleming 1982) that k groups have the same survival, as R's
 * survdiff(…, rho): at each distinct time t_j with d_j > 0 events among n_j at risk (all groups
 * pooled), with weight w_j = S(t_j−)^rho from the pooled Kaplan-Meier curve just before t_j
 * (rho = 0: the log-rank test; rho = 1: Peto & Peto's):
 *   O_g = Σ w_j d_gj,  E_g = Σ w_j d_j n_gj / n_j,
 *   V_gh = Σ w_j² d_j (n_j − d_j) / (n_j − 1) · (n_gj / n_j) (δ_gh − n_hj / n_j)  (n_j > 1),
 * chisq = (O − E)ᵀ V⁻ (O − E) over the groups with E_g > 0, dropping one (as R does); df = their
 * number − 1; p_value = P(χ²_df ≥ chisq). Groups are given as builders (so they may be built and
 * merged anywhere); their tie tolerances are ignored (times compare exactly). With unit weights
 * and no entry times this is survdiff's test; weights act as case weights and entry times
 * shrink the risk sets, as in the Kaplan-Meier curve.
 * @param groups k builders. @param rho finite, ≥ 0.
 * @param observed, expected k values each; @param variance k × k row-major; any of these and
 *        of @p chisq, @p df, @p p_value may be NULL.
 * @return ::RTN_OK; ::RTN_EINVAL for NULL pointers, k < 2 or k > 1024 (V has k² entries), a
 *         builder given twice or a bad rho;
 *         ::RTN_EUNDEFINED when fewer than two groups have E_g > 0 (no events to compare), when
 *         V is singular, or for a risk-set gap (see rtn_km_builder_finish()); ::RTN_ENOMEM.
 */
RTN_API int rtn_logrank(const rtn_km_builder *const *groups, size_t k, double rho,
                        double *observed, double *expected, double *variance, double *chisq,
                        uint32_t *df, double *p_value);

/**
 * rtn_logrank() from columns: subject i in group group[i] < k (groups may be empty), right-
 * censored and unweighted — survdiff(Surv(duration, event) ~ group, rho = rho); 2 ≤ k ≤ 1024.
 * Validation as rtn_km_builder_add(), plus ::RTN_EDOMAIN (with @p bad_index) for group[i] ≥ k.
 */
RTN_API int rtn_logrank_columns(const double *duration, const uint8_t *event,
                                const uint32_t *group, size_t n, uint32_t k, double rho,
                                double *observed, double *expected, double *variance,
                                double *chisq, uint32_t *df, double *p_value,
                                size_t *bad_index);

#ifdef __cplusplus
}
#endif

#endif /* RETENTION_SURVIVAL_H */
