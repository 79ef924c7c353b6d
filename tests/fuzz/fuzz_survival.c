/* Fuzz target: Kaplan-Meier builders, curves and the log-rank test. The input is tried two ways:
 *  1. as a serialised builder: deserialising either fails cleanly or yields a builder that
 *     finishes (or says why not) and serialises back to exactly the same bytes;
 *  2. as subjects (duration, event, entry, weight) and pre-counted rows from the reader in
 *     fuzz.h, in two groups: every curve has 0 ≤ S ≤ 1, non-increasing, lower ≤ S ≤ upper
 *     where defined; quantiles, S at any time and the RMST stay in range; the log-rank test
 *     gives chisq ≥ 0 and p in [0, 1]; the builders survive their bytes unchanged. */
#include <stdlib.h>

#include "fuzz.h"

static void check_curve(const rtn_km_builder *b)
{
    rtn_km *km = NULL;
    int rc = rtn_km_builder_finish(b, &km);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EUNDEFINED || rc == RTN_ENOMEM || rc == RTN_EOVERFLOW);
    if (rc != RTN_OK)
        return;
    size_t rows;
    FUZZ_CHECK(rtn_km_size(km, &rows) == RTN_OK && rows > 0);
    double *col = malloc(5 * rows * sizeof *col);
    if (col) {
        double *t = col, *s = col + rows, *lo = col + 2 * rows, *hi = col + 3 * rows;
        double *n = col + 4 * rows;
        FUZZ_CHECK(rtn_km_column(km, RTN_KM_TIME, t, rows) == RTN_OK);
        FUZZ_CHECK(rtn_km_column(km, RTN_KM_SURVIVAL, s, rows) == RTN_OK);
        FUZZ_CHECK(rtn_km_column(km, RTN_KM_LOWER, lo, rows) == RTN_OK);
        FUZZ_CHECK(rtn_km_column(km, RTN_KM_UPPER, hi, rows) == RTN_OK);
        FUZZ_CHECK(rtn_km_column(km, RTN_KM_AT_RISK, n, rows) == RTN_OK);
        for (size_t i = 0; i < rows; ++i) {
            FUZZ_CHECK(s[i] >= 0.0 && s[i] <= 1.0 && n[i] > 0.0);
            FUZZ_CHECK(i == 0 || (t[i] > t[i - 1] && s[i] <= s[i - 1]));
            if (!isnan(lo[i]))
                FUZZ_CHECK(lo[i] >= 0.0 && lo[i] <= s[i] * (1 + 1e-12));
            if (!isnan(hi[i]))
                FUZZ_CHECK(hi[i] <= 1.0 && hi[i] >= s[i] * (1 - 1e-12));
        }
        double q, qlo, qhi, at[3] = {-1.0, t[rows / 2], DBL_MAX}, sv[3], m, se;
        for (double p = 0.0; p <= 1.0; p += 0.125)
            if (rtn_km_quantile(km, p, &q, &qlo, &qhi) == RTN_OK) /* NaN: not reached */
                FUZZ_CHECK(isnan(q) || (q >= 0.0 && q <= t[rows - 1]));
        FUZZ_CHECK(rtn_km_survival_at(km, at, 3, sv, NULL, NULL, NULL) == RTN_OK);
        FUZZ_CHECK(sv[0] == 1.0 && sv[2] == s[rows - 1]);
        rc = rtn_km_rmst(km, t[rows - 1], &m, &se);
        FUZZ_CHECK(rc == RTN_EOVERFLOW || (rc == RTN_OK && m >= 0.0 && m <= t[rows - 1] &&
                                           !(se < 0.0)));
    }
    free(col);
    rtn_km_free(km);
}

/* Serialises b, reads it back, and checks the copy's bytes are the same. */
static void round_trip(const rtn_km_builder *b)
{
    size_t len = 0;
    FUZZ_CHECK(rtn_km_builder_serialize(b, NULL, 0, &len) == RTN_EBUFSIZE);
    uint8_t *buf = malloc(len), *again = malloc(len);
    if (buf && again && rtn_km_builder_serialize(b, buf, len, &len) == RTN_OK) {
        rtn_km_builder *copy = NULL;
        FUZZ_CHECK(rtn_km_builder_deserialize(&copy, buf, len, NULL) == RTN_OK);
        size_t len2 = 0;
        FUZZ_CHECK(rtn_km_builder_serialize(copy, again, len, &len2) == RTN_OK && len2 == len);
        FUZZ_CHECK(memcmp(buf, again, len) == 0);
        rtn_km_builder_free(copy);
    }
    free(buf);
    free(again);
}

/* A duration: mostly small multiples of 1/4 (ties), sometimes any double. */
static double fuzz_time(fuzz_input *in)
{
    uint8_t how = fuzz_byte(in);
    return how < 220 ? (double)(how % 40) / 4.0 : fuzz_double(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 1. bytes as a serialised builder */
    rtn_km_builder *b = NULL;
    int rc = rtn_km_builder_deserialize(&b, data, size, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_ECORRUPT || rc == RTN_EVERSION || rc == RTN_ENOMEM);
    if (rc == RTN_OK) {
        check_curve(b);
        round_trip(b);
        rtn_km_builder_free(b);
    }

    /* 2. bytes as subjects in two groups */
    fuzz_input in = {data, size};
    rtn_km_builder *g[2] = {NULL, NULL};
    if (rtn_km_builder_create(&g[0], NULL) != RTN_OK || rtn_km_builder_create(&g[1], NULL) != RTN_OK) {
        rtn_km_builder_free(g[0]);
        return 0;
    }
    uint8_t opts = fuzz_byte(&in);
    rtn_km_builder_set(g[0], RTN_KM_CONF_TYPE, opts % 3);
    rtn_km_builder_set(g[0], RTN_KM_CONF_LEVEL, fuzz_double(&in)); /* may refuse: fine */
    rtn_km_builder_set(g[0], RTN_KM_TIE_TOLERANCE, opts & 8 ? 0.3 : 0.0);
    int truncated = (opts & 16) != 0, weighted = (opts & 32) != 0;
    enum { MAX_SUBJECTS = 48 };
    double dur[MAX_SUBJECTS], entry[MAX_SUBJECTS], weight[MAX_SUBJECTS];
    uint8_t event[MAX_SUBJECTS], group[MAX_SUBJECTS];
    size_t n = 0;
    while (in.left > 0 && n < MAX_SUBJECTS) {
        dur[n] = fuzz_time(&in);
        uint8_t flags = fuzz_byte(&in);
        event[n] = flags & 0x80 ? flags : flags & 1; /* sometimes an invalid flag */
        group[n] = (flags >> 1) & 1;
        entry[n] = (flags & 4) ? fuzz_time(&in) : 0.0;
        weight[n] = (flags & 8) ? fuzz_double(&in) : (double)(flags >> 4 & 3);
        ++n;
    }
    for (int k = 0; k < 2; ++k) {
        /* each group's subjects, compacted; invalid ones make the call fail as a whole */
        double d[MAX_SUBJECTS], e[MAX_SUBJECTS], w[MAX_SUBJECTS];
        uint8_t ev[MAX_SUBJECTS];
        size_t m = 0, bad = SIZE_MAX;
        for (size_t i = 0; i < n; ++i)
            if (group[i] == k) {
                d[m] = dur[i];
                e[m] = entry[i];
                w[m] = weight[i];
                ev[m++] = event[i];
            }
        rc = rtn_km_builder_add(g[k], d, ev, truncated ? e : NULL, weighted ? w : NULL, m, &bad);
        FUZZ_CHECK(rc == RTN_OK || rc == RTN_EOVERFLOW || (rc == RTN_EDOMAIN && bad < m));
    }
    /* a few pre-counted rows into group 1 */
    double ct[3];
    uint64_t ce[3], cc[3], cn[3];
    for (int i = 0; i < 3; ++i) {
        ct[i] = fuzz_time(&in);
        ce[i] = fuzz_u64(&in) % 5;
        cc[i] = fuzz_u64(&in);
        cn[i] = fuzz_u64(&in) % 3;
    }
    rc = rtn_km_builder_add_counts(g[1], ct, ce, cc, opts & 64 ? cn : NULL, 3, NULL);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EDOMAIN || rc == RTN_EOVERFLOW);
    for (int k = 0; k < 2; ++k) {
        check_curve(g[k]);
        round_trip(g[k]);
    }
    double chisq, p, obs[2], expct[2], var[4];
    uint32_t df;
    const rtn_km_builder *groups[2] = {g[0], g[1]};
    rc = rtn_logrank(groups, 2, (double)(opts >> 6), obs, expct, var, &chisq, &df, &p);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EUNDEFINED);
    if (rc == RTN_OK)
        FUZZ_CHECK(chisq >= 0.0 && p >= 0.0 && p <= 1.0 && df == 1);
    rc = rtn_km_builder_merge(g[0], g[1]);
    FUZZ_CHECK(rc == RTN_OK || rc == RTN_EOVERFLOW);
    check_curve(g[0]);
    rtn_km_builder_free(g[0]);
    rtn_km_builder_free(g[1]);
    return 0;
}
