/* The special functions behind the tests' p-values and the models (lib/special.c), against
 * values printed by R 4.2 (pchisq(x, df, lower.tail = FALSE) and lgamma(x), which use
 * Morten Welinder's and Loader's algorithms: an independent implementation). */
#include <stdlib.h>

#include "internal.h"
#include "rtn_test.h"

static const struct {
    double x, df, p;
} chisq[] = {
    {0.5, 1, 0.47950012218695348},
    {1, 1, 0.31731050786291415},
    {3.84, 1, 0.050043521248705224},
    {10, 1, 0.0015654022580025519},
    {50, 1, 1.5374597944280343e-12},
    {200, 1, 2.0884875837625449e-45},
    {0.001, 1, 0.97477287936996038},
    {0.5, 2, 0.77880078307140488},
    {1, 2, 0.60653065971263342},
    {3.84, 2, 0.14660696213035015},
    {10, 2, 0.006737946999085467},
    {50, 2, 1.3887943864964021e-11},
    {200, 2, 3.7200759760208361e-44},
    {0.001, 2, 0.99950012497916929},
    {0.5, 3, 0.91889141165467592},
    {1, 3, 0.80125195690120077},
    {3.84, 3, 0.27926761711861031},
    {10, 3, 0.018566135463043233},
    {50, 3, 7.9891792449514704e-11},
    {200, 3, 4.2185411071920418e-43},
    {0.001, 3, 0.99999159208094202},
    {0.5, 4, 0.97350097883925613},
    {1, 4, 0.90979598956895014},
    {3.84, 4, 0.42809232942062247},
    {10, 4, 0.040427681994512805},
    {50, 4, 3.6108654048906463e-10},
    {200, 4, 3.7572767357810449e-42},
    {0.001, 4, 0.99999987504165888},
    {0.5, 7, 0.99944648139042513},
    {1, 7, 0.99482853651651559},
    {3.84, 7, 0.79801091503604016},
    {10, 7, 0.18857346751345011},
    {50, 7, 1.4444852779215407e-08},
    {200, 7, 1.1477812240142596e-39},
    {0.001, 7, 0.99999999999975986},
    {0.5, 10, 0.99999338828943896},
    {1, 10, 0.99982788437004411},
    {3.84, 10, 0.95427630432073585},
    {10, 10, 0.44049328506521246},
    {50, 10, 2.6690834249044957e-07},
    {200, 10, 1.6139305336977309e-37},
    {0.001, 10, 1},
    {0.5, 50, 1},
    {1, 50, 0.99999999999999989},
    {3.84, 50, 1},
    {10, 50, 0.9999999998400414},
    {50, 50, 0.47339846855634937},
    {200, 50, 7.857610724654742e-20},
    {0.001, 50, 1},
    {0.5, 100, 1},
    {1, 100, 1},
    {3.84, 100, 1},
    {10, 100, 1},
    {50, 100, 0.99999304669475242},
    {200, 100, 1.178450072097942e-08},
    {0.001, 100, 1},
};

static const struct {
    double x, lgamma;
} lgam[] = {
    {0.5, 0.57236494292470008},
    {1.5, -0.12078223763524518},
    {3.7, 1.4280723266653881},
    {10, 12.801827480081469},
    {25.5, 56.389167643719929},
    {100, 359.1342053695754},
    {100000, 1051287.7089736569},
    {1e-05, 11.512919692895826},
    {0.1, 2.252712651734206},
    {7.25, 7.0521854507385395},
};

static void chisq_upper_matches_r(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof chisq / sizeof chisq[0]; ++i)
        assert_rel(rtn__chisq_upper(chisq[i].x, chisq[i].df), chisq[i].p, 1e-12);
    /* half-integer degrees of freedom and the edges */
    assert_rel(rtn__chisq_upper(0.0, 3.0), 1.0, 0.0);
    assert_rel(rtn__chisq_upper(-1.0, 3.0), 1.0, 0.0);
    assert_rel(rtn__chisq_upper(INFINITY, 3.0), 0.0, 0.0);
    assert_true(isnan(rtn__chisq_upper(NAN, 3.0)));
    assert_true(isnan(rtn__chisq_upper(1.0, 0.0)));
}

static void lgamma_matches_r(void **state)
{
    (void)state;
    /* relative 1e-14 away from the roots x = 1 and 2, absolute 1e-14 near them (documented) */
    for (size_t i = 0; i < sizeof lgam / sizeof lgam[0]; ++i)
        assert_true(fabs(rtn__lgamma(lgam[i].x) - lgam[i].lgamma) <=
                    1e-14 * fmax(1.0, fabs(lgam[i].lgamma)));
    /* at the roots the error is absolute */
    assert_true(fabs(rtn__lgamma(1.0)) < 1e-14);
    assert_true(fabs(rtn__lgamma(2.0)) < 1e-14);
    /* Γ(n) = (n − 1)! exactly representable up to 22!: compare with the log of the product */
    double fact = 1.0;
    for (int n = 2; n <= 23; ++n) {
        assert_rel(rtn__lgamma((double)n), log(fact), 1e-14);
        fact *= n;
    }
    assert_true(isnan(rtn__lgamma(0.0)));
    assert_true(isnan(rtn__lgamma(-1.5)));
    assert_true(isnan(rtn__lgamma(NAN)));
    assert_true(isinf(rtn__lgamma(INFINITY)));
}

static void gamma_q_limits(void **state)
{
    (void)state;
    /* Q(1, x) = e^−x exactly, on both sides of the series/fraction split */
    for (double x = 0.01; x < 60.0; x *= 1.7)
        assert_rel(rtn__gamma_q(1.0, x), exp(-x), 1e-13);
    /* Q(a, x) = erfc(√x) for a = 1/2 */
    for (double x = 0.01; x < 30.0; x *= 1.9)
        assert_rel(rtn__gamma_q(0.5, x), erfc(sqrt(x)), 1e-12);
    assert_true(isnan(rtn__gamma_q(0.0, 1.0)));
    assert_true(isnan(rtn__gamma_q(1.0, -1.0)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chisq_upper_matches_r),
        cmocka_unit_test(lgamma_matches_r),
        cmocka_unit_test(gamma_q_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
