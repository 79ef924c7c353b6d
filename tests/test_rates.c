/* Customer and revenue rates. Expected values: the seed articles' worked examples and
 * tests/reference/reference_values.py (exact rational / 50-digit arithmetic, Newcombe 1998). */
#include "rtn_test.h"

static void retention_rate_seed_formula(void **state)
{
    (void)state;
    double r = 0;
    assert_int_equal(rtn_retention_rate(1000, 950, 50, &r), RTN_OK);
    assert_rel(r, 0.9, RTN_TOL);
    assert_int_equal(rtn_retention_rate(200, 180, 0, &r), RTN_OK);
    assert_rel(r, 0.9, RTN_TOL);
    assert_int_equal(rtn_retention_rate(10, 10, 0, &r), RTN_OK);
    assert_true(r == 1.0);
    assert_int_equal(rtn_retention_rate(10, 5, 5, &r), RTN_OK);
    assert_true(r == 0.0);
    /* counts beyond 2^32 */
    assert_int_equal(rtn_retention_rate(UINT64_C(8000000000), UINT64_C(6000000000), 0, &r), RTN_OK);
    assert_rel(r, 0.75, RTN_TOL);
}

static void retention_rate_bad_input(void **state)
{
    (void)state;
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_retention_rate(0, 5, 5, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_retention_rate(100, 40, 50, &out)); /* E − N < 0 */
    EXPECT_FAIL(RTN_EDOMAIN, rtn_retention_rate(100, 160, 50, &out)); /* retained 110 of 100 */
    assert_int_equal(rtn_retention_rate(100, 90, 0, NULL), RTN_EINVAL);
}

static void churn_start_seed_example(void **state)
{
    (void)state;
    double r = 0;
    /* seed: (1000 − 900) / 1000 = 10 % */
    assert_int_equal(rtn_churn_rate_start(1000, 100, &r), RTN_OK);
    assert_rel(r, 0.1, RTN_TOL);
    assert_int_equal(rtn_churn_rate_start(7, 0, &r), RTN_OK);
    assert_true(r == 0.0);
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_churn_rate_start(0, 0, &out)); /* undefined, not 0 % */
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_start(10, 11, &out));
    assert_int_equal(rtn_churn_rate_start(10, 1, NULL), RTN_EINVAL);
}

static void churn_average(void **state)
{
    (void)state;
    double r = 0;
    assert_int_equal(rtn_churn_rate_average(1000, 1100, 100, &r), RTN_OK);
    assert_rel(r, 100.0 / 1050.0, RTN_TOL);
    assert_int_equal(rtn_churn_rate_average(0, 10, 2, &r), RTN_OK);
    assert_rel(r, 0.4, RTN_TOL);
    /* S + E beyond 2^64: computed in double, no wrap-around */
    assert_int_equal(rtn_churn_rate_average(UINT64_MAX, UINT64_MAX, UINT64_MAX / 2, &r), RTN_OK);
    assert_rel(r, 0.5, 1e-12);
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_churn_rate_average(0, 0, 0, &out));
    assert_int_equal(rtn_churn_rate_average(1, 1, 1, NULL), RTN_EINVAL);
}

static void churn_customer_days(void **state)
{
    (void)state;
    double r = 0;
    assert_int_equal(rtn_churn_rate_customer_days(30, 27000.0, 30.0, &r), RTN_OK);
    assert_rel(r, 0.033333333333333333, RTN_TOL); /* 1/30 */
    /* huge exposure: the intermediate churned / customer_days must not underflow the answer */
    assert_int_equal(rtn_churn_rate_customer_days(UINT64_C(3000000000), 1e300, 1e300, &r), RTN_OK);
    assert_rel(r, 3e9, RTN_TOL);
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_churn_rate_customer_days(3, 0.0, 30.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_customer_days(3, -1.0, 30.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_customer_days(3, NAN, 30.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_customer_days(3, INFINITY, 30.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_customer_days(3, 100.0, 0.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_customer_days(3, 100.0, -30.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_customer_days(3, 100.0, NAN, &out));
    EXPECT_FAIL(RTN_EOVERFLOW, rtn_churn_rate_customer_days(3, 1e-300, 1e300, &out));
    assert_int_equal(rtn_churn_rate_customer_days(3, 100.0, 30.0, NULL), RTN_EINVAL);
}

static void churn_conversion(void **state)
{
    (void)state;
    double a = 0;
    assert_int_equal(rtn_churn_rate_convert(0.02, 12.0, &a), RTN_OK);
    assert_rel(a, 0.21528327626519997, RTN_TOL);
    assert_int_equal(rtn_churn_rate_convert(0.2152, 1.0 / 12.0, &a), RTN_OK);
    assert_rel(a, 0.019991333733543049, RTN_TOL);
    /* a tiny rate keeps its digits (the naive 1 − pow(1 − m, 12) is off in the 5th digit) */
    assert_int_equal(rtn_churn_rate_convert(1e-12, 12.0, &a), RTN_OK);
    assert_rel(a, 1.1999999999934001e-11, RTN_TOL);
    assert_int_equal(rtn_churn_rate_convert(0.0, 12.0, &a), RTN_OK);
    assert_true(a == 0.0);
    assert_int_equal(rtn_churn_rate_convert(1.0, 0.5, &a), RTN_OK);
    assert_true(a == 1.0);
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_convert(-0.1, 12.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_convert(1.1, 12.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_convert(NAN, 12.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_convert(0.1, 0.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_rate_convert(0.1, INFINITY, &out));
    assert_int_equal(rtn_churn_rate_convert(0.1, 12.0, NULL), RTN_EINVAL);
}

static void lifetime(void **state)
{
    (void)state;
    double l = 0;
    assert_int_equal(rtn_churn_lifetime(0.05, &l), RTN_OK);
    assert_rel(l, 20.0, RTN_TOL);
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_churn_lifetime(0.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_lifetime(1.0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_lifetime(1.5, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_lifetime(-0.1, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_churn_lifetime(NAN, &out));
    assert_int_equal(rtn_churn_lifetime(0.5, NULL), RTN_EINVAL);
}

static void wilson_newcombe_table(void **state)
{
    (void)state;
    /* Newcombe (1998), Statistics in Medicine 17, Table I, method 3, printed to 4 decimals;
     * the full digits come from reference_values.py. */
    static const struct {
        uint64_t k, n;
        double conf, low, high;
    } cases[] = {
        {81, 263, 0.95, 0.25528851987827428, 0.3662095769828001},
        {15, 148, 0.95, 0.06238639953073629, 0.160487241723308},
        {0, 20, 0.95, 0.0, 0.1611251580528193},
        {1, 29, 0.95, 0.0061132142927626532, 0.17175521879320282},
        {29, 29, 0.95, 0.88303020150025935, 1.0},
        {7, 1000, 0.99, 0.0027411771547325072, 0.017757711440026622},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        double lo = 0, hi = 0;
        assert_int_equal(rtn_rate_wilson_interval(cases[i].k, cases[i].n, cases[i].conf, &lo, &hi),
                         RTN_OK);
        assert_rel(lo, cases[i].low, 1e-12);
        assert_rel(hi, cases[i].high, 1e-12);
    }
    double lo = 0, hi = 0; /* the published 4 decimals */
    assert_int_equal(rtn_rate_wilson_interval(81, 263, 0.95, &lo, &hi), RTN_OK);
    assert_true(fabs(lo - 0.2553) < 5e-5 && fabs(hi - 0.3662) < 5e-5);
}

static void wilson_bad_input(void **state)
{
    (void)state;
    double lo = SENTINEL, hi = SENTINEL;
    assert_int_equal(rtn_rate_wilson_interval(1, 0, 0.95, &lo, &hi), RTN_EUNDEFINED);
    assert_int_equal(rtn_rate_wilson_interval(0, 0, 0.95, &lo, &hi), RTN_EUNDEFINED);
    assert_int_equal(rtn_rate_wilson_interval(11, 10, 0.95, &lo, &hi), RTN_EDOMAIN);
    const double bad_conf[] = {0.0, 1.0, -0.5, 1.5, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad_conf / sizeof bad_conf[0]; ++i)
        assert_int_equal(rtn_rate_wilson_interval(1, 10, bad_conf[i], &lo, &hi), RTN_EINVAL);
    assert_int_equal(rtn_rate_wilson_interval(1, 10, 0.95, NULL, &hi), RTN_EINVAL);
    assert_int_equal(rtn_rate_wilson_interval(1, 10, 0.95, &lo, NULL), RTN_EINVAL);
    assert_true(lo == SENTINEL && hi == SENTINEL);
}

static void revenue_seed_negative_churn(void **state)
{
    (void)state;
    double r = 0;
    /* seed: $275,000 → $305,000 with no new customers is −10.9 % net churn */
    assert_int_equal(rtn_revenue_churn_net(275000, 0, 0, 30000, 0, &r), RTN_OK);
    assert_rel(r, -0.10909090909090909, RTN_TOL);
    assert_int_equal(rtn_revenue_churn_net(275000, 10000, 5000, 40000, 5000, &r), RTN_OK);
    assert_rel(r, -0.10909090909090909, RTN_TOL);
    assert_int_equal(rtn_revenue_nrr(275000, 0, 0, 30000, &r), RTN_OK);
    assert_rel(r, 1.1090909090909091, RTN_TOL);
    assert_int_equal(rtn_revenue_churn_gross(275000, 10000, 5000, &r), RTN_OK);
    assert_rel(r, 0.054545454545454543, RTN_TOL);
    assert_int_equal(rtn_revenue_grr(275000, 10000, 5000, &r), RTN_OK);
    assert_rel(r, 1.0 - 0.054545454545454543, RTN_TOL);
    assert_int_equal(rtn_revenue_nrr(1000, 30, 20, 50, &r), RTN_OK);
    assert_rel(r, 1.0, RTN_TOL);
    assert_int_equal(rtn_revenue_grr(1000, 0, 0, &r), RTN_OK);
    assert_true(r == 1.0);
}

static void revenue_quick_ratio_and_arpa(void **state)
{
    (void)state;
    double q = 0;
    assert_int_equal(rtn_revenue_quick_ratio(3000, 1000, 500, 500, &q), RTN_OK);
    assert_rel(q, 4.0, RTN_TOL);
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_revenue_quick_ratio(3000, 1000, 0, 0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_quick_ratio(-1, 1000, 0, 5, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_quick_ratio(1, NAN, 0, 5, &out));
    EXPECT_FAIL(RTN_EOVERFLOW, rtn_revenue_quick_ratio(1e308, 1e308, 0, 1, &out));
    assert_int_equal(rtn_revenue_quick_ratio(1, 1, 1, 1, NULL), RTN_EINVAL);

    double a = 0;
    assert_int_equal(rtn_revenue_arpa(305000, 1000, &a), RTN_OK);
    assert_rel(a, 305.0, RTN_TOL);
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_revenue_arpa(305000, 0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_arpa(-5, 10, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_arpa(INFINITY, 10, &out));
    assert_int_equal(rtn_revenue_arpa(1, 1, NULL), RTN_EINVAL);
}

static void revenue_bad_input(void **state)
{
    (void)state;
    /* zero start: undefined, never 0 % */
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_revenue_churn_gross(0, 0, 0, &out));
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_revenue_churn_net(0, 0, 0, 10, 0, &out));
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_revenue_nrr(0, 0, 0, 10, &out));
    EXPECT_FAIL(RTN_EUNDEFINED, rtn_revenue_grr(0, 0, 0, &out));
    /* losses above the start */
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_churn_gross(100, 60, 50, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_churn_net(100, 60, 50, 0, 0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_nrr(100, 60, 50, 0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_grr(100, 60, 50, &out));
    /* negative, NaN, infinite amounts */
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_churn_gross(-100, 0, 0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_churn_gross(100, -1, 0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_churn_gross(100, 0, NAN, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_churn_net(100, 0, 0, -5, 0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_churn_net(100, 0, 0, 0, INFINITY, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_nrr(100, 0, 0, NAN, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_nrr(INFINITY, 0, 0, 0, &out));
    EXPECT_FAIL(RTN_EDOMAIN, rtn_revenue_grr(100, 0, -1, &out));
    EXPECT_FAIL(RTN_EOVERFLOW, rtn_revenue_nrr(1e-300, 0, 0, 1e300, &out));
    assert_int_equal(rtn_revenue_churn_gross(1, 0, 0, NULL), RTN_EINVAL);
    assert_int_equal(rtn_revenue_churn_net(1, 0, 0, 0, 0, NULL), RTN_EINVAL);
    assert_int_equal(rtn_revenue_nrr(1, 0, 0, 0, NULL), RTN_EINVAL);
    assert_int_equal(rtn_revenue_grr(1, 0, 0, NULL), RTN_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retention_rate_seed_formula),
        cmocka_unit_test(retention_rate_bad_input),
        cmocka_unit_test(churn_start_seed_example),
        cmocka_unit_test(churn_average),
        cmocka_unit_test(churn_customer_days),
        cmocka_unit_test(churn_conversion),
        cmocka_unit_test(lifetime),
        cmocka_unit_test(wilson_newcombe_table),
        cmocka_unit_test(wilson_bad_input),
        cmocka_unit_test(revenue_seed_negative_churn),
        cmocka_unit_test(revenue_quick_ratio_and_arpa),
        cmocka_unit_test(revenue_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
