/* Lifetime-value models (retention/models.h): sBG, BG/NBD, Gamma-Gamma and their CLV. Every
 * likelihood and prediction is a sum of logs (log-gamma, log-beta, log-sum-exp), so counts in
 * the thousands and ages in the tens of thousands stay finite. Fits maximise over the logs of
 * the parameters (lib/optim.c), on customers grouped by identical rows; the BG/NBD gradient is
 * analytic (derived below), the others' numerical. Sources for every formula are in the
 * header. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int positive(double v) { return isfinite(v) && v > 0.0; }

static int params_ok(const double *p, size_t k)
{
    if (!p)
        return 0;
    for (size_t i = 0; i < k; ++i)
        if (!positive(p[i]))
            return 0;
    return 1;
}

/* ---- shifted-beta-geometric ------------------------------------------------------------------- */

/* sBG parameters: finite and positive, and α + β finite (the Beta(α, β) ratios need it) */
static int sbg_params_ok(const double *p) { return params_ok(p, 2) && isfinite(p[0] + p[1]); }

static int sbg_check(const uint64_t *alive, const size_t *lengths, size_t cohorts)
{
    if (!alive || !lengths || cohorts == 0)
        return RTN_EINVAL;
    size_t at = 0;
    for (size_t c = 0; c < cohorts; ++c) {
        if (lengths[c] < 2 || alive[at] == 0)
            return RTN_EDOMAIN;
        for (size_t t = 1; t < lengths[c]; ++t)
            if (alive[at + t] > alive[at + t - 1])
                return RTN_EDOMAIN;
        at += lengths[c];
    }
    return RTN_OK;
}

typedef struct sbg_data {
    const uint64_t *alive;
    const size_t *lengths;
    size_t cohorts;
    double scale; /* 1 / total customers: keeps the objective near 1 */
} sbg_data;

/* LL with P(T = t) = B(α + 1, β + t − 1) / B(α, β) = α (β)_{t−1} / (α + β)_t and S(t) =
 * B(α, β + t) / B(α, β) = (β)_t / (α + β)_t, in log Pochhammer symbols (no cancellation of
 * large log-gammas whatever α and β) */
static double sbg_ll(double alpha, double beta, const sbg_data *d)
{
    double ll = 0.0, log_alpha = log(alpha);
    size_t at = 0;
    for (size_t c = 0; c < d->cohorts; ++c) {
        const uint64_t *n = d->alive + at;
        size_t len = d->lengths[c];
        for (size_t t = 1; t < len; ++t)
            if (n[t - 1] > n[t])
                ll += (double)(n[t - 1] - n[t]) * (log_alpha + rtn__lpoch(beta, (double)t - 1.0) -
                                                   rtn__lpoch(alpha + beta, (double)t));
        if (n[len - 1] > 0)
            ll += (double)n[len - 1] * (rtn__lpoch(beta, (double)(len - 1)) -
                                        rtn__lpoch(alpha + beta, (double)(len - 1)));
        at += len;
    }
    return ll;
}

static double sbg_objective(const double *x, double *grad, void *ctx)
{
    (void)grad;
    const sbg_data *d = ctx;
    return -sbg_ll(exp(x[0]), exp(x[1]), d) * d->scale;
}

int rtn_sbg_loglik(const double params[2], const uint64_t *alive, const size_t *lengths,
                   size_t cohorts, double *ll)
{
    if (!params || !ll)
        return RTN_EINVAL;
    int rc = sbg_check(alive, lengths, cohorts);
    if (rc != RTN_OK)
        return rc;
    if (!sbg_params_ok(params))
        return RTN_EDOMAIN;
    sbg_data d = {alive, lengths, cohorts, 1.0};
    return rtn__result(sbg_ll(params[0], params[1], &d), ll);
}

int rtn_sbg_fit(const uint64_t *alive, const size_t *lengths, size_t cohorts, double params[2],
                double se[2], double *ll)
{
    if (!params)
        return RTN_EINVAL;
    int rc = sbg_check(alive, lengths, cohorts);
    if (rc != RTN_OK)
        return rc;
    double start = 0.0; /* in double: counts near 2^64 must not wrap */
    int churned = 0;
    size_t at = 0;
    for (size_t c = 0; c < cohorts; ++c) {
        start += (double)alive[at];
        churned |= alive[at] != alive[at + lengths[c] - 1];
        at += lengths[c];
    }
    if (!churned)
        return RTN_EUNDEFINED; /* nobody left: S = 1 fits best, at β / α → ∞ */
    sbg_data d = {alive, lengths, cohorts, 1.0 / start};
    double x[2] = {0.0, 0.0}, f, s[2];
    rc = rtn__minimize(sbg_objective, &d, 2, 0, x, &f, NULL);
    if (rc != RTN_OK)
        return rc;
    /* no interior maximum — the optimiser ran off towards a boundary (everyone churning in one
     * period, cohorts too short to tell α from β), where the likelihood is flat: a curvature
     * that is not negative definite, or parameters beyond e^±15 */
    if (!(fabs(x[0]) < 15.0 && fabs(x[1]) < 15.0) ||
        rtn__log_param_se(sbg_objective, &d, 2, x, s) != 0)
        return RTN_EUNDEFINED;
    s[0] /= sqrt(start); /* the objective was scaled by 1 / start */
    s[1] /= sqrt(start);
    params[0] = exp(x[0]);
    params[1] = exp(x[1]);
    if (se) {
        se[0] = s[0];
        se[1] = s[1];
    }
    if (ll)
        *ll = -f * start;
    return RTN_OK;
}

int rtn_sbg_survival(const double params[2], double t, double *survival, double *retention)
{
    if (!params)
        return RTN_EINVAL;
    if (!sbg_params_ok(params) || !(t >= 0.0) || !isfinite(t) || (retention && t < 1.0))
        return RTN_EDOMAIN;
    double a = params[0], b = params[1];
    double s = exp(rtn__lpoch(b, t) - rtn__lpoch(a + b, t));
    double r = (b + (t - 1.0)) / (a + b + (t - 1.0)); /* t − 1 first: b ≪ 1 survives */
    if (survival)
        *survival = s;
    if (retention)
        *retention = r;
    return RTN_OK;
}

int rtn_sbg_del(const double params[2], double discount, uint64_t renewals, double *del,
                double *derl)
{
    if (!params)
        return RTN_EINVAL;
    if (!sbg_params_ok(params) || !positive(discount))
        return RTN_EDOMAIN;
    double a = params[0], b = params[1], z = 1.0 / (1.0 + discount), n = (double)renewals;
    double l_del = rtn__log_hyp2f1(1.0, b, a + b, z);
    double l_derl = rtn__log_hyp2f1(1.0, b + n + 1.0, a + b + n + 1.0, z);
    if (isnan(l_del) || isnan(l_derl))
        return RTN_ENOCONV; /* d so small that 10^7 terms of the series do not suffice */
    double v_del = exp(l_del), v_derl = (b + n) / (a + b + n) * exp(l_derl);
    if (!isfinite(v_del) || !isfinite(v_derl))
        return RTN_EOVERFLOW;
    if (del)
        *del = v_del;
    if (derl)
        *derl = v_derl;
    return RTN_OK;
}

/* ---- BG/NBD -------------------------------------------------------------------------------------- */

/* BG/NBD parameters: finite and positive, and a + b finite (the model's Beta(a, b) needs it
 * everywhere: a + b = inf would make its Pochhammer ratios inf / inf) */
static int bgnbd_params_ok(const double *p) { return params_ok(p, 4) && isfinite(p[2] + p[3]); }

/* A column's distinct values (T or t_x), each rtn__customer's index into them, and per evaluation the
 * log and reciprocal of α + value: a few hundred logs instead of one per customer. */
typedef struct distinct {
    uint32_t *index; /* per rtn__customer */
    double *value, *log_of, *inv_of;
    size_t n;
} distinct;

typedef struct bgnbd_data {
    const rtn__customer *rows;
    size_t n;
    double scale;          /* 1 / total weight */
    distinct *T, *tx;      /* NULL: compute each rtn__customer's logs directly */
} bgnbd_data;

static void distinct_free(distinct *d, const rtn_allocator *a)
{
    rtn__free(a, d->index);
    rtn__free(a, d->value);
    rtn__free(a, d->log_of);
    rtn__free(a, d->inv_of);
}

/* The distinct values of column `which` (0: T, 1: t_x) of the rows, by one radix sort of their
 * bits (non-negative doubles sort as integers); -1 for no memory. */
static int distinct_of(const rtn__customer *rows, size_t m, int which, distinct *d,
                       const rtn_allocator *a)
{
    memset(d, 0, sizeof *d);
    uint64_t *keys = rtn__alloc(a, m, sizeof *keys), *kt = rtn__alloc(a, m, sizeof *kt);
    uint32_t *vals = rtn__alloc(a, m, sizeof *vals), *vt = rtn__alloc(a, m, sizeof *vt);
    d->index = rtn__alloc(a, m, sizeof *d->index);
    d->value = rtn__alloc(a, m, sizeof *d->value);
    int ok = keys && kt && vals && vt && d->index && d->value && m <= UINT32_MAX;
    if (ok) {
        for (size_t i = 0; i < m; ++i) {
            double v = (which ? rows[i].tx : rows[i].T) + 0.0;
            memcpy(&keys[i], &v, sizeof v);
            vals[i] = (uint32_t)i;
        }
        if (m > 0)
            rtn__sort_keys(keys, vals, kt, vt, m);
        for (size_t i = 0; i < m; ++i) {
            if (i == 0 || keys[i] != keys[i - 1])
                memcpy(&d->value[d->n++], &keys[i], sizeof keys[i]);
            d->index[vals[i]] = (uint32_t)(d->n - 1);
        }
        d->log_of = rtn__alloc(a, d->n, sizeof *d->log_of);
        d->inv_of = rtn__alloc(a, d->n, sizeof *d->inv_of);
        ok = d->log_of && d->inv_of;
    }
    rtn__free(a, keys);
    rtn__free(a, kt);
    rtn__free(a, vals);
    rtn__free(a, vt);
    if (!ok)
        distinct_free(d, a);
    return ok ? 0 : -1;
}

static void distinct_eval(distinct *d, double alpha)
{
    for (size_t j = 0; j < d->n; ++j) {
        d->log_of[j] = log(alpha + d->value[j]);
        d->inv_of[j] = 1.0 / (alpha + d->value[j]);
    }
}

/* Σ w log L over sorted rows, with the gradient in the log parameters when g is not NULL.
 * The terms that depend on x alone (Γ and ψ of r + x, b + x, a + b + x) are computed once per
 * distinct x: rows come sorted by x. */
static double bgnbd_sum(const double p[4], const bgnbd_data *d, double g[4])
{
    const double r = p[0], alpha = p[1], a = p[2], b = p[3];
    const double log_alpha = log(alpha), log_a = log(a);
    const double ps_r = g ? rtn__digamma(r) : 0.0, ps_ab = g ? rtn__digamma(a + b) : 0.0;
    const double ps_b = g ? rtn__digamma(b) : 0.0;
    double ll = 0.0, dr = 0.0, dalpha = 0.0, da = 0.0, db = 0.0;
    double cur_x = -1.0, c_x = 0.0, cr = 0.0, ca = 0.0, cb = 0.0, log_bx1 = 0.0;
    if (d->T) {
        distinct_eval(d->T, alpha);
        distinct_eval(d->tx, alpha);
    }
    for (size_t i = 0; i < d->n; ++i) {
        const rtn__customer *q = &d->rows[i];
        double x = q->x, w = q->w;
        if (x != cur_x) { /* per-x constants */
            cur_x = x;
            c_x = rtn__lpoch(r, x) + r * log_alpha + rtn__lpoch(b, x) - rtn__lpoch(a + b, x);
            log_bx1 = x > 0.0 ? log(b + (x - 1.0)) : 0.0;
            if (g) {
                double ps_abx = rtn__digamma(a + b + x);
                cr = rtn__digamma(r + x) - ps_r + log_alpha;
                ca = ps_ab - ps_abx;
                cb = ps_ab + rtn__digamma(b + x) - ps_b - ps_abx;
            }
        }
        double l_T, inv_T, l_tx = 0.0, inv_tx = 0.0;
        if (d->T) {
            l_T = d->T->log_of[d->T->index[i]];
            inv_T = d->T->inv_of[d->T->index[i]];
        } else {
            l_T = log(alpha + q->T);
            inv_T = 1.0 / (alpha + q->T);
        }
        double l3 = -(r + x) * l_T, lse = l3, p3 = 1.0, p4 = 0.0;
        if (x > 0.0) { /* log(e^l3 + e^l4) with one exp and one log1p; the shares p3, p4 */
            if (d->tx) {
                l_tx = d->tx->log_of[d->tx->index[i]];
                inv_tx = d->tx->inv_of[d->tx->index[i]];
            } else {
                l_tx = log(alpha + q->tx);
                inv_tx = 1.0 / (alpha + q->tx);
            }
            double l4 = log_a - log_bx1 - (r + x) * l_tx, diff = l4 - l3;
            double e = exp(-fabs(diff));
            lse = fmax(l3, l4) + (e < 1e-8 ? e : log1p(e)); /* log1p(e) = e to rounding */
            p4 = diff > 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            p3 = diff > 0.0 ? e / (1.0 + e) : 1.0 / (1.0 + e);
        }
        ll += w * (c_x + lse);
        if (g) {
            dr += w * (cr - p3 * l_T - p4 * l_tx);
            dalpha += w * (r / alpha - (r + x) * (p3 * inv_T + p4 * inv_tx));
            da += w * (ca + p4 / a);
            db += w * (cb - (x > 0.0 ? p4 / (b + (x - 1.0)) : 0.0));
        }
    }
    if (g) { /* d/d log θ = θ d/dθ */
        g[0] = dr * r;
        g[1] = dalpha * alpha;
        g[2] = da * a;
        g[3] = db * b;
    }
    return ll;
}

static double bgnbd_objective(const double *x, double *grad, void *ctx)
{
    const bgnbd_data *d = ctx;
    double p[4] = {exp(x[0]), exp(x[1]), exp(x[2]), exp(x[3])}, g[4];
    double ll = bgnbd_sum(p, d, grad ? g : NULL);
    if (grad)
        for (int i = 0; i < 4; ++i)
            grad[i] = -g[i] * d->scale;
    return -ll * d->scale;
}

int rtn_bgnbd_loglik(const double params[4], const double *x, const double *t_x, const double *T,
                     const double *weight, size_t n, double *ll, size_t *bad_index)
{
    if (!params || !x || !t_x || !T || !ll || n == 0)
        return RTN_EINVAL;
    if (!bgnbd_params_ok(params))
        return RTN_EDOMAIN;
    int rc = rtn__customers_check(x, t_x, T, weight, n, bad_index);
    if (rc != RTN_OK)
        return rc;
    /* unsorted rows: evaluate them one by one (the per-x cache simply refills) */
    rtn__sum sum = {0.0, 0.0};
    for (size_t i = 0; i < n; ++i) {
        rtn__customer q = {x[i], t_x[i], T[i], weight ? weight[i] : 1.0};
        if (q.w == 0.0)
            continue;
        bgnbd_data d = {&q, 1, 1.0, NULL, NULL};
        rtn__sum_add(&sum, bgnbd_sum(params, &d, NULL));
    }
    return rtn__result(rtn__sum_value(&sum), ll);
}

int rtn_bgnbd_fit(const double *x, const double *t_x, const double *T, const double *weight,
                  size_t n, double params[4], double se[4], double *ll, size_t *bad_index)
{
    return rtn_bgnbd_fit_alloc(x, t_x, T, weight, n, params, se, ll, bad_index, NULL);
}

int rtn_bgnbd_fit_alloc(const double *x, const double *t_x, const double *T,
                        const double *weight, size_t n, double params[4], double se[4],
                        double *ll, size_t *bad_index, const rtn_allocator *alloc)
{
    rtn_allocator al;
    const rtn_allocator *a = &al;
    if (!x || !t_x || !T || !params || n == 0 || rtn__allocator_of(alloc, &al) != RTN_OK)
        return RTN_EINVAL;
    int rc = rtn__customers_check(x, t_x, T, weight, n, bad_index);
    if (rc != RTN_OK)
        return rc;
    size_t m;
    double total;
    rtn__customer *rows = rtn__customers_group(x, t_x, T, weight, n, &m, &total, a);
    if (!rows)
        return RTN_ENOMEM;
    int repeat = 0;
    double mean_T = 0.0;
    for (size_t i = 0; i < m; ++i) {
        repeat |= rows[i].x > 0.0;
        mean_T += rows[i].w * rows[i].T;
    }
    if (!repeat || !(total > 0.0)) {
        rtn__free(a, rows);
        return RTN_EUNDEFINED;
    }
    mean_T /= total;
    distinct dT, dtx;
    if (distinct_of(rows, m, 0, &dT, a) != 0) {
        rtn__free(a, rows);
        return RTN_ENOMEM;
    }
    if (distinct_of(rows, m, 1, &dtx, a) != 0) {
        distinct_free(&dT, a);
        rtn__free(a, rows);
        return RTN_ENOMEM;
    }
    bgnbd_data d = {rows, m, 1.0 / total, &dT, &dtx};
    /* start: r = 1, alpha = the mean age (a purchase rate of about one per lifetime), a = b = 1 */
    double v[4] = {0.0, log(fmax(mean_T, 1e-3)), 0.0, 0.0}, f;
    rc = rtn__minimize(bgnbd_objective, &d, 4, 1, v, &f, NULL);
    double s[4] = {NAN, NAN, NAN, NAN};
    if (rc == RTN_OK && se && rtn__log_param_se(bgnbd_objective, &d, 4, v, s) == 0)
        for (int i = 0; i < 4; ++i)
            s[i] *= sqrt(d.scale); /* the objective was −LL / total */
    distinct_free(&dT, a);
    distinct_free(&dtx, a);
    rtn__free(a, rows);
    if (rc != RTN_OK)
        return rc;
    for (int i = 0; i < 4; ++i) {
        params[i] = exp(v[i]);
        if (se)
            se[i] = s[i];
    }
    if (ll)
        *ll = -f * total;
    return RTN_OK;
}

/* log of a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x): the odds of "dropped out" */
static double bgnbd_log_odds(const double p[4], double x, double tx, double T)
{
    /* log((α + T) / (α + t_x)) = log1p((T − t_x) / (α + t_x)): exact when T and t_x are huge */
    return log(p[2]) - log(p[3] + (x - 1.0)) + (p[0] + x) * log1p((T - tx) / (p[1] + tx));
}

static double p_alive_of(const double p[4], double x, double tx, double T)
{
    if (x == 0.0)
        return 1.0;
    double z = bgnbd_log_odds(p, x, tx, T); /* P = 1 / (1 + e^z), stable on both sides */
    return z > 0.0 ? exp(-z) / (1.0 + exp(-z)) : 1.0 / (1.0 + exp(z));
}

/* The expected purchases in (T, T + t] of a customer known to be alive: FHL's eq. 10 without
 * its P(alive) factor, C / (a − 1) · [1 − (1 − z)^A 2F1(A, B; C; z)] with A = r + x,
 * B = b + x, C = a + b + x − 1 > 0 and z = t / (α + T + t). The bracket is ~1/b when b is
 * large: evaluated directly it is a difference of two numbers near 1 (garbage, even negative,
 * for b ≫ 1), and both factors change sign at a = 1. Instead: 2F1 and (1 − z)^−A are both
 * power series in z, and
 *   C / (a − 1) · [1 − (1 − z)^A 2F1] = Σ_{k≥1} w_k C g_k,  w_k = (A)_k / k! z^k (1 − z)^A,
 *   g_k = (1 − R_k) / (a − 1),  R_k = (B)_k / (C)_k = Π_{i<k} (1 − (a − 1) / (C + i)),
 * a sum of positive terms for every a > 0 (g_k = Σ_{i<k} 1 / (C + i) at a = 1, its limit): the
 * mean of C g_K for K negative-binomial (the w_k sum to 1), with 1 − R_k from expm1/log1p.
 * Past the mean A z / (1 − z) the terms shrink geometrically; the sum stops when a bound on its
 * tail is below 1e-17 of it. NaN if z is so close to 1 that 10^7 terms do not suffice. */
static double bgnbd_alive_expected(const double p[4], double x, double T, double t)
{
    if (t == 0.0)
        return 0.0;
    double r = p[0], alpha = p[1], a = p[2], b = p[3];
    double A = r + x, C = a + b + (x - 1.0), am1 = a - 1.0;
    /* log z and log(1 − z) = −log1p(t / (α + T)): accurate however large α + T is */
    double log_1mz = -log1p(t / (alpha + T)), log_z = log(t) - log(alpha + T + t);
    double z = exp(log_z), mean = A * exp(log_z - log_1mz);
    if (!(mean < 5e6))
        return NAN; /* the sum must run past the mean: more terms than the cap allows */
    /* C goes inside, in logs: it may be near DBL_MAX while g_k is near 1/C */
    double log_w = A * log_1mz + log(C), log_r = 0.0, harmonic = 0.0, sum = 0.0;
    for (double k = 1.0; k < 1e7; k += 1.0) {
        log_w += log(A + k - 1.0) - log(k) + log_z;
        double g;
        if (am1 == 0.0) {
            harmonic += 1.0 / (C + k - 1.0);
            g = harmonic;
        } else {
            log_r += log1p(-am1 / (C + k - 1.0));
            g = -expm1(log_r) / am1;
        }
        double term = exp(log_w + log(g));
        sum += term;
        /* g grows by at most a factor (1 + R_k / k) from k to k + 1 and w shrinks by
         * z (A + k) / (k + 1): past the mean, with ρ = z (A + k)(k + R_k) / (k (k + 1)) < 1, the
         * tail is below term ρ / (1 − ρ) */
        double rk = am1 < 0.0 ? exp(log_r) : 1.0;
        double rho = z * (A + k) * (k + rk) / (k * (k + 1.0));
        if (k > mean && rho < 1.0 && term * rho / (1.0 - rho) <= 1e-17 * sum)
            return sum;
    }
    return NAN;
}

int rtn_bgnbd_predict(const double params[4], const double *x, const double *t_x, const double *T,
                      size_t n, double horizon, double *p_alive, double *expected,
                      size_t *bad_index)
{
    return rtn_bgnbd_predict_alloc(params, x, t_x, T, n, horizon, p_alive, expected, bad_index,
                                   NULL);
}

int rtn_bgnbd_predict_alloc(const double params[4], const double *x, const double *t_x,
                            const double *T, size_t n, double horizon, double *p_alive,
                            double *expected, size_t *bad_index, const rtn_allocator *alloc)
{
    rtn_allocator a;
    if (!params || (n > 0 && (!x || !t_x || !T)) || rtn__allocator_of(alloc, &a) != RTN_OK)
        return RTN_EINVAL;
    if (!bgnbd_params_ok(params) || !(horizon >= 0.0) || !isfinite(horizon))
        return RTN_EDOMAIN;
    int rc = rtn__customers_check(x, t_x, T, NULL, n, bad_index);
    if (rc != RTN_OK)
        return rc;
    for (size_t i = 0; expected && i < n; ++i)
        if (!(params[2] + params[3] + (x[i] - 1.0) > 0.0)) { /* a + b ≤ 1 with x = 0 */
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
    /* all or nothing: the expectations go to scratch first, out only when all converged */
    double *e = expected ? rtn__alloc(&a, n, sizeof *e) : NULL;
    if (expected && !e)
        return RTN_ENOMEM;
    for (size_t i = 0; expected && i < n; ++i)
        if (isnan(e[i] = bgnbd_alive_expected(params, x[i], T[i], horizon))) {
            rtn__free(&a, e);
            return RTN_ENOCONV;
        }
    for (size_t i = 0; i < n; ++i) {
        double pa = p_alive_of(params, x[i], t_x[i], T[i]);
        if (p_alive)
            p_alive[i] = pa;
        if (expected)
            expected[i] = e[i] * pa;
    }
    rtn__free(&a, e);
    return RTN_OK;
}

/* log P(X(t) = k) for a new customer (FHL note "Deriving an expression for P(X(t) = x) under
 * the BG/NBD model", eq. 8): B(a, b + k) / B(a, b) · NB(k) + [k > 0] B(a + 1, b + k − 1) /
 * B(a, b) · (1 − Σ_{j<k} NB(j)), NB(j) = Γ(r + j) / (Γ(r) j!) (α/(α+t))^r (t/(α+t))^j. */
/* log NB(k) = log[Γ(r + k) / (Γ(r) k!) (α/(α+t))^r (t/(α+t))^k], the purchases of a customer
 * alive throughout (0, t] */
static double log_nb(const double p[4], double t, double k)
{
    return rtn__lpoch(p[0], k) - rtn__lgamma(k + 1.0) - p[0] * log1p(t / p[1]) +
           (t > 0.0 ? k * (log(t) - log(p[1] + t)) : (k > 0.0 ? -INFINITY : 0.0));
}

static double bgnbd_pmf(const double p[4], double k, double log_nb_k, double cdf_below)
{
    double a = p[2], b = p[3];
    double first = rtn__lpoch(b, k) - rtn__lpoch(a + b, k) + log_nb_k; /* B(a, b+k) / B(a, b) */
    if (k == 0.0)
        return exp(first);
    double tail = fmax(0.0, 1.0 - cdf_below);
    /* B(a + 1, b + k − 1) / B(a, b) = a (b)_{k−1} / (a + b)_k */
    return exp(first) + exp(log(a) + rtn__lpoch(b, k - 1.0) - rtn__lpoch(a + b, k)) * tail;
}

int rtn_bgnbd_new_customer(const double params[4], double t, double *expected, double *pmf,
                           size_t kmax)
{
    if (!params || (pmf && kmax == 0))
        return RTN_EINVAL;
    if (!bgnbd_params_ok(params) || !(t >= 0.0) || !isfinite(t) ||
        (expected && !(params[2] + params[3] > 1.0)))
        return RTN_EDOMAIN;
    double e = 0.0;
    if (expected && t > 0.0) { /* FHL eq. 9 is eq. 10's bracket at x = 0, T = 0 */
        double bracket = bgnbd_alive_expected(params, 0.0, 0.0, t);
        if (isnan(bracket))
            return RTN_ENOCONV;
        e = bracket;
    }
    if (pmf) {
        /* the NB cdf is accumulated term by term (its terms in log space) */
        double cdf = 0.0;
        for (size_t k = 0; k < kmax; ++k) {
            double l = log_nb(params, t, (double)k);
            pmf[k] = bgnbd_pmf(params, (double)k, l, cdf);
            cdf += exp(l);
        }
    }
    if (expected)
        *expected = e;
    return RTN_OK;
}

/* ---- Gamma-Gamma ----------------------------------------------------------------------------------- */

typedef struct gg_data {
    const double *x, *m, *w;
    size_t n;
    double scale;
} gg_data;

/* Σ w log L, with the gradient in the log parameters when g is not NULL:
 * ∂/∂p = x [ψ(px + q) − ψ(px) + log m + log x − log(γ + m x)],
 * ∂/∂q = ψ(px + q) − ψ(q) + log γ − log(γ + m x),  ∂/∂γ = q / γ − (px + q) / (γ + m x). */
static double gg_sum(const double p3[3], const gg_data *d, double g[3])
{
    const double p = p3[0], q = p3[1], gamma = p3[2];
    const double log_gamma = log(gamma), ps_q = g ? rtn__digamma(q) : 0.0;
    rtn__sum s = {0.0, 0.0};
    double dp = 0.0, dq = 0.0, dgamma = 0.0;
    for (size_t i = 0; i < d->n; ++i) {
        double x = d->x[i], m = d->m[i], w = d->w ? d->w[i] : 1.0;
        if (x < 1.0 || w == 0.0)
            continue;
        double px = p * x, log_m = log(m), log_gmx = log(gamma + m * x);
        rtn__sum_add(&s, w * (-rtn__lbeta(px, q) + q * log_gamma + (px - 1.0) * log_m +
                              px * log(x) - (px + q) * log_gmx));
        if (g) {
            double ps_pxq = rtn__digamma(px + q);
            dp += w * x * (ps_pxq - rtn__digamma(px) + log_m + log(x) - log_gmx);
            dq += w * (ps_pxq - ps_q + log_gamma - log_gmx);
            dgamma += w * (q / gamma - (px + q) / (gamma + m * x));
        }
    }
    if (g) {
        g[0] = dp * p;
        g[1] = dq * q;
        g[2] = dgamma * gamma;
    }
    return rtn__sum_value(&s);
}

static double gg_objective(const double *v, double *grad, void *ctx)
{
    const gg_data *d = ctx;
    double p[3] = {exp(v[0]), exp(v[1]), exp(v[2])}, g[3];
    double ll = gg_sum(p, d, grad ? g : NULL);
    if (grad)
        for (int i = 0; i < 3; ++i)
            grad[i] = -g[i] * d->scale;
    return -ll * d->scale;
}

/* Validates the spend inputs; counts the (weighted) repeat buyers in *buyers. */
static int gg_check(const double *x, const double *m, const double *w, size_t n, double *buyers,
                    size_t *bad_index)
{
    double total = 0.0;
    for (size_t i = 0; i < n; ++i) {
        int ok = isfinite(x[i]) && x[i] >= 0.0 && x[i] == floor(x[i]) &&
                 (x[i] == 0.0 || positive(m[i])) && (!w || (isfinite(w[i]) && w[i] >= 0.0));
        if (!ok) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
        if (x[i] >= 1.0)
            total += w ? w[i] : 1.0;
    }
    if (!(total > 0.0))
        return RTN_EUNDEFINED;
    *buyers = total;
    return RTN_OK;
}

int rtn_gg_loglik(const double params[3], const double *x, const double *monetary,
                  const double *weight, size_t n, double *ll, size_t *bad_index)
{
    if (!params || !x || !monetary || !ll || n == 0)
        return RTN_EINVAL;
    if (!params_ok(params, 3))
        return RTN_EDOMAIN;
    double buyers;
    int rc = gg_check(x, monetary, weight, n, &buyers, bad_index);
    if (rc != RTN_OK)
        return rc;
    gg_data d = {x, monetary, weight, n, 1.0};
    return rtn__result(gg_sum(params, &d, NULL), ll);
}

int rtn_gg_fit(const double *x, const double *monetary, const double *weight, size_t n,
               double params[3], double se[3], double *ll, size_t *bad_index)
{
    if (!x || !monetary || !params || n == 0)
        return RTN_EINVAL;
    double buyers;
    int rc = gg_check(x, monetary, weight, n, &buyers, bad_index);
    if (rc != RTN_OK)
        return rc;
    gg_data d = {x, monetary, weight, n, 1.0 / buyers};
    double v[3] = {0.0, 0.0, 0.0}, f;
    rc = rtn__minimize(gg_objective, &d, 3, 1, v, &f, NULL);
    if (rc != RTN_OK)
        return rc;
    double s[3] = {NAN, NAN, NAN};
    if (se && rtn__log_param_se(gg_objective, &d, 3, v, s) == 0)
        for (int i = 0; i < 3; ++i)
            s[i] *= sqrt(d.scale);
    for (int i = 0; i < 3; ++i) {
        params[i] = exp(v[i]);
        if (se)
            se[i] = s[i];
    }
    if (ll)
        *ll = -f * buyers;
    return RTN_OK;
}

/* E[Z | x, m] = (γ + m x) p / (p x + q − 1), the population mean γ p / (q − 1) at x = 0 */
/* E[Z | x, m] = (γ + m x) p / (p x + q − 1), divided through by p x when x > 0 so that no
 * intermediate overflows while the answer is finite (p = 6e196 and m = 5e154, found by fuzzing:
 * (γ + m x) p alone passes DBL_MAX); γ p / (q − 1) for x = 0. */
static double gg_spend(const double g[3], double x, double m)
{
    if (x > 0.0)
        return (g[2] / x + m) / (1.0 + (g[1] - 1.0) / (g[0] * x));
    return g[2] * (g[0] / (g[1] - 1.0));
}

int rtn_gg_expected_spend(const double params[3], const double *x, const double *monetary,
                          size_t n, double *out, size_t *bad_index)
{
    if (!params || (n > 0 && (!x || !monetary || !out)))
        return RTN_EINVAL;
    if (!params_ok(params, 3) || !(params[1] > 1.0))
        return RTN_EDOMAIN;
    for (size_t i = 0; i < n; ++i)
        if (!(isfinite(x[i]) && x[i] >= 0.0 && x[i] == floor(x[i]) &&
              (x[i] == 0.0 || positive(monetary[i])))) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
    /* all or nothing: a value beyond DBL_MAX (parameters near it) is an error for the call */
    for (int write = 0; write < 2; ++write)
        for (size_t i = 0; i < n; ++i) {
            double v = gg_spend(params, x[i], monetary[i]);
            if (!isfinite(v))
                return RTN_EOVERFLOW;
            if (write)
                out[i] = v;
        }
    return RTN_OK;
}

/* ---- CLV: BG/NBD purchases × Gamma-Gamma spend, discounted per period ------------------------------- */

int rtn_clv_bgnbd_gg(const double bgnbd[4], const double gg[3], const double *x, const double *t_x,
                     const double *T, const double *monetary, size_t n, double discount,
                     double period_length, uint32_t periods, double *out, size_t *bad_index)
{
    return rtn_clv_bgnbd_gg_alloc(bgnbd, gg, x, t_x, T, monetary, n, discount, period_length,
                                  periods, out, bad_index, NULL);
}

int rtn_clv_bgnbd_gg_alloc(const double bgnbd[4], const double gg[3], const double *x,
                           const double *t_x, const double *T, const double *monetary, size_t n,
                           double discount, double period_length, uint32_t periods, double *out,
                           size_t *bad_index, const rtn_allocator *alloc)
{
    rtn_allocator a;
    if (!bgnbd || !gg || (n > 0 && (!x || !t_x || !T || !monetary || !out)) ||
        rtn__allocator_of(alloc, &a) != RTN_OK)
        return RTN_EINVAL;
    if (!bgnbd_params_ok(bgnbd) || !params_ok(gg, 3) || !(gg[1] > 1.0) ||
        !(discount >= 0.0) || !isfinite(discount) || !positive(period_length) || periods == 0)
        return RTN_EDOMAIN;
    int rc = rtn__customers_check(x, t_x, T, NULL, n, bad_index);
    if (rc != RTN_OK)
        return rc;
    for (size_t i = 0; i < n; ++i)
        if (!(x[i] == 0.0 || positive(monetary[i])) ||
            !(bgnbd[2] + bgnbd[3] + (x[i] - 1.0) > 0.0)) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
    /* all or nothing: the values go to scratch first, out only when all converged */
    double *v = rtn__alloc(&a, n, sizeof *v);
    if (!v)
        return RTN_ENOMEM;
    for (size_t i = 0; i < n; ++i) {
        double pa = p_alive_of(bgnbd, x[i], t_x[i], T[i]);
        double prev = 0.0, value = 0.0, factor = 1.0;
        for (uint32_t k = 1; k <= periods; ++k) {
            double e = pa * bgnbd_alive_expected(bgnbd, x[i], T[i], period_length * k);
            if (isnan(e)) {
                rtn__free(&a, v);
                return RTN_ENOCONV;
            }
            /* E(t) never falls, but its computed values can, by a rounding, where it levels off
             * (a customer almost surely gone: 1e-12 relative, found by fuzzing): the increments
             * are taken of the running maximum, so that a longer horizon never lowers the CLV */
            e = fmax(e, prev);
            factor /= 1.0 + discount;
            value += (e - prev) * factor;
            prev = e;
        }
        v[i] = gg_spend(gg, x[i], monetary[i]) * value;
        if (!isfinite(v[i])) { /* a value past DBL_MAX: an error, not an infinite answer */
            rtn__free(&a, v);
            return RTN_EOVERFLOW;
        }
    }
    memcpy(out, v, n * sizeof *out);
    rtn__free(&a, v);
    return RTN_OK;
}
