/* The internal standard-normal quantile (AS 241), checked against libm's erfc (an independent
 * implementation of the forward function) over 300 orders of magnitude of tail area, and against
 * critical values computed independently (reference_values.py). */
#include "rtn_test.h"
#include "internal.h"

static void quantile_inverts_erfc(void **state)
{
    (void)state;
    const double qs[] = {1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-10, 1e-5,  1e-3, 0.01,
                         0.025,  0.05,   0.075,  0.1,   0.2,   0.3,   0.4,   0.45, 0.5,
                         0.55,   0.6,    0.7,    0.8,   0.9,   0.95,  0.975, 0.99, 0.999};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; ++i) {
        double z = rtn__normal_upper_quantile(qs[i]);
        double back = 0.5 * erfc(z / sqrt(2.0)); /* P(Z > z) */
        /* A far tail magnifies z's last-bit error: dq/q = z·dz, so q's tolerance grows with z². */
        assert_rel(back, qs[i], 1e-15 * fmax(100.0, z * z));
    }
    assert_true(rtn__normal_upper_quantile(0.5) == 0.0);
}

static void critical_values_table(void **state)
{
    (void)state;
    /* two-sided critical values (Python statistics.NormalDist, tests/reference) */
    double z = 0;
    assert_int_equal(rtn__normal_critical(0.90, &z), 0);
    assert_rel(z, 1.6448536269514726, 1e-15);
    assert_int_equal(rtn__normal_critical(0.95, &z), 0);
    assert_rel(z, 1.9599639845400536, 1e-15);
    assert_int_equal(rtn__normal_critical(0.99, &z), 0);
    assert_rel(z, 2.5758293035489, 1e-15);
    assert_int_equal(rtn__normal_critical(0.999999, &z), 0);
    assert_rel(z, 4.891638475692932, 1e-14);
    assert_int_equal(rtn__normal_critical(0.0, &z), -1);
    assert_int_equal(rtn__normal_critical(1.0, &z), -1);
    assert_int_equal(rtn__normal_critical(NAN, &z), -1);
}

static void two_sided_p(void **state)
{
    (void)state;
    assert_rel(rtn__normal_two_sided_p(1.9599639845400536), 0.05, 1e-14);
    assert_rel(rtn__normal_two_sided_p(-2.5758293035488999), 0.01, 1e-14);
    assert_true(rtn__normal_two_sided_p(0.0) == 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quantile_inverts_erfc),
        cmocka_unit_test(critical_values_table),
        cmocka_unit_test(two_sided_p),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
