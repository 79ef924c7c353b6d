/* A small, robust minimiser for the models' maximum-likelihood fits: BFGS (Nocedal & Wright,
 * Numerical Optimization, 2nd ed., algorithm 6.1) with a backtracking Armijo line search, on
 * unconstrained parameters (the models optimise the logs of their positive parameters). A
 * point where the objective is not finite counts as +inf, so the line search backs away from
 * it. Gradients are analytic when the objective provides them, else central differences.
 * Standard errors come from the inverse Hessian of the objective at the optimum, computed by
 * central differences. Everything here is on the stack: n ≤ RTN__OPT_MAX. */
#include <float.h>
#include <string.h>

#include "internal.h"

#define MAX_ITERATIONS 2000
#define ARMIJO 1e-4

/* f at x with its gradient in g: analytic if the objective gives one, else central differences
 * (step 1e-5 relative: truncation ~1e-10, rounding ~1e-11 · |f| / 1e-5). */
static double value_and_gradient(rtn__objective f, void *ctx, size_t n, const double *x, double *g,
                                 int analytic)
{
    if (analytic) {
        double v = f(x, g, ctx);
        for (size_t i = 0; i < n && isfinite(v); ++i)
            if (!isfinite(g[i]))
                return INFINITY;
        return isfinite(v) ? v : INFINITY;
    }
    double v = f(x, NULL, ctx);
    if (!isfinite(v))
        return INFINITY;
    double y[RTN__OPT_MAX];
    memcpy(y, x, n * sizeof *y);
    for (size_t i = 0; i < n; ++i) {
        double h = 1e-5 * fmax(1.0, fabs(x[i]));
        y[i] = x[i] + h;
        double up = f(y, NULL, ctx);
        y[i] = x[i] - h;
        double down = f(y, NULL, ctx);
        y[i] = x[i];
        if (!isfinite(up) || !isfinite(down))
            return INFINITY;
        g[i] = (up - down) / (2.0 * h);
    }
    return v;
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; ++i)
        s += a[i] * b[i];
    return s;
}

int rtn__minimize(rtn__objective f, void *ctx, size_t n, int analytic, double *x, double *fx,
                  unsigned *iterations)
{
    double g[RTN__OPT_MAX], h[RTN__OPT_MAX * RTN__OPT_MAX], p[RTN__OPT_MAX];
    double x_new[RTN__OPT_MAX], g_new[RTN__OPT_MAX], s[RTN__OPT_MAX], y[RTN__OPT_MAX];
    double v = value_and_gradient(f, ctx, n, x, g, analytic);
    if (!isfinite(v))
        return RTN_ENOCONV;
    memset(h, 0, sizeof h); /* inverse Hessian approximation: start from the identity */
    for (size_t i = 0; i < n; ++i)
        h[i * n + i] = 1.0;
    int quiet = 0; /* consecutive iterations that changed f by (relatively) nothing */
    for (unsigned it = 1; it <= MAX_ITERATIONS; ++it) {
        for (size_t i = 0; i < n; ++i)
            p[i] = -dot(&h[i * n], g, n);
        double slope = dot(p, g, n);
        if (!(slope < 0.0)) { /* not a descent direction: restart from steepest descent */
            memset(h, 0, sizeof h);
            for (size_t i = 0; i < n; ++i) {
                h[i * n + i] = 1.0;
                p[i] = -g[i];
            }
            slope = -dot(g, g, n);
            if (slope == 0.0)
                break; /* a stationary point */
        }
        /* backtracking: at most a unit step in the largest coordinate, then halve */
        double step = 1.0, pmax = 0.0, v_new = INFINITY;
        for (size_t i = 0; i < n; ++i)
            pmax = fmax(pmax, fabs(p[i]));
        if (pmax > 2.0)
            step = 2.0 / pmax;
        for (int tries = 0; tries < 60; ++tries, step *= 0.5) {
            for (size_t i = 0; i < n; ++i)
                x_new[i] = x[i] + step * p[i];
            v_new = value_and_gradient(f, ctx, n, x_new, g_new, analytic);
            if (v_new <= v + ARMIJO * step * slope)
                break;
        }
        if (!(v_new <= v)) /* no decrease at any step: as good as it gets */
            break;
        for (size_t i = 0; i < n; ++i) {
            s[i] = x_new[i] - x[i];
            y[i] = g_new[i] - g[i];
        }
        double sy = dot(s, y, n), change = v - v_new;
        memcpy(x, x_new, n * sizeof *x);
        memcpy(g, g_new, n * sizeof *g);
        v = v_new;
        if (sy > 1e-300) { /* BFGS update of the inverse: H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ */
            double rho = 1.0 / sy, hy[RTN__OPT_MAX];
            for (size_t i = 0; i < n; ++i)
                hy[i] = dot(&h[i * n], y, n);
            double yhy = dot(y, hy, n);
            for (size_t i = 0; i < n; ++i)
                for (size_t j = 0; j < n; ++j)
                    h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) +
                                    (rho * rho * yhy + rho) * s[i] * s[j];
        }
        double gmax = 0.0;
        for (size_t i = 0; i < n; ++i)
            gmax = fmax(gmax, fabs(g[i]));
        quiet = change <= 1e-14 * fabs(v) ? quiet + 1 : 0;
        if (gmax <= 1e-9 * (1.0 + fabs(v)) || quiet >= 3) {
            *fx = v;
            if (iterations)
                *iterations = it;
            return RTN_OK;
        }
    }
    /* stopped without a small gradient: accept only if the gradient is small relative to f */
    double gmax = 0.0;
    for (size_t i = 0; i < n; ++i)
        gmax = fmax(gmax, fabs(g[i]));
    if (gmax <= 1e-6 * (1.0 + fabs(v))) {
        *fx = v;
        if (iterations)
            *iterations = MAX_ITERATIONS;
        return RTN_OK;
    }
    return RTN_ENOCONV;
}

int rtn__log_param_se(rtn__objective f, void *ctx, size_t n, const double *x, double *se)
{
    /* Hessian of f in the log parameters φ by central differences of f; at the optimum the
     * Hessian in θ = e^φ is D⁻¹ H_φ D⁻¹ (D = diag θ), so SE(θ_i) = θ_i √((H_φ⁻¹)_ii) */
    double hess[RTN__OPT_MAX * RTN__OPT_MAX], y[RTN__OPT_MAX], step[RTN__OPT_MAX];
    memcpy(y, x, n * sizeof *y);
    double f0 = f(x, NULL, ctx);
    for (size_t i = 0; i < n; ++i)
        step[i] = 1e-4 * fmax(1.0, fabs(x[i]));
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i; j < n; ++j) {
            double v[4];
            for (int k = 0; k < 4; ++k) {
                y[i] += (k & 1 ? -1.0 : 1.0) * step[i];
                y[j] += (k & 2 ? -1.0 : 1.0) * step[j];
                v[k] = f(y, NULL, ctx);
                memcpy(y, x, n * sizeof *y);
            }
            double d = i == j ? (v[0] - 2.0 * f0 + v[3]) / (4.0 * step[i] * step[i])
                              : (v[0] - v[1] - v[2] + v[3]) / (4.0 * step[i] * step[j]);
            /* with i == j, v[0] = f(x + 2h) and v[3] = f(x − 2h): the step is 2h */
            hess[i * n + j] = hess[j * n + i] = d;
        }
    /* invert through Cholesky: column by column, solve H z = e_k */
    double l[RTN__OPT_MAX * RTN__OPT_MAX];
    memcpy(l, hess, n * n * sizeof *l);
    for (size_t j = 0; j < n; ++j) {
        double diag = l[j * n + j];
        for (size_t k = 0; k < j; ++k)
            diag -= l[j * n + k] * l[j * n + k];
        if (!(diag > 0.0) || !isfinite(diag))
            return -1; /* not a proper maximum: no standard errors */
        l[j * n + j] = sqrt(diag);
        for (size_t i = j + 1; i < n; ++i) {
            double t = l[i * n + j];
            for (size_t k = 0; k < j; ++k)
                t -= l[i * n + k] * l[j * n + k];
            l[i * n + j] = t / l[j * n + j];
        }
    }
    for (size_t k = 0; k < n; ++k) {
        double z[RTN__OPT_MAX];
        for (size_t i = 0; i < n; ++i) { /* L w = e_k */
            double t = i == k ? 1.0 : 0.0;
            for (size_t m = 0; m < i; ++m)
                t -= l[i * n + m] * z[m];
            z[i] = t / l[i * n + i];
        }
        for (size_t i = n; i-- > 0;) { /* Lᵀ z = w */
            double t = z[i];
            for (size_t m = i + 1; m < n; ++m)
                t -= l[m * n + i] * z[m];
            z[i] = t / l[i * n + i];
        }
        se[k] = exp(x[k]) * sqrt(z[k]);
    }
    return 0;
}
