/* Fuzz target: the customer-base models beyond fuzz_models.c — the Pareto/NBD model (likelihood,
 * P(alive) and expectations, a new customer's expectation and purchase distribution, DERT), the
 * maximum-likelihood fits of all four models (sBG, BG/NBD, Gamma-Gamma, Pareto/NBD), the
 * BG/NBD + Gamma-Gamma CLV, and RFM summaries of purchase logs.
 *
 * The first byte picks the area; the reader in fuzz.h makes parameters and customers (biased to
 * the ranges real fits meet, and to 0, huge, tiny, NaN and infinities). Invariants: every result
 * of a valid call is finite and in its range (probabilities in [0, 1], expectations ≥ 0 and
 * growing with the horizon, a pmf that sums to at most 1 with a mean below the expectation,
 * DERT falling as the discount rate rises); a fit's parameters are finite and > 0 and its
 * log-likelihood is the likelihood function's at them; an RFM summary is a valid customer of the
 * purchase models, the same from rtn_rfm_build() as from a builder, with ids increasing;
 * invalid input is refused with a documented code. Every _alloc variant, through a counting
 * allocator that fails one of its first allocations, answers RTN_ENOMEM with its outputs
 * untouched, or the plain function's answer bit for bit, and frees every block. */
#include <stdlib.h>

#include "fuzz.h"

enum { N = 6 };

/* n customers (x, t_x, T): valid ones mostly (x repeat purchases, 0 < t_x ≤ T when x > 0),
 * sometimes anything. */
static void fuzz_customers(fuzz_input *in, double *x, double *tx, double *T, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        uint8_t k = fuzz_byte(in);
        if (k < 245) {
            T[i] = 1.0 + (double)fuzz_byte(in) * 100.0 / 255.0;
            x[i] = (double)(k % 30) * (k & 1 ? 10 : 1);
            tx[i] = x[i] > 0.0 ? T[i] * (double)(1 + fuzz_byte(in)) / 256.0 : 0.0;
        } else {
            x[i] = fuzz_double(in);
            tx[i] = fuzz_double(in);
            T[i] = fuzz_double(in);
        }
    }
}

static int close_to(double a, double b, double rel)
{
    return fabs(a - b) <= rel * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* ---- the _alloc twins ----------------------------------------------------------------------------- */

/* A call of an _alloc variant with the given allocator, writing k doubles into out. */
typedef struct twin_call {
    int (*call)(const struct twin_call *c, const rtn_allocator *a, double *out);
    const double *p, *g, *x, *tx, *T, *w;
    size_t n;
    double t, u;
    uint32_t periods;
} twin_call;

/* The _alloc variant through a counting allocator that fails call number pick % 6: when that
 * call happens the answer is RTN_ENOMEM with every output untouched, otherwise the plain
 * function's answer bit for bit (rc and the k values in want); no block is left behind. */
static void check_twin(const twin_call *c, int rc, const double *want, size_t k, uint8_t pick)
{
    enum { MAX_OUT = 2 * N + 4 };
    double got[MAX_OUT];
    FUZZ_CHECK(k <= MAX_OUT);
    for (size_t i = 0; i < k; ++i)
        got[i] = -12345.0;
    fuzz_alloc_state s;
    rtn_allocator a = fuzz_allocator(&s, pick % 6);
    int got_rc = c->call(c, &a, got);
    FUZZ_CHECK(s.live == 0);
    if (s.calls > s.fail_at) {
        FUZZ_CHECK(got_rc == RTN_ENOMEM);
        for (size_t i = 0; i < k; ++i)
            FUZZ_CHECK(got[i] == -12345.0);
    } else {
        FUZZ_CHECK(got_rc == rc);
        if (rc == RTN_OK)
            FUZZ_CHECK(memcmp(got, want, k * sizeof *got) == 0);
    }
}

static int call_pnbd_predict(const twin_call *c, const rtn_allocator *a, double *out)
{
    return rtn_pnbd_predict_alloc(c->p, c->x, c->tx, c->T, c->n, c->t, out, out + c->n, NULL, a);
}

static int call_pnbd_pmf(const twin_call *c, const rtn_allocator *a, double *out)
{
    return rtn_pnbd_pmf_alloc(c->p, c->t, out, c->n, a);
}

static int call_pnbd_dert(const twin_call *c, const rtn_allocator *a, double *out)
{
    return rtn_pnbd_dert_alloc(c->p, c->x, c->tx, c->T, c->n, c->t, out, NULL, a);
}

static int call_bgnbd_predict(const twin_call *c, const rtn_allocator *a, double *out)
{
    return rtn_bgnbd_predict_alloc(c->p, c->x, c->tx, c->T, c->n, c->t, out, out + c->n, NULL, a);
}

static int call_clv(const twin_call *c, const rtn_allocator *a, double *out)
{
    return rtn_clv_bgnbd_gg_alloc(c->p, c->g, c->x, c->tx, c->T, c->w, c->n, c->t, c->u,
                                  c->periods, out, NULL, a);
}

/* params, se and ll of a fit, one after another */
static int call_bgnbd_fit(const twin_call *c, const rtn_allocator *a, double *out)
{
    return rtn_bgnbd_fit_alloc(c->x, c->tx, c->T, c->w, c->n, out, out + 4, out + 8, NULL, a);
}

static int call_pnbd_fit(const twin_call *c, const rtn_allocator *a, double *out)
{
    return rtn_pnbd_fit_alloc(c->x, c->tx, c->T, c->w, c->n, out, out + 4, out + 8, NULL, a);
}

/* ---- Pareto/NBD --------------------------------------------------------------------------------- */

static void check_pnbd(fuzz_input *in)
{
    double p[4] = {fuzz_param(in), fuzz_param(in), fuzz_param(in), fuzz_param(in)};
    double x[N], tx[N], T[N], w[N];
    fuzz_customers(in, x, tx, T, N);
    int weighted = fuzz_byte(in) & 1;
    for (size_t i = 0; i < N; ++i)
        w[i] = fuzz_byte(in) < 250 ? (double)(fuzz_byte(in) % 4) : fuzz_double(in);
    double ll = -7.0;
    size_t bad = SIZE_MAX;
    int rc = rtn_pnbd_loglik(p, x, tx, T, weighted ? w : NULL, N, &ll, &bad);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EOVERFLOW || rc == RTN_ENOCONV);
    if (rc == RTN_EDOMAIN)
        FUZZ_CHECK(!fuzz_valid_params(p, 4) || bad < N);
    if (rc != RTN_OK)
        return;
    FUZZ_CHECK(isfinite(ll) && fuzz_valid_params(p, 4));

    /* P(alive) and expectations; horizons up to 16 time units */
    double horizon = (double)fuzz_byte(in) / 16.0;
    double pa[N], e1[N], e2[N];
    rc = rtn_pnbd_predict(p, x, tx, T, N, horizon, pa, e1, &bad);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EOVERFLOW || rc == RTN_ENOCONV);
    uint8_t pick = fuzz_byte(in);
    double both[2 * N];
    memcpy(both, pa, sizeof pa);
    memcpy(both + N, e1, sizeof e1);
    twin_call c = {call_pnbd_predict, p, NULL, x, tx, T, NULL, N, horizon, 0.0, 0};
    check_twin(&c, rc, both, 2 * N, pick);
    if (rc == RTN_OK) {
        rc = rtn_pnbd_predict(p, x, tx, T, N, horizon * 2.0 + 1.0, NULL, e2, NULL);
        FUZZ_CHECK(rc == RTN_OK || rc == RTN_EOVERFLOW || rc == RTN_ENOCONV);
        for (size_t i = 0; i < N; ++i) {
            FUZZ_CHECK(pa[i] >= 0.0 && pa[i] <= 1.0);
            if (tx[i] == T[i])
                FUZZ_CHECK(pa[i] == 1.0);
            FUZZ_CHECK(isfinite(e1[i]) && e1[i] >= 0.0);
            if (horizon == 0.0)
                FUZZ_CHECK(e1[i] == 0.0);
            if (rc == RTN_OK)
                FUZZ_CHECK(e2[i] >= e1[i] * (1.0 - 1e-9));
        }
    }

    /* a new customer: the expectation grows with t; the pmf is a sub-distribution whose partial
     * mean stays below the expectation */
    double t = (double)fuzz_byte(in) / 8.0, e = -7.0, e_later = -7.0;
    rc = rtn_pnbd_new_customer(p, t, &e);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EOVERFLOW);
    int e_ok = rc == RTN_OK;
    if (e_ok) {
        FUZZ_CHECK(isfinite(e) && e >= 0.0);
        if (rtn_pnbd_new_customer(p, t + 1.0, &e_later) == RTN_OK)
            FUZZ_CHECK(e_later >= e * (1.0 - 1e-12));
    }
    enum { KMAX = 6 };
    double pmf[KMAX];
    rc = rtn_pnbd_pmf(p, t, pmf, KMAX);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_ENOCONV || rc == RTN_ENOMEM);
    c = (twin_call){call_pnbd_pmf, p, NULL, NULL, NULL, NULL, NULL, KMAX, t, 0.0, 0};
    check_twin(&c, rc, pmf, KMAX, pick >> 3);
    if (rc == RTN_OK) {
        double sum = 0.0, mean = 0.0;
        for (int k = 0; k < KMAX; ++k) {
            FUZZ_CHECK(pmf[k] >= 0.0 && pmf[k] <= 1.0);
            sum += pmf[k];
            mean += k * pmf[k];
        }
        FUZZ_CHECK(sum <= 1.0 + 1e-9);
        if (t == 0.0)
            FUZZ_CHECK(pmf[0] == 1.0);
        if (e_ok)
            FUZZ_CHECK(mean <= e * (1.0 + 1e-9) + 1e-12);
    }

    /* DERT: ≥ 0, and less at a higher discount rate */
    double delta = fuzz_byte(in) < 240 ? 0.001 + (double)fuzz_byte(in) / 256.0 : fuzz_double(in);
    double d1[N], d2[N];
    rc = rtn_pnbd_dert(p, x, tx, T, N, delta, d1, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EOVERFLOW || rc == RTN_ENOCONV);
    c = (twin_call){call_pnbd_dert, p, NULL, x, tx, T, NULL, N, delta, 0.0, 0};
    check_twin(&c, rc, d1, N, pick >> 5);
    if (rc == RTN_EDOMAIN)
        FUZZ_CHECK(!(isfinite(delta) && delta > 0.0));
    if (rc == RTN_OK && rtn_pnbd_dert(p, x, tx, T, N, delta * 2.0, d2, NULL) == RTN_OK)
        for (size_t i = 0; i < N; ++i)
            FUZZ_CHECK(isfinite(d1[i]) && d1[i] >= 0.0 && d2[i] <= d1[i] * (1.0 + 1e-9));
}

/* ---- the fits ------------------------------------------------------------------------------------ */

static void check_fit_se(int rc, const double *params, const double *se, size_t k)
{
    if (rc != RTN_OK)
        return;
    FUZZ_CHECK(fuzz_valid_params(params, k));
    for (size_t i = 0; i < k; ++i)
        FUZZ_CHECK(isnan(se[i]) || (se[i] >= 0.0 && !isinf(se[i])));
}

static void check_fits(fuzz_input *in)
{
    double x[N], tx[N], T[N], w[N], m[N];
    size_t n = 1 + fuzz_byte(in) % N;
    fuzz_customers(in, x, tx, T, n);
    int weighted = fuzz_byte(in) & 1;
    for (size_t i = 0; i < n; ++i) {
        w[i] = (double)(1 + fuzz_byte(in) % 5);
        m[i] = x[i] > 0.0 ? (fuzz_byte(in) < 250 ? 1.0 + fuzz_byte(in) : fuzz_double(in)) : 0.0;
    }
    const double *wt = weighted ? w : NULL;
    double params[4], se[4], ll = NAN, check = NAN, all[9];
    size_t bad = SIZE_MAX;
    int rc;
    uint8_t which = fuzz_byte(in), pick = fuzz_byte(in);
    /* the _alloc twin of half the BG/NBD and Pareto/NBD fits (a fit costs milliseconds) */
    twin_call c = {which % 4 ? call_pnbd_fit : call_bgnbd_fit, NULL, NULL, x, tx, T, wt, n, 0.0,
                   0.0, 0};
    switch (which % 4) {
    case 0:
    case 1: { /* BG/NBD and Pareto/NBD: the same signatures, the same checks */
        int pareto = which % 4 == 1;
        rc = (pareto ? rtn_pnbd_fit : rtn_bgnbd_fit)(x, tx, T, wt, n, params, se, &ll, &bad);
        FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EUNDEFINED ||
                   rc == RTN_ENOCONV || rc == RTN_EOVERFLOW);
        FUZZ_CHECK(rc != RTN_EDOMAIN || bad < n);
        check_fit_se(rc, params, se, 4);
        if (rc == RTN_OK) {
            FUZZ_CHECK((pareto ? rtn_pnbd_loglik : rtn_bgnbd_loglik)(params, x, tx, T, wt, n,
                                                                     &check, NULL) == RTN_OK);
            FUZZ_CHECK(isfinite(ll) && close_to(ll, check, 1e-9));
        }
        if (pick < 128) {
            memcpy(all, params, sizeof params);
            memcpy(all + 4, se, sizeof se);
            all[8] = ll;
            check_twin(&c, rc, all, 9, pick);
        }
        break;
    }
    case 2:
        rc = rtn_gg_fit(x, m, wt, n, params, se, &ll, &bad);
        FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EUNDEFINED ||
                   rc == RTN_ENOCONV || rc == RTN_EOVERFLOW);
        check_fit_se(rc, params, se, 3);
        if (rc == RTN_OK) {
            FUZZ_CHECK(rtn_gg_loglik(params, x, m, wt, n, &check, NULL) == RTN_OK);
            FUZZ_CHECK(isfinite(ll) && close_to(ll, check, 1e-9));
        }
        break;
    default: {
        /* sBG: up to three cohorts of survivor counts */
        uint64_t alive[3 * 6];
        size_t lengths[3], cohorts = 1 + fuzz_byte(in) % 3, used = 0;
        for (size_t h = 0; h < cohorts; ++h) {
            lengths[h] = 2 + fuzz_byte(in) % 5;
            alive[used] = fuzz_byte(in) < 250 ? 1 + fuzz_byte(in) * 4u : fuzz_u64(in);
            for (size_t t = 1; t < lengths[h]; ++t) /* mostly falling */
                alive[used + t] = fuzz_byte(in) < 245
                                      ? alive[used + t - 1] - alive[used + t - 1] / (1 + fuzz_byte(in) % 9)
                                      : fuzz_u64(in);
            used += lengths[h];
        }
        rc = rtn_sbg_fit(alive, lengths, cohorts, params, se, &ll);
        FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EUNDEFINED ||
                   rc == RTN_ENOCONV || rc == RTN_EOVERFLOW);
        check_fit_se(rc, params, se, 2);
        if (rc == RTN_OK) {
            FUZZ_CHECK(rtn_sbg_loglik(params, alive, lengths, cohorts, &check) == RTN_OK);
            FUZZ_CHECK(isfinite(ll) && close_to(ll, check, 1e-9));
        }
        break;
    }
    }
}

/* ---- CLV from BG/NBD and Gamma-Gamma -------------------------------------------------------------- */

static void check_clv(fuzz_input *in)
{
    double bg[4] = {fuzz_param(in), fuzz_param(in), fuzz_param(in), fuzz_param(in)};
    double gg[3] = {fuzz_param(in), fuzz_param(in), fuzz_param(in)};
    double x[N], tx[N], T[N], m[N], out[N], more[N];
    fuzz_customers(in, x, tx, T, N);
    for (size_t i = 0; i < N; ++i)
        m[i] = x[i] > 0.0 ? (fuzz_byte(in) < 250 ? 1.0 + fuzz_byte(in) : fuzz_double(in)) : 0.0;
    double discount = fuzz_byte(in) < 240 ? (double)fuzz_byte(in) / 512.0 : fuzz_double(in);
    double length = fuzz_byte(in) < 240 ? 0.25 + (double)fuzz_byte(in) / 64.0 : fuzz_double(in);
    uint32_t periods = fuzz_byte(in) % 25;
    uint8_t pick = fuzz_byte(in);
    /* BG/NBD predictions: the plain function and its _alloc twin */
    double pa[N], e[N], both[2 * N];
    double horizon = length * periods;
    int rc = rtn_bgnbd_predict(bg, x, tx, T, N, horizon, pa, e, NULL);
    memcpy(both, pa, sizeof pa);
    memcpy(both + N, e, sizeof e);
    twin_call c = {call_bgnbd_predict, bg, NULL, x, tx, T, NULL, N, horizon, 0.0, 0};
    if (rc != RTN_ENOCONV || pick < 32) /* a series that runs to its limit: seconds */
        check_twin(&c, rc, both, 2 * N, pick);
    size_t bad = SIZE_MAX;
    rc = rtn_clv_bgnbd_gg(bg, gg, x, tx, T, m, N, discount, length, periods, out, &bad);
    c = (twin_call){call_clv, bg, gg, x, tx, T, m, N, discount, length, periods};
    check_twin(&c, rc, out, N, pick >> 2);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_ENOCONV || rc == RTN_EOVERFLOW ||
               rc == RTN_ENOMEM);
    if (rc == RTN_EDOMAIN && periods > 0 && discount >= 0.0 && length > 0.0 && isfinite(length))
        FUZZ_CHECK(!fuzz_valid_params(bg, 4) || !fuzz_valid_params(gg, 3) || !(gg[2 - 1] > 1.0) ||
                   bad < N || !(bg[2] + bg[3] > 1.0) || !isfinite(discount));
    if (rc != RTN_OK)
        return;
    FUZZ_CHECK(periods > 0);
    /* one more period adds a non-negative amount */
    rc = rtn_clv_bgnbd_gg(bg, gg, x, tx, T, m, N, discount, length, periods + 1, more, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_ENOCONV || rc == RTN_EOVERFLOW);
    for (size_t i = 0; i < N; ++i) {
        FUZZ_CHECK(isfinite(out[i]) && out[i] >= 0.0);
        if (rc == RTN_OK)
            FUZZ_CHECK(more[i] >= out[i] * (1.0 - 1e-12));
    }
}

/* ---- RFM summaries ---------------------------------------------------------------------------- */

static void check_rfm_columns(const rtn_rfm *r, size_t customers, double ppu, double *col,
                              int64_t *ids)
{
    for (int c = RTN_RFM_X; c <= RTN_RFM_X_HOLDOUT; ++c)
        FUZZ_CHECK(rtn_rfm_column(r, c, col + (size_t)c * customers, customers) == RTN_OK);
    FUZZ_CHECK(rtn_rfm_column(r, RTN_RFM_X_HOLDOUT + 1, col, customers) == RTN_EINVAL);
    FUZZ_CHECK(rtn_rfm_customers(r, ids, customers) == RTN_OK);
    if (customers > 0)
        FUZZ_CHECK(rtn_rfm_customers(r, ids, customers - 1) == RTN_EBUFSIZE);
    const double *x = col, *tx = col + customers, *T = col + 2 * customers;
    const double *mon = col + 3 * customers, *hold = col + 4 * customers;
    for (size_t i = 0; i < customers; ++i) {
        FUZZ_CHECK(i == 0 || ids[i] > ids[i - 1]);
        FUZZ_CHECK(x[i] >= 0.0 && x[i] == floor(x[i]) && hold[i] >= 0.0 && hold[i] == floor(hold[i]));
        FUZZ_CHECK(isfinite(tx[i]) && isfinite(T[i]));
        FUZZ_CHECK(tx[i] >= 0.0 && tx[i] <= T[i] && (tx[i] > 0.0) == (x[i] > 0.0));
        FUZZ_CHECK(isfinite(mon[i]) && (x[i] > 0.0 || mon[i] == 0.0));
        /* x repeat periods fit in the T · ppu periods after the first */
        FUZZ_CHECK(x[i] <= T[i] * ppu * (1.0 + 1e-12) + 1e-9);
    }
    /* a summary is a valid input of the purchase models */
    if (customers > 0) {
        const double p[4] = {1.0, 1.0, 1.0, 1.0};
        double ll;
        size_t bad = SIZE_MAX;
        int rc = rtn_bgnbd_loglik(p, x, tx, T, NULL, customers, &ll, &bad);
        FUZZ_CHECK(rc == RTN_OK || rc == RTN_EOVERFLOW);
    }
}

static void check_rfm(fuzz_input *in)
{
    enum { MAX_EVENTS = 48 };
    int64_t customer[MAX_EVENTS], time[MAX_EVENTS];
    double amount[MAX_EVENTS];
    const int64_t base = INT64_C(1577836800); /* 2020-01-01 */
    uint8_t how = fuzz_byte(in);
    int64_t cal = how < 240 ? base + (int64_t)fuzz_byte(in) * 86400 * 2 : (int64_t)fuzz_raw64(in);
    how = fuzz_byte(in);
    int64_t step = (int64_t)(how % 60) * 86400 - 86400; /* a day before to 58 days after */
    int64_t hold = how >= 240                                   ? (int64_t)fuzz_raw64(in)
                   : (step > 0 ? cal > INT64_MAX - step : cal < INT64_MIN - step) ? cal
                                                                                 : cal + step;
    how = fuzz_byte(in);
    double ppu = how < 240 ? (double)(1 + how % 30) : fuzz_double(in);
    size_t n = 0;
    while (in->left > 0 && n < MAX_EVENTS) {
        customer[n] = (int64_t)(fuzz_byte(in) % 10) - 3;
        how = fuzz_byte(in);
        time[n] = how < 240 ? base + (int64_t)fuzz_byte(in) * 86400 * 2 + how * 997
                            : (int64_t)fuzz_raw64(in);
        how = fuzz_byte(in);
        amount[n++] = how < 240 ? (double)(how % 50) : fuzz_double(in);
    }
    rtn_rfm *r = NULL;
    size_t bad = SIZE_MAX;
    int rc = rtn_rfm_build(customer, time, amount, n, cal, hold, ppu, &r, &bad);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EINVAL || rc == RTN_EDOMAIN || rc == RTN_EUNDEFINED ||
               rc == RTN_EOVERFLOW);
    if (rc == RTN_EINVAL)
        FUZZ_CHECK(hold < cal || !(isfinite(ppu) && ppu > 0.0));
    if (rc != RTN_OK)
        return;
    size_t customers = 0;
    FUZZ_CHECK(rtn_rfm_size(r, &customers) == RTN_OK && customers >= 1 && customers <= n);
    double *col = malloc(5 * customers * sizeof *col), *again = malloc(5 * customers * sizeof *col);
    int64_t *ids = malloc(customers * sizeof *ids), *ids2 = malloc(customers * sizeof *ids);
    if (col && again && ids && ids2) {
        check_rfm_columns(r, customers, ppu, col, ids);
        /* the same from a builder fed in two parts and merged */
        rtn_cohort_builder *a = NULL, *b = NULL;
        if (rtn_cohort_builder_create(&a, NULL) == RTN_OK &&
            rtn_cohort_builder_create(&b, NULL) == RTN_OK) {
            size_t half = n / 2;
            FUZZ_CHECK(rtn_cohort_builder_set(a, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_DAY) == RTN_OK);
            FUZZ_CHECK(rtn_cohort_builder_set(b, RTN_COHORT_PERIOD_UNIT, RTN_PERIOD_DAY) == RTN_OK);
            /* the parts' revenue sums may overflow where the whole's did not (+big, +big, −big) */
            int rc_a = rtn_cohort_builder_add(a, customer, time, amount, half, NULL);
            int rc_b = rtn_cohort_builder_add(b, customer + half, time + half, amount + half,
                                              n - half, NULL);
            FUZZ_CHECK((rc_a == RTN_OK || rc_a == RTN_EOVERFLOW) &&
                       (rc_b == RTN_OK || rc_b == RTN_EOVERFLOW));
            rtn_rfm *r2 = NULL;
            size_t customers2 = 0;
            if (rc_a == RTN_OK && rc_b == RTN_OK && rtn_cohort_builder_merge(a, b) == RTN_OK) {
                FUZZ_CHECK(rtn_rfm_from_builder(a, cal, hold, ppu, &r2) == RTN_OK);
                FUZZ_CHECK(rtn_rfm_size(r2, &customers2) == RTN_OK && customers2 == customers);
                for (int c = RTN_RFM_X; c <= RTN_RFM_X_HOLDOUT; ++c)
                    FUZZ_CHECK(rtn_rfm_column(r2, c, again + (size_t)c * customers, customers) ==
                               RTN_OK);
                FUZZ_CHECK(rtn_rfm_customers(r2, ids2, customers) == RTN_OK);
                FUZZ_CHECK(memcmp(ids, ids2, customers * sizeof *ids) == 0);
                for (size_t i = 0; i < 5 * customers; ++i) /* monetary: sums in another order */
                    FUZZ_CHECK(i / customers == RTN_RFM_MONETARY ? close_to(col[i], again[i], 1e-12)
                                                                : col[i] == again[i]);
                rtn_rfm_free(r2);
            }
        }
        rtn_cohort_builder_free(a);
        rtn_cohort_builder_free(b);
    }
    free(col);
    free(again);
    free(ids);
    free(ids2);
    rtn_rfm_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    switch (fuzz_byte(&in) % 4) {
    case 0:
        check_pnbd(&in);
        break;
    case 1:
        check_fits(&in);
        break;
    case 2:
        check_clv(&in);
        break;
    default:
        check_rfm(&in);
        break;
    }
    return 0;
}
