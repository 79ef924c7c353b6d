/* The Pareto/NBD model (retention/pareto_nbd.h): the published CDNOW fit; the likelihood,
 * P(alive), conditional expectations and DERT against a direct two-dimensional quadrature of
 * the model's definition (Gamma mixtures over the purchase rate λ and the dropout rate μ);
 * reference likelihoods computed independently with mpmath; limits and consistency of the
 * predictions; finiteness and continuity for extreme inputs; every bad input. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "rtn_test.h"

#ifndef RTN_TEST_DATA_DIR
#error "RTN_TEST_DATA_DIR must name tests/data"
#endif

/* ---- CDNOW ----------------------------------------------------------------------------------- */

enum { CDNOW_CUSTOMERS = 2357 };

typedef struct cdnow {
    double x[CDNOW_CUSTOMERS], t_x[CDNOW_CUSTOMERS], T[CDNOW_CUSTOMERS];
} cdnow;

/* tests/data/cdnow_summary.csv (lifetimes' cdnow_customers_summary_with_transactions.csv):
 * ID,x,t_x,T,zbar with t_x and T in weeks to 2 decimals, CRLF. Part of the repository: a
 * missing file is a broken checkout, and fails. */
static void load_cdnow(cdnow *c)
{
    FILE *f = fopen(RTN_TEST_DATA_DIR "/cdnow_summary.csv", "r");
    if (!f)
        fail_msg("cannot open %s", RTN_TEST_DATA_DIR "/cdnow_summary.csv");
    char line[256];
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    size_t n = 0;
    int id;
    double x, tx, T, zbar;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%d,%lf,%lf,%lf,%lf", &id, &x, &tx, &T, &zbar) == 5) {
            assert_true(n < CDNOW_CUSTOMERS);
            c->x[n] = x;
            c->t_x[n] = tx;
            c->T[n++] = T;
        }
    fclose(f);
    assert_int_equal(n, CDNOW_CUSTOMERS);
}

/* |fit − published| ≤ half a unit of the published value's last digit + 1e-3 relative */
static void assert_published(double fit, double published, double last_digit)
{
    double tol = 0.5 * last_digit + 1e-3 * fabs(published);
    if (!(fabs(fit - published) <= tol)) {
        print_error("fit %.6g, published %.6g (tolerance %.3g)\n", fit, published, tol);
        fail();
    }
}

static void cdnow_fit_matches_published(void **state)
{
    (void)state;
    static cdnow c;
    load_cdnow(&c);
    double p[4], se[4], ll;
    assert_int_equal(rtn_pnbd_fit(c.x, c.t_x, c.T, NULL, CDNOW_CUSTOMERS, p, se, &ll, NULL),
                     RTN_OK);
    /* Fader, Hardie & Lee (2005) and BTYD's vignette: r = 0.55, α = 10.58, s = 0.61,
     * β = 11.67, LL = −9595.0; full-precision MLE LL = −9594.9762 */
    assert_published(p[0], 0.55, 0.01);
    assert_published(p[1], 10.58, 0.01);
    assert_published(p[2], 0.61, 0.01);
    assert_published(p[3], 11.67, 0.01);
    assert_rel(ll, -9594.9762, 1e-6);
    assert_published(ll, -9595.0, 0.1);
    /* BTYD's estimate (cdnowSummary$est.params) */
    assert_published(p[0], 0.553, 0.001);
    assert_published(p[1], 10.58, 0.01);
    assert_published(p[2], 0.606, 0.001);
    assert_published(p[3], 11.656, 0.001);
    /* the maximum: the likelihood there is the fit's, and no published estimate beats it */
    double at, btyd[4] = {0.553, 10.58, 0.606, 11.656}, pub[4] = {0.55, 10.58, 0.61, 11.67};
    assert_int_equal(rtn_pnbd_loglik(p, c.x, c.t_x, c.T, NULL, CDNOW_CUSTOMERS, &at, NULL), RTN_OK);
    assert_rel(at, ll, 1e-12);
    double l_btyd, l_pub;
    assert_int_equal(rtn_pnbd_loglik(btyd, c.x, c.t_x, c.T, NULL, CDNOW_CUSTOMERS, &l_btyd, NULL),
                     RTN_OK);
    assert_int_equal(rtn_pnbd_loglik(pub, c.x, c.t_x, c.T, NULL, CDNOW_CUSTOMERS, &l_pub, NULL),
                     RTN_OK);
    assert_true(l_btyd <= ll && l_pub <= ll);
    assert_true(ll - l_btyd < 1e-3);
    /* standard errors: finite, positive, of the order BTYD reports */
    for (int i = 0; i < 4; ++i)
        assert_true(isfinite(se[i]) && se[i] > 0.0 && se[i] < p[i] * 2.0);
    /* the same customers grouped by hand, with weights: the same fit */
    static double gx[CDNOW_CUSTOMERS], gtx[CDNOW_CUSTOMERS], gT[CDNOW_CUSTOMERS],
        gw[CDNOW_CUSTOMERS];
    size_t m = 0;
    for (size_t i = 0; i < CDNOW_CUSTOMERS; ++i) {
        size_t k = 0;
        while (k < m && !(gx[k] == c.x[i] && gtx[k] == c.t_x[i] && gT[k] == c.T[i]))
            ++k;
        if (k == m) {
            gx[m] = c.x[i];
            gtx[m] = c.t_x[i];
            gT[m] = c.T[i];
            gw[m++] = 0.0;
        }
        gw[k] += 1.0;
    }
    assert_true(m < CDNOW_CUSTOMERS / 2);
    double q[4], lq, lw;
    assert_int_equal(rtn_pnbd_loglik(p, gx, gtx, gT, gw, m, &lw, NULL), RTN_OK);
    assert_rel(lw, ll, 1e-12);
    assert_int_equal(rtn_pnbd_fit(gx, gtx, gT, gw, m, q, NULL, &lq, NULL), RTN_OK);
    for (int i = 0; i < 4; ++i)
        assert_rel(q[i], p[i], 1e-9);
    assert_rel(lq, ll, 1e-12);
    /* weeks → days: α and β scale by 7, r and s do not; the likelihood is a density in the
     * times of the x repeat purchases, each of which loses a factor 7 */
    static double dtx[CDNOW_CUSTOMERS], dT[CDNOW_CUSTOMERS];
    double purchases = 0.0;
    for (size_t i = 0; i < CDNOW_CUSTOMERS; ++i) {
        dtx[i] = c.t_x[i] * 7.0;
        dT[i] = c.T[i] * 7.0;
        purchases += c.x[i];
    }
    assert_true(purchases == 2457.0);
    double dp[4], dll;
    assert_int_equal(rtn_pnbd_fit(c.x, dtx, dT, NULL, CDNOW_CUSTOMERS, dp, NULL, &dll, NULL),
                     RTN_OK);
    assert_rel(dp[0], p[0], 1e-6);
    assert_rel(dp[1], p[1] * 7.0, 1e-6);
    assert_rel(dp[2], p[2], 1e-6);
    assert_rel(dp[3], p[3] * 7.0, 1e-6);
    assert_rel(dll, ll - purchases * log(7.0), 1e-10);
}

/* Reference log-likelihoods of the CDNOW customers, from Fader & Hardie's formula evaluated
 * with mpmath 1.3 (hyp2f1, 30 significant digits) — an implementation independent of this
 * library's series and quadrature. */
static void cdnow_loglik_reference(void **state)
{
    (void)state;
    static cdnow c;
    load_cdnow(&c);
    static const struct {
        double p[4], ll;
    } ref[] = {
        {{0.553, 10.58, 0.606, 11.656}, -9594.9742237533317755},
        {{0.55, 10.58, 0.61, 11.67}, -9595.0085304903348955},
        {{1, 30, 1, 30}, -9726.0574097052357586},  /* α = β, s = 1 */
        {{0.5, 40, 2, 5}, -11988.243207991142853}, /* α ≫ β */
        {{2, 3, 0.3, 50}, -15341.62596641058795},  /* α ≪ β */
    };
    for (size_t k = 0; k < sizeof ref / sizeof ref[0]; ++k) {
        double ll;
        assert_int_equal(
            rtn_pnbd_loglik(ref[k].p, c.x, c.t_x, c.T, NULL, CDNOW_CUSTOMERS, &ll, NULL), RTN_OK);
        assert_rel(ll, ref[k].ll, 1e-13);
    }
}

/* ---- the model's definition, integrated ------------------------------------------------------ */

/* A grid in log-rate for a Gamma(shape, rate) mixing density times v^extra e^(−v t): nodes
 * e^a at spacing h over the range where v^(shape+extra) e^(−v (rate + τ)) is within e^-50 of
 * its maximum for some τ in [t, T] (the integrands carry such a factor), and the weights
 * (density · Jacobian · v^extra) scaled by e^-lmax. The trapezoid rule in log rate converges
 * geometrically for these analytic, doubly decaying integrands. */
typedef struct grid {
    size_t n;
    double *v, *w; /* rates, weights scaled by e^-lmax */
    double lmax;   /* log of the scale, constants of the density included */
} grid;

static void make_grid(grid *g, double shape, double rate, double extra, double t, double T,
                      double h)
{
    double k = shape + extra;
    double am = log(k / (rate + t)), hi = am + log1p(60.0 / k) + 2.0;
    double lo = am - 50.0 / k - 2.0 - log((rate + T) / (rate + t)); /* e^(−v T) peaks lower */
    g->n = (size_t)((hi - lo) / h) + 1;
    g->v = malloc(g->n * sizeof *g->v);
    g->w = malloc(g->n * sizeof *g->w);
    assert_non_null(g->v);
    assert_non_null(g->w);
    double top = k * am - k; /* the maximum of k a − (rate + t) e^a */
    for (size_t i = 0; i < g->n; ++i) {
        double a = lo + (double)i * h;
        g->v[i] = exp(a);
        g->w[i] = exp(k * a - (rate + t) * g->v[i] - top) * h;
    }
    g->lmax = top + shape * log(rate) - lgamma(shape);
}

static void free_grid(grid *g)
{
    free(g->v);
    free(g->w);
}

/* For one customer: log L, P(alive at T), E[X(T, T + horizon)] and DERT(δ), from
 *   L = E_{λ,μ}[λ^x e^{−(λ+μ)T} + λ^x μ/(λ+μ) (e^{−(λ+μ)t_x} − e^{−(λ+μ)T})]
 * (purchases Poisson(λ) while alive, lifetime exponential(μ): alive at T, or dropped out at
 * τ in (t_x, T] after the x-th purchase), P(alive) = E[λ^x e^{−(λ+μ)T}] / L,
 * E = E[λ^x e^{−(λ+μ)T} λ (1 − e^{−μ t})/μ] / L, and DERT = E[λ^x e^{−(λ+μ)T} λ/(δ + μ)] / L
 * (the discounted purchase stream of a live customer, ∫_0^∞ λ e^{−(δ+μ)u} du). */
static void by_quadrature(const double p[4], double x, double tx, double T, double horizon,
                          double delta, double out[4])
{
    const double h = 0.04;
    grid gl, gm;
    make_grid(&gl, p[0], p[1], x, tx, T, h); /* λ^x e^(−λ t_x) in the λ weights */
    make_grid(&gm, p[2], p[3], 0.0, tx, T, h);
    double *ltx = malloc(gl.n * sizeof *ltx), *lT = malloc(gl.n * sizeof *lT);
    double *mtx = malloc(gm.n * sizeof *mtx), *mT = malloc(gm.n * sizeof *mT);
    assert_true(ltx && lT && mtx && mT);
    double sl = 0.0, sl_rate = 0.0, sm = 0.0, sm_e = 0.0, sm_d = 0.0;
    for (size_t i = 0; i < gl.n; ++i) {
        ltx[i] = gl.w[i];
        lT[i] = gl.w[i] * exp(-gl.v[i] * (T - tx));
        sl += lT[i];
        sl_rate += lT[i] * gl.v[i];
    }
    for (size_t j = 0; j < gm.n; ++j) {
        double mu = gm.v[j];
        mtx[j] = 1.0;
        mT[j] = exp(-mu * (T - tx));
        sm += gm.w[j] * mT[j];
        sm_e += gm.w[j] * mT[j] * -expm1(-mu * horizon) / mu;
        sm_d += gm.w[j] * mT[j] / (delta + mu);
    }
    double dead = 0.0;
    for (size_t i = 0; i < gl.n; ++i) {
        double row = 0.0, lam = gl.v[i];
        for (size_t j = 0; j < gm.n; ++j) {
            double mu = gm.v[j];
            row += gm.w[j] * mu / (lam + mu) * (ltx[i] * mtx[j] - lT[i] * mT[j]);
        }
        dead += row;
    }
    double alive = sl * sm, total = alive + dead;
    out[0] = log(total) + gl.lmax + gm.lmax;
    out[1] = alive / total;
    out[2] = sl_rate * sm_e / total;
    out[3] = sl_rate * sm_d / total;
    free(ltx);
    free(lT);
    free(mtx);
    free(mT);
    free_grid(&gl);
    free_grid(&gm);
}

static void matches_the_definition(void **state)
{
    (void)state;
    static const double params[][4] = {
        {0.55, 10.58, 0.61, 11.67}, /* CDNOW */
        {0.8, 60.0, 1.3, 2.0},      /* α ≫ β: the quadrature branch of J for small t_x */
        {1.5, 0.8, 0.7, 40.0},      /* α ≪ β, likewise */
        {0.9, 5.0, 2.5, 5.0},       /* α = β */
        {0.7, 3.0, 1.0, 8.0},       /* s = 1 */
    };
    static const double cust[][3] = {
        {0, 0, 39}, {2, 30.43, 38.86}, {7, 0.5, 38}, {1, 12, 12}, {25, 20, 30},
    };
    const double horizon = 26.0, delta = 0.0027; /* about 15 % a year, in weeks */
    for (size_t k = 0; k < sizeof params / sizeof params[0]; ++k)
        for (size_t c = 0; c < sizeof cust / sizeof cust[0]; ++c) {
            double x = cust[c][0], tx = cust[c][1], T = cust[c][2], q[4];
            by_quadrature(params[k], x, tx, T, horizon, delta, q);
            double ll, pa, e, d;
            assert_int_equal(rtn_pnbd_loglik(params[k], &x, &tx, &T, NULL, 1, &ll, NULL), RTN_OK);
            assert_int_equal(rtn_pnbd_predict(params[k], &x, &tx, &T, 1, horizon, &pa, &e, NULL),
                             RTN_OK);
            assert_int_equal(rtn_pnbd_dert(params[k], &x, &tx, &T, 1, delta, &d, NULL), RTN_OK);
            if (!(fabs(ll - q[0]) <= 1e-12 * fmax(1.0, fabs(q[0]))))
                fail_msg("params %zu customer %zu: log L %.17g, by quadrature %.17g", k, c, ll,
                         q[0]);
            assert_rel(pa, q[1], 1e-12);
            assert_rel(e, q[2], 1e-12);
            assert_rel(d, q[3], 1e-12);
        }
}

/* ---- the new customer's purchase-count distribution ------------------------------------------ */

/* P(X(t) = k | λ, μ) from the definition: alive throughout (e^(−μt)) with a Poisson(λt) count,
 * or dropped out at τ ≤ t after exactly k purchases:
 *   ∫_0^t μ e^(−μτ) e^(−λτ) (λτ)^k / k! dτ = μ λ^k / (λ + μ)^(k+1) · P(k + 1, (λ + μ) t),
 * P the regularised lower incomplete gamma function (its series below k + 1, one minus the
 * Poisson sum beyond, where it is near 1). */
static double pmf_given_rates(double lam, double mu, double t, int k)
{
    double y = (lam + mu) * t, lower;
    if (y < k + 1.0) { /* e^−y y^(k+1) / (k+1)! Σ_n y^n / ((k+2)…(k+1+n)) */
        double term = 1.0, sum = 1.0;
        for (int n = 1; term > 1e-18 * sum; ++n) {
            term *= y / (k + 1.0 + n);
            sum += term;
        }
        lower = exp(-y + (k + 1.0) * log(y) - lgamma(k + 2.0)) * sum;
    } else {
        double term = exp(-y), q = term;
        for (int j = 1; j <= k; ++j) {
            term *= y / j;
            q += term;
        }
        lower = 1.0 - q;
    }
    double alive = exp(-mu * t + k * log(lam * t) - lam * t - lgamma(k + 1.0));
    double dead = mu / (lam + mu) * exp(k * (log(lam) - log(lam + mu))) * lower;
    return alive + dead;
}

/* E_{λ,μ}[P(X(t) = k | λ, μ)], λ ~ Gamma(r, α), μ ~ Gamma(s, β), by the trapezoid rule in the
 * log rates (make_grid's grids of the two densities) */
static double pmf_by_quadrature(const double p[4], double t, int k)
{
    const double h = 0.05;
    grid gl, gm;
    make_grid(&gl, p[0], p[1], 0.0, 0.0, 0.0, h);
    make_grid(&gm, p[2], p[3], 0.0, 0.0, 0.0, h);
    double sum = 0.0;
    for (size_t i = 0; i < gl.n; ++i) {
        double row = 0.0;
        for (size_t j = 0; j < gm.n; ++j)
            row += gm.w[j] * pmf_given_rates(gl.v[i], gm.v[j], t, k);
        sum += gl.w[i] * row;
    }
    double v = sum * exp(gl.lmax + gm.lmax);
    free_grid(&gl);
    free_grid(&gm);
    return v;
}

static void pmf_matches_the_definition(void **state)
{
    (void)state;
    static const double params[][4] = {
        {0.55, 10.58, 0.61, 11.67},        /* CDNOW */
        {0.8, 60.0, 1.3, 2.0},             /* α ≫ β */
        {1.5, 0.8, 0.7, 40.0},             /* α ≪ β */
        {0.9, 5.0, 2.5, 5.0},              /* α = β */
        {0.9, 5.0, 2.5, 5.0 * (1 + 1e-9)}, /* α ≈ β */
        {0.7, 3.0, 1.0, 8.0},              /* s = 1 */
    };
    static const double times[] = {39.0, 50.0, 30.0, 20.0, 20.0, 2.5};
    static const int ks[] = {0, 1, 3, 10};
    for (size_t c = 0; c < sizeof params / sizeof params[0]; ++c) {
        double pmf[11];
        assert_int_equal(rtn_pnbd_pmf(params[c], times[c], pmf, 11), RTN_OK);
        for (size_t i = 0; i < sizeof ks / sizeof ks[0]; ++i) {
            double q = pmf_by_quadrature(params[c], times[c], ks[i]);
            if (!(fabs(pmf[ks[i]] - q) <= 1e-10 * q))
                fail_msg("params %zu, k = %d: P %.17g, by quadrature %.17g", c, ks[i], pmf[ks[i]],
                         q);
        }
    }
}

static void pmf_sums_to_one_with_the_expected_mean(void **state)
{
    (void)state;
    static const double params[][4] = {
        {0.55, 10.58, 0.61, 11.67}, {0.8, 60.0, 1.3, 2.0}, {1.5, 0.8, 0.7, 40.0},
        {0.9, 5.0, 2.5, 5.0},       {0.7, 3.0, 1.0, 8.0},  {2.0, 1.0, 0.5, 0.5},
    };
    static const double times[] = {0.01, 1.0, 39.0}; /* 3000 values hold all but 1e-14 */
    enum { KMAX = 3000 };
    static double pmf[KMAX];
    for (size_t c = 0; c < sizeof params / sizeof params[0]; ++c)
        for (size_t i = 0; i < sizeof times / sizeof times[0]; ++i) {
            double t = times[i], e;
            assert_int_equal(rtn_pnbd_pmf(params[c], t, pmf, KMAX), RTN_OK);
            double total = 0.0, mean = 0.0;
            for (size_t k = 0; k < KMAX; ++k) {
                assert_true(pmf[k] >= 0.0 && pmf[k] <= 1.0);
                total += pmf[k];
                mean += (double)k * pmf[k];
            }
            assert_int_equal(rtn_pnbd_new_customer(params[c], t, &e), RTN_OK);
            assert_rel(total, 1.0, 1e-12);
            assert_rel(mean, e, 1e-9);
        }
    /* t = 0: everything at 0 */
    double z[4] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL};
    assert_int_equal(rtn_pnbd_pmf(params[0], 0.0, z, 4), RTN_OK);
    assert_true(z[0] == 1.0 && z[1] == 0.0 && z[2] == 0.0 && z[3] == 0.0);
    /* tiny t: P(0) → 1 continuously, P(1) ≈ (r / α) t */
    assert_int_equal(rtn_pnbd_pmf(params[0], 1e-10, z, 2), RTN_OK);
    assert_rel(z[0], 1.0, 1e-9);
    assert_rel(z[1], params[0][0] / params[0][1] * 1e-10, 1e-8);
    /* α = β is the limit of α → β */
    double a[8], b[8];
    const double eq[4] = {0.9, 5.0, 2.5, 5.0}, near[4] = {0.9, 5.0, 2.5, 5.0 * (1 - 1e-13)};
    assert_int_equal(rtn_pnbd_pmf(eq, 20.0, a, 8), RTN_OK);
    assert_int_equal(rtn_pnbd_pmf(near, 20.0, b, 8), RTN_OK);
    for (int k = 0; k < 8; ++k)
        assert_rel(b[k], a[k], 1e-12);
}

static void pmf_extreme_inputs_are_finite(void **state)
{
    (void)state;
    static const double params[][4] = {
        {0.55, 10.58, 0.61, 11.67}, {1e-8, 1e-8, 1e-8, 1e8}, {1e6, 1e-3, 50.0, 1e-6},
        {0.05, 1e4, 1e-3, 1e-4},    {300.0, 2.0, 0.3, 2.0},
    };
    static const double times[] = {1e-300, 1e-6, 1.0, 1e6, 1e300};
    double pmf[64];
    for (size_t c = 0; c < sizeof params / sizeof params[0]; ++c)
        for (size_t i = 0; i < sizeof times / sizeof times[0]; ++i) {
            assert_int_equal(rtn_pnbd_pmf(params[c], times[i], pmf, 64), RTN_OK);
            double total = 0.0;
            for (int k = 0; k < 64; ++k) {
                assert_true(isfinite(pmf[k]) && pmf[k] >= 0.0 && pmf[k] <= 1.0);
                total += pmf[k];
            }
            assert_true(total <= 1.0 + 1e-12);
        }
}

/* ---- predictions: limits and consistency ----------------------------------------------------- */

static void predictions_are_consistent(void **state)
{
    (void)state;
    const double p[4] = {0.55, 10.58, 0.61, 11.67};
    /* a customer seen for no time is a new customer */
    double x0 = 0.0, z0 = 0.0, e, en, pa, ll;
    assert_int_equal(rtn_pnbd_loglik(p, &x0, &z0, &z0, NULL, 1, &ll, NULL), RTN_OK);
    assert_true(fabs(ll) <= 1e-14);
    assert_int_equal(rtn_pnbd_predict(p, &x0, &z0, &z0, 1, 52.0, &pa, &e, NULL), RTN_OK);
    assert_int_equal(rtn_pnbd_new_customer(p, 52.0, &en), RTN_OK);
    assert_true(pa == 1.0);
    assert_rel(e, en, 1e-13);
    /* E[X(t)] = r β / (α (s − 1)) [1 − (β / (β + t))^(s−1)] */
    assert_rel(en, 0.55 * 11.67 / (10.58 * -0.39) * (1.0 - pow(11.67 / (11.67 + 52.0), -0.39)),
               1e-13);
    /* its derivative is (r/α) (β/(β + t))^s, r/α at 0 */
    for (double t = 0.0; t <= 200.0; t += 25.0) {
        double up, down, hh = 1e-4 * (1.0 + t);
        assert_int_equal(rtn_pnbd_new_customer(p, t + hh, &up), RTN_OK);
        if (t > 0.0)
            assert_int_equal(rtn_pnbd_new_customer(p, t - hh, &down), RTN_OK);
        else
            down = 0.0;
        double slope = t > 0.0 ? (up - down) / (2.0 * hh) : up / hh;
        assert_rel(slope, 0.55 / 10.58 * pow(11.67 / (11.67 + t), 0.61), t > 0.0 ? 1e-7 : 1e-4);
    }
    assert_int_equal(rtn_pnbd_new_customer(p, 0.0, &en), RTN_OK);
    assert_true(en == 0.0);
    /* s > 1: the limit r β / (α (s − 1)); s = 1: r β / α log(1 + t/β), continuous in s */
    const double q2[4] = {0.8, 4.0, 2.5, 30.0};
    assert_int_equal(rtn_pnbd_new_customer(q2, 1e12, &en), RTN_OK);
    assert_rel(en, 0.8 * 30.0 / (4.0 * 1.5), 1e-12);
    const double s1[4] = {0.8, 4.0, 1.0, 30.0};
    double lo[4] = {0.8, 4.0, 1.0 - 1e-9, 30.0}, hi[4] = {0.8, 4.0, 1.0 + 1e-9, 30.0}, el, eh;
    assert_int_equal(rtn_pnbd_new_customer(s1, 100.0, &en), RTN_OK);
    assert_rel(en, 0.8 * 30.0 / 4.0 * log1p(100.0 / 30.0), 1e-14);
    assert_int_equal(rtn_pnbd_new_customer(lo, 100.0, &el), RTN_OK);
    assert_int_equal(rtn_pnbd_new_customer(hi, 100.0, &eh), RTN_OK);
    assert_rel(el, en, 1e-8);
    assert_rel(eh, en, 1e-8);
    assert_true(el > en && en > eh); /* fewer dropouts, more purchases */

    /* P(alive) in [0, 1], 1 at t_x = T, falling with T for x = 0 towards 0; the expectation
     * grows with the horizon, is 0 at 0 */
    double prev = 2.0;
    for (double T = 0.0; T <= 1e5; T = T * 3.0 + 1.0) {
        double tz = 0.0;
        assert_int_equal(rtn_pnbd_predict(p, &x0, &tz, &T, 1, 10.0, &pa, NULL, NULL), RTN_OK);
        assert_true(pa >= 0.0 && pa <= 1.0 && pa < prev);
        prev = pa;
    }
    assert_true(prev < 0.05);
    double x = 4.0, tx = 20.0, T = 38.0, last = 0.0, h0;
    assert_int_equal(rtn_pnbd_predict(p, &x, &T, &T, 1, 10.0, &pa, NULL, NULL), RTN_OK);
    assert_true(pa == 1.0);
    assert_int_equal(rtn_pnbd_predict(p, &x, &tx, &T, 1, 0.0, NULL, &h0, NULL), RTN_OK);
    assert_true(h0 == 0.0);
    for (double t = 1.0; t < 1e7; t *= 2.0) {
        assert_int_equal(rtn_pnbd_predict(p, &x, &tx, &T, 1, t, NULL, &e, NULL), RTN_OK);
        assert_true(e > last && isfinite(e));
        last = e;
    }
    /* recent buyers are likelier alive than lapsed ones, frequent ones than rare ones */
    double xs[3] = {4, 4, 1}, txs[3] = {37, 5, 37}, Ts[3] = {38, 38, 38}, pas[3], es[3];
    assert_int_equal(rtn_pnbd_predict(p, xs, txs, Ts, 3, 39.0, pas, es, NULL), RTN_OK);
    assert_true(pas[0] > pas[1] && es[0] > es[1] && es[0] > es[2]);
}

/* DERT = ∫ e^{−δt} dE(t) = δ ∫_0^∞ e^{−δt} E(t) dt, with E(t) the expected purchases in
 * (T, T + t] from rtn_pnbd_predict(): the trapezoid rule in log t. And as δ → 0, DERT tends to
 * the expected number of all future purchases (s > 1). */
static void dert_is_discounted_expectation(void **state)
{
    (void)state;
    static const double params[][4] = {{0.55, 10.58, 0.61, 11.67},
                                       {0.8, 60.0, 1.3, 2.0},
                                       {1.5, 0.8, 0.7, 40.0},
                                       {0.9, 5.0, 2.5, 5.0},
                                       {0.7, 3.0, 1.0, 8.0}};
    double x = 3.0, tx = 25.0, T = 38.0;
    for (size_t k = 0; k < sizeof params / sizeof params[0]; ++k)
        for (double delta = 1e-3; delta < 2.0; delta *= 10.0) {
            double d;
            assert_int_equal(rtn_pnbd_dert(params[k], &x, &tx, &T, 1, delta, &d, NULL), RTN_OK);
            double sum = 0.0, hh = 0.01;
            for (double y = log(1e-9 / delta); y < log(60.0 / delta); y += hh) {
                double t = exp(y), e;
                assert_int_equal(rtn_pnbd_predict(params[k], &x, &tx, &T, 1, t, NULL, &e, NULL),
                                 RTN_OK);
                sum += delta * exp(-delta * t) * e * t * hh;
            }
            assert_rel(d, sum, 1e-8);
        }
    const double p[4] = {0.9, 5.0, 2.5, 5.0};
    double d, pa;
    assert_int_equal(rtn_pnbd_dert(p, &x, &tx, &T, 1, 1e-12, &d, NULL), RTN_OK);
    assert_int_equal(rtn_pnbd_predict(p, &x, &tx, &T, 1, 1.0, &pa, NULL, NULL), RTN_OK);
    assert_rel(d, (0.9 + x) * (5.0 + T) / ((5.0 + T) * 1.5) * pa, 1e-9);
    /* several customers at once, in any order: the same as one by one */
    double xs[4] = {0, 3, 1, 0}, txs[4] = {0, 25, 38, 0}, Ts[4] = {38, 38, 38, 20}, ds[4];
    assert_int_equal(rtn_pnbd_dert(p, xs, txs, Ts, 4, 0.01, ds, NULL), RTN_OK);
    for (int i = 0; i < 4; ++i) {
        double one;
        assert_int_equal(rtn_pnbd_dert(p, &xs[i], &txs[i], &Ts[i], 1, 0.01, &one, NULL), RTN_OK);
        assert_true(one == ds[i]);
    }
}

/* ---- extreme inputs ----------------------------------------------------------------------------
 */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}
static double log_uniform(double lo, double hi) { return lo * pow(hi / lo, uniform()); }

static void check_finite(const double p[4], double x, double tx, double T)
{
    double ll, pa, e, d;
    assert_int_equal(rtn_pnbd_loglik(p, &x, &tx, &T, NULL, 1, &ll, NULL), RTN_OK);
    assert_true(isfinite(ll));
    assert_int_equal(rtn_pnbd_predict(p, &x, &tx, &T, 1, 52.0, &pa, &e, NULL), RTN_OK);
    assert_true(pa >= 0.0 && pa <= 1.0 && e >= 0.0 && isfinite(e));
    assert_int_equal(rtn_pnbd_dert(p, &x, &tx, &T, 1, 0.002, &d, NULL), RTN_OK);
    assert_true(d >= 0.0 && isfinite(d));
    if (tx == T)
        assert_true(pa == 1.0);
}

static double loglik1(const double p[4], double x, double tx, double T)
{
    double ll;
    assert_int_equal(rtn_pnbd_loglik(p, &x, &tx, &T, NULL, 1, &ll, NULL), RTN_OK);
    return ll;
}

static void extreme_inputs_are_finite_and_smooth(void **state)
{
    (void)state;
    static const double cust[][3] = {{5000, 50000, 50000}, {5000, 100, 50000}, {5000, 1e-3, 50000},
                                     {0, 0, 50000},        {0, 0, 0},          {1, 1e-9, 1e-9},
                                     {3000, 0.01, 11},     {1, 1e-6, 5e4},     {2, 30.43, 38.86},
                                     {40, 35, 39}};
    for (int k = 0; k < 300; ++k) {
        double p[4] = {log_uniform(1e-2, 1e2), log_uniform(1e-3, 1e4), log_uniform(1e-2, 1e2),
                       log_uniform(1e-3, 1e4)};
        if (k % 3 == 1)
            p[1] = p[3]; /* α = β exactly */
        else if (k % 3 == 2)
            p[1] = p[3] * (1.0 + 1e-12);
        for (size_t c = 0; c < sizeof cust / sizeof cust[0]; ++c)
            check_finite(p, cust[c][0], cust[c][1], cust[c][2]);
        /* continuous across α = β: second differences at the rounding level */
        double q[4] = {p[0], p[3], p[2], p[3]};
        for (size_t c = 0; c < sizeof cust / sizeof cust[0]; c += 3) {
            double x = cust[c][0], tx = cust[c][1], T = cust[c][2];
            double mid = loglik1(q, x, tx, T);
            q[1] = p[3] * (1.0 + 1e-9);
            double up = loglik1(q, x, tx, T);
            q[1] = p[3] * (1.0 - 1e-9);
            double down = loglik1(q, x, tx, T);
            q[1] = p[3];
            double scale = 1.0 + fabs(mid);
            assert_true(fabs(up - mid) <= 1e-5 * scale && fabs(down - mid) <= 1e-5 * scale);
            assert_true(fabs(up + down - 2.0 * mid) <= 1e-11 * scale);
        }
    }
    /* smooth where the evaluation of J changes method (the 2F1 series up to argument 0.85,
     * quadrature beyond): t_x around (α − β) / 0.85 − α, with α ≷ β. Continuous to rounding,
     * and the second derivative from steps h and 2h agrees (a jump of 1e-9 would not) */
    static const double sides[][4] = {{0.7, 100.0, 1.3, 1.0}, {0.7, 1.0, 1.3, 100.0}};
    for (int k = 0; k < 2; ++k) {
        const double tc = 99.0 / 0.85 - 100.0, hh = 1e-3;
        double below = loglik1(sides[k], 2.0, tc * (1.0 - 1e-13), 40.0);
        double above = loglik1(sides[k], 2.0, tc * (1.0 + 1e-13), 40.0);
        assert_true(fabs(above - below) <= 1e-12 * (1.0 + fabs(below)));
        for (double off = -2.5e-3; off <= 2.5e-3; off += 1e-3) {
            double t = tc + off, f[5];
            for (int i = 0; i < 5; ++i)
                f[i] = loglik1(sides[k], 2.0, t + (i - 2) * hh, 40.0);
            double d1 = (f[1] + f[3] - 2.0 * f[2]) / (hh * hh);
            double d2 = (f[0] + f[4] - 2.0 * f[2]) / (4.0 * hh * hh);
            assert_true(fabs(d1 - d2) <= 1e-4 * (1.0 + fabs(d1)));
        }
    }
}

/* ---- a fit where J needs its quadrature ---------------------------------------------------------
 */

static double normal(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* Gamma(k, 1) by Marsaglia & Tsang (2000), boosted for k < 1 */
static double gamma_variate(double k)
{
    if (k < 1.0)
        return gamma_variate(k + 1.0) * pow(uniform(), 1.0 / k);
    double d = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double z = normal(), v = 1.0 + c * z;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        if (log(uniform()) < 0.5 * z * z + d - d * v + d * log(v))
            return d * v;
    }
}

/* Customers simulated from the model with α ≪ β (most J's by quadrature, with their
 * gradient): the fit is a maximum of the likelihood, near the truth. */
static void fit_with_alpha_far_below_beta(void **state)
{
    (void)state;
    enum { N = 1500 };
    static double x[N], tx[N], T[N];
    const double truth[4] = {0.3, 0.5, 2.0, 300.0};
    rng_state = 12345;
    for (int i = 0; i < N; ++i) {
        double lambda = gamma_variate(truth[0]) / truth[1];
        double mu = gamma_variate(truth[2]) / truth[3];
        T[i] = 20.0 + 20.0 * uniform();
        double end = fmin(-log(uniform()) / mu, T[i]), t = 0.0;
        x[i] = 0.0;
        tx[i] = 0.0;
        for (;;) {
            t += -log(uniform()) / lambda;
            if (t > end)
                break;
            x[i] += 1.0;
            tx[i] = t;
        }
    }
    double p[4], se[4], ll;
    assert_int_equal(rtn_pnbd_fit(x, tx, T, NULL, N, p, se, &ll, NULL), RTN_OK);
    assert_true(fabs(p[0] - truth[0]) < 3.0 * se[0] && fabs(p[1] - truth[1]) < 3.0 * se[1]);
    for (int i = 0; i < 4; ++i)
        for (int sign = -1; sign <= 1; sign += 2) {
            double q[4] = {p[0], p[1], p[2], p[3]}, lq;
            q[i] *= 1.0 + sign * 1e-3;
            assert_int_equal(rtn_pnbd_loglik(q, x, tx, T, NULL, N, &lq, NULL), RTN_OK);
            assert_true(lq < ll);
        }
}

/* ---- fits that cannot be done ------------------------------------------------------------------
 */

static void fit_undefined_or_not_converging(void **state)
{
    (void)state;
    double x[200], tx[200], T[200], w[200];
    double p[4] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL},
           se[4] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL};
    double ll = SENTINEL;
    /* nobody bought again */
    for (int i = 0; i < 200; ++i) {
        x[i] = 0.0;
        tx[i] = 0.0;
        T[i] = 10.0 + i;
        w[i] = 1.0;
    }
    assert_int_equal(rtn_pnbd_fit(x, tx, T, NULL, 200, p, se, &ll, NULL), RTN_EUNDEFINED);
    /* the only repeat buyer has weight 0 */
    x[7] = 2.0;
    tx[7] = 5.0;
    w[7] = 0.0;
    assert_int_equal(rtn_pnbd_fit(x, tx, T, w, 200, p, se, &ll, NULL), RTN_EUNDEFINED);
    /* identical, steady buyers all seen lately: the likelihood rises towards a Poisson process
     * without dropout, no maximum */
    for (int i = 0; i < 200; ++i) {
        T[i] = 20.0 + i % 10;
        x[i] = T[i];
        tx[i] = T[i] - 0.5;
    }
    assert_int_equal(rtn_pnbd_fit(x, tx, T, NULL, 200, p, se, &ll, NULL), RTN_ENOCONV);
    for (int i = 0; i < 200; ++i) {
        T[i] = 30.0;
        x[i] = i % 3;
        tx[i] = x[i] > 0.0 ? 29.0 : 0.0;
    }
    assert_int_equal(rtn_pnbd_fit(x, tx, T, NULL, 200, p, se, &ll, NULL), RTN_ENOCONV);
    for (int i = 0; i < 4; ++i)
        assert_true(p[i] == SENTINEL && se[i] == SENTINEL);
    assert_true(ll == SENTINEL);
}

/* ---- bad input ---------------------------------------------------------------------------------
 */

#define NO_INDEX ((size_t)999)

static void pareto_nbd_bad_input(void **state)
{
    (void)state;
    const double p[4] = {0.55, 10.58, 0.61, 11.67};
    double x[3] = {0, 2, 1}, tx[3] = {0, 30, 5}, T[3] = {38, 38, 38}, w[3] = {1, 2, 1};
    double ob[3] = {SENTINEL, SENTINEL, SENTINEL}, ob2[3] = {SENTINEL, SENTINEL, SENTINEL};
    double q[4] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL};
    size_t bad = NO_INDEX;

    /* NULLs and n = 0 */
    EXPECT_FAIL(RTN_EINVAL, rtn_pnbd_loglik(NULL, x, tx, T, NULL, 3, &out, &bad));
    EXPECT_FAIL(RTN_EINVAL, rtn_pnbd_loglik(p, NULL, tx, T, NULL, 3, &out, &bad));
    EXPECT_FAIL(RTN_EINVAL, rtn_pnbd_loglik(p, x, NULL, T, NULL, 3, &out, &bad));
    EXPECT_FAIL(RTN_EINVAL, rtn_pnbd_loglik(p, x, tx, NULL, NULL, 3, &out, &bad));
    EXPECT_FAIL(RTN_EINVAL, rtn_pnbd_loglik(p, x, tx, T, NULL, 0, &out, &bad));
    assert_int_equal(rtn_pnbd_loglik(p, x, tx, T, NULL, 3, NULL, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_fit(NULL, tx, T, NULL, 3, q, NULL, NULL, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_fit(x, NULL, T, NULL, 3, q, NULL, NULL, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_fit(x, tx, NULL, NULL, 3, q, NULL, NULL, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_fit(x, tx, T, NULL, 3, NULL, NULL, NULL, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_fit(x, tx, T, NULL, 0, q, NULL, NULL, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_predict(NULL, x, tx, T, 3, 1.0, ob, ob2, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_predict(p, NULL, tx, T, 3, 1.0, ob, ob2, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_predict(p, x, NULL, T, 3, 1.0, ob, ob2, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_predict(p, x, tx, NULL, 3, 1.0, ob, ob2, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_dert(NULL, x, tx, T, 3, 0.01, ob, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_dert(p, NULL, tx, T, 3, 0.01, ob, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_dert(p, x, tx, T, 3, 0.01, NULL, &bad), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_new_customer(NULL, 1.0, ob), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_new_customer(p, 1.0, NULL), RTN_EINVAL);
    /* n = 0 is nothing to predict: fine, with NULL columns */
    assert_int_equal(rtn_pnbd_predict(p, NULL, NULL, NULL, 0, 1.0, NULL, NULL, &bad), RTN_OK);
    assert_int_equal(rtn_pnbd_dert(p, NULL, NULL, NULL, 0, 0.01, NULL, &bad), RTN_OK);

    /* bad parameters: each one, non-finite or ≤ 0; bad_index is not written */
    const double bad_values[] = {0.0, -1.0, NAN, INFINITY, -INFINITY};
    for (int i = 0; i < 4; ++i)
        for (size_t v = 0; v < sizeof bad_values / sizeof bad_values[0]; ++v) {
            double b[4] = {p[0], p[1], p[2], p[3]};
            b[i] = bad_values[v];
            EXPECT_FAIL(RTN_EDOMAIN, rtn_pnbd_loglik(b, x, tx, T, NULL, 3, &out, &bad));
            assert_int_equal(rtn_pnbd_predict(b, x, tx, T, 3, 1.0, ob, ob2, &bad), RTN_EDOMAIN);
            assert_int_equal(rtn_pnbd_dert(b, x, tx, T, 3, 0.01, ob, &bad), RTN_EDOMAIN);
            EXPECT_FAIL(RTN_EDOMAIN, rtn_pnbd_new_customer(b, 1.0, &out));
            assert_true(bad == NO_INDEX);
        }

    /* bad customers at index 2: x negative, non-whole, NaN, infinite; t_x > T; x > 0 with
     * t_x = 0; x = 0 with t_x > 0; t_x negative or NaN; T infinite or NaN */
    static const double bad_cust[][3] = {
        {-1, 0, 38}, {1.5, 5, 38}, {NAN, 5, 38}, {INFINITY, 5, 38}, {1, 39, 38}, {1, 0, 38},
        {0, 5, 38},  {1, -1, 38},  {1, NAN, 38}, {1, 5, INFINITY},  {1, 5, NAN}, {0, 0, -1}};
    for (size_t c = 0; c < sizeof bad_cust / sizeof bad_cust[0]; ++c) {
        double bx[3] = {x[0], x[1], bad_cust[c][0]}, btx[3] = {tx[0], tx[1], bad_cust[c][1]},
               bT[3] = {T[0], T[1], bad_cust[c][2]};
        bad = NO_INDEX;
        EXPECT_FAIL(RTN_EDOMAIN, rtn_pnbd_loglik(p, bx, btx, bT, NULL, 3, &out, &bad));
        assert_int_equal(bad, 2);
        bad = NO_INDEX;
        assert_int_equal(rtn_pnbd_fit(bx, btx, bT, NULL, 3, q, NULL, NULL, &bad), RTN_EDOMAIN);
        assert_int_equal(bad, 2);
        bad = NO_INDEX;
        assert_int_equal(rtn_pnbd_predict(p, bx, btx, bT, 3, 1.0, ob, ob2, &bad), RTN_EDOMAIN);
        assert_int_equal(bad, 2);
        bad = NO_INDEX;
        assert_int_equal(rtn_pnbd_dert(p, bx, btx, bT, 3, 0.01, ob, &bad), RTN_EDOMAIN);
        assert_int_equal(bad, 2);
        /* bad_index may be NULL */
        assert_int_equal(rtn_pnbd_dert(p, bx, btx, bT, 3, 0.01, ob, NULL), RTN_EDOMAIN);
    }
    /* bad weights: negative, NaN, infinite, at index 1 */
    const double bad_w[] = {-1.0, NAN, INFINITY};
    for (size_t k = 0; k < 3; ++k) {
        double bw[3] = {w[0], bad_w[k], w[2]};
        bad = NO_INDEX;
        EXPECT_FAIL(RTN_EDOMAIN, rtn_pnbd_loglik(p, x, tx, T, bw, 3, &out, &bad));
        assert_int_equal(bad, 1);
        bad = NO_INDEX;
        assert_int_equal(rtn_pnbd_fit(x, tx, T, bw, 3, q, NULL, NULL, &bad), RTN_EDOMAIN);
        assert_int_equal(bad, 1);
    }
    /* bad horizon, δ, t: EDOMAIN, bad_index not written */
    const double bad_scalar[] = {-1.0, -1e-300, NAN, INFINITY};
    for (size_t k = 0; k < 4; ++k) {
        bad = NO_INDEX;
        assert_int_equal(rtn_pnbd_predict(p, x, tx, T, 3, bad_scalar[k], ob, ob2, &bad),
                         RTN_EDOMAIN);
        assert_int_equal(rtn_pnbd_dert(p, x, tx, T, 3, bad_scalar[k], ob, &bad), RTN_EDOMAIN);
        EXPECT_FAIL(RTN_EDOMAIN, rtn_pnbd_new_customer(p, bad_scalar[k], &out));
        assert_true(bad == NO_INDEX);
    }
    bad = NO_INDEX;
    assert_int_equal(rtn_pnbd_dert(p, x, tx, T, 3, 0.0, ob, &bad), RTN_EDOMAIN);
    assert_true(bad == NO_INDEX);
    /* every output untouched by all of the above */
    for (int i = 0; i < 3; ++i)
        assert_true(ob[i] == SENTINEL && ob2[i] == SENTINEL);
    for (int i = 0; i < 4; ++i)
        assert_true(q[i] == SENTINEL);

    /* results too large for a double: EOVERFLOW, outputs untouched */
    const double huge[4] = {1e300, 1e-300, 0.5, 1.0};
    double e1 = 0.0, t1 = 0.0, T1 = 0.0;
    assert_int_equal(rtn_pnbd_predict(huge, &e1, &t1, &T1, 1, 1e300, ob, ob2, NULL), RTN_EOVERFLOW);
    EXPECT_FAIL(RTN_EOVERFLOW, rtn_pnbd_new_customer(huge, 1e300, &out));
    assert_true(ob[0] == SENTINEL && ob2[0] == SENTINEL);
    /* weight 0 rows add nothing; zero weights throughout give an empty sum */
    double w0[3] = {0.0, 0.0, 0.0}, ll;
    assert_int_equal(rtn_pnbd_loglik(p, x, tx, T, w0, 3, &ll, NULL), RTN_OK);
    assert_true(ll == 0.0);

    /* rtn_pnbd_pmf: NULLs, kmax = 0, bad parameters and t; outputs untouched */
    double pm[3] = {SENTINEL, SENTINEL, SENTINEL};
    assert_int_equal(rtn_pnbd_pmf(NULL, 1.0, pm, 3), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_pmf(p, 1.0, NULL, 3), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_pmf(p, 1.0, pm, 0), RTN_EINVAL);
    for (int i = 0; i < 4; ++i)
        for (size_t v = 0; v < sizeof bad_values / sizeof bad_values[0]; ++v) {
            double b[4] = {p[0], p[1], p[2], p[3]};
            b[i] = bad_values[v];
            assert_int_equal(rtn_pnbd_pmf(b, 1.0, pm, 3), RTN_EDOMAIN);
        }
    for (size_t k = 0; k < 4; ++k)
        assert_int_equal(rtn_pnbd_pmf(p, bad_scalar[k], pm, 3), RTN_EDOMAIN);
    assert_int_equal(rtn_pnbd_pmf(p, -INFINITY, pm, 3), RTN_EDOMAIN);
    for (int i = 0; i < 3; ++i)
        assert_true(pm[i] == SENTINEL);
}

/* The allocator-taking variants: every allocation failing in turn gives RTN_ENOMEM with the
 * outputs untouched (and no leak under ASan), then the same result as the malloc variant. */
static void pareto_nbd_allocation_failures(void **state)
{
    (void)state;
    static cdnow c;
    load_cdnow(&c);
    const double *x = c.x, *tx = c.t_x, *T = c.T; /* the first 8 customers for predictions */
    const size_t n = 8;
    double want[4], got[4] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL};
    assert_int_equal(rtn_pnbd_fit(x, tx, T, NULL, CDNOW_CUSTOMERS, want, NULL, NULL, NULL), RTN_OK);
    double pa_want[8], e_want[8], d_want[8], pmf_want[5], pa[8], e[8], d[8], pmf[5];
    assert_int_equal(rtn_pnbd_predict(want, x, tx, T, n, 10, pa_want, e_want, NULL), RTN_OK);
    assert_int_equal(rtn_pnbd_dert(want, x, tx, T, n, 0.01, d_want, NULL), RTN_OK);
    assert_int_equal(rtn_pnbd_pmf(want, 20, pmf_want, 5), RTN_OK);
    int done[4] = {0, 0, 0, 0};
    for (int left = 0; !(done[0] && done[1] && done[2] && done[3]); ++left) {
        assert_true(left < 100);
        failing f = {left, 0};
        rtn_allocator a = {failing_alloc, failing_free, &f};
        for (int i = 0; i < 8; ++i)
            pa[i] = e[i] = d[i] = SENTINEL;
        for (int i = 0; i < 5; ++i)
            pmf[i] = SENTINEL;
        int rc = done[0] ? RTN_OK
                         : rtn_pnbd_fit_alloc(x, tx, T, NULL, CDNOW_CUSTOMERS, got, NULL, NULL,
                                              NULL, &a);
        if (rc == RTN_OK) {
            done[0] = 1;
            assert_memory_equal(got, want, sizeof got);
        } else {
            assert_int_equal(rc, RTN_ENOMEM);
            assert_true(got[0] == SENTINEL);
        }
        f.left = left;
        if ((rc = rtn_pnbd_predict_alloc(want, x, tx, T, n, 10, pa, e, NULL, &a)) == RTN_OK) {
            done[1] = 1;
            assert_memory_equal(pa, pa_want, sizeof pa);
            assert_memory_equal(e, e_want, sizeof e);
        } else {
            assert_int_equal(rc, RTN_ENOMEM);
            assert_true(pa[0] == SENTINEL && e[0] == SENTINEL);
        }
        f.left = left;
        if ((rc = rtn_pnbd_dert_alloc(want, x, tx, T, n, 0.01, d, NULL, &a)) == RTN_OK) {
            done[2] = 1;
            assert_memory_equal(d, d_want, sizeof d);
        } else {
            assert_int_equal(rc, RTN_ENOMEM);
            assert_true(d[0] == SENTINEL);
        }
        f.left = left;
        if ((rc = rtn_pnbd_pmf_alloc(want, 20, pmf, 5, &a)) == RTN_OK) {
            done[3] = 1;
            assert_memory_equal(pmf, pmf_want, sizeof pmf);
        } else {
            assert_int_equal(rc, RTN_ENOMEM);
            assert_true(pmf[0] == SENTINEL);
        }
    }
    rtn_allocator half = {NULL, failing_free, NULL};
    assert_int_equal(rtn_pnbd_fit_alloc(x, tx, T, NULL, n, got, NULL, NULL, NULL, &half), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_predict_alloc(want, x, tx, T, n, 1, pa, e, NULL, &half), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_dert_alloc(want, x, tx, T, n, 0.1, d, NULL, &half), RTN_EINVAL);
    assert_int_equal(rtn_pnbd_pmf_alloc(want, 1, pmf, 5, &half), RTN_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cdnow_fit_matches_published),
        cmocka_unit_test(cdnow_loglik_reference),
        cmocka_unit_test(matches_the_definition),
        cmocka_unit_test(pmf_matches_the_definition),
        cmocka_unit_test(pmf_sums_to_one_with_the_expected_mean),
        cmocka_unit_test(pmf_extreme_inputs_are_finite),
        cmocka_unit_test(predictions_are_consistent),
        cmocka_unit_test(dert_is_discounted_expectation),
        cmocka_unit_test(extreme_inputs_are_finite_and_smooth),
        cmocka_unit_test(fit_with_alpha_far_below_beta),
        cmocka_unit_test(fit_undefined_or_not_converging),
        cmocka_unit_test(pareto_nbd_bad_input),
        cmocka_unit_test(pareto_nbd_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
