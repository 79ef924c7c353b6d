/* Fuzz target: score counting, histogram lengths, and every score formula on the histogram.
 * Input: scale_min, scale_max, satisfied_min, confidence, then the score bytes. Score bytes
 * below 250 are folded onto the scale (and one past its top), so most inputs are valid and reach
 * the formulas; bytes 250-255 stay as they are, anywhere on or off the scale. */
#include <stdlib.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    uint32_t lo = fuzz_byte(&in) % 12, hi = fuzz_byte(&in) % 16, sat = fuzz_byte(&in) % 16;
    double conf = fuzz_double(&in);
    /* the histogram length: hi − lo + 1 for a scale, refused otherwise (also past 255) */
    for (uint32_t top = hi; top <= hi + 245; top += 245) {
        size_t hist_len = 0;
        int rc = rtn_scores_hist_len(lo, top, &hist_len);
        FUZZ_CHECK(rc == (lo < top && top <= 255 ? RTN_OK : RTN_EINVAL));
        FUZZ_CHECK(rc != RTN_OK || hist_len == top - lo + 1);
    }
    FUZZ_CHECK(rtn_nps_hist_len() == RTN_NPS_HIST_LEN);
    size_t n = in.left;
    uint8_t *scores = calloc(n ? n : 1, 1);
    if (!scores)
        return 0;
    uint32_t width = hi >= lo ? hi - lo + 1 : 1;
    uint64_t naive[256] = {0};
    for (size_t i = 0; i < n; ++i) {
        uint8_t b = in.p[i];
        scores[i] = b < 250 ? (uint8_t)(lo + b % (width + 1)) : b;
        naive[scores[i]]++;
    }

    uint64_t hist[256] = {0};
    size_t bad = (size_t)-1;
    int rc = rtn_scores_count(scores, n, lo, hi, hist, &bad);
    if (rc == RTN_EDOMAIN) {
        FUZZ_CHECK(bad < n && (scores[bad] < lo || scores[bad] > hi));
        for (size_t i = 0; i < bad; ++i)
            FUZZ_CHECK(scores[i] >= lo && scores[i] <= hi);
        for (int b = 0; b < 256; ++b)
            FUZZ_CHECK(hist[b] == 0); /* untouched */
        free(scores);
        return 0;
    }
    if (rc != RTN_OK) {
        FUZZ_CHECK(rc == RTN_EINVAL && !(lo < hi));
        free(scores);
        return 0;
    }
    for (uint32_t b = 0; b <= hi - lo; ++b)
        FUZZ_CHECK(hist[b] == naive[lo + b]); /* the kernel agrees with the obvious count */

    double v = -7.0, se = -7.0, l = -7.0, h = -7.0;
    rc = rtn_csat_score(hist, lo, hi, sat, &v, &se);
    if (rc == RTN_OK)
        FUZZ_CHECK(v >= 0.0 && v <= 1.0 && se >= 0.0);
    else
        FUZZ_CHECK(v == -7.0 && se == -7.0);
    rc = rtn_csat_interval(hist, lo, hi, sat, conf, &l, &h);
    if (rc == RTN_OK)
        FUZZ_CHECK(0.0 <= l && l <= h && h <= 1.0);
    else
        FUZZ_CHECK(l == -7.0 && h == -7.0);
    v = se = -7.0;
    rc = rtn_ces_score(hist, lo, hi, &v, &se);
    if (rc == RTN_OK)
        FUZZ_CHECK(v >= lo && v <= hi && se >= 0.0);
    else
        FUZZ_CHECK(v == -7.0 && se == -7.0);

    /* NPS on the same bytes when they fit 0–10 */
    uint64_t nps_hist[RTN_NPS_HIST_LEN] = {0};
    if (rtn_nps_count(scores, n, nps_hist, NULL) == RTN_OK) {
        uint64_t p, a, d;
        FUZZ_CHECK(rtn_nps_categories(nps_hist, &p, &a, &d) == RTN_OK && p + a + d == n);
        double nps = -777.0;
        se = -7.0;
        rc = rtn_nps_score(p, a, d, &nps, &se);
        FUZZ_CHECK(rc == (n ? RTN_OK : RTN_EUNDEFINED));
        if (rc == RTN_OK)
            FUZZ_CHECK(nps >= -100.0 && nps <= 100.0 && se >= 0.0);
        for (int32_t m = 0; m < 2; ++m) {
            l = h = -777.0;
            rc = rtn_nps_interval(p, a, d, m, conf, &l, &h);
            if (rc == RTN_OK)
                FUZZ_CHECK(-100.0 <= l && l <= h && h <= 100.0);
            else
                FUZZ_CHECK(l == -777.0 && h == -777.0);
        }
        double z = -777.0, pv = -777.0;
        rc = rtn_nps_ztest(p, a, d, d, a, p, &z, &pv);
        if (rc == RTN_OK)
            FUZZ_CHECK(isfinite(z) && pv >= 0.0 && pv <= 1.0);
        else
            FUZZ_CHECK(z == -777.0 && pv == -777.0);
    }
    free(scores);
    return 0;
}
