/* NPS, CSAT, CES and average handle time. Expected values: hand counts, a plain counting loop
 * written here (for the vectorised kernel), numpy's output on the benchmark data
 * (../shared/peers/README.md) and tests/reference/reference_values.py. */
#include <stdlib.h>
#include <string.h>

#include "rtn_test.h"

/* Deterministic pseudo-random bytes (xorshift64*), independent of the C library's rand(). */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

/* The obvious loop the kernel must agree with. */
static void naive_hist(const uint8_t *s, size_t n, unsigned lo, unsigned hi, uint64_t *h)
{
    for (size_t i = 0; i < n; ++i)
        if (s[i] >= lo && s[i] <= hi)
            h[s[i] - lo]++;
}

static void nps_count_small(void **state)
{
    (void)state;
    const uint8_t scores[] = {10, 9, 9, 8, 7, 6, 0, 10, 5, 9, 3, 10};
    uint64_t hist[RTN_NPS_HIST_LEN] = {0};
    assert_int_equal(rtn_nps_count(scores, sizeof scores, hist, NULL), RTN_OK);
    const uint64_t want[RTN_NPS_HIST_LEN] = {1, 0, 0, 1, 0, 1, 1, 1, 1, 3, 3};
    assert_memory_equal(hist, want, sizeof want);
    uint64_t p, a, d;
    assert_int_equal(rtn_nps_categories(hist, &p, &a, &d), RTN_OK);
    assert_int_equal(p, 6);
    assert_int_equal(a, 2);
    assert_int_equal(d, 4);
    /* counting adds: the histogram is the mergeable state */
    assert_int_equal(rtn_nps_count(scores, sizeof scores, hist, NULL), RTN_OK);
    assert_int_equal(hist[10], 6);
    assert_int_equal(rtn_nps_hist_len(), 11);
    /* n = 0 adds nothing, and NULL is fine then */
    assert_int_equal(rtn_nps_count(NULL, 0, hist, NULL), RTN_OK);
    assert_int_equal(hist[10], 6);
}

/* Every length around the kernel's block (16) and flush (255 blocks) boundaries, every scale
 * width from 2 to 20 values (vector and scalar paths), offsets that misalign the input. */
static void kernel_matches_naive_loop(void **state)
{
    (void)state;
    const size_t cap = 3 * 255 * 16 + 64;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    uint64_t seed = 0x9E3779B97F4A7C15u;
    const size_t lengths[] = {0, 1, 15, 16, 17, 255, 4079, 4080, 4081, 8160, 8161, 3 * 255 * 16 + 7};
    for (unsigned width = 2; width <= 20; ++width) {
        unsigned lo = width % 3; /* scales starting at 0, 1 and 2 */
        unsigned hi = lo + width - 1;
        for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; ++li) {
            for (size_t off = 0; off < 3; ++off) {
                size_t n = lengths[li];
                if (n + off > cap)
                    continue;
                for (size_t i = 0; i < n + off; ++i)
                    buf[i] = (uint8_t)(lo + rng_next(&seed) % width);
                uint64_t got[32] = {0}, want[32] = {0};
                assert_int_equal(rtn_scores_count(buf + off, n, lo, hi, got, NULL), RTN_OK);
                naive_hist(buf + off, n, lo, hi, want);
                assert_memory_equal(got, want, sizeof want);
            }
        }
    }
    free(buf);
}

/* One bin that receives every byte of a long run: the byte lanes must be flushed before they
 * wrap at 256. */
static void kernel_no_lane_wraparound(void **state)
{
    (void)state;
    const size_t n = 1000003;
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    memset(buf, 10, n);
    uint64_t hist[RTN_NPS_HIST_LEN] = {0};
    assert_int_equal(rtn_nps_count(buf, n, hist, NULL), RTN_OK);
    assert_int_equal(hist[10], n);
    for (int v = 0; v < 10; ++v)
        assert_int_equal(hist[v], 0);
    free(buf);
}

static void nps_count_bad_score(void **state)
{
    (void)state;
    const size_t n = 5000;
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    for (size_t i = 0; i < n; ++i)
        buf[i] = (uint8_t)(i % 11);
    buf[4321] = 11;
    buf[4500] = 255;
    uint64_t hist[RTN_NPS_HIST_LEN] = {7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
    size_t bad = 999999;
    assert_int_equal(rtn_nps_count(buf, n, hist, &bad), RTN_EDOMAIN);
    assert_int_equal(bad, 4321);
    assert_int_equal(hist[0], 7); /* untouched */
    assert_int_equal(hist[10], 3);
    assert_int_equal(rtn_nps_count(buf, n, hist, NULL), RTN_EDOMAIN); /* bad_index optional */
    /* a value below the scale's minimum, in the scalar tail and inside a vector block */
    const uint8_t csat[] = {1, 2, 3, 0, 5};
    uint64_t h5[5] = {0};
    assert_int_equal(rtn_scores_count(csat, 5, 1, 5, h5, &bad), RTN_EDOMAIN);
    assert_int_equal(bad, 3);
    for (size_t i = 0; i < n; ++i)
        buf[i] = (uint8_t)(1 + i % 5);
    buf[2999] = 0;
    assert_int_equal(rtn_scores_count(buf, n, 1, 5, h5, &bad), RTN_EDOMAIN);
    assert_int_equal(bad, 2999);
    assert_int_equal(h5[0], 0);
    /* a scale at the top of the byte range */
    for (size_t i = 0; i < n; ++i)
        buf[i] = (uint8_t)(245 + i % 11);
    uint64_t top[11] = {0};
    assert_int_equal(rtn_scores_count(buf, n, 245, 255, top, &bad), RTN_OK);
    assert_int_equal(top[0], 455);  /* i ≡ 0 (mod 11) for i < 5000 */
    assert_int_equal(top[10], 454); /* i ≡ 10 (mod 11) */
    buf[4444] = 244;
    assert_int_equal(rtn_scores_count(buf, n, 245, 255, top, &bad), RTN_EDOMAIN);
    assert_int_equal(bad, 4444);
    free(buf);
}

static void scores_count_bad_arguments(void **state)
{
    (void)state;
    const uint8_t s[] = {1, 2};
    uint64_t h[256] = {0};
    size_t bad = 77;
    assert_int_equal(rtn_scores_count(s, 2, 0, 10, NULL, &bad), RTN_EINVAL);
    assert_int_equal(rtn_scores_count(NULL, 2, 0, 10, h, &bad), RTN_EINVAL);
    assert_int_equal(rtn_scores_count(s, 2, 5, 5, h, &bad), RTN_EINVAL);   /* one-value scale */
    assert_int_equal(rtn_scores_count(s, 2, 7, 1, h, &bad), RTN_EINVAL);   /* reversed */
    assert_int_equal(rtn_scores_count(s, 2, 0, 256, h, &bad), RTN_EINVAL); /* beyond uint8 */
    assert_int_equal(bad, 77);
    assert_int_equal(rtn_nps_count(s, 2, NULL, NULL), RTN_EINVAL);
    size_t len = 99;
    assert_int_equal(rtn_scores_hist_len(1, 5, &len), RTN_OK);
    assert_int_equal(len, 5);
    assert_int_equal(rtn_scores_hist_len(0, 255, &len), RTN_OK);
    assert_int_equal(len, 256);
    assert_int_equal(rtn_scores_hist_len(0, 10, &len), RTN_OK);
    assert_int_equal(len, RTN_NPS_HIST_LEN);
    len = 99;
    assert_int_equal(rtn_scores_hist_len(5, 5, &len), RTN_EINVAL);
    assert_int_equal(rtn_scores_hist_len(6, 5, &len), RTN_EINVAL);
    assert_int_equal(rtn_scores_hist_len(0, 256, &len), RTN_EINVAL);
    assert_int_equal(rtn_scores_hist_len(0, 10, NULL), RTN_EINVAL);
    assert_int_equal(len, 99);
    /* the widest scale works */
    assert_int_equal(rtn_scores_count(s, 2, 0, 255, h, NULL), RTN_OK);
    assert_int_equal(h[1] + h[2], 2);
    /* a count that would wrap */
    uint64_t full[RTN_NPS_HIST_LEN] = {0};
    full[1] = UINT64_MAX;
    assert_int_equal(rtn_nps_count(s, 2, full, NULL), RTN_EOVERFLOW);
    assert_true(full[1] == UINT64_MAX && full[2] == 0);
}

static void nps_score_worked_examples(void **state)
{
    (void)state;
    double nps = 0, se = 0;
    assert_int_equal(rtn_nps_score(50, 30, 20, &nps, &se), RTN_OK);
    assert_rel(nps, 30.0, RTN_TOL);
    assert_rel(se, 7.8102496759066558, RTN_TOL);
    /* seed: NPS is 0 when promoters equal detractors — exactly */
    assert_int_equal(rtn_nps_score(123, 456, 123, &nps, &se), RTN_OK);
    assert_true(nps == 0.0);
    assert_int_equal(rtn_nps_score(0, 10, 0, &nps, NULL), RTN_OK); /* std_error optional */
    assert_true(nps == 0.0);
    assert_int_equal(rtn_nps_score(7, 0, 0, &nps, &se), RTN_OK);
    assert_true(nps == 100.0 && se == 0.0);
    assert_int_equal(rtn_nps_score(0, 0, 7, &nps, &se), RTN_OK);
    assert_true(nps == -100.0 && se == 0.0);
    double ps, as, ds;
    assert_int_equal(rtn_nps_shares(50, 30, 20, &ps, &as, &ds), RTN_OK);
    assert_rel(ps, 0.5, RTN_TOL);
    assert_rel(as, 0.3, RTN_TOL);
    assert_rel(ds, 0.2, RTN_TOL);
}

/* numpy's answer on the S1 benchmark data (../shared/peers/README.md, seed 42):
 * n=10000000 promoters=4997760 passives=3001768 detractors=2000472 nps=29.97288
 * se=0.0246978915386 (printed by numpy_nps.py with 12 significant digits). */
static void nps_matches_numpy_on_benchmark_counts(void **state)
{
    (void)state;
    double nps = 0, se = 0;
    assert_int_equal(rtn_nps_score(4997760, 3001768, 2000472, &nps, &se), RTN_OK);
    assert_rel(nps, 29.97288, RTN_TOL);
    assert_rel(se, 0.0246978915386, 1e-11);
    double lo = 0, hi = 0;
    assert_int_equal(
        rtn_nps_interval(4997760, 3001768, 2000472, RTN_NPS_ADJUSTED_WALD, 0.99, &lo, &hi), RTN_OK);
    assert_rel(lo, 29.909253465235629, 1e-12);
    assert_rel(hi, 30.036488551041764, 1e-12);
}

static void nps_intervals(void **state)
{
    (void)state;
    double lo = 0, hi = 0;
    assert_int_equal(rtn_nps_interval(50, 30, 20, RTN_NPS_WALD, 0.95, &lo, &hi), RTN_OK);
    assert_rel(lo, 14.692191924957331, 1e-12);
    assert_rel(hi, 45.307808075042665, 1e-12);
    assert_int_equal(rtn_nps_interval(50, 30, 20, RTN_NPS_ADJUSTED_WALD, 0.95, &lo, &hi), RTN_OK);
    assert_rel(lo, 14.051130178761609, 1e-12);
    assert_rel(hi, 44.201297005704411, 1e-12);
    /* all promoters: Wald degenerates to a point, adjusted Wald does not (and is clipped) */
    assert_int_equal(rtn_nps_interval(10, 0, 0, RTN_NPS_WALD, 0.95, &lo, &hi), RTN_OK);
    assert_true(lo == 100.0 && hi == 100.0);
    assert_int_equal(rtn_nps_interval(10, 0, 0, RTN_NPS_ADJUSTED_WALD, 0.95, &lo, &hi), RTN_OK);
    assert_rel(lo, 47.503551544790206, 1e-12);
    assert_true(hi == 100.0);
}

static void nps_bad_input(void **state)
{
    (void)state;
    double a = SENTINEL, b = SENTINEL, c = SENTINEL;
    assert_int_equal(rtn_nps_score(0, 0, 0, &a, &b), RTN_EUNDEFINED); /* no responses */
    assert_int_equal(rtn_nps_score(1, 2, 3, NULL, &b), RTN_EINVAL);
    assert_int_equal(rtn_nps_score(UINT64_MAX, 1, 0, &a, &b), RTN_EOVERFLOW);
    assert_int_equal(rtn_nps_shares(0, 0, 0, &a, &b, &c), RTN_EUNDEFINED);
    assert_int_equal(rtn_nps_shares(1, 0, 0, &a, NULL, &c), RTN_EINVAL);
    assert_int_equal(rtn_nps_interval(0, 0, 0, RTN_NPS_WALD, 0.95, &a, &b), RTN_EUNDEFINED);
    assert_int_equal(RTN_NPS_WALD, 0); /* pinned */
    assert_int_equal(RTN_NPS_ADJUSTED_WALD, 1);
    assert_int_equal(rtn_nps_interval(5, 5, 5, 2, 0.95, &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_nps_interval(5, 5, 5, -1, 0.95, &a, &b), RTN_EINVAL);
    const double bad_conf[] = {0.0, 1.0, 95.0, -0.95, NAN};
    for (size_t i = 0; i < sizeof bad_conf / sizeof bad_conf[0]; ++i)
        assert_int_equal(rtn_nps_interval(5, 5, 5, RTN_NPS_WALD, bad_conf[i], &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_nps_interval(5, 5, 5, RTN_NPS_WALD, 0.95, NULL, &b), RTN_EINVAL);
    assert_int_equal(rtn_nps_interval(5, 5, 5, RTN_NPS_WALD, 0.95, &a, NULL), RTN_EINVAL);
    assert_int_equal(rtn_nps_interval(UINT64_MAX, 0, 1, RTN_NPS_WALD, 0.95, &a, &b),
                     RTN_EOVERFLOW);
    assert_true(a == SENTINEL && b == SENTINEL && c == SENTINEL);

    uint64_t p = 9, q = 9, r = 9, hist[RTN_NPS_HIST_LEN] = {0};
    assert_int_equal(rtn_nps_categories(NULL, &p, &q, &r), RTN_EINVAL);
    assert_int_equal(rtn_nps_categories(hist, &p, NULL, &r), RTN_EINVAL);
    hist[0] = UINT64_MAX; /* detractors overflow */
    hist[1] = 1;
    assert_int_equal(rtn_nps_categories(hist, &p, &q, &r), RTN_EOVERFLOW);
    memset(hist, 0, sizeof hist); /* promoters overflow */
    hist[9] = UINT64_MAX;
    hist[10] = 1;
    assert_int_equal(rtn_nps_categories(hist, &p, &q, &r), RTN_EOVERFLOW);
    memset(hist, 0, sizeof hist); /* passives overflow */
    hist[7] = 2;
    hist[8] = UINT64_MAX - 1;
    assert_int_equal(rtn_nps_categories(hist, &p, &q, &r), RTN_EOVERFLOW);
    assert_true(p == 9 && q == 9 && r == 9);
}

static void nps_two_sample_test(void **state)
{
    (void)state;
    double z = 0, pv = 0;
    assert_int_equal(rtn_nps_ztest(120, 50, 30, 90, 60, 50, &z, &pv), RTN_OK);
    assert_rel(z, 3.2174472604389339, 1e-12);
    assert_rel(pv, 0.001293368029994168, 1e-9);
    assert_int_equal(rtn_nps_ztest(90, 60, 50, 120, 50, 30, &z, &pv), RTN_OK);
    assert_rel(z, -3.2174472604389339, 1e-12);
    assert_int_equal(rtn_nps_ztest(10, 20, 30, 10, 20, 30, &z, &pv), RTN_OK);
    assert_true(z == 0.0 && pv == 1.0);
    double a = SENTINEL, b = SENTINEL;
    assert_int_equal(rtn_nps_ztest(0, 0, 0, 1, 1, 1, &a, &b), RTN_EUNDEFINED);
    assert_int_equal(rtn_nps_ztest(1, 1, 1, 0, 0, 0, &a, &b), RTN_EUNDEFINED);
    assert_int_equal(rtn_nps_ztest(5, 0, 0, 0, 0, 5, &a, &b), RTN_EUNDEFINED); /* both SE 0 */
    assert_int_equal(rtn_nps_ztest(1, 1, 1, 1, 1, 1, NULL, &b), RTN_EINVAL);
    assert_int_equal(rtn_nps_ztest(1, 1, 1, 1, 1, 1, &a, NULL), RTN_EINVAL);
    assert_int_equal(rtn_nps_ztest(1, 1, 1, UINT64_MAX, 1, 1, &a, &b), RTN_EOVERFLOW);
    assert_int_equal(rtn_nps_ztest(1, UINT64_MAX, 1, 1, 1, 1, &a, &b), RTN_EOVERFLOW);
    assert_true(a == SENTINEL && b == SENTINEL);
}

static void csat_and_ces(void **state)
{
    (void)state;
    /* 1–5 scale: 5, 5, 10, 40, 40 responses → top-2 = 80 of 100 */
    const uint64_t csat_hist[5] = {5, 5, 10, 40, 40};
    double v = 0, se = 0, lo = 0, hi = 0;
    assert_int_equal(rtn_csat_score(csat_hist, 1, 5, 4, &v, &se), RTN_OK);
    assert_rel(v, 0.8, RTN_TOL);
    assert_rel(se, 0.04, RTN_TOL);
    assert_int_equal(rtn_csat_score(csat_hist, 1, 5, 5, &v, NULL), RTN_OK); /* top-1 box */
    assert_rel(v, 0.4, RTN_TOL);
    assert_int_equal(rtn_csat_interval(csat_hist, 1, 5, 4, 0.95, &lo, &hi), RTN_OK);
    assert_rel(lo, 0.71117083440684126, 1e-12);
    assert_rel(hi, 0.86663306666896744, 1e-12);

    /* 1–7 scale, 100 responses; Python statistics.fmean / stdev */
    const uint64_t ces_hist[7] = {3, 7, 12, 20, 25, 18, 15};
    assert_int_equal(rtn_ces_score(ces_hist, 1, 7, &v, &se), RTN_OK);
    assert_rel(v, 4.71, RTN_TOL);
    assert_rel(se, 0.1584616704761786, 1e-12);
    const uint64_t one[7] = {0, 0, 1, 0, 0, 0, 0};
    assert_int_equal(rtn_ces_score(one, 1, 7, &v, NULL), RTN_OK);
    assert_rel(v, 3.0, RTN_TOL);
    /* counts near 2^63: Σ h·v / n rounds to 7.000000000000001 (Python floats, same order of
     * operations); the mean must stay on the scale */
    const uint64_t top[7] = {0, 1, 81, 1, 1, 65, UINT64_C(6212748586189769884)};
    assert_int_equal(rtn_ces_score(top, 1, 7, &v, NULL), RTN_OK);
    assert_true(v <= 7.0);
    assert_rel(v, 7.0, 1e-15);

    /* counting on the CES scale goes through the same kernel */
    const uint8_t raw[] = {1, 7, 7, 4, 2};
    uint64_t h[7] = {0};
    assert_int_equal(rtn_scores_count(raw, 5, 1, 7, h, NULL), RTN_OK);
    assert_int_equal(rtn_ces_score(h, 1, 7, &v, NULL), RTN_OK);
    assert_rel(v, 21.0 / 5.0, RTN_TOL);
}

static void csat_ces_bad_input(void **state)
{
    (void)state;
    const uint64_t h[5] = {1, 2, 3, 4, 5};
    const uint64_t empty[7] = {0};
    double a = SENTINEL, b = SENTINEL;
    assert_int_equal(rtn_csat_score(h, 1, 5, 6, &a, &b), RTN_EINVAL); /* satisfied_min > max */
    assert_int_equal(rtn_csat_score(h, 1, 5, 0, &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_csat_score(h, 5, 1, 4, &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_csat_score(NULL, 1, 5, 4, &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_csat_score(h, 1, 5, 4, NULL, &b), RTN_EINVAL);
    assert_int_equal(rtn_csat_score(empty, 1, 5, 4, &a, &b), RTN_EUNDEFINED);
    assert_int_equal(rtn_csat_interval(h, 1, 5, 4, 1.0, &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_csat_interval(h, 1, 5, 4, 0.95, &a, NULL), RTN_EINVAL);
    assert_int_equal(rtn_csat_interval(empty, 1, 5, 4, 0.95, &a, &b), RTN_EUNDEFINED);
    assert_int_equal(rtn_csat_interval(NULL, 1, 5, 4, 0.95, &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_csat_interval(h, 1, 5, 6, 0.95, &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_csat_interval(h, 1, 5, 4, NAN, &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_csat_interval(h, 5, 1, 4, 0.95, &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_ces_score(empty, 1, 7, &a, &b), RTN_EUNDEFINED);
    const uint64_t one[7] = {0, 1, 0, 0, 0, 0, 0};
    assert_int_equal(rtn_ces_score(one, 1, 7, &a, &b), RTN_EUNDEFINED); /* SE needs n ≥ 2 */
    assert_int_equal(rtn_ces_score(h, 1, 300, &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_ces_score(h, 1, 5, NULL, &b), RTN_EINVAL);
    assert_int_equal(rtn_ces_score(NULL, 1, 5, &a, &b), RTN_EINVAL);
    assert_int_equal(rtn_ces_score(h, 5, 1, &a, &b), RTN_EINVAL);
    const uint64_t huge[5] = {UINT64_MAX, 1, 0, 0, 0};
    assert_int_equal(rtn_ces_score(huge, 1, 5, &a, &b), RTN_EOVERFLOW);
    assert_int_equal(rtn_csat_score(huge, 1, 5, 4, &a, &b), RTN_EOVERFLOW);
    assert_true(a == SENTINEL && b == SENTINEL);
}

static void handle_time(void **state)
{
    (void)state;
    double m = 0;
    /* compensated summation: a naive sum loses the four 1s entirely (math.fsum reference) */
    const double d[] = {1e16, 1, 1, 1, 1};
    assert_int_equal(rtn_handle_time_mean(d, 5, &m, NULL), RTN_OK);
    assert_rel(m, 2000000000000000.8, 1e-16);
    double tenth[10];
    for (int i = 0; i < 10; ++i)
        tenth[i] = 0.1;
    assert_int_equal(rtn_handle_time_mean(tenth, 10, &m, NULL), RTN_OK);
    assert_true(m == 0.1);

    double out = SENTINEL;
    size_t bad = 42;
    const double withnan[] = {3, 4, NAN, 5};
    assert_int_equal(rtn_handle_time_mean(withnan, 4, &out, &bad), RTN_EDOMAIN);
    assert_int_equal(bad, 2);
    const double neg[] = {3, -4};
    assert_int_equal(rtn_handle_time_mean(neg, 2, &out, &bad), RTN_EDOMAIN);
    assert_int_equal(bad, 1);
    const double inf[] = {INFINITY};
    assert_int_equal(rtn_handle_time_mean(inf, 1, &out, NULL), RTN_EDOMAIN);
    /* the sum passes DBL_MAX, the mean does not */
    const double big[] = {1.5e308, 1.5e308, 1.2e308};
    assert_int_equal(rtn_handle_time_mean(big, 3, &m, NULL), RTN_OK);
    assert_rel(m, 1.4e308, 1e-15);
    assert_int_equal(rtn_handle_time_mean(d, 0, &out, NULL), RTN_EUNDEFINED);
    assert_int_equal(rtn_handle_time_mean(NULL, 3, &out, NULL), RTN_EINVAL);
    assert_int_equal(rtn_handle_time_mean(d, 3, NULL, NULL), RTN_EINVAL);
    assert_true(out == SENTINEL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nps_count_small),
        cmocka_unit_test(kernel_matches_naive_loop),
        cmocka_unit_test(kernel_no_lane_wraparound),
        cmocka_unit_test(nps_count_bad_score),
        cmocka_unit_test(scores_count_bad_arguments),
        cmocka_unit_test(nps_score_worked_examples),
        cmocka_unit_test(nps_matches_numpy_on_benchmark_counts),
        cmocka_unit_test(nps_intervals),
        cmocka_unit_test(nps_bad_input),
        cmocka_unit_test(nps_two_sample_test),
        cmocka_unit_test(csat_and_ces),
        cmocka_unit_test(csat_ces_bad_input),
        cmocka_unit_test(handle_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
