/* Kaplan-Meier curves (retention/survival.h): finishing a builder, the columns, S at any time,
 * quantiles with R's rule, and the restricted mean. Formulas and their sources are in the
 * header; the R functions named here (survfit, quantile.survfit, survmean) are those of R's
 * survival package, whose documented results these reproduce. */
#include <float.h>
#include <string.h>

#include "survival_state.h"

/* R's tolerance for "S equals the quantile on a flat stretch": sqrt(.Machine$double.eps) */
#define QUANTILE_TOL 1.4901161193847656e-08

struct rtn_km {
    rtn_allocator alloc;
    size_t m;
    double z;
    int32_t conf_type;
    /* the columns, each of m values (one allocation) */
    double *time, *at_risk, *events, *censored, *surv, *greenwood, *std_err, *lower, *upper;
};

enum { N_COLUMNS = 9 };

void rtn__km_bounds(double s, double g, double z, int32_t type, double *lower, double *upper)
{
    if (!(s > 0.0)) { /* S = 0: R's NA for every type */
        *lower = *upper = NAN;
        return;
    }
    double half = z * sqrt(g); /* on the log scale */
    switch (type) {
    case RTN_CONF_LOG_LOG:
        if (s >= 1.0) {
            *lower = *upper = NAN;
        } else {
            double xx = log(-log(s)), a = half / log(s); /* a < 0 */
            *lower = exp(-exp(xx - a));
            *upper = exp(-exp(xx + a));
        }
        return;
    case RTN_CONF_PLAIN: {
        double se = s * sqrt(g);
        *lower = fmax(0.0, s - z * se);
        *upper = fmin(1.0, s + z * se);
        return;
    }
    default: /* log */
        *lower = s * exp(-half);
        *upper = fmin(1.0, s * exp(half));
        return;
    }
}

void rtn_km_free(rtn_km *km)
{
    if (!km)
        return;
    rtn_allocator a = km->alloc;
    rtn__free(&a, km->time);
    rtn__free(&a, km);
}

static rtn_km *km_new(const rtn_allocator *a, size_t m)
{
    rtn_km *km = rtn__alloc(a, 1, sizeof *km);
    if (!km)
        return NULL;
    memset(km, 0, sizeof *km);
    km->alloc = *a;
    km->m = m;
    if (m > SIZE_MAX / N_COLUMNS || !(km->time = rtn__alloc(a, m * N_COLUMNS, sizeof(double)))) {
        rtn__free(a, km);
        return NULL;
    }
    double **cols[N_COLUMNS] = {&km->at_risk, &km->events,  &km->censored,
                                &km->surv,    &km->greenwood, &km->std_err,
                                &km->lower,   &km->upper,   NULL};
    for (size_t c = 0; cols[c]; ++c)
        *cols[c] = km->time + (c + 1) * m;
    return km;
}

/* ---- finishing ---------------------------------------------------------------------------------- */

/* The sorted table with ties within the tolerance folded into their group's first time. */
typedef struct groups {
    double *time;
    uint64_t *n_event, *n_exit, *n_enter;
    rtn__dd *w_event, *w_censor, *w_enter; /* unrounded: the risk set subtracts them */
    size_t n;
} groups;

static void fold_groups(const rtn__km_slot *s, const rtn__km_weights *w, size_t m,
                        double tolerance, groups *g)
{
    size_t n = 0;
    rtn__dd ev = {0, 0}, ce = {0, 0}, en = {0, 0};
    for (size_t i = 0; i < m; ++i) {
        int starts = n == 0 || !(s[i].time - g->time[n - 1] <= tolerance);
        if (starts) {
            if (n > 0) {
                g->w_event[n - 1] = ev;
                g->w_censor[n - 1] = ce;
                g->w_enter[n - 1] = en;
            }
            g->time[n] = s[i].time;
            g->n_event[n] = 0;
            g->n_exit[n] = 0;
            g->n_enter[n] = 0;
            ev.hi = ev.lo = ce.hi = ce.lo = en.hi = en.lo = 0.0;
            ++n;
        }
        g->n_event[n - 1] += s[i].n_event;
        g->n_exit[n - 1] += s[i].n_event + s[i].n_censor;
        g->n_enter[n - 1] += s[i].n_enter;
        rtn__km_weights v = rtn__km_weights_of(&s[i], w ? &w[i] : NULL);
        ev = rtn__dd_add(ev, v.event.hi, v.event.lo);
        ce = rtn__dd_add(ce, v.censor.hi, v.censor.lo);
        en = rtn__dd_add(en, v.enter.hi, v.enter.lo);
    }
    if (n > 0) {
        g->w_event[n - 1] = ev;
        g->w_censor[n - 1] = ce;
        g->w_enter[n - 1] = en;
    }
    g->n = n;
}

/* The product-limit sweep over the groups into km's columns (km->m = rows with exits). */
static int sweep(const rtn_km_builder *b, const groups *g, rtn_km *km)
{
    uint64_t at_risk_n = b->n_initial, entries_left = 0;
    for (size_t j = 0; j < g->n; ++j)
        entries_left += g->n_enter[j];
    rtn__dd at_risk = b->weights ? b->w_initial : rtn__dd_add((rtn__dd){0, 0}, (double)b->n_initial, 0);
    double s = 1.0, gw = 0.0;
    size_t row = 0;
    int started = at_risk_n > 0;
    for (size_t j = 0; j < g->n; ++j) {
        if (g->n_exit[j] > 0) {
            if (g->n_exit[j] > at_risk_n)
                return RTN_EUNDEFINED; /* more leave than are at risk: inconsistent counts */
            /* unweighted: from the exact integer counts (they may pass 2^53); weighted: n − d
             * from the unrounded sums, and exactly 0 when every subject at risk had the event
             * (weight sums of fractions need not cancel to the last bit) */
            double n, d, rest;
            rtn__dd ev = g->w_event[j], ce = g->w_censor[j];
            if (b->weights) {
                rtn__dd left = rtn__dd_add(at_risk, -ev.hi, -ev.lo);
                n = at_risk.hi + at_risk.lo;
                d = ev.hi + ev.lo;
                rest = g->n_event[j] == at_risk_n ? 0.0 : left.hi + left.lo;
                if (!(n > 0.0 && rest >= 0.0))
                    return RTN_EOVERFLOW; /* weights too far apart: sums lost subjects */
            } else {
                n = (double)at_risk_n;
                d = (double)g->n_event[j];
                rest = (double)(at_risk_n - g->n_event[j]);
            }
            if (d > 0.0) {
                s *= rest / n;
                gw += d / (n * rest); /* +inf when everyone left: S = 0 */
            }
            km->time[row] = g->time[j];
            km->at_risk[row] = n;
            km->events[row] = d;
            km->censored[row] = ce.hi + ce.lo;
            km->surv[row] = s;
            km->greenwood[row] = gw;
            km->std_err[row] = s * sqrt(gw); /* 0 · inf = NaN once S = 0, as R prints */
            rtn__km_bounds(s, gw, km->z, km->conf_type, &km->lower[row], &km->upper[row]);
            ++row;
            at_risk_n -= g->n_exit[j];
            at_risk = rtn__dd_add(at_risk, -ev.hi, -ev.lo);
            at_risk = rtn__dd_add(at_risk, -ce.hi, -ce.lo);
        }
        at_risk_n += g->n_enter[j];
        entries_left -= g->n_enter[j];
        at_risk = rtn__dd_add(at_risk, g->w_enter[j].hi, g->w_enter[j].lo);
        started = started || at_risk_n > 0;
        if (started && at_risk_n == 0 && entries_left > 0)
            return RTN_EUNDEFINED; /* a gap in the risk set under left truncation */
    }
    if (row == 0 || at_risk_n != 0)
        return RTN_EUNDEFINED; /* nobody leaves, or entered subjects that never leave */
    km->m = row;
    return RTN_OK;
}

int rtn_km_builder_finish(const rtn_km_builder *b, rtn_km **out)
{
    if (!b || !out)
        return RTN_EINVAL;
    const rtn_allocator *a = &b->alloc;
    rtn__km_slot *s = NULL;
    rtn__km_weights *w = NULL;
    size_t m = 0;
    int rc = rtn__km_sorted(b, a, &s, &w, &m);
    if (rc != RTN_OK)
        return rc;
    groups g = {0};
    g.time = rtn__alloc(a, m, sizeof *g.time);
    g.n_event = rtn__alloc(a, m, sizeof *g.n_event);
    g.n_exit = rtn__alloc(a, m, sizeof *g.n_exit);
    g.n_enter = rtn__alloc(a, m, sizeof *g.n_enter);
    g.w_event = rtn__alloc(a, m, sizeof *g.w_event);
    g.w_censor = rtn__alloc(a, m, sizeof *g.w_censor);
    g.w_enter = rtn__alloc(a, m, sizeof *g.w_enter);
    rtn_km *km = km_new(a, m);
    rc = RTN_ENOMEM;
    if (g.time && g.n_event && g.n_exit && g.n_enter && g.w_event && g.w_censor && g.w_enter && km) {
        fold_groups(s, w, m, b->tolerance, &g);
        rtn__normal_critical(b->conf_level, &km->z);
        km->conf_type = b->conf_type;
        rc = m == 0 ? RTN_EUNDEFINED : sweep(b, &g, km);
    }
    if (rc == RTN_OK) {
        *out = km;
        km = NULL;
    }
    rtn_km_free(km);
    rtn__free(a, g.time);
    rtn__free(a, g.n_event);
    rtn__free(a, g.n_exit);
    rtn__free(a, g.n_enter);
    rtn__free(a, g.w_event);
    rtn__free(a, g.w_censor);
    rtn__free(a, g.w_enter);
    rtn__free(a, s);
    rtn__free(a, w);
    return rc;
}

int rtn_km_build(const double *duration, const uint8_t *event, size_t n, int32_t conf_type,
                 double conf_level, rtn_km **out, size_t *bad_index)
{
    if (!out)
        return RTN_EINVAL;
    rtn_km_builder *b = NULL;
    int rc = rtn_km_builder_create(&b, NULL);
    if (rc == RTN_OK)
        rc = rtn_km_builder_set(b, RTN_KM_CONF_TYPE, (double)conf_type);
    if (rc == RTN_OK)
        rc = rtn_km_builder_set(b, RTN_KM_CONF_LEVEL, conf_level);
    if (rc == RTN_OK)
        rc = rtn_km_builder_add(b, duration, event, NULL, NULL, n, bad_index);
    if (rc == RTN_OK)
        rc = rtn_km_builder_finish(b, out);
    rtn_km_builder_free(b);
    return rc;
}

/* ---- accessors ------------------------------------------------------------------------------------ */

int rtn_km_size(const rtn_km *km, size_t *rows)
{
    if (!km || !rows)
        return RTN_EINVAL;
    *rows = km->m;
    return RTN_OK;
}

int rtn_km_column(const rtn_km *km, int32_t column, double *out, size_t cap)
{
    if (!km || !out)
        return RTN_EINVAL;
    const double *src;
    switch (column) {
    case RTN_KM_TIME: src = km->time; break;
    case RTN_KM_AT_RISK: src = km->at_risk; break;
    case RTN_KM_EVENTS: src = km->events; break;
    case RTN_KM_CENSORED: src = km->censored; break;
    case RTN_KM_SURVIVAL: src = km->surv; break;
    case RTN_KM_STD_ERR: src = km->std_err; break;
    case RTN_KM_LOWER: src = km->lower; break;
    case RTN_KM_UPPER: src = km->upper; break;
    case RTN_KM_GREENWOOD: src = km->greenwood; break;
    default: return RTN_EINVAL;
    }
    if (cap < km->m)
        return RTN_EBUFSIZE;
    memcpy(out, src, km->m * sizeof *out);
    return RTN_OK;
}

/* The number of rows with time ≤ t (binary search). */
static size_t rows_upto(const rtn_km *km, double t)
{
    size_t lo = 0, hi = km->m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (km->time[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int rtn_km_survival_at(const rtn_km *km, const double *t, size_t n, double *survival,
                       double *lower, double *upper, size_t *bad_index)
{
    if (!km || (n > 0 && !t))
        return RTN_EINVAL;
    for (size_t i = 0; i < n; ++i)
        if (!rtn__finite(t[i])) {
            if (bad_index)
                *bad_index = i;
            return RTN_EDOMAIN;
        }
    for (size_t i = 0; i < n; ++i) {
        size_t k = rows_upto(km, t[i]);
        double s = 1.0, lo = 1.0, hi = 1.0; /* before the first time: R gives [1, 1] for
                                               * every type, log-log included */
        if (k > 0) {
            s = km->surv[k - 1];
            lo = km->lower[k - 1];
            hi = km->upper[k - 1];
        }
        if (survival)
            survival[i] = s;
        if (lower)
            lower[i] = lo;
        if (upper)
            upper[i] = hi;
    }
    return RTN_OK;
}

/* ---- quantiles: R's quantile.survfit (its findq rule) ------------------------------------------- */

/* (a + b) / 2 as R computes it, without overflow for times near DBL_MAX */
static double midpoint(double a, double b)
{
    double sum = a + b;
    return isinf(sum) ? a / 2.0 + b / 2.0 : sum / 2.0;
}

/* The p-quantile of the step curve `curve` (S or a bound; NaN = undefined) over the rows, with
 * x_0 = 0, y_0 = 0 before the first row. Steps: y = 1 − curve; keep each y value's first time
 * (repeats, NaN included, dropped); NaN points then take no part. i1 = the point of least y with
 * y + tol ≥ p, i2 = the one of least y with y − tol ≥ p; the quantile is (x[i1] + x[i2]) / 2, or
 * (x[i1] + last time) / 2 when the last kept y is within tol of p; NaN when undefined. */
static double findq(const rtn_km *km, const double *curve, double p)
{
    const double tol = QUANTILE_TOL;
    /* the point (0, 0) first */
    double y1 = tol >= p ? 0.0 : INFINITY, y2 = INFINITY; /* the least qualifying y so far */
    double x1 = tol >= p ? 0.0 : NAN, x2 = NAN, ymax = 0.0;
    double y_prev = 0.0, y_last = 0.0;
    int seen_nan = 0;
    for (size_t j = 0; j < km->m; ++j) {
        double y = 1.0 - curve[j];
        /* duplicated(): the curves are monotone, so a repeat is of the previous kept value; a
         * NaN repeats any earlier NaN */
        if (isnan(y)) {
            if (!seen_nan)
                y_last = y;
            seen_nan = 1;
            continue;
        }
        if (y == y_prev)
            continue;
        y_prev = y_last = y;
        ymax = fmax(ymax, y);
        if (y + tol >= p && y < y1) {
            y1 = y;
            x1 = km->time[j];
        }
        if (y - tol >= p && y < y2) {
            y2 = y;
            x2 = km->time[j];
        }
    }
    if (ymax < p)
        return NAN;
    if (p < tol)
        x1 = NAN; /* below the first knot, y_0 + tol: outside approx()'s range */
    double q = p == 0.0 ? 0.0 : midpoint(x1, x2);
    if (!isnan(y_last) && fabs(p - y_last) < tol)
        q = midpoint(x1, km->time[km->m - 1]);
    return q;
}

int rtn_km_quantile(const rtn_km *km, double p, double *time, double *lower, double *upper)
{
    if (!km || !time || !(p >= 0.0 && p <= 1.0))
        return RTN_EINVAL;
    *time = findq(km, km->surv, p);
    if (lower)
        *lower = findq(km, km->lower, p);
    if (upper)
        *upper = findq(km, km->upper, p);
    return RTN_OK;
}

/* ---- restricted mean: R's survmean ---------------------------------------------------------------- */

int rtn_km_rmst(const rtn_km *km, double horizon, double *rmst, double *std_err)
{
    if (!km || !rmst || !rtn__nonneg(horizon))
        return RTN_EINVAL;
    size_t k = rows_upto(km, horizon);
    /* rectangles: [0, t_1) under S = 1, [t_j, t_{j+1}) under S(t_j), [t_k, τ] under S(t_k) */
    rtn__sum area = {0.0, 0.0};
    double prev_t = 0.0, prev_s = 1.0;
    for (size_t j = 0; j < k; ++j) {
        rtn__sum_add(&area, (km->time[j] - prev_t) * prev_s);
        prev_t = km->time[j];
        prev_s = km->surv[j];
    }
    rtn__sum_add(&area, (horizon - prev_t) * prev_s);
    /* variance: Σ_j A_j² d_j / (n_j (n_j − d_j)), A_j the area after t_j, going backwards */
    double var = 0.0, after = (horizon - (k ? km->time[k - 1] : 0.0)) * prev_s;
    for (size_t j = k; j-- > 0;) {
        double n = km->at_risk[j], d = km->events[j];
        if (d > 0.0 && n > d)
            var += after * after * d / (n * (n - d));
        if (j > 0)
            after += (km->time[j] - km->time[j - 1]) * km->surv[j - 1];
    }
    double mean = rtn__sum_value(&area);
    if (!isfinite(mean) || !isfinite(var))
        return RTN_EOVERFLOW;
    /* 0 <= RMST <= τ exactly, but each width t_j − t_{j−1} is rounded and the rounded widths
     * need not telescope back to τ: two events at 4.3e-304 and 5.1e-299 gave τ + 1 ulp. The
     * bound is the true value's, so clamping to it only removes error. */
    if (mean > horizon)
        mean = horizon;
    *rmst = mean;
    if (std_err)
        *std_err = sqrt(var);
    return RTN_OK;
}
