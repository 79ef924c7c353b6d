/* Fuzz target: the lifetime-value models on any parameters and customers the reader in fuzz.h
 * makes (biased to 0, 1, huge, tiny, NaN, infinities). For valid inputs every answer must be
 * finite and in range — log-likelihoods finite, P(alive) in [0, 1], expectations ≥ 0 and
 * growing with the horizon, pmf in [0, 1], sBG survival in [0, 1] — and invalid inputs must be
 * refused with a documented code. */
#include "fuzz.h"

static void check_bgnbd(fuzz_input *in)
{
    double p[4] = {fuzz_param(in), fuzz_param(in), fuzz_param(in), fuzz_param(in)};
    enum { N = 6 };
    double x[N], tx[N], T[N];
    for (size_t i = 0; i < N; ++i) {
        uint8_t k = fuzz_byte(in);
        T[i] = k < 250 ? 1.0 + (double)fuzz_byte(in) * 200.0 / 255.0 : fuzz_double(in);
        x[i] = k < 250 ? (double)(k % 50) * (k & 1 ? 100 : 1) : fuzz_double(in);
        tx[i] = x[i] > 0.0 ? T[i] * (double)(1 + fuzz_byte(in)) / 256.0 : 0.0;
    }
    double ll;
    size_t bad = SIZE_MAX;
    int rc = rtn_bgnbd_loglik(p, x, tx, T, NULL, N, &ll, &bad);
    int ok_params = fuzz_valid_params(p, 4);
    /* EOVERFLOW: a log-likelihood beyond DBL_MAX (x near DBL_MAX) */
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EOVERFLOW);
    if (rc == RTN_OK)
        FUZZ_CHECK(isfinite(ll) && ok_params);
    if (rc != RTN_OK)
        return;
    double pa[N], e1[N], e2[N];
    /* horizons up to 16 time units: the expectations cost time ∝ horizon / (α + T) (pathological
     * horizons are covered by the unit tests, not replayed 20,000 times) */
    double horizon = (double)fuzz_byte(in) / 16.0;
    int expect = p[2] > 1.0;
#ifdef RTN_LIBFUZZER
    /* ... and under libFuzzer only where the series is short: about (r + x) t / (α + T) terms,
     * each an expm1 and two logs, which instrumented take a microsecond; 10^5 of them per
     * customer held the fuzzer to a few inputs a second (the replay runs them all, the saturated
     * seeds included) */
    double terms = 0.0;
    for (size_t i = 0; i < N; ++i)
        terms = fmax(terms, (p[0] + x[i]) * (2.0 * horizon + 1.0) / (p[1] + T[i]));
    expect = expect && !(terms > 1e4);
#endif
    rc = rtn_bgnbd_predict(p, x, tx, T, N, horizon, pa, expect ? e1 : NULL, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_ENOCONV);
    if (rc != RTN_OK || !expect)
        return;
    rc = rtn_bgnbd_predict(p, x, tx, T, N, horizon * 2.0 + 1.0, NULL, e2, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_ENOCONV);
    for (size_t i = 0; i < N; ++i) {
        FUZZ_CHECK(pa[i] >= 0.0 && pa[i] <= 1.0);
        FUZZ_CHECK(isfinite(e1[i]) && e1[i] >= 0.0);
        if (rc == RTN_OK)
            FUZZ_CHECK(e2[i] >= e1[i] * (1.0 - 1e-6)); /* saturated sums of ~1e6 terms
                                                       * (r ~ 1e7) agree to ~1e-9 only */
    }
    double e, pmf[8];
    rc = rtn_bgnbd_new_customer(p, horizon, &e, pmf, 8);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_ENOCONV || (rc == RTN_EDOMAIN && !(p[2] + p[3] > 1.0)));
    if (rc == RTN_OK)
        for (int k = 0; k < 8; ++k)
            FUZZ_CHECK(pmf[k] >= 0.0 && pmf[k] <= 1.0 + 1e-9 && isfinite(e) && e >= 0.0);
}

static void check_gamma_gamma(fuzz_input *in)
{
    double g[3] = {fuzz_param(in), fuzz_param(in), fuzz_param(in)};
    double x[4], m[4], ll, spend[4];
    for (int i = 0; i < 4; ++i) {
        x[i] = (double)(fuzz_byte(in) % 40);
        m[i] = x[i] > 0.0 ? fuzz_param(in) * 10.0 : 0.0;
    }
    int rc = rtn_gg_loglik(g, x, m, NULL, 4, &ll, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EUNDEFINED || rc == RTN_EOVERFLOW);
    if (rc == RTN_OK)
        FUZZ_CHECK(isfinite(ll));
    rc = rtn_gg_expected_spend(g, x, m, 4, spend, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EOVERFLOW);
    if (rc == RTN_OK) /* ≥ 0: the population mean may underflow for extreme parameters */
        for (int i = 0; i < 4; ++i)
            FUZZ_CHECK(spend[i] >= 0.0 && isfinite(spend[i]));
}

static void check_sbg(fuzz_input *in)
{
    double p[2] = {fuzz_param(in), fuzz_param(in)};
    uint64_t alive[8];
    size_t len = 2 + fuzz_byte(in) % 7;
    alive[0] = fuzz_u64(in);
    for (size_t t = 1; t < len; ++t) /* mostly falling, sometimes not */
        alive[t] = fuzz_byte(in) < 240 ? alive[t - 1] - alive[t - 1] / (1 + fuzz_byte(in) % 9)
                                       : fuzz_u64(in);
    double ll, s, r, del, derl;
    int rc = rtn_sbg_loglik(p, alive, &len, 1, &ll);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EOVERFLOW);
    if (rc == RTN_OK) /* a log-probability: ≤ 0 up to rounding, relative to the counts */
        FUZZ_CHECK(!isnan(ll) && ll <= 1e-12 * (double)alive[0]);
    rc = rtn_sbg_survival(p, (double)fuzz_byte(in) + 1.0, &s, &r);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN);
    if (rc == RTN_OK)
        FUZZ_CHECK(s >= 0.0 && s <= 1.0 && r >= 0.0 && r <= 1.0);
    rc = rtn_sbg_del(p, 0.01 + (double)fuzz_byte(in) / 100.0, fuzz_byte(in), &del, &derl);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EOVERFLOW || rc == RTN_ENOCONV);
    if (rc == RTN_OK)
        FUZZ_CHECK(del >= 1.0 && derl >= 0.0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    switch (fuzz_byte(&in) % 3) {
    case 0:
        check_bgnbd(&in);
        break;
    case 1:
        check_gamma_gamma(&in);
        break;
    default:
        check_sbg(&in);
        break;
    }
    return 0;
}
