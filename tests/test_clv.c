/* Formula CLV, CAC payback and LTV:CAC. The discounted formula is checked against the series it
 * closes (summed here term by term), the others against hand-worked values. */
#include "rtn_test.h"

static void simple_clv(void **state)
{
    (void)state;
    double v = 0;
    assert_int_equal(rtn_clv_simple(100, 0.8, 0.05, &v), RTN_OK);
    assert_rel(v, 1600.0, RTN_TOL);
    assert_int_equal(rtn_clv_simple(100, 0.8, 0.5, &v), RTN_OK);
    assert_rel(v, 160.0, RTN_TOL);
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_clv_simple(100, 0.8, 0.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_simple(100, 0.8, 1.0, &out)); /* as rtn_churn_lifetime */
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_simple(100, 0.8, 1.2, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_simple(100, 0.8, -0.1, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_simple(100, 1.5, 0.1, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_simple(-100, 0.5, 0.1, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_simple(NAN, 0.5, 0.1, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_simple(100, NAN, 0.1, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_simple(100, 0.5, NAN, &out));
    EXPECT_FAIL(RTN_EOVERFLOW, rtn_clv_simple(1e308, 1.0, 1e-10, &out));
    assert_int_equal(rtn_clv_simple(1, 1, 1, NULL), RTN_EINVAL);
}

/* Σ_{t≥1} m rᵗ / (1 + d)ᵗ, summed until the terms vanish. */
static double series(double m, double r, double d)
{
    double sum = 0.0, term = m;
    for (int t = 1; t < 100000 && term > 1e-300; ++t) {
        term *= r / (1.0 + d);
        sum += term;
    }
    return sum;
}

static void discounted_clv(void **state)
{
    (void)state;
    double v = 0;
    assert_int_equal(rtn_clv_discounted(100, 0.9, 0.1, &v), RTN_OK);
    assert_rel(v, 450.0, RTN_TOL);
    const double cases[][3] = {{100, 0.9, 0.1}, {50, 0.95, 0.01}, {1, 0.5, 0.0}, {80, 1.0, 0.02}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        assert_int_equal(rtn_clv_discounted(cases[i][0], cases[i][1], cases[i][2], &v), RTN_OK);
        assert_rel(v, series(cases[i][0], cases[i][1], cases[i][2]), 1e-10);
    }
    assert_int_equal(rtn_clv_discounted(100, 0.0, 0.1, &v), RTN_OK);
    assert_true(v == 0.0);
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_clv_discounted(100, 1.0, 0.0, &out)); /* diverges */
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_discounted(100, 1.1, 0.1, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_discounted(100, 0.9, -0.1, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_discounted(-1, 0.9, 0.1, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_discounted(INFINITY, 0.9, 0.1, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_discounted(100, NAN, 0.1, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_discounted(100, 0.9, NAN, &out));
    EXPECT_FAIL(RTN_EOVERFLOW, rtn_clv_discounted(1e308, 1.0, 1e-10, &out));
    assert_int_equal(rtn_clv_discounted(1, 0.5, 0.1, NULL), RTN_EINVAL);
}

static void payback_and_ratio(void **state)
{
    (void)state;
    double v = 0;
    assert_int_equal(rtn_clv_cac_payback(1200, 100, 0.8, &v), RTN_OK);
    assert_rel(v, 15.0, RTN_TOL);
    assert_int_equal(rtn_clv_cac_payback(0, 100, 0.8, &v), RTN_OK);
    assert_true(v == 0.0);
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_clv_cac_payback(1200, 0, 0.8, &out));
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_clv_cac_payback(1200, 100, 0.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_cac_payback(-1, 100, 0.8, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_cac_payback(1200, 100, 1.01, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_cac_payback(1200, NAN, 0.5, &out));
    EXPECT_FAIL(RTN_EOVERFLOW, rtn_clv_cac_payback(1e308, 1e-300, 0.5, &out));
    /* ARPA × margin underflows to 0 here, yet the payback is an ordinary number */
    assert_int_equal(rtn_clv_cac_payback(1e-300, 1e-200, 1e-200, &v), RTN_OK);
    assert_rel(v, 1e100, 1e-12);
    assert_int_equal(rtn_clv_cac_payback(1, 1, 1, NULL), RTN_EINVAL);

    assert_int_equal(rtn_clv_ltv_cac(3600, 1200, &v), RTN_OK);
    assert_rel(v, 3.0, RTN_TOL);
    assert_int_equal(rtn_clv_ltv_cac(-600, 1200, &v), RTN_OK);
    assert_rel(v, -0.5, RTN_TOL);
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_clv_ltv_cac(3600, 0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_ltv_cac(3600, -5, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_ltv_cac(NAN, 5, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_clv_ltv_cac(5, INFINITY, &out));
    EXPECT_FAIL(RTN_EOVERFLOW, rtn_clv_ltv_cac(1e308, 1e-300, &out));
    assert_int_equal(rtn_clv_ltv_cac(1, 1, NULL), RTN_EINVAL);
}

/* The formulas compose: lifetime from churn, CLV from ARPA, LTV:CAC from CLV. */
static void formulas_compose(void **state)
{
    (void)state;
    double churn = 0, life = 0, arpa = 0, clv = 0, ratio = 0;
    assert_int_equal(rtn_churn_rate_start(2000, 100, &churn), RTN_OK);
    assert_int_equal(rtn_churn_lifetime(churn, &life), RTN_OK);
    assert_rel(life, 20.0, RTN_TOL);
    assert_int_equal(rtn_revenue_arpa(200000, 2000, &arpa), RTN_OK);
    assert_int_equal(rtn_clv_simple(arpa, 0.75, churn, &clv), RTN_OK);
    assert_rel(clv, 100.0 * 0.75 * 20.0, RTN_TOL);
    assert_int_equal(rtn_clv_ltv_cac(clv, 500, &ratio), RTN_OK);
    assert_rel(ratio, 3.0, RTN_TOL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simple_clv),
        cmocka_unit_test(discounted_clv),
        cmocka_unit_test(payback_and_ratio),
        cmocka_unit_test(formulas_compose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
