/* Private helpers shared by the modules. Not installed; every non-static symbol here carries the
 * private prefix rtn__ and is hidden from the shared library's exports. */
#ifndef RETENTION_INTERNAL_H
#define RETENTION_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "retention.h"

/* A double that is neither NaN nor infinite. */
static inline int rtn__finite(double x) { return isfinite(x) != 0; }

/* A finite double ≥ 0 (money amounts, durations). */
static inline int rtn__nonneg(double x) { return isfinite(x) && x >= 0.0; }

/* Writes a computed double result, or reports RTN_EOVERFLOW when finite inputs produced an
 * infinite or NaN result (1e308 / 1e-300, say): the library never returns inf as an answer. */
static inline int rtn__result(double v, double *out)
{
    if (!isfinite(v))
        return RTN_EOVERFLOW;
    *out = v;
    return RTN_OK;
}

/* a + b into *sum unless it would wrap around 2^64: returns 0 on success, -1 on overflow. */
static inline int rtn__add_u64(uint64_t a, uint64_t b, uint64_t *sum)
{
    if (b > UINT64_MAX - a)
        return -1;
    *sum = a + b;
    return 0;
}

/* Neumaier's variant of Kahan summation (Neumaier 1974): the running compensation also catches
 * the case where the new term is larger than the sum, which plain Kahan loses. */
typedef struct rtn__sum {
    double sum;
    double comp;
} rtn__sum;

static inline void rtn__sum_add(rtn__sum *s, double x)
{
    double t = s->sum + x;
    if (fabs(s->sum) >= fabs(x))
        s->comp += (s->sum - t) + x;
    else
        s->comp += (x - t) + s->sum;
    s->sum = t;
}

static inline double rtn__sum_value(const rtn__sum *s) { return s->sum + s->comp; }

/* The standard-normal quantile z with upper-tail probability q, for 0 < q < 1: P(Z > z) = q.
 * Wichura's AS 241 (PPND16), accurate to about 1e-16 relative. */
double rtn__normal_upper_quantile(double q);

/* Two-sided critical value of a confidence level c in (0, 1): z with P(|Z| ≤ z) = c.
 * Returns -1 if c is not in (0, 1) (NaN included), else 0 and *z. */
int rtn__normal_critical(double confidence, double *z);

/* Two-sided p-value of a standard-normal statistic: P(|Z| ≥ |z|) = erfc(|z| / sqrt 2). */
double rtn__normal_two_sided_p(double z);

/* counts[b] += number of bytes equal to lo + b in s[0..n), for b < nbins (≤ 256); other bytes
 * are ignored. Vectorised (lib/bytecount.c). */
void rtn__count_bytes(const uint8_t *s, size_t n, uint32_t lo, uint32_t nbins, uint64_t *counts);

/* The kernel's paths, for the tests to check each one whatever this CPU would pick: the scalar
 * loop; the 16-byte and the AVX2 32-byte vector kernels, which return 0 (doing nothing) for an
 * nbins outside 2..16. rtn__count_bytes_paths() tells which exist here: bit 0 scalar, bit 1
 * 16-byte, bit 2 AVX2 (compiled in and supported by this CPU); call only those. */
void rtn__count_bytes_scalar(const uint8_t *s, size_t n, uint32_t lo, uint32_t nbins,
                             uint64_t *counts);
int rtn__count_bytes_v16(const uint8_t *s, size_t n, uint32_t lo, uint32_t nbins, uint64_t *counts);
int rtn__count_bytes_v32(const uint8_t *s, size_t n, uint32_t lo, uint32_t nbins, uint64_t *counts);
int rtn__count_bytes_paths(void);

/* Calendar internals (lib/calendar.c): days since 1970-01-01 of a proleptic Gregorian date and
 * back; the period index of a time and the first second of a period, for parameters that
 * rtn__calendar_check() (0 = valid) has accepted and times in RTN_TIME_MIN … RTN_TIME_MAX. */
int64_t rtn__days_from_civil(int64_t year, int64_t month, int64_t day);
void rtn__civil_from_days(int64_t days, int64_t *year, int64_t *month, int64_t *day);
int rtn__calendar_check(int32_t unit, int64_t seconds, int32_t utc_offset_minutes);
int64_t rtn__period_of(int64_t time, int32_t unit, int64_t seconds, int32_t offset_minutes);
int64_t rtn__period_start(int64_t period, int32_t unit, int64_t seconds, int32_t offset_minutes);

/* Wilson score interval for k of n (n > 0, k ≤ n) with two-sided critical value z. */
void rtn__wilson(uint64_t k, uint64_t n, double z, double *low, double *high);

/* A sum kept as an unevaluated hi + lo (double-double, ~106 bits): sums of ordinary amounts
 * (revenue, case weights) are then exact, so a merged state does not depend on how the input
 * was split and merged. */
typedef struct rtn__dd {
    double hi, lo;
} rtn__dd;

static inline rtn__dd rtn__dd_add(rtn__dd a, double x, double y)
{
    /* a + x + y; Knuth's two-sum of the leading parts, then the tails */
    double s = a.hi + x;
    double bb = s - a.hi;
    double err = (a.hi - (s - bb)) + (x - bb);
    double lo = a.lo + y + err;
    rtn__dd r;
    r.hi = s + lo;
    r.lo = lo - (r.hi - s);
    return r;
}

/* Special functions (lib/special.c). rtn__lgamma: log Γ(x) for x > 0 (NaN otherwise), thread-safe
 * unlike lgamma(). rtn__gamma_q: the regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a)
 * for a > 0, x ≥ 0. rtn__chisq_upper: P(χ²_df ≥ x) = Q(df / 2, x / 2), 1 for x ≤ 0. */
double rtn__lgamma(double x);
double rtn__gamma_q(double a, double x);
double rtn__chisq_upper(double x, double df);
/* ψ(x) = d/dx log Γ(x), x > 0; log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b), a, b > 0;
 * log 2F1(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1 by its (positive) series, NaN if it does
 * not converge within 10^7 terms. */
double rtn__digamma(double x);
double rtn__lbeta(double a, double b);
/* log Γ(x + t) − log Γ(x) for x > 0, t ≥ 0 (the log of the Pochhammer symbol (x)_t), without the
 * cancellation of the two log-gammas when x is large. */
double rtn__lpoch(double x, double t);
double rtn__log_hyp2f1(double a, double b, double c, double z);

/* Minimisation (lib/optim.c), for maximum-likelihood fits over at most RTN__OPT_MAX unconstrained
 * parameters (the models pass logs of positive parameters). The objective returns f(x) and,
 * when grad is not NULL and it can, the gradient (say so with analytic = 1); a non-finite value
 * means "outside the domain". rtn__minimize: BFGS from x (updated in place), RTN_OK with *fx,
 * or RTN_ENOCONV. rtn__log_param_se: the standard errors of exp(x) from the inverse numerical
 * Hessian of f at the optimum x (f a negative log-likelihood); -1 when it is not positive
 * definite. */
#define RTN__OPT_MAX 8
typedef double (*rtn__objective)(const double *x, double *grad, void *ctx);
int rtn__minimize(rtn__objective f, void *ctx, size_t n, int analytic, double *x, double *fx,
                  unsigned *iterations);
int rtn__log_param_se(rtn__objective f, void *ctx, size_t n, const double *x, double *se);

/* Customers of the purchase models (lib/customers.c): rtn__customers_check validates (x, t_x,
 * T[, weight]) columns — whole x ≥ 0, 0 ≤ t_x ≤ T, t_x > 0 exactly when x > 0, finite, weights
 * finite ≥ 0 — giving RTN_EDOMAIN and the first bad index; rtn__customers_group returns the
 * customers of positive weight sorted by (x, t_x, T), identical ones folded into one row with
 * their summed weight (*m rows, *total weight; rtn__free() it with a), or NULL for no memory. */
typedef struct rtn__customer {
    double x, tx, T, w;
} rtn__customer;
int rtn__customers_check(const double *x, const double *t_x, const double *T,
                         const double *weight, size_t n, size_t *bad_index);
rtn__customer *rtn__customers_group(const double *x, const double *t_x, const double *T,
                                    const double *weight, size_t n, size_t *m, double *total,
                                    const rtn_allocator *a);

/* Radix-sorts n unsigned 64-bit keys (e.g. the bits of non-negative doubles, which sort as
 * their values) carrying a 32-bit payload, using scratch arrays of the same sizes; stable; the
 * result ends in keys/vals (lib/survival.c). */
void rtn__sort_keys(uint64_t *keys, uint32_t *vals, uint64_t *keys_tmp, uint32_t *vals_tmp,
                    size_t n);

/* Allocation through a caller's allocator (lib/cohort.c): rtn__alloc returns NULL when
 * count × size overflows, too; rtn__free accepts NULL. */
void *rtn__alloc(const rtn_allocator *a, size_t count, size_t size);
void rtn__free(const rtn_allocator *a, void *p);
void rtn__default_allocator(rtn_allocator *a);
/* The allocator a handle keeps: a copy of @p given, or malloc/free for NULL; RTN_EINVAL for an
 * allocator without both functions. */
int rtn__allocator_of(const rtn_allocator *given, rtn_allocator *out);

#endif /* RETENTION_INTERNAL_H */
