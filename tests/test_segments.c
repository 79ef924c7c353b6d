/* Segment comparisons and retention economics (retention/segments.h). Reference values: the
 * published example of Newcombe (1998); statsmodels 0.13 (confint_proportions_2indep,
 * proportions_ztest) and scipy 1.10 (chi2_contingency(correction=False)); sums done by hand or
 * with exact fractions. */
#include <string.h>

#include "rtn_test.h"

static void test_count(void **state)
{
    (void)state;
    int32_t seg[] = {0, 1, 1, 2, 0, 1};
    uint8_t kept[] = {1, 0, 1, 1, 1, 0};
    uint64_t k[3] = {0}, n[3] = {0};
    assert_int_equal(rtn_segments_count(seg, kept, 6, 3, k, n, NULL), RTN_OK);
    assert_int_equal(rtn_segments_count(seg, kept, 2, 3, k, n, NULL), RTN_OK); /* adds */
    assert_true(k[0] == 3 && n[0] == 3 && k[1] == 1 && n[1] == 4 && k[2] == 1 && n[2] == 1);
    size_t bad = 99;
    seg[4] = 3;
    assert_int_equal(rtn_segments_count(seg, kept, 6, 3, k, n, &bad), RTN_EDOMAIN);
    assert_int_equal(bad, 4);
    seg[4] = -1;
    assert_int_equal(rtn_segments_count(seg, kept, 6, 3, k, n, &bad), RTN_EDOMAIN);
    seg[4] = 0;
    kept[5] = 2;
    assert_int_equal(rtn_segments_count(seg, kept, 6, 3, k, n, &bad), RTN_EDOMAIN);
    assert_int_equal(bad, 5);
    assert_true(k[0] == 3 && n[0] == 3 && n[1] == 4); /* untouched */
    assert_int_equal(rtn_segments_count(seg, kept, 6, 0, k, n, NULL), RTN_EINVAL);
    assert_int_equal(rtn_segments_count(NULL, kept, 6, 3, k, n, NULL), RTN_EINVAL);
    assert_int_equal(rtn_segments_count(seg, NULL, 6, 3, k, n, NULL), RTN_EINVAL);
    assert_int_equal(rtn_segments_count(seg, kept, 6, 3, NULL, n, NULL), RTN_EINVAL);
    assert_int_equal(rtn_segments_count(seg, kept, 6, 3, k, NULL, NULL), RTN_EINVAL);
    assert_int_equal(rtn_segments_count(NULL, NULL, 0, 3, k, n, NULL), RTN_OK);
    n[1] = UINT64_MAX - 1;
    kept[5] = 0;
    assert_int_equal(rtn_segments_count(seg, kept, 6, 3, k, n, NULL), RTN_EOVERFLOW);
}

static void test_two_proportions(void **state)
{
    (void)state;
    double d, lo, hi;
    /* Newcombe 1998, table II, example (a): 56/70 − 48/80, method 10 → 0.0524 to 0.3339 */
    assert_int_equal(rtn_proportion_diff_interval(56, 70, 48, 80, 0.95, &d, &lo, &hi), RTN_OK);
    assert_rel(d, 0.2, 1e-14);
    assert_rel(lo, 0.0524, 1e-3);
    assert_rel(hi, 0.3339, 1e-3);
    assert_rel(lo, 0.05243147240236498, 1e-12); /* statsmodels, method="newcomb" */
    /* 80/100 vs 30/100 against statsmodels */
    assert_int_equal(rtn_proportion_diff_interval(80, 100, 30, 100, 0.95, &d, &lo, &hi), RTN_OK);
    assert_rel(lo, 0.3693188441502925, 1e-12);
    assert_rel(hi, 0.6049249923132749, 1e-12);
    assert_int_equal(rtn_proportion_lift_interval(80, 100, 30, 100, 0.95, &d, &lo, &hi), RTN_OK);
    assert_rel(d, 5.0 / 3.0, 1e-14);
    assert_rel(lo, 1.9460644780109195 - 1.0, 1e-12); /* compare="ratio", method="log", − 1 */
    assert_rel(hi, 3.654098408075054 - 1.0, 1e-12);
    double z, p;
    assert_int_equal(rtn_proportion_ztest(80, 100, 30, 100, &z, &p), RTN_OK);
    assert_rel(z, 7.106690545187014, 1e-12); /* proportions_ztest([80, 30], [100, 100]) */
    assert_rel(p, 1.1885852395646712e-12, 1e-9);
    assert_int_equal(rtn_proportion_ztest(30, 100, 80, 100, &z, &p), RTN_OK);
    assert_rel(z, -7.106690545187014, 1e-12);
    /* z² is the 2 × 2 chi-square: scipy gives 4.8 and p 0.028459736916310638 for 30/100 vs
     * 45/100 */
    assert_int_equal(rtn_proportion_ztest(30, 100, 45, 100, &z, &p), RTN_OK);
    assert_rel(z * z, 4.8, 1e-12);
    assert_rel(p, 0.028459736916310638, 1e-11);
    /* the edges: k = 0 and k = n keep a proper difference interval */
    assert_int_equal(rtn_proportion_diff_interval(0, 10, 10, 10, 0.95, &d, &lo, &hi), RTN_OK);
    assert_true(d == -1.0 && lo >= -1.0 && hi < 0.0);
    /* undefined and bad inputs leave outputs alone */
    d = lo = hi = z = p = SENTINEL;
    assert_int_equal(rtn_proportion_diff_interval(1, 0, 1, 2, 0.95, &d, &lo, &hi), RTN_EUNDEFINED);
    assert_int_equal(rtn_proportion_diff_interval(1, 2, 0, 0, 0.95, &d, &lo, &hi), RTN_EUNDEFINED);
    assert_int_equal(rtn_proportion_diff_interval(3, 2, 1, 2, 0.95, &d, &lo, &hi), RTN_EDOMAIN);
    assert_int_equal(rtn_proportion_diff_interval(1, 2, 3, 2, 0.95, &d, &lo, &hi), RTN_EDOMAIN);
    assert_int_equal(rtn_proportion_diff_interval(1, 2, 1, 2, NAN, &d, &lo, &hi), RTN_EINVAL);
    assert_int_equal(rtn_proportion_diff_interval(1, 2, 1, 2, 1.0, &d, &lo, &hi), RTN_EINVAL);
    assert_int_equal(rtn_proportion_diff_interval(1, 2, 1, 2, 0.9, NULL, &lo, &hi), RTN_EINVAL);
    assert_int_equal(rtn_proportion_lift_interval(1, 2, 0, 2, 0.95, &d, &lo, &hi), RTN_EUNDEFINED);
    assert_int_equal(rtn_proportion_lift_interval(0, 2, 1, 2, 0.95, &d, &lo, &hi), RTN_EUNDEFINED);
    assert_int_equal(rtn_proportion_lift_interval(3, 2, 1, 2, 0.95, &d, &lo, &hi), RTN_EDOMAIN);
    assert_int_equal(rtn_proportion_lift_interval(1, 2, 1, 2, 0.0, &d, &lo, &hi), RTN_EINVAL);
    assert_int_equal(rtn_proportion_lift_interval(1, 2, 1, 2, 0.9, &d, NULL, &hi), RTN_EINVAL);
    assert_int_equal(rtn_proportion_ztest(0, 5, 0, 7, &z, &p), RTN_EUNDEFINED);
    assert_int_equal(rtn_proportion_ztest(5, 5, 7, 7, &z, &p), RTN_EUNDEFINED);
    assert_int_equal(rtn_proportion_ztest(5, 0, 7, 7, &z, &p), RTN_EUNDEFINED);
    assert_int_equal(rtn_proportion_ztest(6, 5, 7, 7, &z, &p), RTN_EDOMAIN);
    assert_int_equal(rtn_proportion_ztest(1, 5, 1, 7, NULL, &p), RTN_EINVAL);
    assert_int_equal(rtn_proportion_ztest(1, 5, 1, 7, &z, NULL), RTN_EINVAL);
    assert_true(d == SENTINEL && lo == SENTINEL && hi == SENTINEL && z == SENTINEL && p == SENTINEL);
}

static void test_chisq(void **state)
{
    (void)state;
    /* 30, 50, 60, 80 of 100 each: by hand, p̄ = 0.55, Σ (k − 55)² / 24.75 = 1300 / 24.75;
     * scipy's p-value 2.3144863580803927e-11 with 3 df */
    uint64_t k[] = {30, 50, 60, 80}, n[] = {100, 100, 100, 100};
    double chisq, df, p;
    assert_int_equal(rtn_proportions_chisq(k, n, 4, &chisq, &df, &p), RTN_OK);
    assert_rel(chisq, 1300.0 / 24.75, 1e-13);
    assert_true(df == 3.0);
    assert_rel(p, 2.3144863580803927e-11, 1e-9);
    /* an unbalanced 2 × 2 table: scipy gives 5.85483193277311, p 0.015534341414683461 */
    uint64_t k2[] = {12, 3}, n2[] = {17, 12};
    assert_int_equal(rtn_proportions_chisq(k2, n2, 2, &chisq, &df, &p), RTN_OK);
    assert_rel(chisq, 5.85483193277311, 1e-12);
    assert_rel(p, 0.015534341414683461, 1e-10);
    chisq = df = p = SENTINEL;
    uint64_t none[] = {0, 0}, all[] = {17, 12};
    assert_int_equal(rtn_proportions_chisq(none, n2, 2, &chisq, &df, &p), RTN_EUNDEFINED);
    assert_int_equal(rtn_proportions_chisq(all, n2, 2, &chisq, &df, &p), RTN_EUNDEFINED);
    uint64_t k_empty[] = {12, 0}, empty[] = {17, 0};
    assert_int_equal(rtn_proportions_chisq(k_empty, empty, 2, &chisq, &df, &p), RTN_EUNDEFINED);
    uint64_t over[] = {18, 3};
    assert_int_equal(rtn_proportions_chisq(over, n2, 2, &chisq, &df, &p), RTN_EDOMAIN);
    assert_int_equal(rtn_proportions_chisq(k2, n2, 1, &chisq, &df, &p), RTN_EINVAL);
    assert_int_equal(rtn_proportions_chisq(k2, n2, RTN_SEGMENTS_MAX + 1, &chisq, &df, &p), RTN_EINVAL);
    assert_int_equal(rtn_proportions_chisq(NULL, n2, 2, &chisq, &df, &p), RTN_EINVAL);
    assert_int_equal(rtn_proportions_chisq(k2, n2, 2, &chisq, NULL, &p), RTN_EINVAL);
    uint64_t huge[] = {UINT64_MAX, 1};
    assert_int_equal(rtn_proportions_chisq(huge, huge, 2, &chisq, &df, &p), RTN_EOVERFLOW);
    assert_true(chisq == SENTINEL && df == SENTINEL && p == SENTINEL);
}

/* Counts so large that the pooled rate rounds to 1 in doubles (a fuzzer found the statistic
 * turning into 0/0). All K of segment 1 retained, none of 3 in segment 0: by hand the pooled z
 * is (K·3 − 0·K) sqrt((K + 3) / (K · 3 · K · 3)) = sqrt(K + 3), and the 2 × 2 chi-square z². */
static void test_huge_counts(void **state)
{
    (void)state;
    const uint64_t big = UINT64_C(1) << 63; /* K + 3 is not a double: it rounds to K */
    uint64_t k[] = {0, big}, n[] = {3, big};
    double z, p, chisq, df;
    assert_int_equal(rtn_proportion_ztest(k[1], n[1], k[0], n[0], &z, &p), RTN_OK);
    assert_rel(z, sqrt(0x1p63 + 3.0), 1e-15);
    assert_true(p == 0.0);
    assert_int_equal(rtn_proportions_chisq(k, n, 2, &chisq, &df, &p), RTN_OK);
    assert_rel(chisq, 0x1p63 + 3.0, 1e-15);
    rtn_segment_row rows[2];
    assert_int_equal(rtn_segments_compare(k, n, 2, 0, 0.95, rows, &chisq, &p), RTN_OK);
    assert_rel(chisq, 0x1p63 + 3.0, 1e-15);
    assert_rel(rows[1].z, sqrt(0x1p63 + 3.0), 1e-15);
}

/* The composite agrees with the functions it is made of, and marks what is undefined. */
static void test_compare(void **state)
{
    (void)state;
    uint64_t k[] = {30, 50, 80, 0}, n[] = {100, 100, 100, 10};
    rtn_segment_row rows[4];
    double chisq = SENTINEL, p = SENTINEL;
    assert_int_equal(rtn_segments_compare(k, n, 4, 2, 0.9, rows, &chisq, &p), RTN_OK);
    double d, lo, hi, z, pz, c2, df, pc;
    for (size_t g = 0; g < 4; ++g) {
        assert_true(rows[g].retained == k[g] && rows[g].n == n[g]);
        assert_rel(rows[g].rate, (double)k[g] / (double)n[g], 1e-15);
        assert_int_equal(rtn_rate_wilson_interval(k[g], n[g], 0.9, &lo, &hi), RTN_OK);
        assert_true(rows[g].rate_low == lo && rows[g].rate_high == hi);
        if (g == 2) {
            assert_true(rows[g].diff == 0.0 && rows[g].lift == 0.0);
            assert_true(isnan(rows[g].diff_low) && isnan(rows[g].lift_high) && isnan(rows[g].z) &&
                        isnan(rows[g].p_value));
            continue;
        }
        assert_int_equal(rtn_proportion_diff_interval(k[g], n[g], 80, 100, 0.9, &d, &lo, &hi), RTN_OK);
        assert_true(rows[g].diff == d && rows[g].diff_low == lo && rows[g].diff_high == hi);
        assert_int_equal(rtn_proportion_ztest(k[g], n[g], 80, 100, &z, &pz), RTN_OK);
        assert_true(rows[g].z == z && rows[g].p_value == pz);
        if (g == 3) { /* nobody retained: lift −1, no log interval */
            assert_true(rows[g].lift == -1.0 && isnan(rows[g].lift_low) && isnan(rows[g].lift_high));
            continue;
        }
        assert_int_equal(rtn_proportion_lift_interval(k[g], n[g], 80, 100, 0.9, &d, &lo, &hi), RTN_OK);
        assert_true(rows[g].lift == d && rows[g].lift_low == lo && rows[g].lift_high == hi);
    }
    assert_int_equal(rtn_proportions_chisq(k, n, 4, &c2, &df, &pc), RTN_OK);
    assert_true(chisq == c2 && p == pc);
    /* a reference with no retained customer: no lift; one segment: no chi-square */
    assert_int_equal(rtn_segments_compare(k, n, 4, 3, 0.95, rows, NULL, NULL), RTN_OK);
    assert_true(isnan(rows[0].lift) && isnan(rows[0].lift_low));
    assert_int_equal(rtn_segments_compare(k, n, 1, 0, 0.95, rows, &chisq, &p), RTN_OK);
    assert_true(isnan(chisq) && isnan(p));
    /* every segment retained everyone: rates 1, no test */
    uint64_t full[] = {5, 7};
    assert_int_equal(rtn_segments_compare(full, full, 2, 0, 0.95, rows, &chisq, &p), RTN_OK);
    assert_true(isnan(chisq) && isnan(rows[1].z) && rows[1].diff == 0.0 && rows[1].lift == 0.0);
    /* bad input writes nothing */
    memset(rows, 0x5a, sizeof rows);
    chisq = p = SENTINEL;
    uint64_t k0[] = {30, 0, 80, 0}, n0[] = {100, 0, 100, 10};
    assert_int_equal(rtn_segments_compare(k0, n0, 4, 0, 0.95, rows, &chisq, &p), RTN_EUNDEFINED);
    uint64_t kbig[] = {30, 101, 80, 0};
    assert_int_equal(rtn_segments_compare(kbig, n, 4, 0, 0.95, rows, &chisq, &p), RTN_EDOMAIN);
    assert_int_equal(rtn_segments_compare(k, n, 4, 4, 0.95, rows, &chisq, &p), RTN_EINVAL);
    assert_int_equal(rtn_segments_compare(k, n, 0, 0, 0.95, rows, &chisq, &p), RTN_EINVAL);
    assert_int_equal(rtn_segments_compare(k, n, 4, 0, 1.5, rows, &chisq, &p), RTN_EINVAL);
    assert_int_equal(rtn_segments_compare(NULL, n, 4, 0, 0.95, rows, &chisq, &p), RTN_EINVAL);
    assert_int_equal(rtn_segments_compare(k, NULL, 4, 0, 0.95, rows, &chisq, &p), RTN_EINVAL);
    assert_int_equal(rtn_segments_compare(k, n, 4, 0, 0.95, NULL, &chisq, &p), RTN_EINVAL);
    uint64_t huge[] = {UINT64_MAX, 1};
    assert_int_equal(rtn_segments_compare(huge, huge, 2, 0, 0.95, rows, &chisq, &p), RTN_EOVERFLOW);
    assert_true(chisq == SENTINEL && p == SENTINEL);
    unsigned char *bytes = (unsigned char *)rows;
    for (size_t i = 0; i < sizeof rows; ++i)
        assert_int_equal(bytes[i], 0x5a);
}

static void test_economics(void **state)
{
    (void)state;
    rtn_retention_value v;
    /* the header's example, by hand: 100 · 0.8 / 0.3 and 100 · 0.85 / 0.25 */
    assert_int_equal(rtn_retention_economics(100, 0.80, 0.05, 0.10, 100, 1000, 0, &v), RTN_OK);
    assert_rel(v.clv_before, 800.0 / 3.0, 1e-14);
    assert_rel(v.clv_after, 340.0, 1e-13);
    assert_rel(v.clv_change, 340.0 / (800.0 / 3.0) - 1.0, 1e-13);
    assert_rel(v.profit_before, 1000.0 * (800.0 / 3.0 - 100.0), 1e-13);
    assert_rel(v.profit_after, 240000.0, 1e-13);
    assert_rel(v.profit_change, (240000.0 - 500000.0 / 3.0) / (500000.0 / 3.0), 1e-12);
    /* the unbounded value is rtn_clv_discounted()'s */
    double clv;
    assert_int_equal(rtn_clv_discounted(100, 0.85, 0.10, &clv), RTN_OK);
    assert_rel(v.clv_after, clv, 1e-14);
    /* three periods: 100 Σ_{t=1..3} (8/11)^t and (85/110)^t in exact fractions */
    assert_int_equal(rtn_retention_economics(100, 0.80, 0.05, 0.10, 0, 1, 3, &v), RTN_OK);
    assert_rel(v.clv_before, 164.08715251690458, 1e-13);
    assert_rel(v.clv_after, 183.1235912847483, 1e-13);
    assert_rel(v.profit_change, 183.1235912847483 / 164.08715251690458 - 1.0, 1e-12);
    /* no discount, full retention: m H */
    assert_int_equal(rtn_retention_economics(50, 0.9, 0.1, 0, 0, 1, 12, &v), RTN_OK);
    assert_rel(v.clv_after, 600.0, 1e-15);
    /* a fall of retention; a profit that turns from loss to gain keeps its sign */
    assert_int_equal(rtn_retention_economics(100, 0.5, 0.3, 0.0, 150, 10, 0, &v), RTN_OK);
    assert_rel(v.profit_before, -500.0, 1e-14); /* 10 · (100 − 150) */
    assert_rel(v.profit_after, 2500.0, 1e-13);  /* 10 · (400 − 150) */
    assert_rel(v.profit_change, 3000.0 / 500.0, 1e-13);
    assert_int_equal(rtn_retention_economics(100, 0.5, -0.5, 0.0, 0, 10, 0, &v), RTN_OK);
    assert_true(v.clv_after == 0.0 && v.clv_change == -1.0);
    /* bases of 0: relative changes undefined (NaN), not 0 % */
    assert_int_equal(rtn_retention_economics(100, 0.0, 0.1, 0.0, 0, 10, 0, &v), RTN_OK);
    assert_true(isnan(v.clv_change) && isnan(v.profit_change));
    assert_int_equal(rtn_retention_economics(100, 0.5, 0.1, 0.0, 100, 10, 0, &v), RTN_OK);
    assert_true(v.profit_before == 0.0 && isnan(v.profit_change));
    /* 0.7 + 0.3 rounds to 0.9999999999999999: still the diverging sum, not 10^16 margins */
    assert_int_equal(rtn_retention_economics(100, 0.7, 0.3, 0.0, 0, 1, 0, &v), RTN_EUNDEFINED);
    assert_int_equal(rtn_retention_economics(100, 0.7, 0.3, 0.0, 0, 1, 10, &v), RTN_OK);
    assert_true(v.clv_after == 1000.0); /* m H exactly */
    assert_int_equal(rtn_retention_economics(100, 0.3, -0.3, 0.0, 0, 1, 0, &v), RTN_OK);
    assert_true(v.clv_after == 0.0);
    /* bad input writes nothing */
    memset(&v, 0x5a, sizeof v);
    rtn_retention_value keep = v;
    assert_int_equal(rtn_retention_economics(100, 0.9, 0.1, 0.0, 0, 1, 0, &v), RTN_EUNDEFINED);
    assert_int_equal(rtn_retention_economics(100, 0.9, 0.2, 0.1, 0, 1, 0, &v), RTN_EDOMAIN);
    assert_int_equal(rtn_retention_economics(100, 0.1, -0.2, 0.1, 0, 1, 0, &v), RTN_EDOMAIN);
    const double bad[] = {NAN, INFINITY, -1.0};
    for (size_t i = 0; i < 3; ++i) {
        assert_int_equal(rtn_retention_economics(bad[i], 0.5, 0.1, 0.1, 0, 1, 0, &v), RTN_EDOMAIN);
        assert_int_equal(rtn_retention_economics(1, bad[i], 0.1, 0.1, 0, 1, 0, &v), RTN_EDOMAIN);
        assert_int_equal(rtn_retention_economics(1, 0.5, 0.1, bad[i], 0, 1, 0, &v), RTN_EDOMAIN);
        assert_int_equal(rtn_retention_economics(1, 0.5, 0.1, 0.1, bad[i], 1, 0, &v), RTN_EDOMAIN);
        assert_int_equal(rtn_retention_economics(1, 0.5, 0.1, 0.1, 0, bad[i], 0, &v), RTN_EDOMAIN);
    }
    assert_int_equal(rtn_retention_economics(1, 0.5, NAN, 0.1, 0, 1, 0, &v), RTN_EDOMAIN);
    assert_int_equal(rtn_retention_economics(1, 1.5, -0.6, 0.1, 0, 1, 0, &v), RTN_EDOMAIN);
    assert_int_equal(rtn_retention_economics(1e308, 0.9, 0.0, 0.0, 0, 1, 0, &v), RTN_EOVERFLOW);
    assert_int_equal(rtn_retention_economics(1e300, 0.9, 0.0, 0.0, 0, 1e300, 0, &v), RTN_EOVERFLOW);
    assert_true(memcmp(&v, &keep, sizeof v) == 0);
    assert_int_equal(rtn_retention_economics(1, 0.5, 0.1, 0.1, 0, 1, 0, NULL), RTN_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count),         cmocka_unit_test(test_two_proportions),
        cmocka_unit_test(test_chisq),         cmocka_unit_test(test_huge_counts),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_economics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
